/* test_netpolicy.c — every address range (v4 and v6) at its boundaries,
 * embedded IPv4 forms, IP text, URL origin parsing with the url crate's
 * errors, policy build messages (cli.md step 5), URL and address checks. */
#include "t.h"

#include <arpa/inet.h>

#include "base/err.h"
#include "net/netpolicy.h"

typedef struct cls_case { const char *ip; netpolicy_class c; } cls_case;

#define P NETPOLICY_PUBLIC
static const cls_case v4_cases[] = {
	{ "0.0.0.0", NETPOLICY_UNSPECIFIED }, { "0.0.0.1", NETPOLICY_THIS_NETWORK },
	{ "0.255.255.255", NETPOLICY_THIS_NETWORK }, { "1.0.0.0", P },
	{ "9.255.255.255", P }, { "10.0.0.0", NETPOLICY_PRIVATE }, { "10.255.255.255", NETPOLICY_PRIVATE },
	{ "11.0.0.0", P },
	{ "100.63.255.255", P }, { "100.64.0.0", NETPOLICY_CGNAT }, { "100.100.0.1", NETPOLICY_CGNAT },
	{ "100.127.255.255", NETPOLICY_CGNAT }, { "100.128.0.0", P },
	{ "126.255.255.255", P }, { "127.0.0.0", NETPOLICY_LOOPBACK }, { "127.0.0.1", NETPOLICY_LOOPBACK },
	{ "127.255.255.255", NETPOLICY_LOOPBACK }, { "128.0.0.0", P },
	{ "169.253.255.255", P }, { "169.254.0.0", NETPOLICY_LINK_LOCAL },
	{ "169.254.169.254", NETPOLICY_LINK_LOCAL }, { "169.254.255.255", NETPOLICY_LINK_LOCAL },
	{ "169.255.0.0", P },
	{ "172.15.255.255", P }, { "172.16.0.0", NETPOLICY_PRIVATE }, { "172.31.255.255", NETPOLICY_PRIVATE },
	{ "172.32.0.0", P },
	{ "191.255.255.255", P }, { "192.0.0.0", NETPOLICY_IETF }, { "192.0.0.255", NETPOLICY_IETF },
	{ "192.0.1.0", P }, { "192.0.2.0", NETPOLICY_DOCUMENTATION }, { "192.0.2.255", NETPOLICY_DOCUMENTATION },
	{ "192.0.3.0", P },
	{ "192.167.255.255", P }, { "192.168.0.0", NETPOLICY_PRIVATE }, { "192.168.255.255", NETPOLICY_PRIVATE },
	{ "192.169.0.0", P },
	{ "198.17.255.255", P }, { "198.18.0.0", NETPOLICY_BENCHMARK }, { "198.19.255.255", NETPOLICY_BENCHMARK },
	{ "198.20.0.0", P },
	{ "198.51.99.255", P }, { "198.51.100.0", NETPOLICY_DOCUMENTATION },
	{ "198.51.100.255", NETPOLICY_DOCUMENTATION }, { "198.51.101.0", P },
	{ "203.0.112.255", P }, { "203.0.113.0", NETPOLICY_DOCUMENTATION },
	{ "203.0.113.255", NETPOLICY_DOCUMENTATION }, { "203.0.114.0", P },
	{ "223.255.255.255", P }, { "224.0.0.0", NETPOLICY_MULTICAST }, { "224.0.0.1", NETPOLICY_MULTICAST },
	{ "239.255.255.255", NETPOLICY_MULTICAST }, { "240.0.0.0", NETPOLICY_RESERVED },
	{ "255.255.255.254", NETPOLICY_RESERVED }, { "255.255.255.255", NETPOLICY_BROADCAST },
	{ "8.8.8.8", P }, { "1.1.1.1", P }, { "104.18.0.1", P },
};

