/* http_client.h — the upstream HTTP/1.1 client (layer L3). One client per
 * worker loop; the gateway calls upstream providers through it and never sees
 * a socket. Everything is non-blocking and runs on the loop's thread:
 * DNS through net/dns (off-loop), non-blocking connect trying each resolved
 * address in order, the outbound policy (net/netpolicy) checked on the very
 * addresses connected to, TLS through tls/tls (SNI = URL host), HTTP proxies
 * (http/http_proxy: CONNECT tunnel for https, absolute-form for http), a
 * keep-alive pool, timeouts, backpressure and cancellation.
 *
 * A request:
 *
 *   http_client_spec s = {
 *       .method = STR_LIT("POST"), .url = STR_LIT("https://api.openai.com/v1/chat/completions"),
 *       .headers = h, .nheaders = n, .body = json,
 *       .cb = { on_head, on_data, on_done }, .ud = stream,
 *   };
 *   http_client_req *r;
 *   char e[256];
 *   if (http_client_request(cl, &s, &r, e, sizeof e) < 0) -> fail now with e (no callback);
 *   later, on the loop: on_head once, on_data 0..n times, on_done exactly once;
 *   http_client_pause(r) / http_client_resume(r) while the downstream is slow;
 *   http_client_cancel(r) when the downstream went away (no callback after it).
 *
 * Response delivery: on_head(status, headers) once for the final response
 * (1xx interim responses are skipped; 101 is an error), then the body as it
 * arrives, decoded: Content-Length, chunked (de-chunked, trailers dropped) or
 * close-delimited; HEAD, 204, 304 have none. Then on_done(0, "").
 * Truncation (the connection ends before the announced length or the last
 * chunk) is an error: on_done(HTTP_CLIENT_E_TRUNCATED, reason) after the
 * bytes that did arrive, so a stream can end with an error event.
 *
 * Retry rule (once, invisible to the caller, on a new connection): when the
 * connection failed by closing/resetting (or a send error) before ANY byte of
 * the response arrived, and either the connection was a reused keep-alive
 * one (the stale keep-alive race: the server closed it as we sent) or the
 * request is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE, or
 * spec.idempotent). Timeouts, DNS, connect, TLS and policy failures, and
 * anything after the first response byte, are never retried here (the
 * gateway's own retry policy, governance.md, decides those).
 *
 * Pool: idle keep-alive connections per (scheme, host, port, route) where
 * route is direct, "absolute-form through the http proxy" or "CONNECT tunnel
 * through the https proxy" (the proxy settings are per client, so the route
 * names the proxy). Reuse is most-recent-first; an idle connection is watched
 * (readable or hung up while idle = closed) and probed again right before
 * reuse. At most pool_per_origin idle connections are kept per key (the
 * oldest is closed), each for at most pool_idle_ms. Active connections are
 * not capped here.
 *
 * Outbound policy (config.md [security]): the URL is checked first
 * (netpolicy_check_url: scheme, allowlist); then, when the host is a name
 * under deny_private, every address it resolves to is checked and the
 * client connects only to those addresses (no second resolution, so DNS
 * rebinding between check and connect is impossible). A literal IP in the URL
 * is the operator's choice and passes. Through a proxy the destination name
 * is resolved and checked locally before the CONNECT (only when the policy
 * checks addresses); the proxy's own address is exempt.
 *
 * Memory: connection objects (with their read buffer) and request objects
 * (with their head buffer) are recycled through free lists, and the origins
 * the policy accepted are remembered (the verdict depends on the origin
 * only): no malloc per request in the steady state. The head and the body go
 * out in one writev on plain sockets.
 *
 * Threading: a client and its requests belong to the loop's thread. */
#ifndef HTTP_HTTP_CLIENT_H
#define HTTP_HTTP_CLIENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "base/str.h"
#include "http/http_parse.h"
#include "http/http_proxy.h"
#include "net/dns.h"
#include "net/loop.h"
#include "net/netpolicy.h"
#include "tls/tls.h"

/* ---- errors ------------------------------------------------------------------- */

/* The result codes of this module (0 = success). Each has a name
 * (http_client_err_name) and maps to a project err_t class
 * (http_client_err_class); on_done also gets a worded reason. */
