/* mcp_extras.c — the optional extras of mcp-tools.md: three prompt templates
 * (prompts/list, prompts/get), the catalog resources (resources/list,
 * resources/templates/list, resources/read) and argument completion
 * (completion/complete). Data the core does not own (model names, provider
 * registry, pricing) comes from the mcp_catalog callbacks. */
#include "mcp/mcp_private.h"
#include "base/err.h"
#include <stdio.h>
#include <string.h>

/* ---- prompts ------------------------------------------------------------------- */

typedef struct prompt_arg {
	const char *name;
	const char *description;
	bool required;
} prompt_arg;

typedef struct prompt_def {
	const char *name;
	const char *description;
	prompt_arg args[3];
	/* the user message: pieces[0] arg[a0] pieces[1] arg[a1] pieces[2] */
	const char *pieces[3];
	int a0, a1;
} prompt_def;

static const prompt_def prompts[] = {
	{ "summarize", "Summarise a block of text concisely",
	  { { "text", "The text to summarise.", true },
	    { "model", "Model to use (not used by the template).", false } },
	  { "Summarise the following text concisely, keeping its key points:\n\n", "", "" }, 0, -1 },
	{ "translate", "Translate text into a target language",
	  { { "text", "The text to translate.", true },
	    { "target_language", "The language to translate into, e.g. \"French\".", true },
	    { "model", "Model to use (not used by the template).", false } },
	  { "Translate the following text into ", ". Reply with the translation only:\n\n", "" }, 1, 0 },
	{ "extract", "Extract structured data from text following instructions",
	  { { "text", "The text to extract from.", true },
	    { "instructions", "What to extract, in plain language.", true },
	    { "model", "Model to use (not used by the template).", false } },
	  { "Extract information from the text below following these instructions: ", "\n\nText:\n", "" }, 1, 0 },
};
#define NPROMPTS (sizeof prompts / sizeof prompts[0])

