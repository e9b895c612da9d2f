/* config.c — load liter-llm-proxy.toml: read, ${VAR} interpolation, TOML
 * parse, then map every table of the schema (docs/config.md) into the typed
 * config, checking every load-time rule and collecting every error found. */
#include "config/config_private.h"
#include "base/ct.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/limits.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_ARENA_CAP ((size_t)256 << 20)  /* TOML tree + config of a LIMIT_CONFIG_BYTES file */
#define KEYNAME_MAX 64                          /* key names shown in messages */

typedef struct ld {
	arena *a;
	config *c;
	config_errors *errs;
	const char *file;
	const config_srcmap *map;
	size_t nerr;
	bool oom;
	const char **sec;      /* secrets found (malloc'd vector, copied into the arena at the end) */
	size_t nsec, capsec;
	config_note *notes;    /* warnings (malloc'd vector) */
	size_t nnotes, capnotes;
} ld;

/* ---- errors and small helpers --------------------------------------------- */

static config_pos P(const ld *L, toml_pos p)
{
	return config_srcmap_pos(L->map, p.line, p.col);
}

__attribute__((format(printf, 4, 5)))
static void lerr(ld *L, toml_pos p, bool exact, const char *fmt, ...)
{
	if (L->nerr >= CONFIG_MAX_ERRORS)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	L->nerr++;
	int rc;
	if (L->nerr == CONFIG_MAX_ERRORS)
		rc = config_err_add(L->errs, L->file, P(L, p), false, "too many errors, stopping after %d", CONFIG_MAX_ERRORS);
	else
		rc = config_err_add(L->errs, L->file, P(L, p), exact, "%s", msg);
	if (rc < 0)
		L->oom = true;
}

__attribute__((format(printf, 3, 4)))
static void lwarn(ld *L, toml_pos p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (L->nnotes == L->capnotes) {
		size_t nc = L->capnotes ? L->capnotes * 2 : 8;
		config_note *v = realloc(L->notes, nc * sizeof *v);
		if (!v) {
			L->oom = true;
			return;
		}
		L->notes = v;
		L->capnotes = nc;
	}
	char *m = arena_strndup(L->a, msg, strlen(msg));
	if (!m) {
		L->oom = true;
		return;
	}
	L->notes[L->nnotes++] = (config_note){ P(L, p), m };
}

static void *A(ld *L, size_t count, size_t size)
{
	void *p = arena_calloc(L->a, count ? count : 1, size);
	if (!p)
		L->oom = true;
	return p;
}

static void secret(ld *L, const char *s)
{
	if (!s || !*s)
		return;
	if (L->nsec == L->capsec) {
		size_t nc = L->capsec ? L->capsec * 2 : 16;
		const char **v = realloc(L->sec, nc * sizeof *v);
		if (!v) {
			L->oom = true;
			return;
		}
		L->sec = v;
		L->capsec = nc;
	}
	L->sec[L->nsec++] = s;
}

/* Name of an option key that probably holds a credential. */
static bool sensitive_name(const char *k)
{
	static const char *const words[] = { "key", "token", "secret", "password", "passwd", "auth",
					     "credential", "cookie", "signature", "session", NULL };
	char low[128];
	size_t n = strlen(k);
	if (n >= sizeof low)
		n = sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (k[i] >= 'A' && k[i] <= 'Z') ? (char)(k[i] + 32) : k[i];
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

#define KN(kv, b) config_printable((kv)->key, (kv)->key_len, KEYNAME_MAX, (b), sizeof(b))

static bool key_is(const toml_kv *kv, const char *name)
{
	size_t n = strlen(name);
	return kv->key_len == n && memcmp(kv->key, name, n) == 0;
}

static bool in_list(const char *const *list, const toml_kv *kv)
{
	for (; *list; list++)
		if (key_is(kv, *list))
			return true;
	return false;
}

static void join(const char *const *list, char *dst, size_t cap)
{
	size_t o = 0;
	dst[0] = '\0';
	for (size_t i = 0; list[i]; i++) {
		int w = snprintf(dst + o, cap - o, "%s%s", i ? ", " : "", list[i]);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
}

/* Unknown keys of table t; ctx reads "in [server]". */
static void check_keys(ld *L, const toml_value *t, const char *ctx, const char *const *allowed)
{
	char kb[KEYNAME_MAX * 4 + 8], exp[512];
	for (size_t i = 0; i < t->u.tab.n; i++) {
		const toml_kv *kv = &t->u.tab.items[i];
		if (in_list(allowed, kv))
			continue;
		join(allowed, exp, sizeof exp);
		lerr(L, kv->key_pos, false, "unknown key '%s' %s; expected one of: %s", KN(kv, kb), ctx, exp);
	}
}

/* The exact-shape message of [routing], [routing.classifier], [[guardrails]]:
 * "unknown key(s) in <where> for <tag> \"<v>\": <keys>. Accepted keys: <list>". */
static void check_tagged(ld *L, const toml_value *t, const char *where, const char *tag, const char *tagval,
			 const char *const *allowed)
{
	char keys[600], kb[KEYNAME_MAX * 4 + 8], acc[512], tv[KEYNAME_MAX * 4 + 8];
	size_t o = 0, bad = 0;
	toml_pos first = { 0, 0 };
	keys[0] = '\0';
	for (size_t i = 0; i < t->u.tab.n; i++) {
		const toml_kv *kv = &t->u.tab.items[i];
		if (in_list(allowed, kv))
			continue;
		if (!bad++)
			first = kv->key_pos;
		int w = snprintf(keys + o, sizeof keys - o, "%s%s", o ? ", " : "", KN(kv, kb));
		if (w > 0 && (size_t)w < sizeof keys - o)
			o += (size_t)w;
	}
	if (!bad)
		return;
	join(allowed, acc, sizeof acc);
	config_printable(tagval, strlen(tagval), KEYNAME_MAX, tv, sizeof tv);
	lerr(L, first, true, "unknown key(s) in %s for %s \"%s\": %s. Accepted keys: %s", where, tag, tv, keys, acc);
}

static int type_err(ld *L, const toml_kv *kv, const char *ctx, const char *want)
{
	char kb[KEYNAME_MAX * 4 + 8];
	lerr(L, kv->val->pos, false, "invalid type for '%s' %s: expected %s, found %s", KN(kv, kb), ctx, want,
	     toml_type_name(kv->val->type));
	return -1;
}

static void missing(ld *L, const toml_value *t, const char *key, const char *ctx)
{
	lerr(L, t->pos, false, "missing required key '%s' %s", key, ctx);
}

static bool has_nul(const toml_value *v)
{
	return memchr(v->u.s.p, '\0', v->u.s.n) != NULL;
}

/* A float, or an integer widened to double; false for any other type. */
static bool num_f64(const toml_value *v, double *out)
{
	if (v->type == TOML_FLOAT)
		*out = v->u.f;
	else if (v->type == TOML_INTEGER)
		*out = (double)v->u.i;
	else
		return false;
	return true;
}

/* Element i of array key has the wrong type: "expected array of <want>". */
static void item_type_err(ld *L, const toml_value *it, const char *key, const char *ctx, const char *want, size_t i)
{
	lerr(L, it->pos, false, "invalid type for '%s' %s: expected array of %s, found %s at index %zu", key, ctx, want,
	     toml_type_name(it->type), i);
}

/* Getters: 1 = present and valid, 0 = absent, -1 = invalid (error reported). */

static int g_str(ld *L, const toml_value *t, const char *key, const char *ctx, const char **out, config_pos *pos)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return 0;
	if (kv->val->type != TOML_STRING)
		return type_err(L, kv, ctx, "string");
	if (has_nul(kv->val)) {
		lerr(L, kv->val->pos, false, "invalid value for '%s' %s: the NUL character (\\u0000) is not allowed", key, ctx);
		return -1;
	}
	*out = kv->val->u.s.p;
	if (pos)
		*pos = P(L, kv->val->pos);
	return 1;
}

static int g_uint(ld *L, const toml_value *t, const char *key, const char *ctx, const char *ty, uint64_t max,
		  uint64_t *out)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return 0;
	if (kv->val->type != TOML_INTEGER)
		return type_err(L, kv, ctx, ty);
	int64_t i = kv->val->u.i;
	if (i < 0 || (uint64_t)i > max) {
		lerr(L, kv->val->pos, false, "invalid value for '%s' %s: %lld is out of range for %s (0..=%llu)", key, ctx,
		     (long long)i, ty, (unsigned long long)max);
		return -1;
	}
	*out = (uint64_t)i;
	return 1;
}

