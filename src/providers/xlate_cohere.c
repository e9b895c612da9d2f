/* xlate_cohere.c — OpenAI chat <-> Cohere v2 Chat API: request body,
 * response body, error body, and the stream state machine. Pure; the rules
 * are listed in xlate_cohere.h.
 *
 * The writers below rely on json_writer's sticky error: a run of writes is
 * issued unchecked and the first failure (cap, memory) is read back once,
 * from json_write_finish() or w->err. Validation errors (ERR_INVAL with err
 * filled) return at once. */
#include "providers/xlate_cohere.h"
#include "base/err.h"
#include <string.h>

typedef struct rq {
	const xlate_ctx *cx;
	const json_doc *d;
	arena *a;
	json_writer *w;
	xlate_err *err;
	unsigned flags;
	int extra;      /* extra_body object, or -1 */
} rq;

/* ---- small helpers (the shared ones are in xlate.h) ---------------------------- */

static bool is_text_part(const json_doc *d, int p, const void *ud)
{
	(void)ud;
	return xlate_str_is(d, p, "type", "text");
}

static bool block_of_type(const json_doc *d, int b, const void *type)
{
	return xlate_str_is(d, b, "type", type);
}

/* ---- request: messages ---------------------------------------------------------- */

static void w_text_part(json_writer *w, const json_doc *d, int t)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "text");
	xlate_w_kraw(w, "text", d, t);
	json_write_obj_end(w);
}

/* Count (write = false) or write the non-empty text parts of array c. */
static size_t system_parts(rq *r, int c, bool write)
{
	const json_doc *d = r->d;
	size_t n = 0;
	int p;
	json_iter it = json_iter_begin(d, xlate_arr(d, c));
	while (json_iter_next(d, &it, NULL, &p)) {
		int t = xlate_get(d, p, "text");
		if (!xlate_nonempty_str(d, t))
			continue;
		if (write)
			w_text_part(r->w, d, t);
		n++;
	}
	return n;
}

static void w_system(rq *r, int m)
{
	json_writer *w = r->w;
	int c = xlate_get(r->d, m, "content");
	bool s = xlate_nonempty_str(r->d, c);
	if (!s && !system_parts(r, c, false))
		return; /* nothing to say */
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "system");
	json_write_key(w, "content");
	if (s) {
		xlate_w_raw(w, r->d, c);
	} else {
		json_write_arr_begin(w);
		system_parts(r, c, true);
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
}

/* The URL token of an image_url part (object form, or the bare string some
 * clients send), or -1; *detail gets the detail token or -1. */
static int image_url_of(const json_doc *d, int p, int *detail)
{
	int iu = xlate_get(d, p, "image_url"), url = iu;
	*detail = -1;
	if (!xlate_str_is(d, p, "type", "image_url"))
		return -1;
	if (!xlate_is_str(d, url)) {
		url = xlate_get(d, iu, "url");
		*detail = xlate_get(d, iu, "detail");
	}
	return xlate_is_str(d, url) ? url : -1;
}

/* One user content part (write = false: only say whether it would be
 * written); returns 1 written, 0 dropped. */
static int w_user_part(rq *r, int p, bool write)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int detail, url = image_url_of(d, p, &detail), v;
	if (xlate_str_is(d, p, "type", "image_url")) {
		if (url < 0 || !write)
			return url >= 0;
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "image_url");
		json_write_key(w, "image_url");
		json_write_obj_begin(w);
		xlate_w_kraw(w, "url", d, url);
		if (xlate_is_str(d, detail))
			xlate_w_kraw(w, "detail", d, detail);
		json_write_obj_end(w);
		json_write_obj_end(w);
		return 1;
	}
	v = xlate_get(d, p, "text"); /* text, and any other part that carries text */
	if (!xlate_nonempty_str(d, v))
		return 0;
	if (write)
		w_text_part(w, d, v);
	return 1;
}

