/* provider.c — registry lookup and the selection, credentials, base-URL,
 * auth and URL rules of providers.md over the generated tables
 * (registry_gen.c). Pure: the environment comes in through provider_env. */
#include "providers/provider_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

/* ---- registry ------------------------------------------------------------------- */

static const char *const ep_names[PROVIDER_EP__COUNT] = {
	"chat", "embedding", "audio", "image", "rerank", "search", "batch",
	"moderation", "completion", "ocr", "files",
};

const char *provider_endpoint_name(unsigned bit)
{
	for (unsigned i = 0; i < PROVIDER_EP__COUNT; i++)
		if (bit == (1u << i))
			return ep_names[i];
	return NULL;
}

size_t provider_count(void) { return PROVIDER_ROWS; }

const provider_row *provider_at(size_t i)
{
	return i < PROVIDER_ROWS ? &provider_rows[i] : NULL;
}

size_t provider_index(const provider_row *row)
{
	return (size_t)(row - provider_rows);
}

/* strcmp order between a slice and a C string */
static int cmp_name(str a, const char *b)
{
	size_t bn = strlen(b);
	int c = memcmp(a.p, b, a.n < bn ? a.n : bn);
	if (c)
		return c;
	return a.n < bn ? -1 : a.n > bn;
}

const provider_row *provider_find(str name)
{
	if (!name.p || !name.n)
		return NULL;
	size_t lo = 0, hi = PROVIDER_ROWS;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const provider_row *r = &provider_rows[provider_by_name[mid]];
		int c = cmp_name(name, r->name);
		if (!c)
			return r;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const provider_row *row_named(const char *name)
{
	return provider_find(str_from(name));
}

const provider_row provider_custom = {
	.name = "custom", .display_name = "Custom (base_url)",
	.base_url = "", .api_key_env = "", .base_url_env = "",
	.prefixes = NULL, .n_prefixes = 0, .param_maps = NULL, .n_param_maps = 0,
	.endpoints = 0,
	.reg_auth = PROVIDER_REG_AUTH_BEARER, .auth = PROVIDER_AUTH_BEARER,
	.stream_format = PROVIDER_STREAM_SSE,
	.klass = PROVIDER_OPENAI_COMPAT, .adapter = PROVIDER_ADAPTER_COMPAT, .complex = false,
};

bool provider_row_compat_usable(const provider_row *row)
{
	return row && !row->complex && row->base_url[0] != '\0';
}

/* ---- adapters ------------------------------------------------------------------------ */

static const provider_kv anthropic_headers[] = {
	{ "anthropic-version", "2023-06-01" },
};

static const provider_kv copilot_headers[] = {
	{ "copilot-integration-id", "vscode-chat" },
	{ "editor-version", "vscode/1.95.0" },
	{ "editor-plugin-version", "copilot-chat/0.26.7" },
	{ "user-agent", "GitHubCopilotChat/0.26.7" },
	{ "openai-intent", "conversation-panel" },
	{ "x-github-api-version", "2025-04-01" },
	{ "x-vscode-user-agent-library-version", "electron-fetch" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const provider_adapter_info adapters[PROVIDER_ADAPTER__COUNT] = {
	[PROVIDER_ADAPTER_NONE] = { "none", NULL, NULL, NULL, PROVIDER_AUTH_NONE, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_COMPAT] = { "compat", NULL, NULL, NULL, PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_OPENAI] = { "openai", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY",
		PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_ANTHROPIC] = { "anthropic", "anthropic", "https://api.anthropic.com/v1", "ANTHROPIC_API_KEY",
		PROVIDER_AUTH_X_API_KEY, PROVIDER_STREAM_SSE, anthropic_headers, N(anthropic_headers) },
	[PROVIDER_ADAPTER_AZURE] = { "azure", "azure", NULL, "AZURE_OPENAI_API_KEY",
		PROVIDER_AUTH_API_KEY, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_GEMINI] = { "gemini", "gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY",
		PROVIDER_AUTH_GOOG_API_KEY, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_VERTEX] = { "vertex_ai", "vertex_ai", NULL, NULL,
		PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_BEDROCK] = { "bedrock", "bedrock", NULL, NULL,
		PROVIDER_AUTH_SIGV4, PROVIDER_STREAM_AWS_EVENT_STREAM, NULL, 0 },
	[PROVIDER_ADAPTER_COHERE] = { "cohere", "cohere", "https://api.cohere.com/v2", "COHERE_API_KEY",
		PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_MISTRAL] = { "mistral", "mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY",
		PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, NULL, 0 },
	[PROVIDER_ADAPTER_COPILOT] = { "github_copilot", "github_copilot", "https://api.githubcopilot.com",
		"GITHUB_COPILOT_TOKEN", PROVIDER_AUTH_BEARER, PROVIDER_STREAM_SSE, copilot_headers, N(copilot_headers) },
};

const provider_adapter_info *provider_adapter_get(provider_adapter a)
{
	if ((unsigned)a >= PROVIDER_ADAPTER__COUNT)
		a = PROVIDER_ADAPTER_NONE;
	return &adapters[a];
}

/* ---- environment ---------------------------------------------------------------------- */

/* value of a variable, empty slice when unset or empty */
static str env_str(provider_env env, const char *name)
{
	if (!env.get || !name || !name[0])
		return STR_NULL;
	const char *v = env.get(env.ud, name);
	if (!v || !v[0])
		return STR_NULL;
	return str_from(v);
}

static bool env_set(provider_env env, const char *name)
{
	return env_str(env, name).n > 0;
}

static str trim_slash(str s)
{
	while (s.n && s.p[s.n - 1] == '/')
		s.n--;
	return s;
}

/* ---- model ids and selection ----------------------------------------------------------- */

bool provider_is_known_name(str name)
{
	return provider_find(name) != NULL || str_eq_cstr(name, "google_ai");
}

str provider_model_id(str pm)
{
	str head, tail;
	if (str_cut(pm, '/', &head, &tail) && provider_is_known_name(head))
		return tail;
	return pm;
}

static bool starts(str s, const char *prefix)
{
	return str_starts_with(s, str_from(prefix));
}

static bool starts_any(str s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (starts(s, *prefixes))
			return true;
	return false;
}

static const char *const openai_prefixes[] = {
	"gpt-", "o1-", "o3-", "o4-", "dall-e-", "whisper-", "tts-", "text-embedding-",
	"chatgpt-", "openai/", NULL
};
static const char *const mistral_prefixes[] = {
	"mistral-", "codestral-", "pixtral-", "mistral/", NULL
};

static void pick_native(provider_pick *out, provider_adapter a, int rule, str pm)
{
	out->adapter = a;
	out->row = row_named(adapters[a].row_name);
	out->model = provider_model_id(pm);
	out->rule = (uint8_t)rule;
}

static void pick_row(provider_pick *out, const provider_row *row, int rule, str pm)
{
	out->adapter = PROVIDER_ADAPTER_COMPAT;
	out->row = row;
	out->model = provider_model_id(pm);
	out->rule = (uint8_t)rule;
}

/* detection steps 2..12 of providers.md; false when nothing matched */
static bool detect(str m, provider_pick *out)
{
	if (starts_any(m, openai_prefixes) || str_eq_cstr(m, "o1") || str_eq_cstr(m, "o3") ||
	    str_eq_cstr(m, "o4")) {
		pick_native(out, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_OPENAI, m);
		return true;
	}
	if (starts(m, "claude-") || starts(m, "anthropic/")) {
		pick_native(out, PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_RULE_ANTHROPIC, m);
		return true;
	}
	if (starts(m, "azure/")) {
		pick_native(out, PROVIDER_ADAPTER_AZURE, PROVIDER_RULE_AZURE, m);
		return true;
	}
	if (starts(m, "gemini/") || starts(m, "google_ai/")) {
		pick_native(out, PROVIDER_ADAPTER_GEMINI, PROVIDER_RULE_GEMINI, m);
		return true;
	}
	if (starts(m, "vertex_ai/")) {
		pick_native(out, PROVIDER_ADAPTER_VERTEX, PROVIDER_RULE_VERTEX, m);
		return true;
	}
	if (starts(m, "bedrock/")) {
		pick_native(out, PROVIDER_ADAPTER_BEDROCK, PROVIDER_RULE_BEDROCK, m);
		return true;
	}
	if (starts(m, "command-") || starts(m, "cohere/")) {
		pick_native(out, PROVIDER_ADAPTER_COHERE, PROVIDER_RULE_COHERE, m);
		return true;
	}
	if (starts_any(m, mistral_prefixes)) {
		pick_native(out, PROVIDER_ADAPTER_MISTRAL, PROVIDER_RULE_MISTRAL, m);
		return true;
	}
	if (starts(m, "github_copilot/")) {
		pick_native(out, PROVIDER_ADAPTER_COPILOT, PROVIDER_RULE_COPILOT, m);
		return true;
	}
	/* 11: explicit registry prefix */
	str head, tail;
	if (str_cut(m, '/', &head, &tail)) {
		const provider_row *r = provider_find(head);
		if (r && provider_row_compat_usable(r)) {
			pick_row(out, r, PROVIDER_RULE_REGISTRY_NAME, m);
			return true;
		}
	}
	/* 12: first row (registry order) with a matching model prefix not ending in '/' */
	for (size_t i = 0; i < PROVIDER_ROWS; i++) {
		const provider_row *r = &provider_rows[i];
		if (!provider_row_compat_usable(r))
			continue;
		for (size_t k = 0; k < r->n_prefixes; k++) {
			const char *p = r->prefixes[k];
			size_t pn = strlen(p);
			if (pn && p[pn - 1] != '/' && str_starts_with(m, str_make(p, pn))) {
				pick_row(out, r, PROVIDER_RULE_REGISTRY_PREFIX, m);
				return true;
			}
		}
	}
	return false;
}

int provider_select(str pm, bool has_base_url, provider_pick *out)
{
	memset(out, 0, sizeof(*out));
	if (!pm.p)
		pm = STR_LIT("");
	if (has_base_url) {
		if (starts(pm, "azure/")) {
			pick_native(out, PROVIDER_ADAPTER_AZURE, PROVIDER_RULE_BASE_URL_AZURE, pm);
		} else if (starts(pm, "anthropic/")) {
			pick_native(out, PROVIDER_ADAPTER_ANTHROPIC, PROVIDER_RULE_BASE_URL_ANTHROPIC, pm);
		} else {
			pick_row(out, &provider_custom, PROVIDER_RULE_BASE_URL_CUSTOM, pm);
		}
		return 0;
	}
	if (starts(pm, "bedrock/")) {
		pick_native(out, PROVIDER_ADAPTER_BEDROCK, PROVIDER_RULE_BEDROCK, pm);
		return 0;
	}
	if (detect(pm, out))
		return 0;
	str head, tail;
	if (str_cut(pm, '/', &head, &tail)) {
		const provider_row *r = provider_find(head);
		if (r && r->klass == PROVIDER_NOT_ROUTABLE) {
			out->adapter = PROVIDER_ADAPTER_NONE;
			out->row = r;
			out->model = tail;
			out->rule = PROVIDER_RULE_UNSUPPORTED;
			return ERR_UNSUPPORTED;
		}
	}
	pick_native(out, PROVIDER_ADAPTER_OPENAI, PROVIDER_RULE_FALLBACK, pm);
	return 0;
}

/* ---- base URL overrides ---------------------------------------------------------------------- */

str provider_env_base_url(provider_adapter a, const provider_row *row, provider_env env,
			  const char **var)
{
	static const char *const azure_vars[] = { "AZURE_OPENAI_ENDPOINT", "AZURE_ENDPOINT", NULL };
	static const char *const copilot_vars[] = { "GITHUB_COPILOT_BASE_URL", "GITHUB_COPILOT_API_BASE", NULL };
	const char *one[2] = { NULL, NULL };
	const char *const *vars = one;

	if (!row && (unsigned)a < PROVIDER_ADAPTER__COUNT && adapters[a].row_name)
		row = row_named(adapters[a].row_name);
	if (a == PROVIDER_ADAPTER_AZURE)
		vars = azure_vars;
	else if (a == PROVIDER_ADAPTER_COPILOT)
		vars = copilot_vars;
	else if (row && row != &provider_custom && row->base_url_env[0])
		one[0] = row->base_url_env;
	if (var)
		*var = vars[0];
	for (size_t i = 0; vars[i]; i++) {
		str v = trim_slash(env_str(env, vars[i]));
		if (v.n) {
			if (var)
				*var = vars[i];
			return v;
		}
	}
	return STR_NULL;
}

/* ---- building a target ------------------------------------------------------------------------ */


/* append s to the target's base buffer */
static bool base_put(provider_target *t, str s)
{
	if (t->base_url_len + s.n >= PROVIDER_BASE_URL_MAX)
		return false;
	if (s.n)
		memcpy(t->base_url + t->base_url_len, s.p, s.n);
	t->base_url_len += s.n;
	t->base_url[t->base_url_len] = '\0';
	return true;
}

static void base_reset(provider_target *t, const char *from)
{
	t->base_url_len = 0;
	t->base_url[0] = '\0';
	t->base_url_from = from;
}

/* a whole base URL, trailing '/' trimmed */
static bool base_set(provider_target *t, str s, const char *from)
{
	base_reset(t, from);
	return base_put(t, trim_slash(s));
}

/* base URL of the picked adapter; 0, ERR_INVAL (reason in err), ERR_TOOBIG */
static int resolve_base(provider_target *t, str entry_base, provider_env env, const char *who,
			char *err, size_t errcap)
{
	const char *var = NULL;
	str v;
	bool ok = true;

	switch (t->adapter) {
	case PROVIDER_ADAPTER_COMPAT:
		if (t->row == &provider_custom) {
			ok = base_set(t, entry_base, "base_url");
			break;
		}
		v = provider_env_base_url(t->adapter, t->row, env, &var);
		ok = v.n ? base_set(t, v, var) : base_set(t, str_from(t->row->base_url), "registry");
		break;
	case PROVIDER_ADAPTER_AZURE:
		if (entry_base.n) {
			ok = base_set(t, entry_base, "base_url");
			break;
		}
		v = provider_env_base_url(t->adapter, t->row, env, &var);
		if (!v.n) {
			err_printf(err, errcap, "failed to build client for model '%s': bad request: Azure OpenAI "
			     "requires a base URL. Set AZURE_OPENAI_ENDPOINT=https://{resource}.openai.azure.com "
			     "(or AZURE_ENDPOINT as a fallback).", who);
			return ERR_INVAL;
		}
		ok = base_set(t, v, var);
		break;
	case PROVIDER_ADAPTER_VERTEX: {
		v = provider_env_base_url(t->adapter, t->row, env, &var);
		if (v.n) {
			ok = base_set(t, v, var);
			break;
		}
		str project = env_str(env, "VERTEXAI_PROJECT");
		str loc = env_str(env, "VERTEXAI_LOCATION");
		if (!project.n) {
			err_printf(err, errcap, "failed to build client for model '%s': bad request: Vertex AI "
			     "requires a project ID. Set VERTEXAI_PROJECT (and optionally VERTEXAI_LOCATION) "
			     "in the environment.", who);
			return ERR_INVAL;
		}
		if (!loc.n)
			loc = STR_LIT("us-central1");
		base_reset(t, "VERTEXAI_PROJECT");
		ok = base_put(t, STR_LIT("https://")) && base_put(t, loc) &&
		     base_put(t, STR_LIT("-aiplatform.googleapis.com/v1/projects/")) && base_put(t, project) &&
		     base_put(t, STR_LIT("/locations/")) && base_put(t, loc);
		break;
	}
	case PROVIDER_ADAPTER_BEDROCK: {
		str region = env_str(env, "AWS_DEFAULT_REGION");
		if (!region.n)
			region = env_str(env, "AWS_REGION");
		if (!region.n)
			region = STR_LIT("us-east-1");
		t->region = region;
		v = provider_env_base_url(t->adapter, t->row, env, &var);
		if (v.n) {
			ok = base_set(t, v, var);
			break;
		}
		t->cross_region = env_str(env, "BEDROCK_CROSS_REGION");
		const char *suffix = "amazonaws.com";
		if (starts(region, "eusc-"))
			suffix = "amazonaws.eu";
		else if (starts(region, "cn-"))
			suffix = "amazonaws.com.cn";
		base_reset(t, "registry");
		ok = base_put(t, STR_LIT("https://bedrock-runtime.")) &&
		     base_put(t, region) && base_put(t, STR_LIT(".")) && base_put(t, str_from(suffix));
		break;
	}
	default:
		if (t->adapter == PROVIDER_ADAPTER_ANTHROPIC && entry_base.n) {
			ok = base_set(t, entry_base, "base_url");
			break;
		}
		v = provider_env_base_url(t->adapter, t->row, env, &var);
		ok = v.n ? base_set(t, v, var)
			 : base_set(t, str_from(adapters[t->adapter].base_url), "registry");
		break;
	}
	if (!ok) {
		err_printf(err, errcap, "failed to build client for model '%s': base URL longer than %d bytes",
		     who, PROVIDER_BASE_URL_MAX - 1);
		return ERR_TOOBIG;
	}
	return 0;
}

static int no_key(const char *who, const char *var, char *err, size_t errcap)
{
	err_printf(err, errcap, "failed to build client for model '%s': authentication failed: no API key "
	     "provided and environment variable %s is not set", who, var);
	return ERR_NOTFOUND;
}

/* credentials of the picked adapter; 0 or ERR_NOTFOUND (message in err) */
static int resolve_creds(provider_target *t, str api_key, provider_env env, const char *who,
			 char *err, size_t errcap)
{
	const char *var = NULL;

	t->cred = PROVIDER_CRED_KEY;
	t->key_env = "";
	switch (t->adapter) {
	case PROVIDER_ADAPTER_BEDROCK:
		t->cred = PROVIDER_CRED_AWS;
		t->aws_access_key = env_str(env, "AWS_ACCESS_KEY_ID");
		t->aws_secret_key = env_str(env, "AWS_SECRET_ACCESS_KEY");
		t->aws_session_token = env_str(env, "AWS_SESSION_TOKEN");
		if (!t->aws_access_key.n || !t->aws_secret_key.n) {
			err_printf(err, errcap, "failed to build client for model '%s': authentication failed: AWS "
			     "Bedrock requires AWS credentials. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
			     "(and optionally AWS_SESSION_TOKEN) in the environment.", who);
			return ERR_NOTFOUND;
		}
		return 0;
	case PROVIDER_ADAPTER_VERTEX:
		if (api_key.n) {
			t->key = api_key;
			return 0;
		}
		t->key_env = "GOOGLE_APPLICATION_CREDENTIALS";
		t->adc_file = env_str(env, t->key_env);
		if (!t->adc_file.n)
			return no_key(who, t->key_env, err, errcap);
		t->cred = PROVIDER_CRED_GOOGLE_ADC;
		return 0;
	case PROVIDER_ADAPTER_COPILOT:
		t->cred = PROVIDER_CRED_GITHUB_TOKEN;
		var = adapters[t->adapter].key_env;
		t->token_url = trim_slash(env_str(env, "GITHUB_COPILOT_TOKEN_URL"));
		if (!t->token_url.n)
			t->token_url = STR_LIT(PROVIDER_COPILOT_TOKEN_URL);
		break;
	case PROVIDER_ADAPTER_COMPAT:
		if (t->row->auth == PROVIDER_AUTH_NONE) {
			t->cred = PROVIDER_CRED_NONE;
			t->key_env = t->row->api_key_env;
			return 0;
		}
		var = t->row->api_key_env[0] ? t->row->api_key_env : NULL;
		break;
	default:
		var = adapters[t->adapter].key_env;
		break;
	}
	if (var)
		t->key_env = var;
	if (api_key.n) {
		t->key = api_key;
		return 0;
	}
	if (!var)
		return 0; /* no env var: empty key (custom, keyless rows) */
	t->key = env_str(env, var);
	if (!t->key.n)
		return no_key(who, var, err, errcap);
	return 0;
}

int provider_build(const provider_entry *e, provider_env env, provider_target *out,
		   char *err, size_t errcap)
{
	char who[256];
	provider_pick pick;
	str pm = e->provider_model.p ? e->provider_model : STR_LIT("");
	str base = e->base_url.p ? e->base_url : STR_NULL;
	str key = e->api_key.p ? e->api_key : STR_NULL;
	int rc;

	if (err && errcap)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (e->name)
		snprintf(who, sizeof(who), "%s", e->name);
	else
		str_to_cbuf(pm, who, sizeof(who));

	rc = provider_select(pm, base.n > 0, &pick);
	if (rc) {
		err_printf(err, errcap, "failed to build client for model '%s': provider '%s' is not supported",
		     who, pick.row->name);
		out->row = pick.row;
		return rc;
	}
	out->adapter = pick.adapter;
	out->row = pick.row;
	out->model = pick.model;
	out->auth = pick.adapter == PROVIDER_ADAPTER_COMPAT ? (provider_auth)pick.row->auth
							     : adapters[pick.adapter].auth;
	if (pick.adapter == PROVIDER_ADAPTER_AZURE) {
		out->api_version = env_str(env, "AZURE_API_VERSION");
		if (!out->api_version.n)
			out->api_version = STR_LIT("2025-02-01-preview");
	}
	/* start-up order of upstream: adapter validation (base), then the key */
	rc = resolve_base(out, base, env, who, err, errcap);
	if (rc)
		return rc;
	return resolve_creds(out, key, env, who, err, errcap);
}

/* ---- zero-config -------------------------------------------------------------------------------- */

bool provider_env_configured(const provider_row *row, provider_env env)
{
	if (!row || row->klass == PROVIDER_NOT_ROUTABLE)
		return false;
	switch ((provider_adapter)row->adapter) {
	case PROVIDER_ADAPTER_AZURE:
		return env_set(env, "AZURE_OPENAI_API_KEY") &&
		       (env_set(env, "AZURE_OPENAI_ENDPOINT") || env_set(env, "AZURE_ENDPOINT"));
	case PROVIDER_ADAPTER_BEDROCK:
		return env_set(env, "AWS_ACCESS_KEY_ID") && env_set(env, "AWS_SECRET_ACCESS_KEY");
	case PROVIDER_ADAPTER_VERTEX:
		return (env_set(env, "VERTEXAI_PROJECT") || env_set(env, row->base_url_env)) &&
		       env_set(env, "GOOGLE_APPLICATION_CREDENTIALS");
	case PROVIDER_ADAPTER_COPILOT:
		return env_set(env, "GITHUB_COPILOT_TOKEN");
	default:
		return row->api_key_env[0] && env_set(env, row->api_key_env);
	}
}

size_t provider_zero_list(provider_env env, const provider_row **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < PROVIDER_ROWS; i++) {
		if (!provider_env_configured(&provider_rows[i], env))
			continue;
		if (n < cap && out)
			out[n] = &provider_rows[i];
		n++;
	}
	return n;
}

/* what to tell the user to set for a provider */
static const char *hint_vars(const provider_target *t)
{
	switch (t->adapter) {
	case PROVIDER_ADAPTER_AZURE: return "AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT";
	case PROVIDER_ADAPTER_BEDROCK: return "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
	case PROVIDER_ADAPTER_VERTEX: return "VERTEXAI_PROJECT and GOOGLE_APPLICATION_CREDENTIALS";
	case PROVIDER_ADAPTER_COPILOT: return "GITHUB_COPILOT_TOKEN";
	case PROVIDER_ADAPTER_COMPAT: return t->row->api_key_env;
	default: return adapters[t->adapter].key_env;
	}
}

int provider_zero_resolve(str model, provider_env env, provider_target *out,
			  provider_zero_why *why, char *err, size_t errcap)
{
	provider_zero_why w = PROVIDER_ZERO_OK;
	provider_pick pick;
	provider_target probe;
	provider_entry e;
	const char *need;
	str head, tail;
	int rc = 0;

	if (err && errcap)
		err[0] = '\0';
	memset(out, 0, sizeof(*out));
	if (!model.p)
		model = STR_LIT("");
	if (!str_cut(model, '/', &head, &tail) || !head.n) {
		w = PROVIDER_ZERO_BARE;
		err_printf(err, errcap, "model '" STR_FMT "' not found: no models are configured; name a "
		     "provider, e.g. 'openai/gpt-4o'", STR_ARG(model));
		rc = ERR_NOTFOUND;
		goto done;
	}
	if (!provider_is_known_name(head)) {
		w = PROVIDER_ZERO_UNKNOWN;
		err_printf(err, errcap, "model '" STR_FMT "' not found: unknown provider '" STR_FMT "'",
		     STR_ARG(model), STR_ARG(head));
		rc = ERR_NOTFOUND;
		goto done;
	}
	if (!tail.n) {
		w = PROVIDER_ZERO_BARE;
		err_printf(err, errcap, "model '" STR_FMT "' not found: no model id after '" STR_FMT "/'",
		     STR_ARG(model), STR_ARG(head));
		rc = ERR_NOTFOUND;
		goto done;
	}
	if (provider_select(model, false, &pick) != 0) {
		w = PROVIDER_ZERO_UNSUPPORTED;
		err_printf(err, errcap, "model '" STR_FMT "' not found: provider '" STR_FMT "' is not supported",
		     STR_ARG(model), STR_ARG(head));
		rc = ERR_NOTFOUND;
		goto done;
	}
	/* keyless rows (local auth = none servers) need nothing from the environment */
	memset(&probe, 0, sizeof(probe));
	probe.adapter = pick.adapter;
	probe.row = pick.row;
	need = hint_vars(&probe);
	if (need && need[0] && !provider_env_configured(pick.row, env)) {
		w = PROVIDER_ZERO_NO_KEY;
		err_printf(err, errcap, "model '" STR_FMT "' not found: set %s to use provider '" STR_FMT "'",
		     STR_ARG(model), need, STR_ARG(head));
		rc = ERR_NOTFOUND;
		goto done;
	}
	memset(&e, 0, sizeof(e));
	e.provider_model = model;
	rc = provider_build(&e, env, out, NULL, 0);
	if (rc) {
		/* configured means complete: only an over-long base URL remains */
		w = PROVIDER_ZERO_BAD;
		err_printf(err, errcap, "model '" STR_FMT "' not found: the base URL of provider '" STR_FMT
		     "' is longer than %d bytes", STR_ARG(model), STR_ARG(head), PROVIDER_BASE_URL_MAX - 1);
		rc = rc == ERR_TOOBIG ? ERR_TOOBIG : ERR_NOTFOUND;
	}
done:
	if (why)
		*why = w;
	return rc;
}

/* ---- auth --------------------------------------------------------------------------------------- */

bool provider_auth_render(provider_auth style, str credential, provider_header *out)
{
	memset(out, 0, sizeof(*out));
	if (!credential.p)
		credential = STR_LIT("");
	switch (style) {
	case PROVIDER_AUTH_BEARER: out->name = "Authorization"; out->prefix = "Bearer "; break;
	case PROVIDER_AUTH_X_API_KEY: out->name = "x-api-key"; out->prefix = ""; break;
	case PROVIDER_AUTH_API_KEY: out->name = "api-key"; out->prefix = ""; break;
	case PROVIDER_AUTH_GOOG_API_KEY: out->name = "x-goog-api-key"; out->prefix = ""; break;
	default: return false;
	}
	out->value = credential;
	return true;
}

/* ---- URLs --------------------------------------------------------------------------------------- */

static const char *const op_paths[PROVIDER_OP__COUNT] = {
	[PROVIDER_OP_CHAT] = "/chat/completions",
	[PROVIDER_OP_EMBEDDINGS] = "/embeddings",
	[PROVIDER_OP_MODELS] = "/models",
	[PROVIDER_OP_IMAGES] = "/images/generations",
	[PROVIDER_OP_SPEECH] = "/audio/speech",
	[PROVIDER_OP_TRANSCRIPTIONS] = "/audio/transcriptions",
	[PROVIDER_OP_MODERATIONS] = "/moderations",
	[PROVIDER_OP_RERANK] = "/rerank",
	[PROVIDER_OP_SEARCH] = "/search",
	[PROVIDER_OP_OCR] = "/ocr",
	[PROVIDER_OP_FILES] = "/files",
	[PROVIDER_OP_FILE] = "/files/{id}",
	[PROVIDER_OP_FILE_CONTENT] = "/files/{id}/content",
	[PROVIDER_OP_BATCHES] = "/batches",
	[PROVIDER_OP_BATCH] = "/batches/{id}",
	[PROVIDER_OP_BATCH_CANCEL] = "/batches/{id}/cancel",
	[PROVIDER_OP_RESPONSES] = "/responses",
	[PROVIDER_OP_RESPONSE] = "/responses/{id}",
	[PROVIDER_OP_RESPONSE_CANCEL] = "/responses/{id}/cancel",
};

const char *provider_op_path(provider_op op)
{
	return (unsigned)op < PROVIDER_OP__COUNT ? op_paths[op] : NULL;
}

bool provider_op_has_id(provider_op op)
{
	const char *p = provider_op_path(op);
	return p && strstr(p, "{id}") != NULL;
}

typedef struct wbuf {
	char *p;
	size_t cap, len;
	bool over;
} wbuf;

static void w_put(wbuf *w, str s)
{
	if (w->over || w->len + s.n >= w->cap) {
		w->over = true;
		return;
	}
	if (s.n)
		memcpy(w->p + w->len, s.p, s.n);
	w->len += s.n;
	w->p[w->len] = '\0';
}

static void w_cstr(wbuf *w, const char *s) { w_put(w, str_from(s)); }

/* RFC 3986 unreserved kept, every other byte %XX (upper case) */
static void w_enc(wbuf *w, str s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			w_put(w, str_make((const char *)&s.p[i], 1));
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			w_put(w, str_make(e, 3));
		}
	}
}

