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
. "$(dirname "$0")/lib/common.sh"
it_init it-routes "$1"
need_tools curl python3
need_bin

start_fake fake python3 tests/integration/routes/fake.py "$OUT/fake.port" || finish
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

start_gw "$OUT/gw.log" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0
[ -n "$GP" ] && ok "gateway starts" || { fail "start" "$(cat "$OUT/gw.log")"; finish; }
AUTH="Authorization: Bearer $MK"
TR=$U/v1/audio/transcriptions

# expected error bodies for check: err exact, errp a prefix
err() { printf '{"error":{"message":"%s","type":"BadRequest","param":null,"code":null}}' "$1"; }
errp() { printf '{"error":{"message":"%s*' "$1"; }

# --- the official SDK -----------------------------------------------------------------------
if npm_sdk openai; then
	suite "sdk suite" "$OUT/sdk.log" env OPENAI_NODE_MODULES="$NODEMOD" timeout 120 node tests/integration/routes/sdk.mjs "$U" "$MK" "$FAKE" "$VK"
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
stop_gw; rc=$?
[ $rc = 0 ] && ok "SIGTERM: clean exit" || fail "SIGTERM" "rc=$rc"
if grep -q "sk-upstream-secret\|$MK" "$OUT/gw.log"; then fail "secrets in the log"; else ok "no secret in the log"; fi
finish
