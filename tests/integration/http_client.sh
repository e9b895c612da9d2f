#!/bin/sh
# tests/integration/http_client.sh — the upstream HTTP client (src/http/http_client)
# through a test driver (tests/integration/client/client_drv.c, built here with
# ASan/UBSan) against a Python 3 stdlib fake upstream (plain and TLS, test CA
# made here with the openssl CLI) and a small Python CONNECT/forward proxy,
# all on loopback with ephemeral ports: body framings, trickled delivery,
# keep-alive reuse, stale connections and the retry, timeouts, errors,
# cancel, pause, HTTPS, proxies (CONNECT with and without Basic auth,
# absolute-form), NO_PROXY, and the outbound policy.
# Usage: sh tests/integration/http_client.sh [build-dir]. Ends with "N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
it_init it-http-client "$1"
need_tools python3 openssl
# the proxy variables of the caller must not leak into the tests
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy NO_PROXY no_proxy ALL_PROXY all_proxy

# --- build the driver ------------------------------------------------------------
INC=$(ls -d "$B"/vendor/bearssl-*/inc 2>/dev/null | head -n 1)
JSMN=$(ls -d "$B"/vendor/jsmn-* 2>/dev/null | head -n 1)
LIB=$B/asan/bearssl/libbearssl.a
[ -f "$LIB" ] || make -s "$LIB" >/dev/null 2>&1
if [ -z "$INC" ] || [ ! -f "$LIB" ]; then bad "BearSSL not built ($LIB)"; finish; fi
if gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Isrc -I"$INC" -I"$JSMN" -g -O1 \
     -fsanitize=address,undefined -fno-sanitize-recover=undefined \
     tests/integration/client/client_drv.c src/http/http_client.c src/http/http_proxy.c \
     src/http/http_parse.c src/http/http_msg.c src/net/loop.c src/net/sock.c src/net/dns.c \
     src/net/netpolicy.c src/tls/*.c src/json/*.c src/base/*.c "$LIB" -pthread -o "$OUT/drv" 2>"$OUT/cc.log"; then
  ok "build client_drv"
else
  bad "build client_drv" "$OUT/cc.log"; finish
fi
export ASAN_OPTIONS=detect_leaks=1
D="timeout 60 $OUT/drv"

# --- certificates ---------------------------------------------------------------------
if test_certs client-it "DNS:localhost,IP:127.0.0.1"; then ok "test CA and certificate"; else bad "test CA and certificate" "$OUT/openssl.log"; finish; fi

# --- servers ---------------------------------------------------------------------------
FAKES=tests/integration/client
start_fake up python3 $FAKES/fake_upstream.py --port-file "$OUT/up.port" --stats "$OUT/up.stats" && UP=$FP &&
  start_fake tls python3 $FAKES/fake_upstream.py --port-file "$OUT/tls.port" --stats "$OUT/tls.stats" \
    --tls "$OUT/leaf.pem" "$OUT/leaf.key" && TLS=$FP &&
  start_fake up6 python3 $FAKES/fake_upstream.py --host ::1 --port-file "$OUT/up6.port" && UP6=$FP &&
  start_fake proxy python3 $FAKES/fake_proxy.py --port-file "$OUT/proxy.port" --log "$OUT/px.log" && PX=$FP &&
  start_fake proxya python3 $FAKES/fake_proxy.py --port-file "$OUT/proxya.port" --log "$OUT/pxa.log" --auth 'u:p@ss' &&
  PXA=$FP || finish
ok "fake upstreams and proxies started"
U=http://127.0.0.1:$UP
accepts() { sed -n 's/.*accepts=\([0-9]*\).*/\1/p' "$1"; }

# check NAME PATTERN... -- COMMAND...: (this script's own check, not the curl one
# of lib/common.sh) run the command (the driver: $D ..., or
# env VAR=... $D ...); every PATTERN (grep -E) must match its output, a
# PATTERN starting with '!' must not; the exit status must be $want_rc.
N=0
want_rc=0
check() {
  name=$1; shift
  pats=""
  while [ "$1" != "--" ]; do pats="$pats
$1"; shift; done
  shift
  N=$((N + 1)); out=$OUT/out.$N
  "$@" >"$out" 2>&1
  rc=$?
  good=1
  [ $rc = "$want_rc" ] || good=0
  grep -q 'ERROR\|runtime error\|AddressSanitizer\|LeakSanitizer' "$out" && good=0
  oldifs=$IFS; IFS='
'
  for p in $pats; do
    case $p in
      !*) grep -Eq -- "${p#!}" "$out" && good=0 ;;
      *) grep -Eq -- "$p" "$out" || good=0 ;;
    esac
  done
  IFS=$oldifs
  if [ $good = 1 ]; then ok "$name"; else bad "$name (exit $rc)" "$out"; fi
}

