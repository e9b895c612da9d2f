/* loop.c — epoll event loop: fd table indexed by fd number (generation-tagged
 * so stale events of a deleted fd are never delivered), binary min-heap of
 * caller-owned timers, cached monotonic clock, and a mutex-protected FIFO of
 * posted callbacks woken through an eventfd. See loop.h for the contract. */
#include "net/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "net/io.h"

_Static_assert((int)LOOP_READ == (int)IO_WANT_READ && (int)LOOP_WRITE == (int)IO_WANT_WRITE,
	"loop interest bits must match io want bits");

#define LOOP_MAX_EVENTS 256
#define LOOP_WAKE_TOKEN UINT64_MAX   /* epoll data of the eventfd */
#define LOOP_RW (LOOP_READ | LOOP_WRITE)

typedef struct loop_slot {
	loop_fd_fn fn;
	void *ud;
	uint32_t gen;     /* bumped on every add: tags epoll events */
	int mask;         /* interest as given (LOOP_READ|LOOP_WRITE|LOOP_EDGE) */
	bool used;
	bool in_epoll;    /* registered with epoll (only while mask has READ or WRITE) */
} loop_slot;

struct loop {
	int epfd;
	int evfd;
	loop_slot *slots;
	size_t nslots;
	size_t nfds;

	loop_timer **heap;
	size_t nheap, heap_cap;
	uint64_t timer_seq;

	uint64_t now;
	loop_hook_fn before_sleep;
	void *before_sleep_ud;

	pthread_mutex_t mu;                /* guards the post queue */
	loop_post_item *post_head, *post_tail;
	atomic_bool stop;

	struct epoll_event ev[LOOP_MAX_EVENTS];
};

static uint64_t loop_clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* --- lifecycle ------------------------------------------------------------ */

int loop_new(loop **out)
{
	loop *l = calloc(1, sizeof *l);
	*out = NULL;
	if (!l)
		return ERR_NOMEM;
	l->epfd = l->evfd = -1;
	if (pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l);
		return ERR_NOMEM;
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		goto fail;
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->evfd < 0)
		goto fail;
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = LOOP_WAKE_TOKEN };
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &e) != 0)
		goto fail;
	atomic_init(&l->stop, false);
	l->now = loop_clock_ms();
	*out = l;
	return 0;
fail:;
	int saved = errno;
	if (l->evfd >= 0)
		close(l->evfd);
	if (l->epfd >= 0)
		close(l->epfd);
	pthread_mutex_destroy(&l->mu);
	free(l);
	errno = saved;
	return (saved == ENOMEM) ? ERR_NOMEM : ERR_IO;
}

/* Take the whole post queue (FIFO). */
static loop_post_item *loop_take_posts(loop *l)
{
	pthread_mutex_lock(&l->mu);
	loop_post_item *it = l->post_head;
	l->post_head = l->post_tail = NULL;
	pthread_mutex_unlock(&l->mu);
	return it;
}

static int loop_run_posts(loop *l, loop_post_item *it)
{
	int n = 0;
	while (it) {
		loop_post_item *next = it->next;
		loop_post_fn fn = it->fn;
		void *ud = it->ud;
		it->next = NULL;
		if (it->heap)
			free(it);
		fn(l, ud);   /* may free an embedded item: it is not touched after this */
		n++;
		it = next;
	}
	return n;
}

void loop_free(loop *l)
{
	if (!l)
		return;
	loop_post_item *it;
	while ((it = loop_take_posts(l)) != NULL)
		loop_run_posts(l, it);
	for (size_t i = 0; i < l->nheap; i++)
		l->heap[i]->idx = 0;
	free(l->heap);
	free(l->slots);
	close(l->evfd);
	close(l->epfd);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

uint64_t loop_now(const loop *l) { return l->now; }

uint64_t loop_update_now(loop *l)
{
	l->now = loop_clock_ms();
	return l->now;
}

void loop_set_before_sleep(loop *l, loop_hook_fn fn, void *ud)
{
	l->before_sleep = fn;
	l->before_sleep_ud = ud;
}

void loop_wake(loop *l)
{
	uint64_t one = 1;
	ssize_t r;
	do
		r = write(l->evfd, &one, sizeof one);
	while (r < 0 && errno == EINTR);
	/* EAGAIN: the counter is saturated, the loop is awake anyway. */
}

void loop_stop(loop *l)
{
	atomic_store(&l->stop, true);
	loop_wake(l);
}

/* --- fd table --------------------------------------------------------------- */

static int loop_grow_slots(loop *l, int fd)
{
	if ((size_t)fd < l->nslots)
		return 0;
	size_t n = l->nslots ? l->nslots : 64;
	while (n <= (size_t)fd)
		n *= 2;
	loop_slot *s = realloc(l->slots, n * sizeof *s);
	if (!s)
		return ERR_NOMEM;
	memset(s + l->nslots, 0, (n - l->nslots) * sizeof *s);
	l->slots = s;
	l->nslots = n;
	return 0;
}

static uint32_t loop_epoll_events(int mask)
{
	uint32_t e = 0;
	if (mask & LOOP_READ)
		e |= EPOLLIN | EPOLLRDHUP;   /* an end of stream that comes with the last bytes */
	if (mask & LOOP_WRITE)
		e |= EPOLLOUT;
	if (mask & LOOP_EDGE)
		e |= EPOLLET;
	return e;
}

static int loop_ctl(loop *l, int op, int fd, const loop_slot *s, int mask)
{
	struct epoll_event e = {
		.events = loop_epoll_events(mask),
		.data.u64 = ((uint64_t)s->gen << 32) | (uint32_t)fd,
	};
	if (epoll_ctl(l->epfd, op, fd, &e) == 0)
		return 0;
	if (op == EPOLL_CTL_ADD && errno == EEXIST &&
	    epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &e) == 0)
		return 0;   /* a stale registration of a dup'ed description: take it over */
	if (op == EPOLL_CTL_MOD && errno == ENOENT &&
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e) == 0)
		return 0;
	return errno == ENOMEM ? ERR_NOMEM : ERR_IO;
}

