/* hex.c — base16 encode/decode. */
#include "base/hex.h"
#include "base/err.h"
#include <stdint.h>

static const char hex_lc[16] = "0123456789abcdef";

size_t hex_enc_len(size_t n) { return n > (SIZE_MAX - 1) / 2 ? SIZE_MAX : 2 * n; }

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void enc(const unsigned char *s, size_t n, char *d)
{
	for (size_t i = 0; i < n; i++) {
		d[2 * i] = hex_lc[s[i] >> 4];
		d[2 * i + 1] = hex_lc[s[i] & 15];
	}
	d[2 * n] = '\0';
}

int hex_encode(const void *src, size_t n, char *dst, size_t cap)
{
	size_t len = hex_enc_len(n);
	if (len == SIZE_MAX || cap < len + 1)
		return ERR_TOOBIG;
	enc(src, n, dst);
	return 0;
}

int hex_encode_buf(buf *b, const void *src, size_t n)
{
	size_t len = hex_enc_len(n);
	if (len == SIZE_MAX)
		return ERR_TOOBIG;
	int rc = buf_reserve(b, len);
	if (rc)
		return rc;
	enc(src, n, b->data + b->len);
	b->len += len;
	return 0;
}

int hex_decode(const char *src, size_t n, void *dst, size_t cap, size_t *out_len)
{
	if (n % 2)
		return ERR_INVAL;
	if (cap < n / 2)
		return ERR_TOOBIG;
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(src[i]), lo = hex_digit(src[i + 1]);
		if (hi < 0 || lo < 0)
			return ERR_INVAL;
		d[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	if (out_len)
		*out_len = n / 2;
	return 0;
}

int hex_decode_buf(buf *b, const char *src, size_t n)
{
	if (n % 2)
		return ERR_INVAL;
	int rc = buf_reserve(b, n / 2);
	if (rc)
		return rc;
	rc = hex_decode(src, n, b->data + b->len, n / 2, NULL);
	if (rc) {
		b->data[b->len] = '\0';
		return rc;
	}
	b->len += n / 2;
	b->data[b->len] = '\0';
	return 0;
}
