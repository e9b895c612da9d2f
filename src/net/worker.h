/* worker.h — the server's thread pool: N worker threads, each running its own
 * loop (net/loop.h) with its own SO_REUSEPORT listener on the same address
 * (the kernel spreads connections), plus one supervisor thread that turns
 * SIGTERM/SIGINT into a graceful drain (cli.md "Shutdown"):
 *
 *   first signal (or workers_shutdown)  -> "draining": every worker closes its
 *       listener and runs hooks.drain; progress line
 *       "still draining in-flight requests..." every second;
 *   all workers idle (active connections and requests both 0)
 *       -> stop, "graceful shutdown complete", workers_wait() = WORKERS_DRAINED;
 *   hard deadline (LIMIT_DRAIN_S after the drain started), or a second signal
 *       within 5 s of the first (or workers_abort) -> hooks.abort on every
 *       worker, stop, "shutdown aborted — ..." logged, WORKERS_ABORTED.
 *   A signal later than 5 s into the drain is logged and ignored (the
 *   deadline bounds the drain), as upstream does.
 *
 * Listeners: a probe bind without SO_REUSEPORT comes first, so a port held by
 * any other socket (another liter-llm included) fails with "failed to bind
 * <addr>: ..." instead of silently sharing the port; port 0 picks one
 * ephemeral port for all workers. Without SO_REUSEPORT support the workers
 * share one listening socket (dup). Accepts are batched (64 per wake-up);
 * out of fds (EMFILE/ENFILE), a worker closes a spare fd to take one pending
 * connection off the queue and close it, then pauses accepting for 100 ms
 * (logged at most every 10 s) instead of spinning.
 *
 * Threads: at most 256 workers; each has a 2 MiB stack (musl's default is
 * 128 KiB) and is created with all signals blocked.
 *
 * Threading: hooks run on the worker's own thread. The worker_* functions
 * that take a worker are for its own thread, except the read-only counters
 * (worker_conns/worker_reqs/worker_draining), which any thread may read.
 * The workers_* functions are for the thread that started the pool, except
 * workers_shutdown/workers_abort (any thread). */
#ifndef NET_WORKER_H
#define NET_WORKER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net/loop.h"
#include "net/sock.h"

typedef struct workers workers;
typedef struct worker worker;

/* The upper layer (the HTTP server). All optional (NULL = nothing to do;
 * with accept NULL, accepted sockets are closed at once). */
typedef struct worker_hooks {
	/* Before the worker's loop runs, on its thread: set up per-worker state
	 * (worker_set_ud). A negative err_t fails workers_start. */
	int (*start)(worker *w, void *ud);
	/* A connection was accepted: fd is non-blocking, close-on-exec, TCP_NODELAY
	 * set; the hook owns it now (register it on worker_loop(w), close it when
	 * done) and should count it with worker_conns_add(w, +1 / -1). It can
	 * still run in the moment between the drain start and the listener
	 * closing: check worker_draining(w) (serve one response with
	 * "Connection: close", or close at once). */
	void (*accept)(worker *w, int fd, const sock_addr *peer, void *ud);
	/* Drain started: the listener is already closed. Finish in-flight
	 * requests, close idle keep-alive connections now and each busy one after
	 * its response (answer with "Connection: close"). Drain is complete once
	 * worker_conns() and worker_reqs() are both 0 on every worker. */
	void (*drain)(worker *w, void *ud);
	/* Deadline or second signal: close every connection now. The loop stops
	 * right after. */
	void (*abort)(worker *w, void *ud);
	/* The loop has stopped (after a drain or an abort, or when workers_start
	 * fails after this worker's start hook succeeded): release per-worker
	 * state, cancel pending DNS requests, close what is left. */
	void (*stop)(worker *w, void *ud);
	void *ud;
} worker_hooks;

