/* test_xlate_cohere.c — OpenAI <-> Cohere v2 Chat translation: request
 * mapping, response mapping, error bodies, the stream state machine (a
 * realistic v2 event sequence, every SSE split point, tool calls, errors,
 * caps) and the codec row. Every output goes through the strict JSON reader. */
#include "providers/xlate_cohere.h"
#include "providers/xlate_codec.h"
#define XT_REQUEST xlate_cohere_request
#define XT_RESPONSE xlate_cohere_response
#define XT_MODEL "command-r-plus"
#include "xlate_testlib.h"

#define U(s) "{\"role\":\"user\",\"content\":\"" s "\"}"

/* ================================ request =================================== */

TEST(req_minimal)
{
	xlate_req_info info;
	xlate_ctx cx = ctx();
	CHECK_EQ_STR(rq("{\"model\":\"cohere/command-r-plus\",\"messages\":[" U("hi") "],\"stream\":true}"),
		     "{\"model\":\"command-r-plus\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}");
	cx.stream = true;
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "],\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
			     &info),
		     0);
	CHECK(info.stream && info.include_usage);
	CHECK_EQ_STR(at(O.data, "stream"), "true");
	CHECK_EQ_STR(at(O.data, "stream_options"), "<none>");
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "]}", &info), 0);
	CHECK(!info.stream && !info.include_usage);
	/* no model in the context: the client's */
	cx.model = STR_NULL;
	CHECK_EQ_INT(rq_info(&cx, "{\"model\":\"command-a\",\"messages\":[" U("hi") "]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "model"), "\"command-a\"");
}

TEST(req_roles)
{
	const char *o = rq("{\"messages\":["
			   "{\"role\":\"system\",\"content\":\"Be brief.\"},"
			   "{\"role\":\"system\",\"content\":\"\"},"
			   "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"Dev\"},{\"type\":\"text\"}]},"
			   U("a") ","
			   "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/i.png\",\"detail\":\"low\"}},"
			   "{\"type\":\"image_url\",\"image_url\":\"data:image/png;base64,AAA\"},"
			   "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"x\"}},"
			   "{\"type\":\"refusal\",\"text\":\"odd\"}]},"
			   "{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\"}]},"
			   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"b\"},{\"type\":\"text\",\"text\":\"c\"}]},"
			   "{\"role\":\"assistant\",\"content\":null}]}");
	CHECK_EQ_STR(at(o, "messages"),
		     "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
		     "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Dev\"}]},"
		     "{\"role\":\"user\",\"content\":\"a\"},"
		     "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},"
		     "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/i.png\",\"detail\":\"low\"}},"
		     "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAA\"}},"
		     "{\"type\":\"text\",\"text\":\"odd\"}]},"
		     "{\"role\":\"user\",\"content\":\"\"},"
		     "{\"role\":\"assistant\",\"content\":\"bc\"},"
		     "{\"role\":\"assistant\",\"content\":\"\"}]");
}

TEST(req_tool_round_trip)
{
	const char *o = rq(
		"{\"messages\":[" U("weather?") ","
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
		"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
		"{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\" \"}},"
		"{\"id\":\"call_3\",\"type\":\"function\",\"function\":{\"name\":\"obj\",\"arguments\":{\"a\":[1, 2]}}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"no\"},"
		"{\"type\":\"text\",\"text\":\"on\"}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_3\",\"content\":{\"a\":1}},"
		"{\"role\":\"tool\"},"
		"{\"role\":\"function\",\"name\":\"legacy\",\"content\":\"done\"},"
		"{\"role\":\"assistant\",\"content\":\"Let me\",\"tool_calls\":[{\"function\":{\"name\":\"f\"}}]}]}");
	CHECK_EQ_STR(at(o, "messages.1"),
		     "{\"role\":\"assistant\",\"tool_calls\":["
		     "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
		     "\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
		     "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}},"
		     "{\"id\":\"call_3\",\"type\":\"function\",\"function\":{\"name\":\"obj\",\"arguments\":"
		     "\"{\\\"a\\\":[1,2]}\"}}]}");
	CHECK_EQ_STR(at(o, "messages.2"), "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}");
	CHECK_EQ_STR(at(o, "messages.3"), "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"noon\"}");
	CHECK_EQ_STR(at(o, "messages.4"), "{\"role\":\"tool\",\"tool_call_id\":\"call_3\",\"content\":\"{\\\"a\\\":1}\"}");
	CHECK_EQ_STR(at(o, "messages.5"), "{\"role\":\"tool\",\"tool_call_id\":\"\",\"content\":\"\"}");
	CHECK_EQ_STR(at(o, "messages.6"), "{\"role\":\"tool\",\"tool_call_id\":\"legacy\",\"content\":\"done\"}");
	CHECK_EQ_STR(at(o, "messages.7"),
		     "{\"role\":\"assistant\",\"content\":\"Let me\",\"tool_calls\":[{\"id\":\"\",\"type\":\"function\","
		     "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}");
}

