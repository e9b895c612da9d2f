/* test_providers.c — the provider registry (generated from providers.tsv),
 * selection, model ids, credentials, auth, base-URL overrides, endpoint URLs,
 * zero-config routing and the pricing table. Examples from providers.md. */
#include "t.h"

#include <math.h>
#include <stdint.h>

#include "base/err.h"
#include "providers/pricing.h"
#include "providers/provider.h"

/* ---- a fake environment: NULL-terminated name/value pairs ---------------- */

static const char *fake_get(void *ud, const char *name)
{
	const char *const *kv = ud;
	for (; kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			return kv[1];
	return NULL;
}
#define ENV(...) ((provider_env){ fake_get, (void *)(const char *const[]){ __VA_ARGS__, NULL } })
#define ENV0 ((provider_env){ fake_get, (void *)(const char *const[]){ NULL } })

static char g_err[512];
static provider_target g_t;

/* build with no api_key/base_url */
static int build(const char *name, const char *pm, provider_env env)
{
	provider_entry e = { .name = name, .provider_model = str_from(pm) };
	return provider_build(&e, env, &g_t, g_err, sizeof(g_err));
}

static int build_kb(const char *pm, const char *key, const char *base, provider_env env)
{
	provider_entry e = { .name = "m", .provider_model = str_from(pm),
			     .api_key = str_from(key), .base_url = str_from(base) };
	return provider_build(&e, env, &g_t, g_err, sizeof(g_err));
}

static char g_url[2048];
static const char *url(provider_op op, bool stream, const char *id)
{
	size_t n = 0;
	int rc = provider_url(&g_t, op, stream, str_from(id), g_url, sizeof(g_url), &n);
	if (rc)
		return "(error)";
	if (n != strlen(g_url))
		return "(bad length)";
	return g_url;
}

static char g_s[512];
static const char *cs(str s) { return str_to_cbuf(s, g_s, sizeof(g_s)); }

static const provider_row *row(const char *name) { return provider_find(str_from(name)); }

/* ---- registry --------------------------------------------------------------- */

TEST(registry_counts)
{
	size_t n = provider_count(), cls[3] = { 0 }, cx = 0, pm = 0, aws = 0;
	size_t auth_b = 0, auth_n = 0, auth_u = 0, with_base = 0;
	CHECK_EQ_INT(n, 165);
	CHECK(provider_at(n) == NULL);
	for (size_t i = 0; i < n; i++) {
		const provider_row *r = provider_at(i);
		CHECK(r->klass <= PROVIDER_NATIVE);
		cls[r->klass]++;
		cx += r->complex;
		aws += r->stream_format == PROVIDER_STREAM_AWS_EVENT_STREAM;
		auth_b += r->reg_auth == PROVIDER_REG_AUTH_BEARER;
		auth_n += r->reg_auth == PROVIDER_REG_AUTH_NONE;
		auth_u += r->reg_auth == PROVIDER_REG_AUTH_UNSPECIFIED;
		with_base += r->base_url[0] != 0;
		if (r->n_param_maps) {
			pm++;
			CHECK_EQ_INT(r->n_param_maps, 1);
			CHECK_EQ_STR(r->param_maps[0].from, "max_completion_tokens");
			CHECK_EQ_STR(r->param_maps[0].to, "max_tokens");
		}
	}
	CHECK_EQ_INT(cls[PROVIDER_NATIVE], 10);
	CHECK_EQ_INT(cls[PROVIDER_OPENAI_COMPAT], 108);
	CHECK_EQ_INT(cls[PROVIDER_NOT_ROUTABLE], 47);
	CHECK_EQ_INT(cx, 52);   /* upstream's complex list: 52, of which 5 have adapters */
	CHECK_EQ_INT(pm, 23);
	CHECK_EQ_INT(aws, 2);   /* bedrock, bedrock_mantle */
	CHECK_EQ_INT(auth_b, 112);
	CHECK_EQ_INT(auth_n, 12);
	CHECK_EQ_INT(auth_u, 41);
	CHECK_EQ_INT(with_base, 125);
}

TEST(registry_walk)
{
	/* every row: lookup by name, index, class invariants, env-var names */
	size_t complex_native = 0;
	for (size_t i = 0; i < provider_count(); i++) {
		const provider_row *r = provider_at(i);
		CHECK(provider_find(str_from(r->name)) == r);
		CHECK_EQ_INT(provider_index(r), i);
		CHECK(r->display_name[0]);
		CHECK(provider_is_known_name(str_from(r->name)));
		/* <NAME>_BASE_URL */
		char want[96];
		size_t k = 0;
		for (const char *p = r->name; *p && k < 80; p++)
			want[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) :
				    ((*p >= '0' && *p <= '9') ? *p : '_');
		strcpy(want + k, "_BASE_URL");
		CHECK_EQ_STR(r->base_url_env, want);
		switch (r->klass) {
		case PROVIDER_OPENAI_COMPAT:
			CHECK(!r->complex && r->base_url[0]);
			CHECK_EQ_INT(r->adapter, PROVIDER_ADAPTER_COMPAT);
			CHECK(provider_row_compat_usable(r));
			break;
		case PROVIDER_NOT_ROUTABLE:
			CHECK(r->complex);
			CHECK_EQ_INT(r->adapter, PROVIDER_ADAPTER_NONE);
			CHECK(!provider_row_compat_usable(r));
			break;
		case PROVIDER_NATIVE:
			CHECK(r->adapter > PROVIDER_ADAPTER_COMPAT && r->adapter < PROVIDER_ADAPTER__COUNT);
			complex_native += r->complex;
			break;
		}
		for (size_t j = 0; j < r->n_prefixes; j++)
			CHECK(r->prefixes[j][0]);
		for (unsigned b = 0; b < PROVIDER_EP__COUNT; b++)
			if (r->endpoints & (1u << b))
				CHECK(provider_endpoint_name(1u << b) != NULL);
		CHECK((r->endpoints >> PROVIDER_EP__COUNT) == 0);
	}
	CHECK_EQ_INT(complex_native, 5);
	CHECK(provider_find(STR_LIT("nope")) == NULL);
	CHECK(provider_find(STR_LIT("")) == NULL);
	CHECK(provider_find(STR_LIT("groq2")) == NULL);
	CHECK(provider_find(STR_LIT("gro")) == NULL);
	/* names outside strcmp order in the registry are still found */
	CHECK(row("llamafile") && row("llamacpp"));
	CHECK(provider_index(row("llamafile")) < provider_index(row("llamacpp")));
	CHECK(row("azure_ai/agents") != NULL);
	CHECK_EQ_STR(row("opencode-go")->base_url_env, "OPENCODE_GO_BASE_URL");
	CHECK_EQ_STR(row("text-completion-codestral")->base_url_env, "TEXT_COMPLETION_CODESTRAL_BASE_URL");
}

TEST(registry_rows)
{
	const provider_row *g = row("groq");
	CHECK_EQ_STR(g->display_name, "Groq AI");
	CHECK_EQ_STR(g->base_url, "https://api.groq.com/openai/v1");
	CHECK_EQ_STR(g->api_key_env, "GROQ_API_KEY");
	CHECK_EQ_INT(g->endpoints, PROVIDER_EP_AUDIO | PROVIDER_EP_CHAT);
	CHECK_EQ_INT(g->n_prefixes, 5);
	CHECK_EQ_STR(g->prefixes[0], "groq/");
	CHECK_EQ_STR(g->prefixes[4], "groq/whisper-");
	CHECK_EQ_INT(g->klass, PROVIDER_OPENAI_COMPAT);

	const char *natives[] = { "openai", "anthropic", "azure", "vertex_ai", "bedrock", "cohere",
				  "cohere_chat", "mistral", "gemini", "github_copilot" };
	const provider_adapter kinds[] = { PROVIDER_ADAPTER_OPENAI, PROVIDER_ADAPTER_ANTHROPIC,
		PROVIDER_ADAPTER_AZURE, PROVIDER_ADAPTER_VERTEX, PROVIDER_ADAPTER_BEDROCK,
		PROVIDER_ADAPTER_COHERE, PROVIDER_ADAPTER_COHERE, PROVIDER_ADAPTER_MISTRAL,
		PROVIDER_ADAPTER_GEMINI, PROVIDER_ADAPTER_COPILOT };
	for (size_t i = 0; i < 10; i++) {
		CHECK_EQ_INT(row(natives[i])->klass, PROVIDER_NATIVE);
		CHECK_EQ_INT(row(natives[i])->adapter, kinds[i]);
	}
	/* registry says Anthropic is bearer; the adapter sends x-api-key */
	CHECK_EQ_INT(row("anthropic")->reg_auth, PROVIDER_REG_AUTH_BEARER);
	CHECK_EQ_INT(provider_adapter_get(PROVIDER_ADAPTER_ANTHROPIC)->auth, PROVIDER_AUTH_X_API_KEY);
	CHECK_EQ_INT(row("ollama")->reg_auth, PROVIDER_REG_AUTH_NONE);
	CHECK_EQ_INT(row("ollama")->auth, PROVIDER_AUTH_NONE);
	CHECK_EQ_INT(row("databricks")->reg_auth, PROVIDER_REG_AUTH_UNSPECIFIED);
	CHECK_EQ_INT(row("bedrock")->stream_format, PROVIDER_STREAM_AWS_EVENT_STREAM);
	CHECK_EQ_INT(row("vllm")->endpoints, PROVIDER_EP_BATCH | PROVIDER_EP_CHAT | PROVIDER_EP_EMBEDDING |
					     PROVIDER_EP_FILES | PROVIDER_EP_RERANK);
	CHECK_EQ_INT(row("topaz")->endpoints, 0);
	CHECK_EQ_INT(row("moonshot")->n_param_maps, 1);
	CHECK_EQ_INT(row("groq")->n_param_maps, 0);
	CHECK(provider_row_compat_usable(row("openai")));
	CHECK(provider_row_compat_usable(row("gemini")));
	CHECK(!provider_row_compat_usable(row("anthropic")));
	CHECK(!provider_row_compat_usable(row("infinity")));  /* complex, though it has a base */
	CHECK_EQ_STR(provider_endpoint_name(PROVIDER_EP_CHAT), "chat");
	CHECK_EQ_STR(provider_endpoint_name(PROVIDER_EP_FILES), "files");
	CHECK(provider_endpoint_name(3) == NULL);
	CHECK(provider_endpoint_name(1u << 11) == NULL);
}

TEST(adapter_info)
{
	const provider_adapter_info *a = provider_adapter_get(PROVIDER_ADAPTER_ANTHROPIC);
	CHECK_EQ_INT(a->n_headers, 1);
	CHECK_EQ_STR(a->headers[0].name, "anthropic-version");
	CHECK_EQ_STR(a->headers[0].value, "2023-06-01");
	a = provider_adapter_get(PROVIDER_ADAPTER_COPILOT);
	CHECK(a->n_headers >= 5);
	CHECK_EQ_STR(a->headers[0].name, "copilot-integration-id");
	CHECK_EQ_STR(a->headers[0].value, "vscode-chat");
	CHECK_EQ_INT(provider_adapter_get(PROVIDER_ADAPTER_OPENAI)->n_headers, 0);
	CHECK_EQ_STR(provider_adapter_get(PROVIDER_ADAPTER_BEDROCK)->name, "bedrock");
	CHECK_EQ_INT(provider_adapter_get(PROVIDER_ADAPTER_BEDROCK)->stream_format, PROVIDER_STREAM_AWS_EVENT_STREAM);
	CHECK_EQ_STR(provider_adapter_get((provider_adapter)99)->name, "none");
	for (int k = PROVIDER_ADAPTER_OPENAI; k < PROVIDER_ADAPTER__COUNT; k++) {
		a = provider_adapter_get((provider_adapter)k);
		CHECK(a->row_name && row(a->row_name));
		CHECK_EQ_INT(row(a->row_name)->klass, PROVIDER_NATIVE);
	}
}

/* ---- selection --------------------------------------------------------------- */

static provider_pick g_p;
static int sel(const char *pm, bool base)
{
	return provider_select(str_from(pm), base, &g_p);
}
#define PICK(pm, base, want_adapter, want_rule, want_row, want_model) do { \
	CHECK_EQ_INT(sel(pm, base), 0); \
	CHECK_EQ_INT(g_p.adapter, want_adapter); \
	CHECK_EQ_INT(g_p.rule, want_rule); \
	CHECK_EQ_STR(g_p.row ? g_p.row->name : "(null)", want_row); \
	CHECK_EQ_STR(cs(g_p.model), want_model); } while (0)

