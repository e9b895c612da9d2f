/* test_worker.c — the worker pool: 2 workers on an ephemeral port (v4, v6,
 * dual-stack, a name), accept + echo through each worker's loop, the drain
 * path (workers_shutdown, real SIGTERM/SIGINT), deadline and second-signal
 * aborts, bind errors, start-hook failure, running out of fds (EMFILE),
 * pausing accepts at a connection limit (worker_accept_pause).
 * Bounds are generous: the machine is shared and noisy. */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "net/sock.h"
#include "net/worker.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* --- a tiny echo server on the hooks -------------------------------------- */

typedef struct conn {
	worker *w;
	int fd;
	struct conn *next, **pprev;
} conn;

typedef struct wstate { conn *head; } wstate;

static atomic_int n_start, n_accept, n_drain, n_abort, n_stop, fail_start_idx;
static atomic_int accept_thread_bad;
static atomic_bool close_on_drain;
/* accept pause: at max_conns the accept hook pauses, conn_close resumes */
static atomic_int max_conns, n_pause, n_resume, pause_rc_bad, pause_state_bad;
static atomic_bool resume_on_drain;

static void pause_call(worker *w, bool pause)
{
	if (worker_accept_pause(w, pause) != 0)
		atomic_fetch_add(&pause_rc_bad, 1);
	if (worker_accept_paused(w) != pause)
		atomic_fetch_add(&pause_state_bad, 1);
	atomic_fetch_add(pause ? &n_pause : &n_resume, 1);
}

static void conn_close(conn *c)
{
	loop_fd_del(worker_loop(c->w), c->fd);
	close(c->fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	worker_conns_add(c->w, -1);
	int max = atomic_load(&max_conns);
	if (max && worker_accept_paused(c->w) && worker_conns(c->w) < max)
		pause_call(c->w, false);
	free(c);
}

static void on_conn(loop *l, int fd, int events, void *ud)
{
	(void)l;
	(void)events;
	conn *c = ud;
	char buf[512];
	ssize_t r = sock_read(fd, buf, sizeof buf);
	if (r > 0) {
		worker_reqs_add(c->w, 1);
		(void)sock_write(fd, buf, (size_t)r);
		worker_reqs_add(c->w, -1);
		return;
	}
	if (r == ERR_AGAIN)
		return;
	conn_close(c);
}

static int h_start(worker *w, void *ud)
{
	(void)ud;
	atomic_fetch_add(&n_start, 1);
	if ((int)worker_index(w) == atomic_load(&fail_start_idx))
		return ERR_NOMEM;
	wstate *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	worker_set_ud(w, s);
	return 0;
}

static void h_accept(worker *w, int fd, const sock_addr *peer, void *ud)
{
	(void)ud;
	(void)peer;
	atomic_fetch_add(&n_accept, 1);
	wstate *s = worker_ud(w);
	conn *c = calloc(1, sizeof *c);
	if (!s || !c) {
		free(c);
		close(fd);
		return;
	}
	c->w = w;
	c->fd = fd;
	c->next = s->head;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &s->head;
	s->head = c;
	worker_conns_add(w, 1);
	if (loop_fd_add(worker_loop(w), fd, LOOP_READ, on_conn, c) != 0) {
		conn_close(c);
		return;
	}
	int max = atomic_load(&max_conns);
	if (max && worker_conns(w) >= max)
		pause_call(w, true);
}

static void close_all(worker *w)
{
	wstate *s = worker_ud(w);
	while (s && s->head)
		conn_close(s->head);
}

static void h_drain(worker *w, void *ud)
{
	(void)ud;
	if (atomic_load(&resume_on_drain))
		pause_call(w, false);   /* the listener is closed: must not come back */
	atomic_fetch_add(&n_drain, 1);
	if (!worker_draining(w))
		atomic_fetch_add(&accept_thread_bad, 1);
	if (atomic_load(&close_on_drain))
		close_all(w);
}

static void h_abort(worker *w, void *ud)
{
	(void)ud;
	atomic_fetch_add(&n_abort, 1);
	close_all(w);
}

static void h_stop(worker *w, void *ud)
{
	(void)ud;
	atomic_fetch_add(&n_stop, 1);
	close_all(w);
	free(worker_ud(w));
	worker_set_ud(w, NULL);
}

static const worker_hooks hooks = { h_start, h_accept, h_drain, h_abort, h_stop, NULL };

static void reset(void)
{
	atomic_store(&n_start, 0);
	atomic_store(&n_accept, 0);
	atomic_store(&n_drain, 0);
	atomic_store(&n_abort, 0);
	atomic_store(&n_stop, 0);
	atomic_store(&fail_start_idx, -1);
	atomic_store(&accept_thread_bad, 0);
	atomic_store(&close_on_drain, false);
	atomic_store(&max_conns, 0);
	atomic_store(&n_pause, 0);
	atomic_store(&n_resume, 0);
	atomic_store(&pause_rc_bad, 0);
	atomic_store(&pause_state_bad, 0);
	atomic_store(&resume_on_drain, false);
}

/* --- client helpers (blocking, with timeouts) ---------------------------- */

static int client(const sock_addr *a)
{
	int fd;
	int rc = sock_connect(a, &fd);
	if (rc == ERR_AGAIN) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, 5000) != 1 || sock_connect_result(fd) != 0) {
			close(fd);
			return -1;
		}
	} else if (rc != 0) {
		return -1;
	}
	return fd;
}

