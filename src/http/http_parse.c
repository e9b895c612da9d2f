/* http_parse.c — strict, zero-copy HTTP/1.1 head parsers, the chunked body
 * decoder and small URL/header helpers. Pure: bytes in, slices out.
 * The hot loops are table lookups or 8-bytes-at-a-time scans (SWAR); there
 * is no function call per byte. */
#include "http/http_parse.h"
#include "base/err.h"
#include "base/limits.h"
#include <limits.h>
#include <string.h>

typedef unsigned char u8;

/* Character classes, one bit each (table generated once, checked by tests). */
enum { C_TCHAR = 1, C_VALUE = 2, C_TARGET = 4, C_HEX = 8, C_HOST = 16 };
/* C_TCHAR  token: ALPHA DIGIT ! # $ % & ' * + - . ^ _ ` | ~
 * C_VALUE  field-value: HTAB, SP..~, obs-text 0x80-0xFF
 * C_TARGET request-target: 0x21..0x7E except # and backslash
 * C_HEX    hex digit
 * C_HOST   uri-host[:port]: unreserved, pct, sub-delims, ':' '[' ']' */
static const u8 cls[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 2, 23,  6,  3, 23, 23, 23, 23, 22, 22, 23, 23, 22, 23, 23,  6,
	31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 22, 22,  6, 22,  6,  6,
	 6, 31, 31, 31, 31, 31, 31, 23, 23, 23, 23, 23, 23, 23, 23, 23,
	23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 22,  2, 22,  7, 23,
	 7, 31, 31, 31, 31, 31, 31, 23, 23, 23, 23, 23, 23, 23, 23, 23,
	23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23,  6,  7,  6, 23,  0,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
};

#define IS(c, k) (cls[(u8)(c)] & (k))

/* ---- word-at-a-time scanning ------------------------------------------------
 * Existence tests on 8 bytes (exact: a borrow only starts at a matching byte). */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_LESS(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS) /* some byte < n (n <= 128) */
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HAS_BYTE(x, b) HAS_ZERO((x) ^ (ONES * (b)))

static inline uint64_t load8(const u8 *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

/* Skip field-value bytes (C_VALUE); stop at the first other byte or end. */
static inline const u8 *scan_value(const u8 *p, const u8 *end)
{
	for (;;) {
		while (end - p >= 8) {
			uint64_t x = load8(p);
			if (HAS_LESS(x, 0x20) | HAS_BYTE(x, 0x7f))
				break;
			p += 8;
		}
		const u8 *stop = end - p >= 8 ? p + 8 : end;
		while (p < stop && IS(*p, C_VALUE))
			p++;
		if (p < stop || p == end)
			return p;
	}
}

/* Skip request-target bytes (C_TARGET). */
static inline const u8 *scan_target(const u8 *p, const u8 *end)
{
	for (;;) {
		while (end - p >= 8) {
			uint64_t x = load8(p);
			if (HAS_LESS(x, 0x21) | (x & HIGHS) | HAS_BYTE(x, 0x7f) | HAS_BYTE(x, '#') |
			    HAS_BYTE(x, '\\'))
				break;
			p += 8;
		}
		const u8 *stop = end - p >= 8 ? p + 8 : end;
		while (p < stop && IS(*p, C_TARGET))
			p++;
		if (p < stop || p == end)
			return p;
	}
}

static inline str mk(const u8 *a, const u8 *b) { return (str){ (const char *)a, (size_t)(b - a) }; }

/* ---- errors ---------------------------------------------------------------- */

static const struct {
	short status;
	const char *text;
} perr_tab[HTTP_PERR__COUNT] = {
	[HTTP_PERR_NONE] = { 0, "no error" },
	[HTTP_PERR_METHOD] = { 400, "invalid method" },
	[HTTP_PERR_TARGET] = { 400, "invalid request-target" },
	[HTTP_PERR_VERSION] = { 400, "malformed HTTP version" },
	[HTTP_PERR_VERSION_UNSUPPORTED] = { 505, "HTTP version not supported" },
	[HTTP_PERR_STATUS] = { 400, "malformed status line" },
	[HTTP_PERR_LINE_END] = { 400, "bare CR or malformed line ending" },
	[HTTP_PERR_HEADER_NAME] = { 400, "invalid header name" },
	[HTTP_PERR_HEADER_SPACE] = { 400, "whitespace between header name and colon" },
	[HTTP_PERR_HEADER_VALUE] = { 400, "invalid character in header value" },
	[HTTP_PERR_OBS_FOLD] = { 400, "obsolete line folding" },
	[HTTP_PERR_TOO_MANY_HEADERS] = { 431, "too many header fields" },
	[HTTP_PERR_HEAD_TOO_LARGE] = { 431, "header section too large" },
	[HTTP_PERR_URI_TOO_LONG] = { 414, "request-target too long" },
	[HTTP_PERR_CONTENT_LENGTH] = { 400, "invalid Content-Length" },
	[HTTP_PERR_CONTENT_LENGTH_DUP] = { 400, "conflicting Content-Length values" },
	[HTTP_PERR_CL_AND_TE] = { 400, "both Content-Length and Transfer-Encoding" },
	[HTTP_PERR_TE_INVALID] = { 400, "invalid Transfer-Encoding" },
	[HTTP_PERR_TE_HTTP10] = { 400, "Transfer-Encoding in HTTP/1.0" },
	[HTTP_PERR_TE_UNSUPPORTED] = { 501, "unsupported transfer coding" },
	[HTTP_PERR_HOST_MISSING] = { 400, "missing Host header" },
	[HTTP_PERR_HOST_DUP] = { 400, "more than one Host header" },
	[HTTP_PERR_HOST_INVALID] = { 400, "invalid Host header" },
	[HTTP_PERR_CHUNK_SIZE] = { 400, "invalid chunk size" },
	[HTTP_PERR_CHUNK_OVERFLOW] = { 400, "chunk size too large" },
	[HTTP_PERR_CHUNK_LINE_TOO_LONG] = { 400, "chunk size line too long" },
	[HTTP_PERR_CHUNK_CRLF] = { 400, "missing CRLF in chunked body" },
	[HTTP_PERR_TRAILER] = { 400, "invalid trailer field" },
	[HTTP_PERR_TRAILER_TOO_LARGE] = { 431, "trailer section too large" },
};

int http_parse_error_status(http_perr e)
{
	return (unsigned)e < HTTP_PERR__COUNT ? perr_tab[e].status : 400;
}

const char *http_parse_error_str(http_perr e)
{
	return (unsigned)e < HTTP_PERR__COUNT ? perr_tab[e].text : "unknown parse error";
}

/* ---- shared pieces of both head parsers ------------------------------------ */

/* Is a head end ("\n\n" or "\n\r\n") in buf at or after last_len - 3? The
 * previous call saw no complete head in buf[0..last_len), so a head that is
 * complete now must end there. */
static bool may_be_complete(const u8 *buf, size_t len, size_t last_len)
{
	const u8 *p = buf + (last_len >= 3 ? last_len - 3 : 0), *end = buf + len;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (p == end)
			return false;
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			return true;
	}
	return false;
}

