#!/usr/bin/env python3
"""fake_bedrock.py — a fake AWS Bedrock runtime for tests/integration/bedrock.sh
(python3 stdlib only, loopback).

Every request must carry a valid AWS Signature V4: the fake has the same
request re-signed by @smithy/signature-v4 (sigv4_oracle.cjs, a node child
process) with the fake's credentials and the request's own x-amz-date, and
compares the Authorization header byte for byte; a mismatch is answered 403
InvalidSignatureException, an unknown access key 403
UnrecognizedClientException, a date more than 5 minutes off 403 "Signature
expired", as AWS does.

Routes (model id = the percent-decoded path segment):
  POST /model/{id}/converse          Converse JSON
  POST /model/{id}/converse-stream   ConverseStream: AWS event stream (CRC-32s
                                     from zlib), chunked, messages split over
                                     chunk boundaries; the exact bytes are
                                     saved to <out>/streams/<n>-<id>.bin with
                                     the intended messages in .json next to it
  POST /model/{id}/invoke            Titan / Cohere embeddings
  GET  /__log                        the requests seen (path, headers, body, sig)
Models: anthropic.claude-3-haiku-20240307-v1:0 (text, tools when the body
has toolConfig, length when maxTokens is 1), fake.err-400 / err-429 /
err-500, fake.exception (stream: throttlingException after some text),
fake.badcrc (stream: the 3rd message's CRC is wrong), fake.cut (stream ends
inside a message), amazon.titan-embed-text-v2:0, cohere.embed-english-v3.

usage: fake_bedrock.py PORT_FILE OUT_DIR ORACLE_JS
env: FAKE_AWS_ACCESS_KEY_ID, FAKE_AWS_SECRET_ACCESS_KEY, FAKE_AWS_SESSION_TOKEN,
FAKE_AWS_REGION."""
import base64
import calendar
import json
import os
import struct
import subprocess
import sys
import time
import zlib
from urllib.parse import unquote

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK, LOG

PORT_FILE, OUT, ORACLE_JS = sys.argv[1], sys.argv[2], sys.argv[3]
AK = os.environ["FAKE_AWS_ACCESS_KEY_ID"]
SK = os.environ["FAKE_AWS_SECRET_ACCESS_KEY"]
TOKEN = os.environ.get("FAKE_AWS_SESSION_TOKEN", "")
REGION = os.environ.get("FAKE_AWS_REGION", "us-east-1")
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"

STREAMS = [0]
ORACLE = subprocess.Popen(["node", ORACLE_JS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
os.makedirs(os.path.join(OUT, "streams"), exist_ok=True)


def oracle_sign(q):
    with LOCK:
        ORACLE.stdin.write(json.dumps(q) + "\n")
        ORACLE.stdin.flush()
        return json.loads(ORACLE.stdout.readline())


# ---- event stream encoding ------------------------------------------------------

def es_header(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n)]) + n + b"\x07" + struct.pack(">H", len(v)) + v


def es_message(headers, payload):
    h = b"".join(es_header(k, v) for k, v in headers)
    prelude = struct.pack(">II", 12 + len(h) + len(payload) + 4, len(h))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + h + payload
    return body + struct.pack(">I", zlib.crc32(body))


def es_event(event_type, obj):
    payload = json.dumps(obj, separators=(",", ":")).encode()
    hdrs = [(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")]
    return es_message(hdrs, payload), {"headers": dict(hdrs), "payload": obj}


def es_exception(exc_type, message):
    payload = json.dumps({"message": message}).encode()
    hdrs = [(":exception-type", exc_type), (":content-type", "application/json"), (":message-type", "exception")]
    return es_message(hdrs, payload), {"headers": dict(hdrs), "payload": {"message": message}}


# ---- answers ------------------------------------------------------------------------

USAGE = {"inputTokens": 11, "outputTokens": 4, "totalTokens": 15}


def has_tool_result(body):
    return any("toolResult" in b for m in body.get("messages", []) for b in m.get("content", []))


def converse(body):
    if body.get("inferenceConfig", {}).get("maxTokens") == 1:
        return {"output": {"message": {"role": "assistant", "content": [{"text": "Hel"}]}},
                "stopReason": "max_tokens", "usage": {"inputTokens": 11, "outputTokens": 1, "totalTokens": 12},
                "metrics": {"latencyMs": 3}}
    if "toolConfig" in body and not has_tool_result(body):
        return {"output": {"message": {"role": "assistant", "content": [
                    {"text": "Let me check."},
                    {"toolUse": {"toolUseId": "tooluse_w1", "name": "get_weather", "input": {"city": "Paris"}}}]}},
                "stopReason": "tool_use", "usage": USAGE, "metrics": {"latencyMs": 3}}
    text = "It is 18C in Paris." if has_tool_result(body) else "Hello from Bedrock"
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 11, "outputTokens": 4, "totalTokens": 20, "cacheReadInputTokens": 5},
            "metrics": {"latencyMs": 3}}


