/* gateway.c — the gateway object: upstream targets of the [[models]]
 * entries built at start-up, auth decisions, model routing (pools
 * round-robin, [[aliases]], zero-config provider/model) and model listings. */
#include "gateway/gateway_private.h"
#include "gateway/gateway_files.h"
#include "base/ct.h"
#include "base/err.h"
#include "base/hash.h"
#include "json/json_write.h"
#include "providers/pricing.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gateway_new(gateway **out, const config *c, provider_env env, char *err, size_t errlen)
{
	*out = NULL;
	gateway *g = calloc(1, sizeof *g);
	if (!g)
		goto nomem;
	g->cfg = c;
	g->env = env;
	g->zero = c->n_models == 0;
	if (c->n_models && !(g->targets = calloc(c->n_models, sizeof *g->targets)))
		goto nomem;
	if (c->n_pools && !(g->rr = calloc(c->n_pools, sizeof *g->rr)))
		goto nomem;
	for (size_t i = 0; i < c->n_models; i++) {
		const config_model *m = &c->models[i];
		provider_entry e = {
			.name = m->name,
			.provider_model = str_from(m->provider_model),
			.api_key = str_from(m->api_key),
			.base_url = str_from(m->base_url),
		};
		int rc = provider_build(&e, env, &g->targets[i], err, errlen);
		if (rc < 0) {
			gateway_free(g);
			return rc;
		}
	}
	int trc = gateway_tokens_init(g, err, errlen);
	if (trc < 0) {
		gateway_free(g);
		return trc;
	}
	if (c->files.mode == CONFIG_FILES_LOCAL && (trc = gateway_files_new(&g->files, c, err, errlen)) < 0) {
		gateway_free(g);
		return trc;
	}
	*out = g;
	return 0;
nomem:
	gateway_free(g);
	snprintf(err, errlen, "out of memory");
	return ERR_NOMEM;
}

void gateway_free(gateway *g)
{
	if (!g)
		return;
	if (g->targets)
		ct_wipe(g->targets, g->cfg->n_models * sizeof *g->targets);
	free(g->targets);
	free(g->rr);
	gateway_tokens_free(g->tokens);
	gateway_files_free(g->files);
	free(g);
}

bool gateway_zero_config(const gateway *g)
{
	return g->zero;
}

bool gateway_ready(const gateway *g)
{
	if (!g->zero)
		return true;
	return provider_zero_list(g->env, NULL, 0) > 0;
}

/* ---- auth ------------------------------------------------------------------------ */

int gateway_auth(const gateway *g, str auth, gateway_principal *p, gateway_error *e)
{
	memset(p, 0, sizeof *p);
	if (!auth.p || !str_starts_with(auth, STR_LIT("Bearer ")))
		return gateway_fail(e, GATEWAY_AUTHENTICATION, "Missing or invalid Authorization header");
	str tok = str_slice(auth, 7, auth.n);
	const char *mk = g->cfg->general.master_key;
	bool is_master = false;
	if (mk)
		is_master = ct_eq(tok.p, tok.n, mk, strlen(mk));
	/* look the keys up anyway so timing does not say whether a master key exists */
	const config_key *k = tok.n ? config_find_key(g->cfg, tok.p, tok.n) : NULL;
	if (is_master) {
		p->master = true;
		return 0;
	}
	if (!k)
		return gateway_fail(e, GATEWAY_AUTHENTICATION, "Invalid API key");
	p->key = k;
	hash_key_id(k->key, k->key_len, p->key_id);
	return 0;
}

bool gateway_allowed(const gateway_principal *p, str model)
{
	if (p->master || !p->key || p->key->models.n == 0)
		return true;
	for (size_t i = 0; i < p->key->models.n; i++)
		if (str_eq_cstr(model, p->key->models.v[i]))
			return true;
	return false;
}

/* ---- models ---------------------------------------------------------------------- */

