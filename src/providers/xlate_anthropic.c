/* xlate_anthropic.c — OpenAI chat <-> Anthropic Messages API: request body,
 * response body, error body, anthropic-beta header, and the stream state
 * machine. Pure; the rules are listed in xlate_anthropic.h.
 *
 * The writers below rely on json_writer's sticky error: a run of writes is
 * issued unchecked and the first failure (cap, memory) is read back once,
 * from json_write_finish() or w->err. Validation errors (ERR_INVAL with
 * err filled) return at once. */
#include "providers/xlate_anthropic.h"
#include "base/err.h"
#include <string.h>

typedef struct rq {
	const xlate_ctx *cx;
	const json_doc *d;
	arena *a;
	json_writer *w;
	xlate_err *err;
	unsigned flags;
} rq;

static const char *const hosted_tools[] = {
	"computer_20241022", "computer_use_20250124", "web_search_20250305", "code_execution_20250522",
};

/* Top-level request members the translator handles itself or drops; every
 * other member is passed through. */
static const char *const consumed_keys[] = {
	/* rewritten */
	"model", "messages", "max_tokens", "max_completion_tokens", "stop", "stream", "tools",
	"tool_choice", "response_format", "reasoning_effort", "user", "parallel_tool_calls",
	/* generated here: a client copy would collide */
	"system", "stop_sequences", "thinking",
	/* no Anthropic equivalent (providers.md "Removed before sending") */
	"n", "presence_penalty", "frequency_penalty", "logit_bias", "stream_options", "service_tier",
	"extra_body", "logprobs", "top_logprobs", "store", "metadata", "prediction", "audio",
	"web_search_options", "modalities", "seed",
};

/* ---- small helpers ---------------------------------------------------------- */

static const char *map_stop(const json_doc *d, int sr)
{
	if (xlate_tok_is(d, sr, "tool_use"))
		return "tool_calls";
	if (xlate_tok_is(d, sr, "max_tokens"))
		return "length";
	if (xlate_tok_is(d, sr, "refusal") || xlate_tok_is(d, sr, "content_filtered"))
		return "content_filter";
	return "stop"; /* end_turn, stop_sequence, pause_turn, anything else */
}

/* Write s with every character outside [A-Za-z0-9_-] replaced by '_'
 * (one '_' per UTF-8 character, as upstream's per-char rule). */
static int w_sanitized(rq *r, const char *key, str s)
{
	char *o = arena_alloc(r->a, s.n + 1);
	size_t k = 0, i = 0;
	if (!o)
		return ERR_NOMEM;
	while (i < s.n) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		    c == '-') {
			o[k++] = (char)c;
			i++;
			continue;
		}
		int l = json_utf8_seq((const unsigned char *)s.p + i, s.n - i);
		i += l > 0 ? (size_t)l : (size_t)-l;
		o[k++] = '_';
	}
	json_write_kv_strn(r->w, key, o, k);
	return 0;
}

/* {"type":"text","text":<token i, or "" when i < 0>,"cache_control"?} */
static void block_text_tok(rq *r, int i, int cc)
{
	json_writer *w = r->w;
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "text");
	if (i >= 0)
		xlate_w_kraw(w, "text", r->d, i);
	else
		json_write_kv_str(w, "text", "");
	if (cc >= 0)
		xlate_w_kraw(w, "cache_control", r->d, cc);
	json_write_obj_end(w);
}

static void block_text_s(rq *r, str s, int cc)
{
	json_writer *w = r->w;
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "text");
	xlate_w_kstr(w, "text", s);
	if (cc >= 0)
		xlate_w_kraw(w, "cache_control", r->d, cc);
	json_write_obj_end(w);
}

/* ---- user / tool content ------------------------------------------------------- */

enum part_kind { P_NONE = 0, P_TEXT, P_IMAGE, P_DOCUMENT, P_OTHER_TEXT };

static enum part_kind part_kind(const json_doc *d, int part)
{
	if (json_typeof(d, part) != JSON_OBJECT)
		return P_NONE;
	int t = xlate_get(d, part, "type");
	if (!xlate_is_str(d, t))
		return P_NONE;
	if (xlate_tok_is(d, t, "text"))
		return P_TEXT;
	if (xlate_tok_is(d, t, "image_url")) {
		int u = json_path(d, part, "image_url.url");
		return xlate_is_str(d, u) ? P_IMAGE : P_NONE;
	}
	if (xlate_tok_is(d, t, "document")) {
		int dd = json_path(d, part, "document.data");
		return xlate_is_str(d, dd) ? P_DOCUMENT : P_NONE;
	}
	return xlate_nonempty_str(d, xlate_get(d, part, "text")) ? P_OTHER_TEXT : P_NONE;
}

