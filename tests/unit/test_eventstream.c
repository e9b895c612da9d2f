/* test_eventstream.c — AWS event-stream framing: CRC-32, fixed vectors, every
 * header type, every split of a multi-message stream (one cut, two cuts, byte
 * by byte), every single-bit corruption rejected, caps and malformed headers. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include "providers/eventstream.h"
#include <stdint.h>
#include <stdlib.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A message with the given raw header block and payload and correct CRCs;
 * total/hlen override the lengths when non-zero. */
static size_t raw_msg(uint8_t *out, const void *hdr, size_t hn, const void *pl, size_t pn,
	uint32_t total, uint32_t hlen)
{
	size_t n = 16 + hn + pn;
	put32(out, total ? total : (uint32_t)n);
	put32(out + 4, hlen ? hlen : (uint32_t)hn);
	put32(out + 8, eventstream_crc32(0, out, 8));
	memcpy(out + 12, hdr, hn);
	memcpy(out + 12 + hn, pl, pn);
	put32(out + 12 + hn + pn, eventstream_crc32(0, out, n - 4));
	return n;
}

TEST(crc32)
{
	CHECK_EQ_INT(eventstream_crc32(0, "123456789", 9), 0xCBF43926u);
	CHECK_EQ_INT(eventstream_crc32(0, NULL, 0), 0);
	uint32_t c = eventstream_crc32(0, "1234", 4);
	CHECK_EQ_INT(eventstream_crc32(c, "56789", 5), 0xCBF43926u);
}

TEST(empty_message_vector)
{
	static const uint8_t v[] = { 0, 0, 0, 0x10, 0, 0, 0, 0, 0x05, 0xc2, 0x48, 0xeb,
		0x7d, 0x98, 0xc8, 0xff };
	eventstream_msg m;
	size_t used = 99;
	CHECK_EQ_INT(eventstream_parse(v, sizeof v, 0, &m, &used), 0);
	CHECK_EQ_INT((int)used, 16);
	CHECK_EQ_INT((int)m.payload_len, 0);
	CHECK_EQ_INT((int)m.nheaders, 0);
	CHECK(m.event_type == NULL);
	buf b = { 0 };
	CHECK_EQ_INT(eventstream_encode(&b, NULL, 0, NULL, 0), 0);
	CHECK_EQ_MEM(b.data, b.len, v, sizeof v);
	for (size_t i = 0; i < sizeof v; i++)
		CHECK_EQ_INT(eventstream_parse(v, i, 0, &m, &used), ERR_AGAIN);
	buf_free(&b);
}

#define S(n, v) { n, sizeof n - 1, EVENTSTREAM_STRING, 0, v, sizeof v - 1 }

