/* test_xlate_bedrock.c — OpenAI <-> AWS Bedrock Converse translation:
 * request mapping, response mapping (every stop reason, tools, usage),
 * error bodies, the ConverseStream state machine (interleaved text and tool
 * blocks, usage, exceptions, every event-stream split point through the real
 * framing decoder, caps) and the Titan / Cohere embeddings. Every output goes
 * through the strict JSON reader. */
#include "providers/xlate_bedrock.h"
#include "providers/eventstream.h"
#define XT_REQUEST xlate_bedrock_request
#define XT_RESPONSE xlate_bedrock_response
#define XT_MODEL "anthropic.claude-3-haiku-20240307-v1:0"
#include "xlate_testlib.h"

#define U(s) "{\"role\":\"user\",\"content\":\"" s "\"}"
#define PNG "data:image/png;base64,iVBORw0KGgo="

/* rc of a request that must fail, with E.msg containing want. */
static bool rq_fails(const char *in, const char *want)
{
	xlate_ctx cx = ctx();
	int rc = rq_info(&cx, in, NULL);
	if (rc != ERR_INVAL || E.kind != XLATE_E_BAD_REQUEST || !strstr(E.msg, want)) {
		printf("    rc=%d kind=%d msg=%s (want '%s')\n", rc, (int)E.kind, E.msg, want);
		return false;
	}
	return true;
}

/* ================================ request =================================== */

TEST(req_minimal)
{
	xlate_req_info info;
	xlate_ctx cx = ctx();
	CHECK_EQ_STR(rq("{\"model\":\"bedrock/x\",\"messages\":[" U("hi") "],\"stream\":true}"),
		     "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}");
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "],\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
			     &info),
		     0);
	CHECK(info.stream && info.include_usage && info.flags == 0);
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "]}", &info), 0);
	CHECK(!info.stream && !info.include_usage);
	/* members without a mapping are dropped, model and stream never sent */
	const char *o = rq("{\"model\":\"m\",\"messages\":[" U("x") "],\"n\":2,\"user\":\"u\",\"seed\":1,"
			   "\"presence_penalty\":1,\"logit_bias\":{},\"stream\":false,\"parallel_tool_calls\":true}");
	CHECK_EQ_STR(o, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}");
}

TEST(req_system_and_merge)
{
	const char *o = rq("{\"messages\":["
			   "{\"role\":\"system\",\"content\":\"Be brief.\"},"
			   "{\"role\":\"system\",\"content\":\"\"},"
			   "{\"role\":\"user\",\"content\":\"a\"},"
			   "{\"role\":\"developer\",\"content\":\"Dev rule\"},"
			   "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"b\"},{\"type\":\"text\",\"text\":\"\"}]},"
			   "{\"role\":\"assistant\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"text\","
			   "\"text\":\"d\"},{\"type\":\"refusal\",\"refusal\":\"no\"}]},"
			   "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"part\"},{\"text\":\"untyped\"}]}]}");
	CHECK_EQ_STR(at(o, "system"), "[{\"text\":\"Be brief.\"},{\"text\":\"Dev rule\"},{\"text\":\"part\"},{\"text\":\"untyped\"}]");
	CHECK_EQ_STR(at(o, "messages"),
		     "[{\"role\":\"user\",\"content\":[{\"text\":\"a\"},{\"text\":\"b\"}]},"
		     "{\"role\":\"assistant\",\"content\":[{\"text\":\"c\"},{\"text\":\"d\"},{\"text\":\"no\"}]}]");
	/* a message with nothing to send is left out (Bedrock refuses blank text) */
	o = rq("{\"messages\":[" U("a") ",{\"role\":\"assistant\",\"content\":\"\"}," U("b") ",{\"role\":\"user\"}]}");
	CHECK_EQ_STR(at(o, "messages"), "[{\"role\":\"user\",\"content\":[{\"text\":\"a\"},{\"text\":\"b\"}]}]");
	o = rq("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}");
	CHECK_EQ_STR(o, "{\"messages\":[],\"system\":[{\"text\":\"s\"}]}");
	/* escapes survive as they are */
	o = rq("{\"messages\":[" U("q\\\"\\n\\u00e9") "]}");
	CHECK_EQ_STR(at(o, "messages.0.content.0.text"), "\"q\\\"\\n\\u00e9\"");
	CHECK(rq_fails("{\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"" PNG
		       "\"}}]}," U("x") "]}",
		       "messages[0].content[0] has type 'image_url': a system message takes only text"));
}

TEST(req_images_and_documents)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":["
			   "{\"type\":\"text\",\"text\":\"look\"},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" PNG "\",\"detail\":\"high\"}},"
			   "{\"type\":\"image_url\",\"image_url\":\"data:image/JPG;charset=x;base64,/9j/\"},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/webp;base64,UklG\"}},"
			   "{\"type\":\"document\",\"document\":{\"data\":\"JVBERi0=\"}},"
			   "{\"type\":\"document\",\"document\":{\"data\":\"YSxi\",\"media_type\":\"text/csv\",\"name\":\"My  data.v2.csv\"}},"
			   "{\"type\":\"file\",\"file\":{\"file_data\":\"data:text/markdown;base64,IyBo\",\"filename\":\"notes/é x.md\"}}"
			   "]}]}");
	CHECK_EQ_STR(at(o, "messages.0.content.1"), "{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgo=\"}}}");
	CHECK_EQ_STR(at(o, "messages.0.content.2"), "{\"image\":{\"format\":\"jpeg\",\"source\":{\"bytes\":\"/9j/\"}}}");
	CHECK_EQ_STR(at(o, "messages.0.content.3.image.format"), "\"webp\"");
	CHECK_EQ_STR(at(o, "messages.0.content.4"),
		     "{\"document\":{\"format\":\"pdf\",\"name\":\"document-1\",\"source\":{\"bytes\":\"JVBERi0=\"}}}");
	CHECK_EQ_STR(at(o, "messages.0.content.5.document.name"), "\"My data-v2\"");
	CHECK_EQ_STR(at(o, "messages.0.content.5.document.format"), "\"csv\"");
	CHECK_EQ_STR(at(o, "messages.0.content.6"),
		     "{\"document\":{\"format\":\"md\",\"name\":\"notes-- x\",\"source\":{\"bytes\":\"IyBo\"}}}");
	/* what Bedrock cannot take is refused here, naming the part */
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"image_url\","
		       "\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}",
		       "messages[0].content[1]: Bedrock takes images only as base64 data: URLs"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
		       "\"data:image/png,rawbytes\"}}]}]}",
		       "base64 data: URLs"));
	CHECK(rq_fails("{\"messages\":[" U("a") ",{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
		       "\"data:image/bmp;base64,Qk0=\"}}]}]}",
		       "messages[1].content[0]: image type 'image/bmp' is not supported by Bedrock"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"x\","
		       "\"format\":\"wav\"}}]}]}",
		       "messages[0].content[0] has type 'input_audio', which Bedrock does not support"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}",
		       "not by file_id"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"document\":{\"data\":\"x\","
		       "\"media_type\":\"application/zip\"}}]}]}",
		       "document type 'application/zip' is not supported"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "has no image_url.url"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[\"bare\"]}]}", "messages[0].content[0] is not an object"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":42}]}", "must be a string or an array"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"user\",\"content\":[{}]}]}", "has type ''"));
}

