/* tls_client.c — BearSSL's client engine behind the io vtable, for a
 * non-blocking event loop: every read/write/flush moves records between the
 * engine and the inner stream until the caller's goal is met or the socket
 * would block (then io_want says on what). Also: the per-(host, port) session
 * cache for resumption, the X.509 wrapper that adds IP-address checks and
 * finer failure reasons, and the statistics. */
#include "tls/tls.h"
#include "tls/tls_der.h"
#include "tls/tls_private.h"
#include "base/err.h"
#include <bearssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define HOST_MAX 253
#define EE_MAX   65536u   /* leaf certificate copied for the checks BearSSL does not do */
#define RUN_EOF  1        /* tls_run: the stream has ended */

typedef struct tls_sess {
	char host[HOST_MAX + 1];
	unsigned port;
	uint64_t used;                  /* LRU tick; 0 = free slot */
	br_ssl_session_parameters p;
} tls_sess;

struct tls_client_ctx {
	const tls_anchors *anchors;
	time_t (*now)(void);
	int half_duplex;
	pthread_mutex_t mu;             /* guards everything below */
	tls_sess *sess;
	size_t nsess;
	uint64_t tick;
	tls_client_stats st;
};

typedef struct tls_io tls_io;

/* X.509 engine in front of BearSSL's "minimal" one: same answers, plus the
 * iPAddress SAN check for IP hosts and a closer look at failures. */
typedef struct tls_xv {
	const br_x509_class *vtable;
	tls_io *t;
	unsigned ncert;
	unsigned char *ee;              /* copy of the leaf, only during the handshake */
	size_t ee_len, ee_cap;
	int reason;                     /* refined reason (TLS_E_*), 0 = none */
} tls_xv;

struct tls_io {
	io base;
	io *inner;
	tls_client_ctx *ctx;
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	tls_xv xv;
	int64_t now;                    /* validation time, seconds since the epoch */
	unsigned port;
	uint8_t ip[16];
	int ip_len;                     /* 4 or 16 for an IP host, 0 for a DNS name */
	unsigned char offered_id[32];
	size_t offered_len;
	int hs_done, resumed, eof, want, reason, ioerr, counted;
	char host[HOST_MAX + 1];
	char msg[400];
	size_t buf_len;
	unsigned char buf[];            /* BearSSL record buffer(s) */
};

/* Forward-secret suites only; BearSSL's preference order (ChaCha20, GCM, CCM,
 * CBC). Left out of the "full" profile: static RSA and ECDH key exchange (no
 * forward secrecy), 3DES (64-bit blocks), CCM_8 (short tags). */
static const uint16_t tls_suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CCM,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CCM,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
};

static const char *tls_alpn[] = { "http/1.1" };

/* ---- context and session cache --------------------------------------------------- */

tls_client_ctx *tls_client_ctx_new(const tls_anchors *anchors, const tls_client_opts *opts)
{
	tls_client_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->anchors = anchors;
	c->nsess = opts && opts->session_cache ? opts->session_cache : TLS_SESSION_CACHE_DEFAULT;
	c->half_duplex = opts ? opts->half_duplex : 0;
	c->now = opts ? opts->now : NULL;
	c->sess = calloc(c->nsess, sizeof *c->sess);
	if (!c->sess || pthread_mutex_init(&c->mu, NULL)) {
		free(c->sess);
		free(c);
		return NULL;
	}
	return c;
}

