/* test_http_client.c — the upstream client: URL parsing, proxy settings and
 * NO_PROXY matching, and the client itself against an in-process fake
 * upstream on 127.0.0.1 driven by the same loop (framing, 1xx, keep-alive
 * pool, stale connections and the retry rule, timeouts, truncation,
 * malformed heads, cancel, pause/resume, outbound policy). Loopback only. */
#include "t.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/err.h"
#include "http/http_client.h"
#include "http/http_proxy.h"

/* ---- URL parsing --------------------------------------------------------------- */

static int url_ok(const char *s, http_client_url *u)
{
	char e[256];
	return http_client_url_parse(str_from(s), u, e, sizeof e);
}

static const char *url_err(const char *s)
{
	static char e[256];
	http_client_url u;
	e[0] = 0;
	if (http_client_url_parse(str_from(s), &u, e, sizeof e) == 0)
		return "(accepted)";
	return e;
}

TEST(url_parse_good)
{
	http_client_url u;
	CHECK_EQ_INT(url_ok("https://api.openai.com/v1/chat/completions", &u), 0);
	CHECK(u.https);
	CHECK_EQ_STR(u.host, "api.openai.com");
	CHECK_EQ_INT(u.port, 443);
	CHECK(!u.port_explicit);
	CHECK_EQ_MEM(u.target.p, u.target.n, "/v1/chat/completions", 20);

	CHECK_EQ_INT(url_ok("HTTP://Example.COM:8080?x=1#frag", &u), 0);
	CHECK(!u.https);
	CHECK_EQ_STR(u.host, "example.com");
	CHECK_EQ_INT(u.port, 8080);
	CHECK(u.port_explicit);
	CHECK_EQ_MEM(u.target.p, u.target.n, "?x=1", 4);

	CHECK_EQ_INT(url_ok("http://127.0.0.1:11434", &u), 0);
	CHECK(u.host_is_ip);
	CHECK_EQ_STR(u.host, "127.0.0.1");
	CHECK_EQ_INT(u.target.n, 0);

	CHECK_EQ_INT(url_ok("http://[2001:DB8:0::1]:9/a", &u), 0);
	CHECK_EQ_STR(u.host, "[2001:db8::1]");
	CHECK(u.host_is_ip);
	CHECK_EQ_INT(u.port, 9);

	CHECK_EQ_INT(url_ok("http://[::1]/", &u), 0);
	CHECK_EQ_STR(u.host, "[::1]");
	CHECK_EQ_INT(u.port, 80);

	CHECK_EQ_INT(url_ok("http://my_host.local.:81/p", &u), 0);
	CHECK_EQ_STR(u.host, "my_host.local.");
	CHECK_EQ_INT(url_ok("http://h:/", &u), 0);   /* empty port = default (WHATWG) */
	CHECK_EQ_INT(u.port, 80);
	CHECK_EQ_INT(url_ok("https://x.y/p%20q?k=%2F", &u), 0);
	CHECK_EQ_MEM(u.target.p, u.target.n, "/p%20q?k=%2F", 12);
}

TEST(url_parse_bad)
{
	CHECK(strstr(url_err("ftp://x/"), "scheme 'ftp' is not supported"));
	CHECK(strstr(url_err("//x/"), "not an absolute"));
	CHECK(strstr(url_err("x.com/a"), "not an absolute"));
	CHECK(strstr(url_err("http://user:pw@x.com/"), "credentials"));
	CHECK(strstr(url_err("http://x.com:0/"), "invalid port"));
	CHECK(strstr(url_err("http://x.com:65536/"), "invalid port"));
	CHECK(strstr(url_err("http://x.com:8a/"), "invalid port"));
	CHECK(strstr(url_err("http:///path"), "empty host"));
	CHECK(strstr(url_err("http://:80/"), "empty host"));
	CHECK(strstr(url_err("http://127.1/"), "invalid IPv4"));
	CHECK(strstr(url_err("http://0x7f.0.0.1/"), "invalid IPv4"));
	CHECK(strstr(url_err("http://1.2.3.256/"), "invalid IPv4"));
	CHECK(strstr(url_err("http://010.0.0.1/"), "invalid IPv4"));   /* octal to WHATWG */
	CHECK(strstr(url_err("http://127.0.0.1./"), "invalid IPv4"));
	CHECK(strstr(url_err("http://a.b.123/"), "invalid IPv4"));
	CHECK(strstr(url_err("http://[::1/"), "invalid IPv6"));
	CHECK(strstr(url_err("http://[1.2.3.4]/"), "invalid IPv6"));
	CHECK(strstr(url_err("http://a b/"), "space"));
	CHECK(strstr(url_err("http://a.com/a b"), "space"));
	CHECK(strstr(url_err("http://a.com/\x01"), "control"));
	CHECK(strstr(url_err("http://a.com/\xc3\xa9"), "non-ASCII"));
	CHECK(strstr(url_err("http://a.com\\@evil.com/"), "backslash"));
	CHECK(strstr(url_err("http://a..com/"), "invalid host name"));
	CHECK(strstr(url_err("http://a%2ecom/"), "invalid host name"));
	CHECK(strstr(url_err("http://-/"), "(accepted)") == NULL || 1);
	/* the query never shows in the message (it may hold a key) */
	const char *e = url_err("http://a..com/x?key=SECRET");
	CHECK(strstr(e, "SECRET") == NULL);
	CHECK(strstr(e, "http://a..com/x") != NULL);
}

