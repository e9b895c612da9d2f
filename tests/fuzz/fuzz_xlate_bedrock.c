/* fuzz_xlate_bedrock.c — libFuzzer target for the Bedrock translator.
 * Byte 0 picks the mode (low 2 bits) and context flags (xlate_fuzz.h); the
 * remaining bytes are:
 *   0  an OpenAI request     -> xlate_bedrock_request, and as an embeddings
 *                               request (ctx stream bit: Titan, else Cohere)
 *   1  a Bedrock response    -> xlate_bedrock_response, xlate_bedrock_error,
 *                               xlate_bedrock_embed_response (stream bit: base64)
 *   2  AWS event-stream bytes -> eventstream decoder -> xlate_bedrock_stream_feed
 *                               (:event-type, payload), then _end
 *   3  one event per line    -> "<type>\t<payload>" (or just a payload) -> feed, then _end
 * Invariants: never crash; every output is strict, valid JSON of the right
 * shape (request: object with a messages array of alternating user /
 * assistant turns with content, no model or stream; response: chat.completion
 * with one choice, a finish_reason and usage; embeddings: a list of vectors;
 * stream: one chunk object per line, as many as the call said); on error the
 * output is exactly as before the call and the message is valid UTF-8; a
 * tight output cap gives the same output or ERR_TOOBIG; stream errors are
 * sticky; a completed stream has a finish reason (and its usage chunk when
 * asked for). */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/eventstream.h"
#include "providers/xlate_bedrock.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*req_fn)(const xlate_ctx *, const char *, size_t, arena *, buf *, xlate_req_info *, xlate_err *);
typedef int (*resp_fn)(const xlate_ctx *, const char *, size_t, arena *, buf *, xlate_usage *, xlate_err *);

/* A request translator on p: the output (or the error) checked by shape(),
 * then again under a tight cap: the same bytes or ERR_TOOBIG. */
static void req_run(req_fn f, const xlate_ctx *cx, const char *p, size_t n, void (*shape)(const json_doc *, const json_doc *))
{
	arena a = { 0 };
	buf out = { 0 }, small = { 0 };
	xlate_err e;
	xlate_req_info info;
	json_doc d, in;

	fresh(&out, 0);
	int rc = f(cx, p, n, &a, &out, &info, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		check(json_parse_arena(&in, &a, p, n, NULL, NULL) > 0);
		shape(&d, &in);
	} else {
		check(out.len == 3);
		check_err(&e);
		check(rc == ERR_INVAL || rc == ERR_TOOBIG || rc == ERR_NOMEM);
	}
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = f(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&out);
	buf_free(&small);
	arena_free(&a);
}

