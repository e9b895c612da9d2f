/* test_sock.c — addresses (parse/format, v4/v6, brackets, scopes), listen on
 * 127.0.0.1:0 and [::1]:0, non-blocking connect, accept, the plain io vtable
 * (read/write/writev, EAGAIN, want, EOF), bind errors, SO_REUSEPORT. */
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/err.h"
#include "net/sock.h"

static int wait_fd(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	return poll(&p, 1, 5000) == 1 ? p.revents : 0;
}

static char fmtbuf[SOCK_ADDR_STRLEN];
static const char *fmt(const sock_addr *a)
{
	sock_addr_format(a, fmtbuf, sizeof fmtbuf);
	return fmtbuf;
}

TEST(addr_parse_format)
{
	sock_addr a;
	CHECK_EQ_INT(sock_addr_parse(&a, STR_LIT("127.0.0.1:80")), 0);
	CHECK_EQ_INT(sock_addr_family(&a), AF_INET);
	CHECK_EQ_INT(sock_addr_port(&a), 80);
	CHECK_EQ_STR(fmt(&a), "127.0.0.1:80");
	CHECK_EQ_INT(sock_addr_parse(&a, STR_LIT("[::1]:8080")), 0);
	CHECK_EQ_INT(sock_addr_family(&a), AF_INET6);
	CHECK_EQ_INT(sock_addr_port(&a), 8080);
	CHECK_EQ_STR(fmt(&a), "[::1]:8080");
	char ip[SOCK_ADDR_STRLEN];
	sock_addr_format_ip(&a, ip, sizeof ip);
	CHECK_EQ_STR(ip, "::1");
	CHECK_EQ_INT(sock_addr_parse(&a, STR_LIT("[2001:DB8::a:1]:0")), 0);
	CHECK_EQ_STR(fmt(&a), "[2001:db8::a:1]:0");
	CHECK_EQ_INT(sock_addr_parse(&a, STR_LIT("[fe80::1%7]:443")), 0);
	CHECK_EQ_INT(a.u.in6.sin6_scope_id, 7);
	CHECK_EQ_STR(fmt(&a), "[fe80::1%7]:443");
	CHECK_EQ_INT(sock_addr_parse(&a, STR_LIT("0.0.0.0:65535")), 0);
	CHECK_EQ_STR(fmt(&a), "0.0.0.0:65535");
	static const char *bad[] = {
		"", ":80", "1.2.3:80", "1.2.3.4.5:80", "256.1.1.1:1", "01.2.3.4:1", "1.2.3.4:",
		"1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:8x", "::1:80", "[::1]", "[::1]:", "[::1]80",
		"[::g]:80", "localhost:80", "1.2.3.4", "[1.2.3.4]:80x", "[fe80::1%]:1", " 1.2.3.4:80",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = sock_addr_parse(&a, str_from(bad[i]));
		if (rc != ERR_INVAL)
			T_FAIL_AT("sock_addr_parse(\"%s\") = %d, expected ERR_INVAL", bad[i], rc);
	}
	/* empty address */
	sock_addr z = { 0 };
	CHECK_EQ_STR(fmt(&z), "");
	CHECK_EQ_INT(sock_addr_family(&z), 0);
	CHECK_EQ_INT(sock_addr_port(&z), 0);
}

