/* sock.h — socket helpers (listen, accept, non-blocking connect, options),
 * socket addresses (parse/format IPv4 and IPv6 with brackets and ports) and
 * the plain-TCP implementation of the io vtable of net/io.h.
 *
 * Every socket made here is non-blocking and close-on-exec. Functions return
 * 0 (or an fd / a count) on success and a negative err_t on failure with errno
 * left holding the OS reason; those that can fail for a reason a human must
 * read take an error buffer (err, errlen; may be NULL/0). Writes use
 * MSG_NOSIGNAL, so a closed peer is ERR_CLOSED, never SIGPIPE. */
#ifndef NET_SOCK_H
#define NET_SOCK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "base/str.h"
#include "net/io.h"

/* --- addresses ------------------------------------------------------------ */

/* An IPv4 or IPv6 socket address. Zero-initialised = "no address" (len 0). */
typedef struct sock_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;   /* 0 = empty, else sizeof the family's struct */
} sock_addr;

/* Big enough for "[ffff:...:255.255.255.255%<ifname>]:65535" and a NUL. */
#define SOCK_ADDR_STRLEN 72

/* Build from a literal IP host and a port. host may be "1.2.3.4", "::1",
 * "[::1]", "fe80::1%eth0" / "[fe80::1%2]" (scope by interface name or
 * number). Strict: IPv4 is exactly four decimal parts 0..255 (no "0x7f.1",
 * no "127.1"). ERR_INVAL when host is not an IP literal (e.g. a name). */
int sock_addr_from_ip(sock_addr *a, str host, uint16_t port);
/* Parse "host:port" where host is an IPv4 literal or a bracketed IPv6
 * literal: "127.0.0.1:80", "[::1]:8080", "[fe80::1%eth0]:80". The port is
 * required and is 0..65535. ERR_INVAL otherwise. */
int sock_addr_parse(sock_addr *a, str s);
/* True when s is an IPv4 literal or an IPv6 literal (brackets optional). */
bool sock_is_ip_literal(str host);

/* "1.2.3.4:80" / "[::1]:80" (sock_addr_format) or "1.2.3.4" / "::1"
 * (sock_addr_format_ip). Always NUL-terminates when cap > 0; returns the
 * length of the text (truncated when it does not fit: use SOCK_ADDR_STRLEN).
 * An empty address formats as "". */
size_t sock_addr_format(const sock_addr *a, char *dst, size_t cap);
size_t sock_addr_format_ip(const sock_addr *a, char *dst, size_t cap);

int sock_addr_family(const sock_addr *a);              /* AF_INET, AF_INET6 or 0 */
uint16_t sock_addr_port(const sock_addr *a);           /* host byte order; 0 when empty */
void sock_addr_set_port(sock_addr *a, uint16_t port);
/* Same family, IP, port (and IPv6 scope). */
bool sock_addr_eq(const sock_addr *a, const sock_addr *b);
/* Copy a struct sockaddr of len bytes (AF_INET/AF_INET6 only): 0 or ERR_INVAL. */
int sock_addr_from_sa(sock_addr *a, const struct sockaddr *sa, socklen_t len);

/* --- sockets ---------------------------------------------------------------- */

enum {
	SOCK_LISTEN_REUSEPORT = 1,   /* SO_REUSEPORT: several listeners on one address, one per worker */
	SOCK_LISTEN_V6ONLY    = 2,   /* IPV6_V6ONLY=1 on an IPv6 listener (default: a wildcard "::" listener
	                         is dual-stack (V6ONLY=0), a specific IPv6 address is V6ONLY=1) */
};

/* Create, bind and listen (SO_REUSEADDR always, flags above). Returns the
 * listening fd (>= 0) or a negative err_t; on failure err gets
 * "failed to bind <addr>: <strerror> (os error <errno>)" (Rust's io::Error
 * shape; or "failed to listen on <addr>: ..." / "failed to create socket for
 * <addr>: ..."). ERR_UNSUPPORTED when SO_REUSEPORT was asked for and the
 * kernel refuses it. backlog <= 0 means SOMAXCONN. */
int sock_listen(const sock_addr *a, int backlog, int flags, char *err, size_t errlen);

