#!/usr/bin/env python3
"""fake.py — the loopback stand-ins of tests/integration/registry.sh (Python 3
stdlib only), in one process so they can share what they saw:

  proxy   a forward proxy on 127.0.0.1. "CONNECT host:443" is accepted for
          any host and tunnelled to the TLS fake (other ports: 403); an absolute-form request
          ("POST http://host:port/path") is relayed, connection and all, to
          the plain fake (which reads absolute-form). Every proxy connection
          is logged: {"kind":"connect"|"absolute","target":...,"head":...}.
  tls     an OpenAI-compatible fake behind TLS (--cert/--key: one certificate
          whose SAN lists every provider host of the test), reached only
          through the proxy; records the SNI the client sent.
  plain   the same fake over plain HTTP (reached directly for NO_PROXY and
          <PROVIDER>_BASE_URL overrides, or through the proxy in absolute-form).

The fakes read HTTP/1.1 requests (keep-alive; Content-Length or chunked
bodies) and log one JSON line per request BEFORE answering:
  {"kind":"request","scheme","via":"tunnel"|"absolute"|"direct","tunnel":
   "<CONNECT target of the tunnel that carried it>","sni","method","target",
   "path","headers":[[name,value]...],"body","resp_status","resp" (base64 of
   the exact response body bytes),"events" (SSE data payloads, streams)}
Which tunnel carried a request is known exactly: the proxy notes the local
port of its connection to the fake, the fake looks up its peer's port.
(Keyed by both ports: one ephemeral port can be in use towards both fakes.)

Answers, by path suffix: /chat/completions (JSON, or SSE when the body says
"stream": true), /embeddings, /models (GET); anything else 404. The bodies
are deliberately unusual (spacing, escapes, raw UTF-8, a number written
1.50e0) so that any re-serialisation by the gateway shows.

Usage: fake.py --ports FILE --log FILE --cert PEM --key PEM
FILE gets {"proxy":p,"tls":p,"plain":p} once all three listen."""
import argparse
import base64
import json
import os
import socket
import ssl
import sys
import threading
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from fakehttp import pipe, write_port_file

lock = threading.Lock()
via = {}          # (proxy-side port, fake port) of a proxy->fake connection -> (route, target)
logf = None
ports = {}
counter = [0]


def record(obj):
    line = json.dumps(obj, ensure_ascii=True)
    with lock:
        logf.write(line + "\n")
        logf.flush()


def next_id():
    with lock:
        counter[0] += 1
        return counter[0]


# ---- small HTTP reader -------------------------------------------------------------

class Reader:
    def __init__(self, sock, initial=b""):
        self.s = sock
        self.buf = initial

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                raise ValueError("head too big")
            self.fill()
        h, _, self.buf = self.buf.partition(b"\r\n\r\n")
        return h

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        ln, _, self.buf = self.buf.partition(b"\r\n")
        return ln


def parse_head(h):
    lines = h.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    hdrs = []
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs.append([k.strip(), v.strip()])
    return method, target, version, hdrs


def hget(hdrs, name):
    for k, v in hdrs:
        if k.lower() == name.lower():
            return v
    return None


def read_body(r, hdrs):
    te = hget(hdrs, "transfer-encoding")
    if te and "chunked" in te.lower():
        out = b""
        while True:
            size = int(r.line().split(b";")[0].strip(), 16)
            if size == 0:
                while r.line() != b"":
                    pass
                return out
            out += r.exact(size)
            r.exact(2)
    n = int(hget(hdrs, "content-length") or "0")
    return r.exact(n)


# ---- the OpenAI-compatible answers ---------------------------------------------------

def chat_body(model, tok, host):
    return ('{"id":"chatcmpl-%s",  "object":"chat.completion","created":1700000000,"model":%s,'
            '"choices":[{"index":0,"message":{"role":"assistant","content":"pong \\u00e9 \u2713 from %s"},'
            '"logprobs":null,"finish_reason":"stop"}],'
            '"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},'
            '"x_fake":{"n":1.50e0, "esc":"a\\/b"}}' % (tok, json.dumps(model), host)).encode("utf-8")


def chat_events(model, tok):
    m = json.dumps(model)
    return [
        '{"id":"chatcmpl-%s","object":"chat.completion.chunk","created":1700000000,"model":%s,'
        '"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}' % (tok, m),
        '{"id":"chatcmpl-%s","object":"chat.completion.chunk","created":1700000000,"model":%s,'
        '"choices":[{"index":0,"delta":{"content":"pong "},"finish_reason":null}]}' % (tok, m),
        '{"id":"chatcmpl-%s","object":"chat.completion.chunk","created":1700000000,"model":%s,'
        '"choices":[{"index":0,"delta":{"content":"\\u00e9 \u2713"},"finish_reason":null}]}' % (tok, m),
        '{"id":"chatcmpl-%s","object":"chat.completion.chunk","created":1700000000,"model":%s,'
        '"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],'
        '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}' % (tok, m),
    ]


def answer(rec, body):
    """Fill rec with the answer; return (status, content_type, body bytes | list of SSE payloads)."""
    path = rec["path"].split("?", 1)[0]
    try:
        req = json.loads(body.decode("utf-8")) if body else {}
    except ValueError:
        req = None
    host = rec.get("tunnel") or rec.get("host") or "?"
    tok = "%d" % rec["n"]
    if rec["method"] == "POST" and path.endswith("/chat/completions") and isinstance(req, dict):
        model = req.get("model", "")
        if req.get("stream") is True:
            ev = chat_events(model, tok)
            rec["events"] = ev
            return 200, "text/event-stream", ev
        return 200, "application/json", chat_body(model, tok, host)
    if rec["method"] == "POST" and path.endswith("/embeddings") and isinstance(req, dict):
        return 200, "application/json", (
            '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,1e-3]}],'
            '"model":%s ,"usage":{"prompt_tokens":2,"total_tokens":2}}' % json.dumps(req.get("model", ""))
        ).encode()
    if rec["method"] == "GET" and path.endswith("/models"):
        return 200, "application/json", b'{"object":"list","data":[{"id":"fake-model","object":"model",' \
            b'"created":0,"owned_by":"fake"}]}'
    return 404, "application/json", ('{"error":{"message":"fake: no route for %s %s","type":'
                                     '"invalid_request_error"}}' % (rec["method"], path)).encode()


