#!/usr/bin/env python3
"""Bad-input battery for `liter-llm mcp` (tests/integration/mcp.sh): raw
JSON-RPC messages over stdio (newline-delimited) or Streamable HTTP (POST
/mcp), checking each answer's error code and that the server keeps serving.
usage: battery.py stdio BINARY CONFIG MAX_BYTES
       battery.py http  URL    -      MAX_BYTES
Prints ok/FAIL lines and "N passed, N failed"."""
import json, os, select, subprocess, sys, time, urllib.request, urllib.error

mode, target, cfg, maxb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
P = F = 0


def ok(n, *_):
    global P
    P += 1
    print("ok [%s] %s" % (mode, n))


def fail(n, why):
    global F
    F += 1
    print("FAIL [%s] %s: %s" % (mode, n, str(why)[:400]))


class Stdio:
    def __init__(self):
        self.p = subprocess.Popen([target, "mcp", "--config", cfg], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.buf = b""

    def send(self, raw):
        self.p.stdin.write(raw + b"\n")
        self.p.stdin.flush()

    def recv(self, timeout=5.0):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def ask(self, raw, timeout=5.0):
        self.send(raw)
        return self.recv(timeout)

    def close(self):
        self.p.stdin.close()
        try:
            return self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


class Http:
    def __init__(self):
        self.sid = None

    def post(self, raw, headers=None):
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if self.sid:
            h["Mcp-Session-Id"] = self.sid
        h.update(headers or {})
        req = urllib.request.Request(target, data=raw, headers=h, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def ask(self, raw, timeout=5.0):
        st, hd, body = self.post(raw)
        sid = hd.get("Mcp-Session-Id") or hd.get("mcp-session-id")
        if sid:
            self.sid = sid
        if st == 202 or not body:
            return None
        if hd.get("Content-Type", "").startswith("text/event-stream"):
            for line in body.decode().splitlines():
                if line.startswith("data:"):
                    return json.loads(line[5:])
            return None
        return json.loads(body)

    def close(self):
        return 0


c = Stdio() if mode == "stdio" else Http()
INIT = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"battery","version":"1"}}}'


def expect_err(name, raw, code, sub=None, id_=None, check_id=False):
    try:
        r = c.ask(raw)
        if not r or "error" not in r:
            return fail(name, r)
        if r["error"]["code"] != code:
            return fail(name, r)
        if sub and sub not in r["error"]["message"]:
            return fail(name, r)
        if check_id and r.get("id") != id_:
            return fail(name, "id " + repr(r.get("id")))
        ok(name)
    except Exception as e:
        fail(name, repr(e))


def alive(name):
    try:
        r = c.ask(b'{"jsonrpc":"2.0","id":"alive","method":"ping"}')
        if r and r.get("result") == {} and r.get("id") == "alive":
            ok(name)
        else:
            fail(name, r)
    except Exception as e:
        fail(name, repr(e))


if mode == "stdio":
    expect_err("call before initialize -> -32600", b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}', -32600, "not initialized")
    alive("ping before initialize is served")
    if isinstance(c, Stdio):
        c.send(b"")
        c.send(b"   \t")
r = c.ask(INIT)
(ok if r and r.get("result", {}).get("serverInfo", {}).get("name") == "liter-llm" else fail)("initialize", r)
r = c.ask(b'{"jsonrpc":"2.0","method":"notifications/initialized"}', timeout=0.3)
(ok if r is None else fail)("initialized notification gets no answer", r)

expect_err("malformed JSON -> -32700", b'{"jsonrpc":"2.0","id":', -32700)
expect_err("not JSON at all -> -32700", b'hello there', -32700)
expect_err("invalid UTF-8 -> -32700", b'{"jsonrpc":"2.0","id":7,"method":"ping","x":"\xff\xfe"}', -32700)
expect_err("wrong jsonrpc version -> -32600", b'{"jsonrpc":"1.0","id":2,"method":"ping"}', -32600)
expect_err("missing jsonrpc -> -32600", b'{"id":2,"method":"ping"}', -32600)
expect_err("object id -> -32600", b'{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', -32600)
expect_err("array id -> -32600", b'{"jsonrpc":"2.0","id":[1],"method":"ping"}', -32600)
expect_err("boolean id -> -32600", b'{"jsonrpc":"2.0","id":true,"method":"ping"}', -32600)
expect_err("method not a string -> -32600", b'{"jsonrpc":"2.0","id":3,"method":5}', -32600)
expect_err("top-level number -> -32600", b'42', -32600)
expect_err("empty batch -> -32600", b'[]', -32600)
expect_err("batch under 2025-06-18 -> -32600", b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600)
expect_err("deeply nested -> -32600 (id echoed)", b'{"jsonrpc":"2.0","id":4,"method":"ping","params":' + b'[' * 100000 + b']' * 100000 + b'}', -32600, "nesting", 4, True)
expect_err("unknown method -> -32601", b'{"jsonrpc":"2.0","id":5,"method":"no/such"}', -32601, None, 5, True)
expect_err("unknown tool -> -32602", b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"nope","arguments":{}}}', -32602, "tool not found")
expect_err("tools/call without name -> -32602", b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{}}', -32602)
expect_err("arguments not an object -> -32602", b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"chat","arguments":[1]}}', -32602)
expect_err("wrong argument type -> -32602", b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"chat","arguments":{"model":1,"messages":[]}}}', -32602)
expect_err("u32 out of range -> -32602", b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"chat","arguments":{"model":"gpt-test","messages":[],"max_tokens":-1}}}', -32602)
expect_err("missing required argument -> -32602", b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"embed","arguments":{"model":"emb"}}}', -32602, "missing field `input`")
expect_err("documents not strings -> -32602", b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"rerank","arguments":{"model":"gpt-test","query":"q","documents":[1]}}}', -32602)
expect_err("invalid base64 file -> -32602", b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"create_file","arguments":{"file_base64":"!!!not base64!!!","filename":"a","purpose":"batch"}}}', -32602, "base64")
big = b'{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"create_file","arguments":{"file_base64":"' + b"QUFB" * (maxb // 4 + 10) + b'","filename":"a","purpose":"batch"}}}'
if mode == "stdio":
    expect_err("oversized base64 message -> -32600 too large (id echoed)", big, -32600, "too large", 11, True)
else:
    st, hd, body = c.post(big)
    (ok if st == 413 or (st == 200 and b"-32600" in body) else fail)("oversized base64 message -> 413 / -32600", (st, body[:200]))
alive("server still serving after oversize")
r = c.ask(b'{"jsonrpc":"2.0","method":"no/such/notification"}', timeout=0.3)
(ok if r is None else fail)("unknown notification gets no answer", r)
r = c.ask(b'{"jsonrpc":"2.0","id":12,"result":{}}', timeout=0.3)
(ok if r is None else fail)("client response gets no answer", r)
expect_err("null params -> -32600", b'{"jsonrpc":"2.0","id":13,"method":"tools/call","params":null}', -32600, None, 13, True)
expect_err("string id echoed", b'{"jsonrpc":"2.0","id":"abc","method":"no/such"}', -32601, None, "abc", True)
alive("server still serving at the end")
rc = c.close()
if mode == "stdio":
    (ok if rc == 0 else fail)("exit 0 on EOF", rc)
print("%d passed, %d failed" % (P, F))
sys.exit(1 if F else 0)
