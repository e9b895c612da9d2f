/* main.c — argv, subcommands, wiring only (the one composition root).
 * Parsing lives in config/config_cli.c, loading and checks in config/; this
 * file prints what they say, sets up the logger and starts the servers. */
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "config/config.h"
#include "config/config_cli.h"
#include "base/clock.h"
#include "base/str.h"
#include "gateway/gateway.h"
#include "http/http_proxy.h"
#include "http/http_server.h"
#include "mcp/mcp.h"
#include "mcp/mcp_exec.h"
#include "mcp/mcp_http.h"
#include "mcp/mcp_stdio.h"
#include "net/loop.h"
#include "net/dns.h"
#include "net/netpolicy.h"
#include "net/sock.h"
#include "net/worker.h"
#include "proxy/proxy.h"
#include "tls/tls.h"
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "Error: <message>" on stderr (registered secrets redacted), exit status 1. */
static int fatal(const char *text)
{
	char red[LIMIT_LOG_LINE];
	log_redact(text, strlen(text), red, sizeof red);
	fprintf(stderr, "Error: %s\n", red);
	return 1;
}

static void set_log_level(bool debug)
{
	log_set_level(debug ? LOG_DEBUG : LOG_INFO);
	const char *env = getenv("LITER_LLM_LOG");
	if (!env || !*env)
		env = getenv("RUST_LOG");
	if (env && *env) {
		int lv = log_level_parse(env);
		if (lv >= 0)
			log_set_level((log_level)lv);
	}
}

static void log_warnings(const config *c)
{
	for (size_t i = 0; i < c->n_warnings; i++)
		log_warn("config %s:%u:%u: %s", c->file, c->warnings[i].pos.line, c->warnings[i].pos.col,
			 c->warnings[i].msg);
}

/* Load --config, else the discovered file, else the defaults (cli.md step 1).
 * Returns 0 with *out set, or the exit status after printing the error. */
static int load_config(const char *path, config **out)
{
	config_errors errs = { 0 };
	char *found = NULL;
	int rc;
	*out = NULL;
	if (!path) {
		rc = config_discover(&found, &errs);
		if (rc < 0)
			goto fail;
		path = found;
	}
	if (path) {
		rc = config_load_file(path, config_env_getenv, NULL, out, &errs);
		if (rc < 0)
			goto fail;
		log_debug("config loaded from %s", path);
	} else {
		*out = config_new_default();
		if (!*out) {
			free(found);
			return fatal("out of memory");
		}
		log_debug("no %s found: using the built-in defaults", CONFIG_FILE_NAME);
	}
	free(found);
	config_register_secrets(*out);
	log_warnings(*out);
	return 0;
fail:
	free(found);
	rc = fatal(errs.n ? errs.v[0].text : "cannot load the config");
	config_errors_free(&errs);
	return rc;
}

/* Run a start-up check; on failure print its first error. */
static int check(int (*fn)(const config *, config_errors *), const config *c)
{
	config_errors errs = { 0 };
	int rc = fn(c, &errs) < 0 ? fatal(errs.n ? errs.v[0].text : "start-up check failed") : 0;
	config_errors_free(&errs);
	return rc;
}

/* provider_env over getenv(3) (values stay valid: nobody calls setenv). */
static const char *env_get(void *ud, const char *name)
{
	(void)ud;
	return getenv(name);
}

/* What every upstream call needs, shared by api and mcp: TLS trust anchors
 * and client context, the outbound policy, the HTTP(S)_PROXY settings and
 * the resolver. */
typedef struct upstream_env {
	tls_anchors *ta;
	tls_client_ctx *tc;
	dns *d;
	netpolicy pol;
	http_proxy hp;
	bool hp_built;
} upstream_env;

/* The TLS part: trust anchors (SSL_CERT_FILE / SSL_CERT_DIR / system bundle)
 * and the client context. 0, or -1 with the message in err. */
