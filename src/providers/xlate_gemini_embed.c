/* xlate_gemini_embed.c — OpenAI embeddings <-> Google AI Studio
 * embedContent / batchEmbedContents and Vertex AI predict. Pure; the rules
 * are in xlate_gemini_embed.h. Writers rely on json_writer's sticky error
 * (read back once from json_write_finish); validation errors return at once. */
#include "providers/xlate_gemini_embed.h"
#include "base/err.h"
#include "providers/xlate_gemini.h"
#include <stdint.h>
#include <string.h>

enum { FLAVOR_STUDIO, FLAVOR_VERTEX };

/* What the OpenAI request asks for (tokens of d). */
typedef struct emb_req {
	int input;       /* the string, or the array of strings */
	bool array;
	int dims;        /* dimensions, or -1 */
	int task;        /* task_type string, or -1 */
	str model;       /* upstream model id */
	bool base64;
} emb_req;

static int bad(xlate_err *err, const char *msg)
{
	xlate_err_set(err, XLATE_E_BAD_REQUEST, "%s", msg);
	return ERR_INVAL;
}

static int read_req(const json_doc *d, const xlate_ctx *cx, arena *a, emb_req *r, xlate_err *err)
{
	int in = xlate_get(d, 0, "input"), x;
	json_type t = json_typeof(d, in);
	memset(r, 0, sizeof *r);
	r->input = in;
	r->dims = r->task = -1;
	if (in < 0)
		return bad(err, "missing 'input'");
	if (t == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, in);
		if (json_size(d, in) == 0)
			return bad(err, "'input' must not be empty");
		while (json_iter_next(d, &it, NULL, &x)) {
			json_type xt = json_typeof(d, x);
			if (xt == JSON_NUMBER || xt == JSON_ARRAY)
				return bad(err, "Gemini embeddings take text input (a string or an array of strings); "
						"token arrays are not supported");
			if (xt != JSON_STRING)
				return bad(err, "'input' must be a string or an array of strings");
		}
		r->array = true;
	} else if (t != JSON_STRING) {
		return bad(err, "'input' must be a string or an array of strings");
	}
	int dims = xlate_get(d, 0, "dimensions");
	if (dims >= 0) {
		int64_t v = 0;
		if (json_i64(d, dims, &v) != 0 || v < 1)
			return bad(err, "'dimensions' must be a positive integer");
		r->dims = dims;
	}
	int ef = xlate_get(d, 0, "encoding_format");
	if (ef >= 0) {
		if (xlate_tok_is(d, ef, "base64"))
			r->base64 = true;
		else if (!xlate_tok_is(d, ef, "float"))
			return bad(err, "'encoding_format' must be \"float\" or \"base64\"");
	}
	int task = xlate_get(d, 0, "task_type");
	if (task < 0)
		task = xlate_get(d, xlate_get(d, 0, "extra_body"), "task_type");
	if (task >= 0) {
		if (!xlate_nonempty_str(d, task))
			return bad(err, "'task_type' must be a non-empty string");
		r->task = task;
	}
	r->model = cx->model;
	if (!r->model.n && !xlate_get_str(d, 0, "model", a, &r->model))
		r->model = STR_NULL;
	return 0;
}

/* "content":{"parts":[{"text":<t>}]} */
static void w_content(json_writer *w, const json_doc *d, int t)
{
	json_write_key(w, "content");
	json_write_obj_begin(w);
	json_write_key(w, "parts");
	json_write_arr_begin(w);
	json_write_obj_begin(w);
	xlate_w_kraw(w, "text", d, t);
	json_write_obj_end(w);
	json_write_arr_end(w);
	json_write_obj_end(w);
}

/* one AI Studio EmbedContentRequest for text token t (model only in batches) */
static void w_studio_one(json_writer *w, const json_doc *d, const emb_req *r, int t, bool model)
{
	json_write_obj_begin(w);
	if (model) {
		str m = r->model;
		bool named = str_starts_with(m, STR_LIT("models/")) || str_starts_with(m, STR_LIT("tunedModels/"));
		json_write_key(w, "model");
		if (named) {
			json_write_strn(w, m.p ? m.p : "", m.n);
		} else {
			char pre[256];
			/* "models/" + id; ids longer than that are kept whole and left to the upstream */
			if (m.n + 8 <= sizeof pre) {
				memcpy(pre, "models/", 7);
				if (m.n)
					memcpy(pre + 7, m.p, m.n);
				json_write_strn(w, pre, m.n + 7);
			} else {
				json_write_strn(w, m.p, m.n);
			}
		}
	}
	w_content(w, d, t);
	if (r->task >= 0)
		xlate_w_kraw(w, "taskType", d, r->task);
	if (r->dims >= 0)
		xlate_w_kraw(w, "outputDimensionality", d, r->dims);
	json_write_obj_end(w);
}

static void w_vertex_instance(json_writer *w, const json_doc *d, const emb_req *r, int t)
{
	json_write_obj_begin(w);
	xlate_w_kraw(w, "content", d, t);
	if (r->task >= 0)
		xlate_w_kraw(w, "task_type", d, r->task);
	json_write_obj_end(w);
}

