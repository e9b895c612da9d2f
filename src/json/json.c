/* json.c — strict JSON reader. json_validate() is a byte-level recursive-descent
 * checker (iterative, bit stack for the container kinds) that finds the first
 * error; jsmn then tokenizes the known-valid input and its tokens are turned
 * into json_tok in place. Also: lookups, unescaping, exact number conversion. */
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include "jsmn.h"

#include "json/json.h"
#include "base/err.h"
#include "base/limits.h"
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(jsmntok_t) == sizeof(json_tok), "json_tok must overlay jsmntok_t");
_Static_assert(_Alignof(jsmntok_t) <= _Alignof(json_tok), "json_tok alignment");

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                    */

int json_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	unsigned need, lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;            /* no overlongs */
		else if (c == 0xED)
			hi = 0x9F;            /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;            /* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F;            /* <= U+10FFFF */
	} else {
		return -1;                    /* 80..C1, F5..FF */
	}
	for (unsigned k = 1; k <= need; k++) {
		if (k >= n)
			return -(int)k;
		unsigned b = s[k];
		if (b < lo || b > hi)
			return -(int)k;
		lo = 0x80;
		hi = 0xBF;
	}
	return (int)need + 1;
}

bool json_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		int r = json_utf8_seq(p + i, n - i);
		if (r < 0)
			return false;
		i += (size_t)r;
	}
	return true;
}

/* ------------------------------------------------------------------------ */
/* Validator                                                                */

typedef struct vstate {
	const unsigned char *s;
	size_t len;
	size_t pos;
	uint32_t depth;
	uint32_t max_depth;
	size_t ntok;
	size_t max_tok;
	json_err *err;
	unsigned char kinds[JSON_DEPTH_MAX / 8];   /* bit d set: level d is an object */
} vstate;

static void describe(char *out, size_t cap, const unsigned char *s, size_t len, size_t pos)
{
	if (pos >= len)
		snprintf(out, cap, "end of input");
	else if (s[pos] >= 0x21 && s[pos] < 0x7F)
		snprintf(out, cap, "'%c'", s[pos]);
	else
		snprintf(out, cap, "byte 0x%02X", s[pos]);
}

static int set_err(json_err *e, int code, size_t off, const char *msg)
{
	if (e) {
		e->code = code;
		e->offset = off;
		snprintf(e->msg, sizeof e->msg, "%s at offset %zu", msg, off);
	}
	return code;
}

static int vfail(vstate *v, int code, size_t off, const char *msg)
{
	return set_err(v->err, code, off, msg);
}

/* "unexpected X, expected Y" at pos */
static int vunexpected(vstate *v, size_t pos, const char *expected)
{
	char what[24], msg[80];
	describe(what, sizeof what, v->s, v->len, pos);
	snprintf(msg, sizeof msg, "unexpected %s, expected %s", what, expected);
	return vfail(v, ERR_INVAL, pos, msg);
}

static inline bool is_ws(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static inline bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }

