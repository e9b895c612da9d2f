#!/bin/sh
# tests/integration/mcp.sh — drives build/liter-llm mcp over stdio and
# Streamable HTTP: the official MCP TypeScript SDK (mcp/sdk.mjs, installed
# into build/npm) lists the 22 tools and calls each against fake upstreams
# (api/fake_upstream.py, run as is, plus mcp/fake_extra.py for search, ocr,
# transcriptions and a slow chat); a raw bad-input battery (mcp/battery.py)
# over both transports; the HTTP rules (paths, methods, Accept/Content-Type,
# sessions, protocol version header, Origin/Host, stateless curl example,
# bearer auth); the docs' client snippets (mcp/snippets.py); EOF and SIGTERM.
# Ends "N passed, N failed".   usage: sh tests/integration/mcp.sh [build-dir]
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=$ROOT/$B/liter-llm
OUT=$ROOT/$B/it-mcp
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
for tool in curl python3; do command -v $tool >/dev/null 2>&1 || { fail "needs $tool"; finish; }; done
[ -x "$BIN" ] || { fail "no $BIN"; finish; }

python3 tests/integration/api/fake_upstream.py "$OUT/fake.port" 2>"$OUT/fake.err" & PIDS="$PIDS $!"
python3 tests/integration/mcp/fake_extra.py "$OUT/extra.port" 2>"$OUT/extra.err" & PIDS="$PIDS $!"
i=0; while { [ ! -s "$OUT/fake.port" ] || [ ! -s "$OUT/extra.port" ]; } && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
FAKE=http://127.0.0.1:$(cat "$OUT/fake.port")
EXTRA=http://127.0.0.1:$(cat "$OUT/extra.port")
MAXB=1048576
CFG=$OUT/mcp.toml
{
	printf '[general]\nmaster_key = "sk-master-mcp"\nmax_retries = 0\n[server]\nrequest_timeout_secs = 3\n'
	printf '[mcp]\nmax_message_bytes = %s\nsession_idle_secs = 2\n' "$MAXB"
	for m in gpt-test emb img mod tts err-429 err-ctx hang; do
		printf '[[models]]\nname = "%s"\nprovider_model = "openai/%s"\nbase_url = "%s/v1"\napi_key = "k"\n' "$m" "$m" "$FAKE"
	done
	for m in stt search-m ocr-m slow; do
		printf '[[models]]\nname = "%s"\nprovider_model = "openai/%s"\nbase_url = "%s/v1"\napi_key = "k"\n' "$m" "$m" "$EXTRA"
	done
	printf '[[models]]\nname = "dead"\nprovider_model = "openai/dead"\nbase_url = "http://127.0.0.1:1/v1"\napi_key = "k"\n'
	printf '[[keys]]\nkey = "vk-limited-mcp"\nmodels = ["emb"]\n'
} > "$CFG"

# ---- the official SDK ------------------------------------------------------------
NODEMOD=$ROOT/$B/npm/node_modules
if [ ! -d "$NODEMOD/@modelcontextprotocol/sdk" ]; then
	npm install --prefix "$ROOT/$B/npm" @modelcontextprotocol/sdk --no-audit --no-fund > "$OUT/npm.log" 2>&1 || true
fi
HAVE_SDK=0
[ -d "$NODEMOD/@modelcontextprotocol/sdk" ] && command -v node >/dev/null 2>&1 && HAVE_SDK=1
[ $HAVE_SDK = 1 ] || fail "@modelcontextprotocol/sdk unavailable (npm unreachable?): SDK tests NOT RUN"

if [ $HAVE_SDK = 1 ]; then
	MCP_NODE_MODULES=$NODEMOD node tests/integration/mcp/sdk.mjs stdio "$BIN" "$CFG" "$FAKE" > "$OUT/sdk-stdio.log" 2>&1
	cat "$OUT/sdk-stdio.log"; tally "$OUT/sdk-stdio.log" "sdk stdio suite"
fi

