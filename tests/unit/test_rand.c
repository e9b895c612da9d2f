/* test_rand.c — kernel randomness, hex ids, unbiased ranges. */
#include "t.h"
#include "base/err.h"
#include "base/rand.h"
#include <stdint.h>
#include <stdlib.h>

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

TEST(rand_bytes_basic)
{
	unsigned char a[64] = { 0 }, b[64] = { 0 };
	CHECK_EQ_INT(rand_bytes(a, sizeof a), 0);
	CHECK_EQ_INT(rand_bytes(b, sizeof b), 0);
	CHECK(!all_zero(a, sizeof a));
	CHECK(memcmp(a, b, sizeof a) != 0);
	CHECK_EQ_INT(rand_bytes(NULL, 0), 0);
	/* large request (several getrandom calls are fine) */
	size_t n = 4u << 20;
	unsigned char *big = calloc(1, n);
	CHECK_EQ_INT(rand_bytes(big, n), 0);
	CHECK(!all_zero(big + n - 64, 64));
	/* crude sanity: byte histogram roughly flat */
	size_t hist[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		hist[big[i]]++;
	size_t lo = n, hi = 0;
	for (int i = 0; i < 256; i++) {
		lo = hist[i] < lo ? hist[i] : lo;
		hi = hist[i] > hi ? hist[i] : hi;
	}
	CHECK(lo > n / 256 * 9 / 10 && hi < n / 256 * 11 / 10);
	free(big);
}

TEST(rand_urandom_fallback)
{
	unsigned char a[100] = { 0 }, b[100] = { 0 };
	CHECK_EQ_INT(rand_bytes_urandom(a, sizeof a), 0);
	CHECK_EQ_INT(rand_bytes_urandom(b, sizeof b), 0);
	CHECK(!all_zero(a, sizeof a));
	CHECK(memcmp(a, b, sizeof a) != 0);
	CHECK_EQ_INT(rand_bytes_urandom(NULL, 0), 0);
}

TEST(rand_hex_ids)
{
	char id[64];
	for (size_t n = 0; n < 40; n++) {
		memset(id, 'X', sizeof id);
		CHECK_EQ_INT(rand_hex(id, n), 0);
		CHECK_EQ_INT(strlen(id), n);
		for (size_t i = 0; i < n; i++)
			if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
				T_FAIL_AT("rand_hex(%zu) char %zu = '%c'", n, i, id[i]);
	}
	char a[33], b[33];
	rand_hex(a, 32);
	rand_hex(b, 32);
	CHECK(strcmp(a, b) != 0);
	/* longer than the internal chunk */
	char big[1001];
	CHECK_EQ_INT(rand_hex(big, 1000), 0);
	CHECK_EQ_INT(strlen(big), 1000);
	/* the file id use */
	char fid[8 + 24 + 1] = "file-lc-";
	CHECK_EQ_INT(rand_hex(fid + 8, 24), 0);
	CHECK_EQ_INT(strlen(fid), 32);
	CHECK(!memcmp(fid, "file-lc-", 8));
}

TEST(rand_ranges)
{
	uint64_t v, seen_or = 0, seen_and = UINT64_MAX;
	for (int i = 0; i < 64; i++) {
		CHECK_EQ_INT(rand_u64(&v), 0);
		seen_or |= v;
		seen_and &= v;
	}
	CHECK(seen_or == UINT64_MAX && seen_and == 0); /* every bit varies */
	CHECK_EQ_INT(rand_below(0, &v), ERR_INVAL);
	CHECK_EQ_INT(rand_below(1, &v), 0);
	CHECK_EQ_INT(v, 0);
	int count[6] = { 0 };
	for (int i = 0; i < 60000; i++) {
		CHECK_EQ_INT(rand_below(6, &v), 0);
		if (v >= 6) {
			T_FAIL_AT("rand_below(6) = %llu", (unsigned long long)v);
			break;
		}
		count[v]++;
	}
	for (int i = 0; i < 6; i++)
		CHECK(count[i] > 9000 && count[i] < 11000);
	/* a bound just above 2^63: rejection sampling keeps it in range */
	for (int i = 0; i < 100; i++) {
		CHECK_EQ_INT(rand_below((1ULL << 63) + 1, &v), 0);
		CHECK(v <= (1ULL << 63));
	}
	CHECK_EQ_INT(rand_below(UINT64_MAX, &v), 0);
	CHECK(v < UINT64_MAX);
	double d, sum = 0;
	for (int i = 0; i < 10000; i++) {
		CHECK_EQ_INT(rand_unit(&d), 0);
		if (!(d >= 0.0 && d < 1.0)) {
			T_FAIL_AT("rand_unit = %f", d);
			break;
		}
		sum += d;
	}
	CHECK(sum / 10000 > 0.45 && sum / 10000 < 0.55);
}

int main(void)
{
	RUN(rand_bytes_basic);
	RUN(rand_urandom_fallback);
	RUN(rand_hex_ids);
	RUN(rand_ranges);
	return t_done();
}