static int request(int flavor, const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
		   xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	size_t old = out->len;
	json_doc doc, *d = &doc;
	json_writer w;
	emb_req r;
	int rc, t;

	if (!cx)
		cx = &zero_ctx;
	if ((rc = xlate_parse_request(d, in, n, scratch, info, err)) || (rc = read_req(d, cx, scratch, &r, err)))
		return rc;

	json_write_init(&w, out, 0);
	if (flavor == FLAVOR_VERTEX) {
		json_write_obj_begin(&w);
		json_write_key(&w, "instances");
		json_write_arr_begin(&w);
		if (r.array) {
			json_iter it = json_iter_begin(d, r.input);
			while (json_iter_next(d, &it, NULL, &t))
				w_vertex_instance(&w, d, &r, t);
		} else {
			w_vertex_instance(&w, d, &r, r.input);
		}
		json_write_arr_end(&w);
		if (r.dims >= 0) {
			json_write_key(&w, "parameters");
			json_write_obj_begin(&w);
			xlate_w_kraw(&w, "outputDimensionality", d, r.dims);
			json_write_obj_end(&w);
		}
		json_write_obj_end(&w);
	} else if (r.array) {
		json_write_obj_begin(&w);
		json_write_key(&w, "requests");
		json_write_arr_begin(&w);
		json_iter it = json_iter_begin(d, r.input);
		while (json_iter_next(d, &it, NULL, &t))
			w_studio_one(&w, d, &r, t, true);
		json_write_arr_end(&w);
		json_write_obj_end(&w);
	} else {
		w_studio_one(&w, d, &r, r.input, false); /* the body is the one request */
	}
	if ((rc = xlate_finish(&w, out, old, 0, "the embeddings request", err)))
		return rc;
	if (info) {
		info->batch_url = flavor == FLAVOR_STUDIO && r.array;
		if (r.base64)
			info->flags |= XLATE_F_EMBED_BASE64;
	}
	return 0;
}

int xlate_gemini_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			       xlate_req_info *info, xlate_err *err)
{
	return request(FLAVOR_STUDIO, cx, in, n, scratch, out, info, err);
}

int xlate_gemini_embed_predict_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				       xlate_req_info *info, xlate_err *err)
{
	return request(FLAVOR_VERTEX, cx, in, n, scratch, out, info, err);
}

/* ---- response -------------------------------------------------------------------- */

typedef struct emb_out {
	json_writer w;
	const json_doc *d;
	size_t cap;
	bool base64;
	uint64_t index;
} emb_out;

/* one data[] item; ERR_INVAL (with err) when v is not a vector */
static int w_item(emb_out *o, int v, xlate_err *err)
{
	if (xlate_embed_item(&o->w, o->d, v, o->index, o->base64, o->cap)) {
		xlate_err_set(err, XLATE_E_SERIALIZATION, "embedding %llu is not an array of numbers",
			      (unsigned long long)o->index);
		return ERR_INVAL;
	}
	o->index++;
	return 0;
}

/* No vectors: an upstream error object, else a shape mismatch. */
static int no_vectors(const char *in, size_t n, arena *scratch, const char *what, xlate_err *err)
{
	if (xlate_gemini_error(in, n, scratch, err) == 0)
		return ERR_INVAL;
	xlate_err_set(err, XLATE_E_SERIALIZATION, "%s", what);
	return ERR_INVAL;
}

static int response(int flavor, const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
		    xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	size_t old = out->len;
	json_doc doc, *d = &doc;
	uint64_t tokens = 0;
	int rc, list = -1, one = -1, v;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Google", "Google embeddings response", err)))
		return rc;
	if (flavor == FLAVOR_VERTEX) {
		list = xlate_get(d, 0, "predictions");
		if (json_typeof(d, list) != JSON_ARRAY)
			return no_vectors(in, n, scratch, "Vertex AI predict response has no predictions", err);
	} else {
		one = xlate_get(d, 0, "embedding");
		list = xlate_get(d, 0, "embeddings");
		if (json_typeof(d, one) == JSON_OBJECT)
			list = -1;
		else if (json_typeof(d, list) == JSON_ARRAY)
			one = -1;
		else
			return no_vectors(in, n, scratch, "Gemini embeddings response has no embedding", err);
		xlate_get_u64(d, xlate_get(d, 0, "usageMetadata"), "promptTokenCount", &tokens);
	}

	emb_out o = { .d = d, .cap = out->cap, .base64 = (cx->flags & XLATE_F_EMBED_BASE64) != 0 };
	json_write_init(&o.w, out, 0);
	xlate_embed_begin(&o.w);
	if (one >= 0) {
		rc = w_item(&o, xlate_get(d, one, "values"), err);
	} else {
		json_iter it = json_iter_begin(d, list);
		while (!rc && json_iter_next(d, &it, NULL, &v)) {
			if (flavor == FLAVOR_VERTEX) {
				int e = xlate_get(d, v, "embeddings");
				uint64_t tc = 0;
				if (json_u64(d, json_path(d, e, "statistics.token_count"), &tc) == 0)
					tokens = xlate_sat_add(tokens, tc);
				v = e;
			}
			rc = w_item(&o, xlate_get(d, v, "values"), err);
		}
	}
	if (rc) {
		buf_truncate(out, old);
		return rc;
	}
	xlate_embed_end(&o.w, cx->model, tokens);
	if ((rc = xlate_finish(&o.w, out, old, 0, "the embeddings response", err)))
		return rc;
	if (usage) {
		usage->present = true;
		usage->prompt_tokens = usage->total_tokens = tokens;
	}
	return 0;
}

int xlate_gemini_embed_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				xlate_usage *usage, xlate_err *err)
{
	return response(FLAVOR_STUDIO, cx, in, n, scratch, out, usage, err);
}

int xlate_gemini_embed_predict_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
					xlate_usage *usage, xlate_err *err)
{
	return response(FLAVOR_VERTEX, cx, in, n, scratch, out, usage, err);
}
