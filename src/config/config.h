/* config.h — the typed, validated, immutable configuration of liter-llm
 * (liter-llm-proxy.toml, schema in docs/config.md), built once from the TOML
 * tree after ${VAR} interpolation, plus the start-up checks that need no
 * network. A reload builds a new config and swaps a pointer; a config is never
 * modified after config_load_* returned it.
 *
 * Memory: everything reachable from a `config` (strings, arrays, the TOML tree
 * new_payload points into) lives in one arena owned by the config object and
 * is released by config_free(). Strings are NUL-terminated UTF-8 and never
 * contain NUL (the loader rejects "\u0000" in config strings).
 *
 * Defaults: the loader fills every default, so an empty file gives the values
 * documented in docs/config.md. Optional tables record their presence in
 * `present` ("writing an empty [cache] enables the cache"); optional scalars
 * have a `_set` flag. A zero-initialised struct of any table type is its
 * "absent" value except where a non-zero default is documented.
 *
 * Positions: every entry and every value a start-up check can complain about
 * keeps its line:col in the ORIGINAL file (before ${VAR} substitution; inside
 * a substituted value the position of its "${"). {0,0} = not written. */
#ifndef CONFIG_CONFIG_H
#define CONFIG_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "toml/toml.h"

#define CONFIG_FILE_NAME "liter-llm-proxy.toml"
#define CONFIG_MAX_ERRORS 100      /* errors collected per load before giving up */

typedef struct config_pos {
	uint32_t line;   /* 1-based; 0 = unknown / not written */
	uint32_t col;    /* 1-based, bytes */
} config_pos;

/* ---- small containers (all arena-owned) -------------------------------- */

typedef struct config_strlist {
	const char **v;
	config_pos *pos;   /* pos[i] of v[i] */
	size_t n;
} config_strlist;

typedef struct config_kv {
	const char *key;
	const char *val;
	config_pos pos;    /* of the key */
} config_kv;

typedef struct config_strmap {   /* TOML table string -> string, document order */
	config_kv *v;
	size_t n;
} config_strmap;

typedef struct config_kvf {
	const char *key;
	double val;
	config_pos pos;
} config_kvf;

typedef struct config_f64map {   /* TOML table string -> f64, document order */
	config_kvf *v;
	size_t n;
} config_f64map;

/* Value of key in m (exact, case-sensitive), NULL when absent. */
const char *config_strmap_get(const config_strmap *m, const char *key);
/* Pointer to the value of key in m, NULL when absent. */
const double *config_f64map_get(const config_f64map *m, const char *key);
/* True when s is in l (exact). */
bool config_strlist_has(const config_strlist *l, const char *s);

/* ---- tables ---------------------------------------------------------------- */

typedef struct config_server {
	bool present;
	config_pos pos;
	const char *host;               /* "0.0.0.0" */
	bool host_set;                  /* written in the file */
	uint16_t port;                  /* 4000 */
	bool port_set;
	uint64_t request_timeout_secs;  /* 600 */
	size_t body_limit_bytes;        /* 10485760 */
	config_strlist cors_origins;    /* [] */
} config_server;

typedef struct config_general {
	bool present;
	config_pos pos;
	const char *master_key;         /* NULL = absent; never "" (load error) */
	config_pos master_key_pos;
	uint64_t default_timeout_secs;  /* 120 */
	uint32_t max_retries;           /* 3 */
	bool enable_cost_tracking;      /* false */
	bool enable_tracing;            /* false */
} config_general;

