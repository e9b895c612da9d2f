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
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/$B/liter-llm
ASAN_BIN=$ROOT/$B/asan/liter-llm
OUT=$ROOT/$B/it-files
rm -rf "$OUT"; mkdir -p "$OUT"
P=0 F=0
PIDS=""
ok() { P=$((P + 1)); echo "ok $1"; }
fail() { F=$((F + 1)); echo "FAIL $1${2:+: $2}"; }
finish() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	echo "$P passed, $F failed"
	[ "$F" = 0 ]
	exit $?
}
trap 'finish' INT TERM
# add "N passed, M failed" of a sub-suite's last line
tally() {
	line=$(tail -n 1 "$1")
	P=$((P + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0)); F=$((F + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
	echo "$line" | grep -q ' passed, ' || fail "$2 did not finish"
}
for tool in curl python3 timeout; do command -v $tool >/dev/null 2>&1 || { fail "needs $tool"; finish; }; done
[ -x "$BIN" ] || { fail "no $BIN"; finish; }

python3 tests/integration/files/fake_provider.py "$OUT/fake.port" 2>"$OUT/fake.err" & PIDS="$PIDS $!"
i=0; while [ ! -s "$OUT/fake.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
FAKE=http://127.0.0.1:$(cat "$OUT/fake.port")
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

# start_gw LOG CMD...: start the gateway on an ephemeral port, set GP, GWPID, U
start_gw() {
	log=$1; shift
	"$@" > "$log" 2>&1 &
	GWPID=$!; PIDS="$PIDS $GWPID"
	i=0; GP=""
	while [ $i -lt 200 ]; do
		GP=$(sed -n 's/.*liter-llm proxy listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$GP" ] && break
		sleep 0.05; i=$((i+1))
	done
	U=http://127.0.0.1:$GP
}
stop_gw() {
	kill -TERM "$GWPID" 2>/dev/null
	i=0; while kill -0 "$GWPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
	kill -KILL "$GWPID" 2>/dev/null
	wait "$GWPID" 2>/dev/null
}
AUTH="Authorization: Bearer $MK"
JS="Content-Type: application/json"
# check NAME EXPECTED_STATUS EXPECTED_BODY(or -) CURL-ARGS...
check() {
	name=$1 st=$2 bd=$3; shift 3
	res=$(curl -s -m 20 -o "$OUT/body" -w '%{http_code}' "$@")
	got=$(cat "$OUT/body")
	if [ "$res" != "$st" ]; then fail "$name" "status $res, body $got"; return; fi
	if [ "$bd" != "-" ] && [ "$got" != "$bd" ]; then fail "$name" "body $got"; return; fi
	ok "$name"
}
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

NODEMOD=$ROOT/$B/npm/node_modules
if [ ! -d "$NODEMOD/openai" ] || [ ! -d "$NODEMOD/@modelcontextprotocol/sdk" ]; then
	npm install --prefix "$ROOT/$B/npm" openai @modelcontextprotocol/sdk --no-audit --no-fund > "$OUT/npm.log" 2>&1 || true
fi
HAVE_NODE=0
command -v node >/dev/null 2>&1 && [ -d "$NODEMOD/openai" ] && [ -d "$NODEMOD/@modelcontextprotocol/sdk" ] && HAVE_NODE=1
[ $HAVE_NODE = 1 ] || fail "node / openai / @modelcontextprotocol/sdk unavailable (npm unreachable?): SDK tests NOT RUN"

# ---- fs backend: the SDK, curl, the MCP tools on the same store -------------------------
start_gw "$OUT/gw1.log" "$BIN" api -c "$OUT/fs.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "fs: starts" || { fail "fs: start" "$(cat "$OUT/gw1.log")"; finish; }
grep -q "files: local store at $DIR" "$OUT/gw1.log" && ok "fs: store directory logged" || fail "fs: store log" "$(cat "$OUT/gw1.log")"

if [ $HAVE_NODE = 1 ]; then
	OPENAI_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/files/sdk.mjs "$U" "$MK" "$FAKE" fs "$OUT/keep-sdk.json" > "$OUT/sdk-fs.log" 2>&1
	cat "$OUT/sdk-fs.log"; tally "$OUT/sdk-fs.log" "sdk fs suite"
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
	MCP_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/files/mcp.mjs "$BIN" "$OUT/fs.toml" fs "$OUT/keep-sdk.json" "$OUT/keep-mcp.json" > "$OUT/mcp-fs.log" 2>&1
	cat "$OUT/mcp-fs.log"; tally "$OUT/mcp-fs.log" "mcp fs suite"
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
timeout 120 python3 tests/integration/files/stress.py verify "$U" "$MK" "$OUT/acks" > "$OUT/verify.log" 2>&1
cat "$OUT/verify.log"; tally "$OUT/verify.log" "kill -9 verification"
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
timeout 60 python3 tests/integration/files/stress.py abort "$U" "$MK" 60 > "$OUT/abort.log" 2>&1
cat "$OUT/abort.log"; tally "$OUT/abort.log" "abort suite"
if [ $HAVE_NODE = 1 ] && [ "$AB" = "$ASAN_BIN" ]; then
	OPENAI_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/files/sdk.mjs "$U" "$MK" "$FAKE" fs-asan "$OUT/keep-asan.json" > "$OUT/sdk-asan.log" 2>&1
	cat "$OUT/sdk-asan.log"; tally "$OUT/sdk-asan.log" "sdk suite (ASan)"
fi
stop_gw
grep -q 'AddressSanitizer\|runtime error' "$OUT/gw5.log" && fail "sanitizer report" "$(grep -m3 'ERROR\|runtime error' "$OUT/gw5.log")" || ok "no sanitizer report, clean exit"

# ---- memory backend -------------------------------------------------------------------------
start_gw "$OUT/gw6.log" "$BIN" api -c "$OUT/mem.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "memory: starts" || { fail "memory: start" "$(cat "$OUT/gw6.log")"; finish; }
if [ $HAVE_NODE = 1 ]; then
	OPENAI_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/files/sdk.mjs "$U" "$MK" "$FAKE" memory "$OUT/keep-mem.json" > "$OUT/sdk-mem.log" 2>&1
	cat "$OUT/sdk-mem.log"; tally "$OUT/sdk-mem.log" "sdk memory suite"
	MCP_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/files/mcp.mjs "$BIN" "$OUT/mem.toml" memory - "$OUT/keep-mcp-mem.json" > "$OUT/mcp-mem.log" 2>&1
	cat "$OUT/mcp-mem.log"; tally "$OUT/mcp-mem.log" "mcp memory suite"
fi
check "memory: files listed before the restart" 200 - "$U/v1/files" -H "$AUTH"
grep -q '"id":"file-lc-' "$OUT/body" && ok "memory: files are there" || fail "memory: no files" "$(cat "$OUT/body")"
stop_gw
start_gw "$OUT/gw7.log" "$BIN" api -c "$OUT/mem.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
check "memory: a restart loses every file (documented)" 200 '{"object":"list","data":[],"has_more":false}' "$U/v1/files" -H "$AUTH"
stop_gw

finish
