/* fuzz_xlate_gemini_embed.c — libFuzzer target for the Google embeddings
 * translator (xlate_gemini_embed), driven through its codec rows
 * (xlate_codec_for(GEMINI / VERTEX, EMBEDDINGS)). Byte 0 picks the mode
 * (low 2 bits) and context flags (xlate_fuzz.h; its "strict args" bit
 * selects base64 vectors here); the remaining bytes are:
 *   0  an OpenAI embeddings request -> AI Studio request translator
 *   1  an AI Studio answer          -> AI Studio response translator (+ the error reader)
 *   2  an OpenAI embeddings request -> Vertex predict request translator
 *   3  a Vertex predict answer      -> Vertex predict response translator (+ the error reader)
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
#include "providers/xlate_codec.h"
#include "xlate_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const xlate_codec *codec(bool vertex)
{
	return xf_codec(vertex ? PROVIDER_ADAPTER_VERTEX : PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_EMBEDDINGS);
}

static void request_shape(bool vertex, const json_doc *d, const xlate_req_info *info)
{
	if (vertex) {
		int in = json_get(d, 0, "instances");
		check(json_typeof(d, in) == JSON_ARRAY && json_size(d, in) > 0);
		check(!info->batch_url);
	} else {
		int rq = json_get(d, 0, "requests");
		check(info->batch_url == (rq >= 0));
		check(rq >= 0 ? json_size(d, rq) > 0 : json_get(d, 0, "content") >= 0);
	}
	check(json_get(d, 0, "input") < 0 && (info->flags & ~XLATE_F_EMBED_BASE64) == 0);
}

static void studio_request_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
				 const xlate_req_info *info, arena *a)
{
	(void)cx, (void)in, (void)a;
	request_shape(false, d, info);
}

static void vertex_request_shape(const xlate_ctx *cx, const json_doc *d, const json_doc *in,
				 const xlate_req_info *info, arena *a)
{
	(void)cx, (void)in, (void)a;
	request_shape(true, d, info);
}

/* an OpenAI list whose data[i].index is i, embeddings arrays of numbers or
 * base64 of whole float32s */
static void response_shape(const xlate_ctx *cx, const json_doc *d, const xlate_usage *u, arena *a)
{
	(void)u;
	check(json_str_eq(d, json_get(d, 0, "object"), STR_LIT("list")));
	int data = json_get(d, 0, "data"), v;
	check(json_typeof(d, data) == JSON_ARRAY);
	json_iter it = json_iter_begin(d, data);
	uint64_t i = 0;
	while (json_iter_next(d, &it, NULL, &v)) {
		uint64_t idx = UINT64_MAX;
		check(json_u64(d, json_get(d, v, "index"), &idx) == 0 && idx == i++);
		int emb = json_get(d, v, "embedding");
		if (cx->flags & XLATE_F_EMBED_BASE64) {
			str s;
			check(json_str(d, emb, a, &s) == 0);
			buf raw = { 0 };
			check(b64_decode_buf(&raw, s.p ? s.p : "", s.n, B64_STD) == 0);
			check(raw.len % 4 == 0);
			buf_free(&raw);
		} else {
			int x;
			json_iter xi = json_iter_begin(d, emb);
			check(json_typeof(d, emb) == JSON_ARRAY);
			while (json_iter_next(d, &xi, NULL, &x))
				check(json_typeof(d, x) == JSON_NUMBER);
		}
	}
}

/* the "strict args" bit of byte 0 asks for base64 vectors */
static void response(bool vertex, const xlate_ctx *cx0, const char *p, size_t n)
{
	xlate_ctx cx = *cx0;
	cx.flags = (cx0->flags & XLATE_F_STRICT_ARGS) ? XLATE_F_EMBED_BASE64 : 0;
	xf_response(codec(vertex), &cx, p, n, response_shape);
}

static void run_studio_request(const xlate_ctx *cx, const char *p, size_t n)
{
	xf_request(codec(false), cx, p, n, studio_request_shape);
}

static void run_studio_response(const xlate_ctx *cx, const char *p, size_t n) { response(false, cx, p, n); }

/* xf_main's two "stream" modes carry the Vertex side: 2 (sse) request, 3 response */
static void run_vertex(const xlate_ctx *cx, const char *p, size_t n, bool mode2)
{
	if (mode2)
		xf_request(codec(true), cx, p, n, vertex_request_shape);
	else
		response(true, cx, p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return xf_main(data, size, "text-embedding-004", run_studio_request, run_studio_response, run_vertex);
}
