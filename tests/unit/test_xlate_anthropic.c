/* test_xlate_anthropic.c — OpenAI <-> Anthropic Messages translation:
 * request mapping, response mapping, error bodies, anthropic-beta, and the
 * stream state machine (a realistic event sequence, every SSE split point,
 * errors, caps). Every output goes through the strict JSON reader. */
#include "providers/xlate_anthropic.h"
#define XT_REQUEST xlate_anthropic_request
#define XT_RESPONSE xlate_anthropic_response
#define XT_MODEL "claude-3-5-sonnet"
#include "xlate_testlib.h"

/* ================================ request =================================== */

TEST(req_minimal)
{
	CHECK_EQ_STR(rq("{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
		     "{\"model\":\"claude-3-5-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
		     "\"text\":\"hi\"}]}],\"max_tokens\":4096,\"stream\":false}");
}

TEST(req_max_tokens)
{
	xlate_ctx cx = ctx();
	const char *m = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
	char in[256];
	/* default from the context */
	cx.max_tokens = 1000;
	snprintf(in, sizeof in, "{%s}", m);
	CHECK_EQ_INT(rq_info(&cx, in, NULL), 0);
	CHECK_EQ_STR(at(O.data, "max_tokens"), "1000");
	snprintf(in, sizeof in, "{%s,\"max_completion_tokens\":77}", m);
	CHECK_EQ_STR(at(rq(in), "max_tokens"), "77");
	CHECK(!strstr(O.data, "max_completion_tokens"));
	snprintf(in, sizeof in, "{%s,\"max_tokens\":50,\"max_completion_tokens\":77}", m);
	CHECK_EQ_STR(at(rq(in), "max_tokens"), "50");
	snprintf(in, sizeof in, "{%s,\"max_tokens\":null}", m);
	CHECK_EQ_STR(at(rq(in), "max_tokens"), "4096");
}

TEST(req_system_merge)
{
	const char *o = rq("{\"messages\":["
			   "{\"role\":\"system\",\"content\":\"Be brief.\"},"
			   "{\"role\":\"system\",\"content\":\"\"},"
			   "{\"role\":\"user\",\"content\":\"hi\"},"
			   "{\"role\":\"developer\",\"content\":\"Dev rule\",\"cache_control\":{\"type\":\"ephemeral\"}},"
			   "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"part\"}]}]}");
	CHECK_EQ_STR(at(o, "system"),
		     "[{\"type\":\"text\",\"text\":\"Be brief.\"},{\"type\":\"text\",\"text\":\"Dev rule\","
		     "\"cache_control\":{\"type\":\"ephemeral\"}},{\"type\":\"text\",\"text\":\"part\"}]");
	CHECK_EQ_STR(at(o, "messages"), "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]");
	/* only an empty system message: no system member */
	o = rq("{\"messages\":[{\"role\":\"system\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"x\"}]}");
	CHECK_EQ_STR(at(o, "system"), "<none>");
}

TEST(req_merge_same_role)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"},"
			   "{\"role\":\"assistant\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":\"d\"},"
			   "{\"role\":\"user\",\"content\":\"e\"}]}");
	CHECK_EQ_STR(at(o, "messages"),
		     "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]},"
		     "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"c\"},{\"type\":\"text\",\"text\":"
		     "\"d\"}]},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"e\"}]}]");
}

TEST(req_tool_round_trip)
{
	const char *o = rq(
		"{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
		"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
		"{\"id\":\"call:2/\\u00e9\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call:2/\\u00e9\",\"content\":[{\"type\":\"text\",\"text\":\"noon\"}],"
		"\"cache_control\":{\"type\":\"ephemeral\"}},"
		"{\"role\":\"user\",\"content\":\"thanks\"}]}");
	CHECK_EQ_STR(at(o, "messages.1"),
		     "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\","
		     "\"input\":{\"city\":\"Paris\"}},{\"type\":\"tool_use\",\"id\":\"call_2__\",\"name\":\"get_time\","
		     "\"input\":{}}]}");
	/* consecutive tool results and the next user message: one user turn */
	CHECK_EQ_STR(at(o, "messages.2"),
		     "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":"
		     "[{\"type\":\"text\",\"text\":\"18C\"}]},{\"type\":\"tool_result\",\"tool_use_id\":\"call_2__\","
		     "\"content\":[{\"type\":\"text\",\"text\":\"noon\"}],\"cache_control\":{\"type\":\"ephemeral\"}},"
		     "{\"type\":\"text\",\"text\":\"thanks\"}]}");
	CHECK_EQ_STR(at(o, "messages.3"), "<none>");
}

TEST(req_tool_arguments_invalid)
{
	xlate_ctx cx = ctx();
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"tool_calls\":["
			 "{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}]}";
	CHECK_EQ_STR(at(rq(in), "messages.1.content.0.input"), "{}");
	cx.flags = XLATE_F_STRICT_ARGS;
	CHECK_EQ_INT(rq_info(&cx, in, NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
	CHECK(strstr(E.msg, "messages[1].tool_calls[0].function.arguments is not a JSON object") != NULL);
	/* valid JSON but not an object */
	const char *arr = "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\","
			  "\"arguments\":\"[1,2]\"}}]}]}";
	CHECK_EQ_INT(rq_info(&cx, arr, NULL), ERR_INVAL);
	CHECK(strstr(E.msg, "array") != NULL);
	cx.flags = 0;
	CHECK_EQ_INT(rq_info(&cx, arr, NULL), 0);
	CHECK_EQ_STR(at(O.data, "messages.0.content.0.input"), "{}");
	/* blank and missing arguments are {} even when strict */
	cx.flags = XLATE_F_STRICT_ARGS;
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":"
				  "{\"name\":\"f\",\"arguments\":\" \\n\"}},{\"id\":\"b\",\"function\":{\"name\":\"g\"}}]}]}",
			     NULL), 0);
	CHECK_EQ_STR(at(O.data, "messages.0.content.0.input"), "{}");
	CHECK_EQ_STR(at(O.data, "messages.0.content.1.input"), "{}");
	/* nested arguments are re-serialised compactly */
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":"
				  "{\"name\":\"f\",\"arguments\":\" { \\\"a\\\" : [ 1 , {\\\"b\\\":null} ] } \"}}]}]}",
			     NULL), 0);
	CHECK_EQ_STR(at(O.data, "messages.0.content.0.input"), "{\"a\":[1,{\"b\":null}]}");
}

