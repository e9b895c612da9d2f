/* test_http_parse.c — request/response head parsers, chunked decoder and
 * helpers. Every head is parsed whole, on every prefix (copied to an exactly
 * sized heap block so ASan catches a read past the end) and fed byte by byte
 * with the last_len hint; malformed inputs come from a table with the exact
 * error and HTTP status each must give. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "http/http_parse.h"
#include <stdlib.h>

#define MAXH 16

/* ---- helpers ------------------------------------------------------------------ */

static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);
	if (n)
		memcpy(p, s, n);
	return p;
}

static void sig_str(buf *o, const char *tag, str s, const char *base)
{
	if (!s.p)
		buf_printf(o, "%s=NULL ", tag);
	else if (s.p >= base && s.p <= base + 100000)
		buf_printf(o, "%s@%td[" STR_FMT "] ", tag, s.p - base, STR_ARG(s));
	else
		buf_printf(o, "%s=static[" STR_FMT "] ", tag, STR_ARG(s));
}

/* A printable signature of a parse result, with slices as offsets. */
static void req_sig(buf *o, int rc, const http_req *r, const char *base)
{
	buf_printf(o, "rc=%d err=%d ", rc, (int)r->err);
	if (rc <= 0)
		return;
	buf_printf(o, "m=%d ", (int)r->method);
	sig_str(o, "mn", r->method_name, base);
	sig_str(o, "t", r->target, base);
	buf_printf(o, "form=%d ", (int)r->form);
	sig_str(o, "auth", r->authority, base);
	sig_str(o, "path", r->path, base);
	sig_str(o, "q", r->query, base);
	buf_printf(o, "minor=%d n=%zu ", r->minor, r->nheaders);
	for (size_t i = 0; i < r->nheaders; i++) {
		sig_str(o, "h", r->headers[i].name, base);
		sig_str(o, "v", r->headers[i].value, base);
	}
	if (r->has_host)
		sig_str(o, "host", r->host, base);
	buf_printf(o, "cl=%d:%llu ch=%d ka=%d exp=%d up=%d", r->has_content_length,
	           (unsigned long long)r->content_length, r->chunked, r->keep_alive, r->expect_continue,
	           r->upgrade);
}

static void resp_sig(buf *o, int rc, const http_resp *r, const char *base)
{
	buf_printf(o, "rc=%d err=%d ", rc, (int)r->err);
	if (rc <= 0)
		return;
	buf_printf(o, "minor=%d status=%d ", r->minor, r->status);
	sig_str(o, "reason", r->reason, base);
	buf_printf(o, "n=%zu ", r->nheaders);
	for (size_t i = 0; i < r->nheaders; i++) {
		sig_str(o, "h", r->headers[i].name, base);
		sig_str(o, "v", r->headers[i].value, base);
	}
	buf_printf(o, "cl=%d:%llu ch=%d ka=%d up=%d", r->has_content_length,
	           (unsigned long long)r->content_length, r->chunked, r->keep_alive, r->upgrade);
}

static int parse_sig(bool is_req, const char *s, size_t n, size_t last_len, const http_limits *lim,
                     size_t maxh, buf *sig)
{
	char *p = dup_exact(s, n);
	http_header h[MAXH + 1];
	int rc;
	if (is_req) {
		http_req r;
		memset(&r, 0x5a, sizeof r);
		rc = http_parse_request(p, n, last_len, lim, h, maxh, &r);
		req_sig(sig, rc, &r, p);
	} else {
		http_resp r;
		memset(&r, 0x5a, sizeof r);
		rc = http_parse_response(p, n, last_len, lim, h, maxh, &r);
		resp_sig(sig, rc, &r, p);
	}
	free(p);
	return rc;
}

/* Whole / every prefix / byte by byte with hints: consistent with `want`
 * (rc; for errors also the detail). Returns the number of problems. */
static int check_incremental(bool is_req, const char *s, size_t n, int want, http_perr want_err,
                             const http_limits *lim, size_t maxh)
{
	int bad = 0;
	buf whole = { 0 };
	int rc = parse_sig(is_req, s, n, 0, lim, maxh, &whole);
	char errbuf[64];
	snprintf(errbuf, sizeof errbuf, "rc=%d err=%d ", want, (int)want_err);
	if (rc != want || (want < 0 && strncmp(whole.data, errbuf, strlen(errbuf)))) {
		printf("  whole: %s (want rc %d err %d)\n", whole.data, want, (int)want_err);
		bad++;
	}
	/* every prefix, no hint: AGAIN before the end, then the same result; an
	 * error, once reported, stays */
	bool seen_err = false;
	for (size_t k = 0; k < n && bad < 3; k++) {
		buf sig = { 0 };
		int r = parse_sig(is_req, s, k, 0, lim, maxh, &sig);
		bool ok;
		if (want > 0)
			ok = (size_t)want > k ? r == ERR_AGAIN : !strcmp(sig.data, whole.data);
		else
			ok = r == ERR_AGAIN ? !seen_err : !strcmp(sig.data, whole.data);
		if (r != ERR_AGAIN)
			seen_err = r < 0;
		if (!ok) {
			printf("  prefix %zu: %s\n     whole: %s\n", k, sig.data, whole.data);
			bad++;
		}
		buf_free(&sig);
	}
	/* byte by byte, passing the previous length as the hint */
	size_t last = 0;
	int r = ERR_AGAIN;
	for (size_t k = 1; k <= n && bad < 3; k++) {
		buf sig = { 0 };
		r = parse_sig(is_req, s, k, last, lim, maxh, &sig);
		if (r == ERR_AGAIN) {
			last = k;
		} else {
			if (strcmp(sig.data, whole.data)) {
				printf("  hinted %zu: %s\n    whole: %s\n", k, sig.data, whole.data);
				bad++;
			}
			buf_free(&sig);
			break;
		}
		buf_free(&sig);
	}
	if (want > 0 && r != want) {
		printf("  hinted feed ended with %d, want %d\n", r, want);
		bad++;
	}
	buf_free(&whole);
	return bad;
}

static int req_ok(const char *s, size_t n, http_req *r, http_header *h)
{
	return http_parse_request(s, n, 0, NULL, h, MAXH, r);
}

#define REQ(lit, r, h) req_ok(lit, sizeof(lit) - 1, r, h)
#define INC_REQ(lit, want) CHECK_EQ_INT(check_incremental(true, lit, sizeof(lit) - 1, want, HTTP_PERR_NONE, NULL, MAXH), 0)
#define INC_RESP(lit, want) CHECK_EQ_INT(check_incremental(false, lit, sizeof(lit) - 1, want, HTTP_PERR_NONE, NULL, MAXH), 0)
#define SEQ(s, lit) CHECK_EQ_MEM((s).p, (s).n, lit, sizeof(lit) - 1)

