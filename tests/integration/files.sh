#!/bin/sh
# tests/integration/files.sh — `[files] mode = "local"` against the real
# binary: the official openai npm SDK (files/sdk.mjs: multipart create, list,
# retrieve, content, delete, provider-id fall-through, batch from a local
# file) on the fs and memory backends; the MCP file tools (files/mcp.mjs, MCP
# TypeScript SDK over stdio) on the same fs store while the api runs; curl
# for the JSON upload form and the request errors; restart keeps fs files
# (memory loses them); kill -9 during a stream of uploads loses no
# acknowledged file and shows no half file (files/stress.py); a full disk
# (RLIMIT_FSIZE) is a 503 that stores nothing; clients that hang up during
# uploads (against the ASan binary when built). A fake provider
# (files/fake_provider.py) takes the fall-through and batch calls.
# Loopback only. Ends "N passed, N failed".   usage: sh tests/integration/files.sh [build-dir]
. "$(dirname "$0")/lib/common.sh"
it_init it-files "$1"
ASAN_BIN=$BUILD/asan/liter-llm
need_tools curl python3 timeout
need_bin

start_fake fake python3 tests/integration/files/fake_provider.py "$OUT/fake.port" || finish
FAKE=http://127.0.0.1:$FP
MK=sk-master-files
VK=vk-files-limited
STORE=$OUT/store
DIR=$STORE/liter-llm-files

# cfg FILE BACKEND: a config whose default provider account is the fake
cfg() {
	{
		printf '[general]\nmaster_key = "%s"\nmax_retries = 0\n' "$MK"
		printf '[server]\nbody_limit_bytes = 1048576\nrequest_timeout_secs = 20\n'
		printf '[[models]]\nname = "m"\nprovider_model = "openai/m"\nbase_url = "%s/v1"\napi_key = "sk-provider"\n' "$FAKE"
		printf '[[keys]]\nkey = "%s"\nmodels = ["m"]\n' "$VK"
		printf '[files]\nmode = "local"\nbackend = "%s"\n' "$2"
		[ "$2" = fs ] && printf '[files.backend_config]\nroot = "%s"\n' "$STORE"
	} > "$1"
}
cfg "$OUT/fs.toml" fs
cfg "$OUT/mem.toml" memory

AUTH="Authorization: Bearer $MK"
JS="Content-Type: application/json"
# contents_match KEEPFILE: every {id, sha256, bytes} is listed and byte-identical
contents_match() {
	python3 - "$U" "$MK" "$1" <<'PY'
import hashlib, json, sys, urllib.request
u, k, f = sys.argv[1:4]
def get(p):
    return urllib.request.urlopen(urllib.request.Request(u + p, headers={"Authorization": "Bearer " + k}), timeout=20).read()
ids = {x["id"]: x for x in json.loads(get("/v1/files"))["data"]}
for w in json.load(open(f)):
    assert w["id"] in ids, "not listed: " + w["id"]
    assert ids[w["id"]]["bytes"] == w["bytes"] and ids[w["id"]]["filename"] == w["filename"], ids[w["id"]]
    assert hashlib.sha256(get("/v1/files/%s/content" % w["id"])).hexdigest() == w["sha256"], "content of " + w["id"]
PY
}

HAVE_NODE=0
npm_sdk openai @modelcontextprotocol/sdk && HAVE_NODE=1
# sdk NAME LOG MODE KEEP: files/sdk.mjs (openai SDK) against $U; mcp NAME LOG CONFIG MODE KEEP-IN KEEP-OUT: files/mcp.mjs
sdk() { suite "$1" "$OUT/$2" env OPENAI_NODE_MODULES="$NODEMOD" timeout 120 node tests/integration/files/sdk.mjs "$U" "$MK" "$FAKE" "$3" "$4"; }
mcp() { suite "$1" "$OUT/$2" env MCP_NODE_MODULES="$NODEMOD" timeout 120 node tests/integration/files/mcp.mjs "$BIN" "$3" "$4" "$5" "$6"; }

# ---- fs backend: the SDK, curl, the MCP tools on the same store -------------------------
start_gw "$OUT/gw1.log" "$BIN" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: starts" || { fail "fs: start" "$(cat "$OUT/gw1.log")"; finish; }
grep -q "files: local store at $DIR" "$OUT/gw1.log" && ok "fs: store directory logged" || fail "fs: store log" "$(cat "$OUT/gw1.log")"

if [ $HAVE_NODE = 1 ]; then
	sdk "sdk fs suite" sdk-fs.log fs "$OUT/keep-sdk.json"
fi

