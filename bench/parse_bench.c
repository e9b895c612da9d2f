/* parse_bench.c — micro-benchmark of the HTTP/1.1 head parser, the chunked
 * decoder and the SSE decoder (ns per request / MB/s). Not a test: numbers
 * depend on the machine. Build and run:
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/parse_bench.c src/http/http_parse.c \
 *      src/http/sse.c src/base/buf.c src/base/str.c src/base/err.c -o build/parse_bench
 *   build/parse_bench [iterations]
 */
#include "base/err.h"
#include "http/http_parse.h"
#include "http/sse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: fair on a busy machine */
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* What the official openai npm client sends (about 470 bytes, 12 fields). */
static const char req_sdk[] =
	"POST /v1/chat/completions HTTP/1.1\r\n"
	"host: 127.0.0.1:4000\r\n"
	"connection: keep-alive\r\n"
	"accept: application/json\r\n"
	"content-type: application/json\r\n"
	"user-agent: OpenAI/JS 4.73.0\r\n"
	"x-stainless-lang: js\r\n"
	"x-stainless-package-version: 4.73.0\r\n"
	"x-stainless-os: Linux\r\n"
	"x-stainless-arch: x64\r\n"
	"x-stainless-retry-count: 0\r\n"
	"authorization: Bearer sk-liter-llm-0123456789abcdefghijklmnopqrstuvwxyz\r\n"
	"content-length: 95\r\n"
	"\r\n";

/* The request picohttpparser's bench uses (browser GET, ~700 bytes). */
static const char req_pico[] =
	"GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
	"Host: www.kittyhell.com\r\n"
	"User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 "
	"Pathtraq/0.9\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
	"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
	"Accept-Encoding: gzip,deflate\r\n"
	"Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
	"Keep-Alive: 115\r\n"
	"Connection: keep-alive\r\n"
	"Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
	"__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; "
	"__utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral\r\n"
	"\r\n";

static const char resp_up[] =
	"HTTP/1.1 200 OK\r\n"
	"Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
	"Content-Type: text/event-stream; charset=utf-8\r\n"
	"Transfer-Encoding: chunked\r\n"
	"Connection: keep-alive\r\n"
	"openai-organization: org-xxxxxxxx\r\n"
	"openai-processing-ms: 123\r\n"
	"openai-version: 2020-10-01\r\n"
	"x-request-id: req_0123456789abcdef0123456789abcdef\r\n"
	"cf-cache-status: DYNAMIC\r\n"
	"Server: cloudflare\r\n"
	"\r\n";

static volatile size_t sink;

static void bench_req(const char *name, const char *s, size_t n, long iters)
{
	http_header h[64];
	http_req r;
	if (http_parse_request(s, n, 0, NULL, h, 64, &r) != (int)n) {
		fprintf(stderr, "%s: does not parse\n", name);
		exit(1);
	}
	double ns = 1e30; /* best of 7 rounds: the machine may be busy */
	for (int round = 0; round < 7; round++) {
		double t0 = now_ns();
		for (long i = 0; i < iters / 7; i++) {
			int rc = http_parse_request(s, n, 0, NULL, h, 64, &r);
			sink += (size_t)rc + r.nheaders;
		}
		double t = (now_ns() - t0) / (double)(iters / 7);
		ns = t < ns ? t : ns;
	}
	printf("%-28s %5zu bytes %3zu fields  %7.1f ns/request  %6.0f MB/s\n", name, n, r.nheaders, ns,
	       (double)n / ns * 1e3);
}

static void bench_resp(const char *name, const char *s, size_t n, long iters)
{
	http_header h[64];
	http_resp r;
	if (http_parse_response(s, n, 0, NULL, h, 64, &r) != (int)n) {
		fprintf(stderr, "%s: does not parse\n", name);
		exit(1);
	}
	double ns = 1e30;
	for (int round = 0; round < 7; round++) {
		double t0 = now_ns();
		for (long i = 0; i < iters / 7; i++) {
			int rc = http_parse_response(s, n, 0, NULL, h, 64, &r);
			sink += (size_t)rc + r.nheaders;
		}
		double t = (now_ns() - t0) / (double)(iters / 7);
		ns = t < ns ? t : ns;
	}
	printf("%-28s %5zu bytes %3zu fields  %7.1f ns/response\n", name, n, r.nheaders, ns);
}

