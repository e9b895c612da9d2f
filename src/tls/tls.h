/* tls.h — TLS client for upstream connections: BearSSL 0.6 (TLS 1.2) driven by
 * the event loop through the io vtable (net/io.h), plus the trust anchors it
 * verifies servers against. This header is the whole public contract of src/tls;
 * bearssl.h stays behind it.
 *
 * Start-up (main.c, once, before the loop threads start):
 *
 *   char e[256];
 *   tls_anchors *ta;
 *   if (tls_anchors_load(&ta, getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR"), e, sizeof e)) die(e);
 *   tls_client_ctx *tc = tls_client_ctx_new(ta, NULL);        // shared by all workers
 *
 * Per upstream connection (loop thread; no blocking call, no file access):
 *
 *   int err;
 *   io *s = tls_client_new(tc, sock_io, "api.openai.com", 443, &err);  // owns sock_io now
 *   io_write / io_flush / io_read as for plain TCP; on ERR_AGAIN wait for io_want(s);
 *   on ERR_TLS: tls_client_errmsg(s) names the reason ("certificate has expired", ...)
 *   io_close(s);                                              // closes sock_io too
 *
 * Security policy (no knobs to weaken it; there is no "skip verification"):
 * TLS 1.2 only (BearSSL's maximum; 1.0/1.1 are refused), forward-secret ECDHE
 * suites only (ChaCha20-Poly1305, AES-GCM, AES-CCM, AES-CBC; no static RSA/ECDH
 * key exchange, no 3DES, no CCM_8), RSA keys of at least 2048 bits in the chain,
 * full chain validation against the anchors, validity dates checked against the
 * real-time clock (time(2), UTC), and the server name checked:
 *   - DNS names: sent as SNI and matched by BearSSL against the certificate's
 *     dNSName SANs (or CN when there are none), wildcards in the leftmost label;
 *   - IP literals ("127.0.0.1", "::1", "[::1]"): no SNI is sent (RFC 6066
 *     forbids IP literals there) and the leaf certificate must carry an
 *     iPAddress SAN equal to the address (checked here, since BearSSL only
 *     matches DNS names); the CN is never used for IPs.
 * ALPN offers "http/1.1". Renegotiation is refused.
 *
 * Memory per connection (sizeof the TLS io, one malloc): BearSSL client context
 * (3.7 KB) + X.509 validation context (3.2 KB) + record buffers + ~0.7 KB of our
 * own = about 40.6 KB in the default full-duplex mode (input 16709 B + output
 * 16469 B = BR_SSL_BUFSIZE_BIDI), about 24.2 KB in half-duplex mode
 * (one shared 16709 B buffer = BR_SSL_BUFSIZE_MONO). tls_client_io_size() gives
 * the exact figure. During a handshake the leaf certificate is also copied
 * (a few KB, freed when the chain is validated). A smaller output buffer is not
 * offered: BearSSL would then announce the max_fragment_length extension, which
 * some servers mishandle. Full duplex is the default because a half-duplex
 * engine cannot take in a record while one of ours is pending, so an early
 * server reply (413 during a large upload) or alert would wait for the upload.
 *
 * Thread safety: a tls_anchors is immutable once loaded and may be shared by
 * any number of contexts and threads. A tls_client_ctx may be shared by all
 * worker threads (its session cache and counters sit behind a mutex held for a
 * few hundred nanoseconds). A TLS io belongs to one thread at a time. */
#ifndef TLS_TLS_H
#define TLS_TLS_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "net/io.h"

/* ---- trust anchors ---------------------------------------------------------- */

typedef struct tls_anchors tls_anchors;

/* An empty set (NULL when out of memory). Free with tls_anchors_free. */
tls_anchors *tls_anchors_new(void);
/* Release the set and everything it holds. NULL-safe. No context built on the
 * set may be used afterwards. */
void tls_anchors_free(tls_anchors *a);

/* Add one certificate (DER) as an anchor: its subject DN and public key, with
 * the CA flag when its basicConstraints say CA (a non-CA anchor only trusts a
 * server presenting exactly that certificate). Returns 1 when added, 0 when it
 * was already there (same DN and key), ERR_INVAL when it does not decode,
 * ERR_UNSUPPORTED for a key BearSSL cannot use (RSA over 4096 bits, EC other
 * than P-256/384/521), ERR_NOMEM. */