typedef enum http_client_err {
	HTTP_CLIENT_OK = 0,
	HTTP_CLIENT_E_INVAL = -100,       /* bad URL, method or header (synchronous only) */
	HTTP_CLIENT_E_NOMEM = -101,
	HTTP_CLIENT_E_UNSUPPORTED = -102, /* https without a TLS context */
	HTTP_CLIENT_E_FORBIDDEN = -103,   /* outbound policy refused the URL or an address */
	HTTP_CLIENT_E_DNS = -104,         /* the name does not resolve */
	HTTP_CLIENT_E_CONNECT = -105,     /* connect failed (refused, unreachable ...) on every address */
	HTTP_CLIENT_E_CONNECT_TIMEOUT = -106, /* connection (DNS + TCP + proxy + TLS) not ready within connect_ms */
	HTTP_CLIENT_E_TLS = -107,         /* TLS handshake or record failure (reason from tls) */
	HTTP_CLIENT_E_PROXY = -108,       /* the proxy refused or broke the CONNECT */
	HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT = -109, /* no response byte within first_byte_ms */
	HTTP_CLIENT_E_IDLE_TIMEOUT = -110,/* response stalled for idle_ms */
	HTTP_CLIENT_E_TIMEOUT = -111,     /* the whole request exceeded total_ms */
	HTTP_CLIENT_E_MALFORMED = -112,   /* response does not parse (head, chunk framing, 101 ...) */
	HTTP_CLIENT_E_HEAD_TOO_LARGE = -113, /* response head over head_bytes / header_count */
	HTTP_CLIENT_E_RESET = -114,       /* closed or reset before the response head was complete */
	HTTP_CLIENT_E_TRUNCATED = -115,   /* closed or reset in the middle of the body */
	HTTP_CLIENT_E_IO = -116,          /* other socket error */
} http_client_err;

/* "dns", "connect_refused"-style short name, static, never NULL. */
const char *http_client_err_name(int code);
/* err_t class: ERR_DNS, ERR_IO, ERR_TIMEOUT, ERR_TLS, ERR_FORBIDDEN, ERR_INVAL,
 * ERR_TOOBIG, ERR_CLOSED, ERR_NOMEM, ERR_UNSUPPORTED; 0 for HTTP_CLIENT_OK. */
int http_client_err_class(int code);
/* Transport failures the gateway retries (governance.md: connect, TLS, DNS,
 * reset, timeout, proxy): true for E_DNS, E_CONNECT, E_CONNECT_TIMEOUT, E_TLS,
 * E_PROXY, E_*TIMEOUT, E_RESET, E_TRUNCATED, E_IO, E_MALFORMED. */
bool http_client_err_transient(int code);

/* ---- URLs ---------------------------------------------------------------------- */

/* An absolute http(s) URL, strictly parsed: "http[s]://host[:port][/path][?query][#frag]".
 * Refused: other schemes, userinfo ("user@"), backslashes, spaces, control or
 * non-ASCII bytes (percent-encode them), port 0 or > 65535, hosts that are
 * neither a plain name nor a strict IP literal (http_proxy_host_canon). */
typedef struct http_client_url {
	bool https;
	char host[NETPOLICY_HOST_MAX];  /* canonical: lower-case name, "1.2.3.4" or "[2001:db8::1]" */
	bool host_is_ip;
	uint16_t port;                  /* explicit, else 80 / 443 */
	bool port_explicit;
	str target;                     /* path and query as written, without the fragment; points into the
	                                   input; may be empty or start with '?' (the request line then
	                                   gets a leading '/') */
} http_client_url;

/* 0 or HTTP_CLIENT_E_INVAL with err: "invalid URL '<url>': <reason>" (the
 * query string is left out of the message: it may carry an API key). */
int http_client_url_parse(str url, http_client_url *u, char *err, size_t errlen);

/* ---- the client ------------------------------------------------------------------ */

typedef struct http_client http_client;
typedef struct http_client_req http_client_req;

/* Zero fields take the defaults in brackets. */
typedef struct http_client_config {
	size_t head_bytes;          /* response head cap [LIMIT_UPSTREAM_HEADER_BYTES] */
	size_t header_count;        /* response header lines [LIMIT_HTTP_HEADERS] */
	size_t read_bytes;          /* read buffer per connection, body delivery chunk [LIMIT_HTTP_CONN_BUF] */
	size_t pool_per_origin;     /* idle connections kept per pool key [LIMIT_POOL_PER_ORIGIN] */
	uint32_t pool_idle_ms;      /* idle connection lifetime [LIMIT_POOL_IDLE_MS] */
	uint32_t connect_ms;        /* default per-request timeouts (see http_client_timeouts) */
	uint32_t first_byte_ms;     /*   [LIMIT_CONNECT_TIMEOUT_MS, none, none, */
	uint32_t idle_ms;           /*    LIMIT_UPSTREAM_TIMEOUT_S s] */
	uint32_t total_ms;
	size_t free_conns;          /* closed connection objects kept for reuse [64] */
} http_client_config;

/* Create a client on loop l. Borrowed, must outlive the client: d (the shared
 * resolver), tls (NULL: https URLs fail with E_UNSUPPORTED), policy (NULL =
 * "off"), proxy (NULL = direct). cfg may be NULL. 0 or HTTP_CLIENT_E_NOMEM /
 * HTTP_CLIENT_E_INVAL (l or d NULL). Call on l's thread. */
int http_client_new(http_client **out, loop *l, dns *d, tls_client_ctx *tls,
                    const netpolicy *policy, const http_proxy *proxy,
                    const http_client_config *cfg);
/* Cancel every pending request (no callbacks), close every connection, free.
 * Never from inside a callback of this client. NULL-safe. */
