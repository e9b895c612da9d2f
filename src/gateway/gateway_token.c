/* gateway_token.c — minted upstream credentials: Google credentials files
 * read at start-up, OAuth token exchanges (JWT-bearer or refresh_token) and
 * the GitHub Copilot token exchange through the injected upstream, one cache
 * shared by all workers with single-flight exchanges. Rules in
 * gateway_token.h. */
#include "gateway/gateway_token.h"
#include "gateway/gateway_private.h"
#include "base/clock.h"
#include "base/ct.h"
#include "base/err.h"
#include "base/log.h"
#include "json/json.h"
#include "tls/tls_jwt.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { K_SERVICE_ACCOUNT = 1, K_AUTHORIZED_USER, K_COPILOT };
enum { W_WAITING = 0, W_READY, W_DELIVERING };

#define EX_HEADERS 16
#define RESP_MAX (64u << 10)   /* a token endpoint's answer */
#define WHY_MAX 256

typedef struct tok_exchange tok_exchange;

typedef struct tok_entry {
	struct tok_entry *next;
	int kind;                     /* K_*; 0 with load_err: the file could not be used */
	char *id;                     /* credentials file path, or the GitHub token (secret) */
	size_t id_len;
	char *url;                    /* token endpoint */
	char *pem;                    /* service account: private key PEM (secret) */
	size_t pem_len;
	char *email, *kid;            /* service account: client_email, private_key_id */
	char *client_id, *client_secret, *refresh_token; /* authorized user (the last two secret) */
	char *load_err;               /* why the file cannot be used (401 text), or NULL */
	/* under gateway_tokens.mu */
	char *value;                  /* "Bearer <token>" (secret), or NULL */
	size_t value_len;
	uint64_t refresh_at, expire_at, next_try; /* monotonic ms */
	uint64_t minted;
	tok_exchange *ex;             /* the exchange in flight */
	gateway_token_wait *waiters;
} tok_entry;

struct gateway_tokens {
	pthread_mutex_t mu;
	tok_entry *entries;
	size_t n;
};

struct gateway_token_wait {
	gateway_token_wait *next;
	gateway_tokens *ts;
	tok_entry *e;
	gateway_token_use *u;
	gateway_upstream up;
	void *timer;                  /* polls from another thread, or NULL (same thread) */
	gateway_token_fn fn;
	void *ud;
	int state;                    /* W_*, under the mutex */
	bool cancelled;               /* W_DELIVERING only: the call went away meanwhile */
	bool ok;
	char *value;                  /* result: header value (secret) ... */
	size_t vlen;
	gateway_error err;            /* ... or the error */
};

struct tok_exchange {
	gateway_tokens *ts;
	tok_entry *e;
	gateway_upstream up;
	pthread_t thread;             /* where its callbacks run */
	void *h;
	buf body, resp;
	char *auth;                   /* Copilot: "token <GitHub token>" (secret) */
	http_header hdrs[EX_HEADERS];
	size_t nh;
	int status;
	bool over;
};

/* ---- small helpers ------------------------------------------------------------------- */


static void secret_free(char *p, size_t n)
{
	if (!p)
		return;
	ct_wipe(p, n);
	free(p);
}

static void cstr_wipe_free(char *p)
{
	if (p)
		secret_free(p, strlen(p));
}