/* Read back msg (sent before) within ms milliseconds. */
static bool echoed(int fd, const char *msg, int ms)
{
	size_t n = strlen(msg);
	char buf[256];
	size_t got = 0;
	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, ms) != 1)
			return false;
		ssize_t r = sock_read(fd, buf + got, sizeof buf - got);
		if (r <= 0 && r != ERR_AGAIN)
			return false;
		if (r > 0)
			got += (size_t)r;
	}
	return got == n && memcmp(buf, msg, n) == 0;
}

static bool echo(int fd, const char *msg)
{
	size_t n = strlen(msg);
	if (sock_write(fd, msg, n) != (ssize_t)n)
		return false;
	return echoed(fd, msg, 5000);
}

/* Wait until cond() or ~10 s. */
static bool until(bool (*cond)(void *), void *arg)
{
	for (int i = 0; i < 1000; i++) {
		if (cond(arg))
			return true;
		sleep_ms(10);
	}
	return cond(arg);
}

static bool all_draining(void *arg)
{
	workers *ws = arg;
	for (size_t i = 0; i < workers_count(ws); i++)
		if (!worker_draining(workers_get(ws, i)))
			return false;
	return atomic_load(&n_drain) == (int)workers_count(ws);
}

static long total_conns(workers *ws)
{
	long n = 0;
	for (size_t i = 0; i < workers_count(ws); i++)
		n += worker_conns(workers_get(ws, i));
	return n;
}

static bool conns_are(void *arg)
{
	void **a = arg;
	return total_conns(a[0]) == (long)(intptr_t)a[1];
}

typedef struct waiter { workers *ws; int rc; atomic_bool done; } waiter;

static void *wait_thread(void *arg)
{
	waiter *w = arg;
	w->rc = workers_wait(w->ws);
	atomic_store(&w->done, true);
	return NULL;
}

/* --- tests ------------------------------------------------------------------ */

static workers *start2(const char *host, char *err, size_t errlen)
{
	workers_config c = { .host = host, .port = 0, .threads = 2 };
	workers *ws = NULL;
	int rc = workers_start(&ws, &c, &hooks, err, errlen);
	if (rc != 0)
		printf("  workers_start(%s): %d %s\n", host, rc, err);
	return ws;
}