static void w_user(rq *r, int m)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int c = xlate_get(d, m, "content"), p;
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "user");
	json_write_key(w, "content");
	int n = 0;
	json_iter it = json_iter_begin(d, xlate_arr(d, c));
	while (json_iter_next(d, &it, NULL, &p))
		n += w_user_part(r, p, false);
	if (xlate_is_str(d, c)) {
		xlate_w_raw(w, d, c);
	} else if (!n) {
		json_write_str(w, "");
	} else {
		json_write_arr_begin(w);
		it = json_iter_begin(d, c);
		while (json_iter_next(d, &it, NULL, &p))
			w_user_part(r, p, true);
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
}

/* "arguments" of an assistant tool call: the client's string when it holds
 * a JSON object, else "{}" (or BAD_REQUEST with XLATE_F_STRICT_ARGS). */
static int w_call_args(rq *r, int args, size_t mi, size_t ti)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const char *why;
	json_doc ad;
	json_err je;
	str s;
	int rc;

	json_write_key(w, "arguments");
	if (json_typeof(d, args) == JSON_OBJECT) { /* not OpenAI's shape, but unambiguous */
		xlate_w_args(w, d, args, r->a, w->out->cap);
		return 0;
	}
	if (args < 0)
		goto empty;
	if (!xlate_is_str(d, args)) {
		why = json_type_name(json_typeof(d, args));
	} else {
		if (json_str(d, args, r->a, &s))
			return ERR_NOMEM;
		if (!str_trim(s).n)
			goto empty;
		rc = json_parse_arena(&ad, r->a, s.p, s.n, NULL, &je);
		if (rc == ERR_NOMEM)
			return rc;
		if (rc > 0 && json_typeof(&ad, 0) == JSON_OBJECT) {
			xlate_w_raw(w, d, args);
			return 0;
		}
		why = rc > 0 ? json_type_name(json_typeof(&ad, 0)) : je.msg;
	}
	if (r->flags & XLATE_F_STRICT_ARGS) {
		xlate_err_set(r->err, XLATE_E_BAD_REQUEST,
			      "messages[%zu].tool_calls[%zu].function.arguments is not a JSON object: %s", mi, ti, why);
		return ERR_INVAL;
	}
empty:
	json_write_str(w, "{}");
	return 0;
}

static int w_assistant(rq *r, int m, size_t mi)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int c = xlate_get(d, m, "content"), calls = xlate_arr(d, xlate_get(d, m, "tool_calls"));
	int tc, rc = 0;
	size_t ti = 0;
	str text = STR_NULL;

	if (xlate_nonempty_str(d, c)) {
		text = json_raw(d, c);
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		text = xlate_join_strs(d, c, "text", is_text_part, NULL, r->a, &rc);
		if (rc)
			return rc;
	}
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "assistant");
	if (text.n)
		json_write_kv_raw(w, "content", text.p, text.n);
	else if (json_size(d, calls) == 0)
		json_write_kv_str(w, "content", "");
	if (json_size(d, calls) > 0) {
		json_write_key(w, "tool_calls");
		json_write_arr_begin(w);
		json_iter it = json_iter_begin(d, calls);
		while (json_iter_next(d, &it, NULL, &tc)) {
			int fn = xlate_get(d, tc, "function");
			json_write_obj_begin(w);
			xlate_w_kstr_tok(w, "id", d, xlate_get(d, tc, "id"));
			json_write_kv_str(w, "type", "function");
			json_write_key(w, "function");
			json_write_obj_begin(w);
			xlate_w_kstr_tok(w, "name", d, xlate_get(d, fn, "name"));
			if ((rc = w_call_args(r, xlate_get(d, fn, "arguments"), mi, ti)))
				return rc;
			json_write_obj_end(w);
			json_write_obj_end(w);
			ti++;
		}
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
	return 0;
}

