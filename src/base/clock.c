/* clock.c — clock reads and pure UTC date formatting (civil-from-days
 * arithmetic, no gmtime/TZ, valid for negative times). */
#include "base/clock.h"
#include "base/err.h"
#include <time.h>

uint64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t clock_mono_ms(void) { return clock_mono_ns() / 1000000u; }

int64_t clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* floor division and non-negative remainder */
static int64_t fdiv(int64_t a, int64_t b) { return a / b - (a % b < 0); }
static int64_t fmod_pos(int64_t a, int64_t b) { int64_t r = a % b; return r < 0 ? r + b : r; }

int64_t clock_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = fdiv(y, 400);
	int64_t yoe = y - era * 400;                                    /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

void clock_civil(int64_t unix_ms, clock_tm *t)
{
	int64_t days = fdiv(unix_ms, 86400000);
	int64_t msd = fmod_pos(unix_ms, 86400000);
	t->ms = (int)(msd % 1000);
	t->sec = (int)(msd / 1000 % 60);
	t->min = (int)(msd / 60000 % 60);
	t->hour = (int)(msd / 3600000);
	t->wday = (int)fmod_pos(days + 4, 7); /* 1970-01-01 was a Thursday */
	int64_t z = days + 719468;
	int64_t era = fdiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	t->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	t->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	t->year = yoe + era * 400 + (t->mon <= 2);
}

static void put2(char *p, int v) { p[0] = (char)('0' + v / 10); p[1] = (char)('0' + v % 10); }
static void put4(char *p, int v) { put2(p, v / 100); put2(p + 2, v % 100); }

/* Common checks; fills t. Returns 0 or an error (dst set to ""). */
static int prep(int64_t unix_ms, char *dst, size_t cap, size_t size, clock_tm *t)
{
	if (cap > 0)
		dst[0] = '\0';
	if (cap < size)
		return ERR_TOOBIG;
	clock_civil(unix_ms, t);
	if (t->year < 0 || t->year > 9999)
		return ERR_RANGE;
	return 0;
}

/* unix seconds -> ms, or a value whose year is out of range when it would overflow */
static int64_t s_to_ms(int64_t s)
{
	const int64_t lim = INT64_MAX / 1000;
	if (s > lim)
		return INT64_MAX;
	if (s < -lim)
		return INT64_MIN;
	return s * 1000;
}

static void fmt_date_time(const clock_tm *t, char *p)
{
	/* "YYYY-MM-DDTHH:MM:SS" */
	put4(p, (int)t->year);
	p[4] = '-';
	put2(p + 5, t->mon);
	p[7] = '-';
	put2(p + 8, t->mday);
	p[10] = 'T';
	put2(p + 11, t->hour);
	p[13] = ':';
	put2(p + 14, t->min);
	p[16] = ':';
	put2(p + 17, t->sec);
}

int clock_fmt_rfc3339(int64_t unix_s, char *dst, size_t cap)
{
	clock_tm t;
	int rc = prep(s_to_ms(unix_s), dst, cap, CLOCK_RFC3339_SIZE, &t);
	if (rc)
		return rc;
	fmt_date_time(&t, dst);
	dst[19] = 'Z';
	dst[20] = '\0';
	return 20;
}

int clock_fmt_rfc3339_ms(int64_t unix_ms, char *dst, size_t cap)
{
	clock_tm t;
	int rc = prep(unix_ms, dst, cap, CLOCK_RFC3339_MS_SIZE, &t);
	if (rc)
		return rc;
	fmt_date_time(&t, dst);
	dst[19] = '.';
	dst[20] = (char)('0' + t.ms / 100);
	put2(dst + 21, t.ms % 100);
	dst[23] = 'Z';
	dst[24] = '\0';
	return 24;
}

int clock_fmt_imf(int64_t unix_s, char *dst, size_t cap)
{
	static const char wd[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char mn[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	clock_tm t;
	int rc = prep(s_to_ms(unix_s), dst, cap, CLOCK_IMF_SIZE, &t);
	if (rc)
		return rc;
	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	char *p = dst;
	for (int i = 0; i < 3; i++)
		p[i] = wd[t.wday][i];
	p[3] = ',';
	p[4] = ' ';
	put2(p + 5, t.mday);
	p[7] = ' ';
	for (int i = 0; i < 3; i++)
		p[8 + i] = mn[t.mon - 1][i];
	p[11] = ' ';
	put4(p + 12, (int)t.year);
	p[16] = ' ';
	put2(p + 17, t.hour);
	p[19] = ':';
	put2(p + 20, t.min);
	p[22] = ':';
	put2(p + 23, t.sec);
	p[25] = ' ';
	p[26] = 'G';
	p[27] = 'M';
	p[28] = 'T';
	p[29] = '\0';
	return 29;
}
