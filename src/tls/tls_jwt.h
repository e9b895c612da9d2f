/* tls_jwt.h — RS256-signed JSON Web Tokens (RFC 7515 / RFC 7519) for the
 * OAuth 2.0 JWT-bearer grant (RFC 7523) that turns a Google service-account
 * key into an access token. The RSA key comes as PEM text ("PRIVATE KEY",
 * PKCS#8, as in service-account JSON files; or "RSA PRIVATE KEY", PKCS#1),
 * decoded and used with BearSSL (br_skey_decoder, br_rsa_pkcs1_sign with the
 * SHA-256 OID), so bearssl.h stays inside src/tls.
 *
 * Pure given the time: no I/O, no clock (iat/exp come in the claims), no
 * allocation besides the caller's buf. The decoded key material lives on the
 * stack for the duration of one call and is wiped before it returns. */
#ifndef TLS_TLS_JWT_H
#define TLS_TLS_JWT_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

/* Largest RSA modulus accepted (bits): BearSSL's BR_MAX_RSA_SIZE. */
#define TLS_JWT_RSA_MAX_BITS 4096
/* Largest PEM text accepted (bytes). */
#define TLS_JWT_PEM_MAX 16384

/* The claims of a service-account assertion. Strings are NUL-terminated
 * UTF-8 (escaped when written); NULL or "" optional members are left out. */
typedef struct tls_jwt_claims {
	const char *kid;    /* header "kid": the key's private_key_id (optional) */
	const char *iss;    /* "iss": the service account's client_email (required) */
	const char *sub;    /* "sub": a user to impersonate (optional) */
	const char *scope;  /* "scope": space-separated OAuth scopes (optional) */
	const char *aud;    /* "aud": the token endpoint, token_uri (required) */
	int64_t iat;        /* "iat": issued at, unix seconds */
	int64_t exp;        /* "exp": expiry, unix seconds (Google: at most iat + 3600) */
} tls_jwt_claims;

/* Check that pem[0..n) holds an RSA private key usable for RS256 (a PEM
 * "PRIVATE KEY" or "RSA PRIVATE KEY" object, 1024..TLS_JWT_RSA_MAX_BITS
 * bits). *bits (may be NULL) gets the modulus size. 0, or ERR_INVAL /
 * ERR_TOOBIG with a sentence in err (never any key bytes). */
int tls_jwt_key_check(const char *pem, size_t n, unsigned *bits, char *err, size_t errlen);

/* Append the compact JWS of c signed with the key in pem[0..n) to out:
 *   base64url({"alg":"RS256","typ":"JWT"[,"kid"]}) "." base64url({"iss"
 *   [,"sub"][,"scope"],"aud","iat","exp"}) "." base64url(RSASSA-PKCS1-v1_5
 *   SHA-256 signature)
 * (base64url without padding, members in that order, compact JSON).
 * Returns 0; ERR_INVAL (bad key or claims: iss/aud missing) with err;
 * ERR_TOOBIG / ERR_NOMEM from out (then out is as it was). */
int tls_jwt_sign_rs256(const char *pem, size_t n, const tls_jwt_claims *c, buf *out, char *err, size_t errlen);

#endif