TEST(req_images)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":["
			   "{\"type\":\"text\",\"text\":\"look\",\"cache_control\":{\"type\":\"ephemeral\"}},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image\\/png;base64,iVBORw0K\\/A==\"}},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\",\"detail\":\"high\"}},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:nocomma\"}},"
			   "{\"type\":\"image_url\",\"image_url\":{}},"
			   "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"x\"}},"
			   "{\"type\":\"weird\",\"text\":\"fallback\"}],"
			   "\"cache_control\":{\"type\":\"last\"}}]}");
	CHECK_EQ_STR(at(o, "messages.0.content.0"),
		     "{\"type\":\"text\",\"text\":\"look\",\"cache_control\":{\"type\":\"ephemeral\"}}");
	CHECK_EQ_STR(at(o, "messages.0.content.1"),
		     "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":"
		     "\"iVBORw0K/A==\"}}");
	CHECK_EQ_STR(at(o, "messages.0.content.2"),
		     "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}}");
	CHECK_EQ_STR(at(o, "messages.0.content.3"),
		     "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"data:nocomma\"}}");
	/* image without url and audio dropped; an unknown part with text is text;
	 * the message's cache_control lands on the last block */
	CHECK_EQ_STR(at(o, "messages.0.content.4"),
		     "{\"type\":\"text\",\"text\":\"fallback\",\"cache_control\":{\"type\":\"last\"}}");
	CHECK_EQ_STR(at(o, "messages.0.content.5"), "<none>");
	/* the data: scheme is case-insensitive (RFC 2397 / 3986) and media type
	 * parameters are not part of Anthropic's media_type */
	o = rq("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
	       "{\"url\":\"DATA:image/jpeg;charset=x;base64,AAAA\"}}]}]}");
	CHECK_EQ_STR(at(o, "messages.0.content.0"),
		     "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":"
		     "\"AAAA\"}}");
}

TEST(req_documents)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":["
			   "{\"type\":\"document\",\"document\":{\"data\":\"JVBERi0=\"}},"
			   "{\"type\":\"document\",\"document\":{\"data\":\"eA==\",\"media_type\":\"text/plain\"}}]}]}");
	CHECK_EQ_STR(at(o, "messages.0.content"),
		     "[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":"
		     "\"JVBERi0=\"}},{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"text/plain\","
		     "\"data\":\"eA==\"}}]");
	char beta[XLATE_ANTHROPIC_BETA_MAX];
	CHECK(xlate_anthropic_beta(O.data, O.len, &A, beta) > 0);
	CHECK_EQ_STR(beta, "pdfs-2024-09-25");
}

TEST(req_stop)
{
	const char *m = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
	char in[256];
	snprintf(in, sizeof in, "{%s,\"stop\":\"END\"}", m);
	CHECK_EQ_STR(at(rq(in), "stop_sequences"), "[\"END\"]");
	CHECK(!strstr(O.data, "\"stop\""));
	snprintf(in, sizeof in, "{%s,\"stop\":[\"a\",\"b\"]}", m);
	CHECK_EQ_STR(at(rq(in), "stop_sequences"), "[\"a\",\"b\"]");
	snprintf(in, sizeof in, "{%s,\"stop\":5}", m);
	CHECK_EQ_STR(at(rq(in), "stop_sequences"), "[]");
	snprintf(in, sizeof in, "{%s,\"stop\":null}", m);
	CHECK_EQ_STR(at(rq(in), "stop_sequences"), "<none>");
}

static const char *with_tools(const char *extra)
{
	static char in[1024];
	snprintf(in, sizeof in,
		 "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":"
		 "{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}]%s}",
		 extra);
	return rq(in);
}

TEST(req_tool_choice)
{
	CHECK_EQ_STR(at(with_tools(""), "tool_choice"), "<none>");
	CHECK_EQ_STR(at(with_tools(",\"tool_choice\":\"auto\""), "tool_choice"), "{\"type\":\"auto\"}");
	CHECK_EQ_STR(at(with_tools(",\"tool_choice\":\"required\""), "tool_choice"), "{\"type\":\"any\"}");
	CHECK_EQ_STR(at(with_tools(",\"tool_choice\":\"whatever\""), "tool_choice"), "{\"type\":\"auto\"}");
	CHECK_EQ_STR(at(with_tools(",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}"),
			"tool_choice"),
		     "{\"type\":\"tool\",\"name\":\"f\"}");
	CHECK_EQ_STR(at(with_tools(",\"tool_choice\":{\"type\":\"function\"}"), "tool_choice"), "{\"type\":\"auto\"}");
	/* none: neither tools nor tool_choice */
	const char *o = with_tools(",\"tool_choice\":\"none\",\"parallel_tool_calls\":false");
	CHECK_EQ_STR(at(o, "tool_choice"), "<none>");
	CHECK_EQ_STR(at(o, "tools"), "<none>");
	/* parallel_tool_calls false */
	CHECK_EQ_STR(at(with_tools(",\"parallel_tool_calls\":false"), "tool_choice"),
		     "{\"type\":\"auto\",\"disable_parallel_tool_use\":true}");
	CHECK_EQ_STR(at(with_tools(",\"parallel_tool_calls\":false,\"tool_choice\":\"required\""), "tool_choice"),
		     "{\"type\":\"any\",\"disable_parallel_tool_use\":true}");
	CHECK_EQ_STR(at(with_tools(",\"parallel_tool_calls\":true"), "tool_choice"), "<none>");
	CHECK(!strstr(O.data, "parallel"));
	/* no tools: parallel_tool_calls alone writes nothing */
	CHECK_EQ_STR(at(rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"parallel_tool_calls\":false}"),
			"tool_choice"),
		     "<none>");
}

