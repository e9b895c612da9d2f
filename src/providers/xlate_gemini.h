/* xlate_gemini.h — OpenAI chat <-> Google Gemini generateContent translation
 * (providers.md "Google AI Studio — Gemini"; Vertex AI uses the same bodies).
 * Pure: bytes in, bytes out; conventions in providers/xlate.h (context,
 * scratch arena, output buf restored on error, error kinds, newline-separated
 * stream chunks).
 *
 * Request (xlate_gemini_request), OpenAI ChatCompletionRequest ->
 * POST .../models/{model}:generateContent (or :streamGenerateContent?alt=sse)
 * body. The body is rebuilt, never passed through: no "model", no "stream"
 * (both live in the URL); members without a mapping are dropped.
 *   - messages missing, not an array or empty -> BAD_REQUEST "messages array
 *     must not be empty"; a message that is not an object or has a role other
 *     than system, developer, user, assistant, tool, function -> BAD_REQUEST;
 *   - system/developer -> "systemInstruction":{"parts":[{"text"}...]}: string
 *     content (empty dropped), or the text parts of array content;
 *   - user -> {"role":"user","parts":[...]}: string -> {"text"}; parts: text
 *     -> {"text"}; image_url "data:<mt>;base64,<d>" -> {"inlineData":
 *     {"mimeType":<mt>,"data":<d>}}, other URLs -> {"fileData":{"mimeType":
 *     "image/jpeg","fileUri":<url>}}; document -> inlineData (media_type,
 *     default application/pdf); input_audio -> inlineData "audio/<format>"
 *     (default wav); other parts with a non-empty "text" -> {"text"}; others
 *     dropped; no parts at all -> [{"text":""}];
 *   - assistant -> {"role":"model","parts":[{"text"}?, {"functionCall":
 *     {"name","args"}}...]}: text = string content or the text parts of an
 *     array; args = the parsed arguments object ({} when empty or not a JSON
 *     object, or BAD_REQUEST with XLATE_F_STRICT_ARGS); nothing -> [{"text":""}];
 *   - tool -> {"role":"user","parts":[{"functionResponse":{"name","response":
 *     {"result":<content>}}}]}: name = the message's "name", else the name of
 *     the earlier assistant tool call whose id equals tool_call_id, else
 *     "tool"; result = string content as it is, the text parts of array
 *     content joined, or any other value as it is; legacy function -> the
 *     same with name = its "name";
 *   - consecutive messages of the same resulting role are merged into one
 *     turn (Gemini wants all functionResponse parts of one model turn in the
 *     next user turn);
 *   - "generationConfig" (only when not empty): maxOutputTokens <-
 *     max_completion_tokens, else max_tokens, else ctx->max_tokens when set;
 *     temperature; topP <- top_p; topK <- top_k; stopSequences <- stop (a
 *     string becomes a one-element array); candidateCount <- n; seed;
 *     presencePenalty, frequencyPenalty; responseLogprobs <- logprobs;
 *     logprobs <- top_logprobs; response_format json_object -> responseMimeType
 *     "application/json", json_schema -> the same + responseSchema =
 *     json_schema.schema (schema keywords Gemini's Schema rejects,
 *     "additionalProperties" and "$schema", are removed at every level; a
 *     property that happens to be named so is kept); modalities ->
 *     responseModalities upper-cased; reasoning_effort (or
 *     extra_body.reasoning_effort) -> thinkingConfig {thinkingBudget: minimal
 *     0, low 1024, medium 4096, high 16384, max 24576, other 4096,
 *     includeThoughts: true};
 *   - tools (function tools) -> [{"functionDeclarations":[{"name",
 *     "description"?, "parameters"?}]}]; parameters cleaned like
 *     responseSchema, and left out when absent, not an object, or an object
 *     schema without properties (Gemini rejects an OBJECT with empty
 *     properties); extra_body.grounding_config or
 *     extra_body.google_search_retrieval adds {"google_search_retrieval":{}};
 *   - tool_choice "none"/"auto"/"required" -> "toolConfig":
 *     {"functionCallingConfig":{"mode":"NONE"/"AUTO"/"ANY"}}; {"function":
 *     {"name"}} -> mode ANY + allowedFunctionNames [name]; other values ignored;
 *   - extra_body.safety_settings -> safetySettings; extra_body.cached_content
 *     -> cachedContent; every other extra_body member is copied to the top
 *     level as it is, replacing a member of the same name built here
 *     (providers.md "Request construction" step 3).
 *
 * Response (xlate_gemini_response), GenerateContentResponse -> chat.completion:
 * id = responseId (else ctx->id, else "gemini-resp"), model = modelVersion
 * (else ctx->model), created = ctx->created; one choice per candidate (index
 * = the candidate's "index", else its position):
 *   - content: the non-thought text parts joined (null when empty); when the
 *     candidate has inlineData parts, an array instead: {"type":"text","text"}
 *     (when the text is not empty), then per inlineData part
 *     {"type":"output_audio","audio":{"data","format":<subtype>}} for audio mime types,
 *     else {"type":"output_image","image_url":{"url":"data:<mt>;base64,<d>"}};
 *   - reasoning_content: the thought:true text parts joined (when not empty);
 *   - tool_calls from functionCall parts: id = functionCall.id when given,
 *     else "call_<name>_<k>" (k counts the calls of the response from 0),
 *     type function, arguments = compact JSON of args ({} when absent);
 *   - finish_reason: STOP -> stop (tool_calls when the candidate has function
 *     calls); MAX_TOKENS -> length; SAFETY, RECITATION, BLOCKLIST,
 *     PROHIBITED_CONTENT, SPII, IMAGE_SAFETY -> content_filter; TOOL_CODE,
 *     FUNCTION_CALL -> tool_calls; absent or other -> stop (tool_calls when
 *     the candidate has function calls);
 *   - no candidates but promptFeedback.blockReason: one choice with content
 *     null, "refusal":"prompt blocked by Gemini: <reason>", finish_reason
 *     content_filter;
 *   - usage: prompt_tokens = promptTokenCount; completion_tokens =
 *     candidatesTokenCount + thoughtsTokenCount (thinking is billed as
 *     output, as OpenAI counts reasoning tokens); cached_tokens =
 *     cachedContentTokenCount; total = prompt + completion.
 * A body with an "error" object and no candidates -> XLATE_E_UPSTREAM (as
 * xlate_gemini_error); no candidates and no promptFeedback, or not a JSON
 * object -> XLATE_E_SERIALIZATION.
 *
 * Differences from upstream liter-llm, on purpose: array system content
 * keeps its text parts; the tool result name is looked up from the matching
 * tool call; input_audio parts, n, seed, top_k, presence/frequency penalties
 * are mapped; schemas are cleaned; parameters without properties are left
 * out; consecutive same-role turns are merged; completion_tokens includes
 * thinking tokens; every candidate becomes a choice.
 *
 * Stream (xlate_gemini_stream_*): see the state machine below. */
