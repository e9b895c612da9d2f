/* tls_anchors.c — trust anchors for the TLS client: certificates from PEM/DER
 * files and directories, or the built-in bundle, reduced to what BearSSL
 * needs (subject DN, public key, CA flag) and de-duplicated. Loaded once at
 * start-up, read-only afterwards. */
#include "tls/tls.h"
#include "tls/tls_ca_bundle.h"
#include "tls/tls_der.h"
#include "tls/tls_private.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include <bearssl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DN_MAX   8192u      /* a subject DN */
#define CERT_MAX 65536u     /* one certificate */
#define DIR_FILES_MAX 100000u

struct tls_anchors {
	br_x509_trust_anchor *ta;
	uint8_t (*id)[32];          /* SHA-256 over DN and key, to drop duplicates */
	size_t n, cap;
	arena mem;                  /* DN and key bytes of loaded anchors */
	char source[256];
};


tls_anchors *tls_anchors_new(void)
{
	tls_anchors *a = calloc(1, sizeof *a);
	if (a)
		arena_init(&a->mem, 32768, 0);
	return a;
}

void tls_anchors_free(tls_anchors *a)
{
	if (!a)
		return;
	free(a->ta);
	free(a->id);
	arena_free(&a->mem);
	free(a);
}

size_t tls_anchors_count(const tls_anchors *a)
{
	return a ? a->n : 0;
}

const char *tls_anchors_source(const tls_anchors *a)
{
	return a && a->source[0] ? a->source : "none";
}

const br_x509_trust_anchor *tls_anchors_array(const tls_anchors *a, size_t *n)
{
	*n = a ? a->n : 0;
	return a ? a->ta : NULL;
}

static void anchor_id(const br_x509_trust_anchor *ta, uint8_t out[32])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, ta->dn.data, ta->dn.len);
	unsigned char kt = ta->pkey.key_type;
	br_sha256_update(&h, &kt, 1);
	if (kt == BR_KEYTYPE_RSA) {
		br_sha256_update(&h, ta->pkey.key.rsa.n, ta->pkey.key.rsa.nlen);
		br_sha256_update(&h, ta->pkey.key.rsa.e, ta->pkey.key.rsa.elen);
	} else {
		unsigned char c = (unsigned char)ta->pkey.key.ec.curve;
		br_sha256_update(&h, &c, 1);
		br_sha256_update(&h, ta->pkey.key.ec.q, ta->pkey.key.ec.qlen);
	}
	br_sha256_out(&h, out);
}

/* Append ta (whose bytes must stay valid) unless already present: 1 added, 0 dup. */
static int anchors_push(tls_anchors *a, const br_x509_trust_anchor *ta)
{
	uint8_t id[32];
	anchor_id(ta, id);
	for (size_t i = 0; i < a->n; i++)
		if (!memcmp(a->id[i], id, 32))
			return 0;
	if (a->n == a->cap) {
		if (a->cap >= TLS_ANCHORS_MAX)
			return ERR_TOOBIG;
		size_t nc = a->cap ? a->cap * 2 : 64;
		if (nc > TLS_ANCHORS_MAX)
			nc = TLS_ANCHORS_MAX;
		br_x509_trust_anchor *t = realloc(a->ta, nc * sizeof *t);
		if (!t)
			return ERR_NOMEM;
		a->ta = t;
		uint8_t (*d)[32] = realloc(a->id, nc * sizeof *d);
		if (!d)
			return ERR_NOMEM;
		a->id = d;
		a->cap = nc;
	}
	a->ta[a->n] = *ta;
	memcpy(a->id[a->n], id, 32);
	a->n++;
	return 1;
}

static int key_supported(const br_x509_pkey *pk)
{
	switch (pk->key_type) {
	case BR_KEYTYPE_RSA:
		return pk->key.rsa.nlen > 0 && pk->key.rsa.nlen <= 512   /* BearSSL: up to 4096 bits */
			&& pk->key.rsa.elen > 0 && pk->key.rsa.elen <= 8;
	case BR_KEYTYPE_EC:
		return (pk->key.ec.curve == BR_EC_secp256r1 || pk->key.ec.curve == BR_EC_secp384r1
			|| pk->key.ec.curve == BR_EC_secp521r1) && pk->key.ec.qlen > 0;
	default:
		return 0;
	}
}

typedef struct dn_sink {
	buf b;
	int bad;
} dn_sink;

static void dn_append(void *ctx, const void *data, size_t len)
{
	dn_sink *d = ctx;
	if (!d->bad && buf_append(&d->b, data, len))
		d->bad = 1;
}

