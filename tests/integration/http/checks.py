#!/usr/bin/env python3
"""Raw-socket and http.client checks against tests/integration/http/test_server.

    checks.py HOST PORT GROUP [SERVER_PID]

GROUP: protocol (bad inputs, pipelining, limits, disconnects),
       slowloris (server started with a short --header-timeout-ms),
       idle (server started with a short --idle-timeout-ms),
       maxconns (server started with --max-conns 2),
       wakeups (lost edge-triggered reads: the server process SERVER_PID is
       stopped with SIGSTOP while requests arrive in pieces, then continued;
       half-closes; bodies in a second segment; pipelining during a write).
Prints one line per check: "ok <name>" or "FAIL <name>: <why>".
Exit status 0 when every check passed. Python 3 stdlib only."""
import http.client
import os
import signal
import socket
import sys
import time

HOST, PORT, GROUP = sys.argv[1], int(sys.argv[2]), sys.argv[3]
FAILED = 0


def report(name, ok, why=""):
    global FAILED
    if ok:
        print("ok " + name, flush=True)
    else:
        FAILED += 1
        print("FAIL %s: %s" % (name, why), flush=True)


def dial(timeout=10.0):
    fam = socket.AF_INET6 if ":" in HOST else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((HOST, PORT))
    return s


class Reader:
    """Incremental reader of HTTP/1.1 responses from a raw socket."""

    def __init__(self, s):
        self.s, self.buf, self.eof = s, b"", False

    def more(self):
        try:
            d = self.s.recv(65536)
        except ConnectionResetError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def line(self):
        while b"\r\n" not in self.buf:
            if not self.more():
                raise EOFError("eof in line")
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            if not self.more():
                raise EOFError("eof in body")
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def response(self, head_req=False):
        while True:
            status_line = self.line()
            parts = status_line.split(b" ", 2)
            status = int(parts[1])
            hdrs = {}
            while True:
                ln = self.line()
                if not ln:
                    break
                k, v = ln.split(b":", 1)
                hdrs[k.strip().lower().decode()] = v.strip().decode()
            if status != 100:
                break
        body = b""
        if head_req or status in (204, 304):
            pass
        elif "content-length" in hdrs:
            body = self.exact(int(hdrs["content-length"]))
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    break
                body += self.exact(size)
                self.exact(2)
        else:
            while self.more():
                pass
            body, self.buf = self.buf, b""
        return status, hdrs, body

    def closed_within(self, secs):
        """True when the server closes (EOF/reset) within secs; data is kept."""
        self.s.settimeout(secs)
        try:
            while self.more():
                pass
            return True
        except socket.timeout:
            return False
        finally:
            self.s.settimeout(10.0)


def get_ok():
    c = http.client.HTTPConnection(HOST, PORT, timeout=10)
    c.request("GET", "/hello")
    r = c.getresponse()
    ok = r.status == 200 and r.read() == b"hello"
    c.close()
    return ok


def bad_input(name, raw, want):
    try:
        s = dial()
        s.sendall(raw)
        rd = Reader(s)
        status, hdrs, body = rd.response()
        ok = status == want and hdrs.get("connection", "").lower() == "close" and len(body) > 0
        why = "status %d (want %d), headers %r" % (status, want, hdrs)
        if ok:
            # nothing after the error is read as a request; the connection ends
            try:
                s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            except OSError:
                pass
            ok = rd.closed_within(5) and b"hello" not in rd.buf
            why = "connection not closed after the error response"
        s.close()
        if ok and not get_ok():
            ok, why = False, "server does not serve after the bad input"
        report(name, ok, why)
    except Exception as e:  # noqa: BLE001
        report(name, False, repr(e))


