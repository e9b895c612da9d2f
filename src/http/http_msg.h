/* http_msg.h — writers for HTTP/1.1 heads and chunked framing into a capped
 * buf, standard reason phrases, and the validators that make response
 * splitting impossible (nothing we write can carry CR, LF or NUL into a
 * head). Pure: no I/O, no clock (the caller passes the time for Date).
 *
 * Every writer appends to b and returns 0, or ERR_INVAL (input that would
 * break the framing), ERR_TOOBIG (b's cap) or ERR_NOMEM; on any error b is
 * left exactly as it was (never a half-written line). */
#ifndef HTTP_HTTP_MSG_H
#define HTTP_HTTP_MSG_H
#include "base/buf.h"
#include "base/str.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Standard reason phrase (RFC 9110 §15) of status, "" when unknown. Static. */
const char *http_msg_reason(int status);

/* Non-empty RFC 9110 token (methods, header names). */
bool http_msg_token_ok(str s);
/* Field value we may write: HTAB, SP, VCHAR, obs-text; never CR, LF, NUL,
 * other CTLs or DEL; no leading/trailing SP/HTAB (they would be stripped by
 * the reader, so the value would not round-trip). Empty is fine. */
bool http_msg_value_ok(str s);

/* "HTTP/1.1 <status> <reason>\r\n"; status 100..599; reason.p == NULL means
 * http_msg_reason(status); reason must pass http_msg_value_ok. */
int http_msg_status_line(buf *b, int status, str reason);
/* "<method> <target> HTTP/1.1\r\n"; method a token, target non-empty
 * visible ASCII (0x21..0x7E). */
int http_msg_request_line(buf *b, str method, str target);
/* "<name>: <value>\r\n"; name a token, value http_msg_value_ok. */
int http_msg_header(buf *b, str name, str value);
int http_msg_header_u64(buf *b, str name, uint64_t v);
/* Decimal digits of v into out (no NUL); returns how many (1..20). Shared
 * by the writers of numbers into heads and event streams (sse.c). */
#define HTTP_MSG_U64_MAX 20
size_t http_msg_u64(char out[HTTP_MSG_U64_MAX], uint64_t v);
/* The empty line that ends a head: "\r\n". */
int http_msg_end(buf *b);

/* Chunked framing. A chunk of n > 0 bytes is "<hex n>\r\n" data "\r\n"; the
 * body ends with "0\r\n\r\n" (no trailers). */
#define HTTP_MSG_CHUNK_HEAD_MAX 19 /* 16 hex digits + CRLF + NUL */
/* Write "<hex n>\r\n" (NUL-terminated) into out and return its length, for
 * scatter writes (head, data from elsewhere, "\r\n"). n == 0 writes "0\r\n". */
size_t http_msg_chunk_head(char out[HTTP_MSG_CHUNK_HEAD_MAX], uint64_t n);
/* Append one whole chunk; n == 0 appends nothing (it would end the body). */
int http_msg_chunk(buf *b, const void *data, size_t n);
int http_msg_chunk_end(buf *b);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") of a Unix time the caller
 * read from its clock. Writes HTTP_MSG_DATE_LEN chars and a NUL; returns 0,
 * or ERR_RANGE outside years 1970..9999. */
#define HTTP_MSG_DATE_LEN 29
int http_msg_date(char out[HTTP_MSG_DATE_LEN + 1], int64_t unix_secs);

#endif
