/* xlate_fuzz.h — the parts shared by the translator fuzz targets
 * (fuzz_xlate_anthropic.c, fuzz_xlate_gemini.c, fuzz_xlate_cohere.c,
 * fuzz_xlate_bedrock.c, fuzz_xlate_gemini_embed.c):
 * invariant checks on outputs and errors, the stream-chunk line check, the
 * request / response runners with their tight-cap re-run and the stream
 * runner, all driven through a codec, and the entry point that turns byte 0
 * into a mode and an xlate_ctx. Header-only, included once per target. */
#ifndef TESTS_FUZZ_XLATE_FUZZ_H
#define TESTS_FUZZ_XLATE_FUZZ_H
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/xlate.h"
#include "providers/xlate_codec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "pre"

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* An error filled by a failed call: a kind, and NUL-terminated valid UTF-8. */
static void check_err(const xlate_err *e)
{
	size_t n = strnlen(e->msg, sizeof e->msg);
	check(n < sizeof e->msg && json_utf8_valid(e->msg, n));
	check(strnlen(e->type, sizeof e->type) < sizeof e->type);
	check(e->kind != XLATE_E_NONE);
}

/* Output after the prefix: one strict JSON object; returns its doc. */
static bool parse_out(const buf *b, arena *a, json_doc *d)
{
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	check(b->len >= 3 && memcmp(b->data, PREFIX, 3) == 0);
	if (json_parse_arena(d, a, b->data + 3, b->len - 3, &o, NULL) <= 0)
		return false;
	return json_typeof(d, 0) == JSON_OBJECT;
}

/* b emptied, capped at cap (0 = none) and holding only the prefix. */
static void fresh(buf *b, size_t cap)
{
	buf_free(b);
	buf_init(b, cap);
	buf_puts(b, PREFIX);
}

/* After a stream feed that returned n with out at length before on entry:
 * on error out is unchanged, e is filled and a second error is ERR_STATE
 * (sticky; *failed records the first); otherwise no error came before and
 * out[before..] is exactly n lines, each one chat.completion.chunk object.
 * Then out is emptied to keep memory flat. */
static void check_feed(int n, const xlate_err *e, buf *out, size_t before, bool *failed, arena *a)
{
	if (n < 0) {
		check(out->len == before);
		check_err(e);
		if (*failed)
			check(n == ERR_STATE);
		*failed = true;
		return;
	}
	check(!*failed);
	size_t i = before;
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	for (int k = 0; k < n; k++) {
		const char *nl = memchr(out->data + i, '\n', out->len - i);
		check(nl != NULL);
		size_t l = (size_t)(nl - (out->data + i));
		json_doc d;
		arena_reset(a);
		check(json_parse_arena(&d, a, out->data + i, l, &o, NULL) > 0);
		check(json_typeof(&d, 0) == JSON_OBJECT);
		check(json_str_eq(&d, json_get(&d, 0, "object"), STR_LIT("chat.completion.chunk")));
		i += l + 1;
	}
	check(i == out->len);
	buf_reset(out);
}

/* fn on every '\n'-separated line of p[0..n) (the last one may be empty). */
static void each_line(const char *p, size_t n, void (*fn)(void *ud, str line), void *ud)
{
	size_t i = 0;
	while (i <= n) {
		const char *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
		size_t l = nl ? (size_t)(nl - (p + i)) : n - i;
		fn(ud, str_make(p + i, l));
		i += l + 1;
	}
}

/* ---- pieces driven through a codec (providers/xlate_codec.h): a target uses
 * the ones it needs (static inline: unused ones cost nothing) ------------------ */

/* The codec of (adapter, operation); there must be one. */
static inline const xlate_codec *xf_codec(provider_adapter ad, provider_op op)
{
	const xlate_codec *k = xlate_codec_for(ad, op);
	check(k != NULL);
	return k;
}

/* Every tool_calls[].function.arguments of message msg is a string holding
 * one strict JSON value (an object when object). */
static inline void xf_check_tool_args(const json_doc *d, int msg, arena *a, bool object)
{
	int c;
	json_iter it = json_iter_begin(d, json_get(d, msg, "tool_calls"));
	while (json_iter_next(d, &it, NULL, &c)) {
		str args;
		json_doc ad;
		json_opts o = { .max_depth = JSON_DEPTH_MAX };
		check(json_str(d, json_path(d, c, "function.arguments"), a, &args) == 0);
		check(json_parse_arena(&ad, a, args.p, args.n, &o, NULL) > 0);
		check(!object || json_typeof(&ad, 0) == JSON_OBJECT);
	}
}

/* Re-run codec k's request (response when !request) on p[0..n) into an
 * output capped at half of what `out` (prefix included) needed: the same rc
 * and bytes as the uncapped run that returned rc, or ERR_TOOBIG with the
 * output left as the prefix. */