TEST(accept_echo_and_drain)
{
	reset();
	char err[256];
	workers *ws = start2("127.0.0.1", err, sizeof err);
	CHECK(ws != NULL);
	if (!ws)
		return;
	CHECK_EQ_INT(workers_count(ws), 2);
	CHECK_EQ_INT(atomic_load(&n_start), 2);
	CHECK(workers_get(ws, 2) == NULL);
	CHECK(worker_loop(workers_get(ws, 0)) != worker_loop(workers_get(ws, 1)));
	sock_addr a;
	workers_local_addr(ws, &a);
	CHECK(sock_addr_port(&a) != 0);
	char as[SOCK_ADDR_STRLEN];
	sock_addr_format(&a, as, sizeof as);
	CHECK(strncmp(as, "127.0.0.1:", 10) == 0);

	enum { N = 16 };
	int fds[N];
	for (int i = 0; i < N; i++) {
		fds[i] = client(&a);
		CHECK(fds[i] >= 0);
		CHECK(fds[i] < 0 || echo(fds[i], "ping"));
	}
	void *arg[2] = { ws, (void *)(intptr_t)N };
	CHECK(until(conns_are, arg));
	CHECK_EQ_INT(atomic_load(&n_accept), N);
	CHECK(!worker_draining(workers_get(ws, 0)));

	/* drain: listeners close, connections stay until they finish */
	waiter wt = { .ws = ws };
	pthread_t th;
	CHECK_EQ_INT(pthread_create(&th, NULL, wait_thread, &wt), 0);
	workers_shutdown(ws);
	workers_shutdown(ws);   /* idempotent */
	CHECK(until(all_draining, ws));
	CHECK_EQ_INT(atomic_load(&accept_thread_bad), 0);
	CHECK_EQ_INT(client(&a), -1);         /* no listener any more */
	CHECK(fds[0] < 0 || echo(fds[0], "still served"));
	sleep_ms(50);
	CHECK(!atomic_load(&wt.done));        /* N connections in flight */
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pthread_join(th, NULL);
	CHECK_EQ_INT(wt.rc, WORKERS_DRAINED);
	CHECK_EQ_INT(atomic_load(&n_abort), 0);
	CHECK_EQ_INT(atomic_load(&n_stop), 2);
	CHECK_EQ_INT(total_conns(ws), 0);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_DRAINED);   /* again: same answer */
	workers_free(ws);
}

/* worker_accept_pause: at max_conns (2) the accept hook pauses the worker, a
 * third client waits in the backlog until one connection closes; resume
 * after the drain started (listener closed) is a harmless no-op. */
TEST(accept_pause_resume)
{
	reset();
	atomic_store(&max_conns, 2);
	atomic_store(&resume_on_drain, true);
	workers_config cfg = { .host = "127.0.0.1", .threads = 1 };
	workers *ws;
	char err[256];
	CHECK_EQ_INT(workers_start(&ws, &cfg, &hooks, err, sizeof err), 0);
	sock_addr a;
	workers_local_addr(ws, &a);
	int c1 = client(&a), c2 = client(&a);
	CHECK(c1 >= 0 && echo(c1, "one"));
	CHECK(c2 >= 0 && echo(c2, "two"));
	CHECK_EQ_INT(atomic_load(&n_pause), 1);
	/* paused: the handshake completes in the backlog, nothing is accepted */
	int c3 = client(&a);
	CHECK(c3 >= 0);
	CHECK_EQ_INT(sock_write(c3, "three", 5), 5);
	CHECK(!echoed(c3, "three", 300));
	CHECK_EQ_INT(atomic_load(&n_accept), 2);
	/* one closes: conn_close resumes, the waiting client is served */
	close(c1);
	CHECK(echoed(c3, "three", 5000));
	CHECK_EQ_INT(atomic_load(&n_accept), 3);
	CHECK_EQ_INT(atomic_load(&n_resume), 1);
	CHECK_EQ_INT(atomic_load(&n_pause), 2);   /* back at 2: paused again */
	int c4 = client(&a);
	CHECK(c4 >= 0);
	CHECK_EQ_INT(sock_write(c4, "four", 4), 4);
	CHECK(!echoed(c4, "four", 300));
	/* drain: the hook resumes, the listener stays closed, c4 is never accepted */
	waiter wt = { .ws = ws };
	pthread_t th;
	CHECK_EQ_INT(pthread_create(&th, NULL, wait_thread, &wt), 0);
	workers_shutdown(ws);
	CHECK(until(all_draining, ws));
	CHECK_EQ_INT(atomic_load(&n_resume), 2);
	CHECK_EQ_INT(client(&a), -1);
	CHECK(!echoed(c4, "four", 200));
	CHECK(echo(c2, "still served"));
	close(c2);
	close(c3);   /* the last conn_close during the drain resumes again: no-op */
	pthread_join(th, NULL);
	CHECK_EQ_INT(wt.rc, WORKERS_DRAINED);
	CHECK_EQ_INT(atomic_load(&n_accept), 3);
	CHECK_EQ_INT(atomic_load(&pause_rc_bad), 0);
	CHECK_EQ_INT(atomic_load(&pause_state_bad), 0);
	if (c4 >= 0)
		close(c4);
	workers_free(ws);
}

