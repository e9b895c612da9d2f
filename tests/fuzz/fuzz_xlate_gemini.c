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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "pre"

static void check(bool ok)
{
	if (!ok)
		abort();
}

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

static void fresh(buf *b, size_t cap)
{
	buf_free(b);
	buf_init(b, cap);
	buf_puts(b, PREFIX);
}

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
static int sfeed(struct srun *r, str data)
{
	xlate_err e;
	size_t before = r->out.len;
	arena_reset(&r->a);
	int n = xlate_gemini_stream_feed(&r->st, data, &r->a, &r->out, &e);
	r->events++;
	if (n < 0) {
		check(r->out.len == before);
		check_err(&e);
		if (r->failed)
			check(n == ERR_STATE);
		r->failed = true;
		return 0;
	}
	check(!r->failed);
	/* exactly n lines, each one JSON object */
	size_t i = before;
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	for (int k = 0; k < n; k++) {
		const char *nl = memchr(r->out.data + i, '\n', r->out.len - i);
		check(nl != NULL);
		size_t l = (size_t)(nl - (r->out.data + i));
		json_doc d;
		arena_reset(&r->a);
		check(json_parse_arena(&d, &r->a, r->out.data + i, l, &o, NULL) > 0);
		check(json_typeof(&d, 0) == JSON_OBJECT);
		check(json_str_eq(&d, json_get(&d, 0, "object"), STR_LIT("chat.completion.chunk")));
		i += l + 1;
	}
	check(i == r->out.len);
	/* keep memory flat: drop what was checked */
	buf_reset(&r->out);
	return 0;
}

static int on_ev(void *ud, const sse_event *ev)
{
	return sfeed(ud, ev->data);
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
		size_t i = 0;
		while (i <= n) {
			const char *nl = i < n ? memchr(p + i, '\n', n - i) : NULL;
			size_t l = nl ? (size_t)(nl - (p + i)) : n - i;
			sfeed(&r, str_make(p + i, l));
			i += l + 1;
		}
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
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	xlate_ctx cx = {
		.model = STR_LIT("gemini-2.5-flash"),
		.id = STR_LIT("chatcmpl-fuzz"),
		.created = 1700000000,
		.stream = (sel & 0x04) != 0,
		.include_usage = (sel & 0x08) != 0,
		.max_tokens = (sel & 0x10) ? 100 : 0,
		.flags = (sel & 0x20) ? XLATE_F_STRICT_ARGS : 0,
	};
	if (sel & 0x40)
		cx.model = STR_NULL, cx.id = STR_NULL;
	/* an exact copy, so ASan sees reads past the end */
	char *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, p, n);
	switch (sel & 3) {
	case 0:
		run_request(&cx, copy, n);
		break;
	case 1:
		run_response(&cx, copy, n);
		break;
	case 2:
		run_stream(&cx, copy, n, true);
		break;
	default:
		run_stream(&cx, copy, n, false);
		break;
	}
	free(copy);
	return 0;
}
