/* xlate_bedrock.c — OpenAI chat <-> AWS Bedrock Converse / ConverseStream
 * (request body, response body, error body, stream state machine) and
 * OpenAI embeddings <-> InvokeModel for Titan / Cohere embedding models.
 * Pure; the rules are listed in xlate_bedrock.h.
 *
 * The writers below rely on json_writer's sticky error: a run of writes is
 * issued unchecked and the first failure (cap, memory) is read back once,
 * from json_write_finish() or w->err. Validation errors (ERR_INVAL with err
 * filled) return at once. */
#include "providers/xlate_bedrock.h"
#include "base/err.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CUT(s) (int)((s).n > 64 ? 64 : (s).n), (s).p ? (s).p : "" /* printf "%.*s" of a slice */

/* Top-level members built here (an extra_body member of the same name
 * replaces ours). */
enum { K_MESSAGES, K_SYSTEM, K_INFERENCE, K_TOOLS, K_ADDITIONAL, K_TIER, K_METADATA, K_COUNT };
static const char *const built_keys[K_COUNT] = {
	"messages", "system", "inferenceConfig", "toolConfig", "additionalModelRequestFields", "serviceTier",
	"requestMetadata",
};

typedef struct rq {
	const xlate_ctx *cx;
	const json_doc *d;
	arena *a;
	json_writer *w;
	xlate_err *err;
	int extra;        /* extra_body object, or -1 */
	xlate_turns turns; /* user / assistant turns of "messages" */
	bool tool_blocks; /* a toolUse or toolResult block was written */
	bool ic_open;     /* inferenceConfig is open */
	uint32_t ndocs;   /* document blocks written (default names) */
} rq;

