/* mcp_core.c — the MCP protocol core: JSON-RPC 2.0 framing rules (requests,
 * notifications, client responses, 2025-03-26 batches), the lifecycle state
 * machine, method dispatch, tool calls in flight (asynchronous completion,
 * cancellation, progress) and every error answer. No I/O: messages come in
 * through mcp_core_recv and leave through the transport callbacks. */
#include "mcp/mcp_private.h"
#include "base/b64.h"
#include "base/err.h"
#include "base/limits.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One inbound message (single or batch) and what is still owed to its origin. */
typedef struct mcp_unit {
	void *origin;
	unsigned pending;      /* tool calls in flight */
	bool processing;       /* inside mcp_core_recv */
	bool batch;
	bool cancelled;        /* origin gone: send nothing more */
	bool any;              /* batch: an element was written to out */
	buf out;               /* batch: "[elem,elem..." */
} mcp_unit;

struct mcp_call {
	mcp_core *core;
	mcp_unit *unit;
	mcp_call *prev, *next;
	const mcp_tool *tool;
	str id;                /* raw JSON of the request id (points into this allocation) */
	str key;               /* canonical id for cancellation: unescaped string or integer text */
	bool key_str;
	str ptok;              /* raw JSON of the progress token, or empty */
	double last;
	bool have_last;
	bool ending;           /* completing or being cancelled */
	void *handle;
};

struct mcp_core {
	mcp_opts o;
	mcp_state state;
	mcp_version ver;
	mcp_call *calls;
	size_t ncalls;
	unsigned depth;        /* mcp_core_recv nesting (always 0 or 1 by contract) */
	bool freeing;
	arena in;              /* tokens of the inbound message */
	arena scratch;         /* results: parsed gateway JSON, unescaped keys */
	buf msg;               /* the outgoing message being built */
	buf text;              /* a result's text part */
	char *instructions;
};

static const char *const version_names[MCP_V__COUNT] = {
	[MCP_V_NONE] = "",
	[MCP_V_2024_11_05] = "2024-11-05",
	[MCP_V_2025_03_26] = "2025-03-26",
	[MCP_V_2025_06_18] = "2025-06-18",
	[MCP_V_2025_11_25] = "2025-11-25",
};

const char *mcp_version_str(mcp_version v)
{
	return (unsigned)v < MCP_V__COUNT ? version_names[v] : "";
}

mcp_version mcp_version_parse(str s)
{
	for (int v = MCP_V_NONE + 1; v < MCP_V__COUNT; v++)
		if (str_eq_cstr(s, version_names[v]))
			return (mcp_version)v;
	return MCP_V_NONE;
}

/* ---- small helpers ----------------------------------------------------------------- */

#define BIG_KEEP ((size_t)1 << 20)   /* scratch memory above this is released after use */

static void trim_buf(buf *b)
{
	if (b->size > BIG_KEEP)
		buf_free(b);
	else
		buf_reset(b);
}

static void trim_arena(arena *a)
{
	if (a->total > BIG_KEEP)
		arena_free(a);
	else
		arena_reset(a);
}

static mcp_version cur_version(const mcp_core *c)
{
	return c->ver;
}

/* Start an outgoing message in c->msg: {"jsonrpc":"2.0","id":<id>,"<member>": */
static void begin_msg(mcp_core *c, json_writer *w, str id, const char *member)
{
	buf_reset(&c->msg);
	c->msg.cap = c->o.max_output_bytes;
	json_write_init(w, &c->msg, 0);
	w->max_depth = JSON_DEPTH_MAX;
	json_write_obj_begin(w);
	json_write_kv_str(w, "jsonrpc", "2.0");
	if (id.n)
		json_write_kv_raw(w, "id", id.p, id.n);
	else
		json_write_kv_null(w, "id");
	json_write_key(w, member);
}

static int end_msg(json_writer *w)
{
	json_write_obj_end(w);
	return json_write_finish(w);
}

/* Deliver the message in c->msg for unit u: sent, or appended to the batch
 * answer. 0, or ERR_TOOBIG / ERR_NOMEM when the batch answer has no room for
 * it (nothing appended: the array stays valid). */
static int emit(mcp_core *c, mcp_unit *u)
{
	if (u->cancelled || c->freeing)
		return 0;
	if (!u->batch) {
		c->o.transport.send(c->o.transport.ud, u->origin, c->msg.data, c->msg.len);
		return 0;
	}
	if (u->out.len + c->msg.len + 2 > u->out.cap)
		return ERR_TOOBIG;   /* keeps room for the closing ']' */
	size_t mark = u->out.len;
	int rc = buf_putc(&u->out, u->any ? ',' : '[');
	if (rc == 0)
		rc = buf_append(&u->out, c->msg.data, c->msg.len);
	if (rc == 0)
		u->any = true;
	else
		buf_truncate(&u->out, mark);
	return rc;
}

