/* gateway_body.c — the operation table (one row per model-routed route),
 * request-body checks (JSON types of the known fields; unknown fields pass:
 * documented departure) and the upstream body rewrite (model id, parameter
 * renames, extra_body merge); for form operations (transcriptions) the same
 * checks over multipart/form-data and the upstream form (the client's parts
 * kept byte for byte, or JSON with a base64 file converted). */
#include "gateway/gateway_private.h"
#include "base/b64.h"
#include "base/err.h"
#include "base/rand.h"
#include "json/json_write.h"
#include <stdio.h>
#include <string.h>

#define T(t) (1u << (t))
#define TNULL T(JSON_NULL)
#define TSTR T(JSON_STRING)
#define TNUM T(JSON_NUMBER)
#define TINT (1u << 12)               /* a number with an integral value */
#define TBOOL (T(JSON_TRUE) | T(JSON_FALSE))
#define TARR T(JSON_ARRAY)
#define TOBJ T(JSON_OBJECT)
#define TANY 0xfffu
#define TFILE (1u << 13)              /* a file: a file part in a form, base64 text in JSON */

static const gateway_field chat_fields[] = {
	{ "model", TSTR, true }, { "messages", TARR, true },
	{ "temperature", TNUM | TNULL, false }, { "top_p", TNUM | TNULL, false },
	{ "n", TINT | TNULL, false }, { "stream", TBOOL | TNULL, false },
	{ "stop", TSTR | TARR | TNULL, false }, { "max_tokens", TINT | TNULL, false },
	{ "presence_penalty", TNUM | TNULL, false }, { "frequency_penalty", TNUM | TNULL, false },
	{ "logit_bias", TOBJ | TNULL, false }, { "user", TSTR | TNULL, false },
	{ "tools", TARR | TNULL, false }, { "tool_choice", TSTR | TOBJ | TNULL, false },
	{ "parallel_tool_calls", TBOOL | TNULL, false }, { "response_format", TOBJ | TNULL, false },
	{ "stream_options", TOBJ | TNULL, false }, { "seed", TINT | TNULL, false },
	{ "reasoning_effort", TSTR | TNULL, false }, { "modalities", TARR | TNULL, false },
	{ "logprobs", TBOOL | TNULL, false }, { "top_logprobs", TINT | TNULL, false },
	{ "max_completion_tokens", TINT | TNULL, false }, { "service_tier", TSTR | TNULL, false },
	{ "store", TBOOL | TNULL, false }, { "metadata", TOBJ | TNULL, false },
	{ "prediction", TOBJ | TNULL, false }, { "audio", TOBJ | TNULL, false },
	{ "web_search_options", TOBJ | TNULL, false }, { "extra_body", TANY, false },
	{ NULL, 0, false },
};
static const gateway_field embed_fields[] = {
	{ "model", TSTR, true }, { "input", TSTR | TARR, true },
	{ "encoding_format", TSTR | TNULL, false }, { "dimensions", TINT | TNULL, false },
	{ "user", TSTR | TNULL, false }, { NULL, 0, false },
};
static const gateway_field image_fields[] = {
	{ "prompt", TSTR, true }, { "model", TSTR | TNULL, false }, { "n", TINT | TNULL, false },
	{ "size", TSTR | TNULL, false }, { "quality", TSTR | TNULL, false }, { "style", TSTR | TNULL, false },
	{ "response_format", TSTR | TNULL, false }, { "user", TSTR | TNULL, false }, { NULL, 0, false },
};
static const gateway_field speech_fields[] = {
	{ "model", TSTR, true }, { "input", TSTR, true }, { "voice", TSTR, true },
	{ "response_format", TSTR | TNULL, false }, { "speed", TNUM | TNULL, false }, { NULL, 0, false },
};
static const gateway_field transcr_fields[] = {
	{ "model", TSTR, true }, { "file", TSTR | TFILE, true }, { "language", TSTR | TNULL, false },
	{ "prompt", TSTR | TNULL, false }, { "response_format", TSTR | TNULL, false },
	{ "temperature", TNUM | TNULL, false }, { "timestamp_granularities", TARR | TNULL, false },
	{ "filename", TSTR | TNULL, false }, { NULL, 0, false },
};
static const gateway_field moder_fields[] = {
	{ "input", TSTR | TARR, true }, { "model", TSTR | TNULL, false }, { NULL, 0, false },
};
static const gateway_field rerank_fields[] = {
	{ "model", TSTR, true }, { "query", TSTR, true }, { "documents", TARR, true },
	{ "top_n", TINT | TNULL, false }, { "return_documents", TBOOL | TNULL, false }, { NULL, 0, false },
};
static const gateway_field search_fields[] = {
	{ "model", TSTR, true }, { "query", TSTR, true }, { "max_results", TINT | TNULL, false },
	{ "search_domain_filter", TARR | TNULL, false }, { "country", TSTR | TNULL, false }, { NULL, 0, false },
};
static const gateway_field ocr_fields[] = {
	{ "model", TSTR, true }, { "document", TOBJ, true }, { "pages", TARR | TNULL, false },
	{ "include_image_base64", TBOOL | TNULL, false }, { NULL, 0, false },
};

