/* loop.h — the per-thread event loop: an epoll fd table, a timer heap, a
 * cached clock, a before-sleep hook and a thread-safe "post a callback" queue
 * woken through an eventfd. One loop per worker thread (see net/worker.h);
 * everything on a loop runs on that thread, nothing blocks it.
 *
 * Readiness is LEVEL-TRIGGERED by default: a callback that leaves bytes
 * unread (backpressure: "stop reading upstream while the client is slow") is
 * called again on the next iteration as long as it keeps READ interest, so
 * no readiness is ever lost. Turn interest off with loop_fd_mod() to stop
 * being called, back on to resume. Interest changes that do not change the
 * mask cost no syscall (the mask is cached). While an fd has neither READ nor
 * WRITE interest it is taken out of epoll, so a paused connection is not
 * woken even by an error or hang-up (no spinning on EPOLLHUP): it learns
 * about it from its next read/write once it resumes. LOOP_EDGE opts one fd into
 * edge-triggered mode (EPOLLET): then the callback MUST read/write until
 * ERR_AGAIN, or it will not be called again for data already there.
 *
 * Threading: a loop belongs to the thread that runs it. Every function here
 * must be called on that thread, except loop_post(), loop_enqueue(),
 * loop_wake() and loop_stop(), which any thread may call while the loop is
 * alive. */
#ifndef NET_LOOP_H
#define NET_LOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct loop loop;

/* Interest / readiness bits. LOOP_READ/LOOP_WRITE equal IO_WANT_READ and
 * IO_WANT_WRITE of net/io.h, so io_want() can be passed as an interest mask. */
enum {
	LOOP_READ  = 1,
	LOOP_WRITE = 2,
	LOOP_HUP   = 4,   /* reported only, never part of a mask. Two causes:
	                     - the peer shut down its sending side (EPOLLRDHUP; watched only
	                       while READ interest is on): reported as HUP | READ, WRITE only
	                       if it is ready by itself. Everything the peer sent before is
	                       still readable: read to the end of stream (0) before closing.
	                       With LOOP_EDGE this comes in the same event as the last bytes
	                       when both arrive together, so a reader that stops at a short
	                       read must keep reading when HUP is set.
	                     - full hang-up or socket error (EPOLLHUP/EPOLLERR): HUP | READ |
	                       WRITE (as far as registered), so the next read/write call
	                       returns the error or the end of stream. */
	LOOP_EDGE  = 8    /* interest flag: edge-triggered for this fd (see above) */
};

/* fd readiness callback: events = LOOP_READ | LOOP_WRITE | LOOP_HUP as ready.
 * The callback may do anything with the loop, including loop_fd_del() and
 * close() of this or any other fd: events already collected for a deleted fd
 * are dropped, never delivered to a later registration of the same number. */
typedef void (*loop_fd_fn)(loop *l, int fd, int events, void *ud);
typedef void (*loop_timer_fn)(loop *l, void *ud);
typedef void (*loop_post_fn)(loop *l, void *ud);
typedef void (*loop_hook_fn)(loop *l, void *ud);

/* --- lifecycle ------------------------------------------------------------ */

/* Create a loop (epoll + eventfd). 0 or ERR_NOMEM / ERR_IO (errno set). */
int loop_new(loop **out);
/* Free the loop. Callbacks still queued by loop_post()/loop_enqueue() are run first (so the
 * memory they carry is released; they see a loop that is stopping), then fds
 * still registered are forgotten (NOT closed: they belong to their owners) and
 * pending timers are dropped. NULL-safe. No other thread may post after this
 * starts: stop and join whoever posts (e.g. dns_free) before. */
void loop_free(loop *l);

/* Run iterations until loop_stop(). Returns 0, or a negative err_t when
 * epoll_wait fails with something other than EINTR. */
int loop_run(loop *l);
/* Ask loop_run() to return after the current iteration. Thread-safe (wakes
 * the loop when called from another thread). A later loop_run() runs again. */
void loop_stop(loop *l);
/* One iteration: run the before-sleep hook, wait up to timeout_ms (-1 = until
 * something happens, 0 = poll) or until the next timer is due, whichever is
 * sooner, then dispatch fd events, posted callbacks and due timers (in that
 * order). Returns the number of callbacks run (>= 0) or a negative err_t. */
int loop_step(loop *l, int timeout_ms);
/* Interrupt a blocking wait without queueing anything. Thread-safe. */
void loop_wake(loop *l);

/* Cached monotonic time in ms, updated once per iteration (after the wait).
 * Cheap; use it for timeouts and "now" in request handling. */