typedef struct config_model {
	config_pos pos;                 /* the [[models]] header / inline table */
	size_t index;                   /* index in config.models (file order) */
	const char *name;               /* required */
	config_pos name_pos;
	const char *provider_model;     /* required, e.g. "openai/gpt-4o" */
	config_pos provider_model_pos;
	const char *api_key;            /* NULL = absent; "" is kept (providers treat it as absent) */
	config_pos api_key_pos;
	const char *base_url;           /* NULL = absent */
	config_pos base_url_pos;
	uint64_t timeout_secs;          /* effective: the entry's value or general.default_timeout_secs */
	bool timeout_set;               /* written in the entry */
	config_strlist fallbacks;       /* parsed, unused by routing (see docs) */
	config_strmap extra_headers;    /* extension: extra request headers to the upstream */
	size_t pool;                    /* index in config.pools */
	size_t pool_index;              /* position of this entry inside its pool (file order) */
} config_model;

/* Entries sharing one [[models]].name, in file order (a pool when n >= 2). */
typedef struct config_pool {
	const char *name;
	size_t *models;                 /* indexes into config.models */
	size_t n;
} config_pool;

typedef struct config_alias {
	config_pos pos;
	const char *pattern;            /* required, glob */
	const char *api_key;            /* NULL = absent */
	const char *base_url;           /* NULL = absent */
} config_alias;

typedef struct config_provider_cred {
	config_pos pos;
	const char *provider;           /* required */
	const char *id;                 /* required */
	const char *api_key;            /* required */
	config_strlist model_allowlist;
	bool model_allowlist_set;       /* absent = every model */
} config_provider_cred;

typedef struct config_key {
	config_pos pos;
	config_pos key_pos;
	size_t entry;                   /* 0-based index of the [[keys]] entry in the file */
	const char *key;                /* the bearer token; never "" */
	size_t key_len;
	const char *description;        /* NULL = absent */
	config_strlist models;          /* [] = every model */
	bool rpm_set;
	uint32_t rpm;
	bool tpm_set;
	uint64_t tpm;
	bool budget_limit_set;
	double budget_limit;            /* USD per rolling 30 days */
	const char *tenant_id;          /* configured, or derived "tnt-<16 hex>" */
	bool tenant_derived;
	config_provider_cred *creds;
	size_t n_creds;
} config_key;

typedef struct config_rate_limit {
	bool present;
	config_pos pos;
	bool rpm_set;
	uint32_t rpm;
	bool tpm_set;
	uint64_t tpm;
} config_rate_limit;

typedef enum config_enforcement { CONFIG_ENFORCE_HARD = 0, CONFIG_ENFORCE_SOFT } config_enforcement;

typedef struct config_budget {
	bool present;
	config_pos pos;
	bool global_limit_set;
	double global_limit;
	config_f64map model_limits;
	config_enforcement enforcement; /* hard */
} config_budget;

typedef struct config_cache {
	bool present;
	config_pos pos;
	size_t max_entries;             /* 256 */
	uint64_t ttl_seconds;           /* 300 */
	const char *backend;            /* "memory" (accepted, ignored) */
	config_strmap backend_config;
} config_cache;

typedef enum config_files_mode { CONFIG_FILES_PROXY = 0, CONFIG_FILES_LOCAL } config_files_mode;

typedef struct config_files {
	bool present;
	config_pos pos;
	const char *backend;            /* "memory" */
	config_pos backend_pos;
	const char *prefix;             /* "liter-llm-files/" */
	config_strmap backend_config;
	config_files_mode mode;         /* extension: "proxy" (default) | "local" */
} config_files;

typedef struct config_health {
	bool present;
	config_pos pos;
	bool interval_set;              /* absent = no probing */
	uint64_t interval_secs;         /* > 0 when set */
	const char *probe_model;        /* NULL = absent; parsed, unused */
} config_health;

typedef struct config_cooldown {
	bool present;
	config_pos pos;
	uint64_t duration_secs;         /* required when present */
} config_cooldown;

typedef enum config_mcp_auth { CONFIG_MCP_AUTH_NONE = 0, CONFIG_MCP_AUTH_BEARER } config_mcp_auth;

