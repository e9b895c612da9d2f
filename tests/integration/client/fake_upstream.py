#!/usr/bin/env python3
"""fake_upstream.py — scripted HTTP/1.1 upstream for tests/integration/http_client.sh
(Python 3 stdlib only). Listens on 127.0.0.1 (or --host) on an ephemeral port,
writes the port to --port-file, and keeps counters in --stats (rewritten after
every accept/request: "accepts=N requests=M"). With --tls CERT KEY it speaks
TLS. One thread per connection, keep-alive unless the script says otherwise.

Paths (query ignored):
  /cl          200, Content-Length: 5, "hello"
  /chunked     200, chunked "hello world" (with an extension and a trailer)
  /eof         200, no length, body until close
  /trickle     200, chunked, 5 chunks "abcd" 100 ms apart
  /closeidle   200 "ok" (keep-alive), then closes the idle connection 100 ms later
  /dropsecond  200 "ok" on the first request of a connection; closes the
               connection without an answer on any later one
  /silent      reads the request, never answers
  /stall       head + 3 of 100 body bytes, then nothing
  /malformed   "HTTP/1.1 2x0 OK"
  /truncchunk  chunked "hello" then close without the last chunk
  /trunc       Content-Length: 10, 4 bytes, close
  /headers     200, the request head as the body
  /100         "100 Continue" then 200 "ok"
  anything else 404
"""
import argparse
import os
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from fakehttp import write_port_file

lock = threading.Lock()
counts = {"accepts": 0, "requests": 0}
args = None


def bump(k):
    with lock:
        counts[k] += 1
        if args.stats:
            tmp = args.stats + ".tmp"
            with open(tmp, "w") as f:
                f.write("accepts=%d requests=%d\n" % (counts["accepts"], counts["requests"]))
            os.replace(tmp, args.stats)


def read_request(sock, buf):
    """Returns (head_bytes, body, rest) or None at EOF."""
    while b"\r\n\r\n" not in buf:
        try:
            d = sock.recv(65536)
        except (ConnectionError, ssl.SSLError, OSError):
            return None
        if not d:
            return None
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    cl = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            cl = int(v.strip())
    while len(rest) < cl:
        d = sock.recv(65536)
        if not d:
            return None
        rest += d
    return head + b"\r\n\r\n", rest[:cl], rest[cl:]


def handle(sock):
    buf = b""
    nreq = 0
    try:
        while True:
            r = read_request(sock, buf)
            if r is None:
                return
            head, body, buf = r
            nreq += 1
            bump("requests")
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
            if path.startswith("http://"):   # absolute-form (a proxy that did not rewrite)
                path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
            method = parts[0]
            send = sock.sendall
            if path == "/cl":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n" + (b"" if method == "HEAD" else b"hello"))
            elif path == "/chunked":
                send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
            elif path == "/eof":
                send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nclose-delimited body")
                return
            elif path == "/trickle":
                send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for _ in range(5):
                    time.sleep(0.1)
                    send(b"4\r\nabcd\r\n")
                send(b"0\r\n\r\n")
            elif path == "/closeidle":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                time.sleep(0.1)
                return
            elif path == "/dropsecond":
                if nreq > 1:
                    return
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            elif path == "/silent":
                time.sleep(30)
                return
            elif path == "/stall":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
                time.sleep(30)
                return
            elif path == "/malformed":
                send(b"HTTP/1.1 2x0 OK\r\n\r\n")
                return
            elif path == "/truncchunk":
                send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
                return
            elif path == "/trunc":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd")
                return
            elif path == "/headers":
                send(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(head) + head)
            elif path == "/100":
                send(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            else:
                send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            if b"\r\nconnection: close" in head.lower():
                return
    except (ConnectionError, ssl.SSLError, OSError):
        return
    finally:
        try:
            sock.close()
        except OSError:
            pass


def serve_one(sock, ctx):
    if ctx is not None:
        try:
            sock.settimeout(10)
            sock = ctx.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        except (ssl.SSLError, OSError):
            sock.close()
            return
    handle(sock)


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port-file", required=True)
    p.add_argument("--stats")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = p.parse_args()
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
    fam = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.host, 0))
    ls.listen(128)
    if args.stats:
        with open(args.stats, "w") as f:
            f.write("accepts=0 requests=0\n")
    write_port_file(args.port_file, "%d\n" % ls.getsockname()[1])
    while True:
        s, _ = ls.accept()
        bump("accepts")
        threading.Thread(target=serve_one, args=(s, ctx), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
