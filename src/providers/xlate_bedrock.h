/* xlate_bedrock.h — OpenAI chat <-> AWS Bedrock Converse / ConverseStream
 * translation, and OpenAI embeddings <-> Bedrock InvokeModel for the Titan
 * and Cohere embedding models (providers.md "AWS Bedrock"). Pure: bytes in,
 * bytes out; conventions in providers/xlate.h (context, scratch arena, output
 * buf restored on error, error kinds, newline-separated stream chunks).
 *
 * Request (xlate_bedrock_request), OpenAI ChatCompletionRequest ->
 * POST {base}/model/{id}/converse (or /converse-stream) body. The body is
 * rebuilt, never passed through: no "model" (the id is in the URL), no
 * "stream" (the path says it); members without a mapping are dropped.
 *   - messages missing, not an array or empty -> BAD_REQUEST "messages array
 *     must not be empty"; a message that is not an object or has a role other
 *     than system, developer, user, assistant, tool, function -> BAD_REQUEST;
 *   - system/developer -> "system":[{"text"}...]: string content (empty
 *     dropped) or the text parts of array content (other parts BAD_REQUEST);
 *     response_format json_object / json_schema adds one more {"text"}: the
 *     instruction of xlate_rf_instruction;
 *   - user -> {"role":"user","content":[...]}: string -> {"text"} (empty
 *     dropped); parts: text -> {"text"}; image_url (object or bare string)
 *     "data:image/<png|jpeg|jpg|gif|webp>;base64,<b64>" -> {"image":
 *     {"format","source":{"bytes":<b64>}}}; document {"data","media_type"?,
 *     "name"?} and file {"file_data":"data:<mt>;base64,...","filename"?} ->
 *     {"document":{"format","name","source":{"bytes"}}} for pdf, csv, doc,
 *     docx, xls, xlsx, html, txt, md (name: the file name reduced to the
 *     characters Bedrock allows, else "document-<k>"); any other part type,
 *     an image that is not a base64 data: URL, or a media type Bedrock does not
 *     take -> BAD_REQUEST naming messages[i].content[j];
 *   - assistant -> {"role":"assistant","content":[{"text"}?, {"toolUse":
 *     {"toolUseId","name","input"}}...]}: text = string content or the text
 *     (and refusal) parts; input = the parsed arguments object (xlate_w_args_object:
 *     {} when empty or not an object, BAD_REQUEST with XLATE_F_STRICT_ARGS); a
 *     tool call without an id -> BAD_REQUEST; the legacy function_call ->
 *     one toolUse whose id is the function name;
 *   - tool -> {"toolResult":{"toolUseId": tool_call_id,"content":[...],
 *     "status":"success"}} inside a user turn: string content -> [{"text"}]
 *     ([] when empty); array -> its text and image parts; an object -> [{"json":
 *     <object>}]; another value -> [{"text": <its JSON text>}]; no
 *     tool_call_id -> BAD_REQUEST; the legacy function role -> the same with
 *     toolUseId = its "name";
 *   - consecutive messages of the same resulting role are merged into one
 *     turn (Bedrock wants user and assistant turns to alternate); a message
 *     with no content block is left out;
 *   - "inferenceConfig" (only when not empty): maxTokens <-
 *     max_completion_tokens, else max_tokens, else ctx->max_tokens when set;
 *     temperature; topP <- top_p (both must be within [0, 1], else
 *     BAD_REQUEST, providers.md); stopSequences <- stop (a string becomes a
 *     one-element array);
 *   - "toolConfig" when there are function tools: "tools":[{"toolSpec":
 *     {"name","description"?,"inputSchema":{"json": parameters, default
 *     {"type":"object"}}}}]; tool_choice "auto" -> "toolChoice":{"auto":{}},
 *     "required" -> {"any":{}}, {"function":{"name"}} -> {"tool":{"name"}};
 *     "none" (Bedrock has no such choice) -> no toolConfig at all, unless the
 *     conversation holds toolUse/toolResult blocks (Bedrock then requires
 *     it): tools without a toolChoice; no function tools but tool calls in
 *     the history -> the tools those calls named (first 64 distinct), with
 *     {"type":"object"} schemas and no toolChoice;
 *   - reasoning_effort (or extra_body.reasoning_effort) ->
 *     "additionalModelRequestFields":{"thinking":{"type":"enabled",
 *     "budget_tokens": low 1024, medium 4096, high 16384, other 4096}}
 *     ("none" asks for no thinking: left out);
 *     service_tier other than "auto" -> "serviceTier":{"type"}; metadata
 *     (an object) -> "requestMetadata";
 *   - extra_body members are copied to the top level as they are (e.g.
 *     guardrailConfig, performanceConfig), replacing a member of the same
 *     name built here (providers.md "Request construction" step 3);
 *     extra_body.reasoning_effort is read, not copied.
 *
 * Response (xlate_bedrock_response), Converse response -> chat.completion:
 * id = requestId / conversationId when the body has one, else ctx->id, else
 * "bedrock-resp"; model = ctx->model (Converse names none); created =
 * ctx->created; one choice:
 *   - content: the text blocks of output.message.content joined (null when
 *     empty); reasoning_content: the reasoningContent.reasoningText.text
 *     blocks joined (when not empty);
 *   - tool_calls from toolUse blocks: id = toolUseId, type function, name,
 *     arguments = compact JSON of input ({} when absent);
 *   - finish_reason from stopReason: end_turn, stop_sequence -> stop;
 *     max_tokens, model_context_window_exceeded -> length; tool_use ->
 *     tool_calls; content_filtered, guardrail_intervened -> content_filter;
 *     other or absent -> stop;
 *   - usage: prompt_tokens = inputTokens + cacheReadInputTokens +
 *     cacheWriteInputTokens (Bedrock counts them apart, as Anthropic does);
 *     completion_tokens = outputTokens; cached_tokens = cacheReadInputTokens;
 *     total = prompt + completion.
 * A body without an "output" object but with a "message" / "Message" string
 * (an error shape) -> XLATE_E_UPSTREAM as xlate_bedrock_error; any other body
 * without "output", or not a JSON object -> XLATE_E_SERIALIZATION.
 *
 * Differences from upstream liter-llm, on purpose: images must be data:
 * URLs and unsupported parts are refused here instead of upstream; tool
 * results that are objects are sent as {"json"}; usage counts cache tokens
 * into prompt_tokens; "none" tool_choice drops the tools; reasoning text is
 * returned; the model is ctx's instead of empty.
 *
 * Embeddings (xlate_bedrock_embed_request / _response), POST
 * {base}/model/{id}/invoke. The family comes from ctx->model (the upstream
 * model id; a cross-region "<p>." prefix or an ARN path is allowed around
 * it):
 *   - amazon.titan-embed-*: {"inputText": <the one input>}; more than one
 *     input -> BAD_REQUEST; dimensions -> "dimensions" (text v2), or
 *     "embeddingConfig":{"outputEmbeddingLength"} (image models);
 *     response {"embedding":[...],"inputTextTokenCount"} -> one datum;
 *   - cohere.embed-*: {"texts":[...],"input_type":"search_document"}
 *     (providers.md; OpenAI's request has no such field); response
 *     {"embeddings":[[...]...]} (or {"embeddings":{"float":[[...]...]}}) ->
 *     one datum per vector; usage from meta.billed_units.input_tokens when
 *     present;
 *   - other models -> BAD_REQUEST; input missing, empty, or not a string / an
 *     array of strings (token arrays included) -> BAD_REQUEST.
 * Output: {"object":"list","data":[{"object":"embedding","index","embedding"}
 * ...],"model": ctx->model,"usage":{"prompt_tokens","total_tokens"}}; with
 * encoding_format "base64" (xlate_req_info.flags / ctx->flags
 * XLATE_F_EMBED_BASE64) each embedding is the base64 of its little-endian
 * float32 values, as OpenAI sends it. A body without the expected vectors ->
 * XLATE_E_SERIALIZATION (or UPSTREAM for an error shape).
 *
 * Stream (xlate_bedrock_stream_*): see the state machine below. */
