/* fuzz_xlate_anthropic.c — libFuzzer target for the Anthropic translator.
 * Byte 0 picks the mode (low 2 bits) and context flags (the rest); the
 * remaining bytes are:
 *   0  an OpenAI chat request  -> xlate_anthropic_request (+ anthropic-beta of the output)
 *   1  an Anthropic response   -> xlate_anthropic_response (+ xlate_anthropic_error)
 *   2  an SSE byte stream      -> sse decoder -> xlate_anthropic_stream_feed, then _end
 *   3  one event data per line -> xlate_anthropic_stream_feed, then _end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with model, messages, max_tokens, stream;
 * response: chat.completion; stream: one JSON object per line, as many lines
 * as the call said); on error the output is exactly as before the call and
 * the message is valid UTF-8; a tight output cap gives the same output or
 * ERR_TOOBIG; stream errors are sticky. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/xlate_anthropic.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	arena a = { 0 };
	buf out = { 0 }, small = { 0 };
	xlate_err e;
	xlate_req_info info;
	json_doc d;

	fresh(&out, 0);
	int rc = xlate_anthropic_request(cx, p, n, &a, &out, &info, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		int m = json_get(&d, 0, "model"), ms = json_get(&d, 0, "messages");
		check(json_typeof(&d, m) == JSON_STRING && json_typeof(&d, ms) == JSON_ARRAY);
		check(json_get(&d, 0, "max_tokens") >= 0);
		int st = json_get(&d, 0, "stream");
		check(json_typeof(&d, st) == (cx->stream ? JSON_TRUE : JSON_FALSE));
		char beta[XLATE_ANTHROPIC_BETA_MAX];
		int bl = xlate_anthropic_beta(out.data + 3, out.len - 3, &a, beta);
		check(bl >= 0 && bl < XLATE_ANTHROPIC_BETA_MAX && strlen(beta) == (size_t)bl);
	} else {
		check(out.len == 3);
		check_err(&e);
		check(rc == ERR_INVAL || rc == ERR_TOOBIG || rc == ERR_NOMEM);
	}
	/* a tight cap: the same result or ERR_TOOBIG */
	size_t cap = out.len > 3 ? 3 + (out.len - 3) / 2 : 8;
	fresh(&small, cap);
	arena_reset(&a);
	int rc2 = xlate_anthropic_request(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&out);
	buf_free(&small);
	arena_free(&a);
}

static void run_response(const xlate_ctx *cx, const char *p, size_t n)
{
	arena a = { 0 };
	buf out = { 0 };
	xlate_err e;
	xlate_usage u;
	json_doc d;

	fresh(&out, 0);
	int rc = xlate_anthropic_response(cx, p, n, &a, &out, &u, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		int msg = json_path(&d, 0, "choices.0.message");
		check(json_typeof(&d, msg) == JSON_OBJECT);
		check(json_typeof(&d, json_path(&d, 0, "choices.0.finish_reason")) == JSON_STRING);
		check(json_typeof(&d, json_path(&d, 0, "usage.total_tokens")) == JSON_NUMBER);
		check(u.total_tokens >= u.completion_tokens);
		/* tool call arguments are strings holding one JSON object */
		int tc = json_get(&d, msg, "tool_calls");
		json_iter it = json_iter_begin(&d, tc);
		int c;
		while (json_iter_next(&d, &it, NULL, &c)) {
			str args;
			json_doc ad;
			check(json_str(&d, json_path(&d, c, "function.arguments"), &a, &args) == 0);
			json_opts o = { .max_depth = JSON_DEPTH_MAX };
			check(json_parse_arena(&ad, &a, args.p, args.n, &o, NULL) > 0);
		}
	} else {
		check(out.len == 3);
		check_err(&e);
	}
	/* a tight cap: the same result or ERR_TOOBIG */
	buf small = { 0 };
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = xlate_anthropic_response(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&small);
	arena_reset(&a);
	if (xlate_anthropic_error(p, n, &a, &e) == 0)
		check_err(&e);
	buf_free(&out);
	arena_free(&a);
}

struct srun {
	xlate_anthropic_stream st;
	buf out;
	arena a;
	bool failed;
	int events;
};

/* Feed one event and check what it did. */
static int sfeed(struct srun *r, str type, str data)
{
	xlate_err e;
	size_t before = r->out.len;
	arena_reset(&r->a);
	int n = xlate_anthropic_stream_feed(&r->st, type, data, &r->a, &r->out, &e);
	r->events++;
	check_feed(n, &e, &r->out, before, &r->failed, &r->a);
	if (n >= 0)
		check(n <= 3);
	return 0;
}

static int on_ev(void *ud, const sse_event *ev)
{
	return sfeed(ud, ev->type, ev->data);
}

static void on_line(void *ud, str line)
{
	sfeed(ud, STR_NULL, line);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool sse)
{
	struct srun r;
	xlate_err e;
	memset(&r, 0, sizeof r);
	xlate_anthropic_stream_init(&r.st, cx);
	if (sse) {
		sse_decoder dec;
		sse_decoder_init(&dec, 1 << 16);
		sse_decoder_feed_all(&dec, p, n, on_ev, &r);
		sse_decoder_free(&dec);
	} else {
		each_line(p, n, on_line, &r);
	}
	int end = xlate_anthropic_stream_end(&r.st, &r.out, &e);
	if (end < 0) {
		check_err(&e);
		check(r.out.len == 0);
	} else {
		check(r.st.done && !r.failed);
		check(r.st.finish_reason != NULL);
	}
	check(r.st.usage.total_tokens >= r.st.usage.completion_tokens);
	buf_free(&r.out);
	arena_free(&r.a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "claude-sonnet-4", run_request, run_response, run_stream);
}
