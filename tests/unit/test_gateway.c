/* test_gateway.c — the pure parts of the gateway: error envelope and
 * upstream-status mapping, body checks and rewrite, auth decisions, routing
 * (pools, aliases, zero-config), and the call state machine driven through a
 * fake upstream interface (non-stream, errors, stream framing, backpressure,
 * dropped stream, cancel). */
#include "gateway/gateway.h"
#include "base/err.h"
#include "t.h"
#include <stdlib.h>
#include <string.h>

static const char *env_none(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "OPENAI_API_KEY") == 0)
		return "sk-env";
	return NULL;
}

static config *load(const char *text)
{
	config *c = NULL;
	config_errors e = { 0 };
	if (config_load_text("t.toml", text, strlen(text), NULL, NULL, &c, &e) < 0)
		printf("config: %s\n", e.n ? e.v[0].text : "?");
	config_errors_free(&e);
	return c;
}

static const char *CFG = "[general]\nmaster_key = \"sk-master-0001\"\n"
			 "[[models]]\nname = \"a\"\nprovider_model = \"openai/gpt-4o\"\napi_key = \"k1\"\n"
			 "[[models]]\nname = \"p\"\nprovider_model = \"openai/x1\"\napi_key = \"k\"\n"
			 "[[models]]\nname = \"p\"\nprovider_model = \"openai/x2\"\napi_key = \"k\"\n"
			 "[[models]]\nname = \"c\"\nprovider_model = \"anthropic/claude-x\"\napi_key = \"ak\"\n"
			 "[[aliases]]\npattern = \"groq/*\"\napi_key = \"gk\"\n"
			 "[[keys]]\nkey = \"vk-token-0001\"\nmodels = [\"a\"]\n";

TEST(error_envelope)
{
	buf b = { 0 };
	CHECK_EQ_INT(gateway_error_json(&b, GATEWAY_NOT_FOUND, "model 'x' not found", 19), 0);
	CHECK_EQ_STR(b.data, "{\"error\":{\"message\":\"model 'x' not found\",\"type\":\"NotFound\",\"param\":null,\"code\":null}}");
	buf_reset(&b);
	char msg[400];
	memset(msg, 'a', sizeof msg);
	msg[0] = '\x01';
	msg[1] = '\t';
	gateway_error_json(&b, GATEWAY_BAD_REQUEST, msg, sizeof msg);
	const char *m = strstr(b.data, "\"message\":\"") + 11;
	CHECK(m[0] == '\\' && m[1] == 't');
	CHECK_EQ_INT(strstr(m, "\",") - m, 2 + 199); /* tab (escaped) + 199 a's = 200 chars */
	buf_free(&b);
	CHECK_EQ_INT(gateway_kind_status(GATEWAY_UNPROCESSABLE), 422);
	CHECK_EQ_STR(gateway_kind_name(GATEWAY_UNPROCESSABLE), "BadRequest");
	CHECK_EQ_STR(gateway_kind_name(GATEWAY_CONTEXT_WINDOW), "ContextWindowExceeded");
}

TEST(upstream_mapping)
{
	gateway_error e;
	gateway_map_upstream(403, STR_LIT("{\"error\":{\"message\":\"bad key\"}}"), &e);
	CHECK(e.kind == GATEWAY_AUTHENTICATION);
	CHECK_EQ_STR(e.msg, "authentication failed: bad key");
	gateway_map_upstream(502, STR_LIT("plain text"), &e);
	CHECK(e.kind == GATEWAY_SERVICE_UNAVAILABLE);
	CHECK_EQ_STR(e.msg, "service unavailable: plain text");
	gateway_map_upstream(400, STR_LIT("{\"error\":{\"message\":\"m\",\"code\":\"context_length_exceeded\"}}"), &e);
	CHECK(e.kind == GATEWAY_CONTEXT_WINDOW);
	gateway_map_upstream(422, STR_LIT("{\"error\":{\"message\":\"blocked by content_filter\"}}"), &e);
	CHECK(e.kind == GATEWAY_CONTENT_POLICY);
	gateway_map_upstream(418, STR_LIT("x"), &e);
	CHECK(e.kind == GATEWAY_BAD_REQUEST);
	gateway_map_upstream(408, STR_LIT("x"), &e);
	CHECK(e.kind == GATEWAY_TIMEOUT);
	gateway_map_upstream(599, STR_LIT("x"), &e);
	CHECK(e.kind == GATEWAY_SERVER_ERROR);
	gateway_map_upstream(429, STR_LIT(""), &e);
	CHECK(e.kind == GATEWAY_RATE_LIMITED);
	gateway_map_transport(HTTP_CLIENT_E_FORBIDDEN, "outbound request to http://x forbidden: y", &e);
	CHECK(e.kind == GATEWAY_OUTBOUND_FORBIDDEN);
	gateway_map_transport(HTTP_CLIENT_E_CONNECT, "connect failed", &e);
	CHECK(e.kind == GATEWAY_NETWORK && gateway_kind_status(e.kind) == 502);
}

static int check_body(gateway_op_id op, const char *body, gateway_kind *k)
{
	arena a = { 0 };
	gateway_body bd;
	gateway_error e;
	int rc = gateway_body_check(gateway_op_get(op), str_from(body), &a, &bd, &e);
	*k = rc < 0 ? e.kind : GATEWAY_OK;
	arena_free(&a);
	return rc;
}

