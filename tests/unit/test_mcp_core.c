/* test_mcp_core.c — drives the MCP core (src/mcp) with a fake executor and a
 * recording transport, and checks the exact messages it sends: handshake per
 * version, tools/list, tools/call results and every error path, lifecycle,
 * batches per version, cancellation, progress, the extras, and a bad-input
 * battery. Every message sent is checked to be one line of valid JSON. */
#include "t.h"
#include "mcp/mcp.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/limits.h"
#include "json/json.h"
#include "json/json_write.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- harness ---------------------------------------------------------------- */

#define MAXOUT 512

typedef struct out_msg {
	void *origin;
	char *msg;
} out_msg;

typedef struct harness {
	mcp_core *core;
	mcp_opts opts;
	out_msg out[MAXOUT];
	int nout;
	void *done[MAXOUT];
	int ndone;
	int bad_output;              /* messages that were not one line of valid JSON */
	mcp_call *later[64];         /* calls kept for later completion */
	int nlater;
	mcp_call *cancelled[64];
	int ncancelled;
	int ncalls;
	intptr_t next_origin;
	const char *model_names[200];
	int nmodel_names;
} harness;

static void h_send(void *ud, void *origin, const char *msg, size_t n)
{
	harness *h = ud;
	arena a = { 0 };
	json_doc d;
	if (memchr(msg, '\n', n) || json_parse_arena(&d, &a, msg, n, NULL, NULL) <= 0 ||
	    (json_typeof(&d, 0) != JSON_OBJECT && json_typeof(&d, 0) != JSON_ARRAY))
		h->bad_output++;
	arena_free(&a);
	if (h->nout < MAXOUT) {
		h->out[h->nout].origin = origin;
		h->out[h->nout].msg = strndup(msg, n);
		h->nout++;
	}
}

static void h_done(void *ud, void *origin)
{
	harness *h = ud;
	if (h->ndone < MAXOUT)
		h->done[h->ndone++] = origin;
}

static void h_forget(harness *h)
{
	for (int i = 0; i < h->nout; i++)
		free(h->out[i].msg);
	h->nout = 0;
	h->ndone = 0;
}

/* The fake executor. Behaviour by the "model" argument (or tool):
 *   "echo"    immediate success with the arguments object as result JSON
 *   "array"   immediate success with [1,2]
 *   "text"    immediate success with text that is not JSON
 *   "later"   kept in h->later for the test to complete
 *   "foo"     -32603 model 'foo' not found
 *   "gone"    -32002 not found: ...
 *   "bad"     -32602 bad request: ...
 *   speech / file_content: bytes "hello"
 *   anything else: {"ok":true} */
static void h_call(void *ud, mcp_call *c, const mcp_tool *t, const json_doc *d, int args)
{
	harness *h = ud;
	h->ncalls++;
	if (t->result != MCP_RESULT_JSON) {
		mcp_call_result_bytes(c, "hello", 5);
		return;
	}
	int m = mcp_tool_arg(t, d, args, "model");
	if (m >= 0 && json_str_eq(d, m, STR_LIT("echo"))) {
		str r = json_raw(d, args);
		mcp_call_result_json(c, r.p, r.n);
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("array"))) {
		mcp_call_result_json(c, "[1, 2]", 6);
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("text"))) {
		mcp_call_result_json(c, "plain\ntext", 10);
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("later"))) {
		h->later[h->nlater++] = c;
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("foo"))) {
		mcp_call_error(c, MCP_ERR_INTERNAL, "model 'foo' not found");
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("gone"))) {
		mcp_call_error(c, mcp_error_code_for_kind("NotFound"), "not found: no such file");
	} else if (m >= 0 && json_str_eq(d, m, STR_LIT("bad"))) {
		mcp_call_error(c, mcp_error_code_for_kind("BadRequest"), "bad request: messages must be an array");
	} else {
		mcp_call_result_json(c, "{\"ok\":true}", 11);
	}
}

static void h_cancel(void *ud, mcp_call *c)
{
	harness *h = ud;
	h->cancelled[h->ncancelled++] = c;
	for (int i = 0; i < h->nlater; i++)
		if (h->later[i] == c)
			h->later[i] = NULL;
	mcp_call_result_json(c, "{}", 2);   /* must be ignored */
}

static void h_names(void *ud, mcp_names which, mcp_name_fn add, void *actx)
{
	harness *h = ud;
	if (which == MCP_NAMES_MODELS) {
		for (int i = 0; i < h->nmodel_names; i++)
			add(actx, str_from(h->model_names[i]));
	} else {
		add(actx, STR_LIT("openai"));
		add(actx, STR_LIT("anthropic"));
		add(actx, STR_LIT("OpenRouter"));
	}
}

static int h_read(void *ud, mcp_resource r, str arg, buf *out, char *err, size_t errlen)
{
	(void)ud;
	switch (r) {
	case MCP_RES_PROVIDERS:
		return buf_puts(out, "[{\"name\":\"openai\"}]");
	case MCP_RES_PRICING:
		if (str_eq_cstr(arg, "gpt-4o"))
			return buf_puts(out, "{\"model\":\"gpt-4o\",\"input_cost_per_token\":2.5e-06}");
		snprintf(err, errlen, "no pricing for model '%.*s'", STR_ARG(arg));
		return ERR_NOTFOUND;
	case MCP_RES_PROVIDER:
		if (str_eq_cstr(arg, "openai"))
			return buf_puts(out, "{\"name\":\"openai\"}");
		snprintf(err, errlen, "unknown provider '%.*s'", STR_ARG(arg));
		return ERR_NOTFOUND;
	}
	return ERR_INVAL;
}

static harness *h_new_opts(void (*tweak)(mcp_opts *))
{
	harness *h = calloc(1, sizeof *h);
	h->opts.server_version = "1.2.3";
	h->opts.instructions = "test instructions";
	h->opts.transport = (mcp_transport){ h_send, h_done, h };
	h->opts.executor = (mcp_executor){ h_call, h_cancel, h };
	h->opts.catalog = (mcp_catalog){ h_read, h_names, h };
	h->next_origin = 1;
	h->model_names[h->nmodel_names++] = "gpt-4o";
	h->model_names[h->nmodel_names++] = "GPT-4o-mini";
	h->model_names[h->nmodel_names++] = "claude";
	if (tweak)
		tweak(&h->opts);
	if (mcp_core_new(&h->core, &h->opts) != 0)
		abort();
	return h;
}

static harness *h_new(void) { return h_new_opts(NULL); }

/* Feed msg with a fresh origin; returns the origin. */
static void *h_recv(harness *h, const char *msg)
{
	void *o = (void *)h->next_origin++;
	mcp_core_recv(h->core, msg, strlen(msg), o);
	return o;
}

static const char *h_last(harness *h)
{
	return h->nout ? h->out[h->nout - 1].msg : "";
}

static void h_init(harness *h, const char *version)
{
	char m[256];
	snprintf(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
		 "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", version);
	h_recv(h, m);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	h_forget(h);
}

static int h_free(harness *h)
{
	int bad = h->bad_output;
	mcp_core_free(h->core);
	h_forget(h);
	free(h);
	return bad;
}

/* ---- JSON probes -------------------------------------------------------------- */

static arena probe_arena;

static int probe(const char *msg, const char *path, json_doc *d)
{
	if (json_parse_arena(d, &probe_arena, msg, strlen(msg), NULL, NULL) <= 0)
		return -1;
	return json_path(d, 0, path);
}

static long long jint(const char *msg, const char *path)
{
	json_doc d;
	int t = probe(msg, path, &d);
	int64_t v;
	if (t < 0 || json_i64(&d, t, &v) != 0)
		return -999999;
	return v;
}

static const char *jstr(const char *msg, const char *path)
{
	static char s[8][4096];
	static int k;
	json_doc d;
	int t = probe(msg, path, &d);
	char *o = s[k++ % 8];
	if (t < 0 || json_str_copy(&d, t, o, 4096) < 0)
		return "(absent)";
	return o;
}

static const char *jraw(const char *msg, const char *path)
{
	static char s[4][4096];
	static int k;
	json_doc d;
	int t = probe(msg, path, &d);
	char *o = s[k++ % 4];
	if (t < 0)
		return "(absent)";
	str r = json_raw(&d, t);
	snprintf(o, 4096, "%.*s", STR_ARG(r));
	return o;
}

static bool jhas(const char *msg, const char *path)
{
	json_doc d;
	return probe(msg, path, &d) >= 0;
}

#define CHECK_ERR(h, code, id_raw, message) do { \
	CHECK_EQ_INT(jint(h_last(h), "error.code"), code); \
	CHECK_EQ_STR(jraw(h_last(h), "id"), id_raw); \
	CHECK_EQ_STR(jstr(h_last(h), "error.message"), message); } while (0)

/* ---- versions, handshake -------------------------------------------------------- */

