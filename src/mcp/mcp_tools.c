/* mcp_tools.c — the 22 tools of mcp-tools.md as const data: names,
 * descriptions, annotation sets, argument lists. The inputSchema JSON sent by
 * tools/list and the argument checks of tools/call both derive from the same
 * table, so they cannot disagree. Also the JSON tree copier. */
#include "mcp/mcp_private.h"
#include "base/err.h"
#include <stdio.h>
#include <string.h>

/* ---- argument lists ----------------------------------------------------------- */

#define REQ true
#define OPT false

#define D_MODEL "Configured model name, e.g. \"gpt-4o\"."

static const mcp_param p_chat[] = {
	{ "model", MCP_P_STRING, REQ, NULL, D_MODEL },
	{ "messages", MCP_P_ANY, REQ, NULL, "Array of {role, content} message objects." },
	{ "temperature", MCP_P_F64, OPT, NULL, "Sampling temperature (0.0-2.0)." },
	{ "max_tokens", MCP_P_U32, OPT, NULL, "Maximum tokens to generate." },
};
static const mcp_param p_embed[] = {
	{ "model", MCP_P_STRING, REQ, NULL, D_MODEL },
	{ "input", MCP_P_ANY, REQ, NULL, "Text to embed: a string or an array of strings." },
};
static const mcp_param p_image[] = {
	{ "prompt", MCP_P_STRING, REQ, NULL, "Text description of the image(s) to generate." },
	{ "model", MCP_P_STRING, OPT, NULL, "Configured model name; defaults to the first configured model." },
	{ "n", MCP_P_U32, OPT, NULL, "Number of images to generate." },
	{ "size", MCP_P_STRING, OPT, NULL, "Image size, e.g. \"1024x1024\"." },
};
static const mcp_param p_speech[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Configured text-to-speech model name, e.g. \"tts-1\"." },
	{ "input", MCP_P_STRING, REQ, NULL, "Text to speak." },
	{ "voice", MCP_P_STRING, REQ, NULL, "Voice name, e.g. \"alloy\"." },
};
static const mcp_param p_transcribe[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Configured speech-to-text model name, e.g. \"whisper-1\"." },
	{ "file_base64", MCP_P_STRING, REQ, NULL, "Audio file content, base64-encoded." },
};
static const mcp_param p_moderate[] = {
	{ "input", MCP_P_ANY, REQ, NULL, "Content to check: a string or an array of strings." },
	{ "model", MCP_P_STRING, OPT, NULL, "Configured model name; defaults to the first configured model." },
};
static const mcp_param p_rerank[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Configured rerank model name." },
	{ "query", MCP_P_STRING, REQ, NULL, "The query to rank the documents against." },
	{ "documents", MCP_P_STRING_ARRAY, REQ, NULL, "Documents to rerank." },
};
static const mcp_param p_search[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Configured search model name." },
	{ "query", MCP_P_STRING, REQ, NULL, "Search query." },
};
static const mcp_param p_ocr[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Configured OCR model name." },
	{ "image_url", MCP_P_STRING, OPT, NULL, "URL of the image or document (takes precedence over image_base64)." },
	{ "image_base64", MCP_P_STRING, OPT, NULL, "Image or document content, base64-encoded." },
	{ "media_type", MCP_P_STRING, OPT, NULL, "Media type of image_base64 (default \"image/png\")." },
};
static const mcp_param p_create_file[] = {
	{ "file_base64", MCP_P_STRING, REQ, "content_base64", "File content, base64-encoded (alias: content_base64)." },
	{ "filename", MCP_P_STRING, REQ, NULL, "File name, e.g. \"data.jsonl\"." },
	{ "purpose", MCP_P_STRING, REQ, NULL, "One of assistants, batch, fine-tune, vision." },
};
static const mcp_param p_list_files[] = {
	{ "purpose", MCP_P_STRING, OPT, NULL, "Only files with this purpose." },
	{ "limit", MCP_P_U32, OPT, NULL, "Maximum number of files to return." },
};
static const mcp_param p_file_id[] = {
	{ "file_id", MCP_P_STRING, REQ, NULL, "File ID, e.g. \"file-abc123\"." },
};
static const mcp_param p_create_batch[] = {
	{ "input_file_id", MCP_P_STRING, REQ, NULL, "ID of an uploaded JSONL file with the requests." },
	{ "endpoint", MCP_P_STRING, REQ, NULL, "Endpoint for every request, e.g. \"/v1/chat/completions\"." },
	{ "completion_window", MCP_P_STRING, REQ, NULL, "Time frame for the batch, e.g. \"24h\"." },
};
static const mcp_param p_list_batches[] = {
	{ "limit", MCP_P_U32, OPT, NULL, "Maximum number of batches to return." },
	{ "after", MCP_P_STRING, OPT, NULL, "Pagination cursor: a batch ID to list after." },
};
static const mcp_param p_batch_id[] = {
	{ "batch_id", MCP_P_STRING, REQ, NULL, "Batch ID, e.g. \"batch_abc123\"." },
};
static const mcp_param p_create_response[] = {
	{ "model", MCP_P_STRING, REQ, NULL, "Model name, passed to the provider as is." },
	{ "input", MCP_P_ANY, REQ, NULL, "Input: a string or structured input items." },
};
static const mcp_param p_response_id[] = {
	{ "response_id", MCP_P_STRING, REQ, NULL, "Response ID, e.g. \"resp_abc123\"." },
};