/* The last-resort message when even an error answer cannot be built. */
static const char oom_msg[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"out of memory\"}}";

static void emit_error(mcp_core *c, mcp_unit *u, str id, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void emit_error(mcp_core *c, mcp_unit *u, str id, int code, const char *fmt, ...)
{
	char m[MCP_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	json_writer w;
	begin_msg(c, &w, id, "error");
	json_write_obj_begin(&w);
	json_write_kv_i64(&w, "code", code);
	json_write_kv_str(&w, "message", m);
	json_write_obj_end(&w);
	if (end_msg(&w) != 0) {
		/* only ERR_NOMEM can get here (the cap is far above any error) */
		buf_reset(&c->msg);
		if (buf_append(&c->msg, oom_msg, sizeof oom_msg - 1) != 0) {
			if (!u->batch && !u->cancelled && !c->freeing)
				c->o.transport.send(c->o.transport.ud, u->origin, oom_msg, sizeof oom_msg - 1);
			return;
		}
	}
	emit(c, u);   /* a batch answer without room even for this loses the element */
	trim_buf(&c->msg);
}

/* A result was written by a builder: finish and emit, or answer an error. */
static void emit_result(mcp_core *c, mcp_unit *u, str id, json_writer *w, int rc)
{
	if (rc == 0)
		rc = end_msg(w);
	else
		json_write_finish(w);
	if (rc == 0) {
		rc = emit(c, u);
		trim_buf(&c->msg);
		if (rc == 0)
			return;
		/* no room left in the batch answer: try a short error instead */
	}
	if (rc == ERR_TOOBIG)
		emit_error(c, u, id, MCP_ERR_INTERNAL, "response too large (limit %zu bytes)", c->o.max_output_bytes);
	else
		emit_error(c, u, id, MCP_ERR_INTERNAL, "internal error: %s", err_str(rc));
}

static void unit_maybe_finish(mcp_core *c, mcp_unit *u)
{
	if (u->processing || u->pending)
		return;
	if (!c->freeing) {
		if (u->batch && u->any && !u->cancelled && buf_putc(&u->out, ']') == 0)
			c->o.transport.send(c->o.transport.ud, u->origin, u->out.data, u->out.len);
		if (c->o.transport.done)
			c->o.transport.done(c->o.transport.ud, u->origin);
	}
	buf_free(&u->out);
	free(u);
}

/* ---- id sniffing (messages too big or too deep to parse) ------------------------ */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* The value at s[i..n) if it is a plain string (no escapes, no control
 * characters, valid UTF-8, at most 1024 bytes) or a JSON integer followed by a
 * delimiter: its raw text. */
static bool sniff_value(const char *s, size_t n, size_t i, str *out)
{
	size_t st = i;
	if (i < n && s[i] == '"') {
		i++;
		while (i < n && s[i] != '"') {
			if ((unsigned char)s[i] < 0x20 || s[i] == '\\')
				return false;
			i++;
		}
		if (i >= n || i - st > 1024 || !json_utf8_valid(s + st + 1, i - st - 1))
			return false;
		*out = str_make(s + st, i + 1 - st);
		return true;
	}
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	if (i >= n || i - st > 40)
		return false;
	if (s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
		return false;
	*out = str_make(s + st, i - st);
	return true;
}

/* Find the top-level "id" member of the object text s[0..n) without parsing
 * the whole (it may be cut off, too big or too deep). */
static bool sniff_id(const char *s, size_t n, str *out)
{
	size_t i = skip_ws(s, n, 0);
	if (i >= n || s[i] != '{')
		return false;
	i++;
	int depth = 1;
	bool want_key = true;
	while (i < n) {
		char ch = s[i];
		if (ch == '"') {
			size_t st = i++;
			bool esc = false;
			while (i < n && s[i] != '"') {
				if (s[i] == '\\') {
					esc = true;
					i++;
				}
				i++;
			}
			if (i >= n)
				return false;
			i++;
			if (depth == 1 && want_key) {
				bool is_id = !esc && i - st == 4 && !memcmp(s + st, "\"id\"", 4);
				i = skip_ws(s, n, i);
				if (i >= n || s[i] != ':')
					return false;
				i = skip_ws(s, n, i + 1);
				want_key = false;
				if (is_id)
					return sniff_value(s, n, i, out);
			}
			continue;
		}
		if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth <= 0)
				return false;
		} else if (ch == ',' && depth == 1) {
			want_key = true;
		}
		i++;
	}
	return false;
}

/* ---- calls ---------------------------------------------------------------------- */

static void call_unlink(mcp_core *c, mcp_call *k)
{
	if (k->prev)
		k->prev->next = k->next;
	else
		c->calls = k->next;
	if (k->next)
		k->next->prev = k->prev;
	c->ncalls--;
}

/* The call is over (completed or cancelled): free it, settle its unit. */
static void call_end(mcp_call *k)
{
	mcp_core *c = k->core;
	mcp_unit *u = k->unit;
	call_unlink(c, k);
	free(k);
	u->pending--;
	unit_maybe_finish(c, u);
}

static void call_cancel(mcp_core *c, mcp_call *k)
{
	if (k->ending)
		return;
	k->ending = true;
	if (c->o.executor.cancel)
		c->o.executor.cancel(c->o.executor.ud, k);
	call_end(k);
}

/* Canonical form of an id token: unescaped string bytes, or integer text. */
static int id_key(const json_doc *d, int id, arena *a, str *key, bool *is_str)
{
	*is_str = json_typeof(d, id) == JSON_STRING;
	if (*is_str)
		return json_str(d, id, a, key);
	*key = json_raw(d, id);
	return 0;
}

static mcp_call *call_new(mcp_core *c, mcp_unit *u, const mcp_tool *t, str id, str key, bool key_str, str ptok)
{
	mcp_call *k = calloc(1, sizeof *k + id.n + key.n + ptok.n + 1);
	if (!k)
		return NULL;
	char *p = (char *)(k + 1);
	memcpy(p, id.p, id.n);
	k->id = str_make(p, id.n);
	p += id.n;
	if (key.n)
		memcpy(p, key.p, key.n);
	k->key = str_make(p, key.n);
	p += key.n;
	if (ptok.n)
		memcpy(p, ptok.p, ptok.n);
	k->ptok = str_make(ptok.n ? p : NULL, ptok.n);
	k->key_str = key_str;
	k->core = c;
	k->unit = u;
	k->tool = t;
	k->next = c->calls;
	if (c->calls)
		c->calls->prev = k;
	c->calls = k;
	c->ncalls++;
	u->pending++;
	return k;
}

const mcp_tool *mcp_call_tool(const mcp_call *k) { return k ? k->tool : NULL; }
void *mcp_call_origin(const mcp_call *k) { return k ? k->unit->origin : NULL; }
mcp_version mcp_call_version(const mcp_call *k) { return k ? cur_version(k->core) : MCP_V_NONE; }
str mcp_call_id(const mcp_call *k) { return k ? k->id : STR_NULL; }
bool mcp_call_wants_progress(const mcp_call *k) { return k && k->ptok.n; }
void mcp_call_set_handle(mcp_call *k, void *h) { if (k) k->handle = h; }
void *mcp_call_handle(const mcp_call *k) { return k ? k->handle : NULL; }

/* Write {"content":[{"type":"text","text":<text>}],["structuredContent":<v>,]"isError":false}. */
static int write_tool_result(mcp_core *c, json_writer *w, const char *text, size_t n,
			     const json_doc *sd, int stok)
{
	json_write_obj_begin(w);
	json_write_key(w, "content");
	json_write_arr_begin(w);
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "text");
	json_write_kv_strn(w, "text", text, n);
	json_write_obj_end(w);
	json_write_arr_end(w);
	if (sd) {
		json_write_key(w, "structuredContent");
		int rc = mcp_json_copy(w, sd, stok, &c->scratch);
		if (rc)
			return rc;
	}
	json_write_kv_bool(w, "isError", false);
	return json_write_obj_end(w);
}

void mcp_call_result_json(mcp_call *k, const char *json, size_t n)
{
	if (!k || k->ending)
		return;
	k->ending = true;
	mcp_core *c = k->core;
	json_doc doc;
	json_opts jo = { .max_depth = JSON_DEPTH_MAX - 8, .max_tokens = 0 };
	bool parsed = json && json_parse_arena(&doc, &c->scratch, json, n, &jo, NULL) > 0;
	const char *text = json ? json : "";
	size_t tn = json ? n : 0;
	int rc = 0;
	if (parsed) {
		json_writer pw;
		buf_reset(&c->text);
		c->text.cap = c->o.max_output_bytes;
		json_write_init(&pw, &c->text, JSON_W_PRETTY);
		pw.max_depth = JSON_DEPTH_MAX;
		rc = mcp_json_copy(&pw, &doc, 0, &c->scratch);
		if (rc == 0)
			rc = json_write_finish(&pw);
		text = c->text.data ? c->text.data : "";
		tn = c->text.len;
	}
	json_writer w;
	begin_msg(c, &w, k->id, "result");
	if (rc == 0) {
		bool structured = parsed && cur_version(c) >= MCP_V_2025_06_18 &&
				  json_typeof(&doc, 0) == JSON_OBJECT;
		rc = write_tool_result(c, &w, text, tn, structured ? &doc : NULL, 0);
	}
	emit_result(c, k->unit, k->id, &w, rc);
	trim_buf(&c->text);
	trim_arena(&c->scratch);
	call_end(k);
}

void mcp_call_result_bytes(mcp_call *k, const void *p, size_t n)
{
	if (!k || k->ending)
		return;
	k->ending = true;
	mcp_core *c = k->core;
	const char *what = k->tool->result == MCP_RESULT_AUDIO ? "Audio generated" :
			   k->tool->result == MCP_RESULT_FILE ? "File content" : "Result";
	buf_reset(&c->text);
	c->text.cap = c->o.max_output_bytes;
	int rc = buf_printf(&c->text, "%s (%zu bytes). Base64: ", what, n);
	if (rc == 0)
		rc = b64_encode_buf(&c->text, n ? p : "", n, B64_STD);
	json_writer w;
	begin_msg(c, &w, k->id, "result");
	if (rc == 0)
		rc = write_tool_result(c, &w, c->text.data, c->text.len, NULL, 0);
	emit_result(c, k->unit, k->id, &w, rc);
	trim_buf(&c->text);
	call_end(k);
}

void mcp_call_error(mcp_call *k, int code, const char *msg)
{
	if (!k || k->ending)
		return;
	k->ending = true;
	emit_error(k->core, k->unit, k->id, code, "%s", msg && *msg ? msg : "internal error");
	call_end(k);
}

int mcp_call_progress(mcp_call *k, double progress, double total, const char *message)
{
	if (!k || k->ending)
		return ERR_STATE;
	if (!k->ptok.n)
		return ERR_NOTFOUND;
	if (!isfinite(progress) || (k->have_last && !(progress > k->last)))
		return ERR_RANGE;
	mcp_core *c = k->core;
	k->last = progress;
	k->have_last = true;
	if (k->unit->cancelled)
		return 0;
	json_writer w;
	buf_reset(&c->msg);
	c->msg.cap = c->o.max_output_bytes;
	json_write_init(&w, &c->msg, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "jsonrpc", "2.0");
	json_write_kv_str(&w, "method", "notifications/progress");
	json_write_key(&w, "params");
	json_write_obj_begin(&w);
	json_write_kv_raw(&w, "progressToken", k->ptok.p, k->ptok.n);
	json_write_kv_double(&w, "progress", progress);
	if (isfinite(total) && total >= 0)
		json_write_kv_double(&w, "total", total);
	if (message && cur_version(c) >= MCP_V_2025_03_26)
		json_write_kv_str(&w, "message", message);
	json_write_obj_end(&w);
	json_write_obj_end(&w);
	int rc = json_write_finish(&w);
	if (rc == 0)
		c->o.transport.send(c->o.transport.ud, k->unit->origin, c->msg.data, c->msg.len);
	trim_buf(&c->msg);
	return rc;
}

/* ---- methods -------------------------------------------------------------------- */

static void do_initialize(mcp_core *c, mcp_unit *u, const json_doc *d, str id, int params)
{
	int pv = params >= 0 ? json_get(d, params, "protocolVersion") : -1;
	str want;
	if (json_typeof(d, params) != JSON_OBJECT || json_typeof(d, pv) != JSON_STRING ||
	    json_str(d, pv, &c->in, &want) != 0) {
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "invalid params: initialize requires a string protocolVersion");
		return;
	}
	mcp_version v = mcp_version_parse(want);
	if (v == MCP_V_NONE)
		v = MCP_V_LATEST;
	json_writer w;
	begin_msg(c, &w, id, "result");
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "protocolVersion", mcp_version_str(v));
	json_write_key(&w, "capabilities");
	json_write_obj_begin(&w);
	json_write_key(&w, "tools");
	json_write_obj_begin(&w);
	json_write_kv_bool(&w, "listChanged", false);
	json_write_obj_end(&w);
	if (!c->o.no_extras) {
		json_write_key(&w, "prompts");
		json_write_obj_begin(&w);
		json_write_kv_bool(&w, "listChanged", false);
		json_write_obj_end(&w);
		json_write_key(&w, "resources");
		json_write_obj_begin(&w);
		json_write_kv_bool(&w, "subscribe", false);
		json_write_kv_bool(&w, "listChanged", false);
		json_write_obj_end(&w);
		if (v >= MCP_V_2025_03_26) {
			json_write_key(&w, "completions");
			json_write_obj_begin(&w);
			json_write_obj_end(&w);
		}
	}
	json_write_obj_end(&w);
	json_write_key(&w, "serverInfo");
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "name", "liter-llm");
	json_write_kv_str(&w, "version", c->o.server_version);
	json_write_obj_end(&w);
	json_write_kv_str(&w, "instructions", c->instructions);
	int rc = json_write_obj_end(&w);
	if (rc == 0) {
		c->ver = v;
		if (!c->o.stateless)
			c->state = MCP_STATE_INITIALIZING;
	}
	emit_result(c, u, id, &w, rc);
}

