#!/usr/bin/env python3
"""Fake OpenAI upstream for tests/integration/routes.sh (python3 stdlib only).

It checks what it receives and reports it back: every request is logged
(GET /__log; GET /__last?path=/v1/... gives the last request on a path with
its raw body in base64). Multipart bodies are read with a small strict
parser of its own (independent of the gateway's): the transcription answer
carries the model, the fields, the file's name, type, length and SHA-256
as x_* members, so the client can check what the upstream really got.
usage: fake.py PORTFILE"""
import base64, hashlib, json, os, struct, sys
from urllib.parse import parse_qs, unquote, urlsplit
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK, LOG

FILES = {}
SEQ = [0]
FLOATS = [0.5, -1.25, 3.0, 1e-7]


def parse_multipart(ctype, raw):
    """(fields {name: [str]}, files [{name, filename, ctype, data}]) or raises ValueError."""
    mt, _, params = ctype.partition(";")
    if mt.strip().lower() != "multipart/form-data":
        raise ValueError("not multipart/form-data: " + ctype)
    bnd = None
    for p in params.split(";"):
        k, _, v = p.strip().partition("=")
        if k.lower() == "boundary":
            bnd = v[1:-1] if v.startswith('"') else v
    if not bnd:
        raise ValueError("no boundary")
    d = b"--" + bnd.encode()
    if not raw.startswith(d + b"\r\n"):
        raise ValueError("body does not start with the delimiter")
    if not (raw.endswith(d + b"--\r\n") or raw.endswith(d + b"--")):
        raise ValueError("body does not end with the close delimiter")
    fields, files = {}, []
    chunks = raw.split(b"\r\n" + d)
    first = chunks[0][len(d) + 2:]
    for i, ch in enumerate([first] + chunks[1:-1]):
        if i > 0:
            if not ch.startswith(b"\r\n"):
                raise ValueError("bad delimiter line")
            ch = ch[2:]
        head, sep, data = ch.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("part without a blank line")
        hdrs = {}
        for line in head.split(b"\r\n"):
            k, c, v = line.partition(b":")
            if not c:
                raise ValueError("bad header line %r" % line)
            hdrs[k.decode().lower()] = v.decode("utf-8").strip()
        cd = hdrs.get("content-disposition", "")
        if not cd.startswith("form-data"):
            raise ValueError("bad disposition " + cd)
        name = cd.split('name="', 1)[1].split('"', 1)[0]
        if "filename*=" in cd:  # RFC 5987 (urllib3 1.x)
            ext = cd.split("filename*=", 1)[1].split(";", 1)[0].strip()
            charset, _, rest = ext.partition("'")
            files.append({"name": name, "filename": unquote(rest.partition("'")[2], encoding=charset),
                          "ctype": hdrs.get("content-type"), "data": data})
        elif 'filename="' in cd:
            files.append({"name": name, "filename": cd.split('filename="', 1)[1].split('"', 1)[0],
                          "ctype": hdrs.get("content-type"), "data": data})
        else:
            fields.setdefault(name, []).append(data.decode("utf-8"))
    if chunks[-1] not in (b"--\r\n", b"--"):
        raise ValueError("junk after the close delimiter")
    return fields, files


def batch(bid, status="in_progress", extra=None):
    b = {"id": bid, "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-in",
         "completion_window": "24h", "status": status, "created_at": 1700000000,
         "request_counts": {"total": 2, "completed": 1, "failed": 0}}
    b.update(extra or {})
    return b


def response(rid, model="gpt-4o-up"):
    return {"id": rid, "object": "response", "created_at": 1700000000, "status": "completed", "model": model,
            "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": "Hi from responses", "annotations": []}]}],
            "usage": {"input_tokens": 1, "output_tokens": 3, "total_tokens": 4}}