/* the OpenAI path of op with {id} substituted (encoded) */
static void w_path(wbuf *w, provider_op op, str id)
{
	str path = str_from(op_paths[op]);
	ptrdiff_t at = str_find(path, STR_LIT("{id}"));
	if (at < 0) {
		w_put(w, path);
		return;
	}
	w_put(w, str_slice(path, 0, (size_t)at));
	w_enc(w, id);
	w_put(w, str_slice(path, (size_t)at + 4, path.n));
}

int provider_url(const provider_target *t, provider_op op, bool stream, str id,
		 char *buf, size_t cap, size_t *len)
{
	wbuf w = { buf, cap, 0, false };
	str base = str_make(t->base_url, t->base_url_len);

	if (len)
		*len = 0;
	if (buf && cap)
		buf[0] = '\0';
	if ((unsigned)op >= PROVIDER_OP__COUNT)
		return ERR_INVAL;
	if (!id.p)
		id = STR_LIT("");
	if (provider_op_has_id(op) && !id.n)
		return ERR_INVAL;
	if (!buf || !cap)
		return ERR_TOOBIG;

	switch (t->adapter) {
	case PROVIDER_ADAPTER_ANTHROPIC:
		w_put(&w, base);
		if (op == PROVIDER_OP_CHAT)
			w_cstr(&w, "/messages");
		else
			w_path(&w, op, id);
		break;
	case PROVIDER_ADAPTER_COHERE:
		w_put(&w, base);
		if (op == PROVIDER_OP_CHAT)
			w_cstr(&w, "/chat");
		else if (op == PROVIDER_OP_EMBEDDINGS)
			w_cstr(&w, "/embed"); /* Cohere's route; it has no /embeddings */
		else
			w_path(&w, op, id);
		break;
	case PROVIDER_ADAPTER_GEMINI:
	case PROVIDER_ADAPTER_VERTEX:
		w_put(&w, base);
		if (op == PROVIDER_OP_CHAT || op == PROVIDER_OP_EMBEDDINGS) {
			w_cstr(&w, t->adapter == PROVIDER_ADAPTER_VERTEX ? "/publishers/google/models/" : "/models/");
			w_enc(&w, t->model);
			if (op == PROVIDER_OP_EMBEDDINGS && t->adapter == PROVIDER_ADAPTER_VERTEX)
				w_cstr(&w, ":predict");
			else if (op == PROVIDER_OP_EMBEDDINGS)
				w_cstr(&w, stream ? ":batchEmbedContents" : ":embedContent");
			else
				w_cstr(&w, stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
		} else {
			w_path(&w, op, id);
		}
		break;
	case PROVIDER_ADAPTER_BEDROCK:
		w_put(&w, base);
		if (op == PROVIDER_OP_CHAT || op == PROVIDER_OP_EMBEDDINGS) {
			w_cstr(&w, "/model/");
			if (t->cross_region.n) {
				/* "<p>." unless the id already starts with it */
				bool has = t->model.n > t->cross_region.n &&
					   !memcmp(t->model.p, t->cross_region.p, t->cross_region.n) &&
					   t->model.p[t->cross_region.n] == '.';
				if (!has) {
					w_enc(&w, t->cross_region);
					w_cstr(&w, ".");
				}
			}
			w_enc(&w, t->model);
			if (op == PROVIDER_OP_EMBEDDINGS)
				w_cstr(&w, "/invoke");
			else
				w_cstr(&w, stream ? "/converse-stream" : "/converse");
		} else {
			w_path(&w, op, id);
		}
		break;
	case PROVIDER_ADAPTER_AZURE:
		w_put(&w, base);
		if (str_find(base, STR_LIT("/openai/deployments/")) < 0) {
			w_cstr(&w, "/openai/deployments/");
			w_enc(&w, t->model);
		}
		w_path(&w, op, id);
		w_cstr(&w, "?api-version=");
		w_enc(&w, t->api_version);
		break;
	case PROVIDER_ADAPTER_NONE:
		return ERR_INVAL;
	default: /* OpenAI, COMPAT, custom, Mistral, Copilot */
		w_put(&w, base);
		w_path(&w, op, id);
		break;
	}
	if (w.over) {
		buf[0] = '\0';
		return ERR_TOOBIG;
	}
	if (len)
		*len = w.len;
	return 0;
}

const provider_param_map *provider_param_maps(const provider_target *t, size_t *n)
{
	if (t->adapter != PROVIDER_ADAPTER_COMPAT || !t->row || !t->row->n_param_maps) {
		*n = 0;
		return NULL;
	}
	*n = t->row->n_param_maps;
	return t->row->param_maps;
}

const char *provider_param_rename(const provider_target *t, str key)
{
	size_t n;
	const provider_param_map *m = provider_param_maps(t, &n);
	for (size_t i = 0; i < n; i++)
		if (str_eq_cstr(key, m[i].from))
			return m[i].to;
	return NULL;
}
