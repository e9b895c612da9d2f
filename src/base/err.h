/* err.h — the project's one error enum. 0 is OK, errors are negative.
 * Where a human reason matters, callers pass an error buffer as well. */
#ifndef BASE_ERR_H
#define BASE_ERR_H
#include <stddef.h>

typedef enum {
	ERR_OK        = 0,
	ERR_NOMEM     = -1,  /* allocation failed */
	ERR_INVAL     = -2,  /* malformed input / invalid argument */
	ERR_AGAIN     = -3,  /* incremental parser: need more bytes; non-blocking I/O: would block */
	ERR_TOOBIG    = -4,  /* a size cap was exceeded */
	ERR_NOTFOUND  = -5,
	ERR_IO        = -6,  /* system call failed (see errno) */
	ERR_RANGE     = -7,  /* number out of range */
	ERR_DEPTH     = -8,  /* nesting too deep */
	ERR_UTF8      = -9,  /* invalid UTF-8 */
	ERR_TIMEOUT   = -10,
	ERR_CLOSED    = -11, /* peer closed / end of stream */
	ERR_TLS       = -12,
	ERR_DNS       = -13,
	ERR_FORBIDDEN = -14, /* refused by policy */
	ERR_TYPE      = -15, /* value of the wrong type */
	ERR_DUP       = -16, /* duplicate key / redefinition */
	ERR_STATE     = -17, /* call not valid in the current state */
	ERR_UNSUPPORTED = -18,
	ERR_CANCELLED = -19,
	ERR__LAST     = -20
} err_t;

/* Static, human-readable name of an error code (never NULL). */
const char *err_str(int e);

/* Write a printf-style message into a caller's error buffer err[0..cap)
 * (NUL-terminated, truncated); nothing when err is NULL or cap is 0. */
void err_printf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
