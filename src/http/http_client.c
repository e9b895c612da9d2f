/* http_client.c — upstream HTTP/1.1 client: one request = one small state
 * machine (resolve -> connect -> [proxy CONNECT] -> [TLS] -> send -> receive)
 * driven by loop events on its connection, a keep-alive pool keyed by
 * (scheme, host, port, route), recycled connection/request objects, and the
 * strict URL parser. See http_client.h for the contract. */
#include "http/http_client.h"
#include "http/http_msg.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HC_MIN_SLICE_MS   2000u            /* a connect attempt gets at least this (if left) */
#define HC_IOV_MAX        64
#define HC_HEAD_CAP       ((size_t)1 << 20)/* our request head */
#define HC_HEAD_KEEP      ((size_t)64 << 10)/* recycled request keeps a head buffer up to this */
#define HC_FREE_REQS      256
#define HC_REASON         512
#define HC_POLICY_CACHE   8                 /* origins that passed netpolicy_check_url */

enum { HC_DIRECT = 0, HC_VIA_PROXY = 1, HC_TUNNEL = 2 };

enum {
	RS_NEW = 0,       /* (re)start pending on the kick timer */
	RS_RESOLVE_DEST,  /* resolving the destination to check it (proxy routes) */
	RS_RESOLVE_CONN,  /* resolving what we connect to (destination or proxy) */
	RS_CONNECT,
	RS_PROXY_SEND,
	RS_PROXY_RECV,
	RS_HANDSHAKE,
	RS_SEND,
	RS_RECV_HEAD,
	RS_RECV_BODY,
	RS_DONE
};

enum { ST_NEXT, ST_WAIT, ST_GONE };

typedef struct hc_key {
	bool https;
	uint8_t route;
	uint16_t port;
	char host[NETPOLICY_HOST_MAX];
} hc_key;

typedef struct hc_conn hc_conn;

typedef struct hc_origin {
	struct hc_origin *next;
	hc_key key;
	hc_conn *idle_head, *idle_tail;   /* head = most recently used */
	size_t nidle;
	size_t refs;                      /* connections attached (idle or busy) */
} hc_origin;

struct hc_conn {
	http_client *c;
	hc_origin *origin;
	hc_conn *prev, *next;             /* idle list; next also links the free list */
	http_client_req *req;             /* NULL while idle */
	int fd;
	sock_io sio;
	io *io;                           /* &sio.base or the TLS stream over it */
	bool idle;
	unsigned uses;                    /* responses completed on it */
	uint64_t idle_since;              /* loop ms when it was pooled */
	loop_timer idle_timer;
	char *rbuf;
	size_t rcap, rpos, rlen;          /* unprocessed bytes: rbuf[rpos..rlen) */
};

struct http_client_req {
	http_client *c;
	http_client_req *prev, *next;     /* active list; next also links the free list */
	hc_conn *conn;
	int st;
	hc_key key;
	http_method method;
	bool idempotent, close_req;
	const http_proxy_server *proxy;
	char origin[NETPOLICY_HOST_MAX + 24];   /* "https://host:port" for messages */
	buf head, aux;                    /* our request head; the CONNECT request */
	size_t aux_off;
	struct iovec body1;
	const struct iovec *body;
	int nbody;
	size_t body_len, sent;
	bool send_done, send_failed, ready, reused, retried, fresh_only;
	/* response */
	bool rx_any, head_done;
	size_t last_len;
	http_body framing;
	uint64_t left, delivered;
	http_chunked ch;
	bool keep_alive;
	/* connection set-up */
	dns_req *dq;
	dns_addrs addrs;
	size_t ai, tried;
	int conn_errno;
	char conn_addr[SOCK_ADDR_STRLEN];
	uint64_t deadline;                /* connect phase deadline (loop ms) */
	http_client_timeouts to;
	loop_timer t_total, t_phase, t_kick;
	bool paused, cancelled, in_cb, starting, done_pending;
	int err;
	char reason[HC_REASON];
	http_client_cbs cb;
	void *ud;
};

struct http_client {
	loop *l;
	dns *d;
	tls_client_ctx *tls;
	const netpolicy *pol;
	const http_proxy *proxy;
	http_client_config cfg;
	hc_origin *origins;
	http_client_req *active;
	http_client_req *free_reqs;
	size_t nfree_reqs;
	hc_conn *free_conns;
	size_t nfree_conns;
	http_header *hdrs;                /* shared: a head is parsed and handed over in one go */
	hc_key passed[HC_POLICY_CACHE];   /* origins the (immutable) policy accepted: no re-check */
	size_t npassed, next_passed;
	http_client_stats st;
};

/* ---- errors ----------------------------------------------------------------------- */

const char *http_client_err_name(int code)
{
	switch (code) {
	case HTTP_CLIENT_OK: return "ok";
	case HTTP_CLIENT_E_INVAL: return "invalid_request";
	case HTTP_CLIENT_E_NOMEM: return "out_of_memory";
	case HTTP_CLIENT_E_UNSUPPORTED: return "unsupported";
	case HTTP_CLIENT_E_FORBIDDEN: return "outbound_forbidden";
	case HTTP_CLIENT_E_DNS: return "dns";
	case HTTP_CLIENT_E_CONNECT: return "connect";
	case HTTP_CLIENT_E_CONNECT_TIMEOUT: return "connect_timeout";
	case HTTP_CLIENT_E_TLS: return "tls";
	case HTTP_CLIENT_E_PROXY: return "proxy";
	case HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT: return "first_byte_timeout";
	case HTTP_CLIENT_E_IDLE_TIMEOUT: return "idle_timeout";
	case HTTP_CLIENT_E_TIMEOUT: return "timeout";
	case HTTP_CLIENT_E_MALFORMED: return "malformed_response";
	case HTTP_CLIENT_E_HEAD_TOO_LARGE: return "response_head_too_large";
	case HTTP_CLIENT_E_RESET: return "connection_reset";
	case HTTP_CLIENT_E_TRUNCATED: return "truncated";
	case HTTP_CLIENT_E_IO: return "io";
	default: return "unknown";
	}
}

int http_client_err_class(int code)
{
	switch (code) {
	case HTTP_CLIENT_OK: return 0;
	case HTTP_CLIENT_E_INVAL: return ERR_INVAL;
	case HTTP_CLIENT_E_NOMEM: return ERR_NOMEM;
	case HTTP_CLIENT_E_UNSUPPORTED: return ERR_UNSUPPORTED;
	case HTTP_CLIENT_E_FORBIDDEN: return ERR_FORBIDDEN;
	case HTTP_CLIENT_E_DNS: return ERR_DNS;
	case HTTP_CLIENT_E_TLS: return ERR_TLS;
	case HTTP_CLIENT_E_CONNECT_TIMEOUT:
	case HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT:
	case HTTP_CLIENT_E_IDLE_TIMEOUT:
	case HTTP_CLIENT_E_TIMEOUT: return ERR_TIMEOUT;
	case HTTP_CLIENT_E_MALFORMED: return ERR_INVAL;
	case HTTP_CLIENT_E_HEAD_TOO_LARGE: return ERR_TOOBIG;
	case HTTP_CLIENT_E_RESET:
	case HTTP_CLIENT_E_TRUNCATED: return ERR_CLOSED;
	default: return ERR_IO;
	}
}

bool http_client_err_transient(int code)
{
	switch (code) {
	case HTTP_CLIENT_E_DNS: case HTTP_CLIENT_E_CONNECT: case HTTP_CLIENT_E_CONNECT_TIMEOUT:
	case HTTP_CLIENT_E_TLS: case HTTP_CLIENT_E_PROXY: case HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT:
	case HTTP_CLIENT_E_IDLE_TIMEOUT: case HTTP_CLIENT_E_TIMEOUT: case HTTP_CLIENT_E_RESET:
	case HTTP_CLIENT_E_TRUNCATED: case HTTP_CLIENT_E_IO: case HTTP_CLIENT_E_MALFORMED:
		return true;
	default:
		return false;
	}
}

/* ---- URLs --------------------------------------------------------------------------- */