def protocol():
    host = b"Host: x\r\n"
    cases = [
        ("oversized_headers_431", b"GET /hello HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
        ("too_many_headers_431", b"GET /hello HTTP/1.1\r\n" + host + b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n", 431),
        ("uri_too_long_414", b"GET /" + b"u" * 9000 + b" HTTP/1.1\r\n" + host + b"\r\n", 414),
        ("http2_version_505", b"GET /hello HTTP/2.0\r\n" + host + b"\r\n", 505),
        ("invalid_method_400", b"G(T /hello HTTP/1.1\r\n" + host + b"\r\n", 400),
        ("nul_in_header_400", b"GET /hello HTTP/1.1\r\n" + host + b"X-A: a\x00b\r\n\r\n", 400),
        ("nul_in_target_400", b"GET /he\x00llo HTTP/1.1\r\n" + host + b"\r\n", 400),
        ("obs_fold_400", b"GET /hello HTTP/1.1\r\n" + host + b"X-A: a\r\n  folded\r\n\r\n", 400),
        ("cl_and_te_400", b"POST /echo HTTP/1.1\r\n" + host + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("duplicate_differing_cl_400", b"POST /echo HTTP/1.1\r\n" + host + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
        ("bad_chunk_size_400", b"POST /echo HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\nxyz\r\nabc\r\n0\r\n\r\n", 400),
        ("chunk_missing_crlf_400", b"POST /echo HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcde\r\n0\r\n\r\n", 400),
        ("unknown_coding_501", b"POST /echo HTTP/1.1\r\n" + host + b"Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("missing_host_400", b"GET /hello HTTP/1.1\r\n\r\n", 400),
        ("bad_percent_400", b"GET /hel%zzlo HTTP/1.1\r\n" + host + b"\r\n", 400),
        ("oversized_body_413", b"POST /echo HTTP/1.1\r\n" + host + b"Content-Length: 5000000\r\n\r\n" + b"x" * 1000, 413),
    ]
    for name, raw, want in cases:
        bad_input(name, raw, want)

    # chunked body over the limit while still sending
    try:
        s = dial()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        blk = b"10000\r\n" + b"z" * 65536 + b"\r\n"
        try:
            for _ in range(40):
                s.sendall(blk)
        except OSError:
            pass
        rd = Reader(s)
        st, h, _ = rd.response()
        report("oversized_chunked_body_413", st == 413 and rd.closed_within(8), "status %d" % st)
        s.close()
    except Exception as e:  # noqa: BLE001
        report("oversized_chunked_body_413", False, repr(e))

    # pipelining: answers in request order, a slow one in the middle
    try:
        s = dial()
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /slow?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping"
                  b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        rd = Reader(s)
        bodies = [rd.response()[2] for _ in range(4)]
        ok = bodies == [b"hello", b"slow done", b"ping", b"hello"] and rd.closed_within(5)
        report("pipelined_in_order", ok, repr(bodies))
        s.close()
    except Exception as e:  # noqa: BLE001
        report("pipelined_in_order", False, repr(e))

    # http.client keep-alive: several requests on one connection
    try:
        c = http.client.HTTPConnection(HOST, PORT, timeout=10)
        ok = True
        for i in range(20):
            body = b"x" * i * 100
            c.request("POST", "/echo", body=body, headers={"Content-Type": "text/plain"})
            r = c.getresponse()
            ok = ok and r.status == 200 and r.read() == body
        sock_before = c.sock
        c.request("GET", "/hello")
        r = c.getresponse()
        ok = ok and r.read() == b"hello" and c.sock is sock_before
        c.close()
        report("http_client_keepalive", ok)
    except Exception as e:  # noqa: BLE001
        report("http_client_keepalive", False, repr(e))

    # streaming response read incrementally
    try:
        c = http.client.HTTPConnection(HOST, PORT, timeout=10)
        c.request("GET", "/stream?n=4&ms=50")
        r = c.getresponse()
        data = r.read()
        ok = r.status == 200 and r.getheader("Transfer-Encoding") == "chunked" and \
            data == b"data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\n"
        c.close()
        report("stream_chunked", ok, repr(data))
    except Exception as e:  # noqa: BLE001
        report("stream_chunked", False, repr(e))

    # client disconnect mid-stream: the server cancels and keeps serving
    try:
        s = dial()
        s.sendall(b"GET /stream?n=100&ms=20 HTTP/1.1\r\nHost: x\r\n\r\n")
        rd = Reader(s)
        rd.more()
        s.close()
        time.sleep(0.3)
        report("client_disconnect_mid_stream", get_ok(), "server not serving")
    except Exception as e:  # noqa: BLE001
        report("client_disconnect_mid_stream", False, repr(e))

    # client disconnect while the handler waits
    try:
        s = dial()
        s.sendall(b"GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)
        s.close()
        time.sleep(0.4)
        report("client_disconnect_while_waiting", get_ok(), "server not serving")
    except Exception as e:  # noqa: BLE001
        report("client_disconnect_while_waiting", False, repr(e))

    # HEAD: no body, Content-Length of the GET
    try:
        s = dial()
        s.sendall(b"HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        rd = Reader(s)
        st1, h1, b1 = rd.response(head_req=True)
        st2, h2, b2 = rd.response()
        report("head_no_body", st1 == 200 and h1.get("content-length") == "5" and b2 == b"hello",
               "%r %r" % (h1, b2))
        s.close()
    except Exception as e:  # noqa: BLE001
        report("head_no_body", False, repr(e))

    # Date and Server headers
    try:
        c = http.client.HTTPConnection(HOST, PORT, timeout=10)
        c.request("GET", "/hello")
        r = c.getresponse()
        r.read()
        d = r.getheader("Date") or ""
        report("date_server_headers", d.endswith(" GMT") and len(d) == 29 and r.getheader("Server") == "liter-llm",
               "%r %r" % (d, r.getheader("Server")))
        c.close()
    except Exception as e:  # noqa: BLE001
        report("date_server_headers", False, repr(e))


def slowloris():
    # a partial head: 408, then close
    try:
        s = dial()
        t0 = time.time()
        s.sendall(b"GET /hello HTTP/1.1\r\nHos")
        rd = Reader(s)
        st, h, b = rd.response()
        el = time.time() - t0
        ok = st == 408 and h.get("connection") == "close" and rd.closed_within(5) and 0.2 < el < 10
        report("slowloris_408_then_close", ok, "status %d after %.2fs" % (st, el))
        s.close()
    except Exception as e:  # noqa: BLE001
        report("slowloris_408_then_close", False, repr(e))
    # trickling one byte at a time does not extend the deadline
    try:
        s = dial()
        t0 = time.time()
        got = None
        for ch in b"GET /hello HTTP/1.1\r\nX-Slow: " + b"a" * 200:
            try:
                s.sendall(bytes([ch]))
            except OSError:
                break
            time.sleep(0.05)
            s.setblocking(False)
            try:
                got = s.recv(65536)
            except BlockingIOError:
                got = None
            finally:
                s.setblocking(True)
                s.settimeout(10)
            if got is not None:
                break
            if time.time() - t0 > 8:
                break
        ok = got is not None and got.startswith(b"HTTP/1.1 408 ")
        report("slowloris_trickle_408", ok, "got %r after %.2fs" % (got, time.time() - t0))
        s.close()
    except Exception as e:  # noqa: BLE001
        report("slowloris_trickle_408", False, repr(e))
    report("serves_after_slowloris", get_ok())


def idle():
    try:
        s = dial()
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        rd = Reader(s)
        st, h, b = rd.response()
        t0 = time.time()
        closed = rd.closed_within(10)
        el = time.time() - t0
        ok = st == 200 and closed and rd.buf == b"" and 0.2 < el < 10
        report("idle_keepalive_closed_silently", ok, "closed=%r after %.2fs, extra %r" % (closed, el, rd.buf))
        s.close()
    except Exception as e:  # noqa: BLE001
        report("idle_keepalive_closed_silently", False, repr(e))


def maxconns():
    """Server started with --max-conns 2: a third connection gets 503 and is closed."""
    try:
        held = [dial(), dial()]
        for h in held:
            h.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            Reader(h).response()
        s = dial()
        s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        rd = Reader(s)
        st, h, b = rd.response()
        ok = st == 503 and h.get("connection") == "close" and rd.closed_within(5)
        report("max_conns_503", ok, "status %d" % st)
        s.close()
        for h in held:
            h.close()
        time.sleep(0.3)
        report("serves_after_max_conns", get_ok())
    except Exception as e:  # noqa: BLE001
        report("max_conns_503", False, repr(e))


WAKE = 3.0  # an answer or a close must come within this (server timeouts: 10 s head, 75 s idle)
GET = b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"


def post(body):
    return b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def pieces(s, data, cuts, pause=0.02):
    at = 0
    for c in list(cuts) + [len(data)]:
        if c > at:
            s.sendall(data[at:c])
            at = c
        if c < len(data):
            time.sleep(pause)


def answers(rd, want):
    """Each expected body in order, every response 200 within WAKE seconds."""
    rd.s.settimeout(WAKE)
    for i, body in enumerate(want):
        st, h, b = rd.response()
        if st != 200 or b != body:
            return "response %d: status %d, %d bytes" % (i, st, len(b))
    return ""


def eof_within(rd):
    n = len(rd.buf)
    return rd.closed_within(WAKE) and len(rd.buf) == n


def wake_check(name, fn):
    try:
        why = fn()
        report(name, not why, why)
    except Exception as e:  # noqa: BLE001
        report(name, False, repr(e))


class Stopped:
    """with Stopped(pid): the server process is stopped inside, continued after."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        os.kill(self.pid, signal.SIGSTOP)

    def __exit__(self, *a):
        time.sleep(0.02)
        os.kill(self.pid, signal.SIGCONT)


def warm(sndbuf=1 << 20):
    """An accepted, watched keep-alive connection (one request answered)."""
    s = dial()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rd = Reader(s)
    s.sendall(GET)
    return s, rd, answers(rd, [b"hello"])


def wakeups():
    pid = int(sys.argv[4])
    body = bytes((i * 7 + i // 251) % 26 + 97 for i in range(60000))

    def stopped_new_conn():
        with Stopped(pid):
            s = dial()
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pieces(s, GET, [4, 17, 30])
        why = answers(Reader(s), [b"hello"])
        s.close()
        return why

    def stopped_pipelined():
        s, rd, why = warm()
        if why:
            return why
        many = GET * 1000
        req = post(body)
        with Stopped(pid):
            pieces(s, GET, [4, 17, 30])
            pieces(s, req, [10, req.index(b"\r\n\r\n") + 4, len(req) // 2])
            pieces(s, many, [7, len(many) // 2])
        why = answers(rd, [b"hello", body] + [b"hello"] * 1000)
        s.close()
        return why

    def stopped_then_half_close():
        s, rd, why = warm()
        if why:
            return why
        with Stopped(pid):
            pieces(s, GET, [4, 17, 30])
            s.sendall(post(b"hi"))
            s.shutdown(socket.SHUT_WR)
        why = answers(rd, [b"hello", b"hi"]) or ("" if eof_within(rd) else "no close after the end of stream")
        s.close()
        return why

    def stopped_partial_half_close(req):
        def f():
            s, rd, why = warm()
            if why:
                return why
            with Stopped(pid):
                pieces(s, req, [len(req) // 2])
                s.shutdown(socket.SHUT_WR)
            why = "" if eof_within(rd) else "not closed at once (%d bytes: %r)" % (len(rd.buf), rd.buf[:60])
            s.close()
            return why
        return f

    def half_close():
        s = dial()
        rd = Reader(s)
        s.sendall(GET + post(b"abc"))
        s.shutdown(socket.SHUT_WR)
        why = answers(rd, [b"hello", b"abc"]) or ("" if eof_within(rd) else "no close after the end of stream")
        s.close()
        return why

    def body_second_segment():
        s, rd, why = warm()
        if why:
            return why
        for b in (b"x", body):
            req = post(b)
            h = req.index(b"\r\n\r\n") + 4
            s.sendall(req[:h])
            time.sleep(0.05)
            s.sendall(req[h:] + GET)
            why = answers(rd, [b, b"hello"])
            if why:
                break
        s.close()
        return why

    def pipelined_while_writing():
        s = dial()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        rd = Reader(s)
        s.sendall(b"GET /big?n=4000000 HTTP/1.1\r\nHost: x\r\n\r\n")
        rd.more()
        time.sleep(0.05)
        pieces(s, GET, [10])
        st, h, b = rd.response()
        why = "" if st == 200 and len(b) == 4000000 else "big: status %d, %d bytes" % (st, len(b))
        why = why or answers(rd, [b"hello"])
        s.close()
        return why

    wake_check("wakeup_stopped_new_connection", stopped_new_conn)
    wake_check("wakeup_stopped_pieces_body_pipeline", stopped_pipelined)
    wake_check("wakeup_stopped_then_half_close", stopped_then_half_close)
    wake_check("wakeup_stopped_partial_head_half_close", stopped_partial_half_close(b"GET /hello HTTP/1.1\r\nHo"))
    wake_check("wakeup_stopped_partial_body_half_close",
               stopped_partial_half_close(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"))
    wake_check("wakeup_half_close_after_requests", half_close)
    wake_check("wakeup_body_in_second_segment", body_second_segment)
    wake_check("wakeup_pipelined_while_writing", pipelined_while_writing)
    report("serves_after_wakeups", get_ok())


{"protocol": protocol, "slowloris": slowloris, "idle": idle, "maxconns": maxconns,
 "wakeups": wakeups}[GROUP]()
sys.exit(1 if FAILED else 0)
