/* gateway_call.c — one model-routed operation: body checks, routing, the
 * upstream request through the injected upstream interface, and the answer:
 * non-stream responses passed through byte for byte, streams re-framed event
 * by event (never buffered whole) with backpressure, ending in data: [DONE]. */
#include "gateway/gateway_private.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "http/sse.h"
#include <stdio.h>
#include <string.h>

#define CALL_MAX_HEADERS 40

struct gateway_call {
	gateway *g;
	gateway_upstream up;
	const gateway_op *op;
	gateway_sink sink;
	void *h;                      /* upstream handle */
	gateway_route route;
	gateway_body body;
	buf req;                      /* upstream request body */
	buf resp;                     /* buffered upstream body (non-stream / error) */
	buf out;                      /* stream: framed events for the next write */
	sse_decoder dec;
	http_header hdrs[CALL_MAX_HEADERS];
	size_t nhdrs;
	char url[PROVIDER_BASE_URL_MAX + 256];
	char ctype[128];
	int status;
	int retry_after;
	bool streaming;               /* client asked for a stream */
	bool began;                   /* stream head sent to the client */
	bool saw_done;
	bool paused;
	bool finished;                /* the sink was ended, or the call cancelled */
};

static void call_release(gateway_call *c)
{
	buf_free(&c->req);
	buf_free(&c->resp);
	buf_free(&c->out);
	sse_decoder_free(&c->dec);
	c->finished = true;
}

static void respond_error(const gateway_sink *sink, const gateway_error *e)
{
	char mem[1024];
	buf b = { 0 };
	b.cap = 4096;
	if (gateway_error_json(&b, e->kind, e->msg, strlen(e->msg)) < 0) {
		snprintf(mem, sizeof mem, "{\"error\":{\"message\":\"internal error\",\"type\":\"InternalError\","
			 "\"param\":null,\"code\":null}}");
		sink->respond(sink->ud, 500, "application/json", mem, strlen(mem), -1);
	} else {
		sink->respond(sink->ud, gateway_kind_status(e->kind), "application/json", b.data, b.len, e->retry_after);
	}
	buf_free(&b);
}

static void finish_error(gateway_call *c, const gateway_error *e)
{
	gateway_sink s = c->sink;
	call_release(c);
	respond_error(&s, e);
}

/* ---- upstream callbacks ---------------------------------------------------- */

static void on_head(http_client_req *r, const http_client_resp *resp, void *ud)
{
	(void)r;
	gateway_call *c = ud;
	c->status = resp->status;
	for (size_t i = 0; i < resp->nheaders; i++) {
		const http_header *h = &resp->headers[i];
		if (str_eq_nocase(h->name, STR_LIT("content-type")))
			str_to_cbuf(h->value, c->ctype, sizeof c->ctype);
		else if (str_eq_nocase(h->name, STR_LIT("retry-after"))) {
			uint64_t v;
			if (str_to_u64(str_trim(h->value), &v) && v < 86400)
				c->retry_after = (int)v;
		}
	}
	if (c->streaming && resp->status >= 200 && resp->status < 300) {
		if (c->sink.begin(c->sink.ud, 200, "text/event-stream") < 0) {
			c->up.cancel(c->h);
			call_release(c);
			return;
		}
		c->began = true;
	}
}

static void flush_out(gateway_call *c)
{
	if (!c->out.len)
		return;
	int rc = c->sink.write(c->sink.ud, c->out.data, c->out.len);
	buf_reset(&c->out);
	if (rc < 0) {
		/* the client is gone: stop the upstream; the surface cancels us next */
		c->up.cancel(c->h);
		call_release(c);
	} else if (rc > 0 && !c->paused) {
		c->paused = true;
		c->up.pause(c->h);
	}
}