#define P(a) a, sizeof(a) / sizeof((a)[0])
#define NOPARAMS NULL, 0

static const mcp_tool tools[MCP_TOOL__COUNT] = {
	{ MCP_TOOL_CHAT, "chat", "Send a chat completion request to an LLM", "Chat Completion",
	  "ChatParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_chat) },
	{ MCP_TOOL_EMBED, "embed", "Generate text embeddings for the given input", "Generate Embeddings",
	  "EmbedParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_embed) },
	{ MCP_TOOL_LIST_MODELS, "list_models", "List available models from configured providers", "List Models",
	  "EmptyParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, NOPARAMS },
	{ MCP_TOOL_GENERATE_IMAGE, "generate_image", "Generate images from a text prompt", "Generate Images",
	  "ImageParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_image) },
	{ MCP_TOOL_SPEECH, "speech", "Generate speech audio from text (text-to-speech)", "Text to Speech",
	  "SpeechParams", MCP_HINTS_RO, MCP_RESULT_AUDIO, false, P(p_speech) },
	{ MCP_TOOL_TRANSCRIBE, "transcribe", "Transcribe audio to text (speech-to-text)", "Transcribe Audio",
	  "TranscribeParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_transcribe) },
	{ MCP_TOOL_MODERATE, "moderate", "Check content against moderation policies", "Moderate Content",
	  "ModerateParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_moderate) },
	{ MCP_TOOL_RERANK, "rerank", "Rerank documents by relevance to a query", "Rerank Documents",
	  "RerankParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_rerank) },
	{ MCP_TOOL_SEARCH, "search", "Perform a web or document search", "Search",
	  "SearchParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_search) },
	{ MCP_TOOL_OCR, "ocr", "Extract text from an image or document via OCR", "OCR Extract",
	  "OcrParams", MCP_HINTS_RO, MCP_RESULT_JSON, false, P(p_ocr) },
	{ MCP_TOOL_CREATE_FILE, "create_file", "Upload a file to the LLM provider", "Upload File",
	  "CreateFileParams", MCP_HINTS_W, MCP_RESULT_JSON, true, P(p_create_file) },
	{ MCP_TOOL_LIST_FILES, "list_files", "List uploaded files", "List Files",
	  "ListFilesParams", MCP_HINTS_RO, MCP_RESULT_JSON, true, P(p_list_files) },
	{ MCP_TOOL_RETRIEVE_FILE, "retrieve_file", "Retrieve metadata for an uploaded file", "Retrieve File",
	  "FileIdParams", MCP_HINTS_RO, MCP_RESULT_JSON, true, P(p_file_id) },
	{ MCP_TOOL_DELETE_FILE, "delete_file", "Delete an uploaded file", "Delete File",
	  "FileIdParams", MCP_HINTS_D, MCP_RESULT_JSON, true, P(p_file_id) },
	{ MCP_TOOL_FILE_CONTENT, "file_content", "Retrieve the raw content of an uploaded file", "Get File Content",
	  "FileIdParams", MCP_HINTS_RO, MCP_RESULT_FILE, true, P(p_file_id) },
	{ MCP_TOOL_CREATE_BATCH, "create_batch", "Create a new batch processing job", "Create Batch",
	  "CreateBatchParams", MCP_HINTS_W, MCP_RESULT_JSON, true, P(p_create_batch) },
	{ MCP_TOOL_LIST_BATCHES, "list_batches", "List batch processing jobs", "List Batches",
	  "ListBatchesParams", MCP_HINTS_RO, MCP_RESULT_JSON, true, P(p_list_batches) },
	{ MCP_TOOL_RETRIEVE_BATCH, "retrieve_batch", "Retrieve a batch processing job by ID", "Retrieve Batch",
	  "BatchIdParams", MCP_HINTS_RO, MCP_RESULT_JSON, true, P(p_batch_id) },
	{ MCP_TOOL_CANCEL_BATCH, "cancel_batch", "Cancel an in-progress batch processing job", "Cancel Batch",
	  "BatchIdParams", MCP_HINTS_D, MCP_RESULT_JSON, true, P(p_batch_id) },
	{ MCP_TOOL_CREATE_RESPONSE, "create_response", "Create a new response (Responses API)", "Create Response",
	  "CreateResponseParams", MCP_HINTS_W, MCP_RESULT_JSON, true, P(p_create_response) },
	{ MCP_TOOL_RETRIEVE_RESPONSE, "retrieve_response", "Retrieve a response by ID (Responses API)", "Retrieve Response",
	  "ResponseIdParams", MCP_HINTS_RO, MCP_RESULT_JSON, true, P(p_response_id) },
	{ MCP_TOOL_CANCEL_RESPONSE, "cancel_response", "Cancel an in-progress response (Responses API)", "Cancel Response",
	  "ResponseIdParams", MCP_HINTS_D, MCP_RESULT_JSON, true, P(p_response_id) },
};

const mcp_tool *mcp_tool_get(mcp_tool_id id)
{
	return (unsigned)id < MCP_TOOL__COUNT ? &tools[id] : NULL;
}

const mcp_tool *mcp_tool_find(str name)
{
	for (size_t i = 0; i < MCP_TOOL__COUNT; i++)
		if (str_eq_cstr(name, tools[i].name))
			return &tools[i];
	return NULL;
}

/* ---- argument checks ------------------------------------------------------------ */

/* serde-style name of what was found: integer `5`, map, ... */
static void unexpected(const json_doc *d, int v, char *out, size_t cap)
{
	str r = json_raw(d, v);
	int n = r.n > 32 ? 32 : (int)r.n;
	switch (json_typeof(d, v)) {
	case JSON_NULL: snprintf(out, cap, "null"); break;
	case JSON_TRUE: snprintf(out, cap, "boolean `true`"); break;
	case JSON_FALSE: snprintf(out, cap, "boolean `false`"); break;
	case JSON_NUMBER:
		snprintf(out, cap, "%s `%.*s%s`", (d->tok[v].flags & JSON_F_INT) ? "integer" : "floating point",
			 n, r.p, r.n > 32 ? "..." : "");
		break;
	case JSON_STRING: snprintf(out, cap, "string"); break;
	case JSON_ARRAY: snprintf(out, cap, "sequence"); break;
	case JSON_OBJECT: snprintf(out, cap, "map"); break;
	default: snprintf(out, cap, "nothing"); break;
	}
}

static const char *expected(mcp_ptype t)
{
	switch (t) {
	case MCP_P_STRING: return "a string";
	case MCP_P_U32: return "u32";
	case MCP_P_F64: return "f64";
	case MCP_P_STRING_ARRAY: return "a sequence";
	default: return "any value";
	}
}

#define DESER "failed to deserialize parameters: "

static int bad_type(const mcp_param *p, const json_doc *d, int v, const char *what, char *msg, size_t cap)
{
	char u[64];
	unexpected(d, v, u, sizeof u);
	snprintf(msg, cap, DESER "field `%s`: invalid %s: %s, expected %s", p->name, what, u, expected(p->type));
	return ERR_INVAL;
}

/* Check one present, non-null value v against p. */
static int check_value(const mcp_param *p, const json_doc *d, int v, char *msg, size_t cap)
{
	json_type t = json_typeof(d, v);
	switch (p->type) {
	case MCP_P_STRING:
		return t == JSON_STRING ? 0 : bad_type(p, d, v, "type", msg, cap);
	case MCP_P_F64:
		return t == JSON_NUMBER ? 0 : bad_type(p, d, v, "type", msg, cap);
	case MCP_P_U32: {
		uint64_t u;
		if (t != JSON_NUMBER || !(d->tok[v].flags & JSON_F_INT))
			return bad_type(p, d, v, "type", msg, cap);
		if (json_u64(d, v, &u) != 0 || u > UINT32_MAX)
			return bad_type(p, d, v, "value", msg, cap);
		return 0;
	}
	case MCP_P_STRING_ARRAY: {
		if (t != JSON_ARRAY)
			return bad_type(p, d, v, "type", msg, cap);
		json_iter it = json_iter_begin(d, v);
		int e;
		size_t idx = 0;
		while (json_iter_next(d, &it, NULL, &e)) {
			if (json_typeof(d, e) != JSON_STRING) {
				char u[64];
				unexpected(d, e, u, sizeof u);
				snprintf(msg, cap, DESER "field `%s`: element %zu: invalid type: %s, expected a string",
					 p->name, idx, u);
				return ERR_INVAL;
			}
			idx++;
		}
		return 0;
	}
	case MCP_P_ANY:
		return 0;
	}
	return 0;
}

/* Token of p in args (alias when the name is absent), or < 0 when absent. */
static int find_param(const mcp_param *p, const json_doc *d, int args)
{
	int v = json_get(d, args, p->name);
	if (v < 0 && p->alias)
		v = json_get(d, args, p->alias);
	return v;
}

int mcp_tool_check_args(const mcp_tool *t, const json_doc *d, int args, char *msg, size_t cap)
{
	if (!t || json_typeof(d, args) != JSON_OBJECT) {
		snprintf(msg, cap, DESER "invalid type: expected a map");
		return ERR_INVAL;
	}
	for (size_t i = 0; i < t->nparams; i++) {
		const mcp_param *p = &t->params[i];
		int v = find_param(p, d, args);
		/* name given as null while the alias carries the value */
		if (v >= 0 && json_is_null(d, v) && p->alias) {
			int a = json_get(d, args, p->alias);
			if (a >= 0 && !json_is_null(d, a))
				v = a;
		}
		if (v < 0 || (json_is_null(d, v) && p->type != MCP_P_ANY)) {
			if (!p->required)
				continue;
			if (v < 0)
				snprintf(msg, cap, DESER "missing field `%s`", p->name);
			else
				snprintf(msg, cap, DESER "field `%s`: invalid type: null, expected %s",
					 p->name, expected(p->type));
			return ERR_INVAL;
		}
		int rc = check_value(p, d, v, msg, cap);
		if (rc)
			return rc;
	}
	return 0;
}

int mcp_tool_arg(const mcp_tool *t, const json_doc *d, int args, const char *name)
{
	if (!t || !name || json_typeof(d, args) != JSON_OBJECT)
		return ERR_NOTFOUND;
	int v = json_get(d, args, name);
	if (v >= 0 && !json_is_null(d, v))
		return v;
	for (size_t i = 0; i < t->nparams; i++) {
		const mcp_param *p = &t->params[i];
		if (p->alias && !strcmp(p->name, name)) {
			int a = json_get(d, args, p->alias);
			if (a >= 0 && !json_is_null(d, a))
				return a;
		}
	}
	return ERR_NOTFOUND;
}

/* ---- tools/list ------------------------------------------------------------------- */

static int write_type(json_writer *w, const char *type, bool nullable)
{
	json_write_key(w, "type");
	if (!nullable)
		return json_write_str(w, type);
	json_write_arr_begin(w);
	json_write_str(w, type);
	json_write_str(w, "null");
	return json_write_arr_end(w);
}

static int write_param_schema(json_writer *w, const mcp_param *p)
{
	bool nullable = !p->required;
	json_write_obj_begin(w);
	json_write_kv_str(w, "description", p->description);
	switch (p->type) {
	case MCP_P_STRING:
		write_type(w, "string", nullable);
		break;
	case MCP_P_U32:
		write_type(w, "integer", nullable);
		json_write_kv_str(w, "format", "uint32");
		json_write_kv_i64(w, "minimum", 0);
		break;
	case MCP_P_F64:
		write_type(w, "number", nullable);
		json_write_kv_str(w, "format", "double");
		break;
	case MCP_P_STRING_ARRAY:
		write_type(w, "array", nullable);
		json_write_key(w, "items");
		json_write_obj_begin(w);
		json_write_kv_str(w, "type", "string");
		json_write_obj_end(w);
		break;
	case MCP_P_ANY:
		break;   /* any JSON: no "type" (never a bare boolean schema) */
	}
	return json_write_obj_end(w);
}

static int write_input_schema(json_writer *w, const mcp_tool *t)
{
	char desc[96];
	snprintf(desc, sizeof desc, "Arguments of the %s tool.", t->name);
	json_write_obj_begin(w);
	json_write_kv_str(w, "$schema", "https://json-schema.org/draft/2020-12/schema");
	json_write_kv_str(w, "title", t->schema_title);
	json_write_kv_str(w, "description", desc);
	json_write_kv_str(w, "type", "object");
	json_write_key(w, "properties");
	json_write_obj_begin(w);
	size_t nreq = 0;
	for (size_t i = 0; i < t->nparams; i++) {
		json_write_key(w, t->params[i].name);
		write_param_schema(w, &t->params[i]);
		nreq += t->params[i].required;
	}
	json_write_obj_end(w);
	if (nreq) {
		json_write_key(w, "required");
		json_write_arr_begin(w);
		for (size_t i = 0; i < t->nparams; i++)
			if (t->params[i].required)
				json_write_str(w, t->params[i].name);
		json_write_arr_end(w);
	}
	return json_write_obj_end(w);
}

static int write_annotations(json_writer *w, const mcp_tool *t)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, "title", t->title);
	switch (t->hints) {
	case MCP_HINTS_RO:
		json_write_kv_bool(w, "readOnlyHint", true);
		break;
	case MCP_HINTS_W:
		json_write_kv_bool(w, "readOnlyHint", false);
		json_write_kv_bool(w, "destructiveHint", false);
		json_write_kv_bool(w, "idempotentHint", false);
		break;
	case MCP_HINTS_D:
		json_write_kv_bool(w, "readOnlyHint", false);
		json_write_kv_bool(w, "destructiveHint", true);
		json_write_kv_bool(w, "idempotentHint", true);
		break;
	}
	json_write_kv_bool(w, "openWorldHint", true);
	return json_write_obj_end(w);
}

int mcp_tools_write_list(json_writer *w, mcp_version v)
{
	json_write_obj_begin(w);
	json_write_key(w, "tools");
	json_write_arr_begin(w);
	for (size_t i = 0; i < MCP_TOOL__COUNT; i++) {
		const mcp_tool *t = &tools[i];
		json_write_obj_begin(w);
		json_write_kv_str(w, "name", t->name);
		if (v >= MCP_V_2025_06_18)
			json_write_kv_str(w, "title", t->title);
		json_write_kv_str(w, "description", t->description);
		json_write_key(w, "inputSchema");
		write_input_schema(w, t);
		json_write_key(w, "annotations");
		write_annotations(w, t);
		json_write_obj_end(w);
	}
	json_write_arr_end(w);
	return json_write_obj_end(w);
}

/* ---- JSON tree copy ------------------------------------------------------------------ */

int mcp_json_copy(json_writer *w, const json_doc *d, int tok, arena *a)
{
	json_type t = json_typeof(d, tok);
	int rc, k, v;
	json_iter it;
	switch (t) {
	case JSON_OBJECT:
		json_write_obj_begin(w);
		it = json_iter_begin(d, tok);
		while (json_iter_next(d, &it, &k, &v)) {
			str ks;
			if ((rc = json_str(d, k, a, &ks)) != 0)
				return rc;
			json_write_keyn(w, ks.p, ks.n);
			if ((rc = mcp_json_copy(w, d, v, a)) != 0)
				return rc;
		}
		return json_write_obj_end(w);
	case JSON_ARRAY:
		json_write_arr_begin(w);
		it = json_iter_begin(d, tok);
		while (json_iter_next(d, &it, NULL, &v))
			if ((rc = mcp_json_copy(w, d, v, a)) != 0)
				return rc;
		return json_write_arr_end(w);
	case JSON_NONE:
		return ERR_INVAL;
	default:
		break;
	}
	if (t == JSON_STRING && (d->tok[tok].flags & JSON_F_ESCAPED)) {
		/* decode \uXXXX and friends: "é" reads better than "\u00e9"
		 * (the writer escapes only what JSON requires) */
		str s;
		if ((rc = json_str(d, tok, a, &s)) != 0)
			return rc;
		return json_write_strn(w, s.p, s.n);
	}
	/* numbers, literals, strings without escapes: copied as written */
	str r = json_raw(d, tok);
	return json_write_raw(w, r.p, r.n);
}

int mcp_error_code_for_kind(const char *kind)
{
	static const char *const invalid[] = {
		"BadRequest", "InvalidHeader", "Serialization", "ContextWindowExceeded",
		"ContentPolicy", "Authentication",
	};
	if (!kind)
		return MCP_ERR_INTERNAL;
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
		if (!strcmp(kind, invalid[i]))
			return MCP_ERR_INVALID_PARAMS;
	if (!strcmp(kind, "NotFound"))
		return MCP_ERR_NOT_FOUND;
	return MCP_ERR_INTERNAL;
}
