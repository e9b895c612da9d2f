/* xlate_testlib.h — helpers shared by the translator unit tests
 * (test_xlate_anthropic.c, _gemini.c, _cohere.c, _bedrock.c,
 * _gemini_embed.c). Define before including:
 *   XT_REQUEST   the translator's request function  (xlate_<p>_request)
 *   XT_RESPONSE  the translator's response function (xlate_<p>_response)
 *   XT_MODEL     the default upstream model of ctx()
 * Gives the shared scratch state (arena A, output O, error E), ctx(), the
 * strict-JSON checks valid/valid_lines, the call wrappers rq_info/rq/rs and
 * rq_fn/rq_out/rs_fn for any other translator function (which also check
 * that an error leaves O empty), at() for reading one path of an output,
 * sse_feed_pieces, and the stream runs through a codec (xt_sse_run) with
 * the split-point check (xt_splits, xt_sse_splits). */
#ifndef TESTS_UNIT_XLATE_TESTLIB_H
#define TESTS_UNIT_XLATE_TESTLIB_H
#include "t.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/xlate.h"
#include "providers/xlate_codec.h"
#include <stdlib.h>
#include <string.h>

static arena A;
static buf O;
static xlate_err E;

static inline xlate_ctx ctx(void)
{
	return (xlate_ctx){ .model = STR_LIT(XT_MODEL), .id = STR_LIT("chatcmpl-x"), .created = 1700000000 };
}

/* Strict validity of a whole output (depth as deep as the writer allows). */
static inline bool valid(const char *p, size_t n)
{
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	return json_validate(p, n, &o, NULL) > 0;
}

/* Each '\n'-terminated line is one valid JSON object; returns the count or -1. */
static inline int valid_lines(const char *p, size_t n)
{
	int c = 0;
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			return -1;
		size_t l = (size_t)(nl - (p + i));
		if (!valid(p + i, l) || p[i] != '{')
			return -1;
		c++;
		i += l + 1;
	}
	return c;
}

typedef int (*xt_req_fn)(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			 xlate_req_info *info, xlate_err *err);
typedef int (*xt_resp_fn)(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_usage *usage, xlate_err *err);

/* Request translator fn on in into O: its rc, -1000 when a success is not
 * valid JSON, -1001 when an error left output. */
static inline int rq_fn(xt_req_fn fn, const xlate_ctx *cx, const char *in, xlate_req_info *info)
{
	arena_reset(&A);
	buf_reset(&O);
	memset(&E, 0, sizeof E);
	int rc = fn(cx, in, strlen(in), &A, &O, info, &E);
	if (rc == 0 && !valid(O.data, O.len))
		return -1000;
	if (rc != 0 && O.len != 0)
		return -1001; /* out must be restored on error */
	return rc;
}

/* The same for a response translator (usage may be NULL). */
static inline int rs_fn(xt_resp_fn fn, const xlate_ctx *cx, const char *in, xlate_usage *u)
{
	arena_reset(&A);
	buf_reset(&O);
	memset(&E, 0, sizeof E);
	int rc = fn(cx, in, strlen(in), &A, &O, u, &E);
	if (rc == 0 && !valid(O.data, O.len))
		return -1000;
	if (rc != 0 && O.len != 0)
		return -1001;
	return rc;
}

/* rq_fn's output, or "rc=<rc> <message>". */
static inline const char *rq_out(xt_req_fn fn, const xlate_ctx *cx, const char *in, xlate_req_info *info)
{
	int rc = rq_fn(fn, cx, in, info);
	if (rc) {
		static char tmp[600];
		snprintf(tmp, sizeof tmp, "rc=%d %s", rc, E.msg);
		return tmp;
	}
	return O.data;
}

static inline int rq_info(const xlate_ctx *cx, const char *in, xlate_req_info *info)
{
	return rq_fn(XT_REQUEST, cx, in, info);
}

static inline const char *rq(const char *in)
{
	xlate_ctx cx = ctx();
	return rq_out(XT_REQUEST, &cx, in, NULL);
}

