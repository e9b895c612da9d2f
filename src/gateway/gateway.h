/* gateway.h — the operations behind the OpenAI-compatible API (layer L5):
 * auth decisions, model routing (exact [[models]] names, pools, [[aliases]],
 * zero-config provider/model), request-body checks and rewriting, the
 * upstream call (through an injected upstream interface, so no socket is
 * seen here) and the mapping of every failure to a typed error.
 *
 * Both surfaces (REST proxy, MCP) use this API. A request goes:
 *   gateway_auth()            -> principal (master / virtual key) or error
 *   gateway_call_start()      -> body checks, routing, upstream request;
 *                                the answer arrives later through the sink
 *   gateway_call_resume()/gateway_call_cancel() from the surface (backpressure,
 *                                client gone, request timeout)
 *
 * Threading: a gateway is immutable after gateway_new (round-robin counters
 * are atomics) and shared by every worker; a call belongs to one loop thread. */
#ifndef GATEWAY_GATEWAY_H
#define GATEWAY_GATEWAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"
#include "config/config.h"
#include "http/http_client.h"
#include "http/multipart.h"
#include "json/json.h"
#include "providers/provider.h"

/* ---- errors (rest-api.md "Error envelope") ---------------------------------- */

typedef enum gateway_kind {
	GATEWAY_OK = 0,
	GATEWAY_AUTHENTICATION,       /* 401 */
	GATEWAY_FORBIDDEN,            /* 403 */
	GATEWAY_HOOK_REJECTED,        /* 403 */
	GATEWAY_NOT_FOUND,            /* 404 */
	GATEWAY_BAD_REQUEST,          /* 400 */
	GATEWAY_UNPROCESSABLE,        /* 422, type BadRequest (schema mismatch on non-chat routes) */
	GATEWAY_UNSUPPORTED_MEDIA,    /* 415, type BadRequest */
	GATEWAY_CONTEXT_WINDOW,       /* 400 ContextWindowExceeded */
	GATEWAY_CONTENT_POLICY,       /* 400 ContentPolicy */
	GATEWAY_SERIALIZATION,        /* 400 */
	GATEWAY_RATE_LIMITED,         /* 429 */
	GATEWAY_BUDGET_EXCEEDED,      /* 429 */
	GATEWAY_TIMEOUT,              /* 504 */
	GATEWAY_SERVICE_UNAVAILABLE,  /* 503 */
	GATEWAY_SERVER_ERROR,         /* 500 */
	GATEWAY_NETWORK,              /* 502 */
	GATEWAY_OUTBOUND_FORBIDDEN,   /* 502 */
	GATEWAY_ENDPOINT_NOT_SUPPORTED, /* 501 */
	GATEWAY_STREAMING,            /* 500 */
	GATEWAY_INTERNAL,             /* 500 */
	GATEWAY_KIND__COUNT
} gateway_kind;

/* PascalCase type name ("NotFound") and HTTP status of a kind. */
const char *gateway_kind_name(gateway_kind k);
int gateway_kind_status(gateway_kind k);

/* An error: kind + message (already prefixed; sanitized when written). */
#define GATEWAY_MSG_MAX 512
typedef struct gateway_error {
	gateway_kind kind;
	int retry_after;              /* seconds for Retry-After, < 0 = none */
	char msg[GATEWAY_MSG_MAX];
} gateway_error;