TEST(req_tools)
{
	const char *o = rq(
		"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":["
		"{\"type\":\"function\",\"function\":{\"name\":\"a\",\"description\":\"Does A\",\"parameters\":"
		"{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}},"
		"{\"type\":\"function\",\"function\":{\"name\":\"b\"},\"cache_control\":{\"type\":\"ephemeral\"}},"
		"{\"type\":\"function\",\"function\":{\"name\":\"c\",\"parameters\":{\"properties\":{}},"
		"\"cache_control\":{\"type\":\"fn\"}}},"
		"{\"type\":\"function\",\"function\":{\"name\":\"d\",\"parameters\":{\"type\":\"array\",\"x\":1}}},"
		"{\"type\":\"computer_20241022\",\"name\":\"computer\",\"display_width_px\":1024},"
		"{\"type\":\"code_execution_20250522\",\"name\":\"code\"}]}");
	CHECK_EQ_STR(at(o, "tools.0"),
		     "{\"name\":\"a\",\"description\":\"Does A\",\"input_schema\":{\"type\":\"object\",\"properties\":"
		     "{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}");
	CHECK_EQ_STR(at(o, "tools.1"),
		     "{\"name\":\"b\",\"input_schema\":{\"type\":\"object\",\"properties\":{}},\"cache_control\":"
		     "{\"type\":\"ephemeral\"}}");
	CHECK_EQ_STR(at(o, "tools.2"),
		     "{\"name\":\"c\",\"input_schema\":{\"type\":\"object\",\"properties\":{}},\"cache_control\":"
		     "{\"type\":\"fn\"}}");
	CHECK_EQ_STR(at(o, "tools.3"), "{\"name\":\"d\",\"input_schema\":{\"type\":\"object\",\"x\":1}}");
	CHECK_EQ_STR(at(o, "tools.4"), "{\"type\":\"computer_20241022\",\"name\":\"computer\",\"display_width_px\":1024}");
	CHECK_EQ_STR(at(o, "tools.5"), "{\"type\":\"code_execution_20250522\",\"name\":\"code\"}");
	char beta[XLATE_ANTHROPIC_BETA_MAX];
	CHECK(xlate_anthropic_beta(O.data, O.len, &A, beta) > 0);
	CHECK_EQ_STR(beta, "computer-use-2025-01-24,code-execution-2025-05-22,prompt-caching-2024-07-31");
	/* tools that are not an array are left out */
	CHECK_EQ_STR(at(rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}"), "tools"), "<none>");
}

TEST(req_reasoning)
{
	const char *m = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
	char in[256];
	static const struct {
		const char *effort;
		const char *budget;
		const char *max;
	} cases[] = {
		{ "minimal", "1024", "4096" }, { "low", "1024", "4096" },     { "medium", "4096", "4097" },
		{ "high", "16384", "16385" },  { "max", "32768", "32769" },   { "other", "4096", "4097" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(in, sizeof in, "{%s,\"reasoning_effort\":\"%s\"}", m, cases[i].effort);
		const char *o = rq(in);
		CHECK_EQ_STR(at(o, "thinking.type"), "\"enabled\"");
		CHECK_EQ_STR(at(o, "thinking.budget_tokens"), cases[i].budget);
		CHECK_EQ_STR(at(o, "max_tokens"), cases[i].max);
		CHECK(!strstr(o, "reasoning_effort"));
	}
	snprintf(in, sizeof in, "{%s,\"reasoning_effort\":\"low\",\"max_tokens\":20000}", m);
	CHECK_EQ_STR(at(rq(in), "max_tokens"), "20000");
	snprintf(in, sizeof in, "{%s,\"extra_body\":{\"reasoning_effort\":\"high\",\"top_k\":3}}", m);
	const char *o = rq(in);
	CHECK_EQ_STR(at(o, "thinking.budget_tokens"), "16384");
	CHECK(!strstr(o, "extra_body") && !strstr(o, "top_k"));
	char beta[XLATE_ANTHROPIC_BETA_MAX];
	CHECK_EQ_INT(xlate_anthropic_beta(O.data, O.len, &A, beta), 19);
	CHECK_EQ_STR(beta, "thinking-2025-04-14");
}

TEST(req_response_format)
{
	const char *m = "\"messages\":[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"x\"}]";
	char in[512];
	snprintf(in, sizeof in, "{%s,\"response_format\":{\"type\":\"json_object\"}}", m);
	CHECK_EQ_STR(at(rq(in), "system"),
		     "[{\"type\":\"text\",\"text\":\"Respond with valid JSON only. Do not include any text outside the "
		     "JSON object.\"},{\"type\":\"text\",\"text\":\"S\"}]");
	snprintf(in, sizeof in,
		 "{%s,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"person\",\"schema\":"
		 "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"}},\"required\":[]}}}}",
		 m);
	CHECK_EQ_STR(at(rq(in), "system.0.text"),
		     "\"Respond with valid JSON matching the following schema named 'person':\\n```json\\n{\\n  "
		     "\\\"type\\\": \\\"object\\\",\\n  \\\"properties\\\": {\\n    \\\"age\\\": {\\n      "
		     "\\\"type\\\": \\\"integer\\\"\\n    }\\n  },\\n  \\\"required\\\": []\\n}\\n```\\nDo not "
		     "include any text outside the JSON object.\"");
	CHECK(!strstr(O.data, "response_format"));
	/* defaults: name output, schema {} */
	CHECK_EQ_STR(at(rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":"
			   "\"json_schema\",\"json_schema\":{}}}"),
			"system.0.text"),
		     "\"Respond with valid JSON matching the following schema named 'output':\\n```json\\n{}\\n```\\n"
		     "Do not include any text outside the JSON object.\"");
	/* text: nothing */
	CHECK_EQ_STR(at(rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":"
			   "\"text\"}}"),
			"system"),
		     "<none>");
}

TEST(req_temperature)
{
	const char *m = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
	char in[256];
	snprintf(in, sizeof in, "{%s,\"temperature\":1.5}", m);
	CHECK_EQ_STR(rq(in), "rc=-2 temperature=1.5 is outside Anthropic's supported range [0, 1]; lower the "
			     "requested value or omit `temperature` to use the provider default");
	CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
	snprintf(in, sizeof in, "{%s,\"temperature\":2.0}", m);
	CHECK(strstr(rq(in), "temperature=2 is outside") != NULL);
	snprintf(in, sizeof in, "{%s,\"temperature\":-0.1}", m);
	CHECK(strstr(rq(in), "temperature=-0.1 is outside") != NULL);
	snprintf(in, sizeof in, "{%s,\"temperature\":1e999}", m);
	CHECK(strstr(rq(in), "temperature=1e999 is outside") != NULL);
	snprintf(in, sizeof in, "{%s,\"temperature\":1,\"top_p\":0.9}", m);
	const char *o = rq(in);
	CHECK_EQ_STR(at(o, "temperature"), "1");
	CHECK_EQ_STR(at(o, "top_p"), "0.9");
	snprintf(in, sizeof in, "{%s,\"temperature\":0}", m);
	CHECK_EQ_STR(at(rq(in), "temperature"), "0");
}

