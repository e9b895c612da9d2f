/* test_xlate_gemini_embed.c — OpenAI embeddings <-> Google AI Studio
 * embedContent / batchEmbedContents and Vertex AI predict
 * (providers/xlate_gemini_embed): exact request bodies, the batch URL flag,
 * base64 vectors, usage, Google error bodies, shape errors, output caps. */
#define XT_REQUEST xlate_gemini_embed_request
#define XT_RESPONSE xlate_gemini_embed_response
#define XT_MODEL "text-embedding-004"
#include "providers/xlate_gemini_embed.h"
#include "xlate_testlib.h"

static xlate_req_info INFO;

/* AI Studio request: the body, or "rc=<rc> <message>" */
static const char *st_rq(const char *in)
{
	xlate_ctx cx = ctx();
	return rq_out(XT_REQUEST, &cx, in, &INFO);
}

/* Vertex predict request, the same way */
static const char *vx_rq(const char *in)
{
	xlate_ctx cx = ctx();
	return rq_out(xlate_gemini_embed_predict_request, &cx, in, &INFO);
}

/* responses: the output or "rc=<rc> kind=<k> status=<s> <message>" */
static const char *resp(bool vertex, unsigned flags, const char *in, xlate_usage *u)
{
	xlate_ctx cx = ctx();
	cx.flags = flags;
	int rc = rs_fn(vertex ? xlate_gemini_embed_predict_response : XT_RESPONSE, &cx, in, u);
	if (rc) {
		static char tmp[700];
		snprintf(tmp, sizeof tmp, "rc=%d kind=%d status=%d %s", rc, (int)E.kind, E.status, E.msg);
		return tmp;
	}
	return O.data;
}

TEST(studio_single)
{
	CHECK_EQ_STR(st_rq("{\"model\":\"emb\",\"input\":\"hello\"}"), "{\"content\":{\"parts\":[{\"text\":\"hello\"}]}}");
	CHECK(!INFO.batch_url && INFO.flags == 0);
	/* dimensions, task_type (top level or extra_body), encoding_format float, user dropped */
	CHECK_EQ_STR(st_rq("{\"model\":\"emb\",\"input\":\"a\\\"b\\n\",\"dimensions\":256,\"task_type\":\"RETRIEVAL_QUERY\","
			   "\"encoding_format\":\"float\",\"user\":\"u1\"}"),
		     "{\"content\":{\"parts\":[{\"text\":\"a\\\"b\\n\"}]},\"taskType\":\"RETRIEVAL_QUERY\","
		     "\"outputDimensionality\":256}");
	CHECK(!INFO.batch_url && INFO.flags == 0);
	CHECK_EQ_STR(st_rq("{\"input\":\"x\",\"extra_body\":{\"task_type\":\"CLUSTERING\"},\"encoding_format\":\"base64\"}"),
		     "{\"content\":{\"parts\":[{\"text\":\"x\"}]},\"taskType\":\"CLUSTERING\"}");
	CHECK(INFO.flags & XLATE_F_EMBED_BASE64);
	/* null members are absent */
	CHECK_EQ_STR(st_rq("{\"input\":\"x\",\"dimensions\":null,\"encoding_format\":null}"),
		     "{\"content\":{\"parts\":[{\"text\":\"x\"}]}}");
}

TEST(studio_batch)
{
	CHECK_EQ_STR(st_rq("{\"model\":\"emb\",\"input\":[\"a\",\"b\"],\"dimensions\":8}"),
		     "{\"requests\":[{\"model\":\"models/text-embedding-004\",\"content\":{\"parts\":[{\"text\":\"a\"}]},"
		     "\"outputDimensionality\":8},{\"model\":\"models/text-embedding-004\",\"content\":{\"parts\":"
		     "[{\"text\":\"b\"}]},\"outputDimensionality\":8}]}");
	CHECK(INFO.batch_url);
	/* one element is still the array form */
	CHECK(strstr(st_rq("{\"input\":[\"only\"]}"), "\"requests\":[{") != NULL);
	CHECK(INFO.batch_url);
	/* a model that already names a resource is kept; no ctx model -> the request's */
	xlate_ctx cx = ctx();
	cx.model = STR_LIT("models/gemini-embedding-001");
	CHECK_EQ_INT(rq_info(&cx, "{\"input\":[\"a\"]}", &INFO), 0);
	CHECK(strstr(O.data, "\"model\":\"models/gemini-embedding-001\"") != NULL);
	cx.model = STR_NULL;
	CHECK_EQ_INT(rq_info(&cx, "{\"model\":\"my-emb\",\"input\":[\"a\"]}", &INFO), 0);
	CHECK(strstr(O.data, "\"model\":\"models/my-emb\"") != NULL);
}

