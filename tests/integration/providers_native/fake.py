#!/usr/bin/env python3
"""Fake native upstreams for tests/integration/providers_native.sh (stdlib only).

Speaks three providers on one loopback port, each under its own prefix:
  /cohere/v2/...   Cohere v2: POST /chat (JSON, or SSE with event: lines when
                   "stream": true), /rerank, and /embed (Cohere v2 shape: the
                   path the gateway sends "other" operations to)
  /<x>/openai/deployments/<dep>/<path>?api-version=<v>
                   Azure OpenAI: api-key header only, no model in the body
  /mistral/v1/...  Mistral: OpenAI-compatible /chat/completions, /embeddings
Every request is recorded (path, headers, body); GET /__log returns them.
The model (Cohere, Mistral) or deployment (Azure) name picks a behaviour:
*-err-400/401/429/500 answer with that provider's error body, command-cut
ends a stream cleanly before message-end, command-drop drops the connection,
az-filter is a content-filtered Azure answer.
usage: fake.py PORTFILE"""
import base64, json, os, struct, sys, time
from urllib.parse import parse_qs, urlsplit
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import fakehttp

KEYS = {"cohere": "co-test-key", "azure": "az-test-key", "mistral": "mi-test-key"}


def emb_value(body, i):
    vec = [0.5 + i, -1.25, 2.0]
    if body.get("encoding_format") == "base64":
        return base64.b64encode(struct.pack("<3f", *vec)).decode()
    return vec


def embeddings(body, model):
    inp = body.get("input")
    n = len(inp) if isinstance(inp, list) else 1
    return {"object": "list", "model": model, "usage": {"prompt_tokens": n, "total_tokens": n},
            "data": [{"object": "embedding", "index": i, "embedding": emb_value(body, i)} for i in range(n)]}