TEST(req_errors)
{
	xlate_ctx cx = ctx();
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "{\"messages\":[]}", "messages array must not be empty" },
		{ "{\"model\":\"x\"}", "messages array must not be empty" },
		{ "{\"messages\":{}}", "messages array must not be empty" },
		{ "{\"messages\":[1]}", "messages[0] is not an object" },
		{ "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"content\":\"y\"}]}", "messages[1] has no role" },
		{ "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "messages[0] has an unsupported role 'robot'" },
		{ "[]", "request body must be a JSON object" },
		{ "{\"messages\":[}", NULL },
	};
	/* out keeps what it had before a failed call */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		arena_reset(&A);
		buf_reset(&O);
		buf_puts(&O, "prefix");
		memset(&E, 0, sizeof E);
		int rc = xlate_anthropic_request(&cx, cases[i].in, strlen(cases[i].in), &A, &O, NULL, &E);
		CHECK_EQ_INT(rc, ERR_INVAL);
		CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
		CHECK_EQ_MEM(O.data, O.len, "prefix", 6);
		if (cases[i].msg)
			CHECK_EQ_STR(E.msg, cases[i].msg);
		else
			CHECK(strncmp(E.msg, "request body is not valid JSON: ", 32) == 0);
	}
}

TEST(req_dropped_and_passthrough)
{
	xlate_req_info info;
	xlate_ctx cx = ctx();
	cx.stream = true;
	CHECK_EQ_INT(rq_info(&cx,
			     "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"name\":\"bob\"}],"
			     "\"n\":1,\"presence_penalty\":0,\"frequency_penalty\":0,\"logit_bias\":{\"1\":2},"
			     "\"stream\":true,\"stream_options\":{\"include_usage\":true},\"service_tier\":\"auto\","
			     "\"logprobs\":true,\"top_logprobs\":2,\"store\":true,\"metadata\":{\"k\":\"v\"},"
			     "\"prediction\":{},\"audio\":{},\"web_search_options\":{},\"modalities\":[\"text\"],\"seed\":1,"
			     "\"user\":\"user-\\u00e9\",\"top_p\":0.5,\"top_k\":7,\"top_k\":9,\"system\":\"ignored\"}",
			     &info),
		     0);
	CHECK(info.stream);
	CHECK(info.include_usage);
	CHECK_EQ_STR(O.data, "{\"model\":\"claude-3-5-sonnet\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
			     "\"text\",\"text\":\"x\"}]}],\"max_tokens\":4096,\"stream\":true,\"metadata\":{\"user_id\":"
			     "\"user-\xc3\xa9\"},\"top_p\":0.5,\"top_k\":7,\"top_k\":9}");
	/* a user id over 256 bytes is not sent */
	char in[600];
	memset(in, 0, sizeof in);
	strcpy(in, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"user\":\"");
	memset(in + strlen(in), 'u', 257);
	strcat(in, "\"}");
	CHECK_EQ_STR(at(rq(in), "metadata"), "<none>");
	/* an empty context model keeps the client's */
	cx.model = STR_NULL;
	CHECK_EQ_INT(rq_info(&cx, "{\"model\":\"claude-haiku\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
			     &info),
		     0);
	CHECK_EQ_STR(at(O.data, "model"), "\"claude-haiku\"");
	CHECK(!info.stream && !info.include_usage);
}

TEST(req_assistant_and_function)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
			   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"p1\"},{\"type\":\"text\","
			   "\"text\":\"\"},{\"type\":\"refusal\",\"refusal\":\"no\"},{\"type\":\"text\",\"text\":\"p2\"}]},"
			   "{\"role\":\"user\",\"content\":\"y\"},{\"role\":\"assistant\"},"
			   "{\"role\":\"function\",\"name\":\"get weather\",\"content\":\"sunny\"},"
			   "{\"role\":\"assistant\",\"content\":\"\",\"cache_control\":{\"type\":\"ephemeral\"}}]}");
	CHECK_EQ_STR(at(o, "messages.1.content"),
		     "[{\"type\":\"text\",\"text\":\"p1\"},{\"type\":\"text\",\"text\":\"p2\"}]");
	CHECK_EQ_STR(at(o, "messages.3.content"), "[{\"type\":\"text\",\"text\":\"\"}]");
	CHECK_EQ_STR(at(o, "messages.4.content"),
		     "[{\"type\":\"tool_result\",\"tool_use_id\":\"get_weather\",\"content\":[{\"type\":\"text\","
		     "\"text\":\"sunny\"}]}]");
	CHECK_EQ_STR(at(o, "messages.5.content"), "[{\"type\":\"text\",\"text\":\"\"}]");
	/* tool results: documents are unsupported, missing content is [], other types become text */
	o = rq("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"t\"},{\"role\":\"tool\",\"tool_call_id\":\"u\","
	       "\"content\":42},{\"role\":\"user\",\"content\":{\"a\":1}}]}");
	CHECK_EQ_STR(at(o, "messages.0.content.0.content"), "[]");
	CHECK_EQ_STR(at(o, "messages.0.content.1.content"), "[{\"type\":\"text\",\"text\":\"42\"}]");
	CHECK_EQ_STR(at(o, "messages.0.content.2"), "{\"type\":\"text\",\"text\":\"{\\\"a\\\":1}\"}");
	/* tool result parts: text and images stay (with their cache_control), documents do not fit */
	o = rq("{\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"t\",\"content\":["
	       "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/a.png\"},\"cache_control\":{\"type\":\"e\"}},"
	       "{\"type\":\"document\",\"document\":{\"data\":\"AA\"},\"cache_control\":{\"type\":\"e\"}}]},"
	       "{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"document\":{\"data\":\"AA\"},"
	       "\"cache_control\":{\"type\":\"d\"}}]},{\"role\":\"user\",\"content\":7,\"cache_control\":{\"type\":\"n\"}}]}");
	CHECK_EQ_STR(at(o, "messages.0.content.0.content"),
		     "[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x/a.png\"},\"cache_control\":"
		     "{\"type\":\"e\"}},{\"type\":\"text\",\"text\":\"[unsupported content in tool result]\"}]");
	CHECK_EQ_STR(at(o, "messages.0.content.1"),
		     "{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":"
		     "\"AA\"},\"cache_control\":{\"type\":\"d\"}}");
	CHECK_EQ_STR(at(o, "messages.0.content.2"), "{\"type\":\"text\",\"text\":\"7\",\"cache_control\":{\"type\":\"n\"}}");
}

TEST(req_output_cap)
{
	xlate_ctx cx = ctx();
	buf small = { 0 };
	small.cap = 40;
	arena_reset(&A);
	const char *in = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
	int rc = xlate_anthropic_request(&cx, in, strlen(in), &A, &small, NULL, &E);
	CHECK_EQ_INT(rc, ERR_TOOBIG);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	CHECK_EQ_INT(small.len, 0);
	buf_free(&small);
}

