/* xlate.c — the pieces shared by the native translators: error filling,
 * the request/response frame, JSON lookups that treat null as absent, value
 * re-serialisation, message roles and turns, tool call and embeddings
 * writers, the OpenAI chat.completion.chunk framing and the stream-call
 * frame (chunk emitter, sticky error, save/restore). Pure. */
#include "providers/xlate.h"
#include "base/b64.h"
#include "base/err.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t xlate_strlcpy(char *dst, size_t cap, str s)
{
	size_t o = 0, i = 0;
	if (!dst || !cap)
		return 0;
	while (i < s.n) {
		int k = json_utf8_seq((const unsigned char *)s.p + i, s.n - i);
		size_t take = k > 0 ? (size_t)k : 1;
		if (o + (k > 0 ? take : 1) >= cap)
			break;
		if (k > 0)
			memcpy(dst + o, s.p + i, take), o += take;
		else
			dst[o++] = '?', take = (size_t)-k;
		i += take;
	}
	dst[o] = '\0';
	return o;
}

void xlate_err_set(xlate_err *e, xlate_kind kind, const char *fmt, ...)
{
	char tmp[XLATE_ERR_MSG_MAX * 2];
	va_list ap;
	int n;
	if (!e)
		return;
	e->kind = kind;
	e->status = 0;
	e->type[0] = '\0';
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof tmp)
		n = (int)sizeof tmp - 1;
	xlate_strlcpy(e->msg, sizeof e->msg, str_make(tmp, (size_t)n));
}

int xlate_fail_internal(xlate_err *e, int rc, const char *what)
{
	if (rc == ERR_TOOBIG)
		xlate_err_set(e, XLATE_E_INTERNAL, "%s exceeds the output size cap", what);
	else if (rc == ERR_NOMEM)
		xlate_err_set(e, XLATE_E_INTERNAL, "out of memory while writing %s", what);
	else
		xlate_err_set(e, XLATE_E_INTERNAL, "cannot write %s: %s", what, err_str(rc));
	return rc;
}

int xlate_parse_request(json_doc *d, const char *in, size_t n, arena *a, xlate_req_info *info, xlate_err *err)
{
	json_err je;
	int rc;
	if (info)
		memset(info, 0, sizeof *info);
	rc = json_parse_arena(d, a, in, n, NULL, &je);
	if (rc < 0) {
		if (rc == ERR_NOMEM)
			return xlate_fail_internal(err, rc, "the request");
		xlate_err_set(err, XLATE_E_BAD_REQUEST, "request body is not valid JSON: %s", je.msg);
		return ERR_INVAL;
	}
	if (json_typeof(d, 0) != JSON_OBJECT) {
		xlate_err_set(err, XLATE_E_BAD_REQUEST, "request body must be a JSON object");
		return ERR_INVAL;
	}
	return 0;
}

void xlate_chat_info(const json_doc *d, xlate_req_info *info)
{
	if (!info)
		return;
	int so = xlate_get(d, 0, "stream_options");
	info->stream = json_typeof(d, xlate_get(d, 0, "stream")) == JSON_TRUE;
	info->include_usage = json_typeof(d, xlate_get(d, so, "include_usage")) == JSON_TRUE;
}

int xlate_parse_response(json_doc *d, const char *in, size_t n, arena *a, const char *who, const char *what,
			 xlate_err *err)
{
	json_err je;
	int rc = json_parse_arena(d, a, in, n, NULL, &je);
	if (rc < 0) {
		if (rc == ERR_NOMEM)
			return xlate_fail_internal(err, rc, "the response");
		xlate_err_set(err, XLATE_E_SERIALIZATION, "invalid JSON from %s: %s", who, je.msg);
		return ERR_INVAL;
	}
	if (json_typeof(d, 0) != JSON_OBJECT) {
		xlate_err_set(err, XLATE_E_SERIALIZATION, "%s is not a JSON object", what);
		return ERR_INVAL;
	}
	return 0;
}

void xlate_writer(json_writer *w, buf *out)
{
	json_write_init(w, out, 0);
	w->max_depth = JSON_DEPTH_MAX;
}

int xlate_finish(json_writer *w, buf *out, size_t old, int rc, const char *what, xlate_err *err)
{
	if (rc != ERR_INVAL) {
		xlate_w_fail(w, rc);
		if ((rc = json_write_finish(w)))
			xlate_fail_internal(err, rc, what);
	}
	if (rc)
		buf_truncate(out, old);
	return rc;
}

