/* xlate.h — conventions shared by the native translators (providers/xlate_*.c):
 * pure functions that turn an OpenAI chat request into a provider's native
 * body, the provider's response back into an OpenAI chat.completion, and the
 * provider's stream events into chat.completion.chunk payloads.
 *
 * Every translator follows the same shape:
 *   - pure: no I/O, clock, env or globals. What is not a function of the
 *     input (upstream model id, "created", a fallback id, defaults) comes in
 *     an xlate_ctx;
 *   - input: bytes, read with the strict JSON reader (json/json.h). Scratch
 *     memory (tokens, unescaped strings) comes from a caller arena; nothing
 *     returned points into it, so the caller may reset it once a call returned;
 *   - output: appended to a caller buf, whose cap bounds it (ERR_TOOBIG).
 *     On any error the buf is put back to its length at entry (no half
 *     document). Outputs are always valid JSON;
 *   - result: 0 (or a count), or a negative err_t with an xlate_err that says
 *     which error kind the gateway should report and the human detail.
 *
 * The stream side is a fixed-size struct per stream (constant memory, no
 * heap), fed one SSE event (sse.h's type + data) at a time. Chunks are
 * appended to the out buf as compact JSON, each followed by '\n' (compact
 * JSON never contains a raw newline): the gateway frames every line as
 * `data: <line>\n\n` and appends `data: [DONE]` itself.
 *
 * The pieces of that shape every translator needs live here, once: the
 * request/response frame (xlate_parse_request, xlate_parse_response,
 * xlate_finish), the message roles, checks and turns, the tool call and
 * embeddings writers, and the stream-call frame (xlate_emit_*: sticky error,
 * all-or-nothing save/restore, finish and usage chunks). */
#ifndef PROVIDERS_XLATE_H
#define PROVIDERS_XLATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/str.h"
#include "json/json.h"
#include "json/json_write.h"

/* What a translator needs besides the bytes. Zero-initialised = defaults. */
typedef struct xlate_ctx {
	str model;           /* request: upstream model id written as "model" ("" keeps the
	                      * client's value). response/stream: fallback "model" when the
	                      * upstream names none */
	str id;              /* response/stream: fallback id when the upstream gives none */
	int64_t created;     /* response/stream: unix seconds for "created" */
	bool stream;         /* request: the upstream call streams ("stream": true|false) */
	bool include_usage;  /* stream: the client set stream_options.include_usage */
	uint32_t max_tokens; /* request: default output cap when the client sets none
	                      * (0 = the adapter's default, e.g. Anthropic 4096) */
	unsigned flags;      /* XLATE_F_* */
} xlate_ctx;

/* Assistant tool_calls[].function.arguments that are not a JSON object are an
 * error (XLATE_E_BAD_REQUEST) instead of being sent as {} (upstream's rule).
 * An empty or all-blank string always means {}. */
#define XLATE_F_STRICT_ARGS 0x01u
/* Embeddings: the client asked for encoding_format "base64" (set by a request
 * translator in xlate_req_info.flags, handed back in the response ctx's
 * flags): each embedding is the base64 of its little-endian float32 values. */
#define XLATE_F_EMBED_BASE64 0x02u

/* Which error the gateway reports (rest-api.md error table). */
typedef enum xlate_kind {
	XLATE_E_NONE = 0,
	XLATE_E_BAD_REQUEST,   /* 400 BadRequest: the client request cannot be translated */
	XLATE_E_SERIALIZATION, /* 400 Serialization: upstream body not of the expected shape */
	XLATE_E_STREAMING,     /* Streaming: malformed stream event, stream `error` event, cut stream */
	XLATE_E_UPSTREAM,      /* an error object from the upstream (see status and type) */
	XLATE_E_INTERNAL,      /* InternalError: output over the buf cap (ERR_TOOBIG) or no memory */
} xlate_kind;

#define XLATE_ERR_TYPE_MAX 64
#define XLATE_ERR_MSG_MAX 512

typedef struct xlate_err {
	xlate_kind kind;
	int status;                     /* HTTP status the upstream error type implies; 0 = none */
	char type[XLATE_ERR_TYPE_MAX];  /* the upstream's own error type ("overloaded_error"), or "" */
	char msg[XLATE_ERR_MSG_MAX];    /* the detail, without the kind's prefix ("bad request: "
	                                 * is the gateway's); NUL-terminated valid UTF-8, cut at a
	                                 * character boundary when longer */
} xlate_err;

