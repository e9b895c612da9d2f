/* test_gateway_token.c — minted upstream credentials (gateway/gateway_token)
 * driven through the call machine with a fake upstream: Google credentials
 * files loaded at start-up (service account, authorized user, errors), the
 * JWT-bearer exchange before a Vertex AI call, reuse of the cached token by
 * later calls and retries, one exchange for concurrent calls, cancel while
 * waiting, exchange failures as 401, refresh ahead of expiry, the GitHub
 * Copilot exchange, and a waiter on another thread woken by its own timer.
 * The service-account key is the throwaway key of jwt_testkey.h. */
#include "gateway/gateway_private.h"
#include "base/b64.h"
#include "base/clock.h"
#include "base/err.h"
#include "t.h"
#include "jwt_testkey.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- environment, config, files ---------------------------------------------- */

static const char *ENVV[16];   /* name, value, ..., NULL */

static const char *env_get(void *ud, const char *name)
{
	(void)ud;
	for (size_t i = 0; ENVV[i]; i += 2)
		if (!strcmp(ENVV[i], name))
			return ENVV[i + 1];
	return NULL;
}

static void env_set(const char *a, const char *av, const char *b, const char *bv)
{
	memset(ENVV, 0, sizeof ENVV);
	ENVV[0] = a, ENVV[1] = av, ENVV[2] = b, ENVV[3] = bv;
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

static char DIR_[64];

/* write text to DIR_/name; returns the path (static per name slot) */
static const char *put_file(const char *name, const char *text)
{
	static char paths[8][128];
	static int k;
	char *p = paths[k++ % 8];
	snprintf(p, 128, "%s/%s", DIR_, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

/* a service-account file for KEY_PKCS8 (newlines escaped), token_uri uri */
static const char *sa_file(const char *name, const char *uri)
{
	static char js[8192];
	char pem[4096];
	size_t o = 0;
	for (const char *s = KEY_PKCS8; *s; s++) {
		if (*s == '\n')
			pem[o++] = '\\', pem[o++] = 'n';
		else
			pem[o++] = *s;
	}
	pem[o] = 0;
	snprintf(js, sizeof js,
		 "{\"type\":\"service_account\",\"project_id\":\"p\",\"private_key_id\":\"kid-1\",\"private_key\":\"%s\","
		 "\"client_email\":\"svc@p.iam.gserviceaccount.com\",\"client_id\":\"1\",\"token_uri\":\"%s\"}",
		 pem, uri);
	return put_file(name, js);
}

/* ---- a fake upstream holding several requests ---------------------------------- */

typedef struct freq {
	char method[8];
	char url[512];
	char hdrs[4096];              /* "name: value\n" lines */
	char body[8192];
	http_client_cbs cb;
	void *ud;
	bool live;
} freq;

typedef struct fake {
	freq r[32];
	int n;
	int fail_next;                /* the next request fails at once */
	/* the sink */
	int status, responded;
	buf out;
} fake;

static int f_request(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen)
{
	fake *f = ud;
	if (f->fail_next) {
		f->fail_next = 0;
		snprintf(err, errlen, "outbound request to http://127.0.0.1:9 forbidden: test");
		return HTTP_CLIENT_E_FORBIDDEN;
	}
	freq *q = &f->r[f->n++ % 32];
	memset(q, 0, sizeof *q);
	str_to_cbuf(s->method, q->method, sizeof q->method);
	str_to_cbuf(s->url, q->url, sizeof q->url);
	for (size_t i = 0; i < s->nheaders; i++) {
		size_t l = strlen(q->hdrs);
		snprintf(q->hdrs + l, sizeof q->hdrs - l, STR_FMT ": " STR_FMT "\n", STR_ARG(s->headers[i].name),
			 STR_ARG(s->headers[i].value));
	}
	str_to_cbuf(s->body, q->body, sizeof q->body);
	q->cb = s->cb;
	q->ud = s->ud;
	q->live = true;
	*h = q;
	return 0;
}
static void f_pause(void *h) { (void)h; }
static void f_resume(void *h) { (void)h; }
static void f_cancel(void *h) { ((freq *)h)->live = false; }

/* fake timers: armed ms kept, fired by the test */
typedef struct ftimer {
	void (*fn)(void *arg);
	void *arg;
	uint32_t armed;
} ftimer;
static ftimer *LAST_TIMER;
static void *t_new(void *ud, void (*fn)(void *arg), void *arg)
{
	(void)ud;
	ftimer *t = calloc(1, sizeof *t);
	t->fn = fn;
	t->arg = arg;
	LAST_TIMER = t;
	return t;
}
static void t_set(void *t, uint32_t ms) { ((ftimer *)t)->armed = ms; }
static void t_free(void *t)
{
	if (LAST_TIMER == t)
		LAST_TIMER = NULL;
	free(t);
}
static void t_fire(ftimer *t)
{
	t->armed = 0;
	t->fn(t->arg);
}

static void answer(fake *f, int i, int status, const char *body, int err)
{
	freq *q = &f->r[i];
	http_header h[1] = { { STR_LIT("Content-Type"), STR_LIT("application/json") } };
	http_client_resp resp = { .status = status, .headers = h, .nheaders = 1, .content_length = -1 };
	q->live = false;
	if (!err) {
		q->cb.on_head(NULL, &resp, q->ud);
		if (body)
			q->cb.on_data(NULL, body, strlen(body), q->ud);
	}
	q->cb.on_done(NULL, err, err ? "connection reset by http://127.0.0.1:9" : "", q->ud);
}

static void s_respond(void *ud, int status, const char *ct, const char *body, size_t n, int ra)
{
	(void)ct, (void)ra;
	fake *f = ud;
	f->status = status;
	f->responded++;
	buf_reset(&f->out);
	buf_append(&f->out, body, n);
}
static int s_begin(void *ud, int status, const char *ct) { (void)ud, (void)status, (void)ct; return 0; }
static int s_write(void *ud, const char *p, size_t n) { (void)ud, (void)p, (void)n; return 0; }
static void s_end(void *ud) { (void)ud; }

static const char *GEMINI_OK = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"hi\"}]},"
			       "\"finishReason\":\"STOP\"}],\"usageMetadata\":{\"promptTokenCount\":1,"
			       "\"candidatesTokenCount\":1}}";

typedef struct rig {
	config *c;
	gateway *g;
	fake f;
	gateway_upstream up;
	gateway_sink sink;
	gateway_principal master;
	arena a;
} rig;

static bool rig_open(rig *r, const char *toml, bool timers)
{
	char err[512];
	memset(r, 0, sizeof *r);
	if (!(r->c = load(toml)))
		return false;
	if (gateway_new(&r->g, r->c, (provider_env){ env_get, NULL }, err, sizeof err) < 0) {
		printf("gateway_new: %s\n", err);
		config_free(r->c);
		return false;
	}
	r->up = (gateway_upstream){ f_request, f_pause, f_resume, f_cancel, &r->f,
				    timers ? t_new : NULL, timers ? t_set : NULL, timers ? t_free : NULL, NULL };
	r->sink = (gateway_sink){ s_respond, s_begin, s_write, s_end, &r->f };
	r->master.master = true;
	return true;
}

static void rig_close(rig *r)
{
	gateway_free(r->g);
	config_free(r->c);
	arena_free(&r->a);
	buf_free(&r->f.out);
}

static gateway_call *chat(rig *r, const char *model)
{
	char body[256];
	snprintf(body, sizeof body, "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", model);
	return gateway_call_start(r->g, &r->up, gateway_op_get(GATEWAY_OP_CHAT), &r->master, str_from(body), &r->a,
				  &r->sink);
}

/* the claims of the JWT in a token request body, decoded */
static const char *claims_of(const char *body)
{
	static char out[2048];
	const char *a = strstr(body, "assertion=");
	out[0] = 0;
	if (!a)
		return out;
	const char *p = strchr(a, '.') + 1, *e = strchr(p, '.');
	size_t n = 0;
	if (b64_decode(p, (size_t)(e - p), B64_URL | B64_NOPAD, out, sizeof out - 1, &n) < 0)
		n = 0;
	out[n] = 0;
	return out;
}

static const char *VX_TOML = "[general]\nmaster_key = \"mk\"\nmax_retries = 1\n"
			     "[[models]]\nname = \"vx\"\nprovider_model = \"vertex_ai/gemini-x\"\n";

/* ---- tests -------------------------------------------------------------------------- */

TEST(adc_start_up_errors)
{
	char err[512];
	config *c = load(VX_TOML);
	gateway *g = NULL;
	if (!c)
		return;
	struct {
		const char *file, *text, *want;
	} cases[] = {
		{ NULL, NULL, "cannot open it: No such file or directory" },
		{ "bad.json", "{nope", "not valid JSON" },
		{ "arr.json", "[1]", "not a JSON object" },
		{ "ext.json", "{\"type\":\"external_account\"}", "credential type 'external_account' is not supported" },
		{ "notype.json", "{\"private_key\":\"x\"}", "no \"type\" in the file" },
		{ "nomail.json", "{\"type\":\"service_account\",\"private_key\":\"x\"}", "no \"client_email\" in the file" },
		{ "nokey.json", "{\"type\":\"service_account\",\"private_key\":\"x\",\"client_email\":\"a@b\"}",
		  "private_key: no \"PRIVATE KEY\"" },
		{ "num.json", "{\"type\":\"service_account\",\"private_key\":1}", "\"private_key\" is not a string" },
		{ "au.json", "{\"type\":\"authorized_user\",\"client_id\":\"a\",\"client_secret\":\"b\"}",
		  "no \"refresh_token\" in the file" },
		{ "uri.json", "{\"type\":\"authorized_user\",\"token_uri\":\"ftp://x\"}", "token_uri is not an http(s) URL" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = cases[i].file ? put_file(cases[i].file, cases[i].text) : "/nonexistent/sa.json";
		env_set("VERTEXAI_PROJECT", "p", "GOOGLE_APPLICATION_CREDENTIALS", path);
		err[0] = 0;
		CHECK(gateway_new(&g, c, (provider_env){ env_get, NULL }, err, sizeof err) < 0);
		CHECK(strstr(err, "failed to build client for model 'vx': authentication failed: Google credentials file ") ==
		      err);
		CHECK(strstr(err, "(GOOGLE_APPLICATION_CREDENTIALS): ") != NULL);
		if (!strstr(err, cases[i].want))
			printf("  case %zu: %s\n", i, err);
		CHECK(strstr(err, cases[i].want) != NULL);
	}
	/* an EC key cannot sign RS256 */
	char js[2048], pem[1024];
	size_t o = 0;
	for (const char *s = KEY_EC; *s; s++)
		o += (size_t)snprintf(pem + o, sizeof pem - o, *s == '\n' ? "\\n" : "%c", *s);
	snprintf(js, sizeof js, "{\"type\":\"service_account\",\"private_key\":\"%s\",\"client_email\":\"a@b\"}", pem);
	env_set("VERTEXAI_PROJECT", "p", "GOOGLE_APPLICATION_CREDENTIALS", put_file("ec.json", js));
	CHECK(gateway_new(&g, c, (provider_env){ env_get, NULL }, err, sizeof err) < 0);
	CHECK(strstr(err, "not an RSA key") != NULL);
	CHECK(strstr(err, "MII") == NULL); /* no key bytes in messages */
	config_free(c);

	/* zero-config: the file is loaded leniently, its calls get the error as a 401 */
	rig r;
	env_set("VERTEXAI_PROJECT", "p", "GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/sa.json");
	if (!rig_open(&r, "[general]\nmaster_key = \"mk\"\n", false))
		return;
	CHECK(chat(&r, "vertex_ai/gemini-x") == NULL);
	CHECK_EQ_INT(r.f.status, 401);
	CHECK(strstr(r.f.out.data, "Google credentials file /nonexistent/sa.json (GOOGLE_APPLICATION_CREDENTIALS): "
				   "cannot open it") != NULL);
	CHECK(strstr(r.f.out.data, "\"type\":\"Authentication\"") != NULL);
	CHECK_EQ_INT(r.f.n, 0);
	rig_close(&r);
}

TEST(vertex_mints_then_reuses)
{
	rig r;
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa.json", "http://127.0.0.1:9/token"));
	if (!rig_open(&r, VX_TOML, false))
		return;
	int64_t t0 = clock_wall_s();
	CHECK(chat(&r, "vx") != NULL);
	/* first the token exchange ... */
	CHECK_EQ_INT(r.f.n, 1);
	CHECK_EQ_STR(r.f.r[0].method, "POST");
	CHECK_EQ_STR(r.f.r[0].url, "http://127.0.0.1:9/token");
	CHECK(strstr(r.f.r[0].hdrs, "Content-Type: application/x-www-form-urlencoded\n") != NULL);
	const char *form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey";
	CHECK(strncmp(r.f.r[0].body, form, strlen(form)) == 0);
	const char *cl = claims_of(r.f.r[0].body);
	CHECK(strstr(cl, "{\"iss\":\"svc@p.iam.gserviceaccount.com\",\"scope\":\"https://www.googleapis.com/auth/"
			 "cloud-platform\",\"aud\":\"http://127.0.0.1:9/token\",\"iat\":") == cl);
	long long iat = 0, exp = 0;
	const char *pi = strstr(cl, "\"iat\":"), *pe = strstr(cl, "\"exp\":");
	if (pi && pe) {
		iat = atoll(pi + 6);
		exp = atoll(pe + 6);
	}
	CHECK(iat >= t0 && iat <= t0 + 5 && exp - iat == 3600);
	CHECK(r.f.responded == 0);
	answer(&r.f, 0, 200, "{\"access_token\":\"ya29.first\",\"expires_in\":3599,\"token_type\":\"Bearer\"}", 0);
	/* ... then the call, with the token */
	CHECK_EQ_INT(r.f.n, 2);
	CHECK_EQ_STR(r.f.r[1].url, "https://us-central1-aiplatform.googleapis.com/v1/projects/proj/locations/us-central1"
				   "/publishers/google/models/gemini-x:generateContent");
	CHECK(strstr(r.f.r[1].hdrs, "Authorization: Bearer ya29.first\n") != NULL);
	CHECK(strstr(r.f.r[1].body, "\"contents\":[{\"role\":\"user\"") != NULL);
	answer(&r.f, 1, 200, GEMINI_OK, 0);
	CHECK(r.f.responded == 1 && r.f.status == 200);
	CHECK(strstr(r.f.out.data, "\"object\":\"chat.completion\"") && strstr(r.f.out.data, "\"content\":\"hi\""));

	/* a second call: no exchange; a retried attempt keeps the same token */
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_INT(r.f.n, 3);
	CHECK(strstr(r.f.r[2].hdrs, "Authorization: Bearer ya29.first\n") != NULL);
	answer(&r.f, 2, 503, "{\"error\":{\"code\":503,\"message\":\"busy\",\"status\":\"UNAVAILABLE\"}}", 0);
	CHECK_EQ_INT(r.f.n, 4); /* no timers: the retry goes out at once */
	CHECK(strstr(r.f.r[3].url, ":generateContent") != NULL);
	CHECK(strstr(r.f.r[3].hdrs, "Authorization: Bearer ya29.first\n") != NULL);
	answer(&r.f, 3, 200, GEMINI_OK, 0);
	CHECK_EQ_INT(r.f.status, 200);
	/* exactly one Authorization header per request */
	const char *h = strstr(r.f.r[3].hdrs, "Authorization:");
	CHECK(h && !strstr(h + 1, "Authorization:"));
	provider_target t = { .cred = PROVIDER_CRED_GOOGLE_ADC,
			      .adc_file = str_from(env_get(NULL, "GOOGLE_APPLICATION_CREDENTIALS")) };
	CHECK_EQ_INT(gateway_tokens_minted(r.g->tokens, &t), 1);
	rig_close(&r);
}

TEST(single_flight_and_cancel)
{
	rig r;
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa2.json", "http://127.0.0.1:9/t2"));
	if (!rig_open(&r, VX_TOML, false))
		return;
	gateway_call *c1 = chat(&r, "vx"), *c2 = chat(&r, "vx"), *c3 = chat(&r, "vx");
	CHECK(c1 && c2 && c3);
	CHECK_EQ_INT(r.f.n, 1); /* one exchange for three calls */
	gateway_call_cancel(c2); /* gone while waiting: never sent */
	answer(&r.f, 0, 200, "{\"access_token\":\"ya29.shared\",\"expires_in\":3600}", 0);
	CHECK_EQ_INT(r.f.n, 3);
	CHECK(strstr(r.f.r[1].hdrs, "Bearer ya29.shared") && strstr(r.f.r[2].hdrs, "Bearer ya29.shared"));
	CHECK_EQ_INT(r.f.responded, 0);
	answer(&r.f, 1, 200, GEMINI_OK, 0);
	answer(&r.f, 2, 200, GEMINI_OK, 0);
	CHECK_EQ_INT(r.f.responded, 2);
	/* the first caller going away does not stop the exchange for the others */
	rig_close(&r);
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa3.json", "http://127.0.0.1:9/t3"));
	if (!rig_open(&r, VX_TOML, false))
		return;
	c1 = chat(&r, "vx");
	c2 = chat(&r, "vx");
	gateway_call_cancel(c1);
	answer(&r.f, 0, 200, "{\"access_token\":\"ya29.x\",\"expires_in\":3600}", 0);
	CHECK_EQ_INT(r.f.n, 2);
	CHECK(strstr(r.f.r[1].hdrs, "Bearer ya29.x") != NULL);
	gateway_call_cancel(c2);
	rig_close(&r);
}

TEST(exchange_failures)
{
	rig r;
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa4.json", "http://127.0.0.1:9/t4"));
	if (!rig_open(&r, VX_TOML, false))
		return;
	/* an OAuth error answer; two waiters get it */
	CHECK(chat(&r, "vx") != NULL);
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, 0, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}", 0);
	CHECK_EQ_INT(r.f.responded, 2);
	CHECK_EQ_INT(r.f.status, 401);
	CHECK(strstr(r.f.out.data, "\"message\":\"authentication failed: token exchange at http://127.0.0.1:9/t4 failed: "
				   "HTTP 400: invalid_grant: Invalid JWT Signature.\",\"type\":\"Authentication\"") != NULL);
	CHECK_EQ_INT(r.f.n, 1);
	/* not cached: the next call tries again; a transport error */
	r.f.responded = 0;
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_INT(r.f.n, 2);
	answer(&r.f, 1, 0, NULL, HTTP_CLIENT_E_RESET);
	CHECK(strstr(r.f.out.data, "token exchange at http://127.0.0.1:9/t4 failed: connection reset by "
				   "http://127.0.0.1:9") != NULL);
	/* an answer without a usable token; a token with a control character */
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, 2, 200, "{\"token_type\":\"Bearer\"}", 0);
	CHECK(strstr(r.f.out.data, "failed: the answer has no usable \\\"access_token\\\"") != NULL);
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, 3, 200, "{\"access_token\":\"a\\nb\"}", 0);
	CHECK(strstr(r.f.out.data, "no usable") != NULL);
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, 4, 200, "not json", 0);
	CHECK(strstr(r.f.out.data, "not a JSON object") != NULL);
	/* a plain-text error body */
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, 5, 503, "upstream\ndown", 0);
	CHECK(strstr(r.f.out.data, "failed: HTTP 503: upstream down") != NULL);
	/* the request cannot even start: answered at once, NULL */
	r.f.fail_next = 1;
	r.f.responded = 0;
	CHECK(chat(&r, "vx") == NULL);
	CHECK_EQ_INT(r.f.responded, 1);
	CHECK_EQ_INT(r.f.status, 401);
	CHECK(strstr(r.f.out.data, "token exchange at http://127.0.0.1:9/t4 failed: outbound request to "
				   "http://127.0.0.1:9 forbidden: test") != NULL);
	/* and then it works */
	CHECK(chat(&r, "vx") != NULL);
	answer(&r.f, r.f.n - 1, 200, "{\"access_token\":\"ok\"}", 0);
	CHECK(strstr(r.f.r[r.f.n - 1].hdrs, "Authorization: Bearer ok\n") != NULL);
	answer(&r.f, r.f.n - 1, 200, GEMINI_OK, 0);
	CHECK_EQ_INT(r.f.status, 200);
	rig_close(&r);
}

