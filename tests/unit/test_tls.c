/* test_tls.c — unit tests of src/tls: PEM/DER anchor loading, the start-up
 * policy, the built-in bundle, the error strings, the DER helpers, and the TLS
 * stream driven against an in-memory BearSSL server: handshake and echo
 * (whole, byte by byte with would-block in between, half duplex, large),
 * session resumption and its counters, SNI, ALPN, host name / IP address /
 * validity / trust failures with their reasons. The test certificates below
 * (EC P-256, valid 2020-2120) were made once with the openssl CLI. */
#include "t.h"
#include "tls/tls.h"
#include "tls/tls_der.h"
#include "tls/tls_ca_bundle.h"
#include "base/err.h"
#include <bearssl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char pem_ca[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBqTCCAU+gAwIBAgIUckByNq8WnKBPkYibhr3kfWmIoewwCgYIKoZIzj0EAwIw\n"
	"ITEfMB0GA1UEAwwWbGl0ZXItbGxtIHVuaXQgdGVzdCBDQTAgFw0yNjExMjUyMDMy\n"
	"MDRaGA8yMTI2MTEwMTIwMzIwNFowITEfMB0GA1UEAwwWbGl0ZXItbGxtIHVuaXQg\n"
	"dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLN5Pm7RiMADNOHO01gX\n"
	"YnBBg7rMPdB+lQ/KPtfzMRfmJnuJfznBUkPp0Sn0m2+mnVS+DrFD8tmxcxT/moh2\n"
	"6NSjYzBhMB0GA1UdDgQWBBQbI8pI6XWwQf/6DebS4+BssFzFRzAfBgNVHSMEGDAW\n"
	"gBQbI8pI6XWwQf/6DebS4+BssFzFRzAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB\n"
	"/wQEAwIBBjAKBggqhkjOPQQDAgNIADBFAiAXsgbeQo6gI7xFeV9A0vbMAnbDsY2f\n"
	"tVphS74ttDBnYwIhAOBBi4weEz6VKBw5UsEX/C5Du30kSvdnvh3pHg3C4evk\n"
	"-----END CERTIFICATE-----\n"
	;
static const char pem_ca_trusted[] =
	"-----BEGIN TRUSTED CERTIFICATE-----\n"
	"MIIBqTCCAU+gAwIBAgIUckByNq8WnKBPkYibhr3kfWmIoewwCgYIKoZIzj0EAwIw\n"
	"ITEfMB0GA1UEAwwWbGl0ZXItbGxtIHVuaXQgdGVzdCBDQTAgFw0yNjExMjUyMDMy\n"
	"MDRaGA8yMTI2MTEwMTIwMzIwNFowITEfMB0GA1UEAwwWbGl0ZXItbGxtIHVuaXQg\n"
	"dGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLN5Pm7RiMADNOHO01gX\n"
	"YnBBg7rMPdB+lQ/KPtfzMRfmJnuJfznBUkPp0Sn0m2+mnVS+DrFD8tmxcxT/moh2\n"
	"6NSjYzBhMB0GA1UdDgQWBBQbI8pI6XWwQf/6DebS4+BssFzFRzAfBgNVHSMEGDAW\n"
	"gBQbI8pI6XWwQf/6DebS4+BssFzFRzAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB\n"
	"/wQEAwIBBjAKBggqhkjOPQQDAgNIADBFAiAXsgbeQo6gI7xFeV9A0vbMAnbDsY2f\n"
	"tVphS74ttDBnYwIhAOBBi4weEz6VKBw5UsEX/C5Du30kSvdnvh3pHg3C4evkMAww\n"
	"CgYIKwYBBQUHAwE=\n"
	"-----END TRUSTED CERTIFICATE-----\n"
	;
