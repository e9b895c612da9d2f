/* proxy.c — the REST adapter: route table, public health routes, auth,
 * 404/405/415, CORS, /v1/models, and the model-routed operations handed to
 * the gateway with an http_request-backed sink. */
#include "proxy/proxy.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "json/json_write.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proxy {
	proxy_config pc;
	bool cors_wildcard;
};

typedef struct proxy_worker {
	http_client *hc;
	gateway_http gh;
	gateway_upstream up;
} proxy_worker;

/* one request (in its arena) */
typedef struct preq {
	http_request *r;
	proxy *p;
	gateway_call *call;
	gateway_sink sink;
	http_header cors[3];
	size_t ncors;
} preq;

/* ---- route table --------------------------------------------------------------------- */

typedef struct route_def {
	const char *pattern;          /* "{id}" matches one segment */
	proxy_route_kind kind;
	bool is_public;
	const char *methods;
	gateway_op_id op;
	const char *master[3][2];     /* method -> master op name */
} route_def;

static const route_def routes[] = {
	{ "/health", PROXY_R_HEALTH, true, "GET", 0, { { NULL } } },
	{ "/health/liveness", PROXY_R_LIVENESS, true, "GET", 0, { { NULL } } },
	{ "/health/readiness", PROXY_R_READINESS, true, "GET", 0, { { NULL } } },
	{ "/healthz", PROXY_R_HEALTHZ, true, "GET", 0, { { NULL } } },
	{ "/readyz", PROXY_R_READYZ, true, "GET", 0, { { NULL } } },
	{ "/openapi.json", PROXY_R_OPENAPI, true, "GET", 0, { { NULL } } },
	{ "/v1/models", PROXY_R_MODELS, false, "GET", 0, { { NULL } } },
	{ "/v1/models/{id}", PROXY_R_MODEL, false, "GET", 0, { { NULL } } },
	{ "/v1/chat/completions", PROXY_R_OP, false, "POST", GATEWAY_OP_CHAT, { { NULL } } },
	{ "/v1/embeddings", PROXY_R_OP, false, "POST", GATEWAY_OP_EMBEDDINGS, { { NULL } } },
	{ "/v1/images/generations", PROXY_R_OP, false, "POST", GATEWAY_OP_IMAGES, { { NULL } } },
	{ "/v1/audio/speech", PROXY_R_OP, false, "POST", GATEWAY_OP_SPEECH, { { NULL } } },
	{ "/v1/audio/transcriptions", PROXY_R_OP, false, "POST", GATEWAY_OP_TRANSCRIPTIONS, { { NULL } } },
	{ "/v1/moderations", PROXY_R_OP, false, "POST", GATEWAY_OP_MODERATIONS, { { NULL } } },
	{ "/v1/rerank", PROXY_R_OP, false, "POST", GATEWAY_OP_RERANK, { { NULL } } },
	{ "/v1/search", PROXY_R_OP, false, "POST", GATEWAY_OP_SEARCH, { { NULL } } },
	{ "/v1/ocr", PROXY_R_OP, false, "POST", GATEWAY_OP_OCR, { { NULL } } },
	{ "/v1/files", PROXY_R_MASTER, false, "GET,POST", 0, { { "POST", "create_file" }, { "GET", "list_files" } } },
	{ "/v1/files/{id}", PROXY_R_MASTER, false, "GET,DELETE", 0,
	  { { "GET", "retrieve_file" }, { "DELETE", "delete_file" } } },
	{ "/v1/files/{id}/content", PROXY_R_MASTER, false, "GET", 0, { { "GET", "file_content" } } },
	{ "/v1/batches", PROXY_R_MASTER, false, "GET,POST", 0,
	  { { "POST", "create_batch" }, { "GET", "list_batches" } } },
	{ "/v1/batches/{id}", PROXY_R_MASTER, false, "GET", 0, { { "GET", "retrieve_batch" } } },
	{ "/v1/batches/{id}/cancel", PROXY_R_MASTER, false, "POST", 0, { { "POST", "cancel_batch" } } },
	{ "/v1/responses", PROXY_R_MASTER, false, "POST", 0, { { "POST", "create_response" } } },
	{ "/v1/responses/{id}", PROXY_R_MASTER, false, "GET", 0, { { "GET", "retrieve_response" } } },
	{ "/v1/responses/{id}/cancel", PROXY_R_MASTER, false, "POST", 0, { { "POST", "cancel_response" } } },
};