TEST(request_errors)
{
	CHECK(strstr(rq("{\"model\":\"m\"}"), "missing 'input'") != NULL);
	CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
	CHECK(strstr(st_rq("{\"input\":[]}"), "must not be empty") != NULL);
	CHECK(strstr(st_rq("{\"input\":[1,2,3]}"), "token arrays are not supported") != NULL);
	CHECK(strstr(st_rq("{\"input\":[[1,2],[3]]}"), "token arrays are not supported") != NULL);
	CHECK(strstr(st_rq("{\"input\":[\"a\",{}]}"), "a string or an array of strings") != NULL);
	CHECK(strstr(st_rq("{\"input\":42}"), "a string or an array of strings") != NULL);
	CHECK(strstr(st_rq("{\"input\":\"a\",\"dimensions\":0}"), "positive integer") != NULL);
	CHECK(strstr(st_rq("{\"input\":\"a\",\"dimensions\":1.5}"), "positive integer") != NULL);
	CHECK(strstr(st_rq("{\"input\":\"a\",\"dimensions\":\"8\"}"), "positive integer") != NULL);
	CHECK(strstr(st_rq("{\"input\":\"a\",\"encoding_format\":\"hex\"}"), "encoding_format") != NULL);
	CHECK(strstr(st_rq("{\"input\":\"a\",\"task_type\":\"\"}"), "task_type") != NULL);
	CHECK(strstr(st_rq("[1]"), "must be a JSON object") != NULL);
	CHECK(strstr(st_rq("{\"input\":"), "not valid JSON") != NULL);
	CHECK(strstr(vx_rq("{\"input\":[7]}"), "token arrays") != NULL);
	CHECK(strstr(vx_rq("{\"input\":[7]}"), "OUTPUT LEFT") == NULL);
}

TEST(vertex_request)
{
	CHECK_EQ_STR(vx_rq("{\"model\":\"e\",\"input\":\"hello\"}"), "{\"instances\":[{\"content\":\"hello\"}]}");
	CHECK(!INFO.batch_url);
	CHECK_EQ_STR(vx_rq("{\"input\":[\"a\",\"b\"],\"dimensions\":64,\"task_type\":\"RETRIEVAL_DOCUMENT\","
			   "\"encoding_format\":\"base64\"}"),
		     "{\"instances\":[{\"content\":\"a\",\"task_type\":\"RETRIEVAL_DOCUMENT\"},{\"content\":\"b\","
		     "\"task_type\":\"RETRIEVAL_DOCUMENT\"}],\"parameters\":{\"outputDimensionality\":64}}");
	CHECK(!INFO.batch_url); /* Vertex has one URL for both */
	CHECK(INFO.flags & XLATE_F_EMBED_BASE64);
}

TEST(studio_response)
{
	xlate_usage u;
	CHECK_EQ_STR(resp(false, 0, "{\"embedding\":{\"values\":[0.1,-0.2,3,1e-7]}}", &u),
		     "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2,3,1e-7]}],"
		     "\"model\":\"text-embedding-004\",\"usage\":{\"prompt_tokens\":0,\"total_tokens\":0}}");
	CHECK(u.present && u.total_tokens == 0);
	const char *r = resp(false, 0, "{\"embeddings\":[{\"values\":[1]},{\"values\":[2,3]}],"
				      "\"usageMetadata\":{\"promptTokenCount\":9}}", &u);
	CHECK_EQ_STR(at(r, "data.1.embedding"), "[2,3]");
	CHECK_EQ_STR(at(r, "data.1.index"), "1");
	CHECK_EQ_STR(at(r, "usage.prompt_tokens"), "9");
	CHECK_EQ_INT(u.prompt_tokens, 9);
	/* an empty batch is an empty list */
	CHECK_EQ_STR(at(resp(false, 0, "{\"embeddings\":[]}", NULL), "data"), "[]");
}