static int bad(rq *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(rq *r, const char *fmt, ...)
{
	char msg[XLATE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	xlate_err_set(r->err, XLATE_E_BAD_REQUEST, "%s", msg);
	return ERR_INVAL;
}

/* The string value of token i in a, or "" (for messages). */
static str tok_str(const json_doc *d, int i, arena *a)
{
	str s;
	if (!xlate_is_str(d, i) || json_str(d, i, a, &s))
		return STR_LIT("");
	return s;
}

/* ---- content blocks ------------------------------------------------------------ */

/* {"text": <string token t>} */
static void blk_text(rq *r, int t)
{
	json_write_obj_begin(r->w);
	xlate_w_kraw(r->w, "text", r->d, t);
	json_write_obj_end(r->w);
}

/* ---- images and documents ----------------------------------------------------------- */

static const char *image_format(str mt)
{
	static const struct {
		const char *mt, *fmt;
	} map[] = {
		{ "image/png", "png" }, { "image/jpeg", "jpeg" }, { "image/jpg", "jpeg" },
		{ "image/gif", "gif" }, { "image/webp", "webp" },
	};
	for (size_t i = 0; i < XLATE_NELEM(map); i++)
		if (str_eq_nocase(mt, str_from(map[i].mt)))
			return map[i].fmt;
	return NULL;
}

static const char *document_format(str mt)
{
	static const struct {
		const char *mt, *fmt;
	} map[] = {
		{ "application/pdf", "pdf" },
		{ "text/csv", "csv" },
		{ "application/msword", "doc" },
		{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" },
		{ "application/vnd.ms-excel", "xls" },
		{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" },
		{ "text/html", "html" },
		{ "text/plain", "txt" },
		{ "text/markdown", "md" },
	};
	for (size_t i = 0; i < XLATE_NELEM(map); i++)
		if (str_eq_nocase(mt, str_from(map[i].mt)))
			return map[i].fmt;
	return NULL;
}

/* {"image":{"format","source":{"bytes"}}} from the URL token u of
 * messages[mi].content[pi]. */
static int w_image(rq *r, int u, size_t mi, size_t pi)
{
	json_writer *w = r->w;
	str url, mt, data;
	bool b64;
	int rc = json_str(r->d, u, r->a, &url);
	if (rc)
		return rc;
	if (!xlate_data_url(url, &mt, &data, &b64) || !b64)
		return bad(r, "messages[%zu].content[%zu]: Bedrock takes images only as base64 data: URLs", mi, pi);
	const char *fmt = image_format(mt);
	if (!fmt)
		return bad(r, "messages[%zu].content[%zu]: image type '%.*s' is not supported by Bedrock (png, jpeg, "
			   "gif, webp)", mi, pi, CUT(mt));
	json_write_obj_begin(w);
	json_write_key(w, "image");
	json_write_obj_begin(w);
	json_write_kv_str(w, "format", fmt);
	json_write_key(w, "source");
	json_write_obj_begin(w);
	xlate_w_kstr(w, "bytes", data);
	json_write_obj_end(w);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return 0;
}

/* A document name as Bedrock allows it: letters, digits, single blanks,
 * '-', '(', ')', '[', ']'; the extension dropped; others become '-'. */
static str doc_name(str file, arena *a)
{
	ptrdiff_t dot = -1;
	for (size_t i = 0; i < file.n; i++)
		if (file.p[i] == '.')
			dot = (ptrdiff_t)i;
	if (dot > 0)
		file = str_slice(file, 0, (size_t)dot);
	if (file.n > 100)
		file.n = 100;
	char *o = arena_alloc(a, file.n + 1);
	size_t k = 0;
	if (!o)
		return STR_NULL;
	for (size_t i = 0; i < file.n;) {
		unsigned char c = (unsigned char)file.p[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			  c == '(' || c == ')' || c == '[' || c == ']';
		int l = json_utf8_seq((const unsigned char *)file.p + i, file.n - i);
		i += l > 0 ? (size_t)l : (size_t)-l; /* one '-' per character */
		if (c == ' ' || c == '\t') {
			if (k && o[k - 1] != ' ')
				o[k++] = ' ';
		} else {
			o[k++] = ok ? (char)c : '-';
		}
	}
	while (k && o[k - 1] == ' ')
		k--;
	return str_make(o, k);
}

/* {"document":{"format","name","source":{"bytes"}}} from a "document" part
 * {"data","media_type"?,"name"?} or a "file" part {"file_data","filename"?}. */
static int w_document(rq *r, int p, bool file, size_t mi, size_t pi)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	str mt = STR_LIT("application/pdf"), data, name = STR_NULL;
	int obj = xlate_get(d, p, file ? "file" : "document");
	if (file) {
		str url;
		bool b64;
		if (!xlate_get_str(d, obj, "file_data", r->a, &url))
			return bad(r, "messages[%zu].content[%zu]: Bedrock takes files only as file_data (a base64 data: "
				   "URL), not by file_id", mi, pi);
		if (!xlate_data_url(url, &mt, &data, &b64) || !b64)
			return bad(r, "messages[%zu].content[%zu]: file.file_data must be a base64 data: URL", mi, pi);
		xlate_get_str(d, obj, "filename", r->a, &name);
	} else {
		if (!xlate_get_str(d, obj, "data", r->a, &data))
			return bad(r, "messages[%zu].content[%zu]: document.data (base64) is missing", mi, pi);
		str m;
		if (xlate_get_str(d, obj, "media_type", r->a, &m) && m.n)
			mt = m;
		xlate_get_str(d, obj, "name", r->a, &name);
	}
	const char *fmt = document_format(mt);
	if (!fmt)
		return bad(r, "messages[%zu].content[%zu]: document type '%.*s' is not supported by Bedrock (pdf, csv, "
			   "doc, docx, xls, xlsx, html, txt, md)", mi, pi, CUT(mt));
	name = doc_name(name, r->a);
	if (!name.p)
		return ERR_NOMEM;
	char dflt[32];
	r->ndocs++;
	if (!name.n) {
		int n = snprintf(dflt, sizeof dflt, "document-%u", (unsigned)r->ndocs);
		name = str_make(dflt, n > 0 ? (size_t)n : 0);
	}
	json_write_obj_begin(w);
	json_write_key(w, "document");
	json_write_obj_begin(w);
	json_write_kv_str(w, "format", fmt);
	xlate_w_kstr(w, "name", name);
	json_write_key(w, "source");
	json_write_obj_begin(w);
	xlate_w_kstr(w, "bytes", data);
	json_write_obj_end(w);
	json_write_obj_end(w);
	json_write_obj_end(w);
	return 0;
}

/* The URL token of an image_url part (object or the bare-string short form). */
static int image_url_tok(const json_doc *d, int p)
{
	int v = xlate_get(d, p, "image_url");
	return xlate_is_str(d, v) ? v : xlate_get(d, v, "url");
}

/* ---- user, assistant, tool --------------------------------------------------------- */

enum { IN_USER, IN_TOOL_RESULT };

/* The blocks of user content c (or of a tool result's array content, where
 * only text and images are allowed). Opens the user turn itself when where
 * is IN_USER. Returns 0 or an err_t. */
static int content_parts(rq *r, int c, size_t mi, int where)
{
	const json_doc *d = r->d;
	int p, rc;
	size_t pi = 0;
	json_iter it = json_iter_begin(d, c);
	while (json_iter_next(d, &it, NULL, &p)) {
		int t = xlate_get(d, p, "type"), v;
		if (json_typeof(d, p) != JSON_OBJECT)
			return bad(r, "messages[%zu].content[%zu] is not an object", mi, pi);
		if (xlate_tok_is(d, t, "text") || (t < 0 && xlate_get(d, p, "text") >= 0)) {
			v = xlate_get(d, p, "text");
			if (xlate_nonempty_str(d, v)) {
				if (where == IN_USER)
					xlate_turn(&r->turns, false);
				blk_text(r, v);
			}
		} else if (xlate_tok_is(d, t, "image_url")) {
			v = image_url_tok(d, p);
			if (!xlate_is_str(d, v))
				return bad(r, "messages[%zu].content[%zu] has no image_url.url", mi, pi);
			if (where == IN_USER)
				xlate_turn(&r->turns, false);
			if ((rc = w_image(r, v, mi, pi)))
				return rc;
		} else if (where == IN_USER && (xlate_tok_is(d, t, "document") || xlate_tok_is(d, t, "file"))) {
			xlate_turn(&r->turns, false);
			if ((rc = w_document(r, p, xlate_tok_is(d, t, "file"), mi, pi)))
				return rc;
		} else {
			str ts = tok_str(d, t, r->a);
			return bad(r, "messages[%zu].content[%zu] has type '%.*s', which Bedrock does not support%s", mi,
				   pi, CUT(ts), where == IN_TOOL_RESULT ? " in a tool result" : "");
		}
		pi++;
	}
	return 0;
}

static int w_user(rq *r, int m, size_t mi)
{
	const json_doc *d = r->d;
	int c = xlate_get(d, m, "content");
	if (c < 0)
		return 0;
	if (json_typeof(d, c) == JSON_STRING) {
		if (xlate_nonempty_str(d, c)) {
			xlate_turn(&r->turns, false);
			blk_text(r, c);
		}
		return 0;
	}
	if (json_typeof(d, c) != JSON_ARRAY)
		return bad(r, "messages[%zu].content must be a string or an array of parts", mi);
	return content_parts(r, c, mi, IN_USER);
}

/* {"toolUse":{"toolUseId","name","input"}} */
static int w_tool_use(rq *r, str id, int name, int args, size_t mi, size_t ti)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int rc = 0;
	xlate_turn(&r->turns, true);
	json_write_obj_begin(w);
	json_write_key(w, "toolUse");
	json_write_obj_begin(w);
	xlate_w_kstr(w, "toolUseId", id);
	xlate_w_kstr_tok(w, "name", d, name);
	json_write_key(w, "input");
	if (json_typeof(d, args) == JSON_OBJECT)
		rc = xlate_copy(w, d, args, r->a) == ERR_NOMEM ? ERR_NOMEM : 0;
	else
		rc = xlate_w_args_object(w, tok_str(d, args, r->a), r->cx->flags, mi, ti, r->a, r->err);
	json_write_obj_end(w);
	json_write_obj_end(w);
	r->tool_blocks = true;
	return rc;
}

static int w_assistant(rq *r, int m, size_t mi)
{
	const json_doc *d = r->d;
	int c = xlate_get(d, m, "content"), p, tc, rc;
	size_t pi = 0, ti = 0;

	if (json_typeof(d, c) == JSON_STRING) {
		if (xlate_nonempty_str(d, c)) {
			xlate_turn(&r->turns, true);
			blk_text(r, c);
		}
	} else if (json_typeof(d, c) == JSON_ARRAY) {
		json_iter it = json_iter_begin(d, c);
		while (json_iter_next(d, &it, NULL, &p)) {
			int t = xlate_get(d, p, "type");
			int v = xlate_tok_is(d, t, "refusal") ? xlate_get(d, p, "refusal") : xlate_get(d, p, "text");
			if (!xlate_tok_is(d, t, "text") && !xlate_tok_is(d, t, "refusal")) {
				str ts = tok_str(d, t, r->a);
				return bad(r, "messages[%zu].content[%zu] has type '%.*s', which Bedrock does not take in "
					   "an assistant message", mi, pi, CUT(ts));
			}
			if (xlate_nonempty_str(d, v)) {
				xlate_turn(&r->turns, true);
				blk_text(r, v);
			}
			pi++;
		}
	} else if (c >= 0) {
		return bad(r, "messages[%zu].content must be a string or an array of parts", mi);
	}
	json_iter it = json_iter_begin(d, xlate_arr(d, xlate_get(d, m, "tool_calls")));
	while (json_iter_next(d, &it, NULL, &tc)) {
		int fn = xlate_get(d, tc, "function");
		str id;
		if (!xlate_get_str(d, tc, "id", r->a, &id) || !id.n)
			return bad(r, "messages[%zu].tool_calls[%zu] has no id", mi, ti);
		if ((rc = w_tool_use(r, id, xlate_get(d, fn, "name"), xlate_get(d, fn, "arguments"), mi, ti)))
			return rc;
		ti++;
	}
	int fc = xlate_get(d, m, "function_call"); /* legacy: the id is the name */
	if (json_typeof(d, fc) == JSON_OBJECT) {
		str name = tok_str(d, xlate_get(d, fc, "name"), r->a);
		if (!name.n)
			return bad(r, "messages[%zu].function_call has no name", mi);
		if ((rc = w_tool_use(r, name, xlate_get(d, fc, "name"), xlate_get(d, fc, "arguments"), mi, 0)))
			return rc;
	}
	return 0;
}

/* {"toolResult":{"toolUseId","content":[...],"status":"success"}} */
static int w_tool_result(rq *r, int m, size_t mi, bool legacy)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int id = xlate_get(d, m, legacy ? "name" : "tool_call_id");
	int c = xlate_get(d, m, "content"), rc;
	if (!xlate_nonempty_str(d, id))
		return bad(r, legacy ? "messages[%zu] (role function) has no name" :
				       "messages[%zu] (role tool) has no tool_call_id", mi);
	xlate_turn(&r->turns, false);
	json_write_obj_begin(w);
	json_write_key(w, "toolResult");
	json_write_obj_begin(w);
	xlate_w_kraw(w, "toolUseId", d, id);
	json_write_key(w, "content");
	json_write_arr_begin(w);
	switch (json_typeof(d, c)) {
	case JSON_NONE:
	case JSON_NULL:
		break;
	case JSON_STRING:
		if (xlate_nonempty_str(d, c))
			blk_text(r, c);
		break;
	case JSON_ARRAY:
		if ((rc = content_parts(r, c, mi, IN_TOOL_RESULT)))
			return rc;
		break;
	case JSON_OBJECT:
		json_write_obj_begin(w);
		xlate_w_kraw(w, "json", d, c);
		json_write_obj_end(w);
		break;
	default: {
		str raw = json_raw(d, c);
		json_write_obj_begin(w);
		xlate_w_kstr(w, "text", raw);
		json_write_obj_end(w);
		break;
	}
	}
	json_write_arr_end(w);
	json_write_kv_str(w, "status", "success");
	json_write_obj_end(w);
	json_write_obj_end(w);
	r->tool_blocks = true;
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
	while (json_iter_next(d, &it, NULL, &m)) {
		xlate_role role = xlate_role_of(d, m);
		if (role == XLATE_ROLE_USER)
			rc = w_user(r, m, mi);
		else if (role == XLATE_ROLE_ASSISTANT)
			rc = w_assistant(r, m, mi);
		else if (role == XLATE_ROLE_TOOL || role == XLATE_ROLE_FUNCTION)
			rc = w_tool_result(r, m, mi, role == XLATE_ROLE_FUNCTION);
		if (rc)
			return rc;
		mi++;
	}
	xlate_turn_end(&r->turns);
	json_write_arr_end(r->w);
	return 0;
}

/* The system blocks: counted (write false) or written. Returns how many or
 * ERR_INVAL for a part that is not text. */
static int system_blocks(rq *r, int msgs, bool write)
{
	const json_doc *d = r->d;
	int m, p, n = 0;
	size_t mi = 0;
	json_iter it = json_iter_begin(d, msgs);
	while (json_iter_next(d, &it, NULL, &m)) {
		int c = xlate_get(d, m, "content");
		if (xlate_role_of(d, m) != XLATE_ROLE_SYSTEM) {
			mi++;
			continue;
		}
		if (xlate_nonempty_str(d, c)) {
			if (write)
				blk_text(r, c);
			n++;
		} else if (json_typeof(d, c) == JSON_ARRAY) {
			size_t pi = 0;
			json_iter pit = json_iter_begin(d, c);
			while (json_iter_next(d, &pit, NULL, &p)) {
				int t = xlate_get(d, p, "type"), v = xlate_get(d, p, "text");
				if (t >= 0 && !xlate_tok_is(d, t, "text")) {
					str ts = tok_str(d, t, r->a);
					return bad(r, "messages[%zu].content[%zu] has type '%.*s': a system message takes "
						   "only text", mi, pi, CUT(ts));
				}
				if (xlate_nonempty_str(d, v)) {
					if (write)
						blk_text(r, v);
					n++;
				}
				pi++;
			}
		}
		mi++;
	}
	return n;
}

static int w_system(rq *r, int msgs)
{
	json_writer *w = r->w;
	buf tb = { 0 };
	int n = system_blocks(r, msgs, false), rc;
	if (n < 0)
		return n;
	tb.cap = r->w->out->cap;
	rc = xlate_rf_instruction(r->d, xlate_get(r->d, 0, "response_format"), r->a, &tb);
	if (rc < 0) {
		buf_free(&tb);
		xlate_w_fail(w, rc);
		return 0;
	}
	if (n || rc) {
		json_write_key(w, "system");
		json_write_arr_begin(w);
		system_blocks(r, msgs, true);
		if (rc) {
			json_write_obj_begin(w);
			json_write_kv_strn(w, "text", tb.data, tb.len);
			json_write_obj_end(w);
		}
		json_write_arr_end(w);
	}
	buf_free(&tb);
	return 0;
}

/* ---- inferenceConfig ----------------------------------------------------------------- */

static void ic_key(rq *r, const char *key)
{
	if (!r->ic_open) {
		json_write_key(r->w, "inferenceConfig");
		json_write_obj_begin(r->w);
		r->ic_open = true;
	}
	json_write_key(r->w, key);
}

/* A sampling parameter that must lie in [0, 1] (providers.md). */
static int ic_unit(rq *r, const char *from, const char *to)
{
	int v = xlate_get(r->d, 0, from);
	double x;
	if (!xlate_is_num(r->d, v))
		return 0;
	if (json_double(r->d, v, &x) || !(x >= 0 && x <= 1)) {
		str raw = json_raw(r->d, v);
		return bad(r, "%s must be between 0 and 1 for Bedrock, got %.*s", from, CUT(raw));
	}
	ic_key(r, to);
	xlate_w_raw(r->w, r->d, v);
	return 0;
}

static int w_inference(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int v, rc;

	v = xlate_get(d, 0, "max_completion_tokens");
	if (!xlate_is_num(d, v))
		v = xlate_get(d, 0, "max_tokens");
	if (xlate_is_num(d, v)) {
		ic_key(r, "maxTokens");
		xlate_w_raw(w, d, v);
	} else if (r->cx->max_tokens) {
		ic_key(r, "maxTokens");
		json_write_u64(w, r->cx->max_tokens);
	}
	if ((rc = ic_unit(r, "temperature", "temperature")) || (rc = ic_unit(r, "top_p", "topP")))
		return rc;
	v = xlate_get(d, 0, "stop");
	if (xlate_is_str(d, v) || json_size(d, xlate_arr(d, v)) > 0) {
		ic_key(r, "stopSequences");
		xlate_w_strings(w, d, v);
	}
	if (r->ic_open)
		json_write_obj_end(w);
	return 0;
}

/* ---- tools ------------------------------------------------------------------------ */

/* Bedrock refuses toolUse / toolResult blocks without a toolConfig. When the
 * history has tool calls but the request names no tools (a follow-up turn
 * that only wants text), declare the tools the history used, by name, with
 * an open object schema; no toolChoice, so the model is not pushed to call
 * them. */
static void w_history_tools(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int seen[64], nseen = 0, m, tcall;
	json_iter mi = json_iter_begin(d, xlate_arr(d, xlate_get(d, 0, "messages")));
	while (json_iter_next(d, &mi, NULL, &m)) {
		json_iter ti = json_iter_begin(d, xlate_arr(d, xlate_get(d, m, "tool_calls")));
		while (json_iter_next(d, &ti, NULL, &tcall)) {
			int nm = json_path(d, tcall, "function.name");
			bool dup = !xlate_nonempty_str(d, nm);
			for (int i = 0; i < nseen && !dup; i++)
				dup = str_eq(json_raw(d, seen[i]), json_raw(d, nm));
			if (!dup && nseen < (int)(sizeof seen / sizeof seen[0]))
				seen[nseen++] = nm;
		}
	}
	if (!nseen)
		return;
	json_write_key(w, "toolConfig");
	json_write_obj_begin(w);
	json_write_key(w, "tools");
	json_write_arr_begin(w);
	for (int i = 0; i < nseen; i++) {
		json_write_obj_begin(w);
		json_write_key(w, "toolSpec");
		json_write_obj_begin(w);
		xlate_w_kraw(w, "name", d, seen[i]);
		json_write_kv_str(w, "description", "a tool called earlier in this conversation");
		json_write_key(w, "inputSchema");
		json_write_obj_begin(w);
		json_write_key(w, "json");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "object");
		json_write_obj_end(w);
		json_write_obj_end(w);
		json_write_obj_end(w);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	json_write_obj_end(w);
}

static void w_tool_config(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int tools = xlate_arr(d, xlate_get(d, 0, "tools")), t;
	int tc = xlate_get(d, 0, "tool_choice"), name = -1;
	size_t nf = 0;
	json_iter it = json_iter_begin(d, tools);
	while (json_iter_next(d, &it, NULL, &t))
		nf += xlate_is_function_tool(d, t);
	if (!nf && r->tool_blocks) {
		w_history_tools(r);
		return;
	}
	if (!nf || (xlate_tok_is(d, tc, "none") && !r->tool_blocks))
		return;
	json_write_key(w, "toolConfig");
	json_write_obj_begin(w);
	json_write_key(w, "tools");
	json_write_arr_begin(w);
	it = json_iter_begin(d, tools);
	while (json_iter_next(d, &it, NULL, &t)) {
		if (!xlate_is_function_tool(d, t))
			continue;
		int fn = xlate_get(d, t, "function");
		int nm = xlate_get(d, fn, "name"), desc = xlate_get(d, fn, "description");
		int params = xlate_get(d, fn, "parameters");
		json_write_obj_begin(w);
		json_write_key(w, "toolSpec");
		json_write_obj_begin(w);
		xlate_w_kstr_tok(w, "name", d, nm);
		if (xlate_nonempty_str(d, desc))
			xlate_w_kraw(w, "description", d, desc);
		json_write_key(w, "inputSchema");
		json_write_obj_begin(w);
		json_write_key(w, "json");
		if (json_typeof(d, params) == JSON_OBJECT) {
			xlate_w_fail(w, xlate_copy(w, d, params, r->a));
		} else {
			json_write_obj_begin(w);
			json_write_kv_str(w, "type", "object");
			json_write_obj_end(w);
		}
		json_write_obj_end(w);
		json_write_obj_end(w);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	if (xlate_tok_is(d, tc, "auto") || xlate_tok_is(d, tc, "required")) {
		json_write_key(w, "toolChoice");
		json_write_obj_begin(w);
		json_write_key(w, xlate_tok_is(d, tc, "auto") ? "auto" : "any");
		xlate_w_empty_obj(w);
		json_write_obj_end(w);
	} else if (json_typeof(d, tc) == JSON_OBJECT && xlate_is_str(d, (name = json_path(d, tc, "function.name")))) {
		json_write_key(w, "toolChoice");
		json_write_obj_begin(w);
		json_write_key(w, "tool");
		json_write_obj_begin(w);
		xlate_w_kraw(w, "name", d, name);
		json_write_obj_end(w);
		json_write_obj_end(w);
	}
	json_write_obj_end(w);
}

/* ---- the request ------------------------------------------------------------------ */

static bool extra_has(const rq *r, int k)
{
	return r->extra >= 0 && json_get(r->d, r->extra, built_keys[k]) >= 0;
}

/* Thinking budget of reasoning_effort (root, else extra_body); 0 = none. */
static uint64_t thinking_budget(const rq *r)
{
	const json_doc *d = r->d;
	int e = xlate_effort(d, r->extra);
	if (e < 0 || xlate_tok_is(d, e, "none"))
		return 0;
	if (xlate_tok_is(d, e, "low"))
		return 1024;
	if (xlate_tok_is(d, e, "high"))
		return 16384;
	return 4096;
}

static int request_body(rq *r)
{
	const json_doc *d = r->d;
	json_writer *w = r->w;
	int rc, k, v;
	int msgs = xlate_get(d, 0, "messages");
	uint64_t budget;

	if ((rc = xlate_check_messages(d, msgs, r->a, r->err)))
		return rc;
	r->extra = xlate_extra_body(d);

	json_write_obj_begin(w);
	if (!extra_has(r, K_MESSAGES) && (rc = w_messages(r, msgs)))
		return rc;
	if (!extra_has(r, K_SYSTEM) && (rc = w_system(r, msgs)))
		return rc;
	if (!extra_has(r, K_INFERENCE) && (rc = w_inference(r)))
		return rc;
	if (!extra_has(r, K_TOOLS))
		w_tool_config(r);
	if (!extra_has(r, K_ADDITIONAL) && (budget = thinking_budget(r))) {
		json_write_key(w, "additionalModelRequestFields");
		json_write_obj_begin(w);
		json_write_key(w, "thinking");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "enabled");
		json_write_kv_u64(w, "budget_tokens", budget);
		json_write_obj_end(w);
		json_write_obj_end(w);
	}
	v = xlate_get(d, 0, "service_tier");
	if (!extra_has(r, K_TIER) && xlate_nonempty_str(d, v) && !xlate_tok_is(d, v, "auto")) {
		json_write_key(w, "serviceTier");
		json_write_obj_begin(w);
		xlate_w_kraw(w, "type", d, v);
		json_write_obj_end(w);
	}
	v = xlate_get(d, 0, "metadata");
	if (!extra_has(r, K_METADATA) && json_typeof(d, v) == JSON_OBJECT)
		xlate_w_kraw(w, "requestMetadata", d, v);
	/* the rest of extra_body, as it is */
	json_iter it = json_iter_begin(d, r->extra);
	while (json_iter_next(d, &it, &k, &v))
		if (!json_str_eq(d, k, STR_LIT("reasoning_effort")))
			xlate_w_member(w, d, k, v, r->a);
	json_write_obj_end(w);
	return 0;
}

int xlate_bedrock_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			  xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc;
	json_writer w;
	rq r = { .cx = cx ? cx : &zero_ctx, .d = &doc, .a = scratch, .w = &w, .err = err, .extra = -1,
		 .turns = { .w = &w, .assistant = "assistant", .key = "content" } };
	int rc = xlate_parse_request(&doc, in, n, scratch, info, err);

	if (rc)
		return rc;
	xlate_chat_info(&doc, info);
	size_t old = out->len;
	xlate_writer(&w, out);
	return xlate_finish(&w, out, old, request_body(&r), "the Bedrock request", err);
}

/* ---- errors ------------------------------------------------------------------------ */

int xlate_bedrock_error_status(str type)
{
	static const xlate_status map[] = {
		{ "ValidationException", 400 },         { "UnrecognizedClientException", 403 },
		{ "InvalidSignatureException", 403 },   { "AccessDeniedException", 403 },
		{ "ResourceNotFoundException", 404 },   { "ModelTimeoutException", 408 },
		{ "ModelErrorException", 424 },         { "ThrottlingException", 429 },
		{ "ModelNotReadyException", 429 },      { "ServiceQuotaExceededException", 429 },
		{ "InternalServerException", 500 },     { "ServiceUnavailableException", 503 },
	};
	return xlate_status_of(type, map, XLATE_NELEM(map), true); /* streams say "throttlingException" */
}

/* The exception name of "__type" (after any '#' namespace, before any ':'). */
static str exception_name(str t)
{
	ptrdiff_t h = str_index(t, '#');
	if (h >= 0)
		t = str_slice(t, (size_t)h + 1, t.n);
	ptrdiff_t c = str_index(t, ':');
	return c >= 0 ? str_slice(t, 0, (size_t)c) : t;
}

/* Fill err (kind) from an error object o ({"message"|"Message", "__type"?});
 * type overrides "__type" when not empty. false when o has no message. */
static bool error_from(const json_doc *d, int o, str type, arena *a, xlate_kind kind, xlate_err *err)
{
	str msg, t;
	if (!xlate_get_str(d, o, "message", a, &msg) && !xlate_get_str(d, o, "Message", a, &msg))
		return false;
	if (!type.n && xlate_get_str(d, o, "__type", a, &t))
		type = exception_name(t);
	if (err) {
		xlate_err_set(err, kind, "%s", "");
		if (!msg.n)
			msg = STR_LIT("unknown Bedrock error");
		xlate_strlcpy(err->msg, sizeof err->msg, msg);
		xlate_strlcpy(err->type, sizeof err->type, type);
		err->status = xlate_bedrock_error_status(type);
	}
	return true;
}

int xlate_bedrock_error(const char *in, size_t n, arena *scratch, xlate_err *err)
{
	json_doc d;
	if (json_parse_arena(&d, scratch, in, n, NULL, NULL) < 0 || json_typeof(&d, 0) != JSON_OBJECT)
		return ERR_NOTFOUND;
	return error_from(&d, 0, STR_NULL, scratch, XLATE_E_UPSTREAM, err) ? 0 : ERR_NOTFOUND;
}

/* ---- response ---------------------------------------------------------------------- */

static const char *map_stop(const json_doc *d, int sr)
{
	if (xlate_tok_is(d, sr, "tool_use"))
		return "tool_calls";
	if (xlate_tok_is(d, sr, "max_tokens") || xlate_tok_is(d, sr, "model_context_window_exceeded"))
		return "length";
	if (xlate_tok_is(d, sr, "content_filtered") || xlate_tok_is(d, sr, "guardrail_intervened"))
		return "content_filter";
	return "stop"; /* end_turn, stop_sequence, anything else */
}

static void read_usage(const json_doc *d, int u, xlate_usage *out)
{
	uint64_t in = 0, o = 0, cr = 0, cw = 0;
	memset(out, 0, sizeof *out);
	out->present = json_typeof(d, u) == JSON_OBJECT;
	xlate_get_u64(d, u, "inputTokens", &in);
	xlate_get_u64(d, u, "outputTokens", &o);
	xlate_get_u64(d, u, "cacheReadInputTokens", &cr);
	xlate_get_u64(d, u, "cacheWriteInputTokens", &cw);
	out->prompt_tokens = xlate_sat_add(xlate_sat_add(in, cr), cw);
	out->completion_tokens = o;
	out->total_tokens = xlate_sat_add(out->prompt_tokens, o);
	out->cached_tokens = cr;
	out->cache_write_tokens = cw;
}

/* The reasoningContent.reasoningText.text of the blocks of content, joined
 * and unescaped into tb. */
static int join_reasoning(const json_doc *d, int content, arena *a, buf *tb)
{
	int b, rc = 0;
	json_iter it = json_iter_begin(d, content);
	while (!rc && json_iter_next(d, &it, NULL, &b)) {
		int t = json_path(d, xlate_get(d, b, "reasoningContent"), "reasoningText.text");
		str s;
		if (xlate_nonempty_str(d, t) && !(rc = json_str(d, t, a, &s)))
			rc = buf_append(tb, s.p, s.n);
	}
	return rc;
}

static void w_tool_calls(json_writer *w, const json_doc *d, int content, arena *a, size_t cap)
{
	int b;
	json_iter it = json_iter_begin(d, content);
	json_write_key(w, "tool_calls");
	json_write_arr_begin(w);
	while (json_iter_next(d, &it, NULL, &b)) {
		int tu = xlate_get(d, b, "toolUse");
		if (json_typeof(d, tu) == JSON_OBJECT)
			xlate_w_tool_call(w, d, xlate_get(d, tu, "toolUseId"), xlate_get(d, tu, "name"),
					  xlate_get(d, tu, "input"), a, cap);
	}
	json_write_arr_end(w);
}

int xlate_bedrock_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
			   xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc, *d = &doc;
	json_writer w;
	xlate_usage u;
	buf reasoning = { 0 };
	int rc;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Bedrock", "Bedrock response", err)))
		return rc;
	int output = xlate_get(d, 0, "output");
	if (json_typeof(d, output) != JSON_OBJECT) {
		if (error_from(d, 0, STR_NULL, scratch, XLATE_E_UPSTREAM, err))
			return ERR_INVAL;
		xlate_err_set(err, XLATE_E_SERIALIZATION, "Bedrock response has no output");
		return ERR_INVAL;
	}
	int content = xlate_arr(d, json_path(d, output, "message.content"));
	int b, ncalls = 0;
	json_iter it = json_iter_begin(d, content);
	while (json_iter_next(d, &it, NULL, &b))
		ncalls += json_typeof(d, xlate_get(d, b, "toolUse")) == JSON_OBJECT;
	read_usage(d, xlate_get(d, 0, "usage"), &u);
	str text = xlate_join_strs(d, content, "text", NULL, NULL, scratch, &rc);
	reasoning.cap = out->cap;
	if (!rc)
		rc = join_reasoning(d, content, scratch, &reasoning);
	if (rc) {
		buf_free(&reasoning);
		return xlate_fail_internal(err, rc, "the chat completion");
	}

	size_t old = out->len;
	xlate_writer(&w, out);
	json_write_obj_begin(&w);
	{
		str id;
		if ((!xlate_get_str(d, 0, "requestId", scratch, &id) || !id.n) &&
		    (!xlate_get_str(d, 0, "conversationId", scratch, &id) || !id.n))
			id = cx->id.n ? cx->id : STR_LIT("bedrock-resp");
		xlate_w_kstr(&w, "id", id);
	}
	json_write_kv_str(&w, "object", "chat.completion");
	json_write_kv_i64(&w, "created", cx->created);
	xlate_w_kstr(&w, "model", cx->model);
	json_write_key(&w, "choices");
	json_write_arr_begin(&w);
	json_write_obj_begin(&w);
	json_write_kv_i64(&w, "index", 0);
	json_write_key(&w, "message");
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "role", "assistant");
	if (text.n)
		json_write_kv_raw(&w, "content", text.p, text.n);
	else
		json_write_kv_null(&w, "content");
	if (ncalls)
		w_tool_calls(&w, d, content, scratch, out->cap);
	if (reasoning.len)
		json_write_kv_strn(&w, "reasoning_content", reasoning.data, reasoning.len);
	json_write_obj_end(&w);
	json_write_kv_str(&w, "finish_reason", map_stop(d, xlate_get(d, 0, "stopReason")));
	json_write_obj_end(&w);
	json_write_arr_end(&w);
	xlate_write_usage(&w, &u);
	json_write_obj_end(&w);
	buf_free(&reasoning);
	if ((rc = xlate_finish(&w, out, old, 0, "the chat completion", err)))
		return rc;
	if (usage)
		*usage = u;
	return 0;
}

