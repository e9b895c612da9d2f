/* mcp_http.c — Streamable HTTP for the MCP core: request checks, sessions
 * (one core each, idle expiry, DELETE), stateless POSTs (a core per POST),
 * answers as JSON or SSE, GET streams, bearer auth, Host/Origin guard. */
#include "mcp/mcp_http.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rand.h"
#include "mcp/mcp.h"
#include "mcp/mcp_exec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MCP_HTTP_MAX_SESSIONS 4096
#define MCP_HTTP_KEEPALIVE_MS 15000u

struct mcp_http {
	mcp_http_config hc;
};

typedef struct session session;
typedef struct mpost mpost;

typedef struct mw {
	mcp_http *h;
	loop *l;
	http_client *hc;
	gateway_http gh;
	gateway_upstream up;
	mcp_exec *x;
	session *sessions;
	size_t nsessions;
} mw;

struct session {
	mw *w;
	char id[33];
	mcp_core *core;
	loop_timer idle;
	loop_timer keepalive;
	mpost *posts;                 /* POSTs waiting for done() */
	http_request *stream;         /* the GET stream, or NULL */
	session *next;
};

struct mpost {
	mw *w;
	http_request *r;              /* NULL once ended or aborted */
	session *s;                   /* NULL: stateless */
	mcp_core *own;                /* stateless core (freed with the post) */
	gateway_principal pr;
	buf pending;                  /* messages not yet written */
	unsigned npending;
	bool accept_sse, sse, done, new_session;
	mpost *next, *prev;
	loop_post_item post;
};

/* ---- small helpers --------------------------------------------------------------------- */

/* Does the Accept value accept media type "type/sub"? */
static bool accepts(str accept, const char *type, const char *sub)
{
	str rest = accept, item;
	for (;;) {
		str tail;
		bool more = str_cut(rest, ',', &item, &tail);
		str mt, params;
		str_cut(item, ';', &mt, &params);
		mt = str_trim(mt);
		str t, s;
		if (str_cut(mt, '/', &t, &s)) {
			t = str_trim(t);
			s = str_trim(s);
			bool tok = str_eq_cstr(t, "*") || str_eq_nocase(t, str_from(type));
			bool sok = str_eq_cstr(s, "*") || str_eq_nocase(s, str_from(sub));
			if (tok && sok)
				return true;
		}
		if (!more)
			return false;
		rest = tail;
	}
}

static bool json_ctype(str ct)
{
	str mt, rest;
	str_cut(ct, ';', &mt, &rest);
	mt = str_trim(mt);
	return str_eq_nocase(mt, STR_LIT("application/json"));
}

/* host[:port] with host one of localhost, 127.0.0.1, [::1] */
static bool local_hostport(str hp)
{
	str host = hp;
	if (hp.n && hp.p[0] == '[') {
		ptrdiff_t e = str_index(hp, ']');
		if (e < 0)
			return false;
		host = str_make(hp.p, (size_t)e + 1);
		str rest = str_make(hp.p + e + 1, hp.n - (size_t)e - 1);
		if (rest.n && rest.p[0] != ':')
			return false;
	} else {
		ptrdiff_t c = str_index(hp, ':');
		if (c >= 0)
			host = str_make(hp.p, (size_t)c);
	}
	str port = str_make(host.p + host.n, hp.n - host.n);
	if (port.n) {
		uint64_t v;
		if (port.n < 2 || !str_to_u64(str_make(port.p + 1, port.n - 1), &v) || v > 65535)
			return false;
	}
	return str_eq_nocase(host, STR_LIT("localhost")) || str_eq_cstr(host, "127.0.0.1") ||
	       str_eq_cstr(host, "[::1]");
}

bool mcp_http_host_ok(str host)
{
	return host.n && local_hostport(host);
}

bool mcp_http_origin_ok(str origin)
{
	str rest;
	if (str_starts_with_nocase(origin, STR_LIT("http://")))
		rest = str_make(origin.p + 7, origin.n - 7);
	else if (str_starts_with_nocase(origin, STR_LIT("https://")))
		rest = str_make(origin.p + 8, origin.n - 8);
	else
		return false;
	return rest.n && local_hostport(rest);
}

static void respond_plain(http_request *r, int status, const http_header *extra, size_t nextra)
{
	http_respond(r, status, extra, nextra, NULL, 0);
}

/* A JSON-RPC error body (id null) with an HTTP status. */
static void respond_rpc_error(http_request *r, int status, int code, const char *msg)
{
	char body[512];
	int n = snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":%d,\"message\":\"%s\"}}",
			 code, msg);
	http_header h[1] = { { STR_LIT("Content-Type"), STR_LIT("application/json") } };
	http_respond(r, status, h, 1, body, (size_t)n);
}