static const cls_case v6_cases[] = {
	{ "::", NETPOLICY_UNSPECIFIED }, { "::1", NETPOLICY_LOOPBACK }, { "::2", NETPOLICY_RESERVED },
	{ "::0.0.0.2", NETPOLICY_RESERVED }, { "::8.8.8.8", NETPOLICY_RESERVED },
	/* IPv4-mapped: the embedded address decides */
	{ "::ffff:127.0.0.1", NETPOLICY_LOOPBACK }, { "::ffff:10.1.2.3", NETPOLICY_PRIVATE },
	{ "::ffff:169.254.169.254", NETPOLICY_LINK_LOCAL }, { "::ffff:0.0.0.0", NETPOLICY_UNSPECIFIED },
	{ "::ffff:100.64.0.1", NETPOLICY_CGNAT }, { "::ffff:255.255.255.255", NETPOLICY_BROADCAST },
	{ "::ffff:224.0.0.1", NETPOLICY_MULTICAST }, { "::ffff:8.8.8.8", P },
	{ "::fffe:127.0.0.1", NETPOLICY_RESERVED }, { "::1:ffff:127.0.0.1", NETPOLICY_RESERVED },
	/* IPv4-translated */
	{ "::ffff:0:127.0.0.1", NETPOLICY_LOOPBACK }, { "::ffff:0:8.8.8.8", P },
	/* NAT64 well-known prefix, local-use prefix */
	{ "64:ff9b::8.8.8.8", P }, { "64:ff9b::10.0.0.1", NETPOLICY_PRIVATE },
	{ "64:ff9b::127.0.0.1", NETPOLICY_LOOPBACK }, { "64:ff9b::192.168.1.1", NETPOLICY_PRIVATE },
	{ "64:ff9b::1:0:0", NETPOLICY_RESERVED }, { "64:ff9b:1::1", NETPOLICY_NAT64_LOCAL },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", NETPOLICY_NAT64_LOCAL }, { "64:ff9b:2::", NETPOLICY_RESERVED },
	/* discard, benchmarking, documentation */
	{ "100::", NETPOLICY_RESERVED }, { "100::ffff:ffff:ffff:ffff", NETPOLICY_RESERVED },
	{ "2001:2::", NETPOLICY_BENCHMARK }, { "2001:2:0:ffff::1", NETPOLICY_BENCHMARK },
	{ "2001:2:1::", P }, { "2001:1::1", P },
	{ "2001:db8::", NETPOLICY_DOCUMENTATION },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", NETPOLICY_DOCUMENTATION },
	{ "2001:db7:ffff::", P }, { "2001:db9::", P },
	{ "3fff::", NETPOLICY_DOCUMENTATION }, { "3fff:fff:ffff::", NETPOLICY_DOCUMENTATION },
	{ "3fff:1000::", P }, { "3ffe:ffff::", P },
	/* 6to4 carries an IPv4 */
	{ "2002:7f00:1::", NETPOLICY_LOOPBACK }, { "2002:c0a8:101::1", NETPOLICY_PRIVATE },
	{ "2002:808:808::", P }, { "2002:a9fe:a9fe::", NETPOLICY_LINK_LOCAL },
	/* ULA, link-local, site-local, multicast and their neighbours */
	{ "fbff:ffff::", NETPOLICY_RESERVED }, { "fc00::", NETPOLICY_ULA }, { "fc00::1", NETPOLICY_ULA },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETPOLICY_ULA }, { "fe00::", NETPOLICY_RESERVED },
	{ "fe7f:ffff::", NETPOLICY_RESERVED }, { "fe80::", NETPOLICY_LINK_LOCAL },
	{ "fe80::1", NETPOLICY_LINK_LOCAL }, { "febf:ffff::", NETPOLICY_LINK_LOCAL },
	{ "fec0::", NETPOLICY_SITE_LOCAL }, { "feff:ffff::", NETPOLICY_SITE_LOCAL },
	{ "ff00::", NETPOLICY_MULTICAST }, { "ff02::1", NETPOLICY_MULTICAST },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETPOLICY_MULTICAST },
	/* global unicast 2000::/3 and outside */
	{ "1fff:ffff::", NETPOLICY_RESERVED }, { "2000::", P }, { "3fff:ffff::", P },
	{ "4000::", NETPOLICY_RESERVED }, { "2001:4860:4860::8888", P }, { "2606:4700::1111", P },
};
#undef P

