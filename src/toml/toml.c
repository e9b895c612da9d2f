/* toml.c — TOML 1.0.0 parser: one pass over the bytes into an arena tree.
 * What may be defined or extended later is decided by the value flags
 * (TOML_F_* in toml.h); key lookups during the parse go through a private
 * hash index, so a table with many keys stays linear. */
#include "toml/toml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/limits.h"

/* One segment of a (dotted) key, already unescaped into the arena. */
typedef struct kseg {
	const char *p;
	size_t n;
	toml_pos pos;
} kseg;

/* Parse-time index entry: (table, key) -> position in the table's items. */
typedef struct hent {
	const toml_value *t;  /* NULL = free slot */
	size_t h;
	size_t idx;
} hent;

typedef struct tp {
	arena *a;
	const unsigned char *s;
	size_t n, i;            /* text length, cursor */
	size_t text_start;      /* 3 after a UTF-8 BOM, else 0 */
	size_t line_start;      /* offset of the first byte of the current line */
	uint32_t line;          /* current line, 1-based */
	toml_error *err;
	int failed;
	char *buf;              /* scratch for strings and numbers (malloc) */
	size_t buf_n, buf_cap;
	hent *ht;               /* key index (malloc) */
	size_t ht_cap, ht_n;
	toml_value *root, *cur; /* document root, table of the current [section] */
	int cur_depth;          /* depth of cur (root = 0) */
	kseg segs[LIMIT_TOML_DEPTH];  /* the key being parsed */
	int nseg;
} tp;

/* ---- positions and errors ------------------------------------------------ */

static toml_pos pos_of(const tp *P, size_t off)
{
	toml_pos r;
	if (off >= P->line_start) {
		r.line = P->line;
		r.col = (uint32_t)(off - P->line_start + 1);
		return r;
	}
	/* an earlier line (e.g. the opening quote of a multi-line string) */
	uint32_t line = 1;
	size_t ls = P->text_start;
	for (size_t k = P->text_start; k < off; k++) {
		if (P->s[k] == '\n') {
			line++;
			ls = k + 1;
		}
	}
	r.line = line;
	r.col = (uint32_t)(off - ls + 1);
	return r;
}

__attribute__((format(printf, 4, 5)))
static int fail(tp *P, toml_pos pos, int rc, const char *fmt, ...)
{
	if (!P->failed) {
		P->failed = 1;
		if (P->err) {
			va_list ap;
			P->err->pos = pos;
			va_start(ap, fmt);
			vsnprintf(P->err->msg, sizeof P->err->msg, fmt, ap);
			va_end(ap);
		}
	}
	return rc;
}

#define FAIL_AT(off, ...) fail(P, pos_of(P, (off)), ERR_INVAL, __VA_ARGS__)

static int nomem(tp *P)
{
	return fail(P, pos_of(P, P->i < P->n ? P->i : P->n), ERR_NOMEM, "out of memory");
}

/* A short human description of the byte at off, for messages. */
typedef struct cdesc {
	char s[40];
} cdesc;