static const gateway_op ops[GATEWAY_OP__COUNT] = {
	{ GATEWAY_OP_CHAT, "chat", "/v1/chat/completions", PROVIDER_OP_CHAT, NULL, true, chat_fields, false },
	{ GATEWAY_OP_EMBEDDINGS, "embeddings", "/v1/embeddings", PROVIDER_OP_EMBEDDINGS, NULL, false, embed_fields,
	  false },
	{ GATEWAY_OP_IMAGES, "image_generation", "/v1/images/generations", PROVIDER_OP_IMAGES, "dall-e-3", false,
	  image_fields, false },
	{ GATEWAY_OP_SPEECH, "speech", "/v1/audio/speech", PROVIDER_OP_SPEECH, NULL, false, speech_fields, false },
	{ GATEWAY_OP_TRANSCRIPTIONS, "transcription", "/v1/audio/transcriptions", PROVIDER_OP_TRANSCRIPTIONS, NULL,
	  false, transcr_fields, true },
	{ GATEWAY_OP_MODERATIONS, "moderation", "/v1/moderations", PROVIDER_OP_MODERATIONS, "text-moderation-stable",
	  false, moder_fields, false },
	{ GATEWAY_OP_RERANK, "rerank", "/v1/rerank", PROVIDER_OP_RERANK, NULL, false, rerank_fields, false },
	{ GATEWAY_OP_SEARCH, "search", "/v1/search", PROVIDER_OP_SEARCH, NULL, false, search_fields, false },
	{ GATEWAY_OP_OCR, "ocr", "/v1/ocr", PROVIDER_OP_OCR, NULL, false, ocr_fields, false },
};

const gateway_op *gateway_op_get(gateway_op_id id)
{
	return (unsigned)id < GATEWAY_OP__COUNT ? &ops[id] : NULL;
}

static const char *expected(unsigned types)
{
	types &= ~TFILE;
	if (types & TINT)
		return "an integer";
	if ((types & ~TNULL) == TSTR)
		return "a string";
	if ((types & ~TNULL) == TNUM)
		return "a number";
	if ((types & ~TNULL) == TBOOL)
		return "a boolean";
	if ((types & ~TNULL) == TARR)
		return "a sequence";
	if ((types & ~TNULL) == TOBJ)
		return "a map";
	if ((types & ~TNULL) == (TSTR | TARR))
		return "a string or a sequence";
	return "a string or a map";
}

static bool type_ok(const json_doc *d, int v, unsigned types)
{
	json_type t = json_typeof(d, v);
	if (types & T(t))
		return true;
	if ((types & TINT) && t == JSON_NUMBER) {
		int64_t i;
		return json_i64(d, v, &i) == 0;
	}
	return false;
}

static int check_messages(const json_doc *d, int msgs, gateway_error *e)
{
	static const char *const roles[] = { "system", "user", "assistant", "tool", "developer", "function" };
	json_iter it = json_iter_begin(d, msgs);
	int v;
	size_t i = 0;
	while (json_iter_next(d, &it, NULL, &v)) {
		if (json_typeof(d, v) != JSON_OBJECT)
			return gateway_fail(e, GATEWAY_BAD_REQUEST, "messages[%zu]: invalid type: %s, expected a message object",
					    i, json_type_name(json_typeof(d, v)));
		int r = json_get(d, v, "role");
		if (r < 0)
			return gateway_fail(e, GATEWAY_BAD_REQUEST, "messages[%zu]: missing field `role`", i);
		bool ok = false;
		for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
			ok = ok || json_str_eq(d, r, str_from(roles[k]));
		if (!ok) {
			str raw = json_raw(d, r);
			return gateway_fail(e, GATEWAY_BAD_REQUEST,
					    "messages[%zu]: unknown variant %.*s, expected one of `system`, `user`, "
					    "`assistant`, `tool`, `developer`, `function`",
					    i, (int)(raw.n > 64 ? 64 : raw.n), raw.p);
		}
		i++;
	}
	return 0;
}

