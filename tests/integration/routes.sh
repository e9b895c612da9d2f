#!/bin/sh
# tests/integration/routes.sh — the routes beyond chat, against build/liter-llm
# api and a fake OpenAI upstream that checks what it receives
# (routes/fake.py, python3 stdlib): the official openai npm SDK
# (routes/sdk.mjs; the install api.sh makes in $B/npm) for transcriptions
# (multipart upload, byte-for-byte forwarding, json/text/srt/vtt, JSON +
# base64), rerank/search/ocr, files, batches, responses, embeddings (base64),
# models.retrieve 404; curl for malformed multipart (no boundary, bad
# boundary, truncated body, missing parts, ...) with their exact error bodies,
# and the server keeps serving. Loopback only, bounded time.
# Ends "N passed, N failed".
#   usage: sh tests/integration/routes.sh [build-dir]
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/$B/liter-llm
OUT=$ROOT/$B/it-routes
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
for tool in curl python3; do command -v $tool >/dev/null 2>&1 || { fail "needs $tool"; finish; }; done
[ -x "$BIN" ] || { fail "no $BIN"; finish; }

python3 tests/integration/routes/fake.py "$OUT/fake.port" & PIDS="$PIDS $!"
i=0; while [ ! -s "$OUT/fake.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
FP=$(cat "$OUT/fake.port")
[ -n "$FP" ] || { fail "fake upstream did not start"; finish; }
FAKE=http://127.0.0.1:$FP
MK=sk-master-routes-1
VK=vk-routes-limited-1
# the first entry is also the default account of files/batches/responses
# (proxy mode: no [files] section)
cat > "$OUT/gw.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
[server]
body_limit_bytes = 1048576
request_timeout_secs = 20
[[models]]
name = "stt"
provider_model = "openai/whisper-upstream"
base_url = "$FAKE/v1"
api_key = "sk-upstream-secret"
[[models]]
name = "emb"
provider_model = "openai/emb-upstream"
base_url = "$FAKE/v1"
api_key = "k"
[[models]]
name = "rr"
provider_model = "openai/rerank-upstream"
base_url = "$FAKE/v1"
api_key = "k"
[[models]]
name = "srch"
provider_model = "openai/search-upstream"
base_url = "$FAKE/v1"
api_key = "k"
[[models]]
name = "ocr"
provider_model = "openai/ocr-upstream"
base_url = "$FAKE/v1"
api_key = "k"
[[keys]]
key = "$VK"
models = ["emb"]
TOML

"$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0 > "$OUT/gw.log" 2>&1 &
GWPID=$!; PIDS="$PIDS $GWPID"
i=0; GP=""
while [ $i -lt 100 ]; do
	GP=$(sed -n 's/.*liter-llm proxy listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$OUT/gw.log")
	[ -n "$GP" ] && break
	sleep 0.05; i=$((i+1))
done
[ -n "$GP" ] && ok "gateway starts" || { fail "start" "$(cat "$OUT/gw.log")"; finish; }
U=http://127.0.0.1:$GP
AUTH="Authorization: Bearer $MK"
TR=$U/v1/audio/transcriptions

# check NAME EXPECTED_STATUS EXPECTED_BODY(or -, or prefix*) CURL-ARGS...
check() {
	name=$1 st=$2 bd=$3; shift 3
	res=$(curl -s -m 10 -o "$OUT/body" -w '%{http_code}' "$@")
	got=$(cat "$OUT/body")
	if [ "$res" != "$st" ]; then fail "$name" "status $res, body $got"; return; fi
	case "$bd" in
	-) ;;
	*\*) case "$got" in "${bd%\*}"*) ;; *) fail "$name" "body $got"; return ;; esac ;;
	*) if [ "$got" != "$bd" ]; then fail "$name" "body $got"; return; fi ;;
	esac
	ok "$name"
}
err() { printf '{"error":{"message":"%s","type":"BadRequest","param":null,"code":null}}' "$1"; }
errp() { printf '{"error":{"message":"%s*' "$1"; }

# --- the official SDK -----------------------------------------------------------------------
NODEMOD=$ROOT/$B/npm/node_modules
if [ ! -d "$NODEMOD/openai" ]; then
	# the same install as api.sh (one shared $B/npm)
	npm install --prefix "$ROOT/$B/npm" openai --no-audit --no-fund > "$OUT/npm.log" 2>&1 || true