TEST(classify_v4)
{
	for (size_t i = 0; i < sizeof v4_cases / sizeof *v4_cases; i++) {
		uint8_t b[4];
		if (inet_pton(AF_INET, v4_cases[i].ip, b) != 1) {
			T_FAIL_AT("bad test address %s", v4_cases[i].ip);
			continue;
		}
		netpolicy_class c = netpolicy_classify_v4(b);
		if (c != v4_cases[i].c)
			T_FAIL_AT("%s: class %s, expected %s", v4_cases[i].ip, netpolicy_class_name(c),
			          netpolicy_class_name(v4_cases[i].c));
		/* the same through a sockaddr, and through its IPv4-mapped form */
		struct sockaddr_in sin = { .sin_family = AF_INET };
		memcpy(&sin.sin_addr, b, 4);
		CHECK_EQ_INT(netpolicy_classify_sa((struct sockaddr *)&sin), v4_cases[i].c);
		uint8_t m[16] = { 0 };
		m[10] = m[11] = 0xff;
		memcpy(m + 12, b, 4);
		CHECK_EQ_INT(netpolicy_classify_v6(m), v4_cases[i].c);
		CHECK_EQ_INT(netpolicy_forbidden(c), c != NETPOLICY_PUBLIC);
	}
}

TEST(classify_v6)
{
	for (size_t i = 0; i < sizeof v6_cases / sizeof *v6_cases; i++) {
		uint8_t b[16];
		if (inet_pton(AF_INET6, v6_cases[i].ip, b) != 1) {
			T_FAIL_AT("bad test address %s", v6_cases[i].ip);
			continue;
		}
		netpolicy_class c = netpolicy_classify_v6(b);
		if (c != v6_cases[i].c)
			T_FAIL_AT("%s: class %s, expected %s", v6_cases[i].ip, netpolicy_class_name(c),
			          netpolicy_class_name(v6_cases[i].c));
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
		memcpy(&s6.sin6_addr, b, 16);
		CHECK_EQ_INT(netpolicy_classify_sa((struct sockaddr *)&s6), v6_cases[i].c);
	}
	struct sockaddr un = { .sa_family = AF_UNIX };
	CHECK_EQ_INT(netpolicy_classify_sa(&un), NETPOLICY_RESERVED);
	CHECK_EQ_INT(netpolicy_classify_sa(NULL), NETPOLICY_RESERVED);
	/* embedded extraction */
	uint8_t b[16], v4[4];
	inet_pton(AF_INET6, "64:ff9b::1.2.3.4", b);
	CHECK(netpolicy_v6_embedded_v4(b, v4));
	CHECK(v4[0] == 1 && v4[1] == 2 && v4[2] == 3 && v4[3] == 4);
	inet_pton(AF_INET6, "2002:0102:0304::1", b);
	CHECK(netpolicy_v6_embedded_v4(b, v4));
	CHECK(v4[0] == 1 && v4[3] == 4);
	inet_pton(AF_INET6, "2001:db8::1", b);
	CHECK(!netpolicy_v6_embedded_v4(b, v4));
	for (int c = 0; c < NETPOLICY__COUNT; c++)
		CHECK(strcmp(netpolicy_class_name((netpolicy_class)c), "unknown") != 0);
}