/* At a line end: CRLF or LF. 0 (advanced), ERR_AGAIN, or ERR_INVAL with
 * *perr = bad for a non-EOL byte, LINE_END for a bare CR. */
static inline int eat_eol(const u8 **pp, const u8 *end, http_perr bad, http_perr *perr)
{
	const u8 *p = *pp;
	if (p == end)
		return ERR_AGAIN;
	if (*p == '\n') {
		*pp = p + 1;
		return 0;
	}
	if (*p == '\r') {
		if (end - p < 2)
			return ERR_AGAIN;
		if (p[1] == '\n') {
			*pp = p + 2;
			return 0;
		}
		*perr = HTTP_PERR_LINE_END;
		return ERR_INVAL;
	}
	*perr = bad;
	return ERR_INVAL;
}

/* RFC 9112 §2.2: ignore empty lines before the start line. */
static int skip_empty_lines(const u8 **pp, const u8 *end, http_perr *perr)
{
	const u8 *p = *pp;
	int rc = 0;
	while (p < end && (*p == '\r' || *p == '\n'))
		if ((rc = eat_eol(&p, end, HTTP_PERR_LINE_END, perr)) != 0)
			break;
	*pp = p;
	if (rc == 0 && p == end)
		rc = ERR_AGAIN;
	return rc;
}

/* "HTTP/" DIGIT "." DIGIT. Checks a partial version too, so junk fails early. */
static int parse_version(const u8 **pp, const u8 *end, int *minor, http_perr *perr)
{
	static const char pre[] = "HTTP/";
	const u8 *p = *pp;
	size_t avail = (size_t)(end - p), n = avail < 8 ? avail : 8;
	for (size_t i = 0; i < n; i++) {
		u8 c = p[i];
		bool ok = i < 5 ? c == (u8)pre[i] : i == 6 ? c == '.' : (c >= '0' && c <= '9');
		if (!ok) {
			*perr = HTTP_PERR_VERSION;
			return ERR_INVAL;
		}
	}
	if (avail < 8)
		return ERR_AGAIN;
	if (p[5] != '1') {
		*perr = HTTP_PERR_VERSION_UNSUPPORTED;
		return ERR_UNSUPPORTED;
	}
	*minor = p[7] == '0' ? 0 : 1; /* 1.x with x > 1: handled as 1.1 (RFC 9110 §2.5) */
	*pp = p + 8;
	return 0;
}