#ifndef PROVIDERS_XLATE_GEMINI_H
#define PROVIDERS_XLATE_GEMINI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "providers/xlate.h"

/* Translate an OpenAI chat request in[0..n) into a Gemini generateContent
 * body appended to out. info (may be NULL) gets the client's stream flags.
 * Returns 0; ERR_INVAL with err->kind BAD_REQUEST (see above, and for input
 * that is not a JSON object); ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_gemini_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			 xlate_req_info *info, xlate_err *err);

/* Translate a non-streaming generateContent response in[0..n) into an
 * OpenAI chat.completion appended to out; usage (may be NULL) gets the
 * counts. Returns 0; ERR_INVAL with err->kind SERIALIZATION or UPSTREAM;
 * ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_gemini_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_usage *usage, xlate_err *err);

/* Read a Google error body {"error":{"code","message","status"}} (also a
 * one-element array of it, as some Google front ends send) into err: kind
 * UPSTREAM, type = status (e.g. "RESOURCE_EXHAUSTED"), message, and status =
 * "code" when it is 400..599, else xlate_gemini_error_status(status).
 * Returns 0, or ERR_NOTFOUND when in is not such a body (err untouched). */
int xlate_gemini_error(const char *in, size_t n, arena *scratch, xlate_err *err);

/* HTTP status of a google.rpc status name: INVALID_ARGUMENT,
 * FAILED_PRECONDITION, OUT_OF_RANGE 400; UNAUTHENTICATED 401;
 * PERMISSION_DENIED 403; NOT_FOUND 404; ABORTED, ALREADY_EXISTS 409;
 * RESOURCE_EXHAUSTED 429; CANCELLED 499; INTERNAL, UNKNOWN, DATA_LOSS 500;
 * UNIMPLEMENTED 501; UNAVAILABLE 503; DEADLINE_EXCEEDED 504; other 0. */