static bool pattern_match(const char *pat, str path, str *id)
{
	str p = str_from(pat);
	size_t i = 0, j = 0;
	while (i < p.n && j < path.n) {
		if (p.p[i] == '{') {
			size_t k = j;
			while (k < path.n && path.p[k] != '/')
				k++;
			if (k == j)
				return false;
			*id = str_make(path.p + j, k - j);
			j = k;
			while (i < p.n && p.p[i] != '}')
				i++;
			i++;
			continue;
		}
		if (p.p[i] != path.p[j])
			return false;
		i++;
		j++;
	}
	return i == p.n && j == path.n;
}

static bool method_in(const char *list, str m)
{
	str l = str_from(list), head, tail;
	while (l.n) {
		bool more = str_cut(l, ',', &head, &tail);
		if (str_eq(head, m))
			return true;
		if (!more)
			break;
		l = tail;
	}
	return false;
}

proxy_route proxy_match(str path, str method, bool *method_ok)
{
	proxy_route rt = { 0 };
	*method_ok = false;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const route_def *d = &routes[i];
		str id = STR_NULL;
		if (!pattern_match(d->pattern, path, &id))
			continue;
		rt.kind = d->kind;
		rt.is_public = d->is_public;
		rt.methods = d->methods;
		rt.op = d->op;
		rt.id = id;
		str m = str_eq_cstr(method, "HEAD") && method_in(d->methods, STR_LIT("GET")) ? STR_LIT("GET") : method;
		*method_ok = method_in(d->methods, m);
		for (size_t k = 0; k < 3 && d->master[k][0]; k++)
			if (str_eq_cstr(m, d->master[k][0]))
				rt.master_op = d->master[k][1];
		return rt;
	}
	return rt;
}

bool proxy_json_ctype(str ct)
{
	str mt, rest;
	str_cut(ct, ';', &mt, &rest);
	mt = str_trim(mt);
	if (str_eq_nocase(mt, STR_LIT("application/json")))
		return true;
	return str_starts_with_nocase(mt, STR_LIT("application/")) && str_ends_with(mt, STR_LIT("+json"));
}

/* ---- responses --------------------------------------------------------------------------- */

#define MAX_RESP_HEADERS 8

static size_t base_headers(preq *q, http_header *h, const char *ctype)
{
	size_t n = 0;
	if (ctype)
		h[n++] = (http_header){ STR_LIT("Content-Type"), str_from(ctype) };
	for (size_t i = 0; i < q->ncors; i++)
		h[n++] = q->cors[i];
	return n;
}

static void reply(preq *q, int status, const char *ctype, const void *body, size_t n)
{
	http_header h[MAX_RESP_HEADERS];
	size_t nh = base_headers(q, h, ctype);
	http_respond(q->r, status, h, nh, body, n);
}

static void send_error(preq *q, gateway_kind k, const char *msg)
{
	buf b = { 0 };
	b.cap = 8192;
	if (gateway_error_json(&b, k, msg, strlen(msg)) < 0)
		reply(q, 500, NULL, NULL, 0);
	else
		reply(q, gateway_kind_status(k), "application/json", b.data, b.len);
	buf_free(&b);
}

static void send_405(preq *q, const char *methods)
{
	http_header h[MAX_RESP_HEADERS];
	size_t nh = base_headers(q, h, NULL);
	h[nh++] = (http_header){ STR_LIT("Allow"), str_from(methods) };
	http_respond(q->r, 405, h, nh, NULL, 0);
}

/* ---- sink over the http_request ----------------------------------------------------------- */

static void sink_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after)
{
	preq *q = ud;
	http_header h[MAX_RESP_HEADERS];
	size_t nh = base_headers(q, h, ctype);
	char ra[24];
	if (retry_after >= 0 && status == 429) {
		snprintf(ra, sizeof ra, "%d", retry_after);
		h[nh++] = (http_header){ STR_LIT("Retry-After"), str_from(ra) };
	}
	http_respond(q->r, status, h, nh, body, n);
}

static int sink_begin(void *ud, int status, const char *ctype)
{
	preq *q = ud;
	http_header h[MAX_RESP_HEADERS];
	size_t nh = base_headers(q, h, ctype);
	h[nh++] = (http_header){ STR_LIT("Cache-Control"), STR_LIT("no-cache") };
	return http_resp_begin(q->r, status, h, nh) < 0 ? -1 : 0;
}

static int sink_write(void *ud, const char *p, size_t n)
{
	preq *q = ud;
	int rc = http_resp_write(q->r, p, n);
	return rc < 0 ? -1 : rc == HTTP_RESP_FULL ? 1 : 0;
}

