/* test_gateway_form.c — transcriptions as a form operation: the form checks
 * (gateway_body_check_ct over what the openai node SDK sends, malformed and
 * ill-typed forms), the upstream form (model part replaced, everything else
 * byte for byte; JSON + base64 converted), create_file's JSON upload through
 * the multipart writer, and a whole call through a fake upstream (URL,
 * Content-Type with boundary, body; a text/plain answer passed through). */
#include "gateway/gateway.h"
#include "gateway/gateway_private.h"
#include "base/b64.h"
#include "base/err.h"
#include "t.h"
#include <stdlib.h>
#include <string.h>

#include "multipart_sdk.h"

static gateway_kind check(gateway_op_id op, str body, const char *ct, gateway_body *bd, arena *a, char *msg)
{
	gateway_error e;
	int rc = gateway_body_check_ct(gateway_op_get(op), body, ct ? str_from(ct) : STR_NULL, a, bd, &e);
	if (msg)
		strcpy(msg, rc < 0 ? e.msg : "");
	return rc < 0 ? e.kind : GATEWAY_OK;
}

static provider_target target(const char *pm)
{
	provider_target t;
	char err[256];
	provider_entry pe = { .name = "x", .provider_model = str_from(pm), .api_key = STR_LIT("k") };
	if (provider_build(&pe, (provider_env){ 0 }, &t, err, sizeof err) < 0)
		printf("provider_build: %s\n", err);
	return t;
}

TEST(form_from_sdk)
{
	arena a = { 0 };
	gateway_body bd;
	str body = S(sdk_audio_transcriptions_body);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, body, sdk_audio_transcriptions_ct, &bd, &a, NULL), GATEWAY_OK);
	CHECK(bd.form && bd.nparts == 8 && bd.model_part == 0);
	CHECK(str_eq_cstr(bd.model, "whisper-1"));
	CHECK(str_eq_cstr(bd.boundary, "----formdata-undici-015533542570"));
	/* the upstream form: the model part's content replaced, the rest byte for byte */
	provider_target t = target("groq/whisper-large-v3");
	buf out = { 0 };
	char ct[128];
	CHECK_EQ_INT(gateway_body_rewrite_form(&bd, &t, &out, ct, sizeof ct), 0);
	CHECK_EQ_STR(ct, "multipart/form-data; boundary=----formdata-undici-015533542570");
	const char *m = strstr(sdk_audio_transcriptions_body, "whisper-1");
	size_t pre = (size_t)(m - sdk_audio_transcriptions_body);
	buf want = { 0 };
	buf_append(&want, body.p, pre);
	buf_puts(&want, "whisper-large-v3");
	buf_append(&want, m + 9, body.n - pre - 9);
	CHECK_EQ_MEM(out.data, out.len, want.data, want.len);
	/* case and parameters of the media type do not matter */
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, body,
			   "Multipart/Form-Data; charset=utf-8; boundary=\"----formdata-undici-015533542570\"", &bd, &a,
			   NULL),
		     GATEWAY_OK);
	buf_free(&want);
	buf_free(&out);
	arena_free(&a);
}

/* A small form: fields "name=value" (a value starting with '@' is a file). */
static void form(buf *b, const char *const *kv)
{
	multipart_writer w;
	buf_reset(b);
	multipart_writer_init(&w, b, STR_LIT("BND"));
	for (; *kv; kv += 2) {
		if (kv[1][0] == '@')
			multipart_write_file(&w, str_from(kv[0]), str_from(kv[1] + 1), STR_LIT("audio/wav"),
					     str_make(WAV, WAVN));
		else
			multipart_write_field(&w, str_from(kv[0]), str_from(kv[1]));
	}
	multipart_write_end(&w);
}