int xlate_get(const json_doc *d, int obj, const char *key)
{
	if (obj < 0 || json_typeof(d, obj) != JSON_OBJECT)
		return -1;
	int v = json_get(d, obj, key);
	if (v < 0 || json_typeof(d, v) == JSON_NULL)
		return -1;
	return v;
}

bool xlate_get_str(const json_doc *d, int obj, const char *key, arena *a, str *out)
{
	int v = xlate_get(d, obj, key);
	*out = STR_NULL;
	if (v < 0 || json_typeof(d, v) != JSON_STRING)
		return false;
	return json_str(d, v, a, out) == 0;
}

bool xlate_str_is(const json_doc *d, int obj, const char *key, const char *s)
{
	int v = xlate_get(d, obj, key);
	return v >= 0 && json_str_eq(d, v, str_from(s));
}

bool xlate_get_u64(const json_doc *d, int obj, const char *key, uint64_t *out)
{
	int v = xlate_get(d, obj, key);
	*out = 0;
	if (v < 0 || json_u64(d, v, out) != 0) {
		*out = 0;
		return false;
	}
	return true;
}

int xlate_copy(json_writer *w, const json_doc *d, int i, arena *a)
{
	json_type t = json_typeof(d, i);
	int rc, k, v;
	json_iter it;
	if (t == JSON_NONE)
		return ERR_INVAL;
	if (t != JSON_OBJECT && t != JSON_ARRAY) {
		str r = json_raw(d, i);
		return json_write_raw(w, r.p, r.n);
	}
	rc = t == JSON_OBJECT ? json_write_obj_begin(w) : json_write_arr_begin(w);
	it = json_iter_begin(d, i);
	while (!rc && json_iter_next(d, &it, &k, &v)) {
		if (k >= 0) {
			str ks;
			rc = json_str(d, k, a, &ks);
			rc = rc ? rc : json_write_keyn(w, ks.p ? ks.p : "", ks.n);
		}
		if (!rc)
			rc = xlate_copy(w, d, v, a);
	}
	if (!rc)
		rc = t == JSON_OBJECT ? json_write_obj_end(w) : json_write_arr_end(w);
	return rc;
}

int xlate_write_usage(json_writer *w, const xlate_usage *u)
{
	int rc = json_write_key(w, "usage");
	rc = rc ? rc : json_write_obj_begin(w);
	rc = rc ? rc : json_write_kv_u64(w, "prompt_tokens", u->prompt_tokens);
	rc = rc ? rc : json_write_kv_u64(w, "completion_tokens", u->completion_tokens);
	rc = rc ? rc : json_write_kv_u64(w, "total_tokens", u->total_tokens);
	if (!rc && u->cached_tokens) {
		rc = json_write_key(w, "prompt_tokens_details");
		rc = rc ? rc : json_write_obj_begin(w);
		rc = rc ? rc : json_write_kv_u64(w, "cached_tokens", u->cached_tokens);
		rc = rc ? rc : json_write_obj_end(w);
	}
	return rc ? rc : json_write_obj_end(w);
}

static int chunk_head(json_writer *w, str id, int64_t created, str model)
{
	int rc = json_write_obj_begin(w);
	rc = rc ? rc : json_write_kv_strn(w, "id", id.p, id.n);
	rc = rc ? rc : json_write_kv_str(w, "object", "chat.completion.chunk");
	rc = rc ? rc : json_write_kv_i64(w, "created", created);
	rc = rc ? rc : json_write_kv_strn(w, "model", model.p, model.n);
	return rc ? rc : json_write_key(w, "choices");
}

int xlate_chunk_begin(json_writer *w, str id, int64_t created, str model, int64_t index)
{
	int rc = chunk_head(w, id, created, model);
	rc = rc ? rc : json_write_arr_begin(w);
	rc = rc ? rc : json_write_obj_begin(w);
	rc = rc ? rc : json_write_kv_i64(w, "index", index);
	rc = rc ? rc : json_write_key(w, "delta");
	return rc ? rc : json_write_obj_begin(w);
}

