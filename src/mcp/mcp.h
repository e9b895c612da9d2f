/* mcp.h — the transport-agnostic MCP core (layer L6): JSON-RPC 2.0 message
 * handling, the MCP lifecycle state machine (protocol versions 2024-11-05,
 * 2025-03-26, 2025-06-18, 2025-11-25), the 22 tool definitions with their
 * input schemas and argument checks, and the extras of mcp-tools.md
 * (prompts, resources, completion).
 *
 * Pure: no I/O, no sockets, no clock, no globals. Bytes come in through
 * mcp_core_recv(); everything the core says goes out through two callbacks
 * (the transport seam); tool calls go to an executor (the gateway seam) and
 * complete later, possibly after other messages were processed.
 *
 *   transport --recv(msg, origin)--> core --executor.call(c, tool, args)--> gateway glue
 *   transport <--send(origin, msg)-- core <--mcp_call_result_json(c, ...)-- gateway glue
 *                                          <--mcp_call_progress(c, ...)---
 *
 * "origin" is an opaque pointer chosen by the transport for each inbound
 * message (stdio: anything, e.g. NULL; HTTP: the POST it came with). Every
 * outgoing message for that inbound message (its response, the progress
 * notifications of its tool calls) is sent with the same origin, and done()
 * is called exactly once per mcp_core_recv() when nothing more will be sent
 * for that origin (at once for notifications, after the response otherwise).
 *
 * Threading: a core belongs to one thread (one loop); every function and
 * callback below runs on it. Callbacks must not call back into the core
 * (no mcp_core_recv / mcp_core_free from send, done or executor.cancel);
 * the executor may complete a call from inside executor.call. */
#ifndef MCP_MCP_H
#define MCP_MCP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/str.h"
#include "json/json.h"

/* ---- JSON-RPC / MCP error codes ------------------------------------------- */

#define MCP_ERR_PARSE            (-32700)  /* invalid JSON, invalid UTF-8 */
#define MCP_ERR_INVALID_REQUEST  (-32600)  /* not a valid request; lifecycle; caps */
#define MCP_ERR_METHOD_NOT_FOUND (-32601)
#define MCP_ERR_INVALID_PARAMS   (-32602)
#define MCP_ERR_INTERNAL         (-32603)
#define MCP_ERR_NOT_FOUND        (-32002)  /* upstream NotFound (mcp-tools.md) */

/* mcp-tools.md "Tool call results and errors": the JSON-RPC code for a
 * gateway error of the given kind name (gateway_kind_name(): "BadRequest",
 * "NotFound", ...): BadRequest, InvalidHeader, Serialization,
 * ContextWindowExceeded, ContentPolicy, Authentication -> -32602; NotFound
 * (from the upstream) -> -32002; everything else -> -32603. Routing failures
 * ("model 'x' not found", "no models configured") are -32603 whatever their
 * kind: the glue passes MCP_ERR_INTERNAL for those. NULL -> -32603. */
int mcp_error_code_for_kind(const char *kind_name);

/* ---- protocol versions ----------------------------------------------------- */

typedef enum mcp_version {
	MCP_V_NONE = 0,          /* not negotiated / unsupported */
	MCP_V_2024_11_05,
	MCP_V_2025_03_26,        /* the only one with JSON-RPC batches */
	MCP_V_2025_06_18,        /* structuredContent, tool title */
	MCP_V_2025_11_25,
	MCP_V__COUNT
} mcp_version;
#define MCP_V_LATEST MCP_V_2025_11_25

/* "2025-03-26", ...; "" for MCP_V_NONE or out of range. */
const char *mcp_version_str(mcp_version v);
/* The version named by s exactly, or MCP_V_NONE (for the HTTP transport's
 * MCP-Protocol-Version header check). */
mcp_version mcp_version_parse(str s);

/* ---- the 22 tools (mcp-tools.md, in its order) ---------------------------- */

typedef enum mcp_tool_id {
	MCP_TOOL_CHAT = 0,
	MCP_TOOL_EMBED,
	MCP_TOOL_LIST_MODELS,
	MCP_TOOL_GENERATE_IMAGE,
	MCP_TOOL_SPEECH,
	MCP_TOOL_TRANSCRIBE,
	MCP_TOOL_MODERATE,
	MCP_TOOL_RERANK,
	MCP_TOOL_SEARCH,
	MCP_TOOL_OCR,
	MCP_TOOL_CREATE_FILE,
	MCP_TOOL_LIST_FILES,
	MCP_TOOL_RETRIEVE_FILE,
	MCP_TOOL_DELETE_FILE,
	MCP_TOOL_FILE_CONTENT,
	MCP_TOOL_CREATE_BATCH,
	MCP_TOOL_LIST_BATCHES,
	MCP_TOOL_RETRIEVE_BATCH,
	MCP_TOOL_CANCEL_BATCH,
	MCP_TOOL_CREATE_RESPONSE,
	MCP_TOOL_RETRIEVE_RESPONSE,
	MCP_TOOL_CANCEL_RESPONSE,
	MCP_TOOL__COUNT
} mcp_tool_id;

