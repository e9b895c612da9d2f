#!/usr/bin/env python3
"""Fake OpenAI-compatible upstream for tests/integration/api.sh (stdlib only).
Records every request (path, headers, body) and serves canned answers; some
model names trigger special behaviour (errors, dropped or endless streams).
GET /__log returns the records; GET /__events returns observed disconnects.
usage: fake_upstream.py PORTFILE"""
import base64, json, struct, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, EVENTS = [], []
COUNT = {"endless": 0}
LOCK = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, extra=None):
        try:
            self._send_json(status, obj, extra)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the gateway gave up on this request (timeout test)

    def _send_json(self, status, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/__log":
            with LOCK:
                return self.send_json(200, LOG)
        if self.path == "/__count":
            with LOCK:
                return self.send_json(200, COUNT)
        if self.path == "/__events":
            with LOCK:
                return self.send_json(200, EVENTS)
        self.send_json(404, {"error": {"message": "no such path"}})

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def sse(self, obj):
        self.chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except Exception:
            body = None
        with LOCK:
            LOG.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        model = (body or {}).get("model", "")
        p = self.path
        if model == "err-429":
            return self.send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": "7"})
        if model == "err-ctx":
            return self.send_json(400, {"error": {"message": "This model's maximum context length is 8192 tokens", "code": "context_length_exceeded"}})
        if model == "hang":
            time.sleep(4)
        if model == "err-502":
            return self.send_json(502, {"error": {"message": "bad gateway upstream"}})
        if p.endswith("/chat/completions"):
            cid = "chatcmpl-fake"
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                base = {"id": cid, "object": "chat.completion.chunk", "created": 1700000000, "model": model}
                if model == "endless":
                    i = 0
                    try:
                        while True:
                            self.sse(dict(base, choices=[{"index": 0, "delta": {"content": "x" * 16000}, "finish_reason": None}]))
                            i += 1
                            with LOCK:
                                COUNT["endless"] = i
                            time.sleep(0.001)
                    except Exception:
                        with LOCK:
                            EVENTS.append({"closed": "endless", "chunks": i})
                    return
                self.sse(dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}]))
                time.sleep(0.05)
                if model == "drop":
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    self.close_connection = True
                    return
                # one event split across two chunks
                ev = b"data: " + json.dumps(dict(base, choices=[{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}])).encode() + b"\n\n"
                self.chunk(ev[:10])
                time.sleep(0.02)
                self.chunk(ev[10:])
                self.chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
                return
            return self.send_json(200, {"id": cid, "object": "chat.completion", "created": 1700000000, "model": model,
                                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from fake"}, "finish_reason": "stop"}],
                                        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6, "completion_tokens_details": {"reasoning_tokens": 1}},
                                        "x_passthrough": True})
        if p.endswith("/embeddings"):
            vec = [0.5, -1.25, 2.0]
            inputs = body.get("input")
            k = len(inputs) if isinstance(inputs, list) else 1
            if body.get("encoding_format") == "base64":
                emb = base64.b64encode(struct.pack("<3f", *vec)).decode()
            else:
                emb = vec
            return self.send_json(200, {"object": "list", "model": model, "data": [{"object": "embedding", "index": i, "embedding": emb} for i in range(k)],
                                        "usage": {"prompt_tokens": 2, "total_tokens": 2}})
        if p.endswith("/images/generations"):
            return self.send_json(200, {"created": 1700000000, "data": [{"url": "https://example.invalid/cat.png", "revised_prompt": "a cat"}]})
        if p.endswith("/moderations"):
            return self.send_json(200, {"id": "modr-1", "model": model, "results": [{"flagged": False, "categories": {"hate": False}, "category_scores": {"hate": 0.01}}]})
        if p.endswith("/audio/speech"):
            data = b"ID3\x04fake-mp3-bytes\x00\xff"
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if p.endswith("/rerank"):
            return self.send_json(200, {"id": "r1", "results": [{"index": 0, "relevance_score": 0.9}]})
        self.send_json(404, {"error": {"message": "unknown path " + p}})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
