/* http_server.h — the HTTP/1.1 server (layer L3): N worker threads (net/worker),
 * each with its own SO_REUSEPORT listener and epoll loop, and per connection
 * a non-blocking state machine. The upper layers (REST proxy, MCP over HTTP)
 * see requests and a response API; they never touch a socket.
 *
 * What the server does by itself:
 *  - strict parsing (http/http_parse): every malformed head gets its mapped
 *    status (400/414/431/501/505) with a short text/plain body and
 *    "Connection: close"; the rest of the input is never read as a request;
 *  - keep-alive, pipelining (a request is handed over only after the
 *    previous one has been answered; the bytes that came early are kept),
 *    HTTP/1.0 clients (keep-alive only when asked for);
 *  - request bodies with Content-Length or chunked coding, buffered whole up
 *    to body_bytes (413 beyond it, sent at once without reading the body,
 *    then close); "Expect: 100-continue" is answered with "100 Continue"
 *    only once the head passed the checks;
 *  - timeouts: header_timeout_ms for a head (and between reads of a body) ->
 *    408 and close (a connection that sent nothing is closed silently);
 *    idle_timeout_ms between keep-alive requests -> silent close;
 *    write_timeout_ms without output progress -> close; request_timeout_ms
 *    until the response head -> the request's on_timeout hook, else 504;
 *  - max_conns per worker: a connection over the cap gets a 503 and is closed;
 *  - "Date" (cached per worker, refreshed once per second) and "Server" on
 *    every response; HEAD responses without a body;
 *  - graceful drain (net/worker): idle keep-alive connections are closed at
 *    once, busy ones answer with "Connection: close" and close after it.
 *
 * Memory: an idle keep-alive connection holds only its small connection
 * object; the read buffer (LIMIT_HTTP_CONN_BUF, grown only up to header_bytes),
 * the header array, the request arena and the output buffer form a request
 * context that a connection borrows from a per-worker free list while it has
 * bytes or a request in flight. Steady state: no malloc per request.
 *
 * I/O: sockets are edge-triggered (read until a short read, as nginx does);
 * output is queued and written once per pass of the state machine, so a
 * keep-alive request costs one read() and one write(), and pipelined
 * responses go out together (up to the high-water mark). A response that is
 * refused or ends the connection is followed by a lingering close (write
 * side shut, input discarded for HTTP_SERVER_LINGER_MS) so the client reads
 * the answer instead of a reset.
 *
 * Threading: everything about a request happens on the thread of the worker
 * that accepted its connection. Handler callbacks run there, and every
 * http_req_* / http_resp* call for a request must be made there (from the
 * callback itself or later from the same loop: http_req_loop()).
 *
 * Usage (sketch):
 *   static void on_req(http_request *r, void *ud) {
 *       if (str_eq_cstr(r->path, "/health")) {
 *           http_respond(r, 200, NULL, 0, "ok", 2);      // answered now
 *           return;
 *       }
 *       job *j = start_upstream_call(r);                 // answered later, from this loop
 *       http_req_set_hooks(r, &job_hooks, j);            // on_abort cancels the call
 *   }
 *   http_server_config cfg = { .host = "0.0.0.0", .port = 4000, .signals = true };
 *   http_handler h = { .on_request = on_req };
 *   http_server_new(&s, &cfg, &h);
 *   rc = http_server_run(s, err, sizeof err);            // until SIGTERM: drained
 *   http_server_free(s); */
#ifndef HTTP_HTTP_SERVER_H
#define HTTP_HTTP_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/str.h"
#include "http/http_parse.h"
#include "net/loop.h"
#include "net/sock.h"
#include "net/worker.h"

/* Defaults of the caps that base/limits.h does not name. */
#define HTTP_SERVER_WRITE_TIMEOUT_MS 60000      /* no output progress for this long -> close */
#define HTTP_SERVER_OUT_HIGH_WATER   (64u << 10)/* http_resp_write() says "full" above this */
#define HTTP_SERVER_LINGER_MS        2000       /* after an error response: discard input this long */
#define HTTP_SERVER_NAME             "liter-llm"

typedef struct http_server http_server;

/* The request as the handler sees it. Every field is read-only for the
 * handler and valid until the request ends (see "Lifetime" below). The strs
 * point into the connection's buffers. */
typedef struct http_request {
	http_method method;
	str method_name;        /* as sent (case-sensitive token) */
	str target;             /* raw request-target */
	str path;               /* before '?', still percent-encoded */
	str path_decoded;       /* percent-decoded path (== path when it has no '%');
	                           a bad escape or %00 is answered with 400 by the server */
	str query;              /* after the first '?' (without it); .p == NULL when absent */
	int minor;              /* HTTP/1.<minor>: 0 or 1 */
	const http_header *headers;
	size_t nheaders;
	str host;               /* Host value ("" when absent: HTTP/1.0) */
	str body;               /* the whole request body (dechunked); .n == 0 when none.
	                           Not NUL-terminated. */
	bool keep_alive;        /* the client asked to keep the connection */
	const sock_addr *peer;  /* the client's address */
	arena *arena;           /* per-request scratch memory, released when the request ends
	                           (capped by arena_cap) */
} http_request;