static cdesc describe(const tp *P, size_t off)
{
	cdesc d;
	if (off >= P->n) {
		snprintf(d.s, sizeof d.s, "end of file");
		return d;
	}
	unsigned c = P->s[off];
	if (c == '\n' || (c == '\r' && off + 1 < P->n && P->s[off + 1] == '\n'))
		snprintf(d.s, sizeof d.s, "end of line");
	else if (c == '\r')
		snprintf(d.s, sizeof d.s, "carriage return without newline");
	else if (c < 0x20 || c == 0x7f)
		snprintf(d.s, sizeof d.s, "control character U+%04X", c);
	else if (c < 0x80)
		snprintf(d.s, sizeof d.s, "'%c'", (char)c);
	else {
		int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;  /* text is valid UTF-8 */
		snprintf(d.s, sizeof d.s, "'%.*s'", len, (const char *)P->s + off);
	}
	return d;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* A key for messages: bare keys as written, others in double quotes with
 * escapes, truncated with "..." to fit out[cap]. */
static void fmt_key_into(char *out, size_t cap, size_t *len, const char *k, size_t n)
{
	bool bare = n > 0;
	for (size_t j = 0; j < n && bare; j++)
		bare = is_bare((unsigned char)k[j]);
	size_t o = *len;
#define PUT(ch) do { if (o + 1 < cap) out[o++] = (ch); } while (0)
	if (!bare)
		PUT('"');
	for (size_t j = 0; j < n; j++) {
		unsigned char c = (unsigned char)k[j];
		if (o + 12 >= cap) {
			/* keep room for "...": cut at a character boundary */
			while (o > *len && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
				o--;
			if (o > *len && (unsigned char)out[o - 1] >= 0xC0)
				o--;
			PUT('.'); PUT('.'); PUT('.');
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04X", c);
		} else if (c == '"' || c == '\\') {
			PUT('\\');
			PUT((char)c);
		} else {
			PUT((char)c);
		}
	}
	if (!bare)
		PUT('"');
#undef PUT
	out[o] = '\0';
	*len = o;
}

typedef struct kname {
	char s[96];
} kname;

/* segs[0..n) joined by dots, e.g. a.b."c d" */
static kname path_name(const kseg *segs, int n)
{
	kname r;
	size_t len = 0;
	r.s[0] = '\0';
	for (int j = 0; j < n; j++) {
		if (j && len + 1 < sizeof r.s) {
			r.s[len++] = '.';
			r.s[len] = '\0';
		}
		fmt_key_into(r.s, sizeof r.s, &len, segs[j].p, segs[j].n);
	}
	return r;
}

static kname key_name(const char *k, size_t n)
{
	kseg g;
	g.p = k;
	g.n = n;
	return path_name(&g, 1);
}

/* ---- scanning helpers ------------------------------------------------------ */

static int peekc(const tp *P)
{
	return P->i < P->n ? P->s[P->i] : -1;
}

static int peekc_at(const tp *P, size_t k)
{
	return P->i + k < P->n ? P->s[P->i + k] : -1;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool at_nl(const tp *P)
{
	int c = peekc(P);
	return c == '\n' || (c == '\r' && peekc_at(P, 1) == '\n');
}

static void eat_nl(tp *P)
{
	if (P->s[P->i] == '\r')
		P->i++;
	P->i++;
	P->line++;
	P->line_start = P->i;
}

static void skip_ws(tp *P)
{
	while (P->i < P->n && (P->s[P->i] == ' ' || P->s[P->i] == '\t'))
		P->i++;
}

/* At '#': consume the comment up to (not including) the newline. */
static int skip_comment(tp *P)
{
	P->i++;
	while (P->i < P->n) {
		unsigned c = P->s[P->i];
		if (c == '\n')
			break;
		if (c == '\r') {
			if (peekc_at(P, 1) == '\n')
				break;
			return FAIL_AT(P->i, "carriage return without newline in comment");
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return FAIL_AT(P->i, "control character U+%04X not allowed in comment", c);
		P->i++;
	}
	return 0;
}

/* Whitespace, newlines and comments (inside arrays). */
static int skip_wsnl(tp *P)
{
	for (;;) {
		skip_ws(P);
		if (peekc(P) == '#') {
			int rc = skip_comment(P);
			if (rc)
				return rc;
			continue;
		}
		if (at_nl(P)) {
			eat_nl(P);
			continue;
		}
		return 0;
	}
}

/* After a statement: optional whitespace and comment, then newline or EOF. */
static int end_line(tp *P, const char *what)
{
	skip_ws(P);
	if (peekc(P) == '#') {
		int rc = skip_comment(P);
		if (rc)
			return rc;
	}
	if (P->i >= P->n)
		return 0;
	if (at_nl(P)) {
		eat_nl(P);
		return 0;
	}
	cdesc d = describe(P, P->i);
	return FAIL_AT(P->i, "expected end of line after %s, found %s", what, d.s);
}

/* ---- scratch buffer -------------------------------------------------------- */

static int buf_put(tp *P, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (n > P->buf_cap - P->buf_n) {
		size_t nc = P->buf_cap ? P->buf_cap : 256;
		while (nc - P->buf_n < n) {
			if (nc > SIZE_MAX / 2)
				return nomem(P);
			nc *= 2;
		}
		char *b = realloc(P->buf, nc);
		if (!b)
			return nomem(P);
		P->buf = b;
		P->buf_cap = nc;
	}
	memcpy(P->buf + P->buf_n, p, n);
	P->buf_n += n;
	return 0;
}

static int buf_putc(tp *P, char c)
{
	return buf_put(P, &c, 1);
}

static int buf_put_utf8(tp *P, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_put(P, u, n);
}

/* ---- UTF-8 ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
	if (!len || n < len)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if (c == 0xE0 && s[1] < 0xA0)
		return 0;
	if (c == 0xED && s[1] >= 0xA0)
		return 0;
	if (c == 0xF0 && s[1] < 0x90)
		return 0;
	if (c == 0xF4 && s[1] >= 0x90)
		return 0;
	return len;
}

static int check_utf8(tp *P)
{
	uint32_t line = 1;
	size_t ls = P->text_start;
	for (size_t k = P->text_start; k < P->n;) {
		unsigned c = P->s[k];
		if (c < 0x80) {
			if (c == '\n') {
				line++;
				ls = k + 1;
			}
			k++;
			continue;
		}
		size_t len = utf8_seq(P->s + k, P->n - k);
		if (!len) {
			toml_pos pos = { line, (uint32_t)(k - ls + 1) };
			return fail(P, pos, ERR_UTF8, "invalid UTF-8 byte 0x%02X", c);
		}
		k += len;
	}
	return 0;
}

/* ---- tree building ----------------------------------------------------------- */

static toml_value *new_value(tp *P, toml_type t, toml_pos pos, unsigned flags)
{
	toml_value *v = arena_calloc(P->a, 1, sizeof *v);
	if (v) {
		v->type = t;
		v->pos = pos;
		v->flags = flags;
	}
	return v;
}

static size_t hkey(const toml_value *t, const char *k, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)t;
	for (size_t j = 0; j < n; j++) {
		h ^= (unsigned char)k[j];
		h *= 1099511628211ull;
	}
	h ^= h >> 29;
	return (size_t)h;
}

static toml_kv *tab_find(const tp *P, const toml_value *t, const char *k, size_t n)
{
	if (!P->ht_cap || !t->u.tab.n)
		return NULL;
	size_t h = hkey(t, k, n), m = P->ht_cap - 1;
	for (size_t j = h & m;; j = (j + 1) & m) {
		const hent *e = &P->ht[j];
		if (!e->t)
			return NULL;
		if (e->t == t && e->h == h) {
			toml_kv *kv = &t->u.tab.items[e->idx];
			if (kv->key_len == n && !memcmp(kv->key, k, n))
				return kv;
		}
	}
}

static void ht_place(hent *ht, size_t cap, const hent *e)
{
	size_t m = cap - 1;
	size_t j = e->h & m;
	while (ht[j].t)
		j = (j + 1) & m;
	ht[j] = *e;
}

static int ht_insert(tp *P, const toml_value *t, size_t h, size_t idx)
{
	if ((P->ht_n + 1) * 2 > P->ht_cap) {
		size_t nc = P->ht_cap ? P->ht_cap * 2 : 64;
		if (nc > SIZE_MAX / sizeof(hent))
			return nomem(P);
		hent *nt = calloc(nc, sizeof(hent));
		if (!nt)
			return nomem(P);
		for (size_t j = 0; j < P->ht_cap; j++)
			if (P->ht[j].t)
				ht_place(nt, nc, &P->ht[j]);
		free(P->ht);
		P->ht = nt;
		P->ht_cap = nc;
	}
	hent e = { t, h, idx };
	ht_place(P->ht, P->ht_cap, &e);
	P->ht_n++;
	return 0;
}

/* Items arrays grow by doubling; the capacity is implied by the count:
 * 0 -> 0, 1..4 -> 4, else the next power of two. */
static bool grow_needed(size_t n)
{
	return n == 0 || (n >= 4 && !(n & (n - 1)));
}

static int tab_add(tp *P, toml_value *t, const kseg *k, toml_value *v)
{
	size_t n = t->u.tab.n;
	if (grow_needed(n)) {
		size_t nc = n ? n * 2 : 4;
		if (nc > SIZE_MAX / sizeof(toml_kv))
			return nomem(P);
		toml_kv *it = arena_realloc(P->a, t->u.tab.items, n * sizeof(toml_kv), nc * sizeof(toml_kv));
		if (!it)
			return nomem(P);
		t->u.tab.items = it;
	}
	toml_kv *kv = &t->u.tab.items[n];
	kv->key = k->p;
	kv->key_len = k->n;
	kv->key_pos = k->pos;
	kv->val = v;
	t->u.tab.n = n + 1;
	return ht_insert(P, t, hkey(t, k->p, k->n), n);
}

static int arr_push(tp *P, toml_value *arr, toml_value *v)
{
	size_t n = arr->u.arr.n;
	if (grow_needed(n)) {
		size_t nc = n ? n * 2 : 4;
		if (nc > SIZE_MAX / sizeof(toml_value *))
			return nomem(P);
		toml_value **it = arena_realloc(P->a, arr->u.arr.items, n * sizeof(toml_value *),
		                                nc * sizeof(toml_value *));
		if (!it)
			return nomem(P);
		arr->u.arr.items = it;
	}
	arr->u.arr.items[n] = v;
	arr->u.arr.n = n + 1;
	return 0;
}

static int too_deep(tp *P, toml_pos pos)
{
	return fail(P, pos, ERR_DEPTH, "nesting too deep (limit %d levels)", LIMIT_TOML_DEPTH);
}

/* ---- strings --------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int ctrl_in_string(tp *P)
{
	unsigned c = P->s[P->i];
	if (c == '\r')
		return FAIL_AT(P->i, "carriage return without newline in string");
	return FAIL_AT(P->i, "control character U+%04X in string (write it as an escape)", c);
}

/* At a backslash inside a basic string. */
static int escape(tp *P, bool ml)
{
	size_t bs = P->i;
	int c = peekc_at(P, 1);
	char out;
	switch (c) {
	case 'b': out = '\b'; break;
	case 't': out = '\t'; break;
	case 'n': out = '\n'; break;
	case 'f': out = '\f'; break;
	case 'r': out = '\r'; break;
	case '"': out = '"'; break;
	case '\\': out = '\\'; break;
	case 'u':
	case 'U': {
		int nd = c == 'u' ? 4 : 8;
		uint32_t cp = 0;
		for (int k = 0; k < nd; k++) {
			int h = hexval(peekc_at(P, 2 + (size_t)k));
			if (h < 0)
				return FAIL_AT(bs, "invalid unicode escape: '\\%c' needs %d hex digits", c, nd);
			cp = cp * 16 + (uint32_t)h;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return FAIL_AT(bs, "invalid unicode escape '\\%c%.*s': not a Unicode scalar value", c, nd,
			               (const char *)P->s + bs + 2);
		P->i += 2 + (size_t)nd;
		return buf_put_utf8(P, cp);
	}
	default:
		if (ml) {
			/* line-ending backslash: '\', optional whitespace, newline; then
			 * all whitespace and newlines up to the next content are trimmed */
			size_t k = P->i + 1;
			while (k < P->n && (P->s[k] == ' ' || P->s[k] == '\t'))
				k++;
			if (k < P->n && (P->s[k] == '\n' || (P->s[k] == '\r' && k + 1 < P->n && P->s[k + 1] == '\n'))) {
				P->i = k;
				for (;;) {
					skip_ws(P);
					if (!at_nl(P))
						break;
					eat_nl(P);
				}
				return 0;
			}
		}
		if (c < 0)
			return FAIL_AT(bs, "unterminated string (backslash at end of file)");
		if (c > 0x20 && c < 0x7f)
			return FAIL_AT(bs, "invalid escape '\\%c' in string", (char)c);
		cdesc d = describe(P, bs + 1);
		return FAIL_AT(bs, "invalid escape in string: '\\' followed by %s", d.s);
	}
	P->i += 2;
	return buf_putc(P, out);
}

/* Plain bytes of a string body: everything but the quote q, '\\' (when
 * escapes is set), control characters and DEL. Tab and UTF-8 pass. */
static size_t plain_run(const tp *P, unsigned char q, bool escapes)
{
	size_t k = P->i;
	while (k < P->n) {
		unsigned c = P->s[k];
		if (c == q || (escapes && c == '\\') || (c < 0x20 && c != '\t') || c == 0x7f)
			break;
		k++;
	}
	return k - P->i;
}

/* Single-line basic ("...") or literal ('...') string, after the opening quote. */
static int str_line(tp *P, unsigned char q)
{
	for (;;) {
		size_t run = plain_run(P, q, q == '"');
		if (run) {
			int rc = buf_put(P, P->s + P->i, run);
			if (rc)
				return rc;
			P->i += run;
		}
		int c = peekc(P);
		if (c < 0)
			return FAIL_AT(P->i, "unterminated string (missing closing %c)", q);
		if (c == q) {
			P->i++;
			return 0;
		}
		if (c == '\\') {
			int rc = escape(P, false);
			if (rc)
				return rc;
			continue;
		}
		if (at_nl(P))
			return FAIL_AT(P->i, "unterminated string: newline before closing %c", q);
		return ctrl_in_string(P);
	}
}

/* Multi-line basic ("""...""") or literal ('''...''') string, after the
 * opening quotes and the trimmed first newline. */
static int str_ml(tp *P, unsigned char q, toml_pos open)
{
	for (;;) {
		size_t run = plain_run(P, q, q == '"');
		if (run) {
			int rc = buf_put(P, P->s + P->i, run);
			if (rc)
				return rc;
			P->i += run;
		}
		int c = peekc(P);
		if (c < 0)
			return fail(P, open, ERR_INVAL, "unterminated multi-line string (missing closing %c%c%c)", q, q, q);
		if (c == q) {
			size_t nq = 0;
			while (peekc_at(P, nq) == q)
				nq++;
			if (nq >= 3) {
				/* up to two quotes right before the closing delimiter belong to the content */
				size_t extra = nq - 3 > 2 ? 2 : nq - 3;
				int rc = buf_put(P, P->s + P->i, extra);
				if (rc)
					return rc;
				P->i += extra + 3;
				return 0;
			}
			int rc = buf_put(P, P->s + P->i, nq);
			if (rc)
				return rc;
			P->i += nq;
			continue;
		}
		if (c == '\\') {
			int rc = escape(P, true);
			if (rc)
				return rc;
			continue;
		}
		if (at_nl(P)) {
			int rc = buf_putc(P, '\n');  /* CRLF is normalised to LF */
			if (rc)
				return rc;
			eat_nl(P);
			continue;
		}
		return ctrl_in_string(P);
	}
}

/* At a quote: any string kind into P->buf[0..buf_n). */
static int parse_string(tp *P, bool allow_ml)
{
	size_t open = P->i;
	unsigned char q = P->s[open];
	P->buf_n = 0;
	if (peekc_at(P, 1) == q && peekc_at(P, 2) == q) {
		if (!allow_ml)
			return FAIL_AT(open, "a multi-line string cannot be a key");
		toml_pos opos = pos_of(P, open);
		P->i += 3;
		if (at_nl(P))
			eat_nl(P);
		return str_ml(P, q, opos);
	}
	P->i++;
	return str_line(P, q);
}

/* ---- keys -------------------------------------------------------------------- */

static int parse_simple_key(tp *P, kseg *k)
{
	size_t st = P->i;
	int c = peekc(P);
	k->pos = pos_of(P, st);
	if (c == '"' || c == '\'') {
		int rc = parse_string(P, false);
		if (rc)
			return rc;
		k->p = arena_strndup(P->a, P->buf, P->buf_n);
		k->n = P->buf_n;
	} else if (is_bare(c)) {
		while (is_bare(peekc(P)))
			P->i++;
		k->n = P->i - st;
		k->p = arena_strndup(P->a, (const char *)P->s + st, k->n);
	} else {
		cdesc d = describe(P, st);
		return FAIL_AT(st, "expected a key, found %s", d.s);
	}
	return k->p ? 0 : nomem(P);
}

/* A dotted key into P->segs[0..nseg); stops after trailing whitespace. */
static int parse_key(tp *P)
{
	P->nseg = 0;
	for (;;) {
		if (P->nseg == LIMIT_TOML_DEPTH)
			return too_deep(P, pos_of(P, P->i));
		int rc = parse_simple_key(P, &P->segs[P->nseg]);
		if (rc)
			return rc;
		P->nseg++;
		skip_ws(P);
		if (peekc(P) != '.')
			return 0;
		P->i++;
		skip_ws(P);
	}
}

/* ---- semantic checks ------------------------------------------------------------ */

static int err_not_table(tp *P, const kseg *g, const toml_value *v)
{
	kname kn = key_name(g->p, g->n);
	return fail(P, g->pos, ERR_INVAL, "key '%s' is already defined as %s at %u:%u, not a table",
	            kn.s, toml_type_name(v->type), v->pos.line, v->pos.col);
}

static int err_inline(tp *P, const kseg *g, const toml_value *v)
{
	kname kn = key_name(g->p, g->n);
	return fail(P, g->pos, ERR_INVAL, "%s '%s' (defined at %u:%u) is closed and cannot be extended",
	            v->type == TOML_TABLE ? "inline table" : "static array", kn.s, v->pos.line, v->pos.col);
}

/* Walk the dotted prefix of P->segs from table t (at depth) for a key/value
 * pair; intermediate tables are created or must have been created by dotted
 * keys (or implicitly by a header prefix, which they then own). The final
 * key must be new. */
static int kv_resolve(tp *P, toml_value *t, int depth, toml_value **out, int *out_depth)
{
	for (int k = 0; k < P->nseg - 1; k++) {
		const kseg *g = &P->segs[k];
		toml_kv *kv = tab_find(P, t, g->p, g->n);
		if (!kv) {
			if (depth + 1 > LIMIT_TOML_DEPTH)
				return too_deep(P, g->pos);
			toml_value *nt = new_value(P, TOML_TABLE, g->pos, TOML_F_DOTTED);
			if (!nt)
				return nomem(P);
			int rc = tab_add(P, t, g, nt);
			if (rc)
				return rc;
			t = nt;
			depth++;
			continue;
		}
		toml_value *v = kv->val;
		if (v->type != TOML_TABLE)
			return err_not_table(P, g, v);
		if (v->flags & TOML_F_INLINE)
			return err_inline(P, g, v);
		if (v->flags & TOML_F_EXPLICIT) {
			kname kn = path_name(P->segs, k + 1);
			return fail(P, g->pos, ERR_INVAL,
			            "dotted key '%s' cannot add to a table defined by a [header] (at %u:%u)",
			            kn.s, v->pos.line, v->pos.col);
		}
		if (v->flags & TOML_F_IMPLICIT) {
			/* a header prefix nobody defined yet: the dotted key defines it */
			v->flags = (v->flags & ~(unsigned)TOML_F_IMPLICIT) | TOML_F_DOTTED;
			v->pos = g->pos;
		}
		t = v;
		depth++;
	}
	const kseg *g = &P->segs[P->nseg - 1];
	toml_kv *kv = tab_find(P, t, g->p, g->n);
	if (kv) {
		kname kn = key_name(g->p, g->n);
		return fail(P, g->pos, ERR_INVAL, "duplicate key '%s' (first defined at %u:%u)", kn.s,
		            kv->key_pos.line, kv->key_pos.col);
	}
	*out = t;
	*out_depth = depth;
	return 0;
}

/* [a.b.c] or [[a.b.c]]: P->segs holds the key; sets P->cur. */
static int header_resolve(tp *P, toml_pos hpos, bool aot)
{
	toml_value *t = P->root;
	int depth = 0, rc;
	for (int k = 0; k < P->nseg - 1; k++) {
		const kseg *g = &P->segs[k];
		toml_kv *kv = tab_find(P, t, g->p, g->n);
		if (!kv) {
			if (depth + 1 > LIMIT_TOML_DEPTH)
				return too_deep(P, g->pos);
			toml_value *nt = new_value(P, TOML_TABLE, g->pos, TOML_F_IMPLICIT);
			if (!nt)
				return nomem(P);
			if ((rc = tab_add(P, t, g, nt)))
				return rc;
			t = nt;
			depth++;
			continue;
		}
		toml_value *v = kv->val;
		if (v->type == TOML_TABLE) {
			if (v->flags & TOML_F_INLINE)
				return err_inline(P, g, v);
			t = v;
			depth++;
			continue;
		}
		if (v->type == TOML_ARRAY && (v->flags & TOML_F_AOT)) {
			/* the most recently defined element */
			t = v->u.arr.items[v->u.arr.n - 1];
			depth += 2;
			continue;
		}
		if (v->type == TOML_ARRAY)
			return err_inline(P, g, v);
		return err_not_table(P, g, v);
	}

	const kseg *g = &P->segs[P->nseg - 1];
	toml_kv *kv = tab_find(P, t, g->p, g->n);
	toml_value *v = kv ? kv->val : NULL;
	kname path = path_name(P->segs, P->nseg);
	if (!aot) {
		if (!v) {
			if (depth + 1 > LIMIT_TOML_DEPTH)
				return too_deep(P, g->pos);
			v = new_value(P, TOML_TABLE, hpos, TOML_F_EXPLICIT);
			if (!v)
				return nomem(P);
			if ((rc = tab_add(P, t, g, v)))
				return rc;
		} else if (v->type == TOML_TABLE) {
			if (v->flags & TOML_F_INLINE)
				return err_inline(P, g, v);
			if (v->flags & TOML_F_EXPLICIT)
				return fail(P, g->pos, ERR_INVAL, "table [%s] is defined twice (first at %u:%u)",
				            path.s, v->pos.line, v->pos.col);
			if (v->flags & TOML_F_DOTTED)
				return fail(P, g->pos, ERR_INVAL,
				            "table [%s] was already defined by dotted keys at %u:%u", path.s,
				            v->pos.line, v->pos.col);
			/* created implicitly by an earlier [x.y.z]: defining it is allowed once */
			v->flags = (v->flags & ~(unsigned)TOML_F_IMPLICIT) | TOML_F_EXPLICIT;
			v->pos = hpos;
		} else if (v->type == TOML_ARRAY && (v->flags & TOML_F_AOT)) {
			return fail(P, g->pos, ERR_INVAL,
			            "table [%s] conflicts with the array of tables [[%s]] defined at %u:%u",
			            path.s, path.s, v->pos.line, v->pos.col);
		} else {
			return err_not_table(P, g, v);
		}
		P->cur = v;
		P->cur_depth = depth + 1;
		return 0;
	}

	toml_value *arr = v;
	if (!arr) {
		if (depth + 2 > LIMIT_TOML_DEPTH)
			return too_deep(P, g->pos);
		arr = new_value(P, TOML_ARRAY, hpos, TOML_F_AOT);
		if (!arr)
			return nomem(P);
		if ((rc = tab_add(P, t, g, arr)))
			return rc;
	} else if (arr->type == TOML_TABLE) {
		return fail(P, g->pos, ERR_INVAL,
		            "array of tables [[%s]] conflicts with the table [%s] defined at %u:%u", path.s,
		            path.s, arr->pos.line, arr->pos.col);
	} else if (arr->type != TOML_ARRAY) {
		return err_not_table(P, g, arr);
	} else if (!(arr->flags & TOML_F_AOT)) {
		return err_inline(P, g, arr);
	}
	toml_value *nt = new_value(P, TOML_TABLE, hpos, TOML_F_EXPLICIT);
	if (!nt)
		return nomem(P);
	if ((rc = arr_push(P, arr, nt)))
		return rc;
	P->cur = nt;
	P->cur_depth = depth + 2;
	return 0;
}

/* ---- scalar values ------------------------------------------------------------- */

static bool is_tail(int c)
{
	/* characters that may not directly follow a number, date or keyword */
	return is_bare(c) || c == '.' || c == '+' || c == ':';
}

static int bad_value(tp *P)
{
	size_t st = P->i, e = st;
	while (e < P->n && e - st < 40) {
		unsigned c = P->s[e];
		if (c <= 0x20 || c >= 0x7f || strchr(",]}[{#=\"'", (int)c))
			break;
		e++;
	}
	if (e == st) {
		cdesc d = describe(P, st);
		return FAIL_AT(st, "expected a value, found %s", d.s);
	}
	return FAIL_AT(st, "invalid value '%.*s'", (int)(e - st), (const char *)P->s + st);
}

static bool match_word(const tp *P, const char *w)
{
	size_t n = strlen(w);
	return P->n - P->i >= n && !memcmp(P->s + P->i, w, n) && !is_tail(peekc_at(P, n));
}

static int radix_digit(int c, int radix)
{
	int d = hexval(c);
	return d >= 0 && d < radix ? d : -1;
}

/* Digits of radix with single underscores between them; accumulates into
 * *acc (saturating, *ovf set) when acc is given. */
static int scan_digits(tp *P, int radix, uint64_t *acc, bool *ovf, const char *what)
{
	if (radix_digit(peekc(P), radix) < 0) {
		cdesc d = describe(P, P->i);
		return FAIL_AT(P->i, "expected a digit in %s, found %s", what, d.s);
	}
	for (;;) {
		int c = peekc(P), d = radix_digit(c, radix);
		if (d >= 0) {
			if (acc) {
				if (*acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)radix)
					*ovf = true;
				else
					*acc = *acc * (uint64_t)radix + (uint64_t)d;
			}
			P->i++;
			continue;
		}
		if (c == '_') {
			if (radix_digit(peekc_at(P, 1), radix) < 0)
				return FAIL_AT(P->i, "'_' in %s must be between two digits", what);
			P->i++;
			continue;
		}
		return 0;
	}
}

static int tail_check(tp *P, const char *what)
{
	if (!is_tail(peekc(P)))
		return 0;
	cdesc d = describe(P, P->i);
	return FAIL_AT(P->i, "invalid character %s in %s", d.s, what);
}

static int parse_number(tp *P, toml_value *v)
{
	size_t st = P->i;
	int sign = 0, rc;
	int c = peekc(P);
	if (c == '+' || c == '-') {
		sign = c;
		P->i++;
		c = peekc(P);
	}
	if (c == 'i' || c == 'n') {
		v->type = TOML_FLOAT;
		if (match_word(P, "inf")) {
			v->u.f = sign == '-' ? -INFINITY : INFINITY;
		} else if (match_word(P, "nan")) {
			v->u.f = sign == '-' ? copysign(NAN, -1.0) : NAN;
		} else {
			P->i = st;
			return bad_value(P);
		}
		P->i += 3;
		return 0;
	}
	if (c == '0' && (peekc_at(P, 1) == 'x' || peekc_at(P, 1) == 'o' || peekc_at(P, 1) == 'b')) {
		int x = peekc_at(P, 1);
		int radix = x == 'x' ? 16 : x == 'o' ? 8 : 2;
		const char *what = x == 'x' ? "hexadecimal integer" : x == 'o' ? "octal integer" : "binary integer";
		const char *what_a = x == 'x' ? "a hexadecimal integer" : x == 'o' ? "an octal integer" : "a binary integer";
		if (sign)
			return FAIL_AT(st, "a sign is not allowed on %s", what_a);
		P->i += 2;
		uint64_t acc = 0;
		bool ovf = false;
		if ((rc = scan_digits(P, radix, &acc, &ovf, what)))
			return rc;
		if ((rc = tail_check(P, what)))
			return rc;
		if (ovf || acc > (uint64_t)INT64_MAX)
			return FAIL_AT(st, "integer out of range (must fit in 64 bits, signed)");
		v->type = TOML_INTEGER;
		v->u.i = (int64_t)acc;
		return 0;
	}
	if (!is_digit(c)) {
		if (!sign)
			return bad_value(P);
		cdesc d = describe(P, P->i);
		return FAIL_AT(P->i, "expected a digit after '%c', found %s", sign, d.s);
	}
	size_t ist = P->i;
	uint64_t acc = 0;
	bool ovf = false, is_float = false;
	if ((rc = scan_digits(P, 10, &acc, &ovf, "number")))
		return rc;
	if (P->s[ist] == '0' && P->i - ist > 1)
		return FAIL_AT(ist, "leading zeros are not allowed in a number");
	if (peekc(P) == '.') {
		is_float = true;
		P->i++;
		if ((rc = scan_digits(P, 10, NULL, NULL, "fractional part")))
			return rc;
	}
	if (peekc(P) == 'e' || peekc(P) == 'E') {
		is_float = true;
		P->i++;
		if (peekc(P) == '+' || peekc(P) == '-')
			P->i++;
		if ((rc = scan_digits(P, 10, NULL, NULL, "exponent")))
			return rc;
	}
	if ((rc = tail_check(P, is_float ? "float" : "integer")))
		return rc;
	if (!is_float) {
		uint64_t lim = sign == '-' ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		if (ovf || acc > lim)
			return FAIL_AT(st, "integer out of range (must fit in 64 bits, signed)");
		v->type = TOML_INTEGER;
		v->u.i = sign == '-' ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
		return 0;
	}
	P->buf_n = 0;
	for (size_t k = st; k < P->i; k++)
		if (P->s[k] != '_' && (rc = buf_putc(P, (char)P->s[k])))
			return rc;
	if ((rc = buf_putc(P, '\0')))
		return rc;
	char *end;
	errno = 0;
	double f = strtod(P->buf, &end);
	if (end != P->buf + P->buf_n - 1)
		return FAIL_AT(st, "invalid float");
	if (errno == ERANGE && isinf(f))
		return FAIL_AT(st, "float out of range (too large for a 64-bit float)");
	v->type = TOML_FLOAT;
	v->u.f = f;
	return 0;
}

static int two_digits(const tp *P, size_t off)
{
	if (off + 1 >= P->n || !is_digit(P->s[off]) || !is_digit(P->s[off + 1]))
		return -1;
	return (P->s[off] - '0') * 10 + (P->s[off + 1] - '0');
}

static int days_in_month(int y, int m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

/* HH:MM:SS[.frac] at P->i. */
static int parse_time(tp *P, toml_datetime *dt)
{
	size_t st = P->i;
	int h = two_digits(P, st), m = -1, s = -1;
	if (h >= 0 && peekc_at(P, 2) == ':')
		m = two_digits(P, st + 3);
	if (m >= 0 && peekc_at(P, 5) == ':')
		s = two_digits(P, st + 6);
	if (s < 0)
		return FAIL_AT(st, "invalid time: expected HH:MM:SS");
	if (h > 23)
		return FAIL_AT(st, "invalid time: hour %02d out of range", h);
	if (m > 59)
		return FAIL_AT(st + 3, "invalid time: minute %02d out of range", m);
	if (s > 60)
		return FAIL_AT(st + 6, "invalid time: second %02d out of range", s);
	dt->hour = h;
	dt->minute = m;
	dt->second = s;
	P->i = st + 8;
	if (peekc(P) == '.') {
		P->i++;
		if (!is_digit(peekc(P))) {
			cdesc d = describe(P, P->i);
			return FAIL_AT(P->i, "invalid time: expected digits after '.', found %s", d.s);
		}
		uint32_t ns = 0;
		int nd = 0;
		while (is_digit(peekc(P))) {
			if (nd < 9)
				ns = ns * 10 + (uint32_t)(P->s[P->i] - '0');  /* truncate beyond ns */
			if (nd < 1000000000)
				nd++;
			P->i++;
		}
		for (int k = nd; k < 9; k++)
			ns *= 10;
		dt->nanos = ns;
		dt->frac_digits = nd;
	}
	return 0;
}

/* At a date (YYYY-): local date, local date-time or offset date-time. */
static int parse_date(tp *P, toml_value *v)
{
	size_t st = P->i;
	toml_datetime *dt = &v->u.dt;
	int y = (P->s[st] - '0') * 1000 + (P->s[st + 1] - '0') * 100 + (P->s[st + 2] - '0') * 10 +
	        (P->s[st + 3] - '0');
	int mo = two_digits(P, st + 5), d = -1, rc;
	if (mo >= 0 && peekc_at(P, 7) == '-')
		d = two_digits(P, st + 8);
	if (d < 0 || is_digit(peekc_at(P, 10)))
		return FAIL_AT(st, "invalid date: expected YYYY-MM-DD");
	if (mo < 1 || mo > 12)
		return FAIL_AT(st + 5, "invalid date: month %02d out of range", mo);
	if (d < 1 || d > days_in_month(y, mo))
		return FAIL_AT(st + 8, "invalid date: day %02d out of range for %04d-%02d", d, y, mo);
	dt->year = y;
	dt->month = mo;
	dt->day = d;
	P->i = st + 10;
	int c = peekc(P);
	bool has_time = false;
	if (c == 'T' || c == 't') {
		P->i++;
		has_time = true;
		if (two_digits(P, P->i) < 0) {
			cdesc de = describe(P, P->i);
			return FAIL_AT(P->i, "invalid date-time: expected a time after '%c', found %s", c, de.s);
		}
	} else if (c == ' ' && two_digits(P, P->i + 1) >= 0 && peekc_at(P, 3) == ':') {
		P->i++;
		has_time = true;
	}
	if (!has_time) {
		v->type = TOML_DATE_LOCAL;
		return tail_check(P, "date");
	}
	if ((rc = parse_time(P, dt)))
		return rc;
	c = peekc(P);
	if (c == 'Z' || c == 'z') {
		P->i++;
		dt->offset_z = true;
		v->type = TOML_DATETIME;
	} else if (c == '+' || c == '-') {
		size_t os = P->i;
		int oh = two_digits(P, os + 1), om = -1;
		if (oh >= 0 && peekc_at(P, 3) == ':')
			om = two_digits(P, os + 4);
		if (om < 0)
			return FAIL_AT(os, "invalid date-time: expected a UTC offset (+HH:MM)");
		if (oh > 23)
			return FAIL_AT(os + 1, "invalid date-time: offset hour %02d out of range", oh);
		if (om > 59)
			return FAIL_AT(os + 4, "invalid date-time: offset minute %02d out of range", om);
		dt->offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
		P->i = os + 6;
		v->type = TOML_DATETIME;
	} else {
		v->type = TOML_DATETIME_LOCAL;
	}
	return tail_check(P, "date-time");
}

/* At a number, date or time. */
static int parse_numlike(tp *P, toml_value *v)
{
	if (is_digit(peekc(P)) && is_digit(peekc_at(P, 1))) {
		if (is_digit(peekc_at(P, 2)) && is_digit(peekc_at(P, 3)) && peekc_at(P, 4) == '-')
			return parse_date(P, v);
		if (peekc_at(P, 2) == ':') {
			int rc = parse_time(P, &v->u.dt);
			if (rc)
				return rc;
			v->type = TOML_TIME_LOCAL;
			return tail_check(P, "time");
		}
	}
	return parse_number(P, v);
}

/* ---- compound values ------------------------------------------------------------- */

static int parse_value(tp *P, int depth, toml_value **out);

static int kv_stmt(tp *P, toml_value *t, int depth)
{
	int rc = parse_key(P);
	if (rc)
		return rc;
	if (peekc(P) != '=') {
		cdesc d = describe(P, P->i);
		return FAIL_AT(P->i, "expected '=' after key, found %s", d.s);
	}
	P->i++;
	skip_ws(P);
	toml_value *target = NULL, *v = NULL;
	int tdepth = 0;
	if ((rc = kv_resolve(P, t, depth, &target, &tdepth)))
		return rc;
	kseg last = P->segs[P->nseg - 1];  /* P->segs is reused by nested keys */
	if ((rc = parse_value(P, tdepth + 1, &v)))
		return rc;
	return tab_add(P, target, &last, v);
}

static int parse_array(tp *P, int depth, toml_value *v)
{
	size_t open = P->i;
	int rc;
	v->type = TOML_ARRAY;
	v->flags = TOML_F_INLINE;
	P->i++;
	for (;;) {
		if ((rc = skip_wsnl(P)))
			return rc;
		if (peekc(P) == ']') {
			P->i++;
			return 0;
		}
		if (P->i >= P->n)
			return FAIL_AT(open, "unterminated array (missing ']')");
		toml_value *item;
		if ((rc = parse_value(P, depth + 1, &item)))
			return rc;
		if ((rc = arr_push(P, v, item)))
			return rc;
		if ((rc = skip_wsnl(P)))
			return rc;
		int c = peekc(P);
		if (c == ',') {
			P->i++;
			continue;
		}
		if (c == ']') {
			P->i++;
			return 0;
		}
		if (c < 0)
			return FAIL_AT(open, "unterminated array (missing ']')");
		cdesc d = describe(P, P->i);
		return FAIL_AT(P->i, "expected ',' or ']' after array element, found %s", d.s);
	}
}

static int inline_stop(tp *P, size_t open)
{
	if (P->i >= P->n)
		return FAIL_AT(open, "unterminated inline table (missing '}')");
	if (at_nl(P))
		return FAIL_AT(P->i, "newline inside an inline table (not allowed in TOML 1.0)");
	return 0;
}

static int parse_inline(tp *P, int depth, toml_value *v)
{
	size_t open = P->i;
	int rc;
	v->type = TOML_TABLE;
	P->i++;
	skip_ws(P);
	if (peekc(P) == '}') {
		P->i++;
		goto done;
	}
	for (;;) {
		skip_ws(P);
		if ((rc = inline_stop(P, open)))
			return rc;
		if (peekc(P) == '}')
			return FAIL_AT(P->i, "trailing comma not allowed in an inline table");
		if ((rc = kv_stmt(P, v, depth)))
			return rc;
		skip_ws(P);
		int c = peekc(P);
		if (c == ',') {
			P->i++;
			continue;
		}
		if (c == '}') {
			P->i++;
			break;
		}
		if ((rc = inline_stop(P, open)))
			return rc;
		cdesc d = describe(P, P->i);
		return FAIL_AT(P->i, "expected ',' or '}' in inline table, found %s", d.s);
	}
done:
	v->flags |= TOML_F_INLINE;
	return 0;
}

/* A value at P->i; depth is the depth it would have as a container. */
static int parse_value(tp *P, int depth, toml_value **out)
{
	size_t st = P->i;
	toml_pos pos = pos_of(P, st);
	toml_value *v = new_value(P, TOML_STRING, pos, 0);
	int c = peekc(P), rc;
	if (!v)
		return nomem(P);
	switch (c) {
	case '"':
	case '\'':
		if ((rc = parse_string(P, true)))
			return rc;
		v->u.s.p = arena_strndup(P->a, P->buf, P->buf_n);
		v->u.s.n = P->buf_n;
		if (!v->u.s.p)
			return nomem(P);
		break;
	case '[':
		if (depth > LIMIT_TOML_DEPTH)
			return too_deep(P, pos);
		rc = parse_array(P, depth, v);
		if (rc)
			return rc;
		break;
	case '{':
		if (depth > LIMIT_TOML_DEPTH)
			return too_deep(P, pos);
		rc = parse_inline(P, depth, v);
		if (rc)
			return rc;
		break;
	case 't':
	case 'f':
		if (match_word(P, "true")) {
			v->u.b = true;
			P->i += 4;
		} else if (match_word(P, "false")) {
			v->u.b = false;
			P->i += 5;
		} else {
			return bad_value(P);
		}
		v->type = TOML_BOOL;
		break;
	default:
		if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
			if ((rc = parse_numlike(P, v)))
				return rc;
			break;
		}
		return bad_value(P);
	}
	*out = v;
	return 0;
}

/* ---- document ------------------------------------------------------------------- */

static int parse_header(tp *P)
{
	size_t open = P->i;
	bool aot = peekc_at(P, 1) == '[';
	int rc;
	P->i += aot ? 2 : 1;
	skip_ws(P);
	if ((rc = parse_key(P)))
		return rc;
	if (peekc(P) != ']' || (aot && peekc_at(P, 1) != ']')) {
		size_t at = P->i + (peekc(P) == ']');  /* [[a] x: point after the single ']' */
		cdesc d = describe(P, at);
		return FAIL_AT(at, "expected '%s' to close the table header, found %s", aot ? "]]" : "]", d.s);
	}
	P->i += aot ? 2 : 1;
	return header_resolve(P, pos_of(P, open), aot);
}

static int parse_doc(tp *P)
{
	int rc;
	for (;;) {
		skip_ws(P);
		if (P->i >= P->n)
			return 0;
		int c = peekc(P);
		if (c == '#') {
			if ((rc = skip_comment(P)))
				return rc;
			continue;
		}
		if (at_nl(P)) {
			eat_nl(P);
			continue;
		}
		if (c == '[') {
			if ((rc = parse_header(P)) || (rc = end_line(P, "table header")))
				return rc;
			continue;
		}
		if ((rc = kv_stmt(P, P->cur, P->cur_depth)) || (rc = end_line(P, "value")))
			return rc;
	}
}

int toml_parse(arena *a, const char *text, size_t len, toml_value **root, toml_error *err)
{
	tp P;
	int rc;
	memset(&P, 0, sizeof P);
	P.err = err;
	P.line = 1;
	if (err) {
		err->pos.line = 0;
		err->pos.col = 0;
		err->msg[0] = '\0';
	}
	if (!root)
		return ERR_INVAL;
	*root = NULL;
	if (!a || (!text && len)) {
		toml_pos p0 = { 0, 0 };
		return fail(&P, p0, ERR_INVAL, "invalid argument");
	}
	if (len >= UINT32_MAX) {
		toml_pos p0 = { 0, 0 };
		return fail(&P, p0, ERR_TOOBIG, "document too large");
	}
	P.a = a;
	P.s = (const unsigned char *)(text ? text : "");
	P.n = len;
	if (len >= 3 && !memcmp(P.s, "\xEF\xBB\xBF", 3))
		P.text_start = P.line_start = P.i = 3;  /* a UTF-8 byte order mark */
	if ((rc = check_utf8(&P)))
		goto done;
	toml_pos p1 = { 1, 1 };
	P.root = new_value(&P, TOML_TABLE, p1, 0);
	if (!P.root) {
		rc = nomem(&P);
		goto done;
	}
	P.cur = P.root;
	if ((rc = parse_doc(&P)))
		goto done;
	*root = P.root;
done:
	free(P.buf);
	free(P.ht);
	return rc;
}

/* ---- lookups --------------------------------------------------------------------- */

const toml_kv *toml_get_kv(const toml_value *t, const char *key)
{
	if (!t || t->type != TOML_TABLE || !key)
		return NULL;
	size_t n = strlen(key);
	for (size_t j = 0; j < t->u.tab.n; j++) {
		const toml_kv *kv = &t->u.tab.items[j];
		if (kv->key_len == n && !memcmp(kv->key, key, n))
			return kv;
	}
	return NULL;
}

const toml_value *toml_get(const toml_value *t, const char *key)
{
	const toml_kv *kv = toml_get_kv(t, key);
	return kv ? kv->val : NULL;
}

const char *toml_type_name(toml_type t)
{
	switch (t) {
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "offset datetime";
	case TOML_DATETIME_LOCAL: return "local datetime";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	case TOML_ARRAY: return "array";
	case TOML_TABLE: return "table";
	}
	return "unknown";
}
