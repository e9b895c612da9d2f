#!/bin/sh
# tests/integration/cli.sh — drives build/liter-llm: --version/--help, usage
# errors (exit 2), fatal errors (Error: ..., exit 1), check-config on good and
# broken files (FILE:LINE:COL), auto-discovery from a subdirectory, ${VAR}
# interpolation, start-up checks. Only failure paths of `api`/`mcp` are run, so
# the test never starts a server. Usage: sh tests/integration/cli.sh [BUILD_DIR]
. "$(dirname "$0")/lib/common.sh"
it_init - "$1"   # a fresh temporary directory, outside the repository
T=$OUT           # (OUT is the last command's stdout below)
# Keep discovery away from any liter-llm-proxy.toml above the temp dir: every
# run happens in $T/w (or below), and $T has none; ancestors of /tmp are checked.
mkdir -p "$T/w"
for d in "${TMPDIR:-/tmp}" /; do
	if [ -f "$d/liter-llm-proxy.toml" ]; then echo "note: $d/liter-llm-proxy.toml exists; discovery tests may be skewed"; fi
done
unset LITER_LLM_MASTER_KEY LITER_LLM_ETCD_ENDPOINTS LITER_LLM_ETCD_KEY LITER_LLM_LOG RUST_LOG

# run [ENV=..] CMD...: runs in $T/w (or $RUN_DIR), captures $OUT, $ERR, $RC
run() {
	( cd "${RUN_DIR:-$T/w}" && "$@" ) >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# expect NAME RC [stdout-substring] [stderr-substring]
expect() {
	name=$1 rc=$2 so=$3 se=$4
	if [ "$RC" != "$rc" ]; then fail "$name" "exit $RC, expected $rc; stdout: $OUT; stderr: $ERR"; return; fi
	if [ -n "$so" ]; then case $OUT in *"$so"*) ;; *) fail "$name" "stdout lacks: $so; got: $OUT"; return ;; esac; fi
	if [ -n "$se" ]; then case $ERR in *"$se"*) ;; *) fail "$name" "stderr lacks: $se; got: $ERR"; return ;; esac; fi
	ok "$name"
}

# stderr must be exactly one line "Error: <msg>" and stdout empty
expect_fatal() {
	name=$1 msg=$2
	if [ "$RC" != 1 ]; then fail "$name" "exit $RC, expected 1; stderr: $ERR"; return; fi
	if [ -n "$OUT" ]; then fail "$name" "stdout not empty: $OUT"; return; fi
	last=$(printf '%s\n' "$ERR" | tail -n 1)
	if [ "$last" != "Error: $msg" ]; then fail "$name" "got: $last
  want: Error: $msg"; return; fi
	ok "$name"
}

absent() { # NAME STRING: STRING must appear in neither output
	case "$OUT$ERR" in *"$2"*) fail "$1" "secret leaked: $2" ;; *) ok "$1" ;; esac
}

need_bin

# --- version and help ----------------------------------------------------------
run "$BIN" --version;            expect "--version" 0 "liter-llm 1.18.1"
[ "$OUT" = "liter-llm 1.18.1" ] && ok "--version exact" || fail "--version exact" "$OUT"
run "$BIN" -V;                   expect "-V" 0 "liter-llm 1.18.1"
run "$BIN" api -V;               expect "api -V" 0 "liter-llm 1.18.1"
run "$BIN" --help;               expect "--help" 0 "Usage: liter-llm [OPTIONS] <COMMAND>"
run "$BIN" -h;                   expect "-h" 0 "check-config"
run "$BIN" help;                 expect "help" 0 "Commands:"
run "$BIN" help api;             expect "help api" 0 "Usage: liter-llm api [OPTIONS]"
run "$BIN" api --help;           expect "api --help" 0 "--master-key <KEY>"
run "$BIN" mcp -h;               expect "mcp -h" 0 "--transport <TRANSPORT>"
run "$BIN" check-config --help;  expect "check-config --help" 0 "[FILE]"
[ -z "$ERR" ] && ok "help writes nothing to stderr" || fail "help writes nothing to stderr" "$ERR"