TEST(drain_idle_immediately)
{
	reset();
	atomic_store(&close_on_drain, true);
	char err[256];
	workers *ws = start2("127.0.0.1", err, sizeof err);
	CHECK(ws != NULL);
	if (!ws)
		return;
	sock_addr a;
	workers_local_addr(ws, &a);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "x"));
	workers_shutdown(ws);                  /* the drain hook closes idle connections */
	CHECK_EQ_INT(workers_wait(ws), WORKERS_DRAINED);
	CHECK_EQ_INT(atomic_load(&n_drain), 2);
	CHECK_EQ_INT(atomic_load(&n_stop), 2);
	if (fd >= 0)
		close(fd);
	workers_free(ws);
}

TEST(drain_deadline_aborts)
{
	reset();
	workers_config c = { .host = "127.0.0.1", .threads = 2, .drain_ms = 300, .tick_ms = 100 };
	workers *ws;
	char err[256];
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), 0);
	sock_addr a;
	workers_local_addr(ws, &a);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "hold"));
	workers_shutdown(ws);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_ABORTED);   /* the client never left */
	CHECK_EQ_INT(atomic_load(&n_abort), 2);
	CHECK_EQ_INT(atomic_load(&n_stop), 2);
	CHECK_EQ_INT(total_conns(ws), 0);
	if (fd >= 0) {
		char b[8];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		CHECK_EQ_INT(poll(&p, 1, 5000), 1);
		CHECK(sock_read(fd, b, sizeof b) <= 0);   /* the abort closed it */
		close(fd);
	}
	workers_free(ws);
}

TEST(abort_now)
{
	reset();
	char err[256];
	workers *ws = start2("127.0.0.1", err, sizeof err);
	CHECK(ws != NULL);
	if (!ws)
		return;
	sock_addr a;
	workers_local_addr(ws, &a);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "x"));
	workers_abort(ws);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_ABORTED);
	CHECK_EQ_INT(atomic_load(&n_abort), 2);
	CHECK_EQ_INT(atomic_load(&n_drain), 0);
	if (fd >= 0)
		close(fd);
	workers_free(ws);
	/* free without wait: aborts and waits by itself */
	reset();
	ws = start2("127.0.0.1", err, sizeof err);
	CHECK(ws != NULL);
	workers_free(ws);
	CHECK_EQ_INT(atomic_load(&n_stop), 2);
	workers_free(NULL);
}

static bool one_draining(void *arg)
{
	return worker_draining(workers_get(arg, 0));
}

