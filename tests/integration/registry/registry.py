#!/usr/bin/env python3
"""registry.py — the plan and the checks of tests/integration/registry.sh
(Python 3 stdlib only).

  registry.py plan TSV OUT
      Read the provider registry (the shared spec's providers.tsv; a copy is
      checked in next to this file) and pick the providers to drive: every
      row the gateway routes as OpenAI-compatible ("openai-compatible
      (config-driven)" with a base URL: https rows through CONNECT, the
      http://localhost rows through HTTP_PROXY in absolute-form) plus the
      `openai` row (native OpenAI adapter, same wire format). Streaming is
      driven for a subset (first row with a param mapping, first without, every
      https row with auth none, first http row, openai, every 15th row),
      embeddings for the rows that declare "embedding". The [[models]] run
      takes a subset (every 4th mapped row, every 9th other row, openai, the
      auth-none https row, the first http row) plus two bare names matched by a
      row's model prefix (detection rule 12), half of the entries with an
      inline api_key. Writes OUT/plan.json, OUT/san.txt (the certificate's
      subjectAltName), OUT/env.keys (one VAR=value a line), OUT/models.toml
      ([[models]] entries) and prints the list.

  registry.py check MODE OUT GATEWAY_URL MASTER_KEY FAKE_LOG [PLAIN_PORT]
      MODE zero | config | proxyenv | wrongca. Drives the gateway with
      http.client and checks what the fakes logged (fake.py). Prints one
      "ok"/"FAIL" line per provider and operation (a line covers several
      checks; every check counts) and "-- MODE: N passed, N failed"."""
import base64
import csv
import http.client
import json
import os
import sys
import time
from urllib.parse import urlsplit

KEYLESS_AUTH = ("none",)
NATIVE_PREFIXES = ("gpt-", "o1-", "o3-", "o4-", "dall-e-", "whisper-", "tts-", "text-embedding-",
                   "chatgpt-", "claude-", "command-", "mistral-", "codestral-", "pixtral-",
                   "ministral-", "open-mistral-", "gemini-", "embed-", "rerank-")
AUTH_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")


def key_for(var):
    return "key-%s-x" % var


def auth_kind(reg):
    r = reg.lower()
    if r == "none":
        return "none"
    if "x-api-key" in r or "api-key" in r or r == "header":
        return "x-api-key"
    return "bearer"   # "Authorization: Bearer", "unspecified (Bearer default)"


def provider_of(row, i):
    u = urlsplit(row["base_url"])
    name = row["name"]
    if name == "openai":
        mid = "gpt-4o-mini"
    elif i % 5 == 2:
        mid = "org-%d/m-%s" % (i, name)     # a model id with a '/' of its own
    else:
        mid = "m-%s-%d" % (name, i)
    return {
        "name": name, "base_url": row["base_url"], "scheme": u.scheme, "host": u.hostname,
        "port": u.port or (443 if u.scheme == "https" else 80), "netloc": u.netloc,
        "path": u.path.rstrip("/"), "auth": auth_kind(row["auth"]), "reg_auth": row["auth"],
        "key_env": row["api_key_env"], "mapped": "max_completion_tokens->max_tokens" in row["param_mappings"],
        "param_mappings": row["param_mappings"], "endpoints": row["endpoints"].split(","),
        "model": "%s/%s" % (name, mid), "model_id": mid,
    }


def rule12(model, rows):
    for r in rows:
        if r["complex"] == "yes" or not r["base_url"]:
            continue
        for pf in r["model_prefixes"].split(","):
            if pf and not pf.endswith("/") and model.startswith(pf):
                return r
    return None