static void on_data(http_client_req *r, const char *p, size_t n, void *ud)
{
	(void)r;
	gateway_call *c = ud;
	if (c->finished)
		return;
	if (!c->began) {
		if (buf_append(&c->resp, p, n) < 0) {
			gateway_error e;
			c->up.cancel(c->h);
			gateway_fail(&e, GATEWAY_NETWORK, "upstream response body over %zu bytes",
				     (size_t)LIMIT_UPSTREAM_BODY_BYTES);
			finish_error(c, &e);
		}
		return;
	}
	while (n && !c->saw_done) {
		size_t used = 0;
		sse_event ev;
		int rc = sse_decoder_feed(&c->dec, p, n, &used, &ev);
		p += used;
		n -= used;
		if (rc < 0) {
			/* an event over the cap: end the stream with an error event */
			buf_reset(&c->out);
			sse_write_data(&c->out, STR_LIT("{\"error\":{\"message\":\"streaming error: upstream event too "
							"large\",\"type\":\"Streaming\",\"param\":null,\"code\":null}}"));
			c->up.cancel(c->h);
			c->saw_done = true;
			sse_write_data(&c->out, STR_LIT("[DONE]"));
			gateway_sink s = c->sink;
			int w = s.write(s.ud, c->out.data, c->out.len);
			call_release(c);
			if (w >= 0)
				s.end(s.ud);
			return;
		}
		if (rc == 0)
			break;
		if (str_eq_cstr(ev.data, "[DONE]"))
			c->saw_done = true;
		if (sse_write_data(&c->out, ev.data) < 0)
			log_warn("gateway: dropped a stream event");
	}
	flush_out(c);
}

static void on_done(http_client_req *r, int err, const char *reason, void *ud)
{
	(void)r;
	gateway_call *c = ud;
	if (c->finished)
		return;
	gateway_error e;
	if (c->began) {
		if (err) {
			gateway_fail(&e, GATEWAY_STREAMING, "streaming error: %s", reason && *reason ? reason :
				     http_client_err_name(err));
			buf eb = { 0 };
			if (gateway_error_json(&eb, e.kind, e.msg, strlen(e.msg)) == 0)
				sse_write_data(&c->out, str_make(eb.data, eb.len));
			buf_free(&eb);
		}
		if (!c->saw_done)
			sse_write_data(&c->out, STR_LIT("[DONE]"));
		gateway_sink s = c->sink;
		int w = c->out.len ? s.write(s.ud, c->out.data, c->out.len) : 0;
		call_release(c);
		if (w >= 0)
			s.end(s.ud);
		return;
	}
	if (err) {
		gateway_map_transport(err, reason, &e);
		finish_error(c, &e);
		return;
	}
	if (c->status >= 300) {
		gateway_map_upstream(c->status, str_make(c->resp.data, c->resp.len), &e);
		if (e.kind == GATEWAY_RATE_LIMITED)
			e.retry_after = c->retry_after;
		finish_error(c, &e);
		return;
	}
	/* the call lives in the request arena, which respond() releases: take
	 * what is needed out of it first */
	gateway_sink s = c->sink;
	char ct[sizeof c->ctype];
	snprintf(ct, sizeof ct, "%s", c->ctype[0] ? c->ctype : "application/json");
	int status = c->status;
	buf rb = c->resp;
	c->resp = (buf){ 0 };
	call_release(c);
	s.respond(s.ud, status, ct, rb.data ? rb.data : "", rb.len, -1);
	buf_free(&rb);
}

/* ---- start ------------------------------------------------------------------------ */

static bool adapter_forwardable(provider_adapter a)
{
	return a == PROVIDER_ADAPTER_COMPAT || a == PROVIDER_ADAPTER_OPENAI || a == PROVIDER_ADAPTER_MISTRAL ||
	       a == PROVIDER_ADAPTER_AZURE;
}

static void add_header(gateway_call *c, const char *name, str value)
{
	if (c->nhdrs < CALL_MAX_HEADERS)
		c->hdrs[c->nhdrs++] = (http_header){ str_from(name), value };
}

