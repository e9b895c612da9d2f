/* test_config.c — config loading: every example of config.md, every
 * load-time rule with its exact message and line:col, ${VAR} interpolation
 * and the position map, defaults, discovery and the start-up checks. */
#include "t.h"
#include "config/config.h"
#include "config/config_private.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/limits.h"
#include "base/log.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------ */

/* env: NULL-terminated array of "NAME=value" */
static const char *tenv(void *ud, const char *name)
{
	const char *const *e = ud;
	size_t n = strlen(name);
	for (; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static config *load_env(const char *text, const char *const *env)
{
	config *c = NULL;
	config_errors e = { 0 };
	int rc = config_load_text("t.toml", text, strlen(text), tenv, (void *)env, &c, &e);
	if (rc < 0) {
		for (size_t i = 0; i < e.n; i++)
			printf("  unexpected error: %u:%u: %s\n", e.v[i].line, e.v[i].col, e.v[i].msg);
	}
	config_errors_free(&e);
	return c;
}

static config *load(const char *text)
{
	return load_env(text, NULL);
}

/* Expect failure; the first error must be at line:col with message msg. */
static int bad_at(int tline, const char *text, const char *const *env, uint32_t line, uint32_t col, const char *msg)
{
	config *c = NULL;
	config_errors e = { 0 };
	int rc = config_load_text("t.toml", text, strlen(text), tenv, (void *)env, &c, &e);
	int fail = 0;
	if (rc >= 0 || c || e.n == 0) {
		printf("  line %d: expected an error, got none\n", tline);
		fail = 1;
	} else if (e.v[0].line != line || e.v[0].col != col || strcmp(e.v[0].msg, msg) != 0) {
		printf("  line %d: got   %u:%u: %s\n  line %d: want  %u:%u: %s\n", tline, e.v[0].line, e.v[0].col, e.v[0].msg,
		       tline, line, col, msg);
		fail = 1;
	}
	config_free(c);
	config_errors_free(&e);
	return fail;
}
#define BAD(text, line, col, msg) do { if (bad_at(__LINE__, (text), NULL, (line), (col), (msg))) t_cur_failed++; } while (0)
#define BAD_ENV(text, env, line, col, msg) do { if (bad_at(__LINE__, (text), (env), (line), (col), (msg))) t_cur_failed++; } while (0)

/* Text of the first error. */
static char *first_text(const char *text, const char *const *env)
{
	static char out[2048];
	config *c = NULL;
	config_errors e = { 0 };
	out[0] = '\0';
	if (config_load_text("t.toml", text, strlen(text), tenv, (void *)env, &c, &e) < 0 && e.n)
		snprintf(out, sizeof out, "%s", e.v[0].text);
	config_free(c);
	config_errors_free(&e);
	return out;
}

static size_t n_errors(const char *text)
{
	config *c = NULL;
	config_errors e = { 0 };
	config_load_text("t.toml", text, strlen(text), NULL, NULL, &c, &e);
	size_t n = e.n;
	config_free(c);
	config_errors_free(&e);
	return n;
}

static char *interp(const char *text, const char *const *env)
{
	static char out[1024];
	buf b = { 0 };
	int rc = config_interpolate(text, strlen(text), tenv, (void *)env, 1 << 20, &b);
	snprintf(out, sizeof out, "%s", rc < 0 ? "<error>" : b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* ---- defaults and examples ------------------------------------------------------- */

TEST(defaults_empty)
{
	config *c = load("");
	CHECK(c);
	if (!c)
		return;
	CHECK_EQ_STR(c->server.host, "0.0.0.0");
	CHECK_EQ_INT(c->server.port, 4000);
	CHECK(!c->server.present && !c->server.host_set && !c->server.port_set);
	CHECK_EQ_INT(c->server.request_timeout_secs, 600);
	CHECK_EQ_INT(c->server.body_limit_bytes, 10485760);
	CHECK_EQ_INT(c->server.cors_origins.n, 0);
	CHECK(c->general.master_key == NULL);
	CHECK_EQ_INT(c->general.default_timeout_secs, 120);
	CHECK_EQ_INT(c->general.max_retries, 3);
	CHECK(!c->general.enable_cost_tracking && !c->general.enable_tracing);
	CHECK_EQ_INT(c->n_models, 0);
	CHECK_EQ_INT(c->n_pools, 0);
	CHECK_EQ_INT(c->n_aliases, 0);
	CHECK_EQ_INT(c->n_keys, 0);
	CHECK(!c->rate_limit.present && !c->budget.present && !c->cache.present && !c->files.present);
	CHECK(!c->health.present && !c->cooldown.present && !c->routing.present && !c->mcp.present);
	CHECK_EQ_INT(c->cache.max_entries, 256);
	CHECK_EQ_INT(c->cache.ttl_seconds, 300);
	CHECK_EQ_STR(c->cache.backend, "memory");
	CHECK_EQ_STR(c->files.backend, "memory");
	CHECK_EQ_STR(c->files.prefix, "liter-llm-files/");
	CHECK_EQ_INT(c->files.mode, CONFIG_FILES_PROXY);
	CHECK_EQ_INT(c->mcp.stdio_trust_local, 0);
	CHECK(c->mcp.stdio_key_id == NULL);
	CHECK_EQ_INT(c->mcp.http_auth, CONFIG_MCP_AUTH_NONE);
	CHECK_EQ_INT(c->mcp.max_message_bytes, 16u << 20);
	CHECK_EQ_INT(c->mcp.session_idle_secs, 3600);
	CHECK_EQ_INT(c->security.outbound_policy, CONFIG_OUTBOUND_DENY_PRIVATE);
	CHECK_EQ_INT(c->routing.strategy, CONFIG_ROUTE_ROUND_ROBIN);
	CHECK_EQ_INT(c->budget.enforcement, CONFIG_ENFORCE_HARD);
	CHECK_EQ_INT(c->n_guardrails, 0);
	CHECK_EQ_INT(c->n_secrets, 0);
	config_free(c);
	config *d = config_new_default();
	CHECK(d && d->server.port == 4000 && d->n_models == 0);
	config_free(d);
	/* comments and blank lines only */
	c = load("# nothing\n\n   \n# more\n");
	CHECK(c && c->n_models == 0);
	config_free(c);
}

static const char FULL[] =
	"# liter-llm-proxy.toml\n"
	"\n"
	"[server]\n"
	"host = \"0.0.0.0\"               # overwritten by `liter-llm api --host`\n"
	"port = 4000                    # overwritten by `liter-llm api --port`\n"
	"request_timeout_secs = 600\n"
	"body_limit_bytes = 10485760\n"
	"cors_origins = [\"https://app.example.com\"]\n"
	"\n"
	"[general]\n"
	"master_key = \"${LITER_LLM_MASTER_KEY}\"\n"
	"default_timeout_secs = 120\n"
	"max_retries = 3\n"
	"enable_cost_tracking = true\n"
	"enable_tracing = false\n"
	"\n"
	"[security]\n"
	"outbound_policy = \"deny_private\"      # \"off\" | \"deny_private\" | \"allowlist\"\n"
	"outbound_allowlist = []\n"
	"\n"
	"# Single deployment\n"
	"[[models]]\n"
	"name = \"gpt-4o\"\n"
	"provider_model = \"openai/gpt-4o\"\n"
	"api_key = \"${OPENAI_API_KEY}\"\n"
	"timeout_secs = 60\n"
	"fallbacks = [\"claude-sonnet\"]         # parsed; see governance.md\n"
	"\n"
	"[[models]]\n"
	"name = \"claude-sonnet\"\n"
	"provider_model = \"anthropic/claude-sonnet-4-20250514\"\n"
	"api_key = \"${ANTHROPIC_API_KEY}\"\n"
	"\n"
	"# Two deployments behind one name (pool)\n"
	"[[models]]\n"
	"name = \"fast\"\n"
	"provider_model = \"groq/llama-3.1-8b-instant\"\n"
	"api_key = \"${GROQ_API_KEY}\"\n"
	"\n"
	"[[models]]\n"
	"name = \"fast\"\n"
	"provider_model = \"openai/gpt-4o-mini\"\n"
	"api_key = \"${OPENAI_API_KEY}\"\n"
	"\n"
	"# Local OpenAI-compatible server (needs outbound_policy = \"off\" if written as localhost)\n"
	"[[models]]\n"
	"name = \"local-llama\"\n"
	"provider_model = \"openai/llama3\"\n"
	"base_url = \"http://127.0.0.1:11434/v1\"\n"
	"api_key = \"unused\"\n"
	"\n"
	"[routing]\n"
	"strategy = \"weighted_random\"\n"
	"weights = [3.0, 1.0]\n"
	"\n"
	"[[aliases]]\n"
	"pattern = \"anthropic/*\"\n"
	"api_key = \"${ANTHROPIC_API_KEY}\"\n"
	"\n"
	"[[keys]]\n"
	"key = \"${TEAM_A_KEY}\"\n"
	"description = \"team-a\"\n"
	"models = [\"gpt-4o\", \"fast\"]\n"
	"rpm = 60\n"
	"tpm = 100000\n"
	"budget_limit = 50.0\n"
	"tenant_id = \"team-a\"\n"
	"\n"
	"[[keys.provider_credentials]]\n"
	"provider = \"openai\"\n"
	"id = \"team-a-primary\"\n"
	"api_key = \"${TEAM_A_OPENAI_KEY}\"\n"
	"model_allowlist = [\"gpt-4o-realtime-preview\"]\n"
	"\n"
	"[mcp]\n"
	"stdio_trust_local = true\n"
	"# stdio_key_id = \"vk-...\"\n"
	"\n"
	"[rate_limit]\n"
	"rpm = 600\n"
	"tpm = 2000000\n"
	"\n"
	"[budget]\n"
	"global_limit = 500.0\n"
	"enforcement = \"hard\"\n"
	"\n"
	"[budget.model_limits]\n"
	"\"gpt-4o\" = 200.0\n"
	"\n"
	"[cache]\n"
	"max_entries = 1024\n"
	"ttl_seconds = 600\n"
	"backend = \"memory\"\n"
	"\n"
	"[files]\n"
	"backend = \"fs\"\n"
	"prefix = \"liter-llm-files/\"\n"
	"\n"
	"[files.backend_config]\n"
	"root = \"/var/lib/liter-llm\"\n"
	"\n"
	"[health]\n"
	"interval_secs = 30\n"
	"\n"
	"[cooldown]\n"
	"duration_secs = 60\n"
	"\n"
	"[[guardrails]]\n"
	"type = \"length_cap\"\n"
	"name = \"max-prompt\"\n"
	"max_chars = 200000\n"
	"stages = [\"input\"]\n";

static const char *const FULL_ENV[] = { "LITER_LLM_MASTER_KEY=sk-master-123456", "OPENAI_API_KEY=sk-openai-abcdef",
					"ANTHROPIC_API_KEY=sk-ant-abcdef", "GROQ_API_KEY=gsk-groq-abcdef",
					"TEAM_A_KEY=vk-team-a-0001", "TEAM_A_OPENAI_KEY=sk-team-a-openai", NULL };

TEST(full_example)
{
	config *c = load_env(FULL, FULL_ENV);
	CHECK(c);
	if (!c)
		return;
	CHECK(c->server.present && c->server.host_set && c->server.port_set);
	CHECK_EQ_INT(c->server.cors_origins.n, 1);
	CHECK_EQ_STR(c->server.cors_origins.v[0], "https://app.example.com");
	CHECK_EQ_INT(c->server.cors_origins.pos[0].line, 8);
	CHECK_EQ_STR(c->general.master_key, "sk-master-123456");
	CHECK_EQ_INT(c->general.master_key_pos.line, 11);
	CHECK_EQ_INT(c->general.master_key_pos.col, 14);
	CHECK(c->general.enable_cost_tracking);
	CHECK_EQ_INT(c->n_models, 5);
	CHECK_EQ_STR(c->models[0].name, "gpt-4o");
	CHECK_EQ_STR(c->models[0].provider_model, "openai/gpt-4o");
	CHECK_EQ_STR(c->models[0].api_key, "sk-openai-abcdef");
	CHECK_EQ_INT(c->models[0].timeout_secs, 60);
	CHECK(c->models[0].timeout_set);
	CHECK_EQ_INT(c->models[1].timeout_secs, 120);
	CHECK(!c->models[1].timeout_set);
	CHECK_EQ_INT(c->models[0].fallbacks.n, 1);
	CHECK_EQ_STR(c->models[0].fallbacks.v[0], "claude-sonnet");
	CHECK_EQ_INT(c->models[0].pos.line, 22);
	CHECK_EQ_INT(c->models[0].pos.col, 1);
	CHECK_EQ_INT(c->models[1].name_pos.line, 30);
	CHECK_EQ_INT(c->models[1].name_pos.col, 8);
	CHECK_EQ_STR(c->models[4].base_url, "http://127.0.0.1:11434/v1");
	CHECK_EQ_INT(c->n_pools, 4);
	const config_pool *p = config_find_pool(c, "fast");
	CHECK(p && p->n == 2 && p->models[0] == 2 && p->models[1] == 3);
	CHECK_EQ_INT(c->models[3].pool_index, 1);
	CHECK(config_find_pool(c, "nope") == NULL);
	CHECK_EQ_INT(c->routing.strategy, CONFIG_ROUTE_WEIGHTED);
	CHECK_EQ_INT(c->routing.n_weights, 2);
	CHECK(c->routing.weights[0] == 3.0 && c->routing.weights[1] == 1.0);
	CHECK_EQ_INT(c->n_aliases, 1);
	CHECK_EQ_STR(c->aliases[0].pattern, "anthropic/*");
	CHECK_EQ_INT(c->n_keys, 1);
	const config_key *k = &c->keys[0];
	CHECK_EQ_STR(k->key, "vk-team-a-0001");
	CHECK_EQ_STR(k->description, "team-a");
	CHECK_EQ_INT(k->models.n, 2);
	CHECK(k->rpm_set && k->rpm == 60 && k->tpm_set && k->tpm == 100000);
	CHECK(k->budget_limit_set && k->budget_limit == 50.0);
	CHECK_EQ_STR(k->tenant_id, "team-a");
	CHECK(!k->tenant_derived);
	CHECK_EQ_INT(k->n_creds, 1);
	CHECK_EQ_STR(k->creds[0].provider, "openai");
	CHECK_EQ_STR(k->creds[0].id, "team-a-primary");
	CHECK_EQ_STR(k->creds[0].api_key, "sk-team-a-openai");
	CHECK(k->creds[0].model_allowlist_set && k->creds[0].model_allowlist.n == 1);
	CHECK(config_find_key(c, "vk-team-a-0001", 14) == k);
	CHECK(config_find_key(c, "vk-team-a-0002", 14) == NULL);
	CHECK(c->mcp.present && c->mcp.stdio_trust_local);
	CHECK(c->rate_limit.present && c->rate_limit.rpm == 600 && c->rate_limit.tpm == 2000000);
	CHECK(c->budget.present && c->budget.global_limit_set && c->budget.global_limit == 500.0);
	CHECK_EQ_INT(c->budget.model_limits.n, 1);
	const double *ml = config_f64map_get(&c->budget.model_limits, "gpt-4o");
	CHECK(ml && *ml == 200.0);
	CHECK(c->cache.present && c->cache.max_entries == 1024 && c->cache.ttl_seconds == 600);
	CHECK(c->files.present);
	CHECK_EQ_STR(c->files.backend, "fs");
	CHECK_EQ_STR(config_strmap_get(&c->files.backend_config, "root"), "/var/lib/liter-llm");
	CHECK(c->health.present && c->health.interval_set && c->health.interval_secs == 30);
	CHECK(c->cooldown.present && c->cooldown.duration_secs == 60);
	CHECK_EQ_INT(c->n_guardrails, 1);
	CHECK_EQ_INT(c->guardrails[0].type, CONFIG_GUARD_LENGTH_CAP);
	CHECK_EQ_STR(c->guardrails[0].name, "max-prompt");
	CHECK_EQ_INT(c->guardrails[0].max_chars, 200000);
	CHECK_EQ_INT(c->guardrails[0].stages, CONFIG_STAGE_INPUT);
	/* secrets: master, 5 model keys, alias key, token, credential */
	CHECK_EQ_INT(c->n_secrets, 9);
	CHECK_EQ_INT(c->n_warnings, 0);
	/* start-up checks pass */
	config_errors e = { 0 };
	CHECK_EQ_INT(config_check_security(c, &e), 0);
	CHECK_EQ_INT(config_check_files(c, &e), 0);
	CHECK_EQ_INT(config_check_routing(c, &e), 0);
	CHECK_EQ_INT(config_check_stdio_key(c, &e), 0);
	CHECK_EQ_INT(e.n, 0);
	config_errors_free(&e);
	config_free(c);
}

TEST(spec_snippets)
{
	/* "writing an empty [cache] enables the cache" */
	config *c = load("[cache]\n");
	CHECK(c && c->cache.present && c->cache.max_entries == 256 && c->cache.ttl_seconds == 300);
	config_free(c);
	c = load("[rate_limit]\n[budget]\n[files]\n[health]\n[mcp]\n[security]\n[server]\n[general]\n");
	CHECK(c && c->rate_limit.present && !c->rate_limit.rpm_set && c->budget.present && c->files.present);
	CHECK(c && c->health.present && !c->health.interval_set && c->mcp.present && c->security.present);
	config_free(c);
	/* [budget.model_limits] "gpt-4o" = 50.0 and soft enforcement */
	c = load("[budget]\nenforcement = \"soft\"\n[budget.model_limits]\n\"gpt-4o\" = 50.0\n\"o1\" = 7\n");
	CHECK(c && c->budget.enforcement == CONFIG_ENFORCE_SOFT && c->budget.model_limits.n == 2);
	CHECK(c && *config_f64map_get(&c->budget.model_limits, "o1") == 7.0);
	config_free(c);
	/* every strategy */
	const char *plain[] = { "round_robin", "fallback", "latency_based", "cost_based" };
	for (int i = 0; i < 4; i++) {
		char t[128];
		snprintf(t, sizeof t, "[routing]\nstrategy = \"%s\"\n", plain[i]);
		c = load(t);
		CHECK(c && c->routing.present && c->routing.strategy == (config_strategy)i);
		CHECK_EQ_STR(config_strategy_name(c ? c->routing.strategy : 0), plain[i]);
		config_free(c);
	}
	/* semantic, keyword */
	c = load("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"keyword\"\n"
		 "[[routing.classifier.rules]]\npattern = \"(?i)code\"\nmodel = \"openai/gpt-4o\"\n"
		 "[[routing.classifier.rules]]\npattern = \"poem\"\nmodel = \"anthropic/claude\"\n");
	CHECK(c && c->routing.strategy == CONFIG_ROUTE_SEMANTIC);
	CHECK(c && c->routing.classifier.kind == CONFIG_CLASSIFIER_KEYWORD && c->routing.classifier.n_rules == 2);
	CHECK_EQ_STR(c ? c->routing.classifier.rules[1].pattern : NULL, "poem");
	CHECK_EQ_INT(c ? c->routing.classifier.rules[0].pattern_pos.line : 0, 6);
	config_free(c);
	/* semantic, embedding */
	c = load("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"embedding\"\n"
		 "embedding_model = \"text-embedding-3-small\"\napi_key = \"sk-embed-xyz\"\nbase_url = \"https://e.example\"\n"
		 "threshold = 0.8\n[[routing.classifier.prototypes]]\nname = \"code\"\nmodel = \"openai/gpt-4o\"\n"
		 "embedding = [0.1, 2, -0.5]\n");
	CHECK(c && c->routing.classifier.kind == CONFIG_CLASSIFIER_EMBEDDING);
	CHECK(c && c->routing.classifier.threshold == 0.8 && c->routing.classifier.n_prototypes == 1);
	CHECK(c && c->routing.classifier.prototypes[0].n_embedding == 3 &&
	      c->routing.classifier.prototypes[0].embedding[1] == 2.0);
	CHECK(c && c->n_secrets == 1);
	config_free(c);
	/* guardrails of every type */
	c = load("[[guardrails]]\ntype = \"regex\"\nname = \"pii\"\npattern = \"\\\\d{3}-\\\\d{2}\"\n"
		 "stages = [\"input\", \"output\", \"output_chunk\"]\n"
		 "action = { kind = \"block\", code = 451, reason_prefix = \"pii: \" }\n"
		 "[[guardrails]]\ntype = \"regex\"\nname = \"mask\"\npattern = \"secret\"\n"
		 "action = { kind = \"redact\", replacement = \"***\" }\n"
		 "[[guardrails]]\ntype = \"cel\"\nname = \"c1\"\nexpression = \"size(x) > 3\"\nstages = [\"output\"]\n"
		 "fail_open = true\naction = { kind = \"block\", code = 403, reason = \"too big\" }\n"
		 "[[guardrails]]\ntype = \"cel\"\nname = \"c2\"\nexpression = \"true\"\n"
		 "action = { kind = \"mutate\", new_payload = { messages = [] } }\n"
		 "[[guardrails]]\ntype = \"length_cap\"\nname = \"len\"\nmax_chars = 10\n"
		 "[[guardrails]]\ntype = \"prompt_injection\"\nname = \"pi\"\n");
	CHECK(c && c->n_guardrails == 6);
	if (c) {
		const config_guardrail *g = c->guardrails;
		CHECK(g[0].type == CONFIG_GUARD_REGEX && g[0].stages == 7 && g[0].action.kind == CONFIG_ACTION_BLOCK);
		CHECK(g[0].action.code == 451 && strcmp(g[0].action.reason_prefix, "pii: ") == 0);
		CHECK_EQ_STR(g[0].pattern, "\\d{3}-\\d{2}");
		CHECK(g[1].action.kind == CONFIG_ACTION_REDACT && strcmp(g[1].action.replacement, "***") == 0);
		CHECK(g[1].stages == CONFIG_STAGE_INPUT);
		CHECK(g[2].type == CONFIG_GUARD_CEL && g[2].fail_open && g[2].stages == CONFIG_STAGE_OUTPUT);
		CHECK_EQ_STR(g[2].action.reason, "too big");
		CHECK(g[3].action.kind == CONFIG_ACTION_MUTATE && g[3].action.new_payload &&
		      g[3].action.new_payload->type == TOML_TABLE);
		CHECK(!g[3].fail_open);
		CHECK(g[4].type == CONFIG_GUARD_LENGTH_CAP && g[4].max_chars == 10);
		CHECK(g[5].type == CONFIG_GUARD_PROMPT_INJECTION);
		CHECK_EQ_STR(config_guard_type_name(g[5].type), "prompt_injection");
	}
	config_free(c);
	/* defaults of block/redact actions */
	c = load("[[guardrails]]\ntype = \"regex\"\nname = \"a\"\npattern = \"x\"\naction = { kind = \"block\" }\n"
		 "[[guardrails]]\ntype = \"regex\"\nname = \"b\"\npattern = \"x\"\naction = { kind = \"redact\" }\n");
	CHECK(c && c->guardrails[0].action.code == 403 && strcmp(c->guardrails[0].action.reason_prefix, "") == 0);
	CHECK(c && strcmp(c->guardrails[1].action.replacement, "[REDACTED]") == 0);
	config_free(c);
	/* inline arrays of tables work like [[x]] */
	c = load("models = [{ name = \"a\", provider_model = \"openai/a\" }, { name = \"a\", provider_model = \"openai/b\" }]\n");
	CHECK(c && c->n_models == 2 && c->n_pools == 1 && c->pools[0].n == 2);
	config_free(c);
	/* extensions */
	c = load("[files]\nmode = \"local\"\n[mcp]\nhttp_auth = \"bearer\"\nmax_message_bytes = 1024\nsession_idle_secs = 0\n"
		 "stdio_key_id = \"vk-1\"\n[[models]]\nname = \"m\"\nprovider_model = \"openai/m\"\n"
		 "extra_headers = { \"X-Org\" = \"acme\", \"Authorization\" = \"Bearer tok-123456\" }\n");
	CHECK(c && c->files.mode == CONFIG_FILES_LOCAL && c->mcp.http_auth == CONFIG_MCP_AUTH_BEARER);
	CHECK(c && c->mcp.max_message_bytes == 1024 && c->mcp.session_idle_secs == 0);
	CHECK_EQ_STR(c ? c->mcp.stdio_key_id : NULL, "vk-1");
	CHECK(c && c->models[0].extra_headers.n == 2);
	CHECK_EQ_STR(c ? config_strmap_get(&c->models[0].extra_headers, "X-Org") : NULL, "acme");
	CHECK(c && c->n_secrets == 1);  /* the Authorization value */
	config_free(c);
	/* f64 accepts integers; nan/inf are floats */
	c = load("[[keys]]\nkey = \"k1234\"\nbudget_limit = 5\n[budget]\nglobal_limit = inf\n");
	CHECK(c && c->keys[0].budget_limit == 5.0 && c->budget.global_limit > 1e308);
	config_free(c);
	/* max values */
	c = load("[server]\nport = 65535\nrequest_timeout_secs = 9223372036854775807\n[general]\nmax_retries = 4294967295\n");
	CHECK(c && c->server.port == 65535 && c->general.max_retries == 4294967295u);
	config_free(c);
}

TEST(keys_tenants_and_duplicates)
{
	config *c = load("[[keys]]\nkey = \"tok-a1\"\ndescription = \"first\"\n"
			 "[[keys]]\nkey = \"tok-b2\"\n"
			 "[[keys]]\nkey = \"tok-a1\"\ndescription = \"second\"\ntenant_id = \"shared\"\n");
	CHECK(c);
	if (!c)
		return;
	CHECK_EQ_INT(c->n_keys, 2);
	CHECK_EQ_STR(c->keys[0].key, "tok-b2");
	CHECK_EQ_STR(c->keys[1].description, "second");
	CHECK_EQ_INT(c->keys[1].entry, 2);
	const config_key *k = config_find_key(c, "tok-a1", 6);
	CHECK(k && strcmp(k->description, "second") == 0 && strcmp(k->tenant_id, "shared") == 0);
	char tid[HASH_TENANT_ID_SIZE];
	hash_tenant_id("tok-b2", 6, tid);
	CHECK_EQ_STR(c->keys[0].tenant_id, tid);
	CHECK(c->keys[0].tenant_derived);
	CHECK(strncmp(c->keys[0].tenant_id, "tnt-", 4) == 0 && strlen(c->keys[0].tenant_id) == 20);
	CHECK_EQ_INT(c->n_warnings, 1);
	CHECK_EQ_INT(c->warnings[0].pos.line, 1);
	CHECK_EQ_STR(c->warnings[0].msg, "[[keys]] entry 0 ('first') has the same key as entry 2; the later entry wins");
	CHECK(!strstr(c->warnings[0].msg, "tok-a1"));
	config_free(c);
}

/* ---- interpolation ---------------------------------------------------------------- */

TEST(interpolation_rules)
{
	const char *env[] = { "A=1", "B=two", "X=x", "A:-b=weird", "EMPTY=", "NL=a\nb", NULL };
	CHECK_EQ_STR(interp("${A}", env), "1");
	CHECK_EQ_STR(interp("p${A}q${B}r", env), "p1qtwor");
	CHECK_EQ_STR(interp("${UNSET}|", env), "|");
	CHECK_EQ_STR(interp("${EMPTY}|", env), "|");
	CHECK_EQ_STR(interp("${A:-b}", env), "weird");          /* looked up literally */
	CHECK_EQ_STR(interp("${C:-b}", env), "");
	CHECK_EQ_STR(interp("$A ${A}", env), "$A 1");            /* no $NAME form */
	CHECK_EQ_STR(interp("$${X}", env), "$x");                /* no escape */
	CHECK_EQ_STR(interp("${A", env), "${A");                 /* unterminated */
	CHECK_EQ_STR(interp("x ${A} ${B", env), "x 1 ${B");
	CHECK_EQ_STR(interp("${}", env), "");
	CHECK_EQ_STR(interp("${A${B}}", env), "}");              /* name "A${B" unset, then "}" */
	CHECK_EQ_STR(interp("${A=1}", env), "");                 /* '=' in a name: unset */
	CHECK_EQ_STR(interp("$", env), "$");
	CHECK_EQ_STR(interp("${", env), "${");
	CHECK_EQ_STR(interp("}${A}{", env), "}1{");
	CHECK_EQ_STR(interp("${NL}", env), "a\nb");
	CHECK_EQ_STR(interp("no vars", NULL), "no vars");
	CHECK_EQ_STR(interp("${A}", NULL), "");
	/* everywhere in the raw text: keys, comments, numbers */
	const char *e2[] = { "PORT=8081", "K=server", "T=true", NULL };
	config *c = load_env("# ${PORT}\n[${K}]\nport = ${PORT}\n[general]\nenable_tracing = ${T}\n", e2);
	CHECK(c && c->server.port == 8081 && c->general.enable_tracing);
	config_free(c);
	/* a value containing a quote breaks the TOML (faithful) */
	const char *e3[] = { "Q=a\"b", NULL };
	CHECK(n_errors("x = 1\n") == 1);
	CHECK(strstr(first_text("[general]\nmaster_key = \"${Q}\"\n", e3), "(t.toml:2:15)") != NULL);
	/* cap */
	buf b = { 0 };
	CHECK_EQ_INT(config_interpolate("${A}${A}", 8, tenv, (void *)env, 1, &b), ERR_TOOBIG);
	buf_free(&b);
	CHECK_EQ_INT(config_interpolate("abc", 3, NULL, NULL, 2, &b), ERR_TOOBIG);
	buf_free(&b);
	CHECK_EQ_INT(config_interpolate("${A}${B}", 8, tenv, (void *)env, 4, &b), 2);
	CHECK_EQ_MEM(b.data, b.len, "1two", 4);
	buf_free(&b);
}

TEST(interpolation_positions)
{
	/* errors after a substitution on the same line point into the original */
	const char *shortv[] = { "H=h", NULL };
	const char *longv[] = { "H=a-much-longer-host-name.example.com", NULL };
	const char *text = "[server]\nhost = \"${H}\" port = 1\n";
	BAD_ENV(text, shortv, 2, 15, "expected end of line after value, found 'p'");
	BAD_ENV(text, longv, 2, 15, "expected end of line after value, found 'p'");
	/* a value with newlines shifts later lines of the interpolated text */
	const char *nl[] = { "C=# a\n# b\n# c", NULL };
	BAD_ENV("${C}\n[server]\nbogus = 1\n", nl, 3, 1,
		"unknown key 'bogus' in [server]; expected one of: host, port, request_timeout_secs, body_limit_bytes, cors_origins");
	/* an error inside a substituted value points at its "${" */
	const char *nv[] = { "N=12x", NULL };
	config_errors e = { 0 };
	config *c = NULL;
	const char *t2 = "[server]\n  port = ${N}\n";
	CHECK(config_load_text("t.toml", t2, strlen(t2), tenv, (void *)nv, &c, &e) < 0);
	CHECK(e.n >= 1 && e.v[0].line == 2 && e.v[0].col == 10);
	config_errors_free(&e);
	/* master key empty through an unset variable: position of the value */
	BAD("[general]\nmaster_key = \"${NOPE_NOT_SET}\"\n", 2, 14,
	    "general.master_key is present but empty (an unset ${VAR} expands to an empty string); give it a value or remove the key");
	/* every value of the tree maps back: config_pos_of */
	const char *hv[] = { "H=a-long-origin.example.com", NULL };
	config *k = load_env("[server]\ncors_origins = [\"${H}\", \"b\"]\n", hv);
	CHECK(k && k->srcmap != NULL);
	if (k) {
		const toml_value *co = toml_get(toml_get(k->root, "server"), "cors_origins");
		CHECK(co && co->u.arr.n == 2);
		config_pos q = config_pos_of(k, co->u.arr.items[1]->pos);
		CHECK(q.line == 2 && q.col == 25);
		CHECK(k->server.cors_origins.pos[1].line == 2 && k->server.cors_origins.pos[1].col == 25);
		CHECK(k->server.cors_origins.pos[0].col == 17);
	}
	config_free(k);
	k = load("[server]\nport = 1\n");
	CHECK(k && k->srcmap == NULL);
	if (k) {
		config_pos q = config_pos_of(k, toml_get(toml_get(k->root, "server"), "port")->pos);
		CHECK(q.line == 2 && q.col == 8);
	}
	config_free(k);
	/* srcmap unit */
	config_srcmap m = { 0 };
	buf b = { 0 };
	const char *env[] = { "A=12345", NULL };
	CHECK_EQ_INT(config_interp_map("ab${A}cd\nx${A}y\n", 16, tenv, (void *)env, 1000, &b, &m), 2);
	CHECK_EQ_MEM(b.data, b.len, "ab12345cd\nx12345y\n", 18);
	config_pos p = config_srcmap_pos(&m, 1, 8);   /* 'c' */
	CHECK(p.line == 1 && p.col == 7);
	p = config_srcmap_pos(&m, 1, 4);              /* inside the value */
	CHECK(p.line == 1 && p.col == 3);
	p = config_srcmap_pos(&m, 2, 8);              /* 'y' */
	CHECK(p.line == 2 && p.col == 7);
	p = config_srcmap_pos(&m, 2, 1);
	CHECK(p.line == 2 && p.col == 1);
	p = config_srcmap_pos(&m, 3, 1);              /* end of text */
	CHECK(p.line == 3 && p.col == 1);
	p = config_srcmap_pos(&m, 99, 99);            /* out of range: clamped, no crash */
	CHECK(p.line >= 1);
	config_srcmap_free(&m);
	buf_free(&b);
	p = config_srcmap_pos(NULL, 4, 2);
	CHECK(p.line == 4 && p.col == 2);
}

/* ---- load-time errors ------------------------------------------------------------------ */

TEST(err_syntax_and_unknown)
{
	BAD("a = \n", 1, 5, "expected a value, found end of line");
	BAD("[server]\nhost = \"x\"\nhost = \"y\"\n", 3, 1, "duplicate key 'host' (first defined at 2:1)");
	BAD("colour = 1\n", 1, 1,
	    "unknown key 'colour' at the top level; expected one of: server, general, models, aliases, keys, rate_limit, "
	    "budget, cache, files, health, cooldown, mcp, security, routing, guardrails");
	BAD("[general]\nmaster = \"x\"\n", 2, 1,
	    "unknown key 'master' in [general]; expected one of: master_key, default_timeout_secs, max_retries, "
	    "enable_cost_tracking, enable_tracing");
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\nmodel = \"x\"\n", 4, 1,
	    "unknown key 'model' in [[models]] entry 0; expected one of: name, provider_model, api_key, base_url, "
	    "timeout_secs, fallbacks, extra_headers");
	BAD("[[aliases]]\npattern = \"a/*\"\nkey = \"x\"\n", 3, 1,
	    "unknown key 'key' in [[aliases]] entry 0; expected one of: pattern, api_key, base_url");
	BAD("[[keys]]\nkey = \"tok-1\"\nrps = 1\n", 3, 1,
	    "unknown key 'rps' in [[keys]] entry 0; expected one of: key, description, models, rpm, tpm, budget_limit, "
	    "tenant_id, provider_credentials");
	BAD("[[keys]]\nkey = \"tok-1\"\n[[keys.provider_credentials]]\nprovider = \"openai\"\nid = \"a\"\napi_key = \"k\"\nx = 1\n",
	    7, 1,
	    "unknown key 'x' in [[keys.provider_credentials]] entry 0 of [[keys]] entry 0; expected one of: provider, id, "
	    "api_key, model_allowlist");
	BAD("[rate_limit]\nrpd = 1\n", 2, 1, "unknown key 'rpd' in [rate_limit]; expected one of: rpm, tpm");
	BAD("[budget]\nlimit = 1\n", 2, 1,
	    "unknown key 'limit' in [budget]; expected one of: global_limit, model_limits, enforcement");
	BAD("[cache]\nsize = 1\n", 2, 1,
	    "unknown key 'size' in [cache]; expected one of: max_entries, ttl_seconds, backend, backend_config");
	BAD("[files]\nroot = \"/x\"\n", 2, 1,
	    "unknown key 'root' in [files]; expected one of: backend, prefix, backend_config, mode");
	BAD("[health]\ninterval = 3\n", 2, 1, "unknown key 'interval' in [health]; expected one of: interval_secs, probe_model");
	BAD("[cooldown]\nduration_secs = 1\nsecs = 3\n", 3, 1, "unknown key 'secs' in [cooldown]; expected one of: duration_secs");
	BAD("[mcp]\nstdio_key = \"x\"\n", 2, 1,
	    "unknown key 'stdio_key' in [mcp]; expected one of: stdio_trust_local, stdio_key_id, http_auth, "
	    "max_message_bytes, session_idle_secs");
	BAD("[security]\npolicy = \"off\"\n", 2, 1,
	    "unknown key 'policy' in [security]; expected one of: outbound_policy, outbound_allowlist");
	BAD("[logging]\nlevel = \"debug\"\n", 1, 2,
	    "unknown key 'logging' at the top level; expected one of: server, general, models, aliases, keys, rate_limit, "
	    "budget, cache, files, health, cooldown, mcp, security, routing, guardrails");
	/* a weird key name is shown printable */
	BAD("[server]\n\"a\\tb\" = 1\n", 2, 1,
	    "unknown key 'a\\x09b' in [server]; expected one of: host, port, request_timeout_secs, body_limit_bytes, cors_origins");
	/* the full text shape */
	CHECK_EQ_STR(first_text("[server]\nbogus = 1\n", NULL),
		     "invalid TOML config: unknown key 'bogus' in [server]; expected one of: host, port, request_timeout_secs, "
		     "body_limit_bytes, cors_origins (t.toml:2:1)");
}

TEST(err_types_and_ranges)
{
	BAD("[server]\nport = \"4000\"\n", 2, 8, "invalid type for 'port' in [server]: expected u16, found string");
	BAD("[server]\nport = 65536\n", 2, 8, "invalid value for 'port' in [server]: 65536 is out of range for u16 (0..=65535)");
	BAD("[server]\nport = -1\n", 2, 8, "invalid value for 'port' in [server]: -1 is out of range for u16 (0..=65535)");
	BAD("[server]\nport = 4000.0\n", 2, 8, "invalid type for 'port' in [server]: expected u16, found float");
	BAD("[server]\nrequest_timeout_secs = -5\n", 2, 24,
	    "invalid value for 'request_timeout_secs' in [server]: -5 is out of range for u64 (0..=9223372036854775807)");
	BAD("[server]\nbody_limit_bytes = true\n", 2, 20, "invalid type for 'body_limit_bytes' in [server]: expected usize, found boolean");
	BAD("[server]\ncors_origins = \"*\"\n", 2, 16, "invalid type for 'cors_origins' in [server]: expected array of strings, found string");
	BAD("[server]\ncors_origins = [\"a\", 1]\n", 2, 22,
	    "invalid type for 'cors_origins' in [server]: expected array of strings, found integer at index 1");
	BAD("[general]\nmax_retries = 4294967296\n", 2, 15,
	    "invalid value for 'max_retries' in [general]: 4294967296 is out of range for u32 (0..=4294967295)");
	BAD("[general]\nenable_tracing = \"yes\"\n", 2, 18, "invalid type for 'enable_tracing' in [general]: expected boolean, found string");
	BAD("[general]\nmaster_key = 12345\n", 2, 14, "invalid type for 'master_key' in [general]: expected string, found integer");
	BAD("server = 1\n", 1, 10, "invalid type for 'server' at the top level: expected table, found integer");
	BAD("[models]\nname = \"a\"\n", 1, 1, "invalid type for 'models' at the top level: expected array of tables, found table");
	BAD("models = [1]\n", 1, 11, "invalid type for 'models' at the top level: expected array of tables, found integer at index 0");
	BAD("[[keys]]\nkey = \"tok-1\"\nrpm = 4294967296\n", 3, 7,
	    "invalid value for 'rpm' in [[keys]] entry 0: 4294967296 is out of range for u32 (0..=4294967295)");
	BAD("[[keys]]\nkey = \"tok-1\"\nbudget_limit = \"50\"\n", 3, 16,
	    "invalid type for 'budget_limit' in [[keys]] entry 0: expected f64, found string");
	BAD("[budget.model_limits]\n\"gpt-4o\" = \"50\"\n", 2, 12,
	    "invalid type for 'gpt-4o' in [budget.model_limits]: expected f64, found string");
	BAD("[budget]\nenforcement = \"strict\"\n", 2, 15,
	    "invalid value for 'enforcement' in [budget]: unknown variant \"strict\", expected \"hard\" or \"soft\"");
	BAD("[security]\noutbound_policy = \"deny\"\n", 2, 19,
	    "invalid value for 'outbound_policy' in [security]: unknown variant \"deny\", expected \"deny_private\", \"off\" or \"allowlist\"");
	BAD("[files]\nmode = \"remote\"\n", 2, 8,
	    "invalid value for 'mode' in [files]: unknown variant \"remote\", expected \"proxy\" or \"local\"");
	BAD("[mcp]\nhttp_auth = \"basic\"\n", 2, 13,
	    "invalid value for 'http_auth' in [mcp]: unknown variant \"basic\", expected \"none\" or \"bearer\"");
	BAD("[mcp]\nmax_message_bytes = 0\n", 2, 21, "invalid value for 'max_message_bytes' in [mcp]: must be greater than 0");
	BAD("[health]\ninterval_secs = 0\n", 2, 17,
	    "invalid value for 'interval_secs' in [health]: must be greater than 0 (remove the key to disable probing)");
	BAD("[files.backend_config]\nport = 1\n", 2, 8, "invalid type for 'port' in [files.backend_config]: expected string, found integer");
	BAD("[cache.backend_config]\nurl = []\n", 2, 7, "invalid type for 'url' in [cache.backend_config]: expected string, found array");
	BAD("[server]\nhost = 1979-05-27\n", 2, 8, "invalid type for 'host' in [server]: expected string, found local date");
	BAD("[server]\nhost = \"a\\u0000b\"\n", 2, 8, "invalid value for 'host' in [server]: the NUL character (\\u0000) is not allowed");
}

TEST(err_required_and_values)
{
	BAD("[[models]]\nprovider_model = \"openai/a\"\n", 1, 1, "missing required key 'name' in [[models]] entry 0");
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\n[[models]]\nname = \"b\"\n", 4, 1,
	    "missing required key 'provider_model' in [[models]] entry 1");
	BAD("[[aliases]]\napi_key = \"x\"\n", 1, 1, "missing required key 'pattern' in [[aliases]] entry 0");
	BAD("[[keys]]\ndescription = \"x\"\n", 1, 1, "missing required key 'key' in [[keys]] entry 0");
	BAD("[cooldown]\n", 1, 1, "missing required key 'duration_secs' in [cooldown]");
	BAD("[routing]\n", 1, 1, "missing required key 'strategy' in [routing]");
	BAD("[[keys]]\nkey = \"tok-1\"\n[[keys.provider_credentials]]\nprovider = \"openai\"\napi_key = \"k\"\n", 3, 1,
	    "missing required key 'id' in [[keys.provider_credentials]] entry 0 of [[keys]] entry 0");
	/* master key present but empty */
	BAD("[general]\nmaster_key = \"\"\n", 2, 14,
	    "general.master_key is present but empty (an unset ${VAR} expands to an empty string); give it a value or remove the key");
	/* empty virtual key: named by description, or <no description> */
	BAD("[[keys]]\ndescription = \"team-a\"\nkey = \"${TEAM_A_KEY}\"\n", 3, 7,
	    "virtual key 'team-a' has an empty key (an unset ${VAR} expands to an empty string)");
	BAD("[[keys]]\nkey = \"\"\n", 2, 7, "virtual key '<no description>' has an empty key (an unset ${VAR} expands to an empty string)");
	/* tenant ids */
	BAD("[[keys]]\nkey = \"tok-1\"\ndescription = \"d\"\ntenant_id = \"\"\n", 4, 13, "virtual key 'd': tenant_id must not be empty");
	BAD("[[keys]]\nkey = \"tok-1\"\ntenant_id = \"master\"\n", 3, 13,
	    "virtual key '<no description>': tenant_id \"master\" is reserved for the master key");
	/* extra_headers */
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\nextra_headers = { \"bad header\" = \"x\" }\n", 4, 19,
	    "invalid header name 'bad header' in extra_headers in [[models]] entry 0");
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\nextra_headers = { \"X-A\" = \"a\\r\\nX-B: b\" }\n", 4, 27,
	    "invalid value for header 'X-A' in extra_headers in [[models]] entry 0: CR and LF are not allowed");
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\n[models.extra_headers]\nContent-Length = \"5\"\n", 5, 1,
	    "header 'Content-Length' in extra_headers in [[models]] entry 0 cannot be set: it is managed by the HTTP client");
	BAD("[[models]]\nname = \"a\"\nprovider_model = \"openai/a\"\nextra_headers = { X = 1 }\n", 4, 23,
	    "invalid type for 'X' in [[models]] entry 0 extra_headers: expected string, found integer");
}

TEST(err_routing)
{
	BAD("[routing]\nstrategy = \"random\"\n", 2, 12,
	    "invalid value for 'strategy' in [routing]: unknown variant \"random\", expected \"round_robin\", \"fallback\", "
	    "\"latency_based\", \"cost_based\", \"weighted_random\" or \"semantic\"");
	BAD("[routing]\nstrategy = \"round_robin\"\nweights = [1.0]\n", 3, 1,
	    "unknown key(s) in [routing] for strategy \"round_robin\": weights. Accepted keys: strategy");
	BAD("[routing]\nstrategy = \"fallback\"\nweights = [1]\nfoo = 2\n", 3, 1,
	    "unknown key(s) in [routing] for strategy \"fallback\": weights, foo. Accepted keys: strategy");
	BAD("[routing]\nstrategy = \"weighted_random\"\nweights = [1]\n[routing.classifier]\nkind = \"keyword\"\n", 4, 10,
	    "unknown key(s) in [routing] for strategy \"weighted_random\": classifier. Accepted keys: strategy, weights");
	BAD("[routing]\nstrategy = \"semantic\"\nweights = [1]\n[routing.classifier]\nkind = \"keyword\"\n", 3, 1,
	    "unknown key(s) in [routing] for strategy \"semantic\": weights. Accepted keys: strategy, classifier");
	CHECK_EQ_STR(first_text("[routing]\nstrategy = \"latency_based\"\nweights = [1.0]\n", NULL),
		     "invalid TOML config: unknown key(s) in [routing] for strategy \"latency_based\": weights. Accepted keys: strategy");
	BAD("[routing]\nstrategy = \"weighted_random\"\n", 1, 1,
	    "missing required key 'weights' in [routing] for strategy \"weighted_random\"");
	BAD("[routing]\nstrategy = \"weighted_random\"\nweights = [1, \"x\"]\n", 3, 15,
	    "invalid type for 'weights' in [routing]: expected array of f64, found string at index 1");
	BAD("[routing]\nstrategy = \"semantic\"\n", 1, 1, "missing required key 'classifier' in [routing] for strategy \"semantic\"");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"llm\"\n", 4, 8,
	    "invalid value for 'kind' in [routing.classifier]: unknown variant \"llm\", expected \"keyword\" or \"embedding\"");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"keyword\"\nthreshold = 0.5\n", 5, 1,
	    "unknown key(s) in [routing.classifier] for kind \"keyword\": threshold. Accepted keys: kind, rules");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"embedding\"\nembedding_model = \"e\"\n"
	    "threshold = 0.5\nrules = []\n", 7, 1,
	    "unknown key(s) in [routing.classifier] for kind \"embedding\": rules. Accepted keys: kind, embedding_model, "
	    "api_key, base_url, threshold, prototypes");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"embedding\"\nembedding_model = \"e\"\n", 3, 1,
	    "missing required key 'threshold' in [routing.classifier]");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"keyword\"\n[[routing.classifier.rules]]\n"
	    "pattern = \"x\"\n", 5, 1, "missing required key 'model' in [[routing.classifier.rules]] entry 0");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"keyword\"\n[[routing.classifier.rules]]\n"
	    "pattern = \"x\"\nmodel = \"m\"\nweight = 1\n", 8, 1,
	    "unknown key 'weight' in [[routing.classifier.rules]] entry 0; expected one of: pattern, model");
	BAD("[routing]\nstrategy = \"semantic\"\n[routing.classifier]\nkind = \"embedding\"\nembedding_model = \"e\"\n"
	    "threshold = 1\n[[routing.classifier.prototypes]]\nname = \"n\"\nmodel = \"m\"\nembedding = [1, true]\n", 10, 17,
	    "invalid type for 'embedding' in [[routing.classifier.prototypes]] entry 0: expected array of f64, found boolean at index 1");
	/* no strategy: keys outside every strategy still reported */
	CHECK_EQ_INT(n_errors("[routing]\nfoo = 1\n"), 2);
}