/* Argument types (mcp-tools.md "JSON Schema conventions"). A required
 * argument must be present and non-null (except ANY, where null passes); an
 * optional one may be absent or null. */
typedef enum mcp_ptype {
	MCP_P_STRING = 0,        /* {"type":"string"} / ["string","null"] */
	MCP_P_U32,               /* integer syntax, 0..4294967295, format uint32 */
	MCP_P_F64,               /* any JSON number, format double */
	MCP_P_STRING_ARRAY,      /* array of strings */
	MCP_P_ANY                /* any JSON value ({} schema with a description) */
} mcp_ptype;

typedef struct mcp_param {
	const char *name;
	mcp_ptype type;
	bool required;
	const char *alias;       /* accepted instead of name (create_file: content_base64), or NULL */
	const char *description;
} mcp_param;

/* What a successful call returns (mcp-tools.md). */
typedef enum mcp_result_kind {
	MCP_RESULT_JSON = 0,     /* the gateway's JSON, pretty-printed in one text part */
	MCP_RESULT_AUDIO,        /* speech: "Audio generated (<N> bytes). Base64: <b64>" */
	MCP_RESULT_FILE          /* file_content: "File content (<N> bytes). Base64: <b64>" */
} mcp_result_kind;

/* Annotation sets: RO = readOnlyHint; W = not read-only, not destructive,
 * not idempotent; D = not read-only, destructive, idempotent. All tools set
 * openWorldHint true. */
typedef enum mcp_hints { MCP_HINTS_RO = 0, MCP_HINTS_W, MCP_HINTS_D } mcp_hints;

typedef struct mcp_tool {
	mcp_tool_id id;
	const char *name;            /* "chat" */
	const char *description;     /* "Send a chat completion request to an LLM" */
	const char *title;           /* annotations.title: "Chat Completion" */
	const char *schema_title;    /* inputSchema.title: "ChatParams" */
	mcp_hints hints;
	mcp_result_kind result;
	bool management;             /* tools 11-22: default provider account, master-only in restricted contexts */
	const mcp_param *params;
	size_t nparams;
} mcp_tool;

/* Static definition of a tool; NULL when id is out of range. */
const mcp_tool *mcp_tool_get(mcp_tool_id id);
/* The tool named name (byte-exact), or NULL. */
const mcp_tool *mcp_tool_find(str name);

/* Check the arguments object args (a token of d) against t's schema:
 * required arguments present, JSON types, u32 ranges, array element types;
 * unknown keys are ignored. 0, or ERR_INVAL with a message in msg[0..cap)
 * such as "failed to deserialize parameters: missing field `model`"
 * (-> JSON-RPC -32602). args must be an object token. */
int mcp_tool_check_args(const mcp_tool *t, const json_doc *d, int args, char *msg, size_t cap);

/* Token of argument name in args (the alias when name is absent), or
 * ERR_NOTFOUND when absent or null. For the executor. */
int mcp_tool_arg(const mcp_tool *t, const json_doc *d, int args, const char *name);

/* ---- the gateway seam: the executor ---------------------------------------- */

/* One tools/call in flight. Owned by the core; valid from executor.call until
 * the executor completes it (mcp_call_result_* / mcp_call_error) or the core
 * calls executor.cancel for it, whichever comes first. */
typedef struct mcp_call mcp_call;

typedef struct mcp_executor {
	/* Start tool t with checked arguments: args is an object token of *d
	 * (an empty object when the client sent none). d and the input it points
	 * into are valid only during this call: copy what is needed. The
	 * executor ends the call with exactly one mcp_call_result_json /
	 * mcp_call_result_bytes / mcp_call_error — from inside this function or
	 * later — unless cancel() is called for it first. */
	void (*call)(void *ud, mcp_call *c, const mcp_tool *t, const json_doc *d, int args);
	/* The client cancelled the call (notifications/cancelled naming its id
	 * — every call in flight with that id, should a client reuse one —,
	 * the origin went away, or the core is being freed): stop the work. c is freed when
	 * this returns; the executor must not use it afterwards (completions made
	 * from inside cancel are ignored). May be NULL. */
	void (*cancel)(void *ud, mcp_call *c);
	void *ud;
} mcp_executor;