#ifndef PROVIDERS_XLATE_BEDROCK_H
#define PROVIDERS_XLATE_BEDROCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "providers/xlate.h"

/* Translate an OpenAI chat request in[0..n) into a Converse body appended
 * to out. info (may be NULL) gets the client's stream flags. Returns 0;
 * ERR_INVAL with err->kind BAD_REQUEST (see above, and for input that is not
 * a JSON object); ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_bedrock_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_req_info *info, xlate_err *err);

/* Translate a Converse response in[0..n) into an OpenAI chat.completion
 * appended to out; usage (may be NULL) gets the counts. Returns 0; ERR_INVAL
 * with err->kind SERIALIZATION or UPSTREAM; ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_bedrock_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			   xlate_usage *usage, xlate_err *err);

/* Read a Bedrock error body ({"message":"..."}, also "Message", with an
 * optional "__type" such as "ValidationException" or
 * "com.amazon.coral.service#UnrecognizedClientException") into err: kind
 * UPSTREAM, type = the exception name without its namespace, message, and
 * status = xlate_bedrock_error_status(type) (0 when unknown: the HTTP status
 * then decides). Returns 0, or ERR_NOTFOUND when in is not such a body (err
 * untouched). */
int xlate_bedrock_error(const char *in, size_t n, arena *scratch, xlate_err *err);

/* HTTP status of a Bedrock exception name: ValidationException 400,
 * UnrecognizedClientException, InvalidSignatureException 403 (AWS sends 403
 * for both), AccessDeniedException 403, ResourceNotFoundException 404,
 * ModelTimeoutException 408, ModelErrorException 424,
 * ThrottlingException, ModelNotReadyException, ServiceQuotaExceededException
 * 429, InternalServerException 500, ServiceUnavailableException 503; other 0.
 * ASCII case-insensitive (stream exception events say "throttlingException"). */
int xlate_bedrock_error_status(str type);