TEST(addr_from_ip)
{
	sock_addr a, b;
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("::"), 4000), 0);
	CHECK_EQ_STR(fmt(&a), "[::]:4000");
	CHECK_EQ_INT(sock_addr_from_ip(&b, STR_LIT("[::]"), 4000), 0);
	CHECK(sock_addr_eq(&a, &b));
	sock_addr_set_port(&b, 4001);
	CHECK(!sock_addr_eq(&a, &b));
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("0.0.0.0"), 4000), 0);
	CHECK_EQ_STR(fmt(&a), "0.0.0.0:4000");
	CHECK(!sock_addr_eq(&a, &b));
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("::ffff:127.0.0.1"), 1), 0);
	CHECK_EQ_INT(sock_addr_family(&a), AF_INET6);
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("localhost"), 1), ERR_INVAL);
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("[127.0.0.1"), 1), ERR_INVAL);
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT(""), 1), ERR_INVAL);
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("127.1"), 1), ERR_INVAL);
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("0x7f.0.0.1"), 1), ERR_INVAL);
	CHECK(sock_is_ip_literal(STR_LIT("10.0.0.1")));
	CHECK(sock_is_ip_literal(STR_LIT("[::1]")));
	CHECK(sock_is_ip_literal(STR_LIT("fe80::1%1")));
	CHECK(!sock_is_ip_literal(STR_LIT("example.com")));
	CHECK(!sock_is_ip_literal(STR_LIT("1.2.3.4.example")));
	/* from a struct sockaddr */
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	sin.sin_addr.s_addr = htonl(0x0a000001);
	CHECK_EQ_INT(sock_addr_from_sa(&a, (struct sockaddr *)&sin, sizeof sin), 0);
	CHECK_EQ_STR(fmt(&a), "10.0.0.1:9");
	struct sockaddr un = { .sa_family = AF_UNIX };
	CHECK_EQ_INT(sock_addr_from_sa(&a, &un, sizeof un), ERR_INVAL);
}

static bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	close(fd);
	sock_addr a;
	sock_addr_from_ip(&a, STR_LIT("::1"), 0);
	int l = sock_listen(&a, 0, 0, NULL, 0);
	if (l < 0)
		return false;
	close(l);
	return true;
}

