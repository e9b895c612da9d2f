/* fuzz_mcp.c — libFuzzer target for the MCP core (src/mcp): a core, usually
 * already initialized, is fed arbitrary newline-separated messages, with a
 * fake executor whose calls complete immediately or later under the input's
 * control (arbitrary result JSON, error texts, bytes, progress, origin
 * cancellation, oversize notices). Invariants, abort() on violation:
 *   - every message sent is one line of valid JSON: an object with
 *     "jsonrpc":"2.0" and exactly one of result / error / method, or a
 *     non-empty array of such responses;
 *   - done() is called exactly once per inbound message and nothing is sent
 *     for an origin after its done();
 *   - no crash, no leak (ASan), nothing left in flight at the end.
 *
 * Input: byte 0 = set-up (bits 0-2: how to initialize, bit 3: small caps,
 * bit 4: no extras), then lines. A line starting with 0x01 is an executor
 * action: 0x01 <which call> <action> <payload...>. */
#include "mcp/mcp.h"
#include "base/arena.h"
#include "base/err.h"
#include "json/json.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "fuzz_mcp: %s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } } while (0)

#define MAXORIG 8192
#define MAXPEND 64

typedef struct fz {
	mcp_core *core;
	unsigned char done[MAXORIG];   /* done() count per origin */
	unsigned char answers[MAXORIG];/* responses (not progress) sent per origin */
	unsigned char silent[MAXORIG]; /* mcp_classify: the core must not answer this one */
	size_t norig;
	mcp_call *pend[MAXPEND];
	size_t npend;
	unsigned ncalls;
	arena a;
} fz;

static bool check_response(const json_doc *d, int o)
{
	if (json_typeof(d, o) != JSON_OBJECT)
		return false;
	if (!json_str_eq(d, json_get(d, o, "jsonrpc"), STR_LIT("2.0")))
		return false;
	int r = json_get(d, o, "result"), e = json_get(d, o, "error"), m = json_get(d, o, "method");
	int id = json_get(d, o, "id");
	if (m >= 0)   /* a notification: progress only */
		return r < 0 && e < 0 && id < 0 && json_str_eq(d, m, STR_LIT("notifications/progress")) &&
		       json_typeof(d, json_path(d, o, "params.progress")) == JSON_NUMBER;
	if ((r >= 0) == (e >= 0) || id < 0)
		return false;
	json_type it = json_typeof(d, id);
	if (it != JSON_STRING && it != JSON_NUMBER && it != JSON_NULL)
		return false;
	if (e >= 0) {
		int64_t code;
		if (json_i64(d, json_get(d, e, "code"), &code) != 0 || code > -32000 || code < -32768)
			return false;
		if (json_typeof(d, json_get(d, e, "message")) != JSON_STRING)
			return false;
	}
	if (r >= 0 && json_typeof(d, r) != JSON_OBJECT)
		return false;
	return true;
}

static void f_send(void *ud, void *origin, const char *msg, size_t n)
{
	fz *f = ud;
	uintptr_t o = (uintptr_t)origin;
	REQUIRE(o < f->norig && f->done[o] == 0);
	REQUIRE(n > 0 && !memchr(msg, '\n', n));
	json_doc d;
	json_opts jo = { .max_depth = JSON_DEPTH_MAX, .max_tokens = 1u << 24 };
	REQUIRE(json_parse_arena(&d, &f->a, msg, n, &jo, NULL) > 0);
	REQUIRE(!f->silent[o]);
	if (json_typeof(&d, 0) == JSON_ARRAY || json_get(&d, 0, "method") < 0)
		REQUIRE(++f->answers[o] == 1);   /* one response (or one batch array) per message */
	if (json_typeof(&d, 0) == JSON_ARRAY) {
		REQUIRE(json_size(&d, 0) > 0);
		json_iter it = json_iter_begin(&d, 0);
		int e;
		while (json_iter_next(&d, &it, NULL, &e))
			REQUIRE(check_response(&d, e) && json_get(&d, e, "method") < 0);
	} else {
		REQUIRE(check_response(&d, 0));
	}
	arena_reset(&f->a);
}