int gateway_body_check(const gateway_op *op, str body, arena *a, gateway_body *out, gateway_error *e)
{
	memset(out, 0, sizeof *out);
	json_err je;
	gateway_kind schema = op->chat ? GATEWAY_BAD_REQUEST : GATEWAY_UNPROCESSABLE;
	if (json_parse_arena(&out->doc, a, body.p ? body.p : "", body.n, NULL, &je) < 0) {
		if (je.code == ERR_NOMEM)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "Failed to parse the request body as JSON: %s", je.msg);
	}
	const json_doc *d = &out->doc;
	if (json_typeof(d, 0) != JSON_OBJECT)
		return gateway_fail(e, schema, "invalid type: %s, expected struct %s request",
				    json_type_name(json_typeof(d, 0)), op->name);
	if (op->chat) {
		int m = json_get(d, 0, "model");
		if (m < 0 || json_typeof(d, m) != JSON_STRING)
			return gateway_fail(e, GATEWAY_BAD_REQUEST, "missing 'model' field");
	}
	for (const gateway_field *f = op->fields; f->name; f++) {
		int v = json_get(d, 0, f->name);
		if (v < 0) {
			if (f->required)
				return gateway_fail(e, schema, "missing field `%s`", f->name);
			continue;
		}
		if (!type_ok(d, v, f->types))
			return gateway_fail(e, schema, "invalid type for `%s`: %s, expected %s", f->name,
					    json_type_name(json_typeof(d, v)), expected(f->types));
	}
	if (op->chat) {
		out->chat = true;
		int msgs = json_get(d, 0, "messages");
		if (check_messages(d, msgs, e) < 0)
			return -1;
		int s = json_get(d, 0, "stream");
		bool st = false;
		if (s >= 0 && json_bool(d, s, &st) == 0)
			out->stream = st;
	}
	int m = json_get(d, 0, "model");
	if (m >= 0 && json_typeof(d, m) == JSON_STRING) {
		if (json_str(d, m, a, &out->model) < 0)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
	} else if (op->default_model) {
		out->model = str_from(op->default_model);
	} else {
		return gateway_fail(e, schema, "missing field `model`");
	}
	return 0;
}

/* Is key k (token of doc d) overridden by a later rewrite? */
static bool in_extra(const json_doc *d, int extra, int k)
{
	if (extra < 0)
		return false;
	str raw;
	json_str_raw(d, k, &raw);
	json_iter it = json_iter_begin(d, extra);
	int ek;
	while (json_iter_next(d, &it, &ek, NULL)) {
		str er;
		json_str_raw(d, ek, &er);
		if (str_eq(er, raw) && !str_eq_cstr(er, "stream"))
			return true;
	}
	return false;
}

static void write_key(json_writer *w, const json_doc *d, int k)
{
	char tmp[4096];
	int n = json_str_copy(d, k, tmp, sizeof tmp);
	if (n < 0) {
		w->err = w->err ? w->err : ERR_TOOBIG;
		return;
	}
	json_write_keyn(w, tmp, (size_t)n);
}

/* An Azure o-series deployment: o1, o3, o4, alone or followed by '-' / '.'. */
static bool azure_o_series(str m, const char *which)
{
	size_t n = strlen(which);
	return m.n >= n && !memcmp(m.p, which, n) && (m.n == n || m.p[n] == '-' || m.p[n] == '.');
}

/* The adapter request transforms of providers.md on the OpenAI-compatible
 * path: a top-level key the adapter removes (Mistral: parameters it rejects;
 * Azure: the model, which is the deployment in the URL, and what o-series
 * deployments reject). extra_body members are merged after this, as is. */
static bool adapter_drops(const provider_target *t, str key)
{
	static const char *const mistral[] = { "parallel_tool_calls", "logit_bias", "presence_penalty",
					       "frequency_penalty" };
	if (t->adapter == PROVIDER_ADAPTER_MISTRAL) {
		for (size_t i = 0; i < sizeof mistral / sizeof mistral[0]; i++)
			if (str_eq_cstr(key, mistral[i]))
				return true;
	} else if (t->adapter == PROVIDER_ADAPTER_AZURE) {
		bool o1 = azure_o_series(t->model, "o1");
		bool o = o1 || azure_o_series(t->model, "o3") || azure_o_series(t->model, "o4");
		if (str_eq_cstr(key, "model") || (o && (str_eq_cstr(key, "temperature") || str_eq_cstr(key, "top_p"))))
			return true;
		return o1 && (str_eq_cstr(key, "stream") || str_eq_cstr(key, "stream_options"));
	}
	return false;
}

bool gateway_stream_dropped(const provider_target *t)
{
	return adapter_drops(t, STR_LIT("stream"));
}

