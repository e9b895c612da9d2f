/* xlate_gemini.c — OpenAI chat <-> Google Gemini generateContent: request
 * body, response body, error body, and the stream state machine. Pure; the
 * rules are listed in xlate_gemini.h.
 *
 * The writers below rely on json_writer's sticky error: a run of writes is
 * issued unchecked and the first failure (cap, memory) is read back once,
 * from json_write_finish() or w->err. Validation errors (ERR_INVAL with err
 * filled) return at once. */
#include "providers/xlate_gemini.h"
#include "base/err.h"
#include <stdio.h>
#include <string.h>

/* How many tool calls of the latest assistant message a tool message's
 * tool_call_id is compared with (keeps the name lookup linear). */
#define MATCH_MAX 256

/* Members of the top-level body built here (an extra_body member of the same
 * name replaces ours). */
enum { K_CONTENTS, K_SYSTEM, K_GENCFG, K_TOOLS, K_TOOLCFG, K_SAFETY, K_CACHED, K_COUNT };
static const char *const built_keys[K_COUNT] = {
	"contents", "systemInstruction", "generationConfig", "tools", "toolConfig", "safetySettings", "cachedContent",
};

/* extra_body members read here (not copied to the top level). */
static const char *const extra_read[] = {
	"reasoning_effort", "grounding_config", "google_search_retrieval", "safety_settings", "cached_content",
};

typedef struct rq {
	const xlate_ctx *cx;
	const json_doc *d;
	arena *a;
	json_writer *w;
	xlate_err *err;
	unsigned flags;
	int extra;      /* extra_body object, or -1 */
	xlate_turns turns; /* user / model turns of "contents" */
	int last_asst;  /* latest assistant message with tool_calls, or -1 */
	bool gc_open;   /* generationConfig is open */
} rq;

/* ---- small helpers (the shared ones are in xlate.h) ---------------------------- */

/* ---- schemas ------------------------------------------------------------------ */

static void w_schema(rq *r, int s);

static bool schema_dropped(const json_doc *d, int k)
{
	return json_str_eq(d, k, STR_LIT("additionalProperties")) || json_str_eq(d, k, STR_LIT("$schema"));
}

/* A map whose member values are schemas (properties, $defs, ...). */
static void w_schema_map(rq *r, int m)
{
	int k, v;
	json_iter it = json_iter_begin(r->d, m);
	json_write_obj_begin(r->w);
	while (json_iter_next(r->d, &it, &k, &v)) {
		xlate_w_key(r->w, r->d, k, r->a);
		w_schema(r, v);
	}
	json_write_obj_end(r->w);
}

/* A schema copied without the keywords Gemini's Schema rejects. Values that
 * are data (enum, const, default, example) are copied as they are. */
static void w_schema(rq *r, int s)
{
	const json_doc *d = r->d;
	json_type t = json_typeof(d, s);
	int k, v;
	if (t == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, s);
		json_write_arr_begin(r->w);
		while (json_iter_next(d, &it, NULL, &v))
			w_schema(r, v);
		json_write_arr_end(r->w);
		return;
	}
	if (t != JSON_OBJECT) {
		xlate_w_raw(r->w, d, s);
		return;
	}
	json_iter it = json_iter_begin(d, s);
	json_write_obj_begin(r->w);
	while (json_iter_next(d, &it, &k, &v)) {
		if (schema_dropped(d, k))
			continue;
		xlate_w_key(r->w, r->d, k, r->a);
		if (json_typeof(d, v) == JSON_OBJECT &&
		    (json_str_eq(d, k, STR_LIT("properties")) || json_str_eq(d, k, STR_LIT("$defs")) ||
		     json_str_eq(d, k, STR_LIT("definitions")) || json_str_eq(d, k, STR_LIT("patternProperties"))))
			w_schema_map(r, v);
		else if (json_str_eq(d, k, STR_LIT("enum")) || json_str_eq(d, k, STR_LIT("const")) ||
			 json_str_eq(d, k, STR_LIT("default")) || json_str_eq(d, k, STR_LIT("example")) ||
			 json_str_eq(d, k, STR_LIT("examples")))
			xlate_w_raw(r->w, d, v);
		else
			w_schema(r, v);
	}
	json_write_obj_end(r->w);
}

/* ---- contents: the parts of user and model turns ---------------------------------- */

/* {"text":<token t, or "" when t < 0>}, in a model turn when model, else a user one */
static void part_text_tok(rq *r, bool model, int t)
{
	xlate_turn(&r->turns, model);
	json_write_obj_begin(r->w);
	if (t >= 0)
		xlate_w_kraw(r->w, "text", r->d, t);
	else
		json_write_kv_str(r->w, "text", "");
	json_write_obj_end(r->w);
}

/* {"inlineData":{"mimeType","data"}} from slices. */
static void part_inline(rq *r, str mt, str data)
{
	json_writer *w = r->w;
	xlate_turn(&r->turns, false);
	json_write_obj_begin(w);
	json_write_key(w, "inlineData");
	json_write_obj_begin(w);
	xlate_w_kstr(w, "mimeType", mt);
	xlate_w_kstr(w, "data", data);
	json_write_obj_end(w);
	json_write_obj_end(w);
}