TEST(req_tool_arguments_invalid)
{
	const char *bad[] = { "\"[1]\"", "\"{\\\"a\\\":\"", "\"nope\"", "5", "true" };
	char in[512];
	xlate_ctx cx = ctx();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(in, sizeof in,
			 "{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":"
			 "{\"name\":\"f\",\"arguments\":%s}}]}]}", bad[i]);
		cx.flags = 0;
		CHECK_EQ_INT(rq_info(&cx, in, NULL), 0);
		CHECK_EQ_STR(at(O.data, "messages.1.tool_calls.0.function.arguments"), "\"{}\"");
		cx.flags = XLATE_F_STRICT_ARGS;
		CHECK_EQ_INT(rq_info(&cx, in, NULL), ERR_INVAL);
		CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
		CHECK(strstr(E.msg, "messages[1].tool_calls[0].function.arguments is not a JSON object") != NULL);
	}
	/* blank and absent are {} even when strict */
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":[{\"function\":"
				  "{\"name\":\"f\",\"arguments\":\"\\n\"}},{\"function\":{\"name\":\"g\"}}]}]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "messages.1.tool_calls.1.function.arguments"), "\"{}\"");
}

TEST(req_params)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"max_tokens\":10,\"max_completion_tokens\":20,\"temperature\":0.3,"
			   "\"top_p\":0.5,\"top_k\":40,\"stop\":\"END\",\"seed\":7,\"frequency_penalty\":0.1,"
			   "\"presence_penalty\":-0.2,\"logprobs\":true,\"n\":2,\"user\":\"u\",\"logit_bias\":{\"1\":2},"
			   "\"parallel_tool_calls\":false,\"stream_options\":{\"include_usage\":true},\"service_tier\":\"auto\","
			   "\"metadata\":{\"a\":\"b\"},\"store\":true,\"reasoning_effort\":\"low\"}");
	CHECK_EQ_STR(o, "{\"model\":\"command-r-plus\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":false,"
			"\"max_tokens\":20,\"temperature\":0.3,\"p\":0.5,\"k\":40,\"stop_sequences\":[\"END\"],\"seed\":7,"
			"\"frequency_penalty\":0.1,\"presence_penalty\":-0.2,\"logprobs\":true}");
	o = rq("{\"messages\":[" U("x") "],\"max_tokens\":10,\"stop\":[\"a\",1,\"b\"],\"logprobs\":false,"
	       "\"temperature\":null,\"top_p\":null}");
	CHECK_EQ_STR(at(o, "max_tokens"), "10");
	CHECK_EQ_STR(at(o, "stop_sequences"), "[\"a\",\"b\"]");
	CHECK_EQ_STR(at(o, "logprobs"), "<none>");
	CHECK_EQ_STR(at(o, "temperature"), "<none>");
	/* the context's default output cap */
	xlate_ctx cx = ctx();
	cx.max_tokens = 99;
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("x") "]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "max_tokens"), "99");
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("x") "],\"max_tokens\":5}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "max_tokens"), "5");
	/* top_p bounds (providers.md: outside [0.01, 0.99] -> 400) */
	static const struct {
		const char *v;
		int rc;
	} tp[] = { { "0.01", 0 }, { "0.99", 0 }, { "0.5", 0 }, { "0", ERR_INVAL }, { "1", ERR_INVAL },
		   { "0.995", ERR_INVAL }, { "-1", ERR_INVAL }, { "1e400", ERR_INVAL } };
	char in[200];
	for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++) {
		snprintf(in, sizeof in, "{\"messages\":[" U("x") "],\"top_p\":%s}", tp[i].v);
		CHECK_EQ_INT(rq_info(&cx, in, NULL), tp[i].rc);
		if (tp[i].rc) {
			CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
			CHECK(strstr(E.msg, "top_p must be between 0.01 and 0.99") != NULL);
		} else {
			CHECK_EQ_STR(at(O.data, "p"), tp[i].v);
		}
	}
}

TEST(req_response_format)
{
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_object\"}}"), "response_format"),
		     "{\"type\":\"json_object\"}");
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
			   "{\"name\":\"o\",\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}}}"),
			"response_format"),
		     "{\"type\":\"json_object\",\"json_schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}");
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_schema\"}}"), "response_format"),
		     "{\"type\":\"json_object\"}");
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"text\"}}"), "response_format"),
		     "<none>");
}

#define TOOLS "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"W\"," \
	"\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}," \
	"{\"type\":\"web_search\"},{\"function\":{\"name\":\"now\"}}]"

TEST(req_tools)
{
	const char *o = rq("{\"messages\":[" U("x") "]," TOOLS "}");
	CHECK_EQ_STR(at(o, "tools"),
		     "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"W\",\"parameters\":"
		     "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}},"
		     "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]");
	CHECK_EQ_STR(at(o, "tool_choice"), "<none>");
	static const struct {
		const char *tc, *want;
	} m[] = { { "\"required\"", "\"REQUIRED\"" }, { "\"none\"", "\"NONE\"" }, { "\"auto\"", "<none>" },
		  { "{\"type\":\"function\",\"function\":{\"name\":\"now\"}}", "\"REQUIRED\"" }, { "7", "<none>" } };
	char in[800];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		snprintf(in, sizeof in, "{\"messages\":[" U("x") "]," TOOLS ",\"tool_choice\":%s}", m[i].tc);
		o = rq(in);
		CHECK_EQ_STR(at(o, "tool_choice"), m[i].want);
	}
	/* a named function narrows the tools to it */
	o = rq("{\"messages\":[" U("x") "]," TOOLS ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"now\"}}}");
	CHECK_EQ_STR(at(o, "tools"), "[{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]");
	/* no tools: no tool_choice */
	o = rq("{\"messages\":[" U("x") "],\"tool_choice\":\"required\",\"tools\":[{\"type\":\"web_search\"}]}");
	CHECK_EQ_STR(at(o, "tools"), "<none>");
	CHECK_EQ_STR(at(o, "tool_choice"), "<none>");
	o = rq("{\"messages\":[" U("x") "]," TOOLS ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"zz\"}}}");
	CHECK_EQ_STR(at(o, "tools"), "<none>");
	CHECK_EQ_STR(at(o, "tool_choice"), "<none>");
}

