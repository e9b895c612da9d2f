/* test_sse.c — SSE encoder and decoder: WHATWG parsing rules, every split
 * point and byte-by-byte feeding give the same events, caps, round trips. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/limits.h"
#include "http/sse.h"
#include <stdlib.h>

/* Events serialised as "<type>|<id>|<data>;" with lengths, for comparison. */
static void rec(buf *out, const sse_event *ev)
{
	buf_printf(out, "%zu:" STR_FMT "|%zu:" STR_FMT "|%zu:", ev->type.n, STR_ARG(ev->type), ev->id.n,
	           STR_ARG(ev->id), ev->data.n);
	buf_append(out, ev->data.p, ev->data.n);
	buf_puts(out, ";");
}

/* Feed in pieces of the given sizes (cycled; 0 = all at once); returns the
 * final status (0 or error) and fills out. */
static int run(const char *in, size_t n, size_t piece, size_t cap, buf *out)
{
	sse_decoder d;
	sse_decoder_init(&d, cap);
	int rc = 0;
	size_t off = 0;
	while (off < n) {
		size_t k = piece ? piece : n;
		if (k > n - off)
			k = n - off;
		const char *p = in + off;
		size_t left = k;
		for (;;) {
			size_t used = 0;
			sse_event ev;
			rc = sse_decoder_feed(&d, p, left, &used, &ev);
			if (rc < 0)
				goto done;
			if (used > left) {
				rc = -999;
				goto done;
			}
			p += used;
			left -= used;
			if (rc == 1) {
				rec(out, &ev);
				continue;
			}
			if (left != 0)
				rc = -998;
			break;
		}
		off += k;
	}
done:
	sse_decoder_free(&d);
	return rc;
}

/* Whole, every two-way split, byte by byte: all equal `expect`. */
static int check_all_splits(const char *in, size_t n, const char *expect, int expect_rc, size_t cap)
{
	int bad = 0;
	buf a = { 0 };
	int rc = run(in, n, 0, cap, &a);
	if (rc != expect_rc || strcmp(a.data ? a.data : "", expect)) {
		printf("  whole: rc %d, got \"%s\"\n  expected \"%s\"\n", rc, a.data ? a.data : "", expect);
		bad++;
	}
	buf_free(&a);
	rc = run(in, n, 1, cap, &a);
	if (rc != expect_rc || strcmp(a.data ? a.data : "", expect)) {
		printf("  byte by byte: rc %d, got \"%s\"\n", rc, a.data ? a.data : "");
		bad++;
	}
	buf_free(&a);
	for (size_t k = 1; k < n; k++) {
		sse_decoder d;
		sse_decoder_init(&d, cap);
		size_t cuts[2] = { k, n - k };
		const char *p = in;
		int r = 0;
		for (int part = 0; part < 2 && r >= 0; part++) {
			size_t left = cuts[part];
			for (;;) {
				size_t used;
				sse_event ev;
				r = sse_decoder_feed(&d, p, left, &used, &ev);
				if (r < 0)
					break;
				p += used;
				left -= used;
				if (r == 1) {
					rec(&a, &ev);
					continue;
				}
				break;
			}
		}
		if ((r < 0 ? r : 0) != expect_rc || strcmp(a.data ? a.data : "", expect)) {
			printf("  split at %zu: rc %d, got \"%s\"\n", k, r, a.data ? a.data : "");
			bad++;
		}
		sse_decoder_free(&d);
		buf_free(&a);
		if (bad > 3)
			break;
	}
	return bad;
}

#define SPLITS(in, expect) CHECK_EQ_INT(check_all_splits(in, sizeof(in) - 1, expect, 0, 0), 0)

TEST(sse_basic)
{
	SPLITS("data: hello\n\n", "7:message|0:|5:hello;");
	SPLITS("data:hello\n\n", "7:message|0:|5:hello;");
	SPLITS("data:  two spaces\n\n", "7:message|0:|11: two spaces;");
	SPLITS("data: a\ndata: b\n\n", "7:message|0:|3:a\nb;");
	SPLITS("data\n\n", "7:message|0:|0:;");
	SPLITS("data:\n\n", "7:message|0:|0:;");
	SPLITS("data: x\n\ndata: y\n\n", "7:message|0:|1:x;7:message|0:|1:y;");
	SPLITS("data: [DONE]\n\n", "7:message|0:|6:[DONE];");
	SPLITS("data: a:b:c\n\n", "7:message|0:|5:a:b:c;");
}

TEST(sse_line_endings)
{
	SPLITS("data: a\r\ndata: b\r\n\r\n", "7:message|0:|3:a\nb;");
	SPLITS("data: a\rdata: b\r\r", "7:message|0:|3:a\nb;");
	SPLITS("data: a\r\n\rdata: b\n\r\n", "7:message|0:|1:a;7:message|0:|1:b;");
	/* CR LF must count as one line end even when split across feeds */
	SPLITS("data: a\r\n\r\n", "7:message|0:|1:a;");
	SPLITS("\r\n\r\n\n\rdata: z\n\n", "7:message|0:|1:z;");
}

