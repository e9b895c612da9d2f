/* rand.h — cryptographically secure random bytes from the kernel
 * (getrandom(2); /dev/urandom when the syscall is missing). Thread-safe, no
 * state kept between calls. Use for ids, hash-table keys, jitter, tokens. */
#ifndef BASE_RAND_H
#define BASE_RAND_H
#include <stddef.h>
#include <stdint.h>

/* Fill p[0..n) with random bytes. 0, or ERR_IO (errno set) when the kernel
 * source failed; callers that must not continue without randomness treat that
 * as fatal. Blocks only until the kernel pool is first initialised (boot). */
int rand_bytes(void *p, size_t n);
/* Same, always reading /dev/urandom (the fallback path; exposed for tests). */
int rand_bytes_urandom(void *p, size_t n);

/* n random lower-case hex digits and a NUL into dst (dst holds n + 1 bytes),
 * e.g. rand_hex(id + 8, 24) for "file-lc-<24 hex>". 0 or ERR_IO. */
int rand_hex(char *dst, size_t n);

/* A uniform random 64-bit value. 0 or ERR_IO. */
int rand_u64(uint64_t *out);
/* A uniform value in [0, bound) without modulo bias (bound > 0; bound 0 -> ERR_INVAL). */
int rand_below(uint64_t bound, uint64_t *out);
/* A uniform double in [0, 1) with 53 random bits. 0 or ERR_IO. */
int rand_unit(double *out);

#endif