static inline void xf_check_cap(const xlate_codec *k, bool request, const xlate_ctx *cx, const char *p, size_t n,
				const buf *out, int rc)
{
	arena a = { 0 };
	buf small = { 0 };
	xlate_err e;
	fresh(&small, out->len > 3 ? 3 + (out->len - 3) / 2 : 8);
	int rc2 = request ? k->request(cx, p, n, &a, &small, NULL, &e) : k->response(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out->len && memcmp(small.data, out->data, out->len) == 0);
	buf_free(&small);
	arena_free(&a);
}

/* What a target checks on a successful request translation: the output
 * document, the client's request (parsed) and the info it returned (a:
 * scratch for the check). */
typedef void (*xf_req_shape)(const xlate_ctx *cx, const json_doc *out, const json_doc *in, const xlate_req_info *info,
			     arena *a);
/* ... on a successful response translation: the output and the usage. */
typedef void (*xf_resp_shape)(const xlate_ctx *cx, const json_doc *out, const xlate_usage *u, arena *a);

/* Codec k's request translator on p[0..n): success gives one strict JSON
 * object (checked by shape, may be NULL) and, when the codec computes a
 * header, a value of it that fits; failure leaves the output as the prefix,
 * fills err and is ERR_INVAL, ERR_TOOBIG or ERR_NOMEM. Then the tight-cap
 * re-run (xf_check_cap). */
static inline void xf_request(const xlate_codec *k, const xlate_ctx *cx, const char *p, size_t n, xf_req_shape shape)
{
	arena a = { 0 };
	buf out = { 0 };
	xlate_err e;
	xlate_req_info info;
	json_doc d, in;

	fresh(&out, 0);
	int rc = k->request(cx, p, n, &a, &out, &info, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		check(json_parse_arena(&in, &a, p, n, NULL, NULL) > 0);
		if (shape)
			shape(cx, &d, &in, &info, &a);
		if (k->header_value) {
			char val[XLATE_HEADER_MAX];
			int vl = k->header_value(out.data + 3, out.len - 3, &a, val);
			check(vl >= 0 && vl < XLATE_HEADER_MAX && strlen(val) == (size_t)vl);
		}
	} else {
		check(out.len == 3);
		check_err(&e);
		check(rc == ERR_INVAL || rc == ERR_TOOBIG || rc == ERR_NOMEM);
	}
	xf_check_cap(k, true, cx, p, n, &out, rc);
	buf_free(&out);
	arena_free(&a);
}

/* Codec k's response translator on p[0..n): success gives one strict JSON
 * object with a numeric usage.total_tokens and usage counts that add up
 * (then shape, may be NULL); failure leaves the output as the prefix and
 * fills err with an upstream, serialization or internal error. Then the
 * tight-cap re-run, and the codec's error reader, which fills err when it
 * returns 0. */
static inline void xf_response(const xlate_codec *k, const xlate_ctx *cx, const char *p, size_t n,
			       xf_resp_shape shape)
{
	arena a = { 0 };
	buf out = { 0 };
	xlate_err e;
	xlate_usage u;
	json_doc d;

	fresh(&out, 0);
	int rc = k->response(cx, p, n, &a, &out, &u, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		check(json_typeof(&d, json_path(&d, 0, "usage.total_tokens")) == JSON_NUMBER);
		check(u.total_tokens >= u.completion_tokens);
		if (shape)
			shape(cx, &d, &u, &a);
	} else {
		check(out.len == 3);
		check_err(&e);
		check(e.kind == XLATE_E_SERIALIZATION || e.kind == XLATE_E_UPSTREAM || e.kind == XLATE_E_INTERNAL);
	}
	xf_check_cap(k, false, cx, p, n, &out, rc);
	arena_reset(&a);
	if (k->error && k->error(p, n, &a, &e) == 0)
		check_err(&e);
	buf_free(&out);
	arena_free(&a);
}

/* A chat.completion's choices: each has a message object and a string
 * finish_reason, its tool call arguments hold JSON (objects when objects). */
static inline void xf_check_choices(const json_doc *d, arena *a, bool objects)
{
	int choices = json_get(d, 0, "choices"), ch;
	json_iter it = json_iter_begin(d, choices);
	check(json_typeof(d, choices) == JSON_ARRAY);
	while (json_iter_next(d, &it, NULL, &ch)) {
		int msg = json_get(d, ch, "message");
		check(json_typeof(d, msg) == JSON_OBJECT);
		check(json_typeof(d, json_get(d, ch, "finish_reason")) == JSON_STRING);
		xf_check_tool_args(d, msg, a, objects);
	}
}

/* One stream run through codec k: its state (calloc'd, k->stream_size), the
 * chunks, whether a feed failed, and the end call's result. */
typedef struct xf_stream {
	const xlate_codec *k;
	void *st;
	buf out;
	arena a;
	bool failed;
	int max_chunks;  /* the most chunks one feed may return (0 = no bound) */
	int end;         /* what k->stream_end returned */
} xf_stream;