int loop_fd_add(loop *l, int fd, int mask, loop_fd_fn fn, void *ud)
{
	if (fd < 0 || !fn)
		return ERR_INVAL;
	int rc = loop_grow_slots(l, fd);
	if (rc)
		return rc;
	loop_slot *s = &l->slots[fd];
	if (s->used)
		return ERR_DUP;
	s->gen++;
	mask &= LOOP_RW | LOOP_EDGE;
	bool want = (mask & LOOP_RW) != 0;
	if (want && (rc = loop_ctl(l, EPOLL_CTL_ADD, fd, s, mask)) != 0)
		return rc;
	s->fn = fn;
	s->ud = ud;
	s->mask = mask;
	s->used = true;
	s->in_epoll = want;
	l->nfds++;
	return 0;
}

int loop_fd_mod(loop *l, int fd, int mask)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return ERR_NOTFOUND;
	loop_slot *s = &l->slots[fd];
	mask &= LOOP_RW | LOOP_EDGE;
	if (mask == s->mask)
		return 0;
	bool want = (mask & LOOP_RW) != 0;
	int rc = 0;
	if (want)
		rc = loop_ctl(l, s->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, s, mask);
	else if (s->in_epoll && epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != ENOENT)
		rc = ERR_IO;
	if (rc)
		return rc;
	s->mask = mask;
	s->in_epoll = want;
	return 0;
}

int loop_fd_mask(const loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return ERR_NOTFOUND;
	return l->slots[fd].mask;
}

int loop_fd_set_cb(loop *l, int fd, loop_fd_fn fn, void *ud)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return ERR_NOTFOUND;
	if (!fn)
		return ERR_INVAL;
	l->slots[fd].fn = fn;
	l->slots[fd].ud = ud;
	return 0;
}

void loop_fd_del(loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nslots || !l->slots[fd].used)
		return;
	loop_slot *s = &l->slots[fd];
	if (s->in_epoll)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);  /* EBADF if already closed: fine */
	s->used = false;
	s->in_epoll = false;
	s->fn = NULL;
	s->ud = NULL;
	s->mask = 0;
	l->nfds--;
}

size_t loop_fd_count(const loop *l) { return l->nfds; }

/* --- timers ------------------------------------------------------------------- */

static bool loop_timer_less(const loop_timer *a, const loop_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void loop_heap_set(loop *l, size_t i, loop_timer *t)
{
	l->heap[i] = t;
	t->idx = i + 1;
}

static void loop_heap_up(loop *l, size_t i)
{
	loop_timer *t = l->heap[i];
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!loop_timer_less(t, l->heap[p]))
			break;
		loop_heap_set(l, i, l->heap[p]);
		i = p;
	}
	loop_heap_set(l, i, t);
}

static void loop_heap_down(loop *l, size_t i)
{
	loop_timer *t = l->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && loop_timer_less(l->heap[c + 1], l->heap[c]))
			c++;
		if (!loop_timer_less(l->heap[c], t))
			break;
		loop_heap_set(l, i, l->heap[c]);
		i = c;
	}
	loop_heap_set(l, i, t);
}

static void loop_heap_remove(loop *l, loop_timer *t)
{
	size_t i = t->idx - 1;
	t->idx = 0;
	l->nheap--;
	if (i == l->nheap)
		return;
	loop_timer *last = l->heap[l->nheap];
	loop_heap_set(l, i, last);
	if (i > 0 && loop_timer_less(last, l->heap[(i - 1) / 2]))
		loop_heap_up(l, i);
	else
		loop_heap_down(l, i);
}

void loop_timer_init(loop_timer *t, loop_timer_fn fn, void *ud)
{
	memset(t, 0, sizeof *t);
	t->fn = fn;
	t->ud = ud;
}