/* tool (and legacy function) message -> {"role":"tool","tool_call_id","content"}. */
static int w_tool(rq *r, int m, bool legacy)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int c = xlate_get(d, m, "content"), rc = 0;
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "tool");
	xlate_w_kstr_tok(w, "tool_call_id", d, xlate_get(d, m, legacy ? "name" : "tool_call_id"));
	json_write_key(w, "content");
	if (c < 0) {
		json_write_str(w, "");
	} else if (xlate_is_str(d, c)) {
		xlate_w_raw(w, d, c);
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		str s = xlate_join_strs(d, c, "text", NULL, NULL, r->a, &rc);
		if (rc)
			return rc;
		if (s.n)
			json_write_raw(w, s.p, s.n);
		else
			json_write_str(w, "");
	} else {
		str raw = json_raw(d, c);
		json_write_strn(w, raw.p, raw.n);
	}
	json_write_obj_end(w);
	return 0;
}

static int w_messages(rq *r, int msgs)
{
	const json_doc *d = r->d;
	int m, rc = 0;
	size_t mi = 0;
	json_iter it = json_iter_begin(d, msgs);
	json_write_key(r->w, "messages");
	json_write_arr_begin(r->w);
	while (!rc && json_iter_next(d, &it, NULL, &m)) {
		switch (xlate_role_of(d, m)) {
		case XLATE_ROLE_SYSTEM: w_system(r, m); break;
		case XLATE_ROLE_USER: w_user(r, m); break;
		case XLATE_ROLE_ASSISTANT: rc = w_assistant(r, m, mi); break;
		case XLATE_ROLE_TOOL: rc = w_tool(r, m, false); break;
		default: rc = w_tool(r, m, true); break;
		}
		mi++;
	}
	json_write_arr_end(r->w);
	return rc;
}

/* ---- request: parameters and tools -------------------------------------------- */

/* Is tool t one to send (a function tool, named `only` when only >= 0)? */
static bool tool_kept(const json_doc *d, int t, int only, arena *a)
{
	str name;
	if (!xlate_is_function_tool(d, t))
		return false;
	if (only < 0)
		return true;
	return xlate_get_str(d, xlate_get(d, t, "function"), "name", a, &name) && json_str_eq(d, only, name);
}

/* "tools" (when any is kept); returns how many were written. */
static size_t w_tools(rq *r, int tools, int only)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	size_t n = 0;
	int t;
	json_iter it = json_iter_begin(d, tools);
	while (json_iter_next(d, &it, NULL, &t))
		n += tool_kept(d, t, only, r->a);
	if (!n)
		return 0;
	json_write_key(w, "tools");
	json_write_arr_begin(w);
	it = json_iter_begin(d, tools);
	while (json_iter_next(d, &it, NULL, &t)) {
		if (!tool_kept(d, t, only, r->a))
			continue;
		int fn = xlate_get(d, t, "function"), v;
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "function");
		json_write_key(w, "function");
		json_write_obj_begin(w);
		xlate_w_kstr_tok(w, "name", d, xlate_get(d, fn, "name"));
		if (xlate_is_str(d, (v = xlate_get(d, fn, "description"))))
			xlate_w_kraw(w, "description", d, v);
		if (json_typeof(d, (v = xlate_get(d, fn, "parameters"))) == JSON_OBJECT)
			xlate_w_kraw(w, "parameters", d, v);
		json_write_obj_end(w);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	return n;
}

static bool extra_has(const rq *r, const char *key)
{
	return r->extra >= 0 && json_get(r->d, r->extra, key) >= 0;
}

/* Number token v written as member `to`, unless extra_body names `to`. */
static void w_num(rq *r, const char *to, int v)
{
	if (xlate_is_num(r->d, v) && !extra_has(r, to))
		xlate_w_kraw(r->w, to, r->d, v);
}

static void w_stop(rq *r, int v)
{
	const json_doc *d = r->d;
	if (extra_has(r, "stop_sequences") || (!xlate_is_str(d, v) && json_typeof(d, v) != JSON_ARRAY))
		return;
	json_write_key(r->w, "stop_sequences");
	xlate_w_strings(r->w, d, v);
}

static void w_response_format(rq *r, int rf)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	bool jo = xlate_str_is(d, rf, "type", "json_object"), js = xlate_str_is(d, rf, "type", "json_schema");
	if ((!jo && !js) || extra_has(r, "response_format"))
		return;
	int schema = js ? xlate_get(d, xlate_get(d, rf, "json_schema"), "schema") : -1;
	json_write_key(w, "response_format");
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "json_object");
	if (json_typeof(d, schema) == JSON_OBJECT)
		xlate_w_kraw(w, "json_schema", d, schema);
	json_write_obj_end(w);
}