static void sink_end(void *ud)
{
	preq *q = ud;
	http_resp_end(q->r);
}

static void hook_abort(http_request *r, void *ud)
{
	(void)r;
	preq *q = ud;
	gateway_call_cancel(q->call);
}

static void hook_drain(http_request *r, void *ud)
{
	(void)r;
	preq *q = ud;
	gateway_call_resume(q->call);
}

static void hook_timeout(http_request *r, void *ud)
{
	(void)r;
	preq *q = ud;
	gateway_call_cancel(q->call);
	send_error(q, GATEWAY_TIMEOUT, "request timeout");
}

static const http_req_hooks hooks = { hook_abort, hook_drain, hook_timeout };

/* ---- CORS ---------------------------------------------------------------------------------- */

/* Fill q->cors for a request with an Origin the config allows. Returns true
 * when CORS is on and the origin is allowed. */
static bool cors_setup(preq *q)
{
	const config_strlist *co = &q->p->pc.cfg->server.cors_origins;
	str origin = http_req_header(q->r, "Origin");
	if (!co->n || !origin.p)
		return false;
	if (q->p->cors_wildcard) {
		q->cors[q->ncors++] = (http_header){ STR_LIT("Access-Control-Allow-Origin"), STR_LIT("*") };
		return true;
	}
	for (size_t i = 0; i < co->n; i++)
		if (str_eq_cstr(origin, co->v[i])) {
			q->cors[q->ncors++] = (http_header){ STR_LIT("Access-Control-Allow-Origin"), origin };
			q->cors[q->ncors++] = (http_header){ STR_LIT("Vary"), STR_LIT("origin") };
			return true;
		}
	return false;
}

static void cors_preflight(preq *q, bool allowed)
{
	http_header h[MAX_RESP_HEADERS];
	size_t nh = base_headers(q, h, NULL);
	if (allowed) {
		h[nh++] = (http_header){ STR_LIT("Access-Control-Allow-Methods"), STR_LIT("*") };
		h[nh++] = (http_header){ STR_LIT("Access-Control-Allow-Headers"),
					 q->p->cors_wildcard ? STR_LIT("content-type,accept") : STR_LIT("*") };
	}
	http_respond(q->r, 200, h, nh, NULL, 0);
}

/* ---- public routes -------------------------------------------------------------------------- */

static uint64_t uptime_s(const proxy *p)
{
	return (clock_mono_ms() - p->pc.start_mono_ms) / 1000;
}

static const char openapi_doc[] =
	"{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"liter-llm Proxy\",\"version\":\"1.0.0\"},"
	"\"components\":{\"securitySchemes\":{\"bearerAuth\":{\"type\":\"http\",\"scheme\":\"bearer\"}},"
	"\"schemas\":{\"ErrorResponse\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{\"error\":"
	"{\"type\":\"object\",\"required\":[\"message\",\"type\"],\"properties\":{\"message\":{\"type\":\"string\"},"
	"\"type\":{\"type\":\"string\"},\"param\":{\"type\":[\"string\",\"null\"]},\"code\":{\"type\":[\"string\","
	"\"null\"]}}}}}}},\"security\":[{\"bearerAuth\":[]}],\"paths\":{";

static void openapi(preq *q)
{
	buf b = { 0 };
	buf_puts(&b, openapi_doc);
	bool first = true;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const route_def *d = &routes[i];
		if (d->is_public)
			continue;
		buf_printf(&b, "%s\"%s\":{", first ? "" : ",", d->pattern);
		first = false;
		str l = str_from(d->methods), head, tail;
		bool f2 = true;
		for (;;) {
			bool more = str_cut(l, ',', &head, &tail);
			char lower[8] = { 0 };
			for (size_t k = 0; k < head.n && k < 7; k++)
				lower[k] = (char)(head.p[k] | 0x20);
			buf_printf(&b, "%s\"%s\":{\"operationId\":\"%s_%zu\",%s\"responses\":{\"200\":{\"description\":"
				       "\"OK\"},\"default\":{\"description\":\"Error\",\"content\":{\"application/json\":"
				       "{\"schema\":{\"$ref\":\"#/components/schemas/ErrorResponse\"}}}}}}",
				   f2 ? "" : ",", lower, lower, i,
				   strcmp(lower, "post") != 0 ? "" :
				   d->kind == PROXY_R_OP && gateway_op_get(d->op)->form ?
					   "\"requestBody\":{\"content\":{\"application/json\":{\"schema\":{\"type\":"
					   "\"object\"}},\"multipart/form-data\":{\"schema\":{\"type\":\"object\"}}}}," :
					   "\"requestBody\":{\"content\":{\"application/json\":"
					   "{\"schema\":{\"type\":\"object\"}}}},");
			f2 = false;
			if (!more)
				break;
			l = tail;
		}
		buf_puts(&b, "}");
	}
	buf_puts(&b, "}}");
	reply(q, 200, "application/json", b.data, b.len);
	buf_free(&b);
}

