/* http_server.c — HTTP/1.1 server: per-worker connection state machines on
 * the worker's epoll loop (edge-triggered, read until a short read), request
 * contexts borrowed from a per-worker free list, lazy per-connection timers,
 * coalesced output (one write per loop pass). Contract: http_server.h. */
#include "http/http_server.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "http/http_msg.h"

#define HS_SCRATCH      (16u << 10)   /* per-worker discard buffer (lingering close) */
#define HS_DIRECT_MIN   (16u << 10)   /* body pieces this big are written without a copy when possible */
#define HS_CTX_SPARE    64            /* request contexts kept per worker */
#define HS_ARENA_CHUNK  (16u << 10)   /* request arena chunk: a gateway call (~6 KB) and the
                                       * request's own data fit the one chunk kept across
                                       * requests, so a keep-alive request mallocs none */
#define HS_CONN_SPARE   4096          /* connection objects kept per worker */
#define HS_OUT_KEEP     (256u << 10)  /* output buffer memory kept in a pooled context */
#define HS_BODY_KEEP    (64u << 10)   /* body buffer memory kept in a pooled context */
#define HS_LINGER_TOTAL_MS 5000       /* lingering close never lasts longer */
#define HS_LINGER_READS 16            /* discard reads per wake-up */

typedef struct hs_worker hs_worker;
typedef struct hs_conn hs_conn;

/* --- per-worker counters (one writer: the worker; any reader) ------------- */
typedef struct hs_stats {
	_Alignas(64) _Atomic uint64_t accepted;
	_Atomic uint64_t refused, requests, responses, errors, aborted;
	_Atomic uint64_t conn_allocs, ctx_allocs, conns;
} hs_stats;

static inline void st_add(_Atomic uint64_t *x, int64_t d)
{
	atomic_store_explicit(x, atomic_load_explicit(x, memory_order_relaxed) + (uint64_t)d,
	                      memory_order_relaxed);
}

struct http_server {
	http_server_config cfg;      /* defaults applied; host/server_name point below */
	char *host;
	char *server_name;
	size_t server_name_len;
	http_limits lim;
	http_handler h;
	workers *ws;
	hs_stats *stats;
	size_t nstats;
	bool started;
};

/* --- request context (borrowed by a busy connection) ------------------------ */

typedef struct hs_req {
	http_request pub;
	hs_conn *c;
	const http_req_hooks *hooks;
	void *hooks_ud;
	bool head_only;      /* HEAD request */
	bool resp_begun;     /* head queued */
	bool stream;         /* http_resp_begin was used */
	bool chunked_out;    /* chunked framing on the output */
	bool no_body;        /* nothing may follow the head (HEAD, 204, 304) */
	bool want_drain;     /* http_resp_write said FULL: call on_drain when below half */
} hs_req;

enum { BODY_NONE, BODY_RBUF, BODY_BUF, BODY_CHUNKED };

typedef struct hs_ctx {
	struct hs_ctx *next_free;
	hs_req q;
	http_req preq;       /* parser output (strs into rbuf) */
	char *rbuf;
	size_t rcap;         /* rbuf size */
	size_t rstart;       /* current request head starts here */
	size_t rlen;         /* bytes in rbuf */
	size_t rnext;        /* where the next request starts (valid once the body is complete) */
	size_t parse_last;   /* last_len for http_parse_request */
	size_t bstart;       /* body start in rbuf */
	int body_mode;
	uint64_t clen;
	http_chunked chunk;
	buf body;            /* body that did not fit rbuf, or dechunked */
	buf out;             /* queued output */
	size_t out_off;      /* bytes of out already written */
	arena arena;
	http_header hdrs[];  /* header_count */
} hs_ctx;

/* --- connection ---------------------------------------------------------------- */

enum conn_state {
	CS_HEAD,     /* waiting for / reading a request head */
	CS_BODY,     /* reading a request body */
	CS_REQ,      /* the handler has the request */
	CS_DONE,     /* response ended; output may be pending; then the next request */
	CS_CLOSING,  /* last output pending; then lingering close */
	CS_LINGER,   /* write side shut: discarding input until EOF or timeout */
	CS_DEAD
};

enum rd_kind {
	RD_NONE,
	RD_HEADER,   /* head must complete: 408 if bytes came, silent close otherwise */
	RD_IDLE,     /* keep-alive: silent close */
	RD_BODY,     /* next body bytes: 408 */
	RD_LINGER    /* close */
};

struct hs_conn {
	hs_worker *hw;
	hs_conn *prev, *next;     /* hw->conns, or the free list (next) */
	hs_ctx *ctx;
	int fd;
	uint8_t state;
	uint8_t rd_kind;
	bool rd_ready, wr_ready;  /* edge-triggered readiness we have not used up */
	bool hup;                 /* the loop reported a hang-up: read until EOF */
	bool eof;                 /* read returned end of stream or an error */
	bool dead;
	bool holds;               /* the handler holds the request */
	bool orphan;              /* ... but it has been taken away (client gone / server answered) */
	bool close_after;         /* the connection ends after the current response */
	bool req_counted;         /* counted in worker_reqs */
	uint16_t run_depth;       /* conn_run frames on the stack */
	uint16_t depth;           /* any frames on the stack that use the conn */
	loop_timer timer;
	uint64_t t_due;           /* due time of the armed timer, 0 = not armed */
	uint64_t rd_deadline;
	uint64_t wr_deadline;
	uint64_t req_deadline;
	uint64_t linger_end;
	sock_addr peer;
};

struct hs_worker {
	http_server *srv;
	worker *w;
	loop *l;
	void *wud;
	hs_stats *st;
	hs_conn *conns;
	hs_conn *free_conns;
	size_t nfree_conns;
	hs_ctx *free_ctx;
	size_t nfree_ctx;
	size_t nconns;
	bool draining;
	bool stopping;
	uint64_t date_at;
	int64_t date_sec;
	char date[HTTP_MSG_DATE_LEN + 1];
	char scratch[HS_SCRATCH];
};

static void conn_run(hs_conn *c, bool timer);
static void conn_kill(hs_conn *c);
static void conn_maybe_free(hs_conn *c);
static void srv_respond(hs_conn *c, int status, const char *detail, bool close);

/* --- small helpers ------------------------------------------------------------- */

static inline size_t out_pending(const hs_ctx *x) { return x ? x->out.len - x->out_off : 0; }

static inline uint64_t now_ms(const hs_conn *c) { return loop_now(c->hw->l); }

static const http_server_config *cfg_of(const hs_conn *c) { return &c->hw->srv->cfg; }

/* Make sure the timer fires no later than the earliest deadline. Deadlines
 * that move later cost nothing: the timer fires early, finds nothing due and
 * re-arms (conn_on_timer). */
static void conn_timer_sync(hs_conn *c)
{
	uint64_t want = 0;
	uint64_t d[3] = { c->rd_deadline, c->wr_deadline, c->req_deadline };
	for (int i = 0; i < 3; i++)
		if (d[i] && (!want || d[i] < want))
			want = d[i];
	if (!want)
		return;
	if (c->t_due && c->t_due <= want)
		return;
	uint64_t now = now_ms(c);
	if (loop_timer_start(c->hw->l, &c->timer, want > now ? want - now : 0) == 0)
		c->t_due = want;
}

/* Run the connection on the next loop iteration (after an asynchronous
 * response, or to deliver on_abort). */
