/* config_cli.c — argv parsing for liter-llm (cli.md): GNU long/short options
 * (--flag value, --flag=value, -c value, -cvalue), global options before or
 * after the subcommand, clap-style usage error texts and help. */
#include "config/config_cli.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {   /* option ids */
	O_THREADS = 1, O_BLOCKING, O_HELP, O_VERSION, O_CONFIG, O_HOST, O_PORT, O_MASTER_KEY, O_DEBUG, O_WATCH,
	O_ETCD_EP, O_ETCD_KEY, O_TRANSPORT
};

#define M_NONE (1u << CONFIG_CLI_NONE)
#define M_API (1u << CONFIG_CLI_API)
#define M_MCP (1u << CONFIG_CLI_MCP)
#define M_CHECK (1u << CONFIG_CLI_CHECK)
#define M_HELP (1u << CONFIG_CLI_HELPCMD)
#define M_ALL (M_NONE | M_API | M_MCP | M_CHECK | M_HELP)

typedef struct opt {
	const char *lng;
	char shrt;               /* 0 = none */
	const char *value;       /* value name, NULL = flag */
	int id;
	unsigned cmds;           /* where it is accepted */
	unsigned short_cmds;     /* where the short form is accepted */
} opt;

static const opt OPTS[] = {
	{ "tokio-worker-threads", 0, "N", O_THREADS, M_ALL, 0 },
	{ "tokio-max-blocking-threads", 0, "N", O_BLOCKING, M_ALL, 0 },
	{ "help", 'h', NULL, O_HELP, M_ALL, M_ALL },
	{ "version", 'V', NULL, O_VERSION, M_ALL, M_ALL },
	{ "config", 'c', "PATH", O_CONFIG, M_API | M_MCP | M_CHECK, M_API | M_MCP | M_CHECK },
	{ "host", 0, "ADDR", O_HOST, M_API | M_MCP, 0 },
	{ "port", 'p', "PORT", O_PORT, M_API | M_MCP, M_API },
	{ "master-key", 0, "KEY", O_MASTER_KEY, M_API, 0 },
	{ "debug", 0, NULL, O_DEBUG, M_API, 0 },
	{ "watch", 0, NULL, O_WATCH, M_API, 0 },
	{ "etcd-endpoint", 0, "URL,...", O_ETCD_EP, M_API, 0 },
	{ "etcd-key", 0, "KEY", O_ETCD_KEY, M_API, 0 },
	{ "transport", 0, "TRANSPORT", O_TRANSPORT, M_MCP, 0 },
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

__attribute__((format(printf, 2, 3)))
static config_cli_action usage(config_cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	c->action = CONFIG_CLI_USAGE;
	return c->action;
}

/* "'--port <PORT>'" as clap names an argument. */
static const char *argname(const opt *o, char *b, size_t cap)
{
	if (o->value)
		snprintf(b, cap, "--%s <%s>", o->lng, o->value);
	else
		snprintf(b, cap, "--%s", o->lng);
	return b;
}

/* Unsigned decimal; why gets the reason (Rust's ParseIntError texts). */
static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out, const char **why)
{
	unsigned long long v = 0;
	if (!*s) {
		*why = "cannot parse integer from empty string";
		return false;
	}
	const char *p = s;
	if (*p == '+')
		p++;
	if (!*p) {
		*why = "invalid digit found in string";
		return false;
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9') {
			*why = "invalid digit found in string";
			return false;
		}
		if (v > (max - (unsigned long long)(*p - '0')) / 10) {
			*why = "number too large to fit in target type";
			return false;
		}
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	*out = v;
	return true;
}

static int add_endpoints(config_cli *c, const char *list)
{
	/* count, copy, split on ',' (empty items dropped) */
	size_t n = strlen(list), cnt = 1;
	for (size_t i = 0; i < n; i++)
		if (list[i] == ',')
			cnt++;
	char *copy = arena_strndup(&c->a, list, n);
	const char **v = arena_calloc(&c->a, c->n_etcd_endpoints + cnt, sizeof *v);
	if (!copy || !v)
		return -1;
	if (c->n_etcd_endpoints)
		memcpy(v, c->etcd_endpoints, c->n_etcd_endpoints * sizeof *v);
	size_t k = c->n_etcd_endpoints;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t)
			v[k++] = t;
	c->etcd_endpoints = v;
	c->n_etcd_endpoints = k;
	return 0;
}