int tls_anchors_add_der(tls_anchors *a, const void *der, size_t n);
/* Add every "CERTIFICATE" (also "X509 CERTIFICATE", "TRUSTED CERTIFICATE") of a
 * PEM text; other objects (keys, CRLs) are ignored; certificates that cannot
 * be used and broken PEM objects are skipped and counted in *skipped (may be
 * NULL). A text with no "-----BEGIN" that starts like DER is taken as one DER
 * certificate. *added (may be NULL) gets the number of new anchors.
 * 0, ERR_NOMEM, ERR_TOOBIG (over TLS_ANCHORS_MAX anchors). */
int tls_anchors_add_pem(tls_anchors *a, const void *text, size_t n, size_t *added, size_t *skipped);
/* Read a PEM (or DER) file and add its certificates (file up to
 * TLS_ANCHORS_FILE_MAX bytes). 0 or < 0 with a sentence in err (may be NULL). */
int tls_anchors_add_file(tls_anchors *a, const char *path, size_t *added, char *err, size_t cap);
/* Add the files of a directory, in name order: *.pem, *.crt, *.cer and
 * OpenSSL hashed names (8 hex digits "." digits, e.g. 5ad8a5d6.0). Files that
 * fail are skipped (counted in *skipped). 0 or < 0 (cannot open) with err. */
int tls_anchors_add_dir(tls_anchors *a, const char *path, size_t *added, size_t *skipped, char *err, size_t cap);
/* Add the built-in bundle compiled into the binary (generated from Debian's
 * ca-certificates by tools/gen_ca_bundle). Returns the number added or ERR_NOMEM. */
int tls_anchors_add_builtin(tls_anchors *a);

/* The start-up policy. Call once, before loop threads start (it reads files).
 *  1. cert_file and/or cert_dir given (non-empty; main.c passes SSL_CERT_FILE and
 *     SSL_CERT_DIR, where SSL_CERT_DIR may list several directories separated
 *     by ':'): exactly those; unreadable, or no usable certificate in them, is
 *     an error (a variable set by mistake must not silently fall back).
 *  2. else the first distro bundle that yields a certificate:
 *     /etc/ssl/certs/ca-certificates.crt (Debian, Ubuntu, Alpine, Gentoo),
 *     /etc/pki/tls/certs/ca-bundle.crt (Fedora, RHEL), /etc/ssl/ca-bundle.pem
 *     (openSUSE), /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem (RHEL 7+),
 *     /etc/ssl/cert.pem (Alpine, macOS, BSDs), then the directory /etc/ssl/certs;
 *  3. else the built-in bundle.
 * 0 with *out set (free with tls_anchors_free), or < 0 with a sentence in err. */
int tls_anchors_load(tls_anchors **out, const char *cert_file, const char *cert_dir, char *err, size_t cap);

size_t tls_anchors_count(const tls_anchors *a);
/* Where the anchors came from, for the start-up log line:
 * "/etc/ssl/certs/ca-certificates.crt", "built-in bundle", ... (never NULL). */
const char *tls_anchors_source(const tls_anchors *a);

#define TLS_ANCHORS_FILE_MAX ((size_t)16 << 20)  /* one CA file */
#define TLS_ANCHORS_MAX      10000               /* anchors in one set */

/* ---- client context ------------------------------------------------------------ */

typedef struct tls_client_ctx tls_client_ctx;

typedef struct tls_client_opts {
	size_t session_cache;   /* remembered sessions, one per (host, port); 0 = TLS_SESSION_CACHE_DEFAULT */
	int half_duplex;        /* 1: one shared 16.7 KB record buffer instead of 33 KB (see top) */
	time_t (*now)(void);    /* validation clock; NULL = time(). For tests only. */
} tls_client_opts;

#define TLS_SESSION_CACHE_DEFAULT 256

typedef struct tls_client_stats {
	uint64_t full;          /* handshakes completed with a full exchange */
	uint64_t resumed;       /* handshakes completed by resuming a cached session */
	uint64_t failed;        /* handshakes that failed for a TLS reason */
	size_t sessions;        /* sessions in the cache now */
} tls_client_stats;

/* A context over a set of anchors (borrowed: it must outlive the context and
 * every stream made from it). opts may be NULL. NULL when out of memory. */
tls_client_ctx *tls_client_ctx_new(const tls_anchors *anchors, const tls_client_opts *opts);
/* NULL-safe. Wipes the cached session secrets. Streams made from the context
 * must be closed first. */