int tls_anchors_add_der(tls_anchors *a, const void *der, size_t n)
{
	dn_sink dn = { .bad = 0 };
	buf_init(&dn.b, DN_MAX);
	br_x509_decoder_context dc;
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, n);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	int rc;
	if (!pk || dn.bad || dn.b.len == 0) {
		rc = ERR_INVAL;
		goto done;
	}
	if (!key_supported(pk)) {
		rc = ERR_UNSUPPORTED;
		goto done;
	}
	br_x509_trust_anchor ta;
	memset(&ta, 0, sizeof ta);
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta.dn.data = (unsigned char *)dn.b.data;
	ta.dn.len = dn.b.len;
	ta.pkey = *pk;   /* points into dc for now */
	uint8_t id[32];
	anchor_id(&ta, id);
	for (size_t i = 0; i < a->n; i++)
		if (!memcmp(a->id[i], id, 32)) {
			rc = 0;
			goto done;
		}
	/* copy the bytes into the set's arena */
	ta.dn.data = arena_memdup(&a->mem, dn.b.data, dn.b.len);
	if (!ta.dn.data) {
		rc = ERR_NOMEM;
		goto done;
	}
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta.pkey.key.rsa.n = arena_memdup(&a->mem, pk->key.rsa.n, pk->key.rsa.nlen);
		ta.pkey.key.rsa.e = arena_memdup(&a->mem, pk->key.rsa.e, pk->key.rsa.elen);
		rc = ta.pkey.key.rsa.n && ta.pkey.key.rsa.e ? 0 : ERR_NOMEM;
	} else {
		ta.pkey.key.ec.q = arena_memdup(&a->mem, pk->key.ec.q, pk->key.ec.qlen);
		rc = ta.pkey.key.ec.q ? 0 : ERR_NOMEM;
	}
	if (rc)
		goto done;
	rc = anchors_push(a, &ta);
done:
	buf_free(&dn.b);
	return rc;
}

int tls_anchors_add_builtin(tls_anchors *a)
{
	int added = 0;
	for (size_t i = 0; i < tls_ca_bundle_count; i++) {
		int rc = anchors_push(a, &tls_ca_bundle[i]);
		if (rc < 0)
			return rc;
		added += rc;
	}
	return added;
}

/* ---- PEM ------------------------------------------------------------------- */

typedef struct der_sink {
	buf b;
	int bad;
} der_sink;

static void der_append(void *ctx, const void *data, size_t len)
{
	der_sink *d = ctx;
	if (!d->bad && buf_append(&d->b, data, len))
		d->bad = 1;
}

static int is_cert_name(const char *name)
{
	return !strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE")
		|| !strcmp(name, "TRUSTED CERTIFICATE");
}

/* One decoded PEM object: add it when it is a certificate. */
static int pem_object(tls_anchors *a, const char *name, der_sink *d, size_t *added, size_t *skipped)
{
	int trusted = !strcmp(name, "TRUSTED CERTIFICATE");
	if (!is_cert_name(name))
		return 0;
	if (d->bad) {
		(*skipped)++;
		return 0;
	}
	size_t n = d->b.len;
	if (trusted)   /* the certificate, then OpenSSL's trust settings: keep the first */
		n = tls_der_tlv_len(d->b.data, d->b.len);
	int rc = n ? tls_anchors_add_der(a, d->b.data, n) : ERR_INVAL;
	if (rc == ERR_NOMEM || rc == ERR_TOOBIG)
		return rc;
	if (rc < 0)
		(*skipped)++;
	else
		*added += (size_t)rc;
	return 0;
}

static int looks_like_pem(const unsigned char *p, size_t n)
{
	static const char tag[] = "-----BEGIN";
	for (size_t i = 0; i + sizeof tag - 1 <= n; i++)
		if (p[i] == '-' && !memcmp(p + i, tag, sizeof tag - 1))
			return 1;
	return 0;
}

