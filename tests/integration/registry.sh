#!/bin/sh
# tests/integration/registry.sh — registry providers through their OWN rows.
# build/liter-llm api talks to every OpenAI-compatible row of the provider
# registry (tests/integration/registry/providers.tsv, a copy of the shared
# spec's) plus the openai row, at the row's real base URL host and path, with
# the row's auth style and parameter renames — no base_url anywhere (a
# base_url would turn an entry into the generic `custom` provider). The
# connection is redirected by the environment instead: HTTPS_PROXY/HTTP_PROXY
# name a Python CONNECT/forward proxy on loopback (registry/fake.py) that
# tunnels every "CONNECT host:443" to a local TLS fake presenting one
# certificate (test CA made here with openssl) whose SAN lists every sampled
# provider host; SSL_CERT_FILE makes the gateway trust that CA. The fakes log
# the CONNECT target, SNI, request line, headers and body of every call;
# registry/registry.py picks the sample from the TSV and checks:
#   zero-config (no [[models]], keys from <PROVIDER>_API_KEY env vars): chat
#   for every sampled row (CONNECT host, SNI, path = base path +
#   /chat/completions, Host, auth header, upstream model id, the
#   max_completion_tokens -> max_tokens mapping exactly where the row has it,
#   other fields unchanged, the gateway key never upstream, no foreign key,
#   response bytes unchanged), SSE streams through the tunnel for a subset,
#   embeddings for the rows declaring them; a [[models]] run naming registry
#   providers without base_url (inline and env keys, bare names matched by a
#   row's model prefix); the proxy environment (NO_PROXY: a <PROVIDER>_BASE_URL
#   at a plain-HTTP fake goes direct, the proxy sees nothing; https_proxy over
#   HTTPS_PROXY; proxy credentials on CONNECT only; a refused CONNECT -> 502); a wrong CA (SSL_CERT_FILE of another
#   CA) -> 502 with the TLS verification message, and the gateway keeps serving.
# Loopback only. Usage: sh tests/integration/registry.sh [build-dir]
# Scratch in $B/it-registry. Ends with "N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
it_init it-registry "$1"
D=$ROOT/tests/integration/registry
TSV=$D/providers.tsv
need_tools python3 openssl
need_bin
# the caller's proxies and keys must not leak in: every gateway runs under env -i
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy NO_PROXY no_proxy ALL_PROXY all_proxy

# the spec's copy, when present, must be what the test samples from
if [ -f /work/shared/spec/providers.tsv ] && ! cmp -s /work/shared/spec/providers.tsv "$TSV"; then
	echo "note: $TSV differs from /work/shared/spec/providers.tsv (refresh the copy)"
fi

# --- the sample --------------------------------------------------------------------------
if python3 "$D/registry.py" plan "$TSV" "$OUT" > "$OUT/plan.log" 2>&1; then
	cat "$OUT/plan.log"
	ok "sample picked from providers.tsv"
else
	bad "plan" "$OUT/plan.log"; finish
fi

# --- certificates: a test CA, another CA, one server certificate for every host -----------
if test_certs registry-it "$(cat "$OUT/san.txt")"; then
	ok "test CA and one certificate for $(tr ',' '\n' < "$OUT/san.txt" | grep -c '^DNS:') host names"
else
	bad "certificates" "$OUT/openssl.log"; finish
fi

# --- the fakes ----------------------------------------------------------------------------
# (the port file is JSON: {"proxy":p,"tls":p,"plain":p})
start_fake fakes python3 "$D/fake.py" --ports "$OUT/fakes.port" --log "$OUT/fake.jsonl" --cert "$OUT/leaf.pem" \
	--key "$OUT/leaf.key" || finish
port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$OUT/fakes.port" "$1"; }
PX=$(port proxy 2>/dev/null) && PLAIN=$(port plain 2>/dev/null)
if [ -n "$PX" ] && [ -n "$PLAIN" ]; then ok "proxy and fakes listening (proxy $PX, plain $PLAIN)"; else bad "fakes" "$OUT/fakes.log"; finish; fi
PROXY=http://127.0.0.1:$PX

MK=sk-gw-client-key-7d1e0c
printf '[general]\nmaster_key = "%s"\nmax_retries = 0\n[security]\noutbound_policy = "off"\n' "$MK" > "$OUT/zero.toml"
cp "$OUT/zero.toml" "$OUT/models.toml.full" && cat "$OUT/models.toml" >> "$OUT/models.toml.full"

