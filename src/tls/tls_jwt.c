/* tls_jwt.c — RS256 JWT signing over BearSSL: PEM -> DER -> br_skey_decoder
 * -> SHA-256 -> br_rsa_pkcs1_sign; header and claims written with json_write
 * and base64url-encoded (no padding). Key material is wiped before return. */
#include "tls/tls_jwt.h"
#include "base/b64.h"
#include "base/ct.h"
#include "base/err.h"
#include "json/json_write.h"
#include <bearssl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* DER of the largest key accepted: a 4096-bit PKCS#8 RSA key is ~2.4 KB. */
#define DER_MAX 8192
/* header or claims JSON */
#define JSON_PART_MAX 8192


typedef struct der_sink {
	uint8_t *p;
	size_t n, cap;
	bool over;
} der_sink;

static void der_put(void *ctx, const void *src, size_t len)
{
	der_sink *s = ctx;
	if (s->over || len > s->cap - s->n) {
		s->over = true;
		return;
	}
	memcpy(s->p + s->n, src, len);
	s->n += len;
}

static bool key_name(const char *name)
{
	return strcmp(name, "PRIVATE KEY") == 0 || strcmp(name, "RSA PRIVATE KEY") == 0;
}

/* The DER bytes of the first PRIVATE KEY / RSA PRIVATE KEY object of pem
 * into der[0..cap). 0 with *len, or ERR_INVAL / ERR_TOOBIG with err. */
static int pem_key_der(const char *pem, size_t n, uint8_t *der, size_t cap, size_t *len, char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	der_sink s = { der, 0, cap, false };
	const unsigned char *p = (const unsigned char *)pem;
	bool inkey = false, found = false, extra_nl = true, broken = false;
	int rc = 0;

	*len = 0;
	if (!pem || !n) {
		err_printf(err, errlen, "the private key is empty");
		return ERR_INVAL;
	}
	if (n > TLS_JWT_PEM_MAX) {
		err_printf(err, errlen, "the private key is longer than %d bytes", TLS_JWT_PEM_MAX);
		return ERR_TOOBIG;
	}
	br_pem_decoder_init(&pc);
	while (n > 0 && !found) {
		size_t k = br_pem_decoder_push(&pc, p, n);
		p += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			inkey = key_name(br_pem_decoder_name(&pc));
			s.n = 0;
			s.over = false;
			br_pem_decoder_setdest(&pc, inkey ? der_put : NULL, inkey ? &s : NULL);
			break;
		case BR_PEM_END_OBJ:
			if (inkey)
				found = true;
			inkey = false;
			break;
		case BR_PEM_ERROR:
			if (inkey)
				broken = true;
			inkey = false;
			break;
		default:
			break;
		}
		if (n == 0 && extra_nl && !found) { /* the decoder needs the last line ended */
			extra_nl = false;
			p = (const unsigned char *)"\n";
			n = 1;
		}
	}
	if (!found) {
		err_printf(err, errlen, broken || inkey ? "the private key is not valid PEM (bad base64 or no END line)"
						  : "no \"PRIVATE KEY\" or \"RSA PRIVATE KEY\" PEM block in the private key");
		rc = ERR_INVAL;
	} else if (s.over) {
		err_printf(err, errlen, "the private key is larger than %d bytes of DER", DER_MAX);
		rc = ERR_TOOBIG;
	} else {
		*len = s.n;
	}
	ct_wipe(&pc, sizeof pc);
	return rc;
}

/* Decode the key into dc (which then holds it: wipe it after use).
 * 0, or ERR_INVAL / ERR_TOOBIG with err; *bits gets the modulus size. */