static void public_route(preq *q, const proxy_route *rt)
{
	proxy *p = q->p;
	char tmp[256];
	int n;
	switch (rt->kind) {
	case PROXY_R_HEALTH: {
		buf b = { 0 };
		gateway_health_json(p->pc.gw, &b);
		reply(q, 200, "application/json", b.data, b.len);
		buf_free(&b);
		return;
	}
	case PROXY_R_LIVENESS:
		reply(q, 200, NULL, NULL, 0);
		return;
	case PROXY_R_READINESS:
		reply(q, gateway_ready(p->pc.gw) ? 200 : 503, NULL, NULL, 0);
		return;
	case PROXY_R_HEALTHZ:
		n = snprintf(tmp, sizeof tmp, "{\"status\":\"ok\",\"uptime_seconds\":%llu,\"version\":\"%s\"}",
			     (unsigned long long)uptime_s(p), LITER_LLM_VERSION);
		reply(q, 200, "application/json", tmp, (size_t)n);
		return;
	case PROXY_R_READYZ:
		if (gateway_ready(p->pc.gw)) {
			n = snprintf(tmp, sizeof tmp, "{\"status\":\"ready\",\"uptime_seconds\":%llu}",
				     (unsigned long long)uptime_s(p));
			reply(q, 200, "application/json", tmp, (size_t)n);
		} else {
			static const char nr[] = "{\"status\":\"not_ready\",\"failed_probe\":\"service_pool\",\"reason\":"
						 "\"no upstream models are configured\"}";
			reply(q, 503, "application/json", nr, sizeof nr - 1);
		}
		return;
	case PROXY_R_OPENAPI:
		openapi(q);
		return;
	default:
		reply(q, 404, NULL, NULL, 0);
		return;
	}
}

/* ---- /v1/models ----------------------------------------------------------------------------- */

static void model_obj(json_writer *w, str name)
{
	json_write_obj_begin(w);
	json_write_kv_strn(w, "id", name.p, name.n);
	json_write_kv_str(w, "object", "model");
	json_write_kv_i64(w, "created", 0);
	json_write_kv_str(w, "owned_by", "liter-llm-proxy");
	json_write_obj_end(w);
}

static void models_fn(void *ud, str name)
{
	model_obj(ud, name);
}

static void list_models(preq *q, const gateway_principal *pr)
{
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "object", "list");
	json_write_key(&w, "data");
	json_write_arr_begin(&w);
	gateway_models_each(q->p->pc.gw, pr, models_fn, &w);
	json_write_arr_end(&w);
	json_write_obj_end(&w);
	if (json_write_finish(&w) < 0)
		send_error(q, GATEWAY_INTERNAL, "internal error: model list too large");
	else
		reply(q, 200, "application/json", b.data, b.len);
	buf_free(&b);
}

static void get_model(preq *q, const gateway_principal *pr, str id)
{
	if (!gateway_model_exists(q->p->pc.gw, pr, id)) {
		char msg[GATEWAY_MSG_MAX];
		snprintf(msg, sizeof msg, "model '" STR_FMT "' not found", (int)(id.n > 300 ? 300 : id.n), id.p);
		send_error(q, GATEWAY_NOT_FOUND, msg);
		return;
	}
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, 0);
	model_obj(&w, id);
	reply(q, 200, "application/json", b.data, b.len);
	buf_free(&b);
}

/* ---- the request -------------------------------------------------------------------------------- */

