/* provider.h — the provider registry (the 165 rows of the shared spec's
 * providers.tsv, generated into registry_gen.c by tools/gen_providers.py) and
 * the table-driven rules of providers.md: which adapter serves a
 * `provider_model`, the model id sent upstream, credentials, the auth
 * header, the base URL (with <PROVIDER>_BASE_URL overrides) and the endpoint
 * URL of every operation; plus zero-config routing (issue 6).
 *
 * Pure: no I/O, no clock, no allocation, no mutable globals. The environment
 * comes in through a lookup callback (provider_env). Every string returned
 * is static (the const tables) or a slice of what the caller passed in —
 * including the strings the env callback returned, which must therefore
 * stay valid as long as the results are used (getenv() results are, as long
 * as nobody calls setenv; copies owned by the config are). */
#ifndef PROVIDERS_PROVIDER_H
#define PROVIDERS_PROVIDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/str.h"

/* ---- the registry ---------------------------------------------------------- */

/* How the gateway treats a row (providers.tsv `routing` column). */
typedef enum provider_class {
	PROVIDER_NOT_ROUTABLE = 0,  /* complex without adapter, or no base URL: 47 rows */
	PROVIDER_OPENAI_COMPAT,     /* config-driven: base URL + auth + param renames: 108 rows */
	PROVIDER_NATIVE,            /* served by a native adapter: 10 rows */
} provider_class;

/* The code path that talks to the upstream. */
typedef enum provider_adapter {
	PROVIDER_ADAPTER_NONE = 0,  /* not routable */
	PROVIDER_ADAPTER_COMPAT,    /* OpenAI-compatible, driven by a registry row (or `custom`) */
	PROVIDER_ADAPTER_OPENAI,    /* OpenAI (+ message.audio response tweak) */
	PROVIDER_ADAPTER_ANTHROPIC, /* Messages API */
	PROVIDER_ADAPTER_AZURE,     /* deployment URLs + api-version + api-key header */
	PROVIDER_ADAPTER_GEMINI,    /* Google AI Studio generateContent (gemini/, google_ai/) */
	PROVIDER_ADAPTER_VERTEX,    /* Vertex AI generateContent */
	PROVIDER_ADAPTER_BEDROCK,   /* Converse API + SigV4 */
	PROVIDER_ADAPTER_COHERE,    /* Cohere v2 /chat */
	PROVIDER_ADAPTER_MISTRAL,   /* OpenAI-compatible + param fixes */
	PROVIDER_ADAPTER_COPILOT,   /* GitHub Copilot: OpenAI-compatible + token exchange */
	PROVIDER_ADAPTER__COUNT
} provider_adapter;

/* The registry's own `auth` value (what liter-llm://providers shows). */
typedef enum provider_reg_auth {
	PROVIDER_REG_AUTH_UNSPECIFIED = 0, /* absent: Bearer by default */
	PROVIDER_REG_AUTH_BEARER,
	PROVIDER_REG_AUTH_NONE,
	PROVIDER_REG_AUTH_X_API_KEY,       /* api-key / header / x-api-key (no current row) */
} provider_reg_auth;

/* The auth header actually sent. */
typedef enum provider_auth {
	PROVIDER_AUTH_BEARER = 0,   /* Authorization: Bearer <key>  (empty key: "Bearer ") */
	PROVIDER_AUTH_NONE,         /* no auth header */
	PROVIDER_AUTH_X_API_KEY,    /* x-api-key: <key>  (Anthropic adapter; registry api-key rows) */
	PROVIDER_AUTH_API_KEY,      /* api-key: <key>  (Azure) */
	PROVIDER_AUTH_GOOG_API_KEY, /* x-goog-api-key: <key>  (Google AI Studio native) */
	PROVIDER_AUTH_SIGV4,        /* AWS Signature V4 (Bedrock): no static header */
} provider_auth;

typedef enum provider_stream {
	PROVIDER_STREAM_SSE = 0,
	PROVIDER_STREAM_AWS_EVENT_STREAM,
} provider_stream;