static int part_image(rq *r, int url_tok)
{
	json_writer *w = r->w;
	str url, mt, data;
	bool b64; /* inlineData is base64 either way */
	int rc = json_str(r->d, url_tok, r->a, &url);
	if (rc)
		return rc;
	if (xlate_data_url(url, &mt, &data, &b64)) {
		part_inline(r, mt, data);
		return 0;
	}
	xlate_turn(&r->turns, false);
	json_write_obj_begin(w);
	json_write_key(w, "fileData");
	json_write_obj_begin(w);
	json_write_kv_str(w, "mimeType", "image/jpeg");
	xlate_w_kraw(w, "fileUri", r->d, url_tok);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return 0;
}

/* The parts of one user message's content; returns how many or an err_t. */
static int user_parts(rq *r, int c)
{
	const json_doc *d = r->d;
	int p, n = 0, rc;
	if (c < 0)
		return 0;
	if (json_typeof(d, c) == JSON_STRING) {
		if (!xlate_nonempty_str(d, c))
			return 0;
		part_text_tok(r, false, c);
		return 1;
	}
	if (json_typeof(d, c) != JSON_ARRAY)
		return 0;
	json_iter it = json_iter_begin(d, c);
	while (json_iter_next(d, &it, NULL, &p)) {
		int t = xlate_get(d, p, "type"), v;
		str s1, s2;
		if (xlate_tok_is(d, t, "text")) {
			v = xlate_get(d, p, "text");
			if (!xlate_nonempty_str(d, v))
				continue;
			part_text_tok(r, false, v);
		} else if (xlate_tok_is(d, t, "image_url")) {
			v = xlate_get(d, p, "image_url");
			if (!xlate_is_str(d, v)) /* else the short form some clients send */
				v = xlate_get(d, v, "url");
			if (!xlate_is_str(d, v))
				continue;
			if ((rc = part_image(r, v)))
				return rc;
		} else if (xlate_tok_is(d, t, "document")) {
			int doc = xlate_get(d, p, "document");
			if (!xlate_get_str(d, doc, "data", r->a, &s2))
				continue;
			if (!xlate_get_str(d, doc, "media_type", r->a, &s1))
				s1 = STR_LIT("application/pdf");
			part_inline(r, s1, s2);
		} else if (xlate_tok_is(d, t, "input_audio")) {
			int au = xlate_get(d, p, "input_audio");
			str fmt;
			char mt[80];
			if (!xlate_get_str(d, au, "data", r->a, &s2))
				continue;
			if (!xlate_get_str(d, au, "format", r->a, &fmt) || !fmt.n || fmt.n > 64)
				fmt = STR_LIT("wav");
			int ml = snprintf(mt, sizeof mt, "audio/%.*s", (int)fmt.n, fmt.p);
			part_inline(r, str_make(mt, (size_t)ml), s2);
		} else {
			v = xlate_get(d, p, "text");
			if (!xlate_nonempty_str(d, v))
				continue;
			part_text_tok(r, false, v);
		}
		n++;
	}
	return n;
}

static int model_parts(rq *r, int m, size_t mi)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int c = xlate_get(d, m, "content"), p, tc, rc, n = 0;
	size_t ti = 0;

	if (xlate_nonempty_str(d, c)) {
		part_text_tok(r, true, c);
		n++;
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, c);
		while (json_iter_next(d, &it, NULL, &p)) {
			int t = xlate_get(d, p, "text");
			if (xlate_str_is(d, p, "type", "text") && xlate_nonempty_str(d, t)) {
				part_text_tok(r, true, t);
				n++;
			}
		}
	}
	int calls = xlate_arr(d, xlate_get(d, m, "tool_calls"));
	json_iter it = json_iter_begin(d, calls);
	while (json_iter_next(d, &it, NULL, &tc)) {
		str args;
		int fn = xlate_get(d, tc, "function");
		int name = xlate_get(d, fn, "name");
		if (!xlate_get_str(d, fn, "arguments", r->a, &args))
			args = STR_LIT("{}");
		xlate_turn(&r->turns, true);
		json_write_obj_begin(w);
		json_write_key(w, "functionCall");
		json_write_obj_begin(w);
		xlate_w_kstr_tok(w, "name", d, name);
		json_write_key(w, "args");
		if ((rc = xlate_w_args_object(w, args, r->flags, mi, ti, r->a, r->err)))
			return rc;
		json_write_obj_end(w);
		json_write_obj_end(w);
		n++;
		ti++;
	}
	if (json_size(d, calls) > 0)
		r->last_asst = m;
	return n;
}

/* The function name for a tool message: its "name", else the name of the
 * call with that id in the latest assistant message with tool calls. */
static int tool_name(rq *r, int m)
{
	const json_doc *d = r->d;
	int name = xlate_get(d, m, "name"), id = xlate_get(d, m, "tool_call_id"), tc;
	size_t k = 0;
	if (xlate_nonempty_str(d, name))
		return name;
	if (!xlate_is_str(d, id) || r->last_asst < 0)
		return -1;
	str ids;
	if (json_str(d, id, r->a, &ids))
		return -1;
	json_iter it = json_iter_begin(d, xlate_arr(d, xlate_get(d, r->last_asst, "tool_calls")));
	while (k++ < MATCH_MAX && json_iter_next(d, &it, NULL, &tc)) {
		int cid = xlate_get(d, tc, "id");
		int cn = xlate_get(d, xlate_get(d, tc, "function"), "name");
		if (xlate_is_str(d, cid) && json_str_eq(d, cid, ids) && xlate_nonempty_str(d, cn))
			return cn;
	}
	return -1;
}

