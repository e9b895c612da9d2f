#!/bin/sh
# tests/integration/providers_native.sh — Cohere (native v2 /chat), Azure
# OpenAI and Mistral as providers.md specifies them, end to end: build/liter-llm
# api in front of providers_native/fake.py (one python3 stdlib fake speaking
# the three upstreams on loopback), driven by the official openai npm SDK
# (providers_native/sdk.mjs, installed into build/npm as api.sh does). One
# instance configured with [[models]] (+ provider env vars for base URLs and
# keys), one zero-config instance (env keys only, AZURE_API_VERSION set), and
# curl checks of the start-up errors. Ends "N passed, N failed".
#   usage: sh tests/integration/providers_native.sh [build-dir]
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/$B/liter-llm
OUT=$ROOT/$B/it-providers-native
HERE=$ROOT/tests/integration/providers_native
rm -rf "$OUT"; mkdir -p "$OUT/zero"
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

python3 "$HERE/fake.py" "$OUT/fake.port" & PIDS="$PIDS $!"
i=0; while [ ! -s "$OUT/fake.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$OUT/fake.port" ] || { fail "fake upstream did not start"; finish; }
FAKE=http://127.0.0.1:$(cat "$OUT/fake.port")
MK=sk-master-native-1

# The provider environment of both instances (nothing inherited: no stray real keys).
provider_env() {
	echo "COHERE_API_KEY=co-test-key COHERE_BASE_URL=$FAKE/cohere/v2"
	echo "AZURE_OPENAI_API_KEY=az-test-key AZURE_OPENAI_ENDPOINT=$FAKE/azure"
	echo "MISTRAL_API_KEY=mi-test-key MISTRAL_BASE_URL=$FAKE/mistral/v1"
}
ENV0="PATH=$PATH HOME=$OUT $(provider_env | tr '\n' ' ')"