/* Declared endpoint families (informational: never used to refuse a call). */
enum {
	PROVIDER_EP_CHAT       = 1u << 0,
	PROVIDER_EP_EMBEDDING  = 1u << 1,
	PROVIDER_EP_AUDIO      = 1u << 2,
	PROVIDER_EP_IMAGE      = 1u << 3,
	PROVIDER_EP_RERANK     = 1u << 4,
	PROVIDER_EP_SEARCH     = 1u << 5,
	PROVIDER_EP_BATCH      = 1u << 6,
	PROVIDER_EP_MODERATION = 1u << 7,
	PROVIDER_EP_COMPLETION = 1u << 8,
	PROVIDER_EP_OCR        = 1u << 9,
	PROVIDER_EP_FILES      = 1u << 10,
	PROVIDER_EP__COUNT     = 11
};
/* Name of one family bit ("chat", "embedding", ...); NULL for anything else.
 * The registry writes a row's families in alphabetical order of these names. */
const char *provider_endpoint_name(unsigned bit);

/* A parameter rename applied to OpenAI-compatible request bodies (top-level
 * key `from` moved to `to`, overwriting). All 23 in the registry are
 * max_completion_tokens -> max_tokens. Native adapters ignore these. */
typedef struct provider_param_map {
	const char *from;
	const char *to;
} provider_param_map;

typedef struct provider_row {
	const char *name;           /* "groq" */
	const char *display_name;   /* "Groq AI" */
	const char *base_url;       /* as the registry writes it; "" = none */
	const char *api_key_env;    /* "GROQ_API_KEY"; "" = none (registry column) */
	const char *base_url_env;   /* "GROQ_BASE_URL": name upper-cased, non [A-Z0-9] -> '_' */
	const char *const *prefixes;/* model_prefixes, n_prefixes of them */
	const provider_param_map *param_maps; /* n_param_maps of them */
	uint16_t endpoints;         /* PROVIDER_EP_* bits */
	uint8_t n_prefixes;
	uint8_t n_param_maps;
	uint8_t reg_auth;           /* provider_reg_auth */
	uint8_t auth;               /* provider_auth when routed as OpenAI-compatible */
	uint8_t stream_format;      /* provider_stream */
	uint8_t klass;              /* provider_class */
	uint8_t adapter;            /* provider_adapter: the native adapter of a NATIVE row,
	                             * COMPAT for OPENAI_COMPAT rows, NONE otherwise */
	bool complex;               /* upstream's "complex" list */
} provider_row;

/* Rows in registry order (the order of providers.tsv; detection walks it). */
size_t provider_count(void);
const provider_row *provider_at(size_t i);      /* NULL when i >= count */
/* Exact (case-sensitive) name lookup, O(log n); NULL when unknown. */
const provider_row *provider_find(str name);
/* Index of a row in registry order (row must come from this table). */
size_t provider_index(const provider_row *row);

/* The generic OpenAI-compatible provider `custom` of entries with a base_url
 * (Bearer auth, no env var, no base of its own). Not a registry row: the
 * registry's own `custom` row is not routable. */
extern const provider_row provider_custom;

/* True when a registry row can be served through the OpenAI-compatible code
 * path (has a base URL and is not complex): every OPENAI_COMPAT row plus the
 * native rows openai, cohere, cohere_chat, gemini, mistral, which the
 * detection rules 11/12 use for bare names (e.g. `gemini-2.0-flash`,
 * `embed-english-v3.0`, `text-davinci-003`). */
bool provider_row_compat_usable(const provider_row *row);

/* ---- adapters ---------------------------------------------------------------- */

typedef struct provider_kv {
	const char *name;
	const char *value;
} provider_kv;

/* Static facts about a native adapter (and COMPAT, whose fields come from
 * its row instead: NULLs here). */
typedef struct provider_adapter_info {
	const char *name;        /* "openai", "anthropic", "azure", "gemini", "vertex_ai", "bedrock",
	                          * "cohere", "mistral", "github_copilot"; "compat"; "none" */
	const char *row_name;    /* registry row naming the provider */
	const char *base_url;    /* default base; NULL when composed from env (azure, vertex, bedrock) */
	const char *key_env;     /* env var of the credential; NULL when none */
	provider_auth auth;
	provider_stream stream_format;
	const provider_kv *headers; /* static request headers (anthropic-version, Copilot editor headers) */
	size_t n_headers;
} provider_adapter_info;

const provider_adapter_info *provider_adapter_get(provider_adapter a); /* never NULL */