/* ---- proxy settings ------------------------------------------------------------- */

TEST(proxy_build)
{
	http_proxy p;
	char e[256] = "";
	CHECK_EQ_INT(http_proxy_build(&p, NULL, "", NULL, e, sizeof e), 0);
	CHECK(!p.http.set && !p.https.set);
	CHECK(http_proxy_select(&p, true, STR_LIT("a.com"), 443) == NULL);
	http_proxy_free(&p);

	CHECK_EQ_INT(http_proxy_build(&p, "proxy.corp:3128", "http://Aladdin:open%20sesame@Proxy.Corp:8080/",
	                              NULL, e, sizeof e), 0);
	CHECK(p.http.set);
	CHECK_EQ_STR(p.http.host, "proxy.corp");
	CHECK_EQ_INT(p.http.port, 3128);
	CHECK(p.http.auth == NULL);
	CHECK_EQ_STR(p.https.host, "proxy.corp");
	CHECK_EQ_INT(p.https.port, 8080);
	CHECK_EQ_STR(p.https.auth, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	CHECK_EQ_STR(p.https.display, "http://proxy.corp:8080");
	CHECK(http_proxy_select(&p, true, STR_LIT("a.com"), 443) == &p.https);
	CHECK(http_proxy_select(&p, false, STR_LIT("a.com"), 80) == &p.http);
	http_proxy_free(&p);

	CHECK_EQ_INT(http_proxy_build(&p, "http://[::1]", "http://user@10.0.0.1:1", NULL, e, sizeof e), 0);
	CHECK_EQ_STR(p.http.host, "[::1]");
	CHECK_EQ_INT(p.http.port, 80);
	CHECK_EQ_STR(p.https.auth, "Basic dXNlcjo=");   /* "user:" */
	http_proxy_free(&p);

	CHECK_EQ_INT(http_proxy_build(&p, NULL, "socks5://u:pw@h:1080", NULL, e, sizeof e), ERR_UNSUPPORTED);
	CHECK(strstr(e, "socks5") && strstr(e, "not supported"));
	CHECK(strstr(e, "pw") == NULL);   /* credentials never echoed */
	CHECK(!p.https.set);
	CHECK_EQ_INT(http_proxy_build(&p, "http://u:secret@h:99999", NULL, NULL, e, sizeof e), ERR_INVAL);
	CHECK(strstr(e, "invalid port") && strstr(e, "HTTP_PROXY") && !strstr(e, "secret"));
	CHECK(strstr(e, "***@h:99999"));
	CHECK_EQ_INT(http_proxy_build(&p, "http://h:1/path", NULL, NULL, e, sizeof e), ERR_INVAL);
	CHECK(strstr(e, "no path"));
	CHECK_EQ_INT(http_proxy_build(&p, "https://h:1", NULL, NULL, e, sizeof e), ERR_UNSUPPORTED);
	CHECK_EQ_INT(http_proxy_build(&p, "http://u:%zz@h:1", NULL, NULL, e, sizeof e), ERR_INVAL);
}

TEST(proxy_env)
{
	http_proxy p;
	char e[256] = "";
	setenv("HTTPS_PROXY", "http://upper:1", 1);
	setenv("https_proxy", "http://lower:2", 1);
	setenv("HTTP_PROXY", "http://plain:3", 1);
	unsetenv("http_proxy");
	setenv("NO_PROXY", "upper.example", 1);
	setenv("no_proxy", "", 1);   /* empty = unset: NO_PROXY is used */
	CHECK_EQ_INT(http_proxy_from_env(&p, e, sizeof e), 0);
	CHECK_EQ_STR(p.https.host, "lower");      /* lower-case name wins */
	CHECK_EQ_STR(p.http.host, "plain");
	CHECK(http_proxy_bypass(&p, STR_LIT("upper.example"), 443));
	http_proxy_free(&p);
	setenv("https_proxy", "http://lower:x", 1);
	CHECK(http_proxy_from_env(&p, e, sizeof e) < 0);
	CHECK(strstr(e, "invalid https_proxy 'http://lower:x'") != NULL);
	unsetenv("HTTPS_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	CHECK_EQ_INT(http_proxy_from_env(&p, e, sizeof e), 0);
	CHECK(!p.http.set && !p.https.set && p.nrules == 0);
	http_proxy_free(&p);
}

static bool np(const char *list, const char *host, uint16_t port)
{
	http_proxy p;
	char e[128];
	if (http_proxy_build(&p, "http://proxy:1", "http://proxy:1", list, e, sizeof e))
		return false;
	bool r = http_proxy_bypass(&p, str_from(host), port);
	bool sel = http_proxy_select(&p, true, str_from(host), port) == NULL;
	http_proxy_free(&p);
	return r && sel;
}

TEST(no_proxy_match)
{
	CHECK(np("*", "anything.com", 443));
	CHECK(np(" foo , *", "x", 1));
	CHECK(!np("", "a.com", 443));
	/* domains: the name and names under it; leading "." or "*." ignored */
	CHECK(np("example.com", "example.com", 443));
	CHECK(np("example.com", "api.example.com", 443));
	CHECK(np("example.com", "API.Example.COM.", 443));
	CHECK(!np("example.com", "badexample.com", 443));
	CHECK(!np("example.com", "example.com.evil.net", 443));
	CHECK(np(".example.com", "example.com", 443));
	CHECK(np(".example.com", "a.b.example.com", 443));
	CHECK(np("*.example.com", "a.example.com", 443));
	CHECK(np("EXAMPLE.com.", "example.com", 443));
	CHECK(np("a.com,b.com c.com\tlocalhost", "localhost", 80));
	CHECK(np("a.com,b.com c.com", "x.c.com", 80));
	/* IPs: literal hosts only, never a name */
	CHECK(np("127.0.0.1", "127.0.0.1", 80));
	CHECK(!np("127.0.0.1", "localhost", 80));
	CHECK(!np("localhost", "127.0.0.1", 80));
	CHECK(np("::1", "[::1]", 80));
	CHECK(np("[::1]", "[::1]", 80));
	CHECK(np("[::1]", "::1", 80));
	CHECK(!np("::1", "[::2]", 80));
	/* CIDR */
	CHECK(np("10.0.0.0/8", "10.200.3.4", 80));
	CHECK(!np("10.0.0.0/8", "11.0.0.1", 80));
	CHECK(np("192.168.1.0/23", "192.168.0.77", 80));
	CHECK(!np("192.168.1.0/24", "192.168.0.77", 80));
	CHECK(np("fd00::/8", "[fd12::1]", 80));
	CHECK(!np("fd00::/8", "[fe80::1]", 80));
	CHECK(np("0.0.0.0/0", "8.8.8.8", 80));
	CHECK(!np("0.0.0.0/0", "[::1]", 80));
	CHECK(!np("10.0.0.0/8", "ten.example", 80));
	/* ports */
	CHECK(np("example.com:8443", "example.com", 8443));
	CHECK(!np("example.com:8443", "example.com", 443));
	CHECK(np("127.0.0.1:8080", "127.0.0.1", 8080));
	CHECK(!np("127.0.0.1:8080", "127.0.0.1", 8081));
	CHECK(np("[::1]:8080", "[::1]", 8080));
	CHECK(!np("[::1]:8080", "[::1]", 80));
	/* unreadable entries are skipped and counted */
	http_proxy p;
	char e[64];
	CHECK_EQ_INT(http_proxy_build(&p, NULL, NULL, "10.0.0.0/33,a/b,x:0,[::1,ok.com,<local>", e, sizeof e), 0);
	CHECK_EQ_INT(p.nrules, 1);
	CHECK_EQ_INT(p.nskipped, 5);
	http_proxy_free(&p);
}

/* ---- an in-process fake upstream ----------------------------------------------------- */

#define FS_CONNS 32

typedef struct fs fs;
typedef struct fs_conn {
	fs *s;
	int fd;
	bool used;
	char in[16384];
	size_t n;
	int reqs;               /* requests answered on this connection */
	loop_timer t;
	int step;
	char path[128];
	const char *drip;       /* /bytewise: what is left to send, one byte per tick */
} fs_conn;

struct fs {
	loop *l;
	int lfd;
	uint16_t port;
	int accepts, reqs;
	fs_conn c[FS_CONNS];
	char last_head[4096];
};

static void fs_close(fs_conn *k)
{
	if (!k->used)
		return;
	loop_timer_stop(k->s->l, &k->t);
	loop_fd_del(k->s->l, k->fd);
	close(k->fd);
	k->used = false;
}

static void fs_send(fs_conn *k, const char *s)
{
	size_t n = strlen(s), off = 0;
	while (off < n) {
		ssize_t w = write(k->fd, s + off, n - off);
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void fs_timer(loop *l, void *ud)
{
	fs_conn *k = ud;
	(void)l;
	if (!strcmp(k->path, "/closeidle")) {
		fs_close(k);
	} else if (!strcmp(k->path, "/bytewise")) {
		if (*k->drip) {
			if (write(k->fd, k->drip, 1) == 1)
				k->drip++;
			loop_timer_start(l, &k->t, 1);
		}
	} else if (!strcmp(k->path, "/slow")) {
		/* 5 chunks, 20 ms apart */
		if (k->step < 5) {
			fs_send(k, "4\r\nabcd\r\n");
			k->step++;
			loop_timer_start(l, &k->t, 20);
		} else {
			fs_send(k, "0\r\n\r\n");
		}
	}
}

static void fs_answer(fs_conn *k)
{
	const char *p = k->path;
	k->reqs++;
	k->s->reqs++;
	if (!strcmp(p, "/cl"))
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
	else if (!strcmp(p, "/chunked"))
		fs_send(k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
	else if (!strcmp(p, "/eof")) {
		fs_send(k, "HTTP/1.1 200 OK\r\n\r\nuntil the end");
		fs_close(k);
	} else if (!strcmp(p, "/100"))
		fs_send(k, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
		           "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
	else if (!strcmp(p, "/204"))
		fs_send(k, "HTTP/1.1 204 No Content\r\n\r\n");
	else if (!strcmp(p, "/head"))
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
	else if (!strcmp(p, "/close"))
		fs_send(k, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
	else if (!strcmp(p, "/trunc")) {
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd");
		fs_close(k);
	} else if (!strcmp(p, "/truncchunk")) {
		fs_send(k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
		fs_close(k);
	} else if (!strcmp(p, "/badchunk"))
		fs_send(k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
	else if (!strcmp(p, "/bad"))
		fs_send(k, "HTTP/1.1 2x0 OK\r\n\r\n");
	else if (!strcmp(p, "/101"))
		fs_send(k, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n");
	else if (!strcmp(p, "/big")) {
		char b[3000];
		memset(b, 'a', sizeof b);
		b[sizeof b - 1] = 0;
		fs_send(k, "HTTP/1.1 200 OK\r\nX-Big: ");
		fs_send(k, b);
		fs_send(k, "\r\nContent-Length: 0\r\n\r\n");
	} else if (!strcmp(p, "/silent")) {
		/* nothing */
	} else if (!strcmp(p, "/stall"))
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
	else if (!strcmp(p, "/drop"))
		fs_close(k);
	else if (!strcmp(p, "/dropsecond")) {
		if (k->reqs == 1)
			fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
		else
			fs_close(k);
	} else if (!strcmp(p, "/closeidle")) {
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
		loop_timer_start(k->s->l, &k->t, 20);
	} else if (!strcmp(p, "/slow")) {
		fs_send(k, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
		k->step = 0;
		loop_timer_start(k->s->l, &k->t, 20);
	} else if (!strcmp(p, "/bytewise")) {
		k->drip = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: b\r\nTransfer-Encoding: chunked\r\n\r\n"
		          "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
		loop_timer_start(k->s->l, &k->t, 1);
	} else if (!strcmp(p, "/echo")) {
		char b[4200];
		snprintf(b, sizeof b, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(k->s->last_head),
		         k->s->last_head);
		fs_send(k, b);
	} else if (!strcmp(p, "/large")) {
		/* 200 KB body, Content-Length */
		static char big[200 * 1024 + 1];
		memset(big, 'z', sizeof big - 1);
		fs_send(k, "HTTP/1.1 200 OK\r\nContent-Length: 204800\r\n\r\n");
		/* non-blocking socket: write in a blocking manner for the test */
		size_t off = 0;
		while (off < sizeof big - 1) {
			ssize_t w = write(k->fd, big + off, sizeof big - 1 - off);
			if (w > 0)
				off += (size_t)w;
			else if (errno == EAGAIN)
				loop_step(k->s->l, 1), usleep(1000);   /* let the client read */
			else
				break;
		}
	} else
		fs_send(k, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

static void fs_conn_cb(loop *l, int fd, int events, void *ud)
{
	fs_conn *k = ud;
	(void)l;
	(void)events;
	ssize_t r = read(fd, k->in + k->n, sizeof k->in - k->n);
	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		fs_close(k);
		return;
	}
	k->n += (size_t)r;
	for (;;) {
		char *e = memmem(k->in, k->n, "\r\n\r\n", 4);
		if (!e)
			return;
		size_t hl = (size_t)(e - k->in) + 4;
		size_t cl = 0;
		char *c = strcasestr(k->in, "\ncontent-length:");
		if (c && c < e)
			cl = strtoul(c + 16, NULL, 10);
		if (k->n < hl + cl)
			return;
		size_t copy = hl < sizeof k->s->last_head - 1 ? hl : sizeof k->s->last_head - 1;
		memcpy(k->s->last_head, k->in, copy);
		k->s->last_head[copy] = 0;
		char *sp = memchr(k->in, ' ', hl);
		char *sp2 = sp ? memchr(sp + 1, ' ', hl - (size_t)(sp + 1 - k->in)) : NULL;
		size_t pl = sp && sp2 ? (size_t)(sp2 - sp - 1) : 0;
		if (pl >= sizeof k->path)
			pl = sizeof k->path - 1;
		memcpy(k->path, sp ? sp + 1 : "", pl);
		k->path[pl] = 0;
		char *q = strchr(k->path, '?');
		if (q)
			*q = 0;
		memmove(k->in, k->in + hl + cl, k->n - hl - cl);
		k->n -= hl + cl;
		fs_answer(k);
		if (!k->used)
			return;
	}
}

static void fs_accept_cb(loop *l, int fd, int events, void *ud)
{
	fs *s = ud;
	(void)events;
	for (;;) {
		int cfd = sock_accept(fd, NULL);
		if (cfd < 0)
			return;
		s->accepts++;
		fs_conn *k = NULL;
		for (int i = 0; i < FS_CONNS; i++)
			if (!s->c[i].used) {
				k = &s->c[i];
				break;
			}
		if (!k) {
			close(cfd);
			continue;
		}
		memset(k, 0, sizeof *k);
		k->s = s;
		k->fd = cfd;
		k->used = true;
		loop_timer_init(&k->t, fs_timer, k);
		loop_fd_add(l, cfd, LOOP_READ, fs_conn_cb, k);
	}
}

static int fs_start(fs *s, loop *l)
{
	memset(s, 0, sizeof *s);
	s->l = l;
	sock_addr a;
	sock_addr_parse(&a, STR_LIT("127.0.0.1:0"));
	s->lfd = sock_listen(&a, 64, 0, NULL, 0);
	if (s->lfd < 0)
		return -1;
	sock_local_addr(s->lfd, &a);
	s->port = sock_addr_port(&a);
	return loop_fd_add(l, s->lfd, LOOP_READ, fs_accept_cb, s);
}

static void fs_stop(fs *s)
{
	for (int i = 0; i < FS_CONNS; i++)
		fs_close(&s->c[i]);
	loop_fd_del(s->l, s->lfd);
	close(s->lfd);
}

/* ---- client harness -------------------------------------------------------------------- */

typedef struct res {
	bool done;
	int status, nhead, ndata, err;
	int64_t clen;
	char body[256 * 1024];
	size_t blen;
	char reason[512];
	http_client_req *r;
	int cancel_after;       /* cancel in on_data once this many bytes arrived (> 0) */
	int pause_after;        /* pause in on_data once (> 0) */
	bool cancel_in_head;
	bool paused;
	bool on_data_after_cancel;
	bool cancelled;
} res;

static void on_head(http_client_req *r, const http_client_resp *h, void *ud)
{
	res *x = ud;
	x->status = h->status;
	x->clen = h->content_length;
	x->nhead++;
	if (x->cancel_in_head) {
		x->cancelled = true;
		http_client_cancel(r);
	}
}

static void on_data(http_client_req *r, const char *p, size_t n, void *ud)
{
	res *x = ud;
	if (x->cancelled)
		x->on_data_after_cancel = true;
	x->ndata++;
	if (x->blen + n <= sizeof x->body) {
		memcpy(x->body + x->blen, p, n);
		x->blen += n;
	}
	if (x->cancel_after && (int)x->blen >= x->cancel_after && !x->cancelled) {
		x->cancelled = true;
		http_client_cancel(r);
	}
	if (x->pause_after && (int)x->blen >= x->pause_after && !x->paused) {
		x->paused = true;
		http_client_pause(r);
	}
}

static void on_done(http_client_req *r, int err, const char *reason, void *ud)
{
	res *x = ud;
	(void)r;
	x->done = true;
	x->err = err;
	snprintf(x->reason, sizeof x->reason, "%s", reason);
}

typedef struct env {
	loop *l;
	dns *d;
	fs s;
	http_client *c;
	netpolicy pol;
	http_proxy proxy;
} env;

static void env_init(env *e, const http_client_config *cfg)
{
	memset(e, 0, sizeof *e);
	loop_new(&e->l);
	dns_new(&e->d, NULL);
	fs_start(&e->s, e->l);
	http_client_new(&e->c, e->l, e->d, NULL, &e->pol, &e->proxy, cfg);
}

static void env_free(env *e)
{
	http_client_free(e->c);
	fs_stop(&e->s);
	dns_free(e->d);
	loop_free(e->l);
	netpolicy_free(&e->pol);
	http_proxy_free(&e->proxy);
}

static void run_until(env *e, const bool *flag, int ms)
{
	uint64_t end = clock_mono_ms() + (uint64_t)ms;
	while (!*flag && clock_mono_ms() < end)
		loop_step(e->l, 5);
}

static void run_for(env *e, int ms)
{
	bool never = false;
	run_until(e, &never, ms);
}

static int req(env *e, res *x, const char *method, const char *path, const char *body,
               const http_client_timeouts *to)
{
	char url[256], err[512] = "";
	if (path[0] == '/')
		snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)e->s.port, path);
	else
		snprintf(url, sizeof url, "%s", path);
	memset(x, 0, sizeof *x);
	http_client_spec s = {
		.method = str_from(method), .url = str_from(url), .body = str_from(body),
		.cb = { on_head, on_data, on_done }, .ud = x,
	};
	if (to)
		s.timeouts = *to;
	int rc = http_client_request(e->c, &s, &x->r, err, sizeof err);
	if (rc)
		snprintf(x->reason, sizeof x->reason, "%s", err);
	return rc;
}

/* One request to completion. */
static int get(env *e, res *x, const char *path)
{
	int rc = req(e, x, "GET", path, NULL, NULL);
	if (rc)
		return rc;
	run_until(e, &x->done, 3000);
	return 0;
}

/* ---- client tests ---------------------------------------------------------------------- */

TEST(client_framing)
{
	env e;
	env_init(&e, NULL);
	res x;
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	CHECK(x.done);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_STR(x.reason, "");
	CHECK_EQ_INT(x.status, 200);
	CHECK_EQ_INT(x.clen, 5);
	CHECK_EQ_MEM(x.body, x.blen, "hello", 5);

	CHECK_EQ_INT(get(&e, &x, "/chunked"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.clen, -1);
	CHECK_EQ_MEM(x.body, x.blen, "hello world", 11);

	CHECK_EQ_INT(get(&e, &x, "/eof"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_MEM(x.body, x.blen, "until the end", 13);

	CHECK_EQ_INT(get(&e, &x, "/100"), 0);   /* 100 and 103 skipped */
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.nhead, 1);
	CHECK_EQ_INT(x.status, 201);
	CHECK_EQ_MEM(x.body, x.blen, "ok", 2);

	CHECK_EQ_INT(get(&e, &x, "/204"), 0);
	CHECK_EQ_INT(x.status, 204);
	CHECK_EQ_INT(x.blen, 0);
	CHECK_EQ_INT(x.err, 0);

	CHECK_EQ_INT(req(&e, &x, "HEAD", "/head", NULL, NULL), 0);   /* Content-Length, no body */
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.status, 200);
	CHECK_EQ_INT(x.clen, 1000);
	CHECK_EQ_INT(x.blen, 0);

	CHECK_EQ_INT(get(&e, &x, "/large"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.blen, 204800);
	CHECK(x.ndata > 1);
	CHECK(x.body[0] == 'z' && x.body[204799] == 'z');

	/* everything above but /eof, /close went over few connections */
	http_client_stats st;
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.requests, 7);
	CHECK_EQ_INT(st.failed, 0);
	CHECK_EQ_INT(st.active, 0);
	CHECK_EQ_INT(e.s.accepts, 2);   /* /eof closed the first one */
	env_free(&e);
}

TEST(client_request_head)
{
	env e;
	env_init(&e, NULL);
	res x;
	char url[128], err[256];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/echo?q=1#frag", (unsigned)e.s.port);
	http_header h[] = { { STR_LIT("Authorization"), STR_LIT("Bearer k") }, { STR_LIT("X-A"), STR_LIT("") } };
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	http_client_spec s = {
		.method = STR_LIT("POST"), .url = str_from(url), .headers = h, .nheaders = 2,
		.body_iov = iov, .body_iovcnt = 3, .cb = { on_head, on_data, on_done }, .ud = &x,
	};
	memset(&x, 0, sizeof x);
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), 0);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	x.body[x.blen] = 0;
	CHECK(strstr(x.body, "POST /echo?q=1 HTTP/1.1\r\n") == x.body);
	CHECK(strstr(x.body, "\r\nHost: 127.0.0.1:") != NULL);
	CHECK(strstr(x.body, "\r\nAuthorization: Bearer k\r\n") != NULL);
	CHECK(strstr(x.body, "\r\nX-A: \r\n") != NULL);
	CHECK(strstr(x.body, "\r\nContent-Length: 5\r\n") != NULL);
	CHECK(strstr(x.body, "frag") == NULL);

	/* empty path and a caller's Host */
	snprintf(url, sizeof url, "http://127.0.0.1:%u?z", (unsigned)e.s.port);
	http_header h2[] = { { STR_LIT("Host"), STR_LIT("override") } };
	s = (http_client_spec){ .url = str_from(url), .headers = h2, .nheaders = 1,
	                        .cb = { on_head, on_data, on_done }, .ud = &x };
	memset(&x, 0, sizeof x);
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), 0);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.status, 404);   /* "/?z" is not /echo */
	CHECK(strstr(e.s.last_head, "GET /?z HTTP/1.1\r\nHost: override\r\n") == e.s.last_head);
	CHECK(strstr(e.s.last_head, "Content-Length") == NULL);

	/* synchronous refusals: no callback */
	http_header bad[] = { { STR_LIT("Content-Length"), STR_LIT("3") } };
	s.headers = bad;
	memset(&x, 0, sizeof x);
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), HTTP_CLIENT_E_INVAL);
	CHECK(strstr(err, "Content-Length") != NULL);
	http_header bad2[] = { { STR_LIT("X"), STR_LIT("a\r\nInjected: 1") } };
	s.headers = bad2;
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), HTTP_CLIENT_E_INVAL);
	s.headers = NULL;
	s.nheaders = 0;
	s.method = STR_LIT("G ET");
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), HTTP_CLIENT_E_INVAL);
	s.method = STR_LIT("GET");
	s.url = STR_LIT("https://127.0.0.1/");   /* no TLS context in this client */
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), HTTP_CLIENT_E_UNSUPPORTED);
	s.url = STR_LIT("gopher://x/");
	CHECK_EQ_INT(http_client_request(e.c, &s, NULL, err, sizeof err), HTTP_CLIENT_E_INVAL);
	run_for(&e, 30);
	CHECK(!x.done);
	env_free(&e);
}

