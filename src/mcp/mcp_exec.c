/* mcp_exec.c — the executor: a tools/call becomes a gateway operation (the
 * same one as the tool's REST route), its answer becomes the call's result or
 * a JSON-RPC error (mcp-tools.md "Tool call results and errors"). Each call
 * owns an arena (the gateway call lives in it), a timeout timer and an
 * optional progress timer; it is freed on the loop's next iteration, after
 * the gateway has let go of it. */
#include "mcp/mcp_exec.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "json/json_write.h"
#include "providers/pricing.h"
#include "providers/provider.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mcp_exec {
	mcp_exec_config ec;
	size_t inflight;
};

typedef struct job {
	mcp_exec *x;
	mcp_call *c;                  /* NULL once completed or cancelled */
	const mcp_tool *t;
	gateway_call *gc;
	gateway_sink sink;
	gateway_principal pr;
	arena a;
	buf stream;                   /* begin/write/end answers */
	int stream_status;
	bool starting;                /* inside gateway_*_start: errors are local (routing) */
	bool finished;                /* the gateway ended the call (respond/end) */
	loop_timer timeout;
	loop_timer progress;
	unsigned ticks;
	loop_post_item post;
} job;

/* ---- lifetime ------------------------------------------------------------------ */

static void job_release(loop *l, void *ud)
{
	(void)l;
	job *j = ud;
	arena_free(&j->a);
	buf_free(&j->stream);
	free(j);
}

/* The MCP side is done with j (completed, failed or cancelled). j->c is
 * already freed by the core here (a completion or cancel ends it): forget it. */
static void job_end(job *j)
{
	loop_timer_stop(j->x->ec.loop, &j->timeout);
	loop_timer_stop(j->x->ec.loop, &j->progress);
	j->c = NULL;
	if (j->x->inflight)
		j->x->inflight--;
	j->post.fn = job_release;
	j->post.ud = j;
	loop_enqueue(j->x->ec.loop, &j->post);
}

static void job_error(job *j, int code, const char *msg)
{
	if (!j->c)
		return;
	mcp_call_error(j->c, code, msg);
	job_end(j);
}

/* ---- answers from the gateway ---------------------------------------------------- */

static void deliver(job *j, int status, const char *body, size_t n)
{
	if (!j->c)
		return;
	if (status >= 200 && status < 300) {
		if (j->t->result == MCP_RESULT_JSON)
			mcp_call_result_json(j->c, body ? body : "", n);
		else
			mcp_call_result_bytes(j->c, body ? body : "", n);
		job_end(j);
		return;
	}
	/* the error envelope {"error":{"message","type",...}} */
	char msg[GATEWAY_MSG_MAX + 64];
	char kind[64] = "";
	snprintf(msg, sizeof msg, "server error: upstream answered HTTP %d", status);
	if (body && n) {
		json_doc d;
		json_tok toks[64];
		if (json_parse(&d, body, n, toks, sizeof toks / sizeof toks[0], NULL, NULL) > 0) {
			int e = json_get(&d, 0, "error");
			int m = e >= 0 ? json_get(&d, e, "message") : -1;
			int k = e >= 0 ? json_get(&d, e, "type") : -1;
			if (m >= 0 && json_typeof(&d, m) == JSON_STRING)
				json_str_copy(&d, m, msg, sizeof msg);
			if (k >= 0 && json_typeof(&d, k) == JSON_STRING)
				json_str_copy(&d, k, kind, sizeof kind);
		}
	}
	int code = mcp_error_code_for_kind(kind[0] ? kind : NULL);
	/* a local NotFound is a routing failure ("model 'x' not found"): -32603 */
	if (j->starting && code == MCP_ERR_NOT_FOUND)
		code = MCP_ERR_INTERNAL;
	if (status == 403 && strcmp(kind, "Forbidden") == 0)
		code = MCP_ERR_INVALID_PARAMS;
	job_error(j, code, msg);
}

static void sink_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after)
{
	(void)ctype;
	(void)retry_after;
	job *j = ud;
	j->finished = true;
	deliver(j, status, body, n);
}

static int sink_begin(void *ud, int status, const char *ctype)
{
	(void)ctype;
	job *j = ud;
	j->stream_status = status;
	buf_init(&j->stream, MCP_MAX_OUTPUT_DEFAULT / 2);
	return j->c ? 0 : -1;
}