TEST(err_guardrails)
{
	BAD("[[guardrails]]\ntype = \"llm_judge\"\nname = \"x\"\n", 2, 8,
	    "invalid value for 'type' in [[guardrails]] entry 0: unknown variant \"llm_judge\", expected \"regex\", \"cel\", "
	    "\"length_cap\" or \"prompt_injection\"");
	BAD("[[guardrails]]\nname = \"x\"\n", 1, 1, "missing required key 'type' in [[guardrails]] entry 0");
	BAD("[[guardrails]]\ntype = \"prompt_injection\"\nname = \"pi\"\nstages = [\"input\"]\n", 4, 1,
	    "unknown key(s) in [[guardrails]] entry 0 for type \"prompt_injection\": stages. Accepted keys: type, name");
	BAD("[[guardrails]]\ntype = \"length_cap\"\nname = \"l\"\nmax_chars = 5\n[[guardrails]]\ntype = \"length_cap\"\n"
	    "name = \"l2\"\nmax_chars = 5\nmax_tokens = 3\npattern = \"x\"\n", 9, 1,
	    "unknown key(s) in [[guardrails]] entry 1 for type \"length_cap\": max_tokens, pattern. Accepted keys: type, "
	    "name, max_chars, stages");
	BAD("[[guardrails]]\ntype = \"regex\"\nname = \"r\"\npattern = \"x\"\nfail_open = true\naction = { kind = \"block\" }\n", 5, 1,
	    "unknown key(s) in [[guardrails]] entry 0 for type \"regex\": fail_open. Accepted keys: type, name, pattern, stages, action");
	BAD("[[guardrails]]\ntype = \"cel\"\nname = \"c\"\nexpression = \"x\"\npattern = \"y\"\naction = { kind = \"block\" }\n", 5, 1,
	    "unknown key(s) in [[guardrails]] entry 0 for type \"cel\": pattern. Accepted keys: type, name, expression, "
	    "stages, action, fail_open");
	BAD("[[guardrails]]\ntype = \"regex\"\nname = \"r\"\npattern = \"x\"\naction = { kind = \"redact\", code = 1 }\n", 5, 29,
	    "unknown key(s) in [[guardrails]] entry 0 action for kind \"redact\": code. Accepted keys: kind, replacement");
	BAD("[[guardrails]]\ntype = \"cel\"\nname = \"c\"\nexpression = \"x\"\naction = { kind = \"block\", reason_prefix = \"p\" }\n",
	    5, 28, "unknown key(s) in [[guardrails]] entry 0 action for kind \"block\": reason_prefix. Accepted keys: kind, code, reason");
	BAD("[[guardrails]]\ntype = \"regex\"\nname = \"r\"\npattern = \"x\"\naction = { kind = \"mutate\" }\n", 5, 19,
	    "invalid value for 'kind' in [[guardrails]] entry 0 action: unknown variant \"mutate\", expected \"block\" or \"redact\"");
	BAD("[[guardrails]]\ntype = \"cel\"\nname = \"c\"\nexpression = \"x\"\naction = { kind = \"mutate\" }\n", 5, 10,
	    "missing required key 'new_payload' in [[guardrails]] entry 0 action");
	BAD("[[guardrails]]\ntype = \"regex\"\nname = \"r\"\npattern = \"x\"\n", 1, 1,
	    "missing required key 'action' in [[guardrails]] entry 0");
	BAD("[[guardrails]]\ntype = \"length_cap\"\nname = \"l\"\n", 1, 1, "missing required key 'max_chars' in [[guardrails]] entry 0");
	BAD("[[guardrails]]\ntype = \"length_cap\"\nmax_chars = 1\n", 1, 1, "missing required key 'name' in [[guardrails]] entry 0");
	BAD("[[guardrails]]\ntype = \"length_cap\"\nname = \"l\"\nmax_chars = 1\nstages = [\"inputs\"]\n", 5, 11,
	    "invalid value for 'stages' in [[guardrails]] entry 0: unknown stage \"inputs\", expected \"input\", \"output\" or \"output_chunk\"");
	/* the pre-pass message comes first even when a type error is earlier in the file */
	BAD("[server]\nport = \"x\"\n[[guardrails]]\ntype = \"prompt_injection\"\nname = \"p\"\nx = 1\n", 6, 1,
	    "unknown key(s) in [[guardrails]] entry 0 for type \"prompt_injection\": x. Accepted keys: type, name");
	/* empty stages: a warning */
	config *c = load("[[guardrails]]\ntype = \"length_cap\"\nname = \"l\"\nmax_chars = 1\nstages = []\n");
	CHECK(c && c->n_warnings == 1 && c->guardrails[0].stages == 0);
	config_free(c);
}