TEST(all_header_types)
{
	static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	const eventstream_header h[] = {
		{ "t", 1, EVENTSTREAM_BOOL_TRUE, 0, NULL, 0 },
		{ "f", 1, EVENTSTREAM_BOOL_FALSE, 0, NULL, 0 },
		{ "b", 1, EVENTSTREAM_BYTE, -5, NULL, 0 },
		{ "s", 1, EVENTSTREAM_SHORT, -300, NULL, 0 },
		{ "i", 1, EVENTSTREAM_INT, 2147483647, NULL, 0 },
		{ "l", 1, EVENTSTREAM_LONG, INT64_MIN, NULL, 0 },
		{ "y", 1, EVENTSTREAM_BYTES, 0, "\0\1\2", 3 },
		S(":event-type", "contentBlockDelta"),
		S(":content-type", "application/json"),
		S(":message-type", "event"),
		{ "ts", 2, EVENTSTREAM_TIMESTAMP, 1705311000123LL, NULL, 0 },
		{ "u", 1, EVENTSTREAM_UUID, 0, uuid, 16 },
		{ "e", 1, EVENTSTREAM_STRING, 0, NULL, 0 },
	};
	const size_t nh = sizeof h / sizeof h[0];
	const char *pl = "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}";
	buf b = { 0 };
	CHECK_EQ_INT(eventstream_encode(&b, h, nh, pl, strlen(pl)), 0);
	eventstream_msg m;
	size_t used;
	CHECK_EQ_INT(eventstream_parse(b.data, b.len, 0, &m, &used), 0);
	CHECK_EQ_INT((int)used, (int)b.len);
	CHECK_EQ_INT((int)m.nheaders, (int)nh);
	CHECK_EQ_MEM(m.payload, m.payload_len, pl, strlen(pl));
	CHECK_EQ_MEM(m.event_type, m.event_type_len, "contentBlockDelta", 17);
	CHECK_EQ_MEM(m.content_type, m.content_type_len, "application/json", 16);
	CHECK_EQ_MEM(m.message_type, m.message_type_len, "event", 5);
	CHECK(m.exception_type == NULL && m.error_code == NULL && m.error_message == NULL);
	size_t off = 0, k = 0;
	eventstream_header x;
	while (eventstream_header_next(&m, &off, &x)) {
		CHECK(k < nh);
		if (k >= nh)
			break;
		CHECK_EQ_MEM(x.name, x.name_len, h[k].name, h[k].name_len);
		CHECK_EQ_INT(x.type, h[k].type);
		CHECK_EQ_INT(x.i, h[k].i);
		CHECK_EQ_INT((int)x.len, (int)h[k].len);
		if (h[k].len)
			CHECK(memcmp(x.data, h[k].data, h[k].len) == 0);
		k++;
	}
	CHECK_EQ_INT((int)k, (int)nh);
	CHECK_EQ_INT((int)off, (int)m.headers_len);
	/* wire form of a few values */
	const uint8_t *p = m.headers;
	CHECK(p[0] == 1 && p[1] == 't' && p[2] == 0);
	CHECK(p[3] == 1 && p[4] == 'f' && p[5] == 1);
	CHECK(p[6] == 1 && p[7] == 'b' && p[8] == 2 && p[9] == 0xfb);
	CHECK(p[10] == 1 && p[11] == 's' && p[12] == 3 && p[13] == 0xfe && p[14] == 0xd4);
	buf_free(&b);
}

TEST(exception_message)
{
	const eventstream_header h[] = { S(":message-type", "exception"),
		S(":exception-type", "throttlingException"), S(":content-type", "application/json"),
		S(":error-code", "E"), S(":error-message", "slow down"), S(":event-type", "a"),
		S(":event-type", "b") };
	buf b = { 0 };
	CHECK_EQ_INT(eventstream_encode(&b, h, 7, "{}", 2), 0);
	eventstream_msg m;
	size_t used;
	CHECK_EQ_INT(eventstream_parse(b.data, b.len, 0, &m, &used), 0);
	CHECK_EQ_MEM(m.exception_type, m.exception_type_len, "throttlingException", 19);
	CHECK_EQ_MEM(m.error_code, m.error_code_len, "E", 1);
	CHECK_EQ_MEM(m.error_message, m.error_message_len, "slow down", 9);
	CHECK_EQ_MEM(m.event_type, m.event_type_len, "b", 1); /* last wins */
	buf_free(&b);
}

/* A Bedrock-like stream of several messages. */
static void make_stream(buf *b)
{
	static const char *ev[] = { "messageStart", "contentBlockDelta", "contentBlockDelta",
		"contentBlockStop", "messageStop", "metadata" };
	static const char *pl[] = { "{\"role\":\"assistant\"}",
		"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}",
		"{\"contentBlockIndex\":0,\"delta\":{\"text\":\"lo\"}}", "{\"contentBlockIndex\":0}",
		"{\"stopReason\":\"end_turn\"}",
		"{\"usage\":{\"inputTokens\":5,\"outputTokens\":2,\"totalTokens\":7},\"metrics\":{\"latencyMs\":9}}" };
	for (size_t i = 0; i < 6; i++) {
		eventstream_header h[3] = { { ":event-type", 11, EVENTSTREAM_STRING, 0, ev[i], strlen(ev[i]) },
			S(":content-type", "application/json"), S(":message-type", "event") };
		eventstream_encode(b, h, 3, pl[i], strlen(pl[i]));
	}
}