static int sink_write(void *ud, const char *p, size_t n)
{
	job *j = ud;
	if (!j->c)
		return -1;
	if (buf_append(&j->stream, p, n) < 0) {
		job_error(j, MCP_ERR_INTERNAL, "response too large");
		return -1;
	}
	return 0;
}

static void sink_end(void *ud)
{
	job *j = ud;
	j->finished = true;
	deliver(j, j->stream_status ? j->stream_status : 200, j->stream.data, j->stream.len);
}

/* ---- timers ------------------------------------------------------------------------- */

static void on_timeout(loop *l, void *ud)
{
	(void)l;
	job *j = ud;
	if (!j->c)
		return;
	if (j->gc && !j->finished)
		gateway_call_cancel(j->gc);
	j->finished = true;
	char msg[128];
	snprintf(msg, sizeof msg, "request timeout: the tool call took longer than %llu s",
		 (unsigned long long)((j->x->ec.timeout_ms + 999) / 1000));
	job_error(j, MCP_ERR_INTERNAL, msg);
}

static void on_progress(loop *l, void *ud)
{
	job *j = ud;
	if (!j->c)
		return;
	j->ticks++;
	uint32_t ms = j->x->ec.progress_ms ? j->x->ec.progress_ms : 1000;
	char m[96];
	snprintf(m, sizeof m, "waiting for the upstream (%.1f s)", (double)j->ticks * ms / 1000.0);
	mcp_call_progress(j->c, (double)j->ticks, -1, m);
	loop_timer_start(l, &j->progress, ms);
}

/* ---- building the gateway request ------------------------------------------------------ */

/* Copy argument name (raw JSON) into the body as key, when present. */
static void put_arg(json_writer *w, const mcp_tool *t, const json_doc *d, int args, const char *name,
		    const char *key)
{
	int i = mcp_tool_arg(t, d, args, name);
	if (i < 0)
		return;
	str r = json_raw(d, i);
	json_write_kv_raw(w, key ? key : name, r.p, r.n);
}

static void first_model_fn(void *ud, str name)
{
	str *s = ud;
	if (!s->p)
		*s = name;
}

/* The argument as an unescaped string in j's arena (STR_NULL when absent). */
static str arg_str(job *j, const json_doc *d, int args, const char *name)
{
	int i = mcp_tool_arg(j->t, d, args, name);
	str s = STR_NULL;
	if (i < 0 || json_typeof(d, i) != JSON_STRING || json_str(d, i, &j->a, &s) < 0)
		return STR_NULL;
	return s;
}

static void pct_encode(buf *b, str s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < s.n; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '_' || ch == '.' || ch == '~')
			buf_putc(b, (char)ch);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[ch >> 4]);
			buf_putc(b, hex[ch & 15]);
		}
	}
}

/* Append "&name=<value>" (raw number or encoded string) for a present argument. */
static void query_arg(job *j, buf *q, const json_doc *d, int args, const char *name)
{
	int i = mcp_tool_arg(j->t, d, args, name);
	if (i < 0)
		return;
	if (q->len)
		buf_putc(q, '&');
	buf_puts(q, name);
	buf_putc(q, '=');
	if (json_typeof(d, i) == JSON_STRING) {
		str s = arg_str(j, d, args, name);
		pct_encode(q, s);
	} else {
		str r = json_raw(d, i);
		buf_append(q, r.p, r.n);
	}
}

static str arena_buf(job *j, buf *b)
{
	str s = STR_NULL;
	if (b->len) {
		char *p = arena_memdup(&j->a, b->data, b->len);
		if (p)
			s = str_make(p, b->len);
	} else
		s = STR_LIT("");
	buf_free(b);
	return s;
}

static void list_models_fn(void *ud, str name)
{
	json_writer *w = ud;
	json_write_obj_begin(w);
	json_write_kv_strn(w, "id", name.p, name.n);
	json_write_kv_str(w, "object", "model");
	json_write_kv_i64(w, "created", 0);
	json_write_kv_str(w, "owned_by", "liter-llm-proxy");
	json_write_obj_end(w);
}

static void list_models(job *j)
{
	str first = STR_NULL;
	gateway_models_each(j->x->ec.gw, &j->pr, first_model_fn, &first);
	if (!first.p) {
		job_error(j, MCP_ERR_INTERNAL, "no models configured");
		return;
	}
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "object", "list");
	json_write_key(&w, "data");
	json_write_arr_begin(&w);
	gateway_models_each(j->x->ec.gw, &j->pr, list_models_fn, &w);
	json_write_arr_end(&w);
	json_write_obj_end(&w);
	if (json_write_finish(&w) < 0)
		job_error(j, MCP_ERR_INTERNAL, "internal error: model list too large");
	else {
		mcp_call_result_json(j->c, b.data, b.len);
		job_end(j);
	}
	buf_free(&b);
}

