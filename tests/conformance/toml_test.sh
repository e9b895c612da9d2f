#!/bin/sh
# toml_test.sh — the toml-test conformance corpus against src/toml.
# The corpus ships in Debian's golang-github-burntsushi-toml-dev (1.2.0-2); it
# is fetched with `apt-get download` into $B and unpacked into $B/toml-test
# (nothing is installed). Tests that the corpus marks as newer than TOML 1.0.0
# (its version.go) are skipped. Ends with "N passed, N failed".
# usage: tests/conformance/toml_test.sh [BUILD_DIR]
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
mkdir -p "$B" || exit 2
B=$(cd "$B" && pwd)
PKG=golang-github-burntsushi-toml-dev
PKGVER=1.2.0-2
T=$B/toml-test
GO=$T/usr/share/gocode/src/github.com/BurntSushi/toml
CORPUS=$GO/internal/toml-test/tests

skipped() {
  echo "########################################################################"
  echo "## SKIPPED: toml-test corpus not available ($1)"
  echo "########################################################################"
  echo "0 passed, 0 failed"
  exit 0
}

if [ ! -d "$CORPUS" ]; then
  deb=$(ls "$B/${PKG}_"*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    echo "fetching $PKG=$PKGVER with apt-get download"
    (cd "$B" && { apt-get download "$PKG=$PKGVER" || apt-get download "$PKG"; }) \
      >"$B/toml-test-fetch.log" 2>&1
    deb=$(ls "$B/${PKG}_"*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || skipped "apt-get download $PKG failed, see $B/toml-test-fetch.log"
  fi
  case $deb in *"_${PKGVER}_"*) ;; *) echo "WARNING: expected $PKG $PKGVER, got ${deb##*/}" ;; esac
  rm -rf "$T"
  dpkg-deb -x "$deb" "$T" || skipped "dpkg-deb -x $deb failed"
  [ -d "$CORPUS" ] || skipped "no corpus in ${deb##*/}"
fi

# Tests excluded for TOML 1.0.0 by the corpus itself (toml-test version.go,
# the "1.0.0" versionSpec); escape-esc (\e) is the 1.1-only one in 1.2.0.
EXCL=$(awk '/"1\.0\.0": *versionSpec/ { on = 1 } on && /^\t}/ { exit }
            on && /"[a-z]+\/[^"]*"/ { match($0, /"[^"]*"/); print substr($0, RSTART + 1, RLENGTH - 2) }' \
       "$GO/internal/toml-test/version.go" 2>/dev/null)
[ -n "$EXCL" ] || EXCL="valid/string/escape-esc"

# The decoder, with ASan/UBSan.
D=$B/conformance
mkdir -p "$D"
gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
    -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough -Isrc -O1 -g \
    -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
    tests/conformance/toml_decode.c src/toml/*.c src/base/*.c -pthread \
    -o "$D/toml_decode" || { echo "toml_decode: build failed"; echo "0 passed, 1 failed"; exit 1; }

ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:exitcode=87 exec python3 tests/conformance/toml_test_run.py \
  "$D/toml_decode" "$CORPUS" $EXCL