TEST(req_tool_round_trip)
{
	const char *o = rq(
		"{\"messages\":[" U("weather?") ","
		"{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
		"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
		"{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"noon\"},"
		"{\"type\":\"image_url\",\"image_url\":{\"url\":\"" PNG "\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_3\",\"content\":{\"a\":[1,2]}},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_4\",\"content\":7},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_5\",\"content\":\"\"},"
		U("thanks") "],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}");
	CHECK_EQ_STR(at(o, "messages.1"),
		     "{\"role\":\"assistant\",\"content\":[{\"text\":\"Checking.\"},"
		     "{\"toolUse\":{\"toolUseId\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}},"
		     "{\"toolUse\":{\"toolUseId\":\"call_2\",\"name\":\"get_time\",\"input\":{}}}]}");
	/* consecutive tool results and the next user message: one user turn */
	CHECK_EQ_STR(at(o, "messages.2"),
		     "{\"role\":\"user\",\"content\":["
		     "{\"toolResult\":{\"toolUseId\":\"call_1\",\"content\":[{\"text\":\"18C\"}],\"status\":\"success\"}},"
		     "{\"toolResult\":{\"toolUseId\":\"call_2\",\"content\":[{\"text\":\"noon\"},{\"image\":{\"format\":\"png\","
		     "\"source\":{\"bytes\":\"iVBORw0KGgo=\"}}}],\"status\":\"success\"}},"
		     "{\"toolResult\":{\"toolUseId\":\"call_3\",\"content\":[{\"json\":{\"a\":[1,2]}}],\"status\":\"success\"}},"
		     "{\"toolResult\":{\"toolUseId\":\"call_4\",\"content\":[{\"text\":\"7\"}],\"status\":\"success\"}},"
		     "{\"toolResult\":{\"toolUseId\":\"call_5\",\"content\":[],\"status\":\"success\"}},"
		     "{\"text\":\"thanks\"}]}");
	CHECK_EQ_STR(at(o, "messages.3"), "<none>");
	/* the legacy function_call / function pair: the id is the name */
	o = rq("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"f\","
	       "\"arguments\":\"{\\\"k\\\":1}\"}},{\"role\":\"function\",\"name\":\"f\",\"content\":\"done\"}]}");
	CHECK_EQ_STR(at(o, "messages.1.content"), "[{\"toolUse\":{\"toolUseId\":\"f\",\"name\":\"f\",\"input\":{\"k\":1}}}]");
	CHECK_EQ_STR(at(o, "messages.2.content.0.toolResult.toolUseId"), "\"f\"");
	/* arguments given as an object are taken as they are */
	o = rq("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"g\","
	       "\"arguments\":{\"z\":true}}}]}]}");
	CHECK_EQ_STR(at(o, "messages.1.content.0.toolUse.input"), "{\"z\":true}");
	/* a tool result in a tool result's array: only text and images */
	CHECK(rq_fails("{\"messages\":[" U("x") ",{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":[{\"type\":\"document\","
		       "\"document\":{\"data\":\"x\"}}]}]}",
		       "has type 'document', which Bedrock does not support in a tool result"));
	CHECK(rq_fails("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":\"g\"}}]}]}",
		       "messages[1].tool_calls[0] has no id"));
	CHECK(rq_fails("{\"messages\":[" U("x") ",{\"role\":\"tool\",\"content\":\"r\"}]}",
		       "messages[1] (role tool) has no tool_call_id"));
	CHECK(rq_fails("{\"messages\":[" U("x") ",{\"role\":\"function\",\"content\":\"r\"}]}",
		       "messages[1] (role function) has no name"));
	CHECK(rq_fails("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"content\":[{\"type\":\"image_url\"}]}]}",
		       "Bedrock does not take in an assistant message"));
}

TEST(req_tool_arguments_invalid)
{
	const char *in = "{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":["
			 "{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}},"
			 "{\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{oops\"}}]}]}";
	const char *o = rq(in);
	CHECK_EQ_STR(at(o, "messages.1.content.0.toolUse.input"), "{}");
	CHECK_EQ_STR(at(o, "messages.1.content.1.toolUse.input"), "{}");
	xlate_ctx cx = ctx();
	cx.flags = XLATE_F_STRICT_ARGS;
	CHECK_EQ_INT(rq_info(&cx, in, NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_BAD_REQUEST);
	CHECK_EQ_STR(E.msg, "messages[1].tool_calls[0].function.arguments is not a JSON object: array");
	/* blank arguments are always {} */
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":"
			     "{\"name\":\"f\",\"arguments\":\"  \"}}]}]}", NULL),
		     0);
}

TEST(req_inference_config)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"max_tokens\":10,\"max_completion_tokens\":20,\"temperature\":0.5,"
			   "\"top_p\":1,\"stop\":\"END\"}");
	CHECK_EQ_STR(at(o, "inferenceConfig"), "{\"maxTokens\":20,\"temperature\":0.5,\"topP\":1,\"stopSequences\":[\"END\"]}");
	o = rq("{\"messages\":[" U("x") "],\"max_tokens\":10,\"stop\":[\"a\",\"b\"],\"temperature\":0}");
	CHECK_EQ_STR(at(o, "inferenceConfig"), "{\"maxTokens\":10,\"temperature\":0,\"stopSequences\":[\"a\",\"b\"]}");
	o = rq("{\"messages\":[" U("x") "],\"stop\":[]}");
	CHECK_EQ_STR(at(o, "inferenceConfig"), "<none>");
	xlate_ctx cx = ctx();
	cx.max_tokens = 4096;
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("x") "]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "inferenceConfig"), "{\"maxTokens\":4096}");
	CHECK(rq_fails("{\"messages\":[" U("x") "],\"temperature\":1.5}", "temperature must be between 0 and 1 for Bedrock, got 1.5"));
	CHECK(rq_fails("{\"messages\":[" U("x") "],\"top_p\":-0.1}", "top_p must be between 0 and 1"));
}

