/* sse.h — Server-Sent Events (text/event-stream) codec. Pure: no I/O.
 * Encoder: whole events into a capped buf. Decoder: incremental, following
 * the WHATWG EventSource "interpret an event stream" rules (BOM, CR/LF/CRLF
 * line ends even when split across feeds, comments, event/data/id/retry
 * fields, dispatch on an empty line, an unfinished event at end of stream is
 * dropped). Bytes are passed through as they are (no UTF-8 decoding); a data
 * value of "[DONE]" is ordinary data: the caller decides what it means. */
#ifndef HTTP_SSE_H
#define HTTP_SSE_H
#include "base/buf.h"
#include "base/str.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sse_event {
	str type; /* the "event" field; "message" when there was none */
	str data; /* the data lines joined with "\n" (no final "\n"); may hold NUL */
	str id;   /* the last event ID, which persists across events; "" if none */
} sse_event;

/* ---- encoder ----------------------------------------------------------------
 * All writers append to b and return 0, ERR_INVAL, ERR_TOOBIG or ERR_NOMEM;
 * on any error b is unchanged (never half an event). */

/* One event: "event: <type>\n" when type.n > 0, "id: <id>\n" when id.p is
 * non-NULL (an empty id resets the reader's last event ID), "retry: <ms>\n"
 * when retry_ms >= 0, then data split at CRLF, LF or CR into "data: <line>\n"
 * lines (at least one, so empty data is still an event), then "\n".
 * type and id must not contain CR or LF (id: nor NUL) -> ERR_INVAL.
 * A reader gets data back with its line breaks as "\n". */
int sse_write_event(buf *b, str type, str data, str id, int64_t retry_ms);
/* sse_write_event(b, STR_NULL, data, STR_NULL, -1): "data: <data>\n\n". */
int sse_write_data(buf *b, str data);
/* A comment, e.g. a keep-alive: ":<text>\n\n" (text "" gives ":\n\n");
 * text must not contain CR or LF. */
int sse_write_comment(buf *b, str text);

/* ---- decoder ----------------------------------------------------------------
 * A zero-initialised sse_decoder is ready (cap LIMIT_SSE_EVENT_BYTES). It
 * owns heap memory: sse_decoder_free() it. */
typedef struct sse_decoder {
	size_t cap;        /* max bytes held for the pending line + event (+ id);
	                    * 0 = LIMIT_SSE_EVENT_BYTES; exceeding it -> ERR_TOOBIG */
	bool has_retry;    /* a valid "retry:" field was seen (read-only) */
	uint64_t retry_ms; /* the last valid one (read-only) */
	/* private */
	buf line, data, type, id;
	unsigned bom;      /* BOM bytes matched at stream start; 3 = settled */
	bool cr;           /* the last line ended with CR: drop one LF */
	bool comment;      /* discarding the rest of a comment line */
	bool dispatched;   /* data/type still hold the event last returned */
	int rc;            /* sticky error */
} sse_decoder;

/* Same as zero-initialising, with cap chosen (0 = default). */
void sse_decoder_init(sse_decoder *d, size_t cap);

/* Feed the next bytes of the stream. Returns
 *   1      an event is ready in *ev; *consumed bytes of p were used (up to
 *          and including the empty line): call again with the rest
 *   0      all of p was consumed (*consumed == n), no event completed
 *   ERR_TOOBIG / ERR_NOMEM   a line or event over cap / out of memory;
 *          sticky (later calls return it again)
 * ev's slices point into d and stay valid until the next call on d. */
int sse_decoder_feed(sse_decoder *d, const char *p, size_t n, size_t *consumed, sse_event *ev);

/* Callback form: feeds all of p, calling cb for each event in order. Returns
 * 0, the decoder's error, or the first non-zero value cb returned (then the
 * rest of p is not fed). */
typedef int (*sse_event_cb)(void *ud, const sse_event *ev);
int sse_decoder_feed_all(sse_decoder *d, const char *p, size_t n, sse_event_cb cb, void *ud);

/* Whether bytes of an unfinished event are held: at end of stream this means
 * the stream was cut mid-event (the event is dropped, as the spec says). */
bool sse_decoder_pending(const sse_decoder *d);

/* Start a new stream (forget the partial event, last event ID, retry and
 * BOM state; keep memory and cap). */
void sse_decoder_reset(sse_decoder *d);
/* Release memory; NULL-safe; d is then a fresh zero decoder with its cap. */
void sse_decoder_free(sse_decoder *d);

#endif
