/* xlate_anthropic.h — OpenAI chat <-> Anthropic Messages API translation
 * (providers.md "Anthropic"). Pure: bytes in, bytes out; conventions in
 * providers/xlate.h (context, scratch arena, output buf restored on error,
 * error kinds, newline-separated stream chunks).
 *
 * Request (xlate_anthropic_request), OpenAI ChatCompletionRequest ->
 * POST {base}/messages body:
 *   - "model" = ctx->model; "stream" = ctx->stream (always written);
 *   - temperature outside [0, 1] -> BAD_REQUEST "temperature=<v> is outside
 *     Anthropic's supported range [0, 1]; lower the requested value or omit
 *     `temperature` to use the provider default"; messages missing, not an
 *     array or empty -> BAD_REQUEST "messages array must not be empty"; a
 *     message that is not an object or has a role other than system,
 *     developer, user, assistant, tool, function -> BAD_REQUEST;
 *   - system/developer messages -> top-level "system", always an array of
 *     blocks: string content -> {"type":"text","text",cache_control?} (empty
 *     strings dropped), array content -> its parts as they are; a
 *     response_format json_object / json_schema instruction block goes first;
 *   - user: string -> one text block; parts: text -> text, image_url ->
 *     image with a base64 source (data:<mt>;base64,<d>) or a url source,
 *     document -> document (media_type default application/pdf), other parts
 *     -> text when they carry "text", else dropped; part cache_control kept,
 *     the message's cache_control goes on its last block;
 *   - assistant: text (string, or the text parts of an array) -> text
 *     blocks; tool_calls -> tool_use {id, name, input = the parsed
 *     arguments}; arguments that are not a JSON object become {} (upstream's
 *     rule) or, with XLATE_F_STRICT_ARGS, BAD_REQUEST naming the message and
 *     call; nothing -> [{"type":"text","text":""}];
 *   - tool -> user turn with {"type":"tool_result","tool_use_id","content":
 *     [text/image blocks, others "[unsupported content in tool result]"],
 *     cache_control?}; legacy function -> the same with tool_use_id = name.
 *     tool_use ids and tool_use_ids have every character outside
 *     [A-Za-z0-9_-] replaced by '_' (both sides, so they keep matching);
 *   - consecutive messages of the same resulting role are merged into one
 *     turn (so consecutive tool results become one user turn);
 *   - max_tokens: max_tokens, else max_completion_tokens, else ctx->max_tokens
 *     or 4096; reasoning_effort (or extra_body.reasoning_effort) -> thinking
 *     {type enabled, budget_tokens minimal/low 1024, medium 4096, high 16384,
 *     max 32768, other 4096} with max_tokens raised to at least budget + 1;
 *   - stop -> stop_sequences (a string becomes a one-element array);
 *   - tools: function tools -> {name, description?, input_schema (parameters,
 *     default {"type":"object","properties":{}}, "type" forced to "object"),
 *     cache_control?}; hosted tools (computer_20241022, computer_use_20250124,
 *     web_search_20250305, code_execution_20250522) verbatim;
 *   - tool_choice: "none" -> tools and tool_choice left out; "required" ->
 *     {"type":"any"}; other strings -> {"type":"auto"}; {"function":{"name"}}
 *     -> {"type":"tool","name"}; parallel_tool_calls false ->
 *     "disable_parallel_tool_use": true in tool_choice (type auto when the
 *     client gave none), when tools are sent;
 *   - user -> metadata.user_id (strings of at most 256 bytes);
 *   - dropped: n, presence_penalty, frequency_penalty, logit_bias,
 *     stream_options, service_tier, logprobs, top_logprobs, store, metadata,
 *     prediction, audio, web_search_options, modalities, seed, extra_body
 *     (only its reasoning_effort is read); any other member (temperature,
 *     top_p, ...) is passed through as it is.
 *
 * Response (xlate_anthropic_response), Anthropic message -> chat.completion:
 * id and model from the message (ctx->id / ctx->model when absent),
 * created = ctx->created, content = the text blocks joined (null when
 * empty), tool_calls from tool_use / server_tool_use (arguments = compact
 * JSON of input), reasoning_content = the thinking blocks joined (when not
 * empty), finish_reason from stop_reason (end_turn, stop_sequence, other ->
 * stop; tool_use -> tool_calls; max_tokens -> length; refusal,
 * content_filtered -> content_filter), usage prompt_tokens = input_tokens +
 * cache_creation_input_tokens + cache_read_input_tokens (cache reads also as
 * prompt_tokens_details.cached_tokens), completion_tokens = output_tokens.
 * A body with "type":"error", or without "stop_reason" but with an "error"
 * object -> XLATE_E_UPSTREAM (as xlate_anthropic_error); any other body
 * without "stop_reason", or not a JSON object -> XLATE_E_SERIALIZATION.
 * Differences from upstream liter-llm, on purpose: tool_use ids are
 * sanitised like tool_use_ids; assistant array content keeps its text parts;
 * user -> metadata.user_id and parallel_tool_calls -> disable_parallel_tool_use
 * are mapped (upstream drops both); stream tool call indexes are OpenAI's;
 * chunks repeat the message id/model; the stream usage is whole (prompt +
 * completion) instead of split over the first and last chunk.
 *
 * Stream (xlate_anthropic_stream_*): see the state machine below. */
