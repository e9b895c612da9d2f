/* fuzz_json.c — libFuzzer target for src/json: parse (checked against an
 * independent reference recognizer), walk every token, unescape every
 * string, convert every number, re-serialize through the writer (compact and
 * pretty), re-parse and require a fixpoint. Also escapes the raw input as a
 * string and requires it to parse back. abort() on any violated invariant. */
#include "json/json.h"
#include "json/json_write.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "fuzz_json: %s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } } while (0)

/* ---- reference recognizer: deliberately naive, recursive ---------------- */

typedef struct ref { const unsigned char *s; size_t n, i; int depth; int bad; int code; } ref;

static void r_ws(ref *r) { while (r->i < r->n && strchr(" \t\r\n", r->s[r->i]) && r->s[r->i]) r->i++; }
static int r_peek(ref *r) { return r->i < r->n ? r->s[r->i] : -1; }
static void r_fail(ref *r, int code) { if (!r->bad) { r->bad = 1; r->code = code; } }
static int r_hex(int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static long r_u4(ref *r)
{
	if (r->n - r->i < 4) { r_fail(r, ERR_INVAL); return -1; }
	char t[5] = { 0 };
	for (int k = 0; k < 4; k++) {
		if (!r_hex(r->s[r->i + k])) { r_fail(r, ERR_INVAL); return -1; }
		t[k] = (char)r->s[r->i + k];
	}
	r->i += 4;
	return strtol(t, NULL, 16);
}

static void r_string(ref *r)
{
	r->i++;   /* quote */
	while (!r->bad) {
		int c = r_peek(r);
		if (c < 0) { r_fail(r, ERR_INVAL); return; }
		if (c == '"') { r->i++; return; }
		if (c < 0x20) { r_fail(r, ERR_INVAL); return; }
		if (c == '\\') {
			r->i++;
			c = r_peek(r);
			if (c < 0 || !strchr("\"\\/bfnrtu", c) || !c) { r_fail(r, ERR_INVAL); return; }
			r->i++;
			if (c != 'u')
				continue;
			long u = r_u4(r);
			if (u < 0)
				return;
			if (u >= 0xDC00 && u <= 0xDFFF) { r_fail(r, ERR_UTF8); return; }
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u') { r_fail(r, ERR_UTF8); return; }
				r->i += 2;
				long lo = r_u4(r);
				if (lo < 0)
					return;
				if (lo < 0xDC00 || lo > 0xDFFF) { r_fail(r, ERR_UTF8); return; }
			}
			continue;
		}
		if (c < 0x80) { r->i++; continue; }
		/* UTF-8 by code point value */
		int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
		if (!len || c > 0xF4 || r->n - r->i < (size_t)len) { r_fail(r, ERR_UTF8); return; }
		unsigned long cp = (unsigned long)c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
		for (int k = 1; k < len; k++) {
			int b = r->s[r->i + (size_t)k];
			if ((b & 0xC0) != 0x80) { r_fail(r, ERR_UTF8); return; }
			cp = cp << 6 | (unsigned long)(b & 0x3F);
		}
		unsigned long min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { r_fail(r, ERR_UTF8); return; }
		r->i += (size_t)len;
	}
}

static void r_digits(ref *r)
{
	if (r_peek(r) < '0' || r_peek(r) > '9') { r_fail(r, ERR_INVAL); return; }
	while (r_peek(r) >= '0' && r_peek(r) <= '9')
		r->i++;
}

static void r_value(ref *r);

