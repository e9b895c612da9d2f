/* test_ct.c — constant-time equality and secure wipe. */
#include "t.h"
#include "base/ct.h"
#include <stdlib.h>

TEST(ct_eq_cases)
{
	CHECK(ct_eq("abc", 3, "abc", 3));
	CHECK(!ct_eq("abc", 3, "abd", 3));
	CHECK(!ct_eq("abc", 3, "xbc", 3));
	CHECK(!ct_eq("abc", 3, "ab", 2));
	CHECK(!ct_eq("ab", 2, "abc", 3));
	CHECK(ct_eq(NULL, 0, NULL, 0));
	CHECK(ct_eq("", 0, NULL, 0));
	CHECK(!ct_eq("a", 1, NULL, 0));
	CHECK(ct_eq("a\0b", 3, "a\0b", 3)); /* binary, not C strings */
	CHECK(!ct_eq("a\0b", 3, "a\0c", 3));
	/* every single-bit difference at every position is seen */
	unsigned char a[64], b[64];
	for (int i = 0; i < 64; i++)
		a[i] = (unsigned char)(i * 7 + 1);
	for (int pos = 0; pos < 64; pos++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(b, a, sizeof a);
			b[pos] ^= (unsigned char)(1u << bit);
			if (ct_eq(a, sizeof a, b, sizeof b))
				T_FAIL_AT("difference at byte %d bit %d missed", pos, bit);
		}
	memcpy(b, a, sizeof a);
	CHECK(ct_eq(a, sizeof a, b, sizeof b));
	/* long inputs */
	size_t n = 1 << 20;
	char *x = calloc(1, n), *y = calloc(1, n);
	CHECK(ct_eq(x, n, y, n));
	y[n - 1] = 1;
	CHECK(!ct_eq(x, n, y, n));
	free(x);
	free(y);
}

TEST(ct_wipe_cases)
{
	char s[32];
	memcpy(s, "super-secret-token-value-123456", 32);
	ct_wipe(s, sizeof s);
	int zero = 1;
	for (size_t i = 0; i < sizeof s; i++)
		zero &= s[i] == 0;
	CHECK(zero);
	memcpy(s, "abcdef", 7);
	ct_wipe(s + 1, 2);
	CHECK(s[0] == 'a' && s[1] == 0 && s[2] == 0 && s[3] == 'd');
	ct_wipe(NULL, 10); /* NULL-safe */
	ct_wipe(s, 0);
	CHECK(s[0] == 'a');
	secure_wipe(s, 1); /* the brief's name still works */
	CHECK(s[0] == 0);
	char *h = malloc(100);
	memset(h, 'k', 100);
	ct_wipe(h, 100);
	CHECK(h[0] == 0 && h[99] == 0);
	free(h);
}

int main(void)
{
	RUN(ct_eq_cases);
	RUN(ct_wipe_cases);
	return t_done();
}