static int key_load(const char *pem, size_t n, br_skey_decoder_context *dc, unsigned *bits, char *err,
		    size_t errlen)
{
	uint8_t der[DER_MAX];
	size_t dl = 0;
	int rc = pem_key_der(pem, n, der, sizeof der, &dl, err, errlen);
	br_skey_decoder_init(dc);
	if (rc)
		goto done;
	br_skey_decoder_push(dc, der, dl);
	int e = br_skey_decoder_last_error(dc);
	int type = br_skey_decoder_key_type(dc);
	if (e != 0 || type == 0) {
		err_printf(err, errlen, "the private key is not a valid PKCS#8 or PKCS#1 key (BearSSL error %d)", e);
		rc = ERR_INVAL;
		goto done;
	}
	if (type != BR_KEYTYPE_RSA) {
		err_printf(err, errlen, "the private key is not an RSA key (RS256 needs one)");
		rc = ERR_INVAL;
		goto done;
	}
	const br_rsa_private_key *sk = br_skey_decoder_get_rsa(dc);
	if (sk->n_bitlen < 1024 || sk->n_bitlen > TLS_JWT_RSA_MAX_BITS) {
		err_printf(err, errlen, "the RSA key has %u bits (1024 to %d supported)", (unsigned)sk->n_bitlen,
		     TLS_JWT_RSA_MAX_BITS);
		rc = ERR_INVAL;
		goto done;
	}
	*bits = (unsigned)sk->n_bitlen;
done:
	ct_wipe(der, sizeof der);
	return rc;
}

int tls_jwt_key_check(const char *pem, size_t n, unsigned *bits, char *err, size_t errlen)
{
	br_skey_decoder_context dc;
	unsigned b = 0;
	int rc = key_load(pem, n, &dc, &b, err, errlen);
	ct_wipe(&dc, sizeof dc);
	if (bits)
		*bits = rc ? 0 : b;
	return rc;
}

/* Append base64url(json) of the header or the claims to out. */
static int put_part(buf *out, const tls_jwt_claims *c, bool header)
{
	buf j = { 0 };
	json_writer w;
	buf_init(&j, JSON_PART_MAX);
	json_write_init(&w, &j, 0);
	json_write_obj_begin(&w);
	if (header) {
		json_write_kv_str(&w, "alg", "RS256");
		json_write_kv_str(&w, "typ", "JWT");
		if (c->kid && c->kid[0])
			json_write_kv_str(&w, "kid", c->kid);
	} else {
		json_write_kv_str(&w, "iss", c->iss);
		if (c->sub && c->sub[0])
			json_write_kv_str(&w, "sub", c->sub);
		if (c->scope && c->scope[0])
			json_write_kv_str(&w, "scope", c->scope);
		json_write_kv_str(&w, "aud", c->aud);
		json_write_kv_i64(&w, "iat", c->iat);
		json_write_kv_i64(&w, "exp", c->exp);
	}
	json_write_obj_end(&w);
	int rc = json_write_finish(&w);
	if (!rc)
		rc = b64_encode_buf(out, j.data, j.len, B64_URL | B64_NOPAD);
	buf_free(&j);
	return rc;
}

int tls_jwt_sign_rs256(const char *pem, size_t n, const tls_jwt_claims *c, buf *out, char *err, size_t errlen)
{
	br_skey_decoder_context dc;
	uint8_t hash[32];
	uint8_t sig[TLS_JWT_RSA_MAX_BITS / 8];
	unsigned bits = 0;
	size_t old = out->len;
	int rc;

	if (!c || !c->iss || !c->iss[0] || !c->aud || !c->aud[0]) {
		err_printf(err, errlen, "a JWT needs an issuer (client_email) and an audience (token_uri)");
		return ERR_INVAL;
	}
	rc = key_load(pem, n, &dc, &bits, err, errlen);
	if (rc)
		goto done;
	if ((rc = put_part(out, c, true)) || (rc = buf_putc(out, '.')) || (rc = put_part(out, c, false))) {
		err_printf(err, errlen, "the JWT does not fit (%s)", err_str(rc));
		goto done;
	}
	br_sha256_context hc;
	br_sha256_init(&hc);
	br_sha256_update(&hc, out->data + old, out->len - old);
	br_sha256_out(&hc, hash);
	const br_rsa_private_key *sk = br_skey_decoder_get_rsa(&dc);
	size_t siglen = (sk->n_bitlen + 7) / 8;
	if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, sizeof hash, sk, sig)) {
		err_printf(err, errlen, "RSA signing failed (inconsistent key)");
		rc = ERR_INVAL;
		goto done;
	}
	if ((rc = buf_putc(out, '.')) || (rc = b64_encode_buf(out, sig, siglen, B64_URL | B64_NOPAD)))
		err_printf(err, errlen, "the JWT does not fit (%s)", err_str(rc));
done:
	if (rc)
		buf_truncate(out, old);
	ct_wipe(&dc, sizeof dc);
	ct_wipe(hash, sizeof hash);
	ct_wipe(sig, sizeof sig);
	return rc;
}