static int hexval(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* 4 hex digits at s[0..4) (caller checked the length) -> 0..0xFFFF or -1 */
static long hex4(const unsigned char *s)
{
	long v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval(s[k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static void skip_ws(vstate *v)
{
	while (v->pos < v->len && is_ws(v->s[v->pos]))
		v->pos++;
}

/* At '"'. Leaves pos after the closing quote. */
static int scan_string(vstate *v)
{
	const unsigned char *s = v->s;
	size_t n = v->len, i = v->pos + 1, start = v->pos;
	for (;;) {
		/* fast path: plain printable ASCII */
		while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
			i++;
		if (i >= n)
			return vfail(v, ERR_INVAL, start, "unterminated string");
		unsigned c = s[i];
		if (c == '"') {
			v->pos = i + 1;
			return 0;
		}
		if (c < 0x20) {
			char msg[64];
			snprintf(msg, sizeof msg, "control character 0x%02X in string (must be escaped)", c);
			return vfail(v, ERR_INVAL, i, msg);
		}
		if (c >= 0x80) {
			int r = json_utf8_seq(s + i, n - i);
			if (r < 0)
				return vfail(v, ERR_UTF8, i, "invalid UTF-8 in string");
			i += (size_t)r;
			continue;
		}
		/* backslash */
		if (i + 1 >= n)
			return vfail(v, ERR_INVAL, start, "unterminated string");
		unsigned e = s[i + 1];
		switch (e) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			i += 2;
			continue;
		case 'u':
			break;
		default: {
			char what[24], msg[64];
			describe(what, sizeof what, s, n, i + 1);
			snprintf(msg, sizeof msg, "invalid escape \\ followed by %s", what);
			return vfail(v, ERR_INVAL, i, msg);
		}
		}
		if (n - i < 6 || hex4(s + i + 2) < 0)
			return vfail(v, ERR_INVAL, i, "invalid \\u escape (4 hex digits expected)");
		long u = hex4(s + i + 2);
		if (u >= 0xDC00 && u <= 0xDFFF)
			return vfail(v, ERR_UTF8, i, "lone low surrogate \\u escape");
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (n - i < 8 || s[i + 6] != '\\' || s[i + 7] != 'u')
				return vfail(v, ERR_UTF8, i, "high surrogate \\u escape not followed by a low one");
			long u2 = n - i < 12 ? -1 : hex4(s + i + 8);
			if (u2 < 0)
				return vfail(v, ERR_INVAL, i + 6, "invalid \\u escape (4 hex digits expected)");
			if (u2 < 0xDC00 || u2 > 0xDFFF)
				return vfail(v, ERR_UTF8, i, "high surrogate \\u escape not followed by a low one");
			i += 12;
		} else {
			i += 6;
		}
	}
}

/* At '-' or a digit. Leaves pos after the number. */
static int scan_number(vstate *v)
{
	const unsigned char *s = v->s;
	size_t n = v->len, i = v->pos;
	if (s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return vunexpected(v, i, "a digit");
	if (s[i] == '0') {
		i++;
		if (i < n && is_digit(s[i]))
			return vfail(v, ERR_INVAL, i, "leading zero in number");
	} else {
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i]))
			return vunexpected(v, i, "a digit after '.'");
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return vunexpected(v, i, "a digit in the exponent");
		while (i < n && is_digit(s[i]))
			i++;
	}
	v->pos = i;
	return 0;
}

static int scan_literal(vstate *v)
{
	static const char *const lits[] = { "true", "false", "null" };
	const unsigned char *s = v->s;
	size_t i = v->pos;
	for (size_t k = 0; k < 3; k++) {
		if ((unsigned char)lits[k][0] != s[i])
			continue;
		size_t L = strlen(lits[k]);
		for (size_t j = 1; j < L; j++)
			if (i + j >= v->len || (unsigned char)lits[k][j] != s[i + j])
				return vunexpected(v, i + j, lits[k]);
		v->pos = i + L;
		return 0;
	}
	return vunexpected(v, i, "a value");
}

static inline void kind_set(vstate *v, uint32_t d, bool obj)
{
	if (obj)
		v->kinds[d >> 3] |= (unsigned char)(1u << (d & 7));
	else
		v->kinds[d >> 3] &= (unsigned char)~(1u << (d & 7));
}
static inline bool kind_obj(const vstate *v, uint32_t d) { return (v->kinds[d >> 3] >> (d & 7)) & 1u; }

static int count_tok(vstate *v)
{
	if (++v->ntok > v->max_tok) {
		char msg[64];
		snprintf(msg, sizeof msg, "more than %zu tokens", v->max_tok);
		return vfail(v, ERR_TOOBIG, v->pos, msg);
	}
	return 0;
}

enum { ST_VALUE, ST_KEY, ST_AFTER };