/* ---- embeddings ------------------------------------------------------------------- */

enum { EMB_NONE, EMB_TITAN, EMB_COHERE };

static int embed_family(str model)
{
	if (str_find(model, STR_LIT("amazon.titan-embed")) >= 0)
		return EMB_TITAN;
	if (str_find(model, STR_LIT("cohere.embed")) >= 0)
		return EMB_COHERE;
	return EMB_NONE;
}

int xlate_bedrock_embed_request(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				xlate_req_info *info, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc, *d = &doc;
	json_writer w;
	rq r = { .cx = cx ? cx : &zero_ctx, .d = d, .a = scratch, .w = &w, .err = err, .extra = -1 };
	int rc, v;

	if ((rc = xlate_parse_request(d, in, n, scratch, info, err)))
		return rc;
	str model = r.cx->model;
	if (!model.n)
		model = tok_str(d, xlate_get(d, 0, "model"), scratch);
	int fam = embed_family(model);
	if (fam == EMB_NONE)
		return bad(&r, "Bedrock embeddings support amazon.titan-embed-* and cohere.embed-* models, not '%.*s'",
			   CUT(model));
	int input = xlate_get(d, 0, "input"), count = xlate_embed_input(d, "Bedrock", err);
	if (count < 0)
		return count;
	if (fam == EMB_TITAN && count > 1)
		return bad(&r, "amazon.titan-embed models take one input per request, got %d", count);
	if (info && xlate_str_is(d, 0, "encoding_format", "base64"))
		info->flags |= XLATE_F_EMBED_BASE64;

	size_t old = out->len;
	json_write_init(&w, out, 0);
	json_write_obj_begin(&w);
	v = xlate_get(d, 0, "dimensions");
	if (fam == EMB_TITAN) {
		xlate_w_kraw(&w, "inputText", d, xlate_is_str(d, input) ? input : json_at(d, input, 0));
		if (xlate_is_num(d, v) && str_find(model, STR_LIT("titan-embed-image")) >= 0) {
			json_write_key(&w, "embeddingConfig");
			json_write_obj_begin(&w);
			xlate_w_kraw(&w, "outputEmbeddingLength", d, v);
			json_write_obj_end(&w);
		} else if (xlate_is_num(d, v) && str_find(model, STR_LIT("titan-embed-text-v2")) >= 0) {
			xlate_w_kraw(&w, "dimensions", d, v);
		}
	} else {
		json_write_key(&w, "texts");
		if (xlate_is_str(d, input)) {
			json_write_arr_begin(&w);
			xlate_w_raw(&w, d, input);
			json_write_arr_end(&w);
		} else {
			xlate_w_raw(&w, d, input);
		}
		json_write_kv_str(&w, "input_type", "search_document");
	}
	json_write_obj_end(&w);
	return xlate_finish(&w, out, old, 0, "the Bedrock embeddings request", err);
}

