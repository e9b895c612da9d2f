/* dns.c — off-loop resolver: a bounded queue served by a few detached helper
 * threads running getaddrinfo, completions posted into the requesting loop
 * (loop_enqueue, allocation-free), and a small locked TTL cache shared by
 * all workers. See dns.h for the contract. */
#include "net/dns.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/limits.h"

#define DNS_THREAD_STACK (512u << 10)

enum { DNS_QUEUED, DNS_RUNNING, DNS_DONE };

struct dns_req {
	loop_post_item post;   /* completion into the requesting loop */
	dns *d;
	loop *l;
	dns_cb cb;
	void *ud;
	dns_req *next;         /* queue link (under d->mu) */
	int state;             /* under d->mu */
	atomic_bool cancelled;
	int err;
	uint16_t port;
	dns_addrs res;
	char host[DNS_MAX_HOST + 1];
};

typedef struct dns_entry {
	bool used;
	uint64_t hash;
	uint64_t expires;      /* monotonic ms */
	uint64_t stamp;        /* insertion order, for eviction */
	size_t n;
	sock_addr a[DNS_MAX_ADDRS];
	char host[DNS_MAX_HOST + 1];
} dns_entry;

struct dns {
	pthread_mutex_t mu;    /* queue, thread bookkeeping */
	pthread_cond_t cv;     /* work arrived / stopping */
	pthread_cond_t gone;   /* a thread exited */
	dns_req *qhead, *qtail;
	size_t qlen, qcap;
	int alive;             /* helper threads alive */
	int busy;              /* of which inside a lookup */
	bool stopping;         /* dns_free was called */
	bool orphaned;         /* dns_free returned: the last thread out frees */

	pthread_mutex_t cmu;   /* cache */
	dns_entry *cache;
	size_t ncache;
	int ttl_ms;
	uint64_t stamp;
};

static uint64_t dns_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t dns_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Lower-case host into out (trailing dot dropped) and validate it as a DNS
 * name. 0 or ERR_INVAL. */
static int dns_norm(str host, char out[DNS_MAX_HOST + 1])
{
	if (host.n > 0 && host.p[host.n - 1] == '.')
		host.n--;
	if (host.n == 0 || host.n > DNS_MAX_HOST)
		return ERR_INVAL;
	for (size_t i = 0; i < host.n; i++) {
		char c = host.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'))
			return ERR_INVAL;
		if (c == '.' && (i == 0 || host.p[i - 1] == '.'))
			return ERR_INVAL;   /* empty label */
		out[i] = c;
	}
	out[host.n] = 0;
	return 0;
}

static bool dns_is_invalid_tld(const char *h)
{
	size_t n = strlen(h);
	return !strcmp(h, "invalid") || (n > 8 && !strcmp(h + n - 8, ".invalid"));
}

/* Literal IP, ".invalid" or malformed name: answered without a lookup.
 * Returns 1 when not answered (a real lookup is needed), else the result. */
static int dns_answer_now(str host, uint16_t port, char norm[DNS_MAX_HOST + 1], dns_addrs *out)
{
	memset(out, 0, sizeof *out);
	if (sock_addr_from_ip(&out->a[0], host, port) == 0) {
		out->n = 1;
		return 0;
	}
	if (dns_norm(host, norm) != 0) {
		out->reason = "invalid host name";
		return ERR_INVAL;
	}
	if (dns_is_invalid_tld(norm)) {
		out->reason = "names under .invalid never resolve (RFC 6761)";
		return ERR_DNS;
	}
	return 1;
}

/* Blocking getaddrinfo into out (port 0 in the addresses). */
static int dns_getaddrinfo(const char *host, bool passive, dns_addrs *out)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	memset(out, 0, sizeof *out);
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		out->reason = gai_strerror(rc);
		return rc == EAI_MEMORY ? ERR_NOMEM : ERR_DNS;
	}
	for (struct addrinfo *ai = res; ai && out->n < DNS_MAX_ADDRS; ai = ai->ai_next) {
		sock_addr a;
		if (!ai->ai_addr || sock_addr_from_sa(&a, ai->ai_addr, ai->ai_addrlen) != 0)
			continue;
		sock_addr_set_port(&a, 0);
		bool dup = false;
		for (size_t i = 0; i < out->n && !dup; i++)
			dup = sock_addr_eq(&out->a[i], &a);
		if (!dup)
			out->a[out->n++] = a;
	}
	freeaddrinfo(res);
	if (out->n == 0) {
		out->reason = "no IPv4 or IPv6 address for this name";
		return ERR_DNS;
	}
	return 0;
}

static void dns_set_port(dns_addrs *r, uint16_t port)
{
	for (size_t i = 0; i < r->n; i++)
		sock_addr_set_port(&r->a[i], port);
}