TEST(versions)
{
	CHECK_EQ_STR(mcp_version_str(MCP_V_2024_11_05), "2024-11-05");
	CHECK_EQ_STR(mcp_version_str(MCP_V_2025_11_25), "2025-11-25");
	CHECK_EQ_STR(mcp_version_str(MCP_V_NONE), "");
	CHECK_EQ_STR(mcp_version_str((mcp_version)99), "");
	CHECK_EQ_INT(mcp_version_parse(STR_LIT("2025-03-26")), MCP_V_2025_03_26);
	CHECK_EQ_INT(mcp_version_parse(STR_LIT("2025-06-18")), MCP_V_2025_06_18);
	CHECK_EQ_INT(mcp_version_parse(STR_LIT("2025-06-1")), MCP_V_NONE);
	CHECK_EQ_INT(mcp_version_parse(STR_LIT("")), MCP_V_NONE);
}

TEST(initialize_exact)
{
	harness *h = h_new();
	void *o = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
			 "\"capabilities\":{},\"clientInfo\":{\"name\":\"c\",\"version\":\"0\"}}}");
	CHECK_EQ_INT(h->nout, 1);
	CHECK_EQ_STR(h_last(h),
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{"
		"\"tools\":{\"listChanged\":false},\"prompts\":{\"listChanged\":false},"
		"\"resources\":{\"subscribe\":false,\"listChanged\":false},\"completions\":{}},"
		"\"serverInfo\":{\"name\":\"liter-llm\",\"version\":\"1.2.3\"},\"instructions\":\"test instructions\"}}");
	CHECK(h->out[0].origin == o);
	CHECK_EQ_INT(h->ndone, 1);
	CHECK(h->done[0] == o);
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_INITIALIZING);
	CHECK_EQ_INT(mcp_core_version(h->core), MCP_V_2025_06_18);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	CHECK_EQ_INT(h->nout, 1);           /* no answer to a notification */
	CHECK_EQ_INT(h->ndone, 2);
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_READY);
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(initialize_each_version)
{
	static const struct { const char *ask, *got; bool completions; } cases[] = {
		{ "2024-11-05", "2024-11-05", false },
		{ "2025-03-26", "2025-03-26", true },
		{ "2025-06-18", "2025-06-18", true },
		{ "2025-11-25", "2025-11-25", true },
		{ "2099-01-01", "2025-11-25", true },   /* unknown: the latest we support */
		{ "2024-10-07", "2025-11-25", true },
		{ "", "2025-11-25", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		harness *h = h_new();
		char m[256];
		snprintf(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":\"init-%zu\",\"method\":\"initialize\","
			 "\"params\":{\"protocolVersion\":\"%s\",\"capabilities\":{}}}", i, cases[i].ask);
		h_recv(h, m);
		CHECK_EQ_INT(h->nout, 1);
		CHECK_EQ_STR(jstr(h_last(h), "result.protocolVersion"), cases[i].got);
		CHECK_EQ_STR(jstr(h_last(h), "result.serverInfo.name"), "liter-llm");
		CHECK_EQ_STR(jstr(h_last(h), "result.serverInfo.version"), "1.2.3");
		CHECK(jhas(h_last(h), "result.capabilities.tools"));
		CHECK_EQ_INT(jhas(h_last(h), "result.capabilities.completions"), cases[i].completions);
		snprintf(m, sizeof m, "\"init-%zu\"", i);
		CHECK_EQ_STR(jraw(h_last(h), "id"), m);
		CHECK_EQ_INT(h_free(h), 0);
	}
}

static void tweak_builtin_instr(mcp_opts *o) { o->instructions = NULL; o->provider_count = 165; }
static void tweak_no_extras(mcp_opts *o) { o->no_extras = true; }

TEST(initialize_builtin_instructions_and_no_extras)
{
	harness *h = h_new_opts(tweak_builtin_instr);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}");
	const char *ins = jstr(h_last(h), "result.instructions");
	CHECK(strstr(ins, "165 providers") != NULL);
	CHECK(strstr(ins, "chat") && strstr(ins, "embed") && strstr(ins, "batch"));
	CHECK(strstr(ins, "liter-llm://models") != NULL);
	CHECK_EQ_INT(h_free(h), 0);

	h = h_new_opts(tweak_no_extras);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}");
	CHECK(!jhas(h_last(h), "result.capabilities.prompts"));
	CHECK(!jhas(h_last(h), "result.capabilities.resources"));
	CHECK(!jhas(h_last(h), "result.capabilities.completions"));
	CHECK(jhas(h_last(h), "result.capabilities.tools"));
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/list\"}");
	CHECK_ERR(h, -32601, "2", "method not found: prompts/list");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(initialize_bad_params)
{
	harness *h = h_new();
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}");
	CHECK_ERR(h, -32602, "1", "invalid params: initialize requires a string protocolVersion");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"initialize\",\"params\":{\"protocolVersion\":20250326}}");
	CHECK_ERR(h, -32602, "2", "invalid params: initialize requires a string protocolVersion");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":[\"2025-03-26\"]}");
	CHECK_ERR(h, -32602, "3", "invalid params: initialize requires a string protocolVersion");
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_NEW);
	/* still initializable afterwards */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.protocolVersion"), "2025-03-26");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- lifecycle ------------------------------------------------------------------ */

TEST(lifecycle_before_initialize)
{
	harness *h = h_new();
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32600,\"message\":\"server not initialized\"}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":{\"name\":\"chat\"}}");
	CHECK_ERR(h, -32600, "\"x\"", "server not initialized");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"no/such\"}");
	CHECK_ERR(h, -32600, "3", "server not initialized");
	int n = h->nout;
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
	CHECK_EQ_INT(h->nout, n);           /* notifications never answered */
	CHECK_EQ_INT(h->ndone, n + 2);      /* but done() for each */
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_NEW);
	/* a batch before initialize: one error */
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]");
	CHECK_ERR(h, -32600, "null", "invalid request: batch before initialize");
	CHECK_EQ_INT(h->ncalls, 0);
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(lifecycle_second_initialize_and_lenient)
{
	harness *h = h_new();
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}");
	/* served before notifications/initialized (lenient) */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
	CHECK(jhas(h_last(h), "result.tools"));
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
	CHECK_ERR(h, -32600, "3", "invalid request: server already initialized");
	CHECK_EQ_INT(mcp_core_version(h->core), MCP_V_2024_11_05);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_READY);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_READY);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}");
	CHECK_ERR(h, -32600, "4", "invalid request: server already initialized");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(notifications_and_client_responses_ignored)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	static const char *const quiet[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"no/such/notification\",\"params\":{}}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":12345}}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{}}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":[1]}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}",             /* a ping notification: no answer */
		"{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"chat\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}",            /* client responses */
		"{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"code\":-1,\"message\":\"x\"}}",
		"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}",
		"{\"id\":5,\"result\":null}",
	};
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		void *o = h_recv(h, quiet[i]);
		CHECK_EQ_INT(h->nout, 0);
		CHECK_EQ_INT(h->ndone, (int)i + 1);
		CHECK(h->done[i] == o);
	}
	CHECK_EQ_INT(h->ncalls, 0);
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- tools/list ---------------------------------------------------------------------- */

static const char *const tool_names[22] = {
	"chat", "embed", "list_models", "generate_image", "speech", "transcribe", "moderate", "rerank",
	"search", "ocr", "create_file", "list_files", "retrieve_file", "delete_file", "file_content",
	"create_batch", "list_batches", "retrieve_batch", "cancel_batch", "create_response",
	"retrieve_response", "cancel_response",
};

/* mcp-tools.md's required lists and annotation sets (R = RO, W, D). */
static const struct { const char *required; char hints; const char *props; } tool_spec[22] = {
	{ "model,messages", 'R', "model,messages,temperature,max_tokens" },
	{ "model,input", 'R', "model,input" },
	{ "", 'R', "" },
	{ "prompt", 'R', "prompt,model,n,size" },
	{ "model,input,voice", 'R', "model,input,voice" },
	{ "model,file_base64", 'R', "model,file_base64" },
	{ "input", 'R', "input,model" },
	{ "model,query,documents", 'R', "model,query,documents" },
	{ "model,query", 'R', "model,query" },
	{ "model", 'R', "model,image_url,image_base64,media_type" },
	{ "file_base64,filename,purpose", 'W', "file_base64,filename,purpose" },
	{ "", 'R', "purpose,limit" },
	{ "file_id", 'R', "file_id" },
	{ "file_id", 'D', "file_id" },
	{ "file_id", 'R', "file_id" },
	{ "input_file_id,endpoint,completion_window", 'W', "input_file_id,endpoint,completion_window" },
	{ "", 'R', "limit,after" },
	{ "batch_id", 'R', "batch_id" },
	{ "batch_id", 'D', "batch_id" },
	{ "model,input", 'W', "model,input" },
	{ "response_id", 'R', "response_id" },
	{ "response_id", 'D', "response_id" },
};