static inline int rs(const xlate_ctx *cx, const char *in, xlate_usage *u)
{
	return rs_fn(XT_RESPONSE, cx, in, u);
}

/* The raw JSON text at a dotted path of a document, or "<none>". */
static inline const char *at(const char *js, const char *path)
{
	static char out[4096];
	arena a = { 0 };
	json_doc d;
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	strcpy(out, "<none>");
	if (js && json_parse_arena(&d, &a, js, strlen(js), &o, NULL) > 0) {
		int i = json_path(&d, 0, path);
		if (i >= 0) {
			str r = json_raw(&d, i);
			str_to_cbuf(r, out, sizeof out);
		}
	}
	arena_free(&a);
	return out;
}

/* Feed s[0..n) to dec in pieces of piece bytes (0 = all at once). */
static inline void sse_feed_pieces(sse_decoder *dec, const char *s, size_t n, size_t piece, sse_event_cb fn, void *ud)
{
	for (size_t off = 0; off < n;) {
		size_t k = piece && piece < n - off ? piece : n - off;
		sse_decoder_feed_all(dec, s + off, k, fn, ud);
		off += k;
	}
}

/* ---- streams through a codec (its void * stream side, as the gateway drives it) ---- */

typedef struct xt_stream {
	const xlate_codec *k;
	void *st;  /* k->stream_size bytes */
	buf *out;
	int rc;    /* the last error, 0 = none */
} xt_stream;

static inline int xt_on_event(void *ud, const sse_event *ev)
{
	xt_stream *r = ud;
	arena_reset(&A);
	int n = r->k->stream_feed(r->st, ev->type, ev->data, &A, r->out, &E);
	if (n < 0)
		r->rc = n;
	return 0;
}

/* s[0..n), an SSE byte stream, through the SSE decoder in pieces of piece
 * bytes (0 = whole) into codec k's stream started with cx, then its end:
 * the chunks appended to out; the last error returned (0 = none). */
static inline int xt_sse_run(const xlate_codec *k, const xlate_ctx *cx, const char *s, size_t n, size_t piece,
			     buf *out)
{
	xt_stream r = { .k = k, .st = calloc(1, k->stream_size), .out = out };
	sse_decoder dec;
	k->stream_init(r.st, cx);
	sse_decoder_init(&dec, 0);
	sse_feed_pieces(&dec, s, n, piece, xt_on_event, &r);
	int e = k->stream_end(r.st, out, &E);
	if (e < 0)
		r.rc = e;
	sse_decoder_free(&dec);
	free(r.st);
	return r.rc;
}

/* A run of a framed stream s[0..n) fed in pieces of piece bytes into out. */
typedef int (*xt_run_fn)(const void *ud, const char *s, size_t n, size_t piece, buf *out);

/* run in pieces of every size from 1 (stepping by 1 below small, then by
 * step) gives want[0..wn) and no error: the number of sizes that did not. */
static inline int xt_splits(xt_run_fn run, const void *ud, const char *s, size_t n, size_t small, size_t step,
			    const char *want, size_t wn)
{
	int bad = 0;
	for (size_t piece = 1; piece < n; piece += piece < small ? 1 : step) {
		buf part = { 0 };
		if (run(ud, s, n, piece, &part) < 0 || part.len != wn || (wn && memcmp(part.data, want, wn)))
			bad++;
		buf_free(&part);
	}
	return bad;
}

typedef struct xt_sse {
	const xlate_codec *k;
	const xlate_ctx *cx;
} xt_sse;

static inline int xt_sse_piece_run(const void *ud, const char *s, size_t n, size_t piece, buf *out)
{
	const xt_sse *x = ud;
	return xt_sse_run(x->k, x->cx, s, n, piece, out);
}

/* xt_splits of an SSE byte stream through codec k (pieces 1..63, then every 97th). */
static inline int xt_sse_splits(const xlate_codec *k, const xlate_ctx *cx, const char *s, size_t n, const char *want,
				size_t wn)
{
	xt_sse x = { k, cx };
	return xt_splits(xt_sse_piece_run, &x, s, n, 64, 97, want, wn);
}

#endif