static int w_image(rq *r, int url_tok, int cc)
{
	json_writer *w = r->w;
	str url, mt, data;
	bool b64; /* Anthropic takes the data as base64 either way */
	int rc = json_str(r->d, url_tok, r->a, &url);
	if (rc)
		return rc;
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "image");
	json_write_key(w, "source");
	json_write_obj_begin(w);
	if (xlate_data_url(url, &mt, &data, &b64)) {
		json_write_kv_str(w, "type", "base64");
		xlate_w_kstr(w, "media_type", mt);
		xlate_w_kstr(w, "data", data);
	} else {
		json_write_kv_str(w, "type", "url");
		xlate_w_kraw(w, "url", r->d, url_tok);
	}
	json_write_obj_end(w);
	if (cc >= 0)
		xlate_w_kraw(w, "cache_control", r->d, cc);
	json_write_obj_end(w);
	return 0;
}

static int w_part(rq *r, int part, enum part_kind k, int cc, bool tool_result)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	switch (k) {
	case P_TEXT: {
		int t = xlate_get(d, part, "text");
		block_text_tok(r, xlate_is_str(d, t) ? t : -1, cc);
		return 0;
	}
	case P_IMAGE:
		return w_image(r, json_path(d, part, "image_url.url"), cc);
	case P_DOCUMENT:
		if (tool_result) {
			block_text_s(r, STR_LIT("[unsupported content in tool result]"), -1);
			return 0;
		}
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "document");
		json_write_key(w, "source");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "base64");
		{
			int mt = json_path(d, part, "document.media_type");
			if (xlate_is_str(d, mt))
				xlate_w_kraw(w, "media_type", d, mt);
			else
				json_write_kv_str(w, "media_type", "application/pdf");
		}
		xlate_w_kraw(w, "data", d, json_path(d, part, "document.data"));
		json_write_obj_end(w);
		if (cc >= 0)
			xlate_w_kraw(w, "cache_control", d, cc);
		json_write_obj_end(w);
		return 0;
	case P_OTHER_TEXT:
		block_text_tok(r, xlate_get(d, part, "text"), cc);
		return 0;
	case P_NONE:
		break;
	}
	return 0;
}

/* The blocks of user (or tool result) content c. mcc: the message's
 * cache_control, which replaces the last block's own (-1 = none). */
static int w_user_content(rq *r, int c, int mcc, bool tool_result)
{
	const json_doc *d = r->d;
	json_type t = json_typeof(d, c);
	if (c < 0)
		return 0;
	if (t == JSON_STRING) {
		block_text_tok(r, c, mcc);
		return 0;
	}
	if (t != JSON_ARRAY) {
		block_text_s(r, json_raw(d, c), mcc);
		return 0;
	}
	size_t idx = 0, last = SIZE_MAX;
	json_iter it = json_iter_begin(d, c);
	int p;
	while (json_iter_next(d, &it, NULL, &p)) {
		if (part_kind(d, p) != P_NONE)
			last = idx;
		idx++;
	}
	idx = 0;
	it = json_iter_begin(d, c);
	while (json_iter_next(d, &it, NULL, &p)) {
		enum part_kind k = part_kind(d, p);
		if (k != P_NONE) {
			int cc = xlate_get(d, p, "cache_control");
			if (idx == last && mcc >= 0)
				cc = mcc;
			if (k == P_OTHER_TEXT)
				cc = idx == last ? mcc : -1;
			int rc = w_part(r, p, k, cc, tool_result);
			if (rc)
				return rc;
		}
		idx++;
	}
	return 0;
}

/* ---- assistant ---------------------------------------------------------------------- */

static int w_assistant(rq *r, int m, size_t mi)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int c = xlate_get(d, m, "content"), p, tc, rc;
	size_t nb = 0, ti = 0;
	json_iter it;

	if (json_typeof(d, c) == JSON_STRING && xlate_nonempty_str(d, c)) {
		block_text_tok(r, c, xlate_get(d, m, "cache_control"));
		nb++;
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		/* upstream drops array content; its text parts are kept here */
		it = json_iter_begin(d, c);
		while (json_iter_next(d, &it, NULL, &p)) {
			int t = xlate_get(d, p, "text");
			if (xlate_str_is(d, p, "type", "text") && xlate_nonempty_str(d, t)) {
				block_text_tok(r, t, xlate_get(d, p, "cache_control"));
				nb++;
			}
		}
	}
	int calls = xlate_get(d, m, "tool_calls");
	it = json_iter_begin(d, xlate_arr(d, calls));
	while (json_iter_next(d, &it, NULL, &tc)) {
		str id, args;
		int fn = xlate_get(d, tc, "function");
		int name = xlate_get(d, fn, "name");
		xlate_get_str(d, tc, "id", r->a, &id);
		if (!xlate_get_str(d, fn, "arguments", r->a, &args))
			args = STR_LIT("{}");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "tool_use");
		if ((rc = w_sanitized(r, "id", id)))
			return rc;
		xlate_w_kstr_tok(w, "name", d, name);
		json_write_key(w, "input");
		if ((rc = xlate_w_args_object(w, args, r->flags, mi, ti, r->a, r->err)))
			return rc;
		json_write_obj_end(w);
		nb++;
		ti++;
	}
	if (!nb)
		block_text_tok(r, -1, -1);
	return 0;
}