static void do_ping(mcp_core *c, mcp_unit *u, str id)
{
	json_writer w;
	begin_msg(c, &w, id, "result");
	json_write_obj_begin(&w);
	emit_result(c, u, id, &w, json_write_obj_end(&w));
}

static void do_tools_list(mcp_core *c, mcp_unit *u, const json_doc *d, str id, int params)
{
	int cur = params >= 0 ? json_get(d, params, "cursor") : -1;
	if (cur >= 0 && !json_is_null(d, cur)) {
		/* one page, so no cursor was ever handed out */
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "invalid params: invalid cursor");
		return;
	}
	json_writer w;
	begin_msg(c, &w, id, "result");
	emit_result(c, u, id, &w, mcp_tools_write_list(&w, cur_version(c)));
}

static void do_tools_call(mcp_core *c, mcp_unit *u, const json_doc *d, str id, int idtok, int params)
{
	char m[MCP_MSG_MAX];
	int nm = json_get(d, params, "name");
	str name;
	if (json_typeof(d, nm) != JSON_STRING || json_str(d, nm, &c->in, &name) != 0) {
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "invalid params: tools/call requires a string name");
		return;
	}
	const mcp_tool *t = mcp_tool_find(name);
	if (!t) {
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "tool not found");
		return;
	}
	/* absent or null arguments = {} */
	static const char empty[] = "{}";
	json_tok etok[1];
	json_doc edoc;
	const json_doc *ad = d;
	int args = json_get(d, params, "arguments");
	if (args < 0 || json_is_null(d, args)) {
		json_parse(&edoc, empty, 2, etok, 1, NULL, NULL);
		ad = &edoc;
		args = 0;
	} else if (json_typeof(d, args) != JSON_OBJECT) {
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS,
			   "failed to deserialize parameters: invalid type: %s, expected a map",
			   json_type_name(json_typeof(d, args)));
		return;
	}
	if (mcp_tool_check_args(t, ad, args, m, sizeof m) != 0) {
		emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "%s", m);
		return;
	}
	str ptok = STR_NULL;
	int meta = json_get(d, params, "_meta");
	int pt = meta >= 0 ? json_get(d, meta, "progressToken") : -1;
	if (json_typeof(d, pt) == JSON_STRING ||
	    (json_typeof(d, pt) == JSON_NUMBER && (d->tok[pt].flags & JSON_F_INT)))
		ptok = json_raw(d, pt);
	if (c->ncalls >= c->o.max_inflight) {
		emit_error(c, u, id, MCP_ERR_INTERNAL, "too many tool calls in flight (limit %u)", c->o.max_inflight);
		return;
	}
	if (!c->o.executor.call) {
		emit_error(c, u, id, MCP_ERR_INTERNAL, "no tool executor configured");
		return;
	}
	str key;
	bool key_str;
	mcp_call *k = NULL;
	if (id_key(d, idtok, &c->in, &key, &key_str) == 0)
		k = call_new(c, u, t, id, key, key_str, ptok);
	if (!k) {
		emit_error(c, u, id, MCP_ERR_INTERNAL, "out of memory");
		return;
	}
	c->o.executor.call(c->o.executor.ud, k, t, ad, args);
}

