/* test_b64.c — base64 / base64url: RFC 4648 vectors, strict decoding,
 * caps, buf variants, random round trips against a bitwise reference. */
#include "t.h"
#include "base/b64.h"
#include "base/err.h"
#include <stdint.h>
#include <stdlib.h>

static const struct { const char *raw, *enc; } rfc4648[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

TEST(b64_rfc4648_vectors)
{
	char out[64], nopad[64];
	unsigned char dec[64];
	for (size_t i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		const char *raw = rfc4648[i].raw, *enc = rfc4648[i].enc;
		size_t rn = strlen(raw), en = strlen(enc), n = 99;
		for (int url = 0; url <= 1; url++) {
			CHECK_EQ_INT(b64_encode(raw, rn, url, out, sizeof out, &n), 0);
			CHECK_EQ_STR(out, enc);
			CHECK_EQ_INT(n, en);
			CHECK_EQ_INT(b64_enc_len(rn, url), en);
			CHECK_EQ_INT(b64_decode(enc, en, url, dec, sizeof dec, &n), 0);
			CHECK_EQ_MEM(dec, n, raw, rn);
			/* unpadded */
			size_t nn = en;
			while (nn && enc[nn - 1] == '=')
				nn--;
			memcpy(nopad, enc, nn);
			nopad[nn] = '\0';
			CHECK_EQ_INT(b64_encode(raw, rn, url | B64_NOPAD, out, sizeof out, &n), 0);
			CHECK_EQ_STR(out, nopad);
			CHECK_EQ_INT(b64_enc_len(rn, url | B64_NOPAD), nn);
			CHECK_EQ_INT(b64_decode(nopad, nn, url | B64_NOPAD, dec, sizeof dec, &n), 0);
			CHECK_EQ_MEM(dec, n, raw, rn);
			CHECK_EQ_INT(b64_dec_max(nn), rn); /* exact when unpadded */
			CHECK(b64_dec_max(en) >= rn);
			/* with B64_NOPAD, correct padding is accepted too */
			CHECK_EQ_INT(b64_decode(enc, en, url | B64_NOPAD, dec, sizeof dec, &n), 0);
			CHECK_EQ_MEM(dec, n, raw, rn);
			/* without it, missing padding is an error */
			if (nn != en)
				CHECK_EQ_INT(b64_decode(nopad, nn, url, dec, sizeof dec, &n), ERR_INVAL);
		}
	}
}

TEST(b64_alphabets)
{
	const unsigned char raw[] = { 0xfb, 0xff, 0xfe };
	char out[16];
	b64_encode(raw, 3, B64_STD, out, sizeof out, NULL);
	CHECK_EQ_STR(out, "+//+");
	b64_encode(raw, 3, B64_URL, out, sizeof out, NULL);
	CHECK_EQ_STR(out, "-__-");
	b64_encode(raw, 2, B64_STD, out, sizeof out, NULL);
	CHECK_EQ_STR(out, "+/8=");
	b64_encode(raw, 2, B64_URL | B64_NOPAD, out, sizeof out, NULL);
	CHECK_EQ_STR(out, "-_8");
	unsigned char d[8];
	size_t n;
	CHECK_EQ_INT(b64_decode("-__-", 4, B64_URL, d, sizeof d, &n), 0);
	CHECK_EQ_MEM(d, n, raw, 3);
	CHECK_EQ_INT(b64_decode("-__-", 4, B64_STD, d, sizeof d, &n), ERR_INVAL); /* no mixing */
	CHECK_EQ_INT(b64_decode("+//+", 4, B64_URL, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(b64_decode("+/_-", 4, B64_STD, d, sizeof d, &n), ERR_INVAL);
}

TEST(b64_decode_rejects)
{
	static const struct { const char *in; int flags; } bad[] = {
		{ "Zg=", B64_STD },           /* wrong length */
		{ "Zg", B64_STD },            /* padding required */
		{ "Zm9", B64_STD },
		{ "Z", B64_NOPAD },           /* 1 char group */
		{ "Zm9vY", B64_NOPAD },
		{ "Zm9vY===", B64_STD },
		{ "Zg=a", B64_STD },          /* '=' not at the end */
		{ "Z=g=", B64_STD },
		{ "=Zg=", B64_STD },
		{ "====", B64_STD },
		{ "Zg==Zg==", B64_STD },      /* padding in the middle */
		{ "Zm 9v", B64_NOPAD },       /* whitespace */
		{ "Zm9v\n", B64_NOPAD },
		{ "Zm9v\r\nYmFy", B64_STD },
		{ "Zm9v YmFy", B64_STD },
		{ "Zm9*", B64_STD },
		{ "Zm9.", B64_URL },
		{ "Zh==", B64_STD },          /* non-zero trailing bits */
		{ "Zm9=", B64_STD },          /* "fo" is Zm8= */
		{ "Zh", B64_NOPAD },
		{ "Zm9", B64_NOPAD },
		{ "Zg=", B64_NOPAD },         /* padding present but wrong */
		{ "Zg===", B64_NOPAD },
		{ "Zm9v=", B64_NOPAD },
		{ "Zm9v====", B64_NOPAD },
	};
	unsigned char d[32];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = 1234;
		int rc = b64_decode(bad[i].in, strlen(bad[i].in), bad[i].flags, d, sizeof d, &n);
		if (rc != ERR_INVAL)
			T_FAIL_AT("b64_decode(\"%s\", %d) = %d, expected ERR_INVAL", bad[i].in, bad[i].flags, rc);
		CHECK_EQ_INT(n, 1234); /* out_len untouched on error */
	}
	/* a NUL byte inside is just a bad character */
	CHECK_EQ_INT(b64_decode("Zm\0v", 4, B64_STD, d, sizeof d, NULL), ERR_INVAL);
	/* every byte value outside the alphabet is rejected in every position */
	for (int c = 0; c < 256; c++) {
		int in_std = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
		char s[5] = "AAAA";
		s[1] = (char)c;
		int rc = b64_decode(s, 4, B64_STD, d, sizeof d, NULL);
		if ((rc == 0) != in_std)
			T_FAIL_AT("byte 0x%02x: rc %d", c, rc);
	}
}

TEST(b64_caps_and_bufs)
{
	char out[8];
	size_t n = 77;
	CHECK_EQ_INT(b64_encode("foobar", 6, B64_STD, out, 8, &n), ERR_TOOBIG); /* needs 9 */
	CHECK_EQ_INT(n, 77);
	char out9[9];
	CHECK_EQ_INT(b64_encode("foobar", 6, B64_STD, out9, 9, &n), 0);
	CHECK_EQ_STR(out9, "Zm9vYmFy");
	CHECK_EQ_INT(b64_encode(NULL, 0, B64_STD, out, 1, &n), 0);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_INT(b64_encode(NULL, 0, B64_STD, out, 0, &n), ERR_TOOBIG);
	unsigned char d[6];
	CHECK_EQ_INT(b64_decode("Zm9vYmFy", 8, B64_STD, d, 5, &n), ERR_TOOBIG);
	CHECK_EQ_INT(b64_decode("Zm9vYmFy", 8, B64_STD, d, 6, &n), 0);
	CHECK_EQ_INT(b64_decode("Zm9vYg==", 8, B64_STD, d, 4, &n), 0); /* exact size, not the padded bound */
	CHECK_EQ_INT(n, 4);
	CHECK_EQ_INT(b64_enc_len(SIZE_MAX, B64_STD), SIZE_MAX);
	CHECK_EQ_INT(b64_enc_len(SIZE_MAX / 4 * 3, B64_STD), SIZE_MAX / 4 * 4);
	CHECK_EQ_INT(b64_enc_len(SIZE_MAX / 4 * 3 + 1, B64_STD), SIZE_MAX);

	buf b;
	buf_init(&b, 12);
	CHECK_EQ_INT(b64_encode_buf(&b, "foo", 3, B64_STD), 0);
	CHECK_EQ_INT(b64_encode_buf(&b, "foob", 4, B64_URL), 0);
	CHECK_EQ_MEM(b.data, b.len, "Zm9vZm9vYg==", 12);
	CHECK_EQ_INT(b64_encode_buf(&b, "f", 1, B64_NOPAD), ERR_TOOBIG); /* over the cap */
	CHECK_EQ_MEM(b.data, b.len, "Zm9vZm9vYg==", 12);
	CHECK(b.data[b.len] == '\0');
	buf_free(&b);

	buf_init(&b, 8);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zm9v", 4, B64_STD), 0);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zm9vYmE", 7, B64_NOPAD), 0);
	CHECK_EQ_MEM(b.data, b.len, "foofooba", 8);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zg==", 4, B64_STD), ERR_TOOBIG);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zg=", 3, B64_STD), ERR_INVAL); /* shape is checked before the cap */
	CHECK_EQ_MEM(b.data, b.len, "foofooba", 8);
	buf_reset(&b);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zh==", 4, B64_STD), ERR_INVAL);
	CHECK_EQ_INT(b64_decode_buf(&b, "Zm9vYm*y", 8, B64_STD), ERR_INVAL);
	CHECK_EQ_INT(b.len, 0);
	CHECK(b.data[0] == '\0');
	buf_free(&b);
}