static void r_value(ref *r)
{
	r_ws(r);
	int c = r_peek(r);
	if (r->bad)
		return;
	if (c == '{' || c == '[') {
		if (++r->depth > LIMIT_JSON_DEPTH) { r_fail(r, ERR_DEPTH); return; }
		r->i++;
		r_ws(r);
		int close = c == '{' ? '}' : ']';
		if (r_peek(r) == close) { r->i++; r->depth--; return; }
		for (;;) {
			if (c == '{') {
				r_ws(r);
				if (r_peek(r) != '"') { r_fail(r, ERR_INVAL); return; }
				r_string(r);
				r_ws(r);
				if (r->bad || r_peek(r) != ':') { r_fail(r, ERR_INVAL); return; }
				r->i++;
			}
			r_value(r);
			if (r->bad)
				return;
			r_ws(r);
			if (r_peek(r) == ',') { r->i++; continue; }
			if (r_peek(r) == close) { r->i++; r->depth--; return; }
			r_fail(r, ERR_INVAL);
			return;
		}
	}
	if (c == '"') { r_string(r); return; }
	if (c == '-' || (c >= '0' && c <= '9')) {
		if (c == '-')
			r->i++;
		if (r_peek(r) == '0')
			r->i++;
		else
			r_digits(r);
		if (r_peek(r) == '.') { r->i++; r_digits(r); }
		if (r_peek(r) == 'e' || r_peek(r) == 'E') {
			r->i++;
			if (r_peek(r) == '+' || r_peek(r) == '-')
				r->i++;
			r_digits(r);
		}
		return;
	}
	static const char *lits[] = { "true", "false", "null" };
	for (int k = 0; k < 3; k++) {
		size_t L = strlen(lits[k]);
		if (r->n - r->i >= L && !memcmp(r->s + r->i, lits[k], L)) { r->i += L; return; }
	}
	r_fail(r, ERR_INVAL);
}

/* 1 = valid, else the error class */
static int ref_check(const uint8_t *d, size_t n, int *code)
{
	ref r = { d, n, 0, 0, 0, 0 };
	r_value(&r);
	r_ws(&r);
	if (!r.bad && r.i != n)
		r_fail(&r, ERR_INVAL);
	*code = r.code;
	return !r.bad;
}

/* ---- re-serializer -------------------------------------------------------- */

static void emit(const json_doc *d, int i, json_writer *w, arena *a)
{
	str s;
	int k, v;
	json_iter it;
	switch (json_typeof(d, i)) {
	case JSON_OBJECT:
		json_write_obj_begin(w);
		it = json_iter_begin(d, i);
		while (json_iter_next(d, &it, &k, &v)) {
			REQUIRE(json_str(d, k, a, &s) == 0);
			json_write_keyn(w, s.p, s.n);
			emit(d, v, w, a);
		}
		json_write_obj_end(w);
		return;
	case JSON_ARRAY:
		json_write_arr_begin(w);
		it = json_iter_begin(d, i);
		while (json_iter_next(d, &it, NULL, &v))
			emit(d, v, w, a);
		json_write_arr_end(w);
		return;
	case JSON_STRING:
		REQUIRE(json_str(d, i, a, &s) == 0);
		json_write_strn(w, s.p, s.n);
		return;
	case JSON_NUMBER:
		s = json_raw(d, i);
		json_write_raw(w, s.p, s.n);
		return;
	case JSON_TRUE: json_write_bool(w, true); return;
	case JSON_FALSE: json_write_bool(w, false); return;
	case JSON_NULL: json_write_null(w); return;
	default: REQUIRE(0);
	}
}

/* ---- invariants on a parsed document ------------------------------------------ */

static void check_string(const json_doc *d, int i, arena *a)
{
	str s, raw, dup;
	REQUIRE(json_str(d, i, a, &s) == 0);
	REQUIRE(json_str_raw(d, i, &raw) == 0);
	REQUIRE(s.n <= raw.n);
	REQUIRE(json_utf8_valid(s.p, s.n));
	REQUIRE(json_str_eq(d, i, s));
	if (s.n)
		REQUIRE(!json_str_eq(d, i, str_make(s.p, s.n - 1)));
	REQUIRE(json_str_dup(d, i, a, &dup) == 0);
	REQUIRE(dup.n == s.n && !memcmp(dup.p, s.p, s.n) && dup.p[dup.n] == 0);
	char *tmp = malloc(s.n + 1);
	REQUIRE(json_str_copy(d, i, tmp, s.n) == (int)s.n);
	REQUIRE(!memcmp(tmp, s.p, s.n));
	if (s.n)
		REQUIRE(json_str_copy(d, i, tmp, s.n - 1) == ERR_TOOBIG);
	free(tmp);
	buf b = { 0 };
	REQUIRE(json_str_buf(d, i, &b) == 0);
	REQUIRE(b.len == s.n && (!s.n || !memcmp(b.data, s.p, s.n)));
	buf_free(&b);
}