/* ---- one user-side message: user, tool, function ------------------------------------- */

static int w_user_side(rq *r, int m)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int role = xlate_get(d, m, "role"), rc;
	str id;

	if (xlate_tok_is(d, role, "user"))
		return w_user_content(r, xlate_get(d, m, "content"), xlate_get(d, m, "cache_control"), false);

	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "tool_result");
	if (xlate_tok_is(d, role, "tool")) {
		xlate_get_str(d, m, "tool_call_id", r->a, &id);
		if ((rc = w_sanitized(r, "tool_use_id", id)))
			return rc;
		json_write_key(w, "content");
		json_write_arr_begin(w);
		if ((rc = w_user_content(r, xlate_get(d, m, "content"), -1, true)))
			return rc;
		json_write_arr_end(w);
		int cc = xlate_get(d, m, "cache_control");
		if (cc >= 0)
			xlate_w_kraw(w, "cache_control", d, cc);
	} else { /* legacy function result */
		xlate_get_str(d, m, "name", r->a, &id);
		if ((rc = w_sanitized(r, "tool_use_id", id)))
			return rc;
		json_write_key(w, "content");
		json_write_arr_begin(w);
		int c = xlate_get(d, m, "content");
		block_text_tok(r, xlate_is_str(d, c) ? c : -1, -1);
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
	return 0;
}

static int w_messages(rq *r, int msgs)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	xlate_turns turns = { .w = w, .assistant = "assistant", .key = "content" };
	int m, rc;
	size_t mi = 0;
	json_iter it = json_iter_begin(d, msgs);

	json_write_key(w, "messages");
	json_write_arr_begin(w);
	while (json_iter_next(d, &it, NULL, &m)) {
		xlate_role role = xlate_role_of(d, m);
		if (role == XLATE_ROLE_SYSTEM) {
			mi++;
			continue;
		}
		xlate_turn(&turns, role == XLATE_ROLE_ASSISTANT);
		rc = role == XLATE_ROLE_ASSISTANT ? w_assistant(r, m, mi) : w_user_side(r, m);
		if (rc)
			return rc;
		mi++;
	}
	xlate_turn_end(&turns);
	json_write_arr_end(w);
	return 0;
}

/* ---- system ------------------------------------------------------------------------------ */

static size_t system_blocks(rq *r, int msgs, bool write)
{
	const json_doc *d = r->d;
	size_t n = 0;
	int m, p;
	json_iter it = json_iter_begin(d, msgs), pit;
	while (json_iter_next(d, &it, NULL, &m)) {
		if (xlate_role_of(d, m) != XLATE_ROLE_SYSTEM)
			continue;
		int c = xlate_get(d, m, "content");
		if (xlate_nonempty_str(d, c)) {
			if (write)
				block_text_tok(r, c, xlate_get(d, m, "cache_control"));
			n++;
		} else if (json_typeof(d, c) == JSON_ARRAY) {
			pit = json_iter_begin(d, c);
			while (json_iter_next(d, &pit, NULL, &p)) {
				if (write)
					xlate_w_raw(r->w, d, p);
				n++;
			}
		}
	}
	return n;
}

/* ---- tools ------------------------------------------------------------------------------- */

static bool is_hosted(const json_doc *d, int tool)
{
	int t = xlate_get(d, tool, "type");
	for (size_t i = 0; i < XLATE_NELEM(hosted_tools); i++)
		if (xlate_tok_is(d, t, hosted_tools[i]))
			return true;
	return false;
}

static void w_tool(rq *r, int tool)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	if (is_hosted(d, tool)) {
		xlate_w_raw(w, d, tool);
		return;
	}
	int fn = xlate_get(d, tool, "function");
	int name = xlate_get(d, fn, "name");
	int desc = xlate_get(d, fn, "description");
	int params = xlate_get(d, fn, "parameters");
	int cc = xlate_get(d, tool, "cache_control");
	if (cc < 0)
		cc = xlate_get(d, fn, "cache_control");

	json_write_obj_begin(w);
	if (name >= 0)
		xlate_w_kraw(w, "name", d, name);
	else
		json_write_kv_str(w, "name", "");
	if (desc >= 0)
		xlate_w_kraw(w, "description", d, desc);
	json_write_key(w, "input_schema");
	if (json_typeof(d, params) != JSON_OBJECT) {
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "object");
		json_write_key(w, "properties");
		json_write_obj_begin(w);
		json_write_obj_end(w);
		json_write_obj_end(w);
	} else if (xlate_str_is(d, params, "type", "object")) {
		xlate_w_raw(w, d, params);
	} else {
		/* force "type":"object", keep the other members */
		int k, v;
		json_iter it = json_iter_begin(d, params);
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "object");
		while (json_iter_next(d, &it, &k, &v))
			if (!json_str_eq(d, k, STR_LIT("type")))
				xlate_w_member(w, d, k, v, r->a);
		json_write_obj_end(w);
	}
	if (cc >= 0)
		xlate_w_kraw(w, "cache_control", d, cc);
	json_write_obj_end(w);
}

