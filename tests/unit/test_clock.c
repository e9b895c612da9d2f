/* test_clock.c — clock reads and the pure RFC 3339 / IMF-fixdate formatters. */
#include "t.h"
#include "base/clock.h"
#include "base/err.h"
#include <stdint.h>
#include <time.h>

TEST(clock_reads)
{
	uint64_t a = clock_mono_ns(), b = clock_mono_ns();
	CHECK(b >= a);
	uint64_t ms = clock_mono_ms();
	CHECK(ms >= a / 1000000u);
	struct timespec d = { 0, 20 * 1000000L };
	nanosleep(&d, NULL);
	uint64_t c = clock_mono_ns();
	CHECK(c - a >= 20u * 1000000u);
	int64_t w = clock_wall_ms();
	int64_t now = (int64_t)time(NULL);
	CHECK(w > 1577836800000LL);                 /* after 2020 */
	CHECK(w / 1000 >= now - 2 && w / 1000 <= now + 2);
	CHECK(clock_wall_s() >= now - 2 && clock_wall_s() <= now + 2);
}

TEST(clock_fmt_vectors)
{
	char b[64];
	CHECK_EQ_INT(clock_fmt_imf(784111777, b, sizeof b), 29);
	CHECK_EQ_STR(b, "Sun, 06 Nov 1994 08:49:37 GMT"); /* RFC 9110 example */
	CHECK_EQ_INT(clock_fmt_rfc3339(784111777, b, sizeof b), 20);
	CHECK_EQ_STR(b, "1994-11-06T08:49:37Z");
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(784111777123LL, b, sizeof b), 24);
	CHECK_EQ_STR(b, "1994-11-06T08:49:37.123Z");
	clock_fmt_rfc3339_ms(784111777007LL, b, sizeof b);
	CHECK_EQ_STR(b, "1994-11-06T08:49:37.007Z");
	clock_fmt_rfc3339(0, b, sizeof b);
	CHECK_EQ_STR(b, "1970-01-01T00:00:00Z");
	clock_fmt_imf(0, b, sizeof b);
	CHECK_EQ_STR(b, "Thu, 01 Jan 1970 00:00:00 GMT");
	clock_fmt_rfc3339_ms(-1, b, sizeof b);
	CHECK_EQ_STR(b, "1969-12-31T23:59:59.999Z");
	clock_fmt_rfc3339(-1, b, sizeof b);
	CHECK_EQ_STR(b, "1969-12-31T23:59:59Z");
	clock_fmt_rfc3339(951782400, b, sizeof b);
	CHECK_EQ_STR(b, "2000-02-29T00:00:00Z");
	clock_fmt_imf(951782400, b, sizeof b);
	CHECK_EQ_STR(b, "Tue, 29 Feb 2000 00:00:00 GMT");
	clock_fmt_rfc3339(1709164800, b, sizeof b);
	CHECK_EQ_STR(b, "2024-02-29T00:00:00Z");
	clock_fmt_imf(4107542399LL, b, sizeof b);
	CHECK_EQ_STR(b, "Sun, 28 Feb 2100 23:59:59 GMT"); /* 2100 is not a leap year: */
	clock_fmt_rfc3339(4107542400LL, b, sizeof b);
	CHECK_EQ_STR(b, "2100-03-01T00:00:00Z");          /* next day is March 1 */
	CHECK_EQ_INT(clock_fmt_rfc3339(253402300799LL, b, sizeof b), 20);
	CHECK_EQ_STR(b, "9999-12-31T23:59:59Z");
	CHECK_EQ_INT(clock_fmt_rfc3339(-62167219200LL, b, sizeof b), 20);
	CHECK_EQ_STR(b, "0000-01-01T00:00:00Z");
	CHECK_EQ_INT(clock_fmt_rfc3339(-62135596800LL, b, sizeof b), 20);
	CHECK_EQ_STR(b, "0001-01-01T00:00:00Z");
}

