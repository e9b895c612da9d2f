/* fuzz_netpolicy.c — libFuzzer target for src/net/netpolicy (pure): URL
 * origin parsing must reach a fixpoint on its own canonical output, IP text
 * must round-trip, classification must agree between an IPv4 address and its
 * IPv4-mapped form, and every allowlist entry that parses must allow itself.
 * abort() on any violated invariant. */
#include "net/netpolicy.h"
#include "base/err.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "fuzz_netpolicy: %s:%d: %s\n", __FILE__, __LINE__, #c); abort(); } } while (0)

static bool is_http(const netpolicy_url *u)
{
	return !strcmp(u->scheme, "http") || !strcmp(u->scheme, "https");
}

static void check_url(str s)
{
	netpolicy_url u, v;
	char err[64];
	memset(err, 'x', sizeof err);
	int rc = netpolicy_url_parse(s, &u, err, sizeof err);
	if (rc != 0) {
		REQUIRE(rc == ERR_INVAL || rc == ERR_NOMEM);
		REQUIRE(memchr(err, 0, sizeof err) != NULL);
		return;
	}
	REQUIRE(memchr(u.host, 0, sizeof u.host) != NULL);
	REQUIRE(memchr(u.scheme, 0, sizeof u.scheme) != NULL);
	if (!is_http(&u) || !u.host[0])
		return;
	/* the canonical origin parses to itself */
	char canon[400];
	snprintf(canon, sizeof canon, "%s://%s:%u/", u.scheme, u.host, (unsigned)u.port);
	rc = netpolicy_url_parse(str_from(canon), &v, err, sizeof err);
	REQUIRE(rc == 0);
	REQUIRE(!strcmp(u.scheme, v.scheme) && !strcmp(u.host, v.host) && u.port == v.port);
	REQUIRE(u.host_is_ip == v.host_is_ip);
	if (u.host_is_ip)
		REQUIRE(!memcmp(u.ip, v.ip, u.family == AF_INET ? 4 : 16));
}

static void check_ip(str s)
{
	uint8_t ip[16], ip2[16];
	int fam, fam2;
	if (netpolicy_ip_parse(s, ip, &fam) != 0)
		return;
	char t[64];
	size_t n = netpolicy_ip_format(ip, fam, t, sizeof t);
	REQUIRE(n == strlen(t) && n <= 45);
	REQUIRE(netpolicy_ip_parse(str_from(t), ip2, &fam2) == 0);
	REQUIRE(fam == fam2 && !memcmp(ip, ip2, fam == AF_INET ? 4 : 16));
}

static void check_classify(const uint8_t *d, size_t n)
{
	uint8_t v6[16] = { 0 };
	if (n >= 4) {
		netpolicy_class c = netpolicy_classify_v4(d);
		REQUIRE(c >= NETPOLICY_PUBLIC && c < NETPOLICY__COUNT);
		v6[10] = v6[11] = 0xff;
		memcpy(v6 + 12, d, 4);
		REQUIRE(netpolicy_classify_v6(v6) == c);
	}
	if (n >= 16) {
		netpolicy_class c = netpolicy_classify_v6(d);
		REQUIRE(c >= NETPOLICY_PUBLIC && c < NETPOLICY__COUNT);
		REQUIRE(strcmp(netpolicy_class_name(c), "unknown") != 0);
	}
}

static void check_allowlist(str s)
{
	str e[16];
	size_t n = 0;
	str rest = s, head;
	while (n < 16) {
		bool more = str_cut(rest, '\n', &head, &rest);
		e[n++] = head;
		if (!more)
			break;
	}
	netpolicy p;
	char err[700];
	int rc = netpolicy_build(&p, NETPOLICY_ALLOWLIST, e, n, err, sizeof err);
	if (rc != 0) {
		REQUIRE(!strncmp(err, "invalid URL in outbound_allowlist (\"", 36));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		netpolicy_url u;
		char r[512];
		if (netpolicy_url_parse(e[i], &u, NULL, 0) == 0 && is_http(&u) && u.host[0])
			REQUIRE(netpolicy_check_url(&p, e[i], NULL, r, sizeof r) == 0);
	}
	netpolicy_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	str s = str_make((const char *)data, size);
	check_url(s);
	check_ip(s);
	check_classify(data, size);
	check_allowlist(s);
	return 0;
}
