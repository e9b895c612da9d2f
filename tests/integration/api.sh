#!/bin/sh
# tests/integration/api.sh — drives build/liter-llm api against a fake
# OpenAI-compatible upstream (api/fake_upstream.py, python3 stdlib): the
# official openai npm SDK (api/sdk.mjs, installed into build/npm) for chat
# (non-stream, stream, dropped stream), pools, upstream errors, embeddings,
# models, images, moderations, speech, virtual keys; curl for malformed
# requests and the public routes; python for backpressure/disconnect; a
# zero-config instance; a Gemini instance (GEMINI_BASE_URL); bind failure;
# SIGTERM drain. Ends "N passed, N failed".
#   usage: sh tests/integration/api.sh [build-dir]
. "$(dirname "$0")/lib/common.sh"
it_init it-api "$1"
need_tools curl python3
need_bin

start_fake fake python3 tests/integration/api/fake_upstream.py "$OUT/fake.port" || finish
FAKE=http://127.0.0.1:$FP
MK=sk-master-test-123
VK=vk-limited-key-1
cat > "$OUT/gw.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
[server]
body_limit_bytes = 65536
request_timeout_secs = 2
cors_origins = ["https://app.example"]
[[models]]
name = "gpt-test"
provider_model = "openai/gpt-4o-upstream"
base_url = "$FAKE/v1"
api_key = "sk-provider-secret"
extra_headers = { "X-Title" = "liter-test" }
[[models]]
name = "pool"
provider_model = "openai/pool-a"
base_url = "$FAKE/v1"
api_key = "k"
[[models]]
name = "pool"
provider_model = "openai/pool-b"
base_url = "$FAKE/v1"
api_key = "k"
[[models]]
name = "emb"
provider_model = "openai/emb"
base_url = "$FAKE/v1"
api_key = "k"
TOML
for m in drop endless err-429 err-ctx err-502 hang img mod tts; do
	printf '[[models]]\nname = "%s"\nprovider_model = "openai/%s"\nbase_url = "%s/v1"\napi_key = "k"\n' "$m" "$m" "$FAKE" >> "$OUT/gw.toml"
done
printf '[[models]]\nname = "dead"\nprovider_model = "openai/dead"\nbase_url = "http://127.0.0.1:1/v1"\napi_key = "k"\n' >> "$OUT/gw.toml"
printf '[[keys]]\nkey = "%s"\nmodels = ["emb"]\n' "$VK" >> "$OUT/gw.toml"

start_gw "$OUT/gw.log" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2
[ -n "$GP" ] && ok "starts and logs its address" || { fail "start" "$(cat "$OUT/gw.log")"; finish; }
AUTH="Authorization: Bearer $MK"
JS="Content-Type: application/json"

