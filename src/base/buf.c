/* buf.c — capped growable buffer. */
#include "base/buf.h"
#include "base/err.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t cap_of(const buf *b) { return b->cap ? b->cap : BUF_DEFAULT_CAP; }

void buf_init(buf *b, size_t cap)
{
	memset(b, 0, sizeof *b);
	b->cap = cap;
}

int buf_reserve(buf *b, size_t extra)
{
	size_t cap = cap_of(b);
	if (cap > (size_t)-2)
		cap = (size_t)-2; /* room for the NUL: cap + 1 must not wrap */
	if (extra > cap || b->len > cap - extra)
		return ERR_TOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->size)
		return 0;
	size_t ns = b->size ? b->size : 64;
	while (ns < need)
		ns = ns > ((size_t)-1) / 2 ? need : ns * 2;
	if (ns > cap + 1)
		ns = cap + 1;
	char *p = realloc(b->data, ns);
	if (!p)
		return ERR_NOMEM;
	b->data = p;
	b->size = ns;
	return 0;
}

int buf_append(buf *b, const void *p, size_t n)
{
	/* p may point into b->data (appending a part of b to itself): growing
	 * can move the data, so remember the offset */
	uintptr_t up = (uintptr_t)p, ud = (uintptr_t)b->data;
	int inside = b->data && up >= ud && up < ud + b->size;
	int rc = buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memmove(b->data + b->len, inside ? b->data + (up - ud) : p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_putc(buf *b, char c) { return buf_append(b, &c, 1); }
int buf_puts(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ERR_INVAL;
	if ((size_t)n < sizeof tmp)
		return buf_append(b, tmp, (size_t)n);
	int rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_consume(buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->data)
		b->data[b->len] = '\0';
}

void buf_truncate(buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

void buf_reset(buf *b) { buf_truncate(b, 0); }

void buf_free(buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}

char *buf_steal(buf *b, size_t *len)
{
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->size = 0;
	return p;
}
