/* test_json.c — the JSON reader and writer: grammar (valid/invalid tables),
 * every prefix, limits and error codes, lookups, unescaping, exact numbers,
 * writer state machine, escaping, pretty print, round trips, shortest doubles. */
#include "t.h"
#include "json/json.h"
#include "json/json_write.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "../json_emit.h"
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t dbits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static double bitsd(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* Parse s[0..n) from an exact-size heap copy (so ASan sees any over-read). */
static int parse_n(const char *s, size_t n, json_err *e)
{
	char *copy = malloc(n ? n : 1);
	memcpy(copy, s, n);
	arena a = { 0 };
	json_doc d;
	int rc = json_parse_arena(&d, &a, copy, n, NULL, e);
	arena_free(&a);
	free(copy);
	return rc;
}
static int parse_s(const char *s, json_err *e) { return parse_n(s, strlen(s), e); }

/* parse -> emit (compact) -> parse -> emit must give the same text twice */
static int roundtrip(const char *s, size_t n, buf *out1)
{
	arena a = { 0 };
	json_doc d, d2;
	buf b2 = { 0 };
	json_writer w = { .out = out1 }, w2 = { .out = &b2 };
	int rc = json_parse_arena(&d, &a, s, n, NULL, NULL);
	if (rc < 0)
		goto done;
	if ((rc = json_emit(&d, 0, &w, &a, false)) || (rc = json_write_finish(&w)))
		goto done;
	if ((rc = json_parse_arena(&d2, &a, out1->data, out1->len, NULL, NULL)) < 0)
		goto done;
	if ((rc = json_emit(&d2, 0, &w2, &a, false)) || (rc = json_write_finish(&w2)))
		goto done;
	rc = (b2.len == out1->len && !memcmp(b2.data, out1->data, b2.len)) ? 0 : ERR_STATE;
done:
	buf_free(&b2);
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static const char *const valid_docs[] = {
	"0", "-0", "1", "-1", "123", "1.5", "-1.5e10", "1E+2", "1e-2", "0.0", "0e0",
	"-0.0e-0", "12345678901234567890123", "true", "false", "null", "\"\"", "\"a\"",
	"  \t\r\n 1 \n", "[]", "{}", "[ ]", "{ }", "[1]", "[1,2,3]", "[[[]]]",
	"{\"a\":1}", "{\"a\":{\"b\":[1,{\"c\":null}]}}", " [ 1 , \"x\" , true , false , null ] ",
	"{\"\":\"\"}", "{\"a\":1,\"a\":2}", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0041\\u00e9\\u20AC\"",
	"\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\"\x7f\"",
	"\"\xf4\x8f\xbf\xbf\"", "\"\xef\xbb\xbf\"", "[{\"x\":[]},{},[[{}]]]", "{\"a\":[],\"b\":{}}",
	"[1e999]", "[-1e-999]", "\"/\"",
};

struct bad { const char *s; size_t n; int code; size_t off; };
#define B(lit, code, off) { lit, sizeof(lit) - 1, code, off }
static const struct bad invalid_docs[] = {
	B("", ERR_INVAL, 0), B(" ", ERR_INVAL, 1), B("[", ERR_INVAL, 1), B("]", ERR_INVAL, 0),
	B("{", ERR_INVAL, 1), B("[1,]", ERR_INVAL, 3), B("[,1]", ERR_INVAL, 1), B("[1,,2]", ERR_INVAL, 3),
	B("{\"a\":1,}", ERR_INVAL, 7), B("{\"a\" 1}", ERR_INVAL, 5), B("{\"a\":}", ERR_INVAL, 5),
	B("{1:1}", ERR_INVAL, 1), B("{a:1}", ERR_INVAL, 1), B("[1 2]", ERR_INVAL, 3),
	B("[\"a\" \"b\"]", ERR_INVAL, 5), B("{\"a\":1 \"b\":2}", ERR_INVAL, 7), B("[1:2]", ERR_INVAL, 2),
	B("1 2", ERR_INVAL, 2), B("{}{}", ERR_INVAL, 2), B("[]]", ERR_INVAL, 2), B("[}", ERR_INVAL, 1),
	B("{]", ERR_INVAL, 1), B("[1}", ERR_INVAL, 2), B("01", ERR_INVAL, 1), B("-", ERR_INVAL, 1),
	B("-a", ERR_INVAL, 1), B("+1", ERR_INVAL, 0), B("1.", ERR_INVAL, 2), B(".1", ERR_INVAL, 0),
	B("1e", ERR_INVAL, 2), B("1e+", ERR_INVAL, 3), B("1.e1", ERR_INVAL, 2), B("0x1", ERR_INVAL, 1),
	B("1.5.", ERR_INVAL, 3), B("Infinity", ERR_INVAL, 0), B("NaN", ERR_INVAL, 0), B("-01", ERR_INVAL, 2),
	B("tru", ERR_INVAL, 3), B("truex", ERR_INVAL, 4), B("nul", ERR_INVAL, 3), B("True", ERR_INVAL, 0),
	B("[nulll]", ERR_INVAL, 5), B("\"abc", ERR_INVAL, 0), B("\"\\\"", ERR_INVAL, 0),
	B("\"\\x\"", ERR_INVAL, 1), B("\"\\u12\"", ERR_INVAL, 1), B("\"\\u12G4\"", ERR_INVAL, 1),
	B("\"\\U0041\"", ERR_INVAL, 1), B("\"a\tb\"", ERR_INVAL, 2), B("\"a\nb\"", ERR_INVAL, 2),
	B("\"a\0b\"", ERR_INVAL, 2), B("[1]\0", ERR_INVAL, 3), B("\0", ERR_INVAL, 0),
	B("\"\\ud800\"", ERR_UTF8, 1), B("\"\\udc00\"", ERR_UTF8, 1), B("\"\\ud800\\u0041\"", ERR_UTF8, 1),
	B("\"\\ud800\\ud800\"", ERR_UTF8, 1), B("\"\\ud800x\"", ERR_UTF8, 1), B("\"\\ud800\\uZZZZ\"", ERR_INVAL, 7), B("\"\\ud83d\\ud\"", ERR_INVAL, 7),
	B("\"\xff\"", ERR_UTF8, 1), B("\"\xc0\xaf\"", ERR_UTF8, 1), B("\"\xe0\x80\xaf\"", ERR_UTF8, 1),
	B("\"\xed\xa0\x80\"", ERR_UTF8, 1), B("\"\xf4\x90\x80\x80\"", ERR_UTF8, 1), B("\"\xc3\"", ERR_UTF8, 1),
	B("\"\xe2\x82\"", ERR_UTF8, 1), B("\"\x80\"", ERR_UTF8, 1), B("\xef\xbb\xbf{}", ERR_INVAL, 0),
	B("[\xc3\xa9]", ERR_INVAL, 1), B("'a'", ERR_INVAL, 0), B("[1,2", ERR_INVAL, 4), B("{\"a\":1", ERR_INVAL, 6),
	B("// c\n1", ERR_INVAL, 0), B("[1]x", ERR_INVAL, 3), B("\x0c" "1", ERR_INVAL, 0), B("1\x0b", ERR_INVAL, 1),
	B("[\"a\":1]", ERR_INVAL, 4), B("{\"a\":1:2}", ERR_INVAL, 6), B("{\"a\",\"b\"}", ERR_INVAL, 4),
};

TEST(valid_table)
{
	for (size_t k = 0; k < sizeof valid_docs / sizeof *valid_docs; k++) {
		json_err e = { 0 };
		int rc = parse_s(valid_docs[k], &e);
		if (rc <= 0)
			T_FAIL_AT("valid doc #%zu '%s' rejected: %s", k, valid_docs[k], e.msg);
		CHECK_EQ_INT(json_validate(valid_docs[k], strlen(valid_docs[k]), NULL, NULL), rc);
		CHECK(rc <= (int)((strlen(valid_docs[k]) + 1) / 2));
	}
}

TEST(invalid_table)
{
	for (size_t k = 0; k < sizeof invalid_docs / sizeof *invalid_docs; k++) {
		const struct bad *b = &invalid_docs[k];
		json_err e = { 0 };
		int rc = parse_n(b->s, b->n, &e);
		if (rc != b->code || e.offset != b->off || e.code != b->code || !e.msg[0])
			T_FAIL_AT("invalid doc #%zu '%.*s': rc %d (%s) offset %zu, expected %d at %zu",
				k, (int)b->n, b->s, rc, e.msg, e.offset, b->code, b->off);
	}
}

TEST(error_messages)
{
	json_err e;
	CHECK_EQ_INT(parse_s("[1,]", &e), ERR_INVAL);
	CHECK_EQ_STR(e.msg, "unexpected ']', expected a value at offset 3");
	CHECK_EQ_INT(parse_s("{\"a\":1 x", &e), ERR_INVAL);
	CHECK_EQ_STR(e.msg, "unexpected 'x', expected ',' or '}' at offset 7");
	CHECK_EQ_INT(parse_s("\"a\x01\"", &e), ERR_INVAL);
	CHECK_EQ_STR(e.msg, "control character 0x01 in string (must be escaped) at offset 2");
	CHECK_EQ_INT(parse_s("[1", &e), ERR_INVAL);
	CHECK_EQ_STR(e.msg, "unexpected end of input, expected ',' or ']' at offset 2");
	CHECK_EQ_INT(parse_s("\"\\ud800\"", &e), ERR_UTF8);
	CHECK_EQ_STR(e.msg, "high surrogate \\u escape not followed by a low one at offset 1");
	CHECK_EQ_INT(parse_s("1 \x80", &e), ERR_INVAL);
	CHECK_EQ_STR(e.msg, "unexpected byte 0x80, expected end of input after the value at offset 2");
}

/* Every prefix (and the whole) of a set of docs: never crashes, and whatever
 * is accepted round-trips through the writer. */
TEST(every_prefix)
{
	static const char big[] =
		"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
		"\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"h\\u00e9llo \\ud83d\\ude00 \\\"q\\\"\\n\","
		"\"tool_calls\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
		"\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,\"x\":[1.5e-3,-0,true,false]}}";
	size_t accepted = 0;
	for (size_t k = 0; k <= sizeof valid_docs / sizeof *valid_docs; k++) {
		const char *s = k < sizeof valid_docs / sizeof *valid_docs ? valid_docs[k] : big;
		size_t n = strlen(s);
		for (size_t m = 0; m <= n; m++) {
			int rc = parse_n(s, m, NULL);
			CHECK(rc > 0 || rc == ERR_INVAL || rc == ERR_UTF8);
			if (m == n)
				CHECK(rc > 0);
			if (rc > 0) {
				accepted++;
				buf o = { 0 };
				char *copy = malloc(m ? m : 1);
				memcpy(copy, s, m);
				int r2 = roundtrip(copy, m, &o);
				if (r2)
					T_FAIL_AT("prefix %zu of '%s' does not round-trip: %d", m, s, r2);
				free(copy);
				buf_free(&o);
			}
		}
	}
	CHECK(accepted > sizeof valid_docs / sizeof *valid_docs);
}

TEST(tokens_layout)
{
	const char *s = "{\"a\":[1,{\"b\":2}],\"c\":\"x\"}";
	json_tok t[16];
	json_doc d;
	int n = json_parse(&d, s, strlen(s), t, 16, NULL, NULL);
	CHECK_EQ_INT(n, 9);
	CHECK_EQ_INT(d.ntok, 9);
	CHECK_EQ_INT(json_typeof(&d, 0), JSON_OBJECT);
	CHECK_EQ_INT(json_size(&d, 0), 2);
	CHECK_EQ_INT(json_skip(&d, 0), 9);
	CHECK_EQ_INT(json_typeof(&d, 1), JSON_STRING);
	CHECK(t[1].flags & JSON_F_KEY);
	CHECK_EQ_INT(json_typeof(&d, 2), JSON_ARRAY);
	CHECK_EQ_INT(json_size(&d, 2), 2);
	CHECK_EQ_INT(json_skip(&d, 2), 7);
	CHECK_EQ_INT(json_skip(&d, 3), 4);
	CHECK(t[3].flags & JSON_F_INT);
	CHECK_EQ_INT(json_skip(&d, 4), 7);
	CHECK_EQ_INT(json_typeof(&d, 8), JSON_STRING);
	CHECK(!(t[8].flags & JSON_F_KEY));
	str r = json_raw(&d, 2);
	CHECK_EQ_MEM(r.p, r.n, "[1,{\"b\":2}]", 11);
	r = json_raw(&d, 8);
	CHECK_EQ_MEM(r.p, r.n, "\"x\"", 3);
	r = json_raw(&d, 0);
	CHECK_EQ_MEM(r.p, r.n, s, strlen(s));
	CHECK_EQ_INT(json_typeof(&d, 9), JSON_NONE);
	CHECK_EQ_INT(json_typeof(&d, -1), JSON_NONE);
	CHECK_EQ_INT(json_typeof(NULL, 0), JSON_NONE);
	CHECK_EQ_INT(json_skip(&d, 99), ERR_NOTFOUND);
	CHECK_EQ_INT(json_raw(&d, 99).n, 0);
	CHECK_EQ_STR(json_type_name(JSON_OBJECT), "object");
	CHECK_EQ_STR(json_type_name((json_type)99), "none");

	/* top-level scalars */
	n = json_parse(&d, " -12.5e3 ", 9, t, 16, NULL, NULL);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(json_typeof(&d, 0), JSON_NUMBER);
	CHECK(!(t[0].flags & JSON_F_INT));
	r = json_raw(&d, 0);
	CHECK_EQ_MEM(r.p, r.n, "-12.5e3", 7);
}

TEST(limits)
{
	json_err e;
	char deep[2 * (LIMIT_JSON_DEPTH + 1) + 1];
	for (int k = 0; k < LIMIT_JSON_DEPTH; k++) {
		deep[k] = '[';
		deep[2 * LIMIT_JSON_DEPTH - 1 - k] = ']';
	}
	CHECK_EQ_INT(parse_n(deep, 2 * LIMIT_JSON_DEPTH, &e), LIMIT_JSON_DEPTH);
	for (int k = 0; k <= LIMIT_JSON_DEPTH; k++) {
		deep[k] = '[';
		deep[2 * LIMIT_JSON_DEPTH + 1 - k] = ']';
	}
	CHECK_EQ_INT(parse_n(deep, 2 * LIMIT_JSON_DEPTH + 2, &e), ERR_DEPTH);
	CHECK_EQ_INT(e.code, ERR_DEPTH);
	CHECK_EQ_INT(e.offset, LIMIT_JSON_DEPTH);
	/* a syntax error before the depth violation is reported first */
	deep[3] = '1';
	CHECK_EQ_INT(parse_n(deep, 2 * LIMIT_JSON_DEPTH + 2, &e), ERR_INVAL);
	CHECK_EQ_INT(e.offset, 4);

	/* opts: depth */
	json_opts o = { .max_depth = 2 };
	json_doc d;
	arena a = { 0 };
	CHECK_EQ_INT(json_parse_arena(&d, &a, "[[1]]", 5, &o, &e), 3);
	CHECK_EQ_INT(json_parse_arena(&d, &a, "[[[1]]]", 7, &o, &e), ERR_DEPTH);
	CHECK_EQ_INT(e.offset, 2);
	CHECK_EQ_INT(json_parse_arena(&d, &a, "{\"a\":{\"b\":{}}}", 14, &o, &e), ERR_DEPTH);
	CHECK_EQ_INT(d.ntok, 0);
	CHECK(d.tok == NULL);

	/* deep nesting far beyond the cap is cheap and clean */
	size_t big = 1u << 20;
	char *p = malloc(big);
	memset(p, '[', big);
	CHECK_EQ_INT(json_parse_arena(&d, &a, p, big, NULL, &e), ERR_DEPTH);
	o.max_depth = 100000;   /* clamped to JSON_DEPTH_MAX */
	CHECK_EQ_INT(json_parse_arena(&d, &a, p, big, &o, &e), ERR_DEPTH);
	CHECK_EQ_INT(e.offset, JSON_DEPTH_MAX);
	free(p);

	/* token caps: the caller's array and opts.max_tokens */
	json_tok t[4];
	CHECK_EQ_INT(json_parse(&d, "[1,2,3]", 7, t, 4, NULL, &e), 4);
	CHECK_EQ_INT(json_parse(&d, "[1,2,3,4]", 9, t, 4, NULL, &e), ERR_TOOBIG);
	CHECK_EQ_INT(e.code, ERR_TOOBIG);
	CHECK_EQ_INT(e.offset, 7);
	CHECK_EQ_STR(e.msg, "more than 4 tokens at offset 7");
	CHECK_EQ_INT(json_parse(&d, "1", 1, NULL, 0, NULL, &e), ERR_TOOBIG);
	json_opts o2 = { .max_tokens = 2 };
	CHECK_EQ_INT(json_parse_arena(&d, &a, "[1]", 3, &o2, &e), 2);
	CHECK_EQ_INT(json_parse_arena(&d, &a, "{\"a\":1}", 7, &o2, &e), ERR_TOOBIG);
	CHECK_EQ_INT(json_parse(&d, "[1,2]", 5, t, 4, &o2, &e), ERR_TOOBIG);
	CHECK_EQ_INT(json_validate("[1,2]", 5, &o2, &e), ERR_TOOBIG);
	CHECK_EQ_INT(json_validate("[1,2]", 5, NULL, &e), 3);
	/* the default token cap, on a large flat array */
	size_t cnt = LIMIT_JSON_TOKENS;   /* array + cnt elements = cap + 1 tokens */
	size_t len = 2 * cnt + 1;
	p = malloc(len);
	p[0] = '[';
	for (size_t k = 0; k < cnt; k++) {
		p[1 + 2 * k] = '0';
		p[2 + 2 * k] = k + 1 < cnt ? ',' : ']';
	}
	CHECK_EQ_INT(json_parse_arena(&d, &a, p, len, NULL, &e), ERR_TOOBIG);
	CHECK_EQ_INT(e.code, ERR_TOOBIG);
	arena_reset(&a);
	p[len - 3] = ']';   /* one element fewer: exactly the cap */
	CHECK_EQ_INT(json_parse_arena(&d, &a, p, len - 2, NULL, &e), (int)LIMIT_JSON_TOKENS);
	CHECK_EQ_INT(json_size(&d, 0), cnt - 1);
	CHECK_EQ_INT(json_skip(&d, 0), (int)LIMIT_JSON_TOKENS);
	free(p);
	arena_free(&a);

	/* an arena with a cap that refuses */
	arena small;
	arena_init(&small, 64, 64);
	CHECK_EQ_INT(json_parse_arena(&d, &small, "[1,2,3,4,5,6,7,8]", 17, NULL, &e), ERR_NOMEM);
	arena_free(&small);
}

TEST(lookup)
{
	const char *s = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
		"\"content\":\"hi\"}},{\"index\":1,\"message\":{\"content\":null}}],"
		"\"d\":1,\"d\":2,\"e\\u0073c\":true,\"a.b\":3,\"0\":\"zero\",\"nul\\u0000\":4,\"\":5}";
	arena a = { 0 };
	json_doc d;
	CHECK(json_parse_arena(&d, &a, s, strlen(s), NULL, NULL) > 0);
	int i = json_path(&d, 0, "choices.0.message.content");
	CHECK_EQ_INT(json_typeof(&d, i), JSON_STRING);
	CHECK(json_str_eq(&d, i, STR_LIT("hi")));
	CHECK(json_is_null(&d, json_path(&d, 0, "choices.1.message.content")));
	CHECK_EQ_INT(json_path(&d, 0, "choices.2"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_path(&d, 0, "choices.x"), ERR_TYPE);
	CHECK_EQ_INT(json_path(&d, 0, "choices."), ERR_TYPE);
	CHECK_EQ_INT(json_path(&d, 0, "choices.-1"), ERR_TYPE);
	CHECK_EQ_INT(json_path(&d, 0, "choices.99999999999999999999999999"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_path(&d, 0, "id.x"), ERR_TYPE);
	CHECK_EQ_INT(json_path(&d, 0, "nope"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_path(&d, 0, ""), 0);
	CHECK_EQ_INT(json_path(&d, 0, NULL), 0);
	CHECK_EQ_INT(json_path(&d, 99, "id"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_path(&d, 0, "0"), json_get(&d, 0, "0"));
	CHECK(json_str_eq(&d, json_path(&d, 0, "0"), STR_LIT("zero")));
	int64_t v = 0;
	CHECK_EQ_INT(json_i64(&d, json_get(&d, 0, "d"), &v), 0);
	CHECK_EQ_INT(v, 2);   /* last duplicate wins */
	bool b = false;
	CHECK_EQ_INT(json_bool(&d, json_get(&d, 0, "esc"), &b), 0);
	CHECK(b);
	CHECK_EQ_INT(json_get(&d, 0, "a.b"), json_skip(&d, json_get(&d, 0, "esc")) + 1);
	CHECK_EQ_INT(json_path(&d, 0, "a.b"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_i64(&d, json_getn(&d, 0, str_make("nul\0", 4)), &v), 0);
	CHECK_EQ_INT(v, 4);
	CHECK_EQ_INT(json_get(&d, 0, "nul"), ERR_NOTFOUND);
	CHECK_EQ_INT(json_i64(&d, json_get(&d, 0, ""), &v), 0);
	CHECK_EQ_INT(v, 5);
	CHECK_EQ_INT(json_get(&d, json_get(&d, 0, "id"), "x"), ERR_TYPE);
	CHECK_EQ_INT(json_get(&d, 999, "x"), ERR_NOTFOUND);
	int ch = json_get(&d, 0, "choices");
	CHECK_EQ_INT(json_at(&d, ch, 1), json_path(&d, 0, "choices.1"));
	CHECK_EQ_INT(json_at(&d, ch, 2), ERR_NOTFOUND);
	CHECK_EQ_INT(json_at(&d, 0, 0), ERR_TYPE);
	CHECK_EQ_INT(json_at(&d, -5, 0), ERR_NOTFOUND);

	/* iteration: members in order, duplicates included */
	json_iter it = json_iter_begin(&d, 0);
	int k, val, count = 0, dcount = 0;
	while (json_iter_next(&d, &it, &k, &val)) {
		count++;
		CHECK(d.tok[k].flags & JSON_F_KEY);
		if (json_str_eq(&d, k, STR_LIT("d")))
			dcount++;
	}
	CHECK_EQ_INT(count, 9);
	CHECK_EQ_INT(dcount, 2);
	it = json_iter_begin(&d, ch);
	count = 0;
	while (json_iter_next(&d, &it, &k, &val)) {
		CHECK_EQ_INT(k, -1);
		CHECK_EQ_INT(json_typeof(&d, val), JSON_OBJECT);
		count++;
	}
	CHECK_EQ_INT(count, 2);
	it = json_iter_begin(&d, json_get(&d, 0, "id"));
	CHECK(!json_iter_next(&d, &it, &k, &val));
	arena_free(&a);
}

TEST(strings)
{
	const char *s = "[\"plain\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u0041\\u00E9\\u20ac\\uD83D\\uDE00\","
		"\"a\\u0000b\",\"\xe2\x82\xac\",\"\\uDBFF\\uDFFF\"]";
	arena a = { 0 };
	json_doc d;
	str o;
	CHECK_EQ_INT(json_parse_arena(&d, &a, s, strlen(s), NULL, NULL), 7);
	int p = json_at(&d, 0, 0);
	CHECK(!(d.tok[p].flags & JSON_F_ESCAPED));
	CHECK_EQ_INT(json_str(&d, p, &a, &o), 0);
	CHECK(o.p == s + 2);  /* zero copy */
	CHECK_EQ_MEM(o.p, o.n, "plain", 5);
	CHECK_EQ_INT(json_str(&d, json_at(&d, 0, 1), &a, &o), 0);
	CHECK_EQ_MEM(o.p, o.n, "\"\\/\b\f\n\r\t", 8);
	CHECK_EQ_INT(json_str(&d, json_at(&d, 0, 2), &a, &o), 0);
	CHECK_EQ_MEM(o.p, o.n, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
	CHECK_EQ_INT(json_str(&d, json_at(&d, 0, 3), &a, &o), 0);
	CHECK_EQ_MEM(o.p, o.n, "a\0b", 3);
	CHECK_EQ_INT(o.p[3], 0);
	CHECK_EQ_INT(json_str(&d, json_at(&d, 0, 5), &a, &o), 0);
	CHECK_EQ_MEM(o.p, o.n, "\xf4\x8f\xbf\xbf", 4);
	CHECK_EQ_INT(json_str_raw(&d, json_at(&d, 0, 3), &o), 0);
	CHECK_EQ_MEM(o.p, o.n, "a\\u0000b", 8);
	CHECK_EQ_INT(json_str_dup(&d, p, &a, &o), 0);
	CHECK(o.p != s + 2);
	CHECK_EQ_STR(o.p, "plain");
	CHECK_EQ_INT(json_str(&d, 0, &a, &o), ERR_TYPE);
	CHECK_EQ_INT(json_str_raw(&d, 0, &o), ERR_TYPE);
	CHECK_EQ_INT(o.n, 0);

	/* copy into a caller buffer */
	char small[16];
	int e2 = json_at(&d, 0, 2);
	CHECK_EQ_INT(json_str_copy(&d, e2, small, sizeof small), 10);
	CHECK_EQ_STR(small, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	CHECK_EQ_INT(json_str_copy(&d, e2, small, 10), 10);   /* fits, no room for NUL */
	CHECK_EQ_MEM(small, 10, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
	CHECK_EQ_INT(json_str_copy(&d, e2, small, 9), ERR_TOOBIG);
	CHECK_EQ_INT(json_str_copy(&d, p, small, 5), 5);
	CHECK_EQ_INT(json_str_copy(&d, p, small, 4), ERR_TOOBIG);
	CHECK_EQ_INT(json_str_copy(&d, 0, small, 4), ERR_TYPE);

	/* into a buf */
	buf b = { 0 };
	CHECK_EQ_INT(json_str_buf(&d, p, &b), 0);
	CHECK_EQ_INT(json_str_buf(&d, json_at(&d, 0, 1), &b), 0);
	CHECK_EQ_MEM(b.data, b.len, "plain\"\\/\b\f\n\r\t", 13);
	buf_free(&b);
	buf tiny;
	buf_init(&tiny, 4);
	CHECK_EQ_INT(json_str_buf(&d, p, &tiny), ERR_TOOBIG);
	buf_free(&tiny);
	buf_init(&tiny, 10);   /* raw form is 30 bytes, decoded 10: fits exactly */
	CHECK_EQ_INT(json_str_buf(&d, e2, &tiny), 0);
	CHECK_EQ_MEM(tiny.data, tiny.len, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10);
	CHECK_EQ_INT(json_str_buf(&d, e2, &tiny), ERR_TOOBIG);
	CHECK_EQ_INT(tiny.len, 10);
	buf_free(&tiny);

	/* equality after unescaping */
	CHECK(json_str_eq(&d, e2, str_make("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10)));
	CHECK(!json_str_eq(&d, e2, str_make("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98", 9)));
	CHECK(!json_str_eq(&d, e2, str_make("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x81", 10)));
	CHECK(!json_str_eq(&d, e2, str_make("A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80!", 11)));
	CHECK(json_str_eq(&d, json_at(&d, 0, 3), str_make("a\0b", 3)));
	CHECK(!json_str_eq(&d, 0, STR_LIT("")));

	/* json_unescape on its own */
	char out[32];
	CHECK_EQ_INT(json_unescape("x\\ty", 4, out), 3);
	CHECK_EQ_MEM(out, 3, "x\ty", 3);
	/* unvalidated input: memory-safe, U+FFFD for broken \u */
	size_t n = json_unescape("\\ud800\\", 7, out);
	CHECK_EQ_MEM(out, n, "\xef\xbf\xbd\xef\xbf\xbd", 6);
	n = json_unescape("\\u12", 4, out);
	CHECK_EQ_MEM(out, n, "\xef\xbf\xbd" "12", 5);
	arena_free(&a);
}

TEST(utf8)
{
	CHECK(json_utf8_valid("", 0));
	CHECK(json_utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10));
	CHECK(!json_utf8_valid("\xc3", 1));
	CHECK(!json_utf8_valid("\xed\xa0\x80", 3));
	CHECK(!json_utf8_valid("\xf8\x88\x80\x80\x80", 5));
	CHECK_EQ_INT(json_utf8_seq((const unsigned char *)"\xe2\x82", 2), -2);
	CHECK_EQ_INT(json_utf8_seq((const unsigned char *)"\xe2\x82x", 3), -2);
	CHECK_EQ_INT(json_utf8_seq((const unsigned char *)"\xe0\x80", 2), -1);
	CHECK_EQ_INT(json_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
	CHECK_EQ_INT(json_utf8_seq((const unsigned char *)"\xc1\xbf", 2), -1);
}

TEST(integers)
{
	struct { const char *s; int rc; int64_t v; } iv[] = {
		{ "0", 0, 0 }, { "-0", 0, 0 }, { "42", 0, 42 }, { "-42", 0, -42 },
		{ "9223372036854775807", 0, INT64_MAX }, { "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", ERR_RANGE, 0 }, { "-9223372036854775809", ERR_RANGE, 0 },
		{ "99999999999999999999999", ERR_RANGE, 0 }, { "1.0", 0, 1 }, { "1e3", 0, 1000 },
		{ "12.5e1", 0, 125 }, { "100e-2", 0, 1 }, { "1.5", ERR_TYPE, 0 }, { "1e-5", ERR_TYPE, 0 },
		{ "0e999999999999999999", 0, 0 }, { "0.000e-5", 0, 0 }, { "1e19", ERR_RANGE, 0 },
		{ "9.223372036854775807e18", 0, INT64_MAX }, { "-922337203685477580.8e1", 0, INT64_MIN },
		{ "1e99999999999999999999999", ERR_RANGE, 0 }, { "1e-99999999999999999999", ERR_TYPE, 0 },
		{ "00", ERR_INVAL, 0 }, { "1 ", ERR_INVAL, 0 }, { "", ERR_INVAL, 0 }, { "-", ERR_INVAL, 0 },
		{ "0.0000000000000000000000000000001e31", 0, 1 }, { "10000000000000000000000e-21", 0, 10 },
	};
	for (size_t k = 0; k < sizeof iv / sizeof *iv; k++) {
		int64_t v = 77;
		int rc = json_num_i64(iv[k].s, strlen(iv[k].s), &v);
		if (rc != iv[k].rc || (rc == 0 && v != iv[k].v))
			T_FAIL_AT("i64 '%s': rc %d v %" PRId64 ", expected %d %" PRId64, iv[k].s, rc, v, iv[k].rc, iv[k].v);
	}
	struct { const char *s; int rc; uint64_t v; } uv[] = {
		{ "0", 0, 0 }, { "-0", 0, 0 }, { "-0.0e5", 0, 0 }, { "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", ERR_RANGE, 0 }, { "-1", ERR_RANGE, 0 }, { "1.8446744073709551615e19", 0, UINT64_MAX },
		{ "0.5", ERR_TYPE, 0 }, { "-0.5", ERR_TYPE, 0 },
	};
	for (size_t k = 0; k < sizeof uv / sizeof *uv; k++) {
		uint64_t v = 77;
		int rc = json_num_u64(uv[k].s, strlen(uv[k].s), &v);
		if (rc != uv[k].rc || (rc == 0 && v != uv[k].v))
			T_FAIL_AT("u64 '%s': rc %d v %" PRIu64 ", expected %d", uv[k].s, rc, v, uv[k].rc);
	}
	/* through a document */
	arena a = { 0 };
	json_doc d;
	CHECK(json_parse_arena(&d, &a, "[1,\"1\",true]", 12, NULL, NULL) > 0);
	int64_t v;
	uint64_t u;
	double f;
	bool bo;
	CHECK_EQ_INT(json_i64(&d, 1, &v), 0);
	CHECK_EQ_INT(v, 1);
	CHECK_EQ_INT(json_u64(&d, 1, &u), 0);
	CHECK_EQ_INT(json_i64(&d, 2, &v), ERR_TYPE);
	CHECK_EQ_INT(json_u64(&d, 2, &u), ERR_TYPE);
	CHECK_EQ_INT(json_double(&d, 2, &f), ERR_TYPE);
	CHECK_EQ_INT(json_bool(&d, 1, &bo), ERR_TYPE);
	CHECK_EQ_INT(json_bool(&d, 3, &bo), 0);
	CHECK(bo);
	CHECK(!json_is_null(&d, 3));
	CHECK_EQ_INT(json_i64(&d, 9, &v), ERR_TYPE);
	arena_free(&a);
}


TEST(doubles)
{
	struct { const char *s; int rc; double v; } dv[] = {
		{ "0", 0, 0.0 }, { "1", 0, 1.0 }, { "0.1", 0, 0.1 }, { "-2.5e-3", 0, -2.5e-3 },
		{ "1.7976931348623157e308", 0, DBL_MAX }, { "2.2250738585072014e-308", 0, DBL_MIN },
		{ "4.9406564584124654e-324", 0, 4.9406564584124654e-324 }, { "5e-324", 0, 4.9406564584124654e-324 },
		{ "2.4703282292062328e-324", 0, 4.9406564584124654e-324 }, /* just above half the min subnormal */
		{ "2.4703282292062327e-324", 0, 0.0 }, { "1e-400", 0, 0.0 },
		{ "1e309", ERR_RANGE, HUGE_VAL }, { "-1e999999999999", ERR_RANGE, -HUGE_VAL },
		{ "2.2250738585072011e-308", 0, 2.2250738585072011e-308 },
		{ "9007199254740993", 0, 9007199254740992.0 }, /* tie -> even */
		{ "9007199254740995", 0, 9007199254740996.0 },
		{ "9007199254740993.0000000000000000000000000000001", 0, 9007199254740994.0 },
		{ "0.1000000000000000055511151231257827021181583404541015625", 0, 0.1 },
		{ "123456789012345678901234567890", 0, 123456789012345678901234567890.0 },
		{ "1.00000000000000011102230246251565404236316680908203125", 0, 1.0 }, /* exact midpoint 1 and 1+2^-52 -> even */
		{ "1.00000000000000011102230246251565404236316680908203126", 0, 1.0000000000000002 },
		{ "1e", ERR_INVAL, 0 },
	};
	for (size_t k = 0; k < sizeof dv / sizeof *dv; k++) {
		double v = 7;
		int rc = json_num_double(dv[k].s, strlen(dv[k].s), &v);
		if (rc != dv[k].rc || (rc != ERR_INVAL && dbits(v) != dbits(dv[k].v)))
			T_FAIL_AT("double '%s': rc %d v %.17g, expected %d %.17g", dv[k].s, rc, v, dv[k].rc, dv[k].v);
	}
	double v;
	CHECK_EQ_INT(json_num_double("-0", 2, &v), 0);
	CHECK(v == 0 && signbit(v));
	CHECK_EQ_INT(json_num_double("-0.0e-7", 7, &v), 0);
	CHECK(v == 0 && signbit(v));

	/* more than NUM_KEEP significant digits: the sticky digit decides */
	size_t zeros = 1000;
	char *p = malloc(16 + zeros + 2);
	memcpy(p, "9007199254740993", 16);
	memset(p + 16, '0', zeros);
	memcpy(p + 16 + zeros, "1", 1);
	double hi, lo;
	/* 9007199254740993.000...01: just above the midpoint of 2^53 and 2^53+2,
	 * so it rounds up; without the final 1 it is the tie and rounds to even */
	memcpy(p + 16, ".", 1);
	CHECK_EQ_INT(json_num_double(p, 17 + zeros, &hi), 0);
	CHECK_EQ_INT(dbits(hi), dbits(9007199254740994.0));
	CHECK_EQ_INT(json_num_double(p, 16 + zeros, &lo), 0);
	CHECK_EQ_INT(dbits(lo), dbits(9007199254740992.0));
	free(p);
}


/* significant digits in a %g-style number text */
static int sig_digits(const char *s)
{
	int n = 0, started = 0, trail = 0;
	for (; *s && *s != 'e'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = 1;
		if (started) {
			n++;
			trail = *s == '0' ? trail + 1 : 0;
		}
	}
	return n - trail;
}

/* Random decimal texts: json_num_double (fast path or strtod on a normalised
 * form) agrees bit for bit with the C library's strtod on the text itself. */
TEST(doubles_vs_strtod)
{
	char t[64];
	for (int k = 0; k < 20000; k++) {
		size_t o = 0;
		if (rnd() % 2)
			t[o++] = '-';
		int digits = 1 + (int)(rnd() % (k % 4 ? 16 : 25));
		int point = (int)(rnd() % (unsigned)(digits + 1));
		for (int j = 0; j < digits; j++) {
			if (j == point && j > 0)
				t[o++] = '.';
			t[o++] = (char)('0' + (j == 0 && digits > 1 && point != 1 ? 1 + rnd() % 9 : rnd() % 10));
		}
		if (rnd() % 2)
			o += (size_t)snprintf(t + o, sizeof t - o, "e%d", (int)(rnd() % 81) - 40);
		t[o] = 0;
		double mine, ref = strtod(t, NULL);
		int rc = json_num_double(t, o, &mine);
		if (rc != 0 || dbits(mine) != dbits(ref)) {
			T_FAIL_AT("'%s': rc %d, %.17g vs strtod %.17g", t, rc, mine, ref);
			break;
		}
	}
}

TEST(shortest_doubles)
{
	char out[JSON_DOUBLE_BUF], tmp[400];
	int tested = 0;
	for (int k = 0; k < 5000; k++) {
		double x;
		if (k % 3 == 0)
			x = bitsd(rnd());                                   /* any bits */
		else if (k % 3 == 1)
			x = (double)(rnd() % 2000000) / 1000.0 - 1000.0;      /* short decimals */
		else
			x = (double)(rnd() >> 11) * bitsd((uint64_t)(1023 + (int)(rnd() % 200) - 150) << 52);
		if (!isfinite(x))
			continue;
		tested++;
		size_t n = json_fmt_double(out, x);
		double back = 0;
		CHECK(n > 0 && n < JSON_DOUBLE_BUF);
		CHECK_EQ_INT(json_num_double(out, n, &back), 0);
		if (dbits(back) != dbits(x))
			T_FAIL_AT("%.17g -> '%s' -> %.17g", x, out, back);
		CHECK_EQ_INT(json_validate(out, n, NULL, NULL), 1);
		/* shortest: no precision below ours round-trips */
		int mine = sig_digits(out);
		for (int prec = 1; prec < mine; prec++) {
			snprintf(tmp, sizeof tmp, "%.*g", prec, x);
			if (strtod(tmp, NULL) == x) {
				T_FAIL_AT("%.17g: '%s' but '%s' also round-trips", x, out, tmp);
				break;
			}
		}
	}
	CHECK(tested > 4000);
	CHECK_EQ_INT(json_fmt_double(out, 0.1), 3);
	CHECK_EQ_STR(out, "0.1");
	json_fmt_double(out, -0.0);
	CHECK_EQ_STR(out, "-0");
	json_fmt_double(out, 1e21);
	CHECK_EQ_STR(out, "1e+21");
	json_fmt_double(out, 2.0);
	CHECK_EQ_STR(out, "2");
	json_fmt_double(out, 5e-324);
	CHECK_EQ_STR(out, "4.94065645841247e-324");
	json_fmt_double(out, DBL_MAX);
	CHECK_EQ_STR(out, "1.7976931348623157e+308");
	json_fmt_double(out, 0.30000000000000004);
	CHECK_EQ_STR(out, "0.30000000000000004");
	CHECK_EQ_INT(json_fmt_double(out, NAN), 0);
	CHECK_EQ_INT(json_fmt_double(out, -INFINITY), 0);
}

static const char *wout(json_writer *w) { return w->out->data ? w->out->data : ""; }

TEST(writer_basic)
{
	buf b = { 0 };
	json_writer w = { .out = &b };
	CHECK_EQ_INT(json_write_obj_begin(&w), 0);
	CHECK_EQ_INT(json_write_kv_str(&w, "model", "gpt-4o"), 0);
	CHECK_EQ_INT(json_write_kv_i64(&w, "n", -2), 0);
	CHECK_EQ_INT(json_write_kv_u64(&w, "u", UINT64_MAX), 0);
	CHECK_EQ_INT(json_write_kv_i64(&w, "m", INT64_MIN), 0);
	CHECK_EQ_INT(json_write_kv_double(&w, "t", 0.7), 0);
	CHECK_EQ_INT(json_write_kv_bool(&w, "s", true), 0);
	CHECK_EQ_INT(json_write_kv_bool(&w, "f", false), 0);
	CHECK_EQ_INT(json_write_kv_null(&w, "z"), 0);
	CHECK_EQ_INT(json_write_kv_raw(&w, "r", "[1, 2]", 6), 0);
	CHECK_EQ_INT(json_write_kv_strn(&w, "b", "a\0b", 3), 0);
	CHECK_EQ_INT(json_write_key(&w, "arr"), 0);
	CHECK_EQ_INT(json_write_arr_begin(&w), 0);
	CHECK_EQ_INT(json_write_arr_begin(&w), 0);
	CHECK_EQ_INT(json_write_arr_end(&w), 0);
	CHECK_EQ_INT(json_write_obj_begin(&w), 0);
	CHECK_EQ_INT(json_write_obj_end(&w), 0);
	CHECK_EQ_INT(json_write_str(&w, ""), 0);
	CHECK_EQ_INT(json_write_arr_end(&w), 0);
	CHECK_EQ_INT(json_write_finish(&w), ERR_STATE);
	CHECK_EQ_INT(json_write_obj_end(&w), 0);
	CHECK_EQ_INT(json_write_finish(&w), 0);
	CHECK_EQ_STR(wout(&w), "{\"model\":\"gpt-4o\",\"n\":-2,\"u\":18446744073709551615,"
		"\"m\":-9223372036854775808,\"t\":0.7,\"s\":true,\"f\":false,\"z\":null,\"r\":[1, 2],"
		"\"b\":\"a\\u0000b\",\"arr\":[[],{},\"\"]}");
	/* a second top-level value is misuse */
	CHECK_EQ_INT(json_write_null(&w), ERR_STATE);
	CHECK_EQ_INT(json_write_finish(&w), ERR_STATE);
	buf_free(&b);

	/* scalars at the top level */
	json_writer w2;
	json_write_init(&w2, &b, 0);
	CHECK_EQ_INT(json_write_finish(&w2), ERR_STATE);
	CHECK_EQ_INT(json_write_double(&w2, 1.5), 0);
	CHECK_EQ_INT(json_write_finish(&w2), 0);
	CHECK_EQ_STR(b.data, "1.5");
	buf_free(&b);
}

TEST(writer_pretty)
{
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, JSON_W_PRETTY);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "a", "x");
	json_write_key(&w, "b");
	json_write_arr_begin(&w);
	json_write_i64(&w, 1);
	json_write_obj_begin(&w);
	json_write_kv_null(&w, "c");
	json_write_obj_end(&w);
	json_write_arr_begin(&w);
	json_write_arr_end(&w);
	json_write_arr_end(&w);
	json_write_key(&w, "d");
	json_write_obj_begin(&w);
	json_write_obj_end(&w);
	json_write_obj_end(&w);
	CHECK_EQ_INT(json_write_finish(&w), 0);
	CHECK_EQ_STR(b.data,
		"{\n"
		"  \"a\": \"x\",\n"
		"  \"b\": [\n"
		"    1,\n"
		"    {\n"
		"      \"c\": null\n"
		"    },\n"
		"    []\n"
		"  ],\n"
		"  \"d\": {}\n"
		"}");
	CHECK(parse_n(b.data, b.len, NULL) > 0);
	buf_free(&b);
	json_write_init(&w, &b, JSON_W_PRETTY);
	json_write_arr_begin(&w);
	json_write_arr_end(&w);
	CHECK_EQ_STR(b.data, "[]");
	buf_free(&b);
}

TEST(writer_escaping)
{
	buf b = { 0 };
	CHECK_EQ_INT(json_escape_buf(&b, "\"\\/\b\f\n\r\t\x01\x1f\x7f" "a\xc3\xa9", 14, 0), 0);
	CHECK_EQ_STR(b.data, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f" "a\xc3\xa9\"");
	buf_reset(&b);
	/* invalid UTF-8: maximal subparts become U+FFFD */
	CHECK_EQ_INT(json_escape_buf(&b, "a\xff" "b\xe2\x82" "c\xed\xa0\x80\xf0\x9f\x98", 12, 0), 0);
	CHECK_EQ_STR(b.data, "\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
	CHECK(json_utf8_valid(b.data, b.len));
	buf_reset(&b);
	CHECK_EQ_INT(json_escape_buf(&b, "ok", 2, 0), 0);
	CHECK_EQ_INT(json_escape_buf(&b, "a\xff", 2, JSON_W_STRICT_UTF8), ERR_UTF8);
	CHECK_EQ_STR(b.data, "\"ok\"");   /* unchanged on error */
	buf_free(&b);

	json_writer w = { .out = &b, .flags = JSON_W_STRICT_UTF8 };
	json_write_arr_begin(&w);
	CHECK_EQ_INT(json_write_str(&w, "\xc3\xa9"), 0);
	CHECK_EQ_INT(json_write_str(&w, "\xc3"), ERR_UTF8);
	CHECK_EQ_INT(w.err, ERR_UTF8);
	CHECK_EQ_INT(json_write_arr_end(&w), ERR_UTF8);   /* sticky */
	CHECK_EQ_STR(b.data, "[\"\xc3\xa9\"");
	buf_free(&b);

	/* escape -> parse -> unescape is the identity on valid UTF-8, and any bytes
	 * come out as valid JSON */
	arena a = { 0 };
	for (int k = 0; k < 2000; k++) {
		unsigned char raw[40];
		size_t n = rnd() % sizeof raw;
		for (size_t j = 0; j < n; j++)
			raw[j] = (unsigned char)(k % 2 ? rnd() % 0x80 : rnd());
		buf_reset(&b);
		CHECK_EQ_INT(json_escape_buf(&b, (char *)raw, n, 0), 0);
		json_doc d;
		CHECK_EQ_INT(json_parse_arena(&d, &a, b.data, b.len, NULL, NULL), 1);
		str s;
		CHECK_EQ_INT(json_str(&d, 0, &a, &s), 0);
		CHECK(json_utf8_valid(s.p, s.n));
		if (json_utf8_valid((char *)raw, n))
			CHECK_EQ_MEM(s.p, s.n, raw, n);
		arena_reset(&a);
	}
	buf_free(&b);
	arena_free(&a);
}

TEST(writer_misuse)
{
	buf b = { 0 };
	json_writer w;
#define FRESH() do { buf_reset(&b); json_write_init(&w, &b, 0); } while (0)
	FRESH();
	CHECK_EQ_INT(json_write_key(&w, "a"), ERR_STATE);     /* key at top level */
	CHECK_EQ_INT(json_write_null(&w), ERR_STATE);         /* sticky */
	CHECK_EQ_INT(b.len, 0);
	FRESH();
	json_write_obj_begin(&w);
	CHECK_EQ_INT(json_write_i64(&w, 1), ERR_STATE);       /* value without key */
	CHECK_EQ_STR(b.data, "{");
	FRESH();
	json_write_obj_begin(&w);
	json_write_key(&w, "a");
	CHECK_EQ_INT(json_write_key(&w, "b"), ERR_STATE);     /* key after key */
	FRESH();
	json_write_obj_begin(&w);
	json_write_key(&w, "a");
	CHECK_EQ_INT(json_write_obj_end(&w), ERR_STATE);      /* dangling key */
	FRESH();
	json_write_arr_begin(&w);
	CHECK_EQ_INT(json_write_key(&w, "a"), ERR_STATE);     /* key in array */
	FRESH();
	json_write_arr_begin(&w);
	CHECK_EQ_INT(json_write_obj_end(&w), ERR_STATE);      /* wrong close */
	FRESH();
	CHECK_EQ_INT(json_write_arr_end(&w), ERR_STATE);      /* close without open */
	FRESH();
	CHECK_EQ_INT(json_write_double(&w, NAN), ERR_RANGE);
	FRESH();
	CHECK_EQ_INT(json_write_double(&w, INFINITY), ERR_RANGE);
	json_write_init(&w, &b, JSON_W_NONFINITE_NULL);
	buf_reset(&b);
	CHECK_EQ_INT(json_write_double(&w, NAN), 0);
	CHECK_EQ_STR(b.data, "null");
	FRESH();
	CHECK_EQ_INT(json_write_raw(&w, "", 0), ERR_INVAL);
	FRESH();
	CHECK_EQ_INT(json_write_str(&w, NULL), ERR_INVAL);
	FRESH();
	json_write_obj_begin(&w);
	CHECK_EQ_INT(json_write_key(&w, NULL), ERR_INVAL);
	json_writer z = { 0 };                                  /* no buffer */
	CHECK_EQ_INT(json_write_null(&z), ERR_STATE);
	CHECK_EQ_INT(json_write_finish(&z), ERR_STATE);

	/* depth cap */
	FRESH();
	int rc = 0, k;
	for (k = 0; k < LIMIT_JSON_DEPTH + 5 && !rc; k++)
		rc = json_write_arr_begin(&w);
	CHECK_EQ_INT(rc, ERR_DEPTH);
	CHECK_EQ_INT(k, LIMIT_JSON_DEPTH + 1);
	CHECK_EQ_INT(b.len, LIMIT_JSON_DEPTH);
	FRESH();
	w.max_depth = 2;
	json_write_obj_begin(&w);
	json_write_key(&w, "a");
	CHECK_EQ_INT(json_write_arr_begin(&w), 0);
	CHECK_EQ_INT(json_write_arr_begin(&w), ERR_DEPTH);

	/* the output cap: error, and the failed call leaves nothing behind */
	buf small;
	buf_init(&small, 12);
	json_write_init(&w, &small, 0);
	json_write_arr_begin(&w);
	CHECK_EQ_INT(json_write_str(&w, "hello"), 0);
	CHECK_EQ_INT(json_write_str(&w, "world"), ERR_TOOBIG);
	CHECK_EQ_STR(small.data, "[\"hello\"");
	CHECK_EQ_INT(json_write_finish(&w), ERR_TOOBIG);
	buf_free(&small);
	buf_free(&b);
#undef FRESH
}

TEST(writer_roundtrip)
{
	/* every valid doc and a generated one re-serialize to a fixpoint */
	for (size_t k = 0; k < sizeof valid_docs / sizeof *valid_docs; k++) {
		buf o = { 0 };
		CHECK_EQ_INT(roundtrip(valid_docs[k], strlen(valid_docs[k]), &o), 0);
		buf_free(&o);
	}
	/* a random tree written by the writer, pretty and compact, parses back to
	 * the same values */
	for (int round = 0; round < 50; round++) {
		buf b = { 0 };
		json_writer w;
		json_write_init(&w, &b, round % 2 ? JSON_W_PRETTY : 0);
		int depth = 0, opened = 0;
		bool in_obj[64] = { 0 };
		int64_t ivals[512];
		int nvals = 0;
		json_write_arr_begin(&w);
		in_obj[depth++] = false;
		while (depth > 0) {
			uint64_t r = rnd() % 10;
			if (in_obj[depth - 1]) {
				char key[16];
				snprintf(key, sizeof key, "k%d", opened++);
				json_write_key(&w, key);
			}
			if (r < 2 && depth < 60) {
				bool o = r == 0;
				o ? json_write_obj_begin(&w) : json_write_arr_begin(&w);
				in_obj[depth++] = o;
				continue;
			}
			if (r < 6 && nvals < 512) {
				int64_t v = (int64_t)rnd();
				ivals[nvals++] = v;
				json_write_i64(&w, v);
			} else {
				json_write_str(&w, "s\x01\"\\\xe2\x82\xac");
			}
			if (r >= 8 || nvals >= 512) {
				depth--;
				in_obj[depth] ? json_write_obj_end(&w) : json_write_arr_end(&w);
			}
		}
		CHECK_EQ_INT(json_write_finish(&w), 0);
		arena a = { 0 };
		json_doc d;
		CHECK(json_parse_arena(&d, &a, b.data, b.len, NULL, NULL) > 0);
		int seen = 0;
		for (int i = 0; i < d.ntok; i++) {
			int64_t v;
			if (json_typeof(&d, i) == JSON_NUMBER) {
				CHECK_EQ_INT(json_i64(&d, i, &v), 0);
				if (seen < nvals)
					CHECK(v == ivals[seen]);
				seen++;
			} else if (json_typeof(&d, i) == JSON_STRING && !(d.tok[i].flags & JSON_F_KEY)) {
				CHECK(json_str_eq(&d, i, STR_LIT("s\x01\"\\\xe2\x82\xac")));
			}
		}
		CHECK_EQ_INT(seen, nvals);
		arena_free(&a);
		buf_free(&b);
	}
	/* doubles through writer and reader */
	buf b = { 0 };
	json_writer w = { .out = &b };
	json_write_arr_begin(&w);
	double xs[1000];
	for (int k = 0; k < 1000; k++) {
		do
			xs[k] = bitsd(rnd());
		while (!isfinite(xs[k]));
		json_write_double(&w, xs[k]);
	}
	json_write_arr_end(&w);
	CHECK_EQ_INT(json_write_finish(&w), 0);
	arena a = { 0 };
	json_doc d;
	CHECK_EQ_INT(json_parse_arena(&d, &a, b.data, b.len, NULL, NULL), 1001);
	for (int k = 0; k < 1000; k++) {
		double x;
		CHECK_EQ_INT(json_double(&d, k + 1, &x), 0);
		CHECK(dbits(x) == dbits(xs[k]));
	}
	arena_free(&a);
	buf_free(&b);
}

int main(void)
{
	RUN(valid_table);
	RUN(invalid_table);
	RUN(error_messages);
	RUN(every_prefix);
	RUN(tokens_layout);
	RUN(limits);
	RUN(lookup);
	RUN(strings);
	RUN(utf8);
	RUN(integers);
	RUN(doubles);
	RUN(doubles_vs_strtod);
	RUN(shortest_doubles);
	RUN(writer_basic);
	RUN(writer_pretty);
	RUN(writer_escaping);
	RUN(writer_misuse);
	RUN(writer_roundtrip);
	return t_done();
}
