/* fuzz_http_request.c — libFuzzer target for http_parse_request.
 * Input: byte 0 picks the header array size, byte 1 the head cap, byte 2 the
 * URI cap; the rest is the stream. Invariants checked:
 *  - a success consumes <= len bytes, every slice lies inside the head, the
 *    fields obey the grammar (token names, clean values, framing rules);
 *  - an error has a detail whose status matches the error class;
 *  - every prefix gives ERR_AGAIN before the end of the head and the very
 *    same result after it (parsed from an exactly sized copy, so ASan sees
 *    any read past the end); an error, once seen, stays;
 *  - feeding byte by byte with the last_len hint ends in the same result;
 *  - what the parser accepts, http_msg writes back, and it parses the same. */
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "http/http_msg.h"
#include "http/http_parse.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXH 24

struct res {
	int rc;
	http_req r;
	http_header h[MAXH];
};

static void parse_at(const uint8_t *p, size_t n, size_t last, const http_limits *lim, size_t maxh,
                     struct res *o)
{
	memset(&o->r, 0, sizeof o->r);
	o->rc = http_parse_request((const char *)p, n, last, lim, o->h, maxh, &o->r);
}

static int parse_copy(const uint8_t *d, size_t n, const http_limits *lim, size_t maxh, struct res *o,
                      const uint8_t **base)
{
	uint8_t *p = malloc(n ? n : 1);
	if (n)
		memcpy(p, d, n);
	parse_at(p, n, 0, lim, maxh, o);
	*base = p;
	return o->rc;
}

static size_t off(str s, const void *base) { return s.p ? (size_t)(s.p - (const char *)base) + 1 : 0; }

static bool same_str(str a, const void *ba, str b, const void *bb)
{
	if (a.n != b.n)
		return false;
	if (!a.p || !b.p)
		return a.p == b.p;
	bool sa = a.p >= (const char *)ba && a.p < (const char *)ba + 100000;
	bool sb = b.p >= (const char *)bb && b.p < (const char *)bb + 100000;
	if (sa != sb)
		return false;
	if (sa && off(a, ba) != off(b, bb))
		return false;
	return memcmp(a.p, b.p, a.n) == 0;
}

static bool same(const struct res *a, const void *ba, const struct res *b, const void *bb)
{
	if (a->rc != b->rc || a->r.err != b->r.err)
		return false;
	if (a->rc <= 0)
		return true;
	const http_req *x = &a->r, *y = &b->r;
	if (x->method != y->method || x->form != y->form || x->minor != y->minor ||
	    x->nheaders != y->nheaders || x->has_host != y->has_host ||
	    x->has_content_length != y->has_content_length || x->content_length != y->content_length ||
	    x->chunked != y->chunked || x->keep_alive != y->keep_alive ||
	    x->expect_continue != y->expect_continue || x->upgrade != y->upgrade)
		return false;
	if (!same_str(x->method_name, ba, y->method_name, bb) || !same_str(x->target, ba, y->target, bb) ||
	    !same_str(x->authority, ba, y->authority, bb) || !same_str(x->path, ba, y->path, bb) ||
	    !same_str(x->query, ba, y->query, bb) || !same_str(x->host, ba, y->host, bb))
		return false;
	for (size_t i = 0; i < x->nheaders; i++)
		if (!same_str(x->headers[i].name, ba, y->headers[i].name, bb) ||
		    !same_str(x->headers[i].value, ba, y->headers[i].value, bb))
			return false;
	return true;
}

static bool inside(str s, const void *base, size_t n)
{
	if (!s.p)
		return s.n == 0;
	if (s.p >= (const char *)base && s.p + s.n <= (const char *)base + n)
		return true;
	return s.n == 1 && s.p[0] == '/'; /* the static "/" of absolute-form */
}

static void check_success(const struct res *o, const void *base, size_t maxh, const http_limits *lim)
{
	const http_req *r = &o->r;
	size_t n = (size_t)o->rc;
	size_t max_uri = lim->max_uri ? lim->max_uri : LIMIT_HTTP_URI_BYTES;
	if (r->err != HTTP_PERR_NONE || r->nheaders > maxh || r->headers != o->h)
		abort();
	if (!inside(r->method_name, base, n) || !inside(r->target, base, n) || !inside(r->path, base, n) ||
	    !inside(r->query, base, n) || !inside(r->authority, base, n) || !inside(r->host, base, n))
		abort();
	if (!http_msg_token_ok(r->method_name) || r->target.n == 0 || r->target.n > max_uri)
		abort();
	if (r->method != HTTP_METHOD_OTHER && !str_eq_cstr(r->method_name, http_parse_method_str(r->method)))
		abort();
	if (r->minor != 0 && r->minor != 1)
		abort();
	if (r->form == HTTP_TARGET_ORIGIN && (r->path.n == 0 || r->path.p[0] != '/' || r->path.p != r->target.p))
		abort();
	if (r->query.p && memchr(r->path.p, '?', r->path.n))
		abort();
	for (size_t i = 0; i < r->nheaders; i++)
		if (!inside(r->headers[i].name, base, n) || !inside(r->headers[i].value, base, n) ||
		    !http_msg_token_ok(r->headers[i].name) || !http_msg_value_ok(r->headers[i].value))
			abort();
	if (r->chunked && (r->has_content_length || r->minor == 0))
		abort();
	if (r->has_content_length && r->content_length > INT64_MAX)
		abort();
	if (r->minor == 1 && !r->has_host)
		abort();
	if (r->expect_continue && r->minor == 0)
		abort();
	if (r->has_host && !http_parse_header_find(r->headers, r->nheaders, STR_LIT("host")))
		abort();
	if (r->keep_alive && r->minor == 0 && !http_parse_header_find(r->headers, r->nheaders, STR_LIT("connection")))
		abort();
	(void)http_parse_req_body(r);
}