static int vrun(vstate *v)
{
	int rc, st = ST_VALUE;
	skip_ws(v);
	for (;;) {
		switch (st) {
		case ST_VALUE: {
			if (v->pos >= v->len)
				return vunexpected(v, v->pos, "a value");
			unsigned c = v->s[v->pos];
			if (c == '{' || c == '[') {
				if ((rc = count_tok(v)))
					return rc;
				if (v->depth >= v->max_depth) {
					char msg[64];
					snprintf(msg, sizeof msg, "nesting deeper than %u", (unsigned)v->max_depth);
					return vfail(v, ERR_DEPTH, v->pos, msg);
				}
				kind_set(v, v->depth, c == '{');
				v->depth++;
				v->pos++;
				skip_ws(v);
				if (v->pos < v->len && v->s[v->pos] == c + 2) {   /* '{'+2 = '}', '['+2 = ']' */
					v->pos++;
					v->depth--;
					st = ST_AFTER;
				} else {
					st = c == '{' ? ST_KEY : ST_VALUE;
				}
				continue;
			}
			if ((rc = count_tok(v)))
				return rc;
			if (c == '"')
				rc = scan_string(v);
			else if (c == '-' || is_digit(c))
				rc = scan_number(v);
			else if (c == 't' || c == 'f' || c == 'n')
				rc = scan_literal(v);
			else
				return vunexpected(v, v->pos, "a value");
			if (rc)
				return rc;
			st = ST_AFTER;
			continue;
		}
		case ST_KEY:
			if (v->pos >= v->len || v->s[v->pos] != '"')
				return vunexpected(v, v->pos, "a string key");
			if ((rc = count_tok(v)) || (rc = scan_string(v)))
				return rc;
			skip_ws(v);
			if (v->pos >= v->len || v->s[v->pos] != ':')
				return vunexpected(v, v->pos, "':' after key");
			v->pos++;
			skip_ws(v);
			st = ST_VALUE;
			continue;
		case ST_AFTER: {
			skip_ws(v);
			if (v->depth == 0) {
				if (v->pos != v->len)
					return vunexpected(v, v->pos, "end of input after the value");
				return 0;
			}
			bool obj = kind_obj(v, v->depth - 1);
			if (v->pos >= v->len)
				return vunexpected(v, v->pos, obj ? "',' or '}'" : "',' or ']'");
			unsigned c = v->s[v->pos];
			if (c == ',') {
				v->pos++;
				skip_ws(v);
				st = obj ? ST_KEY : ST_VALUE;
			} else if (c == (obj ? '}' : ']')) {
				v->pos++;
				v->depth--;
			} else {
				return vunexpected(v, v->pos, obj ? "',' or '}'" : "',' or ']'");
			}
			continue;
		}
		}
	}
}

static void vinit(vstate *v, const char *js, size_t len, const json_opts *opts, size_t tok_cap, json_err *err)
{
	v->s = (const unsigned char *)js;
	v->len = len;
	v->pos = 0;
	v->depth = 0;
	v->max_depth = opts && opts->max_depth ? opts->max_depth : LIMIT_JSON_DEPTH;
	if (v->max_depth > JSON_DEPTH_MAX)
		v->max_depth = JSON_DEPTH_MAX;
	v->ntok = 0;
	v->max_tok = opts && opts->max_tokens ? opts->max_tokens : LIMIT_JSON_TOKENS;
	if (v->max_tok > tok_cap)
		v->max_tok = tok_cap;
	v->err = err;
}

static int check_len(const char *js, size_t len, json_err *err)
{
	if (len > (size_t)INT_MAX)
		return set_err(err, ERR_TOOBIG, 0, "input of 2 GiB or more");
	if (!js && len)
		return set_err(err, ERR_INVAL, 0, "NULL input");
	return 0;
}

