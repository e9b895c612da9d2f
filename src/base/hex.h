/* hex.h — base16: lower-case encoding, strict decoding (RFC 4648 §8). */
#ifndef BASE_HEX_H
#define BASE_HEX_H
#include <stddef.h>
#include "base/buf.h"

/* Characters needed to encode n bytes (2n; SIZE_MAX when that overflows). */
size_t hex_enc_len(size_t n);

/* Write 2n lower-case hex digits and a NUL into dst (cap >= 2n + 1).
 * 0, or ERR_TOOBIG (dst untouched) when cap is too small. */
int hex_encode(const void *src, size_t n, char *dst, size_t cap);
/* Append the encoding to b. 0, ERR_TOOBIG or ERR_NOMEM (b unchanged on error). */
int hex_encode_buf(buf *b, const void *src, size_t n);

/* Decode n hex digits (upper or lower case) into dst (cap >= n / 2).
 * ERR_INVAL on odd n or a non-hex character, ERR_TOOBIG when cap is too small;
 * on success *out_len (may be NULL) = n / 2. dst may be partly written on error. */
int hex_decode(const char *src, size_t n, void *dst, size_t cap, size_t *out_len);
/* Append the decoded bytes to b; b unchanged on error. */
int hex_decode_buf(buf *b, const char *src, size_t n);

/* Value of one hex digit, or -1. */
int hex_digit(char c);

#endif
