#!/usr/bin/env python3
"""gen_providers.py - generate the provider registry (and the pricing table)
as compact const C tables. Python 3 standard library only.

  python3 tools/gen_providers.py PROVIDERS_TSV [-o src/providers/registry_gen.c]
          [--pricing tools/pricing.tsv --pricing-out src/providers/pricing_gen.c]

PROVIDERS_TSV is the shared spec's providers.tsv (165 rows, 11 columns:
name, display_name, base_url, auth, api_key_env, endpoints, model_prefixes,
param_mappings, streaming_format, complex, routing). Rows keep their registry
order (detection step 12 walks them in that order); a second array indexes
them by name in strcmp order for O(log n) lookup.

The pricing TSV (hand-maintained, see its header) becomes a table sorted by
(provider, model) plus a strcmp-sorted key index ("provider/model" for every
entry, the bare model id for the providers whose ids are looked up bare).

Every input problem is a hard error: unknown routing class, auth value,
endpoint family, stream format, duplicate names, counts that do not match.
"""
import argparse
import decimal
import os
import re
import sys

COLUMNS = ["name", "display_name", "base_url", "auth", "api_key_env", "endpoints",
           "model_prefixes", "param_mappings", "streaming_format", "complex", "routing"]

ENDPOINTS = ["chat", "embedding", "audio", "image", "rerank", "search", "batch",
             "moderation", "completion", "ocr", "files"]

# registry auth column -> provider_reg_auth enumerator
REG_AUTH = {
    "Authorization: Bearer": "PROVIDER_REG_AUTH_BEARER",
    "none": "PROVIDER_REG_AUTH_NONE",
    "unspecified (Bearer default)": "PROVIDER_REG_AUTH_UNSPECIFIED",
    # providers.md: api-key/header/x-api-key render as `x-api-key` (no row uses them today)
    "api-key": "PROVIDER_REG_AUTH_X_API_KEY",
    "header": "PROVIDER_REG_AUTH_X_API_KEY",
    "x-api-key": "PROVIDER_REG_AUTH_X_API_KEY",
}
# what the registry auth renders as when the row is routed as OpenAI-compatible
AUTH_OF_REG = {
    "PROVIDER_REG_AUTH_BEARER": "PROVIDER_AUTH_BEARER",
    "PROVIDER_REG_AUTH_UNSPECIFIED": "PROVIDER_AUTH_BEARER",
    "PROVIDER_REG_AUTH_NONE": "PROVIDER_AUTH_NONE",
    "PROVIDER_REG_AUTH_X_API_KEY": "PROVIDER_AUTH_X_API_KEY",
}

STREAM = {"sse": "PROVIDER_STREAM_SSE", "aws_event_stream": "PROVIDER_STREAM_AWS_EVENT_STREAM"}

# rows that the routing column hands to a native adapter (providers.md, 10 rows)
NATIVE = {
    "openai": "PROVIDER_ADAPTER_OPENAI",
    "anthropic": "PROVIDER_ADAPTER_ANTHROPIC",
    "azure": "PROVIDER_ADAPTER_AZURE",
    "vertex_ai": "PROVIDER_ADAPTER_VERTEX",
    "bedrock": "PROVIDER_ADAPTER_BEDROCK",
    "cohere": "PROVIDER_ADAPTER_COHERE",
    "cohere_chat": "PROVIDER_ADAPTER_COHERE",
    "mistral": "PROVIDER_ADAPTER_MISTRAL",
    "gemini": "PROVIDER_ADAPTER_GEMINI",
    "github_copilot": "PROVIDER_ADAPTER_COPILOT",
}

EXPECT_ROWS = 165
EXPECT_CLASS = {"native": 10, "compat": 108, "none": 47}
EXPECT_PARAM_ROWS = 23

# pricing: providers whose model ids are also looked up bare (governance.md:
# upstream keys bare ids for its anthropic, google and openai providers;
# Google AI Studio is `gemini` in this registry)
PRICING_BARE = {"openai", "anthropic", "gemini"}


def die(msg):
    sys.stderr.write("gen_providers: %s\n" % msg)
    sys.exit(1)


def c_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        else:
            die("non-ASCII or control character in %r" % s)
    out.append('"')
    return "".join(out)


def env_name(name):
    return re.sub(r"[^A-Z0-9]", "_", name.upper()) + "_BASE_URL"