static int validate(rq *r, int msgs)
{
	const json_doc *d = r->d;
	int tp = xlate_get(d, 0, "top_p"), rc;
	double p;
	if ((rc = xlate_check_messages(d, msgs, r->a, r->err)))
		return rc;
	if (xlate_is_num(d, tp) && (json_double(d, tp, &p) != 0 || !(p >= 0.01 && p <= 0.99))) {
		str raw = json_raw(d, tp);
		xlate_err_set(r->err, XLATE_E_BAD_REQUEST, "top_p must be between 0.01 and 0.99 for Cohere, got %.*s",
			      (int)(raw.n > 32 ? 32 : raw.n), raw.p);
		return ERR_INVAL;
	}
	return 0;
}

static int request_body(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const int root = 0;
	int rc, k, v;
	int msgs = xlate_get(d, root, "messages");

	if ((rc = validate(r, msgs)))
		return rc;
	json_write_obj_begin(w);
	if (!extra_has(r, "model")) {
		if (r->cx->model.n)
			xlate_w_kstr(w, "model", r->cx->model);
		else if (xlate_is_str(d, (v = xlate_get(d, root, "model"))))
			xlate_w_kraw(w, "model", d, v);
	}
	if (!extra_has(r, "messages") && (rc = w_messages(r, msgs)))
		return rc;
	json_write_kv_bool(w, "stream", r->cx->stream);

	v = xlate_get(d, root, "max_completion_tokens");
	if (!xlate_is_num(d, v))
		v = xlate_get(d, root, "max_tokens");
	if (xlate_is_num(d, v))
		w_num(r, "max_tokens", v);
	else if (r->cx->max_tokens && !extra_has(r, "max_tokens"))
		json_write_kv_u64(w, "max_tokens", r->cx->max_tokens);
	w_num(r, "temperature", xlate_get(d, root, "temperature"));
	w_num(r, "p", xlate_get(d, root, "top_p"));
	w_num(r, "k", xlate_get(d, root, "top_k"));
	w_stop(r, xlate_get(d, root, "stop"));
	w_num(r, "seed", xlate_get(d, root, "seed"));
	w_num(r, "frequency_penalty", xlate_get(d, root, "frequency_penalty"));
	w_num(r, "presence_penalty", xlate_get(d, root, "presence_penalty"));
	if (json_typeof(d, xlate_get(d, root, "logprobs")) == JSON_TRUE && !extra_has(r, "logprobs"))
		json_write_kv_bool(w, "logprobs", true);
	w_response_format(r, xlate_get(d, root, "response_format"));

	int tc = xlate_get(d, root, "tool_choice");
	int only = json_typeof(d, tc) == JSON_OBJECT ? json_path(d, tc, "function.name") : -1;
	if (!xlate_is_str(d, only))
		only = -1;
	size_t ntools = 0;
	if (!extra_has(r, "tools"))
		ntools = w_tools(r, xlate_arr(d, xlate_get(d, root, "tools")), only);
	if (ntools && !extra_has(r, "tool_choice")) {
		if (xlate_tok_is(d, tc, "required") || only >= 0)
			json_write_kv_str(w, "tool_choice", "REQUIRED");
		else if (xlate_tok_is(d, tc, "none"))
			json_write_kv_str(w, "tool_choice", "NONE");
	}
	/* extra_body, as it is */
	json_iter it = json_iter_begin(d, r->extra);
	while (json_iter_next(d, &it, &k, &v))
		if (!json_str_eq(d, k, STR_LIT("stream")))
			xlate_w_member(w, d, k, v, r->a);
	json_write_obj_end(w);
	return 0;
}