int tls_anchors_add_pem(tls_anchors *a, const void *text, size_t n, size_t *added, size_t *skipped)
{
	size_t add0 = 0, skip0 = 0;
	if (!added)
		added = &add0;
	if (!skipped)
		skipped = &skip0;
	*added = *skipped = 0;
	const unsigned char *p = text;
	if (!looks_like_pem(p, n)) {
		if (n == 0 || p[0] != 0x30)
			return 0;
		int rc = tls_anchors_add_der(a, p, n);
		if (rc == ERR_NOMEM || rc == ERR_TOOBIG)
			return rc;
		if (rc < 0)
			(*skipped)++;
		else
			*added += (size_t)rc;
		return 0;
	}
	br_pem_decoder_context pc;
	br_pem_decoder_init(&pc);
	der_sink d = { .bad = 0 };
	buf_init(&d.b, CERT_MAX);
	char name[128];
	int inobj = 0, extra_nl = 1, rc = 0;
	while (n > 0) {
		size_t k = br_pem_decoder_push(&pc, p, n);
		p += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
			buf_reset(&d.b);
			d.bad = 0;
			br_pem_decoder_setdest(&pc, der_append, &d);
			inobj = 1;
			break;
		case BR_PEM_END_OBJ:
			if (inobj) {
				rc = pem_object(a, name, &d, added, skipped);
				if (rc)
					goto done;
			}
			inobj = 0;
			break;
		case BR_PEM_ERROR:   /* broken object: skip it, go on with the next */
			if (inobj && is_cert_name(name))
				(*skipped)++;
			inobj = 0;
			break;
		default:
			break;
		}
		if (n == 0 && extra_nl) {   /* the decoder needs the last line ended */
			extra_nl = 0;
			p = (const unsigned char *)"\n";
			n = 1;
		}
	}
	if (inobj && is_cert_name(name))   /* cut off before its END line */
		(*skipped)++;
done:
	buf_free(&d.b);
	return rc;
}

/* ---- files and directories ------------------------------------------------------- */

static int read_file(const char *path, size_t cap, unsigned char **out, size_t *len, char *err, size_t ecap)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_printf(err, ecap, "CA file %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	int rc = 0;
	unsigned char *p = NULL;
	struct stat st;
	if (fstat(fd, &st)) {
		err_printf(err, ecap, "CA file %s: %s", path, strerror(errno));
		rc = ERR_IO;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err_printf(err, ecap, "CA file %s: not a regular file", path);
		rc = ERR_INVAL;
		goto fail;
	}
	if ((uint64_t)st.st_size > cap) {
		err_printf(err, ecap, "CA file %s: larger than %zu bytes", path, cap);
		rc = ERR_TOOBIG;
		goto fail;
	}
	size_t want = (size_t)st.st_size, got = 0;
	p = malloc(want + 1);
	if (!p) {
		rc = ERR_NOMEM;
		goto fail;
	}
	while (got < want) {
		ssize_t r = read(fd, p + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_printf(err, ecap, "CA file %s: %s", path, strerror(errno));
			rc = ERR_IO;
			goto fail;
		}
		if (r == 0)
			break;   /* shrank meanwhile: take what is there */
		got += (size_t)r;
	}
	close(fd);
	*out = p;
	*len = got;
	return 0;
fail:
	free(p);
	close(fd);
	return rc;
}

int tls_anchors_add_file(tls_anchors *a, const char *path, size_t *added, char *err, size_t cap)
{
	size_t add0 = 0, skipped = 0;
	if (!added)
		added = &add0;
	*added = 0;
	unsigned char *data;
	size_t n;
	int rc = read_file(path, TLS_ANCHORS_FILE_MAX, &data, &n, err, cap);
	if (rc)
		return rc;
	rc = tls_anchors_add_pem(a, data, n, added, &skipped);
	free(data);
	if (rc)
		err_printf(err, cap, "CA file %s: %s", path, err_str(rc));
	return rc;
}

