/* io.h — a non-blocking byte stream behind a small vtable, so the HTTP layer
 * reads and writes without knowing whether it is plain TCP (net/sock) or TLS
 * (tls/tls_client, which wraps another io). The event loop asks want() which
 * readiness to wait for next. */
#ifndef NET_IO_H
#define NET_IO_H
#include <stddef.h>
#include <sys/types.h>

typedef struct io io;

enum { IO_WANT_READ = 1, IO_WANT_WRITE = 2 };

typedef struct io_vt {
	/* > 0 bytes read; 0 = orderly end of stream; < 0 = err_t (ERR_AGAIN: would block). */
	ssize_t (*read)(io *s, void *dst, size_t n);
	/* > 0 bytes accepted (may be less than n); < 0 = err_t (ERR_AGAIN: would block). */
	ssize_t (*write)(io *s, const void *src, size_t n);
	/* Push out anything buffered inside the stream (TLS records). 0 when all is
	 * out, ERR_AGAIN when it must wait for writability, other < 0 on error. */
	int (*flush)(io *s);
	/* Readiness the stream needs before the next call can progress
	 * (IO_WANT_READ | IO_WANT_WRITE). A TLS stream may want WRITE while the
	 * caller wants to read (handshake, renegotiation). */
	int (*want)(io *s);
	/* Close and release the stream (and the fd). NULL-safe through io_close. */
	void (*close)(io *s);
} io_vt;

struct io {
	const io_vt *vt;
	int fd;            /* the underlying socket, for epoll registration */
};

static inline ssize_t io_read(io *s, void *d, size_t n) { return s->vt->read(s, d, n); }
static inline ssize_t io_write(io *s, const void *d, size_t n) { return s->vt->write(s, d, n); }
static inline int io_flush(io *s) { return s->vt->flush(s); }
static inline int io_want(io *s) { return s->vt->want(s); }
static inline void io_close(io *s) { if (s) s->vt->close(s); }

#endif
