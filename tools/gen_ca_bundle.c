/* gen_ca_bundle.c — turns a PEM CA bundle (Debian's ca-certificates:
 * /etc/ssl/certs/ca-certificates.crt) into src/tls/tls_ca_bundle.c, the
 * built-in trust anchors: BearSSL br_x509_trust_anchor structs (subject DN,
 * RSA modulus/exponent or EC curve/point, CA flag), nothing else of the
 * certificates. Deterministic: same input, same output. Run by tools/regen.sh
 * (`make regen`), built with the host cc against BearSSL:
 *
 *   gen_ca_bundle <bundle.pem> <out.c> "<origin label>"
 *
 * Certificates BearSSL cannot use (RSA over 4096 bits, curves other than
 * P-256/384/521) and duplicates (same DN and key) are left out. */
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vec {
	unsigned char *p;
	size_t n, cap;
} vec;

static void vec_add(void *ctx, const void *d, size_t n)
{
	vec *v = ctx;
	if (v->n + n > v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 1024;
		while (nc < v->n + n)
			nc *= 2;
		if (!(v->p = realloc(v->p, nc))) {
			fprintf(stderr, "gen_ca_bundle: out of memory\n");
			exit(1);
		}
		v->cap = nc;
	}
	memcpy(v->p + v->n, d, n);
	v->n += n;
}

typedef struct anchor {
	vec dn, k1, k2;          /* DN; RSA n and e, or EC point in k1 */
	int type, curve, ca;
	char name[96];
} anchor;

static anchor *anchors;
static size_t nanchors, skipped, dups;

static int vec_eq(const vec *a, const vec *b)
{
	return a->n == b->n && !memcmp(a->p, b->p, a->n);
}

/* A readable name for the comment: CN, else O, from the DER DN. */
static void dn_name(const vec *dn, char *out, size_t cap)
{
	static const unsigned char cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 }, o[] = { 0x06, 0x03, 0x55, 0x04, 0x0a };
	const unsigned char *oids[2] = { cn, o };
	snprintf(out, cap, "?");
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i + 7 <= dn->n; i++) {
			if (memcmp(dn->p + i, oids[k], 5))
				continue;
			size_t l = dn->p[i + 6];
			if (l >= 0x80 || i + 7 + l > dn->n)
				continue;
			const unsigned char *s = dn->p + i + 7;
			int bmp = dn->p[i + 5] == 0x1e;
			size_t j = 0;
			for (size_t q = bmp ? 1 : 0; q < l && j + 1 < cap; q += bmp ? 2 : 1) {
				unsigned char c = s[q];
				if (c & 0x80) {   /* UTF-8 sequence: one '?' for it */
					while (q + 1 < l && (s[q + 1] & 0xc0) == 0x80)
						q++;
					c = '?';
				}
				if (c < 0x20 || c > 0x7e || c == '*' || c == '/')
					c = '?';
				out[j++] = (char)c;
			}
			out[j] = 0;
			return;
		}
	}
}

static void add_cert(const unsigned char *der, size_t n)
{
	anchor a;
	memset(&a, 0, sizeof a);
	br_x509_decoder_context dc;
	br_x509_decoder_init(&dc, vec_add, &a.dn);
	br_x509_decoder_push(&dc, der, n);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || a.dn.n == 0) {
		fprintf(stderr, "gen_ca_bundle: skipping an undecodable certificate (error %d)\n",
			br_x509_decoder_last_error(&dc));
		skipped++;
		goto drop;
	}
	a.type = pk->key_type;
	a.ca = br_x509_decoder_isCA(&dc);
	if (a.type == BR_KEYTYPE_RSA && pk->key.rsa.nlen <= 512) {
		vec_add(&a.k1, pk->key.rsa.n, pk->key.rsa.nlen);
		vec_add(&a.k2, pk->key.rsa.e, pk->key.rsa.elen);
	} else if (a.type == BR_KEYTYPE_EC && (pk->key.ec.curve == BR_EC_secp256r1
		|| pk->key.ec.curve == BR_EC_secp384r1 || pk->key.ec.curve == BR_EC_secp521r1)) {
		a.curve = pk->key.ec.curve;
		vec_add(&a.k1, pk->key.ec.q, pk->key.ec.qlen);
	} else {
		dn_name(&a.dn, a.name, sizeof a.name);
		fprintf(stderr, "gen_ca_bundle: skipping %s: key not usable by BearSSL\n", a.name);
		skipped++;
		goto drop;
	}
	for (size_t i = 0; i < nanchors; i++)
		if (vec_eq(&anchors[i].dn, &a.dn) && vec_eq(&anchors[i].k1, &a.k1) && vec_eq(&anchors[i].k2, &a.k2)) {
			dups++;
			goto drop;
		}
	dn_name(&a.dn, a.name, sizeof a.name);
	anchors = realloc(anchors, (nanchors + 1) * sizeof *anchors);
	if (!anchors) {
		fprintf(stderr, "gen_ca_bundle: out of memory\n");
		exit(1);
	}
	anchors[nanchors++] = a;
	return;
drop:
	free(a.dn.p);
	free(a.k1.p);
	free(a.k2.p);
}