/* --- cache ------------------------------------------------------------------ */

static bool dns_cache_get(dns *d, const char *host, uint16_t port, dns_addrs *out)
{
	if (d->ttl_ms < 0 || !d->ncache)
		return false;
	uint64_t h = dns_hash(host), now = dns_now_ms();
	bool hit = false;
	pthread_mutex_lock(&d->cmu);
	for (size_t i = 0; i < d->ncache; i++) {
		dns_entry *e = &d->cache[i];
		if (e->used && e->hash == h && !strcmp(e->host, host)) {
			if (e->expires > now) {
				memset(out, 0, sizeof *out);
				out->n = e->n;
				memcpy(out->a, e->a, e->n * sizeof e->a[0]);
				hit = true;
			} else {
				e->used = false;
			}
			break;
		}
	}
	pthread_mutex_unlock(&d->cmu);
	if (hit)
		dns_set_port(out, port);
	return hit;
}

static void dns_cache_put(dns *d, const char *host, const dns_addrs *r)
{
	if (d->ttl_ms < 0 || !d->ncache || r->n == 0)
		return;
	uint64_t h = dns_hash(host), now = dns_now_ms();
	pthread_mutex_lock(&d->cmu);
	dns_entry *found = NULL, *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < d->ncache; i++) {
		dns_entry *e = &d->cache[i];
		if (e->used && e->hash == h && !strcmp(e->host, host)) {
			found = e;   /* refresh */
			break;
		}
		if (!e->used || e->expires <= now) {
			if (!free_slot)
				free_slot = e;
		} else if (!oldest || e->stamp < oldest->stamp) {
			oldest = e;   /* evicted when nothing is free */
		}
	}
	dns_entry *slot = found ? found : free_slot ? free_slot : oldest;
	slot->used = true;
	slot->hash = h;
	slot->expires = now + (uint64_t)d->ttl_ms;
	slot->stamp = ++d->stamp;
	slot->n = r->n;
	memcpy(slot->a, r->a, r->n * sizeof r->a[0]);
	for (size_t i = 0; i < slot->n; i++)
		sock_addr_set_port(&slot->a[i], 0);
	strcpy(slot->host, host);
	pthread_mutex_unlock(&d->cmu);
}

void dns_cache_clear(dns *d)
{
	pthread_mutex_lock(&d->cmu);
	for (size_t i = 0; i < d->ncache; i++)
		d->cache[i].used = false;
	pthread_mutex_unlock(&d->cmu);
}

size_t dns_cache_count(dns *d)
{
	size_t n = 0;
	pthread_mutex_lock(&d->cmu);
	for (size_t i = 0; i < d->ncache; i++)
		n += d->cache[i].used;
	pthread_mutex_unlock(&d->cmu);
	return n;
}

/* --- helper threads ----------------------------------------------------------- */

static void dns_destroy(dns *d)
{
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	pthread_cond_destroy(&d->gone);
	pthread_mutex_destroy(&d->cmu);
	free(d->cache);
	free(d);
}

static void dns_complete(loop *l, void *ud)
{
	(void)l;
	dns_req *r = ud;
	if (!atomic_load(&r->cancelled))
		r->cb(r->err, &r->res, r->ud);
	free(r);
}

static void *dns_thread(void *arg)
{
	dns *d = arg;
	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->stopping && !d->qhead)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->stopping)
			break;
		dns_req *r = d->qhead;
		d->qhead = r->next;
		if (!d->qhead)
			d->qtail = NULL;
		d->qlen--;
		r->next = NULL;
		r->state = DNS_RUNNING;
		d->busy++;
		pthread_mutex_unlock(&d->mu);

		if (atomic_load(&r->cancelled)) {
			r->err = ERR_CANCELLED;
		} else {
			r->err = dns_getaddrinfo(r->host, false, &r->res);
			if (r->err == 0) {
				dns_cache_put(d, r->host, &r->res);
				dns_set_port(&r->res, r->port);
			}
		}

		pthread_mutex_lock(&d->mu);
		d->busy--;
		if (d->stopping) {
			free(r);   /* the loops may be gone; the request was cancelled (contract) */
			break;
		}
		r->state = DNS_DONE;
		loop_enqueue(r->l, &r->post);   /* under mu: dns_free cannot overtake it */
	}
	d->alive--;
	bool last = d->alive == 0 && d->orphaned;
	pthread_cond_broadcast(&d->gone);
	pthread_mutex_unlock(&d->mu);
	if (last)
		dns_destroy(d);   /* the owner left already */
	return NULL;
}