static void do_cancelled(mcp_core *c, const json_doc *d, int params)
{
	int rid = params >= 0 ? json_get(d, params, "requestId") : -1;
	json_type t = json_typeof(d, rid);
	if (t != JSON_STRING && !(t == JSON_NUMBER && (d->tok[rid].flags & JSON_F_INT)))
		return;
	str key;
	bool key_str;
	if (id_key(d, rid, &c->in, &key, &key_str) != 0)
		return;
	/* rescan from the head after each cancel: the executor's cancel hook may
	 * complete other calls */
	for (;;) {
		mcp_call *k = c->calls;
		while (k && (k->ending || k->key_str != key_str || !str_eq(k->key, key)))
			k = k->next;
		if (!k)
			return;
		call_cancel(c, k);
	}
}

static void do_notification(mcp_core *c, const json_doc *d, str method, int params)
{
	if (!c->o.stateless && c->state == MCP_STATE_NEW)
		return;   /* nothing to act on before initialize */
	if (str_eq_cstr(method, "notifications/initialized")) {
		if (c->state == MCP_STATE_INITIALIZING)
			c->state = MCP_STATE_READY;
	} else if (str_eq_cstr(method, "notifications/cancelled")) {
		do_cancelled(c, d, params);
	}
	/* every other notification is ignored, as notifications never get answers */
}

