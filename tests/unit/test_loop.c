/* test_loop.c — event loop: timer order/cancel/rearm/many, posts from other
 * threads, fd readiness on socketpairs (level and edge), stale events, stop.
 * No tight timing assertions: the machine is shared and noisy. */
#include "t.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "net/loop.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Step the loop until *flag reaches want or ~10 s pass. */
static int step_until(loop *l, const int *flag, int want)
{
	for (int i = 0; i < 1000 && *flag < want; i++)
		loop_step(l, 10);
	return *flag >= want;
}

/* --- timers ----------------------------------------------------------------- */

static int order[64], norder;

typedef struct tctx { loop_timer t; int id; } tctx;

static void record_fire(loop *l, void *ud)
{
	(void)l;
	tctx *c = ud;
	if (norder < 64)
		order[norder++] = c->id;
}

TEST(timer_order)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	static const int ms[] = { 30, 10, 20, 10, 0, 30 };
	tctx c[6];
	norder = 0;
	for (int i = 0; i < 6; i++) {
		c[i].id = i;
		loop_timer_init(&c[i].t, record_fire, &c[i]);
		CHECK_EQ_INT(loop_timer_start(l, &c[i].t, (uint64_t)ms[i]), 0);
		CHECK(loop_timer_active(&c[i].t));
	}
	CHECK_EQ_INT(loop_timer_count(l), 6);
	step_until(l, &norder, 6);
	CHECK_EQ_INT(norder, 6);
	/* by due time, FIFO among equal due times */
	static const int want[] = { 4, 1, 3, 2, 0, 5 };
	for (int i = 0; i < 6; i++)
		CHECK_EQ_INT(order[i], want[i]);
	for (int i = 0; i < 6; i++)
		CHECK(!loop_timer_active(&c[i].t));
	CHECK_EQ_INT(loop_timer_count(l), 0);
	loop_free(l);
}

static tctx *cancel_victim;
static void cancel_other(loop *l, void *ud)
{
	record_fire(l, ud);
	loop_timer_stop(l, &cancel_victim->t);
}

TEST(timer_cancel)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	tctx a = { .id = 1 }, b = { .id = 2 }, c = { .id = 3 }, d = { .id = 4 };
	loop_timer_init(&a.t, record_fire, &a);
	loop_timer_init(&b.t, record_fire, &b);
	loop_timer_init(&c.t, record_fire, &c);
	loop_timer_init(&d.t, cancel_other, &d);
	loop_timer_stop(l, &a.t);           /* inactive: no-op */
	loop_timer_start(l, &a.t, 5);
	loop_timer_start(l, &b.t, 5);
	loop_timer_start(l, &c.t, 5);
	loop_timer_stop(l, &b.t);
	loop_timer_stop(l, &b.t);           /* twice: no-op */
	CHECK(!loop_timer_active(&b.t));
	/* d fires first (0 ms) and cancels c before it is due */
	cancel_victim = &c;
	loop_timer_start(l, &d.t, 0);
	norder = 0;
	step_until(l, &norder, 2);
	loop_step(l, 30);
	loop_step(l, 0);
	CHECK_EQ_INT(norder, 2);
	CHECK_EQ_INT(order[0], 4);
	CHECK_EQ_INT(order[1], 1);
	CHECK_EQ_INT(loop_timer_count(l), 0);
	/* a zero-initialised timer is a valid stopped timer */
	loop_timer z = LOOP_TIMER_INIT;
	CHECK(!loop_timer_active(&z));
	loop_timer_stop(l, &z);
	CHECK_EQ_INT(loop_timer_start(l, &z, 1), ERR_INVAL);   /* no fn */
	loop_free(l);
}

static int periodic_n;
static void periodic(loop *l, void *ud)
{
	loop_timer *t = ud;
	if (++periodic_n < 5)
		loop_timer_start(l, t, 0);   /* re-arm from the callback */
}