static int g_f64(ld *L, const toml_value *t, const char *key, const char *ctx, double *out)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return 0;
	if (!num_f64(kv->val, out))
		return type_err(L, kv, ctx, "f64");
	return 1;
}

static int g_bool(ld *L, const toml_value *t, const char *key, const char *ctx, bool *out)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return 0;
	if (kv->val->type != TOML_BOOL)
		return type_err(L, kv, ctx, "boolean");
	*out = kv->val->u.b;
	return 1;
}

static int g_strlist(ld *L, const toml_value *t, const char *key, const char *ctx, config_strlist *out)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return 0;
	const toml_value *v = kv->val;
	if (v->type != TOML_ARRAY)
		return type_err(L, kv, ctx, "array of strings");
	size_t n = v->u.arr.n;
	const char **s = A(L, n, sizeof *s);
	config_pos *ps = A(L, n, sizeof *ps);
	if (!s || !ps)
		return -1;
	int rc = 1;
	for (size_t i = 0; i < n; i++) {
		const toml_value *it = v->u.arr.items[i];
		if (it->type != TOML_STRING) {
			item_type_err(L, it, key, ctx, "strings", i);
			rc = -1;
			continue;
		}
		if (has_nul(it)) {
			lerr(L, it->pos, false, "invalid value for '%s' %s: the NUL character (\\u0000) is not allowed", key, ctx);
			rc = -1;
			continue;
		}
		s[i] = it->u.s.p;
		ps[i] = P(L, it->pos);
	}
	if (rc > 0) {
		out->v = s;
		out->pos = ps;
		out->n = n;
	}
	return rc;
}

/* A sub-table of t (inline or [header]); *st = 1 present, 0 absent, -1 wrong type. */
static const toml_value *g_table(ld *L, const toml_value *t, const char *key, const char *ctx, int *st)
{
	const toml_kv *kv = toml_get_kv(t, key);
	*st = 0;
	if (!kv)
		return NULL;
	if (kv->val->type != TOML_TABLE) {
		*st = type_err(L, kv, ctx, "table");
		return NULL;
	}
	*st = 1;
	return kv->val;
}

/* An array of tables ([[x]] or x = [{...}]); NULL when absent or invalid. */
static const toml_value *g_aot(ld *L, const toml_value *t, const char *key, const char *ctx)
{
	const toml_kv *kv = toml_get_kv(t, key);
	if (!kv)
		return NULL;
	if (kv->val->type != TOML_ARRAY) {
		type_err(L, kv, ctx, "array of tables");
		return NULL;
	}
	bool ok = true;
	for (size_t i = 0; i < kv->val->u.arr.n; i++) {
		const toml_value *it = kv->val->u.arr.items[i];
		if (it->type != TOML_TABLE) {
			item_type_err(L, it, key, ctx, "tables", i);
			ok = false;
		}
	}
	return ok ? kv->val : NULL;
}

/* One member of a map table checked and stored in slot i of v; 1 = ok,
 * -1 = invalid (error reported). where = "in <sub>". */
typedef int (*map_put_fn)(ld *L, const toml_kv *kv, const char *where, void *v, size_t i);

/* Table key of t read member by member into count elem-sized slots; sub
 * names the table in messages ("[files.backend_config]"). *v and *n are set
 * only when every member is valid. Getter result. */
static int g_map(ld *L, const toml_value *t, const char *key, const char *ctx, const char *sub, size_t elem,
		 map_put_fn put, void **v, size_t *n)
{
	int st;
	const toml_value *m = g_table(L, t, key, ctx, &st);
	if (!m)
		return st;
	void *slots = A(L, m->u.tab.n, elem);
	if (!slots)
		return -1;
	char where[160];
	snprintf(where, sizeof where, "in %s", sub);
	int rc = 1;
	for (size_t i = 0; i < m->u.tab.n; i++)
		if (put(L, &m->u.tab.items[i], where, slots, i) < 0)
			rc = -1;
	if (rc > 0) {
		*v = slots;
		*n = m->u.tab.n;
	}
	return rc;
}

static int put_str(ld *L, const toml_kv *kv, const char *where, void *v, size_t i)
{
	if (kv->val->type != TOML_STRING)
		return type_err(L, kv, where, "string");
	if (has_nul(kv->val) || memchr(kv->key, '\0', kv->key_len)) {
		lerr(L, kv->val->pos, false, "invalid value %s: the NUL character (\\u0000) is not allowed", where);
		return -1;
	}
	((config_kv *)v)[i] = (config_kv){ kv->key, kv->val->u.s.p, P(L, kv->key_pos) };
	return 1;
}

static int put_f64(ld *L, const toml_kv *kv, const char *where, void *v, size_t i)
{
	double d;
	if (!num_f64(kv->val, &d))
		return type_err(L, kv, where, "f64");
	if (memchr(kv->key, '\0', kv->key_len)) {
		lerr(L, kv->key_pos, false, "invalid key %s: the NUL character (\\u0000) is not allowed", where);
		return -1;
	}
	((config_kvf *)v)[i] = (config_kvf){ kv->key, d, P(L, kv->key_pos) };
	return 1;
}

/* Table string -> string. */
static int g_strmap(ld *L, const toml_value *t, const char *key, const char *ctx, const char *sub, config_strmap *out)
{
	void *v;
	size_t n;
	int rc = g_map(L, t, key, ctx, sub, sizeof(config_kv), put_str, &v, &n);
	if (rc > 0) {
		out->v = v;
		out->n = n;
	}
	return rc;
}

/* Table string -> f64 (integers widened). */
static int g_f64map(ld *L, const toml_value *t, const char *key, const char *ctx, const char *sub, config_f64map *out)
{
	void *v;
	size_t n;
	int rc = g_map(L, t, key, ctx, sub, sizeof(config_kvf), put_f64, &v, &n);
	if (rc > 0) {
		out->v = v;
		out->n = n;
	}
	return rc;
}

/* The f64 items of array kv into *out (allocated, *n = their count; 0 when
 * out of memory). Wrong-typed items are reported and left 0. */
static void f64_items(ld *L, const toml_kv *kv, const char *key, const char *ctx, double **out, size_t *n)
{
	size_t cnt = kv->val->u.arr.n;
	*out = A(L, cnt, sizeof(double));
	*n = *out ? cnt : 0;
	for (size_t i = 0; i < *n; i++) {
		const toml_value *e = kv->val->u.arr.items[i];
		if (!num_f64(e, &(*out)[i]))
			item_type_err(L, e, key, ctx, "f64", i);
	}
}

/* One of the allowed strings; *idx = its index. */
static int g_enum(ld *L, const toml_value *t, const char *key, const char *ctx, const char *const *vals, int *idx,
		  config_pos *pos)
{
	const char *s;
	config_pos p;
	int st = g_str(L, t, key, ctx, &s, &p);
	if (st <= 0)
		return st;
	for (int i = 0; vals[i]; i++)
		if (strcmp(s, vals[i]) == 0) {
			*idx = i;
			if (pos)
				*pos = p;
			return 1;
		}
	char vb[KEYNAME_MAX * 4 + 8], exp[256];
	exp[0] = '\0';
	for (int i = 0; vals[i]; i++) {
		size_t o = strlen(exp);
		snprintf(exp + o, sizeof exp - o, "%s\"%s\"", i == 0 ? "" : vals[i + 1] ? ", " : " or ", vals[i]);
	}
	const toml_kv *kv = toml_get_kv(t, key);
	lerr(L, kv->val->pos, false, "invalid value for '%s' %s: unknown variant \"%s\", expected %s", key, ctx,
	     config_printable(s, strlen(s), KEYNAME_MAX, vb, sizeof vb), exp);
	return -1;
}

/* ---- defaults -------------------------------------------------------------------- */