/* ---- the environment -------------------------------------------------------------- */

/* Returns the variable's value or NULL when unset. An empty value is treated
 * as unset everywhere in this module. */
typedef const char *(*provider_env_fn)(void *ud, const char *name);
typedef struct provider_env {
	provider_env_fn get;     /* NULL: empty environment */
	void *ud;
} provider_env;

/* ---- model ids ---------------------------------------------------------------------- */

/* True when `name` is a known provider name: any registry name, or
 * `google_ai` (the adapters' names are all registry names too). */
bool provider_is_known_name(str name);

/* The model id sent upstream, by the project's required rule (providers.md
 * "Model id sent upstream"): if `provider_model` contains '/' and the part
 * before the first '/' is a known provider name, the remainder; otherwise
 * the whole string. A slice of provider_model. */
str provider_model_id(str provider_model);

/* ---- provider selection (providers.md "Provider selection") --------------------------- */

typedef struct provider_pick {
	provider_adapter adapter;   /* NONE only with ERR_UNSUPPORTED */
	const provider_row *row;    /* the row naming the provider: the registry row for compat
	                             * and native (openai row for the OpenAI adapter, gemini row for
	                             * gemini/ and google_ai/, cohere row for cohere/ and command-),
	                             * &provider_custom for base_url entries; with ERR_UNSUPPORTED
	                             * the not-routable row */
	str model;                  /* upstream model id (provider_model_id) */
	uint8_t rule;               /* which rule decided (PROVIDER_RULE_*), for logs and tests */
} provider_pick;

enum {
	PROVIDER_RULE_BASE_URL_AZURE = 1,  /* base_url + azure/ */
	PROVIDER_RULE_BASE_URL_ANTHROPIC,  /* base_url + anthropic/ */
	PROVIDER_RULE_BASE_URL_CUSTOM,     /* base_url, anything else */
	PROVIDER_RULE_OPENAI,              /* detection 2 (also bedrock/ pre-check is RULE_BEDROCK) */
	PROVIDER_RULE_ANTHROPIC,           /* 3 */
	PROVIDER_RULE_AZURE,               /* 4 */
	PROVIDER_RULE_GEMINI,              /* 5 */
	PROVIDER_RULE_VERTEX,              /* 6 */
	PROVIDER_RULE_BEDROCK,             /* 7 (and the bedrock/ check before detection) */
	PROVIDER_RULE_COHERE,              /* 8 */
	PROVIDER_RULE_MISTRAL,             /* 9 */
	PROVIDER_RULE_COPILOT,             /* 10 */
	PROVIDER_RULE_REGISTRY_NAME,       /* 11: explicit `<row>/` prefix */
	PROVIDER_RULE_REGISTRY_PREFIX,     /* 12: a row's model prefix */
	PROVIDER_RULE_FALLBACK,            /* no match: OpenAI adapter */
	PROVIDER_RULE_UNSUPPORTED,         /* `<p>/...` names a not-routable row */
};

/* Pick the adapter for a [[models]] entry at start-up. has_base_url: the
 * entry sets a non-empty base_url. Returns 0, or ERR_UNSUPPORTED when no
 * routable provider matched and the part before the first '/' names a
 * not-routable registry row (documented deviation: upstream silently falls
 * back to OpenAI); then out->row is that row. */
int provider_select(str provider_model, bool has_base_url, provider_pick *out);

/* ---- building an upstream target (start-up, or per request in zero-config) ---------------- */

/* What the credential in provider_target.key is. */
typedef enum provider_cred {
	PROVIDER_CRED_KEY = 0,      /* an API key / bearer token to send as-is (may be empty:
	                             * providers without env var start with an empty key) */
	PROVIDER_CRED_NONE,         /* auth none: nothing is sent */
	PROVIDER_CRED_GOOGLE_ADC,   /* Vertex without api_key: mint a token from the service-account
	                             * file named by `adc_file` (GOOGLE_APPLICATION_CREDENTIALS) */
	PROVIDER_CRED_AWS,          /* Bedrock: SigV4 with aws_access_key / aws_secret_key / aws_session_token */
	PROVIDER_CRED_GITHUB_TOKEN, /* Copilot: `key` is a GitHub token to exchange for a Copilot token */
} provider_cred;