TEST(req_tools_and_choice)
{
	const char *tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
			    "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
			    "\"required\":[\"city\"]}}},"
			    "{\"type\":\"function\",\"function\":{\"name\":\"noargs\",\"description\":\"\"}},"
			    "{\"type\":\"web_search\"}]";
	char in[1024];
	snprintf(in, sizeof in, "{\"messages\":[" U("x") "],%s}", tools);
	const char *o = rq(in);
	CHECK_EQ_STR(at(o, "toolConfig"),
		     "{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":\"Weather\",\"inputSchema\":{\"json\":"
		     "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}},"
		     "{\"toolSpec\":{\"name\":\"noargs\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}]}");
	snprintf(in, sizeof in, "{\"messages\":[" U("x") "],%s,\"tool_choice\":\"auto\"}", tools);
	CHECK_EQ_STR(at(rq(in), "toolConfig.toolChoice"), "{\"auto\":{}}");
	snprintf(in, sizeof in, "{\"messages\":[" U("x") "],%s,\"tool_choice\":\"required\"}", tools);
	CHECK_EQ_STR(at(rq(in), "toolConfig.toolChoice"), "{\"any\":{}}");
	snprintf(in, sizeof in, "{\"messages\":[" U("x") "],%s,\"tool_choice\":{\"type\":\"function\",\"function\":"
		 "{\"name\":\"get_weather\"}}}", tools);
	CHECK_EQ_STR(at(rq(in), "toolConfig.toolChoice"), "{\"tool\":{\"name\":\"get_weather\"}}");
	/* none: Bedrock has no such choice, so the tools are left out ... */
	snprintf(in, sizeof in, "{\"messages\":[" U("x") "],%s,\"tool_choice\":\"none\"}", tools);
	CHECK_EQ_STR(at(rq(in), "toolConfig"), "<none>");
	/* ... unless the conversation has tool blocks (Bedrock then wants toolConfig) */
	snprintf(in, sizeof in, "{\"messages\":[" U("x") ",{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"r\"}],%s,"
		 "\"tool_choice\":\"none\"}", tools);
	o = rq(in);
	CHECK(strcmp(at(o, "toolConfig.tools.0.toolSpec.name"), "\"get_weather\"") == 0);
	CHECK_EQ_STR(at(o, "toolConfig.toolChoice"), "<none>");
	/* no function tools: no toolConfig, whatever tool_choice says */
	CHECK_EQ_STR(at(rq("{\"messages\":[" U("x") "],\"tools\":[],\"tool_choice\":\"required\"}"), "toolConfig"), "<none>");
	/* a history with tool calls but no tools in the request: the tools it
	 * used are declared by name (Bedrock refuses tool blocks without any) */
	o = rq("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":["
	       "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
	       "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}},"
	       "{\"id\":\"c3\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
	       "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"r\"}]}");
	CHECK_EQ_STR(at(o, "toolConfig"),
		     "{\"tools\":[{\"toolSpec\":{\"name\":\"f\",\"description\":\"a tool called earlier in this "
		     "conversation\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}},{\"toolSpec\":{\"name\":\"g\","
		     "\"description\":\"a tool called earlier in this conversation\",\"inputSchema\":{\"json\":"
		     "{\"type\":\"object\"}}}}]}");
	/* only tool results (no calls to name): nothing to declare */
	o = rq("{\"messages\":[" U("x") ",{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"r\"}]}");
	CHECK_EQ_STR(at(o, "toolConfig"), "<none>");
}

TEST(req_extras)
{
	const char *o = rq("{\"messages\":[{\"role\":\"system\",\"content\":\"S\"}," U("x") "],\"reasoning_effort\":\"high\","
			   "\"service_tier\":\"flex\",\"metadata\":{\"team\":\"a\"},\"response_format\":{\"type\":\"json_object\"}}");
	CHECK_EQ_STR(at(o, "additionalModelRequestFields"), "{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":16384}}");
	CHECK_EQ_STR(at(o, "serviceTier"), "{\"type\":\"flex\"}");
	CHECK_EQ_STR(at(o, "requestMetadata"), "{\"team\":\"a\"}");
	CHECK_EQ_STR(at(o, "system"), "[{\"text\":\"S\"},{\"text\":\"Respond with valid JSON only. Do not include any text "
				      "outside the JSON object.\"}]");
	o = rq("{\"messages\":[" U("x") "],\"reasoning_effort\":\"low\",\"service_tier\":\"auto\"}");
	CHECK_EQ_STR(at(o, "additionalModelRequestFields.thinking.budget_tokens"), "1024");
	CHECK_EQ_STR(at(o, "serviceTier"), "<none>");
	o = rq("{\"messages\":[" U("x") "],\"reasoning_effort\":\"medium\"}");
	CHECK_EQ_STR(at(o, "additionalModelRequestFields.thinking.budget_tokens"), "4096");
	o = rq("{\"messages\":[" U("x") "],\"reasoning_effort\":\"none\"}");
	CHECK_EQ_STR(at(o, "additionalModelRequestFields"), "<none>");
	o = rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"pt\","
	       "\"schema\":{\"type\":\"object\"}}}}");
	CHECK_EQ_STR(at(o, "system.0.text"), "\"Respond with valid JSON matching the following schema named 'pt':\\n```json\\n"
					     "{\\n  \\\"type\\\": \\\"object\\\"\\n}\\n```\\nDo not include any text outside the "
					     "JSON object.\"");
	/* extra_body: copied to the top level, replacing what was built */
	o = rq("{\"messages\":[" U("x") "],\"max_tokens\":5,\"extra_body\":{\"guardrailConfig\":{\"guardrailIdentifier\":\"g\","
	       "\"guardrailVersion\":\"1\"},\"inferenceConfig\":{\"maxTokens\":9},\"reasoning_effort\":\"low\"}}");
	CHECK_EQ_STR(o, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"additionalModelRequestFields\":"
			"{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}},\"guardrailConfig\":{\"guardrailIdentifier\":"
			"\"g\",\"guardrailVersion\":\"1\"},\"inferenceConfig\":{\"maxTokens\":9}}");
}

