/* xlate_cohere_embed.c — OpenAI embeddings -> Cohere v2 POST {base}/embed
 * (Cohere has no /embeddings route). The answer ({"embeddings":{"float":
 * [[...]]},"meta":{"billed_units":{"input_tokens"}}}) is read by the shared
 * embeddings reader of xlate_bedrock.c, which knows Cohere's shapes (Bedrock
 * serves the same Cohere models). Pure; conventions in providers/xlate.h. */
#include "providers/xlate_cohere.h"
#include "base/err.h"
#include <string.h>

int xlate_cohere_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			       xlate_req_info *info, xlate_err *err)
{
	json_doc doc, *d = &doc;
	int rc = xlate_parse_request(d, in, n, scratch, info, err);
	if (rc)
		return rc;
	int input = xlate_get(d, 0, "input"), v, count = xlate_embed_input(d, "Cohere", err);
	if (count < 0)
		return count;
	int it_type = xlate_get(d, 0, "input_type");
	if (it_type >= 0 && !xlate_is_str(d, it_type)) {
		xlate_err_set(err, XLATE_E_BAD_REQUEST, "input_type must be a string");
		return ERR_INVAL;
	}
	if (info && xlate_str_is(d, 0, "encoding_format", "base64"))
		info->flags |= XLATE_F_EMBED_BASE64;
	size_t old = out->len;
	json_writer w;
	json_write_init(&w, out, 0);
	json_write_obj_begin(&w);
	if (cx && cx->model.n)
		xlate_w_kstr(&w, "model", cx->model);
	else if (xlate_get(d, 0, "model") >= 0)
		xlate_w_kraw(&w, "model", d, xlate_get(d, 0, "model"));
	json_write_key(&w, "texts");
	if (count == 1 && xlate_is_str(d, input)) {
		json_write_arr_begin(&w);
		xlate_w_raw(&w, d, input);
		json_write_arr_end(&w);
	} else {
		xlate_w_raw(&w, d, input);
	}
	if (it_type >= 0)
		xlate_w_kraw(&w, "input_type", d, it_type); /* Cohere's own knob, passed when given */
	else
		json_write_kv_str(&w, "input_type", "search_document");
	json_write_key(&w, "embedding_types");
	json_write_arr_begin(&w);
	json_write_str(&w, "float");
	json_write_arr_end(&w);
	v = xlate_get(d, 0, "dimensions");
	if (v >= 0 && json_typeof(d, v) == JSON_NUMBER)
		xlate_w_kraw(&w, "output_dimension", d, v);
	json_write_obj_end(&w);
	return xlate_finish(&w, out, old, 0, "the Cohere embed request", err);
}