TEST(body_checks)
{
	gateway_kind k;
	CHECK_EQ_INT(check_body(GATEWAY_OP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
				  "\"temperature\":0.5,\"n\":1,\"stop\":null,\"new_field\":{\"x\":1}}", &k), 0);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"model\":", &k) < 0 && k == GATEWAY_BAD_REQUEST);
	CHECK(check_body(GATEWAY_OP_CHAT, "[]", &k) < 0 && k == GATEWAY_BAD_REQUEST);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"messages\":[]}", &k) < 0 && k == GATEWAY_BAD_REQUEST);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"model\":\"m\",\"messages\":[],\"n\":1.5}", &k) < 0);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"model\":\"m\",\"messages\":[],\"stream\":\"yes\"}", &k) < 0);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"bot\"}]}", &k) < 0);
	CHECK(check_body(GATEWAY_OP_CHAT, "{\"model\":\"m\"}", &k) < 0 && k == GATEWAY_BAD_REQUEST);
	CHECK(check_body(GATEWAY_OP_EMBEDDINGS, "{\"model\":\"m\",\"input\":3}", &k) < 0 && k == GATEWAY_UNPROCESSABLE);
	CHECK(check_body(GATEWAY_OP_EMBEDDINGS, "{\"input\":\"x\"}", &k) < 0 && k == GATEWAY_UNPROCESSABLE);
	CHECK(check_body(GATEWAY_OP_EMBEDDINGS, "{\"model\":", &k) < 0 && k == GATEWAY_BAD_REQUEST);
	CHECK_EQ_INT(check_body(GATEWAY_OP_IMAGES, "{\"prompt\":\"cat\"}", &k), 0); /* model defaults */
	CHECK_EQ_INT(check_body(GATEWAY_OP_MODERATIONS, "{\"input\":[\"a\"]}", &k), 0);
	CHECK(check_body(GATEWAY_OP_SPEECH, "{\"model\":\"m\",\"input\":\"x\"}", &k) < 0); /* voice missing */
}

TEST(body_rewrite)
{
	arena a = { 0 };
	gateway_body bd;
	gateway_error e;
	provider_target t;
	char err[256];
	provider_entry pe = { .name = "x", .provider_model = STR_LIT("openai/gpt-4o"), .api_key = STR_LIT("k") };
	CHECK_EQ_INT(provider_build(&pe, (provider_env){ 0 }, &t, err, sizeof err), 0);
	const char *in = "{\"model\":\"alias\",\"messages\":[],\"stream\":true,\"x\":1,"
			 "\"extra_body\":{\"x\":2,\"stream\":false,\"top_k\":3}}";
	CHECK_EQ_INT(gateway_body_check(gateway_op_get(GATEWAY_OP_CHAT), str_from(in), &a, &bd, &e), 0);
	CHECK(bd.stream);
	buf out = { 0 };
	CHECK_EQ_INT(gateway_body_rewrite(&bd, &t, &out), 0);
	CHECK_EQ_STR(out.data, "{\"model\":\"gpt-4o\",\"messages\":[],\"stream\":true,\"x\":2,\"top_k\":3}");
	/* a row with a parameter rename */
	const provider_row *row = NULL;
	for (size_t i = 0; i < provider_count() && !row; i++)
		if (provider_at(i)->n_param_maps && provider_at(i)->klass == PROVIDER_OPENAI_COMPAT)
			row = provider_at(i);
	CHECK(row != NULL);
	char pm[128] = "x/mm"; /* t.model points into it: must outlive t */
	if (row) {
		snprintf(pm, sizeof pm, "%s/mm", row->name);
		provider_entry pe2 = { .name = "y", .provider_model = str_from(pm), .api_key = STR_LIT("k") };
		CHECK_EQ_INT(provider_build(&pe2, (provider_env){ 0 }, &t, err, sizeof err), 0);
		const char *in2 = "{\"model\":\"y\",\"messages\":[],\"max_tokens\":1,\"max_completion_tokens\":9}";
		CHECK_EQ_INT(gateway_body_check(gateway_op_get(GATEWAY_OP_CHAT), str_from(in2), &a, &bd, &e), 0);
		buf_reset(&out);
		CHECK_EQ_INT(gateway_body_rewrite(&bd, &t, &out), 0);
		CHECK_EQ_STR(out.data, "{\"model\":\"mm\",\"messages\":[],\"max_tokens\":9,\"stream\":false}");
	}
	/* chat always says whether it streams: "stream": null -> false in place;
	 * extra_body never sets it (providers.md "Request construction") */
	CHECK_EQ_INT(gateway_body_check(gateway_op_get(GATEWAY_OP_CHAT),
					STR_LIT("{\"stream\":null,\"model\":\"a\",\"messages\":[],"
						"\"extra_body\":{\"stream\":true}}"), &a, &bd, &e), 0);
	buf_reset(&out);
	CHECK_EQ_INT(gateway_body_rewrite(&bd, &t, &out), 0);
	CHECK_EQ_STR(out.data, "{\"stream\":false,\"model\":\"mm\",\"messages\":[]}");
	/* default model inserted */
	CHECK_EQ_INT(gateway_body_check(gateway_op_get(GATEWAY_OP_IMAGES), STR_LIT("{\"prompt\":\"c\"}"), &a, &bd, &e), 0);
	CHECK(str_eq_cstr(bd.model, "dall-e-3"));
	buf_reset(&out);
	CHECK_EQ_INT(gateway_body_rewrite(&bd, &t, &out), 0);
	CHECK_EQ_STR(out.data, "{\"model\":\"mm\",\"prompt\":\"c\"}");
	buf_free(&out);
	arena_free(&a);
}

