/* test_server.c — a tiny program on top of http_server for the integration
 * test (tests/integration/http_server.sh) and the benchmark (bench/http_bench.sh).
 *
 *   test_server [--host H] [--port P] [--threads N] [--port-file F]
 *               [--header-timeout-ms N] [--idle-timeout-ms N] [--body-limit N]
 *               [--max-conns N] [--request-timeout-ms N] [--quiet]
 *
 * Routes: GET /hello ("hello", text/plain), POST /echo (the body back),
 * GET /stream?n=5&ms=100 (n SSE events, ms apart), GET /slow?ms=1000
 * ("slow done" after ms), GET /big?n=BYTES. SIGTERM/SIGINT: graceful drain,
 * exit 0. Aborted requests are logged to stderr as "aborted <path>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "http/http_server.h"

typedef struct job {
	loop_timer t;
	http_request *r;
	int left, i;
	uint64_t ms;
	char path[32];
} job;

static void job_abort(http_request *r, void *ud)
{
	job *j = ud;
	loop_timer_stop(http_req_loop(r), &j->t);
	log_info("aborted %s", j->path);
	free(j);
}

static const http_req_hooks hooks = { .on_abort = job_abort };

static const http_header text[] = { { STR_LIT("Content-Type"), STR_LIT("text/plain") } };

static void slow_fire(loop *l, void *ud)
{
	(void)l;
	job *j = ud;
	http_respond(j->r, 200, text, 1, "slow done", 9);
	free(j);
}

static void stream_fire(loop *l, void *ud)
{
	job *j = ud;
	char ev[64];
	int n = snprintf(ev, sizeof ev, "data: %d\n\n", j->i++);
	if (http_resp_write(j->r, ev, (size_t)n) < 0)
		return;   /* client gone: on_abort follows */
	if (--j->left > 0) {
		loop_timer_start(l, &j->t, j->ms);
		return;
	}
	http_resp_end(j->r);
	free(j);
}

static uint64_t qnum(const http_request *r, const char *name, uint64_t dflt)
{
	str v;
	uint64_t x;
	if (r->query.p && http_parse_query_get(r->query, str_from(name), &v) == 0 && str_to_u64(v, &x))
		return x;
	return dflt;
}

static job *job_new(http_request *r, loop_timer_fn fn)
{
	job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->r = r;
	snprintf(j->path, sizeof j->path, "%.*s", (int)(r->path.n < 31 ? r->path.n : 31), r->path.p);
	loop_timer_init(&j->t, fn, j);
	http_req_set_hooks(r, &hooks, j);
	return j;
}

static void on_request(http_request *r, void *ud)
{
	(void)ud;
	str p = r->path_decoded;
	if (str_eq_cstr(p, "/hello")) {
		http_respond(r, 200, text, 1, "hello", 5);
	} else if (str_eq_cstr(p, "/echo")) {
		http_respond(r, 200, text, 1, r->body.p, r->body.n);
	} else if (str_eq_cstr(p, "/slow")) {
		job *j = job_new(r, slow_fire);
		if (!j) {
			http_respond(r, 500, NULL, 0, NULL, 0);
			return;
		}
		loop_timer_start(http_req_loop(r), &j->t, qnum(r, "ms", 1000));
	} else if (str_eq_cstr(p, "/stream")) {
		static const http_header sse[] = { { STR_LIT("Content-Type"), STR_LIT("text/event-stream") },
			                           { STR_LIT("Cache-Control"), STR_LIT("no-cache") } };
		job *j = job_new(r, stream_fire);
		if (!j) {
			http_respond(r, 500, NULL, 0, NULL, 0);
			return;
		}
		j->left = (int)qnum(r, "n", 5);
		j->ms = qnum(r, "ms", 100);
		if (http_resp_begin(r, 200, sse, 2) != 0) {
			free(j);
			return;
		}
		if (j->left <= 0) {
			http_resp_end(r);
			free(j);
			return;
		}
		loop_timer_start(http_req_loop(r), &j->t, j->ms);
	} else if (str_eq_cstr(p, "/big")) {
		size_t n = (size_t)qnum(r, "n", 1u << 20);
		char *b = malloc(n ? n : 1);
		if (!b) {
			http_respond(r, 500, NULL, 0, NULL, 0);
			return;
		}
		for (size_t i = 0; i < n; i++)
			b[i] = (char)('a' + i % 26);
		http_respond(r, 200, text, 1, b, n);
		free(b);
	} else {
		http_respond(r, 404, NULL, 0, NULL, 0);
	}
}

static unsigned long arg_num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end) {
		fprintf(stderr, "bad number: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	http_server_config cfg = { .host = "127.0.0.1", .signals = true };
	const char *port_file = NULL;
	log_set_level(LOG_INFO);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--quiet")) {
			log_set_level(LOG_WARN);
			continue;
		}
		if (!v) {
			fprintf(stderr, "usage: see the top of test_server.c\n");
			return 2;
		}
		i++;
		if (!strcmp(a, "--host"))
			cfg.host = v;
		else if (!strcmp(a, "--port"))
			cfg.port = (uint16_t)arg_num(v);
		else if (!strcmp(a, "--threads"))
			cfg.threads = (int)arg_num(v);
		else if (!strcmp(a, "--port-file"))
			port_file = v;
		else if (!strcmp(a, "--header-timeout-ms"))
			cfg.header_timeout_ms = (uint32_t)arg_num(v);
		else if (!strcmp(a, "--idle-timeout-ms"))
			cfg.idle_timeout_ms = (uint32_t)arg_num(v);
		else if (!strcmp(a, "--body-limit"))
			cfg.body_bytes = arg_num(v);
		else if (!strcmp(a, "--max-conns"))
			cfg.max_conns = arg_num(v);
		else if (!strcmp(a, "--request-timeout-ms"))
			cfg.request_timeout_ms = (uint32_t)arg_num(v);
		else {
			fprintf(stderr, "unknown flag %s\n", a);
			return 2;
		}
	}
	http_handler h = { .on_request = on_request };
	http_server *s;
	char err[256];
	if (http_server_new(&s, &cfg, &h) != 0) {
		fprintf(stderr, "Error: bad configuration\n");
		return 1;
	}
	if (http_server_start(s, err, sizeof err) != 0) {
		fprintf(stderr, "Error: %s\n", err);
		http_server_free(s);
		return 1;
	}
	sock_addr a;
	char as[SOCK_ADDR_STRLEN];
	http_server_local_addr(s, &a);
	sock_addr_format(&a, as, sizeof as);
	log_info("test_server listening on %s", as);
	if (port_file) {
		char tmp[512];
		snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", (unsigned)sock_addr_port(&a)) < 0 || fclose(f) != 0 ||
		    rename(tmp, port_file) != 0) {
			fprintf(stderr, "Error: cannot write %s\n", port_file);
			return 1;
		}
	}
	int rc = http_server_wait(s);
	http_server_free(s);
	return rc < 0 ? 1 : 0;
}