int xlate_cohere_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			 xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc;
	json_writer w;
	rq r = { .cx = cx ? cx : &zero_ctx, .d = &doc, .a = scratch, .w = &w, .err = err,
		 .flags = cx ? cx->flags : 0, .extra = -1 };
	int rc = xlate_parse_request(&doc, in, n, scratch, info, err);

	if (rc)
		return rc;
	xlate_chat_info(&doc, info);
	r.extra = xlate_extra_body(&doc);
	size_t old = out->len;
	xlate_writer(&w, out);
	return xlate_finish(&w, out, old, request_body(&r), "the Cohere request", err);
}

/* ---- errors ------------------------------------------------------------------------ */

/* The error message of a Cohere error body: "message" (a string), "error"
 * (a string) or "error.message"; -1 when there is none. */
static int error_tok(const json_doc *d, int root)
{
	int m = xlate_get(d, root, "message"), e = xlate_get(d, root, "error");
	if (xlate_is_str(d, m))
		return m;
	if (xlate_is_str(d, e))
		return e;
	m = xlate_get(d, e, "message");
	return xlate_is_str(d, m) ? m : -1;
}

static bool error_from(const json_doc *d, int root, arena *a, xlate_kind kind, xlate_err *err)
{
	int m = error_tok(d, root);
	str msg;
	if (m < 0)
		return false;
	if (json_str(d, m, a, &msg) || !msg.n)
		msg = STR_LIT("unknown Cohere error");
	if (err) {
		xlate_err_set(err, kind, "%s", "");
		xlate_strlcpy(err->msg, sizeof err->msg, msg);
	}
	return true;
}

int xlate_cohere_error(const char *in, size_t n, arena *scratch, xlate_err *err)
{
	json_doc d;
	if (json_parse_arena(&d, scratch, in, n, NULL, NULL) < 0 || json_typeof(&d, 0) != JSON_OBJECT)
		return ERR_NOTFOUND;
	return error_from(&d, 0, scratch, XLATE_E_UPSTREAM, err) ? 0 : ERR_NOTFOUND;
}

/* ---- response ---------------------------------------------------------------------- */

/* Cohere finish reasons passed through as they are (the ones with an
 * OpenAI meaning are mapped in map_finish). */
static const char *const finish_other[] = { "ERROR", "TIMEOUT", "ERROR_LIMIT", "USER_CANCEL" };

/* The OpenAI finish_reason of Cohere's fr (a static string), or NULL when
 * fr is a string outside the known set (passed through by the caller). */
static const char *map_finish(const json_doc *d, int fr, bool calls)
{
	if (!xlate_is_str(d, fr))
		return calls ? "tool_calls" : "stop";
	if (xlate_tok_is(d, fr, "COMPLETE") || xlate_tok_is(d, fr, "STOP_SEQUENCE"))
		return "stop";
	if (xlate_tok_is(d, fr, "MAX_TOKENS"))
		return "length";
	if (xlate_tok_is(d, fr, "TOOL_CALL"))
		return "tool_calls";
	if (xlate_tok_is(d, fr, "ERROR_TOXIC"))
		return "content_filter";
	for (size_t i = 0; i < XLATE_NELEM(finish_other); i++)
		if (xlate_tok_is(d, fr, finish_other[i]))
			return finish_other[i];
	return NULL;
}

/* A token count: an integral non-negative number (1.0 counts), else 0. */
static uint64_t count_of(const json_doc *d, int obj, const char *key)
{
	uint64_t v = 0;
	xlate_get_u64(d, obj, key, &v);
	return v;
}

/* usage / message-end delta.usage: billed_units (providers.md), else tokens. */
static void read_usage(const json_doc *d, int u, xlate_usage *out)
{
	int src = xlate_get(d, u, "billed_units");
	memset(out, 0, sizeof *out);
	if (json_typeof(d, u) != JSON_OBJECT)
		return;
	out->present = true;
	if (xlate_get(d, src, "input_tokens") < 0 && xlate_get(d, src, "output_tokens") < 0)
		src = xlate_get(d, u, "tokens");
	out->prompt_tokens = count_of(d, src, "input_tokens");
	out->completion_tokens = count_of(d, src, "output_tokens");
	out->total_tokens = xlate_sat_add(out->prompt_tokens, out->completion_tokens);
}

