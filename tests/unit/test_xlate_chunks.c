/* test_xlate_chunks.c — a chat.completion re-told as stream chunks (Azure o1). */
#include "providers/xlate_chunks.h"
#include "base/err.h"
#include "t.h"

static arena A;
static buf O;
static xlate_err E;

static int conv(const char *in, bool usage)
{
	arena_reset(&A);
	buf_reset(&O);
	memset(&E, 0, sizeof E);
	int rc = xlate_completion_chunks(in, strlen(in), usage, &A, &O, &E);
	if (rc >= 0 && buf_putc(&O, 0) == 0)
		O.len--;
	return rc;
}

TEST(text_and_usage)
{
	const char *in = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":7,\"model\":\"o1\","
			 "\"system_fingerprint\":\"fp\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			 "\"content\":\"hi \\\"you\\\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
			 "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3,"
			 "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}";
	CHECK_EQ_INT(conv(in, true), 3);
	CHECK_EQ_STR(O.data,
		     "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"o1\",\"system_fingerprint\":"
		     "\"fp\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi \\\"you\\\"\","
		     "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n"
		     "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"o1\",\"system_fingerprint\":"
		     "\"fp\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n"
		     "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"o1\",\"system_fingerprint\":"
		     "\"fp\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3,"
		     "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n");
	/* without include_usage: no usage chunk */
	CHECK_EQ_INT(conv(in, false), 2);
	CHECK(strstr(O.data, "usage") == NULL);
}

TEST(tool_calls_and_choices)
{
	const char *in = "{\"id\":\"c2\",\"created\":1,\"model\":\"m\",\"choices\":["
			 "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
			 "{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
			 "{\"id\":\"t2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"a\\\":1}\"}}]},"
			 "\"finish_reason\":\"tool_calls\"},"
			 "{\"index\":1,\"message\":{\"role\":\"assistant\",\"content\":\"x\"},\"finish_reason\":\"length\"}]}";
	CHECK_EQ_INT(conv(in, true), 4);
	CHECK(strstr(O.data, "\"tool_calls\":[{\"index\":0,\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":"
			     "\"f\",\"arguments\":\"{}\"}},{\"index\":1,\"id\":\"t2\"") != NULL);
	CHECK(strstr(O.data, "{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}") != NULL);
	CHECK(strstr(O.data, "{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}") != NULL);
}

TEST(errors)
{
	CHECK_EQ_INT(conv("[1]", false), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION && O.len == 0);
	CHECK_EQ_INT(conv("{\"choices\":1}", false), ERR_INVAL);
	CHECK_EQ_INT(conv("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\"}},2]}", false), ERR_INVAL);
	CHECK(O.len == 0);
	CHECK_EQ_INT(conv("not json", false), ERR_INVAL);
	/* the out cap: an error, out restored */
	buf small = { 0 };
	small.cap = 40;
	const char *in = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"aaaaaaaaaaaaaaaaaaaaaaaa\"}}]}";
	CHECK(xlate_completion_chunks(in, strlen(in), false, &A, &small, &E) < 0 && small.len == 0);
	CHECK(E.kind == XLATE_E_INTERNAL);
	buf_free(&small);
}

int main(void)
{
	RUN(text_and_usage);
	RUN(tool_calls_and_choices);
	RUN(errors);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