uint64_t loop_now(const loop *l);
/* Refresh the cached time now (after a long computation). Returns it. */
uint64_t loop_update_now(loop *l);

/* One before-sleep hook per loop (flush coalesced writes, metrics...); it runs
 * on each iteration just before the loop waits. fn NULL removes it. */
void loop_set_before_sleep(loop *l, loop_hook_fn fn, void *ud);

/* --- fd table --------------------------------------------------------------- */

/* Register fd with interest mask (LOOP_READ | LOOP_WRITE [| LOOP_EDGE]; 0 is
 * allowed: registered, silent). One registration per fd per loop:
 * ERR_DUP when fd is already registered, ERR_INVAL for fd < 0 or fn NULL,
 * ERR_NOMEM, ERR_IO (epoll_ctl failed, errno set). The loop does not own fd. */
int loop_fd_add(loop *l, int fd, int mask, loop_fd_fn fn, void *ud);
/* Change the interest mask (same flags). No syscall when unchanged.
 * ERR_NOTFOUND when fd is not registered, ERR_IO. */
int loop_fd_mod(loop *l, int fd, int mask);
/* Current interest mask, or ERR_NOTFOUND. */
int loop_fd_mask(const loop *l, int fd);
/* Replace the callback and/or ud of a registered fd (hand a socket from an
 * acceptor to a connection object). ERR_NOTFOUND. */
int loop_fd_set_cb(loop *l, int fd, loop_fd_fn fn, void *ud);
/* Unregister fd (call it BEFORE close(fd)). No-op for an unknown fd. */
void loop_fd_del(loop *l, int fd);
/* Number of registered fds (the loop's own eventfd is not counted). */
size_t loop_fd_count(const loop *l);

/* --- timers ----------------------------------------------------------------- */

/* A timer is caller-owned memory (embed it in the connection it times out):
 * no allocation, O(log n) start/stop, any number per loop. Zero-initialised
 * (or LOOP_TIMER_INIT) is a valid stopped timer; set fn/ud with
 * loop_timer_init() or by hand before starting. It must stay alive while
 * active: stop it before freeing its owner (stopping an inactive timer is a
 * no-op, so "stop, then free" is always safe). */
typedef struct loop_timer {
	loop_timer_fn fn;
	void *ud;
	uint64_t due;     /* private: absolute due time (ms) */
	uint64_t seq;     /* private: FIFO order among equal due times */
	size_t idx;       /* private: heap index + 1, 0 = not active */
} loop_timer;

#define LOOP_TIMER_INIT { 0, 0, 0, 0, 0 }

void loop_timer_init(loop_timer *t, loop_timer_fn fn, void *ud);
/* (Re)arm: fire once, ms milliseconds after loop_now(). Restarting an active
 * timer moves it (this is "rearm"). A timer fires at the earliest on the next
 * iteration, even with ms = 0, so a callback that re-arms itself cannot spin
 * the current one. Timers due at the same time fire in the order they were
 * (re)armed. The timer is inactive when its callback runs: the callback may
 * re-arm it, stop it (no-op) or free its memory. Resolution is 1 ms (a timer
 * fires no earlier than ms - 1 after loop_now()). 0, ERR_INVAL (t->fn NULL)
 * or ERR_NOMEM. */
int loop_timer_start(loop *l, loop_timer *t, uint64_t ms);
/* Cancel. No-op when not active. */
void loop_timer_stop(loop *l, loop_timer *t);
static inline bool loop_timer_active(const loop_timer *t) { return t->idx != 0; }
/* Number of active timers. */
size_t loop_timer_count(const loop *l);

/* --- cross-thread posting ------------------------------------------------ */

/* Queue fn(l, ud) to run on the loop's thread, in FIFO order, during the next
 * iteration (the loop is woken through its eventfd). Thread-safe; also fine
 * from the loop's own thread (runs on the next iteration, never inline).
 * 0 or ERR_NOMEM (one small allocation per call). */
int loop_post(loop *l, loop_post_fn fn, void *ud);

/* Allocation-free variant: the caller embeds a loop_post_item in the object it
 * completes (e.g. a DNS request) and sets fn/ud; the item must stay alive
 * until fn has been called, and may not be queued twice at once. fn may free
 * the item's memory. Thread-safe, cannot fail. */
typedef struct loop_post_item {
	loop_post_fn fn;
	void *ud;
	struct loop_post_item *next;   /* private */
	int heap;                      /* private */
} loop_post_item;
void loop_enqueue(loop *l, loop_post_item *it);

#endif