static void defaults(config *c)
{
	c->server.host = "0.0.0.0";
	c->server.port = 4000;
	c->server.request_timeout_secs = LIMIT_REQUEST_TIMEOUT_S;
	c->server.body_limit_bytes = LIMIT_HTTP_BODY_BYTES;
	c->general.default_timeout_secs = LIMIT_UPSTREAM_TIMEOUT_S;
	c->general.max_retries = 3;
	c->cache.max_entries = 256;
	c->cache.ttl_seconds = 300;
	c->cache.backend = "memory";
	c->files.backend = "memory";
	c->files.prefix = "liter-llm-files/";
	c->mcp.max_message_bytes = LIMIT_MCP_MESSAGE_BYTES;
	c->mcp.session_idle_secs = LIMIT_MCP_SESSION_IDLE_S;
}

#define U16_MAX_ 65535u
#define U32_MAX_ 4294967295u
#define U64_MAX_ ((uint64_t)INT64_MAX)  /* TOML integers are i64 */
#define USIZE_MAX_ ((uint64_t)(SIZE_MAX > INT64_MAX ? INT64_MAX : SIZE_MAX))

/* ---- [server] [general] --------------------------------------------------------- */

static void load_server(ld *L, const toml_value *root)
{
	static const char *const K[] = { "host", "port", "request_timeout_secs", "body_limit_bytes", "cors_origins", NULL };
	static const char ctx[] = "in [server]";
	config_server *s = &L->c->server;
	int st;
	const toml_value *t = g_table(L, root, "server", "at the top level", &st);
	if (!t)
		return;
	s->present = true;
	s->pos = P(L, t->pos);
	check_keys(L, t, ctx, K);
	uint64_t v;
	if (g_str(L, t, "host", ctx, &s->host, NULL) > 0)
		s->host_set = true;
	if (g_uint(L, t, "port", ctx, "u16", U16_MAX_, &v) > 0) {
		s->port = (uint16_t)v;
		s->port_set = true;
	}
	if (g_uint(L, t, "request_timeout_secs", ctx, "u64", U64_MAX_, &v) > 0)
		s->request_timeout_secs = v;
	if (g_uint(L, t, "body_limit_bytes", ctx, "usize", USIZE_MAX_, &v) > 0)
		s->body_limit_bytes = (size_t)v;
	g_strlist(L, t, "cors_origins", ctx, &s->cors_origins);
}

static void load_general(ld *L, const toml_value *root)
{
	static const char *const K[] = { "master_key", "default_timeout_secs", "max_retries", "enable_cost_tracking",
					 "enable_tracing", NULL };
	static const char ctx[] = "in [general]";
	config_general *g = &L->c->general;
	int st;
	const toml_value *t = g_table(L, root, "general", "at the top level", &st);
	if (!t)
		return;
	g->present = true;
	g->pos = P(L, t->pos);
	check_keys(L, t, ctx, K);
	uint64_t v;
	if (g_str(L, t, "master_key", ctx, &g->master_key, &g->master_key_pos) > 0) {
		if (!*g->master_key) {
			lerr(L, toml_get(t, "master_key")->pos, false,
			     "general.master_key is present but empty (an unset ${VAR} expands to an empty string); "
			     "give it a value or remove the key");
			g->master_key = NULL;
		}
		secret(L, g->master_key);
	}
	if (g_uint(L, t, "default_timeout_secs", ctx, "u64", U64_MAX_, &v) > 0)
		g->default_timeout_secs = v;
	if (g_uint(L, t, "max_retries", ctx, "u32", U32_MAX_, &v) > 0)
		g->max_retries = (uint32_t)v;
	g_bool(L, t, "enable_cost_tracking", ctx, &g->enable_cost_tracking);
	g_bool(L, t, "enable_tracing", ctx, &g->enable_tracing);
}

/* ---- [[models]] and pools ------------------------------------------------------------ */

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c);
}

static void check_headers(ld *L, const toml_value *entry, const config_strmap *h, const char *ctx)
{
	static const char *const managed[] = { "host", "content-length", "transfer-encoding", "connection",
					       "keep-alive", "upgrade", "te", "trailer", NULL };
	const toml_value *ht = toml_get(entry, "extra_headers");
	for (size_t i = 0; i < h->n; i++) {
		const char *k = h->v[i].key, *val = h->v[i].val;
		const toml_kv *kv = ht ? &ht->u.tab.items[i] : NULL;
		toml_pos kp = kv ? kv->key_pos : entry->pos, vp = kv ? kv->val->pos : entry->pos;
		char kb[KEYNAME_MAX * 4 + 8];
		bool ok = *k != '\0';
		for (const char *p = k; *p; p++)
			if (!is_tchar((unsigned char)*p))
				ok = false;
		config_printable(k, strlen(k), KEYNAME_MAX, kb, sizeof kb);
		if (!ok) {
			lerr(L, kp, false, "invalid header name '%s' in extra_headers %s", kb, ctx);
			continue;
		}
		bool bad_val = false;
		for (const char *p = val; *p; p++)
			if (*p == '\r' || *p == '\n')
				bad_val = true;
		if (bad_val) {
			lerr(L, vp, false, "invalid value for header '%s' in extra_headers %s: CR and LF are not allowed", kb, ctx);
			continue;
		}
		for (size_t j = 0; managed[j]; j++)
			if (strcasecmp(k, managed[j]) == 0)
				lerr(L, kp, false, "header '%s' in extra_headers %s cannot be set: it is managed by the HTTP client",
				     kb, ctx);
		if (sensitive_name(k))
			secret(L, val);
	}
}

static void load_models(ld *L, const toml_value *root)
{
	static const char *const K[] = { "name", "provider_model", "api_key", "base_url", "timeout_secs", "fallbacks",
					 "extra_headers", NULL };
	const toml_value *arr = g_aot(L, root, "models", "at the top level");
	if (!arr || !arr->u.arr.n)
		return;
	config *c = L->c;
	size_t n = arr->u.arr.n;
	c->models = A(L, n, sizeof *c->models);
	if (!c->models)
		return;
	c->n_models = n;
	for (size_t i = 0; i < n; i++) {
		const toml_value *t = arr->u.arr.items[i];
		config_model *m = &c->models[i];
		char ctx[128], sub[160];
		snprintf(ctx, sizeof ctx, "in [[models]] entry %zu", i);
		m->pos = P(L, t->pos);
		m->index = i;
		check_keys(L, t, ctx, K);
		if (g_str(L, t, "name", ctx, &m->name, &m->name_pos) == 0)
			missing(L, t, "name", ctx);
		if (g_str(L, t, "provider_model", ctx, &m->provider_model, &m->provider_model_pos) == 0)
			missing(L, t, "provider_model", ctx);
		if (g_str(L, t, "api_key", ctx, &m->api_key, &m->api_key_pos) > 0)
			secret(L, m->api_key);
		g_str(L, t, "base_url", ctx, &m->base_url, &m->base_url_pos);
		uint64_t v;
		m->timeout_secs = c->general.default_timeout_secs;
		if (g_uint(L, t, "timeout_secs", ctx, "u64", U64_MAX_, &v) > 0) {
			m->timeout_secs = v;
			m->timeout_set = true;
		}
		g_strlist(L, t, "fallbacks", ctx, &m->fallbacks);
		snprintf(sub, sizeof sub, "[[models]] entry %zu extra_headers", i);
		if (g_strmap(L, t, "extra_headers", ctx, sub, &m->extra_headers) > 0)
			check_headers(L, t, &m->extra_headers, ctx);
	}
}

/* Open-addressing index of strings, for pools and duplicate tokens. */
typedef struct sidx {
	size_t *slot;   /* value + 1, 0 = empty */
	size_t mask;
} sidx;

static bool sidx_init(sidx *x, size_t n)
{
	size_t sz = 16;
	while (sz < n * 2)
		sz <<= 1;
	x->slot = calloc(sz, sizeof *x->slot);
	x->mask = sz - 1;
	return x->slot != NULL;
}

/* Find s (compare(ud, value, s) true) or the empty slot where it goes. */
static size_t *sidx_find(sidx *x, const char *s, size_t n, bool (*eq)(void *ud, size_t v, const char *s, size_t n),
			 void *ud)
{
	size_t h = (size_t)hash_fnv1a64(s, n) & x->mask;
	for (;;) {
		size_t *sl = &x->slot[h];
		if (*sl == 0 || eq(ud, *sl - 1, s, n))
			return sl;
		h = (h + 1) & x->mask;
	}
}

