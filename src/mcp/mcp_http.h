/* mcp_http.h — the MCP Streamable HTTP transport (layer L6) as an
 * http_server handler: one endpoint, /mcp.
 *
 *   POST   one JSON-RPC message (or a 2025-03-26 batch). initialize without
 *          Mcp-Session-Id creates a session (its own core); a request with
 *          Mcp-Session-Id goes to that session (unknown/ended -> 404); any
 *          other request without a session id is served statelessly (a core
 *          for that POST only, answered as application/json) when Accept is
 *          absent, * / * or lists application/json (the product page's curl
 *          example). Answers: application/json, or text/event-stream once a
 *          notification (progress) goes out before the response; 202 for
 *          notifications and client responses.
 *   GET    with a session and Accept: text/event-stream: a stream for
 *          server-initiated messages (only keep-alive comments are sent);
 *          without a session -> 405.
 *   DELETE ends the session (pending calls cancelled).
 * Checks: other paths 404, other methods 405, Content-Type (415), Accept
 * (406), MCP-Protocol-Version (unsupported -> 400), Host/Origin on loopback
 * binds (-> 403), bearer auth when asked for (401, envelope as on REST).
 * Sessions expire after session_idle_ms without a request.
 *
 * Threading: sessions live on the worker that created them; run the server
 * with one worker thread (threads = 1), as main.c does. */
#ifndef MCP_MCP_HTTP_H
#define MCP_MCP_HTTP_H
#include <stdbool.h>
#include <stdint.h>
#include "gateway/gateway.h"
#include "http/http_client.h"
#include "http/http_proxy.h"
#include "http/http_server.h"
#include "net/dns.h"
#include "net/netpolicy.h"
#include "tls/tls.h"

/* Everything borrowed: it must outlive the transport. */
typedef struct mcp_http_config {
	gateway *gw;
	dns *dns;
	tls_client_ctx *tls;          /* NULL: no https upstreams */
	const netpolicy *policy;      /* NULL = off */
	const http_proxy *http_proxy; /* NULL = direct */
	bool loopback_guard;          /* bound to loopback: validate Host and Origin (DNS rebinding) */
	bool bearer;                  /* [mcp] http_auth = "bearer" */
	size_t max_message_bytes;     /* 0 = LIMIT_MCP_MESSAGE_BYTES (also the server's body cap) */
	uint64_t session_idle_ms;     /* 0 = LIMIT_MCP_SESSION_IDLE_S s */
	uint64_t timeout_ms;          /* per tool call; 0 = none */
	const char *server_version;
	unsigned provider_count;
} mcp_http_config;

typedef struct mcp_http mcp_http;

int mcp_http_new(mcp_http **out, const mcp_http_config *hc);
void mcp_http_free(mcp_http *h);   /* NULL-safe; after the server stopped */
http_handler mcp_http_handler(mcp_http *h);

/* Pure checks (tests). Host header value acceptable on a loopback bind? */
bool mcp_http_host_ok(str host);
/* Origin header value acceptable on a loopback bind? */
bool mcp_http_origin_ok(str origin);

#endif