/* Accept one connection: fd (non-blocking, close-on-exec; TCP_NODELAY set for
 * TCP) with *peer filled (peer may be NULL). ERR_AGAIN when none is pending,
 * ERR_AGAIN also for the transient ECONNABORTED/EINTR/EPROTO (try again),
 * ERR_TOOBIG for EMFILE/ENFILE (out of fds), ERR_NOMEM for ENOBUFS/ENOMEM,
 * ERR_IO otherwise (errno set). */
int sock_accept(int lfd, sock_addr *peer);

/* Start a non-blocking TCP connect to a (TCP_NODELAY set). On return *fd is
 * the socket and the result is:
 *   0         connected already (happens on loopback);
 *   ERR_AGAIN in progress: wait for LOOP_WRITE on *fd, then sock_connect_result();
 *   < 0       failed; *fd is -1 (the socket is closed), errno set.
 * ERR_IO with errno ECONNREFUSED etc. for immediate refusals. */
int sock_connect(const sock_addr *a, int *fd);
/* After writability of a connecting socket: 0 = connected, ERR_AGAIN = still
 * in progress (spurious wake-up), ERR_TIMEOUT (ETIMEDOUT), ERR_IO otherwise
 * with errno = the connect error (ECONNREFUSED, EHOSTUNREACH...). The caller
 * closes fd on error. */
int sock_connect_result(int fd);

int sock_set_nodelay(int fd, bool on);
/* SO_KEEPALIVE with TCP_KEEPIDLE idle_s, TCP_KEEPINTVL intvl_s, TCP_KEEPCNT cnt
 * (each ignored when <= 0). on = false disables. */
int sock_set_keepalive(int fd, bool on, int idle_s, int intvl_s, int cnt);
int sock_local_addr(int fd, sock_addr *a);
int sock_peer_addr(int fd, sock_addr *a);
/* shutdown(SHUT_WR): half-close after the last response byte. */
int sock_shutdown_write(int fd);
/* Bytes readable without blocking (FIONREAD), or a negative err_t. */
int sock_readable_bytes(int fd);

/* Raw fd I/O with the io error convention: > 0 bytes, 0 = end of stream
 * (read only), ERR_AGAIN, ERR_CLOSED (ECONNRESET/EPIPE), ERR_TIMEOUT
 * (ETIMEDOUT), ERR_IO (errno set). EINTR is retried. n = 0 returns 0. */
ssize_t sock_read(int fd, void *dst, size_t n);
ssize_t sock_write(int fd, const void *src, size_t n);
/* writev with MSG_NOSIGNAL (sendmsg); iovcnt is capped at IOV_MAX. */
ssize_t sock_writev(int fd, const struct iovec *iov, int iovcnt);

/* --- io vtable: plain TCP -------------------------------------------------- */

/* A plain-socket io. Embed it in a connection (sock_io_init, no allocation:
 * io_close() closes the fd and leaves the memory to its owner) or allocate it
 * (sock_io_new: io_close() closes the fd and frees it). Either way the io owns
 * the fd from then on; unregister it from its loop (loop_fd_del(l, s->fd))
 * before io_close().
 *
 * want(): the readiness the stream last blocked on: IO_WANT_WRITE after a
 * write returned ERR_AGAIN (until a write succeeds), IO_WANT_READ after a read
 * returned ERR_AGAIN, and IO_WANT_READ when nothing blocked yet. flush() is 0
 * (nothing is buffered). */
typedef struct sock_io {
	io base;        /* first: (io *)&s->base is the stream */
	int blocked;    /* private: IO_WANT_* bits of the last ERR_AGAIN */
	bool heap;      /* private */
} sock_io;

void sock_io_init(sock_io *s, int fd);
/* NULL on ERR_NOMEM (fd is then left open: still the caller's). */
io *sock_io_new(int fd);
/* True when s is a plain sock_io (so its fd can be written directly). */
bool sock_io_is_plain(const io *s);
/* Gathering write on any io: one writev(2) for a plain socket; for other
 * streams (TLS) the buffers are written in order with io_write until one
 * would block or is partly taken. Returns bytes accepted (> 0), or ERR_AGAIN
 * when nothing was, or another negative err_t. Total bytes are capped at
 * SSIZE_MAX. */
ssize_t sock_io_writev(io *s, const struct iovec *iov, int iovcnt);

#endif
