#!/bin/sh
# bench/http_bench.sh — `make bench-http`: our HTTP/1.1 server against nginx
# on the same fixed 5-byte response, one run, printed side by side.
#
#  - installs nginx and wrk from Debian when missing (apt-get, as root);
#  - nginx: `return 200 "hello"`, worker_processes 1, access_log off, its own
#    prefix under build/bench/nginx; our server: tests/integration/http/test_server
#    built like the shipped binary (musl-gcc -O2, static), 1 worker thread,
#    GET /hello (same body, same Content-Type);
#  - each server pinned to core 0 (taskset), wrk pinned to core 1;
#  - for 64 and 256 keep-alive connections: a 2 s warm-up, then ROUNDS runs of
#    SECS s per server, interleaved (nginx, ours, nginx, ours...) so that load
#    from other processes hits both alike;
#  - req/s, p50, p99 (wrk --latency), CPU time per request from
#    /proc/<pid>/stat (utime+stime delta over the run / requests), and the
#    ratios ours/nginx (median of the rounds, per column).
#    Targets: req/s >= 0.9x, p99 <= 1.2x, CPU/req <= 1.1x;
#  - then bench/idle_conns.py (10,000 idle keep-alive connections: RSS) and
#    bench/slowloris.py (2,000 trickling connections: a normal client's latency).
#
#   usage: sh bench/http_bench.sh [build-dir]     env: SECS=8 ROUNDS=5 CONNS="64 256"
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
OUT=$B/bench
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-64 256}
mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; }
trap 'cleanup; exit 1' INT TERM

# --- tools ----------------------------------------------------------------------------
. bench/lib.sh
bench_tools bench-http
bench_cpus

