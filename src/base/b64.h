/* b64.h — base64 (RFC 4648 §4) and base64url (§5), with or without padding.
 *
 * Decoding is strict, so one byte string has exactly one accepted encoding:
 *  - only the chosen alphabet (no mixing '+/' with '-_'), no whitespace or
 *    line breaks, '=' only as final padding;
 *  - a final group of 1 character is always rejected;
 *  - the unused low bits of the last character must be zero ("Zh==" is
 *    rejected, "Zg==" accepted) — RFC 4648 §3.5 lets decoders reject them;
 *  - padding is required unless B64_NOPAD is passed; with B64_NOPAD it is
 *    optional (absent, or present and correct).
 * Table-driven code is not constant-time: do not feed it long-term secrets
 * where timing side channels matter. */
#ifndef BASE_B64_H
#define BASE_B64_H
#include <stddef.h>
#include "base/buf.h"

enum {
	B64_STD = 0,    /* alphabet A-Z a-z 0-9 + /, padded */
	B64_URL = 1,    /* alphabet A-Z a-z 0-9 - _ */
	B64_NOPAD = 2,  /* encode without '='; decode accepts missing padding */
};

/* Characters produced for n input bytes (without NUL); SIZE_MAX on overflow. */
size_t b64_enc_len(size_t n, int flags);
/* Upper bound of bytes decoded from n characters (exact when unpadded). */
size_t b64_dec_max(size_t n);

/* Encode src[0..n) into dst plus a NUL (cap >= b64_enc_len + 1).
 * 0 or ERR_TOOBIG (dst untouched); *out_len (may be NULL) = characters written. */
int b64_encode(const void *src, size_t n, int flags, char *dst, size_t cap, size_t *out_len);
/* Append the encoding to b. 0, ERR_TOOBIG or ERR_NOMEM; b unchanged on error. */
int b64_encode_buf(buf *b, const void *src, size_t n, int flags);

/* Decode src[0..n) into dst (cap bytes). 0, ERR_INVAL (malformed, see above)
 * or ERR_TOOBIG (cap too small for the exact decoded size); *out_len (may be
 * NULL) = bytes written. The length/padding shape is checked before the cap,
 * the characters after it. dst may be partly written on error. */
int b64_decode(const char *src, size_t n, int flags, void *dst, size_t cap, size_t *out_len);
/* Append the decoded bytes to b (NUL-terminated as always); b unchanged on error. */
int b64_decode_buf(buf *b, const char *src, size_t n, int flags);

#endif
