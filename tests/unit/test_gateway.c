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
		CHECK_EQ_STR(out.data, "{\"model\":\"mm\",\"messages\":[],\"max_tokens\":9}");
	}
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
	for (size_t i = 0; i < s->nheaders; i++)
		if (str_eq_cstr(s->headers[i].name, "Authorization"))
			str_to_cbuf(s->headers[i].value, f->auth, sizeof f->auth);
	*h = f;
	return 0;
}
static void f_pause(void *h) { ((fake *)h)->paused++; }
static void f_resume(void *h) { ((fake *)h)->resumed++; }
static void f_cancel(void *h) { ((fake *)h)->cancelled++; }

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
	gateway_upstream up = { f_request, f_pause, f_resume, f_cancel, &f };
	gateway_sink sink = { s_respond, s_begin, s_write, s_end, &f };
	gateway_principal master = { .master = true };
	arena a = { 0 };
	const gateway_op *chat = gateway_op_get(GATEWAY_OP_CHAT);

	/* non-stream pass-through */
	gateway_call *call = gateway_call_start(g, &up, chat, &master, STR_LIT("{\"model\":\"a\",\"messages\":[]}"), &a, &sink);
	CHECK(call != NULL && f.requests == 1);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/chat/completions");
	CHECK_EQ_STR(f.body, "{\"model\":\"gpt-4o\",\"messages\":[]}");
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

int main(void)
{
	RUN(error_envelope);
	RUN(upstream_mapping);
	RUN(body_checks);
	RUN(body_rewrite);
	RUN(auth_and_routing);
	RUN(zero_config);
	RUN(call_machine);
	return t_done();
}
