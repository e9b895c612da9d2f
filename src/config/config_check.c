/* config_check.c — the start-up checks of cli.md that need no network:
 * [security] allowlist, [files] backend, router weights, mcp.stdio_key_id and
 * the MCP listen address. They run after loading, before serving. */
#include "config/config_private.h"
#include "base/err.h"
#include "net/netpolicy.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(config_errors *errs, const config *c, config_pos pos, const char *text)
{
	config_errors_add(errs, c && c->file && *c->file ? c->file : NULL, pos.line, pos.col, text, text);
	return ERR_INVAL;
}

int config_check_security(const config *c, config_errors *errs)
{
	const config_security *s = &c->security;
	if (s->outbound_policy != CONFIG_OUTBOUND_ALLOWLIST)
		return 0;
	size_t n = s->outbound_allowlist.n;
	str *list = calloc(n ? n : 1, sizeof *list);
	if (!list)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		list[i] = str_from(s->outbound_allowlist.v[i]);
	netpolicy p;
	char err[1024];
	memset(&p, 0, sizeof p);
	int rc = netpolicy_build(&p, NETPOLICY_ALLOWLIST, list, n, err, sizeof err);
	netpolicy_free(&p);
	config_pos pos = s->outbound_policy_pos;
	if (rc == ERR_INVAL) {
		/* point at the first entry that does not parse */
		for (size_t i = 0; i < n; i++) {
			char e2[64];
			netpolicy q;
			memset(&q, 0, sizeof q);
			int r2 = netpolicy_build(&q, NETPOLICY_ALLOWLIST, &list[i], 1, e2, sizeof e2);
			netpolicy_free(&q);
			if (r2 == ERR_INVAL) {
				pos = s->outbound_allowlist.pos[i];
				break;
			}
		}
	}
	free(list);
	if (rc == 0)
		return 0;
	if (rc != ERR_INVAL)
		return rc;
	return add(errs, c, pos, err);
}

int config_check_files(const config *c, config_errors *errs)
{
	const config_files *f = &c->files;
	const char *b = f->backend ? f->backend : "memory";
	char text[512], pb[200];
	config_printable(b, strlen(b), 64, pb, sizeof pb);
	if (strcmp(b, "memory") == 0)
		return 0;
	if (strcmp(b, "fs") == 0) {
		const char *root = config_strmap_get(&f->backend_config, "root");
		if (root && *root)
			return 0;
		snprintf(text, sizeof text,
			 "failed to build storage operator for 'fs': root is not set (add root = \"/path\" under [files.backend_config])");
	} else if (strcmp(b, "s3") == 0 || strcmp(b, "redis") == 0) {
		snprintf(text, sizeof text,
			 "failed to build storage operator for '%s': the %s backend is not supported by this build (supported: memory, fs)",
			 pb, pb);
	} else {
		snprintf(text, sizeof text,
			 "failed to build storage operator for '%s': unknown storage scheme (supported: memory, fs)", pb);
	}
	return add(errs, c, f->backend_pos.line ? f->backend_pos : f->pos, text);
}

int config_check_routing(const config *c, config_errors *errs)
{
	const config_routing *r = &c->routing;
	if (r->strategy != CONFIG_ROUTE_WEIGHTED)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < c->n_pools; i++) {
		const config_pool *p = &c->pools[i];
		if (p->n < 2 || p->n == r->n_weights)
			continue;
		char text[512], nb[200];
		snprintf(text, sizeof text,
			 "failed to build router for deployment pool: model '%s' has %zu deployments but [routing] weights has %zu entries",
			 config_printable(p->name, strlen(p->name), 64, nb, sizeof nb), p->n, r->n_weights);
		rc = add(errs, c, r->weights_pos.line ? r->weights_pos : r->pos, text);
	}
	return rc;
}

int config_check_stdio_key(const config *c, config_errors *errs)
{
	const char *id = c->mcp.stdio_key_id;
	if (!id || config_find_key(c, id, strlen(id)))
		return 0;
	char text[600], ib[300];
	snprintf(text, sizeof text,
		 "mcp.stdio_key_id '%s' not found in the virtual key store; add it under [[keys]] in your config",
		 config_printable(id, strlen(id), 128, ib, sizeof ib));
	return add(errs, c, c->mcp.stdio_key_id_pos, text);
}

int config_check_mcp_listen(const char *host, uint16_t port, config_errors *errs)
{
	(void)port;   /* every u16 is a valid port */
	unsigned char ip[16];
	char h[128];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		if (inet_pton(AF_INET6, h, ip) == 1)
			return 0;
	} else if (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1) {
		return 0;
	}
	config_errors_add(errs, NULL, 0, 0, "invalid MCP listen address: invalid socket address syntax",
			  "invalid MCP listen address: invalid socket address syntax");
	return ERR_INVAL;
}

bool config_cors_wildcard(const config *c)
{
	return config_strlist_has(&c->server.cors_origins, "*");
}
