/* test_xlate_gemini.c — OpenAI <-> Gemini generateContent translation:
 * request mapping, response mapping, error bodies, and the stream state
 * machine (a realistic payload sequence, every SSE split point, errors,
 * caps). Every output goes through the strict JSON reader. */
#include "providers/xlate_gemini.h"
#define XT_REQUEST xlate_gemini_request
#define XT_RESPONSE xlate_gemini_response
#define XT_MODEL "gemini-2.5-flash"
#include "xlate_testlib.h"

#define U(s) "{\"role\":\"user\",\"content\":\"" s "\"}"

/* ================================ request =================================== */

TEST(req_minimal)
{
	xlate_req_info info;
	xlate_ctx cx = ctx();
	CHECK_EQ_STR(rq("{\"model\":\"gemini/gemini-2.5-flash\",\"messages\":[" U("hi") "],\"stream\":true}"),
		     "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}");
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "],\"stream\":true,\"stream_options\":{\"include_usage\":true}}",
			     &info),
		     0);
	CHECK(info.stream && info.include_usage);
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("hi") "]}", &info), 0);
	CHECK(!info.stream && !info.include_usage);
}

TEST(req_system_and_merge)
{
	const char *o = rq("{\"messages\":["
			   "{\"role\":\"system\",\"content\":\"Be brief.\"},"
			   "{\"role\":\"system\",\"content\":\"\"},"
			   "{\"role\":\"user\",\"content\":\"a\"},"
			   "{\"role\":\"developer\",\"content\":\"Dev rule\"},"
			   "{\"role\":\"user\",\"content\":\"b\"},"
			   "{\"role\":\"assistant\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":\"d\"},"
			   "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"part\"},{\"type\":\"text\"}]}]}");
	CHECK_EQ_STR(at(o, "systemInstruction"),
		     "{\"parts\":[{\"text\":\"Be brief.\"},{\"text\":\"Dev rule\"},{\"text\":\"part\"}]}");
	CHECK_EQ_STR(at(o, "contents"),
		     "[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"},{\"text\":\"b\"}]},"
		     "{\"role\":\"model\",\"parts\":[{\"text\":\"c\"},{\"text\":\"d\"}]}]");
	/* only an empty system message: no systemInstruction */
	o = rq("{\"messages\":[{\"role\":\"system\",\"content\":\"\"}," U("x") "]}");
	CHECK_EQ_STR(at(o, "systemInstruction"), "<none>");
	/* a message with nothing to send is left out (Gemini refuses empty text) */
	o = rq("{\"messages\":[" U("a") ",{\"role\":\"assistant\",\"content\":\"\"}," U("b") "]}");
	CHECK_EQ_STR(at(o, "contents"), "[{\"role\":\"user\",\"parts\":[{\"text\":\"a\"},{\"text\":\"b\"}]}]");
	o = rq("{\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}");
	CHECK_EQ_STR(at(o, "contents"), "[]");
}

TEST(req_tool_round_trip)
{
	const char *o = rq(
		"{\"messages\":[" U("weather?") ","
		"{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
		"{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}},"
		"{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"\"}}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"no\"},"
		"{\"type\":\"text\",\"text\":\"on\"}]},"
		"{\"role\":\"tool\",\"tool_call_id\":\"other\",\"content\":{\"a\":1}},"
		"{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"name\":\"explicit\"},"
		U("thanks") "]}");
	CHECK_EQ_STR(at(o, "contents.1"),
		     "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":"
		     "\"Paris\"}}},{\"functionCall\":{\"name\":\"get_time\",\"args\":{}}}]}");
	/* consecutive tool results and the next user message: one user turn */
	CHECK_EQ_STR(at(o, "contents.2"),
		     "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":"
		     "{\"result\":\"18C\"}}},{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"result\":"
		     "\"noon\"}}},{\"functionResponse\":{\"name\":\"tool\",\"response\":{\"result\":{\"a\":1}}}},"
		     "{\"functionResponse\":{\"name\":\"explicit\",\"response\":{\"result\":\"\"}}},{\"text\":\"thanks\"}]}");
	CHECK_EQ_STR(at(o, "contents.3"), "<none>");
	/* assistant text and calls in one turn; legacy function message */
	o = rq("{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Let me\"}],"
	       "\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":[1,{}]}\"}}]},"
	       "{\"role\":\"function\",\"name\":\"f\",\"content\":\"done\"}]}");
	CHECK_EQ_STR(at(o, "contents.1.parts"),
		     "[{\"text\":\"Let me\"},{\"functionCall\":{\"name\":\"f\",\"args\":{\"x\":[1,{}]}}}]");
	CHECK_EQ_STR(at(o, "contents.2.parts.0.functionResponse"), "{\"name\":\"f\",\"response\":{\"result\":\"done\"}}");
}

