/* tls_crypto.c — SHA-256 and HMAC-SHA256 over BearSSL's br_sha256 / br_hmac,
 * for callers outside src/tls (SigV4 signing in src/providers). */
#include "tls/tls_crypto.h"
#include "base/ct.h"
#include <bearssl.h>
#include <string.h>

void tls_sha256(const void *p, size_t n, uint8_t out[TLS_SHA256_LEN])
{
	br_sha256_context c;
	br_sha256_init(&c);
	if (n)
		br_sha256_update(&c, p, n);
	br_sha256_out(&c, out);
	ct_wipe(&c, sizeof c);
}

void tls_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
	uint8_t out[TLS_SHA256_LEN])
{
	br_hmac_key_context kc;
	br_hmac_context c;
	uint8_t tmp[TLS_SHA256_LEN];
	br_hmac_key_init(&kc, &br_sha256_vtable, klen ? key : "", klen);
	br_hmac_init(&c, &kc, 0);
	if (mlen)
		br_hmac_update(&c, msg, mlen);
	br_hmac_out(&c, tmp);
	memcpy(out, tmp, sizeof tmp);
	ct_wipe(&c, sizeof c);
	ct_wipe(&kc, sizeof kc);
	ct_wipe(tmp, sizeof tmp);
}
