#!/bin/sh
# tests/run.sh — the single test entry behind `make test`.
# Runs: layer check, unit tests (musl static and ASan/UBSan builds), fuzz corpus
# replay, conformance suites, integration tests. Every test program ends its
# output with "N passed, N failed"; this script adds them up and prints the
# total as its own last line. Exit status 0 only when nothing failed.
B=${1:-build}
cd "$(dirname "$0")/.." || exit 2
P=0 F=0
LOG=$B/test-logs
mkdir -p "$LOG"

# run NAME CMD...: run one test program, add up its closing line.
run() {
  name=$1; shift
  out=$LOG/$(echo "$name" | tr '/ ' '__').log
  start=$(date +%s)
  "$@" >"$out" 2>&1
  rc=$?
  line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
  line=${line#*: }
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
    f=$(echo "$line" | sed 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/')
  else
    p=0 f=0
  fi
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  if [ "$rc" = 0 ] && [ -z "$line" ]; then p=1; fi
  P=$((P + p)); F=$((F + f))
  t=$(( $(date +%s) - start ))
  if [ "$f" = 0 ]; then
    printf '  ok   %-40s %5s passed (%ss)\n' "$name" "$p" "$t"
  else
    printf '  FAIL %-40s %5s passed, %s failed (%ss, exit %s) — log: %s\n' "$name" "$p" "$f" "$t" "$rc" "$out"
    grep -E '^(FAIL|  )' "$out" | head -n 20 | sed 's/^/         /'
    tail -n 5 "$out" | sed 's/^/       | /'
  fi
}

echo "== layer check"
run check_layers sh tools/check_layers.sh

echo "== unit tests (musl static)"
for t in "$B"/musl/tests/test_*; do [ -x "$t" ] && run "musl/${t##*/}" "$t"; done
echo "== unit tests (glibc + ASan/UBSan)"
for t in "$B"/asan/tests/test_*; do [ -x "$t" ] && run "asan/${t##*/}" env ASAN_OPTIONS=detect_leaks=1 "$t"; done

echo "== fuzz corpus replay"
for z in "$B"/fuzz/fuzz_*; do
  [ -x "$z" ] || continue
  n=${z##*/fuzz_}
  [ -d "tests/fuzz/corpus/$n" ] || { echo "  FAIL fuzz/$n: no corpus tests/fuzz/corpus/$n"; F=$((F+1)); continue; }
  run "fuzz-replay/$n" "$z" -runs=0 "tests/fuzz/corpus/$n"
done

echo "== conformance suites"
for s in tests/conformance/*.sh; do [ -f "$s" ] && run "conformance/${s##*/}" sh "$s" "$B"; done

echo "== integration tests"
for s in tests/integration/*.sh; do [ -f "$s" ] && run "integration/${s##*/}" sh "$s" "$B"; done

echo "$P passed, $F failed"
[ "$F" = 0 ]