/* Success with the gateway's JSON (any valid JSON text; whitespace is free).
 * Sent as one text content part holding the value pretty-printed (2-space
 * indent, member order kept, strings re-escaped minimally: "\u00e9" becomes
 * "é"), plus "structuredContent" (compact) when the negotiated version is
 * 2025-06-18 or later and the value is an object. Text that is not valid
 * JSON (or exceeds LIMIT_JSON_TOKENS tokens / ~1000 levels) is sent as it
 * is, without structuredContent. For speech and file_content use
 * mcp_call_result_bytes. Over max_output_bytes: -32603 "response too large".
 * Ends the call. */
void mcp_call_result_json(mcp_call *c, const char *json, size_t n);
/* Success with raw bytes (speech audio, file content): the text part is
 * "Audio generated (<N> bytes). Base64: <b64>" for speech, "File content
 * (<N> bytes). Base64: <b64>" for file_content (standard base64, padded),
 * "Result (<N> bytes). Base64: <b64>" for any other tool. Ends the call. */
void mcp_call_result_bytes(mcp_call *c, const void *p, size_t n);
/* Failure as a JSON-RPC error (mcp-tools.md: tool failures are never
 * isError results): code (MCP_ERR_* or mcp_error_code_for_kind()) and the
 * gateway error's display text, e.g. "model 'foo' not found". Ends the call. */
void mcp_call_error(mcp_call *c, int code, const char *msg);
/* Report progress: sends notifications/progress {progressToken, progress,
 * total (when total >= 0), message (when non-NULL and the version is
 * 2025-03-26 or later)} if the client sent params._meta.progressToken.
 * progress must be finite and larger than the last one reported.
 * 0 = sent; ERR_NOTFOUND = the client asked for no progress (nothing sent);
 * ERR_RANGE = not increasing or not finite (nothing sent); ERR_TOOBIG /
 * ERR_NOMEM. */
int mcp_call_progress(mcp_call *c, double progress, double total, const char *message);

/* Accessors for the executor. */
const mcp_tool *mcp_call_tool(const mcp_call *c);
void *mcp_call_origin(const mcp_call *c);          /* origin of the inbound message */
mcp_version mcp_call_version(const mcp_call *c);   /* negotiated version */
str mcp_call_id(const mcp_call *c);                /* the request id as raw JSON (for logs) */
bool mcp_call_wants_progress(const mcp_call *c);
/* One pointer of executor state per call (e.g. its gateway_call). */
void mcp_call_set_handle(mcp_call *c, void *h);
void *mcp_call_handle(const mcp_call *c);

/* ---- the catalog seam (resources and completion data) ------------------------ */

typedef enum mcp_resource {
	MCP_RES_PROVIDERS = 0,   /* liter-llm://providers: JSON array of registry entries */
	MCP_RES_PRICING,         /* liter-llm://pricing/{model} */
	MCP_RES_PROVIDER         /* liter-llm://provider/{name} */
} mcp_resource;

typedef enum mcp_names {
	MCP_NAMES_MODELS = 0,    /* configured model names, file order */
	MCP_NAMES_PROVIDERS      /* registry provider names */
} mcp_names;

typedef void (*mcp_name_fn)(void *actx, str name);

typedef struct mcp_catalog {
	/* Append the JSON text of resource r (arg: the template variable, empty
	 * for PROVIDERS) to out. 0; or ERR_NOTFOUND with the client-facing
	 * message in err ("no pricing for model 'x'", "unknown provider 'x'")
	 * -> -32602; any other negative -> -32603 with err. NULL: PROVIDERS is
	 * "[]", the templates are "not found". */
	int (*read)(void *ud, mcp_resource r, str arg, buf *out, char *err, size_t errlen);
	/* Call add(actx, name) for every name of the list (liter-llm://models
	 * and completion). NULL: no names. */
	void (*names)(void *ud, mcp_names which, mcp_name_fn add, void *actx);
	void *ud;
} mcp_catalog;

/* ---- the transport seam --------------------------------------------------------- */

typedef struct mcp_transport {
	/* One complete JSON-RPC message (object, or array for a 2025-03-26
	 * batch), compact, on one line (no newline bytes), valid UTF-8, not
	 * NUL-terminated for the callee's purposes (n is the length). The bytes
	 * are valid only during the call. */
	void (*send)(void *ud, void *origin, const char *msg, size_t n);
	/* Nothing more will be sent for origin (HTTP: end the POST's stream, or
	 * 202 when nothing was sent). Exactly once per mcp_core_recv /
	 * mcp_core_recv_oversize. May be NULL. */
	void (*done)(void *ud, void *origin);
	void *ud;
} mcp_transport;

/* ---- the core ------------------------------------------------------------------- */