/* *.pem, *.crt, *.cer, or an OpenSSL hash link "5ad8a5d6.0" (not the CRL ones, ".r0"). */
static int dir_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[0] == '.')
		return 0;
	if (n > 4 && (!strcmp(s + n - 4, ".pem") || !strcmp(s + n - 4, ".crt") || !strcmp(s + n - 4, ".cer")))
		return 1;
	if (n < 10 || s[8] != '.')
		return 0;
	for (size_t i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	for (size_t i = 9; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int tls_anchors_add_dir(tls_anchors *a, const char *path, size_t *added, size_t *skipped, char *err, size_t cap)
{
	size_t add0 = 0, skip0 = 0;
	if (!added)
		added = &add0;
	if (!skipped)
		skipped = &skip0;
	*added = *skipped = 0;
	DIR *d = opendir(path);
	if (!d) {
		err_printf(err, cap, "CA directory %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!dir_name_ok(e->d_name))
			continue;
		if (nn == DIR_FILES_MAX) {
			err_printf(err, cap, "CA directory %s: more than %u files", path, DIR_FILES_MAX);
			rc = ERR_TOOBIG;
			goto done;
		}
		if (nn == ncap) {
			size_t nc = ncap ? ncap * 2 : 256;
			char **t = realloc(names, nc * sizeof *t);
			if (!t) {
				rc = ERR_NOMEM;
				goto done;
			}
			names = t;
			ncap = nc;
		}
		if (!(names[nn] = strdup(e->d_name))) {
			rc = ERR_NOMEM;
			goto done;
		}
		nn++;
	}
	if (nn)
		qsort(names, nn, sizeof *names, cmp_names);
	size_t plen = strlen(path);
	for (size_t i = 0; i < nn; i++) {
		char full[4096];
		if (plen + 1 + strlen(names[i]) >= sizeof full) {
			(*skipped)++;
			continue;
		}
		snprintf(full, sizeof full, "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names[i]);
		struct stat st;
		if (stat(full, &st) || !S_ISREG(st.st_mode)) {   /* dangling link, subdirectory */
			(*skipped)++;
			continue;
		}
		size_t k = 0;
		int r = tls_anchors_add_file(a, full, &k, NULL, 0);
		if (r == ERR_NOMEM || r == ERR_TOOBIG) {
			err_printf(err, cap, "CA directory %s: %s", path, err_str(r));
			rc = r;
			goto done;
		}
		if (r < 0)
			(*skipped)++;
		*added += k;
	}
done:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

/* ---- start-up policy --------------------------------------------------------------- */

static const char *const distro_files[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
};
static const char distro_dir[] = "/etc/ssl/certs";

int tls_anchors_load(tls_anchors **out, const char *cert_file, const char *cert_dir, char *err, size_t cap)
{
	*out = NULL;
	err_printf(err, cap, "%s", "");
	tls_anchors *a = tls_anchors_new();
	if (!a) {
		err_printf(err, cap, "CA certificates: %s", err_str(ERR_NOMEM));
		return ERR_NOMEM;
	}
	int rc = 0;
	int have_file = cert_file && *cert_file, have_dir = cert_dir && *cert_dir;
	if (have_file || have_dir) {
		if (have_file && (rc = tls_anchors_add_file(a, cert_file, NULL, err, cap)) < 0)
			goto fail;
		if (have_dir) {
			/* a ':'-separated list, like OpenSSL's SSL_CERT_DIR */
			const char *s = cert_dir;
			while (*s) {
				const char *c = strchr(s, ':');
				size_t l = c ? (size_t)(c - s) : strlen(s);
				if (l > 0) {
					char dir[4096];
					if (l >= sizeof dir) {
						err_printf(err, cap, "CA directory name too long");
						rc = ERR_TOOBIG;
						goto fail;
					}
					memcpy(dir, s, l);
					dir[l] = 0;
					if ((rc = tls_anchors_add_dir(a, dir, NULL, NULL, err, cap)) < 0)
						goto fail;
				}
				s += l + (c ? 1 : 0);
			}
		}
		if (a->n == 0) {
			err_printf(err, cap, "no usable CA certificate in %s%s%s", have_file ? cert_file : "",
				have_file && have_dir ? " or " : "", have_dir ? cert_dir : "");
			rc = ERR_NOTFOUND;
			goto fail;
		}
		snprintf(a->source, sizeof a->source, "%s%s%s", have_file ? cert_file : "",
			have_file && have_dir ? " + " : "", have_dir ? cert_dir : "");
		*out = a;
		return 0;
	}
	for (size_t i = 0; i < sizeof distro_files / sizeof distro_files[0]; i++) {
		size_t k = 0;
		if (access(distro_files[i], R_OK))
			continue;
		rc = tls_anchors_add_file(a, distro_files[i], &k, NULL, 0);
		if (rc == ERR_NOMEM)
			goto nomem;
		if (a->n > 0) {
			snprintf(a->source, sizeof a->source, "%s", distro_files[i]);
			*out = a;
			return 0;
		}
	}
	rc = tls_anchors_add_dir(a, distro_dir, NULL, NULL, NULL, 0);
	if (rc == ERR_NOMEM)
		goto nomem;
	if (a->n > 0) {
		snprintf(a->source, sizeof a->source, "%s", distro_dir);
		*out = a;
		return 0;
	}
	rc = tls_anchors_add_builtin(a);
	if (rc < 0)
		goto nomem;
	snprintf(a->source, sizeof a->source, "built-in bundle, %s", tls_ca_bundle_origin);
	*out = a;
	return 0;
nomem:
	rc = ERR_NOMEM;
	err_printf(err, cap, "CA certificates: %s", err_str(rc));
fail:
	tls_anchors_free(a);
	return rc;
}