/* Serialise what the decoder delivers, fed in the given pieces. */
static int decode_split(const uint8_t *p, size_t n, const size_t *cuts, size_t ncuts, buf *out)
{
	eventstream_dec d;
	eventstream_dec_init(&d, 0);
	size_t at = 0;
	int rc = 0;
	for (size_t c = 0; c <= ncuts && rc == 0; c++) {
		size_t end = c < ncuts ? cuts[c] : n;
		/* an exactly sized copy so ASan sees over-reads */
		size_t k = end - at;
		uint8_t *piece = malloc(k ? k : 1);
		memcpy(piece, p + at, k);
		rc = eventstream_dec_feed(&d, piece, k);
		free(piece);
		at = end;
		eventstream_msg m;
		while (rc == 0 && (rc = eventstream_dec_next(&d, &m)) == 0) {
			buf_printf(out, "[%.*s|%.*s|%.*s|%zu]", (int)m.event_type_len, m.event_type,
				(int)m.message_type_len, m.message_type, (int)m.content_type_len, m.content_type,
				m.nheaders);
			buf_append(out, m.payload, m.payload_len);
		}
		if (rc == ERR_AGAIN)
			rc = 0;
	}
	if (rc == 0 && eventstream_dec_pending(&d))
		rc = ERR_CLOSED;
	eventstream_dec_free(&d);
	return rc;
}

TEST(every_split)
{
	buf s = { 0 }, want = { 0 }, got = { 0 };
	make_stream(&s);
	const uint8_t *p = (const uint8_t *)s.data;
	size_t n = s.len;
	CHECK_EQ_INT(decode_split(p, n, NULL, 0, &want), 0);
	CHECK(strstr(want.data, "[messageStart|event|application/json|3]{\"role\":\"assistant\"}") == want.data);
	CHECK(strstr(want.data, "[metadata|event|application/json|3]{\"usage\"") != NULL);
	int bad = 0;
	for (size_t i = 0; i <= n; i++) {
		buf_reset(&got);
		size_t cut[1] = { i };
		if (decode_split(p, n, cut, 1, &got) || got.len != want.len || memcmp(got.data, want.data, got.len))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	/* two cuts: every pair (stride keeps it quick under ASan) */
	for (size_t i = 0; i <= n; i += 3)
		for (size_t j = i; j <= n; j += 5) {
			buf_reset(&got);
			size_t cut[2] = { i, j };
			if (decode_split(p, n, cut, 2, &got) || got.len != want.len ||
			    memcmp(got.data, want.data, got.len))
				bad++;
		}
	CHECK_EQ_INT(bad, 0);
	/* byte by byte */
	size_t *cuts = malloc(n * sizeof *cuts);
	for (size_t i = 0; i < n; i++)
		cuts[i] = i;
	buf_reset(&got);
	CHECK_EQ_INT(decode_split(p, n, cuts, n, &got), 0);
	CHECK_EQ_MEM(got.data, got.len, want.data, want.len);
	/* every truncation: no error, but pending bytes unless on a boundary */
	int trunc_ok = 0;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&got);
		int rc = decode_split(p, i, NULL, 0, &got);
		if (rc == 0 || rc == ERR_CLOSED)
			trunc_ok++;
		if (rc == 0)
			CHECK(memcmp(got.data ? got.data : "", want.data, got.len) == 0);
	}
	CHECK_EQ_INT(trunc_ok, (int)n);
	free(cuts);
	buf_free(&s);
	buf_free(&want);
	buf_free(&got);
}

TEST(every_bit_flip_rejected)
{
	buf s = { 0 }, got = { 0 };
	make_stream(&s);
	uint8_t *p = (uint8_t *)s.data;
	int missed = 0;
	for (size_t i = 0; i < s.len; i++)
		for (int bit = 0; bit < 8; bit++) {
			p[i] ^= (uint8_t)(1u << bit);
			buf_reset(&got);
			int rc = decode_split(p, s.len, NULL, 0, &got);
			if (rc != ERR_INVAL && rc != ERR_TOOBIG)
				missed++;
			p[i] ^= (uint8_t)(1u << bit);
		}
	CHECK_EQ_INT(missed, 0);
	buf_free(&s);
	buf_free(&got);
}