static char *dupn(const char *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static void entry_free(tok_entry *en)
{
	if (!en)
		return;
	secret_free(en->id, en->id_len);
	free(en->url);
	secret_free(en->pem, en->pem_len);
	free(en->email);
	free(en->kid);
	free(en->client_id);
	cstr_wipe_free(en->client_secret);
	cstr_wipe_free(en->refresh_token);
	free(en->load_err);
	secret_free(en->value, en->value_len);
	free(en);
}

/* ---- Google credentials files (start-up) ----------------------------------------------- */

static int read_file(const char *path, buf *out, char *why, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		err_printf(why, cap, "cannot open it: %s", strerror(errno));
		return ERR_IO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_printf(why, cap, "not a regular file");
		close(fd);
		return ERR_INVAL;
	}
	if ((uint64_t)st.st_size > GATEWAY_TOKEN_FILE_MAX) {
		err_printf(why, cap, "larger than %u bytes", GATEWAY_TOKEN_FILE_MAX);
		close(fd);
		return ERR_TOOBIG;
	}
	buf_init(out, GATEWAY_TOKEN_FILE_MAX);
	for (;;) {
		char tmp[4096];
		ssize_t k = read(fd, tmp, sizeof tmp);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err_printf(why, cap, "cannot read it: %s", strerror(errno));
			close(fd);
			return ERR_IO;
		}
		if (k == 0)
			break;
		if (buf_append(out, tmp, (size_t)k) < 0) {
			err_printf(why, cap, "larger than %u bytes", GATEWAY_TOKEN_FILE_MAX);
			ct_wipe(tmp, sizeof tmp);
			close(fd);
			return ERR_TOOBIG;
		}
		ct_wipe(tmp, (size_t)k);
	}
	close(fd);
	return 0;
}

/* A required (req) or optional string member as a malloc'd copy; false
 * with why when a required one is missing/empty or not a string. */
static bool member(const json_doc *d, const char *key, bool req, arena *a, char **out, char *why, size_t cap)
{
	int v = json_get(d, 0, key);
	str s = STR_NULL;
	*out = NULL;
	if (v >= 0 && !json_is_null(d, v) && (json_typeof(d, v) != JSON_STRING || json_str(d, v, a, &s) < 0)) {
		err_printf(why, cap, "\"%s\" is not a string", key);
		return false;
	}
	if (!s.n) {
		if (req)
			err_printf(why, cap, "no \"%s\" in the file", key);
		return !req;
	}
	if (memchr(s.p, 0, s.n)) {
		err_printf(why, cap, "\"%s\" holds a NUL byte", key);
		return false;
	}
	if (!(*out = dupn(s.p, s.n))) {
		err_printf(why, cap, "out of memory");
		return false;
	}
	return true;
}

/* Fill en from a credentials file's JSON. 0, or < 0 with why. */
static int parse_adc(tok_entry *en, const char *text, size_t n, char *why, size_t cap)
{
	arena a = { 0 };
	json_doc d;
	json_err je;
	char *type = NULL;
	int rc = ERR_INVAL;

	if (json_parse_arena(&d, &a, text, n, NULL, &je) < 0) {
		err_printf(why, cap, "not valid JSON: %s", je.msg);
		goto done;
	}
	if (json_typeof(&d, 0) != JSON_OBJECT) {
		err_printf(why, cap, "not a JSON object");
		goto done;
	}
	if (!member(&d, "type", true, &a, &type, why, cap))
		goto done;
	if (!member(&d, "token_uri", false, &a, &en->url, why, cap))
		goto done;
	if (!en->url && !(en->url = dupn(GATEWAY_GOOGLE_TOKEN_URI, strlen(GATEWAY_GOOGLE_TOKEN_URI)))) {
		err_printf(why, cap, "out of memory");
		goto done;
	}
	if (strncmp(en->url, "https://", 8) != 0 && strncmp(en->url, "http://", 7) != 0) {
		err_printf(why, cap, "token_uri is not an http(s) URL");
		goto done;
	}
	if (strcmp(type, "service_account") == 0) {
		en->kind = K_SERVICE_ACCOUNT;
		if (!member(&d, "private_key", true, &a, &en->pem, why, cap) ||
		    !member(&d, "client_email", true, &a, &en->email, why, cap) ||
		    !member(&d, "private_key_id", false, &a, &en->kid, why, cap))
			goto done;
		en->pem_len = strlen(en->pem);
		char kerr[160];
		if (tls_jwt_key_check(en->pem, en->pem_len, NULL, kerr, sizeof kerr) < 0) {
			err_printf(why, cap, "private_key: %s", kerr);
			goto done;
		}
	} else if (strcmp(type, "authorized_user") == 0) {
		en->kind = K_AUTHORIZED_USER;
		if (!member(&d, "client_id", true, &a, &en->client_id, why, cap) ||
		    !member(&d, "client_secret", true, &a, &en->client_secret, why, cap) ||
		    !member(&d, "refresh_token", true, &a, &en->refresh_token, why, cap))
			goto done;
	} else {
		err_printf(why, cap, "credential type '%.64s' is not supported (use a service_account key or "
		     "an authorized_user file)", type);
		goto done;
	}
	rc = 0;
done:
	free(type);
	arena_wipe_free(&a);
	return rc;
}

