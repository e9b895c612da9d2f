/* dns.h — the off-loop resolver. getaddrinfo blocks (musl too), so lookups run
 * on a small bounded pool of helper threads and complete into the requesting
 * loop through its post queue (eventfd). One dns object serves all workers;
 * its TTL cache (keyed by lower-cased host name) is shared and locked.
 *
 * Answered at once, without a thread: IP literals ("1.2.3.4", "::1",
 * "[::1]"), cache hits, and names under ".invalid" (RFC 6761: they never
 * exist, so they fail at once with ERR_DNS instead of asking a DNS server).
 * Only successful lookups are cached (TTL: getaddrinfo gives none, so a fixed
 * dns_config.ttl_ms). Several lookups of the same uncached name at once each
 * run getaddrinfo (no coalescing). Address order is the resolver's
 * (RFC 6724 sorting): connect in that order. */
#ifndef NET_DNS_H
#define NET_DNS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/str.h"
#include "net/loop.h"
#include "net/sock.h"

#define DNS_MAX_ADDRS       8     /* addresses kept per name (first ones in resolver order) */
#define DNS_DEFAULT_THREADS 4
#define DNS_DEFAULT_QUEUE   1024  /* lookups waiting for a thread; more -> ERR_TOOBIG */
#define DNS_MAX_HOST        253   /* longest name accepted (a trailing dot is allowed on top) */

typedef struct dns dns;
typedef struct dns_req dns_req;

/* A lookup result. On success n >= 1 and every a[i] carries the requested
 * port; on failure n == 0 and reason is a static human-readable text (from
 * gai_strerror, or ours). */
typedef struct dns_addrs {
	size_t n;
	sock_addr a[DNS_MAX_ADDRS];
	const char *reason;
} dns_addrs;

/* Zero fields take the defaults. */
typedef struct dns_config {
	int threads;      /* helper threads; 0 = DNS_DEFAULT_THREADS */
	int queue_cap;    /* pending lookups; 0 = DNS_DEFAULT_QUEUE */
	int ttl_ms;       /* cache lifetime; 0 = LIMIT_DNS_TTL_S s; < 0 = no cache */
	int max_entries;  /* cache size; 0 = LIMIT_DNS_ENTRIES (oldest entry evicted when full) */
} dns_config;

/* Completion, on the requesting loop's thread. err: 0 (res->n >= 1), ERR_DNS
 * (name does not resolve / resolver failure; res->reason says why),
 * ERR_NOMEM. res is valid only during the call. The request is released right
 * after the callback returns: forget your dns_req pointer inside it. */
typedef void (*dns_cb)(int err, const dns_addrs *res, void *ud);

/* Create the resolver and start its threads (created with all signals
 * blocked). cfg NULL = defaults. 0, ERR_NOMEM, ERR_IO. */
int dns_new(dns **out, const dns_config *cfg);
/* Shut the resolver down. Preconditions: every request has completed or been
 * cancelled (the callback of a request still pending here is never called),
 * and no thread calls dns_resolve any more. Does not wait for a getaddrinfo
 * still running on a helper thread (it may take seconds on an unreachable
 * server): that thread drops its result and exits on its own; the shared
 * state is released by whoever leaves last. NULL-safe. */
void dns_free(dns *d);

/* Resolve host (a name or an IP literal; a trailing dot is allowed) for port.
 * Call on l's thread.
 *   0          answered now: *now filled (n >= 1), *req = NULL, cb NOT called;
 *   ERR_AGAIN  pending: *req set, cb(…, ud) runs later on l's thread exactly
 *              once unless dns_cancel(*req) is called first;
 *   ERR_DNS    fails now (".invalid" name): now->reason says why;
 *   ERR_INVAL  empty, too long or malformed host name (now->reason set);
 *   ERR_TOOBIG the lookup queue is full; ERR_NOMEM.
 * now must not be NULL; req may be NULL only when the caller will never cancel. */
int dns_resolve(dns *d, loop *l, str host, uint16_t port,
                dns_cb cb, void *ud, dns_req **req, dns_addrs *now);
/* Cancel a pending request (its requester is going away): its callback will
 * not run and the request is released (at once if no thread picked it up
 * yet, else when the lookup finishes). Call on the requesting loop's thread,
 * only before the callback ran, never from inside it. NULL-safe. */
void dns_cancel(dns_req *r);

/* Drop every cache entry. Thread-safe. */
void dns_cache_clear(dns *d);
/* Number of cache entries (expired ones included until evicted). Thread-safe. */
size_t dns_cache_count(dns *d);

/* Blocking lookup for start-up code that may block (bind address given as a
 * name, before the loops run). Never call it on a loop thread. passive: use
 * AI_PASSIVE (bind) semantics. Same returns as a completed dns_resolve. */
int dns_lookup_blocking(str host, uint16_t port, bool passive, dns_addrs *out);

#endif
