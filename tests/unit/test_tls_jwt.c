/* test_tls_jwt.c — RS256 JWT signing (tls/tls_jwt): key formats, the exact
 * header and claims, a known answer computed with OpenSSL, and the signature
 * checked with BearSSL's own RSA verify.
 *
 * THROWAWAY TEST KEYS: generated for this test only with
 *   openssl genrsa -out k1.pem 2048
 *   openssl pkcs8 -topk8 -nocrypt -in k1.pem          (-> KEY_PKCS8)
 *   openssl rsa -in k1.pem -traditional               (-> KEY_PKCS1, same key)
 *   openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt (-> KEY_EC)
 * They protect nothing and must never be used anywhere else. A unit test
 * cannot run openssl, hence the checked-in copies; the integration test
 * (tests/integration/vertex.sh) makes a fresh key pair at test time and
 * verifies our JWTs with node's crypto and the openssl CLI. */
#include "t.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "tls/tls_jwt.h"
#include <bearssl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char KEY_PKCS8[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDCtxAmT/jHZXm2\n"
	"nSOfGfGEtyC+QKcgkPButOzTP2Cg7bmZuZlxZO1u1BiWPPbCUIQJdAQMwVt8guU1\n"
	"FcNiIqva/7X3Hf0Ze/5pItFJga1k9c/GD6pO+QrZ7svAOX/swvsbaB4HShmfiRj0\n"
	"MZKcuiEml6zOpyCIQ4NThIdDTNAUEqDrm+8+nSqJgKxdDSnnhfspPsdnSmbWQAIO\n"
	"lqKyGgK1q+0lvV3gOE4fqEMAre3hXm5NLnAFca9jVYjU7TE9oWD4k2szpwVqoBw9\n"
	"+RDFkeLwut1nWdESCX7E08MqZqNnT7NLLeKvdbT3FXk/EFa0/9KnjgGiO5NDH8D4\n"
	"XBu8TEWdAgMBAAECggEADUP9YsLS3eYnsT2KRPy2k+EJvHR5U70UKFKwCiIDUmDH\n"
	"zYrpGDeKUTaReJYtheZdjIBTMKRGuEL5sdC/rN1UVy6nMMS3WYe1Tj02mXsEe2r0\n"
	"zWyuoMPo+EPY1/SC5uLkyoSg0RnRs5Ov98kIe6AsVy2rsrDiWkORPFInM0+rIxwq\n"
	"6OgDf+greMqckM74Xbi5g+iMXSWjL8xm3InVR6km+WmxtxmJcb07cClgISB9B6Sy\n"
	"RYAsvsHirsTZ0mOOLl2sLD5XL2IbVSxAngs/4AhAZOqO4LkHcLrabpvInuRHWmz6\n"
	"qPpSRgxpqjTn09IB9xkq/HDaVZ26ji9B9ZaLwNdX2QKBgQD0tL+7QCyYbHxOHJ5F\n"
	"tDxw2sRr8DMRXuwSBc/2lD+znFjn57fyqzfqxCxEhzva9ih/TaXahHPNKCYJzVxi\n"
	"QpBkFox/z0hCecbJ/Xl+Rm+mmCXOGOH8E+ti4XCvuAKyypsCNEMgoL6dBd2FzamS\n"
	"haeuWum2+dNMFKrVvXaDv2pWWQKBgQDLs6kxoiNpw/NVURA0m5N4iz2lmBZ/Z/64\n"
	"+Kr4a+Z+ot5Eh24bWKArFpitwnhvGQmqZN9+82wCouAlzlFqNm6GOyjheq+N84Fg\n"
	"Em/DAXhW35UV/6uGebPgFs4Q4WwevwpgFf71lMyBfGvaMVLdLWRb6yRJrOPnTTzZ\n"
	"tpbVNIRI5QKBgQCgFtvUagCC235bL9fPrEFaZ5TXNLaEJ8BzbgAGxigCnkd/uBWc\n"
	"ma0kVqDLWFmtPxtxZWAa3EpSLnDsOsC0u+1wvVu/heE1NCv8G2rvVK9YovMgqSC2\n"
	"5GU7NFefbde+FlRglcZQwzjQy3SIQ+srI2t24p1CCqDUhjTZTnEJciHkSQKBgFgK\n"
	"JXU7M30R4MieCZgDKaCu5Yz9h7O3GcOOTi6iS/Otps0Nj4woKMmWsZRf+bdipefM\n"
	"Q0BWKveUt7X/TvbN4cUIKqoRYXDDrsX8EevBZeZ+KaxhXRv428JdeOCY3ScIwI44\n"
	"04IGtsC8Ks0aBktrw/VqUru5CqM8obEjFlu9n/L1AoGAbunTgxfPU6pN8lMxUv7M\n"
	"JFXwrOJxuPARH7peuxZUzSJiB+Ku/NGkCKddBtc+8o7c92hMfEs1MJNPD5gJ0ZH4\n"
	"HyLck5jxPyhiD42vZpsz7F8fkkUJFHxzRsM6AAGfTpcr8fe2yTtft26O3JYxMSWm\n"
	"dk2IZydVltaT8Lf5A90ewWs=\n"
	"-----END PRIVATE KEY-----\n"
	;