int xlate_bedrock_embed_response(const xlate_ctx *cx, const char *in, size_t n, arena *scratch, buf *out,
				 xlate_usage *usage, xlate_err *err)
{
	static const xlate_ctx zero_ctx;
	json_doc doc, *d = &doc;
	json_writer w;
	uint64_t tokens = 0;
	int rc, vecs = -1, single = -1, v;

	if (!cx)
		cx = &zero_ctx;
	if (usage)
		memset(usage, 0, sizeof *usage);
	if ((rc = xlate_parse_response(d, in, n, scratch, "Bedrock", "Bedrock response", err)))
		return rc;
	int emb = xlate_get(d, 0, "embedding"), embs = xlate_get(d, 0, "embeddings");
	if (json_typeof(d, emb) == JSON_ARRAY) {
		single = emb;
		xlate_get_u64(d, 0, "inputTextTokenCount", &tokens);
	} else if (json_typeof(d, embs) == JSON_ARRAY) {
		vecs = embs;
	} else if (json_typeof(d, xlate_get(d, embs, "float")) == JSON_ARRAY) {
		vecs = xlate_get(d, embs, "float");
	} else {
		if (error_from(d, 0, STR_NULL, scratch, XLATE_E_UPSTREAM, err))
			return ERR_INVAL;
		xlate_err_set(err, XLATE_E_SERIALIZATION, "Bedrock embeddings response has no embedding");
		return ERR_INVAL;
	}
	if (vecs >= 0)
		xlate_get_u64(d, json_path(d, 0, "meta.billed_units"), "input_tokens", &tokens);
	bool base64 = (cx->flags & XLATE_F_EMBED_BASE64) != 0;
	size_t old = out->len;
	uint64_t idx = 0;
	json_write_init(&w, out, 0);
	xlate_embed_begin(&w);
	json_iter it = json_iter_begin(d, vecs);
	for (v = single; v >= 0 || json_iter_next(d, &it, NULL, &v); v = -1) {
		if (xlate_embed_item(&w, d, v, idx++, base64, out->cap)) {
			buf_truncate(out, old);
			xlate_err_set(err, XLATE_E_SERIALIZATION, "Bedrock embedding %llu is not an array of numbers",
				      (unsigned long long)(idx - 1));
			return ERR_INVAL;
		}
		if (single >= 0)
			break;
	}
	xlate_embed_end(&w, cx->model, tokens);
	if ((rc = xlate_finish(&w, out, old, 0, "the embeddings response", err)))
		return rc;
	if (usage) {
		usage->present = true;
		usage->prompt_tokens = usage->total_tokens = tokens;
	}
	return 0;
}