TEST(req_errors)
{
	CHECK(rq_fails("{\"messages\":[", "request body is not valid JSON"));
	CHECK(rq_fails("[1]", "request body must be a JSON object"));
	CHECK(rq_fails("{}", "messages array must not be empty"));
	CHECK(rq_fails("{\"messages\":[]}", "messages array must not be empty"));
	CHECK(rq_fails("{\"messages\":{}}", "messages array must not be empty"));
	CHECK(rq_fails("{\"messages\":[1]}", "messages[0] is not an object"));
	CHECK(rq_fails("{\"messages\":[" U("a") ",{\"content\":\"x\"}]}", "messages[1] has no role"));
	CHECK(rq_fails("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "messages[0] has an unsupported role 'robot'"));
	CHECK_EQ_INT(O.len, 0);
}

TEST(req_output_cap)
{
	xlate_ctx cx = ctx();
	const char *in = "{\"messages\":[{\"role\":\"system\",\"content\":\"sys\"}," U("hello there") "],\"tools\":[{\"type\":"
			 "\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
			 "\"response_format\":{\"type\":\"json_object\"}}";
	CHECK_EQ_INT(rq_info(&cx, in, NULL), 0);
	size_t full = O.len;
	int bad = 0;
	for (size_t cap = 1; cap < full; cap++) {
		buf small = { 0 };
		buf_init(&small, cap);
		buf_puts(&small, "");
		arena_reset(&A);
		int rc = xlate_bedrock_request(&cx, in, strlen(in), &A, &small, NULL, &E);
		if (rc != ERR_TOOBIG || small.len != 0 || E.kind != XLATE_E_INTERNAL)
			bad++;
		buf_free(&small);
	}
	CHECK_EQ_INT(bad, 0);
}

/* ================================ response ================================== */

#define RESP_TEXT                                                                                         \
	"{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello\"},{\"text\":\" world\"}]}},"   \
	"\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":12,\"outputTokens\":3,\"totalTokens\":15},"        \
	"\"metrics\":{\"latencyMs\":120}}"

TEST(resp_text)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx, RESP_TEXT, &u), 0);
	CHECK_EQ_STR(O.data, "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":"
			     "\"anthropic.claude-3-haiku-20240307-v1:0\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
			     "\"assistant\",\"content\":\"Hello world\"},\"finish_reason\":\"stop\"}],\"usage\":{"
			     "\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}");
	CHECK(u.present && u.prompt_tokens == 12 && u.completion_tokens == 3 && u.total_tokens == 15);
	/* ids: requestId, conversationId, ctx, "bedrock-resp" */
	CHECK_EQ_INT(rs(&cx, "{\"requestId\":\"r-1\",\"output\":{\"message\":{\"content\":[]}}}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"r-1\"");
	CHECK_EQ_STR(at(O.data, "choices.0.message.content"), "null");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}");
	CHECK_EQ_INT(rs(&cx, "{\"conversationId\":\"c-1\",\"output\":{}}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"c-1\"");
	cx.id = STR_NULL;
	cx.model = STR_NULL;
	CHECK_EQ_INT(rs(&cx, "{\"output\":{\"message\":null}}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"bedrock-resp\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"\"");
	CHECK_EQ_INT(rs(NULL, RESP_TEXT, NULL), 0);
}

TEST(resp_stop_reasons)
{
	static const struct {
		const char *stop, *want;
	} cases[] = {
		{ "\"end_turn\"", "stop" },           { "\"stop_sequence\"", "stop" },
		{ "\"max_tokens\"", "length" },       { "\"model_context_window_exceeded\"", "length" },
		{ "\"tool_use\"", "tool_calls" },     { "\"content_filtered\"", "content_filter" },
		{ "\"guardrail_intervened\"", "content_filter" }, { "\"something_new\"", "stop" },
		{ "null", "stop" },                   { "42", "stop" },
	};
	xlate_ctx cx = ctx();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char in[256], want[64];
		snprintf(in, sizeof in, "{\"output\":{\"message\":{\"content\":[{\"text\":\"t\"}]}},\"stopReason\":%s}",
			 cases[i].stop);
		snprintf(want, sizeof want, "\"%s\"", cases[i].want);
		CHECK_EQ_INT(rs(&cx, in, NULL), 0);
		CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), want);
	}
	CHECK_EQ_INT(rs(&cx, "{\"output\":{\"message\":{\"content\":[]}}}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"stop\"");
}

TEST(resp_tools_reasoning_usage)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	const char *in =
		"{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
		"{\"reasoningContent\":{\"reasoningText\":{\"text\":\"Think \\\"a\\\"\",\"signature\":\"sig\"}}},"
		"{\"text\":\"Let me check.\"},"
		"{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\",\"input\":{\"city\": \"Paris\", \"n\":[1, 2]}}},"
		"{\"reasoningContent\":{\"reasoningText\":{\"text\":\"!\"}}},"
		"{\"toolUse\":{\"toolUseId\":\"tooluse_2\",\"name\":\"noargs\"}}]}},"
		"\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":100,\"outputTokens\":20,\"totalTokens\":1620,"
		"\"cacheReadInputTokens\":1000,\"cacheWriteInputTokens\":500}}";
	CHECK_EQ_INT(rs(&cx, in, &u), 0);
	CHECK_EQ_STR(at(O.data, "choices.0.message"),
		     "{\"role\":\"assistant\",\"content\":\"Let me check.\",\"tool_calls\":["
		     "{\"id\":\"tooluse_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
		     "\"{\\\"city\\\":\\\"Paris\\\",\\\"n\\\":[1,2]}\"}},"
		     "{\"id\":\"tooluse_2\",\"type\":\"function\",\"function\":{\"name\":\"noargs\",\"arguments\":\"{}\"}}],"
		     "\"reasoning_content\":\"Think \\\"a\\\"!\"}");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"tool_calls\"");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":1600,\"completion_tokens\":20,\"total_tokens\":1620,"
					  "\"prompt_tokens_details\":{\"cached_tokens\":1000}}");
	CHECK(u.cached_tokens == 1000 && u.cache_write_tokens == 500 && u.prompt_tokens == 1600);
	/* huge counts saturate */
	CHECK_EQ_INT(rs(&cx, "{\"output\":{},\"usage\":{\"inputTokens\":18446744073709551615,\"cacheReadInputTokens\":5,"
			     "\"outputTokens\":2}}", &u), 0);
	CHECK(u.prompt_tokens == UINT64_MAX && u.total_tokens == UINT64_MAX);
}