# start NAME CONFIG ENV...: start a gateway (clean environment + ENV) on an
# ephemeral loopback port; sets GP and GWPID (GP empty when it did not start)
start() {
	name=$1 cfg=$2; shift 2
	# shellcheck disable=SC2046
	start_gw "$OUT/$name.log" env -i PATH="$PATH" $(cat "$OUT/env.keys") "$@" \
		"$BIN" api -c "$cfg" --host 127.0.0.1 --port 0
	if [ -n "$GP" ]; then ok "gateway '$name' started"; else bad "gateway '$name' did not start" "$OUT/$name.log"; fi
}
# run_check MODE [ARGS]: registry.py check against the running gateway; adds its counts
run_check() {
	mode=$1; shift
	timeout 50 python3 "$D/registry.py" check "$mode" "$OUT" "http://127.0.0.1:$GP" "$MK" "$OUT/fake.jsonl" "$@" \
		> "$OUT/check-$mode.log" 2>&1
	rc=$?
	grep -v '^-- ' "$OUT/check-$mode.log"
	line=$(grep -E '^-- [a-z]+: [0-9]+ passed, [0-9]+ failed' "$OUT/check-$mode.log" | tail -n 1)
	if [ -z "$line" ]; then
		bad "check $mode did not finish (exit $rc)" "$OUT/check-$mode.log"
		return
	fi
	echo "$line"
	p=$(echo "$line" | sed 's/^-- [a-z]*: \([0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
	P=$((P + p)); F=$((F + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || bad "check $mode exited $rc"
}
# stop NAME: SIGTERM, clean exit, and no provider key / gateway key in its log
stop() {
	name=$1
	stop_gw; rc=$?
	if [ "$rc" = 0 ]; then ok "gateway '$name' shut down cleanly"; else bad "gateway '$name' exit $rc" "$OUT/$name.log"; fi
	leak=$(sed 's/^[^=]*=//' "$OUT/env.keys" | while read -r k; do grep -l -F -- "$k" "$OUT/$name.log" > /dev/null && echo "$k"; done)
	grep -q -F -- "$MK" "$OUT/$name.log" && leak="$leak $MK"
	grep -q -F -- "inline-" "$OUT/$name.log" && leak="$leak inline-*"
	if [ -z "$leak" ]; then ok "gateway '$name' log carries no key"; else bad "keys in the '$name' log: $leak"; fi
}

# --- 1. zero-config: <provider>/<model> routed from the env keys ---------------------------------
start zero "$OUT/zero.toml" HTTPS_PROXY="$PROXY" HTTP_PROXY="$PROXY" SSL_CERT_FILE="$OUT/ca.pem"
if [ -n "$GP" ]; then
	if grep -q 'zero-config routing' "$OUT/zero.log"; then ok "zero-config mode (no [[models]])"
	else bad "zero-config mode" "$OUT/zero.log"; fi
	run_check zero
	stop zero
fi

# --- 2. [[models]] entries naming registry providers, no base_url -------------------------------------
start config "$OUT/models.toml.full" HTTPS_PROXY="$PROXY" HTTP_PROXY="$PROXY" SSL_CERT_FILE="$OUT/ca.pem"
if [ -n "$GP" ]; then
	run_check config
	stop config
fi

# --- 3. proxy environment: NO_PROXY, lower case first, credentials, a refused CONNECT ---------------
# NO_PROXY=localhost: <PROVIDER>_BASE_URL at the plain fake by name goes direct, by IP through
# HTTP_PROXY; https_proxy (with credentials) must win over HTTPS_PROXY (a dead port); the
# proxy refuses CONNECT to port 8443 (XAI_BASE_URL)
PCRED='reg-user:p@ss:w'
start proxyenv "$OUT/zero.toml" HTTPS_PROXY="http://127.0.0.1:1" https_proxy="http://reg-user:p%40ss%3Aw@127.0.0.1:$PX" \
	HTTP_PROXY="$PROXY" NO_PROXY="localhost" SSL_CERT_FILE="$OUT/ca.pem" \
	GROQ_BASE_URL="http://localhost:$PLAIN/openai/v1" OPENCODE_GO_BASE_URL="http://localhost:$PLAIN/zen/go/v1" \
	TOGETHER_AI_BASE_URL="http://127.0.0.1:$PLAIN/v1/" XAI_BASE_URL="https://api.x.ai:8443/v1"
if [ -n "$GP" ]; then
	run_check proxyenv "$PLAIN" "$PCRED"
	if grep -q -e 'p@ss' -e 'p%40ss' "$OUT/proxyenv.log"; then bad "proxy password in the gateway log"
	else ok "proxy password not in the gateway log"; fi
	stop proxyenv
fi

# --- 4. the wrong CA: SSL_CERT_FILE of another CA -----------------------------------------------------
start wrongca "$OUT/zero.toml" HTTPS_PROXY="$PROXY" HTTP_PROXY="$PROXY" NO_PROXY="localhost" \
	SSL_CERT_FILE="$OUT/other.pem" TOGETHER_AI_BASE_URL="http://localhost:$PLAIN/v1"
if [ -n "$GP" ]; then
	run_check wrongca "$PLAIN"
	if kill -0 "$GWPID" 2>/dev/null; then ok "gateway still running after the TLS failures"
	else bad "gateway died" "$OUT/wrongca.log"; fi
	stop wrongca
fi

finish