typedef struct config_mcp {
	bool present;
	config_pos pos;
	bool stdio_trust_local;         /* false */
	const char *stdio_key_id;       /* NULL = absent */
	config_pos stdio_key_id_pos;
	config_mcp_auth http_auth;      /* extension: "none" (default) | "bearer" */
	size_t max_message_bytes;       /* extension: 16 MiB (LIMIT_MCP_MESSAGE_BYTES) */
	uint64_t session_idle_secs;     /* extension: 3600 */
} config_mcp;

typedef enum config_outbound {
	CONFIG_OUTBOUND_DENY_PRIVATE = 0, CONFIG_OUTBOUND_OFF, CONFIG_OUTBOUND_ALLOWLIST
} config_outbound;

typedef struct config_security {
	bool present;
	config_pos pos;
	config_outbound outbound_policy;    /* deny_private */
	config_pos outbound_policy_pos;
	config_strlist outbound_allowlist;  /* checked at start-up (config_check_security) */
} config_security;

typedef enum config_strategy {
	CONFIG_ROUTE_ROUND_ROBIN = 0, CONFIG_ROUTE_FALLBACK, CONFIG_ROUTE_LATENCY,
	CONFIG_ROUTE_COST, CONFIG_ROUTE_WEIGHTED, CONFIG_ROUTE_SEMANTIC
} config_strategy;

typedef enum config_classifier_kind { CONFIG_CLASSIFIER_KEYWORD = 1, CONFIG_CLASSIFIER_EMBEDDING } config_classifier_kind;

typedef struct config_keyword_rule {
	config_pos pos;
	const char *pattern;            /* regex, compiled at start-up */
	config_pos pattern_pos;
	const char *model;              /* matched against the pool entries' provider_model */
} config_keyword_rule;

typedef struct config_prototype {
	config_pos pos;
	const char *name;
	const char *model;
	double *embedding;
	size_t n_embedding;
} config_prototype;

typedef struct config_classifier {
	config_classifier_kind kind;    /* 0 when no classifier */
	config_pos pos;
	config_keyword_rule *rules;     /* keyword */
	size_t n_rules;
	const char *embedding_model;    /* embedding: required */
	const char *api_key;            /* embedding: NULL = absent */
	const char *base_url;           /* embedding: NULL = absent */
	double threshold;               /* embedding: required */
	config_prototype *prototypes;
	size_t n_prototypes;
} config_classifier;

typedef struct config_routing {
	bool present;
	config_pos pos;
	config_strategy strategy;       /* round_robin when absent */
	double *weights;                /* weighted_random: raw values as written (router rounds, negative/NaN -> 0) */
	size_t n_weights;
	config_pos weights_pos;
	config_classifier classifier;   /* semantic */
} config_routing;

typedef enum config_guard_type {
	CONFIG_GUARD_REGEX = 1, CONFIG_GUARD_CEL, CONFIG_GUARD_LENGTH_CAP, CONFIG_GUARD_PROMPT_INJECTION
} config_guard_type;

enum {   /* config_guardrail.stages bits */
	CONFIG_STAGE_INPUT = 1, CONFIG_STAGE_OUTPUT = 2, CONFIG_STAGE_OUTPUT_CHUNK = 4
};

typedef enum config_action_kind {
	CONFIG_ACTION_NONE = 0, CONFIG_ACTION_BLOCK, CONFIG_ACTION_REDACT, CONFIG_ACTION_MUTATE
} config_action_kind;

typedef struct config_guard_action {
	config_action_kind kind;
	config_pos pos;
	uint32_t code;                  /* block: 403 when absent */
	const char *reason_prefix;      /* regex block: "" when absent */
	const char *reason;             /* cel block: "" when absent */
	const char *replacement;        /* regex redact: "[REDACTED]" when absent */
	const toml_value *new_payload;  /* cel mutate: required, any TOML value (arena-owned tree) */
} config_guard_action;

