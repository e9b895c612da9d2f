/* fuzz_xlate_anthropic.c — libFuzzer target for the Anthropic translator,
 * driven through its codec row (xlate_codec_for(ANTHROPIC, CHAT)).
 * Byte 0 picks the mode (low 2 bits) and context flags (the rest); the
 * remaining bytes are:
 *   0  an OpenAI chat request  -> request translator (+ anthropic-beta of the output)
 *   1  an Anthropic response   -> response translator (+ the error reader)
 *   2  an SSE byte stream      -> sse decoder -> stream feed, then end
 *   3  one event data per line -> stream feed, then end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with model, messages, max_tokens, stream;
 * response: chat.completion; stream: one JSON object per line, as many lines
 * as the call said, at most 3); on error the output is exactly as before
 * the call and the message is valid UTF-8; a tight output cap gives the same
 * output or ERR_TOOBIG; stream errors are sticky. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/xlate_anthropic.h"
#include "providers/xlate_codec.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const xlate_codec *codec(void)
{
	return xf_codec(PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_OP_CHAT);
}

static void request_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
			  const xlate_req_info *info, arena *a)
{
	(void)in, (void)info, (void)a;
	int m = json_get(d, 0, "model"), ms = json_get(d, 0, "messages");
	check(json_typeof(d, m) == JSON_STRING && json_typeof(d, ms) == JSON_ARRAY);
	check(json_get(d, 0, "max_tokens") >= 0);
	check(json_typeof(d, json_get(d, 0, "stream")) == (cx->stream ? JSON_TRUE : JSON_FALSE));
}

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_request(codec(), cx, p, n, request_shape);
}

static void response_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)cx, (void)u;
	check(json_size(d, json_get(d, 0, "choices")) == 1);
	xf_check_choices(d, a, false);
}

static void run_response(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_response(codec(), cx, p, n, response_shape);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool sse)
{
	xf_stream r;
	xf_stream_run(&r, codec(), cx, p, n, sse, 3);
	const xlate_anthropic_stream *st = r.st;
	XF_CHECK_STREAM_END(&r, st);
	xf_stream_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "claude-sonnet-4", run_request, run_response, run_stream);
}
