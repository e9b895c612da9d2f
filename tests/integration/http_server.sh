#!/bin/sh
# tests/integration/http_server.sh — builds tests/integration/http/test_server
# (src/http/http_server on net/worker, glibc + ASan/UBSan) and drives it with
# real clients: curl (keep-alive reuse, chunked upload, Expect: 100-continue,
# HTTP/1.0, HEAD, streaming) and python3 (tests/integration/http/checks.py:
# bad inputs, pipelining, limits, slowloris, idle close, disconnects,
# max_conns, lost wake-ups with the server process stopped by SIGSTOP), an
# IPv6 [::1] listener, and a graceful drain on SIGTERM while a slow request
# is in flight. Ends with "N passed, N failed".
#   usage: sh tests/integration/http_server.sh [build-dir]
. "$(dirname "$0")/lib/common.sh"
it_init it-http "$1" keep   # keep: obj/ is an incremental build
need_tools gcc curl python3

# --- build ----------------------------------------------------------------------
# Every file of base/, net/ and http/ goes into a static archive, so the link
# pulls only what the server needs (e.g. not http_client and its TLS).
BIN=$OUT/test_server
OBJ=$OUT/obj
mkdir -p "$OBJ"
CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
 -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough -Isrc -O1 -g \
 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
: >"$OUT/build.log"
built=1
for f in src/base/*.c src/net/*.c src/http/*.c; do
	o=$OBJ/$(echo "$f" | tr / _).o
	newer=0
	[ -f "$o" ] || newer=1
	if [ $newer = 0 ]; then
		for h in "$f" src/base/*.h src/net/*.h src/http/*.h; do
			if [ "$h" -nt "$o" ]; then newer=1; break; fi
		done
	fi
	if [ $newer = 1 ]; then
		# shellcheck disable=SC2086
		# a file that does not compile (someone else's, half-written) is left
		# out: the link says whether the server needed it
		gcc $CFLAGS -c "$f" -o "$o" 2>>"$OUT/build.log" || rm -f "$o"
	fi
done
for o in "$OBJ"/*.o; do   # objects whose source is gone
	[ -f "$o" ] || continue
	f=$(basename "$o" .o | sed 's|^src_\([a-z]*\)_|src/\1/|')
	[ -f "$f" ] || rm -f "$o"
done
rm -f "$OUT/libhs.a"
ar rcs "$OUT/libhs.a" "$OBJ"/*.o 2>>"$OUT/build.log" || built=0
# shellcheck disable=SC2086
if [ $built = 1 ] && gcc $CFLAGS -o "$BIN" tests/integration/http/test_server.c "$OUT/libhs.a" \
	-pthread 2>>"$OUT/build.log"; then
	ok build
else
	cat "$OUT/build.log"
	fail build
	finish
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

# start NAME ARGS...: run the server in the background; sets PORT and PID.
start() {
	name=$1
	shift
	rm -f "$OUT/port.$name"
	"$BIN" --port 0 --port-file "$OUT/port.$name" "$@" 2>"$OUT/log.$name" &
	PID=$!
	track $PID
	PORT=$(wait_port_file "$OUT/port.$name")
	if [ -z "$PORT" ]; then
		fail "start $name" "$(tail -n 3 "$OUT/log.$name")"
		return 1
	fi
	return 0
}

# stop NAME PID: SIGTERM, expect exit 0 within 10 s (137: killed after that).
stop() {
	stop_gw "$2"
	rc=$?
	if [ "$rc" = 0 ]; then ok "stop_$1_exit_0"; else fail "stop_$1_exit_0" "exit $rc: $(grep -m1 -E 'ERROR|Sanitizer|runtime error' "$OUT/log.$1")"; fi
}

# pyc GROUP [PID]: run the python checks, count their lines.
pyc() {
	python3 tests/integration/http/checks.py "$HOSTADDR" "$PORT" "$1" $2 >"$OUT/py.$1" 2>&1
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "${line#ok }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		*) echo "  | $line" ;;
		esac
	done <"$OUT/py.$1"
}

CURL="curl -s --max-time 20"
HOSTADDR=127.0.0.1

# --- main server: curl + protocol checks -------------------------------------------
if start main --body-limit 1048576 --threads 2; then
	MAIN=$PID
	U=http://127.0.0.1:$PORT

	[ "$($CURL "$U/hello")" = hello ] && ok curl_hello || fail curl_hello

	n=$($CURL -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "$U/hello" "$U/hello" "$U/hello")
	[ "$n" = "1 0 0 " ] && ok curl_keepalive_reuse || fail curl_keepalive_reuse "num_connects: $n"

	head -c 300000 /dev/urandom >"$OUT/up.bin"
	$CURL -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$OUT/up.bin" -o "$OUT/down.bin" "$U/echo"
	cmp -s "$OUT/up.bin" "$OUT/down.bin" && ok curl_chunked_upload || fail curl_chunked_upload

	rm -f "$OUT/down.bin"
	$CURL -v -H 'Expect: 100-continue' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$OUT/up.bin" -o "$OUT/down.bin" "$U/echo" 2>"$OUT/curl100.err"
	if grep -q 'HTTP/1.1 100 Continue' "$OUT/curl100.err" && cmp -s "$OUT/up.bin" "$OUT/down.bin"; then
		ok curl_expect_100_continue
	else
		fail curl_expect_100_continue
	fi

	head -c 2000000 /dev/zero >"$OUT/toobig.bin"
	code=$($CURL -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$OUT/toobig.bin" "$U/echo")
	[ "$code" = 413 ] && ok curl_body_too_large_413 || fail curl_body_too_large_413 "got $code"

	h=$($CURL --http1.0 -D - -o "$OUT/h10.out" "$U/hello" | tr -d '\r')
	if [ "$(cat "$OUT/h10.out")" = hello ] && echo "$h" | grep -qi '^connection: close'; then
		ok curl_http10
	else
		fail curl_http10 "$h"
	fi
	n=$($CURL --http1.0 -H 'Connection: keep-alive' -o /dev/null -o /dev/null -w '%{num_connects} ' "$U/hello" "$U/hello")
	[ "$n" = "1 0 " ] && ok curl_http10_keepalive || fail curl_http10_keepalive "num_connects: $n"

	h=$($CURL -I "$U/hello" | tr -d '\r')
	echo "$h" | grep -qi '^content-length: 5' && ok curl_head || fail curl_head "$h"

	s=$($CURL -N "$U/stream?n=3&ms=100")
	[ "$s" = "$(printf 'data: 0\n\ndata: 1\n\ndata: 2')" ] && ok curl_stream || fail curl_stream "$s"

	n=$($CURL "$U/big?n=5000000" | wc -c)
	[ "$n" -eq 5000000 ] && ok curl_big_response || fail curl_big_response "$n bytes"

	pyc protocol
	sleep 0.3
	grep -q 'aborted /stream' "$OUT/log.main" && ok handler_told_on_disconnect_stream || fail handler_told_on_disconnect_stream
	grep -q 'aborted /slow' "$OUT/log.main" && ok handler_told_on_disconnect_wait || fail handler_told_on_disconnect_wait

	# graceful drain: SIGTERM while a slow request is in flight
	$CURL "$U/slow?ms=1500" >"$OUT/drain.out" 2>&1 &
	CPID=$!
	sleep 0.5
	t0=$(date +%s)
	stop main "$MAIN"
	wait "$CPID"
	[ "$(cat "$OUT/drain.out")" = "slow done" ] && ok drain_completes_in_flight || fail drain_completes_in_flight "$(cat "$OUT/drain.out")"
	grep -q 'graceful shutdown complete' "$OUT/log.main" && ok drain_logged || fail drain_logged
	[ $(($(date +%s) - t0)) -lt 10 ] && ok drain_bounded || fail drain_bounded
fi

# --- short timeouts: slowloris and idle close --------------------------------------
if start timeouts --header-timeout-ms 500 --idle-timeout-ms 700; then
	pyc slowloris
	pyc idle
	stop timeouts "$PID"
fi

# --- lost wake-ups: the server stopped (SIGSTOP) while requests arrive -----------------
if start wakeups --threads 1; then
	pyc wakeups "$PID"
	kill -CONT "$PID" 2>/dev/null
	stop wakeups "$PID"
fi

# --- max connections ----------------------------------------------------------------
if start maxconns --max-conns 2 --threads 1; then
	pyc maxconns
	stop maxconns "$PID"
fi

# --- IPv6 ------------------------------------------------------------------------------
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	if start v6 --host ::1; then
		[ "$($CURL -g "http://[::1]:$PORT/hello")" = hello ] && ok ipv6_curl || fail ipv6_curl
		stop v6 "$PID"
	fi
else
	echo "  (no IPv6 loopback: IPv6 checks skipped)"
fi

finish
