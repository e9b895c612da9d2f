# tests/integration/lib/common.sh — the scaffolding the integration scripts
# share (POSIX sh, sourced; not a test itself: tests/run.sh runs only
# tests/integration/*.sh). A script begins
#
#   . "$(dirname "$0")/lib/common.sh"
#   it_init it-NAME "$1"
#
# and ends with `finish`, which prints the "N passed, N failed" last line and
# exits non-zero when anything failed. Python fakes use lib/fakehttp.py.
#
# it_init sets: B (the build directory as given, default build), ROOT (the
# repository root, also the current directory), BUILD (B made absolute), BIN
# ($BUILD/liter-llm), OUT (the scratch directory), NODEMOD (the npm packages
# of $BUILD/npm), P and F (the counters), PIDS (processes killed at exit).
# Function-local variables start with an underscore (sh has no locals).

# it_init OUTNAME [BUILD-DIR [keep]]: go to the repository root and set up.
# OUT is $BUILD/OUTNAME, emptied first unless "keep" is given; OUTNAME "-"
# makes OUT a fresh mktemp directory, removed at exit.
it_init() {
	B=${2:-build}
	cd "$(dirname "$0")/../.." || exit 2
	ROOT=$(pwd)
	case $B in /*) BUILD=$B ;; *) BUILD=$ROOT/$B ;; esac
	BIN=$BUILD/liter-llm
	NODEMOD=$BUILD/npm/node_modules
	IT_RM=
	if [ "$1" = - ]; then
		OUT=$(mktemp -d "${TMPDIR:-/tmp}/liter-it.XXXXXX") || exit 2
		IT_RM=$OUT
	else
		OUT=$BUILD/$1
		[ "${3:-}" = keep ] || rm -rf "$OUT"
		mkdir -p "$OUT" || exit 2
	fi
	P=0 F=0 PIDS=""
	trap 'it_exit' EXIT
	trap 'fail "interrupted"; finish' INT TERM
}

# ---- counters ----------------------------------------------------------------
# ok NAME: one check passed
ok() { P=$((P + 1)); echo "ok $1"; }
# fail NAME [DETAIL]: one check failed
fail() { F=$((F + 1)); echo "FAIL $1${2:+: $2}"; }
# bad NAME [FILE]: one check failed; shows the last 15 lines of FILE
bad() {
	F=$((F + 1))
	echo "FAIL $1"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 15 "$2" | sed 's/^/     | /'; fi
}
# finish: kill what is left, print "N passed, N failed", exit 0 only without failures
finish() {
	kill_procs
	echo "$P passed, $F failed"
	[ "$F" = 0 ]
	exit $?
}
# tally LOG NAME: add the "N passed, M failed" last line of a sub-suite's LOG;
# a LOG without it counts a failure "NAME did not finish"
tally() {
	_line=$(tail -n 1 "$1")
	P=$((P + $(echo "$_line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')+0))
	F=$((F + $(echo "$_line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')+0))
	echo "$_line" | grep -q ' passed, ' || fail "$2 did not finish"
}
# suite NAME LOG CMD...: run a sub-suite (output in LOG, then shown) and tally it
suite() {
	_sname=$1 _slog=$2
	shift 2
	"$@" > "$_slog" 2>&1
	cat "$_slog"
	tally "$_slog" "$_sname"
}

# ---- requirements ---------------------------------------------------------------
# need_tools TOOL...: every TOOL on PATH, else one failure and finish
need_tools() {
	for _t in "$@"; do
		command -v "$_t" > /dev/null 2>&1 || { fail "needs $_t"; finish; }
	done
}
# need_bin: the built binary, else one failure and finish
need_bin() { [ -x "$BIN" ] || { fail "no $BIN (run make first)"; finish; }; }

# npm_sdk [--prefix DIR] PKG...: the npm packages PKG (name or name@version) in
# DIR (default $BUILD/npm, shared by the scripts, git-ignored): npm install runs
# only when one is missing (5 minutes at most, output in $OUT/npm.log). Returns 0
# when all are there and node runs; otherwise says SKIP on stderr, counts one
# failure and returns 1.
npm_sdk() {
	_prefix=$BUILD/npm
	if [ "$1" = --prefix ]; then _prefix=$2; shift 2; fi
	_missing=$(npm_missing "$_prefix" "$@")
	if [ -n "$_missing" ] && command -v npm > /dev/null 2>&1; then
		mkdir -p "$_prefix"
		# shellcheck disable=SC2086
		timeout 300 npm install --prefix "$_prefix" --no-audit --no-fund --loglevel=error $_missing \
			>> "$OUT/npm.log" 2>&1
		_missing=$(npm_missing "$_prefix" "$@")
	fi
	command -v node > /dev/null 2>&1 || _missing="$_missing (no node)"
	[ -z "$_missing" ] && return 0
	echo "SKIP: npm registry unreachable,$_missing tests NOT RUN" >&2
	fail "npm packages unavailable (npm unreachable?):$_missing" "$(tail -n 5 "$OUT/npm.log" 2> /dev/null)"
	return 1
}
# npm_missing DIR PKG...: prints the PKGs without a package.json under DIR/node_modules
npm_missing() {
	_dir=$1/node_modules
	shift
	for _p in "$@"; do
		case $_p in
		@*/*@*) _n=${_p%@*} ;;
		@*) _n=$_p ;;
		*@*) _n=${_p%%@*} ;;
		*) _n=$_p ;;
		esac
		[ -f "$_dir/$_n/package.json" ] || printf ' %s' "$_p"
	done
}