#define PROVIDER_BASE_URL_MAX 1024 /* bytes of an effective base URL, NUL included */

typedef struct provider_target {
	provider_adapter adapter;
	const provider_row *row;    /* as in provider_pick */
	str model;                  /* upstream model id (slice of provider_model) */
	char base_url[PROVIDER_BASE_URL_MAX]; /* effective base, no trailing '/', NUL-terminated;
	                             * a copy, so the struct may be copied freely */
	size_t base_url_len;
	const char *base_url_from;  /* where it came from: "base_url", the env var name, "VERTEXAI_PROJECT"
	                             * (Vertex base composed from env), or "registry" (table default,
	                             * Bedrock composed from the region) */
	provider_auth auth;         /* header style actually used */
	provider_cred cred;
	str key;                    /* credential (entry api_key or env value); may be empty */
	const char *key_env;        /* env var the key came (or would come) from; "" none */
	/* adapter specifics (empty when not applicable) */
	str api_version;            /* Azure: AZURE_API_VERSION or 2025-02-01-preview */
	str region;                 /* Bedrock: AWS_DEFAULT_REGION | AWS_REGION | us-east-1 */
	str cross_region;           /* Bedrock: BEDROCK_CROSS_REGION (ignored with BEDROCK_BASE_URL) */
	str aws_access_key, aws_secret_key, aws_session_token; /* Bedrock credentials (secrets!) */
	str adc_file;               /* Vertex: GOOGLE_APPLICATION_CREDENTIALS when no api_key */
	str token_url;              /* Copilot: where the GitHub token is exchanged for a Copilot
	                             * token: GITHUB_COPILOT_TOKEN_URL, else PROVIDER_COPILOT_TOKEN_URL */
} provider_target;

/* GitHub's Copilot token exchange (GET, "Authorization: token <GitHub token>"
 * -> {"token","expires_at",...}); GITHUB_COPILOT_TOKEN_URL overrides it. */
#define PROVIDER_COPILOT_TOKEN_URL "https://api.github.com/copilot_internal/v2/token"

typedef struct provider_entry {
	const char *name;           /* [[models]].name, for messages; NULL -> provider_model */
	str provider_model;
	str api_key;                /* empty = absent */
	str base_url;               /* empty = absent */
} provider_entry;

/* Build the upstream target of one [[models]] entry (or [[aliases]] match):
 * select the adapter, resolve the base URL and the credentials, exactly as
 * providers.md says. Returns 0, or a negative err_t with the full start-up
 * message in err (NUL-terminated, truncated to errcap):
 *   ERR_UNSUPPORTED  failed to build client for model '<name>': provider '<p>' is not supported
 *   ERR_NOTFOUND     failed to build client for model '<name>': authentication failed: no API key
 *                    provided and environment variable <VAR> is not set
 *   ERR_INVAL        ... bad request: Azure OpenAI requires a base URL. Set AZURE_OPENAI_ENDPOINT=...
 *   ERR_INVAL        ... bad request: Vertex AI requires a project ID. Set VERTEXAI_PROJECT ...
 *   ERR_NOTFOUND     ... authentication failed: AWS Bedrock requires AWS credentials. Set ...
 *   ERR_TOOBIG       ... base URL longer than PROVIDER_BASE_URL_MAX - 1 bytes
 * Base URL, in order: the entry's base_url (custom, azure/, anthropic/);
 * the adapter's own env vars (AZURE_OPENAI_ENDPOINT, AZURE_ENDPOINT,
 * GITHUB_COPILOT_API_BASE); the row's <NAME>_BASE_URL (provider_env_base_url);
 * the registry / adapter default (Vertex and Bedrock composed from their env
 * vars). A trailing '/' is trimmed from every base. */
int provider_build(const provider_entry *e, provider_env env, provider_target *out,
		   char *err, size_t errcap);

