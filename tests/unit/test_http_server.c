/* test_http_server.c — the HTTP/1.1 server driven in-process: one worker
 * thread on 127.0.0.1:0 (or [::1]:0), raw blocking sockets as clients,
 * responses read back with http_parse. Covers keep-alive, pipelining, bodies
 * (length, chunked, 100-continue, limits), every class of parse error,
 * timeouts, streaming with backpressure, client disconnects, max_conns,
 * graceful drain and the "no malloc per request" steady state.
 * Timing bounds are generous: the machine is shared. */
#include "t.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "http/http_parse.h"
#include "http/http_server.h"

/* --- the application under test ------------------------------------------- */

static atomic_int n_aborts, n_drains, n_timeouts;

typedef struct job {
	loop_timer t;
	http_request *r;
	int kind;        /* 0 slow, 1 stream, 2 bigstream, 3 never */
	int step;
	size_t sent, total;
	bool waiting;    /* FULL: wait for on_drain */
} job;

static void job_abort(http_request *r, void *ud)
{
	(void)r;
	job *j = ud;
	loop_timer_stop(http_req_loop(j->r), &j->t);
	atomic_fetch_add(&n_aborts, 1);
	free(j);
}

static void bigstream_pump(job *j);

static void job_drain(http_request *r, void *ud)
{
	(void)r;
	job *j = ud;
	atomic_fetch_add(&n_drains, 1);
	j->waiting = false;
	bigstream_pump(j);
}

static void job_timeout(http_request *r, void *ud)
{
	job *j = ud;
	atomic_fetch_add(&n_timeouts, 1);
	loop_timer_stop(http_req_loop(r), &j->t);
	static const http_header h[] = { { STR_LIT("Content-Type"), STR_LIT("application/json") } };
	http_respond(r, 504, h, 1, "{\"error\":\"timeout\"}", 19);
	free(j);
}

static const http_req_hooks job_hooks = { job_abort, job_drain, job_timeout };
static const http_req_hooks job_hooks_abort_only = { job_abort, job_drain, NULL };

static char big_pattern(size_t i) { return (char)('a' + (i * 7 + i / 251) % 26); }

static void bigstream_pump(job *j)
{
	char chunk[65536];
	while (!j->waiting && j->sent < j->total) {
		size_t n = j->total - j->sent < sizeof chunk ? j->total - j->sent : sizeof chunk;
		for (size_t i = 0; i < n; i++)
			chunk[i] = big_pattern(j->sent + i);
		int rc = http_resp_write(j->r, chunk, n);
		if (rc < 0)
			return;   /* client gone: on_abort follows */
		j->sent += n;
		if (rc == HTTP_RESP_FULL)
			j->waiting = true;
	}
	if (j->sent == j->total && !j->waiting) {
		http_resp_end(j->r);
		free(j);
	}
}

static void job_fire(loop *l, void *ud)
{
	job *j = ud;
	if (j->kind == 0) {
		static const http_header h[] = { { STR_LIT("Content-Type"), STR_LIT("text/plain") } };
		http_respond(j->r, 200, h, 1, "slow done", 9);
		free(j);
		return;
	}
	if (j->kind == 1) {
		char ev[64];
		int n = snprintf(ev, sizeof ev, "data: %d\n\n", j->step);
		if (http_resp_write(j->r, ev, (size_t)n) < 0)
			return;   /* on_abort follows */
		if (++j->step == 5) {
			http_resp_end(j->r);
			free(j);
			return;
		}
		loop_timer_start(l, &j->t, 20);
	}
}

static job *job_new(http_request *r, int kind, const http_req_hooks *hooks)
{
	job *j = calloc(1, sizeof *j);
	j->r = r;
	j->kind = kind;
	loop_timer_init(&j->t, job_fire, j);
	http_req_set_hooks(r, hooks, j);
	return j;
}

static void app(http_request *r, void *ud)
{
	(void)ud;
	static const http_header tp[] = { { STR_LIT("Content-Type"), STR_LIT("text/plain") } };
	str p = r->path_decoded;
	if (str_eq_cstr(p, "/hello")) {
		http_respond(r, 200, tp, 1, "hello", 5);
	} else if (str_eq_cstr(p, "/echo")) {
		http_respond(r, 200, tp, 1, r->body.p, r->body.n);
	} else if (str_eq_cstr(p, "/slow")) {
		job *j = job_new(r, 0, &job_hooks);
		loop_timer_start(http_req_loop(r), &j->t, 150);
	} else if (str_eq_cstr(p, "/hold")) {   /* answers after 5 s unless the client leaves */
		job *j = job_new(r, 0, &job_hooks);
		loop_timer_start(http_req_loop(r), &j->t, 5000);
	} else if (str_eq_cstr(p, "/stream")) {
		static const http_header h[] = { { STR_LIT("Content-Type"), STR_LIT("text/event-stream") } };
		job *j = job_new(r, 1, &job_hooks);
		if (http_resp_begin(r, 200, h, 1) != 0) {
			free(j);
			return;
		}
		loop_timer_start(http_req_loop(r), &j->t, 10);
	} else if (str_eq_cstr(p, "/bigstream")) {
		job *j = job_new(r, 2, &job_hooks);
		j->total = 8u << 20;
		if (http_resp_begin(r, 200, tp, 1) != 0) {
			free(j);
			return;
		}
		bigstream_pump(j);
	} else if (str_eq_cstr(p, "/big")) {
		size_t n = 4u << 20;
		char *b = malloc(n);
		for (size_t i = 0; i < n; i++)
			b[i] = big_pattern(i);
		http_respond(r, 200, tp, 1, b, n);
		free(b);
	} else if (str_eq_cstr(p, "/never")) {
		(void)job_new(r, 3, &job_hooks);   /* waits for abort or timeout */
		http_req_set_timeout(r, 150);
	} else if (str_eq_cstr(p, "/never-abort-only")) {
		(void)job_new(r, 3, &job_hooks_abort_only);
		http_req_set_timeout(r, 150);
	} else if (str_eq_cstr(p, "/info")) {
		char *out = arena_alloc(r->arena, 1024);
		int n = snprintf(out, 1024, "%.*s|%.*s|%s|%d|%zu", STR_ARG(r->path_decoded),
		                 (int)r->query.n, r->query.p ? r->query.p : "", r->query.p ? "q" : "noq",
		                 r->minor, r->nheaders);
		http_respond(r, 200, tp, 1, out, (size_t)n);
	} else if (str_eq_cstr(p, "/badheader")) {
		static const http_header h[] = { { STR_LIT("X-Bad"), STR_LIT("a\r\nInjected: 1") } };
		http_respond(r, 200, h, 1, "x", 1);
	} else if (str_eq_cstr(p, "/nocontent")) {
		http_respond(r, 204, NULL, 0, NULL, 0);
	} else {
		http_respond(r, 404, NULL, 0, NULL, 0);
	}
}