def plan(tsv, out):
    with open(tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    need = ["name", "base_url", "auth", "api_key_env", "endpoints", "model_prefixes", "param_mappings",
            "complex", "routing"]
    missing = [c for c in need if c not in rows[0]]
    if missing:
        sys.exit("providers.tsv: missing columns %s" % missing)
    elig = [r for r in rows if (r["routing"].startswith("openai-compatible") and r["base_url"])
            or r["name"] == "openai"]
    provs = [provider_of(r, i) for i, r in enumerate(elig)]
    byname = {p["name"]: p for p in provs}
    https = [p for p in provs if p["scheme"] == "https"]
    http_rows = [p for p in provs if p["scheme"] == "http"]
    stream = set()
    stream.add(next(p["name"] for p in https if p["mapped"]))
    stream.add(next(p["name"] for p in https if not p["mapped"] and p["name"] != "openai"))
    stream.update(p["name"] for p in https if p["auth"] == "none")
    if http_rows:
        stream.add(http_rows[0]["name"])
    stream.add("openai")
    stream.update(p["name"] for i, p in enumerate(provs) if i % 15 == 7)
    for p in provs:
        p["stream"] = p["name"] in stream
        p["embed"] = "embedding" in p["endpoints"]

    # the [[models]] run
    mapped = [p for p in provs if p["mapped"]]
    other = [p for p in provs if not p["mapped"]]
    pick = [p for i, p in enumerate(mapped) if i % 4 == 0] + [p for i, p in enumerate(other) if i % 9 == 4]
    for n in ["openai"] + [p["name"] for p in https if p["auth"] == "none"][:1] + [p["name"] for p in http_rows][:1]:
        if byname[n] not in pick:
            pick.append(byname[n])
    entries = []
    for i, p in enumerate(pick):
        mid = "cfg-%s-model" % p["name"] if p["name"] != "openai" else "gpt-4.1-nano"
        e = {"name": "cfg-%s" % p["name"], "provider_model": "%s/%s" % (p["name"], mid), "provider": p["name"],
             "model_id": mid}
        if p["auth"] != "none" and i % 2 == 1:
            e["api_key"] = "inline-%s-x" % p["name"]
        entries.append(e)
    bare = []
    for p in provs:
        if p["scheme"] != "https":
            continue
        row = next(r for r in rows if r["name"] == p["name"])
        for pf in row["model_prefixes"].split(","):
            if not pf or "/" in pf or pf.startswith(NATIVE_PREFIXES):
                continue
            m = pf + "cfgbare"
            hit = rule12(m, rows)
            if hit and hit["name"] in byname and hit["name"] not in [b["provider"] for b in bare]:
                bare.append({"name": "cfg-bare-%s" % hit["name"], "provider_model": m, "provider": hit["name"],
                             "model_id": m})
    # one bare name served by a row with a param mapping, one by a row without
    for want in (True, False):
        b = next((b for b in bare if byname[b["provider"]]["mapped"] == want), None)
        if b:
            entries.append(b)

    hosts = sorted({p["host"] for p in https})
    envs = {}
    for p in provs:
        if p["key_env"]:
            envs[p["key_env"]] = key_for(p["key_env"])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "plan.json"), "w") as f:
        json.dump({"providers": provs, "entries": entries, "env": envs, "hosts": hosts}, f, indent=1)
    with open(os.path.join(out, "san.txt"), "w") as f:
        f.write(",".join(["DNS:" + h for h in hosts] + ["DNS:localhost", "IP:127.0.0.1"]) + "\n")
    with open(os.path.join(out, "env.keys"), "w") as f:
        for k in sorted(envs):
            f.write("%s=%s\n" % (k, envs[k]))
    with open(os.path.join(out, "models.toml"), "w") as f:
        for e in entries:
            f.write('[[models]]\nname = "%s"\nprovider_model = "%s"\n' % (e["name"], e["provider_model"]))
            if "api_key" in e:
                f.write('api_key = "%s"\n' % e["api_key"])
    print("sample: %d providers (%d https through CONNECT, %d http through HTTP_PROXY; %d with "
          "max_completion_tokens->max_tokens; auth styles: %s)" % (
              len(provs), len(https), len(http_rows), len(mapped),
              ", ".join("%s %d" % (a, sum(1 for p in provs if p["auth"] == a))
                        for a in sorted({p["auth"] for p in provs}))))
    for p in provs:
        print("  %-26s %-58s auth=%-6s %-22s %s%s%s" % (
            p["name"], p["base_url"], p["auth"], p["key_env"] or "-", "map " if p["mapped"] else "",
            "stream " if p["stream"] else "", "embed" if p["embed"] else ""))
    print("[[models]] run: %d entries: %s" % (len(entries), ", ".join(
        "%s=%s%s" % (e["name"], e["provider_model"], " (inline key)" if "api_key" in e else "") for e in entries)))


