/* xlate_gemini_embed.h — OpenAI embeddings <-> Google embeddings: Google AI
 * Studio (models/{model}:embedContent and :batchEmbedContents) and Vertex AI
 * (publishers/google/models/{model}:predict). Pure: bytes in, bytes out;
 * conventions in providers/xlate.h (context, scratch arena, output buf
 * restored on error, error kinds). Error bodies are Google's
 * {"error":{"code","message","status"}}: read them with xlate_gemini_error.
 *
 * Request, OpenAI EmbeddingRequest {model, input, dimensions?,
 * encoding_format?, user?} (plus the non-OpenAI "task_type", top level or in
 * extra_body, e.g. "RETRIEVAL_QUERY"):
 *   - input a string -> AI Studio :embedContent body
 *       {"content":{"parts":[{"text":<input>}]}[,"taskType"][,"outputDimensionality"]}
 *   - input an array of strings (at least one) -> AI Studio :batchEmbedContents body
 *       {"requests":[{"model":"models/<model>","content":{"parts":[{"text"}]}
 *                     [,"taskType"][,"outputDimensionality"]}, ...]}
 *     and info->batch_url = true (the gateway then uses the batch URL);
 *   - Vertex (either shape of input) -> :predict body
 *       {"instances":[{"content":<text>[,"task_type"]}, ...]
 *        [,"parameters":{"outputDimensionality":<dimensions>}]}
 *   - <model> is ctx->model (else the request's "model"), with "models/"
 *     added unless it already names a resource ("models/...", "tunedModels/...");
 *   - token-array input (numbers or arrays of numbers) -> BAD_REQUEST
 *     "Gemini embeddings take text input ..."; missing or empty input,
 *     non-string elements, dimensions that are not a positive integer,
 *     encoding_format other than "float" / "base64" -> BAD_REQUEST;
 *   - encoding_format "base64" -> info->flags |= XLATE_F_EMBED_BASE64
 *     (the gateway hands it back in the response ctx->flags); "user" is dropped.
 *
 * Response -> {"object":"list","data":[{"object":"embedding","index":i,
 * "embedding":<vector>}...],"model":<ctx->model>,"usage":{"prompt_tokens",
 * "total_tokens"}}: the vectors of AI Studio's "embedding" (one) or
 * "embeddings" (batch), or of Vertex's predictions[i].embeddings.values, in
 * order. A vector is the upstream's numbers copied as they are, or with
 * XLATE_F_EMBED_BASE64 in ctx->flags one base64 string (RFC 4648, padded) of
 * the values as IEEE-754 float32 little-endian, like OpenAI's. usage: Vertex
 * sums predictions[i].embeddings.statistics.token_count; AI Studio takes
 * usageMetadata.promptTokenCount when present, else 0. A body with an
 * "error" object -> XLATE_E_UPSTREAM (as xlate_gemini_error); no vectors, a
 * vector that is not an array of numbers, or not JSON -> XLATE_E_SERIALIZATION. */
#ifndef PROVIDERS_XLATE_GEMINI_EMBED_H
#define PROVIDERS_XLATE_GEMINI_EMBED_H
#include <stddef.h>
#include "base/arena.h"
#include "base/buf.h"
#include "providers/xlate.h"

/* Google AI Studio: request for :embedContent or :batchEmbedContents. Returns 0;
 * ERR_INVAL (BAD_REQUEST); ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_gemini_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			       xlate_req_info *info, xlate_err *err);
/* Google AI Studio: embedContent / batchEmbedContents answer -> OpenAI list.
 * usage (may be NULL) gets the counts. 0; ERR_INVAL (SERIALIZATION, UPSTREAM);
 * ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_gemini_embed_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				xlate_usage *usage, xlate_err *err);

/* Vertex AI :predict, the same contracts. */
int xlate_gemini_embed_predict_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				       xlate_req_info *info, xlate_err *err);
int xlate_gemini_embed_predict_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
					xlate_usage *usage, xlate_err *err);

#endif