/* Comma-joined string elements of array tok, or keys of object tok. */
static void join(const json_doc *d, int tok, char *out, size_t cap)
{
	out[0] = 0;
	if (tok < 0)
		return;
	json_iter it = json_iter_begin(d, tok);
	int k, v;
	while (json_iter_next(d, &it, &k, &v)) {
		char s[128];
		json_str_copy(d, k >= 0 ? k : v, s, sizeof s);
		if (out[0])
			strncat(out, ",", cap - strlen(out) - 1);
		strncat(out, s, cap - strlen(out) - 1);
	}
}

static void check_tools_list(const char *msg, mcp_version v)
{
	arena a = { 0 };
	json_doc d;
	CHECK(json_parse_arena(&d, &a, msg, strlen(msg), NULL, NULL) > 0);
	int tools = json_path(&d, 0, "result.tools");
	CHECK_EQ_INT(json_size(&d, tools), 22);
	CHECK(json_path(&d, 0, "result.nextCursor") < 0);
	for (size_t i = 0; i < 22; i++) {
		int t = json_at(&d, tools, i);
		char s[512];
		CHECK(json_str_eq(&d, json_get(&d, t, "name"), str_from(tool_names[i])));
		CHECK_EQ_STR(mcp_tool_get((mcp_tool_id)i)->name, tool_names[i]);
		CHECK(json_typeof(&d, json_get(&d, t, "description")) == JSON_STRING);
		CHECK_EQ_INT(json_get(&d, t, "title") >= 0, v >= MCP_V_2025_06_18);
		int sc = json_get(&d, t, "inputSchema");
		CHECK(json_str_eq(&d, json_get(&d, sc, "type"), STR_LIT("object")));
		CHECK(json_str_eq(&d, json_get(&d, sc, "$schema"), STR_LIT("https://json-schema.org/draft/2020-12/schema")));
		join(&d, json_get(&d, sc, "required"), s, sizeof s);
		if (strcmp(s, tool_spec[i].required))
			printf("  tool %s: required %s, expected %s\n", tool_names[i], s, tool_spec[i].required);
		CHECK(!strcmp(s, tool_spec[i].required));
		int props = json_get(&d, sc, "properties");
		CHECK_EQ_INT(json_typeof(&d, props), JSON_OBJECT);
		join(&d, props, s, sizeof s);
		CHECK(!strcmp(s, tool_spec[i].props));
		/* every property has a description; no boolean schemas */
		json_iter it = json_iter_begin(&d, props);
		int k, pv;
		while (json_iter_next(&d, &it, &k, &pv)) {
			CHECK_EQ_INT(json_typeof(&d, pv), JSON_OBJECT);
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, pv, "description")), JSON_STRING);
		}
		int an = json_get(&d, t, "annotations");
		CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "title")), JSON_STRING);
		CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "openWorldHint")), JSON_TRUE);
		switch (tool_spec[i].hints) {
		case 'R':
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "readOnlyHint")), JSON_TRUE);
			CHECK(json_get(&d, an, "destructiveHint") < 0);
			CHECK(json_get(&d, an, "idempotentHint") < 0);
			break;
		case 'W':
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "readOnlyHint")), JSON_FALSE);
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "destructiveHint")), JSON_FALSE);
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "idempotentHint")), JSON_FALSE);
			break;
		case 'D':
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "readOnlyHint")), JSON_FALSE);
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "destructiveHint")), JSON_TRUE);
			CHECK_EQ_INT(json_typeof(&d, json_get(&d, an, "idempotentHint")), JSON_TRUE);
			break;
		}
	}
	arena_free(&a);
}

TEST(tools_list)
{
	for (int v = MCP_V_2024_11_05; v < MCP_V__COUNT; v++) {
		harness *h = h_new();
		h_init(h, mcp_version_str((mcp_version)v));
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
		CHECK_EQ_INT(h->nout, 1);
		check_tools_list(h_last(h), (mcp_version)v);
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
		CHECK(jhas(h_last(h), "result.tools.21"));
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{\"cursor\":null}}");
		CHECK(jhas(h_last(h), "result.tools.21"));
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/list\",\"params\":{\"cursor\":\"abc\"}}");
		CHECK_ERR(h, -32602, "4", "invalid params: invalid cursor");
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":[]}");
		CHECK_ERR(h, -32602, "5", "invalid params: params must be an object");
		CHECK_EQ_INT(h_free(h), 0);
	}
}

