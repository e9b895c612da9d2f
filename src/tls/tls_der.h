/* tls_der.h — the few X.509 fields BearSSL does not hand out, read from a DER
 * certificate: issuer and subject (to tell a self-signed certificate), the
 * validity dates (to tell "expired" from "not yet valid") and the
 * subjectAltName iPAddress entries (BearSSL only matches DNS names). Pure:
 * bytes in, fields out; a fuzz target (tests/fuzz/fuzz_pem.c). Internal to
 * src/tls (and its tests). */
#ifndef TLS_TLS_DER_H
#define TLS_TLS_DER_H
#include <stddef.h>
#include <stdint.h>

typedef struct tls_der_cert {
	const uint8_t *issuer;  size_t issuer_len;   /* whole Name TLV */
	const uint8_t *subject; size_t subject_len;  /* whole Name TLV */
	int64_t not_before, not_after;               /* seconds since 1970-01-01 UTC */
	const uint8_t *san;     size_t san_len;      /* GeneralNames content, NULL when absent */
} tls_der_cert;

/* Length of the first TLV of der (header + content), 0 when malformed or
 * longer than n. Used to cut the certificate out of a "TRUSTED CERTIFICATE". */
size_t tls_der_tlv_len(const void *der, size_t n);

/* Parse a certificate (exactly n bytes) far enough to fill *out (pointers into der).
 * 0 or ERR_INVAL. Does not verify anything. */
int tls_der_cert_parse(const void *der, size_t n, tls_der_cert *out);

/* 1 when the SAN holds an iPAddress equal to ip (4 or 16 bytes), else 0. */
int tls_der_san_has_ip(const tls_der_cert *c, const void *ip, size_t ip_len);

/* Parse an IP literal: dotted IPv4, or IPv6 with or without [brackets].
 * Returns 4 or 16 with the address in out, 0 when s is not an IP literal. */
int tls_der_parse_ip(const char *s, size_t n, uint8_t out[16]);

#endif