static void conn_kick(hs_conn *c)
{
	uint64_t now = now_ms(c);
	if (c->t_due && c->t_due <= now)
		return;
	if (loop_timer_start(c->hw->l, &c->timer, 0) == 0)
		c->t_due = now ? now : 1;
}

static void set_rd(hs_conn *c, int kind, uint64_t ms)
{
	c->rd_kind = (uint8_t)kind;
	c->rd_deadline = kind == RD_NONE ? 0 : now_ms(c) + (ms ? ms : 1);
}

static void hs_date(hs_worker *hw)
{
	uint64_t now = loop_now(hw->l);
	if (now == hw->date_at && hw->date[0])
		return;
	hw->date_at = now;
	int64_t s = clock_wall_s();
	if (s != hw->date_sec || !hw->date[0]) {
		if (http_msg_date(hw->date, s) != 0)
			memcpy(hw->date, "Thu, 01 Jan 1970 00:00:00 GMT", HTTP_MSG_DATE_LEN + 1);
		hw->date_sec = s;
	}
}

/* --- context pool -------------------------------------------------------------- */

static hs_ctx *ctx_get(hs_worker *hw)
{
	hs_ctx *x = hw->free_ctx;
	if (x) {
		hw->free_ctx = x->next_free;
		hw->nfree_ctx--;
		x->next_free = NULL;
		return x;
	}
	const http_server_config *cfg = &hw->srv->cfg;
	x = calloc(1, sizeof *x + cfg->header_count * sizeof(http_header));
	if (!x)
		return NULL;
	x->rcap = LIMIT_HTTP_CONN_BUF;
	x->rbuf = malloc(x->rcap);
	if (!x->rbuf) {
		free(x);
		return NULL;
	}
	buf_init(&x->body, cfg->body_bytes + 1);
	buf_init(&x->out, SIZE_MAX / 4);
	arena_init(&x->arena, HS_ARENA_CHUNK, cfg->arena_cap);
	st_add(&hw->st->ctx_allocs, 1);
	return x;
}

static void ctx_free(hs_ctx *x)
{
	if (!x)
		return;
	free(x->rbuf);
	buf_free(&x->body);
	buf_free(&x->out);
	arena_free(&x->arena);
	free(x);
}

static void ctx_reset_req(hs_ctx *x)
{
	arena_reset(&x->arena);
	if (x->body.size > HS_BODY_KEEP)
		buf_free(&x->body);
	else
		buf_reset(&x->body);
	memset(&x->q, 0, sizeof x->q);
	memset(&x->chunk, 0, sizeof x->chunk);
	x->parse_last = 0;
	x->body_mode = BODY_NONE;
	x->clen = 0;
}

static void ctx_put(hs_worker *hw, hs_ctx *x)
{
	ctx_reset_req(x);
	x->rstart = x->rlen = x->rnext = x->bstart = 0;
	x->out_off = 0;
	if (x->out.size > HS_OUT_KEEP)
		buf_free(&x->out);
	else
		buf_reset(&x->out);
	if (hw->nfree_ctx >= HS_CTX_SPARE || hw->stopping) {
		ctx_free(x);
		return;
	}
	if (x->rcap > LIMIT_HTTP_CONN_BUF) {
		char *p = realloc(x->rbuf, LIMIT_HTTP_CONN_BUF);
		if (p) {
			x->rbuf = p;
			x->rcap = LIMIT_HTTP_CONN_BUF;
		}
	}
	x->next_free = hw->free_ctx;
	hw->free_ctx = x;
	hw->nfree_ctx++;
}

static hs_ctx *conn_ctx(hs_conn *c)
{
	if (!c->ctx) {
		c->ctx = ctx_get(c->hw);
		if (c->ctx)
			c->ctx->q.c = c;
	}
	return c->ctx;
}

/* Give the context back when the connection holds nothing in it. */
static void conn_ctx_release(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	if (!x || c->holds || x->rlen != x->rstart || out_pending(x))
		return;
	c->ctx = NULL;
	ctx_put(c->hw, x);
}

/* --- output ------------------------------------------------------------------ */

static void conn_wrote_partial(hs_conn *c)
{
	c->wr_ready = false;
	c->wr_deadline = now_ms(c) + cfg_of(c)->write_timeout_ms;
}

/* Write queued output. 1 = all out, 0 = some left (wait for writability),
 * -1 = the connection died. */
static int conn_flush(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	size_t pend = out_pending(x);
	if (!pend)
		return 1;
	if (!c->wr_ready || c->dead)
		return 0;
	ssize_t n = sock_write(c->fd, x->out.data + x->out_off, pend);
	if (n < 0) {
		if (n == ERR_AGAIN) {
			conn_wrote_partial(c);
			return 0;
		}
		conn_kill(c);
		return -1;
	}
	if ((size_t)n == pend) {
		x->out.len = 0;
		x->out_off = 0;
		if (x->out.data)
			x->out.data[0] = '\0';
		c->wr_deadline = 0;
		return 1;
	}
	x->out_off += (size_t)n;
	conn_wrote_partial(c);
	return 0;
}

/* Queue iov[0..n) (total bytes) behind the pending output. Big pieces go out
 * at once with one writev when the socket is writable; what is not taken is
 * copied. 0, ERR_CLOSED (the connection died) or ERR_NOMEM. */
static int conn_send(hs_conn *c, const struct iovec *iov, int n, size_t total)
{
	hs_ctx *x = c->ctx;
	size_t skip = 0;
	if (total >= HS_DIRECT_MIN && c->wr_ready) {
		struct iovec v[8];
		int k = 0;
		size_t pend = out_pending(x);
		if (pend)
			v[k++] = (struct iovec){ x->out.data + x->out_off, pend };
		for (int i = 0; i < n && k < 8; i++)
			if (iov[i].iov_len)
				v[k++] = iov[i];
		ssize_t w = sock_writev(c->fd, v, k);
		if (w < 0 && w != ERR_AGAIN) {
			conn_kill(c);
			return ERR_CLOSED;
		}
		size_t ww = w < 0 ? 0 : (size_t)w;
		if (ww < pend + total)
			conn_wrote_partial(c);
		else
			c->wr_deadline = 0;
		if (ww >= pend) {
			x->out.len = 0;
			x->out_off = 0;
			skip = ww - pend;
		} else {
			x->out_off += ww;
		}
	}
	if (x->out_off && x->out_off == x->out.len) {
		x->out.len = 0;
		x->out_off = 0;
	}
	if (skip == total)
		return 0;
	/* compact before growing */
	if (x->out_off && x->out.len + total - skip > x->out.size) {
		memmove(x->out.data, x->out.data + x->out_off, x->out.len - x->out_off);
		x->out.len -= x->out_off;
		x->out_off = 0;
	}
	if (buf_reserve(&x->out, total - skip) != 0)
		return ERR_NOMEM;
	for (int i = 0; i < n; i++) {
		size_t len = iov[i].iov_len;
		const char *p = iov[i].iov_base;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		p += skip;
		len -= skip;
		skip = 0;
		memcpy(x->out.data + x->out.len, p, len);
		x->out.len += len;
	}
	x->out.data[x->out.len] = '\0';
	return 0;
}

static int out_append(hs_conn *c, const void *p, size_t n)
{
	struct iovec v = { (void *)(uintptr_t)p, n };
	return conn_send(c, &v, 1, n);
}

/* --- response heads ------------------------------------------------------------ */