TEST(timer_rearm)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	tctx a = { .id = 7 };
	loop_timer_init(&a.t, record_fire, &a);
	loop_timer_start(l, &a.t, 100000);
	loop_timer_start(l, &a.t, 0);       /* rearm earlier: fires once, soon */
	CHECK_EQ_INT(loop_timer_count(l), 1);
	norder = 0;
	step_until(l, &norder, 1);
	loop_step(l, 0);
	CHECK_EQ_INT(norder, 1);
	/* rearm later: does not fire within a short step */
	loop_timer_start(l, &a.t, 0);
	loop_timer_start(l, &a.t, 100000);
	loop_step(l, 0);
	loop_step(l, 0);
	CHECK_EQ_INT(norder, 1);
	CHECK(loop_timer_active(&a.t));
	loop_timer_stop(l, &a.t);

	/* a 0 ms timer that re-arms itself runs once per iteration, never spins */
	loop_timer p;
	loop_timer_init(&p, periodic, &p);
	periodic_n = 0;
	loop_timer_start(l, &p, 0);
	loop_step(l, 0);
	CHECK_EQ_INT(periodic_n, 1);
	loop_step(l, 0);
	CHECK_EQ_INT(periodic_n, 2);
	step_until(l, &periodic_n, 5);
	CHECK_EQ_INT(periodic_n, 5);
	CHECK(!loop_timer_active(&p));
	loop_free(l);
}

typedef struct mt { loop_timer t; uint64_t due; int fired; } mt;
static uint64_t mt_last_due;
static int mt_fired, mt_order_bad;
static void many_fire(loop *l, void *ud)
{
	(void)l;
	mt *m = ud;
	if (m->due < mt_last_due)
		mt_order_bad++;
	mt_last_due = m->due;
	m->fired++;
	mt_fired++;
}

TEST(timer_many)
{
	enum { N = 20000 };
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	mt *m = calloc(N, sizeof *m);
	CHECK(m != NULL);
	if (!m) {
		loop_free(l);
		return;
	}
	uint32_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		loop_timer_init(&m[i].t, many_fire, &m[i]);
		uint64_t ms = (x >> 16) % 60;
		m[i].due = loop_now(l) + ms;
		CHECK_EQ_INT(loop_timer_start(l, &m[i].t, ms), 0);
	}
	/* cancel every third, rearm every fifth to a later time */
	int expect = 0;
	for (int i = 0; i < N; i++) {
		if (i % 3 == 0) {
			loop_timer_stop(l, &m[i].t);
		} else {
			if (i % 5 == 0) {
				loop_timer_start(l, &m[i].t, 70);
				m[i].due = loop_now(l) + 70;
			}
			expect++;
		}
	}
	CHECK_EQ_INT(loop_timer_count(l), expect);
	mt_last_due = 0;
	mt_fired = mt_order_bad = 0;
	step_until(l, &mt_fired, expect);
	CHECK_EQ_INT(mt_fired, expect);
	CHECK_EQ_INT(mt_order_bad, 0);
	int bad = 0;
	for (int i = 0; i < N; i++)
		bad += m[i].fired != (i % 3 == 0 ? 0 : 1);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(loop_timer_count(l), 0);
	free(m);
	loop_free(l);
}

TEST(now_advances)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	uint64_t t0 = loop_now(l);
	sleep_ms(30);
	CHECK_EQ_INT(loop_now(l), t0);      /* cached until the next iteration */
	loop_step(l, 0);
	CHECK(loop_now(l) >= t0 + 20);
	CHECK(loop_update_now(l) >= loop_now(l) - 0);
	loop_free(l);
}

/* --- posts ------------------------------------------------------------------- */

enum { POST_THREADS = 4, POST_PER = 2000 };
static int post_count;
static int post_last[POST_THREADS];
static int post_fifo_bad;
typedef struct post_arg { loop *l; int th; } post_arg;