# --- framing ------------------------------------------------------------------------------
check "Content-Length body" 'status=200 err=ok .*bytes=5 .*body=hello$' -- $D "$U/cl"
check "chunked body, decoded" 'status=200 err=ok .*bytes=11 .*body=hello world$' -- $D "$U/chunked"
check "close-delimited body" 'status=200 err=ok .*body=close-delimited body$' -- $D "$U/eof"
check "1xx skipped" 'status=200 err=ok .*body=ok$' -- $D "$U/100"
check "HEAD: no body" 'status=200 err=ok ndata=0 bytes=0' -- $D -X HEAD "$U/cl"
check "request head: POST with Content-Length, custom header" \
  'body=POST /headers HTTP/1.1\\x0d\\x0aHost: 127.0.0.1:[0-9]+\\x0d\\x0aX-Test: 1' -- $D -X POST -d '{"a":1}' -H 'X-Test: 1' "$U/headers"
check "slow trickled body delivered incrementally" 'status=200 err=ok ndata=[4-9] bytes=20 ' -- $D "$U/trickle"
check "pause/resume: nothing delivered while paused" 'status=200 err=ok .*bytes=20 .*paused_ok=1' -- $D --pause-ms 400 "$U/trickle"

# --- keep-alive -------------------------------------------------------------------------------
a0=$(accepts "$OUT/up.stats")
check "keep-alive reuse (5 requests)" 'stats requests=5 connects=1 reused=4 ' 'result i=5 status=200 err=ok .*reused=1' -- $D -n 5 "$U/cl"
a1=$(accepts "$OUT/up.stats")
if [ $((a1 - a0)) = 1 ]; then ok "keep-alive: the upstream saw one connection for 5 requests"; else bad "keep-alive: upstream saw $((a1 - a0)) connections"; fi
check "idle connection closed by the server: detected, not reused" \
  'result i=2 status=200 err=ok .*reused=0' 'stale=[12] ' -- $D -n 2 --sleep 400 "$U/closeidle"
check "stale pooled connection: request retried once on a fresh one (POST)" \
  'result i=2 status=200 err=ok .*reused=1 .*body=ok' 'retries=1 failed=0' -- $D -n 2 -X POST -d x "$U/dropsecond"

# --- timeouts and errors -----------------------------------------------------------------------
check "first-byte timeout" 'err=first_byte_timeout' 'reason: no response from http://127.0.0.1:[0-9]+ within 300 ms' \
  'retries=0' -- $D --first-byte 300 "$U/silent"
check "idle timeout mid-body" 'status=200 err=idle_timeout .*bytes=3 ' 'stalled: no data for 300 ms' -- $D --idle 300 "$U/stall"
check "total timeout" 'err=timeout ' 'timed out after 400 ms' -- $D --total 400 "$U/silent"
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
check "connect refused" 'err=connect ' 'reason: cannot connect to http://127.0.0.1:[0-9]+ \(127\.0\.0\.1:[0-9]+\): connection refused' \
  -- $D "http://127.0.0.1:$DEAD/"
check "DNS failure" 'err=dns ' "cannot resolve host 'no-such-host.invalid'" -- $D "http://no-such-host.invalid/"
check "malformed response" 'err=malformed_response' 'reason: malformed response from http://127.0.0.1' -- $D "$U/malformed"
check "truncated chunked body: error after the bytes that came" 'status=200 err=truncated .*bytes=5 .*body=hello$' \
  'mid-body after 5 bytes' -- $D "$U/truncchunk"
check "truncated Content-Length body" 'err=truncated .*bytes=4 ' '4 of 10 bytes' -- $D "$U/trunc"
check "cancel mid-body: no callback afterwards" 'result i=1 cancelled bytes=8 ' '!err=' 'active=0' -- $D --cancel-after 8 "$U/trickle"
check "invalid URL refused at once" 'err=invalid_request' "reason: invalid URL 'http://a\.\.b/': invalid host name" -- $D "http://a..b/"

# --- HTTPS ---------------------------------------------------------------------------------------
export SSL_CERT_FILE="$OUT/ca.pem"
check "HTTPS (SNI localhost) with keep-alive" 'result i=1 status=200 err=ok .*body=hello$' \
  'result i=3 status=200 err=ok .*reused=1' 'connects=1 reused=2' -- $D -n 3 "https://localhost:$TLS/cl"
check "HTTPS to an IP literal (IP SAN), chunked" 'status=200 err=ok .*body=hello world$' -- $D "https://127.0.0.1:$TLS/chunked"
check "HTTPS with an untrusted CA: worded TLS error" 'err=tls ' \
  "reason: TLS handshake with localhost:$TLS failed: " -- env SSL_CERT_FILE="$OUT/other.pem" $D "https://localhost:$TLS/cl"

# --- proxies -----------------------------------------------------------------------------------------
: >"$OUT/px.log"
check "HTTPS through a CONNECT proxy" 'status=200 err=ok .*body=hello$' \
  'result i=2 .*reused=1' -- env HTTPS_PROXY=http://127.0.0.1:$PX $D -n 2 "https://localhost:$TLS/cl"
if grep -q "^CONNECT localhost:$TLS auth=none" "$OUT/px.log" && [ "$(grep -c CONNECT "$OUT/px.log")" = 1 ]; then
  ok "proxy saw one CONNECT localhost:$TLS (tunnel reused)"