typedef struct config_guardrail {
	config_pos pos;
	config_guard_type type;
	const char *name;               /* required */
	unsigned stages;                /* CONFIG_STAGE_*; regex/cel/length_cap: INPUT when absent; prompt_injection: INPUT */
	const char *pattern;            /* regex (compiled at start-up) */
	config_pos pattern_pos;
	const char *expression;         /* cel */
	bool fail_open;                 /* cel, false */
	size_t max_chars;               /* length_cap, required */
	config_guard_action action;     /* regex, cel: required */
} config_guardrail;

/* A non-fatal remark found while loading (e.g. duplicate virtual-key token). */
typedef struct config_note {
	config_pos pos;
	const char *msg;
} config_note;

typedef struct config {
	arena arena;                    /* owns everything below (and this struct) */
	const char *file;               /* name given to the loader ("" for defaults) */
	config_server server;
	config_general general;
	config_model *models;
	size_t n_models;
	config_pool *pools;             /* one per distinct model name, in first-seen order */
	size_t n_pools;
	config_alias *aliases;
	size_t n_aliases;
	config_key *keys;               /* after "later wins" de-duplication, file order */
	size_t n_keys;
	config_rate_limit rate_limit;
	config_budget budget;
	config_cache cache;
	config_files files;
	config_health health;
	config_cooldown cooldown;
	config_mcp mcp;
	config_security security;
	config_routing routing;
	config_guardrail *guardrails;
	size_t n_guardrails;
	config_note *warnings;
	size_t n_warnings;
	/* every secret value (master key, tokens, api keys, sensitive header and
	 * backend options): registered with the logger, wiped by config_free */
	const char **secrets;
	size_t n_secrets;
	/* the parsed TOML tree (arena-owned): any value can be found from here;
	 * its positions are in interpolated-text coordinates, map them with
	 * config_pos_of(). */
	const toml_value *root;
	const struct config_srcmap *srcmap;   /* NULL when no ${VAR} was substituted */
} config;

/* Position in the original file of a position of c->root's tree. */
config_pos config_pos_of(const config *c, toml_pos p);

/* ---- errors -------------------------------------------------------------- */

typedef struct config_error {
	char *file;                     /* malloc'd; NULL when no file is involved */
	uint32_t line, col;             /* 0 = no position */
	char *msg;                      /* detail, printed by check-config as FILE:LINE:COL: msg */
	char *text;                     /* the whole single-line message main prints after "Error: " */
} config_error;

typedef struct config_errors {      /* zero-initialised = empty */
	config_error *v;
	size_t n, cap;
} config_errors;

void config_errors_free(config_errors *e);   /* NULL-safe; leaves it empty and reusable */
/* Append an error (copies everything). line/col 0 = none. text NULL = msg. */
int config_errors_add(config_errors *e, const char *file, uint32_t line, uint32_t col,
		      const char *msg, const char *text);

/* ---- loading ----------------------------------------------------------------- */

/* Environment lookup: value of name or NULL when unset. */
typedef const char *(*config_env_fn)(void *ud, const char *name);
/* getenv(3) as a config_env_fn. */
const char *config_env_getenv(void *ud, const char *name);

/* Load from text[0..len) (need not be NUL-terminated); name labels errors.
 * Runs ${VAR} interpolation (env may be NULL: every variable unset), parses,
 * maps and validates every load-time rule. On success *out is a new config
 * (free with config_free) and 0 is returned. On failure *out is NULL, every
 * error found (up to CONFIG_MAX_ERRORS) is appended to errs (the first one is
 * the one to show when only one is shown) and ERR_INVAL (or ERR_NOMEM,
 * ERR_TOOBIG) is returned. Messages never contain secret values. */
int config_load_text(const char *name, const char *text, size_t len, config_env_fn env, void *env_ud,
		     config **out, config_errors *errs);
/* Read path (at most LIMIT_CONFIG_BYTES) and config_load_text it. An unreadable
 * file gives "failed to read config file <path>: <os error>". */