TEST(req_extra_body)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"temperature\":0.2,\"top_k\":3,\"extra_body\":{\"temperature\":0.9,"
			   "\"safety_mode\":\"STRICT\",\"stream\":true,\"k\":5,\"model\":\"command-a\","
			   "\"documents\":[{\"data\":{\"t\":\"x\"}}],\"we\\\"ird\":1}}");
	CHECK_EQ_STR(o, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":false,\"temperature\":0.9,"
			"\"safety_mode\":\"STRICT\",\"k\":5,\"model\":\"command-a\",\"documents\":[{\"data\":{\"t\":\"x\"}}],"
			"\"we\\\"ird\":1}");
	/* a non-object extra_body is ignored */
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"extra_body\":[1]}"), "model"), "\"command-r-plus\"");
	/* extra_body messages replaces ours */
	o = rq("{\"messages\":[" U("x") "],\"extra_body\":{\"messages\":[]}}");
	CHECK_EQ_STR(at(o, "messages"), "[]");
}

TEST(req_errors)
{
	static const struct {
		const char *in, *msg;
	} m[] = {
		{ "", "request body is not valid JSON" },
		{ "[1]", "request body must be a JSON object" },
		{ "{}", "messages array must not be empty" },
		{ "{\"messages\":[]}", "messages array must not be empty" },
		{ "{\"messages\":{}}", "messages array must not be empty" },
		{ "{\"messages\":[1]}", "messages[0] is not an object" },
		{ "{\"messages\":[" U("x") ",{\"content\":\"y\"}]}", "messages[1] has no role" },
		{ "{\"messages\":[{\"role\":\"robot\"}]}", "messages[0] has an unsupported role 'robot'" },
	};
	xlate_ctx cx = ctx();
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		CHECK_EQ_INT(rq_info(&cx, m[i].in, NULL), ERR_INVAL);
		CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
		CHECK(strstr(E.msg, m[i].msg) == E.msg);
	}
}

TEST(req_output_cap)
{
	const char *in = "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}," U("hello there") ","
			 "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":"
			 "{\"k\":[1,2,3]}}}]},{\"role\":\"tool\",\"tool_call_id\":\"a\",\"content\":\"r\"}]," TOOLS
			 ",\"stop\":[\"x\"],\"response_format\":{\"type\":\"json_object\"}}";
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rq_info(&cx, in, NULL), 0);
	size_t full = O.len;
	char *want = strdup(O.data);
	int bad = 0;
	buf small = { 0 };
	for (size_t cap = 1; cap <= full + 1; cap++) {
		buf_free(&small);
		buf_init(&small, cap);
		buf_puts(&small, "x");
		arena_reset(&A);
		int rc = xlate_cohere_request(&cx, in, strlen(in), &A, &small, NULL, &E);
		if (cap < full + 1 ? rc != ERR_TOOBIG || small.len != 1 || E.kind != XLATE_E_INTERNAL
				   : rc != 0 || small.len != full + 1 || memcmp(small.data + 1, want, full))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	buf_free(&small);
	free(want);
}

/* ================================ response ================================== */

static const char RESP_TEXT[] =
	"{\"id\":\"c14c80c3-18eb-4519-9460-6c92edd8cfb4\",\"finish_reason\":\"COMPLETE\",\"message\":{\"role\":\"assistant\","
	"\"content\":[{\"type\":\"text\",\"text\":\"Hello \\\"you\\\"\"},{\"type\":\"text\",\"text\":\"!\"}],"
	"\"citations\":[]},\"usage\":{\"billed_units\":{\"input_tokens\":5,\"output_tokens\":418},"
	"\"tokens\":{\"input_tokens\":71,\"output_tokens\":418}}}";

TEST(resp_text)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx, RESP_TEXT, &u), 0);
	CHECK_EQ_STR(O.data, "{\"id\":\"c14c80c3-18eb-4519-9460-6c92edd8cfb4\",\"object\":\"chat.completion\",\"created\":"
			     "1700000000,\"model\":\"command-r-plus\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
			     "\"assistant\",\"content\":\"Hello \\\"you\\\"!\"},\"finish_reason\":\"stop\"}],\"usage\":"
			     "{\"prompt_tokens\":5,\"completion_tokens\":418,\"total_tokens\":423}}");
	CHECK(u.present && u.prompt_tokens == 5 && u.completion_tokens == 418 && u.total_tokens == 423);
	/* no id: the context's, then the default; no content: null */
	CHECK_EQ_INT(rs(&cx, "{\"message\":{\"content\":[]},\"finish_reason\":\"MAX_TOKENS\"}", &u), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	CHECK_EQ_STR(at(O.data, "choices.0.message.content"), "null");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"length\"");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}");
	CHECK(!u.present);
	CHECK_EQ_INT(rs(NULL, "{\"message\":{\"content\":\"plain\"}}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"cohere-resp\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"\"");
	CHECK_EQ_STR(at(O.data, "choices.0.message.content"), "\"plain\"");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"stop\"");
}

