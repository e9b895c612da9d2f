#!/bin/sh
# bench/client_bench.sh — throughput of the upstream HTTP client
# (src/http/http_client) through its keep-alive pool against a fast local
# upstream: nginx `return 200 "hello"` (1 worker, access_log off; installed
# from Debian when missing and we are root). wrk against the same nginx gives
# the reference of what one client core can pull from it.
#
#  - the driver (tests/integration/client/client_drv.c --bench) is built like
#    the shipped binary: musl-gcc -O2, static; one loop, one thread;
#  - nginx pinned to cpu 0, the client (and wrk) to cpu 1;
#  - GET http://127.0.0.1:<port>/ with 1, 16 and 64 requests in flight
#    (= pooled connections), N requests per run (after a warm-up), median of
#    ROUNDS runs; then the same over HTTPS (TLS 1.2, ECDSA P-256 test
#    certificate, session resumption), 16 in flight;
#  - allocations per request in the steady state: a glibc build of the driver
#    under an LD_PRELOAD malloc counter, (mallocs(N2) - mallocs(N1)) / (N2 - N1).
#
#   usage: sh bench/client_bench.sh [build-dir]     env: N=100000 ROUNDS=3
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
OUT=$B/bench/client
N=${N:-100000}
ROUNDS=${ROUNDS:-3}
mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; for p in $PIDS; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

. bench/lib.sh
bench_tools client_bench openssl
bench_cpus

# --- build -----------------------------------------------------------------------------------
INC=$(ls -d "$B"/vendor/bearssl-*/inc 2>/dev/null | head -n 1)
JSMN=$(ls -d "$B"/vendor/jsmn-* 2>/dev/null | head -n 1)
MLIB=$B/musl/bearssl/libbearssl.a
GLIB=$B/asan/bearssl/libbearssl.a
[ -f "$MLIB" ] || make -s "$MLIB" >/dev/null 2>&1
[ -n "$INC" ] && [ -f "$MLIB" ] || { echo "BearSSL not built: run make first" >&2; exit 1; }
SRCS="tests/integration/client/client_drv.c src/http/http_client.c src/http/http_proxy.c src/http/http_parse.c
 src/http/http_msg.c src/net/loop.c src/net/sock.c src/net/dns.c src/net/netpolicy.c src/tls/*.c src/json/*.c
 src/base/*.c"
CF="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -I$INC -I$JSMN -O2"
echo "building the driver (musl-gcc -O2, static)"
# shellcheck disable=SC2086
musl-gcc $CF -ffunction-sections -fdata-sections -static -Wl,--gc-sections -s -pthread $SRCS "$MLIB" \
	-o "$OUT/drv" 2>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }

# --- upstream --------------------------------------------------------------------------------
NP=$(cd "$OUT/nginx" && pwd)
(
	cd "$NP" || exit 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 30 \
		-subj "/CN=bench CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
		-subj "/CN=localhost" &&
	printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' >leaf.ext &&
	openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem
) >"$OUT/openssl.log" 2>&1 || { cat "$OUT/openssl.log"; exit 1; }
PORT=$(free_port)
TPORT=$(free_port)
nginx_conf "$NP" "        listen 127.0.0.1:$PORT;
        listen 127.0.0.1:$TPORT ssl;
        ssl_certificate $NP/leaf.pem;
        ssl_certificate_key $NP/leaf.key;
        ssl_protocols TLSv1.2;
        ssl_session_cache shared:S:1m;"
taskset -c $SRV_CPU "$NGINX" -p "$NP/" -c "$NP/nginx.conf" -e "$NP/logs/error.log" &
PIDS="$PIDS $!"
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 100 ] || { echo "nginx did not start: $(tail -n 3 "$NP/logs/error.log")" >&2; exit 1; }
export SSL_CERT_FILE="$NP/ca.pem"

median() { sort -n | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'; }

# bench URL C: ROUNDS rounds of (our client: N requests, C in flight; then
# wrk -t1 -cC for 3 s on the same URL), interleaved so that load from other
# processes hits both alike. Prints "ours_median wrk_median connects=.. reused=..".
bench() {
	taskset -c $CLI_CPU "$OUT/drv" --bench $((N / 10)) -c "$2" "$1" >/dev/null   # warm-up
	r=1
	: >"$OUT/runs"
	: >"$OUT/wruns"
	while [ $r -le "$ROUNDS" ]; do
		taskset -c $CLI_CPU "$OUT/drv" --bench "$N" -c "$2" "$1" >"$OUT/run.txt" 2>&1
		grep -q 'failed=0 ' "$OUT/run.txt" || { echo "   errors:" >&2; cat "$OUT/run.txt" >&2; }
		sed -n 's/.* rps=\([0-9]*\) .*/\1/p' "$OUT/run.txt" >>"$OUT/runs"
		last=$(sed -n 's/.*\(connects=[0-9]* reused=[0-9]*\).*/\1/p' "$OUT/run.txt")
		taskset -c $CLI_CPU wrk -t1 -c"$2" -d3s "$1" 2>&1 | sed -n 's/^Requests\/sec: *\([0-9]*\).*/\1/p' >>"$OUT/wruns"
		r=$((r + 1))
	done
	echo "$(median <"$OUT/runs") $(median <"$OUT/wruns") $last"
}

