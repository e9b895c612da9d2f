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
. "$(dirname "$0")/lib/common.sh"
it_init it-bedrock "$1"
D=tests/integration/bedrock
need_tools curl python3 node npm
need_bin

# npm packages: the SDK and the AWS oracles
npm_sdk openai @smithy/signature-v4 @aws-crypto/sha256-js @smithy/protocol-http @smithy/eventstream-codec \
	@smithy/util-utf8 || finish
export NODE_PATH="$NODEMOD"

# the fake, with the credentials the gateway is given
AKID=AKIDBEDROCKTEST
SECRET='wJalrXUtnFEMI/K7MDENG+bPxRfiCYBEDROCKKEY'
TOKEN='FwoGZXIvYXdzEBYaDFAKE/session+token=='
REGION=us-west-2
start_fake fake env FAKE_AWS_ACCESS_KEY_ID="$AKID" FAKE_AWS_SECRET_ACCESS_KEY="$SECRET" FAKE_AWS_SESSION_TOKEN="$TOKEN" \
	FAKE_AWS_REGION="$REGION" python3 $D/fake_bedrock.py "$OUT/fake.port" "$OUT" $D/sigv4_oracle.cjs || finish
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

# sdk MODE LOG: the SDK suite (bedrock/sdk.mjs) against the gateway at $U; its counts join ours
sdk() { suite "sdk suite ($1)" "$OUT/$2" env OPENAI_NODE_MODULES="$NODEMOD" timeout 120 node $D/sdk.mjs "$U" "$MK" "$FAKE" "$1"; }

GWENV="AWS_ACCESS_KEY_ID=$AKID AWS_SESSION_TOKEN=$TOKEN AWS_REGION=$REGION BEDROCK_BASE_URL=$FAKE"
start_gw "$OUT/gw.log" env $GWENV AWS_SECRET_ACCESS_KEY="$SECRET" "$BIN" api -c "$OUT/gw.toml" --host 127.0.0.1 --port 0
if [ -n "$GP" ]; then
	ok "gateway starts with bedrock/ models"
	sdk main sdk.log
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
	sdk badsig sdk_bad.log
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
suite "es_check" "$OUT/es.log" timeout 60 node $D/es_check.cjs "$OUT/streams"
finish