/* Write the parsed request back with http_msg and parse it again. */
static void roundtrip(const struct res *o)
{
	const http_req *r = &o->r;
	buf b = { 0 };
	int rc = http_msg_request_line(&b, r->method_name, r->target);
	for (size_t i = 0; i < r->nheaders && rc == 0; i++)
		rc = http_msg_header(&b, r->headers[i].name, r->headers[i].value);
	if (rc == 0)
		rc = http_msg_end(&b);
	if (rc != 0)
		abort(); /* the writer refused what the reader accepted */
	struct res *o2 = malloc(sizeof *o2);
	http_limits big = { .max_head = b.len + 1, .max_uri = r->target.n };
	parse_at((const uint8_t *)b.data, b.len, 0, &big, MAXH, o2);
	if (o2->rc != (int)b.len || o2->r.method != r->method || o2->r.nheaders != r->nheaders ||
	    o2->r.content_length != r->content_length || o2->r.chunked != r->chunked ||
	    o2->r.keep_alive != r->keep_alive || !str_eq(o2->r.target, r->target))
		abort();
	for (size_t i = 0; i < r->nheaders; i++)
		if (!str_eq(o2->r.headers[i].name, r->headers[i].name) ||
		    !str_eq(o2->r.headers[i].value, r->headers[i].value))
			abort();
	free(o2);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t maxh = data[0] % (MAXH + 1);
	http_limits lim = { .max_head = data[1] ? (size_t)data[1] * 8 : 0, .max_uri = data[2] ? (size_t)data[2] * 2 : 0 };
	data += 3;
	size -= 3;

	struct res *whole = malloc(sizeof *whole), *pre = malloc(sizeof *pre);
	const uint8_t *wb, *pb;
	int rc = parse_copy(data, size, &lim, maxh, whole, &wb);

	if (rc > 0) {
		if ((size_t)rc > size)
			abort();
		check_success(whole, wb, maxh, &lim);
		if (whole->r.minor == 1) /* the writer speaks HTTP/1.1 */
			roundtrip(whole);
	} else {
		int st = http_parse_error_status(whole->r.err);
		switch (rc) {
		case ERR_AGAIN: if (whole->r.err != HTTP_PERR_NONE) abort(); break;
		case ERR_INVAL: if (st != 400) abort(); break;
		case ERR_TOOBIG: if (st != 431 && st != 414) abort(); break;
		case ERR_UNSUPPORTED: if (st != 501 && st != 505) abort(); break;
		default: abort();
		}
	}

	/* prefixes: all of them for small inputs, a sample (and the edges) otherwise */
	bool seen_err = false;
	size_t step = size <= 160 ? 1 : size / 48;
	for (size_t k = 0; k < size; k += step) {
		int r = parse_copy(data, k, &lim, maxh, pre, &pb);
		bool ok;
		if (rc > 0)
			ok = (size_t)rc > k ? r == ERR_AGAIN : same(pre, pb, whole, wb);
		else if (r == ERR_AGAIN)
			ok = step > 1 || !seen_err;
		else
			ok = same(pre, pb, whole, wb);
		if (r != ERR_AGAIN)
			seen_err = r < 0;
		free((void *)pb);
		if (!ok)
			abort();
	}
	if (rc > 0) {
		for (size_t k = (size_t)rc - 1; k <= (size_t)rc && k < size; k++) {
			int r = parse_copy(data, k, &lim, maxh, pre, &pb);
			bool ok = k < (size_t)rc ? r == ERR_AGAIN : same(pre, pb, whole, wb);
			free((void *)pb);
			if (!ok)
				abort();
		}
	}

	/* byte by byte with hints (on the whole copy: the prefix loop above
	 * already checks reads past each prefix end) */
	size_t last = 0, k = 0;
	int r = ERR_AGAIN;
	size_t hstep = size <= 2000 ? 1 : size / 500;
	while (k < size) {
		k = k + hstep < size ? k + hstep : size;
		parse_at(wb, k, last, &lim, maxh, pre);
		r = pre->rc;
		if (r != ERR_AGAIN) {
			if (!same(pre, wb, whole, wb))
				abort();
			break;
		}
		last = k;
	}
	if (r == ERR_AGAIN && rc > 0)
		abort();

	free((void *)wb);
	free(whole);
	free(pre);
	return 0;
}
