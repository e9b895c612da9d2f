/* fuzz_xlate_gemini_embed.c — libFuzzer target for the Google embeddings
 * translator (xlate_gemini_embed). Byte 0 picks the mode (low 2 bits) and
 * context flags (xlate_fuzz.h; its "strict args" bit selects base64 vectors
 * here); the remaining bytes are:
 *   0  an OpenAI embeddings request -> xlate_gemini_embed_request (AI Studio)
 *   1  an AI Studio answer          -> xlate_gemini_embed_response
 *   2  an OpenAI embeddings request -> xlate_gemini_embed_predict_request (Vertex)
 *   3  a Vertex predict answer      -> xlate_gemini_embed_predict_response
 * Invariants: never crash; requests are one strict JSON object of the
 * right shape (embedContent: content; batchEmbedContents: requests, and only
 * then batch_url; predict: a non-empty instances array); responses are an
 * OpenAI list whose data[i].index is i and whose embeddings are arrays of
 * numbers or base64 of whole float32s; on error the output is as before and
 * the message is valid UTF-8; a tight cap gives the same output or ERR_TOOBIG. */
#include "base/arena.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "json/json.h"
#include "providers/xlate_gemini_embed.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*req_fn)(const xlate_ctx *, const char *, size_t, arena *, buf *, xlate_req_info *, xlate_err *);
typedef int (*resp_fn)(const xlate_ctx *, const char *, size_t, arena *, buf *, xlate_usage *, xlate_err *);

static void request(bool vertex, const xlate_ctx *cx, const char *p, size_t n)
{
	req_fn fn = vertex ? xlate_gemini_embed_predict_request : xlate_gemini_embed_request;
	arena a = { 0 };
	buf out = { 0 }, small = { 0 };
	xlate_err e;
	xlate_req_info info;
	json_doc d;

	fresh(&out, 0);
	int rc = fn(cx, p, n, &a, &out, &info, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		if (vertex) {
			int in = json_get(&d, 0, "instances");
			check(json_typeof(&d, in) == JSON_ARRAY && json_size(&d, in) > 0);
			check(!info.batch_url);
		} else {
			int rq = json_get(&d, 0, "requests");
			check(info.batch_url == (rq >= 0));
			check(rq >= 0 ? json_size(&d, rq) > 0 : json_get(&d, 0, "content") >= 0);
		}
		check(json_get(&d, 0, "input") < 0 && (info.flags & ~XLATE_F_EMBED_BASE64) == 0);
	} else {
		check(out.len == 3);
		check_err(&e);
		check(rc == ERR_INVAL || rc == ERR_TOOBIG || rc == ERR_NOMEM);
	}
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = fn(cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&out);
	buf_free(&small);
	arena_free(&a);
}

static void response(bool vertex, const xlate_ctx *cx0, const char *p, size_t n)
{
	resp_fn fn = vertex ? xlate_gemini_embed_predict_response : xlate_gemini_embed_response;
	xlate_ctx cx = *cx0;
	arena a = { 0 };
	buf out = { 0 }, small = { 0 };
	xlate_err e;
	xlate_usage u;
	json_doc d;

	cx.flags = (cx0->flags & XLATE_F_STRICT_ARGS) ? XLATE_F_EMBED_BASE64 : 0;
	fresh(&out, 0);
	int rc = fn(&cx, p, n, &a, &out, &u, &e);
	if (rc == 0) {
		check(parse_out(&out, &a, &d));
		check(json_str_eq(&d, json_get(&d, 0, "object"), STR_LIT("list")));
		check(json_typeof(&d, json_path(&d, 0, "usage.total_tokens")) == JSON_NUMBER);
		int data = json_get(&d, 0, "data"), it_v;
		check(json_typeof(&d, data) == JSON_ARRAY);
		json_iter it = json_iter_begin(&d, data);
		uint64_t i = 0;
		while (json_iter_next(&d, &it, NULL, &it_v)) {
			uint64_t idx = UINT64_MAX;
			check(json_u64(&d, json_get(&d, it_v, "index"), &idx) == 0 && idx == i++);
			int emb = json_get(&d, it_v, "embedding");
			if (cx.flags & XLATE_F_EMBED_BASE64) {
				str s;
				check(json_str(&d, emb, &a, &s) == 0);
				buf raw = { 0 };
				check(b64_decode_buf(&raw, s.p ? s.p : "", s.n, B64_STD) == 0);
				check(raw.len % 4 == 0);
				buf_free(&raw);
			} else {
				int x;
				json_iter xi = json_iter_begin(&d, emb);
				check(json_typeof(&d, emb) == JSON_ARRAY);
				while (json_iter_next(&d, &xi, NULL, &x))
					check(json_typeof(&d, x) == JSON_NUMBER);
			}
		}
	} else {
		check(out.len == 3);
		check_err(&e);
	}
	fresh(&small, out.len > 3 ? 3 + (out.len - 3) / 2 : 8);
	arena_reset(&a);
	int rc2 = fn(&cx, p, n, &a, &small, NULL, &e);
	if (rc2 == ERR_TOOBIG)
		check(small.len == 3);
	else
		check(rc2 == rc && small.len == out.len && memcmp(small.data, out.data, out.len) == 0);
	buf_free(&out);
	buf_free(&small);
	arena_free(&a);
}

static void run_studio_request(const xlate_ctx *cx, const char *p, size_t n) { request(false, cx, p, n); }
static void run_studio_response(const xlate_ctx *cx, const char *p, size_t n) { response(false, cx, p, n); }

/* xf_main's two "stream" modes carry the Vertex side: 2 (sse) request, 3 response */
static void run_vertex(const xlate_ctx *cx, const char *p, size_t n, bool mode2)
{
	if (mode2)
		request(true, cx, p, n);
	else
		response(true, cx, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "text-embedding-004", run_studio_request, run_studio_response, run_vertex);
}
