/* gateway_call.c — one upstream operation: body checks, routing, the
 * upstream request through the injected upstream interface (with retries and
 * back-off before anything reached the client), and the answer: OpenAI-
 * compatible responses passed through byte for byte, native provider APIs
 * translated through their codec (providers/xlate_codec.h: Anthropic,
 * Gemini, ...), SigV4-signed where the target says so, streams (SSE or AWS
 * event stream) re-framed event by event (never buffered whole) with
 * backpressure and keep-alive comments, ending in data: [DONE].
 * The management operations (files, batches, responses) use the same
 * machine (gateway_master_start, below). */
#include "gateway/gateway_private.h"
#include "gateway/gateway_files.h"
#include "base/b64.h"
#include "base/clock.h"
#include "base/ct.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/rand.h"
#include "http/sse.h"
#include "json/json.h"
#include "providers/eventstream.h"
#include "providers/sigv4.h"
#include "providers/xlate_chunks.h"
#include "providers/xlate_codec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALL_MAX_HEADERS 40
#define CALL_SCRATCH_CAP ((size_t)LIMIT_UPSTREAM_BODY_BYTES * 4)
/* room over the client's body for the pass-through rewrite (model, stream) */
#define CALL_REWRITE_SLACK 256u
/* first size of c->out, the framed events of one upstream read */
#define CALL_OUT_INITIAL 4096u

struct gateway_call {
	gateway *g;
	gateway_upstream up;
	const gateway_op *op;         /* NULL for management operations */
	gateway_sink sink;
	void *h;                      /* upstream handle of the attempt in flight, or NULL */
	void *timer;                  /* back-off / keep-alive (NULL: none) */
	gateway_route route;
	gateway_body body;
	str client_body;              /* the client's body (request arena) */
	buf req;                      /* upstream request body */
	buf resp;                     /* buffered upstream body (non-stream / error) */
	buf out;                      /* stream: framed events for the next write */
	buf lines;                    /* stream: chunks from the translator */
	sse_decoder dec;
	eventstream_dec evs;          /* AWS event stream framing (Bedrock) */
	arena scratch;                /* translator scratch, reset per event */
	gateway_token_use tok;        /* minted credential (Vertex ADC, Copilot): gateway_token.h */
	const xlate_codec *codec;     /* native translation, NULL = pass-through */
	void *st;                     /* the codec's stream state (request arena) */
	sigv4_output sig;             /* the attempt's SigV4 headers (Bedrock) */
	http_header hdrs[CALL_MAX_HEADERS];
	size_t nhdrs;
	size_t nhdrs_fixed;           /* headers before the per-attempt ones */
	char url[PROVIDER_BASE_URL_MAX + 1024];
	size_t url_len;
	const char *method;
	uint32_t total_ms;
	char ctype[128];
	char xhdr[XLATE_HEADER_MAX];  /* the codec's computed header value */
	unsigned xflags;              /* the request translator's XLATE_F_* for the response */
	int status;
	int retry_after;
	unsigned attempt;             /* retries done */
	unsigned max_retries;
	bool aws_stream;              /* upstream stream is an AWS event stream */
	bool fake_stream;             /* the client asked for a stream the upstream cannot give:
	                               * called without, answered as chunks (xlate_chunks) */
	bool streaming;               /* client asked for a stream */
	bool began;                   /* stream head sent to the client */
	bool saw_done;
	bool paused;
	bool waiting;                 /* in back-off before a retry */
	bool finished;                /* the sink was ended, or the call cancelled */
};

