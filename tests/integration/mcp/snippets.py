#!/usr/bin/env python3
"""Tests the client config snippets of docs/mcp.md as written: every ```json
block with "mcpServers" (Claude Desktop, Cursor) or "servers" (VS Code) is
parsed, and each server's command + args are started (the build directory
first on PATH, /absolute/path/to/liter-llm-proxy.toml replaced by a real
config, env merged); the server must answer initialize and tools/list (22
tools) over stdio and exit 0 on end of input.
usage: snippets.py DOC BUILD_DIR CONFIG WORKDIR"""
import json, os, re, subprocess, sys

doc, bdir, cfg, work = sys.argv[1:5]
P = F = 0
text = open(doc).read()
blocks = re.findall(r"```json\n(.*?)```", text, re.S)
snips = []
for b in blocks:
    try:
        j = json.loads(b)
    except Exception:
        continue
    for key in ("mcpServers", "servers"):
        for name, s in (j.get(key) or {}).items():
            snips.append((key, name, s))
init = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"snippet","version":"1"}}}\n'
rest = b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n{"jsonrpc":"2.0","id":2,"method":"tools/list"}\n'
for i, (key, name, s) in enumerate(snips):
    label = "snippet %d (%s, args %s)" % (i + 1, key, " ".join(s.get("args", [])))
    env = dict(os.environ)
    env["PATH"] = os.path.abspath(bdir) + os.pathsep + env.get("PATH", "")
    env.update(s.get("env", {}))
    args = [a.replace("/absolute/path/to/liter-llm-proxy.toml", cfg) for a in s.get("args", [])]
    try:
        p = subprocess.run([s["command"]] + args, input=init + rest, capture_output=True, timeout=10, env=env, cwd=work)
        lines = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
        tools = [l for l in lines if l.get("id") == 2]
        n = len(tools[0]["result"]["tools"]) if tools else -1
        if p.returncode == 0 and lines and lines[0].get("result", {}).get("serverInfo", {}).get("name") == "liter-llm" and n == 22:
            P += 1
            print("ok " + label)
        else:
            F += 1
            print("FAIL %s: rc %s, %d tools, stderr %s" % (label, p.returncode, n, p.stderr[-300:]))
    except Exception as e:
        F += 1
        print("FAIL %s: %r" % (label, e))
if len(snips) < 3:
    F += 1
    print("FAIL expected at least 3 snippets in %s, found %d" % (doc, len(snips)))
print("%d passed, %d failed" % (P, F))
sys.exit(1 if F else 0)