CHAT=$U/v1/chat/completions
check "invalid JSON -> 400" 400 - "$CHAT" -H "$AUTH" -H "$JS" -d '{"model":'
check "wrong type (chat) -> 400 BadRequest" 400 '{"error":{"message":"invalid type for `temperature`: string, expected a number","type":"BadRequest","param":null,"code":null}}' "$CHAT" -H "$AUTH" -H "$JS" -d '{"model":"gpt-test","messages":[],"temperature":"hot"}'
check "bad message role -> 400" 400 - "$CHAT" -H "$AUTH" -H "$JS" -d '{"model":"gpt-test","messages":[{"role":"robot","content":"x"}]}'
check "missing model -> 400" 400 '{"error":{"message":"missing '"'"'model'"'"' field","type":"BadRequest","param":null,"code":null}}' "$CHAT" -H "$AUTH" -H "$JS" -d '{"messages":[]}'
check "wrong type (embeddings) -> 422" 422 - "$U/v1/embeddings" -H "$AUTH" -H "$JS" -d '{"model":"emb","input":5}'
check "unknown model -> 404" 404 '{"error":{"message":"model '"'"'nope'"'"' not found","type":"NotFound","param":null,"code":null}}' "$CHAT" -H "$AUTH" -H "$JS" -d '{"model":"nope","messages":[]}'
check "missing key -> 401" 401 '{"error":{"message":"Missing or invalid Authorization header","type":"Authentication","param":null,"code":null}}' "$CHAT" -H "$JS" -d '{}'
check "bearer lower-case -> 401" 401 - "$CHAT" -H "Authorization: bearer $MK" -H "$JS" -d '{}'
check "wrong key -> 401" 401 '{"error":{"message":"Invalid API key","type":"Authentication","param":null,"code":null}}' "$CHAT" -H "Authorization: Bearer sk-nope" -H "$JS" -d '{}'
check "virtual key on master-only route -> 403" 403 - "$U/v1/files" -H "Authorization: Bearer $VK"
head -c 70000 /dev/zero | tr '\0' 'a' > "$OUT/big"
check "oversized body -> 413" 413 - "$CHAT" -H "$AUTH" -H "$JS" --data-binary @"$OUT/big"
check "wrong content type -> 415" 415 - "$CHAT" -H "$AUTH" -H "Content-Type: text/plain" -d '{"model":"gpt-test","messages":[]}'
check "no content type -> 415" 415 - "$CHAT" -H "$AUTH" -H "Content-Type:" -d '{"model":"gpt-test","messages":[]}'
check "wrong method, no auth -> 401" 401 - -X GET "$CHAT"
check "wrong method -> 405" 405 "" -X GET "$CHAT" -H "$AUTH"
check "unknown path -> 404 empty" 404 "" "$U/v1/completions" -H "$AUTH"
check "unknown path, no auth -> 404" 404 "" "$U/whatever"
check "/health" 200 '{"status":"healthy","models":["gpt-test","pool","emb","drop","endless","err-429","err-ctx","err-502","hang","img","mod","tts","dead"]}' "$U/health"
check "/health/liveness" 200 "" "$U/health/liveness"
check "/health/readiness" 200 "" "$U/health/readiness"
check "/healthz" 200 - "$U/healthz"
grep -q '"version":"1.18.1"' "$OUT/body" && grep -q '"uptime_seconds":' "$OUT/body" && ok "/healthz body" || fail "/healthz body" "$(cat "$OUT/body")"
check "/readyz" 200 - "$U/readyz"
check "/openapi.json" 200 - "$U/openapi.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["info"]["title"]=="liter-llm Proxy" and d["openapi"].startswith("3.1") and "/v1/chat/completions" in d["paths"]' "$OUT/body" && ok "openapi document" || fail "openapi document"
check "POST /health -> 405" 405 "" -X POST "$U/health"
check "request timeout -> 504" 504 '{"error":{"message":"request timeout","type":"Timeout","param":null,"code":null}}' "$CHAT" -H "$AUTH" -H "$JS" -d '{"model":"hang","messages":[]}'
h=$(curl -s -i -X OPTIONS "$CHAT" -H "Origin: https://app.example" -H "Access-Control-Request-Method: POST" -H "Access-Control-Request-Headers: authorization")
echo "$h" | grep -qi '^access-control-allow-origin: https://app.example' && echo "$h" | head -1 | grep -q 200 && ok "CORS preflight" || fail "CORS preflight" "$h"
h=$(curl -s -i "$U/v1/models" -H "$AUTH" -H "Origin: https://app.example")
echo "$h" | grep -qi '^access-control-allow-origin: https://app.example' && ok "CORS on responses" || fail "CORS on responses" "$h"
h=$(curl -s -i "$U/v1/models" -H "$AUTH" -H "Origin: https://evil.example")
echo "$h" | grep -qi '^access-control-allow-origin' && fail "CORS foreign origin" "$h" || ok "CORS foreign origin gets no header"

# the official SDK (api/sdk.mjs MODE against the gateway at $U, its counts join ours)
HAVE_SDK=0
npm_sdk openai && HAVE_SDK=1
sdk() { suite "$1 sdk suite" "$OUT/$2" env OPENAI_NODE_MODULES="$NODEMOD" node tests/integration/api/sdk.mjs "$U" "$MK" "$FAKE" "$1"; }
[ $HAVE_SDK = 1 ] && sdk config sdk.log