/* Zero fields take the defaults. */
typedef struct workers_config {
	const char *host;       /* bind address: "0.0.0.0", "127.0.0.1", "::", "[::]", "::1",
	                           "[::1]", or a name (resolved once at start-up, first
	                           address). NULL = "0.0.0.0". "::" is dual-stack. */
	uint16_t port;          /* 0 = an ephemeral port, the same for all workers */
	int threads;            /* 0 = CPU count (workers_cpu_count) */
	int backlog;            /* 0 = SOMAXCONN */
	bool signals;           /* handle SIGTERM/SIGINT (blocked in the calling thread and
	                           read by the supervisor with signalfd). false: leave the
	                           signal dispositions alone (tests, MCP over HTTP). */
	int drain_ms;           /* hard drain deadline; 0 = LIMIT_DRAIN_S s */
	int tick_ms;            /* drain progress line period; 0 = 1000 */
	int second_signal_ms;   /* second-signal abort window; 0 = 5000 */
} workers_config;

enum { WORKERS_DRAINED = 0, WORKERS_ABORTED = 1 };

/* Number of CPUs this process may run on (sched_getaffinity, else sysconf),
 * at least 1. */
int workers_cpu_count(void);

/* Bind every listener (errors are synchronous: err gets
 * "failed to bind <addr>: <os error>"), start the threads, run each start
 * hook and return once every worker's loop is running. Ignores SIGPIPE
 * process-wide. With cfg->signals, blocks SIGTERM and SIGINT in the calling
 * thread (threads created from it afterwards inherit that; threads made by
 * net/ are created with all signals blocked): call it from the main thread
 * before starting any other thread that does not block them. Returns 0 or a
 * negative err_t (nothing is left running then). */
int workers_start(workers **out, const workers_config *cfg, const worker_hooks *hooks,
                  char *err, size_t errlen);

/* Block until the pool has shut down (drained or aborted) and every worker
 * thread has finished. Returns WORKERS_DRAINED, WORKERS_ABORTED (both mean
 * "exit 0" per cli.md) or a negative err_t. Logs the final line.
 * Order at exit: workers_wait -> dns_free -> workers_free (the loops must
 * outlive the resolver threads that may post into them). */
int workers_wait(workers *ws);
/* Free the pool (after workers_wait; also fine right after a failed start:
 * it then shuts down first). Frees the loops. NULL-safe. */
void workers_free(workers *ws);

/* Start the graceful drain as if a first signal had arrived. Thread-safe,
 * idempotent. */
void workers_shutdown(workers *ws);
/* Abort at once as if a second signal had arrived. Thread-safe. */
void workers_abort(workers *ws);

size_t workers_count(const workers *ws);
worker *workers_get(workers *ws, size_t i);   /* NULL when out of range */
/* The address the listeners are bound to (with the actual port), for the
 * "listening on <addr>" line. */
void workers_local_addr(const workers *ws, sock_addr *a);

/* --- one worker (on its own thread) ---------------------------------------- */

loop *worker_loop(worker *w);
size_t worker_index(const worker *w);           /* 0 .. count-1 */
void worker_set_ud(worker *w, void *ud);        /* per-worker state of the upper layer */
void *worker_ud(const worker *w);
/* Active connections / in-flight requests of this worker. The upper layer
 * keeps them up to date (+1 when it takes a connection or starts a request,
 * -1 when done); when both reach 0 during a drain the supervisor is told. */
void worker_conns_add(worker *w, long delta);
void worker_reqs_add(worker *w, long delta);
long worker_conns(const worker *w);             /* any thread */
long worker_reqs(const worker *w);              /* any thread */
bool worker_draining(const worker *w);          /* any thread: drain (or abort) has started */

/* Stop (pause = true) or resume (false) accepting on this worker, e.g. at
 * max_conns and back below it. Paused, the listener is out of the loop's
 * interest: pending connections wait in the kernel backlog (other workers
 * with their own SO_REUSEPORT listener keep accepting theirs), and an accept
 * batch in progress stops after the current accept hook. Idempotent; may be
 * called from any hook, including accept. Resuming does not override the
 * short EMFILE back-off (accepting restarts when it ends, if not paused) and
 * never reopens anything: once the drain has started or the listener is
 * closed, both calls only record the wish. Returns 0, or a negative err_t
 * when the loop could not change the interest (ERR_IO). */
int worker_accept_pause(worker *w, bool pause);
bool worker_accept_paused(const worker *w);     /* as last set; false initially */

#endif