TEST(auth_and_routing)
{
	config *c = load(CFG);
	CHECK(c != NULL);
	if (!c)
		return;
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	gateway_principal p;
	gateway_error e;
	CHECK(gateway_auth(g, STR_NULL, &p, &e) < 0 && e.kind == GATEWAY_AUTHENTICATION);
	CHECK_EQ_STR(e.msg, "Missing or invalid Authorization header");
	CHECK(gateway_auth(g, STR_LIT("Basic sk-master-0001"), &p, &e) < 0);
	CHECK(gateway_auth(g, STR_LIT("bearer sk-master-0001"), &p, &e) < 0);
	CHECK(gateway_auth(g, STR_LIT("Bearer sk-master-0002"), &p, &e) < 0);
	CHECK_EQ_STR(e.msg, "Invalid API key");
	CHECK(gateway_auth(g, STR_LIT("Bearer "), &p, &e) < 0);
	CHECK_EQ_INT(gateway_auth(g, STR_LIT("Bearer sk-master-0001"), &p, &e), 0);
	CHECK(p.master && gateway_allowed(&p, STR_LIT("anything")));
	CHECK_EQ_INT(gateway_auth(g, STR_LIT("Bearer vk-token-0001"), &p, &e), 0);
	CHECK(!p.master && p.key && strncmp(p.key_id, "vk-", 3) == 0 && strlen(p.key_id) == 19);
	CHECK(gateway_allowed(&p, STR_LIT("a")) && !gateway_allowed(&p, STR_LIT("p")));
	CHECK(gateway_model_exists(g, &p, STR_LIT("a")) && !gateway_model_exists(g, &p, STR_LIT("p")));

	gateway_route r;
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("a"), &r, &e), 0);
	CHECK(str_eq_cstr(r.target.model, "gpt-4o") && r.model == &c->models[0]);
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("p"), &r, &e), 0);
	str first = r.target.model;
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("p"), &r, &e), 0);
	CHECK(!str_eq(first, r.target.model));
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("p"), &r, &e), 0);
	CHECK(str_eq(first, r.target.model));
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("groq/llama-3"), &r, &e), 0);
	CHECK(str_eq_cstr(r.target.model, "llama-3") && str_eq_cstr(r.target.key, "gk"));
	CHECK(gateway_route_model(g, STR_LIT("A"), &r, &e) < 0 && e.kind == GATEWAY_NOT_FOUND);
	CHECK_EQ_STR(e.msg, "model 'A' not found");
	CHECK(gateway_route_model(g, STR_LIT("openai/gpt-4o"), &r, &e) < 0); /* no zero-config with models */
	gateway_free(g);
	config_free(c);
}

TEST(zero_config)
{
	config *c = config_new_default();
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	CHECK(gateway_zero_config(g) && gateway_ready(g));
	gateway_route r;
	gateway_error e;
	CHECK_EQ_INT(gateway_route_model(g, STR_LIT("openai/gpt-4o-mini"), &r, &e), 0);
	CHECK(str_eq_cstr(r.target.model, "gpt-4o-mini") && str_eq_cstr(r.target.key, "sk-env"));
	CHECK(gateway_route_model(g, STR_LIT("groq/x"), &r, &e) < 0 && e.kind == GATEWAY_NOT_FOUND);
	CHECK(strstr(e.msg, "GROQ_API_KEY") != NULL);
	CHECK(gateway_model_exists(g, NULL, STR_LIT("openai/gpt-4o")));
	/* no master key, no keys: every token is refused */
	gateway_principal p;
	CHECK(gateway_auth(g, STR_LIT("Bearer x"), &p, &e) < 0 && e.kind == GATEWAY_AUTHENTICATION);
	gateway_free(g);
	config_free(c);
}

/* ---- the call machine over a fake upstream ---------------------------------------------- */

typedef struct fake {
	http_client_spec spec;
	void (*tfn)(void *);
	void *targ;
	uint32_t tms;
	int tfreed;
	char xkey[64], method[16], ctype[128];
	int requests, paused, resumed, cancelled;
	char url[512];
	char body[1024];
	char auth[128];
	/* sink side */
	int status, begun, ended, responded, full;
	buf out;
} fake;

