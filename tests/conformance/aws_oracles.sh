#!/bin/sh
# aws_oracles.sh — SigV4 signing and event-stream framing (src/providers/sigv4,
# eventstream) against the AWS SDK's own JavaScript implementations:
#   - @smithy/signature-v4 (+ @aws-crypto/sha256-js, @smithy/protocol-http)
#     signs a fixed set of requests (AWS suite, Bedrock Converse / ConverseStream
#     / invoke with ':' and ARNs in the model id, several regions incl. cn-*,
#     session tokens, queries, x-amz-content-sha256, S3 paths) and 60 seeded
#     random ones; tests/conformance/aws/driver.c must produce the same
#     Authorization, x-amz-date, x-amz-security-token and x-amz-content-sha256;
#   - @smithy/eventstream-codec encodes ~90 messages (Bedrock events, every
#     header type, 100 KB payload, random ones) that our decoder must describe
#     identically (fed whole, byte by byte and in random pieces); our encoder
#     must reproduce the same bytes, which smithy must decode identically; every
#     corrupted message smithy rejects, ours rejects too.
# Installs the npm packages into $B/npm (git-ignored; skipped when present).
# Usage: sh tests/conformance/aws_oracles.sh [BUILD_DIR]; ends with
# "N passed, N failed". Without node/npm or registry access it prints SKIPPED
# and "0 passed, 0 failed" and exits 0.
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
NPM=$B/npm
NM=$NPM/node_modules
OUT=$B/conformance/aws
A=tests/conformance/aws
mkdir -p "$OUT" || exit 2

skip() {
  echo "aws_oracles: SKIPPED ($1)"
  echo "0 passed, 0 failed"
  exit 0
}

command -v node >/dev/null 2>&1 || skip "node not installed"
PKGS="@smithy/signature-v4 @aws-crypto/sha256-js @smithy/protocol-http @smithy/eventstream-codec @smithy/util-utf8"
missing=
for p in $PKGS; do [ -f "$NM/$p/package.json" ] || missing=1; done
if [ -n "$missing" ]; then
  command -v npm >/dev/null 2>&1 || skip "npm not installed"
  mkdir -p "$NPM"
  if ! npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error $PKGS >"$OUT/npm.log" 2>&1; then
    sed 's/^/  npm: /' "$OUT/npm.log" | tail -n 5
    skip "npm install failed: registry unreachable?"
  fi
fi
export NODE_PATH="$NM"

# The C driver: our sources + src/base + BearSSL (ASan/UBSan build).
BEARSSL=$B/asan/bearssl/libbearssl.a
[ -f "$BEARSSL" ] || make -s "$BEARSSL" >/dev/null || { echo "aws_oracles: cannot build $BEARSSL"; echo "0 passed, 1 failed"; exit 1; }
DRV=$OUT/driver
if ! gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough -Isrc -I$B/vendor/bearssl-0.6/inc \
    -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    $A/driver.c src/providers/sigv4.c src/providers/eventstream.c src/tls/tls_crypto.c src/base/*.c \
    "$BEARSSL" -o "$DRV" 2>"$OUT/cc.log"; then
  cat "$OUT/cc.log"
  echo "0 passed, 1 failed"
  exit 1
fi

P=0 F=0
pass() { P=$((P + 1)); }
fail() { F=$((F + 1)); echo "FAIL $1"; }

# --- SigV4 ---------------------------------------------------------------------
if node $A/sign.cjs "$OUT/cases.txt" "$OUT/sign.want" 2>"$OUT/sign.err"; then
  "$DRV" sign "$OUT/cases.txt" >"$OUT/sign.got" 2>>"$OUT/sign.err" || fail "sigv4: driver exited non-zero"
  n=$(wc -l <"$OUT/sign.want")
  i=1
  while [ "$i" -le "$n" ]; do
    w=$(sed -n "${i}p" "$OUT/sign.want")
    g=$(sed -n "${i}p" "$OUT/sign.got")
    if [ "$w" = "$g" ]; then pass; else
      fail "sigv4 ${w%%	*}"; echo "  want: $w"; echo "  got:  $g"; fi
    i=$((i + 1))
  done
  echo "sigv4: $n requests compared with @smithy/signature-v4"
else
  cat "$OUT/sign.err"; fail "sigv4: node signer failed"
fi

# --- event stream --------------------------------------------------------------
cmp_lines() { # name want got
  n=$(wc -l <"$2")
  i=1 bad=0
  while [ "$i" -le "$n" ]; do
    if [ "$(sed -n "${i}p" "$2")" = "$(sed -n "${i}p" "$3")" ]; then pass; else fail "$1 message $i"; bad=1; fi
    i=$((i + 1))
  done
  [ "$(wc -l <"$3")" = "$n" ] || fail "$1: $(wc -l <"$3") lines, expected $n"
  echo "$1: $n messages compared"
}
if node $A/eventstream.cjs gen "$OUT/smithy.bin" "$OUT/smithy.desc" 2>"$OUT/es.err"; then
  "$DRV" es-decode "$OUT/smithy.bin" >"$OUT/ours.desc" || fail "eventstream: our decoder failed on smithy's stream"
  cmp_lines "eventstream decode(smithy encode)" "$OUT/smithy.desc" "$OUT/ours.desc"
  if "$DRV" es-encode "$OUT/smithy.desc" "$OUT/ours.bin"; then
    if cmp -s "$OUT/smithy.bin" "$OUT/ours.bin"; then pass; else fail "eventstream: our encoding differs from smithy's bytes"; fi
    if node $A/eventstream.cjs decode "$OUT/ours.bin" >"$OUT/back.desc" 2>>"$OUT/es.err"; then
      cmp_lines "eventstream smithy decode(our encode)" "$OUT/smithy.desc" "$OUT/back.desc"
    else
      cat "$OUT/es.err"; fail "eventstream: smithy could not decode our stream"
    fi
  else
    fail "eventstream: our encoder failed"
  fi
  rm -rf "$OUT/bad" && mkdir -p "$OUT/bad"
  node $A/eventstream.cjs bad "$OUT/bad" >"$OUT/bad.txt" 2>>"$OUT/es.err" || fail "eventstream: node bad"
  nb=0
  while IFS='	' read -r name verdict; do
    nb=$((nb + 1))
    if "$DRV" es-decode "$OUT/bad/bad_$name.bin" >/dev/null 2>&1; then ours=accepted; else ours=rejected; fi
    if [ "$ours" = "$verdict" ]; then pass; else fail "eventstream corrupt $name: smithy $verdict, ours $ours"; fi
  done <"$OUT/bad.txt"
  echo "eventstream: $nb corrupted messages compared"
else
  cat "$OUT/es.err"; fail "eventstream: node encoder failed"
fi

echo "$P passed, $F failed"
[ "$F" = 0 ]
