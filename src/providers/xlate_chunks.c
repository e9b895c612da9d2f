/* xlate_chunks.c — chat.completion -> chat.completion.chunk lines (see the header). */
#include "providers/xlate_chunks.h"
#include "base/err.h"
#include <string.h>

/* The members every chunk repeats, and the open "choices" array. */
static void head(json_writer *w, const json_doc *d)
{
	static const char *const keep[] = { "id", "created", "model", "system_fingerprint", "service_tier" };
	json_write_obj_begin(w);
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		int v = json_get(d, 0, keep[i]);
		if (v >= 0) {
			xlate_w_kraw(w, keep[i], d, v);
			if (i == 0)
				json_write_kv_str(w, "object", "chat.completion.chunk");
		}
	}
	json_write_key(w, "choices");
	json_write_arr_begin(w);
}

static int line(json_writer *w, buf *out)
{
	json_write_arr_end(w);
	json_write_obj_end(w);
	int rc = json_write_finish(w);
	return rc ? rc : buf_putc(out, '\n');
}

/* The delta of one message: role, then its members, tool calls indexed. */
static void delta(json_writer *w, const json_doc *d, int msg, arena *a)
{
	json_write_key(w, "delta");
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "assistant");
	json_iter it = json_iter_begin(d, msg);
	int k, v;
	while (json_iter_next(d, &it, &k, &v)) {
		if (json_str_eq(d, k, STR_LIT("role")))
			continue;
		if (!json_str_eq(d, k, STR_LIT("tool_calls")) || json_typeof(d, v) != JSON_ARRAY) {
			xlate_w_member(w, d, k, v, a);
			continue;
		}
		json_write_key(w, "tool_calls");
		json_write_arr_begin(w);
		json_iter ti = json_iter_begin(d, v);
		int tc, tk, tv;
		int64_t idx = 0;
		while (json_iter_next(d, &ti, NULL, &tc)) {
			if (json_typeof(d, tc) != JSON_OBJECT) {
				xlate_w_raw(w, d, tc);
				continue;
			}
			json_write_obj_begin(w);
			json_write_kv_i64(w, "index", idx++);
			json_iter mi = json_iter_begin(d, tc);
			while (json_iter_next(d, &mi, &tk, &tv))
				if (!json_str_eq(d, tk, STR_LIT("index")))
					xlate_w_member(w, d, tk, tv, a);
			json_write_obj_end(w);
		}
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
}

int xlate_completion_chunks(const char *in, size_t n, bool include_usage, arena *scratch, buf *out,
			    xlate_err *err)
{
	json_doc doc, *d = &doc;
	int rc = xlate_parse_response(d, in, n, scratch, "the upstream", "the chat completion", err);
	if (rc)
		return rc;
	int choices = json_get(d, 0, "choices");
	if (choices < 0 || json_typeof(d, choices) != JSON_ARRAY) {
		xlate_err_set(err, XLATE_E_SERIALIZATION, "the chat completion has no choices array");
		return ERR_INVAL;
	}
	size_t old = out->len;
	int count = 0;
	json_writer w;
	json_iter it = json_iter_begin(d, choices);
	int ch, i = 0;
	while (!rc && json_iter_next(d, &it, NULL, &ch)) {
		if (json_typeof(d, ch) != JSON_OBJECT) {
			rc = ERR_INVAL;
			break;
		}
		int index = json_get(d, ch, "index");
		int msg = json_get(d, ch, "message");
		int lp = json_get(d, ch, "logprobs");
		int fr = json_get(d, ch, "finish_reason");
		for (int part = 0; part < 2 && !rc; part++) {
			xlate_writer(&w, out);
			head(&w, d);
			json_write_obj_begin(&w);
			if (index >= 0)
				xlate_w_kraw(&w, "index", d, index);
			else
				json_write_kv_i64(&w, "index", i);
			if (part == 0 && msg >= 0 && json_typeof(d, msg) == JSON_OBJECT) {
				delta(&w, d, msg, scratch);
				if (lp >= 0)
					xlate_w_kraw(&w, "logprobs", d, lp);
				json_write_kv_null(&w, "finish_reason");
			} else {
				json_write_key(&w, "delta");
				xlate_w_empty_obj(&w);
				if (part == 0)
					json_write_kv_null(&w, "finish_reason");
				else if (fr >= 0)
					xlate_w_kraw(&w, "finish_reason", d, fr);
				else
					json_write_kv_str(&w, "finish_reason", "stop");
			}
			json_write_obj_end(&w);
			rc = line(&w, out);
			count++;
		}
		i++;
	}
	int usage = json_get(d, 0, "usage");
	if (!rc && include_usage && usage >= 0 && json_typeof(d, usage) == JSON_OBJECT) {
		xlate_writer(&w, out);
		head(&w, d);
		json_write_arr_end(&w);
		xlate_w_kraw(&w, "usage", d, usage);
		json_write_obj_end(&w);
		rc = json_write_finish(&w);
		rc = rc ? rc : buf_putc(out, '\n');
		count++;
	}
	if (rc == ERR_INVAL) {
		buf_truncate(out, old);
		xlate_err_set(err, XLATE_E_SERIALIZATION, "a choice of the chat completion is not an object");
		return ERR_INVAL;
	}
	if (rc) {
		buf_truncate(out, old);
		return xlate_fail_internal(err, rc, "the stream chunks");
	}
	return count;
}
