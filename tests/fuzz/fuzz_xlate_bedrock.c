/* fuzz_xlate_bedrock.c — libFuzzer target for the Bedrock translator,
 * driven through its codec rows (xlate_codec_for(BEDROCK, CHAT / EMBEDDINGS)).
 * Byte 0 picks the mode (low 2 bits) and context flags (xlate_fuzz.h); the
 * remaining bytes are:
 *   0  an OpenAI request     -> chat request, and the embeddings request (ctx
 *                               stream bit: Titan model, else Cohere)
 *   1  a Bedrock response    -> chat response, the error reader, the
 *                               embeddings response (stream bit: base64)
 *   2  AWS event-stream bytes -> eventstream decoder -> stream feed
 *                               (:event-type, payload), then end
 *   3  one event per line    -> "<type>\t<payload>" (or just a payload: the
 *                               SDK's wrapped {"<event>":{...}}) -> feed, then end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with a messages array of alternating user /
 * assistant turns with content, no model or stream; response: chat.completion
 * with one choice, a finish_reason, usage and tool call arguments holding
 * JSON; embeddings: vectors, or base64 strings when asked); on error the
 * output is exactly as before the call and the message is valid UTF-8; a
 * tight output cap gives the same output or ERR_TOOBIG; stream errors are
 * sticky; a completed stream has sent its finish chunk (and its usage chunk
 * when asked for). */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/eventstream.h"
#include "providers/xlate_bedrock.h"
#include "providers/xlate_codec.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const xlate_codec *codec(provider_op op)
{
	return xf_codec(PROVIDER_ADAPTER_BEDROCK, op);
}

static void chat_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
		       const xlate_req_info *info, arena *a)
{
	(void)cx, (void)info, (void)a;
	int ex = json_get(in, 0, "extra_body");
	bool extra = json_typeof(in, ex) == JSON_OBJECT;
	if (!extra) {
		check(json_get(d, 0, "model") < 0 && json_get(d, 0, "stream") < 0 && json_get(d, 0, "extra_body") < 0);
		check(json_typeof(d, json_get(d, 0, "messages")) == JSON_ARRAY);
	}
	if (extra && json_get(in, ex, "messages") >= 0)
		return;
	/* the turns we build alternate and are never empty */
	int msgs = json_get(d, 0, "messages"), t;
	bool first = true, prev_asst = false;
	json_iter it = json_iter_begin(d, msgs);
	while (json_iter_next(d, &it, NULL, &t)) {
		int role = json_get(d, t, "role");
		bool asst = json_str_eq(d, role, STR_LIT("assistant"));
		check(asst || json_str_eq(d, role, STR_LIT("user")));
		check(json_size(d, json_get(d, t, "content")) > 0);
		check(first || asst != prev_asst);
		prev_asst = asst;
		first = false;
	}
}

static void embed_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
			const xlate_req_info *info, arena *a)
{
	(void)cx, (void)in, (void)info, (void)a;
	check(json_get(d, 0, "inputText") >= 0 || json_typeof(d, json_get(d, 0, "texts")) == JSON_ARRAY);
}

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_request(codec(PROVIDER_OP_CHAT), cx, p, n, chat_shape);
	xlate_ctx ec = *cx;
	ec.model = cx->stream ? STR_LIT("amazon.titan-embed-text-v2:0") : STR_LIT("cohere.embed-english-v3");
	if (!cx->model.n)
		ec.model = STR_NULL; /* the family from the body's "model" */
	xf_request(codec(PROVIDER_OP_EMBEDDINGS), &ec, p, n, embed_shape);
}

static void chat_resp_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)cx, (void)u;
	check(json_size(d, json_get(d, 0, "choices")) == 1);
	xf_check_choices(d, a, false);
}

static void embed_resp_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)u, (void)a;
	int v;
	json_iter it = json_iter_begin(d, json_get(d, 0, "data"));
	while (json_iter_next(d, &it, NULL, &v)) {
		json_type t = json_typeof(d, json_get(d, v, "embedding"));
		check(t == ((cx->flags & XLATE_F_EMBED_BASE64) ? JSON_STRING : JSON_ARRAY));
	}
}

static void run_response(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_response(codec(PROVIDER_OP_CHAT), cx, p, n, chat_resp_shape);
	xlate_ctx ec = *cx;
	ec.flags = cx->stream ? XLATE_F_EMBED_BASE64 : 0;
	xf_response(codec(PROVIDER_OP_EMBEDDINGS), &ec, p, n, embed_resp_shape);
}

static void on_line(void *ud, str line)
{
	xf_stream *r = ud;
	str type = STR_NULL, data = line;
	ptrdiff_t tab = str_index(line, '\t');
	if (tab >= 0) {
		type = str_slice(line, 0, (size_t)tab);
		data = str_slice(line, (size_t)tab + 1, line.n);
	}
	xf_stream_feed(r, type, data);
	check(((xlate_bedrock_stream *)r->st)->nopen <= XLATE_BEDROCK_OPEN_TOOLS);
}

/* The event stream in 3 unequal pieces, as the socket may split it; stops at
 * the first framing error or non-event message (the gateway ends the stream
 * there). */
static void feed_eventstream(xf_stream *r, const char *p, size_t n)
{
	eventstream_dec dec;
	size_t cuts[4] = { 0, n / 3, n / 3 + n / 5, n };
	eventstream_dec_init(&dec, 1 << 16);
	for (int k = 0; k < 3; k++) {
		if (eventstream_dec_feed(&dec, p + cuts[k], cuts[k + 1] - cuts[k]) < 0)
			break;
		eventstream_msg m;
		while (eventstream_dec_next(&dec, &m) == 0) {
			if (m.message_type && !str_eq(str_make(m.message_type, m.message_type_len), STR_LIT("event")))
				goto out;
			xf_stream_feed(r, str_make(m.event_type, m.event_type_len),
				       str_make((const char *)m.payload, m.payload_len));
		}
	}
out:
	eventstream_dec_free(&dec);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool binary)
{
	xf_stream r;
	xf_stream_start(&r, codec(PROVIDER_OP_CHAT), cx, 0);
	if (binary)
		feed_eventstream(&r, p, n);
	else
		each_line(p, n, on_line, &r);
	xf_stream_finish(&r);
	const xlate_bedrock_stream *st = r.st;
	XF_CHECK_STREAM_END(&r, st);
	check(r.end < 0 || st->finish_sent);
	xf_stream_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "anthropic.claude-3-haiku-20240307-v1:0", run_request, run_response, run_stream);
}