/* ---- posts ----------------------------------------------------------------------------------- */

static void post_release(loop *l, void *ud)
{
	(void)l;
	mpost *mp = ud;
	mcp_core_free(mp->own);
	buf_free(&mp->pending);
	free(mp);
}

static void post_unlink(mpost *mp)
{
	session *s = mp->s;
	if (!s)
		return;
	if (mp->prev)
		mp->prev->next = mp->next;
	else
		s->posts = mp->next;
	if (mp->next)
		mp->next->prev = mp->prev;
	mp->next = mp->prev = NULL;
	mp->s = NULL;
}

static void post_free_later(mpost *mp)
{
	post_unlink(mp);
	mp->post.fn = post_release;
	mp->post.ud = mp;
	loop_enqueue(mp->w->l, &mp->post);
}

static size_t base_headers(mpost *mp, http_header *h, const char *ctype)
{
	size_t n = 0;
	if (ctype)
		h[n++] = (http_header){ STR_LIT("Content-Type"), str_from(ctype) };
	if (mp->s && mp->new_session)
		h[n++] = (http_header){ STR_LIT("Mcp-Session-Id"), str_from(mp->s->id) };
	return n;
}

static void sse_write(mpost *mp, const char *msg, size_t n)
{
	if (!mp->r)
		return;
	static const char pre[] = "event: message\ndata: ";
	if (http_resp_write(mp->r, pre, sizeof pre - 1) < 0 || http_resp_write(mp->r, msg, n) < 0 ||
	    http_resp_write(mp->r, "\n\n", 2) < 0)
		return;   /* client gone: on_abort follows */
}

/* Switch the answer to an SSE stream and write what was pending. */
static void begin_sse(mpost *mp)
{
	http_header h[4];
	size_t nh = base_headers(mp, h, "text/event-stream");
	h[nh++] = (http_header){ STR_LIT("Cache-Control"), STR_LIT("no-cache") };
	mp->sse = true;
	if (http_resp_begin(mp->r, 200, h, nh) < 0)
		return;
	/* pending holds messages separated by '\n' */
	size_t off = 0;
	while (off < mp->pending.len) {
		char *nl = memchr(mp->pending.data + off, '\n', mp->pending.len - off);
		size_t end = nl ? (size_t)(nl - mp->pending.data) : mp->pending.len;
		sse_write(mp, mp->pending.data + off, end - off);
		off = end + 1;
	}
	buf_reset(&mp->pending);
	mp->npending = 0;
}

static bool is_notification(const char *msg, size_t n)
{
	static const char pre[] = "{\"jsonrpc\":\"2.0\",\"method\":";
	return n > sizeof pre - 1 && memcmp(msg, pre, sizeof pre - 1) == 0;
}

static void t_send(void *ud, void *origin, const char *msg, size_t n)
{
	(void)ud;
	mpost *mp = origin;
	if (!mp->r)
		return;
	if (mp->sse) {
		sse_write(mp, msg, n);
		return;
	}
	if (mp->npending)
		buf_putc(&mp->pending, '\n');
	buf_append(&mp->pending, msg, n);
	mp->npending++;
	/* a notification ahead of the response (progress): stream from now on */
	if (mp->accept_sse && is_notification(msg, n))
		begin_sse(mp);
}

static void t_done(void *ud, void *origin)
{
	(void)ud;
	mpost *mp = origin;
	if (mp->done)
		return;
	mp->done = true;
	if (mp->r) {
		http_request *r = mp->r;
		mp->r = NULL;
		if (mp->sse)
			http_resp_end(r);
		else if (!mp->npending) {
			http_header h[4];
			size_t nh = base_headers(mp, h, NULL);
			http_respond(r, 202, h, nh, NULL, 0);
		} else if (mp->npending == 1 || !mp->accept_sse) {
			http_header h[4];
			size_t nh = base_headers(mp, h, "application/json");
			const char *p = mp->pending.data;
			size_t n = mp->pending.len;
			if (mp->npending > 1) {   /* keep the response (the last message) */
				const char *nl = memrchr(p, '\n', n);
				if (nl) {
					n -= (size_t)(nl + 1 - p);
					p = nl + 1;
				}
			}
			http_respond(r, 200, h, nh, p, n);
		} else {
			mp->r = r;
			begin_sse(mp);
			mp->r = NULL;
			http_resp_end(r);
		}
	}
	post_free_later(mp);
}