void tls_client_ctx_free(tls_client_ctx *c)
{
	if (!c)
		return;
	explicit_bzero(c->sess, c->nsess * sizeof *c->sess);
	free(c->sess);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void tls_client_ctx_stats(tls_client_ctx *c, tls_client_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->st;
	out->sessions = 0;
	for (size_t i = 0; i < c->nsess; i++)
		out->sessions += c->sess[i].used != 0;
	pthread_mutex_unlock(&c->mu);
}

void tls_client_ctx_flush_sessions(tls_client_ctx *c)
{
	pthread_mutex_lock(&c->mu);
	explicit_bzero(c->sess, c->nsess * sizeof *c->sess);
	pthread_mutex_unlock(&c->mu);
}

/* Slot of (host, port), or -1. Lock held. */
static long sess_find(tls_client_ctx *c, const char *host, unsigned port)
{
	for (size_t i = 0; i < c->nsess; i++)
		if (c->sess[i].used && c->sess[i].port == port && !strcmp(c->sess[i].host, host))
			return (long)i;
	return -1;
}

static int sess_get(tls_client_ctx *c, const char *host, unsigned port, br_ssl_session_parameters *out)
{
	pthread_mutex_lock(&c->mu);
	long i = sess_find(c, host, port);
	if (i >= 0) {
		*out = c->sess[i].p;
		c->sess[i].used = ++c->tick;
	}
	pthread_mutex_unlock(&c->mu);
	return i >= 0;
}

/* Lock held. */
static void sess_put(tls_client_ctx *c, const char *host, unsigned port, const br_ssl_session_parameters *p)
{
	long i = sess_find(c, host, port);
	if (i < 0) {   /* a free slot, else the least recently used one */
		i = 0;
		for (size_t k = 0; k < c->nsess; k++) {
			if (!c->sess[k].used) {
				i = (long)k;
				break;
			}
			if (c->sess[k].used < c->sess[i].used)
				i = (long)k;
		}
		snprintf(c->sess[i].host, sizeof c->sess[i].host, "%s", host);
		c->sess[i].port = port;
	}
	c->sess[i].p = *p;
	c->sess[i].used = ++c->tick;
}

/* Lock held. */
static void sess_drop(tls_client_ctx *c, const char *host, unsigned port)
{
	long i = sess_find(c, host, port);
	if (i >= 0)
		explicit_bzero(&c->sess[i], sizeof c->sess[i]);
}

/* ---- X.509 wrapper ----------------------------------------------------------------- */

static const br_x509_class *xv_inner(tls_xv *x)
{
	return x->t->xc.vtable;
}

static void xv_start_chain(const br_x509_class **ctx, const char *server_name)
{
	tls_xv *x = (tls_xv *)(void *)ctx;
	x->ncert = 0;
	x->reason = 0;
	free(x->ee);
	x->ee = NULL;
	x->ee_len = x->ee_cap = 0;
	xv_inner(x)->start_chain(&x->t->xc.vtable, server_name);
}

static void xv_start_cert(const br_x509_class **ctx, uint32_t length)
{
	tls_xv *x = (tls_xv *)(void *)ctx;
	if (x->ncert == 0 && length <= EE_MAX && (x->ee = malloc(length ? length : 1)))
		x->ee_cap = length;
	xv_inner(x)->start_cert(&x->t->xc.vtable, length);
}

static void xv_append(const br_x509_class **ctx, const unsigned char *b, size_t len)
{
	tls_xv *x = (tls_xv *)(void *)ctx;
	if (x->ncert == 0 && x->ee && len <= x->ee_cap - x->ee_len) {
		memcpy(x->ee + x->ee_len, b, len);
		x->ee_len += len;
	}
	xv_inner(x)->append(&x->t->xc.vtable, b, len);
}

static void xv_end_cert(const br_x509_class **ctx)
{
	tls_xv *x = (tls_xv *)(void *)ctx;
	x->ncert++;
	xv_inner(x)->end_cert(&x->t->xc.vtable);
}

static unsigned xv_end_chain(const br_x509_class **ctx)
{
	tls_xv *x = (tls_xv *)(void *)ctx;
	tls_io *t = x->t;
	unsigned err = xv_inner(x)->end_chain(&t->xc.vtable);
	tls_der_cert c;
	int parsed = x->ee && x->ee_len == x->ee_cap && !tls_der_cert_parse(x->ee, x->ee_len, &c);
	if (err == BR_ERR_X509_EXPIRED) {
		if (parsed && t->now > c.not_after)
			x->reason = TLS_E_EXPIRED;
		else if (parsed && t->now < c.not_before)
			x->reason = TLS_E_NOT_YET_VALID;
		else if (parsed)
			x->reason = TLS_E_CHAIN_DATES;
	} else if (err == BR_ERR_X509_NOT_TRUSTED && parsed) {
		x->reason = x->ncert == 1 && c.issuer_len == c.subject_len
			&& !memcmp(c.issuer, c.subject, c.issuer_len) ? TLS_E_SELF_SIGNED : TLS_E_UNKNOWN_CA;
	} else if (err == 0 && t->ip_len) {
		/* BearSSL was given no name for an IP host: the address must be an
		 * iPAddress SAN of the leaf. Unreadable leaf: refuse. */
		if (!parsed || !tls_der_san_has_ip(&c, t->ip, (size_t)t->ip_len)) {
			err = BR_ERR_X509_BAD_SERVER_NAME;
			x->reason = TLS_E_IP_MISMATCH;
		}
	}
	free(x->ee);
	x->ee = NULL;
	x->ee_len = x->ee_cap = 0;
	return err;
}

static const br_x509_pkey *xv_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const tls_xv *x = (const tls_xv *)(const void *)ctx;
	return x->t->xc.vtable->get_pkey(&x->t->xc.vtable, usages);
}

