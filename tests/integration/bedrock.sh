#!/bin/sh
# tests/integration/bedrock.sh — AWS Bedrock end to end: build/liter-llm api
# with bedrock/ models, AWS credentials from the environment and
# BEDROCK_BASE_URL pointing at a fake Bedrock runtime (bedrock/fake_bedrock.py,
# python3 stdlib) that verifies the SigV4 signature of every request by
# having @smithy/signature-v4 re-sign it (bedrock/sigv4_oracle.cjs) and answers
# Converse JSON, ConverseStream event streams (CRC-32 framed) and embeddings.
# Driven with the official openai npm SDK (bedrock/sdk.mjs): chat, stream,
# tools both ways, usage, upstream 400/429/500, an exception event mid-stream,
# a corrupted CRC, a stream cut inside a message, embeddings, and a gateway
# signing with a tampered secret (403 -> Authentication). The bytes the fake
# sent are decoded by @smithy/eventstream-codec (bedrock/es_check.cjs) as the
# oracle for the fake itself. npm packages go to $B/npm (git-ignored).
# Loopback only; bounded in time. Ends "N passed, N failed".
#   usage: sh tests/integration/bedrock.sh [build-dir]
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/$B/liter-llm
OUT=$ROOT/$B/it-bedrock
D=tests/integration/bedrock
NPM=$ROOT/$B/npm
NM=$NPM/node_modules
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
for tool in curl python3 node npm; do command -v $tool >/dev/null 2>&1 || { fail "needs $tool"; finish; }; done
[ -x "$BIN" ] || { fail "no $BIN"; finish; }

# npm packages: the SDK and the AWS oracles (skipped when present)
PKGS="openai @smithy/signature-v4 @aws-crypto/sha256-js @smithy/protocol-http @smithy/eventstream-codec @smithy/util-utf8"
missing=
for p in $PKGS; do [ -f "$NM/$p/package.json" ] || missing="$missing $p"; done
if [ -n "$missing" ]; then
	mkdir -p "$NPM"
	timeout 300 npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error $missing > "$OUT/npm.log" 2>&1 ||
		{ fail "npm install$missing" "$(tail -n 5 "$OUT/npm.log")"; finish; }
fi
export NODE_PATH="$NM"

# the fake, with the credentials the gateway is given
AKID=AKIDBEDROCKTEST
SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYBEDROCKKEY'
TOKEN='FwoGZXIvYXdzEBYaDFAKE/session+token=='
REGION=us-west-2
FAKE_AWS_ACCESS_KEY_ID=$AKID FAKE_AWS_SECRET_ACCESS_KEY=$SECRET FAKE_AWS_SESSION_TOKEN=$TOKEN FAKE_AWS_REGION=$REGION \
	python3 $D/fake_bedrock.py "$OUT/fake.port" "$OUT" $D/sigv4_oracle.cjs > "$OUT/fake.log" 2>&1 < /dev/null &