int xlate_chunk_end(json_writer *w, const char *finish_reason, const xlate_usage *u)
{
	int rc = json_write_obj_end(w);
	if (!rc)
		rc = finish_reason ? json_write_kv_str(w, "finish_reason", finish_reason)
		                   : json_write_kv_null(w, "finish_reason");
	rc = rc ? rc : json_write_obj_end(w);
	rc = rc ? rc : json_write_arr_end(w);
	if (!rc && u)
		rc = xlate_write_usage(w, u);
	return rc ? rc : json_write_obj_end(w);
}

int xlate_chunk_usage(json_writer *w, str id, int64_t created, str model, const xlate_usage *u)
{
	int rc = chunk_head(w, id, created, model);
	rc = rc ? rc : json_write_arr_begin(w);
	rc = rc ? rc : json_write_arr_end(w);
	rc = rc ? rc : xlate_write_usage(w, u);
	return rc ? rc : json_write_obj_end(w);
}

void xlate_w_raw(json_writer *w, const json_doc *d, int i)
{
	str r = json_raw(d, i);
	json_write_raw(w, r.p, r.n);
}

void xlate_w_kraw(json_writer *w, const char *key, const json_doc *d, int i)
{
	json_write_key(w, key);
	xlate_w_raw(w, d, i);
}

void xlate_w_kstr(json_writer *w, const char *key, str s)
{
	json_write_kv_strn(w, key, s.p ? s.p : "", s.n);
}

void xlate_w_kstr_tok(json_writer *w, const char *key, const json_doc *d, int t)
{
	if (xlate_is_str(d, t))
		xlate_w_kraw(w, key, d, t);
	else
		json_write_kv_str(w, key, "");
}

void xlate_w_key(json_writer *w, const json_doc *d, int k, arena *a)
{
	str ks;
	int rc = json_str(d, k, a, &ks);
	if (rc)
		xlate_w_fail(w, rc);
	else
		json_write_keyn(w, ks.p ? ks.p : "", ks.n);
}

void xlate_w_member(json_writer *w, const json_doc *d, int k, int v, arena *a)
{
	xlate_w_key(w, d, k, a);
	xlate_w_raw(w, d, v);
}

void xlate_w_empty_obj(json_writer *w)
{
	json_write_obj_begin(w);
	json_write_obj_end(w);
}

void xlate_w_strings(json_writer *w, const json_doc *d, int v)
{
	int s;
	json_write_arr_begin(w);
	if (xlate_is_str(d, v)) {
		xlate_w_raw(w, d, v);
	} else {
		json_iter it = json_iter_begin(d, xlate_arr(d, v));
		while (json_iter_next(d, &it, NULL, &s))
			if (xlate_is_str(d, s))
				xlate_w_raw(w, d, s);
	}
	json_write_arr_end(w);
}

str xlate_join_strs(const json_doc *d, int arr, const char *field, xlate_keep_fn keep,
		    const void *ud, arena *a, int *rc)
{
	size_t len = 0;
	int el;
	json_iter it = json_iter_begin(d, arr);
	*rc = 0;
	while (json_iter_next(d, &it, NULL, &el)) {
		int t = xlate_get(d, el, field);
		if (xlate_is_str(d, t) && (!keep || keep(d, el, ud)))
			len += json_raw(d, t).n - 2;
	}
	if (!len)
		return STR_NULL;
	char *s = arena_alloc(a, len + 2), *o = s;
	if (!s) {
		*rc = ERR_NOMEM;
		return STR_NULL;
	}
	*o++ = '"';
	it = json_iter_begin(d, arr);
	while (json_iter_next(d, &it, NULL, &el)) {
		int t = xlate_get(d, el, field);
		if (xlate_is_str(d, t) && (!keep || keep(d, el, ud))) {
			str raw = json_raw(d, t);
			memcpy(o, raw.p + 1, raw.n - 2);
			o += raw.n - 2;
		}
	}
	*o = '"';
	return str_make(s, len + 2);
}

int xlate_w_args(json_writer *w, const json_doc *d, int i, arena *a, size_t cap)
{
	buf tb = { 0 };
	json_writer cw;
	int rc = 0;
	tb.cap = cap;
	json_write_init(&cw, &tb, 0);
	cw.max_depth = JSON_DEPTH_MAX;
	if (i >= 0) {
		rc = xlate_copy(&cw, d, i, a);
	} else {
		json_write_obj_begin(&cw);
		json_write_obj_end(&cw);
	}
	if (!rc)
		rc = json_write_finish(&cw);
	if (!rc)
		rc = json_write_strn(w, tb.data ? tb.data : "", tb.len);
	else if (!w->err)
		w->err = rc;
	buf_free(&tb);
	return rc;
}

