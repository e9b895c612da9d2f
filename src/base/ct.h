/* ct.h — handling of secrets: comparison in constant time and wiping memory
 * in a way the compiler may not optimise away. */
#ifndef BASE_CT_H
#define BASE_CT_H
#include <stdbool.h>
#include <stddef.h>

/* true when a[0..an) equals b[0..bn). The running time depends only on the
 * lengths, never on the contents: when an == bn every byte is examined even
 * after a difference. The lengths themselves are NOT hidden (unequal lengths
 * return at once), which is acceptable for API keys and tokens whose length is
 * public (fixed formats) — do not use it where the length is the secret.
 * NULL pointers are allowed when the matching length is 0. */
bool ct_eq(const void *a, size_t an, const void *b, size_t bn);

/* Overwrite p[0..n) with zeros; never elided by the optimiser, even right
 * before free() or the end of a lifetime (explicit_bzero, available in musl
 * >= 1.1.20 and glibc >= 2.25; a volatile fallback otherwise). NULL-safe. */
void ct_wipe(void *p, size_t n);

/* Older name used in task briefs; prefer ct_wipe (prefix = file). */
#define secure_wipe(p, n) ct_wipe((p), (n))

#endif
