#!/usr/bin/env python3
"""bench/idle_conns.py — memory of the server with many idle keep-alive
connections (run by bench/http_bench.sh; not a test).

    idle_conns.py --port PORT --pid PID [--conns 10000] [--host 127.0.0.1]

Opens CONNS connections, makes one GET /hello on each (so each one is a
real keep-alive connection that has served a request), keeps them all open
and idle, then reports the server's resident memory (VmRSS of PID) before
and after, per connection, and checks that every connection still works.
Target: total RSS < 40 MB at 10,000 connections. Raises RLIMIT_NOFILE."""
import selectors
import socket
import sys
import time

import benchlib

a = benchlib.args(
    ("--pid", dict(type=int, required=True)),
    ("--conns", dict(type=int, default=10000)),
)
benchlib.raise_nofile(a.conns)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


REQ = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
rss0 = rss_kb(a.pid)
t0 = time.time()
socks = []
sel = selectors.DefaultSelector()
pending = {}
BATCH = 500
answered = 0
for start in range(0, a.conns, BATCH):
    batch = []
    for _ in range(min(BATCH, a.conns - start)):
        s = socket.create_connection((a.host, a.port), timeout=10)
        s.setblocking(False)
        s.send(REQ)
        batch.append(s)
        pending[s] = b""
        sel.register(s, selectors.EVENT_READ)
    deadline = time.time() + 20
    while pending and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            d = s.recv(4096)
            pending[s] += d
            if pending[s].endswith(b"hello") or not d:
                sel.unregister(s)
                ok = pending.pop(s).endswith(b"hello")
                answered += ok
    socks.extend(batch)
setup = time.time() - t0
time.sleep(1.0)
rss1 = rss_kb(a.pid)

# every idle connection still works (a second request on a sample)
sample = socks[:: max(1, len(socks) // 200)]
alive = 0
for s in sample:
    s.setblocking(True)
    s.settimeout(10)
    try:
        s.sendall(REQ)
        buf = b""
        while not buf.endswith(b"hello"):
            d = s.recv(4096)
            if not d:
                break
            buf += d
        alive += buf.endswith(b"hello")
    except OSError:
        pass

print("connections opened:      %d (answered %d) in %.1f s" % (len(socks), answered, setup))
print("server RSS before:       %.1f MB" % (rss0 / 1024))
print("server RSS with idle:    %.1f MB   (target < 40 MB)  %s" %
      (rss1 / 1024, "ok" if rss1 < 40 * 1024 else "TARGET MISSED"))
print("per idle connection:     %.0f bytes" % ((rss1 - rss0) * 1024 / max(1, len(socks))))
print("sample still served:     %d/%d" % (alive, len(sample)))
for s in socks:
    s.close()
sys.exit(0 if answered == a.conns and alive == len(sample) else 1)