int json_validate(const char *js, size_t len, const json_opts *opts, json_err *err)
{
	int rc = check_len(js, len, err);
	if (rc)
		return rc;
	vstate v;
	vinit(&v, js, len, opts, (size_t)INT_MAX, err);
	if ((rc = vrun(&v)))
		return rc;
	return (int)v.ntok;
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */

/* jsmn has filled slots[0..n) of the valid input js; rewrite them as json_tok.
 * Slots are read as jsmntok_t through memcpy only. The link to the enclosing
 * open container is kept in .next of a container until it is closed. */
static void convert(const char *js, json_tok *tok, int n)
{
	unsigned char *slots = (unsigned char *)tok;
	uint32_t cur = UINT32_MAX;
	for (int i = 0; i < n; i++) {
		jsmntok_t j;
		memcpy(&j, slots + (size_t)i * sizeof j, sizeof j);
		json_tok t = { 0 };
		t.start = (uint32_t)j.start;
		t.end = (uint32_t)j.end;
		if (j.type == JSMN_STRING) {
			t.start--;
			t.end++;
		}
		while (cur != UINT32_MAX && tok[cur].end <= t.start) {
			uint32_t up = tok[cur].next;
			tok[cur].next = (uint32_t)i;
			cur = up;
		}
		switch (j.type) {
		case JSMN_OBJECT:
		case JSMN_ARRAY:
			t.type = j.type == JSMN_OBJECT ? JSON_OBJECT : JSON_ARRAY;
			t.size = (uint32_t)j.size;
			t.next = cur;
			memcpy(&tok[i], &t, sizeof t);
			cur = (uint32_t)i;
			continue;
		case JSMN_STRING:
			t.type = JSON_STRING;
			if (memchr(js + t.start + 1, '\\', t.end - t.start - 2))
				t.flags |= JSON_F_ESCAPED;
			if (j.size > 0)
				t.flags |= JSON_F_KEY;
			break;
		default:
			switch (js[t.start]) {
			case 't': t.type = JSON_TRUE; break;
			case 'f': t.type = JSON_FALSE; break;
			case 'n': t.type = JSON_NULL; break;
			default: {
				t.type = JSON_NUMBER;
				size_t k;
				for (k = t.start; k < t.end; k++)
					if (js[k] == '.' || js[k] == 'e' || js[k] == 'E')
						break;
				if (k == t.end)
					t.flags |= JSON_F_INT;
			}
			}
			break;
		}
		t.next = (uint32_t)i + 1;
		memcpy(&tok[i], &t, sizeof t);
	}
	while (cur != UINT32_MAX) {
		uint32_t up = tok[cur].next;
		tok[cur].next = (uint32_t)n;
		cur = up;
	}
}

static int tokenize(json_doc *doc, const char *js, size_t len, json_tok *toks, int n, json_err *err)
{
	jsmn_parser p;
	jsmn_init(&p);
	/* jsmn writes its own token type into the slots; convert() reads them back
	 * byte-wise (memcpy) before any json_tok access. */
	int r = jsmn_parse(&p, js, len, (jsmntok_t *)(void *)toks, (unsigned)n);
	if (r != n)  /* cannot happen on validated input */
		return set_err(err, ERR_INVAL, p.pos, "internal error: tokenizer disagrees with validator");
	convert(js, toks, n);
	doc->js = js;
	doc->len = len;
	doc->tok = toks;
	doc->ntok = n;
	return n;
}

static void doc_clear(json_doc *doc)
{
	if (doc)
		memset(doc, 0, sizeof *doc);
}

int json_parse(json_doc *doc, const char *js, size_t len, json_tok *toks,
	size_t ntoks, const json_opts *opts, json_err *err)
{
	doc_clear(doc);
	int rc = check_len(js, len, err);
	if (rc)
		return rc;
	if (!toks)
		ntoks = 0;
	vstate v;
	vinit(&v, js, len, opts, ntoks, err);
	if ((rc = vrun(&v)))
		return rc;
	return tokenize(doc, js, len, toks, (int)v.ntok, err);
}

int json_parse_arena(json_doc *doc, arena *a, const char *js, size_t len,
	const json_opts *opts, json_err *err)
{
	doc_clear(doc);
	int rc = check_len(js, len, err);
	if (rc)
		return rc;
	vstate v;
	vinit(&v, js, len, opts, (size_t)INT_MAX, err);
	if ((rc = vrun(&v)))
		return rc;
	json_tok *toks = arena_alloc(a, v.ntok * sizeof *toks);
	if (!toks)
		return set_err(err, ERR_NOMEM, 0, "out of memory for tokens");
	return tokenize(doc, js, len, toks, (int)v.ntok, err);
}

/* ------------------------------------------------------------------------ */
/* Walking                                                                  */

static const json_tok *tk(const json_doc *d, int i)
{
	if (!d || !d->tok || i < 0 || i >= d->ntok)
		return NULL;
	return &d->tok[i];
}

json_type json_typeof(const json_doc *d, int i)
{
	const json_tok *t = tk(d, i);
	return t ? (json_type)t->type : JSON_NONE;
}

const char *json_type_name(json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_FALSE: return "false";
	case JSON_TRUE: return "true";
	case JSON_NUMBER: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	case JSON_OBJECT: return "object";
	default: return "none";
	}
}

size_t json_size(const json_doc *d, int i)
{
	const json_tok *t = tk(d, i);
	return t ? t->size : 0;
}

int json_skip(const json_doc *d, int i)
{
	const json_tok *t = tk(d, i);
	return t ? (int)t->next : ERR_NOTFOUND;
}

str json_raw(const json_doc *d, int i)
{
	const json_tok *t = tk(d, i);
	return t ? str_make(d->js + t->start, t->end - t->start) : str_make("", 0);
}