/* An extras method: run the builder, answer result or error. */
typedef enum { X_PROMPTS_LIST, X_PROMPTS_GET, X_RES_LIST, X_RES_TEMPLATES, X_RES_READ, X_COMPLETE } extra_id;

static void do_extra(mcp_core *c, mcp_unit *u, const json_doc *d, str id, int params, extra_id x)
{
	char m[MCP_MSG_MAX] = "";
	json_writer w;
	begin_msg(c, &w, id, "result");
	int code = 0;
	switch (x) {
	case X_PROMPTS_LIST: code = mcp_prompts_list(&w); break;
	case X_PROMPTS_GET: code = mcp_prompts_get(&w, d, params, m, sizeof m); break;
	case X_RES_LIST: code = mcp_resources_list(&w); break;
	case X_RES_TEMPLATES: code = mcp_resources_templates(&w); break;
	case X_RES_READ:
		code = mcp_resources_read(&w, d, params, &c->o.catalog, &c->scratch, c->o.max_output_bytes, m, sizeof m);
		break;
	case X_COMPLETE: code = mcp_completion(&w, d, params, &c->o.catalog, m, sizeof m); break;
	}
	trim_arena(&c->scratch);
	/* builders return a JSON-RPC code (<= -32000) with a message, or a
	 * writer error (err_t); a full output buffer is reported as such */
	if (code <= -32000 && w.err != ERR_TOOBIG) {
		emit_error(c, u, id, code, "%s", m[0] ? m : "internal error");
		return;
	}
	emit_result(c, u, id, &w, code <= -32000 ? w.err : code);
}