# start_gw LOG ARGS...: start the gateway on an ephemeral port, set GP and GWPID
start_gw() {
	log=$1; shift
	"$@" > "$log" 2>&1 &
	GWPID=$!; PIDS="$PIDS $GWPID"
	i=0; GP=""
	while [ $i -lt 100 ]; do
		GP=$(sed -n 's/.*liter-llm proxy listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$GP" ] && break
		kill -0 "$GWPID" 2>/dev/null || break
		sleep 0.05; i=$((i+1))
	done
}

# run_sdk NAME URL MODE: the SDK suite, its counts added to ours
NODEMOD=$ROOT/$B/npm/node_modules
if [ ! -d "$NODEMOD/openai" ]; then
	timeout 300 npm install --prefix "$ROOT/$B/npm" openai --no-audit --no-fund > "$OUT/npm.log" 2>&1 || true
fi
run_sdk() {
	if ! [ -d "$NODEMOD/openai" ] || ! command -v node >/dev/null 2>&1; then
		echo "SKIP: npm registry unreachable, openai SDK tests NOT RUN" >&2
		fail "$1: openai npm package unavailable (npm unreachable?)"
		return
	fi
	OPENAI_NODE_MODULES=$NODEMOD timeout 180 node "$HERE/sdk.mjs" "$2" "$MK" "$FAKE" "$3" > "$OUT/sdk-$1.log" 2>&1
	cat "$OUT/sdk-$1.log"
	line=$(tail -n 1 "$OUT/sdk-$1.log")
	P=$((P + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0)); F=$((F + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
	echo "$line" | grep -q ' passed, ' || fail "$1: sdk suite did not finish"
}

# stop_gw NAME: SIGTERM, and no provider key in its log
stop_gw() {
	kill -TERM "$GWPID"; wait "$GWPID"
	if grep -q "co-test-key\|az-test-key\|mi-test-key\|$MK" "$2"; then fail "$1: a key in the log"; else ok "$1: no key in the log"; fi
}

# ---- [[models]] ---------------------------------------------------------------------
cat > "$OUT/gw.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
[server]
request_timeout_secs = 20
TOML
model() { # name provider_model [api_key] [base_url]
	printf '[[models]]\nname = "%s"\nprovider_model = "%s"\n' "$1" "$2" >> "$OUT/gw.toml"
	[ -n "$3" ] && printf 'api_key = "%s"\n' "$3" >> "$OUT/gw.toml"
	[ -n "$4" ] && printf 'base_url = "%s"\n' "$4" >> "$OUT/gw.toml"
	return 0
}
model cohere cohere/command-r-plus co-test-key
model cohere-cut cohere/command-cut co-test-key
model cohere-drop cohere/command-drop co-test-key
for e in 400 429 500; do model "cohere-err-$e" "cohere/command-err-$e" co-test-key; done
model cohere-badkey cohere/command-r-plus co-wrong-key
model cohere-env command-light
model cohere-embed cohere/embed-english-v3.0
model rerank cohere/rerank-v3.5
model azure-chat azure/my-deployment
model azure-base azure/other-dep az-test-key "$FAKE/azure/"
model azure-fixed azure/ignored az-test-key "$FAKE/azure2/openai/deployments/fixed-dep"
model azure-emb azure/text-embedding-3-small
model azure-filter azure/az-filter
model azure-o3 azure/o3-mini
model azure-o1 azure/o1-preview
model azure-o10 azure/o10-x
model azure-ctx azure/az-ctx
for e in 400 429 500; do model "azure-err-$e" "azure/az-err-$e"; done
model azure-badkey azure/my-deployment az-wrong-key
model mistral mistral/mistral-large-latest mi-test-key
model mistral-bare mistral-small-latest
model mistral-emb mistral/mistral-embed
for e in 400 429 500; do model "mistral-err-$e" "mistral/mistral-err-$e"; done
model mistral-badkey mistral/mistral-large-latest mi-wrong-key

# shellcheck disable=SC2086
start_gw "$OUT/gw.log" env -i $ENV0 "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ]; then
	ok "[[models]] instance starts"
	U=http://127.0.0.1:$GP
	st=$(curl -s -m 10 -o "$OUT/body" -w '%{http_code}' "$U/health")
	[ "$st" = 200 ] && grep -q '"cohere","cohere-cut"' "$OUT/body" && ok "/health lists the entries" || fail "/health" "$st $(cat "$OUT/body")"
	# rerank body checks are the gateway's: a wrong shape never reaches Cohere
	st=$(curl -s -m 10 -o "$OUT/body" -w '%{http_code}' "$U/v1/rerank" -H "Authorization: Bearer $MK" \
		-H "Content-Type: application/json" -d '{"model":"rerank","query":"q"}')
	[ "$st" = 422 ] && ok "rerank without documents -> 422" || fail "rerank 422" "$st $(cat "$OUT/body")"
	run_sdk config "$U" config
	stop_gw "[[models]] instance" "$OUT/gw.log"
else
	fail "[[models]] instance start" "$(cat "$OUT/gw.log")"
fi

# ---- zero-config: no config file, keys and bases from the environment ------------------
cd "$OUT/zero" || finish
# shellcheck disable=SC2086
start_gw "$OUT/zero.log" env -i $ENV0 AZURE_API_VERSION=2024-10-21 LITER_LLM_MASTER_KEY="$MK" "$BIN" api --host 127.0.0.1 --port 0
cd "$ROOT" || finish
if [ -n "$GP" ]; then
	ok "zero-config instance starts"
	run_sdk zero "http://127.0.0.1:$GP" zero
	stop_gw "zero-config instance" "$OUT/zero.log"
else
	fail "zero-config instance start" "$(cat "$OUT/zero.log")"
fi

# ---- start-up errors -------------------------------------------------------------------
printf '[general]\nmaster_key = "%s"\n[[models]]\nname = "az"\nprovider_model = "azure/dep"\napi_key = "k"\n' "$MK" > "$OUT/noaz.toml"
timeout 10 env -i PATH="$PATH" "$BIN" api -c "$OUT/noaz.toml" --host 127.0.0.1 --port 0 > "$OUT/noaz.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "failed to build client for model 'az': bad request: Azure OpenAI requires a base URL" "$OUT/noaz.log" &&
	ok "azure without an endpoint: start-up error" || fail "azure without endpoint" "rc=$rc $(cat "$OUT/noaz.log")"
printf '[general]\nmaster_key = "%s"\n[[models]]\nname = "co"\nprovider_model = "cohere/command-r"\n' "$MK" > "$OUT/noco.toml"
timeout 10 env -i PATH="$PATH" "$BIN" api -c "$OUT/noco.toml" --host 127.0.0.1 --port 0 > "$OUT/noco.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "failed to build client for model 'co': authentication failed: no API key provided and environment variable COHERE_API_KEY is not set" "$OUT/noco.log" &&
	ok "cohere without a key: start-up error" || fail "cohere without key" "rc=$rc $(cat "$OUT/noco.log")"
finish