def classify(row):
    routing = row["routing"]
    name = row["name"]
    if routing.startswith("not routable"):
        if name in NATIVE:
            die("row %s: native adapter row marked not routable" % name)
        return "none"
    if routing.startswith("openai-compatible"):
        if name in NATIVE:
            die("row %s: native adapter row marked openai-compatible" % name)
        return "compat"
    if name in NATIVE and "NATIVE" in routing:
        return "native"
    die("row %s: routing column not understood: %r" % (name, routing))


def read_tsv(path, ncols):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        die("%s: %s" % (path, e))
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    for no, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        rows.append((no, line.split("\t")))
    return rows


def load_providers(path):
    raw = read_tsv(path, len(COLUMNS))
    if not raw or raw[0][1] != COLUMNS:
        die("%s: header must be %s" % (path, "\t".join(COLUMNS)))
    rows = []
    seen = set()
    for no, cols in raw[1:]:
        if len(cols) != len(COLUMNS):
            die("%s:%d: %d columns, expected %d" % (path, no, len(cols), len(COLUMNS)))
        r = dict(zip(COLUMNS, cols))
        if not r["name"] or r["name"] in seen:
            die("%s:%d: empty or duplicate name %r" % (path, no, r["name"]))
        seen.add(r["name"])
        if r["auth"] not in REG_AUTH:
            die("%s:%d: unknown auth %r" % (path, no, r["auth"]))
        if r["streaming_format"] not in STREAM:
            die("%s:%d: unknown streaming_format %r" % (path, no, r["streaming_format"]))
        if r["complex"] not in ("yes", "no"):
            die("%s:%d: complex must be yes/no" % (path, no))
        eps = [e for e in r["endpoints"].split(",") if e]
        for e in eps:
            if e not in ENDPOINTS:
                die("%s:%d: unknown endpoint family %r" % (path, no, e))
        r["endpoint_list"] = eps
        r["prefix_list"] = [p for p in r["model_prefixes"].split(",") if p]
        maps = []
        for m in [m for m in r["param_mappings"].split(",") if m]:
            if "->" not in m:
                die("%s:%d: param mapping %r is not from->to" % (path, no, m))
            a, b = m.split("->", 1)
            maps.append((a, b))
        r["maps"] = maps
        if r["base_url"] and not re.match(r"^https?://[^\s]+$", r["base_url"]):
            die("%s:%d: base_url %r is not an http(s) URL" % (path, no, r["base_url"]))
        if r["api_key_env"] and not re.match(r"^[A-Z][A-Z0-9_]*$", r["api_key_env"]):
            die("%s:%d: api_key_env %r is not an env var name" % (path, no, r["api_key_env"]))
        r["class"] = classify(r)
        if r["class"] == "compat" and (not r["base_url"] or r["complex"] == "yes"):
            die("%s:%d: openai-compatible row without base_url or complex" % (path, no))
        rows.append(r)
    if len(rows) != EXPECT_ROWS:
        die("%s: %d rows, expected %d" % (path, len(rows), EXPECT_ROWS))
    counts = {k: sum(1 for r in rows if r["class"] == k) for k in EXPECT_CLASS}
    if counts != EXPECT_CLASS:
        die("%s: class counts %s, expected %s" % (path, counts, EXPECT_CLASS))
    pm = sum(1 for r in rows if r["maps"])
    if pm != EXPECT_PARAM_ROWS:
        die("%s: %d rows with param_mappings, expected %d" % (path, pm, EXPECT_PARAM_ROWS))
    envs = set()
    for r in rows:
        e = env_name(r["name"])
        if e in envs:
            die("base-URL env var %s is ambiguous" % e)
        envs.add(e)
    return rows