static void check_number(const json_doc *d, int i)
{
	int64_t iv;
	uint64_t uv;
	double dv;
	int ri = json_i64(d, i, &iv);
	int ru = json_u64(d, i, &uv);
	int rd = json_double(d, i, &dv);
	REQUIRE(ri == 0 || ri == ERR_RANGE || ri == ERR_TYPE);
	REQUIRE(ru == 0 || ru == ERR_RANGE || ru == ERR_TYPE);
	REQUIRE(rd == 0 || rd == ERR_RANGE);
	REQUIRE(rd == 0 || isinf(dv));
	if (ri == ERR_TYPE || ru == ERR_TYPE)
		REQUIRE(ri == ru && !(d->tok[i].flags & JSON_F_INT));
	if (ri == 0 && ru == 0)
		REQUIRE(iv >= 0 && (uint64_t)iv == uv);
	if (ri == 0 && iv > -(1LL << 53) && iv < (1LL << 53))
		REQUIRE(rd == 0 && dv == (double)iv);
	{
		/* differential: the C library's strtod on the raw text (C locale) */
		str raw = json_raw(d, i);
		char *z = malloc(raw.n + 1);
		memcpy(z, raw.p, raw.n);
		z[raw.n] = 0;
		double ref = strtod(z, NULL);
		free(z);
		REQUIRE(memcmp(&ref, &dv, sizeof dv) == 0);
	}
	if (rd == 0) {
		/* the writer's shortest form reads back to the same double */
		char t[JSON_DOUBLE_BUF];
		size_t n = json_fmt_double(t, dv);
		double back;
		REQUIRE(n > 0 && json_num_double(t, n, &back) == 0);
		REQUIRE(memcmp(&back, &dv, sizeof dv) == 0);
	}
}

/* Dotted paths: every value reachable through non-empty keys without '.' or
 * NUL (and not shadowed by a later duplicate key) is found by json_path. */
static void check_paths(const json_doc *d, int i, buf *path, arena *a)
{
	REQUIRE(json_path(d, 0, path->data ? path->data : "") == i);
	json_iter it = json_iter_begin(d, i);
	int k, v;
	size_t idx = 0, old = path->len;
	while (json_iter_next(d, &it, &k, &v)) {
		buf_truncate(path, old);
		if (old)
			REQUIRE(buf_putc(path, '.') == 0);
		if (k >= 0) {
			str key;
			REQUIRE(json_str(d, k, a, &key) == 0);
			if (!key.n || memchr(key.p, '.', key.n) || memchr(key.p, 0, key.n) || json_getn(d, i, key) != v)
				continue;
			REQUIRE(buf_append(path, key.p, key.n) == 0);
		} else {
			REQUIRE(buf_printf(path, "%zu", idx++) == 0);
		}
		check_paths(d, v, path, a);
	}
	buf_truncate(path, old);
}

