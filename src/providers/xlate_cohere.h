/* xlate_cohere.h — OpenAI chat <-> Cohere v2 Chat API translation
 * (providers.md "Cohere": POST {base}/chat, base https://api.cohere.com/v2).
 * Pure: bytes in, bytes out; conventions in providers/xlate.h (context,
 * scratch arena, output buf restored on error, error kinds, newline-separated
 * stream chunks). Rerank is not translated (the gateway's rerank body is
 * Cohere's own: {base}/rerank); embeddings go to Cohere's {base}/embed
 * (xlate_cohere_embed_request below; providers.md's {base}/embeddings does
 * not exist on api.cohere.com).
 *
 * Request (xlate_cohere_request), OpenAI ChatCompletionRequest -> v2 /chat
 * body. The body is rebuilt, never passed through (members without a
 * mapping are dropped: n, user, logit_bias, parallel_tool_calls,
 * stream_options, service_tier, store, metadata, reasoning_effort, ...):
 *   - "model": ctx->model, else the client's; "stream": ctx->stream;
 *   - messages missing, not an array or empty -> BAD_REQUEST "messages array
 *     must not be empty"; a message that is not an object or has a role other
 *     than system, developer, user, assistant, tool, function -> BAD_REQUEST;
 *   - system/developer -> {"role":"system","content"}: string as it is, array
 *     content -> its text parts as [{"type":"text","text"}...];
 *   - user -> {"role":"user","content"}: string as it is; parts: text ->
 *     {"type":"text","text"}; image_url (object or bare string) ->
 *     {"type":"image_url","image_url":{"url","detail"?}}; other parts with a
 *     "text" -> text; others dropped; nothing left -> "";
 *   - assistant -> {"role":"assistant","content"?,"tool_calls"?}: content =
 *     the string, or the text parts of an array joined (left out when empty
 *     and there are tool calls; "" otherwise); tool_calls[i] -> {"id","type":
 *     "function","function":{"name","arguments"}} with arguments the client's
 *     string when it holds a JSON object (an object value is serialised),
 *     else "{}" (or BAD_REQUEST with XLATE_F_STRICT_ARGS; empty or blank is
 *     always "{}");
 *   - tool -> {"role":"tool","tool_call_id","content"}: content = the string,
 *     the text parts of an array joined, or any other value's JSON text; the
 *     legacy function role -> the same with tool_call_id = its "name";
 *   - max_tokens <- max_completion_tokens, else max_tokens, else
 *     ctx->max_tokens when set; temperature; p <- top_p (outside [0.01, 0.99]
 *     -> BAD_REQUEST, providers.md); k <- top_k; stop_sequences <- stop (a
 *     string becomes a one-element array); seed; frequency_penalty;
 *     presence_penalty; logprobs (true only);
 *   - response_format json_object -> {"type":"json_object"}; json_schema ->
 *     {"type":"json_object","json_schema": json_schema.schema}; text and
 *     others -> left out;
 *   - tools: function tools -> {"type":"function","function":{"name",
 *     "description"?,"parameters"?}} (others dropped);
 *   - tool_choice "required" -> "REQUIRED"; "none" -> "NONE"; "auto" and
 *     others -> left out; {"function":{"name":N}} -> "REQUIRED" with tools
 *     narrowed to the function named N (Cohere cannot name one);
 *   - extra_body members are copied to the top level as they are, replacing
 *     a member of the same name built here (providers.md "Request
 *     construction" step 3), except "stream", which stays ctx's.
 *
 * Response (xlate_cohere_response), v2 chat response -> chat.completion:
 * id = "id" (else ctx->id, else "cohere-resp"); model = ctx->model (Cohere
 * names none); created = ctx->created; one choice:
 *   - content: the text blocks of message.content joined (null when empty);
 *     reasoning_content: the thinking blocks joined (when not empty);
 *   - tool_calls from message.tool_calls: id, type function, name,
 *     arguments = the string as it is (an object is serialised, absent "{}");
 *   - finish_reason: COMPLETE, STOP_SEQUENCE -> stop; MAX_TOKENS -> length;
 *     TOOL_CALL -> tool_calls; ERROR_TOXIC -> content_filter; any other
 *     string passed through as it is (providers.md); absent -> tool_calls
 *     when there are tool calls, else stop;
 *   - usage: usage.billed_units.input_tokens/output_tokens (providers.md),
 *     else usage.tokens.*; integral numbers only (1.0 counts, 1.5 is 0).
 * A body without a "message" object but with a "message" string (Cohere's
 * error shape) -> XLATE_E_UPSTREAM with that message; any other body
 * without a "message" object, or not a JSON object -> XLATE_E_SERIALIZATION.
 *
 * Differences from upstream liter-llm, on purpose: the body is rebuilt in
 * Cohere's own field names (upstream forwards OpenAI's and only renames
 * top_p); STOP_SEQUENCE and ERROR_TOXIC are mapped; usage falls back to
 * usage.tokens; the named tool_choice is honoured by narrowing the tools.
 *
 * Stream (xlate_cohere_stream_*): see the state machine below. */
#ifndef PROVIDERS_XLATE_COHERE_H
#define PROVIDERS_XLATE_COHERE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "providers/xlate.h"