check "JSON upload (base64)" 200 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"aGVsbG8gd29ybGQ=","purpose":"fine-tune","filename":"a.txt"}'
JID=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bytes"]==11 and d["filename"]=="a.txt" and d["purpose"]=="fine-tune" and d["id"].startswith("file-lc-"); print(d["id"])' "$OUT/body" 2>/dev/null)
[ -n "$JID" ] && ok "JSON upload: FileObject" || fail "JSON upload: FileObject" "$(cat "$OUT/body")"
check "JSON upload: content" 200 "hello world" "$U/v1/files/$JID/content" -H "$AUTH"
check "JSON upload without filename -> upload" 200 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"eA==","purpose":"vision"}'
grep -q '"filename":"upload"' "$OUT/body" && ok "default filename" || fail "default filename" "$(cat "$OUT/body")"
check "bad base64 -> 400" 400 '{"error":{"message":"bad request: `file` is not valid base64","type":"BadRequest","param":null,"code":null}}' "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"***","purpose":"batch"}'
check "bad purpose -> 422" 422 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"aGk=","purpose":"nope"}'
check "missing purpose -> 422" 422 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"aGk="}'
check "invalid JSON -> 400" 400 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":'
check "multipart without purpose -> 422" 422 '{"error":{"message":"missing field `purpose`","type":"BadRequest","param":null,"code":null}}' "$U/v1/files" -H "$AUTH" -F "file=@$OUT/fs.toml"
check "malformed multipart -> 400" 400 - "$U/v1/files" -H "$AUTH" -H "Content-Type: multipart/form-data; boundary=xyz" --data-binary 'no delimiter here'
check "text/plain upload -> 415" 415 - "$U/v1/files" -H "$AUTH" -H "Content-Type: text/plain" -d 'x'
check "virtual key -> 403" 403 - "$U/v1/files" -H "Authorization: Bearer $VK"
check "virtual key on a local id -> 403" 403 - "$U/v1/files/$JID" -H "Authorization: Bearer $VK"
check "curl -F upload" 200 - "$U/v1/files" -H "$AUTH" -F purpose=assistants -F "file=@$OUT/fs.toml;filename=cfg.toml"
grep -q '"filename":"cfg.toml"' "$OUT/body" && ok "curl -F filename" || fail "curl -F filename" "$(cat "$OUT/body")"
check "list: bad limit -> 400" 400 - "$U/v1/files?limit=abc" -H "$AUTH"
check "list: limit 2, has_more" 200 - "$U/v1/files?limit=2" -H "$AUTH"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["object"]=="list" and len(d["data"])==2 and d["has_more"] is True' "$OUT/body" && ok "list: limit honoured" || fail "list: limit" "$(cat "$OUT/body")"
check "list: purpose=vision (percent-encoded key order)" 200 - "$U/v1/files?order=desc&purpose=vi%73ion" -H "$AUTH"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["data"])==1 and d["data"][0]["purpose"]=="vision"' "$OUT/body" && ok "list: purpose filter" || fail "list: purpose filter" "$(cat "$OUT/body")"
curl -s -o /dev/null -X DELETE "$U/v1/files/$JID" -H "$AUTH"
ls "$DIR" | grep -q "$JID" && fail "delete removes both files" "$(ls "$DIR")" || ok "delete removes both files"

if [ $HAVE_NODE = 1 ]; then
	# the MCP tools on the same directory while the api runs (the api owns the lock)
	mcp "mcp fs suite" mcp-fs.log "$OUT/fs.toml" fs "$OUT/keep-sdk.json" "$OUT/keep-mcp.json"
	# the api finds the MCP's file by id (it was not in its index)
	if [ -s "$OUT/keep-mcp.json" ]; then
		MID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$OUT/keep-mcp.json")
		check "api reads a file the MCP process stored" 200 "left by mcp" "$U/v1/files/$MID/content" -H "$AUTH"
	fi
fi

# ---- restart: fs keeps every file ---------------------------------------------------
stop_gw
start_gw "$OUT/gw2.log" "$BIN" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: restarts" || { fail "fs: restart" "$(cat "$OUT/gw2.log")"; finish; }
for k in keep-sdk keep-mcp; do
	[ -s "$OUT/$k.json" ] || continue
	out=$(contents_match "$OUT/$k.json" 2>&1) && ok "restart keeps the files ($k): listed, byte-identical" || fail "restart keeps ($k)" "$out"
done