TEST(resp_tools_and_thinking)
{
	xlate_ctx cx = ctx();
	const char *in =
		"{\"id\":\"r1\",\"finish_reason\":\"TOOL_CALL\",\"message\":{\"role\":\"assistant\",\"tool_plan\":\"I will "
		"look it up\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hmm\"},{\"type\":\"text\",\"text\":\"\"}],"
		"\"tool_calls\":[{\"id\":\"get_weather_abc\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
		"\"arguments\":\"{\\\"location\\\":\\\"Toronto\\\"}\"}},{\"id\":\"t2\",\"type\":\"function\",\"function\":"
		"{\"name\":\"obj\",\"arguments\":{\"a\":[1, {}]}}},{\"id\":\"t3\",\"function\":{\"name\":\"none\",\"arguments\":"
		"\"\"}},7]},\"usage\":{\"tokens\":{\"input_tokens\":3.0,\"output_tokens\":4}}}";
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx, in, &u), 0);
	CHECK_EQ_STR(at(O.data, "choices.0"),
		     "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
		     "{\"id\":\"get_weather_abc\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
		     "\"{\\\"location\\\":\\\"Toronto\\\"}\"}},"
		     "{\"id\":\"t2\",\"type\":\"function\",\"function\":{\"name\":\"obj\",\"arguments\":\"{\\\"a\\\":[1,{}]}\"}},"
		     "{\"id\":\"t3\",\"type\":\"function\",\"function\":{\"name\":\"none\",\"arguments\":\"{}\"}}],"
		     "\"reasoning_content\":\"hmm\"},\"finish_reason\":\"tool_calls\"}");
	/* usage.tokens when there are no billed units; 3.0 is an integer */
	CHECK(u.prompt_tokens == 3 && u.completion_tokens == 4 && u.total_tokens == 7);
	/* tool calls without a finish reason */
	CHECK_EQ_INT(rs(&cx, "{\"message\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}",
			NULL), 0);
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"tool_calls\"");
}

TEST(resp_finish_reasons)
{
	static const struct {
		const char *fr, *want;
	} m[] = { { "\"COMPLETE\"", "\"stop\"" },       { "\"STOP_SEQUENCE\"", "\"stop\"" },
		  { "\"MAX_TOKENS\"", "\"length\"" },    { "\"TOOL_CALL\"", "\"tool_calls\"" },
		  { "\"ERROR_TOXIC\"", "\"content_filter\"" }, { "\"ERROR\"", "\"ERROR\"" },
		  { "\"TIMEOUT\"", "\"TIMEOUT\"" },      { "\"SOMETHING_NEW\"", "\"SOMETHING_NEW\"" },
		  { "null", "\"stop\"" },                { "3", "\"stop\"" } };
	char in[200];
	xlate_ctx cx = ctx();
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		snprintf(in, sizeof in, "{\"message\":{\"content\":[]},\"finish_reason\":%s}", m[i].fr);
		CHECK_EQ_INT(rs(&cx, in, NULL), 0);
		CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), m[i].want);
	}
}

TEST(resp_usage)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	/* billed units win; a missing count is 0; non-integral counts are 0 */
	CHECK_EQ_INT(rs(&cx, "{\"message\":{},\"usage\":{\"billed_units\":{\"output_tokens\":2},\"tokens\":"
			     "{\"input_tokens\":9,\"output_tokens\":9}}}", &u), 0);
	CHECK(u.prompt_tokens == 0 && u.completion_tokens == 2 && u.total_tokens == 2);
	CHECK_EQ_INT(rs(&cx, "{\"message\":{},\"usage\":{\"billed_units\":{},\"tokens\":{\"input_tokens\":1.5,"
			     "\"output_tokens\":18446744073709551615}}}", &u), 0);
	CHECK(u.prompt_tokens == 0 && u.completion_tokens == UINT64_MAX && u.total_tokens == UINT64_MAX);
	CHECK_EQ_STR(at(O.data, "usage.total_tokens"), "18446744073709551615");
}

