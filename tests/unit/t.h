/* t.h — the tiny unit-test runner. One test_<module>.c per module:
 *
 *   #include "t.h"
 *   TEST(arena_basic) { CHECK(1 + 1 == 2); CHECK_EQ_INT(f(), 3); }
 *   int main(void) { RUN(arena_basic); return t_done(); }
 *
 * A TEST passes when none of its CHECKs failed. t_done() prints the closing
 * line "N passed, N failed" (counted in tests) and returns the exit status. */
#ifndef T_H
#define T_H
#include <stdio.h>
#include <string.h>

static int t_passed, t_failed, t_cur_failed;
static const char *t_cur_name;

#define TEST(name) static void name(void)
#define RUN(name) do { t_cur_name = #name; t_cur_failed = 0; name(); \
	if (t_cur_failed) { t_failed++; printf("FAIL %s\n", #name); } else { t_passed++; } } while (0)

#define T_FAIL_AT(...) do { t_cur_failed++; printf("  %s:%d: in %s: ", __FILE__, __LINE__, t_cur_name); \
	printf(__VA_ARGS__); printf("\n"); } while (0)
#define CHECK(c) do { if (!(c)) T_FAIL_AT("CHECK(%s)", #c); } while (0)
#define CHECK_EQ_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); \
	if (t_a != t_b) T_FAIL_AT("%s == %lld, expected %s == %lld", #a, t_a, #b, t_b); } while (0)
#define CHECK_EQ_STR(a, b) do { const char *t_a = (a), *t_b = (b); \
	if (!t_a || !t_b || strcmp(t_a, t_b)) T_FAIL_AT("%s == \"%s\", expected \"%s\"", #a, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } while (0)
#define CHECK_EQ_MEM(a, an, b, bn) do { size_t t_an = (an), t_bn = (bn); \
	if (t_an != t_bn || memcmp((a), (b), t_an)) T_FAIL_AT("%s (%zu bytes: \"%.*s\") != %s (%zu bytes: \"%.*s\")", \
		#a, t_an, (int)t_an, (const char *)(a), #b, t_bn, (int)t_bn, (const char *)(b)); } while (0)

static inline int t_done(void)
{
	printf("%d passed, %d failed\n", t_passed, t_failed);
	return t_failed ? 1 : 0;
}
#endif