def serve(sock, scheme, cid):
    try:
        # both ends: the same ephemeral port may be in use towards the TLS and the plain fake at once
        peer = (sock.getpeername()[1], sock.getsockname()[1])
        sni = getattr(sock, "sni_seen", None)
        r = Reader(sock)
        while True:
            try:
                h = r.head()
            except EOFError:
                return
            method, target, version, hdrs = parse_head(h)
            body = read_body(r, hdrs)
            with lock:
                route = via.get(peer)
            rec = {"kind": "request", "n": next_id(), "scheme": scheme, "conn": cid,
                   "via": route[0] if route else "direct", "tunnel": route[1] if route and route[0] == "tunnel" else None,
                   "sni": sni, "method": method, "target": target, "headers": hdrs,
                   "host": hget(hdrs, "host"), "body": body.decode("utf-8", "replace")}
            if target.startswith("http://") or target.startswith("https://"):
                u = urlsplit(target)
                rec["abs_url"] = target
                rec["path"] = u.path + ("?" + u.query if u.query else "")
            else:
                rec["path"] = target
            status, ctype, out = answer(rec, body)
            rec["resp_status"] = status
            reason = {200: "OK", 404: "Not Found"}.get(status, "X")
            if isinstance(out, list):
                record(rec)
                sock.sendall(("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nCache-Control: no-cache\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n" % (status, reason, ctype)).encode())
                frames = [b": fake keep-alive comment\n\n"]
                for i, p in enumerate(out):
                    # one payload without the optional space after "data:"
                    frames.append((("data:%s\n\n" if i == 1 else "data: %s\n\n") % p).encode("utf-8"))
                frames.append(b"data: [DONE]\n\n")
                for f in frames:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(f), f))
                    time.sleep(0.005)
                sock.sendall(b"0\r\n\r\n")
            else:
                rec["resp"] = base64.b64encode(out).decode()
                rec["resp_ctype"] = ctype
                record(rec)
                sock.sendall(("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                              % (status, reason, ctype, len(out))).encode() + out)
            if (hget(hdrs, "connection") or "").lower() == "close":
                return
    except (OSError, ValueError, EOFError, ssl.SSLError) as e:
        record({"kind": "error", "scheme": scheme, "conn": cid, "error": repr(e)})
    finally:
        try:
            sock.close()
        except OSError:
            pass


# ---- the proxy ---------------------------------------------------------------------------

def proxy_conn(c, cid):
    u = None
    try:
        r = Reader(c)
        h = r.head()
        method, target, _, hdrs = parse_head(h)
        if method == "CONNECT":
            record({"kind": "connect", "conn": cid, "target": target, "head": h.decode("latin-1")})
            if not target.endswith(":443"):
                # the usual corporate policy: tunnels to port 443 only
                c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            u = socket.create_connection(("127.0.0.1", ports["tls"]), timeout=5)
            u.settimeout(None)
            with lock:
                via[(u.getsockname()[1], ports["tls"])] = ("tunnel", target)
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        elif target.startswith("http://"):
            record({"kind": "absolute", "conn": cid, "target": target, "head": h.decode("latin-1")})
            u = socket.create_connection(("127.0.0.1", ports["plain"]), timeout=5)
            u.settimeout(None)
            with lock:
                via[(u.getsockname()[1], ports["plain"])] = ("absolute", urlsplit(target).netloc)
            u.sendall(h + b"\r\n\r\n")
        else:
            record({"kind": "proxy-refused", "conn": cid, "target": target})
            c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        if r.buf:
            u.sendall(r.buf)
        pipe(c, u)
    except (OSError, ValueError, EOFError) as e:
        record({"kind": "proxy-error", "conn": cid, "error": repr(e)})
    finally:
        for s in (c, u):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


# ---- listeners -------------------------------------------------------------------------------

def listener():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    return s


def accept_loop(ls, kind, ctx):
    while True:
        c, _ = ls.accept()
        cid = next_id()
        if kind == "proxy":
            threading.Thread(target=proxy_conn, args=(c, cid), daemon=True).start()
        elif kind == "tls":
            threading.Thread(target=tls_conn, args=(c, ctx, cid), daemon=True).start()
        else:
            threading.Thread(target=serve, args=(c, "http", cid), daemon=True).start()


def tls_conn(c, ctx, cid):
    c.settimeout(30)
    try:
        s = ctx.wrap_socket(c, server_side=True)
    except (OSError, ssl.SSLError) as e:
        record({"kind": "tls-error", "conn": cid, "error": repr(e)})
        c.close()
        return
    serve(s, "https", cid)


def main():
    global logf
    p = argparse.ArgumentParser()
    p.add_argument("--ports", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    a = p.parse_args()
    logf = open(a.log, "a")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)

    def sni_cb(sock, name, _ctx):
        sock.sni_seen = name
        return None
    ctx.sni_callback = sni_cb
    ls = {k: listener() for k in ("proxy", "tls", "plain")}
    for k, s in ls.items():
        ports[k] = s.getsockname()[1]
    for k, s in ls.items():
        threading.Thread(target=accept_loop, args=(s, k, ctx), daemon=True).start()
    write_port_file(a.ports, json.dumps(ports))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