/* The application. on_request is required; the rest is optional. All run on
 * the worker's thread. */
typedef struct http_handler {
	/* A whole request (head and body) arrived. The handler must end it
	 * exactly once: http_respond(), or http_resp_begin() ... http_resp_end(),
	 * now or later from this worker's loop. */
	void (*on_request)(http_request *r, void *ud);
	/* Per-worker set-up (before the worker accepts), e.g. a client pool for
	 * the upstream calls of this worker. *wud is stored and handed back
	 * (http_req_worker_ud). A negative err_t fails http_server_start. */
	int (*worker_start)(worker *w, void *ud, void **wud);
	/* The drain started on this worker (finish or end long-lived streams). */
	void (*worker_drain)(worker *w, void *ud, void *wud);
	/* The worker's loop stopped; every request has ended (requests the
	 * handler still held without an on_abort hook are gone too). Release wud. */
	void (*worker_stop)(worker *w, void *ud, void *wud);
	void *ud;
} http_handler;

/* Zero fields take the defaults in brackets. */
typedef struct http_server_config {
	const char *host;              /* bind address, see workers_config ["0.0.0.0"] */
	uint16_t port;                 /* 0 = ephemeral (http_server_local_addr) */
	int threads;                   /* worker threads [CPU count] */
	int backlog;                   /* [SOMAXCONN] */
	bool signals;                  /* SIGTERM/SIGINT start the drain (cli.md "Shutdown") */
	int drain_ms;                  /* hard drain deadline [LIMIT_DRAIN_S s] */
	size_t header_bytes;           /* request line + headers [LIMIT_HTTP_HEADER_BYTES] -> 431 */
	size_t header_count;           /* header fields [LIMIT_HTTP_HEADERS] -> 431 */
	size_t uri_bytes;              /* request-target [LIMIT_HTTP_URI_BYTES] -> 414 */
	size_t body_bytes;             /* request body [LIMIT_HTTP_BODY_BYTES] -> 413 */
	uint32_t header_timeout_ms;    /* [LIMIT_HTTP_HEADER_TIMEOUT_MS] -> 408 */
	uint32_t idle_timeout_ms;      /* keep-alive [LIMIT_HTTP_IDLE_TIMEOUT_MS] */
	uint32_t write_timeout_ms;     /* [HTTP_SERVER_WRITE_TIMEOUT_MS] */
	uint32_t request_timeout_ms;   /* until the response head; 0 = none [none] */
	size_t max_conns;              /* per worker [LIMIT_HTTP_MAX_CONNS] */
	size_t out_high_water;         /* [HTTP_SERVER_OUT_HIGH_WATER] */
	size_t arena_cap;              /* per-request arena [max(8 * body_bytes, 16 MiB)] */
	const char *server_name;       /* "Server" header value [HTTP_SERVER_NAME] */
} http_server_config;

/* --- server lifecycle (thread that owns the server) ---------------------- */

/* Copy cfg (strings included) and h. 0, ERR_INVAL (no on_request, a bad
 * server_name) or ERR_NOMEM. Nothing is bound yet. */
int http_server_new(http_server **out, const http_server_config *cfg, const http_handler *h);
/* Bind every worker's listener and start the threads (workers_start): returns
 * once all are accepting. err gets "failed to bind <addr>: <os error>" etc.
 * 0 or a negative err_t (nothing runs then). At most once per server. */
int http_server_start(http_server *s, char *err, size_t errlen);
/* Block until the server has drained or aborted (after http_server_shutdown,
 * http_server_abort or a signal). WORKERS_DRAINED, WORKERS_ABORTED or < 0. */
int http_server_wait(http_server *s);
/* start + wait. */
int http_server_run(http_server *s, char *err, size_t errlen);
/* Start the graceful drain / abort at once. Any thread; idempotent. */
void http_server_shutdown(http_server *s);
void http_server_abort(http_server *s);
/* The bound address (with the actual port); empty before start. */
void http_server_local_addr(const http_server *s, sock_addr *a);
/* After http_server_wait (or a failed start). NULL-safe. */
void http_server_free(http_server *s);

