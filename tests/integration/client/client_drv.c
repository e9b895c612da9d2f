/* client_drv.c — test driver for the upstream client (src/http/http_client):
 * runs requests on a real loop with the real resolver, TLS context (anchors
 * from SSL_CERT_FILE / SSL_CERT_DIR) and proxy settings (environment), and
 * prints one line per request for tests/integration/http_client.sh; with
 * --bench it runs many requests through the keep-alive pool and prints the
 * throughput for bench/client_bench.sh.
 *
 *   client_drv [options] URL
 *     -X METHOD   -d BODY   -H 'Name: value' (repeatable)
 *     --connect MS --first-byte MS --idle MS --total MS
 *     -n N              requests, one after the other (default 1)
 *     --sleep MS        run the loop this long between requests
 *     --policy off|deny_private|allowlist   --allow ORIGIN (repeatable)
 *     --cancel-after B  cancel in on_data once B body bytes arrived
 *     --pause-ms MS     pause after the first body bytes, resume MS later
 *     --bench N -c C    N requests with C in flight; prints "bench ..." line
 *
 * Output per request:
 *   result i=<n> status=<s> err=<name> ndata=<calls> bytes=<n> reused=<0|1> paused_ok=<0|1>
 *          body=<first 64 bytes, escaped>   (one line; paused_ok: no on_data while paused)
 *   reason: <text>            (when err != ok)
 *   result i=<n> cancelled bytes=<n> ndata=<calls>   (after --cancel-after)
 * and at the end:
 *   stats requests=.. connects=.. reused=.. stale=.. retries=.. failed=.. active=..
 * Exit status: 0 when the run completed (whatever the results), 2 on usage
 * or set-up errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/err.h"
#include "http/http_client.h"
#include "http/http_proxy.h"
#include "net/dns.h"
#include "net/loop.h"
#include "net/netpolicy.h"
#include "tls/tls.h"

#define MAX_H 32
#define MAX_ALLOW 8

typedef struct run {
	loop *l;
	http_client *c;
	int i;
	bool done;
	int status, ndata, err;
	size_t bytes;
	char body[64];
	size_t blen;
	char reason[600];
	http_client_req *r;
	size_t cancel_after;
	int pause_ms;
	bool paused, data_while_paused, cancelled, reused;
	loop_timer resume;
} run;

static void on_head(http_client_req *r, const http_client_resp *h, void *ud)
{
	(void)r;
	((run *)ud)->status = h->status;
}

static void on_resume(loop *l, void *ud)
{
	(void)l;
	run *x = ud;
	x->paused = false;
	http_client_resume(x->r);
}

static void on_data(http_client_req *r, const char *p, size_t n, void *ud)
{
	run *x = ud;
	if (x->paused)
		x->data_while_paused = true;
	x->ndata++;
	x->bytes += n;
	for (size_t i = 0; i < n && x->blen < sizeof x->body; i++)
		x->body[x->blen++] = p[i];
	if (x->cancel_after && x->bytes >= x->cancel_after && !x->cancelled) {
		x->cancelled = true;
		http_client_cancel(r);
		return;
	}
	if (x->pause_ms && x->ndata == 1) {
		x->paused = true;
		http_client_pause(r);
		loop_timer_init(&x->resume, on_resume, x);
		loop_timer_start(x->l, &x->resume, (uint64_t)x->pause_ms);
	}
}

static void on_done(http_client_req *r, int err, const char *reason, void *ud)
{
	(void)r;
	run *x = ud;
	x->done = true;
	x->err = err;
	snprintf(x->reason, sizeof x->reason, "%s", reason);
}

static void print_result(const run *x)
{
	if (x->cancelled) {
		printf("result i=%d cancelled bytes=%zu ndata=%d\n", x->i, x->bytes, x->ndata);
		return;
	}
	printf("result i=%d status=%d err=%s ndata=%d bytes=%zu reused=%d paused_ok=%d body=", x->i, x->status,
	       http_client_err_name(x->err), x->ndata, x->bytes, x->reused, !x->data_while_paused);
	for (size_t i = 0; i < x->blen; i++) {
		unsigned char ch = (unsigned char)x->body[i];
		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	putchar('\n');
	if (x->err)
		printf("reason: %s\n", x->reason);
}

/* --- bench ------------------------------------------------------------------------ */