int http_client_url_parse(str url, http_client_url *u, char *err, size_t errlen)
{
	char why[160] = "";
	memset(u, 0, sizeof *u);
	for (size_t i = 0; i < url.n; i++) {
		unsigned char ch = (unsigned char)url.p[i];
		if (ch <= 0x20 || ch >= 0x7f) {
			snprintf(why, sizeof why, "control character, space or non-ASCII byte at offset %zu (percent-encode it)", i);
			goto fail;
		}
		if (ch == '\\') {
			snprintf(why, sizeof why, "backslash in URL");
			goto fail;
		}
	}
	str rest;
	if (str_starts_with_nocase(url, STR_LIT("http://"))) {
		rest = str_slice(url, 7, url.n);
	} else if (str_starts_with_nocase(url, STR_LIT("https://"))) {
		u->https = true;
		rest = str_slice(url, 8, url.n);
	} else {
		ptrdiff_t k = str_find(url, STR_LIT("://"));
		if (k > 0 && k <= 32)
			snprintf(why, sizeof why, "scheme '%.*s' is not supported (only http and https)", (int)k, url.p);
		else
			snprintf(why, sizeof why, "not an absolute http(s) URL");
		goto fail;
	}
	size_t a = 0;
	while (a < rest.n && rest.p[a] != '/' && rest.p[a] != '?' && rest.p[a] != '#')
		a++;
	str auth = str_make(rest.p, a);
	if (str_index(auth, '@') >= 0) {
		snprintf(why, sizeof why, "credentials in the URL are not supported");
		goto fail;
	}
	size_t hp = 0;
	bool br = false;
	while (hp < auth.n && (br || auth.p[hp] != ':')) {
		if (auth.p[hp] == '[')
			br = true;
		else if (auth.p[hp] == ']')
			br = false;
		hp++;
	}
	str host = str_make(auth.p, hp);
	u->port = u->https ? 443 : 80;
	if (hp < auth.n) {
		str port = str_slice(auth, hp + 1, auth.n);
		if (port.n) {
			uint64_t v;
			if (!str_to_u64(port, &v) || v == 0 || v > 65535 || port.n > 5) {
				snprintf(why, sizeof why, "invalid port number");
				goto fail;
			}
			u->port = (uint16_t)v;
			u->port_explicit = true;
		}
	}
	if (http_proxy_host_canon(host, u->host, &u->host_is_ip, why, sizeof why))
		goto fail;
	str target = str_slice(rest, a, rest.n);
	ptrdiff_t frag = str_index(target, '#');
	if (frag >= 0)
		target.n = (size_t)frag;
	u->target = target;
	return 0;
fail:
	if (err && errlen) {
		ptrdiff_t q = str_index(url, '?');
		size_t shown = q >= 0 ? (size_t)q : url.n;
		snprintf(err, errlen, "invalid URL '%.*s%s': %s", (int)(shown > 200 ? 200 : shown), url.p ? url.p : "",
		         shown > 200 ? "..." : "", why);
	}
	memset(u, 0, sizeof *u);
	return HTTP_CLIENT_E_INVAL;
}

/* ---- small helpers ------------------------------------------------------------------ */