# --- usage errors: exit 2, stderr only ---------------------------------------------
run "$BIN";                      expect "no subcommand" 2 "" "requires a subcommand"
[ -z "$OUT" ] && ok "usage error stdout empty" || fail "usage error stdout empty" "$OUT"
run "$BIN" serve;                expect "unknown subcommand" 2 "" "unrecognized subcommand 'serve'"
run "$BIN" help nope;            expect "help unknown" 2 "" "unrecognized subcommand 'nope'"
run "$BIN" api --bogus;          expect "unknown flag" 2 "" "unexpected argument '--bogus' found"
run "$BIN" api --port 70000;     expect "bad port" 2 "" "invalid value '70000' for '--port <PORT>'"
run "$BIN" api --port;           expect "missing value" 2 "" "a value is required for '--port <PORT>'"
run "$BIN" api -p x;             expect "bad short port" 2 "" "invalid digit found in string"
run "$BIN" --tokio-worker-threads 0 api; expect "zero threads" 2 "" "number would be zero"
run "$BIN" api --tokio-max-blocking-threads=-3; expect "negative threads" 2 "" "invalid digit"
run "$BIN" mcp --debug;          expect "mcp --debug" 2 "" "unexpected argument '--debug' found"
run "$BIN" api --debug --debug;  expect "repeated flag" 2 "" "cannot be used multiple times"
run "$BIN" api stray;            expect "stray positional" 2 "" "unexpected argument 'stray' found"
run "$BIN" api --bogus;          expect "usage hint" 2 "" "For more information, try '--help'."

# --- config files -------------------------------------------------------------------
cat >"$T/good.toml" <<'EOF'
[general]
master_key = "${CLI_SH_MASTER}"

[[models]]
name = "gpt-4o"
provider_model = "openai/gpt-4o"
api_key = "sk-cli-sh-upstream-0001"

[[models]]
name = "fast"
provider_model = "groq/llama-3.1-8b-instant"
api_key = "gsk-cli-sh-0002"

[[models]]
name = "fast"
provider_model = "openai/gpt-4o-mini"
api_key = "sk-cli-sh-upstream-0001"

[[keys]]
key = "vk-cli-sh-token-0003"
description = "team-a"

[cache]
EOF
run env CLI_SH_MASTER=sk-cli-sh-master-0004 "$BIN" check-config "$T/good.toml"
expect "check-config good" 0 "$T/good.toml: ok"
case $OUT in *"fast (pool of 2, round_robin)"*) ok "summary pool" ;; *) fail "summary pool" "$OUT" ;; esac
case $OUT in *"team-a (tenant tnt-"*) ok "summary key" ;; *) fail "summary key" "$OUT" ;; esac
case $OUT in *"master key: set"*) ok "summary master" ;; *) fail "summary master" "$OUT" ;; esac
case $OUT in *"optional tables on: cache"*) ok "summary tables" ;; *) fail "summary tables" "$OUT" ;; esac
absent "summary hides token" "vk-cli-sh-token-0003"
absent "summary hides api key" "sk-cli-sh-upstream-0001"
absent "summary hides master" "sk-cli-sh-master-0004"

# ${VAR} unset -> empty -> load error at the line of the reference
run "$BIN" check-config "$T/good.toml"
expect "check-config unset var" 1 "" "$T/good.toml:2:14: general.master_key is present but empty"
run "$BIN" api -c "$T/good.toml"
expect_fatal "api unset var" "invalid TOML config: general.master_key is present but empty (an unset \${VAR} expands to an empty string); give it a value or remove the key ($T/good.toml:2:14)"

cat >"$T/broken.toml" <<'EOF'
[server]
port = "4000"
colour = "blue"

[[keys]]
key = "vk-cli-sh-secret-0005"
tenant_id = "master"

