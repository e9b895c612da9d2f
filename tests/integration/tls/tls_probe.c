/* tls_probe.c — test client for tests/integration/tls.sh: connects to
 * 127.0.0.1:PORT over non-blocking TCP, wraps the socket in the TLS stream of
 * src/tls for HOST (SNI and verification), sends "GET PATH HTTP/1.0" and reads
 * the reply to the end, COUNT times with one context (so later connections
 * can resume the session). Anchors come from SSL_CERT_FILE / SSL_CERT_DIR /
 * the system, as in the gateway. One line per connection, then the stats:
 *
 *   conn 1: OK resumed=0 alpn=http/1.1 status=200 bytes=1234 page=New wakeups=9
 *   conn 1: FAIL reason=56 TLS handshake with wrong:443 failed: certificate is ...
 *   stats: full=1 resumed=2 failed=0 io_size=40922 anchors=1
 *
 * Exit 0 when every connection succeeded, 1 when one failed, 2 on bad usage
 * or anchors that do not load. */
#include "tls/tls.h"
#include "base/err.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the plain socket stream (the gateway's comes from src/net/sock.c) */
static ssize_t fd_read(io *s, void *d, size_t n)
{
	for (;;) {
		ssize_t r = read(s->fd, d, n);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? ERR_AGAIN : ERR_IO;
	}
}

static ssize_t fd_write(io *s, const void *d, size_t n)
{
	for (;;) {
		ssize_t r = send(s->fd, d, n, MSG_NOSIGNAL);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? ERR_AGAIN : ERR_IO;
	}
}

static int fd_flush(io *s) { (void)s; return 0; }
static int fd_want(io *s) { (void)s; return IO_WANT_READ; }
static void fd_close(io *s) { close(s->fd); free(s); }
static const io_vt fd_vt = { fd_read, fd_write, fd_flush, fd_want, fd_close };

static unsigned long wakeups;

/* Wait for what the stream wants; 0, or ERR_TIMEOUT. */
static int wait_for(io *s, int ms)
{
	int w = io_want(s);
	struct pollfd p = { s->fd, (short)((w & IO_WANT_READ ? POLLIN : 0) | (w & IO_WANT_WRITE ? POLLOUT : 0)), 0 };
	wakeups++;
	return poll(&p, 1, ms) > 0 ? 0 : ERR_TIMEOUT;
}

static io *tcp_connect(const char *ip, unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
		return NULL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS) {
		close(fd);
		return NULL;
	}
	struct pollfd p = { fd, POLLOUT, 0 };
	int e = 0;
	socklen_t el = sizeof e;
	if (poll(&p, 1, 5000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) || e) {
		close(fd);
		return NULL;
	}
	io *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return NULL;
	}
	s->vt = &fd_vt;
	s->fd = fd;
	return s;
}

