/* test_tls_jwt.c — RS256 JWT signing (tls/tls_jwt): key formats, the exact
 * header and claims, a known answer computed with OpenSSL, and the signature
 * checked with BearSSL's own RSA verify. The keys are throwaway test keys
 * (jwt_testkey.h says how they were made). */
#include "t.h"
#include "jwt_testkey.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "tls/tls_jwt.h"
#include <bearssl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* openssl: printf %s "<header>.<claims>" | openssl dgst -sha256 -sign k8.pem | base64url */
static const char KAT[] =
	"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjAxMjNhYmNkIn0.eyJpc3MiOiJzdmNAcHJvai5pYW0uZ3NlcnZp"
	"Y2VhY2NvdW50LmNvbSIsInNjb3BlIjoiaHR0cHM6Ly93d3cuZ29vZ2xlYXBpcy5jb20vYXV0aC9jbG91ZC1wbGF0Zm9ybSIs"
	"ImF1ZCI6Imh0dHBzOi8vb2F1dGgyLmdvb2dsZWFwaXMuY29tL3Rva2VuIiwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAw"
	"MDM2MDB9.Wcw0ifoc8klIiySoNCusFlzV9CCY0mUQwn96rk8D28whF1XOHDCiXAZHOieqsuZeI2HWYVxIRfHgoMLxMux6dBY"
	"oFUyLi1dBvCJH4WiojePGxwtONU3L9IpWa9juKnQ6yb-_tIxKVeev8MvO044Ik9lMbUET1hMgtDfgLtxY5gd8BSadKUkkV8e"
	"kZ91SKwWzO5v0s4Jgg38lX7YavNCIJWRPuL0AKqLvkJmiG10hVDmQ-OYxURjkGxTxfWtYFai35yaxa-UFeWvF03hcByiLN1G"
	"Phv5wnf3b1-IKd1y6d4w7wpzQW6eewqYsgk1cXrU9u-yjel67eUtWeaM3hNybOA"
	;

static const tls_jwt_claims CLAIMS = {
	.kid = "0123abcd",
	.iss = "svc@proj.iam.gserviceaccount.com",
	.scope = "https://www.googleapis.com/auth/cloud-platform",
	.aud = "https://oauth2.googleapis.com/token",
	.iat = 1700000000,
	.exp = 1700003600,
};

/* part i (0..2) of a compact JWS, base64url-decoded into out (NUL-terminated) */
static size_t part(const char *jwt, int i, char *out, size_t cap)
{
	const char *p = jwt;
	for (int k = 0; k < i; k++)
		p = strchr(p, '.') + 1;
	const char *e = strchr(p, '.');
	size_t n = e ? (size_t)(e - p) : strlen(p), len = 0;
	if (b64_decode(p, n, B64_URL | B64_NOPAD, out, cap - 1, &len) < 0)
		return (size_t)-1;
	out[len] = 0;
	return len;
}

/* Verify jwt's signature with BearSSL's RSA verify and the public half of
 * pem (modulus and exponent computed from the private key). */