def stream_messages(model, body):
    """The ConverseStream messages: a list of (bytes, description)."""
    ev = []
    ev.append(es_event("messageStart", {"p": "abcdefgh", "role": "assistant"}))
    if model == "fake.exception":
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "partial"}, "p": "ab"}))
        ev.append(es_exception("throttlingException", "Too many tokens, please wait before trying again."))
        return ev
    if model in ("fake.badcrc", "fake.cut"):
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hel"}}))
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "lo"}}))
        ev.append(es_event("messageStop", {"stopReason": "end_turn"}))
        return ev
    if "toolConfig" in body:
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Let me "}}))
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "check."}}))
        ev.append(es_event("contentBlockStop", {"contentBlockIndex": 0}))
        ev.append(es_event("contentBlockStart", {"contentBlockIndex": 1, "start": {"toolUse": {
            "toolUseId": "tooluse_s1", "name": "get_weather"}}, "p": "abc"}))
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": "{\"city\":"}}}))
        ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"toolUse": {"input": " \"Paris\"}"}}}))
        ev.append(es_event("contentBlockStop", {"contentBlockIndex": 1}))
        ev.append(es_event("messageStop", {"stopReason": "tool_use"}))
    else:
        for t in ("Hello", " from", " Bedrock"):
            ev.append(es_event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": t}}))
        ev.append(es_event("contentBlockStop", {"contentBlockIndex": 0}))
        ev.append(es_event("messageStop", {"stopReason": "end_turn"}))
    ev.append(es_event("metadata", {"usage": {"inputTokens": 21, "outputTokens": 9, "totalTokens": 30},
                                    "metrics": {"latencyMs": 12}}))
    return ev


def embed(model, body):
    if model.startswith("amazon.titan-embed"):
        if not isinstance(body.get("inputText"), str) or set(body) - {"inputText", "dimensions", "normalize"}:
            return 400, {"message": "Malformed input request: extraneous key or missing inputText"}
        return 200, {"embedding": [0.5, -1.25, 2.0], "inputTextTokenCount": 3}
    if model.startswith("cohere.embed"):
        texts = body.get("texts")
        if not isinstance(texts, list) or body.get("input_type") != "search_document":
            return 400, {"message": "Malformed input request: texts / input_type"}
        return 200, {"embeddings": [[float(i), 0.25] for i in range(len(texts))], "id": "emb-1",
                     "response_type": "embeddings_floats", "texts": texts}
    return 404, {"message": "Could not resolve the foundation model from the provided model identifier."}


ERRORS = {
    "fake.err-400": (400, "ValidationException", "Malformed input request: #/messages: expected minimum item count: 1"),
    "fake.err-429": (429, "ThrottlingException", "Too many requests, please wait before trying again."),
    "fake.err-500": (500, "InternalServerException", "The system encountered an unexpected error during processing."),
}


# ---- signature check ----------------------------------------------------------------

def check_sigv4(method, raw_path, headers, body):
    """None when the signature is right, else (status, type, message)."""
    auth = headers.get("authorization", "")
    date = headers.get("x-amz-date", "")
    if not auth.startswith("AWS4-HMAC-SHA256 ") or not date:
        return (403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    fields = dict(kv.strip().split("=", 1) for kv in auth[len("AWS4-HMAC-SHA256 "):].split(",") if "=" in kv)
    cred = fields.get("Credential", "").split("/")
    if len(cred) != 5 or cred[0] != AK:
        return (403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if cred[2] != REGION or cred[3] != "bedrock" or cred[1] != date[:8]:
        return (403, "InvalidSignatureException", "Credential should be scoped to a valid region and service.")
    try:
        t = calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return (403, "InvalidSignatureException", "Invalid date format")
    if abs(time.time() - t) > 300:
        return (403, "InvalidSignatureException", "Signature expired")
    if TOKEN and headers.get("x-amz-security-token") != TOKEN:
        return (403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    path, _, query = raw_path.partition("?")
    q = {}
    for kv in filter(None, query.split("&")):
        k, _, v = kv.partition("=")
        q[unquote(k)] = unquote(v)
    signed = fields.get("SignedHeaders", "").split(";")
    own = ("host", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")
    extra = {h: headers.get(h, "") for h in signed if h not in own}
    want = oracle_sign({"method": method, "host": headers.get("host", ""), "path": path, "query": q,
                        "headers": extra, "body_b64": base64.b64encode(body).decode(), "region": REGION,
                        "service": "bedrock", "ak": AK, "sk": SK, "token": TOKEN, "amz_date": date,
                        "content_sha256": "x-amz-content-sha256" in signed})
    if want.get("error"):
        return (500, "InternalServerException", "oracle: " + want["error"])
    if want["authorization"] != auth:
        print("signature mismatch on %s %s\n  got:  %s\n  want: %s" % (method, raw_path, auth, want["authorization"]),
              file=sys.stderr, flush=True)
        return (403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS "
                "Secret Access Key and signing method. Consult the service documentation for details.")
    return None


class H(fakehttp.Handler):
    def answer(self, status, obj, err_type=None):
        extra = {"x-amzn-RequestId": "req-%d" % len(LOG)}
        if err_type:
            extra["x-amzn-ErrorType"] = err_type + ":http://internal.amazon.com/coral/com.amazon.bedrock/"
        return self.send_json(status, obj, extra)

    def do_GET(self):
        if self.path == "/__log":
            return self.send_log()
        self.answer(404, {"message": "not found"})

    def do_POST(self):
        raw = self.read_body()
        headers = self.headers_lower()
        bad = check_sigv4("POST", self.path, headers, raw)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        parts = self.path.split("?")[0].split("/")
        model = unquote(parts[2]) if len(parts) == 4 and parts[1] == "model" else ""
        op = parts[3] if len(parts) == 4 else ""
        self.record(path=self.path, headers=headers, body=body, sig="bad" if bad else "ok", model=model, op=op)
        if bad:
            return self.answer(bad[0], {"message": bad[2]}, bad[1])
        if body is None:
            return self.answer(400, {"message": "Malformed input request: not JSON"}, "ValidationException")
        if model in ERRORS:
            st, et, msg = ERRORS[model]
            return self.answer(st, {"message": msg}, et)
        if op == "converse":
            if model != HAIKU:
                return self.answer(404, {"message": "model not found"}, "ResourceNotFoundException")
            if "model" in body or "stream" in body or not body.get("messages"):
                return self.answer(400, {"message": "Malformed input request: bad members"}, "ValidationException")
            return self.answer(200, converse(body))
        if op == "converse-stream":
            return self.stream(model, body)
        if op == "invoke":
            st, obj = embed(model, body)
            return self.answer(st, obj, None if st == 200 else "ValidationException")
        self.answer(404, {"message": "unknown operation"}, "UnknownOperationException")

    def stream(self, model, body):
        msgs = stream_messages(model, body)
        wire = b"".join(m for m, _ in msgs)
        if model == "fake.badcrc":
            off = len(msgs[0][0]) + len(msgs[1][0]) + 20  # inside the 3rd message's headers
            wire = wire[:off] + bytes([wire[off] ^ 0x20]) + wire[off + 1:]
        if model == "fake.cut":
            wire = wire[:-10]
        with LOCK:
            STREAMS[0] += 1
            base = os.path.join(OUT, "streams", "%d-%s" % (STREAMS[0], model))
        with open(base + ".bin", "wb") as f:
            f.write(wire)
        with open(base + ".json", "w") as f:
            json.dump([d for _, d in msgs], f)
        self.stream_begin("application/vnd.amazon.eventstream", {"x-amzn-RequestId": "req-s%d" % STREAMS[0]})
        # pieces that cut messages anywhere: 1, 7, 13, 19 ... bytes apart
        at, k = 0, 1
        try:
            while at < len(wire):
                self.chunk(wire[at:at + k])
                at += k
                k = k + 6 if k < 200 else 1
                if at % 3 == 0:
                    time.sleep(0.001)
            self.stream_end()
        except (BrokenPipeError, ConnectionResetError):
            # the gateway stopped reading (it ends the stream at an exception
            # or a bad CRC and cancels the upstream call)
            self.close_connection = True
            with LOCK:
                LOG[-1]["cancelled"] = True


srv = fakehttp.start(H, PORT_FILE)
try:
    srv.serve_forever()
finally:
    ORACLE.kill()
