/* fuzz_xlate_gemini.c — libFuzzer target for the Gemini translator, driven
 * through its codec row (xlate_codec_for(GEMINI, CHAT)).
 * Byte 0 picks the mode (low 2 bits) and context flags (the rest); the
 * remaining bytes are:
 *   0  an OpenAI chat request  -> request translator
 *   1  a Gemini response       -> response translator (+ the error reader)
 *   2  an SSE byte stream      -> sse decoder -> stream feed, then end
 *   3  one event data per line -> stream feed, then end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with a contents array of alternating user/model
 * turns with parts, no model or stream; response: chat.completion with a
 * choices array and usage, tool call arguments holding JSON objects; stream:
 * one JSON object per line, as many lines as the call said); on error the
 * output is exactly as before the call and the message is valid UTF-8; a
 * tight output cap gives the same output or ERR_TOOBIG; stream errors are
 * sticky; a completed stream has sent its finish (and usage when asked). */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/xlate_codec.h"
#include "providers/xlate_gemini.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const xlate_codec *codec(void)
{
	return xf_codec(PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_CHAT);
}

static void request_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
			  const xlate_req_info *info, arena *a)
{
	(void)cx, (void)info, (void)a;
	/* contents is ours unless extra_body replaced it */
	int ex = json_get(in, 0, "extra_body");
	int ct = json_get(d, 0, "contents");
	check(ct >= 0);
	if (json_typeof(in, ex) != JSON_OBJECT) {
		check(json_get(d, 0, "messages") < 0 && json_get(d, 0, "model") < 0);
		check(json_get(d, 0, "stream") < 0 && json_get(d, 0, "extra_body") < 0);
	}
	/* the turns we build alternate user/model and have parts */
	if (json_typeof(in, ex) != JSON_OBJECT || json_get(in, ex, "contents") < 0) {
		json_iter it = json_iter_begin(d, ct);
		int t;
		bool prev_model = false, first = true;
		check(json_typeof(d, ct) == JSON_ARRAY);
		while (json_iter_next(d, &it, NULL, &t)) {
			int role = json_get(d, t, "role");
			bool model = json_str_eq(d, role, STR_LIT("model"));
			check(model || json_str_eq(d, role, STR_LIT("user")));
			check(json_size(d, json_get(d, t, "parts")) > 0);
			check(first || model != prev_model);
			prev_model = model;
			first = false;
		}
	}
}

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_request(codec(), cx, p, n, request_shape);
}

static void response_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)cx, (void)u;
	xf_check_choices(d, a, true);
}

static void run_response(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_response(codec(), cx, p, n, response_shape);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool sse)
{
	xf_stream r;
	xf_stream_run(&r, codec(), cx, p, n, sse, 0);
	const xlate_gemini_stream *st = r.st;
	XF_CHECK_STREAM_END(&r, st);
	xf_stream_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "gemini-2.5-flash", run_request, run_response, run_stream);
}