int xlate_w_tool_call(json_writer *w, const json_doc *d, int id, int name, int args, arena *a, size_t cap)
{
	json_write_obj_begin(w);
	xlate_w_kstr_tok(w, "id", d, id);
	json_write_kv_str(w, "type", "function");
	json_write_key(w, "function");
	json_write_obj_begin(w);
	xlate_w_kstr_tok(w, "name", d, name);
	json_write_key(w, "arguments");
	int rc = xlate_w_args(w, d, args, a, cap);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return rc;
}

void xlate_set_fixed(char *dst, size_t cap, uint16_t *len, str s)
{
	if (s.n < cap) {
		if (s.n)
			memcpy(dst, s.p, s.n);
		dst[s.n] = '\0';
		*len = (uint16_t)s.n;
	}
}

int xlate_stream_event(str data, arena *scratch, json_doc *doc, const char *who, xlate_err *err)
{
	json_err je;
	str t = str_trim(data);
	if (!t.n)
		return XLATE_EV_SKIP;
	if (str_eq(t, STR_LIT("[DONE]")))
		return XLATE_EV_DONE;
	int rc = json_parse_arena(doc, scratch, data.p, data.n, NULL, &je);
	if (rc < 0) {
		if (rc == ERR_NOMEM)
			return xlate_fail_internal(err, rc, "the stream event");
		xlate_err_set(err, XLATE_E_STREAMING, "failed to parse %s SSE event: %s", who, je.msg);
		return ERR_INVAL;
	}
	return json_typeof(doc, 0) == JSON_OBJECT ? XLATE_EV_JSON : XLATE_EV_SKIP;
}

/* ---- request pieces ---------------------------------------------------------- */

int xlate_w_args_object(json_writer *w, str args, unsigned flags, size_t mi, size_t ti, arena *a,
			xlate_err *err)
{
	json_doc ad;
	json_err je;
	int rc = 0;
	if (str_trim(args).n) {
		rc = json_parse_arena(&ad, a, args.p, args.n, NULL, &je);
		if (rc == ERR_NOMEM)
			return rc;
		if (rc > 0 && json_typeof(&ad, 0) == JSON_OBJECT)
			return xlate_copy(w, &ad, 0, a) == ERR_NOMEM ? ERR_NOMEM : 0;
		if (flags & XLATE_F_STRICT_ARGS) {
			xlate_err_set(err, XLATE_E_BAD_REQUEST,
				      "messages[%zu].tool_calls[%zu].function.arguments is not a JSON object: %s", mi,
				      ti, rc > 0 ? json_type_name(json_typeof(&ad, 0)) : je.msg);
			return ERR_INVAL;
		}
	}
	json_write_obj_begin(w);
	json_write_obj_end(w);
	return 0;
}

xlate_role xlate_role_of(const json_doc *d, int m)
{
	int r = xlate_get(d, m, "role");
	if (xlate_tok_is(d, r, "system") || xlate_tok_is(d, r, "developer"))
		return XLATE_ROLE_SYSTEM;
	if (xlate_tok_is(d, r, "user"))
		return XLATE_ROLE_USER;
	if (xlate_tok_is(d, r, "assistant"))
		return XLATE_ROLE_ASSISTANT;
	if (xlate_tok_is(d, r, "tool"))
		return XLATE_ROLE_TOOL;
	if (xlate_tok_is(d, r, "function"))
		return XLATE_ROLE_FUNCTION;
	return XLATE_ROLE_BAD;
}

int xlate_check_messages(const json_doc *d, int msgs, arena *a, xlate_err *err)
{
	size_t mi = 0;
	int m;
	if (json_typeof(d, msgs) != JSON_ARRAY || json_size(d, msgs) == 0) {
		xlate_err_set(err, XLATE_E_BAD_REQUEST, "messages array must not be empty");
		return ERR_INVAL;
	}
	json_iter it = json_iter_begin(d, msgs);
	while (json_iter_next(d, &it, NULL, &m)) {
		if (json_typeof(d, m) != JSON_OBJECT) {
			xlate_err_set(err, XLATE_E_BAD_REQUEST, "messages[%zu] is not an object", mi);
			return ERR_INVAL;
		}
		if (xlate_role_of(d, m) == XLATE_ROLE_BAD) {
			str rs;
			if (!xlate_get_str(d, m, "role", a, &rs)) {
				xlate_err_set(err, XLATE_E_BAD_REQUEST, "messages[%zu] has no role", mi);
				return ERR_INVAL;
			}
			xlate_err_set(err, XLATE_E_BAD_REQUEST, "messages[%zu] has an unsupported role '%.*s'", mi,
				      (int)(rs.n > 64 ? 64 : rs.n), rs.p);
			return ERR_INVAL;
		}
		mi++;
	}
	return 0;
}