static bool is_cmd(const char *s, config_cli_cmd *out)
{
	static const struct { const char *n; config_cli_cmd c; } cmds[] = {
		{ "api", CONFIG_CLI_API }, { "mcp", CONFIG_CLI_MCP }, { "check-config", CONFIG_CLI_CHECK },
		{ "help", CONFIG_CLI_HELPCMD },
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(s, cmds[i].n) == 0) {
			*out = cmds[i].c;
			return true;
		}
	return false;
}

/* Apply one option with its value (NULL for flags). */
static config_cli_action apply(config_cli *c, const opt *o, const char *val, unsigned *seen)
{
	char an[96];
	const char *why;
	unsigned long long v;
	if (o->id != O_ETCD_EP && o->id != O_HELP && o->id != O_VERSION) {
		if (*seen & (1u << o->id))
			return usage(c, "the argument '%s' cannot be used multiple times", argname(o, an, sizeof an));
		*seen |= 1u << o->id;
	}
	switch (o->id) {
	case O_HELP:
		c->action = CONFIG_CLI_HELP;
		return c->action;
	case O_VERSION:
		c->action = CONFIG_CLI_VERSION;
		return c->action;
	case O_THREADS:
	case O_BLOCKING:
		if (!parse_uint(val, (unsigned long long)(unsigned long)-1, &v, &why))
			return usage(c, "invalid value '%s' for '%s': %s", val, argname(o, an, sizeof an), why);
		if (v == 0)
			return usage(c, "invalid value '%s' for '%s': number would be zero for non-zero type", val,
				     argname(o, an, sizeof an));
		if (o->id == O_THREADS)
			c->worker_threads = (unsigned long)v;
		else
			c->max_blocking_threads = (unsigned long)v;
		break;
	case O_CONFIG:
		c->config_path = val;
		break;
	case O_HOST:
		c->host = val;
		break;
	case O_PORT:
		if (!parse_uint(val, 65535, &v, &why)) {
			if (strcmp(why, "number too large to fit in target type") == 0)
				return usage(c, "invalid value '%s' for '%s': %s is not in 0..=65535", val,
					     argname(o, an, sizeof an), val);
			return usage(c, "invalid value '%s' for '%s': %s", val, argname(o, an, sizeof an), why);
		}
		c->port = (uint16_t)v;
		c->port_set = true;
		break;
	case O_MASTER_KEY:
		c->master_key = val;
		c->master_key_on_argv = true;
		break;
	case O_DEBUG:
		c->debug = true;
		break;
	case O_WATCH:
		c->watch = true;
		break;
	case O_ETCD_EP:
		if (add_endpoints(c, val) < 0)
			return usage(c, "out of memory");
		break;
	case O_ETCD_KEY:
		c->etcd_key = val;
		break;
	case O_TRANSPORT:
		c->transport = val;
		break;
	}
	return CONFIG_CLI_RUN;
}

static const char *envv(config_env_fn env, void *ud, const char *name)
{
	const char *v = env ? env(ud, name) : NULL;
	return v && *v ? v : NULL;
}

