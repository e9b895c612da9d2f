#!/bin/sh
# Fetch one pinned Debian source package through apt into build/, verify the
# upstream tarball's sha256 and unpack it. Writes nothing outside build/.
# usage: vendor_fetch.sh BUILD_DIR SRCPKG DEBVER ORIG SHA256 DIR [HDR_SHA256 BINPKG HDRPATH]
set -eu
build=$1 pkg=$2 ver=$3 orig=$4 sha=$5 dir=$6
hdrsha=${7:-} binpkg=${8:-} hdrpath=${9:-}
apt=$(cd "$build" && pwd)/apt
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl" "$build/vendor"
# One fetch at a time: parallel make runs this script for each package and
# they share the private apt state.
exec 9>"$apt/lock"
flock 9
APT="apt-get -q -o Dir::Etc::SourceList=$apt/none.list -o Dir::Etc::SourceParts=$apt/parts \
 -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root"

# A private deb-src (and deb, for the header fallback) list derived from the
# machine's configured sources.
derive() {
  : > "$apt/parts/derived.list"
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p; s/^[[:space:]]*deb[[:space:]]/deb /p' /etc/apt/sources.list >> "$apt/parts/derived.list"
  fi
  for f in /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p; s/^[[:space:]]*deb[[:space:]]/deb /p' "$f" >> "$apt/parts/derived.list"
  done
  i=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    i=$((i+1))
    sed 's/^Types:.*/Types: deb deb-src/' "$f" > "$apt/parts/derived$i.sources"
  done
}

have() { [ -f "$apt/dl/$1" ] && echo "$2  $apt/dl/$1" | sha256sum -c --status; }

if ! have "$orig" "$sha"; then
  derive
  if [ ! -f "$apt/updated" ]; then
    $APT update >"$apt/update.log" 2>&1 || echo "vendor_fetch: apt-get update reported errors (see $apt/update.log); trying anyway" >&2
    touch "$apt/updated"
  fi
  (cd "$apt/dl" && $APT source --download-only "$pkg=$ver" >"$apt/source-$pkg.log" 2>&1) || true
fi

if have "$orig" "$sha"; then
  rm -rf "$build/vendor/$dir"
  case "$orig" in
    *.tar.xz) tar -xJf "$apt/dl/$orig" -C "$build/vendor" ;;
    *.tar.gz) tar -xzf "$apt/dl/$orig" -C "$build/vendor" ;;
    *) echo "vendor_fetch: unknown archive type $orig" >&2; exit 1 ;;
  esac
  touch "$build/vendor/$dir"
  echo "vendor_fetch: $pkg $ver verified (sha256 $sha) -> $build/vendor/$dir"
  exit 0
fi
if [ -f "$apt/dl/$orig" ]; then
  echo "vendor_fetch: $orig does not match the pinned sha256 $sha; refusing to build with it" >&2
  exit 1
fi

# Header-only fallback: the binary -dev package of the same version.
if [ -n "$binpkg" ]; then
  (cd "$apt/dl" && $APT download "$binpkg" >"$apt/download-$binpkg.log" 2>&1) || true
  deb=$(ls "$apt/dl/${binpkg}"_*.deb 2>/dev/null | head -n 1)
  if [ -n "$deb" ]; then
    rm -rf "$apt/x" && mkdir -p "$apt/x" && dpkg-deb -x "$deb" "$apt/x"
    if echo "$hdrsha  $apt/x/$hdrpath" | sha256sum -c --status; then
      rm -rf "$build/vendor/$dir" && mkdir -p "$build/vendor/$dir"
      cp "$apt/x/$hdrpath" "$build/vendor/$dir/"
      echo "vendor_fetch: $binpkg header verified (sha256 $hdrsha) -> $build/vendor/$dir"
      exit 0
    fi
    echo "vendor_fetch: $hdrpath from $binpkg does not match the pinned sha256" >&2
    exit 1
  fi
fi
echo "vendor_fetch: could not fetch the $pkg source package ($ver) through apt; see $apt/*.log" >&2
exit 1