static void on_post(loop *l, void *ud)
{
	(void)l;
	uintptr_t v = (uintptr_t)ud;
	int th = (int)(v >> 20), seq = (int)(v & 0xfffff);
	if (seq != post_last[th] + 1)
		post_fifo_bad++;
	post_last[th] = seq;
	post_count++;
}

static void *poster(void *arg)
{
	post_arg *a = arg;
	for (int i = 1; i <= POST_PER; i++) {
		uintptr_t v = ((uintptr_t)a->th << 20) | (uintptr_t)i;
		while (loop_post(a->l, on_post, (void *)v) != 0)
			;
		if (i % 500 == 0)
			sleep_ms(1);
	}
	return NULL;
}

TEST(post_from_threads)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	pthread_t th[POST_THREADS];
	post_arg args[POST_THREADS];
	post_count = post_fifo_bad = 0;
	for (int i = 0; i < POST_THREADS; i++) {
		post_last[i] = 0;
		args[i] = (post_arg){ l, i };
		CHECK_EQ_INT(pthread_create(&th[i], NULL, poster, &args[i]), 0);
	}
	/* loop_step(-1) must wake for every post: no lost wake-ups */
	for (int i = 0; i < 100000 && post_count < POST_THREADS * POST_PER; i++)
		loop_step(l, 1000);
	for (int i = 0; i < POST_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ_INT(post_count, POST_THREADS * POST_PER);
	CHECK_EQ_INT(post_fifo_bad, 0);
	loop_free(l);
}

static int item_runs;
static void on_item(loop *l, void *ud)
{
	(void)l;
	loop_post_item *it = ud;
	item_runs++;
	free(it);   /* the callback may free the embedded item */
}

static void post_again(loop *l, void *ud)
{
	(void)ud;
	item_runs++;
	if (item_runs < 3)
		loop_post(l, post_again, NULL);
}

TEST(post_item_and_self)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	loop_post_item *it = calloc(1, sizeof *it);
	it->fn = on_item;
	it->ud = it;
	item_runs = 0;
	loop_enqueue(l, it);
	CHECK_EQ_INT(item_runs, 0);         /* never inline */
	loop_step(l, 1000);
	CHECK_EQ_INT(item_runs, 1);
	/* posting from the loop's own thread runs on the next iteration */
	item_runs = 0;
	loop_post(l, post_again, NULL);
	loop_step(l, 1000);
	CHECK_EQ_INT(item_runs, 1);
	loop_step(l, 1000);
	CHECK_EQ_INT(item_runs, 2);
	loop_step(l, 1000);
	CHECK_EQ_INT(item_runs, 3);
	/* loop_free runs what is still queued (no leak under ASan) */
	it = calloc(1, sizeof *it);
	it->fn = on_item;
	it->ud = it;
	loop_enqueue(l, it);
	loop_free(l);
	CHECK_EQ_INT(item_runs, 4);
}

/* --- fds --------------------------------------------------------------------- */

typedef struct fdctx { int calls, events, del_other, other_fd, drain; loop_fd_fn dummy; } fdctx;

static void on_fd(loop *l, int fd, int events, void *ud)
{
	fdctx *c = ud;
	c->calls++;
	c->events |= events;
	if (c->drain && (events & LOOP_READ)) {
		char b[64];
		while (read(fd, b, sizeof b) > 0)
			;
	}
	if (c->del_other)
		loop_fd_del(l, c->other_fd);
}

static void sp(int v[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, v) != 0)
		v[0] = v[1] = -1;
}