static const br_x509_class xv_vtable = {
	sizeof(tls_xv), xv_start_chain, xv_start_cert, xv_append, xv_end_cert, xv_end_chain, xv_get_pkey
};

/* ---- the engine driver --------------------------------------------------------------- */

static const io_vt tls_vt;

static tls_io *as_tls(io *s)
{
	return s && s->vt == &tls_vt ? (tls_io *)s : NULL;
}

static void set_msg(tls_io *t, const char *what)
{
	const char *l = strchr(t->host, ':') ? "[" : "", *r = *l ? "]" : "";
	snprintf(t->msg, sizeof t->msg, "TLS %s with %s%s%s:%u failed: %s",
		t->hs_done ? "connection" : "handshake", l, t->host, r, t->port, what);
}

/* The engine stopped with BearSSL error e (not 0). */
static int tls_fail(tls_io *t, int e)
{
	if (!t->reason) {
		int x509 = e >= BR_ERR_X509_OK && e < BR_ERR_RECV_FATAL_ALERT;
		t->reason = x509 && t->xv.reason ? t->xv.reason : e;
		set_msg(t, tls_error_str(t->reason));
	}
	if (!t->hs_done && !t->counted) {
		t->counted = 1;
		pthread_mutex_lock(&t->ctx->mu);
		t->ctx->st.failed++;
		sess_drop(t->ctx, t->host, t->port);
		pthread_mutex_unlock(&t->ctx->mu);
	}
	return ERR_TLS;
}

/* The inner stream failed with e (< 0, not ERR_AGAIN). Sticky. */
static int tls_ioerr(tls_io *t, int e)
{
	t->ioerr = e;
	if (!t->msg[0])
		set_msg(t, err_str(e));
	return e;
}

static void tls_on_handshake(tls_io *t)
{
	br_ssl_session_parameters p;
	t->hs_done = 1;
	br_ssl_engine_get_session_parameters(&t->sc.eng, &p);
	t->resumed = t->offered_len && p.session_id_len == t->offered_len
		&& !memcmp(p.session_id, t->offered_id, t->offered_len);
	pthread_mutex_lock(&t->ctx->mu);
	if (t->resumed)
		t->ctx->st.resumed++;
	else
		t->ctx->st.full++;
	if (p.session_id_len)
		sess_put(t->ctx, t->host, t->port, &p);
	else
		sess_drop(t->ctx, t->host, t->port);
	pthread_mutex_unlock(&t->ctx->mu);
	explicit_bzero(&p, sizeof p);
}

/* Move records until the engine state has `target` (BR_SSL_SENDAPP: room for
 * plaintext; BR_SSL_RECVAPP: plaintext to read) or, with target 0, until no
 * record waits to be sent. 0 when there, RUN_EOF when the stream has ended,
 * ERR_AGAIN with t->want set, or another error. Sending goes first, as in
 * BearSSL's own sslio; a blocked send does not stop a read. */
static int tls_run(tls_io *t, unsigned target)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	int want = 0, flushed = 0;
	if (t->ioerr)
		return t->ioerr;
	if (t->reason)   /* failed before (the engine may not know, e.g. TCP end in the handshake) */
		return ERR_TLS;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED) {
			int e = br_ssl_engine_last_error(eng);
			return e == BR_ERR_OK ? RUN_EOF : tls_fail(t, e);
		}
		if (!t->hs_done && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
			tls_on_handshake(t);
		if ((st & BR_SSL_SENDREC) && !(want & IO_WANT_WRITE)) {
			size_t len;
			unsigned char *b = br_ssl_engine_sendrec_buf(eng, &len);
			ssize_t w = io_write(t->inner, b, len);
			if (w > 0) {
				br_ssl_engine_sendrec_ack(eng, (size_t)w);
				continue;
			}
			if (w != ERR_AGAIN)
				return tls_ioerr(t, w < 0 ? (int)w : ERR_IO);
			want |= IO_WANT_WRITE;
		}
		if (target == 0) {
			if (!(st & BR_SSL_SENDREC))
				return 0;
			t->want = IO_WANT_WRITE;
			return ERR_AGAIN;
		}
		if (st & target)
			return 0;
		if (target == BR_SSL_SENDAPP && (want & IO_WANT_WRITE)) {
			t->want = want;
			return ERR_AGAIN;
		}
		if (target == BR_SSL_SENDAPP && (st & BR_SSL_RECVAPP)) {
			/* half duplex: received plaintext must be read before writing */
			if (!t->msg[0])
				set_msg(t, "unread data from the server blocks writing");
			return ERR_STATE;
		}
		if ((st & BR_SSL_RECVREC) && !(want & IO_WANT_READ) && !t->eof) {
			size_t len;
			unsigned char *b = br_ssl_engine_recvrec_buf(eng, &len);
			ssize_t r = io_read(t->inner, b, len);
			if (r > 0) {
				br_ssl_engine_recvrec_ack(eng, (size_t)r);
				continue;
			}
			if (r == 0) {
				/* TCP end. After the handshake this ends the stream like a
				 * close_notify would (HTTP framing detects truncation). */
				t->eof = 1;
				if (!t->hs_done) {
					t->reason = TLS_E_EOF_HANDSHAKE;
					set_msg(t, tls_error_str(t->reason));
					return tls_fail(t, TLS_E_EOF_HANDSHAKE);
				}
				return RUN_EOF;
			}
			if (r != ERR_AGAIN)
				return tls_ioerr(t, (int)r);
			want |= IO_WANT_READ;
		}
		if (want) {
			t->want = want;
			return ERR_AGAIN;
		}
		if (t->eof)
			return RUN_EOF;
		if (!flushed) {   /* half duplex: our pending plaintext must go out first */
			br_ssl_engine_flush(eng, 0);
			flushed = 1;
			continue;
		}
		if (!t->msg[0])
			set_msg(t, "TLS engine stalled");
		return ERR_STATE;
	}
}