TEST(err_collect_all_and_no_secrets)
{
	const char *t = "[server]\nport = \"x\"\nbogus = 1\n[general]\nmax_retries = -1\n[[keys]]\nkey = \"sk-secret-token-1\"\n"
			"tenant_id = \"master\"\n[cooldown]\n";
	CHECK_EQ_INT(n_errors(t), 5);
	config_errors e = { 0 };
	config *c = NULL;
	CHECK(config_load_text("f.toml", t, strlen(t), NULL, NULL, &c, &e) == ERR_INVAL);
	for (size_t i = 0; i < e.n; i++) {
		CHECK(!strstr(e.v[i].msg, "sk-secret-token-1"));
		CHECK(!strstr(e.v[i].text, "sk-secret-token-1"));
		CHECK_EQ_STR(e.v[i].file, "f.toml");
		CHECK(e.v[i].line > 0);
	}
	config_errors_free(&e);
	/* wrong-typed secrets are not echoed */
	CHECK(!strstr(first_text("[general]\nmaster_key = [\"sk-hidden-1\"]\n", NULL), "sk-hidden"));
	CHECK(!strstr(first_text("[[keys]]\nkey = \"sk-hidden-2\"\ntenant_id = \"\"\n", NULL), "sk-hidden"));
	/* the cap on collected errors */
	buf b = { 0 };
	buf_puts(&b, "[server]\n");
	for (int i = 0; i < 300; i++)
		buf_printf(&b, "bogus%d = 1\n", i);
	CHECK_EQ_INT(n_errors(b.data), CONFIG_MAX_ERRORS);
	buf_free(&b);
	/* too large after interpolation */
	char *big = malloc(LIMIT_CONFIG_BYTES + 10);
	memset(big, '#', LIMIT_CONFIG_BYTES + 9);
	big[LIMIT_CONFIG_BYTES + 9] = '\0';
	CHECK(strstr(first_text(big, NULL), "larger than 4194304 bytes") != NULL);
	free(big);
}