/* Linear in the input: 50k top-level members and 20k messages. */
TEST(req_scale)
{
	buf in = { 0 };
	xlate_ctx cx = ctx();
	buf_puts(&in, "{\"messages\":[");
	for (int i = 0; i < 20000; i++)
		buf_printf(&in, "%s{\"role\":\"%s\",\"content\":\"m%d\"}", i ? "," : "", i % 3 ? "user" : "assistant", i);
	buf_puts(&in, "]");
	for (int i = 0; i < 50000; i++)
		buf_printf(&in, ",\"k%d\":%d", i, i);
	buf_puts(&in, "}");
	arena_reset(&A);
	buf_reset(&O);
	CHECK_EQ_INT(xlate_anthropic_request(&cx, in.data, in.len, &A, &O, NULL, &E), 0);
	CHECK(valid(O.data, O.len));
	CHECK_EQ_STR(at(O.data, "k49999"), "49999");
	CHECK_EQ_STR(at(O.data, "messages.13333.role"), "\"user\"");
	CHECK_EQ_STR(at(O.data, "messages.13332.role"), "\"assistant\"");
	CHECK_EQ_STR(at(O.data, "messages.13334"), "<none>");
	buf_free(&in);
}

TEST(req_beta_cache_control_anywhere)
{
	char beta[XLATE_ANTHROPIC_BETA_MAX];
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\","
			   "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":"
			   "{\"cache_control\":{\"type\":\"string\"}}}}}]}");
	CHECK_EQ_INT(xlate_anthropic_beta(o, strlen(o), &A, beta), 25);
	CHECK_EQ_STR(beta, "prompt-caching-2024-07-31");
	const char *none = "{\"model\":\"x\",\"note\":\"cache_control\"}";
	CHECK_EQ_INT(xlate_anthropic_beta(none, strlen(none), &A, beta), 0);
	CHECK_EQ_STR(beta, "");
	CHECK(xlate_anthropic_beta("{", 1, &A, beta) < 0);
	/* everything at once, tool betas in order of appearance */
	const char *all = "{\"thinking\":{},\"tools\":[{\"type\":\"web_search_20250305\"},{\"type\":\"computer_use_20250124\"},"
			  "{\"type\":\"computer_20241022\"},{\"type\":\"code_execution_20250522\"}],\"messages\":[{\"role\":"
			  "\"user\",\"content\":[{\"type\":\"document\",\"cache_control\":{}}]}]}";
	int n = xlate_anthropic_beta(all, strlen(all), &A, beta);
	CHECK_EQ_STR(beta, "thinking-2025-04-14,web-search-2025-03-05,computer-use-2025-01-24,code-execution-2025-05-22,"
			   "prompt-caching-2024-07-31,pdfs-2024-09-25");
	CHECK_EQ_INT(n, (int)strlen(beta));
	CHECK(n < XLATE_ANTHROPIC_BETA_MAX);
}

/* ================================ response =================================== */

TEST(resp_text)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx,
			"{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20241022\","
			"\"content\":[{\"type\":\"text\",\"text\":\"Hello\"},{\"type\":\"text\",\"text\":\", w\\u00f6rld\\n\"}],"
			"\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":5}}",
			&u),
		     0);
	CHECK_EQ_STR(O.data, "{\"id\":\"msg_01\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":"
			     "\"claude-3-5-sonnet-20241022\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			     "\"content\":\"Hello, w\\u00f6rld\\n\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
			     "\"completion_tokens\":5,\"total_tokens\":17}}");
	CHECK(u.present);
	CHECK_EQ_INT(u.prompt_tokens, 12);
	CHECK_EQ_INT(u.completion_tokens, 5);
	CHECK_EQ_INT(u.total_tokens, 17);
}

TEST(resp_tool_use)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx,
			"{\"id\":\"msg_02\",\"model\":\"claude\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_01\","
			"\"name\":\"get_weather\",\"input\":{ \"city\" : \"Paris\", \"days\": [1, 2] }}],"
			"\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices.0.message"),
		     "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"toolu_01\",\"type\":\"function\","
		     "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\",\\\"days\\\":[1,2]}\"}}]}");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"tool_calls\"");
}

TEST(resp_mixed)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx,
			"{\"id\":\"msg_03\",\"model\":\"claude\",\"content\":["
			"{\"type\":\"thinking\",\"thinking\":\"Let me think. \",\"signature\":\"sig\"},"
			"{\"type\":\"redacted_thinking\",\"data\":\"xx\"},"
			"{\"type\":\"thinking\",\"thinking\":\"Done.\",\"signature\":\"sig\"},"
			"{\"type\":\"text\",\"text\":\"I'll check.\"},"
			"{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"a\",\"input\":{}},"
			"{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_2\",\"name\":\"web_search\",\"input\":{\"query\":\"q\"}},"
			"{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_2\",\"content\":[]},"
			"{\"type\":\"tool_use\",\"id\":\"toolu_3\",\"name\":\"b\"},"
			"{\"type\":\"text\",\"text\":\" More.\"}],"
			"\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}",
			NULL),
		     0);
	const char *m = at(O.data, "choices.0.message");
	CHECK_EQ_STR(m, "{\"role\":\"assistant\",\"content\":\"I'll check. More.\",\"tool_calls\":["
			"{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"a\",\"arguments\":\"{}\"}},"
			"{\"id\":\"srvtoolu_2\",\"type\":\"function\",\"function\":{\"name\":\"web_search\",\"arguments\":"
			"\"{\\\"query\\\":\\\"q\\\"}\"}},"
			"{\"id\":\"toolu_3\",\"type\":\"function\",\"function\":{\"name\":\"b\",\"arguments\":\"{}\"}}],"
			"\"reasoning_content\":\"Let me think. Done.\"}");
	/* no content at all: null, no tool_calls, no reasoning */
	CHECK_EQ_INT(rs(&cx, "{\"id\":\"m\",\"model\":\"c\",\"content\":[],\"stop_reason\":\"end_turn\"}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "choices.0.message"), "{\"role\":\"assistant\",\"content\":null}");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}");
}

TEST(resp_stop_reasons)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "\"end_turn\"", "\"stop\"" },        { "\"stop_sequence\"", "\"stop\"" },
		{ "\"max_tokens\"", "\"length\"" },    { "\"tool_use\"", "\"tool_calls\"" },
		{ "\"refusal\"", "\"content_filter\"" }, { "\"content_filtered\"", "\"content_filter\"" },
		{ "\"pause_turn\"", "\"stop\"" },      { "null", "\"stop\"" },
		{ "7", "\"stop\"" },
	};
	xlate_ctx cx = ctx();
	char in[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(in, sizeof in, "{\"id\":\"m\",\"model\":\"c\",\"content\":[{\"type\":\"text\",\"text\":\"t\"}],"
					"\"stop_reason\":%s}",
			 cases[i].in);
		CHECK_EQ_INT(rs(&cx, in, NULL), 0);
		CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), cases[i].out);
	}
}