TEST(req_tool_arguments_invalid)
{
	xlate_ctx cx = ctx();
	const char *in = "{\"messages\":[" U("x") ",{\"role\":\"assistant\",\"tool_calls\":["
			 "{\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":\"}}]}]}";
	CHECK_EQ_STR(at(rq(in), "contents.1.parts.0.functionCall.args"), "{}");
	cx.flags = XLATE_F_STRICT_ARGS;
	CHECK_EQ_INT(rq_info(&cx, in, NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
	CHECK(strstr(E.msg, "messages[1].tool_calls[0].function.arguments is not a JSON object") != NULL);
	const char *arr = "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"f\","
			  "\"arguments\":\"[1,2]\"}}]}]}";
	CHECK_EQ_INT(rq_info(&cx, arr, NULL), ERR_INVAL);
	CHECK(strstr(E.msg, "array") != NULL);
	/* blank arguments always mean {} */
	const char *blank = "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":"
			    "\"f\",\"arguments\":\"  \"}}]}]}";
	CHECK_EQ_INT(rq_info(&cx, blank, NULL), 0);
	CHECK_EQ_STR(at(O.data, "contents.0.parts.0.functionCall.args"), "{}");
}

TEST(req_images_and_media)
{
	const char *o = rq("{\"messages\":[{\"role\":\"user\",\"content\":["
			   "{\"type\":\"text\",\"text\":\"look\"},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\"}},"
			   "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x.test/cat.jpg\",\"detail\":\"high\"}},"
			   "{\"type\":\"image_url\",\"image_url\":\"gs://bucket/a.png\"},"
			   "{\"type\":\"document\",\"document\":{\"data\":\"JVBERi0=\"}},"
			   "{\"type\":\"document\",\"document\":{\"data\":\"AAAA\",\"media_type\":\"text/plain\"}},"
			   "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGR\",\"format\":\"mp3\"}},"
			   "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGR\"}},"
			   "{\"type\":\"custom\",\"text\":\"other\"},"
			   "{\"type\":\"image_url\"},{\"type\":\"text\",\"text\":\"\"},{\"type\":\"weird\"},7]}]}");
	CHECK_EQ_STR(at(o, "contents.0.parts"),
		     "[{\"text\":\"look\"},"
		     "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
		     "{\"fileData\":{\"mimeType\":\"image/jpeg\",\"fileUri\":\"https://x.test/cat.jpg\"}},"
		     "{\"fileData\":{\"mimeType\":\"image/jpeg\",\"fileUri\":\"gs://bucket/a.png\"}},"
		     "{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBERi0=\"}},"
		     "{\"inlineData\":{\"mimeType\":\"text/plain\",\"data\":\"AAAA\"}},"
		     "{\"inlineData\":{\"mimeType\":\"audio/mp3\",\"data\":\"UklGR\"}},"
		     "{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklGR\"}},"
		     "{\"text\":\"other\"}]");
	/* a user message whose parts all drop: left out */
	o = rq("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"weird\"}]}," U("b") "]}");
	CHECK_EQ_STR(at(o, "contents"), "[{\"role\":\"user\",\"parts\":[{\"text\":\"b\"}]}]");
}

TEST(req_generation_config)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"max_tokens\":100,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":40,"
			   "\"stop\":\"END\",\"n\":2,\"seed\":42,\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,"
			   "\"logprobs\":true,\"top_logprobs\":3,\"user\":\"u1\",\"store\":true,\"metadata\":{},"
			   "\"parallel_tool_calls\":false,\"service_tier\":\"auto\"}");
	CHECK_EQ_STR(at(o, "generationConfig"),
		     "{\"maxOutputTokens\":100,\"temperature\":0.7,\"topP\":0.9,\"topK\":40,\"stopSequences\":[\"END\"],"
		     "\"candidateCount\":2,\"seed\":42,\"presencePenalty\":0.5,\"frequencyPenalty\":-0.5,"
		     "\"responseLogprobs\":true,\"logprobs\":3}");
	/* nothing else leaks to the top level */
	CHECK_EQ_STR(at(o, "user"), "<none>");
	CHECK_EQ_STR(at(o, "model"), "<none>");
	CHECK_EQ_STR(at(o, "store"), "<none>");
	CHECK_EQ_STR(at(o, "stream"), "<none>");
	/* max_completion_tokens first; stop arrays keep their strings */
	o = rq("{\"messages\":[" U("x") "],\"max_tokens\":100,\"max_completion_tokens\":55,\"stop\":[\"a\",1,\"b\"],"
	       "\"temperature\":null,\"logprobs\":false}");
	CHECK_EQ_STR(at(o, "generationConfig"), "{\"maxOutputTokens\":55,\"stopSequences\":[\"a\",\"b\"]}");
	/* the context's default cap */
	xlate_ctx cx = ctx();
	cx.max_tokens = 1000;
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":[" U("x") "]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "generationConfig"), "{\"maxOutputTokens\":1000}");
	/* no options: no generationConfig; wrong types ignored */
	o = rq("{\"messages\":[" U("x") "],\"temperature\":\"hot\",\"n\":\"2\",\"stop\":5}");
	CHECK_EQ_STR(at(o, "generationConfig"), "<none>");
	/* modalities, reasoning_effort */
	o = rq("{\"messages\":[" U("x") "],\"modalities\":[\"text\",\"Image\",3],\"reasoning_effort\":\"high\"}");
	CHECK_EQ_STR(at(o, "generationConfig"),
		     "{\"responseModalities\":[\"TEXT\",\"IMAGE\"],\"thinkingConfig\":{\"thinkingBudget\":16384,"
		     "\"includeThoughts\":true}}");
	static const struct {
		const char *e, *b;
	} m[] = { { "minimal", "0" }, { "low", "1024" }, { "medium", "4096" }, { "max", "24576" }, { "bogus", "4096" } };
	char in[200];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		snprintf(in, sizeof in, "{\"messages\":[" U("x") "],\"reasoning_effort\":\"%s\"}", m[i].e);
		CHECK_EQ_STR(at(rq(in), "generationConfig.thinkingConfig.thinkingBudget"), m[i].b);
	}
	o = rq("{\"messages\":[" U("x") "],\"extra_body\":{\"reasoning_effort\":\"low\"}}");
	CHECK_EQ_STR(at(o, "generationConfig.thinkingConfig.thinkingBudget"), "1024");
	CHECK_EQ_STR(at(o, "reasoning_effort"), "<none>");
}