/* ---- files, discovery, secrets ---------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(load_file_and_discover)
{
	char dir[] = "/tmp/test_config_XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char p[512], sub[512], found_dir[512];
	snprintf(p, sizeof p, "%s/%s", dir, CONFIG_FILE_NAME);
	write_file(p, "[server]\nport = 4321\n");
	config *c = NULL;
	config_errors e = { 0 };
	CHECK_EQ_INT(config_load_file(p, NULL, NULL, &c, &e), 0);
	CHECK(c && c->server.port == 4321);
	CHECK_EQ_STR(c ? c->file : NULL, p);
	config_free(c);
	/* unreadable */
	CHECK(config_load_file("/nonexistent/x.toml", NULL, NULL, &c, &e) < 0);
	CHECK(e.n == 1);
	CHECK_EQ_STR(e.v[0].text, "failed to read config file /nonexistent/x.toml: No such file or directory (os error 2)");
	config_errors_free(&e);
	CHECK(config_load_file(dir, NULL, NULL, &c, &e) < 0);
	CHECK(e.n == 1 && strstr(e.v[0].text, "Is a directory (os error 21)"));
	config_errors_free(&e);
	/* discovery from a nested subdirectory */
	snprintf(sub, sizeof sub, "%s/a", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	mkdir(sub, 0700);
	char *found = NULL;
	CHECK_EQ_INT(config_discover_from(sub, &found, &e), 1);
	CHECK_EQ_STR(found, p);
	free(found);
	/* the nearest wins; a directory with the name is skipped */
	snprintf(found_dir, sizeof found_dir, "%s/a/b/%s", dir, CONFIG_FILE_NAME);
	mkdir(found_dir, 0700);
	char p2[512];
	snprintf(p2, sizeof p2, "%s/a/%s", dir, CONFIG_FILE_NAME);
	write_file(p2, "");
	CHECK_EQ_INT(config_discover_from(sub, &found, &e), 1);
	CHECK_EQ_STR(found, p2);
	free(found);
	/* through the cwd */
	char old[512];
	CHECK(getcwd(old, sizeof old) != NULL);
	CHECK(chdir(sub) == 0);
	CHECK_EQ_INT(config_discover(&found, &e), 1);
	CHECK_EQ_STR(found, p2);
	free(found);
	CHECK(chdir(old) == 0);
	remove(p2);
	rmdir(found_dir);
	remove(p);
	/* nothing found (unless some ancestor of /tmp has one) */
	int rc = config_discover_from(sub, &found, &e);
	CHECK(rc == 0 || (rc == 1 && strncmp(found, dir, strlen(dir)) != 0));
	free(found);
	CHECK_EQ_INT(e.n, 0);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/a", dir);
	rmdir(sub);
	rmdir(dir);
}