static void hc_setreason(http_client_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hc_setreason(http_client_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
}

/* "scheme://host:port" of the request, for messages (formatted on first use). */
static const char *hc_org(http_client_req *r)
{
	if (!r->origin[0])
		snprintf(r->origin, sizeof r->origin, "%s://%s:%u", r->key.https ? "https" : "http", r->key.host,
		         (unsigned)r->key.port);
	return r->origin;
}

static const char *hc_url_origin(const http_client_url *u, char *dst, size_t cap)
{
	snprintf(dst, cap, "%s://%s:%u", u->https ? "https" : "http", u->host, (unsigned)u->port);
	return dst;
}

/* host[:port] into dst (NETPOLICY_HOST_MAX + 8 bytes), without printf. */
static void hc_hostport(char *dst, const char *host, uint16_t port, bool with_port)
{
	size_t n = strlen(host);
	memcpy(dst, host, n);
	if (with_port) {
		char t[8];
		size_t k = 0;
		unsigned v = port;
		do {
			t[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		dst[n++] = ':';
		while (k)
			dst[n++] = t[--k];
	}
	dst[n] = 0;
}

static void hc_want(hc_conn *k, int mask)
{
	(void)loop_fd_mod(k->c->l, k->fd, mask);
}

static bool hc_key_eq(const hc_key *a, const hc_key *b)
{
	return a->https == b->https && a->route == b->route && a->port == b->port && !strcmp(a->host, b->host);
}

static uint64_t hc_now(const http_client *c)
{
	return loop_now(c->l);
}

/* ---- connections and the pool ----------------------------------------------------------- */

static void hc_idle_timer_cb(loop *l, void *ud);
static void hc_conn_cb(loop *l, int fd, int events, void *ud);

static hc_origin *hc_origin_get(http_client *c, const hc_key *key, bool create)
{
	for (hc_origin **pp = &c->origins; *pp; pp = &(*pp)->next) {
		hc_origin *o = *pp;
		if (hc_key_eq(&o->key, key)) {
			if (pp != &c->origins) {   /* move to front */
				*pp = o->next;
				o->next = c->origins;
				c->origins = o;
			}
			return o;
		}
	}
	if (!create)
		return NULL;
	hc_origin *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->key = *key;
	o->next = c->origins;
	c->origins = o;
	return o;
}

static void hc_origin_unref(http_client *c, hc_origin *o)
{
	if (!o || --o->refs > 0)
		return;
	for (hc_origin **pp = &c->origins; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	free(o);
}

/* A connection object (recycled when possible) for a socket that is connecting. */
static hc_conn *hc_conn_new(http_client *c, const hc_key *key, int fd)
{
	hc_origin *o = hc_origin_get(c, key, true);
	if (!o)
		return NULL;
	hc_conn *k = c->free_conns;
	if (k) {
		c->free_conns = k->next;
		c->nfree_conns--;
	} else {
		k = calloc(1, sizeof *k);
		if (!k)
			goto fail;
		k->rcap = c->cfg.read_bytes;
		k->rbuf = malloc(k->rcap);
		if (!k->rbuf) {
			free(k);
			k = NULL;
			goto fail;
		}
	}
	char *rb = k->rbuf;
	size_t rc = k->rcap;
	memset(k, 0, sizeof *k);
	k->rbuf = rb;
	k->rcap = rc;
	k->c = c;
	k->fd = fd;
	loop_timer_init(&k->idle_timer, hc_idle_timer_cb, k);
	sock_io_init(&k->sio, fd);
	k->io = &k->sio.base;
	if (loop_fd_add(c->l, fd, LOOP_WRITE, hc_conn_cb, k) != 0) {
		k->next = c->free_conns;   /* back to the free list; the caller closes fd */
		c->free_conns = k;
		c->nfree_conns++;
		k = NULL;
		goto fail;
	}
	k->origin = o;
	o->refs++;
	return k;
fail:
	if (o->refs == 0) {
		o->refs = 1;
		hc_origin_unref(c, o);
	}
	return NULL;
}

static void hc_idle_unlink(hc_conn *k)
{
	hc_origin *o = k->origin;
	if (!k->idle)
		return;
	if (k->prev)
		k->prev->next = k->next;
	else
		o->idle_head = k->next;
	if (k->next)
		k->next->prev = k->prev;
	else
		o->idle_tail = k->prev;
	k->prev = k->next = NULL;
	k->idle = false;
	o->nidle--;
	k->c->st.idle--;
}

/* Close the socket and recycle the object. */
static void hc_conn_destroy(hc_conn *k)
{
	if (!k)
		return;
	http_client *c = k->c;
	hc_idle_unlink(k);
	loop_timer_stop(c->l, &k->idle_timer);
	loop_fd_del(c->l, k->fd);
	io_close(k->io);   /* closes fd (and the TLS stream over it) */
	hc_origin_unref(c, k->origin);
	if (k->req)
		k->req->conn = NULL;
	if (c->nfree_conns < c->cfg.free_conns) {
		if (k->rcap > c->cfg.read_bytes) {   /* grown for a large head: back to normal */
			char *nb = realloc(k->rbuf, c->cfg.read_bytes);
			if (nb) {
				k->rbuf = nb;
				k->rcap = c->cfg.read_bytes;
			}
		}
		k->req = NULL;
		k->next = c->free_conns;
		c->free_conns = k;
		c->nfree_conns++;
	} else {
		free(k->rbuf);
		free(k);
	}
}

/* Non-blocking liveness probe of an idle connection: alive only when a read
 * would block (no EOF, no error, no unexpected bytes). */
static bool hc_conn_alive(hc_conn *k)
{
	char tmp[64];
	return io_read(k->io, tmp, sizeof tmp) == ERR_AGAIN;
}

static void hc_pool_put(hc_conn *k)
{
	http_client *c = k->c;
	hc_origin *o = k->origin;
	if (k->req)
		k->req->conn = NULL;
	k->req = NULL;
	k->uses++;
	k->rpos = k->rlen = 0;
	if (c->cfg.pool_per_origin == 0) {
		hc_conn_destroy(k);
		return;
	}
	while (o->nidle >= c->cfg.pool_per_origin && o->idle_tail)
		hc_conn_destroy(o->idle_tail);   /* the oldest goes */
	k->prev = NULL;
	k->next = o->idle_head;
	if (o->idle_head)
		o->idle_head->prev = k;
	else
		o->idle_tail = k;
	o->idle_head = k;
	o->nidle++;
	k->idle = true;
	k->idle_since = loop_now(c->l);
	c->st.idle++;
	hc_want(k, LOOP_READ);
	(void)loop_timer_start(c->l, &k->idle_timer, c->cfg.pool_idle_ms);
}

static hc_conn *hc_pool_get(http_client *c, const hc_key *key)
{
	hc_origin *o = hc_origin_get(c, key, false);
	while (o && o->idle_head) {
		hc_conn *k = o->idle_head;
		hc_idle_unlink(k);
		loop_timer_stop(c->l, &k->idle_timer);
		/* Probe before reuse, except for a connection pooled during this
		 * very loop iteration (back-to-back requests): no poll ran since,
		 * and the retry rule covers a close racing with the send. */
		if (k->idle_since == loop_now(c->l) || hc_conn_alive(k))
			return k;
		c->st.stale++;
		hc_conn_destroy(k);   /* may free o when it was the last */
		o = hc_origin_get(c, key, false);
	}
	return NULL;
}

static void hc_idle_timer_cb(loop *l, void *ud)
{
	(void)l;
	hc_conn_destroy(ud);
}

void http_client_close_idle(http_client *c)
{
	if (!c)
		return;
	hc_origin *o = c->origins;
	while (o) {
		hc_origin *next = o->next;   /* o may be freed below */
		while (o->idle_head) {
			bool last = o->refs == 1;
			hc_conn_destroy(o->idle_head);
			if (last)
				break;
		}
		o = next;
	}
}

/* ---- request life cycle ---------------------------------------------------------------- */

static void hc_step(http_client_req *r, int events);
static void hc_begin(http_client_req *r);

/* Stop everything pending outside the connection: DNS, timers. */
static void hc_stop_work(http_client_req *r)
{
	loop *l = r->c->l;
	if (r->dq) {
		dns_cancel(r->dq);
		r->dq = NULL;
	}
	loop_timer_stop(l, &r->t_total);
	loop_timer_stop(l, &r->t_phase);
	loop_timer_stop(l, &r->t_kick);
}

static void hc_unlink(http_client_req *r)
{
	http_client *c = r->c;
	if (r->prev)
		r->prev->next = r->next;
	else if (c->active == r)
		c->active = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	c->st.active--;
}

static void hc_release(http_client_req *r)
{
	http_client *c = r->c;
	r->st = RS_DONE;
	if (c->nfree_reqs < HC_FREE_REQS) {
		if (r->head.size > HC_HEAD_KEEP)
			buf_free(&r->head);
		if (r->aux.size > HC_HEAD_KEEP)
			buf_free(&r->aux);
		r->next = c->free_reqs;
		c->free_reqs = r;
		c->nfree_reqs++;
	} else {
		buf_free(&r->head);
		buf_free(&r->aux);
		free(r);
	}
}

static void hc_emit_done(http_client_req *r)
{
	http_client *c = r->c;
	loop_timer_stop(c->l, &r->t_kick);
	r->done_pending = false;
	r->st = RS_DONE;
	hc_unlink(r);
	if (r->err)
		c->st.failed++;
	r->cb.on_done(r, r->err, r->err ? r->reason : "", r->ud);
	hc_release(r);
}

/* The request is over (the connection is already pooled or closed). */
static void hc_finish(http_client_req *r, int err)
{
	hc_stop_work(r);
	if (r->conn)
		hc_conn_destroy(r->conn);
	r->err = err;
	if (r->starting) {   /* never call back from inside http_client_request */
		r->done_pending = true;
		(void)loop_timer_start(r->c->l, &r->t_kick, 0);
		return;
	}
	hc_emit_done(r);
}

/* Fail the request (reason already in r->reason), or retry it once when the
 * rules allow (http_client.h). */
static void hc_fail(http_client_req *r, int err)
{
	http_client *c = r->c;
	bool retry = err == HTTP_CLIENT_E_RESET && !r->rx_any && !r->retried && !r->cancelled &&
	             (r->reused || r->idempotent);
	if (retry) {
		if (r->conn)
			hc_conn_destroy(r->conn);
		loop_timer_stop(c->l, &r->t_phase);
		r->retried = true;
		r->fresh_only = true;
		r->st = RS_NEW;
		c->st.retries++;
		(void)loop_timer_start(c->l, &r->t_kick, 0);
		return;
	}
	hc_finish(r, err);
}

/* Cancelled (by the caller): tear down without any callback. */
static void hc_cancel_now(http_client_req *r)
{
	hc_stop_work(r);
	hc_conn *k = r->conn;
	if (k) {
		if (r->st == RS_SEND && r->ready && r->sent == 0)
			hc_pool_put(k);   /* nothing went out: still clean */
		else
			hc_conn_destroy(k);
	}
	r->conn = NULL;
	hc_unlink(r);
	hc_release(r);
}

/* ---- timers ------------------------------------------------------------------------ */

static void hc_total_cb(loop *l, void *ud)
{
	(void)l;
	http_client_req *r = ud;
	hc_setreason(r, "request to %s timed out after %u ms", hc_org(r), r->to.total_ms);
	hc_fail(r, HTTP_CLIENT_E_TIMEOUT);
}

static int hc_connect_next(http_client_req *r);

static const char *hc_phase_name(int st)
{
	switch (st) {
	case RS_RESOLVE_DEST: case RS_RESOLVE_CONN: return "DNS lookup";
	case RS_CONNECT: return "TCP connect";
	case RS_PROXY_SEND: case RS_PROXY_RECV: return "proxy CONNECT";
	case RS_HANDSHAKE: return "TLS handshake";
	default: return "connect";
	}
}

static void hc_connect_timeout(http_client_req *r)
{
	hc_setreason(r, "connecting to %s%s%s timed out after %u ms (%s)", hc_org(r),
	             r->proxy ? " through proxy " : "", r->proxy ? r->proxy->display : "",
	             r->to.connect_ms, hc_phase_name(r->st));
	hc_fail(r, HTTP_CLIENT_E_CONNECT_TIMEOUT);
}

static void hc_phase_cb(loop *l, void *ud)
{
	http_client_req *r = ud;
	switch (r->st) {
	case RS_CONNECT:
		if (r->ai + 1 < r->addrs.n && loop_now(l) + 1 < r->deadline) {
			r->conn_errno = ETIMEDOUT;   /* this address: next one */
			hc_conn_destroy(r->conn);
			r->ai++;
			if (hc_connect_next(r) == ST_NEXT)
				hc_step(r, 0);
			return;
		}
		hc_connect_timeout(r);
		return;
	case RS_RESOLVE_DEST: case RS_RESOLVE_CONN: case RS_PROXY_SEND: case RS_PROXY_RECV:
	case RS_HANDSHAKE:
		hc_connect_timeout(r);
		return;
	case RS_SEND: case RS_RECV_HEAD: case RS_RECV_BODY:
		if (!r->rx_any) {
			hc_setreason(r, "no response from %s within %u ms", hc_org(r), r->to.first_byte_ms);
			hc_fail(r, HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT);
		} else {
			hc_setreason(r, "response from %s stalled: no data for %u ms", hc_org(r), r->to.idle_ms);
			hc_fail(r, HTTP_CLIENT_E_IDLE_TIMEOUT);
		}
		return;
	default:
		return;
	}
}

static void hc_kick_cb(loop *l, void *ud)
{
	(void)l;
	http_client_req *r = ud;
	if (r->done_pending) {
		hc_emit_done(r);
		return;
	}
	if (r->st == RS_NEW) {
		hc_begin(r);
		return;
	}
	if ((r->st == RS_RECV_HEAD || r->st == RS_RECV_BODY) && !r->paused)
		hc_step(r, 0);
}

static void hc_arm_phase(http_client_req *r, uint32_t ms)
{
	if (ms)
		(void)loop_timer_start(r->c->l, &r->t_phase, ms);
	else
		loop_timer_stop(r->c->l, &r->t_phase);
}

static uint32_t hc_connect_left(http_client_req *r)
{
	uint64_t now = hc_now(r->c);
	return r->deadline > now ? (uint32_t)(r->deadline - now) : 1;
}

/* ---- connection set-up ----------------------------------------------------------------- */

/* The connection is ready to carry the request. */
static int hc_ready(http_client_req *r)
{
	r->ready = true;
	r->st = RS_SEND;
	r->sent = 0;
	hc_arm_phase(r, r->to.first_byte_ms);
	return ST_NEXT;
}

static int hc_start_tls(http_client_req *r)
{
	int e = 0;
	hc_conn *k = r->conn;
	io *t = tls_client_new(r->c->tls, k->io, r->key.host, r->key.port, &e);
	if (!t) {
		hc_setreason(r, "cannot start TLS with %s: %s", hc_org(r), err_str(e));
		hc_fail(r, e == ERR_NOMEM ? HTTP_CLIENT_E_NOMEM : HTTP_CLIENT_E_TLS);
		return ST_GONE;
	}
	k->io = t;
	k->rpos = k->rlen = 0;
	r->st = RS_HANDSHAKE;
	return ST_NEXT;
}

static int hc_connected(http_client_req *r)
{
	r->c->st.connects++;
	hc_arm_phase(r, hc_connect_left(r));   /* the attempt slice is over: the whole deadline again */
	if (r->key.route == HC_TUNNEL) {
		buf *b = &r->aux;
		char hp[NETPOLICY_HOST_MAX + 8];
		hc_hostport(hp, r->key.host, r->key.port, true);
		buf_reset(b);
		if (http_msg_request_line(b, STR_LIT("CONNECT"), str_from(hp)) ||
		    http_msg_header(b, STR_LIT("Host"), str_from(hp)) ||
		    (r->proxy->auth && http_msg_header(b, STR_LIT("Proxy-Authorization"), str_from(r->proxy->auth))) ||
		    http_msg_end(b)) {
			hc_setreason(r, "out of memory");
			hc_fail(r, HTTP_CLIENT_E_NOMEM);
			return ST_GONE;
		}
		r->aux_off = 0;
		r->st = RS_PROXY_SEND;
		return ST_NEXT;
	}
	if (r->key.https)
		return hc_start_tls(r);
	return hc_ready(r);
}

static int hc_connect_fail(http_client_req *r)
{
	int e = r->conn_errno;
	const char *what = e == ECONNREFUSED ? "connection refused" : e == ETIMEDOUT ? "timed out" : strerror(e);
	if (r->proxy) {
		hc_setreason(r, "cannot connect to proxy %s (%s) for %s: %s", r->proxy->display, r->conn_addr,
		             hc_org(r), what);
		hc_fail(r, HTTP_CLIENT_E_PROXY);
	} else {
		if (r->tried > 1)
			hc_setreason(r, "cannot connect to %s: %s (%zu addresses tried, last %s)", hc_org(r), what,
			             r->tried, r->conn_addr);
		else
			hc_setreason(r, "cannot connect to %s (%s): %s", hc_org(r), r->conn_addr, what);
		hc_fail(r, HTTP_CLIENT_E_CONNECT);
	}
	return ST_GONE;
}

/* Try addresses from r->ai on. */
static int hc_connect_next(http_client_req *r)
{
	http_client *c = r->c;
	for (; r->ai < r->addrs.n; r->ai++) {
		const sock_addr *a = &r->addrs.a[r->ai];
		int fd;
		sock_addr_format(a, r->conn_addr, sizeof r->conn_addr);
		r->tried++;
		int rc = sock_connect(a, &fd);
		if (rc != 0 && rc != ERR_AGAIN) {
			r->conn_errno = errno;
			continue;
		}
		hc_conn *k = hc_conn_new(c, &r->key, fd);
		if (!k) {
			close(fd);
			hc_setreason(r, "out of memory");
			hc_fail(r, HTTP_CLIENT_E_NOMEM);
			return ST_GONE;
		}
		k->req = r;
		r->conn = k;
		if (rc == 0)
			return hc_connected(r);
		uint32_t left = hc_connect_left(r);
		size_t remain = r->addrs.n - r->ai;
		uint32_t slice = (uint32_t)(left / remain);
		if (slice < HC_MIN_SLICE_MS)
			slice = left < HC_MIN_SLICE_MS ? left : HC_MIN_SLICE_MS;
		hc_arm_phase(r, slice);
		r->st = RS_CONNECT;
		hc_want(k, LOOP_WRITE);
		return ST_WAIT;
	}
	return hc_connect_fail(r);
}

/* Check every address of the destination name under the policy. */
static int hc_check_addrs(http_client_req *r, const dns_addrs *res)
{
	const netpolicy *p = r->c->pol;
	str host = str_from(r->key.host);
	if (!netpolicy_needs_addr_check(p, host))
		return 0;
	char why[400];
	for (size_t i = 0; i < res->n; i++)
		if (netpolicy_check_addr(p, host, &res->a[i].u.sa, why, sizeof why)) {
			hc_setreason(r, "outbound request to %s forbidden: %s", hc_org(r), why);
			return HTTP_CLIENT_E_FORBIDDEN;
		}
	return 0;
}

static void hc_resolve(http_client_req *r);

/* A lookup answered (now or later). */
static int hc_resolved(http_client_req *r, int err, const dns_addrs *res)
{
	bool dest = r->st == RS_RESOLVE_DEST || !r->proxy;
	if (err) {
		const char *why = res && res->reason ? res->reason : err_str(err);
		if (dest) {
			hc_setreason(r, "cannot resolve host '%s' of %s: %s", r->key.host, hc_org(r), why);
			hc_fail(r, err == ERR_NOMEM ? HTTP_CLIENT_E_NOMEM : HTTP_CLIENT_E_DNS);
		} else {
			hc_setreason(r, "cannot resolve proxy %s: %s", r->proxy->display, why);
			hc_fail(r, HTTP_CLIENT_E_PROXY);
		}
		return ST_GONE;
	}
	if (dest) {
		int e = hc_check_addrs(r, res);
		if (e) {
			hc_fail(r, e);
			return ST_GONE;
		}
	}
	if (r->st == RS_RESOLVE_DEST) {   /* destination checked; now the proxy */
		r->st = RS_RESOLVE_CONN;
		hc_resolve(r);
		return ST_GONE;   /* hc_resolve drove it on */
	}
	if (res != &r->addrs)
		r->addrs = *res;
	r->ai = 0;
	r->tried = 0;
	return hc_connect_next(r);
}

static void hc_dns_cb(int err, const dns_addrs *res, void *ud)
{
	http_client_req *r = ud;
	r->dq = NULL;
	if (hc_resolved(r, err, res) == ST_NEXT)
		hc_step(r, 0);
}

/* Resolve for the current state: the destination (RS_RESOLVE_DEST, or
 * RS_RESOLVE_CONN without proxy) or the proxy. */
static void hc_resolve(http_client_req *r)
{
	http_client *c = r->c;
	bool proxy = r->st == RS_RESOLVE_CONN && r->proxy;
	str host = str_from(proxy ? r->proxy->host : r->key.host);
	uint16_t port = proxy ? r->proxy->port : r->key.port;
	int rc = dns_resolve(c->d, c->l, host, port, hc_dns_cb, r, &r->dq, &r->addrs);
	if (rc == ERR_AGAIN)
		return;
	if (hc_resolved(r, rc, &r->addrs) == ST_NEXT)
		hc_step(r, 0);
}

/* Start (or restart after a retry): a pooled connection, else a new one. */
static void hc_begin(http_client_req *r)
{
	http_client *c = r->c;
	r->ready = r->reused = r->send_done = r->send_failed = false;
	r->rx_any = r->head_done = false;
	r->sent = 0;
	r->last_len = 0;
	r->delivered = 0;
	memset(&r->ch, 0, sizeof r->ch);
	if (!r->fresh_only) {
		hc_conn *k = hc_pool_get(c, &r->key);
		if (k) {
			k->req = r;
			r->conn = k;
			r->reused = true;
			c->st.reused++;
			if (hc_ready(r) == ST_NEXT)
				hc_step(r, 0);
			return;
		}
	}
	r->deadline = hc_now(c) + r->to.connect_ms;
	hc_arm_phase(r, r->to.connect_ms);
	bool check_dest = r->proxy && netpolicy_needs_addr_check(c->pol, str_from(r->key.host));
	r->st = check_dest ? RS_RESOLVE_DEST : RS_RESOLVE_CONN;
	hc_resolve(r);
}

/* ---- I/O states ----------------------------------------------------------------------- */

/* Read more into the connection buffer. Returns io_read's result, or
 * ERR_TOOBIG when the buffer cannot take more (never in practice: the head
 * parser stops at head_bytes and the body is delivered before reading). */
static ssize_t hc_read(hc_conn *k, size_t limit)
{
	if (k->rlen == k->rcap && k->rpos > 0) {
		memmove(k->rbuf, k->rbuf + k->rpos, k->rlen - k->rpos);
		k->rlen -= k->rpos;
		k->rpos = 0;
	}
	if (k->rlen == k->rcap) {
		if (k->rcap >= limit)
			return ERR_TOOBIG;
		size_t n = k->rcap * 2 < limit ? k->rcap * 2 : limit;
		char *nb = realloc(k->rbuf, n);
		if (!nb)
			return ERR_NOMEM;
		k->rbuf = nb;
		k->rcap = n;
	}
	return io_read(k->io, k->rbuf + k->rlen, k->rcap - k->rlen);
}

/* n response bytes were read into the connection buffer. */
static void hc_got_bytes(http_client_req *r, size_t n)
{
	r->conn->rlen += n;
	if (!r->rx_any) {
		r->rx_any = true;
		hc_arm_phase(r, r->to.idle_ms);
	} else if (r->to.idle_ms) {
		hc_arm_phase(r, r->to.idle_ms);
	}
}

static int hc_st_connect(http_client_req *r)
{
	int rc = sock_connect_result(r->conn->fd);
	if (rc == ERR_AGAIN) {
		hc_want(r->conn, LOOP_WRITE);
		return ST_WAIT;
	}
	if (rc == 0)
		return hc_connected(r);
	r->conn_errno = errno;
	hc_conn_destroy(r->conn);
	r->ai++;
	return hc_connect_next(r);
}

static int hc_st_proxy_send(http_client_req *r)
{
	hc_conn *k = r->conn;
	while (r->aux_off < r->aux.len) {
		ssize_t w = io_write(k->io, r->aux.data + r->aux_off, r->aux.len - r->aux_off);
		if (w == ERR_AGAIN) {
			hc_want(k, LOOP_WRITE);
			return ST_WAIT;
		}
		if (w <= 0) {
			hc_setreason(r, "proxy %s closed the connection before CONNECT to %s:%u was sent",
			             r->proxy->display, r->key.host, (unsigned)r->key.port);
			hc_fail(r, HTTP_CLIENT_E_PROXY);
			return ST_GONE;
		}
		r->aux_off += (size_t)w;
	}
	k->rpos = k->rlen = 0;
	r->last_len = 0;
	r->st = RS_PROXY_RECV;
	return ST_NEXT;
}

static int hc_st_proxy_recv(http_client_req *r)
{
	http_client *c = r->c;
	hc_conn *k = r->conn;
	http_limits lim = { .max_head = c->cfg.head_bytes, .max_uri = 0 };
	for (;;) {
		if (k->rlen > k->rpos) {
			http_resp resp;
			int rc = http_parse_response(k->rbuf + k->rpos, k->rlen - k->rpos, r->last_len, &lim,
			                             c->hdrs, c->cfg.header_count, &resp);
			if (rc > 0 && resp.status < 200) {   /* interim: skip */
				k->rpos += (size_t)rc;
				r->last_len = 0;
				continue;
			}
			if (rc > 0) {
				if (resp.status >= 300 || resp.status < 200) {
					hc_setreason(r, "proxy %s refused CONNECT to %s:%u: %d %.*s", r->proxy->display,
					             r->key.host, (unsigned)r->key.port, resp.status,
					             (int)(resp.reason.n > 100 ? 100 : resp.reason.n), resp.reason.p);
					hc_fail(r, HTTP_CLIENT_E_PROXY);
					return ST_GONE;
				}
				if (k->rpos + (size_t)rc != k->rlen) {
					hc_setreason(r, "proxy %s sent data after its CONNECT answer", r->proxy->display);
					hc_fail(r, HTTP_CLIENT_E_PROXY);
					return ST_GONE;
				}
				k->rpos = k->rlen = 0;
				return hc_start_tls(r);
			}
			if (rc != ERR_AGAIN) {
				hc_setreason(r, "malformed answer from proxy %s to CONNECT: %s", r->proxy->display,
				             http_parse_error_str(resp.err));
				hc_fail(r, HTTP_CLIENT_E_PROXY);
				return ST_GONE;
			}
			r->last_len = k->rlen - k->rpos;
		}
		ssize_t n = hc_read(k, c->cfg.head_bytes);
		if (n > 0) {
			k->rlen += (size_t)n;
			continue;
		}
		if (n == ERR_AGAIN) {
			hc_want(k, LOOP_READ);
			return ST_WAIT;
		}
		hc_setreason(r, "proxy %s closed the connection before answering CONNECT to %s:%u",
		             r->proxy->display, r->key.host, (unsigned)r->key.port);
		hc_fail(r, HTTP_CLIENT_E_PROXY);
		return ST_GONE;
	}
}

static int hc_tls_fail(http_client_req *r, ssize_t rc)
{
	const char *m = tls_client_errmsg(r->conn->io);
	if (m && *m)
		hc_setreason(r, "%s", m);
	else
		hc_setreason(r, "TLS handshake with %s failed: %s", hc_org(r), err_str((int)rc));
	hc_fail(r, HTTP_CLIENT_E_TLS);
	return ST_GONE;
}

static int hc_st_handshake(http_client_req *r)
{
	hc_conn *k = r->conn;
	ssize_t n = io_read(k->io, k->rbuf + k->rlen, k->rcap - k->rlen);
	if (n > 0) {   /* the server spoke first: keep it as response bytes */
		k->rlen += (size_t)n;
		return hc_ready(r);
	}
	if (n == ERR_AGAIN) {
		if (tls_client_handshake_done(k->io))
			return hc_ready(r);
		hc_want(k, io_want(k->io));
		return ST_WAIT;
	}
	return hc_tls_fail(r, n == 0 ? ERR_CLOSED : n);
}

static int hc_st_send(http_client_req *r, int events)
{
	hc_conn *k = r->conn;
	size_t total = r->head.len + r->body_len;
	if (events & LOOP_READ) {
		/* the server answers (413 ...) or hangs up before the request is out */
		ssize_t n = hc_read(k, r->c->cfg.head_bytes);
		if (n != ERR_AGAIN) {
			if (n > 0)
				hc_got_bytes(r, (size_t)n);
			r->send_failed = true;
			r->st = RS_RECV_HEAD;
			return ST_NEXT;
		}
	}
	while (r->sent < total) {
		struct iovec v[HC_IOV_MAX];
		int n = 0;
		size_t off = r->sent;
		if (off < r->head.len) {
			v[n].iov_base = r->head.data + off;
			v[n++].iov_len = r->head.len - off;
			off = 0;
		} else {
			off -= r->head.len;
		}
		for (int i = 0; i < r->nbody && n < HC_IOV_MAX; i++) {
			size_t len = r->body[i].iov_len;
			if (off >= len) {
				off -= len;
				continue;
			}
			v[n].iov_base = (char *)r->body[i].iov_base + off;
			v[n++].iov_len = len - off;
			off = 0;
		}
		ssize_t w = sock_io_writev(k->io, v, n);
		if (w > 0) {
			r->sent += (size_t)w;
			continue;
		}
		if (w == ERR_AGAIN) {
			hc_want(k, io_want(k->io) | LOOP_READ);
			return ST_WAIT;
		}
		if (w == ERR_TLS)
			return hc_tls_fail(r, w);
		/* closed or reset: a response may already be there (else E_RESET) */
		r->send_failed = true;
		r->st = RS_RECV_HEAD;
		return ST_NEXT;
	}
	int f = io_flush(k->io);
	if (f == ERR_AGAIN) {
		hc_want(k, io_want(k->io) | LOOP_READ);
		return ST_WAIT;
	}
	if (f == ERR_TLS)
		return hc_tls_fail(r, f);
	if (f < 0)
		r->send_failed = true;
	else
		r->send_done = true;
	r->st = RS_RECV_HEAD;
	if (r->starting) {   /* no response callback from inside http_client_request */
		hc_want(k, LOOP_READ);
		return ST_WAIT;
	}
	return ST_NEXT;
}

/* End of a response that completed normally. */
static int hc_complete(http_client_req *r)
{
	hc_conn *k = r->conn;
	bool reuse = r->keep_alive && r->send_done && !r->send_failed && k->rpos == k->rlen &&
	             r->framing != HTTP_BODY_EOF;
	if (reuse)
		hc_pool_put(k);
	else
		hc_conn_destroy(k);
	r->conn = NULL;
	hc_finish(r, 0);
	return ST_GONE;
}

/* Closed or failed while reading (n = 0 or < 0). */
static int hc_read_end(http_client_req *r, ssize_t n)
{
	if (n == ERR_TLS)
		return hc_tls_fail(r, n);
	const char *how = n == 0 ? "closed" : n == ERR_CLOSED ? "reset" : "failed";
	char os[80] = "";
	if (n < 0 && n != ERR_CLOSED)
		snprintf(os, sizeof os, " (%s)", n == ERR_IO ? strerror(errno) : err_str((int)n));
	if (!r->head_done) {
		if (r->rx_any)
			hc_setreason(r, "connection to %s %s%s in the middle of the response head", hc_org(r), how, os);
		else
			hc_setreason(r, "connection to %s %s%s before a response was received%s", hc_org(r), how, os,
			             r->reused ? " (reused keep-alive connection)" : "");
		hc_fail(r, HTTP_CLIENT_E_RESET);
		return ST_GONE;
	}
	if (r->framing == HTTP_BODY_LENGTH)
		hc_setreason(r, "connection to %s %s%s mid-body: %llu of %llu bytes received", hc_org(r), how, os,
		             (unsigned long long)r->delivered, (unsigned long long)(r->delivered + r->left));
	else
		hc_setreason(r, "connection to %s %s%s mid-body after %llu bytes (chunked body not finished)",
		             hc_org(r), how, os, (unsigned long long)r->delivered);
	hc_fail(r, HTTP_CLIENT_E_TRUNCATED);
	return ST_GONE;
}

/* Call on_data; ST_GONE when the caller cancelled inside. */
static int hc_deliver(http_client_req *r, const char *p, size_t n)
{
	r->delivered += n;
	if (!n || !r->cb.on_data)
		return ST_NEXT;
	r->in_cb = true;
	r->cb.on_data(r, p, n, r->ud);
	r->in_cb = false;
	if (r->cancelled) {
		hc_cancel_now(r);
		return ST_GONE;
	}
	return ST_NEXT;
}

static int hc_head(http_client_req *r, const http_resp *resp, size_t hlen)
{
	hc_conn *k = r->conn;
	if (resp->status == 101) {
		hc_setreason(r, "malformed response from %s: unexpected 101 Switching Protocols", hc_org(r));
		hc_fail(r, HTTP_CLIENT_E_MALFORMED);
		return ST_GONE;
	}
	r->framing = http_parse_resp_body(resp, r->method);
	r->left = r->framing == HTTP_BODY_LENGTH ? resp->content_length : 0;
	r->keep_alive = resp->keep_alive && !r->close_req;
	r->head_done = true;
	hc_arm_phase(r, r->to.idle_ms);
	http_client_resp hr = {
		.status = resp->status, .minor = resp->minor, .reason = resp->reason,
		.headers = resp->headers, .nheaders = resp->nheaders,
		.content_length = resp->has_content_length ? (int64_t)resp->content_length : -1,
		.chunked = resp->chunked,
	};
	if (r->cb.on_head) {
		r->in_cb = true;
		r->cb.on_head(r, &hr, r->ud);
		r->in_cb = false;
		if (r->cancelled) {
			k->rpos += hlen;
			hc_cancel_now(r);
			return ST_GONE;
		}
	}
	k->rpos += hlen;
	r->st = RS_RECV_BODY;
	if (r->framing == HTTP_BODY_NONE)
		return hc_complete(r);
	return ST_NEXT;
}

static int hc_st_recv(http_client_req *r)
{
	http_client *c = r->c;
	hc_conn *k = r->conn;
	http_limits lim = { .max_head = c->cfg.head_bytes, .max_uri = 0 };
	for (;;) {
		if (r->paused) {
			hc_want(k, 0);
			loop_timer_stop(c->l, &r->t_phase);
			return ST_WAIT;
		}
		if (k->rpos < k->rlen) {
			const char *p = k->rbuf + k->rpos;
			size_t avail = k->rlen - k->rpos;
			if (r->st == RS_RECV_HEAD) {
				http_resp resp;
				int rc = http_parse_response(p, avail, r->last_len, &lim, c->hdrs, c->cfg.header_count, &resp);
				if (rc > 0) {
					r->last_len = 0;
					if (resp.status < 200 && resp.status != 101) {   /* 100, 102, 103: skip */
						k->rpos += (size_t)rc;
						continue;
					}
					if (hc_head(r, &resp, (size_t)rc) == ST_GONE)
						return ST_GONE;
					continue;
				}
				if (rc == ERR_TOOBIG) {
					hc_setreason(r, "response head from %s too large: %s (limit %zu bytes, %zu fields)",
					             hc_org(r), http_parse_error_str(resp.err), c->cfg.head_bytes,
					             c->cfg.header_count);
					hc_fail(r, HTTP_CLIENT_E_HEAD_TOO_LARGE);
					return ST_GONE;
				}
				if (rc != ERR_AGAIN) {
					hc_setreason(r, "malformed response from %s: %s", hc_org(r), http_parse_error_str(resp.err));
					hc_fail(r, HTTP_CLIENT_E_MALFORMED);
					return ST_GONE;
				}
				r->last_len = avail;
			} else if (r->framing == HTTP_BODY_LENGTH) {
				size_t n = avail < r->left ? avail : (size_t)r->left;
				r->left -= n;
				k->rpos += n;
				if (hc_deliver(r, p, n) == ST_GONE)
					return ST_GONE;
				if (r->left == 0)
					return hc_complete(r);
				continue;
			} else if (r->framing == HTTP_BODY_CHUNKED) {
				size_t used = 0, made = 0;
				char *dst = k->rbuf + k->rpos;
				int rc = http_parse_chunked(&r->ch, dst, avail, &used, dst, avail, &made);
				if (rc != 0 && rc != ERR_AGAIN) {
					hc_setreason(r, "malformed response from %s: bad chunked body: %s", hc_org(r),
					             http_parse_error_str(r->ch.err));
					hc_fail(r, HTTP_CLIENT_E_MALFORMED);
					return ST_GONE;
				}
				k->rpos += used;
				if (hc_deliver(r, dst, made) == ST_GONE)
					return ST_GONE;
				if (rc == 0)
					return hc_complete(r);
				if (used == 0 && made == 0)   /* cannot happen with dst == src; be safe */
					goto more;
				continue;
			} else {   /* close-delimited */
				k->rpos += avail;
				if (hc_deliver(r, p, avail) == ST_GONE)
					return ST_GONE;
				continue;
			}
		}
	more:
		if (k->rpos == k->rlen)
			k->rpos = k->rlen = 0;
		ssize_t n = hc_read(k, r->head_done ? k->rcap : c->cfg.head_bytes);
		if (n > 0) {
			hc_got_bytes(r, (size_t)n);
			continue;
		}
		if (n == ERR_AGAIN) {
			hc_want(k, io_want(k->io));
			return ST_WAIT;
		}
		if (n == 0 && r->head_done && r->framing == HTTP_BODY_EOF)
			return hc_complete(r);
		if (n == ERR_NOMEM) {
			hc_setreason(r, "out of memory");
			hc_fail(r, HTTP_CLIENT_E_NOMEM);
			return ST_GONE;
		}
		return hc_read_end(r, n);
	}
}

static void hc_step(http_client_req *r, int events)
{
	for (;;) {
		int rc;
		switch (r->st) {
		case RS_CONNECT: rc = hc_st_connect(r); break;
		case RS_PROXY_SEND: rc = hc_st_proxy_send(r); break;
		case RS_PROXY_RECV: rc = hc_st_proxy_recv(r); break;
		case RS_HANDSHAKE: rc = hc_st_handshake(r); break;
		case RS_SEND: rc = hc_st_send(r, events); break;
		case RS_RECV_HEAD:
		case RS_RECV_BODY: rc = hc_st_recv(r); break;
		default: return;
		}
		if (rc != ST_NEXT)
			return;
		events = 0;
	}
}

static void hc_conn_cb(loop *l, int fd, int events, void *ud)
{
	(void)l;
	(void)fd;
	hc_conn *k = ud;
	if (!k->req) {   /* idle in the pool: the server closed it, or sent junk */
		if (!hc_conn_alive(k)) {
			k->c->st.stale++;
			hc_conn_destroy(k);
		}
		return;
	}
	hc_step(k->req, events);
}

/* ---- public API ------------------------------------------------------------------------- */

int http_client_new(http_client **out, loop *l, dns *d, tls_client_ctx *tls,
                    const netpolicy *policy, const http_proxy *proxy,
                    const http_client_config *cfg)
{
	*out = NULL;
	if (!l || !d)
		return HTTP_CLIENT_E_INVAL;
	http_client *c = calloc(1, sizeof *c);
	if (!c)
		return HTTP_CLIENT_E_NOMEM;
	c->l = l;
	c->d = d;
	c->tls = tls;
	c->pol = policy;
	c->proxy = proxy;
	if (cfg)
		c->cfg = *cfg;
	http_client_config *k = &c->cfg;
	if (!k->head_bytes)
		k->head_bytes = LIMIT_UPSTREAM_HEADER_BYTES;
	if (!k->header_count)
		k->header_count = LIMIT_HTTP_HEADERS;
	if (!k->read_bytes)
		k->read_bytes = LIMIT_HTTP_CONN_BUF;
	if (!k->pool_per_origin)
		k->pool_per_origin = LIMIT_POOL_PER_ORIGIN;
	if (!k->pool_idle_ms)
		k->pool_idle_ms = LIMIT_POOL_IDLE_MS;
	if (!k->connect_ms)
		k->connect_ms = LIMIT_CONNECT_TIMEOUT_MS;
	if (!k->total_ms)
		k->total_ms = LIMIT_UPSTREAM_TIMEOUT_S * 1000u;
	if (!k->free_conns)
		k->free_conns = 64;
	c->hdrs = calloc(k->header_count, sizeof *c->hdrs);
	if (!c->hdrs) {
		free(c);
		return HTTP_CLIENT_E_NOMEM;
	}
	*out = c;
	return 0;
}

void http_client_free(http_client *c)
{
	if (!c)
		return;
	while (c->active) {
		http_client_req *r = c->active;
		hc_stop_work(r);
		if (r->conn)
			hc_conn_destroy(r->conn);
		hc_unlink(r);
		hc_release(r);
	}
	http_client_close_idle(c);
	while (c->origins) {   /* cannot happen (every connection was closed); be safe */
		hc_origin *o = c->origins;
		c->origins = o->next;
		free(o);
	}
	while (c->free_conns) {
		hc_conn *k = c->free_conns;
		c->free_conns = k->next;
		free(k->rbuf);
		free(k);
	}
	while (c->free_reqs) {
		http_client_req *r = c->free_reqs;
		c->free_reqs = r->next;
		buf_free(&r->head);
		buf_free(&r->aux);
		free(r);
	}
	free(c->hdrs);
	free(c);
}

void http_client_get_stats(const http_client *c, http_client_stats *out)
{
	*out = c->st;
}

static http_method hc_method(str m)
{
	static const struct { const char *s; http_method m; } t[] = {
		{ "GET", HTTP_METHOD_GET }, { "HEAD", HTTP_METHOD_HEAD }, { "POST", HTTP_METHOD_POST },
		{ "PUT", HTTP_METHOD_PUT }, { "DELETE", HTTP_METHOD_DELETE }, { "OPTIONS", HTTP_METHOD_OPTIONS },
		{ "PATCH", HTTP_METHOD_PATCH }, { "CONNECT", HTTP_METHOD_CONNECT }, { "TRACE", HTTP_METHOD_TRACE },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (str_eq_cstr(m, t[i].s))
			return t[i].m;
	return HTTP_METHOD_OTHER;
}

/* Serialise the request head into r->head. */
static int hc_build_head(http_client_req *r, const http_client_spec *s, const http_client_url *u,
                         str method, char *err, size_t errlen)
{
	buf *b = &r->head;
	bool has_host = false;
	buf_reset(b);
	b->cap = HC_HEAD_CAP;
	for (size_t i = 0; i < s->nheaders; i++) {
		str n = s->headers[i].name;
		if (str_eq_nocase(n, STR_LIT("Content-Length")) || str_eq_nocase(n, STR_LIT("Transfer-Encoding"))) {
			snprintf(err, errlen, "header '%.*s' is set by the HTTP client", (int)n.n, n.p);
			return HTTP_CLIENT_E_INVAL;
		}
		if (str_eq_nocase(n, STR_LIT("Host")))
			has_host = true;
		if (str_eq_nocase(n, STR_LIT("Connection")) && http_parse_list_has(s->headers[i].value, STR_LIT("close")))
			r->close_req = true;
	}
	char hostport[NETPOLICY_HOST_MAX + 8];
	hc_hostport(hostport, u->host, u->port, u->port != (u->https ? 443 : 80));
	int rc;
	str t = u->target;
	bool slash = t.n == 0 || t.p[0] == '?';
	if (r->key.route == HC_VIA_PROXY || slash) {
		/* the target needs a prefix: build it in aux (scratch) */
		buf *a = &r->aux;
		buf_reset(a);
		a->cap = HC_HEAD_CAP;
		if ((r->key.route == HC_VIA_PROXY &&
		     (buf_puts(a, "http://") || buf_puts(a, hostport))) ||
		    (slash && buf_putc(a, '/')) || buf_append(a, t.p, t.n))
			goto nomem;
		rc = http_msg_request_line(b, method, str_make(a->data, a->len));
	} else {
		rc = http_msg_request_line(b, method, t);
	}
	if (rc)
		goto bad;
	if (!has_host && http_msg_header(b, STR_LIT("Host"), str_from(hostport)))
		goto nomem;
	for (size_t i = 0; i < s->nheaders; i++)
		if ((rc = http_msg_header(b, s->headers[i].name, s->headers[i].value)) != 0) {
			if (rc == ERR_INVAL) {
				str n = s->headers[i].name;
				snprintf(err, errlen, "invalid request header '%.*s' (name must be a token; value without "
				         "CR, LF, NUL or leading/trailing spaces)", (int)(n.n > 64 ? 64 : n.n), n.p ? n.p : "");
				return HTTP_CLIENT_E_INVAL;
			}
			goto bad;
		}
	if (r->body_len > 0 || r->method == HTTP_METHOD_POST || r->method == HTTP_METHOD_PUT ||
	    r->method == HTTP_METHOD_PATCH)
		if (http_msg_header_u64(b, STR_LIT("Content-Length"), r->body_len))
			goto bad;
	if (r->key.route == HC_VIA_PROXY && r->proxy->auth &&
	    http_msg_header(b, STR_LIT("Proxy-Authorization"), str_from(r->proxy->auth)))
		goto bad;
	if (http_msg_end(b))
		goto bad;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return HTTP_CLIENT_E_NOMEM;
bad:
	snprintf(err, errlen, "request head too large (over %zu bytes) or invalid", HC_HEAD_CAP);
	return HTTP_CLIENT_E_INVAL;
}

int http_client_request(http_client *c, const http_client_spec *s, http_client_req **out,
                        char *err, size_t errlen)
{
	char ebuf[8];
	if (!err || !errlen) {
		err = ebuf;
		errlen = sizeof ebuf;
	}
	err[0] = 0;
	if (out)
		*out = NULL;
	if (!c || !s || !s->cb.on_done) {
		snprintf(err, errlen, "no on_done callback");
		return HTTP_CLIENT_E_INVAL;
	}
	str method = s->method.n ? s->method : STR_LIT("GET");
	if (!http_msg_token_ok(method)) {
		snprintf(err, errlen, "invalid method");
		return HTTP_CLIENT_E_INVAL;
	}
	http_method m = hc_method(method);
	if (m == HTTP_METHOD_CONNECT) {
		snprintf(err, errlen, "CONNECT is not supported");
		return HTTP_CLIENT_E_INVAL;
	}
	if ((s->body.n && s->body_iovcnt) || s->body_iovcnt < 0 || (s->body_iovcnt && !s->body_iov)) {
		snprintf(err, errlen, "give the body either as body or as body_iov");
		return HTTP_CLIENT_E_INVAL;
	}
	http_client_url u;
	int rc = http_client_url_parse(s->url, &u, err, errlen);
	if (rc)
		return rc;
	char origin[NETPOLICY_HOST_MAX + 24];
	if (u.https && !c->tls) {
		snprintf(err, errlen, "cannot reach %s: TLS is not available in this client", hc_url_origin(&u, origin, sizeof origin));
		return HTTP_CLIENT_E_UNSUPPORTED;
	}
	hc_key ukey = { .https = u.https, .route = 0, .port = u.port };
	memcpy(ukey.host, u.host, sizeof ukey.host);
	bool passed = false;
	for (size_t i = 0; i < c->npassed && !passed; i++)
		passed = hc_key_eq(&c->passed[i], &ukey);
	if (c->pol && c->pol->mode != NETPOLICY_OFF && !passed) {
		netpolicy_url nu;
		char why[400] = "";
		rc = netpolicy_check_url(c->pol, s->url, &nu, why, sizeof why);
		if (rc == ERR_FORBIDDEN) {
			snprintf(err, errlen, "outbound request to %s forbidden: %s", hc_url_origin(&u, origin, sizeof origin), why);
			return HTTP_CLIENT_E_FORBIDDEN;
		}
		if (rc || strcmp(nu.host, u.host) || nu.port != u.port) {
			snprintf(err, errlen, "invalid URL for %s: the host is read differently by the policy check ('%s')",
			         hc_url_origin(&u, origin, sizeof origin), nu.host);
			return HTTP_CLIENT_E_INVAL;
		}
		/* the verdict depends on the origin only (the rest of the URL passed our
		 * stricter parser): remember it, so the steady state neither re-parses
		 * nor allocates */
		c->passed[c->next_passed] = ukey;
		c->next_passed = (c->next_passed + 1) % HC_POLICY_CACHE;
		if (c->npassed < HC_POLICY_CACHE)
			c->npassed++;
	}

	http_client_req *r = c->free_reqs;
	if (r) {
		c->free_reqs = r->next;
		c->nfree_reqs--;
	} else {
		r = calloc(1, sizeof *r);
		if (!r) {
			snprintf(err, errlen, "out of memory");
			return HTTP_CLIENT_E_NOMEM;
		}
	}
	buf head = r->head, aux = r->aux;
	memset(r, 0, sizeof *r);
	r->head = head;
	r->aux = aux;
	r->c = c;
	loop_timer_init(&r->t_total, hc_total_cb, r);
	loop_timer_init(&r->t_phase, hc_phase_cb, r);
	loop_timer_init(&r->t_kick, hc_kick_cb, r);
	r->method = m;
	r->idempotent = s->idempotent || m == HTTP_METHOD_GET || m == HTTP_METHOD_HEAD || m == HTTP_METHOD_PUT ||
	                m == HTTP_METHOD_DELETE || m == HTTP_METHOD_OPTIONS || m == HTTP_METHOD_TRACE;
	r->key.https = u.https;
	r->key.port = u.port;
	memcpy(r->key.host, u.host, sizeof r->key.host);
	r->proxy = http_proxy_select(c->proxy, u.https, str_from(u.host), u.port);
	r->key.route = !r->proxy ? HC_DIRECT : u.https ? HC_TUNNEL : HC_VIA_PROXY;
	if (s->body_iovcnt) {
		r->body = s->body_iov;
		r->nbody = s->body_iovcnt;
	} else if (s->body.n) {
		r->body1.iov_base = (void *)s->body.p;
		r->body1.iov_len = s->body.n;
		r->body = &r->body1;
		r->nbody = 1;
	}
	for (int i = 0; i < r->nbody; i++)
		r->body_len += r->body[i].iov_len;
	if ((rc = hc_build_head(r, s, &u, method, err, errlen)) != 0)
		goto fail;
	r->to = s->timeouts;
	if (!r->to.connect_ms)
		r->to.connect_ms = c->cfg.connect_ms;
	if (!r->to.first_byte_ms)
		r->to.first_byte_ms = c->cfg.first_byte_ms;
	if (!r->to.idle_ms)
		r->to.idle_ms = c->cfg.idle_ms;
	if (!r->to.total_ms)
		r->to.total_ms = c->cfg.total_ms;
	r->cb = s->cb;
	r->ud = s->ud;
	if (loop_timer_start(c->l, &r->t_total, r->to.total_ms) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = HTTP_CLIENT_E_NOMEM;
		goto fail;
	}
	r->next = c->active;
	if (c->active)
		c->active->prev = r;
	c->active = r;
	c->st.active++;
	c->st.requests++;
	if (out)
		*out = r;
	r->starting = true;
	hc_begin(r);
	r->starting = false;
	return 0;
fail:
	r->st = RS_DONE;
	r->next = c->free_reqs;   /* straight back to the free list */
	c->free_reqs = r;
	c->nfree_reqs++;
	return rc;
}

void http_client_pause(http_client_req *r)
{
	if (!r || r->st == RS_DONE || r->cancelled || r->paused)
		return;
	r->paused = true;
	if (r->st == RS_RECV_HEAD || r->st == RS_RECV_BODY) {
		loop_timer_stop(r->c->l, &r->t_phase);
		if (r->conn)
			hc_want(r->conn, 0);
	}
}

void http_client_resume(http_client_req *r)
{
	if (!r || r->st == RS_DONE || r->cancelled || !r->paused)
		return;
	r->paused = false;
	if (r->st == RS_RECV_HEAD || r->st == RS_RECV_BODY) {
		hc_arm_phase(r, r->rx_any ? r->to.idle_ms : r->to.first_byte_ms);
		if (!r->in_cb)
			(void)loop_timer_start(r->c->l, &r->t_kick, 0);
	}
}

void http_client_cancel(http_client_req *r)
{
	if (!r || r->st == RS_DONE || r->cancelled)
		return;
	if (r->in_cb) {
		r->cancelled = true;   /* torn down when the callback returns */
		return;
	}
	r->cancelled = true;
	hc_cancel_now(r);
}

bool http_client_req_reused(const http_client_req *r)
{
	return r && r->reused;
}
