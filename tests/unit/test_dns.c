/* test_dns.c — resolver: literal IPs answered at once, localhost through the
 * helper threads into the loop, cache hit / TTL / disabled cache, ".invalid"
 * failing fast, malformed names, cancellation, completions on the right
 * thread. Only loopback names (/etc/hosts): no network. */
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "base/err.h"
#include "net/dns.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool is_loopback(const sock_addr *a)
{
	if (sock_addr_family(a) == AF_INET)
		return (ntohl(a->u.in4.sin_addr.s_addr) >> 24) == 127;
	if (sock_addr_family(a) == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&a->u.in6.sin6_addr);
	return false;
}

typedef struct res { int calls, err; dns_addrs a; pthread_t th; } res;

static void on_dns(int err, const dns_addrs *a, void *ud)
{
	res *r = ud;
	r->calls++;
	r->err = err;
	r->a = *a;
	r->th = pthread_self();
}

static void wait_calls(loop *l, res *r, int want)
{
	for (int i = 0; i < 1000 && r->calls < want; i++)
		loop_step(l, 10);
}

TEST(literal_ips)
{
	dns *d;
	loop *l;
	CHECK_EQ_INT(dns_new(&d, NULL), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	res r = { 0 };
	dns_addrs now;
	dns_req *q = (dns_req *)1;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("127.0.0.1"), 8080, on_dns, &r, &q, &now), 0);
	CHECK(q == NULL);
	CHECK_EQ_INT(now.n, 1);
	char buf[SOCK_ADDR_STRLEN];
	sock_addr_format(&now.a[0], buf, sizeof buf);
	CHECK_EQ_STR(buf, "127.0.0.1:8080");
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("::1"), 443, on_dns, &r, &q, &now), 0);
	sock_addr_format(&now.a[0], buf, sizeof buf);
	CHECK_EQ_STR(buf, "[::1]:443");
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("[2001:db8::1]"), 1, on_dns, &r, &q, &now), 0);
	sock_addr_format(&now.a[0], buf, sizeof buf);
	CHECK_EQ_STR(buf, "[2001:db8::1]:1");
	loop_step(l, 0);
	CHECK_EQ_INT(r.calls, 0);    /* never called for immediate answers */
	CHECK_EQ_INT(dns_cache_count(d), 0);
	loop_free(l);
	dns_free(d);
}

TEST(invalid_and_malformed)
{
	dns *d;
	loop *l;
	CHECK_EQ_INT(dns_new(&d, NULL), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	res r = { 0 };
	dns_addrs now;
	dns_req *q;
	/* RFC 6761: fails at once, no DNS server asked */
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("nonexistent.invalid"), 80, on_dns, &r, &q, &now), ERR_DNS);
	CHECK(q == NULL);
	CHECK_EQ_INT(now.n, 0);
	CHECK(now.reason != NULL && strstr(now.reason, ".invalid") != NULL);
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("A.B.INVALID."), 80, on_dns, &r, &q, &now), ERR_DNS);
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("invalid"), 80, on_dns, &r, &q, &now), ERR_DNS);
	static const char *bad[] = { "", ".", "a..b", ".a", "bad host", "a/b", "a:b", "a%b", "\xc3\xa9.com" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = dns_resolve(d, l, str_from(bad[i]), 80, on_dns, &r, &q, &now);
		if (rc != ERR_INVAL)
			T_FAIL_AT("dns_resolve(\"%s\") = %d, expected ERR_INVAL", bad[i], rc);
	}
	char longname[300];
	memset(longname, 'a', sizeof longname);
	CHECK_EQ_INT(dns_resolve(d, l, str_make(longname, 254), 80, on_dns, &r, &q, &now), ERR_INVAL);
	loop_step(l, 0);
	CHECK_EQ_INT(r.calls, 0);
	/* blocking variant, same rules */
	CHECK_EQ_INT(dns_lookup_blocking(STR_LIT("x.invalid"), 1, false, &now), ERR_DNS);
	CHECK_EQ_INT(dns_lookup_blocking(STR_LIT("a b"), 1, false, &now), ERR_INVAL);
	loop_free(l);
	dns_free(d);
}

TEST(localhost_and_cache)
{
	dns *d;
	loop *l;
	CHECK_EQ_INT(dns_new(&d, NULL), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	res r = { 0 };
	dns_addrs now;
	dns_req *q = NULL;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 4000, on_dns, &r, &q, &now), ERR_AGAIN);
	CHECK(q != NULL);
	wait_calls(l, &r, 1);
	CHECK_EQ_INT(r.calls, 1);
	CHECK_EQ_INT(r.err, 0);
	CHECK(r.a.n >= 1);
	CHECK(pthread_equal(r.th, pthread_self()));   /* completed on the loop's thread */
	for (size_t i = 0; i < r.a.n; i++) {
		CHECK(is_loopback(&r.a.a[i]));
		CHECK_EQ_INT(sock_addr_port(&r.a.a[i]), 4000);
	}
	CHECK_EQ_INT(dns_cache_count(d), 1);
	/* cache hit: answered now, other port, case and trailing dot ignored */
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("LocalHost."), 81, on_dns, &r, &q, &now), 0);
	CHECK(q == NULL);
	CHECK_EQ_INT(now.n, r.a.n);
	for (size_t i = 0; i < now.n; i++) {
		CHECK(is_loopback(&now.a[i]));
		CHECK_EQ_INT(sock_addr_port(&now.a[i]), 81);
	}
	loop_step(l, 0);
	CHECK_EQ_INT(r.calls, 1);
	dns_cache_clear(d);
	CHECK_EQ_INT(dns_cache_count(d), 0);
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, &q, &now), ERR_AGAIN);
	wait_calls(l, &r, 2);
	CHECK_EQ_INT(r.calls, 2);
	CHECK_EQ_INT(r.err, 0);
	/* blocking lookup */
	CHECK_EQ_INT(dns_lookup_blocking(STR_LIT("localhost"), 9, false, &now), 0);
	CHECK(now.n >= 1 && is_loopback(&now.a[0]) && sock_addr_port(&now.a[0]) == 9);
	loop_free(l);
	dns_free(d);
}

