/* xlate_codec.h — the one table the gateway consults to talk to a native
 * provider API: for (adapter, operation) the translator functions that turn
 * the OpenAI request into the native body, the native answer (whole, or
 * stream event by stream event) back into OpenAI JSON, and the native error
 * body into an xlate_err. A NULL codec means "OpenAI-compatible": the body
 * goes out as the client sent it (model rewritten) and the answer passes
 * through byte for byte.
 *
 * Adding a native family = writing its pure translator (providers/xlate_*.c,
 * see xlate.h for the conventions) and one row in xlate_codec.c; the gateway
 * code (src/gateway/gateway_call.c) is not touched. Stream framing (SSE, or
 * AWS binary event stream) follows the adapter's provider_adapter_info
 * stream_format: for event streams the gateway hands the feed each message's
 * ":event-type" as `type` and its payload as `data`; exception/error
 * messages end the stream with the gateway's error event before the feed
 * sees them.
 *
 * Pure: static const tables only. */
#ifndef PROVIDERS_XLATE_CODEC_H
#define PROVIDERS_XLATE_CODEC_H
#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "providers/provider.h"
#include "providers/xlate.h"

#define XLATE_HEADER_MAX 256 /* value of a codec's computed request header, NUL included */

typedef struct xlate_codec {
	const char *name;           /* "anthropic.chat", for logs */
	const char *id;             /* fallback response / chunk id ("chatcmpl-anthropic") */
	/* OpenAI request in[0..n) -> native body appended to out (xlate.h rules). */
	int (*request)(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
		       xlate_req_info *info, xlate_err *err);
	/* Native 2xx body -> OpenAI response appended to out; usage may be NULL. */
	int (*response)(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			xlate_usage *usage, xlate_err *err);
	/* Native error body -> err (kind UPSTREAM, status, message); 0, or
	 * ERR_NOTFOUND when not that shape. NULL: OpenAI-shaped errors. */
	int (*error)(const char *in, size_t n, arena *scratch, xlate_err *err);
	/* Stream side (all NULL when the operation does not stream). stream_size
	 * bytes of state, zeroed by the caller, then stream_init once. */
	size_t stream_size;
	void (*stream_init)(void *st, const xlate_ctx *cx);
	int (*stream_feed)(void *st, str type, str data, arena *scratch, buf *out, xlate_err *err);
	int (*stream_end)(void *st, buf *out, xlate_err *err);
	/* A request header computed from the final native body (Anthropic's
	 * anthropic-beta): header_name, and header_value writing the value
	 * NUL-terminated into val; returns its length (0 = send none) or < 0. */
	const char *header_name;
	int (*header_value)(const char *body, size_t n, arena *scratch, char val[XLATE_HEADER_MAX]);
} xlate_codec;

/* The codec of operation op on adapter a, or NULL when the operation is
 * served OpenAI-compatibly (COMPAT, OpenAI, Mistral, Azure, Copilot and any
 * native adapter's non-translated operations). */
const xlate_codec *xlate_codec_for(provider_adapter a, provider_op op);

#endif