static str join_texts(const json_doc *d, int parts, bool thought, arena *a, int *rc);

static int tool_part(rq *r, int m)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int name = tool_name(r, m), c = xlate_get(d, m, "content"), rc = 0;
	xlate_turn(&r->turns, false);
	json_write_obj_begin(w);
	json_write_key(w, "functionResponse");
	json_write_obj_begin(w);
	if (name >= 0)
		xlate_w_kraw(w, "name", d, name);
	else
		json_write_kv_str(w, "name", "tool");
	json_write_key(w, "response");
	json_write_obj_begin(w);
	json_write_key(w, "result");
	if (c < 0) {
		json_write_str(w, "");
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		str s = join_texts(d, c, false, r->a, &rc);
		if (rc)
			return rc;
		if (s.n)
			json_write_raw(w, s.p, s.n);
		else
			json_write_str(w, "");
	} else {
		xlate_w_raw(w, d, c);
	}
	json_write_obj_end(w);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return 1;
}

static int w_contents(rq *r, int msgs)
{
	const json_doc *d = r->d;
	int m, rc;
	size_t mi = 0;
	json_iter it = json_iter_begin(d, msgs);

	json_write_key(r->w, "contents");
	json_write_arr_begin(r->w);
	while (json_iter_next(d, &it, NULL, &m)) {
		xlate_role role = xlate_role_of(d, m);
		if (role == XLATE_ROLE_ASSISTANT)
			rc = model_parts(r, m, mi);
		else if (role == XLATE_ROLE_USER)
			rc = user_parts(r, xlate_get(d, m, "content"));
		else if (role == XLATE_ROLE_TOOL || role == XLATE_ROLE_FUNCTION)
			rc = tool_part(r, m);
		else
			rc = 0;
		if (rc < 0)
			return rc;
		mi++;
	}
	xlate_turn_end(&r->turns);
	json_write_arr_end(r->w);
	return 0;
}

static size_t system_parts(rq *r, int msgs, bool write)
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
			if (write) {
				json_write_obj_begin(r->w);
				xlate_w_kraw(r->w, "text", d, c);
				json_write_obj_end(r->w);
			}
			n++;
		} else if (json_typeof(d, c) == JSON_ARRAY) {
			pit = json_iter_begin(d, c);
			while (json_iter_next(d, &pit, NULL, &p)) {
				int t = xlate_get(d, p, "text");
				if (!xlate_nonempty_str(d, t))
					continue;
				if (write) {
					json_write_obj_begin(r->w);
					xlate_w_kraw(r->w, "text", d, t);
					json_write_obj_end(r->w);
				}
				n++;
			}
		}
	}
	return n;
}

/* ---- generationConfig ------------------------------------------------------------ */

static void gc_key(rq *r, const char *key)
{
	if (!r->gc_open) {
		json_write_key(r->w, "generationConfig");
		json_write_obj_begin(r->w);
		r->gc_open = true;
	}
	json_write_key(r->w, key);
}

static void gc_num(rq *r, const char *key, int v)
{
	if (xlate_is_num(r->d, v)) {
		gc_key(r, key);
		xlate_w_raw(r->w, r->d, v);
	}
}

