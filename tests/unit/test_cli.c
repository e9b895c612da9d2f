/* test_cli.c — argv parsing (config/config_cli.c) against cli.md: commands,
 * global options on either side of the subcommand, GNU option forms, env
 * fallbacks and the clap-style usage errors. */
#include "t.h"
#include "config/config_cli.h"

static const char *const *g_env;

static const char *tenv(void *ud, const char *name)
{
	(void)ud;
	size_t n = strlen(name);
	for (const char *const *e = g_env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* Parse a NULL-terminated argument list (without argv[0]). */
#define PARSE(cli, ...) parse_(&(cli), (const char *[]){ "liter-llm", __VA_ARGS__, NULL })
static config_cli_action parse_(config_cli *cli, const char **args)
{
	int argc = 0;
	while (args[argc])
		argc++;
	return config_cli_parse(argc, (char **)args, tenv, NULL, cli);
}

#define USAGE_IS(msg, ...) do { config_cli c_; \
	if (PARSE(c_, __VA_ARGS__) != CONFIG_CLI_USAGE) T_FAIL_AT("expected a usage error for %s", #__VA_ARGS__); \
	else { CHECK_EQ_STR(c_.err, (msg)); } \
	config_cli_free(&c_); } while (0)

TEST(no_command)
{
	config_cli c;
	const char *args[] = { "liter-llm", NULL };
	CHECK_EQ_INT(config_cli_parse(1, (char **)args, NULL, NULL, &c), CONFIG_CLI_USAGE);
	CHECK_EQ_STR(c.err, "'liter-llm' requires a subcommand but one was not provided");
	config_cli_free(&c);
	USAGE_IS("'liter-llm' requires a subcommand but one was not provided", "--tokio-worker-threads", "2");
	USAGE_IS("unrecognized subcommand 'serve'", "serve");
	USAGE_IS("unrecognized subcommand 'version'", "version");
	USAGE_IS("unexpected argument '--port' found", "--port", "1", "api");
	USAGE_IS("unexpected argument '-c' found", "-c", "x", "api");
	CHECK_EQ_STR(config_cli_usage(CONFIG_CLI_NONE), "Usage: liter-llm [OPTIONS] <COMMAND>");
	CHECK_EQ_STR(config_cli_usage(CONFIG_CLI_API), "Usage: liter-llm api [OPTIONS]");
	CHECK_EQ_STR(config_cli_cmd_name(CONFIG_CLI_CHECK), "check-config");
}

TEST(help_and_version)
{
	config_cli c;
	CHECK_EQ_INT(PARSE(c, "--version"), CONFIG_CLI_VERSION);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "-V"), CONFIG_CLI_VERSION);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "-V"), CONFIG_CLI_VERSION);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "--help"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_NONE);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "-h"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_NONE);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_NONE);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help", "api"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_API);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help", "mcp"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_MCP);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help", "check-config"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_CHECK);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help", "help"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_NONE);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "help", "-h"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_NONE);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "--help"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_API);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "mcp", "-h"), CONFIG_CLI_HELP);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_MCP);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "--tokio-worker-threads", "2", "api", "--port", "1", "-h"), CONFIG_CLI_HELP);
	config_cli_free(&c);
	USAGE_IS("unrecognized subcommand 'bogus'", "help", "bogus");
	USAGE_IS("unexpected argument 'mcp' found", "help", "api", "mcp");
	/* help texts */
	CHECK(strstr(config_cli_help(CONFIG_CLI_NONE), "Usage: liter-llm [OPTIONS] <COMMAND>") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_NONE), "check-config") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_API), "--master-key <KEY>") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_API), "LITER_LLM_MASTER_KEY") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_MCP), "--transport <TRANSPORT>") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_CHECK), "[FILE]") != NULL);
	CHECK(strstr(config_cli_help(CONFIG_CLI_MCP), "--tokio-worker-threads") != NULL);
}