# ---- checks ------------------------------------------------------------------------------------

class Log:
    """The fake's JSON-lines log, read incrementally."""

    def __init__(self, path):
        self.path = path
        self.off = 0
        self.recs = []

    def poll(self):
        with open(self.path, "rb") as f:
            f.seek(self.off)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.off += end
        for ln in data[:end].splitlines():
            if ln.strip():
                self.recs.append(json.loads(ln))

    def mark(self):
        self.poll()
        return len(self.recs)

    def since(self, m):
        self.poll()
        return self.recs[m:]


class Checker:
    def __init__(self, mode, gw, mk, log, plan_, gwlog=None):
        self.mode, self.mk, self.log, self.plan = mode, mk, log, plan_
        u = urlsplit(gw)
        self.gw_host, self.gw_port = u.hostname, u.port
        self.passed = self.failed = 0
        self.secrets = set(plan_["env"].values()) | {e["api_key"] for e in plan_["entries"] if "api_key" in e}

    def note(self, label, fails, n):
        """n checks ran, fails lists the failed ones."""
        self.failed += len(fails)
        self.passed += n - len(fails)
        if fails:
            for f in fails:
                print("FAIL %s: %s" % (label, f))
        else:
            print("ok   %s (%d checks)" % (label, n))

    def request(self, method, path, body=None, timeout=15):
        c = http.client.HTTPConnection(self.gw_host, self.gw_port, timeout=timeout)
        hdrs = {"Authorization": "Bearer " + self.mk}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            c.request(method, path, body=data, headers=hdrs)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        except (OSError, http.client.HTTPException) as e:
            return 0, {}, repr(e).encode()
        finally:
            c.close()

    def find(self, m, token):
        # the request record may be written an instant after the client got its answer
        for _ in range(50):
            recs = [r for r in self.log.since(m) if r["kind"] == "request" and token in r["body"]]
            if recs:
                return recs
            time.sleep(0.02)
        return []

    # one upstream request against the row it should have gone to
    def check_upstream(self, c, rec, p, op, model_id, key, stream=False):
        """c: list collecting (ok, text). Checks route, path, headers, body basics."""
        def chk(ok, text):
            c.append((bool(ok), text))
        suffix = {"chat": "/chat/completions", "embed": "/embeddings"}[op]
        want_path = p["path"] + suffix
        if p.get("override"):
            ov = urlsplit(p["override"])
            want_path = ov.path.rstrip("/") + suffix
        if p["scheme"] == "https" and not p.get("override"):
            chk(rec["via"] == "tunnel" and rec["tunnel"] == "%s:443" % p["host"],
                "CONNECT target: want %s:443, got via=%s tunnel=%s" % (p["host"], rec["via"], rec["tunnel"]))
            chk(rec["sni"] == p["host"], "TLS SNI: want %s, got %s" % (p["host"], rec["sni"]))
            chk(rec["target"] == want_path, "request target: want %s, got %s" % (want_path, rec["target"]))
            chk(rec["host"] == p["netloc"], "Host header: want %s, got %s" % (p["netloc"], rec["host"]))
        elif p.get("route") == "direct":
            ov = urlsplit(p["override"])
            chk(rec["via"] == "direct", "route: want direct (NO_PROXY), got %s" % rec["via"])
            chk(rec["target"] == want_path, "origin-form target: want %s, got %s" % (want_path, rec["target"]))
            chk(rec["host"] == ov.netloc, "Host header: want %s, got %s" % (ov.netloc, rec["host"]))
        else:   # plain http through HTTP_PROXY: absolute-form
            base = p.get("override") or p["base_url"]
            want = base.rstrip("/") + suffix
            chk(rec["via"] == "absolute", "route: want absolute-form through HTTP_PROXY, got %s" % rec["via"])
            chk(rec.get("abs_url") == want, "absolute-form URL: want %s, got %s" % (want, rec.get("abs_url")))
            chk(rec["path"] == want_path, "path: want %s, got %s" % (want_path, rec["path"]))
            chk(rec["host"] == urlsplit(base).netloc, "Host header: want %s, got %s" % (urlsplit(base).netloc, rec["host"]))
        chk(rec["method"] == "POST", "method: want POST, got %s" % rec["method"])
        # auth
        present = dict((k.lower(), v) for k, v in rec["headers"] if k.lower() in AUTH_HEADERS)
        if p["auth"] == "none":
            want = {}
        elif p["auth"] == "x-api-key":
            want = {"x-api-key": key}
        else:
            want = {"authorization": "Bearer " + key}
        chk(present == want, "auth headers: want %s, got %s" % (want, present))
        ctype = [v for k, v in rec["headers"] if k.lower() == "content-type"]
        chk(ctype == ["application/json"], "Content-Type: want application/json, got %s" % ctype)
        # body
        try:
            b = json.loads(rec["body"])
        except ValueError:
            b = None
        chk(isinstance(b, dict), "upstream body is a JSON object: %r" % rec["body"][:200])
        b = b if isinstance(b, dict) else {}
        chk(b.get("model") == model_id, "upstream model: want %r, got %r" % (model_id, b.get("model")))
        # secrets: the client's gateway key never; no key but the row's own, only in its header
        blob = json.dumps(rec["headers"]) + rec["body"] + rec["target"]
        chk(self.mk not in blob, "the client's gateway key reached the upstream")
        others = [s for s in self.secrets if s in blob and s != key]
        chk(not others, "foreign keys reached the upstream: %s" % others)
        chk(key is None or key not in rec["body"] + rec["target"], "the key leaked into body or target")
        return b

    def chat(self, p, model, model_id, key, label):
        token = "tok-%s-%s-%d" % (self.mode, p["name"], time.monotonic_ns() % 1000000007)
        body = {"model": model, "messages": [{"role": "user", "content": "probe " + token}],
                "max_completion_tokens": 7, "temperature": 0.5, "x_passthrough": {"a": [1, 2]}}
        m = self.log.mark()
        st, hdrs, data = self.request("POST", "/v1/chat/completions", body)
        c = []
        c.append((st == 200, "status: want 200, got %d %s" % (st, data[:300])))
        recs = self.find(m, token)
        c.append((len(recs) == 1, "upstream requests for this call: want 1, got %d" % len(recs)))
        if recs:
            rec = recs[0]
            b = self.check_upstream(c, rec, p, "chat", model_id, key)
            if p["mapped"]:
                c.append(("max_completion_tokens" not in b and b.get("max_tokens") == 7,
                          "param mapping max_completion_tokens->max_tokens: got max_tokens=%r "
                          "max_completion_tokens=%r" % (b.get("max_tokens"), b.get("max_completion_tokens"))))
            else:
                c.append((b.get("max_completion_tokens") == 7 and "max_tokens" not in b,
                          "no param mapping: want max_completion_tokens=7 kept and no max_tokens, got %r / %r"
                          % (b.get("max_completion_tokens"), b.get("max_tokens"))))
            c.append((b.get("messages") == body["messages"] and b.get("temperature") == 0.5
                      and b.get("x_passthrough") == {"a": [1, 2]}, "other fields passed unchanged: %r" % b))
            want = base64.b64decode(rec.get("resp", ""))
            c.append((data == want, "response bytes differ: upstream %r, client %r" % (want[:200], data[:200])))
            c.append((hdrs.get("content-type", "").startswith("application/json"),
                      "client Content-Type: %s" % hdrs.get("content-type")))
        self.note(label, [t for ok, t in c if not ok], len(c))
        return recs[0] if recs else None

    def chat_rename_overwrites(self, p, key):
        """A mapped row with both keys: the rename overwrites max_tokens."""
        token = "tok-%s-both-%s" % (self.mode, p["name"])
        body = {"model": p["model"], "messages": [{"role": "user", "content": "probe " + token}],
                "max_tokens": 5, "max_completion_tokens": 9}
        m = self.log.mark()
        st, _, data = self.request("POST", "/v1/chat/completions", body)
        recs = self.find(m, token)
        b = json.loads(recs[0]["body"]) if recs else {}
        c = [(st == 200, "status %d %s" % (st, data[:200])),
             (b.get("max_tokens") == 9 and "max_completion_tokens" not in b,
              "want max_tokens=9 (renamed max_completion_tokens overwrites), got %r" % b)]
        self.note("%s: max_tokens + max_completion_tokens -> max_tokens=9" % p["name"],
                  [t for ok, t in c if not ok], len(c))

    def stream(self, p, key):
        token = "tok-%s-stream-%s" % (self.mode, p["name"])
        body = {"model": p["model"], "messages": [{"role": "user", "content": "probe " + token}],
                "stream": True, "max_completion_tokens": 7}
        m = self.log.mark()
        st, hdrs, data = self.request("POST", "/v1/chat/completions", body)
        c = [(st == 200, "status: want 200, got %d %s" % (st, data[:300])),
             (hdrs.get("content-type", "").startswith("text/event-stream"),
              "client Content-Type: %s" % hdrs.get("content-type"))]
        recs = self.find(m, token)
        c.append((len(recs) == 1, "upstream requests: want 1, got %d" % len(recs)))
        if recs:
            rec = recs[0]
            b = self.check_upstream(c, rec, p, "chat", p["model_id"], key, stream=True)
            c.append((b.get("stream") is True, "upstream body stream: want true, got %r" % b.get("stream")))
            acc = [v for k, v in rec["headers"] if k.lower() == "accept"]
            c.append((acc == ["text/event-stream"], "upstream Accept: want text/event-stream, got %s" % acc))
            got = []
            for ev in data.decode("utf-8", "replace").split("\n\n"):
                for ln in ev.split("\n"):
                    if ln.startswith("data:"):
                        got.append(ln[5:][1:] if ln[5:].startswith(" ") else ln[5:])
            want = rec.get("events", []) + ["[DONE]"]
            c.append((got == want, "stream payloads through the tunnel: want %r, got %r" % (want, got)))
        self.note("%s: chat stream" % p["name"], [t for ok, t in c if not ok], len(c))

    def embed(self, p, key):
        token = "tok-%s-embed-%s" % (self.mode, p["name"])
        body = {"model": p["model"], "input": "probe " + token}
        m = self.log.mark()
        st, _, data = self.request("POST", "/v1/embeddings", body)
        c = [(st == 200, "status: want 200, got %d %s" % (st, data[:300]))]
        recs = self.find(m, token)
        c.append((len(recs) == 1, "upstream requests: want 1, got %d" % len(recs)))
        if recs:
            rec = recs[0]
            b = self.check_upstream(c, rec, p, "embed", p["model_id"], key)
            c.append((b.get("input") == body["input"], "input passed: %r" % b.get("input")))
            want = base64.b64decode(rec.get("resp", ""))
            c.append((data == want, "response bytes differ: upstream %r, client %r" % (want[:200], data[:200])))
        self.note("%s: embeddings" % p["name"], [t for ok, t in c if not ok], len(c))

    def connect_heads_clean(self, m):
        heads = [r for r in self.log.since(m) if r["kind"] in ("connect", "absolute")]
        # (how many CONNECTs there are depends on the workers' pools: a constant count of checks)
        keys = [r["head"] for r in heads if r["kind"] == "connect"
                and (self.mk in r["head"] or any(s in r["head"] for s in self.secrets))]
        pauth = [r["head"] for r in heads if "proxy-authorization" in r["head"].lower()]
        bad = (["a key in a CONNECT request: %r" % keys] if keys else []) + \
            (["Proxy-Authorization sent without proxy credentials: %r" % pauth] if pauth else [])
        self.note("proxy: %d CONNECT/absolute-form requests, no key in a CONNECT head, no "
                  "Proxy-Authorization" % len(heads), bad, 2)


