#!/bin/sh
# Layer check: a module includes only from its own folder or lower layers,
# siblings never include each other, bearssl.h only under src/tls/, jsmn.h
# only under src/json/. Prints the offending lines and exits 1 on any.
cd "$(dirname "$0")/.." || exit 1
rank() {
  case $1 in
    base) echo 0 ;; net|json|toml) echo 1 ;; tls|config) echo 2 ;; http) echo 3 ;;
    providers) echo 4 ;; gateway) echo 5 ;; proxy|mcp) echo 6 ;; main) echo 7 ;; *) echo 99 ;;
  esac
}
bad=0
for f in $(find src -name '*.c' -o -name '*.h' | LC_ALL=C sort); do
  d=${f#src/}; d=${d%%/*}
  case $d in *.c|*.h) d=main ;; esac
  r=$(rank "$d")
  if [ "$r" = 99 ]; then echo "check_layers: $f: unknown layer folder '$d'"; bad=1; continue; fi
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" | while IFS= read -r line; do
    inc=$(printf '%s' "$line" | sed 's/.*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/')
    case $inc in
      bearssl*.h) [ "$d" = tls ] || echo "check_layers: $f:${line%%:*}: bearssl.h outside src/tls/" ;;
      jsmn.h) [ "$d" = json ] || echo "check_layers: $f:${line%%:*}: jsmn.h outside src/json/" ;;
      */*)
        m=${inc%%/*}; mr=$(rank "$m")
        [ "$mr" = 99 ] && continue
        if [ "$m" != "$d" ]; then
          if [ "$mr" -gt "$r" ]; then echo "check_layers: $f:${line%%:*}: upward include of $inc (layer $m above $d)"
          elif [ "$mr" -eq "$r" ]; then echo "check_layers: $f:${line%%:*}: sibling include of $inc ($d and $m are both layer $r)"; fi
        fi ;;
    esac
  done
done > "${TMPDIR:-/tmp}/layers.$$" 2>&1 || true
out="${TMPDIR:-/tmp}/layers.$$"; if [ -s "$out" ]; then cat "$out"; rm -f "$out"; exit 1; fi; rm -f "$out"
[ "$bad" = 0 ] || exit 1
echo "check_layers: ok"
