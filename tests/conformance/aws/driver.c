/* driver.c — C side of tests/conformance/aws_oracles.sh:
 *   driver sign <cases>          sign each request line (see sign.cjs) and print
 *                                name, authorization, x-amz-date, token, sha256
 *   driver es-decode <file>      decode an event stream (whole, byte by byte and
 *                                in random pieces, which must agree) and print one
 *                                description line per message (see eventstream.cjs)
 *   driver es-encode <desc> <out> encode description lines into a stream */
#include "base/buf.h"
#include "base/err.h"
#include "base/hex.h"
#include "providers/eventstream.h"
#include "providers/sigv4.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 2048

static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *s = line;
	while (n < max) {
		f[n++] = s;
		char *t = strchr(s, '\t');
		if (!t)
			break;
		*t = '\0';
		s = t + 1;
	}
	return n;
}

/* Decode a hex field ("-" = empty) into a fresh NUL-terminated malloc'd string. */
static char *unhex(const char *s, size_t *len)
{
	buf b = { 0 };
	if (strcmp(s, "-") && hex_decode_buf(&b, s, strlen(s))) {
		fprintf(stderr, "driver: bad hex field\n");
		exit(2);
	}
	if (len)
		*len = b.len;
	if (!b.data)
		return calloc(1, 1);
	return buf_steal(&b, NULL);
}

static int cmd_sign(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 2;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *f[MAXF];
		size_t nf = split_tabs(line, f, MAXF);
		if (nf < 14)
			return 2;
		char *v[11];
		for (int i = 0; i < 11; i++)
			v[i] = unhex(f[i], NULL);
		size_t at = 11, nq = strtoul(f[at++], NULL, 10);
		sigv4_param q[SIGV4_MAX_QUERY];
		for (size_t i = 0; i < nq; i++) {
			q[i].name = unhex(f[at++], &q[i].name_len);
			q[i].value = unhex(f[at++], &q[i].value_len);
		}
		size_t nh = strtoul(f[at++], NULL, 10);
		sigv4_header h[SIGV4_MAX_HEADERS];
		for (size_t i = 0; i < nh; i++) {
			h[i].name = unhex(f[at++], &h[i].name_len);
			h[i].value = unhex(f[at++], &h[i].value_len);
		}
		size_t blen;
		char *body = unhex(f[at], &blen);
		int flags = atoi(v[10]);
		sigv4_input in = { .method = v[1], .host = v[2], .path = v[3], .region = v[4],
			.service = v[5], .access_key_id = v[6], .secret_access_key = v[7],
			.session_token = v[8], .time = strtoll(v[9], NULL, 10), .query = q, .nquery = nq,
			.headers = h, .nheaders = nh, .body = body, .body_len = blen,
			.add_content_sha256 = flags & 1, .s3_path = (flags & 2) != 0 };
		sigv4_output out = { 0 };
		int rc = sigv4_sign(&in, &out);
		if (rc) {
			printf("%s\tERROR %s\n", v[0], err_str(rc));
		} else {
			const char *tok = "-", *sha = "-";
			for (size_t i = 2; i < out.nadd; i++) {
				if (!strcmp(out.add[i].name, "x-amz-security-token"))
					tok = out.add[i].value;
				else
					sha = out.add[i].value;
			}
			printf("%s\t%s\t%s\t%s\t%s\n", v[0], out.authorization.data, out.amz_date, tok, sha);
		}
		sigv4_output_free(&out);
		for (int i = 0; i < 11; i++)
			free(v[i]);
		for (size_t i = 0; i < nq; i++) {
			free((char *)q[i].name);
			free((char *)q[i].value);
		}
		for (size_t i = 0; i < nh; i++) {
			free((char *)h[i].name);
			free((char *)h[i].value);
		}
		free(body);
	}
	free(line);
	fclose(fp);
	return 0;
}

static void put_hex(buf *o, const void *p, size_t n)
{
	if (n == 0)
		buf_putc(o, '-');
	else
		hex_encode_buf(o, p, n);
}

static void describe(buf *o, const eventstream_msg *m)
{
	buf_printf(o, "%zu", m->nheaders);
	size_t off = 0;
	eventstream_header h;
	while (eventstream_header_next(m, &off, &h)) {
		buf_putc(o, '\t');
		put_hex(o, h.name, h.name_len);
		buf_printf(o, "\t%d\t", (int)h.type);
		switch (h.type) {
		case EVENTSTREAM_BOOL_TRUE:
		case EVENTSTREAM_BOOL_FALSE: buf_putc(o, '-'); break;
		case EVENTSTREAM_BYTES:
		case EVENTSTREAM_STRING:
		case EVENTSTREAM_UUID: put_hex(o, h.data, h.len); break;
		default: buf_printf(o, "%" PRId64, h.i); break;
		}
	}
	buf_putc(o, '\t');
	put_hex(o, m->payload, m->payload_len);
	buf_putc(o, '\n');
}