static void form_err(const char *const *kv, gateway_kind want, const char *want_msg)
{
	arena a = { 0 };
	buf b = { 0 };
	gateway_body bd;
	char msg[GATEWAY_MSG_MAX];
	form(&b, kv);
	gateway_kind k = check(GATEWAY_OP_TRANSCRIPTIONS, str_make(b.data, b.len), "multipart/form-data; boundary=BND",
			       &bd, &a, msg);
	if (k != want || strcmp(msg, want_msg))
		T_FAIL_AT("kind %d [%s], want %d [%s]", (int)k, msg, (int)want, want_msg);
	buf_free(&b);
	arena_free(&a);
}

TEST(form_checks)
{
	static const char *const ok1[] = { "file", "@a.wav", "model", "m", "temperature", "0.2",
					   "timestamp_granularities[]", "word", "timestamp_granularities[]", "segment",
					   "timestamp_granularities", "x", "unknown", "kept", NULL };
	form_err(ok1, GATEWAY_OK, "");
	static const char *const no_file[] = { "model", "m", NULL };
	form_err(no_file, GATEWAY_UNPROCESSABLE, "missing field `file`");
	static const char *const no_model[] = { "file", "@a.wav", NULL };
	form_err(no_model, GATEWAY_UNPROCESSABLE, "missing field `model`");
	static const char *const file_text[] = { "model", "m", "file", "not a file", NULL };
	form_err(file_text, GATEWAY_UNPROCESSABLE, "invalid type for `file`: string, expected a file");
	static const char *const model_file[] = { "model", "@m.wav", "file", "@a.wav", NULL };
	form_err(model_file, GATEWAY_UNPROCESSABLE, "invalid type for `model`: file, expected a string");
	static const char *const two_models[] = { "model", "a", "file", "@a.wav", "model", "b", NULL };
	form_err(two_models, GATEWAY_UNPROCESSABLE, "duplicate field `model`");
	static const char *const two_files[] = { "model", "a", "file", "@a.wav", "file", "@b.wav", NULL };
	form_err(two_files, GATEWAY_UNPROCESSABLE, "duplicate field `file`");
	static const char *const hot[] = { "model", "a", "file", "@a.wav", "temperature", "hot", NULL };
	form_err(hot, GATEWAY_UNPROCESSABLE, "invalid type for `temperature`: string, expected a number");
	static const char *const nums[] = { "model", "a", "file", "@a.wav", "temperature", "-1.5e-3", NULL };
	form_err(nums, GATEWAY_OK, "");
	static const char *const dot[] = { "model", "a", "file", "@a.wav", "temperature", "1.", NULL };
	form_err(dot, GATEWAY_UNPROCESSABLE, "invalid type for `temperature`: string, expected a number");

	/* malformed forms: 400 */
	arena a = { 0 };
	gateway_body bd;
	char msg[GATEWAY_MSG_MAX];
	str body = S(sdk_audio_transcriptions_body);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, body, "multipart/form-data", &bd, &a, msg), GATEWAY_BAD_REQUEST);
	CHECK_EQ_STR(msg, "Invalid `boundary` for `multipart/form-data` request: no boundary parameter in the Content-Type");
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, body, "multipart/form-data; boundary=\"a<b\"", &bd, &a, msg),
		     GATEWAY_BAD_REQUEST);
	CHECK(strstr(msg, "Invalid `boundary`") == msg);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, str_make(body.p, body.n - 10), sdk_audio_transcriptions_ct, &bd,
			   &a, msg),
		     GATEWAY_BAD_REQUEST);
	CHECK(strstr(msg, "Error parsing `multipart/form-data` request: the body ends before the closing boundary") ==
	      msg);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, body, "multipart/form-data; boundary=other", &bd, &a, msg),
		     GATEWAY_BAD_REQUEST);
	CHECK(strstr(msg, "Error parsing") == msg);
	/* a form where the op takes only JSON: 415 */
	CHECK_EQ_INT(check(GATEWAY_OP_EMBEDDINGS, body, sdk_audio_transcriptions_ct, &bd, &a, msg),
		     GATEWAY_UNSUPPORTED_MEDIA);
	arena_free(&a);
}