int dns_new(dns **out, const dns_config *cfg)
{
	dns_config c = cfg ? *cfg : (dns_config){ 0 };
	*out = NULL;
	if (c.threads <= 0)
		c.threads = DNS_DEFAULT_THREADS;
	if (c.threads > 64)
		c.threads = 64;
	if (c.queue_cap <= 0)
		c.queue_cap = DNS_DEFAULT_QUEUE;
	if (c.ttl_ms == 0)
		c.ttl_ms = LIMIT_DNS_TTL_S * 1000;
	if (c.max_entries <= 0)
		c.max_entries = LIMIT_DNS_ENTRIES;

	dns *d = calloc(1, sizeof *d);
	if (!d)
		return ERR_NOMEM;
	d->qcap = (size_t)c.queue_cap;
	d->ttl_ms = c.ttl_ms;
	if (c.ttl_ms > 0) {
		d->cache = calloc((size_t)c.max_entries, sizeof *d->cache);
		if (!d->cache) {
			free(d);
			return ERR_NOMEM;
		}
		d->ncache = (size_t)c.max_entries;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	pthread_cond_init(&d->gone, NULL);
	pthread_mutex_init(&d->cmu, NULL);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, DNS_THREAD_STACK);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* helpers never take signals */
	int rc = 0;
	for (int i = 0; i < c.threads; i++) {
		pthread_t th;
		pthread_mutex_lock(&d->mu);
		d->alive++;
		pthread_mutex_unlock(&d->mu);
		if (pthread_create(&th, &attr, dns_thread, d) != 0) {
			pthread_mutex_lock(&d->mu);
			d->alive--;
			pthread_mutex_unlock(&d->mu);
			rc = ERR_NOMEM;
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		dns_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dns_free(dns *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	while (d->qhead) {   /* never picked up: nobody will hear of them (contract) */
		dns_req *r = d->qhead;
		d->qhead = r->next;
		free(r);
	}
	d->qtail = NULL;
	d->qlen = 0;
	pthread_cond_broadcast(&d->cv);
	/* idle threads leave at once; those inside getaddrinfo are not waited for */
	while (d->alive > d->busy)
		pthread_cond_wait(&d->gone, &d->mu);
	bool last = d->alive == 0;
	d->orphaned = true;
	pthread_mutex_unlock(&d->mu);
	if (last)
		dns_destroy(d);
}

/* --- requests ------------------------------------------------------------------ */

int dns_resolve(dns *d, loop *l, str host, uint16_t port,
                dns_cb cb, void *ud, dns_req **reqp, dns_addrs *now)
{
	char norm[DNS_MAX_HOST + 1];
	if (reqp)
		*reqp = NULL;
	int rc = dns_answer_now(host, port, norm, now);
	if (rc <= 0)
		return rc;
	if (dns_cache_get(d, norm, port, now))
		return 0;
	if (!cb)
		return ERR_INVAL;

	dns_req *r = calloc(1, sizeof *r);
	if (!r)
		return ERR_NOMEM;
	r->post.fn = dns_complete;
	r->post.ud = r;
	r->d = d;
	r->l = l;
	r->cb = cb;
	r->ud = ud;
	r->port = port;
	atomic_init(&r->cancelled, false);
	strcpy(r->host, norm);

	pthread_mutex_lock(&d->mu);
	if (d->stopping || d->qlen >= d->qcap || d->alive == 0) {
		pthread_mutex_unlock(&d->mu);
		free(r);
		now->reason = "DNS lookup queue is full";
		return ERR_TOOBIG;
	}
	r->state = DNS_QUEUED;
	if (d->qtail)
		d->qtail->next = r;
	else
		d->qhead = r;
	d->qtail = r;
	d->qlen++;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (reqp)
		*reqp = r;
	return ERR_AGAIN;
}

void dns_cancel(dns_req *r)
{
	if (!r)
		return;
	dns *d = r->d;
	pthread_mutex_lock(&d->mu);
	if (r->state == DNS_QUEUED) {
		dns_req **pp = &d->qhead, *prev = NULL;
		while (*pp && *pp != r) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp) {
			*pp = r->next;
			if (d->qtail == r)
				d->qtail = prev;
			d->qlen--;
		}
		pthread_mutex_unlock(&d->mu);
		free(r);
		return;
	}
	atomic_store(&r->cancelled, true);   /* running or posted: its completion frees it */
	pthread_mutex_unlock(&d->mu);
}

int dns_lookup_blocking(str host, uint16_t port, bool passive, dns_addrs *out)
{
	char norm[DNS_MAX_HOST + 1];
	int rc = dns_answer_now(host, port, norm, out);
	if (rc <= 0)
		return rc;
	rc = dns_getaddrinfo(norm, passive, out);
	if (rc == 0)
		dns_set_port(out, port);
	return rc;
}