static int f_request(void *ud, const http_client_spec *s, void **h, char *err, size_t n)
{
	(void)err;
	(void)n;
	fake *f = ud;
	f->spec = *s;
	f->requests++;
	str_to_cbuf(s->url, f->url, sizeof f->url);
	str_to_cbuf(s->body, f->body, sizeof f->body);
	str_to_cbuf(s->method, f->method, sizeof f->method);
	f->xkey[0] = f->ctype[0] = 0;
	for (size_t i = 0; i < s->nheaders; i++) {
		if (str_eq_cstr(s->headers[i].name, "Authorization"))
			str_to_cbuf(s->headers[i].value, f->auth, sizeof f->auth);
		if (str_eq_cstr(s->headers[i].name, "x-api-key") || str_eq_cstr(s->headers[i].name, "x-goog-api-key"))
			str_to_cbuf(s->headers[i].value, f->xkey, sizeof f->xkey);
		if (str_eq_cstr(s->headers[i].name, "Content-Type"))
			str_to_cbuf(s->headers[i].value, f->ctype, sizeof f->ctype);
	}
	*h = f;
	return 0;
}
static void f_pause(void *h) { ((fake *)h)->paused++; }
static void f_resume(void *h) { ((fake *)h)->resumed++; }
static void f_cancel(void *h) { ((fake *)h)->cancelled++; }
static void *t_new(void *ud, void (*fn)(void *), void *arg)
{
	fake *f = ud;
	f->tfn = fn;
	f->targ = arg;
	f->tms = 0;
	return f;
}
static void t_set(void *t, uint32_t ms) { ((fake *)t)->tms = ms; }
static void t_free(void *t)
{
	if (t)
		((fake *)t)->tfreed++;
}
static void t_fire(fake *f)
{
	f->tms = 0;
	f->tfn(f->targ);
}

static void s_respond(void *ud, int status, const char *ct, const char *body, size_t n, int ra)
{
	(void)ct;
	(void)ra;
	fake *f = ud;
	f->status = status;
	f->responded++;
	buf_append(&f->out, body, n);
}
static int s_begin(void *ud, int status, const char *ct)
{
	(void)ct;
	fake *f = ud;
	f->status = status;
	f->begun++;
	return 0;
}
static int s_write(void *ud, const char *p, size_t n)
{
	fake *f = ud;
	buf_append(&f->out, p, n);
	return f->full ? 1 : 0;
}
static void s_end(void *ud) { ((fake *)ud)->ended++; }

static void deliver(fake *f, int status, const char *ct, const char *body, int err)
{
	http_header h[1] = { { STR_LIT("Content-Type"), str_from(ct) } };
	http_client_resp resp = { .status = status, .headers = h, .nheaders = 1, .content_length = -1 };
	f->spec.cb.on_head(NULL, &resp, f->spec.ud);
	if (body)
		f->spec.cb.on_data(NULL, body, strlen(body), f->spec.ud);
	f->spec.cb.on_done(NULL, err, err ? "connection reset by upstream" : "", f->spec.ud);
}

TEST(call_machine)
{
	config *c = load(CFG);
	if (!c)
		return;
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	fake f;
	memset(&f, 0, sizeof f);
	gateway_upstream up = { f_request, f_pause, f_resume, f_cancel, &f, NULL, NULL, NULL, NULL };
	gateway_sink sink = { s_respond, s_begin, s_write, s_end, &f };
	gateway_principal master = { .master = true };
	arena a = { 0 };
	const gateway_op *chat = gateway_op_get(GATEWAY_OP_CHAT);

	/* non-stream pass-through */
	gateway_call *call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	CHECK(call != NULL && f.requests == 1);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/chat/completions");
	CHECK_EQ_STR(f.body, "{\"model\":\"gpt-4o\",\"messages\":[],\"stream\":false}");
	CHECK_EQ_STR(f.auth, "Bearer k1");
	deliver(&f, 200, "application/json", "{\"id\":\"x\",\"odd\":1}", 0);
	CHECK(f.responded == 1 && f.status == 200);
	CHECK_EQ_STR(f.out.data, "{\"id\":\"x\",\"odd\":1}");

	/* upstream error mapped */
	buf_reset(&f.out);
	f.responded = 0;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	deliver(&f, 401, "application/json", "{\"error\":{\"message\":\"nope\"}}", 0);
	CHECK(f.status == 401 && strstr(f.out.data, "authentication failed: nope") && strstr(f.out.data, "\"Authentication\""));

	/* errors before the upstream: answered at once, NULL */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"zz\",\"messages\":[]}"), &a, &sink);
	CHECK(call == NULL && f.status == 404 && f.requests == 2);
	gateway_principal vk = { .key = &c->keys[0] };
	strcpy(vk.key_id, "vk-0000000000000000");
	call = gateway_call_start(g, &up, chat, &vk, STR_LIT("{\"model\":\"p\",\"messages\":[]}"), &a, &sink);
	CHECK(call == NULL && f.status == 403);

	/* stream: events re-framed, split events joined, [DONE] added, backpressure */
	buf_reset(&f.out);
	f.responded = 0;
	f.full = 1;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[],\"stream\":true}"), &a,
				  &sink);
	CHECK(call != NULL);
	http_header h[1] = { { STR_LIT("Content-Type"), STR_LIT("text/event-stream") } };
	http_client_resp resp = { .status = 200, .headers = h, .nheaders = 1 };
	f.spec.cb.on_head(NULL, &resp, f.spec.ud);
	CHECK(f.begun == 1);
	f.spec.cb.on_data(NULL, "data: {\"a\":1}\n\nevent: x\ndata:{\"b\"", 33, f.spec.ud);
	CHECK(f.paused == 1);
	gateway_call_resume(call);
	CHECK(f.resumed == 1);
	f.full = 0;
	f.spec.cb.on_data(NULL, ":2}\n\n: comment\n\n", 17, f.spec.ud);
	f.spec.cb.on_done(NULL, 0, "", f.spec.ud);
	CHECK_EQ_STR(f.out.data, "data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n");
	CHECK(f.ended == 1 && f.responded == 0);

	/* dropped stream: error event then [DONE] */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[],\"stream\":true}"), &a,
				  &sink);
	deliver(&f, 200, "text/event-stream", "data: {\"a\":1}\n\n", HTTP_CLIENT_E_TRUNCATED);
	CHECK(strstr(f.out.data, "data: {\"error\":{\"message\":\"streaming error: ") != NULL);
	CHECK(strstr(f.out.data, "\"type\":\"Streaming\"") != NULL);
	CHECK(f.out.len > 14 && strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0);

	/* cancel: upstream cancelled once, nothing more on the sink */
	int ended = f.ended, responded = f.responded;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	gateway_call_cancel(call);
	gateway_call_cancel(call);
	CHECK(f.cancelled == 1 && f.ended == ended && f.responded == responded);

	buf_free(&f.out);
	arena_free(&a);
	gateway_free(g);
	config_free(c);
}

