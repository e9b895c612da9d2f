/* fuzz_http_response.c — libFuzzer target for http_parse_response.
 * Input: byte 0 picks the header array size, byte 1 the head cap; the rest
 * is the stream. Invariants: a success stays inside the input and obeys the
 * grammar; errors carry a matching detail; every prefix (exactly sized copy)
 * gives ERR_AGAIN before the end of the head and the same result after it;
 * byte-by-byte feeding with the hint agrees; the writer in http_msg accepts
 * and reproduces what the parser accepted; a chunked or sized body after the
 * head goes through the chunked decoder without crashing. */
#include "base/buf.h"
#include "base/err.h"
#include "http/http_msg.h"
#include "http/http_parse.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXH 24

struct res {
	int rc;
	http_resp r;
	http_header h[MAXH];
};

static void parse_at(const uint8_t *p, size_t n, size_t last, const http_limits *lim, size_t maxh,
                     struct res *o)
{
	memset(&o->r, 0, sizeof o->r);
	o->rc = http_parse_response((const char *)p, n, last, lim, o->h, maxh, &o->r);
}

static const uint8_t *parse_copy(const uint8_t *d, size_t n, const http_limits *lim, size_t maxh,
                                 struct res *o)
{
	uint8_t *p = malloc(n ? n : 1);
	if (n)
		memcpy(p, d, n);
	parse_at(p, n, 0, lim, maxh, o);
	return p;
}

static bool same_str(str a, const void *ba, str b, const void *bb)
{
	if (a.n != b.n || (!a.p) != (!b.p))
		return false;
	if (!a.p)
		return true;
	return a.p - (const char *)ba == b.p - (const char *)bb && memcmp(a.p, b.p, a.n) == 0;
}

static bool same(const struct res *a, const void *ba, const struct res *b, const void *bb)
{
	if (a->rc != b->rc || a->r.err != b->r.err)
		return false;
	if (a->rc <= 0)
		return true;
	const http_resp *x = &a->r, *y = &b->r;
	if (x->minor != y->minor || x->status != y->status || x->nheaders != y->nheaders ||
	    x->has_content_length != y->has_content_length || x->content_length != y->content_length ||
	    x->chunked != y->chunked || x->keep_alive != y->keep_alive || x->upgrade != y->upgrade ||
	    !same_str(x->reason, ba, y->reason, bb))
		return false;
	for (size_t i = 0; i < x->nheaders; i++)
		if (!same_str(x->headers[i].name, ba, y->headers[i].name, bb) ||
		    !same_str(x->headers[i].value, ba, y->headers[i].value, bb))
			return false;
	return true;
}

static bool inside(str s, const void *base, size_t n)
{
	return s.p ? s.p >= (const char *)base && s.p + s.n <= (const char *)base + n : s.n == 0;
}

static void check_success(const struct res *o, const uint8_t *base, size_t size, size_t maxh)
{
	const http_resp *r = &o->r;
	size_t n = (size_t)o->rc;
	if (r->err != HTTP_PERR_NONE || r->nheaders > maxh || r->status < 100 || r->status > 599 ||
	    (r->minor != 0 && r->minor != 1) || !inside(r->reason, base, n))
		abort();
	for (size_t i = 0; i < r->nheaders; i++)
		if (!inside(r->headers[i].name, base, n) || !inside(r->headers[i].value, base, n) ||
		    !http_msg_token_ok(r->headers[i].name) || !http_msg_value_ok(r->headers[i].value))
			abort();
	if (r->chunked && r->has_content_length)
		abort();
	if (r->has_content_length && r->content_length > INT64_MAX)
		abort();
	/* reason phrases may have inner HTAB/SP but no CTL; the writer takes them
	 * when they have no leading/trailing whitespace */
	buf b = { 0 };
	int rc = 0;
	if (http_msg_value_ok(r->reason))
		rc = http_msg_status_line(&b, r->status, r->reason);
	else
		rc = http_msg_status_line(&b, r->status, STR_LIT("X"));
	for (size_t i = 0; i < r->nheaders && rc == 0; i++)
		rc = http_msg_header(&b, r->headers[i].name, r->headers[i].value);
	if (rc == 0)
		rc = http_msg_end(&b);
	if (rc != 0)
		abort();
	struct res *o2 = malloc(sizeof *o2);
	http_limits big = { .max_head = b.len + 1 };
	parse_at((const uint8_t *)b.data, b.len, 0, &big, MAXH, o2);
	if (o2->rc != (int)b.len || o2->r.status != r->status || o2->r.nheaders != r->nheaders ||
	    o2->r.chunked != r->chunked || o2->r.has_content_length != r->has_content_length ||
	    o2->r.content_length != r->content_length)
		abort();
	free(o2);
	buf_free(&b);

	/* the body, through the decoders the client will use */
	const char *body = (const char *)base + n;
	size_t left = size - n;
	switch (http_parse_resp_body(r, HTTP_METHOD_GET)) {
	case HTTP_BODY_CHUNKED: {
		http_chunked c = { 0 };
		size_t used, made;
		char *dst = malloc(left ? left : 1);
		int cr = http_parse_chunked(&c, body, left, &used, dst, left, &made);
		if (used > left || made > used || (cr == ERR_AGAIN && used != left) || c.total != made)
			abort();
		free(dst);
		break;
	}
	case HTTP_BODY_LENGTH:
		if (r->content_length == 0)
			abort();
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t maxh = data[0] % (MAXH + 1);
	http_limits lim = { .max_head = data[1] ? (size_t)data[1] * 8 : 0 };
	data += 2;
	size -= 2;

	struct res *whole = malloc(sizeof *whole), *pre = malloc(sizeof *pre);
	const uint8_t *wb = parse_copy(data, size, &lim, maxh, whole);
	int rc = whole->rc;
	if (rc > 0) {
		if ((size_t)rc > size)
			abort();
		check_success(whole, wb, size, maxh);
	} else {
		int st = http_parse_error_status(whole->r.err);
		switch (rc) {
		case ERR_AGAIN: if (whole->r.err != HTTP_PERR_NONE) abort(); break;
		case ERR_INVAL: if (st != 400) abort(); break;
		case ERR_TOOBIG: if (st != 431) abort(); break;
		case ERR_UNSUPPORTED: if (st != 501 && st != 505) abort(); break;
		default: abort();
		}
	}

	bool seen_err = false;
	size_t step = size <= 160 ? 1 : size / 48;
	for (size_t k = 0; k < size; k += step) {
		const uint8_t *pb = parse_copy(data, k, &lim, maxh, pre);
		int r = pre->rc;
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
		const uint8_t *pb = parse_copy(data, (size_t)rc - 1, &lim, maxh, pre);
		if (pre->rc != ERR_AGAIN)
			abort();
		free((void *)pb);
	}

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