static bool op_of(mcp_tool_id id, gateway_op_id *op)
{
	switch (id) {
	case MCP_TOOL_CHAT: *op = GATEWAY_OP_CHAT; return true;
	case MCP_TOOL_EMBED: *op = GATEWAY_OP_EMBEDDINGS; return true;
	case MCP_TOOL_GENERATE_IMAGE: *op = GATEWAY_OP_IMAGES; return true;
	case MCP_TOOL_SPEECH: *op = GATEWAY_OP_SPEECH; return true;
	case MCP_TOOL_TRANSCRIBE: *op = GATEWAY_OP_TRANSCRIPTIONS; return true;
	case MCP_TOOL_MODERATE: *op = GATEWAY_OP_MODERATIONS; return true;
	case MCP_TOOL_RERANK: *op = GATEWAY_OP_RERANK; return true;
	case MCP_TOOL_SEARCH: *op = GATEWAY_OP_SEARCH; return true;
	case MCP_TOOL_OCR: *op = GATEWAY_OP_OCR; return true;
	default: return false;
	}
}

/* Model-routed tools: the REST body, then gateway_call_start. */
static void start_op(job *j, gateway_op_id opid, const json_doc *d, int args)
{
	const mcp_tool *t = j->t;
	str model = arg_str(j, d, args, "model");
	if (!model.p && (t->id == MCP_TOOL_GENERATE_IMAGE || t->id == MCP_TOOL_MODERATE)) {
		/* mcp-tools.md: the first configured model routes it */
		gateway_models_each(j->x->ec.gw, &j->pr, first_model_fn, &model);
		if (!model.p) {
			job_error(j, MCP_ERR_INTERNAL, "no models configured");
			return;
		}
	}
	if (!j->pr.master && model.p && !gateway_allowed(&j->pr, model)) {
		char msg[GATEWAY_MSG_MAX];
		snprintf(msg, sizeof msg, "key '%s' is not allowed to access model '" STR_FMT "'", j->pr.key_id,
			 (int)(model.n > 300 ? 300 : model.n), model.p);
		job_error(j, MCP_ERR_INVALID_PARAMS, msg);
		return;
	}
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, 0);
	json_write_obj_begin(&w);
	if (model.p)
		json_write_kv_strn(&w, "model", model.p, model.n);
	switch (t->id) {
	case MCP_TOOL_CHAT:
		put_arg(&w, t, d, args, "messages", NULL);
		put_arg(&w, t, d, args, "temperature", NULL);
		put_arg(&w, t, d, args, "max_tokens", NULL);
		break;
	case MCP_TOOL_EMBED:
	case MCP_TOOL_MODERATE:
		put_arg(&w, t, d, args, "input", NULL);
		break;
	case MCP_TOOL_GENERATE_IMAGE:
		put_arg(&w, t, d, args, "prompt", NULL);
		put_arg(&w, t, d, args, "n", NULL);
		put_arg(&w, t, d, args, "size", NULL);
		break;
	case MCP_TOOL_SPEECH:
		put_arg(&w, t, d, args, "input", NULL);
		put_arg(&w, t, d, args, "voice", NULL);
		break;
	case MCP_TOOL_TRANSCRIBE:
		put_arg(&w, t, d, args, "file_base64", "file");
		break;
	case MCP_TOOL_RERANK:
		put_arg(&w, t, d, args, "query", NULL);
		put_arg(&w, t, d, args, "documents", NULL);
		break;
	case MCP_TOOL_SEARCH:
		put_arg(&w, t, d, args, "query", NULL);
		break;
	case MCP_TOOL_OCR: {
		int url = mcp_tool_arg(t, d, args, "image_url");
		int b64 = mcp_tool_arg(t, d, args, "image_base64");
		if (url < 0 && b64 < 0) {
			buf_free(&b);
			job_error(j, MCP_ERR_INVALID_PARAMS, "either image_url or image_base64 must be provided");
			return;
		}
		json_write_key(&w, "document");
		json_write_obj_begin(&w);
		if (url >= 0) {
			json_write_kv_str(&w, "type", "document_url");
			put_arg(&w, t, d, args, "image_url", "url");
		} else {
			json_write_kv_str(&w, "type", "base64");
			put_arg(&w, t, d, args, "image_base64", "data");
			if (mcp_tool_arg(t, d, args, "media_type") >= 0)
				put_arg(&w, t, d, args, "media_type", NULL);
			else
				json_write_kv_str(&w, "media_type", "image/png");
		}
		json_write_obj_end(&w);
		break;
	}
	default:
		break;
	}
	json_write_obj_end(&w);
	if (json_write_finish(&w) < 0) {
		buf_free(&b);
		job_error(j, MCP_ERR_INTERNAL, "internal error: request too large");
		return;
	}
	str body = arena_buf(j, &b);
	if (!body.p) {
		job_error(j, MCP_ERR_INTERNAL, "out of memory");
		return;
	}
	j->starting = true;
	gateway_call *gc = gateway_call_start(j->x->ec.gw, j->x->ec.up, gateway_op_get(opid), &j->pr, body, &j->a,
					      &j->sink);
	j->starting = false;
	if (gc && !j->finished)
		j->gc = gc;
}