void gateway_models_each(const gateway *g, const gateway_principal *p, gateway_model_fn fn, void *ud)
{
	if (!g->zero) {
		for (size_t i = 0; i < g->cfg->n_pools; i++) {
			str n = str_from(g->cfg->pools[i].name);
			if (!p || gateway_allowed(p, n))
				fn(ud, n);
		}
		return;
	}
	const provider_row *rows[64];
	size_t n = provider_zero_list(g->env, rows, sizeof rows / sizeof rows[0]);
	if (n > sizeof rows / sizeof rows[0])
		n = sizeof rows / sizeof rows[0];
	for (size_t i = 0; i < n; i++) {
		const pricing_entry *first;
		size_t m = pricing_models(str_from(rows[i]->name), &first);
		for (size_t j = 0; j < m; j++) {
			char name[256];
			int l = snprintf(name, sizeof name, "%s/%s", rows[i]->name, first[j].model);
			if (l <= 0 || (size_t)l >= sizeof name)
				continue;
			str s = str_make(name, (size_t)l);
			if (!p || gateway_allowed(p, s))
				fn(ud, s);
		}
	}
}

typedef struct exists_ud {
	str want;
	bool found;
} exists_ud;

static void exists_fn(void *ud, str name)
{
	exists_ud *x = ud;
	if (str_eq(x->want, name))
		x->found = true;
}

bool gateway_model_exists(const gateway *g, const gateway_principal *p, str name)
{
	exists_ud x = { name, false };
	gateway_models_each(g, p, exists_fn, &x);
	return x.found;
}

static void health_fn(void *ud, str name)
{
	json_write_strn(ud, name.p, name.n);
}

int gateway_health_json(const gateway *g, buf *b)
{
	json_writer w;
	json_write_init(&w, b, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "status", gateway_ready(g) ? "healthy" : "degraded");
	json_write_key(&w, "models");
	json_write_arr_begin(&w);
	if (!g->zero) {
		gateway_models_each(g, NULL, health_fn, &w);
	} else {
		const provider_row *rows[64];
		size_t n = provider_zero_list(g->env, rows, sizeof rows / sizeof rows[0]);
		for (size_t i = 0; i < n && i < sizeof rows / sizeof rows[0]; i++)
			json_write_str(&w, rows[i]->name);
	}
	json_write_arr_end(&w);
	json_write_obj_end(&w);
	return json_write_finish(&w);
}

/* ---- routing ----------------------------------------------------------------------- */

int gateway_route_model(gateway *g, str model, gateway_route *out, gateway_error *e)
{
	char msg[GATEWAY_MSG_MAX];
	memset(out, 0, sizeof *out);
	/* [[models]]: exact name; a pool picks round-robin */
	for (size_t i = 0; i < g->cfg->n_pools; i++) {
		const config_pool *pl = &g->cfg->pools[i];
		if (!str_eq_cstr(model, pl->name))
			continue;
		size_t k = 0;
		if (pl->n > 1)
			k = (size_t)(atomic_fetch_add(&g->rr[i], 1) % pl->n);
		size_t mi = pl->models[k];
		out->target = g->targets[mi];
		out->model = &g->cfg->models[mi];
		return 0;
	}
	/* [[aliases]]: first glob match, the name's own prefix picks the provider */
	for (size_t i = 0; i < g->cfg->n_aliases; i++) {
		const config_alias *al = &g->cfg->aliases[i];
		if (!str_glob(str_from(al->pattern), model))
			continue;
		provider_entry pe = {
			.provider_model = model,
			.api_key = str_from(al->api_key),
			.base_url = str_from(al->base_url),
		};
		char nm[256];
		str_to_cbuf(model, nm, sizeof nm);
		pe.name = nm;
		if (provider_build(&pe, g->env, &out->target, msg, sizeof msg) < 0)
			return gateway_fail(e, GATEWAY_NOT_FOUND, "model '" STR_FMT "' not found: %s", STR_ARG(model), msg);
		return 0;
	}
	if (!g->zero)
		return gateway_fail(e, GATEWAY_NOT_FOUND, "model '" STR_FMT "' not found", STR_ARG(model));
	if (provider_zero_resolve(model, g->env, &out->target, NULL, msg, sizeof msg) < 0)
		return gateway_fail(e, GATEWAY_NOT_FOUND, "%s", msg);
	return 0;
}