json_iter json_iter_begin(const json_doc *d, int i)
{
	json_iter it = { 0, 0, false };
	const json_tok *t = tk(d, i);
	if (t && (t->type == JSON_ARRAY || t->type == JSON_OBJECT)) {
		it.next = i + 1;
		it.left = t->size;
		it.object = t->type == JSON_OBJECT;
	}
	return it;
}

bool json_iter_next(const json_doc *d, json_iter *it, int *key, int *val)
{
	if (!it->left || !tk(d, it->next))
		return false;
	int k = -1, v = it->next;
	if (it->object) {
		k = v;
		v = k + 1;
		if (!tk(d, v))
			return false;
	}
	it->left--;
	it->next = (int)d->tok[v].next;
	if (key)
		*key = k;
	if (val)
		*val = v;
	return true;
}

int json_getn(const json_doc *d, int obj, str key)
{
	const json_tok *t = tk(d, obj);
	if (!t || t->type != JSON_OBJECT)
		return t ? ERR_TYPE : ERR_NOTFOUND;
	int found = ERR_NOTFOUND, k, v;
	json_iter it = json_iter_begin(d, obj);
	while (json_iter_next(d, &it, &k, &v))
		if (json_str_eq(d, k, key))
			found = v;
	return found;
}

int json_get(const json_doc *d, int obj, const char *key)
{
	return json_getn(d, obj, str_from(key));
}

int json_at(const json_doc *d, int arr, size_t idx)
{
	const json_tok *t = tk(d, arr);
	if (!t || t->type != JSON_ARRAY)
		return t ? ERR_TYPE : ERR_NOTFOUND;
	if (idx >= t->size)
		return ERR_NOTFOUND;
	int e = arr + 1;
	while (idx--)
		e = (int)d->tok[e].next;
	return e;
}

int json_path(const json_doc *d, int from, const char *path)
{
	if (!tk(d, from))
		return ERR_NOTFOUND;
	if (!path || !*path)
		return from;
	int cur = from;
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const json_tok *t = &d->tok[cur];
		if (t->type == JSON_OBJECT) {
			cur = json_getn(d, cur, str_make(p, n));
		} else if (t->type == JSON_ARRAY) {
			if (n == 0)
				return ERR_TYPE;
			size_t idx = 0;
			for (size_t k = 0; k < n; k++) {
				if (!is_digit((unsigned char)p[k]))
					return ERR_TYPE;
				if (idx > (SIZE_MAX - 9) / 10)
					return ERR_NOTFOUND;
				idx = idx * 10 + (size_t)(p[k] - '0');
			}
			cur = json_at(d, cur, idx);
		} else {
			return ERR_TYPE;
		}
		if (cur < 0)
			return cur;
		if (!dot)
			return cur;
		p = dot + 1;
	}
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                  */

static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode one escape at s[*i] == '\\' into out (<= 4 bytes); advances *i.
 * Anything malformed (only possible on unvalidated input) becomes U+FFFD or
 * the escaped byte itself; never reads past n. */
static size_t unesc_one(const char *s, size_t n, size_t *i, char out[4])
{
	size_t k = *i;
	if (k + 1 >= n) {
		*i = n;
		return put_utf8(out, 0xFFFD);
	}
	char e = s[k + 1];
	*i = k + 2;
	switch (e) {
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: out[0] = e; return 1;
	}
	long u = n - k >= 6 ? hex4((const unsigned char *)s + k + 2) : -1;
	if (u < 0)
		return put_utf8(out, 0xFFFD);
	*i = k + 6;
	if (u >= 0xD800 && u <= 0xDBFF) {
		long u2 = -1;
		if (n - k >= 12 && s[k + 6] == '\\' && s[k + 7] == 'u')
			u2 = hex4((const unsigned char *)s + k + 8);
		if (u2 < 0xDC00 || u2 > 0xDFFF)
			return put_utf8(out, 0xFFFD);
		*i = k + 12;
		return put_utf8(out, 0x10000 + (((unsigned long)u - 0xD800) << 10) + ((unsigned long)u2 - 0xDC00));
	}
	if (u >= 0xDC00 && u <= 0xDFFF)
		return put_utf8(out, 0xFFFD);
	return put_utf8(out, (unsigned long)u);
}