/* A C string literal for bytes, wrapped; printable ASCII as is, the rest as
 * three-digit octal escapes ('?' too: no trigraphs). */
static void emit_bytes(FILE *f, const char *name, const vec *v)
{
	fprintf(f, "static const unsigned char %s[] =\n\t\"", name);
	int col = 0;
	for (size_t i = 0; i < v->n; i++) {
		unsigned c = v->p[i];
		int w = (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '?') ? 1 : 4;
		if (col + w > 72) {
			fputs("\"\n\t\"", f);
			col = 0;
		}
		if (w == 1)
			fputc((int)c, f);
		else
			fprintf(f, "\\%03o", c);
		col += w;
	}
	fputs("\";\n", f);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen_ca_bundle <bundle.pem> <out.c> <origin label>\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	vec text = { 0 };
	char chunk[65536];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, in)) > 0)
		vec_add(&text, chunk, r);
	fclose(in);
	vec_add(&text, "\n", 1);

	br_pem_decoder_context pc;
	br_pem_decoder_init(&pc);
	vec der = { 0 };
	int inobj = 0, iscert = 0;
	const unsigned char *p = text.p;
	size_t n = text.n;
	while (n > 0) {
		size_t k = br_pem_decoder_push(&pc, p, n);
		p += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			iscert = !strcmp(br_pem_decoder_name(&pc), "CERTIFICATE");
			der.n = 0;
			br_pem_decoder_setdest(&pc, vec_add, &der);
			inobj = 1;
			break;
		case BR_PEM_END_OBJ:
			if (inobj && iscert)
				add_cert(der.p, der.n);
			inobj = 0;
			break;
		case BR_PEM_ERROR:
			fprintf(stderr, "gen_ca_bundle: %s: broken PEM object\n", argv[1]);
			return 1;
		default:
			break;
		}
	}
	if (inobj || nanchors == 0) {
		fprintf(stderr, "gen_ca_bundle: %s: %s\n", argv[1], inobj ? "truncated PEM" : "no certificate");
		return 1;
	}

	size_t olen = strlen(argv[2]);
	char *tmp = malloc(olen + 5);
	if (!tmp)
		return 1;
	snprintf(tmp, olen + 5, "%s.tmp", argv[2]);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		return 1;
	}
	fprintf(f, "/* tls_ca_bundle.c — GENERATED by tools/gen_ca_bundle.c, do not edit: run\n"
		" * `make regen` (tools/regen.sh). Built-in trust anchors (%zu CAs) from\n"
		" * %s, %s:\n"
		" * subject DN, public key and CA flag of each certificate, for BearSSL. */\n",
		nanchors, argv[1], argv[3]);
	fprintf(f, "#include \"tls/tls_ca_bundle.h\"\n\n");
	for (size_t i = 0; i < nanchors; i++) {
		anchor *a = &anchors[i];
		char nm[32];
		fprintf(f, "/* %zu: %s */\n", i, a->name);
		snprintf(nm, sizeof nm, "dn%zu", i);
		emit_bytes(f, nm, &a->dn);
		snprintf(nm, sizeof nm, "k%zu", i);
		emit_bytes(f, nm, &a->k1);
		if (a->type == BR_KEYTYPE_RSA) {
			snprintf(nm, sizeof nm, "e%zu", i);
			emit_bytes(f, nm, &a->k2);
		}
	}
	fprintf(f, "\n#define U(x) ((unsigned char *)(x))\n"
		"#define RSA(i, ca) { { U(dn##i), sizeof dn##i - 1 }, ca, { BR_KEYTYPE_RSA, { .rsa = \\\n"
		"\t{ U(k##i), sizeof k##i - 1, U(e##i), sizeof e##i - 1 } } } }\n"
		"#define EC(i, ca, curve) { { U(dn##i), sizeof dn##i - 1 }, ca, { BR_KEYTYPE_EC, { .ec = \\\n"
		"\t{ curve, U(k##i), sizeof k##i - 1 } } } }\n\n"
		"const br_x509_trust_anchor tls_ca_bundle[] = {\n");
	for (size_t i = 0; i < nanchors; i++) {
		anchor *a = &anchors[i];
		const char *ca = a->ca ? "BR_X509_TA_CA" : "0";
		if (a->type == BR_KEYTYPE_RSA)
			fprintf(f, "\tRSA(%zu, %s),\n", i, ca);
		else
			fprintf(f, "\tEC(%zu, %s, %s),\n", i, ca, a->curve == BR_EC_secp256r1 ? "BR_EC_secp256r1"
				: a->curve == BR_EC_secp384r1 ? "BR_EC_secp384r1" : "BR_EC_secp521r1");
	}
	fprintf(f, "};\n\nconst size_t tls_ca_bundle_count = sizeof tls_ca_bundle / sizeof tls_ca_bundle[0];\n"
		"const char tls_ca_bundle_origin[] = \"%s (%zu CAs)\";\n", argv[3], nanchors);
	if (fclose(f) || rename(tmp, argv[2])) {
		perror(argv[2]);
		return 1;
	}
	fprintf(stderr, "gen_ca_bundle: %s: %zu anchors (%zu duplicates, %zu skipped)\n", argv[2], nanchors, dups, skipped);
	return 0;
}