static const char KEY_PKCS1[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEowIBAAKCAQEAwrcQJk/4x2V5tp0jnxnxhLcgvkCnIJDwbrTs0z9goO25mbmZ\n"
	"cWTtbtQYljz2wlCECXQEDMFbfILlNRXDYiKr2v+19x39GXv+aSLRSYGtZPXPxg+q\n"
	"TvkK2e7LwDl/7ML7G2geB0oZn4kY9DGSnLohJpeszqcgiEODU4SHQ0zQFBKg65vv\n"
	"Pp0qiYCsXQ0p54X7KT7HZ0pm1kACDpaishoCtavtJb1d4DhOH6hDAK3t4V5uTS5w\n"
	"BXGvY1WI1O0xPaFg+JNrM6cFaqAcPfkQxZHi8LrdZ1nREgl+xNPDKmajZ0+zSy3i\n"
	"r3W09xV5PxBWtP/Sp44BojuTQx/A+FwbvExFnQIDAQABAoIBAA1D/WLC0t3mJ7E9\n"
	"ikT8tpPhCbx0eVO9FChSsAoiA1Jgx82K6Rg3ilE2kXiWLYXmXYyAUzCkRrhC+bHQ\n"
	"v6zdVFcupzDEt1mHtU49Npl7BHtq9M1srqDD6PhD2Nf0gubi5MqEoNEZ0bOTr/fJ\n"
	"CHugLFctq7Kw4lpDkTxSJzNPqyMcKujoA3/oK3jKnJDO+F24uYPojF0loy/MZtyJ\n"
	"1UepJvlpsbcZiXG9O3ApYCEgfQekskWALL7B4q7E2dJjji5drCw+Vy9iG1UsQJ4L\n"
	"P+AIQGTqjuC5B3C62m6byJ7kR1ps+qj6UkYMaao059PSAfcZKvxw2lWduo4vQfWW\n"
	"i8DXV9kCgYEA9LS/u0AsmGx8ThyeRbQ8cNrEa/AzEV7sEgXP9pQ/s5xY5+e38qs3\n"
	"6sQsRIc72vYof02l2oRzzSgmCc1cYkKQZBaMf89IQnnGyf15fkZvppglzhjh/BPr\n"
	"YuFwr7gCssqbAjRDIKC+nQXdhc2pkoWnrlrptvnTTBSq1b12g79qVlkCgYEAy7Op\n"
	"MaIjacPzVVEQNJuTeIs9pZgWf2f+uPiq+GvmfqLeRIduG1igKxaYrcJ4bxkJqmTf\n"
	"fvNsAqLgJc5RajZuhjso4XqvjfOBYBJvwwF4Vt+VFf+rhnmz4BbOEOFsHr8KYBX+\n"
	"9ZTMgXxr2jFS3S1kW+skSazj50082baW1TSESOUCgYEAoBbb1GoAgtt+Wy/Xz6xB\n"
	"WmeU1zS2hCfAc24ABsYoAp5Hf7gVnJmtJFagy1hZrT8bcWVgGtxKUi5w7DrAtLvt\n"
	"cL1bv4XhNTQr/Btq71SvWKLzIKkgtuRlOzRXn23XvhZUYJXGUMM40Mt0iEPrKyNr\n"
	"duKdQgqg1IY02U5xCXIh5EkCgYBYCiV1OzN9EeDIngmYAymgruWM/YeztxnDjk4u\n"
	"okvzrabNDY+MKCjJlrGUX/m3YqXnzENAVir3lLe1/072zeHFCCqqEWFww67F/BHr\n"
	"wWXmfimsYV0b+NvCXXjgmN0nCMCOONOCBrbAvCrNGgZLa8P1alK7uQqjPKGxIxZb\n"
	"vZ/y9QKBgG7p04MXz1OqTfJTMVL+zCRV8KzicbjwER+6XrsWVM0iYgfirvzRpAin\n"
	"XQbXPvKO3PdoTHxLNTCTTw+YCdGR+B8i3JOY8T8oYg+Nr2abM+xfH5JFCRR8c0bD\n"
	"OgABn06XK/H3tsk7X7dujtyWMTElpnZNiGcnVZbWk/C3+QPdHsFr\n"
	"-----END RSA PRIVATE KEY-----\n"
	;

static const char KEY_EC[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmDlubINjh1sXahbl\n"
	"bYac6hivj6NH5EzlIen8TfCCCxehRANCAASEJmTrGvPIGNr7yOL7LHN2AgfL5RVR\n"
	"M4dT0a+kGo5iSbscI6J4GFYqfFHUORyB3Rliigyp9S3t8bKz7KKBJG9c\n"
	"-----END PRIVATE KEY-----\n"
	;

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