static void on_request(http_request *r, void *ud)
{
	proxy *p = ud;
	preq *q = arena_calloc(r->arena, 1, sizeof *q);
	if (!q) {
		http_respond(r, 500, NULL, 0, NULL, 0);
		return;
	}
	q->r = r;
	q->p = p;
	bool cors_ok = cors_setup(q);
	if (r->method == HTTP_METHOD_OPTIONS && p->pc.cfg->server.cors_origins.n &&
	    http_req_header(r, "Origin").p && http_req_header(r, "Access-Control-Request-Method").p) {
		cors_preflight(q, cors_ok);
		return;
	}
	bool mok;
	proxy_route rt = proxy_match(r->path_decoded, r->method_name, &mok);
	if (rt.kind == PROXY_R_NONE) {
		reply(q, 404, NULL, NULL, 0);
		return;
	}
	if (rt.is_public) {
		if (!mok)
			send_405(q, rt.methods);
		else
			public_route(q, &rt);
		return;
	}
	gateway_principal pr;
	gateway_error e;
	if (gateway_auth(p->pc.gw, http_req_header(r, "Authorization"), &pr, &e) < 0) {
		send_error(q, e.kind, e.msg);
		return;
	}
	if (!mok) {
		send_405(q, rt.methods);
		return;
	}
	switch (rt.kind) {
	case PROXY_R_MODELS:
		list_models(q, &pr);
		return;
	case PROXY_R_MODEL:
		get_model(q, &pr, rt.id);
		return;
	case PROXY_R_MASTER: {
		int mop = gateway_mop_find(rt.master_op);
		if (mop < 0) {
			reply(q, 404, NULL, NULL, 0);
			return;
		}
		gateway_mreq m = { .op = (gateway_mop)mop, .id = rt.id, .body = r->body,
				   .content_type = http_req_header(r, "Content-Type") };
		if (r->query.p)
			m.query = r->query;
		if (!m.content_type.p)
			m.content_type = STR_LIT("");
		proxy_worker *pw = http_req_worker_ud(r);
		q->sink = (gateway_sink){ sink_respond, sink_begin, sink_write, sink_end, q };
		http_req_set_hooks(r, &hooks, q);
		gateway_call *c = gateway_master_start(p->pc.gw, &pw->up, &pr, &m, r->arena, &q->sink);
		if (c)
			q->call = c;
		return;
	}
	case PROXY_R_OP:
		break;
	default:
		reply(q, 404, NULL, NULL, 0);
		return;
	}
	/* rest-api.md "Body parsing": JSON, or a form where the op takes one (415 else) */
	const gateway_op *op = gateway_op_get(rt.op);
	str ct = http_req_header(r, "Content-Type");
	if (!ct.p || !(proxy_json_ctype(ct) || (op->form && multipart_is_form(ct)))) {
		send_error(q, GATEWAY_UNSUPPORTED_MEDIA,
			   op->form ? "Expected request with `Content-Type: application/json` or "
				      "`Content-Type: multipart/form-data`"
				    : "Expected request with `Content-Type: application/json`");
		return;
	}
	proxy_worker *pw = http_req_worker_ud(r);
	q->sink = (gateway_sink){ sink_respond, sink_begin, sink_write, sink_end, q };
	http_req_set_hooks(r, &hooks, q);
	gateway_call *c = gateway_call_start_ct(p->pc.gw, &pw->up, op, &pr, r->body, ct, r->arena, &q->sink);
	if (c) /* else r has ended (answered) and q is gone */
		q->call = c;
}

/* ---- workers ------------------------------------------------------------------------------------ */

static int on_worker_start(worker *w, void *ud, void **wud)
{
	proxy *p = ud;
	proxy_worker *pw = calloc(1, sizeof *pw);
	if (!pw)
		return ERR_NOMEM;
	int rc = http_client_new(&pw->hc, worker_loop(w), p->pc.dns, p->pc.tls, p->pc.policy, p->pc.http_proxy, NULL);
	if (rc < 0) {
		free(pw);
		return ERR_NOMEM;
	}
	pw->gh = (gateway_http){ pw->hc, worker_loop(w) };
	pw->up = gateway_upstream_http(&pw->gh);
	*wud = pw;
	return 0;
}

static void on_worker_stop(worker *w, void *ud, void *wud)
{
	(void)w;
	(void)ud;
	proxy_worker *pw = wud;
	if (!pw)
		return;
	http_client_free(pw->hc);
	free(pw);
}

int proxy_new(proxy **out, const proxy_config *pc)
{
	proxy *p = calloc(1, sizeof *p);
	if (!p)
		return ERR_NOMEM;
	p->pc = *pc;
	p->cors_wildcard = config_cors_wildcard(pc->cfg);
	*out = p;
	return 0;
}

void proxy_free(proxy *p)
{
	free(p);
}

http_handler proxy_handler(proxy *p)
{
	return (http_handler){ .on_request = on_request, .worker_start = on_worker_start,
			       .worker_stop = on_worker_stop, .ud = p };
}