TEST(client_errors)
{
	http_client_config cfg = { .head_bytes = 1024 };
	env e;
	env_init(&e, &cfg);
	res x;
	CHECK_EQ_INT(get(&e, &x, "/trunc"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_TRUNCATED);
	CHECK_EQ_MEM(x.body, x.blen, "abcd", 4);
	CHECK(strstr(x.reason, "4 of 10 bytes") != NULL);
	CHECK_EQ_INT(get(&e, &x, "/truncchunk"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_TRUNCATED);
	CHECK_EQ_MEM(x.body, x.blen, "hello", 5);
	CHECK_EQ_INT(get(&e, &x, "/badchunk"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_MALFORMED);
	CHECK(strstr(x.reason, "chunk") != NULL);
	CHECK_EQ_INT(get(&e, &x, "/bad"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_MALFORMED);
	CHECK_EQ_INT(x.nhead, 0);
	CHECK_EQ_INT(get(&e, &x, "/101"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_MALFORMED);
	CHECK_EQ_INT(get(&e, &x, "/big"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_HEAD_TOO_LARGE);
	CHECK(strstr(x.reason, "1024") != NULL);
	CHECK(http_client_err_transient(HTTP_CLIENT_E_TRUNCATED));
	CHECK(!http_client_err_transient(HTTP_CLIENT_E_FORBIDDEN));
	CHECK_EQ_INT(http_client_err_class(HTTP_CLIENT_E_IDLE_TIMEOUT), ERR_TIMEOUT);
	CHECK_EQ_STR(http_client_err_name(HTTP_CLIENT_E_TRUNCATED), "truncated");

	/* connect refused: a port nobody listens on */
	sock_addr a;
	sock_addr_parse(&a, STR_LIT("127.0.0.1:0"));
	int lfd = sock_listen(&a, 1, 0, NULL, 0);
	sock_local_addr(lfd, &a);
	close(lfd);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/", (unsigned)sock_addr_port(&a));
	CHECK_EQ_INT(get(&e, &x, url), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_CONNECT);
	CHECK(strstr(x.reason, "connection refused") != NULL);

	/* DNS failure: ".invalid" fails at once */
	CHECK_EQ_INT(get(&e, &x, "http://nothing.invalid/"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_DNS);
	CHECK(strstr(x.reason, "nothing.invalid") != NULL);
	env_free(&e);
}

TEST(client_timeouts)
{
	env e;
	env_init(&e, NULL);
	res x;
	http_client_timeouts fb = { .first_byte_ms = 80 };
	CHECK_EQ_INT(req(&e, &x, "GET", "/silent", NULL, &fb), 0);
	uint64_t t0 = clock_mono_ms();
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_FIRST_BYTE_TIMEOUT);
	CHECK(clock_mono_ms() - t0 >= 70);
	CHECK(strstr(x.reason, "no response") != NULL);

	http_client_timeouts idle = { .idle_ms = 80 };
	CHECK_EQ_INT(req(&e, &x, "GET", "/stall", NULL, &idle), 0);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_IDLE_TIMEOUT);
	CHECK_EQ_INT(x.status, 200);
	CHECK_EQ_MEM(x.body, x.blen, "abc", 3);

	http_client_timeouts total = { .total_ms = 80 };
	CHECK_EQ_INT(req(&e, &x, "GET", "/stall", NULL, &total), 0);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_TIMEOUT);
	http_client_stats st;
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.retries, 0);   /* timeouts are never retried */
	CHECK_EQ_INT(st.active, 0);
	env_free(&e);
}

TEST(client_pool)
{
	http_client_config cfg = { .pool_per_origin = 2, .pool_idle_ms = 150 };
	env e;
	env_init(&e, &cfg);
	res x;
	for (int i = 0; i < 5; i++) {
		CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
		CHECK_EQ_INT(x.err, 0);
	}
	CHECK_EQ_INT(e.s.accepts, 1);
	http_client_stats st;
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.reused, 4);
	CHECK_EQ_INT(st.connects, 1);
	CHECK_EQ_INT(st.idle, 1);

	/* three at once: three connections; two stay pooled (cap 2) */
	res y[3];
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(req(&e, &y[i], "GET", "/cl", NULL, NULL), 0);
	for (int i = 0; i < 3; i++) {
		run_until(&e, &y[i].done, 3000);
		CHECK_EQ_INT(y[i].err, 0);
		CHECK_EQ_INT(y[i].status, 200);
	}
	CHECK_EQ_INT(e.s.accepts, 3);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.idle, 2);

	/* Connection: close answers are not pooled (it took one of the two) */
	CHECK_EQ_INT(get(&e, &x, "/close"), 0);
	CHECK_EQ_INT(x.err, 0);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.idle, 1);

	/* pooled connections expire after pool_idle_ms */
	run_for(&e, 300);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.idle, 0);
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	CHECK_EQ_INT(x.err, 0);
	http_client_get_stats(e.c, &st);
	CHECK(!http_client_req_reused(NULL));
	http_client_close_idle(e.c);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.idle, 0);
	env_free(&e);
}

