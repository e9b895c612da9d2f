/* config_cli.h — the command line of liter-llm (cli.md): subcommands, global
 * and per-command options, env fallbacks. Pure apart from the env callback:
 * main.c prints what the result says and wires the rest. */
#ifndef CONFIG_CONFIG_CLI_H
#define CONFIG_CONFIG_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "config/config.h"

#define CONFIG_CLI_ETCD_KEY_DEFAULT "/liter-llm/config"

typedef enum config_cli_cmd {
	CONFIG_CLI_NONE = 0,   /* the program itself (help) */
	CONFIG_CLI_API,
	CONFIG_CLI_MCP,
	CONFIG_CLI_CHECK,      /* check-config [FILE] */
	CONFIG_CLI_HELPCMD     /* the "help" subcommand (only as a help topic) */
} config_cli_cmd;

typedef enum config_cli_action {
	CONFIG_CLI_RUN = 0,    /* run cmd */
	CONFIG_CLI_HELP,       /* print config_cli_help(cmd) to stdout, exit 0 */
	CONFIG_CLI_VERSION,    /* print "liter-llm <version>" to stdout, exit 0 */
	CONFIG_CLI_USAGE       /* usage error: print err + config_cli_usage(cmd) to stderr, exit 2 */
} config_cli_action;

typedef struct config_cli {
	config_cli_action action;
	config_cli_cmd cmd;
	/* global */
	unsigned long worker_threads;       /* 0 = not given */
	unsigned long max_blocking_threads; /* 0 = not given */
	/* api, mcp, check-config */
	const char *config_path;            /* --config / -c, or check-config FILE; NULL = auto-discover */
	/* api, mcp */
	const char *host;                   /* NULL = not given */
	uint16_t port;
	bool port_set;
	/* api */
	const char *master_key;             /* --master-key, else LITER_LLM_MASTER_KEY (non-empty), else NULL */
	bool master_key_on_argv;            /* given literally on the command line: warn */
	bool debug;
	bool watch;
	const char **etcd_endpoints;        /* comma-split, repeatable; else LITER_LLM_ETCD_ENDPOINTS */
	size_t n_etcd_endpoints;
	const char *etcd_key;               /* --etcd-key, else LITER_LLM_ETCD_KEY, else the default */
	/* mcp */
	const char *transport;              /* as given ("stdio" default); checked at start-up (fatal, not usage) */
	/* CONFIG_CLI_USAGE: the message, clap style without the "error: " prefix */
	char err[512];
	arena a;                            /* copies (etcd endpoints) */
} config_cli;

/* Parse argv[1..argc). Strings point into argv or cli->a; env (may be NULL)
 * supplies the env fallbacks. Always fills *cli (free with config_cli_free);
 * returns cli->action. */
config_cli_action config_cli_parse(int argc, char **argv, config_env_fn env, void *env_ud, config_cli *cli);
void config_cli_free(config_cli *cli);

/* Help text of the program (NONE) or a subcommand (static, ends with '\n'). */
const char *config_cli_help(config_cli_cmd cmd);
/* One usage line, e.g. "Usage: liter-llm api [OPTIONS]" (static). */
const char *config_cli_usage(config_cli_cmd cmd);
/* "api", "mcp", "check-config", "help", "" for NONE. */
const char *config_cli_cmd_name(config_cli_cmd cmd);

#endif