TEST(resp_usage_cache)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx,
			"{\"id\":\"m\",\"model\":\"c\",\"content\":[],\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":"
			"100,\"cache_creation_input_tokens\":20,\"cache_read_input_tokens\":300,\"output_tokens\":9,"
			"\"server_tool_use\":{\"web_search_requests\":1}}}",
			&u),
		     0);
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":420,\"completion_tokens\":9,\"total_tokens\":429,"
					  "\"prompt_tokens_details\":{\"cached_tokens\":300}}");
	CHECK_EQ_INT(u.prompt_tokens, 420);
	CHECK_EQ_INT(u.cached_tokens, 300);
	CHECK_EQ_INT(u.cache_write_tokens, 20);
	CHECK_EQ_INT(u.total_tokens, 429);
	/* saturating sums, junk values as 0 */
	CHECK_EQ_INT(rs(&cx,
			"{\"id\":\"m\",\"model\":\"c\",\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":"
			"18446744073709551615,\"cache_read_input_tokens\":5,\"output_tokens\":-1}}",
			&u),
		     0);
	CHECK(u.prompt_tokens == UINT64_MAX && u.total_tokens == UINT64_MAX && u.completion_tokens == 0);
}

TEST(resp_fallbacks_and_errors)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx, "{\"stop_reason\":\"end_turn\",\"content\":[{\"type\":\"text\",\"text\":\"x\"}]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"claude-3-5-sonnet\"");
	CHECK_EQ_STR(at(O.data, "created"), "1700000000");

	CHECK_EQ_INT(rs(&cx, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
			NULL),
		     ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_UPSTREAM);
	CHECK_EQ_INT(E.status, 529);
	CHECK_EQ_STR(E.type, "overloaded_error");
	CHECK_EQ_STR(E.msg, "Overloaded");

	CHECK_EQ_INT(rs(&cx, "{\"id\":\"m\",\"content\":[]}", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK_EQ_STR(E.msg, "Anthropic response has no stop_reason");
	CHECK_EQ_INT(rs(&cx, "[1]", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK_EQ_INT(rs(&cx, "{\"id\":", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK(strncmp(E.msg, "invalid JSON from Anthropic: ", 29) == 0);

	/* the output cap */
	buf small = { 0 };
	small.cap = 60;
	arena_reset(&A);
	const char *in = "{\"id\":\"msg\",\"model\":\"claude\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\","
			 "\"input\":{\"a\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}}],"
			 "\"stop_reason\":\"tool_use\"}";
	CHECK_EQ_INT(xlate_anthropic_response(&cx, in, strlen(in), &A, &small, NULL, &E), ERR_TOOBIG);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	CHECK_EQ_INT(small.len, 0);
	buf_free(&small);
}

TEST(error_bodies)
{
	xlate_err e;
	const char *b = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of request tokens "
			"has exceeded your per-minute rate limit\"}}";
	CHECK_EQ_INT(xlate_anthropic_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_INT(e.kind, XLATE_E_UPSTREAM);
	CHECK_EQ_INT(e.status, 429);
	CHECK_EQ_STR(e.type, "rate_limit_error");
	CHECK_EQ_STR(e.msg, "Number of request tokens has exceeded your per-minute rate limit");
	b = "{\"error\":{\"code\":5}}";
	CHECK_EQ_INT(xlate_anthropic_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_STR(e.msg, "unknown Anthropic error");
	CHECK_EQ_INT(e.status, 0);
	CHECK_EQ_INT(xlate_anthropic_error("upstream connect error", 22, &A, &e), ERR_NOTFOUND);
	CHECK_EQ_INT(xlate_anthropic_error("{\"error\":\"x\"}", 13, &A, &e), ERR_NOTFOUND);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("invalid_request_error")), 400);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("authentication_error")), 401);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("permission_error")), 403);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("not_found_error")), 404);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("request_too_large")), 413);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("api_error")), 500);
	CHECK_EQ_INT(xlate_anthropic_error_status(STR_LIT("nope")), 0);
	/* long messages are cut at a character boundary */
	char big[2000];
	strcpy(big, "{\"error\":{\"message\":\"");
	size_t l = strlen(big);
	for (int i = 0; i < 600; i++)
		memcpy(big + l + 2 * (size_t)i, "\xc3\xa9", 2);
	strcpy(big + l + 1200, "\"}}");
	CHECK_EQ_INT(xlate_anthropic_error(big, strlen(big), &A, &e), 0);
	CHECK_EQ_INT(strlen(e.msg), 510);
	CHECK(json_utf8_valid(e.msg, strlen(e.msg)));
}

/* ================================ stream =================================== */

/* The event sequence of a real Anthropic stream: text, then a tool call whose
 * JSON arrives in pieces, then a tool call without arguments. */
static const char *const EVENTS[][2] = {
	{ "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01X\",\"type\":\"message\",\"role\":"
			   "\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4\",\"stop_reason\":null,"
			   "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":5,"
			   "\"output_tokens\":1}}}" },
	{ "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
				 "\"text\":\"\"}}" },
	{ "ping", "{\"type\": \"ping\"}" },
	{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
				 "\"text\":\"Let me check\"}}" },
	{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
				 "\"text\":\" the \\\"weather\\\".\"}}" },
	{ "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}" },
	{ "content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
				 "\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}" },
	{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
				 "\"partial_json\":\"\"}}" },
	{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
				 "\"partial_json\":\"{\\\"location\\\": \\\"San\"}}" },
	{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
				 "\"partial_json\":\" Francisco\\\"}\"}}" },
	{ "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}" },
	{ "content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\","
				 "\"id\":\"toolu_02\",\"name\":\"now\",\"input\":{}}}" },
	{ "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}" },
	{ "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},"
			   "\"usage\":{\"output_tokens\":89}}" },
	{ "message_stop", "{\"type\":\"message_stop\"}" },
};
#define NEVENTS (sizeof EVENTS / sizeof EVENTS[0])

#define CH(delta, fin) "{\"id\":\"msg_01X\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
	"\"claude-sonnet-4\",\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" fin "}]"
static const char EXPECT_BODY[] =
	CH("{\"role\":\"assistant\",\"content\":\"\"}", "null") "}\n"
	CH("{\"content\":\"Let me check\"}", "null") "}\n"
	CH("{\"content\":\" the \\\"weather\\\".\"}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01\",\"type\":\"function\",\"function\":{\"name\":"
	   "\"get_weather\",\"arguments\":\"\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\": \\\"San\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\" Francisco\\\"}\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_02\",\"type\":\"function\",\"function\":{\"name\":\"now\","
	   "\"arguments\":\"\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}", "null") "}\n";