TEST(refresh_ahead_of_expiry)
{
	rig r;
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa5.json", "http://127.0.0.1:9/t5"));
	if (!rig_open(&r, VX_TOML, false))
		return;
	CHECK(chat(&r, "vx") != NULL);
	/* 2 s of life: refreshed from 1 s on (half the lifetime, under 5 minutes) */
	answer(&r.f, 0, 200, "{\"access_token\":\"old\",\"expires_in\":2}", 0);
	answer(&r.f, 1, 200, GEMINI_OK, 0);
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_INT(r.f.n, 3); /* still fresh: no exchange */
	answer(&r.f, 2, 200, GEMINI_OK, 0);
	usleep(1100 * 1000);
	/* in the refresh window: the call goes out with the old token, a refresh starts beside it */
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_INT(r.f.n, 5);
	int tok = !strcmp(r.f.r[3].url, "http://127.0.0.1:9/t5") ? 3 : 4, call = 7 - tok;
	CHECK(strstr(r.f.r[call].hdrs, "Bearer old\n") != NULL);
	CHECK(strncmp(r.f.r[tok].body, "grant_type=", 11) == 0);
	/* a second call meanwhile: old token, no second exchange */
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_INT(r.f.n, 6);
	CHECK(strstr(r.f.r[5].hdrs, "Bearer old\n") != NULL);
	answer(&r.f, tok, 200, "{\"access_token\":\"new\",\"expires_in\":3600}", 0);
	CHECK(chat(&r, "vx") != NULL);
	CHECK(strstr(r.f.r[6].hdrs, "Bearer new\n") != NULL);
	answer(&r.f, call, 200, GEMINI_OK, 0);
	answer(&r.f, 5, 200, GEMINI_OK, 0);
	answer(&r.f, 6, 200, GEMINI_OK, 0);
	CHECK_EQ_INT(r.f.responded, 5);
	rig_close(&r);
}

