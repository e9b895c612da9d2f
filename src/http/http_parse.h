/* http_parse.h — strict, zero-copy, incremental HTTP/1.1 codecs (pure: no I/O,
 * no clock, no globals). Request and response head parsers in the style of
 * picohttpparser, a chunked body decoder, and small URL/header helpers.
 *
 * Zero-copy: every str in the output points into the caller's input buffer
 * and is valid only while those bytes stay where they are (do not buf_consume
 * or realloc the read buffer until you are done with the head).
 *
 * Strictness (RFC 9112 / 9110, OpenBSD httpd spirit):
 *  - exactly one SP between request-line parts; methods and header names are
 *    tokens; no whitespace between a header name and ':'; obs-fold rejected;
 *    header values may contain HTAB, SP, VCHAR and obs-text (0x80-0xFF) only;
 *    the request-target is visible ASCII (0x21-0x7E) except '#' and '\'.
 *  - Line endings: CRLF, or a bare LF (RFC 9112 §2.2 allows a recipient to
 *    accept LF; nginx and picohttpparser do). A CR not followed by LF is an
 *    error everywhere. Empty lines before the start line are skipped
 *    (RFC 9112 §2.2). Chunked framing lines are stricter: CRLF only (bare LF
 *    in chunk lines is a known request-smuggling differential).
 *  - Framing per RFC 9112 §6.3: Content-Length is 1*DIGIT (or a list of
 *    identical values), <= INT64_MAX; repeated fields must agree. A request
 *    with both Content-Length and Transfer-Encoding is rejected; so is
 *    Transfer-Encoding in HTTP/1.0 or without "chunked" as the final coding.
 *    Codings other than chunked get 501. HTTP/1.1 requests need exactly one
 *    Host. HTTP/1.x with x > 1 is handled as 1.1; other majors get 505. */
#ifndef HTTP_HTTP_PARSE_H
#define HTTP_HTTP_PARSE_H
#include "base/str.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum http_method {
	HTTP_METHOD_OTHER = 0, /* a valid token we do not know: see method_name */
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_POST,
	HTTP_METHOD_PUT,
	HTTP_METHOD_DELETE,
	HTTP_METHOD_OPTIONS,
	HTTP_METHOD_PATCH,
	HTTP_METHOD_CONNECT,
	HTTP_METHOD_TRACE,
} http_method;

/* Why a parse failed. The function result says the class (ERR_INVAL,
 * ERR_TOOBIG, ERR_UNSUPPORTED); this says exactly what, and maps to a status
 * with http_parse_error_status(). */
typedef enum http_perr {
	HTTP_PERR_NONE = 0,
	HTTP_PERR_METHOD,            /* 400 method is not a token / missing */
	HTTP_PERR_TARGET,            /* 400 bad request-target (chars or form) */
	HTTP_PERR_VERSION,           /* 400 malformed HTTP-version */
	HTTP_PERR_VERSION_UNSUPPORTED, /* 505 HTTP major version other than 1 */
	HTTP_PERR_STATUS,            /* 400 response: bad status code or reason */
	HTTP_PERR_LINE_END,          /* 400 bare CR, or junk where a line must end */
	HTTP_PERR_HEADER_NAME,       /* 400 header name not a token, empty, or no ':' */
	HTTP_PERR_HEADER_SPACE,      /* 400 whitespace between header name and ':' */
	HTTP_PERR_HEADER_VALUE,      /* 400 NUL/CTL/DEL in a header value */
	HTTP_PERR_OBS_FOLD,          /* 400 line starting with SP/HTAB (obs-fold) */
	HTTP_PERR_TOO_MANY_HEADERS,  /* 431 more header lines than the array holds */
	HTTP_PERR_HEAD_TOO_LARGE,    /* 431 head does not end within max_head bytes */
	HTTP_PERR_URI_TOO_LONG,      /* 414 request-target longer than max_uri */
	HTTP_PERR_CONTENT_LENGTH,    /* 400 Content-Length not digits / overflow */
	HTTP_PERR_CONTENT_LENGTH_DUP,/* 400 Content-Length values differ */
	HTTP_PERR_CL_AND_TE,         /* 400 request has Content-Length and Transfer-Encoding */
	HTTP_PERR_TE_INVALID,        /* 400 Transfer-Encoding malformed, chunked not final, or chunked twice */
	HTTP_PERR_TE_HTTP10,         /* 400 Transfer-Encoding in an HTTP/1.0 request */
	HTTP_PERR_TE_UNSUPPORTED,    /* 501 a coding other than chunked (e.g. gzip, chunked) */
	HTTP_PERR_HOST_MISSING,      /* 400 HTTP/1.1 request without Host */
	HTTP_PERR_HOST_DUP,          /* 400 more than one Host */
	HTTP_PERR_HOST_INVALID,      /* 400 Host value has characters outside uri-host[:port] */
	HTTP_PERR_CHUNK_SIZE,        /* 400 chunk size not hex / missing */
	HTTP_PERR_CHUNK_OVERFLOW,    /* 400 chunk size > INT64_MAX */
	HTTP_PERR_CHUNK_LINE_TOO_LONG, /* 400 chunk-size line (with extensions) over LIMIT_HTTP_CHUNK_LINE_BYTES */
	HTTP_PERR_CHUNK_CRLF,        /* 400 missing/bare CRLF around chunk data or size line */
	HTTP_PERR_TRAILER,           /* 400 malformed trailer field */
	HTTP_PERR_TRAILER_TOO_LARGE, /* 431 trailer section over max_trailer */
	HTTP_PERR__COUNT
} http_perr;