int mcp_prompts_list(json_writer *w)
{
	json_write_obj_begin(w);
	json_write_key(w, "prompts");
	json_write_arr_begin(w);
	for (size_t i = 0; i < NPROMPTS; i++) {
		const prompt_def *p = &prompts[i];
		json_write_obj_begin(w);
		json_write_kv_str(w, "name", p->name);
		json_write_kv_str(w, "description", p->description);
		json_write_key(w, "arguments");
		json_write_arr_begin(w);
		for (size_t j = 0; j < 3 && p->args[j].name; j++) {
			json_write_obj_begin(w);
			json_write_kv_str(w, "name", p->args[j].name);
			json_write_kv_str(w, "description", p->args[j].description);
			json_write_kv_bool(w, "required", p->args[j].required);
			json_write_obj_end(w);
		}
		json_write_arr_end(w);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	return json_write_obj_end(w);
}

static int param_string(const json_doc *d, int params, const char *key, int *tok)
{
	*tok = json_typeof(d, params) == JSON_OBJECT ? json_get(d, params, key) : -1;
	return json_typeof(d, *tok) == JSON_STRING ? 0 : -1;
}

static int append_arg(buf *b, const json_doc *d, int tok)
{
	return json_str_buf(d, tok, b);
}

int mcp_prompts_get(json_writer *w, const json_doc *d, int params, char *msg, size_t cap)
{
	int nt;
	if (param_string(d, params, "name", &nt) != 0) {
		snprintf(msg, cap, "invalid params: prompts/get requires a string name");
		return MCP_ERR_INVALID_PARAMS;
	}
	const prompt_def *p = NULL;
	for (size_t i = 0; i < NPROMPTS; i++)
		if (json_str_eq(d, nt, str_from(prompts[i].name)))
			p = &prompts[i];
	if (!p) {
		snprintf(msg, cap, "prompt not found");
		return MCP_ERR_INVALID_PARAMS;
	}
	int args = json_get(d, params, "arguments");
	if (args >= 0 && !json_is_null(d, args) && json_typeof(d, args) != JSON_OBJECT) {
		snprintf(msg, cap, "failed to deserialize parameters: invalid type: %s, expected a map",
			 json_type_name(json_typeof(d, args)));
		return MCP_ERR_INVALID_PARAMS;
	}
	int vals[3] = { -1, -1, -1 };
	for (size_t j = 0; j < 3 && p->args[j].name; j++) {
		int v = json_typeof(d, args) == JSON_OBJECT ? json_get(d, args, p->args[j].name) : -1;
		if (v >= 0 && json_is_null(d, v))
			v = -1;
		if (v < 0) {
			if (p->args[j].required) {
				snprintf(msg, cap, "failed to deserialize parameters: missing field `%s`", p->args[j].name);
				return MCP_ERR_INVALID_PARAMS;
			}
			continue;
		}
		if (json_typeof(d, v) != JSON_STRING) {
			snprintf(msg, cap, "failed to deserialize parameters: field `%s`: invalid type: %s, expected a string",
				 p->args[j].name, json_type_name(json_typeof(d, v)));
			return MCP_ERR_INVALID_PARAMS;
		}
		vals[j] = v;
	}
	buf b = { 0 };
	b.cap = w->out && w->out->cap ? w->out->cap : BUF_DEFAULT_CAP;
	int rc = buf_puts(&b, p->pieces[0]);
	if (rc == 0 && p->a0 >= 0)
		rc = append_arg(&b, d, vals[p->a0]);
	if (rc == 0)
		rc = buf_puts(&b, p->pieces[1]);
	if (rc == 0 && p->a1 >= 0)
		rc = append_arg(&b, d, vals[p->a1]);
	if (rc == 0)
		rc = buf_puts(&b, p->pieces[2]);
	if (rc != 0) {
		buf_free(&b);
		snprintf(msg, cap, "internal error: %s", err_str(rc));
		return MCP_ERR_INTERNAL;
	}
	json_write_obj_begin(w);
	json_write_kv_str(w, "description", p->description);
	json_write_key(w, "messages");
	json_write_arr_begin(w);
	json_write_obj_begin(w);
	json_write_kv_str(w, "role", "user");
	json_write_key(w, "content");
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", "text");
	json_write_kv_strn(w, "text", b.data ? b.data : "", b.len);
	json_write_obj_end(w);
	json_write_obj_end(w);
	json_write_arr_end(w);
	rc = json_write_obj_end(w);
	buf_free(&b);
	return rc;
}

/* ---- resources ------------------------------------------------------------------- */

#define URI_MODELS "liter-llm://models"
#define URI_PROVIDERS "liter-llm://providers"
#define URI_PRICING "liter-llm://pricing/"
#define URI_PROVIDER "liter-llm://provider/"

static void write_resource(json_writer *w, const char *key, const char *uri, const char *name, const char *desc)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, key, uri);
	json_write_kv_str(w, "name", name);
	json_write_kv_str(w, "description", desc);
	json_write_kv_str(w, "mimeType", "application/json");
	json_write_obj_end(w);
}

int mcp_resources_list(json_writer *w)
{
	json_write_obj_begin(w);
	json_write_key(w, "resources");
	json_write_arr_begin(w);
	write_resource(w, "uri", URI_MODELS, "Configured Models", "Model names configured in this gateway");
	write_resource(w, "uri", URI_PROVIDERS, "Provider Registry", "All built-in LLM providers");
	json_write_arr_end(w);
	return json_write_obj_end(w);
}

int mcp_resources_templates(json_writer *w)
{
	json_write_obj_begin(w);
	json_write_key(w, "resourceTemplates");
	json_write_arr_begin(w);
	write_resource(w, "uriTemplate", URI_PRICING "{model}", "Model Pricing", "Per-token pricing for a model");
	write_resource(w, "uriTemplate", URI_PROVIDER "{name}", "Provider Detail", "Registry entry of a single provider");
	json_write_arr_end(w);
	return json_write_obj_end(w);
}

