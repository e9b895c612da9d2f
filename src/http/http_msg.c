/* http_msg.c — HTTP/1.1 head and chunk writers, reason phrases, validators.
 * Each writer validates first, reserves the whole size, then copies: a failed
 * call leaves the buffer untouched. */
#include "http/http_msg.h"
#include "base/err.h"
#include <string.h>

const char *http_msg_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 203: return "Non-Authoritative Information";
	case 204: return "No Content";
	case 205: return "Reset Content";
	case 206: return "Partial Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 425: return "Too Early";
	case 426: return "Upgrade Required";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 451: return "Unavailable For Legal Reasons";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	case 507: return "Insufficient Storage";
	case 511: return "Network Authentication Required";
	default: return "";
	}
}

/* tchar of RFC 9110 5.6.2: ALPHA / DIGIT / "!#$%&'*+-.^_`|~". One load per
 * byte; bytes >= 0x80, controls, SP and the delimiters '"(),/:;<=>?@[\]{}'
 * are not token characters. */
static const unsigned char tchar_tab[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
	['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
	['`'] = 1, ['|'] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
	['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
	['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
	['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

bool http_msg_token_ok(str s)
{
	if (s.n == 0)
		return false;
	for (size_t i = 0; i < s.n; i++)
		if (!tchar_tab[(unsigned char)s.p[i]])
			return false;
	return true;
}

bool http_msg_value_ok(str s)
{
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	if (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		return false;
	return true;
}

/* Append parts[0..n) as one unit: all or nothing. */
static int put(buf *b, const str *parts, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].n > (size_t)-1 - total)
			return ERR_TOOBIG;
		total += parts[i].n;
	}
	int rc = buf_reserve(b, total);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].n)
			memcpy(b->data + b->len, parts[i].p, parts[i].n);
		b->len += parts[i].n;
	}
	b->data[b->len] = '\0';
	return 0;
}

size_t http_msg_u64(char out[HTTP_MSG_U64_MAX], uint64_t v)
{
	char tmp[HTTP_MSG_U64_MAX];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

int http_msg_status_line(buf *b, int status, str reason)
{
	if (status < 100 || status > 599)
		return ERR_INVAL;
	if (!reason.p)
		reason = str_from(http_msg_reason(status));
	if (!http_msg_value_ok(reason))
		return ERR_INVAL;
	char code[4] = { (char)('0' + status / 100), (char)('0' + status / 10 % 10),
		         (char)('0' + status % 10), ' ' };
	str parts[] = { STR_LIT("HTTP/1.1 "), { code, 4 }, reason, STR_LIT("\r\n") };
	return put(b, parts, 4);
}

int http_msg_request_line(buf *b, str method, str target)
{
	if (!http_msg_token_ok(method) || target.n == 0)
		return ERR_INVAL;
	for (size_t i = 0; i < target.n; i++)
		if ((unsigned char)target.p[i] <= 0x20 || (unsigned char)target.p[i] >= 0x7f)
			return ERR_INVAL;
	str parts[] = { method, STR_LIT(" "), target, STR_LIT(" HTTP/1.1\r\n") };
	return put(b, parts, 4);
}

int http_msg_header(buf *b, str name, str value)
{
	if (!http_msg_token_ok(name) || !http_msg_value_ok(value))
		return ERR_INVAL;
	str parts[] = { name, STR_LIT(": "), value, STR_LIT("\r\n") };
	return put(b, parts, 4);
}

int http_msg_header_u64(buf *b, str name, uint64_t v)
{
	char num[HTTP_MSG_U64_MAX];
	return http_msg_header(b, name, (str){ num, http_msg_u64(num, v) });
}

int http_msg_end(buf *b)
{
	str parts[] = { STR_LIT("\r\n") };
	return put(b, parts, 1);
}

size_t http_msg_chunk_head(char out[HTTP_MSG_CHUNK_HEAD_MAX], uint64_t n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t k = 0;
	do {
		tmp[k++] = hex[n & 15];
		n >>= 4;
	} while (n);
	for (size_t i = 0; i < k; i++)
		out[i] = tmp[k - 1 - i];
	out[k] = '\r';
	out[k + 1] = '\n';
	out[k + 2] = '\0';
	return k + 2;
}

int http_msg_chunk(buf *b, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	char head[HTTP_MSG_CHUNK_HEAD_MAX];
	str parts[] = { { head, http_msg_chunk_head(head, n) }, { data, n }, STR_LIT("\r\n") };
	return put(b, parts, 3);
}

int http_msg_chunk_end(buf *b)
{
	str parts[] = { STR_LIT("0\r\n\r\n") };
	return put(b, parts, 1);
}

/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int http_msg_date(char out[HTTP_MSG_DATE_LEN + 1], int64_t t)
{
	static const char wd[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (t < 0 || t > 253402300799) /* 9999-12-31T23:59:59Z */
		return ERR_RANGE;
	int64_t days = t / 86400, secs = t % 86400, y;
	unsigned m, d;
	civil(days, &y, &m, &d);
	unsigned w = (unsigned)(days % 7), hh = (unsigned)(secs / 3600), mm = (unsigned)(secs / 60 % 60),
		 ss = (unsigned)(secs % 60);
	char *o = out;
	memcpy(o, wd + 3 * w, 3), o += 3;
	*o++ = ',', *o++ = ' ';
	*o++ = (char)('0' + d / 10), *o++ = (char)('0' + d % 10), *o++ = ' ';
	memcpy(o, mon + 3 * (m - 1), 3), o += 3;
	*o++ = ' ';
	*o++ = (char)('0' + y / 1000), *o++ = (char)('0' + y / 100 % 10);
	*o++ = (char)('0' + y / 10 % 10), *o++ = (char)('0' + y % 10), *o++ = ' ';
	*o++ = (char)('0' + hh / 10), *o++ = (char)('0' + hh % 10), *o++ = ':';
	*o++ = (char)('0' + mm / 10), *o++ = (char)('0' + mm % 10), *o++ = ':';
	*o++ = (char)('0' + ss / 10), *o++ = (char)('0' + ss % 10);
	memcpy(o, " GMT", 5);
	return 0;
}