static const char *const purposes[] = { "assistants", "batch", "fine-tune", "vision" };

/* Files, batches, responses: gateway_master_start. */
static void start_master(job *j, const json_doc *d, int args)
{
	const mcp_tool *t = j->t;
	int mop = gateway_mop_find(t->name);
	if (mop < 0) {
		job_error(j, MCP_ERR_INTERNAL, "internal error: no gateway operation for this tool");
		return;
	}
	if (!j->pr.master) {
		char msg[GATEWAY_MSG_MAX];
		snprintf(msg, sizeof msg, "tool '%s' requires master-key access; key '%s' is restricted", t->name,
			 j->pr.key_id);
		job_error(j, MCP_ERR_INVALID_PARAMS, msg);
		return;
	}
	gateway_mreq m = { .op = (gateway_mop)mop, .id = STR_LIT(""), .query = STR_NULL, .body = STR_LIT(""),
			   .content_type = STR_LIT("") };
	buf b = { 0 };
	switch (t->id) {
	case MCP_TOOL_CREATE_FILE: {
		str purpose = arg_str(j, d, args, "purpose");
		bool ok = false;
		for (size_t i = 0; i < sizeof purposes / sizeof purposes[0]; i++)
			if (str_eq_cstr(purpose, purposes[i]))
				ok = true;
		if (!ok) {
			char msg[GATEWAY_MSG_MAX];
			snprintf(msg, sizeof msg,
				 "invalid purpose (expected assistants, batch, fine-tune, or vision): " STR_FMT,
				 (int)(purpose.n > 200 ? 200 : purpose.n), purpose.p ? purpose.p : "");
			job_error(j, MCP_ERR_INVALID_PARAMS, msg);
			return;
		}
		json_writer w;
		json_write_init(&w, &b, 0);
		json_write_obj_begin(&w);
		put_arg(&w, t, d, args, "file_base64", "file");
		put_arg(&w, t, d, args, "purpose", NULL);
		put_arg(&w, t, d, args, "filename", NULL);
		json_write_obj_end(&w);
		if (json_write_finish(&w) < 0) {
			buf_free(&b);
			job_error(j, MCP_ERR_INTERNAL, "internal error: request too large");
			return;
		}
		m.body = arena_buf(j, &b);
		m.content_type = STR_LIT("application/json");
		break;
	}
	case MCP_TOOL_LIST_FILES:
		query_arg(j, &b, d, args, "purpose");
		query_arg(j, &b, d, args, "limit");
		m.query = arena_buf(j, &b);
		break;
	case MCP_TOOL_LIST_BATCHES:
		query_arg(j, &b, d, args, "limit");
		query_arg(j, &b, d, args, "after");
		m.query = arena_buf(j, &b);
		break;
	case MCP_TOOL_CREATE_BATCH:
	case MCP_TOOL_CREATE_RESPONSE: {
		json_writer w;
		json_write_init(&w, &b, 0);
		json_write_obj_begin(&w);
		if (t->id == MCP_TOOL_CREATE_BATCH) {
			put_arg(&w, t, d, args, "input_file_id", NULL);
			put_arg(&w, t, d, args, "endpoint", NULL);
			put_arg(&w, t, d, args, "completion_window", NULL);
		} else {
			put_arg(&w, t, d, args, "model", NULL);
			put_arg(&w, t, d, args, "input", NULL);
		}
		json_write_obj_end(&w);
		if (json_write_finish(&w) < 0) {
			buf_free(&b);
			job_error(j, MCP_ERR_INTERNAL, "internal error: request too large");
			return;
		}
		m.body = arena_buf(j, &b);
		m.content_type = STR_LIT("application/json");
		break;
	}
	default: {
		/* the {id} of the path, percent-encoded so that it stays one segment */
		const char *idname = t->id == MCP_TOOL_RETRIEVE_BATCH || t->id == MCP_TOOL_CANCEL_BATCH ? "batch_id"
				     : t->id == MCP_TOOL_RETRIEVE_RESPONSE || t->id == MCP_TOOL_CANCEL_RESPONSE
					     ? "response_id"
					     : "file_id";
		str id = arg_str(j, d, args, idname);
		if (!id.n) {
			char msg[128];
			snprintf(msg, sizeof msg, "failed to deserialize parameters: `%s` must not be empty", idname);
			job_error(j, MCP_ERR_INVALID_PARAMS, msg);
			return;
		}
		pct_encode(&b, id);
		m.id = arena_buf(j, &b);
		break;
	}
	}
	if (!m.body.p || !m.id.p) {
		job_error(j, MCP_ERR_INTERNAL, "out of memory");
		return;
	}
	j->starting = true;
	gateway_call *gc = gateway_master_start(j->x->ec.gw, j->x->ec.up, &j->pr, &m, &j->a, &j->sink);
	j->starting = false;
	if (gc && !j->finished)
		j->gc = gc;
}