static bool pool_eq(void *ud, size_t v, const char *s, size_t n)
{
	const config *c = ud;
	return strlen(c->pools[v].name) == n && memcmp(c->pools[v].name, s, n) == 0;
}

static void build_pools(ld *L)
{
	config *c = L->c;
	if (!c->n_models)
		return;
	sidx x;
	c->pools = A(L, c->n_models, sizeof *c->pools);
	size_t *count = calloc(c->n_models, sizeof *count);
	if (!c->pools || !count || !sidx_init(&x, c->n_models)) {
		L->oom = true;
		free(count);
		return;
	}
	for (size_t i = 0; i < c->n_models; i++) {
		config_model *m = &c->models[i];
		const char *nm = m->name ? m->name : "";
		size_t *sl = sidx_find(&x, nm, strlen(nm), pool_eq, c);
		if (*sl == 0) {
			c->pools[c->n_pools].name = nm;
			*sl = ++c->n_pools;
		}
		m->pool = *sl - 1;
		m->pool_index = count[m->pool]++;
	}
	for (size_t p = 0; p < c->n_pools; p++) {
		c->pools[p].models = A(L, count[p], sizeof(size_t));
		if (!c->pools[p].models)
			break;
	}
	for (size_t i = 0; i < c->n_models && !L->oom; i++) {
		config_pool *p = &c->pools[c->models[i].pool];
		p->models[p->n++] = i;
	}
	free(count);
	free(x.slot);
}

/* ---- [[aliases]] [[keys]] ---------------------------------------------------------------- */

static void load_aliases(ld *L, const toml_value *root)
{
	static const char *const K[] = { "pattern", "api_key", "base_url", NULL };
	const toml_value *arr = g_aot(L, root, "aliases", "at the top level");
	if (!arr || !arr->u.arr.n)
		return;
	config *c = L->c;
	c->aliases = A(L, arr->u.arr.n, sizeof *c->aliases);
	if (!c->aliases)
		return;
	c->n_aliases = arr->u.arr.n;
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const toml_value *t = arr->u.arr.items[i];
		config_alias *al = &c->aliases[i];
		char ctx[128];
		snprintf(ctx, sizeof ctx, "in [[aliases]] entry %zu", i);
		al->pos = P(L, t->pos);
		check_keys(L, t, ctx, K);
		if (g_str(L, t, "pattern", ctx, &al->pattern, NULL) == 0)
			missing(L, t, "pattern", ctx);
		if (g_str(L, t, "api_key", ctx, &al->api_key, NULL) > 0)
			secret(L, al->api_key);
		g_str(L, t, "base_url", ctx, &al->base_url, NULL);
	}
}

static void load_creds(ld *L, const toml_value *t, config_key *k, size_t ki, const char *kctx)
{
	static const char *const K[] = { "provider", "id", "api_key", "model_allowlist", NULL };
	const toml_value *arr = g_aot(L, t, "provider_credentials", kctx);
	if (!arr || !arr->u.arr.n)
		return;
	k->creds = A(L, arr->u.arr.n, sizeof *k->creds);
	if (!k->creds)
		return;
	k->n_creds = arr->u.arr.n;
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const toml_value *e = arr->u.arr.items[i];
		config_provider_cred *pc = &k->creds[i];
		char ctx[128];
		snprintf(ctx, sizeof ctx, "in [[keys.provider_credentials]] entry %zu of [[keys]] entry %zu", i, ki);
		pc->pos = P(L, e->pos);
		check_keys(L, e, ctx, K);
		if (g_str(L, e, "provider", ctx, &pc->provider, NULL) == 0)
			missing(L, e, "provider", ctx);
		if (g_str(L, e, "id", ctx, &pc->id, NULL) == 0)
			missing(L, e, "id", ctx);
		int st = g_str(L, e, "api_key", ctx, &pc->api_key, NULL);
		if (st == 0)
			missing(L, e, "api_key", ctx);
		else if (st > 0)
			secret(L, pc->api_key);
		if (g_strlist(L, e, "model_allowlist", ctx, &pc->model_allowlist) > 0)
			pc->model_allowlist_set = true;
	}
}

static bool key_eq(void *ud, size_t v, const char *s, size_t n)
{
	const config_key *keys = ud;
	return keys[v].key_len == n && memcmp(keys[v].key, s, n) == 0;
}

static void load_keys(ld *L, const toml_value *root)
{
	static const char *const K[] = { "key", "description", "models", "rpm", "tpm", "budget_limit", "tenant_id",
					 "provider_credentials", NULL };
	const toml_value *arr = g_aot(L, root, "keys", "at the top level");
	if (!arr || !arr->u.arr.n)
		return;
	size_t n = arr->u.arr.n;
	config_key *all = A(L, n, sizeof *all);
	if (!all)
		return;
	for (size_t i = 0; i < n; i++) {
		const toml_value *t = arr->u.arr.items[i];
		config_key *k = &all[i];
		char ctx[128], db[KEYNAME_MAX * 4 + 8];
		snprintf(ctx, sizeof ctx, "in [[keys]] entry %zu", i);
		k->pos = P(L, t->pos);
		k->entry = i;
		check_keys(L, t, ctx, K);
		g_str(L, t, "description", ctx, &k->description, NULL);
		const char *desc = k->description
			? config_printable(k->description, strlen(k->description), KEYNAME_MAX, db, sizeof db)
			: "<no description>";
		int st = g_str(L, t, "key", ctx, &k->key, &k->key_pos);
		if (st == 0)
			missing(L, t, "key", ctx);
		else if (st > 0) {
			k->key_len = strlen(k->key);
			if (!k->key_len)
				lerr(L, toml_get(t, "key")->pos, false,
				     "virtual key '%s' has an empty key (an unset ${VAR} expands to an empty string)", desc);
			secret(L, k->key);
		}
		g_strlist(L, t, "models", ctx, &k->models);
		uint64_t v;
		if (g_uint(L, t, "rpm", ctx, "u32", U32_MAX_, &v) > 0) {
			k->rpm = (uint32_t)v;
			k->rpm_set = true;
		}
		if (g_uint(L, t, "tpm", ctx, "u64", U64_MAX_, &v) > 0) {
			k->tpm = v;
			k->tpm_set = true;
		}
		if (g_f64(L, t, "budget_limit", ctx, &k->budget_limit) > 0)
			k->budget_limit_set = true;
		if (g_str(L, t, "tenant_id", ctx, &k->tenant_id, NULL) > 0) {
			if (!*k->tenant_id)
				lerr(L, toml_get(t, "tenant_id")->pos, false, "virtual key '%s': tenant_id must not be empty", desc);
			else if (strcmp(k->tenant_id, "master") == 0)
				lerr(L, toml_get(t, "tenant_id")->pos, false,
				     "virtual key '%s': tenant_id \"master\" is reserved for the master key", desc);
		}
		load_creds(L, t, k, i, ctx);
		if (!k->tenant_id && k->key) {
			char tid[HASH_TENANT_ID_SIZE];
			hash_tenant_id(k->key, k->key_len, tid);
			k->tenant_id = arena_strndup(L->a, tid, strlen(tid));
			k->tenant_derived = true;
			if (!k->tenant_id)
				L->oom = true;
		}
	}
	if (L->nerr || L->oom)
		return;
	/* duplicate tokens: the later entry wins */
	sidx x;
	bool *dead = calloc(n, sizeof *dead);
	if (!dead || !sidx_init(&x, n)) {
		free(dead);
		L->oom = true;
		return;
	}
	size_t live = n;
	for (size_t i = 0; i < n; i++) {
		size_t *sl = sidx_find(&x, all[i].key, all[i].key_len, key_eq, all);
		if (*sl) {
			size_t prev = *sl - 1;
			char db[KEYNAME_MAX * 4 + 8];
			const char *d = all[prev].description;
			lwarn(L, arr->u.arr.items[prev]->pos,
			      "[[keys]] entry %zu ('%s') has the same key as entry %zu; the later entry wins", prev,
			      d ? config_printable(d, strlen(d), KEYNAME_MAX, db, sizeof db) : "<no description>", i);
			dead[prev] = true;
			live--;
		}
		*sl = i + 1;
	}
	config *c = L->c;
	c->keys = A(L, live, sizeof *c->keys);
	if (c->keys)
		for (size_t i = 0; i < n; i++)
			if (!dead[i])
				c->keys[c->n_keys++] = all[i];
	free(dead);
	free(x.slot);
}