/* Framing facts gathered from the fields. */
struct framing {
	uint64_t cl;
	str host;
	int hosts;
	bool has_cl, te_seen, te_chunked, te_last_chunked, te_other;
	bool close, keep_alive, upgrade, expect;
};

/* name (lowercase literal) equals n[0..len) ignoring ASCII case; n holds tchars. */
static inline bool name_is(const u8 *n, const char *lit, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((n[i] | 0x20) != (u8)lit[i])
			return false;
	return true;
}

static inline bool is_ows(u8 c) { return c == ' ' || c == '\t'; }

/* Next element of a comma-separated list: skips OWS and empty elements;
 * returns false at the end. *elem is trimmed. */
static bool list_next(str v, size_t *ip, str *elem)
{
	size_t i = *ip;
	for (;;) {
		while (i < v.n && (is_ows((u8)v.p[i]) || v.p[i] == ','))
			i++;
		if (i >= v.n) {
			*ip = i;
			return false;
		}
		size_t s = i;
		while (i < v.n && v.p[i] != ',')
			i++;
		size_t e = i;
		while (e > s && is_ows((u8)v.p[e - 1]))
			e--;
		*elem = (str){ v.p + s, e - s };
		*ip = i;
		return true;
	}
}

/* Content-Length: 1*DIGIT, or a list of identical ones (RFC 9110 §8.6). */
static http_perr parse_content_length(str v, uint64_t *out)
{
	size_t i = 0;
	bool have = false;
	uint64_t first = 0;
	for (;;) {
		if (i == v.n || v.p[i] < '0' || v.p[i] > '9')
			return HTTP_PERR_CONTENT_LENGTH;
		uint64_t x = 0;
		while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9') {
			unsigned d = (unsigned)(v.p[i++] - '0');
			if (x > ((uint64_t)INT64_MAX - d) / 10)
				return HTTP_PERR_CONTENT_LENGTH;
			x = x * 10 + d;
		}
		if (have && x != first)
			return HTTP_PERR_CONTENT_LENGTH_DUP;
		first = x;
		have = true;
		while (i < v.n && is_ows((u8)v.p[i]))
			i++;
		if (i == v.n)
			break;
		if (v.p[i] != ',')
			return HTTP_PERR_CONTENT_LENGTH;
		i++;
		while (i < v.n && is_ows((u8)v.p[i]))
			i++;
	}
	*out = first;
	return HTTP_PERR_NONE;
}

/* Transfer-Encoding: list of transfer-coding [; params]. */
static http_perr parse_te(str v, struct framing *f)
{
	size_t i = 0;
	str el;
	bool any = false;
	f->te_seen = true;
	while (list_next(v, &i, &el)) {
		size_t k = 0;
		while (k < el.n && IS(el.p[k], C_TCHAR))
			k++;
		if (k == 0)
			return HTTP_PERR_TE_INVALID;
		str coding = { el.p, k };
		while (k < el.n && is_ows((u8)el.p[k]))
			k++;
		bool params = k < el.n;
		if (params && el.p[k] != ';')
			return HTTP_PERR_TE_INVALID;
		any = true;
		if (str_eq_nocase(coding, STR_LIT("chunked"))) {
			if (params || f->te_chunked)
				return HTTP_PERR_TE_INVALID; /* chunked twice, or with parameters */
			f->te_chunked = f->te_last_chunked = true;
		} else {
			f->te_last_chunked = false;
			f->te_other = true;
		}
	}
	return any ? HTTP_PERR_NONE : HTTP_PERR_TE_INVALID;
}

static void parse_connection(str v, struct framing *f)
{
	size_t i = 0;
	str el;
	while (list_next(v, &i, &el)) {
		if (str_eq_nocase(el, STR_LIT("close")))
			f->close = true;
		else if (str_eq_nocase(el, STR_LIT("keep-alive")))
			f->keep_alive = true;
		else if (str_eq_nocase(el, STR_LIT("upgrade")))
			f->upgrade = true;
	}
}