TEST(resp_errors)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx, "{\"message\":\"The security token included in the request is invalid.\"}", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_UPSTREAM);
	CHECK_EQ_STR(E.msg, "The security token included in the request is invalid.");
	CHECK_EQ_INT(rs(&cx, "{\"__type\":\"ThrottlingException\",\"Message\":\"slow down\"}", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_UPSTREAM && E.status == 429);
	CHECK_EQ_STR(E.type, "ThrottlingException");
	CHECK_EQ_INT(rs(&cx, "{\"stopReason\":\"end_turn\"}", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION);
	CHECK_EQ_STR(E.msg, "Bedrock response has no output");
	CHECK_EQ_INT(rs(&cx, "{\"output\":[]}", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION);
	CHECK_EQ_INT(rs(&cx, "[]", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION);
	CHECK_EQ_INT(rs(&cx, "<html>", NULL), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION && strstr(E.msg, "invalid JSON from Bedrock") != NULL);
	CHECK_EQ_INT(rs(&cx, "", NULL), ERR_INVAL);
}

TEST(error_bodies)
{
	static const struct {
		const char *body;
		int rc, status;
		const char *type, *msg;
	} cases[] = {
		{ "{\"message\":\"Malformed input request\"}", 0, 0, "", "Malformed input request" },
		{ "{\"Message\":\"User: arn:aws:iam::1:user/x is not authorized\"}", 0, 0, "",
		  "User: arn:aws:iam::1:user/x is not authorized" },
		{ "{\"__type\":\"com.amazon.coral.service#UnrecognizedClientException\",\"message\":\"bad token\"}", 0, 403,
		  "UnrecognizedClientException", "bad token" },
		{ "{\"__type\":\"ValidationException:http://internal\",\"message\":\"Input is too long\"}", 0, 400,
		  "ValidationException", "Input is too long" },
		{ "{\"__type\":\"ServiceUnavailableException\",\"message\":\"\"}", 0, 503, "ServiceUnavailableException",
		  "unknown Bedrock error" },
		{ "{\"__type\":\"ModelErrorException\",\"message\":\"x\"}", 0, 424, "ModelErrorException", "x" },
		{ "{\"error\":{\"message\":\"openai shape\"}}", ERR_NOTFOUND, 0, NULL, NULL },
		{ "{\"message\":5}", ERR_NOTFOUND, 0, NULL, NULL },
		{ "not json", ERR_NOTFOUND, 0, NULL, NULL },
		{ "[\"message\"]", ERR_NOTFOUND, 0, NULL, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&E, 0, sizeof E);
		arena_reset(&A);
		int rc = xlate_bedrock_error(cases[i].body, strlen(cases[i].body), &A, &E);
		CHECK_EQ_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK(E.kind == XLATE_E_UPSTREAM);
			CHECK_EQ_INT(E.status, cases[i].status);
			CHECK_EQ_STR(E.type, cases[i].type);
			CHECK_EQ_STR(E.msg, cases[i].msg);
		} else {
			CHECK(E.kind == XLATE_E_NONE);
		}
	}
	CHECK_EQ_INT(xlate_bedrock_error_status(STR_LIT("ThrottlingException")), 429);
	CHECK_EQ_INT(xlate_bedrock_error_status(STR_LIT("AccessDeniedException")), 403);
	CHECK_EQ_INT(xlate_bedrock_error_status(STR_LIT("ModelTimeoutException")), 408);
	CHECK_EQ_INT(xlate_bedrock_error_status(STR_LIT("Nope")), 0);
}

/* ================================ stream ==================================== */

typedef struct ev {
	const char *type, *data;
} ev;

/* Text block 0, tool block 1 (two fragments), text block 2, tool block 3
 * with no input, then messageStop and metadata ("p" padding everywhere, as
 * Bedrock sends it). */
static const ev EVENTS[] = {
	{ "messageStart", "{\"p\":\"abcd\",\"role\":\"assistant\"}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Let me \"},\"p\":\"ab\"}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"check.\"}}" },
	{ "contentBlockStop", "{\"contentBlockIndex\":0}" },
	{ "contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_A\",\"name\":\"get_weather\"}}}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"city\\\":\"}}}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"\\\"Paris\\\"}\"}}}" },
	{ "contentBlockStop", "{\"contentBlockIndex\":1}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"reasoningContent\":{\"text\":\"hmm\"}}}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"reasoningContent\":{\"signature\":\"s\"}}}" },
	{ "contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"text\":\"And\"}}" },
	{ "contentBlockStop", "{\"contentBlockIndex\":2}" },
	{ "contentBlockStart", "{\"contentBlockIndex\":3,\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_B\",\"name\":\"now\"}}}" },
	{ "contentBlockStop", "{\"contentBlockIndex\":3}" },
	{ "messageStop", "{\"stopReason\":\"tool_use\"}" },
	{ "metadata", "{\"usage\":{\"inputTokens\":30,\"outputTokens\":12,\"totalTokens\":42},\"metrics\":{\"latencyMs\":9}}" },
};
#define NEVENTS (sizeof EVENTS / sizeof EVENTS[0])

#define H(rest) "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
		"\"anthropic.claude-3-haiku-20240307-v1:0\",\"choices\":[" rest "\n"
#define D(delta) H("{\"index\":0,\"delta\":" delta ",\"finish_reason\":null}]}")
#define EXPECT_BODY                                                                                          \
	D("{\"role\":\"assistant\",\"content\":\"\"}")                                                        \
	D("{\"content\":\"Let me \"}")                                                                       \
	D("{\"content\":\"check.\"}")                                                                        \
	D("{\"tool_calls\":[{\"index\":0,\"id\":\"tooluse_A\",\"type\":\"function\",\"function\":{\"name\":"   \
	  "\"get_weather\",\"arguments\":\"\"}}]}")                                                           \
	D("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}")                  \
	D("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}")                  \
	D("{\"reasoning_content\":\"hmm\"}")                                                                 \
	D("{\"content\":\"And\"}")                                                                           \
	D("{\"tool_calls\":[{\"index\":1,\"id\":\"tooluse_B\",\"type\":\"function\",\"function\":{\"name\":"   \
	  "\"now\",\"arguments\":\"\"}}]}")                                                                   \
	D("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{}\"}}]}")
#define EXPECT_FINISH_USAGE                                                                                  \
	H("{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":30,"      \
	  "\"completion_tokens\":12,\"total_tokens\":42}}")
#define EXPECT_FINISH H("{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}")
#define EXPECT_USAGE_CHUNK "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
	"\"anthropic.claude-3-haiku-20240307-v1:0\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,"                     \
	"\"completion_tokens\":12,\"total_tokens\":42}}\n"

static int feed(xlate_bedrock_stream *st, const char *type, const char *data)
{
	arena_reset(&A);
	memset(&E, 0, sizeof E);
	return xlate_bedrock_stream_feed(st, str_from(type), str_from(data), &A, &O, &E);
}

static void stream_start(xlate_bedrock_stream *st, bool include_usage)
{
	xlate_ctx cx = ctx();
	cx.include_usage = include_usage;
	xlate_bedrock_stream_init(st, &cx);
	buf_reset(&O);
}

/* Feed every event, then end; total chunks or the first error. */
static int run_events(const ev *evs, size_t n, bool include_usage, xlate_bedrock_stream *st)
{
	int total = 0;
	stream_start(st, include_usage);
	for (size_t i = 0; i < n; i++) {
		int k = feed(st, evs[i].type, evs[i].data);
		if (k < 0)
			return k;
		total += k;
	}
	int k = xlate_bedrock_stream_end(st, &O, &E);
	return k < 0 ? k : total + k;
}

TEST(stream_full_sequence)
{
	xlate_bedrock_stream st;
	CHECK_EQ_INT(run_events(EVENTS, NEVENTS, false, &st), 11);
	const char *want = EXPECT_BODY EXPECT_FINISH_USAGE;
	CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
	CHECK_EQ_INT(valid_lines(O.data, O.len), 11);
	CHECK(st.done && st.finish_sent && st.ntools == 2);
	CHECK_EQ_STR(st.finish_reason, "tool_calls");
	/* the finish chunk came with metadata: the end adds nothing */
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), 0);
}

