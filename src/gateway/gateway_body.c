/* gateway_body.c — the operation table (one row per model-routed route),
 * request-body checks (JSON types of the known fields; unknown fields pass:
 * documented departure) and the upstream body rewrite (model id, parameter
 * renames, extra_body merge). */
#include "gateway/gateway_private.h"
#include "base/err.h"
#include "json/json_write.h"
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
	{ "model", TSTR, true }, { "file", TSTR, true }, { "language", TSTR | TNULL, false },
	{ "prompt", TSTR | TNULL, false }, { "response_format", TSTR | TNULL, false },
	{ "temperature", TNUM | TNULL, false }, { NULL, 0, false },
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
	{ GATEWAY_OP_CHAT, "chat", "/v1/chat/completions", PROVIDER_OP_CHAT, NULL, true, chat_fields },
	{ GATEWAY_OP_EMBEDDINGS, "embeddings", "/v1/embeddings", PROVIDER_OP_EMBEDDINGS, NULL, false, embed_fields },
	{ GATEWAY_OP_IMAGES, "image_generation", "/v1/images/generations", PROVIDER_OP_IMAGES, "dall-e-3", false,
	  image_fields },
	{ GATEWAY_OP_SPEECH, "speech", "/v1/audio/speech", PROVIDER_OP_SPEECH, NULL, false, speech_fields },
	{ GATEWAY_OP_TRANSCRIPTIONS, "transcription", "/v1/audio/transcriptions", PROVIDER_OP_TRANSCRIPTIONS, NULL,
	  false, transcr_fields },
	{ GATEWAY_OP_MODERATIONS, "moderation", "/v1/moderations", PROVIDER_OP_MODERATIONS, "text-moderation-stable",
	  false, moder_fields },
	{ GATEWAY_OP_RERANK, "rerank", "/v1/rerank", PROVIDER_OP_RERANK, NULL, false, rerank_fields },
	{ GATEWAY_OP_SEARCH, "search", "/v1/search", PROVIDER_OP_SEARCH, NULL, false, search_fields },
	{ GATEWAY_OP_OCR, "ocr", "/v1/ocr", PROVIDER_OP_OCR, NULL, false, ocr_fields },
};

const gateway_op *gateway_op_get(gateway_op_id id)
{
	return (unsigned)id < GATEWAY_OP__COUNT ? &ops[id] : NULL;
}

static const char *expected(unsigned types)
{
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
	json_iter it = json_iter_begin(d, 0);
	int k, v;
	while (json_iter_next(d, &it, &k, &v)) {
		str raw;
		json_str_raw(d, k, &raw);
		if (str_eq_cstr(raw, "extra_body") || adapter_drops(t, raw))
			continue;
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
	if (extra >= 0) {
		json_iter ei = json_iter_begin(d, extra);
		while (json_iter_next(d, &ei, &k, &v)) {
			str raw;
			json_str_raw(d, k, &raw);
			if (str_eq_cstr(raw, "stream") && json_get(d, 0, "stream") >= 0)
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