/* ---- requests: valid ------------------------------------------------------------ */

TEST(req_simple)
{
	static const char s[] = "GET /v1/models HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n";
	http_req r;
	http_header h[MAXH];
	CHECK_EQ_INT(REQ(s, &r, h), sizeof s - 1);
	CHECK_EQ_INT(r.method, HTTP_METHOD_GET);
	SEQ(r.method_name, "GET");
	SEQ(r.target, "/v1/models");
	SEQ(r.path, "/v1/models");
	CHECK(r.query.p == NULL);
	CHECK_EQ_INT(r.form, HTTP_TARGET_ORIGIN);
	CHECK_EQ_INT(r.minor, 1);
	CHECK_EQ_INT(r.nheaders, 3);
	CHECK(r.headers == h);
	SEQ(h[0].name, "Host");
	SEQ(h[0].value, "example.com");
	SEQ(h[1].name, "User-Agent");
	SEQ(h[1].value, "curl/8.0");
	SEQ(h[2].value, "*/*");
	CHECK(r.has_host);
	SEQ(r.host, "example.com");
	CHECK(!r.has_content_length);
	CHECK(!r.chunked);
	CHECK(r.keep_alive);
	CHECK(!r.expect_continue);
	CHECK_EQ_INT(r.err, HTTP_PERR_NONE);
	CHECK_EQ_INT(http_parse_req_body(&r), HTTP_BODY_NONE);
	INC_REQ(s, (int)sizeof s - 1);
}

TEST(req_post_body_pipelined)
{
	static const char s[] = "POST /v1/chat/completions?api-version=2024&x= HTTP/1.1\r\n"
	                        "Host: localhost:4000\r\nContent-Type: application/json\r\n"
	                        "Content-Length: 13\r\nAuthorization: Bearer sk-1\r\n\r\n"
	                        "{\"model\":\"m\"}GET /next HTTP/1.1\r\n";
	size_t head = strstr(s, "\r\n\r\n") - s + 4;
	http_req r;
	http_header h[MAXH];
	CHECK_EQ_INT(REQ(s, &r, h), head);
	CHECK_EQ_INT(r.method, HTTP_METHOD_POST);
	SEQ(r.path, "/v1/chat/completions");
	SEQ(r.query, "api-version=2024&x=");
	SEQ(r.host, "localhost:4000");
	CHECK(r.has_content_length);
	CHECK_EQ_INT(r.content_length, 13);
	CHECK_EQ_INT(http_parse_req_body(&r), HTTP_BODY_LENGTH);
	const http_header *a = http_parse_header_find(r.headers, r.nheaders, STR_LIT("authorization"));
	CHECK(a != NULL);
	if (a)
		SEQ(a->value, "Bearer sk-1");
	CHECK(http_parse_header_find(r.headers, r.nheaders, STR_LIT("cookie")) == NULL);
	CHECK_EQ_INT(check_incremental(true, s, sizeof s - 1, (int)head, HTTP_PERR_NONE, NULL, MAXH), 0);
}