static void do_request(mcp_core *c, mcp_unit *u, const json_doc *d, int idtok, str method, int params, bool in_batch)
{
	str id = json_raw(d, idtok);
	bool want_obj = params >= 0 && json_typeof(d, params) != JSON_OBJECT;
	if (!c->o.stateless && c->state == MCP_STATE_NEW) {
		if (str_eq_cstr(method, "ping"))
			do_ping(c, u, id);
		else if (str_eq_cstr(method, "initialize") && !in_batch)
			do_initialize(c, u, d, id, params);
		else
			emit_error(c, u, id, MCP_ERR_INVALID_REQUEST, "server not initialized");
		return;
	}
	if (str_eq_cstr(method, "ping")) {
		do_ping(c, u, id);
		return;
	}
	if (str_eq_cstr(method, "initialize")) {
		if (in_batch)
			emit_error(c, u, id, MCP_ERR_INVALID_REQUEST, "invalid request: initialize must not be part of a batch");
		else if (c->o.stateless)
			do_initialize(c, u, d, id, params);
		else
			emit_error(c, u, id, MCP_ERR_INVALID_REQUEST, "invalid request: server already initialized");
		return;
	}
	static const struct { const char *name; int x; bool extra; } methods[] = {
		{ "tools/list", -1, false },
		{ "tools/call", -2, false },
		{ "prompts/list", X_PROMPTS_LIST, true },
		{ "prompts/get", X_PROMPTS_GET, true },
		{ "resources/list", X_RES_LIST, true },
		{ "resources/templates/list", X_RES_TEMPLATES, true },
		{ "resources/read", X_RES_READ, true },
		{ "completion/complete", X_COMPLETE, true },
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (!str_eq_cstr(method, methods[i].name))
			continue;
		if (methods[i].extra && c->o.no_extras)
			break;
		if (want_obj) {
			emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "invalid params: params must be an object");
			return;
		}
		if (methods[i].x == -1)
			do_tools_list(c, u, d, id, params);
		else if (methods[i].x == -2) {
			if (params < 0)
				emit_error(c, u, id, MCP_ERR_INVALID_PARAMS, "invalid params: tools/call requires params");
			else
				do_tools_call(c, u, d, id, idtok, params);
		} else
			do_extra(c, u, d, id, params, (extra_id)methods[i].x);
		return;
	}
	emit_error(c, u, id, MCP_ERR_METHOD_NOT_FOUND, "method not found: %.*s",
		   (int)(method.n > 128 ? 128 : method.n), method.p);
}

static bool is_int_or_str(const json_doc *d, int i)
{
	json_type t = json_typeof(d, i);
	return t == JSON_STRING || (t == JSON_NUMBER && (d->tok[i].flags & JSON_F_INT));
}

/* One JSON-RPC message (an element of a batch or the whole input). */
static void handle_one(mcp_core *c, mcp_unit *u, const json_doc *d, int obj, bool in_batch)
{
	if (json_typeof(d, obj) != JSON_OBJECT) {
		emit_error(c, u, STR_NULL, MCP_ERR_INVALID_REQUEST, "invalid request: expected a JSON-RPC message object");
		return;
	}
	int jv = json_get(d, obj, "jsonrpc");
	int id = json_get(d, obj, "id");
	int m = json_get(d, obj, "method");
	int p = json_get(d, obj, "params");
	if (m < 0 && (json_get(d, obj, "result") >= 0 || json_get(d, obj, "error") >= 0))
		return;   /* a response from the client: we send no requests, so nothing to match */
	bool id_ok = id >= 0 && is_int_or_str(d, id);
	str eid = id_ok ? json_raw(d, id) : STR_NULL;
	if (jv < 0 || !json_str_eq(d, jv, STR_LIT("2.0"))) {
		emit_error(c, u, eid, MCP_ERR_INVALID_REQUEST, "invalid request: \"jsonrpc\" must be \"2.0\"");
		return;
	}
	if (m < 0) {
		emit_error(c, u, eid, MCP_ERR_INVALID_REQUEST, "invalid request: missing \"method\"");
		return;
	}
	str method;
	if (json_typeof(d, m) != JSON_STRING) {
		emit_error(c, u, eid, MCP_ERR_INVALID_REQUEST, "invalid request: \"method\" must be a string");
		return;
	}
	if (id >= 0 && !id_ok) {
		emit_error(c, u, STR_NULL, MCP_ERR_INVALID_REQUEST,
			   "invalid request: \"id\" must be a string or an integer");
		return;
	}
	if (p >= 0 && json_typeof(d, p) != JSON_OBJECT && json_typeof(d, p) != JSON_ARRAY) {
		emit_error(c, u, eid, MCP_ERR_INVALID_REQUEST, "invalid request: \"params\" must be an object or an array");
		return;
	}
	if (json_str(d, m, &c->in, &method) != 0) {
		emit_error(c, u, eid, MCP_ERR_INTERNAL, "out of memory");
		return;
	}
	if (id < 0)
		do_notification(c, d, method, json_typeof(d, p) == JSON_OBJECT ? p : -1);
	else
		do_request(c, u, d, id, method, p, in_batch);
}