/* ---- the request -------------------------------------------------------------------------- */

static uint64_t effort_budget(const json_doc *d, bool *on)
{
	int e = xlate_effort(d, xlate_extra_body(d));
	*on = e >= 0;
	if (!*on)
		return 0;
	if (xlate_tok_is(d, e, "minimal") || xlate_tok_is(d, e, "low"))
		return 1024;
	if (xlate_tok_is(d, e, "high"))
		return 16384;
	if (xlate_tok_is(d, e, "max"))
		return 32768;
	return 4096; /* medium and anything else */
}

static bool consumed(const json_doc *d, int key)
{
	for (size_t i = 0; i < XLATE_NELEM(consumed_keys); i++)
		if (json_str_eq(d, key, str_from(consumed_keys[i])))
			return true;
	return false;
}

static int request_body(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const int root = 0;
	int rc, v, k;

	/* validation first: nothing is written before it passes */
	int temp = xlate_get(d, root, "temperature");
	if (temp >= 0 && json_typeof(d, temp) == JSON_NUMBER) {
		double t = 0;
		int drc = json_double(d, temp, &t);
		if (drc || t < 0.0 || t > 1.0) {
			char num[JSON_DOUBLE_BUF];
			str raw = json_raw(d, temp);
			size_t nl = drc ? 0 : json_fmt_double(num, t);
			if (!nl)
				nl = str_to_cbuf(raw, num, sizeof num) ? strlen(num) : 0;
			xlate_err_set(r->err, XLATE_E_BAD_REQUEST,
				      "temperature=%.*s is outside Anthropic's supported range [0, 1]; lower the "
				      "requested value or omit `temperature` to use the provider default",
				      (int)nl, num);
			return ERR_INVAL;
		}
	}
	int msgs = xlate_get(d, root, "messages");
	if ((rc = xlate_check_messages(d, msgs, r->a, r->err)))
		return rc;

	bool thinking;
	uint64_t budget = effort_budget(d, &thinking);
	int tc = xlate_get(d, root, "tool_choice");
	bool tc_none = xlate_tok_is(d, tc, "none");
	int tools = xlate_get(d, root, "tools");
	bool send_tools = json_typeof(d, tools) == JSON_ARRAY && !tc_none;
	bool no_parallel = json_typeof(d, xlate_get(d, root, "parallel_tool_calls")) == JSON_FALSE;

	json_write_obj_begin(w);

	/* model */
	if (r->cx->model.n)
		xlate_w_kstr(w, "model", r->cx->model);
	else if (xlate_is_str(d, (v = xlate_get(d, root, "model"))))
		xlate_w_kraw(w, "model", d, v);
	else
		json_write_kv_str(w, "model", "");

	/* system */
	{
		buf tb = { 0 };
		int rf = xlate_get(d, root, "response_format");
		int have_rf = json_typeof(d, rf) == JSON_OBJECT ? xlate_rf_instruction(d, rf, r->a, &tb) : 0;
		if (have_rf < 0) {
			buf_free(&tb);
			return have_rf;
		}
		if (have_rf || system_blocks(r, msgs, false)) {
			json_write_key(w, "system");
			json_write_arr_begin(w);
			if (have_rf)
				block_text_s(r, str_make(tb.data, tb.len), -1);
			system_blocks(r, msgs, true);
			json_write_arr_end(w);
		}
		buf_free(&tb);
	}

	if ((rc = w_messages(r, msgs)))
		return rc;

	/* max_tokens */
	v = xlate_get(d, root, "max_tokens");
	if (v < 0)
		v = xlate_get(d, root, "max_completion_tokens");
	{
		uint64_t cur = 0;
		if (v >= 0) {
			if (json_u64(d, v, &cur))
				cur = 0;
		} else
			cur = r->cx->max_tokens ? r->cx->max_tokens : XLATE_ANTHROPIC_MAX_TOKENS;
		if (thinking && cur < budget + 1)
			json_write_kv_u64(w, "max_tokens", budget + 1);
		else if (v >= 0)
			xlate_w_kraw(w, "max_tokens", d, v);
		else
			json_write_kv_u64(w, "max_tokens", cur);
	}

	/* stop -> stop_sequences */
	v = xlate_get(d, root, "stop");
	if (v >= 0) {
		json_write_key(w, "stop_sequences");
		if (json_typeof(d, v) == JSON_ARRAY) {
			xlate_w_raw(w, d, v);
		} else {
			json_write_arr_begin(w);
			if (json_typeof(d, v) == JSON_STRING)
				xlate_w_raw(w, d, v);
			json_write_arr_end(w);
		}
	}

	json_write_kv_bool(w, "stream", r->cx->stream);

	/* tools and tool_choice */
	if (send_tools) {
		int t;
		json_iter it = json_iter_begin(d, tools);
		json_write_key(w, "tools");
		json_write_arr_begin(w);
		while (json_iter_next(d, &it, NULL, &t))
			w_tool(r, t);
		json_write_arr_end(w);
	}
	if ((tc >= 0 && !tc_none) || (tc < 0 && no_parallel && send_tools)) {
		json_write_key(w, "tool_choice");
		json_write_obj_begin(w);
		if (tc < 0) {
			json_write_kv_str(w, "type", "auto");
		} else if (json_typeof(d, tc) == JSON_STRING) {
			json_write_kv_str(w, "type", xlate_tok_is(d, tc, "required") ? "any" : "auto");
		} else {
			int name = json_typeof(d, tc) == JSON_OBJECT ? json_path(d, tc, "function.name") : -1;
			if (xlate_is_str(d, name)) {
				json_write_kv_str(w, "type", "tool");
				xlate_w_kraw(w, "name", d, name);
			} else {
				json_write_kv_str(w, "type", "auto");
			}
		}
		if (no_parallel)
			json_write_kv_bool(w, "disable_parallel_tool_use", true);
		json_write_obj_end(w);
	}

	if (thinking) {
		json_write_key(w, "thinking");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "enabled");
		json_write_kv_u64(w, "budget_tokens", budget);
		json_write_obj_end(w);
	}

	/* user -> metadata.user_id */
	{
		str user;
		if (xlate_get_str(d, root, "user", r->a, &user) && user.n && user.n <= XLATE_ANTHROPIC_USER_ID_MAX) {
			json_write_key(w, "metadata");
			json_write_obj_begin(w);
			xlate_w_kstr(w, "user_id", user);
			json_write_obj_end(w);
		}
	}

	/* everything else as it is, in order: a duplicated key stays duplicated
	 * (the last one still wins), which keeps this linear in the member count */
	{
		json_iter it = json_iter_begin(d, root);
		while (json_iter_next(d, &it, &k, &v))
			if (!consumed(d, k))
				xlate_w_member(w, d, k, v, r->a);
	}
	json_write_obj_end(w);
	return 0;
}