void xlate_turn(xlate_turns *t, bool assistant)
{
	int side = assistant ? 2 : 1;
	if (t->cur == side)
		return;
	xlate_turn_end(t);
	json_write_obj_begin(t->w);
	json_write_kv_str(t->w, "role", assistant ? t->assistant : "user");
	json_write_key(t->w, t->key);
	json_write_arr_begin(t->w);
	t->cur = side;
}

void xlate_turn_end(xlate_turns *t)
{
	if (t->cur) {
		json_write_arr_end(t->w);
		json_write_obj_end(t->w);
	}
	t->cur = 0;
}

bool xlate_data_url(str url, str *mt, str *data, bool *base64)
{
	str head;
	if (!str_starts_with_nocase(url, STR_LIT("data:")) || !str_cut(url, ',', &head, data))
		return false;
	head = str_slice(head, 5, head.n);
	*base64 = false;
	str rest = head;
	ptrdiff_t semi = str_index(head, ';');
	*mt = semi < 0 ? head : str_slice(head, 0, (size_t)semi);
	while (semi >= 0) {
		rest = str_slice(rest, (size_t)semi + 1, rest.n);
		semi = str_index(rest, ';');
		str param = semi < 0 ? rest : str_slice(rest, 0, (size_t)semi);
		if (str_eq_nocase(str_trim(param), STR_LIT("base64")))
			*base64 = true;
	}
	*mt = str_trim(*mt);
	return true;
}

int xlate_rf_instruction(const json_doc *d, int rf, arena *a, buf *tb)
{
	size_t old = tb->len;
	int rc;
	if (xlate_str_is(d, rf, "type", "json_object")) {
		rc = buf_puts(tb, "Respond with valid JSON only. Do not include any text outside the JSON object.");
		return rc ? rc : 1;
	}
	int js = xlate_get(d, rf, "json_schema");
	if (!xlate_str_is(d, rf, "type", "json_schema") || js < 0)
		return 0;
	str name;
	if (!xlate_get_str(d, js, "name", a, &name))
		name = STR_LIT("output");
	rc = buf_puts(tb, "Respond with valid JSON matching the following schema named '");
	if (!rc)
		rc = buf_append(tb, name.p, name.n);
	if (!rc)
		rc = buf_puts(tb, "':\n```json\n");
	if (!rc) {
		int schema = xlate_get(d, js, "schema");
		json_writer pw;
		json_write_init(&pw, tb, JSON_W_PRETTY);
		pw.max_depth = JSON_DEPTH_MAX;
		if (schema >= 0)
			xlate_copy(&pw, d, schema, a);
		else
			json_write_obj_begin(&pw), json_write_obj_end(&pw);
		rc = json_write_finish(&pw);
	}
	if (!rc)
		rc = buf_puts(tb, "\n```\nDo not include any text outside the JSON object.");
	if (rc)
		buf_truncate(tb, old);
	return rc ? rc : 1;
}

/* ---- embeddings ------------------------------------------------------------ */

int xlate_embed_input(const json_doc *d, const char *who, xlate_err *err)
{
	int input = xlate_get(d, 0, "input"), v;
	size_t count = 0;
	if (xlate_is_str(d, input)) {
		count = 1;
	} else if (json_typeof(d, input) == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, input);
		while (json_iter_next(d, &it, NULL, &v)) {
			if (!xlate_is_str(d, v)) {
				xlate_err_set(err, XLATE_E_BAD_REQUEST, "input[%zu]: %s embeddings take text, not %s", count,
					      who, json_type_name(json_typeof(d, v)));
				return ERR_INVAL;
			}
			count++;
		}
	}
	if (!count) {
		xlate_err_set(err, XLATE_E_BAD_REQUEST, "input must be a non-empty string or array of strings");
		return ERR_INVAL;
	}
	return count > INT32_MAX ? INT32_MAX : (int)count;
}

