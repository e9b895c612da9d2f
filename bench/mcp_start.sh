#!/bin/sh
# bench/mcp_start.sh — cold-start latency of `liter-llm mcp` over stdio: the
# time from process start until the answers to initialize and tools/list have
# been read back (21 runs, median reported; not a timed test).
#   usage: sh bench/mcp_start.sh [binary] [runs] [config]
BIN=${1:-build/liter-llm}
RUNS=${2:-21}
CFG=${3:-}
exec python3 - "$BIN" "$RUNS" "$CFG" <<'PY'
import os, subprocess, sys, time, statistics
binary, runs, cfg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
args = [binary, "mcp"] + (["--config", cfg] if cfg else [])
init = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}\n'
rest = b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n'
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    p.stdin.write(init + rest)
    buf = b""
    while buf.count(b"\n") < 2:
        chunk = os.read(p.stdout.fileno(), 1 << 16)
        if not chunk:
            break
        buf += chunk
    t1 = time.perf_counter()
    p.stdin.close()
    p.wait()
    assert buf.count(b"\n") >= 2 and b'"tools"' in buf, buf[:200]
    times.append((t1 - t0) * 1000)
times.sort()
print("mcp stdio cold start (initialize + tools/list answered), %d runs: median %.2f ms, min %.2f ms, max %.2f ms"
      % (runs, statistics.median(times), times[0], times[-1]))
PY
