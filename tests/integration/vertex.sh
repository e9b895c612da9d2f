#!/bin/sh
# tests/integration/vertex.sh — minted upstream credentials end to end:
# Google Vertex AI with a service-account key (an RSA key pair made here
# with openssl; the JWT-bearer exchange at a fake OAuth endpoint that checks
# the signature with `openssl dgst -verify` and the claims), Vertex chat
# (non-stream, stream), Vertex and AI Studio embeddings, one exchange for
# concurrent first calls and reuse by later ones, a refused exchange -> 401,
# refresh before and after expiry, the GitHub Copilot token exchange, an MCP
# tools/call through the same path, node's crypto.verify on a JWT the binary
# produced, start-up errors for unusable credentials files, no secrets in the
# logs. Fakes: vertex/fake_google.py (python3 stdlib); client: the official
# openai npm SDK (vertex/sdk.mjs, installed into build/npm like api.sh).
# Loopback only. Ends "N passed, N failed".
#   usage: sh tests/integration/vertex.sh [build-dir]
. "$(dirname "$0")/lib/common.sh"
it_init it-vertex "$1"
# the whole script is bounded: a watchdog ends it after 240 s
( i=0; while [ $i -lt 240 ]; do sleep 1; i=$((i+1)); done; echo "FAIL watchdog: vertex.sh took over 240 s"; kill -TERM $$ ) &
WD=$!
track $WD
need_tools curl python3 openssl node
need_bin

# a key pair made now: the service account's key and the fake's public key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/sa-key.pem" 2>/dev/null &&
	openssl pkey -in "$OUT/sa-key.pem" -pubout -out "$OUT/sa-pub.pem" 2>/dev/null &&
	ok "openssl made an RSA key pair" || { fail "openssl genpkey"; finish; }

start_fake fake python3 tests/integration/vertex/fake_google.py "$OUT/fake.port" "$OUT/sa-pub.pem" "$OUT" || finish
FAKE=http://127.0.0.1:$FP
MK=sk-master-vertex-1