TEST(tools_list_schema_exact)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	CHECK_EQ_STR(jraw(h_last(h), "result.tools.0"),
		"{\"name\":\"chat\",\"title\":\"Chat Completion\",\"description\":\"Send a chat completion request to an LLM\","
		"\"inputSchema\":{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"title\":\"ChatParams\","
		"\"description\":\"Arguments of the chat tool.\",\"type\":\"object\",\"properties\":{"
		"\"model\":{\"description\":\"Configured model name, e.g. \\\"gpt-4o\\\".\",\"type\":\"string\"},"
		"\"messages\":{\"description\":\"Array of {role, content} message objects.\"},"
		"\"temperature\":{\"description\":\"Sampling temperature (0.0-2.0).\",\"type\":[\"number\",\"null\"],\"format\":\"double\"},"
		"\"max_tokens\":{\"description\":\"Maximum tokens to generate.\",\"type\":[\"integer\",\"null\"],\"format\":\"uint32\",\"minimum\":0}},"
		"\"required\":[\"model\",\"messages\"]},"
		"\"annotations\":{\"title\":\"Chat Completion\",\"readOnlyHint\":true,\"openWorldHint\":true}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.tools.2.inputSchema.properties"), "{}");
	CHECK(!jhas(h_last(h), "result.tools.2.inputSchema.required"));
	CHECK_EQ_STR(jraw(h_last(h), "result.tools.7.inputSchema.properties.documents"),
		"{\"description\":\"Documents to rerank.\",\"type\":\"array\",\"items\":{\"type\":\"string\"}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.tools.13.annotations"),
		"{\"title\":\"Delete File\",\"readOnlyHint\":false,\"destructiveHint\":true,\"idempotentHint\":true,\"openWorldHint\":true}");
	CHECK_EQ_STR(jraw(h_last(h), "result.tools.10.annotations"),
		"{\"title\":\"Upload File\",\"readOnlyHint\":false,\"destructiveHint\":false,\"idempotentHint\":false,\"openWorldHint\":true}");
	CHECK(!jhas(h_last(h), "result.tools.10.inputSchema.properties.content_base64"));
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(tool_table)
{
	CHECK(mcp_tool_get(MCP_TOOL__COUNT) == NULL);
	CHECK(mcp_tool_find(STR_LIT("chat")) == mcp_tool_get(MCP_TOOL_CHAT));
	CHECK(mcp_tool_find(STR_LIT("cancel_response")) == mcp_tool_get(MCP_TOOL_CANCEL_RESPONSE));
	CHECK(mcp_tool_find(STR_LIT("Chat")) == NULL);
	CHECK(mcp_tool_find(STR_LIT("chat\0x")) == NULL);
	int management = 0;
	for (int i = 0; i < MCP_TOOL__COUNT; i++) {
		CHECK_EQ_INT(mcp_tool_get((mcp_tool_id)i)->id, i);
		management += mcp_tool_get((mcp_tool_id)i)->management;
	}
	CHECK_EQ_INT(management, 12);
	CHECK_EQ_INT(mcp_tool_get(MCP_TOOL_SPEECH)->result, MCP_RESULT_AUDIO);
	CHECK_EQ_INT(mcp_tool_get(MCP_TOOL_FILE_CONTENT)->result, MCP_RESULT_FILE);
	CHECK_EQ_INT(mcp_error_code_for_kind("NotFound"), -32002);
	CHECK_EQ_INT(mcp_error_code_for_kind("BadRequest"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("InvalidHeader"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("Serialization"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("ContextWindowExceeded"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("ContentPolicy"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("Authentication"), -32602);
	CHECK_EQ_INT(mcp_error_code_for_kind("RateLimited"), -32603);
	CHECK_EQ_INT(mcp_error_code_for_kind("BudgetExceeded"), -32603);
	CHECK_EQ_INT(mcp_error_code_for_kind("Timeout"), -32603);
	CHECK_EQ_INT(mcp_error_code_for_kind(NULL), -32603);
}

/* Check args against a tool directly. */
static const char *check_args(mcp_tool_id id, const char *args)
{
	static char msg[512];
	arena a = { 0 };
	json_doc d;
	if (json_parse_arena(&d, &a, args, strlen(args), NULL, NULL) <= 0)
		abort();
	int rc = mcp_tool_check_args(mcp_tool_get(id), &d, 0, msg, sizeof msg);
	arena_free(&a);
	return rc ? msg : "ok";
}

TEST(tool_argument_checks)
{
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[]}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":null,\"temperature\":null,\"max_tokens\":null}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":1,\"temperature\":0.5,\"max_tokens\":4294967295,\"extra\":{}}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"messages\":[]}"), "failed to deserialize parameters: missing field `model`");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\"}"), "failed to deserialize parameters: missing field `messages`");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":null,\"messages\":[]}"),
		"failed to deserialize parameters: field `model`: invalid type: null, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":5,\"messages\":[]}"),
		"failed to deserialize parameters: field `model`: invalid type: integer `5`, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[],\"temperature\":\"hot\"}"),
		"failed to deserialize parameters: field `temperature`: invalid type: string, expected f64");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[],\"max_tokens\":1.5}"),
		"failed to deserialize parameters: field `max_tokens`: invalid type: floating point `1.5`, expected u32");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[],\"max_tokens\":-1}"),
		"failed to deserialize parameters: field `max_tokens`: invalid value: integer `-1`, expected u32");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[],\"max_tokens\":4294967296}"),
		"failed to deserialize parameters: field `max_tokens`: invalid value: integer `4294967296`, expected u32");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":\"m\",\"messages\":[],\"max_tokens\":true}"),
		"failed to deserialize parameters: field `max_tokens`: invalid type: boolean `true`, expected u32");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":[],\"messages\":[]}"),
		"failed to deserialize parameters: field `model`: invalid type: sequence, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_CHAT, "{\"model\":{},\"messages\":[]}"),
		"failed to deserialize parameters: field `model`: invalid type: map, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_RERANK, "{\"model\":\"m\",\"query\":\"q\",\"documents\":[\"a\",\"b\"]}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_RERANK, "{\"model\":\"m\",\"query\":\"q\",\"documents\":[\"a\",1]}"),
		"failed to deserialize parameters: field `documents`: element 1: invalid type: integer `1`, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_RERANK, "{\"model\":\"m\",\"query\":\"q\",\"documents\":\"a\"}"),
		"failed to deserialize parameters: field `documents`: invalid type: string, expected a sequence");
	CHECK_EQ_STR(check_args(MCP_TOOL_LIST_MODELS, "{}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_LIST_MODELS, "{\"anything\":1}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_LIST_FILES, "{\"limit\":0}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_LIST_FILES, "{\"limit\":1e3}"),
		"failed to deserialize parameters: field `limit`: invalid type: floating point `1e3`, expected u32");
	/* create_file: file_base64, or its alias content_base64 (the product page's name) */
	CHECK_EQ_STR(check_args(MCP_TOOL_CREATE_FILE, "{\"file_base64\":\"QQ==\",\"filename\":\"f\",\"purpose\":\"batch\"}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CREATE_FILE, "{\"content_base64\":\"QQ==\",\"filename\":\"f\",\"purpose\":\"batch\"}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CREATE_FILE, "{\"file_base64\":null,\"content_base64\":\"QQ==\",\"filename\":\"f\",\"purpose\":\"batch\"}"), "ok");
	CHECK_EQ_STR(check_args(MCP_TOOL_CREATE_FILE, "{\"filename\":\"f\",\"purpose\":\"batch\"}"),
		"failed to deserialize parameters: missing field `file_base64`");
	CHECK_EQ_STR(check_args(MCP_TOOL_CREATE_FILE, "{\"content_base64\":7,\"filename\":\"f\",\"purpose\":\"batch\"}"),
		"failed to deserialize parameters: field `file_base64`: invalid type: integer `7`, expected a string");
	CHECK_EQ_STR(check_args(MCP_TOOL_SPEECH, "{\"model\":\"m\",\"input\":\"i\"}"),
		"failed to deserialize parameters: missing field `voice`");

	/* mcp_tool_arg resolves the alias */
	arena a = { 0 };
	json_doc d;
	const char *js = "{\"content_base64\":\"QQ==\",\"model\":null}";
	json_parse_arena(&d, &a, js, strlen(js), NULL, NULL);
	const mcp_tool *cf = mcp_tool_get(MCP_TOOL_CREATE_FILE);
	int t = mcp_tool_arg(cf, &d, 0, "file_base64");
	CHECK(t > 0 && json_str_eq(&d, t, STR_LIT("QQ==")));
	CHECK_EQ_INT(mcp_tool_arg(cf, &d, 0, "model"), ERR_NOTFOUND);
	CHECK_EQ_INT(mcp_tool_arg(cf, &d, 0, "filename"), ERR_NOTFOUND);
	arena_free(&a);
}

/* ---- tools/call ------------------------------------------------------------------------ */

TEST(tools_call_json_result_per_version)
{
	harness *h = h_new();
	h_init(h, "2025-03-26");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
		  "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}}");
	CHECK_EQ_INT(h->nout, 1);
	CHECK_EQ_STR(h_last(h),
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
		"\"{\\n  \\\"model\\\": \\\"echo\\\",\\n  \\\"messages\\\": [\\n    {\\n      \\\"role\\\": \\\"user\\\",\\n"
		"      \\\"content\\\": \\\"hi\\\"\\n    }\\n  ]\\n}\"}],\"isError\":false}}");
	CHECK_EQ_INT(h->ndone, 1);
	CHECK_EQ_INT(h_free(h), 0);

	h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"c1\",\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
		  "{\"model\":\"echo\",  \"messages\" : [ ] , \"k\\u0065y\":\"\\u00e9\\\"\"}}}");
	CHECK_EQ_STR(h_last(h),
		"{\"jsonrpc\":\"2.0\",\"id\":\"c1\",\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
		"\"{\\n  \\\"model\\\": \\\"echo\\\",\\n  \\\"messages\\\": [],\\n  \\\"key\\\": \\\"\xc3\xa9\\\\\\\"\\\"\\n}\"}],"
		"\"structuredContent\":{\"model\":\"echo\",\"messages\":[],\"key\":\"\xc3\xa9\\\"\"},\"isError\":false}}");
	/* an array result: no structuredContent */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
		  "{\"model\":\"array\",\"messages\":[]}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
		     "\"[\\n  1,\\n  2\\n]\"}],\"isError\":false}}");
	/* not JSON: the text as it is */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
		  "{\"model\":\"text\",\"messages\":[]}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
		     "\"plain\\ntext\"}],\"isError\":false}}");
	/* list_models with no arguments at all, and with null arguments */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"list_models\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.content.0.text"), "{\n  \"ok\": true\n}");
	CHECK_EQ_STR(jraw(h_last(h), "result.structuredContent"), "{\"ok\":true}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"list_models\",\"arguments\":null}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.isError"), "false");
	CHECK_EQ_INT(h->ncalls, 5);
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(tools_call_bytes_results)
{
	harness *h = h_new();
	h_init(h, "2025-11-25");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"speech\",\"arguments\":"
		  "{\"model\":\"tts-1\",\"input\":\"hello\",\"voice\":\"alloy\"}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"
		     "\"Audio generated (5 bytes). Base64: aGVsbG8=\"}],\"isError\":false}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"file_content\",\"arguments\":"
		  "{\"file_id\":\"file-1\"}}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.content.0.text"), "File content (5 bytes). Base64: aGVsbG8=");
	CHECK(!jhas(h_last(h), "result.structuredContent"));
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(tools_call_errors)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\",\"arguments\":{}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"tool not found\"}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"messages\":[]}}}");
	CHECK_ERR(h, -32602, "2", "failed to deserialize parameters: missing field `model`");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":1,\"messages\":[]}}}");
	CHECK_ERR(h, -32602, "3", "failed to deserialize parameters: field `model`: invalid type: integer `1`, expected a string");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":[1]}}");
	CHECK_ERR(h, -32602, "4", "failed to deserialize parameters: invalid type: array, expected a map");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}}");
	CHECK_ERR(h, -32602, "5", "invalid params: tools/call requires a string name");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":7}}");
	CHECK_ERR(h, -32602, "6", "invalid params: tools/call requires a string name");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\"}");
	CHECK_ERR(h, -32602, "7", "invalid params: tools/call requires params");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\",\"params\":[\"chat\"]}");
	CHECK_ERR(h, -32602, "8", "invalid params: params must be an object");
	CHECK_EQ_INT(h->ncalls, 0);
	/* gateway failures are JSON-RPC errors carrying the gateway text */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"foo\",\"messages\":[]}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32603,\"message\":\"model 'foo' not found\"}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{\"name\":\"embed\",\"arguments\":{\"model\":\"gone\",\"input\":\"x\"}}}");
	CHECK_ERR(h, -32002, "10", "not found: no such file");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"bad\",\"messages\":3}}}");
	CHECK_ERR(h, -32602, "11", "bad request: messages must be an array");
	CHECK_EQ_INT(h->ncalls, 3);
	CHECK_EQ_INT(h->ndone, 11);
	CHECK_EQ_INT(h_free(h), 0);
}

static mcp_call *take_later(harness *h, int i)
{
	mcp_call *c = h->later[i];
	h->later[i] = NULL;
	return c;
}