/* ---- streaming ------------------------------------------------------------------------ */

void xlate_bedrock_stream_init(xlate_bedrock_stream *st, const xlate_ctx *cx)
{
	xlate_emit e = XLATE_EMIT_INIT(st, NULL, NULL);
	xlate_emit_reset(&e, cx);
}

typedef struct sx {
	xlate_bedrock_stream *st;
	arena *a;
	xlate_err *err;
	bool upstream_error;  /* an exception event filled err */
	xlate_emit e;
} sx;

/* The open tool block with contentBlockIndex block, or NULL. */
static xlate_bedrock_tool_block *open_tool(xlate_bedrock_stream *st, uint64_t block)
{
	for (uint32_t i = 0; i < st->nopen; i++)
		if (st->open[i].block == block)
			return &st->open[i];
	return NULL;
}

/* End tool block tb: "{}" when it sent no arguments; then forget it. */
static int close_tool(sx *x, xlate_bedrock_tool_block *tb)
{
	xlate_bedrock_stream *st = x->st;
	int rc = tb->args ? 0 : xlate_emit_tool(&x->e, tb->tool, NULL, -1, -1, STR_LIT("\"{}\""));
	*tb = st->open[--st->nopen];
	return rc;
}

static int close_all_tools(sx *x)
{
	int rc = 0;
	while (!rc && x->st->nopen)
		rc = close_tool(x, &x->st->open[0]);
	return rc;
}