static void f_done(void *ud, void *origin)
{
	fz *f = ud;
	uintptr_t o = (uintptr_t)origin;
	REQUIRE(o < f->norig);
	REQUIRE(f->done[o] == 0);
	f->done[o] = 1;
}

static void f_forget(fz *f, mcp_call *c)
{
	for (size_t i = 0; i < f->npend; i++)
		if (f->pend[i] == c) {
			f->pend[i] = f->pend[--f->npend];
			return;
		}
}

static void f_call(void *ud, mcp_call *c, const mcp_tool *t, const json_doc *d, int args)
{
	fz *f = ud;
	unsigned k = f->ncalls++;
	REQUIRE(json_typeof(d, args) == JSON_OBJECT);
	REQUIRE(mcp_call_tool(c) == t);
	/* read every declared argument, as an executor would */
	for (size_t i = 0; i < t->nparams; i++) {
		int v = mcp_tool_arg(t, d, args, t->params[i].name);
		if (v >= 0 && t->params[i].type == MCP_P_STRING)
			REQUIRE(json_typeof(d, v) == JSON_STRING);
	}
	int m = mcp_tool_arg(t, d, args, "model");
	bool later = m >= 0 && json_typeof(d, m) == JSON_STRING && json_str_eq(d, m, STR_LIT("later"));
	if (later || (k % 4 == 3)) {
		if (f->npend < MAXPEND) {
			f->pend[f->npend++] = c;
			return;
		}
	}
	switch (k % 4) {
	case 0: {
		str r = json_raw(d, args);
		mcp_call_result_json(c, r.p, r.n);
		break;
	}
	case 1:
		mcp_call_error(c, MCP_ERR_INTERNAL, "model 'x' not found");
		break;
	default:
		mcp_call_result_bytes(c, "\x00\xff\x10", 3);
		break;
	}
}

static void f_cancel(void *ud, mcp_call *c)
{
	fz *f = ud;
	f_forget(f, c);
	mcp_call_error(c, MCP_ERR_INTERNAL, "ignored");   /* must be ignored */
}

static void f_names(void *ud, mcp_names which, mcp_name_fn add, void *actx)
{
	(void)ud;
	add(actx, which == MCP_NAMES_MODELS ? STR_LIT("gpt-4o") : STR_LIT("openai"));
	add(actx, STR_LIT("\xff\xfe"));   /* invalid UTF-8 from a catalog must still give valid JSON */
}

static int f_read(void *ud, mcp_resource r, str arg, buf *out, char *err, size_t errlen)
{
	(void)ud;
	if (r == MCP_RES_PRICING && arg.n && arg.p[0] == 'x')
		return buf_puts(out, "{\"not json");   /* a broken catalog */
	if (r == MCP_RES_PROVIDER && arg.n && arg.p[0] == 'b')
		return buf_printf(out, "{\"name\":\"%.*s\"}", STR_ARG(arg));   /* may be invalid JSON */
	if (r == MCP_RES_PRICING) {
		snprintf(err, errlen, "no pricing for model '%.*s'", STR_ARG(arg));
		return ERR_NOTFOUND;
	}
	return buf_puts(out, "[{\"name\":\"openai\"}]");
}

static const char *const canned[] = {
	"{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hi\\n\"}}]}",
	"[1,2,{\"a\":null}]", "\"str\"", "42", "null", "{", "", "{\"a\":\"\\ud83d\\ude00\",\"b\":1e400}",
};