class H(fakehttp.Handler):
    # ---- plumbing -------------------------------------------------------------
    def cut(self):
        """End the response inside the chunked body (the upstream dies)."""
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        if self.path == "/__log":
            return self.send_log()
        self.send_json(404, {"message": "no such path"})

    def do_POST(self):
        raw = self.read_body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.record(path=self.path, method=self.command, body=body, headers=self.headers_lower())
        path = urlsplit(self.path).path
        if body is None:
            return self.send_json(400, {"message": "body is not JSON"})
        if path.startswith("/cohere/v2/"):
            return self.cohere(path[len("/cohere/v2"):], body)
        if "/openai/deployments/" in path:
            return self.azure(path, body)
        if path.startswith("/mistral/v1/"):
            return self.mistral(path[len("/mistral/v1"):], body)
        self.send_json(404, {"message": "unknown path " + path})

    def bearer_ok(self, who):
        return self.headers.get("Authorization") == "Bearer " + KEYS[who]

    # ---- Cohere v2 ------------------------------------------------------------
    def cohere(self, path, body):
        if not self.bearer_ok("cohere"):
            return self.send_json(401, {"id": "e-401", "message": "invalid api token"})
        model = body.get("model", "")
        if path == "/rerank":
            docs = body.get("documents") or []
            res = [{"index": i, "relevance_score": round(0.9 - 0.2 * i, 3)} for i in range(len(docs))]
            return self.send_json(200, {"id": "rr-1", "results": res[:body.get("top_n") or len(res)],
                                        "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}})
        if path == "/embed":  # Cohere v2 embed: texts in, embeddings by type out
            texts = body.get("texts")
            if not isinstance(texts, list) or body.get("embedding_types") != ["float"]:
                return self.send_json(400, {"message": "invalid request: texts and embedding_types required"})
            vecs = [[0.5 + i, -1.25, 2.0] for i in range(len(texts))]
            return self.send_json(200, {"id": "emb-1", "texts": texts, "response_type": "embeddings_by_type",
                                        "embeddings": {"float": vecs},
                                        "meta": {"billed_units": {"input_tokens": 3 * len(texts)}}})
        if path != "/chat":
            return self.send_json(404, {"message": "unknown path"})
        err = {"command-err-400": (400, "invalid request: message must be at least 1 token long"),
               "command-err-429": (429, "You are using a Trial key, which is limited to 10 API calls / minute."),
               "command-err-500": (500, "internal server error, this has been reported to our developers")}
        if model in err:
            st, msg = err[model]
            return self.send_json(st, {"id": "e-%d" % st, "message": msg}, {"Retry-After": "2"} if st == 429 else None)
        # a v2 body, never OpenAI's own field names
        for k in ("top_p", "stop", "max_completion_tokens", "stream_options"):
            if k in body:
                return self.send_json(400, {"message": "invalid request: unknown field: parameter '%s' is not a valid field" % k})
        msgs = body.get("messages") or []
        last = msgs[-1] if msgs else {}
        tools = body.get("tools") and last.get("role") != "tool"
        if body.get("stream"):
            return self.cohere_stream(model, bool(tools))
        if tools:
            name = body["tools"][0]["function"]["name"]
            msg = {"role": "assistant", "tool_plan": "I will look up the weather.",
                   "tool_calls": [{"id": name + "_xk1", "type": "function",
                                   "function": {"name": name, "arguments": "{\"city\":\"Paris\"}"}}]}
            fr = "TOOL_CALL"
        else:
            text = "Hello from Cohere"
            if last.get("role") == "tool":
                text = "It is %s in Paris" % last.get("content")
            msg = {"role": "assistant", "content": [{"type": "text", "text": text}], "citations": []}
            fr = "COMPLETE"
        return self.send_json(200, {"id": "co-resp-1", "finish_reason": fr, "message": msg,
                                    "usage": {"billed_units": {"input_tokens": 5, "output_tokens": 4},
                                              "tokens": {"input_tokens": 70, "output_tokens": 4}}})

    def cohere_stream(self, model, tools):
        self.stream_begin()

        def ev(t, obj):
            obj = dict(type=t, **obj)
            self.chunk(("event: %s\ndata: %s\n\n" % (t, json.dumps(obj))).encode())

        ev("message-start", {"id": "co-stream-1", "delta": {"message": {"role": "assistant", "content": [],
                                                                          "tool_plan": "", "tool_calls": [], "citations": []}}})
        if tools:
            ev("tool-plan-delta", {"delta": {"message": {"tool_plan": "I will look it up."}}})
            ev("tool-call-start", {"index": 0, "delta": {"message": {"tool_calls": {
                "id": "get_weather_s1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}}}})
            for piece in ["{\"ci", "ty\": \"Par", "is\"}"]:
                ev("tool-call-delta", {"index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": piece}}}}})
            ev("tool-call-end", {"index": 0})
            fr = "TOOL_CALL"
        else:
            ev("content-start", {"index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}})
            for piece in ["Hello", " from", " Cohere"]:
                ev("content-delta", {"index": 0, "delta": {"message": {"content": {"text": piece}}}})
                if model == "command-cut" and piece == " from":
                    return self.stream_end()  # a clean end, but no message-end
                if model == "command-drop" and piece == " from":
                    return self.cut()
                time.sleep(0.01)
            ev("content-end", {"index": 0})
            fr = "COMPLETE"
        ev("message-end", {"delta": {"finish_reason": fr, "usage": {
            "billed_units": {"input_tokens": 6, "output_tokens": 3}, "tokens": {"input_tokens": 80, "output_tokens": 3}}}})
        self.stream_end()

    # ---- Azure OpenAI -----------------------------------------------------------
    def azure(self, path, body):
        q = parse_qs(urlsplit(self.path).query)
        if self.headers.get("Authorization") is not None:
            return self.send_json(400, {"error": {"code": "BadRequest", "message": "unexpected Authorization header"}})
        if self.headers.get("api-key") != KEYS["azure"]:
            return self.send_json(401, {"error": {"code": "401", "message": "Access denied due to invalid subscription key or wrong API endpoint."}})
        if not q.get("api-version"):
            return self.send_json(404, {"error": {"code": "404", "message": "Resource not found"}})
        ver = q["api-version"][0]
        rest = path.split("/openai/deployments/", 1)[1]
        dep, _, op = rest.partition("/")
        err = {"az-err-400": (400, "BadRequest", "Invalid value for 'temperature'"),
               "az-err-429": (429, "429", "Requests to the ChatCompletions_Create Operation have exceeded call rate limit"),
               "az-err-500": (500, "InternalServerError", "The server had an error while processing your request"),
               "az-ctx": (400, "context_length_exceeded", "This model's maximum context length is 8192 tokens")}
        if dep in err:
            st, code, msg = err[dep]
            return self.send_json(st, {"error": {"code": code, "message": msg}}, {"Retry-After": "3"} if st == 429 else None)
        if op == "embeddings":
            return self.send_json(200, embeddings(body, "text-embedding-3-small"))
        if op != "chat/completions":
            return self.send_json(404, {"error": {"code": "404", "message": "Resource not found"}})
        cfr = {"hate": {"filtered": False, "severity": "safe"}}
        if dep == "az-filter":
            return self.send_json(200, {"id": "chatcmpl-azf", "object": "chat.completion", "created": 1700000000,
                                        "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "finish_reason": "content_filter",
                                        "content_filter_results": {"hate": {"filtered": True, "severity": "high"}}}],
                                        "usage": {"prompt_tokens": 3, "completion_tokens": 0, "total_tokens": 3}})
        text = "Hello from Azure %s %s" % (dep, ver)
        if body.get("stream"):
            self.stream_begin()
            self.chunk(b"data: " + json.dumps({"id": "", "object": "", "created": 0, "model": "", "choices": [],
                                               "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": cfr}]}).encode() + b"\n\n")
            for i, piece in enumerate(["Hello", " from", " Azure"]):
                delta = {"content": piece}
                if i == 0:
                    delta["role"] = "assistant"
                self.chunk(b"data: " + json.dumps({"id": "chatcmpl-azs", "object": "chat.completion.chunk", "created": 1700000000,
                                                   "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "delta": delta,
                                                   "finish_reason": None, "content_filter_results": cfr}]}).encode() + b"\n\n")
            self.chunk(b"data: " + json.dumps({"id": "chatcmpl-azs", "object": "chat.completion.chunk", "created": 1700000000,
                                               "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "delta": {},
                                               "finish_reason": "stop"}]}).encode() + b"\n\n")
            self.chunk(b"data: [DONE]\n\n")
            return self.stream_end()
        return self.send_json(200, {"id": "chatcmpl-az1", "object": "chat.completion", "created": 1700000000,
                                    "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_az",
                                    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": cfr}],
                                    "choices": [{"index": 0, "finish_reason": "stop", "content_filter_results": cfr,
                                                 "message": {"role": "assistant", "content": text}}],
                                    "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}})

    # ---- Mistral ------------------------------------------------------------------
    def mistral(self, path, body):
        if not self.bearer_ok("mistral"):
            return self.send_json(401, {"message": "Unauthorized", "request_id": "req-401"})
        model = body.get("model", "")
        if path == "/embeddings":
            return self.send_json(200, embeddings(body, model))
        if path != "/chat/completions":
            return self.send_json(404, {"detail": "Not Found"})
        if model == "mistral-err-400":
            return self.send_json(400, {"object": "error", "message": "Invalid model: mistral-err-400",
                                        "type": "invalid_model", "param": None, "code": "1500"})
        if model == "mistral-err-429":
            return self.send_json(429, {"message": "Requests rate limit exceeded"}, {"Retry-After": "4"})
        if model == "mistral-err-500":
            return self.send_json(500, {"object": "error", "message": "Internal server error",
                                        "type": "internal_server_error", "param": None, "code": None})
        # what Mistral rejects (providers.md: the adapter removes or renames these)
        for k in ("parallel_tool_calls", "logit_bias", "presence_penalty", "frequency_penalty"):
            if k in body:
                return self.send_json(422, {"object": "error", "message": "Extra inputs are not permitted: " + k,
                                            "type": "invalid_request_error", "param": None, "code": None})
        if body.get("tool_choice") == "required":
            return self.send_json(422, {"object": "error", "message": "tool_choice: 'required' is not one of auto, none, any",
                                        "type": "invalid_request_error", "param": None, "code": None})
        if body.get("stream"):
            self.stream_begin()
            for i, piece in enumerate(["Bonjour", " from", " Mistral"]):
                self.chunk(b"data: " + json.dumps({"id": "mi-s1", "object": "chat.completion.chunk", "created": 1700000000,
                                                   "model": model, "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece}
                                                   if i == 0 else {"content": piece}, "finish_reason": None}]}).encode() + b"\n\n")
            self.chunk(b"data: " + json.dumps({"id": "mi-s1", "object": "chat.completion.chunk", "created": 1700000000,
                                               "model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                                               "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}}).encode() + b"\n\n")
            self.chunk(b"data: [DONE]\n\n")
            return self.stream_end()
        msg = {"role": "assistant", "content": "Bonjour from Mistral"}
        fr = "stop"
        if body.get("tools") and body.get("tool_choice") == "any":
            msg = {"role": "assistant", "content": "", "tool_calls": [{"id": "mt1", "type": "function",
                   "function": {"name": body["tools"][0]["function"]["name"], "arguments": "{\"city\": \"Lyon\"}"}}]}
            fr = "tool_calls"
        return self.send_json(200, {"id": "mi-1", "object": "chat.completion", "created": 1700000000, "model": model,
                                    "choices": [{"index": 0, "message": msg, "finish_reason": fr}],
                                    "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7}})


if __name__ == "__main__":
    fakehttp.serve(H, sys.argv[1])
