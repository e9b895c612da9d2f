/* mcp_exec.h — the MCP executor over the gateway (layer L6): each of the 22
 * tools becomes the same gateway operation as its REST route (model-routed
 * operations through gateway_call_start, files/batches/responses through
 * gateway_master_start, list_models as GET /v1/models). Results are the
 * gateway's JSON; speech and file_content are bytes; errors are mapped to
 * JSON-RPC codes per mcp-tools.md. One executor per loop (thread).
 *
 *   mcp_exec_config ec = { .gw = gw, .loop = l, .up = &up, .timeout_ms = 600000,
 *                          .principal = { .master = true } };
 *   mcp_exec_new(&x, &ec);
 *   opts.executor = mcp_exec_executor(x);   ... mcp_core_new(&core, &opts) ...
 *   mcp_core_free(core);   (cancels the calls in flight)
 *   mcp_exec_free(x);      (before the loop is freed) */
#ifndef MCP_MCP_EXEC_H
#define MCP_MCP_EXEC_H
#include <stdint.h>
#include "gateway/gateway.h"
#include "mcp/mcp.h"
#include "net/loop.h"

typedef struct mcp_exec_config {
	gateway *gw;                   /* borrowed */
	loop *loop;                    /* the loop every call runs on (timers, deferred frees) */
	const gateway_upstream *up;    /* borrowed: the upstream over that loop's http_client */
	uint64_t timeout_ms;           /* bound of each call ([server].request_timeout_secs); 0 = none */
	uint32_t progress_ms;          /* progress notification period when asked for; 0 = 1000 */
	gateway_principal principal;   /* default principal of every call (trusted: master) */
	/* Optional: the principal of the message that came with origin (HTTP
	 * with bearer auth); NULL result or NULL fn -> the default principal. */
	const gateway_principal *(*principal_of)(void *ud, void *origin);
	void *ud;
} mcp_exec_config;

typedef struct mcp_exec mcp_exec;

/* 0 or ERR_NOMEM / ERR_INVAL (gw, loop or up NULL). */
int mcp_exec_new(mcp_exec **out, const mcp_exec_config *ec);
/* After every core using it was freed. NULL-safe. */
void mcp_exec_free(mcp_exec *x);
/* The executor seam for mcp_opts. */
mcp_executor mcp_exec_executor(mcp_exec *x);
/* The catalog seam (resources, completion): configured model names (those
 * the default principal may see), the provider registry, pricing. */
mcp_catalog mcp_exec_catalog(mcp_exec *x);
/* Calls in flight (for drain decisions). */
size_t mcp_exec_inflight(const mcp_exec *x);

#endif
