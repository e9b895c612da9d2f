/* worker.c — N worker threads (one loop + one SO_REUSEPORT listener each) and
 * a supervisor thread that reads SIGTERM/SIGINT through a signalfd and drives
 * the drain / abort state machine of cli.md "Shutdown". Cross-thread commands
 * to a worker are allocation-free loop_post_items; workers report back by
 * atomics plus a write to the supervisor's eventfd. */
#include "net/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "net/dns.h"

#define WORKERS_MAX_THREADS   256
#define WORKER_STACK          (2u << 20)
#define WORKER_ACCEPT_BATCH   64
#define WORKER_ACCEPT_PAUSE_MS 100
#define WORKERS_STOP_GRACE_MS 10000   /* after abort: wait this long for threads to end */

struct worker {
	workers *ws;
	size_t idx;
	pthread_t th;
	bool th_started;
	loop *l;
	int lfd;                  /* listener, -1 once closed */
	int reserve_fd;           /* spare fd for EMFILE shedding, -1 when none */
	loop_timer accept_pause;  /* EMFILE back-off: listener off until it fires */
	bool accept_paused;       /* worker_accept_pause(w, true) by the upper layer */
	uint64_t last_fd_warn;
	void *ud;
	atomic_long conns, reqs;
	atomic_bool draining;
	atomic_bool drain_acked;
	atomic_bool stopped;      /* the thread has left its loop (and ran hooks.stop) */
	atomic_bool failed;       /* the loop failed (epoll error) */
	int start_rc;             /* under ws->mu */
	bool start_done;          /* under ws->mu */
	loop_post_item drain_item, abort_item, stop_item;
};

enum { SUP_RUNNING, SUP_DRAINING, SUP_DONE };

struct workers {
	workers_config cfg;
	char *host;
	worker_hooks hooks;
	size_t n;
	worker *w;
	sock_addr addr;
	int ctlfd;                /* eventfd: wakes the supervisor */
	int sigfd;                /* signalfd or -1 */
	atomic_bool want_drain, want_abort;
	pthread_t sup;
	bool sup_started;
	bool sup_joined;
	bool threads_joined;
	int result;
	pthread_mutex_t mu;       /* start barrier */
	pthread_cond_t cv;
};