[routing]
strategy = "round_robin"
weights = [1.0]
EOF
run "$BIN" check-config "$T/broken.toml"
expect "check-config broken: exit" 1
case $ERR in *"$T/broken.toml:2:8: invalid type for 'port' in [server]: expected u16, found string"*) ok "broken 2:8" ;; *) fail "broken 2:8" "$ERR" ;; esac
case $ERR in *"$T/broken.toml:3:1: unknown key 'colour' in [server]"*) ok "broken 3:1" ;; *) fail "broken 3:1" "$ERR" ;; esac
case $ERR in *"$T/broken.toml:7:13: virtual key '<no description>': tenant_id \"master\" is reserved"*) ok "broken 7:13" ;; *) fail "broken 7:13" "$ERR" ;; esac
case $ERR in *"$T/broken.toml:11:1: unknown key(s) in [routing] for strategy \"round_robin\": weights. Accepted keys: strategy"*) ok "broken 11:1" ;; *) fail "broken 11:1" "$ERR" ;; esac
n=$(printf '%s\n' "$ERR" | grep -c "^$T/broken.toml:")
[ "$n" = 4 ] && ok "broken: all 4 errors listed" || fail "broken: all 4 errors listed" "$ERR"
first=$(printf '%s\n' "$ERR" | head -n 1)
case $first in "$T/broken.toml:2:8:"*) ok "errors sorted by position" ;; *) fail "errors sorted by position" "$first" ;; esac
absent "errors hide token" "vk-cli-sh-secret-0005"
run "$BIN" api -c "$T/broken.toml"
expect_fatal "api broken: first error" "invalid TOML config: unknown key(s) in [routing] for strategy \"round_robin\": weights. Accepted keys: strategy"

printf '[server]\nhost = "a" port = 1\n' >"$T/syntax.toml"
run "$BIN" check-config "$T/syntax.toml"
expect "syntax error line:col" 1 "" "$T/syntax.toml:2:12: "
run "$BIN" mcp --config="$T/syntax.toml"
expect "mcp syntax error" 1 "" "Error: invalid TOML config: "

# positions stay exact after a substitution that changes the line length
printf '[server]\nhost = "${CLI_SH_HOST}" bogus\n' >"$T/pos.toml"
run env CLI_SH_HOST=a-much-longer-host-name.example.com "$BIN" check-config "$T/pos.toml"
expect "position after substitution" 1 "" "$T/pos.toml:2:25: "

run "$BIN" api --config /nonexistent/liter.toml
expect_fatal "unreadable --config" "failed to read config file /nonexistent/liter.toml: No such file or directory (os error 2)"
run "$BIN" check-config /nonexistent/liter.toml
expect "check-config unreadable" 1 "" "failed to read config file /nonexistent/liter.toml"

# --- auto-discovery -------------------------------------------------------------------
mkdir -p "$T/w/proj/a/b"
printf '[[models]]\nname = "disc"\nprovider_model = "openai/x"\napi_key = "k"\n' >"$T/w/proj/liter-llm-proxy.toml"
RUN_DIR=$T/w/proj/a/b run "$BIN" check-config
expect "discovery from subdirectory" 0 "$T/w/proj/liter-llm-proxy.toml: ok"
case $OUT in *"disc -> openai/x"*) ok "discovered content" ;; *) fail "discovered content" "$OUT" ;; esac
mkdir -p "$T/w/proj/a/liter-llm-proxy.toml"   # a directory with the name is not a config
RUN_DIR=$T/w/proj/a/b run "$BIN" check-config
expect "discovery skips directories" 0 "$T/w/proj/liter-llm-proxy.toml: ok"
printf '[server]\nport = -1\n' >"$T/w/proj/a/b/liter-llm-proxy.toml"
RUN_DIR=$T/w/proj/a/b run "$BIN" api
expect_fatal "discovered broken file is fatal" "invalid TOML config: invalid value for 'port' in [server]: -1 is out of range for u16 (0..=65535) ($T/w/proj/a/b/liter-llm-proxy.toml:2:8)"
RUN_DIR=$T/w/proj/a/b run "$BIN" mcp
expect "mcp uses discovery too" 1 "" "out of range for u16"
run "$BIN" check-config
expect "nothing to discover" 0 "no liter-llm-proxy.toml found in"
case $OUT in *"models: 0 entries"*) ok "defaults summary" ;; *) fail "defaults summary" "$OUT" ;; esac