/* ---- the executor seam -------------------------------------------------------------------- */

static void ex_call(void *ud, mcp_call *c, const mcp_tool *t, const json_doc *d, int args)
{
	mcp_exec *x = ud;
	job *j = calloc(1, sizeof *j);
	if (!j) {
		mcp_call_error(c, MCP_ERR_INTERNAL, "out of memory");
		return;
	}
	j->x = x;
	j->c = c;
	j->t = t;
	arena_init(&j->a, 16384, 0);
	j->sink = (gateway_sink){ sink_respond, sink_begin, sink_write, sink_end, j };
	const gateway_principal *p = x->ec.principal_of ? x->ec.principal_of(x->ec.ud, mcp_call_origin(c)) : NULL;
	j->pr = p ? *p : x->ec.principal;
	loop_timer_init(&j->timeout, on_timeout, j);
	loop_timer_init(&j->progress, on_progress, j);
	mcp_call_set_handle(c, j);
	x->inflight++;
	if (x->ec.timeout_ms)
		loop_timer_start(x->ec.loop, &j->timeout, x->ec.timeout_ms);
	if (mcp_call_wants_progress(c))
		loop_timer_start(x->ec.loop, &j->progress, x->ec.progress_ms ? x->ec.progress_ms : 1000);

	gateway_op_id op;
	if (t->id == MCP_TOOL_LIST_MODELS)
		list_models(j);
	else if (op_of(t->id, &op))
		start_op(j, op, d, args);
	else if (t->management)
		start_master(j, d, args);
	else
		job_error(j, MCP_ERR_INTERNAL, "internal error: unknown tool");
}

static void ex_cancel(void *ud, mcp_call *c)
{
	(void)ud;
	job *j = mcp_call_handle(c);
	if (!j || j->c != c)
		return;
	if (j->gc && !j->finished)
		gateway_call_cancel(j->gc);
	j->finished = true;
	job_end(j);
}

/* ---- the catalog seam ------------------------------------------------------------------------ */