void tls_client_ctx_free(tls_client_ctx *c);
void tls_client_ctx_stats(tls_client_ctx *c, tls_client_stats *out);
/* Forget every cached session (e.g. after a configuration reload). */
void tls_client_ctx_flush_sessions(tls_client_ctx *c);

/* ---- TLS streams ------------------------------------------------------------------ */

/* A TLS stream over inner (a connected, non-blocking plain stream). host is the
 * name the caller connected to (DNS name or IP literal, "[v6]" allowed, one
 * trailing dot ignored; at most 253 bytes); port only keys the session cache.
 * A cached session for (host, port) is offered for resumption. The handshake
 * runs inside the first io_read / io_write / io_flush calls. The stream's fd
 * is inner's.
 * On success the stream owns inner (io_close closes both). On failure returns
 * NULL, sets *err (may be NULL; ERR_INVAL: no context or inner, empty or
 * over-long host, a host with spaces, control characters or '/'; ERR_NOMEM;
 * ERR_TLS: engine set-up failed) and inner is untouched, still the caller's.
 * Runs on a loop thread: no file access, no blocking call (entropy comes from
 * getrandom(2), which does not block once the system is up). */
io *tls_client_new(tls_client_ctx *c, io *inner, const char *host, unsigned port, int *err);

/* Stream behaviour (io.h contract), in detail:
 *  read:  > 0 plaintext bytes; 0 at the end of the stream (close_notify, or the
 *         peer closing TCP after the handshake: HTTP framing catches truncation);
 *         ERR_AGAIN (see io_want); ERR_TLS (reason below); other < 0 from inner.
 *  write: > 0 bytes taken into the current record (complete records are sent
 *         as far as the socket takes them); call flush to push the rest out.
 *         ERR_CLOSED after the peer closed.
 *  flush: 0 once every byte written so far is on the wire; ERR_AGAIN.
 *  want:  after ERR_AGAIN, the readiness that blocked (IO_WANT_READ and/or
 *         IO_WANT_WRITE; during a handshake a write may need READ); otherwise
 *         WRITE when records are waiting to go out, else READ.
 *  close: sends close_notify when the socket takes it right away, closes inner,
 *         wipes the keys, frees. */

/* Reason of the failure of a TLS stream: 0 when none, else a code for
 * tls_error_str (a BearSSL error, BR_ERR_*; an alert, 256 + n received or
 * 512 + n sent; or TLS_E_* below). -1 when s is not a TLS stream. */
int tls_client_error(io *s);
/* One line for logs and 502 bodies: "TLS handshake with host:port failed:
 * <tls_error_str>" (or "" when nothing failed). Valid until io_close(s). */
const char *tls_client_errmsg(io *s);
/* 1 once the handshake is complete. */
int tls_client_handshake_done(io *s);
/* 1 when the handshake resumed a cached session (abbreviated handshake). */
int tls_client_resumed(io *s);
/* Protocol chosen by ALPN ("http/1.1"), or NULL when the server did not pick one. */
const char *tls_client_alpn(io *s);
/* Bytes one TLS stream takes (the single malloc of tls_client_new). */
size_t tls_client_io_size(const tls_client_ctx *c);

/* ---- reasons -------------------------------------------------------------------------- */

/* Reasons found by looking closer at a failed verification (BearSSL itself
 * folds them into BR_ERR_X509_EXPIRED / BR_ERR_X509_NOT_TRUSTED) and reasons
 * outside BearSSL. Above every BearSSL code. */
enum {
	TLS_E_EXPIRED = 1001,           /* leaf certificate's notAfter is in the past */
	TLS_E_NOT_YET_VALID = 1002,     /* leaf certificate's notBefore is in the future */
	TLS_E_SELF_SIGNED = 1003,       /* single self-signed certificate, not an anchor */
	TLS_E_UNKNOWN_CA = 1004,        /* chain does not end at a trusted anchor */
	TLS_E_IP_MISMATCH = 1005,       /* IP host, no matching iPAddress SAN */
	TLS_E_EOF_HANDSHAKE = 1006,     /* peer closed TCP during the handshake */
	TLS_E_CHAIN_DATES = 1007        /* a CA certificate of the chain is out of its validity */
};

/* Static sentence for a reason code (never NULL): "certificate has expired",
 * "certificate is not valid for this host name", "server sent fatal alert:
 * handshake_failure", ... */
const char *tls_error_str(int code);

#endif