static void action(fz *f, const uint8_t *p, size_t n, void **origin_for_oversize)
{
	if (n < 2 || !f->npend)
		return;
	mcp_call *c = f->pend[p[0] % f->npend];
	const char *rest = (const char *)p + 2;
	size_t rn = n - 2;
	switch (p[1] % 8) {
	case 0:
		f_forget(f, c);
		mcp_call_result_json(c, canned[(p[1] >> 3) % (sizeof canned / sizeof canned[0])],
				     strlen(canned[(p[1] >> 3) % (sizeof canned / sizeof canned[0])]));
		break;
	case 1:
		f_forget(f, c);
		mcp_call_result_json(c, rest, rn);
		break;
	case 2: {
		char m[256];
		snprintf(m, sizeof m, "%.*s", (int)(rn > 255 ? 255 : rn), rest);
		f_forget(f, c);
		mcp_call_error(c, -32000 - (int)(p[1] >> 3), m);
		break;
	}
	case 3:
		f_forget(f, c);
		mcp_call_result_bytes(c, rest, rn);
		break;
	case 4: {
		char m[64];
		snprintf(m, sizeof m, "%.*s", (int)(rn > 63 ? 63 : rn), rest);
		double pr = rn ? (double)(unsigned char)rest[0] / 7.0 : 0;
		double tot = rn > 1 ? (double)(int)(signed char)rest[1] : -1;
		int rc = mcp_call_progress(c, pr, tot, rn > 2 ? m : NULL);
		REQUIRE(rc == 0 || rc == ERR_NOTFOUND || rc == ERR_RANGE);
		break;
	}
	case 5:
		mcp_core_cancel_origin(f->core, mcp_call_origin(c));
		break;
	case 6:
		if (f->norig < MAXORIG) {
			*origin_for_oversize = (void *)(uintptr_t)f->norig++;
			mcp_core_recv_oversize(f->core, rest, rn, rn + ((size_t)1 << 30), *origin_for_oversize);
		}
		break;
	default:
		break;   /* leave it pending */
	}
}

static void init_msg(fz *f, const char *version)
{
	char m[192];
	int n = snprintf(m, sizeof m, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\"}}", version);
	mcp_core_recv(f->core, m, (size_t)n, (void *)(uintptr_t)f->norig++);
	static const char initd[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
	mcp_core_recv(f->core, initd, sizeof initd - 1, (void *)(uintptr_t)f->norig++);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fz *f = calloc(1, sizeof *f);
	uint8_t setup = data[0];
	mcp_opts o = { 0 };
	o.server_version = "0.0.0-fuzz";
	o.transport = (mcp_transport){ f_send, f_done, f };
	o.executor = (mcp_executor){ f_call, f_cancel, f };
	o.catalog = (mcp_catalog){ f_read, f_names, f };
	if (setup & 8) {
		o.max_message_bytes = 256;
		o.max_output_bytes = 4096;
		o.max_inflight = 3;
		o.max_depth = 8;
		o.max_tokens = 64;
	}
	o.no_extras = (setup & 16) != 0;
	switch (setup & 7) {
	case 5: o.stateless = true; break;
	case 6: o.stateless = true; o.stateless_version = MCP_V_2025_06_18; break;
	default: break;
	}
	REQUIRE(mcp_core_new(&f->core, &o) == 0);
	switch (setup & 7) {
	case 1: init_msg(f, "2024-11-05"); break;
	case 2: init_msg(f, "2025-03-26"); break;
	case 3: init_msg(f, "2025-06-18"); break;
	case 4: init_msg(f, "2025-11-25"); break;
	case 7: init_msg(f, "1999-01-01"); break;
	default: break;
	}
	const uint8_t *p = data + 1, *end = data + size;
	while (p < end && f->norig < MAXORIG) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[0] == 0x01) {
			void *ov = NULL;
			action(f, p + 1, n - 1, &ov);
		} else {
			uintptr_t org = f->norig++;
			if (!(setup & 8)) {
				/* mcp_classify applies the core's rules: a lone notification
				 * or client response is never answered */
				mcp_msg_info info;
				mcp_classify((const char *)p, n, 0, &info);
				REQUIRE(info.valid_json || (!info.requests && !info.notifications && !info.responses));
				f->silent[org] = info.valid_json && !info.batch && !info.requests && !info.invalid;
			}
			mcp_core_recv(f->core, (const char *)p, n, (void *)org);
		}
		p += n + 1;
	}
	/* settle: half the pending calls complete, the rest are cancelled */
	while (f->npend) {
		mcp_call *c = f->pend[f->npend - 1];
		if (f->npend % 2) {
			f->npend--;
			mcp_call_result_json(c, "{\"done\":true}", 13);
		} else {
			mcp_core_cancel_origin(f->core, mcp_call_origin(c));
		}
	}
	REQUIRE(mcp_core_inflight(f->core) == 0);
	for (size_t i = 0; i < f->norig; i++)
		REQUIRE(f->done[i] == 1);
	mcp_core_free(f->core);
	arena_free(&f->a);
	free(f);
	return 0;
}