enum { MODE_LENGTH, MODE_CHUNKED, MODE_CLOSE_DELIM, MODE_NONE };

static bool name_is(str n, const char *lit, size_t len)
{
	return n.n == len && str_eq_nocase(n, (str){ lit, len });
}

static bool hdr_reserved(str n)
{
	return name_is(n, "content-length", 14) || name_is(n, "transfer-encoding", 17) ||
	       name_is(n, "connection", 10);
}

static inline char *put(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}
#define PUT_LIT(p, s) put((p), (s), sizeof(s) - 1)

/* Queue a response head. mode says the framing; clen the Content-Length
 * (MODE_LENGTH). Decides keep-alive (sets c->close_after). 0, ERR_INVAL
 * (status or a header) or ERR_NOMEM; nothing is queued on error. */
static int head_queue(hs_conn *c, int status, const http_header *h, size_t nh, int mode,
                      uint64_t clen)
{
	hs_ctx *x = c->ctx;
	hs_req *q = &x->q;
	hs_worker *hw = c->hw;
	http_server *s = hw->srv;
	if (status < 200 || status > 599)
		return ERR_INVAL;
	const char *reason = http_msg_reason(status);
	size_t rlen = strlen(reason);
	size_t need = 64 + rlen + s->server_name_len + HTTP_MSG_DATE_LEN + 64;
	for (size_t i = 0; i < nh; i++) {
		if (!http_msg_token_ok(h[i].name) || !http_msg_value_ok(h[i].value) || hdr_reserved(h[i].name))
			return ERR_INVAL;
		need += h[i].name.n + h[i].value.n + 4;
	}
	bool no_body = status == 204 || status == 304;
	if (no_body)
		mode = MODE_NONE;
	if (mode == MODE_CLOSE_DELIM)
		c->close_after = true;
	if (!q->pub.keep_alive || hw->draining || c->eof)
		c->close_after = true;
	/* a request whose body we did not read leaves the connection undefined */
	if (c->state == CS_HEAD || c->state == CS_BODY)
		c->close_after = true;
	if (c->close_after && mode == MODE_CHUNKED && q->pub.minor == 0)
		mode = MODE_CLOSE_DELIM;
	int rc = buf_reserve(&x->out, need);
	if (rc)
		return rc;
	hs_date(hw);
	char *p0 = x->out.data + x->out.len, *p = p0;
	p = PUT_LIT(p, "HTTP/1.1 ");
	p += http_msg_u64(p, (uint64_t)status);   /* 3 digits: 200..599 */
	*p++ = ' ';
	p = put(p, reason, rlen);
	p = PUT_LIT(p, "\r\nServer: ");
	p = put(p, s->server_name, s->server_name_len);
	p = PUT_LIT(p, "\r\nDate: ");
	p = put(p, hw->date, HTTP_MSG_DATE_LEN);
	p = PUT_LIT(p, "\r\n");
	if (mode == MODE_LENGTH) {
		p = PUT_LIT(p, "Content-Length: ");
		p += http_msg_u64(p, clen);
		p = PUT_LIT(p, "\r\n");
	} else if (mode == MODE_CHUNKED) {
		p = PUT_LIT(p, "Transfer-Encoding: chunked\r\n");
	}
	if (c->close_after)
		p = PUT_LIT(p, "Connection: close\r\n");
	else if (q->pub.minor == 0)
		p = PUT_LIT(p, "Connection: keep-alive\r\n");
	for (size_t i = 0; i < nh; i++) {
		p = put(p, h[i].name.p, h[i].name.n);
		*p++ = ':';
		*p++ = ' ';
		p = put(p, h[i].value.p, h[i].value.n);
		*p++ = '\r';
		*p++ = '\n';
	}
	*p++ = '\r';
	*p++ = '\n';
	x->out.len += (size_t)(p - p0);
	x->out.data[x->out.len] = '\0';
	q->resp_begun = true;
	q->no_body = no_body || q->head_only;
	q->chunked_out = mode == MODE_CHUNKED;
	return 0;
}

/* --- request accounting -------------------------------------------------------- */

static void req_count_begin(hs_conn *c)
{
	c->req_counted = true;
	worker_reqs_add(c->hw->w, 1);
	st_add(&c->hw->st->requests, 1);
}

static void req_count_end(hs_conn *c)
{
	if (!c->req_counted)
		return;
	c->req_counted = false;
	worker_reqs_add(c->hw->w, -1);
}

/* The response is complete (queued): the handler no longer holds the request. */
static void req_end(hs_conn *c)
{
	c->holds = false;
	c->orphan = false;
	c->req_deadline = 0;
	req_count_end(c);
	st_add(&c->hw->st->responses, 1);
	if (c->state != CS_CLOSING && c->state != CS_LINGER && c->state != CS_DEAD)
		c->state = c->close_after ? CS_CLOSING : CS_DONE;
}

/* A response the server makes by itself (errors, 100-less refusals, timeouts).
 * close: the connection ends after it. The request (if any) is over. */
static void srv_respond(hs_conn *c, int status, const char *detail, bool close)
{
	if (c->dead)
		return;
	hs_ctx *x = conn_ctx(c);
	if (!x) {
		conn_kill(c);
		return;
	}
	if (close)
		c->close_after = true;
	char body[160];
	const char *reason = http_msg_reason(status);
	int bn = detail && *detail ? snprintf(body, sizeof body, "%s: %s\n", reason, detail)
	                           : snprintf(body, sizeof body, "%s\n", reason);
	size_t blen = bn < 0 ? 0 : (size_t)bn >= sizeof body ? sizeof body - 1 : (size_t)bn;
	static const http_header ct[] = { { STR_LIT("Content-Type"), STR_LIT("text/plain; charset=utf-8") } };
	x->q.resp_begun = false;
	if (head_queue(c, status, ct, 1, MODE_LENGTH, blen) != 0) {
		conn_kill(c);
		return;
	}
	if (!x->q.no_body && out_append(c, body, blen) != 0) {
		conn_kill(c);
		return;
	}
	if (status >= 400 && status != 503)   /* 503: a refusal (max_conns), counted apart */
		st_add(&c->hw->st->errors, 1);
	req_end(c);
}

/* A parse or protocol error before the handler saw the request: answer and close. */
static void srv_fail(hs_conn *c, int status, const char *detail)
{
	srv_respond(c, status, detail, true);
}

/* --- connection lifetime ------------------------------------------------------- */

static void conn_list_add(hs_worker *hw, hs_conn *c)
{
	c->prev = NULL;
	c->next = hw->conns;
	if (hw->conns)
		hw->conns->prev = c;
	hw->conns = c;
}

static void conn_list_del(hs_worker *hw, hs_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		hw->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
}

/* Close the socket now. A request the handler holds is orphaned; on_abort is
 * delivered from the timer (never inside a handler's call). */