/* One request through a TLS stream; 0 or the error. */
static int one(tls_client_ctx *ctx, const char *connect_ip, const char *host, unsigned port,
	const char *path, FILE *body, int n)
{
	io *sock = tcp_connect(connect_ip, port);
	if (!sock) {
		printf("conn %d: FAIL connect: %s\n", n, strerror(errno));
		return ERR_IO;
	}
	int err = 0;
	io *s = tls_client_new(ctx, sock, host, port, &err);
	if (!s) {
		printf("conn %d: FAIL tls_client_new: %s\n", n, err_str(err));
		io_close(sock);
		return err;
	}
	char req[512];
	int rl = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", path);
	size_t off = 0;
	int rc = 0;
	unsigned long w0 = wakeups;
	while (rc == 0 && off < (size_t)rl) {
		ssize_t w = io_write(s, req + off, (size_t)rl - off);
		if (w > 0)
			off += (size_t)w;
		else if (w == ERR_AGAIN)
			rc = wait_for(s, 5000);
		else
			rc = (int)w;
	}
	while (rc == 0) {
		int f = io_flush(s);
		if (f == 0)
			break;
		rc = f == ERR_AGAIN ? wait_for(s, 5000) : f;
	}
	/* the whole reply: status line, headers, body up to the end of the stream */
	static char head[8192];
	size_t hn = 0, total = 0;
	char buf[16384];
	while (rc == 0) {
		ssize_t r = io_read(s, buf, sizeof buf);
		if (r == 0)
			break;
		if (r == ERR_AGAIN) {
			rc = wait_for(s, 5000);
			continue;
		}
		if (r < 0) {
			rc = (int)r;
			break;
		}
		if (hn < sizeof head - 1) {
			size_t k = (size_t)r < sizeof head - 1 - hn ? (size_t)r : sizeof head - 1 - hn;
			memcpy(head + hn, buf, k);
			hn += k;
			head[hn] = 0;
		}
		total += (size_t)r;
		if (body)
			fwrite(buf, 1, (size_t)r, body);
	}
	if (rc) {
		int reason = tls_client_error(s);
		const char *m = tls_client_errmsg(s);
		printf("conn %d: FAIL reason=%d %s\n", n, reason, m[0] ? m : err_str(rc));
	} else {
		int status = 0;
		sscanf(head, "HTTP/%*d.%*d %d", &status);
		const char *page = strstr(head, "Reused, ") ? "Reused" : strstr(head, "New, ") ? "New" : "-";
		const char *alpn = tls_client_alpn(s);
		printf("conn %d: OK resumed=%d alpn=%s status=%d bytes=%zu page=%s wakeups=%lu\n", n,
			tls_client_resumed(s), alpn ? alpn : "none", status, total, page, wakeups - w0);
		const char *hits = strstr(head, "session cache hits");
		if (hits) {   /* "   2 session cache hits" from s_server -www */
			const char *b = hits;
			while (b > head && b[-1] != '\n')
				b--;
			printf("conn %d: server: %.*s\n", n, (int)(hits - b) + 18, b);
		}
	}
	io_close(s);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 1, opt;
	const char *connect_ip = "127.0.0.1", *path = "/", *out = NULL;
	while ((opt = getopt(argc, argv, "n:c:p:o:h")) != -1) {
		switch (opt) {
		case 'n': count = atoi(optarg); break;
		case 'c': connect_ip = optarg; break;
		case 'p': path = optarg; break;
		case 'o': out = optarg; break;
		default:
			fprintf(stderr, "usage: tls_probe [-n count] [-c connect-ip] [-p path] [-o body-file] HOST PORT\n");
			return 2;
		}
	}
	if (argc - optind != 2)
		return 2;
	const char *host = argv[optind];
	unsigned port = (unsigned)atoi(argv[optind + 1]);
	char err[512];
	tls_anchors *a;
	if (tls_anchors_load(&a, getenv("SSL_CERT_FILE"), getenv("SSL_CERT_DIR"), err, sizeof err)) {
		printf("anchors: FAIL %s\n", err);
		return 2;
	}
	printf("anchors: %zu from %s\n", tls_anchors_count(a), tls_anchors_source(a));
	tls_client_ctx *ctx = tls_client_ctx_new(a, NULL);
	FILE *body = out ? fopen(out, "wb") : NULL;
	int bad = 0;
	for (int i = 1; i <= count; i++)
		if (one(ctx, connect_ip, host, port, path, body, i))
			bad = 1;
	if (body)
		fclose(body);
	tls_client_stats st;
	tls_client_ctx_stats(ctx, &st);
	printf("stats: full=%llu resumed=%llu failed=%llu sessions=%zu io_size=%zu anchors=%zu\n",
		(unsigned long long)st.full, (unsigned long long)st.resumed, (unsigned long long)st.failed,
		st.sessions, tls_client_io_size(ctx), tls_anchors_count(a));
	tls_client_ctx_free(ctx);
	tls_anchors_free(a);
	return bad;
}