def key_of(plan_, p, entry=None):
    if p["auth"] == "none":
        return None
    if entry and "api_key" in entry:
        return entry["api_key"]
    return plan_["env"].get(p["key_env"], "")


def check(mode, out, gw, mk, logpath, extra):
    with open(os.path.join(out, "plan.json")) as f:
        pl = json.load(f)
    log = Log(logpath)
    k = Checker(mode, gw, mk, log, pl)
    byname = {p["name"]: p for p in pl["providers"]}
    m0 = log.mark()
    if mode == "zero":
        for p in pl["providers"]:
            k.chat(p, p["model"], p["model_id"], key_of(pl, p),
                   "%s: chat %s -> %s%s%s" % (p["name"], p["model"], p["base_url"], "/chat/completions",
                                              " (max_completion_tokens->max_tokens)" if p["mapped"] else ""))
        mp = next(p for p in pl["providers"] if p["mapped"])
        k.chat_rename_overwrites(mp, key_of(pl, mp))
        for p in pl["providers"]:
            if p["stream"]:
                k.stream(p, key_of(pl, p))
        for p in pl["providers"]:
            if p["embed"]:
                k.embed(p, key_of(pl, p))
        # every https host of the sample was asked for through CONNECT, nothing else
        targets = {r["target"] for r in log.since(m0) if r["kind"] == "connect"}
        want = {"%s:443" % h for h in pl["hosts"]}
        k.note("proxy: CONNECT targets are exactly the %d sampled hosts" % len(want),
               [] if targets == want else ["unexpected %s, missing %s" % (sorted(targets - want),
                                                                            sorted(want - targets))], 1)
        k.connect_heads_clean(m0)
        st, _, data = k.request("POST", "/v1/chat/completions",
                                {"model": "databricks/dbrx", "messages": [{"role": "user", "content": "x"}]})
        k.note("not-routable row databricks/ -> 404", [] if st == 404 and b"not supported" in data
               else ["got %d %s" % (st, data[:200])], 1)
    elif mode == "config":
        for e in pl["entries"]:
            p = byname[e["provider"]]
            k.chat(p, e["name"], e["model_id"], key_of(pl, p, e),
                   "[[models]] %s (%s%s) -> %s" % (e["name"], e["provider_model"],
                                                   ", inline api_key" if "api_key" in e else "", p["base_url"]))
        k.connect_heads_clean(m0)
    elif mode == "proxyenv":
        plain, cred = int(extra[0]), extra[1]
        groq = dict(byname["groq"], override="http://localhost:%d/openai/v1" % plain, route="direct",
                    scheme="http")
        ocg = dict(byname["opencode-go"], override="http://localhost:%d/zen/go/v1" % plain, route="direct",
                   scheme="http")
        # a trailing '/' on the override is trimmed
        tog = dict(byname["together_ai"], override="http://127.0.0.1:%d/v1/" % plain, scheme="http")
        m = log.mark()
        k.chat(groq, groq["model"], groq["model_id"], key_of(pl, groq),
               "NO_PROXY=localhost: groq via GROQ_BASE_URL=%s goes direct" % groq["override"])
        k.chat(ocg, ocg["model"], ocg["model_id"], key_of(pl, ocg),
               "NO_PROXY=localhost: opencode-go via OPENCODE_GO_BASE_URL=%s goes direct" % ocg["override"])
        seen = [r for r in log.since(m) if r["kind"] in ("connect", "absolute")]
        k.note("NO_PROXY: the proxy saw nothing for localhost:%d" % plain,
               ["proxy saw %r" % seen] if seen else [], 1)
        m = log.mark()
        k.chat(tog, tog["model"], tog["model_id"], key_of(pl, tog),
               "NO_PROXY=localhost does not cover 127.0.0.1: together_ai via TOGETHER_AI_BASE_URL=%s "
               "through HTTP_PROXY" % tog["override"])
        heads = [r["head"] for r in log.since(m) if r["kind"] == "absolute"]
        k.note("HTTP_PROXY without credentials: no Proxy-Authorization in the absolute-form request",
               [] if heads and not any("proxy-authorization" in h.lower() for h in heads)
               else ["absolute-form heads: %r" % heads], 1)
        # https_proxy (lower case, with credentials) wins over HTTPS_PROXY (a dead port)
        cb = byname["cerebras"]
        m = log.mark()
        rec = k.chat(cb, cb["model"], cb["model_id"], key_of(pl, cb),
                     "https_proxy wins over HTTPS_PROXY (dead port): cerebras (not in NO_PROXY) through CONNECT")
        want = "Proxy-Authorization: Basic " + base64.b64encode(cred.encode()).decode()
        heads = [r["head"] for r in log.since(m) if r["kind"] == "connect" and r["target"] == "api.cerebras.ai:443"]
        c = [(len(heads) == 1, "CONNECTs to api.cerebras.ai:443: want 1, got %d" % len(heads)),
             (all(want in h.split("\r\n") for h in heads), "CONNECT head: want %r in %r" % (want, heads)),
             (rec is not None and not any(n.lower() == "proxy-authorization" for n, _ in rec["headers"]),
              "Proxy-Authorization leaked into the tunnelled request")]
        k.note("https_proxy credentials (%-decoded) sent as Proxy-Authorization on CONNECT only",
               [t for ok, t in c if not ok], len(c))
        # a proxy refusing the CONNECT (port 8443): 502 with the proxy's answer
        xai = byname["xai"]
        st, _, data = k.request("POST", "/v1/chat/completions",
                                {"model": xai["model"], "messages": [{"role": "user", "content": "x"}]})
        try:
            err = json.loads(data)["error"]
        except (ValueError, KeyError, TypeError):
            err = {}
        msg = err.get("message", "")
        pw = cred.split(":", 1)[1]
        c = [(st == 502, "status: want 502, got %d %s" % (st, data[:300])),
             (err.get("type") == "Network", "error type: want Network, got %r" % err.get("type")),
             ("refused CONNECT to api.x.ai:8443: 403" in msg, "message: want the proxy's refusal, got %r" % msg),
             (pw not in msg and pw.replace("@", "%40") not in msg, "proxy password in the message: %r" % msg)]
        k.note("XAI_BASE_URL=https://api.x.ai:8443/v1, proxy refuses the CONNECT -> 502: %s" % msg,
               [t for ok, t in c if not ok], len(c))
    elif mode == "wrongca":
        plain = int(extra[0])
        groq = byname["groq"]
        for attempt in (1, 2):
            token = "tok-wrongca-%d" % attempt
            m = log.mark()
            st, _, data = k.request("POST", "/v1/chat/completions",
                                    {"model": groq["model"], "messages": [{"role": "user", "content": token}]})
            try:
                err = json.loads(data)["error"]
            except (ValueError, KeyError, TypeError):
                err = {}
            msg = err.get("message", "")
            new = log.since(m)
            c = [(st == 502, "status: want 502, got %d %s" % (st, data[:300])),
                 (err.get("type") == "Network", "error type: want Network, got %r" % err.get("type")),
                 ("TLS handshake with api.groq.com:443" in msg and ("not trusted" in msg or "unknown CA" in msg),
                  "message: want a TLS verification failure for api.groq.com:443, got %r" % msg),
                 (any(r["kind"] == "connect" and r["target"] == "api.groq.com:443" for r in new),
                  "the proxy saw no CONNECT api.groq.com:443 (a failed handshake must not leave a pooled tunnel)"),
                 (not any(r["kind"] == "request" and token in r["body"] for r in new),
                  "the request reached the fake despite the untrusted certificate"),
                 (k.mk not in data.decode("utf-8", "replace"), "gateway key in the error")]
            k.note("SSL_CERT_FILE of another CA: groq -> 502 TLS verification error (attempt %d)%s"
                   % (attempt, ": " + msg if attempt == 1 else ""), [t for ok, t in c if not ok], len(c))
        st, _, data = k.request("GET", "/health")
        k.note("still serving after TLS failures: /health 200", [] if st == 200 else ["got %d" % st], 1)
        tog = dict(byname["together_ai"], override="http://localhost:%d/v1" % plain, route="direct", scheme="http")
        k.chat(tog, tog["model"], tog["model_id"], key_of(pl, tog),
               "still serving: together_ai via NO_PROXY'd plain http answers")
    else:
        sys.exit("unknown mode %s" % mode)
    print("-- %s: %d passed, %d failed" % (mode, k.passed, k.failed))
    return k.failed == 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "plan":
        plan(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) >= 7 and sys.argv[1] == "check":
        return 0 if check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:]) else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
