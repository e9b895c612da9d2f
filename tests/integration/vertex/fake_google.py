#!/usr/bin/env python3
"""Fakes for tests/integration/vertex.sh (python3 stdlib + the openssl CLI),
all on one loopback port:

  POST /token[?expires_in=N|fail=1|slow=MS]   Google's OAuth token endpoint: the
      JWT-bearer grant; the assertion's RS256 signature is checked with
      `openssl dgst -sha256 -verify PUBKEY` and its header and claims (alg, typ,
      kid, iss, scope, aud = this very URL, exp - iat = 3600, iat near now);
      answers {"access_token","expires_in","token_type"}; the token expires in
      the fake too. fail=1 answers 400 invalid_grant. The last assertion is
      saved to DIR/last.jwt for the node crypto check.
  POST /v1/projects/p/locations/l/publishers/google/models/<m>:generateContent,
       :streamGenerateContent?alt=sse, :predict          Vertex AI, checks
      "Authorization: Bearer <a live token>" (else 401 UNAUTHENTICATED).
  POST /v1beta/models/<m>:embedContent, :batchEmbedContents   AI Studio
      embeddings, checks x-goog-api-key.
  GET  /copilot_internal/v2/token   GitHub's Copilot exchange ("Authorization:
      token ghu_test" -> {"token","expires_at","refresh_in"}, else 401).
  POST /copilot/chat/completions    Copilot chat ("Authorization: Bearer <the
      Copilot token>", editor headers), OpenAI answer, or SSE with stream.
  GET  /__log                       counters and the last requests as JSON.

usage: fake_google.py PORTFILE PUBKEY.pem DIR"""
import base64, json, os, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp
from fakehttp import LOCK

PUBKEY, DIR = sys.argv[2], sys.argv[3]
STATE = {"token_requests": {}, "copilot_token_requests": 0, "vertex_calls": 0, "bad_auth": 0,
         "errors": [], "last_vertex_body": None, "last_studio_body": None, "last_copilot": None}
TOKENS = {}          # access token -> expiry (time.time())
COPILOT = {}         # copilot token -> expiry
SEQ = [0]


def b64u_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def note_error(msg):
    with LOCK:
        STATE["errors"].append(msg)


