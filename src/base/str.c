/* str.c — string slice helpers. */
#include "base/str.h"
#include <string.h>

str str_from(const char *c) { return c ? (str){ c, strlen(c) } : (str){ "", 0 }; }

bool str_eq(str a, str b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }
bool str_eq_cstr(str a, const char *b) { return str_eq(a, str_from(b)); }

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

bool str_eq_nocase(str a, str b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

bool str_starts_with(str s, str pre) { return s.n >= pre.n && (pre.n == 0 || memcmp(s.p, pre.p, pre.n) == 0); }
bool str_ends_with(str s, str suf) { return s.n >= suf.n && (suf.n == 0 || memcmp(s.p + s.n - suf.n, suf.p, suf.n) == 0); }
bool str_starts_with_nocase(str s, str pre) { return s.n >= pre.n && str_eq_nocase(str_make(s.p, pre.n), pre); }

ptrdiff_t str_index(str s, char c)
{
	const char *q = s.n ? memchr(s.p, c, s.n) : NULL;
	return q ? q - s.p : -1;
}

ptrdiff_t str_find(str hay, str nd)
{
	if (nd.n == 0)
		return 0;
	if (nd.n > hay.n)
		return -1;
	for (size_t i = 0; i + nd.n <= hay.n; i++)
		if (hay.p[i] == nd.p[0] && memcmp(hay.p + i, nd.p, nd.n) == 0)
			return (ptrdiff_t)i;
	return -1;
}

str str_slice(str s, size_t from, size_t to)
{
	if (to > s.n)
		to = s.n;
	if (from > to)
		from = to;
	return (str){ s.p + from, to - from };
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

str str_trim(str s)
{
	while (s.n && is_ws(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_ws(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool str_cut(str s, char sep, str *head, str *tail)
{
	ptrdiff_t i = str_index(s, sep);
	if (i < 0) {
		*head = s;
		*tail = (str){ s.p + s.n, 0 };
		return false;
	}
	*head = (str){ s.p, (size_t)i };
	*tail = (str){ s.p + i + 1, s.n - (size_t)i - 1 };
	return true;
}

bool str_to_u64(str s, uint64_t *out)
{
	if (s.n == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (c < '0' || c > '9')
			return false;
		unsigned d = (unsigned)(c - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

char *str_to_cbuf(str s, char *dst, size_t cap)
{
	if (cap == 0)
		return dst;
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
	return dst;
}

/* Iterative glob with single-star backtracking (linear in practice). */
static bool class_match(const char **pp, const char *pe, char c, bool *ok)
{
	const char *p = *pp + 1; /* after '[' */
	bool neg = false, hit = false;
	if (p < pe && (*p == '!' || *p == '^')) {
		neg = true;
		p++;
	}
	const char *start = p;
	while (p < pe && (*p != ']' || p == start)) {
		char lo = *p, hi = *p;
		if (p + 2 < pe && p[1] == '-' && p[2] != ']') {
			hi = p[2];
			p += 2;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			hit = true;
		p++;
	}
	if (p >= pe) { /* no closing bracket: '[' is literal */
		*ok = (c == '[');
		*pp = *pp + 1;
		return true;
	}
	*ok = hit != neg;
	*pp = p + 1;
	return true;
}

bool str_glob(str pat, str s)
{
	const char *p = pat.p, *pe = pat.p + pat.n;
	const char *t = s.p, *te = s.p + s.n;
	const char *star_p = NULL, *star_t = NULL;
	while (t < te) {
		if (p < pe && *p == '*') {
			star_p = ++p;
			star_t = t;
			continue;
		}
		if (p < pe) {
			bool ok;
			const char *np = p;
			if (*p == '?') {
				ok = true;
				np = p + 1;
			} else if (*p == '[') {
				class_match(&np, pe, *t, &ok);
			} else {
				ok = (*p == *t);
				np = p + 1;
			}
			if (ok) {
				p = np;
				t++;
				continue;
			}
		}
		if (!star_p)
			return false;
		p = star_p;
		t = ++star_t;
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}
