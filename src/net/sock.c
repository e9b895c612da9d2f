/* sock.c — socket helpers, address parse/format, and the plain-TCP io vtable.
 * Every socket is non-blocking and close-on-exec; writes never raise SIGPIPE.
 * Error convention: negative err_t with errno holding the OS reason. */
#include "net/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/err.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* --- addresses ------------------------------------------------------------ */

static bool sock_parse_port(str s, uint16_t *out)
{
	if (s.n == 0 || s.n > 5)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s.p[i] - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Parse an IPv6 scope: interface number or name. 0 on failure. */
static uint32_t sock_parse_scope(str s)
{
	char buf[IF_NAMESIZE + 1];
	if (s.n == 0 || s.n > IF_NAMESIZE)
		return 0;
	bool digits = true;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9') {
			digits = false;
			break;
		}
		v = v * 10 + (uint64_t)(s.p[i] - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	if (digits)
		return (uint32_t)v;
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	return if_nametoindex(buf);
}

int sock_addr_from_ip(sock_addr *a, str host, uint16_t port)
{
	char buf[64];
	memset(a, 0, sizeof *a);
	if (host.n >= 2 && host.p[0] == '[' && host.p[host.n - 1] == ']')
		host = str_slice(host, 1, host.n - 1);
	if (host.n == 0 || host.n >= sizeof buf)
		return ERR_INVAL;
	if (memchr(host.p, ':', host.n)) {
		str ip = host, scope = STR_NULL;
		ptrdiff_t pct = str_index(host, '%');
		if (pct >= 0) {
			ip = str_slice(host, 0, (size_t)pct);
			scope = str_slice(host, (size_t)pct + 1, host.n);
		}
		memcpy(buf, ip.p, ip.n);
		buf[ip.n] = 0;
		if (inet_pton(AF_INET6, buf, &a->u.in6.sin6_addr) != 1)
			return ERR_INVAL;
		if (pct >= 0 && (a->u.in6.sin6_scope_id = sock_parse_scope(scope)) == 0)
			return ERR_INVAL;
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof a->u.in6;
		return 0;
	}
	/* strict dotted quad: 4 decimal parts 0..255, no leading zeros */
	uint8_t b[4];
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= host.n || host.p[i] != '.')
				return ERR_INVAL;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < host.n && host.p[i] >= '0' && host.p[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(host.p[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && host.p[start] == '0'))
			return ERR_INVAL;
		b[part] = (uint8_t)v;
	}
	if (i != host.n)
		return ERR_INVAL;
	a->u.in4.sin_family = AF_INET;
	memcpy(&a->u.in4.sin_addr, b, 4);
	a->u.in4.sin_port = htons(port);
	a->len = sizeof a->u.in4;
	return 0;
}

int sock_addr_parse(sock_addr *a, str s)
{
	str host, port;
	memset(a, 0, sizeof *a);
	if (s.n > 0 && s.p[0] == '[') {
		ptrdiff_t rb = str_index(s, ']');
		if (rb < 0 || (size_t)rb + 1 >= s.n || s.p[rb + 1] != ':')
			return ERR_INVAL;
		host = str_slice(s, 0, (size_t)rb + 1);
		port = str_slice(s, (size_t)rb + 2, s.n);
	} else {
		ptrdiff_t c = -1;
		for (size_t i = 0; i < s.n; i++)
			if (s.p[i] == ':') {
				if (c >= 0)
					return ERR_INVAL;   /* bare IPv6 needs brackets */
				c = (ptrdiff_t)i;
			}
		if (c < 0)
			return ERR_INVAL;
		host = str_slice(s, 0, (size_t)c);
		port = str_slice(s, (size_t)c + 1, s.n);
	}
	uint16_t p;
	if (!sock_parse_port(port, &p))
		return ERR_INVAL;
	return sock_addr_from_ip(a, host, p);
}

bool sock_is_ip_literal(str host)
{
	sock_addr a;
	return sock_addr_from_ip(&a, host, 0) == 0;
}