/* Embeddings: see above. The request's info->flags gets XLATE_F_EMBED_BASE64
 * for encoding_format "base64"; the response reads the same bit in
 * ctx->flags. Same returns as the chat functions. */
int xlate_bedrock_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				xlate_req_info *info, xlate_err *err);
int xlate_bedrock_embed_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				 xlate_usage *usage, xlate_err *err);

/* ---- streaming ----------------------------------------------------------------
 * One struct per upstream stream, fixed size, no heap: feed it every event
 * message of the ConverseStream event stream as (type = its ":event-type"
 * header, data = its JSON payload); it appends the OpenAI chunks, one per
 * line. Event -> chunks:
 *   messageStart        {"role":"assistant","content":""}
 *   contentBlockStart   start.toolUse: tool_calls [{index, id = toolUseId,
 *                       type function, function {name, arguments ""}}]
 *   contentBlockDelta   delta.text -> content; delta.reasoningContent.text ->
 *                       reasoning_content; delta.toolUse.input -> tool_calls
 *                       [{index, function {arguments: the fragment}}] of the
 *                       tool block with that contentBlockIndex (fragments of
 *                       blocks that were never started are dropped)
 *   contentBlockStop    a tool block that sent no arguments gets "{}"
 *   messageStop         closes the open tool blocks as contentBlockStop
 *                       does; the stopReason (mapped as in responses) is kept
 *                       for the finish chunk
 *   metadata            usage.* (as in responses) -> the counts; after
 *                       messageStop: the finish chunk (delta {}, carrying
 *                       the usage unless include_usage) and, with
 *                       include_usage, the usage chunk ("choices":[]); the
 *                       stream is then complete
 *   *Exception          ERR_INVAL, kind STREAMING, the payload's message
 *                       (the gateway normally catches exception messages by
 *                       their ":message-type" before they get here)
 *   other               nothing ("p" padding members are ignored everywhere)
 * Tool call indexes count tool calls (0, 1, ...) as OpenAI does, not
 * Bedrock's content block indexes; up to XLATE_BEDROCK_OPEN_TOOLS tool
 * blocks may be open at once (more -> STREAMING error). A content event
 * before messageStart gets the role chunk first. The finish chunk waits for
 * metadata (Bedrock sends usage after messageStop) or the end of the stream.
 * Data that is not JSON -> ERR_INVAL, kind STREAMING ("failed to parse
 * Bedrock SSE event: ..."); data "[DONE]" ends the stream like the end of
 * input; empty data and non-object JSON are ignored; events after the end
 * are ignored. Errors are sticky: later feeds return ERR_STATE. */
#define XLATE_BEDROCK_ID_MAX 256    /* longer ctx ids/models become "" */
#define XLATE_BEDROCK_OPEN_TOOLS 16 /* tool blocks open at the same time */

typedef struct xlate_bedrock_tool_block {
	uint32_t block;  /* contentBlockIndex */
	int32_t tool;    /* OpenAI tool call index */
	bool args;       /* an arguments fragment was sent */
} xlate_bedrock_tool_block;

typedef struct xlate_bedrock_stream {
	/* read-only, valid at any time */
	xlate_usage usage;          /* latest counts */
	const char *finish_reason;  /* static string once messageStop came, else NULL */
	bool started;               /* the role chunk was sent */
	bool done;                  /* complete (metadata after messageStop, [DONE], or _end) */
	/* private */
	int rc;                     /* sticky error */
	bool include_usage, finish_sent, usage_sent;
	int64_t created;
	uint32_t ntools;            /* tool calls announced */
	uint32_t nopen;             /* entries in open[] */
	xlate_bedrock_tool_block open[XLATE_BEDROCK_OPEN_TOOLS];
	uint16_t id_len, model_len;
	char id[XLATE_BEDROCK_ID_MAX];
	char model[XLATE_BEDROCK_ID_MAX];
} xlate_bedrock_stream;

/* Start a stream: ctx gives created, include_usage, the id and the model of
 * every chunk (copied; longer than XLATE_BEDROCK_ID_MAX - 1 bytes -> ""). */
void xlate_bedrock_stream_init(xlate_bedrock_stream *st, const xlate_ctx *cx);

/* Feed one event (type = ":event-type", data = the payload). Appends the
 * chunks it produces to out (each compact JSON + '\n') and returns how many,
 * or a negative err_t (err filled; out and the state as at entry; the error
 * is sticky). scratch: see xlate.h. */
int xlate_bedrock_stream_feed(xlate_bedrock_stream *st, str type, str data, arena *scratch, buf *out,
			      xlate_err *err);

/* The upstream stream ended (EOF). Returns the chunks still due (the finish
 * chunk and, with include_usage, the usage chunk, when metadata did not
 * come), or ERR_INVAL with kind STREAMING "Bedrock stream ended before the
 * message was complete" when no messageStop was seen; the sticky error if
 * there was one; 0 when already complete. */
int xlate_bedrock_stream_end(xlate_bedrock_stream *st, buf *out, xlate_err *err);

#endif