# ---- stdio: raw bad-input battery, lifecycle -------------------------------------------
python3 tests/integration/mcp/battery.py stdio "$BIN" "$CFG" $MAXB > "$OUT/battery-stdio.log" 2>&1
cat "$OUT/battery-stdio.log"; tally "$OUT/battery-stdio.log" "stdio battery"

# nothing but protocol messages on stdout, logs on stderr
out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"ping"}' | "$BIN" mcp --config "$CFG" 2>"$OUT/stderr1.log")
[ "$out" = '{"jsonrpc":"2.0","id":1,"result":{}}' ] && ok "stdout carries only the protocol message" || fail "stdout content" "$out"
# a last line without newline is served before the clean exit
out=$(printf '{"jsonrpc":"2.0","id":2,"method":"ping"}' | "$BIN" mcp --config "$CFG" 2>/dev/null); rc=$?
[ "$out" = '{"jsonrpc":"2.0","id":2,"result":{}}' ] && [ $rc = 0 ] && ok "last line without newline, exit 0" || fail "last line without newline" "$rc $out"
# stdin from a regular file and /dev/null
printf '%s\n' '{"jsonrpc":"2.0","id":3,"method":"ping"}' > "$OUT/in.jsonl"
out=$("$BIN" mcp --config "$CFG" < "$OUT/in.jsonl" 2>/dev/null); rc=$?
[ "$out" = '{"jsonrpc":"2.0","id":3,"result":{}}' ] && [ $rc = 0 ] && ok "stdin from a regular file" || fail "stdin from a file" "$rc $out"
"$BIN" mcp --config "$CFG" < /dev/null > "$OUT/null.out" 2>/dev/null; rc=$?
[ $rc = 0 ] && [ ! -s "$OUT/null.out" ] && ok "stdin /dev/null: exit 0, no output" || fail "stdin /dev/null" "$rc"
# SIGTERM: clean exit 0 while a call is in flight
mkfifo "$OUT/fifo"
"$BIN" mcp --config "$CFG" < "$OUT/fifo" > "$OUT/term.out" 2>"$OUT/term.err" & MP=$!; PIDS="$PIDS $MP"
exec 3>"$OUT/fifo"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}' >&3
printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"chat","arguments":{"model":"hang","messages":[{"role":"user","content":"x"}]}}}' >&3
sleep 0.3
kill -TERM $MP; wait $MP; rc=$?
exec 3>&-
[ $rc = 0 ] && grep -q '"id":1,"result"' "$OUT/term.out" && ok "SIGTERM with a call in flight: exit 0" || fail "SIGTERM exit" "rc=$rc $(cat "$OUT/term.err")"
# unknown stdio_key_id: start-up error
printf '[mcp]\nstdio_key_id = "vk-nope"\n' > "$OUT/badkey.toml"
"$BIN" mcp --config "$OUT/badkey.toml" < /dev/null > /dev/null 2>"$OUT/badkey.err"; rc=$?
[ $rc = 1 ] && grep -q "stdio_key_id 'vk-nope' not found" "$OUT/badkey.err" && ok "unknown stdio_key_id: start-up error" || fail "unknown stdio_key_id" "$rc $(cat "$OUT/badkey.err")"
# stdio_key_id binds stdio to the key: allow-list, master-only tools
sed 's/^\[mcp\]$/[mcp]\nstdio_key_id = "vk-limited-mcp"/' "$CFG" > "$OUT/vk.toml"
out=$(printf '%s\n' \
	'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}' \
	'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"chat","arguments":{"model":"gpt-test","messages":[{"role":"user","content":"x"}]}}}' \
	'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_files","arguments":{}}}' \
	| "$BIN" mcp --config "$OUT/vk.toml" 2>/dev/null)
echo "$out" | grep '"id":2' | grep -q "is not allowed to access model 'gpt-test'" && ok "stdio_key_id: model allow-list (-32602)" || fail "stdio_key_id allow-list" "$out"
echo "$out" | grep '"id":3' | grep -q "requires master-key access" && ok "stdio_key_id: master-only tool refused" || fail "stdio_key_id master-only" "$out"

finish
