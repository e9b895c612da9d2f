/* mcp_private.h — what the src/mcp/mcp_*.c files share and nobody else sees:
 * result writers for tools/list and the extras, the JSON tree copier. */
#ifndef MCP_MCP_PRIVATE_H
#define MCP_MCP_PRIVATE_H
#include "mcp/mcp.h"
#include "base/arena.h"
#include "json/json_write.h"

/* Message-text capacity for error messages built by the core. */
#define MCP_MSG_MAX 512

/* Re-serialize value tok of d into w (compact or pretty: w's flags). Keys
 * and escaped strings are decoded through a (scratch) and re-escaped
 * minimally; numbers and literals are copied as written. 0 or the writer's /
 * ERR_NOMEM error. */
int mcp_json_copy(json_writer *w, const json_doc *d, int tok, arena *a);

/* Write the tools/list result object {"tools":[...]} for version v. */
int mcp_tools_write_list(json_writer *w, mcp_version v);

/* The extras. Each writes a complete result value into w and returns 0, or
 * returns a JSON-RPC error code (< 0, e.g. MCP_ERR_INVALID_PARAMS) with the
 * message in msg[0..cap) and nothing useful in w. params is the request's
 * params object token or < 0 when absent. Writer errors come back as
 * MCP_ERR_INTERNAL with a message. */
int mcp_prompts_list(json_writer *w);
int mcp_prompts_get(json_writer *w, const json_doc *d, int params, char *msg, size_t cap);
int mcp_resources_list(json_writer *w);
int mcp_resources_templates(json_writer *w);
int mcp_resources_read(json_writer *w, const json_doc *d, int params, const mcp_catalog *cat,
		       arena *a, size_t out_cap, char *msg, size_t cap);
int mcp_completion(json_writer *w, const json_doc *d, int params, const mcp_catalog *cat,
		   char *msg, size_t cap);

#endif