/* ---- optional tables ------------------------------------------------------------------- */

static const toml_value *opt_table(ld *L, const toml_value *root, const char *name, bool *present, config_pos *pos,
				   const char *ctx, const char *const *keys)
{
	int st;
	const toml_value *t = g_table(L, root, name, "at the top level", &st);
	if (!t)
		return NULL;
	*present = true;
	*pos = P(L, t->pos);
	if (keys)
		check_keys(L, t, ctx, keys);
	return t;
}

static void load_rate_limit(ld *L, const toml_value *root)
{
	static const char *const K[] = { "rpm", "tpm", NULL };
	static const char ctx[] = "in [rate_limit]";
	config_rate_limit *r = &L->c->rate_limit;
	const toml_value *t = opt_table(L, root, "rate_limit", &r->present, &r->pos, ctx, K);
	if (!t)
		return;
	uint64_t v;
	if (g_uint(L, t, "rpm", ctx, "u32", U32_MAX_, &v) > 0) {
		r->rpm = (uint32_t)v;
		r->rpm_set = true;
	}
	if (g_uint(L, t, "tpm", ctx, "u64", U64_MAX_, &v) > 0) {
		r->tpm = v;
		r->tpm_set = true;
	}
}

static void load_budget(ld *L, const toml_value *root)
{
	static const char *const K[] = { "global_limit", "model_limits", "enforcement", NULL };
	static const char *const E[] = { "hard", "soft", NULL };
	static const char ctx[] = "in [budget]";
	config_budget *b = &L->c->budget;
	const toml_value *t = opt_table(L, root, "budget", &b->present, &b->pos, ctx, K);
	if (!t)
		return;
	if (g_f64(L, t, "global_limit", ctx, &b->global_limit) > 0)
		b->global_limit_set = true;
	g_f64map(L, t, "model_limits", ctx, "[budget.model_limits]", &b->model_limits);
	int e;
	if (g_enum(L, t, "enforcement", ctx, E, &e, NULL) > 0)
		b->enforcement = e ? CONFIG_ENFORCE_SOFT : CONFIG_ENFORCE_HARD;
}

static void sensitive_values(ld *L, const config_strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (sensitive_name(m->v[i].key))
			secret(L, m->v[i].val);
}

static void load_cache(ld *L, const toml_value *root)
{
	static const char *const K[] = { "max_entries", "ttl_seconds", "backend", "backend_config", NULL };
	static const char ctx[] = "in [cache]";
	config_cache *ca = &L->c->cache;
	const toml_value *t = opt_table(L, root, "cache", &ca->present, &ca->pos, ctx, K);
	if (!t)
		return;
	uint64_t v;
	if (g_uint(L, t, "max_entries", ctx, "usize", USIZE_MAX_, &v) > 0)
		ca->max_entries = (size_t)v;
	if (g_uint(L, t, "ttl_seconds", ctx, "u64", U64_MAX_, &v) > 0)
		ca->ttl_seconds = v;
	g_str(L, t, "backend", ctx, &ca->backend, NULL);
	if (g_strmap(L, t, "backend_config", ctx, "[cache.backend_config]", &ca->backend_config) > 0)
		sensitive_values(L, &ca->backend_config);
}

static void load_files(ld *L, const toml_value *root)
{
	static const char *const K[] = { "backend", "prefix", "backend_config", "mode", NULL };
	static const char *const M[] = { "proxy", "local", NULL };
	static const char ctx[] = "in [files]";
	config_files *f = &L->c->files;
	const toml_value *t = opt_table(L, root, "files", &f->present, &f->pos, ctx, K);
	if (!t)
		return;
	g_str(L, t, "backend", ctx, &f->backend, &f->backend_pos);
	g_str(L, t, "prefix", ctx, &f->prefix, NULL);
	if (g_strmap(L, t, "backend_config", ctx, "[files.backend_config]", &f->backend_config) > 0)
		sensitive_values(L, &f->backend_config);
	int m;
	if (g_enum(L, t, "mode", ctx, M, &m, NULL) > 0)
		f->mode = m ? CONFIG_FILES_LOCAL : CONFIG_FILES_PROXY;
}

static void load_health(ld *L, const toml_value *root)
{
	static const char *const K[] = { "interval_secs", "probe_model", NULL };
	static const char ctx[] = "in [health]";
	config_health *h = &L->c->health;
	const toml_value *t = opt_table(L, root, "health", &h->present, &h->pos, ctx, K);
	if (!t)
		return;
	uint64_t v;
	if (g_uint(L, t, "interval_secs", ctx, "u64", U64_MAX_, &v) > 0) {
		if (v == 0)
			lerr(L, toml_get(t, "interval_secs")->pos, false,
			     "invalid value for 'interval_secs' in [health]: must be greater than 0 (remove the key to disable probing)");
		h->interval_secs = v;
		h->interval_set = true;
	}
	g_str(L, t, "probe_model", ctx, &h->probe_model, NULL);
}

static void load_cooldown(ld *L, const toml_value *root)
{
	static const char *const K[] = { "duration_secs", NULL };
	static const char ctx[] = "in [cooldown]";
	config_cooldown *cd = &L->c->cooldown;
	const toml_value *t = opt_table(L, root, "cooldown", &cd->present, &cd->pos, ctx, K);
	if (!t)
		return;
	if (g_uint(L, t, "duration_secs", ctx, "u64", U64_MAX_, &cd->duration_secs) == 0)
		missing(L, t, "duration_secs", ctx);
}

static void load_mcp(ld *L, const toml_value *root)
{
	static const char *const K[] = { "stdio_trust_local", "stdio_key_id", "http_auth", "max_message_bytes",
					 "session_idle_secs", NULL };
	static const char *const AUTH[] = { "none", "bearer", NULL };
	static const char ctx[] = "in [mcp]";
	config_mcp *m = &L->c->mcp;
	const toml_value *t = opt_table(L, root, "mcp", &m->present, &m->pos, ctx, K);
	if (!t)
		return;
	g_bool(L, t, "stdio_trust_local", ctx, &m->stdio_trust_local);
	g_str(L, t, "stdio_key_id", ctx, &m->stdio_key_id, &m->stdio_key_id_pos);
	int a;
	if (g_enum(L, t, "http_auth", ctx, AUTH, &a, NULL) > 0)
		m->http_auth = a ? CONFIG_MCP_AUTH_BEARER : CONFIG_MCP_AUTH_NONE;
	uint64_t v;
	if (g_uint(L, t, "max_message_bytes", ctx, "usize", USIZE_MAX_, &v) > 0) {
		if (v == 0)
			lerr(L, toml_get(t, "max_message_bytes")->pos, false,
			     "invalid value for 'max_message_bytes' in [mcp]: must be greater than 0");
		m->max_message_bytes = (size_t)v;
	}
	if (g_uint(L, t, "session_idle_secs", ctx, "u64", U64_MAX_, &v) > 0)
		m->session_idle_secs = v;
}

static void load_security(ld *L, const toml_value *root)
{
	static const char *const K[] = { "outbound_policy", "outbound_allowlist", NULL };
	static const char *const POL[] = { "deny_private", "off", "allowlist", NULL };
	static const char ctx[] = "in [security]";
	config_security *s = &L->c->security;
	const toml_value *t = opt_table(L, root, "security", &s->present, &s->pos, ctx, K);
	if (!t)
		return;
	int p;
	if (g_enum(L, t, "outbound_policy", ctx, POL, &p, &s->outbound_policy_pos) > 0)
		s->outbound_policy = (config_outbound)p;
	g_strlist(L, t, "outbound_allowlist", ctx, &s->outbound_allowlist);
}

/* ---- [routing] -------------------------------------------------------------------------------- */

static const char *const STRATEGIES[] = { "round_robin", "fallback", "latency_based", "cost_based",
					  "weighted_random", "semantic", NULL };
static const char *const R_PLAIN[] = { "strategy", NULL };
static const char *const R_WEIGHTS[] = { "strategy", "weights", NULL };
static const char *const R_SEM[] = { "strategy", "classifier", NULL };
static const char *const C_KEYWORD[] = { "kind", "rules", NULL };
static const char *const C_EMBED[] = { "kind", "embedding_model", "api_key", "base_url", "threshold", "prototypes", NULL };

