/* json_write.c — streaming JSON writer: nesting state machine, string
 * escaping with UTF-8 repair, shortest round-trip doubles, pretty printing. */
#include "json/json_write.h"
#include "base/err.h"
#include "base/limits.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void json_write_init(json_writer *w, buf *out, unsigned flags)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->flags = flags;
}

/* ---- helpers without a writer ------------------------------------------ */

static const char hexd[] = "0123456789abcdef";

int json_escape_buf(buf *b, const char *s, size_t n, unsigned flags)
{
	size_t old = b->len;
	int rc;
	if (!s && n)
		return ERR_INVAL;
	/* most strings need no escaping: reserve once for the common case */
	if ((rc = buf_reserve(b, n + 2)))
		return rc;
	const unsigned char *p = (const unsigned char *)s;
	if ((rc = buf_putc(b, '"')))
		goto fail;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
			j++;
		if (j > i && (rc = buf_append(b, p + i, j - i)))
			goto fail;
		i = j;
		if (i >= n)
			break;
		unsigned c = p[i];
		if (c >= 0x80) {
			int r = json_utf8_seq(p + i, n - i);
			if (r > 0) {
				rc = buf_append(b, p + i, (size_t)r);
				i += (size_t)r;
			} else if (flags & JSON_W_STRICT_UTF8) {
				rc = ERR_UTF8;
			} else {
				rc = buf_append(b, "\xEF\xBF\xBD", 3);
				i += (size_t)-r;
			}
			if (rc)
				goto fail;
			continue;
		}
		char e[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t en = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hexd[c >> 4];
			e[5] = hexd[c & 15];
			en = 6;
		}
		if ((rc = buf_append(b, e, en)))
			goto fail;
		i++;
	}
	if ((rc = buf_putc(b, '"')))
		goto fail;
	return 0;
fail:
	buf_truncate(b, old);
	return rc;
}

/* snprintf %.*g, then force JSON syntax: whatever the locale put between the
 * digits as a decimal point becomes '.'. */
static size_t fmt_g(char *out, int prec, double v)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
	if (n <= 0 || (size_t)n >= sizeof tmp)
		return 0;
	size_t o = 0;
	bool inpoint = false;
	for (int i = 0; i < n; i++) {
		char c = tmp[i];
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			out[o++] = c;
			inpoint = false;
		} else if (!inpoint) {
			out[o++] = '.';
			inpoint = true;
		}
		if (o >= JSON_DOUBLE_BUF - 1)
			return 0;
	}
	out[o] = '\0';
	return o;
}

size_t json_fmt_double(char out[JSON_DOUBLE_BUF], double v)
{
	out[0] = '\0';
	if (!isfinite(v))
		return 0;
	/* integral values below 1e15: the digits %.15g would print, cheaper */
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v && !(v == 0 && signbit(v))) {
		int n = snprintf(out, JSON_DOUBLE_BUF, "%" PRId64, (int64_t)v);
		return n > 0 ? (size_t)n : 0;
	}
	for (int prec = 15; prec <= 17; prec++) {
		size_t n = fmt_g(out, prec, v);
		double back;
		if (n && json_num_double(out, n, &back) == 0 && back == v && signbit(back) == signbit(v))
			return n;
	}
	/* %.17g always round-trips; only a broken libc gets here */
	size_t n = fmt_g(out, 17, v);
	return n;
}

/* ---- the writer ---------------------------------------------------------- */

static inline bool level_obj(const json_writer *w, uint32_t d) { return (w->kinds[d >> 3] >> (d & 7)) & 1u; }

static int fail(json_writer *w, size_t old, int rc)
{
	if (w->out)
		buf_truncate(w->out, old);
	if (!w->err)
		w->err = rc;
	return rc;
}

static int indent(json_writer *w, uint32_t depth)
{
	int rc = buf_putc(w->out, '\n');
	for (uint32_t k = 0; !rc && k < depth; k++)
		rc = buf_append(w->out, "  ", 2);
	return rc;
}

/* Separator and state checks before a value. */
static int before_value(json_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->out)
		return ERR_STATE;
	if (w->depth == 0)
		return w->done ? ERR_STATE : 0;
	if (level_obj(w, w->depth - 1)) {
		if (!w->after_key)
			return ERR_STATE;
		return 0;
	}
	int rc = 0;
	if (!w->first)
		rc = buf_putc(w->out, ',');
	if (!rc && (w->flags & JSON_W_PRETTY))
		rc = indent(w, w->depth);
	return rc;
}

/* State after a complete scalar value. */
static void after_value(json_writer *w)
{
	w->first = false;
	w->after_key = false;
	if (w->depth == 0)
		w->done = true;
}

/* Common frame for a value call: pre-checks, body, state or rollback. */
#define VALUE_CALL(w, body) do { \
	if ((w)->err) return (w)->err; \
	size_t old_ = (w)->out ? (w)->out->len : 0; \
	int rc_ = before_value(w); \
	if (!rc_) { body; } \
	if (rc_) return fail((w), old_, rc_); \
	after_value(w); \
	return 0; \
} while (0)