size_t sock_addr_format_ip(const sock_addr *a, char *dst, size_t cap)
{
	char ip[INET6_ADDRSTRLEN + 16];
	ip[0] = 0;
	if (a->len && a->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->u.in4.sin_addr, ip, sizeof ip);
	} else if (a->len && a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, INET6_ADDRSTRLEN);
		if (a->u.in6.sin6_scope_id) {
			size_t n = strlen(ip);
			snprintf(ip + n, sizeof ip - n, "%%%u", (unsigned)a->u.in6.sin6_scope_id);
		}
	}
	if (cap == 0)
		return strlen(ip);
	int n = snprintf(dst, cap, "%s", ip);
	return n < 0 ? 0 : (size_t)n;
}

size_t sock_addr_format(const sock_addr *a, char *dst, size_t cap)
{
	char ip[SOCK_ADDR_STRLEN];
	sock_addr_format_ip(a, ip, sizeof ip);
	int n;
	if (!a->len)
		n = snprintf(dst, cap, "%s", "");
	else if (a->u.sa.sa_family == AF_INET6)
		n = snprintf(dst, cap, "[%s]:%u", ip, (unsigned)sock_addr_port(a));
	else
		n = snprintf(dst, cap, "%s:%u", ip, (unsigned)sock_addr_port(a));
	return n < 0 ? 0 : (size_t)n;
}

int sock_addr_family(const sock_addr *a)
{
	return a->len ? a->u.sa.sa_family : 0;
}

uint16_t sock_addr_port(const sock_addr *a)
{
	if (!a->len)
		return 0;
	return ntohs(a->u.sa.sa_family == AF_INET6 ? a->u.in6.sin6_port : a->u.in4.sin_port);
}

void sock_addr_set_port(sock_addr *a, uint16_t port)
{
	if (!a->len)
		return;
	if (a->u.sa.sa_family == AF_INET6)
		a->u.in6.sin6_port = htons(port);
	else
		a->u.in4.sin_port = htons(port);
}

bool sock_addr_eq(const sock_addr *a, const sock_addr *b)
{
	if (a->len != b->len || sock_addr_family(a) != sock_addr_family(b))
		return false;
	if (!a->len)
		return true;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in4.sin_port == b->u.in4.sin_port &&
		       memcmp(&a->u.in4.sin_addr, &b->u.in4.sin_addr, 4) == 0;
	return a->u.in6.sin6_port == b->u.in6.sin6_port &&
	       a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id &&
	       memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16) == 0;
}

int sock_addr_from_sa(sock_addr *a, const struct sockaddr *sa, socklen_t len)
{
	memset(a, 0, sizeof *a);
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		memcpy(&a->u.in4, sa, sizeof a->u.in4);
		a->len = sizeof a->u.in4;
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		memcpy(&a->u.in6, sa, sizeof a->u.in6);
		a->len = sizeof a->u.in6;
		return 0;
	}
	return ERR_INVAL;
}

/* --- sockets ---------------------------------------------------------------- */

static int sock_errno_err(int e)
{
	switch (e) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		return ERR_AGAIN;
	case ECONNRESET:
	case EPIPE:
		return ERR_CLOSED;
	case ETIMEDOUT:
		return ERR_TIMEOUT;
	case ENOMEM:
	case ENOBUFS:
		return ERR_NOMEM;
	default:
		return ERR_IO;
	}
}

/* "<strerror> (os error N)", like Rust's io::Error display. */
static void sock_fail(char *err, size_t errlen, const char *what, const sock_addr *a, int e)
{
	if (!err || !errlen)
		return;
	char as[SOCK_ADDR_STRLEN];
	sock_addr_format(a, as, sizeof as);
	snprintf(err, errlen, "%s %s: %s (os error %d)", what, as, strerror(e), e);
}

static bool sock_is_unspecified(const sock_addr *a)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;
	if (a->u.sa.sa_family == AF_INET6)
		return memcmp(&a->u.in6.sin6_addr, &any6, sizeof any6) == 0;
	return a->u.in4.sin_addr.s_addr == htonl(INADDR_ANY);
}