TEST(base64_vectors)
{
	const char *r = resp(false, XLATE_F_EMBED_BASE64, "{\"embedding\":{\"values\":[1.0,-2.5,0.1]}}", NULL);
	CHECK_EQ_STR(at(r, "data.0.embedding"), "\"AACAPwAAIMDNzMw9\"");
	r = resp(true, XLATE_F_EMBED_BASE64, "{\"predictions\":[{\"embeddings\":{\"values\":[0.5,0.25]}}]}", NULL);
	CHECK_EQ_STR(at(r, "data.0.embedding"), "\"AAAAPwAAgD4=\"");
	CHECK_EQ_STR(at(resp(false, XLATE_F_EMBED_BASE64, "{\"embedding\":{\"values\":[]}}", NULL), "data.0.embedding"),
		     "\"\"");
}

TEST(vertex_response)
{
	xlate_usage u;
	const char *r = resp(true, 0,
			     "{\"predictions\":[{\"embeddings\":{\"values\":[0.25,0.5],\"statistics\":{\"token_count\":3,"
			     "\"truncated\":false}}},{\"embeddings\":{\"values\":[1],\"statistics\":{\"token_count\":4.0}}}],"
			     "\"metadata\":{\"billableCharacterCount\":10}}",
			     &u);
	CHECK_EQ_STR(r, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.25,0.5]},"
			"{\"object\":\"embedding\",\"index\":1,\"embedding\":[1]}],\"model\":\"text-embedding-004\","
			"\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}");
	CHECK_EQ_INT(u.prompt_tokens, 7);
	CHECK_EQ_INT(u.total_tokens, 7);
}

TEST(response_errors)
{
	const char *ge = "{\"error\":{\"code\":400,\"message\":\"Request contains an invalid argument.\","
			 "\"status\":\"INVALID_ARGUMENT\"}}";
	CHECK_EQ_STR(resp(false, 0, ge, NULL), "rc=-2 kind=4 status=400 Request contains an invalid argument.");
	CHECK_EQ_STR(E.type, "INVALID_ARGUMENT");
	CHECK_EQ_STR(resp(true, 0, ge, NULL), "rc=-2 kind=4 status=400 Request contains an invalid argument.");
	CHECK_EQ_STR(resp(true, 0, "{\"error\":{\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL),
		     "rc=-2 kind=4 status=429 quota");
	CHECK(strstr(resp(false, 0, "{}", NULL), "kind=2") != NULL);
	CHECK(strstr(resp(false, 0, "{}", NULL), "no embedding") != NULL);
	CHECK(strstr(resp(true, 0, "{\"predictions\":{}}", NULL), "no predictions") != NULL);
	CHECK(strstr(resp(false, 0, "{\"embedding\":{\"values\":[1,\"2\"]}}", NULL), "embedding 0 is not an array of numbers") != NULL);
	CHECK(strstr(resp(false, 0, "{\"embeddings\":[{\"values\":[1]},{}]}", NULL), "embedding 1 is not") != NULL);
	CHECK(strstr(resp(true, 0, "{\"predictions\":[{\"embeddings\":{}}]}", NULL), "kind=2") != NULL);
	CHECK(strstr(resp(false, 0, "[]", NULL), "not a JSON object") != NULL);
	CHECK(strstr(resp(false, 0, "nope", NULL), "invalid JSON") != NULL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
}

TEST(caps)
{
	/* a tight cap: ERR_TOOBIG, the output as it was */
	buf small = { 0 };
	xlate_ctx cx = ctx();
	const char *body = "{\"embedding\":{\"values\":[0.1,0.2,0.3,0.4,0.5]}}";
	buf_init(&small, 40);
	buf_puts(&small, "pre");
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_embed_response(&cx, body, strlen(body), &A, &small, NULL, &E), ERR_TOOBIG);
	CHECK_EQ_STR(small.data, "pre");
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	cx.flags = XLATE_F_EMBED_BASE64;
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_embed_response(&cx, body, strlen(body), &A, &small, NULL, &E), ERR_TOOBIG);
	CHECK_EQ_STR(small.data, "pre");
	buf_reset(&small);
	buf_puts(&small, "pre");
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_embed_request(&cx, "{\"input\":[\"aaaaaaaaaa\",\"bbbbbbbbbbbb\"]}", 39, &A, &small,
						NULL, &E), ERR_TOOBIG);
	CHECK_EQ_STR(small.data, "pre");
	buf_free(&small);
}

int main(void)
{
	RUN(studio_single);
	RUN(studio_batch);
	RUN(request_errors);
	RUN(vertex_request);
	RUN(studio_response);
	RUN(base64_vectors);
	RUN(vertex_response);
	RUN(response_errors);
	RUN(caps);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