/* Listen on host:0, connect, accept, then exercise the io vtable both ways. */
static void roundtrip(const char *host)
{
	sock_addr a, local, peer;
	char err[256] = "";
	CHECK_EQ_INT(sock_addr_from_ip(&a, str_from(host), 0), 0);
	int lfd = sock_listen(&a, 16, 0, err, sizeof err);
	CHECK(lfd >= 0);
	if (lfd < 0) {
		printf("  listen %s: %s\n", host, err);
		return;
	}
	CHECK_EQ_INT(sock_local_addr(lfd, &local), 0);
	CHECK(sock_addr_port(&local) != 0);
	CHECK_EQ_INT(sock_accept(lfd, &peer), ERR_AGAIN);   /* nothing pending */

	int cfd = -1;
	int rc = sock_connect(&local, &cfd);
	CHECK(rc == 0 || rc == ERR_AGAIN);
	CHECK(cfd >= 0);
	if (rc == ERR_AGAIN) {
		CHECK(wait_fd(cfd, POLLOUT) & POLLOUT);
		CHECK_EQ_INT(sock_connect_result(cfd), 0);
	}
	CHECK(wait_fd(lfd, POLLIN) & POLLIN);
	int sfd = sock_accept(lfd, &peer);
	CHECK(sfd >= 0);
	CHECK_EQ_INT(sock_addr_family(&peer), sock_addr_family(&a));
	sock_addr cl;
	CHECK_EQ_INT(sock_local_addr(cfd, &cl), 0);
	CHECK(sock_addr_eq(&cl, &peer));
	sock_addr sp;
	CHECK_EQ_INT(sock_peer_addr(cfd, &sp), 0);
	CHECK(sock_addr_eq(&sp, &local));

	sock_io s;                 /* embedded server side */
	sock_io_init(&s, sfd);
	io *c = sock_io_new(cfd);  /* heap client side */
	CHECK(c != NULL);
	CHECK(sock_io_is_plain(&s.base));
	CHECK(sock_io_is_plain(c));
	char buf[256];
	CHECK_EQ_INT(io_want(&s.base), IO_WANT_READ);
	CHECK_EQ_INT(io_read(&s.base, buf, sizeof buf), ERR_AGAIN);
	CHECK_EQ_INT(io_want(&s.base), IO_WANT_READ);
	CHECK_EQ_INT(io_write(c, "hello", 5), 5);
	CHECK_EQ_INT(io_flush(c), 0);
	CHECK(wait_fd(sfd, POLLIN) & POLLIN);
	CHECK_EQ_INT(sock_readable_bytes(sfd), 5);
	CHECK_EQ_INT(io_read(&s.base, buf, sizeof buf), 5);
	CHECK_EQ_MEM(buf, 5, "hello", 5);
	/* writev through the helper */
	struct iovec iov[3] = { { "HTTP/1.1 ", 9 }, { "", 0 }, { "200 OK\r\n", 8 } };
	CHECK_EQ_INT(sock_io_writev(&s.base, iov, 3), 17);
	CHECK(wait_fd(cfd, POLLIN) & POLLIN);
	size_t got = 0;
	for (int i = 0; i < 100 && got < 17; i++) {
		ssize_t r = io_read(c, buf + got, sizeof buf - got);
		if (r > 0)
			got += (size_t)r;
		else
			wait_fd(cfd, POLLIN);
	}
	CHECK_EQ_MEM(buf, got, "HTTP/1.1 200 OK\r\n", 17);
	/* fill the socket until it would block: want() says WRITE */
	static char big[65536];
	ssize_t w;
	long total = 0;
	for (int i = 0; i < 100000 && (w = io_write(&s.base, big, sizeof big)) > 0; i++)
		total += w;
	CHECK(total > 0);
	CHECK_EQ_INT(io_write(&s.base, big, sizeof big), ERR_AGAIN);
	CHECK_EQ_INT(io_want(&s.base), IO_WANT_WRITE);
	/* the client drains; the server can write again */
	long drained = 0;
	while (drained < total) {
		ssize_t r = io_read(c, big, sizeof big);
		if (r > 0)
			drained += r;
		else if (r == ERR_AGAIN)
			wait_fd(cfd, POLLIN);
		else
			break;
	}
	CHECK_EQ_INT(drained, total);
	CHECK(wait_fd(sfd, POLLOUT) & POLLOUT);
	CHECK_EQ_INT(io_write(&s.base, "x", 1), 1);
	CHECK_EQ_INT(io_want(&s.base), IO_WANT_READ);
	CHECK(wait_fd(cfd, POLLIN) & POLLIN);
	CHECK_EQ_INT(io_read(c, buf, 1), 1);
	/* half-close: the peer sees end of stream */
	CHECK_EQ_INT(sock_shutdown_write(cfd), 0);
	CHECK(wait_fd(sfd, POLLIN) & POLLIN);
	CHECK_EQ_INT(io_read(&s.base, buf, sizeof buf), 0);
	io_close(c);               /* frees */
	io_close(&s.base);         /* closes fd only */
	CHECK_EQ_INT(s.base.fd, -1);
	io_close(NULL);
	close(lfd);
}

TEST(tcp_v4)
{
	roundtrip("127.0.0.1");
}

TEST(tcp_v6)
{
	if (!have_ipv6()) {
		printf("  (no IPv6 loopback here: skipped)\n");
		return;
	}
	roundtrip("::1");
	roundtrip("[::1]");
}

TEST(dual_stack_wildcard)
{
	if (!have_ipv6()) {
		printf("  (no IPv6 loopback here: skipped)\n");
		return;
	}
	sock_addr a, local, v4;
	char err[256];
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("[::]"), 0), 0);
	int lfd = sock_listen(&a, 0, 0, err, sizeof err);
	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	CHECK_EQ_INT(sock_local_addr(lfd, &local), 0);
	CHECK_EQ_INT(sock_addr_from_ip(&v4, STR_LIT("127.0.0.1"), sock_addr_port(&local)), 0);
	int cfd;
	int rc = sock_connect(&v4, &cfd);
	CHECK(rc == 0 || rc == ERR_AGAIN);
	if (cfd >= 0 && rc == ERR_AGAIN) {
		wait_fd(cfd, POLLOUT);
		CHECK_EQ_INT(sock_connect_result(cfd), 0);
	}
	CHECK(wait_fd(lfd, POLLIN) & POLLIN);
	sock_addr peer;
	int sfd = sock_accept(lfd, &peer);
	CHECK(sfd >= 0);
	if (sfd >= 0)
		close(sfd);
	if (cfd >= 0)
		close(cfd);
	close(lfd);
}

