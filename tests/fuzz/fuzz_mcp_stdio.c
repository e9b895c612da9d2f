/* fuzz_mcp_stdio.c — libFuzzer target for the MCP stdio line framing
 * (mcp_stdio_frame_* in src/mcp/mcp_stdio.c), driven without I/O.
 * Input: byte 0 picks the message cap (1..255, 0 = the default), byte 1
 * seeds the split pattern; the rest is stdin. The stream is fed whole, byte
 * by byte and in random pieces (up to a whole read), and each time:
 *  - the events equal a reference split of the whole input (lines on LF, a
 *    CR before the LF dropped, blank lines skipped, a last line without LF
 *    at the end, lines over the cap reported once as OVERSIZE with their
 *    size and first bytes, then skipped to the next LF), in order, each once;
 *  - never more than cap + 1 bytes stay buffered between reads, never more
 *    than cap + 1 + one read at all;
 *  - room is refused while messages are still buffered. */
#include "base/err.h"
#include "base/limits.h"
#include "mcp/mcp_stdio.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct ev {
	int kind;           /* MCP_STDIO_LINE / MCP_STDIO_OVERSIZE */
	const uint8_t *p;   /* LINE: the message; OVERSIZE: its first bytes */
	size_t n, total;
} ev;

typedef struct evs {
	ev *v;
	size_t n, cap;
} evs;

static void push(evs *e, int kind, const uint8_t *p, size_t n, size_t total)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 16;
		e->v = realloc(e->v, e->cap * sizeof *e->v);
		if (!e->v)
			abort();
	}
	e->v[e->n++] = (ev){ kind, p, n, total };
}

static bool blank(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

static void ref_line(evs *e, const uint8_t *p, size_t n, size_t max)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n > max)
		push(e, MCP_STDIO_OVERSIZE, p, n < MCP_STDIO_HEAD_KEEP ? n : MCP_STDIO_HEAD_KEEP, n);
	else if (!blank(p, n))
		push(e, MCP_STDIO_LINE, p, n, n);
}

/* The reference: the whole input at once, no state. */
static void reference(const uint8_t *in, size_t n, size_t max, evs *e)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n') {
			ref_line(e, in + start, i - start, max);
			start = i + 1;
		}
	}
	if (start < n)
		ref_line(e, in + start, n - start, max);
}

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* Check the next event against the reference. */
static void expect(const evs *want, size_t *k, mcp_stdio_ev got, const mcp_stdio_msg *m)
{
	if (*k >= want->n)
		abort();   /* an event too many (a line delivered twice, or invented) */
	const ev *w = &want->v[(*k)++];
	if ((int)got != w->kind || m->n != w->n || m->total != w->total)
		abort();
	if (m->n && memcmp(m->p, w->p, m->n) != 0)
		abort();
}

/* piece: bytes per read (0 = random pieces from seed; SIZE_MAX = as much as offered). */
static void run(const uint8_t *in, size_t n, size_t max_cfg, size_t piece, uint32_t seed, const evs *want)
{
	mcp_stdio_frame f;
	mcp_stdio_frame_init(&f, max_cfg);
	size_t max = f.max;
	size_t k = 0, pos = 0;
	mcp_stdio_msg m;
	for (;;) {
		char *p;
		size_t room;
		if (mcp_stdio_frame_room(&f, &p, &room) != 0 || room != MCP_STDIO_READ_CHUNK)
			abort();
		if (pos == n)
			break;
		size_t take = piece == SIZE_MAX ? room : piece ? piece : 1 + rnd(&seed) % 300;
		if (take > room)
			take = room;
		if (take > n - pos)
			take = n - pos;
		memcpy(p, in + pos, take);
		pos += take;
		mcp_stdio_frame_wrote(&f, take);
		if (f.len > max + 1 + MCP_STDIO_READ_CHUNK)
			abort();   /* more than the cap + one read buffered */
		for (;;) {
			mcp_stdio_ev e = mcp_stdio_frame_next(&f, &m);
			if (e == MCP_STDIO_NEED)
				break;
			if (e == MCP_STDIO_END)
				abort();   /* no end before the end of input */
			expect(want, &k, e, &m);
			char *q;
			size_t qn;
			if (mcp_stdio_frame_room(&f, &q, &qn) != ERR_STATE)
				abort();   /* reading on with messages buffered */
		}
		if (f.len > max + 1 || f.off || f.scan != f.len)
			abort();   /* a partial line over the cap kept, or not compacted */
	}
	mcp_stdio_frame_eof(&f);
	for (;;) {
		mcp_stdio_ev e = mcp_stdio_frame_next(&f, &m);
		if (e == MCP_STDIO_END)
			break;
		if (e == MCP_STDIO_NEED)
			abort();   /* after eof everything is there */
		expect(want, &k, e, &m);
	}
	if (k != want->n)
		abort();   /* a line lost */
	if (mcp_stdio_frame_next(&f, &m) != MCP_STDIO_END)
		abort();
	mcp_stdio_frame_free(&f);
	mcp_stdio_frame_free(&f);
	mcp_stdio_frame_free(NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t max_cfg = data[0];
	uint32_t seed = data[1] | 1u;
	const uint8_t *in = data + 2;
	size_t n = size - 2;
	evs want = { 0 };
	reference(in, n, max_cfg ? max_cfg : LIMIT_MCP_MESSAGE_BYTES, &want);
	run(in, n, max_cfg, SIZE_MAX, seed, &want);
	run(in, n, max_cfg, 1, seed, &want);
	run(in, n, max_cfg, 0, seed, &want);
	run(in, n, max_cfg, (size_t)(data[1] % 7) + 2, seed, &want);
	free(want.v);
	return 0;
}