static const char EXPECT_FINISH_USAGE[] =
	CH("{}", "\"tool_calls\"") ",\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":89,\"total_tokens\":119,"
	"\"prompt_tokens_details\":{\"cached_tokens\":5}}}\n";
static const char EXPECT_FINISH[] = CH("{}", "\"tool_calls\"") "}\n";
static const char EXPECT_USAGE_CHUNK[] =
	"{\"id\":\"msg_01X\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"claude-sonnet-4\","
	"\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":89,\"total_tokens\":119,"
	"\"prompt_tokens_details\":{\"cached_tokens\":5}}}\n";

static int feed(xlate_anthropic_stream *st, const char *type, const char *data)
{
	arena_reset(&A);
	return xlate_anthropic_stream_feed(st, str_from(type), str_from(data), &A, &O, &E);
}

static void run_events(bool include_usage, int *total, int *bad_rc)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	cx.include_usage = include_usage;
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	*total = 0;
	*bad_rc = 0;
	for (size_t i = 0; i < NEVENTS; i++) {
		int n = feed(&st, EVENTS[i][0], EVENTS[i][1]);
		if (n < 0)
			*bad_rc = n;
		else
			*total += n;
	}
	int n = xlate_anthropic_stream_end(&st, &O, &E);
	if (n < 0)
		*bad_rc = n;
	CHECK(st.done);
	CHECK_EQ_STR(st.finish_reason, "tool_calls");
	CHECK_EQ_INT(st.usage.prompt_tokens, 30);
	CHECK_EQ_INT(st.usage.completion_tokens, 89);
	CHECK_EQ_INT(st.usage.cached_tokens, 5);
}

TEST(stream_full_sequence)
{
	int total, bad_rc;
	run_events(false, &total, &bad_rc);
	CHECK_EQ_INT(bad_rc, 0);
	CHECK_EQ_INT(total, 9);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 9);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH_USAGE];
	snprintf(want, sizeof want, "%s%s", EXPECT_BODY, EXPECT_FINISH_USAGE);
	CHECK_EQ_STR(O.data, want);
}

TEST(stream_include_usage)
{
	int total, bad_rc;
	run_events(true, &total, &bad_rc);
	CHECK_EQ_INT(bad_rc, 0);
	CHECK_EQ_INT(total, 10);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 10);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH + sizeof EXPECT_USAGE_CHUNK];
	snprintf(want, sizeof want, "%s%s%s", EXPECT_BODY, EXPECT_FINISH, EXPECT_USAGE_CHUNK);
	CHECK_EQ_STR(O.data, want);
}

/* The same events as an SSE byte stream through the project's decoder, fed
 * whole, split at every offset, and byte by byte: the same chunks. */
TEST(stream_through_sse_decoder)
{
	const xlate_codec *k = xlate_codec_for(PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_OP_CHAT);
	xlate_ctx cx = ctx();
	buf sse = { 0 }, whole = { 0 };
	for (size_t i = 0; i < NEVENTS; i++)
		sse_write_event(&sse, str_from(EVENTS[i][0]), str_from(EVENTS[i][1]), STR_NULL, -1);
	CHECK_EQ_INT(xt_sse_run(k, &cx, sse.data, sse.len, 0, &whole), 0);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH_USAGE];
	snprintf(want, sizeof want, "%s%s", EXPECT_BODY, EXPECT_FINISH_USAGE);
	CHECK_EQ_MEM(whole.data, whole.len, want, strlen(want));
	CHECK_EQ_INT(xt_sse_splits(k, &cx, sse.data, sse.len, whole.data, whole.len), 0);
	buf_free(&whole);
	buf_free(&sse);
}

TEST(stream_thinking_and_ignored)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	/* a content event before message_start: the role chunk comes first, with the context's id/model */
	CHECK_EQ_INT(feed(&st, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
						      "{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}"),
		     2);
	CHECK_EQ_STR(O.data,
		     "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":"
		     "\"claude-3-5-sonnet\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
		     "\"finish_reason\":null}]}\n"
		     "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":"
		     "\"claude-3-5-sonnet\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"hmm\"},"
		     "\"finish_reason\":null}]}\n");
	buf_reset(&O);
	/* a late message_start neither repeats the role nor changes the id */
	CHECK_EQ_INT(feed(&st, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_late\",\"usage\":"
						"{\"input_tokens\":4}}}"),
		     0);
	CHECK_EQ_INT(st.usage.prompt_tokens, 4);
	CHECK_EQ_INT(feed(&st, "ping", "{\"type\":\"ping\"}"), 0);
	CHECK_EQ_INT(feed(&st, "x", "{\"type\":\"something_new\",\"x\":1}"), 0);
	CHECK_EQ_INT(feed(&st, "x", ""), 0);
	CHECK_EQ_INT(feed(&st, "x", " \n "), 0);
	CHECK_EQ_INT(feed(&st, "x", "[1,2]"), 0);
	CHECK_EQ_INT(feed(&st, "x", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
				    "\"signature\":\"abc\"}}"),
		     0);
	CHECK_EQ_INT(feed(&st, "x", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
				    "\"text\":\"\"}}"),
		     0);
	/* input_json_delta for a block that is no announced tool call */
	CHECK_EQ_INT(feed(&st, "x", "{\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"input_json_delta\","
				    "\"partial_json\":\"{}\"}}"),
		     0);
	CHECK_EQ_INT(O.len, 0);
	/* the event name stands in for a missing data type */
	CHECK_EQ_INT(feed(&st, "content_block_delta", "{\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"A\"}}"),
		     1);
	CHECK(strstr(O.data, "{\"content\":\"A\"}") != NULL);
	CHECK(strstr(O.data, "\"id\":\"chatcmpl-x\"") != NULL);
}