TEST(req_response_format)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_object\"}}");
	CHECK_EQ_STR(at(o, "generationConfig"), "{\"responseMimeType\":\"application/json\"}");
	o = rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
	       "\"strict\":true,\"schema\":{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\","
	       "\"properties\":{\"additionalProperties\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":"
	       "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"string\",\"enum\":[\"a\"]}},"
	       "\"additionalProperties\":false}},\"x\":{\"anyOf\":[{\"type\":\"object\",\"additionalProperties\":false},"
	       "{\"type\":\"null\"}]},\"d\":{\"default\":{\"additionalProperties\":1}}},"
	       "\"required\":[\"tags\"],\"additionalProperties\":false}}}}");
	CHECK_EQ_STR(at(o, "generationConfig"),
		     "{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"object\",\"properties\":"
		     "{\"additionalProperties\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":"
		     "\"object\",\"properties\":{\"k\":{\"type\":\"string\",\"enum\":[\"a\"]}}}},\"x\":{\"anyOf\":["
		     "{\"type\":\"object\"},{\"type\":\"null\"}]},\"d\":{\"default\":{\"additionalProperties\":1}}},"
		     "\"required\":[\"tags\"]}}");
	/* json_schema without a schema; text; junk */
	o = rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\"}}}");
	CHECK_EQ_STR(at(o, "generationConfig"), "{\"responseMimeType\":\"application/json\"}");
	o = rq("{\"messages\":[" U("x") "],\"response_format\":{\"type\":\"text\"}}");
	CHECK_EQ_STR(at(o, "generationConfig"), "<none>");
	o = rq("{\"messages\":[" U("x") "],\"response_format\":\"json\"}");
	CHECK_EQ_STR(at(o, "generationConfig"), "<none>");
}

TEST(req_tools)
{
	const char *o = rq(
		"{\"messages\":[" U("x") "],\"tools\":["
		"{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\",\"strict\":true,"
		"\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
		"\"additionalProperties\":false}}},"
		"{\"type\":\"function\",\"function\":{\"name\":\"now\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}},"
		"{\"type\":\"function\",\"function\":{\"name\":\"bare\"}},"
		"{\"type\":\"web_search_preview\"},"
		"{\"type\":\"function\",\"function\":{\"name\":\"arr\",\"parameters\":{\"type\":\"string\"}}}],"
		"\"tool_choice\":\"required\"}");
	CHECK_EQ_STR(at(o, "tools"),
		     "[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"parameters\":"
		     "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
		     "{\"name\":\"now\"},{\"name\":\"bare\"},{\"name\":\"arr\",\"parameters\":{\"type\":\"string\"}}]}]");
	CHECK_EQ_STR(at(o, "toolConfig"), "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}");
	/* tool_choice variants */
	static const struct {
		const char *tc, *want;
	} m[] = {
		{ "\"none\"", "{\"functionCallingConfig\":{\"mode\":\"NONE\"}}" },
		{ "\"auto\"", "{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}" },
		{ "{\"type\":\"function\",\"function\":{\"name\":\"f\"}}",
		  "{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"f\"]}}" },
		{ "\"bogus\"", "<none>" },
		{ "{\"type\":\"function\"}", "<none>" },
	};
	char in[300];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		snprintf(in, sizeof in, "{\"messages\":[" U("x") "],\"tools\":[{\"type\":\"function\",\"function\":"
					"{\"name\":\"f\"}}],\"tool_choice\":%s}", m[i].tc);
		CHECK_EQ_STR(at(rq(in), "toolConfig"), m[i].want);
		CHECK_EQ_STR(at(O.data, "tools.0.functionDeclarations.0.name"), "\"f\"");
	}
	/* only non-function tools: no tools member; grounding */
	o = rq("{\"messages\":[" U("x") "],\"tools\":[{\"type\":\"web_search_preview\"}]}");
	CHECK_EQ_STR(at(o, "tools"), "<none>");
	o = rq("{\"messages\":[" U("x") "],\"extra_body\":{\"google_search_retrieval\":{}}}");
	CHECK_EQ_STR(at(o, "tools"), "[{\"google_search_retrieval\":{}}]");
	o = rq("{\"messages\":[" U("x") "],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
	       "\"extra_body\":{\"grounding_config\":true}}");
	CHECK_EQ_STR(at(o, "tools"), "[{\"functionDeclarations\":[{\"name\":\"f\"}]},{\"google_search_retrieval\":{}}]");
}

TEST(req_extra_body)
{
	const char *o = rq("{\"messages\":[" U("x") "],\"temperature\":0.5,\"extra_body\":{\"safety_settings\":[{\"category\":"
			   "\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"}],\"cached_content\":"
			   "\"cachedContents/abc\",\"labels\":{\"team\":\"a\"}}}");
	CHECK_EQ_STR(at(o, "safetySettings"),
		     "[{\"category\":\"HARM_CATEGORY_HARASSMENT\",\"threshold\":\"BLOCK_NONE\"}]");
	CHECK_EQ_STR(at(o, "cachedContent"), "\"cachedContents/abc\"");
	CHECK_EQ_STR(at(o, "labels"), "{\"team\":\"a\"}");
	CHECK_EQ_STR(at(o, "extra_body"), "<none>");
	CHECK_EQ_STR(at(o, "safety_settings"), "<none>");
	/* an extra_body member named like one built here replaces it */
	o = rq("{\"messages\":[" U("x") "],\"temperature\":0.5,\"extra_body\":{\"generationConfig\":{\"topK\":3},"
	       "\"safetySettings\":[],\"safety_settings\":[1]}}");
	CHECK_EQ_STR(at(o, "generationConfig"), "{\"topK\":3}");
	CHECK_EQ_STR(at(o, "safetySettings"), "[]");
	CHECK(strstr(o, "temperature") == NULL);
	CHECK(strstr(o, "[1]") == NULL);
	/* a non-object extra_body is dropped */
	o = rq("{\"messages\":[" U("x") "],\"extra_body\":[1]}");
	CHECK_EQ_STR(o, "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}]}");
}