echo
echo "client: $N GET requests per run through the keep-alive pool; reference: wrk -t1 (3 s runs)"
echo "interleaved, median of $ROUNDS rounds each"
echo "upstream: nginx $($NGINX -v 2>&1 | sed 's/.*\///') 'return 200 \"hello\"' on cpu $SRV_CPU; client and wrk on cpu $CLI_CPU"
printf '%-22s %10s %10s %7s   %s\n' "case" "ours req/s" "wrk req/s" "ratio" "our pool (last run)"
row() {
	set -- "$1" $(bench "$2" "$3")
	printf '%-22s %10s %10s %6.2fx   %s %s\n' "$1" "$2" "$3" "$(echo "$2 $3" | awk '{ print $2 ? $1 / $2 : 0 }')" "$4" "$5"
}
for c in 1 16 64; do
	row "http, $c in flight" "http://127.0.0.1:$PORT/" $c
done
row "https, 16 in flight" "https://localhost:$TPORT/" 16

# --- allocations per request (glibc build + malloc counter) ---------------------------------
if [ -f "$GLIB" ] || make -s "$GLIB" >/dev/null 2>&1; then
	cat >"$OUT/mcount.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
static atomic_long n;
static void *(*real_malloc)(size_t), *(*real_calloc)(size_t, size_t), *(*real_realloc)(void *, size_t);
static char boot[4096];
static size_t bootn;
void *malloc(size_t s) { if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc"); n++; return real_malloc(s); }
void *calloc(size_t a, size_t b)
{
	if (!real_calloc) {   /* dlsym may calloc: serve it from a static pool */
		if (bootn + a * b > sizeof boot) return NULL;
		void *p = boot + bootn; bootn += (a * b + 15) & ~(size_t)15; real_calloc = dlsym(RTLD_NEXT, "calloc");
		if (!real_calloc) return p;
	}
	n++; return real_calloc(a, b);
}
void *realloc(void *p, size_t s) { if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc"); n++; return real_realloc(p, s); }
__attribute__((destructor)) static void done(void) { fprintf(stderr, "mallocs=%ld\n", (long)n); }
EOF
	gcc -O2 -shared -fPIC "$OUT/mcount.c" -o "$OUT/mcount.so" -ldl 2>>"$OUT/build.log" &&
	# shellcheck disable=SC2086
	gcc $CF $SRCS "$GLIB" -pthread -o "$OUT/drv-glibc" 2>>"$OUT/build.log" && {
		m1=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 1000 -c 16 "http://127.0.0.1:$PORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		m2=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 21000 -c 16 "http://127.0.0.1:$PORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		p1=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 1000 -c 16 --policy deny_private "http://127.0.0.1:$PORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		p2=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 21000 -c 16 --policy deny_private "http://127.0.0.1:$PORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		t1=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 1000 -c 16 "https://localhost:$TPORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		t2=$(LD_PRELOAD="$OUT/mcount.so" "$OUT/drv-glibc" --bench 21000 -c 16 "https://localhost:$TPORT/" 2>&1 >/dev/null | sed -n 's/mallocs=//p')
		echo
		awk -v a="$m1" -v b="$m2" -v c="$t1" -v d="$t2" -v e="$p1" -v f="$p2" 'BEGIN {
			printf "allocations per request, steady state (malloc+calloc+realloc, 20000 extra requests):\n"
			printf "   http:  %.4f   (run of 1000: %d, run of 21000: %d)\n", (b - a) / 20000, a, b
			printf "   http, outbound_policy deny_private: %.4f   (run of 1000: %d, run of 21000: %d)\n", (f - e) / 20000, e, f
			printf "   https: %.4f   (run of 1000: %d, run of 21000: %d)\n", (d - c) / 20000, c, d }'
	}
fi
