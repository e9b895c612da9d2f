/* test_proxy.c — route matching (paths, {id}, methods, HEAD, master ops) and
 * the JSON content-type check of the REST adapter. */
#include "proxy/proxy.h"
#include "t.h"

static proxy_route m(const char *path, const char *method, bool *ok)
{
	return proxy_match(str_from(path), str_from(method), ok);
}

TEST(routes_public)
{
	bool ok;
	proxy_route r = m("/health", "GET", &ok);
	CHECK(r.kind == PROXY_R_HEALTH && r.is_public && ok);
	r = m("/health", "HEAD", &ok);
	CHECK(ok);
	r = m("/health", "POST", &ok);
	CHECK(r.kind == PROXY_R_HEALTH && !ok);
	CHECK(m("/healthz", "GET", &ok).kind == PROXY_R_HEALTHZ);
	CHECK(m("/readyz", "GET", &ok).kind == PROXY_R_READYZ);
	CHECK(m("/health/liveness", "GET", &ok).kind == PROXY_R_LIVENESS);
	CHECK(m("/health/readiness", "GET", &ok).kind == PROXY_R_READINESS);
	CHECK(m("/openapi.json", "GET", &ok).kind == PROXY_R_OPENAPI);
}

TEST(routes_v1)
{
	bool ok;
	proxy_route r = m("/v1/chat/completions", "POST", &ok);
	CHECK(r.kind == PROXY_R_OP && r.op == GATEWAY_OP_CHAT && ok && !r.is_public);
	r = m("/v1/chat/completions", "GET", &ok);
	CHECK(r.kind == PROXY_R_OP && !ok);
	r = m("/v1/embeddings", "POST", &ok);
	CHECK(r.op == GATEWAY_OP_EMBEDDINGS && ok);
	r = m("/v1/audio/speech", "POST", &ok);
	CHECK(r.op == GATEWAY_OP_SPEECH);
	r = m("/v1/models/gpt-4o", "GET", &ok);
	CHECK(r.kind == PROXY_R_MODEL && ok && str_eq_cstr(r.id, "gpt-4o"));
	CHECK(m("/v1/models/", "GET", &ok).kind == PROXY_R_NONE);
	CHECK(m("/v1/completions", "POST", &ok).kind == PROXY_R_NONE);
	CHECK(m("/v1/chat/completions/", "POST", &ok).kind == PROXY_R_NONE);
	CHECK(m("/V1/models", "GET", &ok).kind == PROXY_R_NONE);
	CHECK(m("", "GET", &ok).kind == PROXY_R_NONE);
}

TEST(routes_master)
{
	bool ok;
	proxy_route r = m("/v1/files", "POST", &ok);
	CHECK(r.kind == PROXY_R_MASTER && ok);
	CHECK_EQ_STR(r.master_op, "create_file");
	r = m("/v1/files", "GET", &ok);
	CHECK_EQ_STR(r.master_op, "list_files");
	r = m("/v1/files/file-1/content", "GET", &ok);
	CHECK_EQ_STR(r.master_op, "file_content");
	CHECK(str_eq_cstr(r.id, "file-1"));
	r = m("/v1/files/file-1", "DELETE", &ok);
	CHECK(ok);
	CHECK_EQ_STR(r.master_op, "delete_file");
	r = m("/v1/batches/b1/cancel", "POST", &ok);
	CHECK_EQ_STR(r.master_op, "cancel_batch");
	r = m("/v1/responses/r1", "DELETE", &ok);
	CHECK(r.kind == PROXY_R_MASTER && !ok);
}

TEST(content_type)
{
	CHECK(proxy_json_ctype(STR_LIT("application/json")));
	CHECK(proxy_json_ctype(STR_LIT("Application/JSON; charset=utf-8")));
	CHECK(proxy_json_ctype(STR_LIT("application/vnd.api+json")));
	CHECK(!proxy_json_ctype(STR_LIT("text/plain")));
	CHECK(!proxy_json_ctype(STR_LIT("")));
	CHECK(!proxy_json_ctype(STR_LIT("application/jsonx")));
	CHECK(!proxy_json_ctype(STR_LIT("multipart/form-data; boundary=x")));
}

int main(void)
{
	RUN(routes_public);
	RUN(routes_v1);
	RUN(routes_master);
	RUN(content_type);
	return t_done();
}
