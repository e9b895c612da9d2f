#!/bin/sh
# bench/gateway_allocs.sh — heap allocations and CPU per request on the
# gateway's hot path: `liter-llm api` forwarding POST /v1/chat/completions to
# an OpenAI-compatible upstream (pass-through), non-stream and stream.
#
#  - the gateway is built with glibc, -O2, no sanitizer, outside the tree's
#    build outputs (OUT/ll-glibc), and run with an LD_PRELOAD counter of
#    malloc+calloc+realloc (printed at exit);
#  - upstream: nginx (1 worker, access_log off) returning a fixed
#    chat.completion JSON on /ns/v1/chat/completions and a fixed SSE body
#    (3 chunks + [DONE]) on /st/v1/chat/completions; one [[models]] entry each;
#  - client: one keep-alive connection, sequential requests (python http.client);
#  - mallocs/request in the steady state: two gateway runs, W and W+N requests,
#    (mallocs(W+N) - mallocs(W)) / N (start-up and warm-up cancel out);
#  - CPU: utime+stime of the gateway (/proc/<pid>/stat) over the N requests of
#    the second run, per 1000 requests; median of ROUNDS such runs (ticks
#    are 10 ms: keep N * cpu-per-request well above that).
#  - where they come from: run the gateway under
#    valgrind --xtree-memory=full --xtree-memory-file=X.kcg, once with W and
#    once with W+N requests, and compare
#    callgrind_annotate --inclusive=yes --show=totBk X.kcg of the two.
#
#   usage: sh bench/gateway_allocs.sh [build-dir]     env: N=2000 W=200 ROUNDS=3
#          GW="<binary> ...": measure these glibc binaries (interleaved) instead
#          of building one from src/ (to compare a variant built from a copy)
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
OUT=$B/bench/gwalloc
N=${N:-2000}
W=${W:-200}
ROUNDS=${ROUNDS:-3}
mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; for p in $PIDS; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

. bench/lib.sh
bench_tools gateway_allocs
bench_cpus

# --- build -------------------------------------------------------------------------------------
INC=$(ls -d "$B"/vendor/bearssl-*/inc 2>/dev/null | head -n 1)
JSMN=$(ls -d "$B"/vendor/jsmn-* 2>/dev/null | head -n 1)
GLIB=$B/asan/bearssl/libbearssl.a
[ -f "$GLIB" ] || make -s "$GLIB" >/dev/null 2>&1
[ -n "$INC" ] && [ -f "$GLIB" ] || { echo "BearSSL not built: run make first" >&2; exit 1; }
if [ -n "$GW" ]; then
	echo "measuring $GW"