int gateway_body_rewrite(const gateway_body *bd, const provider_target *t, buf *out)
{
	const json_doc *d = &bd->doc;
	json_writer w;
	json_write_init(&w, out, 0);
	json_write_obj_begin(&w);
	int extra = json_get(d, 0, "extra_body");
	if (extra >= 0 && json_typeof(d, extra) != JSON_OBJECT)
		extra = -1;
	if (json_get(d, 0, "model") < 0 && !adapter_drops(t, STR_LIT("model")))
		json_write_kv_strn(&w, "model", t->model.p, t->model.n);
	/* providers.md "Request construction" 1: chat always says whether it streams */
	bool put_stream = bd->chat && !adapter_drops(t, STR_LIT("stream"));
	json_iter it = json_iter_begin(d, 0);
	int k, v;
	while (json_iter_next(d, &it, &k, &v)) {
		str raw;
		json_str_raw(d, k, &raw);
		if (str_eq_cstr(raw, "extra_body") || adapter_drops(t, raw))
			continue;
		if (put_stream && str_eq_cstr(raw, "stream")) {
			json_write_key(&w, "stream"); /* in place; null -> false */
			json_write_bool(&w, bd->stream);
			put_stream = false;
			continue;
		}
		if (str_eq_cstr(raw, "model")) {
			json_write_kv_strn(&w, "model", t->model.p, t->model.n);
			continue;
		}
		if (in_extra(d, extra, k))
			continue;
		const char *to = provider_param_rename(t, raw);
		if (to) {
			json_write_key(&w, to);
		} else {
			/* a key that another one is renamed to is dropped (the rename overwrites) */
			bool shadowed = false;
			size_t nm = 0;
			const provider_param_map *pm = provider_param_maps(t, &nm);
			for (size_t i = 0; i < nm; i++)
				if (str_eq_cstr(raw, pm[i].to) && json_get(d, 0, pm[i].from) >= 0)
					shadowed = true;
			if (shadowed)
				continue;
			write_key(&w, d, k);
		}
		str rv = json_raw(d, v);
		if (t->adapter == PROVIDER_ADAPTER_MISTRAL && str_eq_cstr(raw, "tool_choice") &&
		    json_str_eq(d, v, STR_LIT("required")))
			rv = STR_LIT("\"any\""); /* Mistral's name for it */
		json_write_raw(&w, rv.p, rv.n);
	}
	if (put_stream) {
		json_write_key(&w, "stream");
		json_write_bool(&w, false);
	}
	if (extra >= 0) {
		json_iter ei = json_iter_begin(d, extra);
		while (json_iter_next(d, &ei, &k, &v)) {
			str raw;
			json_str_raw(d, k, &raw);
			if (str_eq_cstr(raw, "stream") && (bd->chat || json_get(d, 0, "stream") >= 0))
				continue;
			write_key(&w, d, k);
			str rv = json_raw(d, v);
			json_write_raw(&w, rv.p, rv.n);
		}
	}
	json_write_obj_end(&w);
	return json_write_finish(&w);
}

/* ---- Azure response fix (providers.md "Azure OpenAI", Response) ---------------- */

static bool azure_filtered(const json_doc *d, int ch)
{
	int fr = json_get(d, ch, "finish_reason"), cf = json_get(d, ch, "content_filter_results");
	return json_typeof(d, ch) == JSON_OBJECT && fr >= 0 && json_str_eq(d, fr, STR_LIT("content_filter")) &&
	       json_typeof(d, cf) == JSON_OBJECT && json_get(d, ch, "message") < 0;
}

/* The choice ch with the refusal message added. */
static void azure_choice(json_writer *w, const json_doc *d, int ch)
{
	int k, v;
	json_iter it = json_iter_begin(d, ch);
	json_write_obj_begin(w);
	while (json_iter_next(d, &it, &k, &v)) {
		str rv = json_raw(d, v);
		write_key(w, d, k);
		json_write_raw(w, rv.p, rv.n);
	}
	json_write_key(w, "message");
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "assistant");
	json_write_kv_null(w, "content");
	json_write_kv_str(w, "refusal", "Content filtered by Azure content safety.");
	json_write_obj_end(w);
	json_write_obj_end(w);
}

int gateway_azure_fix(buf *body, arena *a)
{
	json_doc doc, *d = &doc;
	json_opts o = { .max_depth = JSON_DEPTH_MAX };
	int choices, ch, k, v, rc;
	bool need = false;
	if (!body->len || json_parse_arena(d, a, body->data, body->len, &o, NULL) <= 0 ||
	    json_typeof(d, 0) != JSON_OBJECT)
		return 0;
	choices = json_get(d, 0, "choices");
	json_iter it = json_iter_begin(d, json_typeof(d, choices) == JSON_ARRAY ? choices : -1);
	while (!need && json_iter_next(d, &it, NULL, &ch))
		need = azure_filtered(d, ch);
	if (!need)
		return 0;
	buf nb = { 0 };
	json_writer w;
	buf_init(&nb, body->cap);
	json_write_init(&w, &nb, 0);
	w.max_depth = JSON_DEPTH_MAX;
	json_write_obj_begin(&w);
	it = json_iter_begin(d, 0);
	while (json_iter_next(d, &it, &k, &v)) {
		str rv = json_raw(d, v);
		write_key(&w, d, k);
		if (v != choices) {
			json_write_raw(&w, rv.p, rv.n);
			continue;
		}
		json_iter ci = json_iter_begin(d, choices);
		json_write_arr_begin(&w);
		while (json_iter_next(d, &ci, NULL, &ch)) {
			if (azure_filtered(d, ch)) {
				azure_choice(&w, d, ch);
			} else {
				str cr = json_raw(d, ch);
				json_write_raw(&w, cr.p, cr.n);
			}
		}
		json_write_arr_end(&w);
	}
	json_write_obj_end(&w);
	rc = json_write_finish(&w);
	if (rc) {
		buf_free(&nb);
		return rc;
	}
	buf_free(body);
	*body = nb;
	return 0;
}

