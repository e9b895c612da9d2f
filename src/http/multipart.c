/* multipart.c — multipart/form-data reader (strict, zero-copy, whole body)
 * and writer; the rules are in multipart.h. */
#include "http/multipart.h"
#include "base/err.h"
#include "base/limits.h"
#include <string.h>

static const char *const code_names[MULTIPART_E__COUNT] = {
	[MULTIPART_OK] = "ok",
	[MULTIPART_E_NOT_FORM] = "the media type is not multipart/form-data",
	[MULTIPART_E_BAD_CTYPE] = "malformed Content-Type parameters",
	[MULTIPART_E_NO_BOUNDARY] = "no boundary parameter in the Content-Type",
	[MULTIPART_E_BAD_BOUNDARY] = "invalid boundary (1 to 70 characters of RFC 2046 bchars)",
	[MULTIPART_E_NO_DELIMITER] = "the body does not start a part with the boundary",
	[MULTIPART_E_BAD_DELIMITER] = "malformed boundary delimiter line",
	[MULTIPART_E_TRUNCATED] = "the body ends before the closing boundary",
	[MULTIPART_E_BAD_HEADER] = "malformed part header",
	[MULTIPART_E_HEADERS_TOO_BIG] = "part headers too large",
	[MULTIPART_E_TOO_MANY_HEADERS] = "too many part headers",
	[MULTIPART_E_DUP_HEADER] = "duplicate part header",
	[MULTIPART_E_NO_DISPOSITION] = "a part without Content-Disposition",
	[MULTIPART_E_BAD_DISPOSITION] = "malformed Content-Disposition",
	[MULTIPART_E_TOO_MANY_PARTS] = "too many parts",
};

const char *multipart_code_str(multipart_code c)
{
	return (unsigned)c < MULTIPART_E__COUNT ? code_names[c] : "unknown multipart error";
}

