/* fuzz_toml.c — libFuzzer entry for src/toml: parse; on success walk the whole
 * tree checking its invariants, print it back as TOML (inline form), parse
 * that again and check that the same tree comes back. On failure check the
 * error (code, position, message). Any violation aborts. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/limits.h"
#include "toml/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); abort(); } } while (0)

static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
		if (!len || n - i < len)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
		    (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
			return false;
		i += len;
	}
	return true;
}

static int dim(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

typedef struct ctx {
	uint32_t max_line;
	size_t max_col;
} ctx;

static void check_pos(const ctx *c, toml_pos p)
{
	REQUIRE(p.line >= 1 && p.line <= c->max_line);
	REQUIRE(p.col >= 1 && p.col <= c->max_col);
}

static void walk(const ctx *c, const toml_value *v, int depth)
{
	REQUIRE(v);
	check_pos(c, v->pos);
	switch (v->type) {
	case TOML_STRING:
		REQUIRE(v->u.s.p && v->u.s.p[v->u.s.n] == '\0');
		REQUIRE(utf8_ok((const unsigned char *)v->u.s.p, v->u.s.n));
		REQUIRE(v->flags == 0);
		break;
	case TOML_INTEGER:
	case TOML_FLOAT:
	case TOML_BOOL:
		REQUIRE(v->flags == 0);
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL: {
		const toml_datetime *d = &v->u.dt;
		if (v->type != TOML_TIME_LOCAL) {
			REQUIRE(d->year >= 0 && d->year <= 9999);
			REQUIRE(d->month >= 1 && d->month <= 12);
			REQUIRE(d->day >= 1 && d->day <= dim(d->year, d->month));
		}
		if (v->type != TOML_DATE_LOCAL) {
			REQUIRE(d->hour >= 0 && d->hour <= 23);
			REQUIRE(d->minute >= 0 && d->minute <= 59);
			REQUIRE(d->second >= 0 && d->second <= 60);
			REQUIRE(d->nanos < 1000000000u);
			REQUIRE(d->frac_digits >= 0);
			REQUIRE(d->frac_digits || d->nanos == 0);
		}
		if (v->type == TOML_DATETIME)
			REQUIRE(d->offset_minutes >= -(23 * 60 + 59) && d->offset_minutes <= 23 * 60 + 59);
		REQUIRE(!d->offset_z || d->offset_minutes == 0);
		REQUIRE(v->flags == 0);
		break;
	}
	case TOML_ARRAY:
		REQUIRE(depth >= 1 && depth <= LIMIT_TOML_DEPTH);
		REQUIRE(v->flags == TOML_F_INLINE || v->flags == TOML_F_AOT);
		REQUIRE(v->u.arr.n == 0 || v->u.arr.items);
		if (v->flags == TOML_F_AOT)
			REQUIRE(v->u.arr.n >= 1);
		for (size_t i = 0; i < v->u.arr.n; i++) {
			const toml_value *it = v->u.arr.items[i];
			REQUIRE(it);
			if (v->flags == TOML_F_AOT)
				REQUIRE(it->type == TOML_TABLE && it->flags == TOML_F_EXPLICIT);
			walk(c, it, depth + 1);
		}
		break;
	case TOML_TABLE:
		REQUIRE(depth <= LIMIT_TOML_DEPTH);
		if (depth == 0)
			REQUIRE(v->flags == 0);
		else
			REQUIRE(v->flags == TOML_F_INLINE || v->flags == TOML_F_EXPLICIT ||
			        v->flags == TOML_F_DOTTED || v->flags == TOML_F_IMPLICIT);
		REQUIRE(v->u.tab.n == 0 || v->u.tab.items);
		for (size_t i = 0; i < v->u.tab.n; i++) {
			const toml_kv *kv = &v->u.tab.items[i];
			REQUIRE(kv->key && kv->key[kv->key_len] == '\0');
			REQUIRE(utf8_ok((const unsigned char *)kv->key, kv->key_len));
			check_pos(c, kv->key_pos);
			if (v->u.tab.n <= 512) {
				for (size_t j = 0; j < i; j++)
					REQUIRE(v->u.tab.items[j].key_len != kv->key_len ||
					        memcmp(v->u.tab.items[j].key, kv->key, kv->key_len));
			}
			if (!memchr(kv->key, 0, kv->key_len))
				REQUIRE(toml_get_kv(v, kv->key) == kv);
			walk(c, kv->val, depth + 1);
		}
		break;
	default:
		REQUIRE(!"bad type");
	}
}

/* ---- printing the tree back as TOML ----------------------------------------------- */

