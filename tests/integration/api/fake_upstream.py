#!/usr/bin/env python3
"""Fake OpenAI-compatible upstream for tests/integration/api.sh (stdlib only).
Records every request (path, headers, body) and serves canned answers; some
model names trigger special behaviour (errors, dropped or endless streams).
GET /__log returns the records; GET /__events returns observed disconnects.
usage: fake_upstream.py PORTFILE"""
import base64, json, os, struct, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK

EVENTS = []
COUNT = {"endless": 0, "flaky": 0, "flaky503": 0}
FILES = {}


class H(fakehttp.Handler):
    # send_json returns True ("handled"): route helpers return it, None means "no such route"

    def record_req(self, body, raw=b""):
        self.record(path=self.path, method=self.command, headers=self.headers_lower(), body=body, raw_len=len(raw))

    def do_DELETE(self):
        self.record_req(None)
        if self.path.startswith("/v1/files/"):
            fid = self.path.split("/")[3]
            return self.send_json(200, {"id": fid, "object": "file", "deleted": FILES.pop(fid, None) is not None})
        self.send_json(404, {"error": {"message": "no such path"}})

    def manage_get(self):
        p, _, q = self.path.partition("?")
        parts = p.split("/")
        if p == "/v1/files":
            return self.send_json(200, {"object": "list", "data": [f["obj"] for f in FILES.values()], "has_more": False, "x_query": q})
        if p.startswith("/v1/files/") and p.endswith("/content") and len(parts) == 5:
            f = FILES.get(parts[3])
            if not f:
                return self.send_json(404, {"error": {"message": "No such File object: " + parts[3]}})
            return self.send_raw(200, "application/octet-stream", f["data"])
        if p.startswith("/v1/files/") and len(parts) == 4:
            f = FILES.get(parts[3])
            return self.send_json(200, f["obj"]) if f else self.send_json(404, {"error": {"message": "No such File object: " + parts[3]}})
        if p == "/v1/batches":
            return self.send_json(200, {"object": "list", "data": [self.batch("batch_1")], "has_more": False, "first_id": "batch_1", "last_id": "batch_1"})
        if p.startswith("/v1/batches/") and len(parts) == 4:
            return self.send_json(200, self.batch(parts[3]))
        if p.startswith("/v1/responses/") and len(parts) == 4:
            return self.send_json(200, self.response(parts[3], "completed"))
        return None

    def batch(self, bid, status="in_progress", extra=None):
        b = {"id": bid, "object": "batch", "endpoint": "/v1/chat/completions", "input_file_id": "file-fake-1",
             "completion_window": "24h", "status": status, "created_at": 1700000000,
             "request_counts": {"total": 1, "completed": 0, "failed": 0}}
        b.update(extra or {})
        return b

    def response(self, rid, status, model="gpt-4o"):
        return {"id": rid, "object": "response", "created_at": 1700000000, "status": status, "model": model,
                "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                            "content": [{"type": "output_text", "text": "Hi from responses", "annotations": []}]}],
                "usage": {"input_tokens": 1, "output_tokens": 3, "total_tokens": 4}}

    def do_GET(self):
        if not self.path.startswith("/__"):
            self.record_req(None)
            if self.manage_get() is not None:
                return
        if self.path == "/__log":
            return self.send_log()
        if self.path == "/__count":
            return self.send_log(COUNT)
        if self.path == "/__events":
            return self.send_log(EVENTS)
        self.send_json(404, {"error": {"message": "no such path"}})

    def multipart_file(self, raw):
        ct = self.headers.get("Content-Type", "")
        form = fakehttp.form_parts(ct, raw)
        if form is None:
            return self.send_json(400, {"error": {"message": "expected multipart, got " + ct}})
        fields, data, fname = form
        fid = "file-fake-%d" % (len(FILES) + 1)
        obj = {"id": fid, "object": "file", "bytes": len(data or b""), "created_at": 1700000000, "filename": fname,
               "purpose": fields.get("purpose"), "status": "processed"}
        FILES[fid] = {"obj": obj, "data": data or b""}
        return self.send_json(200, obj)

    def anthropic(self, body):
        model = body.get("model", "")
        if self.headers.get("x-api-key") != "sk-ant-test" or self.headers.get("anthropic-version") != "2023-06-01":
            return self.send_json(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        if model == "claude-err":
            return self.send_json(400, {"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}})
        if model == "claude-overloaded":
            return self.send_json(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        text = "Hello from Claude"
        if not body.get("stream"):
            content = [{"type": "text", "text": text}]
            stop = "end_turn"
            if body.get("tools"):
                content.append({"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}})
                stop = "tool_use"
            return self.send_json(200, {"id": "msg_fake", "type": "message", "role": "assistant", "model": model,
                                        "content": content, "stop_reason": stop, "stop_sequence": None,
                                        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 2}})
        self.stream_begin()

        def ev(t, obj):
            self.chunk(("event: %s\ndata: %s\n\n" % (t, json.dumps(obj))).encode())
        ev("message_start", {"type": "message_start", "message": {"id": "msg_stream", "type": "message", "role": "assistant", "model": model,
                                                                  "content": [], "stop_reason": None, "usage": {"input_tokens": 10, "output_tokens": 1}}})
        ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
        ev("ping", {"type": "ping"})
        for piece in ("Hello", " from", " Claude"):
            ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
            time.sleep(0.01)
        ev("content_block_stop", {"type": "content_block_stop", "index": 0})
        if model == "claude-stream-err":
            ev("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            self.stream_end()
            return
        ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 3}})
        ev("message_stop", {"type": "message_stop"})
        self.stream_end()

    def gemini(self, body):
        """Google AI Studio: POST /v1beta/models/<m>:generateContent or
        :streamGenerateContent?alt=sse, key in x-goog-api-key."""
        path, _, query = self.path.partition("?")
        model, _, method = path[len("/v1beta/models/"):].partition(":")
        if self.headers.get("x-goog-api-key") != "gm-test-key" or self.headers.get("authorization"):
            return self.send_json(400, [{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}}])
        if method == "embedContent" and body and body.get("content", {}).get("parts"):
            return self.send_json(200, {"embedding": {"values": [0.5, -1.25, 2.0]}})
        if body is None or "model" in body or "stream" in body or not body.get("contents"):
            return self.send_json(400, {"error": {"code": 400, "message": "bad body", "status": "INVALID_ARGUMENT"}})
        if model == "gemini-err":
            return self.send_json(429, {"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}})
        usage = {"promptTokenCount": 4, "candidatesTokenCount": 3, "totalTokenCount": 7}
        if method == "generateContent" and not query:
            parts = [{"text": "Hello from Gemini"}]
            if body.get("tools"):
                parts.append({"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}})
            return self.send_json(200, {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
                                        "usageMetadata": usage, "modelVersion": model, "responseId": "gem-resp-1"})
        if method != "streamGenerateContent" or query != "alt=sse":
            return self.send_json(404, {"error": {"code": 404, "message": "no such method " + method, "status": "NOT_FOUND"}})
        self.stream_begin()
        pieces = ("Hello", " from", " Gemini")
        for i, piece in enumerate(pieces):
            obj = {"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}],
                   "modelVersion": model, "responseId": "gem-stream-1"}
            if i == len(pieces) - 1:
                if model == "gemini-stream-cut":
                    break
                obj["candidates"][0]["finishReason"] = "STOP"
                obj["usageMetadata"] = usage
            self.chunk(("data: %s\r\n\r\n" % json.dumps(obj)).encode())
            time.sleep(0.01)
        self.stream_end()
        return True

    def do_POST(self):
        raw = self.read_body()
        if self.path == "/v1/files":
            self.record_req(None, raw)
            return self.multipart_file(raw)
        try:
            body = json.loads(raw)
        except Exception:
            body = None
        self.record(path=self.path, headers=self.headers_lower(), body=body)
        model = (body or {}).get("model", "")
        p = self.path
        if p.endswith("/messages"):
            return self.anthropic(body)
        if p.startswith("/v1beta/models/"):
            return self.gemini(body)
        if p == "/v1/batches":
            return self.send_json(200, self.batch("batch_1", "validating", {"input_file_id": body.get("input_file_id"), "metadata": body.get("metadata")}))
        if p.startswith("/v1/batches/") and p.endswith("/cancel"):
            return self.send_json(200, self.batch(p.split("/")[3], "cancelling"))
        if p == "/v1/responses":
            return self.send_json(200, self.response("resp_1", "completed", model))
        if p.startswith("/v1/responses/") and p.endswith("/cancel"):
            return self.send_json(200, self.response(p.split("/")[3], "cancelled"))
        if model == "flaky":
            with LOCK:
                COUNT["flaky"] += 1
                k = COUNT["flaky"]
            if k % 3 != 0:
                return self.send_json(429, {"error": {"message": "try again"}}, {"Retry-After": "0"})
        if model == "flaky503":
            with LOCK:
                COUNT["flaky503"] += 1
                k = COUNT["flaky503"]
            if k % 2 != 0:
                return self.send_json(503, {"error": {"message": "busy"}})
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
                self.stream_begin()
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
                self.stream_end()
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
            return self.send_raw(200, "audio/mpeg", b"ID3\x04fake-mp3-bytes\x00\xff")
        if p.endswith("/rerank"):
            return self.send_json(200, {"id": "r1", "results": [{"index": 0, "relevance_score": 0.9}]})
        self.send_json(404, {"error": {"message": "unknown path " + p}})


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