/* A field that may matter for framing; only called for the lengths below. */
static http_perr framing_field(struct framing *f, const u8 *name, size_t nl, str v, bool is_req)
{
	http_perr e;
	switch (nl) {
	case 4:
		if (is_req && name_is(name, "host", 4)) {
			if (f->hosts++)
				return HTTP_PERR_HOST_DUP;
			for (size_t i = 0; i < v.n; i++)
				if (!IS(v.p[i], C_HOST))
					return HTTP_PERR_HOST_INVALID;
			f->host = v;
		}
		break;
	case 6:
		if (is_req && name_is(name, "expect", 6) && str_eq_nocase(v, STR_LIT("100-continue")))
			f->expect = true;
		break;
	case 10:
		if (name_is(name, "connection", 10))
			parse_connection(v, f);
		break;
	case 14:
		if (name_is(name, "content-length", 14)) {
			uint64_t x = 0;
			if ((e = parse_content_length(v, &x)) != HTTP_PERR_NONE)
				return e;
			if (f->has_cl && f->cl != x)
				return HTTP_PERR_CONTENT_LENGTH_DUP;
			f->cl = x;
			f->has_cl = true;
		}
		break;
	case 17:
		if (name_is(name, "transfer-encoding", 17))
			return parse_te(v, f);
		break;
	default:
		break;
	}
	return HTTP_PERR_NONE;
}

/* Field lines up to and including the empty line. */
static int parse_fields(const u8 **pp, const u8 *end, http_header *hdrs, size_t max, size_t *count,
                        struct framing *f, bool is_req, http_perr *perr)
{
	const u8 *p = *pp;
	size_t n = 0;
	int rc;
	for (;;) {
		if (p == end)
			return ERR_AGAIN;
		if (*p == '\r' || *p == '\n') {
			if ((rc = eat_eol(&p, end, HTTP_PERR_LINE_END, perr)) != 0)
				return rc;
			break;
		}
		const u8 *name = p;
		while (p < end && IS(*p, C_TCHAR))
			p++;
		if (p == end)
			return ERR_AGAIN;
		if (*p != ':' || p == name) {
			if (is_ows(*p))
				*perr = p == name ? HTTP_PERR_OBS_FOLD : HTTP_PERR_HEADER_SPACE;
			else
				*perr = HTTP_PERR_HEADER_NAME;
			return ERR_INVAL;
		}
		const u8 *name_end = p++;
		while (p < end && is_ows(*p))
			p++;
		const u8 *val = p;
		p = scan_value(p, end);
		const u8 *vend = p;
		if ((rc = eat_eol(&p, end, HTTP_PERR_HEADER_VALUE, perr)) != 0)
			return rc;
		while (vend > val && is_ows(vend[-1]))
			vend--;
		if (n == max) {
			*perr = HTTP_PERR_TOO_MANY_HEADERS;
			return ERR_TOOBIG;
		}
		size_t nl = (size_t)(name_end - name);
		hdrs[n].name = mk(name, name_end);
		hdrs[n].value = mk(val, vend);
		n++;
		switch (nl) {
		case 4: case 6: case 10: case 14: case 17: {
			http_perr e = framing_field(f, name, nl, mk(val, vend), is_req);
			if (e != HTTP_PERR_NONE) {
				*perr = e;
				return ERR_INVAL;
			}
			break;
		}
		default:
			break;
		}
	}
	*pp = p;
	*count = n;
	return 0;
}

static size_t head_cap(const http_limits *lim, size_t dflt)
{
	size_t m = lim && lim->max_head ? lim->max_head : dflt;
	return m > INT_MAX ? INT_MAX : m;
}

/* ---- request --------------------------------------------------------------- */

static http_method method_of(const u8 *m, size_t n)
{
	switch (n) {
	case 3:
		if (!memcmp(m, "GET", 3)) return HTTP_METHOD_GET;
		if (!memcmp(m, "PUT", 3)) return HTTP_METHOD_PUT;
		break;
	case 4:
		if (!memcmp(m, "POST", 4)) return HTTP_METHOD_POST;
		if (!memcmp(m, "HEAD", 4)) return HTTP_METHOD_HEAD;
		break;
	case 5:
		if (!memcmp(m, "PATCH", 5)) return HTTP_METHOD_PATCH;
		if (!memcmp(m, "TRACE", 5)) return HTTP_METHOD_TRACE;
		break;
	case 6:
		if (!memcmp(m, "DELETE", 6)) return HTTP_METHOD_DELETE;
		break;
	case 7:
		if (!memcmp(m, "OPTIONS", 7)) return HTTP_METHOD_OPTIONS;
		if (!memcmp(m, "CONNECT", 7)) return HTTP_METHOD_CONNECT;
		break;
	default:
		break;
	}
	return HTTP_METHOD_OTHER;
}

const char *http_parse_method_str(http_method m)
{
	static const char *const names[] = { "", "GET", "HEAD", "POST", "PUT", "DELETE",
		                             "OPTIONS", "PATCH", "CONNECT", "TRACE" };
	return (unsigned)m < sizeof names / sizeof names[0] ? names[m] : "";
}

static void split_query(str s, str *path, str *query)
{
	const char *q = s.n ? memchr(s.p, '?', s.n) : NULL;
	if (q) {
		*path = (str){ s.p, (size_t)(q - s.p) };
		*query = (str){ q + 1, s.n - (size_t)(q - s.p) - 1 };
	} else {
		*path = s;
		*query = STR_NULL;
	}
}