int xlate_anthropic_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			    xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc;
	json_writer w;
	rq r = { cx ? cx : &zero_ctx, &doc, scratch, &w, err, cx ? cx->flags : 0 };
	int rc = xlate_parse_request(&doc, in, n, scratch, info, err);

	if (rc)
		return rc;
	xlate_chat_info(&doc, info);
	size_t old = out->len;
	xlate_writer(&w, out);
	return xlate_finish(&w, out, old, request_body(&r), "the Anthropic request", err);
}

/* ---- errors ------------------------------------------------------------------------------- */

int xlate_anthropic_error_status(str t)
{
	static const xlate_status map[] = {
		{ "invalid_request_error", 400 }, { "authentication_error", 401 }, { "billing_error", 402 },
		{ "permission_error", 403 },      { "not_found_error", 404 },      { "request_too_large", 413 },
		{ "rate_limit_error", 429 },      { "api_error", 500 },            { "timeout_error", 504 },
		{ "overloaded_error", 529 },
	};
	return xlate_status_of(t, map, XLATE_NELEM(map), false);
}

/* Fill err from the "error" object of root; false when there is none. */
static bool error_from(const json_doc *d, int root, arena *a, xlate_kind kind, const char *dflt,
		       xlate_err *err)
{
	int e = xlate_get(d, root, "error");
	str msg, type;
	if (json_typeof(d, e) != JSON_OBJECT)
		return false;
	if (!xlate_get_str(d, e, "message", a, &msg))
		msg = str_from(dflt);
	if (!xlate_get_str(d, e, "type", a, &type))
		type = STR_NULL;
	if (err) {
		xlate_err_set(err, kind, "%s", "");
		xlate_strlcpy(err->msg, sizeof err->msg, msg);
		xlate_strlcpy(err->type, sizeof err->type, type);
		err->status = xlate_anthropic_error_status(type);
	}
	return true;
}

int xlate_anthropic_error(const char *in, size_t n, arena *scratch, xlate_err *err)
{
	json_doc d;
	if (json_parse_arena(&d, scratch, in, n, NULL, NULL) < 0)
		return ERR_NOTFOUND;
	if (!error_from(&d, 0, scratch, XLATE_E_UPSTREAM, "unknown Anthropic error", err))
		return ERR_NOTFOUND;
	return 0;
}

/* ---- response ----------------------------------------------------------------------------- */

static void read_usage(const json_doc *d, int u, xlate_usage *out)
{
	uint64_t in = 0, cw = 0, cr = 0, o = 0;
	memset(out, 0, sizeof *out);
	out->present = json_typeof(d, u) == JSON_OBJECT;
	xlate_get_u64(d, u, "input_tokens", &in);
	xlate_get_u64(d, u, "cache_creation_input_tokens", &cw);
	xlate_get_u64(d, u, "cache_read_input_tokens", &cr);
	xlate_get_u64(d, u, "output_tokens", &o);
	out->prompt_tokens = xlate_sat_add(xlate_sat_add(in, cw), cr);
	out->completion_tokens = o;
	out->total_tokens = xlate_sat_add(out->prompt_tokens, o);
	out->cached_tokens = cr;
	out->cache_write_tokens = cw;
}