TEST(json_to_form)
{
	arena a = { 0 };
	gateway_body bd;
	char msg[GATEWAY_MSG_MAX];
	char b64[64];
	b64_encode(WAV, WAVN, B64_STD, b64, sizeof b64, NULL);
	char in[512];
	snprintf(in, sizeof in,
		 "{\"language\":\"en\",\"model\":\"stt\",\"file\":\"%s\",\"temperature\":0.25,\"prompt\":\"a \\\"q\\\" \\u00e9\","
		 "\"timestamp_granularities\":[\"word\",\"segment\"],\"response_format\":null,\"filename\":\"my \\\"x\\\".wav\","
		 "\"flag\":true,\"obj\":{\"k\":[1]},\"extra_body\":{\"prompt\":\"override\",\"model\":\"no\",\"seed\":3}}",
		 b64);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, str_from(in), NULL, &bd, &a, msg), GATEWAY_OK);
	CHECK(!bd.form && str_eq_cstr(bd.model, "stt"));
	CHECK_EQ_MEM(bd.file.p, bd.file.n, WAV, WAVN);
	provider_target t = target("openai/whisper-1");
	buf out = { 0 };
	char ct[128];
	CHECK_EQ_INT(gateway_body_rewrite_form(&bd, &t, &out, ct, sizeof ct), 0);
	CHECK(strncmp(ct, "multipart/form-data; boundary=liter-llm-", 40) == 0 && strlen(ct) == 30 + 10 + 32);
	str b;
	CHECK_EQ_INT(multipart_boundary(str_from(ct), &b, NULL), 0);
	multipart_reader r;
	multipart_reader_init(&r, str_make(out.data, out.len), b, NULL);
	static const char *const names[] = { "language", "model", "file", "temperature", "timestamp_granularities[]",
					     "timestamp_granularities[]", "flag", "obj", "prompt", "seed" };
	static const char *const vals[] = { "en", "whisper-1", NULL, "0.25", "word", "segment", "true", "{\"k\":[1]}",
					    "override", "3" };
	multipart_part p;
	size_t i = 0;
	int rc;
	while ((rc = multipart_next(&r, &p)) == 1) {
		if (i < 10) {
			if (!multipart_value_eq(p.name, str_from(names[i])))
				T_FAIL_AT("part %zu: name %.*s, want %s", i, STR_ARG(p.name.raw), names[i]);
			if (vals[i] && !str_eq_cstr(p.data, vals[i]))
				T_FAIL_AT("part %zu: %.*s, want %s", i, STR_ARG(p.data), vals[i]);
			if (!vals[i]) {
				CHECK(p.is_file && multipart_value_eq(p.filename, STR_LIT("my _x_.wav")));
				CHECK(str_eq_cstr(p.content_type, "audio/wav"));
				CHECK_EQ_MEM(p.data.p, p.data.n, WAV, WAVN);
			}
		}
		i++;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(i, 10);

	/* no filename: named after the sniffed format; unpadded base64 accepted */
	const char *mp3 = "{\"model\":\"stt\",\"file\":\"SUQzBA\"}"; /* "ID3\x04" */
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, str_from(mp3), NULL, &bd, &a, msg), GATEWAY_OK);
	buf_reset(&out);
	CHECK_EQ_INT(gateway_body_rewrite_form(&bd, &t, &out, ct, sizeof ct), 0);
	CHECK(strstr(out.data, "name=\"file\"; filename=\"audio.mp3\"\r\nContent-Type: audio/mpeg\r\n\r\nID3\x04\r\n"));
	CHECK(strstr(out.data, "name=\"model\"\r\n\r\nwhisper-1\r\n"));
	/* errors */
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, STR_LIT("{\"model\":\"stt\",\"file\":\"***\"}"), NULL, &bd, &a, msg),
		     GATEWAY_BAD_REQUEST);
	CHECK_EQ_STR(msg, "bad request: `file` is not valid base64");
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, STR_LIT("{\"model\":\"stt\"}"), NULL, &bd, &a, msg),
		     GATEWAY_UNPROCESSABLE);
	CHECK_EQ_STR(msg, "missing field `file`");
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, STR_LIT("{\"file\":\"AAAA\"}"), NULL, &bd, &a, msg),
		     GATEWAY_UNPROCESSABLE);
	CHECK_EQ_STR(msg, "missing field `model`");
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, STR_LIT("{\"model\":\"stt\",\"file\":\"AAAA\",\"a\\nb\":1}"), NULL,
			   &bd, &a, msg),
		     GATEWAY_BAD_REQUEST);
	CHECK_EQ_INT(check(GATEWAY_OP_TRANSCRIPTIONS, STR_LIT("{\"model\":\"stt\",\"file\":5}"), NULL, &bd, &a, msg),
		     GATEWAY_UNPROCESSABLE);
	buf_free(&out);
	arena_free(&a);
}