/* The <PROVIDER>_BASE_URL-style override for a provider served by adapter a
 * with row `row` (row may be NULL for a native adapter: its row is used).
 * Returns the value (trailing '/' trimmed) or an empty slice; *var (if not
 * NULL) gets the variable that supplied it, or the primary one consulted
 * when none is set. Variables, first set wins:
 *   azure           AZURE_OPENAI_ENDPOINT, AZURE_ENDPOINT (their existing meaning)
 *   github_copilot  GITHUB_COPILOT_BASE_URL, GITHUB_COPILOT_API_BASE
 *   everything else row->base_url_env (OPENAI_BASE_URL, ANTHROPIC_BASE_URL,
 *                   GEMINI_BASE_URL (also for google_ai/), VERTEX_AI_BASE_URL,
 *                   BEDROCK_BASE_URL, GROQ_BASE_URL, OPENCODE_GO_BASE_URL, ...)
 * The value replaces the base in the shape the adapter uses (providers.tsv's
 * for registry rows; providers.md's for native adapters, e.g. GEMINI_BASE_URL
 * = https://generativelanguage.googleapis.com/v1beta). `custom` has none. */
str provider_env_base_url(provider_adapter a, const provider_row *row, provider_env env,
			  const char **var);

/* ---- zero-config (no [[models]]): `provider/model` routed from the environment ---------- */

/* True when the environment holds what the provider needs to be usable
 * without an api_key: its key env var (OPENAI_API_KEY, GROQ_API_KEY, ...);
 * azure: AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT|AZURE_ENDPOINT;
 * bedrock: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; vertex_ai:
 * VERTEXAI_PROJECT and GOOGLE_APPLICATION_CREDENTIALS; github_copilot:
 * GITHUB_COPILOT_TOKEN. Rows without a key env var (local `auth = none`
 * servers) and not-routable rows: false. */
bool provider_env_configured(const provider_row *row, provider_env env);

/* The configured providers (provider_env_configured) in registry order,
 * native adapters included. Writes up to cap rows into out (out may be NULL
 * when cap is 0) and returns how many there are in total. */
size_t provider_zero_list(provider_env env, const provider_row **out, size_t cap);

/* Why provider_zero_resolve failed. */
typedef enum provider_zero_why {
	PROVIDER_ZERO_OK = 0,
	PROVIDER_ZERO_BARE,         /* no '/' or nothing after it: not a provider/model name */
	PROVIDER_ZERO_UNKNOWN,      /* the prefix names no provider */
	PROVIDER_ZERO_UNSUPPORTED,  /* the prefix names a not-routable row */
	PROVIDER_ZERO_NO_KEY,       /* the provider's credentials are not in the environment */
	PROVIDER_ZERO_BAD,          /* another build error (e.g. base URL too long) */
} provider_zero_why;

/* Resolve a client's `provider/model` in zero-config mode. The prefix must
 * name a provider (registry name or google_ai); the same selection and
 * credentials rules as provider_build apply, with the key from the
 * environment only. Keyless local rows (ollama, vllm, ... auth none) resolve
 * with an empty key. On failure returns ERR_NOTFOUND (ERR_TOOBIG for an
 * over-long base) and writes the 404 message to err, starting with
 * `model '<m>' not found` and followed by a hint, e.g.
 *   model 'openai/gpt-4o' not found: set OPENAI_API_KEY to use provider 'openai'
 *   model 'gpt-4o' not found: no models are configured; name a provider, e.g. 'openai/gpt-4o'
 *   model 'foo/bar' not found: unknown provider 'foo'
 *   model 'databricks/x' not found: provider 'databricks' is not supported
 * why (may be NULL) gets the reason. */
int provider_zero_resolve(str model, provider_env env, provider_target *out,
			  provider_zero_why *why, char *err, size_t errcap);

/* ---- auth header ---------------------------------------------------------------------- */

typedef struct provider_header {
	const char *name;           /* "Authorization", "x-api-key", "api-key", "x-goog-api-key" */
	const char *prefix;         /* "Bearer " or "" */
	str value;                  /* the credential: header value = prefix + value */
} provider_header;

/* Render an auth style with a credential. Returns false (and clears *out)
 * for PROVIDER_AUTH_NONE and PROVIDER_AUTH_SIGV4, which send no static
 * header. For a target: provider_auth_render(t->auth, t->key, &h) when
 * t->cred is PROVIDER_CRED_KEY; with GOOGLE_ADC / GITHUB_TOKEN pass the
 * minted/exchanged token instead (both are Bearer). */
bool provider_auth_render(provider_auth style, str credential, provider_header *out);