static int w_gencfg(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const int root = 0;
	int v, s;

	v = xlate_get(d, root, "max_completion_tokens");
	if (!xlate_is_num(d, v))
		v = xlate_get(d, root, "max_tokens");
	if (xlate_is_num(d, v))
		gc_num(r, "maxOutputTokens", v);
	else if (r->cx->max_tokens) {
		gc_key(r, "maxOutputTokens");
		json_write_u64(w, r->cx->max_tokens);
	}
	gc_num(r, "temperature", xlate_get(d, root, "temperature"));
	gc_num(r, "topP", xlate_get(d, root, "top_p"));
	gc_num(r, "topK", xlate_get(d, root, "top_k"));
	v = xlate_get(d, root, "stop");
	if (xlate_is_str(d, v) || json_typeof(d, v) == JSON_ARRAY) {
		gc_key(r, "stopSequences");
		xlate_w_strings(w, d, v);
	}
	gc_num(r, "candidateCount", xlate_get(d, root, "n"));
	gc_num(r, "seed", xlate_get(d, root, "seed"));
	gc_num(r, "presencePenalty", xlate_get(d, root, "presence_penalty"));
	gc_num(r, "frequencyPenalty", xlate_get(d, root, "frequency_penalty"));
	if (json_typeof(d, xlate_get(d, root, "logprobs")) == JSON_TRUE) {
		gc_key(r, "responseLogprobs");
		json_write_bool(w, true);
	}
	gc_num(r, "logprobs", xlate_get(d, root, "top_logprobs"));

	int rf = xlate_get(d, root, "response_format");
	bool jo = xlate_str_is(d, rf, "type", "json_object"), js = xlate_str_is(d, rf, "type", "json_schema");
	if (jo || js) {
		gc_key(r, "responseMimeType");
		json_write_str(w, "application/json");
		int schema = js ? xlate_get(d, xlate_get(d, rf, "json_schema"), "schema") : -1;
		if (json_typeof(d, schema) == JSON_OBJECT) {
			gc_key(r, "responseSchema");
			w_schema(r, schema);
		}
	}

	v = xlate_get(d, root, "modalities");
	if (json_typeof(d, v) == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, v);
		gc_key(r, "responseModalities");
		json_write_arr_begin(w);
		while (json_iter_next(d, &it, NULL, &s)) {
			str m;
			if (!xlate_is_str(d, s))
				continue;
			if (json_str_dup(d, s, r->a, &m))
				return ERR_NOMEM;
			for (size_t i = 0; i < m.n; i++)
				if (m.p[i] >= 'a' && m.p[i] <= 'z')
					((char *)m.p)[i] = (char)(m.p[i] - 'a' + 'A');
			json_write_strn(w, m.p, m.n);
		}
		json_write_arr_end(w);
	}

	int e = xlate_effort(d, r->extra);
	if (e >= 0) {
		uint64_t budget = 4096;
		if (xlate_tok_is(d, e, "minimal"))
			budget = 0;
		else if (xlate_tok_is(d, e, "low"))
			budget = 1024;
		else if (xlate_tok_is(d, e, "high"))
			budget = 16384;
		else if (xlate_tok_is(d, e, "max"))
			budget = 24576;
		gc_key(r, "thinkingConfig");
		json_write_obj_begin(w);
		json_write_kv_u64(w, "thinkingBudget", budget);
		json_write_kv_bool(w, "includeThoughts", true);
		json_write_obj_end(w);
	}
	if (r->gc_open)
		json_write_obj_end(w);
	return 0;
}

/* ---- tools ------------------------------------------------------------------------ */

/* Does the parameters schema p declare any property? */
static bool has_properties(const json_doc *d, int p)
{
	int props = xlate_get(d, p, "properties");
	if (json_typeof(d, p) != JSON_OBJECT)
		return false;
	if (props < 0)
		return !(xlate_get(d, p, "type") < 0 || xlate_str_is(d, p, "type", "object") ||
			 xlate_str_is(d, p, "type", "OBJECT"));
	return json_typeof(d, props) != JSON_OBJECT || json_size(d, props) > 0;
}

static void w_tools(rq *r, int tools, bool grounding)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	size_t nf = 0;
	int t;
	json_iter it = json_iter_begin(d, tools);
	while (json_iter_next(d, &it, NULL, &t))
		nf += xlate_is_function_tool(d, t);
	if (!nf && !grounding)
		return;
	json_write_key(w, "tools");
	json_write_arr_begin(w);
	if (nf) {
		json_write_obj_begin(w);
		json_write_key(w, "functionDeclarations");
		json_write_arr_begin(w);
		it = json_iter_begin(d, tools);
		while (json_iter_next(d, &it, NULL, &t)) {
			if (!xlate_is_function_tool(d, t))
				continue;
			int fn = xlate_get(d, t, "function");
			int name = xlate_get(d, fn, "name"), desc = xlate_get(d, fn, "description");
			int params = xlate_get(d, fn, "parameters");
			json_write_obj_begin(w);
			xlate_w_kstr_tok(w, "name", d, name);
			if (xlate_is_str(d, desc))
				xlate_w_kraw(w, "description", d, desc);
			if (has_properties(d, params)) {
				json_write_key(w, "parameters");
				w_schema(r, params);
			}
			json_write_obj_end(w);
		}
		json_write_arr_end(w);
		json_write_obj_end(w);
	}
	if (grounding) {
		json_write_obj_begin(w);
		json_write_key(w, "google_search_retrieval");
		xlate_w_empty_obj(w);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
}

static void w_toolcfg(rq *r, int tc)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const char *mode = NULL;
	int name = -1;
	if (xlate_tok_is(d, tc, "none"))
		mode = "NONE";
	else if (xlate_tok_is(d, tc, "auto"))
		mode = "AUTO";
	else if (xlate_tok_is(d, tc, "required"))
		mode = "ANY";
	else if (json_typeof(d, tc) == JSON_OBJECT && xlate_is_str(d, (name = json_path(d, tc, "function.name"))))
		mode = "ANY";
	if (!mode)
		return;
	json_write_key(w, "toolConfig");
	json_write_obj_begin(w);
	json_write_key(w, "functionCallingConfig");
	json_write_obj_begin(w);
	json_write_kv_str(w, "mode", mode);
	if (name >= 0) {
		json_write_key(w, "allowedFunctionNames");
		json_write_arr_begin(w);
		xlate_w_raw(w, d, name);
		json_write_arr_end(w);
	}
	json_write_obj_end(w);
	json_write_obj_end(w);
}

/* ---- the request ------------------------------------------------------------------ */

/* Does extra_body hold a member (copied to the top level) named key? */
static bool extra_has(const rq *r, const char *key)
{
	return r->extra >= 0 && json_get(r->d, r->extra, key) >= 0;
}

static bool extra_is_read(const json_doc *d, int k)
{
	for (size_t i = 0; i < XLATE_NELEM(extra_read); i++)
		if (json_str_eq(d, k, str_from(extra_read[i])))
			return true;
	return false;
}