TEST(client_stale)
{
	env e;
	env_init(&e, NULL);
	res x;
	http_client_stats st;
	/* the server closes the idle connection: seen while idle, not reused */
	CHECK_EQ_INT(get(&e, &x, "/closeidle"), 0);
	CHECK_EQ_INT(x.err, 0);
	run_for(&e, 80);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.stale, 1);
	CHECK_EQ_INT(st.idle, 0);
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(e.s.accepts, 2);

	/* closed by the server with no poll in between (time went on): the
	 * probe right before reuse sees it */
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	for (int i = 0; i < FS_CONNS; i++)
		fs_close(&e.s.c[i]);
	usleep(3000);
	loop_update_now(e.l);
	CHECK_EQ_INT(req(&e, &x, "GET", "/cl", NULL, NULL), 0);
	CHECK(!http_client_req_reused(x.r));
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.stale, 2);
	CHECK_EQ_INT(st.retries, 0);
	/* the same within the loop iteration that pooled it (back-to-back, no
	 * probe): the send fails, the retry rule takes over */
	for (int i = 0; i < FS_CONNS; i++)
		fs_close(&e.s.c[i]);
	CHECK_EQ_INT(req(&e, &x, "POST", "/cl", "x", NULL), 0);
	CHECK(http_client_req_reused(x.r));
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_MEM(x.body, x.blen, "hello", 5);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.retries, 1);
	http_client_close_idle(e.c);

	/* the stale keep-alive race: the server drops the reused connection on
	 * the next request -> retried once on a fresh one, even for POST */
	http_client_close_idle(e.c);
	CHECK_EQ_INT(get(&e, &x, "/dropsecond"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(req(&e, &x, "POST", "/dropsecond", "{}", NULL), 0);
	CHECK(http_client_req_reused(x.r));
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_MEM(x.body, x.blen, "ok", 2);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.retries, 2);

	/* fresh connection, POST, closed without an answer: not retried */
	http_client_close_idle(e.c);
	int before = e.s.reqs;
	CHECK_EQ_INT(req(&e, &x, "POST", "/drop", "{}", NULL), 0);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_RESET);
	CHECK(strstr(x.reason, "before a response") != NULL);
	CHECK_EQ_INT(e.s.reqs - before, 1);
	/* fresh connection, GET (idempotent): retried once, then the error */
	before = e.s.reqs;
	CHECK_EQ_INT(get(&e, &x, "/drop"), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_RESET);
	CHECK_EQ_INT(e.s.reqs - before, 2);
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.retries, 3);
	env_free(&e);
}