TEST(retry_rules)
{
	CHECK(gateway_retryable(-1, 0) && gateway_retryable(0, 429) && gateway_retryable(0, 529));
	CHECK(gateway_retryable(0, 503) && !gateway_retryable(0, 400) && !gateway_retryable(0, 401));
	CHECK(!gateway_retryable(0, 501));
	CHECK_EQ_INT(gateway_backoff_ms(0, 429, 7, 0.5), 7000);
	CHECK_EQ_INT(gateway_backoff_ms(0, 529, 600, 0.5), 60000);
	CHECK_EQ_INT(gateway_backoff_ms(0, 503, 7, 0.5), 500);   /* Retry-After only for 429/529 */
	CHECK_EQ_INT(gateway_backoff_ms(2, 500, -1, 0.5), 2000);
	CHECK_EQ_INT(gateway_backoff_ms(9, 0, -1, 0.5), 15000);   /* capped at 30 s x jitter */
	CHECK(gateway_backoff_ms(1, 0, -1, 0.99) < 2000);
}

TEST(self_loop)
{
	CHECK(gateway_url_is_self(STR_LIT("http://127.0.0.1:4000/v1"), "0.0.0.0", 4000));
	CHECK(gateway_url_is_self(STR_LIT("http://localhost:4000"), "127.0.0.1", 4000));
	CHECK(gateway_url_is_self(STR_LIT("http://[::1]:4000/v1"), "::", 4000));
	CHECK(gateway_url_is_self(STR_LIT("http://10.1.2.3:4000/v1"), "10.1.2.3", 4000));
	CHECK(!gateway_url_is_self(STR_LIT("http://127.0.0.1:4001/v1"), "0.0.0.0", 4000));
	CHECK(!gateway_url_is_self(STR_LIT("https://api.openai.com/v1"), "0.0.0.0", 443));
	CHECK(!gateway_url_is_self(STR_LIT("http://127.0.0.1:4000/v1"), "10.1.2.3", 4000));
	CHECK(gateway_url_is_self(STR_LIT("http://127.0.0.1/v1"), "0.0.0.0", 80));
	config *c = load("[[models]]\nname = \"m\"\nprovider_model = \"openai/x\"\napi_key = \"k\"\n"
			 "base_url = \"http://127.0.0.1:4555/v1\"\n");
	if (!c)
		return;
	gateway *g;
	char err[512];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	CHECK_EQ_INT(gateway_check_self_loop(g, "0.0.0.0", 4555, err, sizeof err), -1);
	CHECK(strstr(err, "model 'm'") && strstr(err, "request loop"));
	CHECK_EQ_INT(gateway_check_self_loop(g, "0.0.0.0", 4556, err, sizeof err), 0);
	gateway_free(g);
	config_free(c);
}

static void on_stream(fake *f, const char *ct)
{
	http_header h[1] = { { STR_LIT("Content-Type"), str_from(ct) } };
	http_client_resp resp = { .status = 200, .headers = h, .nheaders = 1, .content_length = -1 };
	f->spec.cb.on_head(NULL, &resp, f->spec.ud);
}