static int request_body(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	const int root = 0;
	int rc, k, v;
	int msgs = xlate_get(d, root, "messages");

	if ((rc = xlate_check_messages(d, msgs, r->a, r->err)))
		return rc;
	r->extra = xlate_extra_body(d);

	json_write_obj_begin(w);
	if (!extra_has(r, built_keys[K_CONTENTS])) {
		if ((rc = w_contents(r, msgs)))
			return rc;
	}
	if (!extra_has(r, built_keys[K_SYSTEM]) && system_parts(r, msgs, false)) {
		json_write_key(w, "systemInstruction");
		json_write_obj_begin(w);
		json_write_key(w, "parts");
		json_write_arr_begin(w);
		system_parts(r, msgs, true);
		json_write_arr_end(w);
		json_write_obj_end(w);
	}
	if (!extra_has(r, built_keys[K_GENCFG]) && (rc = w_gencfg(r)))
		return rc;
	if (!extra_has(r, built_keys[K_TOOLS])) {
		bool grounding = xlate_get(d, r->extra, "grounding_config") >= 0 ||
				 xlate_get(d, r->extra, "google_search_retrieval") >= 0;
		w_tools(r, xlate_arr(d, xlate_get(d, root, "tools")), grounding);
	}
	if (!extra_has(r, built_keys[K_TOOLCFG]))
		w_toolcfg(r, xlate_get(d, root, "tool_choice"));
	if (!extra_has(r, built_keys[K_SAFETY]) && (v = xlate_get(d, r->extra, "safety_settings")) >= 0)
		xlate_w_kraw(w, "safetySettings", d, v);
	if (!extra_has(r, built_keys[K_CACHED]) && (v = xlate_get(d, r->extra, "cached_content")) >= 0)
		xlate_w_kraw(w, "cachedContent", d, v);
	/* the rest of extra_body, as it is */
	json_iter it = json_iter_begin(d, r->extra);
	while (json_iter_next(d, &it, &k, &v)) {
		if (extra_is_read(d, k))
			continue;
		xlate_w_member(w, d, k, v, r->a);
	}
	json_write_obj_end(w);
	return 0;
}

int xlate_gemini_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			 xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc;
	json_writer w;
	rq r = { .cx = cx ? cx : &zero_ctx, .d = &doc, .a = scratch, .w = &w, .err = err,
		 .flags = cx ? cx->flags : 0, .extra = -1, .last_asst = -1,
		 .turns = { .w = &w, .assistant = "model", .key = "parts" } };
	int rc = xlate_parse_request(&doc, in, n, scratch, info, err);

	if (rc)
		return rc;
	xlate_chat_info(&doc, info);
	size_t old = out->len;
	xlate_writer(&w, out);
	return xlate_finish(&w, out, old, request_body(&r), "the Gemini request", err);
}

/* ---- errors ------------------------------------------------------------------------ */

int xlate_gemini_error_status(str s)
{
	static const xlate_status map[] = {
		{ "INVALID_ARGUMENT", 400 },  { "FAILED_PRECONDITION", 400 }, { "OUT_OF_RANGE", 400 },
		{ "UNAUTHENTICATED", 401 },   { "PERMISSION_DENIED", 403 },   { "NOT_FOUND", 404 },
		{ "ABORTED", 409 },           { "ALREADY_EXISTS", 409 },      { "RESOURCE_EXHAUSTED", 429 },
		{ "CANCELLED", 499 },         { "INTERNAL", 500 },            { "UNKNOWN", 500 },
		{ "DATA_LOSS", 500 },         { "UNIMPLEMENTED", 501 },       { "UNAVAILABLE", 503 },
		{ "DEADLINE_EXCEEDED", 504 },
	};
	return xlate_status_of(s, map, XLATE_NELEM(map), false);
}

/* Fill err from the "error" object of root; false when there is none. */
static bool error_from(const json_doc *d, int root, arena *a, xlate_kind kind, const char *dflt, xlate_err *err)
{
	int e = xlate_get(d, root, "error");
	str msg, status;
	int64_t code = 0;
	if (json_typeof(d, e) != JSON_OBJECT)
		return false;
	if (!xlate_get_str(d, e, "message", a, &msg) || !msg.n)
		msg = str_from(dflt);
	if (!xlate_get_str(d, e, "status", a, &status))
		status = STR_NULL;
	int c = xlate_get(d, e, "code");
	if (c >= 0 && json_i64(d, c, &code) != 0)
		code = 0;
	if (err) {
		xlate_err_set(err, kind, "%s", "");
		xlate_strlcpy(err->msg, sizeof err->msg, msg);
		xlate_strlcpy(err->type, sizeof err->type, status);
		err->status = code >= 400 && code <= 599 ? (int)code : xlate_gemini_error_status(status);
	}
	return true;
}

int xlate_gemini_error(const char *in, size_t n, arena *scratch, xlate_err *err)
{
	json_doc d;
	int root = 0;
	if (json_parse_arena(&d, scratch, in, n, NULL, NULL) < 0)
		return ERR_NOTFOUND;
	if (json_typeof(&d, 0) == JSON_ARRAY && json_size(&d, 0) >= 1)
		root = json_at(&d, 0, 0);
	if (!error_from(&d, root, scratch, XLATE_E_UPSTREAM, "unknown Gemini error", err))
		return ERR_NOTFOUND;
	return 0;
}

