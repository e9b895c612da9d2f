#!/bin/sh
# bench/idle_conns.sh — memory cost of idle keep-alive connections on the real
# server: start build/liter-llm api on 127.0.0.1 (empty config), open N
# connections, make one request on each (GET /health/liveness, keep-alive),
# leave them idle, and read the server's RSS before and after. Then SIGTERM
# and check the graceful-shutdown path (exit 0, "graceful shutdown complete").
#
# Usage: sh bench/idle_conns.sh [BUILD_DIR] [N] [THREADS]   (build, 5000, 2)
# Prints "idle_conns: N=<n> rss_before=<kB> rss_after=<kB> per_conn=<bytes>".
# Not part of `make test` (it measures, it does not assert); it exits non-zero
# only when the server cannot be started or does not shut down cleanly.
B=${1:-build}
N=${2:-5000}
T=${3:-2}
BIN=$B/liter-llm
[ -x "$BIN" ] || { echo "idle_conns: $BIN not built (make)"; exit 2; }

need=$((N + 256))
[ "$(ulimit -n)" -ge "$need" ] 2>/dev/null || ulimit -n "$need" 2>/dev/null || {
	echo "idle_conns: cannot raise the fd limit to $need (hard limit $(ulimit -Hn))"; exit 2; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
: >"$tmp/liter-llm-proxy.toml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$BIN" --tokio-worker-threads "$T" api --config "$tmp/liter-llm-proxy.toml" \
	--host 127.0.0.1 --port "$port" 2>"$tmp/server.log" &
pid=$!

python3 - "$pid" "$port" "$N" <<'EOF'
import socket, sys, time

pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def rss_kb():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

deadline = time.time() + 10
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        break
    except OSError:
        if time.time() > deadline:
            print("idle_conns: server did not come up"); sys.exit(2)
        time.sleep(0.05)

time.sleep(0.3)
before = rss_kb()
req = b"GET /health/liveness HTTP/1.1\r\nHost: bench\r\n\r\n"
conns, failed = [], 0
t0 = time.time()
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(req)
        conns.append(s)
    except OSError:
        failed += 1
ok = 0
for s in conns:
    try:
        data = s.recv(4096)
        ok += data.startswith(b"HTTP/1.1 200")
    except OSError:
        pass
t1 = time.time()
time.sleep(0.5)
after = rss_kb()
per = (after - before) * 1024 / max(len(conns), 1)
print(f"idle_conns: N={len(conns)} ok={ok} failed={failed} setup={t1 - t0:.2f}s "
      f"rss_before={before}kB rss_after={after}kB per_conn={per:.0f}B")
for s in conns:
    s.close()
EOF
rc=$?

kill -TERM "$pid" 2>/dev/null
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait "$pid"
st=$?
grep -q "graceful shutdown complete" "$tmp/server.log" && g=yes || g=no
echo "idle_conns: shutdown exit=$st graceful=$g"
[ $rc = 0 ] && [ $st = 0 ] && [ $g = yes ]