/* ---- form operations (multipart/form-data) ----------------------------------------------- */

int gateway_form_boundary(char dst[GATEWAY_BOUNDARY_SIZE], str data)
{
	for (int i = 0; i < 4; i++) {
		char hex[33];
		if (rand_hex(hex, 32) < 0)
			return -1;
		snprintf(dst, GATEWAY_BOUNDARY_SIZE, "liter-llm-%s", hex);
		if (multipart_data_ok(str_from(dst), data))
			return 0;
	}
	return -1;
}

int gateway_form_safe_name(buf *b, str s)
{
	int rc = buf_reserve(b, s.n);
	for (size_t i = 0; !rc && i < s.n; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		rc = buf_putc(b, ch == '"' || ch == '\\' || ch < 0x20 || ch == 0x7f ? '_' : (char)ch);
	}
	return rc;
}

/* Is part p field f (or `f[]` for an array field)? */
static bool part_is(const multipart_part *p, const gateway_field *f)
{
	if (multipart_value_eq(p->name, str_from(f->name)))
		return true;
	char nm[128];
	if (!(f->types & TARR) || (size_t)snprintf(nm, sizeof nm, "%s[]", f->name) >= sizeof nm)
		return false;
	return multipart_value_eq(p->name, str_from(nm));
}

static size_t digits(str v, size_t i)
{
	while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9')
		i++;
	return i;
}

/* Is a form field's text a number in JSON's grammar (an integer when
 * integral is set)? */
static bool form_number(str v, bool integral)
{
	size_t i = v.n && v.p[0] == '-' ? 1 : 0, j;
	if ((j = digits(v, i)) == i)
		return false;
	i = j;
	if (integral)
		return i == v.n;
	if (i < v.n && v.p[i] == '.') {
		if ((j = digits(v, i + 1)) == i + 1)
			return false;
		i = j;
	}
	if (i < v.n && (v.p[i] == 'e' || v.p[i] == 'E')) {
		i++;
		if (i < v.n && (v.p[i] == '+' || v.p[i] == '-'))
			i++;
		if ((j = digits(v, i)) == i)
			return false;
		i = j;
	}
	return i == v.n;
}

/* The client's form: its boundary and parts (into a). */
static int form_read(str body, str ctype, arena *a, gateway_body *out, gateway_error *e)
{
	multipart_error me;
	if (multipart_boundary(ctype, &out->boundary, &me) < 0)
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "Invalid `boundary` for `multipart/form-data` request: %s",
				    multipart_code_str(me.code));
	multipart_reader r;
	multipart_reader_init(&r, body, out->boundary, NULL);
	size_t cap = 0;
	multipart_part p;
	int rc;
	while ((rc = multipart_next(&r, &p)) == 1) {
		if (out->nparts == cap) {
			size_t nc = cap ? cap * 2 : 8;
			multipart_part *np = arena_realloc(a, out->parts, cap * sizeof *np, nc * sizeof *np);
			if (!np)
				return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
			out->parts = np;
			cap = nc;
		}
		out->parts[out->nparts++] = p;
	}
	if (rc < 0)
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "Error parsing `multipart/form-data` request: %s (at byte %zu)",
				    multipart_code_str(r.err.code), r.err.off);
	return 0;
}

/* The op's fields over the form's parts; the model from its `model` part. */
static int form_check(const gateway_op *op, gateway_body *out, gateway_error *e)
{
	gateway_kind schema = op->chat ? GATEWAY_BAD_REQUEST : GATEWAY_UNPROCESSABLE;
	for (const gateway_field *f = op->fields; f->name; f++) {
		size_t count = 0;
		for (size_t i = 0; i < out->nparts; i++) {
			const multipart_part *p = &out->parts[i];
			if (!part_is(p, f))
				continue;
			count++;
			if ((f->types & TFILE) && !p->is_file)
				return gateway_fail(e, schema, "invalid type for `%s`: string, expected a file", f->name);
			if (!(f->types & TFILE) && p->is_file)
				return gateway_fail(e, schema, "invalid type for `%s`: file, expected %s", f->name,
						    expected(f->types));
			bool num = (f->types & (TNUM | TINT)) && !(f->types & (TSTR | TFILE));
			if (num && !form_number(p->data, !(f->types & TNUM)))
				return gateway_fail(e, schema, "invalid type for `%s`: string, expected %s", f->name,
						    expected(f->types));
		}
		if (count > 1 && !(f->types & TARR))
			return gateway_fail(e, schema, "duplicate field `%s`", f->name);
		if (!count && f->required)
			return gateway_fail(e, schema, "missing field `%s`", f->name);
	}
	static const gateway_field model = { "model", TSTR, true };
	out->model_part = SIZE_MAX;
	for (size_t i = 0; i < out->nparts && out->model_part == SIZE_MAX; i++)
		if (!out->parts[i].is_file && part_is(&out->parts[i], &model)) {
			out->model_part = i;
			out->model = out->parts[i].data;
		}
	if (out->model_part == SIZE_MAX) {
		if (!op->default_model)
			return gateway_fail(e, schema, "missing field `model`");
		out->model = str_from(op->default_model);
	}
	return 0;
}