#ifndef PROVIDERS_XLATE_ANTHROPIC_H
#define PROVIDERS_XLATE_ANTHROPIC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "providers/xlate.h"

#define XLATE_ANTHROPIC_MAX_TOKENS 4096u  /* default max_tokens (Anthropic requires one) */
#define XLATE_ANTHROPIC_USER_ID_MAX 256u  /* longest "user" sent as metadata.user_id */

/* Translate an OpenAI chat request in[0..n) into an Anthropic Messages body
 * appended to out. info (may be NULL) gets the client's stream flags.
 * Returns 0; ERR_INVAL with err->kind BAD_REQUEST (see above, and for input
 * that is not a JSON object); ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_anthropic_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch,
			    buf *out, xlate_req_info *info, xlate_err *err);

/* Translate a non-streaming Anthropic response in[0..n) into an OpenAI
 * chat.completion appended to out; usage (may be NULL) gets the counts.
 * Returns 0; ERR_INVAL with err->kind SERIALIZATION or UPSTREAM;
 * ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_anthropic_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch,
			     buf *out, xlate_usage *usage, xlate_err *err);

/* Read an Anthropic error body {"type":"error","error":{"type","message"}}
 * (also any {"error":{"message"}}) into err: kind UPSTREAM, type, message
 * and the status the type implies (xlate_anthropic_error_status). Returns 0,
 * or ERR_NOTFOUND when in is not such an object (err untouched); the gateway
 * then uses the raw body text as the detail. */
int xlate_anthropic_error(const char *in, size_t n, arena *scratch, xlate_err *err);

/* HTTP status of an Anthropic error type: invalid_request_error 400,
 * authentication_error 401, billing_error 402, permission_error 403,
 * not_found_error 404, request_too_large 413, rate_limit_error 429,
 * api_error 500, timeout_error 504, overloaded_error 529; other 0. */
int xlate_anthropic_error_status(str type);

/* The anthropic-beta header value the final request body needs (providers.md):
 * thinking-2025-04-14 when it has "thinking"; computer-use-2025-01-24,
 * web-search-2025-03-05, code-execution-2025-05-22 for hosted tool types in
 * "tools" (in the order they first appear); prompt-caching-2024-07-31 when
 * any object anywhere has a "cache_control" key; pdfs-2024-09-25 when a
 * messages[].content[] block has type "document". Comma-separated, no
 * spaces, NUL-terminated in out. Returns its length (0 = send no header) or
 * a negative err_t when body is not valid JSON (out = ""). */
#define XLATE_ANTHROPIC_BETA_MAX 160
int xlate_anthropic_beta(const char *body, size_t n, arena *scratch,
			 char out[XLATE_ANTHROPIC_BETA_MAX]);