TEST(req_errors)
{
	xlate_ctx cx = ctx();
	static const struct {
		const char *in, *msg;
	} m[] = {
		{ "{}", "messages array must not be empty" },
		{ "{\"messages\":[]}", "messages array must not be empty" },
		{ "{\"messages\":{}}", "messages array must not be empty" },
		{ "{\"messages\":[1]}", "messages[0] is not an object" },
		{ "{\"messages\":[" U("x") ",{\"content\":\"y\"}]}", "messages[1] has no role" },
		{ "{\"messages\":[{\"role\":\"robot\",\"content\":\"y\"}]}", "messages[0] has an unsupported role 'robot'" },
		{ "[1]", "request body must be a JSON object" },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		CHECK_EQ_INT(rq_info(&cx, m[i].in, NULL), ERR_INVAL);
		CHECK_EQ_INT(E.kind, XLATE_E_BAD_REQUEST);
		CHECK_EQ_STR(E.msg, m[i].msg);
	}
	CHECK_EQ_INT(rq_info(&cx, "{\"messages\":", NULL), ERR_INVAL);
	CHECK(strncmp(E.msg, "request body is not valid JSON: ", 32) == 0);
	/* output kept as before the call */
	buf_reset(&O);
	buf_puts(&O, "keep");
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_request(&cx, "{}", 2, &A, &O, NULL, &E), ERR_INVAL);
	CHECK_EQ_MEM(O.data, O.len, "keep", 4);
	/* NULL ctx is the zero context */
	arena_reset(&A);
	buf_reset(&O);
	CHECK_EQ_INT(xlate_gemini_request(NULL, "{\"messages\":[" U("x") "]}", strlen("{\"messages\":[" U("x") "]}"),
					  &A, &O, NULL, &E),
		     0);
}

TEST(req_output_cap)
{
	xlate_ctx cx = ctx();
	const char *in = "{\"messages\":[" U("a fairly long message that will not fit in the cap") "]}";
	buf small = { 0 };
	buf_init(&small, 30);
	buf_puts(&small, "pre");
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_request(&cx, in, strlen(in), &A, &small, NULL, &E), ERR_TOOBIG);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	CHECK_EQ_MEM(small.data, small.len, "pre", 3);
	buf_free(&small);
}

TEST(req_scale)
{
	/* many tool messages against many calls: the name lookup stays bounded */
	buf in = { 0 };
	buf_puts(&in, "{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[");
	for (int i = 0; i < 2000; i++)
		buf_printf(&in, "%s{\"id\":\"c%d\",\"function\":{\"name\":\"f%d\",\"arguments\":\"{}\"}}", i ? "," : "", i, i);
	buf_puts(&in, "]}");
	for (int i = 0; i < 2000; i++)
		buf_printf(&in, ",{\"role\":\"tool\",\"tool_call_id\":\"c%d\",\"content\":\"r\"}", i);
	buf_puts(&in, "]}");
	xlate_ctx cx = ctx();
	arena_reset(&A);
	buf_reset(&O);
	CHECK_EQ_INT(xlate_gemini_request(&cx, in.data, in.len, &A, &O, NULL, &E), 0);
	CHECK(valid(O.data, O.len));
	CHECK_EQ_STR(at(O.data, "contents.1.parts.5.functionResponse.name"), "\"f5\"");
	CHECK_EQ_STR(at(O.data, "contents.1.parts.1999.functionResponse.name"), "\"tool\""); /* past MATCH_MAX */
	buf_free(&in);
}

/* ================================ response =================================== */

TEST(resp_text)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello\"},{\"text\":\", \\\"world\\\"\"}],"
			     "\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{"
			     "\"promptTokenCount\":5,\"candidatesTokenCount\":7,\"totalTokenCount\":12},"
			     "\"modelVersion\":\"gemini-2.5-flash-001\",\"responseId\":\"resp-1\"}",
			&u),
		     0);
	CHECK_EQ_STR(O.data, "{\"id\":\"resp-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":"
			     "\"gemini-2.5-flash-001\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
			     "\"content\":\"Hello, \\\"world\\\"\"},\"finish_reason\":\"stop\"}],\"usage\":{"
			     "\"prompt_tokens\":5,\"completion_tokens\":7,\"total_tokens\":12}}");
	CHECK(u.present);
	CHECK_EQ_INT(u.total_tokens, 12);
}

TEST(resp_tool_calls_and_thoughts)
{
	xlate_ctx cx = ctx();
	xlate_usage u;
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"thinking...\",\"thought\":true},"
			     "{\"text\":\"Checking\"},{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\","
			     "\"n\":[1, 2]}}},{\"functionCall\":{\"name\":\"now\"},\"thoughtSignature\":\"abc\"},"
			     "{\"functionCall\":{\"id\":\"fc-9\",\"name\":\"x\",\"args\":{}}}]},\"finishReason\":\"STOP\"}],"
			     "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":20,\"thoughtsTokenCount\":30,"
			     "\"cachedContentTokenCount\":4}}",
			&u),
		     0);
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"gemini-2.5-flash\"");
	CHECK_EQ_STR(at(O.data, "choices.0.message"),
		     "{\"role\":\"assistant\",\"content\":\"Checking\",\"tool_calls\":[{\"id\":\"call_get_weather_0\","
		     "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\","
		     "\\\"n\\\":[1,2]}\"}},{\"id\":\"call_now_1\",\"type\":\"function\",\"function\":{\"name\":\"now\","
		     "\"arguments\":\"{}\"}},{\"id\":\"fc-9\",\"type\":\"function\",\"function\":{\"name\":\"x\","
		     "\"arguments\":\"{}\"}}],\"reasoning_content\":\"thinking...\"}");
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"tool_calls\"");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":10,\"completion_tokens\":50,\"total_tokens\":60,"
					  "\"prompt_tokens_details\":{\"cached_tokens\":4}}");
	CHECK_EQ_INT(u.cached_tokens, 4);
}