/* JSON to a form op: the file field's base64 decoded; member names that a
 * form cannot carry refused. */
static int json_file(const gateway_op *op, arena *a, gateway_body *out, gateway_error *e)
{
	const json_doc *d = &out->doc;
	json_iter it = json_iter_begin(d, 0);
	int k;
	while (json_iter_next(d, &it, &k, NULL)) {
		str raw;
		json_str_raw(d, k, &raw);
		for (size_t i = 0; i < raw.n; i++)
			if ((unsigned char)raw.p[i] < 0x20 || raw.p[i] == '\\')
				return gateway_fail(e, GATEWAY_BAD_REQUEST,
						    "bad request: field names must be plain text (no escapes)");
	}
	for (const gateway_field *f = op->fields; f->name; f++) {
		if (!(f->types & TFILE))
			continue;
		int v = json_get(d, 0, f->name);
		if (v < 0 || json_typeof(d, v) != JSON_STRING)
			continue; /* required and typed: checked before */
		str s;
		if (json_str(d, v, a, &s) < 0)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		size_t cap = b64_dec_max(s.n), n = 0;
		char *dst = arena_alloc(a, cap ? cap : 1);
		if (!dst)
			return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
		if (b64_decode(s.p, s.n, B64_STD | B64_NOPAD, dst, cap, &n) < 0)
			return gateway_fail(e, GATEWAY_BAD_REQUEST, "bad request: `%s` is not valid base64", f->name);
		out->file_field = f->name;
		out->file = str_make(dst, n);
	}
	int fn = json_get(d, 0, "filename");
	if (fn >= 0 && json_typeof(d, fn) == JSON_STRING && json_str(d, fn, a, &out->filename) < 0)
		return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
	return 0;
}

int gateway_body_check_ct(const gateway_op *op, str body, str ctype, arena *a, gateway_body *out,
			  gateway_error *e)
{
	if (ctype.p && multipart_is_form(ctype)) {
		memset(out, 0, sizeof *out);
		if (!op->form)
			return gateway_fail(e, GATEWAY_UNSUPPORTED_MEDIA,
					    "Expected request with `Content-Type: application/json`");
		out->form = true;
		if (form_read(body, ctype, a, out, e) < 0 || form_check(op, out, e) < 0)
			return -1;
		return 0;
	}
	if (gateway_body_check(op, body, a, out, e) < 0)
		return -1;
	return op->form ? json_file(op, a, out, e) : 0;
}

/* The file name and type of audio bytes by their magic numbers. */
static void sniff_audio(str d, const char **name, const char **ctype)
{
	const unsigned char *p = (const unsigned char *)d.p;
	size_t n = d.n;
	*name = "audio";
	*ctype = "application/octet-stream";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WAVE", 4) == 0)
		*name = "audio.wav", *ctype = "audio/wav";
	else if (n >= 4 && memcmp(p, "fLaC", 4) == 0)
		*name = "audio.flac", *ctype = "audio/flac";
	else if (n >= 4 && memcmp(p, "OggS", 4) == 0)
		*name = "audio.ogg", *ctype = "audio/ogg";
	else if (n >= 4 && memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0)
		*name = "audio.webm", *ctype = "audio/webm";
	else if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
		*name = "audio.m4a", *ctype = "audio/mp4";
	else if ((n >= 3 && memcmp(p, "ID3", 3) == 0) || (n >= 2 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0))
		*name = "audio.mp3", *ctype = "audio/mpeg";
}

/* One JSON member as form field(s) named key. */
static int form_value(multipart_writer *w, const json_doc *d, str key, int v, buf *tmp)
{
	switch (json_typeof(d, v)) {
	case JSON_NULL:
		return 0;
	case JSON_STRING: {
		buf_reset(tmp);
		int rc = json_str_buf(d, v, tmp);
		return rc < 0 ? rc : multipart_write_field(w, key, str_make(tmp->data ? tmp->data : "", tmp->len));
	}
	default: /* numbers, booleans as written; objects as JSON text */
		return multipart_write_field(w, key, json_raw(d, v));
	}
}

