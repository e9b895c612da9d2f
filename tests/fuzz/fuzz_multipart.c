/* fuzz_multipart.c — libFuzzer target for http/multipart.
 * 1. Read: the input's first line is a Content-Type, the rest a body. When
 *    the boundary parses and the body reads, every part must lie inside the
 *    body (zero-copy) and hold no delimiter; writing the parts back (raw
 *    heads, then decoded name/filename/type) must read back the same parts.
 * 2. Build: the input split at 0xFE bytes gives parts (first byte: field or
 *    file; name up to 0xFD, the rest is the content), byte 0 a boundary; a
 *    body the writer accepts must read back part for part, and a refusal must
 *    be explained (a control character in a name, or content holding the
 *    delimiter). */
#include "base/buf.h"
#include "base/err.h"
#include "http/multipart.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXP 300

typedef struct dec {
	char name[512], fname[512];
	size_t nn, fn;
	bool is_file, has_ct;
	multipart_value vname, vfname;
	str ct, head, data;
} dec;

static void decode(const multipart_part *p, dec *d)
{
	memset(d, 0, sizeof *d);
	if (multipart_value_decode(p->name, d->name, sizeof d->name, &d->nn) == ERR_INVAL)
		abort(); /* the reader returned it: it decodes */
	if (p->filename.raw.p && multipart_value_decode(p->filename, d->fname, sizeof d->fname, &d->fn) == ERR_INVAL)
		abort();
	if (d->nn > sizeof d->name)
		d->nn = SIZE_MAX;
	if (d->fn > sizeof d->fname)
		d->fn = SIZE_MAX;
	d->vname = p->name;
	d->vfname = p->filename;
	d->is_file = p->is_file;
	d->has_ct = p->content_type.p != NULL;
	d->ct = p->content_type;
	d->head = p->head;
	d->data = p->data;
	if (!multipart_value_eq(p->name, str_make(d->name, d->nn == SIZE_MAX ? 0 : d->nn)) && d->nn != SIZE_MAX)
		abort();
}

/* Re-reading what the writer made: its headers may be longer than the
 * original ones (quotes, a default Content-Type), so no header cap there. */
static const multipart_limits loose = { MAXP, (size_t)1 << 20, 16 };

static int read_parts(str body, str b, dec *out, size_t *n, const multipart_limits *lim)
{
	multipart_reader r;
	multipart_reader_init(&r, body, b, lim);
	multipart_part p;
	int rc;
	*n = 0;
	while ((rc = multipart_next(&r, &p)) == 1) {
		if (p.data.p < body.p || p.data.p + p.data.n > body.p + body.n || p.head.p < body.p ||
		    p.head.p + p.head.n > body.p + body.n || p.head.n < 2 || !multipart_data_ok(b, p.data))
			abort();
		if (*n >= MAXP)
			abort(); /* the cap (256) holds */
		decode(&p, &out[(*n)++]);
	}
	if (rc < 0 && (r.err.code == MULTIPART_OK || r.err.off > body.n))
		abort();
	if (multipart_next(&r, &p) != rc)
		abort();
	return rc;
}