# ---- processes ----------------------------------------------------------------------
# track PID...: kill PID at exit (`cmd > log 2>&1 & track $!`)
track() { PIDS="$PIDS $*"; }
# forget PID: no longer kill PID at exit (it has been waited for)
forget() {
	_rest=
	for _p in $PIDS; do [ "$_p" = "$1" ] || _rest="$_rest $_p"; done
	PIDS=$_rest
}
# kill_procs: SIGKILL every tracked process and reap it
kill_procs() {
	for _p in $PIDS; do kill -KILL "$_p" 2> /dev/null; done
	for _p in $PIDS; do wait "$_p" 2> /dev/null; done
	PIDS=""
}
it_exit() {
	kill_procs
	if [ -n "$IT_RM" ]; then rm -rf "$IT_RM"; fi
}

# wait_port_file FILE [SECONDS]: wait (10 s by default) until FILE is not
# empty, print its content; returns 1 when it stays empty
wait_port_file() {
	_i=0 _n=$((${2:-10} * 20))
	while [ ! -s "$1" ]; do
		[ $_i -lt $_n ] || return 1
		sleep 0.05
		_i=$((_i + 1))
	done
	cat "$1"
}
# start_fake NAME CMD...: start a fake server in the background (output in
# $OUT/NAME.log) that writes its port to $OUT/NAME.port (CMD must be given that
# path); sets FP to the port and FPID to its process. Returns 1 (one failure
# counted) when no port comes within 10 s.
start_fake() {
	_fname=$1
	shift
	rm -f "$OUT/$_fname.port"
	"$@" > "$OUT/$_fname.log" 2>&1 < /dev/null &
	FPID=$!
	track $FPID
	FP=$(wait_port_file "$OUT/$_fname.port") && [ -n "$FP" ] && return 0
	fail "$_fname did not start" "$(tail -n 5 "$OUT/$_fname.log")"
	return 1
}
# wait_listen LOG PID [SED-SCRIPT]: print the port of a server that logs where it
# listens (the api's "listening on 127.0.0.1:PORT", the MCP server's "listening
# on http://HOST:PORT/mcp", or what SED-SCRIPT prints) once LOG shows it;
# returns 1 after 10 s or when PID has exited without it
wait_listen() {
	_sed=${3:-'s/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p'}
	_i=0
	while :; do
		_port=$(sed -n "$_sed" "$1" 2> /dev/null | head -n 1)
		[ -n "$_port" ] && { echo "$_port"; return 0; }
		[ $_i -lt 200 ] && kill -0 "$2" 2> /dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	_port=$(sed -n "$_sed" "$1" 2> /dev/null | head -n 1)
	[ -n "$_port" ] && echo "$_port"
}
# start_gw LOG CMD...: start a server (liter-llm api, or mcp --transport http) in
# the background, output in LOG; sets GWPID, GP (its port, empty when it did
# not start) and U (http://127.0.0.1:GP). Returns 0 when it listens.
start_gw() {
	_glog=$1
	shift
	: > "$_glog"
	"$@" > "$_glog" 2>&1 &
	GWPID=$!
	track $GWPID
	GP=$(wait_listen "$_glog" "$GWPID")
	U=http://127.0.0.1:$GP
	[ -n "$GP" ]
}
# stop_gw [PID]: SIGTERM to PID (default $GWPID), SIGKILL when it still runs
# 10 s later; returns its exit status (137 when it had to be killed)
stop_gw() {
	_pid=${1:-$GWPID}
	kill -TERM "$_pid" 2> /dev/null
	_i=0
	while kill -0 "$_pid" 2> /dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -KILL "$_pid" 2> /dev/null
	wait "$_pid"
	_rc=$?
	forget "$_pid"
	return $_rc
}

# ---- certificates --------------------------------------------------------------------------
# test_certs NAME SAN: in $OUT, a test CA (ca.pem, ca.key), another CA (other.pem)
# and a server certificate signed by the first (leaf.pem, leaf.key) for SAN
# ("DNS:localhost,IP:127.0.0.1"), made with the openssl CLI (log in
# $OUT/openssl.log); returns 0 when leaf.pem verifies against ca.pem
test_certs() {
	(
		cd "$OUT" || exit 1
		for _ca in ca other; do
			openssl req -x509 -newkey rsa:2048 -nodes -keyout $_ca.key -out $_ca.pem -days 30 -subj "/CN=$1 $_ca" \
				-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
		done
		openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=$1 server"
		printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
			"$2" > leaf.ext
		openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 -extfile leaf.ext \
			-out leaf.pem
	) >> "$OUT/openssl.log" 2>&1
	[ -s "$OUT/leaf.pem" ] && [ -s "$OUT/other.pem" ] && openssl verify -CAfile "$OUT/ca.pem" "$OUT/leaf.pem" > /dev/null 2>&1
}

# ---- HTTP checks -------------------------------------------------------------------------
# check NAME STATUS BODY CURL-ARGS...: curl (20 s at most) answers STATUS with
# the body BODY ("-": any body; "prefix*": a body starting with prefix); the
# body is left in $OUT/body
check() {
	_name=$1 _st=$2 _bd=$3
	shift 3
	_res=$(curl -s -m 20 -o "$OUT/body" -w '%{http_code}' "$@")
	_got=$(cat "$OUT/body" 2> /dev/null)
	if [ "$_res" != "$_st" ]; then fail "$_name" "status $_res, body $_got"; return 1; fi
	case $_bd in
	-) ;;
	*\*) case $_got in "${_bd%\*}"*) ;; *) fail "$_name" "body $_got"; return 1 ;; esac ;;
	*) if [ "$_got" != "$_bd" ]; then fail "$_name" "body $_got"; return 1; fi ;;
	esac
	ok "$_name"
}