TEST(authorized_user_file)
{
	rig r;
	const char *p = put_file("au_ok.json", "{\"type\":\"authorized_user\",\"client_id\":\"cid.apps\","
					       "\"client_secret\":\"s/x\",\"refresh_token\":\"1//r+t\"}");
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", p);
	if (!rig_open(&r, VX_TOML, false))
		return;
	CHECK(chat(&r, "vx") != NULL);
	CHECK_EQ_STR(r.f.r[0].url, "https://oauth2.googleapis.com/token");
	CHECK_EQ_STR(r.f.r[0].body, "grant_type=refresh_token&client_id=cid.apps&client_secret=s%2Fx&refresh_token=1%2F%2Fr%2Bt");
	answer(&r.f, 0, 200, "{\"access_token\":\"ya29.user\",\"expires_in\":3600,\"scope\":\"x\"}", 0);
	CHECK(strstr(r.f.r[1].hdrs, "Authorization: Bearer ya29.user\n") != NULL);
	answer(&r.f, 1, 200, GEMINI_OK, 0);
	rig_close(&r);
}

TEST(copilot_exchange)
{
	rig r;
	env_set("GITHUB_COPILOT_TOKEN_URL", "http://127.0.0.1:9/copilot_internal/v2/token", "GITHUB_COPILOT_API_BASE",
		"http://127.0.0.1:9/cp");
	if (!rig_open(&r, "[general]\nmaster_key = \"mk\"\n[[models]]\nname = \"cp\"\n"
			  "provider_model = \"github_copilot/gpt-4o\"\napi_key = \"ghu_secret\"\n", false))
		return;
	CHECK(chat(&r, "cp") != NULL);
	CHECK_EQ_STR(r.f.r[0].method, "GET");
	CHECK_EQ_STR(r.f.r[0].url, "http://127.0.0.1:9/copilot_internal/v2/token");
	CHECK(strstr(r.f.r[0].hdrs, "Authorization: token ghu_secret\n") != NULL);
	CHECK(strstr(r.f.r[0].hdrs, "editor-version: ") != NULL);
	CHECK_EQ_STR(r.f.r[0].body, "");
	char ans[256];
	snprintf(ans, sizeof ans, "{\"token\":\"tid=1;exp=2;sku=x\",\"expires_at\":%lld,\"refresh_in\":1500}",
		 (long long)clock_wall_s() + 1800);
	answer(&r.f, 0, 200, ans, 0);
	CHECK_EQ_INT(r.f.n, 2);
	CHECK_EQ_STR(r.f.r[1].url, "http://127.0.0.1:9/cp/chat/completions");
	CHECK(strstr(r.f.r[1].hdrs, "Authorization: Bearer tid=1;exp=2;sku=x\n") != NULL);
	CHECK(strstr(r.f.r[1].hdrs, "copilot-integration-id: vscode-chat\n") != NULL);
	CHECK(strstr(r.f.r[1].body, "\"model\":\"gpt-4o\"") != NULL);
	CHECK(strstr(r.f.r[1].hdrs, "ghu_secret") == NULL);
	answer(&r.f, 1, 200, "{\"id\":\"c\",\"choices\":[]}", 0);
	CHECK(r.f.status == 200 && !strcmp(r.f.out.data, "{\"id\":\"c\",\"choices\":[]}"));
	/* cached */
	gateway_call *c2 = chat(&r, "cp");
	CHECK(c2 != NULL);
	CHECK(strstr(r.f.r[2].url, "/cp/chat/completions") != NULL);
	gateway_call_cancel(c2);
	/* GitHub's error answer */
	rig_close(&r);
	if (!rig_open(&r, "[general]\nmaster_key = \"mk\"\n[[models]]\nname = \"cp\"\n"
			  "provider_model = \"github_copilot/gpt-4o\"\napi_key = \"ghu_bad\"\n", false))
		return;
	CHECK(chat(&r, "cp") != NULL);
	answer(&r.f, 0, 401, "{\"message\":\"Bad credentials\",\"documentation_url\":\"https://docs.github.com\"}", 0);
	CHECK_EQ_INT(r.f.status, 401);
	CHECK(strstr(r.f.out.data, "token exchange at http://127.0.0.1:9/copilot_internal/v2/token failed: HTTP 401: "
				   "Bad credentials") != NULL);
	CHECK(strstr(r.f.out.data, "ghu_bad") == NULL);
	rig_close(&r);
}