TEST(resp_finish_reasons)
{
	xlate_ctx cx = ctx();
	static const struct {
		const char *fr, *want;
	} m[] = {
		{ "\"STOP\"", "stop" },
		{ "\"MAX_TOKENS\"", "length" },
		{ "\"SAFETY\"", "content_filter" },
		{ "\"RECITATION\"", "content_filter" },
		{ "\"BLOCKLIST\"", "content_filter" },
		{ "\"PROHIBITED_CONTENT\"", "content_filter" },
		{ "\"SPII\"", "content_filter" },
		{ "\"IMAGE_SAFETY\"", "content_filter" },
		{ "\"TOOL_CODE\"", "tool_calls" },
		{ "\"FUNCTION_CALL\"", "tool_calls" },
		{ "\"OTHER\"", "stop" },
		{ "\"MALFORMED_FUNCTION_CALL\"", "stop" },
		{ "null", "stop" },
		{ "3", "stop" },
	};
	char in[300], want[40];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		snprintf(in, sizeof in, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]},\"finishReason\":%s}]}",
			 m[i].fr);
		CHECK_EQ_INT(rs(&cx, in, NULL), 0);
		snprintf(want, sizeof want, "\"%s\"", m[i].want);
		CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), want);
	}
	/* MAX_TOKENS with a function call stays length */
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\"}}]},"
			     "\"finishReason\":\"MAX_TOKENS\"}]}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices.0.finish_reason"), "\"length\"");
}

TEST(resp_candidates_and_inline)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a\"}]},\"finishReason\":\"STOP\"},"
			     "{\"index\":5,\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"k\":1}}}]}},"
			     "7,{\"finishReason\":\"SAFETY\"}]}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices.1.index"), "5");
	CHECK_EQ_STR(at(O.data, "choices.1.message.tool_calls.0.id"), "\"call_f_0\"");
	CHECK_EQ_STR(at(O.data, "choices.1.finish_reason"), "\"tool_calls\"");
	CHECK_EQ_STR(at(O.data, "choices.2"), "{\"index\":3,\"message\":{\"role\":\"assistant\",\"content\":null},"
					      "\"finish_reason\":\"content_filter\"}");
	CHECK_EQ_STR(at(O.data, "usage"), "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}");
	/* inline data: an array of parts */
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Here\"},{\"inlineData\":{\"mimeType\":"
			     "\"image/png\",\"data\":\"iVBO\"}},{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklG\"}},"
			     "{\"inlineData\":{}}]},\"finishReason\":\"STOP\"}]}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices.0.message.content"),
		     "[{\"type\":\"text\",\"text\":\"Here\"},{\"type\":\"output_image\",\"image_url\":{\"url\":"
		     "\"data:image/png;base64,iVBO\"}},{\"type\":\"output_audio\",\"audio\":{\"data\":\"UklG\",\"format\":"
		     "\"wav\"}},{\"type\":\"output_image\",\"image_url\":{\"url\":\"data:application/octet-stream;base64,\"}}]");
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\","
			     "\"data\":\"x\"}}]}}]}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices.0.message.content.0.type"), "\"output_image\"");
}

TEST(resp_blocked_and_errors)
{
	xlate_ctx cx = ctx();
	CHECK_EQ_INT(rs(&cx, "{\"promptFeedback\":{\"blockReason\":\"SAFETY\",\"safetyRatings\":[]},\"usageMetadata\":"
			     "{\"promptTokenCount\":8,\"totalTokenCount\":8}}",
			NULL),
		     0);
	CHECK_EQ_STR(at(O.data, "choices"),
		     "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":\"prompt blocked by "
		     "Gemini: SAFETY\"},\"finish_reason\":\"content_filter\"}]");
	CHECK_EQ_STR(at(O.data, "usage.prompt_tokens"), "8");
	CHECK_EQ_STR(at(O.data, "id"), "\"chatcmpl-x\"");
	xlate_ctx none = { 0 };
	CHECK_EQ_INT(rs(&none, "{\"candidates\":[{}]}", NULL), 0);
	CHECK_EQ_STR(at(O.data, "id"), "\"gemini-resp\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"\"");
	CHECK_EQ_INT(rs(NULL, "{\"candidates\":[{}]}", NULL), 0);
	/* errors */
	CHECK_EQ_INT(rs(&cx, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\",\"status\":"
			     "\"RESOURCE_EXHAUSTED\"}}",
			NULL),
		     ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_UPSTREAM);
	CHECK_EQ_INT(E.status, 429);
	CHECK_EQ_STR(E.type, "RESOURCE_EXHAUSTED");
	CHECK_EQ_STR(E.msg, "Resource has been exhausted");
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":[]}", NULL), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_SERIALIZATION);
	CHECK_EQ_STR(E.msg, "Gemini response has no candidates");
	CHECK_EQ_INT(rs(&cx, "[]", NULL), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "Gemini response is not a JSON object");
	CHECK_EQ_INT(rs(&cx, "{\"candidates\":", NULL), ERR_INVAL);
	CHECK(strncmp(E.msg, "invalid JSON from Gemini: ", 26) == 0);
	/* the output cap */
	buf small = { 0 };
	buf_init(&small, 60);
	arena_reset(&A);
	const char *in = "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"n\",\"args\":{\"a\":"
			 "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}}}]}}]}";
	CHECK_EQ_INT(xlate_gemini_response(&cx, in, strlen(in), &A, &small, NULL, &E), ERR_TOOBIG);
	CHECK_EQ_INT(small.len, 0);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	buf_free(&small);
}