/* reference encoder, one bit at a time */
static void ref_enc(const unsigned char *s, size_t n, int flags, char *out)
{
	const char *A = (flags & B64_URL) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t bits = n * 8, o = 0;
	for (size_t b = 0; b < bits; b += 6) {
		unsigned v = 0;
		for (size_t k = 0; k < 6; k++) {
			size_t bit = b + k;
			unsigned x = bit < bits ? (s[bit / 8] >> (7 - bit % 8)) & 1 : 0;
			v = v << 1 | x;
		}
		out[o++] = A[v];
	}
	if (!(flags & B64_NOPAD))
		while (o % 4)
			out[o++] = '=';
	out[o] = '\0';
}

TEST(b64_random_round_trip)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned char raw[300], dec[300];
	char enc[420], ref[420];
	for (int it = 0; it < 3000; it++) {
		size_t n = (size_t)(it % 300);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			raw[i] = (unsigned char)x;
		}
		int flags = it & 3;
		size_t en, dn;
		CHECK_EQ_INT(b64_encode(raw, n, flags, enc, sizeof enc, &en), 0);
		ref_enc(raw, n, flags, ref);
		if (strcmp(enc, ref)) {
			T_FAIL_AT("encoding of %zu bytes (flags %d) differs from reference", n, flags);
			break;
		}
		CHECK_EQ_INT(en, b64_enc_len(n, flags));
		CHECK_EQ_INT(b64_decode(enc, en, flags, dec, sizeof dec, &dn), 0);
		if (dn != n || memcmp(dec, raw, n)) {
			T_FAIL_AT("round trip of %zu bytes (flags %d) failed", n, flags);
			break;
		}
		/* corrupting one character to an outside-alphabet byte is always caught */
		if (en) {
			char save = enc[x % en];
			enc[x % en] = '!';
			CHECK_EQ_INT(b64_decode(enc, en, flags, dec, sizeof dec, &dn), ERR_INVAL);
			enc[x % en] = save;
		}
	}
}

TEST(b64_canonical_only)
{
	/* every 2- and 3-char final group decodes only in its canonical form */
	const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char d[4];
	char enc[8];
	int accepted = 0;
	for (int a = 0; a < 64; a++)
		for (int b = 0; b < 64; b++) {
			char s[4] = { A[a], A[b], '=', '=' };
			size_t n;
			if (b64_decode(s, 4, B64_STD, d, sizeof d, &n) == 0) {
				accepted++;
				b64_encode(d, n, B64_STD, enc, sizeof enc, NULL);
				CHECK_EQ_MEM(enc, 4, s, 4);
			}
		}
	CHECK_EQ_INT(accepted, 256); /* one per byte value */
}

int main(void)
{
	RUN(b64_rfc4648_vectors);
	RUN(b64_alphabets);
	RUN(b64_decode_rejects);
	RUN(b64_caps_and_bufs);
	RUN(b64_random_round_trip);
	RUN(b64_canonical_only);
	return t_done();
}