def gen_registry(rows, src, out):
    o = []
    w = o.append
    w("/* registry_gen.c — generated by tools/gen_providers.py from shared spec providers.tsv — do not edit.")
    w(" * Source: %s (%d rows). Regenerate with `make regen`. */" % (os.path.basename(src), len(rows)))
    w('#include "providers/provider_private.h"')
    w("")
    # shared param-mapping arrays
    maps = {}
    for r in rows:
        key = tuple(r["maps"])
        if key and key not in maps:
            maps[key] = "pm_%d" % len(maps)
    for key, ident in maps.items():
        w("static const provider_param_map %s[] = {" % ident)
        for a, b in key:
            w("\t{ %s, %s }," % (c_str(a), c_str(b)))
        w("};")
    w("")
    for i, r in enumerate(rows):
        if r["prefix_list"]:
            w("static const char *const px_%d[] = { %s };" % (i, ", ".join(c_str(p) for p in r["prefix_list"])))
    w("")
    w("const provider_row provider_rows[PROVIDER_ROWS] = {")
    for i, r in enumerate(rows):
        ep = " | ".join("PROVIDER_EP_" + e.upper() for e in r["endpoint_list"]) or "0"
        cls = {"native": "PROVIDER_NATIVE", "compat": "PROVIDER_OPENAI_COMPAT", "none": "PROVIDER_NOT_ROUTABLE"}[r["class"]]
        adapter = {"native": NATIVE.get(r["name"]), "compat": "PROVIDER_ADAPTER_COMPAT",
                   "none": "PROVIDER_ADAPTER_NONE"}[r["class"]]
        reg_auth = REG_AUTH[r["auth"]]
        w("\t{ /* %d */" % i)
        w("\t\t.name = %s, .display_name = %s," % (c_str(r["name"]), c_str(r["display_name"])))
        w("\t\t.base_url = %s, .api_key_env = %s, .base_url_env = %s," %
          (c_str(r["base_url"]), c_str(r["api_key_env"]), c_str(env_name(r["name"]))))
        w("\t\t.prefixes = %s, .n_prefixes = %d," % (("px_%d" % i) if r["prefix_list"] else "NULL", len(r["prefix_list"])))
        w("\t\t.param_maps = %s, .n_param_maps = %d," % (maps[tuple(r["maps"])] if r["maps"] else "NULL", len(r["maps"])))
        w("\t\t.endpoints = %s," % ep)
        w("\t\t.reg_auth = %s, .auth = %s, .stream_format = %s," % (reg_auth, AUTH_OF_REG[reg_auth], STREAM[r["streaming_format"]]))
        w("\t\t.klass = %s, .adapter = %s, .complex = %s }," % (cls, adapter, "true" if r["complex"] == "yes" else "false"))
    w("};")
    w("")
    order = sorted(range(len(rows)), key=lambda i: rows[i]["name"].encode())
    w("/* indexes into provider_rows, names in strcmp order */")
    w("const uint8_t provider_by_name[PROVIDER_ROWS] = {")
    for k in range(0, len(order), 16):
        w("\t" + ", ".join(str(i) for i in order[k:k + 16]) + ",")
    w("};")
    w("")
    return o


def fmt_rate(v):
    """A per-token rate (Decimal) as an exact decimal C literal."""
    if v is None:
        return "-1.0"
    if v == 0:
        return "0.0"
    sign, digits, exp = v.normalize().as_tuple()
    mant = "".join(str(d) for d in digits)
    if len(mant) > 1:
        mant = mant[0] + "." + mant[1:]
    return "%s%se%d" % ("-" if sign else "", mant, exp + len(digits) - 1)


