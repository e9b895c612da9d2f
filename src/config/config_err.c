/* config_err.c — the error list of a config load and message helpers
 * (printable key names, the "invalid TOML config: ..." text shape). */
#include "config/config_private.h"
#include "base/err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

int config_errors_add(config_errors *e, const char *file, uint32_t line, uint32_t col,
		      const char *msg, const char *text)
{
	if (!e)
		return 0;
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 8;
		config_error *v = realloc(e->v, nc * sizeof *v);
		if (!v)
			return ERR_NOMEM;
		e->v = v;
		e->cap = nc;
	}
	config_error *x = &e->v[e->n];
	memset(x, 0, sizeof *x);
	x->line = line;
	x->col = col;
	x->file = dup_or_null(file);
	x->msg = dup_or_null(msg ? msg : "");
	x->text = dup_or_null(text ? text : (msg ? msg : ""));
	if ((file && !x->file) || !x->msg || !x->text) {
		free(x->file);
		free(x->msg);
		free(x->text);
		return ERR_NOMEM;
	}
	e->n++;
	return 0;
}

void config_errors_free(config_errors *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].file);
		free(e->v[i].msg);
		free(e->v[i].text);
	}
	free(e->v);
	memset(e, 0, sizeof *e);
}

int config_err_add(config_errors *errs, const char *file, config_pos pos, bool exact, const char *fmt, ...)
{
	char msg[1024], text[1400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (exact || pos.line == 0)
		snprintf(text, sizeof text, "invalid TOML config: %s", msg);
	else
		snprintf(text, sizeof text, "invalid TOML config: %s (%s:%u:%u)", msg,
			 file && *file ? file : "<config>", pos.line, pos.col);
	return config_errors_add(errs, file, pos.line, pos.col, msg, text);
}

char *config_printable(const char *s, size_t n, size_t max, char *dst, size_t cap)
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0;
	if (!cap)
		return dst;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= max && (c & 0xC0) != 0x80) {
			if (o + 4 <= cap) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (c >= 0x20 && c != 0x7f) {   /* printable ASCII and UTF-8 bytes */
			if (o + 2 > cap)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 5 > cap)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hx[c >> 4];
			dst[o++] = hx[c & 15];
		}
	}
	dst[o] = '\0';
	return dst;
}