/* One member (arrays: a `key[]` field per element). */
static int form_member(multipart_writer *w, const json_doc *d, int k, int v, buf *tmp)
{
	str key;
	json_str_raw(d, k, &key); /* plain text: json_file refused escapes */
	if (json_typeof(d, v) != JSON_ARRAY)
		return form_value(w, d, key, v, tmp);
	char nm[256];
	if (key.n + 3 > sizeof nm)
		return ERR_TOOBIG;
	memcpy(nm, key.p, key.n);
	memcpy(nm + key.n, "[]", 3);
	json_iter it = json_iter_begin(d, v);
	int el, rc = 0;
	while (!rc && json_iter_next(d, &it, NULL, &el))
		rc = form_value(w, d, str_make(nm, key.n + 2), el, tmp);
	return rc;
}

/* A JSON body as a form under boundary b. */
static int json_form(const gateway_body *bd, const provider_target *t, str b, buf *out)
{
	const json_doc *d = &bd->doc;
	multipart_writer w;
	multipart_writer_init(&w, out, b);
	buf tmp = { 0 }, fname = { 0 };
	int extra = json_get(d, 0, "extra_body");
	if (extra >= 0 && json_typeof(d, extra) != JSON_OBJECT)
		extra = -1;
	bool model_done = false;
	int rc = 0;
	json_iter it = json_iter_begin(d, 0);
	int k, v;
	while (!rc && json_iter_next(d, &it, &k, &v)) {
		str key;
		json_str_raw(d, k, &key);
		if (str_eq_cstr(key, "extra_body") || str_eq_cstr(key, "filename"))
			continue;
		if (str_eq_cstr(key, "model")) {
			rc = multipart_write_field(&w, key, t->model);
			model_done = true;
		} else if (bd->file_field && str_eq_cstr(key, bd->file_field)) {
			const char *sname, *stype;
			sniff_audio(bd->file, &sname, &stype);
			rc = gateway_form_safe_name(&fname, bd->filename.p ? bd->filename : str_from(sname));
			if (!rc)
				rc = multipart_write_file(&w, key, str_make(fname.data ? fname.data : "", fname.len),
							  str_from(stype), bd->file);
		} else if (!in_extra(d, extra, k)) {
			rc = form_member(&w, d, k, v, &tmp);
		}
	}
	if (!rc && !model_done)
		rc = multipart_write_field(&w, STR_LIT("model"), t->model);
	if (extra >= 0) {
		json_iter ei = json_iter_begin(d, extra);
		while (!rc && json_iter_next(d, &ei, &k, &v)) {
			str key;
			json_str_raw(d, k, &key);
			if (str_eq_cstr(key, "model") || str_eq_cstr(key, "filename") ||
			    (bd->file_field && str_eq_cstr(key, bd->file_field)))
				continue;
			for (size_t i = 0; i < key.n && !rc; i++)
				if ((unsigned char)key.p[i] < 0x20 || key.p[i] == '\\')
					rc = ERR_INVAL;
			if (!rc)
				rc = form_member(&w, d, k, v, &tmp);
		}
	}
	buf_free(&tmp);
	buf_free(&fname);
	return rc ? rc : multipart_write_end(&w);
}

int gateway_body_rewrite_form(const gateway_body *bd, const provider_target *t, buf *out, char *ctype,
			      size_t ctcap)
{
	if (bd->form) {
		multipart_writer w;
		multipart_writer_init(&w, out, bd->boundary);
		if (bd->model_part == SIZE_MAX)
			multipart_write_field(&w, STR_LIT("model"), t->model);
		for (size_t i = 0; i < bd->nparts; i++) {
			const multipart_part *p = &bd->parts[i];
			multipart_write_part(&w, p->head, i == bd->model_part ? t->model : p->data);
		}
		int rc = multipart_write_end(&w);
		if (rc < 0)
			return rc;
		return multipart_content_type(bd->boundary, ctype, ctcap) < 0 ? ERR_TOOBIG : 0;
	}
	char bnd[GATEWAY_BOUNDARY_SIZE];
	size_t start = out->len;
	for (int attempt = 0; attempt < 4; attempt++) {
		if (gateway_form_boundary(bnd, bd->file) < 0)
			return ERR_IO;
		buf_truncate(out, start);
		int rc = json_form(bd, t, str_from(bnd), out);
		if (rc == ERR_INVAL)
			continue; /* a field held the boundary (or an extra_body name is not plain): again */
		if (rc < 0)
			return rc;
		return multipart_content_type(str_from(bnd), ctype, ctcap) < 0 ? ERR_TOOBIG : 0;
	}
	return ERR_INVAL;
}

/* ---- create_file uploads ------------------------------------------------------------------------- */

static bool purpose_ok(str p)
{
	return str_eq_cstr(p, "assistants") || str_eq_cstr(p, "batch") || str_eq_cstr(p, "fine-tune") ||
	       str_eq_cstr(p, "vision");
}