TEST(stream_include_usage)
{
	xlate_bedrock_stream st;
	CHECK_EQ_INT(run_events(EVENTS, NEVENTS, true, &st), 12);
	const char *want = EXPECT_BODY EXPECT_FINISH EXPECT_USAGE_CHUNK;
	CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
	CHECK(st.usage_sent);
}

TEST(stream_finish_waits_for_metadata)
{
	xlate_bedrock_stream st;
	stream_start(&st, true);
	CHECK_EQ_INT(feed(&st, "messageStart", "{\"role\":\"assistant\"}"), 1);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"), 1);
	CHECK_EQ_INT(feed(&st, "messageStop", "{\"stopReason\":\"max_tokens\"}"), 0);
	CHECK(st.finish_reason && !st.finish_sent && !st.done);
	/* no metadata: the end sends the finish and the usage chunk */
	buf_reset(&O);
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), 2);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	CHECK(strstr(O.data, "\"delta\":{},\"finish_reason\":\"length\"}]}\n") != NULL);
	CHECK(strstr(O.data, "\"choices\":[],\"usage\":{\"prompt_tokens\":0") != NULL);
	/* each stop reason maps as in responses */
	static const struct {
		const char *stop, *want;
	} cases[] = {
		{ "end_turn", "stop" }, { "stop_sequence", "stop" }, { "max_tokens", "length" },
		{ "tool_use", "tool_calls" }, { "content_filtered", "content_filter" },
		{ "guardrail_intervened", "content_filter" }, { "other", "stop" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char ms[96], want[64];
		snprintf(ms, sizeof ms, "{\"stopReason\":\"%s\"}", cases[i].stop);
		snprintf(want, sizeof want, "\"%s\"", cases[i].want);
		stream_start(&st, false);
		CHECK_EQ_INT(feed(&st, "messageStop", ms), 1); /* the role chunk */
		buf_reset(&O);
		CHECK_EQ_INT(feed(&st, "metadata", "{\"usage\":{\"inputTokens\":1,\"outputTokens\":2,\"cacheReadInputTokens\":3}}"), 1);
		CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), want);
		CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6,"
						  "\"prompt_tokens_details\":{\"cached_tokens\":3}}");
		CHECK(st.done);
		CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"delta\":{\"text\":\"late\"}}"), 0);
	}
}

TEST(stream_variants)
{
	xlate_bedrock_stream st;
	/* content before messageStart gets the role chunk first; unknown events
	 * and empty deltas give nothing; metadata before messageStop only counts */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"delta\":{\"text\":\"a\"}}"), 2);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"delta\":{\"text\":\"\"}}"), 0);
	CHECK_EQ_INT(feed(&st, "somethingNew", "{\"x\":1}"), 0);
	CHECK_EQ_INT(feed(&st, "metadata", "{\"usage\":{\"inputTokens\":5,\"outputTokens\":1}}"), 0);
	CHECK(st.usage.prompt_tokens == 5 && !st.done);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", ""), 0);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "[1,2]"), 0);
	/* deltas of a tool block never started are dropped */
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"contentBlockIndex\":7,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}"), 0);
	/* [DONE] ends like the end of input ("stop" when no stopReason came) */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "", "[DONE]"), 1);
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"stop\"");
	CHECK_EQ_STR(at(O.data, "usage.prompt_tokens"), "5");
	CHECK(st.done);
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), 0);

	/* the SDK's wrapped form without an :event-type */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "", "{\"messageStart\":{\"role\":\"assistant\"}}"), 1);
	CHECK_EQ_INT(feed(&st, "", "{\"contentBlockDelta\":{\"contentBlockIndex\":0,\"delta\":{\"text\":\"w\"}}}"), 1);
	CHECK_EQ_INT(feed(&st, "", "{\"messageStop\":{\"stopReason\":\"end_turn\"}}"), 0);
	CHECK_EQ_INT(feed(&st, "", "{\"metadata\":{\"usage\":{}}}"), 1);
	CHECK(st.done);

	/* a tool block left open is closed at messageStop ("{}" when it had no
	 * input); a restarted block index closes the earlier one */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"a\",\"name\":\"f\"}}}"), 2);
	CHECK_EQ_INT(feed(&st, "contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"b\",\"name\":\"g\"}}}"), 2);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":\"{\\\"x\\\":1}\"}}}"), 1);
	CHECK_EQ_INT(feed(&st, "contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":\"c\"}}}"), 1);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "messageStop", "{\"stopReason\":\"tool_use\"}"), 1);
	CHECK_EQ_STR(O.data, D("{\"tool_calls\":[{\"index\":2,\"function\":{\"arguments\":\"{}\"}}]}"));
	CHECK_EQ_INT(st.nopen, 0);
	/* a start without toolUse (e.g. a future block kind) is ignored */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "contentBlockStart", "{\"contentBlockIndex\":0,\"start\":{\"image\":{}}}"), 0);
	CHECK_EQ_INT(st.nopen, 0);
}