TEST(signals)
{
	/* first SIGTERM: drain; no connections -> drained */
	reset();
	workers_config c = { .host = "127.0.0.1", .threads = 2, .signals = true };
	workers *ws;
	char err[256];
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), 0);
	kill(getpid(), SIGTERM);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_DRAINED);
	workers_free(ws);

	/* SIGTERM then SIGINT within the window: abort */
	reset();
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), 0);
	sock_addr a;
	workers_local_addr(ws, &a);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "x"));
	kill(getpid(), SIGTERM);
	CHECK(until(one_draining, ws));
	kill(getpid(), SIGINT);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_ABORTED);
	CHECK_EQ_INT(atomic_load(&n_abort), 2);
	if (fd >= 0)
		close(fd);
	workers_free(ws);

	/* a second signal after the window is ignored; the drain completes */
	reset();
	c.second_signal_ms = 100;
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), 0);
	workers_local_addr(ws, &a);
	fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "x"));
	kill(getpid(), SIGINT);
	CHECK(until(one_draining, ws));
	sleep_ms(300);
	kill(getpid(), SIGTERM);
	sleep_ms(100);
	if (fd >= 0)
		close(fd);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_DRAINED);
	CHECK_EQ_INT(atomic_load(&n_abort), 0);
	workers_free(ws);
}

TEST(ipv6_dual_stack_and_names)
{
	reset();
	char err[256];
	workers *ws = start2("::1", err, sizeof err);
	if (!ws) {
		printf("  (no IPv6 loopback: skipped)\n");
		return;
	}
	sock_addr a;
	workers_local_addr(ws, &a);
	char as[SOCK_ADDR_STRLEN];
	sock_addr_format(&a, as, sizeof as);
	CHECK(strncmp(as, "[::1]:", 6) == 0);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "v6"));
	if (fd >= 0)
		close(fd);
	workers_free(ws);

	/* "[::]" is dual-stack: an IPv4 client gets in */
	ws = start2("[::]", err, sizeof err);
	CHECK(ws != NULL);
	if (ws) {
		workers_local_addr(ws, &a);
		sock_addr v4;
		sock_addr_from_ip(&v4, STR_LIT("127.0.0.1"), sock_addr_port(&a));
		fd = client(&v4);
		CHECK(fd >= 0 && echo(fd, "v4 on v6"));
		if (fd >= 0)
			close(fd);
		workers_free(ws);
	}

	/* a name is resolved once at start-up */
	ws = start2("localhost", err, sizeof err);
	CHECK(ws != NULL);
	if (ws) {
		workers_local_addr(ws, &a);
		fd = client(&a);
		CHECK(fd >= 0 && echo(fd, "by name"));
		if (fd >= 0)
			close(fd);
		workers_free(ws);
	}
	CHECK(start2("nothing.invalid", err, sizeof err) == NULL);
	CHECK(strncmp(err, "failed to bind nothing.invalid:0: ", 34) == 0);
}

TEST(bind_error)
{
	reset();
	sock_addr a, taken;
	sock_addr_from_ip(&a, STR_LIT("127.0.0.1"), 0);
	int lfd = sock_listen(&a, 0, 0, NULL, 0);
	CHECK(lfd >= 0);
	sock_local_addr(lfd, &taken);
	workers_config c = { .host = "127.0.0.1", .port = sock_addr_port(&taken), .threads = 2 };
	workers *ws = (workers *)1;
	char err[256] = "";
	CHECK(workers_start(&ws, &c, &hooks, err, sizeof err) < 0);
	CHECK(ws == NULL);
	char want[64];
	snprintf(want, sizeof want, "failed to bind 127.0.0.1:%u: ", (unsigned)sock_addr_port(&taken));
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK_EQ_INT(atomic_load(&n_start), 0);
	close(lfd);

	/* a port held by another SO_REUSEPORT socket is "in use" too */
	lfd = sock_listen(&a, 0, SOCK_LISTEN_REUSEPORT, NULL, 0);
	CHECK(lfd >= 0);
	sock_local_addr(lfd, &taken);
	c.port = sock_addr_port(&taken);
	CHECK(workers_start(&ws, &c, &hooks, err, sizeof err) < 0);
	CHECK(strstr(err, "failed to bind") != NULL);
	close(lfd);
}