typedef struct bench {
	http_client *c;
	http_client_spec spec;
	long left, inflight, ok, bad;
	int first_err;
	char reason[600];
} bench;

static void b_done(http_client_req *r, int err, const char *reason, void *ud);

static void b_next(bench *b)
{
	char e[300];
	while (b->left > 0) {
		b->left--;
		b->inflight++;
		if (http_client_request(b->c, &b->spec, NULL, e, sizeof e) != 0) {
			b->inflight--;
			b->bad++;
			snprintf(b->reason, sizeof b->reason, "%s", e);
			continue;
		}
		return;
	}
}

static void b_done(http_client_req *r, int err, const char *reason, void *ud)
{
	(void)r;
	bench *b = ud;
	b->inflight--;
	if (err) {
		b->bad++;
		if (!b->first_err) {
			b->first_err = err;
			snprintf(b->reason, sizeof b->reason, "%s", reason);
		}
	} else {
		b->ok++;
	}
	b_next(b);
}

static void b_head(http_client_req *r, const http_client_resp *h, void *ud)
{
	(void)r;
	(void)h;
	(void)ud;
}

static void b_data(http_client_req *r, const char *p, size_t n, void *ud)
{
	(void)r;
	(void)p;
	(void)n;
	(void)ud;
}

static int usage(void)
{
	fprintf(stderr, "usage: client_drv [-X M] [-d BODY] [-H 'N: v'] [--connect|--first-byte|--idle|--total MS] "
	        "[-n N] [--sleep MS] [--policy P] [--allow O] [--cancel-after B] [--pause-ms MS] [--bench N -c C] URL\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *method = "GET", *body = NULL, *url = NULL, *policy = "off";
	http_header hdrs[MAX_H];
	size_t nh = 0;
	str allow[MAX_ALLOW];
	size_t nallow = 0;
	http_client_timeouts to = { 0, 0, 0, 0 };
	long n = 1, sleep_ms = 0, bench_n = 0, conc = 1;
	size_t cancel_after = 0;
	int pause_ms = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && (i++, 1))
		if (ARG("-X"))
			method = v;
		else if (ARG("-d"))
			body = v;
		else if (ARG("-H")) {
			if (nh == MAX_H)
				return usage();
			const char *colon = strchr(v, ':');
			if (!colon)
				return usage();
			const char *val = colon + 1;
			while (*val == ' ')
				val++;
			hdrs[nh].name = str_make(v, (size_t)(colon - v));
			hdrs[nh++].value = str_from(val);
		} else if (ARG("--connect"))
			to.connect_ms = (uint32_t)atol(v);
		else if (ARG("--first-byte"))
			to.first_byte_ms = (uint32_t)atol(v);
		else if (ARG("--idle"))
			to.idle_ms = (uint32_t)atol(v);
		else if (ARG("--total"))
			to.total_ms = (uint32_t)atol(v);
		else if (ARG("-n"))
			n = atol(v);
		else if (ARG("--sleep"))
			sleep_ms = atol(v);
		else if (ARG("--policy"))
			policy = v;
		else if (ARG("--allow")) {
			if (nallow == MAX_ALLOW)
				return usage();
			allow[nallow++] = str_from(v);
		} else if (ARG("--cancel-after"))
			cancel_after = (size_t)atol(v);
		else if (ARG("--pause-ms"))
			pause_ms = atoi(v);
		else if (ARG("--bench"))
			bench_n = atol(v);
		else if (ARG("-c"))
			conc = atol(v);
		else if (a[0] != '-' && !url)
			url = a;
		else
			return usage();
#undef ARG
	}
	if (!url || n < 1 || conc < 1)
		return usage();

	char e[600];
	netpolicy pol = { 0 };
	netpolicy_mode mode;
	if (netpolicy_mode_parse(str_from(policy), &mode) ||
	    netpolicy_build(&pol, mode, allow, nallow, e, sizeof e)) {
		fprintf(stderr, "policy: %s\n", e);
		return 2;
	}
	http_proxy proxy;
	if (http_proxy_from_env(&proxy, e, sizeof e)) {
		fprintf(stderr, "proxy: %s\n", e);
		return 2;
	}
	tls_anchors *ta = NULL;
	if (tls_anchors_load(&ta, getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR"), e, sizeof e)) {
		fprintf(stderr, "tls: %s\n", e);
		return 2;
	}
	tls_client_ctx *tc = tls_client_ctx_new(ta, NULL);
	loop *l;
	dns *d;
	http_client *c;
	if (!tc || loop_new(&l) || dns_new(&d, NULL) || http_client_new(&c, l, d, tc, &pol, &proxy, NULL)) {
		fprintf(stderr, "set-up failed\n");
		return 2;
	}

	if (bench_n > 0) {
		bench b = { 0 };
		b.c = c;
		b.left = bench_n;
		b.spec = (http_client_spec){ .method = str_from(method), .url = str_from(url), .headers = hdrs,
		                             .nheaders = nh, .body = str_from(body), .timeouts = to,
		                             .cb = { b_head, b_data, b_done }, .ud = &b };
		uint64_t t0 = clock_mono_ns();
		for (long k = 0; k < conc && b.left > 0; k++)
			b_next(&b);
		while (b.inflight > 0)
			loop_step(l, 100);
		double secs = (double)(clock_mono_ns() - t0) / 1e9;
		http_client_stats st;
		http_client_get_stats(c, &st);
		printf("bench requests=%ld ok=%ld failed=%ld concurrency=%ld seconds=%.3f rps=%.0f connects=%llu reused=%llu\n",
		       bench_n, b.ok, b.bad, conc, secs, (double)b.ok / secs, (unsigned long long)st.connects,
		       (unsigned long long)st.reused);
		if (b.bad)
			printf("reason: %s\n", b.reason);
	} else {
		for (long k = 0; k < n; k++) {
			run x;
			memset(&x, 0, sizeof x);
			x.l = l;
			x.c = c;
			x.i = (int)k + 1;
			x.cancel_after = cancel_after;
			x.pause_ms = pause_ms;
			http_client_spec s = {
				.method = str_from(method), .url = str_from(url), .headers = hdrs, .nheaders = nh,
				.body = str_from(body), .timeouts = to, .cb = { on_head, on_data, on_done }, .ud = &x,
			};
			int rc = http_client_request(c, &s, &x.r, e, sizeof e);
			if (rc) {
				printf("result i=%d status=0 err=%s ndata=0 bytes=0 reused=0 body=\nreason: %s\n", x.i,
				       http_client_err_name(rc), e);
				continue;
			}
			x.reused = http_client_req_reused(x.r);
			uint64_t end = clock_mono_ms() + 60000;
			while (!x.done && !x.cancelled && clock_mono_ms() < end)
				loop_step(l, 50);
			if (x.cancelled) {   /* give a late callback the chance to show up (it must not) */
				uint64_t t = clock_mono_ms() + 300;
				while (clock_mono_ms() < t)
					loop_step(l, 20);
				if (x.done)
					printf("ERROR: on_done after cancel\n");
			}
			loop_timer_stop(l, &x.resume);
			print_result(&x);
			if (sleep_ms > 0) {
				uint64_t t = clock_mono_ms() + (uint64_t)sleep_ms;
				while (clock_mono_ms() < t)
					loop_step(l, 10);
			}
		}
	}
	http_client_stats st;
	http_client_get_stats(c, &st);
	printf("stats requests=%llu connects=%llu reused=%llu stale=%llu retries=%llu failed=%llu active=%zu\n",
	       (unsigned long long)st.requests, (unsigned long long)st.connects, (unsigned long long)st.reused,
	       (unsigned long long)st.stale, (unsigned long long)st.retries, (unsigned long long)st.failed,
	       st.active);
	fflush(stdout);
	http_client_free(c);
	dns_free(d);
	loop_free(l);
	tls_client_ctx_free(tc);
	tls_anchors_free(ta);
	http_proxy_free(&proxy);
	netpolicy_free(&pol);
	return 0;
}