static int strategy_of(const char *s)
{
	for (int i = 0; STRATEGIES[i]; i++)
		if (strcmp(s, STRATEGIES[i]) == 0)
			return i;
	return -1;
}

static const char *const *routing_keys(int st)
{
	return st == CONFIG_ROUTE_WEIGHTED ? R_WEIGHTS : st == CONFIG_ROUTE_SEMANTIC ? R_SEM : R_PLAIN;
}

static const char *str_of(const toml_value *t, const char *key)
{
	const toml_value *v = toml_get(t, key);
	return v && v->type == TOML_STRING && !has_nul(v) ? v->u.s.p : NULL;
}

/* "Checked before normal parsing": keys that do not belong to the selected tag. */
static void prepass_routing(ld *L, const toml_value *root)
{
	const toml_value *t = toml_get(root, "routing");
	if (!t || t->type != TOML_TABLE)
		return;
	const char *s = str_of(t, "strategy");
	int st = s ? strategy_of(s) : -1;
	if (st < 0)
		return;
	check_tagged(L, t, "[routing]", "strategy", s, routing_keys(st));
	const toml_value *cl = toml_get(t, "classifier");
	if (st != CONFIG_ROUTE_SEMANTIC || !cl || cl->type != TOML_TABLE)
		return;
	const char *k = str_of(cl, "kind");
	if (k && strcmp(k, "keyword") == 0)
		check_tagged(L, cl, "[routing.classifier]", "kind", k, C_KEYWORD);
	else if (k && strcmp(k, "embedding") == 0)
		check_tagged(L, cl, "[routing.classifier]", "kind", k, C_EMBED);
}

static void load_classifier(ld *L, const toml_value *cl, config_classifier *c)
{
	static const char *const KINDS[] = { "keyword", "embedding", NULL };
	static const char ctx[] = "in [routing.classifier]";
	c->pos = P(L, cl->pos);
	int k;
	int st = g_enum(L, cl, "kind", ctx, KINDS, &k, NULL);
	if (st == 0)
		missing(L, cl, "kind", ctx);
	if (st <= 0)
		return;
	if (k == 0) {
		c->kind = CONFIG_CLASSIFIER_KEYWORD;
		const toml_value *arr = g_aot(L, cl, "rules", ctx);
		if (!arr || !arr->u.arr.n)
			return;
		static const char *const RK[] = { "pattern", "model", NULL };
		c->rules = A(L, arr->u.arr.n, sizeof *c->rules);
		if (!c->rules)
			return;
		c->n_rules = arr->u.arr.n;
		for (size_t i = 0; i < arr->u.arr.n; i++) {
			const toml_value *r = arr->u.arr.items[i];
			char rctx[128];
			snprintf(rctx, sizeof rctx, "in [[routing.classifier.rules]] entry %zu", i);
			c->rules[i].pos = P(L, r->pos);
			check_keys(L, r, rctx, RK);
			if (g_str(L, r, "pattern", rctx, &c->rules[i].pattern, &c->rules[i].pattern_pos) == 0)
				missing(L, r, "pattern", rctx);
			if (g_str(L, r, "model", rctx, &c->rules[i].model, NULL) == 0)
				missing(L, r, "model", rctx);
		}
		return;
	}
	c->kind = CONFIG_CLASSIFIER_EMBEDDING;
	if (g_str(L, cl, "embedding_model", ctx, &c->embedding_model, NULL) == 0)
		missing(L, cl, "embedding_model", ctx);
	if (g_str(L, cl, "api_key", ctx, &c->api_key, NULL) > 0)
		secret(L, c->api_key);
	g_str(L, cl, "base_url", ctx, &c->base_url, NULL);
	if (g_f64(L, cl, "threshold", ctx, &c->threshold) == 0)
		missing(L, cl, "threshold", ctx);
	const toml_value *arr = g_aot(L, cl, "prototypes", ctx);
	if (!arr || !arr->u.arr.n)
		return;
	static const char *const PK[] = { "name", "model", "embedding", NULL };
	c->prototypes = A(L, arr->u.arr.n, sizeof *c->prototypes);
	if (!c->prototypes)
		return;
	c->n_prototypes = arr->u.arr.n;
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const toml_value *p = arr->u.arr.items[i];
		config_prototype *pr = &c->prototypes[i];
		char pctx[128];
		snprintf(pctx, sizeof pctx, "in [[routing.classifier.prototypes]] entry %zu", i);
		pr->pos = P(L, p->pos);
		check_keys(L, p, pctx, PK);
		if (g_str(L, p, "name", pctx, &pr->name, NULL) == 0)
			missing(L, p, "name", pctx);
		if (g_str(L, p, "model", pctx, &pr->model, NULL) == 0)
			missing(L, p, "model", pctx);
		const toml_kv *kv = toml_get_kv(p, "embedding");
		if (!kv) {
			missing(L, p, "embedding", pctx);
			continue;
		}
		if (kv->val->type != TOML_ARRAY) {
			type_err(L, kv, pctx, "array of f64");
			continue;
		}
		f64_items(L, kv, "embedding", pctx, &pr->embedding, &pr->n_embedding);
		if (!pr->embedding)
			return;
	}
}

static void load_routing(ld *L, const toml_value *root)
{
	static const char ctx[] = "in [routing]";
	config_routing *r = &L->c->routing;
	static const char *const ALL[] = { "strategy", "weights", "classifier", NULL };
	const toml_value *t = opt_table(L, root, "routing", &r->present, &r->pos, ctx, NULL);
	if (!t)
		return;
	int s;
	int st = g_enum(L, t, "strategy", ctx, STRATEGIES, &s, NULL);
	if (st == 0)
		missing(L, t, "strategy", ctx);
	if (st <= 0) {
		/* no usable strategy: only keys outside every strategy are reported */
		check_keys(L, t, ctx, ALL);
		return;
	}
	r->strategy = (config_strategy)s;
	if (r->strategy == CONFIG_ROUTE_WEIGHTED) {
		const toml_kv *kv = toml_get_kv(t, "weights");
		if (!kv) {
			lerr(L, t->pos, false, "missing required key 'weights' in [routing] for strategy \"weighted_random\"");
		} else if (kv->val->type != TOML_ARRAY) {
			type_err(L, kv, ctx, "array of f64");
		} else {
			f64_items(L, kv, "weights", ctx, &r->weights, &r->n_weights);
			r->weights_pos = P(L, kv->val->pos);
		}
	} else if (r->strategy == CONFIG_ROUTE_SEMANTIC) {
		const toml_value *cl = g_table(L, t, "classifier", ctx, &st);
		if (st == 0)
			lerr(L, t->pos, false, "missing required key 'classifier' in [routing] for strategy \"semantic\"");
		else if (cl)
			load_classifier(L, cl, &r->classifier);
	}
}

/* ---- [[guardrails]] ----------------------------------------------------------------------------- */

static const char *const G_TYPES[] = { "regex", "cel", "length_cap", "prompt_injection", NULL };
static const char *const G_REGEX[] = { "type", "name", "pattern", "stages", "action", NULL };
static const char *const G_CEL[] = { "type", "name", "expression", "stages", "action", "fail_open", NULL };
static const char *const G_LEN[] = { "type", "name", "max_chars", "stages", NULL };
static const char *const G_PI[] = { "type", "name", NULL };
static const char *const *const G_KEYS[] = { G_REGEX, G_CEL, G_LEN, G_PI };
static const char *const A_REGEX_BLOCK[] = { "kind", "code", "reason_prefix", NULL };
static const char *const A_REDACT[] = { "kind", "replacement", NULL };
static const char *const A_CEL_BLOCK[] = { "kind", "code", "reason", NULL };
static const char *const A_MUTATE[] = { "kind", "new_payload", NULL };

static int gtype_of(const char *s)
{
	for (int i = 0; G_TYPES[i]; i++)
		if (strcmp(s, G_TYPES[i]) == 0)
			return i;
	return -1;
}

