/* test_http_msg.c — head and chunk writers: exact bytes, validation (no
 * response splitting), all-or-nothing on errors, and round trips through
 * the parsers in http_parse. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/http_msg.h"
#include "http/http_parse.h"
#include <stdlib.h>

TEST(msg_reason)
{
	CHECK_EQ_STR(http_msg_reason(200), "OK");
	CHECK_EQ_STR(http_msg_reason(404), "Not Found");
	CHECK_EQ_STR(http_msg_reason(413), "Content Too Large");
	CHECK_EQ_STR(http_msg_reason(431), "Request Header Fields Too Large");
	CHECK_EQ_STR(http_msg_reason(429), "Too Many Requests");
	CHECK_EQ_STR(http_msg_reason(505), "HTTP Version Not Supported");
	CHECK_EQ_STR(http_msg_reason(299), "");
	CHECK_EQ_STR(http_msg_reason(-1), "");
	/* every parse error status has a phrase */
	for (int e = 1; e < HTTP_PERR__COUNT; e++)
		CHECK(http_msg_reason(http_parse_error_status((http_perr)e))[0] != '\0');
}

/* Every byte value against an independent statement of RFC 9110 tchar. */
TEST(msg_token_every_byte)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	int ntok = 0;
	for (int c = 0; c < 256; c++) {
		bool want = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            (c != 0 && memchr(extra, c, sizeof extra - 1) != NULL);
		char one = (char)c;
		char three[3] = { 'a', (char)c, 'z' };
		if (http_msg_token_ok((str){ &one, 1 }) != want)
			T_FAIL_AT("byte 0x%02x alone: token_ok != %d", c, want);
		if (http_msg_token_ok((str){ three, 3 }) != want)
			T_FAIL_AT("byte 0x%02x inside: token_ok != %d", c, want);
		ntok += want;
	}
	CHECK_EQ_INT(ntok, 26 + 26 + 10 + 15);
}

TEST(msg_validators)
{
	CHECK(http_msg_token_ok(STR_LIT("Content-Type")));
	CHECK(http_msg_token_ok(STR_LIT("!#$%&'*+-.^_`|~")));
	CHECK(!http_msg_token_ok(STR_LIT("")));
	CHECK(!http_msg_token_ok(STR_LIT("a b")));
	CHECK(!http_msg_token_ok(STR_LIT("a:b")));
	CHECK(!http_msg_token_ok(STR_LIT("a\r\nb")));
	CHECK(!http_msg_token_ok((str){ "a\0b", 3 }));
	CHECK(http_msg_value_ok(STR_LIT("")));
	CHECK(http_msg_value_ok(STR_LIT("text/html; charset=utf-8")));
	CHECK(http_msg_value_ok(STR_LIT("a\tb \xc3\xa9")));
	CHECK(!http_msg_value_ok(STR_LIT("a\r\nSet-Cookie: x=1")));
	CHECK(!http_msg_value_ok(STR_LIT("a\nb")));
	CHECK(!http_msg_value_ok(STR_LIT("a\rb")));
	CHECK(!http_msg_value_ok((str){ "a\0b", 3 }));
	CHECK(!http_msg_value_ok(STR_LIT("a\x7f")));
	CHECK(!http_msg_value_ok(STR_LIT("a\x01")));
	CHECK(!http_msg_value_ok(STR_LIT(" a")));
	CHECK(!http_msg_value_ok(STR_LIT("a\t")));
	/* the writer and the parser agree on every byte */
	for (int c = 0; c < 256; c++) {
		char v[3] = { 'a', (char)c, 'b' };
		char name[3] = { 'X', (char)c, 'Y' };
		buf b = { 0 };
		buf_puts(&b, "GET / HTTP/1.1\r\nHost: h\r\n");
		int w = http_msg_header(&b, STR_LIT("X"), (str){ v, 3 });
		buf_puts(&b, "\r\n");
		http_header h[4];
		http_req r;
		int p = http_parse_request(b.data, b.len, 0, NULL, h, 4, &r);
		if (w == 0) {
			CHECK(p > 0);
			CHECK(r.nheaders == 2 && str_eq(r.headers[1].value, (str){ v, 3 }));
		}
		CHECK_EQ_INT(w == 0, c == '\t' || (c >= 0x20 && c != 0x7f));
		buf_reset(&b);
		int wn = http_msg_header(&b, (str){ name, 3 }, STR_LIT("v"));
		CHECK_EQ_INT(wn == 0, http_msg_token_ok((str){ name, 3 }));
		buf_free(&b);
	}
}