TEST(ttl_and_no_cache)
{
	dns *d;
	loop *l;
	dns_config c = { .ttl_ms = 50 };
	CHECK_EQ_INT(dns_new(&d, &c), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	res r = { 0 };
	dns_addrs now;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 1);
	CHECK_EQ_INT(r.err, 0);
	sleep_ms(200);   /* well past the TTL */
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 2);
	CHECK_EQ_INT(r.calls, 2);
	loop_free(l);
	dns_free(d);

	dns_config nc = { .ttl_ms = -1, .threads = 1 };
	CHECK_EQ_INT(dns_new(&d, &nc), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	r.calls = 0;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 1);
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 2);
	CHECK_EQ_INT(r.calls, 2);
	CHECK_EQ_INT(dns_cache_count(d), 0);
	loop_free(l);
	dns_free(d);
}

TEST(cache_eviction)
{
	dns *d;
	loop *l;
	dns_config c = { .max_entries = 1 };
	CHECK_EQ_INT(dns_new(&d, &c), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	res r = { 0 };
	dns_addrs now;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 1);
	CHECK_EQ_INT(r.err, 0);
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("x.localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
	wait_calls(l, &r, 2);
	if (r.err == 0) {   /* *.localhost resolves on musl; glibc may say no */
		CHECK_EQ_INT(dns_cache_count(d), 1);
		CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r, NULL, &now), ERR_AGAIN);
		wait_calls(l, &r, 3);
	} else {
		CHECK_EQ_INT(r.err, ERR_DNS);
		CHECK(r.a.reason != NULL);
		CHECK_EQ_INT(r.a.n, 0);
	}
	loop_free(l);
	dns_free(d);
}

TEST(cancel)
{
	dns *d;
	loop *l;
	dns_config c = { .threads = 1, .ttl_ms = -1 };
	CHECK_EQ_INT(dns_new(&d, &c), 0);
	CHECK_EQ_INT(loop_new(&l), 0);
	enum { N = 20 };
	res r[N];
	dns_req *q[N];
	dns_addrs now;
	memset(r, 0, sizeof r);
	for (int i = 0; i < N; i++)
		CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &r[i], &q[i], &now), ERR_AGAIN);
	/* cancel every other one: queued ones are freed now, running ones later */
	for (int i = 0; i < N; i += 2)
		dns_cancel(q[i]);
	dns_cancel(NULL);
	for (int k = 0; k < 1000; k++) {
		int done = 0;
		for (int i = 1; i < N; i += 2)
			done += r[i].calls;
		if (done == N / 2)
			break;
		loop_step(l, 10);
	}
	for (int i = 0; i < 20; i++)
		loop_step(l, 5);
	for (int i = 0; i < N; i++)
		CHECK_EQ_INT(r[i].calls, i % 2 ? 1 : 0);
	/* cancel right after submit, then free everything soon after */
	res late = { 0 };
	dns_req *lq;
	CHECK_EQ_INT(dns_resolve(d, l, STR_LIT("localhost"), 80, on_dns, &late, &lq, &now), ERR_AGAIN);
	dns_cancel(lq);
	loop_step(l, 50);
	dns_free(d);     /* resolver first, then the loop (runs any queued completion) */
	loop_free(l);
	CHECK_EQ_INT(late.calls, 0);
}

typedef struct thr { dns *d; res r; int rc; } thr;

static void *resolver_thread(void *arg)
{
	thr *t = arg;
	loop *l;
	if (loop_new(&l) != 0)
		return NULL;
	dns_addrs now;
	t->rc = dns_resolve(t->d, l, STR_LIT("localhost"), 1234, on_dns, &t->r, NULL, &now);
	if (t->rc == ERR_AGAIN)
		wait_calls(l, &t->r, 1);
	else if (t->rc == 0) {   /* cache hit from the other thread */
		t->r.calls = 1;
		t->r.a = now;
		t->r.th = pthread_self();
	}
	loop_free(l);
	return NULL;
}

TEST(completes_into_each_loop)
{
	dns *d;
	CHECK_EQ_INT(dns_new(&d, NULL), 0);
	enum { T = 4 };
	pthread_t th[T];
	thr t[T];
	memset(t, 0, sizeof t);
	for (int i = 0; i < T; i++) {
		t[i].d = d;
		CHECK_EQ_INT(pthread_create(&th[i], NULL, resolver_thread, &t[i]), 0);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK(t[i].rc == ERR_AGAIN || t[i].rc == 0);
		CHECK_EQ_INT(t[i].r.calls, 1);
		CHECK_EQ_INT(t[i].r.err, 0);
		CHECK(pthread_equal(t[i].r.th, th[i]));
		CHECK(t[i].r.a.n >= 1 && sock_addr_port(&t[i].r.a.a[0]) == 1234);
	}
	dns_free(d);
	dns_free(NULL);
}

int main(void)
{
	RUN(literal_ips);
	RUN(invalid_and_malformed);
	RUN(localhost_and_cache);
	RUN(ttl_and_no_cache);
	RUN(cache_eviction);
	RUN(cancel);
	RUN(completes_into_each_loop);
	return t_done();
}