TEST(fd_level_read)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int p[2];
	sp(p);
	CHECK(p[0] >= 0);
	fdctx c = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ, on_fd, &c), 0);
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ, on_fd, &c), ERR_DUP);
	CHECK_EQ_INT(loop_fd_add(l, -1, LOOP_READ, on_fd, &c), ERR_INVAL);
	CHECK_EQ_INT(loop_fd_mod(l, 999, LOOP_READ), ERR_NOTFOUND);
	CHECK_EQ_INT(loop_fd_count(l), 1);
	CHECK_EQ_INT(loop_fd_mask(l, p[0]), LOOP_READ);
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, 0);
	CHECK_EQ_INT(write(p[1], "x", 1), 1);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 1);
	CHECK(c.events & LOOP_READ);
	/* level-triggered: not read, so reported again */
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 2);
	/* interest off: silent; back on: reported again */
	CHECK_EQ_INT(loop_fd_mod(l, p[0], 0), 0);
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, 2);
	CHECK_EQ_INT(loop_fd_mod(l, p[0], 0), 0);       /* unchanged: no-op */
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_READ), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 3);
	/* write interest on a socket with buffer room fires at once */
	c.events = 0;
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_READ | LOOP_WRITE), 0);
	loop_step(l, 1000);
	CHECK(c.events & LOOP_WRITE);
	CHECK(c.events & LOOP_READ);
	/* drain it: no more READ */
	c.drain = 1;
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_READ), 0);
	loop_step(l, 1000);
	int calls = c.calls;
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, calls);
	/* replace the callback */
	fdctx c2 = { 0 };
	CHECK_EQ_INT(loop_fd_set_cb(l, p[0], on_fd, &c2), 0);
	CHECK_EQ_INT(write(p[1], "y", 1), 1);
	loop_step(l, 1000);
	CHECK_EQ_INT(c2.calls, 1);
	CHECK_EQ_INT(c.calls, calls);
	loop_fd_del(l, p[0]);
	loop_fd_del(l, p[0]);                  /* twice: no-op */
	CHECK_EQ_INT(loop_fd_count(l), 0);
	loop_step(l, 0);
	CHECK_EQ_INT(c2.calls, 1);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

TEST(fd_hup)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int p[2];
	sp(p);
	fdctx c = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ, on_fd, &c), 0);
	close(p[1]);
	loop_step(l, 1000);
	CHECK(c.calls >= 1);
	CHECK(c.events & LOOP_READ);
	char b[4];
	CHECK_EQ_INT(read(p[0], b, sizeof b), 0);   /* end of stream */
	/* a paused fd is not told about the hang-up (no spinning) */
	CHECK_EQ_INT(loop_fd_mod(l, p[0], 0), 0);
	int calls = c.calls;
	loop_step(l, 0);
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, calls);
	loop_fd_del(l, p[0]);
	close(p[0]);
	loop_free(l);
}

TEST(fd_stale_event_dropped)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int a[2], b[2];
	sp(a);
	sp(b);
	fdctx ca = { 0 }, cb = { 0 };
	ca.del_other = 1;
	ca.other_fd = b[0];
	cb.del_other = 1;
	cb.other_fd = a[0];
	CHECK_EQ_INT(loop_fd_add(l, a[0], LOOP_READ, on_fd, &ca), 0);
	CHECK_EQ_INT(loop_fd_add(l, b[0], LOOP_READ, on_fd, &cb), 0);
	CHECK_EQ_INT(write(a[1], "x", 1), 1);
	CHECK_EQ_INT(write(b[1], "x", 1), 1);
	sleep_ms(5);
	loop_step(l, 1000);
	/* both were ready in one batch; whichever ran first deleted the other */
	CHECK_EQ_INT(ca.calls + cb.calls, 1);
	CHECK_EQ_INT(loop_fd_count(l), 1);
	loop_fd_del(l, a[0]);
	loop_fd_del(l, b[0]);
	/* delete + re-add of the same fd: the new registration works */
	fdctx cc = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, a[0], LOOP_READ, on_fd, &cc), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(cc.calls, 1);
	loop_fd_del(l, a[0]);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	loop_free(l);
}

TEST(fd_edge)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int p[2];
	sp(p);
	fdctx c = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ | LOOP_EDGE, on_fd, &c), 0);
	CHECK_EQ_INT(write(p[1], "x", 1), 1);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 1);
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, 1);   /* edge: not reported again while unread */
	CHECK_EQ_INT(write(p[1], "y", 1), 1);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 2);   /* new data: new edge */
	loop_fd_del(l, p[0]);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

