#!/usr/bin/env python3
"""A small stdio-to-HTTP bridge for running the MCP conformance suite (an
HTTP client) against `liter-llm mcp` over stdio: each initialize starts a
fresh `liter-llm mcp --config CONFIG` child (its session), every POSTed
message is written to the child's stdin as one line and the answer with the
same id is read back from its stdout and returned as application/json;
notifications get 202. usage: stdio_bridge.py PORTFILE BINARY CONFIG"""
import json, os, queue, subprocess, sys, threading, uuid
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp

portfile, binary, cfg = sys.argv[1:4]
SESS = {}
LOCK = threading.Lock()


class Child:
    def __init__(self):
        self.p = subprocess.Popen([binary, "mcp", "--config", cfg], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.waiters = {}
        self.lock = threading.Lock()
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        for line in self.p.stdout:
            try:
                m = json.loads(line)
            except Exception:
                continue
            if isinstance(m, dict) and "id" in m and ("result" in m or "error" in m):
                with self.lock:
                    q = self.waiters.pop(json.dumps(m["id"]), None)
                if q:
                    q.put(line)

    def ask(self, msg, raw):
        q = None
        if isinstance(msg, dict) and "id" in msg and "method" in msg:
            q = queue.Queue()
            with self.lock:
                self.waiters[json.dumps(msg["id"])] = q
        self.p.stdin.write(raw.strip() + b"\n")
        self.p.stdin.flush()
        return q.get(timeout=30) if q else None


class H(fakehttp.Handler):
    def answer(self, status, body=b"", sid=None):
        self.send_raw(status, "application/json" if body else None, body, {"Mcp-Session-Id": sid} if sid else None)

    def do_GET(self):
        self.answer(405)

    def do_DELETE(self):
        with LOCK:
            c = SESS.pop(self.headers.get("Mcp-Session-Id", ""), None)
        if c:
            c.p.stdin.close()
        self.answer(200 if c else 404)

    def do_POST(self):
        raw = self.read_body()
        try:
            msg = json.loads(raw)
        except Exception:
            msg = None
        sid = self.headers.get("Mcp-Session-Id")
        new = isinstance(msg, dict) and msg.get("method") == "initialize"
        with LOCK:
            if new:
                sid = uuid.uuid4().hex
                SESS[sid] = Child()
            c = SESS.get(sid or "")
        if not c:
            return self.answer(404, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}')
        try:
            out = c.ask(msg, raw)
        except queue.Empty:
            return self.answer(504)
        self.answer(200 if out else 202, out.strip() if out else b"", sid if new else None)


fakehttp.serve(H, portfile)