TEST(secrets_registered_and_override)
{
	config *c = load_env(FULL, FULL_ENV);
	CHECK(c);
	if (!c)
		return;
	config_register_secrets(c);
	char out[256];
	log_redact("token vk-team-a-0001 key gsk-groq-abcdef", 39, out, sizeof out);
	CHECK(!strstr(out, "vk-team-a-0001") && !strstr(out, "gsk-groq-abcdef"));
	CHECK_EQ_INT(config_override_master_key(c, "override-key-999"), 0);
	CHECK_EQ_STR(c->general.master_key, "override-key-999");
	CHECK_EQ_INT(c->n_secrets, 10);
	CHECK_EQ_INT(config_override_master_key(c, ""), ERR_INVAL);
	log_clear_secrets();
	/* the summary names no secret */
	buf b = { 0 };
	CHECK_EQ_INT(config_summary(c, &b), 0);
	CHECK(strstr(b.data, "fast (pool of 2, weighted_random)") != NULL);
	CHECK(strstr(b.data, "team-a (tenant team-a") != NULL);
	CHECK(strstr(b.data, "master key: set") != NULL);
	for (size_t i = 0; i < c->n_secrets; i++)
		CHECK(!strstr(b.data, c->secrets[i]));
	buf_free(&b);
	config_free(c);
}