TEST(sse_fields)
{
	SPLITS("event: ping\ndata: 1\n\n", "4:ping|0:|1:1;");
	/* event type resets after each dispatch, even without data */
	SPLITS("event: a\n\ndata: 1\n\n", "7:message|0:|1:1;");
	SPLITS("event: a\nevent: b\ndata: 1\n\n", "1:b|0:|1:1;");
	/* the last event ID persists across events */
	SPLITS("id: 7\ndata: a\n\ndata: b\n\nid\ndata: c\n\n",
	       "7:message|1:7|1:a;7:message|1:7|1:b;7:message|0:|1:c;");
	/* id with NUL is ignored */
	static const char nul_id[] = "id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n";
	CHECK_EQ_INT(check_all_splits(nul_id, sizeof nul_id - 1, "7:message|1:1|1:a;7:message|1:1|1:b;", 0, 0), 0);
	/* NUL in data passes through */
	static const char nul_data[] = "data: a\0b\n\n";
	CHECK_EQ_INT(check_all_splits(nul_data, sizeof nul_data - 1, "7:message|0:|3:a\0b;", 0, 0), 0);
	/* unknown fields and a field with no colon are ignored */
	SPLITS("foo: bar\nDATA: x\ndata: y\n\n", "7:message|0:|1:y;");
	/* comments */
	SPLITS(": keep-alive\n\n:\n\ndata: a\n: inside\ndata: b\n\n", "7:message|0:|3:a\nb;");
	/* no data: no event */
	SPLITS("event: x\nid: 3\n\n", "");
	SPLITS("id: 3\n\ndata: q\n\n", "7:message|1:3|1:q;");
}

TEST(sse_retry)
{
	sse_decoder d = { 0 };
	size_t used;
	sse_event ev;
	static const char s1[] = "retry: 1500\n";
	CHECK_EQ_INT(sse_decoder_feed(&d, s1, sizeof s1 - 1, &used, &ev), 0);
	CHECK(d.has_retry);
	CHECK_EQ_INT(d.retry_ms, 1500);
	static const char s2[] = "retry: 15x\nretry:\nretry: -1\nretry: 99999999999999999999999\n";
	CHECK_EQ_INT(sse_decoder_feed(&d, s2, sizeof s2 - 1, &used, &ev), 0);
	CHECK_EQ_INT(d.retry_ms, 1500);
	static const char s3[] = "retry:0\n";
	CHECK_EQ_INT(sse_decoder_feed(&d, s3, sizeof s3 - 1, &used, &ev), 0);
	CHECK_EQ_INT(d.retry_ms, 0);
	sse_decoder_reset(&d);
	CHECK(!d.has_retry);
	sse_decoder_free(&d);
	sse_decoder_free(NULL);
}

TEST(sse_bom)
{
	SPLITS("\xef\xbb\xbf" "data: a\n\n", "7:message|0:|1:a;");
	/* only one BOM, only at the start: a second one is part of the field name */
	SPLITS("\xef\xbb\xbf\xef\xbb\xbf" "data: a\n\ndata: b\n\n", "7:message|0:|1:b;");
	/* a partial BOM is line content */
	SPLITS("\xef\xbb" "data: a\n\ndata: b\n\n", "7:message|0:|1:b;");
	SPLITS("\xef" "\n" "data: b\n\n", "7:message|0:|1:b;");
	SPLITS("data: \xef\xbb\xbf\n\n", "7:message|0:|3:\xef\xbb\xbf;");
}

TEST(sse_unfinished)
{
	sse_decoder d = { 0 };
	size_t used;
	sse_event ev;
	static const char s[] = "data: a\n\ndata: b\n";
	CHECK_EQ_INT(sse_decoder_feed(&d, s, sizeof s - 1, &used, &ev), 1);
	CHECK_EQ_INT(used, 9);
	CHECK(!sse_decoder_pending(&d));
	CHECK_EQ_INT(sse_decoder_feed(&d, s + used, sizeof s - 1 - used, &used, &ev), 0);
	CHECK(sse_decoder_pending(&d)); /* stream cut here: event dropped */
	sse_decoder_reset(&d);
	CHECK(!sse_decoder_pending(&d));
	CHECK_EQ_INT(sse_decoder_feed(&d, "data: c", 7, &used, &ev), 0);
	CHECK(sse_decoder_pending(&d));
	sse_decoder_free(&d);
}

