/* fuzz_chunked.c — libFuzzer target for the chunked decoder.
 * Input: byte 0 picks the trailer cap, byte 1 seeds the split pattern; the
 * rest is a chunked body (plus whatever follows it). The same bytes are
 * decoded whole into a separate buffer, byte by byte with a 1-byte output
 * window, in random pieces with random windows, in place, and in drain mode
 * (dst NULL): result, error detail, consumed count and output must agree.
 * Then the rest of the input, used as a payload, is framed by http_msg_chunk
 * in random pieces and must decode back to itself. */
#include "base/buf.h"
#include "base/err.h"
#include "http/http_msg.h"
#include "http/http_parse.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct out {
	int rc;
	http_perr err;
	size_t used;
	uint64_t total;
	buf data;
};

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* mode 0: separate dst, 1: in place, 2: drain. piece/win 0 = random 1..16
 * when seed != 0, else everything at once. */
static void decode(const uint8_t *in, size_t n, size_t max_tr, int mode, size_t piece, size_t win,
                   uint32_t seed, struct out *o)
{
	http_chunked c = { .max_trailer = max_tr };
	uint8_t *work = malloc(n ? n : 1);
	uint8_t *dst = malloc(n ? n : 1);
	if (n)
		memcpy(work, in, n);
	memset(o, 0, sizeof *o);
	o->rc = ERR_AGAIN;
	size_t pos = 0;
	while (pos < n && o->rc == ERR_AGAIN) {
		size_t k = piece ? piece : seed ? 1 + rnd(&seed) % 16 : n;
		if (k > n - pos)
			k = n - pos;
		size_t end = pos + k;
		while (pos < end) {
			size_t w = win ? win : seed ? 1 + rnd(&seed) % 16 : n;
			size_t used = 0, made = 0;
			char *d = mode == 0 ? (char *)dst : mode == 1 ? (char *)work + pos : NULL;
			size_t cap = mode == 1 ? end - pos : w;
			o->rc = http_parse_chunked(&c, (char *)work + pos, end - pos, &used, d, cap, &made);
			if (used > end - pos || made > used || (mode == 2 && made))
				abort();
			if (mode != 2)
				buf_append(&o->data, d, made);
			pos += used;
			o->used += used;
			if (o->rc != ERR_AGAIN)
				break;
			if (used == 0 && made == 0 && pos < end)
				abort(); /* must never stall with room to write */
		}
	}
	o->err = c.err;
	o->total = c.total;
	if (o->rc == 0) {
		/* done is sticky and consumes nothing */
		size_t used = 1, made = 1;
		if (http_parse_chunked(&c, "x", 1, &used, (char *)dst, 1, &made) != 0 || used || made)
			abort();
	} else if (o->rc != ERR_AGAIN) {
		size_t used = 1, made = 1;
		if (http_parse_chunked(&c, "0\r\n\r\n", 5, &used, (char *)dst, 5, &made) != o->rc || used || made)
			abort();
	}
	free(work);
	free(dst);
}

static bool agree(const struct out *a, const struct out *b, bool cmp_data)
{
	if (a->rc != b->rc || a->err != b->err || a->total != b->total)
		return false;
	if (a->rc == 0 && a->used != b->used)
		return false;
	if (cmp_data && (a->data.len != b->data.len ||
	                 (a->data.len && memcmp(a->data.data, b->data.data, a->data.len))))
		return false;
	return true;
}

static void roundtrip(const uint8_t *p, size_t n, uint32_t seed)
{
	buf b = { 0 };
	size_t i = 0;
	while (i < n) {
		size_t k = 1 + rnd(&seed) % 300;
		if (k > n - i)
			k = n - i;
		if (http_msg_chunk(&b, p + i, k) != 0)
			abort();
		i += k;
	}
	if (http_msg_chunk_end(&b) != 0)
		abort();
	buf_append(&b, "GET", 3); /* pipelined bytes stay */
	struct out o;
	decode((const uint8_t *)b.data, b.len, 0, 0, 0, 0, seed | 1, &o);
	if (o.rc != 0 || o.used != b.len - 3 || o.data.len != n || (n && memcmp(o.data.data, p, n)))
		abort();
	buf_free(&o.data);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t max_tr = data[0] < 128 ? data[0] : 0;
	uint32_t seed = data[1] + 1u;
	data += 2;
	size -= 2;

	struct out whole, x;
	decode(data, size, max_tr, 0, 0, 0, 0, &whole);
	if (whole.rc != 0 && whole.rc != ERR_AGAIN && whole.rc != ERR_INVAL && whole.rc != ERR_TOOBIG)
		abort();
	if ((whole.rc == ERR_AGAIN) != (whole.err == HTTP_PERR_NONE) && whole.rc != 0)
		abort();
	if (whole.rc == ERR_AGAIN && whole.used != size)
		abort();
	if (whole.total != whole.data.len)
		abort();

	decode(data, size, max_tr, 0, 1, 1, 0, &x); /* byte by byte, 1-byte window */
	if (!agree(&whole, &x, true))
		abort();
	buf_free(&x.data);
	decode(data, size, max_tr, 0, 0, 0, seed, &x); /* random pieces and windows */
	if (!agree(&whole, &x, true))
		abort();
	buf_free(&x.data);
	decode(data, size, max_tr, 1, 0, 0, seed * 7, &x); /* in place, random pieces */
	if (!agree(&whole, &x, true))
		abort();
	buf_free(&x.data);
	decode(data, size, max_tr, 1, 0, 0, 0, &x); /* in place, whole */
	if (!agree(&whole, &x, true))
		abort();
	buf_free(&x.data);
	decode(data, size, max_tr, 2, 0, 0, seed * 13, &x); /* drain */
	if (!agree(&whole, &x, false))
		abort();
	buf_free(&x.data);
	buf_free(&whole.data);

	roundtrip(data, size, seed);
	return 0;
}