TEST(helpers)
{
	char b1[GATEWAY_BOUNDARY_SIZE], b2[GATEWAY_BOUNDARY_SIZE];
	CHECK_EQ_INT(gateway_form_boundary(b1, STR_LIT("data")), 0);
	CHECK_EQ_INT(gateway_form_boundary(b2, STR_LIT("data")), 0);
	CHECK(strlen(b1) == 42 && strncmp(b1, "liter-llm-", 10) == 0 && strcmp(b1, b2) != 0);
	CHECK(multipart_boundary_valid(str_from(b1)));
	buf b = { 0 };
	CHECK_EQ_INT(gateway_form_safe_name(&b, STR_LIT("a\"b\\c\r\nd\x7f\xc3\xa9")), 0);
	CHECK_EQ_STR(b.data, "a_b_c__d_\xc3\xa9");
	buf_free(&b);
}

/* ---- a whole call through a fake upstream ------------------------------------------------- */

typedef struct fake {
	http_client_spec spec;
	char url[256], ctype[160];
	buf body, out;
	int status, responded;
	char rctype[64];
} fake;

static int f_request(void *ud, const http_client_spec *s, void **h, char *err, size_t n)
{
	(void)err;
	(void)n;
	fake *f = ud;
	f->spec = *s;
	str_to_cbuf(s->url, f->url, sizeof f->url);
	buf_reset(&f->body);
	buf_append(&f->body, s->body.p, s->body.n);
	f->ctype[0] = 0;
	for (size_t i = 0; i < s->nheaders; i++)
		if (str_eq_cstr(s->headers[i].name, "Content-Type")) {
			CHECK(!f->ctype[0]); /* exactly one */
			str_to_cbuf(s->headers[i].value, f->ctype, sizeof f->ctype);
		}
	*h = f;
	return 0;
}
static void f_nop(void *h) { (void)h; }
static void s_respond(void *ud, int status, const char *ct, const char *body, size_t n, int ra)
{
	(void)ra;
	fake *f = ud;
	f->status = status;
	f->responded++;
	snprintf(f->rctype, sizeof f->rctype, "%s", ct);
	buf_reset(&f->out);
	buf_append(&f->out, body, n);
}
static int s_begin(void *ud, int status, const char *ct) { (void)ud; (void)status; (void)ct; return 0; }
static int s_write(void *ud, const char *p, size_t n) { (void)ud; (void)p; (void)n; return 0; }
static void s_end(void *ud) { (void)ud; }

static void deliver(fake *f, int status, const char *ct, const char *body)
{
	http_header h[1] = { { STR_LIT("Content-Type"), str_from(ct) } };
	http_client_resp resp = { .status = status, .headers = h, .nheaders = 1, .content_length = -1 };
	f->spec.cb.on_head(NULL, &resp, f->spec.ud);
	f->spec.cb.on_data(NULL, body, strlen(body), f->spec.ud);
	f->spec.cb.on_done(NULL, 0, "", f->spec.ud);
}