/* Incremental arrival in 64-byte reads with the last_len hint. */
static void bench_req_trickle(const char *s, size_t n, long iters)
{
	http_header h[64];
	http_req r;
	double t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		size_t last = 0, len = 0;
		int rc = ERR_AGAIN;
		while (rc == ERR_AGAIN) {
			len = len + 64 < n ? len + 64 : n;
			rc = http_parse_request(s, len, last, NULL, h, 64, &r);
			last = len;
		}
		sink += (size_t)rc;
	}
	double ns = (now_ns() - t0) / (double)iters;
	printf("%-28s %5zu bytes in 64 B reads  %7.1f ns/request\n", "request, trickled + hint", n, ns);
}

static void bench_chunked(long mb)
{
	/* SSE-sized chunks (~200 bytes) */
	char chunk[256];
	size_t payload = 200;
	int hl = snprintf(chunk, sizeof chunk, "%zx\r\n", payload);
	memset(chunk + hl, 'd', payload);
	memcpy(chunk + hl + payload, "\r\n", 2);
	size_t clen = (size_t)hl + payload + 2, reps = 4096;
	char *in = malloc(clen * reps + 5), *out = malloc(clen * reps);
	for (size_t i = 0; i < reps; i++)
		memcpy(in + i * clen, chunk, clen);
	memcpy(in + clen * reps, "0\r\n\r\n", 5);
	size_t total = clen * reps + 5, rounds = (size_t)mb * (1 << 20) / total + 1;
	double t0 = now_ns();
	for (size_t k = 0; k < rounds; k++) {
		http_chunked c = { 0 };
		size_t used, made;
		if (http_parse_chunked(&c, in, total, &used, out, clen * reps, &made) != 0)
			exit(1);
		sink += made;
	}
	double ns = now_ns() - t0;
	printf("%-28s %7.0f MB/s (200-byte chunks)\n", "chunked decode", (double)(total * rounds) / ns * 1e3);
	free(in);
	free(out);
}

static void bench_sse(long mb)
{
	static const char ev[] =
		"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
		"\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n";
	size_t elen = sizeof ev - 1, reps = 4096, total = elen * reps;
	char *in = malloc(total);
	for (size_t i = 0; i < reps; i++)
		memcpy(in + i * elen, ev, elen);
	size_t rounds = (size_t)mb * (1 << 20) / total + 1, events = 0;
	sse_decoder d = { 0 };
	double t0 = now_ns();
	for (size_t k = 0; k < rounds; k++) {
		const char *p = in;
		size_t left = total;
		for (;;) {
			size_t used;
			sse_event e;
			int rc = sse_decoder_feed(&d, p, left, &used, &e);
			p += used;
			left -= used;
			if (rc != 1)
				break;
			events++;
			sink += e.data.n;
		}
	}
	double ns = now_ns() - t0;
	printf("%-28s %7.0f MB/s, %.0f ns/event (%zu-byte events)\n", "sse decode",
	       (double)(total * rounds) / ns * 1e3, ns / (double)events, elen);
	sse_decoder_free(&d);
	free(in);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 2000000;
	bench_req("request, openai sdk POST", req_sdk, sizeof req_sdk - 1, iters);
	bench_req("request, picohttpparser GET", req_pico, sizeof req_pico - 1, iters);
	bench_req("request, minimal GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, iters);
	bench_req_trickle(req_sdk, sizeof req_sdk - 1, iters / 4);
	bench_resp("response, upstream SSE head", resp_up, sizeof resp_up - 1, iters);
	bench_chunked(2000);
	bench_sse(500);
	return sink == 42;
}
