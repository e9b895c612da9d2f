/* test_toml.c — unit tests of the TOML 1.0 parser (src/toml): every value
 * kind, the definition rules, error messages with exact line:col, limits, and
 * every prefix of valid documents. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/limits.h"
#include "t.h"
#include "toml/toml.h"

/* ---- helpers -------------------------------------------------------------- */

/* Parse a copy of s[0..n) in an exact-size heap buffer (no NUL after it), so
 * ASan catches any read past the end. */
static int parse_n(arena *a, const char *s, size_t n, toml_value **root, toml_error *err)
{
	char *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, s, n);
	int rc = toml_parse(a, copy, n, root, err);
	free(copy);
	return rc;
}

static arena A;  /* reset by each helper call; freed at the end */

/* Parse s and expect success; returns the root (valid until the next call). */
static toml_value *ok_n(const char *s, size_t n, int line)
{
	toml_value *root = NULL;
	toml_error err;
	arena_reset(&A);
	int rc = parse_n(&A, s, n, &root, &err);
	if (rc) {
		T_FAIL_AT("line %d: parse failed (%s) at %u:%u: %s", line, err_str(rc), err.pos.line, err.pos.col, err.msg);
		return NULL;
	}
	if (!root || root->type != TOML_TABLE)
		T_FAIL_AT("line %d: no root table", line);
	return root;
}
#define OK(s) ok_n((s), strlen(s), __LINE__)
#define OKN(s) ok_n((s), sizeof(s) - 1, __LINE__)

/* Expect failure with code rc at line:col, message containing sub (if given). */
static void bad_n(const char *s, size_t n, int rc, unsigned line, unsigned col, const char *sub, int at)
{
	toml_value *root = (toml_value *)&root;  /* must be set to NULL */
	toml_error err;
	arena_reset(&A);
	int got = parse_n(&A, s, n, &root, &err);
	if (got == 0) {
		T_FAIL_AT("line %d: accepted invalid input: %.60s", at, s);
		return;
	}
	if (got != rc)
		T_FAIL_AT("line %d: rc %s, expected %s (%s)", at, err_str(got), err_str(rc), err.msg);
	if (root)
		T_FAIL_AT("line %d: root not NULL on error", at);
	if (err.pos.line != line || err.pos.col != col)
		T_FAIL_AT("line %d: error at %u:%u, expected %u:%u (%s)", at, err.pos.line, err.pos.col, line, col, err.msg);
	if (sub && !strstr(err.msg, sub))
		T_FAIL_AT("line %d: message \"%s\" lacks \"%s\"", at, err.msg, sub);
}
#define BAD(s, line, col, sub) bad_n((s), strlen(s), ERR_INVAL, (line), (col), (sub), __LINE__)
#define BADN(s, line, col, sub) bad_n((s), sizeof(s) - 1, ERR_INVAL, (line), (col), (sub), __LINE__)
#define BADRC(s, rc, line, col, sub) bad_n((s), strlen(s), (rc), (line), (col), (sub), __LINE__)
#define BADNRC(s, rc, line, col, sub) bad_n((s), sizeof(s) - 1, (rc), (line), (col), (sub), __LINE__)

/* Compact dump of a tree for structural comparisons:
 * {k=v,...} [v,...] "str" 12 f:1.5 true 1979-05-27T07:32:00Z ... */
typedef struct sbuf {
	char s[4096];
	size_t n;
} sbuf;

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (b->n < sizeof b->s) {
		int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
		if (k > 0)
			b->n += (size_t)k;
		if (b->n >= sizeof b->s)
			b->n = sizeof b->s - 1;
	}
	va_end(ap);
}

