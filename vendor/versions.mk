# Pinned third-party sources. Nothing here is committed but these lines:
# the build fetches each Debian source package through apt (tools/vendor_fetch.sh),
# checks the upstream tarball against the sha256 below and unpacks it into build/vendor/.

# BearSSL 0.6 (TLS). Debian source package "bearssl", version 0.6+dfsg.1-3.
BEARSSL_SRCPKG  := bearssl
BEARSSL_DEBVER  := 0.6+dfsg.1-3
BEARSSL_ORIG    := bearssl_0.6+dfsg.1.orig.tar.xz
BEARSSL_SHA256  := 102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
BEARSSL_DIR     := bearssl-0.6

# jsmn 1.1.0 (JSON tokenizer, header only). Debian source package "jsmn", 1.1.0-2;
# fallback: the binary package libjsmn-dev of the same version (its jsmn.h is checked).
JSMN_SRCPKG     := jsmn
JSMN_DEBVER     := 1.1.0-2
JSMN_ORIG       := jsmn_1.1.0.orig.tar.gz
JSMN_SHA256     := 5f0913a10657fe7ec8d5794ccf00a01000e3e1f2f1e1f143c34a0f7b47edcb38
JSMN_HDR_SHA256 := 1ed6154dedf009212a08a397e9c4ed50a0ce31d5a8301bb294e137ae3188c13b
JSMN_DIR        := jsmn-1.1.0
