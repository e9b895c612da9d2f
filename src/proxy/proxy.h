/* proxy.h — the REST adapter (layer L6): routes of rest-api.md over the HTTP
 * server's request API, auth, content-type and body checks, error envelopes,
 * CORS, health routes, /openapi.json; model-routed calls go to the gateway.
 * Knows no sockets: it sees http_request and builds one http_client per
 * worker (for the gateway's upstream interface) in worker_start. */
#ifndef PROXY_PROXY_H
#define PROXY_PROXY_H
#include <stdbool.h>
#include <stdint.h>
#include "config/config.h"
#include "gateway/gateway.h"
#include "http/http_client.h"
#include "http/http_proxy.h"
#include "http/http_server.h"
#include "net/dns.h"
#include "net/netpolicy.h"
#include "tls/tls.h"

/* Everything borrowed: it must outlive the proxy. */
typedef struct proxy_config {
	gateway *gw;
	const config *cfg;
	dns *dns;                     /* shared resolver */
	tls_client_ctx *tls;          /* shared TLS context (NULL: no https upstreams) */
	const netpolicy *policy;      /* outbound policy (NULL = off) */
	const http_proxy *http_proxy; /* HTTP(S)_PROXY settings (NULL = direct) */
	uint64_t start_mono_ms;       /* for uptime_seconds */
} proxy_config;

typedef struct proxy proxy;

int proxy_new(proxy **out, const proxy_config *pc);
void proxy_free(proxy *p);   /* NULL-safe; after the server stopped */
/* The server handler (on_request, worker_start/stop) of this proxy. */
http_handler proxy_handler(proxy *p);

/* ---- pure parts (tests) ---------------------------------------------------------------- */

typedef enum proxy_route_kind {
	PROXY_R_NONE = 0,             /* unknown path: 404, empty body */
	PROXY_R_HEALTH, PROXY_R_LIVENESS, PROXY_R_READINESS, PROXY_R_HEALTHZ, PROXY_R_READYZ, PROXY_R_OPENAPI,
	PROXY_R_MODELS, PROXY_R_MODEL,
	PROXY_R_OP,                   /* model-routed operation (op) */
	PROXY_R_MASTER,               /* files / batches / responses (master only) */
} proxy_route_kind;

typedef struct proxy_route {
	proxy_route_kind kind;
	bool is_public;               /* no auth */
	const char *methods;          /* allowed: "GET", "POST", "GET,POST", ... */
	gateway_op_id op;             /* PROXY_R_OP */
	const char *master_op;        /* PROXY_R_MASTER: "create_file", ... (by method) */
	str id;                       /* {id} of the path, when any */
} proxy_route;

/* Match a decoded path and method: the route (kind NONE when the path is
 * unknown), and *method_ok whether the method is allowed on it (HEAD counts as GET). */
proxy_route proxy_match(str path, str method, bool *method_ok);

/* Content-Type is application/json (parameters allowed) or application/<x>+json. */
bool proxy_json_ctype(str ctype);

#endif