static int upload_form(const gateway_mreq *m, arena *a, gateway_upload *u, gateway_error *e)
{
	str bnd;
	multipart_error me;
	if (multipart_boundary(m->content_type, &bnd, &me) < 0)
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "Invalid `boundary` for `multipart/form-data` request: %s",
				    multipart_code_str(me.code));
	multipart_reader r;
	multipart_reader_init(&r, m->body, bnd, NULL);
	multipart_part p;
	bool have_file = false, have_purpose = false;
	int rc;
	while ((rc = multipart_next(&r, &p)) == 1) {
		bool is_file = multipart_value_eq(p.name, STR_LIT("file"));
		bool is_purpose = multipart_value_eq(p.name, STR_LIT("purpose"));
		if ((is_file && have_file) || (is_purpose && have_purpose))
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "duplicate field `%s`", is_file ? "file" : "purpose");
		if (is_purpose) {
			have_purpose = true;
			u->purpose = p.data;
		} else if (is_file) {
			have_file = true;
			u->data = p.data;
			if (p.is_file && p.filename.raw.p) {
				size_t need = 0;
				multipart_value_decode(p.filename, NULL, 0, &need);
				char *fn = arena_alloc(a, need + 1);
				if (!fn || multipart_value_decode(p.filename, fn, need + 1, &need) < 0)
					return gateway_fail(e, GATEWAY_INTERNAL, "internal error: out of memory");
				u->filename = str_make(fn, need);
			}
		}
	}
	if (rc < 0)
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "Error parsing `multipart/form-data` request: %s (at byte %zu)",
				    multipart_code_str(r.err.code), r.err.off);
	if (!have_file || !have_purpose)
		return gateway_fail(e, GATEWAY_UNPROCESSABLE, "missing field `%s`", have_file ? "purpose" : "file");
	return 0;
}

int gateway_json_object(str body, arena *a, json_doc *d, gateway_error *e)
{
	json_err je;
	if (json_parse_arena(d, a, body.p ? body.p : "", body.n, NULL, &je) < 0)
		return gateway_fail(e, je.code == ERR_NOMEM ? GATEWAY_INTERNAL : GATEWAY_BAD_REQUEST,
				    "Failed to parse the request body as JSON: %s", je.msg);
	if (json_typeof(d, 0) != JSON_OBJECT)
		return gateway_fail(e, GATEWAY_UNPROCESSABLE, "invalid type: %s, expected a JSON object",
				    json_type_name(json_typeof(d, 0)));
	return 0;
}

static int upload_json(const gateway_mreq *m, arena *a, gateway_upload *u, gateway_error *e)
{
	json_doc d;
	if (gateway_json_object(m->body, a, &d, e) < 0)
		return -1;
	static const char *const keys[] = { "file", "purpose", "filename" };
	str v[3];
	for (int i = 0; i < 3; i++) {
		int k = json_get(&d, 0, keys[i]);
		v[i] = STR_NULL;
		if (k < 0 || json_is_null(&d, k)) {
			if (i < 2)
				return gateway_fail(e, GATEWAY_UNPROCESSABLE, "missing field `%s`", keys[i]);
			continue;
		}
		if (json_typeof(&d, k) != JSON_STRING || json_str(&d, k, a, &v[i]) < 0)
			return gateway_fail(e, GATEWAY_UNPROCESSABLE, "invalid type for `%s`, expected a string", keys[i]);
	}
	u->purpose = v[1];
	if (v[2].p)
		u->filename = v[2];
	buf_init(&u->raw, b64_dec_max(v[0].n) + 1);
	if (b64_decode_buf(&u->raw, v[0].p, v[0].n, B64_STD) < 0)
		return gateway_fail(e, GATEWAY_BAD_REQUEST, "bad request: `file` is not valid base64");
	u->data = str_make(u->raw.data ? u->raw.data : "", u->raw.len);
	return 0;
}

int gateway_upload_read(const gateway_mreq *m, arena *a, gateway_upload *u, gateway_error *e)
{
	*u = (gateway_upload){ .filename = STR_LIT("upload") };
	str mt, rest;
	str_cut(m->content_type, ';', &mt, &rest);
	int rc;
	if (multipart_is_form(m->content_type)) {
		u->form = true;
		rc = upload_form(m, a, u, e);
	} else if (str_eq_nocase(str_trim(mt), STR_LIT("application/json"))) {
		rc = upload_json(m, a, u, e);
	} else {
		return gateway_fail(e, GATEWAY_UNSUPPORTED_MEDIA, "Expected request with `Content-Type: application/json` "
								  "or `Content-Type: multipart/form-data`");
	}
	if (rc < 0)
		return -1;
	if (!purpose_ok(u->purpose))
		return gateway_fail(e, GATEWAY_UNPROCESSABLE,
				    "unknown variant `" STR_FMT "`, expected one of `assistants`, `batch`, `fine-tune`, "
				    "`vision`", (int)(u->purpose.n > 64 ? 64 : u->purpose.n),
				    u->purpose.p ? u->purpose.p : "");
	return 0;
}