void xlate_embed_begin(json_writer *w)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, "object", "list");
	json_write_key(w, "data");
	json_write_arr_begin(w);
}

/* The base64 of v's numbers as little-endian float32s (out of float range:
 * +-inf, as the cast gives), as a JSON string. */
static void w_float32_b64(json_writer *w, const json_doc *d, int v, size_t cap)
{
	buf raw = { 0 }, enc = { 0 };
	int rc = 0, x;
	json_iter it = json_iter_begin(d, v);
	raw.cap = enc.cap = cap;
	while (!rc && json_iter_next(d, &it, NULL, &x)) {
		double dv = 0;
		json_double(d, x, &dv);
		float f = (float)dv;
		uint32_t bits;
		unsigned char le[4];
		memcpy(&bits, &f, 4);
		for (int k = 0; k < 4; k++)
			le[k] = (unsigned char)(bits >> (8 * k));
		rc = buf_append(&raw, le, 4);
	}
	if (!rc)
		rc = b64_encode_buf(&enc, raw.data ? raw.data : "", raw.len, B64_STD);
	if (!rc)
		json_write_strn(w, enc.data ? enc.data : "", enc.len);
	buf_free(&raw);
	buf_free(&enc);
	xlate_w_fail(w, rc);
}

int xlate_embed_item(json_writer *w, const json_doc *d, int v, uint64_t index, bool base64, size_t cap)
{
	int x;
	json_iter it = json_iter_begin(d, v);
	json_write_obj_begin(w);
	json_write_kv_str(w, "object", "embedding");
	json_write_kv_u64(w, "index", index);
	json_write_key(w, "embedding");
	if (json_typeof(d, v) != JSON_ARRAY)
		return ERR_INVAL;
	while (json_iter_next(d, &it, NULL, &x))
		if (json_typeof(d, x) != JSON_NUMBER)
			return ERR_INVAL;
	if (base64)
		w_float32_b64(w, d, v, cap);
	else
		xlate_w_raw(w, d, v);
	json_write_obj_end(w);
	return 0;
}

void xlate_embed_end(json_writer *w, str model, uint64_t tokens)
{
	json_write_arr_end(w);
	xlate_w_kstr(w, "model", model);
	json_write_key(w, "usage");
	json_write_obj_begin(w);
	json_write_kv_u64(w, "prompt_tokens", tokens);
	json_write_kv_u64(w, "total_tokens", tokens);
	json_write_obj_end(w);
	json_write_obj_end(w);
}

/* ---- stream chunk emitter --------------------------------------------------- */

static str emit_id(const xlate_emit *e)
{
	return str_make(e->id, *e->id_len);
}

static str emit_model(const xlate_emit *e)
{
	return str_make(e->model, *e->model_len);
}

/* End the chunk in e->w with '\n' and count it. */
static int emit_line(xlate_emit *e)
{
	int rc = json_write_finish(&e->w);
	if (!rc)
		rc = buf_putc(e->out, '\n');
	if (!rc)
		e->count++;
	return rc;
}

json_writer *xlate_emit_open(xlate_emit *e, int64_t index)
{
	json_write_init(&e->w, e->out, 0);
	e->w.max_depth = JSON_DEPTH_MAX;
	xlate_chunk_begin(&e->w, emit_id(e), *e->created, emit_model(e), index);
	return &e->w;
}

int xlate_emit_close(xlate_emit *e, const char *finish, const xlate_usage *u)
{
	xlate_chunk_end(&e->w, finish, u);
	return emit_line(e);
}

int xlate_emit_start(xlate_emit *e)
{
	if (*e->started)
		return 0;
	json_writer *w = xlate_emit_open(e, 0);
	json_write_kv_str(w, "role", "assistant");
	json_write_kv_str(w, "content", "");
	*e->started = true;
	return xlate_emit_close(e, NULL, NULL);
}

int xlate_emit_finish(xlate_emit *e, const char *finish)
{
	int rc = xlate_emit_start(e);
	if (rc)
		return rc;
	xlate_emit_open(e, 0);
	*e->finish_reason = finish;
	*e->finish_sent = true;
	return xlate_emit_close(e, finish, *e->include_usage ? NULL : e->usage);
}

int xlate_emit_usage(xlate_emit *e)
{
	if (!*e->include_usage || *e->usage_sent)
		return 0;
	json_write_init(&e->w, e->out, 0);
	xlate_chunk_usage(&e->w, emit_id(e), *e->created, emit_model(e), e->usage);
	*e->usage_sent = true;
	return emit_line(e);
}