else
	GW=$OUT/ll-glibc
	echo "building $GW (gcc -O2, glibc, no sanitizer)"
	# shellcheck disable=SC2046
	gcc -std=c11 -D_GNU_SOURCE -DLITER_LLM_VERSION='"bench"' -O2 -g -Isrc -I"$INC" -I"$JSMN" \
		$(ls src/*/*.c) src/main.c "$GLIB" -pthread -o "$GW" 2>"$OUT/build.log" ||
		{ cat "$OUT/build.log"; exit 1; }
fi
cat >"$OUT/mcount.c" <<'MEOF'
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
MEOF
gcc -O2 -shared -fPIC "$OUT/mcount.c" -o "$OUT/mcount.so" -ldl 2>>"$OUT/build.log" || { cat "$OUT/build.log"; exit 1; }

# --- upstream ----------------------------------------------------------------------------------
NP=$(cd "$OUT/nginx" && pwd)
PORT=$(free_port)
nginx_conf "$NP" "        listen 127.0.0.1:$PORT;
        location = /ns/v1/chat/completions {
            default_type application/json;
            return 200 '{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help you today?\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":9,\"total_tokens\":21}}';
        }
        location = /st/v1/chat/completions {
            default_type text/event-stream;
            return 200 'data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello!\"},\"finish_reason\":null}]}\n\ndata: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n';
        }"
taskset -c $CLI_CPU "$NGINX" -p "$NP/" -c "$NP/nginx.conf" -e "$NP/logs/error.log" &
PIDS="$PIDS $!"
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$PORT/" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 100 ] || { echo "nginx did not start: $(tail -n 3 "$NP/logs/error.log")" >&2; exit 1; }

cat >"$OUT/gw.toml" <<TEOF
[general]
master_key = "sk-bench-master"
max_retries = 0
[[models]]
name = "bench-ns"
provider_model = "openai/gpt-4o-mini"
base_url = "http://127.0.0.1:$PORT/ns/v1"
api_key = "sk-bench-upstream"
[[models]]
name = "bench-st"
provider_model = "openai/gpt-4o-mini"
base_url = "http://127.0.0.1:$PORT/st/v1"
api_key = "sk-bench-upstream"
TEOF

# the client: W warm-up requests, then (if N > 0) N measured ones; prints
# "<cpu ticks before> <cpu ticks after>" of the gateway around the N requests
cat >"$OUT/client.py" <<'PEOF'
import http.client, json, sys
port, pid, model, stream, w, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1", int(sys.argv[5]), int(sys.argv[6])
body = {"model": model, "messages": [{"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Say hello in one short sentence."}], "max_tokens": 32}
if stream:
    body["stream"] = True
body = json.dumps(body).encode()
hdr = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench-master"}
c = http.client.HTTPConnection("127.0.0.1", port)
def ticks():
    with open("/proc/%s/stat" % pid) as f:
        s = f.read().rsplit(")", 1)[1].split()
    return int(s[11]) + int(s[12])
def one():
    c.request("POST", "/v1/chat/completions", body, hdr)
    r = c.getresponse()
    d = r.read()
    if r.status != 200 or (stream and not d.endswith(b"data: [DONE]\n\n")):
        sys.exit("bad response %d: %r" % (r.status, d[:300]))
for _ in range(w):
    one()
t0 = ticks()
for _ in range(n):
    one()
print(t0, ticks())
PEOF

# run BIN MODEL STREAM COUNT: one run of gateway BIN under the counter doing
# W + COUNT requests; prints "mallocs ticks_before ticks_after"
run() {
	: >"$OUT/gw.log"
	LD_PRELOAD="$(pwd)/$OUT/mcount.so" taskset -c $SRV_CPU "$1" api -c "$OUT/gw.toml" \
		--host 127.0.0.1 --port 0 --tokio-worker-threads 1 2>"$OUT/gw.log" &
	gw=$!
	i=0
	gp=""
	while [ -z "$gp" ] && [ $i -lt 100 ]; do
		sleep 0.1
		gp=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$OUT/gw.log" | head -n 1)
		i=$((i + 1))
	done
	[ -n "$gp" ] || { echo "gateway did not start:" >&2; cat "$OUT/gw.log" >&2; kill $gw; exit 1; }
	t=$(taskset -c $CLI_CPU python3 "$OUT/client.py" "$gp" $gw "$2" "$3" "$W" "$4") || { kill $gw; exit 1; }
	kill -TERM $gw
	wait $gw
	m=$(sed -n 's/^mallocs=//p' "$OUT/gw.log" | tail -n 1)
	[ -n "$m" ] || { echo "no malloc count in $OUT/gw.log (did the gateway exit cleanly?)" >&2; exit 1; }
	echo "$m $t"
}

HZ=$(getconf CLK_TCK)
echo
echo "POST /v1/chat/completions, 1 keep-alive connection, sequential; gateway: 1 worker on cpu $SRV_CPU,"
echo "client and nginx on cpu $CLI_CPU; steady state over N=$N requests after W=$W warm-up"
echo "mallocs = malloc+calloc+realloc; cpu = gateway utime+stime (/proc, ${HZ} Hz ticks) under the"
echo "counter, median (min) of $ROUNDS runs, binaries interleaved so that other load hits them alike"
printf '%-12s %-28s %12s %24s\n' "mode" "binary" "mallocs/req" "cpu ms/1000 req: median (min)"
for mode in ns st; do
	s=0
	[ $mode = st ] && s=1
	k=0
	for g in $GW; do
		k=$((k + 1))
		# shellcheck disable=SC2046
		set -- $(run "$g" bench-$mode $s 0)
		[ -n "$1" ] || exit 1
		echo "$1" >"$OUT/base.$k"
		: >"$OUT/cpu.$k"
	done
	r=1
	while [ $r -le "$ROUNDS" ]; do
		k=0
		for g in $GW; do
			k=$((k + 1))
			# shellcheck disable=SC2046
			set -- $(run "$g" bench-$mode $s "$N")
			[ -n "$1" ] || exit 1
			echo "$1" >"$OUT/last.$k"
			echo "$2 $3" | awk -v n="$N" -v hz="$HZ" '{ printf "%.1f\n", ($2 - $1) / hz * 1000 * 1000 / n }' >>"$OUT/cpu.$k"
		done
		r=$((r + 1))
	done
	k=0
	for g in $GW; do
		k=$((k + 1))
		sort -n "$OUT/cpu.$k" | awk -v a="$(cat "$OUT/base.$k")" -v b="$(cat "$OUT/last.$k")" -v n="$N" -v g="$g" \
			-v m="$([ $s = 1 ] && echo stream || echo non-stream)" '
			{ c[NR] = $1 }
			END { printf "%-12s %-28s %12.2f %15.1f (%.1f)\n", m, substr(g, length(g) > 28 ? length(g) - 27 : 1), (b - a) / n, c[int((NR + 1) / 2)], c[1] }'
	done
done