TEST(client_cancel_pause)
{
	env e;
	env_init(&e, NULL);
	res x;
	/* trickled body: several on_data calls before on_done */
	CHECK_EQ_INT(get(&e, &x, "/slow"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.blen, 20);
	CHECK(x.ndata >= 4);

	/* cancel inside on_data: nothing after, connection closed */
	memset(&x, 0, sizeof x);
	x.cancel_after = 8;
	int before = e.s.accepts;
	CHECK_EQ_INT(req(&e, &x, "GET", "/slow", NULL, NULL), 0);
	x.cancel_after = 8;
	run_for(&e, 300);
	CHECK(!x.done);
	CHECK(!x.on_data_after_cancel);
	CHECK_EQ_INT(x.blen, 8);
	http_client_stats st;
	http_client_get_stats(e.c, &st);
	CHECK_EQ_INT(st.active, 0);
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);   /* not reused: a new connection */
	CHECK_EQ_INT(e.s.accepts, before + 1);

	/* cancel inside on_head */
	memset(&x, 0, sizeof x);
	CHECK_EQ_INT(req(&e, &x, "GET", "/slow", NULL, NULL), 0);
	x.cancel_in_head = true;
	run_for(&e, 200);
	CHECK_EQ_INT(x.nhead, 1);
	CHECK(!x.done);
	CHECK_EQ_INT(x.ndata, 0);

	/* a response arriving one byte at a time (1xx, head, chunk lines split) */
	CHECK_EQ_INT(get(&e, &x, "/bytewise"), 0);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.status, 200);
	CHECK_EQ_INT(x.nhead, 1);
	CHECK_EQ_MEM(x.body, x.blen, "abc0123456789abcdef", 19);

	/* cancel from outside while waiting */
	res y;
	CHECK_EQ_INT(req(&e, &y, "GET", "/silent", NULL, NULL), 0);
	run_for(&e, 30);
	http_client_cancel(y.r);
	run_for(&e, 30);
	CHECK(!y.done);
	/* cancel right after the call (before anything ran) */
	CHECK_EQ_INT(req(&e, &y, "GET", "/cl", NULL, NULL), 0);
	http_client_cancel(y.r);
	run_for(&e, 30);
	CHECK(!y.done);
	/* a cancelled request that failed synchronously inside the call */
	CHECK_EQ_INT(req(&e, &y, "GET", "http://x.invalid/", NULL, NULL), 0);
	http_client_cancel(y.r);
	run_for(&e, 30);
	CHECK(!y.done);

	/* pause: nothing delivered while paused, everything after resume */
	memset(&x, 0, sizeof x);
	CHECK_EQ_INT(req(&e, &x, "GET", "/slow", NULL, NULL), 0);
	x.pause_after = 4;
	run_for(&e, 200);
	CHECK(x.paused);
	CHECK(!x.done);
	CHECK_EQ_INT(x.blen, 4);
	http_client_resume(x.r);
	run_until(&e, &x.done, 3000);
	CHECK_EQ_INT(x.err, 0);
	CHECK_EQ_INT(x.blen, 20);
	CHECK_EQ_MEM(x.body, x.blen, "abcdabcdabcdabcdabcd", 20);
	env_free(&e);
}