TEST(req_pipelined_loop)
{
	static const char s[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	                        "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
	                        "\r\n" /* stray CRLF after a body: skipped */
	                        "DELETE /c?d=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	const char *p = s;
	size_t left = sizeof s - 1;
	const char *paths[] = { "/a", "/b", "/c" };
	int n = 0;
	while (left) {
		http_req r;
		http_header h[MAXH];
		int rc = http_parse_request(p, left, 0, NULL, h, MAXH, &r);
		CHECK(rc > 0);
		if (rc <= 0)
			break;
		CHECK(n < 3 && str_eq(r.path, str_from(paths[n])));
		p += rc;
		left -= (size_t)rc;
		if (r.has_content_length) {
			CHECK_EQ_MEM(p, 3, "xyz", 3);
			p += r.content_length;
			left -= r.content_length;
		}
		n++;
		CHECK_EQ_INT(r.keep_alive, n < 3);
	}
	CHECK_EQ_INT(n, 3);
}

TEST(req_versions_and_connection)
{
	http_req r;
	http_header h[MAXH];
	CHECK(REQ("GET / HTTP/1.0\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.minor, 0);
	CHECK(!r.keep_alive);
	CHECK(!r.has_host);
	CHECK(REQ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r, h) > 0);
	CHECK(r.keep_alive);
	CHECK(REQ("GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", &r, h) > 0);
	CHECK(!r.keep_alive);
	CHECK(REQ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &r, h) > 0);
	CHECK(!r.keep_alive);
	CHECK(REQ("GET / HTTP/1.1\r\nHost: a\r\nconnection: foo ,  CLOSE\r\n\r\n", &r, h) > 0);
	CHECK(!r.keep_alive);
	CHECK(REQ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", &r, h) > 0);
	CHECK(r.upgrade);
	CHECK(r.keep_alive);
	CHECK(REQ("GET / HTTP/1.9\r\nHost: a\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.minor, 1);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", &r, h) > 0);
	CHECK(r.expect_continue);
	CHECK(REQ("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n", &r, h) > 0);
	CHECK(!r.expect_continue); /* RFC 9110 §10.1.1: ignored for HTTP/1.0 */
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n", &r, h) > 0);
	CHECK(!r.expect_continue);
}

TEST(req_line_endings)
{
	http_req r;
	http_header h[MAXH];
	static const char lf[] = "GET / HTTP/1.1\nHost: a\nX: y\n\n";
	CHECK_EQ_INT(REQ(lf, &r, h), sizeof lf - 1);
	CHECK_EQ_INT(r.nheaders, 2);
	SEQ(h[1].value, "y");
	INC_REQ(lf, (int)sizeof lf - 1);
	static const char mixed[] = "GET / HTTP/1.1\r\nHost: a\n\r\n";
	INC_REQ(mixed, (int)sizeof mixed - 1);
	static const char lead[] = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
	CHECK_EQ_INT(REQ(lead, &r, h), sizeof lead - 1);
	SEQ(r.path, "/");
	INC_REQ(lead, (int)sizeof lead - 1);
	CHECK_EQ_INT(REQ("\r\n\r\n", &r, h), ERR_AGAIN);
}

TEST(req_fields)
{
	http_req r;
	http_header h[MAXH];
	static const char s[] = "GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\nX-Ws: \t value with  spaces \t \r\n"
	                        "X-Obs: caf\xc3\xa9\r\nX-Tab: a\tb\r\n!#$%&'*+-.^_`|~09azAZ: tok\r\n\r\n";
	CHECK_EQ_INT(REQ(s, &r, h), sizeof s - 1);
	CHECK_EQ_INT(r.nheaders, 6);
	SEQ(r.host, "a");
	SEQ(h[1].value, "");
	SEQ(h[2].value, "value with  spaces");
	SEQ(h[3].value, "caf\xc3\xa9");
	SEQ(h[4].value, "a\tb");
	SEQ(h[5].name, "!#$%&'*+-.^_`|~09azAZ");
	INC_REQ(s, (int)sizeof s - 1);
	/* methods are case-sensitive tokens; unknown ones are OTHER */
	CHECK(REQ("get / HTTP/1.1\r\nHost: a\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.method, HTTP_METHOD_OTHER);
	SEQ(r.method_name, "get");
	CHECK(REQ("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.method, HTTP_METHOD_OTHER);
	static const char *const ms[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE" };
	for (int i = 0; i < 8; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "%s / HTTP/1.1\r\nHost: a\r\n\r\n", ms[i]);
		CHECK_EQ_INT(http_parse_request(line, (size_t)n, 0, NULL, h, MAXH, &r), n);
		CHECK_EQ_STR(http_parse_method_str(r.method), ms[i]);
	}
	CHECK_EQ_STR(http_parse_method_str(HTTP_METHOD_CONNECT), "CONNECT");
	CHECK_EQ_STR(http_parse_method_str(HTTP_METHOD_OTHER), "");
	/* Host may be empty (RFC 9110 §7.2) */
	CHECK(REQ("GET / HTTP/1.1\r\nHost:\r\n\r\n", &r, h) > 0);
	CHECK(r.has_host && r.host.n == 0);
	CHECK(REQ("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", &r, h) > 0);
}

TEST(req_target_forms)
{
	http_req r;
	http_header h[MAXH];
	CHECK(REQ("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.form, HTTP_TARGET_ASTERISK);
	CHECK(r.path.n == 0);
	CHECK(REQ("CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.form, HTTP_TARGET_AUTHORITY);
	SEQ(r.authority, "api.openai.com:443");
	CHECK(REQ("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.form, HTTP_TARGET_ABSOLUTE);
	SEQ(r.authority, "example.com:8080");
	SEQ(r.path, "/a/b");
	SEQ(r.query, "c=d");
	CHECK(REQ("GET https://example.com HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	SEQ(r.path, "/");
	CHECK(r.query.p == NULL);
	CHECK(REQ("GET HTTP://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	SEQ(r.path, "/");
	SEQ(r.query, "q");
	CHECK(REQ("GET /?#x HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) < 0);
	CHECK(REQ("GET /? HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	CHECK(r.query.p != NULL && r.query.n == 0);
	CHECK(REQ("GET /a?b?c HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	SEQ(r.path, "/a");
	SEQ(r.query, "b?c");
	CHECK(REQ("GET /%7Euser/a%20b HTTP/1.1\r\nHost: x\r\n\r\n", &r, h) > 0);
	SEQ(r.path, "/%7Euser/a%20b");
}

/* Oracles for the character classes, written independently of the table. */
static bool o_tchar(int c) { return c == ':' || /* "X:Y: v" is header X */ (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c)); }
static bool o_vchar(int c) { return c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80; }
static bool o_target(int c) { return c > 0x20 && c < 0x7f && c != '#' && c != '\\'; }

TEST(req_every_byte)
{
	http_header h[MAXH];
	http_req r;
	for (int c = 0; c < 256; c++) {
		char s[96];
		int n;
		/* in the target */
		n = snprintf(s, sizeof s, "GET /a%cb HTTP/1.1\r\nHost: a\r\n\r\n", c ? c : 1);
		if (c == 0)
			s[6] = 0;
		int rc = http_parse_request(s, (size_t)n, 0, NULL, h, MAXH, &r);
		if ((rc > 0) != o_target(c))
			printf("  target byte %d: rc %d\n", c, rc);
		CHECK_EQ_INT(rc > 0, o_target(c));
		/* in a header name */
		n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: a\r\nX%cY: v\r\n\r\n", c ? c : 1);
		if (c == 0)
			s[26] = 0;
		rc = http_parse_request(s, (size_t)n, 0, NULL, h, MAXH, &r);
		if ((rc > 0) != o_tchar(c))
			printf("  name byte %d: rc %d\n", c, rc);
		CHECK_EQ_INT(rc > 0, o_tchar(c));
		/* in a value, near the start and deep inside (word scan) */
		for (int pos = 0; pos < 40; pos += 13) {
			char v[64];
			memset(v, 'v', sizeof v);
			v[pos] = (char)c;
			n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: a\r\nX: a");
			memcpy(s + n, v, 41);
			n += 41;
			memcpy(s + n, "\r\n\r\n", 4);
			n += 4;
			rc = http_parse_request(s, (size_t)n, 0, NULL, h, MAXH, &r);
			if ((rc > 0) != o_vchar(c))
				printf("  value byte %d at %d: rc %d\n", c, pos, rc);
			CHECK_EQ_INT(rc > 0, o_vchar(c));
		}
	}
}

/* A bad byte at every offset of a long value and a long target: the word-at-
 * a-time scans must see each one. */
TEST(req_scan_positions)
{
	http_header h[MAXH];
	http_req r;
	static const unsigned char bad_v[] = { 0, 1, '\r', 0x7f, 0x1f };
	static const unsigned char bad_t[] = { 0, ' ', 0x7f, 0x80, '#', '\\', 0xff };
	for (size_t pos = 0; pos < 70; pos++) {
		for (size_t b = 0; b < sizeof bad_v; b++) {
			char s[200];
			int n = snprintf(s, sizeof s, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
			memset(s + n, 'q', 70);
			s[n + pos] = (char)bad_v[b];
			n += 70;
			memcpy(s + n, "\r\n\r\n", 4);
			char *p = dup_exact(s, (size_t)n + 4);
			int rc = http_parse_request(p, (size_t)n + 4, 0, NULL, h, MAXH, &r);
			free(p);
			CHECK(rc < 0);
		}
		for (size_t b = 0; b < sizeof bad_t; b++) {
			char s[200];
			int n = snprintf(s, sizeof s, "GET /");
			memset(s + n, 't', 70);
			s[n + pos] = (char)bad_t[b];
			n += 70;
			n += snprintf(s + n, sizeof s - (size_t)n, " HTTP/1.1\r\nHost: a\r\n\r\n");
			char *p = dup_exact(s, (size_t)n);
			int rc = http_parse_request(p, (size_t)n, 0, NULL, h, MAXH, &r);
			free(p);
			CHECK(rc < 0);
		}
	}
}

/* ---- requests: malformed table -------------------------------------------------- */

#define B(s, ...) { s, sizeof(s) - 1, __VA_ARGS__ }
static const struct bad_req {
	const char *in;
	size_t len;
	int rc;
	http_perr err;
	int status;
} bad_reqs[] = {
	/* request line */
	B("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_METHOD, 400),
	B(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_METHOD, 400),
	B("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_METHOD, 400),
	B("GET\r\n\r\n", ERR_INVAL, HTTP_PERR_METHOD, 400),
	B("G\x01T / HTTP/1.1\r\n\r\n", ERR_INVAL, HTTP_PERR_METHOD, 400),
	B("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET /a\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET /a\\..\\b HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET * HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("CONNECT host HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("CONNECT host:x1 HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET http://user@host/ HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET 1http://h/ HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET /\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / \r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/11\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / http/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/a.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
	B("GET / HTTP/2.0\r\nHost: a\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_VERSION_UNSUPPORTED, 505),
	B("GET / HTTP/0.9\r\nHost: a\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_VERSION_UNSUPPORTED, 505),
	B("GET / HTTP/1.1\rHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_LINE_END, 400),
	B("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_LINE_END, 400),
	/* fields */
	B("GET / HTTP/1.1\r\nHost : a\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_SPACE, 400),
	B("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_SPACE, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n  folded\r\n\r\n", ERR_INVAL, HTTP_PERR_OBS_FOLD, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tfolded\r\n\r\n", ERR_INVAL, HTTP_PERR_OBS_FOLD, 400),
	B("GET / HTTP/1.1\r\n Host: a\r\n\r\n", ERR_INVAL, HTTP_PERR_OBS_FOLD, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_NAME, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_NAME, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_NAME, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX\x80: b\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_NAME, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_VALUE, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_VALUE, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", ERR_INVAL, HTTP_PERR_LINE_END, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\r\r", ERR_INVAL, HTTP_PERR_LINE_END, 400),
	/* Host */
	B("GET / HTTP/1.1\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_MISSING, 400),
	B("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_MISSING, 400),
	B("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_DUP, 400),
	B("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_DUP, 400),
	B("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_INVALID, 400),
	B("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_INVALID, 400),
	B("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", ERR_INVAL, HTTP_PERR_HOST_INVALID, 400),
	/* Content-Length */
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5a\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH_DUP, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH_DUP, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 05, 6\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH_DUP, 400),
	/* Transfer-Encoding */
	B("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", ERR_INVAL, HTTP_PERR_CL_AND_TE, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", ERR_INVAL, HTTP_PERR_CL_AND_TE, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID, 400),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_TE_UNSUPPORTED, 501),
	B("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_TE_UNSUPPORTED, 501),
	B("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_HTTP10, 400),
	/* NUL anywhere */
	B("GET / HTTP/1.1\r\nHost: a\0\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_VALUE, 400),
	B("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_TARGET, 400),
	B("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_NAME, 400),
	B("GET / HTTP/1.1\0\r\nHost: a\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION, 400),
};

TEST(req_malformed_table)
{
	for (size_t i = 0; i < sizeof bad_reqs / sizeof bad_reqs[0]; i++) {
		const struct bad_req *b = &bad_reqs[i];
		size_t n = b->len;
		http_header h[MAXH];
		http_req r;
		int rc = http_parse_request(b->in, n, 0, NULL, h, MAXH, &r);
		if (rc != b->rc || r.err != b->err || http_parse_error_status(r.err) != b->status)
			printf("  case %zu \"%s\": rc %d err %d (%s) status %d\n", i, b->in, rc, (int)r.err,
			       http_parse_error_str(r.err), http_parse_error_status(r.err));
		CHECK_EQ_INT(rc, b->rc);
		CHECK_EQ_INT(r.err, b->err);
		CHECK_EQ_INT(http_parse_error_status(r.err), b->status);
		if (check_incremental(true, b->in, n, b->rc, b->err, NULL, MAXH))
			printf("  ^ case %zu\n", i);
	}
}

TEST(req_caps)
{
	http_header h[MAXH + 1];
	http_req r;
	buf s = { 0 };
	/* exactly MAXH headers fit, one more is 431 */
	buf_puts(&s, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 1; i < MAXH; i++)
		buf_printf(&s, "X-%d: %d\r\n", i, i);
	buf_puts(&s, "\r\n");
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, h, MAXH, &r), s.len);
	CHECK_EQ_INT(r.nheaders, MAXH);
	buf_truncate(&s, s.len - 2);
	buf_puts(&s, "X-Last: 1\r\n\r\n");
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_TOO_MANY_HEADERS);
	CHECK_EQ_INT(http_parse_error_status(r.err), 431);
	CHECK_EQ_INT(check_incremental(true, s.data, s.len, ERR_TOOBIG, HTTP_PERR_TOO_MANY_HEADERS, NULL, MAXH), 0);
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, h, MAXH + 1, &r), s.len);
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, NULL, 0, &r), ERR_TOOBIG);
	buf_reset(&s);

	/* head size: exactly max_head is fine, one byte more is 431 */
	buf_puts(&s, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	while (s.len < 200 - 4)
		buf_putc(&s, 'v');
	buf_puts(&s, "\r\n\r\n");
	http_limits lim = { .max_head = 200 };
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, &lim, h, MAXH, &r), 200);
	CHECK_EQ_INT(check_incremental(true, s.data, s.len, 200, HTTP_PERR_NONE, &lim, MAXH), 0);
	lim.max_head = 199;
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, &lim, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_HEAD_TOO_LARGE);
	CHECK_EQ_INT(check_incremental(true, s.data, s.len, ERR_TOOBIG, HTTP_PERR_HEAD_TOO_LARGE, &lim, MAXH), 0);
	/* a never-ending head hits the cap even with hints */
	CHECK_EQ_INT(http_parse_request(s.data, 199, 150, &lim, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(http_parse_request(s.data, 198, 150, &lim, h, MAXH, &r), ERR_AGAIN);
	buf_reset(&s);

	/* the default head cap */
	buf_puts(&s, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	while (s.len < LIMIT_HTTP_HEADER_BYTES)
		buf_putc(&s, 'v');
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_HEAD_TOO_LARGE);
	CHECK_EQ_INT(http_parse_request(s.data, s.len - 1, 0, NULL, h, MAXH, &r), ERR_AGAIN);
	buf_reset(&s);

	/* URI: max_uri is fine, one more is 414, even before the line is complete */
	buf_puts(&s, "GET /");
	while (s.len < 5 + 99)
		buf_putc(&s, 'u');
	buf_puts(&s, " HTTP/1.1\r\nHost: a\r\n\r\n");
	lim = (http_limits){ .max_uri = 100 };
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, &lim, h, MAXH, &r), s.len);
	lim.max_uri = 99;
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, &lim, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_URI_TOO_LONG);
	CHECK_EQ_INT(http_parse_error_status(r.err), 414);
	CHECK_EQ_INT(http_parse_request(s.data, 5 + 100, 0, &lim, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(http_parse_request(s.data, 5 + 98, 0, &lim, h, MAXH, &r), ERR_AGAIN);
	CHECK_EQ_INT(check_incremental(true, s.data, s.len, ERR_TOOBIG, HTTP_PERR_URI_TOO_LONG, &lim, MAXH), 0);
	buf_reset(&s);
	/* default URI cap: a 414, not a 431, for a long target */
	buf_puts(&s, "GET /");
	while (s.len < LIMIT_HTTP_URI_BYTES + 10)
		buf_putc(&s, 'u');
	CHECK_EQ_INT(http_parse_request(s.data, s.len, 0, NULL, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_URI_TOO_LONG);
	buf_free(&s);
}

TEST(req_framing_ok)
{
	http_header h[MAXH];
	http_req r;
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &r, h) > 0);
	CHECK(r.chunked);
	CHECK(!r.has_content_length);
	CHECK_EQ_INT(http_parse_req_body(&r), HTTP_BODY_CHUNKED);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n", &r, h) > 0);
	CHECK(r.chunked);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.content_length, 5);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7 , 7,7\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.content_length, 7);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 007\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.content_length, 7);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775807\r\n\r\n", &r, h) > 0);
	CHECK_EQ_INT(r.content_length, INT64_MAX);
	CHECK(REQ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", &r, h) > 0);
	CHECK(r.has_content_length);
	CHECK_EQ_INT(http_parse_req_body(&r), HTTP_BODY_NONE);
}

TEST(req_hint_fast_path)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n";
	http_header h[MAXH];
	http_req r;
	size_t n = sizeof s - 1;
	/* with a hint the answer is AGAIN without a rescan until the end arrives */
	CHECK_EQ_INT(http_parse_request(s, 20, 0, NULL, h, MAXH, &r), ERR_AGAIN);
	CHECK_EQ_INT(http_parse_request(s, n - 1, 20, NULL, h, MAXH, &r), ERR_AGAIN);
	CHECK_EQ_INT(http_parse_request(s, n, n - 1, NULL, h, MAXH, &r), (int)n);
	CHECK_EQ_INT(http_parse_request(s, n, n - 2, NULL, h, MAXH, &r), (int)n);
	CHECK_EQ_INT(http_parse_request(s, n, n - 3, NULL, h, MAXH, &r), (int)n);
	/* a hint >= len is ignored */
	CHECK_EQ_INT(http_parse_request(s, n, n, NULL, h, MAXH, &r), (int)n);
	CHECK_EQ_INT(http_parse_request(s, n, n + 5, NULL, h, MAXH, &r), (int)n);
	/* bare-LF head end found by the fast path */
	static const char l[] = "GET / HTTP/1.1\nHost: a\n\n";
	CHECK_EQ_INT(http_parse_request(l, sizeof l - 1, sizeof l - 2, NULL, h, MAXH, &r), (int)sizeof l - 1);
}

/* ---- responses ------------------------------------------------------------------- */

TEST(resp_simple)
{
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
	http_header h[MAXH];
	http_resp r;
	int n = http_parse_response(s, sizeof s - 1, 0, NULL, h, MAXH, &r);
	CHECK_EQ_INT(n, sizeof s - 3);
	CHECK_EQ_INT(r.status, 200);
	SEQ(r.reason, "OK");
	CHECK_EQ_INT(r.minor, 1);
	CHECK_EQ_INT(r.nheaders, 2);
	CHECK(r.has_content_length && r.content_length == 2);
	CHECK(r.keep_alive);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_POST), HTTP_BODY_LENGTH);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_HEAD), HTTP_BODY_NONE);
	INC_RESP(s, (int)sizeof s - 3);
}

TEST(resp_variants)
{
	http_header h[MAXH];
	http_resp r;
	static const char nr[] = "HTTP/1.1 204\r\n\r\n";
	CHECK_EQ_INT(http_parse_response(nr, sizeof nr - 1, 0, NULL, h, MAXH, &r), sizeof nr - 1);
	CHECK_EQ_INT(r.status, 204);
	CHECK_EQ_INT(r.reason.n, 0);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_GET), HTTP_BODY_NONE);
	INC_RESP(nr, (int)sizeof nr - 1);
	static const char er[] = "HTTP/1.1 404 \r\n\r\n";
	INC_RESP(er, (int)sizeof er - 1);
	static const char odd[] = "HTTP/1.1 503 Service \tUnavailable \xe2\x9c\x93\r\nRetry-After: 3\r\n\r\n";
	CHECK_EQ_INT(http_parse_response(odd, sizeof odd - 1, 0, NULL, h, MAXH, &r), sizeof odd - 1);
	SEQ(r.reason, "Service \tUnavailable \xe2\x9c\x93");
	INC_RESP(odd, (int)sizeof odd - 1);
	static const char h10[] = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until close";
	CHECK(http_parse_response(h10, sizeof h10 - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK(!r.keep_alive);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_GET), HTTP_BODY_EOF);
	static const char ch[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\n";
	CHECK(http_parse_response(ch, sizeof ch - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK(r.chunked && r.keep_alive);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_POST), HTTP_BODY_CHUNKED);
	INC_RESP(ch, (int)sizeof ch - 1);
	static const char both[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n";
	CHECK(http_parse_response(both, sizeof both - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK(r.chunked && !r.has_content_length && !r.keep_alive);
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	int n = http_parse_response(cont, sizeof cont - 1, 0, NULL, h, MAXH, &r);
	CHECK_EQ_INT(n, 25);
	CHECK_EQ_INT(r.status, 100);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_POST), HTTP_BODY_NONE);
	CHECK_EQ_INT(http_parse_response(cont + n, sizeof cont - 1 - (size_t)n, 0, NULL, h, MAXH, &r), sizeof cont - 1 - (size_t)n);
	CHECK_EQ_INT(r.status, 200);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_POST), HTTP_BODY_NONE);
	static const char nm[] = "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n";
	CHECK(http_parse_response(nm, sizeof nm - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_GET), HTTP_BODY_NONE);
	static const char cn[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	CHECK(http_parse_response(cn, sizeof cn - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_CONNECT), HTTP_BODY_NONE);
	CHECK_EQ_INT(http_parse_resp_body(&r, HTTP_METHOD_GET), HTTP_BODY_EOF);
	static const char cl[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx";
	CHECK(http_parse_response(cl, sizeof cl - 1, 0, NULL, h, MAXH, &r) > 0);
	CHECK(!r.keep_alive);
}

static const struct bad_resp {
	const char *in;
	size_t len;
	int rc;
	http_perr err;
} bad_resps[] = {
	B("HTTP/1.1 20 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1 2000 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1 099 Low\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1 600 High\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1 2x0 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1 200 O\x01K\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1  200 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_STATUS),
	B("HTTP/1.1200 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION),
	B("HTTP/2 200 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION),
	B("ICY 200 OK\r\n\r\n", ERR_INVAL, HTTP_PERR_VERSION),
	B("HTTP/2.0 200 OK\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_VERSION_UNSUPPORTED),
	B("HTTP/1.1 200 OK\rX: y\r\n\r\n", ERR_INVAL, HTTP_PERR_LINE_END),
	B("HTTP/1.1 200 OK\r\nX : y\r\n\r\n", ERR_INVAL, HTTP_PERR_HEADER_SPACE),
	B("HTTP/1.1 200 OK\r\nX: y\r\n z\r\n\r\n", ERR_INVAL, HTTP_PERR_OBS_FOLD),
	B("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_TE_UNSUPPORTED),
	B("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ERR_UNSUPPORTED, HTTP_PERR_TE_UNSUPPORTED),
	B("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", ERR_INVAL, HTTP_PERR_TE_INVALID),
	B("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH_DUP),
	B("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", ERR_INVAL, HTTP_PERR_CONTENT_LENGTH),
};

TEST(resp_malformed_table)
{
	for (size_t i = 0; i < sizeof bad_resps / sizeof bad_resps[0]; i++) {
		const struct bad_resp *b = &bad_resps[i];
		size_t n = b->len;
		http_header h[MAXH];
		http_resp r;
		int rc = http_parse_response(b->in, n, 0, NULL, h, MAXH, &r);
		if (rc != b->rc || r.err != b->err)
			printf("  case %zu \"%s\": rc %d err %d\n", i, b->in, rc, (int)r.err);
		CHECK_EQ_INT(rc, b->rc);
		CHECK_EQ_INT(r.err, b->err);
		if (check_incremental(false, b->in, n, b->rc, b->err, NULL, MAXH))
			printf("  ^ case %zu\n", i);
	}
	/* Host is not required in responses, and the response cap default is larger */
	http_header h[MAXH];
	http_resp r;
	buf s = { 0 };
	buf_puts(&s, "HTTP/1.1 200 OK\r\nX: ");
	while (s.len < LIMIT_HTTP_HEADER_BYTES + 100)
		buf_putc(&s, 'v');
	buf_puts(&s, "\r\n\r\n");
	CHECK_EQ_INT(http_parse_response(s.data, s.len, 0, NULL, h, MAXH, &r), s.len);
	http_limits lim = { .max_head = 1000 };
	CHECK_EQ_INT(http_parse_response(s.data, s.len, 0, &lim, h, MAXH, &r), ERR_TOOBIG);
	CHECK_EQ_INT(r.err, HTTP_PERR_HEAD_TOO_LARGE);
	buf_free(&s);
}

/* ---- chunked ---------------------------------------------------------------------- */

/* Decode with pieces of `piece` input bytes and an output window of `win`
 * bytes (0 = big); mode 0: separate dst, 1: in place, 2: drain (dst NULL). */
static int dechunk(const char *in, size_t n, size_t piece, size_t win, int mode, buf *out,
                   size_t *used_total, http_perr *err, size_t max_trailer)
{
	http_chunked c = { .max_trailer = max_trailer };
	char *work = dup_exact(in, n);
	char dst[64 * 1024];
	size_t off = 0;
	int rc = ERR_AGAIN;
	*used_total = 0;
	while (off < n || (piece == 0 && off == 0)) {
		size_t k = piece ? piece : n;
		if (k > n - off)
			k = n - off;
		size_t fed_end = off + k;
		/* the decoder sees [off, fed_end) */
		for (;;) {
			size_t used = 0, made = 0, cap = win ? win : sizeof dst;
			char *d = mode == 0 ? dst : mode == 1 ? work + off : NULL;
			if (mode == 1)
				cap = fed_end - off;
			rc = http_parse_chunked(&c, work + off, fed_end - off, &used, d, cap, &made);
			if (mode != 2)
				buf_append(out, d, made);
			else if (made != 0)
				rc = -999;
			off += used;
			*used_total += used;
			if (rc != ERR_AGAIN || off == fed_end || mode == 1)
				break;
		}
		if (rc != ERR_AGAIN)
			break;
		if (mode == 1 && off < fed_end) { /* in place never stalls */
			rc = -998;
			break;
		}
		if (n == 0)
			break;
	}
	if (mode == 2)
		buf_printf(out, "[%llu]", (unsigned long long)c.total);
	*err = c.err;
	free(work);
	return rc;
}

/* All feeding patterns agree with each other and with `want`. */
static int check_chunked(const char *in, size_t n, int want_rc, const char *want, size_t want_len,
                         size_t want_used, http_perr want_err)
{
	int bad = 0;
	static const size_t pieces[] = { 0, 1, 2, 3, 7, 64 };
	static const size_t wins[] = { 0, 1, 5 };
	for (size_t pi = 0; pi < sizeof pieces / sizeof pieces[0]; pi++)
		for (size_t wi = 0; wi < sizeof wins / sizeof wins[0]; wi++)
			for (int mode = 0; mode < 3; mode++) {
				if (mode != 0 && wi)
					continue;
				buf out = { 0 };
				size_t used;
				http_perr e;
				int rc = dechunk(in, n, pieces[pi], wins[wi], mode, &out, &used, &e, 0);
				bool ok = rc == want_rc && e == want_err;
				if (want_rc == 0)
					ok = ok && used == want_used;
				if (mode != 2 && want_rc == 0)
					ok = ok && out.len == want_len && !memcmp(out.data ? out.data : "", want, want_len);
				if (mode == 2 && want_rc == 0) {
					char tot[32];
					snprintf(tot, sizeof tot, "[%zu]", want_len);
					ok = ok && out.data && !strcmp(out.data, tot);
				}
				if (!ok) {
					printf("  piece %zu win %zu mode %d: rc %d err %d used %zu out %zu \"%.*s\"\n",
					       pieces[pi], wins[wi], mode, rc, (int)e, used, out.len, (int)out.len,
					       out.data ? out.data : "");
					bad++;
				}
				buf_free(&out);
			}
	/* every prefix, fed at once to a fresh decoder: never done early, and an
	 * error only where the whole input has it */
	for (size_t k = 0; k < n && bad < 3; k++) {
		http_chunked c = { 0 };
		char *p = dup_exact(in, k);
		char *d = malloc(k + 1);
		size_t used, made;
		int rc = http_parse_chunked(&c, p, k, &used, d, k + 1, &made);
		bool ok = want_rc == 0 && k < want_used ? rc == ERR_AGAIN && used == k
		          : want_rc == 0 ? rc == 0 && used == want_used
		                         : rc == ERR_AGAIN || (rc == want_rc && c.err == want_err);
		if (!ok) {
			printf("  prefix %zu: rc %d err %d used %zu\n", k, rc, (int)c.err, used);
			bad++;
		}
		free(p);
		free(d);
	}
	return bad;
}

#define CHUNK_OK(in, data, used) CHECK_EQ_INT(check_chunked(in, sizeof(in) - 1, 0, data, sizeof(data) - 1, used, HTTP_PERR_NONE), 0)
#define CHUNK_BAD(in, rc, e) CHECK_EQ_INT(check_chunked(in, sizeof(in) - 1, rc, "", 0, 0, e), 0)

TEST(chunked_ok)
{
	CHUNK_OK("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 26);
	CHUNK_OK("0\r\n\r\n", "", 5);
	CHUNK_OK("A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij", 35);
	CHUNK_OK("0005\r\nhello\r\n000\r\n\r\n", "hello", 20);
	CHUNK_OK("5;name=value;x=\"q s\"\r\nhello\r\n0;last\r\n\r\n", "hello", 39);
	CHUNK_OK("5 ;a\r\nhello\r\n0\t; b\r\n\r\n", "hello", 22);
	CHUNK_OK("3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY: \t two words\r\nZ:\r\n\r\n", "abc", 47);
	/* pipelined bytes after the body stay unconsumed */
	CHUNK_OK("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", "abc", 13);
	CHUNK_OK("2\r\n\r\n\r\n0\r\n\r\n\r\n", "\r\n", 12);
	/* SSE over chunked, one event per chunk */
	CHUNK_OK("e\r\ndata: {\"a\":1}\n\r\n0d\r\ndata: [DONE]\n\r\n0\r\n\r\n", "data: {\"a\":1}\ndata: [DONE]\n", 43);
}

TEST(chunked_bad)
{
	CHUNK_BAD("x\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("-5\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("+5\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD(" 5\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("0x5\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("5 \r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("5 x\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("5g\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("5;a\x01\r\nhello\r\n", ERR_INVAL, HTTP_PERR_CHUNK_SIZE);
	CHUNK_BAD("5\nhello\r\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5;ext\nhello\r\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5\r\rhello\r\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5\r\nhelloX\r\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5\r\nhello\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5\r\nhello\r\r0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("5\r\nhell\r\n0\r\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("0\r\n\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("0\r\n\r\r", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("0\n\r\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHUNK_BAD("10000000000000000\r\n", ERR_INVAL, HTTP_PERR_CHUNK_OVERFLOW);
	CHUNK_BAD("8000000000000000\r\n", ERR_INVAL, HTTP_PERR_CHUNK_OVERFLOW);
	CHUNK_BAD("ffffffffffffffffffffffff\r\n", ERR_INVAL, HTTP_PERR_CHUNK_OVERFLOW);
	/* trailers */
	CHUNK_BAD("0\r\nbad line\r\n\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\nX : y\r\n\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\n folded: y\r\n\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\nX: a\x01\r\n\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\nX: a\r\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\nX: a\n\r\n", ERR_INVAL, HTTP_PERR_TRAILER);
	CHUNK_BAD("0\r\nX: a\r\n\n", ERR_INVAL, HTTP_PERR_CHUNK_CRLF);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_CHUNK_SIZE), 400);
}

TEST(chunked_limits)
{
	/* the largest size is accepted (and then waits for data) */
	http_chunked c = { 0 };
	size_t used, made;
	char out[8];
	static const char big[] = "7fffffffffffffff\r\nab";
	CHECK_EQ_INT(http_parse_chunked(&c, big, sizeof big - 1, &used, out, sizeof out, &made), ERR_AGAIN);
	CHECK_EQ_INT(used, sizeof big - 1);
	CHECK_EQ_INT(made, 2);
	/* a long extension line */
	buf s = { 0 };
	buf_puts(&s, "1;");
	while (s.len < LIMIT_HTTP_CHUNK_LINE_BYTES - 2)
		buf_putc(&s, 'e');
	buf_puts(&s, "\r\nx\r\n0\r\n\r\n"); /* line of exactly the cap incl. CRLF */
	CHECK_EQ_INT(check_chunked(s.data, s.len, 0, "x", 1, s.len, HTTP_PERR_NONE), 0);
	buf_reset(&s);
	buf_puts(&s, "1;");
	while (s.len < LIMIT_HTTP_CHUNK_LINE_BYTES - 1)
		buf_putc(&s, 'e');
	buf_puts(&s, "\r\nx\r\n0\r\n\r\n");
	CHECK_EQ_INT(check_chunked(s.data, s.len, ERR_INVAL, "", 0, 0, HTTP_PERR_CHUNK_LINE_TOO_LONG), 0);
	buf_reset(&s);
	/* trailer cap */
	buf_puts(&s, "0\r\nX: ");
	while (s.len < 100)
		buf_putc(&s, 't');
	buf_puts(&s, "\r\n\r\n");
	size_t tr = s.len - 3; /* trailer section bytes after "0\r\n" */
	size_t u;
	http_perr e;
	buf o = { 0 };
	CHECK_EQ_INT(dechunk(s.data, s.len, 1, 0, 0, &o, &u, &e, tr), 0);
	CHECK_EQ_INT(dechunk(s.data, s.len, 0, 0, 0, &o, &u, &e, tr - 1), ERR_TOOBIG);
	CHECK_EQ_INT(e, HTTP_PERR_TRAILER_TOO_LARGE);
	CHECK_EQ_INT(http_parse_error_status(e), 431);
	buf_free(&o);
	buf_free(&s);
}

TEST(chunked_api)
{
	http_chunked c = { 0 };
	size_t used, made;
	char out[32];
	static const char s[] = "3\r\nabc\r\n0\r\n\r\nNEXT";
	CHECK_EQ_INT(http_parse_chunked(&c, s, sizeof s - 1, &used, out, sizeof out, &made), 0);
	CHECK_EQ_INT(used, 13);
	CHECK_EQ_INT(made, 3);
	CHECK_EQ_INT(c.total, 3);
	/* done stays done and consumes nothing */
	CHECK_EQ_INT(http_parse_chunked(&c, s + used, 4, &used, out, sizeof out, &made), 0);
	CHECK_EQ_INT(used, 0);
	CHECK_EQ_INT(made, 0);
	/* errors are sticky */
	http_chunked d = { 0 };
	CHECK_EQ_INT(http_parse_chunked(&d, "z", 1, &used, out, sizeof out, &made), ERR_INVAL);
	CHECK_EQ_INT(http_parse_chunked(&d, "0\r\n\r\n", 5, &used, out, sizeof out, &made), ERR_INVAL);
	CHECK_EQ_INT(used, 0);
	CHECK_EQ_INT(d.err, HTTP_PERR_CHUNK_SIZE);
	/* a full dst stops early; the rest is taken on the next call */
	http_chunked e = { 0 };
	static const char t[] = "a\r\n0123456789\r\n0\r\n\r\n";
	CHECK_EQ_INT(http_parse_chunked(&e, t, sizeof t - 1, &used, out, 4, &made), ERR_AGAIN);
	CHECK_EQ_INT(made, 4);
	CHECK_EQ_INT(used, 7);
	size_t u2;
	CHECK_EQ_INT(http_parse_chunked(&e, t + used, sizeof t - 1 - used, &u2, out, sizeof out, &made), 0);
	CHECK_EQ_INT(made, 6);
	CHECK_EQ_INT(used + u2, sizeof t - 1);
	/* empty input */
	http_chunked f = { 0 };
	CHECK_EQ_INT(http_parse_chunked(&f, "", 0, &used, out, sizeof out, &made), ERR_AGAIN);
	CHECK_EQ_INT(used, 0);
}

/* ---- helpers ---------------------------------------------------------------------- */

TEST(pct_decode)
{
	char out[64];
	size_t n;
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("/a%20b/%7e%7E"), out, sizeof out, 0, &n), 0);
	CHECK_EQ_MEM(out, n, "/a b/~~", 7);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("a+b%2B"), out, sizeof out, 0, &n), 0);
	CHECK_EQ_MEM(out, n, "a+b+", 4);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("a+b%2B"), out, sizeof out, HTTP_PCT_PLUS, &n), 0);
	CHECK_EQ_MEM(out, n, "a b+", 4);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%"), out, sizeof out, 0, &n), ERR_INVAL);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%4"), out, sizeof out, 0, &n), ERR_INVAL);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%4g"), out, sizeof out, 0, &n), ERR_INVAL);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%g4"), out, sizeof out, 0, &n), ERR_INVAL);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("a%00b"), out, sizeof out, 0, &n), ERR_INVAL);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("a%00b"), out, sizeof out, HTTP_PCT_ALLOW_NUL, &n), 0);
	CHECK_EQ_MEM(out, n, "a\0b", 3);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%ff%C3%A9"), out, sizeof out, 0, &n), 0);
	CHECK_EQ_MEM(out, n, "\xff\xc3\xa9", 3);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("abcd"), out, 3, 0, &n), ERR_TOOBIG);
	CHECK_EQ_INT(http_parse_pct_decode(STR_LIT("%41bc"), out, 3, 0, &n), 0);
	CHECK_EQ_INT(http_parse_pct_decode(STR_NULL, out, 0, 0, &n), 0);
	CHECK_EQ_INT(n, 0);
	/* in place */
	char ip[] = "x%2Fy%3f+z";
	CHECK_EQ_INT(http_parse_pct_decode(str_from(ip), ip, sizeof ip, HTTP_PCT_PLUS, &n), 0);
	CHECK_EQ_MEM(ip, n, "x/y? z", 6);
}

TEST(query_get)
{
	str v;
	str q = STR_LIT("model=gpt-4o&limit=10&flag&empty=&a%20b=x&limit=20&&last=%41");
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("limit"), &v), 0);
	SEQ(v, "10");
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("model"), &v), 0);
	SEQ(v, "gpt-4o");
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("flag"), &v), 0);
	CHECK_EQ_INT(v.n, 0);
	CHECK(v.p != NULL);
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("empty"), &v), 0);
	CHECK_EQ_INT(v.n, 0);
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("a%20b"), &v), 0);
	SEQ(v, "x");
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("last"), &v), 0);
	SEQ(v, "%41");
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("lim"), &v), ERR_NOTFOUND);
	CHECK_EQ_INT(http_parse_query_get(q, STR_LIT("Model"), &v), ERR_NOTFOUND);
	CHECK_EQ_INT(http_parse_query_get(STR_NULL, STR_LIT("a"), &v), ERR_NOTFOUND);
	CHECK_EQ_INT(http_parse_query_get(STR_LIT("a=1=2"), STR_LIT("a"), &v), 0);
	SEQ(v, "1=2");
}

TEST(list_and_find)
{
	CHECK(http_parse_list_has(STR_LIT("keep-alive, Upgrade"), STR_LIT("upgrade")));
	CHECK(http_parse_list_has(STR_LIT(" gzip ; q=0.5 , br"), STR_LIT("gzip")));
	CHECK(http_parse_list_has(STR_LIT(",,close,,"), STR_LIT("close")));
	CHECK(!http_parse_list_has(STR_LIT("closed"), STR_LIT("close")));
	CHECK(!http_parse_list_has(STR_LIT(""), STR_LIT("close")));
	http_header h[] = { { STR_LIT("Content-Type"), STR_LIT("a") }, { STR_LIT("X"), STR_LIT("1") },
		            { STR_LIT("x"), STR_LIT("2") } };
	CHECK(http_parse_header_find(h, 3, STR_LIT("CONTENT-TYPE")) == &h[0]);
	CHECK(http_parse_header_find(h, 3, STR_LIT("x")) == &h[1]);
	CHECK(http_parse_header_find(h, 3, STR_LIT("y")) == NULL);
	CHECK(http_parse_header_find(NULL, 0, STR_LIT("y")) == NULL);
}

TEST(error_mapping)
{
	for (int e = 0; e < HTTP_PERR__COUNT; e++) {
		int s = http_parse_error_status((http_perr)e);
		CHECK(e == 0 ? s == 0 : (s == 400 || s == 414 || s == 431 || s == 501 || s == 505));
		CHECK(http_parse_error_str((http_perr)e)[0] != '\0');
	}
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_TOO_MANY_HEADERS), 431);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_HEAD_TOO_LARGE), 431);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_URI_TOO_LONG), 414);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_TE_UNSUPPORTED), 501);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR_VERSION_UNSUPPORTED), 505);
	CHECK_EQ_INT(http_parse_error_status(HTTP_PERR__COUNT), 400);
	CHECK(http_parse_error_str(HTTP_PERR__COUNT) != NULL);
}

int main(void)
{
	RUN(req_simple);
	RUN(req_post_body_pipelined);
	RUN(req_pipelined_loop);
	RUN(req_versions_and_connection);
	RUN(req_line_endings);
	RUN(req_fields);
	RUN(req_target_forms);
	RUN(req_every_byte);
	RUN(req_scan_positions);
	RUN(req_malformed_table);
	RUN(req_caps);
	RUN(req_framing_ok);
	RUN(req_hint_fast_path);
	RUN(resp_simple);
	RUN(resp_variants);
	RUN(resp_malformed_table);
	RUN(chunked_ok);
	RUN(chunked_bad);
	RUN(chunked_limits);
	RUN(chunked_api);
	RUN(pct_decode);
	RUN(query_get);
	RUN(list_and_find);
	RUN(error_mapping);
	return t_done();
}
