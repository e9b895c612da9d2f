/* xlate_testlib.h — helpers shared by the translator unit tests
 * (test_xlate_anthropic.c, test_xlate_gemini.c). Define before including:
 *   XT_REQUEST   the translator's request function  (xlate_<p>_request)
 *   XT_RESPONSE  the translator's response function (xlate_<p>_response)
 *   XT_MODEL     the default upstream model of ctx()
 * Gives the shared scratch state (arena A, output O, error E), ctx(), the
 * strict-JSON checks valid/valid_lines, the call wrappers rq_info/rq/rs
 * (which also check that an error leaves O empty), at() for reading one path
 * of an output, and sse_feed_pieces for split-point tests. */
#ifndef TESTS_UNIT_XLATE_TESTLIB_H
#define TESTS_UNIT_XLATE_TESTLIB_H
#include "t.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/xlate.h"
#include <stdlib.h>

static arena A;
static buf O;
static xlate_err E;

static xlate_ctx ctx(void)
{
	return (xlate_ctx){ .model = STR_LIT(XT_MODEL), .id = STR_LIT("chatcmpl-x"), .created = 1700000000 };
}

/* Strict validity of a whole output (depth as deep as the writer allows). */
static bool valid(const char *p, size_t n)
{
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	return json_validate(p, n, &o, NULL) > 0;
}

/* Each '\n'-terminated line is one valid JSON object; returns the count or -1. */
static int valid_lines(const char *p, size_t n)
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

static int rq_info(const xlate_ctx *cx, const char *in, xlate_req_info *info)
{
	arena_reset(&A);
	buf_reset(&O);
	memset(&E, 0, sizeof E);
	int rc = XT_REQUEST(cx, in, strlen(in), &A, &O, info, &E);
	if (rc == 0 && !valid(O.data, O.len))
		return -1000;
	if (rc != 0 && O.len != 0)
		return -1001; /* out must be restored on error */
	return rc;
}

static const char *rq(const char *in)
{
	xlate_ctx cx = ctx();
	int rc = rq_info(&cx, in, NULL);
	if (rc) {
		static char tmp[600];
		snprintf(tmp, sizeof tmp, "rc=%d %s", rc, E.msg);
		return tmp;
	}
	return O.data;
}

static int rs(const xlate_ctx *cx, const char *in, xlate_usage *u)
{
	arena_reset(&A);
	buf_reset(&O);
	memset(&E, 0, sizeof E);
	int rc = XT_RESPONSE(cx, in, strlen(in), &A, &O, u, &E);
	if (rc == 0 && !valid(O.data, O.len))
		return -1000;
	if (rc != 0 && O.len != 0)
		return -1001;
	return rc;
}

/* The raw JSON text at a dotted path of a document, or "<none>". */
static const char *at(const char *js, const char *path)
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
static void sse_feed_pieces(sse_decoder *dec, const char *s, size_t n, size_t piece, sse_event_cb fn, void *ud)
{
	for (size_t off = 0; off < n;) {
		size_t k = piece && piece < n - off ? piece : n - off;
		sse_decoder_feed_all(dec, s + off, k, fn, ud);
		off += k;
	}
}

#endif
