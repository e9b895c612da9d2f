#!/bin/sh
# tests/integration/tls.sh — the TLS client (src/tls) against `openssl s_server`
# on 127.0.0.1, with a test CA and certificates made here with the openssl CLI:
# a good certificate (DNS and IP SANs, RSA and ECDSA, direct and through an
# intermediate), wrong host, expired, not yet valid, self-signed, unknown CA,
# weak key, a server without forward-secret suites, a TLS 1.1 server; session
# resumption and handshake counts; anchors from SSL_CERT_FILE, SSL_CERT_DIR and
# the system.
# Client: tests/integration/tls/tls_probe.c, built here against src/ (ASan).
# Usage: sh tests/integration/tls.sh [build-dir]. Ends with "N passed, N failed".
. "$(dirname "$0")/lib/common.sh"
it_init it-tls "$1"
need_tools openssl

# --- build the probe -------------------------------------------------------------
INC=$(ls -d "$B"/vendor/bearssl-*/inc 2>/dev/null | head -n 1)
JSMN=$(ls -d "$B"/vendor/jsmn-* 2>/dev/null | head -n 1)
LIB=$B/asan/bearssl/libbearssl.a
[ -f "$LIB" ] || make -s "$LIB" >/dev/null 2>&1
if [ -z "$INC" ] || [ ! -f "$LIB" ]; then bad "BearSSL not built ($LIB)"; finish; fi
if gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -I"$INC" -I"$JSMN" -g -O1 \
     -fsanitize=address,undefined -fno-sanitize-recover=undefined \
     tests/integration/tls/tls_probe.c src/tls/*.c src/json/*.c src/base/*.c \
     "$LIB" -pthread -o "$OUT/tls_probe" 2>"$OUT/cc.log"; then
  ok "build tls_probe"
else
  bad "build tls_probe" "$OUT/cc.log"; finish
fi
export ASAN_OPTIONS=detect_leaks=1

# --- certificates -------------------------------------------------------------------
cd "$OUT" || finish
q() { "$@" >>"$OUT/openssl.log" 2>&1; }
mkdir db && touch db/index.txt && echo 1000 > db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = c
[c]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
[p]
commonName = supplied
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
CNF
leafext() { printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$1" > "$2"; }
# sign NAME CA-NAME SAN [startdate enddate] [keyalg]: NAME.key NAME.csr NAME.pem
sign() {
  n=$1 ca=$2 san=$3 sd=${4:-} ed=${5:-} alg=${6:-rsa:2048}
  case $alg in
    ec) q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$n.key" ;;
    *) q openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${alg#rsa:}" -out "$n.key" ;;
  esac
  q openssl req -new -key "$n.key" -subj "/CN=$n" -out "$n.csr"
  leafext "$san" "$n.ext"
  if [ -n "$sd" ]; then
    q openssl ca -batch -notext -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" -in "$n.csr" -out "$n.pem" \
      -startdate "$sd" -enddate "$ed" -extfile "$n.ext"
  else
    q openssl ca -batch -notext -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" -in "$n.csr" -out "$n.pem" \
      -days 30 -extfile "$n.ext"
  fi
}
mkca() {
  q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key"
  q openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 30 -out "$1.pem" -config ca.cnf -extensions v3_ca
}
mkca ca "liter-llm integration test CA"
mkca ca2 "some other CA"
sign good ca "DNS:localhost,IP:127.0.0.1"
sign goodec ca "DNS:localhost" "" "" ec
sign wrong ca "DNS:wrong.example"
sign expired ca "DNS:localhost" 20200101000000Z 20210101000000Z
sign future ca "DNS:localhost" 20990101000000Z 21000101000000Z
sign unknown ca2 "DNS:localhost"
sign weak ca "DNS:localhost" "" "" rsa:1024
# an intermediate CA and a leaf under it
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out inter.key
q openssl req -new -key inter.key -subj "/CN=liter-llm test intermediate" -out inter.csr
q openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key -in inter.csr -out inter.pem -days 30 -extensions v3_inter
sign chained inter "DNS:localhost"
# self-signed, for localhost
q openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
n=0; for c in good goodec wrong expired future unknown weak chained self; do [ -s "$c.pem" ] && n=$((n + 1)); done
if [ "$n" = 9 ]; then ok "test certificates generated"; else bad "test certificates generated ($n of 9)" "$OUT/openssl.log"; finish; fi

# --- servers -------------------------------------------------------------------------
# serve NAME CERT KEY [s_server options...]: starts s_server -www, sets port_NAME
serve() {
  name=$1 cert=$2 key=$3; shift 3
  : >"$OUT/srv_$name.log"
  openssl s_server -accept 127.0.0.1:0 -cert "$cert" -key "$key" -www "$@" >>"$OUT/srv_$name.log" 2>&1 </dev/null &
  track $!
  port=$(wait_listen "$OUT/srv_$name.log" $! 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p')
  eval "port_$name=\$port"
  [ -n "$port" ] || echo "server $name did not start: $(tail -n 3 "$OUT/srv_$name.log")"
}
serve good good.pem good.key -alpn http/1.1
serve goodec goodec.pem goodec.key
serve wrong wrong.pem wrong.key
serve expired expired.pem expired.key
serve future future.pem future.key
serve unknown unknown.pem unknown.key
serve weak weak.pem weak.key -cipher DEFAULT:@SECLEVEL=0
serve chained chained.pem chained.key -cert_chain inter.pem
serve nochain chained.pem chained.key
serve self self.pem self.key
serve nofs good.pem good.key -cipher AES128-SHA:AES256-GCM-SHA384 -tls1_2
serve tls11 good.pem good.key -tls1_1 -cipher DEFAULT:@SECLEVEL=0
head -c 300000 /dev/urandom > big.bin
serve files good.pem good.key -WWW   # files from the current directory (the later -WWW wins over -www)

PROBE="timeout 60 $OUT/tls_probe"
export SSL_CERT_FILE="$OUT/ca.pem"
unset SSL_CERT_DIR

# expect_ok NAME OUT-PATTERN PROBE-ARGS...: the probe succeeds and prints the pattern
expect_ok() {
  name=$1 pat=$2; shift 2
  $PROBE "$@" >"$OUT/out" 2>&1
  rc=$?
  if [ $rc = 0 ] && grep -Eq "$pat" "$OUT/out"; then ok "$name"; else bad "$name (exit $rc)" "$OUT/out"; fi
}
# expect_fail NAME REASON-PATTERN PROBE-ARGS...: refused, and the message names the reason
expect_fail() {
  name=$1 pat=$2; shift 2
  $PROBE "$@" >"$OUT/out" 2>&1
  rc=$?
  if [ $rc = 1 ] && grep -q "conn 1: FAIL" "$OUT/out" && grep -Eq "$pat" "$OUT/out"; then
    ok "$name: $(sed -n 's/.*failed: //p' "$OUT/out" | head -n 1)"
  else
    bad "$name (exit $rc)" "$OUT/out"
  fi
}

# --- good certificates --------------------------------------------------------------------
expect_ok "valid certificate: request/response round trip" \
  'conn 1: OK resumed=0 alpn=http/1.1 status=200 .*page=New' localhost "$port_good"
expect_ok "IP host matched against the iPAddress SAN" 'conn 1: OK .*status=200' 127.0.0.1 "$port_good"
expect_ok "ECDSA leaf" 'conn 1: OK .*status=200' localhost "$port_goodec"
expect_ok "chain through an intermediate" 'conn 1: OK .*status=200' localhost "$port_chained"

# resumption and handshake counts: 1 full + 4 resumed, the server agrees
$PROBE -n 5 localhost "$port_good" >"$OUT/res" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q 'conn 1: OK resumed=0 .*page=New' "$OUT/res" \
   && [ "$(grep -c 'OK resumed=1 .*page=Reused' "$OUT/res")" = 4 ] \
   && grep -q 'stats: full=1 resumed=4 failed=0 sessions=1' "$OUT/res"; then
  ok "session resumption: 5 connections = 1 full + 4 resumed handshakes (server says Reused)"
else
  bad "session resumption (exit $rc)" "$OUT/res"
fi
hits=$(sed -n 's/^conn 5: server: *\([0-9]*\) session cache hits/\1/p' "$OUT/res")
if [ -n "$hits" ] && [ "$hits" -ge 4 ]; then ok "server counts $hits session cache hits"; else bad "server session cache hits: '$hits'" "$OUT/res"; fi
io_size=$(sed -n 's/.*io_size=\([0-9]*\).*/\1/p' "$OUT/res")
if [ -n "$io_size" ] && [ "$io_size" -gt 33178 ] && [ "$io_size" -lt 45000 ]; then
  ok "memory per connection: $io_size bytes (BearSSL full-duplex buffers 33178 + contexts)"