TEST(error_bodies)
{
	xlate_err e;
	const char *b = "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
			"\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\"}]}}";
	arena_reset(&A);
	CHECK_EQ_INT(xlate_gemini_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_INT(e.kind, XLATE_E_UPSTREAM);
	CHECK_EQ_INT(e.status, 400);
	CHECK_EQ_STR(e.type, "INVALID_ARGUMENT");
	CHECK_EQ_STR(e.msg, "API key not valid. Please pass a valid API key.");
	b = "[{\"error\":{\"message\":\"busy\",\"status\":\"UNAVAILABLE\"}}]";
	CHECK_EQ_INT(xlate_gemini_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_INT(e.status, 503);
	CHECK_EQ_STR(e.msg, "busy");
	b = "{\"error\":{\"code\":\"x\"}}";
	CHECK_EQ_INT(xlate_gemini_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_INT(e.status, 0);
	CHECK_EQ_STR(e.msg, "unknown Gemini error");
	b = "{\"error\":{\"code\":200,\"status\":\"PERMISSION_DENIED\"}}";
	CHECK_EQ_INT(xlate_gemini_error(b, strlen(b), &A, &e), 0);
	CHECK_EQ_INT(e.status, 403);
	CHECK_EQ_INT(xlate_gemini_error("oops", 4, &A, &e), ERR_NOTFOUND);
	CHECK_EQ_INT(xlate_gemini_error("{\"error\":\"x\"}", 13, &A, &e), ERR_NOTFOUND);
	CHECK_EQ_INT(xlate_gemini_error("[]", 2, &A, &e), ERR_NOTFOUND);
	static const struct {
		const char *s;
		int st;
	} m[] = { { "UNAUTHENTICATED", 401 }, { "NOT_FOUND", 404 }, { "RESOURCE_EXHAUSTED", 429 }, { "INTERNAL", 500 },
		  { "DEADLINE_EXCEEDED", 504 }, { "FAILED_PRECONDITION", 400 }, { "nope", 0 } };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		CHECK_EQ_INT(xlate_gemini_error_status(str_from(m[i].s)), m[i].st);
	/* long messages are cut at a character boundary */
	char big[2000];
	strcpy(big, "{\"error\":{\"message\":\"");
	size_t l = strlen(big);
	for (int i = 0; i < 600; i++)
		memcpy(big + l + 2 * (size_t)i, "\xc3\xa9", 2);
	strcpy(big + l + 1200, "\"}}");
	CHECK_EQ_INT(xlate_gemini_error(big, strlen(big), &A, &e), 0);
	CHECK(strlen(e.msg) < XLATE_ERR_MSG_MAX && strlen(e.msg) % 2 == 0);
	CHECK(json_utf8_valid(e.msg, strlen(e.msg)));
}

/* ================================ stream =================================== */

/* A realistic streamGenerateContent?alt=sse sequence: thoughts, text in
 * pieces, two function calls, finish with usage, then a usage-only payload. */
static const char *const EVENTS[] = {
	"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Planning\",\"thought\":true}],\"role\":\"model\"},"
	"\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9},\"modelVersion\":"
	"\"gemini-2.5-pro\",\"responseId\":\"r-1\"}",
	"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Let me \"},{\"text\":\"check \\\"it\\\"\"}],\"role\":"
	"\"model\"},\"index\":0}],\"modelVersion\":\"other\",\"responseId\":\"r-2\"}",
	"{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":"
	"\"Paris\"}}},{\"functionCall\":{\"name\":\"now\"}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
	"\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":12,\"thoughtsTokenCount\":3,"
	"\"totalTokenCount\":24}}",
	"{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"index\":0}],"
	"\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":13,\"thoughtsTokenCount\":3}}",
};
#define NEVENTS (sizeof EVENTS / sizeof EVENTS[0])

#define CH(delta, fin) "{\"id\":\"r-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
	"\"gemini-2.5-pro\",\"choices\":[{\"index\":0,\"delta\":" delta ",\"finish_reason\":" fin "}]"
static const char EXPECT_BODY[] =
	CH("{\"role\":\"assistant\",\"content\":\"\"}", "null") "}\n"
	CH("{\"reasoning_content\":\"Planning\"}", "null") "}\n"
	CH("{\"content\":\"Let me check \\\"it\\\"\"}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":0,\"id\":\"call_get_weather_0\",\"type\":\"function\",\"function\":{\"name\":"
	   "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", "null") "}\n"
	CH("{\"tool_calls\":[{\"index\":1,\"id\":\"call_now_1\",\"type\":\"function\",\"function\":{\"name\":\"now\","
	   "\"arguments\":\"{}\"}}]}", "null") "}\n";
static const char EXPECT_FINISH_USAGE[] =
	CH("{}", "\"tool_calls\"") ",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":15,\"total_tokens\":24}}\n";
static const char EXPECT_FINISH[] = CH("{}", "\"tool_calls\"") "}\n";
static const char EXPECT_USAGE_CHUNK[] =
	"{\"id\":\"r-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gemini-2.5-pro\","
	"\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":16,\"total_tokens\":25}}\n";

static int feed(xlate_gemini_stream *st, const char *data)
{
	arena_reset(&A);
	return xlate_gemini_stream_feed(st, STR_NULL, str_from(data), &A, &O, &E);
}

static void run_events(bool include_usage, int *total, int *bad_rc)
{
	xlate_ctx cx = ctx();
	xlate_gemini_stream st;
	cx.include_usage = include_usage;
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	*total = 0;
	*bad_rc = 0;
	for (size_t i = 0; i < NEVENTS; i++) {
		int n = feed(&st, EVENTS[i]);
		if (n < 0)
			*bad_rc = n;
		else
			*total += n;
	}
	int n = xlate_gemini_stream_end(&st, &O, &E);
	if (n < 0)
		*bad_rc = n;
	else
		*total += n;
}

TEST(stream_full_sequence)
{
	int total, bad_rc;
	run_events(false, &total, &bad_rc);
	CHECK_EQ_INT(bad_rc, 0);
	CHECK_EQ_INT(total, 6);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH_USAGE];
	snprintf(want, sizeof want, "%s%s", EXPECT_BODY, EXPECT_FINISH_USAGE);
	CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
	CHECK_EQ_INT(valid_lines(O.data, O.len), 6);
}

TEST(stream_include_usage)
{
	int total, bad_rc;
	run_events(true, &total, &bad_rc);
	CHECK_EQ_INT(bad_rc, 0);
	CHECK_EQ_INT(total, 7);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH + sizeof EXPECT_USAGE_CHUNK];
	snprintf(want, sizeof want, "%s%s%s", EXPECT_BODY, EXPECT_FINISH, EXPECT_USAGE_CHUNK);
	CHECK_EQ_MEM(O.data, O.len, want, strlen(want));
}

TEST(stream_through_sse_decoder)
{
	const xlate_codec *k = xlate_codec_for(PROVIDER_ADAPTER_GEMINI, PROVIDER_OP_CHAT);
	xlate_ctx cx = ctx();
	buf sse = { 0 }, crlf = { 0 }, whole = { 0 };
	for (size_t i = 0; i < NEVENTS; i++)
		sse_write_data(&sse, str_from(EVENTS[i]));
	/* Gemini separates events with CRLF CRLF on the wire */
	for (size_t i = 0; i < sse.len; i++) {
		if (sse.data[i] == '\n')
			buf_putc(&crlf, '\r');
		buf_putc(&crlf, sse.data[i]);
	}
	cx.include_usage = true;
	CHECK_EQ_INT(xt_sse_run(k, &cx, sse.data, sse.len, 0, &whole), 0);
	char want[sizeof EXPECT_BODY + sizeof EXPECT_FINISH + sizeof EXPECT_USAGE_CHUNK];
	snprintf(want, sizeof want, "%s%s%s", EXPECT_BODY, EXPECT_FINISH, EXPECT_USAGE_CHUNK);
	CHECK_EQ_MEM(whole.data, whole.len, want, strlen(want));
	CHECK_EQ_INT(xt_sse_splits(k, &cx, crlf.data, crlf.len, whole.data, whole.len), 0);
	buf_free(&whole);
	buf_free(&sse);
	buf_free(&crlf);
}

TEST(stream_variants)
{
	xlate_ctx cx = ctx();
	xlate_gemini_stream st;
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	/* ignored: empty, blank, non-object JSON; nothing started */
	CHECK_EQ_INT(feed(&st, ""), 0);
	CHECK_EQ_INT(feed(&st, " \r\n "), 0);
	CHECK_EQ_INT(feed(&st, "[1,2]"), 0);
	CHECK_EQ_INT(O.len, 0);
	CHECK(!st.started);
	/* a payload without ids: the context's; a usage-only payload starts the stream */
	CHECK_EQ_INT(feed(&st, "{\"usageMetadata\":{\"promptTokenCount\":3}}"), 1);
	CHECK_EQ_STR(O.data, "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":"
			     "\"gemini-2.5-flash\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":"
			     "\"\"},\"finish_reason\":null}]}\n");
	CHECK_EQ_INT(st.usage.prompt_tokens, 3);
	/* candidate 1 is ignored; candidate 0 found by index */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"index\":1,\"content\":{\"parts\":[{\"text\":\"B\"}]}},{\"index\":0,"
			       "\"content\":{\"parts\":[{\"text\":\"A\"},{\"inlineData\":{}}]}}]}"),
		     1);
	CHECK_EQ_STR(at(O.data, "choices.0.delta"), "{\"content\":\"A\"}");
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"index\":1,\"finishReason\":\"STOP\"}]}"), 0);
	/* MAX_TOKENS finish; later content ignored, usage still counts */
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Z\"}]},\"finishReason\":"
			       "\"MAX_TOKENS\"}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":2}}"),
		     2);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 2);
	CHECK(strstr(O.data, "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
			     "\"total_tokens\":5}}\n") != NULL);
	CHECK_EQ_STR(st.finish_reason, "length");
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"late\"}]},\"finishReason\":\"STOP\"}],"
			       "\"usageMetadata\":{\"candidatesTokenCount\":4}}"),
		     0);
	CHECK_EQ_INT(st.usage.completion_tokens, 4);
	CHECK_EQ_STR(st.finish_reason, "length");
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), 0); /* no include_usage: nothing due */
	CHECK(st.done);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[]}"), 0);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), 0);

	/* a blocked prompt */
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"}}"), 2);
	CHECK_EQ_STR(st.finish_reason, "content_filter");
	/* finish reasons */
	static const struct {
		const char *fr, *want;
	} m[] = { { "STOP", "stop" }, { "SAFETY", "content_filter" }, { "RECITATION", "content_filter" },
		  { "OTHER", "stop" }, { "FUNCTION_CALL", "tool_calls" } };
	char ev[200];
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		xlate_gemini_stream_init(&st, &cx);
		snprintf(ev, sizeof ev, "{\"candidates\":[{\"finishReason\":\"%s\"}]}", m[i].fr);
		CHECK_EQ_INT(feed(&st, ev), 2);
		CHECK_EQ_STR(st.finish_reason, m[i].want);
	}
	/* [DONE] without a finish reason finishes with stop */
	cx.include_usage = true;
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"x\"}]}}]}"), 2);
	CHECK_EQ_INT(feed(&st, "[DONE]"), 2);
	CHECK_EQ_INT(valid_lines(O.data, O.len), 4);
	CHECK(st.done);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), 0);
	/* a function call with its own id, arguments from args */
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"id\":\"fc1\",\"name\":\"f\","
			       "\"args\":{\"q\":\"\\u00e9\"}}}]},\"finishReason\":\"STOP\"}]}"),
		     3);
	CHECK(strstr(O.data, "{\"index\":0,\"id\":\"fc1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
			     "\"arguments\":\"{\\\"q\\\":\\\"\\\\u00e9\\\"}\"}}") != NULL);
	CHECK_EQ_STR(st.finish_reason, "tool_calls");
}