static void hook_abort(http_request *r, void *ud)
{
	(void)r;
	mpost *mp = ud;
	mp->r = NULL;
	if (mp->done)
		return;
	mcp_core *core = mp->own ? mp->own : mp->s ? mp->s->core : NULL;
	if (core)
		mcp_core_cancel_origin(core, mp);
}

static const http_req_hooks post_hooks = { hook_abort, NULL, NULL };

/* ---- sessions -------------------------------------------------------------------------------- */

static void session_close(session *s)
{
	mw *w = s->w;
	for (session **pp = &w->sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			w->nsessions--;
			break;
		}
	loop_timer_stop(w->l, &s->idle);
	loop_timer_stop(w->l, &s->keepalive);
	if (s->stream) {
		http_request *r = s->stream;
		s->stream = NULL;
		http_resp_end(r);
	}
	/* POSTs still waiting: the core will not call done() for them */
	while (s->posts) {
		mpost *mp = s->posts;
		post_unlink(mp);
		mp->done = true;
		if (mp->r) {
			http_request *r = mp->r;
			mp->r = NULL;
			if (mp->sse)
				http_resp_end(r);
			else
				respond_rpc_error(r, 404, -32001, "Session closed");
		}
		post_free_later(mp);
	}
	mcp_core_free(s->core);
	free(s);
}

static void on_idle(loop *l, void *ud)
{
	session *s = ud;
	if (s->posts) {   /* calls still running: not idle */
		uint64_t ms = s->w->h->hc.session_idle_ms ? s->w->h->hc.session_idle_ms : LIMIT_MCP_SESSION_IDLE_S * 1000ull;
		loop_timer_start(l, &s->idle, ms);
		return;
	}
	log_debug("mcp http: session %.8s... expired", s->id);
	session_close(s);
}

static void touch(session *s)
{
	uint64_t ms = s->w->h->hc.session_idle_ms ? s->w->h->hc.session_idle_ms : LIMIT_MCP_SESSION_IDLE_S * 1000ull;
	loop_timer_start(s->w->l, &s->idle, ms);
}

static void on_keepalive(loop *l, void *ud)
{
	session *s = ud;
	if (!s->stream)
		return;
	if (http_resp_write(s->stream, ":\n\n", 3) >= 0)
		loop_timer_start(l, &s->keepalive, MCP_HTTP_KEEPALIVE_MS);
}

static session *session_find(mw *w, str id)
{
	for (session *s = w->sessions; s; s = s->next)
		if (str_eq_cstr(id, s->id))
			return s;
	return NULL;
}

static mcp_opts core_opts(mw *w)
{
	const mcp_http_config *hc = &w->h->hc;
	mcp_opts o = { .server_version = hc->server_version, .provider_count = hc->provider_count,
		       .max_message_bytes = hc->max_message_bytes, .executor = mcp_exec_executor(w->x),
		       .catalog = mcp_exec_catalog(w->x), .transport = { t_send, t_done, w } };
	return o;
}

static session *session_new(mw *w)
{
	if (w->nsessions >= MCP_HTTP_MAX_SESSIONS)
		return NULL;
	session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->w = w;
	if (rand_hex(s->id, 32) < 0) {
		free(s);
		return NULL;
	}
	mcp_opts o = core_opts(w);
	if (mcp_core_new(&s->core, &o) < 0) {
		free(s);
		return NULL;
	}
	loop_timer_init(&s->idle, on_idle, s);
	loop_timer_init(&s->keepalive, on_keepalive, s);
	s->next = w->sessions;
	w->sessions = s;
	w->nsessions++;
	touch(s);
	return s;
}

static void stream_abort(http_request *r, void *ud)
{
	(void)r;
	session *s = ud;
	s->stream = NULL;
	loop_timer_stop(s->w->l, &s->keepalive);
}

static const http_req_hooks stream_hooks = { stream_abort, NULL, NULL };

/* ---- the request -------------------------------------------------------------------------------- */