int sock_listen(const sock_addr *a, int backlog, int flags, char *err, size_t errlen)
{
	int one = 1, e, rc;
	if (!a->len) {
		errno = EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "failed to bind: no address");
		return ERR_INVAL;
	}
	int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		sock_fail(err, errlen, "failed to create socket for", a, e);
		errno = e;
		return sock_errno_err(e);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if ((flags & SOCK_LISTEN_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
		e = errno;
		if (err && errlen)
			snprintf(err, errlen, "SO_REUSEPORT: %s (os error %d)", strerror(e), e);
		rc = ERR_UNSUPPORTED;
		goto fail;
	}
	if (a->u.sa.sa_family == AF_INET6) {
		int v6only = (flags & SOCK_LISTEN_V6ONLY) || !sock_is_unspecified(a);
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	}
	if (bind(fd, &a->u.sa, a->len) != 0) {
		e = errno;
		sock_fail(err, errlen, "failed to bind", a, e);
		rc = sock_errno_err(e);
		goto fail;
	}
	if (listen(fd, backlog > 0 ? backlog : SOMAXCONN) != 0) {
		e = errno;
		sock_fail(err, errlen, "failed to listen on", a, e);
		rc = sock_errno_err(e);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	errno = e;
	return rc;
}

int sock_accept(int lfd, sock_addr *peer)
{
	sock_addr tmp;
	sock_addr *p = peer ? peer : &tmp;
	memset(p, 0, sizeof *p);
	socklen_t len = sizeof p->u;
	int fd = accept4(lfd, &p->u.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		switch (e) {
		case EAGAIN:
#if EWOULDBLOCK != EAGAIN
		case EWOULDBLOCK:
#endif
		case ECONNABORTED:
		case EINTR:
		case EPROTO:
			return ERR_AGAIN;
		case EMFILE:
		case ENFILE:
			return ERR_TOOBIG;
		case ENOBUFS:
		case ENOMEM:
			return ERR_NOMEM;
		default:
			return ERR_IO;
		}
	}
	p->len = (p->u.sa.sa_family == AF_INET6) ? sizeof p->u.in6
	       : (p->u.sa.sa_family == AF_INET) ? sizeof p->u.in4 : 0;
	if (p->len)
		(void)sock_set_nodelay(fd, true);
	return fd;
}

int sock_connect(const sock_addr *a, int *fdp)
{
	*fdp = -1;
	if (!a->len) {
		errno = EINVAL;
		return ERR_INVAL;
	}
	int fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sock_errno_err(errno);
	(void)sock_set_nodelay(fd, true);
	if (connect(fd, &a->u.sa, a->len) == 0) {
		*fdp = fd;
		return 0;
	}
	int e = errno;
	if (e == EINPROGRESS || e == EINTR) {
		*fdp = fd;
		return ERR_AGAIN;
	}
	close(fd);
	errno = e;
	return e == ETIMEDOUT ? ERR_TIMEOUT : (e == ENOMEM || e == ENOBUFS) ? ERR_NOMEM : ERR_IO;
}

int sock_connect_result(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		return ERR_IO;
	if (soerr != 0) {
		errno = soerr;
		return soerr == ETIMEDOUT ? ERR_TIMEOUT : ERR_IO;
	}
	struct sockaddr_storage ss;
	len = sizeof ss;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
		if (errno == ENOTCONN) {
			errno = EINPROGRESS;
			return ERR_AGAIN;
		}
		return ERR_IO;
	}
	return 0;
}

int sock_set_nodelay(int fd, bool on)
{
	int v = on;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == 0 ? 0 : ERR_IO;
}

int sock_set_keepalive(int fd, bool on, int idle_s, int intvl_s, int cnt)
{
	int v = on;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) != 0)
		return ERR_IO;
	if (!on)
		return 0;
	if (idle_s > 0 && setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle_s, sizeof idle_s) != 0)
		return ERR_IO;
	if (intvl_s > 0 && setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl_s, sizeof intvl_s) != 0)
		return ERR_IO;
	if (cnt > 0 && setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt) != 0)
		return ERR_IO;
	return 0;
}

static int sock_name(int fd, sock_addr *a, bool peer)
{
	memset(a, 0, sizeof *a);
	socklen_t len = sizeof a->u;
	int r = peer ? getpeername(fd, &a->u.sa, &len) : getsockname(fd, &a->u.sa, &len);
	if (r != 0)
		return ERR_IO;
	if (a->u.sa.sa_family != AF_INET && a->u.sa.sa_family != AF_INET6) {
		memset(a, 0, sizeof *a);
		return ERR_UNSUPPORTED;
	}
	a->len = a->u.sa.sa_family == AF_INET6 ? sizeof a->u.in6 : sizeof a->u.in4;
	return 0;
}