static bool authority_ok(str a)
{
	if (a.n == 0)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (!IS(a.p[i], C_HOST))
			return false;
	return true;
}

/* Request-target forms (RFC 9112 §3.2) and their method rules. */
static http_perr analyze_target(http_req *r)
{
	str t = r->target;
	r->authority = STR_NULL;
	r->path = STR_NULL;
	r->query = STR_NULL;
	if (r->method == HTTP_METHOD_CONNECT) {
		/* authority-form: host ":" port */
		const char *colon = NULL;
		for (size_t i = 0; i < t.n; i++)
			if (t.p[i] == ':')
				colon = t.p + i;
		if (!authority_ok(t) || !colon || colon == t.p || colon + 1 == t.p + t.n)
			return HTTP_PERR_TARGET;
		for (const char *c = colon + 1; c < t.p + t.n; c++)
			if (*c < '0' || *c > '9')
				return HTTP_PERR_TARGET;
		r->form = HTTP_TARGET_AUTHORITY;
		r->authority = t;
		return HTTP_PERR_NONE;
	}
	if (t.p[0] == '/') {
		r->form = HTTP_TARGET_ORIGIN;
		split_query(t, &r->path, &r->query);
		return HTTP_PERR_NONE;
	}
	if (t.n == 1 && t.p[0] == '*') {
		if (r->method != HTTP_METHOD_OPTIONS)
			return HTTP_PERR_TARGET;
		r->form = HTTP_TARGET_ASTERISK;
		return HTTP_PERR_NONE;
	}
	/* absolute-form: scheme "://" authority [path-abempty] ["?" query] */
	size_t i = 0;
	if (!((t.p[0] | 0x20) >= 'a' && (t.p[0] | 0x20) <= 'z'))
		return HTTP_PERR_TARGET;
	while (i < t.n && (((t.p[i] | 0x20) >= 'a' && (t.p[i] | 0x20) <= 'z') ||
	                   (t.p[i] >= '0' && t.p[i] <= '9') || t.p[i] == '+' || t.p[i] == '-' ||
	                   t.p[i] == '.'))
		i++;
	if (t.n - i < 3 || memcmp(t.p + i, "://", 3) != 0)
		return HTTP_PERR_TARGET;
	size_t a = i + 3, j = a;
	while (j < t.n && t.p[j] != '/' && t.p[j] != '?')
		j++;
	str auth = { t.p + a, j - a };
	if (!authority_ok(auth))
		return HTTP_PERR_TARGET;
	r->form = HTTP_TARGET_ABSOLUTE;
	r->authority = auth;
	str rest = { t.p + j, t.n - j };
	if (rest.n && rest.p[0] == '/') {
		split_query(rest, &r->path, &r->query);
	} else {
		r->path = STR_LIT("/");
		if (rest.n) /* starts with '?' */
			r->query = (str){ rest.p + 1, rest.n - 1 };
	}
	return HTTP_PERR_NONE;
}