config_cli_action config_cli_parse(int argc, char **argv, config_env_fn env, void *env_ud, config_cli *c)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a, 1024, 0);
	c->cmd = CONFIG_CLI_NONE;
	unsigned seen = 0;
	bool dashdash = false, have_topic = false;
	config_cli_cmd topic = CONFIG_CLI_NONE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool is_opt = !dashdash && a[0] == '-' && a[1] != '\0';
		if (is_opt && strcmp(a, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (!is_opt) {
			if (c->cmd == CONFIG_CLI_NONE) {
				config_cli_cmd k;
				if (!is_cmd(a, &k))
					return usage(c, "unrecognized subcommand '%s'", a);
				c->cmd = k;
				continue;
			}
			if (c->cmd == CONFIG_CLI_HELPCMD && !have_topic) {
				config_cli_cmd k;
				if (!is_cmd(a, &k))
					return usage(c, "unrecognized subcommand '%s'", a);
				have_topic = true;
				topic = k;
				continue;
			}
			if (c->cmd == CONFIG_CLI_CHECK && !c->config_path) {
				c->config_path = a;
				seen |= 1u << O_CONFIG;
				continue;
			}
			return usage(c, "unexpected argument '%s' found", a);
		}
		const opt *o = NULL;
		const char *val = NULL;
		bool inline_val = false;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t nl = eq ? (size_t)(eq - name) : strlen(name);
			for (size_t k = 0; k < N_OPTS; k++)
				if (strlen(OPTS[k].lng) == nl && memcmp(OPTS[k].lng, name, nl) == 0 &&
				    (OPTS[k].cmds & (1u << c->cmd)))
					o = &OPTS[k];
			if (!o) {
				if (eq)
					return usage(c, "unexpected argument '%.*s' found", (int)(eq - a), a);
				return usage(c, "unexpected argument '%s' found", a);
			}
			if (eq) {
				if (!o->value)
					return usage(c, "unexpected value '%s' for '--%s' found; no more were expected", eq + 1,
						     o->lng);
				val = eq + 1;
				inline_val = true;
			}
		} else {
			for (size_t k = 0; k < N_OPTS; k++)
				if (OPTS[k].shrt == a[1] && (OPTS[k].short_cmds & (1u << c->cmd)))
					o = &OPTS[k];
			if (!o)
				return usage(c, "unexpected argument '-%c' found", a[1]);
			if (a[2]) {
				if (!o->value)
					return usage(c, "unexpected argument '-%c' found", a[2]);
				val = a[2] == '=' ? a + 3 : a + 2;
				inline_val = true;
			}
		}
		if (o->value && !inline_val) {
			char an[96];
			if (i + 1 >= argc || (argv[i + 1][0] == '-' && argv[i + 1][1] != '\0'))
				return usage(c, "a value is required for '%s' but none was supplied", argname(o, an, sizeof an));
			val = argv[++i];
		}
		if (apply(c, o, val, &seen) != CONFIG_CLI_RUN) {
			if (c->action == CONFIG_CLI_HELP && c->cmd == CONFIG_CLI_HELPCMD)
				c->cmd = CONFIG_CLI_NONE;
			return c->action;
		}
	}
	if (c->cmd == CONFIG_CLI_NONE)
		return usage(c, "'liter-llm' requires a subcommand but one was not provided");
	if (c->cmd == CONFIG_CLI_HELPCMD) {
		c->cmd = topic == CONFIG_CLI_HELPCMD ? CONFIG_CLI_NONE : topic;
		c->action = CONFIG_CLI_HELP;
		return c->action;
	}
	if (c->cmd == CONFIG_CLI_API) {
		const char *v;
		if (!c->master_key && (v = envv(env, env_ud, "LITER_LLM_MASTER_KEY")))
			c->master_key = v;
		if (!c->n_etcd_endpoints && (v = envv(env, env_ud, "LITER_LLM_ETCD_ENDPOINTS")) && add_endpoints(c, v) < 0)
			return usage(c, "out of memory");
		if (!c->etcd_key && (v = envv(env, env_ud, "LITER_LLM_ETCD_KEY")))
			c->etcd_key = v;
		if (!c->etcd_key)
			c->etcd_key = CONFIG_CLI_ETCD_KEY_DEFAULT;
	}
	if (c->cmd == CONFIG_CLI_MCP && !c->transport)
		c->transport = "stdio";
	c->action = CONFIG_CLI_RUN;
	return c->action;
}

void config_cli_free(config_cli *c)
{
	if (!c)
		return;
	arena_wipe_free(&c->a);
	c->etcd_endpoints = NULL;
	c->n_etcd_endpoints = 0;
}

const char *config_cli_cmd_name(config_cli_cmd cmd)
{
	switch (cmd) {
	case CONFIG_CLI_API: return "api";
	case CONFIG_CLI_MCP: return "mcp";
	case CONFIG_CLI_CHECK: return "check-config";
	case CONFIG_CLI_HELPCMD: return "help";
	case CONFIG_CLI_NONE: break;
	}
	return "";
}

const char *config_cli_usage(config_cli_cmd cmd)
{
	switch (cmd) {
	case CONFIG_CLI_API: return "Usage: liter-llm api [OPTIONS]";
	case CONFIG_CLI_MCP: return "Usage: liter-llm mcp [OPTIONS]";
	case CONFIG_CLI_CHECK: return "Usage: liter-llm check-config [OPTIONS] [FILE]";
	case CONFIG_CLI_HELPCMD: return "Usage: liter-llm help [COMMAND]";
	case CONFIG_CLI_NONE: break;
	}
	return "Usage: liter-llm [OPTIONS] <COMMAND>";
}