gateway_call *gateway_call_start(gateway *g, const gateway_upstream *up, const gateway_op *op,
				 const gateway_principal *p, str body, arena *a, const gateway_sink *sink)
{
	gateway_error e;
	gateway_call *c = arena_calloc(a, 1, sizeof *c);
	if (!c) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: out of memory");
		respond_error(sink, &e);
		return NULL;
	}
	c->g = g;
	c->up = *up;
	c->op = op;
	c->sink = *sink;
	c->retry_after = -1;
	buf_init(&c->resp, LIMIT_UPSTREAM_BODY_BYTES);
	if (gateway_body_check(op, body, a, &c->body, &e) < 0)
		goto fail;
	c->streaming = op->chat && c->body.stream;
	if (!gateway_allowed(p, c->body.model)) {
		gateway_fail(&e, GATEWAY_FORBIDDEN, "key '%s' is not allowed to access model '" STR_FMT "'", p->key_id,
			     STR_ARG(c->body.model));
		goto fail;
	}
	if (gateway_route_model(g, c->body.model, &c->route, &e) < 0)
		goto fail;
	provider_target *t = &c->route.target;
	if (!adapter_forwardable(t->adapter)) {
		gateway_fail(&e, GATEWAY_ENDPOINT_NOT_SUPPORTED, "provider %s does not support %s",
			     provider_adapter_get(t->adapter)->name, op->endpoint);
		goto fail;
	}
	size_t ulen;
	if (provider_url(t, op->pop, c->streaming, STR_NULL, c->url, sizeof c->url, &ulen) < 0) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: cannot build the upstream URL");
		goto fail;
	}
	if (gateway_body_rewrite(&c->body, t, &c->req) < 0) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: cannot build the upstream body");
		goto fail;
	}
	add_header(c, "Content-Type", STR_LIT("application/json"));
	if (c->streaming)
		add_header(c, "Accept", STR_LIT("text/event-stream"));
	provider_header ah;
	if (t->cred == PROVIDER_CRED_KEY && provider_auth_render(t->auth, t->key, &ah)) {
		size_t pl = strlen(ah.prefix);
		char *v = arena_alloc(a, pl + ah.value.n + 1);
		if (!v) {
			gateway_fail(&e, GATEWAY_INTERNAL, "internal error: out of memory");
			goto fail;
		}
		memcpy(v, ah.prefix, pl);
		if (ah.value.n)
			memcpy(v + pl, ah.value.p, ah.value.n);
		add_header(c, ah.name, str_make(v, pl + ah.value.n));
	}
	const provider_adapter_info *ai = provider_adapter_get(t->adapter);
	for (size_t i = 0; i < ai->n_headers; i++)
		add_header(c, ai->headers[i].name, str_from(ai->headers[i].value));
	if (c->route.model)
		for (size_t i = 0; i < c->route.model->extra_headers.n; i++)
			add_header(c, c->route.model->extra_headers.v[i].key,
				   str_from(c->route.model->extra_headers.v[i].val));
	uint64_t tmo = c->route.model ? c->route.model->timeout_secs : g->cfg->general.default_timeout_secs;
	http_client_spec s = {
		.method = STR_LIT("POST"),
		.url = str_make(c->url, ulen),
		.headers = c->hdrs,
		.nheaders = c->nhdrs,
		.body = str_make(c->req.data, c->req.len),
		.timeouts = { .total_ms = (uint32_t)(tmo > 4000000 ? 4000000000u : tmo * 1000) },
		.cb = { on_head, on_data, on_done },
		.ud = c,
	};
	char err[512];
	int rc = c->up.request(c->up.ud, &s, &c->h, err, sizeof err);
	if (rc < 0) {
		gateway_map_transport(rc, err, &e);
		goto fail;
	}
	log_debug("gateway: %s " STR_FMT " -> %s", op->name, STR_ARG(c->body.model), c->url);
	return c;
fail:
	call_release(c);
	respond_error(sink, &e);
	return NULL;
}

void gateway_call_resume(gateway_call *c)
{
	if (!c || c->finished || !c->paused)
		return;
	c->paused = false;
	c->up.resume(c->h);
}

void gateway_call_cancel(gateway_call *c)
{
	if (!c || c->finished)
		return;
	if (c->h)
		c->up.cancel(c->h);
	call_release(c);
}

/* ---- the production upstream over http_client ------------------------------------------ */

static int hc_request(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen)
{
	http_client_req *r = NULL;
	int rc = http_client_request(ud, s, &r, err, errlen);
	*h = r;
	return rc;
}

static void hc_pause(void *h) { http_client_pause(h); }
static void hc_resume(void *h) { http_client_resume(h); }
static void hc_cancel(void *h) { http_client_cancel(h); }

gateway_upstream gateway_upstream_http(http_client *c)
{
	return (gateway_upstream){ hc_request, hc_pause, hc_resume, hc_cancel, c };
}