class H(fakehttp.Handler):
    # ---- OAuth token endpoint ---------------------------------------------------------------
    def token(self, raw):
        path, _, query = self.path.partition("?")
        opts = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
        with LOCK:
            STATE["token_requests"][self.path] = STATE["token_requests"].get(self.path, 0) + 1
        if "slow" in opts:
            time.sleep(int(opts["slow"]) / 1000.0)
        why = self.check_assertion(raw)
        if why:
            note_error("token: " + why)
            return self.send_json(400, {"error": "invalid_request", "error_description": why})
        if opts.get("fail"):
            return self.send_json(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        life = int(opts.get("expires_in", "3599"))
        with LOCK:
            SEQ[0] += 1
            tok = "ya29.fake-%d-%s" % (SEQ[0], base64.urlsafe_b64encode(os.urandom(12)).decode())
            TOKENS[tok] = time.time() + life
        return self.send_json(200, {"access_token": tok, "expires_in": life, "token_type": "Bearer"})

    def check_assertion(self, raw):
        if self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return "content type " + str(self.headers.get("Content-Type"))
        from urllib.parse import parse_qs
        form = parse_qs(raw.decode(), strict_parsing=True)
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return "grant_type " + str(form.get("grant_type"))
        jwt = form.get("assertion", [""])[0]
        parts = jwt.split(".")
        if len(parts) != 3:
            return "assertion is not a JWS"
        with open(os.path.join(DIR, "last.jwt"), "w") as f:
            f.write(jwt)
        sig_path = os.path.join(DIR, "sig.%d.bin" % threading.get_ident())
        msg_path = os.path.join(DIR, "msg.%d.txt" % threading.get_ident())
        with open(sig_path, "wb") as f:
            f.write(b64u_dec(parts[2]))
        with open(msg_path, "wb") as f:
            f.write((parts[0] + "." + parts[1]).encode())
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", PUBKEY, "-signature", sig_path, msg_path],
                           capture_output=True)
        if r.returncode != 0:
            return "signature does not verify"
        hdr = json.loads(b64u_dec(parts[0]))
        cl = json.loads(b64u_dec(parts[1]))
        if hdr != {"alg": "RS256", "typ": "JWT", "kid": "test-key-1"}:
            return "header " + json.dumps(hdr)
        me = "http://127.0.0.1:%d%s" % (self.server.server_address[1], self.path)
        if cl.get("aud") != me:
            return "aud %s, expected %s" % (cl.get("aud"), me)
        if cl.get("iss") != "liter-test@proj.iam.gserviceaccount.com":
            return "iss " + str(cl.get("iss"))
        if cl.get("scope") != "https://www.googleapis.com/auth/cloud-platform":
            return "scope " + str(cl.get("scope"))
        if cl.get("exp", 0) - cl.get("iat", 0) != 3600 or abs(cl.get("iat", 0) - time.time()) > 30:
            return "iat/exp %s %s" % (cl.get("iat"), cl.get("exp"))
        return None

    def bearer_ok(self, table):
        a = self.headers.get("Authorization", "")
        tok = a[7:] if a.startswith("Bearer ") else None
        with LOCK:
            ok = tok in table and table[tok] > time.time()
            if not ok:
                STATE["bad_auth"] += 1
        return ok

    # ---- Vertex AI -------------------------------------------------------------------------------
    def vertex(self, body):
        path, _, query = self.path.partition("?")
        model, _, method = path.rpartition("/")[2].partition(":")
        if not self.bearer_ok(TOKENS):
            return self.send_json(401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                                  "status": "UNAUTHENTICATED"}})
        with LOCK:
            STATE["vertex_calls"] += 1
            STATE["last_vertex_body"] = body
        if method == "predict":
            inst = body.get("instances", [])
            if not inst or any(not isinstance(i.get("content"), str) for i in inst):
                return self.send_json(400, {"error": {"code": 400, "message": "bad instances", "status": "INVALID_ARGUMENT"}})
            dims = body.get("parameters", {}).get("outputDimensionality", 3)
            preds = [{"embeddings": {"values": [0.5 * (i + 1)] + [0.25] * (dims - 1),
                                     "statistics": {"token_count": 2, "truncated": False}}} for i in range(len(inst))]
            return self.send_json(200, {"predictions": preds, "metadata": {"billableCharacterCount": 5}})
        if "model" in body or "stream" in body or not body.get("contents"):
            return self.send_json(400, {"error": {"code": 400, "message": "bad body", "status": "INVALID_ARGUMENT"}})
        usage = {"promptTokenCount": 5, "candidatesTokenCount": 3, "totalTokenCount": 8}
        if method == "generateContent" and not query:
            return self.send_json(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": "Hello from Vertex"}]},
                                                        "finishReason": "STOP", "index": 0}],
                                        "usageMetadata": usage, "modelVersion": model, "responseId": "vx-resp-1"})
        if method != "streamGenerateContent" or query != "alt=sse":
            return self.send_json(404, {"error": {"code": 404, "message": "no such method " + method, "status": "NOT_FOUND"}})
        self.stream_begin()
        pieces = ("Hello", " from", " Vertex")
        for i, piece in enumerate(pieces):
            obj = {"candidates": [{"content": {"role": "model", "parts": [{"text": piece}]}, "index": 0}],
                   "modelVersion": model, "responseId": "vx-stream-1"}
            if i == len(pieces) - 1:
                obj["candidates"][0]["finishReason"] = "STOP"
                obj["usageMetadata"] = usage
            self.chunk(("data: %s\r\n\r\n" % json.dumps(obj)).encode())
            time.sleep(0.01)
        self.stream_end()
        return True

    # ---- AI Studio embeddings ---------------------------------------------------------------------
    def studio(self, body):
        path = self.path.partition("?")[0]
        model, _, method = path[len("/v1beta/models/"):].partition(":")
        if self.headers.get("x-goog-api-key") != "gm-test-key" or self.headers.get("authorization"):
            return self.send_json(400, {"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}})
        with LOCK:
            STATE["last_studio_body"] = {"method": method, "body": body}
        if method == "embedContent":
            if not body.get("content", {}).get("parts"):
                return self.send_json(400, {"error": {"code": 400, "message": "no content", "status": "INVALID_ARGUMENT"}})
            n = body.get("outputDimensionality", 3)
            return self.send_json(200, {"embedding": {"values": [0.5] + [-1.25] * (n - 1)}})
        if method == "batchEmbedContents":
            reqs = body.get("requests", [])
            if not reqs or any(r.get("model") != "models/" + model for r in reqs):
                return self.send_json(400, {"error": {"code": 400, "message": "bad requests", "status": "INVALID_ARGUMENT"}})
            return self.send_json(200, {"embeddings": [{"values": [0.5 * (i + 1), -1.25, 2.0]} for i in range(len(reqs))]})
        return self.send_json(404, {"error": {"code": 404, "message": "no such method", "status": "NOT_FOUND"}})

    # ---- GitHub Copilot ---------------------------------------------------------------------------
    def copilot_token(self):
        with LOCK:
            STATE["copilot_token_requests"] += 1
        if self.headers.get("Authorization") != "token ghu_test" or not self.headers.get("editor-version"):
            return self.send_json(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        tok = "tid=fake;exp=%d;sku=test;8kp=1:%s" % (int(time.time()) + 1800, os.urandom(4).hex())
        with LOCK:
            COPILOT[tok] = time.time() + 1800
        return self.send_json(200, {"token": tok, "expires_at": int(time.time()) + 1800, "refresh_in": 1500,
                                    "endpoints": {"api": "https://api.individual.githubcopilot.com"}})

    def copilot_chat(self, body):
        if not self.bearer_ok(COPILOT) or self.headers.get("copilot-integration-id") != "vscode-chat":
            return self.send_json(401, {"error": {"message": "unauthorized: token expired", "code": "unauthorized"}})
        with LOCK:
            STATE["last_copilot"] = body
        if body.get("stream"):
            self.stream_begin()
            for piece, fin in (("Hi", None), (" Copilot", "stop")):
                obj = {"id": "cp-1", "object": "chat.completion.chunk", "created": 1, "model": body.get("model"),
                       "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": fin}]}
                self.chunk(("data: %s\n\n" % json.dumps(obj)).encode())
            self.chunk(b"data: [DONE]\n\n")
            self.stream_end()
            return True
        return self.send_json(200, {"id": "cp-1", "object": "chat.completion", "created": 1, "model": body.get("model"),
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from Copilot"},
                                                 "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}})

    # ---- routes --------------------------------------------------------------------------------
    def do_GET(self):
        if self.path == "/__log":
            return self.send_log(STATE)
        if self.path == "/copilot_internal/v2/token":
            return self.copilot_token()
        return self.send_json(404, {"message": "Not Found"})

    def do_POST(self):
        raw = self.read_body()
        path = self.path.partition("?")[0]
        if path == "/token":
            return self.token(raw)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self.send_json(400, {"error": {"code": 400, "message": "invalid JSON", "status": "INVALID_ARGUMENT"}})
        if path.startswith("/v1/projects/"):
            return self.vertex(body)
        if path.startswith("/v1beta/models/"):
            return self.studio(body)
        if path == "/copilot/chat/completions":
            return self.copilot_chat(body)
        return self.send_json(404, {"error": {"code": 404, "message": "no such path " + path, "status": "NOT_FOUND"}})


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