TEST(anthropic_retries_keepalive_master)
{
	config *c = load(CFG);
	if (!c)
		return;
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	fake f;
	memset(&f, 0, sizeof f);
	gateway_upstream up = { f_request, f_pause, f_resume, f_cancel, &f, t_new, t_set, t_free, NULL };
	gateway_sink sink = { s_respond, s_begin, s_write, s_end, &f };
	gateway_principal master = { .master = true };
	arena a = { 0 };
	const gateway_op *chat = gateway_op_get(GATEWAY_OP_CHAT);

	/* Anthropic non-stream: translated request, x-api-key, translated response */
	gateway_call *call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"c\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
			"{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://api.anthropic.com/v1/messages");
	CHECK_EQ_STR(f.xkey, "ak");
	CHECK(strstr(f.body, "\"model\":\"claude-x\"") && strstr(f.body, "\"system\":[") &&
	      strstr(f.body, "\"max_tokens\":4096"));
	deliver(&f, 200, "application/json",
		"{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":"
		"[{\"type\":\"text\",\"text\":\"Hello\"}],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,"
		"\"output_tokens\":1}}", 0);
	CHECK(f.status == 200 && strstr(f.out.data, "\"object\":\"chat.completion\"") &&
	      strstr(f.out.data, "\"content\":\"Hello\"") && strstr(f.out.data, "\"finish_reason\":\"stop\""));
	CHECK(f.tfreed == 0); /* no timer made for a plain call */

	/* Anthropic error body mapped */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"c\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
				  &a, &sink);
	deliver(&f, 400, "application/json",
		"{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"max_tokens too big\"}}", 0);
	CHECK(f.status == 400 && strstr(f.out.data, "bad request: max_tokens too big"));
	/* local validation: empty messages */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"c\",\"messages\":[]}"), &a, &sink);
	CHECK(call == NULL && f.status == 400 && strstr(f.out.data, "messages array must not be empty"));

	/* Anthropic stream: events translated, [DONE], keep-alive comment on the timer */
	buf_reset(&f.out);
	f.ended = 0;
	call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"c\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	CHECK(call != NULL && strstr(f.body, "\"stream\":true"));
	on_stream(&f, "text/event-stream");
	CHECK(f.tms == GATEWAY_KEEPALIVE_MS);
	t_fire(&f);
	CHECK_EQ_STR(f.out.data, ":\n\n");
	CHECK(f.tms == GATEWAY_KEEPALIVE_MS);
	buf_reset(&f.out);
	const char *evs = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_9\",\"model\":\"claude-x\","
			  "\"usage\":{\"input_tokens\":2,\"output_tokens\":0}}}\n\n"
			  "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
			  "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
			  "event: ping\ndata: {\"type\":\"ping\"}\n\n"
			  "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n"
			  "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n"
			  "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
	/* byte by byte */
	for (size_t i = 0; evs[i]; i++)
		f.spec.cb.on_data(NULL, evs + i, 1, f.spec.ud);
	f.spec.cb.on_done(NULL, 0, "", f.spec.ud);
	CHECK(strstr(f.out.data, "data: {\"id\":\"msg_9\",\"object\":\"chat.completion.chunk\"") != NULL);
	CHECK(strstr(f.out.data, "\"content\":\"Hel\"") && strstr(f.out.data, "\"content\":\"lo\"") &&
	      strstr(f.out.data, "\"finish_reason\":\"stop\""));
	CHECK(f.out.len > 14 && strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0);
	CHECK(f.ended == 1);

	/* Anthropic stream error event -> error chunk + [DONE] */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"c\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	on_stream(&f, "text/event-stream");
	const char *ee = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
	int cancelled = f.cancelled;
	f.spec.cb.on_data(NULL, ee, strlen(ee), f.spec.ud);
	CHECK(strstr(f.out.data, "\"type\":\"Streaming\"") && strstr(f.out.data, "Overloaded"));
	CHECK(strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0 && f.cancelled == cancelled + 1);

	/* retries: 503 then 429 (Retry-After 0) then success, on the timer */
	buf_reset(&f.out);
	int req0 = f.requests;
	f.responded = 0;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	deliver(&f, 503, "application/json", "{\"error\":{\"message\":\"busy\"}}", 0);
	CHECK(f.responded == 0 && f.requests == req0 + 1 && f.tms >= 500 && f.tms < 1000);
	t_fire(&f);
	CHECK(f.requests == req0 + 2);
	http_header rh[1] = { { STR_LIT("Retry-After"), STR_LIT("0") } };
	http_client_resp r429 = { .status = 429, .headers = rh, .nheaders = 1, .content_length = -1 };
	f.spec.cb.on_head(NULL, &r429, f.spec.ud);
	f.spec.cb.on_done(NULL, 0, "", f.spec.ud);
	CHECK(f.responded == 0 && f.tms == 1);
	t_fire(&f);
	CHECK(f.requests == req0 + 3);
	deliver(&f, 200, "application/json", "{\"ok\":1}", 0);
	CHECK(f.responded == 1 && f.status == 200);
	CHECK_EQ_STR(f.out.data, "{\"ok\":1}");
	/* not retryable: 400 at once; exhausted: the last error */
	buf_reset(&f.out);
	f.responded = 0;
	req0 = f.requests;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	for (int i = 0; i < 3; i++) {
		deliver(&f, 0, "text/plain", NULL, HTTP_CLIENT_E_TRUNCATED);
		CHECK(f.responded == 0);
		t_fire(&f);
	}
	deliver(&f, 0, "text/plain", NULL, HTTP_CLIENT_E_TRUNCATED);
	CHECK(f.responded == 1 && f.status == 502 && f.requests == req0 + 4);
	/* cancel during back-off: nothing more */
	buf_reset(&f.out);
	f.responded = 0;
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	deliver(&f, 502, "application/json", "{}", 0);
	cancelled = f.cancelled;
	gateway_call_cancel(call);
	CHECK(f.responded == 0 && f.cancelled == cancelled);

	/* management operations */
	CHECK_EQ_STR(gateway_mop_name(GATEWAY_M_FILE_CONTENT), "file_content");
	CHECK_EQ_INT(gateway_mop_find("cancel_batch"), GATEWAY_M_CANCEL_BATCH);
	gateway_mreq m = { .op = GATEWAY_M_CREATE_FILE, .content_type = STR_LIT("application/json"),
			   .body = STR_LIT("{\"file\":\"aGVsbG8=\",\"purpose\":\"batch\",\"filename\":\"in.jsonl\"}") };
	buf_reset(&f.out);
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/files");
	CHECK_EQ_STR(f.auth, "Bearer k1");
	CHECK(strncmp(f.ctype, "multipart/form-data; boundary=liter-llm-", 40) == 0);
	CHECK(strstr(f.body, "name=\"purpose\"\r\n\r\nbatch\r\n") && strstr(f.body, "filename=\"in.jsonl\"") &&
	      strstr(f.body, "\r\n\r\nhello\r\n--liter-llm-"));
	deliver(&f, 500, "application/json", "{\"error\":{\"message\":\"boom\"}}", 0);
	CHECK(f.status == 500); /* create_file is never retried */
	m = (gateway_mreq){ .op = GATEWAY_M_LIST_FILES, .query = STR_LIT("purpose=batch&limit=2") };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/files?purpose=batch&limit=2");
	CHECK_EQ_STR(f.method, "GET");
	gateway_call_cancel(call);
	m = (gateway_mreq){ .op = GATEWAY_M_DELETE_FILE, .id = STR_LIT("file-1") };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/files/file-1");
	CHECK_EQ_STR(f.method, "DELETE");
	gateway_call_cancel(call);
	m = (gateway_mreq){ .op = GATEWAY_M_FILE_CONTENT, .id = STR_LIT("file-1") };
	buf_reset(&f.out);
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	deliver(&f, 200, "application/octet-stream", "raw\x01", 0);
	CHECK(f.status == 200 && strcmp(f.out.data, "raw\x01") == 0);
	m = (gateway_mreq){ .op = GATEWAY_M_CANCEL_BATCH, .id = STR_LIT("batch_1") };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/batches/batch_1/cancel");
	CHECK_EQ_STR(f.method, "POST");
	gateway_call_cancel(call);
	m = (gateway_mreq){ .op = GATEWAY_M_CREATE_RESPONSE, .content_type = STR_LIT("application/json"),
			    .body = STR_LIT("{\"model\":\"gpt-4o\",\"input\":\"hi\",\"stream\":true}") };
	buf_reset(&f.out);
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK(call == NULL && f.status == 400 && strstr(f.out.data, "streaming is not offered"));
	m = (gateway_mreq){ .op = GATEWAY_M_CREATE_BATCH, .content_type = STR_LIT("application/json"),
			    .body = STR_LIT("{\"input_file_id\":\"file-1\",\"endpoint\":\"/v1/chat/completions\"}") };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK(call == NULL && f.status == 422);
	gateway_principal vk = { .key = &c->keys[0] };
	strcpy(vk.key_id, "vk-0000000000000000");
	buf_reset(&f.out);
	call = gateway_master_start(g, &up, &vk, &m, &a, &sink);
	CHECK(call == NULL && f.status == 403 && strstr(f.out.data, "endpoint 'create_batch' requires master-key access"));

	buf_free(&f.out);
	arena_free(&a);
	gateway_free(g);
	config_free(c);
}