size_t json_unescape(const char *s, size_t n, char *dst)
{
	size_t i = 0, o = 0;
	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
		memcpy(dst + o, s + i, run);
		o += run;
		i += run;
		if (i < n) {
			char tmp[4];
			size_t m = unesc_one(s, n, &i, tmp);
			memcpy(dst + o, tmp, m);
			o += m;
		}
	}
	return o;
}

int json_str_raw(const json_doc *d, int i, str *out)
{
	const json_tok *t = tk(d, i);
	if (!t || t->type != JSON_STRING) {
		*out = str_make("", 0);
		return ERR_TYPE;
	}
	*out = str_make(d->js + t->start + 1, t->end - t->start - 2);
	return 0;
}

int json_str_dup(const json_doc *d, int i, arena *a, str *out)
{
	str raw;
	int rc = json_str_raw(d, i, &raw);
	if (rc)
		return rc;
	char *p = arena_alloc(a, raw.n + 1);
	if (!p) {
		*out = str_make("", 0);
		return ERR_NOMEM;
	}
	size_t n = (d->tok[i].flags & JSON_F_ESCAPED) ? json_unescape(raw.p, raw.n, p) : raw.n;
	if (!(d->tok[i].flags & JSON_F_ESCAPED) && n)
		memcpy(p, raw.p, n);
	p[n] = '\0';
	*out = str_make(p, n);
	return 0;
}

int json_str(const json_doc *d, int i, arena *a, str *out)
{
	str raw;
	int rc = json_str_raw(d, i, &raw);
	if (rc)
		return rc;
	if (!(d->tok[i].flags & JSON_F_ESCAPED)) {
		*out = raw;
		return 0;
	}
	return json_str_dup(d, i, a, out);
}

int json_str_copy(const json_doc *d, int i, char *dst, size_t cap)
{
	str raw;
	int rc = json_str_raw(d, i, &raw);
	if (rc)
		return rc;
	size_t n;
	if (d->tok[i].flags & JSON_F_ESCAPED) {
		if (cap >= raw.n) {
			n = json_unescape(raw.p, raw.n, dst);
		} else {
			/* decode into pieces to learn whether it fits */
			size_t k = 0;
			n = 0;
			while (k < raw.n) {
				char tmp[4];
				size_t m;
				if (raw.p[k] == '\\') {
					m = unesc_one(raw.p, raw.n, &k, tmp);
				} else {
					tmp[0] = raw.p[k++];
					m = 1;
				}
				if (m > cap || n > cap - m)
					return ERR_TOOBIG;
				memcpy(dst + n, tmp, m);
				n += m;
			}
		}
	} else {
		n = raw.n;
		if (n > cap)
			return ERR_TOOBIG;
		if (n)
			memcpy(dst, raw.p, n);
	}
	if (n < cap)
		dst[n] = '\0';
	if (n > (size_t)INT_MAX)
		return ERR_TOOBIG;
	return (int)n;
}

int json_str_buf(const json_doc *d, int i, buf *b)
{
	str raw;
	int rc = json_str_raw(d, i, &raw);
	if (rc)
		return rc;
	if (!(d->tok[i].flags & JSON_F_ESCAPED))
		return buf_append(b, raw.p, raw.n);
	size_t old = b->len;
	if ((rc = buf_reserve(b, raw.n))) {
		/* the decoded form is shorter: maybe that still fits under the cap */
		if (rc != ERR_TOOBIG)
			return rc;
		size_t need = 0, k = 0;
		while (k < raw.n) {
			char tmp[4];
			need += raw.p[k] == '\\' ? unesc_one(raw.p, raw.n, &k, tmp) : (k++, 1);
		}
		if ((rc = buf_reserve(b, need)))
			return rc;
	}
	size_t n = json_unescape(raw.p, raw.n, b->data + old);
	b->len = old + n;
	b->data[b->len] = '\0';
	return 0;
}