static int upstream_env_tls(upstream_env *ue, char *err, size_t errlen)
{
	if (tls_anchors_load(&ue->ta, getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR"), err, errlen) < 0)
		return -1;
	log_debug("TLS trust anchors: %zu from %s", tls_anchors_count(ue->ta), tls_anchors_source(ue->ta));
	if (!(ue->tc = tls_client_ctx_new(ue->ta, NULL))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* with_tls false: everything but the TLS part (upstream_env_tls later).
 * 0, or -1 with the start-up message in err (free ue with upstream_env_free). */
static int upstream_env_init(upstream_env *ue, const config *cfg, bool with_tls, char *err, size_t errlen)
{
	memset(ue, 0, sizeof *ue);
	if (with_tls && upstream_env_tls(ue, err, errlen) < 0)
		goto fail;
	{
		netpolicy_mode mode;
		const config_strlist *al = &cfg->security.outbound_allowlist;
		str items[256];
		size_t n = al->n < 256 ? al->n : 256;
		for (size_t i = 0; i < n; i++)
			items[i] = str_from(al->v[i]);
		if (netpolicy_mode_parse(str_from(config_outbound_name(cfg->security.outbound_policy)), &mode) < 0 ||
		    netpolicy_build(&ue->pol, mode, items, n, err, errlen) < 0)
			goto fail;
	}
	if (http_proxy_from_env(&ue->hp, err, errlen) < 0)
		goto fail;
	ue->hp_built = true;
	if (dns_new(&ue->d, NULL) < 0) {
		snprintf(err, errlen, "cannot start the DNS resolver");
		goto fail;
	}
	return 0;
fail:
	return -1;
}

static void upstream_env_free(upstream_env *ue)
{
	dns_free(ue->d);
	if (ue->hp_built)
		http_proxy_free(&ue->hp);
	netpolicy_free(&ue->pol);
	tls_client_ctx_free(ue->tc);
	tls_anchors_free(ue->ta);
	memset(ue, 0, sizeof *ue);
}

/* cli.md step 7: build the model clients, bind, serve until drained. */
static int serve_api(const config *cfg, const char *host, uint16_t port, unsigned long threads)
{
	char err[1024];
	int rc = 0;
	upstream_env ue = { 0 };
	gateway *gw = NULL;
	proxy *px = NULL;
	http_server *srv = NULL;

	if (gateway_new(&gw, cfg, (provider_env){ env_get, NULL }, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	if (upstream_env_init(&ue, cfg, true, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	proxy_config pc = { .gw = gw, .cfg = cfg, .dns = ue.d, .tls = ue.tc, .policy = &ue.pol, .http_proxy = &ue.hp,
			    .start_mono_ms = clock_mono_ms() };
	if (proxy_new(&px, &pc) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	/* no request loops: a base URL pointing back at our own listen address */
	if (port && gateway_check_self_loop(gw, host, port, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	http_handler h = proxy_handler(px);
	uint64_t rt = cfg->server.request_timeout_secs;
	http_server_config sc = {
		.host = host,
		.port = port,
		.threads = threads > 1024 ? 1024 : (int)threads,
		.signals = true,
		.body_bytes = cfg->server.body_limit_bytes,
		.request_timeout_ms = (uint32_t)(rt > 4000000 ? 4000000000u : rt * 1000),
	};
	if (http_server_new(&srv, &sc, &h) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	if (http_server_start(srv, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	sock_addr la;
	char addr[128];
	http_server_local_addr(srv, &la);
	sock_addr_format(&la, addr, sizeof addr);
	if (!port && gateway_check_self_loop(gw, host, sock_addr_port(&la), err, sizeof err) < 0) {
		http_server_shutdown(srv);
		http_server_wait(srv);
		rc = fatal(err);
		goto out;
	}
	log_info("liter-llm proxy listening on %s", addr);
	if (gateway_zero_config(gw))
		log_info("no [[models]] configured: zero-config routing of provider/model names (%s)",
			 gateway_ready(gw) ? "providers found in the environment" : "no provider key set");
	if (http_server_wait(srv) == WORKERS_ABORTED)
		log_error("shutdown aborted: in-flight requests were cut off");
	rc = 0;
out:
	http_server_free(srv);
	proxy_free(px);
	upstream_env_free(&ue);
	gateway_free(gw);
	return rc;
}

static int cmd_api(const config_cli *cli)
{
	set_log_level(cli->debug);
	if (cli->master_key)
		log_add_secret(cli->master_key, strlen(cli->master_key));
	config *cfg;
	int rc = load_config(cli->config_path, &cfg);
	if (rc)
		return rc;
	/* 2. host/port: the flag when given, else [server], else 0.0.0.0:4000
	 *    (deviation from upstream, where the CLI defaults always win) */
	const char *host = cli->host ? cli->host : cfg->server.host;
	uint16_t port = cli->port_set ? cli->port : cfg->server.port;
	/* 3. master key override */
	if (cli->master_key && config_override_master_key(cfg, cli->master_key) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	if (cli->master_key_on_argv)
		log_warn("--master-key was given on the command line: its value is visible in the process table; "
			 "prefer the LITER_LLM_MASTER_KEY environment variable");
	/* 4. CORS */
	if (config_cors_wildcard(cfg) && strcmp(host, "0.0.0.0") == 0)
		log_warn("cors_origins contains \"*\" and the server listens on 0.0.0.0: any web page can call this "
			 "gateway from a browser");
	/* 5. outbound policy */
	if ((rc = check(config_check_security, cfg)))
		goto out;
	/* 6. watch mode */
	if (cli->n_etcd_endpoints) {
		rc = fatal("--etcd-endpoint requires the 'etcd-watch' feature, which is not part of this build; "
			   "use --watch with --config <path> instead");
		goto out;
	}
	if (cli->watch && !cli->config_path) {
		rc = fatal("--watch requires --config <path> or --etcd-endpoint <url>");
		goto out;
	}
	/* 7. (partly) router weights and the files store */
	if ((rc = check(config_check_routing, cfg)) || (rc = check(config_check_files, cfg)))
		goto out;
	log_debug("api: %s:%u, watch %s, %lu worker threads", host, port, cli->watch ? cli->config_path : "off",
		  cli->worker_threads);

	/* ==== SERVER START ======================================================= */
	rc = serve_api(cfg, host, port, cli->worker_threads);
	/* ==== END SERVER START ================================================== */
out:
	config_free(cfg);
	return rc;
}

/* mcp-tools.md "Authentication": trusted (master) by default; [mcp].stdio_key_id
 * binds stdio to that virtual key. 0, or the exit status after the message. */
static int mcp_stdio_principal(gateway *gw, const config *cfg, gateway_principal *pr)
{
	memset(pr, 0, sizeof *pr);
	pr->master = true;
	if (!cfg->mcp.stdio_key_id)
		return 0;
	char hdr[1024];
	gateway_error e;
	int n = snprintf(hdr, sizeof hdr, "Bearer %s", cfg->mcp.stdio_key_id);
	if (n < 0 || (size_t)n >= sizeof hdr || gateway_auth(gw, str_make(hdr, (size_t)n), pr, &e) < 0 || pr->master) {
		/* config_check_stdio_key passed, so this is a master key given as stdio_key_id */
		if (pr->master)
			return 0;
		return fatal("mcp.stdio_key_id does not name a usable virtual key");
	}
	log_debug("mcp stdio bound to virtual key %s", pr->key_id);
	return 0;
}

/* stdio start-up must be instant, and loading the system trust store takes
 * ~100 ms: it runs on a helper thread while the first messages are served;
 * the first upstream request waits for it and creates the http_client.
 * gh is the first member: the gateway's timer functions take the upstream's
 * ud as the gateway_http (gateway_upstream_http). */
typedef struct lazy_upstream {
	gateway_http gh;              /* client NULL until the first request */
	gateway_upstream real;        /* gateway_upstream_http(&gh) */
	upstream_env *ue;
	pthread_t th;
	bool th_started, th_joined, failed;
	char err[512];
} lazy_upstream;

static void *lazy_tls_thread(void *arg)
{
	lazy_upstream *lu = arg;
	lu->failed = upstream_env_tls(lu->ue, lu->err, sizeof lu->err) < 0;
	return NULL;
}

static void lazy_join(lazy_upstream *lu)
{
	if (lu->th_started && !lu->th_joined) {
		pthread_join(lu->th, NULL);
		lu->th_joined = true;
		if (lu->failed)
			log_error("TLS trust anchors: %s (https upstreams will fail)", lu->err);
	}
}

static int lazy_request(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen)
{
	lazy_upstream *lu = ud;
	if (!lu->gh.client) {
		lazy_join(lu);
		upstream_env *ue = lu->ue;
		if (http_client_new(&lu->gh.client, lu->gh.loop, ue->d, ue->tc, &ue->pol, &ue->hp, NULL) < 0) {
			snprintf(err, errlen, "out of memory");
			return HTTP_CLIENT_E_NOMEM;
		}
	}
	return lu->real.request(lu->real.ud, s, h, err, errlen);
}

static gateway_upstream lazy_upstream_start(lazy_upstream *lu, upstream_env *ue, loop *l)
{
	memset(lu, 0, sizeof *lu);
	lu->ue = ue;
	lu->gh.loop = l;
	lu->real = gateway_upstream_http(&lu->gh);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);   /* the helper never takes SIGTERM */
	lu->th_started = pthread_create(&lu->th, NULL, lazy_tls_thread, lu) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!lu->th_started) {
		lu->th_joined = true;
		lazy_tls_thread(lu);
	}
	gateway_upstream up = lu->real;
	up.request = lazy_request;
	up.ud = lu;
	return up;
}

static void lazy_upstream_free(lazy_upstream *lu)
{
	lazy_join(lu);
	http_client_free(lu->gh.client);
	lu->gh.client = NULL;
}

/* liter-llm mcp --transport stdio: one loop on the main thread. */
static int serve_mcp_stdio(const config *cfg)
{
	char err[1024];
	int rc = 0;
	upstream_env ue = { 0 };
	gateway *gw = NULL;
	loop *l = NULL;
	lazy_upstream lu;
	bool lu_started = false;
	mcp_exec *x = NULL;

	if (gateway_new(&gw, cfg, (provider_env){ env_get, NULL }, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	gateway_principal pr;
	if ((rc = mcp_stdio_principal(gw, cfg, &pr)))
		goto out;
	if (upstream_env_init(&ue, cfg, false, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	if (loop_new(&l) < 0) {
		rc = fatal("cannot start the event loop");
		goto out;
	}
	gateway_upstream up = lazy_upstream_start(&lu, &ue, l);
	lu_started = true;
	uint64_t rt = cfg->server.request_timeout_secs;
	mcp_exec_config ec = { .gw = gw, .loop = l, .up = &up, .timeout_ms = rt > 4000000 ? 4000000000u : rt * 1000,
			       .principal = pr };
	if (mcp_exec_new(&x, &ec) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	mcp_stdio_config sc = {
		.loop = l,
		.in_fd = 0,
		.out_fd = 1,
		.handle_signals = true,
		.core = { .server_version = LITER_LLM_VERSION, .provider_count = (unsigned)provider_count(),
			  .max_message_bytes = cfg->mcp.max_message_bytes, .executor = mcp_exec_executor(x),
			  .catalog = mcp_exec_catalog(x) },
	};
	if (gateway_zero_config(gw) && !gateway_ready(gw))
		log_warn("mcp: no [[models]] configured and no provider key in the environment: tool calls will fail");
	if (mcp_stdio_run(&sc, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	rc = 0;
out:
	mcp_exec_free(x);
	if (lu_started)
		lazy_upstream_free(&lu);
	upstream_env_free(&ue);   /* the resolver before the loop it posts into */
	loop_free(l);
	gateway_free(gw);
	return rc;
}

static bool host_is_loopback(const char *host)
{
	return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0 ||
	       strcmp(host, "localhost") == 0;
}

/* liter-llm mcp --transport http: Streamable HTTP on host:port, /mcp only.
 * One worker thread: sessions (MCP cores) belong to one loop. */
static int serve_mcp_http(const config *cfg, const char *host, uint16_t port, unsigned long threads)
{
	(void)threads;
	char err[1024];
	int rc = 0;
	upstream_env ue = { 0 };
	gateway *gw = NULL;
	mcp_http *mh = NULL;
	http_server *srv = NULL;
	bool loopback = host_is_loopback(host);
	bool bearer = cfg->mcp.http_auth == CONFIG_MCP_AUTH_BEARER;

	if (gateway_new(&gw, cfg, (provider_env){ env_get, NULL }, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	if (upstream_env_init(&ue, cfg, true, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	uint64_t rt = cfg->server.request_timeout_secs;
	uint64_t idle = cfg->mcp.session_idle_secs;
	mcp_http_config hc = {
		.gw = gw, .dns = ue.d, .tls = ue.tc, .policy = &ue.pol, .http_proxy = &ue.hp,
		.loopback_guard = loopback, .bearer = bearer,
		.max_message_bytes = cfg->mcp.max_message_bytes,
		.session_idle_ms = idle > 4000000000ull ? 4000000000000ull : idle * 1000,
		.timeout_ms = rt > 4000000 ? 4000000000u : rt * 1000,
		.server_version = LITER_LLM_VERSION, .provider_count = (unsigned)provider_count(),
	};
	if (mcp_http_new(&mh, &hc) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	http_handler h = mcp_http_handler(mh);
	http_server_config sc = {
		.host = host,
		.port = port,
		.threads = 1,
		.signals = true,
		.body_bytes = cfg->mcp.max_message_bytes ? cfg->mcp.max_message_bytes : LIMIT_MCP_MESSAGE_BYTES,
	};
	if (http_server_new(&srv, &sc, &h) < 0) {
		rc = fatal("out of memory");
		goto out;
	}
	if (http_server_start(srv, err, sizeof err) < 0) {
		rc = fatal(err);
		goto out;
	}
	sock_addr la;
	char addr[128];
	http_server_local_addr(srv, &la);
	sock_addr_format(&la, addr, sizeof addr);
	if (gateway_check_self_loop(gw, host, sock_addr_port(&la), err, sizeof err) < 0) {
		http_server_shutdown(srv);
		http_server_wait(srv);
		rc = fatal(err);
		goto out;
	}
	if (!loopback && !bearer)
		log_warn("!!! the MCP HTTP transport listens on %s WITHOUT authentication ([mcp] http_auth = \"none\"): "
			 "anyone who can reach this address can call every tool with master rights and spend your "
			 "provider credits. Bind 127.0.0.1, put an authenticating reverse proxy in front, or set "
			 "[mcp] http_auth = \"bearer\" !!!", addr);
	log_info("liter-llm MCP server listening on http://%s/mcp (auth: %s)", addr, bearer ? "bearer" : "none");
	if (http_server_wait(srv) == WORKERS_ABORTED)
		log_error("shutdown aborted: in-flight requests were cut off");
	rc = 0;
out:
	http_server_free(srv);
	mcp_http_free(mh);
	upstream_env_free(&ue);
	gateway_free(gw);
	return rc;
}

static int cmd_mcp(const config_cli *cli)
{
	set_log_level(false);
	config *cfg;
	int rc = load_config(cli->config_path, &cfg);
	if (rc)
		return rc;
	if ((rc = check(config_check_routing, cfg)) || (rc = check(config_check_files, cfg)))
		goto out;
	const char *host = cli->host ? cli->host : "127.0.0.1";
	uint16_t port = cli->port_set ? cli->port : 3001;
	bool stdio = strcmp(cli->transport, "stdio") == 0;
	if (stdio) {
		if ((rc = check(config_check_stdio_key, cfg)))
			goto out;
	} else if (strcmp(cli->transport, "http") == 0) {
		config_errors errs = { 0 };
		if (config_check_mcp_listen(host, port, &errs) < 0)
			rc = fatal(errs.v[0].text);
		config_errors_free(&errs);
		if (rc)
			goto out;
	} else {
		char msg[600];
		snprintf(msg, sizeof msg, "unknown transport '%s', use 'stdio' or 'http'", cli->transport);
		rc = fatal(msg);
		goto out;
	}
	log_debug("mcp: transport %s%s", cli->transport, stdio ? "" : " (http)");

	/* ==== SERVER START ======================================================= */
	rc = stdio ? serve_mcp_stdio(cfg) : serve_mcp_http(cfg, host, port, cli->worker_threads);
	/* ==== END SERVER START ================================================== */
out:
	config_free(cfg);
	return rc;
}

static int by_pos(const void *a, const void *b)
{
	const config_error *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static void print_errors(config_errors *errs, const char *path)
{
	/* stable sort by position: insertion order is kept for ties */
	for (size_t i = 1; i < errs->n; i++)
		for (size_t j = i; j > 0 && by_pos(&errs->v[j - 1], &errs->v[j]) > 0; j--) {
			config_error t = errs->v[j];
			errs->v[j] = errs->v[j - 1];
			errs->v[j - 1] = t;
		}
	for (size_t i = 0; i < errs->n; i++) {
		const config_error *e = &errs->v[i];
		const char *f = e->file ? e->file : path;
		char red[LIMIT_LOG_LINE];
		log_redact(e->msg, strlen(e->msg), red, sizeof red);
		if (e->line)
			fprintf(stderr, "%s:%u:%u: %s\n", f, e->line, e->col, red);
		else
			fprintf(stderr, "%s: %s\n", f, red);
	}
}

static int cmd_check(const config_cli *cli)
{
	set_log_level(false);
	config_errors errs = { 0 };
	config *cfg = NULL;
	char *found = NULL;
	const char *path = cli->config_path;
	int rc = 0;
	if (!path) {
		if (config_discover(&found, &errs) < 0) {
			rc = fatal(errs.v[0].text);
			goto out;
		}
		path = found;
	}
	if (!path) {
		char cwd[PATH_MAX];
		printf("no %s found in %s or any parent directory: the built-in defaults apply\n", CONFIG_FILE_NAME,
		       getcwd(cwd, sizeof cwd) ? cwd : ".");
		cfg = config_new_default();
	} else if (config_load_file(path, config_env_getenv, NULL, &cfg, &errs) < 0) {
		print_errors(&errs, path);
		rc = 1;
		goto out;
	}
	if (!cfg) {
		rc = fatal("out of memory");
		goto out;
	}
	config_register_secrets(cfg);
	config_check_security(cfg, &errs);
	config_check_files(cfg, &errs);
	config_check_routing(cfg, &errs);
	config_check_stdio_key(cfg, &errs);
	if (errs.n) {
		print_errors(&errs, path ? path : CONFIG_FILE_NAME);
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < cfg->n_warnings; i++)
		fprintf(stderr, "%s:%u:%u: warning: %s\n", path, cfg->warnings[i].pos.line, cfg->warnings[i].pos.col,
			cfg->warnings[i].msg);
	buf out = { 0 };
	if (path)
		buf_printf(&out, "%s: ok\n", path);
	if (config_summary(cfg, &out) < 0) {
		buf_free(&out);
		rc = fatal("out of memory");
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	buf_free(&out);
out:
	config_free(cfg);
	config_errors_free(&errs);
	free(found);
	return rc;
}

int main(int argc, char **argv)
{
	config_cli cli;
	int rc;
	switch (config_cli_parse(argc, argv, config_env_getenv, NULL, &cli)) {
	case CONFIG_CLI_HELP:
		fputs(config_cli_help(cli.cmd), stdout);
		rc = 0;
		break;
	case CONFIG_CLI_VERSION:
		printf("liter-llm %s\n", LITER_LLM_VERSION);
		rc = 0;
		break;
	case CONFIG_CLI_USAGE:
		fprintf(stderr, "error: %s\n\n%s\n\nFor more information, try '--help'.\n", cli.err,
			config_cli_usage(cli.cmd));
		rc = 2;
		break;
	case CONFIG_CLI_RUN:
	default:
		rc = cli.cmd == CONFIG_CLI_API ? cmd_api(&cli) : cli.cmd == CONFIG_CLI_MCP ? cmd_mcp(&cli) : cmd_check(&cli);
		break;
	}
	config_cli_free(&cli);
	fflush(stdout);
	return rc;
}