static int open_c(json_writer *w, bool obj)
{
	if (w->err)
		return w->err;
	size_t old = w->out ? w->out->len : 0;
	int rc = before_value(w);
	uint32_t max = w->max_depth ? w->max_depth : LIMIT_JSON_DEPTH;
	if (max > JSON_DEPTH_MAX)
		max = JSON_DEPTH_MAX;
	if (!rc && w->depth >= max)
		rc = ERR_DEPTH;
	if (!rc)
		rc = buf_putc(w->out, obj ? '{' : '[');
	if (rc)
		return fail(w, old, rc);
	uint32_t d = w->depth;
	if (obj)
		w->kinds[d >> 3] |= (unsigned char)(1u << (d & 7));
	else
		w->kinds[d >> 3] &= (unsigned char)~(1u << (d & 7));
	w->depth++;
	w->first = true;
	w->after_key = false;
	return 0;
}

static int close_c(json_writer *w, bool obj)
{
	if (w->err)
		return w->err;
	size_t old = w->out ? w->out->len : 0;
	int rc = 0;
	if (!w->out || w->depth == 0 || level_obj(w, w->depth - 1) != obj || w->after_key)
		rc = ERR_STATE;
	if (!rc && !w->first && (w->flags & JSON_W_PRETTY))
		rc = indent(w, w->depth - 1);
	if (!rc)
		rc = buf_putc(w->out, obj ? '}' : ']');
	if (rc)
		return fail(w, old, rc);
	w->depth--;
	after_value(w);
	return 0;
}

int json_write_obj_begin(json_writer *w) { return open_c(w, true); }
int json_write_obj_end(json_writer *w) { return close_c(w, true); }
int json_write_arr_begin(json_writer *w) { return open_c(w, false); }
int json_write_arr_end(json_writer *w) { return close_c(w, false); }

int json_write_keyn(json_writer *w, const char *key, size_t n)
{
	if (w->err)
		return w->err;
	size_t old = w->out ? w->out->len : 0;
	int rc = 0;
	if (!w->out || w->depth == 0 || !level_obj(w, w->depth - 1) || w->after_key)
		rc = ERR_STATE;
	else if (!key && n)
		rc = ERR_INVAL;
	if (!rc && !w->first)
		rc = buf_putc(w->out, ',');
	if (!rc && (w->flags & JSON_W_PRETTY))
		rc = indent(w, w->depth);
	if (!rc)
		rc = json_escape_buf(w->out, key, n, w->flags);
	if (!rc)
		rc = (w->flags & JSON_W_PRETTY) ? buf_append(w->out, ": ", 2) : buf_putc(w->out, ':');
	if (rc)
		return fail(w, old, rc);
	w->first = false;
	w->after_key = true;
	return 0;
}

int json_write_key(json_writer *w, const char *key)
{
	if (!key)
		return w->err ? w->err : fail(w, w->out ? w->out->len : 0, ERR_INVAL);
	return json_write_keyn(w, key, strlen(key));
}

int json_write_strn(json_writer *w, const char *s, size_t n)
{
	VALUE_CALL(w, rc_ = (!s && n) ? ERR_INVAL : json_escape_buf(w->out, s, n, w->flags));
}

int json_write_str(json_writer *w, const char *s)
{
	if (!s)
		return w->err ? w->err : fail(w, w->out ? w->out->len : 0, ERR_INVAL);
	return json_write_strn(w, s, strlen(s));
}

int json_write_i64(json_writer *w, int64_t v)
{
	VALUE_CALL(w, rc_ = buf_printf(w->out, "%" PRId64, v));
}

int json_write_u64(json_writer *w, uint64_t v)
{
	VALUE_CALL(w, rc_ = buf_printf(w->out, "%" PRIu64, v));
}

int json_write_double(json_writer *w, double v)
{
	char tmp[JSON_DOUBLE_BUF];
	size_t n = json_fmt_double(tmp, v);
	if (!n && (w->flags & JSON_W_NONFINITE_NULL))
		return json_write_null(w);
	VALUE_CALL(w, rc_ = n ? buf_append(w->out, tmp, n) : ERR_RANGE);
}

int json_write_bool(json_writer *w, bool v)
{
	VALUE_CALL(w, rc_ = v ? buf_append(w->out, "true", 4) : buf_append(w->out, "false", 5));
}

int json_write_null(json_writer *w)
{
	VALUE_CALL(w, rc_ = buf_append(w->out, "null", 4));
}

int json_write_raw(json_writer *w, const char *p, size_t n)
{
	VALUE_CALL(w, rc_ = (!p || !n) ? ERR_INVAL : buf_append(w->out, p, n));
}

int json_write_kv_str(json_writer *w, const char *k, const char *s)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_str(w, s);
}
int json_write_kv_strn(json_writer *w, const char *k, const char *s, size_t n)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_strn(w, s, n);
}
int json_write_kv_i64(json_writer *w, const char *k, int64_t v)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_i64(w, v);
}
int json_write_kv_u64(json_writer *w, const char *k, uint64_t v)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_u64(w, v);
}
int json_write_kv_double(json_writer *w, const char *k, double v)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_double(w, v);
}
int json_write_kv_bool(json_writer *w, const char *k, bool v)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_bool(w, v);
}
int json_write_kv_null(json_writer *w, const char *k)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_null(w);
}
int json_write_kv_raw(json_writer *w, const char *k, const char *p, size_t n)
{
	int rc = json_write_key(w, k);
	return rc ? rc : json_write_raw(w, p, n);
}

int json_write_finish(const json_writer *w)
{
	if (w->err)
		return w->err;
	return (w->done && w->depth == 0) ? 0 : ERR_STATE;
}