static bool verify(const char *jwt, const char *pem)
{
	br_skey_decoder_context dc;
	static uint8_t der[8192];
	size_t dl = 0;
	/* the base64 body between the BEGIN and END lines */
	const char *b = strstr(pem, "-----\n") + 6, *e = strstr(b, "-----END");
	char b64[4096];
	size_t bl = 0;
	for (const char *q = b; q < e; q++)
		if (*q != '\n')
			b64[bl++] = *q;
	if (b64_decode(b64, bl, B64_STD, der, sizeof der, &dl) < 0)
		return false;
	br_skey_decoder_init(&dc);
	br_skey_decoder_push(&dc, der, dl);
	if (br_skey_decoder_key_type(&dc) != BR_KEYTYPE_RSA)
		return false;
	const br_rsa_private_key *sk = br_skey_decoder_get_rsa(&dc);
	static uint8_t mod[512];
	uint8_t ebuf[4];
	size_t ml = br_rsa_compute_modulus_get_default()(mod, sk);
	/* BearSSL recomputes e only when p = q = 3 (mod 4); openssl genrsa's e is 65537 */
	uint32_t ev = br_rsa_compute_pubexp_get_default()(sk);
	if (!ev)
		ev = 65537;
	ebuf[0] = (uint8_t)(ev >> 24), ebuf[1] = (uint8_t)(ev >> 16), ebuf[2] = (uint8_t)(ev >> 8), ebuf[3] = (uint8_t)ev;
	size_t eo = 0;
	while (eo < 3 && ebuf[eo] == 0)
		eo++;
	br_rsa_public_key pk = { mod, ml, ebuf + eo, 4 - eo };

	const char *dot2 = strrchr(jwt, '.');
	uint8_t want[32], got[32];
	br_sha256_context hc;
	br_sha256_init(&hc);
	br_sha256_update(&hc, jwt, (size_t)(dot2 - jwt));
	br_sha256_out(&hc, want);
	static uint8_t sig[600];
	size_t sl = 0;
	if (b64_decode(dot2 + 1, strlen(dot2 + 1), B64_URL | B64_NOPAD, sig, sizeof sig, &sl) < 0)
		return false;
	if (sl != ml)
		return false;
	if (!br_rsa_pkcs1_vrfy_get_default()(sig, sl, BR_HASH_OID_SHA256, sizeof got, &pk, got))
		return false;
	return memcmp(want, got, sizeof got) == 0;
}

TEST(jwt_key_check)
{
	char err[256];
	unsigned bits = 0;
	CHECK_EQ_INT(tls_jwt_key_check(KEY_PKCS8, strlen(KEY_PKCS8), &bits, err, sizeof err), 0);
	CHECK_EQ_INT(bits, 2048);
	CHECK_EQ_INT(tls_jwt_key_check(KEY_PKCS1, strlen(KEY_PKCS1), &bits, err, sizeof err), 0);
	CHECK_EQ_INT(bits, 2048);
	/* without the final newline (some JSON files end the PEM right after the dashes) */
	CHECK_EQ_INT(tls_jwt_key_check(KEY_PKCS8, strlen(KEY_PKCS8) - 1, NULL, err, sizeof err), 0);

	CHECK_EQ_INT(tls_jwt_key_check(KEY_EC, strlen(KEY_EC), &bits, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "not an RSA key") != NULL);
	CHECK_EQ_INT(bits, 0);
	CHECK_EQ_INT(tls_jwt_key_check("", 0, NULL, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK_EQ_INT(tls_jwt_key_check("hello", 5, NULL, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "no \"PRIVATE KEY\"") != NULL);
	/* a certificate is not a key */
	const char *cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	CHECK_EQ_INT(tls_jwt_key_check(cert, strlen(cert), NULL, err, sizeof err), ERR_INVAL);
	/* cut before the END line */
	CHECK_EQ_INT(tls_jwt_key_check(KEY_PKCS8, 400, NULL, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "not valid PEM") != NULL);
	/* a damaged body: the DER no longer decodes as a key */
	char bad[sizeof KEY_PKCS8];
	memcpy(bad, KEY_PKCS8, sizeof bad);
	memcpy(bad + 40, "AAAAAAAAAAAA", 12);
	CHECK_EQ_INT(tls_jwt_key_check(bad, strlen(bad), NULL, err, sizeof err), ERR_INVAL);
	/* the messages never quote key bytes */
	CHECK(strstr(err, "MII") == NULL);
	/* PEM over the cap */
	static char big[TLS_JWT_PEM_MAX + 2];
	memset(big, 'A', sizeof big - 1);
	CHECK_EQ_INT(tls_jwt_key_check(big, sizeof big - 1, NULL, err, sizeof err), ERR_TOOBIG);
}

TEST(jwt_known_answer)
{
	buf out = { 0 };
	char err[256] = "";
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &CLAIMS, &out, err, sizeof err), 0);
	CHECK_EQ_STR(out.data, KAT);
	/* PKCS#1 v1.5 signatures are deterministic: the PKCS#1 form of the same key signs the same */
	buf out2 = { 0 };
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS1, strlen(KEY_PKCS1), &CLAIMS, &out2, err, sizeof err), 0);
	CHECK_EQ_STR(out2.data, KAT);
	buf_free(&out);
	buf_free(&out2);
}