int loop_timer_start(loop *l, loop_timer *t, uint64_t ms)
{
	if (!t->fn)
		return ERR_INVAL;
	if (t->idx)
		loop_heap_remove(l, t);
	if (l->nheap == l->heap_cap) {
		size_t n = l->heap_cap ? l->heap_cap * 2 : 64;
		loop_timer **h = realloc(l->heap, n * sizeof *h);
		if (!h)
			return ERR_NOMEM;
		l->heap = h;
		l->heap_cap = n;
	}
	t->due = (ms > UINT64_MAX - l->now) ? UINT64_MAX : l->now + ms;
	t->seq = ++l->timer_seq;
	loop_heap_set(l, l->nheap, t);
	l->nheap++;
	loop_heap_up(l, l->nheap - 1);
	return 0;
}

void loop_timer_stop(loop *l, loop_timer *t)
{
	if (t && t->idx)
		loop_heap_remove(l, t);
}

size_t loop_timer_count(const loop *l) { return l->nheap; }

/* Fire the timers due at l->now that were armed before this call. */
static int loop_run_timers(loop *l)
{
	int n = 0;
	uint64_t limit = l->timer_seq;
	while (l->nheap > 0) {
		loop_timer *t = l->heap[0];
		if (t->due > l->now || t->seq > limit)
			break;
		loop_heap_remove(l, t);
		t->fn(l, t->ud);   /* may re-arm t, or free it */
		n++;
	}
	return n;
}

/* --- posting ---------------------------------------------------------------- */

void loop_enqueue(loop *l, loop_post_item *it)
{
	it->next = NULL;
	pthread_mutex_lock(&l->mu);
	bool was_empty = l->post_head == NULL;
	if (l->post_tail)
		l->post_tail->next = it;
	else
		l->post_head = it;
	l->post_tail = it;
	pthread_mutex_unlock(&l->mu);
	if (was_empty)
		loop_wake(l);
}

int loop_post(loop *l, loop_post_fn fn, void *ud)
{
	loop_post_item *it = malloc(sizeof *it);
	if (!it)
		return ERR_NOMEM;
	it->fn = fn;
	it->ud = ud;
	it->heap = 1;
	loop_enqueue(l, it);
	return 0;
}

/* --- iterations ------------------------------------------------------------- */

static void loop_drain_wake(loop *l)
{
	uint64_t v;
	while (read(l->evfd, &v, sizeof v) < 0 && errno == EINTR)
		;
}

int loop_step(loop *l, int timeout_ms)
{
	if (l->before_sleep)
		l->before_sleep(l, l->before_sleep_ud);

	int wait = timeout_ms < 0 ? -1 : timeout_ms;
	if (l->nheap > 0) {
		uint64_t now = loop_update_now(l);
		uint64_t due = l->heap[0]->due;
		uint64_t d = due > now ? due - now : 0;
		if (d > INT32_MAX)
			d = INT32_MAX;
		if (wait < 0 || (uint64_t)wait > d)
			wait = (int)d;
	}

	int n = epoll_wait(l->epfd, l->ev, LOOP_MAX_EVENTS, wait);
	if (n < 0) {
		if (errno != EINTR)
			return ERR_IO;
		n = 0;
	}
	loop_update_now(l);

	int ran = 0;
	bool woken = false;
	for (int i = 0; i < n; i++) {
		uint64_t tag = l->ev[i].data.u64;
		if (tag == LOOP_WAKE_TOKEN) {
			woken = true;
			continue;
		}
		int fd = (int)(uint32_t)tag;
		uint32_t gen = (uint32_t)(tag >> 32);
		if ((size_t)fd >= l->nslots)
			continue;
		loop_slot *s = &l->slots[fd];
		if (!s->used || s->gen != gen)
			continue;   /* deleted (and maybe re-added) since epoll_wait */
		uint32_t e = l->ev[i].events;
		int r = 0;
		if (e & EPOLLIN)
			r |= LOOP_READ;
		if (e & EPOLLOUT)
			r |= LOOP_WRITE;
		if (e & EPOLLRDHUP)
			r |= LOOP_HUP | LOOP_READ;   /* peer shut down its side: writing may still work */
		if (e & (EPOLLERR | EPOLLHUP))
			r |= LOOP_HUP | LOOP_RW;
		r &= s->mask | LOOP_HUP;
		if (!(r & LOOP_RW))
			continue;   /* interest turned off meanwhile: it hears about it on resume */
		s->fn(l, fd, r, s->ud);
		ran++;
	}
	if (woken) {
		loop_drain_wake(l);   /* before taking the queue: no lost wake-up */
		ran += loop_run_posts(l, loop_take_posts(l));
	}
	ran += loop_run_timers(l);
	return ran;
}

int loop_run(loop *l)
{
	int rc = 0;
	while (!atomic_load(&l->stop)) {
		rc = loop_step(l, -1);
		if (rc < 0)
			break;
		rc = 0;
	}
	atomic_store(&l->stop, false);
	return rc;
}
