/* clock.h — clock reads (monotonic for timeouts, wall for timestamps) and
 * pure date formatters (RFC 3339, HTTP IMF-fixdate) that take the time as an
 * argument, so they can be tested without a clock and called from pure code. */
#ifndef BASE_CLOCK_H
#define BASE_CLOCK_H
#include <stddef.h>
#include <stdint.h>

/* --- clock reads (the only functions here that read a clock) --- */
uint64_t clock_mono_ns(void);  /* CLOCK_MONOTONIC, ns since an arbitrary start; never goes back */
uint64_t clock_mono_ms(void);  /* same, in ms */
int64_t clock_wall_ms(void);   /* CLOCK_REALTIME: ms since 1970-01-01T00:00:00Z */
int64_t clock_wall_s(void);    /* CLOCK_REALTIME: s since the epoch (OpenAI "created") */

/* --- pure calendar helpers (proleptic Gregorian, UTC, no leap seconds) --- */
typedef struct clock_tm {
	int64_t year;  /* e.g. 1994 (may be outside 0..9999 for extreme inputs) */
	int mon;       /* 1..12 */
	int mday;      /* 1..31 */
	int hour, min, sec; /* 0..23, 0..59, 0..59 */
	int ms;        /* 0..999 */
	int wday;      /* 0 = Sunday .. 6 = Saturday */
} clock_tm;

/* Break unix_ms (may be negative: before 1970) into UTC calendar fields. */
void clock_civil(int64_t unix_ms, clock_tm *out);
/* Inverse: days since 1970-01-01 for a calendar date (mon 1..12, mday 1..31,
 * not validated). */
int64_t clock_days_from_civil(int64_t year, int mon, int mday);

/* Buffer sizes including the NUL terminator. */
#define CLOCK_RFC3339_SIZE    21 /* "1994-11-06T08:49:37Z" */
#define CLOCK_RFC3339_MS_SIZE 25 /* "1994-11-06T08:49:37.123Z" */
#define CLOCK_IMF_SIZE        30 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Formatters: write the text and a NUL into dst (cap bytes). Return the length
 * written (without the NUL), ERR_TOOBIG when cap is too small, ERR_RANGE when
 * the year is outside 0000..9999. On error dst holds "" (when cap > 0). */
int clock_fmt_rfc3339(int64_t unix_s, char *dst, size_t cap);     /* seconds, "Z" */
int clock_fmt_rfc3339_ms(int64_t unix_ms, char *dst, size_t cap); /* milliseconds, "Z" */
int clock_fmt_imf(int64_t unix_s, char *dst, size_t cap);         /* HTTP Date header (RFC 9110 IMF-fixdate) */

#endif