TEST(stream_errors)
{
	xlate_bedrock_stream st;
	/* an exception event (when it reaches the feed) */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "messageStart", "{\"role\":\"assistant\"}"), 1);
	size_t before = O.len;
	CHECK_EQ_INT(feed(&st, "throttlingException", "{\"message\":\"Too many requests\"}"), ERR_INVAL);
	CHECK(E.kind == XLATE_E_STREAMING && E.status == 429);
	CHECK_EQ_STR(E.msg, "Too many requests");
	CHECK_EQ_STR(E.type, "throttlingException");
	CHECK_EQ_INT(O.len, before);
	CHECK_EQ_INT(feed(&st, "metadata", "{}"), ERR_STATE);
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), ERR_STATE);
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "modelStreamErrorException", "{\"originalStatusCode\":500}"), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "modelStreamErrorException");
	/* data that is not JSON */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"delta\":"), ERR_INVAL);
	CHECK(E.kind == XLATE_E_STREAMING && strstr(E.msg, "failed to parse Bedrock SSE event") != NULL);
	CHECK_EQ_INT(O.len, 0);
	/* the stream ends before messageStop */
	stream_start(&st, false);
	CHECK_EQ_INT(feed(&st, "contentBlockDelta", "{\"delta\":{\"text\":\"a\"}}"), 2);
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "Bedrock stream ended before the message was complete");
	CHECK_EQ_INT(xlate_bedrock_stream_end(&st, &O, &E), ERR_STATE);
	/* more tool blocks open than the struct holds */
	stream_start(&st, false);
	for (int i = 0; i < XLATE_BEDROCK_OPEN_TOOLS; i++) {
		char e[160];
		snprintf(e, sizeof e, "{\"contentBlockIndex\":%d,\"start\":{\"toolUse\":{\"toolUseId\":\"t%d\",\"name\":\"f\"}}}",
			 i, i);
		CHECK(feed(&st, "contentBlockStart", e) > 0);
	}
	before = O.len;
	CHECK_EQ_INT(feed(&st, "contentBlockStart", "{\"contentBlockIndex\":99,\"start\":{\"toolUse\":{}}}"), ERR_INVAL);
	CHECK(strstr(E.msg, "more than 16 tool blocks open") != NULL);
	CHECK_EQ_INT(O.len, before);
	CHECK_EQ_INT(st.nopen, XLATE_BEDROCK_OPEN_TOOLS);
}

TEST(stream_output_cap)
{
	/* every cap: either the same chunks or ERR_TOOBIG with out as it was */
	xlate_bedrock_stream full;
	CHECK_EQ_INT(run_events(EVENTS, NEVENTS, true, &full), 12);
	size_t want = O.len;
	int bad = 0;
	for (size_t cap = 1; cap <= want; cap += 7) {
		xlate_bedrock_stream st;
		xlate_ctx cx = ctx();
		cx.include_usage = true;
		xlate_bedrock_stream_init(&st, &cx);
		buf small = { 0 };
		buf_init(&small, cap);
		int rc = 0;
		for (size_t i = 0; i < NEVENTS && rc >= 0; i++) {
			size_t before = small.len;
			arena_reset(&A);
			rc = xlate_bedrock_stream_feed(&st, str_from(EVENTS[i].type), str_from(EVENTS[i].data), &A, &small, &E);
			if (rc < 0 && (rc != ERR_TOOBIG || small.len != before || E.kind != XLATE_E_INTERNAL))
				bad++;
		}
		if (rc >= 0 && (small.len != want || memcmp(small.data, O.data, want)))
			bad++;
		buf_free(&small);
	}
	CHECK_EQ_INT(bad, 0);
}

TEST(stream_long_ids)
{
	char longid[400];
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = 0;
	xlate_ctx cx = ctx();
	cx.id = str_from(longid);
	xlate_bedrock_stream st;
	xlate_bedrock_stream_init(&st, &cx);
	CHECK_EQ_INT(st.id_len, 0);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "messageStart", "{}"), 1);
	CHECK_EQ_STR(at(O.data, "id"), "\"\"");
	xlate_bedrock_stream_init(&st, NULL);
	CHECK_EQ_INT(st.model_len, 0);
}

/* The event stream as Bedrock frames it, decoded by the real framing decoder
 * (providers/eventstream) fed in pieces of every size: the same chunks. */
static void es_encode_all(buf *b)
{
	for (size_t i = 0; i < NEVENTS; i++) {
		eventstream_header h[3] = {
			{ .name = ":event-type", .name_len = 11, .type = EVENTSTREAM_STRING, .data = EVENTS[i].type,
			  .len = strlen(EVENTS[i].type) },
			{ .name = ":content-type", .name_len = 13, .type = EVENTSTREAM_STRING, .data = "application/json",
			  .len = 16 },
			{ .name = ":message-type", .name_len = 13, .type = EVENTSTREAM_STRING, .data = "event", .len = 5 },
		};
		eventstream_encode(b, h, 3, EVENTS[i].data, strlen(EVENTS[i].data));
	}
}

/* wire[0..n) through the framing decoder in pieces of piece bytes (xt_run_fn) */
static int es_run(const void *ud, const char *wire, size_t n, size_t piece, buf *out)
{
	xlate_bedrock_stream st;
	xlate_ctx cx = ctx();
	eventstream_dec dec;
	int rc = 0;
	(void)ud;
	xlate_bedrock_stream_init(&st, &cx);
	eventstream_dec_init(&dec, 0);
	for (size_t off = 0; off < n && rc >= 0;) {
		size_t k = piece < n - off ? piece : n - off;
		rc = eventstream_dec_feed(&dec, wire + off, k);
		off += k;
		eventstream_msg m;
		while (rc >= 0 && eventstream_dec_next(&dec, &m) == 0) {
			arena_reset(&A);
			rc = xlate_bedrock_stream_feed(&st, str_make(m.event_type, m.event_type_len),
						       str_make((const char *)m.payload, m.payload_len), &A, out, &E);
		}
	}
	if (rc >= 0 && eventstream_dec_pending(&dec))
		rc = ERR_INVAL;
	if (rc >= 0)
		rc = xlate_bedrock_stream_end(&st, out, &E);
	eventstream_dec_free(&dec);
	return rc;
}

TEST(stream_through_eventstream_decoder)
{
	buf wire = { 0 }, whole = { 0 };
	es_encode_all(&wire);
	CHECK(wire.len > 0);
	CHECK(es_run(NULL, wire.data, wire.len, wire.len, &whole) >= 0);
	const char *want = EXPECT_BODY EXPECT_FINISH_USAGE;
	CHECK_EQ_MEM(whole.data, whole.len, want, strlen(want));
	CHECK_EQ_INT(xt_splits(es_run, NULL, wire.data, wire.len, 40, 61, whole.data, whole.len), 0);
	buf_free(&wire);
	buf_free(&whole);
}