/* ---- a waiter on another thread ------------------------------------------------------ */

typedef struct side {
	gateway_tokens *ts;
	provider_target *t;
	gateway_upstream up;
	gateway_token_use u;
	int rc, called;
	bool failed;
	ftimer *timer;
} side;

static void side_done(void *ud, const gateway_error *e)
{
	side *s = ud;
	s->called++;
	s->failed = e != NULL;
}

static void *side_thread(void *arg)
{
	side *s = arg;
	gateway_error e;
	s->rc = gateway_token_begin(s->ts, s->t, &s->up, &s->u, side_done, s, &e);
	s->timer = LAST_TIMER;
	return NULL;
}

TEST(waiter_on_another_thread)
{
	rig r;
	env_set("VERTEXAI_PROJECT", "proj", "GOOGLE_APPLICATION_CREDENTIALS", sa_file("sa6.json", "http://127.0.0.1:9/t6"));
	if (!rig_open(&r, VX_TOML, true))
		return;
	gateway_route route;
	gateway_error e;
	CHECK_EQ_INT(gateway_route_model(r.g, STR_LIT("vx"), &route, &e), 0);
	/* this thread starts the exchange */
	gateway_token_use mine = { 0 };
	side me = { 0 };
	gateway_tokens *ts = r.g->tokens;
	CHECK_EQ_INT(gateway_token_begin(ts, &route.target, &r.up, &mine, side_done, &me, &e), 1);
	CHECK_EQ_INT(r.f.n, 1);
	/* another worker arrives: it waits with a timer of its own */
	side other = { .ts = ts, .t = &route.target, .up = r.up };
	pthread_t th;
	LAST_TIMER = NULL;
	pthread_create(&th, NULL, side_thread, &other);
	pthread_join(th, NULL);
	CHECK_EQ_INT(other.rc, 1);
	CHECK(other.timer != NULL && other.timer->armed == GATEWAY_TOKEN_POLL_MS);
	CHECK_EQ_INT(r.f.n, 1); /* still one exchange */
	/* polling before the answer: armed again */
	t_fire(other.timer);
	CHECK(other.called == 0 && other.timer->armed == GATEWAY_TOKEN_POLL_MS);
	answer(&r.f, 0, 200, "{\"access_token\":\"ya29.both\",\"expires_in\":3600}", 0);
	/* the exchanging thread's waiter is called back at once; the other one on its next poll */
	CHECK_EQ_INT(me.called, 1);
	CHECK(!me.failed && mine.value && !strcmp(mine.value, "Bearer ya29.both"));
	CHECK_EQ_INT(other.called, 0);
	t_fire(other.timer);
	CHECK_EQ_INT(other.called, 1);
	CHECK(!other.failed && other.u.value && !strcmp(other.u.value, "Bearer ya29.both"));
	CHECK(other.u.wait == NULL);
	CHECK_EQ_INT(gateway_tokens_minted(ts, &route.target), 1);
	gateway_token_end(&mine);
	gateway_token_end(&other.u);
	CHECK(mine.value == NULL && other.u.value == NULL);

	/* a waiter on another thread that goes away before its poll: freed, never called */
	provider_target t2 = route.target;
	side a = { 0 };
	gateway_token_use ua = { 0 };
	/* force an exchange: a new entry is not possible for ADC, so expire nothing and use
	 * a Copilot target instead */
	t2.cred = PROVIDER_CRED_GITHUB_TOKEN;
	t2.key = STR_LIT("ghu_thread");
	t2.token_url = STR_LIT("http://127.0.0.1:9/cp-token");
	CHECK_EQ_INT(gateway_token_begin(ts, &t2, &r.up, &ua, side_done, &a, &e), 1);
	side b = { .ts = ts, .t = &t2, .up = r.up };
	LAST_TIMER = NULL;
	pthread_create(&th, NULL, side_thread, &b);
	pthread_join(th, NULL);
	CHECK_EQ_INT(b.rc, 1);
	gateway_token_end(&b.u); /* cancelled while waiting */
	answer(&r.f, r.f.n - 1, 200, "{\"token\":\"cp1\",\"refresh_in\":100}", 0);
	CHECK_EQ_INT(a.called, 1);
	CHECK_EQ_INT(b.called, 0);
	gateway_token_end(&ua);
	/* targets without a minted credential: nothing to do */
	provider_target plain = { .cred = PROVIDER_CRED_KEY };
	gateway_token_use up0 = { 0 };
	CHECK_EQ_INT(gateway_token_begin(ts, &plain, &r.up, &up0, side_done, &a, &e), 0);
	CHECK(up0.value == NULL);
	gateway_token_end(&up0);
	gateway_token_end(NULL);
	rig_close(&r);
}

int main(void)
{
	snprintf(DIR_, sizeof DIR_, "/tmp/test_gateway_token.XXXXXX");
	if (!mkdtemp(DIR_)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	RUN(adc_start_up_errors);
	RUN(vertex_mints_then_reuses);
	RUN(single_flight_and_cancel);
	RUN(exchange_failures);
	RUN(refresh_ahead_of_expiry);
	RUN(authorized_user_file);
	RUN(copilot_exchange);
	RUN(waiter_on_another_thread);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", DIR_);
	if (system(cmd) != 0)
		printf("could not remove %s\n", DIR_);
	return t_done();
}