TEST(tools_call_async)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	void *o1 = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	void *o2 = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"tools/call\",\"params\":{\"name\":\"embed\",\"arguments\":{\"model\":\"later\",\"input\":\"x\"}}}");
	CHECK_EQ_INT(h->nout, 0);
	CHECK_EQ_INT(h->ndone, 0);
	CHECK_EQ_INT(mcp_core_inflight(h->core), 2);
	/* a slow call does not block ping */
	void *o3 = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}");
	CHECK_EQ_INT(h->ndone, 1);
	CHECK(h->done[0] == o3);
	mcp_call *c2 = take_later(h, 1), *c1 = take_later(h, 0);
	CHECK(mcp_call_origin(c1) == o1);
	CHECK(mcp_call_origin(c2) == o2);
	CHECK_EQ_INT(mcp_call_tool(c2)->id, MCP_TOOL_EMBED);
	CHECK_EQ_INT(mcp_call_version(c2), MCP_V_2025_06_18);
	CHECK(str_eq_cstr(mcp_call_id(c2), "\"two\""));
	CHECK(!mcp_call_wants_progress(c2));
	mcp_call_set_handle(c2, h);
	CHECK(mcp_call_handle(c2) == h);
	/* complete in reverse order */
	mcp_call_result_json(c2, "{\"data\":[]}", 11);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "\"two\"");
	CHECK(h->out[h->nout - 1].origin == o2);
	CHECK(h->done[h->ndone - 1] == o2);
	mcp_call_error(c1, MCP_ERR_INTERNAL, "timeout: request exceeded 600s");
	CHECK_ERR(h, -32603, "1", "timeout: request exceeded 600s");
	CHECK(h->done[h->ndone - 1] == o1);
	CHECK_EQ_INT(h->ndone, 3);
	CHECK_EQ_INT(mcp_core_inflight(h->core), 0);
	CHECK_EQ_INT(h_free(h), 0);
}

static void tweak_inflight(mcp_opts *o) { o->max_inflight = 2; }

TEST(tools_call_inflight_cap)
{
	harness *h = h_new_opts(tweak_inflight);
	h_init(h, "2025-06-18");
#define LATER_CALL "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}"
	char b[256];
	for (int i = 1; i <= 3; i++) {
		snprintf(b, sizeof b, LATER_CALL, i);
		h_recv(h, b);
	}
	CHECK_EQ_INT(h->nout, 1);
	CHECK_ERR(h, -32603, "3", "too many tool calls in flight (limit 2)");
	mcp_call_result_json(take_later(h, 0), "{}", 2);
	snprintf(b, sizeof b, LATER_CALL, 4);
	h_recv(h, b);
	CHECK_EQ_INT(h->nout, 2);           /* accepted again */
	CHECK_EQ_INT(mcp_core_inflight(h->core), 2);
	mcp_core_free(h->core);              /* free cancels the two in flight */
	h->core = NULL;
	CHECK_EQ_INT(h->ncancelled, 2);
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- cancellation ----------------------------------------------------------------------- */

TEST(cancellation)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	void *o1 = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"a\\u0062\",\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	CHECK_EQ_INT(mcp_core_inflight(h->core), 3);
	/* integer 7, not the string "7" */
	void *oc = h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7,\"reason\":\"user\"}}");
	CHECK_EQ_INT(h->ncancelled, 1);
	CHECK(h->later[0] == NULL && h->later[1] != NULL);
	CHECK_EQ_INT(mcp_core_inflight(h->core), 2);
	CHECK_EQ_INT(h->nout, 0);           /* no response for the cancelled request */
	CHECK_EQ_INT(h->ndone, 2);          /* its origin is done, and the notification's */
	CHECK(h->done[0] == o1 && h->done[1] == oc);
	/* string ids match after unescaping */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"ab\"}}");
	CHECK_EQ_INT(h->ncancelled, 2);
	CHECK(h->later[2] == NULL);
	/* unknown and already finished ids are ignored */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"zz\"}}");
	CHECK_EQ_INT(h->ncancelled, 2);
	mcp_call_result_json(take_later(h, 1), "{}", 2);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "\"7\"");
	CHECK_EQ_INT(h->nout, 1);
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(cancel_origin)
{
	harness *h = h_new();
	h_init(h, "2025-03-26");
	void *a = h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
			    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
			    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]");
	void *b = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	CHECK_EQ_INT(h->nout, 0);
	mcp_core_cancel_origin(h->core, a);
	CHECK_EQ_INT(h->ncancelled, 2);
	CHECK_EQ_INT(h->nout, 0);           /* the batch (with its ping answer) is dropped */
	CHECK_EQ_INT(h->ndone, 1);
	CHECK(h->done[0] == a);
	mcp_core_cancel_origin(h->core, a); /* nothing left */
	CHECK_EQ_INT(h->ndone, 1);
	mcp_call_result_json(take_later(h, 2), "{}", 2);
	CHECK(h->out[0].origin == b);
	CHECK(h->done[1] == b);
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(free_with_calls_in_flight)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}}");
	mcp_core_free(h->core);
	h->core = NULL;
	CHECK_EQ_INT(h->ncancelled, 2);
	CHECK_EQ_INT(h->nout, 0);
	CHECK_EQ_INT(h->ndone, 0);
	CHECK_EQ_INT(h_free(h), 0);
	mcp_core_free(NULL);
}

/* ---- progress ----------------------------------------------------------------------- */

TEST(progress)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	void *o = h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]},"
			    "\"_meta\":{\"progressToken\":\"tok-1\"}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]},"
		  "\"_meta\":{\"progressToken\":42}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]},"
		  "\"_meta\":{\"progressToken\":1.5}}}");
	mcp_call *c1 = h->later[0], *c2 = h->later[1], *c3 = h->later[2];
	CHECK(mcp_call_wants_progress(c1) && mcp_call_wants_progress(c2) && !mcp_call_wants_progress(c3));
	CHECK_EQ_INT(mcp_call_progress(c1, 0.5, 1, "half way"), 0);
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":"
		     "{\"progressToken\":\"tok-1\",\"progress\":0.5,\"total\":1,\"message\":\"half way\"}}");
	CHECK(h->out[h->nout - 1].origin == o);
	CHECK_EQ_INT(mcp_call_progress(c1, 0.5, 1, NULL), ERR_RANGE);   /* must increase */
	CHECK_EQ_INT(mcp_call_progress(c1, 0.25, 1, NULL), ERR_RANGE);
	CHECK_EQ_INT(mcp_call_progress(c1, 1.0 / 0.0, -1, NULL), ERR_RANGE);
	CHECK_EQ_INT(mcp_call_progress(c1, 3, -1, NULL), 0);
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":"
		     "{\"progressToken\":\"tok-1\",\"progress\":3}}");
	CHECK_EQ_INT(mcp_call_progress(c2, 10, 100, NULL), 0);
	CHECK_EQ_STR(jraw(h_last(h), "params.progressToken"), "42");
	CHECK_EQ_INT(mcp_call_progress(c3, 1, 2, NULL), ERR_NOTFOUND);
	int n = h->nout;
	mcp_call_result_json(c1, "{}", 2);
	CHECK_EQ_INT(h->nout, n + 1);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "1");
	mcp_call_result_json(c2, "{}", 2);
	mcp_call_result_json(c3, "{}", 2);
	CHECK_EQ_INT(h_free(h), 0);

	/* 2024-11-05 has no progress message */
	h = h_new();
	h_init(h, "2024-11-05");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]},"
		  "\"_meta\":{\"progressToken\":\"t\"}}}");
	CHECK_EQ_INT(mcp_call_progress(h->later[0], 1, 4, "ignored"), 0);
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":"
		     "{\"progressToken\":\"t\",\"progress\":1,\"total\":4}}");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- batches ------------------------------------------------------------------------- */