else bad "proxy log for CONNECT" "$OUT/px.log"; fi
: >"$OUT/pxa.log"
check "CONNECT proxy with Basic auth" 'status=200 err=ok .*body=hello world$' \
  -- env https_proxy="http://u:p%40ss@127.0.0.1:$PXA" $D "https://localhost:$TLS/chunked"
if grep -q "^CONNECT localhost:$TLS auth=ok" "$OUT/pxa.log"; then ok "proxy checked the credentials"; else bad "proxy auth log" "$OUT/pxa.log"; fi
check "CONNECT proxy without credentials: 407 reported" 'err=proxy ' \
  "refused CONNECT to localhost:$TLS: 407 Proxy Authentication Required" -- env HTTPS_PROXY="http://127.0.0.1:$PXA" $D "https://localhost:$TLS/cl"
: >"$OUT/px.log"
check "plain http through the proxy (absolute-form)" 'status=200 err=ok .*body=hello$' -- env HTTP_PROXY=http://127.0.0.1:$PX $D "$U/cl"
if grep -q "^GET http://127.0.0.1:$UP/cl auth=none" "$OUT/px.log"; then ok "proxy saw the absolute-form request"; else bad "proxy absolute-form log" "$OUT/px.log"; fi
: >"$OUT/pxa.log"
check "absolute-form with Basic auth" 'status=200 err=ok .*body=hello$' -- env HTTP_PROXY="http://u:p%40ss@127.0.0.1:$PXA" $D "$U/cl"
if grep -q "^GET http://127.0.0.1:$UP/cl auth=ok" "$OUT/pxa.log"; then ok "proxy checked absolute-form credentials"; else bad "proxy absolute-form auth log" "$OUT/pxa.log"; fi
: >"$OUT/px.log"
check "NO_PROXY bypass (CIDR and name)" 'result i=1 status=200 err=ok' -- env HTTP_PROXY=http://127.0.0.1:$PX \
  HTTPS_PROXY=http://127.0.0.1:$PX NO_PROXY="example.com, 127.0.0.0/8,localhost" $D "$U/cl"
check "NO_PROXY bypass (host:port)" 'status=200 err=ok' -- env HTTPS_PROXY=http://127.0.0.1:$PX no_proxy="localhost:$TLS" $D "https://localhost:$TLS/cl"
if [ ! -s "$OUT/px.log" ]; then ok "proxy saw nothing for NO_PROXY destinations"; else bad "proxy used despite NO_PROXY" "$OUT/px.log"; fi
want_rc=2
check "unsupported proxy scheme: start-up error" \
  "proxy: invalid HTTPS_PROXY 'socks5://127.0.0.1:1': proxy scheme 'socks5' is not supported" -- env HTTPS_PROXY=socks5://127.0.0.1:1 $D "https://localhost:$TLS/cl"
want_rc=0

# --- outbound policy ----------------------------------------------------------------------------------
check "deny_private: literal IP passes" 'status=200 err=ok' -- $D --policy deny_private "$U/cl"
check "deny_private: a name resolving to 127.0.0.1 is refused" 'err=outbound_forbidden' \
  "reason: outbound request to http://localhost:$UP forbidden: host 'localhost' resolves to forbidden address 127\.0\.0\.1 \(loopback\) under outbound_policy = \"deny_private\"; to reach a local model, write its literal IP in base_url" \
  'connects=0' -- $D --policy deny_private "http://localhost:$UP/cl"
check "deny_private: IPv6 literal passes" 'status=200 err=ok .*body=hello$' -- $D --policy deny_private "http://[::1]:$UP6/cl"
V6NAME=$(awk '$1 == "::1" { print $2; exit }' /etc/hosts)
if [ -n "$V6NAME" ]; then
  check "deny_private: a name resolving to ::1 is refused" 'err=outbound_forbidden' "forbidden address ::1 \(loopback\)" \
    -- $D --policy deny_private "http://$V6NAME:$UP6/cl"
else
  echo "skip deny_private IPv6 name: no name for ::1 in /etc/hosts (covered by the netpolicy unit tests)"
fi
: >"$OUT/px.log"
check "deny_private through a proxy: checked before the CONNECT" 'err=outbound_forbidden' \
  "resolves to forbidden address 127\.0\.0\.1" -- env HTTPS_PROXY=http://127.0.0.1:$PX $D --policy deny_private "https://localhost:$TLS/cl"
if [ ! -s "$OUT/px.log" ]; then ok "no CONNECT sent for a refused destination"; else bad "CONNECT sent despite the policy" "$OUT/px.log"; fi
check "deny_private through a proxy: literal IP passes" 'status=200 err=ok' \
  -- env HTTPS_PROXY=http://127.0.0.1:$PX $D --policy deny_private "https://127.0.0.1:$TLS/cl"
check "allowlist: listed origin passes" 'status=200 err=ok' -- $D --policy allowlist --allow "$U" "$U/cl"
check "allowlist: other origin refused" 'err=outbound_forbidden' 'not in outbound allowlist' \
  -- $D --policy allowlist --allow "$U" "http://127.0.0.1:$DEAD/cl"

finish