static void handle_post(mw *w, http_request *r, const gateway_principal *pr, str sid, mcp_version hv)
{
	str ct = http_req_header(r, "Content-Type");
	if (!ct.p || !json_ctype(ct)) {
		respond_rpc_error(r, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
		return;
	}
	str accept = http_req_header(r, "Accept");
	bool a_json = !accept.p || accepts(accept, "application", "json");
	bool a_sse = accept.p && accepts(accept, "text", "event-stream");
	mcp_msg_info info;
	mcp_classify(r->body.p ? r->body.p : "", r->body.n, w->h->hc.max_message_bytes, &info);
	bool stateful = sid.p || (info.initialize && !info.batch);
	if (stateful ? !(a_json && a_sse && accept.p) : !a_json) {
		respond_rpc_error(r, 406, -32000,
				  stateful ? "Not Acceptable: Client must accept both application/json and text/event-stream"
					   : "Not Acceptable: Client must accept application/json");
		return;
	}
	session *s = NULL;
	bool created = false;
	if (sid.p) {
		s = session_find(w, sid);
		if (!s) {
			respond_rpc_error(r, 404, -32001, "Session not found");
			return;
		}
	} else if (stateful) {
		if (!(s = session_new(w))) {
			respond_rpc_error(r, 503, -32603, "Too many sessions");
			return;
		}
		created = true;
	}
	mpost *mp = calloc(1, sizeof *mp);
	if (!mp) {
		http_respond(r, 500, NULL, 0, NULL, 0);
		return;
	}
	mp->w = w;
	mp->r = r;
	mp->pr = *pr;
	mp->accept_sse = a_sse && stateful;
	mp->new_session = created;
	buf_init(&mp->pending, MCP_MAX_OUTPUT_DEFAULT + 4096);
	mcp_core *core;
	if (s) {
		mp->s = s;
		mp->next = s->posts;
		if (s->posts)
			s->posts->prev = mp;
		s->posts = mp;
		touch(s);
		core = s->core;
	} else {
		mcp_opts o = core_opts(w);
		o.stateless = true;
		o.stateless_version = hv;
		if (mcp_core_new(&mp->own, &o) < 0) {
			free(mp);
			http_respond(r, 500, NULL, 0, NULL, 0);
			return;
		}
		core = mp->own;
	}
	http_req_set_hooks(r, &post_hooks, mp);
	mcp_core_recv(core, r->body.p ? r->body.p : "", r->body.n, mp);
}

static void handle_get(mw *w, http_request *r, str sid)
{
	if (!sid.p) {
		http_header h[1] = { { STR_LIT("Allow"), STR_LIT("POST, DELETE") } };
		respond_plain(r, 405, h, 1);
		return;
	}
	str accept = http_req_header(r, "Accept");
	if (!accept.p || !accepts(accept, "text", "event-stream")) {
		respond_rpc_error(r, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
		return;
	}
	session *s = session_find(w, sid);
	if (!s) {
		respond_rpc_error(r, 404, -32001, "Session not found");
		return;
	}
	if (s->stream) {
		respond_rpc_error(r, 409, -32000, "Conflict: only one SSE stream is allowed per session");
		return;
	}
	touch(s);
	http_header h[3] = { { STR_LIT("Content-Type"), STR_LIT("text/event-stream") },
			     { STR_LIT("Cache-Control"), STR_LIT("no-cache") },
			     { STR_LIT("Mcp-Session-Id"), str_from(s->id) } };
	http_req_set_timeout(r, 0);
	if (http_resp_begin(r, 200, h, 3) < 0)
		return;
	s->stream = r;
	http_req_set_hooks(r, &stream_hooks, s);
	loop_timer_start(w->l, &s->keepalive, MCP_HTTP_KEEPALIVE_MS);
}

static void handle_delete(mw *w, http_request *r, str sid)
{
	if (!sid.p) {
		respond_rpc_error(r, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
		return;
	}
	session *s = session_find(w, sid);
	if (!s) {
		respond_rpc_error(r, 404, -32001, "Session not found");
		return;
	}
	session_close(s);
	http_respond(r, 200, NULL, 0, NULL, 0);
}

static void on_request(http_request *r, void *ud)
{
	mcp_http *h = ud;
	mw *w = http_req_worker_ud(r);
	if (!str_eq_cstr(r->path_decoded, "/mcp")) {
		respond_plain(r, 404, NULL, 0);
		return;
	}
	if (r->method != HTTP_METHOD_POST && r->method != HTTP_METHOD_GET && r->method != HTTP_METHOD_DELETE) {
		http_header hd[1] = { { STR_LIT("Allow"), STR_LIT("GET, POST, DELETE") } };
		respond_plain(r, 405, hd, 1);
		return;
	}
	if (h->hc.loopback_guard) {
		str origin = http_req_header(r, "Origin");
		if (!mcp_http_host_ok(r->host) || (origin.p && !mcp_http_origin_ok(origin))) {
			log_warn("mcp http: refused a request with Host '%.*s'%s (DNS rebinding guard)",
				 (int)(r->host.n > 100 ? 100 : r->host.n), r->host.p ? r->host.p : "",
				 origin.p ? " and a foreign Origin" : "");
			respond_rpc_error(r, 403, -32000, "Forbidden: Host or Origin not allowed");
			return;
		}
	}
	gateway_principal pr = { .master = true };
	if (h->hc.bearer) {
		gateway_error e;
		if (gateway_auth(h->hc.gw, http_req_header(r, "Authorization"), &pr, &e) < 0) {
			buf b = { 0 };
			b.cap = 8192;
			gateway_error_json(&b, e.kind, e.msg, strlen(e.msg));
			http_header hd[2] = { { STR_LIT("Content-Type"), STR_LIT("application/json") },
					      { STR_LIT("WWW-Authenticate"), STR_LIT("Bearer") } };
			http_respond(r, gateway_kind_status(e.kind), hd, 2, b.data, b.len);
			buf_free(&b);
			return;
		}
	}
	mcp_version hv = MCP_V_NONE;
	str pv = http_req_header(r, "MCP-Protocol-Version");
	if (pv.p) {
		hv = mcp_version_parse(str_trim(pv));
		if (hv == MCP_V_NONE) {
			char msg[200];
			snprintf(msg, sizeof msg, "Bad Request: Unsupported protocol version: %.*s", (int)(pv.n > 40 ? 40 : pv.n),
				 pv.p);
			for (char *c = msg; *c; c++)
				if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
					*c = '?';
			respond_rpc_error(r, 400, -32000, msg);
			return;
		}
	}
	str sid = http_req_header(r, "Mcp-Session-Id");
	if (r->method == HTTP_METHOD_POST)
		handle_post(w, r, &pr, sid, hv);
	else if (r->method == HTTP_METHOD_GET)
		handle_get(w, r, sid);
	else
		handle_delete(w, r, sid);
}

/* ---- workers ------------------------------------------------------------------------------------ */

static const gateway_principal *principal_of(void *ud, void *origin)
{
	mcp_http *h = ud;
	if (!h->hc.bearer || !origin)
		return NULL;
	return &((mpost *)origin)->pr;
}

static int on_worker_start(worker *wk, void *ud, void **wud)
{
	mcp_http *h = ud;
	mw *w = calloc(1, sizeof *w);
	if (!w)
		return ERR_NOMEM;
	w->h = h;
	w->l = worker_loop(wk);
	if (http_client_new(&w->hc, w->l, h->hc.dns, h->hc.tls, h->hc.policy, h->hc.http_proxy, NULL) < 0) {
		free(w);
		return ERR_NOMEM;
	}
	w->gh = (gateway_http){ w->hc, w->l };
	w->up = gateway_upstream_http(&w->gh);
	mcp_exec_config ec = { .gw = h->hc.gw, .loop = w->l, .up = &w->up, .timeout_ms = h->hc.timeout_ms,
			       .principal = { .master = true }, .principal_of = principal_of, .ud = h };
	if (mcp_exec_new(&w->x, &ec) < 0) {
		http_client_free(w->hc);
		free(w);
		return ERR_NOMEM;
	}
	*wud = w;
	return 0;
}

static void on_worker_drain(worker *wk, void *ud, void *wud)
{
	(void)wk;
	(void)ud;
	mw *w = wud;
	if (!w)
		return;
	for (session *s = w->sessions; s; s = s->next)
		if (s->stream) {
			http_request *r = s->stream;
			s->stream = NULL;
			loop_timer_stop(w->l, &s->keepalive);
			http_resp_end(r);
		}
}

static void on_worker_stop(worker *wk, void *ud, void *wud)
{
	(void)wk;
	(void)ud;
	mw *w = wud;
	if (!w)
		return;
	while (w->sessions) {
		session *s = w->sessions;
		s->stream = NULL;   /* every request has ended */
		for (mpost *mp = s->posts; mp; mp = mp->next)
			mp->r = NULL;
		session_close(s);
	}
	mcp_exec_free(w->x);
	http_client_free(w->hc);
	free(w);
}

int mcp_http_new(mcp_http **out, const mcp_http_config *hc)
{
	*out = NULL;
	if (!hc || !hc->gw || !hc->dns)
		return ERR_INVAL;
	mcp_http *h = calloc(1, sizeof *h);
	if (!h)
		return ERR_NOMEM;
	h->hc = *hc;
	if (!h->hc.max_message_bytes)
		h->hc.max_message_bytes = LIMIT_MCP_MESSAGE_BYTES;
	*out = h;
	return 0;
}

void mcp_http_free(mcp_http *h)
{
	free(h);
}

http_handler mcp_http_handler(mcp_http *h)
{
	return (http_handler){ .on_request = on_request, .worker_start = on_worker_start,
			       .worker_drain = on_worker_drain, .worker_stop = on_worker_stop, .ud = h };
}