static const char pem_leaf[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB2DCCAX6gAwIBAgIBEDAKBggqhkjOPQQDAjAhMR8wHQYDVQQDDBZsaXRlci1s\n"
	"bG0gdW5pdCB0ZXN0IENBMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAw\n"
	"WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC\n"
	"AASb2JQSBdFP5+hXPPqy1B27reug5rLqbv2PQNwvfJJnIlsofaNAiB/dvDs4OlFE\n"
	"Sx5A+CCjWdE3P5YaGceG9R3Bo4GxMIGuMDwGA1UdEQQ1MDOCCWxvY2FsaG9zdIIO\n"
	"Ki50ZXN0LmV4YW1wbGWHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAEwCQYDVR0TBAIw\n"
	"ADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYE\n"
	"FANUb3ymciA0Tx2jURfBc3xjf4KRMB8GA1UdIwQYMBaAFBsjykjpdbBB//oN5tLj\n"
	"4GywXMVHMAoGCCqGSM49BAMCA0gAMEUCIQCEesKZJf7PQsKpve7wJbBAsypaUzkt\n"
	"oiaa4noblbxPbQIgXEErX3Nlbul8Pf0Qqak/PYkw3LTZjRzgMKrRptUBN9M=\n"
	"-----END CERTIFICATE-----\n"
	;
static const char pem_foreign[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIB0zCCAXqgAwIBAgIBETAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJsaXRlci1s\n"
	"bG0gb3RoZXIgQ0EwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBQx\n"
	"EjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJvY\n"
	"lBIF0U/n6Fc8+rLUHbut66Dmsupu/Y9A3C98kmciWyh9o0CIH928Ozg6UURLHkD4\n"
	"IKNZ0Tc/lhoZx4b1HcGjgbEwga4wPAYDVR0RBDUwM4IJbG9jYWxob3N0gg4qLnRl\n"
	"c3QuZXhhbXBsZYcEfwAAAYcQAAAAAAAAAAAAAAAAAAAAATAJBgNVHRMEAjAAMA4G\n"
	"A1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUA1Rv\n"
	"fKZyIDRPHaNRF8FzfGN/gpEwHwYDVR0jBBgwFoAUsmjVhodKw4WV5glynwOTiAUX\n"
	"lX8wCgYIKoZIzj0EAwIDRwAwRAIgIUmLtgbq3K47CfKpJIQnX8lE+GcwTVW3sW5J\n"
	"S+rvFhUCIFWaEOPPyx0aaNfPXhEUVwXvmBieqGd/cVNU+duWliOU\n"
	"-----END CERTIFICATE-----\n"
	;
static const char pem_self[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBWjCCAQGgAwIBAgIBEjAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv\n"
	"c3QwIBcNMjAwMTAxMDAwMDAwWhgPMjEyMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM\n"
	"CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJvYlBIF0U/n6Fc8\n"
	"+rLUHbut66Dmsupu/Y9A3C98kmciWyh9o0CIH928Ozg6UURLHkD4IKNZ0Tc/lhoZ\n"
	"x4b1HcGjQjBAMBQGA1UdEQQNMAuCCWxvY2FsaG9zdDAJBgNVHRMEAjAAMB0GA1Ud\n"
	"DgQWBBQDVG98pnIgNE8do1EXwXN8Y3+CkTAKBggqhkjOPQQDAgNHADBEAiBisoub\n"
	"wtXzwIwCn2T3Y7HEEWfcafYGZ82aJtzRtg/KjAIgdsFBl5T8/9eiZM4b6S//yv6A\n"
	"STmbCbtJOxHfuSAt4F4=\n"
	"-----END CERTIFICATE-----\n"
	;
static const char pem_leaf_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPfmOnQopyBgeSJJ3\n"
	"yfFO1xHOSoPS89WT7v48rlS9ojShRANCAASb2JQSBdFP5+hXPPqy1B27reug5rLq\n"
	"bv2PQNwvfJJnIlsofaNAiB/dvDs4OlFESx5A+CCjWdE3P5YaGceG9R3B\n"
	"-----END PRIVATE KEY-----\n"
	;

/* ---- helpers ------------------------------------------------------------------ */

typedef struct sink {
	unsigned char *p;
	size_t n, cap;
} sink;

static void sink_add(void *ctx, const void *d, size_t n)
{
	sink *s = ctx;
	if (n > s->cap - s->n)
		n = s->cap - s->n;
	memcpy(s->p + s->n, d, n);
	s->n += n;
}

/* The first PEM object of pem, as DER. */
static size_t pem_to_der(const char *pem, unsigned char *out, size_t cap)
{
	br_pem_decoder_context pc;
	sink d = { out, 0, cap };
	br_pem_decoder_init(&pc);
	const char *p = pem;
	size_t n = strlen(pem);
	while (n > 0) {
		size_t k = br_pem_decoder_push(&pc, p, n);
		p += k;
		n -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ: br_pem_decoder_setdest(&pc, sink_add, &d); break;
		case BR_PEM_END_OBJ: return d.n;
		case BR_PEM_ERROR: return 0;
		default: break;
		}
	}
	return 0;
}

/* growable byte queue: one direction of the in-memory "wire" */
typedef struct bytes {
	unsigned char *p;
	size_t n, cap;
	int eof;
} bytes;

static void bytes_put(bytes *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->n + n)
			nc *= 2;
		b->p = realloc(b->p, nc);
		b->cap = nc;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static size_t bytes_take(bytes *b, void *d, size_t n)
{
	if (n > b->n)
		n = b->n;
	memcpy(d, b->p, n);
	memmove(b->p, b->p + n, b->n - n);
	b->n -= n;
	return n;
}

static void bytes_free(bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* the plain stream under the TLS one */
typedef struct mio {
	io base;
	bytes *rx, *tx;
	size_t chunk;        /* at most this many bytes per call (0: any) */
	int stutter;         /* every other call says ERR_AGAIN first */
	int block_write;     /* writes always ERR_AGAIN */
	unsigned tick;
	int closed;
} mio;

static ssize_t mio_read(io *s, void *d, size_t n)
{
	mio *m = (mio *)s;
	if (m->stutter && (m->tick++ & 1))
		return ERR_AGAIN;
	if (m->rx->n == 0)
		return m->rx->eof ? 0 : ERR_AGAIN;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	return (ssize_t)bytes_take(m->rx, d, n);
}

static ssize_t mio_write(io *s, const void *d, size_t n)
{
	mio *m = (mio *)s;
	if (m->block_write || (m->stutter && (m->tick++ & 1)))
		return ERR_AGAIN;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	bytes_put(m->tx, d, n);
	return (ssize_t)n;
}

static int mio_flush(io *s) { (void)s; return 0; }
static int mio_want(io *s) { (void)s; return IO_WANT_READ; }
static void mio_close(io *s) { ((mio *)s)->closed++; }
static const io_vt mio_vt = { mio_read, mio_write, mio_flush, mio_want, mio_close };

/* the in-memory BearSSL server: echoes what it receives */
typedef struct srv {
	br_ssl_server_context sc;
	br_skey_decoder_context skd;
	br_x509_certificate chain[1];
	unsigned char cert[4096];
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	bytes *rx, *tx;          /* client->server, server->client */
	bytes got;               /* plaintext received */
	size_t echoed;
} srv;

static const char *srv_alpn[] = { "http/1.1" };
static br_ssl_session_cache_lru srv_cache;
static unsigned char srv_cache_store[64 * 100];
static srv S;            /* big: keep it off the stack */
static int g_srv_cache = 1;  /* the server resumes sessions */

static void srv_init(srv *s, const char *cert_pem, bytes *rx, bytes *tx, int cache)
{
	bytes_free(&s->got);
	memset(s, 0, sizeof *s);
	s->rx = rx;
	s->tx = tx;
	s->chain[0].data = s->cert;
	s->chain[0].data_len = pem_to_der(cert_pem, s->cert, sizeof s->cert);
	unsigned char kder[512];
	size_t kn = pem_to_der(pem_leaf_key, kder, sizeof kder);
	br_skey_decoder_init(&s->skd);
	br_skey_decoder_push(&s->skd, kder, kn);
	br_ssl_server_init_full_ec(&s->sc, s->chain, 1, BR_KEYTYPE_EC, br_skey_decoder_get_ec(&s->skd));
	br_ssl_engine_set_buffer(&s->sc.eng, s->iobuf, sizeof s->iobuf, 1);
	br_ssl_engine_set_protocol_names(&s->sc.eng, srv_alpn, 1);
	if (cache)
		br_ssl_server_set_cache(&s->sc, &srv_cache.vtable);
	br_ssl_server_reset(&s->sc);
}

static void srv_pump(srv *s)
{
	br_ssl_engine_context *e = &s->sc.eng;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(e);
		size_t len;
		unsigned char *b;
		if (st & BR_SSL_CLOSED)
			return;
		if (st & BR_SSL_SENDREC) {
			b = br_ssl_engine_sendrec_buf(e, &len);
			bytes_put(s->tx, b, len);
			br_ssl_engine_sendrec_ack(e, len);
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			b = br_ssl_engine_recvapp_buf(e, &len);
			bytes_put(&s->got, b, len);
			br_ssl_engine_recvapp_ack(e, len);
			continue;
		}
		if ((st & BR_SSL_SENDAPP) && s->echoed < s->got.n) {
			b = br_ssl_engine_sendapp_buf(e, &len);
			if (len > s->got.n - s->echoed)
				len = s->got.n - s->echoed;
			memcpy(b, s->got.p + s->echoed, len);
			br_ssl_engine_sendapp_ack(e, len);
			s->echoed += len;
			br_ssl_engine_flush(e, 0);
			continue;
		}
		if ((st & BR_SSL_RECVREC) && s->rx->n) {
			b = br_ssl_engine_recvrec_buf(e, &len);
			br_ssl_engine_recvrec_ack(e, bytes_take(s->rx, b, len));
			continue;
		}
		return;
	}
}

#define SPIN 1000000

static ssize_t c_read(io *c, void *d, size_t n)
{
	for (int i = 0; i < SPIN; i++) {
		ssize_t r = io_read(c, d, n);
		if (r != ERR_AGAIN)
			return r;
		srv_pump(&S);
	}
	return ERR_TIMEOUT;
}

static int c_write_all(io *c, const void *d, size_t n)
{
	const unsigned char *p = d;
	for (int i = 0; i < SPIN && n > 0; i++) {
		ssize_t w = io_write(c, p, n);
		if (w == ERR_AGAIN) {
			srv_pump(&S);
			continue;
		}
		if (w <= 0)
			return w ? (int)w : ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	for (int i = 0; i < SPIN; i++) {
		int r = io_flush(c);
		if (r != ERR_AGAIN)
			return n ? ERR_TIMEOUT : r;
		srv_pump(&S);
	}
	return ERR_TIMEOUT;
}

static time_t g_now;
static time_t fixed_now(void) { return g_now; }
#define NOW_2030 ((time_t)1906502400)   /* 2030-06-01, inside the certificates' validity */

static tls_anchors *anchors_of(const char *pem)
{
	tls_anchors *a = tls_anchors_new();
	size_t added = 0;
	tls_anchors_add_pem(a, pem, strlen(pem), &added, NULL);
	return a;
}

/* One connection: handshake, echo msg, close. Returns 0 or the error of the
 * first failing call; *reason gets tls_client_error(). */
typedef struct conn_out {
	int reason, resumed, hs;
	char msg[400];
	char sni[256];
	char alpn[32];
} conn_out;

static int conn(tls_client_ctx *ctx, const char *server_pem, const char *host, unsigned port,
	mio *m, const char *msg, conn_out *o)
{
	static bytes c2s, s2c;
	bytes_free(&c2s);
	bytes_free(&s2c);
	memset(o, 0, sizeof *o);
	srv_init(&S, server_pem, &c2s, &s2c, g_srv_cache);
	m->base.vt = &mio_vt;
	m->base.fd = -1;
	m->rx = &s2c;
	m->tx = &c2s;
	int err = 0;
	io *c = tls_client_new(ctx, &m->base, host, port, &err);
	if (!c)
		return err;
	size_t n = strlen(msg);
	int rc = c_write_all(c, msg, n);
	char back[256];
	size_t got = 0;
	while (rc == 0 && got < n) {
		ssize_t r = c_read(c, back + got, sizeof back - got);
		if (r <= 0) {
			rc = r ? (int)r : ERR_CLOSED;
			break;
		}
		got += (size_t)r;
	}
	if (rc == 0 && (got != n || memcmp(back, msg, n)))
		rc = ERR_INVAL;
	o->reason = tls_client_error(c);
	o->resumed = tls_client_resumed(c);
	o->hs = tls_client_handshake_done(c);
	snprintf(o->msg, sizeof o->msg, "%s", tls_client_errmsg(c));
	const char *alpn = tls_client_alpn(c);
	snprintf(o->alpn, sizeof o->alpn, "%s", alpn ? alpn : "");
	const char *sni = br_ssl_engine_get_server_name(&S.sc.eng);
	snprintf(o->sni, sizeof o->sni, "%s", sni ? sni : "");
	io_close(c);
	srv_pump(&S);
	bytes_free(&c2s);
	bytes_free(&s2c);
	return rc;
}

/* ---- anchors ------------------------------------------------------------------- */

TEST(anchors_pem_basic)
{
	tls_anchors *a = tls_anchors_new();
	size_t added = 9, skipped = 9;
	CHECK_EQ_INT(tls_anchors_add_pem(a, pem_ca, strlen(pem_ca), &added, &skipped), 0);
	CHECK_EQ_INT(added, 1);
	CHECK_EQ_INT(skipped, 0);
	CHECK_EQ_INT(tls_anchors_add_pem(a, pem_ca, strlen(pem_ca), &added, &skipped), 0);
	CHECK_EQ_INT(added, 0);   /* same DN and key: not twice */
	/* the same CA as "TRUSTED CERTIFICATE" (OpenSSL trust settings appended) */
	CHECK_EQ_INT(tls_anchors_add_pem(a, pem_ca_trusted, strlen(pem_ca_trusted), &added, &skipped), 0);
	CHECK_EQ_INT(added, 0);
	CHECK_EQ_INT(skipped, 0);
	CHECK_EQ_INT(tls_anchors_count(a), 1);
	tls_anchors_free(a);

	a = tls_anchors_new();
	CHECK_EQ_INT(tls_anchors_add_pem(a, pem_ca_trusted, strlen(pem_ca_trusted), &added, NULL), 0);
	CHECK_EQ_INT(added, 1);
	tls_anchors_free(a);
	tls_anchors_free(NULL);
}

TEST(anchors_pem_mixed)
{
	/* junk text, a key, a broken object, a leaf and its self-signed twin
	 * (same DN and key: one anchor), no final newline */
	char text[8192];
	snprintf(text, sizeof text, "some words before\n%s%s"
		"-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n"
		"%s%s-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----", pem_leaf, pem_leaf_key, pem_self, pem_ca);
	tls_anchors *a = tls_anchors_new();
	size_t added = 0, skipped = 0;
	CHECK_EQ_INT(tls_anchors_add_pem(a, text, strlen(text), &added, &skipped), 0);
	CHECK_EQ_INT(added, 2);
	CHECK_EQ_INT(skipped, 1);
	tls_anchors_free(a);

	/* cut in the middle of the second certificate */
	snprintf(text, sizeof text, "%s%s", pem_ca, pem_leaf);
	a = tls_anchors_new();
	CHECK_EQ_INT(tls_anchors_add_pem(a, text, strlen(pem_ca) + 200, &added, &skipped), 0);
	CHECK_EQ_INT(added, 1);
	CHECK_EQ_INT(skipped, 1);
	CHECK_EQ_INT(tls_anchors_add_pem(a, "", 0, &added, &skipped), 0);
	CHECK_EQ_INT(added, 0);
	CHECK_EQ_INT(tls_anchors_add_pem(a, "hello", 5, &added, &skipped), 0);
	CHECK_EQ_INT(added + skipped, 0);
	tls_anchors_free(a);
}

TEST(anchors_der)
{
	unsigned char der[4096];
	size_t n = pem_to_der(pem_ca, der, sizeof der);
	CHECK(n > 100);
	tls_anchors *a = tls_anchors_new();
	size_t added = 0, skipped = 0;
	CHECK_EQ_INT(tls_anchors_add_pem(a, der, n, &added, &skipped), 0);   /* DER file */
	CHECK_EQ_INT(added, 1);
	CHECK_EQ_INT(tls_anchors_add_der(a, der, n), 0);                      /* duplicate */
	/* every prefix is refused, without a crash */
	for (size_t k = 0; k < n; k++)
		CHECK(tls_anchors_add_der(a, der, k) < 0);
	/* flipped bytes: never a crash, and never more than one new anchor each */
	for (size_t k = 0; k < n; k++) {
		der[k] ^= 0x5a;
		int r = tls_anchors_add_der(a, der, n);
		CHECK(r <= 1);
		der[k] ^= 0x5a;
	}
	tls_anchors_free(a);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

TEST(anchors_files_and_load)
{
	char dir[] = "/tmp/test_tls_XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char ca[128], link[128], junk[128], leaf[128], empty[128], sub[128];
	snprintf(ca, sizeof ca, "%s/ca.pem", dir);
	snprintf(link, sizeof link, "%s/5ad8a5d6.0", dir);
	snprintf(junk, sizeof junk, "%s/notes.txt", dir);
	snprintf(leaf, sizeof leaf, "%s/leaf.crt", dir);
	snprintf(empty, sizeof empty, "%s/empty.txt", dir);
	snprintf(sub, sizeof sub, "%s/sub.pem", dir);
	write_file(ca, pem_ca);
	CHECK_EQ_INT(symlink("ca.pem", link), 0);
	write_file(junk, pem_self);          /* not a CA file name: ignored */
	write_file(leaf, pem_leaf);
	write_file(empty, "no certificates here\n");
	CHECK_EQ_INT(mkdir(sub, 0700), 0);   /* a directory named *.pem: skipped */

	tls_anchors *a = tls_anchors_new();
	size_t added = 0, skipped = 0;
	char err[256];
	CHECK_EQ_INT(tls_anchors_add_file(a, ca, &added, err, sizeof err), 0);
	CHECK_EQ_INT(added, 1);
	CHECK(tls_anchors_add_file(a, "/nonexistent/ca.pem", &added, err, sizeof err) < 0);
	CHECK(strstr(err, "/nonexistent/ca.pem") && strstr(err, "No such file"));
	tls_anchors_free(a);

	a = tls_anchors_new();
	CHECK_EQ_INT(tls_anchors_add_dir(a, dir, &added, &skipped, err, sizeof err), 0);
	CHECK_EQ_INT(added, 2);              /* ca.pem (+ its hash link, a duplicate) and leaf.crt */
	CHECK_EQ_INT(skipped, 1);            /* sub.pem */
	CHECK(tls_anchors_add_dir(a, "/nonexistent", &added, &skipped, err, sizeof err) < 0);
	CHECK(strstr(err, "/nonexistent") != NULL);
	tls_anchors_free(a);

	/* the start-up policy */
	CHECK_EQ_INT(tls_anchors_load(&a, ca, NULL, err, sizeof err), 0);
	CHECK_EQ_INT(tls_anchors_count(a), 1);
	CHECK_EQ_STR(tls_anchors_source(a), ca);
	tls_anchors_free(a);
	CHECK_EQ_INT(tls_anchors_load(&a, ca, dir, err, sizeof err), 0);
	CHECK_EQ_INT(tls_anchors_count(a), 2);
	tls_anchors_free(a);
	char dirs[300];
	snprintf(dirs, sizeof dirs, "%s:", dir);
	CHECK_EQ_INT(tls_anchors_load(&a, "", dirs, err, sizeof err), 0);
	CHECK_EQ_INT(tls_anchors_count(a), 2);
	tls_anchors_free(a);
	CHECK(tls_anchors_load(&a, "/nonexistent/ca.pem", NULL, err, sizeof err) < 0);
	CHECK(a == NULL);
	CHECK(strstr(err, "/nonexistent/ca.pem") != NULL);
	CHECK_EQ_INT(tls_anchors_load(&a, empty, NULL, err, sizeof err), ERR_NOTFOUND);
	CHECK(strstr(err, "no usable CA certificate") && strstr(err, empty));
	snprintf(dirs, sizeof dirs, "/nonexistent:%s", dir);
	CHECK(tls_anchors_load(&a, NULL, dirs, err, sizeof err) < 0);
	/* nothing given: the distro bundle, or the built-in one */
	CHECK_EQ_INT(tls_anchors_load(&a, NULL, NULL, err, sizeof err), 0);
	CHECK(tls_anchors_count(a) >= 100);
	printf("  system anchors: %zu from %s\n", tls_anchors_count(a), tls_anchors_source(a));
	tls_anchors_free(a);

	unlink(ca); unlink(link); unlink(junk); unlink(leaf); unlink(empty); rmdir(sub);
	CHECK_EQ_INT(rmdir(dir), 0);
}

TEST(anchors_builtin)
{
	CHECK(tls_ca_bundle_count >= 100);
	size_t rsa = 0, ec = 0;
	for (size_t i = 0; i < tls_ca_bundle_count; i++) {
		const br_x509_trust_anchor *ta = &tls_ca_bundle[i];
		CHECK(ta->flags & BR_X509_TA_CA);
		CHECK(ta->dn.len > 10 && ta->dn.data[0] == 0x30);
		if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
			rsa++;
			CHECK(ta->pkey.key.rsa.nlen >= 256 && ta->pkey.key.rsa.nlen <= 512);
			CHECK(ta->pkey.key.rsa.elen >= 1 && ta->pkey.key.rsa.elen <= 4);
		} else {
			ec++;
			CHECK(ta->pkey.key_type == BR_KEYTYPE_EC);
			CHECK(ta->pkey.key.ec.qlen == 65 || ta->pkey.key.ec.qlen == 97 || ta->pkey.key.ec.qlen == 133);
		}
	}
	CHECK(rsa > 50 && ec > 10);
	tls_anchors *a = tls_anchors_new();
	CHECK_EQ_INT(tls_anchors_add_builtin(a), (int)tls_ca_bundle_count);   /* no duplicates in it */
	CHECK_EQ_INT(tls_anchors_add_builtin(a), 0);
	tls_anchors_free(a);
	CHECK(strstr(tls_ca_bundle_origin, "ca-certificates") != NULL);
}

/* ---- DER helpers --------------------------------------------------------------- */

TEST(der_fields)
{
	unsigned char der[4096];
	size_t n = pem_to_der(pem_leaf, der, sizeof der);
	tls_der_cert c;
	CHECK_EQ_INT(tls_der_cert_parse(der, n, &c), 0);
	CHECK_EQ_INT(c.not_before, 1577836800);            /* 2020-01-01T00:00:00Z */
	CHECK_EQ_INT(c.not_after, 4733510400LL);           /* 2120-01-01T00:00:00Z (GeneralizedTime) */
	CHECK(c.issuer_len != c.subject_len || memcmp(c.issuer, c.subject, c.issuer_len));
	uint8_t ip[16];
	CHECK_EQ_INT(tls_der_parse_ip("127.0.0.1", 9, ip), 4);
	CHECK(tls_der_san_has_ip(&c, ip, 4));
	CHECK_EQ_INT(tls_der_parse_ip("[::1]", 5, ip), 16);
	CHECK(tls_der_san_has_ip(&c, ip, 16));
	CHECK_EQ_INT(tls_der_parse_ip("::1", 3, ip), 16);
	CHECK_EQ_INT(tls_der_parse_ip("127.0.0.2", 9, ip), 4);
	CHECK(!tls_der_san_has_ip(&c, ip, 4));
	CHECK_EQ_INT(tls_der_parse_ip("localhost", 9, ip), 0);
	CHECK_EQ_INT(tls_der_parse_ip("1.2.3", 5, ip), 0);
	CHECK_EQ_INT(tls_der_parse_ip("[1.2.3.4]", 9, ip), 0);
	CHECK_EQ_INT(tls_der_tlv_len(der, n), n);
	CHECK_EQ_INT(tls_der_tlv_len(der, n - 1), 0);
	der[n] = 0;   /* regression (fuzz_pem): bytes after the certificate */
	CHECK_EQ_INT(tls_der_cert_parse(der, n + 1, &c), ERR_INVAL);

	n = pem_to_der(pem_self, der, sizeof der);
	CHECK_EQ_INT(tls_der_cert_parse(der, n, &c), 0);
	CHECK(c.issuer_len == c.subject_len && !memcmp(c.issuer, c.subject, c.issuer_len));
	CHECK_EQ_INT(tls_der_parse_ip("127.0.0.1", 9, ip), 4);
	CHECK(!tls_der_san_has_ip(&c, ip, 4));             /* DNS SAN only */

	n = pem_to_der(pem_ca, der, sizeof der);           /* UTCTime and GeneralizedTime */
	CHECK_EQ_INT(tls_der_cert_parse(der, n, &c), 0);
	CHECK(c.san == NULL);
	for (size_t k = 0; k < n; k++)
		CHECK_EQ_INT(tls_der_cert_parse(der, k, &c), ERR_INVAL);
	for (size_t k = 0; k < n; k++) {   /* flips: no crash */
		der[k] ^= 0xff;
		(void)tls_der_cert_parse(der, n, &c);
		der[k] ^= 0xff;
	}
}

/* ---- error strings --------------------------------------------------------------- */

TEST(error_strings)
{
	CHECK(strstr(tls_error_str(BR_ERR_X509_BAD_SERVER_NAME), "hostname mismatch"));
	CHECK(strstr(tls_error_str(BR_ERR_X509_EXPIRED), "expired"));
	CHECK(strstr(tls_error_str(BR_ERR_X509_NOT_TRUSTED), "not trusted"));
	CHECK_EQ_STR(tls_error_str(TLS_E_EXPIRED), "certificate has expired");
	CHECK_EQ_STR(tls_error_str(TLS_E_NOT_YET_VALID), "certificate is not yet valid");
	CHECK(strstr(tls_error_str(TLS_E_SELF_SIGNED), "self-signed"));
	CHECK(strstr(tls_error_str(TLS_E_UNKNOWN_CA), "unknown CA"));
	CHECK(strstr(tls_error_str(TLS_E_IP_MISMATCH), "IP address"));
	CHECK(strstr(tls_error_str(BR_ERR_RECV_FATAL_ALERT + 40), "server sent fatal alert: handshake_failure"));
	CHECK(strstr(tls_error_str(BR_ERR_SEND_FATAL_ALERT + 42), "bad_certificate"));
	CHECK(strstr(tls_error_str(BR_ERR_RECV_FATAL_ALERT + 200), "fatal alert"));
	CHECK_EQ_STR(tls_error_str(-5), "unknown TLS error");
	/* every code in BearSSL's range has a sentence */
	for (int e = 0; e < 1100; e++)
		CHECK(tls_error_str(e) && tls_error_str(e)[0]);
	/* the reasons the integration test relies on are all different */
	const char *s[] = { tls_error_str(BR_ERR_X509_BAD_SERVER_NAME), tls_error_str(TLS_E_EXPIRED),
		tls_error_str(TLS_E_NOT_YET_VALID), tls_error_str(TLS_E_SELF_SIGNED),
		tls_error_str(TLS_E_UNKNOWN_CA), tls_error_str(TLS_E_IP_MISMATCH) };
	for (size_t i = 0; i < 6; i++)
		for (size_t j = i + 1; j < 6; j++)
			CHECK(strcmp(s[i], s[j]));
}

/* ---- streams against the in-memory server -------------------------------------------- */

TEST(stream_handshake_echo)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	tls_client_opts o = { .now = fixed_now };
	tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
	mio m = { .chunk = 0 };
	conn_out r;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "ping", &r), 0);
	CHECK_EQ_INT(r.reason, 0);
	CHECK(r.hs && !r.resumed);
	CHECK_EQ_STR(r.alpn, "http/1.1");
	CHECK_EQ_STR(r.sni, "localhost");
	CHECK_EQ_STR(r.msg, "");
	CHECK_EQ_INT(m.closed, 1);
	/* wildcard SAN, trailing dot, upper case */
	CHECK_EQ_INT(conn(ctx, pem_leaf, "api.test.example", 443, &m, "x", &r), 0);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost.", 8443, &m, "x", &r), 0);
	CHECK_EQ_STR(r.sni, "localhost");
	CHECK_EQ_INT(conn(ctx, pem_leaf, "LOCALHOST", 8444, &m, "x", &r), 0);
	tls_client_stats st;
	tls_client_ctx_stats(ctx, &st);
	CHECK_EQ_INT(st.full, 4);
	CHECK_EQ_INT(st.resumed, 0);
	CHECK_EQ_INT(st.failed, 0);
	CHECK_EQ_INT(st.sessions, 4);
	tls_client_ctx_free(ctx);
	/* the real clock (the certificates are valid 2020-2120) */
	ctx = tls_client_ctx_new(a, NULL);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "real time", &r), 0);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(stream_byte_by_byte)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	for (int hd = 0; hd <= 1; hd++) {
		tls_client_opts o = { .now = fixed_now, .half_duplex = hd };
		tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
		mio m = { .chunk = 1, .stutter = 1 };
		conn_out r;
		CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "one byte at a time, with would-block in between", &r), 0);
		CHECK(r.hs);
		mio m2 = { .chunk = 7, .stutter = 1 };
		CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m2, "resumed, seven bytes at a time", &r), 0);
		CHECK(r.resumed);
		tls_client_ctx_free(ctx);
	}
	tls_anchors_free(a);
}