/* One tool_calls entry of a Cohere tool call object tc. A response (index
 * < 0) writes arguments as given when a non-empty string, an object
 * serialised, else "{}"; a stream start (index >= 0: "index" written) the
 * string as it is (usually ""), an object serialised, else "". */
static int w_tool_call(json_writer *w, const json_doc *d, int tc, int64_t index, arena *a, size_t cap)
{
	int fn = xlate_get(d, tc, "function"), args = xlate_get(d, fn, "arguments"), rc = 0;
	json_write_obj_begin(w);
	if (index >= 0)
		json_write_kv_i64(w, "index", index);
	xlate_w_kstr_tok(w, "id", d, xlate_get(d, tc, "id"));
	json_write_kv_str(w, "type", "function");
	json_write_key(w, "function");
	json_write_obj_begin(w);
	xlate_w_kstr_tok(w, "name", d, xlate_get(d, fn, "name"));
	if (xlate_nonempty_str(d, args) || (index >= 0 && xlate_is_str(d, args))) {
		xlate_w_kraw(w, "arguments", d, args);
	} else if (index >= 0 && json_typeof(d, args) != JSON_OBJECT) {
		json_write_kv_str(w, "arguments", "");
	} else {
		json_write_key(w, "arguments");
		rc = xlate_w_args(w, d, json_typeof(d, args) == JSON_OBJECT ? args : -1, a, cap);
	}
	json_write_obj_end(w);
	json_write_obj_end(w);
	return rc;
}

int xlate_cohere_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	size_t old = out->len;
	json_doc doc, *d = &doc;
	json_writer w;
	xlate_usage u;
	int rc, t;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Cohere", "Cohere response", err)))
		return rc;
	int msg = xlate_get(d, 0, "message");
	if (json_typeof(d, msg) != JSON_OBJECT) {
		if (error_from(d, 0, scratch, XLATE_E_UPSTREAM, err))
			return ERR_INVAL;
		xlate_err_set(err, XLATE_E_SERIALIZATION, "Cohere response has no message");
		return ERR_INVAL;
	}
	int content = xlate_get(d, msg, "content");
	int calls = xlate_arr(d, xlate_get(d, msg, "tool_calls"));
	size_t ncalls = 0;
	json_iter it = json_iter_begin(d, calls);
	while (json_iter_next(d, &it, NULL, &t))
		ncalls += json_typeof(d, t) == JSON_OBJECT;
	str text = STR_NULL, thinking = STR_NULL;
	if (xlate_is_str(d, content)) {
		text = json_raw(d, content); /* a plain string: tolerated */
	} else if (json_typeof(d, content) == JSON_ARRAY) {
		text = xlate_join_strs(d, content, "text", block_of_type, "text", scratch, &rc);
		if (!rc)
			thinking = xlate_join_strs(d, content, "thinking", block_of_type, "thinking", scratch, &rc);
		if (rc)
			return xlate_fail_internal(err, rc, "the chat completion");
	}
	read_usage(d, xlate_get(d, 0, "usage"), &u);

	xlate_writer(&w, out);
	json_write_obj_begin(&w);
	{
		str id;
		if (!xlate_get_str(d, 0, "id", scratch, &id) || !id.n)
			id = cx->id.n ? cx->id : STR_LIT("cohere-resp");
		xlate_w_kstr(&w, "id", id);
		json_write_kv_str(&w, "object", "chat.completion");
		json_write_kv_i64(&w, "created", cx->created);
		xlate_w_kstr(&w, "model", cx->model);
	}
	json_write_key(&w, "choices");
	json_write_arr_begin(&w);
	json_write_obj_begin(&w);
	json_write_kv_i64(&w, "index", 0);
	json_write_key(&w, "message");
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "role", "assistant");
	if (text.n > 2)
		json_write_kv_raw(&w, "content", text.p, text.n);
	else
		json_write_kv_null(&w, "content");
	if (ncalls) {
		json_write_key(&w, "tool_calls");
		json_write_arr_begin(&w);
		it = json_iter_begin(d, calls);
		while (!rc && json_iter_next(d, &it, NULL, &t))
			if (json_typeof(d, t) == JSON_OBJECT)
				rc = w_tool_call(&w, d, t, -1, scratch, out->cap);
		json_write_arr_end(&w);
	}
	if (thinking.n)
		json_write_kv_raw(&w, "reasoning_content", thinking.p, thinking.n);
	json_write_obj_end(&w);
	int fr = xlate_get(d, 0, "finish_reason");
	const char *f = map_finish(d, fr, ncalls > 0);
	if (f)
		json_write_kv_str(&w, "finish_reason", f);
	else
		xlate_w_kraw(&w, "finish_reason", d, fr);
	json_write_obj_end(&w);
	json_write_arr_end(&w);
	xlate_write_usage(&w, &u);
	json_write_obj_end(&w);
	xlate_w_fail(&w, rc);
	if ((rc = xlate_finish(&w, out, old, 0, "the chat completion", err)))
		return rc;
	if (usage)
		*usage = u;
	return 0;
}