static bool batch_allowed(const mcp_core *c)
{
	if (!c->o.stateless && c->state == MCP_STATE_NEW)
		return false;
	return cur_version(c) == MCP_V_2025_03_26;
}

static void handle_input(mcp_core *c, mcp_unit *u, const char *msg, size_t n)
{
	str sid = STR_NULL;
	if (n > c->o.max_message_bytes) {
		sniff_id(msg, n > 4096 ? 4096 : n, &sid);
		emit_error(c, u, sid, MCP_ERR_INVALID_REQUEST, "invalid request: message too large (%zu bytes; limit %zu)",
			   n, c->o.max_message_bytes);
		return;
	}
	json_doc d;
	json_err je = { 0 };
	json_opts jo = { .max_depth = c->o.max_depth, .max_tokens = c->o.max_tokens };
	int rc = json_parse_arena(&d, &c->in, msg, n, &jo, &je);
	if (rc < 0) {
		switch (rc) {
		case ERR_INVAL:
		case ERR_UTF8:
			emit_error(c, u, STR_NULL, MCP_ERR_PARSE, "parse error: %s%s",
				   rc == ERR_UTF8 ? "invalid UTF-8: " : "", je.msg);
			break;
		case ERR_DEPTH:
			sniff_id(msg, n, &sid);
			emit_error(c, u, sid, MCP_ERR_INVALID_REQUEST, "invalid request: %s", je.msg);
			break;
		case ERR_TOOBIG:
			sniff_id(msg, n, &sid);
			emit_error(c, u, sid, MCP_ERR_INVALID_REQUEST, "invalid request: message too complex: %s", je.msg);
			break;
		default:
			emit_error(c, u, STR_NULL, MCP_ERR_INTERNAL, "internal error: %s", err_str(rc));
			break;
		}
		return;
	}
	if (json_typeof(&d, 0) != JSON_ARRAY) {
		handle_one(c, u, &d, 0, false);
		return;
	}
	if (json_size(&d, 0) == 0) {
		emit_error(c, u, STR_NULL, MCP_ERR_INVALID_REQUEST, "invalid request: empty batch");
		return;
	}
	if (!batch_allowed(c)) {
		if (!c->o.stateless && c->state == MCP_STATE_NEW)
			emit_error(c, u, STR_NULL, MCP_ERR_INVALID_REQUEST, "invalid request: batch before initialize");
		else
			emit_error(c, u, STR_NULL, MCP_ERR_INVALID_REQUEST,
				   "invalid request: JSON-RPC batches are not supported in protocol version %s",
				   mcp_version_str(cur_version(c)));
		return;
	}
	u->batch = true;
	json_iter it = json_iter_begin(&d, 0);
	int e;
	while (json_iter_next(&d, &it, NULL, &e))
		handle_one(c, u, &d, e, true);
}

static mcp_unit *unit_new(mcp_core *c, void *origin)
{
	mcp_unit *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->origin = origin;
	u->processing = true;
	u->out.cap = c->o.max_output_bytes;
	return u;
}

static int no_unit(mcp_core *c, void *origin)
{
	c->o.transport.send(c->o.transport.ud, origin, oom_msg, sizeof oom_msg - 1);
	if (c->o.transport.done)
		c->o.transport.done(c->o.transport.ud, origin);
	return ERR_NOMEM;
}

int mcp_core_recv(mcp_core *c, const char *msg, size_t n, void *origin)
{
	if (!c)
		return ERR_INVAL;
	mcp_unit *u = unit_new(c, origin);
	if (!u)
		return no_unit(c, origin);
	c->depth++;
	handle_input(c, u, msg ? msg : "", msg ? n : 0);
	if (--c->depth == 0)
		trim_arena(&c->in);
	u->processing = false;
	unit_maybe_finish(c, u);
	return 0;
}

void mcp_core_recv_oversize(mcp_core *c, const char *head, size_t head_n, size_t total, void *origin)
{
	if (!c)
		return;
	mcp_unit *u = unit_new(c, origin);
	if (!u) {
		no_unit(c, origin);
		return;
	}
	str sid = STR_NULL;
	if (head && head_n)
		sniff_id(head, head_n, &sid);
	emit_error(c, u, sid, MCP_ERR_INVALID_REQUEST, "invalid request: message too large (%zu bytes; limit %zu)",
		   total, c->o.max_message_bytes);
	u->processing = false;
	unit_maybe_finish(c, u);
}

void mcp_core_cancel_origin(mcp_core *c, void *origin)
{
	if (!c)
		return;
	for (;;) {
		mcp_call *k = c->calls;
		while (k && (k->ending || k->unit->origin != origin))
			k = k->next;
		if (!k)
			return;
		k->unit->cancelled = true;
		call_cancel(c, k);
	}
}

mcp_state mcp_core_state(const mcp_core *c) { return c ? c->state : MCP_STATE_NEW; }
mcp_version mcp_core_version(const mcp_core *c) { return c ? cur_version(c) : MCP_V_NONE; }
size_t mcp_core_inflight(const mcp_core *c) { return c ? c->ncalls : 0; }