/* ---- streaming ----------------------------------------------------------------
 * One struct per upstream stream, fixed size, no heap: feed it every SSE
 * event; it appends the OpenAI chunks, one per line. Event -> chunks (the
 * event name is only used when the data has no "type"):
 *   message_start        {"role":"assistant","content":""} (id and model from
 *                        the message, repeated in every later chunk)
 *   content_block_start  tool_use / server_tool_use: tool_calls [{index, id,
 *                        type function, function {name, arguments ""}}]
 *                        (arguments = the input when the start already
 *                        carries a non-empty one); text / thinking blocks
 *                        starting with text: content / reasoning_content
 *   content_block_delta  text_delta -> content; thinking_delta ->
 *                        reasoning_content; input_json_delta -> tool_calls
 *                        [{index, function {arguments: partial_json}}];
 *                        signature_delta, citations_delta, others: nothing
 *   content_block_stop   a tool block that sent no arguments gets "{}"
 *   message_delta        the finish chunk (delta {}, finish_reason mapped as
 *                        in responses) the first time a stop_reason comes;
 *                        usage counts are updated (they are cumulative)
 *   message_stop         the finish chunk ("stop") if none was sent; then,
 *                        with include_usage, the usage chunk ("choices":[])
 *   ping, unknown        nothing
 *   error                ERR_INVAL, kind STREAMING, type/status/message from
 *                        the event ("unknown Anthropic streaming error")
 * Tool call indexes count tool calls (0, 1, ...) as OpenAI does, not
 * Anthropic's content block indexes. Without include_usage the finish chunk
 * carries the usage so far; with it, only the final usage chunk does (OpenAI
 * semantics). A content event before message_start gets the role chunk first.
 * Data that is not JSON -> ERR_INVAL, kind STREAMING ("failed to parse
 * Anthropic SSE event: ..."); data "[DONE]" ends the stream like
 * message_stop; empty data is ignored; events after the end are ignored.
 * Errors are sticky: later feeds return ERR_STATE. */
#define XLATE_ANTHROPIC_ID_MAX 256  /* longer upstream ids/models fall back to ctx's */

typedef struct xlate_anthropic_stream {
	/* read-only, valid at any time */
	xlate_usage usage;          /* latest counts (prompt from message_start / message_delta) */
	const char *finish_reason;  /* static string once known, else NULL */
	bool started;               /* the role chunk was sent */
	bool done;                  /* message_stop (or [DONE]) seen */
	/* private */
	int rc;                     /* sticky error */
	bool include_usage, finish_sent, usage_sent, args_sent;
	bool in_block;              /* a content block is open */
	int64_t created;
	uint64_t block;             /* index of the open content block */
	uint64_t input_tokens;      /* latest input_tokens (prompt = this + cache writes + reads) */
	int32_t tool;               /* tool call index of the open block, -1 = not a tool block */
	uint32_t ntools;
	uint16_t id_len, model_len;
	char id[XLATE_ANTHROPIC_ID_MAX];
	char model[XLATE_ANTHROPIC_ID_MAX];
} xlate_anthropic_stream;

/* Start a stream: ctx gives created, include_usage and the fallback id and
 * model (copied; longer than XLATE_ANTHROPIC_ID_MAX - 1 bytes -> ""). */
void xlate_anthropic_stream_init(xlate_anthropic_stream *st, const xlate_ctx *cx);

/* Feed one SSE event (type = the "event" field, data = its data). Appends
 * the chunks it produces to out (each compact JSON + '\n') and returns how
 * many (0 to 3), or a negative err_t (err filled; out and the state as at
 * entry; the error is sticky). scratch: see xlate.h. */
int xlate_anthropic_stream_feed(xlate_anthropic_stream *st, str type, str data, arena *scratch,
				buf *out, xlate_err *err);

/* The upstream stream ended (EOF). Returns the chunks still due (the usage
 * chunk when message_delta came but message_stop did not), or ERR_INVAL with
 * kind STREAMING "Anthropic stream ended before the message was complete"
 * when no stop_reason was seen; the sticky error if there was one. */
int xlate_anthropic_stream_end(xlate_anthropic_stream *st, buf *out, xlate_err *err);

#endif