/* A connected TCP pair on 127.0.0.1 (both ends non-blocking): v[0] accepted, v[1] client. */
static void tcp_pair(int v[2])
{
	v[0] = v[1] = -1;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) != 0)
		goto out;
	v[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (v[1] < 0 || (connect(v[1], (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS))
		goto out;
	v[0] = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
out:
	if (ls >= 0)
		close(ls);
}

/* Read once into a large buffer (a short read), like an edge-triggered
 * reader that stops at a short read unless a hang-up is reported. */
typedef struct edgectx { int calls, events, got, eof; } edgectx;

static void on_edge(loop *l, int fd, int events, void *ud)
{
	(void)l;
	edgectx *c = ud;
	c->calls++;
	c->events = events;
	char b[4096];
	for (;;) {
		ssize_t r = read(fd, b, sizeof b);
		if (r > 0)
			c->got += (int)r;
		if (r == 0)
			c->eof = 1;
		if (r <= 0 || !(events & LOOP_HUP))
			break;   /* short read and no hang-up: wait for the next edge */
	}
}

/* The peer writes its last bytes and shuts down in one go: one edge-triggered
 * event must carry both READ and HUP (EPOLLRDHUP), or the end of stream that
 * came with the data would never be reported again. HUP from a half-close
 * reports READ only, not WRITE: the socket may not be writable. */
static void check_edge_rdhup(int p[2])
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	CHECK(p[0] >= 0 && p[1] >= 0);
	/* fill p[0]'s send side so it is not writable (the peer never reads) */
	char big[65536];
	memset(big, 'z', sizeof big);
	for (int i = 0; i < 1000 && write(p[0], big, sizeof big) > 0; i++)
		;
	edgectx c = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ | LOOP_WRITE | LOOP_EDGE, on_edge, &c), 0);
	CHECK_EQ_INT(write(p[1], "last bytes", 10), 10);
	CHECK_EQ_INT(shutdown(p[1], SHUT_WR), 0);
	sleep_ms(20);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 1);
	CHECK_EQ_INT(c.events, LOOP_READ | LOOP_HUP);
	CHECK_EQ_INT(c.got, 10);
	CHECK_EQ_INT(c.eof, 1);
	loop_step(l, 0);
	CHECK_EQ_INT(c.calls, 1);   /* edge: nothing new */
	loop_fd_del(l, p[0]);
	loop_free(l);
}

TEST(fd_edge_rdhup)
{
	int p[2];
	sp(p);
	check_edge_rdhup(p);
	close(p[0]); close(p[1]);
	tcp_pair(p);
	check_edge_rdhup(p);
	close(p[0]); close(p[1]);
}

/* Data first (a short read, no HUP), the shutdown later: a new edge with HUP. */
TEST(fd_edge_rdhup_later)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int p[2];
	tcp_pair(p);
	CHECK(p[0] >= 0 && p[1] >= 0);
	edgectx c = { 0 };
	CHECK_EQ_INT(loop_fd_add(l, p[0], LOOP_READ | LOOP_EDGE, on_edge, &c), 0);
	CHECK_EQ_INT(write(p[1], "abc", 3), 3);
	sleep_ms(20);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 1);
	CHECK_EQ_INT(c.events, LOOP_READ);
	CHECK_EQ_INT(c.got, 3);
	CHECK_EQ_INT(c.eof, 0);
	CHECK_EQ_INT(shutdown(p[1], SHUT_WR), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(c.calls, 2);
	CHECK_EQ_INT(c.events, LOOP_READ | LOOP_HUP);
	CHECK_EQ_INT(c.eof, 1);
	/* level-triggered with a half-closed peer: READ|HUP (WRITE only when asked) */
	edgectx d = { 0 };
	CHECK_EQ_INT(loop_fd_set_cb(l, p[0], on_edge, &d), 0);
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_READ), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(d.calls, 1);
	CHECK_EQ_INT(d.events, LOOP_READ | LOOP_HUP);
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_READ | LOOP_WRITE), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(d.events, LOOP_READ | LOOP_WRITE | LOOP_HUP);
	/* WRITE interest only: a half-close is not reported as a hang-up */
	CHECK_EQ_INT(loop_fd_mod(l, p[0], LOOP_WRITE), 0);
	loop_step(l, 1000);
	CHECK_EQ_INT(d.events, LOOP_WRITE);
	loop_fd_del(l, p[0]);
	close(p[0]); close(p[1]);
	loop_free(l);
}