class H(fakehttp.Handler):
    def err(self, status, msg):
        self.send_json(status, {"error": {"message": msg, "type": "invalid_request_error"}})

    def record_req(self, method, raw=b"", body=None):
        self.record(method=method, path=self.path, ctype=self.headers.get("Content-Type", ""),
                    auth=self.headers.get("Authorization", ""), body=body,
                    raw_b64=base64.b64encode(raw).decode(), raw_len=len(raw))

    def do_GET(self):
        u = urlsplit(self.path)
        p, q = u.path, parse_qs(u.query)
        if p == "/__log":
            return self.send_log()
        if p == "/__last":
            with LOCK:
                hits = [r for r in LOG if r["path"].split("?")[0] == q.get("path", [""])[0]]
            return self.send_json(200, hits[-1] if hits else None)
        self.record_req("GET")
        parts = p.split("/")
        if p == "/v1/files":
            with LOCK:
                data = [f["obj"] for f in FILES.values()
                        if "purpose" not in q or f["obj"]["purpose"] == q["purpose"][0]]
            return self.send_json(200, {"object": "list", "data": data, "has_more": False})
        if p.startswith("/v1/files/") and len(parts) in (4, 5):
            with LOCK:
                f = FILES.get(parts[3])
            if not f:
                return self.err(404, "No such File object: " + parts[3])
            if len(parts) == 5 and parts[4] == "content":
                return self.send_raw(200, "application/octet-stream", f["data"])
            return self.send_json(200, f["obj"])
        if p == "/v1/batches":
            return self.send_json(200, {"object": "list", "data": [batch("batch_1"), batch("batch_2")],
                                        "first_id": "batch_1", "last_id": "batch_2", "has_more": False})
        if p.startswith("/v1/batches/") and len(parts) == 4:
            return self.send_json(200, batch(parts[3]))
        if p.startswith("/v1/responses/") and len(parts) == 4:
            return self.send_json(200, response(parts[3]))
        self.err(404, "no such path " + p)

    def do_DELETE(self):
        self.record_req("DELETE")
        parts = self.path.split("/")
        if self.path.startswith("/v1/files/") and len(parts) == 4:
            with LOCK:
                gone = FILES.pop(parts[3], None)
            if not gone:
                return self.err(404, "No such File object: " + parts[3])
            return self.send_json(200, {"id": parts[3], "object": "file", "deleted": True})
        self.err(404, "no such path")

    def transcription(self, raw, ct):
        try:
            fields, files = parse_multipart(ct, raw)
        except ValueError as e:
            return self.err(400, "fake: malformed multipart: %s" % e)
        if len(files) != 1 or files[0]["name"] != "file":
            return self.err(400, "fake: expected one file part named file, got %r" % [f["name"] for f in files])
        if fields.get("model") != ["whisper-upstream"]:
            return self.err(400, "fake: model was not rewritten: %r" % fields.get("model"))
        f = files[0]
        fmt = fields.get("response_format", ["json"])[0]
        text = "hello from fake"
        if fmt == "text":
            return self.send_raw(200, "text/plain; charset=utf-8", (text + "\n").encode())
        if fmt == "srt":
            return self.send_raw(200, "text/plain; charset=utf-8",
                                 ("1\n00:00:00,000 --> 00:00:01,000\n%s\n\n" % text).encode())
        if fmt == "vtt":
            return self.send_raw(200, "text/vtt; charset=utf-8",
                                 ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n%s\n\n" % text).encode())
        out = {"text": text, "x_model": fields["model"][0], "x_fields": fields, "x_filename": f["filename"],
               "x_file_ctype": f["ctype"], "x_len": len(f["data"]),
               "x_sha256": hashlib.sha256(f["data"]).hexdigest()}
        if fmt == "verbose_json":
            out.update({"language": "english", "duration": 1.5, "task": "transcribe",
                        "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": text}]})
        return self.send_json(200, out)

    def upload(self, raw, ct):
        try:
            fields, files = parse_multipart(ct, raw)
        except ValueError as e:
            return self.err(400, "fake: malformed multipart: %s" % e)
        if len(files) != 1 or "purpose" not in fields:
            return self.err(400, "fake: expected purpose + one file")
        with LOCK:
            SEQ[0] += 1
            fid = "file-rt-%d" % SEQ[0]
            obj = {"id": fid, "object": "file", "bytes": len(files[0]["data"]), "created_at": 1700000000,
                   "filename": files[0]["filename"], "purpose": fields["purpose"][0], "status": "processed"}
            FILES[fid] = {"obj": obj, "data": files[0]["data"]}
        return self.send_json(200, obj)

    def do_POST(self):
        raw = self.read_body()
        ct = self.headers.get("Content-Type", "")
        body = None
        if ct.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                return self.err(400, "fake: bad JSON")
        self.record_req("POST", raw, body)
        p = self.path
        if p in ("/v1/audio/transcriptions", "/v1/audio/translations"):
            return self.transcription(raw, ct)
        if p == "/v1/files":
            return self.upload(raw, ct)
        if body is None and not (p.startswith("/v1/batches/") and p.endswith("/cancel")):
            return self.err(400, "fake: expected JSON, got " + ct)
        if p == "/v1/embeddings":
            inp = body.get("input")
            inputs = inp if isinstance(inp, list) else [inp]
            if body.get("encoding_format") == "base64":
                emb = base64.b64encode(struct.pack("<%df" % len(FLOATS), *FLOATS)).decode()
            else:
                emb = FLOATS
            return self.send_json(200, {"object": "list", "model": body.get("model"),
                                        "data": [{"object": "embedding", "index": i, "embedding": emb}
                                                 for i in range(len(inputs))],
                                        "usage": {"prompt_tokens": 2, "total_tokens": 2}})
        if p == "/v1/rerank":
            docs = body.get("documents", [])
            res = [{"index": i, "relevance_score": 1.0 / (i + 1)} for i in range(len(docs))][:body.get("top_n") or 99]
            return self.send_json(200, {"id": "rr-1", "results": res, "meta": {"x_model": body.get("model")}})
        if p == "/v1/search":
            return self.send_json(200, {"results": [{"title": "T", "url": "https://example.invalid/",
                                                     "snippet": body.get("query")}], "model": body.get("model")})
        if p == "/v1/ocr":
            return self.send_json(200, {"pages": [{"index": 0, "markdown": "# page " + body["document"]["type"]}],
                                        "model": body.get("model")})
        if p == "/v1/batches":
            return self.send_json(200, batch("batch_new", "validating",
                                             {"input_file_id": body.get("input_file_id"),
                                              "metadata": body.get("metadata")}))
        if p.startswith("/v1/batches/") and p.endswith("/cancel"):
            return self.send_json(200, batch(p.split("/")[3], "cancelling"))
        if p == "/v1/responses":
            return self.send_json(200, response("resp_new", body.get("model", "")))
        self.err(404, "no such path " + p)


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