/* Write the string members `field` of the blocks of type `type` joined as
 * one JSON string (their raw escaped contents concatenated: always valid).
 * Returns 1 written, 0 nothing to write (key not written), or ERR_NOMEM. */
static bool block_of_type(const json_doc *d, int b, const void *type)
{
	return xlate_str_is(d, b, "type", type);
}

static int w_joined(json_writer *w, const json_doc *d, int content, const char *type, const char *field,
		    const char *key, arena *a)
{
	int rc;
	str s = xlate_join_strs(d, content, field, block_of_type, type, a, &rc);
	if (rc)
		return rc;
	if (!s.n)
		return 0;
	json_write_kv_raw(w, key, s.p, s.n);
	return 1;
}

static bool is_tool_block(const json_doc *d, int b)
{
	return xlate_str_is(d, b, "type", "tool_use") || xlate_str_is(d, b, "type", "server_tool_use");
}

int xlate_anthropic_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			     xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	size_t old = out->len;
	json_doc doc, *d = &doc;
	json_writer w;
	xlate_usage u;
	int rc, b;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Anthropic", "Anthropic response", err)))
		return rc;
	if (json_get(d, 0, "stop_reason") < 0 || xlate_str_is(d, 0, "type", "error")) {
		if (error_from(d, 0, scratch, XLATE_E_UPSTREAM, "unknown Anthropic error", err))
			return ERR_INVAL;
		xlate_err_set(err, XLATE_E_SERIALIZATION, "Anthropic response has no stop_reason");
		return ERR_INVAL;
	}
	int id = xlate_get(d, 0, "id"), model = xlate_get(d, 0, "model");
	int content = xlate_get(d, 0, "content");
	if (json_typeof(d, content) != JSON_ARRAY)
		content = -1;
	read_usage(d, xlate_get(d, 0, "usage"), &u);

	xlate_writer(&w, out);
	json_write_obj_begin(&w);
	if (xlate_is_str(d, id))
		xlate_w_kraw(&w, "id", d, id);
	else
		xlate_w_kstr(&w, "id", cx->id);
	json_write_kv_str(&w, "object", "chat.completion");
	json_write_kv_i64(&w, "created", cx->created);
	if (xlate_is_str(d, model))
		xlate_w_kraw(&w, "model", d, model);
	else
		xlate_w_kstr(&w, "model", cx->model);
	json_write_key(&w, "choices");
	json_write_arr_begin(&w);
	json_write_obj_begin(&w);
	json_write_kv_i64(&w, "index", 0);
	json_write_key(&w, "message");
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "role", "assistant");
	rc = w_joined(&w, d, content, "text", "text", "content", scratch);
	if (rc == 0)
		json_write_kv_null(&w, "content");
	if (rc >= 0) {
		size_t ntools = 0;
		json_iter it = json_iter_begin(d, content);
		while (json_iter_next(d, &it, NULL, &b))
			ntools += is_tool_block(d, b);
		if (ntools) {
			json_write_key(&w, "tool_calls");
			json_write_arr_begin(&w);
			it = json_iter_begin(d, content);
			while (rc >= 0 && json_iter_next(d, &it, NULL, &b)) {
				if (is_tool_block(d, b))
					rc = xlate_w_tool_call(&w, d, xlate_get(d, b, "id"), xlate_get(d, b, "name"),
							       xlate_get(d, b, "input"), scratch, out->cap);
			}
			json_write_arr_end(&w);
		}
	}
	if (rc >= 0)
		rc = w_joined(&w, d, content, "thinking", "thinking", "reasoning_content", scratch);
	json_write_obj_end(&w);
	json_write_kv_str(&w, "finish_reason", map_stop(d, xlate_get(d, 0, "stop_reason")));
	json_write_obj_end(&w);
	json_write_arr_end(&w);
	xlate_write_usage(&w, &u);
	json_write_obj_end(&w);
	xlate_w_fail(&w, rc < 0 ? rc : 0);
	if ((rc = xlate_finish(&w, out, old, 0, "the chat completion", err)))
		return rc;
	if (usage)
		*usage = u;
	return 0;
}

/* ---- anthropic-beta ------------------------------------------------------------------------ */