/* ---- character classes ------------------------------------------------------------------ */

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 7230 tchar */
static bool is_tchar(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2046 bchars (space allowed, not last) */
static bool is_bchar(unsigned char c)
{
	return is_alnum(c) || (c && strchr("'()+_,-./:=? ", c));
}

/* RFC 5987 attr-char */
static bool is_attr_char(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$&+-.^_`|~", c));
}

/* RFC 5987 mime-charsetc */
static bool is_charset_char(unsigned char c)
{
	return is_alnum(c) || (c && strchr("!#$%&+-^_`{}~", c));
}

/* qdtext without HTAB/SP handled apart: 0x21, 0x23-0x5B, 0x5D-0x7E, obs-text */
static bool is_qdtext(unsigned char c)
{
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

/* quoted-pair second byte: HTAB / SP / VCHAR / obs-text */
static bool is_qpchar(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool multipart_boundary_valid(str b)
{
	if (b.n < 1 || b.n > MULTIPART_BOUNDARY_MAX || !b.p || b.p[b.n - 1] == ' ')
		return false;
	for (size_t i = 0; i < b.n; i++)
		if (!is_bchar((unsigned char)b.p[i]))
			return false;
	return true;
}

/* ---- small scanners over a str ---------------------------------------------------------------- */

static void skip_ows(str s, size_t *i)
{
	while (*i < s.n && is_ows(s.p[*i]))
		(*i)++;
}

static str take_token(str s, size_t *i)
{
	size_t b = *i;
	while (*i < s.n && is_tchar((unsigned char)s.p[*i]))
		(*i)++;
	return str_make(s.p + b, *i - b);
}

/* A quoted-string at s[*i] == '"': *inner = the bytes between the quotes,
 * *escaped = it holds a quoted-pair. false when malformed/unterminated. */
static bool take_quoted(str s, size_t *i, str *inner, bool *escaped)
{
	size_t j = *i + 1;
	*escaped = false;
	while (j < s.n) {
		unsigned char c = (unsigned char)s.p[j];
		if (c == '"') {
			*inner = str_make(s.p + *i + 1, j - *i - 1);
			*i = j + 1;
			return true;
		}
		if (c == '\\') {
			if (j + 1 >= s.n || !is_qpchar((unsigned char)s.p[j + 1]))
				return false;
			*escaped = true;
			j += 2;
			continue;
		}
		if (!is_qdtext(c))
			return false;
		j++;
	}
	return false;
}

/* ---- Content-Type ------------------------------------------------------------------------------ */

static void set_err(multipart_error *e, multipart_code c, size_t off)
{
	if (e) {
		e->code = c;
		e->off = off;
	}
}

bool multipart_is_form(str ct)
{
	str mt, rest;
	str_cut(ct, ';', &mt, &rest);
	mt = str_trim(mt);
	return str_eq_nocase(mt, STR_LIT("multipart/form-data"));
}

int multipart_boundary(str ct, str *boundary, multipart_error *e)
{
	size_t i = 0;
	*boundary = STR_NULL;
	if (!ct.p)
		ct = STR_LIT("");
	skip_ows(ct, &i);
	size_t t0 = i;
	str type = take_token(ct, &i);
	if (!type.n || i >= ct.n || ct.p[i] != '/') {
		set_err(e, MULTIPART_E_NOT_FORM, t0);
		return ERR_INVAL;
	}
	i++;
	str sub = take_token(ct, &i);
	if (!str_eq_nocase(type, STR_LIT("multipart")) || !str_eq_nocase(sub, STR_LIT("form-data"))) {
		set_err(e, MULTIPART_E_NOT_FORM, t0);
		return ERR_INVAL;
	}
	bool have = false;
	for (;;) {
		skip_ows(ct, &i);
		if (i >= ct.n)
			break;
		if (ct.p[i] != ';') {
			set_err(e, MULTIPART_E_BAD_CTYPE, i);
			return ERR_INVAL;
		}
		i++;
		skip_ows(ct, &i);
		size_t p0 = i;
		str name = take_token(ct, &i);
		if (!name.n || i >= ct.n || ct.p[i] != '=') {
			set_err(e, MULTIPART_E_BAD_CTYPE, p0);
			return ERR_INVAL;
		}
		i++;
		bool is_b = str_eq_nocase(name, STR_LIT("boundary"));
		str val;
		size_t v0 = i;
		if (i < ct.n && ct.p[i] == '"') {
			bool esc;
			if (!take_quoted(ct, &i, &val, &esc) || (is_b && esc)) {
				set_err(e, is_b ? MULTIPART_E_BAD_BOUNDARY : MULTIPART_E_BAD_CTYPE, v0);
				return ERR_INVAL;
			}
		} else {
			val = take_token(ct, &i);
			if (!val.n) {
				set_err(e, is_b ? MULTIPART_E_BAD_BOUNDARY : MULTIPART_E_BAD_CTYPE, v0);
				return ERR_INVAL;
			}
		}
		if (!is_b)
			continue;
		if (have || !multipart_boundary_valid(val)) {
			set_err(e, MULTIPART_E_BAD_BOUNDARY, v0);
			return ERR_INVAL;
		}
		have = true;
		*boundary = val;
	}
	if (!have) {
		set_err(e, MULTIPART_E_NO_BOUNDARY, ct.n);
		return ERR_INVAL;
	}
	set_err(e, MULTIPART_OK, 0);
	return 0;
}

int multipart_content_type(str b, char *dst, size_t cap)
{
	if (!multipart_boundary_valid(b))
		return ERR_INVAL;
	bool tok = true;
	for (size_t i = 0; i < b.n; i++)
		tok = tok && is_tchar((unsigned char)b.p[i]);
	static const char pre[] = "multipart/form-data; boundary=";
	size_t n = sizeof pre - 1 + b.n + (tok ? 0 : 2);
	if (n + 1 > cap)
		return ERR_TOOBIG;
	char *o = dst;
	memcpy(o, pre, sizeof pre - 1);
	o += sizeof pre - 1;
	if (!tok)
		*o++ = '"';
	memcpy(o, b.p, b.n);
	o += b.n;
	if (!tok)
		*o++ = '"';
	*o = 0;
	return (int)n;
}

/* ---- values -------------------------------------------------------------------------------------- */

/* One decoding step of v at *i: bytes produced into out (1 or 2), 0 at the
 * end, -1 when malformed. */
static int vstep(multipart_value v, size_t *i, unsigned char out[2])
{
	if (*i >= v.raw.n)
		return 0;
	unsigned char c = (unsigned char)v.raw.p[*i];
	switch (v.enc) {
	case MULTIPART_V_QUOTED:
		if (c == '\\') {
			if (*i + 1 >= v.raw.n)
				return -1;
			c = (unsigned char)v.raw.p[*i + 1];
			(*i)++;
		}
		(*i)++;
		out[0] = c;
		return 1;
	case MULTIPART_V_EXT_UTF8:
	case MULTIPART_V_EXT_LATIN1:
		if (c == '%') {
			int h, l;
			if (*i + 2 >= v.raw.n)
				return -1;
			h = hexval((unsigned char)v.raw.p[*i + 1]);
			l = hexval((unsigned char)v.raw.p[*i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = (unsigned char)(h << 4 | l);
			*i += 3;
		} else {
			(*i)++;
		}
		if (v.enc == MULTIPART_V_EXT_LATIN1 && c >= 0x80) {
			out[0] = (unsigned char)(0xc0 | c >> 6);
			out[1] = (unsigned char)(0x80 | (c & 0x3f));
			return 2;
		}
		out[0] = c;
		return 1;
	case MULTIPART_V_RAW:
	default:
		(*i)++;
		out[0] = c;
		return 1;
	}
}

int multipart_value_decode(multipart_value v, char *dst, size_t cap, size_t *len)
{
	size_t i = 0, n = 0;
	unsigned char b[2];
	int k;
	while ((k = vstep(v, &i, b)) > 0) {
		for (int j = 0; j < k; j++, n++)
			if (n < cap)
				dst[n] = (char)b[j];
	}
	if (len)
		*len = n;
	if (k < 0)
		return ERR_INVAL;
	return n > cap ? ERR_TOOBIG : 0;
}

bool multipart_value_eq(multipart_value v, str s)
{
	if (!v.raw.p)
		return false;
	size_t i = 0, n = 0;
	unsigned char b[2];
	int k;
	while ((k = vstep(v, &i, b)) > 0)
		for (int j = 0; j < k; j++, n++)
			if (n >= s.n || (unsigned char)s.p[n] != b[j])
				return false;
	return k == 0 && n == s.n;
}

/* Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_ok(const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* The decoded bytes of a UTF-8 ext-value are UTF-8 (checked one sequence
 * at a time, without a copy). */
static bool ext_utf8_ok(multipart_value v)
{
	size_t i = 0, have = 0, need = 0;
	unsigned char seq[4], b[2];
	int k;
	while ((k = vstep(v, &i, b)) > 0) {
		unsigned char c = b[0];
		if (!need) {
			if (c < 0x80)
				continue;
			need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
			if (!need)
				return false;
		}
		seq[have++] = c;
		if (have == need) {
			if (!utf8_ok(seq, need))
				return false;
			have = need = 0;
		}
	}
	return k == 0 && need == 0;
}

/* An RFC 5987 ext-value at s[*i]: charset'lang'value-chars. */
static bool take_ext(str s, size_t *i, multipart_value *out)
{
	size_t j = *i;
	size_t c0 = j;
	while (j < s.n && is_charset_char((unsigned char)s.p[j]))
		j++;
	str cs = str_make(s.p + c0, j - c0);
	if (j >= s.n || s.p[j] != '\'')
		return false;
	j++;
	while (j < s.n && (is_alnum((unsigned char)s.p[j]) || s.p[j] == '-'))
		j++;
	if (j >= s.n || s.p[j] != '\'')
		return false;
	j++;
	size_t v0 = j;
	while (j < s.n) {
		unsigned char c = (unsigned char)s.p[j];
		if (c == '%') {
			if (j + 2 >= s.n)
				return false;
			if (hexval((unsigned char)s.p[j + 1]) < 0 || hexval((unsigned char)s.p[j + 2]) < 0)
				return false;
			j += 3;
		} else if (is_attr_char(c)) {
			j++;
		} else {
			break;
		}
	}
	if (str_eq_nocase(cs, STR_LIT("UTF-8")))
		out->enc = MULTIPART_V_EXT_UTF8;
	else if (str_eq_nocase(cs, STR_LIT("ISO-8859-1")))
		out->enc = MULTIPART_V_EXT_LATIN1;
	else
		return false;
	out->raw = str_make(s.p + v0, j - v0);
	*i = j;
	return out->enc != MULTIPART_V_EXT_UTF8 || ext_utf8_ok(*out);
}

/* Content-Disposition: form-data; name=...; filename=...; filename*=... */
static bool parse_disposition(str v, multipart_part *p)
{
	size_t i = 0;
	str type = take_token(v, &i);
	if (!str_eq_nocase(type, STR_LIT("form-data")))
		return false;
	bool have_fn = false, have_fnx = false;
	multipart_value fn = { STR_NULL, MULTIPART_V_RAW }, fnx = fn;
	p->name = fn;
	for (;;) {
		skip_ows(v, &i);
		if (i >= v.n)
			break;
		if (v.p[i] != ';')
			return false;
		i++;
		skip_ows(v, &i);
		str pn = take_token(v, &i);
		if (!pn.n || i >= v.n || v.p[i] != '=')
			return false;
		i++;
		multipart_value val = { STR_NULL, MULTIPART_V_RAW };
		if (pn.p[pn.n - 1] == '*') {
			if (!take_ext(v, &i, &val))
				return false;
		} else if (i < v.n && v.p[i] == '"') {
			bool esc;
			if (!take_quoted(v, &i, &val.raw, &esc))
				return false;
			val.enc = esc ? MULTIPART_V_QUOTED : MULTIPART_V_RAW;
		} else {
			val.raw = take_token(v, &i);
			if (!val.raw.n)
				return false;
		}
		if (str_eq_nocase(pn, STR_LIT("name"))) {
			if (p->name.raw.p)
				return false;
			p->name = val;
		} else if (str_eq_nocase(pn, STR_LIT("filename"))) {
			if (have_fn)
				return false;
			have_fn = true;
			fn = val;
		} else if (str_eq_nocase(pn, STR_LIT("filename*"))) {
			if (have_fnx)
				return false;
			have_fnx = true;
			fnx = val;
		}
		/* other parameters are ignored */
	}
	if (!p->name.raw.p)
		return false;
	p->is_file = have_fn || have_fnx;
	p->filename = have_fnx ? fnx : fn;
	return true;
}

/* ---- reader ---------------------------------------------------------------------------------------- */

enum { ST_START = 0, ST_DELIM, ST_END };

void multipart_reader_init(multipart_reader *r, str body, str boundary, const multipart_limits *lim)
{
	memset(r, 0, sizeof *r);
	r->body = body.p ? body : STR_LIT("");
	r->boundary = boundary;
	if (lim)
		r->lim = *lim;
	if (!r->lim.max_parts)
		r->lim.max_parts = LIMIT_MULTIPART_PARTS;
	if (!r->lim.max_header_bytes)
		r->lim.max_header_bytes = LIMIT_MULTIPART_HEADER_BYTES;
	if (!r->lim.max_headers)
		r->lim.max_headers = LIMIT_MULTIPART_HEADERS;
}

static int fail(multipart_reader *r, multipart_code c, size_t off)
{
	r->state = ST_END;
	r->rc = (c == MULTIPART_E_HEADERS_TOO_BIG || c == MULTIPART_E_TOO_MANY_HEADERS ||
		 c == MULTIPART_E_TOO_MANY_PARTS) ? ERR_TOOBIG : ERR_INVAL;
	r->err.code = c;
	r->err.off = off;
	return r->rc;
}

/* At r->pos, just after "--B": 1 = a part follows (pos at its headers),
 * 0 = the close delimiter, < 0 error. */
static int after_delim(multipart_reader *r)
{
	const char *s = r->body.p;
	size_t n = r->body.n, i = r->pos;
	if (i < n && s[i] == '-') {
		if (i + 1 >= n)
			return fail(r, MULTIPART_E_TRUNCATED, n);
		if (s[i + 1] != '-')
			return fail(r, MULTIPART_E_BAD_DELIMITER, i);
		i += 2;
		while (i < n && is_ows(s[i]))
			i++;
		if (i == n)
			return 0;
		if (s[i] != '\r')
			return fail(r, MULTIPART_E_BAD_DELIMITER, i);
		if (i + 1 >= n)
			return fail(r, MULTIPART_E_TRUNCATED, n);
		if (s[i + 1] != '\n')
			return fail(r, MULTIPART_E_BAD_DELIMITER, i);
		return 0; /* the epilogue is ignored */
	}
	while (i < n && is_ows(s[i]))
		i++;
	if (i >= n)
		return fail(r, MULTIPART_E_TRUNCATED, n);
	if (s[i] != '\r')
		return fail(r, MULTIPART_E_BAD_DELIMITER, i);
	if (i + 1 >= n)
		return fail(r, MULTIPART_E_TRUNCATED, n);
	if (s[i + 1] != '\n')
		return fail(r, MULTIPART_E_BAD_DELIMITER, i);
	r->pos = i + 2;
	return 1;
}

/* The header value bytes: HTAB, SP, VCHAR, obs-text. */
static bool value_ok(str v)
{
	for (size_t i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* The header block of a part starting at r->pos into p; r->pos after the
 * blank line. 0 or < 0. */
static int read_headers(multipart_reader *r, multipart_part *p)
{
	const char *s = r->body.p;
	size_t start = r->pos, i = start;
	size_t end = r->body.n;
	bool capped = false;
	if (end - start > r->lim.max_header_bytes) {
		end = start + r->lim.max_header_bytes;
		capped = true;
	}
	multipart_code more = capped ? MULTIPART_E_HEADERS_TOO_BIG : MULTIPART_E_TRUNCATED;
	size_t nh = 0;
	bool have_cd = false, have_ct = false;
	for (;;) {
		if (i >= end)
			return fail(r, more, i);
		if (s[i] == '\r') {
			if (i + 1 >= end)
				return fail(r, more, i);
			if (s[i + 1] != '\n')
				return fail(r, MULTIPART_E_BAD_HEADER, i);
			i += 2;
			break;
		}
		if (s[i] == '\n' || is_ows(s[i]))
			return fail(r, MULTIPART_E_BAD_HEADER, i); /* bare LF, folded line */
		size_t ls = i;
		while (i < end && s[i] != '\r' && s[i] != '\n')
			i++;
		if (i >= end)
			return fail(r, more, i);
		if (s[i] == '\n')
			return fail(r, MULTIPART_E_BAD_HEADER, i);
		if (i + 1 >= end)
			return fail(r, more, i);
		if (s[i + 1] != '\n')
			return fail(r, MULTIPART_E_BAD_HEADER, i);
		if (++nh > r->lim.max_headers)
			return fail(r, MULTIPART_E_TOO_MANY_HEADERS, ls);
		str line = str_make(s + ls, i - ls);
		size_t k = 0;
		str name = take_token(line, &k);
		if (!name.n || k >= line.n || line.p[k] != ':')
			return fail(r, MULTIPART_E_BAD_HEADER, ls + k);
		k++;
		skip_ows(line, &k);
		str val = str_make(line.p + k, line.n - k);
		while (val.n && is_ows(val.p[val.n - 1]))
			val.n--;
		if (!value_ok(val))
			return fail(r, MULTIPART_E_BAD_HEADER, ls);
		if (str_eq_nocase(name, STR_LIT("content-disposition"))) {
			if (have_cd)
				return fail(r, MULTIPART_E_DUP_HEADER, ls);
			have_cd = true;
			if (!parse_disposition(val, p))
				return fail(r, MULTIPART_E_BAD_DISPOSITION, ls);
		} else if (str_eq_nocase(name, STR_LIT("content-type"))) {
			if (have_ct)
				return fail(r, MULTIPART_E_DUP_HEADER, ls);
			have_ct = true;
			p->content_type = val;
		}
		i += 2;
	}
	if (!have_cd)
		return fail(r, MULTIPART_E_NO_DISPOSITION, start);
	p->head = str_make(s + start, i - 2 - start);
	r->pos = i;
	return 0;
}

int multipart_next(multipart_reader *r, multipart_part *p)
{
	if (r->state == ST_END)
		return r->rc;
	const char *s = r->body.p;
	size_t n = r->body.n;
	str b = r->boundary;
	char nd[4 + MULTIPART_BOUNDARY_MAX];
	if (!multipart_boundary_valid(b))
		return fail(r, MULTIPART_E_BAD_BOUNDARY, 0);
	memcpy(nd, "\r\n--", 4);
	memcpy(nd + 4, b.p, b.n);
	size_t ndn = 4 + b.n;
	if (r->state == ST_START) {
		size_t d;
		if (n >= ndn - 2 && memcmp(s, nd + 2, ndn - 2) == 0) {
			d = 0;
		} else {
			const char *q = memmem(s, n, nd, ndn);
			if (!q)
				return fail(r, MULTIPART_E_NO_DELIMITER, 0);
			d = (size_t)(q - s) + 2;
		}
		r->pos = d + ndn - 2;
		r->state = ST_DELIM;
	}
	int rc = after_delim(r);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		r->state = ST_END;
		r->rc = 0;
		return 0;
	}
	if (r->nparts >= r->lim.max_parts)
		return fail(r, MULTIPART_E_TOO_MANY_PARTS, r->pos);
	memset(p, 0, sizeof *p);
	if (read_headers(r, p) < 0)
		return r->rc;
	size_t ds = r->pos;
	if (n - ds >= ndn - 2 && memcmp(s + ds, nd + 2, ndn - 2) == 0) {
		/* "--B" right after the blank line: its CRLF was the delimiter's */
		p->data = str_make(s + ds, 0);
		r->pos = ds + ndn - 2;
	} else {
		const char *q = memmem(s + ds, n - ds, nd, ndn);
		if (!q)
			return fail(r, MULTIPART_E_TRUNCATED, n);
		p->data = str_make(s + ds, (size_t)(q - (s + ds)));
		r->pos = (size_t)(q - s) + ndn;
	}
	r->nparts++;
	return 1;
}

/* ---- writer ------------------------------------------------------------------------------------------ */

int multipart_writer_init(multipart_writer *w, buf *out, str boundary)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->boundary = boundary;
	if (!multipart_boundary_valid(boundary))
		w->err = ERR_INVAL;
	return w->err;
}

bool multipart_data_ok(str b, str data)
{
	if (!multipart_boundary_valid(b))
		return false;
	if (!data.n)
		return true;
	char nd[4 + MULTIPART_BOUNDARY_MAX];
	memcpy(nd, "\r\n--", 4);
	memcpy(nd + 4, b.p, b.n);
	if (data.n >= b.n + 2 && memcmp(data.p, nd + 2, b.n + 2) == 0)
		return false;
	return memmem(data.p, data.n, nd, b.n + 4) == NULL;
}

static void put(multipart_writer *w, const char *p, size_t n)
{
	if (!w->err && n)
		w->err = buf_append(w->out, p, n);
}

static void puts_(multipart_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A quoted-string can carry s (no control characters but HTAB)? */
static bool quotable(str s)
{
	return value_ok(s);
}

static void put_quoted(multipart_writer *w, str s)
{
	put(w, "\"", 1);
	size_t b = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] == '"' || s.p[i] == '\\') {
			put(w, s.p + b, i - b);
			put(w, "\\", 1);
			b = i;
		}
	}
	put(w, s.p + b, s.n - b);
	put(w, "\"", 1);
}

static int begin_part(multipart_writer *w, str data)
{
	if (w->err)
		return w->err;
	if (w->closed)
		return w->err = ERR_STATE;
	if (!multipart_data_ok(w->boundary, data))
		return w->err = ERR_INVAL;
	put(w, "--", 2);
	put(w, w->boundary.p, w->boundary.n);
	put(w, "\r\n", 2);
	return w->err;
}

static int end_part(multipart_writer *w, str data)
{
	put(w, "\r\n", 2);
	put(w, data.p, data.n);
	put(w, "\r\n", 2);
	return w->err;
}

int multipart_write_field(multipart_writer *w, str name, str value)
{
	if (!w->err && !quotable(name))
		w->err = ERR_INVAL;
	if (begin_part(w, value) < 0)
		return w->err;
	puts_(w, "Content-Disposition: form-data; name=");
	put_quoted(w, name);
	put(w, "\r\n", 2);
	return end_part(w, value);
}

int multipart_write_file(multipart_writer *w, str name, str filename, str content_type, str data)
{
	if (!content_type.n)
		content_type = STR_LIT("application/octet-stream");
	if (!w->err && (!quotable(name) || !quotable(filename) || !value_ok(content_type) ||
			is_ows(content_type.p[0]) || is_ows(content_type.p[content_type.n - 1])))
		w->err = ERR_INVAL;
	if (begin_part(w, data) < 0)
		return w->err;
	puts_(w, "Content-Disposition: form-data; name=");
	put_quoted(w, name);
	puts_(w, "; filename=");
	put_quoted(w, filename);
	puts_(w, "\r\nContent-Type: ");
	put(w, content_type.p, content_type.n);
	put(w, "\r\n", 2);
	return end_part(w, data);
}

int multipart_write_part(multipart_writer *w, str head, str data)
{
	if (!w->err) {
		bool ok = head.n >= 2 && head.p[0] != '\r' && head.p[head.n - 2] == '\r' && head.p[head.n - 1] == '\n' &&
			  str_find(head, STR_LIT("\r\n\r\n")) < 0;
		if (!ok)
			w->err = ERR_INVAL;
	}
	if (begin_part(w, data) < 0)
		return w->err;
	put(w, head.p, head.n);
	return end_part(w, data);
}

int multipart_write_end(multipart_writer *w)
{
	if (w->err)
		return w->err;
	if (w->closed)
		return w->err = ERR_STATE;
	put(w, "--", 2);
	put(w, w->boundary.p, w->boundary.n);
	put(w, "--\r\n", 4);
	w->closed = true;
	return w->err;
}
