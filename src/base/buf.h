/* buf.h — growable byte buffer with a hard cap.
 * A zero-initialised buf is valid and empty with cap BUF_DEFAULT_CAP; set .cap
 * (or use buf_init) to choose another. Growing past the cap fails with
 * ERR_TOOBIG and leaves the contents unchanged: never a silent truncation.
 * data is always NUL-terminated when non-NULL (the NUL is not counted in len). */
#ifndef BASE_BUF_H
#define BASE_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *data;
	size_t len;   /* bytes in use */
	size_t size;  /* bytes allocated (including room for the NUL) */
	size_t cap;   /* max len; 0 = BUF_DEFAULT_CAP */
} buf;

#define BUF_DEFAULT_CAP ((size_t)64 << 20)

void buf_init(buf *b, size_t cap);
/* Ensure room for extra more bytes. 0, ERR_TOOBIG or ERR_NOMEM. */
int buf_reserve(buf *b, size_t extra);
int buf_append(buf *b, const void *p, size_t n);
int buf_putc(buf *b, char c);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drop the first n bytes (n > len drops everything). */
void buf_consume(buf *b, size_t n);
/* Set len to n (n <= len). */
void buf_truncate(buf *b, size_t n);
void buf_reset(buf *b);          /* len = 0, keeps memory */
void buf_free(buf *b);           /* NULL-safe; the buf is empty and reusable */
/* Hand the data to the caller (malloc'd, NUL-terminated, may be NULL when empty). */
char *buf_steal(buf *b, size_t *len);

#endif