TEST(ip_text)
{
	uint8_t b[16];
	int fam;
	char out[64];
	static const struct { const char *in, *out; int fam; } ok[] = {
		{ "1.2.3.4", "1.2.3.4", AF_INET }, { "255.255.255.255", "255.255.255.255", AF_INET },
		{ "::", "::", AF_INET6 }, { "::1", "::1", AF_INET6 }, { "[::1]", "::1", AF_INET6 },
		{ "1::", "1::", AF_INET6 }, { "2001:DB8:0:0:0:0:0:1", "2001:db8::1", AF_INET6 },
		{ "1:0:0:1:0:0:0:1", "1:0:0:1::1", AF_INET6 }, { "1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0", AF_INET6 },
		{ "0:0:1:0:0:1:0:0", "::1:0:0:1:0:0", AF_INET6 }, { "::ffff:127.0.0.1", "::ffff:7f00:1", AF_INET6 },
		{ "fe80::abcd:1", "fe80::abcd:1", AF_INET6 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		int rc = netpolicy_ip_parse(str_from(ok[i].in), b, &fam);
		if (rc != 0) {
			T_FAIL_AT("ip_parse(%s) = %d", ok[i].in, rc);
			continue;
		}
		CHECK_EQ_INT(fam, ok[i].fam);
		size_t n = netpolicy_ip_format(b, fam, out, sizeof out);
		CHECK_EQ_STR(out, ok[i].out);
		CHECK_EQ_INT(n, strlen(ok[i].out));
	}
	static const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.0.0.1", "0x7f.0.0.1",
		"127.1", "1.2.3.4 ", "[1.2.3.4]", "::g", "1::2::3", "[::1", "example.com", "fe80::1%1" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (netpolicy_ip_parse(str_from(bad[i]), b, &fam) != ERR_INVAL)
			T_FAIL_AT("ip_parse(\"%s\") accepted", bad[i]);
}

TEST(url_parse_ok)
{
	static const struct { const char *in, *scheme, *host; unsigned port; bool ip; } ok[] = {
		{ "https://api.openai.com/v1", "https", "api.openai.com", 443, false },
		{ "HTTP://Example.COM:8080/x?y#z", "http", "example.com", 8080, false },
		{ "http://example.com:80", "http", "example.com", 80, false },
		{ "http://example.com:/", "http", "example.com", 80, false },
		{ "http://user:pa:ss@host.com:81/", "http", "host.com", 81, false },
		{ "http:example.com", "http", "example.com", 80, false },
		{ "http:///x", "http", "x", 80, false },
		{ "https:\\\\example.com\\x", "https", "example.com", 443, false },
		{ "http://[::1]:8080", "http", "[::1]", 8080, true },
		{ "http://[0:0:0:0:0:0:0:1]/", "http", "[::1]", 80, true },
		{ "http://[::FFFF:127.0.0.1]/", "http", "[::ffff:7f00:1]", 80, true },
		{ "http://0x7f.1/", "http", "127.0.0.1", 80, true },
		{ "http://2130706433/", "http", "127.0.0.1", 80, true },
		{ "http://0177.0.0.1/", "http", "127.0.0.1", 80, true },
		{ "http://127.0.0.1./", "http", "127.0.0.1", 80, true },
		{ "http://exa%6Dple.com", "http", "example.com", 80, false },
		{ "  https://x.com  ", "https", "x.com", 443, false },
		{ "ht\ttp://x.c\nom", "http", "x.com", 80, false },
		{ "wss://x.com", "wss", "x.com", 443, false },
		{ "ftp://x.com", "ftp", "x.com", 21, false },
		{ "mailto:a@b", "mailto", "", 0, false },
		{ "foo://Bar:12/p", "foo", "Bar", 12, false },
		{ "file:///etc/passwd", "file", "", 0, false },
		{ "http://under_score.example", "http", "under_score.example", 80, false },
	};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		netpolicy_url u;
		char err[64] = "";
		int rc = netpolicy_url_parse(str_from(ok[i].in), &u, err, sizeof err);
		if (rc != 0) {
			T_FAIL_AT("url_parse(\"%s\") = %d: %s", ok[i].in, rc, err);
			continue;
		}
		CHECK_EQ_STR(u.scheme, ok[i].scheme);
		CHECK_EQ_STR(u.host, ok[i].host);
		CHECK_EQ_INT(u.port, ok[i].port);
		CHECK_EQ_INT(u.host_is_ip, ok[i].ip);
	}
}