/* ---- life ---------------------------------------------------------------------- */

static char *make_instructions(const mcp_opts *o)
{
	if (o->instructions)
		return strdup(o->instructions);
	buf b = { 0 };
	if (o->provider_count)
		buf_printf(&b, "liter-llm: universal LLM API gateway with %u providers. ", o->provider_count);
	else
		buf_puts(&b, "liter-llm: universal LLM API gateway. ");
	buf_puts(&b, "Use the chat tool for chat completions, embed for embeddings, and the "
		 "file, batch and response tools for management operations.");
	if (!o->no_extras)
		buf_puts(&b, " Prompt templates (summarize, translate, extract) and catalog resources "
			 "(liter-llm://models, liter-llm://providers, liter-llm://pricing/{model}, "
			 "liter-llm://provider/{name}) are also available.");
	return buf_steal(&b, NULL);
}

int mcp_core_new(mcp_core **out, const mcp_opts *o)
{
	*out = NULL;
	if (!o || !o->transport.send)
		return ERR_INVAL;
	mcp_core *c = calloc(1, sizeof *c);
	if (!c)
		return ERR_NOMEM;
	c->o = *o;
	if (!c->o.server_version)
		c->o.server_version = "0.0.0";
	if (!c->o.max_message_bytes)
		c->o.max_message_bytes = LIMIT_MCP_MESSAGE_BYTES;
	if (!c->o.max_output_bytes)
		c->o.max_output_bytes = MCP_MAX_OUTPUT_DEFAULT;
	if (c->o.max_output_bytes < 4096)
		c->o.max_output_bytes = 4096;   /* room for any error answer */
	if (!c->o.max_inflight)
		c->o.max_inflight = MCP_MAX_INFLIGHT_DEFAULT;
	if ((unsigned)c->o.stateless_version >= MCP_V__COUNT)
		c->o.stateless_version = MCP_V_NONE;
	if (c->o.stateless)
		c->ver = c->o.stateless_version ? c->o.stateless_version : MCP_V_2025_03_26;
	c->instructions = make_instructions(&c->o);
	if (!c->instructions) {
		free(c);
		return ERR_NOMEM;
	}
	*out = c;
	return 0;
}

void mcp_core_free(mcp_core *c)
{
	if (!c)
		return;
	c->freeing = true;
	for (;;) {
		mcp_call *k = c->calls;
		while (k && k->ending)
			k = k->next;
		if (!k)
			break;
		call_cancel(c, k);
	}
	arena_free(&c->in);
	arena_free(&c->scratch);
	buf_free(&c->msg);
	buf_free(&c->text);
	free(c->instructions);
	free(c);
}

/* ---- classification ----------------------------------------------------------- */

static void classify_one(const json_doc *d, int obj, arena *a, mcp_msg_info *info)
{
	/* the same rules, in the same order, as handle_one() */
	if (json_typeof(d, obj) != JSON_OBJECT) {
		info->invalid++;
		return;
	}
	int jv = json_get(d, obj, "jsonrpc");
	int id = json_get(d, obj, "id");
	int m = json_get(d, obj, "method");
	int p = json_get(d, obj, "params");
	if (m < 0 && (json_get(d, obj, "result") >= 0 || json_get(d, obj, "error") >= 0)) {
		info->responses++;
		return;
	}
	if (jv < 0 || !json_str_eq(d, jv, STR_LIT("2.0")) || json_typeof(d, m) != JSON_STRING ||
	    (id >= 0 && !is_int_or_str(d, id)) ||
	    (p >= 0 && json_typeof(d, p) != JSON_OBJECT && json_typeof(d, p) != JSON_ARRAY)) {
		info->invalid++;
		return;
	}
	if (id < 0) {
		info->notifications++;
		return;
	}
	info->requests++;
	if (json_str_eq(d, m, STR_LIT("initialize"))) {
		info->initialize = true;
		int pv = json_typeof(d, p) == JSON_OBJECT ? json_get(d, p, "protocolVersion") : -1;
		str s;
		if (json_typeof(d, pv) == JSON_STRING && json_str(d, pv, a, &s) == 0)
			info->requested = mcp_version_parse(s);
	}
}

void mcp_classify(const char *msg, size_t n, size_t max_bytes, mcp_msg_info *info)
{
	memset(info, 0, sizeof *info);
	if (!max_bytes)
		max_bytes = LIMIT_MCP_MESSAGE_BYTES;
	if (!msg || n > max_bytes)
		return;
	arena a = { 0 };
	json_doc d;
	if (json_parse_arena(&d, &a, msg, n, NULL, NULL) > 0) {
		info->valid_json = true;
		if (json_typeof(&d, 0) == JSON_ARRAY) {
			info->batch = true;
			json_iter it = json_iter_begin(&d, 0);
			int e;
			while (json_iter_next(&d, &it, NULL, &e))
				classify_one(&d, e, &a, info);
		} else {
			classify_one(&d, 0, &a, info);
		}
	}
	arena_free(&a);
}