/* ---- response ---------------------------------------------------------------------- */

static void read_usage(const json_doc *d, int u, xlate_usage *out)
{
	uint64_t p = 0, c = 0, t = 0, cached = 0;
	memset(out, 0, sizeof *out);
	out->present = json_typeof(d, u) == JSON_OBJECT;
	xlate_get_u64(d, u, "promptTokenCount", &p);
	xlate_get_u64(d, u, "candidatesTokenCount", &c);
	xlate_get_u64(d, u, "thoughtsTokenCount", &t);
	xlate_get_u64(d, u, "cachedContentTokenCount", &cached);
	out->prompt_tokens = p;
	out->completion_tokens = xlate_sat_add(c, t);
	out->total_tokens = xlate_sat_add(p, out->completion_tokens);
	out->cached_tokens = cached;
}

static bool part_is_thought(const json_doc *d, int p)
{
	return json_typeof(d, xlate_get(d, p, "thought")) == JSON_TRUE;
}

static bool thought_is(const json_doc *d, int p, const void *want)
{
	return part_is_thought(d, p) == *(const bool *)want;
}

/* The text parts of parts (thought or not) joined as a raw JSON string
 * literal in a; .n == 0 when there is no text. */
static str join_texts(const json_doc *d, int parts, bool thought, arena *a, int *rc)
{
	return xlate_join_strs(d, parts, "text", thought_is, &thought, a, rc);
}

static const char *map_finish(const json_doc *d, int fr, bool calls)
{
	static const char *const filter[] = {
		"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
	};
	if (xlate_tok_is(d, fr, "MAX_TOKENS"))
		return "length";
	for (size_t i = 0; i < XLATE_NELEM(filter); i++)
		if (xlate_tok_is(d, fr, filter[i]))
			return "content_filter";
	if (xlate_tok_is(d, fr, "TOOL_CODE") || xlate_tok_is(d, fr, "FUNCTION_CALL"))
		return "tool_calls";
	return calls ? "tool_calls" : "stop";
}

/* "call_<name>_<k>" in a. */
static str make_call_id(str name, uint64_t k, arena *a)
{
	size_t cap = name.n + 32;
	char *s = arena_alloc(a, cap);
	if (!s)
		return STR_NULL;
	int n = snprintf(s, cap, "call_%.*s_%llu", (int)name.n, name.p ? name.p : "", (unsigned long long)k);
	return str_make(s, n > 0 ? (size_t)n : 0);
}

/* One tool_calls entry for functionCall fc; index >= 0 writes "index". */
static int w_tool_call(json_writer *w, const json_doc *d, int fc, int64_t index, uint64_t k, arena *a, size_t cap)
{
	str name, id;
	if (!xlate_get_str(d, fc, "name", a, &name))
		name = STR_LIT("");
	if (!xlate_get_str(d, fc, "id", a, &id) || !id.n) {
		id = make_call_id(name, k, a);
		if (!id.p)
			return ERR_NOMEM;
	}
	json_write_obj_begin(w);
	if (index >= 0)
		json_write_kv_i64(w, "index", index);
	xlate_w_kstr(w, "id", id);
	json_write_kv_str(w, "type", "function");
	json_write_key(w, "function");
	json_write_obj_begin(w);
	xlate_w_kstr(w, "name", name);
	json_write_key(w, "arguments");
	int args = xlate_get(d, fc, "args");
	int rc = xlate_w_args(w, d, json_typeof(d, args) == JSON_OBJECT ? args : -1, a, cap);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return rc;
}

/* The content array of a candidate with inline data. */
static int w_content_parts(json_writer *w, const json_doc *d, int parts, str text, arena *a)
{
	int p;
	json_write_arr_begin(w);
	if (text.n) {
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "text");
		json_write_kv_raw(w, "text", text.p, text.n);
		json_write_obj_end(w);
	}
	json_iter it = json_iter_begin(d, parts);
	while (json_iter_next(d, &it, NULL, &p)) {
		int id = xlate_get(d, p, "inlineData");
		str mt, data;
		if (json_typeof(d, id) != JSON_OBJECT)
			continue;
		if (!xlate_get_str(d, id, "mimeType", a, &mt))
			mt = STR_LIT("application/octet-stream");
		if (!xlate_get_str(d, id, "data", a, &data))
			data = STR_LIT("");
		json_write_obj_begin(w);
		if (str_starts_with(mt, STR_LIT("audio/"))) {
			json_write_kv_str(w, "type", "output_audio");
			json_write_key(w, "audio");
			json_write_obj_begin(w);
			xlate_w_kstr(w, "data", data);
			xlate_w_kstr(w, "format", str_slice(mt, 6, mt.n));
			json_write_obj_end(w);
		} else {
			size_t l = 5 + mt.n + 8 + data.n;
			char *u = arena_alloc(a, l);
			if (!u)
				return ERR_NOMEM;
			memcpy(u, "data:", 5);
			memcpy(u + 5, mt.p, mt.n);
			memcpy(u + 5 + mt.n, ";base64,", 8);
			if (data.n)
				memcpy(u + 13 + mt.n, data.p, data.n);
			json_write_kv_str(w, "type", "output_image");
			json_write_key(w, "image_url");
			json_write_obj_begin(w);
			json_write_kv_strn(w, "url", u, l);
			json_write_obj_end(w);
		}
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	return 0;
}