TEST(url_parse_errors)
{
	static const struct { const char *in, *err; } bad[] = {
		{ "api.openai.com", "relative URL without a base" },
		{ "", "relative URL without a base" },
		{ "   ", "relative URL without a base" },
		{ "/v1/chat", "relative URL without a base" },
		{ "1http://x", "relative URL without a base" },
		{ "ht tp://x", "relative URL without a base" },
		{ "http://", "empty host" },
		{ "http://:80", "empty host" },
		{ "http://user@", "empty host" },
		{ "http://a b.com", "invalid domain character" },
		{ "http://a<b", "invalid domain character" },
		{ "http://a%2fb", "invalid domain character" },
		{ "http://a%zz", "invalid domain character" },
		{ "http://[::1", "invalid IPv6 address" },
		{ "http://[::g]/", "invalid IPv6 address" },
		{ "http://[::1]x/", "invalid IPv6 address" },
		{ "http://h:99999", "invalid port number" },
		{ "http://h:65536", "invalid port number" },
		{ "http://h:8x", "invalid port number" },
		{ "http://1.2.3.256", "invalid IPv4 address" },
		{ "http://1.2.3.4.5", "invalid IPv4 address" },
		{ "http://0x100000000", "invalid IPv4 address" },
		{ "http://foo.09", "invalid IPv4 address" },
		{ "http://1..2", "invalid IPv4 address" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		netpolicy_url u;
		char err[64] = "";
		int rc = netpolicy_url_parse(str_from(bad[i].in), &u, err, sizeof err);
		if (rc != ERR_INVAL || strcmp(err, bad[i].err) != 0)
			T_FAIL_AT("url_parse(\"%s\") = %d \"%s\", expected \"%s\"", bad[i].in, rc, err, bad[i].err);
	}
}

TEST(build_messages)
{
	netpolicy p;
	char err[512];
	netpolicy_mode m;
	CHECK_EQ_INT(netpolicy_mode_parse(STR_LIT("off"), &m), 0);
	CHECK_EQ_INT(m, NETPOLICY_OFF);
	CHECK_EQ_INT(netpolicy_mode_parse(STR_LIT("deny_private"), &m), 0);
	CHECK_EQ_INT(m, NETPOLICY_DENY_PRIVATE);
	CHECK_EQ_INT(netpolicy_mode_parse(STR_LIT("allowlist"), &m), 0);
	CHECK_EQ_INT(m, NETPOLICY_ALLOWLIST);
	CHECK_EQ_INT(netpolicy_mode_parse(STR_LIT("Off"), &m), ERR_INVAL);
	CHECK_EQ_STR(netpolicy_mode_name(NETPOLICY_DENY_PRIVATE), "deny_private");

	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, NULL, 0, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(err, "security.outbound_policy = \"allowlist\" requires at least one entry in "
	             "security.outbound_allowlist");
	str one[] = { STR_LIT("https://ok.example"), STR_LIT("not a url") };
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, one, 2, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(err, "invalid URL in outbound_allowlist (\"not a url\"): relative URL without a base");
	str q[] = { STR_LIT("a\"b\\c\n") };
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, q, 1, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(err, "invalid URL in outbound_allowlist (\"a\\\"b\\\\c\\n\"): relative URL without a base");
	/* '"' is a valid host byte and '\\' ends a special URL's host: this one parses */
	str q2[] = { STR_LIT("http://a\"b\\c") };
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, q2, 1, err, sizeof err), 0);
	CHECK_EQ_STR(p.allow[0].host, "a\"b");
	netpolicy_free(&p);
	str ctl[] = { STR_LIT("http://\x01x") };
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, ctl, 1, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(err, "invalid URL in outbound_allowlist (\"http://\\u{1}x\"): invalid domain character");
	str port[] = { STR_LIT("http://h:99999") };
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_ALLOWLIST, port, 1, err, sizeof err), ERR_INVAL);
	CHECK_EQ_STR(err, "invalid URL in outbound_allowlist (\"http://h:99999\"): invalid port number");
	/* other modes ignore the list */
	CHECK_EQ_INT(netpolicy_build(&p, NETPOLICY_DENY_PRIVATE, one, 2, err, sizeof err), 0);
	CHECK_EQ_INT(p.mode, NETPOLICY_DENY_PRIVATE);
	CHECK_EQ_INT(p.n, 0);
	netpolicy_free(&p);
	CHECK_EQ_INT(p.mode, NETPOLICY_OFF);
	netpolicy_free(NULL);
}

