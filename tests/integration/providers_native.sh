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
. "$(dirname "$0")/lib/common.sh"
it_init it-providers-native "$1"
HERE=$ROOT/tests/integration/providers_native
mkdir -p "$OUT/zero"
need_tools curl python3
need_bin

start_fake fake python3 "$HERE/fake.py" "$OUT/fake.port" || finish
FAKE=http://127.0.0.1:$FP
MK=sk-master-native-1

# The provider environment of both instances (nothing inherited: no stray real keys).
provider_env() {
	echo "COHERE_API_KEY=co-test-key COHERE_BASE_URL=$FAKE/cohere/v2"
	echo "AZURE_OPENAI_API_KEY=az-test-key AZURE_OPENAI_ENDPOINT=$FAKE/azure"
	echo "MISTRAL_API_KEY=mi-test-key MISTRAL_BASE_URL=$FAKE/mistral/v1"
}
ENV0="PATH=$PATH HOME=$OUT $(provider_env | tr '\n' ' ')"

# run_sdk MODE: the SDK suite against the gateway at $U, its counts added to ours
HAVE_SDK=0
npm_sdk openai && HAVE_SDK=1
run_sdk() {
	[ $HAVE_SDK = 1 ] || { fail "$1: openai SDK tests NOT RUN"; return; }
	suite "$1: sdk suite" "$OUT/sdk-$1.log" env OPENAI_NODE_MODULES="$NODEMOD" timeout 180 node "$HERE/sdk.mjs" "$U" "$MK" "$FAKE" "$1"
}

# stop_native NAME LOG: SIGTERM, and no provider key in its log
stop_native() {
	stop_gw
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
	st=$(curl -s -m 10 -o "$OUT/body" -w '%{http_code}' "$U/health")
	[ "$st" = 200 ] && grep -q '"cohere","cohere-cut"' "$OUT/body" && ok "/health lists the entries" || fail "/health" "$st $(cat "$OUT/body")"
	# rerank body checks are the gateway's: a wrong shape never reaches Cohere
	st=$(curl -s -m 10 -o "$OUT/body" -w '%{http_code}' "$U/v1/rerank" -H "Authorization: Bearer $MK" \
		-H "Content-Type: application/json" -d '{"model":"rerank","query":"q"}')
	[ "$st" = 422 ] && ok "rerank without documents -> 422" || fail "rerank 422" "$st $(cat "$OUT/body")"
	run_sdk config
	stop_native "[[models]] instance" "$OUT/gw.log"
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
	run_sdk zero
	stop_native "zero-config instance" "$OUT/zero.log"
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