static ssize_t tls_read(io *s, void *dst, size_t n)
{
	tls_io *t = (tls_io *)s;
	if (n == 0)
		return ERR_INVAL;
	int rc = tls_run(t, BR_SSL_RECVAPP);
	if (rc == RUN_EOF)
		return 0;
	if (rc < 0)
		return rc;
	size_t len;
	unsigned char *b = br_ssl_engine_recvapp_buf(&t->sc.eng, &len);
	if (len > n)
		len = n;
	memcpy(dst, b, len);
	br_ssl_engine_recvapp_ack(&t->sc.eng, len);
	t->want = IO_WANT_READ;
	return (ssize_t)len;
}

/* Send complete records while the socket takes them; errors stay sticky for
 * the next call. */
static void tls_push(tls_io *t)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	while (!t->ioerr && (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC)) {
		size_t len;
		unsigned char *b = br_ssl_engine_sendrec_buf(eng, &len);
		ssize_t w = io_write(t->inner, b, len);
		if (w <= 0) {
			if (w != ERR_AGAIN)
				tls_ioerr(t, w < 0 ? (int)w : ERR_IO);
			return;
		}
		br_ssl_engine_sendrec_ack(eng, (size_t)w);
	}
}

static ssize_t tls_write(io *s, const void *src, size_t n)
{
	tls_io *t = (tls_io *)s;
	if (n == 0)
		return 0;
	int rc = tls_run(t, BR_SSL_SENDAPP);
	if (rc == RUN_EOF)
		return ERR_CLOSED;
	if (rc < 0)
		return rc;
	size_t len;
	unsigned char *b = br_ssl_engine_sendapp_buf(&t->sc.eng, &len);
	if (len > n)
		len = n;
	memcpy(b, src, len);
	br_ssl_engine_sendapp_ack(&t->sc.eng, len);
	tls_push(t);
	t->want = br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_SENDREC ? IO_WANT_WRITE : IO_WANT_READ;
	return (ssize_t)len;
}

static int tls_flush(io *s)
{
	tls_io *t = (tls_io *)s;
	if (t->ioerr)
		return t->ioerr;
	br_ssl_engine_flush(&t->sc.eng, 0);
	int rc = tls_run(t, 0);
	if (rc == RUN_EOF)
		return ERR_CLOSED;
	if (rc == 0)
		t->want = IO_WANT_READ;
	return rc;
}

static int tls_want(io *s)
{
	tls_io *t = (tls_io *)s;
	return t->want ? t->want : IO_WANT_WRITE;
}

static void tls_close(io *s)
{
	tls_io *t = (tls_io *)s;
	br_ssl_engine_context *eng = &t->sc.eng;
	if (t->hs_done && !t->ioerr && !t->eof && !(br_ssl_engine_current_state(eng) & BR_SSL_CLOSED)) {
		br_ssl_engine_close(eng);   /* close_notify, if the socket takes it now */
		tls_push(t);
	}
	io_close(t->inner);
	free(t->xv.ee);
	size_t total = sizeof *t + t->buf_len;
	explicit_bzero(t, total);
	free(t);
}

static const io_vt tls_vt = { tls_read, tls_write, tls_flush, tls_want, tls_close };