TEST(select_base_url)
{
	PICK("azure/my-deploy", true, PROVIDER_ADAPTER_AZURE, PROVIDER_RULE_BASE_URL_AZURE, "azure", "my-deploy");
	PICK("anthropic/claude-sonnet-4-20250514", true, PROVIDER_ADAPTER_ANTHROPIC,
	     PROVIDER_RULE_BASE_URL_ANTHROPIC, "anthropic", "claude-sonnet-4-20250514");
	PICK("meta-llama/Llama-3-8B", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM,
	     "custom", "meta-llama/Llama-3-8B");
	CHECK(g_p.row == &provider_custom);
	PICK("openai/gpt-4o", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "gpt-4o");
	PICK("bedrock/x", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "x");
	PICK("claude-3-haiku", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "claude-3-haiku");
	/* a not-routable prefix is fine behind a base_url */
	PICK("databricks/dbrx", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "dbrx");
	PICK("custom/my-model", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "my-model");
	PICK("llama3", true, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_BASE_URL_CUSTOM, "custom", "llama3");
}

TEST(select_detection_order)
{
	/* 2. OpenAI */
	const char *oa[] = { "gpt-4o", "o1-mini", "o3-mini", "o4-mini", "dall-e-3", "whisper-1", "tts-1",
			     "text-embedding-3-small", "chatgpt-4o-latest", "o1", "o3", "o4" };
	for (size_t i = 0; i < sizeof(oa) / sizeof(oa[0]); i++)
		PICK(oa[i], false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_OPENAI, "openai", oa[i]);
	PICK("openai/gpt-4o", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_OPENAI, "openai", "gpt-4o");
	PICK("openai/claude-3", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_OPENAI, "openai", "claude-3");
	/* o1x / o5 are not OpenAI patterns: fallback */
	PICK("o5", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "o5");
	PICK("o1x", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "o1x");
	/* 3. Anthropic */
	PICK("claude-3-5-sonnet-20241022", false, PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_RULE_ANTHROPIC,
	     "anthropic", "claude-3-5-sonnet-20241022");
	PICK("anthropic/claude-sonnet-4-20250514", false, PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_RULE_ANTHROPIC,
	     "anthropic", "claude-sonnet-4-20250514");
	PICK("anthropic/gpt-4o", false, PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_RULE_ANTHROPIC, "anthropic", "gpt-4o");
	/* 4. Azure */
	PICK("azure/gpt-4o-deploy", false, PROVIDER_ADAPTER_AZURE, PROVIDER_RULE_AZURE, "azure", "gpt-4o-deploy");
	/* 5. Gemini native (gemini/ and google_ai/) */
	PICK("gemini/gemini-2.0-flash", false, PROVIDER_ADAPTER_GEMINI, PROVIDER_RULE_GEMINI, "gemini",
	     "gemini-2.0-flash");
	PICK("google_ai/gemini-2.0-flash", false, PROVIDER_ADAPTER_GEMINI, PROVIDER_RULE_GEMINI, "gemini",
	     "gemini-2.0-flash");
	/* 6. Vertex (vertex_ai/agent_engine/... too: the prefix rule comes first) */
	PICK("vertex_ai/gemini-2.5-pro", false, PROVIDER_ADAPTER_VERTEX, PROVIDER_RULE_VERTEX, "vertex_ai",
	     "gemini-2.5-pro");
	PICK("vertex_ai/agent_engine/x", false, PROVIDER_ADAPTER_VERTEX, PROVIDER_RULE_VERTEX, "vertex_ai",
	     "agent_engine/x");
	/* 7. Bedrock */
	PICK("bedrock/anthropic.claude-3-haiku-20240307-v1:0", false, PROVIDER_ADAPTER_BEDROCK,
	     PROVIDER_RULE_BEDROCK, "bedrock", "anthropic.claude-3-haiku-20240307-v1:0");
	/* bare bedrock ids are not claimed (bedrock is complex): fallback */
	PICK("anthropic.claude-3-haiku-20240307-v1:0", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK,
	     "openai", "anthropic.claude-3-haiku-20240307-v1:0");
	/* 8. Cohere native */
	PICK("command-r-plus", false, PROVIDER_ADAPTER_COHERE, PROVIDER_RULE_COHERE, "cohere", "command-r-plus");
	PICK("cohere/command-r", false, PROVIDER_ADAPTER_COHERE, PROVIDER_RULE_COHERE, "cohere", "command-r");
	/* 9. Mistral native */
	PICK("mistral-large-latest", false, PROVIDER_ADAPTER_MISTRAL, PROVIDER_RULE_MISTRAL, "mistral",
	     "mistral-large-latest");
	PICK("codestral-latest", false, PROVIDER_ADAPTER_MISTRAL, PROVIDER_RULE_MISTRAL, "mistral", "codestral-latest");
	PICK("pixtral-12b", false, PROVIDER_ADAPTER_MISTRAL, PROVIDER_RULE_MISTRAL, "mistral", "pixtral-12b");
	PICK("mistral/mistral-small-latest", false, PROVIDER_ADAPTER_MISTRAL, PROVIDER_RULE_MISTRAL, "mistral",
	     "mistral-small-latest");
	/* ministral-/open-mistral- are only claimed once selected: not by detection */
	PICK("ministral-8b-latest", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai",
	     "ministral-8b-latest");
	/* 10. Copilot */
	PICK("github_copilot/gpt-4o", false, PROVIDER_ADAPTER_COPILOT, PROVIDER_RULE_COPILOT, "github_copilot",
	     "gpt-4o");
	/* 11. registry by explicit prefix */
	PICK("groq/llama-3.1-8b-instant", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME, "groq",
	     "llama-3.1-8b-instant");
	PICK("openrouter/openai/gpt-4o", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME,
	     "openrouter", "openai/gpt-4o");
	PICK("together_ai/meta-llama/Llama-3.3-70B", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME,
	     "together_ai", "meta-llama/Llama-3.3-70B");
	PICK("ollama/llama3", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME, "ollama", "llama3");
	PICK("cohere_chat/command-r", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME, "cohere_chat",
	     "command-r");
	PICK("text-completion-openai/gpt-4o", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME,
	     "text-completion-openai", "gpt-4o");
	PICK("opencode-go/x", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_NAME, "opencode-go", "x");
	/* 12. registry by model prefix (first row in registry order, prefixes not ending in '/') */
	PICK("deepseek-chat", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "deepseek",
	     "deepseek-chat");
	PICK("j2-ultra", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "ai21", "j2-ultra");
	PICK("jamba-1.5-large", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "ai21",
	     "jamba-1.5-large");
	PICK("doubao-pro-32k", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "volcengine",
	     "doubao-pro-32k");
	PICK("together-llama", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "together_ai",
	     "together-llama");
	PICK("fireworks-llama", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "fireworks_ai",
	     "fireworks-llama");
	/* native rows serve bare names through the OpenAI-compatible path */
	PICK("gemini-2.0-flash", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "gemini",
	     "gemini-2.0-flash");
	PICK("embed-english-v3.0", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "cohere",
	     "embed-english-v3.0");
	PICK("rerank-english-v3.0", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "cohere",
	     "rerank-english-v3.0");
	PICK("text-davinci-003", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "openai",
	     "text-davinci-003");
	PICK("ft:gpt-4o-mini:org", false, PROVIDER_ADAPTER_COMPAT, PROVIDER_RULE_REGISTRY_PREFIX, "openai",
	     "ft:gpt-4o-mini:org");
	/* complex rows' prefixes never match (amazon-, heroku/claude-) */
	PICK("amazon-nova-pro", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "amazon-nova-pro");
	/* no match: OpenAI adapter, whole string */
	PICK("my-model", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "my-model");
	PICK("unknownprov/foo", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "unknownprov/foo");
	PICK("", false, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, "openai", "");
}