int http_parse_request(const char *buf, size_t len, size_t last_len, const http_limits *lim,
                       http_header *hdrs, size_t max_hdrs, http_req *req)
{
	size_t max_head = head_cap(lim, LIMIT_HTTP_HEADER_BYTES);
	size_t max_uri = lim && lim->max_uri ? lim->max_uri : LIMIT_HTTP_URI_BYTES;
	const u8 *start = (const u8 *)buf;
	http_perr perr = HTTP_PERR_NONE;
	struct framing f = { 0 };
	int rc;

	req->err = HTTP_PERR_NONE;
	if (last_len && last_len < len && len < max_head && !may_be_complete(start, len, last_len))
		return ERR_AGAIN;

	const u8 *p = start, *end = start + (len < max_head ? len : max_head);
	if ((rc = skip_empty_lines(&p, end, &perr)) != 0)
		goto out;

	/* method SP */
	const u8 *m = p;
	while (p < end && IS(*p, C_TCHAR))
		p++;
	if (p == end) {
		rc = ERR_AGAIN;
		goto out;
	}
	if (*p != ' ' || p == m) {
		perr = HTTP_PERR_METHOD;
		rc = ERR_INVAL;
		goto out;
	}
	req->method_name = mk(m, p);
	req->method = method_of(m, (size_t)(p - m));
	p++;

	/* request-target SP */
	const u8 *t = p;
	p = scan_target(p, end);
	if ((size_t)(p - t) > max_uri) {
		perr = HTTP_PERR_URI_TOO_LONG;
		rc = ERR_TOOBIG;
		goto out;
	}
	if (p == end) {
		rc = ERR_AGAIN;
		goto out;
	}
	if (*p != ' ' || p == t) {
		/* CR/LF here would be HTTP/0.9 */
		perr = (*p == '\r' || *p == '\n') && p != t ? HTTP_PERR_VERSION : HTTP_PERR_TARGET;
		rc = ERR_INVAL;
		goto out;
	}
	req->target = mk(t, p);
	if ((perr = analyze_target(req)) != HTTP_PERR_NONE) {
		rc = ERR_INVAL;
		goto out;
	}
	p++;

	/* HTTP-version EOL */
	if ((rc = parse_version(&p, end, &req->minor, &perr)) != 0)
		goto out;
	if ((rc = eat_eol(&p, end, HTTP_PERR_VERSION, &perr)) != 0)
		goto out;

	if ((rc = parse_fields(&p, end, hdrs, max_hdrs, &req->nheaders, &f, true, &perr)) != 0)
		goto out;
	req->headers = hdrs;

	/* framing (RFC 9112 §6.1, §6.3) */
	req->chunked = false;
	if (f.te_seen) {
		rc = ERR_INVAL;
		if (f.has_cl)
			perr = HTTP_PERR_CL_AND_TE;
		else if (req->minor == 0)
			perr = HTTP_PERR_TE_HTTP10;
		else if (!f.te_last_chunked)
			perr = HTTP_PERR_TE_INVALID;
		else if (f.te_other) {
			perr = HTTP_PERR_TE_UNSUPPORTED;
			rc = ERR_UNSUPPORTED;
		} else
			rc = 0;
		if (rc)
			goto out;
		req->chunked = true;
	}
	if (req->minor == 1 && f.hosts == 0) {
		perr = HTTP_PERR_HOST_MISSING;
		rc = ERR_INVAL;
		goto out;
	}
	req->has_host = f.hosts > 0;
	req->host = f.host;
	req->has_content_length = f.has_cl;
	req->content_length = f.cl;
	req->keep_alive = req->minor == 1 ? !f.close : f.keep_alive && !f.close;
	req->expect_continue = req->minor == 1 && f.expect;
	req->upgrade = f.upgrade;
	return (int)(p - start);

out:
	if (rc == ERR_AGAIN && len >= max_head) {
		perr = HTTP_PERR_HEAD_TOO_LARGE;
		rc = ERR_TOOBIG;
	}
	req->err = perr;
	return rc;
}

/* ---- response -------------------------------------------------------------- */

int http_parse_response(const char *buf, size_t len, size_t last_len, const http_limits *lim,
                        http_header *hdrs, size_t max_hdrs, http_resp *resp)
{
	size_t max_head = head_cap(lim, LIMIT_UPSTREAM_HEADER_BYTES);
	const u8 *start = (const u8 *)buf;
	http_perr perr = HTTP_PERR_NONE;
	struct framing f = { 0 };
	int rc;

	resp->err = HTTP_PERR_NONE;
	if (last_len && last_len < len && len < max_head && !may_be_complete(start, len, last_len))
		return ERR_AGAIN;

	const u8 *p = start, *end = start + (len < max_head ? len : max_head);
	if ((rc = skip_empty_lines(&p, end, &perr)) != 0)
		goto out;
	if ((rc = parse_version(&p, end, &resp->minor, &perr)) != 0)
		goto out;
	rc = ERR_AGAIN;
	if (p == end)
		goto out;
	if (*p++ != ' ') {
		perr = HTTP_PERR_VERSION;
		rc = ERR_INVAL;
		goto out;
	}
	int status = 0;
	for (int i = 0; i < 3; i++, p++) {
		if (p == end)
			goto out;
		if (*p < '0' || *p > '9') {
			perr = HTTP_PERR_STATUS;
			rc = ERR_INVAL;
			goto out;
		}
		status = status * 10 + (*p - '0');
	}
	if (status < 100 || status > 599) {
		perr = HTTP_PERR_STATUS;
		rc = ERR_INVAL;
		goto out;
	}
	resp->status = status;
	if (p == end)
		goto out;
	const u8 *r = p;
	if (*p == ' ') /* "HTTP/1.1 204\r\n" without the SP is accepted too */
		p = scan_value(++r, end);
	resp->reason = mk(r, p);
	if ((rc = eat_eol(&p, end, HTTP_PERR_STATUS, &perr)) != 0)
		goto out;

	if ((rc = parse_fields(&p, end, hdrs, max_hdrs, &resp->nheaders, &f, false, &perr)) != 0)
		goto out;
	resp->headers = hdrs;
	resp->keep_alive = resp->minor == 1 ? !f.close : f.keep_alive && !f.close;
	resp->upgrade = f.upgrade;
	resp->chunked = false;
	resp->has_content_length = f.has_cl;
	resp->content_length = f.cl;
	if (f.te_seen) {
		if (!f.te_last_chunked || f.te_other) {
			perr = HTTP_PERR_TE_UNSUPPORTED;
			rc = ERR_UNSUPPORTED;
			goto out;
		}
		resp->chunked = true;
		if (f.has_cl) { /* RFC 9112 §6.3 (3): TE wins; do not reuse the connection */
			resp->has_content_length = false;
			resp->content_length = 0;
			resp->keep_alive = false;
		}
	}
	return (int)(p - start);

out:
	if (rc == ERR_AGAIN && len >= max_head) {
		perr = HTTP_PERR_HEAD_TOO_LARGE;
		rc = ERR_TOOBIG;
	}
	resp->err = perr;
	return rc;
}