TEST(resp_errors)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx, "not json", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK(strstr(E.msg, "invalid JSON from Cohere") == E.msg);
	CHECK_EQ_INT(rs(&cx, "[]", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK_EQ_INT(rs(&cx, "{\"id\":\"x\"}", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK_EQ_STR(E.msg, "Cohere response has no message");
	CHECK_EQ_INT(rs(&cx, "{\"message\":[]}", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	/* Cohere's error shape in a 2xx body */
	CHECK_EQ_INT(rs(&cx, "{\"id\":\"e\",\"message\":\"invalid api token\"}", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_UPSTREAM);
	CHECK_EQ_STR(E.msg, "invalid api token");
	CHECK_EQ_INT(E.status, 0);
}

TEST(error_bodies)
{
	static const struct {
		const char *in;
		int rc;
		const char *msg;
	} m[] = {
		{ "{\"message\":\"invalid api token\"}", 0, "invalid api token" },
		{ "{\"id\":\"1\",\"message\":\"too many tokens: total number of tokens in the prompt cannot exceed 4081\"}", 0,
		  "too many tokens: total number of tokens in the prompt cannot exceed 4081" },
		{ "{\"message\":\"\"}", 0, "unknown Cohere error" },
		{ "{\"message\":\"caf\\u00e9 \\ud83d\\ude00\"}", 0, "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "{\"error\":{\"message\":\"nested\"}}", 0, "nested" },
		{ "{\"error\":\"flat\"}", 0, "flat" },
		{ "{\"message\":5}", ERR_NOTFOUND, NULL },
		{ "{\"detail\":\"x\"}", ERR_NOTFOUND, NULL },
		{ "[\"message\"]", ERR_NOTFOUND, NULL },
		{ "upstream exploded", ERR_NOTFOUND, NULL },
		{ "", ERR_NOTFOUND, NULL },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		xlate_err e;
		memset(&e, 0x5a, sizeof e);
		arena_reset(&A);
		CHECK_EQ_INT(xlate_cohere_error(m[i].in, strlen(m[i].in), &A, &e), m[i].rc);
		if (m[i].rc == 0) {
			CHECK_EQ_INT(e.kind, XLATE_E_UPSTREAM);
			CHECK_EQ_INT(e.status, 0);
			CHECK_EQ_STR(e.type, "");
			CHECK_EQ_STR(e.msg, m[i].msg);
		} else {
			CHECK_EQ_INT(e.kind, 0x5a5a5a5a); /* untouched */
		}
	}
	/* a long message is cut at a character boundary */
	char big[2000];
	size_t n = (size_t)snprintf(big, sizeof big, "{\"message\":\"");
	for (int i = 0; i < 600; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "\xc3\xa9");
	snprintf(big + n, sizeof big - n, "\"}");
	xlate_err e;
	CHECK_EQ_INT(xlate_cohere_error(big, strlen(big), &A, &e), 0);
	CHECK(strlen(e.msg) < XLATE_ERR_MSG_MAX && strlen(e.msg) % 2 == 0 && json_utf8_valid(e.msg, strlen(e.msg)));
}

/* ================================ stream ==================================== */

/* A v2 stream as Cohere sends it: a tool plan, two tool calls, text (event
 * name + data with the same "type"). */
static const char *const EVENTS[][2] = {
	{ "message-start", "{\"id\":\"m-1\",\"type\":\"message-start\",\"delta\":{\"message\":{\"role\":\"assistant\","
			   "\"content\":[],\"tool_plan\":\"\",\"tool_calls\":[],\"citations\":[]}}}" },
	{ "tool-plan-delta", "{\"type\":\"tool-plan-delta\",\"delta\":{\"message\":{\"tool_plan\":\"I will\"}}}" },
	{ "tool-call-start", "{\"type\":\"tool-call-start\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"id\":"
			     "\"get_weather_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
			     "\"\"}}}}}" },
	{ "tool-call-delta", "{\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"function\":"
			     "{\"arguments\":\"{\\n    \\\"\"}}}}}" },
	{ "tool-call-delta", "{\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":{\"tool_calls\":{\"function\":"
			     "{\"arguments\":\"city\\\": \\\"Paris\\\"}\"}}}}}" },
	{ "tool-call-end", "{\"type\":\"tool-call-end\",\"index\":0}" },
	{ "tool-call-start", "{\"type\":\"tool-call-start\",\"index\":1,\"delta\":{\"message\":{\"tool_calls\":{\"id\":"
			     "\"now_2\",\"type\":\"function\",\"function\":{\"name\":\"now\",\"arguments\":\"\"}}}}}" },
	{ "tool-call-end", "{\"type\":\"tool-call-end\",\"index\":1}" },
	{ "content-start", "{\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"type\":\"text\","
			   "\"text\":\"\"}}}}" },
	{ "content-delta", "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":"
			   "\"Let me \\\"check\\\"\"}}},\"logprobs\":null}" },
	{ "content-delta", "{\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"thinking\":"
			   "\"hm\"}}}}" },
	{ "content-end", "{\"type\":\"content-end\",\"index\":0}" },
	{ "citation-start", "{\"type\":\"citation-start\",\"index\":0,\"delta\":{\"message\":{\"citations\":{}}}}" },
	{ "message-end", "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":\"TOOL_CALL\",\"usage\":{\"billed_units\":"
			 "{\"input_tokens\":9,\"output_tokens\":15},\"tokens\":{\"input_tokens\":900,\"output_tokens\":15}}}}" },
};
#define NEVENTS (sizeof EVENTS / sizeof EVENTS[0])

#define CH(delta, fin) "{\"id\":\"m-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
	"\"command-r-plus\",\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" fin "}]"
static const char EXPECT_BODY[] =
	CH("{\"role\":\"assistant\",\"content\":\"\"}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"id\":\"get_weather_1\",\"type\":\"function\",\"function\":{\"name\":"
	   "\"get_weather\",\"arguments\":\"\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\n    \\\"\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"city\\\": \\\"Paris\\\"}\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":1,\"id\":\"now_2\",\"type\":\"function\",\"function\":{\"name\":\"now\","
	   "\"arguments\":\"\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}", "null") "}\n"
	CH("{\"content\":\"Let me \\\"check\\\"\"}", "null") "}\n"
	CH("{\"reasoning_content\":\"hm\"}", "null") "}\n";
static const char EXPECT_FINISH_USAGE[] =
	CH("{}", "\"tool_calls\"") ",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":15,\"total_tokens\":24}}\n";
static const char EXPECT_FINISH[] = CH("{}", "\"tool_calls\"") "}\n";
static const char EXPECT_USAGE_CHUNK[] =
	"{\"id\":\"m-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"command-r-plus\","
	"\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":15,\"total_tokens\":24}}\n";

static int feed(xlate_cohere_stream *st, const char *type, const char *data)
{
	arena_reset(&A);
	return xlate_cohere_stream_feed(st, str_from(type), str_from(data), &A, &O, &E);
}

static void run_events(bool include_usage, bool names_only, int *total, int *bad_rc)
{
	xlate_ctx cx = ctx();
	xlate_cohere_stream st;
	cx.include_usage = include_usage;
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	*total = 0;
	*bad_rc = 0;
	for (size_t i = 0; i < NEVENTS; i++) {
		char data[600];
		snprintf(data, sizeof data, "%s", EVENTS[i][1]);
		if (names_only) { /* the data without its "type": the event name decides */
			char *t = strstr(data, "\"type\":\"");
			if (t) {
				char *e = strchr(t + 8, '"');
				memmove(t, e + 2, strlen(e + 2) + 1);
			}
		}
		int n = feed(&st, EVENTS[i][0], data);
		if (n < 0)
			*bad_rc = n;
		else
			*total += n;
	}
	int n = xlate_cohere_stream_end(&st, &O, &E);
	if (n < 0)
		*bad_rc = n;
	else
		*total += n;
}

TEST(stream_full_sequence)
{
	int total, bad_rc;
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH_USAGE];
	snprintf(want, sizeof want, "%s%s", EXPECT_BODY, EXPECT_FINISH_USAGE);
	for (int names = 0; names < 2; names++) {
		run_events(false, names, &total, &bad_rc);
		CHECK_EQ_INT(bad_rc, 0);
		CHECK_EQ_INT(total, 9);
		CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
		CHECK_EQ_INT(valid_lines(O.data, O.len), 9);
	}
}

TEST(stream_include_usage)
{
	int total, bad_rc;
	run_events(true, false, &total, &bad_rc);
	CHECK_EQ_INT(bad_rc, 0);
	CHECK_EQ_INT(total, 10);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH + sizeof EXPECT_USAGE_CHUNK];
	snprintf(want, sizeof want, "%s%s%s", EXPECT_BODY, EXPECT_FINISH, EXPECT_USAGE_CHUNK);
	CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
}

TEST(stream_through_sse_decoder)
{
	const xlate_codec *k = xlate_codec_for(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_CHAT);
	xlate_ctx cx = ctx();
	buf sse = { 0 }, whole = { 0 };
	for (size_t i = 0; i < NEVENTS; i++)
		buf_printf(&sse, "event: %s\ndata: %s\n\n", EVENTS[i][0], EVENTS[i][1]);
	cx.include_usage = true;
	CHECK_EQ_INT(xt_sse_run(k, &cx, sse.data, sse.len, 0, &whole), 0);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH + sizeof EXPECT_USAGE_CHUNK];
	snprintf(want, sizeof want, "%s%s%s", EXPECT_BODY, EXPECT_FINISH, EXPECT_USAGE_CHUNK);
	CHECK_EQ_MEM(whole.data, whole.len, want, strlen(want));
	CHECK_EQ_INT(xt_sse_splits(k, &cx, sse.data, sse.len, whole.data, whole.len), 0);
	buf_free(&whole);
	buf_free(&sse);
}

TEST(stream_variants)
{
	xlate_ctx cx = ctx();
	xlate_cohere_stream st;
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	/* ignored: empty, blank, non-object JSON, unknown events; nothing started */
	CHECK_EQ_INT(feed(&st, "", ""), 0);
	CHECK_EQ_INT(feed(&st, "", " \r\n "), 0);
	CHECK_EQ_INT(feed(&st, "", "[1,2]"), 0);
	CHECK_EQ_INT(feed(&st, "debug", "{\"type\":\"debug\"}"), 0);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content-end\"}"), 0);
	CHECK_EQ_INT(O.len, 0);
	CHECK(!st.started);
	/* content before message-start: the role chunk first, the context's id */
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":\"A\"}}}}"), 2);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	CHECK(strstr(O.data, "{\"id\":\"chatcmpl-x\",") == O.data);
	/* a later message-start changes nothing */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message-start\",\"id\":\"late\"}"), 0);
	/* a delta without an open tool call, a start without a call object: nothing */
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"tool-call-delta\",\"delta\":{\"message\":{\"tool_calls\":{\"function\":"
				   "{\"arguments\":\"x\"}}}}}"), 0);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"tool-call-start\",\"delta\":{}}"), 0);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"tool-call-end\"}"), 0);
	/* a start with object arguments (and tool_calls as a one-element array) */
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"tool-call-start\",\"delta\":{\"message\":{\"tool_calls\":[{\"id\":\"t\","
				   "\"function\":{\"name\":\"f\",\"arguments\":{\"a\":1}}}]}}}"), 1);
	CHECK_EQ_STR(at(O.data, "choices.0.delta.tool_calls.0.function.arguments"), "\"{\\\"a\\\":1}\"");
	/* message-end without tool-call-end: nothing more for the call (it had arguments) */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message-end\",\"delta\":{\"usage\":{\"tokens\":{\"input_tokens\":2}}}}"), 1);
	CHECK_EQ_STR(st.finish_reason, "tool_calls");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"tool_calls\"");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":2,\"completion_tokens\":0,\"total_tokens\":2}");
	CHECK(st.done);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":\"B\"}}}}"), 0);
	CHECK_EQ_INT(xlate_cohere_stream_end(&st, &O, &E), 0);

	/* finish reasons */
	static const struct {
		const char *fr, *want;
	} m[] = { { "\"COMPLETE\"", "stop" },  { "\"STOP_SEQUENCE\"", "stop" }, { "\"MAX_TOKENS\"", "length" },
		  { "\"ERROR_TOXIC\"", "content_filter" }, { "\"ERROR\"", "ERROR" }, { "\"NEW_ONE\"", "NEW_ONE" },
		  { "\"A_REASON_FAR_TOO_LONG_TO_BE_KEPT_HERE\"", "stop" }, { "null", "stop" } };
	char ev[200];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		xlate_cohere_stream_init(&st, &cx);
		buf_reset(&O);
		snprintf(ev, sizeof ev, "{\"type\":\"message-end\",\"delta\":{\"finish_reason\":%s}}", m[i].fr);
		CHECK_EQ_INT(feed(&st, "", ev), 2);
		CHECK_EQ_STR(st.finish_reason, m[i].want);
		CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	}
	/* [DONE] ends the stream: finish "stop" and the usage chunk */
	cx.include_usage = true;
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "[DONE]"), 3);
	CHECK_EQ_STR(st.finish_reason, "stop");
	CHECK(st.done && st.usage_sent);
	CHECK_EQ_INT(xlate_cohere_stream_end(&st, &O, &E), 0);
}