/* [DONE] or the end of the stream: open tool blocks closed, then the finish
 * chunk (with the usage, or followed by the usage chunk). */
static int on_done(sx *x)
{
	int rc = close_all_tools(x);
	if (!x->st->finish_reason)
		x->st->finish_reason = "stop";
	return rc ? rc : xlate_emit_done(&x->e, x->st->finish_reason);
}

static int on_block_start(sx *x, const json_doc *d, int o)
{
	xlate_bedrock_stream *st = x->st;
	uint64_t idx = 0;
	int tu = json_path(d, xlate_get(d, o, "start"), "toolUse"), rc;
	xlate_get_u64(d, o, "contentBlockIndex", &idx);
	if (json_typeof(d, tu) != JSON_OBJECT || idx > UINT32_MAX)
		return 0;
	xlate_bedrock_tool_block *tb = open_tool(st, idx);
	if (tb && (rc = close_tool(x, tb)))
		return rc;
	if (st->nopen == XLATE_BEDROCK_OPEN_TOOLS) {
		xlate_err_set(x->err, XLATE_E_STREAMING, "Bedrock stream has more than %d tool blocks open",
			      XLATE_BEDROCK_OPEN_TOOLS);
		x->upstream_error = true;
		return ERR_INVAL;
	}
	tb = &st->open[st->nopen++];
	*tb = (xlate_bedrock_tool_block){ .block = (uint32_t)idx, .tool = (int32_t)st->ntools };
	if (st->ntools < INT32_MAX)
		st->ntools++;
	return xlate_emit_tool(&x->e, tb->tool, d, xlate_get(d, tu, "toolUseId"), xlate_get(d, tu, "name"), STR_NULL);
}