/* Accepted keys of an action kind for a guardrail type (0 regex, 1 cel); NULL = kind not allowed. */
static const char *const *action_keys(int gt, const char *kind)
{
	if (strcmp(kind, "block") == 0)
		return gt == 0 ? A_REGEX_BLOCK : A_CEL_BLOCK;
	if (gt == 0 && strcmp(kind, "redact") == 0)
		return A_REDACT;
	if (gt == 1 && strcmp(kind, "mutate") == 0)
		return A_MUTATE;
	return NULL;
}

static void prepass_guardrails(ld *L, const toml_value *root)
{
	const toml_value *arr = toml_get(root, "guardrails");
	if (!arr || arr->type != TOML_ARRAY)
		return;
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const toml_value *t = arr->u.arr.items[i];
		if (t->type != TOML_TABLE)
			continue;
		const char *ty = str_of(t, "type");
		int gt = ty ? gtype_of(ty) : -1;
		if (gt < 0)
			continue;
		char where[128];
		snprintf(where, sizeof where, "[[guardrails]] entry %zu", i);
		check_tagged(L, t, where, "type", ty, G_KEYS[gt]);
		const toml_value *a = toml_get(t, "action");
		if (gt > 1 || !a || a->type != TOML_TABLE)
			continue;
		const char *k = str_of(a, "kind");
		const char *const *ak = k ? action_keys(gt, k) : NULL;
		if (ak) {
			snprintf(where, sizeof where, "[[guardrails]] entry %zu action", i);
			check_tagged(L, a, where, "kind", k, ak);
		}
	}
}

static void load_stages(ld *L, const toml_value *t, const char *ctx, config_guardrail *g)
{
	const toml_kv *kv = toml_get_kv(t, "stages");
	g->stages = CONFIG_STAGE_INPUT;
	if (!kv)
		return;
	if (kv->val->type != TOML_ARRAY) {
		type_err(L, kv, ctx, "array of strings");
		return;
	}
	g->stages = 0;
	for (size_t i = 0; i < kv->val->u.arr.n; i++) {
		const toml_value *e = kv->val->u.arr.items[i];
		if (e->type != TOML_STRING) {
			item_type_err(L, e, "stages", ctx, "strings", i);
			continue;
		}
		if (strcmp(e->u.s.p, "input") == 0 && e->u.s.n == 5)
			g->stages |= CONFIG_STAGE_INPUT;
		else if (strcmp(e->u.s.p, "output") == 0 && e->u.s.n == 6)
			g->stages |= CONFIG_STAGE_OUTPUT;
		else if (strcmp(e->u.s.p, "output_chunk") == 0 && e->u.s.n == 12)
			g->stages |= CONFIG_STAGE_OUTPUT_CHUNK;
		else {
			char vb[KEYNAME_MAX * 4 + 8];
			lerr(L, e->pos, false,
			     "invalid value for 'stages' %s: unknown stage \"%s\", expected \"input\", \"output\" or \"output_chunk\"",
			     ctx, config_printable(e->u.s.p, e->u.s.n, KEYNAME_MAX, vb, sizeof vb));
		}
	}
	if (!g->stages)
		lwarn(L, kv->val->pos, "guardrail %s has no stages and never runs", ctx + 3);
}

static void load_action(ld *L, const toml_value *t, const char *ctx, int gt, config_guardrail *g)
{
	int st;
	const toml_value *a = g_table(L, t, "action", ctx, &st);
	if (st == 0)
		missing(L, t, "action", ctx);
	if (!a)
		return;
	char actx[160];
	snprintf(actx, sizeof actx, "%s action", ctx);
	config_guard_action *ac = &g->action;
	ac->pos = P(L, a->pos);
	const char *k;
	st = g_str(L, a, "kind", actx, &k, NULL);
	if (st == 0)
		missing(L, a, "kind", actx);
	if (st <= 0)
		return;
	if (!action_keys(gt, k)) {
		char vb[KEYNAME_MAX * 4 + 8];
		lerr(L, toml_get(a, "kind")->pos, false, "invalid value for 'kind' %s: unknown variant \"%s\", expected %s", actx,
		     config_printable(k, strlen(k), KEYNAME_MAX, vb, sizeof vb),
		     gt == 0 ? "\"block\" or \"redact\"" : "\"block\" or \"mutate\"");
		return;
	}
	uint64_t v;
	if (strcmp(k, "block") == 0) {
		ac->kind = CONFIG_ACTION_BLOCK;
		ac->code = 403;
		if (g_uint(L, a, "code", actx, "u32", U32_MAX_, &v) > 0)
			ac->code = (uint32_t)v;
		if (gt == 0) {
			ac->reason_prefix = "";
			g_str(L, a, "reason_prefix", actx, &ac->reason_prefix, NULL);
		} else {
			ac->reason = "";
			g_str(L, a, "reason", actx, &ac->reason, NULL);
		}
	} else if (strcmp(k, "redact") == 0) {
		ac->kind = CONFIG_ACTION_REDACT;
		ac->replacement = "[REDACTED]";
		g_str(L, a, "replacement", actx, &ac->replacement, NULL);
	} else {
		ac->kind = CONFIG_ACTION_MUTATE;
		ac->new_payload = toml_get(a, "new_payload");
		if (!ac->new_payload)
			missing(L, a, "new_payload", actx);
	}
}

static void load_guardrails(ld *L, const toml_value *root)
{
	const toml_value *arr = g_aot(L, root, "guardrails", "at the top level");
	if (!arr || !arr->u.arr.n)
		return;
	config *c = L->c;
	c->guardrails = A(L, arr->u.arr.n, sizeof *c->guardrails);
	if (!c->guardrails)
		return;
	c->n_guardrails = arr->u.arr.n;
	for (size_t i = 0; i < arr->u.arr.n; i++) {
		const toml_value *t = arr->u.arr.items[i];
		config_guardrail *g = &c->guardrails[i];
		char ctx[128];
		snprintf(ctx, sizeof ctx, "in [[guardrails]] entry %zu", i);
		g->pos = P(L, t->pos);
		int gt;
		int st = g_enum(L, t, "type", ctx, G_TYPES, &gt, NULL);
		if (st == 0)
			missing(L, t, "type", ctx);
		if (st <= 0)
			continue;
		g->type = (config_guard_type)(gt + 1);
		if (g_str(L, t, "name", ctx, &g->name, NULL) == 0)
			missing(L, t, "name", ctx);
		g->stages = CONFIG_STAGE_INPUT;
		uint64_t v;
		switch (g->type) {
		case CONFIG_GUARD_REGEX:
			if (g_str(L, t, "pattern", ctx, &g->pattern, &g->pattern_pos) == 0)
				missing(L, t, "pattern", ctx);
			load_stages(L, t, ctx, g);
			load_action(L, t, ctx, 0, g);
			break;
		case CONFIG_GUARD_CEL:
			if (g_str(L, t, "expression", ctx, &g->expression, NULL) == 0)
				missing(L, t, "expression", ctx);
			load_stages(L, t, ctx, g);
			g_bool(L, t, "fail_open", ctx, &g->fail_open);
			load_action(L, t, ctx, 1, g);
			break;
		case CONFIG_GUARD_LENGTH_CAP:
			st = g_uint(L, t, "max_chars", ctx, "usize", USIZE_MAX_, &v);
			if (st == 0)
				missing(L, t, "max_chars", ctx);
			else if (st > 0)
				g->max_chars = (size_t)v;
			load_stages(L, t, ctx, g);
			break;
		case CONFIG_GUARD_PROMPT_INJECTION:
			break;
		}
	}
}

/* ---- top level -------------------------------------------------------------------------------------- */

static void load_root(ld *L, const toml_value *root)
{
	static const char *const K[] = { "server", "general", "models", "aliases", "keys", "rate_limit", "budget",
					 "cache", "files", "health", "cooldown", "mcp", "security", "routing",
					 "guardrails", NULL };
	prepass_routing(L, root);
	prepass_guardrails(L, root);
	check_keys(L, root, "at the top level", K);
	load_server(L, root);
	load_general(L, root);
	load_models(L, root);
	load_aliases(L, root);
	load_keys(L, root);
	load_rate_limit(L, root);
	load_budget(L, root);
	load_cache(L, root);
	load_files(L, root);
	load_health(L, root);
	load_cooldown(L, root);
	load_mcp(L, root);
	load_security(L, root);
	load_routing(L, root);
	load_guardrails(L, root);
	if (!L->nerr && !L->oom)
		build_pools(L);
}

