#!/usr/bin/env python3
"""Fake OpenAI files/batches provider for tests/integration/files.sh (python3
stdlib, 127.0.0.1 only): multipart uploads (file part + purpose field) kept in
memory under ids "file-prov-N", retrieve / content / delete / list, batches
that must name one of its own files, and a provider-made file
"file-prov-output" (a batch output) that exists from the start. Every request
is recorded; GET /__log returns the records (uploads with their size and
sha256). usage: fake_provider.py PORTFILE"""
import hashlib, json, os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK

FILES = {"file-prov-output": {"id": "file-prov-output", "object": "file", "bytes": 13, "created_at": 1700000000,
                              "filename": "batch_output.jsonl", "purpose": "batch_output", "status": "processed",
                              "_data": b"batch output\n"}}
SEQ = [0]


def public(f):
    return {k: v for k, v in f.items() if not k.startswith("_")}


def parse_multipart(ctype, body):
    m = re.search(r'boundary="?([^";]+)"?', ctype or "")
    if not m:
        return None
    b = ("--" + m.group(1)).encode()
    parts = {}
    for chunk in body.split(b)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, _, data = chunk.partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        h = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', h)
        fn = re.search(r'filename="([^"]*)"', h)
        if name:
            parts[name.group(1)] = {"data": data, "filename": fn.group(1) if fn else None}
    return parts


class H(fakehttp.Handler):
    def not_found(self, fid):
        self.send_json(404, {"error": {"message": "No such File object: " + fid, "type": "invalid_request_error"}})

    def record(self, **kw):
        kw.setdefault("method", self.command)
        kw.setdefault("path", self.path)
        kw["auth"] = self.headers.get("Authorization")
        super().record(**kw)

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/__log":
            return self.send_log()
        self.record()
        if p == "/v1/files":
            with LOCK:
                return self.send_json(200, {"object": "list", "data": [public(f) for f in FILES.values()], "has_more": False})
        m = re.fullmatch(r"/v1/files/([^/]+)(/content)?", p)
        if m:
            with LOCK:
                f = FILES.get(m.group(1))
            if not f:
                return self.not_found(m.group(1))
            if m.group(2):
                return self.send_raw(200, "application/octet-stream", f["_data"])
            return self.send_json(200, public(f))
        self.send_json(404, {"error": {"message": "unknown route " + p}})

    def do_DELETE(self):
        p = self.path
        self.record()
        m = re.fullmatch(r"/v1/files/([^/]+)", p)
        if m:
            with LOCK:
                f = FILES.pop(m.group(1), None)
            if not f:
                return self.not_found(m.group(1))
            return self.send_json(200, {"id": f["id"], "object": "file", "deleted": True})
        self.send_json(404, {"error": {"message": "unknown route " + p}})

    def do_POST(self):
        p = self.path
        data = self.read_body()
        if p == "/v1/files":
            parts = parse_multipart(self.headers.get("Content-Type"), data)
            if not parts or "file" not in parts or "purpose" not in parts:
                self.record(kind="bad-upload", ctype=self.headers.get("Content-Type"))
                return self.send_json(400, {"error": {"message": "expected a multipart upload with file and purpose"}})
            fd = parts["file"]["data"]
            with LOCK:
                SEQ[0] += 1
                fid = "file-prov-%d" % SEQ[0]
                f = {"id": fid, "object": "file", "bytes": len(fd), "created_at": 1700000000 + SEQ[0],
                     "filename": parts["file"]["filename"] or "upload", "purpose": parts["purpose"]["data"].decode(),
                     "status": "processed", "_data": fd}
                FILES[fid] = f
            self.record(kind="upload", id=fid, bytes=len(fd), sha256=hashlib.sha256(fd).hexdigest(),
                        filename=f["filename"], purpose=f["purpose"])
            return self.send_json(200, public(f))
        if p == "/v1/batches":
            try:
                req = json.loads(data)
            except ValueError:
                return self.send_json(400, {"error": {"message": "invalid JSON"}})
            fid = req.get("input_file_id")
            self.record(kind="batch", input_file_id=fid, body=req)
            with LOCK:
                known = fid in FILES
            if not known:
                return self.send_json(400, {"error": {"message": "input file %s does not exist" % fid}})
            return self.send_json(200, {"id": "batch_1", "object": "batch", "endpoint": req.get("endpoint"),
                                   "input_file_id": fid, "completion_window": req.get("completion_window"),
                                   "status": "validating", "created_at": 1700000000,
                                   "metadata": req.get("metadata")})
        self.record()
        self.send_json(404, {"error": {"message": "unknown route " + p}})


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