int xlate_emit_done(xlate_emit *e, const char *finish)
{
	int rc = *e->finish_sent ? 0 : xlate_emit_finish(e, finish);
	if (!rc)
		rc = xlate_emit_usage(e);
	*e->done = true;
	return rc;
}

int xlate_emit_delta(xlate_emit *e, const char *key, str raw)
{
	int rc = xlate_emit_start(e);
	if (rc)
		return rc;
	json_write_kv_raw(xlate_emit_open(e, 0), key, raw.p, raw.n);
	return xlate_emit_close(e, NULL, NULL);
}

int xlate_emit_tool(xlate_emit *e, int64_t index, const json_doc *d, int id, int name, str args)
{
	int rc = xlate_emit_start(e);
	if (rc)
		return rc;
	json_writer *w = xlate_emit_open(e, 0);
	json_write_key(w, "tool_calls");
	json_write_arr_begin(w);
	json_write_obj_begin(w);
	json_write_kv_i64(w, "index", index);
	if (d) {
		xlate_w_kstr_tok(w, "id", d, id);
		json_write_kv_str(w, "type", "function");
	}
	json_write_key(w, "function");
	json_write_obj_begin(w);
	if (d)
		xlate_w_kstr_tok(w, "name", d, name);
	if (args.n)
		json_write_kv_raw(w, "arguments", args.p, args.n);
	else
		json_write_kv_str(w, "arguments", "");
	json_write_obj_end(w);
	json_write_obj_end(w);
	json_write_arr_end(w);
	return xlate_emit_close(e, NULL, NULL);
}

/* ---- the frame of a stream call ------------------------------------------------ */

void xlate_emit_reset(xlate_emit *e, const xlate_ctx *cx)
{
	memset(e->st, 0, e->size);
	if (!cx)
		return;
	*e->created = cx->created;
	*e->include_usage = cx->include_usage;
	xlate_set_fixed(e->id, e->id_cap, e->id_len, cx->id);
	xlate_set_fixed(e->model, e->model_cap, e->model_len, cx->model);
}

/* ERR_STATE after an error, 1 when the stream ended, else 0 (out's length noted). */
static int emit_enter(xlate_emit *e, const char *who, xlate_err *err)
{
	if (*e->rc) {
		xlate_err_set(err, XLATE_E_STREAMING, "the %s stream already failed", who);
		return ERR_STATE;
	}
	if (*e->done)
		return 1;
	e->old = e->out->len;
	return 0;
}

int xlate_emit_feed(xlate_emit *e, const char *who, str data, arena *scratch, json_doc *doc, xlate_err *err)
{
	int rc = emit_enter(e, who, err);
	if (rc)
		return rc < 0 ? rc : XLATE_EV_SKIP;
	rc = xlate_stream_event(data, scratch, doc, who, err);
	return rc < 0 ? xlate_emit_leave(e, rc, true, err) : rc;
}

int xlate_emit_end_begin(xlate_emit *e, const char *who, const char *what, bool complete, xlate_err *err)
{
	int rc = emit_enter(e, who, err);
	if (rc || complete)
		return rc;
	xlate_err_set(err, XLATE_E_STREAMING, "%s stream ended before the %s was complete", who, what);
	return xlate_emit_leave(e, ERR_INVAL, true, err);
}

int xlate_emit_end(xlate_emit *e, const char *who, const char *what, xlate_err *err)
{
	int rc = xlate_emit_end_begin(e, who, what, *e->finish_sent, err);
	if (rc)
		return rc < 0 ? rc : 0;
	return xlate_emit_leave(e, xlate_emit_done(e, NULL), false, err);
}

int xlate_emit_leave(xlate_emit *e, int rc, bool filled, xlate_err *err)
{
	if (!rc)
		return e->count;
	if (!filled)
		xlate_fail_internal(err, rc, "the stream chunk");
	memcpy(e->st, e->save, e->size);
	*e->rc = rc;
	buf_truncate(e->out, e->old);
	return rc;
}

int xlate_status_of(str name, const xlate_status *map, size_t n, bool nocase)
{
	for (size_t i = 0; i < n; i++)
		if (nocase ? str_eq_nocase(name, str_from(map[i].name)) : str_eq_cstr(name, map[i].name))
			return map[i].status;
	return 0;
}