TEST(clock_fmt_errors)
{
	char b[64];
	CHECK_EQ_INT(clock_fmt_rfc3339(253402300800LL, b, sizeof b), ERR_RANGE);
	CHECK_EQ_STR(b, "");
	CHECK_EQ_INT(clock_fmt_rfc3339(-62167219201LL, b, sizeof b), ERR_RANGE);
	CHECK_EQ_INT(clock_fmt_imf(INT64_MAX, b, sizeof b), ERR_RANGE);
	CHECK_EQ_INT(clock_fmt_imf(INT64_MIN, b, sizeof b), ERR_RANGE);
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(INT64_MAX, b, sizeof b), ERR_RANGE);
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(INT64_MIN, b, sizeof b), ERR_RANGE);
	CHECK_EQ_INT(clock_fmt_rfc3339(INT64_MIN, b, sizeof b), ERR_RANGE);
	/* exact sizes */
	memset(b, 'x', sizeof b);
	CHECK_EQ_INT(clock_fmt_imf(0, b, CLOCK_IMF_SIZE - 1), ERR_TOOBIG);
	CHECK_EQ_STR(b, "");
	CHECK_EQ_INT(clock_fmt_imf(0, b, CLOCK_IMF_SIZE), 29);
	CHECK_EQ_INT(clock_fmt_rfc3339(0, b, CLOCK_RFC3339_SIZE - 1), ERR_TOOBIG);
	CHECK_EQ_INT(clock_fmt_rfc3339(0, b, CLOCK_RFC3339_SIZE), 20);
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(0, b, CLOCK_RFC3339_MS_SIZE - 1), ERR_TOOBIG);
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(0, b, CLOCK_RFC3339_MS_SIZE), 24);
	CHECK_EQ_INT(clock_fmt_rfc3339_ms(0, NULL, 0), ERR_TOOBIG);
}

/* tiny deterministic generator for the cross-checks */
static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(clock_civil_matches_gmtime)
{
	const int64_t lo = -62167219200LL, hi = 253402300799LL; /* years 0000..9999 */
	int bad = 0;
	for (int i = 0; i < 200000 && bad < 5; i++) {
		int64_t t = lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
		if (i < 2000) /* also dense around the epoch and day edges */
			t = (int64_t)(next() % 400000000u) - 200000000;
		time_t tt = (time_t)t;
		struct tm g;
		if (!gmtime_r(&tt, &g))
			continue;
		clock_tm c;
		clock_civil(t * 1000 + 999, &c);
		if (c.year != g.tm_year + 1900LL || c.mon != g.tm_mon + 1 || c.mday != g.tm_mday || c.hour != g.tm_hour
			|| c.min != g.tm_min || c.sec != g.tm_sec || c.wday != g.tm_wday || c.ms != 999) {
			T_FAIL_AT("t=%lld: %lld-%d-%d %d:%d:%d wd%d vs gmtime %d-%d-%d %d:%d:%d wd%d", (long long)t,
				(long long)c.year, c.mon, c.mday, c.hour, c.min, c.sec, c.wday, g.tm_year + 1900,
				g.tm_mon + 1, g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec, g.tm_wday);
			bad++;
		}
		int64_t days = clock_days_from_civil(c.year, c.mon, c.mday);
		if (days * 86400 + c.hour * 3600 + c.min * 60 + c.sec != t) {
			T_FAIL_AT("days_from_civil inverse failed at %lld", (long long)t);
			bad++;
		}
	}
	CHECK_EQ_INT(clock_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ_INT(clock_days_from_civil(1969, 12, 31), -1);
	CHECK_EQ_INT(clock_days_from_civil(2000, 3, 1), 11017);
}

int main(void)
{
	RUN(clock_reads);
	RUN(clock_fmt_vectors);
	RUN(clock_fmt_errors);
	RUN(clock_civil_matches_gmtime);
	return t_done();
}