# files/batches/responses with curl: the JSON + base64 upload form, the responses stream refusal
check "files: JSON base64 upload -> multipart upstream" 200 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"aGVsbG8gd29ybGQ=","purpose":"fine-tune","filename":"a.txt"}'
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bytes"]==11 and d["filename"]=="a.txt" and d["purpose"]=="fine-tune", d' "$OUT/body" && ok "files: upload object" || fail "files: upload object" "$(cat "$OUT/body")"
check "files: bad base64 -> 400" 400 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"***","purpose":"batch"}'
check "files: bad purpose -> 422" 422 - "$U/v1/files" -H "$AUTH" -H "$JS" -d '{"file":"aGk=","purpose":"nope"}'
check "responses: stream -> 400" 400 - "$U/v1/responses" -H "$AUTH" -H "$JS" -d '{"model":"gpt-4o","input":"hi","stream":true}'
grep -q '"type":"BadRequest"' "$OUT/body" && ok "responses stream refusal is BadRequest" || fail "responses stream body" "$(cat "$OUT/body")"
check "batches: missing field -> 422" 422 - "$U/v1/batches" -H "$AUTH" -H "$JS" -d '{"endpoint":"/v1/chat/completions"}'
check "file content: upstream 404 -> 404 NotFound" 404 - "$U/v1/files/file-none/content" -H "$AUTH"

python3 tests/integration/api/disconnect.py "$GP" "$MK" "$FP" > "$OUT/disc.log" 2>&1 && ok "stream backpressure + disconnect cancels upstream" || fail "disconnect" "$(cat "$OUT/disc.log")"
check "keeps serving after all that" 200 - "$U/health"

# bind failure
"$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port "$GP" > "$OUT/bind.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^Error: failed to bind 127.0.0.1:$GP" "$OUT/bind.log" && ok "bind failure -> exit 1" || fail "bind failure" "rc=$rc $(cat "$OUT/bind.log")"
# graceful drain
stop_gw; rc=$?
[ $rc = 0 ] && grep -q "graceful shutdown complete" "$OUT/gw.log" && ok "SIGTERM: graceful shutdown, exit 0" || fail "SIGTERM" "rc=$rc"
if grep -q "sk-provider-secret\|$MK" "$OUT/gw.log"; then fail "secrets in the log"; else ok "no secret in the log"; fi

# Anthropic (native Messages API at a literal-IP fake) and retries: a second instance
cat > "$OUT/gw2.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 2
TOML
for m in claude:claude-3-5-haiku-latest claude-err:claude-err claude-overloaded:claude-overloaded claude-stream-err:claude-stream-err; do
	printf '[[models]]\nname = "%s"\nprovider_model = "anthropic/%s"\nbase_url = "%s/v1"\napi_key = "sk-ant-test"\n' "${m%%:*}" "${m#*:}" "$FAKE" >> "$OUT/gw2.toml"
done
for m in flaky flaky503; do
	printf '[[models]]\nname = "%s"\nprovider_model = "openai/%s"\nbase_url = "%s/v1"\napi_key = "k"\n' "$m" "$m" "$FAKE" >> "$OUT/gw2.toml"
done
start_gw "$OUT/gw2.log" "$BIN" api -c "$OUT/gw2.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ] && [ $HAVE_SDK = 1 ]; then
	sdk anthropic sdk2.log
	stop_gw
	grep -q "sk-ant-test" "$OUT/gw2.log" && fail "anthropic key in the log" || ok "no anthropic key in the log"
else
	fail "anthropic instance" "$(cat "$OUT/gw2.log")"
fi

