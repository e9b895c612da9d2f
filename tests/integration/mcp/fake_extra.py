#!/usr/bin/env python3
"""Small fake upstream for tests/integration/mcp.sh: the routes that
api/fake_upstream.py does not serve (search, ocr, audio transcriptions) and a
slow chat ("slow" sleeps 3 s). Records the requests; GET /__log returns them.
usage: fake_extra.py PORTFILE"""
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOCK = threading.Lock()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        if self.path == "/__log":
            with LOCK:
                return self.send_json(200, LOG)
        self.send_json(404, {"error": {"message": "no such path"}})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        ct = self.headers.get("Content-Type", "")
        try:
            body = json.loads(raw) if ct.startswith("application/json") else None
        except Exception:
            body = None
        with LOCK:
            LOG.append({"path": self.path, "ctype": ct, "body": body, "raw_len": len(raw)})
        p = self.path
        if p.endswith("/chat/completions"):
            if (body or {}).get("model") == "slow":
                time.sleep(1.5)
            return self.send_json(200, {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": "x",
                                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "slow hello"}, "finish_reason": "stop"}]})
        if p.endswith("/search"):
            return self.send_json(200, {"results": [{"title": "T", "url": "https://example.invalid/", "snippet": "S"}], "model": "search-m"})
        if p.endswith("/ocr"):
            return self.send_json(200, {"pages": [{"index": 0, "markdown": "# OCR text"}], "model": "ocr-m",
                                        "x_document": (body or {}).get("document")})
        if p.endswith("/audio/transcriptions"):
            return self.send_json(200, {"text": "transcribed words", "x_ctype": ct.split(";")[0]})
        self.send_json(404, {"error": {"message": "unknown path " + p}})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