TEST(msg_status_and_headers)
{
	buf b = { 0 };
	CHECK_EQ_INT(http_msg_status_line(&b, 200, STR_NULL), 0);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("Content-Type"), STR_LIT("application/json")), 0);
	CHECK_EQ_INT(http_msg_header_u64(&b, STR_LIT("Content-Length"), 2), 0);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("X-Empty"), STR_LIT("")), 0);
	CHECK_EQ_INT(http_msg_end(&b), 0);
	CHECK_EQ_STR(b.data, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-Empty: \r\n\r\n");
	/* read back */
	http_header h[8];
	http_resp r;
	CHECK_EQ_INT(http_parse_response(b.data, b.len, 0, NULL, h, 8, &r), b.len);
	CHECK_EQ_INT(r.status, 200);
	CHECK(r.has_content_length && r.content_length == 2);
	CHECK_EQ_INT(r.nheaders, 3);
	buf_reset(&b);
	CHECK_EQ_INT(http_msg_status_line(&b, 299, STR_NULL), 0);
	CHECK_EQ_STR(b.data, "HTTP/1.1 299 \r\n");
	buf_reset(&b);
	CHECK_EQ_INT(http_msg_status_line(&b, 404, STR_LIT("Nope")), 0);
	CHECK_EQ_STR(b.data, "HTTP/1.1 404 Nope\r\n");
	buf_reset(&b);
	CHECK_EQ_INT(http_msg_header_u64(&b, STR_LIT("N"), UINT64_MAX), 0);
	CHECK_EQ_INT(http_msg_header_u64(&b, STR_LIT("Z"), 0), 0);
	CHECK_EQ_STR(b.data, "N: 18446744073709551615\r\nZ: 0\r\n");
	/* invalid input: error, buffer untouched */
	size_t len = b.len;
	CHECK_EQ_INT(http_msg_status_line(&b, 99, STR_NULL), ERR_INVAL);
	CHECK_EQ_INT(http_msg_status_line(&b, 600, STR_NULL), ERR_INVAL);
	CHECK_EQ_INT(http_msg_status_line(&b, 200, STR_LIT("OK\r\nX: y")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("X"), STR_LIT("a\r\n\r\n<html>")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("X\r\nY"), STR_LIT("a")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT(""), STR_LIT("a")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("X"), (str){ "a\0b", 3 }), ERR_INVAL);
	CHECK_EQ_INT(b.len, len);
	buf_free(&b);
	/* the cap: all or nothing */
	buf_init(&b, 30);
	CHECK_EQ_INT(http_msg_status_line(&b, 200, STR_NULL), 0); /* 17 bytes */
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("Server"), STR_LIT("liter")), ERR_TOOBIG);
	CHECK_EQ_INT(b.len, 17);
	CHECK_EQ_STR(b.data, "HTTP/1.1 200 OK\r\n");
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("A"), STR_LIT("b")), 0);
	CHECK_EQ_INT(http_msg_end(&b), 0);
	CHECK_EQ_INT(b.len, 25);
	buf_free(&b);
}

TEST(msg_request_line)
{
	buf b = { 0 };
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("POST"), STR_LIT("/v1/messages?beta=true")), 0);
	CHECK_EQ_INT(http_msg_header(&b, STR_LIT("Host"), STR_LIT("api.anthropic.com")), 0);
	CHECK_EQ_INT(http_msg_header_u64(&b, STR_LIT("Content-Length"), 0), 0);
	CHECK_EQ_INT(http_msg_end(&b), 0);
	CHECK_EQ_STR(b.data, "POST /v1/messages?beta=true HTTP/1.1\r\nHost: api.anthropic.com\r\nContent-Length: 0\r\n\r\n");
	http_header h[8];
	http_req r;
	CHECK_EQ_INT(http_parse_request(b.data, b.len, 0, NULL, h, 8, &r), b.len);
	CHECK_EQ_INT(r.method, HTTP_METHOD_POST);
	CHECK(str_eq(r.query, STR_LIT("beta=true")));
	size_t len = b.len;
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("GE T"), STR_LIT("/")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("GET"), STR_LIT("")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("GET"), STR_LIT("/a b")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("GET"), STR_LIT("/a\r\nX: y")), ERR_INVAL);
	CHECK_EQ_INT(http_msg_request_line(&b, STR_LIT("GET"), STR_LIT("/\xc3\xa9")), ERR_INVAL);
	CHECK_EQ_INT(b.len, len);
	buf_free(&b);
}