/* ---- streaming ------------------------------------------------------------------------ */

void xlate_cohere_stream_init(xlate_cohere_stream *st, const xlate_ctx *cx)
{
	xlate_emit e = XLATE_EMIT_INIT(st, NULL, NULL);
	xlate_emit_reset(&e, cx);
	st->tool = -1;
}

typedef struct sx {
	xlate_cohere_stream *st;
	arena *a;
	xlate_err *err;
	bool upstream_error;  /* an `error` event filled err */
	xlate_emit e;
} sx;

/* A chunk with one tool_calls entry for the open tool call: the start
 * (tool call object tc of d) when tc >= 0, else the arguments args_raw (a
 * raw JSON string). */
static int emit_tool(sx *x, const json_doc *d, int tc, str args_raw)
{
	if (tc < 0)
		return xlate_emit_tool(&x->e, x->st->tool, NULL, -1, -1, args_raw);
	int rc = xlate_emit_start(&x->e);
	if (rc)
		return rc;
	json_writer *w = xlate_emit_open(&x->e, 0);
	json_write_key(w, "tool_calls");
	json_write_arr_begin(w);
	rc = w_tool_call(w, d, tc, x->st->tool, x->a, x->e.out->cap);
	json_write_arr_end(w);
	return rc ? rc : xlate_emit_close(&x->e, NULL, NULL);
}

/* End the open tool call: one that sent no arguments gets "{}". */
static int close_tool(sx *x)
{
	xlate_cohere_stream *st = x->st;
	int rc = 0;
	if (st->tool >= 0 && !st->args_sent)
		rc = emit_tool(x, NULL, -1, STR_LIT("\"{}\""));
	st->tool = -1;
	st->args_sent = false;
	return rc;
}

/* message-end, or [DONE] (fr = -1): the finish chunk, the usage chunk, done. */
static int on_end(sx *x, const json_doc *d, int fr)
{
	xlate_cohere_stream *st = x->st;
	const char *f = NULL;
	int rc = close_tool(x);
	if (rc)
		return rc;
	if (!st->finish_sent) {
		f = d ? map_finish(d, fr, st->ntools > 0) : "stop";
		if (!f) { /* an unknown Cohere reason: passed through when it fits */
			str s;
			uint16_t n = 0;
			f = "stop";
			if (json_str(d, fr, x->a, &s) == 0 && s.n < sizeof st->finish_buf) {
				xlate_set_fixed(st->finish_buf, sizeof st->finish_buf, &n, s);
				f = st->finish_buf;
			}
		}
	}
	return xlate_emit_done(&x->e, f);
}

/* The object at delta.message.<key> of event d (tool_calls may come as a
 * one-element array). */
static int delta_msg(const json_doc *d, const char *key)
{
	int v = xlate_get(d, xlate_get(d, xlate_get(d, 0, "delta"), "message"), key);
	if (json_typeof(d, v) == JSON_ARRAY)
		v = json_size(d, v) ? json_at(d, v, 0) : -1;
	return json_typeof(d, v) == JSON_OBJECT ? v : -1;
}