/* 200 KB through the echo server, in pieces, both buffer modes. */
TEST(stream_large)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	size_t big = 200000;
	unsigned char *out = malloc(big), *in = malloc(big);
	for (size_t i = 0; i < big; i++)
		out[i] = (unsigned char)(i * 7 + i / 251);
	for (int hd = 0; hd <= 1; hd++) {
		tls_client_opts o = { .now = fixed_now, .half_duplex = hd };
		tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
		static bytes c2s, s2c;
		srv_init(&S, pem_leaf, &c2s, &s2c, 0);
		mio m = { .base = { &mio_vt, -1 }, .rx = &s2c, .tx = &c2s, .chunk = 3000 };
		int err;
		io *c = tls_client_new(ctx, &m.base, "localhost", 1, &err);
		size_t sent = 0, got = 0;
		int rc = 0;
		for (int i = 0; i < SPIN && got < big && rc == 0; i++) {
			if (sent < big) {
				size_t k = big - sent < 5000 ? big - sent : 5000;
				ssize_t w = io_write(c, out + sent, k);
				if (w > 0)
					sent += (size_t)w;
				else if (w != ERR_AGAIN)
					rc = (int)w;
			}
			int f = io_flush(c);
			if (f < 0 && f != ERR_AGAIN)
				rc = f;
			ssize_t r = io_read(c, in + got, big - got);
			if (r > 0)
				got += (size_t)r;
			else if (r != ERR_AGAIN)
				rc = r ? (int)r : ERR_CLOSED;
			srv_pump(&S);
		}
		CHECK_EQ_INT(rc, 0);
		CHECK_EQ_INT(got, big);
		CHECK(!memcmp(in, out, big));
		io_close(c);
		bytes_free(&c2s);
		bytes_free(&s2c);
		tls_client_ctx_free(ctx);
	}
	free(out);
	free(in);
	tls_anchors_free(a);
}