fi
if [ -d "$NODEMOD/openai" ] && command -v node >/dev/null 2>&1; then
	OPENAI_NODE_MODULES=$NODEMOD timeout 120 node tests/integration/routes/sdk.mjs "$U" "$MK" "$FAKE" "$VK" > "$OUT/sdk.log" 2>&1
	cat "$OUT/sdk.log"
	line=$(tail -n 1 "$OUT/sdk.log")
	P=$((P + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0)); F=$((F + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
	echo "$line" | grep -q ' passed, ' || fail "sdk suite did not finish"
else
	fail "openai npm package unavailable (npm unreachable?)"
fi

# --- curl: well-formed uploads ----------------------------------------------------------------
printf 'RIFF\044\000\000\000WAVEfmt \020\000\000\000\001\000\001\000\100\037\000\000\200\076\000\000\002\000\020\000data\010\000\000\000\r\n--\r\n\000\377' > "$OUT/a.wav"
check "curl -F upload -> 200" 200 - "$TR" -H "$AUTH" -F model=stt -F file=@"$OUT/a.wav" -F response_format=json
python3 - "$OUT/body" "$OUT/a.wav" <<'EOF' && ok "curl upload: model rewritten, bytes identical" || fail "curl upload content" "$(cat "$OUT/body")"
import hashlib, json, sys
r = json.load(open(sys.argv[1])); wav = open(sys.argv[2], "rb").read()
assert r["x_model"] == "whisper-upstream" and r["x_sha256"] == hashlib.sha256(wav).hexdigest() and r["x_filename"] == "a.wav", r
EOF
check "curl -F, text answer" 200 "hello from fake" "$TR" -H "$AUTH" -F model=stt -F file=@"$OUT/a.wav" -F response_format=text
# a filename* (RFC 5987) part as urllib3 1.x sends it, quoted boundary, preamble and epilogue
printf 'preamble\r\n--a b\r\nContent-Disposition: form-data; name="model"\r\n\r\nstt\r\n--a b\r\nContent-Disposition: form-data; name="file"; filename*=utf-8'"''"'%%C3%%A9t%%C3%%A9.wav\r\nContent-Type: audio/wav\r\n\r\n' > "$OUT/ext.body"
cat "$OUT/a.wav" >> "$OUT/ext.body"
printf '\r\n--a b--\r\nepilogue' >> "$OUT/ext.body"
check "hand-made form (filename*, quoted boundary, preamble) -> 200" 200 - "$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary="a b"' --data-binary @"$OUT/ext.body"
python3 - "$OUT/body" "$OUT/a.wav" <<'EOF' && ok "hand-made form: filename* and bytes forwarded" || fail "hand-made form forwarded" "$(cat "$OUT/body")"
import hashlib, json, sys
r = json.load(open(sys.argv[1])); wav = open(sys.argv[2], "rb").read()
assert r["x_model"] == "whisper-upstream" and r["x_sha256"] == hashlib.sha256(wav).hexdigest(), r
assert r["x_filename"] == "\u00e9t\u00e9.wav" and r["x_file_ctype"] == "audio/wav", r
EOF

# --- curl: malformed multipart -> the specified 400/415/422 bodies -------------------------------
printf -- '--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\nstt\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF\r\n--xyz--\r\n' > "$OUT/good.body"
head -c 100 "$OUT/good.body" > "$OUT/trunc.body"
check "no boundary -> 400" 400 "$(err 'Invalid `boundary` for `multipart/form-data` request: no boundary parameter in the Content-Type')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data' --data-binary @"$OUT/good.body"
check "bad boundary -> 400" 400 "$(err 'Invalid `boundary` for `multipart/form-data` request: invalid boundary (1 to 70 characters of RFC 2046 bchars)')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary="x<y"' --data-binary @"$OUT/good.body"
check "boundary over 70 -> 400" 400 "$(errp 'Invalid `boundary`')" "$TR" -H "$AUTH" \
	-H "Content-Type: multipart/form-data; boundary=$(printf '%071d' 0)" --data-binary @"$OUT/good.body"
check "truncated body -> 400" 400 "$(err 'Error parsing `multipart/form-data` request: the body ends before the closing boundary (at byte 100)')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary @"$OUT/trunc.body"
check "wrong boundary -> 400" 400 "$(err 'Error parsing `multipart/form-data` request: the body does not start a part with the boundary (at byte 0)')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=other' --data-binary @"$OUT/good.body"
printf -- '--xyz\r\nContent-Disposition: form-data; name="model"\nX: y\r\n\r\nstt\r\n--xyz--\r\n' > "$OUT/lf.body"
check "bare LF in part headers -> 400" 400 "$(err 'Error parsing `multipart/form-data` request: malformed part header (at byte 51)')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary @"$OUT/lf.body"
check "empty body -> 400" 400 "$(errp 'Error parsing')" "$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary ''
check "missing file part -> 422" 422 "$(err 'missing field `file`')" "$TR" -H "$AUTH" -F model=stt -F language=en
check "missing model -> 422" 422 "$(err 'missing field `model`')" "$TR" -H "$AUTH" -F file=@"$OUT/a.wav"
check "file sent as text -> 422" 422 "$(err 'invalid type for `file`: string, expected a file')" "$TR" -H "$AUTH" -F model=stt -F "file=<$OUT/a.wav"
check "model twice -> 422" 422 "$(err 'duplicate field `model`')" "$TR" -H "$AUTH" -F model=stt -F model=emb -F file=@"$OUT/a.wav"
check "temperature not a number -> 422" 422 "$(err 'invalid type for `temperature`: string, expected a number')" "$TR" -H "$AUTH" -F model=stt -F file=@"$OUT/a.wav" -F temperature=warm
check "unknown model -> 404" 404 '{"error":{"message":"model '"'"'nope'"'"' not found","type":"NotFound","param":null,"code":null}}' "$TR" -H "$AUTH" -F model=nope -F file=@"$OUT/a.wav"
check "no auth -> 401" 401 - "$TR" -F model=stt -F file=@"$OUT/a.wav"
check "text/plain -> 415" 415 "$(err 'Expected request with `Content-Type: application/json` or `Content-Type: multipart/form-data`')" "$TR" -H "$AUTH" -H 'Content-Type: text/plain' -d 'x'
check "no content type -> 415" 415 - "$TR" -H "$AUTH" -H 'Content-Type:' -d 'x'
check "multipart on a JSON route -> 415" 415 "$(err 'Expected request with `Content-Type: application/json`')" "$U/v1/embeddings" -H "$AUTH" -F model=emb -F input=x
check "JSON: bad base64 -> 400" 400 "$(err 'bad request: `file` is not valid base64')" "$TR" -H "$AUTH" -H 'Content-Type: application/json' -d '{"model":"stt","file":"%%%"}'
check "JSON: missing file -> 422" 422 "$(err 'missing field `file`')" "$TR" -H "$AUTH" -H 'Content-Type: application/json' -d '{"model":"stt"}'
check "JSON: malformed -> 400" 400 - "$TR" -H "$AUTH" -H 'Content-Type: application/json' -d '{"model":'
python3 -c 'import sys; sys.stdout.write("--xyz\r\nContent-Disposition: form-data; name=\"model\"\r\nX: " + "y" * 9000 + "\r\n\r\nstt\r\n--xyz--\r\n")' > "$OUT/bighead.body"
check "part headers over the cap -> 400" 400 "$(err 'Error parsing `multipart/form-data` request: part headers too large (at byte 8199)')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary @"$OUT/bighead.body"
python3 -c '
import sys
sys.stdout.write("".join("--xyz\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n" % i for i in range(300)) + "--xyz--\r\n")' > "$OUT/many.body"
check "too many parts -> 400" 400 "$(errp 'Error parsing `multipart/form-data` request: too many parts')" \
	"$TR" -H "$AUTH" -H 'Content-Type: multipart/form-data; boundary=xyz' --data-binary @"$OUT/many.body"
# nothing malformed reached the upstream
python3 - "$FAKE" <<'EOF' && ok "malformed requests never reached the upstream" || fail "upstream saw a malformed request"
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/__log", timeout=5))
bad = [r for r in log if r["path"] == "/v1/audio/transcriptions" and "boundary=xyz" in r["ctype"]]
assert not bad, bad
EOF

check "/openapi.json" 200 - "$U/openapi.json"
python3 - "$OUT/body" <<'EOF' && ok "openapi: transcriptions take JSON or a form" || fail "openapi transcriptions" "$(cat "$OUT/body")"
import json, sys
d = json.load(open(sys.argv[1]))["paths"]
assert sorted(d["/v1/audio/transcriptions"]["post"]["requestBody"]["content"]) == ["application/json", "multipart/form-data"]
assert list(d["/v1/embeddings"]["post"]["requestBody"]["content"]) == ["application/json"]
EOF

# --- still serving -------------------------------------------------------------------------------
check "keeps serving: /health" 200 - "$U/health"
check "keeps serving: an upload after all that" 200 - "$TR" -H "$AUTH" -F model=stt -F file=@"$OUT/a.wav"
kill -TERM "$GWPID"; wait "$GWPID"; rc=$?
[ $rc = 0 ] && ok "SIGTERM: clean exit" || fail "SIGTERM" "rc=$rc"
if grep -q "sk-upstream-secret\|$MK" "$OUT/gw.log"; then fail "secrets in the log"; else ok "no secret in the log"; fi
finish