TEST(jwt_parts_and_verify)
{
	buf out = { 0 };
	char err[256] = "", h[512], c[1024];
	tls_jwt_claims cl = CLAIMS;
	cl.kid = NULL;
	cl.sub = "user@example.com";
	cl.iat = 1800000000;
	cl.exp = 1800003600;
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &cl, &out, err, sizeof err), 0);
	CHECK(out.data && !strchr(out.data, '=') && !strchr(out.data, '+') && !strchr(out.data, '/'));
	CHECK(part(out.data, 0, h, sizeof h) != (size_t)-1);
	CHECK_EQ_STR(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	CHECK(part(out.data, 1, c, sizeof c) != (size_t)-1);
	CHECK_EQ_STR(c, "{\"iss\":\"svc@proj.iam.gserviceaccount.com\",\"sub\":\"user@example.com\","
			"\"scope\":\"https://www.googleapis.com/auth/cloud-platform\","
			"\"aud\":\"https://oauth2.googleapis.com/token\",\"iat\":1800000000,\"exp\":1800003600}");
	CHECK(verify(out.data, KEY_PKCS8));
	/* tampering with the claims breaks the signature */
	char *t = strdup(out.data);
	char *dot = strchr(t, '.');
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	CHECK(!verify(t, KEY_PKCS8));
	free(t);
	buf_free(&out);
}

TEST(jwt_escaping)
{
	buf out = { 0 };
	char err[256] = "", c[1024];
	tls_jwt_claims cl = CLAIMS;
	cl.iss = "a\"b\\c\n";
	cl.scope = "";
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &cl, &out, err, sizeof err), 0);
	part(out.data, 1, c, sizeof c);
	CHECK(strstr(c, "\"iss\":\"a\\\"b\\\\c\\n\"") != NULL);
	CHECK(strstr(c, "scope") == NULL);
	CHECK(verify(out.data, KEY_PKCS8));
	buf_free(&out);
}

TEST(jwt_errors)
{
	buf out = { 0 };
	char err[256] = "";
	tls_jwt_claims cl = CLAIMS;
	buf_puts(&out, "keep");
	cl.iss = NULL;
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &cl, &out, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "issuer") != NULL);
	cl = CLAIMS;
	cl.aud = "";
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &cl, &out, err, sizeof err), ERR_INVAL);
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_EC, strlen(KEY_EC), &CLAIMS, &out, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(out.data, "keep");
	buf_free(&out);
	/* a cap too small for the token: ERR_TOOBIG, out as it was */
	buf small = { 0 };
	buf_init(&small, 300);
	buf_puts(&small, "x.");
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &CLAIMS, &small, err, sizeof err), ERR_TOOBIG);
	CHECK_EQ_STR(small.data, "x.");
	buf_free(&small);
	/* appends after what is there */
	buf app = { 0 };
	buf_puts(&app, "assertion=");
	CHECK_EQ_INT(tls_jwt_sign_rs256(KEY_PKCS8, strlen(KEY_PKCS8), &CLAIMS, &app, err, sizeof err), 0);
	CHECK(strncmp(app.data, "assertion=", 10) == 0 && strcmp(app.data + 10, KAT) == 0);
	buf_free(&app);
}

int main(void)
{
	RUN(jwt_key_check);
	RUN(jwt_known_answer);
	RUN(jwt_parts_and_verify);
	RUN(jwt_escaping);
	RUN(jwt_errors);
	return t_done();
}