/* Translate an OpenAI chat request in[0..n) into a Cohere v2 /chat body
 * appended to out. info (may be NULL) gets the client's stream flags.
 * Returns 0; ERR_INVAL with err->kind BAD_REQUEST (see above, and for input
 * that is not a JSON object); ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_cohere_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			 xlate_req_info *info, xlate_err *err);

/* Translate a non-streaming v2 chat response in[0..n) into an OpenAI
 * chat.completion appended to out; usage (may be NULL) gets the counts.
 * Returns 0; ERR_INVAL with err->kind SERIALIZATION or UPSTREAM;
 * ERR_TOOBIG / ERR_NOMEM (INTERNAL). */
int xlate_cohere_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_usage *usage, xlate_err *err);

/* Read a Cohere error body {"message":"..."} (with or without "id") into
 * err: kind UPSTREAM, status 0 (the HTTP status decides), type "", the
 * message. Also {"error":{"message"}} / {"error":"..."}. Returns 0, or
 * ERR_NOTFOUND when in is none of these (err untouched); the gateway then
 * uses the raw body text as the detail. */
int xlate_cohere_error(const char *in, size_t n, arena *scratch, xlate_err *err);

/* ---- streaming ----------------------------------------------------------------
 * One struct per upstream stream, fixed size, no heap: feed it every SSE
 * event of a "stream": true /chat call. The event's "type" member decides
 * (the SSE event name only when the data has none):
 *   message-start     the role chunk {"role":"assistant","content":""}; its
 *                     "id" becomes the id of every chunk (else ctx->id)
 *   content-start     text / thinking that comes already in the start event
 *   content-delta     delta.message.content.text -> content;
 *                     delta.message.content.thinking -> reasoning_content
 *   tool-call-start   tool_calls [{index, id, type function, function {name,
 *                     arguments}}] from delta.message.tool_calls (arguments
 *                     as sent, usually "")
 *   tool-call-delta   tool_calls [{index, function {arguments}}] for the open
 *                     tool call
 *   tool-call-end     a tool call that sent no arguments gets "{}"
 *   message-end       delta.usage (billed_units, else tokens) updates the
 *                     counts; the finish chunk (delta {}, finish_reason
 *                     mapped as in responses, tool_calls when absent and
 *                     tools were called); then with include_usage the usage
 *                     chunk ("choices":[]); the stream is done
 *   error             ERR_INVAL, kind STREAMING, with "message" (or
 *                     error.message; "unknown Cohere streaming error")
 *   content-end, tool-plan-delta, citation-*, debug, unknown: nothing
 * Tool call indexes count tool calls (0, 1, ...) as OpenAI does. Without
 * include_usage the finish chunk carries the usage. A content event before
 * message-start gets the role chunk first. Model = ctx->model in every chunk.
 * Data that is not JSON -> ERR_INVAL, kind STREAMING ("failed to parse
 * Cohere SSE event: ..."); data "[DONE]" ends the stream like message-end
 * (finish "stop" when none came); empty data and non-object JSON are
 * ignored; events after the end are ignored. Errors are sticky: later feeds
 * return ERR_STATE. */
#define XLATE_COHERE_ID_MAX 256  /* longer upstream ids fall back to ctx's */

typedef struct xlate_cohere_stream {
	/* read-only, valid at any time */
	xlate_usage usage;          /* latest counts */
	const char *finish_reason;  /* once known: a static string, or finish_buf (a Cohere
	                             * reason outside the known set, passed through); else NULL */
	bool started;               /* the role chunk was sent */
	bool done;                  /* message-end (or [DONE]) seen */
	/* private */
	int rc;                     /* sticky error */
	bool include_usage, finish_sent, usage_sent, args_sent;
	int64_t created;
	int32_t tool;               /* index of the open tool call, -1 = none */
	uint32_t ntools;            /* tool calls started */
	uint16_t id_len, model_len;
	char id[XLATE_COHERE_ID_MAX];
	char model[XLATE_COHERE_ID_MAX];
	char finish_buf[32];
} xlate_cohere_stream;

/* Start a stream: ctx gives created, include_usage and the fallback id and
 * model (copied; longer than XLATE_COHERE_ID_MAX - 1 bytes -> ""). */
void xlate_cohere_stream_init(xlate_cohere_stream *st, const xlate_ctx *cx);

/* Feed one SSE event (type = the "event" field, data = its data). Appends
 * the chunks it produces to out (each compact JSON + '\n') and returns how
 * many (0 to 3), or a negative err_t (err filled; out and the state as at
 * entry; the error is sticky). scratch: see xlate.h. */
int xlate_cohere_stream_feed(xlate_cohere_stream *st, str type, str data, arena *scratch, buf *out,
			     xlate_err *err);

/* The upstream stream ended (EOF). Returns 0 when message-end came (or the
 * stream ended already), or ERR_INVAL with kind STREAMING "Cohere stream
 * ended before the response was complete"; the sticky error if there was
 * one. */
int xlate_cohere_stream_end(xlate_cohere_stream *st, buf *out, xlate_err *err);

/* OpenAI embeddings -> Cohere v2 /embed body (xlate_cohere_embed.c):
 * {"model","texts":[...],"input_type","embedding_types":["float"],
 * "output_dimension"?}: input a string or an array of strings (anything
 * else -> BAD_REQUEST); input_type the client's when it sent one, else
 * "search_document"; dimensions -> output_dimension; encoding_format
 * "base64" sets XLATE_F_EMBED_BASE64 in info->flags. The answer is read by
 * xlate_bedrock_embed_response (Cohere's {"embeddings":{"float":[...]}}). */
int xlate_cohere_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			       xlate_req_info *info, xlate_err *err);

#endif