http_body http_parse_req_body(const http_req *r)
{
	if (r->chunked)
		return HTTP_BODY_CHUNKED;
	return r->has_content_length && r->content_length ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
}

http_body http_parse_resp_body(const http_resp *r, http_method req_method)
{
	if (req_method == HTTP_METHOD_HEAD || r->status < 200 || r->status == 204 || r->status == 304)
		return HTTP_BODY_NONE;
	if (req_method == HTTP_METHOD_CONNECT && r->status < 300)
		return HTTP_BODY_NONE;
	if (r->chunked)
		return HTTP_BODY_CHUNKED;
	if (r->has_content_length)
		return r->content_length ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
	return HTTP_BODY_EOF;
}

/* ---- chunked --------------------------------------------------------------- */

enum {
	CK_SIZE0 = 0, /* first hex digit of a chunk size */
	CK_SIZE,      /* more hex digits */
	CK_BWS,       /* whitespace after the size: ';' must follow */
	CK_EXT,       /* chunk extensions, ignored */
	CK_SIZE_LF,   /* LF after the size line's CR */
	CK_DATA,
	CK_DATA_CR,
	CK_DATA_LF,
	CK_TR_START,  /* start of a trailer line, or CR of the final empty line */
	CK_TR_NAME,
	CK_TR_VALUE,
	CK_TR_LF,
	CK_END_LF,
	CK_DONE,
};