/* --- server set-up ------------------------------------------------------------ */

static http_server *srv;
static sock_addr srv_addr;

static int start_cfg(http_server_config *cfg)
{
	http_handler h = { .on_request = app };
	cfg->threads = 1;
	if (!cfg->host)
		cfg->host = "127.0.0.1";
	char err[256];
	if (http_server_new(&srv, cfg, &h) != 0)
		return -1;
	if (http_server_start(srv, err, sizeof err) != 0) {
		printf("start: %s\n", err);
		http_server_free(srv);
		srv = NULL;
		return -1;
	}
	http_server_local_addr(srv, &srv_addr);
	return 0;
}

static int start_default(void)
{
	http_server_config cfg = { .body_bytes = 1u << 20 };
	return start_cfg(&cfg);
}

static int stop_server(void)
{
	http_server_shutdown(srv);
	int rc = http_server_wait(srv);
	http_server_free(srv);
	srv = NULL;
	return rc;
}

/* --- raw client --------------------------------------------------------------- */

static int dial_to(const sock_addr *a)
{
	int fd = socket(sock_addr_family(a), SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, &a->u.sa, a->len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int dial(void) { return dial_to(&srv_addr); }

static int send_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_str(int fd, const char *s) { return send_all(fd, s, strlen(s)); }

typedef struct conn_in {
	int fd;
	char *b;
	size_t len, cap;
	bool eof;
} conn_in;

static void cin_init(conn_in *ci, int fd)
{
	memset(ci, 0, sizeof *ci);
	ci->fd = fd;
	ci->cap = 1 << 16;
	ci->b = malloc(ci->cap);
}

static void cin_free(conn_in *ci)
{
	free(ci->b);
	if (ci->fd >= 0)
		close(ci->fd);
	ci->fd = -1;
}

/* Read more bytes: 1, 0 at EOF, -1 on error/timeout. */
static int cin_more(conn_in *ci)
{
	if (ci->len == ci->cap) {
		ci->cap *= 2;
		ci->b = realloc(ci->b, ci->cap);
	}
	ssize_t n = recv(ci->fd, ci->b + ci->len, ci->cap - ci->len, 0);
	if (n > 0) {
		ci->len += (size_t)n;
		return 1;
	}
	if (n == 0)
		ci->eof = true;
	return n == 0 ? 0 : -1;
}

static void cin_consume(conn_in *ci, size_t n)
{
	memmove(ci->b, ci->b + n, ci->len - n);
	ci->len -= n;
}

typedef struct resp {
	int status;
	char head[4096];
	char *body;
	size_t blen;
	bool chunked, conn_close, has_cl;
} resp;

static bool resp_has(const resp *r, const char *needle) { return strstr(r->head, needle) != NULL; }

/* Read one response. head_req: the request was HEAD. Returns 0 or -1. */
static int read_resp(conn_in *ci, resp *r, bool head_req)
{
	memset(r, 0, sizeof *r);
	http_header hh[64];
	http_resp pr;
	int hl;
	for (;;) {
		hl = http_parse_response(ci->b, ci->len, 0, NULL, hh, 64, &pr);
		if (hl > 0 && pr.status == 100) {
			cin_consume(ci, (size_t)hl);
			continue;
		}
		if (hl > 0)
			break;
		if (hl != ERR_AGAIN || cin_more(ci) <= 0)
			return -1;
	}
	r->status = pr.status;
	size_t hc = (size_t)hl < sizeof r->head - 1 ? (size_t)hl : sizeof r->head - 1;
	memcpy(r->head, ci->b, hc);
	r->head[hc] = 0;
	r->chunked = pr.chunked;
	r->has_cl = pr.has_content_length;
	r->conn_close = !pr.keep_alive;
	http_body bm = http_parse_resp_body(&pr, head_req ? HTTP_METHOD_HEAD : HTTP_METHOD_GET);
	cin_consume(ci, (size_t)hl);
	if (bm == HTTP_BODY_LENGTH) {
		while (ci->len < pr.content_length)
			if (cin_more(ci) <= 0)
				return -1;
		r->blen = (size_t)pr.content_length;
		r->body = malloc(r->blen + 1);
		memcpy(r->body, ci->b, r->blen);
		r->body[r->blen] = 0;
		cin_consume(ci, r->blen);
	} else if (bm == HTTP_BODY_CHUNKED) {
		http_chunked ch = { 0 };
		size_t cap = 1024;
		r->body = malloc(cap);
		for (;;) {
			size_t used = 0, prod = 0;
			if (cap - r->blen < ci->len + 1) {
				cap = r->blen + ci->len + 1024;
				r->body = realloc(r->body, cap);
			}
			int rc = http_parse_chunked(&ch, ci->b, ci->len, &used, r->body + r->blen, cap - r->blen - 1, &prod);
			r->blen += prod;
			cin_consume(ci, used);
			if (rc == 0)
				break;
			if (rc != ERR_AGAIN)
				return -1;
			if (ci->len == 0 && cin_more(ci) <= 0)
				return -1;
		}
		r->body[r->blen] = 0;
	} else if (bm == HTTP_BODY_EOF) {
		while (cin_more(ci) > 0)
			;
		r->blen = ci->len;
		r->body = malloc(r->blen + 1);
		memcpy(r->body, ci->b, r->blen);
		r->body[r->blen] = 0;
		ci->len = 0;
	} else {
		r->body = calloc(1, 1);
	}
	return 0;
}

static void resp_free(resp *r) { free(r->body); r->body = NULL; }

/* Does the server close the connection (EOF or reset) within ms? Bytes
 * arriving meanwhile are appended to ci. */
static bool closes_within(conn_in *ci, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	setsockopt(ci->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (;;) {
		int r = cin_more(ci);
		if (r == 0)
			return true;
		if (r < 0)
			return errno == ECONNRESET;
	}
}

/* One request on a fresh connection; returns the status (or -1). */
static int one_shot(const char *req, resp *out)
{
	int fd = dial();
	if (fd < 0)
		return -1;
	conn_in ci;
	cin_init(&ci, fd);
	resp r;
	int st = -1;
	if (send_str(fd, req) == 0 && read_resp(&ci, &r, false) == 0) {
		st = r.status;
		if (out)
			*out = r;
		else
			resp_free(&r);
	}
	cin_free(&ci);
	return st;
}

static bool server_ok(void)
{
	resp r;
	int st = one_shot("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", &r);
	bool ok = st == 200 && r.blen == 5 && memcmp(r.body, "hello", 5) == 0;
	if (st >= 0)
		resp_free(&r);
	return ok;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait (bounded) until an atomic counter reaches want. */
static bool wait_count(atomic_int *c, int want)
{
	for (int i = 0; i < 500 && atomic_load(c) < want; i++)
		sleep_ms(10);
	return atomic_load(c) >= want;
}

/* --- tests ---------------------------------------------------------------------- */

TEST(hello_basic)
{
	resp r;
	CHECK_EQ_INT(one_shot("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	CHECK(resp_has(&r, "\r\nServer: liter-llm\r\n"));
	CHECK(resp_has(&r, "\r\nDate: "));
	CHECK(resp_has(&r, " GMT\r\n"));
	CHECK(resp_has(&r, "\r\nContent-Length: 5\r\n"));
	CHECK(resp_has(&r, "\r\nContent-Type: text/plain\r\n"));
	CHECK(!r.conn_close);
	resp_free(&r);
	CHECK_EQ_INT(one_shot("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", NULL), 404);
	CHECK_EQ_INT(one_shot("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\n", &r), 204);
	CHECK(!r.has_cl && r.blen == 0);
	resp_free(&r);
}

TEST(keepalive_no_malloc_steady_state)
{
	int fd = dial();
	CHECK(fd >= 0);
	conn_in ci;
	cin_init(&ci, fd);
	http_server_stats before, after;
	for (int i = 0; i < 20; i++) {   /* warm up */
		resp r;
		send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
		CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
		resp_free(&r);
	}
	http_server_stats_get(srv, &before);
	int ok = 0;
	for (int i = 0; i < 500; i++) {
		resp r;
		send_str(fd, i % 2 ? "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
		                   : "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
		if (read_resp(&ci, &r, false) == 0 && r.status == 200 && r.blen == (i % 2 ? 5u : 3u))
			ok++;
		resp_free(&r);
	}
	CHECK_EQ_INT(ok, 500);
	http_server_stats_get(srv, &after);
	CHECK_EQ_INT(after.ctx_allocs, before.ctx_allocs);
	CHECK_EQ_INT(after.conn_allocs, before.conn_allocs);
	CHECK(after.requests - before.requests >= 500);
	cin_free(&ci);
}

TEST(pipelining_in_order)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	/* slow one in the middle: answers must still come in request order */
	CHECK_EQ_INT(send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
	                          "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
	                          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping"
	                          "GET /info?a=1 HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	resp r;
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "slow done", 9);
	resp_free(&r);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "ping", 4);
	resp_free(&r);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_STR(r.body, "/info|a=1|q|1|1");
	resp_free(&r);
	/* many small pipelined requests in one write (more than one pass of the state machine) */
	char *many = malloc(600 * 40);
	size_t n = 0;
	for (int i = 0; i < 600; i++)
		n += (size_t)sprintf(many + n, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(send_all(fd, many, n), 0);
	int ok = 0;
	for (int i = 0; i < 600; i++) {
		if (read_resp(&ci, &r, false) != 0)
			break;
		ok += r.status == 200 && r.blen == 5;
		resp_free(&r);
	}
	CHECK_EQ_INT(ok, 600);
	free(many);
	cin_free(&ci);
}

TEST(bodies)
{
	resp r;
	/* chunked upload with extensions and a trailer */
	CHECK_EQ_INT(one_shot("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                      "3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-T: 1\r\n\r\n", &r), 200);
	CHECK_EQ_MEM(r.body, r.blen, "abcdefg", 7);
	resp_free(&r);
	/* large Content-Length body (bigger than the read buffer) sent in pieces */
	size_t n = 300000;
	char *big = malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = big_pattern(i);
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	char head[128];
	snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", n);
	send_str(fd, head);
	send_all(fd, big, 1000);
	sleep_ms(20);
	send_all(fd, big + 1000, n - 1000);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.blen == n && memcmp(r.body, big, n) == 0);
	resp_free(&r);
	/* large chunked body on the same connection, then a small request */
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	for (size_t off = 0; off < n; off += 7000) {
		size_t k = n - off < 7000 ? n - off : 7000;
		char ch[32];
		snprintf(ch, sizeof ch, "%zx\r\n", k);
		send_str(fd, ch);
		send_all(fd, big + off, k);
		send_str(fd, "\r\n");
	}
	send_str(fd, "0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.blen == n && memcmp(r.body, big, n) == 0);
	resp_free(&r);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	cin_free(&ci);
	free(big);
}

TEST(expect_continue)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
	/* the interim response comes before we send the body */
	while (ci.len < 25 && cin_more(&ci) > 0)
		;
	CHECK(ci.len >= 25 && memcmp(ci.b, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0);
	cin_consume(&ci, 25);
	send_str(fd, "hello");
	resp r;
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	cin_free(&ci);

	/* too large: 413 at once, no 100, connection closed */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nExpect: 100-continue\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(r.conn_close);
	resp_free(&r);
	CHECK(closes_within(&ci, 5000));
	cin_free(&ci);
}

TEST(body_limits)
{
	resp r;
	/* Content-Length over the limit: answered before the body is sent */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 413);
	CHECK(r.conn_close);
	resp_free(&r);
	CHECK(closes_within(&ci, 5000));
	cin_free(&ci);
	/* chunked over the limit, sent while the server answers */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
	char *blk = malloc(65536 + 16);
	memcpy(blk, "10000\r\n", 7);
	memset(blk + 7, 'z', 65536);
	memcpy(blk + 7 + 65536, "\r\n", 2);
	for (int i = 0; i < 20; i++)
		if (send_all(fd, blk, 65536 + 9) != 0)
			break;
	free(blk);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 413);
	resp_free(&r);
	CHECK(closes_within(&ci, 8000));
	cin_free(&ci);
	/* exactly at the limit is fine */
	size_t lim = 1u << 20;
	char *body = malloc(lim);
	memset(body, 'q', lim);
	fd = dial();
	cin_init(&ci, fd);
	char head[128];
	snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", lim);
	send_str(fd, head);
	send_all(fd, body, lim);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.blen == lim);
	resp_free(&r);
	cin_free(&ci);
	free(body);
	CHECK(server_ok());
}

static const struct bad_case {
	const char *req;
	size_t n;
	int status;
} bad_cases[] = {
#define BAD(s, st) { s, sizeof(s) - 1, st }
	BAD("GE T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
	BAD("G(ET / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
	BAD("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
	BAD("GET / HTTP/1.1\r\n\r\n", 400),                                   /* no Host */
	BAD("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
	BAD("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),          /* obs-fold */
	BAD("GET / HTTP/1.1\r\nHost: x\r\nX : a\r\n\r\n", 400),
	BAD("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 400),             /* NUL in a value */
	BAD("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", 400),                     /* NUL in the target */
	BAD("GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", 400),
	BAD("GET / HTTP/1.1\rHost: x\r\n\r\n", 400),                           /* bare CR */
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400),
	BAD("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400),
	BAD("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
	BAD("GET /p%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
	BAD("GET /p%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
	BAD("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404),                         /* control */
#undef BAD
};

/* The same byte stream split at every offset (two sends with a pause): the
 * incremental head parser, the chunked decoder and pipelining must not care. */
TEST(split_at_every_offset)
{
	static const char req[] =
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz"
		"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t n = sizeof req - 1;
	int good = 0;
	for (size_t k = 1; k < n; k++) {
		int fd = dial();
		conn_in ci;
		cin_init(&ci, fd);
		send_all(fd, req, k);
		if (k % 8 == 0)
			sleep_ms(1);
		else
			sched_yield();
		send_all(fd, req + k, n - k);
		resp a, b, c;
		bool ok = read_resp(&ci, &a, false) == 0 && read_resp(&ci, &b, false) == 0 &&
		          read_resp(&ci, &c, false) == 0;
		if (ok) {
			ok = a.blen == 5 && !memcmp(a.body, "abcde", 5) && b.blen == 4 && !memcmp(b.body, "wxyz", 4) &&
			     c.blen == 5 && !memcmp(c.body, "hello", 5);
			resp_free(&a);
			resp_free(&b);
			resp_free(&c);
		}
		if (!ok)
			printf("  split at %zu failed\n", k);
		good += ok;
		cin_free(&ci);
	}
	CHECK_EQ_INT(good, (int)n - 1);
	/* one byte per send */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	for (size_t i = 0; i < n; i++)
		send_all(fd, req + i, 1);
	resp a;
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(read_resp(&ci, &a, false), 0);
		CHECK_EQ_INT(a.status, 200);
		resp_free(&a);
	}
	cin_free(&ci);
}

/* Random mutations of valid requests: every connection ends with an answer
 * or a close, never a hang or a crash, and the server keeps serving. */
TEST(mutated_requests)
{
	static const char *base[] = {
		"GET /info?a=%41 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	};
	static const char junk[] = { '\0', '\r', '\n', ' ', '\t', ':', '%', '0', 'f', 0x7f, (char)0x80, 'A', ';', ',' };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int answered = 0, closed = 0;
	for (int it = 0; it < 300; it++) {
		const char *b = base[it % 4];
		size_t n = strlen(b);
		char m[256];
		memcpy(m, b, n);
		int edits = 1 + (int)(seed % 3);
		for (int e = 0; e < edits; e++) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			size_t at = (size_t)(seed % n);
			m[at] = junk[(seed >> 20) % sizeof junk];
		}
		int fd = dial();
		conn_in ci;
		cin_init(&ci, fd);
		send_all(fd, m, n);
		shutdown(fd, SHUT_WR);   /* the server must not wait for more */
		resp r;
		struct timeval tv = { 5, 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (read_resp(&ci, &r, false) == 0) {
			answered++;
			resp_free(&r);
		} else if (ci.eof || errno == ECONNRESET) {
			closed++;
		}
		cin_free(&ci);
	}
	CHECK_EQ_INT(answered + closed, 300);
	CHECK(server_ok());
}

TEST(parse_errors_close_and_server_keeps_serving)
{
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const char *req = bad_cases[i].req;
		size_t n = bad_cases[i].n;
		int fd = dial();
		conn_in ci;
		cin_init(&ci, fd);
		send_all(fd, req, n);
		resp r;
		int rc = read_resp(&ci, &r, false);
		CHECK_EQ_INT(rc, 0);
		if (rc == 0) {
			if (r.status != bad_cases[i].status)
				printf("  case %zu: got %d want %d\n", i, r.status, bad_cases[i].status);
			CHECK_EQ_INT(r.status, bad_cases[i].status);
			if (r.status >= 400 && r.status != 404) {
				CHECK(r.conn_close);
				CHECK(resp_has(&r, "Content-Type: text/plain"));
				CHECK(r.blen > 0);
				/* nothing after the error is read as a request */
				send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
				CHECK(closes_within(&ci, 5000));
				CHECK(ci.len == 0 || memmem(ci.b, ci.len, "hello", 5) == NULL);
			}
			resp_free(&r);
		}
		cin_free(&ci);
		CHECK(server_ok());
	}
	/* head too large -> 431; too many headers -> 431; long URI -> 414 */
	size_t big = 20000;
	char *req = malloc(big + 200);
	int k = sprintf(req, "GET / HTTP/1.1\r\nHost: x\r\nX-Long: ");
	memset(req + k, 'a', big);
	strcpy(req + k + big, "\r\n\r\n");
	CHECK_EQ_INT(one_shot(req, NULL), 431);
	k = sprintf(req, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 150; i++)
		k += sprintf(req + k, "X-%d: v\r\n", i);
	strcpy(req + k, "\r\n");
	CHECK_EQ_INT(one_shot(req, NULL), 431);
	k = sprintf(req, "GET /");
	memset(req + k, 'u', 9000);
	strcpy(req + k + 9000, " HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(one_shot(req, NULL), 414);
	free(req);
	CHECK(server_ok());
}

TEST(head_http10_and_info)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	resp r;
	send_str(fd, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, true), 0);
	CHECK(r.status == 200 && r.blen == 0 && resp_has(&r, "Content-Length: 5\r\n"));
	resp_free(&r);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	cin_free(&ci);

	/* HTTP/1.0 without keep-alive: answer, close */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "GET /hello HTTP/1.0\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.conn_close && resp_has(&r, "Connection: close"));
	resp_free(&r);
	CHECK(closes_within(&ci, 5000));
	cin_free(&ci);
	/* HTTP/1.0 keep-alive */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && resp_has(&r, "Connection: keep-alive"));
	resp_free(&r);
	send_str(fd, "GET /info HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_STR(r.body, "/info||noq|0|1");
	resp_free(&r);
	/* streaming to HTTP/1.0: close-delimited */
	send_str(fd, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && !r.chunked && r.conn_close);
	CHECK_EQ_STR(r.body, "data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
	resp_free(&r);
	cin_free(&ci);

	/* decoded path, Connection: close from a 1.1 client */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "GET /inf%6F?q=%20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_STR(r.body, "/info|q=%20|q|1|2");
	CHECK(r.conn_close);
	resp_free(&r);
	CHECK(closes_within(&ci, 5000));
	cin_free(&ci);
	CHECK_EQ_INT(one_shot("GET /inf%6F%20x HTTP/1.1\r\nHost: x\r\n\r\n", NULL), 404);
	/* a response header that would split the response: 500 instead */
	CHECK_EQ_INT(one_shot("GET /badheader HTTP/1.1\r\nHost: x\r\n\r\n", &r), 500);
	CHECK(!resp_has(&r, "Injected"));
	resp_free(&r);
	CHECK(server_ok());
}

TEST(streaming_chunked)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	resp r;
	send_str(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.chunked && !r.conn_close);
	CHECK(resp_has(&r, "Content-Type: text/event-stream"));
	CHECK_EQ_STR(r.body, "data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
	resp_free(&r);
	/* the connection is reusable after the stream */
	send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	/* HEAD of a stream: head only */
	send_str(fd, "HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, true), 0);
	CHECK(r.status == 200 && r.blen == 0);
	resp_free(&r);
	send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_MEM(r.body, r.blen, "hello", 5);
	resp_free(&r);
	cin_free(&ci);
}

TEST(backpressure_big_outputs)
{
	int drains0 = atomic_load(&n_drains);
	int fd = dial();
	int small = 16384;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "GET /bigstream HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(200);   /* let the server hit the high-water mark */
	resp r;
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.blen == (8u << 20));
	bool same = r.blen == (8u << 20);
	for (size_t i = 0; same && i < r.blen; i++)
		same = r.body[i] == big_pattern(i);
	CHECK(same);
	resp_free(&r);
	CHECK(atomic_load(&n_drains) > drains0);
	/* a big complete response (partial writes, copied remainder) */
	send_str(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(100);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK(r.status == 200 && r.blen == (4u << 20));
	same = r.blen == (4u << 20);
	for (size_t i = 0; same && i < r.blen; i++)
		same = r.body[i] == big_pattern(i);
	CHECK(same);
	resp_free(&r);
	cin_free(&ci);
}

TEST(client_goes_away)
{
	int a0 = atomic_load(&n_aborts);
	/* during an asynchronous wait */
	int fd = dial();
	send_str(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(30);
	close(fd);
	CHECK(wait_count(&n_aborts, a0 + 1));
	/* in the middle of a stream */
	fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	cin_more(&ci);
	cin_free(&ci);
	CHECK(wait_count(&n_aborts, a0 + 2));
	/* in the middle of a big stream that is blocked on backpressure */
	fd = dial();
	send_str(fd, "GET /bigstream HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(100);
	struct linger lg = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);   /* RST */
	close(fd);
	CHECK(wait_count(&n_aborts, a0 + 3));
	/* half-way through a request body: nothing reaches the handler */
	fd = dial();
	send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
	sleep_ms(20);
	close(fd);
	sleep_ms(50);
	CHECK(server_ok());
	http_server_stats st;
	http_server_stats_get(srv, &st);
	CHECK(st.aborted >= 3);
}

TEST(request_timeout)
{
	int t0 = atomic_load(&n_timeouts), a0 = atomic_load(&n_aborts);
	resp r;
	/* with on_timeout: the handler answers */
	uint64_t s = mono_ms();
	CHECK_EQ_INT(one_shot("GET /never HTTP/1.1\r\nHost: x\r\n\r\n", &r), 504);
	CHECK_EQ_STR(r.body, "{\"error\":\"timeout\"}");
	CHECK(mono_ms() - s >= 100);
	resp_free(&r);
	CHECK_EQ_INT(atomic_load(&n_timeouts), t0 + 1);
	/* with on_abort only: the handler is told, the server answers, keep-alive goes on */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "GET /never-abort-only HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 504);
	CHECK(!r.conn_close);
	resp_free(&r);
	CHECK_EQ_INT(atomic_load(&n_aborts), a0 + 1);
	send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	resp_free(&r);
	cin_free(&ci);
}

TEST(timeouts_header_idle)
{
	CHECK_EQ_INT(stop_server(), WORKERS_DRAINED);
	http_server_config cfg = { .header_timeout_ms = 300, .idle_timeout_ms = 400, .write_timeout_ms = 300 };
	CHECK_EQ_INT(start_cfg(&cfg), 0);
	/* slowloris: a partial head -> 408, then close */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	uint64_t s = mono_ms();
	send_str(fd, "GET /hello HTTP/1.1\r\nHo");
	resp r;
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 408);
	CHECK(r.conn_close);
	resp_free(&r);
	uint64_t el = mono_ms() - s;
	CHECK(el >= 250 && el < 5000);
	CHECK(closes_within(&ci, 5000));
	cin_free(&ci);
	/* trickling bytes does not extend the head deadline */
	fd = dial();
	cin_init(&ci, fd);
	s = mono_ms();
	const char *tr = "GET /hello HTTP/1.1\r\nX-A: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	for (int i = 0; tr[i] && mono_ms() - s < 2000; i++) {
		if (send_all(fd, tr + i, 1) != 0)
			break;
		sleep_ms(20);
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 0) > 0)
			break;
	}
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 408);
	CHECK(mono_ms() - s < 2000);
	resp_free(&r);
	cin_free(&ci);
	/* connection that sends nothing: closed silently */
	fd = dial();
	cin_init(&ci, fd);
	CHECK(closes_within(&ci, 5000));
	CHECK_EQ_INT(ci.len, 0);
	cin_free(&ci);
	/* idle keep-alive: closed silently after the idle timeout */
	fd = dial();
	cin_init(&ci, fd);
	send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	resp_free(&r);
	s = mono_ms();
	CHECK(closes_within(&ci, 5000));
	el = mono_ms() - s;
	CHECK(el >= 300 && el < 5000);
	CHECK_EQ_INT(ci.len, 0);
	cin_free(&ci);
	/* a client that stops reading a stream: closed after the write timeout,
	 * the handler is told */
	int a0 = atomic_load(&n_aborts);
	fd = dial();
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	send_str(fd, "GET /bigstream HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK(wait_count(&n_aborts, a0 + 1));
	close(fd);
	CHECK(server_ok());
}

TEST(max_conns_refused)
{
	CHECK_EQ_INT(stop_server(), WORKERS_DRAINED);
	http_server_config cfg = { .max_conns = 3 };
	CHECK_EQ_INT(start_cfg(&cfg), 0);
	int fds[3];
	for (int i = 0; i < 3; i++) {
		fds[i] = dial();
		send_str(fds[i], "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	}
	sleep_ms(50);
	resp r;
	CHECK_EQ_INT(one_shot("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", &r), 503);
	CHECK(r.conn_close);
	resp_free(&r);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	sleep_ms(100);
	CHECK(server_ok());
	http_server_stats st;
	http_server_stats_get(srv, &st);
	CHECK(st.refused >= 1);
}

static void *shutdown_later(void *arg)
{
	(void)arg;
	sleep_ms(50);
	http_server_shutdown(srv);
	return NULL;
}

TEST(graceful_drain)
{
	/* idle keep-alive connection: closed at once by the drain */
	int idle = dial();
	conn_in ci_idle;
	cin_init(&ci_idle, idle);
	resp r;
	send_str(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	CHECK_EQ_INT(read_resp(&ci_idle, &r, false), 0);
	resp_free(&r);
	/* busy one: its response completes with Connection: close */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	send_str(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(20);
	pthread_t th;
	pthread_create(&th, NULL, shutdown_later, NULL);
	CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_MEM(r.body, r.blen, "slow done", 9);
	CHECK(r.conn_close);
	resp_free(&r);
	CHECK(closes_within(&ci_idle, 3000));
	cin_free(&ci);
	pthread_join(th, NULL);
	CHECK_EQ_INT(http_server_wait(srv), WORKERS_DRAINED);
	cin_free(&ci_idle);
	http_server_free(srv);
	srv = NULL;
}

TEST(abort_tells_handler)
{
	CHECK_EQ_INT(start_default(), 0);
	int a0 = atomic_load(&n_aborts);
	int fd = dial();
	send_str(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
	sleep_ms(20);
	http_server_abort(srv);
	CHECK_EQ_INT(http_server_wait(srv), WORKERS_ABORTED);
	CHECK_EQ_INT(atomic_load(&n_aborts), a0 + 1);
	http_server_free(srv);
	srv = NULL;
	close(fd);
}

TEST(ipv6_loopback)
{
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool have = probe >= 0 && bind(probe, (struct sockaddr *)&a6, sizeof a6) == 0;
	if (probe >= 0)
		close(probe);
	if (!have) {
		printf("  (no IPv6 loopback: skipped)\n");
		return;
	}
	http_server_config cfg = { .host = "::1" };
	CHECK_EQ_INT(start_cfg(&cfg), 0);
	CHECK_EQ_INT(sock_addr_family(&srv_addr), AF_INET6);
	CHECK(server_ok());
	CHECK_EQ_INT(stop_server(), WORKERS_DRAINED);
}

TEST(bad_config)
{
	http_server *s = NULL;
	http_handler none = { 0 };
	CHECK_EQ_INT(http_server_new(&s, NULL, &none), ERR_INVAL);
	http_handler h = { .on_request = app };
	http_server_config cfg = { .server_name = "bad\r\nname" };
	CHECK_EQ_INT(http_server_new(&s, &cfg, &h), ERR_INVAL);
	/* bind error is reported */
	cfg = (http_server_config){ .host = "127.0.0.1", .threads = 1 };
	CHECK_EQ_INT(http_server_new(&s, &cfg, &h), 0);
	CHECK_EQ_INT(http_server_start(s, NULL, 0), 0);
	sock_addr a;
	http_server_local_addr(s, &a);
	http_server *s2 = NULL;
	cfg.port = sock_addr_port(&a);
	CHECK_EQ_INT(http_server_new(&s2, &cfg, &h), 0);
	char err[256] = "";
	CHECK(http_server_start(s2, err, sizeof err) < 0);
	CHECK(strstr(err, "failed to bind") != NULL);
	http_server_free(s2);
	http_server_shutdown(s);
	CHECK_EQ_INT(http_server_wait(s), WORKERS_DRAINED);
	http_server_free(s);
}

/* --- lost wake-ups ----------------------------------------------------------------
 * The server's sockets are edge-triggered: it reads until a short read (or,
 * after a hang-up, until the end of stream) and then relies on the next
 * edge. A lost read shows up as a request or an end of stream that sits
 * until a server timeout (header/body 10 s, idle 75 s): every answer or close
 * below must come within WAKE_MS. */

#define WAKE_MS 3000

static void set_rcvtimeo(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/* Send s[0..n) in pieces, cut at the increasing offsets cuts[], ms apart. */
static int send_cut(int fd, const char *s, size_t n, const size_t *cuts, size_t ncuts, int ms)
{
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts && cuts[i] < n ? cuts[i] : n;
		if (end > at && send_all(fd, s + at, end - at) != 0)
			return -1;
		if (end > at)
			at = end;
		if (i < ncuts)
			sleep_ms(ms);
	}
	return 0;
}

/* One response within WAKE_MS: 200 with body want[0..wn) (want NULL: any body). */
static bool expect_200(conn_in *ci, const char *want, size_t wn)
{
	resp r;
	set_rcvtimeo(ci->fd, WAKE_MS);
	if (read_resp(ci, &r, false) != 0)
		return false;
	bool ok = r.status == 200 && (!want || (r.blen == wn && memcmp(r.body, want, wn) == 0));
	if (!ok)
		printf("  got status %d, %zu body bytes\n", r.status, r.blen);
	resp_free(&r);
	return ok;
}

/* The server closes the connection within WAKE_MS and sent nothing more. */
static bool expect_eof(conn_in *ci)
{
	size_t before = ci->len;
	return closes_within(ci, WAKE_MS) && ci->len == before;
}

static char *pattern_body(size_t n)
{
	char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = big_pattern(i);
	return b;
}

/* "POST /echo" with a Content-Length body, whole request in *out. */
static size_t post_echo(char **out, const char *body, size_t n)
{
	char head[128];
	int hn = snprintf(head, sizeof head, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n", n);
	*out = malloc((size_t)hn + n);
	memcpy(*out, head, (size_t)hn);
	memcpy(*out + hn, body, n);
	return (size_t)hn + n;
}

static size_t head_end(const char *req, size_t n)
{
	const char *e = memmem(req, n, "\r\n\r\n", 4);
	return e ? (size_t)(e - req) + 4 : n;
}

/* Requests arriving in several pieces with pauses (the server goes back to
 * epoll between them): inside the request line, inside a header, just
 * before and just after the end of the head, inside the body, inside a
 * chunk-size line; a body bigger than the read buffer; two requests whose
 * boundary falls inside a piece. One keep-alive connection for all. */
TEST(wakeup_request_in_pieces)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	static const char get[] = "GET /hello HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
	size_t gc[] = { 3, 14, 25, sizeof get - 4, sizeof get - 2 };
	CHECK_EQ_INT(send_cut(fd, get, sizeof get - 1, gc, 5, 15), 0);
	CHECK(expect_200(&ci, "hello", 5));

	char *req;
	size_t n = post_echo(&req, "0123456789", 10);
	size_t h = head_end(req, n);
	size_t pc[] = { 5, h - 1, h, h + 3, n - 1 };
	CHECK_EQ_INT(send_cut(fd, req, n, pc, 5, 15), 0);
	CHECK(expect_200(&ci, "0123456789", 10));
	free(req);

	static const char chk[] = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	                          "a;ext=1\r\n0123456789\r\n1\r\nX\r\n0\r\nT: 1\r\n\r\n";
	h = head_end(chk, sizeof chk - 1);
	size_t cc[] = { h, h + 1, h + 4, h + 10, h + 21, h + 27, sizeof chk - 3 };
	CHECK_EQ_INT(send_cut(fd, chk, sizeof chk - 1, cc, 7, 15), 0);
	CHECK(expect_200(&ci, "0123456789X", 11));

	size_t bn = 100000;   /* > LIMIT_HTTP_CONN_BUF: read straight into the body buffer */
	char *body = pattern_body(bn);
	n = post_echo(&req, body, bn);
	h = head_end(req, n);
	size_t bc[] = { h, h + 1000, h + 40000, n - 1 };
	CHECK_EQ_INT(send_cut(fd, req, n, bc, 4, 15), 0);
	CHECK(expect_200(&ci, body, bn));
	free(req);
	free(body);

	static const char two[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok";
	size_t tc[] = { 20, 40, sizeof two - 2 };
	CHECK_EQ_INT(send_cut(fd, two, sizeof two - 1, tc, 3, 15), 0);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_200(&ci, "ok", 2));
	cin_free(&ci);
}

/* The head in one segment, the body in a second one after a pause (small
 * body in the read buffer, big body in the body buffer, chunked), the next
 * request riding in the body's segment. */
TEST(wakeup_body_after_head)
{
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	static const char next[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t sizes[] = { 1, 300, 70000 };
	for (size_t i = 0; i < 3; i++) {
		char *body = pattern_body(sizes[i]);
		char *req;
		size_t n = post_echo(&req, body, sizes[i]);
		size_t h = head_end(req, n);
		CHECK_EQ_INT(send_all(fd, req, h), 0);
		sleep_ms(50);
		char *rest = malloc(n - h + sizeof next);
		memcpy(rest, req + h, n - h);
		memcpy(rest + n - h, next, sizeof next - 1);
		CHECK_EQ_INT(send_all(fd, rest, n - h + sizeof next - 1), 0);
		CHECK(expect_200(&ci, body, sizes[i]));
		CHECK(expect_200(&ci, "hello", 5));
		free(rest);
		free(req);
		free(body);
	}
	CHECK_EQ_INT(send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), 0);
	sleep_ms(50);
	CHECK_EQ_INT(send_str(fd, "5\r\nhello\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_200(&ci, "hello", 5));
	cin_free(&ci);
}

/* The next request arrives while the previous response is being written:
 * a big response held back by a slow reader (the server is not reading
 * then), a stream blocked on backpressure (the handler holds the request),
 * a request sent around the moment an asynchronous answer goes out, and a
 * client that sends the next request as soon as the first byte of the
 * previous answer shows up. */
TEST(wakeup_pipelined_while_writing)
{
	static const char get[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *big[] = { "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", "GET /bigstream HTTP/1.1\r\nHost: x\r\n\r\n" };
	for (int b = 0; b < 2; b++) {
		int fd = dial();
		int small = 16384;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
		conn_in ci;
		cin_init(&ci, fd);
		CHECK_EQ_INT(send_str(fd, big[b]), 0);
		CHECK(cin_more(&ci) > 0);   /* the answer is on its way */
		sleep_ms(50);               /* ... and stuck behind our full window */
		CHECK_EQ_INT(send_all(fd, get, 10), 0);
		sleep_ms(20);
		CHECK_EQ_INT(send_all(fd, get + 10, sizeof get - 11), 0);
		resp r;
		set_rcvtimeo(fd, WAKE_MS);
		CHECK_EQ_INT(read_resp(&ci, &r, false), 0);
		CHECK(r.status == 200 && r.blen == (b ? 8u << 20 : 4u << 20));
		resp_free(&r);
		CHECK(expect_200(&ci, "hello", 5));
		cin_free(&ci);
	}
	/* around the moment /slow (150 ms) answers */
	int fd = dial();
	conn_in ci;
	cin_init(&ci, fd);
	for (int at = 120; at <= 180; at += 5) {
		CHECK_EQ_INT(send_str(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
		sleep_ms(at);
		CHECK_EQ_INT(send_str(fd, get), 0);
		CHECK(expect_200(&ci, "slow done", 9));
		CHECK(expect_200(&ci, "hello", 5));
	}
	/* the next request as soon as the answer starts */
	CHECK_EQ_INT(send_str(fd, get), 0);
	int ok = 0;
	for (int i = 0; i < 300; i++) {
		set_rcvtimeo(fd, WAKE_MS);
		if (ci.len == 0 && cin_more(&ci) <= 0)
			break;
		if (i < 299 && send_str(fd, i % 3 ? get : "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") != 0)
			break;
		if (!expect_200(&ci, "hello", 5))
			break;
		ok++;
	}
	CHECK_EQ_INT(ok, 300);
	cin_free(&ci);
}

/* shutdown(SHUT_WR) after (or in the middle of) a request: whatever came
 * before the end of stream is answered, then the server closes at once; an
 * incomplete request is dropped at once (not after the 10 s head timeout). */
TEST(wakeup_half_close)
{
	static const char get[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	conn_in ci;
	/* the end of stream right behind the request */
	int fd = dial();
	cin_init(&ci, fd);
	CHECK_EQ_INT(send_str(fd, get), 0);
	shutdown(fd, SHUT_WR);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_eof(&ci));
	cin_free(&ci);
	/* three pipelined requests, then the end */
	fd = dial();
	cin_init(&ci, fd);
	CHECK_EQ_INT(send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
	                          "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
	                          "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	shutdown(fd, SHUT_WR);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_200(&ci, "abc", 3));
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_eof(&ci));
	cin_free(&ci);
	/* the end of stream later, on an idle keep-alive connection */
	fd = dial();
	cin_init(&ci, fd);
	CHECK_EQ_INT(send_str(fd, get), 0);
	CHECK(expect_200(&ci, "hello", 5));
	sleep_ms(50);
	shutdown(fd, SHUT_WR);
	CHECK(expect_eof(&ci));
	cin_free(&ci);
	/* the body after a pause, the end of stream right behind it */
	fd = dial();
	cin_init(&ci, fd);
	CHECK_EQ_INT(send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"), 0);
	sleep_ms(30);
	CHECK_EQ_INT(send_str(fd, "hello"), 0);
	shutdown(fd, SHUT_WR);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_eof(&ci));
	cin_free(&ci);
	/* incomplete head, incomplete body, incomplete chunked body: closed at once, no answer */
	static const char *partial[] = {
		"GET /hello HTTP/1.1\r\nHo",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	};
	for (int i = 0; i < 4; i++) {
		for (int later = 0; later < 2; later++) {
			fd = dial();
			cin_init(&ci, fd);
			CHECK_EQ_INT(send_str(fd, partial[i]), 0);
			if (later)
				sleep_ms(30);
			shutdown(fd, SHUT_WR);
			uint64_t t0 = mono_ms();
			bool eof = expect_eof(&ci);
			if (!eof)
				printf("  partial %d (later %d): no close after %llu ms, %zu bytes\n", i, later,
				       (unsigned long long)(mono_ms() - t0), ci.len);
			CHECK(eof);
			cin_free(&ci);
		}
	}
	/* a client that leaves right after its request, while the handler holds it */
	int a0 = atomic_load(&n_aborts);
	fd = dial();
	CHECK_EQ_INT(send_str(fd, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
	close(fd);
	uint64_t t0 = mono_ms();
	CHECK(wait_count(&n_aborts, a0 + 1));
	CHECK(mono_ms() - t0 < WAKE_MS);
	CHECK(server_ok());
}

/* A server in a child process, forked while this process has no thread yet,
 * so that the test can stop it (SIGSTOP). Returns its pid; *a gets its address. */
static pid_t child_server(sock_addr *a)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		http_server_config cfg = { .host = "127.0.0.1", .threads = 1, .body_bytes = 1u << 20 };
		http_handler h = { .on_request = app };
		http_server *s;
		sock_addr me;
		if (http_server_new(&s, &cfg, &h) != 0 || http_server_start(s, NULL, 0) != 0)
			_exit(1);
		http_server_local_addr(s, &me);
		if (write(p[1], &me, sizeof me) != (ssize_t)sizeof me)
			_exit(1);
		close(p[1]);
		http_server_wait(s);   /* until the parent kills us */
		_exit(0);
	}
	close(p[1]);
	ssize_t n = pid > 0 ? read(p[0], a, sizeof *a) : -1;
	close(p[0]);
	if (pid > 0 && n != (ssize_t)sizeof *a) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* An accepted keep-alive connection to the child (one request answered). */
static int child_conn(const sock_addr *a, conn_in *ci)
{
	int fd = dial_to(a);
	int big = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);   /* sends while the server is stopped */
	cin_init(ci, fd);
	if (fd < 0 || send_str(fd, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") != 0 || !expect_200(ci, "hello", 5))
		return -1;
	return fd;
}

/* The server process is stopped while a client writes in several segments,
 * then continued: all the data (maybe with the end of stream) arrives in one
 * wake-up, and an edge-triggered reader must still read it all and answer. */
TEST(wakeup_server_stopped)
{
	sock_addr a;
	pid_t pid = child_server(&a);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	conn_in ci;
	static const char get[] = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	size_t gc[] = { 4, 17, 30 };

	/* a connection accepted only after the stop: the request is there before it is watched */
	kill(pid, SIGSTOP);
	int fd = dial_to(&a);
	cin_init(&ci, fd);
	CHECK_EQ_INT(send_cut(fd, get, sizeof get - 1, gc, 3, 20), 0);
	kill(pid, SIGCONT);
	CHECK(expect_200(&ci, "hello", 5));
	cin_free(&ci);

	/* a watched connection: a request in pieces, a body bigger than the read
	 * buffer, and more pipelined requests than one read takes */
	fd = child_conn(&a, &ci);
	CHECK(fd >= 0);
	size_t bn = 60000;
	char *body = pattern_body(bn), *post;
	size_t pn = post_echo(&post, body, bn);
	size_t nget = 1000;
	char *gets = malloc(nget * (sizeof get - 1));
	for (size_t i = 0; i < nget; i++)
		memcpy(gets + i * (sizeof get - 1), get, sizeof get - 1);
	kill(pid, SIGSTOP);
	CHECK_EQ_INT(send_cut(fd, get, sizeof get - 1, gc, 3, 20), 0);
	size_t pc[] = { 10, head_end(post, pn), pn / 2 };
	CHECK_EQ_INT(send_cut(fd, post, pn, pc, 3, 20), 0);
	size_t mc[] = { 7, nget * (sizeof get - 1) / 2 };
	CHECK_EQ_INT(send_cut(fd, gets, nget * (sizeof get - 1), mc, 2, 20), 0);
	sleep_ms(20);
	kill(pid, SIGCONT);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_200(&ci, body, bn));
	size_t ok = 0;
	for (size_t i = 0; i < nget && expect_200(&ci, "hello", 5); i++)
		ok++;
	CHECK_EQ_INT(ok, nget);
	free(gets);
	free(post);
	free(body);

	/* a chunked body in many pieces, the next request behind it */
	kill(pid, SIGSTOP);
	CHECK_EQ_INT(send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), 0);
	for (int i = 0; i < 10; i++) {
		sleep_ms(5);
		CHECK_EQ_INT(send_str(fd, "3\r\nabc\r\n"), 0);
	}
	CHECK_EQ_INT(send_str(fd, "0\r\n\r\n"), 0);
	sleep_ms(5);
	CHECK_EQ_INT(send_str(fd, get), 0);
	kill(pid, SIGCONT);
	CHECK(expect_200(&ci, "abcabcabcabcabcabcabcabcabcabc", 30));
	CHECK(expect_200(&ci, "hello", 5));

	/* requests, then the end of stream: everything in one wake-up */
	kill(pid, SIGSTOP);
	CHECK_EQ_INT(send_cut(fd, get, sizeof get - 1, gc, 3, 20), 0);
	CHECK_EQ_INT(send_str(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"), 0);
	shutdown(fd, SHUT_WR);
	sleep_ms(20);
	kill(pid, SIGCONT);
	CHECK(expect_200(&ci, "hello", 5));
	CHECK(expect_200(&ci, "hi", 2));
	CHECK(expect_eof(&ci));
	cin_free(&ci);

	/* an incomplete head or body, then the end of stream: closed at once */
	static const char *partial[] = {
		"GET /hello HTTP/1.1\r\nHo",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789",
	};
	for (int i = 0; i < 2; i++) {
		fd = child_conn(&a, &ci);
		CHECK(fd >= 0);
		kill(pid, SIGSTOP);
		size_t n = strlen(partial[i]);
		size_t c1[] = { n / 2 };
		CHECK_EQ_INT(send_cut(fd, partial[i], n, c1, 1, 20), 0);
		shutdown(fd, SHUT_WR);
		sleep_ms(20);
		kill(pid, SIGCONT);
		CHECK(expect_eof(&ci));
		cin_free(&ci);
	}
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	log_set_level(LOG_WARN);
	RUN(wakeup_server_stopped);   /* forks: before this process has threads */
	if (start_default() != 0) {
		printf("cannot start the server\n");
		return 1;
	}
	RUN(hello_basic);
	RUN(keepalive_no_malloc_steady_state);
	RUN(pipelining_in_order);
	RUN(split_at_every_offset);
	RUN(wakeup_request_in_pieces);
	RUN(wakeup_body_after_head);
	RUN(wakeup_pipelined_while_writing);
	RUN(wakeup_half_close);
	RUN(bodies);
	RUN(expect_continue);
	RUN(body_limits);
	RUN(parse_errors_close_and_server_keeps_serving);
	RUN(mutated_requests);
	RUN(head_http10_and_info);
	RUN(streaming_chunked);
	RUN(backpressure_big_outputs);
	RUN(client_goes_away);
	RUN(request_timeout);
	RUN(timeouts_header_idle);
	RUN(max_conns_refused);
	CHECK_EQ_INT(stop_server(), WORKERS_DRAINED);
	CHECK_EQ_INT(start_default(), 0);
	RUN(graceful_drain);
	RUN(abort_tells_handler);
	RUN(ipv6_loopback);
	RUN(bad_config);
	return t_done();
}