static int decode(const uint8_t *p, size_t n, int mode, buf *o)
{
	eventstream_dec d;
	eventstream_dec_init(&d, 0);
	uint32_t seed = 12345;
	size_t at = 0;
	int rc = 0;
	while (at < n && rc == 0) {
		size_t k = mode == 0 ? n : mode == 1 ? 1 : 1 + (seed = seed * 1103515245u + 12345u) % 4093;
		if (k > n - at)
			k = n - at;
		rc = eventstream_dec_feed(&d, p + at, k);
		at += k;
		eventstream_msg m;
		while (rc == 0 && (rc = eventstream_dec_next(&d, &m)) == 0)
			describe(o, &m);
		if (rc == ERR_AGAIN)
			rc = 0;
	}
	if (rc)
		buf_printf(o, "ERROR %s\n", err_str(rc));
	else if (eventstream_dec_pending(&d))
		buf_printf(o, "ERROR truncated\n");
	eventstream_dec_free(&d);
	return rc || strstr(o->data ? o->data : "", "ERROR") ? 1 : 0;
}

static int read_file(const char *path, buf *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char tmp[65536];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_append(b, tmp, k);
	fclose(fp);
	return 0;
}

static int cmd_decode(const char *path)
{
	buf in = { 0 }, o[3] = { { 0 } };
	if (read_file(path, &in))
		return 2;
	int rc = 0;
	for (int mode = 0; mode < 3; mode++)
		rc |= decode((const uint8_t *)in.data, in.len, mode, &o[mode]);
	if (o[0].len != o[1].len || o[0].len != o[2].len || (o[0].len && (memcmp(o[0].data, o[1].data, o[0].len) ||
	    memcmp(o[0].data, o[2].data, o[0].len)))) {
		printf("ERROR splits disagree\n");
		return 1;
	}
	fwrite(o[0].data ? o[0].data : "", 1, o[0].len, stdout);
	for (int mode = 0; mode < 3; mode++)
		buf_free(&o[mode]);
	buf_free(&in);
	return rc;
}

static int cmd_encode(const char *desc, const char *outp)
{
	FILE *fp = fopen(desc, "r"), *out = fopen(outp, "wb");
	if (!fp || !out)
		return 2;
	char *line = NULL;
	size_t cap = 0;
	buf b = { 0 };
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *f[MAXF];
		size_t nf = split_tabs(line, f, MAXF);
		size_t nh = strtoul(f[0], NULL, 10);
		if (nf != 2 + 3 * nh || nh > 600)
			return 2;
		eventstream_header h[600];
		char *owned[1200];
		size_t no = 0;
		for (size_t i = 0; i < nh; i++) {
			char **x = &f[1 + 3 * i];
			memset(&h[i], 0, sizeof h[i]);
			h[i].name = owned[no++] = unhex(x[0], &h[i].name_len);
			h[i].type = (eventstream_type)atoi(x[1]);
			if (h[i].type == EVENTSTREAM_BYTES || h[i].type == EVENTSTREAM_STRING || h[i].type == EVENTSTREAM_UUID)
				h[i].data = owned[no++] = unhex(x[2], &h[i].len);
			else if (h[i].type != EVENTSTREAM_BOOL_TRUE && h[i].type != EVENTSTREAM_BOOL_FALSE)
				h[i].i = strtoll(x[2], NULL, 10);
		}
		size_t pn;
		char *pl = unhex(f[nf - 1], &pn);
		int rc = eventstream_encode(&b, h, nh, pl, pn);
		if (rc) {
			fprintf(stderr, "driver: encode: %s\n", err_str(rc));
			return 1;
		}
		free(pl);
		for (size_t i = 0; i < no; i++)
			free(owned[i]);
	}
	fwrite(b.data ? b.data : "", 1, b.len, out);
	fclose(out);
	fclose(fp);
	free(line);
	buf_free(&b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "sign"))
		return cmd_sign(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "es-decode"))
		return cmd_decode(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "es-encode"))
		return cmd_encode(argv[2], argv[3]);
	fprintf(stderr, "usage: driver sign FILE | es-decode FILE | es-encode DESC OUT\n");
	return 2;
}