TEST(api_defaults_and_forms)
{
	config_cli c;
	g_env = NULL;
	CHECK_EQ_INT(PARSE(c, "api"), CONFIG_CLI_RUN);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_API);
	CHECK(c.config_path == NULL && c.host == NULL && !c.port_set && !c.debug && !c.watch);
	CHECK(c.master_key == NULL && !c.master_key_on_argv && c.n_etcd_endpoints == 0);
	CHECK_EQ_STR(c.etcd_key, "/liter-llm/config");
	CHECK(c.worker_threads == 0 && c.max_blocking_threads == 0);
	config_cli_free(&c);

	CHECK_EQ_INT(PARSE(c, "api", "--host", "127.0.0.1", "--port", "8080", "--config", "a.toml", "--debug", "--watch"),
		     CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.host, "127.0.0.1");
	CHECK(c.port_set && c.port == 8080);
	CHECK_EQ_STR(c.config_path, "a.toml");
	CHECK(c.debug && c.watch);
	config_cli_free(&c);

	CHECK_EQ_INT(PARSE(c, "api", "--host=::1", "--port=0", "--config=b.toml"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.host, "::1");
	CHECK(c.port_set && c.port == 0);
	CHECK_EQ_STR(c.config_path, "b.toml");
	config_cli_free(&c);

	CHECK_EQ_INT(PARSE(c, "api", "-p", "65535", "-c", "c.toml"), CONFIG_CLI_RUN);
	CHECK(c.port == 65535);
	CHECK_EQ_STR(c.config_path, "c.toml");
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "-p4001", "-cd.toml"), CONFIG_CLI_RUN);
	CHECK(c.port == 4001);
	CHECK_EQ_STR(c.config_path, "d.toml");
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "-p=4002", "-c=e.toml"), CONFIG_CLI_RUN);
	CHECK(c.port == 4002);
	CHECK_EQ_STR(c.config_path, "e.toml");
	config_cli_free(&c);
	/* a value may start with '-' only in the attached form */
	CHECK_EQ_INT(PARSE(c, "api", "--host=-weird"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.host, "-weird");
	config_cli_free(&c);
	/* "-" alone is a value */
	CHECK_EQ_INT(PARSE(c, "api", "-c", "-"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.config_path, "-");
	config_cli_free(&c);
}

TEST(api_usage_errors)
{
	USAGE_IS("invalid value '70000' for '--port <PORT>': 70000 is not in 0..=65535", "api", "--port", "70000");
	USAGE_IS("invalid value 'abc' for '--port <PORT>': invalid digit found in string", "api", "-p", "abc");
	USAGE_IS("invalid value '' for '--port <PORT>': cannot parse integer from empty string", "api", "--port=");
	USAGE_IS("invalid value '4e3' for '--port <PORT>': invalid digit found in string", "api", "--port", "4e3");
	USAGE_IS("a value is required for '--port <PORT>' but none was supplied", "api", "--port");
	USAGE_IS("a value is required for '--port <PORT>' but none was supplied", "api", "--port", "-1");
	USAGE_IS("a value is required for '--config <PATH>' but none was supplied", "api", "-c");
	USAGE_IS("a value is required for '--host <ADDR>' but none was supplied", "api", "--host", "--debug");
	USAGE_IS("the argument '--port <PORT>' cannot be used multiple times", "api", "--port", "1", "-p", "2");
	USAGE_IS("the argument '--debug' cannot be used multiple times", "api", "--debug", "--debug");
	USAGE_IS("unexpected argument '--bogus' found", "api", "--bogus");
	USAGE_IS("unexpected argument '--bogus' found", "api", "--bogus=1");
	USAGE_IS("unexpected argument '-x' found", "api", "-x");
	USAGE_IS("unexpected value '1' for '--debug' found; no more were expected", "api", "--debug=1");
	USAGE_IS("unexpected argument 'extra' found", "api", "extra");
	USAGE_IS("unexpected argument '--transport' found", "api", "--transport", "http");
}

TEST(api_env_fallbacks)
{
	config_cli c;
	const char *env[] = { "LITER_LLM_MASTER_KEY=sk-from-env", "LITER_LLM_ETCD_ENDPOINTS=http://e1:2379,,http://e2:2379",
			      "LITER_LLM_ETCD_KEY=/k", NULL };
	g_env = env;
	CHECK_EQ_INT(PARSE(c, "api"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.master_key, "sk-from-env");
	CHECK(!c.master_key_on_argv);
	CHECK_EQ_INT(c.n_etcd_endpoints, 2);
	CHECK_EQ_STR(c.etcd_endpoints[0], "http://e1:2379");
	CHECK_EQ_STR(c.etcd_endpoints[1], "http://e2:2379");
	CHECK_EQ_STR(c.etcd_key, "/k");
	config_cli_free(&c);
	/* argv wins */
	CHECK_EQ_INT(PARSE(c, "api", "--master-key", "sk-argv", "--etcd-endpoint", "a,b", "--etcd-endpoint=c", "--etcd-key", "/x"),
		     CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.master_key, "sk-argv");
	CHECK(c.master_key_on_argv);
	CHECK_EQ_INT(c.n_etcd_endpoints, 3);
	CHECK_EQ_STR(c.etcd_endpoints[2], "c");
	CHECK_EQ_STR(c.etcd_key, "/x");
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "--master-key=sk-eq"), CONFIG_CLI_RUN);
	CHECK(c.master_key_on_argv);
	CHECK_EQ_STR(c.master_key, "sk-eq");
	config_cli_free(&c);
	/* empty env values count as unset */
	const char *env2[] = { "LITER_LLM_MASTER_KEY=", "LITER_LLM_ETCD_KEY=", NULL };
	g_env = env2;
	CHECK_EQ_INT(PARSE(c, "api"), CONFIG_CLI_RUN);
	CHECK(c.master_key == NULL);
	CHECK_EQ_STR(c.etcd_key, "/liter-llm/config");
	config_cli_free(&c);
	/* env is only read for api */
	g_env = env;
	CHECK_EQ_INT(PARSE(c, "mcp"), CONFIG_CLI_RUN);
	CHECK(c.master_key == NULL && c.n_etcd_endpoints == 0);
	config_cli_free(&c);
	g_env = NULL;
}