# sa_file NAME TOKEN_PATH: a service-account JSON file whose token_uri is the fake
sa_file() {
	python3 - "$OUT/sa-key.pem" "$FAKE$2" > "$OUT/$1" <<'PY'
import json, sys
print(json.dumps({"type": "service_account", "project_id": "proj", "private_key_id": "test-key-1",
                  "private_key": open(sys.argv[1]).read(), "client_email": "liter-test@proj.iam.gserviceaccount.com",
                  "client_id": "1234", "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                  "token_uri": sys.argv[2]}, indent=2))
PY
}
sa_file sa.json "/token?slow=300"
sa_file sa-fail.json "/token?fail=1"
sa_file sa-short.json "/token?expires_in=2"

cat > "$OUT/gw.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
[[models]]
name = "vx"
provider_model = "vertex_ai/gemini-2.5-flash"
[[models]]
name = "vx-emb"
provider_model = "vertex_ai/text-embedding-005"
[[models]]
name = "gm-emb"
provider_model = "gemini/text-embedding-004"
api_key = "gm-test-key"
[[models]]
name = "cp"
provider_model = "github_copilot/gpt-4o"
api_key = "ghu_test"
[[models]]
name = "cp-bad"
provider_model = "github_copilot/gpt-4o"
api_key = "ghu_wrong"
TOML

VBASE="$FAKE/v1/projects/proj/locations/us-central1"
# run_env SA-FILE CMD...: exec CMD in the gateway's environment (no other credentials
# leak in); an exec, so that CMD is the process started: call it in the background
# or in a subshell
run_env() {
	sa=$1; shift
	exec env -i PATH="$PATH" HOME="$OUT" GOOGLE_APPLICATION_CREDENTIALS="$OUT/$sa" VERTEX_AI_BASE_URL="$VBASE" \
		GEMINI_BASE_URL="$FAKE/v1beta" GITHUB_COPILOT_API_BASE="$FAKE/copilot" \
		GITHUB_COPILOT_TOKEN_URL="$FAKE/copilot_internal/v2/token" "$@"
}
# start_vx LOG SA-FILE: the gateway on an ephemeral port (2 workers); sets GP, GWPID
start_vx() { start_gw "$1" run_env "$2" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0 --tokio-worker-threads 2; }
# no_secrets LOG: neither the private key, nor minted tokens, nor GitHub tokens in a log
no_secrets() {
	k=$(sed -n 2p "$OUT/sa-key.pem" | cut -c1-40)
	if grep -q -e "$k" -e "ya29\.fake" -e "ghu_test" -e "ghu_wrong" -e "tid=fake" "$1"; then fail "secrets in $(basename "$1")"; else ok "no secrets in $(basename "$1")"; fi
}

npm_sdk openai || finish
# sdk MODE TOKEN-PATH: the SDK suite (vertex/sdk.mjs) against the gateway at $U, its counts join ours
sdk() { suite "$1 sdk suite" "$OUT/sdk-$1.log" env OPENAI_NODE_MODULES="$NODEMOD" node tests/integration/vertex/sdk.mjs "$U" "$MK" "$FAKE" "$1" "$2"; }

# 1. the main instance
start_vx "$OUT/gw.log" sa.json
if [ -n "$GP" ]; then
	ok "gateway starts with a service-account key"
	sdk main "/token?slow=300"
	# the JWT our binary made, verified by node's crypto with the public key
	if node -e '
		const fs = require("fs"), crypto = require("crypto");
		const [h, c, s] = fs.readFileSync(process.argv[1], "utf8").trim().split(".");
		const pub = fs.readFileSync(process.argv[2], "utf8");
		const good = crypto.verify("RSA-SHA256", Buffer.from(h + "." + c), pub, Buffer.from(s, "base64url"));
		const bad = crypto.verify("RSA-SHA256", Buffer.from(h + "." + c + "x"), pub, Buffer.from(s, "base64url"));
		const hdr = JSON.parse(Buffer.from(h, "base64url")), cl = JSON.parse(Buffer.from(c, "base64url"));
		process.exit(good && !bad && hdr.alg === "RS256" && cl.exp - cl.iat === 3600 ? 0 : 1);
	' "$OUT/last.jwt" "$OUT/sa-pub.pem"; then ok "node crypto.verify accepts the JWT the binary signed (and refuses a changed one)"
	else fail "node crypto.verify" "$(cat "$OUT/last.jwt" 2>/dev/null | head -c 200)"; fi
	# an embeddings error from Vertex passes through as a Google error; a curl look at the envelope
	code=$(curl -s -o "$OUT/body" -w '%{http_code}' "$U/v1/embeddings" -H "Authorization: Bearer $MK" \
		-H 'Content-Type: application/json' -d '{"model":"vx-emb","input":[[1,2,3]]}')
	[ "$code" = 400 ] && grep -q '"type":"BadRequest"' "$OUT/body" && grep -q 'token arrays are not supported' "$OUT/body" &&
		ok "token-array input -> 400 BadRequest" || fail "token-array input" "$code $(cat "$OUT/body")"
	stop_gw
	no_secrets "$OUT/gw.log"
else
	fail "main instance" "$(cat "$OUT/gw.log")"
fi

# 2. the token endpoint refuses
start_vx "$OUT/gw-fail.log" sa-fail.json
if [ -n "$GP" ]; then
	sdk fail "/token?fail=1"
	code=$(curl -s -o "$OUT/body" -w '%{http_code}' "$U/v1/chat/completions" -H "Authorization: Bearer $MK" \
		-H 'Content-Type: application/json' -d '{"model":"vx","messages":[{"role":"user","content":"x"}]}')
	want='{"error":{"message":"authentication failed: token exchange at '"$FAKE"'/token?fail=1 failed: HTTP 400: invalid_grant: Invalid JWT Signature.","type":"Authentication","param":null,"code":null}}'
	[ "$code" = 401 ] && [ "$(cat "$OUT/body")" = "$want" ] && ok "refused exchange: exact 401 body" || fail "refused exchange body" "$code $(cat "$OUT/body")"
	stop_gw
	no_secrets "$OUT/gw-fail.log"
else
	fail "fail instance" "$(cat "$OUT/gw-fail.log")"
fi

# 3. a token that lives 2 s
start_vx "$OUT/gw-short.log" sa-short.json
if [ -n "$GP" ]; then
	sdk expiry "/token?expires_in=2"
	stop_gw
else
	fail "expiry instance" "$(cat "$OUT/gw-short.log")"
fi

# 4. MCP (Streamable HTTP, stateless JSON): tools/call chat goes through the same token path
: > "$OUT/mcp.log"
if start_gw "$OUT/mcp.log" run_env sa.json "$BIN" mcp --transport http --host 127.0.0.1 --port 0 --config "$OUT/gw.toml"; then
	before=$(curl -s "$FAKE/__log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_requests"].get("/token?slow=300",0))')
	out=$(curl -s "$U/mcp" -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"chat","arguments":{"model":"vx","messages":[{"role":"user","content":"hi"}]}}}')
	after=$(curl -s "$FAKE/__log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_requests"].get("/token?slow=300",0))')
	echo "$out" | grep -q 'Hello from Vertex' && [ $((after - before)) = 1 ] && ok "mcp: tools/call chat on Vertex mints its token" ||
		fail "mcp tools/call" "$before -> $after $(echo "$out" | head -c 300)"
	stop_gw
	no_secrets "$OUT/mcp.log"
else
	fail "mcp instance" "$(cat "$OUT/mcp.log")"
fi

# 5. unusable credentials files stop start-up with the reason
(run_env nonexistent.json "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0) > "$OUT/bad1.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^Error: failed to build client for model 'vx': authentication failed: Google credentials file $OUT/nonexistent.json (GOOGLE_APPLICATION_CREDENTIALS): cannot open it" "$OUT/bad1.log" &&
	ok "missing credentials file -> exit 1 with the reason" || fail "missing credentials file" "rc=$rc $(cat "$OUT/bad1.log")"
printf '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n","client_email":"a@b"}' > "$OUT/broken.json"
(run_env broken.json "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0) > "$OUT/bad2.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "private_key: the private key is not a valid PKCS#8 or PKCS#1 key" "$OUT/bad2.log" &&
	ok "broken private key -> exit 1 with the reason" || fail "broken private key" "rc=$rc $(cat "$OUT/bad2.log")"

kill "$WD" 2>/dev/null
finish