TEST(msg_chunks)
{
	char head[HTTP_MSG_CHUNK_HEAD_MAX];
	CHECK_EQ_INT(http_msg_chunk_head(head, 0), 3);
	CHECK_EQ_STR(head, "0\r\n");
	CHECK_EQ_INT(http_msg_chunk_head(head, 255), 4);
	CHECK_EQ_STR(head, "ff\r\n");
	CHECK_EQ_INT(http_msg_chunk_head(head, UINT64_MAX), 18);
	CHECK_EQ_STR(head, "ffffffffffffffff\r\n");

	buf b = { 0 };
	CHECK_EQ_INT(http_msg_chunk(&b, "hello", 5), 0);
	CHECK_EQ_INT(http_msg_chunk(&b, "", 0), 0); /* nothing: 0 would end the body */
	CHECK_EQ_INT(http_msg_chunk(&b, " world, this is chunk two", 25), 0);
	CHECK_EQ_INT(http_msg_chunk_end(&b), 0);
	CHECK_EQ_STR(b.data, "5\r\nhello\r\n19\r\n world, this is chunk two\r\n0\r\n\r\n");
	/* read back, byte by byte */
	http_chunked c = { 0 };
	char out[64];
	size_t total = 0, usedall = 0;
	int rc = ERR_AGAIN;
	for (size_t i = 0; i < b.len && rc == ERR_AGAIN; i++) {
		size_t used, made;
		rc = http_parse_chunked(&c, b.data + i, 1, &used, out + total, sizeof out - total, &made);
		total += made;
		usedall += used;
	}
	CHECK_EQ_INT(rc, 0);
	CHECK_EQ_INT(usedall, b.len);
	CHECK_EQ_MEM(out, total, "hello world, this is chunk two", 30);
	/* a big chunk round trip */
	buf_reset(&b);
	char *big = malloc(70000);
	for (int i = 0; i < 70000; i++)
		big[i] = (char)(i * 7);
	CHECK_EQ_INT(http_msg_chunk(&b, big, 70000), 0);
	CHECK_EQ_INT(http_msg_chunk_end(&b), 0);
	CHECK(!memcmp(b.data, "11170\r\n", 7));
	http_chunked d = { 0 };
	size_t used, made;
	char *dst = malloc(70000);
	CHECK_EQ_INT(http_parse_chunked(&d, b.data, b.len, &used, dst, 70000, &made), 0);
	CHECK_EQ_INT(made, 70000);
	CHECK(!memcmp(dst, big, 70000));
	free(dst);
	free(big);
	/* the cap: all or nothing */
	buf_free(&b);
	buf_init(&b, 9);
	CHECK_EQ_INT(http_msg_chunk(&b, "abcde", 5), ERR_TOOBIG); /* 3 + 5 + 2 = 10 > 9 */
	CHECK_EQ_INT(b.len, 0);
	buf_free(&b);
	buf_init(&b, 10);
	CHECK_EQ_INT(http_msg_chunk(&b, "abcd", 4), 0);
	CHECK_EQ_INT(b.len, 9);
	CHECK_EQ_INT(http_msg_chunk_end(&b), ERR_TOOBIG);
	CHECK_EQ_INT(b.len, 9);
	buf_free(&b);
}

TEST(msg_date)
{
	char d[HTTP_MSG_DATE_LEN + 1];
	CHECK_EQ_INT(http_msg_date(d, 784111777), 0);
	CHECK_EQ_STR(d, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK_EQ_INT(http_msg_date(d, 0), 0);
	CHECK_EQ_STR(d, "Thu, 01 Jan 1970 00:00:00 GMT");
	CHECK_EQ_INT(http_msg_date(d, 951782400), 0); /* leap day 2000 */
	CHECK_EQ_STR(d, "Tue, 29 Feb 2000 00:00:00 GMT");
	CHECK_EQ_INT(http_msg_date(d, 1700000000), 0);
	CHECK_EQ_STR(d, "Tue, 14 Nov 2023 22:13:20 GMT");
	CHECK_EQ_INT(http_msg_date(d, 4102444799), 0);
	CHECK_EQ_STR(d, "Thu, 31 Dec 2099 23:59:59 GMT");
	CHECK_EQ_INT(http_msg_date(d, 253402300799), 0);
	CHECK_EQ_STR(d, "Fri, 31 Dec 9999 23:59:59 GMT");
	CHECK_EQ_INT(strlen(d), HTTP_MSG_DATE_LEN);
	CHECK_EQ_INT(http_msg_date(d, -1), ERR_RANGE);
	CHECK_EQ_INT(http_msg_date(d, 253402300800), ERR_RANGE);
}

int main(void)
{
	RUN(msg_reason);
	RUN(msg_validators);
	RUN(msg_token_every_byte);
	RUN(msg_status_and_headers);
	RUN(msg_request_line);
	RUN(msg_chunks);
	RUN(msg_date);
	return t_done();
}