/* ---- endpoint URLs ---------------------------------------------------------------------- */

typedef enum provider_op {
	PROVIDER_OP_CHAT = 0,        /* /chat/completions */
	PROVIDER_OP_EMBEDDINGS,      /* /embeddings */
	PROVIDER_OP_MODELS,          /* /models (GET) */
	PROVIDER_OP_IMAGES,          /* /images/generations */
	PROVIDER_OP_SPEECH,          /* /audio/speech */
	PROVIDER_OP_TRANSCRIPTIONS,  /* /audio/transcriptions */
	PROVIDER_OP_MODERATIONS,     /* /moderations */
	PROVIDER_OP_RERANK,          /* /rerank */
	PROVIDER_OP_SEARCH,          /* /search */
	PROVIDER_OP_OCR,             /* /ocr */
	PROVIDER_OP_FILES,           /* /files */
	PROVIDER_OP_FILE,            /* /files/{id} */
	PROVIDER_OP_FILE_CONTENT,    /* /files/{id}/content */
	PROVIDER_OP_BATCHES,         /* /batches */
	PROVIDER_OP_BATCH,           /* /batches/{id} */
	PROVIDER_OP_BATCH_CANCEL,    /* /batches/{id}/cancel */
	PROVIDER_OP_RESPONSES,       /* /responses */
	PROVIDER_OP_RESPONSE,        /* /responses/{id} */
	PROVIDER_OP_RESPONSE_CANCEL, /* /responses/{id}/cancel */
	PROVIDER_OP__COUNT
} provider_op;

/* The OpenAI path template of an operation ("/files/{id}"); NULL if out of range. */
const char *provider_op_path(provider_op op);
/* True for the operations whose path has an {id}. */
bool provider_op_has_id(provider_op op);

/* Write the upstream URL of operation op for target t into buf (cap bytes,
 * NUL-terminated); *len (if not NULL) gets its length. `stream` selects the
 * streaming chat URL where it differs (Gemini/Vertex
 * `:streamGenerateContent?alt=sse`, Bedrock `/converse-stream`), and for
 * other operations the alternate URL where one exists (Gemini embeddings of
 * several inputs: `:batchEmbedContents`; xlate_req_info.batch_url). `id` is
 * the {id} of FILE.../BATCH.../RESPONSE...; it is percent-encoded (RFC 3986
 * unreserved kept), as is the model id wherever it goes into a path
 * (Gemini, Vertex, Azure deployment, Bedrock — Bedrock's documented
 * encoding, e.g. `anthropic.claude-3-haiku-20240307-v1%3A0`).
 *   OpenAI / COMPAT / custom / Mistral / Copilot: {base}{path}
 *   Anthropic: chat {base}/messages; others {base}{path}
 *   Cohere:    chat {base}/chat, embeddings {base}/embed, rerank {base}/rerank; others {base}{path}
 *   Gemini:    chat {base}/models/{model}:generateContent (stream
 *              :streamGenerateContent?alt=sse), embeddings :embedContent (alternate
 *              :batchEmbedContents); others {base}{path}
 *   Vertex:    {base}/publishers/google/models/{model}:generateContent (stream as Gemini),
 *              embeddings ...:predict; others {base}{path}
 *   Bedrock:   chat {base}/model/{id}/converse (stream /converse-stream), embeddings
 *              /model/{id}/invoke, id with BEDROCK_CROSS_REGION's "<p>." prefix unless
 *              already there; others {base}{path}
 *   Azure:     {base}/openai/deployments/{model}{path}?api-version={v}, or
 *              {base}{path}?api-version={v} when base contains /openai/deployments/
 * Returns 0, ERR_INVAL (op out of range, id missing for an {id} op), ERR_TOOBIG. */
int provider_url(const provider_target *t, provider_op op, bool stream, str id,
		 char *buf, size_t cap, size_t *len);

/* Parameter renames the OpenAI-compatible path applies to request bodies
 * (a registry row's param_mappings; none for native adapters and custom). */
const provider_param_map *provider_param_maps(const provider_target *t, size_t *n);
/* The new name of top-level request key `key` for target t, or NULL when it
 * keeps its name (e.g. "max_tokens" for "max_completion_tokens" on moonshot). */
const char *provider_param_rename(const provider_target *t, str key);

#endif