static int on_block_delta(sx *x, const json_doc *d, int o)
{
	uint64_t idx = 0;
	int delta = xlate_get(d, o, "delta"), v;
	xlate_get_u64(d, o, "contentBlockIndex", &idx);
	if (xlate_nonempty_str(d, (v = xlate_get(d, delta, "text"))))
		return xlate_emit_delta(&x->e, "content", json_raw(d, v));
	if (xlate_nonempty_str(d, (v = json_path(d, xlate_get(d, delta, "reasoningContent"), "text"))))
		return xlate_emit_delta(&x->e, "reasoning_content", json_raw(d, v));
	v = json_path(d, xlate_get(d, delta, "toolUse"), "input");
	xlate_bedrock_tool_block *tb = open_tool(x->st, idx);
	if (!tb || !xlate_nonempty_str(d, v))
		return 0;
	tb->args = true;
	return xlate_emit_tool(&x->e, tb->tool, NULL, -1, -1, json_raw(d, v));
}

/* An exception event: its message as a STREAMING error. */
static int on_exception(sx *x, str type, const json_doc *d, int o)
{
	if (!error_from(d, o, type, x->a, XLATE_E_STREAMING, x->err) && x->err) {
		xlate_err_set(x->err, XLATE_E_STREAMING, "%.*s", CUT(type));
		xlate_strlcpy(x->err->type, sizeof x->err->type, type);
		x->err->status = xlate_bedrock_error_status(type);
	}
	x->upstream_error = true;
	return ERR_INVAL;
}