static void call_release(gateway_call *c)
{
	if (c->timer && c->up.timer_free)
		c->up.timer_free(c->timer);
	c->timer = NULL;
	buf_free(&c->req);
	buf_free(&c->resp);
	buf_free(&c->out);
	buf_free(&c->lines);
	sse_decoder_free(&c->dec);
	eventstream_dec_free(&c->evs);
	sigv4_output_free(&c->sig);
	arena_free(&c->scratch);
	gateway_token_end(&c->tok);
	c->h = NULL;
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

/* ---- retries ----------------------------------------------------------------------------- */

bool gateway_retryable(int err, int status)
{
	if (err < 0)
		return true;
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504 || status == 529;
}

uint32_t gateway_backoff_ms(unsigned n, int status, int retry_after, double jitter)
{
	if ((status == 429 || status == 529) && retry_after >= 0) {
		unsigned s = (unsigned)retry_after < GATEWAY_RETRY_AFTER_MAX_S ? (unsigned)retry_after :
										    GATEWAY_RETRY_AFTER_MAX_S;
		return s * 1000u;
	}
	uint32_t base = n >= 5 ? GATEWAY_BACKOFF_MAX_MS : (1000u << n);
	if (base > GATEWAY_BACKOFF_MAX_MS)
		base = GATEWAY_BACKOFF_MAX_MS;
	if (!(jitter >= 0.5 && jitter < 1.0))
		jitter = 0.75;
	return (uint32_t)(base * jitter);
}

static int send_attempt(gateway_call *c, gateway_error *e);

/* ---- stream helpers ------------------------------------------------------------------------ */

static void on_timer(void *arg);

/* The call's timer, made on first use (most calls never need one). */
static bool have_timer(gateway_call *c)
{
	if (!c->timer && c->up.timer_new && c->up.timer_set && c->up.timer_free)
		c->timer = c->up.timer_new(c->up.ud, on_timer, c);
	return c->timer != NULL;
}

static void keepalive_arm(gateway_call *c)
{
	if (c->began && !c->finished && have_timer(c))
		c->up.timer_set(c->timer, GATEWAY_KEEPALIVE_MS);
}

/* Write c->out to the client. false when the call ended (client gone). */
static bool flush_out(gateway_call *c)
{
	if (!c->out.len)
		return true;
	int rc = c->sink.write(c->sink.ud, c->out.data, c->out.len);
	buf_reset(&c->out);
	if (rc < 0) {
		/* the client is gone: stop the upstream; the surface cancels us next */
		if (c->h)
			c->up.cancel(c->h);
		call_release(c);
		return false;
	}
	if (rc > 0 && !c->paused) {
		c->paused = true;
		c->up.pause(c->h);
	}
	keepalive_arm(c);
	return true;
}

/* End the stream now: an error event (kind Streaming, msg), [DONE], end. */
static void stream_abort(gateway_call *c, const char *msg, bool cancel_upstream)
{
	buf eb = { 0 };
	if (gateway_error_json(&eb, GATEWAY_STREAMING, msg, strlen(msg)) == 0)
		sse_write_data(&c->out, str_make(eb.data, eb.len));
	buf_free(&eb);
	sse_write_data(&c->out, STR_LIT("[DONE]"));
	if (cancel_upstream && c->h)
		c->up.cancel(c->h);
	c->h = NULL;
	gateway_sink s = c->sink;
	int w = s.write(s.ud, c->out.data, c->out.len);
	call_release(c);
	if (w >= 0)
		s.end(s.ud);
}

/* Frame the translator's chunk lines (compact JSON + '\n' each) into c->out. */
static void frame_lines(gateway_call *c)
{
	const char *p = c->lines.data;
	size_t n = c->lines.len;
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (k && sse_write_data(&c->out, str_make(p, k)) < 0)
			log_warn("gateway: dropped a stream chunk");
		p += k + (nl ? 1 : 0);
		n -= k + (nl ? 1 : 0);
	}
	buf_reset(&c->lines);
}

static void on_timer(void *arg)
{
	gateway_call *c = arg;
	if (c->finished)
		return;
	if (c->waiting) {
		c->waiting = false;
		c->attempt++;
		gateway_error e;
		if (send_attempt(c, &e) < 0)
			finish_error(c, &e);
		return;
	}
	if (!c->began)
		return;
	if (c->paused) { /* the client is not reading: nothing to add */
		keepalive_arm(c);
		return;
	}
	sse_write_comment(&c->out, STR_LIT(""));
	flush_out(c);
}

/* ---- upstream callbacks ---------------------------------------------------- */

static void on_head(http_client_req *r, const http_client_resp *resp, void *ud)
{
	(void)r;
	gateway_call *c = ud;
	if (c->finished)
		return;
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
		/* the events of one upstream read are framed into c->out, which is
		 * reused (buf_reset) for every read: size it once */
		(void)buf_reserve(&c->out, CALL_OUT_INITIAL);
		keepalive_arm(c);
	}
}

/* One decoded upstream event. false when the call ended. */
static bool stream_event(gateway_call *c, str type, str data)
{
	if (!c->codec) {
		if (str_eq_cstr(data, "[DONE]"))
			c->saw_done = true;
		if (sse_write_data(&c->out, data) < 0)
			log_warn("gateway: dropped a stream event");
		return true;
	}
	xlate_err xe;
	int rc = c->codec->stream_feed(c->st, type, data, &c->scratch, &c->lines, &xe);
	arena_reset(&c->scratch);
	if (rc < 0) {
		char msg[XLATE_ERR_MSG_MAX + 32];
		snprintf(msg, sizeof msg, "streaming error: %s", xe.msg);
		stream_abort(c, msg, true);
		return false;
	}
	frame_lines(c);
	return true;
}

/* An AWS event stream (Bedrock ConverseStream): binary messages with CRCs;
 * "event" messages go to the codec as (:event-type, payload); "exception"
 * and "error" messages end the stream with an error event. */