else
  bad "memory per connection: '$io_size'" "$OUT/res"
fi
w=$(sed -n 's/^conn 1: OK .*wakeups=\([0-9]*\)/\1/p' "$OUT/res")
if [ -n "$w" ] && [ "$w" -lt 50 ]; then ok "no busy loop: $w poll wake-ups for handshake + request"; else bad "poll wake-ups: '$w'" "$OUT/res"; fi

# a larger body (300 KB through many records)
$PROBE -p /big.bin -o "$OUT/big.out" localhost "$port_files" >"$OUT/out" 2>&1
rc=$?
# the body file holds the HTTP head too: compare the tail
if [ $rc = 0 ] && tail -c 300000 "$OUT/big.out" | cmp -s - big.bin; then
  ok "300 KB response intact"
else
  bad "300 KB response (exit $rc)" "$OUT/out"
fi

# --- refusals, each with its reason ---------------------------------------------------------
expect_fail "wrong host" 'hostname mismatch' localhost "$port_wrong"
expect_fail "wrong host (name differs from the SAN)" 'hostname mismatch' otherhost.example "$port_good"
expect_fail "IP host without a matching IP SAN" 'not valid for this IP address' 127.0.0.1 "$port_goodec"
expect_fail "expired certificate" 'certificate has expired' localhost "$port_expired"
expect_fail "not yet valid certificate" 'certificate is not yet valid' localhost "$port_future"
expect_fail "self-signed certificate" 'self-signed certificate' localhost "$port_self"
expect_fail "unknown CA" 'unknown CA' localhost "$port_unknown"
expect_fail "missing intermediate" 'unknown CA' localhost "$port_nochain"
expect_fail "weak RSA key (1024 bits)" 'too weak' localhost "$port_weak"
expect_fail "server without forward-secret suites" 'fatal alert: handshake_failure' localhost "$port_nofs"
expect_fail "TLS 1.1-only server" 'does not support TLS 1.2' localhost "$port_tls11"