typedef struct mcp_opts {
	const char *server_version;    /* serverInfo.version (NULL -> "0.0.0"); borrowed, must outlive the core */
	const char *instructions;      /* initialize "instructions"; NULL = built-in text; borrowed */
	unsigned provider_count;       /* named in the built-in instructions when > 0 */
	size_t max_message_bytes;      /* inbound cap; 0 = LIMIT_MCP_MESSAGE_BYTES; over -> -32600 */
	size_t max_output_bytes;       /* outbound cap per message; 0 = MCP_MAX_OUTPUT_DEFAULT */
	uint32_t max_depth;            /* JSON nesting cap; 0 = LIMIT_JSON_DEPTH */
	uint32_t max_tokens;           /* JSON token cap; 0 = LIMIT_JSON_TOKENS */
	unsigned max_inflight;         /* tool calls in flight; 0 = MCP_MAX_INFLIGHT_DEFAULT */
	/* Stateless mode (HTTP without a session): no lifecycle; every method is
	 * served at stateless_version (MCP_V_NONE = 2025-03-26, the HTTP
	 * default when no MCP-Protocol-Version header came); initialize may be
	 * repeated and negotiates as usual. */
	bool stateless;
	mcp_version stateless_version;
	bool no_extras;                /* no prompts/resources/completion (methods -> -32601) */
	mcp_transport transport;
	mcp_executor executor;
	mcp_catalog catalog;
} mcp_opts;

#define MCP_MAX_OUTPUT_DEFAULT   ((size_t)192 << 20)
#define MCP_MAX_INFLIGHT_DEFAULT 256u

typedef struct mcp_core mcp_core;

/* New core (copies *o; the strings it points to are borrowed).
 * 0, ERR_NOMEM, ERR_INVAL (o or transport.send NULL). */
int mcp_core_new(mcp_core **out, const mcp_opts *o);
/* Cancel every call in flight (executor.cancel; no output, no done()), free.
 * NULL-safe. */
void mcp_core_free(mcp_core *c);

/* Feed one inbound message: msg[0..n) is exactly one JSON-RPC message or
 * batch (the transport's framing removed; no need for NUL termination; the
 * bytes need to live only during the call). Responses go out through send()
 * now or later; done(origin) follows exactly once. Every failure is answered
 * on the wire (parse error, size cap, ...). 0, or ERR_NOMEM when not even an
 * error answer could be produced (done() is still called). */
int mcp_core_recv(mcp_core *c, const char *msg, size_t n, void *origin);

/* A message whose total size (total bytes) exceeded the transport's buffer
 * was dropped; head[0..head_n) is its beginning (may be empty). Answers
 * -32600 "message too large", echoing the request id when it can be read
 * from head, then done(origin). */
void mcp_core_recv_oversize(mcp_core *c, const char *head, size_t head_n, size_t total, void *origin);

/* The stream of origin went away (HTTP: client closed the SSE stream, which
 * the MCP spec treats as cancellation): cancel its calls in flight; nothing
 * more is sent for it, but done(origin) is still called once if pending. */
void mcp_core_cancel_origin(mcp_core *c, void *origin);

typedef enum mcp_state {
	MCP_STATE_NEW = 0,           /* waiting for initialize (only ping served) */
	MCP_STATE_INITIALIZING,      /* initialize answered; requests are served (lenient) */
	MCP_STATE_READY              /* notifications/initialized received */
} mcp_state;

mcp_state mcp_core_state(const mcp_core *c);
/* Negotiated version (the stateless version in stateless mode; MCP_V_NONE
 * before initialize). */
mcp_version mcp_core_version(const mcp_core *c);
size_t mcp_core_inflight(const mcp_core *c);

/* ---- classification, for transports (HTTP) ------------------------------------- */

typedef struct mcp_msg_info {
	bool valid_json;             /* parsed (within max_bytes and the default JSON caps) */
	bool batch;                  /* top level is an array */
	unsigned requests;           /* well-formed requests (method and id) */
	unsigned notifications;      /* well-formed notifications (method, no id) */
	unsigned responses;          /* client responses (result/error, no method): ignored by the core */
	unsigned invalid;            /* elements the core answers with -32600 */
	bool initialize;             /* some request's method is "initialize" */
	mcp_version requested;       /* initialize's protocolVersion, when supported */
} mcp_msg_info;

/* Look at msg[0..n) without a core, with the core's own classification
 * rules (e.g. HTTP: an initialize request -> new session). A valid
 * non-batch message with requests == 0 and invalid == 0 gets no answer from
 * the core (HTTP: 202); the transport can also simply observe that done()
 * came without a send(). Never fails: invalid input gives valid_json false.
 * max_bytes 0 = LIMIT_MCP_MESSAGE_BYTES. */
void mcp_classify(const char *msg, size_t n, size_t max_bytes, mcp_msg_info *info);

#endif