TEST(lengths_and_caps)
{
	uint8_t m[256];
	eventstream_msg msg;
	size_t used;
	/* total < 16 */
	raw_msg(m, "", 0, "", 0, 15, 0);
	CHECK_EQ_INT(eventstream_parse(m, 16, 0, &msg, &used), ERR_INVAL);
	/* headers_len > total - 16 */
	raw_msg(m, "", 0, "abc", 3, 0, 4);
	CHECK_EQ_INT(eventstream_parse(m, 19, 0, &msg, &used), ERR_INVAL);
	/* bad prelude CRC caught with only the prelude */
	raw_msg(m, "", 0, "abc", 3, 0, 0);
	m[8] ^= 1;
	CHECK_EQ_INT(eventstream_parse(m, 12, 0, &msg, &used), ERR_INVAL);
	m[8] ^= 1;
	m[13] ^= 1; /* payload */
	CHECK_EQ_INT(eventstream_parse(m, 12, 0, &msg, &used), ERR_AGAIN);
	CHECK_EQ_INT(eventstream_parse(m, 19, 0, &msg, &used), ERR_INVAL);
	/* over the cap: rejected from the prelude alone, at feed time */
	uint8_t pre[12];
	put32(pre, 16u << 20 | 1);
	put32(pre + 4, 0);
	put32(pre + 8, eventstream_crc32(0, pre, 8));
	CHECK_EQ_INT(eventstream_parse(pre, 12, 0, &msg, &used), ERR_TOOBIG);
	eventstream_dec d;
	eventstream_dec_init(&d, 0);
	CHECK_EQ_INT(eventstream_dec_feed(&d, pre, 5), 0);
	CHECK_EQ_INT(eventstream_dec_next(&d, &msg), ERR_AGAIN);
	CHECK_EQ_INT(eventstream_dec_feed(&d, pre + 5, 7), ERR_TOOBIG);
	CHECK_EQ_INT(eventstream_dec_next(&d, &msg), ERR_TOOBIG); /* sticky */
	eventstream_dec_free(&d);
	/* exactly the cap is fine; a smaller configured cap */
	put32(pre, 16u << 20);
	put32(pre + 8, eventstream_crc32(0, pre, 8));
	CHECK_EQ_INT(eventstream_parse(pre, 12, 0, &msg, &used), ERR_AGAIN);
	CHECK_EQ_INT(eventstream_parse(pre, 12, 1000, &msg, &used), ERR_TOOBIG);
	/* headers_len over 128 KiB */
	put32(pre, 1u << 20);
	put32(pre + 4, (128u << 10) + 1);
	put32(pre + 8, eventstream_crc32(0, pre, 8));
	CHECK_EQ_INT(eventstream_parse(pre, 12, 0, &msg, &used), ERR_TOOBIG);
	/* feeding without pulling */
	eventstream_dec_init(&d, 64);
	uint8_t e16[16];
	raw_msg(e16, "", 0, "", 0, 0, 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(eventstream_dec_feed(&d, e16, 16), 0);
	CHECK_EQ_INT(eventstream_dec_feed(&d, e16, 16), ERR_TOOBIG);
	eventstream_dec_free(&d);
	/* a big feed of many messages under a small cap is fine when pulled */
	eventstream_dec_init(&d, 64);
	buf many = { 0 };
	for (int i = 0; i < 100; i++)
		buf_append(&many, e16, 16);
	CHECK_EQ_INT(eventstream_dec_feed(&d, many.data, many.len), 0);
	int got = 0;
	while (eventstream_dec_next(&d, &msg) == 0)
		got++;
	CHECK_EQ_INT(got, 100);
	CHECK_EQ_INT(eventstream_dec_feed(&d, e16, 16), 0);
	buf_free(&many);
	eventstream_dec_free(&d);
	eventstream_dec_free(NULL);
}

TEST(malformed_headers)
{
	static const struct {
		const char *h;
		size_t n;
	} bad[] = {
		{ "\x00\x00", 2 },                      /* empty name */
		{ "\x01" "a\x0a", 3 },                  /* unknown type 10 */
		{ "\x01" "a\xff", 3 },                  /* unknown type 255 */
		{ "\x05" "ab", 3 },                     /* name past the block */
		{ "\x01" "a", 2 },                      /* no type */
		{ "\x01" "a\x04\x00\x00\x00", 6 },      /* int cut short */
		{ "\x01" "a\x07\x00\x05" "abcd", 9 },   /* string past the block */
		{ "\x01" "a\x07\x00", 4 },              /* string length cut */
		{ "\x01" "a\x09\x00", 4 },              /* uuid cut */
		{ "\x01" "a\x00\x01", 4 },              /* trailing byte */
	};
	uint8_t m[64];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = raw_msg(m, bad[i].h, bad[i].n, "x", 1, 0, 0);
		eventstream_msg msg;
		size_t used;
		int rc = eventstream_parse(m, n, 0, &msg, &used);
		if (rc != ERR_INVAL)
			printf("  case %zu\n", i);
		CHECK_EQ_INT(rc, ERR_INVAL);
	}
	/* and a good one built by hand */
	size_t n = raw_msg(m, "\x01" "a\x07\x00\x02" "hi\x02" "zz\x00", 11, "x", 1, 0, 0);
	eventstream_msg msg;
	size_t used;
	CHECK_EQ_INT(eventstream_parse(m, n, 0, &msg, &used), 0);
	CHECK_EQ_INT((int)msg.nheaders, 2);
}