static inline unsigned hexval(u8 c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

int http_parse_chunked(http_chunked *c, const char *src, size_t srclen, size_t *consumed,
                       char *dst, size_t dstcap, size_t *produced)
{
	const u8 *s = (const u8 *)src;
	size_t i = 0, o = 0;
	size_t max_tr = c->max_trailer ? c->max_trailer : LIMIT_HTTP_HEADER_BYTES;
	http_perr e = HTTP_PERR_NONE;
	int rc = ERR_AGAIN;

	if (c->rc) {
		*consumed = *produced = 0;
		return c->rc;
	}
	while (i < srclen && c->state != CK_DONE) {
		if (c->state == CK_DATA) {
			size_t k = srclen - i;
			if (c->left < k)
				k = (size_t)c->left;
			if (dst) {
				if (dstcap - o < k)
					k = dstcap - o;
				if (k == 0)
					break; /* dst full */
				if (dst + o != src + i)
					memmove(dst + o, src + i, k);
				o += k;
			}
			i += k;
			c->left -= k;
			c->total += k;
			if (c->left == 0)
				c->state = CK_DATA_CR;
			continue;
		}
		u8 ch = s[i];
		if (c->state <= CK_SIZE_LF && ++c->line > LIMIT_HTTP_CHUNK_LINE_BYTES) {
			e = HTTP_PERR_CHUNK_LINE_TOO_LONG;
			goto fail;
		}
		if (c->state >= CK_TR_START && ++c->trailer > max_tr) {
			e = HTTP_PERR_TRAILER_TOO_LARGE;
			rc = ERR_TOOBIG;
			goto fail_rc;
		}
		switch (c->state) {
		case CK_SIZE0:
			if (!IS(ch, C_HEX)) {
				e = HTTP_PERR_CHUNK_SIZE;
				goto fail;
			}
			c->left = hexval(ch);
			c->state = CK_SIZE;
			break;
		case CK_SIZE:
			if (IS(ch, C_HEX)) {
				if (c->left >> 59) { /* keeps the size <= INT64_MAX */
					e = HTTP_PERR_CHUNK_OVERFLOW;
					goto fail;
				}
				c->left = c->left << 4 | hexval(ch);
			} else if (ch == '\r') {
				c->state = CK_SIZE_LF;
			} else if (ch == ';') {
				c->state = CK_EXT;
			} else if (is_ows(ch)) {
				c->state = CK_BWS;
			} else {
				e = ch == '\n' ? HTTP_PERR_CHUNK_CRLF : HTTP_PERR_CHUNK_SIZE;
				goto fail;
			}
			break;
		case CK_BWS:
			if (ch == ';') {
				c->state = CK_EXT;
			} else if (!is_ows(ch)) {
				e = HTTP_PERR_CHUNK_SIZE;
				goto fail;
			}
			break;
		case CK_EXT:
			if (ch == '\r') {
				c->state = CK_SIZE_LF;
			} else if (!IS(ch, C_VALUE)) {
				e = ch == '\n' ? HTTP_PERR_CHUNK_CRLF : HTTP_PERR_CHUNK_SIZE;
				goto fail;
			}
			break;
		case CK_SIZE_LF:
			if (ch != '\n') {
				e = HTTP_PERR_CHUNK_CRLF;
				goto fail;
			}
			c->line = 0;
			c->state = c->left ? CK_DATA : CK_TR_START;
			break;
		case CK_DATA_CR:
			if (ch != '\r') {
				e = HTTP_PERR_CHUNK_CRLF;
				goto fail;
			}
			c->state = CK_DATA_LF;
			break;
		case CK_DATA_LF:
			if (ch != '\n') {
				e = HTTP_PERR_CHUNK_CRLF;
				goto fail;
			}
			c->state = CK_SIZE0;
			break;
		case CK_TR_START:
			if (ch == '\r') {
				c->state = CK_END_LF;
			} else if (IS(ch, C_TCHAR)) {
				c->state = CK_TR_NAME;
			} else {
				e = ch == '\n' ? HTTP_PERR_CHUNK_CRLF : HTTP_PERR_TRAILER;
				goto fail;
			}
			break;
		case CK_TR_NAME:
			if (ch == ':') {
				c->state = CK_TR_VALUE;
			} else if (!IS(ch, C_TCHAR)) {
				e = HTTP_PERR_TRAILER;
				goto fail;
			}
			break;
		case CK_TR_VALUE:
			if (ch == '\r') {
				c->state = CK_TR_LF;
			} else if (!IS(ch, C_VALUE)) {
				e = HTTP_PERR_TRAILER;
				goto fail;
			}
			break;
		case CK_TR_LF:
			if (ch != '\n') {
				e = HTTP_PERR_TRAILER;
				goto fail;
			}
			c->state = CK_TR_START;
			break;
		case CK_END_LF:
			if (ch != '\n') {
				e = HTTP_PERR_CHUNK_CRLF;
				goto fail;
			}
			c->state = CK_DONE;
			break;
		default:
			e = HTTP_PERR_CHUNK_SIZE; /* unreachable: corrupted state */
			goto fail;
		}
		i++;
	}
	*consumed = i;
	*produced = o;
	return c->state == CK_DONE ? 0 : rc;

fail:
	rc = ERR_INVAL;
fail_rc:
	c->rc = rc;
	c->err = e;
	*consumed = i;
	*produced = o;
	return rc;
}

/* ---- helpers --------------------------------------------------------------- */

const http_header *http_parse_header_find(const http_header *h, size_t n, str name)
{
	for (size_t i = 0; i < n; i++)
		if (str_eq_nocase(h[i].name, name))
			return &h[i];
	return NULL;
}

bool http_parse_list_has(str value, str token)
{
	size_t i = 0;
	str el;
	while (list_next(value, &i, &el)) {
		str head = el, tail;
		if (str_cut(el, ';', &head, &tail))
			while (head.n && is_ows((u8)head.p[head.n - 1]))
				head.n--;
		if (str_eq_nocase(head, token))
			return true;
	}
	return false;
}

int http_parse_pct_decode(str in, char *out, size_t cap, unsigned flags, size_t *outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < in.n; i++) {
		u8 c = (u8)in.p[i];
		if (c == '%') {
			if (in.n - i < 3 || !IS(in.p[i + 1], C_HEX) || !IS(in.p[i + 2], C_HEX))
				return ERR_INVAL;
			c = (u8)(hexval((u8)in.p[i + 1]) << 4 | hexval((u8)in.p[i + 2]));
			i += 2;
			if (c == 0 && !(flags & HTTP_PCT_ALLOW_NUL))
				return ERR_INVAL;
		} else if (c == '+' && (flags & HTTP_PCT_PLUS)) {
			c = ' ';
		}
		if (o == cap)
			return ERR_TOOBIG;
		out[o++] = (char)c;
	}
	*outlen = o;
	return 0;
}

int http_parse_query_get(str query, str name, str *value)
{
	size_t i = 0;
	while (i < query.n) {
		size_t s = i;
		while (i < query.n && query.p[i] != '&')
			i++;
		str part = { query.p + s, i - s }, k, v;
		i++;
		if (part.n == 0)
			continue;
		if (!str_cut(part, '=', &k, &v))
			v = (str){ part.p + part.n, 0 };
		if (str_eq(k, name)) {
			*value = v;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}