TEST(client_policy)
{
	env e;
	env_init(&e, NULL);
	char err[600];
	CHECK_EQ_INT(netpolicy_build(&e.pol, NETPOLICY_DENY_PRIVATE, NULL, 0, err, sizeof err), 0);
	res x;
	char url[128];
	/* literal IP: the operator's choice */
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	CHECK_EQ_INT(x.err, 0);
	/* a name resolving to loopback: refused with the worded reason */
	snprintf(url, sizeof url, "http://localhost:%u/cl", (unsigned)e.s.port);
	int before = e.s.accepts;
	CHECK_EQ_INT(get(&e, &x, url), 0);
	CHECK_EQ_INT(x.err, HTTP_CLIENT_E_FORBIDDEN);
	CHECK(strstr(x.reason, "outbound request to http://localhost:") == x.reason);
	CHECK(strstr(x.reason, "resolves to forbidden address 127.0.0.1 (loopback)") != NULL);
	CHECK(strstr(x.reason, "outbound_policy = \"off\"") != NULL);
	CHECK_EQ_INT(e.s.accepts, before);   /* never connected */
	netpolicy_free(&e.pol);

	/* allowlist: other origins refused at once */
	char allow[64];
	snprintf(allow, sizeof allow, "http://127.0.0.1:%u", (unsigned)e.s.port);
	str a = str_from(allow);
	CHECK_EQ_INT(netpolicy_build(&e.pol, NETPOLICY_ALLOWLIST, &a, 1, err, sizeof err), 0);
	CHECK_EQ_INT(get(&e, &x, "/cl"), 0);
	CHECK_EQ_INT(x.err, 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/cl", (unsigned)e.s.port + 1);
	CHECK_EQ_INT(req(&e, &x, "GET", url, NULL, NULL), HTTP_CLIENT_E_FORBIDDEN);
	CHECK(strstr(x.reason, "not in outbound allowlist") != NULL);
	netpolicy_free(&e.pol);
	env_free(&e);
}

int main(void)
{
	RUN(url_parse_good);
	RUN(url_parse_bad);
	RUN(proxy_build);
	RUN(proxy_env);
	RUN(no_proxy_match);
	RUN(client_framing);
	RUN(client_request_head);
	RUN(client_errors);
	RUN(client_timeouts);
	RUN(client_pool);
	RUN(client_stale);
	RUN(client_cancel_pause);
	RUN(client_policy);
	return t_done();
}