# --- api start-up checks (all fail before any server would start) ----------------------
run "$BIN" api --watch
expect_fatal "--watch without --config" "--watch requires --config <path> or --etcd-endpoint <url>"
run "$BIN" api --etcd-endpoint http://127.0.0.1:2379 --watch
expect "etcd refused" 1 "" "Error: --etcd-endpoint requires the 'etcd-watch' feature"
run env LITER_LLM_ETCD_ENDPOINTS=http://127.0.0.1:2379 "$BIN" api
expect "etcd from env refused" 1 "" "Error: --etcd-endpoint requires the 'etcd-watch' feature"
printf '[server]\ncors_origins = ["*"]\n[security]\noutbound_policy = "allowlist"\n' >"$T/allow.toml"
run "$BIN" api -c "$T/allow.toml" --master-key sk-cli-sh-argv-0006
expect_fatal "allowlist without entries" "security.outbound_policy = \"allowlist\" requires at least one entry in security.outbound_allowlist"
case $ERR in *"visible in the process table"*) ok "--master-key warning" ;; *) fail "--master-key warning" "$ERR" ;; esac
case $ERR in *'cors_origins contains "*"'*) ok "CORS warning" ;; *) fail "CORS warning" "$ERR" ;; esac
absent "argv master key not logged" "sk-cli-sh-argv-0006"
run "$BIN" api -c "$T/allow.toml" --host 127.0.0.1
case $ERR in *"cors_origins"*) fail "no CORS warning on 127.0.0.1" "$ERR" ;; *) ok "no CORS warning on 127.0.0.1" ;; esac
run env LITER_LLM_MASTER_KEY=sk-cli-sh-env-0007 "$BIN" api -c "$T/allow.toml"
case $ERR in *"visible in the process table"*) fail "no warning for env master key" "$ERR" ;; *) ok "no warning for env master key" ;; esac
printf '[security]\noutbound_policy = "allowlist"\noutbound_allowlist = ["not a url"]\n' >"$T/allow2.toml"
run "$BIN" api -c "$T/allow2.toml"
expect_fatal "allowlist bad URL" "invalid URL in outbound_allowlist (\"not a url\"): relative URL without a base"
run "$BIN" check-config "$T/allow2.toml"
expect "check-config runs start-up checks" 1 "" "$T/allow2.toml:3:23: invalid URL in outbound_allowlist"
printf '[files]\nbackend = "s3"\n' >"$T/files.toml"
run "$BIN" api -c "$T/files.toml"
expect "files backend refused" 1 "" "Error: failed to build storage operator for 's3'"

# --- mcp start-up checks ------------------------------------------------------------------
printf '' >"$T/empty.toml"
run "$BIN" mcp -c "$T/empty.toml" --transport ws
expect_fatal "unknown transport" "unknown transport 'ws', use 'stdio' or 'http'"
run "$BIN" mcp -c "$T/empty.toml" --transport http --host localhost
expect_fatal "mcp listen address" "invalid MCP listen address: invalid socket address syntax"
printf '[mcp]\nstdio_key_id = "vk-nope"\n[[keys]]\nkey = "vk-other-0008"\n' >"$T/mcpkey.toml"
run "$BIN" mcp -c "$T/mcpkey.toml"
expect_fatal "stdio_key_id not found" "mcp.stdio_key_id 'vk-nope' not found in the virtual key store; add it under [[keys]] in your config"

finish