/* The status a server answers for a parse error (400, 414, 431, 501, 505);
 * 0 for HTTP_PERR_NONE. */
int http_parse_error_status(http_perr e);
/* Static English description of e (never NULL). */
const char *http_parse_error_str(http_perr e);

typedef struct http_header {
	str name;  /* token, as sent (compare case-insensitively) */
	str value; /* leading and trailing SP/HTAB removed; may be empty */
} http_header;

/* Caps for one head. A NULL pointer or a 0 field means the default. */
typedef struct http_limits {
	size_t max_head; /* start line + fields + empty line; default LIMIT_HTTP_HEADER_BYTES
	                  * (requests) / LIMIT_UPSTREAM_HEADER_BYTES (responses) -> 431 */
	size_t max_uri;  /* request-target bytes; default LIMIT_HTTP_URI_BYTES -> 414 */
} http_limits;

typedef enum http_target_form {
	HTTP_TARGET_ORIGIN = 0, /* "/path?query" */
	HTTP_TARGET_ABSOLUTE,   /* "http://host/path?query" (authority set) */
	HTTP_TARGET_AUTHORITY,  /* "host:port", CONNECT only (authority set) */
	HTTP_TARGET_ASTERISK,   /* "*", OPTIONS only */
} http_target_form;

typedef struct http_req {
	http_method method;
	str method_name;      /* the method token as sent (methods are case-sensitive) */
	str target;           /* the raw request-target */
	http_target_form form;
	str authority;        /* absolute- and authority-form only, else empty */
	str path;             /* before '?', still percent-encoded; for absolute-form
	                       * without a path this is a static "/"; empty for
	                       * authority- and asterisk-form */
	str query;            /* after the first '?' (without it); .p == NULL when there is no '?' */
	int minor;            /* HTTP/1.<minor>: 0 or 1 */
	http_header *headers; /* == the caller's array */
	size_t nheaders;
	str host;             /* Host value (empty when absent: see has_host) */
	bool has_host;
	bool has_content_length;
	uint64_t content_length; /* valid when has_content_length; <= INT64_MAX */
	bool chunked;         /* Transfer-Encoding: chunked */
	bool keep_alive;      /* 1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
	bool expect_continue; /* "Expect: 100-continue" on HTTP/1.1 */
	bool upgrade;         /* Connection lists "upgrade" */
	http_perr err;        /* detail when the result is an error, else NONE */
} http_req;

typedef struct http_resp {
	int minor;
	int status;           /* 100..599 */
	str reason;           /* may be empty */
	http_header *headers;
	size_t nheaders;
	bool has_content_length;
	uint64_t content_length;
	bool chunked;         /* when both chunked and Content-Length came, chunked
	                       * wins, has_content_length is false, keep_alive false */
	bool keep_alive;
	bool upgrade;
	http_perr err;
} http_resp;

/* Parse a request head from buf[0..len), the bytes received so far.
 * hdrs/max_hdrs: caller-sized header array (req->headers points to it).
 * last_len: the len of the previous call for this same head that returned
 * ERR_AGAIN, or 0. It lets the parser answer ERR_AGAIN without rescanning
 * when no end of head arrived (the head is then validated once it is whole).
 * Returns:
 *   > 0              bytes of the head (incl. skipped leading empty lines and
 *                    the final empty line); the body/next request starts there
 *   ERR_AGAIN        need more bytes (never a wrong success on a prefix)
 *   ERR_INVAL        malformed (400; req->err says what)
 *   ERR_TOOBIG       head > max_head or too many headers (431), target > max_uri (414)
 *   ERR_UNSUPPORTED  transfer coding (501) or HTTP version (505)
 * *req is fully set on success; on other results only req->err is meaningful.
 * Lengths above INT_MAX are clamped (max_head is at most INT_MAX). */