typedef struct names_ctx {
	json_writer *w;
	str prefix;            /* completion: case-insensitive prefix filter */
	bool filter;
	size_t count;          /* matches */
	size_t max;            /* written at most (0 = no limit) */
} names_ctx;

static void add_name(void *actx, str name)
{
	names_ctx *x = actx;
	if (x->filter && !str_starts_with_nocase(name, x->prefix))
		return;
	x->count++;
	if (!x->max || x->count <= x->max)
		json_write_strn(x->w, name.p ? name.p : "", name.p ? name.n : 0);
}

int mcp_resources_read(json_writer *w, const json_doc *d, int params, const mcp_catalog *cat,
		       arena *a, size_t out_cap, char *msg, size_t cap)
{
	int ut;
	str uri;
	if (param_string(d, params, "uri", &ut) != 0 || json_str(d, ut, a, &uri) != 0) {
		snprintf(msg, cap, "invalid params: resources/read requires a string uri");
		return MCP_ERR_INVALID_PARAMS;
	}
	int shown = uri.n > 200 ? 200 : (int)uri.n;
	buf body = { 0 };
	body.cap = out_cap;
	char err[MCP_MSG_MAX] = "";
	int rc = 0;
	if (str_eq_cstr(uri, URI_MODELS)) {
		json_writer nw;
		json_write_init(&nw, &body, 0);
		names_ctx x = { .w = &nw };
		json_write_arr_begin(&nw);
		if (cat->names)
			cat->names(cat->ud, MCP_NAMES_MODELS, add_name, &x);
		json_write_arr_end(&nw);
		rc = json_write_finish(&nw);
	} else if (str_eq_cstr(uri, URI_PROVIDERS)) {
		rc = cat->read ? cat->read(cat->ud, MCP_RES_PROVIDERS, STR_NULL, &body, err, sizeof err)
			       : buf_puts(&body, "[]");
	} else if (str_starts_with(uri, STR_LIT(URI_PRICING)) && uri.n > sizeof URI_PRICING - 1) {
		str m = str_slice(uri, sizeof URI_PRICING - 1, uri.n);
		if (cat->read) {
			rc = cat->read(cat->ud, MCP_RES_PRICING, m, &body, err, sizeof err);
		} else {
			snprintf(err, sizeof err, "no pricing for model '%.*s'", (int)(m.n > 200 ? 200 : m.n), m.p);
			rc = ERR_NOTFOUND;
		}
	} else if (str_starts_with(uri, STR_LIT(URI_PROVIDER)) && uri.n > sizeof URI_PROVIDER - 1) {
		str m = str_slice(uri, sizeof URI_PROVIDER - 1, uri.n);
		if (cat->read) {
			rc = cat->read(cat->ud, MCP_RES_PROVIDER, m, &body, err, sizeof err);
		} else {
			snprintf(err, sizeof err, "unknown provider '%.*s'", (int)(m.n > 200 ? 200 : m.n), m.p);
			rc = ERR_NOTFOUND;
		}
	} else {
		buf_free(&body);
		snprintf(msg, cap, "unknown resource uri: %.*s", shown, uri.p);
		return MCP_ERR_INVALID_PARAMS;
	}
	if (rc != 0) {
		buf_free(&body);
		if (rc == ERR_NOTFOUND) {
			snprintf(msg, cap, "%s", err[0] ? err : "resource not found");
			return MCP_ERR_INVALID_PARAMS;
		}
		snprintf(msg, cap, "%s", err[0] ? err : err_str(rc));
		return MCP_ERR_INTERNAL;
	}
	/* the text is the resource pretty-printed */
	json_doc doc;
	json_opts jo = { .max_depth = JSON_DEPTH_MAX - 8 };
	buf pretty = { 0 };
	pretty.cap = out_cap;
	rc = json_parse_arena(&doc, a, body.data ? body.data : "", body.len, &jo, NULL) > 0 ? 0 : ERR_INVAL;
	if (rc == 0) {
		json_writer pw;
		json_write_init(&pw, &pretty, JSON_W_PRETTY);
		pw.max_depth = JSON_DEPTH_MAX;
		rc = mcp_json_copy(&pw, &doc, 0, a);
		if (rc == 0)
			rc = json_write_finish(&pw);
	}
	buf_free(&body);
	if (rc != 0) {
		buf_free(&pretty);
		if (rc == ERR_TOOBIG) {
			w->err = ERR_TOOBIG;   /* reported by the core as "response too large" */
			snprintf(msg, cap, "response too large");
		} else {
			snprintf(msg, cap, "internal error: resource is not valid JSON");
		}
		return MCP_ERR_INTERNAL;
	}
	json_write_obj_begin(w);
	json_write_key(w, "contents");
	json_write_arr_begin(w);
	json_write_obj_begin(w);
	json_write_kv_strn(w, "uri", uri.p, uri.n);
	json_write_kv_str(w, "mimeType", "application/json");
	json_write_kv_strn(w, "text", pretty.data ? pretty.data : "", pretty.len);
	json_write_obj_end(w);
	json_write_arr_end(w);
	rc = json_write_obj_end(w);
	buf_free(&pretty);
	return rc;
}