# --- our server, built like the shipped binary --------------------------------------
BIN=$OUT/test_server
echo "building $BIN (musl-gcc -O2, static)"
MCFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -O2 -ffunction-sections -fdata-sections -fno-plt"
mkdir -p "$OUT/obj"
rm -f "$OUT/obj/"*.o "$OUT/libhs.a"
for f in src/base/*.c src/net/*.c src/http/*.c; do
	# shellcheck disable=SC2086
	musl-gcc $MCFLAGS -c "$f" -o "$OUT/obj/$(echo "$f" | tr / _).o" 2>>"$OUT/build.log" ||
		echo "  (left out: $f does not compile)"
done
ar rcs "$OUT/libhs.a" "$OUT/obj/"*.o || exit 1
# shellcheck disable=SC2086
musl-gcc $MCFLAGS -static -Wl,--gc-sections -s -pthread -o "$BIN" \
	tests/integration/http/test_server.c "$OUT/libhs.a" || exit 1


# --- nginx ----------------------------------------------------------------------------------
NPORT=$(free_port)
NP=$(cd "$OUT/nginx" && pwd)
nginx_conf "$NP" "        listen 127.0.0.1:$NPORT;"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
taskset -c $SRV_CPU "$NGINX" -p "$NP/" -c "$NP/nginx.conf" -e "$NP/logs/error.log" &
NGINX_MASTER=$!
PIDS="$PIDS $NGINX_MASTER"

OPORT=$(free_port)
taskset -c $SRV_CPU "$BIN" --quiet --threads 1 --port "$OPORT" 2>"$OUT/ours.log" &
OURS=$!
PIDS="$PIDS $OURS"

wait_port() {
	i=0
	while ! curl -s -o /dev/null "http://127.0.0.1:$1/hello" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
wait_port "$NPORT"
wait_port "$OPORT"
NGINX_WORKER=$(pgrep -P "$NGINX_MASTER" | head -n 1)
[ -n "$NGINX_WORKER" ] || { echo "nginx did not start: $(tail -n 3 "$NP/logs/error.log")" >&2; cleanup; exit 1; }

echo
echo "nginx $($NGINX -v 2>&1 | sed 's/.*\///'):"
curl -s -i "http://127.0.0.1:$NPORT/hello" | sed 's/^/   /'
echo
echo "ours:"
curl -s -i "http://127.0.0.1:$OPORT/hello" | sed 's/^/   /'
echo
echo

# cpu_ticks PID...: "utime stime" (clock ticks) summed over the processes
cpu_ticks() {
	u=0 k=0
	for p in "$@"; do
		set -- $(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$p/stat" 2>/dev/null)
		u=$((u + ${1:-0})) k=$((k + ${2:-0}))
	done
	echo "$u $k"
}
HZ=$(getconf CLK_TCK)

# run NAME PORT CONNS SECS PIDS...: one wrk run; prints
# "rps p50_us p99_us cpu_us_per_req user_us_per_req server_cpu_util_percent"
run() {
	name=$1 port=$2 conns=$3 secs=$4
	shift 4
	c0=$(cpu_ticks "$@")
	taskset -c $CLI_CPU wrk -t1 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/hello" >"$OUT/wrk.$name.$conns.txt" 2>&1
	c1=$(cpu_ticks "$@")
	awk -v c0="$c0" -v c1="$c1" -v hz="$HZ" -v secs="$secs" '
		function us(v) {
			if (v ~ /us$/) { sub(/us$/, "", v); return v + 0 }
			if (v ~ /ms$/) { sub(/ms$/, "", v); return v * 1000 }
			if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000000 }
			return v + 0
		}
		/requests in/ { reqs = $1 }
		/Requests\/sec/ { rps = $2 }
		$1 == "50%" { p50 = us($2) }
		$1 == "99%" { p99 = us($2) }
		END {
			if (reqs == 0) { print "0 0 0 0 0 0"; exit }
			split(c0, a, " "); split(c1, b, " ")
			user = b[1] - a[1]; sys = b[2] - a[2]
			printf "%.0f %.0f %.0f %.3f %.3f %.0f\n", rps, p50, p99, (user + sys) / hz * 1000000 / reqs, \
				user / hz * 1000000 / reqs, (user + sys) / hz * 100 / secs
		}' "$OUT/wrk.$name.$conns.txt"
}

# median of each column over the ROUNDS lines (noise from other processes
# moves the columns independently)
median() {
	awk '{ for (i = 1; i <= NF; i++) v[i, NR] = $i; nf = NF }
	END {
		for (i = 1; i <= nf; i++) {
			n = 0
			for (r = 1; r <= NR; r++) c[++n] = v[i, r]
			for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (c[y] < c[x]) { t = c[x]; c[x] = c[y]; c[y] = t }
			printf "%s%s", (i > 1 ? " " : ""), c[int((n + 1) / 2)]
		}
		printf "\n"
	}'
}

RESULTS=$OUT/results.txt
: >"$RESULTS"
for conns in $CONNS; do
	echo "== $conns connections: warm-up"
	run warm "$NPORT" "$conns" 2 "$NGINX_MASTER" "$NGINX_WORKER" >/dev/null
	run warm "$OPORT" "$conns" 2 "$OURS" >/dev/null
	: >"$OUT/n.$conns"
	: >"$OUT/o.$conns"
	r=1
	while [ $r -le "$ROUNDS" ]; do
		run nginx "$NPORT" "$conns" "$SECS" "$NGINX_MASTER" "$NGINX_WORKER" >>"$OUT/n.$conns"
		run ours "$OPORT" "$conns" "$SECS" "$OURS" >>"$OUT/o.$conns"
		printf '   round %d: nginx %s | ours %s\n' $r "$(tail -n 1 "$OUT/n.$conns")" "$(tail -n 1 "$OUT/o.$conns")"
		r=$((r + 1))
	done
	echo "$conns $(median <"$OUT/n.$conns") $(median <"$OUT/o.$conns")" >>"$RESULTS"
done

echo
echo "wrk -t1 -c<N> -d${SECS}s --latency, server on cpu $SRV_CPU, wrk on cpu $CLI_CPU; median of $ROUNDS runs per column"
echo "cpu = utime+stime of the server process(es) over the run / requests (user = utime part);"
echo "util = server CPU time / wall time: well under 100% means the run was limited by the"
echo "client or by other load on the machine, not by the server"
awk '
	BEGIN {
		printf "%-6s %-7s %10s %9s %9s %12s %9s %6s\n", "conns", "server", "req/s", "p50(us)", "p99(us)", "cpu(us)/req", "user(us)", "util"
	}
	{
		printf "%-6s %-7s %10d %9d %9d %12.2f %9.2f %5d%%\n", $1, "nginx", $2, $3, $4, $5, $6, $7
		printf "%-6s %-7s %10d %9d %9d %12.2f %9.2f %5d%%\n", $1, "ours", $8, $9, $10, $11, $12, $13
		rr = $2 ? $8 / $2 : 0; pr = $4 ? $10 / $4 : 0; cr = $5 ? $11 / $5 : 0; ur = $6 ? $12 / $6 : 0
		printf "%-6s %-7s %9.2fx %9s %8.2fx %11.2fx %8.2fx %6s  %s\n", $1, "ratio", rr, "", pr, cr, ur, "", \
			(rr >= 0.9 && pr <= 1.2 && cr <= 1.1) ? "targets met" : "TARGETS MISSED"
	}' "$RESULTS"
echo "targets: req/s >= 0.90x, p99 <= 1.20x, cpu/req <= 1.10x"

kill "$NGINX_MASTER" 2>/dev/null
wait "$NGINX_MASTER" 2>/dev/null
kill -TERM "$OURS" 2>/dev/null
wait "$OURS" 2>/dev/null

# with_ours LOG CMD...: a fresh server (1 thread, cpu SRV_CPU) on OPORT with
# its pid in OURS, CMD run on cpu CLI_CPU against it, then the server stopped.
with_ours() {
	log=$1
	shift
	OPORT=$(free_port)
	taskset -c $SRV_CPU "$BIN" --quiet --threads 1 --port "$OPORT" 2>"$OUT/$log" &
	OURS=$!
	PIDS="$PIDS $OURS"
	wait_port "$OPORT"
	eval "taskset -c $CLI_CPU $*"
	kill -TERM "$OURS" 2>/dev/null
	wait "$OURS" 2>/dev/null
}

# --- memory with 10,000 idle keep-alive connections; latency under slowloris ----------
echo
echo "== idle keep-alive connections"
with_ours ours-idle.log 'python3 bench/idle_conns.py --port "$OPORT" --pid "$OURS" --conns 10000'

echo
echo "== slowloris"
with_ours ours-slow.log 'python3 bench/slowloris.py --port "$OPORT" --conns 2000 --secs 15'
