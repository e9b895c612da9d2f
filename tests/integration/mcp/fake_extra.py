#!/usr/bin/env python3
"""Small fake upstream for tests/integration/mcp.sh: the routes that
api/fake_upstream.py does not serve (search, ocr, audio transcriptions) and a
slow chat ("slow" sleeps 3 s). Records the requests; GET /__log returns them.
usage: fake_extra.py PORTFILE"""
import json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK

FILES = {}
SEQ = [0]


def batch(bid, status="in_progress", extra=None):
    b = {"id": bid, "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-fake-1",
         "completion_window": "24h", "status": status, "created_at": 1700000000}
    b.update(extra or {})
    return b


def response(rid, status, model="gpt-4o"):
    return {"id": rid, "object": "response", "created_at": 1700000000, "status": status, "model": model,
            "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": "Hi", "annotations": []}]}]}


class H(fakehttp.Handler):
    def do_GET(self):
        if self.path == "/__log":
            return self.send_log()
        self.record(path=self.path, method="GET")
        p, _, q = self.path.partition("?")
        parts = p.split("/")
        if p == "/v1/files":
            with LOCK:
                data = [f["obj"] for f in FILES.values()]
            return self.send_json(200, {"object": "list", "data": data, "has_more": False, "x_query": q})
        if p.startswith("/v1/files/") and len(parts) in (4, 5):
            with LOCK:
                f = FILES.get(parts[3])
            if not f:
                return self.send_json(404, {"error": {"message": "No such File object: " + parts[3]}})
            if len(parts) == 5 and parts[4] == "content":
                return self.send_raw(200, "application/octet-stream", f["data"])
            return self.send_json(200, f["obj"])
        if p == "/v1/batches":
            return self.send_json(200, {"object": "list", "data": [batch("batch_1")], "has_more": False, "x_query": q})
        if p.startswith("/v1/batches/") and len(parts) == 4:
            return self.send_json(200, batch(parts[3]))
        if p.startswith("/v1/responses/") and len(parts) == 4:
            return self.send_json(200, response(parts[3], "completed"))
        self.send_json(404, {"error": {"message": "no such path"}})

    def do_DELETE(self):
        self.record(path=self.path, method="DELETE")
        parts = self.path.split("/")
        if self.path.startswith("/v1/files/") and len(parts) == 4:
            with LOCK:
                gone = FILES.pop(parts[3], None)
            return self.send_json(200, {"id": parts[3], "object": "file", "deleted": gone is not None})
        self.send_json(404, {"error": {"message": "no such path"}})

    def upload(self, raw, ct):
        form = fakehttp.form_parts(ct, raw)
        if form is None:
            return self.send_json(400, {"error": {"message": "expected multipart, got " + ct}})
        fields, data, fname = form
        data = data or b""
        with LOCK:
            SEQ[0] += 1
            fid = "file-fake-%d" % SEQ[0]
            obj = {"id": fid, "object": "file", "bytes": len(data), "created_at": 1700000000, "filename": fname,
                   "purpose": fields.get("purpose"), "status": "processed"}
            FILES[fid] = {"obj": obj, "data": data}
        return self.send_json(200, obj)

    def do_POST(self):
        raw = self.read_body()
        ct = self.headers.get("Content-Type", "")
        try:
            body = json.loads(raw) if ct.startswith("application/json") else None
        except Exception:
            body = None
        self.record(path=self.path, ctype=ct, body=body, raw_len=len(raw))
        p = self.path
        if p == "/v1/files":
            return self.upload(raw, ct)
        if p == "/v1/batches":
            return self.send_json(200, batch("batch_1", "validating", {"input_file_id": (body or {}).get("input_file_id")}))
        if p.startswith("/v1/batches/") and p.endswith("/cancel"):
            return self.send_json(200, batch(p.split("/")[3], "cancelling"))
        if p == "/v1/responses":
            return self.send_json(200, response("resp_1", "completed", (body or {}).get("model", "")))
        if p.startswith("/v1/responses/") and p.endswith("/cancel"):
            return self.send_json(200, response(p.split("/")[3], "cancelled"))
        if p.endswith("/images/generations"):
            return self.send_json(200, {"created": 1700000000, "data": [{"url": "https://example.invalid/cat.png"}]})
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


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