/* Fill e (printf-style message). Returns -1 so callers can `return gateway_fail(...)`. */
int gateway_fail(gateway_error *e, gateway_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append {"error":{"message","type","param":null,"code":null}} to b: control
 * characters removed (tab, newline kept), message cut to 200 characters
 * (never inside a UTF-8 sequence). 0 or a buf error. */
int gateway_error_json(buf *b, gateway_kind k, const char *msg, size_t n);

/* Map an upstream HTTP error (status >= 400, its body) to kind and message
 * (rest-api.md: prefix + upstream error.message, else the raw body). */
void gateway_map_upstream(int status, str body, gateway_error *e);

/* Map an http_client transport error (code < 0, reason) to Network /
 * OutboundForbidden / InternalError. */
void gateway_map_transport(int code, const char *reason, gateway_error *e);

/* ---- the gateway ---------------------------------------------------------------- */

typedef struct gateway gateway;

/* Build from an immutable config (borrowed: must outlive the gateway) and the
 * environment (strings returned by env.get must outlive it too: getenv's do).
 * Builds every [[models]] entry's upstream target (cli.md step 7): failure ->
 * ERR_* with the start-up message in err ("failed to build client for model
 * ..."). 0, ERR_NOMEM, or the provider_build error. */
int gateway_new(gateway **out, const config *c, provider_env env, char *err, size_t errlen);
void gateway_free(gateway *g);   /* NULL-safe */

/* No [[models]]: provider/model names route from the environment. */
bool gateway_zero_config(const gateway *g);
/* Ready = at least one model configured (zero-config: one provider with its key set). */
bool gateway_ready(const gateway *g);

/* ---- auth -------------------------------------------------------------------------- */

typedef struct gateway_principal {
	bool master;
	const config_key *key;        /* virtual key (NULL for master) */
	char key_id[24];              /* "vk-<16 hex>" for messages; "" for master */
} gateway_principal;

/* Decide on an Authorization header value (auth.p == NULL: absent). 0 with
 * *p filled, or -1 with e = 401 Authentication. Token compares are
 * constant-time. */
int gateway_auth(const gateway *g, str auth, gateway_principal *p, gateway_error *e);
/* May principal p use model m? (master: always; key: its list, [] = all) */
bool gateway_allowed(const gateway_principal *p, str model);

/* ---- models -------------------------------------------------------------------------- */

/* Call fn for every model name the principal may see (config: pool names in
 * file order; zero-config: "<provider>/<model>" from the pricing data for the
 * providers configured in the environment). */
typedef void (*gateway_model_fn)(void *ud, str name);
void gateway_models_each(const gateway *g, const gateway_principal *p, gateway_model_fn fn, void *ud);
/* Is name a model the principal can see (for GET /v1/models/{id})? */
bool gateway_model_exists(const gateway *g, const gateway_principal *p, str name);
/* {"status":"healthy"|"degraded","models":[...]} for /health. */
int gateway_health_json(const gateway *g, buf *b);

/* ---- routing (pure parts, exposed for tests) ------------------------------------------ */

typedef struct gateway_route {
	provider_target target;       /* where to send it (a copy) */
	const config_model *model;    /* the [[models]] entry, NULL for zero-config / alias */
} gateway_route;

/* Resolve a requested model name: [[models]] (pool: round-robin), then
 * [[aliases]], or zero-config. 0, or -1 with e = 404 NotFound. */
int gateway_route_model(gateway *g, str model, gateway_route *out, gateway_error *e);

/* ---- operations ------------------------------------------------------------------------ */

typedef enum gateway_op_id {
	GATEWAY_OP_CHAT = 0,
	GATEWAY_OP_EMBEDDINGS,
	GATEWAY_OP_IMAGES,
	GATEWAY_OP_SPEECH,
	GATEWAY_OP_TRANSCRIPTIONS,
	GATEWAY_OP_MODERATIONS,
	GATEWAY_OP_RERANK,
	GATEWAY_OP_SEARCH,
	GATEWAY_OP_OCR,
	GATEWAY_OP__COUNT
} gateway_op_id;

/* One field check: name and the JSON types allowed (bit per json_type). */
typedef struct gateway_field {
	const char *name;
	unsigned types;
	bool required;
} gateway_field;

typedef struct gateway_op {
	gateway_op_id id;
	const char *name;             /* "chat", "embeddings", ... for messages */
	const char *endpoint;         /* "/v1/chat/completions": EndpointNotSupported messages */
	provider_op pop;              /* upstream operation */
	const char *default_model;    /* NULL = model required */
	bool chat;                    /* 400 instead of 422 for schema errors, stream allowed */
	const gateway_field *fields;  /* known fields, NULL-terminated by name */
	bool form;                    /* the upstream takes multipart/form-data (transcriptions):
	                               * the client sends a form or JSON with the file in base64 */
} gateway_op;

const gateway_op *gateway_op_get(gateway_op_id id);

/* Checked request body. */
typedef struct gateway_body {
	json_doc doc;                 /* JSON input */
	str model;                    /* requested model (default applied) */
	bool chat;                    /* a chat body: the upstream gets "stream": true|false */
	bool stream;
	/* form operations (op->form) */
	bool form;                    /* the client sent multipart/form-data */
	str boundary;                 /* form: its boundary */
	multipart_part *parts;        /* form: its parts (request arena) */
	size_t nparts;
	size_t model_part;            /* form: index of the `model` part */
	const char *file_field;       /* JSON: the name of the op's file field */
	str file;                     /* JSON: its decoded base64 */
	str filename;                 /* JSON: the optional `filename` member (STR_NULL: none) */
} gateway_body;

/* Parse and check body against op's known fields (types only; unknown fields
 * pass). 0, or -1 with e: 400 invalid JSON / chat schema, 422 other schema. */
int gateway_body_check(const gateway_op *op, str body, arena *a, gateway_body *out, gateway_error *e);

/* Write the upstream body: model -> the upstream id, the target's parameter
 * renames, extra_body merged into the top level (never overriding stream).
 * Unknown fields are kept as they are. 0 or a buf error. */
int gateway_body_rewrite(const gateway_body *bd, const provider_target *t, buf *out);

/* gateway_body_check by the body's Content-Type: multipart/form-data (any
 * parameters) on an op with `form` is read as a form: boundary and parts
 * (strict, http/multipart.h), the op's fields checked by name (`x[]` counts
 * for an array field `x`): required ones present, a file where the field is
 * a file, text elsewhere, numbers that parse, no field twice unless an array;
 * the model is the `model` part's content. Anything else is JSON (the surface
 * checked the JSON media type; ctype.p == NULL means JSON); on a form op the
 * file field's base64 is decoded then. Errors: 400 malformed form or JSON or
 * base64 ("Invalid `boundary` for `multipart/form-data` request: ...",
 * "Error parsing `multipart/form-data` request: ..."), 415 a form on an op
 * without `form`, 422 schema. Slices point into body or a. */
int gateway_body_check_ct(const gateway_op *op, str body, str ctype, arena *a, gateway_body *out,
			  gateway_error *e);

/* The upstream body of a form op, always multipart/form-data, and its
 * Content-Type (with the boundary) into ctype: a client form keeps its
 * boundary and every part byte for byte (header lines and content) except
 * the `model` part's content, which becomes t->model; JSON becomes a form
 * under a fresh boundary, members in order: model -> t->model, the file
 * field's bytes as a file part (filename from `filename`, else named after
 * the sniffed audio format, e.g. audio.wav), strings unescaped, numbers and
 * booleans as written, arrays as repeated `key[]` fields, objects as JSON
 * text, null and `filename` left out, extra_body members merged (overriding).
 * 0, or a buf error / ERR_INVAL. */
int gateway_body_rewrite_form(const gateway_body *bd, const provider_target *t, buf *out, char *ctype,
			      size_t ctcap);

/* ---- the upstream interface (injected: production wraps http_client) ------------------- */

typedef struct gateway_upstream {
	/* Start s (as http_client_request). *h gets the handle. */
	int (*request)(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen);
	void (*pause)(void *h);
	void (*resume)(void *h);
	void (*cancel)(void *h);
	void *ud;
	/* Timers for retry back-off and stream keep-alives (all three NULL: no
	 * timers; retries then go out at once and no keep-alive is sent).
	 * timer_new: a stopped timer that calls fn(arg) when it fires (NULL: no
	 * memory); timer_set: arm it for ms from now (re-arming moves it; 0
	 * stops it); timer_free: stop and free it (NULL-safe). */
	void *(*timer_new)(void *ud, void (*fn)(void *arg), void *arg);
	void (*timer_set)(void *t, uint32_t ms);
	void (*timer_free)(void *t);
	/* Run fn(arg) on the loop thread that owns the calls, soon and never
	 * inline; any thread may call it (the local files store's helper thread
	 * completes its disk work through it). 0, or < 0 when it could not be
	 * queued (no memory). NULL: there is no loop to come back to; such
	 * blocking work then runs inline on the calling thread. */
	int (*post)(void *ud, void (*fn)(void *arg), void *arg);
} gateway_upstream;

/* The production upstream over one http_client and its loop (per worker). */
typedef struct gateway_http {
	http_client *client;
	loop *loop;                   /* the client's loop (timers) */
} gateway_http;
/* h is borrowed: it must outlive every call made through the result. */
gateway_upstream gateway_upstream_http(gateway_http *h);

/* A stream that sent no event for this long gets a keep-alive comment
 * (":\n\n", rest-api.md "Streaming"). */
#define GATEWAY_KEEPALIVE_MS 15000u
/* Longest back-off before a retry (governance.md "Retries"): 30 s, or 60 s
 * for a Retry-After. */
#define GATEWAY_BACKOFF_MAX_MS 30000u
#define GATEWAY_RETRY_AFTER_MAX_S 60u
/* Back-off before retry n (0 = first retry): for a 429/529 with an integer
 * Retry-After s (retry_after >= 0), min(s, 60) s; else min(2^n, 30) s times
 * jitter in [0.5, 1.0). Pure given jitter. */
uint32_t gateway_backoff_ms(unsigned n, int status, int retry_after, double jitter);
/* Retryable outcome: a transport error (err < 0) or HTTP 429, 500, 502, 503,
 * 504, 529. */
bool gateway_retryable(int err, int status);

/* ---- the response sink (the surface) ----------------------------------------------------- */

typedef struct gateway_sink {
	/* A whole response (status, content type, body). Ends the call. */
	void (*respond)(void *ud, int status, const char *content_type, const char *body, size_t n,
			int retry_after);
	/* Begin a streamed response (200, text/event-stream). 0 or < 0 (client gone). */
	int (*begin)(void *ud, int status, const char *content_type);
	/* Body bytes: 0, 1 (full: stop until gateway_call_resume), < 0 (client gone). */
	int (*write)(void *ud, const char *p, size_t n);
	/* End the stream. Ends the call. */
	void (*end)(void *ud);
	void *ud;
} gateway_sink;

typedef struct gateway_call gateway_call;

/* Start operation op for principal p with the request body. Allocates the call
 * in a (the request arena: it must outlive the call). On any error before the
 * upstream is contacted, the sink's respond() is called before this returns
 * (with the error envelope) and NULL is returned; else the call runs and ends
 * with exactly one respond() or end() on the sink. */
gateway_call *gateway_call_start(gateway *g, const gateway_upstream *up, const gateway_op *op,
				 const gateway_principal *p, str body, arena *a, const gateway_sink *sink);
/* The same with the body's Content-Type (gateway_body_check_ct): the REST
 * surface passes it so form ops take multipart/form-data; STR_NULL = JSON. */
gateway_call *gateway_call_start_ct(gateway *g, const gateway_upstream *up, const gateway_op *op,
				    const gateway_principal *p, str body, str ctype, arena *a,
				    const gateway_sink *sink);
/* The sink drained after write() returned 1. */
void gateway_call_resume(gateway_call *c);
/* The surface is gone (client closed, request timed out): cancel the
 * upstream; nothing is called on the sink afterwards. */
void gateway_call_cancel(gateway_call *c);

/* ---- management operations: files, batches, responses (master only) --------------------
 * Proxied to the default provider account (governance.md "Files", "Batches
 * and Responses"): the first [[models]] entry in file order, or in
 * zero-config the first provider configured in the environment. No model
 * routing, cache, limits or budgets; retries and the entry's timeout apply
 * (create_file is never retried). 2xx answers pass through byte for byte
 * with the upstream's content type (file content is binary); errors are
 * mapped as for the other operations.
 * With [files] mode = "local" the file operations are served by the
 * gateway's own store instead (gateway_files.h): uploads and listings always,
 * ids "file-lc-..." locally (404 when the store does not have them), other
 * ids still go to the provider; create_batch from a local input file uploads
 * it to the provider first. */

typedef enum gateway_mop {
	GATEWAY_M_CREATE_FILE = 0,    /* POST   /files  (JSON {file: base64, purpose, filename?}
	                               *         -> multipart upload; multipart passed as is) */
	GATEWAY_M_LIST_FILES,         /* GET    /files?<query> */
	GATEWAY_M_RETRIEVE_FILE,      /* GET    /files/{id} */
	GATEWAY_M_DELETE_FILE,        /* DELETE /files/{id} */
	GATEWAY_M_FILE_CONTENT,       /* GET    /files/{id}/content (binary) */
	GATEWAY_M_CREATE_BATCH,       /* POST   /batches (JSON forward) */
	GATEWAY_M_LIST_BATCHES,       /* GET    /batches?<query> */
	GATEWAY_M_RETRIEVE_BATCH,     /* GET    /batches/{id} */
	GATEWAY_M_CANCEL_BATCH,       /* POST   /batches/{id}/cancel */
	GATEWAY_M_CREATE_RESPONSE,    /* POST   /responses (JSON forward; "stream": true -> 400) */
	GATEWAY_M_RETRIEVE_RESPONSE,  /* GET    /responses/{id} */
	GATEWAY_M_CANCEL_RESPONSE,    /* POST   /responses/{id}/cancel */
	GATEWAY_M__COUNT
} gateway_mop;

/* "create_file", ... (the names of rest-api.md's 403 message and of the MCP
 * tools); NULL out of range. */
const char *gateway_mop_name(gateway_mop op);
/* By name; -1 when unknown. */
int gateway_mop_find(const char *name);

typedef struct gateway_mreq {
	gateway_mop op;
	str id;                       /* the {id} of the path (ops that have one) */
	str query;                    /* list ops: raw query string without '?', forwarded as is */
	str body;                     /* POST body (create_file, create_batch, create_response) */
	str content_type;             /* of body: application/json, or multipart/form-data for
	                               * create_file (forwarded with its boundary unchanged) */
} gateway_mreq;

/* Start management operation m for principal p (virtual key -> 403
 * Forbidden "endpoint '<op>' requires master-key access; key '<id>' is
 * restricted"; no model configured -> 503 "no models configured"). Same
 * contract as gateway_call_start (NULL when answered at once; then
 * resume/cancel as for calls). */
gateway_call *gateway_master_start(gateway *g, const gateway_upstream *up, const gateway_principal *p,
				   const gateway_mreq *m, arena *a, const gateway_sink *sink);

/* Does base URL url point at the gateway's own listen address host:port?
 * (same port, and a host that is the listen host, a loopback address,
 * "localhost", or any local address when listening on 0.0.0.0 / ::).
 * Used at start to refuse request loops. */
bool gateway_url_is_self(str url, const char *listen_host, uint16_t listen_port);
/* Check every configured target (and, in zero-config, every provider base
 * URL override from the environment) against the listen address. 0, or -1
 * with the start-up message in err ("base URL '<u>' of model '<m>' points at
 * this gateway's own address <h>:<p> (request loop)"). */
int gateway_check_self_loop(const gateway *g, const char *listen_host, uint16_t listen_port, char *err,
			    size_t errlen);

#endif