int config_load_text(const char *name, const char *text, size_t len, config_env_fn env, void *env_ud,
		     config **out, config_errors *errs)
{
	*out = NULL;
	if (!name)
		name = "";
	ld L = { 0 };
	config_srcmap map = { 0 };
	buf ex = { 0 };
	arena a;
	arena_init(&a, 16384, CONFIG_ARENA_CAP);
	int rc;
	L.a = &a;
	L.errs = errs;
	L.file = name;
	L.map = &map;

	rc = config_interp_map(text ? text : "", text ? len : 0, env, env_ud, LIMIT_CONFIG_BYTES, &ex, &map);
	if (rc < 0) {
		if (rc == ERR_TOOBIG)
			config_err_add(errs, name, (config_pos){ 0, 0 }, false,
				       "the config is larger than %u bytes after ${VAR} interpolation", (unsigned)LIMIT_CONFIG_BYTES);
		else
			config_err_add(errs, name, (config_pos){ 0, 0 }, false, "out of memory");
		goto fail;
	}
	config *c = arena_calloc(&a, 1, sizeof *c);
	if (!c) {
		rc = ERR_NOMEM;
		goto oom;
	}
	L.c = c;
	defaults(c);
	c->file = arena_strndup(&a, name, strlen(name));
	toml_value *root = NULL;
	toml_error te;
	memset(&te, 0, sizeof te);
	rc = toml_parse(&a, ex.data ? ex.data : "", ex.len, &root, &te);
	ct_wipe(ex.data, ex.len);
	buf_free(&ex);
	if (rc < 0) {
		if (rc == ERR_NOMEM)
			goto oom;
		config_err_add(errs, name, P(&L, te.pos), false, "%s", te.msg[0] ? te.msg : err_str(rc));
		goto fail;
	}
	load_root(&L, root);
	if (L.oom) {
		rc = ERR_NOMEM;
		goto oom;
	}
	if (L.nerr) {
		rc = ERR_INVAL;
		goto fail;
	}
	c->secrets = A(&L, L.nsec, sizeof *c->secrets);
	c->warnings = A(&L, L.nnotes, sizeof *c->warnings);
	if (L.oom) {
		rc = ERR_NOMEM;
		goto oom;
	}
	if (L.nsec)
		memcpy(c->secrets, L.sec, L.nsec * sizeof *L.sec);
	c->n_secrets = L.nsec;
	if (L.nnotes)
		memcpy(c->warnings, L.notes, L.nnotes * sizeof *L.notes);
	c->n_warnings = L.nnotes;
	c->root = root;
	if (map.n) {
		config_srcmap *m = arena_calloc(&a, 1, sizeof *m);
		if (!m || !(m->subs = arena_memdup(&a, map.subs, map.n * sizeof *map.subs)) ||
		    !(m->in_lines = arena_memdup(&a, map.in_lines, map.n_in * sizeof *map.in_lines)) ||
		    !(m->out_lines = arena_memdup(&a, map.out_lines, map.n_out * sizeof *map.out_lines))) {
			rc = ERR_NOMEM;
			goto oom;
		}
		m->n = m->cap = map.n;
		m->n_in = map.n_in;
		m->n_out = map.n_out;
		m->in_len = map.in_len;
		m->out_len = map.out_len;
		c->srcmap = m;
	}
	free(L.sec);
	free(L.notes);
	config_srcmap_free(&map);
	c->arena = a;   /* c lives in a: from here on only c->arena owns it */
	*out = c;
	return 0;
oom:
	config_err_add(errs, name, (config_pos){ 0, 0 }, false, "out of memory while loading the config");
	rc = ERR_NOMEM;
fail:
	for (size_t i = 0; i < L.nsec; i++)
		ct_wipe((void *)L.sec[i], strlen(L.sec[i]));
	free(L.sec);
	free(L.notes);
	ct_wipe(ex.data, ex.len);
	buf_free(&ex);
	config_srcmap_free(&map);
	arena_wipe_free(&a);
	return rc < 0 ? rc : ERR_INVAL;
}

int config_load_file(const char *path, config_env_fn env, void *env_ud, config **out, config_errors *errs)
{
	*out = NULL;
	char why[256];
	buf b = { 0 };
	int rc = ERR_IO;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto io;
	for (;;) {
		if ((rc = buf_reserve(&b, 65536)) < 0) {
			close(fd);
			goto fail;
		}
		ssize_t r = read(fd, b.data + b.len, b.size - b.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			goto io;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
		if (b.len > LIMIT_CONFIG_BYTES) {
			close(fd);
			snprintf(why, sizeof why, "the file is larger than %u bytes", (unsigned)LIMIT_CONFIG_BYTES);
			rc = ERR_TOOBIG;
			goto msg;
		}
	}
	close(fd);
	rc = config_load_text(path, b.data ? b.data : "", b.len, env, env_ud, out, errs);
	ct_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
io:
	snprintf(why, sizeof why, "%s (os error %d)", strerror(errno), errno);
	rc = ERR_IO;
msg: {
	char text[PATH_MAX + 400];
	snprintf(text, sizeof text, "failed to read config file %s: %s", path, why);
	config_errors_add(errs, path, 0, 0, text, text);
}
fail:
	ct_wipe(b.data, b.len);
	buf_free(&b);
	return rc;
}

config *config_new_default(void)
{
	config *c = NULL;
	config_errors e = { 0 };
	config_load_text("", "", 0, NULL, NULL, &c, &e);
	config_errors_free(&e);
	return c;
}

void config_free(config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_secrets; i++)
		ct_wipe((void *)c->secrets[i], strlen(c->secrets[i]));
	arena a = c->arena;
	arena_wipe_free(&a);
}

int config_override_master_key(config *c, const char *key)
{
	if (!c || !key || !*key)
		return ERR_INVAL;
	char *k = arena_strndup(&c->arena, key, strlen(key));
	const char **v = arena_calloc(&c->arena, c->n_secrets + 1, sizeof *v);
	if (!k || !v)
		return ERR_NOMEM;
	if (c->n_secrets)
		memcpy(v, c->secrets, c->n_secrets * sizeof *v);
	v[c->n_secrets] = k;
	c->secrets = v;
	c->n_secrets++;
	c->general.master_key = k;
	c->general.master_key_pos = (config_pos){ 0, 0 };
	return 0;
}

config_pos config_pos_of(const config *c, toml_pos p)
{
	return config_srcmap_pos(c ? c->srcmap : NULL, p.line, p.col);
}

void config_register_secrets(const config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_secrets; i++)
		log_add_secret(c->secrets[i], strlen(c->secrets[i]));
}

/* ---- lookups ---------------------------------------------------------------------------------------- */

const char *config_strmap_get(const config_strmap *m, const char *key)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return m->v[i].val;
	return NULL;
}

const double *config_f64map_get(const config_f64map *m, const char *key)
{
	for (size_t i = 0; m && i < m->n; i++)
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i].val;
	return NULL;
}

bool config_strlist_has(const config_strlist *l, const char *s)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

const config_key *config_find_key(const config *c, const char *token, size_t n)
{
	const config_key *hit = NULL;
	for (size_t i = 0; c && i < c->n_keys; i++)
		if (ct_eq(c->keys[i].key, c->keys[i].key_len, token, n) && !hit)
			hit = &c->keys[i];
	return hit;
}

const config_pool *config_find_pool(const config *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_pools; i++)
		if (strcmp(c->pools[i].name, name) == 0)
			return &c->pools[i];
	return NULL;
}

const char *config_strategy_name(config_strategy s)
{
	return (unsigned)s < 6 ? STRATEGIES[s] : "?";
}

const char *config_outbound_name(config_outbound o)
{
	switch (o) {
	case CONFIG_OUTBOUND_OFF: return "off";
	case CONFIG_OUTBOUND_ALLOWLIST: return "allowlist";
	case CONFIG_OUTBOUND_DENY_PRIVATE: break;
	}
	return "deny_private";
}

const char *config_guard_type_name(config_guard_type t)
{
	return t >= CONFIG_GUARD_REGEX && t <= CONFIG_GUARD_PROMPT_INJECTION ? G_TYPES[t - 1] : "?";
}