PIDS="$PIDS $!"
i=0; while [ ! -s "$OUT/fake.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -s "$OUT/fake.port" ] || { fail "fake start" "$(cat "$OUT/fake.log")"; finish; }
FP=$(cat "$OUT/fake.port")
FAKE=http://127.0.0.1:$FP

MK=sk-master-bedrock-1
cat > "$OUT/gw.toml" <<TOML
[general]
master_key = "$MK"
max_retries = 0
TOML
for m in claude-bedrock:anthropic.claude-3-haiku-20240307-v1:0 bedrock-400:fake.err-400 bedrock-429:fake.err-429 \
	bedrock-500:fake.err-500 bedrock-exception:fake.exception bedrock-badcrc:fake.badcrc bedrock-cut:fake.cut \
	titan:amazon.titan-embed-text-v2:0 cohere-embed:cohere.embed-english-v3; do
	printf '[[models]]\nname = "%s"\nprovider_model = "bedrock/%s"\n' "${m%%:*}" "${m#*:}" >> "$OUT/gw.toml"
done

# start_gw LOG ARGS...: the gateway on an ephemeral port; sets GP and GWPID
start_gw() {
	log=$1; shift
	"$@" > "$log" 2>&1 &
	GWPID=$!; PIDS="$PIDS $GWPID"
	i=0; GP=""
	while [ $i -lt 100 ]; do
		GP=$(sed -n 's/.*liter-llm proxy listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
		[ -n "$GP" ] && break
		sleep 0.05; i=$((i+1))
	done
}
# sdk_run LOG ARGS...: the SDK suite; its counts join ours
sdk_run() {
	log=$1; shift
	OPENAI_NODE_MODULES=$NM timeout 120 node $D/sdk.mjs "$@" > "$log" 2>&1
	cat "$log"
	line=$(tail -n 1 "$log")
	P=$((P + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0)); F=$((F + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
	echo "$line" | grep -q ' passed, ' || fail "sdk suite ($*) did not finish"
}
stop_gw() { kill -TERM "$GWPID" 2>/dev/null; wait "$GWPID" 2>/dev/null; }

GWENV="AWS_ACCESS_KEY_ID=$AKID AWS_SESSION_TOKEN=$TOKEN AWS_REGION=$REGION BEDROCK_BASE_URL=$FAKE"
start_gw "$OUT/gw.log" env $GWENV AWS_SECRET_ACCESS_KEY="$SECRET" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ]; then
	ok "gateway starts with bedrock/ models"
	U=http://127.0.0.1:$GP
	sdk_run "$OUT/sdk.log" "$U" "$MK" "$FAKE" main
	# curl: the raw SSE of a translated event stream ends with [DONE]
	curl -s -N --max-time 20 "$U/v1/chat/completions" -H "Authorization: Bearer $MK" -H "Content-Type: application/json" \
		-d '{"model":"claude-bedrock","messages":[{"role":"user","content":"hi"}],"stream":true}' > "$OUT/sse.txt"
	if [ "$(tail -n 2 "$OUT/sse.txt" | head -n 1)" = "data: [DONE]" ] && grep -c '^data: {' "$OUT/sse.txt" | grep -qx 5; then
		ok "raw SSE: 5 chunks then data: [DONE]"
	else
		fail "raw SSE" "$(cat "$OUT/sse.txt")"
	fi
	curl -s -N --max-time 20 "$U/v1/chat/completions" -H "Authorization: Bearer $MK" -H "Content-Type: application/json" \
		-d '{"model":"bedrock-badcrc","messages":[{"role":"user","content":"hi"}],"stream":true}' > "$OUT/sse_bad.txt"
	if grep -q '^data: {"error":{"message":"streaming error: malformed AWS event stream (bad length or CRC)","type":"Streaming","param":null,"code":null}}$' "$OUT/sse_bad.txt" &&
	   [ "$(tail -n 2 "$OUT/sse_bad.txt" | head -n 1)" = "data: [DONE]" ]; then
		ok "raw SSE: bad CRC -> Streaming error event, then [DONE]"
	else
		fail "raw SSE bad CRC" "$(cat "$OUT/sse_bad.txt")"
	fi
	stop_gw
	if grep -q -e "$SECRET" -e "$TOKEN" -e "$MK" "$OUT/gw.log"; then fail "secrets in the gateway log"; else ok "no secret in the gateway log"; fi
else
	fail "gateway start" "$(cat "$OUT/gw.log")"
fi

# the same gateway signing with a tampered secret: the fake's check fails
start_gw "$OUT/gw_bad.log" env $GWENV AWS_SECRET_ACCESS_KEY="${SECRET}x" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ]; then
	sdk_run "$OUT/sdk_bad.log" "http://127.0.0.1:$GP" "$MK" "$FAKE" badsig
	stop_gw
else
	fail "gateway start (tampered secret)" "$(cat "$OUT/gw_bad.log")"
fi

# no AWS credentials at all: refused at start-up
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY BEDROCK_BASE_URL="$FAKE" timeout 10 "$BIN" api -c "$OUT/gw.toml" \
	--host 127.0.0.1 --port 0 > "$OUT/nocreds.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "AWS Bedrock requires AWS credentials" "$OUT/nocreds.log"; then
	ok "no AWS credentials -> start-up error"
else
	fail "no AWS credentials" "rc=$rc $(cat "$OUT/nocreds.log")"
fi

# the oracle for the fake: smithy decodes the exact bytes it sent
timeout 60 node $D/es_check.cjs "$OUT/streams" > "$OUT/es.log" 2>&1
cat "$OUT/es.log"
line=$(tail -n 1 "$OUT/es.log")
P=$((P + $(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0)); F=$((F + $(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
echo "$line" | grep -q ' passed, ' || fail "es_check did not finish"
finish