static const char *env_none(void *ud, const char *name)
{
	(void)ud;
	(void)name;
	return NULL;
}

TEST(call)
{
	static const char cfg[] = "[general]\nmaster_key = \"sk-master-0001\"\n"
				  "[[models]]\nname = \"whisper-1\"\nprovider_model = \"openai/whisper-large\"\n"
				  "api_key = \"k1\"\n[[keys]]\nkey = \"vk-token-0001\"\nmodels = [\"other\"]\n";
	config *c = NULL;
	config_errors ce = { 0 };
	CHECK_EQ_INT(config_load_text("t.toml", cfg, sizeof cfg - 1, NULL, NULL, &c, &ce), 0);
	config_errors_free(&ce);
	if (!c)
		return;
	gateway *g;
	char err[256];
	CHECK_EQ_INT(gateway_new(&g, c, (provider_env){ env_none, NULL }, err, sizeof err), 0);
	fake f;
	memset(&f, 0, sizeof f);
	gateway_upstream up = { f_request, f_nop, f_nop, f_nop, &f, NULL, NULL, NULL, NULL };
	gateway_sink sink = { s_respond, s_begin, s_write, s_end, &f };
	gateway_principal master = { .master = true };
	arena a = { 0 };
	const gateway_op *op = gateway_op_get(GATEWAY_OP_TRANSCRIPTIONS);
	str body = S(sdk_audio_transcriptions_body);
	gateway_call *call = gateway_call_start_ct(g, &up, op, &master, body, str_from(sdk_audio_transcriptions_ct), &a,
						   &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.url, "https://api.openai.com/v1/audio/transcriptions");
	CHECK_EQ_STR(f.ctype, "multipart/form-data; boundary=----formdata-undici-015533542570");
	CHECK(f.body.len == body.n + 4 && strstr(f.body.data, "\r\n\r\nwhisper-large\r\n"));
	deliver(&f, 200, "text/plain; charset=utf-8", "hello there\n");
	CHECK(f.responded == 1 && f.status == 200);
	CHECK_EQ_STR(f.rctype, "text/plain; charset=utf-8");
	CHECK(f.out.len == 12 && memcmp(f.out.data, "hello there\n", 12) == 0);
	/* the MCP path: JSON with base64, upstream form */
	call = gateway_call_start(g, &up, op, &master, STR_LIT("{\"model\":\"whisper-1\",\"file\":\"UklGRg==\"}"), &a,
				  &sink);
	CHECK(call != NULL);
	CHECK(strncmp(f.ctype, "multipart/form-data; boundary=liter-llm-", 40) == 0);
	CHECK(strstr(f.body.data, "filename=\"audio\"\r\nContent-Type: application/octet-stream\r\n\r\nRIFF\r\n"));
	deliver(&f, 200, "application/json", "{\"text\":\"hi\"}");
	CHECK(f.status == 200 && strcmp(f.out.data, "{\"text\":\"hi\"}") == 0);
	/* form errors answer before any upstream request, and the allow-list applies */
	f.responded = 0;
	call = gateway_call_start_ct(g, &up, op, &master, str_make(body.p, 40), str_from(sdk_audio_transcriptions_ct),
				     &a, &sink);
	CHECK(call == NULL && f.responded == 1 && f.status == 400);
	gateway_principal vk = { .key = &c->keys[0] };
	snprintf(vk.key_id, sizeof vk.key_id, "vk-0123456789abcdef");
	call = gateway_call_start_ct(g, &up, op, &vk, body, str_from(sdk_audio_transcriptions_ct), &a, &sink);
	CHECK(call == NULL && f.status == 403 && strstr(f.out.data, "not allowed to access model 'whisper-1'"));
	/* create_file: JSON base64 -> a multipart upload through the writer */
	gateway_mreq m = { .op = GATEWAY_M_CREATE_FILE, .content_type = STR_LIT("application/json"),
			   .body = STR_LIT("{\"file\":\"aGVsbG8=\",\"purpose\":\"batch\",\"filename\":\"in\\\".jsonl\"}") };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK(call != NULL);
	str bnd;
	CHECK_EQ_INT(multipart_boundary(str_from(f.ctype), &bnd, NULL), 0);
	multipart_reader r;
	multipart_reader_init(&r, str_make(f.body.data, f.body.len), bnd, NULL);
	multipart_part p1, p2, p3;
	CHECK(multipart_next(&r, &p1) == 1 && multipart_next(&r, &p2) == 1 && multipart_next(&r, &p3) == 0);
	CHECK(multipart_value_eq(p1.name, STR_LIT("purpose")) && str_eq_cstr(p1.data, "batch"));
	CHECK(multipart_value_eq(p2.filename, STR_LIT("in_.jsonl")) && str_eq_cstr(p2.data, "hello"));
	gateway_call_cancel(call);
	/* create_file: the SDKs' multipart form is checked, then forwarded as it is */
	static const char form[] = "--b1\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
				   "--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jsonl\"\r\n"
				   "Content-Type: application/jsonl\r\n\r\n{}\n\r\n--b1--\r\n";
	m = (gateway_mreq){ .op = GATEWAY_M_CREATE_FILE, .content_type = STR_LIT("multipart/form-data; boundary=b1"),
			    .body = str_make(form, sizeof form - 1) };
	call = gateway_master_start(g, &up, &master, &m, &a, &sink);
	CHECK(call != NULL);
	CHECK_EQ_STR(f.ctype, "multipart/form-data; boundary=b1");
	CHECK(f.body.len == sizeof form - 1 && memcmp(f.body.data, form, f.body.len) == 0);
	gateway_call_cancel(call);
	/* ... and a bad one is answered before any upstream request */
	static const struct {
		const char *ct, *body;
		int status;
		const char *msg;
	} bad[] = {
		{ "multipart/form-data", "x", 400, "Invalid `boundary`" },
		{ "multipart/form-data; boundary=b1", "--b1\r\nContent-Disposition: form-data; name=\"file\"", 400,
		  "Error parsing `multipart/form-data` request" },
		{ "multipart/form-data; boundary=b1",
		  "--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nz\r\n--b1--\r\n", 422,
		  "missing field `purpose`" },
		{ "multipart/form-data; boundary=b1",
		  "--b1\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nnope\r\n--b1\r\n"
		  "Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nz\r\n--b1--\r\n", 422,
		  "unknown variant `nope`" },
		{ "text/plain", "x", 415, "multipart/form-data" },
		{ "application/json", "{\"file\":\"!!\",\"purpose\":\"batch\"}", 400, "not valid base64" },
		{ "application/json", "{\"file\":\"aGk=\",\"purpose\":1}", 422, "invalid type for `purpose`" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f.responded = 0;
		f.url[0] = 0;
		m = (gateway_mreq){ .op = GATEWAY_M_CREATE_FILE, .content_type = str_from(bad[i].ct),
				    .body = str_from(bad[i].body) };
		call = gateway_master_start(g, &up, &master, &m, &a, &sink);
		CHECK(call == NULL && f.responded == 1 && f.url[0] == 0);
		CHECK_EQ_INT(f.status, bad[i].status);
		CHECK(f.out.data && strstr(f.out.data, bad[i].msg));
	}
	buf_free(&f.body);
	buf_free(&f.out);
	arena_free(&a);
	gateway_free(g);
	config_free(c);
}

int main(void)
{
	RUN(form_from_sdk);
	RUN(form_checks);
	RUN(json_to_form);
	RUN(helpers);
	RUN(call);
	return t_done();
}