TEST(encoder_errors)
{
	buf b = { 0 };
	char name[256];
	memset(name, 'n', sizeof name);
	static const uint8_t u[16];
	eventstream_header h = { name, 256, EVENTSTREAM_BOOL_TRUE, 0, NULL, 0 };
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.name_len = 0;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.name_len = 255;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), 0);
	h.type = (eventstream_type)10;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.type = EVENTSTREAM_BYTE;
	h.i = 128;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.i = -129;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.type = EVENTSTREAM_SHORT;
	h.i = 32768;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.type = EVENTSTREAM_INT;
	h.i = 2147483648LL;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.type = EVENTSTREAM_UUID;
	h.data = u;
	h.len = 15;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.type = EVENTSTREAM_STRING;
	h.len = 65536;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	h.data = NULL;
	h.len = 3;
	CHECK_EQ_INT(eventstream_encode(&b, &h, 1, NULL, 0), ERR_INVAL);
	CHECK_EQ_INT(eventstream_encode(&b, NULL, 0, NULL, 5), ERR_INVAL);
	CHECK_EQ_INT(eventstream_encode(&b, NULL, 0, u, 16u << 20), ERR_TOOBIG);
	size_t before = b.len;
	buf c = { .cap = 20 };
	CHECK_EQ_INT(eventstream_encode(&c, NULL, 0, u, 5), ERR_TOOBIG);
	CHECK_EQ_INT((int)c.len, 0);
	CHECK_EQ_INT((int)b.len, (int)before);
	buf_free(&b);
	buf_free(&c);
}

TEST(many_small_messages_one_feed)
{
	buf s = { 0 };
	for (int i = 0; i < 2000; i++)
		eventstream_encode(&s, NULL, 0, &i, sizeof i);
	eventstream_dec d;
	eventstream_dec_init(&d, 0);
	CHECK_EQ_INT(eventstream_dec_feed(&d, s.data, s.len), 0);
	eventstream_msg m;
	int k = 0, rc;
	while ((rc = eventstream_dec_next(&d, &m)) == 0) {
		int v;
		memcpy(&v, m.payload, sizeof v);
		if (v != k)
			break;
		k++;
	}
	CHECK_EQ_INT(rc, ERR_AGAIN);
	CHECK_EQ_INT(k, 2000);
	CHECK_EQ_INT((int)eventstream_dec_pending(&d), 0);
	eventstream_dec_free(&d);
	buf_free(&s);
}

int main(void)
{
	RUN(crc32);
	RUN(empty_message_vector);
	RUN(all_header_types);
	RUN(exception_message);
	RUN(every_split);
	RUN(every_bit_flip_rejected);
	RUN(lengths_and_caps);
	RUN(malformed_headers);
	RUN(encoder_errors);
	RUN(many_small_messages_one_feed);
	return t_done();
}