TEST(stream_errors)
{
	xlate_ctx cx = ctx();
	xlate_cohere_stream st;
	/* cut before message-end */
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "message-start", "{\"type\":\"message-start\",\"id\":\"x\"}"), 1);
	CHECK_EQ_INT(xlate_cohere_stream_end(&st, &O, &E), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK_EQ_STR(E.msg, "Cohere stream ended before the response was complete");
	CHECK_EQ_INT(xlate_cohere_stream_end(&st, &O, &E), ERR_STATE);
	/* bad JSON: error, output untouched, sticky */
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "content-delta", "{\"type\":"), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK(strstr(E.msg, "failed to parse Cohere SSE event: ") == E.msg);
	CHECK_EQ_INT(O.len, 0);
	CHECK(!st.started);
	CHECK_EQ_INT(feed(&st, "message-end", "{\"type\":\"message-end\"}"), ERR_STATE);
	CHECK_EQ_INT(xlate_cohere_stream_end(&st, &O, &E), ERR_STATE);
	/* an error event */
	static const struct {
		const char *data, *msg;
	} m[] = { { "{\"type\":\"error\",\"message\":\"internal server error\"}", "internal server error" },
		  { "{\"type\":\"error\",\"error\":{\"message\":\"nested\"}}", "nested" },
		  { "{\"type\":\"error\"}", "unknown Cohere streaming error" } };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		xlate_cohere_stream_init(&st, &cx);
		buf_reset(&O);
		CHECK_EQ_INT(feed(&st, "message-start", "{\"type\":\"message-start\"}"), 1);
		size_t before = O.len;
		CHECK_EQ_INT(feed(&st, "", m[i].data), ERR_INVAL);
		CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
		CHECK_EQ_STR(E.msg, m[i].msg);
		CHECK_EQ_INT(O.len, before);
	}
	/* by event name only */
	xlate_cohere_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "error", "{\"message\":\"boom\"}"), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "boom");
}