int xlate_gemini_error_status(str status);

/* ---- streaming ----------------------------------------------------------------
 * One struct per upstream stream, fixed size, no heap. Feed it the data of
 * every SSE event of streamGenerateContent?alt=sse: each is a whole
 * GenerateContentResponse holding the next piece of candidate 0 (other
 * candidates are ignored: streaming with n > 1 gives choice 0 only). Per
 * payload, in order:
 *   - the role chunk {"role":"assistant","content":""} before anything else
 *     (id = the first responseId, else ctx->id; model = the first
 *     modelVersion, else ctx->model; both repeated in every chunk);
 *   - thought text parts joined -> one reasoning_content chunk;
 *   - other text parts joined -> one content chunk;
 *   - each functionCall part -> one chunk tool_calls [{index (0, 1, ... over
 *     the stream), id (functionCall.id, else "call_<name>_<index>"), type
 *     function, function {name, arguments: compact JSON of args}}]
 *     (Gemini sends every call whole);
 *   - usageMetadata (cumulative) updates the counts;
 *   - the first finishReason (or promptFeedback.blockReason without
 *     candidates) -> the finish chunk (delta {}, finish_reason mapped as in
 *     responses; stop becomes tool_calls when the stream had function calls).
 * Without include_usage the finish chunk carries the usage so far; with it,
 * the usage chunk ("choices":[]) comes from xlate_gemini_stream_end, since
 * Gemini may send usage after the finish reason. Content after the finish
 * chunk is ignored (usage still counts).
 * A payload with an "error" object -> ERR_INVAL, kind STREAMING, type,
 * status and message as xlate_gemini_error; data that is not JSON ->
 * ERR_INVAL, kind STREAMING ("failed to parse Gemini SSE event: ...");
 * "[DONE]" ends the stream like xlate_gemini_stream_end; empty data and
 * non-object JSON are ignored; payloads after the end are ignored. Errors are
 * sticky: later feeds return ERR_STATE. */
#define XLATE_GEMINI_ID_MAX 256  /* longer upstream ids/models fall back to ctx's */

typedef struct xlate_gemini_stream {
	/* read-only, valid at any time */
	xlate_usage usage;          /* latest counts */
	const char *finish_reason;  /* static string once known, else NULL */
	bool started;               /* the role chunk was sent */
	bool done;                  /* ended ([DONE] or xlate_gemini_stream_end) */
	/* private */
	int rc;                     /* sticky error */
	bool include_usage, finish_sent, usage_sent, id_set, model_set;
	int64_t created;
	uint32_t ntools;            /* function calls sent */
	uint16_t id_len, model_len;
	char id[XLATE_GEMINI_ID_MAX];
	char model[XLATE_GEMINI_ID_MAX];
} xlate_gemini_stream;

/* Start a stream: ctx gives created, include_usage and the fallback id and
 * model (copied; longer than XLATE_GEMINI_ID_MAX - 1 bytes -> ""). */
void xlate_gemini_stream_init(xlate_gemini_stream *st, const xlate_ctx *cx);

/* Feed one SSE event (type = the "event" field, unused: Gemini's payloads
 * are all of one kind; data = its data). Appends the chunks it produces to
 * out (each compact JSON + '\n') and returns how many, or a negative err_t
 * (err filled; out and the state as at entry; the error is sticky).
 * scratch: see xlate.h. */
int xlate_gemini_stream_feed(xlate_gemini_stream *st, str type, str data, arena *scratch, buf *out,
			     xlate_err *err);

/* The upstream stream ended (EOF). Returns the chunks still due (the usage
 * chunk with include_usage), or ERR_INVAL with kind STREAMING "Gemini stream
 * ended before the response was complete" when no finish reason was seen;
 * the sticky error if there was one; 0 when already ended. */
int xlate_gemini_stream_end(xlate_gemini_stream *st, buf *out, xlate_err *err);

#endif