static void dump_str(sbuf *b, const char *p, size_t n)
{
	sb_printf(b, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
			sb_printf(b, "\\x%02X", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

static void dump_dt(sbuf *b, const toml_value *v)
{
	const toml_datetime *d = &v->u.dt;
	if (v->type != TOML_TIME_LOCAL)
		sb_printf(b, "%04d-%02d-%02d", d->year, d->month, d->day);
	if (v->type == TOML_DATE_LOCAL)
		return;
	if (v->type != TOML_TIME_LOCAL)
		sb_printf(b, "T");
	sb_printf(b, "%02d:%02d:%02d", d->hour, d->minute, d->second);
	if (d->frac_digits)
		sb_printf(b, ".%09u/%d", (unsigned)d->nanos, d->frac_digits);
	if (v->type == TOML_DATETIME) {
		if (d->offset_z)
			sb_printf(b, "Z");
		else
			sb_printf(b, "%+d", d->offset_minutes);
	}
}

static void dump(sbuf *b, const toml_value *v)
{
	switch (v->type) {
	case TOML_STRING: dump_str(b, v->u.s.p, v->u.s.n); break;
	case TOML_INTEGER: sb_printf(b, "%lld", (long long)v->u.i); break;
	case TOML_FLOAT: sb_printf(b, "f:%.17g", v->u.f); break;
	case TOML_BOOL: sb_printf(b, "%s", v->u.b ? "true" : "false"); break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL: dump_dt(b, v); break;
	case TOML_ARRAY:
		sb_printf(b, "[");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				sb_printf(b, ",");
			dump(b, v->u.arr.items[i]);
		}
		sb_printf(b, "]");
		break;
	case TOML_TABLE:
		sb_printf(b, "{");
		for (size_t i = 0; i < v->u.tab.n; i++) {
			const toml_kv *kv = &v->u.tab.items[i];
			if (i)
				sb_printf(b, ",");
			bool bare = kv->key_len > 0;
			for (size_t j = 0; j < kv->key_len; j++)
				if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", kv->key[j]) || !kv->key[j])
					bare = false;
			if (bare)
				sb_printf(b, "%s", kv->key);
			else
				dump_str(b, kv->key, kv->key_len);
			sb_printf(b, "=");
			dump(b, kv->val);
		}
		sb_printf(b, "}");
		break;
	}
}

static void same_n(const char *s, size_t n, const char *want, int line)
{
	toml_value *root = ok_n(s, n, line);
	if (!root)
		return;
	sbuf b;
	b.n = 0;
	b.s[0] = '\0';
	dump(&b, root);
	if (strcmp(b.s, want))
		T_FAIL_AT("line %d:\n    got  %s\n    want %s", line, b.s, want);
}
#define SAME(s, want) same_n((s), strlen(s), (want), __LINE__)
#define SAMEN(s, want) same_n((s), sizeof(s) - 1, (want), __LINE__)

/* ---- documents and keys ------------------------------------------------------ */

TEST(toml_empty_documents)
{
	SAME("", "{}");
	SAME("\n\n\r\n", "{}");
	SAME("   \t  ", "{}");
	SAME("# only a comment", "{}");
	SAME("# c1\n  # c2\r\n\t# c3\n", "{}");
	SAME("\xEF\xBB\xBF", "{}");
	SAME("\xEF\xBB\xBF" "a = 1\n", "{a=1}");
	BAD("a = 1\n\xEF\xBB\xBF" "b = 2", 2, 1, "expected a key");
	toml_value *root = NULL;
	arena_reset(&A);
	CHECK_EQ_INT(toml_parse(&A, NULL, 0, &root, NULL), 0);
	CHECK(root && root->type == TOML_TABLE && root->u.tab.n == 0);
}

TEST(toml_bad_arguments)
{
	toml_value *root = NULL;
	toml_error err;
	arena_reset(&A);
	CHECK_EQ_INT(toml_parse(NULL, "a=1", 3, &root, &err), ERR_INVAL);
	CHECK(root == NULL);
	CHECK_EQ_INT(toml_parse(&A, NULL, 3, &root, &err), ERR_INVAL);
	CHECK_EQ_INT(toml_parse(&A, "a=1", 3, NULL, &err), ERR_INVAL);
	CHECK_EQ_INT(toml_parse(&A, "a=", 2, &root, NULL), ERR_INVAL);  /* err may be NULL */
	CHECK(root == NULL);
}

TEST(toml_keys)
{
	SAME("key = 1\nbare_key = 2\nbare-key = 3\n1234 = 4\n-_- = 5", "{key=1,bare_key=2,bare-key=3,1234=4,-_-=5}");
	SAME("\"127.0.0.1\" = 1\n\"character encoding\" = 2\n'key2' = 3\n'quoted \"value\"' = 4",
	     "{\"127.0.0.1\"=1,\"character encoding\"=2,key2=3,\"quoted \\x22value\\x22\"=4}");
	SAME("\"ʎǝʞ\" = 1", "{\"ʎǝʞ\"=1}");
	SAME("\"\" = 1", "{\"\"=1}");
	SAME("'' = 1", "{\"\"=1}");
	SAME("a.b.c = 1", "{a={b={c=1}}}");
	SAME("a . b\t.\tc = 1", "{a={b={c=1}}}");
	SAME("site.\"google.com\" = true", "{site={\"google.com\"=true}}");
	SAME("3.14159 = 'pi'", "{3={14159=\"pi\"}}");
	SAME("a=1\nb=2", "{a=1,b=2}");
	SAME("\"a\\u0000b\" = 1", "{\"a\\x00b\"=1}");
	SAME("\"\\t\" = 1", "{\"\\x09\"=1}");
	SAME("true = 1\nfalse = 2\ninf = 3\nnan = 4", "{true=1,false=2,inf=3,nan=4}");
	BAD("= 1", 1, 1, "expected a key, found '='");
	BAD("a b = 1", 1, 3, "expected '=' after key, found 'b'");
	BAD("a.\n= 1", 1, 3, "expected a key");
	BAD("a..b = 1", 1, 3, "expected a key, found '.'");
	BAD(".a = 1", 1, 1, "expected a key, found '.'");
	BAD("a. = 1", 1, 4, "expected a key, found '='");
	BAD("a", 1, 2, "expected '=' after key, found end of file");
	BAD("a\n= 1", 1, 2, "expected '=' after key, found end of line");
	BAD("a = ", 1, 5, "expected a value, found end of file");
	BAD("a = # c", 1, 5, "expected a value, found '#'");
	BAD("a == 1", 1, 4, "expected a value, found '='");
	BAD("\"\"\"k\"\"\" = 1", 1, 1, "multi-line string cannot be a key");
	BAD("'''k''' = 1", 1, 1, "multi-line string cannot be a key");
	BAD("\"k = 1", 1, 7, "unterminated string");
	BAD("\"k\n\" = 1", 1, 3, "newline before closing");
	BAD("é = 1", 1, 1, "expected a key, found 'é'");
	BAD("a! = 1", 1, 2, "expected '=' after key, found '!'");
	BAD("\\u00c0 = 1", 1, 1, "expected a key, found '\\'");
	BAD("a = 1 b = 2", 1, 7, "expected end of line after value, found 'b'");
}

TEST(toml_duplicate_keys)
{
	BAD("name = 1\nname = 2", 2, 1, "duplicate key 'name' (first defined at 1:1)");
	BAD("name = 1\n\"name\" = 2", 2, 1, "duplicate key 'name'");
	BAD("name = 1\n'name' = 2", 2, 1, "duplicate key 'name'");
	BAD("\"a b\" = 1\n'a b' = 2", 2, 1, "duplicate key '\"a b\"'");
	BAD("a.b = 1\na.b = 2", 2, 3, "duplicate key 'b'");
	BAD("a.b = 1\na = 2", 2, 1, "duplicate key 'a'");
	BAD("a = 1\na.b = 2", 2, 1, "key 'a' is already defined as integer at 1:5, not a table");
	BAD("[t]\nx = 1\n  x = 2", 3, 3, "duplicate key 'x'");
	BAD("a = {x = 1, x = 2}", 1, 13, "duplicate key 'x'");
	BAD("a.b=0\na={}", 2, 1, "duplicate key 'a'");
	/* a key that only differs by case is a different key */
	SAME("a = 1\nA = 2", "{a=1,A=2}");
}

TEST(toml_key_order_preserved)
{
	SAME("z = 1\ny = 2\nx.c = 3\nx.a = 4\nw = 5\n[v]\nq = 6\n[b]\n[a]\nk = 7",
	     "{z=1,y=2,x={c=3,a=4},w=5,v={q=6},b={},a={k=7}}");
	SAME("t = {z = 1, a = 2, m.y = 3, m.b = 4}", "{t={z=1,a=2,m={y=3,b=4}}}");
	/* many keys: order kept and duplicates found through the index */
	char *doc = malloc(200000);
	size_t n = 0;
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(doc + n, "k%d = %d\n", 4999 - i, i);
	toml_value *root = ok_n(doc, n, __LINE__);
	CHECK(root && root->u.tab.n == 5000);
	if (root && root->u.tab.n == 5000) {
		int bad = 0;
		for (int i = 0; i < 5000; i++) {
			char k[16];
			snprintf(k, sizeof k, "k%d", 4999 - i);
			if (strcmp(root->u.tab.items[i].key, k) || root->u.tab.items[i].val->u.i != i)
				bad++;
		}
		CHECK_EQ_INT(bad, 0);
		const toml_value *v = toml_get(root, "k0");
		CHECK(v && v->type == TOML_INTEGER && v->u.i == 4999);
	}
	n += (size_t)sprintf(doc + n, "k2500 = 0\n");
	bad_n(doc, n, ERR_INVAL, 5001, 1, "duplicate key 'k2500' (first defined at 2500:1)", __LINE__);
	free(doc);
}

/* ---- tables ------------------------------------------------------------------ */

TEST(toml_tables)
{
	SAME("[a]\nx = 1\n[b]\ny = 2", "{a={x=1},b={y=2}}");
	SAME("[ a . b ]\nx = 1", "{a={b={x=1}}}");
	SAME("[a.\"b.c\".'d']\nx = 1", "{a={\"b.c\"={d={x=1}}}}");
	SAME("[a]\n[a.b]\n[a.c]", "{a={b={},c={}}}");
	/* super-table after its sub-tables: allowed once */
	SAME("[a.b.c]\nx = 1\n[a]\ny = 2", "{a={b={c={x=1}},y=2}}");
	BAD("[a.b.c]\n[a]\n[a]", 3, 2, "table [a] is defined twice (first at 2:1)");
	BAD("[a]\nx = 1\n[a]", 3, 2, "table [a] is defined twice (first at 1:1)");
	BAD("[a.b]\n[a . b]", 2, 6, "table [a.b] is defined twice (first at 1:1)");
	BAD("[a]\nb = 1\n[a.b]", 3, 4, "key 'b' is already defined as integer at 2:5, not a table");
	BAD("[a]\nb = 1\n[a.b.c]", 3, 4, "key 'b' is already defined as integer");
	BAD("a = 1\n[a]", 2, 2, "key 'a' is already defined as integer");
	/* tables from dotted keys can have [sub-tables] but cannot be [defined] */
	SAME("[fruit]\napple.color = 'red'\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true",
	     "{fruit={apple={color=\"red\",taste={sweet=true},texture={smooth=true}}}}");
	BAD("[fruit]\napple.color = 'red'\n[fruit.apple]", 3, 8, "table [fruit.apple] was already defined by dotted keys at 2:1");
	BAD("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]", 3, 14, "already defined by dotted keys at 2:7");
	SAME("a.b = 1\n[a.c]\nx = 2", "{a={b=1,c={x=2}}}");
	BAD("a.b = 1\n[a]", 2, 2, "table [a] was already defined by dotted keys");
	/* dotted keys cannot add to tables defined by headers */
	BAD("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3, "dotted key 'b.c' cannot add to a table defined by a [header] (at 1:1)");
	BAD("[a.b.c.d]\n[a]\nb.c.d.k.t = 1", 3, 5, "dotted key 'b.c.d' cannot add");
	/* ... but may define a table only implied by a header; it is then theirs */
	SAME("[a.b.c]\n[a]\nb.d = 1", "{a={b={c={},d=1}}}");
	BAD("[a.b.c]\n[a]\nb.d = 1\n[a.b]", 4, 4, "table [a.b] was already defined by dotted keys at 3:1");
	SAME("[a.b.c]\n[a]\nb.d = 1\n[a.b.e]", "{a={b={c={},d=1,e={}}}}");
	/* a table header cannot be followed by a value on the same line */
	BAD("[a] x = 1", 1, 5, "expected end of line after table header, found 'x'");
	SAME("[a] # comment\nx = 1", "{a={x=1}}");
	BAD("[]", 1, 2, "expected a key, found ']'");
	BAD("[a", 1, 3, "expected ']' to close the table header, found end of file");
	BAD("[a\n]", 1, 3, "expected ']' to close the table header, found end of line");
	BAD("[a]]", 1, 4, "expected end of line after table header, found ']'");
	BAD("[a.]", 1, 4, "expected a key, found ']'");
	BAD("[a b]", 1, 4, "expected ']' to close the table header, found 'b'");
	BAD("[a = 1]", 1, 4, "expected ']' to close the table header, found '='");
	BAD("[ [a] ]", 1, 3, "expected a key, found '['");
	BAD("[a#]", 1, 3, "expected ']'");
}

TEST(toml_arrays_of_tables)
{
	SAME("[[p]]\nn = 1\n[[p]]\n[[p]]\nn = 3", "{p=[{n=1},{},{n=3}]}");
	SAME("[[ p ]]\nn = 1", "{p=[{n=1}]}");
	SAME("[[fruit]]\nname = 'apple'\n[fruit.physical]\ncolor = 'red'\n[[fruit.variety]]\nname = 'red delicious'\n"
	     "[[fruit.variety]]\nname = 'granny smith'\n[[fruit]]\nname = 'banana'\n[[fruit.variety]]\nname = 'plantain'",
	     "{fruit=[{name=\"apple\",physical={color=\"red\"},variety=[{name=\"red delicious\"},{name=\"granny smith\"}]},"
	     "{name=\"banana\",variety=[{name=\"plantain\"}]}]}");
	/* [[a.b]] alone makes a an implicit table, which [a] may define later */
	SAME("[[a.b]]\nx = 1\n[a]\ny = 2", "{a={b=[{x=1}],y=2}}");
	BAD("[[albums.songs]]\n[[albums]]", 2, 3, "array of tables [[albums]] conflicts with the table [albums] defined at 1:3");
	BAD("[t]\n[[t]]", 2, 3, "array of tables [[t]] conflicts with the table [t] defined at 1:1");
	BAD("[[t]]\n[t]", 2, 2, "table [t] conflicts with the array of tables [[t]] defined at 1:1");
	BAD("a = []\n[[a]]", 2, 3, "static array 'a' (defined at 1:5) is closed and cannot be extended");
	BAD("a = [{b = 1}]\n[a.c]", 2, 2, "static array 'a' (defined at 1:5) is closed");
	BAD("a = [{b = 1}]\n[[a.c]]", 2, 3, "static array 'a'");
	BAD("a = 1\n[[a]]", 2, 3, "key 'a' is already defined as integer");
	BAD("[[a]]\nb.c = 1\n[a.b]", 3, 4, "table [a.b] was already defined by dotted keys");
	SAME("[[a]]\nb.c = 1\n[[a]]\nb.c = 2", "{a=[{b={c=1}},{b={c=2}}]}");
	/* dotted keys cannot reach through an array of tables */
	BAD("[[a]]\n[b]\n[a]", 3, 2, "conflicts with the array of tables");
	BAD("[[a]\n", 1, 5, "expected ']]' to close the table header");
	BAD("[[a] ]\n", 1, 5, "expected ']]'");
	BAD("[[]]\n", 1, 3, "expected a key, found ']'");
}

TEST(toml_inline_tables)
{
	SAME("a = {}", "{a={}}");
	SAME("a = { }", "{a={}}");
	SAME("a = {x=1,y='s'}", "{a={x=1,y=\"s\"}}");
	SAME("a = { x = 1 , y = { z = [1, {w = 2}] } }", "{a={x=1,y={z=[1,{w=2}]}}}");
	SAME("a = {b.c = 1, b.d = 2, e = 3}", "{a={b={c=1,d=2},e=3}}");
	SAME("p = { type.name = 'pug' }", "{p={type={name=\"pug\"}}}");
	BAD("a = {b = {c = 1}, b.d = 2}", 1, 19, "inline table 'b' (defined at 1:10) is closed and cannot be extended");
	BAD("a = {b.c = 1, b = 2}", 1, 15, "duplicate key 'b'");
	BAD("a = {}\n[a.b]", 2, 2, "inline table 'a' (defined at 1:5) is closed");
	BAD("a = {}\n[a]", 2, 2, "inline table 'a' (defined at 1:5) is closed");
	BAD("a = {}\na.b = 1", 2, 1, "inline table 'a'");
	BAD("a = {b = 1}\n[[a.c]]", 2, 3, "inline table 'a'");
	BAD("a = {x = 1,}", 1, 12, "trailing comma not allowed");
	BAD("a = {,}", 1, 6, "expected a key, found ','");
	BAD("a = {x = 1,, y = 2}", 1, 12, "expected a key, found ','");
	BAD("a = {x = 1 y = 2}", 1, 12, "expected ',' or '}' in inline table, found 'y'");
	BAD("a = {\nx = 1}", 1, 6, "newline inside an inline table");
	BAD("a = {x = 1\n}", 1, 11, "newline inside an inline table");
	BAD("a = {x = 1,\ny = 2}", 1, 12, "newline inside an inline table");
	BAD("a = {x = 1 # c\n}", 1, 12, "found '#'");
	BAD("a = {x = 1", 1, 5, "unterminated inline table");
}

TEST(toml_inline_multiline_array_is_valid)
{
	/* arrays inside inline tables may span lines (only the table itself may not) */
	SAME("a = {x = [\n1,\n2]}", "{a={x=[1,2]}}");
}

TEST(toml_arrays)
{
	SAME("a = []", "{a=[]}");
	SAME("a = [ ]", "{a=[]}");
	SAME("a = [1]", "{a=[1]}");
	SAME("a = [1,2,3,]", "{a=[1,2,3]}");
	SAME("a = [\n  1,\n  2, # two\n  # nothing\n]", "{a=[1,2]}");
	SAME("a = [\r\n1\r\n,\r\n2\r\n]", "{a=[1,2]}");
	SAME("a = [1, 'x', 1.5, true, [], {}, 1979-05-27]", "{a=[1,\"x\",f:1.5,true,[],{},1979-05-27]}");
	SAME("a = [[1, 2], ['a', \"b\"], [[[]]]]", "{a=[[1,2],[\"a\",\"b\"],[[[]]]]}");
	SAME("a = [ { x = 1 }, { x = 2 } ]", "{a=[{x=1},{x=2}]}");
	SAME("a = [\"]\", ',', \"#\"] # ]", "{a=[\"]\",\",\",\"#\"]}");
	BAD("a = [,]", 1, 6, "expected a value, found ','");
	BAD("a = [1,,2]", 1, 8, "expected a value, found ','");
	BAD("a = [1 2]", 1, 8, "expected ',' or ']' after array element, found '2'");
	BAD("a = [1", 1, 5, "unterminated array");
	BAD("a = [1,", 1, 5, "unterminated array");
	BAD("a = [1,\n# c\n", 1, 5, "unterminated array");
	BAD("a = [1]]", 1, 8, "expected end of line after value, found ']'");
	BAD("a = [a]", 1, 6, "invalid value 'a'");
}

/* ---- strings ------------------------------------------------------------------ */

TEST(toml_basic_strings)
{
	SAME("s = \"hello\"", "{s=\"hello\"}");
	SAME("s = \"\"", "{s=\"\"}");
	SAME("s = \"a\\bb\\tc\\nd\\fe\\rf\\\"g\\\\h\"", "{s=\"a\\x08b\\x09c\\x0Ad\\x0Ce\\x0Df\\x22g\\x5Ch\"}");
	SAME("s = \"\\u00e9\\u20AC\\U0001F600\\U0010FFFF\"", "{s=\"é€😀\xF4\x8F\xBF\xBF\"}");
	SAME("s = \"tab\there\"", "{s=\"tab\\x09here\"}");
	SAME("s = \"# not a comment\" # comment", "{s=\"# not a comment\"}");
	SAME("s = \"\xE2\x9C\x93 ü\"", "{s=\"✓ ü\"}");
	/* \u0000 is allowed: the length tells */
	toml_value *root = OK("s = \"a\\u0000b\"");
	const toml_value *s = toml_get(root, "s");
	CHECK(s && s->type == TOML_STRING && s->u.s.n == 3 && !memcmp(s->u.s.p, "a\0b", 4));
	BAD("s = \"\\q\"", 1, 6, "invalid escape '\\q' in string");
	BAD("s = \"\\e\"", 1, 6, "invalid escape '\\e'");  /* TOML 1.1 only */
	BAD("s = \"\\x41\"", 1, 6, "invalid escape '\\x'");  /* TOML 1.1 only */
	BAD("s = \"\\/\"", 1, 6, "invalid escape '\\/'");
	BAD("s = \"\\ \"", 1, 6, "invalid escape in string: '\\' followed by ' '");
	BAD("s = \"ab\\", 1, 8, "backslash at end of file");
	BAD("s = \"\\u12\"", 1, 6, "'\\u' needs 4 hex digits");
	BAD("s = \"\\u12G4\"", 1, 6, "needs 4 hex digits");
	BAD("s = \"\\U0001F60\"", 1, 6, "'\\U' needs 8 hex digits");
	BAD("s = \"\\uD800\"", 1, 6, "invalid unicode escape '\\uD800': not a Unicode scalar value");
	BAD("s = \"\\uDFFF\"", 1, 6, "not a Unicode scalar value");
	BAD("s = \"\\U00110000\"", 1, 6, "invalid unicode escape '\\U00110000'");
	BAD("s = \"\\UFFFFFFFF\"", 1, 6, "not a Unicode scalar value");
	BAD("s = \"abc", 1, 9, "unterminated string (missing closing \")");
	BAD("s = \"abc\ndef\"", 1, 9, "unterminated string: newline before closing \"");
	BADN("s = \"a\x01\"", 1, 7, "control character U+0001 in string");
	BADN("s = \"a\x7f\"", 1, 7, "control character U+007F in string");
	BADN("s = \"a\x00\"", 1, 7, "control character U+0000 in string");
	BADN("s = \"a\rb\"", 1, 7, "carriage return without newline in string");
	BAD("s = \"a\" \"b\"", 1, 9, "expected end of line after value, found '\"'");
}

TEST(toml_literal_strings)
{
	SAME("s = 'C:\\Users\\nodejs'", "{s=\"C:\\x5CUsers\\x5Cnodejs\"}");
	SAME("s = '<\\i\\c*\\s*>'", "{s=\"<\\x5Ci\\x5Cc*\\x5Cs*>\"}");
	SAME("s = 'Tom \"Dubs\" Preston'", "{s=\"Tom \\x22Dubs\\x22 Preston\"}");
	SAME("s = ''", "{s=\"\"}");
	SAME("s = 'a\tb'", "{s=\"a\\x09b\"}");
	BAD("s = 'abc", 1, 9, "unterminated string (missing closing ')");
	BAD("s = 'a\nb'", 1, 7, "newline before closing '");
	BADN("s = 'a\x1f'", 1, 7, "control character U+001F");
	BAD("s = 'it's'", 1, 9, "expected end of line after value, found 's'");
}

TEST(toml_multiline_strings)
{
	SAME("s = \"\"\"\nRoses\nViolets\"\"\"", "{s=\"Roses\\x0AViolets\"}");
	SAME("s = \"\"\"\r\nRoses\r\nViolets\"\"\"", "{s=\"Roses\\x0AViolets\"}");  /* CRLF -> LF */
	SAME("s = \"\"\"Roses\"\"\"", "{s=\"Roses\"}");
	SAME("s = \"\"\"\n\nx\"\"\"", "{s=\"\\x0Ax\"}");  /* only the first newline is trimmed */
	SAME("s = \"\"\"\"\"\"", "{s=\"\"}");
	/* line-ending backslash trims whitespace and newlines */
	SAME("s = \"\"\"\nThe quick \\\n\n\n  brown \\\n  fox\"\"\"", "{s=\"The quick brown fox\"}");
	SAME("s = \"\"\"\\\n  \tx\\   \t\n\r\n y\"\"\"", "{s=\"xy\"}");
	SAME("s = \"\"\"a\\\r\n\"\"\"", "{s=\"a\"}");
	SAME("s = \"\"\"\\\n\"\"\"", "{s=\"\"}");
	/* one or two quotes, also right before the closing delimiter */
	SAME("s = \"\"\"a \"q\" b \"\"c\"\"\"\"", "{s=\"a \\x22q\\x22 b \\x22\\x22c\\x22\"}");
	SAME("s = \"\"\"\"\"\"\"\"", "{s=\"\\x22\\x22\"}");
	SAME("s = \"\"\"\"x\"\"\"\"\"", "{s=\"\\x22x\\x22\\x22\"}");
	SAME("s = \"\"\"a\\\"\"\"b\"\"\"", "{s=\"a\\x22\\x22\\x22b\"}");
	SAME("s = \"\"\"\\u00e9\\t\"\"\"", "{s=\"é\\x09\"}");
	BAD("s = \"\"\"a\"\"\"\"\"\"", 1, 14, "expected end of line after value, found '\"'");
	BAD("s = \"\"\"abc\"\"\" x", 1, 15, "expected end of line");
	BAD("s = \"\"\"\nabc\n\n", 1, 5, "unterminated multi-line string (missing closing \"\"\")");
	BAD("s = \"\"\"\nabc\"\"", 1, 5, "unterminated multi-line string");
	BAD("s = \"\"\"\n  foo \\ x\"\"\"", 2, 7, "invalid escape in string: '\\' followed by ' '");
	BAD("s = \"\"\"\nab\\e\"\"\"", 2, 3, "invalid escape '\\e'");
	BADN("s = \"\"\"\nab\x00\"\"\"", 2, 3, "control character U+0000 in string");
	BADN("s = \"\"\"\nab\rc\"\"\"", 2, 3, "carriage return without newline in string");
	BADN("s = \"\"\"\nab\x7f\"\"\"", 2, 3, "control character U+007F");
}

TEST(toml_multiline_literal_strings)
{
	SAME("s = '''\nI [dw]on't need \\d{2} apples'''", "{s=\"I [dw]on't need \\x5Cd{2} apples\"}");
	SAME("s = '''\r\nline1\r\nline2\n'''", "{s=\"line1\\x0Aline2\\x0A\"}");
	SAME("s = '''''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''''",
	     "{s=\"''Here are fifteen quotation marks: \\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22\\x22''\"}");
	SAME("s = ''''That,' she said, 'is still pointless.''''", "{s=\"'That,' she said, 'is still pointless.'\"}");
	SAME("s = '''a\\b'''", "{s=\"a\\x5Cb\"}");
	SAME("s = '''\t'''", "{s=\"\\x09\"}");
	BAD("s = '''a''''''", 1, 14, "expected end of line after value, found '''");
	BAD("s = '''\nabc", 1, 5, "unterminated multi-line string (missing closing ''')");
	BADN("s = '''\n\x01'''", 2, 1, "control character U+0001");
	BADN("s = '''\r'''", 1, 8, "carriage return without newline");
}

/* ---- numbers -------------------------------------------------------------------- */

TEST(toml_integers)
{
	SAME("a = 99\nb = +99\nc = 0\nd = -17\ne = +0\nf = -0", "{a=99,b=99,c=0,d=-17,e=0,f=0}");
	SAME("a = 1_000\nb = 5_349_221\nc = 53_49_221\nd = 1_2_3_4_5", "{a=1000,b=5349221,c=5349221,d=12345}");
	SAME("a = 0xDEADBEEF\nb = 0xdeadbeef\nc = 0xdead_beef\nd = 0x0\ne = 0x00ff", "{a=3735928559,b=3735928559,c=3735928559,d=0,e=255}");
	SAME("a = 0o01234567\nb = 0o755\nc = 0b11010110\nd = 0b0_1", "{a=342391,b=493,c=214,d=1}");
	SAME("a = 9223372036854775807\nb = -9223372036854775808", "{a=9223372036854775807,b=-9223372036854775808}");
	SAME("a = 0x7FFFFFFFFFFFFFFF\nb = 0o777777777777777777777\nc = 0b111111111111111111111111111111111111111111111111111111111111111",
	     "{a=9223372036854775807,b=9223372036854775807,c=9223372036854775807}");
	BAD("a = 9223372036854775808", 1, 5, "integer out of range");
	BAD("a = -9223372036854775809", 1, 5, "integer out of range");
	BAD("a = 99999999999999999999999", 1, 5, "integer out of range");
	BAD("a = 0x8000000000000000", 1, 5, "integer out of range");
	BAD("a = 0xFFFFFFFFFFFFFFFFFF", 1, 5, "integer out of range");
	BAD("a = 01", 1, 5, "leading zeros are not allowed");
	BAD("a = 00", 1, 5, "leading zeros");
	BAD("a = -01", 1, 6, "leading zeros");
	BAD("a = 0_1", 1, 5, "leading zeros");
	BAD("a = 1__2", 1, 6, "'_' in number must be between two digits");
	BAD("a = 1_", 1, 6, "'_' in number must be between two digits");
	BAD("a = _1", 1, 5, "invalid value '_1'");
	BAD("a = +_1", 1, 6, "expected a digit after '+', found '_'");
	BAD("a = +", 1, 6, "expected a digit after '+', found end of file");
	BAD("a = ++1", 1, 6, "expected a digit after '+'");
	BAD("a = -0x1", 1, 5, "a sign is not allowed on a hexadecimal integer");
	BAD("a = +0o1", 1, 5, "a sign is not allowed on an octal integer");
	BAD("a = -0b1", 1, 5, "a sign is not allowed on a binary integer");
	BAD("a = 0X1", 1, 6, "invalid character 'X' in integer");
	BAD("a = 0x", 1, 7, "expected a digit in hexadecimal integer, found end of file");
	BAD("a = 0x_1", 1, 7, "expected a digit in hexadecimal integer, found '_'");
	BAD("a = 0x1_", 1, 8, "'_' in hexadecimal integer must be between two digits");
	BAD("a = 0xG", 1, 7, "expected a digit in hexadecimal integer, found 'G'");
	BAD("a = 0x1G", 1, 8, "invalid character 'G' in hexadecimal integer");
	BAD("a = 0o8", 1, 7, "expected a digit in octal integer");
	BAD("a = 0o18", 1, 8, "invalid character '8' in octal integer");
	BAD("a = 0b102", 1, 9, "invalid character '2' in binary integer");
	BAD("a = 0b", 1, 7, "expected a digit in binary integer");
	BAD("a = 12a", 1, 7, "invalid character 'a' in integer");
	BAD("a = 1:2", 1, 6, "invalid character ':' in integer");
	BAD("a = 1-2", 1, 6, "invalid character '-' in integer");
	BAD("a = 1 2", 1, 7, "expected end of line after value, found '2'");
	toml_value *root = OK("a = -9223372036854775808\nb = 9223372036854775807");
	CHECK(toml_get(root, "a")->u.i == INT64_MIN);
	CHECK(toml_get(root, "b")->u.i == INT64_MAX);
}

TEST(toml_floats)
{
	toml_value *root = OK("a = +1.0\nb = 3.1415\nc = -0.01\nd = 5e+22\ne = 1e06\nf = -2E-2\ng = 6.626e-34\n"
	                      "h = 224_617.445_991_228\ni = 0.0\nj = -0.0\nk = +0.0\nl = 0e0\nm = 1e1_0\n"
	                      "n = 1.7976931348623157e308\no = 4.9e-324\np = 1e-400\nq = 0.1");
	if (!root)
		return;
	CHECK(toml_get(root, "a")->u.f == 1.0);
	CHECK(toml_get(root, "b")->u.f == 3.1415);
	CHECK(toml_get(root, "c")->u.f == -0.01);
	CHECK(toml_get(root, "d")->u.f == 5e22);
	CHECK(toml_get(root, "e")->u.f == 1e6);
	CHECK(toml_get(root, "f")->u.f == -2e-2);
	CHECK(toml_get(root, "g")->u.f == 6.626e-34);
	CHECK(toml_get(root, "h")->u.f == 224617.445991228);
	CHECK(toml_get(root, "i")->u.f == 0.0 && !signbit(toml_get(root, "i")->u.f));
	CHECK(toml_get(root, "j")->u.f == 0.0 && signbit(toml_get(root, "j")->u.f));
	CHECK(toml_get(root, "k")->u.f == 0.0 && !signbit(toml_get(root, "k")->u.f));
	CHECK(toml_get(root, "l")->u.f == 0.0);
	CHECK(toml_get(root, "m")->u.f == 1e10);
	CHECK(toml_get(root, "n")->u.f == 1.7976931348623157e308);
	CHECK(toml_get(root, "o")->u.f == 4.9e-324);
	CHECK(toml_get(root, "p")->u.f == 0.0);  /* underflow to zero is accepted */
	CHECK(toml_get(root, "q")->u.f == 0.1);
	for (size_t i = 0; i < root->u.tab.n; i++)
		CHECK(root->u.tab.items[i].val->type == TOML_FLOAT);

	root = OK("a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan");
	if (!root)
		return;
	CHECK(isinf(toml_get(root, "a")->u.f) && toml_get(root, "a")->u.f > 0);
	CHECK(isinf(toml_get(root, "b")->u.f) && toml_get(root, "b")->u.f > 0);
	CHECK(isinf(toml_get(root, "c")->u.f) && toml_get(root, "c")->u.f < 0);
	CHECK(isnan(toml_get(root, "d")->u.f) && !signbit(toml_get(root, "d")->u.f));
	CHECK(isnan(toml_get(root, "e")->u.f));
	CHECK(isnan(toml_get(root, "f")->u.f) && signbit(toml_get(root, "f")->u.f));
	SAME("a = [inf,-inf,]", "{a=[f:inf,f:-inf]}");

	BAD("a = 1e400", 1, 5, "float out of range");
	BAD("a = -1e400", 1, 5, "float out of range");
	BAD("a = .7", 1, 5, "invalid value '.7'");
	BAD("a = 7.", 1, 7, "expected a digit in fractional part, found end of file");
	BAD("a = 3.e+20", 1, 7, "expected a digit in fractional part, found 'e'");
	BAD("a = 1._5", 1, 7, "expected a digit in fractional part, found '_'");
	BAD("a = 1_.5", 1, 6, "'_' in number must be between two digits");
	BAD("a = 1.5_", 1, 8, "'_' in fractional part must be between two digits");
	BAD("a = 1e", 1, 7, "expected a digit in exponent, found end of file");
	BAD("a = 1e_5", 1, 7, "expected a digit in exponent, found '_'");
	BAD("a = 1e5_", 1, 8, "'_' in exponent must be between two digits");
	BAD("a = 1e+", 1, 8, "expected a digit in exponent");
	BAD("a = 1e5.0", 1, 8, "invalid character '.' in float");
	BAD("a = 1.2.3", 1, 8, "invalid character '.' in float");
	BAD("a = 1ee5", 1, 7, "expected a digit in exponent, found 'e'");
	BAD("a = 01.5", 1, 5, "leading zeros");
	BAD("a = -01.5", 1, 6, "leading zeros");
	BAD("a = 00.0", 1, 5, "leading zeros");
	BAD("a = infinity", 1, 5, "invalid value 'infinity'");
	BAD("a = Inf", 1, 5, "invalid value 'Inf'");
	BAD("a = NaN", 1, 5, "invalid value 'NaN'");
	BAD("a = in", 1, 5, "invalid value 'in'");
	BAD("a = -na", 1, 5, "invalid value '-na'");
	BAD("a = nan_", 1, 5, "invalid value 'nan_'");
	BAD("a = inf.0", 1, 5, "invalid value 'inf.0'");
	BAD("a = 1.5f", 1, 8, "invalid character 'f' in float");
}

TEST(toml_booleans)
{
	SAME("t = true\nf = false", "{t=true,f=false}");
	SAME("a = [true,false]", "{a=[true,false]}");
	SAME("a = {t=true}", "{a={t=true}}");
	BAD("a = True", 1, 5, "invalid value 'True'");
	BAD("a = truex", 1, 5, "invalid value 'truex'");
	BAD("a = fals", 1, 5, "invalid value 'fals'");
	BAD("a = t", 1, 5, "invalid value 't'");
	BAD("a = true-", 1, 5, "invalid value 'true-'");
	BAD("a = hello world", 1, 5, "invalid value 'hello'");
}

/* ---- dates and times ------------------------------------------------------------- */

TEST(toml_datetimes)
{
	SAME("a = 1979-05-27T07:32:00Z", "{a=1979-05-27T07:32:00Z}");
	SAME("a = 1979-05-27T00:32:00-07:00", "{a=1979-05-27T00:32:00-420}");
	SAME("a = 1979-05-27T00:32:00.999999+07:30", "{a=1979-05-27T00:32:00.999999000/6+450}");
	SAME("a = 1979-05-27 07:32:00z", "{a=1979-05-27T07:32:00Z}");
	SAME("a = 1979-05-27t07:32:00+00:00", "{a=1979-05-27T07:32:00+0}");
	SAME("a = 1979-05-27T07:32:00", "{a=1979-05-27T07:32:00}");
	SAME("a = 1979-05-27T00:32:00.999999", "{a=1979-05-27T00:32:00.999999000/6}");
	SAME("a = 1979-05-27", "{a=1979-05-27}");
	SAME("a = 1979-05-27 # date then comment", "{a=1979-05-27}");
	SAME("a = [1979-05-27 , 1979-05-28]", "{a=[1979-05-27,1979-05-28]}");
	SAME("a = 07:32:00", "{a=07:32:00}");
	SAME("a = 00:32:00.5", "{a=00:32:00.500000000/1}");
	SAME("a = 00:00:00.1234567891234", "{a=00:00:00.123456789/13}");  /* truncated, not rounded */
	SAME("a = 00:00:00.9999999999", "{a=00:00:00.999999999/10}");
	SAME("a = 23:59:60", "{a=23:59:60}");  /* leap second */
	SAME("a = 2000-02-29\nb = 2024-02-29\nc = 2023-02-28\nd = 1999-12-31\ne = 0000-01-01\nf = 9999-12-31",
	     "{a=2000-02-29,b=2024-02-29,c=2023-02-28,d=1999-12-31,e=0000-01-01,f=9999-12-31}");
	SAME("a = 2021-04-30\nb = 2021-01-31\nc = 2021-03-31\nd = 2021-05-31\ne = 2021-06-30\nf = 2021-07-31\n"
	     "g = 2021-08-31\nh = 2021-09-30\ni = 2021-10-31\nj = 2021-11-30\nk = 2021-12-31",
	     "{a=2021-04-30,b=2021-01-31,c=2021-03-31,d=2021-05-31,e=2021-06-30,f=2021-07-31,g=2021-08-31,"
	     "h=2021-09-30,i=2021-10-31,j=2021-11-30,k=2021-12-31}");
	toml_value *root = OK("a = 1979-05-27T07:32:00.5-00:30\nb = 1979-05-27T07:32:00\nc = 1979-05-27\nd = 07:32:00");
	if (root) {
		const toml_value *a = toml_get(root, "a");
		CHECK_EQ_INT(a->type, TOML_DATETIME);
		CHECK_EQ_INT(a->u.dt.year, 1979);
		CHECK_EQ_INT(a->u.dt.month, 5);
		CHECK_EQ_INT(a->u.dt.day, 27);
		CHECK_EQ_INT(a->u.dt.hour, 7);
		CHECK_EQ_INT(a->u.dt.minute, 32);
		CHECK_EQ_INT(a->u.dt.second, 0);
		CHECK_EQ_INT(a->u.dt.nanos, 500000000);
		CHECK_EQ_INT(a->u.dt.frac_digits, 1);
		CHECK_EQ_INT(a->u.dt.offset_minutes, -30);
		CHECK(!a->u.dt.offset_z);
		CHECK_EQ_INT(toml_get(root, "b")->type, TOML_DATETIME_LOCAL);
		CHECK_EQ_INT(toml_get(root, "c")->type, TOML_DATE_LOCAL);
		CHECK_EQ_INT(toml_get(root, "d")->type, TOML_TIME_LOCAL);
	}
	BAD("a = 1900-02-29", 1, 13, "invalid date: day 29 out of range for 1900-02");
	BAD("a = 2023-02-29", 1, 13, "day 29 out of range");
	BAD("a = 2021-04-31", 1, 13, "day 31 out of range for 2021-04");
	BAD("a = 2021-01-32", 1, 13, "day 32 out of range");
	BAD("a = 2021-01-00", 1, 13, "day 00 out of range");
	BAD("a = 2021-13-01", 1, 10, "invalid date: month 13 out of range");
	BAD("a = 2021-00-01", 1, 10, "month 00 out of range");
	BAD("a = 1979-5-27", 1, 5, "invalid date: expected YYYY-MM-DD");
	BAD("a = 1979-05-7", 1, 5, "expected YYYY-MM-DD");
	BAD("a = 1979-05-277", 1, 5, "expected YYYY-MM-DD");
	BAD("a = 1979/05/27", 1, 9, "expected end of line after value, found '/'");
	BAD("a = 1979-05-27T", 1, 16, "invalid date-time: expected a time after 'T', found end of file");
	BAD("a = 1979-05-27T7:32:00", 1, 16, "expected a time after 'T'");
	BAD("a = 1979-05-27 07:32", 1, 16, "invalid time: expected HH:MM:SS");
	BAD("a = 1979-05-27T07:32Z", 1, 16, "invalid time: expected HH:MM:SS");  /* seconds optional only in 1.1 */
	BAD("a = 07:32", 1, 5, "invalid time: expected HH:MM:SS");
	BAD("a = 7:32:00", 1, 6, "invalid character ':' in integer");
	BAD("a = 24:00:00", 1, 5, "invalid time: hour 24 out of range");
	BAD("a = 23:60:00", 1, 8, "invalid time: minute 60 out of range");
	BAD("a = 23:59:61", 1, 11, "invalid time: second 61 out of range");
	BAD("a = 1979-05-27T07:32:00.", 1, 25, "invalid time: expected digits after '.'");
	BAD("a = 07:32:00.Z", 1, 14, "expected digits after '.'");
	BAD("a = 1979-05-27T07:32:00+7:00", 1, 24, "invalid date-time: expected a UTC offset (+HH:MM)");
	BAD("a = 1979-05-27T07:32:00+07", 1, 24, "expected a UTC offset");
	BAD("a = 1979-05-27T07:32:00+0700", 1, 24, "expected a UTC offset");
	BAD("a = 1979-05-27T07:32:00+24:00", 1, 25, "offset hour 24 out of range");
	BAD("a = 1979-05-27T07:32:00+23:60", 1, 28, "offset minute 60 out of range");
	BAD("a = 1979-05-27T07:32:00Zx", 1, 25, "invalid character 'x' in date-time");
	BAD("a = 1979-05-27T07:32:00ZZ", 1, 25, "invalid character 'Z' in date-time");
	BAD("a = 1979-05-27x", 1, 15, "invalid character 'x' in date");
	BAD("a = 07:32:00Z", 1, 13, "invalid character 'Z' in time");
	BAD("a = 07:32:00+01:00", 1, 13, "invalid character '+' in time");
	BAD("a = 1979-05-27 07:32:00 Z", 1, 25, "expected end of line after value, found 'Z'");
	BAD("a = +1979-05-27", 1, 10, "invalid character '-' in integer");
}

/* ---- comments, newlines, encoding ---------------------------------------------- */

TEST(toml_comments_and_newlines)
{
	SAME("# c\na = 1 # c\n# c\nb = [ # c\n 1 # c\n , # c\n] # c", "{a=1,b=[1]}");
	SAME("a = 1 #\tü ✓ \"'[]{}# all fine", "{a=1}");
	SAME("a = 1\r\nb = 2\r\n", "{a=1,b=2}");
	SAME("a = 1 # comment\r\nb = 2", "{a=1,b=2}");
	SAME("[t]\r\nx = 1\r\n", "{t={x=1}}");
	SAME("a = 1\n\n\n\n", "{a=1}");
	SAME("  a = 1\n\t\tb = 2", "{a=1,b=2}");
	BADN("a = 1 # \x01", 1, 9, "control character U+0001 not allowed in comment");
	BADN("a = 1 # \x7f", 1, 9, "control character U+007F not allowed in comment");
	BADN("# \x00\n", 1, 3, "control character U+0000 not allowed in comment");
	BADN("# a\rb\n", 1, 4, "carriage return without newline in comment");
	BADN("a = 1\rb = 2", 1, 6, "expected end of line after value, found carriage return without newline");
	BADN("\ra = 1", 1, 1, "expected a key, found carriage return without newline");
	BADN("a = 1\x0c", 1, 6, "found control character U+000C");
	BADN("a = \x0b" "1", 1, 5, "expected a value, found control character U+000B");
	BADN("a = 1\n\x00", 2, 1, "expected a key, found control character U+0000");
}

TEST(toml_utf8_validation)
{
	SAME("a = \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"", "{a=\"é€😀\xF4\x8F\xBF\xBF\"}");
	SAME("\"\xEF\xBB\xBF\" = 1", "{\"\xEF\xBB\xBF\"=1}");  /* U+FEFF inside a string is just a character */
	BADNRC("a = \"\xC3\"", ERR_UTF8, 1, 6, "invalid UTF-8 byte 0xC3");  /* truncated */
	BADNRC("a = \"\xC0\xAF\"", ERR_UTF8, 1, 6, "0xC0");                  /* overlong */
	BADNRC("a = \"\xE0\x80\xAF\"", ERR_UTF8, 1, 6, "0xE0");              /* overlong */
	BADNRC("a = \"\xF0\x80\x80\xAF\"", ERR_UTF8, 1, 6, "0xF0");          /* overlong */
	BADNRC("a = \"\xED\xA0\x80\"", ERR_UTF8, 1, 6, "0xED");              /* surrogate */
	BADNRC("a = \"\xF4\x90\x80\x80\"", ERR_UTF8, 1, 6, "0xF4");          /* > U+10FFFF */
	BADNRC("a = \"\xF5\x80\x80\x80\"", ERR_UTF8, 1, 6, "0xF5");
	BADNRC("a = \"\x80\"", ERR_UTF8, 1, 6, "0x80");                      /* lone continuation */
	BADNRC("a = \"\xFF\"", ERR_UTF8, 1, 6, "0xFF");
	BADNRC("a = 1\n# \xE2\x82\n", ERR_UTF8, 2, 3, "0xE2");
	BADNRC("\xEF\xBB\xBF" "a = 1\n\xFE", ERR_UTF8, 2, 1, "0xFE");
	BADNRC("\xEF\xBB\xBF" "\xFE", ERR_UTF8, 1, 1, "0xFE");          /* columns start after the BOM */
	BADNRC("\xFE\xFF\x00" "a", ERR_UTF8, 1, 1, "0xFE");              /* UTF-16 */
	BADN("a = 1\n\xEF\xBB\xBF", 2, 1, "expected a key, found '\xEF\xBB\xBF'");
}

/* ---- structure, positions, flags, lookups ------------------------------------------- */

TEST(toml_positions)
{
	toml_value *root = OK("# head\nname = \"x\"\n[srv]\n  port = 80\n  a.b = [1, {c = 2}]\n[[m]]\n[[m]]\nk = 1979-05-27");
	if (!root)
		return;
	const toml_kv *kv = toml_get_kv(root, "name");
	CHECK(kv && kv->key_pos.line == 2 && kv->key_pos.col == 1);
	CHECK(kv && kv->val->pos.line == 2 && kv->val->pos.col == 8);
	CHECK(root->pos.line == 1 && root->pos.col == 1);
	const toml_value *srv = toml_get(root, "srv");
	CHECK(srv && srv->pos.line == 3 && srv->pos.col == 1);
	kv = toml_get_kv(srv, "port");
	CHECK(kv && kv->key_pos.line == 4 && kv->key_pos.col == 3 && kv->val->pos.col == 10);
	kv = toml_get_kv(srv, "a");
	CHECK(kv && kv->key_pos.line == 5 && kv->key_pos.col == 3);
	CHECK(kv && kv->val->pos.line == 5 && kv->val->pos.col == 3);  /* implicit: first mention */
	kv = toml_get_kv(kv ? kv->val : NULL, "b");
	CHECK(kv && kv->key_pos.col == 5 && kv->val->pos.col == 9);
	const toml_value *arr = kv ? kv->val : NULL;
	CHECK(arr && arr->u.arr.n == 2 && arr->u.arr.items[1]->pos.col == 13);
	const toml_value *c = toml_get(arr ? arr->u.arr.items[1] : NULL, "c");
	CHECK(c && c->pos.line == 5 && c->pos.col == 18);
	const toml_value *m = toml_get(root, "m");
	CHECK(m && m->type == TOML_ARRAY && m->u.arr.n == 2);
	CHECK(m && m->pos.line == 6 && m->u.arr.items[0]->pos.line == 6 && m->u.arr.items[1]->pos.line == 7);
	const toml_value *k = toml_get(m ? m->u.arr.items[1] : NULL, "k");
	CHECK(k && k->pos.line == 8 && k->pos.col == 5);
	/* CRLF and multi-line strings keep lines counted */
	root = OK("a = \"\"\"\r\n1\r\n2\"\"\"\r\nb = '''\n\n'''\nc = \"\"\"x\\\n\n  \"\"\"\nd = 1");
	CHECK(root && toml_get_kv(root, "b")->key_pos.line == 4);
	CHECK(root && toml_get_kv(root, "c")->key_pos.line == 7);
	CHECK(root && toml_get_kv(root, "d")->key_pos.line == 10);
	BAD("a = \"\"\"\r\n1\r\n2\"\"\"\r\nb = '''\n\n'''\nc = \"\"\"x\\\n\n  \"\"\"\nd = 1\nd = 2", 11, 1, "duplicate key 'd' (first defined at 10:1)");
	/* tabs count as one column; columns are bytes */
	BAD("\ta = 1\n\ta = 2", 2, 2, "duplicate key 'a'");
	BAD("\"é\" = 1\n\"é\" = 2", 2, 1, "duplicate key '\"é\"'");
	BAD("s = \"é\\q\"", 1, 8, "invalid escape '\\q'");
}

TEST(toml_flags)
{
	toml_value *root = OK("a.b = 1\nc = {d = 1}\ne = [1]\n[f.g]\n[[h]]\n[i.j.k]\n[i]");
	if (!root)
		return;
	CHECK(toml_get(root, "a")->flags == TOML_F_DOTTED);
	CHECK(toml_get(root, "c")->flags == TOML_F_INLINE);
	CHECK(toml_get(root, "e")->flags == TOML_F_INLINE);
	CHECK(toml_get(root, "f")->flags == TOML_F_IMPLICIT);
	CHECK(toml_get(toml_get(root, "f"), "g")->flags == TOML_F_EXPLICIT);
	CHECK(toml_get(root, "h")->flags == TOML_F_AOT);
	CHECK(toml_get(root, "h")->u.arr.items[0]->flags == TOML_F_EXPLICIT);
	CHECK(toml_get(root, "i")->flags == TOML_F_EXPLICIT);
	CHECK(toml_get(toml_get(root, "i"), "j")->flags == TOML_F_IMPLICIT);
	CHECK(toml_get(root, "i")->pos.line == 7);  /* defined later: pos moves to the header */
}

TEST(toml_lookups)
{
	toml_value *root = OK("a = 1\n\"b c\" = 2\n\"\" = 3\n\"n\\u0000ul\" = 4");
	if (!root)
		return;
	CHECK(toml_get(root, "a") && toml_get(root, "a")->u.i == 1);
	CHECK(toml_get(root, "b c") && toml_get(root, "b c")->u.i == 2);
	CHECK(toml_get(root, "") && toml_get(root, "")->u.i == 3);
	CHECK(toml_get(root, "n") == NULL);  /* a key with NUL is only reachable by iteration */
	CHECK(toml_get(root, "x") == NULL);
	CHECK(toml_get(NULL, "a") == NULL);
	CHECK(toml_get(root, NULL) == NULL);
	CHECK(toml_get(toml_get(root, "a"), "a") == NULL);  /* not a table */
	const toml_kv *kv = toml_get_kv(root, "b c");
	CHECK(kv && kv->key_len == 3 && !strcmp(kv->key, "b c"));
	CHECK(root->u.tab.items[3].key_len == 4 && !memcmp(root->u.tab.items[3].key, "n\0ul", 5));
	CHECK_EQ_STR(toml_type_name(TOML_STRING), "string");
	CHECK_EQ_STR(toml_type_name(TOML_INTEGER), "integer");
	CHECK_EQ_STR(toml_type_name(TOML_FLOAT), "float");
	CHECK_EQ_STR(toml_type_name(TOML_BOOL), "boolean");
	CHECK_EQ_STR(toml_type_name(TOML_DATETIME), "offset datetime");
	CHECK_EQ_STR(toml_type_name(TOML_DATETIME_LOCAL), "local datetime");
	CHECK_EQ_STR(toml_type_name(TOML_DATE_LOCAL), "local date");
	CHECK_EQ_STR(toml_type_name(TOML_TIME_LOCAL), "local time");
	CHECK_EQ_STR(toml_type_name(TOML_ARRAY), "array");
	CHECK_EQ_STR(toml_type_name(TOML_TABLE), "table");
	CHECK_EQ_STR(toml_type_name((toml_type)99), "unknown");
}

/* ---- limits ------------------------------------------------------------------------ */

static char *repeat(const char *pre, const char *unit, int times, const char *post, size_t *len)
{
	size_t n = strlen(pre) + strlen(unit) * (size_t)times + strlen(post);
	char *s = malloc(n + 1), *p = s;
	p += sprintf(p, "%s", pre);
	for (int i = 0; i < times; i++)
		p += sprintf(p, "%s", unit);
	sprintf(p, "%s", post);
	*len = n;
	return s;
}

TEST(toml_depth_limit)
{
	size_t n;
	char *s, *t;
	/* arrays: root=0, the value of a at depth 1; LIMIT levels fit */
	s = repeat("a = ", "[", LIMIT_TOML_DEPTH, "", &n);
	t = repeat(s, "]", LIMIT_TOML_DEPTH, "", &n);
	CHECK(ok_n(t, n, __LINE__) != NULL);
	free(s);
	free(t);
	s = repeat("a = ", "[", LIMIT_TOML_DEPTH + 1, "", &n);
	t = repeat(s, "]", LIMIT_TOML_DEPTH + 1, "", &n);
	bad_n(t, n, ERR_DEPTH, 1, 5 + LIMIT_TOML_DEPTH, "nesting too deep", __LINE__);
	free(s);
	free(t);
	/* deep nesting far beyond the limit stops early (no stack overflow) */
	s = repeat("a = ", "[", 100000, "", &n);
	bad_n(s, n, ERR_DEPTH, 1, 5 + LIMIT_TOML_DEPTH, "nesting too deep", __LINE__);
	free(s);
	s = repeat("a = ", "{b=", 100000, "", &n);
	bad_n(s, n, ERR_DEPTH, 1, 5 + 3 * LIMIT_TOML_DEPTH, "nesting too deep", __LINE__);
	free(s);
	/* dotted keys and headers count too */
	s = repeat("k", ".k", LIMIT_TOML_DEPTH - 1, " = 1", &n);
	CHECK(ok_n(s, n, __LINE__) != NULL);
	free(s);
	s = repeat("k", ".k", LIMIT_TOML_DEPTH, " = 1", &n);
	bad_n(s, n, ERR_DEPTH, 1, 1 + 2 * LIMIT_TOML_DEPTH, "too deep", __LINE__);
	free(s);
	s = repeat("[k", ".k", LIMIT_TOML_DEPTH - 1, "]\nx = 1", &n);
	CHECK(ok_n(s, n, __LINE__) != NULL);
	free(s);
	s = repeat("[k", ".k", LIMIT_TOML_DEPTH - 1, "]\nx.y = 1", &n);
	bad_n(s, n, ERR_DEPTH, 2, 1, "too deep", __LINE__);
	free(s);
	s = repeat("[k", ".k", LIMIT_TOML_DEPTH - 1, "]\nx = []", &n);
	bad_n(s, n, ERR_DEPTH, 2, 5, "too deep", __LINE__);
	free(s);
	/* an array of tables takes two levels: [[k]] [[k.k]] [[k.k.k]] ... */
	for (int extra = 0; extra < 2; extra++) {
		int lines = LIMIT_TOML_DEPTH / 2 + extra;
		char *doc = malloc((size_t)lines * (size_t)lines * 2 + (size_t)lines * 8), *p = doc;
		for (int i = 1; i <= lines; i++) {
			p += sprintf(p, "[[k");
			for (int j = 1; j < i; j++)
				p += sprintf(p, ".k");
			p += sprintf(p, "]]\n");
		}
		if (!extra)
			CHECK(ok_n(doc, (size_t)(p - doc), __LINE__) != NULL);
		else
			bad_n(doc, (size_t)(p - doc), ERR_DEPTH, (unsigned)lines, 3 + 2 * (unsigned)(lines - 1), "too deep", __LINE__);
		free(doc);
	}
}

TEST(toml_arena_cap)
{
	arena small;
	arena_init(&small, 1024, 2048);
	toml_value *root = NULL;
	toml_error err;
	size_t n;
	char *s = repeat("a = [", "1,", 2000, "]", &n);
	int rc = toml_parse(&small, s, n, &root, &err);
	CHECK_EQ_INT(rc, ERR_NOMEM);
	CHECK(root == NULL);
	CHECK(strstr(err.msg, "out of memory") != NULL);
	arena_free(&small);
	/* the same document parses with room */
	arena_init(&small, 0, 0);
	CHECK_EQ_INT(toml_parse(&small, s, n, &root, &err), 0);
	CHECK(root && toml_get(root, "a")->u.arr.n == 2000);
	arena_free(&small);
	free(s);
}

/* ---- robustness: every prefix and some mutations --------------------------------------- */

static const char *const VALID_DOCS[] = {
	"# liter-llm config\n"
	"[server]\nhost = \"0.0.0.0\"\nport = 4000\nrequest_timeout_secs = 600\ncors_origins = [\"*\"]\n\n"
	"[general]\nmaster_key = \"${LITER_LLM_MASTER_KEY}\"\nmax_retries = 3\nenable_cost_tracking = false\n\n"
	"[[models]]\nname = \"gpt-4o\"\nprovider_model = \"openai/gpt-4o\"\nfallbacks = [\"claude\", 'llama']\n\n"
	"[[models]]\nname = \"claude\"\nprovider_model = 'anthropic/claude-sonnet-4-20250514'\ntimeout_secs = 90\n"
	"[routing]\nstrategy = \"weighted\"\nweights = { gpt-4o = 0.7, claude = 3e-1 }\n",

	"title = \"TOML Example\"\n[owner]\nname = \"Tom Preston-Werner\"\ndob = 1979-05-27T07:32:00-08:00\n"
	"[database]\nenabled = true\nports = [ 8000, 8001, 8002 ]\ndata = [ [\"delta\", \"phi\"], [3.14] ]\n"
	"temp_targets = { cpu = 79.5, case = 72.0 }\n[servers]\n[servers.alpha]\nip = \"10.0.0.1\"\nrole = \"frontend\"\n"
	"[servers.beta]\nip = \"10.0.0.2\"\nrole = \"backend\"\n",

	"s1 = \"\"\"\r\nRoses are red\r\nViolets \\\r\n   are blue\"\"\"\r\ns2 = '''\nC:\\path\n'''\n"
	"u = \"\\u00e9\\U0001F600 \\\" \\\\ \\t\"\nt = 07:32:00.25\nd = 1979-05-27\ndt = 1979-05-27 07:32:00Z\n"
	"i = [0x1F, 0o17, 0b1010, -1_000, +7]\nf = [inf, -nan, 1e-3, 6.02e+23, -0.0]\n"
	"a.b.\"c d\".'e' = { x = [ { y = true } ], z.w = 1 }\n[[aot.list]]\n[aot]\nk = 1\n",
};

TEST(toml_every_prefix)
{
	int accepted = 0, rejected = 0, bad_pos = 0;
	for (size_t d = 0; d < sizeof VALID_DOCS / sizeof *VALID_DOCS; d++) {
		const char *doc = VALID_DOCS[d];
		size_t n = strlen(doc);
		CHECK(ok_n(doc, n, __LINE__) != NULL);
		for (size_t k = 0; k <= n; k++) {
			toml_value *root = NULL;
			toml_error err;
			arena_reset(&A);
			int rc = parse_n(&A, doc, k, &root, &err);
			if (rc == 0) {
				accepted++;
				CHECK(root && root->type == TOML_TABLE);
			} else {
				rejected++;
				CHECK(root == NULL);
				CHECK(rc == ERR_INVAL || rc == ERR_UTF8);
				if (err.pos.line < 1 || err.pos.col < 1 || !err.msg[0])
					bad_pos++;
			}
		}
	}
	CHECK(accepted > 10);
	CHECK(rejected > 10);
	CHECK_EQ_INT(bad_pos, 0);
}

TEST(toml_byte_mutations)
{
	/* every single-byte replacement with a few interesting bytes: no crash,
	 * and every error has a position inside the document */
	static const unsigned char subst[] = { 0, '\n', '\r', '"', '\'', '[', ']', '{', '}', '=', '.', ',', '#', '\\', 0xC3, 0xFF, ' ', '_', 'e', '0' };
	int bad = 0;
	for (size_t d = 0; d < sizeof VALID_DOCS / sizeof *VALID_DOCS; d++) {
		size_t n = strlen(VALID_DOCS[d]);
		char *doc = malloc(n);
		for (size_t k = 0; k < n; k++) {
			for (size_t j = 0; j < sizeof subst; j++) {
				memcpy(doc, VALID_DOCS[d], n);
				doc[k] = (char)subst[j];
				toml_value *root = NULL;
				toml_error err;
				arena_reset(&A);
				int rc = parse_n(&A, doc, n, &root, &err);
				if (rc && (err.pos.line < 1 || err.pos.col < 1 || !err.msg[0]))
					bad++;
				if (!rc && !root)
					bad++;
			}
		}
		free(doc);
	}
	CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	arena_init(&A, 0, 0);
	RUN(toml_empty_documents);
	RUN(toml_bad_arguments);
	RUN(toml_keys);
	RUN(toml_duplicate_keys);
	RUN(toml_key_order_preserved);
	RUN(toml_tables);
	RUN(toml_arrays_of_tables);
	RUN(toml_inline_tables);
	RUN(toml_inline_multiline_array_is_valid);
	RUN(toml_arrays);
	RUN(toml_basic_strings);
	RUN(toml_literal_strings);
	RUN(toml_multiline_strings);
	RUN(toml_multiline_literal_strings);
	RUN(toml_integers);
	RUN(toml_floats);
	RUN(toml_booleans);
	RUN(toml_datetimes);
	RUN(toml_comments_and_newlines);
	RUN(toml_utf8_validation);
	RUN(toml_positions);
	RUN(toml_flags);
	RUN(toml_lookups);
	RUN(toml_depth_limit);
	RUN(toml_arena_cap);
	RUN(toml_every_prefix);
	RUN(toml_byte_mutations);
	arena_free(&A);
	return t_done();
}