static int w_choice(json_writer *w, const json_doc *d, int cand, uint64_t pos, uint64_t *k, arena *a, size_t cap)
{
	int parts = xlate_arr(d, xlate_get(d, xlate_get(d, cand, "content"), "parts"));
	int p, rc = 0;
	uint64_t index = pos;
	size_t ncalls = 0;
	bool inline_data = false;
	str text, thought;

	if (xlate_get(d, cand, "index") < 0 || json_u64(d, xlate_get(d, cand, "index"), &index))
		index = pos;
	json_iter it = json_iter_begin(d, parts);
	while (json_iter_next(d, &it, NULL, &p)) {
		ncalls += json_typeof(d, xlate_get(d, p, "functionCall")) == JSON_OBJECT;
		inline_data |= json_typeof(d, xlate_get(d, p, "inlineData")) == JSON_OBJECT;
	}
	text = join_texts(d, parts, false, a, &rc);
	if (!rc)
		thought = join_texts(d, parts, true, a, &rc);
	if (rc)
		return rc;

	json_write_obj_begin(w);
	json_write_kv_u64(w, "index", index);
	json_write_key(w, "message");
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "assistant");
	if (inline_data) {
		json_write_key(w, "content");
		if ((rc = w_content_parts(w, d, parts, text, a)))
			return rc;
	} else if (text.n) {
		json_write_kv_raw(w, "content", text.p, text.n);
	} else {
		json_write_kv_null(w, "content");
	}
	if (ncalls) {
		json_write_key(w, "tool_calls");
		json_write_arr_begin(w);
		it = json_iter_begin(d, parts);
		while (json_iter_next(d, &it, NULL, &p)) {
			int fc = xlate_get(d, p, "functionCall");
			if (json_typeof(d, fc) != JSON_OBJECT)
				continue;
			if ((rc = w_tool_call(w, d, fc, -1, (*k)++, a, cap)))
				return rc;
		}
		json_write_arr_end(w);
	}
	if (thought.n)
		json_write_kv_raw(w, "reasoning_content", thought.p, thought.n);
	json_write_obj_end(w);
	json_write_kv_str(w, "finish_reason", map_finish(d, xlate_get(d, cand, "finishReason"), ncalls > 0));
	json_write_obj_end(w);
	return 0;
}

/* The block reason of a response without candidates, or -1. */
static int block_reason(const json_doc *d)
{
	int br = xlate_get(d, xlate_get(d, 0, "promptFeedback"), "blockReason");
	return xlate_is_str(d, br) ? br : -1;
}

static void w_blocked_message(json_writer *w, const json_doc *d, int br, arena *a)
{
	str reason;
	char msg[160];
	if (br < 0 || json_str(d, br, a, &reason))
		reason = STR_LIT("unknown");
	int n = snprintf(msg, sizeof msg, "prompt blocked by Gemini: %.*s", (int)(reason.n > 100 ? 100 : reason.n),
			 reason.p);
	json_write_kv_strn(w, "refusal", msg, n > 0 ? (size_t)n : 0);
}

int xlate_gemini_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	size_t old = out->len;
	json_doc doc, *d = &doc;
	json_writer w;
	xlate_usage u;
	int rc, c;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Gemini", "Gemini response", err)))
		return rc;
	int cands = xlate_arr(d, xlate_get(d, 0, "candidates"));
	int br = block_reason(d);
	if (json_size(d, cands) == 0 && br < 0) {
		if (error_from(d, 0, scratch, XLATE_E_UPSTREAM, "unknown Gemini error", err))
			return ERR_INVAL;
		xlate_err_set(err, XLATE_E_SERIALIZATION, "Gemini response has no candidates");
		return ERR_INVAL;
	}
	read_usage(d, xlate_get(d, 0, "usageMetadata"), &u);

	xlate_writer(&w, out);
	json_write_obj_begin(&w);
	{
		str id, model;
		if (!xlate_get_str(d, 0, "responseId", scratch, &id) || !id.n)
			id = cx->id.n ? cx->id : STR_LIT("gemini-resp");
		if (!xlate_get_str(d, 0, "modelVersion", scratch, &model) || !model.n)
			model = cx->model;
		xlate_w_kstr(&w, "id", id);
		json_write_kv_str(&w, "object", "chat.completion");
		json_write_kv_i64(&w, "created", cx->created);
		xlate_w_kstr(&w, "model", model);
	}
	json_write_key(&w, "choices");
	json_write_arr_begin(&w);
	if (json_size(d, cands) == 0) {
		json_write_obj_begin(&w);
		json_write_kv_i64(&w, "index", 0);
		json_write_key(&w, "message");
		json_write_obj_begin(&w);
		json_write_kv_str(&w, "role", "assistant");
		json_write_kv_null(&w, "content");
		w_blocked_message(&w, d, br, scratch);
		json_write_obj_end(&w);
		json_write_kv_str(&w, "finish_reason", "content_filter");
		json_write_obj_end(&w);
	} else {
		uint64_t pos = 0, k = 0;
		json_iter it = json_iter_begin(d, cands);
		while (!rc && json_iter_next(d, &it, NULL, &c)) {
			if (json_typeof(d, c) == JSON_OBJECT)
				rc = w_choice(&w, d, c, pos, &k, scratch, out->cap);
			pos++;
		}
	}
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

