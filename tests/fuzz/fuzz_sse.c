/* fuzz_sse.c — libFuzzer target for the SSE decoder and encoder.
 * Input: byte 0 picks the decoder cap, byte 1 seeds the split pattern; the
 * rest is an event stream. Fed whole, byte by byte and in random pieces, the
 * decoder must produce the same events, the same final status and the same
 * pending state. Then the rest of the input is used as event data, written
 * by sse_write_event and read back: the data must come back with its line
 * breaks as LF. */
#include "base/buf.h"
#include "base/err.h"
#include "http/sse.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct run {
	int rc;
	bool pending;
	bool has_retry;
	uint64_t retry;
	buf ev; /* serialised events */
};

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static void rec(buf *o, const sse_event *e)
{
	size_t l[3] = { e->type.n, e->id.n, e->data.n };
	buf_append(o, l, sizeof l);
	buf_append(o, e->type.p, e->type.n);
	buf_append(o, e->id.p, e->id.n);
	buf_append(o, e->data.p, e->data.n);
}

static void feed(const uint8_t *in, size_t n, size_t cap, size_t piece, uint32_t seed, struct run *r)
{
	sse_decoder d;
	sse_decoder_init(&d, cap);
	memset(r, 0, sizeof *r);
	size_t pos = 0;
	while (pos < n && r->rc >= 0) {
		size_t k = piece ? piece : seed ? 1 + rnd(&seed) % 40 : n;
		if (k > n - pos)
			k = n - pos;
		/* an exactly sized copy, so ASan sees reads past the piece */
		uint8_t *p = malloc(k);
		memcpy(p, in + pos, k);
		size_t off = 0;
		for (;;) {
			size_t used = 0;
			sse_event ev;
			int rc = sse_decoder_feed(&d, (char *)p + off, k - off, &used, &ev);
			if (used > k - off)
				abort();
			off += used;
			if (rc == 1) {
				if (ev.data.p == NULL || ev.type.n == 0)
					abort();
				rec(&r->ev, &ev);
				continue;
			}
			if (rc == 0 && off != k)
				abort();
			if (rc < 0 && rc != ERR_TOOBIG && rc != ERR_NOMEM)
				abort();
			r->rc = rc;
			break;
		}
		free(p);
		pos += k;
	}
	r->pending = sse_decoder_pending(&d);
	r->has_retry = d.has_retry;
	r->retry = d.retry_ms;
	sse_decoder_free(&d);
}

static bool agree(const struct run *a, const struct run *b)
{
	if (a->rc != b->rc || a->ev.len != b->ev.len || (a->ev.len && memcmp(a->ev.data, b->ev.data, a->ev.len)))
		return false;
	if (a->rc == 0 && (a->pending != b->pending || a->has_retry != b->has_retry || a->retry != b->retry))
		return false;
	return true;
}

/* Encode p as data (type and id made from its first bytes) and decode. */
static void roundtrip(const uint8_t *p, size_t n, uint32_t seed)
{
	char type[8], id[8];
	size_t tn = 0, in = 0;
	for (size_t i = 0; i < n && i < 8; i++) {
		if (p[i] != '\r' && p[i] != '\n' && p[i] != 0) {
			if (tn < sizeof type && (p[i] & 1))
				type[tn++] = (char)p[i];
			else if (in < sizeof id)
				id[in++] = (char)p[i];
		}
	}
	/* a type that is empty is omitted by the writer and reads as "message" */
	buf b = { 0 };
	int64_t retry = (seed & 3) == 0 ? (int64_t)seed : -1;
	if (sse_write_event(&b, (str){ type, tn }, (str){ (const char *)p, n }, (str){ id, in }, retry) != 0)
		abort();
	if (sse_write_data(&b, (str){ (const char *)p, n }) != 0)
		abort();
	if (sse_write_comment(&b, STR_LIT(" ping")) != 0)
		abort();
	/* expected data: CRLF and CR become LF */
	buf want = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r') {
			buf_putc(&want, '\n');
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
		} else {
			buf_putc(&want, (char)p[i]);
		}
	}
	/* expected events; the id stays for the second one */
	buf exp = { 0 };
	sse_event e1 = { tn ? (str){ type, tn } : STR_LIT("message"), { want.data ? want.data : "", want.len }, { id, in } };
	rec(&exp, &e1);
	e1.type = STR_LIT("message");
	rec(&exp, &e1);
	struct run r;
	feed((const uint8_t *)b.data, b.len, b.len + 16, 0, seed, &r);
	if (r.rc != 0 || r.pending || r.ev.len != exp.len || memcmp(r.ev.data, exp.data, exp.len))
		abort();
	if (retry >= 0 && (!r.has_retry || r.retry != (uint64_t)retry))
		abort();
	buf_free(&r.ev);
	buf_free(&exp);
	buf_free(&want);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t cap = data[0] < 200 ? 16 + (size_t)data[0] * 4 : 0;
	uint32_t seed = data[1] + 1u;
	data += 2;
	size -= 2;

	struct run whole, x;
	feed(data, size, cap, 0, 0, &whole);
	feed(data, size, cap, 1, 0, &x);
	if (!agree(&whole, &x))
		abort();
	buf_free(&x.ev);
	feed(data, size, cap, 0, seed, &x);
	if (!agree(&whole, &x))
		abort();
	buf_free(&x.ev);
	buf_free(&whole.ev);

	roundtrip(data, size, seed);
	return 0;
}
