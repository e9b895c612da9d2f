#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# Runs apt-get only as root; otherwise it lists what is missing and carries on.
set -u
need="musl-tools xz-utils dpkg-dev ca-certificates $*"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "setup: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends $missing || { echo "setup: apt-get install failed" >&2; exit 1; }
  fi
else
  echo "setup: missing packages:$missing (run make as root, or install them)" >&2
  exit 1
fi