TEST(stream_output_cap)
{
	xlate_ctx cx = ctx();
	xlate_cohere_stream st;
	int bad = 0;
	for (size_t cap = 1; cap < 400; cap += 7) {
		buf small = { 0 };
		buf_init(&small, cap);
		xlate_cohere_stream_init(&st, &cx);
		arena_reset(&A);
		int n = xlate_cohere_stream_feed(&st, STR_NULL, str_from(EVENTS[2][1]), &A, &small, &E);
		if (n < 0 ? n != ERR_TOOBIG || small.len != 0 || E.kind != XLATE_E_INTERNAL || st.started
			  : n != 2 || valid_lines(small.data, small.len) != 2)
			bad++;
		buf_free(&small);
	}
	CHECK_EQ_INT(bad, 0);
}

TEST(stream_long_ids)
{
	char id[400], ev[600];
	memset(id, 'i', sizeof id - 1);
	id[sizeof id - 1] = 0;
	xlate_ctx cx = ctx();
	xlate_cohere_stream st;
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	snprintf(ev, sizeof ev, "{\"type\":\"message-start\",\"id\":\"%s\"}", id);
	CHECK_EQ_INT(feed(&st, "", ev), 1);
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	/* a context model too long for the struct: "" */
	cx.model = str_from(id);
	xlate_cohere_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message-start\",\"id\":\"ok\"}"), 1);
	CHECK_EQ_STR(at(O.data, "model"), "\"\"");
	CHECK_EQ_STR(at(O.data, "id"), "\"ok\"");
}

/* ================================ codec ===================================== */