size_t tls_client_io_size(const tls_client_ctx *c)
{
	return sizeof(tls_io) + (c && c->half_duplex ? BR_SSL_BUFSIZE_MONO : BR_SSL_BUFSIZE_BIDI);
}

io *tls_client_new(tls_client_ctx *c, io *inner, const char *host, unsigned port, int *err)
{
	int e = 0;
	tls_io *t = NULL;
	size_t hl = host ? strlen(host) : 0;
	if (hl && host[hl - 1] == '.')
		hl--;
	if (!c || !inner || hl == 0 || hl > HOST_MAX) {
		e = ERR_INVAL;
		goto fail;
	}
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == 0x7f || host[i] == '/') {
			e = ERR_INVAL;
			goto fail;
		}
	size_t bl = c->half_duplex ? BR_SSL_BUFSIZE_MONO : BR_SSL_BUFSIZE_BIDI;
	t = calloc(1, sizeof *t + bl);
	if (!t) {
		e = ERR_NOMEM;
		goto fail;
	}
	t->base.vt = &tls_vt;
	t->base.fd = inner->fd;
	t->inner = inner;
	t->ctx = c;
	t->port = port;
	t->buf_len = bl;
	t->want = IO_WANT_WRITE;
	memcpy(t->host, host, hl);
	t->host[hl] = 0;
	t->ip_len = tls_der_parse_ip(t->host, hl, t->ip);
	if (t->ip_len && t->host[0] == '[') {   /* keep the bare address */
		memmove(t->host, t->host + 1, hl - 2);
		t->host[hl - 2] = 0;
	}

	size_t nta;
	const br_x509_trust_anchor *ta = tls_anchors_array(c->anchors, &nta);
	br_ssl_engine_context *eng = &t->sc.eng;
	br_ssl_client_init_full(&t->sc, &t->xc, ta, nta);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, tls_suites, sizeof tls_suites / sizeof tls_suites[0]);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_protocol_names(eng, tls_alpn, 1);
	br_x509_minimal_set_minrsa(&t->xc, 256);
	time_t now = c->now ? c->now() : time(NULL);
	t->now = (int64_t)now;
	if (t->now > 0)
		br_x509_minimal_set_time(&t->xc, (uint32_t)(t->now / 86400 + 719528), (uint32_t)(t->now % 86400));
	t->xv.vtable = &xv_vtable;
	t->xv.t = t;
	br_ssl_engine_set_x509(eng, &t->xv.vtable);
	if (c->half_duplex)
		br_ssl_engine_set_buffer(eng, t->buf, BR_SSL_BUFSIZE_MONO, 0);
	else
		br_ssl_engine_set_buffers_bidi(eng, t->buf, BR_SSL_BUFSIZE_INPUT,
			t->buf + BR_SSL_BUFSIZE_INPUT, BR_SSL_BUFSIZE_OUTPUT);

	unsigned char seed[32];
	if (getrandom(seed, sizeof seed, 0) == (ssize_t)sizeof seed)
		br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
	explicit_bzero(seed, sizeof seed);   /* else BearSSL seeds itself from /dev/urandom */

	br_ssl_session_parameters p;
	int resume = sess_get(c, t->host, port, &p);
	if (resume) {
		br_ssl_engine_set_session_parameters(eng, &p);
		memcpy(t->offered_id, p.session_id, p.session_id_len);
		t->offered_len = p.session_id_len;
		explicit_bzero(&p, sizeof p);
	}
	/* IP host: no SNI, and no name for BearSSL's DNS-name check (xv_end_chain
	 * checks the address instead). */
	if (!br_ssl_client_reset(&t->sc, t->ip_len ? NULL : t->host, resume)) {
		e = ERR_TLS;
		goto fail;
	}
	return &t->base;
fail:
	if (err)
		*err = e;
	if (t) {
		explicit_bzero(t, sizeof *t + t->buf_len);
		free(t);
	}
	return NULL;
}

/* ---- accessors ------------------------------------------------------------------------------ */

int tls_client_error(io *s)
{
	tls_io *t = as_tls(s);
	return t ? t->reason : -1;
}

const char *tls_client_errmsg(io *s)
{
	tls_io *t = as_tls(s);
	return t ? t->msg : "";
}

int tls_client_handshake_done(io *s)
{
	tls_io *t = as_tls(s);
	return t && t->hs_done;
}

int tls_client_resumed(io *s)
{
	tls_io *t = as_tls(s);
	return t && t->resumed;
}

const char *tls_client_alpn(io *s)
{
	tls_io *t = as_tls(s);
	return t && t->hs_done ? br_ssl_engine_get_selected_protocol(&t->sc.eng) : NULL;
}