# ---- kill -9 during a stream of uploads ---------------------------------------------------
: > "$OUT/acks"
timeout 30 python3 tests/integration/files/stress.py upload "$U" "$MK" "$OUT/acks" 5 4 > "$OUT/upload.log" 2>&1 &
UPID=$!
sleep 1.5
kill -KILL "$GWPID"; wait "$GWPID" 2>/dev/null
wait "$UPID"
cat "$OUT/upload.log"
[ "$(wc -l < "$OUT/acks")" -gt 0 ] && ok "uploads acknowledged before the kill: $(wc -l < "$OUT/acks")" || fail "no upload acknowledged before kill -9"
start_gw "$OUT/gw3.log" "$BIN" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: restarts after kill -9" || { fail "fs: restart after kill -9" "$(cat "$OUT/gw3.log")"; finish; }
suite "kill -9 verification" "$OUT/verify.log" timeout 120 python3 tests/integration/files/stress.py verify "$U" "$MK" "$OUT/acks"
ls "$DIR" | grep -q '\.tmp$' && fail "no tmp file left after the restart" "$(ls "$DIR" | grep '\.tmp$')" || ok "no tmp file left after the restart"
stop_gw

# ---- a full disk (file size limit): 503, nothing stored -----------------------------------
start_gw "$OUT/gw4.log" python3 -c 'import os, resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (262144, 262144))
os.execv(sys.argv[1], sys.argv[1:])' "$BIN" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: starts under a 256 KiB file size limit" || { fail "fs: start with RLIMIT_FSIZE" "$(cat "$OUT/gw4.log")"; finish; }
n0=$(ls "$DIR" | wc -l)
head -c 400000 /dev/urandom > "$OUT/big.bin"
check "full disk -> 503 ServiceUnavailable" 503 - "$U/v1/files" -H "$AUTH" -F purpose=batch -F "file=@$OUT/big.bin"
grep -q '"type":"ServiceUnavailable"' "$OUT/body" && grep -q 'files store is full' "$OUT/body" && ok "full disk: clear message" || fail "full disk message" "$(cat "$OUT/body")"
[ "$(ls "$DIR" | wc -l)" = "$n0" ] && ok "full disk: no file (not even a tmp) left" || fail "full disk left files" "$(ls -la "$DIR" | tail -5)"
curl -s -m 20 "$U/v1/files" -H "$AUTH" | grep -q '"bytes":400000' && fail "full disk: listed" || ok "full disk: not listed"
head -c 10000 /dev/urandom > "$OUT/small.bin"
check "full disk: a small file still fits" 200 - "$U/v1/files" -H "$AUTH" -F purpose=batch -F "file=@$OUT/small.bin"
kill -0 "$GWPID" 2>/dev/null && ok "full disk: the gateway is alive (SIGXFSZ ignored)" || fail "gateway died on SIGXFSZ"
stop_gw

# ---- clients hanging up mid-upload (ASan binary when built) -----------------------------
AB=$BIN; [ -x "$ASAN_BIN" ] && AB=$ASAN_BIN
start_gw "$OUT/gw5.log" "$AB" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: starts ($(basename "$(dirname "$AB")")/liter-llm)" || { fail "start $AB" "$(cat "$OUT/gw5.log")"; finish; }
suite "abort suite" "$OUT/abort.log" timeout 60 python3 tests/integration/files/stress.py abort "$U" "$MK" 60
if [ $HAVE_NODE = 1 ] && [ "$AB" = "$ASAN_BIN" ]; then
	sdk "sdk suite (ASan)" sdk-asan.log fs-asan "$OUT/keep-asan.json"
fi
stop_gw
grep -q 'AddressSanitizer\|runtime error' "$OUT/gw5.log" && fail "sanitizer report" "$(grep -m3 'ERROR\|runtime error' "$OUT/gw5.log")" || ok "no sanitizer report, clean exit"

# ---- memory backend -------------------------------------------------------------------------
start_gw "$OUT/gw6.log" "$BIN" api -c "$OUT/mem.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "memory: starts" || { fail "memory: start" "$(cat "$OUT/gw6.log")"; finish; }
if [ $HAVE_NODE = 1 ]; then
	sdk "sdk memory suite" sdk-mem.log memory "$OUT/keep-mem.json"
	mcp "mcp memory suite" mcp-mem.log "$OUT/mem.toml" memory - "$OUT/keep-mcp-mem.json"
fi
check "memory: files listed before the restart" 200 - "$U/v1/files" -H "$AUTH"
grep -q '"id":"file-lc-' "$OUT/body" && ok "memory: files are there" || fail "memory: no files" "$(cat "$OUT/body")"
stop_gw
start_gw "$OUT/gw7.log" "$BIN" api -c "$OUT/mem.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
check "memory: a restart loses every file (documented)" 200 '{"object":"list","data":[],"has_more":false}' "$U/v1/files" -H "$AUTH"
stop_gw

finish