TEST(sse_caps)
{
	/* data over the cap */
	char big[300];
	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', 200);
	memcpy(big + 206, "\n\n", 2);
	CHECK_EQ_INT(check_all_splits(big, 208, "", ERR_TOOBIG, 100), 0);
	char want[300];
	memcpy(want, "7:message|0:|200:", 17);
	memset(want + 17, 'x', 200);
	memcpy(want + 217, ";", 2);
	CHECK_EQ_INT(check_all_splits(big, 208, want, 0, 400), 0);
	/* the cap holds the line being read (206 bytes here), then the event */
	CHECK_EQ_INT(check_all_splits(big, 208, want, 0, 206), 0);
	CHECK_EQ_INT(check_all_splits(big, 208, "", ERR_TOOBIG, 205), 0);
	/* many small data lines adding up over the cap */
	buf in = { 0 };
	for (int i = 0; i < 40; i++)
		buf_puts(&in, "data: 0123456789\n");
	buf_puts(&in, "\n");
	buf out = { 0 };
	CHECK_EQ_INT(run(in.data, in.len, 0, 256, &out), ERR_TOOBIG);
	CHECK_EQ_INT(run(in.data, in.len, 7, 256, &out), ERR_TOOBIG);
	buf_free(&out);
	CHECK_EQ_INT(run(in.data, in.len, 0, 1024, &out), 0);
	CHECK_EQ_INT(out.len, strlen("7:message|0:|439:;") + 439 - 0);
	buf_free(&out);
	buf_free(&in);
	/* a long comment is discarded as it streams, it does not count */
	buf_puts(&in, ":");
	for (int i = 0; i < 100; i++)
		buf_puts(&in, "comment comment comment ");
	buf_puts(&in, "\ndata: ok\n\n");
	CHECK_EQ_INT(run(in.data, in.len, 5, 64, &out), 0);
	CHECK_EQ_STR(out.data, "7:message|0:|2:ok;");
	buf_free(&out);
	buf_free(&in);
	/* the error is sticky */
	sse_decoder d;
	sse_decoder_init(&d, 16);
	size_t used;
	sse_event ev;
	CHECK_EQ_INT(sse_decoder_feed(&d, big, 208, &used, &ev), ERR_TOOBIG);
	CHECK_EQ_INT(sse_decoder_feed(&d, "data: a\n\n", 9, &used, &ev), ERR_TOOBIG);
	CHECK_EQ_INT(used, 0);
	sse_decoder_free(&d);
}

TEST(sse_big_event_exact)
{
	buf in = { 0 }, out = { 0 };
	buf_puts(&in, "data: ");
	for (int i = 0; i < 5000; i++)
		buf_putc(&in, (char)('a' + i % 26));
	buf_puts(&in, "\n\n");
	CHECK_EQ_INT(run(in.data, in.len, 0, 0, &out), 0);
	CHECK_EQ_INT(out.len, strlen("7:message|0:|5000:;") + 5000);
	buf_reset(&out);
	CHECK_EQ_INT(run(in.data, in.len, 333, 0, &out), 0);
	CHECK_EQ_INT(out.len, strlen("7:message|0:|5000:;") + 5000);
	CHECK(!memcmp(out.data + 18, in.data + 6, 5000));
	buf_free(&in);
	buf_free(&out);
}

static int count_cb(void *ud, const sse_event *ev)
{
	int *n = ud;
	(*n)++;
	return str_eq(ev->data, STR_LIT("stop")) ? 42 : 0;
}

TEST(sse_feed_all)
{
	sse_decoder d = { 0 };
	int n = 0;
	static const char s[] = "data: 1\n\ndata: 2\n\ndata: stop\n\ndata: 4\n\n";
	CHECK_EQ_INT(sse_decoder_feed_all(&d, s, sizeof s - 1, count_cb, &n), 42);
	CHECK_EQ_INT(n, 3);
	sse_decoder_reset(&d);
	n = 0;
	CHECK_EQ_INT(sse_decoder_feed_all(&d, s, 18, count_cb, &n), 0);
	CHECK_EQ_INT(n, 2);
	sse_decoder_free(&d);
}

TEST(sse_openai_stream)
{
	static const char s[] =
		"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
		": keep-alive\n\n"
		"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n"
		"data: [DONE]\n\n";
	CHECK_EQ_INT(check_all_splits(s, sizeof s - 1,
		"7:message|0:|141:{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]};"
		"7:message|0:|90:{\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]};"
		"7:message|0:|6:[DONE];", 0, 0), 0);
	/* Anthropic style, with event: lines */
	static const char a[] =
		"event: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n"
		"event: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
		"event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";
	CHECK_EQ_INT(check_all_splits(a, sizeof a - 1,
		"13:message_start|0:|24:{\"type\":\"message_start\"};"
		"4:ping|0:|16:{\"type\": \"ping\"};"
		"12:message_stop|0:|23:{\"type\":\"message_stop\"};", 0, 0), 0);
}

