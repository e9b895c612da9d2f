#!/usr/bin/env python3
"""bench/slowloris.py — a normal client's latency while many connections
trickle request heads (run by bench/http_bench.sh; not a test).

    slowloris.py --port PORT [--conns 2000] [--secs 15] [--interval 0.5]

An attacker process keeps CONNS connections open, each sending one more
header byte every INTERVAL seconds (reconnecting when the server gives up on
one, e.g. 408 after its header timeout). Meanwhile this process makes a
GET /hello every 20 ms, alternating a fresh connection and a keep-alive one,
and reports p50/p99/max latency. Target: p99 < 100 ms. Raises RLIMIT_NOFILE."""
import multiprocessing as mp
import selectors
import socket
import time

import benchlib

a = benchlib.args(
    ("--conns", dict(type=int, default=2000)),
    ("--secs", dict(type=float, default=15)),
    ("--interval", dict(type=float, default=0.5)),
)
benchlib.raise_nofile(a.conns)

HEAD = b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000


def attacker(stop, stats):
    sel = selectors.DefaultSelector()
    conns = {}  # sock -> bytes sent

    def dial():
        try:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((a.host, a.port))
            conns[s] = 0
            sel.register(s, selectors.EVENT_READ)
            stats[0] += 1
        except OSError:
            pass

    for _ in range(a.conns):
        dial()
    next_round = time.time()
    while not stop.is_set():
        now = time.time()
        if now >= next_round:
            for s in list(conns):
                try:
                    s.send(HEAD[conns[s]:conns[s] + 1])
                    conns[s] += 1
                except BlockingIOError:
                    pass
                except OSError:
                    sel.unregister(s)
                    del conns[s]
                    s.close()
                    stats[1] += 1
                    dial()
            next_round = now + a.interval
        for key, _ in sel.select(timeout=max(0.0, min(0.05, next_round - time.time()))):
            s = key.fileobj
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if d.startswith(b"HTTP/1.1 408"):
                stats[2] += 1
            # an answer (408) or a close ends this attempt: start over
            sel.unregister(s)
            del conns[s]
            s.close()
            stats[1] += 1
            dial()
    stats[3] = len(conns)
    for s in conns:
        s.close()


REQ = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"


def one(sock):
    sock.sendall(REQ)
    buf = b""
    while not buf.endswith(b"hello"):
        d = sock.recv(4096)
        if not d:
            raise OSError("closed")
        buf += d


def main():
    stop = mp.Event()
    stats = mp.Array("l", 4)
    p = mp.Process(target=attacker, args=(stop, stats))
    p.start()
    time.sleep(min(5.0, 1.0 + a.conns / 1000))  # let the attack build up
    lat, errors = [], 0
    ka = None
    t_end = time.time() + a.secs
    i = 0
    while time.time() < t_end:
        i += 1
        t0 = time.perf_counter()
        try:
            if i % 2:
                s = socket.create_connection((a.host, a.port), timeout=5)
                one(s)
                s.close()
            else:
                if ka is None:
                    ka = socket.create_connection((a.host, a.port), timeout=5)
                one(ka)
            lat.append((time.perf_counter() - t0) * 1000)
        except OSError:
            errors += 1
            ka = None
        time.sleep(0.02)
    stop.set()
    p.join(10)
    lat.sort()
    n = len(lat)
    pct = lambda q: lat[min(n - 1, int(q * n))] if n else float("nan")  # noqa: E731
    print("attack connections:     %d (opened %d in total, %d got 408, %d reconnects)" %
          (a.conns, stats[0], stats[2], stats[1]))
    print("normal client requests: %d ok, %d errors" % (n, errors))
    print("latency p50 / p99 / max: %.2f / %.2f / %.2f ms   (target p99 < 100 ms)  %s" %
          (pct(0.5), pct(0.99), lat[-1] if n else float("nan"),
           "ok" if n and pct(0.99) < 100 and errors == 0 else "TARGET MISSED"))


if __name__ == "__main__":
    main()
