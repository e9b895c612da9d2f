/* test_hex.c — base16: RFC 4648 vectors, strict decode, caps, buf variants. */
#include "t.h"
#include "base/err.h"
#include "base/hex.h"
#include <stdint.h>

TEST(hex_vectors)
{
	static const struct { const char *raw, *enc; } v[] = {
		{ "", "" }, { "f", "66" }, { "fo", "666f" }, { "foo", "666f6f" },
		{ "foob", "666f6f62" }, { "fooba", "666f6f6261" }, { "foobar", "666f6f626172" },
	};
	char out[32];
	unsigned char d[16];
	size_t n;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t rn = strlen(v[i].raw);
		CHECK_EQ_INT(hex_encode(v[i].raw, rn, out, sizeof out), 0);
		CHECK_EQ_STR(out, v[i].enc);
		CHECK_EQ_INT(hex_enc_len(rn), 2 * rn);
		CHECK_EQ_INT(hex_decode(v[i].enc, 2 * rn, d, sizeof d, &n), 0);
		CHECK_EQ_MEM(d, n, v[i].raw, rn);
	}
	const unsigned char bin[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	CHECK_EQ_INT(hex_encode(bin, sizeof bin, out, sizeof out), 0);
	CHECK_EQ_STR(out, "00017f80abff"); /* lower case */
	CHECK_EQ_INT(hex_decode("00017F80ABFF", 12, d, sizeof d, &n), 0); /* upper accepted */
	CHECK_EQ_MEM(d, n, bin, sizeof bin);
	CHECK_EQ_INT(hex_decode("00017f80AbfF", 12, d, sizeof d, &n), 0);
	CHECK_EQ_MEM(d, n, bin, sizeof bin);
}

TEST(hex_rejects_and_caps)
{
	unsigned char d[16];
	size_t n = 55;
	CHECK_EQ_INT(hex_decode("abc", 3, d, sizeof d, &n), ERR_INVAL);   /* odd */
	CHECK_EQ_INT(hex_decode("a", 1, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode("zz", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode("0g", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode("g0", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode(" 0", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode("0x", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(hex_decode("0\0", 2, d, sizeof d, &n), ERR_INVAL);
	CHECK_EQ_INT(n, 55);
	for (int c = 0; c < 256; c++) {
		int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		char s[2] = { '0', (char)c };
		CHECK_EQ_INT(hex_decode(s, 2, d, sizeof d, NULL) == 0, ok);
		CHECK_EQ_INT(hex_digit((char)c) >= 0, ok);
	}
	CHECK_EQ_INT(hex_decode("0011", 4, d, 1, &n), ERR_TOOBIG);
	CHECK_EQ_INT(hex_decode("0011", 4, d, 2, &n), 0);
	CHECK_EQ_INT(hex_decode("", 0, NULL, 0, &n), 0);
	CHECK_EQ_INT(n, 0);
	char out[8];
	CHECK_EQ_INT(hex_encode("abcd", 4, out, 8), ERR_TOOBIG); /* needs 9 */
	char out9[9];
	CHECK_EQ_INT(hex_encode("abcd", 4, out9, 9), 0);
	CHECK_EQ_STR(out9, "61626364");
	CHECK_EQ_INT(hex_encode(NULL, 0, out, 1), 0);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_INT(hex_enc_len(SIZE_MAX / 2 + 1), SIZE_MAX);
}

TEST(hex_bufs)
{
	buf b;
	buf_init(&b, 6);
	CHECK_EQ_INT(hex_encode_buf(&b, "ab", 2), 0);
	CHECK_EQ_INT(hex_encode_buf(&b, "c", 1), 0);
	CHECK_EQ_MEM(b.data, b.len, "616263", 6);
	CHECK_EQ_INT(hex_encode_buf(&b, "d", 1), ERR_TOOBIG);
	CHECK_EQ_MEM(b.data, b.len, "616263", 6);
	CHECK(b.data[b.len] == '\0');
	buf_reset(&b);
	CHECK_EQ_INT(hex_decode_buf(&b, "414243", 6), 0);
	CHECK_EQ_INT(hex_decode_buf(&b, "44zz", 4), ERR_INVAL);
	CHECK_EQ_INT(hex_decode_buf(&b, "444", 3), ERR_INVAL);
	CHECK_EQ_MEM(b.data, b.len, "ABC", 3);
	CHECK(b.data[b.len] == '\0');
	buf_free(&b);
}

TEST(hex_random_round_trip)
{
	uint64_t x = 12345;
	unsigned char raw[200], d[200];
	char enc[401];
	for (int it = 0; it < 2000; it++) {
		size_t n = (size_t)(it % 200), dn;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			raw[i] = (unsigned char)x;
		}
		CHECK_EQ_INT(hex_encode(raw, n, enc, sizeof enc), 0);
		CHECK_EQ_INT(strlen(enc), 2 * n);
		CHECK_EQ_INT(hex_decode(enc, 2 * n, d, sizeof d, &dn), 0);
		if (dn != n || memcmp(d, raw, n)) {
			T_FAIL_AT("round trip of %zu bytes", n);
			break;
		}
	}
}

int main(void)
{
	RUN(hex_vectors);
	RUN(hex_rejects_and_caps);
	RUN(hex_bufs);
	RUN(hex_random_round_trip);
	return t_done();
}