# --- where the anchors come from -------------------------------------------------------------
mkdir certdir && cp ca.pem "certdir/$(openssl x509 -hash -noout -in ca.pem).0" && cp self.pem certdir/notes.txt
SSL_CERT_FILE= SSL_CERT_DIR="$OUT/certdir" $PROBE localhost "$port_good" >"$OUT/out" 2>&1
if [ $? = 0 ] && grep -q 'anchors: 1 from' "$OUT/out"; then ok "SSL_CERT_DIR with hashed names"; else bad "SSL_CERT_DIR" "$OUT/out"; fi
SSL_CERT_FILE="$OUT/nonexistent.pem" $PROBE localhost "$port_good" >"$OUT/out" 2>&1
if [ $? = 2 ] && grep -q "anchors: FAIL CA file $OUT/nonexistent.pem: No such file" "$OUT/out"; then
  ok "SSL_CERT_FILE that does not exist is an error, not a fallback"
else
  bad "SSL_CERT_FILE missing" "$OUT/out"
fi
# no variables: the system bundle, which does not know the test CA
env -u SSL_CERT_FILE -u SSL_CERT_DIR $PROBE localhost "$port_good" >"$OUT/out" 2>&1
if [ $? = 1 ] && grep -Eq 'anchors: [0-9]+ from' "$OUT/out" && grep -q 'unknown CA' "$OUT/out"; then
  ok "system anchors by default ($(sed -n 's/^anchors: //p' "$OUT/out")), test CA not trusted"
else
  bad "system anchors" "$OUT/out"
fi

finish