int sock_local_addr(int fd, sock_addr *a) { return sock_name(fd, a, false); }
int sock_peer_addr(int fd, sock_addr *a) { return sock_name(fd, a, true); }

int sock_shutdown_write(int fd)
{
	return shutdown(fd, SHUT_WR) == 0 ? 0 : sock_errno_err(errno);
}

int sock_readable_bytes(int fd)
{
	int n = 0;
	if (ioctl(fd, FIONREAD, &n) != 0)
		return ERR_IO;
	return n;
}

ssize_t sock_read(int fd, void *dst, size_t n)
{
	if (n == 0)
		return 0;
	for (;;) {
		ssize_t r = read(fd, dst, n);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return sock_errno_err(errno);
	}
}

ssize_t sock_write(int fd, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	for (;;) {
		ssize_t r = send(fd, src, n, MSG_NOSIGNAL);
		if (r < 0 && errno == ENOTSOCK)
			r = write(fd, src, n);   /* pipes in tests */
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return sock_errno_err(errno);
	}
}

ssize_t sock_writev(int fd, const struct iovec *iov, int iovcnt)
{
	if (iovcnt <= 0)
		return 0;
	if (iovcnt > IOV_MAX)
		iovcnt = IOV_MAX;
	struct msghdr m;
	memset(&m, 0, sizeof m);
	m.msg_iov = (struct iovec *)(uintptr_t)iov;
	m.msg_iovlen = (size_t)iovcnt;
	for (;;) {
		ssize_t r = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (r < 0 && errno == ENOTSOCK)
			r = writev(fd, iov, iovcnt);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return sock_errno_err(errno);
	}
}

/* --- io vtable ------------------------------------------------------------------ */

static void sock_io_note(sock_io *so, ssize_t r, int bit)
{
	if (r == ERR_AGAIN)
		so->blocked |= bit;
	else
		so->blocked &= ~bit;
}

static ssize_t sock_io_read(io *s, void *dst, size_t n)
{
	ssize_t r = sock_read(s->fd, dst, n);
	sock_io_note((sock_io *)s, r, IO_WANT_READ);
	return r;
}

static ssize_t sock_io_write(io *s, const void *src, size_t n)
{
	ssize_t r = sock_write(s->fd, src, n);
	sock_io_note((sock_io *)s, r, IO_WANT_WRITE);
	return r;
}

static int sock_io_flush(io *s)
{
	(void)s;
	return 0;
}

static int sock_io_want(io *s)
{
	int b = ((sock_io *)s)->blocked;
	return b ? b : IO_WANT_READ;
}

static void sock_io_close(io *s)
{
	sock_io *so = (sock_io *)s;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	so->blocked = 0;
	if (so->heap)
		free(so);
}

static const io_vt sock_io_vt = {
	.read = sock_io_read,
	.write = sock_io_write,
	.flush = sock_io_flush,
	.want = sock_io_want,
	.close = sock_io_close,
};

void sock_io_init(sock_io *s, int fd)
{
	memset(s, 0, sizeof *s);
	s->base.vt = &sock_io_vt;
	s->base.fd = fd;
}

io *sock_io_new(int fd)
{
	sock_io *s = malloc(sizeof *s);
	if (!s)
		return NULL;
	sock_io_init(s, fd);
	s->heap = true;
	return &s->base;
}

bool sock_io_is_plain(const io *s)
{
	return s && s->vt == &sock_io_vt;
}

ssize_t sock_io_writev(io *s, const struct iovec *iov, int iovcnt)
{
	if (sock_io_is_plain(s)) {
		ssize_t r = sock_writev(s->fd, iov, iovcnt);
		sock_io_note((sock_io *)s, r, IO_WANT_WRITE);
		return r;
	}
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		size_t len = iov[i].iov_len;
		if (len > (size_t)SSIZE_MAX - total)
			len = (size_t)SSIZE_MAX - total;
		if (len == 0)
			break;
		ssize_t r = io_write(s, iov[i].iov_base, len);
		if (r < 0)
			return total ? (ssize_t)total : r;
		total += (size_t)r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return (ssize_t)total;
}