TEST(batches_2025_03_26)
{
	harness *h = h_new();
	h_init(h, "2025-03-26");
	void *o = h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
			    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"},"
			    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},"
			    "1,"
			    "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}]");
	CHECK_EQ_INT(h->nout, 1);
	CHECK_EQ_STR(h_last(h), "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}},"
		     "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32601,\"message\":\"method not found: nope\"}},"
		     "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"invalid request: expected a JSON-RPC message object\"}}]");
	CHECK(h->out[0].origin == o);
	CHECK_EQ_INT(h->ndone, 1);
	/* a batch of notifications only: nothing is sent */
	h_forget(h);
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"method\":\"a\"},{\"jsonrpc\":\"2.0\",\"method\":\"b\"}]");
	CHECK_EQ_INT(h->nout, 0);
	CHECK_EQ_INT(h->ndone, 1);
	/* empty batch: one error object, not an array */
	h_recv(h, "[]");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"invalid request: empty batch\"}}");
	/* initialize inside a batch */
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\"}}]");
	CHECK_EQ_STR(h_last(h), "[{\"jsonrpc\":\"2.0\",\"id\":9,\"error\":{\"code\":-32600,\"message\":\"invalid request: initialize must not be part of a batch\"}}]");
	/* async calls: the array goes out when the last one completes */
	h_forget(h);
	void *ob = h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
			     "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"echo\",\"messages\":[]}}},"
			     "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
			     "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}]");
	CHECK_EQ_INT(h->nout, 0);
	CHECK_EQ_INT(h->ndone, 0);
	CHECK_EQ_INT(h->ncancelled, 1);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}");   /* not blocked */
	CHECK_EQ_INT(h->nout, 1);
	mcp_call_result_json(take_later(h, 0), "{\"a\":1}", 7);
	CHECK_EQ_INT(h->nout, 2);
	CHECK(h->out[1].origin == ob);
	CHECK(h->done[h->ndone - 1] == ob);
	const char *arr = h_last(h);
	CHECK(arr[0] == '[');
	CHECK_EQ_STR(jraw(arr, "0.id"), "2");  /* the synchronous one came first */
	CHECK_EQ_STR(jraw(arr, "1.id"), "1");
	CHECK(!jhas(arr, "2"));                /* the cancelled one is absent */
	CHECK(!jhas(arr, "0.result.structuredContent"));  /* 2025-03-26 */
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(batches_refused_other_versions)
{
	static const char *const vs[] = { "2024-11-05", "2025-06-18", "2025-11-25" };
	for (size_t i = 0; i < 3; i++) {
		harness *h = h_new();
		h_init(h, vs[i]);
		h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]");
		CHECK_EQ_INT(h->nout, 1);
		char m[128];
		snprintf(m, sizeof m, "invalid request: JSON-RPC batches are not supported in protocol version %s", vs[i]);
		CHECK_ERR(h, -32600, "null", m);
		CHECK(h_last(h)[0] == '{');
		h_recv(h, "[]");
		CHECK_ERR(h, -32600, "null", "invalid request: empty batch");
		CHECK_EQ_INT(h_free(h), 0);
	}
}

/* ---- stateless mode --------------------------------------------------------------------- */

static void tweak_stateless(mcp_opts *o) { o->stateless = true; }
static void tweak_stateless_0618(mcp_opts *o) { o->stateless = true; o->stateless_version = MCP_V_2025_06_18; }

TEST(stateless_mode)
{
	harness *h = h_new_opts(tweak_stateless);
	CHECK_EQ_INT(mcp_core_version(h->core), MCP_V_2025_03_26);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
	CHECK(jhas(h_last(h), "result.tools.21"));
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"echo\",\"messages\":[]}}}");
	CHECK(!jhas(h_last(h), "result.structuredContent"));
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]");
	CHECK_EQ_STR(h_last(h), "[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.protocolVersion"), "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2024-11-05\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.protocolVersion"), "2024-11-05");
	CHECK_EQ_INT(mcp_core_state(h->core), MCP_STATE_NEW);
	CHECK_EQ_INT(h_free(h), 0);

	h = h_new_opts(tweak_stateless_0618);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"echo\",\"messages\":[]}}}");
	CHECK(jhas(h_last(h), "result.structuredContent"));
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]");
	CHECK_ERR(h, -32600, "null", "invalid request: JSON-RPC batches are not supported in protocol version 2025-06-18");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- JSON-RPC error paths ------------------------------------------------------------- */

TEST(jsonrpc_errors)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error: unexpected end of input, expected ',' or '}' at offset 39\"}}");
	h_recv(h, "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "1", "invalid request: \"jsonrpc\" must be \"2.0\"");
	h_recv(h, "{\"id\":\"q\",\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "\"q\"", "invalid request: \"jsonrpc\" must be \"2.0\"");
	h_recv(h, "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "1", "invalid request: \"jsonrpc\" must be \"2.0\"");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"id\" must be a string or an integer");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"id\" must be a string or an integer");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"id\" must be a string or an integer");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"id\" must be a string or an integer");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"id\" must be a string or an integer");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}");
	CHECK_ERR(h, -32600, "1", "invalid request: \"method\" must be a string");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":null}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"method\" must be a string");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1}");
	CHECK_ERR(h, -32600, "1", "invalid request: missing \"method\"");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}");
	CHECK_ERR(h, -32600, "1", "invalid request: \"params\" must be an object or an array");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":5}");
	CHECK_ERR(h, -32600, "null", "invalid request: \"params\" must be an object or an array");
	h_recv(h, "5");
	CHECK_ERR(h, -32600, "null", "invalid request: expected a JSON-RPC message object");
	h_recv(h, "\"ping\"");
	CHECK_ERR(h, -32600, "null", "invalid request: expected a JSON-RPC message object");
	h_recv(h, "null");
	CHECK_ERR(h, -32600, "null", "invalid request: expected a JSON-RPC message object");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":-12345678901234567890,\"method\":\"foo/bar\"}");
	CHECK_ERR(h, -32601, "-12345678901234567890", "method not found: foo/bar");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"\",\"method\":\"\"}");
	CHECK_ERR(h, -32601, "\"\"", "method not found: ");
	h_recv(h, "");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	h_recv(h, "   ");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	/* ping with params of any kind */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
	/* duplicate keys: the last wins */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\",\"method\":\"ping\",\"id\":2}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}");
	/* escaped method names are unescaped */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\\u0069ng\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(invalid_utf8)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffing\"}");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	CHECK(strstr(jstr(h_last(h), "error.message"), "invalid UTF-8") != NULL);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "null");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"\xc0\xaf\",\"method\":\"ping\"}");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\\ud800\"}}");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xed\xa0\x80\"}}");
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	/* NUL inside the message */
	mcp_core_recv(h->core, "{\"jsonrpc\":\"2.0\",\"id\":1,\0\"method\":\"ping\"}", 40, NULL);
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32700);
	CHECK_EQ_INT(h_free(h), 0);
}

static void tweak_small(mcp_opts *o) { o->max_message_bytes = 100; }

TEST(size_cap)
{
	harness *h = h_new_opts(tweak_small);
	h_init(h, "2025-06-18");
	char big[400];
	snprintf(big, sizeof big, "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
		 "{\"model\":\"echo\",\"messages\":\"%0200d\"}}}", 0);
	h_recv(h, big);
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32600);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "42");
	char want[128];
	snprintf(want, sizeof want, "invalid request: message too large (%zu bytes; limit 100)", strlen(big));
	CHECK_EQ_STR(jstr(h_last(h), "error.message"), want);
	CHECK_EQ_INT(h->ncalls, 0);
	/* exactly at the cap is fine */
	char at[101];
	memset(at, ' ', 100);
	at[100] = 0;
	const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
	memcpy(at, ping, strlen(ping));
	h_recv(h, at);
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
	/* the transport's oversize path, id read from the head */
	void *o = (void *)99;
	int nd = h->ndone;
	mcp_core_recv_oversize(h->core, "{\"id\":\"big-1\",\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"x\":\"aaaa", 64,
			       (size_t)20 << 20, o);
	CHECK_ERR(h, -32600, "\"big-1\"", "invalid request: message too large (20971520 bytes; limit 100)");
	CHECK(h->out[h->nout - 1].origin == o);
	CHECK_EQ_INT(h->ndone, nd + 1);
	/* id sniffing is conservative */
	static const struct { const char *head; const char *id; } sn[] = {
		{ "{\"jsonrpc\":\"2.0\",\"params\":{\"id\":5},\"id\":6,", "6" },
		{ "{\"params\":{\"id\":5}", "null" },
		{ "{\"id\":\"a\\\"b\",", "null" },
		{ "{\"id\":12", "null" },                 /* cut off */
		{ "{\"id\":012,", "null" },
		{ "{\"id\":1.5,", "null" },
		{ "{\"id\":-7 ,", "-7" },
		{ "{\"i\\u0064\":3,", "null" },
		{ "[{\"id\":3,", "null" },
		{ "  {  \"id\"  :  \"x y\"  ,", "\"x y\"" },
		{ "{\"a\":\"id\",\"id\":8}", "8" },
		{ "{\"a\":[\"}\",{\"id\":1}],\"id\":9}", "9" },
		{ "", "null" },
	};
	for (size_t i = 0; i < sizeof sn / sizeof sn[0]; i++) {
		mcp_core_recv_oversize(h->core, sn[i].head, strlen(sn[i].head), 1000, NULL);
		if (strcmp(jraw(h_last(h), "id"), sn[i].id))
			printf("  sniff case %zu: %s\n", i, jraw(h_last(h), "id"));
		CHECK_EQ_STR(jraw(h_last(h), "id"), sn[i].id);
	}
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(depth_and_huge)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	/* nesting over the reader's cap (128): -32600 with the id sniffed */
	size_t n = 0;
	static char deep[4096];
	n += (size_t)sprintf(deep, "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"ping\",\"params\":{\"a\":");
	for (int i = 0; i < 300; i++)
		deep[n++] = '[';
	for (int i = 0; i < 300; i++)
		deep[n++] = ']';
	memcpy(deep + n, "}}", 3);
	h_recv(h, deep);
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32600);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "77");
	CHECK(strstr(jstr(h_last(h), "error.message"), "nesting deeper than 128") != NULL);
	/* a 4 MiB argument is processed */
	size_t big = (size_t)4 << 20;
	char *m = malloc(big + 200);
	n = (size_t)sprintf(m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"x\",\"messages\":\"");
	memset(m + n, 'a', big);
	n += big;
	n += (size_t)sprintf(m + n, "\"}}}");
	mcp_core_recv(h->core, m, n, NULL);
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"{\\n  \\\"ok\\\": true\\n}\"}],"
		     "\"structuredContent\":{\"ok\":true},\"isError\":false}}");
	/* many tokens: over the token cap */
	n = (size_t)sprintf(m, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"a\":[");
	for (int i = 0; i < (1 << 20) + 10; i++) {
		m[n++] = '0';
		m[n++] = ',';
	}
	n += (size_t)sprintf(m + n, "0]}}");
	mcp_core_recv(h->core, m, n, NULL);
	CHECK_EQ_INT(jint(h_last(h), "error.code"), -32600);
	CHECK_EQ_STR(jraw(h_last(h), "id"), "2");
	free(m);
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}");
	CHECK_EQ_INT(h_free(h), 0);
}

