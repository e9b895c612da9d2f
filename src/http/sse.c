/* sse.c — text/event-stream encoder and incremental decoder (WHATWG rules).
 * The decoder parses whole lines straight from the caller's bytes; only a
 * line cut by the end of a feed is copied, into d->line. */
#include "http/sse.h"
#include "http/http_msg.h"
#include "base/err.h"
#include "base/limits.h"
#include <string.h>

typedef unsigned char u8;

/* ---- encoder ------------------------------------------------------------------ */

static bool has_crlf(str s, bool nul_too)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == '\r' || s.p[i] == '\n' || (nul_too && s.p[i] == '\0'))
			return true;
	return false;
}

/* Length of the next data line at s[i..) and of its line break (0 at the end). */
static size_t data_line(str s, size_t i, size_t *brk)
{
	size_t j = i;
	while (j < s.n && s.p[j] != '\r' && s.p[j] != '\n')
		j++;
	*brk = j == s.n ? 0 : (s.p[j] == '\r' && j + 1 < s.n && s.p[j + 1] == '\n') ? 2 : 1;
	return j - i;
}

static void put(buf *b, const char *p, size_t n)
{
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

int sse_write_event(buf *b, str type, str data, str id, int64_t retry_ms)
{
	char num[HTTP_MSG_U64_MAX];
	size_t numlen = 0, total = 1, brk, i;

	if (has_crlf(type, false) || (id.p && has_crlf(id, true)))
		return ERR_INVAL;
	if (type.n)
		total += 7 + type.n + 1; /* "event: " type "\n" */
	if (id.p)
		total += 4 + id.n + 1;
	if (retry_ms >= 0) {
		numlen = http_msg_u64(num, (uint64_t)retry_ms);
		total += 7 + numlen + 1;
	}
	i = 0;
	do { /* "data: " line "\n", or "data:\n" for an empty line */
		size_t n = data_line(data, i, &brk);
		total += (n ? 6 : 5) + n + 1;
		i += n + brk;
	} while (brk && i <= data.n);
	int rc = buf_reserve(b, total);
	if (rc)
		return rc;

	if (type.n) {
		put(b, "event: ", 7);
		put(b, type.p, type.n);
		put(b, "\n", 1);
	}
	if (id.p) {
		put(b, "id: ", 4);
		put(b, id.p, id.n);
		put(b, "\n", 1);
	}
	if (retry_ms >= 0) {
		put(b, "retry: ", 7);
		put(b, num, numlen);
		put(b, "\n", 1);
	}
	i = 0;
	do {
		size_t n = data_line(data, i, &brk);
		put(b, n ? "data: " : "data:", n ? 6 : 5);
		put(b, data.p + i, n);
		put(b, "\n", 1);
		i += n + brk;
	} while (brk && i <= data.n);
	put(b, "\n", 1);
	b->data[b->len] = '\0';
	return 0;
}

int sse_write_data(buf *b, str data) { return sse_write_event(b, STR_NULL, data, STR_NULL, -1); }

int sse_write_comment(buf *b, str text)
{
	if (has_crlf(text, false))
		return ERR_INVAL;
	int rc = buf_reserve(b, text.n + 3);
	if (rc)
		return rc;
	put(b, ":", 1);
	put(b, text.p, text.n);
	put(b, "\n\n", 2);
	b->data[b->len] = '\0';
	return 0;
}

/* ---- decoder ------------------------------------------------------------------ */

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_ZERO(x) (((x) - ONES) & ~(x) & HIGHS)
#define HAS_BYTE(x, b) HAS_ZERO((x) ^ (ONES * (b)))

/* Index of the first CR or LF in s[i..n), or n. */
static size_t find_eol(const u8 *s, size_t i, size_t n)
{
	while (n - i >= 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (HAS_BYTE(x, '\n') | HAS_BYTE(x, '\r'))
			break;
		i += 8;
	}
	while (i < n && s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

static size_t cap_of(const sse_decoder *d) { return d->cap ? d->cap : LIMIT_SSE_EVENT_BYTES; }

/* Bytes held for the pending event, plus extra, within the cap? */
static bool fits(const sse_decoder *d, size_t held, size_t extra)
{
	size_t cap = cap_of(d);
	return held <= cap && extra <= cap - held;
}

void sse_decoder_init(sse_decoder *d, size_t cap)
{
	memset(d, 0, sizeof *d);
	d->cap = cap;
}

static int append(sse_decoder *d, buf *b, const void *p, size_t n, size_t held)
{
	if (!fits(d, held, n))
		return ERR_TOOBIG;
	b->cap = cap_of(d);
	return buf_append(b, p, n);
}

/* One complete line (without its break). Returns 1 when it dispatched an
 * event into *ev, 0, or an error. */
static int process_line(sse_decoder *d, str line, sse_event *ev)
{
	size_t held = d->data.len + d->type.len + d->id.len;
	int rc = 0;

	if (line.n == 0) {
		if (d->data.len == 0) {
			buf_reset(&d->type);
			return 0;
		}
		ev->data = (str){ d->data.data, d->data.len - 1 }; /* drop the last "\n" */
		ev->type = d->type.len ? (str){ d->type.data, d->type.len } : STR_LIT("message");
		ev->id = d->id.len ? (str){ d->id.data, d->id.len } : STR_LIT("");
		d->dispatched = true;
		return 1;
	}
	if (line.p[0] == ':')
		return 0; /* comment */
	str name = line, value = { line.p + line.n, 0 };
	const char *colon = memchr(line.p, ':', line.n);
	if (colon) {
		name = (str){ line.p, (size_t)(colon - line.p) };
		value = (str){ colon + 1, line.n - name.n - 1 };
		if (value.n && value.p[0] == ' ') {
			value.p++;
			value.n--;
		}
	}
	switch (name.n) {
	case 4:
		if (!memcmp(name.p, "data", 4)) {
			if (!fits(d, held, value.n) || !fits(d, held + value.n, 1))
				return ERR_TOOBIG;
			if ((rc = append(d, &d->data, value.p, value.n, held)) == 0)
				rc = append(d, &d->data, "\n", 1, held + value.n);
		}
		break;
	case 5:
		if (!memcmp(name.p, "event", 5)) {
			held -= d->type.len;
			buf_reset(&d->type);
			rc = append(d, &d->type, value.p, value.n, held);
		} else if (!memcmp(name.p, "retry", 5)) {
			uint64_t v = 0;
			size_t k = 0;
			while (k < value.n && value.p[k] >= '0' && value.p[k] <= '9' && v <= UINT64_MAX / 10 - 1)
				v = v * 10 + (uint64_t)(value.p[k++] - '0');
			if (k == value.n && k > 0) {
				d->retry_ms = v;
				d->has_retry = true;
			}
		}
		break;
	case 2:
		if (!memcmp(name.p, "id", 2) && !memchr(value.p, '\0', value.n)) {
			held -= d->id.len;
			buf_reset(&d->id);
			rc = append(d, &d->id, value.p, value.n, held);
		}
		break;
	default:
		break; /* unknown field: ignored */
	}
	return rc;
}

int sse_decoder_feed(sse_decoder *d, const char *p, size_t n, size_t *consumed, sse_event *ev)
{
	static const u8 bom[3] = { 0xef, 0xbb, 0xbf };
	const u8 *s = (const u8 *)p;
	size_t i = 0;
	int rc = 0;

	*consumed = 0;
	if (d->rc)
		return d->rc;
	if (d->dispatched) {
		buf_reset(&d->data);
		buf_reset(&d->type);
		d->dispatched = false;
	}
	/* a UTF-8 BOM at the very start of the stream is dropped */
	while (d->bom < 3 && i < n) {
		if (s[i] == bom[d->bom]) {
			d->bom++;
			i++;
		} else {
			if (d->bom && (rc = append(d, &d->line, bom, d->bom, d->data.len + d->type.len + d->id.len)) != 0)
				goto fail;
			d->bom = 3;
		}
	}
	while (i < n) {
		if (d->cr) {
			d->cr = false;
			if (s[i] == '\n') {
				i++;
				continue;
			}
		}
		size_t j = find_eol(s, i, n);
		if (d->comment) {
			if (j < n) {
				d->comment = false;
				d->cr = s[j] == '\r';
				j++;
			}
			i = j;
			continue;
		}
		if (j == n) { /* a line cut by the end of this feed */
			if (d->line.len == 0 && s[i] == ':') {
				d->comment = true;
			} else if ((rc = append(d, &d->line, s + i, n - i,
			                        d->line.len + d->data.len + d->type.len + d->id.len)) != 0) {
				goto fail;
			}
			i = n;
			break;
		}
		str line = { (const char *)s + i, j - i };
		if (d->line.len == 0 && j > i && s[i] != ':' &&
		    !fits(d, d->data.len + d->type.len + d->id.len, j - i)) {
			rc = ERR_TOOBIG; /* the same cap as for a line held across feeds */
			goto fail;
		}
		if (d->line.len) {
			if ((rc = append(d, &d->line, s + i, j - i,
			                 d->line.len + d->data.len + d->type.len + d->id.len)) != 0)
				goto fail;
			line = (str){ d->line.data, d->line.len };
		}
		d->cr = s[j] == '\r';
		i = j + 1;
		rc = process_line(d, line, ev);
		buf_reset(&d->line);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			*consumed = i;
			return 1;
		}
	}
	*consumed = n;
	return 0;

fail:
	d->rc = rc;
	*consumed = i;
	return rc;
}

int sse_decoder_feed_all(sse_decoder *d, const char *p, size_t n, sse_event_cb cb, void *ud)
{
	for (;;) {
		size_t used = 0;
		sse_event ev;
		int rc = sse_decoder_feed(d, p, n, &used, &ev);
		if (rc != 1)
			return rc;
		p += used;
		n -= used;
		if ((rc = cb(ud, &ev)) != 0)
			return rc;
	}
}

bool sse_decoder_pending(const sse_decoder *d)
{
	return d->line.len > 0 || (!d->dispatched && d->data.len > 0);
}

void sse_decoder_reset(sse_decoder *d)
{
	buf_reset(&d->line);
	buf_reset(&d->data);
	buf_reset(&d->type);
	buf_reset(&d->id);
	d->has_retry = false;
	d->retry_ms = 0;
	d->bom = 0;
	d->cr = d->comment = d->dispatched = false;
	d->rc = 0;
}

void sse_decoder_free(sse_decoder *d)
{
	if (!d)
		return;
	size_t cap = d->cap;
	buf_free(&d->line);
	buf_free(&d->data);
	buf_free(&d->type);
	buf_free(&d->id);
	sse_decoder_init(d, cap);
}
