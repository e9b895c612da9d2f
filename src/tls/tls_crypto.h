/* tls_crypto.h — the hash primitives other layers need (SHA-256, HMAC-SHA256),
 * backed by BearSSL so that bearssl.h stays inside src/tls. Pure functions:
 * no allocation, no state kept between calls; intermediate state is wiped. */
#ifndef TLS_CRYPTO_H
#define TLS_CRYPTO_H
#include <stddef.h>
#include <stdint.h>

#define TLS_SHA256_LEN 32

/* out = SHA-256(p[0..n)). p may be NULL when n == 0. */
void tls_sha256(const void *p, size_t n, uint8_t out[TLS_SHA256_LEN]);

/* out = HMAC-SHA256(key[0..klen), msg[0..mlen)) (RFC 2104; keys longer than
 * 64 bytes are hashed first). key / msg may be NULL when their length is 0.
 * out may alias key or msg (the result is written last). */
void tls_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
	uint8_t out[TLS_SHA256_LEN]);

#endif
