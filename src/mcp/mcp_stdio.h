/* mcp_stdio.h — the MCP stdio transport (layer L6): newline-delimited
 * JSON-RPC on two fds (stdin/stdout) driven by one event loop. Reads and
 * writes are non-blocking, so several tool calls are in flight at once and a
 * slow call never blocks ping. A line longer than max_message_bytes is
 * dropped and answered through mcp_core_recv_oversize; the server goes on.
 * The transport is the only writer of out_fd.
 *
 * Ends (mcp_stdio_run returns 0) on end of input (after the last line was
 * handled; calls still in flight are cancelled, pending output flushed), on
 * SIGTERM/SIGINT (when handle_signals), or when out_fd is gone (EPIPE). */
#ifndef MCP_MCP_STDIO_H
#define MCP_MCP_STDIO_H
#include <stdbool.h>
#include <stddef.h>
#include "mcp/mcp.h"
#include "net/loop.h"

typedef struct mcp_stdio_config {
	loop *loop;                 /* borrowed; runs on the calling thread */
	int in_fd;                  /* 0 */
	int out_fd;                 /* 1 */
	bool handle_signals;        /* SIGTERM/SIGINT end the server (signalfd; blocked in this thread) */
	mcp_opts core;              /* the core's options; .transport is filled in by the transport */
} mcp_stdio_config;

/* Create the core (mcp_core_new with this transport), run the loop until the
 * end (see above), free the core (cancelling calls in flight), flush. Restores
 * the fds' blocking mode. 0 on a clean end; a negative err_t when the core
 * or the loop could not be set up (message in err). */
int mcp_stdio_run(const mcp_stdio_config *sc, char *err, size_t errlen);

#endif