TEST(start_hook_failure)
{
	reset();
	atomic_store(&fail_start_idx, 1);
	workers_config c = { .host = "127.0.0.1", .threads = 2 };
	workers *ws = (workers *)1;
	char err[256] = "";
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), ERR_NOMEM);
	CHECK(ws == NULL);
	CHECK_EQ_INT(strcmp(err, "worker 1 failed to start: out of memory"), 0);
	CHECK_EQ_INT(atomic_load(&n_start), 2);
	CHECK_EQ_INT(atomic_load(&n_stop), 1);   /* only the worker that started */
}

TEST(cpu_count)
{
	int n = workers_cpu_count();
	CHECK(n >= 1 && n <= 100000);
	/* threads = 0: one worker per CPU */
	reset();
	workers_config c = { .host = "127.0.0.1" };
	workers *ws;
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, NULL, 0), 0);
	CHECK_EQ_INT(workers_count(ws), (size_t)n > 256 ? 256 : (size_t)n);
	workers_free(ws);
}

/* Run out of fds: the worker sheds and pauses instead of spinning, and
 * recovers once fds are free. The client is a forked child (own fd table). */
static void child_connect(const sock_addr *a, int n, int ctl, const struct rlimit *lim)
{
	int got = 0;
	setrlimit(RLIMIT_NOFILE, lim);   /* the child is not the one short of fds */
	for (int i = 0; i < n; i++) {
		int fd = socket(sock_addr_family(a), SOCK_STREAM, 0);
		if (fd < 0)
			break;
		if (connect(fd, &a->u.sa, a->len) == 0)
			got++;
	}
	(void)!write(ctl, &got, sizeof got);
	char b;
	(void)!read(ctl, &b, 1);   /* hold the connections until told */
	_exit(0);
}

TEST(out_of_fds)
{
	reset();
	workers_config c = { .host = "127.0.0.1", .threads = 1 };
	workers *ws;
	char err[256];
	CHECK_EQ_INT(workers_start(&ws, &c, &hooks, err, sizeof err), 0);
	sock_addr a;
	workers_local_addr(ws, &a);

	struct rlimit old, low;
	getrlimit(RLIMIT_NOFILE, &old);
	/* room for what is open now plus a few connections */
	int probe = open("/dev/null", O_RDONLY);
	low = old;
	low.rlim_cur = (rlim_t)probe + 8;
	close(probe);
	int sv[2];
	CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_EQ_INT(setrlimit(RLIMIT_NOFILE, &low), 0);

	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		child_connect(&a, 40, sv[1], &old);
	}
	close(sv[1]);
	int got = 0;
	CHECK_EQ_INT(read(sv[0], &got, sizeof got), (ssize_t)sizeof got);
	CHECK(got >= 10);   /* the kernel completes handshakes into the backlog */
	/* the worker accepted what it could, hit EMFILE, shed and paused */
	sleep_ms(500);
	int accepted = atomic_load(&n_accept);
	CHECK(accepted >= 1);
	CHECK(accepted < got);
	/* the worker is alive and recovers once fds are back */
	setrlimit(RLIMIT_NOFILE, &old);
	(void)!write(sv[0], "x", 1);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < 500 && total_conns(ws) > 0; i++)
		sleep_ms(10);
	int fd = client(&a);
	CHECK(fd >= 0 && echo(fd, "recovered"));
	if (fd >= 0)
		close(fd);
	workers_shutdown(ws);
	CHECK_EQ_INT(workers_wait(ws), WORKERS_DRAINED);
	workers_free(ws);
}

int main(void)
{
	log_set_level(LOG_WARN);   /* keep the drain progress lines out of the test log */
	RUN(accept_echo_and_drain);
	RUN(accept_pause_resume);
	RUN(drain_idle_immediately);
	RUN(drain_deadline_aborts);
	RUN(abort_now);
	RUN(signals);
	RUN(ipv6_dual_stack_and_names);
	RUN(bind_error);
	RUN(start_hook_failure);
	RUN(cpu_count);
	RUN(out_of_fds);
	return t_done();
}
