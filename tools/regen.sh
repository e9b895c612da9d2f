#!/bin/sh
# tools/regen.sh — regenerate the checked-in generated sources (`make regen`).
# One section per generator; each writes its output next to the code that
# uses it and prints what it did. Review the diff and commit the result.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
CC_HOST=${CC_HOST:-cc}

# --- src/tls/tls_ca_bundle.c: built-in trust anchors from Debian's ca-certificates
regen_ca_bundle() {
  bundle=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
  if [ ! -r "$bundle" ]; then
    echo "regen: $bundle missing (install ca-certificates: sh tools/setup.sh)" >&2
    return 1
  fi
  make -s "$B/asan/bearssl/libbearssl.a"
  mkdir -p "$B/tools"
  $CC_HOST -std=c11 -O1 -Wall -Wextra -Werror -I"$B/vendor/bearssl-0.6/inc" \
    tools/gen_ca_bundle.c "$B/asan/bearssl/libbearssl.a" -o "$B/tools/gen_ca_bundle"
  ver=$(dpkg-query -W -f='${Version}' ca-certificates 2>/dev/null || echo unknown)
  "$B/tools/gen_ca_bundle" "$bundle" src/tls/tls_ca_bundle.c "Debian ca-certificates $ver"
}

regen_ca_bundle

# --- src/providers/registry_gen.c + pricing_gen.c: provider registry from the
#     shared spec's providers.tsv, pricing table from tools/pricing.tsv
regen_providers() {
  tsv=${PROVIDERS_TSV:-../shared/spec/providers.tsv}
  python3 tools/gen_providers.py "$tsv" -o src/providers/registry_gen.c \
    --pricing tools/pricing.tsv --pricing-out src/providers/pricing_gen.c
}

regen_providers