TEST(connect_refused)
{
	sock_addr a, local;
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("127.0.0.1"), 0), 0);
	int lfd = sock_listen(&a, 0, 0, NULL, 0);
	CHECK(lfd >= 0);
	CHECK_EQ_INT(sock_local_addr(lfd, &local), 0);
	close(lfd);   /* the port is now (very likely) closed */
	int fd;
	int rc = sock_connect(&local, &fd);
	if (rc == ERR_AGAIN) {
		CHECK(wait_fd(fd, POLLOUT) != 0);
		rc = sock_connect_result(fd);
		CHECK(rc == ERR_IO);
		CHECK_EQ_INT(errno, ECONNREFUSED);
		close(fd);
	} else {
		CHECK_EQ_INT(rc, ERR_IO);
		CHECK_EQ_INT(errno, ECONNREFUSED);
		CHECK_EQ_INT(fd, -1);
	}
	sock_addr empty = { 0 };
	CHECK_EQ_INT(sock_connect(&empty, &fd), ERR_INVAL);
}

TEST(bind_error_and_reuseport)
{
	sock_addr a, local;
	char err[256] = "";
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("127.0.0.1"), 0), 0);
	int l1 = sock_listen(&a, 0, 0, err, sizeof err);
	CHECK(l1 >= 0);
	CHECK_EQ_INT(sock_local_addr(l1, &local), 0);
	int l2 = sock_listen(&local, 0, 0, err, sizeof err);
	CHECK(l2 < 0);
	char want[128];
	snprintf(want, sizeof want, "failed to bind 127.0.0.1:%u: ", (unsigned)sock_addr_port(&local));
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strstr(err, "(os error 98)") != NULL);   /* EADDRINUSE */
	close(l1);

	/* SO_REUSEPORT: two listeners on one port */
	CHECK_EQ_INT(sock_addr_from_ip(&a, STR_LIT("127.0.0.1"), 0), 0);
	l1 = sock_listen(&a, 0, SOCK_LISTEN_REUSEPORT, err, sizeof err);
	CHECK(l1 >= 0);
	CHECK_EQ_INT(sock_local_addr(l1, &local), 0);
	l2 = sock_listen(&local, 0, SOCK_LISTEN_REUSEPORT, err, sizeof err);
	CHECK(l2 >= 0);
	if (l2 < 0)
		printf("  reuseport: %s\n", err);
	if (l2 >= 0)
		close(l2);
	close(l1);
}

TEST(raw_fd_io)
{
	int p[2];
	CHECK_EQ_INT(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	char b[8];
	CHECK_EQ_INT(sock_read(p[0], b, sizeof b), ERR_AGAIN);
	CHECK_EQ_INT(sock_read(p[0], b, 0), 0);
	CHECK_EQ_INT(sock_write(p[1], "ab", 2), 2);   /* not a socket: write(2) fallback */
	struct iovec iov[2] = { { "c", 1 }, { "d", 1 } };
	CHECK_EQ_INT(sock_writev(p[1], iov, 2), 2);
	CHECK_EQ_INT(sock_read(p[0], b, sizeof b), 4);
	CHECK_EQ_MEM(b, 4, "abcd", 4);
	close(p[0]);
	CHECK_EQ_INT(sock_write(p[1], "x", 1), ERR_CLOSED);   /* EPIPE, and no SIGPIPE kill */
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);   /* pipes have no MSG_NOSIGNAL; sockets do */
	RUN(addr_parse_format);
	RUN(addr_from_ip);
	RUN(tcp_v4);
	RUN(tcp_v6);
	RUN(dual_stack_wildcard);
	RUN(connect_refused);
	RUN(bind_error_and_reuseport);
	RUN(raw_fd_io);
	return t_done();
}