/* ================================ embeddings ================================ */

static int erq(const char *model, const char *in, xlate_req_info *info)
{
	xlate_ctx cx = ctx();
	cx.model = str_from(model);
	return rq_fn(xlate_bedrock_embed_request, &cx, in, info);
}

static int ers(unsigned flags, const char *in)
{
	xlate_ctx cx = ctx();
	cx.model = STR_LIT("amazon.titan-embed-text-v2:0");
	cx.flags = flags;
	return rs_fn(xlate_bedrock_embed_response, &cx, in, NULL);
}

TEST(embeddings)
{
	xlate_req_info info;
	CHECK_EQ_INT(erq("amazon.titan-embed-text-v2:0", "{\"model\":\"e\",\"input\":\"hello\",\"dimensions\":256,"
			 "\"encoding_format\":\"base64\"}", &info), 0);
	CHECK_EQ_STR(O.data, "{\"inputText\":\"hello\",\"dimensions\":256}");
	CHECK(info.flags & XLATE_F_EMBED_BASE64);
	CHECK_EQ_INT(erq("us.amazon.titan-embed-text-v1", "{\"input\":[\"one\"],\"dimensions\":8}", &info), 0);
	CHECK_EQ_STR(O.data, "{\"inputText\":\"one\"}");
	CHECK_EQ_INT(info.flags, 0);
	CHECK_EQ_INT(erq("amazon.titan-embed-image-v1", "{\"input\":\"pic\",\"dimensions\":384}", NULL), 0);
	CHECK_EQ_STR(O.data, "{\"inputText\":\"pic\",\"embeddingConfig\":{\"outputEmbeddingLength\":384}}");
	CHECK_EQ_INT(erq("cohere.embed-english-v3", "{\"input\":[\"a\",\"b\\n\"],\"encoding_format\":\"float\"}", &info), 0);
	CHECK_EQ_STR(O.data, "{\"texts\":[\"a\",\"b\\n\"],\"input_type\":\"search_document\"}");
	CHECK_EQ_INT(info.flags, 0);
	CHECK_EQ_INT(erq("cohere.embed-multilingual-v3", "{\"input\":\"x\"}", NULL), 0);
	CHECK_EQ_STR(O.data, "{\"texts\":[\"x\"],\"input_type\":\"search_document\"}");
	CHECK_EQ_INT(erq("amazon.titan-embed-text-v2:0", "{\"input\":[\"a\",\"b\"]}", NULL), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "amazon.titan-embed models take one input per request, got 2");
	CHECK_EQ_INT(erq("meta.llama3", "{\"input\":\"a\"}", NULL), ERR_INVAL);
	CHECK(strstr(E.msg, "not 'meta.llama3'") != NULL);
	CHECK_EQ_INT(erq("cohere.embed-english-v3", "{\"input\":[[1,2]]}", NULL), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "input[0]: Bedrock embeddings take text, not array");
	CHECK_EQ_INT(erq("cohere.embed-english-v3", "{\"input\":[]}", NULL), ERR_INVAL);
	CHECK_EQ_INT(erq("cohere.embed-english-v3", "{}", NULL), ERR_INVAL);
	CHECK_EQ_INT(erq("", "{\"model\":\"cohere.embed-english-v3\",\"input\":\"q\"}", NULL), 0);

	/* responses */
	CHECK_EQ_INT(ers(0, "{\"embedding\":[0.5,-1.25,2],\"inputTextTokenCount\":3}"), 0);
	CHECK_EQ_STR(O.data, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.5,-1.25,2]}],"
			     "\"model\":\"amazon.titan-embed-text-v2:0\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}");
	/* base64 of float32 LE 0.5, -1.25, 2 = 00 00 00 3f | 00 00 a0 bf | 00 00 00 40 */
	CHECK_EQ_INT(ers(XLATE_F_EMBED_BASE64, "{\"embedding\":[0.5,-1.25,2],\"inputTextTokenCount\":3}"), 0);
	CHECK_EQ_STR(at(O.data, "data.0.embedding"), "\"AAAAPwAAoL8AAABA\"");
	CHECK_EQ_INT(ers(0, "{\"embeddings\":[[1,2],[3]],\"id\":\"x\",\"response_type\":\"embeddings_floats\"}"), 0);
	CHECK_EQ_STR(at(O.data, "data"), "[{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,2]},"
					 "{\"object\":\"embedding\",\"index\":1,\"embedding\":[3]}]");
	CHECK_EQ_STR(at(O.data, "usage.prompt_tokens"), "0");
	CHECK_EQ_INT(ers(0, "{\"embeddings\":{\"float\":[[7]]},\"meta\":{\"billed_units\":{\"input_tokens\":4}}}"), 0);
	CHECK_EQ_STR(at(O.data, "data.0.embedding"), "[7]");
	CHECK_EQ_STR(at(O.data, "usage.total_tokens"), "4");
	CHECK_EQ_INT(ers(0, "{\"embeddings\":[[1,\"x\"]]}"), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION && strstr(E.msg, "embedding 0 is not an array of numbers"));
	CHECK_EQ_INT(ers(0, "{\"embeddings\":[5]}"), ERR_INVAL);
	CHECK_EQ_INT(ers(0, "{\"message\":\"Malformed input request\"}"), ERR_INVAL);
	CHECK(E.kind == XLATE_E_UPSTREAM);
	CHECK_EQ_INT(ers(0, "{\"x\":1}"), ERR_INVAL);
	CHECK(E.kind == XLATE_E_SERIALIZATION);
	CHECK_EQ_INT(ers(0, "nope"), ERR_INVAL);
}

int main(void)
{
	RUN(req_minimal);
	RUN(req_system_and_merge);
	RUN(req_images_and_documents);
	RUN(req_tool_round_trip);
	RUN(req_tool_arguments_invalid);
	RUN(req_inference_config);
	RUN(req_tools_and_choice);
	RUN(req_extras);
	RUN(req_errors);
	RUN(req_output_cap);
	RUN(resp_text);
	RUN(resp_stop_reasons);
	RUN(resp_tools_reasoning_usage);
	RUN(resp_errors);
	RUN(error_bodies);
	RUN(stream_full_sequence);
	RUN(stream_include_usage);
	RUN(stream_finish_waits_for_metadata);
	RUN(stream_variants);
	RUN(stream_errors);
	RUN(stream_output_cap);
	RUN(stream_long_ids);
	RUN(stream_through_eventstream_decoder);
	RUN(embeddings);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