static void tweak_tiny_output(mcp_opts *o) { o->max_output_bytes = 4096; }

TEST(output_cap)
{
	harness *h = h_new_opts(tweak_tiny_output);
	h_init(h, "2025-06-18");
	char m[8192];
	int n = snprintf(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":"
			 "{\"model\":\"echo\",\"messages\":\"%05000d\"}}}", 0);
	CHECK(n < (int)sizeof m);
	h_recv(h, m);
	CHECK_ERR(h, -32603, "1", "response too large (limit 4096 bytes)");
	/* and tools/list does not fit either */
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
	CHECK_ERR(h, -32603, "2", "response too large (limit 4096 bytes)");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- extras --------------------------------------------------------------------------- */

TEST(extras_prompts)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}");
	CHECK_EQ_STR(jstr(h_last(h), "result.prompts.0.name"), "summarize");
	CHECK_EQ_STR(jstr(h_last(h), "result.prompts.1.name"), "translate");
	CHECK_EQ_STR(jstr(h_last(h), "result.prompts.2.name"), "extract");
	CHECK_EQ_STR(jraw(h_last(h), "result.prompts.1.arguments.1"),
		"{\"name\":\"target_language\",\"description\":\"The language to translate into, e.g. \\\"French\\\".\",\"required\":true}");
	CHECK_EQ_STR(jraw(h_last(h), "result.prompts.0.arguments.1.required"), "false");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":\"translate\",\"arguments\":"
		  "{\"text\":\"Hallo\\nWelt\",\"target_language\":\"English\"}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"description\":\"Translate text into a target language\","
		     "\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":"
		     "\"Translate the following text into English. Reply with the translation only:\\n\\nHallo\\nWelt\"}}]}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/get\",\"params\":{\"name\":\"summarize\",\"arguments\":{\"text\":\"T\",\"model\":\"m\"}}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.messages.0.content.text"),
		     "Summarise the following text concisely, keeping its key points:\n\nT");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"prompts/get\",\"params\":{\"name\":\"extract\",\"arguments\":{\"text\":\"T\",\"instructions\":\"I\"}}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.messages.0.content.text"),
		     "Extract information from the text below following these instructions: I\n\nText:\nT");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"prompts/get\",\"params\":{\"name\":\"extract\",\"arguments\":{\"text\":\"T\"}}}");
	CHECK_ERR(h, -32602, "5", "failed to deserialize parameters: missing field `instructions`");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"prompts/get\",\"params\":{\"name\":\"summarize\",\"arguments\":{\"text\":1}}}");
	CHECK_ERR(h, -32602, "6", "failed to deserialize parameters: field `text`: invalid type: number, expected a string");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"prompts/get\",\"params\":{\"name\":\"poem\"}}");
	CHECK_ERR(h, -32602, "7", "prompt not found");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"prompts/get\"}");
	CHECK_ERR(h, -32602, "8", "invalid params: prompts/get requires a string name");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"prompts/get\",\"params\":{\"name\":\"summarize\",\"arguments\":[]}}");
	CHECK_ERR(h, -32602, "9", "failed to deserialize parameters: invalid type: array, expected a map");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(extras_resources)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/list\"}");
	CHECK_EQ_STR(jraw(h_last(h), "result.resources.0"),
		"{\"uri\":\"liter-llm://models\",\"name\":\"Configured Models\",\"description\":\"Model names configured in this gateway\","
		"\"mimeType\":\"application/json\"}");
	CHECK_EQ_STR(jstr(h_last(h), "result.resources.1.uri"), "liter-llm://providers");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/templates/list\"}");
	CHECK_EQ_STR(jstr(h_last(h), "result.resourceTemplates.0.uriTemplate"), "liter-llm://pricing/{model}");
	CHECK_EQ_STR(jstr(h_last(h), "result.resourceTemplates.1.uriTemplate"), "liter-llm://provider/{name}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://models\"}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"contents\":[{\"uri\":\"liter-llm://models\","
		     "\"mimeType\":\"application/json\",\"text\":\"[\\n  \\\"gpt-4o\\\",\\n  \\\"GPT-4o-mini\\\",\\n  \\\"claude\\\"\\n]\"}]}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://providers\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.text"), "[\n  {\n    \"name\": \"openai\"\n  }\n]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://pricing/gpt-4o\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.text"), "{\n  \"model\": \"gpt-4o\",\n  \"input_cost_per_token\": 2.5e-06\n}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.uri"), "liter-llm://pricing/gpt-4o");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://pricing/nope\"}}");
	CHECK_ERR(h, -32602, "6", "no pricing for model 'nope'");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://provider/openai\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.text"), "{\n  \"name\": \"openai\"\n}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://provider/x\"}}");
	CHECK_ERR(h, -32602, "8", "unknown provider 'x'");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///etc/passwd\"}}");
	CHECK_ERR(h, -32602, "9", "unknown resource uri: file:///etc/passwd");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://pricing/\"}}");
	CHECK_ERR(h, -32602, "10", "unknown resource uri: liter-llm://pricing/");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"resources/read\",\"params\":{}}");
	CHECK_ERR(h, -32602, "11", "invalid params: resources/read requires a string uri");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"liter-llm://models\"}}");
	CHECK_ERR(h, -32601, "12", "method not found: resources/subscribe");
	CHECK_EQ_INT(h_free(h), 0);
}

static void tweak_no_catalog(mcp_opts *o) { o->catalog = (mcp_catalog){ 0 }; }

TEST(extras_resources_without_catalog)
{
	harness *h = h_new_opts(tweak_no_catalog);
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://models\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.text"), "[]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://providers\"}}");
	CHECK_EQ_STR(jstr(h_last(h), "result.contents.0.text"), "[]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{\"uri\":\"liter-llm://pricing/a\"}}");
	CHECK_ERR(h, -32602, "3", "no pricing for model 'a'");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"summarize\"},"
		  "\"argument\":{\"name\":\"model\",\"value\":\"\"}}}");
	CHECK_EQ_STR(jraw(h_last(h), "result"), "{\"completion\":{\"values\":[],\"total\":0,\"hasMore\":false}}");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(extras_completion)
{
	harness *h = h_new();
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"summarize\"},"
		  "\"argument\":{\"name\":\"model\",\"value\":\"gpt\"}}}");
	CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"completion\":{\"values\":[\"gpt-4o\",\"GPT-4o-mini\"],"
		     "\"total\":2,\"hasMore\":false}}}");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/resource\",\"uri\":\"liter-llm://provider/{name}\"},"
		  "\"argument\":{\"name\":\"name\",\"value\":\"OPEN\"}}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.completion.values"), "[\"openai\",\"OpenRouter\"]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"x\"},"
		  "\"argument\":{\"name\":\"provider\",\"value\":\"\\u0061n\"}}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.completion.values"), "[\"anthropic\"]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"x\"},"
		  "\"argument\":{\"name\":\"text\",\"value\":\"\"}}}");
	CHECK_EQ_STR(jraw(h_last(h), "result.completion.values"), "[]");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"completion/complete\",\"params\":{\"argument\":{\"name\":\"model\"}}}");
	CHECK_ERR(h, -32602, "5", "invalid params: completion/complete requires argument {name, value} strings");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"completion/complete\",\"params\":{\"ref\":1,\"argument\":{\"name\":\"model\",\"value\":\"\"}}}");
	CHECK_ERR(h, -32602, "6", "invalid params: ref must be an object");
	/* at most 100 values */
	static char names[150][16];
	h->nmodel_names = 150;
	for (int i = 0; i < 150; i++) {
		snprintf(names[i], sizeof names[i], "m%03d", i);
		h->model_names[i] = names[i];
	}
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"completion/complete\",\"params\":{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"x\"},"
		  "\"argument\":{\"name\":\"model\",\"value\":\"M\"}}}");
	CHECK(jhas(h_last(h), "result.completion.values.99"));
	CHECK(!jhas(h_last(h), "result.completion.values.100"));
	CHECK_EQ_INT(jint(h_last(h), "result.completion.total"), 150);
	CHECK_EQ_STR(jraw(h_last(h), "result.completion.hasMore"), "true");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- classification ---------------------------------------------------------------------- */