def load_pricing(path, rows):
    names = {r["name"] for r in rows} | {"google_ai"}
    raw = read_tsv(path, 0)
    hdr = ["provider", "model", "input_per_mtok", "output_per_mtok", "cache_read_per_mtok",
           "cache_write_per_mtok", "tiers"]
    body = [(no, c) for no, c in raw if c and c[0] and not c[0].startswith("#")]
    if not body or body[0][1] != hdr:
        die("%s: first non-comment line must be the header %s" % (path, "\t".join(hdr)))
    ents = []
    seen = set()
    for no, cols in body[1:]:
        if len(cols) != len(hdr):
            die("%s:%d: %d columns, expected %d" % (path, no, len(cols), len(hdr)))
        p, m = cols[0], cols[1]
        if p not in names:
            die("%s:%d: provider %r is not a registry name" % (path, no, p))
        if not m or (p, m) in seen:
            die("%s:%d: empty or duplicate model %r" % (path, no, m))
        seen.add((p, m))

        def rate(s, what, optional):
            if s == "":
                if optional:
                    return None
                die("%s:%d: %s is required" % (path, no, what))
            try:
                v = decimal.Decimal(s)
            except decimal.InvalidOperation:
                die("%s:%d: %s %r is not a number" % (path, no, what, s))
            if not v.is_finite() or v < 0:
                die("%s:%d: %s must be a number >= 0" % (path, no, what))
            return v.scaleb(-6)  # per million tokens -> per token, exact
        tiers = []
        if cols[6]:
            for t in cols[6].split(","):
                parts = t.split(":")
                if len(parts) != 3:
                    die("%s:%d: tier %r is not min_tokens:input:output" % (path, no, t))
                try:
                    mt = int(parts[0])
                except ValueError:
                    die("%s:%d: tier threshold %r" % (path, no, parts[0]))
                tiers.append((mt, rate(parts[1], "tier input", False), rate(parts[2], "tier output", False)))
            if [t[0] for t in tiers] != sorted(set(t[0] for t in tiers)):
                die("%s:%d: tiers must be strictly ascending" % (path, no))
        ents.append({"provider": p, "model": m,
                     "in": rate(cols[2], "input_per_mtok", False),
                     "out": rate(cols[3], "output_per_mtok", False),
                     "cr": rate(cols[4], "cache_read_per_mtok", True),
                     "cw": rate(cols[5], "cache_write_per_mtok", True),
                     "tiers": tiers})
    ents.sort(key=lambda e: (e["provider"].encode(), e["model"].encode()))
    keys = {}
    for i, e in enumerate(ents):
        for k in [e["provider"] + "/" + e["model"]] + ([e["model"]] if e["provider"] in PRICING_BARE else []):
            if k in keys:
                die("%s: pricing key %r is ambiguous" % (path, k))
            keys[k] = i
    return ents, keys


def gen_pricing(ents, keys, src):
    o = []
    w = o.append
    w("/* pricing_gen.c — generated by tools/gen_providers.py from %s — do not edit." % os.path.basename(src))
    w(" * Rates are USD per token (the TSV writes USD per million tokens). Regenerate with `make regen`. */")
    w('#include "providers/pricing_private.h"')
    w("")
    for i, e in enumerate(ents):
        if e["tiers"]:
            w("static const pricing_tier tiers_%d[] = {" % i)
            for mt, a, b in e["tiers"]:
                w("\t{ %dull, %s, %s }," % (mt, fmt_rate(a), fmt_rate(b)))
            w("};")
    w("")
    w("const size_t pricing_n_entries = %d;" % len(ents))
    w("const size_t pricing_n_keys = %d;" % len(keys))
    w("")
    w("const pricing_entry pricing_entries[] = {")
    for i, e in enumerate(ents):
        w("\t{ %s, %s, %s, %s, %s, %s, %s, %d }," % (
            c_str(e["provider"]), c_str(e["model"]), fmt_rate(e["in"]), fmt_rate(e["out"]),
            fmt_rate(e["cr"]), fmt_rate(e["cw"]), ("tiers_%d" % i) if e["tiers"] else "NULL", len(e["tiers"])))
    w("};")
    w("")
    w("/* lookup keys in strcmp order -> index into pricing_entries */")
    w("const pricing_key pricing_keys[] = {")
    for k in sorted(keys, key=lambda s: s.encode()):
        w("\t{ %s, %d }," % (c_str(k), keys[k]))
    w("};")
    w("")
    return o


def write(path, lines):
    text = "\n".join(lines).rstrip("\n") + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tsv", help="shared spec providers.tsv")
    ap.add_argument("-o", "--out", default="src/providers/registry_gen.c")
    ap.add_argument("--pricing", help="pricing TSV (tools/pricing.tsv)")
    ap.add_argument("--pricing-out", default="src/providers/pricing_gen.c")
    a = ap.parse_args()
    rows = load_providers(a.tsv)
    write(a.out, gen_registry(rows, a.tsv, a.out))
    counts = {k: sum(1 for r in rows if r["class"] == k) for k in EXPECT_CLASS}
    print("gen_providers: %s: %d rows (native %d, openai-compatible %d, not routable %d)" % (
        a.out, len(rows), counts["native"], counts["compat"], counts["none"]))
    if a.pricing:
        ents, keys = load_pricing(a.pricing, rows)
        write(a.pricing_out, gen_pricing(ents, keys, a.pricing))
        print("gen_providers: %s: %d models, %d lookup keys" % (a.pricing_out, len(ents), len(keys)))


if __name__ == "__main__":
    main()