/* ---- the default provider account ------------------------------------------------------ */

int gateway_default_target(gateway *g, gateway_route *out, gateway_error *e)
{
	memset(out, 0, sizeof *out);
	if (!g->zero) {
		out->target = g->targets[0];
		out->model = &g->cfg->models[0];
		return 0;
	}
	const provider_row *row = NULL;
	if (provider_zero_list(g->env, &row, 1) == 0 || !row)
		return gateway_fail(e, GATEWAY_SERVICE_UNAVAILABLE, "no models configured");
	char name[128];
	char err[256];
	snprintf(name, sizeof name, "%s/default", row->name);
	if (provider_zero_resolve(str_from(name), g->env, &out->target, NULL, err, sizeof err) < 0)
		return gateway_fail(e, GATEWAY_SERVICE_UNAVAILABLE, "no models configured");
	return 0;
}

/* ---- request loops ------------------------------------------------------------------------ */

static bool host_is_loopback(str h)
{
	return str_eq_nocase(h, STR_LIT("localhost")) || str_starts_with(h, STR_LIT("127.")) ||
	       str_eq_cstr(h, "::1") || str_eq_cstr(h, "[::1]") || str_eq_cstr(h, "0.0.0.0") ||
	       str_eq_cstr(h, "::") || str_eq_cstr(h, "[::]") || str_ends_with(h, STR_LIT(".localhost"));
}

bool gateway_url_is_self(str url, const char *listen_host, uint16_t listen_port)
{
	http_client_url u;
	char err[128];
	if (http_client_url_parse(url, &u, err, sizeof err) < 0)
		return false;
	if (u.port != listen_port)
		return false;
	str lh = str_from(listen_host ? listen_host : "");
	str h = str_from(u.host);
	if (h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']')
		h = str_slice(h, 1, h.n - 1);
	if (str_eq_nocase(h, lh))
		return true;
	bool any = lh.n == 0 || str_eq_cstr(lh, "0.0.0.0") || str_eq_cstr(lh, "::") || str_eq_cstr(lh, "[::]");
	if (host_is_loopback(h))
		return any || host_is_loopback(lh);
	return false;
}

int gateway_check_self_loop(const gateway *g, const char *listen_host, uint16_t listen_port, char *err,
			    size_t errlen)
{
	for (size_t i = 0; i < g->cfg->n_models; i++) {
		const provider_target *t = &g->targets[i];
		if (gateway_url_is_self(str_make(t->base_url, t->base_url_len), listen_host, listen_port)) {
			snprintf(err, errlen, "base URL '%s' of model '%s' (from %s) points at this gateway's own "
				 "address %s:%u: refusing to start (request loop)", t->base_url, g->cfg->models[i].name,
				 t->base_url_from ? t->base_url_from : "config", listen_host, (unsigned)listen_port);
			return -1;
		}
	}
	if (g->zero) {
		const provider_row *rows[256];
		size_t n = provider_zero_list(g->env, rows, sizeof rows / sizeof rows[0]);
		for (size_t i = 0; i < n && i < sizeof rows / sizeof rows[0]; i++) {
			char name[128], e2[256];
			provider_target t;
			snprintf(name, sizeof name, "%s/x", rows[i]->name);
			if (provider_zero_resolve(str_from(name), g->env, &t, NULL, e2, sizeof e2) < 0)
				continue;
			if (gateway_url_is_self(str_make(t.base_url, t.base_url_len), listen_host, listen_port)) {
				snprintf(err, errlen, "base URL '%s' of provider '%s' (from %s) points at this gateway's "
					 "own address %s:%u: refusing to start (request loop)", t.base_url, rows[i]->name,
					 t.base_url_from ? t.base_url_from : "registry", listen_host,
					 (unsigned)listen_port);
				ct_wipe(&t, sizeof t);
				return -1;
			}
			ct_wipe(&t, sizeof t);
		}
	}
	return 0;
}