TEST(classify)
{
	mcp_msg_info i;
	const char *m = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}";
	mcp_classify(m, strlen(m), 0, &i);
	CHECK(i.valid_json && !i.batch && i.initialize);
	CHECK_EQ_INT(i.requests, 1);
	CHECK_EQ_INT(i.requested, MCP_V_2025_06_18);
	m = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
	mcp_classify(m, strlen(m), 0, &i);
	CHECK(i.valid_json && !i.initialize && i.notifications == 1 && i.requests == 0);
	m = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}},{\"jsonrpc\":\"2.0\",\"method\":\"x\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"},3]";
	mcp_classify(m, strlen(m), 0, &i);
	CHECK(i.valid_json && i.batch && i.responses == 1 && i.notifications == 1 && i.requests == 1);
	mcp_classify("{", 1, 0, &i);
	CHECK(!i.valid_json);
	mcp_classify(m, strlen(m), 10, &i);
	CHECK(!i.valid_json);
	m = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"1999\"}}";
	mcp_classify(m, strlen(m), 0, &i);
	CHECK(i.initialize && i.requested == MCP_V_NONE);
	/* malformed elements are "invalid" (the core answers them), as the core decides */
	static const char *const inval[] = {
		"5", "{}", "{\"jsonrpc\":\"1.0\",\"method\":\"x\"}", "{\"jsonrpc\":\"2.0\",\"method\":1}",
		"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":2}", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}",
		"{\"jsonrpc\":\"2.0\",\"id\":1}",
	};
	for (size_t k = 0; k < sizeof inval / sizeof inval[0]; k++) {
		mcp_classify(inval[k], strlen(inval[k]), 0, &i);
		CHECK(i.valid_json && i.invalid == 1 && !i.requests && !i.notifications && !i.responses);
	}
	m = "{\"id\":1,\"error\":{}}";   /* a response, even without "jsonrpc" (ignored by the core) */
	mcp_classify(m, strlen(m), 0, &i);
	CHECK(i.responses == 1 && !i.invalid);
}

static void tweak_batch_small_output(mcp_opts *o) { o->max_output_bytes = 4096; }

TEST(batch_output_cap)
{
	harness *h = h_new_opts(tweak_batch_small_output);
	h_init(h, "2025-03-26");
	h_recv(h, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
		  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"later\",\"messages\":[]}}},"
		  "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}]");
	char big[3000];
	snprintf(big, sizeof big, "\"%02990d\"", 0);
	mcp_call_result_json(take_later(h, 0), big, strlen(big));   /* fits alone, not with the next */
	mcp_call_result_json(take_later(h, 1), big, strlen(big));
	CHECK_EQ_INT(h->nout, 1);
	const char *arr = h_last(h);
	CHECK(strlen(arr) <= 4096);
	CHECK_EQ_STR(jraw(arr, "0.id"), "3");
	CHECK_EQ_STR(jraw(arr, "1.id"), "1");
	/* the element that did not fit is replaced by a short error */
	CHECK_EQ_STR(jraw(arr, "2"), "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32603,\"message\":\"response too large (limit 4096 bytes)\"}}");
	CHECK_EQ_INT(h_free(h), 0);
}

TEST(core_new_args)
{
	mcp_core *c = (mcp_core *)1;
	mcp_opts o = { 0 };
	CHECK_EQ_INT(mcp_core_new(&c, &o), ERR_INVAL);
	CHECK(c == NULL);
	CHECK_EQ_INT(mcp_core_new(&c, NULL), ERR_INVAL);
	CHECK_EQ_INT(mcp_core_recv(NULL, "{}", 2, NULL), ERR_INVAL);
	/* no executor: tools/call answers an internal error */
	harness *h = h_new();
	mcp_core_free(h->core);
	h->opts.executor = (mcp_executor){ 0 };
	mcp_core_new(&h->core, &h->opts);
	h_init(h, "2025-06-18");
	h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_models\"}}");
	CHECK_ERR(h, -32603, "1", "no tool executor configured");
	CHECK_EQ_INT(h_free(h), 0);
}

/* ---- the bad-input battery ------------------------------------------------------------- */

TEST(bad_input_battery)
{
	static const struct { const char *msg; int code; } bad[] = {
		{ "{", -32700 }, { "}", -32700 }, { "{\"jsonrpc\":\"2.0\",}", -32700 }, { "[1,]", -32700 },
		{ "{'jsonrpc':'2.0'}", -32700 }, { "nul", -32700 }, { "{\"a\":01}", -32700 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}x", -32700 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", -32700 },
		{ "\xef\xbb\xbf{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", -32700 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":\"\x01\"}}", -32700 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":\"\xfe\",\"method\":\"ping\"}", -32700 },
		{ "{\"jsonrpc\":\"3.0\",\"id\":1,\"method\":\"ping\"}", -32600 },
		{ "{\"jsonrpc\":null,\"id\":1,\"method\":\"ping\"}", -32600 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":false,\"method\":\"ping\"}", -32600 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1e2,\"method\":\"ping\"}", -32600 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":[\"ping\"]}", -32600 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":true}", -32600 },
		{ "[]", -32600 }, { "[1]", -32600 }, { "true", -32600 }, { "{}", -32600 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/lis\"}", -32601 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"TOOLS/LIST\"}", -32601 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"info\"}}", -32601 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat \",\"arguments\":{}}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"rerank\",\"arguments\":{\"model\":\"m\",\"query\":\"q\",\"documents\":[null]}}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"list_files\",\"arguments\":{\"limit\":\"10\"}}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"ocr\",\"arguments\":{}}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"speech\",\"arguments\":\"x\"}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"create_batch\",\"arguments\":{\"input_file_id\":\"f\",\"endpoint\":1,\"completion_window\":\"24h\"}}}", -32602 },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"m\",\"messages\":[],\"max_tokens\":99999999999}}}", -32602 },
	};
	harness *h = h_new();
	h_init(h, "2025-06-18");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int n = h->nout;
		h_recv(h, bad[i].msg);
		CHECK_EQ_INT(h->nout, n + 1);
		if (jint(h_last(h), "error.code") != bad[i].code)
			printf("  battery %zu: %s -> %s\n", i, bad[i].msg, h_last(h));
		CHECK_EQ_INT(jint(h_last(h), "error.code"), bad[i].code);
		/* still serving */
		h_recv(h, "{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"method\":\"ping\"}");
		CHECK_EQ_STR(h_last(h), "{\"jsonrpc\":\"2.0\",\"id\":\"after\",\"result\":{}}");
	}
	CHECK_EQ_INT(h->ncalls, 0);
	CHECK_EQ_INT(h->ndone, h->nout);
	/* every prefix of a valid request: one answer each, never a crash */
	const char *good = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"chat\",\"arguments\":{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"h\\u00e9\"}]}}}";
	for (size_t n = 0; n <= strlen(good); n++) {
		int before = h->nout;
		mcp_core_recv(h->core, good, n, NULL);
		CHECK_EQ_INT(h->nout, before + 1);
	}
	CHECK_EQ_INT(h->ncalls, 1);
	CHECK_EQ_INT(h_free(h), 0);
}

int main(void)
{
	RUN(versions);
	RUN(initialize_exact);
	RUN(initialize_each_version);
	RUN(initialize_builtin_instructions_and_no_extras);
	RUN(initialize_bad_params);
	RUN(lifecycle_before_initialize);
	RUN(lifecycle_second_initialize_and_lenient);
	RUN(notifications_and_client_responses_ignored);
	RUN(tools_list);
	RUN(tools_list_schema_exact);
	RUN(tool_table);
	RUN(tool_argument_checks);
	RUN(tools_call_json_result_per_version);
	RUN(tools_call_bytes_results);
	RUN(tools_call_errors);
	RUN(tools_call_async);
	RUN(tools_call_inflight_cap);
	RUN(cancellation);
	RUN(cancel_origin);
	RUN(free_with_calls_in_flight);
	RUN(progress);
	RUN(batches_2025_03_26);
	RUN(batches_refused_other_versions);
	RUN(stateless_mode);
	RUN(jsonrpc_errors);
	RUN(invalid_utf8);
	RUN(size_cap);
	RUN(depth_and_huge);
	RUN(output_cap);
	RUN(extras_prompts);
	RUN(extras_resources);
	RUN(extras_resources_without_catalog);
	RUN(extras_completion);
	RUN(classify);
	RUN(batch_output_cap);
	RUN(core_new_args);
	RUN(bad_input_battery);
	arena_free(&probe_arena);
	return t_done();
}