static inline void xf_stream_feed(xf_stream *r, str type, str data)
{
	xlate_err e;
	size_t before = r->out.len;
	arena_reset(&r->a);
	int n = r->k->stream_feed(r->st, type, data, &r->a, &r->out, &e);
	if (n >= 0 && r->max_chunks)
		check(n <= r->max_chunks);
	check_feed(n, &e, &r->out, before, &r->failed, &r->a);
}

static inline int xf_stream_on_ev(void *ud, const sse_event *ev)
{
	xf_stream_feed(ud, ev->type, ev->data);
	return 0;
}

static inline void xf_stream_on_line(void *ud, str line)
{
	xf_stream_feed(ud, STR_NULL, line);
}

/* Start a stream run through codec k (its state calloc'd and initialised
 * from cx); feed it with xf_stream_feed, end it with xf_stream_finish. */
static inline void xf_stream_start(xf_stream *r, const xlate_codec *k, const xlate_ctx *cx, int max_chunks)
{
	memset(r, 0, sizeof *r);
	r->k = k;
	r->max_chunks = max_chunks;
	r->st = calloc(1, k->stream_size);
	check(r->st != NULL);
	k->stream_init(r->st, cx);
}

/* End the stream (an error there leaves the output empty; success needs no
 * failed feed before). */
static inline void xf_stream_finish(xf_stream *r)
{
	xlate_err e;
	r->end = r->k->stream_end(r->st, &r->out, &e);
	if (r->end < 0) {
		check_err(&e);
		check(r->out.len == 0);
	} else {
		check(!r->failed);
	}
}

/* Feed p[0..n) to codec k's stream side (sse: through the SSE decoder, with
 * event names; else one data per line, no name), checking every feed with
 * check_feed, then end it (xf_stream_finish). The caller checks its own
 * state fields in r->st, then calls xf_stream_free. */
static inline void xf_stream_run(xf_stream *r, const xlate_codec *k, const xlate_ctx *cx, const char *p, size_t n,
				 bool sse, int max_chunks)
{
	xf_stream_start(r, k, cx, max_chunks);
	if (sse) {
		sse_decoder dec;
		sse_decoder_init(&dec, 1 << 16);
		sse_decoder_feed_all(&dec, p, n, xf_stream_on_ev, r);
		sse_decoder_free(&dec);
	} else {
		each_line(p, n, xf_stream_on_line, r);
	}
	xf_stream_finish(r);
}

/* The checks on a run's stream state st (any xlate_*_stream: the fields
 * every one has under the same names) after xf_stream_finish: a stream that
 * ended well is done, finished with a reason and sent its usage chunk when
 * asked; the usage counts add up. */
#define XF_CHECK_STREAM_END(r, st)                                            \
	do {                                                                   \
		if ((r)->end >= 0) {                                           \
			check((st)->done && (st)->finish_reason != NULL);      \
			check(!(st)->include_usage || (st)->usage_sent);       \
		}                                                              \
		check((st)->usage.total_tokens >= (st)->usage.completion_tokens); \
	} while (0)

static inline void xf_stream_free(xf_stream *r)
{
	free(r->st);
	buf_free(&r->out);
	arena_free(&r->a);
}

typedef void (*xf_run_fn)(const xlate_ctx *cx, const char *p, size_t n);
typedef void (*xf_stream_fn)(const xlate_ctx *cx, const char *p, size_t n, bool sse);

/* The body of LLVMFuzzerTestOneInput: byte 0 = mode (low 2 bits: request,
 * response, SSE stream, one event per line) and xlate_ctx flags; the rest,
 * copied to an exact-size heap block (ASan sees reads past the end), goes to
 * the runner of that mode. model is the ctx's default upstream model. */
static int xf_main(const uint8_t *data, size_t size, const char *model, xf_run_fn request, xf_run_fn response,
		   xf_stream_fn stream)
{
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	xlate_ctx cx = {
		.model = str_from(model),
		.id = STR_LIT("chatcmpl-fuzz"),
		.created = 1700000000,
		.stream = (sel & 0x04) != 0,
		.include_usage = (sel & 0x08) != 0,
		.max_tokens = (sel & 0x10) ? 100 : 0,
		.flags = (sel & 0x20) ? XLATE_F_STRICT_ARGS : 0,
	};
	if (sel & 0x40)
		cx.model = STR_NULL, cx.id = STR_NULL;
	char *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, p, n);
	switch (sel & 3) {
	case 0:
		request(&cx, copy, n);
		break;
	case 1:
		response(&cx, copy, n);
		break;
	case 2:
		stream(&cx, copy, n, true);
		break;
	default:
		stream(&cx, copy, n, false);
		break;
	}
	free(copy);
	return 0;
}

#endif
