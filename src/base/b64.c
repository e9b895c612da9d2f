/* b64.c — strict base64 / base64url encoder and decoder. */
#include "base/b64.h"
#include "base/err.h"
#include <stdint.h>

static const char b64_std[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64_enc_len(size_t n, int flags)
{
	size_t groups = n / 3, rem = n % 3;
	if (groups > SIZE_MAX / 4)
		return SIZE_MAX;
	size_t len = groups * 4, tail = rem ? ((flags & B64_NOPAD) ? rem + 1 : 4) : 0;
	return len >= SIZE_MAX - tail ? SIZE_MAX : len + tail;
}

size_t b64_dec_max(size_t n) { return n / 4 * 3 + (n % 4) * 3 / 4; }

/* writes exactly b64_enc_len(n, flags) characters and a NUL */
static void enc(const unsigned char *s, size_t n, int flags, char *d)
{
	const char *A = (flags & B64_URL) ? b64_url : b64_std;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		*d++ = A[v >> 18];
		*d++ = A[v >> 12 & 63];
		*d++ = A[v >> 6 & 63];
		*d++ = A[v & 63];
	}
	size_t rem = n - i;
	if (rem) {
		uint32_t v = (uint32_t)s[i] << 16 | (rem == 2 ? (uint32_t)s[i + 1] << 8 : 0);
		*d++ = A[v >> 18];
		*d++ = A[v >> 12 & 63];
		if (rem == 2)
			*d++ = A[v >> 6 & 63];
		if (!(flags & B64_NOPAD)) {
			if (rem == 1)
				*d++ = '=';
			*d++ = '=';
		}
	}
	*d = '\0';
}

int b64_encode(const void *src, size_t n, int flags, char *dst, size_t cap, size_t *out_len)
{
	size_t len = b64_enc_len(n, flags);
	if (len == SIZE_MAX || cap < len + 1)
		return ERR_TOOBIG;
	enc(src, n, flags, dst);
	if (out_len)
		*out_len = len;
	return 0;
}

int b64_encode_buf(buf *b, const void *src, size_t n, int flags)
{
	size_t len = b64_enc_len(n, flags);
	if (len == SIZE_MAX)
		return ERR_TOOBIG;
	int rc = buf_reserve(b, len);
	if (rc)
		return rc;
	enc(src, n, flags, b->data + b->len);
	b->len += len;
	return 0;
}

static int dec_char(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

/* Validate the shape; on success *m = data characters, *out = decoded bytes. */
static int dec_shape(const char *src, size_t n, int flags, size_t *m, size_t *out)
{
	size_t pad = 0;
	if (n % 4 == 0 && n >= 4 && src[n - 1] == '=') {
		pad = 1;
		if (src[n - 2] == '=')
			pad = 2;
	}
	if (!(flags & B64_NOPAD) && n % 4)
		return ERR_INVAL; /* padding required */
	size_t d = n - pad;
	if (d % 4 == 1)
		return ERR_INVAL;
	*m = d;
	*out = d / 4 * 3 + (d % 4 ? d % 4 - 1 : 0);
	return 0;
}

static int dec(const char *src, size_t m, int flags, unsigned char *d)
{
	int url = flags & B64_URL;
	size_t i = 0;
	for (; i + 4 <= m; i += 4) {
		int a = dec_char((unsigned char)src[i], url), b = dec_char((unsigned char)src[i + 1], url);
		int c = dec_char((unsigned char)src[i + 2], url), e = dec_char((unsigned char)src[i + 3], url);
		if ((a | b | c | e) < 0)
			return ERR_INVAL;
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)e;
		*d++ = (unsigned char)(v >> 16);
		*d++ = (unsigned char)(v >> 8);
		*d++ = (unsigned char)v;
	}
	size_t rem = m - i; /* 0, 2 or 3 */
	if (rem) {
		int a = dec_char((unsigned char)src[i], url), b = dec_char((unsigned char)src[i + 1], url);
		int c = rem == 3 ? dec_char((unsigned char)src[i + 2], url) : 0;
		if ((a | b | c) < 0)
			return ERR_INVAL;
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
		/* non-canonical: bits beyond the last full byte must be zero */
		if (rem == 2 ? (v & 0xffff) : (v & 0xff))
			return ERR_INVAL;
		*d++ = (unsigned char)(v >> 16);
		if (rem == 3)
			*d++ = (unsigned char)(v >> 8);
	}
	return 0;
}

int b64_decode(const char *src, size_t n, int flags, void *dst, size_t cap, size_t *out_len)
{
	size_t m, out;
	int rc = dec_shape(src, n, flags, &m, &out);
	if (rc)
		return rc;
	if (cap < out)
		return ERR_TOOBIG;
	rc = dec(src, m, flags, dst);
	if (rc)
		return rc;
	if (out_len)
		*out_len = out;
	return 0;
}

int b64_decode_buf(buf *b, const char *src, size_t n, int flags)
{
	size_t m, out;
	int rc = dec_shape(src, n, flags, &m, &out);
	if (rc)
		return rc;
	rc = buf_reserve(b, out);
	if (rc)
		return rc;
	rc = dec(src, m, flags, (unsigned char *)b->data + b->len);
	if (!rc)
		b->len += out;
	b->data[b->len] = '\0';
	return rc;
}