static const char *const event_names[] = {
	"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
};

static int stream_event(sx *x, str type, const json_doc *d)
{
	xlate_bedrock_stream *st = x->st;
	int o = 0;
	uint64_t idx = 0;

	/* without an :event-type, the SDK's wrapped form {"<event>":{...}} */
	if (!type.n && json_size(d, 0) == 1) {
		json_iter it = json_iter_begin(d, 0);
		int k, v;
		json_iter_next(d, &it, &k, &v);
		for (size_t i = 0; i < XLATE_NELEM(event_names); i++)
			if (json_str_eq(d, k, str_from(event_names[i])) && json_typeof(d, v) == JSON_OBJECT) {
				type = str_from(event_names[i]);
				o = v;
			}
	}
	if (str_eq_cstr(type, "messageStart"))
		return xlate_emit_start(&x->e);
	if (str_eq_cstr(type, "contentBlockStart"))
		return on_block_start(x, d, o);
	if (str_eq_cstr(type, "contentBlockDelta"))
		return on_block_delta(x, d, o);
	if (str_eq_cstr(type, "contentBlockStop")) {
		xlate_get_u64(d, o, "contentBlockIndex", &idx);
		xlate_bedrock_tool_block *tb = open_tool(st, idx);
		return tb ? close_tool(x, tb) : 0;
	}
	if (str_eq_cstr(type, "messageStop")) {
		int rc = close_all_tools(x);
		if (!rc)
			rc = xlate_emit_start(&x->e);
		if (!st->finish_reason)
			st->finish_reason = map_stop(d, xlate_get(d, o, "stopReason"));
		return rc;
	}
	if (str_eq_cstr(type, "metadata")) {
		int u = xlate_get(d, o, "usage");
		if (json_typeof(d, u) == JSON_OBJECT)
			read_usage(d, u, &st->usage);
		return st->finish_reason ? xlate_emit_done(&x->e, st->finish_reason) : 0; /* complete */
	}
	if (str_ends_with(type, STR_LIT("Exception")))
		return on_exception(x, type, d, o);
	return 0;
}

int xlate_bedrock_stream_feed(xlate_bedrock_stream *st, str type, str data, arena *scratch, buf *out,
			      xlate_err *err)
{
	xlate_bedrock_stream save = *st;
	json_doc doc;
	sx x = { .st = st, .a = scratch, .err = err, .e = XLATE_EMIT_INIT(st, out, &save) };
	int rc = xlate_emit_feed(&x.e, "Bedrock", data, scratch, &doc, err);

	if (rc == XLATE_EV_DONE)
		rc = on_done(&x);
	else if (rc == XLATE_EV_JSON)
		rc = stream_event(&x, type, &doc);
	else
		return rc; /* nothing to do, or an error made sticky */
	return xlate_emit_leave(&x.e, rc, x.upstream_error, err);
}

int xlate_bedrock_stream_end(xlate_bedrock_stream *st, buf *out, xlate_err *err)
{
	xlate_bedrock_stream save = *st;
	sx x = { .st = st, .err = err, .e = XLATE_EMIT_INIT(st, out, &save) };
	int rc = xlate_emit_end_begin(&x.e, "Bedrock", "message", st->finish_reason != NULL, err);
	if (rc)
		return rc < 0 ? rc : 0;
	return xlate_emit_leave(&x.e, on_done(&x), false, err);
}