static void aws_stream_data(gateway_call *c, const char *p, size_t n)
{
	if (eventstream_dec_feed(&c->evs, p, n) < 0) {
		buf_reset(&c->out);
		stream_abort(c, "streaming error: upstream event too large", true);
		return;
	}
	for (;;) {
		eventstream_msg m;
		int rc = eventstream_dec_next(&c->evs, &m);
		if (rc == ERR_AGAIN)
			break;
		if (rc < 0) {
			stream_abort(c, "streaming error: malformed AWS event stream (bad length or CRC)", true);
			return;
		}
		str mt = str_make(m.message_type, m.message_type_len);
		if (m.message_type && !str_eq_cstr(mt, "event")) {
			str what = m.exception_type ? str_make(m.exception_type, m.exception_type_len) :
				   str_make(m.error_code, m.error_code_len);
			str detail = m.error_message ? str_make(m.error_message, m.error_message_len) :
				     str_make((const char *)m.payload, m.payload_len);
			json_doc d;
			str jm;
			if (!m.error_message &&
			    json_parse_arena(&d, &c->scratch, detail.p ? detail.p : "", detail.n, NULL, NULL) > 0 &&
			    xlate_get_str(&d, 0, "message", &c->scratch, &jm))
				detail = jm;
			char msg[GATEWAY_MSG_MAX];
			snprintf(msg, sizeof msg, "streaming error: " STR_FMT ": " STR_FMT,
				 (int)(what.n > 100 ? 100 : what.n), what.p ? what.p : "",
				 (int)(detail.n > 300 ? 300 : detail.n), detail.p ? detail.p : "");
			arena_reset(&c->scratch);
			stream_abort(c, msg, true);
			return;
		}
		if (!stream_event(c, str_make(m.event_type, m.event_type_len),
				  str_make((const char *)m.payload, m.payload_len)))
			return;
	}
	flush_out(c);
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
			c->h = NULL;
			gateway_fail(&e, GATEWAY_NETWORK, "upstream response body over %zu bytes",
				     (size_t)LIMIT_UPSTREAM_BODY_BYTES);
			finish_error(c, &e);
		}
		return;
	}
	if (c->aws_stream) {
		aws_stream_data(c, p, n);
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
			stream_abort(c, "streaming error: upstream event too large", true);
			return;
		}
		if (rc == 0)
			break;
		if (!stream_event(c, ev.type, ev.data))
			return;
	}
	flush_out(c);
}

/* Map an upstream error answer (status >= 300, body in c->resp). A native
 * error body (Google's {"error":{...}}, Anthropic's, Bedrock's ...) is read
 * with the codec's error reader and its message re-wrapped for
 * gateway_map_upstream. */
static void map_upstream_error(gateway_call *c, int status, gateway_error *e)
{
	str body = str_make(c->resp.data, c->resp.len);
	xlate_err xe;
	if (c->codec && c->codec->error &&
	    c->codec->error(c->resp.data ? c->resp.data : "", c->resp.len, &c->scratch, &xe) == 0) {
		buf b = { 0 };
		b.cap = 4096;
		if (gateway_error_json(&b, GATEWAY_SERVER_ERROR, xe.msg, strlen(xe.msg)) == 0)
			gateway_map_upstream(status, str_make(b.data, b.len), e);
		else
			gateway_map_upstream(status, body, e);
		buf_free(&b);
		arena_reset(&c->scratch);
		return;
	}
	arena_reset(&c->scratch);
	gateway_map_upstream(status, body, e);
}

/* The non-stream answer of a native upstream, translated by its codec. */
static void translated_respond(gateway_call *c)
{
	gateway_error e;
	buf out = { 0 };
	buf_init(&out, LIMIT_UPSTREAM_BODY_BYTES);
	xlate_ctx cx = { .model = c->route.target.model, .id = str_from(c->codec->id), .created = clock_wall_s(),
			 .flags = c->xflags };
	xlate_err xe;
	const char *in = c->resp.data ? c->resp.data : "";
	int rc = c->codec->response(&cx, in, c->resp.len, &c->scratch, &out, NULL, &xe);
	arena_reset(&c->scratch);
	if (rc < 0) {
		buf_free(&out);
		if (xe.kind == XLATE_E_UPSTREAM)
			map_upstream_error(c, xe.status ? xe.status : 500, &e);
		else if (xe.kind == XLATE_E_SERIALIZATION)
			gateway_fail(&e, GATEWAY_SERIALIZATION, "serialization error: %s", xe.msg);
		else
			gateway_fail(&e, GATEWAY_INTERNAL, "internal error: %s", xe.msg);
		finish_error(c, &e);
		return;
	}
	gateway_sink s = c->sink;
	call_release(c);
	s.respond(s.ud, 200, "application/json", out.data ? out.data : "", out.len, -1);
	buf_free(&out);
}

/* The whole answer of an upstream that could not stream (c->fake_stream),
 * sent to the client as the SSE stream it asked for. */
static void fake_stream_respond(gateway_call *c)
{
	bool usage = false;
	int iu = json_path(&c->body.doc, 0, "stream_options.include_usage");
	if (iu >= 0)
		json_bool(&c->body.doc, iu, &usage);
	xlate_err xe;
	int rc = xlate_completion_chunks(c->resp.data ? c->resp.data : "", c->resp.len, usage, &c->scratch, &c->lines,
					 &xe);
	arena_reset(&c->scratch);
	if (rc < 0) {
		gateway_error e;
		gateway_fail(&e, xe.kind == XLATE_E_SERIALIZATION ? GATEWAY_SERIALIZATION : GATEWAY_INTERNAL, "%s: %s",
			     xe.kind == XLATE_E_SERIALIZATION ? "serialization error" : "internal error", xe.msg);
		finish_error(c, &e);
		return;
	}
	gateway_sink s = c->sink;
	if (s.begin(s.ud, 200, "text/event-stream") < 0) {
		call_release(c);
		return;
	}
	frame_lines(c);
	sse_write_data(&c->out, STR_LIT("[DONE]"));
	int w = s.write(s.ud, c->out.data, c->out.len);
	call_release(c);
	if (w >= 0)
		s.end(s.ud);
}