/* ---- completion -------------------------------------------------------------------- */

#define COMPLETE_MAX 100

int mcp_completion(json_writer *w, const json_doc *d, int params, const mcp_catalog *cat, char *msg, size_t cap)
{
	int arg = json_typeof(d, params) == JSON_OBJECT ? json_get(d, params, "argument") : -1;
	int nt, vt;
	if (json_typeof(d, arg) != JSON_OBJECT || param_string(d, arg, "name", &nt) != 0 ||
	    param_string(d, arg, "value", &vt) != 0) {
		snprintf(msg, cap, "invalid params: completion/complete requires argument {name, value} strings");
		return MCP_ERR_INVALID_PARAMS;
	}
	int ref = json_get(d, params, "ref");
	if (ref >= 0 && json_typeof(d, ref) != JSON_OBJECT) {
		snprintf(msg, cap, "invalid params: ref must be an object");
		return MCP_ERR_INVALID_PARAMS;
	}
	int which = -1;
	if (json_str_eq(d, nt, STR_LIT("model")))
		which = MCP_NAMES_MODELS;
	else if (json_str_eq(d, nt, STR_LIT("name")) || json_str_eq(d, nt, STR_LIT("provider")))
		which = MCP_NAMES_PROVIDERS;
	str prefix;
	if (json_str_raw(d, vt, &prefix) != 0)
		return MCP_ERR_INTERNAL;
	/* escaped prefixes are rare: compare on the decoded bytes */
	char small[256];
	if (d->tok[vt].flags & JSON_F_ESCAPED) {
		int n = json_str_copy(d, vt, small, sizeof small);
		if (n < 0)
			which = -1;   /* longer than any name: no match */
		else
			prefix = str_make(small, (size_t)n);
	}
	json_write_obj_begin(w);
	json_write_key(w, "completion");
	json_write_obj_begin(w);
	json_write_key(w, "values");
	json_write_arr_begin(w);
	names_ctx x = { .w = w, .prefix = prefix, .filter = true, .max = COMPLETE_MAX };
	if (which >= 0 && cat->names)
		cat->names(cat->ud, (mcp_names)which, add_name, &x);
	json_write_arr_end(w);
	json_write_kv_u64(w, "total", x.count);
	json_write_kv_bool(w, "hasMore", x.count > COMPLETE_MAX);
	json_write_obj_end(w);
	return json_write_obj_end(w);
}