# Google AI Studio (native generateContent) at the fake through GEMINI_BASE_URL:
# a base_url in the entry would make it generic `custom`
cat > "$OUT/gw3.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
TOML
for m in gemini-flash:gemini-fake gemini-cut:gemini-stream-cut gemini-err:gemini-err; do
	printf '[[models]]\nname = "%s"\nprovider_model = "gemini/%s"\napi_key = "gm-test-key"\n' "${m%%:*}" "${m#*:}" >> "$OUT/gw3.toml"
done
printf '[[models]]\nname = "gemini-badkey"\nprovider_model = "gemini/gemini-fake"\napi_key = "wrong"\n' >> "$OUT/gw3.toml"
start_gw "$OUT/gw3.log" env GEMINI_BASE_URL="$FAKE/v1beta" "$BIN" api -c "$OUT/gw3.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ] && [ $HAVE_SDK = 1 ]; then
	sdk gemini sdk3.log
	stop_gw
	grep -q "gm-test-key" "$OUT/gw3.log" && fail "gemini key in the log" || ok "no gemini key in the log"
elif [ -n "$GP" ]; then
	stop_gw
else
	fail "gemini instance" "$(cat "$OUT/gw3.log")"
fi

# a base URL pointing back at the gateway itself is refused at start
LP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[general]\nmaster_key = "%s"\n[[models]]\nname = "loop"\nprovider_model = "openai/x"\nbase_url = "http://localhost:%s/v1"\napi_key = "k"\n' "$MK" "$LP" > "$OUT/loop.toml"
"$BIN" api -c "$OUT/loop.toml" --host 0.0.0.0 --port "$LP" > "$OUT/loop.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^Error: base URL 'http://localhost:$LP/v1' of model 'loop'.*request loop" "$OUT/loop.log" && ok "self-pointing base_url refused (exit 1)" || fail "self loop" "rc=$rc $(cat "$OUT/loop.log")"
mkdir -p "$OUT/zero"
cd "$OUT/zero" || finish
env OPENAI_API_KEY=k OPENAI_BASE_URL="http://127.0.0.1:$LP/v1" LITER_LLM_MASTER_KEY="$MK" "$BIN" api --host 127.0.0.1 --port "$LP" > "$OUT/loop2.log" 2>&1
rc=$?
cd "$ROOT" || finish
[ $rc = 1 ] && grep -q "^Error: .*OPENAI_BASE_URL.*request loop" "$OUT/loop2.log" && ok "self-pointing OPENAI_BASE_URL refused (exit 1)" || fail "self loop env" "rc=$rc $(cat "$OUT/loop2.log")"

# zero-config: no config file anywhere up the tree, keys from the environment
mkdir -p "$OUT/zero"
cd "$OUT/zero" || finish
start_gw "$OUT/zero.log" env OPENAI_API_KEY=sk-zero-env-key OPENAI_BASE_URL="$FAKE/v1" LITER_LLM_MASTER_KEY="$MK" "$BIN" api --host 127.0.0.1 --port 0
cd "$ROOT" || finish
if [ -n "$GP" ]; then
	ok "zero-config starts"
	check "zero-config /readyz" 200 - "$U/readyz"
	check "zero-config bare name -> 404" 404 - "$U/v1/chat/completions" -H "$AUTH" -H "$JS" -d '{"model":"gpt-4o","messages":[]}'
	[ $HAVE_SDK = 1 ] && sdk zero sdk0.log
	stop_gw
else
	fail "zero-config start" "$(cat "$OUT/zero.log")"
fi
# no key at all: not ready
cd "$OUT/zero" || finish
start_gw "$OUT/zero2.log" env -u OPENAI_API_KEY LITER_LLM_MASTER_KEY="$MK" "$BIN" api --host 127.0.0.1 --port 0
cd "$ROOT" || finish
if [ -n "$GP" ]; then
	check "no provider: /readyz 503" 503 '{"status":"not_ready","failed_probe":"service_pool","reason":"no upstream models are configured"}' "http://127.0.0.1:$GP/readyz"
	check "no provider: /health degraded" 200 '{"status":"degraded","models":[]}' "http://127.0.0.1:$GP/health"
	stop_gw
fi
finish