TEST(stream_resumption)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	tls_client_opts o = { .now = fixed_now, .session_cache = 2 };
	tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
	mio m = { .chunk = 0 };
	conn_out r;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "1", &r), 0);
	CHECK(!r.resumed);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "again", &r), 0);
		CHECK(r.resumed);
	}
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 444, &m, "other port", &r), 0);
	CHECK(!r.resumed);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.1", 443, &m, "other host", &r), 0);
	CHECK(!r.resumed);
	/* cache of 2, least recently used went: localhost:443 */
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "evicted", &r), 0);
	CHECK(!r.resumed);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.1", 443, &m, "kept", &r), 0);
	CHECK(r.resumed);
	tls_client_stats st;
	tls_client_ctx_stats(ctx, &st);
	CHECK_EQ_INT(st.full, 4);
	CHECK_EQ_INT(st.resumed, 4);
	CHECK_EQ_INT(st.sessions, 2);
	/* a server that resumes skips the certificate: it was checked when the
	 * session was made (the in-memory server shares its cache across certs) */
	CHECK_EQ_INT(conn(ctx, pem_self, "127.0.0.1", 443, &m, "resumed", &r), 0);
	CHECK(r.resumed);
	/* a failed full handshake drops the host's session */
	g_srv_cache = 0;
	CHECK(conn(ctx, pem_self, "127.0.0.1", 443, &m, "x", &r) == ERR_TLS);
	g_srv_cache = 1;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.1", 443, &m, "after failure", &r), 0);
	CHECK(!r.resumed);
	tls_client_ctx_flush_sessions(ctx);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.1", 443, &m, "after flush", &r), 0);
	CHECK(!r.resumed);
	tls_client_ctx_stats(ctx, &st);
	CHECK_EQ_INT(st.failed, 1);
	CHECK_EQ_INT(st.full + st.resumed, 11);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(stream_ip_hosts)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	tls_client_opts o = { .now = fixed_now };
	tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
	mio m = { .chunk = 0 };
	conn_out r;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.1", 443, &m, "v4", &r), 0);
	CHECK_EQ_STR(r.sni, "");               /* no SNI for an IP literal */
	CHECK_EQ_INT(conn(ctx, pem_leaf, "::1", 443, &m, "v6", &r), 0);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "[::1]", 443, &m, "v6 bracketed", &r), 0);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "127.0.0.2", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_IP_MISMATCH);
	CHECK(strstr(r.msg, "127.0.0.2:443") && strstr(r.msg, "not valid for this IP address"));
	CHECK_EQ_INT(conn(ctx, pem_leaf, "::2", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_IP_MISMATCH);
	CHECK(strstr(r.msg, "[::2]:443") != NULL);
	/* a certificate with only a DNS SAN never matches an IP, CN or not */
	CHECK_EQ_INT(conn(ctx, pem_self, "127.0.0.1", 444, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_SELF_SIGNED);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(stream_failures)
{
	tls_anchors *a = anchors_of(pem_ca);
	tls_client_opts o = { .now = fixed_now };
	tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
	mio m = { .chunk = 0 };
	conn_out r;
	g_now = NOW_2030;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "example.com", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, BR_ERR_X509_BAD_SERVER_NAME);
	CHECK(strstr(r.msg, "TLS handshake with example.com:443 failed") && strstr(r.msg, "hostname mismatch"));
	CHECK(!r.hs);
	CHECK_EQ_INT(m.closed, 1);
	CHECK_EQ_INT(conn(ctx, pem_leaf, "test.example", 443, &m, "x", &r), ERR_TLS);   /* *.test.example */
	CHECK_EQ_INT(r.reason, BR_ERR_X509_BAD_SERVER_NAME);
	CHECK_EQ_INT(conn(ctx, pem_self, "localhost", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_SELF_SIGNED);
	CHECK(strstr(r.msg, "self-signed") != NULL);
	CHECK_EQ_INT(conn(ctx, pem_foreign, "localhost", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_UNKNOWN_CA);
	g_now = (time_t)4733510400LL + 86400;   /* the day after notAfter */
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_EXPIRED);
	CHECK(strstr(r.msg, "certificate has expired") != NULL);
	g_now = (time_t)1577836800 - 86400;     /* the day before notBefore */
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_NOT_YET_VALID);
	tls_client_stats st;
	tls_client_ctx_stats(ctx, &st);
	CHECK_EQ_INT(st.failed, 6);
	CHECK_EQ_INT(st.full, 0);
	CHECK_EQ_INT(st.sessions, 0);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);

	/* no anchors at all: nothing is trusted */
	a = tls_anchors_new();
	ctx = tls_client_ctx_new(a, &o);
	g_now = NOW_2030;
	CHECK_EQ_INT(conn(ctx, pem_leaf, "localhost", 443, &m, "x", &r), ERR_TLS);
	CHECK_EQ_INT(r.reason, TLS_E_UNKNOWN_CA);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(stream_eof_and_want)
{
	tls_anchors *a = anchors_of(pem_ca);
	g_now = NOW_2030;
	tls_client_opts o = { .now = fixed_now };
	tls_client_ctx *ctx = tls_client_ctx_new(a, &o);
	static bytes c2s, s2c;
	int err = 0;

	/* peer closes TCP during the handshake */
	mio m = { .base = { &mio_vt, 7 }, .rx = &s2c, .tx = &c2s };
	io *c = tls_client_new(ctx, &m.base, "localhost", 443, &err);
	CHECK(c && c->fd == 7);
	CHECK_EQ_INT(io_want(c), IO_WANT_WRITE);   /* ClientHello to send */
	char b[16];
	CHECK_EQ_INT(io_read(c, b, sizeof b), ERR_AGAIN);
	CHECK_EQ_INT(io_want(c), IO_WANT_READ);
	CHECK(c2s.n > 0);                          /* the ClientHello went out */
	s2c.eof = 1;
	CHECK_EQ_INT(io_read(c, b, sizeof b), ERR_TLS);
	CHECK_EQ_INT(tls_client_error(c), TLS_E_EOF_HANDSHAKE);
	CHECK(strstr(tls_client_errmsg(c), "closed the connection during the TLS handshake") != NULL);
	CHECK_EQ_INT(io_read(c, b, sizeof b), ERR_TLS);   /* stays failed */
	io_close(c);
	bytes_free(&c2s);
	bytes_free(&s2c);

	/* socket not writable: want WRITE, for a read as well */
	mio w = { .base = { &mio_vt, 7 }, .rx = &s2c, .tx = &c2s, .block_write = 1 };
	c = tls_client_new(ctx, &w.base, "localhost", 443, &err);
	CHECK_EQ_INT(io_read(c, b, sizeof b), ERR_AGAIN);
	CHECK(io_want(c) & IO_WANT_WRITE);
	CHECK_EQ_INT(io_write(c, "x", 1), ERR_AGAIN);
	CHECK_EQ_INT(io_want(c), IO_WANT_WRITE);
	CHECK_EQ_INT(io_flush(c), ERR_AGAIN);
	io_close(c);
	CHECK_EQ_INT(w.closed, 1);

	/* orderly end: server sends close_notify after the echo, then the TCP end */
	srv_init(&S, pem_leaf, &c2s, &s2c, 0);
	mio e = { .base = { &mio_vt, 7 }, .rx = &s2c, .tx = &c2s };
	c = tls_client_new(ctx, &e.base, "localhost", 443, &err);
	CHECK_EQ_INT(c_write_all(c, "bye", 3), 0);
	CHECK_EQ_INT(c_read(c, b, sizeof b), 3);
	br_ssl_engine_close(&S.sc.eng);
	srv_pump(&S);
	CHECK_EQ_INT(c_read(c, b, sizeof b), 0);
	CHECK_EQ_INT(c_read(c, b, sizeof b), 0);
	CHECK_EQ_INT(io_write(c, "x", 1), ERR_CLOSED);
	io_close(c);
	bytes_free(&c2s);
	bytes_free(&s2c);

	/* TCP end without close_notify after the handshake: end of stream too */
	srv_init(&S, pem_leaf, &c2s, &s2c, 0);
	mio f = { .base = { &mio_vt, 7 }, .rx = &s2c, .tx = &c2s };
	c = tls_client_new(ctx, &f.base, "localhost", 443, &err);
	CHECK_EQ_INT(c_write_all(c, "hi", 2), 0);
	CHECK_EQ_INT(c_read(c, b, sizeof b), 2);
	s2c.eof = 1;
	CHECK_EQ_INT(c_read(c, b, sizeof b), 0);
	CHECK_EQ_INT(tls_client_error(c), 0);
	io_close(c);
	bytes_free(&c2s);
	bytes_free(&s2c);

	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(stream_bad_args)
{
	tls_anchors *a = anchors_of(pem_ca);
	tls_client_ctx *ctx = tls_client_ctx_new(a, NULL);
	static bytes c2s, s2c;
	mio m = { .base = { &mio_vt, 3 }, .rx = &s2c, .tx = &c2s };
	int err = 0;
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	CHECK(tls_client_new(ctx, &m.base, NULL, 443, &err) == NULL && err == ERR_INVAL);
	CHECK(tls_client_new(ctx, &m.base, "", 443, &err) == NULL && err == ERR_INVAL);
	CHECK(tls_client_new(ctx, &m.base, ".", 443, &err) == NULL && err == ERR_INVAL);
	CHECK(tls_client_new(ctx, &m.base, "a b", 443, &err) == NULL && err == ERR_INVAL);
	CHECK(tls_client_new(ctx, &m.base, longname, 443, &err) == NULL && err == ERR_INVAL);
	CHECK(tls_client_new(ctx, NULL, "localhost", 443, &err) == NULL && err == ERR_INVAL);
	CHECK_EQ_INT(m.closed, 0);   /* inner untouched on failure */
	CHECK_EQ_INT(tls_client_error(&m.base), -1);   /* not a TLS stream */
	CHECK(tls_client_alpn(&m.base) == NULL);
	CHECK_EQ_STR(tls_client_errmsg(&m.base), "");
	io_close(NULL);
	tls_client_ctx_free(NULL);
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
}

TEST(memory_per_connection)
{
	tls_client_opts hd = { .half_duplex = 1 };
	tls_client_ctx *full = tls_client_ctx_new(NULL, NULL), *half = tls_client_ctx_new(NULL, &hd);
	size_t f = tls_client_io_size(full), h = tls_client_io_size(half);
	printf("  per connection: %zu bytes full duplex, %zu bytes half duplex\n", f, h);
	CHECK(f > BR_SSL_BUFSIZE_BIDI && f < BR_SSL_BUFSIZE_BIDI + 8500);
	CHECK(h > BR_SSL_BUFSIZE_MONO && h < BR_SSL_BUFSIZE_MONO + 8500);
	tls_client_ctx_free(full);
	tls_client_ctx_free(half);
}

int main(void)
{
	br_ssl_session_cache_lru_init(&srv_cache, srv_cache_store, sizeof srv_cache_store);
	RUN(anchors_pem_basic);
	RUN(anchors_pem_mixed);
	RUN(anchors_der);
	RUN(anchors_files_and_load);
	RUN(anchors_builtin);
	RUN(der_fields);
	RUN(error_strings);
	RUN(stream_handshake_echo);
	RUN(stream_byte_by_byte);
	RUN(stream_large);
	RUN(stream_resumption);
	RUN(stream_ip_hosts);
	RUN(stream_failures);
	RUN(stream_eof_and_want);
	RUN(stream_bad_args);
	RUN(memory_per_connection);
	bytes_free(&S.got);
	return t_done();
}
