/* eventstream.h — AWS binary event-stream framing (application/
 * vnd.amazon.eventstream), as Bedrock ConverseStream sends it: an incremental
 * decoder you feed bytes in any split and pull whole messages from, and an
 * encoder (for tests and fake upstreams). Pure: bytes in, structs/bytes out.
 *
 * A message, all integers big-endian:
 *   total_len u32 | headers_len u32 | prelude_crc u32 (CRC-32 of the 8 bytes before)
 *   headers (headers_len bytes) | payload (total_len - headers_len - 16 bytes)
 *   message_crc u32 (CRC-32 of all total_len - 4 bytes before it)
 * A header: name_len u8 | name | type u8 | value, where the value is
 *   0 bool true, 1 bool false (no bytes), 2 byte (1), 3 short (2), 4 int (4),
 *   5 long (8), 6 byte array and 7 string (u16 length + bytes),
 *   8 timestamp (8, ms since the epoch, signed), 9 uuid (16).
 * CRC-32 is the IEEE/zlib one (reflected 0xEDB88320, init and xor ~0).
 *
 *   eventstream_dec d;
 *   eventstream_dec_init(&d, 0);                 // default cap 16 MiB
 *   on bytes: rc = eventstream_dec_feed(&d, p, n);
 *     while ((rc = eventstream_dec_next(&d, &m)) == 0) use m (valid until the
 *       next feed or free call);
 *     rc == ERR_AGAIN: wait for more bytes; other negative: the stream is bad
 *   at end of stream: eventstream_dec_pending(&d) != 0 means a truncated message
 *   eventstream_dec_free(&d);
 */
#ifndef PROVIDERS_EVENTSTREAM_H
#define PROVIDERS_EVENTSTREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

#define EVENTSTREAM_PRELUDE_LEN   12
#define EVENTSTREAM_MIN_LEN       16             /* prelude + message CRC */
#define EVENTSTREAM_MAX_MESSAGE   (16u << 20)    /* default cap on total_len */
#define EVENTSTREAM_MAX_HEADERS_LEN (128u << 10) /* cap on headers_len */

typedef enum {
	EVENTSTREAM_BOOL_TRUE = 0,
	EVENTSTREAM_BOOL_FALSE = 1,
	EVENTSTREAM_BYTE = 2,
	EVENTSTREAM_SHORT = 3,
	EVENTSTREAM_INT = 4,
	EVENTSTREAM_LONG = 5,
	EVENTSTREAM_BYTES = 6,
	EVENTSTREAM_STRING = 7,
	EVENTSTREAM_TIMESTAMP = 8,
	EVENTSTREAM_UUID = 9
} eventstream_type;

/* One header. Decoded: name/data point into the message. Encoding: the
 * caller's. i carries byte/short/int/long (sign-extended) and timestamp (ms);
 * data/len carry byte array and string bytes, and the 16 uuid bytes. */
typedef struct eventstream_header {
	const char *name;
	size_t name_len;         /* 1..255 */
	eventstream_type type;
	int64_t i;
	const void *data;
	size_t len;              /* bytes/string: 0..65535; uuid: 16 */
} eventstream_header;

/* A decoded message; every pointer points into the decoder's buffer (or into
 * the bytes given to eventstream_parse). The string fields are the values of
 * the string headers of those names (last one wins), NULL/0 when absent. */
typedef struct eventstream_msg {
	const uint8_t *headers;  /* raw header block, for eventstream_header_next */
	size_t headers_len;
	const uint8_t *payload;
	size_t payload_len;
	size_t nheaders;
	const char *event_type;      /* ":event-type" */
	size_t event_type_len;
	const char *message_type;    /* ":message-type" ("event", "exception", "error") */
	size_t message_type_len;
	const char *content_type;    /* ":content-type" */
	size_t content_type_len;
	const char *exception_type;  /* ":exception-type" */
	size_t exception_type_len;
	const char *error_code;      /* ":error-code" */
	size_t error_code_len;
	const char *error_message;   /* ":error-message" */
	size_t error_message_len;
} eventstream_msg;

/* CRC-32/IEEE: crc = eventstream_crc32(0, p, n), or chained by passing the
 * previous result. */
uint32_t eventstream_crc32(uint32_t crc, const void *p, size_t n);

/* Parse one message at the start of p[0..n).
 * Returns 0 with *m filled and *used = its total length; ERR_AGAIN when more
 * bytes are needed (after the prelude is complete, it has been checked, so a
 * bad length or prelude CRC fails at once); ERR_TOOBIG when total_len > max
 * (0 = EVENTSTREAM_MAX_MESSAGE) or headers_len > EVENTSTREAM_MAX_HEADERS_LEN;
 * ERR_INVAL for a bad prelude CRC, total_len < 16, headers_len > total_len -
 * 16, a bad message CRC, an unknown header type, an empty header name or a
 * header running past the header block. */
int eventstream_parse(const void *p, size_t n, size_t max, eventstream_msg *m, size_t *used);

/* Iterate the headers of m: start with *off = 0; returns 1 with *h filled,
 * 0 at the end (headers were validated by the parser, so no errors). */
int eventstream_header_next(const eventstream_msg *m, size_t *off, eventstream_header *h);

/* Incremental decoder. Zero-initialised is valid (cap 16 MiB). */
typedef struct eventstream_dec {
	buf in;          /* bytes not yet returned as messages */
	size_t max;      /* cap on one message (0 = EVENTSTREAM_MAX_MESSAGE) */
	size_t pos;      /* start of the bytes not yet returned as messages */
	int err;         /* sticky error */
} eventstream_dec;

void eventstream_dec_init(eventstream_dec *d, size_t max);
/* Append bytes (copied; the messages returned so far are dropped first).
 * Pull the complete messages with eventstream_dec_next between feeds: when
 * max bytes or more are still buffered at a feed, the caller is not pulling
 * and the feed fails (ERR_TOOBIG, sticky). Buffered memory is thus below
 * max + the size of one feed. 0, ERR_NOMEM (not sticky; nothing taken),
 * ERR_TOOBIG, or the sticky error; a bad prelude (see eventstream_parse) is
 * reported here already. */
int eventstream_dec_feed(eventstream_dec *d, const void *p, size_t n);
/* Next complete message: 0 with *m (valid until the next feed or free),
 * ERR_AGAIN when more bytes are needed, or an error from eventstream_parse
 * (sticky: the decoder stays failed). */
int eventstream_dec_next(eventstream_dec *d, eventstream_msg *m);
/* Bytes buffered of a message not yet complete (non-zero at end of stream
 * means the stream was truncated). */
size_t eventstream_dec_pending(const eventstream_dec *d);
void eventstream_dec_free(eventstream_dec *d); /* NULL-safe */

/* Append one encoded message to out. ERR_INVAL for a bad header (name length
 * not 1..255, byte/short/int value out of its range, bytes/string longer than 65535, uuid len not 16, unknown type,
 * NULL data with a length), ERR_TOOBIG when the message would exceed
 * EVENTSTREAM_MAX_MESSAGE or the header block EVENTSTREAM_MAX_HEADERS_LEN, or
 * out's cap; ERR_NOMEM. out is unchanged on error. */
int eventstream_encode(buf *out, const eventstream_header *h, size_t nh,
	const void *payload, size_t payload_len);

#endif