int xlate_anthropic_beta(const char *body, size_t n, arena *scratch, char out[XLATE_ANTHROPIC_BETA_MAX])
{
	static const char *const names[] = {
		"thinking-2025-04-14",   "computer-use-2025-01-24", "web-search-2025-03-05",
		"code-execution-2025-05-22", "prompt-caching-2024-07-31", "pdfs-2024-09-25",
	};
	enum { B_THINK, B_COMPUTER, B_WEB, B_CODE, B_CACHE, B_PDF };
	json_doc doc, *d = &doc;
	int order[6], no = 0, rc, t, m, p;
	unsigned seen = 0;
	size_t len = 0;

	out[0] = '\0';
	rc = json_parse_arena(d, scratch, body, n, NULL, NULL);
	if (rc < 0)
		return rc;
#define ADD(b) do { if (!(seen & (1u << (b)))) { seen |= 1u << (b); order[no++] = (b); } } while (0)
	if (json_typeof(d, 0) == JSON_OBJECT && json_get(d, 0, "thinking") >= 0)
		ADD(B_THINK);
	int tools = xlate_get(d, 0, "tools");
	json_iter it = json_iter_begin(d, xlate_arr(d, tools));
	while (json_iter_next(d, &it, NULL, &t)) {
		int ty = xlate_get(d, t, "type");
		if (xlate_tok_is(d, ty, "computer_20241022") || xlate_tok_is(d, ty, "computer_use_20250124"))
			ADD(B_COMPUTER);
		else if (xlate_tok_is(d, ty, "web_search_20250305"))
			ADD(B_WEB);
		else if (xlate_tok_is(d, ty, "code_execution_20250522"))
			ADD(B_CODE);
	}
	for (int i = 0; i < d->ntok; i++)
		if ((d->tok[i].flags & JSON_F_KEY) && json_str_eq(d, i, STR_LIT("cache_control"))) {
			ADD(B_CACHE);
			break;
		}
	int msgs = xlate_get(d, 0, "messages");
	it = json_iter_begin(d, xlate_arr(d, msgs));
	while (json_iter_next(d, &it, NULL, &m)) {
		int c = xlate_get(d, m, "content");
		json_iter pit = json_iter_begin(d, xlate_arr(d, c));
		while (json_iter_next(d, &pit, NULL, &p))
			if (xlate_str_is(d, p, "type", "document"))
				ADD(B_PDF);
	}
#undef ADD
	for (int i = 0; i < no; i++) {
		size_t l = strlen(names[order[i]]);
		if (len + l + 2 > XLATE_ANTHROPIC_BETA_MAX)
			break; /* cannot happen: all six fit */
		if (len)
			out[len++] = ',';
		memcpy(out + len, names[order[i]], l);
		len += l;
	}
	out[len] = '\0';
	return (int)len;
}

/* ---- streaming ------------------------------------------------------------------------------ */

void xlate_anthropic_stream_init(xlate_anthropic_stream *st, const xlate_ctx *cx)
{
	xlate_emit e = XLATE_EMIT_INIT(st, NULL, NULL);
	xlate_emit_reset(&e, cx);
	st->tool = -1;
}

typedef struct sx {
	xlate_anthropic_stream *st;
	arena *a;
	xlate_err *err;
	bool upstream_error;  /* an `error` event filled err */
	xlate_emit e;
} sx;

/* End of the open content block: a tool call that got no arguments gets "{}". */
static int close_block(sx *x)
{
	xlate_anthropic_stream *st = x->st;
	int rc = 0;
	if (st->in_block && st->tool >= 0 && !st->args_sent)
		rc = xlate_emit_tool(&x->e, st->tool, NULL, -1, -1, STR_LIT("\"{}\""));
	st->in_block = false;
	st->tool = -1;
	st->args_sent = false;
	return rc;
}

static void update_usage(xlate_anthropic_stream *st, const json_doc *d, int u)
{
	uint64_t v;
	if (json_typeof(d, u) != JSON_OBJECT)
		return;
	st->usage.present = true;
	if (xlate_get_u64(d, u, "input_tokens", &v))
		st->input_tokens = v;
	if (xlate_get_u64(d, u, "cache_creation_input_tokens", &v))
		st->usage.cache_write_tokens = v;
	if (xlate_get_u64(d, u, "cache_read_input_tokens", &v))
		st->usage.cached_tokens = v;
	if (xlate_get_u64(d, u, "output_tokens", &v))
		st->usage.completion_tokens = v;
	st->usage.prompt_tokens = xlate_sat_add(xlate_sat_add(st->input_tokens, st->usage.cache_write_tokens),
					  st->usage.cached_tokens);
	st->usage.total_tokens = xlate_sat_add(st->usage.prompt_tokens, st->usage.completion_tokens);
}

static int on_stop(sx *x)
{
	int rc = close_block(x);
	return rc ? rc : xlate_emit_done(&x->e, "stop");
}