TEST(fd_many)
{
	enum { N = 200 };
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	int p[N][2];
	fdctx c[N];
	memset(c, 0, sizeof c);
	int made = 0;
	for (int i = 0; i < N; i++) {
		sp(p[i]);
		if (p[i][0] < 0)
			break;
		made++;
		c[i].drain = 1;
		CHECK_EQ_INT(loop_fd_add(l, p[i][0], LOOP_READ, on_fd, &c[i]), 0);
		CHECK_EQ_INT(write(p[i][1], "z", 1), 1);
	}
	CHECK_EQ_INT(made, N);
	int total = 0;
	for (int k = 0; k < 100 && total < made; k++) {
		loop_step(l, 100);
		total = 0;
		for (int i = 0; i < made; i++)
			total += c[i].calls > 0;
	}
	CHECK_EQ_INT(total, made);
	for (int i = 0; i < made; i++) {
		CHECK_EQ_INT(c[i].calls, 1);
		loop_fd_del(l, p[i][0]);
		close(p[i][0]);
		close(p[i][1]);
	}
	loop_free(l);
}

/* --- run / stop / hooks ---------------------------------------------------- */

static void *stopper(void *arg)
{
	sleep_ms(50);
	loop_stop(arg);
	return NULL;
}

static int hook_calls;
static void hook(loop *l, void *ud)
{
	(void)l;
	(void)ud;
	hook_calls++;
}

static void stop_from_timer(loop *l, void *ud)
{
	(void)ud;
	loop_stop(l);
}

TEST(run_stop)
{
	loop *l;
	CHECK_EQ_INT(loop_new(&l), 0);
	hook_calls = 0;
	loop_set_before_sleep(l, hook, NULL);
	pthread_t th;
	CHECK_EQ_INT(pthread_create(&th, NULL, stopper, l), 0);
	CHECK_EQ_INT(loop_run(l), 0);         /* returns: stop woke it from another thread */
	pthread_join(th, NULL);
	CHECK(hook_calls >= 1);
	/* stop from inside the loop (a timer) */
	loop_timer t;
	loop_timer_init(&t, stop_from_timer, NULL);
	loop_timer_start(l, &t, 1);
	CHECK_EQ_INT(loop_run(l), 0);
	/* a stop requested before run is not lost */
	loop_stop(l);
	CHECK_EQ_INT(loop_run(l), 0);
	loop_set_before_sleep(l, NULL, NULL);
	int h = hook_calls;
	loop_step(l, 0);
	CHECK_EQ_INT(hook_calls, h);
	/* loop_wake interrupts a long wait */
	loop_wake(l);
	CHECK(loop_step(l, 5000) >= 0);
	loop_free(l);
	loop_free(NULL);
}

int main(void)
{
	RUN(timer_order);
	RUN(timer_cancel);
	RUN(timer_rearm);
	RUN(timer_many);
	RUN(now_advances);
	RUN(post_from_threads);
	RUN(post_item_and_self);
	RUN(fd_level_read);
	RUN(fd_hup);
	RUN(fd_stale_event_dropped);
	RUN(fd_edge);
	RUN(fd_edge_rdhup);
	RUN(fd_edge_rdhup_later);
	RUN(fd_many);
	RUN(run_stop);
	return t_done();
}