TEST(stream_errors)
{
	xlate_ctx cx = ctx();
	xlate_gemini_stream st;
	xlate_gemini_stream_init(&st, &cx);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, EVENTS[0]), 2);
	size_t len = O.len;
	CHECK_EQ_INT(feed(&st, "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":"
			       "\"UNAVAILABLE\"}}"),
		     ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK_EQ_INT(E.status, 503);
	CHECK_EQ_STR(E.type, "UNAVAILABLE");
	CHECK_EQ_STR(E.msg, "The model is overloaded.");
	CHECK_EQ_INT(O.len, len);
	/* sticky */
	CHECK_EQ_INT(feed(&st, EVENTS[1]), ERR_STATE);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), ERR_STATE);

	xlate_gemini_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "{\"error\":{}}"), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "unknown Gemini streaming error");
	CHECK(!st.started);

	xlate_gemini_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, "{\"candidates\":["), ERR_INVAL);
	CHECK_EQ_INT(E.kind, XLATE_E_STREAMING);
	CHECK(strncmp(E.msg, "failed to parse Gemini SSE event: ", 34) == 0);

	/* cut before the finish reason */
	xlate_gemini_stream_init(&st, &cx);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), ERR_INVAL);
	CHECK_EQ_STR(E.msg, "Gemini stream ended before the response was complete");
	xlate_gemini_stream_init(&st, &cx);
	CHECK_EQ_INT(feed(&st, EVENTS[0]), 2);
	CHECK_EQ_INT(feed(&st, EVENTS[1]), 1);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), ERR_INVAL);
	CHECK_EQ_INT(xlate_gemini_stream_end(&st, &O, &E), ERR_STATE);
}