static uint64_t workers_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void workers_notify(workers *ws)
{
	uint64_t one = 1;
	while (write(ws->ctlfd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

int workers_cpu_count(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof set, &set) == 0) {
		int n = CPU_COUNT(&set);
		if (n > 0)
			return n;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* --- worker thread side ------------------------------------------------------- */

static void worker_close_listener(worker *w)
{
	loop_timer_stop(w->l, &w->accept_pause);
	if (w->lfd >= 0) {
		loop_fd_del(w->l, w->lfd);
		close(w->lfd);
		w->lfd = -1;
	}
}

/* Listener interest on exactly when it is open, not paused by the upper
 * layer, not in an EMFILE back-off, and the drain has not started. */
static int worker_accept_sync(worker *w)
{
	if (w->lfd < 0)
		return 0;
	bool on = !w->accept_paused && !loop_timer_active(&w->accept_pause) &&
	          !atomic_load(&w->draining);
	return loop_fd_mod(w->l, w->lfd, on ? LOOP_READ : 0);
}

static void worker_accept_resume(loop *l, void *ud)
{
	(void)l;
	(void)worker_accept_sync(ud);
}

static void worker_accept_backoff(worker *w, const char *why)
{
	uint64_t now = loop_now(w->l);
	if (!w->last_fd_warn || now - w->last_fd_warn >= 10000) {
		w->last_fd_warn = now;
		log_warn("worker %zu: accept failed (%s); pausing accepts for %d ms",
		         w->idx, why, WORKER_ACCEPT_PAUSE_MS);
	}
	(void)loop_fd_mod(w->l, w->lfd, 0);
	(void)loop_timer_start(w->l, &w->accept_pause, WORKER_ACCEPT_PAUSE_MS);
}

/* Out of fds: give the spare fd back, take one connection off the queue and
 * close it (the client sees a close instead of hanging in the backlog), take
 * the spare again, and pause accepting for a moment instead of spinning. */
static void worker_shed_one(worker *w)
{
	if (w->reserve_fd >= 0) {
		close(w->reserve_fd);
		w->reserve_fd = -1;
		int fd = accept4(w->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
}

static void worker_on_accept(loop *l, int fd, int events, void *ud)
{
	(void)l;
	(void)events;
	worker *w = ud;
	workers *ws = w->ws;
	for (int i = 0; i < WORKER_ACCEPT_BATCH && w->lfd == fd && !w->accept_paused; i++) {
		sock_addr peer;
		int c = sock_accept(fd, &peer);
		if (c >= 0) {
			if (ws->hooks.accept)
				ws->hooks.accept(w, c, &peer, ws->hooks.ud);
			else
				close(c);
			continue;
		}
		if (c == ERR_AGAIN)
			break;   /* level-triggered: anything left is reported again */
		int e = errno;
		if (c == ERR_TOOBIG)
			worker_shed_one(w);
		worker_accept_backoff(w, strerror(e));
		break;
	}
}

static void worker_do_drain(loop *l, void *ud)
{
	(void)l;
	worker *w = ud;
	if (atomic_load(&w->stopped))
		return;
	atomic_store(&w->draining, true);
	worker_close_listener(w);
	if (w->ws->hooks.drain)
		w->ws->hooks.drain(w, w->ws->hooks.ud);
	atomic_store(&w->drain_acked, true);
	workers_notify(w->ws);
}

static void worker_do_abort(loop *l, void *ud)
{
	worker *w = ud;
	if (atomic_load(&w->stopped))
		return;
	atomic_store(&w->draining, true);
	worker_close_listener(w);
	if (w->ws->hooks.abort)
		w->ws->hooks.abort(w, w->ws->hooks.ud);
	loop_stop(l);
}

static void worker_do_stop(loop *l, void *ud)
{
	(void)ud;
	loop_stop(l);
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	workers *ws = w->ws;
	int rc = loop_fd_add(w->l, w->lfd, LOOP_READ, worker_on_accept, w);
	if (rc == 0 && ws->hooks.start)
		rc = ws->hooks.start(w, ws->hooks.ud);

	pthread_mutex_lock(&ws->mu);
	w->start_rc = rc;
	w->start_done = true;
	pthread_cond_broadcast(&ws->cv);
	pthread_mutex_unlock(&ws->mu);

	if (rc == 0) {
		loop_update_now(w->l);
		if (loop_run(w->l) < 0) {
			log_error("worker %zu: event loop failed: %s", w->idx, strerror(errno));
			atomic_store(&w->failed, true);
		}
		if (ws->hooks.stop)
			ws->hooks.stop(w, ws->hooks.ud);
	}
	worker_close_listener(w);
	atomic_store(&w->stopped, true);
	workers_notify(ws);
	return NULL;
}

/* --- worker API ------------------------------------------------------------------ */

loop *worker_loop(worker *w) { return w->l; }
size_t worker_index(const worker *w) { return w->idx; }
void worker_set_ud(worker *w, void *ud) { w->ud = ud; }
void *worker_ud(const worker *w) { return w->ud; }
long worker_conns(const worker *w) { return atomic_load(&((worker *)w)->conns); }
long worker_reqs(const worker *w) { return atomic_load(&((worker *)w)->reqs); }
bool worker_draining(const worker *w) { return atomic_load(&((worker *)w)->draining); }

int worker_accept_pause(worker *w, bool pause)
{
	w->accept_paused = pause;
	return worker_accept_sync(w);
}

bool worker_accept_paused(const worker *w) { return w->accept_paused; }

static void worker_count(worker *w, atomic_long *ctr, long delta)
{
	long v = atomic_fetch_add(ctr, delta) + delta;
	if (v == 0 && atomic_load(&w->draining))
		workers_notify(w->ws);   /* maybe the last one: let the supervisor look */
}

void worker_conns_add(worker *w, long delta) { worker_count(w, &w->conns, delta); }
void worker_reqs_add(worker *w, long delta) { worker_count(w, &w->reqs, delta); }

/* --- supervisor ---------------------------------------------------------------- */

static bool workers_all_idle(workers *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		worker *w = &ws->w[i];
		if (atomic_load(&w->stopped))
			continue;
		if (!atomic_load(&w->drain_acked) || atomic_load(&w->conns) > 0 || atomic_load(&w->reqs) > 0)
			return false;
	}
	return true;
}

static void workers_post_all(workers *ws, size_t off)
{
	for (size_t i = 0; i < ws->n; i++) {
		worker *w = &ws->w[i];
		if (!w->th_started)
			continue;
		loop_post_item *it = (loop_post_item *)(void *)((char *)w + off);
		loop_enqueue(w->l, it);
	}
}

static void workers_begin_drain(workers *ws)
{
	log_info("Draining \xe2\x80\x94 waiting for in-flight requests to complete...");
	for (size_t i = 0; i < ws->n; i++)
		atomic_store(&ws->w[i].draining, true);
	workers_post_all(ws, offsetof(worker, drain_item));
}

/* Wait for every worker thread to leave, then join them (bounded). */
static void workers_reap(workers *ws, uint64_t grace_ms)
{
	uint64_t until = workers_now_ms() + grace_ms;
	for (;;) {
		bool all = true;
		for (size_t i = 0; i < ws->n; i++)
			if (ws->w[i].th_started && !atomic_load(&ws->w[i].stopped))
				all = false;
		if (all)
			break;
		uint64_t now = workers_now_ms();
		if (now >= until) {
			log_error("worker threads did not stop within %llu ms; exiting anyway",
			          (unsigned long long)grace_ms);
			return;
		}
		struct pollfd p = { .fd = ws->ctlfd, .events = POLLIN };
		if (poll(&p, 1, (int)(until - now)) > 0) {
			uint64_t v;
			(void)!read(ws->ctlfd, &v, sizeof v);
		}
	}
	for (size_t i = 0; i < ws->n; i++)
		if (ws->w[i].th_started)
			pthread_join(ws->w[i].th, NULL);
	ws->threads_joined = true;
}

static void *workers_supervisor(void *arg)
{
	workers *ws = arg;
	int state = SUP_RUNNING;
	bool aborting = false, failed = false;
	uint64_t sig1 = 0, deadline = 0, next_tick = 0;
	uint64_t drain_ms = (uint64_t)(ws->cfg.drain_ms > 0 ? ws->cfg.drain_ms : LIMIT_DRAIN_S * 1000);
	uint64_t tick_ms = (uint64_t)(ws->cfg.tick_ms > 0 ? ws->cfg.tick_ms : 1000);
	uint64_t window_ms = (uint64_t)(ws->cfg.second_signal_ms > 0 ? ws->cfg.second_signal_ms : 5000);

	while (state != SUP_DONE) {
		int timeout = -1;
		if (state == SUP_DRAINING) {
			uint64_t now = workers_now_ms();
			uint64_t next = next_tick < deadline ? next_tick : deadline;
			timeout = next > now ? (int)(next - now) : 0;
		}
		struct pollfd p[2] = { { .fd = ws->ctlfd, .events = POLLIN }, { .fd = ws->sigfd, .events = POLLIN } };
		int np = ws->sigfd >= 0 ? 2 : 1;
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			log_error("shutdown supervisor: poll: %s", strerror(errno));
			aborting = true;
		}
		uint64_t now = workers_now_ms();
		if (p[0].revents & POLLIN) {
			uint64_t v;
			(void)!read(ws->ctlfd, &v, sizeof v);
		}
		if (np == 2 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(ws->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (state == SUP_RUNNING) {
					log_info("shutdown signal received \xe2\x80\x94 entering Draining phase");
					sig1 = now;
					state = SUP_DRAINING;
					deadline = now + drain_ms;
					next_tick = now + tick_ms;
					workers_begin_drain(ws);
				} else if (now - sig1 <= window_ms) {
					log_warn("second shutdown signal received within %llus \xe2\x80\x94 force aborting",
					         (unsigned long long)(window_ms / 1000));
					aborting = true;
				} else {
					log_info("shutdown signal ignored: drain in progress (deadline in %llus)",
					         (unsigned long long)((deadline > now ? deadline - now : 0) / 1000));
				}
			}
		}
		for (size_t i = 0; i < ws->n; i++)
			if (atomic_load(&ws->w[i].failed) && !failed) {
				failed = true;
				aborting = true;
			}
		if (atomic_load(&ws->want_abort))
			aborting = true;
		if (!aborting && state == SUP_RUNNING && atomic_load(&ws->want_drain)) {
			state = SUP_DRAINING;
			sig1 = now;
			deadline = now + drain_ms;
			next_tick = now + tick_ms;
			workers_begin_drain(ws);
		}
		if (aborting) {
			ws->result = failed ? ERR_IO : WORKERS_ABORTED;
			workers_post_all(ws, offsetof(worker, abort_item));
			state = SUP_DONE;
			break;
		}
		if (state == SUP_DRAINING) {
			if (workers_all_idle(ws)) {
				ws->result = WORKERS_DRAINED;
				workers_post_all(ws, offsetof(worker, stop_item));
				state = SUP_DONE;
				break;
			}
			if (now >= deadline) {
				log_error("hard drain deadline exceeded \xe2\x80\x94 force aborting");
				ws->result = WORKERS_ABORTED;
				workers_post_all(ws, offsetof(worker, abort_item));
				state = SUP_DONE;
				break;
			}
			if (now >= next_tick) {
				log_info("still draining in-flight requests...");
				while (next_tick <= now)
					next_tick += tick_ms;
			}
		}
	}
	workers_reap(ws, WORKERS_STOP_GRACE_MS);
	if (ws->result == WORKERS_DRAINED)
		log_info("graceful shutdown complete");
	else
		log_error("shutdown aborted \xe2\x80\x94 some in-flight requests may have been dropped");
	return NULL;
}

/* --- pool lifecycle -------------------------------------------------------------- */

static int workers_resolve(workers *ws, char *err, size_t errlen)
{
	const char *host = ws->host;
	uint16_t port = ws->cfg.port;
	if (sock_addr_from_ip(&ws->addr, str_from(host), port) == 0)
		return 0;
	dns_addrs r;
	int rc = dns_lookup_blocking(str_from(host), port, true, &r);
	if (rc != 0) {
		if (err && errlen)
			snprintf(err, errlen, "failed to bind %s:%u: %s", host, (unsigned)port,
			         r.reason ? r.reason : err_str(rc));
		return rc;
	}
	ws->addr = r.a[0];
	return 0;
}

/* Bind one listener per worker on ws->addr. A probe bind without
 * SO_REUSEPORT first keeps "address in use" an error even when another
 * process holds the port with SO_REUSEPORT, and picks the ephemeral port. */
static int workers_listen(workers *ws, char *err, size_t errlen)
{
	int probe = sock_listen(&ws->addr, 1, 0, err, errlen);
	if (probe < 0)
		return probe;
	sock_addr bound;
	if (sock_local_addr(probe, &bound) == 0)
		sock_addr_set_port(&ws->addr, sock_addr_port(&bound));
	close(probe);

	for (size_t i = 0; i < ws->n; i++) {
		worker *w = &ws->w[i];
		w->lfd = sock_listen(&ws->addr, ws->cfg.backlog, SOCK_LISTEN_REUSEPORT, err, errlen);
		if (w->lfd >= 0)
			continue;
		if (i == 0 && w->lfd == ERR_UNSUPPORTED) {
			/* no SO_REUSEPORT: one listener, shared through dup() */
			w->lfd = sock_listen(&ws->addr, ws->cfg.backlog, 0, err, errlen);
			if (w->lfd < 0)
				return w->lfd;
			log_debug("SO_REUSEPORT unavailable: %zu workers share one listener", ws->n);
			continue;
		}
		if (i == 0)
			return w->lfd;
		w->lfd = fcntl(ws->w[0].lfd, F_DUPFD_CLOEXEC, 0);
		if (w->lfd < 0) {
			if (err && errlen)
				snprintf(err, errlen, "failed to listen: dup: %s", strerror(errno));
			return ERR_IO;
		}
	}
	return 0;
}

static void workers_release(workers *ws)
{
	if (!ws)
		return;
	if (ws->w) {
		for (size_t i = 0; i < ws->n; i++) {
			worker *w = &ws->w[i];
			if (w->l) {
				loop_free(w->l);   /* runs queued items: stopped workers ignore them */
				w->l = NULL;
			}
			if (w->lfd >= 0)
				close(w->lfd);
			if (w->reserve_fd >= 0)
				close(w->reserve_fd);
		}
		free(ws->w);
	}
	if (ws->ctlfd >= 0)
		close(ws->ctlfd);
	if (ws->sigfd >= 0)
		close(ws->sigfd);
	pthread_mutex_destroy(&ws->mu);
	pthread_cond_destroy(&ws->cv);
	free(ws->host);
	free(ws);
}

int workers_start(workers **out, const workers_config *cfg, const worker_hooks *hooks,
                  char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	workers *ws = calloc(1, sizeof *ws);
	if (!ws)
		return ERR_NOMEM;
	ws->cfg = cfg ? *cfg : (workers_config){ 0 };
	ws->hooks = hooks ? *hooks : (worker_hooks){ 0 };
	ws->ctlfd = ws->sigfd = -1;
	pthread_mutex_init(&ws->mu, NULL);
	pthread_cond_init(&ws->cv, NULL);
	atomic_init(&ws->want_drain, false);
	atomic_init(&ws->want_abort, false);
	int rc = ERR_NOMEM;
	ws->host = strdup(ws->cfg.host ? ws->cfg.host : "0.0.0.0");
	if (!ws->host)
		goto fail;
	ws->cfg.host = ws->host;
	int n = ws->cfg.threads > 0 ? ws->cfg.threads : workers_cpu_count();
	if (n > WORKERS_MAX_THREADS)
		n = WORKERS_MAX_THREADS;
	ws->n = (size_t)n;
	ws->w = calloc(ws->n, sizeof *ws->w);
	if (!ws->w)
		goto fail;
	for (size_t i = 0; i < ws->n; i++) {
		worker *w = &ws->w[i];
		w->ws = ws;
		w->idx = i;
		w->lfd = w->reserve_fd = -1;
		atomic_init(&w->conns, 0);
		atomic_init(&w->reqs, 0);
		atomic_init(&w->draining, false);
		atomic_init(&w->drain_acked, false);
		atomic_init(&w->stopped, false);
		atomic_init(&w->failed, false);
		loop_timer_init(&w->accept_pause, worker_accept_resume, w);
		w->drain_item = (loop_post_item){ .fn = worker_do_drain, .ud = w };
		w->abort_item = (loop_post_item){ .fn = worker_do_abort, .ud = w };
		w->stop_item = (loop_post_item){ .fn = worker_do_stop, .ud = w };
		if ((rc = loop_new(&w->l)) != 0) {
			if (err && errlen)
				snprintf(err, errlen, "failed to create event loop: %s", strerror(errno));
			goto fail;
		}
		w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if ((rc = workers_resolve(ws, err, errlen)) != 0)
		goto fail;
	if ((rc = workers_listen(ws, err, errlen)) != 0)
		goto fail;

	ws->ctlfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ws->ctlfd < 0) {
		rc = ERR_IO;
		goto fail;
	}
	if (ws->cfg.signals) {
		sigset_t ss;
		sigemptyset(&ss);
		sigaddset(&ss, SIGTERM);
		sigaddset(&ss, SIGINT);
		pthread_sigmask(SIG_BLOCK, &ss, NULL);
		ws->sigfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
		if (ws->sigfd < 0) {
			rc = ERR_IO;
			if (err && errlen)
				snprintf(err, errlen, "signalfd: %s", strerror(errno));
			goto fail;
		}
	}

	/* threads: all signals blocked, an explicit stack size (musl's default is small) */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = 0;
	for (size_t i = 0; i < ws->n; i++) {
		if (pthread_create(&ws->w[i].th, &attr, worker_main, &ws->w[i]) != 0) {
			rc = ERR_NOMEM;
			if (err && errlen)
				snprintf(err, errlen, "failed to start worker thread: %s", strerror(errno));
			break;
		}
		ws->w[i].th_started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	/* barrier: every started worker ran its start hook */
	pthread_mutex_lock(&ws->mu);
	for (size_t i = 0; i < ws->n; i++) {
		while (ws->w[i].th_started && !ws->w[i].start_done)
			pthread_cond_wait(&ws->cv, &ws->mu);
		if (ws->w[i].th_started && ws->w[i].start_rc != 0 && rc == 0) {
			rc = ws->w[i].start_rc;
			if (err && errlen)
				snprintf(err, errlen, "worker %zu failed to start: %s", i, err_str(rc));
		}
	}
	pthread_mutex_unlock(&ws->mu);

	if (rc == 0 && pthread_create(&ws->sup, &attr, workers_supervisor, ws) != 0) {
		rc = ERR_NOMEM;
		if (err && errlen)
			snprintf(err, errlen, "failed to start the shutdown supervisor");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		workers_post_all(ws, offsetof(worker, stop_item));
		for (size_t i = 0; i < ws->n; i++)
			if (ws->w[i].th_started)
				pthread_join(ws->w[i].th, NULL);
		goto fail;
	}
	ws->sup_started = true;
	*out = ws;
	return 0;
fail:
	workers_release(ws);
	return rc ? rc : ERR_IO;
}

int workers_wait(workers *ws)
{
	if (!ws->sup_joined) {
		pthread_join(ws->sup, NULL);
		ws->sup_joined = true;
	}
	return ws->result;
}

void workers_free(workers *ws)
{
	if (!ws)
		return;
	if (ws->sup_started && !ws->sup_joined) {
		workers_abort(ws);
		workers_wait(ws);
	}
	if (ws->sup_started && !ws->threads_joined)
		return;   /* a worker is stuck: leave its memory alone, the process is exiting */
	workers_release(ws);
}

void workers_shutdown(workers *ws)
{
	atomic_store(&ws->want_drain, true);
	workers_notify(ws);
}

void workers_abort(workers *ws)
{
	atomic_store(&ws->want_abort, true);
	workers_notify(ws);
}

size_t workers_count(const workers *ws) { return ws->n; }

worker *workers_get(workers *ws, size_t i)
{
	return i < ws->n ? &ws->w[i] : NULL;
}

void workers_local_addr(const workers *ws, sock_addr *a)
{
	*a = ws->addr;
}