TEST(sse_write)
{
	buf b = { 0 };
	CHECK_EQ_INT(sse_write_data(&b, STR_LIT("{\"a\":1}")), 0);
	CHECK_EQ_STR(b.data, "data: {\"a\":1}\n\n");
	buf_reset(&b);
	CHECK_EQ_INT(sse_write_event(&b, STR_LIT("update"), STR_LIT("l1\nl2\r\nl3\rl4"), STR_LIT("42"), 3000), 0);
	CHECK_EQ_STR(b.data, "event: update\nid: 42\nretry: 3000\ndata: l1\ndata: l2\ndata: l3\ndata: l4\n\n");
	buf_reset(&b);
	CHECK_EQ_INT(sse_write_data(&b, STR_LIT("")), 0);
	CHECK_EQ_STR(b.data, "data:\n\n");
	buf_reset(&b);
	CHECK_EQ_INT(sse_write_data(&b, STR_LIT("x\n")), 0);
	CHECK_EQ_STR(b.data, "data: x\ndata:\n\n");
	buf_reset(&b);
	CHECK_EQ_INT(sse_write_event(&b, STR_NULL, STR_LIT("a"), STR_LIT(""), -1), 0);
	CHECK_EQ_STR(b.data, "id: \ndata: a\n\n");
	buf_reset(&b);
	CHECK_EQ_INT(sse_write_comment(&b, STR_LIT("")), 0);
	CHECK_EQ_INT(sse_write_comment(&b, STR_LIT(" keep-alive")), 0);
	CHECK_EQ_STR(b.data, ":\n\n: keep-alive\n\n");
	/* invalid input leaves b untouched */
	size_t len = b.len;
	CHECK_EQ_INT(sse_write_event(&b, STR_LIT("a\nb"), STR_LIT("x"), STR_NULL, -1), ERR_INVAL);
	CHECK_EQ_INT(sse_write_event(&b, STR_LIT("a\rb"), STR_LIT("x"), STR_NULL, -1), ERR_INVAL);
	CHECK_EQ_INT(sse_write_event(&b, STR_NULL, STR_LIT("x"), STR_LIT("1\n2"), -1), ERR_INVAL);
	CHECK_EQ_INT(sse_write_event(&b, STR_NULL, STR_LIT("x"), (str){ "1\0002", 3 }, -1), ERR_INVAL);
	CHECK_EQ_INT(sse_write_comment(&b, STR_LIT("a\nb")), ERR_INVAL);
	CHECK_EQ_INT(b.len, len);
	buf_free(&b);
	/* the cap: all or nothing */
	buf_init(&b, 20);
	CHECK_EQ_INT(sse_write_data(&b, STR_LIT("0123456789")), 0); /* 18 bytes */
	CHECK_EQ_INT(sse_write_data(&b, STR_LIT("")), ERR_TOOBIG);
	CHECK_EQ_INT(b.len, 18);
	CHECK_EQ_STR(b.data, "data: 0123456789\n\n");
	buf_free(&b);
}

/* Writer output read back by the decoder gives the same data (line breaks as LF). */
TEST(sse_roundtrip)
{
	static const char *const cases[] = {
		"", "x", "\n", "\n\n", "a\nb", "a\r\nb", "trailing\n", " lead", "data: nested", ":colon",
		"[DONE]", "\r", "a\r", "multi\nline\nwith\n\nempty",
	};
	static const char *const want[] = {
		"", "x", "\n", "\n\n", "a\nb", "a\nb", "trailing\n", " lead", "data: nested", ":colon",
		"[DONE]", "\n", "a\n", "multi\nline\nwith\n\nempty",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf b = { 0 }, out = { 0 }, exp = { 0 };
		CHECK_EQ_INT(sse_write_event(&b, STR_LIT("t"), str_from(cases[i]), STR_LIT("id1"), -1), 0);
		CHECK_EQ_INT(sse_write_data(&b, str_from(cases[i])), 0);
		sse_event ev = { STR_LIT("t"), str_from(want[i]), STR_LIT("id1") };
		rec(&exp, &ev);
		ev.type = STR_LIT("message");
		rec(&exp, &ev);
		CHECK_EQ_INT(check_all_splits(b.data, b.len, exp.data, 0, 0), 0);
		buf_free(&b);
		buf_free(&out);
		buf_free(&exp);
	}
}

int main(void)
{
	RUN(sse_basic);
	RUN(sse_line_endings);
	RUN(sse_fields);
	RUN(sse_retry);
	RUN(sse_bom);
	RUN(sse_unfinished);
	RUN(sse_caps);
	RUN(sse_big_event_exact);
	RUN(sse_feed_all);
	RUN(sse_openai_stream);
	RUN(sse_write);
	RUN(sse_roundtrip);
	return t_done();
}