TEST(stream_output_cap)
{
	xlate_ctx cx = ctx();
	xlate_gemini_stream st;
	buf small = { 0 };
	buf_init(&small, 200);
	xlate_gemini_stream_init(&st, &cx);
	arena_reset(&A);
	/* the role chunk fits, the content chunk does not: nothing is kept */
	int rc = xlate_gemini_stream_feed(&st, STR_NULL, str_from("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"aaaaaaaaaa"
							"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
							"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}}]}"),
					  &A, &small, &E);
	CHECK_EQ_INT(rc, ERR_TOOBIG);
	CHECK_EQ_INT(small.len, 0);
	CHECK_EQ_INT(E.kind, XLATE_E_INTERNAL);
	CHECK(!st.started);
	CHECK_EQ_INT(xlate_gemini_stream_feed(&st, STR_NULL, str_from("{}"), &A, &small, &E), ERR_STATE);
	buf_free(&small);
}

TEST(stream_long_ids)
{
	xlate_ctx cx = ctx();
	char longid[400];
	memset(longid, 'x', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	cx.id = str_from(longid);
	xlate_gemini_stream st;
	xlate_gemini_stream_init(&st, &cx);
	CHECK_EQ_INT(st.id_len, 0);
	char ev[600];
	snprintf(ev, sizeof ev, "{\"responseId\":\"%s\",\"modelVersion\":\"m\"}", longid);
	buf_reset(&O);
	CHECK_EQ_INT(feed(&st, ev), 1);
	CHECK_EQ_STR(at(O.data, "id"), "\"\"");
	CHECK_EQ_STR(at(O.data, "model"), "\"m\"");
}

int main(void)
{
	RUN(req_minimal);
	RUN(req_system_and_merge);
	RUN(req_tool_round_trip);
	RUN(req_tool_arguments_invalid);
	RUN(req_images_and_media);
	RUN(req_generation_config);
	RUN(req_response_format);
	RUN(req_tools);
	RUN(req_extra_body);
	RUN(req_errors);
	RUN(req_output_cap);
	RUN(req_scale);
	RUN(resp_text);
	RUN(resp_tool_calls_and_thoughts);
	RUN(resp_finish_reasons);
	RUN(resp_candidates_and_inline);
	RUN(resp_blocked_and_errors);
	RUN(error_bodies);
	RUN(stream_full_sequence);
	RUN(stream_include_usage);
	RUN(stream_through_sse_decoder);
	RUN(stream_variants);
	RUN(stream_errors);
	RUN(stream_output_cap);
	RUN(stream_long_ids);
	arena_free(&A);
	buf_free(&O);
	return t_done();
}
