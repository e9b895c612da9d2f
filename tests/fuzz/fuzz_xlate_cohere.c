/* fuzz_xlate_cohere.c — libFuzzer target for the Cohere v2 Chat translator,
 * driven through its codec row (xlate_codec_for(COHERE, CHAT)).
 * Byte 0 picks the mode (low 2 bits) and context flags (the rest); the
 * remaining bytes are:
 *   0  an OpenAI chat request  -> request translator
 *   1  a Cohere v2 response    -> response translator (+ the error reader)
 *   2  an SSE byte stream      -> sse decoder -> stream feed (event name + data), then end
 *   3  one event data per line -> stream feed (no event name), then end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: a v2 body with "stream" as the context says, only v2
 * roles, no OpenAI-only names, tool call arguments holding JSON objects;
 * response: chat.completion with one choice and usage; stream: one
 * chat.completion.chunk per line, as many as the call said, at most 3); on
 * error the output is exactly as before the call and the message is valid
 * UTF-8; a tight output cap gives the same output or ERR_TOOBIG; stream
 * errors are sticky; a stream that ended well finished with a reason. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/xlate_codec.h"
#include "providers/xlate_cohere.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const xlate_codec *codec(void)
{
	return xf_codec(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_CHAT);
}

/* A string holding one JSON object (an assistant tool call's arguments). */
static bool holds_object(const json_doc *d, int s, arena *a)
{
	str v;
	json_doc ad;
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	return json_typeof(d, s) == JSON_STRING && json_str(d, s, a, &v) == 0 &&
	       json_parse_arena(&ad, a, v.p, v.n, &o, NULL) > 0 && json_typeof(&ad, 0) == JSON_OBJECT;
}

static void check_messages(const json_doc *d, int ms, arena *a)
{
	static const char *const roles[] = { "system", "user", "assistant", "tool" };
	json_iter it = json_iter_begin(d, ms);
	int m, tc;
	check(json_typeof(d, ms) == JSON_ARRAY);
	while (json_iter_next(d, &it, NULL, &m)) {
		bool ok = false;
		for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
			ok = ok || json_str_eq(d, json_get(d, m, "role"), str_from(roles[i]));
		check(ok);
		json_iter ci = json_iter_begin(d, json_get(d, m, "tool_calls"));
		while (json_iter_next(d, &ci, NULL, &tc))
			check(holds_object(d, json_path(d, tc, "function.arguments"), a));
	}
}

static void request_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
			  const xlate_req_info *info, arena *a)
{
	(void)info;
	/* stream is the context's, whatever extra_body says */
	check(json_typeof(d, json_get(d, 0, "stream")) == (cx->stream ? JSON_TRUE : JSON_FALSE));
	if (json_typeof(in, json_get(in, 0, "extra_body")) == JSON_OBJECT)
		return;
	check_messages(d, json_get(d, 0, "messages"), a);
	static const char *const openai_only[] = { "top_p", "top_k", "stop", "max_completion_tokens", "n",
						   "stream_options", "extra_body", "parallel_tool_calls" };
	for (size_t i = 0; i < sizeof openai_only / sizeof openai_only[0]; i++)
		check(json_get(d, 0, openai_only[i]) < 0);
	int tc = json_get(d, 0, "tool_choice");
	check(tc < 0 || json_str_eq(d, tc, STR_LIT("REQUIRED")) || json_str_eq(d, tc, STR_LIT("NONE")));
	check(tc < 0 || json_size(d, json_get(d, 0, "tools")) > 0);
	if (cx->model.n)
		check(json_str_eq(d, json_get(d, 0, "model"), cx->model));
}

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_request(codec(), cx, p, n, request_shape);
}

/* one choice; tool call arguments are strings (Cohere's, as given) */
static void response_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)cx, (void)a;
	check(json_size(d, json_get(d, 0, "choices")) == 1);
	int msg = json_path(d, 0, "choices.0.message");
	check(json_typeof(d, msg) == JSON_OBJECT);
	check(json_typeof(d, json_path(d, 0, "choices.0.finish_reason")) == JSON_STRING);
	check(u->total_tokens >= u->prompt_tokens);
	json_iter it = json_iter_begin(d, json_get(d, msg, "tool_calls"));
	int c;
	while (json_iter_next(d, &it, NULL, &c))
		check(json_typeof(d, json_path(d, c, "function.arguments")) == JSON_STRING);
}

static void run_response(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_response(codec(), cx, p, n, response_shape);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool sse)
{
	xf_stream r;
	xf_stream_run(&r, codec(), cx, p, n, sse, 3);
	const xlate_cohere_stream *st = r.st;
	XF_CHECK_STREAM_END(&r, st);
	xf_stream_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "command-r-plus", run_request, run_response, run_stream);
}