int config_load_file(const char *path, config_env_fn env, void *env_ud, config **out, config_errors *errs);
/* The built-in defaults (an empty config). NULL when out of memory. */
config *config_new_default(void);
/* Release a config, wiping its secrets first. NULL-safe. */
void config_free(config *c);

/* Replace general.master_key by key (api --master-key / LITER_LLM_MASTER_KEY,
 * cli.md step 3): copied into c's arena and added to c's secrets. Only for the
 * owner, before c is shared (and again on each reload). 0 or ERR_NOMEM;
 * ERR_INVAL for NULL or "". */
int config_override_master_key(config *c, const char *key);

/* Register every secret of c with the logger (log_add_secret). */
void config_register_secrets(const config *c);

/* ${VAR} interpolation exactly as cli.md: "${" up to the next "}" is a name,
 * replaced by its value (unset, empty name, or a name containing '=' -> "");
 * no nesting, no escapes; an unterminated "${" is copied literally. Output
 * appended to out, capped at cap bytes (ERR_TOOBIG beyond). Returns the number
 * of substitutions made (>= 0) or a negative error. */
int config_interpolate(const char *text, size_t len, config_env_fn env, void *env_ud, size_t cap, buf *out);

/* ---- discovery ------------------------------------------------------------------ */

/* Walk up from the current directory looking for a regular file named exactly
 * liter-llm-proxy.toml. Returns 1 and a malloc'd path in *path when found, 0
 * when none exists (defaults apply), or ERR_IO with errs holding "failed to get
 * current directory: <os error>". */
int config_discover(char **path, config_errors *errs);
/* Same, starting at dir instead of the cwd (tests). */
int config_discover_from(const char *dir, char **path, config_errors *errs);

/* ---- start-up checks (no network) ---------------------------------------------- */
/* Each returns 0, or appends its error(s) to errs and returns ERR_INVAL. */

/* [security]: allowlist with no entry / unparsable URL (api only), through
 * net/netpolicy's netpolicy_build (the same parser the HTTP client uses):
 * "security.outbound_policy = \"allowlist\" requires at least one entry in security.outbound_allowlist",
 * "invalid URL in outbound_allowlist (\"<url>\"): <reason>". */
int config_check_security(const config *c, config_errors *errs);
/* [files]: backend must be "memory" or "fs" (fs needs backend_config.root):
 * "failed to build storage operator for '<backend>': <reason>". */
int config_check_files(const config *c, config_errors *errs);
/* [routing] weighted_random: every pool must have as many weights as entries:
 * "failed to build router for deployment pool: ..." */
int config_check_routing(const config *c, config_errors *errs);
/* [mcp].stdio_key_id must name a [[keys]] token (mcp stdio only):
 * "mcp.stdio_key_id '<id>' not found in the virtual key store; add it under [[keys]] in your config"
 * (the id is echoed as upstream does: it matches no configured token). */
int config_check_stdio_key(const config *c, config_errors *errs);
/* MCP HTTP listen address: host must be an IPv4/IPv6 literal:
 * "invalid MCP listen address: <reason>". */
int config_check_mcp_listen(const char *host, uint16_t port, config_errors *errs);
/* True when [server].cors_origins contains "*". */
bool config_cors_wildcard(const config *c);

/* ---- lookups and reporting ------------------------------------------------------- */

/* The [[keys]] entry whose token equals token[0..n) (constant time per entry), or NULL. */
const config_key *config_find_key(const config *c, const char *token, size_t n);
/* The pool of a model name, or NULL. */
const config_pool *config_find_pool(const config *c, const char *name);
/* Names for messages and summaries. */
const char *config_strategy_name(config_strategy s);
const char *config_outbound_name(config_outbound o);
const char *config_guard_type_name(config_guard_type t);

/* Human summary for check-config (no secrets): models with provider_model,
 * pools, aliases, keys (description + tenant only), master key set or not,
 * which optional tables are on, guardrails. Appended to out. */
int config_summary(const config *c, buf *out);

#endif