static void provider_json(json_writer *w, const provider_row *r)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, "name", r->name);
	json_write_kv_str(w, "display_name", r->display_name);
	json_write_kv_str(w, "base_url", r->base_url);
	json_write_key(w, "auth");
	json_write_obj_begin(w);
	json_write_kv_str(w, "type", r->reg_auth == PROVIDER_REG_AUTH_NONE ? "none"
				     : r->reg_auth == PROVIDER_REG_AUTH_X_API_KEY ? "api-key" : "bearer");
	if (r->api_key_env && *r->api_key_env)
		json_write_kv_str(w, "env_var", r->api_key_env);
	else
		json_write_kv_null(w, "env_var");
	json_write_obj_end(w);
	json_write_key(w, "endpoints");
	json_write_arr_begin(w);
	for (unsigned b = 0; b < 16; b++)
		if (r->endpoints & (1u << b)) {
			const char *n = provider_endpoint_name(1u << b);
			if (n)
				json_write_str(w, n);
		}
	json_write_arr_end(w);
	json_write_key(w, "model_prefixes");
	json_write_arr_begin(w);
	for (unsigned i = 0; i < r->n_prefixes; i++)
		json_write_str(w, r->prefixes[i]);
	json_write_arr_end(w);
	json_write_key(w, "param_mappings");
	json_write_obj_begin(w);
	for (unsigned i = 0; i < r->n_param_maps; i++)
		json_write_kv_str(w, r->param_maps[i].from, r->param_maps[i].to);
	json_write_obj_end(w);
	json_write_obj_end(w);
}

static void price_kv(json_writer *w, const char *k, double v)
{
	if (v != v || v < 0)
		json_write_kv_null(w, k);
	else
		json_write_kv_double(w, k, v);
}

static int cat_read(void *ud, mcp_resource r, str arg, buf *out, char *err, size_t errlen)
{
	(void)ud;
	json_writer w;
	json_write_init(&w, out, 0);
	switch (r) {
	case MCP_RES_PROVIDERS:
		json_write_arr_begin(&w);
		for (size_t i = 0; i < provider_count(); i++)
			provider_json(&w, provider_at(i));
		json_write_arr_end(&w);
		break;
	case MCP_RES_PROVIDER: {
		const provider_row *row = provider_find(arg);
		if (!row) {
			snprintf(err, errlen, "unknown provider '" STR_FMT "'", (int)(arg.n > 200 ? 200 : arg.n), arg.p);
			return ERR_NOTFOUND;
		}
		provider_json(&w, row);
		break;
	}
	case MCP_RES_PRICING: {
		const pricing_entry *p = pricing_lookup(arg, provider_model_id(arg), arg);
		if (!p) {
			snprintf(err, errlen, "no pricing for model '" STR_FMT "'", (int)(arg.n > 200 ? 200 : arg.n),
				 arg.p);
			return ERR_NOTFOUND;
		}
		json_write_obj_begin(&w);
		json_write_kv_strn(&w, "model", arg.p, arg.n);
		price_kv(&w, "input_cost_per_token", p->input_cost_per_token);
		price_kv(&w, "output_cost_per_token", p->output_cost_per_token);
		price_kv(&w, "cache_read_input_token_cost", p->cache_read_input_token_cost);
		price_kv(&w, "cache_creation_input_token_cost", p->cache_creation_input_token_cost);
		json_write_obj_end(&w);
		break;
	}
	default:
		snprintf(err, errlen, "unknown resource");
		return ERR_NOTFOUND;
	}
	int rc = json_write_finish(&w);
	if (rc < 0)
		snprintf(err, errlen, "internal error: resource too large");
	return rc;
}

typedef struct name_ctx {
	mcp_name_fn add;
	void *actx;
} name_ctx;

static void cat_model(void *ud, str name)
{
	name_ctx *n = ud;
	n->add(n->actx, name);
}

static void cat_names(void *ud, mcp_names which, mcp_name_fn add, void *actx)
{
	mcp_exec *x = ud;
	if (which == MCP_NAMES_MODELS) {
		name_ctx n = { add, actx };
		gateway_models_each(x->ec.gw, &x->ec.principal, cat_model, &n);
	} else
		for (size_t i = 0; i < provider_count(); i++)
			add(actx, str_from(provider_at(i)->name));
}

mcp_catalog mcp_exec_catalog(mcp_exec *x)
{
	return (mcp_catalog){ cat_read, cat_names, x };
}

int mcp_exec_new(mcp_exec **out, const mcp_exec_config *ec)
{
	*out = NULL;
	if (!ec || !ec->gw || !ec->loop || !ec->up)
		return ERR_INVAL;
	mcp_exec *x = calloc(1, sizeof *x);
	if (!x)
		return ERR_NOMEM;
	x->ec = *ec;
	*out = x;
	return 0;
}

void mcp_exec_free(mcp_exec *x)
{
	free(x);
}

mcp_executor mcp_exec_executor(mcp_exec *x)
{
	return (mcp_executor){ ex_call, ex_cancel, x };
}

size_t mcp_exec_inflight(const mcp_exec *x)
{
	return x ? x->inflight : 0;
}