TEST(gemini_native)
{
	config *c = load("[[models]]\nname = \"g\"\nprovider_model = \"gemini/gemini-2.0-flash\"\napi_key = \"gk\"\n");
	if (!c)
		return;
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	fake f;
	memset(&f, 0, sizeof f);
	gateway_upstream up = { f_request, f_pause, f_resume, f_cancel, &f, t_new, t_set, t_free, NULL };
	gateway_sink sink = { s_respond, s_begin, s_write, s_end, &f };
	gateway_principal master = { .master = true };
	arena a = { 0 };
	const gateway_op *chat = gateway_op_get(GATEWAY_OP_CHAT);

	/* non-stream: model in the URL, x-goog-api-key, translated both ways */
	gateway_call *call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"g\",\"max_tokens\":5,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
			"{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent");
	CHECK_EQ_STR(f.xkey, "gk");
	CHECK(f.auth[0] == 0);
	CHECK(strstr(f.body, "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]") &&
	      strstr(f.body, "\"systemInstruction\"") && strstr(f.body, "\"maxOutputTokens\":5") &&
	      !strstr(f.body, "\"model\"") && !strstr(f.body, "\"stream\""));
	deliver(&f, 200, "application/json",
		"{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hello\"}]},\"finishReason\":\"STOP\"}],"
		"\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1},\"modelVersion\":\"gemini-2.0-flash\","
		"\"responseId\":\"r1\"}", 0);
	CHECK(f.status == 200 && strstr(f.out.data, "\"object\":\"chat.completion\"") &&
	      strstr(f.out.data, "\"content\":\"Hello\"") && strstr(f.out.data, "\"finish_reason\":\"stop\"") &&
	      strstr(f.out.data, "\"total_tokens\":4"));

	/* Google error bodies: object and one-element array */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"g\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
				  &a, &sink);
	deliver(&f, 400, "application/json",
		"{\"error\":{\"code\":400,\"message\":\"API key not valid\",\"status\":\"INVALID_ARGUMENT\"}}", 0);
	CHECK(f.status == 400 && strstr(f.out.data, "bad request: API key not valid"));
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"g\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
				  &a, &sink);
	deliver(&f, 404, "application/json",
		"[{\"error\":{\"code\":404,\"message\":\"model gone\",\"status\":\"NOT_FOUND\"}}]", 0);
	CHECK(f.status == 404 && strstr(f.out.data, "not found: model gone"));
	/* local validation */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"g\",\"messages\":[]}"), &a, &sink);
	CHECK(call == NULL && f.status == 400 && strstr(f.out.data, "messages array must not be empty"));

	/* stream: streamGenerateContent?alt=sse, chunks, usage chunk at EOF, [DONE] */
	buf_reset(&f.out);
	f.ended = 0;
	call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"g\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
			"\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
	on_stream(&f, "text/event-stream");
	const char *evs = "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]}}],\"responseId\":\"r9\"}\r\n\r\n"
			  "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"finishReason\":\"STOP\"}],"
			  "\"usageMetadata\":{\"promptTokenCount\":2,\"candidatesTokenCount\":2}}\r\n\r\n";
	for (size_t i = 0; evs[i]; i++)
		f.spec.cb.on_data(NULL, evs + i, 1, f.spec.ud);
	f.spec.cb.on_done(NULL, 0, "", f.spec.ud);
	CHECK(strstr(f.out.data, "data: {\"id\":\"r9\",\"object\":\"chat.completion.chunk\"") != NULL);
	CHECK(strstr(f.out.data, "\"content\":\"Hel\"") && strstr(f.out.data, "\"content\":\"lo\"") &&
	      strstr(f.out.data, "\"finish_reason\":\"stop\"") && strstr(f.out.data, "\"choices\":[]") &&
	      strstr(f.out.data, "\"total_tokens\":4"));
	CHECK(f.out.len > 14 && strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0);
	CHECK(f.ended == 1);

	/* stream cut before a finish reason -> error chunk + [DONE] */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"g\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	on_stream(&f, "text/event-stream");
	const char *part = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\n\n";
	f.spec.cb.on_data(NULL, part, strlen(part), f.spec.ud);
	f.spec.cb.on_done(NULL, 0, "", f.spec.ud);
	CHECK(strstr(f.out.data, "\"type\":\"Streaming\"") && strstr(f.out.data, "ended before the response was complete"));
	CHECK(strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0);

	/* in-stream error payload -> error chunk, upstream cancelled */
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, chat, &master,
		STR_LIT("{\"model\":\"g\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), &a, &sink);
	on_stream(&f, "text/event-stream");
	const char *ee = "data: {\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}\n\n";
	int cancelled = f.cancelled;
	f.spec.cb.on_data(NULL, ee, strlen(ee), f.spec.ud);
	CHECK(strstr(f.out.data, "\"type\":\"Streaming\"") && strstr(f.out.data, "quota"));
	CHECK(strcmp(f.out.data + f.out.len - 14, "data: [DONE]\n\n") == 0 && f.cancelled == cancelled + 1);

	/* embeddings: one input -> embedContent; several -> batchEmbedContents (the
	 * codec's batch_url); base64 vectors as OpenAI sends them */
	const gateway_op *emb = gateway_op_get(GATEWAY_OP_EMBEDDINGS);
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, emb, &master, STR_LIT("{\"model\":\"g\",\"input\":\"x\"}"), &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:embedContent");
	CHECK_EQ_STR(f.body, "{\"content\":{\"parts\":[{\"text\":\"x\"}]}}");
	deliver(&f, 200, "application/json", "{\"embedding\":{\"values\":[0.5,1]}}", 0);
	CHECK(f.status == 200 && strstr(f.out.data, "\"data\":[{\"object\":\"embedding\",\"index\":0,"
					     "\"embedding\":[0.5,1]}]"));
	buf_reset(&f.out);
	call = gateway_call_start(g, &up, emb, &master,
				  STR_LIT("{\"model\":\"g\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"base64\"}"), &a,
				  &sink);
	CHECK_EQ_STR(f.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:batchEmbedContents");
	CHECK(strstr(f.body, "{\"requests\":[{\"model\":\"models/gemini-2.0-flash\"") == f.body);
	deliver(&f, 200, "application/json", "{\"embeddings\":[{\"values\":[0.5]},{\"values\":[0.25]}]}", 0);
	CHECK(f.status == 200 && strstr(f.out.data, "\"embedding\":\"AAAAPw==\"") &&
	      strstr(f.out.data, "\"index\":1,\"embedding\":\"AACAPg==\""));

	buf_free(&f.out);
	arena_free(&a);
	gateway_free(g);
	config_free(c);
}

int main(void)
{
	RUN(error_envelope);
	RUN(upstream_mapping);
	RUN(body_checks);
	RUN(body_rewrite);
	RUN(auth_and_routing);
	RUN(zero_config);
	RUN(call_machine);
	RUN(retry_rules);
	RUN(self_loop);
	RUN(anthropic_retries_keepalive_master);
	RUN(gemini_native);
	return t_done();
}