static void check_doc(const json_doc *d, size_t size, arena *a)
{
	REQUIRE(d->ntok > 0 && (size_t)d->ntok <= (size + 1) / 2);
	REQUIRE(json_skip(d, 0) == d->ntok);
	str root = json_raw(d, 0);
	REQUIRE(root.p >= d->js && root.p + root.n <= d->js + d->len);
	for (int i = 0; i < d->ntok; i++) {
		const json_tok *t = &d->tok[i];
		REQUIRE(t->start < t->end && t->end <= d->len);
		REQUIRE((int)t->next > i && (int)t->next <= d->ntok);
		if (t->next < (uint32_t)d->ntok)
			REQUIRE(d->tok[t->next].start >= t->end);
		switch (json_typeof(d, i)) {
		case JSON_OBJECT:
		case JSON_ARRAY: {
			json_iter it = json_iter_begin(d, i);
			int k, v, last = i + 1;
			size_t cnt = 0;
			bool obj = json_typeof(d, i) == JSON_OBJECT;
			while (json_iter_next(d, &it, &k, &v)) {
				cnt++;
				REQUIRE(d->tok[v].start > t->start && d->tok[v].end < t->end);
				if (obj) {
					REQUIRE(json_typeof(d, k) == JSON_STRING && (d->tok[k].flags & JSON_F_KEY));
					str key;
					REQUIRE(json_str(d, k, a, &key) == 0);
					int found = json_getn(d, i, key);
					REQUIRE(found >= v);   /* last occurrence wins */
					REQUIRE(json_str_eq(d, found - 1, key));
				} else {
					REQUIRE(k == -1 && json_at(d, i, cnt - 1) == v);
				}
				last = json_skip(d, v);
			}
			REQUIRE(cnt == json_size(d, i));
			REQUIRE(last == (int)t->next);
			break;
		}
		case JSON_STRING:
			check_string(d, i, a);
			break;
		case JSON_NUMBER:
			check_number(d, i);
			break;
		case JSON_TRUE:
		case JSON_FALSE:
		case JSON_NULL:
			REQUIRE(t->next == (uint32_t)i + 1);
			break;
		default:
			REQUIRE(0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a = { 0 };
	json_doc d;
	json_err e = { 0 };
	const char *js = (const char *)data;

	int rc = json_parse_arena(&d, &a, js, size, NULL, &e);
	int refcode = 0;
	int refok = ref_check(data, size, &refcode);
	REQUIRE(json_validate(js, size, NULL, NULL) == rc);
	if (rc <= 0) {
		REQUIRE(rc == ERR_INVAL || rc == ERR_UTF8 || rc == ERR_DEPTH || rc == ERR_TOOBIG);
		REQUIRE(e.code == rc && e.offset <= size && e.msg[0]);
		REQUIRE(!refok);
		/* the reference stops at the first error too: same class, except that
		 * it has no token cap */
		if (rc != ERR_TOOBIG)
			REQUIRE(refcode == rc);
		goto done;
	}
	REQUIRE(refok);
	/* the caller-array API agrees */
	{
		json_tok *t = malloc((size_t)rc * sizeof *t);
		json_doc d2;
		REQUIRE(json_parse(&d2, js, size, t, (size_t)rc, NULL, NULL) == rc);
		REQUIRE(!memcmp(t, d.tok, (size_t)rc * sizeof *t));
		REQUIRE(json_parse(&d2, js, size, t, (size_t)rc - 1, NULL, NULL) == ERR_TOOBIG);
		free(t);
	}
	check_doc(&d, size, &a);
	{
		buf path = { 0 };
		check_paths(&d, 0, &path, &a);
		buf_free(&path);
	}

	/* re-serialize: compact and pretty both parse, and reach a fixpoint */
	buf b1 = { 0 }, b2 = { 0 }, bp = { 0 };
	json_writer w1 = { .out = &b1 }, w2 = { .out = &b2 }, wp = { .out = &bp, .flags = JSON_W_PRETTY };
	emit(&d, 0, &w1, &a);
	REQUIRE(json_write_finish(&w1) == 0);
	emit(&d, 0, &wp, &a);
	REQUIRE(json_write_finish(&wp) == 0);
	json_doc d1, dp;
	REQUIRE(json_parse_arena(&d1, &a, b1.data, b1.len, NULL, NULL) == rc);
	REQUIRE(json_parse_arena(&dp, &a, bp.data, bp.len, NULL, NULL) == rc);
	emit(&d1, 0, &w2, &a);
	REQUIRE(json_write_finish(&w2) == 0);
	REQUIRE(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len));
	buf_reset(&b2);
	json_write_init(&w2, &b2, 0);
	emit(&dp, 0, &w2, &a);
	REQUIRE(b1.len == b2.len && !memcmp(b1.data, b2.data, b1.len));
	/* raw pass-through is byte for byte */
	buf_reset(&b2);
	json_write_init(&w2, &b2, 0);
	str raw = json_raw(&d, 0);
	REQUIRE(json_write_raw(&w2, raw.p, raw.n) == 0 && json_write_finish(&w2) == 0);
	REQUIRE(b2.len == raw.n && !memcmp(b2.data, raw.p, raw.n));
	buf_free(&b1);
	buf_free(&b2);
	buf_free(&bp);

done:
	/* any bytes, escaped as a string, parse back to valid UTF-8 (equal to the
	 * input when it was valid UTF-8) */
	{
		buf s = { 0 };
		REQUIRE(json_escape_buf(&s, js, size, 0) == 0);
		json_doc ds;
		REQUIRE(json_parse_arena(&ds, &a, s.data, s.len, NULL, NULL) == 1);
		str out;
		REQUIRE(json_str(&ds, 0, &a, &out) == 0);
		REQUIRE(json_utf8_valid(out.p, out.n));
		bool valid = json_utf8_valid(js, size);
		if (valid)
			REQUIRE(out.n == size && (!size || !memcmp(out.p, js, size)));
		buf_reset(&s);
		REQUIRE(json_escape_buf(&s, js, size, JSON_W_STRICT_UTF8) == (valid ? 0 : ERR_UTF8));
		buf_free(&s);
	}
	arena_free(&a);
	return 0;
}