TEST(global_thread_options)
{
	config_cli c;
	CHECK_EQ_INT(PARSE(c, "--tokio-worker-threads", "4", "api"), CONFIG_CLI_RUN);
	CHECK_EQ_INT(c.worker_threads, 4);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "api", "--tokio-worker-threads=8", "--tokio-max-blocking-threads", "16"), CONFIG_CLI_RUN);
	CHECK_EQ_INT(c.worker_threads, 8);
	CHECK_EQ_INT(c.max_blocking_threads, 16);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "--tokio-max-blocking-threads=2", "mcp", "--tokio-worker-threads", "1"), CONFIG_CLI_RUN);
	CHECK(c.worker_threads == 1 && c.max_blocking_threads == 2);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "check-config", "--tokio-worker-threads", "3"), CONFIG_CLI_RUN);
	config_cli_free(&c);
	USAGE_IS("invalid value '0' for '--tokio-worker-threads <N>': number would be zero for non-zero type",
		 "--tokio-worker-threads", "0", "api");
	USAGE_IS("invalid value 'x' for '--tokio-max-blocking-threads <N>': invalid digit found in string", "api",
		 "--tokio-max-blocking-threads", "x");
	USAGE_IS("a value is required for '--tokio-worker-threads <N>' but none was supplied", "api", "--tokio-worker-threads",
		 "-1");
	USAGE_IS("invalid value '99999999999999999999999' for '--tokio-worker-threads <N>': number too large to fit in target type",
		 "--tokio-worker-threads", "99999999999999999999999", "api");
	USAGE_IS("the argument '--tokio-worker-threads <N>' cannot be used multiple times", "--tokio-worker-threads", "1", "api",
		 "--tokio-worker-threads", "2");
}

TEST(mcp_options)
{
	config_cli c;
	CHECK_EQ_INT(PARSE(c, "mcp"), CONFIG_CLI_RUN);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_MCP);
	CHECK_EQ_STR(c.transport, "stdio");
	CHECK(c.host == NULL && !c.port_set);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "mcp", "--transport", "http", "--host", "0.0.0.0", "--port", "3002", "-c", "m.toml"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.transport, "http");
	CHECK_EQ_STR(c.host, "0.0.0.0");
	CHECK(c.port_set && c.port == 3002);
	CHECK_EQ_STR(c.config_path, "m.toml");
	config_cli_free(&c);
	/* unknown transports are a start-up error (exit 1), not a usage error */
	CHECK_EQ_INT(PARSE(c, "mcp", "--transport=ws"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.transport, "ws");
	config_cli_free(&c);
	USAGE_IS("unexpected argument '--debug' found", "mcp", "--debug");
	USAGE_IS("unexpected argument '--watch' found", "mcp", "--watch");
	USAGE_IS("unexpected argument '--master-key' found", "mcp", "--master-key", "x");
	USAGE_IS("unexpected argument '-p' found", "mcp", "-p", "3001");
	USAGE_IS("a value is required for '--transport <TRANSPORT>' but none was supplied", "mcp", "--transport");
}

TEST(check_config_options)
{
	config_cli c;
	CHECK_EQ_INT(PARSE(c, "check-config"), CONFIG_CLI_RUN);
	CHECK_EQ_INT(c.cmd, CONFIG_CLI_CHECK);
	CHECK(c.config_path == NULL);
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "check-config", "x.toml"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.config_path, "x.toml");
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "check-config", "-c", "y.toml"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.config_path, "y.toml");
	config_cli_free(&c);
	CHECK_EQ_INT(PARSE(c, "check-config", "--", "-odd.toml"), CONFIG_CLI_RUN);
	CHECK_EQ_STR(c.config_path, "-odd.toml");
	config_cli_free(&c);
	USAGE_IS("unexpected argument 'b.toml' found", "check-config", "a.toml", "b.toml");
	USAGE_IS("unexpected argument 'b.toml' found", "check-config", "-c", "a.toml", "b.toml");
	USAGE_IS("the argument '--config <PATH>' cannot be used multiple times", "check-config", "a.toml", "-c", "b.toml");
	USAGE_IS("unexpected argument '--host' found", "check-config", "--host", "x");
}

int main(void)
{
	RUN(no_command);
	RUN(help_and_version);
	RUN(api_defaults_and_forms);
	RUN(api_usage_errors);
	RUN(api_env_fallbacks);
	RUN(global_thread_options);
	RUN(mcp_options);
	RUN(check_config_options);
	return t_done();
}