static int stream_event(sx *x, str type, const json_doc *d)
{
	xlate_anthropic_stream *st = x->st;
	int et = xlate_get(d, 0, "type");
	uint64_t idx = 0;
#define IS(s) (xlate_is_str(d, et) ? json_str_eq(d, et, STR_LIT(s)) : str_eq(type, STR_LIT(s)))

	if (IS("message_start")) {
		int msg = xlate_get(d, 0, "message");
		if (!st->started) {
			str s;
			if (xlate_get_str(d, msg, "id", x->a, &s))
				xlate_set_fixed(st->id, sizeof st->id, &st->id_len, s);
			if (xlate_get_str(d, msg, "model", x->a, &s))
				xlate_set_fixed(st->model, sizeof st->model, &st->model_len, s);
		}
		update_usage(st, d, xlate_get(d, msg, "usage"));
		return xlate_emit_start(&x->e);
	}
	if (IS("content_block_start")) {
		int cb = xlate_get(d, 0, "content_block"), rc;
		xlate_get_u64(d, 0, "index", &idx);
		if ((rc = close_block(x)))
			return rc;
		st->in_block = true;
		st->block = idx;
		if (xlate_str_is(d, cb, "type", "tool_use") || xlate_str_is(d, cb, "type", "server_tool_use")) {
			int input = xlate_get(d, cb, "input");
			str args = STR_NULL;
			buf tb = { 0 };
			st->tool = (int32_t)st->ntools;
			if (st->ntools < INT32_MAX)
				st->ntools++;
			if (json_typeof(d, input) == JSON_OBJECT && json_size(d, input) > 0) {
				json_writer cw;
				json_write_init(&cw, &tb, 0);
				cw.max_depth = JSON_DEPTH_MAX;
				xlate_copy(&cw, d, input, x->a);
				rc = json_write_finish(&cw);
				if (!rc) {
					/* as a JSON string literal */
					buf lit = { 0 };
					rc = json_escape_buf(&lit, tb.data, tb.len, 0);
					buf_free(&tb);
					tb = lit;
					args = str_make(tb.data, tb.len);
				}
				st->args_sent = true;
			}
			if (!rc)
				rc = xlate_emit_tool(&x->e, st->tool, d, xlate_get(d, cb, "id"), xlate_get(d, cb, "name"),
						     args);
			buf_free(&tb);
			return rc;
		}
		if (xlate_str_is(d, cb, "type", "text") && xlate_nonempty_str(d, xlate_get(d, cb, "text")))
			return xlate_emit_delta(&x->e, "content", json_raw(d, xlate_get(d, cb, "text")));
		if (xlate_str_is(d, cb, "type", "thinking") && xlate_nonempty_str(d, xlate_get(d, cb, "thinking")))
			return xlate_emit_delta(&x->e, "reasoning_content", json_raw(d, xlate_get(d, cb, "thinking")));
		return 0;
	}
	if (IS("content_block_delta")) {
		int delta = xlate_get(d, 0, "delta"), v;
		xlate_get_u64(d, 0, "index", &idx);
		bool text = xlate_str_is(d, delta, "type", "text_delta");
		if (text || xlate_str_is(d, delta, "type", "thinking_delta")) {
			v = xlate_get(d, delta, text ? "text" : "thinking");
			if (!xlate_nonempty_str(d, v))
				return 0;
			return xlate_emit_delta(&x->e, text ? "content" : "reasoning_content", json_raw(d, v));
		}
		if (xlate_str_is(d, delta, "type", "input_json_delta")) {
			v = xlate_get(d, delta, "partial_json");
			/* deltas of blocks that are not tool calls we announced
			 * (e.g. mcp_tool_use) have nowhere to go */
			if (!st->in_block || st->block != idx || st->tool < 0 || !xlate_nonempty_str(d, v))
				return 0;
			st->args_sent = true;
			return xlate_emit_tool(&x->e, st->tool, NULL, -1, -1, json_raw(d, v));
		}
		return 0; /* signature_delta, citations_delta, ... */
	}
	if (IS("content_block_stop")) {
		xlate_get_u64(d, 0, "index", &idx);
		return st->in_block && st->block == idx ? close_block(x) : 0;
	}
	if (IS("message_delta")) {
		int sr = xlate_get(d, xlate_get(d, 0, "delta"), "stop_reason");
		update_usage(st, d, xlate_get(d, 0, "usage"));
		if (xlate_is_str(d, sr) && !st->finish_sent) {
			int rc = close_block(x);
			return rc ? rc : xlate_emit_finish(&x->e, map_stop(d, sr));
		}
		return 0;
	}
	if (IS("message_stop"))
		return on_stop(x);
	if (IS("error")) {
		if (!error_from(d, 0, x->a, XLATE_E_STREAMING, "unknown Anthropic streaming error", x->err))
			xlate_err_set(x->err, XLATE_E_STREAMING, "unknown Anthropic streaming error");
		x->upstream_error = true;
		return ERR_INVAL;
	}
	return 0; /* ping, unknown */
#undef IS
}

int xlate_anthropic_stream_feed(xlate_anthropic_stream *st, str type, str data, arena *scratch, buf *out,
				xlate_err *err)
{
	xlate_anthropic_stream save = *st;
	json_doc doc;
	sx x = { .st = st, .a = scratch, .err = err, .e = XLATE_EMIT_INIT(st, out, &save) };
	int rc = xlate_emit_feed(&x.e, "Anthropic", data, scratch, &doc, err);

	if (rc == XLATE_EV_DONE)
		rc = on_stop(&x);
	else if (rc == XLATE_EV_JSON)
		rc = stream_event(&x, type, &doc);
	else
		return rc; /* nothing to do, or an error made sticky */
	return xlate_emit_leave(&x.e, rc, x.upstream_error, err);
}

int xlate_anthropic_stream_end(xlate_anthropic_stream *st, buf *out, xlate_err *err)
{
	xlate_anthropic_stream save = *st;
	xlate_emit e = XLATE_EMIT_INIT(st, out, &save);
	return xlate_emit_end(&e, "Anthropic", "message", err);
}