#define GLOBAL_OPTS \
	"      --tokio-worker-threads <N>        Worker thread count, N > 0 (default: CPU count)\n" \
	"      --tokio-max-blocking-threads <N>  Blocking-pool cap, N > 0 (default: 512)\n"

const char *config_cli_help(config_cli_cmd cmd)
{
	switch (cmd) {
	case CONFIG_CLI_API:
		return "Start the OpenAI-compatible proxy server\n"
		       "\n"
		       "Usage: liter-llm api [OPTIONS]\n"
		       "\n"
		       "Options:\n"
		       "  -c, --config <PATH>               TOML config file (default: the first liter-llm-proxy.toml\n"
		       "                                    found walking up from the current directory)\n"
		       "      --host <ADDR>                 Bind address [default: [server].host, else 0.0.0.0]\n"
		       "  -p, --port <PORT>                 Bind port [default: [server].port, else 4000]\n"
		       "      --master-key <KEY>            Master API key, overrides [general].master_key\n"
		       "                                    [env: LITER_LLM_MASTER_KEY] (prefer the env var: argv is\n"
		       "                                    visible in the process table)\n"
		       "      --debug                       Log at debug level instead of info\n"
		       "      --watch                       Hot-reload the config file given with --config\n"
		       "      --etcd-endpoint <URL,...>     etcd endpoints (comma separated, repeatable); etcd support\n"
		       "                                    is not part of this build [env: LITER_LLM_ETCD_ENDPOINTS]\n"
		       "      --etcd-key <KEY>              etcd key holding the TOML text [env: LITER_LLM_ETCD_KEY]\n"
		       "                                    [default: /liter-llm/config]\n"
		       GLOBAL_OPTS
		       "  -h, --help                        Print help\n"
		       "  -V, --version                     Print version\n";
	case CONFIG_CLI_MCP:
		return "Start the MCP server exposing LLM operations as tools\n"
		       "\n"
		       "Usage: liter-llm mcp [OPTIONS]\n"
		       "\n"
		       "Options:\n"
		       "  -c, --config <PATH>               TOML config file (default: the first liter-llm-proxy.toml\n"
		       "                                    found walking up from the current directory)\n"
		       "      --transport <TRANSPORT>       stdio or http [default: stdio]\n"
		       "      --host <ADDR>                 HTTP transport bind address (an IP literal) [default: 127.0.0.1]\n"
		       "      --port <PORT>                 HTTP transport port [default: 3001]\n"
		       GLOBAL_OPTS
		       "  -h, --help                        Print help\n"
		       "  -V, --version                     Print version\n";
	case CONFIG_CLI_CHECK:
		return "Load and validate a config file, print a summary (exit 0) or every error as\n"
		       "FILE:LINE:COL: message (exit 1)\n"
		       "\n"
		       "Usage: liter-llm check-config [OPTIONS] [FILE]\n"
		       "\n"
		       "Arguments:\n"
		       "  [FILE]  Config file (default: the first liter-llm-proxy.toml found walking up from\n"
		       "          the current directory)\n"
		       "\n"
		       "Options:\n"
		       "  -c, --config <PATH>               Same as FILE\n"
		       GLOBAL_OPTS
		       "  -h, --help                        Print help\n"
		       "  -V, --version                     Print version\n";
	case CONFIG_CLI_HELPCMD:
	case CONFIG_CLI_NONE:
		break;
	}
	return "OpenAI-compatible LLM gateway and MCP server\n"
	       "\n"
	       "Usage: liter-llm [OPTIONS] <COMMAND>\n"
	       "\n"
	       "Commands:\n"
	       "  api           Start the OpenAI-compatible proxy server\n"
	       "  mcp           Start the MCP server exposing LLM operations as tools\n"
	       "  check-config  Load and validate a config file and print a summary\n"
	       "  help          Print this message or the help of the given subcommand\n"
	       "\n"
	       "Options:\n"
	       GLOBAL_OPTS
	       "  -h, --help                        Print help\n"
	       "  -V, --version                     Print version\n";
}