TEST(select_not_routable)
{
	const char *bad[][2] = {
		{ "databricks/dbrx-instruct", "databricks" }, { "azure_ai/mistral-large", "azure_ai" },
		{ "custom/foo", "custom" }, { "anthropic_text/claude-2", "anthropic_text" },
		{ "sagemaker/jumpstart", "sagemaker" }, { "heroku/claude-4", "heroku" },
		{ "infinity/bge", "infinity" }, { "bedrock_mantle/x", "bedrock_mantle" },
		{ "azure_ai/agents/x", "azure_ai" }, { "hosted_vllm/x", "hosted_vllm" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ_INT(sel(bad[i][0], false), ERR_UNSUPPORTED);
		CHECK_EQ_INT(g_p.rule, PROVIDER_RULE_UNSUPPORTED);
		CHECK_EQ_STR(g_p.row ? g_p.row->name : "(null)", bad[i][1]);
	}
	CHECK_EQ_INT(build("my-dbrx", "databricks/dbrx-instruct", ENV0), ERR_UNSUPPORTED);
	CHECK_EQ_STR(g_err, "failed to build client for model 'my-dbrx': provider 'databricks' is not supported");
	/* every not-routable row is refused by name; every routable row is reachable by name */
	for (size_t i = 0; i < provider_count(); i++) {
		const provider_row *r = provider_at(i);
		char pm[128];
		snprintf(pm, sizeof(pm), "%s/some-model", r->name);
		int rc = sel(pm, false);
		if (strchr(r->name, '/')) {
			/* azure_ai/agents, azure_ai/doc-intelligence, vertex_ai/agent_engine: the part
			 * before the first '/' decides */
			continue;
		}
		if (r->klass == PROVIDER_NOT_ROUTABLE) {
			CHECK_EQ_INT(rc, ERR_UNSUPPORTED);
			CHECK(g_p.row == r);
		} else {
			CHECK_EQ_INT(rc, 0);
			CHECK(g_p.row == r);
			CHECK_EQ_STR(cs(g_p.model), "some-model");
			if (r->klass == PROVIDER_OPENAI_COMPAT)
				CHECK_EQ_INT(g_p.adapter, PROVIDER_ADAPTER_COMPAT);
			else if (!strcmp(r->name, "cohere_chat"))
				CHECK_EQ_INT(g_p.adapter, PROVIDER_ADAPTER_COMPAT); /* cohere_chat/ is a registry prefix */
			else
				CHECK_EQ_INT(g_p.adapter, r->adapter);
		}
	}
}

TEST(model_ids)
{
	const char *cases[][2] = {
		{ "groq/llama-3.1-8b-instant", "llama-3.1-8b-instant" },
		{ "openrouter/openai/gpt-4o", "openai/gpt-4o" },
		{ "meta-llama/Llama-3-8B", "meta-llama/Llama-3-8B" },
		{ "openai/gpt-4o", "gpt-4o" },
		{ "gpt-4o", "gpt-4o" },
		{ "google_ai/gemini-2.0-flash", "gemini-2.0-flash" },
		{ "gemini/gemini-2.0-flash", "gemini-2.0-flash" },
		{ "vertex_ai/gemini-2.5-pro", "gemini-2.5-pro" },
		{ "bedrock/anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0" },
		{ "azure/my-deployment", "my-deployment" },
		{ "cohere/command-r", "command-r" },
		{ "mistral/mistral-large-latest", "mistral-large-latest" },
		{ "github_copilot/gpt-4o", "gpt-4o" },
		{ "anthropic/claude-sonnet-4-20250514", "claude-sonnet-4-20250514" },
		{ "custom/foo", "foo" },
		{ "databricks/dbrx", "dbrx" },
		{ "azure_ai/agents/x", "agents/x" },
		{ "Groq/llama", "Groq/llama" },         /* case-sensitive */
		{ "groq/", "" },
		{ "/x", "/x" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_EQ_STR(cs(provider_model_id(str_from(cases[i][0]))), cases[i][1]);
	CHECK(provider_is_known_name(STR_LIT("google_ai")));
	CHECK(provider_is_known_name(STR_LIT("vertex_ai")));
	CHECK(!provider_is_known_name(STR_LIT("meta-llama")));
	CHECK(!provider_is_known_name(STR_LIT("")));
}

/* ---- credentials -------------------------------------------------------------------- */

TEST(credentials_env_and_entry)
{
	CHECK_EQ_INT(build("my-gpt", "openai/gpt-4o", ENV0), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "failed to build client for model 'my-gpt': authentication failed: no API key "
		     "provided and environment variable OPENAI_API_KEY is not set");
	/* set but empty = unset */
	CHECK_EQ_INT(build("my-gpt", "openai/gpt-4o", ENV("OPENAI_API_KEY", "")), ERR_NOTFOUND);
	CHECK_EQ_INT(build("my-gpt", "openai/gpt-4o", ENV("OPENAI_API_KEY", "sk-env")), 0);
	CHECK_EQ_STR(g_err, "");
	CHECK_EQ_STR(cs(g_t.key), "sk-env");
	CHECK_EQ_STR(g_t.key_env, "OPENAI_API_KEY");
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_KEY);
	/* entry api_key wins over the env var */
	CHECK_EQ_INT(build_kb("openai/gpt-4o", "sk-entry", NULL, ENV("OPENAI_API_KEY", "sk-env")), 0);
	CHECK_EQ_STR(cs(g_t.key), "sk-entry");
	/* entry api_key "" is absent */
	CHECK_EQ_INT(build_kb("openai/gpt-4o", "", NULL, ENV("OPENAI_API_KEY", "sk-env")), 0);
	CHECK_EQ_STR(cs(g_t.key), "sk-env");
	/* name NULL: the provider_model names the entry */
	provider_entry e = { .provider_model = STR_LIT("groq/llama-3.1-8b-instant") };
	CHECK_EQ_INT(provider_build(&e, ENV0, &g_t, g_err, sizeof(g_err)), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "failed to build client for model 'groq/llama-3.1-8b-instant': authentication "
		     "failed: no API key provided and environment variable GROQ_API_KEY is not set");
	/* the env var of each native adapter */
	const char *pairs[][2] = {
		{ "anthropic/claude-3-haiku-20240307", "ANTHROPIC_API_KEY" },
		{ "gemini/gemini-2.0-flash", "GEMINI_API_KEY" },
		{ "google_ai/gemini-2.0-flash", "GEMINI_API_KEY" },
		{ "cohere/command-r", "COHERE_API_KEY" },
		{ "command-r", "COHERE_API_KEY" },
		{ "mistral/mistral-large-latest", "MISTRAL_API_KEY" },
		{ "github_copilot/gpt-4o", "GITHUB_COPILOT_TOKEN" },
		{ "gemini-2.0-flash", "GEMINI_API_KEY" },   /* registry row */
		{ "embed-english-v3.0", "COHERE_API_KEY" }, /* registry row */
		{ "moonshot/kimi-k2", "MOONSHOT_API_KEY" },
		{ "bytez/x", "BYTEZ_KEY" },
		{ "scaleway/x", "SCW_SECRET_KEY" },
		{ "my-model", "OPENAI_API_KEY" },            /* fallback */
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char want[256];
		snprintf(want, sizeof(want), "failed to build client for model 'x': authentication failed: no "
			 "API key provided and environment variable %s is not set", pairs[i][1]);
		CHECK_EQ_INT(build("x", pairs[i][0], ENV0), ERR_NOTFOUND);
		CHECK_EQ_STR(g_err, want);
		CHECK_EQ_INT(build("x", pairs[i][0], ENV(pairs[i][1], "k-1")), 0);
		CHECK_EQ_STR(cs(g_t.key), "k-1");
		CHECK_EQ_STR(g_t.key_env, pairs[i][1]);
	}
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_KEY);
	/* Copilot: a GitHub token to exchange */
	CHECK_EQ_INT(build("x", "github_copilot/gpt-4o", ENV("GITHUB_COPILOT_TOKEN", "ghu_1")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_GITHUB_TOKEN);
	/* truncation of the error buffer is safe */
	char small[16];
	provider_entry e2 = { .name = "n", .provider_model = STR_LIT("openai/gpt-4o") };
	CHECK_EQ_INT(provider_build(&e2, ENV0, &g_t, small, sizeof(small)), ERR_NOTFOUND);
	CHECK_EQ_STR(small, "failed to build");
	CHECK_EQ_INT(provider_build(&e2, ENV0, &g_t, NULL, 0), ERR_NOTFOUND);
}

TEST(credentials_keyless)
{
	/* custom via base_url: no env fallback, empty key, Bearer */
	CHECK_EQ_INT(build_kb("meta-llama/Llama-3-8B", NULL, "http://host:11434/v1", ENV("OPENAI_API_KEY", "sk")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_KEY);
	CHECK_EQ_INT(g_t.key.n, 0);
	CHECK_EQ_STR(g_t.key_env, "");
	CHECK_EQ_INT(g_t.auth, PROVIDER_AUTH_BEARER);
	provider_header h;
	CHECK(provider_auth_render(g_t.auth, g_t.key, &h));
	CHECK_EQ_STR(h.name, "Authorization");
	CHECK_EQ_STR(h.prefix, "Bearer ");
	CHECK_EQ_INT(h.value.n, 0);
	/* custom with a key */
	CHECK_EQ_INT(build_kb("x", "sk-vllm", "http://host/v1", ENV0), 0);
	CHECK_EQ_STR(cs(g_t.key), "sk-vllm");
	/* auth = none rows: nothing sent, even with a key */
	CHECK_EQ_INT(build("x", "ollama/llama3", ENV0), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_NONE);
	CHECK_EQ_INT(g_t.auth, PROVIDER_AUTH_NONE);
	CHECK(!provider_auth_render(g_t.auth, g_t.key, &h));
	CHECK(h.name == NULL);
	CHECK_EQ_INT(build_kb("vllm/x", "sk", NULL, ENV0), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_NONE);
}

TEST(credentials_azure_vertex_bedrock)
{
	/* Azure: base first, then the key */
	CHECK_EQ_INT(build("az", "azure/gpt4", ENV0), ERR_INVAL);
	CHECK_EQ_STR(g_err, "failed to build client for model 'az': bad request: Azure OpenAI requires a base "
		     "URL. Set AZURE_OPENAI_ENDPOINT=https://{resource}.openai.azure.com (or AZURE_ENDPOINT as "
		     "a fallback).");
	CHECK_EQ_INT(build("az", "azure/gpt4", ENV("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com")),
		     ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "failed to build client for model 'az': authentication failed: no API key provided "
		     "and environment variable AZURE_OPENAI_API_KEY is not set");
	CHECK_EQ_INT(build("az", "azure/gpt4", ENV("AZURE_ENDPOINT", "https://r.openai.azure.com/",
						   "AZURE_OPENAI_API_KEY", "az-k")), 0);
	CHECK_EQ_STR(cs(g_t.key), "az-k");
	CHECK_EQ_INT(g_t.auth, PROVIDER_AUTH_API_KEY);
	/* entry base_url serves Azure too */
	CHECK_EQ_INT(build_kb("azure/gpt4", "k", "https://e.openai.azure.com", ENV0), 0);
	CHECK_EQ_STR(g_t.base_url, "https://e.openai.azure.com");
	CHECK_EQ_STR(g_t.base_url_from, "base_url");

	/* Vertex: project required; token from api_key or ADC file */
	CHECK_EQ_INT(build("vx", "vertex_ai/gemini-2.5-pro", ENV0), ERR_INVAL);
	CHECK_EQ_STR(g_err, "failed to build client for model 'vx': bad request: Vertex AI requires a project "
		     "ID. Set VERTEXAI_PROJECT (and optionally VERTEXAI_LOCATION) in the environment.");
	CHECK_EQ_INT(build("vx", "vertex_ai/gemini-2.5-pro", ENV("VERTEXAI_PROJECT", "p1")), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "failed to build client for model 'vx': authentication failed: no API key provided "
		     "and environment variable GOOGLE_APPLICATION_CREDENTIALS is not set");
	CHECK_EQ_INT(build("vx", "vertex_ai/gemini-2.5-pro",
			   ENV("VERTEXAI_PROJECT", "p1", "GOOGLE_APPLICATION_CREDENTIALS", "/k.json")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_GOOGLE_ADC);
	CHECK_EQ_STR(cs(g_t.adc_file), "/k.json");
	CHECK_EQ_INT(build_kb("vertex_ai/gemini-2.5-pro", "ya29.tok", NULL, ENV("VERTEXAI_PROJECT", "p1")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_KEY);
	CHECK_EQ_STR(cs(g_t.key), "ya29.tok");
	CHECK_EQ_INT(g_t.auth, PROVIDER_AUTH_BEARER);

	/* Bedrock: AWS credentials, api_key unused */
	const char *want = "failed to build client for model 'br': authentication failed: AWS Bedrock requires "
			   "AWS credentials. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and optionally "
			   "AWS_SESSION_TOKEN) in the environment.";
	CHECK_EQ_INT(build("br", "bedrock/amazon.titan-embed-text-v1", ENV0), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, want);
	CHECK_EQ_INT(build("br", "bedrock/x", ENV("AWS_ACCESS_KEY_ID", "AKID")), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, want);
	CHECK_EQ_INT(build("br", "bedrock/x", ENV("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "s",
						  "AWS_SESSION_TOKEN", "tok")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_AWS);
	CHECK_EQ_INT(g_t.auth, PROVIDER_AUTH_SIGV4);
	CHECK_EQ_STR(cs(g_t.aws_access_key), "AKID");
	CHECK_EQ_STR(cs(g_t.aws_secret_key), "s");
	CHECK_EQ_STR(cs(g_t.aws_session_token), "tok");
	provider_header h;
	CHECK(!provider_auth_render(g_t.auth, g_t.key, &h));
}

TEST(auth_render)
{
	provider_header h;
	CHECK(provider_auth_render(PROVIDER_AUTH_BEARER, STR_LIT("sk-1"), &h));
	CHECK_EQ_STR(h.name, "Authorization");
	CHECK_EQ_STR(h.prefix, "Bearer ");
	CHECK_EQ_STR(cs(h.value), "sk-1");
	CHECK(provider_auth_render(PROVIDER_AUTH_X_API_KEY, STR_LIT("ant"), &h));
	CHECK_EQ_STR(h.name, "x-api-key");
	CHECK_EQ_STR(h.prefix, "");
	CHECK_EQ_STR(cs(h.value), "ant");
	CHECK(provider_auth_render(PROVIDER_AUTH_API_KEY, STR_LIT("az"), &h));
	CHECK_EQ_STR(h.name, "api-key");
	CHECK(provider_auth_render(PROVIDER_AUTH_GOOG_API_KEY, STR_LIT("g"), &h));
	CHECK_EQ_STR(h.name, "x-goog-api-key");
	CHECK(!provider_auth_render(PROVIDER_AUTH_NONE, STR_LIT("x"), &h));
	CHECK(!provider_auth_render(PROVIDER_AUTH_SIGV4, STR_LIT("x"), &h));
	CHECK(provider_auth_render(PROVIDER_AUTH_BEARER, STR_NULL, &h));
	CHECK(h.value.p != NULL && h.value.n == 0);

	/* what each adapter sends */
	provider_env env = ENV("OPENAI_API_KEY", "o", "ANTHROPIC_API_KEY", "a", "GEMINI_API_KEY", "g",
			       "COHERE_API_KEY", "c", "MISTRAL_API_KEY", "m", "GROQ_API_KEY", "q");
	struct { const char *pm; provider_auth auth; const char *hdr; } c[] = {
		{ "openai/gpt-4o", PROVIDER_AUTH_BEARER, "Authorization" },
		{ "anthropic/claude-3", PROVIDER_AUTH_X_API_KEY, "x-api-key" },
		{ "gemini/gemini-2.0-flash", PROVIDER_AUTH_GOOG_API_KEY, "x-goog-api-key" },
		{ "gemini-2.0-flash", PROVIDER_AUTH_BEARER, "Authorization" }, /* registry row: Bearer */
		{ "cohere/command-r", PROVIDER_AUTH_BEARER, "Authorization" },
		{ "mistral/mistral-small", PROVIDER_AUTH_BEARER, "Authorization" },
		{ "groq/llama", PROVIDER_AUTH_BEARER, "Authorization" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK_EQ_INT(build("x", c[i].pm, env), 0);
		CHECK_EQ_INT(g_t.auth, c[i].auth);
		CHECK(provider_auth_render(g_t.auth, g_t.key, &h));
		CHECK_EQ_STR(h.name, c[i].hdr);
	}
}

/* ---- URLs ------------------------------------------------------------------------------- */

TEST(urls_openai_paths)
{
	CHECK_EQ_INT(build("x", "openai/gpt-4o", ENV("OPENAI_API_KEY", "k")), 0);
	CHECK_EQ_STR(g_t.base_url, "https://api.openai.com/v1");
	CHECK_EQ_STR(g_t.base_url_from, "registry");
	const char *want[PROVIDER_OP__COUNT] = {
		"https://api.openai.com/v1/chat/completions",
		"https://api.openai.com/v1/embeddings",
		"https://api.openai.com/v1/models",
		"https://api.openai.com/v1/images/generations",
		"https://api.openai.com/v1/audio/speech",
		"https://api.openai.com/v1/audio/transcriptions",
		"https://api.openai.com/v1/moderations",
		"https://api.openai.com/v1/rerank",
		"https://api.openai.com/v1/search",
		"https://api.openai.com/v1/ocr",
		"https://api.openai.com/v1/files",
		"https://api.openai.com/v1/files/file-abc",
		"https://api.openai.com/v1/files/file-abc/content",
		"https://api.openai.com/v1/batches",
		"https://api.openai.com/v1/batches/file-abc",
		"https://api.openai.com/v1/batches/file-abc/cancel",
		"https://api.openai.com/v1/responses",
		"https://api.openai.com/v1/responses/file-abc",
		"https://api.openai.com/v1/responses/file-abc/cancel",
	};
	for (int op = 0; op < PROVIDER_OP__COUNT; op++) {
		CHECK_EQ_STR(url((provider_op)op, false, "file-abc"), want[op]);
		CHECK_EQ_STR(url((provider_op)op, true, "file-abc"), want[op]); /* stream: same URL */
	}
	/* ids are path-segment encoded; {id} ops need one */
	CHECK_EQ_STR(url(PROVIDER_OP_FILE, false, "a/b?c d"), "https://api.openai.com/v1/files/a%2Fb%3Fc%20d");
	CHECK_EQ_STR(url(PROVIDER_OP_FILE, false, ""), "(error)");
	CHECK_EQ_INT(provider_url(&g_t, PROVIDER_OP_BATCH, false, STR_NULL, g_url, sizeof(g_url), NULL), ERR_INVAL);
	CHECK_EQ_INT(provider_url(&g_t, PROVIDER_OP__COUNT, false, STR_NULL, g_url, sizeof(g_url), NULL), ERR_INVAL);
	/* exactly-fitting and too-small buffers */
	char b[64];
	size_t n = 7;
	CHECK_EQ_INT(provider_url(&g_t, PROVIDER_OP_CHAT, false, STR_NULL, b, 43, &n), 0);
	CHECK_EQ_STR(b, "https://api.openai.com/v1/chat/completions");
	CHECK_EQ_INT(n, 42);
	CHECK_EQ_INT(provider_url(&g_t, PROVIDER_OP_CHAT, false, STR_NULL, b, 42, &n), ERR_TOOBIG);
	CHECK_EQ_STR(b, "");
	CHECK_EQ_INT(n, 0);
	CHECK_EQ_STR(provider_op_path(PROVIDER_OP_FILE_CONTENT), "/files/{id}/content");
	CHECK(provider_op_path(PROVIDER_OP__COUNT) == NULL);
	CHECK(provider_op_has_id(PROVIDER_OP_RESPONSE_CANCEL));
	CHECK(!provider_op_has_id(PROVIDER_OP_RESPONSES));
}

TEST(urls_native)
{
	/* Anthropic */
	CHECK_EQ_INT(build("x", "anthropic/claude-3", ENV("ANTHROPIC_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "https://api.anthropic.com/v1/messages");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL), "https://api.anthropic.com/v1/messages");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL), "https://api.anthropic.com/v1/embeddings");
	/* Anthropic behind a base_url (trailing / trimmed) */
	CHECK_EQ_INT(build_kb("anthropic/claude-3", "k", "http://127.0.0.1:9000/v1/", ENV0), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://127.0.0.1:9000/v1/messages");

	/* Gemini native */
	CHECK_EQ_INT(build("x", "gemini/gemini-2.0-flash", ENV("GEMINI_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:embedContent");
	CHECK_EQ_STR(url(PROVIDER_OP_MODELS, false, NULL), "https://generativelanguage.googleapis.com/v1beta/models");
	CHECK_EQ_INT(build("x", "google_ai/text-embedding-004", ENV("GEMINI_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent");
	/* several inputs: the alternate (batch) URL */
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, true, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents");
	/* the registry row (bare gemini-*) is OpenAI-compatible */
	CHECK_EQ_INT(build("x", "gemini-2.0-flash", ENV("GEMINI_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions");

	/* Vertex */
	CHECK_EQ_INT(build_kb("vertex_ai/gemini-2.5-pro", "tok", NULL, ENV("VERTEXAI_PROJECT", "my-proj")), 0);
	CHECK_EQ_STR(g_t.base_url,
		     "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1"
		     "/publishers/google/models/gemini-2.5-pro:generateContent");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL),
		     "https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1"
		     "/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
	CHECK_EQ_INT(build_kb("vertex_ai/text-embedding-005", "tok", NULL,
			      ENV("VERTEXAI_PROJECT", "p", "VERTEXAI_LOCATION", "europe-west1")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL),
		     "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1"
		     "/publishers/google/models/text-embedding-005:predict");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, true, NULL), /* one URL for one or many */
		     "https://europe-west1-aiplatform.googleapis.com/v1/projects/p/locations/europe-west1"
		     "/publishers/google/models/text-embedding-005:predict");

	/* Bedrock */
	provider_env aws = ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S");
	CHECK_EQ_INT(build("x", "bedrock/anthropic.claude-3-haiku-20240307-v1:0", aws), 0);
	CHECK_EQ_STR(cs(g_t.region), "us-east-1");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL),
		     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL),
		     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke");
	CHECK_EQ_STR(url(PROVIDER_OP_MODELS, false, NULL), "https://bedrock-runtime.us-east-1.amazonaws.com/models");
	CHECK_EQ_INT(build("x", "bedrock/m", ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S",
						 "AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "")), 0);
	CHECK_EQ_STR(g_t.base_url, "https://bedrock-runtime.eu-west-1.amazonaws.com");
	CHECK_EQ_INT(build("x", "bedrock/m", ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S",
						 "AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "cn-north-1")), 0);
	CHECK_EQ_STR(g_t.base_url, "https://bedrock-runtime.cn-north-1.amazonaws.com.cn");
	CHECK_EQ_INT(build("x", "bedrock/m", ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S",
						 "AWS_DEFAULT_REGION", "eusc-de-east-1")), 0);
	CHECK_EQ_STR(g_t.base_url, "https://bedrock-runtime.eusc-de-east-1.amazonaws.eu");
	/* cross-region prefix, not doubled, ignored with BEDROCK_BASE_URL */
	CHECK_EQ_INT(build("x", "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
			   ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S", "BEDROCK_CROSS_REGION", "us")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse");
	CHECK_EQ_INT(build("x", "bedrock/us.anthropic.claude-3-haiku-20240307-v1:0",
			   ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S", "BEDROCK_CROSS_REGION", "us")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse");
	CHECK_EQ_INT(build("x", "bedrock/m:1", ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S",
						   "BEDROCK_CROSS_REGION", "us", "BEDROCK_BASE_URL", "http://127.0.0.1:7/")), 0);
	CHECK_EQ_STR(g_t.base_url_from, "BEDROCK_BASE_URL");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL), "http://127.0.0.1:7/model/m%3A1/converse-stream");

	/* Azure: deployment URL with api-version; base that already names the deployment */
	CHECK_EQ_INT(build("x", "azure/gpt-4o-prod", ENV("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com/",
							 "AZURE_OPENAI_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://r.openai.azure.com/openai/deployments/gpt-4o-prod/chat/completions?api-version=2025-02-01-preview");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, true, NULL),
		     "https://r.openai.azure.com/openai/deployments/gpt-4o-prod/embeddings?api-version=2025-02-01-preview");
	CHECK_EQ_STR(url(PROVIDER_OP_FILE, false, "file-1"),
		     "https://r.openai.azure.com/openai/deployments/gpt-4o-prod/files/file-1?api-version=2025-02-01-preview");
	CHECK_EQ_INT(build_kb("azure/ignored", "k", "https://r.openai.azure.com/openai/deployments/gpt-4",
			      ENV("AZURE_API_VERSION", "2024-10-21")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://r.openai.azure.com/openai/deployments/gpt-4/chat/completions?api-version=2024-10-21");

	/* Cohere native */
	CHECK_EQ_INT(build("x", "cohere/command-r", ENV("COHERE_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL), "https://api.cohere.com/v2/chat");
	CHECK_EQ_STR(url(PROVIDER_OP_RERANK, false, NULL), "https://api.cohere.com/v2/rerank");
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL), "https://api.cohere.com/v2/embed");
	/* the cohere registry row (bare embed-) is v1 OpenAI-compatible */
	CHECK_EQ_INT(build("x", "embed-english-v3.0", ENV("COHERE_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_EMBEDDINGS, false, NULL), "https://api.cohere.com/v1/embeddings");

	/* Mistral, Copilot */
	CHECK_EQ_INT(build("x", "mistral/mistral-large-latest", ENV("MISTRAL_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, true, NULL), "https://api.mistral.ai/v1/chat/completions");
	CHECK_EQ_STR(url(PROVIDER_OP_OCR, false, NULL), "https://api.mistral.ai/v1/ocr");
	CHECK_EQ_INT(build("x", "github_copilot/gpt-4o", ENV("GITHUB_COPILOT_TOKEN", "g")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "https://api.githubcopilot.com/chat/completions");
	/* the token exchange: GitHub's, or GITHUB_COPILOT_TOKEN_URL (trailing / trimmed) */
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_GITHUB_TOKEN);
	CHECK_EQ_STR(cs(g_t.token_url), "https://api.github.com/copilot_internal/v2/token");
	CHECK_EQ_INT(build("x", "github_copilot/gpt-4o", ENV("GITHUB_COPILOT_TOKEN", "g",
							     "GITHUB_COPILOT_TOKEN_URL", "http://127.0.0.1:9/tok/")), 0);
	CHECK_EQ_STR(cs(g_t.token_url), "http://127.0.0.1:9/tok");
	CHECK_EQ_INT(build("x", "github_copilot/gpt-4o",
			   ENV("GITHUB_COPILOT_TOKEN", "g", "GITHUB_COPILOT_TOKEN_URL", "")), 0);
	CHECK_EQ_STR(cs(g_t.token_url), "https://api.github.com/copilot_internal/v2/token");
	/* other adapters have none */
	CHECK_EQ_INT(build("x", "mistral/m", ENV("MISTRAL_API_KEY", "k")), 0);
	CHECK_EQ_INT(g_t.token_url.n, 0);
	CHECK_EQ_INT(build("x", "github_copilot/gpt-4o", ENV("GITHUB_COPILOT_TOKEN", "g",
							     "GITHUB_COPILOT_API_BASE", "https://proxy.example/")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "https://proxy.example/chat/completions");

	/* custom behind a base_url (providers.md example) */
	CHECK_EQ_INT(build_kb("meta-llama/Llama-3-8B", NULL, "http://host:11434/v1", ENV0), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://host:11434/v1/chat/completions");
	CHECK_EQ_STR(g_t.base_url_from, "base_url");

	/* model ids are path-encoded where they go into a path */
	CHECK_EQ_INT(build("x", "gemini/../x?key=1", ENV("GEMINI_API_KEY", "k")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://generativelanguage.googleapis.com/v1beta/models/..%2Fx%3Fkey%3D1:generateContent");
}

TEST(urls_registry_sample)
{
	/* 20+ registry rows: {base_url}{path}, with their key env var */
	struct { const char *pm, *env; provider_op op; const char *want; } c[] = {
		{ "abliteration/m", "ABLITERATION_API_KEY", PROVIDER_OP_CHAT, "https://api.abliteration.ai/v1/chat/completions" },
		{ "ai21/jamba-large", "AI21_API_KEY", PROVIDER_OP_CHAT, "https://api.ai21.com/studio/v1/chat/completions" },
		{ "aiml/flux-pro", "AIML_API_KEY", PROVIDER_OP_IMAGES, "https://api.aimlapi.com/v1/images/generations" },
		{ "assemblyai/best", "ASSEMBLYAI_API_KEY", PROVIDER_OP_TRANSCRIPTIONS, "https://api.assemblyai.com/audio/transcriptions" },
		{ "brave/web", "BRAVE_API_KEY", PROVIDER_OP_SEARCH, "https://api.search.brave.com/res/v1/search" },
		{ "cerebras/llama3.1-8b", "CEREBRAS_API_KEY", PROVIDER_OP_CHAT, "https://api.cerebras.ai/v1/chat/completions" },
		{ "deepinfra/meta-llama/Llama-3-8B", "DEEPINFRA_API_KEY", PROVIDER_OP_CHAT, "https://api.deepinfra.com/v1/openai/chat/completions" },
		{ "deepseek/deepseek-chat", "DEEPSEEK_API_KEY", PROVIDER_OP_CHAT, "https://api.deepseek.com/v1/chat/completions" },
		{ "fireworks_ai/accounts/fireworks/models/llama-v3", "FIREWORKS_AI_API_KEY", PROVIDER_OP_CHAT, "https://api.fireworks.ai/inference/v1/chat/completions" },
		{ "groq/whisper-large-v3", "GROQ_API_KEY", PROVIDER_OP_TRANSCRIPTIONS, "https://api.groq.com/openai/v1/audio/transcriptions" },
		{ "huggingface/x", "HUGGINGFACE_API_KEY", PROVIDER_OP_RERANK, "https://router.huggingface.co/v1/rerank" },
		{ "jina_ai/jina-reranker-v2", "JINA_API_KEY", PROVIDER_OP_RERANK, "https://api.jina.ai/v1/rerank" },
		{ "moonshot/kimi-k2", "MOONSHOT_API_KEY", PROVIDER_OP_CHAT, "https://api.moonshot.ai/v1/chat/completions" },
		{ "nvidia_nim/meta/llama3", "NVIDIA_NIM_API_KEY", PROVIDER_OP_RERANK, "https://integrate.api.nvidia.com/v1/rerank" },
		{ "openrouter/openai/gpt-4o", "OPENROUTER_API_KEY", PROVIDER_OP_CHAT, "https://openrouter.ai/api/v1/chat/completions" },
		{ "perplexity/sonar", "PERPLEXITYAI_API_KEY", PROVIDER_OP_SEARCH, "https://api.perplexity.ai/search" },
		{ "together_ai/meta-llama/x", "TOGETHER_AI_API_KEY", PROVIDER_OP_CHAT, "https://api.together.xyz/v1/chat/completions" },
		{ "voyage/voyage-3", "VOYAGE_API_KEY", PROVIDER_OP_EMBEDDINGS, "https://api.voyageai.com/v1/embeddings" },
		{ "xai/grok-3", "XAI_API_KEY", PROVIDER_OP_CHAT, "https://api.x.ai/v1/chat/completions" },
		{ "zai/glm-4.6", "ZAI_API_KEY", PROVIDER_OP_CHAT, "https://api.z.ai/api/paas/v4/chat/completions" },
		{ "volcengine/doubao-pro", "VOLCENGINE_API_KEY", PROVIDER_OP_CHAT, "https://ark.cn-beijing.volces.com/api/v3/chat/completions" },
		{ "text-completion-codestral/codestral", "CODESTRAL_API_KEY", PROVIDER_OP_CHAT, "https://codestral.mistral.ai/v1/chat/completions" },
		{ "ollama/llama3", NULL, PROVIDER_OP_EMBEDDINGS, "http://localhost:11434/v1/embeddings" },
		{ "vllm/x", NULL, PROVIDER_OP_FILES, "http://localhost:8000/v1/files" },
		{ "docker_model_runner/ai/smollm2", NULL, PROVIDER_OP_CHAT, "http://localhost:22088/engines/llama.cpp/chat/completions" },
		{ "charity_engine/x", "CHARITY_ENGINE_API_KEY", PROVIDER_OP_CHAT, "https://api.charityengine.services/remotejobs/v2/inference/chat/completions" },
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		provider_env env = c[i].env ? ENV(c[i].env, "key") : ENV0;
		CHECK_EQ_INT(build("x", c[i].pm, env), 0);
		CHECK_EQ_INT(g_t.adapter, PROVIDER_ADAPTER_COMPAT);
		CHECK_EQ_STR(url(c[i].op, false, NULL), c[i].want);
		CHECK_EQ_STR(g_t.key_env, c[i].env ? c[i].env : "");
	}
}

TEST(param_maps)
{
	size_t n = 9;
	const provider_param_map *m;
	CHECK_EQ_INT(build("x", "moonshot/kimi-k2", ENV("MOONSHOT_API_KEY", "k")), 0);
	m = provider_param_maps(&g_t, &n);
	CHECK_EQ_INT(n, 1);
	CHECK(m && !strcmp(m[0].from, "max_completion_tokens") && !strcmp(m[0].to, "max_tokens"));
	CHECK_EQ_STR(provider_param_rename(&g_t, STR_LIT("max_completion_tokens")), "max_tokens");
	CHECK(provider_param_rename(&g_t, STR_LIT("max_tokens")) == NULL);
	CHECK(provider_param_rename(&g_t, STR_LIT("max_completion_token")) == NULL);
	CHECK_EQ_INT(build("x", "deepinfra/x", ENV("DEEPINFRA_API_KEY", "k")), 0);
	m = provider_param_maps(&g_t, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(build("x", "groq/x", ENV("GROQ_API_KEY", "k")), 0);
	CHECK(provider_param_maps(&g_t, &n) == NULL && n == 0);
	CHECK_EQ_INT(build("x", "openai/gpt-4o", ENV("OPENAI_API_KEY", "k")), 0);
	CHECK(provider_param_maps(&g_t, &n) == NULL && n == 0);
	CHECK(provider_param_rename(&g_t, STR_LIT("max_completion_tokens")) == NULL);
	CHECK_EQ_INT(build_kb("x", NULL, "http://h/v1", ENV0), 0);
	CHECK(provider_param_maps(&g_t, &n) == NULL && n == 0);
}

/* ---- <PROVIDER>_BASE_URL ------------------------------------------------------------------ */

TEST(base_url_env_overrides)
{
	const char *var = NULL;
	CHECK_EQ_INT(build("x", "openai/gpt-4o", ENV("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "http://127.0.0.1:9/v1/")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://127.0.0.1:9/v1");
	CHECK_EQ_STR(g_t.base_url_from, "OPENAI_BASE_URL");
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://127.0.0.1:9/v1/chat/completions");
	/* the fallback OpenAI adapter and the openai registry row too */
	CHECK_EQ_INT(build("x", "my-model", ENV("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "http://o/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://o/v1");
	CHECK_EQ_INT(build("x", "text-davinci-003", ENV("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "http://o/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://o/v1");
	/* empty = unset */
	CHECK_EQ_INT(build("x", "openai/gpt-4o", ENV("OPENAI_API_KEY", "k", "OPENAI_BASE_URL", "")), 0);
	CHECK_EQ_STR(g_t.base_url, "https://api.openai.com/v1");
	CHECK_EQ_INT(build("x", "anthropic/claude-3", ENV("ANTHROPIC_API_KEY", "k", "ANTHROPIC_BASE_URL", "http://a/v1")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://a/v1/messages");
	CHECK_EQ_INT(build("x", "groq/llama", ENV("GROQ_API_KEY", "k", "GROQ_BASE_URL", "http://g/openai/v1")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://g/openai/v1/chat/completions");
	CHECK_EQ_INT(build("x", "opencode-go/m", ENV("OPENCODE_API_KEY", "k", "OPENCODE_GO_BASE_URL", "http://oc/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://oc/v1");
	/* GEMINI_BASE_URL serves gemini/ and google_ai/ (native shape) */
	CHECK_EQ_INT(build("x", "google_ai/gemini-2.0-flash", ENV("GEMINI_API_KEY", "k", "GEMINI_BASE_URL", "http://gm/v1beta")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://gm/v1beta/models/gemini-2.0-flash:generateContent");
	/* VERTEX_AI_BASE_URL replaces the composed base: no project needed */
	CHECK_EQ_INT(build_kb("vertex_ai/gemini-2.5-pro", "t", NULL, ENV("VERTEX_AI_BASE_URL", "http://vx/v1/projects/p/locations/l")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL), "http://vx/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent");
	/* Azure: AZURE_OPENAI_ENDPOINT before AZURE_ENDPOINT */
	CHECK_EQ_INT(build("x", "azure/d", ENV("AZURE_OPENAI_API_KEY", "k", "AZURE_ENDPOINT", "http://second",
					       "AZURE_OPENAI_ENDPOINT", "http://first")), 0);
	CHECK_EQ_STR(g_t.base_url_from, "AZURE_OPENAI_ENDPOINT");
	CHECK_EQ_STR(g_t.base_url, "http://first");
	/* the entry's base_url beats the env */
	CHECK_EQ_INT(build_kb("anthropic/c", "k", "http://entry/v1", ENV("ANTHROPIC_BASE_URL", "http://env/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://entry/v1");
	CHECK_EQ_INT(build_kb("groq/x", NULL, "http://entry/v1", ENV("GROQ_BASE_URL", "http://env/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://entry/v1"); /* custom */
	/* the function itself */
	str v = provider_env_base_url(PROVIDER_ADAPTER_COMPAT, row("xai"), ENV("XAI_BASE_URL", "http://x//"), &var);
	CHECK_EQ_STR(cs(v), "http://x");
	CHECK_EQ_STR(var, "XAI_BASE_URL");
	v = provider_env_base_url(PROVIDER_ADAPTER_COMPAT, row("xai"), ENV0, &var);
	CHECK_EQ_INT(v.n, 0);
	CHECK_EQ_STR(var, "XAI_BASE_URL");
	v = provider_env_base_url(PROVIDER_ADAPTER_BEDROCK, NULL, ENV("BEDROCK_BASE_URL", "http://b"), &var);
	CHECK_EQ_STR(cs(v), "http://b");
	CHECK_EQ_STR(var, "BEDROCK_BASE_URL");
	v = provider_env_base_url(PROVIDER_ADAPTER_AZURE, NULL, ENV0, &var);
	CHECK_EQ_STR(var, "AZURE_OPENAI_ENDPOINT");
	v = provider_env_base_url(PROVIDER_ADAPTER_COPILOT, NULL, ENV("GITHUB_COPILOT_BASE_URL", "http://c"), &var);
	CHECK_EQ_STR(cs(v), "http://c");
	v = provider_env_base_url(PROVIDER_ADAPTER_COMPAT, &provider_custom, ENV("CUSTOM_BASE_URL", "http://c"), &var);
	CHECK_EQ_INT(v.n, 0);
	CHECK(var == NULL);
	/* a missing env callback is an empty environment */
	provider_env none = { NULL, NULL };
	CHECK_EQ_INT(build("x", "groq/x", none), ERR_NOTFOUND);
	/* over-long base */
	static char longb[1200];
	memset(longb, 'a', sizeof(longb) - 1);
	memcpy(longb, "http://", 7);
	CHECK_EQ_INT(build_kb("x", NULL, longb, ENV0), ERR_TOOBIG);
	CHECK_EQ_STR(g_err, "failed to build client for model 'm': base URL longer than 1023 bytes");
	longb[1023] = '\0';
	CHECK_EQ_INT(build_kb("x", NULL, longb, ENV0), 0);
	CHECK_EQ_INT(g_t.base_url_len, 1023);
	/* a target may be copied by value */
	provider_target copy = g_t;
	CHECK_EQ_INT(provider_url(&copy, PROVIDER_OP_MODELS, false, STR_NULL, g_url, sizeof(g_url), NULL), 0);
	CHECK_EQ_INT(strlen(g_url), 1023 + 7);
}

/* ---- zero-config -------------------------------------------------------------------------- */

TEST(zero_config_list)
{
	const provider_row *list[16];
	provider_env env = ENV("OPENAI_API_KEY", "o", "GROQ_API_KEY", "g", "ANTHROPIC_API_KEY", "a",
			       "AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S", "UNRELATED", "x");
	size_t n = provider_zero_list(env, list, 16);
	CHECK_EQ_INT(n, 5);
	const char *want[] = { "anthropic", "bedrock", "groq", "openai", "text-completion-openai" };
	for (size_t i = 0; i < 5 && i < n; i++)
		CHECK_EQ_STR(list[i]->name, want[i]);
	/* counting beyond cap */
	CHECK_EQ_INT(provider_zero_list(env, list, 2), 5);
	CHECK_EQ_INT(provider_zero_list(env, NULL, 0), 5);
	CHECK_EQ_INT(provider_zero_list(ENV0, list, 16), 0);
	/* keyless local rows are not "configured"; not-routable rows never */
	CHECK(!provider_env_configured(row("ollama"), ENV0));
	CHECK(!provider_env_configured(row("anthropic_text"), ENV("ANTHROPIC_API_KEY", "a")));
	CHECK(provider_env_configured(row("anthropic"), ENV("ANTHROPIC_API_KEY", "a")));
	/* the special cases */
	CHECK(!provider_env_configured(row("azure"), ENV("AZURE_OPENAI_API_KEY", "k")));
	CHECK(provider_env_configured(row("azure"), ENV("AZURE_OPENAI_API_KEY", "k", "AZURE_ENDPOINT", "h")));
	CHECK(!provider_env_configured(row("bedrock"), ENV("AWS_ACCESS_KEY_ID", "A")));
	CHECK(!provider_env_configured(row("vertex_ai"), ENV("VERTEXAI_PROJECT", "p")));
	CHECK(provider_env_configured(row("vertex_ai"), ENV("VERTEXAI_PROJECT", "p",
							    "GOOGLE_APPLICATION_CREDENTIALS", "/k")));
	CHECK(provider_env_configured(row("github_copilot"), ENV("GITHUB_COPILOT_TOKEN", "t")));
	CHECK(provider_env_configured(row("cohere_chat"), ENV("COHERE_API_KEY", "c")));
	CHECK(provider_env_configured(row("gemini"), ENV("GEMINI_API_KEY", "g")));
	/* every routable row with a key env var counts once its variable is set */
	for (size_t i = 0; i < provider_count(); i++) {
		const provider_row *r = provider_at(i);
		if (r->klass == PROVIDER_NOT_ROUTABLE || !r->api_key_env[0])
			continue;
		CHECK(provider_env_configured(r, ENV(r->api_key_env, "k")));
		CHECK(!provider_env_configured(r, ENV0));
	}
}

static provider_zero_why g_why;
static int zr(const char *m, provider_env env)
{
	return provider_zero_resolve(str_from(m), env, &g_t, &g_why, g_err, sizeof(g_err));
}

TEST(zero_config_resolve)
{
	provider_env env = ENV("OPENAI_API_KEY", "o", "GROQ_API_KEY", "g", "ANTHROPIC_API_KEY", "a",
			       "GEMINI_API_KEY", "gm");
	CHECK_EQ_INT(zr("openai/gpt-4o", env), 0);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_OK);
	CHECK_EQ_STR(g_err, "");
	CHECK_EQ_INT(g_t.adapter, PROVIDER_ADAPTER_OPENAI);
	CHECK_EQ_STR(cs(g_t.model), "gpt-4o");
	CHECK_EQ_STR(cs(g_t.key), "o");
	CHECK_EQ_INT(zr("groq/llama-3.1-8b-instant", env), 0);
	CHECK_EQ_STR(g_t.row->name, "groq");
	CHECK_EQ_STR(cs(g_t.model), "llama-3.1-8b-instant");
	CHECK_EQ_INT(zr("anthropic/claude-sonnet-4-20250514", env), 0);
	CHECK_EQ_INT(g_t.adapter, PROVIDER_ADAPTER_ANTHROPIC);
	CHECK_EQ_INT(zr("google_ai/gemini-2.0-flash", env), 0);
	CHECK_EQ_INT(g_t.adapter, PROVIDER_ADAPTER_GEMINI);
	CHECK_EQ_INT(zr("openrouter/openai/gpt-4o", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_NO_KEY);
	CHECK_EQ_STR(g_err, "model 'openrouter/openai/gpt-4o' not found: set OPENROUTER_API_KEY to use provider 'openrouter'");
	CHECK_EQ_INT(zr("mistral/mistral-large-latest", env), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "model 'mistral/mistral-large-latest' not found: set MISTRAL_API_KEY to use provider 'mistral'");
	CHECK_EQ_INT(zr("azure/d", ENV("AZURE_OPENAI_API_KEY", "k")), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "model 'azure/d' not found: set AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT to use provider 'azure'");
	CHECK_EQ_INT(zr("bedrock/m", ENV0), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "model 'bedrock/m' not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to use provider 'bedrock'");
	CHECK_EQ_INT(zr("vertex_ai/gemini-2.5-pro", ENV0), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "model 'vertex_ai/gemini-2.5-pro' not found: set VERTEXAI_PROJECT and GOOGLE_APPLICATION_CREDENTIALS to use provider 'vertex_ai'");
	CHECK_EQ_INT(zr("google_ai/gemini-2.0-flash", ENV0), ERR_NOTFOUND);
	CHECK_EQ_STR(g_err, "model 'google_ai/gemini-2.0-flash' not found: set GEMINI_API_KEY to use provider 'google_ai'");
	/* bare names, unknown and unsupported prefixes */
	CHECK_EQ_INT(zr("gpt-4o", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_BARE);
	CHECK_EQ_STR(g_err, "model 'gpt-4o' not found: no models are configured; name a provider, e.g. 'openai/gpt-4o'");
	CHECK_EQ_INT(zr("openai/", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_BARE);
	CHECK_EQ_STR(g_err, "model 'openai/' not found: no model id after 'openai/'");
	CHECK_EQ_INT(zr("/gpt-4o", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_BARE);
	CHECK_EQ_INT(zr("", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_BARE);
	CHECK_EQ_INT(zr("meta-llama/Llama-3-8B", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_UNKNOWN);
	CHECK_EQ_STR(g_err, "model 'meta-llama/Llama-3-8B' not found: unknown provider 'meta-llama'");
	CHECK_EQ_INT(zr("databricks/dbrx", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_UNSUPPORTED);
	CHECK_EQ_STR(g_err, "model 'databricks/dbrx' not found: provider 'databricks' is not supported");
	CHECK_EQ_INT(zr("custom/x", env), ERR_NOTFOUND);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_UNSUPPORTED);
	/* keyless local rows resolve with an empty key */
	CHECK_EQ_INT(zr("ollama/llama3", ENV0), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_NONE);
	CHECK_EQ_STR(g_t.base_url, "http://localhost:11434/v1");
	CHECK_EQ_INT(zr("ollama/llama3", ENV("OLLAMA_BASE_URL", "http://10.0.0.5:11434/v1")), 0);
	CHECK_EQ_STR(g_t.base_url, "http://10.0.0.5:11434/v1");
	/* configured natives */
	CHECK_EQ_INT(zr("bedrock/anthropic.claude-3-haiku-20240307-v1:0",
			ENV("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_AWS);
	CHECK_EQ_INT(zr("vertex_ai/gemini-2.5-pro", ENV("VERTEXAI_PROJECT", "p", "GOOGLE_APPLICATION_CREDENTIALS", "/k")), 0);
	CHECK_EQ_INT(g_t.cred, PROVIDER_CRED_GOOGLE_ADC);
	CHECK_EQ_INT(zr("azure/dep", ENV("AZURE_OPENAI_API_KEY", "k", "AZURE_ENDPOINT", "https://r")), 0);
	CHECK_EQ_STR(url(PROVIDER_OP_CHAT, false, NULL),
		     "https://r/openai/deployments/dep/chat/completions?api-version=2025-02-01-preview");
	/* over-long base from the environment */
	static char longb[1100];
	memset(longb, 'b', sizeof(longb) - 1);
	CHECK_EQ_INT(zr("groq/x", ENV("GROQ_API_KEY", "k", "GROQ_BASE_URL", longb)), ERR_TOOBIG);
	CHECK_EQ_INT(g_why, PROVIDER_ZERO_BAD);
	CHECK(!strncmp(g_err, "model 'groq/x' not found: ", 26));
	/* every configured provider resolves `<name>/m` to itself */
	for (size_t i = 0; i < provider_count(); i++) {
		const provider_row *r = provider_at(i);
		if (r->klass == PROVIDER_NOT_ROUTABLE || !r->api_key_env[0])
			continue;
		char m[128];
		snprintf(m, sizeof(m), "%s/m", r->name);
		CHECK_EQ_INT(zr(m, ENV(r->api_key_env, "k")), 0);
		CHECK(g_t.row == r);
		CHECK_EQ_STR(cs(g_t.key), "k");
	}
}

/* ---- pricing ------------------------------------------------------------------------------ */

static double dabs(double x) { return x < 0 ? -x : x; }

static const char *pname(const pricing_entry *p)
{
	static char b[128];
	if (!p)
		return "(none)";
	snprintf(b, sizeof(b), "%s/%s", p->provider, p->model);
	return b;
}

TEST(pricing_table)
{
	size_t n = pricing_count();
	CHECK(n >= 30);
	CHECK(pricing_at(n) == NULL);
	for (size_t i = 0; i < n; i++) {
		const pricing_entry *p = pricing_at(i);
		CHECK(provider_find(str_from(p->provider)) != NULL);
		CHECK(p->input_cost_per_token >= 0 && p->output_cost_per_token >= 0);
		CHECK(p->input_cost_per_token < 1e-3);
		if (i) {
			const pricing_entry *q = pricing_at(i - 1);
			int c = strcmp(q->provider, p->provider);
			CHECK(c < 0 || (c == 0 && strcmp(q->model, p->model) < 0));
		}
		/* both keys find the entry */
		char k[128];
		snprintf(k, sizeof(k), "%s/%s", p->provider, p->model);
		CHECK(pricing_find(str_from(k)) == p);
		if (!strcmp(p->provider, "openai") || !strcmp(p->provider, "anthropic") ||
		    !strcmp(p->provider, "gemini"))
			CHECK(pricing_find(str_from(p->model)) == p);
		for (size_t t = 1; t < p->n_tiers; t++)
			CHECK(p->tiers[t - 1].min_context_tokens < p->tiers[t].min_context_tokens);
	}
	/* zero-config /v1/models: the models of one provider */
	const pricing_entry *first;
	size_t k = pricing_models(STR_LIT("openai"), &first);
	CHECK(k >= 10);
	for (size_t i = 0; i < k; i++)
		CHECK_EQ_STR(first[i].provider, "openai");
	CHECK(first == pricing_find(STR_LIT("openai/gpt-3.5-turbo")) || strcmp(first->model, "gpt-3.5-turbo") < 0);
	CHECK_EQ_INT(pricing_models(STR_LIT("groq"), &first), 2);
	CHECK_EQ_STR(first->model, "llama-3.1-8b-instant");
	CHECK_EQ_INT(pricing_models(STR_LIT("ollama"), &first), 0);
	CHECK(first == NULL);
	CHECK_EQ_INT(pricing_models(STR_LIT("open"), &first), 0);
	CHECK_EQ_INT(pricing_models(STR_LIT("zzz"), &first), 0);
	CHECK_EQ_INT(pricing_models(STR_LIT(""), &first), 0);
}

TEST(pricing_lookup_rules)
{
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("gpt-4o"))), "openai/gpt-4o");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("openai/gpt-4o"))), "openai/gpt-4o");
	/* cut at the last '-' or '.' and retry */
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("gpt-4o-2024-08-06"))), "openai/gpt-4o");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("openai/gpt-4o-mini-2024-07-18"))), "openai/gpt-4o-mini");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("gpt-4.1-mini-2025-04-14"))), "openai/gpt-4.1-mini");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("o3-mini-high"))), "openai/o3-mini");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("claude-sonnet-4-5-20250929"))), "anthropic/claude-sonnet-4-5");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("gemini-2.5-flash-preview-09-2025"))), "gemini/gemini-2.5-flash");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("groq/llama-3.1-8b-instant"))), "groq/llama-3.1-8b-instant");
	/* groq ids are not looked up bare */
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("llama-3.1-8b-instant"))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("my-gpt"))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("gpt"))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("-"))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT("."))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_LIT(""))), "(none)");
	CHECK_EQ_STR(pname(pricing_find(STR_NULL)), "(none)");
	/* recommended order: provider_model, bare id, name */
	CHECK_EQ_STR(pname(pricing_lookup(STR_LIT("vertex_ai/gemini-2.5-pro"), STR_LIT("gemini-2.5-pro"),
					  STR_LIT("my-pro"))), "gemini/gemini-2.5-pro");
	CHECK_EQ_STR(pname(pricing_lookup(STR_LIT("custom/x"), STR_LIT("x"), STR_LIT("gpt-4o-mini"))),
		     "openai/gpt-4o-mini");
	CHECK_EQ_STR(pname(pricing_lookup(STR_LIT("groq/llama-3.3-70b-versatile"), STR_NULL, STR_NULL)),
		     "groq/llama-3.3-70b-versatile");
	CHECK_EQ_STR(pname(pricing_lookup(STR_NULL, STR_NULL, STR_NULL)), "(none)");
}

TEST(pricing_cost)
{
	const pricing_entry *p = pricing_find(STR_LIT("gpt-4o"));
	/* 1000 * 2.5e-6 + 500 * 1e-5 = 0.0075 */
	CHECK(dabs(pricing_cost_usd(p, 1000, 0, 500) - 0.0075) < 1e-12);
	CHECK_EQ_INT(pricing_usd_to_micros(pricing_cost_usd(p, 1000, 0, 500)), 7500);
	/* cached tokens at the cache-read rate; clamped to the prompt */
	CHECK(dabs(pricing_cost_usd(p, 1000, 400, 0) - (600 * 2.5e-6 + 400 * 1.25e-6)) < 1e-12);
	CHECK(dabs(pricing_cost_usd(p, 100, 400, 0) - 100 * 1.25e-6) < 1e-12);
	/* no cache rate: input rate */
	const pricing_entry *g = pricing_find(STR_LIT("groq/llama-3.1-8b-instant"));
	CHECK(g->cache_read_input_token_cost < 0);
	CHECK(dabs(pricing_cost_usd(g, 1000, 500, 1000) - (1000 * 5e-8 + 1000 * 8e-8)) < 1e-15);
	CHECK_EQ_INT(pricing_usd_to_micros(pricing_cost_usd(g, 1000000, 0, 1000000)), 130000);
	/* tiers: largest min_context_tokens <= prompt */
	const pricing_entry *pro = pricing_find(STR_LIT("gemini-2.5-pro"));
	CHECK_EQ_INT(pro->n_tiers, 1);
	double in, out;
	pricing_rates(pro, 200000, &in, &out);
	CHECK(in == 1.25e-6 && out == 1e-5);
	pricing_rates(pro, 200001, &in, &out);
	CHECK(in == 2.5e-6 && out == 1.5e-5);
	CHECK(dabs(pricing_cost_usd(pro, 300000, 0, 1000) - (300000 * 2.5e-6 + 1000 * 1.5e-5)) < 1e-12);
	/* anthropic carries both cache rates */
	const pricing_entry *s = pricing_find(STR_LIT("anthropic/claude-sonnet-4-20250514"));
	CHECK(s->cache_read_input_token_cost == 3e-7 && s->cache_creation_input_token_cost == 3.75e-6);
	/* embeddings: output rate 0 */
	CHECK(pricing_find(STR_LIT("text-embedding-3-small"))->output_cost_per_token == 0.0);
	/* micro-dollars */
	CHECK_EQ_INT(pricing_usd_to_micros(0.0), 0);
	CHECK_EQ_INT(pricing_usd_to_micros(-1.0), 0);
	CHECK_EQ_INT(pricing_usd_to_micros(NAN), 0);
	CHECK_EQ_INT(pricing_usd_to_micros(0.0000004), 0);
	CHECK_EQ_INT(pricing_usd_to_micros(0.0000005), 1);
	CHECK_EQ_INT(pricing_usd_to_micros(1.2345674), 1234567);
	CHECK(pricing_usd_to_micros(1e300) == UINT64_MAX);
	CHECK(pricing_cost_usd(NULL, 1, 1, 1) == 0.0);
}

int main(void)
{
	RUN(registry_counts);
	RUN(registry_walk);
	RUN(registry_rows);
	RUN(adapter_info);
	RUN(select_base_url);
	RUN(select_detection_order);
	RUN(select_not_routable);
	RUN(model_ids);
	RUN(credentials_env_and_entry);
	RUN(credentials_keyless);
	RUN(credentials_azure_vertex_bedrock);
	RUN(auth_render);
	RUN(urls_openai_paths);
	RUN(urls_native);
	RUN(urls_registry_sample);
	RUN(param_maps);
	RUN(base_url_env_overrides);
	RUN(zero_config_list);
	RUN(zero_config_resolve);
	RUN(pricing_table);
	RUN(pricing_lookup_rules);
	RUN(pricing_cost);
	return t_done();
}