/* Token counts in OpenAI terms. */
typedef struct xlate_usage {
	bool present;                /* the upstream reported usage */
	uint64_t prompt_tokens;      /* all input billed (Anthropic: input + cache writes + cache reads) */
	uint64_t completion_tokens;
	uint64_t total_tokens;
	uint64_t cached_tokens;      /* part of prompt_tokens read from a prompt cache */
	uint64_t cache_write_tokens; /* part of prompt_tokens written to a prompt cache */
} xlate_usage;

/* What the request translator saw in the client request. */
typedef struct xlate_req_info {
	bool stream;                 /* the client's "stream" was true */
	bool include_usage;          /* stream_options.include_usage was true */
	unsigned flags;              /* XLATE_F_* the response translator needs in its ctx */
	bool batch_url;              /* the body is for the adapter's alternate URL of the
	                              * operation (provider_url with `stream` = true on a non-chat
	                              * operation: Gemini embeddings :batchEmbedContents) */
} xlate_req_info;

/* ---- helpers for translators (xlate.c) ------------------------------------ */

#define XLATE_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Fill e (may be NULL): kind, status 0, type "", formatted message. */
void xlate_err_set(xlate_err *e, xlate_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy s into dst[0..cap) NUL-terminated, cut at a UTF-8 character boundary
 * (invalid bytes become '?'). Returns the bytes written. */
size_t xlate_strlcpy(char *dst, size_t cap, str s);
/* Kind for an err_t from the writer/arena: ERR_TOOBIG, ERR_NOMEM -> INTERNAL
 * with a message naming what; anything else -> INTERNAL too. Returns rc. */
int xlate_fail_internal(xlate_err *e, int rc, const char *what);

/* ---- the frame of a request or response translation -------------------------- */

/* A request translator's start: *info zeroed (info may be NULL), then the
 * client's body in[0..n) parsed into d (scratch in a): 0, or ERR_INVAL with
 * err BAD_REQUEST "request body is not valid JSON: ..." / "request body must
 * be a JSON object", or ERR_NOMEM (INTERNAL). */
int xlate_parse_request(json_doc *d, const char *in, size_t n, arena *a, xlate_req_info *info, xlate_err *err);
/* info's stream and include_usage as the chat request d asks (info may be NULL). */
void xlate_chat_info(const json_doc *d, xlate_req_info *info);
/* A response translator's start: the upstream's 2xx body parsed into d: 0,
 * or ERR_INVAL with err SERIALIZATION "invalid JSON from <who>: ..." /
 * "<what> is not a JSON object", or ERR_NOMEM (INTERNAL). */
int xlate_parse_response(json_doc *d, const char *in, size_t n, arena *a, const char *who, const char *what,
			 xlate_err *err);
/* w set to write compact JSON into out, as deep as the writer allows. */
void xlate_writer(json_writer *w, buf *out);
/* A translation's end: rc is what its body writer returned. A validation
 * error (ERR_INVAL, err filled) is returned as it is; another error becomes
 * w's, and w's error (or an incomplete document) is returned with err
 * INTERNAL naming what ("the Gemini request"). On any error out goes back to
 * its length old. 0 when the document is complete. */
int xlate_finish(json_writer *w, buf *out, size_t old, int rc, const char *what, xlate_err *err);

/* An upstream error name and the HTTP status it implies. */
typedef struct xlate_status {
	const char *name;
	int status;
} xlate_status;
/* The status of name in map[0..n) (names compared exactly, or ignoring ASCII
 * case with nocase); 0 when it is not there. */
int xlate_status_of(str name, const xlate_status *map, size_t n, bool nocase);

/* Member key of object obj when present and not null, else -1. */
int xlate_get(const json_doc *d, int obj, const char *key);
/* The unescaped string member key (zero copy when possible, else in a).
 * false when absent, not a string, or out of memory. */
bool xlate_get_str(const json_doc *d, int obj, const char *key, arena *a, str *out);
/* Does member key hold a string equal to s? */
bool xlate_str_is(const json_doc *d, int obj, const char *key, const char *s);
/* Member key as an unsigned integer; false (and *out = 0) otherwise. */
bool xlate_get_u64(const json_doc *d, int obj, const char *key, uint64_t *out);

/* Write value i of d re-serialised through w (compact, or pretty with
 * JSON_W_PRETTY): containers rebuilt, scalars copied byte for byte, keys
 * unescaped (into a when they hold escapes) and written again. */
int xlate_copy(json_writer *w, const json_doc *d, int i, arena *a);

/* Chunk framing: xlate_chunk_begin writes
 *   {"id":id,"object":"chat.completion.chunk","created":c,"model":m,
 *    "choices":[{"index":index,"delta":{
 * and leaves the delta object open for its members; xlate_chunk_end closes
 * it, writes "finish_reason" (the string, or null), closes the choice, adds
 * "usage" when u is not NULL, and closes the chunk. xlate_chunk_usage writes
 * a whole usage-only chunk ("choices":[], OpenAI's include_usage chunk). */
int xlate_chunk_begin(json_writer *w, str id, int64_t created, str model, int64_t index);
int xlate_chunk_end(json_writer *w, const char *finish_reason, const xlate_usage *u);
int xlate_chunk_usage(json_writer *w, str id, int64_t created, str model, const xlate_usage *u);
/* "usage":{"prompt_tokens","completion_tokens","total_tokens"
 * [,"prompt_tokens_details":{"cached_tokens"}]} — key included; the details
 * only when cached_tokens > 0. */
int xlate_write_usage(json_writer *w, const xlate_usage *u);


/* ---- token tests and writers used by every translator ---------------------- */

/* Token i (may be -1) is a string equal to s. */
static inline bool xlate_tok_is(const json_doc *d, int i, const char *s)
{
	return i >= 0 && json_str_eq(d, i, str_from(s));
}
/* Token i (may be -1) is a string. */
static inline bool xlate_is_str(const json_doc *d, int i)
{
	return i >= 0 && json_typeof(d, i) == JSON_STRING;
}
/* Token i is a string whose value is not "" (raw text longer than its quotes). */
static inline bool xlate_nonempty_str(const json_doc *d, int i)
{
	return xlate_is_str(d, i) && json_raw(d, i).n > 2;
}
/* Token i (may be -1) is a number. */
static inline bool xlate_is_num(const json_doc *d, int i)
{
	return i >= 0 && json_typeof(d, i) == JSON_NUMBER;
}
/* i when token i is an array, else -1 (which json_iter_begin iterates as empty). */
static inline int xlate_arr(const json_doc *d, int i)
{
	return json_typeof(d, i) == JSON_ARRAY ? i : -1;
}
/* An OpenAI tools[] entry that is a function tool: a "function" object and
 * "type" "function" or no type. */
static inline bool xlate_is_function_tool(const json_doc *d, int t)
{
	int ty = xlate_get(d, t, "type");
	return json_typeof(d, xlate_get(d, t, "function")) == JSON_OBJECT &&
	       (ty < 0 || xlate_tok_is(d, ty, "function"));
}
/* The request d's extra_body object, or -1. */
static inline int xlate_extra_body(const json_doc *d)
{
	int e = xlate_get(d, 0, "extra_body");
	return json_typeof(d, e) == JSON_OBJECT ? e : -1;
}
/* The request d's reasoning_effort string token: the top-level one, else
 * the extra_body object extra's (-1: none); -1 when neither is a string. */
static inline int xlate_effort(const json_doc *d, int extra)
{
	int e = xlate_get(d, 0, "reasoning_effort");
	if (!xlate_is_str(d, e))
		e = xlate_get(d, extra, "reasoning_effort");
	return xlate_is_str(d, e) ? e : -1;
}
/* a + b, saturating at UINT64_MAX (token counts). */
static inline uint64_t xlate_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Writers that leave errors sticky in w (json_write_finish reports them):
 * xlate_w_raw copies token i's raw JSON text; xlate_w_kraw writes key then
 * that text; xlate_w_kstr writes key and the string s (NULL s.p = "");
 * xlate_w_kstr_tok writes key and string token t as it is, or "" when t is
 * not a string; xlate_w_key writes key token k (unescaped, into a when it
 * holds escapes) as a key, and xlate_w_member that key and value v's raw
 * text; xlate_w_empty_obj writes {}; xlate_w_fail makes rc (when not 0) the
 * writer's error unless it has one. */
void xlate_w_raw(json_writer *w, const json_doc *d, int i);
void xlate_w_kraw(json_writer *w, const char *key, const json_doc *d, int i);
void xlate_w_kstr(json_writer *w, const char *key, str s);
void xlate_w_kstr_tok(json_writer *w, const char *key, const json_doc *d, int t);
void xlate_w_key(json_writer *w, const json_doc *d, int k, arena *a);
void xlate_w_member(json_writer *w, const json_doc *d, int k, int v, arena *a);
void xlate_w_empty_obj(json_writer *w);
/* An array of strings from token v: [v] when v is a string, else the string
 * elements of array v (the others skipped): "stop" as stop sequences. */
void xlate_w_strings(json_writer *w, const json_doc *d, int v);
static inline void xlate_w_fail(json_writer *w, int rc)
{
	if (rc && !w->err)
		w->err = rc;
}

/* Keep-predicate for xlate_join_strs: element el of the array qualifies. */
typedef bool (*xlate_keep_fn)(const json_doc *d, int el, const void *ud);
/* Join the string members `field` of the elements of array arr that keep()
 * accepts (keep may be NULL = all) into one raw JSON string literal in a
 * (their raw escaped contents concatenated, so always valid JSON). Returns
 * it, or STR_NULL (.n == 0) when there is no text or on error; *rc = 0, or
 * ERR_NOMEM. */
str xlate_join_strs(const json_doc *d, int arr, const char *field, xlate_keep_fn keep,
		    const void *ud, arena *a, int *rc);

/* A tool call's "arguments": value i of d (any type; {} when i < 0) written
 * as one JSON string holding its compact JSON text, built in a temporary buf
 * capped at cap. The error (ERR_TOOBIG, ERR_NOMEM) is also made sticky in
 * w; returns 0 or it. */
int xlate_w_args(json_writer *w, const json_doc *d, int i, arena *a, size_t cap);

/* One tool_calls entry of a chat.completion: {"id":<string token id, or "">,
 * "type":"function","function":{"name":<string token name, or "">,
 * "arguments":<value args as a string, xlate_w_args>}}. 0 or xlate_w_args'
 * error (also sticky in w). */
int xlate_w_tool_call(json_writer *w, const json_doc *d, int id, int name, int args, arena *a, size_t cap);

/* Copy s into the fixed array dst[cap] (NUL-terminated) and set *len, when
 * it fits (s.n < cap); longer s leaves dst and *len as they were. */
void xlate_set_fixed(char *dst, size_t cap, uint16_t *len, str s);

/* ---- request pieces several native bodies share ----------------------------- */

/* The role of an OpenAI message object m; "developer" counts as SYSTEM. */
typedef enum xlate_role {
	XLATE_ROLE_BAD = 0, /* no role, or one outside the ones below */
	XLATE_ROLE_SYSTEM,
	XLATE_ROLE_USER,
	XLATE_ROLE_ASSISTANT,
	XLATE_ROLE_TOOL,
	XLATE_ROLE_FUNCTION, /* the legacy function result */
} xlate_role;
xlate_role xlate_role_of(const json_doc *d, int m);

/* The checks of "messages" (token msgs, may be -1) every chat request
 * translator makes before writing: a non-empty array of objects, each with
 * a role above. 0, or ERR_INVAL with err BAD_REQUEST "messages array must
 * not be empty" / "messages[i] is not an object" / "messages[i] has no
 * role" / "messages[i] has an unsupported role '<its first 64 bytes>'". */
int xlate_check_messages(const json_doc *d, int msgs, arena *a, xlate_err *err);

/* Turns for the APIs that want user and assistant turns to alternate:
 * consecutive messages of one side (user: user, tool and function results;
 * assistant) are merged into one {"role":<name>,<key>:[<parts>]}.
 * xlate_turn, before each part, opens a turn of that side unless one is
 * open, closing the other side's; xlate_turn_end closes the open one. Zero
 * cur = no turn open yet. Writer errors stay sticky in w. */
typedef struct xlate_turns {
	json_writer *w;
	const char *assistant; /* the assistant side's role name ("assistant", Gemini "model") */
	const char *key;       /* the parts member ("content", Gemini "parts") */
	int cur;               /* 0 none open, 1 user, 2 assistant */
} xlate_turns;
void xlate_turn(xlate_turns *t, bool assistant);
void xlate_turn_end(xlate_turns *t);

/* The JSON object held by an OpenAI tool call's "arguments" string, written
 * to w as a value (an Anthropic tool_use input, a Gemini functionCall args, a
 * Bedrock toolUse input): {} when args is empty or blank; {} too when it is
 * not a JSON object, unless flags has XLATE_F_STRICT_ARGS: then ERR_INVAL
 * with err BAD_REQUEST "messages[mi].tool_calls[ti].function.arguments is
 * not a JSON object: ...". Parses into a. 0, ERR_INVAL or ERR_NOMEM; the
 * writer's own errors stay sticky in w. */
int xlate_w_args_object(json_writer *w, str args, unsigned flags, size_t mi, size_t ti, arena *a,
			xlate_err *err);

/* A data: URL "data:<media type>[;param...][;base64],<data>": true with *mt
 * = the media type (without parameters, may be empty), *data = the text
 * after the first ',' and *base64 = the ";base64" marker was there; false
 * when url is not a data: URL with a ','. Zero copy. */
bool xlate_data_url(str url, str *mt, str *data, bool *base64);

/* The instruction a provider without native JSON mode gets in its system
 * prompt for response_format rf (d's token, may be -1): json_object ->
 * "Respond with valid JSON only. ..."; json_schema -> the schema (pretty
 * JSON) named by json_schema.name ("output" when absent) in a ```json
 * fence. Appended to tb. 1 when written, 0 when rf asks for none (tb
 * untouched), or ERR_TOOBIG / ERR_NOMEM. */
int xlate_rf_instruction(const json_doc *d, int rf, arena *a, buf *tb);

/* ---- embeddings ------------------------------------------------------------ */

/* The OpenAI embeddings list: xlate_embed_begin writes {"object":"list",
 * "data":[ ; xlate_embed_item one {"object":"embedding","index":index,
 * "embedding":<v>}, the array of numbers v as it is or, with base64, the
 * base64 of its little-endian float32 values (temporaries capped at cap,
 * 0 = BUF_DEFAULT_CAP) — ERR_INVAL when v is not an array of numbers (the
 * item is left half-written: the caller fails); xlate_embed_end closes
 * "data" and writes "model" and "usage" {"prompt_tokens","total_tokens"}
 * = tokens. Writer and memory errors stay sticky in w. */
/* The texts of an OpenAI embeddings request d: "input", a string or a
 * non-empty array of strings. Their count, or ERR_INVAL with err BAD_REQUEST
 * "input[i]: <who> embeddings take text, not <type>" / "input must be a
 * non-empty string or array of strings". */
int xlate_embed_input(const json_doc *d, const char *who, xlate_err *err);
void xlate_embed_begin(json_writer *w);
int xlate_embed_item(json_writer *w, const json_doc *d, int v, uint64_t index, bool base64, size_t cap);
void xlate_embed_end(json_writer *w, str model, uint64_t tokens);

/* ---- stream plumbing shared by the translators' state machines ------------- */

/* The frame of one stream call (init, feed or end) of a translator's state
 * machine: it binds by pointer the fields every xlate_*_stream struct has
 * under the same names (id, model and their lengths, created,
 * include_usage, usage, finish_reason, started, done, rc, finish_sent,
 * usage_sent), the whole state and a copy of it from the call's entry (put
 * back on error: the all-or-nothing rule), and writes chunks into out.
 * XLATE_EMIT_INIT(st, out, save) builds it (out and save may be NULL for
 * init). Lives on the stack for one call and owns nothing. */
typedef struct xlate_emit {
	buf *out;                           /* chunks are appended here, one per line */
	size_t old;                         /* out's length at the call's entry */
	json_writer w;                      /* the chunk being written */
	int count;                          /* chunks completed so far */
	char *id, *model;                   /* the stream's fixed arrays ... */
	size_t id_cap, model_cap;           /* ... their sizes ... */
	uint16_t *id_len, *model_len;       /* ... and their current lengths */
	int64_t *created;
	bool *include_usage;
	const xlate_usage *usage;
	const char **finish_reason;
	bool *started, *finish_sent, *usage_sent, *done;
	int *rc;                            /* the stream's sticky error */
	void *st;                           /* the state (size bytes) ... */
	const void *save;                   /* ... and its copy from the call's entry */
	size_t size;
} xlate_emit;

#define XLATE_EMIT_INIT(st_, out_buf, save_)                                                     \
	{ .out = (out_buf), .id = (st_)->id, .model = (st_)->model, .id_cap = sizeof (st_)->id,     \
	  .model_cap = sizeof (st_)->model, .id_len = &(st_)->id_len, .model_len = &(st_)->model_len, \
	  .created = &(st_)->created, .include_usage = &(st_)->include_usage, .usage = &(st_)->usage, \
	  .finish_reason = &(st_)->finish_reason, .started = &(st_)->started,                       \
	  .finish_sent = &(st_)->finish_sent, .usage_sent = &(st_)->usage_sent, .done = &(st_)->done, \
	  .rc = &(st_)->rc, .st = (st_), .save = (save_), .size = sizeof *(st_) }

/* A stream's init: the whole state zeroed, then created, include_usage and
 * the fallback id and model (copied when they fit) from cx (may be NULL). */
void xlate_emit_reset(xlate_emit *e, const xlate_ctx *cx);

/* One SSE data payload as the stream feeds see it: XLATE_EV_SKIP (blank, or
 * JSON that is not an object: nothing to do), XLATE_EV_DONE ("[DONE]"),
 * XLATE_EV_JSON (*doc, in scratch, holds the object), or a negative err_t
 * with err filled: ERR_NOMEM (INTERNAL) or ERR_INVAL (STREAMING "failed to
 * parse <who> SSE event: ..."). */
enum { XLATE_EV_SKIP = 0, XLATE_EV_DONE = 1, XLATE_EV_JSON = 2 };
int xlate_stream_event(str data, arena *scratch, json_doc *doc, const char *who, xlate_err *err);

/* The start of a feed call: ERR_STATE (err STREAMING "the <who> stream
 * already failed") after an error; XLATE_EV_SKIP when the stream already
 * ended; else data read as xlate_stream_event does (an error there is made
 * sticky, see xlate_emit_leave, and returned). */
int xlate_emit_feed(xlate_emit *e, const char *who, str data, arena *scratch, json_doc *doc, xlate_err *err);
/* The start of an end call: ERR_STATE after an error (as above); 1 when the
 * stream already ended (nothing to do); ERR_INVAL, sticky, with err
 * STREAMING "<who> stream ended before the <what> was complete" unless
 * complete; else 0. */
int xlate_emit_end_begin(xlate_emit *e, const char *who, const char *what, bool complete, xlate_err *err);
/* The whole end call of a stream that is complete once its finish chunk is
 * out (xlate_emit_end_begin with *finish_sent, then xlate_emit_done). */
int xlate_emit_end(xlate_emit *e, const char *who, const char *what, xlate_err *err);
/* The return of a feed/end call whose steps returned rc: 0 gives the count
 * of chunks; an error puts the state and out back as they were at entry,
 * makes rc the sticky error and returns it, with err INTERNAL "... the
 * stream chunk" unless filled (err already says what went wrong). */
int xlate_emit_leave(xlate_emit *e, int rc, bool filled, xlate_err *err);

/* Start a chunk for choice `index` (xlate_chunk_begin): returns e->w with the
 * delta object open for its members. Errors stay sticky in e->w. */
json_writer *xlate_emit_open(xlate_emit *e, int64_t index);
/* Close the chunk opened by xlate_emit_open (xlate_chunk_end with finish and
 * u, both may be NULL), end it with '\n' and count it. 0 or the writer's /
 * buf's error. */
int xlate_emit_close(xlate_emit *e, const char *finish, const xlate_usage *u);
/* The role chunk ({"role":"assistant","content":""}) unless already sent;
 * sets *started. */
int xlate_emit_start(xlate_emit *e);
/* The finish chunk (after the role chunk when due): sets *finish_reason =
 * finish (a static string) and *finish_sent; carries the usage unless the
 * client asked for a separate usage chunk (include_usage). */
int xlate_emit_finish(xlate_emit *e, const char *finish);
/* The include_usage chunk ("choices":[]) once, when the client asked for it. */
int xlate_emit_usage(xlate_emit *e);
/* The stream's end: the finish chunk with finish unless one was sent, the
 * include_usage chunk when due; then *done. */
int xlate_emit_done(xlate_emit *e, const char *finish);
/* A chunk (after the role chunk when due) whose delta is {key: raw}, raw
 * being a JSON string literal (json_raw of a string token, or joined ones). */
int xlate_emit_delta(xlate_emit *e, const char *key, str raw);
/* A chunk (after the role chunk when due) with one tool_calls entry of
 * index: {"index"[,"id","type":"function"],"function":{["name",]
 * "arguments"}}: with d, the start of a call (id and name: string tokens of
 * d, "" when not strings); args is the raw JSON string of the arguments
 * ("" when empty). */
int xlate_emit_tool(xlate_emit *e, int64_t index, const json_doc *d, int id, int name, str args);

#endif