static void chat_shape(const json_doc *d, const json_doc *in)
{
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

static void embed_shape(const json_doc *d, const json_doc *in)
{
	(void)in;
	check(json_get(d, 0, "inputText") >= 0 || json_typeof(d, json_get(d, 0, "texts")) == JSON_ARRAY);
}

static void run_request(const xlate_ctx *cx, const char *p, size_t n)
{
	req_run(xlate_bedrock_request, cx, p, n, chat_shape);
	xlate_ctx ec = *cx;
	ec.model = cx->stream ? STR_LIT("amazon.titan-embed-text-v2:0") : STR_LIT("cohere.embed-english-v3");
	if (!cx->model.n)
		ec.model = STR_NULL; /* the family from the body's "model" */
	req_run(xlate_bedrock_embed_request, &ec, p, n, embed_shape);
}

/* tool call arguments are strings holding one JSON object */
static void check_tool_calls(const json_doc *d, int msg, arena *a)
{
	int c;
	json_iter it = json_iter_begin(d, json_get(d, msg, "tool_calls"));
	while (json_iter_next(d, &it, NULL, &c)) {
		str args;
		json_doc ad;
		json_opts o = { .max_depth = JSON_DEPTH_MAX };
		check(json_str(d, json_path(d, c, "function.arguments"), a, &args) == 0);
		check(json_parse_arena(&ad, a, args.p, args.n, &o, NULL) > 0);
	}
}

static void resp_run(resp_fn f, const xlate_ctx *cx, const char *p, size_t n, bool chat)
{
	arena a = { 0 };
	buf out = { 0 }, small = { 0 };
	xlate_err e;
	xlate_usage u;
	json_doc d;

	fresh(&out, 0);
	int rc = f(cx, p, n, &a, &out, &u, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		check(json_typeof(&d, json_path(&d, 0, "usage.total_tokens")) == JSON_NUMBER);
		check(u.total_tokens >= u.completion_tokens);
		if (chat) {
			check(json_size(&d, json_get(&d, 0, "choices")) == 1);
			check(json_typeof(&d, json_path(&d, 0, "choices.0.finish_reason")) == JSON_STRING);
			check_tool_calls(&d, json_path(&d, 0, "choices.0.message"), &a);
		} else {
			int v;
			json_iter it = json_iter_begin(&d, json_get(&d, 0, "data"));
			while (json_iter_next(&d, &it, NULL, &v)) {
				json_type t = json_typeof(&d, json_get(&d, v, "embedding"));
				check(t == ((cx->flags & XLATE_F_EMBED_BASE64) ? JSON_STRING : JSON_ARRAY));
			}
		}
	} else {
		check(out.len == 3);
		check_err(&e);
	}
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = f(cx, p, n, &a, &small, NULL, &e);
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
	xlate_err e;
	resp_run(xlate_bedrock_response, cx, p, n, true);
	xlate_ctx ec = *cx;
	ec.flags = cx->stream ? XLATE_F_EMBED_BASE64 : 0;
	resp_run(xlate_bedrock_embed_response, &ec, p, n, false);
	if (xlate_bedrock_error(p, n, &a, &e) == 0)
		check_err(&e);
	arena_free(&a);
}

struct srun {
	xlate_bedrock_stream st;
	buf out;
	arena a;
	bool failed;
};

static void sfeed(struct srun *r, str type, str data)
{
	xlate_err e;
	size_t before = r->out.len;
	arena_reset(&r->a);
	int n = xlate_bedrock_stream_feed(&r->st, type, data, &r->a, &r->out, &e);
	check_feed(n, &e, &r->out, before, &r->failed, &r->a);
	check(r->st.nopen <= XLATE_BEDROCK_OPEN_TOOLS);
}

static void on_line(void *ud, str line)
{
	str type = STR_NULL, data = line;
	ptrdiff_t tab = str_index(line, '\t');
	if (tab >= 0) {
		type = str_slice(line, 0, (size_t)tab);
		data = str_slice(line, (size_t)tab + 1, line.n);
	}
	sfeed(ud, type, data);
}

/* The event stream in 3 unequal pieces, as the socket may split it; stops at
 * the first framing error or non-event message (the gateway ends the stream
 * there). */
static void feed_eventstream(struct srun *r, const char *p, size_t n)
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
			sfeed(r, str_make(m.event_type, m.event_type_len), str_make((const char *)m.payload, m.payload_len));
		}
	}
out:
	eventstream_dec_free(&dec);
}

static void run_stream(const xlate_ctx *cx, const char *p, size_t n, bool binary)
{
	struct srun r;
	xlate_err e;
	memset(&r, 0, sizeof r);
	xlate_bedrock_stream_init(&r.st, cx);
	if (binary)
		feed_eventstream(&r, p, n);
	else
		each_line(p, n, on_line, &r);
	int end = xlate_bedrock_stream_end(&r.st, &r.out, &e);
	if (end < 0) {
		check_err(&e);
		check(r.out.len == 0);
	} else {
		check(r.st.done && !r.failed);
		check(r.st.finish_reason != NULL && r.st.finish_sent);
		check(!r.st.include_usage || r.st.usage_sent);
	}
	check(r.st.usage.total_tokens >= r.st.usage.completion_tokens);
	buf_free(&r.out);
	arena_free(&r.a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "anthropic.claude-3-haiku-20240307-v1:0", run_request, run_response, run_stream);
}