static int stream_event(sx *x, str type, const json_doc *d)
{
	xlate_cohere_stream *st = x->st;
	int et = xlate_get(d, 0, "type"), v, rc;
#define IS(s) (xlate_is_str(d, et) ? json_str_eq(d, et, STR_LIT(s)) : str_eq(type, STR_LIT(s)))

	if (IS("message-start")) {
		str s;
		if (!st->started && xlate_get_str(d, 0, "id", x->a, &s) && s.n)
			xlate_set_fixed(st->id, sizeof st->id, &st->id_len, s);
		return xlate_emit_start(&x->e);
	}
	if (IS("content-delta") || IS("content-start")) {
		int c = delta_msg(d, "content");
		rc = 0;
		if (xlate_nonempty_str(d, (v = xlate_get(d, c, "thinking"))))
			rc = xlate_emit_delta(&x->e, "reasoning_content", json_raw(d, v));
		if (!rc && xlate_nonempty_str(d, (v = xlate_get(d, c, "text"))))
			rc = xlate_emit_delta(&x->e, "content", json_raw(d, v));
		return rc;
	}
	if (IS("tool-call-start")) {
		int tc = delta_msg(d, "tool_calls");
		int args = xlate_get(d, xlate_get(d, tc, "function"), "arguments");
		if ((rc = close_tool(x)) || tc < 0)
			return rc; /* a start without the call object: nothing to announce */
		st->tool = (int32_t)st->ntools;
		if (st->ntools < INT32_MAX)
			st->ntools++;
		st->args_sent = xlate_nonempty_str(d, args) || json_typeof(d, args) == JSON_OBJECT;
		return emit_tool(x, d, tc, STR_NULL);
	}
	if (IS("tool-call-delta")) {
		v = xlate_get(d, xlate_get(d, delta_msg(d, "tool_calls"), "function"), "arguments");
		if (st->tool < 0 || !xlate_nonempty_str(d, v))
			return 0;
		st->args_sent = true;
		return emit_tool(x, d, -1, json_raw(d, v));
	}
	if (IS("tool-call-end"))
		return close_tool(x);
	if (IS("message-end")) {
		int dl = xlate_get(d, 0, "delta");
		int u = xlate_get(d, dl, "usage");
		if (json_typeof(d, u) == JSON_OBJECT)
			read_usage(d, u, &st->usage);
		return on_end(x, d, xlate_get(d, dl, "finish_reason"));
	}
	if (IS("error")) {
		if (!error_from(d, 0, x->a, XLATE_E_STREAMING, x->err))
			xlate_err_set(x->err, XLATE_E_STREAMING, "unknown Cohere streaming error");
		x->upstream_error = true;
		return ERR_INVAL;
	}
	return 0; /* content-end, tool-plan-delta, citation-*, debug, unknown */
#undef IS
}

int xlate_cohere_stream_feed(xlate_cohere_stream *st, str type, str data, arena *scratch, buf *out,
			     xlate_err *err)
{
	xlate_cohere_stream save = *st;
	json_doc doc;
	sx x = { .st = st, .a = scratch, .err = err, .e = XLATE_EMIT_INIT(st, out, &save) };
	int rc = xlate_emit_feed(&x.e, "Cohere", data, scratch, &doc, err);

	if (rc == XLATE_EV_DONE)
		rc = on_end(&x, NULL, -1);
	else if (rc == XLATE_EV_JSON)
		rc = stream_event(&x, type, &doc);
	else
		return rc; /* nothing to do, or an error made sticky */
	return xlate_emit_leave(&x.e, rc, x.upstream_error, err);
}

/* message-end sends the finish chunk and ends the stream: an end before it
 * is a cut stream. */
int xlate_cohere_stream_end(xlate_cohere_stream *st, buf *out, xlate_err *err)
{
	xlate_cohere_stream save = *st;
	xlate_emit e = XLATE_EMIT_INIT(st, out, &save);
	return xlate_emit_end(&e, "Cohere", "response", err);
}