void xlate_gemini_stream_init(xlate_gemini_stream *st, const xlate_ctx *cx)
{
	xlate_emit e = XLATE_EMIT_INIT(st, NULL, NULL);
	xlate_emit_reset(&e, cx);
}

typedef struct sx {
	xlate_gemini_stream *st;
	arena *a;
	xlate_err *err;
	bool upstream_error;  /* an error payload filled err */
	xlate_emit e;
} sx;

/* Candidate 0 of a payload: the element with index 0 or without index. */
static int first_candidate(const json_doc *d)
{
	int cands = xlate_arr(d, xlate_get(d, 0, "candidates")), c;
	json_iter it = json_iter_begin(d, cands);
	while (json_iter_next(d, &it, NULL, &c)) {
		uint64_t idx = 0;
		if (json_typeof(d, c) != JSON_OBJECT)
			continue;
		if (xlate_get(d, c, "index") < 0 || (xlate_get_u64(d, c, "index", &idx) && idx == 0))
			return c;
	}
	return -1;
}

static int stream_payload(sx *x, const json_doc *d)
{
	xlate_gemini_stream *st = x->st;
	int cand = first_candidate(d), rc, p;
	str s;

	if (cand < 0 && json_size(d, xlate_arr(d, xlate_get(d, 0, "candidates"))) == 0 &&
	    error_from(d, 0, x->a, XLATE_E_STREAMING, "unknown Gemini streaming error", x->err)) {
		x->upstream_error = true;
		return ERR_INVAL;
	}
	if (!st->started) {
		if (xlate_get_str(d, 0, "responseId", x->a, &s) && s.n)
			xlate_set_fixed(st->id, sizeof st->id, &st->id_len, s);
		if (xlate_get_str(d, 0, "modelVersion", x->a, &s) && s.n)
			xlate_set_fixed(st->model, sizeof st->model, &st->model_len, s);
	}
	int um = xlate_get(d, 0, "usageMetadata");
	if (json_typeof(d, um) == JSON_OBJECT)
		read_usage(d, um, &st->usage);
	if ((rc = xlate_emit_start(&x->e)))
		return rc;
	if (st->finish_sent)
		return 0;
	if (cand < 0) {
		int br = block_reason(d);
		return br >= 0 ? xlate_emit_finish(&x->e, "content_filter") : 0;
	}
	int parts = xlate_arr(d, xlate_get(d, xlate_get(d, cand, "content"), "parts"));
	for (int thought = 1; thought >= 0; thought--) {
		str t = join_texts(d, parts, thought, x->a, &rc);
		if (rc)
			return rc;
		if (!t.n)
			continue;
		if ((rc = xlate_emit_delta(&x->e, thought ? "reasoning_content" : "content", t)))
			return rc;
	}
	json_iter it = json_iter_begin(d, parts);
	while (json_iter_next(d, &it, NULL, &p)) {
		int fc = xlate_get(d, p, "functionCall");
		if (json_typeof(d, fc) != JSON_OBJECT)
			continue;
		json_writer *w = xlate_emit_open(&x->e, 0);
		json_write_key(w, "tool_calls");
		json_write_arr_begin(w);
		rc = w_tool_call(w, d, fc, st->ntools, st->ntools, x->a, x->e.out->cap);
		json_write_arr_end(w);
		if (!rc)
			rc = xlate_emit_close(&x->e, NULL, NULL);
		if (rc)
			return rc;
		if (st->ntools < INT32_MAX)
			st->ntools++;
	}
	int fr = xlate_get(d, cand, "finishReason");
	if (xlate_is_str(d, fr))
		return xlate_emit_finish(&x->e, map_finish(d, fr, st->ntools > 0));
	return 0;
}

int xlate_gemini_stream_feed(xlate_gemini_stream *st, str type, str data, arena *scratch, buf *out,
			     xlate_err *err)
{
	xlate_gemini_stream save = *st;
	json_doc doc;
	sx x = { .st = st, .a = scratch, .err = err, .e = XLATE_EMIT_INIT(st, out, &save) };
	int rc = xlate_emit_feed(&x.e, "Gemini", data, scratch, &doc, err);

	(void)type;
	if (rc == XLATE_EV_DONE)
		rc = xlate_emit_done(&x.e, "stop");
	else if (rc == XLATE_EV_JSON)
		rc = stream_payload(&x, &doc);
	else
		return rc; /* nothing to do, or an error made sticky */
	return xlate_emit_leave(&x.e, rc, x.upstream_error, err);
}

int xlate_gemini_stream_end(xlate_gemini_stream *st, buf *out, xlate_err *err)
{
	xlate_gemini_stream save = *st;
	xlate_emit e = XLATE_EMIT_INIT(st, out, &save);
	return xlate_emit_end(&e, "Gemini", "response", err);
}