TEST(check_url)
{
	char r[512];
	/* off (also the zero value): anything goes */
	netpolicy off = { 0 };
	CHECK_EQ_INT(netpolicy_check_url(&off, STR_LIT("ftp://x"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(&off, STR_LIT("garbage"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(NULL, STR_LIT("garbage"), NULL, r, sizeof r), 0);

	netpolicy dp;
	CHECK_EQ_INT(netpolicy_build(&dp, NETPOLICY_DENY_PRIVATE, NULL, 0, NULL, 0), 0);
	netpolicy_url u;
	CHECK_EQ_INT(netpolicy_check_url(&dp, STR_LIT("https://api.openai.com/v1"), &u, r, sizeof r), 0);
	CHECK_EQ_STR(u.host, "api.openai.com");
	CHECK_EQ_INT(netpolicy_check_url(&dp, STR_LIT("http://127.0.0.1:8080/v1"), &u, r, sizeof r), 0);
	CHECK(u.host_is_ip);   /* literal IP: the operator's choice, passes */
	CHECK_EQ_INT(netpolicy_check_url(&dp, STR_LIT("ftp://x.com"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_STR(r, "scheme 'ftp' is not allowed; only http/https");
	CHECK_EQ_INT(netpolicy_check_url(&dp, STR_LIT("garbage"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_STR(r, "invalid URL: relative URL without a base");

	netpolicy al;
	str list[] = { STR_LIT("https://api.openai.com"), STR_LIT("http://LOCALHOST:8080/ignored/path"),
	               STR_LIT("http://[::1]:9000"), STR_LIT("mailto:x@y") };
	CHECK_EQ_INT(netpolicy_build(&al, NETPOLICY_ALLOWLIST, list, 4, r, sizeof r), 0);
	CHECK_EQ_INT(al.n, 4);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("https://api.openai.com/v1/chat"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("https://API.OPENAI.COM:443/x"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("http://localhost:8080/v1"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("http://[0::1]:9000/"), NULL, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("http://api.openai.com/"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("https://api.openai.com:8443/"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("http://localhost/v1"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_INT(netpolicy_check_url(&al, STR_LIT("https://evil.example/"), NULL, r, sizeof r), ERR_FORBIDDEN);
	CHECK_EQ_STR(r, "URL not in outbound allowlist (outbound_policy = \"allowlist\"; origin "
	             "https://evil.example:443 is not listed in security.outbound_allowlist)");
	/* allowlist does no address check */
	CHECK(!netpolicy_needs_addr_check(&al, STR_LIT("localhost")));
	netpolicy_free(&al);
	netpolicy_free(&dp);
}

TEST(check_addr)
{
	netpolicy dp;
	char r[512];
	CHECK_EQ_INT(netpolicy_build(&dp, NETPOLICY_DENY_PRIVATE, NULL, 0, NULL, 0), 0);
	CHECK(netpolicy_needs_addr_check(&dp, STR_LIT("localhost")));
	CHECK(!netpolicy_needs_addr_check(&dp, STR_LIT("127.0.0.1")));
	CHECK(!netpolicy_needs_addr_check(&dp, STR_LIT("[::1]")));
	CHECK(!netpolicy_needs_addr_check(&dp, STR_LIT("::1")));
	netpolicy off = { 0 };
	CHECK(!netpolicy_needs_addr_check(&off, STR_LIT("localhost")));

	struct sockaddr_in lo = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.1", &lo.sin_addr);
	struct sockaddr_in pub = { .sin_family = AF_INET };
	inet_pton(AF_INET, "8.8.8.8", &pub.sin_addr);
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &mapped.sin6_addr);
	struct sockaddr_in6 ula = { .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, "fd12::1", &ula.sin6_addr);

	CHECK_EQ_INT(netpolicy_check_addr(&dp, STR_LIT("localhost"), (struct sockaddr *)&lo, r, sizeof r),
	             ERR_FORBIDDEN);
	CHECK_EQ_STR(r, "host 'localhost' resolves to forbidden address 127.0.0.1 (loopback) under "
	             "outbound_policy = \"deny_private\"; to reach a local model, write its literal IP in "
	             "base_url (e.g. http://127.0.0.1:11434/v1) or set outbound_policy = \"off\" in [security]");
	CHECK_EQ_INT(netpolicy_check_addr(&dp, STR_LIT("api.example"), (struct sockaddr *)&pub, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_addr(&dp, STR_LIT("evil.example"), (struct sockaddr *)&mapped, r, sizeof r),
	             ERR_FORBIDDEN);
	CHECK(strstr(r, "::ffff:a00:1 (private (RFC 1918), embedded IPv4 10.0.0.1)") != NULL);
	CHECK_EQ_INT(netpolicy_check_addr(&dp, STR_LIT("evil.example"), (struct sockaddr *)&ula, r, sizeof r),
	             ERR_FORBIDDEN);
	CHECK(strstr(r, "fd12::1 (unique local (fc00::/7))") != NULL);
	/* literal hosts are the operator's choice */
	CHECK_EQ_INT(netpolicy_check_addr(&dp, STR_LIT("127.0.0.1"), (struct sockaddr *)&lo, r, sizeof r), 0);
	/* off / allowlist: no address checks */
	CHECK_EQ_INT(netpolicy_check_addr(&off, STR_LIT("localhost"), (struct sockaddr *)&lo, r, sizeof r), 0);
	CHECK_EQ_INT(netpolicy_check_addr(NULL, STR_LIT("localhost"), (struct sockaddr *)&lo, r, sizeof r), 0);
	netpolicy_free(&dp);
}

int main(void)
{
	RUN(classify_v4);
	RUN(classify_v6);
	RUN(ip_text);
	RUN(url_parse_ok);
	RUN(url_parse_errors);
	RUN(build_messages);
	RUN(check_url);
	RUN(check_addr);
	return t_done();
}