/* OpenAI embeddings -> Cohere v2 /embed, and the answer back */
static const char *embed_rq(const char *in, xlate_req_info *info)
{
	xlate_ctx cx = { .model = STR_LIT("embed-v4.0") };
	return rq_out(xlate_cohere_embed_request, &cx, in, info);
}

TEST(embeddings)
{
	xlate_req_info info = { 0 };
	CHECK_EQ_STR(embed_rq("{\"model\":\"e\",\"input\":\"hi\"}", &info),
		     "{\"model\":\"embed-v4.0\",\"texts\":[\"hi\"],\"input_type\":\"search_document\","
		     "\"embedding_types\":[\"float\"]}");
	CHECK(!(info.flags & XLATE_F_EMBED_BASE64));
	CHECK_EQ_STR(embed_rq("{\"input\":[\"a\",\"b\"],\"dimensions\":256,\"encoding_format\":\"base64\","
			      "\"input_type\":\"classification\"}", &info),
		     "{\"model\":\"embed-v4.0\",\"texts\":[\"a\",\"b\"],\"input_type\":\"classification\","
		     "\"embedding_types\":[\"float\"],\"output_dimension\":256}");
	CHECK(info.flags & XLATE_F_EMBED_BASE64);
	CHECK_EQ_STR(embed_rq("{\"input\":[[1,2]]}", NULL), "rc=-2 input[0]: Cohere embeddings take text, not array");
	CHECK_EQ_STR(embed_rq("{\"input\":[]}", NULL), "rc=-2 input must be a non-empty string or array of strings");
	CHECK_EQ_STR(embed_rq("{\"input\":\"x\",\"input_type\":1}", NULL), "rc=-2 input_type must be a string");
	CHECK(strncmp(embed_rq("[1]", NULL), "rc=-2 ", 6) == 0);
	CHECK(O.len == 0);
	/* the answer, through the codec row's reader */
	const xlate_codec *k = xlate_codec_for(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_EMBEDDINGS);
	if (!k)
		return;
	static const char ans[] = "{\"id\":\"x\",\"embeddings\":{\"float\":[[0.5,-1.25],[1.5,2]]},"
				  "\"meta\":{\"billed_units\":{\"input_tokens\":7}}}";
	xlate_ctx cx = { .model = STR_LIT("embed-v4.0") };
	xlate_usage u;
	buf_reset(&O);
	arena_reset(&A);
	CHECK_EQ_INT(k->response(&cx, ans, sizeof ans - 1, &A, &O, &u, &E), 0);
	CHECK_EQ_STR(O.data, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":"
			     "[0.5,-1.25]},{\"object\":\"embedding\",\"index\":1,\"embedding\":[1.5,2]}],"
			     "\"model\":\"embed-v4.0\",\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}");
	CHECK(u.present && u.prompt_tokens == 7);
}

TEST(codec_row)
{
	const xlate_codec *k = xlate_codec_for(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_CHAT);
	CHECK(k != NULL);
	if (!k)
		return;
	CHECK_EQ_STR(k->name, "cohere.chat");
	CHECK(k->request == xlate_cohere_request && k->response == xlate_cohere_response && k->error == xlate_cohere_error);
	CHECK(k->stream_size == sizeof(xlate_cohere_stream) && k->stream_feed && k->stream_end && k->stream_init);
	/* embeddings go to Cohere's /embed; rerank stays as it is (the body is Cohere's) */
	const xlate_codec *ke = xlate_codec_for(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_EMBEDDINGS);
	CHECK(ke != NULL && ke->request == xlate_cohere_embed_request && !ke->stream_feed);
	CHECK(xlate_codec_for(PROVIDER_ADAPTER_COHERE, PROVIDER_OP_RERANK) == NULL);
	CHECK(xlate_codec_for(PROVIDER_ADAPTER_MISTRAL, PROVIDER_OP_CHAT) == NULL);
	CHECK(xlate_codec_for(PROVIDER_ADAPTER_AZURE, PROVIDER_OP_CHAT) == NULL);
	/* through the codec's type-erased stream functions */
	void *st = calloc(1, k->stream_size);
	xlate_ctx cx = ctx();
	k->stream_init(st, &cx);
	buf_reset(&O);
	arena_reset(&A);
	CHECK_EQ_INT(k->stream_feed(st, STR_LIT("message-end"), STR_LIT("{\"delta\":{\"finish_reason\":\"COMPLETE\"}}"), &A,
				    &O, &E), 2);
	CHECK_EQ_INT(k->stream_end(st, &O, &E), 0);
	free(st);
}

int main(void)
{
	RUN(req_minimal);
	RUN(req_roles);
	RUN(req_tool_round_trip);
	RUN(req_tool_arguments_invalid);
	RUN(req_params);
	RUN(req_response_format);
	RUN(req_tools);
	RUN(req_extra_body);
	RUN(req_errors);
	RUN(req_output_cap);
	RUN(resp_text);
	RUN(resp_tools_and_thinking);
	RUN(resp_finish_reasons);
	RUN(resp_usage);
	RUN(resp_errors);
	RUN(error_bodies);
	RUN(stream_full_sequence);
	RUN(stream_include_usage);
	RUN(stream_through_sse_decoder);
	RUN(stream_variants);
	RUN(stream_errors);
	RUN(stream_output_cap);
	RUN(stream_long_ids);
	RUN(embeddings);
	RUN(codec_row);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