/* Load the credentials file at path once (a second call finds the entry).
 * strict: a failure is returned with the start-up message for model who;
 * otherwise it is kept in the entry for the calls that need it. */
static int load_adc(gateway_tokens *ts, str path, bool strict, const char *who, char *err, size_t errlen)
{
	char why[WHY_MAX] = "";
	buf text = { 0 };
	int rc = 0;

	for (tok_entry *en = ts->entries; en; en = en->next) {
		if (en->kind == K_COPILOT || !str_eq(path, str_make(en->id, en->id_len)))
			continue;
		if (strict && en->load_err) {
			err_printf(err, errlen, "failed to build client for model '%s': %s", who, en->load_err);
			return ERR_INVAL;
		}
		return 0;
	}
	tok_entry *en = calloc(1, sizeof *en);
	if (!en || !(en->id = dupn(path.p, path.n))) {
		free(en);
		err_printf(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	en->id_len = path.n;
	rc = read_file(en->id, &text, why, sizeof why);
	if (!rc)
		rc = parse_adc(en, text.data ? text.data : "", text.len, why, sizeof why);
	if (text.data)
		ct_wipe(text.data, text.len);
	buf_free(&text);
	if (rc) {
		char msg[GATEWAY_MSG_MAX];
		snprintf(msg, sizeof msg, "authentication failed: Google credentials file %s "
			 "(GOOGLE_APPLICATION_CREDENTIALS): %s", en->id, why);
		if (strict) {
			err_printf(err, errlen, "failed to build client for model '%s': %s", who, msg);
			entry_free(en);
			return rc == ERR_NOMEM ? ERR_NOMEM : ERR_INVAL;
		}
		en->kind = 0;
		if (!(en->load_err = dupn(msg, strlen(msg)))) {
			entry_free(en);
			err_printf(err, errlen, "out of memory");
			return ERR_NOMEM;
		}
		log_warn("gateway: %s (Vertex AI calls through it will fail)", msg);
	} else {
		log_debug("gateway: Google %s credentials from %s", en->kind == K_SERVICE_ACCOUNT ?
			  "service-account" : "authorized-user", en->id);
	}
	en->next = ts->entries;
	ts->entries = en;
	ts->n++;
	return 0;
}

int gateway_tokens_init(gateway *g, char *err, size_t errlen)
{
	gateway_tokens *ts = calloc(1, sizeof *ts);
	if (!ts) {
		err_printf(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	pthread_mutex_init(&ts->mu, NULL);
	g->tokens = ts;
	for (size_t i = 0; i < g->cfg->n_models; i++) {
		const provider_target *t = &g->targets[i];
		if (t->cred != PROVIDER_CRED_GOOGLE_ADC)
			continue;
		int rc = load_adc(ts, t->adc_file, true, g->cfg->models[i].name, err, errlen);
		if (rc < 0)
			return rc;
	}
	if ((g->zero || g->cfg->n_aliases) && g->env.get) {
		const char *p = g->env.get(g->env.ud, "GOOGLE_APPLICATION_CREDENTIALS");
		if (p && *p)
			return load_adc(ts, str_from(p), false, NULL, err, errlen);
	}
	return 0;
}

/* ---- waiters ----------------------------------------------------------------------------- */

static void waiter_free(gateway_token_wait *w)
{
	if (w->timer)
		w->up.timer_free(w->timer);
	secret_free(w->value, w->vlen);
	free(w);
}

/* Hand the result to the call (on its thread) and free w. */
static void deliver(gateway_token_wait *w)
{
	if (w->cancelled) {
		waiter_free(w);
		return;
	}
	gateway_token_use *u = w->u;
	gateway_token_fn fn = w->fn;
	void *ud = w->ud;
	bool ok = w->ok;
	gateway_error err = w->err;
	u->wait = NULL;
	if (ok) {
		u->value = w->value;
		u->len = w->vlen;
		w->value = NULL;
	}
	waiter_free(w);
	fn(ud, ok ? NULL : &err);
}

static void poll_fn(void *arg)
{
	gateway_token_wait *w = arg;
	pthread_mutex_lock(&w->ts->mu);
	int st = w->state;
	pthread_mutex_unlock(&w->ts->mu);
	if (st == W_READY)
		deliver(w);
	else
		w->up.timer_set(w->timer, GATEWAY_TOKEN_POLL_MS);
}

static void unlink_waiter(gateway_token_wait *w)
{
	for (gateway_token_wait **pp = &w->e->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			return;
		}
	}
}

void gateway_token_end(gateway_token_use *u)
{
	if (!u)
		return;
	gateway_token_wait *w = u->wait;
	if (w) {
		u->wait = NULL;
		pthread_mutex_lock(&w->ts->mu);
		if (w->state == W_DELIVERING) {
			w->cancelled = true; /* whoever delivers frees it */
			pthread_mutex_unlock(&w->ts->mu);
		} else {
			if (w->state == W_WAITING)
				unlink_waiter(w);
			pthread_mutex_unlock(&w->ts->mu);
			waiter_free(w);
		}
	}
	secret_free(u->value, u->len);
	u->value = NULL;
	u->len = 0;
}

/* ---- exchanges ------------------------------------------------------------------------------ */

static void exchange_free(tok_exchange *x)
{
	if (!x)
		return;
	if (x->body.data)
		ct_wipe(x->body.data, x->body.len);
	if (x->resp.data)
		ct_wipe(x->resp.data, x->resp.len);
	buf_free(&x->body);
	buf_free(&x->resp);
	cstr_wipe_free(x->auth);
	free(x);
}

static const char *entry_label(const tok_entry *en)
{
	return en->kind == K_COPILOT ? "GitHub Copilot" : en->id;
}

/* The exchange ended: store the token (tok != NULL) or the failure (why),
 * wake the waiters, free x. On the exchange's thread. */
static void exchange_done(tok_exchange *x, const char *tok, size_t tlen, uint64_t life_ms, const char *why)
{
	gateway_tokens *ts = x->ts;
	tok_entry *en = x->e;
	gateway_error err = { 0 };
	gateway_token_wait *local = NULL, *w;
	char *val = NULL;
	size_t vlen = 0;

	if (tok) {
		vlen = 7 + tlen;
		if ((val = malloc(vlen + 1))) {
			memcpy(val, "Bearer ", 7);
			memcpy(val + 7, tok, tlen);
			val[vlen] = 0;
		} else {
			why = "out of memory";
		}
	}
	if (!val) {
		gateway_fail(&err, GATEWAY_AUTHENTICATION, "authentication failed: token exchange at %s failed: %s",
			     en->url, why);
		log_warn("gateway: %s", err.msg);
	} else {
		log_debug("gateway: token for %s minted, valid %llu s", entry_label(en),
			  (unsigned long long)(life_ms / 1000));
	}
	uint64_t now = clock_mono_ms();
	pthread_mutex_lock(&ts->mu);
	en->ex = NULL;
	if (val) {
		uint64_t margin = (uint64_t)GATEWAY_TOKEN_REFRESH_S * 1000;
		if (margin > life_ms / 2)
			margin = life_ms / 2;
		secret_free(en->value, en->value_len);
		en->value = val;
		en->value_len = vlen;
		en->expire_at = now + life_ms;
		en->refresh_at = now + life_ms - margin;
		en->next_try = 0;
		en->minted++;
	} else {
		en->next_try = now + GATEWAY_TOKEN_RETRY_MS;
	}
	while ((w = en->waiters)) {
		en->waiters = w->next;
		w->ok = val != NULL;
		if (val && !(w->value = dupn(val, vlen))) {
			w->ok = false;
			gateway_fail(&w->err, GATEWAY_INTERNAL, "internal error: out of memory");
		}
		w->vlen = w->ok ? vlen : 0;
		if (!val)
			w->err = err;
		if (w->timer) {
			w->state = W_READY;
		} else {
			w->state = W_DELIVERING;
			w->next = local;
			local = w;
		}
	}
	pthread_mutex_unlock(&ts->mu);
	exchange_free(x);
	while ((w = local)) {
		local = w->next;
		deliver(w);
	}
}

/* Short, printable detail of an error answer: the OAuth error, GitHub's or
 * Google's message, else the start of the body. */
static void answer_detail(const tok_exchange *x, char *out, size_t cap)
{
	arena a = { 0 };
	json_doc d;
	str m1 = STR_NULL, m2 = STR_NULL;
	const char *body = x->resp.data ? x->resp.data : "";
	if (json_parse_arena(&d, &a, body, x->resp.len, NULL, NULL) > 0 && json_typeof(&d, 0) == JSON_OBJECT) {
		int e = json_get(&d, 0, "error");
		if (json_typeof(&d, e) == JSON_STRING) {
			json_str(&d, e, &a, &m1); /* OAuth: "invalid_grant" + error_description */
			int ed = json_get(&d, 0, "error_description");
			if (json_typeof(&d, ed) == JSON_STRING)
				json_str(&d, ed, &a, &m2);
		} else if (json_typeof(&d, json_get(&d, e, "message")) == JSON_STRING) {
			json_str(&d, json_get(&d, e, "message"), &a, &m1); /* Google API error */
		} else if (json_typeof(&d, json_get(&d, 0, "message")) == JSON_STRING) {
			json_str(&d, json_get(&d, 0, "message"), &a, &m1); /* GitHub */
		}
	}
	if (!m1.n) {
		m1 = str_trim(str_make(body, x->resp.len));
		if (m1.n > 160)
			m1.n = 160;
	}
	int k = snprintf(out, cap, "HTTP %d%s%.*s%s%.*s", x->status, m1.n ? ": " : "", (int)(m1.n > 200 ? 200 : m1.n),
			 m1.p ? m1.p : "", m2.n ? ": " : "", (int)(m2.n > 200 ? 200 : m2.n), m2.p ? m2.p : "");
	for (int i = 0; i < k && (size_t)i < cap; i++) /* one line, no control bytes */
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	arena_free(&a);
}

static bool token_chars_ok(str t)
{
	if (!t.n || t.n > GATEWAY_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < t.n; i++)
		if ((unsigned char)t.p[i] < 0x21 || (unsigned char)t.p[i] > 0x7e)
			return false;
	return true;
}

static void ex_on_head(http_client_req *r, const http_client_resp *resp, void *ud)
{
	(void)r;
	((tok_exchange *)ud)->status = resp->status;
}

static void ex_on_data(http_client_req *r, const char *p, size_t n, void *ud)
{
	(void)r;
	tok_exchange *x = ud;
	if (!x->over && buf_append(&x->resp, p, n) < 0)
		x->over = true;
}

static void ex_on_done(http_client_req *r, int err, const char *reason, void *ud)
{
	(void)r;
	tok_exchange *x = ud;
	char why[WHY_MAX];
	arena a = { 0 };
	json_doc d;
	str tok = STR_NULL;
	uint64_t life_s = 0;

	x->h = NULL;
	if (err) {
		snprintf(why, sizeof why, "%s", reason && *reason ? reason : http_client_err_name(err));
		goto fail;
	}
	if (x->over) {
		snprintf(why, sizeof why, "HTTP %d: answer larger than %u bytes", x->status, RESP_MAX);
		goto fail;
	}
	if (x->status < 200 || x->status >= 300) {
		answer_detail(x, why, sizeof why);
		goto fail;
	}
	const char *body = x->resp.data ? x->resp.data : "";
	if (json_parse_arena(&d, &a, body, x->resp.len, NULL, NULL) < 0 || json_typeof(&d, 0) != JSON_OBJECT) {
		snprintf(why, sizeof why, "the answer is not a JSON object");
		goto fail;
	}
	bool copilot = x->e->kind == K_COPILOT;
	const char *tk = copilot ? "token" : "access_token";
	int tv = json_get(&d, 0, tk);
	if (json_typeof(&d, tv) != JSON_STRING || json_str(&d, tv, &a, &tok) < 0 || !token_chars_ok(tok)) {
		snprintf(why, sizeof why, "the answer has no usable \"%s\"", tk);
		goto fail;
	}
	if (copilot) {
		int64_t at = 0;
		uint64_t ri = 0;
		int64_t now = clock_wall_s();
		if (json_i64(&d, json_get(&d, 0, "expires_at"), &at) == 0 && at > now)
			life_s = (uint64_t)(at - now);
		else if (json_u64(&d, json_get(&d, 0, "refresh_in"), &ri) == 0 && ri > 0)
			life_s = ri + 60;
		else
			life_s = 25 * 60;
	} else if (json_u64(&d, json_get(&d, 0, "expires_in"), &life_s) != 0 || life_s == 0) {
		life_s = 3600;
	}
	if (life_s > 86400)
		life_s = 86400;
	exchange_done(x, tok.p, tok.n, life_s * 1000, NULL);
	arena_wipe_free(&a);
	return;
fail:
	arena_wipe_free(&a);
	exchange_done(x, NULL, 0, 0, why);
}

/* application/x-www-form-urlencoded value (RFC 3986 unreserved kept) */
static int form_put(buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;
	for (; *s && !rc; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			rc = buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = buf_append(b, e, 3);
		}
	}
	return rc;
}

static void ex_header(tok_exchange *x, const char *name, const char *value)
{
	if (x->nh < EX_HEADERS)
		x->hdrs[x->nh++] = (http_header){ str_from(name), str_from(value) };
}

/* Build and send the exchange request (outside the lock; the entry's
 * credential fields are immutable). 0, or < 0 with why. */
static int exchange_start(tok_exchange *x, char *why, size_t cap)
{
	const tok_entry *en = x->e;
	const char *method = "POST";
	char jerr[160];
	int rc = 0;

	buf_init(&x->body, 3 * GATEWAY_TOKEN_FILE_MAX);
	buf_init(&x->resp, RESP_MAX);
	ex_header(x, "Accept", "application/json");
	switch (en->kind) {
	case K_SERVICE_ACCOUNT: {
		int64_t now = clock_wall_s();
		tls_jwt_claims c = { .kid = en->kid, .iss = en->email, .scope = GATEWAY_GOOGLE_SCOPE, .aud = en->url,
				     .iat = now, .exp = now + 3600 };
		rc = buf_puts(&x->body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=");
		if (!rc && (rc = tls_jwt_sign_rs256(en->pem, en->pem_len, &c, &x->body, jerr, sizeof jerr)) < 0) {
			err_printf(why, cap, "cannot sign the assertion: %s", jerr);
			return rc;
		}
		ex_header(x, "Content-Type", "application/x-www-form-urlencoded");
		break;
	}
	case K_AUTHORIZED_USER:
		rc = buf_puts(&x->body, "grant_type=refresh_token&client_id=");
		rc = rc ? rc : form_put(&x->body, en->client_id);
		rc = rc ? rc : buf_puts(&x->body, "&client_secret=");
		rc = rc ? rc : form_put(&x->body, en->client_secret);
		rc = rc ? rc : buf_puts(&x->body, "&refresh_token=");
		rc = rc ? rc : form_put(&x->body, en->refresh_token);
		ex_header(x, "Content-Type", "application/x-www-form-urlencoded");
		break;
	default: { /* Copilot */
		method = "GET";
		size_t n = 6 + en->id_len;
		if (!(x->auth = malloc(n + 1))) {
			rc = ERR_NOMEM;
			break;
		}
		memcpy(x->auth, "token ", 6);
		memcpy(x->auth + 6, en->id, en->id_len);
		x->auth[n] = 0;
		ex_header(x, "Authorization", x->auth);
		const provider_adapter_info *ai = provider_adapter_get(PROVIDER_ADAPTER_COPILOT);
		for (size_t i = 0; i < ai->n_headers; i++)
			if (!strcmp(ai->headers[i].name, "editor-version") ||
			    !strcmp(ai->headers[i].name, "editor-plugin-version") ||
			    !strcmp(ai->headers[i].name, "user-agent"))
				ex_header(x, ai->headers[i].name, ai->headers[i].value);
		break;
	}
	}
	if (rc < 0) {
		err_printf(why, cap, "cannot build the request: %s", err_str(rc));
		return rc;
	}
	http_client_spec s = {
		.method = str_from(method),
		.url = str_from(en->url),
		.headers = x->hdrs,
		.nheaders = x->nh,
		.body = str_make(x->body.data, x->body.len),
		.timeouts = { .total_ms = GATEWAY_TOKEN_TIMEOUT_MS },
		.cb = { ex_on_head, ex_on_data, ex_on_done },
		.ud = x,
	};
	char err[WHY_MAX];
	rc = x->up.request(x->up.ud, &s, &x->h, err, sizeof err);
	if (rc < 0) {
		x->h = NULL;
		err_printf(why, cap, "%s", err);
	}
	return rc;
}

/* A new exchange for en (under the lock): marks it in flight. */
static tok_exchange *exchange_new(gateway_tokens *ts, tok_entry *en, const gateway_upstream *up)
{
	tok_exchange *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->ts = ts;
	x->e = en;
	x->up = *up;
	x->thread = pthread_self();
	en->ex = x;
	return x;
}

/* ---- the cache ----------------------------------------------------------------------------- */

/* The entry of t (under the lock); Copilot entries are made on first use.
 * NULL with e when there is none. */
static tok_entry *entry_for(gateway_tokens *ts, const provider_target *t, gateway_error *e)
{
	bool copilot = t->cred == PROVIDER_CRED_GITHUB_TOKEN;
	str id = copilot ? t->key : t->adc_file;
	for (tok_entry *en = ts->entries; en; en = en->next) {
		if ((en->kind == K_COPILOT) != copilot)
			continue;
		if (copilot ? ct_eq(id.p, id.n, en->id, en->id_len) && str_eq_cstr(t->token_url, en->url)
			    : str_eq(id, str_make(en->id, en->id_len)))
			return en;
	}
	if (!copilot) {
		gateway_fail(e, GATEWAY_AUTHENTICATION, "authentication failed: Google credentials file " STR_FMT
			     " (GOOGLE_APPLICATION_CREDENTIALS) was not loaded at start-up", STR_ARG(id));
		return NULL;
	}
	if (!id.n) {
		gateway_fail(e, GATEWAY_AUTHENTICATION, "authentication failed: no GitHub token for GitHub Copilot "
			     "(set GITHUB_COPILOT_TOKEN or the entry's api_key)");
		return NULL;
	}
	if (ts->n >= GATEWAY_TOKEN_ENTRIES_MAX) {
		gateway_fail(e, GATEWAY_INTERNAL, "internal error: more than %d distinct credentials to mint tokens for",
			     GATEWAY_TOKEN_ENTRIES_MAX);
		return NULL;
	}
	str url = t->token_url.n ? t->token_url : STR_LIT(PROVIDER_COPILOT_TOKEN_URL);
	tok_entry *en = calloc(1, sizeof *en);
	if (!en || !(en->id = dupn(id.p, id.n)) || !(en->url = dupn(url.p, url.n))) {
		entry_free(en);
		gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		return NULL;
	}
	en->kind = K_COPILOT;
	en->id_len = id.n;
	en->next = ts->entries;
	ts->entries = en;
	ts->n++;
	return en;
}

int gateway_token_begin(gateway_tokens *ts, const provider_target *t, const gateway_upstream *up,
			gateway_token_use *u, gateway_token_fn fn, void *ud, gateway_error *e)
{
	tok_exchange *start = NULL, *bg = NULL;
	gateway_token_wait *w = NULL;
	char why[WHY_MAX];

	if (t->cred != PROVIDER_CRED_GOOGLE_ADC && t->cred != PROVIDER_CRED_GITHUB_TOKEN)
		return 0;
	if (!ts)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: no token cache");
	uint64_t now = clock_mono_ms();
	pthread_mutex_lock(&ts->mu);
	tok_entry *en = entry_for(ts, t, e);
	if (!en)
		goto fail_locked;
	if (en->load_err) {
		gateway_fail(e, GATEWAY_AUTHENTICATION, "%s", en->load_err);
		goto fail_locked;
	}
	if (en->value && now < en->expire_at) {
		if (!(u->value = dupn(en->value, en->value_len))) {
			gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
			goto fail_locked;
		}
		u->len = en->value_len;
		if (now >= en->refresh_at && !en->ex && now >= en->next_try)
			bg = exchange_new(ts, en, up); /* NULL: no memory, try again next call */
		pthread_mutex_unlock(&ts->mu);
		if (bg && exchange_start(bg, why, sizeof why) < 0)
			exchange_done(bg, NULL, 0, 0, why);
		return 0;
	}
	if (!(w = calloc(1, sizeof *w))) {
		gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		goto fail_locked;
	}
	w->ts = ts;
	w->e = en;
	w->u = u;
	w->up = *up;
	w->fn = fn;
	w->ud = ud;
	if (!en->ex) {
		if (!(start = exchange_new(ts, en, up))) {
			free(w);
			gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
			goto fail_locked;
		}
	} else if (!pthread_equal(en->ex->thread, pthread_self())) {
		/* the exchange runs on another worker: look again every few ms */
		if (up->timer_new && up->timer_set && up->timer_free)
			w->timer = up->timer_new(up->ud, poll_fn, w);
		if (!w->timer) {
			free(w);
			gateway_fail(e, GATEWAY_INTERNAL, "internal error: cannot wait for the token exchange (no timer)");
			goto fail_locked;
		}
		up->timer_set(w->timer, GATEWAY_TOKEN_POLL_MS);
	}
	w->next = en->waiters;
	en->waiters = w;
	u->wait = w;
	pthread_mutex_unlock(&ts->mu);
	if (start && exchange_start(start, why, sizeof why) < 0) {
		/* take our own wait back (no callback from inside begin), fail the others */
		char url[PROVIDER_BASE_URL_MAX];
		snprintf(url, sizeof url, "%s", en->url);
		pthread_mutex_lock(&ts->mu);
		unlink_waiter(w);
		pthread_mutex_unlock(&ts->mu);
		u->wait = NULL;
		waiter_free(w);
		exchange_done(start, NULL, 0, 0, why);
		return gateway_fail(e, GATEWAY_AUTHENTICATION, "authentication failed: token exchange at %s failed: %s",
				    url, why);
	}
	return 1;
fail_locked:
	pthread_mutex_unlock(&ts->mu);
	return -1;
}

uint64_t gateway_tokens_minted(gateway_tokens *ts, const provider_target *t)
{
	uint64_t n = 0;
	if (!ts || (t->cred != PROVIDER_CRED_GOOGLE_ADC && t->cred != PROVIDER_CRED_GITHUB_TOKEN))
		return 0;
	bool copilot = t->cred == PROVIDER_CRED_GITHUB_TOKEN;
	str id = copilot ? t->key : t->adc_file;
	pthread_mutex_lock(&ts->mu);
	for (tok_entry *en = ts->entries; en; en = en->next)
		if ((en->kind == K_COPILOT) == copilot && ct_eq(en->id, en->id_len, id.p, id.n))
			n += en->minted;
	pthread_mutex_unlock(&ts->mu);
	return n;
}

void gateway_tokens_free(gateway_tokens *ts)
{
	if (!ts)
		return;
	tok_entry *en = ts->entries;
	while (en) {
		tok_entry *next = en->next;
		exchange_free(en->ex); /* its upstream is gone: never touched */
		for (gateway_token_wait *w = en->waiters, *wn; w; w = wn) {
			wn = w->next;
			secret_free(w->value, w->vlen);
			free(w);
		}
		entry_free(en);
		en = next;
	}
	pthread_mutex_destroy(&ts->mu);
	free(ts);
}