typedef struct out {
	char *p;
	size_t n, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->cap - o->n < n + 1) {
		size_t nc = o->cap ? o->cap : 1024;
		while (nc - o->n < n + 1)
			nc *= 2;
		o->p = realloc(o->p, nc);
		REQUIRE(o->p);
		o->cap = nc;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void puts_(out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_qstr(out *o, const char *s, size_t n)
{
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char b[8];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			snprintf(b, sizeof b, "\\u%04X", c);
			put(o, b, 6);
		} else {
			put(o, (const char *)&s[i], 1);
		}
	}
	put(o, "\"", 1);
}

static void print_value(out *o, const toml_value *v)
{
	char b[80];
	const toml_datetime *d = &v->u.dt;
	switch (v->type) {
	case TOML_STRING:
		put_qstr(o, v->u.s.p, v->u.s.n);
		break;
	case TOML_INTEGER:
		snprintf(b, sizeof b, "%lld", (long long)v->u.i);
		puts_(o, b);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			snprintf(b, sizeof b, "%snan", signbit(v->u.f) ? "-" : "");
		else if (isinf(v->u.f))
			snprintf(b, sizeof b, "%sinf", v->u.f < 0 ? "-" : "");
		else {
			snprintf(b, sizeof b, "%.17g", v->u.f);
			if (!strpbrk(b, ".e"))
				strcat(b, ".0");
		}
		puts_(o, b);
		break;
	case TOML_BOOL:
		puts_(o, v->u.b ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		if (v->type != TOML_TIME_LOCAL) {
			snprintf(b, sizeof b, "%04d-%02d-%02d%s", d->year, d->month, d->day,
			         v->type == TOML_DATE_LOCAL ? "" : "T");
			puts_(o, b);
		}
		if (v->type != TOML_DATE_LOCAL) {
			snprintf(b, sizeof b, "%02d:%02d:%02d", d->hour, d->minute, d->second);
			puts_(o, b);
			if (d->frac_digits) {
				char f[16];
				snprintf(f, sizeof f, "%09u", (unsigned)d->nanos);
				snprintf(b, sizeof b, ".%.*s", d->frac_digits > 9 ? 9 : d->frac_digits, f);
				puts_(o, b);
			}
		}
		if (v->type == TOML_DATETIME) {
			int m = d->offset_minutes < 0 ? -d->offset_minutes : d->offset_minutes;
			if (d->offset_z)
				snprintf(b, sizeof b, "Z");
			else
				snprintf(b, sizeof b, "%c%02d:%02d", d->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
			puts_(o, b);
		}
		break;
	case TOML_ARRAY:
		puts_(o, "[");
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				puts_(o, ",");
			print_value(o, v->u.arr.items[i]);
		}
		puts_(o, "]");
		break;
	case TOML_TABLE:
		puts_(o, "{");
		for (size_t i = 0; i < v->u.tab.n; i++) {
			if (i)
				puts_(o, ", ");
			put_qstr(o, v->u.tab.items[i].key, v->u.tab.items[i].key_len);
			puts_(o, " = ");
			print_value(o, v->u.tab.items[i].val);
		}
		puts_(o, "}");
		break;
	}
}

static void same_tree(const toml_value *a, const toml_value *b)
{
	REQUIRE(a->type == b->type);
	switch (a->type) {
	case TOML_STRING:
		REQUIRE(a->u.s.n == b->u.s.n && !memcmp(a->u.s.p, b->u.s.p, a->u.s.n));
		break;
	case TOML_INTEGER:
		REQUIRE(a->u.i == b->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(a->u.f))
			REQUIRE(isnan(b->u.f) && signbit(a->u.f) == signbit(b->u.f));
		else
			REQUIRE(a->u.f == b->u.f && signbit(a->u.f) == signbit(b->u.f));
		break;
	case TOML_BOOL:
		REQUIRE(a->u.b == b->u.b);
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL: {
		const toml_datetime *x = &a->u.dt, *y = &b->u.dt;
		REQUIRE(x->year == y->year && x->month == y->month && x->day == y->day);
		REQUIRE(x->hour == y->hour && x->minute == y->minute && x->second == y->second);
		REQUIRE(x->nanos == y->nanos);
		REQUIRE((x->frac_digits > 9 ? 9 : x->frac_digits) == y->frac_digits);
		REQUIRE(x->offset_minutes == y->offset_minutes && x->offset_z == y->offset_z);
		break;
	}
	case TOML_ARRAY:
		REQUIRE(a->u.arr.n == b->u.arr.n);
		for (size_t i = 0; i < a->u.arr.n; i++)
			same_tree(a->u.arr.items[i], b->u.arr.items[i]);
		break;
	case TOML_TABLE:
		REQUIRE(a->u.tab.n == b->u.tab.n);
		for (size_t i = 0; i < a->u.tab.n; i++) {
			const toml_kv *x = &a->u.tab.items[i], *y = &b->u.tab.items[i];
			REQUIRE(x->key_len == y->key_len && !memcmp(x->key, y->key, x->key_len));
			same_tree(x->val, y->val);
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena a;
	toml_value *root = (toml_value *)&a;
	toml_error err;
	arena_init(&a, 0, 0);
	int rc = toml_parse(&a, (const char *)data, size, &root, &err);
	if (rc) {
		REQUIRE(root == NULL);
		REQUIRE(rc == ERR_INVAL || rc == ERR_UTF8 || rc == ERR_DEPTH);
		REQUIRE(err.msg[0] != '\0' && memchr(err.msg, '\0', sizeof err.msg));
		REQUIRE(err.pos.line >= 1 && err.pos.col >= 1);
		uint32_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		REQUIRE(err.pos.line <= lines);
		REQUIRE(err.pos.col <= size + 1);
		arena_free(&a);
		return 0;
	}
	ctx c;
	c.max_line = 1;
	for (size_t i = 0; i < size; i++)
		c.max_line += data[i] == '\n';
	c.max_col = size + 1;
	REQUIRE(root && root->type == TOML_TABLE);
	REQUIRE(root->pos.line == 1 && root->pos.col == 1);
	walk(&c, root, 0);

	/* round trip: one line per root key, everything below inline */
	out o = { NULL, 0, 0 };
	for (size_t i = 0; i < root->u.tab.n; i++) {
		put_qstr(&o, root->u.tab.items[i].key, root->u.tab.items[i].key_len);
		puts_(&o, " = ");
		print_value(&o, root->u.tab.items[i].val);
		puts_(&o, "\n");
	}
	arena b;
	toml_value *again = NULL;
	arena_init(&b, 0, 0);
	rc = toml_parse(&b, o.p, o.n, &again, &err);
	if (rc) {
		fprintf(stderr, "re-parse failed at %u:%u: %s\n%.*s\n", err.pos.line, err.pos.col, err.msg,
		        (int)(o.n > 2000 ? 2000 : o.n), o.p ? o.p : "");
		abort();
	}
	same_tree(root, again);
	free(o.p);
	arena_free(&b);
	arena_free(&a);
	return 0;
}