static void conn_kill(hs_conn *c)
{
	if (c->dead)
		return;
	hs_worker *hw = c->hw;
	c->dead = true;
	c->state = CS_DEAD;
	if (c->fd >= 0) {
		loop_fd_del(hw->l, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	hw->nconns--;
	worker_conns_add(hw->w, -1);
	st_add(&hw->st->conns, -1);
	req_count_end(c);
	c->rd_deadline = c->wr_deadline = c->req_deadline = 0;
	if (c->holds) {
		if (!c->orphan)
			st_add(&hw->st->aborted, 1);
		c->orphan = true;
		if (!hw->stopping)
			conn_kick(c);
	}
}

static void conn_free(hs_conn *c)
{
	hs_worker *hw = c->hw;
	loop_timer_stop(hw->l, &c->timer);
	c->t_due = 0;
	if (c->ctx) {
		hs_ctx *x = c->ctx;
		c->ctx = NULL;
		ctx_put(hw, x);
	}
	conn_list_del(hw, c);
	if (hw->nfree_conns >= HS_CONN_SPARE || hw->stopping) {
		free(c);
		return;
	}
	c->next = hw->free_conns;
	hw->free_conns = c;
	hw->nfree_conns++;
}

static void conn_maybe_free(hs_conn *c)
{
	if (c->dead && c->depth == 0 && !c->holds)
		conn_free(c);
}

/* Deliver on_abort for an orphaned request (top level only). */
static void conn_deliver_abort(hs_conn *c)
{
	if (!c->holds || !c->orphan)
		return;
	hs_req *q = &c->ctx->q;
	if (q->hooks && q->hooks->on_abort) {
		c->holds = false;
		c->orphan = false;
		q->hooks->on_abort(&q->pub, q->hooks_ud);
	}
	/* without on_abort the request stays allocated until the handler ends it */
}

/* --- reading --------------------------------------------------------------------- */

/* > 0 bytes; 0 = nothing now (not ready, would block, no room); < 0 = end of
 * stream or error (c->eof set).
 *
 * Edge-triggered: a short read emptied the socket, and whatever comes later
 * (bytes, the end of stream, an error) makes a new edge, so rd_ready stays
 * false until conn_on_event. The one thing that makes no new edge is an end
 * of stream that arrived together with the last bytes: the loop registers
 * EPOLLRDHUP and reports it as LOOP_HUP in that same event (c->hup), and
 * then we read on to the end. No extra read() to check a short read. */
static ssize_t conn_read(hs_conn *c, char *dst, size_t n)
{
	if (!c->rd_ready || n == 0 || c->dead)
		return 0;
	ssize_t r = sock_read(c->fd, dst, n);
	if (r > 0) {
		if ((size_t)r < n && !c->hup)
			c->rd_ready = false;
		return r;
	}
	c->rd_ready = false;
	if (r == ERR_AGAIN)
		return 0;
	c->eof = true;
	return r == 0 ? ERR_CLOSED : r;
}

/* --- dispatch ------------------------------------------------------------------ */

static void conn_dispatch(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	hs_req *q = &x->q;
	hs_worker *hw = c->hw;
	const http_server_config *cfg = &hw->srv->cfg;
	switch (x->body_mode) {
	case BODY_RBUF:
		q->pub.body = (str){ x->rbuf + x->bstart, (size_t)x->clen };
		break;
	case BODY_BUF:
	case BODY_CHUNKED:
		q->pub.body = (str){ x->body.data ? x->body.data : "", x->body.len };
		break;
	default:
		q->pub.body = (str){ "", 0 };
		break;
	}
	c->state = CS_REQ;
	c->holds = true;
	c->orphan = false;
	set_rd(c, RD_NONE, 0);
	c->req_deadline = cfg->request_timeout_ms ? now_ms(c) + cfg->request_timeout_ms : 0;
	conn_timer_sync(c);
	hw->srv->h.on_request(&q->pub, hw->srv->h.ud);
	/* a client that goes away while the handler holds r makes an edge
	 * (LOOP_HUP): step_req reads the end of stream then, no probe now */
}

/* The head is complete (hlen bytes at rstart). */
static void conn_on_head(hs_conn *c, size_t hlen)
{
	hs_ctx *x = c->ctx;
	hs_req *q = &x->q;
	const http_server_config *cfg = cfg_of(c);
	http_req *pr = &x->preq;

	req_count_begin(c);
	set_rd(c, RD_NONE, 0);
	memset(q, 0, sizeof *q);
	q->c = c;
	q->head_only = pr->method == HTTP_METHOD_HEAD;
	q->pub.method = pr->method;
	q->pub.method_name = pr->method_name;
	q->pub.target = pr->target;
	q->pub.path = pr->path;
	q->pub.path_decoded = pr->path;
	q->pub.query = pr->query;
	q->pub.minor = pr->minor;
	q->pub.headers = x->hdrs;
	q->pub.nheaders = pr->nheaders;
	q->pub.host = pr->has_host ? pr->host : (str){ "", 0 };
	q->pub.keep_alive = pr->keep_alive;
	q->pub.peer = &c->peer;
	q->pub.arena = &x->arena;
	q->pub.body = (str){ "", 0 };
	x->bstart = x->rstart + hlen;
	x->body_mode = BODY_NONE;

	if (pr->path.n && memchr(pr->path.p, '%', pr->path.n)) {
		char *d = arena_alloc(&x->arena, pr->path.n);
		size_t dn = 0;
		if (!d) {
			srv_fail(c, 500, "out of memory");
			return;
		}
		if (http_parse_pct_decode(pr->path, d, pr->path.n, 0, &dn) != 0) {
			srv_fail(c, 400, "invalid percent-encoding in path");
			return;
		}
		q->pub.path_decoded = (str){ d, dn };
	}

	http_body bm = http_parse_req_body(pr);
	if (bm == HTTP_BODY_LENGTH && pr->content_length == 0)
		bm = HTTP_BODY_NONE;
	if (bm == HTTP_BODY_NONE) {
		x->rnext = x->bstart;
		conn_dispatch(c);
		return;
	}
	if (bm == HTTP_BODY_LENGTH && pr->content_length > cfg->body_bytes) {
		srv_fail(c, 413, "request body too large");
		return;
	}
	if (pr->expect_continue && x->rlen == x->bstart) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		if (out_append(c, cont, sizeof cont - 1) != 0) {
			conn_kill(c);
			return;
		}
	}
	c->state = CS_BODY;
	set_rd(c, RD_BODY, cfg->header_timeout_ms);
	if (bm == HTTP_BODY_CHUNKED) {
		x->body_mode = BODY_CHUNKED;
		memset(&x->chunk, 0, sizeof x->chunk);
		x->chunk.max_trailer = cfg->header_bytes;
		return;
	}
	x->clen = pr->content_length;
	if (x->bstart + x->clen <= x->rcap) {
		x->body_mode = BODY_RBUF;
		x->rnext = x->bstart + (size_t)x->clen;
		return;
	}
	/* too big for the read buffer: into the body buffer, read there directly */
	x->body_mode = BODY_BUF;
	if (buf_reserve(&x->body, (size_t)x->clen) != 0) {
		srv_fail(c, 500, "out of memory");
		return;
	}
	size_t have = x->rlen - x->bstart;
	if (have > x->clen)
		have = (size_t)x->clen;
	memcpy(x->body.data, x->rbuf + x->bstart, have);
	x->body.len = have;
	x->body.data[have] = '\0';
	memmove(x->rbuf + x->bstart, x->rbuf + x->bstart + have, x->rlen - x->bstart - have);
	x->rlen -= have;
	x->rnext = x->bstart;
}

/* --- the state machine ---------------------------------------------------------- */

static bool step_head(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	http_server *s = c->hw->srv;
	if (!x) {
		if (!c->rd_ready)
			return false;
		if (!(x = conn_ctx(c))) {
			conn_kill(c);
			return false;
		}
	}
	size_t avail = x->rlen - x->rstart;
	if (avail && avail != x->parse_last) {
		int rc = http_parse_request(x->rbuf + x->rstart, avail, x->parse_last, &s->lim, x->hdrs,
		                            s->cfg.header_count, &x->preq);
		if (rc > 0) {
			x->parse_last = 0;
			conn_on_head(c, (size_t)rc);
			return true;
		}
		if (rc != ERR_AGAIN) {
			x->q.pub.keep_alive = false;
			x->q.pub.minor = 1;
			srv_fail(c, http_parse_error_status(x->preq.err), http_parse_error_str(x->preq.err));
			return true;
		}
		x->parse_last = avail;
	}
	if (x->rlen == x->rcap) {
		if (x->rstart > 0) {
			memmove(x->rbuf, x->rbuf + x->rstart, avail);
			x->rlen = avail;
			x->rstart = 0;
		} else if (x->rcap < s->cfg.header_bytes) {
			size_t ncap = x->rcap * 2 < s->cfg.header_bytes ? x->rcap * 2 : s->cfg.header_bytes;
			char *p = realloc(x->rbuf, ncap);
			if (!p) {
				conn_kill(c);
				return false;
			}
			x->rbuf = p;
			x->rcap = ncap;
		} else {
			srv_fail(c, 431, http_parse_error_str(HTTP_PERR_HEAD_TOO_LARGE));
			return true;
		}
	}
	ssize_t n = conn_read(c, x->rbuf + x->rlen, x->rcap - x->rlen);
	if (n > 0) {
		if (avail == 0 && c->rd_kind != RD_HEADER)
			set_rd(c, RD_HEADER, s->cfg.header_timeout_ms);
		x->rlen += (size_t)n;
		return true;
	}
	if (n == 0)
		return false;
	/* end of stream between requests or inside a head: nothing to answer */
	if (out_pending(x)) {
		c->close_after = true;
		c->state = CS_CLOSING;
		return true;
	}
	conn_kill(c);
	return false;
}

static bool step_body(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	const http_server_config *cfg = cfg_of(c);
	ssize_t n;
	switch (x->body_mode) {
	case BODY_RBUF:
		if (x->rlen >= x->rnext) {
			conn_dispatch(c);
			return true;
		}
		n = conn_read(c, x->rbuf + x->rlen, x->rcap - x->rlen);
		if (n > 0)
			x->rlen += (size_t)n;
		break;
	case BODY_BUF:
		if (x->body.len == x->clen) {
			conn_dispatch(c);
			return true;
		}
		n = conn_read(c, x->body.data + x->body.len, (size_t)x->clen - x->body.len);
		if (n > 0) {
			x->body.len += (size_t)n;
			x->body.data[x->body.len] = '\0';
		}
		break;
	default: { /* BODY_CHUNKED */
		size_t srclen = x->rlen - x->bstart;
		if (srclen) {
			size_t room = cfg->body_bytes + 1 - x->body.len;
			if (room > srclen)
				room = srclen;
			if (buf_reserve(&x->body, room) != 0) {
				srv_fail(c, 413, "request body too large");
				return true;
			}
			size_t consumed = 0, produced = 0;
			int rc = http_parse_chunked(&x->chunk, x->rbuf + x->bstart, srclen, &consumed,
			                            x->body.data + x->body.len, room, &produced);
			x->body.len += produced;
			x->body.data[x->body.len] = '\0';
			memmove(x->rbuf + x->bstart, x->rbuf + x->bstart + consumed, srclen - consumed);
			x->rlen -= consumed;
			if (x->body.len > cfg->body_bytes) {
				srv_fail(c, 413, "request body too large");
				return true;
			}
			if (rc == 0) {
				x->rnext = x->bstart;
				conn_dispatch(c);
				return true;
			}
			if (rc != ERR_AGAIN) {
				srv_fail(c, http_parse_error_status(x->chunk.err), http_parse_error_str(x->chunk.err));
				return true;
			}
			if (consumed || produced) {
				set_rd(c, RD_BODY, cfg->header_timeout_ms);
				return true;
			}
		}
		if (x->rlen == x->rcap) {   /* cannot happen with sane chunk lines; be safe */
			srv_fail(c, 400, http_parse_error_str(HTTP_PERR_CHUNK_LINE_TOO_LONG));
			return true;
		}
		n = conn_read(c, x->rbuf + x->rlen, x->rcap - x->rlen);
		if (n > 0)
			x->rlen += (size_t)n;
		break;
	}
	}
	if (n > 0) {
		set_rd(c, RD_BODY, cfg->header_timeout_ms);
		return true;
	}
	if (n < 0)
		conn_kill(c);   /* client gave up in the middle of its body */
	return false;
}

/* The handler has the request: watch the socket (keep early bytes of the
 * next request, notice a client that leaves) and call on_drain. */
static bool step_req(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	hs_req *q = &x->q;
	if (q->want_drain && !c->orphan && out_pending(x) <= c->hw->srv->cfg.out_high_water / 2) {
		q->want_drain = false;
		if (q->hooks && q->hooks->on_drain) {
			q->hooks->on_drain(&q->pub, q->hooks_ud);
			return true;
		}
	}
	ssize_t n = conn_read(c, x->rbuf + x->rlen, x->rcap - x->rlen);
	if (n > 0) {
		x->rlen += (size_t)n;
		return true;
	}
	if (n < 0) {
		conn_kill(c);   /* client gone: the handler hears it through on_abort */
		return false;
	}
	return false;
}

/* The response is queued; move on to the next request. */
static void conn_next(hs_conn *c)
{
	hs_ctx *x = c->ctx;
	const http_server_config *cfg = cfg_of(c);
	x->rstart = x->rnext;
	if (x->rstart >= x->rlen) {
		x->rstart = x->rlen = 0;
	} else if (x->rstart > 0) {
		memmove(x->rbuf, x->rbuf + x->rstart, x->rlen - x->rstart);
		x->rlen -= x->rstart;
		x->rstart = 0;
	}
	x->rnext = 0;
	ctx_reset_req(x);
	x->q.c = c;
	c->state = CS_HEAD;
	if (c->hw->draining && x->rlen == 0) {
		c->close_after = true;
		c->state = CS_CLOSING;
		return;
	}
	if (x->rlen)
		set_rd(c, RD_HEADER, cfg->header_timeout_ms);
	else
		set_rd(c, RD_IDLE, cfg->idle_timeout_ms);
}

static bool step_done(hs_conn *c)
{
	if (out_pending(c->ctx) > cfg_of(c)->out_high_water)
		return false;   /* let the client read first */
	conn_next(c);
	return true;
}

static bool step_closing(hs_conn *c)
{
	if (out_pending(c->ctx))
		return false;
	if (c->eof) {
		conn_kill(c);
		return false;
	}
	(void)sock_shutdown_write(c->fd);
	c->state = CS_LINGER;
	set_rd(c, RD_LINGER, HTTP_SERVER_LINGER_MS);
	c->linger_end = now_ms(c) + HS_LINGER_TOTAL_MS;
	c->rd_ready = true;
	conn_ctx_release(c);
	return true;
}

static bool step_linger(hs_conn *c)
{
	for (int i = 0; i < HS_LINGER_READS; i++) {
		if (i == HS_LINGER_READS - 1 && c->rd_ready) {
			conn_kick(c);   /* more to discard: go on next pass, let others run */
			break;
		}
		ssize_t n = conn_read(c, c->hw->scratch, sizeof c->hw->scratch);
		if (n == 0)
			break;
		if (n < 0) {
			conn_kill(c);
			return false;
		}
		uint64_t d = now_ms(c) + HTTP_SERVER_LINGER_MS;
		c->rd_deadline = d < c->linger_end ? d : c->linger_end;
	}
	return false;
}

/* Timeouts that are due. */
static void conn_timeouts(hs_conn *c)
{
	uint64_t now = now_ms(c);
	if (c->req_deadline && now >= c->req_deadline) {
		c->req_deadline = 0;
		hs_req *q = c->ctx ? &c->ctx->q : NULL;
		if (q && c->holds && !c->orphan && !q->resp_begun) {
			if (q->hooks && q->hooks->on_timeout) {
				q->hooks->on_timeout(&q->pub, q->hooks_ud);
				if (!c->dead && c->holds && !q->resp_begun) {
					c->holds = false;   /* r ended when on_timeout returned */
					srv_respond(c, 504, "request timeout", false);
				}
			} else if (q->hooks && q->hooks->on_abort) {
				c->holds = false;
				q->hooks->on_abort(&q->pub, q->hooks_ud);
				if (!c->dead)
					srv_respond(c, 504, "request timeout", false);
			} else {
				/* nobody to tell: answer, close, and keep r alive (orphaned)
				 * until the handler ends it */
				srv_respond(c, 504, "request timeout", true);
				c->holds = true;
				c->orphan = true;
			}
		}
	}
	if (c->dead)
		return;
	if (c->wr_deadline && now >= c->wr_deadline) {
		c->wr_deadline = 0;
		conn_kill(c);   /* the client does not read */
		return;
	}
	if (c->rd_deadline && now >= c->rd_deadline) {
		int kind = c->rd_kind;
		set_rd(c, RD_NONE, 0);
		switch (kind) {
		case RD_HEADER:
			if (c->ctx && c->ctx->rlen > c->ctx->rstart && c->state == CS_HEAD) {
				c->ctx->q.pub.keep_alive = false;
				c->ctx->q.pub.minor = 1;
				srv_fail(c, 408, "timeout reading the request head");
			} else if (c->state == CS_HEAD && !out_pending(c->ctx)) {
				conn_kill(c);
			}
			break;
		case RD_BODY:
			if (c->state == CS_BODY)
				srv_fail(c, 408, "timeout reading the request body");
			break;
		case RD_IDLE:
			if (c->state == CS_HEAD && !(c->ctx && c->ctx->rlen) && !out_pending(c->ctx))
				conn_kill(c);
			break;
		case RD_LINGER:
			conn_kill(c);
			break;
		default:
			break;
		}
	}
}

static bool conn_step(hs_conn *c)
{
	switch (c->state) {
	case CS_HEAD: return step_head(c);
	case CS_BODY: return step_body(c);
	case CS_REQ: return step_req(c);
	case CS_DONE: return step_done(c);
	case CS_CLOSING: return step_closing(c);
	case CS_LINGER: return step_linger(c);
	default: return false;
	}
}

/* Drive the connection until nothing more can happen without new events. */
static void conn_run(hs_conn *c, bool timer)
{
	c->depth++;
	c->run_depth++;
	if (timer && !c->dead)
		conn_timeouts(c);
	int guard = 0;
	while (!c->dead) {
		if (++guard > 256) {
			conn_kick(c);   /* a long pipeline: let other connections run, go on next pass */
			break;
		}
		if (conn_step(c))
			continue;
		if (c->dead)
			break;
		if (out_pending(c->ctx) && c->wr_ready) {
			int f = conn_flush(c);
			if (f > 0 || (f == 0 && c->wr_ready))
				continue;
		}
		break;
	}
	c->run_depth--;
	c->depth--;
	if (c->dead)
		return;
	if (c->state == CS_HEAD)
		conn_ctx_release(c);
	conn_timer_sync(c);
}

/* --- loop callbacks ----------------------------------------------------------- */

static void conn_on_event(loop *l, int fd, int events, void *ud)
{
	(void)l;
	(void)fd;
	hs_conn *c = ud;
	if (events & LOOP_READ)
		c->rd_ready = true;
	if (events & LOOP_WRITE)
		c->wr_ready = true;
	if (events & LOOP_HUP)
		c->rd_ready = c->hup = true;
	conn_run(c, false);
	conn_maybe_free(c);
}

static void conn_on_timer(loop *l, void *ud)
{
	(void)l;
	hs_conn *c = ud;
	c->t_due = 0;
	if (c->dead) {
		c->depth++;
		conn_deliver_abort(c);
		c->depth--;
		conn_maybe_free(c);
		return;
	}
	conn_run(c, true);
	if (c->dead && c->holds) {
		c->depth++;
		conn_deliver_abort(c);
		c->depth--;
	}
	conn_maybe_free(c);
}

/* --- worker hooks ----------------------------------------------------------------- */

static void hs_refuse(hs_worker *hw, int fd)
{
	static const char resp[] = "HTTP/1.1 503 Service Unavailable\r\n"
	                           "Content-Type: text/plain; charset=utf-8\r\n"
	                           "Content-Length: 20\r\nConnection: close\r\n\r\n"
	                           "Service Unavailable\n";
	(void)sock_read(fd, hw->scratch, sizeof hw->scratch);
	(void)sock_write(fd, resp, sizeof resp - 1);
	(void)sock_shutdown_write(fd);
	close(fd);
	st_add(&hw->st->refused, 1);
}

static void hs_accept(worker *w, int fd, const sock_addr *peer, void *ud)
{
	(void)ud;
	hs_worker *hw = worker_ud(w);
	if (!hw || hw->draining) {
		close(fd);
		return;
	}
	/* Over max_conns: a 503 through a connection object (it lingers briefly,
	 * so the client reads the answer instead of a reset), within a small
	 * extra allowance; beyond that a blunt write-and-close. */
	size_t max = hw->srv->cfg.max_conns;
	bool refuse = hw->nconns >= max;
	if (refuse && hw->nconns >= max + max / 8 + 8) {
		hs_refuse(hw, fd);
		return;
	}
	hs_conn *c = hw->free_conns;
	if (c) {
		hw->free_conns = c->next;
		hw->nfree_conns--;
	} else {
		c = malloc(sizeof *c);
		if (!c) {
			close(fd);
			return;
		}
		st_add(&hw->st->conn_allocs, 1);
	}
	memset(c, 0, sizeof *c);
	c->hw = hw;
	c->fd = fd;
	c->wr_ready = true;
	if (peer)
		c->peer = *peer;
	loop_timer_init(&c->timer, conn_on_timer, c);
	if (loop_fd_add(hw->l, fd, LOOP_READ | LOOP_WRITE | LOOP_EDGE, conn_on_event, c) != 0) {
		close(fd);
		c->next = hw->free_conns;
		hw->free_conns = c;
		hw->nfree_conns++;
		return;
	}
	conn_list_add(hw, c);
	hw->nconns++;
	worker_conns_add(w, 1);
	st_add(&hw->st->accepted, 1);
	st_add(&hw->st->conns, 1);
	c->state = CS_HEAD;
	set_rd(c, RD_HEADER, hw->srv->cfg.header_timeout_ms);
	if (refuse) {
		st_add(&hw->st->refused, 1);
		if (conn_ctx(c)) {
			c->ctx->q.pub.minor = 1;
			srv_fail(c, 503, "too many connections");
		} else {
			conn_kill(c);
		}
		conn_run(c, false);
		conn_maybe_free(c);
		return;
	}
	conn_timer_sync(c);
}

static int hs_start(worker *w, void *ud)
{
	http_server *s = ud;
	hs_worker *hw = calloc(1, sizeof *hw);
	if (!hw)
		return ERR_NOMEM;
	hw->srv = s;
	hw->w = w;
	hw->l = worker_loop(w);
	size_t i = worker_index(w);
	hw->st = &s->stats[i < s->nstats ? i : 0];
	worker_set_ud(w, hw);
	if (s->h.worker_start) {
		int rc = s->h.worker_start(w, s->h.ud, &hw->wud);
		if (rc < 0) {
			worker_set_ud(w, NULL);
			free(hw);
			return rc;
		}
	}
	return 0;
}

static void hs_drain(worker *w, void *ud)
{
	http_server *s = ud;
	hs_worker *hw = worker_ud(w);
	if (!hw)
		return;
	hw->draining = true;
	if (s->h.worker_drain)
		s->h.worker_drain(w, s->h.ud, hw->wud);
	hs_conn *c = hw->conns, *nx;
	for (; c; c = nx) {
		nx = c->next;
		if (c->dead || c->state != CS_HEAD)
			continue;
		hs_ctx *x = c->ctx;
		if (x && x->rlen > x->rstart)
			continue;   /* a request is arriving: answer it, then close */
		if (out_pending(x)) {
			c->close_after = true;
			c->state = CS_CLOSING;
			conn_kick(c);
			continue;
		}
		conn_kill(c);
		conn_maybe_free(c);
	}
}

/* Close everything now; tell the handler about requests it still holds. */
static void hs_close_all(hs_worker *hw)
{
	hs_conn *c;
	while ((c = hw->conns) != NULL) {
		c->depth++;
		bool holds = c->holds;
		conn_kill(c);
		if (holds)
			conn_deliver_abort(c);
		c->depth--;
		c->holds = false;   /* whatever the handler does now, the memory goes */
		conn_free(c);
	}
}

static void hs_abort(worker *w, void *ud)
{
	(void)ud;
	hs_worker *hw = worker_ud(w);
	if (!hw)
		return;
	hw->draining = true;
	hw->stopping = true;
	hs_close_all(hw);
}

static void hs_stop(worker *w, void *ud)
{
	http_server *s = ud;
	hs_worker *hw = worker_ud(w);
	if (!hw)
		return;
	hw->stopping = true;
	hs_close_all(hw);
	if (s->h.worker_stop)
		s->h.worker_stop(w, s->h.ud, hw->wud);
	while (hw->free_conns) {
		hs_conn *c = hw->free_conns;
		hw->free_conns = c->next;
		free(c);
	}
	while (hw->free_ctx) {
		hs_ctx *x = hw->free_ctx;
		hw->free_ctx = x->next_free;
		ctx_free(x);
	}
	worker_set_ud(w, NULL);
	free(hw);
}

/* --- server lifecycle ----------------------------------------------------------- */

static char *dup_cstr(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int http_server_new(http_server **out, const http_server_config *cfg, const http_handler *h)
{
	*out = NULL;
	if (!h || !h->on_request)
		return ERR_INVAL;
	http_server_config c = cfg ? *cfg : (http_server_config){ 0 };
	const char *name = c.server_name ? c.server_name : HTTP_SERVER_NAME;
	if (!*name || !http_msg_value_ok(str_from(name)))
		return ERR_INVAL;
	if (!c.header_bytes)
		c.header_bytes = LIMIT_HTTP_HEADER_BYTES;
	if (!c.header_count)
		c.header_count = LIMIT_HTTP_HEADERS;
	if (!c.uri_bytes)
		c.uri_bytes = LIMIT_HTTP_URI_BYTES;
	if (!c.body_bytes)
		c.body_bytes = LIMIT_HTTP_BODY_BYTES;
	if (c.body_bytes > SIZE_MAX / 16)
		c.body_bytes = SIZE_MAX / 16;
	if (!c.header_timeout_ms)
		c.header_timeout_ms = LIMIT_HTTP_HEADER_TIMEOUT_MS;
	if (!c.idle_timeout_ms)
		c.idle_timeout_ms = LIMIT_HTTP_IDLE_TIMEOUT_MS;
	if (!c.write_timeout_ms)
		c.write_timeout_ms = HTTP_SERVER_WRITE_TIMEOUT_MS;
	if (!c.max_conns)
		c.max_conns = LIMIT_HTTP_MAX_CONNS;
	if (!c.out_high_water)
		c.out_high_water = HTTP_SERVER_OUT_HIGH_WATER;
	if (!c.arena_cap)
		c.arena_cap = c.body_bytes * 8 > (16u << 20) ? c.body_bytes * 8 : (16u << 20);
	if (c.header_bytes < 64)
		c.header_bytes = 64;

	http_server *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->server_name = dup_cstr(name);
	s->host = c.host ? dup_cstr(c.host) : NULL;
	if (!s->server_name || (c.host && !s->host)) {
		http_server_free(s);
		return ERR_NOMEM;
	}
	c.host = s->host;
	c.server_name = s->server_name;
	s->server_name_len = strlen(s->server_name);
	s->cfg = c;
	s->lim.max_head = c.header_bytes;
	s->lim.max_uri = c.uri_bytes;
	s->h = *h;
	*out = s;
	return 0;
}

int http_server_start(http_server *s, char *err, size_t errlen)
{
	if (s->started) {
		if (err && errlen)
			snprintf(err, errlen, "server already started");
		return ERR_STATE;
	}
	size_t n = (size_t)(s->cfg.threads > 0 ? s->cfg.threads : workers_cpu_count());
	s->stats = aligned_alloc(64, ((n * sizeof(hs_stats) + 63) / 64) * 64);
	if (!s->stats)
		return ERR_NOMEM;
	memset(s->stats, 0, n * sizeof(hs_stats));
	s->nstats = n;
	workers_config wc = {
		.host = s->cfg.host,
		.port = s->cfg.port,
		.threads = (int)n,
		.backlog = s->cfg.backlog,
		.signals = s->cfg.signals,
		.drain_ms = s->cfg.drain_ms,
	};
	worker_hooks hooks = {
		.start = hs_start,
		.accept = hs_accept,
		.drain = hs_drain,
		.abort = hs_abort,
		.stop = hs_stop,
		.ud = s,
	};
	int rc = workers_start(&s->ws, &wc, &hooks, err, errlen);
	if (rc < 0) {
		workers_free(s->ws);
		s->ws = NULL;
		return rc;
	}
	s->started = true;
	return 0;
}

int http_server_wait(http_server *s)
{
	if (!s->ws)
		return ERR_STATE;
	return workers_wait(s->ws);
}

int http_server_run(http_server *s, char *err, size_t errlen)
{
	int rc = http_server_start(s, err, errlen);
	return rc < 0 ? rc : http_server_wait(s);
}

void http_server_shutdown(http_server *s)
{
	if (s && s->ws)
		workers_shutdown(s->ws);
}

void http_server_abort(http_server *s)
{
	if (s && s->ws)
		workers_abort(s->ws);
}

void http_server_local_addr(const http_server *s, sock_addr *a)
{
	memset(a, 0, sizeof *a);
	if (s && s->ws)
		workers_local_addr(s->ws, a);
}

void http_server_free(http_server *s)
{
	if (!s)
		return;
	workers_free(s->ws);
	free(s->stats);
	free(s->host);
	free(s->server_name);
	free(s);
}

void http_server_stats_get(const http_server *s, http_server_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!s || !s->stats)
		return;
	for (size_t i = 0; i < s->nstats; i++) {
		const hs_stats *w = &s->stats[i];
#define LD(f) st->f += atomic_load_explicit(&w->f, memory_order_relaxed)
		LD(accepted);
		LD(refused);
		LD(requests);
		LD(responses);
		LD(errors);
		LD(aborted);
		LD(conn_allocs);
		LD(ctx_allocs);
		LD(conns);
#undef LD
	}
}

/* --- request API ------------------------------------------------------------------- */

static inline hs_req *req_of(http_request *r) { return (hs_req *)r; }

void http_req_set_hooks(http_request *r, const http_req_hooks *hooks, void *ud)
{
	hs_req *q = req_of(r);
	q->hooks = hooks;
	q->hooks_ud = ud;
}

void http_req_set_timeout(http_request *r, uint64_t ms)
{
	hs_req *q = req_of(r);
	hs_conn *c = q->c;
	if (c->dead || !c->holds || q->resp_begun)
		return;
	c->req_deadline = ms ? now_ms(c) + ms : 0;
	conn_timer_sync(c);
}

loop *http_req_loop(const http_request *r) { return ((const hs_req *)r)->c->hw->l; }
worker *http_req_worker(const http_request *r) { return ((const hs_req *)r)->c->hw->w; }
void *http_req_worker_ud(const http_request *r) { return ((const hs_req *)r)->c->hw->wud; }

str http_req_header(const http_request *r, const char *name)
{
	const http_header *h = http_parse_header_find(r->headers, r->nheaders, str_from(name));
	return h ? h->value : STR_NULL;
}

/* After a handler's call: flush now unless a conn_run frame below will, and
 * let the state machine continue on the next iteration. */
static void api_leave(hs_conn *c, bool ended)
{
	if (!c->dead && c->run_depth == 0) {
		conn_flush(c);
		if (!c->dead) {
			if (ended)
				conn_kick(c);
			else
				conn_timer_sync(c);
		}
	}
	c->depth--;
	conn_maybe_free(c);
}

/* Common entry: ERR_STATE / ERR_CLOSED checks. */
static int api_enter(hs_req *q, hs_conn **cp)
{
	hs_conn *c = q->c;
	*cp = c;
	if (!c || !c->holds)
		return ERR_STATE;
	if (c->orphan || c->dead)
		return ERR_CLOSED;
	return 0;
}

/* The handler's call ended r on an orphaned request. */
static int api_orphan_end(hs_conn *c)
{
	c->holds = false;
	c->orphan = false;
	if (!c->dead && c->state == CS_REQ)
		conn_kill(c);
	conn_maybe_free(c);
	return ERR_CLOSED;
}

int http_respond(http_request *r, int status, const http_header *hdrs, size_t nhdrs,
                 const void *body, size_t len)
{
	hs_req *q = req_of(r);
	hs_conn *c;
	int rc = api_enter(q, &c);
	if (rc == ERR_CLOSED)
		return api_orphan_end(c);
	if (rc)
		return rc;
	if (q->resp_begun)
		return ERR_STATE;
	c->depth++;
	rc = head_queue(c, status, hdrs, nhdrs, MODE_LENGTH, len);
	if (rc == ERR_INVAL) {
		srv_respond(c, 500, "invalid response from the handler", false);
	} else if (rc) {
		c->holds = false;
		req_count_end(c);
		conn_kill(c);
	} else {
		if (!q->no_body && len) {
			int wrc = out_append(c, body, len);
			if (wrc) {
				rc = wrc == ERR_CLOSED ? ERR_CLOSED : ERR_NOMEM;
				c->holds = false;
				conn_kill(c);
			}
		}
		if (!c->dead)
			req_end(c);
		else
			c->holds = false;
	}
	api_leave(c, true);
	return rc;
}

int http_resp_begin(http_request *r, int status, const http_header *hdrs, size_t nhdrs)
{
	hs_req *q = req_of(r);
	hs_conn *c;
	int rc = api_enter(q, &c);
	if (rc)
		return rc;
	if (q->resp_begun)
		return ERR_STATE;
	c->depth++;
	int mode = q->pub.minor == 0 ? MODE_CLOSE_DELIM : MODE_CHUNKED;
	rc = head_queue(c, status, hdrs, nhdrs, mode, 0);
	if (rc == ERR_INVAL) {
		srv_respond(c, 500, "invalid response from the handler", false);
	} else if (rc) {
		c->holds = false;
		req_count_end(c);
		conn_kill(c);
	} else {
		q->stream = true;
		c->req_deadline = 0;   /* the request timeout bounds the time to the head only */
		if (c->run_depth && c->wr_ready)
			conn_flush(c);   /* headers first, even inside on_request */
		if (c->dead)
			rc = ERR_CLOSED;
	}
	api_leave(c, rc == ERR_INVAL);
	return rc;
}

int http_resp_write(http_request *r, const void *data, size_t len)
{
	hs_req *q = req_of(r);
	hs_conn *c;
	int rc = api_enter(q, &c);
	if (rc)
		return rc;
	if (!q->stream)
		return ERR_STATE;
	if (len == 0 || q->no_body)
		return 0;
	size_t hwm = c->hw->srv->cfg.out_high_water;
	if (out_pending(c->ctx) + len > 16 * hwm + HS_DIRECT_MIN && out_pending(c->ctx) > hwm) {
		c->depth++;
		conn_kill(c);
		api_leave(c, false);
		return ERR_TOOBIG;
	}
	c->depth++;
	if (q->chunked_out) {
		char head[HTTP_MSG_CHUNK_HEAD_MAX];
		struct iovec v[3] = {
			{ head, http_msg_chunk_head(head, len) },
			{ (void *)(uintptr_t)data, len },
			{ (void *)(uintptr_t)"\r\n", 2 },
		};
		rc = conn_send(c, v, 3, v[0].iov_len + len + 2);
	} else {
		rc = out_append(c, data, len);
	}
	if (rc == ERR_NOMEM) {
		conn_kill(c);
		rc = ERR_CLOSED;
	}
	if (!rc && out_pending(c->ctx) > hwm && c->wr_ready)
		conn_flush(c);
	if (!rc && c->dead)
		rc = ERR_CLOSED;
	if (!rc && out_pending(c->ctx) > hwm) {
		q->want_drain = true;
		rc = HTTP_RESP_FULL;
	}
	api_leave(c, false);
	return rc;
}

int http_resp_end(http_request *r)
{
	hs_req *q = req_of(r);
	hs_conn *c;
	int rc = api_enter(q, &c);
	if (rc == ERR_CLOSED)
		return api_orphan_end(c);
	if (rc)
		return rc;
	if (!q->stream)
		return ERR_STATE;
	c->depth++;
	if (q->chunked_out && !q->no_body) {
		static const char last[] = "0\r\n\r\n";
		if (out_append(c, last, sizeof last - 1) != 0) {
			c->holds = false;
			conn_kill(c);
			rc = ERR_CLOSED;
		}
	}
	if (!c->dead)
		req_end(c);
	api_leave(c, true);
	return rc;
}
