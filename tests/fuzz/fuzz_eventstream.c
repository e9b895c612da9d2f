/* fuzz_eventstream.c — libFuzzer target for the AWS event-stream decoder and
 * encoder. Input: byte 0 picks the message cap, byte 1 seeds the split
 * pattern; the rest is the stream. Fed whole, byte by byte and in random
 * pieces, the decoder must deliver the same messages and the same final
 * status. Every decoded message, re-encoded from its iterated headers and
 * payload, must be byte-identical to the input message and parse again. */
#include "base/buf.h"
#include "base/err.h"
#include "providers/eventstream.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* Re-encode m and compare with its original bytes. */
static void roundtrip(const eventstream_msg *m)
{
	eventstream_header hs[64];
	size_t off = 0, n = 0;
	eventstream_header h;
	while (eventstream_header_next(m, &off, &h)) {
		if (n == 64)
			return; /* too many to check here */
		hs[n++] = h;
	}
	if (n != m->nheaders || off != m->headers_len)
		abort();
	buf b = { 0 };
	if (eventstream_encode(&b, hs, n, m->payload, m->payload_len))
		abort();
	const uint8_t *orig = m->headers - EVENTSTREAM_PRELUDE_LEN;
	if (b.len != m->headers_len + m->payload_len + EVENTSTREAM_MIN_LEN || memcmp(b.data, orig, b.len))
		abort();
	eventstream_msg m2;
	size_t used;
	if (eventstream_parse(b.data, b.len, 0, &m2, &used) || used != b.len || m2.nheaders != n)
		abort();
	buf_free(&b);
}

static int feed(const uint8_t *in, size_t n, size_t cap, size_t piece, uint32_t seed, buf *rec,
	bool check)
{
	eventstream_dec d;
	eventstream_dec_init(&d, cap);
	size_t pos = 0;
	int rc = 0;
	while (pos < n && rc == 0) {
		size_t k = piece ? piece : seed ? 1 + rnd(&seed) % 64 : n;
		if (k > n - pos)
			k = n - pos;
		uint8_t *p = malloc(k);
		memcpy(p, in + pos, k);
		rc = eventstream_dec_feed(&d, p, k);
		free(p);
		pos += k;
		eventstream_msg m;
		while (rc == 0 && (rc = eventstream_dec_next(&d, &m)) == 0) {
			size_t l[3] = { m.headers_len, m.payload_len, m.nheaders };
			buf_append(rec, l, sizeof l);
			buf_append(rec, m.headers, m.headers_len);
			buf_append(rec, m.payload, m.payload_len);
			if (check)
				roundtrip(&m);
		}
		if (rc == ERR_AGAIN)
			rc = 0;
	}
	if (rc == 0 && eventstream_dec_pending(&d))
		rc = 1;
	eventstream_dec_free(&d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t cap = data[0] & 1 ? 0 : 16 + (size_t)data[0] * 8;
	uint32_t seed = data[1] | 1u;
	data += 2;
	size -= 2;
	buf a = { 0 }, b = { 0 }, c = { 0 };
	int ra = feed(data, size, cap, 0, 0, &a, true);
	int rb = feed(data, size, cap, 1, 0, &b, false);
	int rc = feed(data, size, cap, 0, seed, &c, false);
	if (ra != rb || ra != rc)
		abort();
	if (a.len != b.len || a.len != c.len || (a.len && (memcmp(a.data, b.data, a.len) ||
	    memcmp(a.data, c.data, a.len))))
		abort();
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
	return 0;
}
