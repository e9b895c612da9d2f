#!/usr/bin/env python3
"""fake_proxy.py — a small forward proxy for tests/integration/http_client.sh
(Python 3 stdlib only): CONNECT tunnels and absolute-form plain-HTTP requests.
Listens on 127.0.0.1, writes its port to --port-file and appends one line per
request to --log:  "CONNECT host:port auth=<ok|none|bad>" or
"GET http://host:port/path auth=<...>". With --auth user:password, requests
without the right "Proxy-Authorization: Basic" get 407. Absolute-form
requests are forwarded in origin-form (Proxy-Authorization removed,
"Connection: close" added) and the answer is relayed until the upstream
closes; then the client connection is closed too."""
import argparse
import base64
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from fakehttp import pipe, write_port_file

args = None
lock = threading.Lock()


def log(line):
    with lock:
        with open(args.log, "a") as f:
            f.write(line + "\n")


def read_head(sock):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(65536)
        if not d:
            return None, b""
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def handle(c):
    try:
        head, rest = read_head(c)
        if head is None:
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        hdrs = []
        auth = "none"
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            if k.strip().lower() == "proxy-authorization":
                want = "Basic " + base64.b64encode(args.auth.encode()).decode() if args.auth else None
                auth = "ok" if v.strip() == want else "bad"
                continue
            hdrs.append(ln)
        log("%s %s auth=%s" % (method, target, auth))
        if args.auth and auth != "ok":
            c.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                      b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            host = host.strip("[]")
            try:
                u = socket.create_connection((host, int(port)), timeout=5)
            except OSError:
                c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            u.settimeout(None)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                u.sendall(rest)
            pipe(c, u, idle=30)
            u.close()
            return
        if not target.startswith("http://"):
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        hostport, _, path = target[7:].partition("/")
        host, _, port = hostport.rpartition(":")
        if not host:
            host, port = hostport, "80"
        u = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
        hdrs = [h for h in hdrs if h.split(":", 1)[0].strip().lower() != "connection"]
        req = "%s /%s HTTP/1.1\r\n%s\r\nConnection: close\r\n\r\n" % (method, path, "\r\n".join(hdrs))
        u.sendall(req.encode("latin-1") + rest)
        while True:
            d = u.recv(65536)
            if not d:
                break
            c.sendall(d)
        u.close()
    except (OSError, ValueError):
        pass
    finally:
        c.close()


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--auth")
    args = p.parse_args()
    open(args.log, "a").close()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    write_port_file(args.port_file, "%d\n" % ls.getsockname()[1])
    while True:
        s, _ = ls.accept()
        threading.Thread(target=handle, args=(s,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
