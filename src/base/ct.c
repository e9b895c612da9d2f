/* ct.c — constant-time comparison and secure wipe. */
#include "base/ct.h"
#include <string.h>

bool ct_eq(const void *a, size_t an, const void *b, size_t bn)
{
	if (an != bn)
		return false;
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	for (size_t i = 0; i < an; i++)
		d |= (unsigned char)(x[i] ^ y[i]);
	/* (d - 1) >> 8 is all ones only for d == 0: no data-dependent branch */
	return (((unsigned)d - 1u) >> 8) & 1u;
}

#ifdef CT_NO_EXPLICIT_BZERO
/* memset called through a volatile pointer cannot be proven to be memset */
static void *(*const volatile ct_memset)(void *, int, size_t) = memset;
#endif

void ct_wipe(void *p, size_t n)
{
	if (!p || !n)
		return;
#ifdef CT_NO_EXPLICIT_BZERO
	ct_memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
#else
	explicit_bzero(p, n);
#endif
}