/* ---- start-up checks -------------------------------------------------------------------------- */

static char *check_text(const char *text, int (*fn)(const config *, config_errors *))
{
	static char out[1024];
	config *c = load(text);
	config_errors e = { 0 };
	out[0] = '\0';
	if (!c)
		return strcpy(out, "<load failed>");
	if (fn(c, &e) < 0 && e.n)
		snprintf(out, sizeof out, "%u:%u: %s", e.v[0].line, e.v[0].col, e.v[0].text);
	config_errors_free(&e);
	config_free(c);
	return out;
}

TEST(startup_checks)
{
	CHECK_EQ_STR(check_text("[security]\noutbound_policy = \"allowlist\"\n", config_check_security),
		     "2:19: security.outbound_policy = \"allowlist\" requires at least one entry in security.outbound_allowlist");
	CHECK_EQ_STR(check_text("[security]\noutbound_policy = \"allowlist\"\noutbound_allowlist = [\"https://api.openai.com\", \"not a url\"]\n",
				config_check_security),
		     "3:49: invalid URL in outbound_allowlist (\"not a url\"): relative URL without a base");
	CHECK_EQ_STR(check_text("[security]\noutbound_policy = \"allowlist\"\noutbound_allowlist = [\"https://api.openai.com/v1\"]\n",
				config_check_security), "");
	CHECK_EQ_STR(check_text("[security]\noutbound_policy = \"off\"\noutbound_allowlist = [\"bad\"]\n", config_check_security), "");
	CHECK_EQ_STR(check_text("[files]\nbackend = \"s3\"\n", config_check_files),
		     "2:11: failed to build storage operator for 's3': the s3 backend is not supported by this build (supported: memory, fs)");
	CHECK_EQ_STR(check_text("[files]\nbackend = \"gcs\"\n", config_check_files),
		     "2:11: failed to build storage operator for 'gcs': unknown storage scheme (supported: memory, fs)");
	CHECK_EQ_STR(check_text("[files]\nbackend = \"fs\"\n", config_check_files),
		     "2:11: failed to build storage operator for 'fs': root is not set (add root = \"/path\" under [files.backend_config])");
	CHECK_EQ_STR(check_text("[files]\nbackend = \"fs\"\nbackend_config = { root = \"/tmp\" }\n", config_check_files), "");
	CHECK_EQ_STR(check_text("[files]\n", config_check_files), "");
	const char *pool = "[[models]]\nname = \"p\"\nprovider_model = \"openai/a\"\n[[models]]\nname = \"p\"\nprovider_model = \"openai/b\"\n"
			   "[[models]]\nname = \"single\"\nprovider_model = \"openai/c\"\n";
	char t[1024];
	snprintf(t, sizeof t, "%s[routing]\nstrategy = \"weighted_random\"\nweights = [1.0, 2.0, 3.0]\n", pool);
	CHECK_EQ_STR(check_text(t, config_check_routing),
		     "12:11: failed to build router for deployment pool: model 'p' has 2 deployments but [routing] weights has 3 entries");
	snprintf(t, sizeof t, "%s[routing]\nstrategy = \"weighted_random\"\nweights = [1.0, 2.0]\n", pool);
	CHECK_EQ_STR(check_text(t, config_check_routing), "");
	CHECK_EQ_STR(check_text("[mcp]\nstdio_key_id = \"vk-missing\"\n[[keys]]\nkey = \"vk-present\"\n", config_check_stdio_key),
		     "2:16: mcp.stdio_key_id 'vk-missing' not found in the virtual key store; add it under [[keys]] in your config");
	CHECK_EQ_STR(check_text("[mcp]\nstdio_key_id = \"vk-present\"\n[[keys]]\nkey = \"vk-present\"\n", config_check_stdio_key), "");
	config_errors e = { 0 };
	CHECK_EQ_INT(config_check_mcp_listen("127.0.0.1", 3001, &e), 0);
	CHECK_EQ_INT(config_check_mcp_listen("::1", 3001, &e), 0);
	CHECK_EQ_INT(config_check_mcp_listen("[::1]", 3001, &e), 0);
	CHECK_EQ_INT(config_check_mcp_listen("0.0.0.0", 0, &e), 0);
	CHECK_EQ_INT(e.n, 0);
	CHECK_EQ_INT(config_check_mcp_listen("localhost", 3001, &e), ERR_INVAL);
	CHECK(e.n == 1);
	CHECK_EQ_STR(e.v[0].text, "invalid MCP listen address: invalid socket address syntax");
	config_errors_free(&e);
	config *c = load("[server]\ncors_origins = [\"https://a\", \"*\"]\n");
	CHECK(c && config_cors_wildcard(c));
	config_free(c);
	c = load("");
	CHECK(c && !config_cors_wildcard(c));
	config_free(c);
}

TEST(printable)
{
	char b[64];
	CHECK_EQ_STR(config_printable("ab\x01" "c", 4, 64, b, sizeof b), "ab\\x01c");
	CHECK_EQ_STR(config_printable("abcdef", 6, 3, b, sizeof b), "abc...");
	CHECK_EQ_STR(config_printable("a\xc3\xa9z", 4, 2, b, sizeof b), "a\xc3\xa9...");  /* no split UTF-8 */
	CHECK_EQ_STR(config_printable("abcdef", 6, 64, b, 4), "abc");
}

int main(void)
{
	RUN(defaults_empty);
	RUN(full_example);
	RUN(spec_snippets);
	RUN(keys_tenants_and_duplicates);
	RUN(interpolation_rules);
	RUN(interpolation_positions);
	RUN(err_syntax_and_unknown);
	RUN(err_types_and_ranges);
	RUN(err_required_and_values);
	RUN(err_routing);
	RUN(err_guardrails);
	RUN(err_collect_all_and_no_secrets);
	RUN(load_file_and_discover);
	RUN(secrets_registered_and_override);
	RUN(startup_checks);
	RUN(printable);
	return t_done();
}