int http_parse_request(const char *buf, size_t len, size_t last_len, const http_limits *lim,
                       http_header *hdrs, size_t max_hdrs, http_req *req);

/* Same contract for a response head ("HTTP/1.1 200 OK"). A 1xx response is
 * returned like any other: the caller consumes it and parses again.
 * Transfer codings other than chunked give ERR_UNSUPPORTED (a client maps
 * every error to 502). lim->max_uri is unused. */
int http_parse_response(const char *buf, size_t len, size_t last_len, const http_limits *lim,
                        http_header *hdrs, size_t max_hdrs, http_resp *resp);

/* How the body after a head is delimited. */
typedef enum http_body {
	HTTP_BODY_NONE = 0,
	HTTP_BODY_LENGTH,  /* exactly content_length bytes */
	HTTP_BODY_CHUNKED, /* use http_chunked */
	HTTP_BODY_EOF,     /* response only: until the server closes (keep_alive is moot) */
} http_body;

http_body http_parse_req_body(const http_req *r);
/* req_method: the method of the request this answers (HEAD, and 2xx to
 * CONNECT, have no body; neither have 1xx, 204, 304). */
http_body http_parse_resp_body(const http_resp *r, http_method req_method);

/* Static name of a known method ("GET" ...), "" for HTTP_METHOD_OTHER. */
const char *http_parse_method_str(http_method m);

/* ---- chunked transfer coding ---------------------------------------------
 * Incremental decoder. A zero-initialised http_chunked is ready to use; set
 * max_trailer before the first call to change the trailer cap. Extensions are
 * validated (no CTLs), bounded by LIMIT_HTTP_CHUNK_LINE_BYTES and ignored;
 * trailer fields are validated, bounded by max_trailer and skipped. */
typedef struct http_chunked {
	size_t max_trailer; /* trailer section bytes; 0 = LIMIT_HTTP_HEADER_BYTES */
	uint64_t total;     /* data bytes decoded so far (read-only) */
	http_perr err;      /* detail after an error (read-only) */
	/* private */
	int state;
	int rc;
	uint64_t left;
	size_t line;
	size_t trailer;
} http_chunked;

/* Decode src[0..srclen) and write the chunk data to dst (capacity dstcap).
 * dst may be NULL (dstcap ignored): data is counted and dropped (draining).
 * dst may equal src for in-place decoding (output never passes input).
 * Always sets *consumed (input bytes used) and *produced (bytes written).
 * Returns:
 *   0          done: the last chunk and trailers are complete; src bytes
 *              after *consumed (a pipelined message) are untouched.
 *   ERR_AGAIN  not done: either all of src was consumed, or dst is full
 *              (*consumed < srclen: drain dst and call again with the rest)
 *   ERR_INVAL / ERR_TOOBIG  malformed / trailer too large (c->err says what);
 *              the error is sticky.
 * After 0, further calls return 0 and consume nothing. */
int http_parse_chunked(http_chunked *c, const char *src, size_t srclen, size_t *consumed,
                       char *dst, size_t dstcap, size_t *produced);

/* ---- helpers ---------------------------------------------------------------- */

/* First header named name (ASCII case-insensitive), or NULL. */
const http_header *http_parse_header_find(const http_header *h, size_t n, str name);

/* Whether a comma-separated field value (e.g. Connection) lists token,
 * ASCII case-insensitively, ignoring OWS and ";params". */
bool http_parse_list_has(str value, str token);

enum {
	HTTP_PCT_PLUS = 1,      /* '+' decodes to ' ' (query strings, forms) */
	HTTP_PCT_ALLOW_NUL = 2, /* accept "%00" (rejected by default) */
};
/* Percent-decode in into out[0..cap). out may equal in.p (in place: the
 * output is never longer than the input). Returns 0 and sets *outlen, or
 * ERR_INVAL ('%' not followed by two hex digits, or %00 without
 * HTTP_PCT_ALLOW_NUL) or ERR_TOOBIG (cap too small). No NUL is appended. */
int http_parse_pct_decode(str in, char *out, size_t cap, unsigned flags, size_t *outlen);

/* Find the first parameter called name in query ("a=1&b=&c", without '?';
 * names compared byte for byte, not decoded). *value gets the raw value
 * (still encoded; "" for "c" and "b="). Returns 0 or ERR_NOTFOUND. */
int http_parse_query_get(str query, str name, str *value);

#endif