TEST(stream_stop_reasons_and_deltas)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":"
				   "{\"input_tokens\":10,\"output_tokens\":1}}}"),
		     1);
	/* a message_delta without stop_reason: usage only */
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":null},\"usage\":"
				   "{\"output_tokens\":5}}"),
		     0);
	CHECK_EQ_INT(st.usage.completion_tokens, 5);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":"
				   "{\"output_tokens\":7,\"input_tokens\":11,\"cache_creation_input_tokens\":2}}"),
		     1);
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"length\"");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":13,\"completion_tokens\":7,\"total_tokens\":20}");
	/* cumulative usage: a second delta updates the counts, no second finish */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":"
				   "{\"output_tokens\":9}}"),
		     0);
	CHECK_EQ_INT(st.usage.completion_tokens, 9);
	CHECK_EQ_STR(st.finish_reason, "length");
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_stop\"}"), 0);
	CHECK(st.done);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
				   "\"text\":\"late\"}}"),
		     0);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), 0);
	CHECK_EQ_INT(O.len, 0);

	/* refusal in a stream; message_stop without message_delta finishes with stop */
	static const struct {
		const char *sr;
		const char *fr;
	} m[] = { { "refusal", "content_filter" }, { "stop_sequence", "stop" }, { "tool_use", "tool_calls" } };
	char ev[200];
	for (size_t i = 0; i < 3; i++) {
		xlate_anthropic_stream_init(&st, &cx);
		snprintf(ev, sizeof ev, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"%s\"}}", m[i].sr);
		CHECK_EQ_INT(feed(&st, "", ev), 2);
		CHECK_EQ_STR(st.finish_reason, m[i].fr);
	}
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_stop\"}"), 2);
	CHECK_EQ_STR(st.finish_reason, "stop");
	CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	/* [DONE] ends like message_stop */
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}"), 1);
	CHECK_EQ_INT(feed(&st, "", "[DONE]"), 1);
	CHECK(st.done);
	CHECK_EQ_STR(st.finish_reason, "stop");
}

TEST(stream_tool_variants)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}"), 1);
	/* a start that already carries the input: arguments in the start chunk, no "{}" later */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
				   "\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":"
				   "{\"query\": \"x\"}}}"),
		     1);
	CHECK_EQ_STR(at(O.data, "choices.0.delta.tool_calls.0"),
		     "{\"index\":0,\"id\":\"srvtoolu_1\",\"type\":\"function\",\"function\":{\"name\":\"web_search\","
		     "\"arguments\":\"{\\\"query\\\":\\\"x\\\"}\"}}");
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_stop\",\"index\":0}"), 0);
	/* a result block (no tool call) between two calls: indexes stay 0, 1 */
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
				   "\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]}}"),
		     0);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_stop\",\"index\":1}"), 0);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\","
				   "\"id\":\"toolu_9\",\"name\":\"f\",\"input\":{}}}"),
		     1);
	CHECK_EQ_STR(at(O.data, "choices.0.delta.tool_calls.0.index"), "1");
	/* a block start while the tool block is still open closes it ("{}") */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"text\","
				   "\"text\":\"Hi\"}}"),
		     2);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	CHECK(strstr(O.data, "{\"index\":1,\"function\":{\"arguments\":\"{}\"}}") != NULL);
	CHECK(strstr(O.data, "{\"content\":\"Hi\"}") != NULL);
}

TEST(stream_errors)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "message_start", EVENTS[0][1]), 1);
	size_t len = O.len;
	CHECK_EQ_INT(feed(&st, "error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
					"\"Overloaded\"}}"),
		     ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK_EQ_INT(E.status, 529);
	CHECK_EQ_STR(E.type, "overloaded_error");
	CHECK_EQ_STR(E.msg, "Overloaded");
	CHECK_EQ_INT(O.len, len);
	/* sticky */
	CHECK_EQ_INT(feed(&st, "ping", "{\"type\":\"ping\"}"), ERR_STATE);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), ERR_STATE);

	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "error", "{\"type\":\"error\"}"), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "unknown Anthropic streaming error");

	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "message_start", "{\"type\":\"message_start\""), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK(strncmp(E.msg, "failed to parse Anthropic SSE event: ", 37) == 0);

	/* cut before the stop reason */
	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "Anthropic stream ended before the message was complete");
	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "", EVENTS[0][1]), 1);
	CHECK_EQ_INT(feed(&st, "", EVENTS[3][1]), 1);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), ERR_INVAL);

	/* message_delta came, message_stop did not: fine, the usage chunk is still due */
	cx.include_usage = true;
	xlate_anthropic_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "", EVENTS[0][1]), 1);
	CHECK_EQ_INT(feed(&st, "", EVENTS[13][1]), 1);
	buf_reset(&O);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), 1);
	CHECK_EQ_STR(O.data, EXPECT_USAGE_CHUNK);
	CHECK_EQ_INT(xlate_anthropic_stream_end(&st, &O, &E), 0);
}

TEST(stream_output_cap)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st, before;
	buf small = { 0 };
	small.cap = 100;
	xlate_anthropic_stream_init(&st, &cx);
	before = st;
	arena_reset(&A);
	/* the role chunk alone is over 100 bytes: nothing written, state as before */
	int rc = xlate_anthropic_stream_feed(&st, STR_NULL, str_from(EVENTS[0][1]), &A, &small, &E);
	CHECK_EQ_INT(rc, ERR_TOOBIG);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	CHECK_EQ_INT(small.len, 0);
	CHECK(!st.started && st.rc == ERR_TOOBIG);
	st.rc = 0;
	CHECK(memcmp(&st, &before, sizeof st) == 0);
	buf_free(&small);
}

TEST(stream_long_ids)
{
	xlate_ctx cx = ctx();
	xlate_anthropic_stream st;
	char ev[800];
	char id[400];
	memset(id, 'i', 300);
	id[300] = 0;
	snprintf(ev, sizeof ev, "{\"type\":\"message_start\",\"message\":{\"id\":\"%s\",\"model\":\"m\\\"q\"}}", id);
	xlate_anthropic_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", ev), 1);
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"m\\\"q\"");
}

int main(void)
{
	RUN(req_minimal);
	RUN(req_max_tokens);
	RUN(req_system_merge);
	RUN(req_merge_same_role);
	RUN(req_tool_round_trip);
	RUN(req_tool_arguments_invalid);
	RUN(req_images);
	RUN(req_documents);
	RUN(req_stop);
	RUN(req_tool_choice);
	RUN(req_tools);
	RUN(req_reasoning);
	RUN(req_response_format);
	RUN(req_temperature);
	RUN(req_errors);
	RUN(req_dropped_and_passthrough);
	RUN(req_assistant_and_function);
	RUN(req_output_cap);
	RUN(req_scale);
	RUN(req_beta_cache_control_anywhere);
	RUN(resp_text);
	RUN(resp_tool_use);
	RUN(resp_mixed);
	RUN(resp_stop_reasons);
	RUN(resp_usage_cache);
	RUN(resp_fallbacks_and_errors);
	RUN(error_bodies);
	RUN(stream_full_sequence);
	RUN(stream_include_usage);
	RUN(stream_through_sse_decoder);
	RUN(stream_thinking_and_ignored);
	RUN(stream_stop_reasons_and_deltas);
	RUN(stream_tool_variants);
	RUN(stream_errors);
	RUN(stream_output_cap);
	RUN(stream_long_ids);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