bool json_str_eq(const json_doc *d, int i, str s)
{
	str raw;
	if (json_str_raw(d, i, &raw))
		return false;
	if (!(d->tok[i].flags & JSON_F_ESCAPED))
		return str_eq(raw, s);
	if (s.n > raw.n)   /* unescaping never grows */
		return false;
	size_t k = 0, o = 0;
	while (k < raw.n) {
		if (raw.p[k] != '\\') {
			if (o >= s.n || raw.p[k] != s.p[o])
				return false;
			k++;
			o++;
			continue;
		}
		char tmp[4];
		size_t m = unesc_one(raw.p, raw.n, &k, tmp);
		if (m > s.n - o || memcmp(tmp, s.p + o, m))
			return false;
		o += m;
	}
	return o == s.n;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */

/* A JSON number split into its parts; the value is
 * (-1)^neg * 0.digits... we keep: integer digits, fraction digits, exponent. */
typedef struct numparts {
	bool neg;
	const char *ip;  /* integer-part digits */
	size_t in;
	const char *fp;  /* fraction digits */
	size_t fn;
	long long exp;   /* exponent, saturated at +-1e15 */
} numparts;

static int num_split(const char *p, size_t n, numparts *np)
{
	size_t i = 0;
	memset(np, 0, sizeof *np);
	if (!p || n == 0)
		return ERR_INVAL;
	if (p[i] == '-') {
		np->neg = true;
		i++;
	}
	if (i >= n || !is_digit((unsigned char)p[i]))
		return ERR_INVAL;
	np->ip = p + i;
	if (p[i] == '0') {
		i++;
	} else {
		while (i < n && is_digit((unsigned char)p[i]))
			i++;
	}
	np->in = (size_t)(p + i - np->ip);
	if (i < n && p[i] == '.') {
		i++;
		np->fp = p + i;
		while (i < n && is_digit((unsigned char)p[i]))
			i++;
		np->fn = (size_t)(p + i - np->fp);
		if (np->fn == 0)
			return ERR_INVAL;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		bool eneg = false;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			eneg = p[i++] == '-';
		if (i >= n || !is_digit((unsigned char)p[i]))
			return ERR_INVAL;
		long long e = 0;
		while (i < n && is_digit((unsigned char)p[i])) {
			if (e < 1000000000000000LL)
				e = e * 10 + (p[i] - '0');
			i++;
		}
		np->exp = eneg ? -e : e;
	}
	return i == n ? 0 : ERR_INVAL;
}

/* Significant digits: the concatenation int+frac without leading and trailing
 * zeros. Accessed through sig_digit(); value = D * 10^E. */
typedef struct sig {
	const numparts *np;
	size_t first;    /* index of the first significant digit in int+frac */
	size_t count;    /* number of significant digits (0 means the value is 0) */
	long long e10;   /* E */
} sig;

static char cat_digit(const numparts *np, size_t k)
{
	return k < np->in ? np->ip[k] : np->fp[k - np->in];
}

static void sig_make(const numparts *np, sig *s)
{
	size_t tot = np->in + np->fn, a = 0, b = tot;
	while (a < tot && cat_digit(np, a) == '0')
		a++;
	while (b > a && cat_digit(np, b - 1) == '0')
		b--;
	s->np = np;
	s->first = a;
	s->count = b - a;
	/* digits after position b are zeros; D's last digit sits at 10^(tot-b)
	 * relative to the last fraction digit */
	s->e10 = np->exp - (long long)np->fn + (long long)(tot - b);
}

/* |value| as uint64 when it is an integer: 0, ERR_TYPE (fraction), ERR_RANGE */
static int num_mag_u64(const numparts *np, uint64_t *mag)
{
	sig s;
	sig_make(np, &s);
	*mag = 0;
	if (s.count == 0)
		return 0;
	if (s.e10 < 0)
		return ERR_TYPE;
	if (s.e10 > 20 || s.count > 20)
		return ERR_RANGE;
	uint64_t m = 0;
	for (size_t k = 0; k < s.count; k++) {
		unsigned dg = (unsigned)(cat_digit(np, s.first + k) - '0');
		if (m > (UINT64_MAX - dg) / 10)
			return ERR_RANGE;
		m = m * 10 + dg;
	}
	for (long long k = 0; k < s.e10; k++) {
		if (m > UINT64_MAX / 10)
			return ERR_RANGE;
		m *= 10;
	}
	*mag = m;
	return 0;
}

int json_num_u64(const char *p, size_t n, uint64_t *out)
{
	numparts np;
	uint64_t m;
	*out = 0;
	if (num_split(p, n, &np))
		return ERR_INVAL;
	int rc = num_mag_u64(&np, &m);
	if (rc)
		return rc;
	if (np.neg && m)
		return ERR_RANGE;
	*out = m;
	return 0;
}

int json_num_i64(const char *p, size_t n, int64_t *out)
{
	numparts np;
	uint64_t m;
	*out = 0;
	if (num_split(p, n, &np))
		return ERR_INVAL;
	int rc = num_mag_u64(&np, &m);
	if (rc)
		return rc;
	if (np.neg) {
		if (m > (uint64_t)INT64_MAX + 1)
			return ERR_RANGE;
		*out = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
	} else {
		if (m > (uint64_t)INT64_MAX)
			return ERR_RANGE;
		*out = (int64_t)m;
	}
	return 0;
}

/* Significant digits kept for strtod: more than the 767 a binary64 midpoint
 * can need; anything beyond is replaced by a sticky '1' (the dropped tail is
 * never all zeros, since trailing zeros were stripped). */
#define NUM_KEEP 800

int json_num_double(const char *p, size_t n, double *out)
{
	numparts np;
	sig s;
	*out = 0;
	if (num_split(p, n, &np))
		return ERR_INVAL;
	sig_make(&np, &s);
	if (s.count == 0) {
		*out = np.neg ? -0.0 : 0.0;
		return 0;
	}
#if FLT_EVAL_METHOD == 0
	/* Clinger's fast path: a significand below 2^53 and a power of ten up to
	 * 1e22 are both exact doubles, so one IEEE multiply/divide rounds
	 * correctly. Covers most numbers seen in practice without strtod. */
	if (s.count <= 15 && s.e10 >= -22 && s.e10 <= 22) {
		static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
			1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
		uint64_t m = 0;
		for (size_t k = 0; k < s.count; k++)
			m = m * 10 + (uint64_t)(cat_digit(&np, s.first + k) - '0');
		double r = (double)m;
		r = s.e10 >= 0 ? r * p10[s.e10] : r / p10[-s.e10];
		*out = np.neg ? -r : r;
		return 0;
	}
#endif
	char tmp[1 + NUM_KEEP + 2 + 24];
	size_t o = 0, cnt = s.count;
	long long e = s.e10;
	if (np.neg)
		tmp[o++] = '-';
	if (cnt > NUM_KEEP) {
		for (size_t k = 0; k < NUM_KEEP - 1; k++)
			tmp[o++] = cat_digit(&np, s.first + k);
		tmp[o++] = '1';
		e += (long long)(cnt - NUM_KEEP);
	} else {
		for (size_t k = 0; k < cnt; k++)
			tmp[o++] = cat_digit(&np, s.first + k);
	}
	/* far outside double's range either way; keeps the text short */
	if (e > 99999)
		e = 99999;
	if (e < -99999)
		e = -99999;
	o += (size_t)snprintf(tmp + o, sizeof tmp - o, "e%lld", e);
	int saved = errno;
	char *endp;
	double v = strtod(tmp, &endp);
	errno = saved;
	if ((size_t)(endp - tmp) != o)
		return ERR_INVAL;   /* cannot happen: no locale-dependent characters */
	*out = v;
	return isinf(v) ? ERR_RANGE : 0;
}

static int num_tok(const json_doc *d, int i, str *txt)
{
	const json_tok *t = tk(d, i);
	if (!t || t->type != JSON_NUMBER)
		return ERR_TYPE;
	*txt = str_make(d->js + t->start, t->end - t->start);
	return 0;
}

int json_i64(const json_doc *d, int i, int64_t *out)
{
	str s;
	*out = 0;
	int rc = num_tok(d, i, &s);
	return rc ? rc : json_num_i64(s.p, s.n, out);
}

int json_u64(const json_doc *d, int i, uint64_t *out)
{
	str s;
	*out = 0;
	int rc = num_tok(d, i, &s);
	return rc ? rc : json_num_u64(s.p, s.n, out);
}

int json_double(const json_doc *d, int i, double *out)
{
	str s;
	*out = 0;
	int rc = num_tok(d, i, &s);
	return rc ? rc : json_num_double(s.p, s.n, out);
}

int json_bool(const json_doc *d, int i, bool *out)
{
	json_type t = json_typeof(d, i);
	if (t != JSON_TRUE && t != JSON_FALSE)
		return ERR_TYPE;
	*out = t == JSON_TRUE;
	return 0;
}

bool json_is_null(const json_doc *d, int i) { return json_typeof(d, i) == JSON_NULL; }
