/* json_write.h — streaming JSON writer into a capped buf.
 * Pure: no I/O, no globals. The writer checks the nesting (keys only inside
 * objects, exactly one value per key, matching closes, depth cap, a single
 * top-level value) and reports misuse as error codes; the first error is
 * sticky: every later call does nothing and returns it again, and the output
 * is left ending at the last complete call (a failed call appends nothing).
 *
 *   buf b = { 0 };
 *   json_writer w = { .out = &b };            // zero-initialised state is valid
 *   json_write_obj_begin(&w);
 *   json_write_kv_str(&w, "model", "gpt-4o");
 *   json_write_key(&w, "n"); json_write_i64(&w, 2);
 *   json_write_obj_end(&w);
 *   if (json_write_finish(&w)) ... error ...;  // b.data holds {"model":"gpt-4o","n":2}
 *
 * Output is always valid JSON and valid UTF-8:
 *   - strings: '"' and '\' escaped, \b \f \n \r \t short forms, other control
 *     characters as \u00XX; '/' and non-ASCII are written as is. Invalid UTF-8
 *     input is replaced by U+FFFD (one per maximal invalid subpart), or
 *     rejected with ERR_UTF8 when JSON_W_STRICT_UTF8 is set.
 *   - doubles: shortest text of %.15g/%.16g/%.17g that reads back (through
 *     json_num_double) to the same double, JSON syntax whatever the locale;
 *     integral values come out without ".0" (2.0 -> 2, 1e21 -> 1e+21).
 *     Cost: integers below 1e15 are cheap; other values take 1-4 snprintf +
 *     parse rounds (a few microseconds), so pass bulk numbers from a parsed
 *     document through with json_write_raw(json_raw()) instead.
 *     NaN and infinities: ERR_RANGE, or null with JSON_W_NONFINITE_NULL.
 *   - raw: inserted verbatim; the caller guarantees it is one valid JSON value
 *     (typically json_raw() of a parsed document).
 * Pretty mode (JSON_W_PRETTY): 2-space indent, one member or element per line,
 * "key": value, empty containers as {} and [], no trailing newline. */
#ifndef JSON_JSON_WRITE_H
#define JSON_JSON_WRITE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "json/json.h"

#define JSON_W_PRETTY        0x01u
#define JSON_W_STRICT_UTF8   0x02u   /* invalid UTF-8 in strings/keys -> ERR_UTF8 (default: U+FFFD) */
#define JSON_W_NONFINITE_NULL 0x04u  /* NaN/inf -> null (default: ERR_RANGE) */

typedef struct json_writer {
	buf *out;            /* destination, not owned; its cap bounds the output (ERR_TOOBIG) */
	unsigned flags;      /* JSON_W_* */
	uint32_t max_depth;  /* 0 = LIMIT_JSON_DEPTH; clamped to JSON_DEPTH_MAX */
	int err;             /* sticky first error, 0 = none */
	/* internal state; all-zero = nothing written yet */
	uint32_t depth;
	bool first;          /* current container has no element yet */
	bool after_key;      /* inside an object, a key waits for its value */
	bool done;           /* the top-level value is complete */
	unsigned char kinds[JSON_DEPTH_MAX / 8];  /* bit per level: object */
} json_writer;

/* Reset w to write into out (appending to what out already holds). */
void json_write_init(json_writer *w, buf *out, unsigned flags);

/* Every call returns 0 or the (sticky) error:
 *   ERR_STATE  misuse: value where a key is expected or vice versa, a second
 *              top-level value, close without open or of the wrong kind,
 *              object closed after a key without value, out == NULL;
 *   ERR_DEPTH  more than max_depth open containers;
 *   ERR_TOOBIG out's cap reached; ERR_NOMEM;
 *   ERR_UTF8   (JSON_W_STRICT_UTF8) invalid UTF-8;
 *   ERR_RANGE  non-finite double; ERR_INVAL empty raw value or NULL string. */
int json_write_obj_begin(json_writer *w);
int json_write_obj_end(json_writer *w);
int json_write_arr_begin(json_writer *w);
int json_write_arr_end(json_writer *w);
int json_write_key(json_writer *w, const char *key);
int json_write_keyn(json_writer *w, const char *key, size_t n);
int json_write_str(json_writer *w, const char *s);
int json_write_strn(json_writer *w, const char *s, size_t n);
int json_write_i64(json_writer *w, int64_t v);
int json_write_u64(json_writer *w, uint64_t v);
int json_write_double(json_writer *w, double v);
int json_write_bool(json_writer *w, bool v);
int json_write_null(json_writer *w);
int json_write_raw(json_writer *w, const char *p, size_t n);

/* key + value in one call */
int json_write_kv_str(json_writer *w, const char *key, const char *s);
int json_write_kv_strn(json_writer *w, const char *key, const char *s, size_t n);
int json_write_kv_i64(json_writer *w, const char *key, int64_t v);
int json_write_kv_u64(json_writer *w, const char *key, uint64_t v);
int json_write_kv_double(json_writer *w, const char *key, double v);
int json_write_kv_bool(json_writer *w, const char *key, bool v);
int json_write_kv_null(json_writer *w, const char *key);
int json_write_kv_raw(json_writer *w, const char *key, const char *p, size_t n);

/* 0 when no error happened and exactly one complete top-level value was
 * written; the sticky error, or ERR_STATE when something is still open or
 * nothing was written. */
int json_write_finish(const json_writer *w);

/* Helpers usable without a writer. */
/* Append s[0..n) as a quoted JSON string (flags: JSON_W_STRICT_UTF8).
 * 0, ERR_UTF8, ERR_TOOBIG, ERR_NOMEM; on error b is unchanged. */
int json_escape_buf(buf *b, const char *s, size_t n, unsigned flags);
/* Shortest round-trip text of a finite double into out (NUL-terminated);
 * returns its length (at most 24), or 0 for NaN/infinity. */
#define JSON_DOUBLE_BUF 32
size_t json_fmt_double(char out[JSON_DOUBLE_BUF], double v);

#endif