void http_client_free(http_client *c);
/* Close the idle pooled connections (e.g. after a configuration reload). */
void http_client_close_idle(http_client *c);

typedef struct http_client_stats {
	uint64_t requests;          /* http_client_request calls that started */
	uint64_t connects;          /* new connections established (TCP, + TLS/tunnel) */
	uint64_t reused;            /* requests sent on a pooled connection */
	uint64_t stale;             /* pooled connections found closed (while idle or at reuse) */
	uint64_t retries;           /* requests retried once on a fresh connection */
	uint64_t failed;            /* on_done with an error */
	size_t active;              /* requests in flight */
	size_t idle;                /* pooled connections now */
} http_client_stats;
void http_client_get_stats(const http_client *c, http_client_stats *out);

/* ---- a request --------------------------------------------------------------------- */

/* Per-request timeouts in ms; 0 takes the client's default (http_client_config).
 *  connect:    from the start until the connection is ready to carry the request:
 *              DNS, TCP connect (each address gets a share of what is left, at
 *              least 2 s when there is that much), proxy CONNECT, TLS handshake;
 *              a pooled connection is ready at once;
 *  first_byte: from the first byte sent until the first response byte (also
 *              bounds a stalled upload);
 *  idle:       between two reads of the response once it started (paused time
 *              does not count);
 *  total:      the whole request, connect to last byte. */
typedef struct http_client_timeouts {
	uint32_t connect_ms, first_byte_ms, idle_ms, total_ms;
} http_client_timeouts;

/* The final response head, valid only during on_head (the strs point into
 * the connection's read buffer). */
typedef struct http_client_resp {
	int status;                 /* 200..599 (never 1xx) */
	int minor;                  /* HTTP/1.<minor> */
	str reason;
	const http_header *headers;
	size_t nheaders;
	int64_t content_length;     /* -1 when not given (chunked or close-delimited) */
	bool chunked;
} http_client_resp;

/* Callbacks, on the loop's thread, never from inside http_client_request.
 * on_head and on_data may call http_client_pause/resume/cancel on r (after
 * cancel, nothing more is called) and may start other requests. on_done is
 * called exactly once unless the request was cancelled; r is invalid once it
 * returns. on_head and on_data are optional (NULL: ignored). */
typedef struct http_client_cbs {
	void (*on_head)(http_client_req *r, const http_client_resp *resp, void *ud);
	/* The next bytes of the (decoded) body; p is valid only during the call. */
	void (*on_data)(http_client_req *r, const char *p, size_t n, void *ud);
	/* err: 0 or an http_client_err; reason: "" on success, else one line
	 * naming the destination (scheme://host:port, never the path or query). */
	void (*on_done)(http_client_req *r, int err, const char *reason, void *ud);
} http_client_cbs;

typedef struct http_client_spec {
	str method;                 /* a token; empty = "GET" */
	str url;                    /* absolute http:// or https:// URL (copied) */
	const http_header *headers; /* extra request headers (copied into the head). The client writes
	                               Host (unless given here) and Content-Length; giving
	                               Content-Length or Transfer-Encoding is E_INVAL;
	                               "Connection: close" makes the connection single-use. */
	size_t nheaders;
	str body;                   /* request body, or: */
	const struct iovec *body_iov; /* a body in pieces (not both); the memory of body / body_iov
	                               must stay valid until on_done returns or the request is
	                               cancelled (a retry sends it again) */
	int body_iovcnt;
	http_client_timeouts timeouts;
	bool idempotent;            /* retry like an idempotent method (e.g. POST with an idempotency key) */
	http_client_cbs cb;         /* on_done required */
	void *ud;
} http_client_spec;

/* Start a request. Returns 0 with *out set (callbacks follow, later), or a
 * negative http_client_err with err filled and no callback ever:
 *   E_INVAL (URL, method, header, body), E_FORBIDDEN (netpolicy_check_url:
 *   "outbound request to <origin> forbidden: <reason>"), E_UNSUPPORTED
 *   (https without TLS), E_NOMEM.
 * out may be NULL when the caller never cancels. */
int http_client_request(http_client *c, const http_client_spec *s, http_client_req **out,
                        char *err, size_t errlen);

/* Stop delivering on_data (and stop reading the socket) until resume. The
 * idle timeout does not run while paused; the total one does. No-op after
 * cancel. */
void http_client_pause(http_client_req *r);
/* Resume delivery; buffered bytes are delivered from the loop (never inside
 * this call). */
void http_client_resume(http_client_req *r);
/* Abandon the request: no callback will run afterwards. A connection that
 * was in the middle of the exchange is closed; one that carried nothing yet
 * goes back to the pool. Safe from inside on_head/on_data of r. Not to be
 * called after on_done started. */
void http_client_cancel(http_client_req *r);
/* Whether r is being sent on a reused keep-alive connection. */
bool http_client_req_reused(const http_client_req *r);

#endif
