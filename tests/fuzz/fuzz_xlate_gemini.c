/* fuzz_xlate_gemini.c — libFuzzer target for the Gemini translator.
 * Byte 0 picks the mode (low 2 bits) and context flags (the rest); the
 * remaining bytes are:
 *   0  an OpenAI chat request  -> xlate_gemini_request
 *   1  a Gemini response       -> xlate_gemini_response (+ xlate_gemini_error)
 *   2  an SSE byte stream      -> sse decoder -> xlate_gemini_stream_feed, then _end
 *   3  one event data per line -> xlate_gemini_stream_feed, then _end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with a contents array, no model or stream;
 * response: chat.completion with a choices array and usage; stream: one JSON object per line, as many lines
 * as the call said); on error the output is exactly as before the call and
 * the message is valid UTF-8; a tight output cap gives the same output or
 * ERR_TOOBIG; stream errors are sticky. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/xlate_gemini.h"
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
	int rc = xlate_gemini_request(cx, p, n, &a, &out, &info, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		/* contents is ours unless extra_body replaced it */
		json_doc in;
		int ex = -1;
		if (json_parse_arena(&in, &a, p, n, NULL, NULL) > 0)
			ex = json_get(&in, 0, "extra_body");
		int ct = json_get(&d, 0, "contents");
		check(ct >= 0);
		if (json_typeof(&in, ex) != JSON_OBJECT) {
			check(json_get(&d, 0, "messages") < 0 && json_get(&d, 0, "model") < 0);
			check(json_get(&d, 0, "stream") < 0 && json_get(&d, 0, "extra_body") < 0);
		}
		/* the turns we build alternate user/model and have parts */
		if (json_typeof(&in, ex) != JSON_OBJECT || json_get(&in, ex, "contents") < 0) {
			json_iter it = json_iter_begin(&d, ct);
			int t;
			bool prev_model = false, first = true;
			check(json_typeof(&d, ct) == JSON_ARRAY);
			while (json_iter_next(&d, &it, NULL, &t)) {
				int role = json_get(&d, t, "role");
				bool model = json_str_eq(&d, role, STR_LIT("model"));
				check(model || json_str_eq(&d, role, STR_LIT("user")));
				check(json_size(&d, json_get(&d, t, "parts")) > 0);
				check(first || model != prev_model);
				prev_model = model;
				first = false;
			}
		}
	} else {
		check(out.len == 3);
		check_err(&e);
		check(rc == ERR_INVAL || rc == ERR_TOOBIG || rc == ERR_NOMEM);
	}
	/* a tight cap: the same result or ERR_TOOBIG */
	size_t cap = out.len > 3 ? 3 + (out.len - 3) / 2 : 8;
	fresh(&small, cap);
	arena_reset(&a);
	int rc2 = xlate_gemini_request(cx, p, n, &a, &small, NULL, &e);
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
	int rc = xlate_gemini_response(cx, p, n, &a, &out, &u, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		int choices = json_get(&d, 0, "choices"), ch;
		check(json_typeof(&d, choices) == JSON_ARRAY);
		check(json_typeof(&d, json_path(&d, 0, "usage.total_tokens")) == JSON_NUMBER);
		check(u.total_tokens >= u.completion_tokens);
		json_iter cit = json_iter_begin(&d, choices);
		while (json_iter_next(&d, &cit, NULL, &ch)) {
			int msg = json_get(&d, ch, "message");
			check(json_typeof(&d, msg) == JSON_OBJECT);
			check(json_typeof(&d, json_get(&d, ch, "finish_reason")) == JSON_STRING);
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
				check(json_typeof(&ad, 0) == JSON_OBJECT);
			}
		}
	} else {
		check(out.len == 3);
		check_err(&e);
	}
	/* a tight cap: the same result or ERR_TOOBIG */
	buf small = { 0 };
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = xlate_gemini_response(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&small);
	arena_reset(&a);
	if (xlate_gemini_error(p, n, &a, &e) == 0)
		check_err(&e);
	buf_free(&out);
	arena_free(&a);
}

struct srun {
	xlate_gemini_stream st;
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
	int n = xlate_gemini_stream_feed(&r->st, type, data, &r->a, &r->out, &e);
	r->events++;
	check_feed(n, &e, &r->out, before, &r->failed, &r->a);
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
	xlate_gemini_stream_init(&r.st, cx);
	if (sse) {
		sse_decoder dec;
		sse_decoder_init(&dec, 1 << 16);
		sse_decoder_feed_all(&dec, p, n, on_ev, &r);
		sse_decoder_free(&dec);
	} else {
		each_line(p, n, on_line, &r);
	}
	int end = xlate_gemini_stream_end(&r.st, &r.out, &e);
	if (end < 0) {
		check_err(&e);
		check(r.out.len == 0);
	} else {
		check(r.st.done && !r.failed);
		check(r.st.finish_reason != NULL);
		check(!r.st.include_usage || r.st.usage_sent);
	}
	check(r.st.usage.total_tokens >= r.st.usage.completion_tokens);
	buf_free(&r.out);
	arena_free(&r.a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "gemini-2.5-flash", run_request, run_response, run_stream);
}
