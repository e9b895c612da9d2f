/* xlate_chunks.h — an OpenAI chat.completion re-told as the stream it would
 * have been: for upstreams that cannot stream a model the client asked to
 * stream (Azure o1 deployments, providers.md: `stream` removed), the gateway
 * makes the call without streaming and sends the answer as chunks. Pure. */
#ifndef PROVIDERS_XLATE_CHUNKS_H
#define PROVIDERS_XLATE_CHUNKS_H
#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"
#include "base/buf.h"
#include "providers/xlate.h"

/* The chat.completion in[0..n) as chat.completion.chunk lines appended to
 * out (compact JSON + '\n' each, xlate.h's stream convention; the caller
 * frames them and adds [DONE]): per choice, one chunk whose delta holds
 * "role":"assistant" and every member of the message but "role" as it is
 * (content, refusal, reasoning_content, annotations, audio ...; tool_calls
 * with "index" added to each call), with the choice's logprobs, then one
 * chunk with an empty delta and the choice's finish_reason; with
 * include_usage a last chunk "choices":[] carrying the usage object as it is.
 * id, created, model, system_fingerprint and service_tier are copied into
 * every chunk. Returns the number of chunks, or ERR_INVAL with err
 * SERIALIZATION (not a chat.completion), ERR_TOOBIG / ERR_NOMEM (INTERNAL);
 * out is restored on error. */
int xlate_completion_chunks(const char *in, size_t n, bool include_usage, arena *scratch, buf *out,
			    xlate_err *err);

#endif