static bool ctl_free(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static dec A[MAXP], B[MAXP];

static void read_case(const uint8_t *in, size_t n)
{
	const uint8_t *nl = memchr(in, '\n', n);
	if (!nl)
		return;
	str ct = str_make((const char *)in, (size_t)(nl - in));
	str body = str_make((const char *)nl + 1, n - (size_t)(nl - in) - 1);
	str b;
	if (multipart_boundary(ct, &b, NULL) < 0)
		return;
	if (!multipart_boundary_valid(b))
		abort();
	size_t na, nb;
	if (read_parts(body, b, A, &na, NULL) < 0)
		return;
	/* raw heads: byte-identical parts */
	buf out = { 0 };
	multipart_writer w;
	multipart_writer_init(&w, &out, b);
	for (size_t i = 0; i < na; i++)
		multipart_write_part(&w, A[i].head, A[i].data);
	if (multipart_write_end(&w) < 0)
		abort();
	if (read_parts(str_make(out.data, out.len), b, B, &nb, &loose) != 0 || nb != na)
		abort();
	for (size_t i = 0; i < na; i++)
		if (!str_eq(A[i].head, B[i].head) || !str_eq(A[i].data, B[i].data) || A[i].nn != B[i].nn ||
		    memcmp(A[i].name, B[i].name, A[i].nn == SIZE_MAX ? 0 : A[i].nn) || A[i].is_file != B[i].is_file)
			abort();
	/* decoded values: the writer's own headers */
	buf_reset(&out);
	multipart_writer_init(&w, &out, b);
	bool ok = true;
	for (size_t i = 0; i < na && ok; i++) {
		if (A[i].nn == SIZE_MAX || A[i].fn == SIZE_MAX) {
			ok = false;
			break;
		}
		str name = str_make(A[i].name, A[i].nn);
		int rc;
		if (A[i].is_file)
			rc = multipart_write_file(&w, name, str_make(A[i].fname, A[i].fn), A[i].ct, A[i].data);
		else
			rc = multipart_write_field(&w, name, A[i].data);
		if (rc < 0) {
			/* only a control character (from %XX in filename*) may refuse */
			if (rc != ERR_INVAL || ctl_free(A[i].fname, A[i].fn))
				abort();
			ok = false;
		}
	}
	if (ok) {
		if (multipart_write_end(&w) < 0)
			abort();
		if (read_parts(str_make(out.data, out.len), b, B, &nb, &loose) != 0 || nb != na)
			abort();
		for (size_t i = 0; i < na; i++) {
			if (A[i].nn != B[i].nn || memcmp(A[i].name, B[i].name, A[i].nn) || A[i].is_file != B[i].is_file ||
			    !str_eq(A[i].data, B[i].data))
				abort();
			if (A[i].is_file && (A[i].fn != B[i].fn || memcmp(A[i].fname, B[i].fname, A[i].fn)))
				abort();
			if (A[i].is_file && A[i].ct.n && !str_eq(A[i].ct, B[i].ct))
				abort();
		}
	}
	buf_free(&out);
}

static void build_case(const uint8_t *in, size_t n)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
	if (n < 2)
		return;
	char bnd[MULTIPART_BOUNDARY_MAX];
	size_t bl = 1 + in[0] % MULTIPART_BOUNDARY_MAX;
	for (size_t i = 0; i < bl; i++)
		bnd[i] = bchars[(in[1] + i * 31u + (i < n ? in[i] : 0)) % (sizeof bchars - 1)];
	if (bnd[bl - 1] == ' ')
		bnd[bl - 1] = '-';
	/* short boundaries of dashes and bytes of the input collide often: good */
	if (in[1] & 1)
		bl = 1 + in[1] % 3, memset(bnd, '-', bl), bnd[bl - 1] = 'a';
	str b = str_make(bnd, bl);
	const char *p = (const char *)in + 2, *end = (const char *)in + n;
	struct { str name, data; bool file; } parts[64];
	size_t np = 0;
	while (p < end && np < 64) {
		const char *q = memchr(p, 0xfe, (size_t)(end - p));
		if (!q)
			q = end;
		str seg = str_make(p, (size_t)(q - p));
		bool file = seg.n && (seg.p[0] & 1);
		if (seg.n)
			seg = str_make(seg.p + 1, seg.n - 1);
		const char *s = memchr(seg.p, 0xfd, seg.n);
		parts[np].name = s ? str_make(seg.p, (size_t)(s - seg.p)) : STR_LIT("f");
		parts[np].data = s ? str_make(s + 1, seg.n - (size_t)(s - seg.p) - 1) : seg;
		parts[np].file = file;
		np++;
		p = q + 1;
	}
	buf out = { 0 };
	multipart_writer w;
	multipart_writer_init(&w, &out, b);
	int rc = 0;
	size_t i;
	for (i = 0; i < np && rc == 0; i++) {
		if (parts[i].file)
			rc = multipart_write_file(&w, parts[i].name, parts[i].name, STR_LIT("audio/wav"), parts[i].data);
		else
			rc = multipart_write_field(&w, parts[i].name, parts[i].data);
	}
	if (rc < 0) {
		i--;
		if (rc != ERR_INVAL ||
		    (ctl_free(parts[i].name.p, parts[i].name.n) && multipart_data_ok(b, parts[i].data)))
			abort();
		buf_free(&out);
		return;
	}
	if (multipart_write_end(&w) < 0)
		abort();
	size_t nb;
	if (read_parts(str_make(out.data, out.len), b, B, &nb, &loose) != 0 || nb != np)
		abort();
	for (i = 0; i < np; i++) {
		if (!multipart_value_eq(B[i].vname, parts[i].name) || !str_eq(B[i].data, parts[i].data) ||
		    B[i].is_file != parts[i].file)
			abort();
		if (parts[i].file &&
		    (!multipart_value_eq(B[i].vfname, parts[i].name) || !str_eq_cstr(B[i].ct, "audio/wav")))
			abort();
	}
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	read_case(in, n);
	build_case(in, n);
	return 0;
}