static void on_done(http_client_req *r, int err, const char *reason, void *ud)
{
	(void)r;
	gateway_call *c = ud;
	if (c->finished)
		return;
	c->h = NULL;
	gateway_error e;
	if (c->began) {
		if (err) {
			char msg[GATEWAY_MSG_MAX];
			snprintf(msg, sizeof msg, "streaming error: %s",
				 reason && *reason ? reason : http_client_err_name(err));
			stream_abort(c, msg, false);
			return;
		}
		if (c->aws_stream && eventstream_dec_pending(&c->evs)) {
			stream_abort(c, "streaming error: the upstream event stream ended inside a message", false);
			return;
		}
		if (c->codec && !c->saw_done) {
			xlate_err xe;
			int rc = c->codec->stream_end(c->st, &c->lines, &xe);
			if (rc < 0) {
				char msg[XLATE_ERR_MSG_MAX + 32];
				snprintf(msg, sizeof msg, "streaming error: %s", xe.msg);
				stream_abort(c, msg, false);
				return;
			}
			frame_lines(c);
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
	if ((err || c->status >= 300) && c->attempt < c->max_retries && gateway_retryable(err, c->status)) {
		double j = 0.75;
		rand_unit(&j);
		j = 0.5 + j / 2;
		uint32_t ms = gateway_backoff_ms(c->attempt, err ? 0 : c->status, c->retry_after, j);
		log_debug("gateway: retry %u of %u in %u ms (%s)", c->attempt + 1, c->max_retries, ms,
			  err ? http_client_err_name(err) : "upstream status");
		buf_reset(&c->resp);
		if (have_timer(c)) {
			c->waiting = true;
			c->up.timer_set(c->timer, ms ? ms : 1);
			return;
		}
		c->attempt++;
		if (send_attempt(c, &e) < 0)
			finish_error(c, &e);
		return;
	}
	if (err) {
		gateway_map_transport(err, reason, &e);
		finish_error(c, &e);
		return;
	}
	if (c->status >= 300) {
		map_upstream_error(c, c->status, &e);
		if (e.kind == GATEWAY_RATE_LIMITED)
			e.retry_after = c->retry_after;
		finish_error(c, &e);
		return;
	}
	if (c->codec) {
		translated_respond(c);
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
	if (c->route.target.adapter == PROVIDER_ADAPTER_AZURE && c->op && c->op->chat && status == 200)
		gateway_azure_fix(&rb, &c->scratch);
	if (c->fake_stream && status == 200) {
		c->resp = rb;
		fake_stream_respond(c);
		return;
	}
	call_release(c);
	s.respond(s.ud, status, ct, rb.data ? rb.data : "", rb.len, -1);
	buf_free(&rb);
}

/* ---- start ------------------------------------------------------------------------ */

/* AWS Signature V4 over this attempt's request (Bedrock): host, path and
 * query from c->url, the body, the time now; the signed headers are added
 * after the fixed ones (re-signed on every retry, so the date stays fresh). */
static int sign_attempt(gateway_call *c, gateway_error *e)
{
	const provider_target *t = &c->route.target;
	const char *u = strstr(c->url, "://");
	if (!u)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: bad upstream URL");
	u += 3;
	size_t hl = strcspn(u, "/?");
	char host[512];
	if (hl >= sizeof host)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: upstream host too long");
	memcpy(host, u, hl);
	host[hl] = 0;
	const char *path = u + hl;
	size_t pl = strcspn(path, "?");
	char pathz[sizeof c->url];
	memcpy(pathz, path, pl);
	pathz[pl] = 0;
	sigv4_param q[SIGV4_MAX_QUERY];
	size_t nq = 0;
	if (path[pl] == '?') {
		/* provider URLs put only unreserved characters in their queries */
		const char *qp = path + pl + 1;
		while (*qp && nq < SIGV4_MAX_QUERY) {
			size_t kl = strcspn(qp, "&");
			const char *eq = memchr(qp, '=', kl);
			q[nq].name = qp;
			q[nq].name_len = eq ? (size_t)(eq - qp) : kl;
			q[nq].value = eq ? eq + 1 : qp + kl;
			q[nq].value_len = eq ? kl - (size_t)(eq - qp) - 1 : 0;
			nq++;
			qp += kl + (qp[kl] == '&');
		}
	}
	char ak[256], sk[256], tok[4096], region[64];
	str_to_cbuf(t->aws_access_key, ak, sizeof ak);
	str_to_cbuf(t->aws_secret_key, sk, sizeof sk);
	str_to_cbuf(t->aws_session_token, tok, sizeof tok);
	str_to_cbuf(t->region, region, sizeof region);
	sigv4_output_free(&c->sig);
	sigv4_input in = {
		.method = c->method, .host = host, .path = pathz, .query = q, .nquery = nq,
		.body = c->req.data, .body_len = c->req.len, .region = region, .service = "bedrock",
		.access_key_id = ak, .secret_access_key = sk, .session_token = tok,
		.time = clock_wall_s(),
	};
	int rc = sigv4_sign(&in, &c->sig);
	ct_wipe(sk, sizeof sk);
	if (rc < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: cannot sign the request (SigV4)");
	for (size_t i = 0; i < c->sig.nadd; i++) {
		const sigv4_header *h = &c->sig.add[i];
		/* the token header points at tok (a stack copy): use the target's slice */
		str v = h->value == tok ? t->aws_session_token : str_make(h->value, h->value_len);
		if (c->nhdrs < CALL_MAX_HEADERS)
			c->hdrs[c->nhdrs++] = (http_header){ str_make(h->name, h->name_len), v };
	}
	return 0;
}

static int send_attempt(gateway_call *c, gateway_error *e)
{
	c->nhdrs = c->nhdrs_fixed;
	if (c->route.target.cred == PROVIDER_CRED_AWS && sign_attempt(c, e) < 0)
		return -1;
	c->status = 0;
	c->retry_after = -1;
	c->ctype[0] = 0;
	http_client_spec s = {
		.method = str_from(c->method),
		.url = str_make(c->url, c->url_len),
		.headers = c->hdrs,
		.nheaders = c->nhdrs,
		.body = str_make(c->req.data, c->req.len),
		.timeouts = { .total_ms = c->total_ms },
		.cb = { on_head, on_data, on_done },
		.ud = c,
	};
	char err[512];
	int rc = c->up.request(c->up.ud, &s, &c->h, err, sizeof err);
	if (rc < 0) {
		c->h = NULL;
		gateway_map_transport(rc, err, e);
		return -1;
	}
	return 0;
}

static bool adapter_forwardable(provider_adapter a)
{
	/* Cohere: chat is translated; embeddings, rerank and the rest go to
	 * {base}{OpenAI path} as they are (providers.md) */
	return a == PROVIDER_ADAPTER_COMPAT || a == PROVIDER_ADAPTER_OPENAI || a == PROVIDER_ADAPTER_MISTRAL ||
	       a == PROVIDER_ADAPTER_AZURE || a == PROVIDER_ADAPTER_COHERE || a == PROVIDER_ADAPTER_COPILOT;
}

static void add_header(gateway_call *c, const char *name, str value)
{
	if (c->nhdrs < CALL_MAX_HEADERS)
		c->hdrs[c->nhdrs++] = (http_header){ str_from(name), value };
}

/* Auth, adapter static headers and the entry's extra_headers. */
static int add_target_headers(gateway_call *c, arena *a, gateway_error *e)
{
	const provider_target *t = &c->route.target;
	provider_header ah;
	if (t->cred == PROVIDER_CRED_KEY && provider_auth_render(t->auth, t->key, &ah)) {
		size_t pl = strlen(ah.prefix);
		char *v = arena_alloc(a, pl + ah.value.n + 1);
		if (!v)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
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
	return 0;
}

static uint32_t timeout_ms(const gateway_call *c)
{
	uint64_t tmo = c->route.model ? c->route.model->timeout_secs : c->g->cfg->general.default_timeout_secs;
	return (uint32_t)(tmo > 4000000 ? 4000000000u : tmo * 1000);
}

static gateway_call *call_new(gateway *g, const gateway_upstream *up, const gateway_sink *sink, arena *a)
{
	gateway_call *c = arena_calloc(a, 1, sizeof *c);
	if (!c)
		return NULL;
	c->g = g;
	c->up = *up;
	c->sink = *sink;
	c->retry_after = -1;
	c->method = "POST";
	c->max_retries = g->cfg->general.max_retries;
	buf_init(&c->resp, LIMIT_UPSTREAM_BODY_BYTES);
	arena_init(&c->scratch, 0, CALL_SCRATCH_CAP);
	return c;
}

/* The minted credential is there (e == NULL) or could not be had. */
static void on_token(void *ud, const gateway_error *te)
{
	gateway_call *c = ud;
	gateway_error e;
	if (c->finished)
		return;
	if (te) {
		finish_error(c, te);
		return;
	}
	add_header(c, "Authorization", str_make(c->tok.value, c->tok.len));
	c->nhdrs_fixed = c->nhdrs;
	if (send_attempt(c, &e) < 0)
		finish_error(c, &e);
}

/* The first attempt, after the credential the target must mint first
 * (gateway_token.h: retries reuse it). 0, or -1 with e. */
static int call_go(gateway_call *c, gateway_error *e)
{
	c->total_ms = timeout_ms(c);
	int rc = gateway_token_begin(c->g->tokens, &c->route.target, &c->up, &c->tok, on_token, c, e);
	if (rc < 0)
		return -1;
	if (c->tok.value)
		add_header(c, "Authorization", str_make(c->tok.value, c->tok.len));
	c->nhdrs_fixed = c->nhdrs;
	return rc > 0 ? 0 : send_attempt(c, e);
}

/* Translate the client's body with the codec into c->req, add the codec's
 * computed header, and set up the stream state. 0, or -1 with e. */
static int codec_prepare(gateway_call *c, arena *a, gateway_error *e)
{
	const xlate_codec *k = c->codec;
	xlate_ctx cx = { .model = c->route.target.model, .stream = c->streaming };
	xlate_req_info info = { 0 };
	xlate_err xe;
	int rc = k->request(&cx, c->client_body.p ? c->client_body.p : "", c->client_body.n, &c->scratch, &c->req,
			    &info, &xe);
	arena_reset(&c->scratch);
	c->xflags = info.flags;
	if (rc < 0) {
		if (xe.kind == XLATE_E_BAD_REQUEST)
			return gateway_fail(e, GATEWAY_BAD_REQUEST, "bad request: %s", xe.msg);
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: %s", xe.msg);
	}
	if (info.batch_url && provider_url(&c->route.target, c->op->pop, true, STR_NULL, c->url, sizeof c->url,
					   &c->url_len) < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: cannot build the upstream URL");
	if (k->header_value && k->header_value(c->req.data, c->req.len, &c->scratch, c->xhdr) > 0)
		add_header(c, k->header_name, str_from(c->xhdr));
	arena_reset(&c->scratch);
	if (c->streaming) {
		if (!k->stream_feed || !(c->st = arena_calloc(a, 1, k->stream_size)))
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: %s",
					    k->stream_feed ? "out of memory" : "the provider does not stream");
		xlate_ctx sx = { .model = c->route.target.model, .id = str_from(k->id),
				 .created = clock_wall_s(), .include_usage = info.include_usage };
		k->stream_init(c->st, &sx);
	}
	return 0;
}

/* A form op's upstream body (multipart/form-data) and its Content-Type. */
static int form_prepare(gateway_call *c, arena *a, gateway_error *e)
{
	char ct[128];
	if (gateway_body_rewrite_form(&c->body, &c->route.target, &c->req, ct, sizeof ct) < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: cannot build the upstream form");
	char *h = arena_strndup(a, ct, strlen(ct));
	if (!h)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
	add_header(c, "Content-Type", str_from(h));
	return 0;
}

gateway_call *gateway_call_start(gateway *g, const gateway_upstream *up, const gateway_op *op,
				 const gateway_principal *p, str body, arena *a, const gateway_sink *sink)
{
	return gateway_call_start_ct(g, up, op, p, body, STR_NULL, a, sink);
}

gateway_call *gateway_call_start_ct(gateway *g, const gateway_upstream *up, const gateway_op *op,
				    const gateway_principal *p, str body, str ctype, arena *a,
				    const gateway_sink *sink)
{
	gateway_error e;
	gateway_call *c = call_new(g, up, sink, a);
	if (!c) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: out of memory");
		respond_error(sink, &e);
		return NULL;
	}
	c->op = op;
	c->client_body = body;
	if (gateway_body_check_ct(op, body, ctype, a, &c->body, &e) < 0)
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
	c->codec = xlate_codec_for(t->adapter, op->pop);
	if (c->streaming && !c->codec && gateway_stream_dropped(t)) {
		c->streaming = false;
		c->fake_stream = true;
	}
	if (!adapter_forwardable(t->adapter) && !c->codec) {
		gateway_fail(&e, GATEWAY_ENDPOINT_NOT_SUPPORTED, "provider %s does not support %s",
			     provider_adapter_get(t->adapter)->name, op->endpoint);
		goto fail;
	}
	if (provider_url(t, op->pop, c->streaming, STR_NULL, c->url, sizeof c->url, &c->url_len) < 0) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: cannot build the upstream URL");
		goto fail;
	}
	if (!op->form || c->codec)
		add_header(c, "Content-Type", STR_LIT("application/json"));
	c->aws_stream = c->streaming && provider_adapter_get(t->adapter)->stream_format == PROVIDER_STREAM_AWS_EVENT_STREAM;
	if (c->streaming)
		add_header(c, "Accept", c->aws_stream ? STR_LIT("application/vnd.amazon.eventstream") :
							 STR_LIT("text/event-stream"));
	if (c->aws_stream)
		eventstream_dec_init(&c->evs, LIMIT_SSE_EVENT_BYTES);
	if (op->form && !c->codec) {
		if (form_prepare(c, a, &e) < 0)
			goto fail;
	} else if (c->codec) {
		if (codec_prepare(c, a, &e) < 0)
			goto fail;
	} else {
		/* the rewrite is about the client's body: one allocation instead of a
		 * doubling series (a failed reserve is harmless: the rewrite reports) */
		(void)buf_reserve(&c->req, body.n + CALL_REWRITE_SLACK);
		if (gateway_body_rewrite(&c->body, t, &c->req) < 0) {
			gateway_fail(&e, GATEWAY_INTERNAL, "internal error: cannot build the upstream body");
			goto fail;
		}
	}
	if (add_target_headers(c, a, &e) < 0)
		goto fail;
	if (call_go(c, &e) < 0)
		goto fail;
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
	if (c->h)
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

/* ---- management operations ---------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *method;
	provider_op pop;
} mops[GATEWAY_M__COUNT] = {
	[GATEWAY_M_CREATE_FILE] = { "create_file", "POST", PROVIDER_OP_FILES },
	[GATEWAY_M_LIST_FILES] = { "list_files", "GET", PROVIDER_OP_FILES },
	[GATEWAY_M_RETRIEVE_FILE] = { "retrieve_file", "GET", PROVIDER_OP_FILE },
	[GATEWAY_M_DELETE_FILE] = { "delete_file", "DELETE", PROVIDER_OP_FILE },
	[GATEWAY_M_FILE_CONTENT] = { "file_content", "GET", PROVIDER_OP_FILE_CONTENT },
	[GATEWAY_M_CREATE_BATCH] = { "create_batch", "POST", PROVIDER_OP_BATCHES },
	[GATEWAY_M_LIST_BATCHES] = { "list_batches", "GET", PROVIDER_OP_BATCHES },
	[GATEWAY_M_RETRIEVE_BATCH] = { "retrieve_batch", "GET", PROVIDER_OP_BATCH },
	[GATEWAY_M_CANCEL_BATCH] = { "cancel_batch", "POST", PROVIDER_OP_BATCH_CANCEL },
	[GATEWAY_M_CREATE_RESPONSE] = { "create_response", "POST", PROVIDER_OP_RESPONSES },
	[GATEWAY_M_RETRIEVE_RESPONSE] = { "retrieve_response", "GET", PROVIDER_OP_RESPONSE },
	[GATEWAY_M_CANCEL_RESPONSE] = { "cancel_response", "POST", PROVIDER_OP_RESPONSE_CANCEL },
};

const char *gateway_mop_name(gateway_mop op)
{
	return (unsigned)op < GATEWAY_M__COUNT ? mops[op].name : NULL;
}

int gateway_mop_find(const char *name)
{
	for (int i = 0; name && i < GATEWAY_M__COUNT; i++)
		if (strcmp(mops[i].name, name) == 0)
			return i;
	return -1;
}

/* The string member key of the body's top object: 1 found, 0 absent/null,
 * -1 wrong type. */
static int body_str(const json_doc *d, const char *key, arena *a, str *out)
{
	int v = json_get(d, 0, key);
	*out = STR_NULL;
	if (v < 0 || json_is_null(d, v))
		return 0;
	if (json_typeof(d, v) != JSON_STRING || json_str(d, v, a, out) < 0)
		return -1;
	return 1;
}

static int check_required(const json_doc *d, const char *const *keys, arena *a, gateway_error *e)
{
	for (size_t i = 0; keys[i]; i++) {
		str s;
		int rc = body_str(d, keys[i], a, &s);
		if (rc < 0)
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "invalid type for `%s`, expected a string", keys[i]);
		if (rc == 0)
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "missing field `%s`", keys[i]);
	}
	return 0;
}

/* The provider's create_file body: the client's form as it is (checked by
 * gateway_upload_read), or a form built from the JSON upload. Frees u->raw. */
static int upload_body(gateway_call *c, const gateway_mreq *m, gateway_upload *u, arena *a, gateway_error *e)
{
	if (u->form) {
		if (buf_append(&c->req, m->body.p ? m->body.p : "", m->body.n) < 0)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		add_header(c, "Content-Type", m->content_type);
		return 0;
	}
	char boundary[GATEWAY_BOUNDARY_SIZE];
	buf fname = { 0 };
	multipart_writer w;
	int rc = gateway_form_boundary(boundary, u->data) < 0 ? ERR_IO : 0;
	if (!rc)
		rc = gateway_form_safe_name(&fname, u->filename);
	if (!rc) {
		multipart_writer_init(&w, &c->req, str_from(boundary));
		multipart_write_field(&w, STR_LIT("purpose"), u->purpose);
		multipart_write_file(&w, STR_LIT("file"), str_make(fname.data ? fname.data : "", fname.len), STR_NULL,
				     u->data);
		rc = multipart_write_end(&w);
	}
	buf_free(&u->raw);
	buf_free(&fname);
	if (rc < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: upload too large");
	char *h = arena_alloc(a, 128);
	if (!h || multipart_content_type(str_from(boundary), h, 128) < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
	add_header(c, "Content-Type", str_from(h));
	return 0;
}

/* The body of a management POST into c->req (and its content type header). */
static int master_body(gateway_call *c, const gateway_mreq *m, arena *a, gateway_error *e)
{
	str ct = m->content_type;
	str mt, rest;
	str_cut(ct, ';', &mt, &rest);
	mt = str_trim(mt);
	bool json = str_eq_nocase(mt, STR_LIT("application/json"));
	if (m->op == GATEWAY_M_CREATE_FILE) {
		gateway_upload u;
		if (gateway_upload_read(m, a, &u, e) < 0) {
			buf_free(&u.raw);
			return -1;
		}
		return upload_body(c, m, &u, a, e);
	}
	if (!json)
		return gateway_fail(e, GATEWAY_UNSUPPORTED_MEDIA, "Expected request with `Content-Type: application/json`");
	json_doc d;
	if (gateway_json_object(m->body, a, &d, e) < 0)
		return -1;
	if (m->op == GATEWAY_M_CREATE_BATCH) {
		static const char *const req[] = { "input_file_id", "endpoint", "completion_window", NULL };
		if (check_required(&d, req, a, e) < 0)
			return -1;
	} else if (m->op == GATEWAY_M_CREATE_RESPONSE) {
		static const char *const req[] = { "model", NULL };
		if (check_required(&d, req, a, e) < 0)
			return -1;
		int in = json_get(&d, 0, "input");
		if (in < 0)
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "missing field `input`");
		int st = json_get(&d, 0, "stream");
		bool stream = false;
		if (st >= 0 && !json_is_null(&d, st) && json_bool(&d, st, &stream) < 0)
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "invalid type for `stream`, expected a boolean");
		if (stream)
			return gateway_fail(e, GATEWAY_BAD_REQUEST,
					    "bad request: streaming is not offered on /v1/responses; "
					    "send \"stream\": false (or omit it)");
	}
	if (buf_append(&c->req, m->body.p, m->body.n) < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
	add_header(c, "Content-Type", STR_LIT("application/json"));
	return 0;
}

static gateway_call *master_start(gateway *g, const gateway_upstream *up, const gateway_principal *p,
				  const gateway_mreq *m, arena *a, const gateway_sink *sink, bool local)
{
	gateway_error e;
	gateway_call *c = call_new(g, up, sink, a);
	if (!c) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: out of memory");
		respond_error(sink, &e);
		return NULL;
	}
	if ((unsigned)m->op >= GATEWAY_M__COUNT) {
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: unknown operation");
		goto fail;
	}
	if (!p->master) {
		gateway_fail(&e, GATEWAY_FORBIDDEN, "endpoint '%s' requires master-key access; key '%s' is restricted",
			     mops[m->op].name, p->key_id);
		goto fail;
	}
	if (local && g->files) {
		/* [files] mode = "local": the store answers, or the op goes on to
		 * the provider (0); a running local op is the call's upstream
		 * handle, so cancel reaches it (nothing of c is allocated yet) */
		int fr = gateway_files_start(g, p, m, a, sink, &c->up, &c->h);
		if (fr)
			return fr > 0 ? c : NULL;
	}
	if (gateway_default_target(g, &c->route, &e) < 0)
		goto fail;
	c->method = mops[m->op].method;
	if (m->op == GATEWAY_M_CREATE_FILE)
		c->max_retries = 0;
	provider_op pop = mops[m->op].pop;
	if (provider_url(&c->route.target, pop, false, m->id, c->url, sizeof c->url, &c->url_len) < 0) {
		gateway_fail(&e, GATEWAY_BAD_REQUEST, "bad request: invalid id");
		goto fail;
	}
	if (m->query.n) {
		if (c->url_len + 1 + m->query.n >= sizeof c->url) {
			gateway_fail(&e, GATEWAY_BAD_REQUEST, "bad request: query string too long");
			goto fail;
		}
		char sep = memchr(c->url, '?', c->url_len) ? '&' : '?';
		c->url[c->url_len++] = sep;
		memcpy(c->url + c->url_len, m->query.p, m->query.n);
		c->url_len += m->query.n;
		c->url[c->url_len] = 0;
	}
	if (strcmp(c->method, "POST") == 0 && m->op != GATEWAY_M_CANCEL_BATCH && m->op != GATEWAY_M_CANCEL_RESPONSE) {
		if (master_body(c, m, a, &e) < 0)
			goto fail;
	}
	if (add_target_headers(c, a, &e) < 0)
		goto fail;
	if (call_go(c, &e) < 0)
		goto fail;
	log_debug("gateway: %s -> %s %s", mops[m->op].name, c->method, c->url);
	return c;
fail:
	call_release(c);
	respond_error(sink, &e);
	return NULL;
}

gateway_call *gateway_master_start(gateway *g, const gateway_upstream *up, const gateway_principal *p,
				   const gateway_mreq *m, arena *a, const gateway_sink *sink)
{
	return master_start(g, up, p, m, a, sink, true);
}

gateway_call *gateway_master_proxy(gateway *g, const gateway_upstream *up, const gateway_principal *p,
				   const gateway_mreq *m, arena *a, const gateway_sink *sink)
{
	return master_start(g, up, p, m, a, sink, false);
}

/* ---- the production upstream over http_client ------------------------------------------ */

typedef struct hc_timer {
	loop_timer t;
	loop *l;
	void (*fn)(void *arg);
	void *arg;
} hc_timer;

static int hc_request(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen)
{
	http_client_req *r = NULL;
	int rc = http_client_request(((gateway_http *)ud)->client, s, &r, err, errlen);
	*h = r;
	return rc;
}

static void hc_pause(void *h) { http_client_pause(h); }
static void hc_resume(void *h) { http_client_resume(h); }
static void hc_cancel(void *h) { http_client_cancel(h); }

static void hc_timer_fire(loop *l, void *ud)
{
	(void)l;
	hc_timer *t = ud;
	t->fn(t->arg);
}

static void *hc_timer_new(void *ud, void (*fn)(void *arg), void *arg)
{
	hc_timer *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	loop_timer_init(&t->t, hc_timer_fire, t);
	t->l = ((gateway_http *)ud)->loop;
	t->fn = fn;
	t->arg = arg;
	return t;
}

static void hc_timer_set(void *p, uint32_t ms)
{
	hc_timer *t = p;
	if (ms)
		loop_timer_start(t->l, &t->t, ms);
	else
		loop_timer_stop(t->l, &t->t);
}

static void hc_timer_free(void *p)
{
	hc_timer *t = p;
	if (!t)
		return;
	loop_timer_stop(t->l, &t->t);
	free(t);
}

/* post: fn(arg) on the client's loop (the loop's allocation-free queue) */
typedef struct hc_post_item {
	loop_post_item it;
	void (*fn)(void *arg);
	void *arg;
} hc_post_item;

static void hc_post_run(loop *l, void *ud)
{
	(void)l;
	hc_post_item p = *(hc_post_item *)ud;
	free(ud);
	p.fn(p.arg);
}

static int hc_post(void *ud, void (*fn)(void *arg), void *arg)
{
	hc_post_item *p = calloc(1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	p->it.fn = hc_post_run;
	p->it.ud = p;
	p->fn = fn;
	p->arg = arg;
	loop_enqueue(((gateway_http *)ud)->loop, &p->it);
	return 0;
}

gateway_upstream gateway_upstream_http(gateway_http *h)
{
	return (gateway_upstream){ hc_request, hc_pause, hc_resume, hc_cancel, h,
				   hc_timer_new, hc_timer_set, hc_timer_free, hc_post };
}