/* Counters summed over the workers (any thread; approximate while running). */
typedef struct http_server_stats {
	uint64_t accepted;        /* connections taken */
	uint64_t refused;         /* connections over max_conns (503) */
	uint64_t requests;        /* heads parsed successfully */
	uint64_t responses;       /* responses ended (any status, server-made included) */
	uint64_t errors;          /* responses made by the server for bad input / timeouts */
	uint64_t aborted;         /* requests whose connection went away before the end */
	uint64_t conn_allocs;     /* connection objects malloc'd (pool misses) */
	uint64_t ctx_allocs;      /* request contexts malloc'd (pool misses) */
	uint64_t conns;           /* open connections now */
} http_server_stats;
void http_server_stats_get(const http_server *s, http_server_stats *st);

/* --- requests (worker thread) ------------------------------------------------
 *
 * Lifetime: r is valid from on_request until (a) http_respond() or
 * http_resp_end() returns (whatever they return), or (b) hooks->on_abort(r)
 * returns, or (c) hooks->on_timeout(r) returns without having started a
 * response (the server then answers 504). Exactly one of these ends it. A
 * connection that goes away while the handler holds r is reported through
 * on_abort, never from inside an http_* call the handler makes: such a call
 * returns ERR_CLOSED and on_abort follows on a later loop iteration (unless
 * the handler ends r first with http_respond/http_resp_end). */

typedef struct http_req_hooks {
	/* The client went away, a write timed out or the server aborted, before
	 * the response ended: cancel the work, forget r. Without this hook r
	 * stays allocated (its calls return ERR_CLOSED) until the handler ends it
	 * with http_respond() or http_resp_end(); a handler that keeps r past
	 * on_request should set it. Do not call http_* on r from inside it. */
	void (*on_abort)(http_request *r, void *ud);
	/* After http_resp_write() returned HTTP_RESP_FULL: the output fell below
	 * half the high-water mark; produce more. */
	void (*on_drain)(http_request *r, void *ud);
	/* The request timeout passed before a response head was sent. The handler
	 * cancels its work and normally answers now (e.g. 504 with its own body);
	 * if it does not, the server answers 504 and r ends. */
	void (*on_timeout)(http_request *r, void *ud);
} http_req_hooks;

/* Register hooks for r (the struct must outlive r; ud is handed back). */
void http_req_set_hooks(http_request *r, const http_req_hooks *hooks, void *ud);
/* Replace the request timeout (ms from now; 0 = none) for r, e.g. long-lived
 * streams. Only meaningful before the response head is sent. */
void http_req_set_timeout(http_request *r, uint64_t ms);
/* The worker's loop (for the handler's timers and upstream sockets), the
 * worker, and what worker_start stored. */
loop *http_req_loop(const http_request *r);
worker *http_req_worker(const http_request *r);
void *http_req_worker_ud(const http_request *r);
/* Value of the first header called name (ASCII case-insensitive), or
 * STR_NULL (.p == NULL) when absent. */
str http_req_header(const http_request *r, const char *name);

/* Response headers from the handler: names must be tokens, values must pass
 * http_msg_value_ok; Content-Length, Transfer-Encoding and Connection are the
 * server's (ERR_INVAL). The server adds Date, Server, Content-Length or
 * Transfer-Encoding, and Connection when needed. */

/* A complete response with Content-Length (no body for HEAD requests, nor
 * for 204 and 304). status 200..599. The bytes are copied (or written) before
 * the call returns. Ends r. 0, or: ERR_INVAL (bad status or header: the
 * server answers 500 instead), ERR_CLOSED (client gone), ERR_STATE (a
 * response was already begun), ERR_NOMEM (the server closes the connection). */
int http_respond(http_request *r, int status, const http_header *hdrs, size_t nhdrs,
                 const void *body, size_t len);

/* Streaming: the head now, the body in pieces. Chunked transfer coding for
 * HTTP/1.1, close-delimited for HTTP/1.0. The head is flushed at once (SSE
 * clients see the headers before the first event). Returns 0, ERR_INVAL (bad
 * status/header: the server answered 500 and r has ENDED), ERR_CLOSED (the
 * client is gone: on_abort follows), ERR_STATE, ERR_NOMEM (the connection is
 * closed and r has ended). */
int http_resp_begin(http_request *r, int status, const http_header *hdrs, size_t nhdrs);
/* Queue len bytes of body (len 0 is a no-op; nothing is written for HEAD).
 * Returns 0, or HTTP_RESP_FULL when the queued output is above the high-water
 * mark: stop producing (stop reading the upstream) until on_drain. Errors:
 * ERR_CLOSED (client gone: on_abort follows; or call http_resp_end), ERR_STATE
 * (no stream begun), ERR_TOOBIG (the handler ignored FULL and queued more than
 * 16 x the high-water mark: the connection is closed, on_abort follows). */
int http_resp_write(http_request *r, const void *data, size_t len);
#define HTTP_RESP_FULL 1
/* End the stream (last chunk). Ends r. 0, ERR_CLOSED or ERR_STATE. */
int http_resp_end(http_request *r);

#endif
