/* netpolicy.c — outbound policy: IP classification, a WHATWG-style origin
 * parser (what upstream's url crate accepts and how it canonicalises hosts),
 * and the off / deny_private / allowlist decisions. Pure: no I/O, no clock. */
#include "net/netpolicy.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

/* --- classification --------------------------------------------------------- */

netpolicy_class netpolicy_classify_v4(const uint8_t b[4])
{
	if (b[0] == 0)
		return (b[1] | b[2] | b[3]) ? NETPOLICY_THIS_NETWORK : NETPOLICY_UNSPECIFIED;
	if (b[0] == 10)
		return NETPOLICY_PRIVATE;
	if (b[0] == 100 && (b[1] & 0xc0) == 64)
		return NETPOLICY_CGNAT;
	if (b[0] == 127)
		return NETPOLICY_LOOPBACK;
	if (b[0] == 169 && b[1] == 254)
		return NETPOLICY_LINK_LOCAL;
	if (b[0] == 172 && (b[1] & 0xf0) == 16)
		return NETPOLICY_PRIVATE;
	if (b[0] == 192 && b[1] == 0 && b[2] == 0)
		return NETPOLICY_IETF;
	if (b[0] == 192 && b[1] == 0 && b[2] == 2)
		return NETPOLICY_DOCUMENTATION;
	if (b[0] == 192 && b[1] == 168)
		return NETPOLICY_PRIVATE;
	if (b[0] == 198 && (b[1] & 0xfe) == 18)
		return NETPOLICY_BENCHMARK;
	if (b[0] == 198 && b[1] == 51 && b[2] == 100)
		return NETPOLICY_DOCUMENTATION;
	if (b[0] == 203 && b[1] == 0 && b[2] == 113)
		return NETPOLICY_DOCUMENTATION;
	if ((b[0] & 0xf0) == 224)
		return NETPOLICY_MULTICAST;
	if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
		return NETPOLICY_BROADCAST;
	if ((b[0] & 0xf0) == 240)
		return NETPOLICY_RESERVED;
	return NETPOLICY_PUBLIC;
}

static bool netpolicy_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool netpolicy_v6_embedded_v4(const uint8_t a[16], uint8_t v4[4])
{
	/* ::ffff:a.b.c.d (mapped) */
	if (netpolicy_zero(a, 10) && a[10] == 0xff && a[11] == 0xff)
		goto last32;
	/* ::ffff:0:a.b.c.d (translated, RFC 2765) */
	if (netpolicy_zero(a, 8) && a[8] == 0xff && a[9] == 0xff && a[10] == 0 && a[11] == 0)
		goto last32;
	/* 64:ff9b::a.b.c.d (NAT64 well-known prefix, RFC 6052) */
	if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && netpolicy_zero(a + 4, 8))
		goto last32;
	/* 2002:aabb:ccdd::/48 (6to4) */
	if (a[0] == 0x20 && a[1] == 0x02) {
		memcpy(v4, a + 2, 4);
		return true;
	}
	return false;
last32:
	memcpy(v4, a + 12, 4);
	return true;
}

netpolicy_class netpolicy_classify_v6(const uint8_t a[16])
{
	uint8_t v4[4];
	if (netpolicy_zero(a, 16))
		return NETPOLICY_UNSPECIFIED;
	if (netpolicy_zero(a, 15) && a[15] == 1)
		return NETPOLICY_LOOPBACK;
	if (netpolicy_v6_embedded_v4(a, v4))
		return netpolicy_classify_v4(v4);
	if (netpolicy_zero(a, 12))
		return NETPOLICY_RESERVED;          /* ::/96 IPv4-compatible (deprecated) */
	if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && a[4] == 0x00 && a[5] == 0x01)
		return NETPOLICY_NAT64_LOCAL;       /* 64:ff9b:1::/48 */
	if (a[0] == 0x01 && a[1] == 0x00 && netpolicy_zero(a + 2, 6))
		return NETPOLICY_RESERVED;          /* 100::/64 discard-only */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 && a[3] == 0x02 && a[4] == 0 && a[5] == 0)
		return NETPOLICY_BENCHMARK;         /* 2001:2::/48 */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		return NETPOLICY_DOCUMENTATION;     /* 2001:db8::/32 */
	if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0)
		return NETPOLICY_DOCUMENTATION;     /* 3fff::/20 */
	if ((a[0] & 0xfe) == 0xfc)
		return NETPOLICY_ULA;               /* fc00::/7 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return NETPOLICY_LINK_LOCAL;        /* fe80::/10 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return NETPOLICY_SITE_LOCAL;        /* fec0::/10 */
	if (a[0] == 0xff)
		return NETPOLICY_MULTICAST;         /* ff00::/8 */
	if ((a[0] & 0xe0) != 0x20)
		return NETPOLICY_RESERVED;          /* outside 2000::/3 global unicast */
	return NETPOLICY_PUBLIC;
}

netpolicy_class netpolicy_classify_sa(const struct sockaddr *sa)
{
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		uint8_t b[4];
		memcpy(b, &s4->sin_addr, 4);
		return netpolicy_classify_v4(b);
	}
	if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		uint8_t b[16];
		memcpy(b, &s6->sin6_addr, 16);
		return netpolicy_classify_v6(b);
	}
	return NETPOLICY_RESERVED;
}

const char *netpolicy_class_name(netpolicy_class c)
{
	switch (c) {
	case NETPOLICY_PUBLIC: return "public";
	case NETPOLICY_LOOPBACK: return "loopback";
	case NETPOLICY_UNSPECIFIED: return "unspecified";
	case NETPOLICY_THIS_NETWORK: return "\"this network\" 0.0.0.0/8";
	case NETPOLICY_PRIVATE: return "private (RFC 1918)";
	case NETPOLICY_CGNAT: return "carrier-grade NAT 100.64.0.0/10";
	case NETPOLICY_LINK_LOCAL: return "link-local";
	case NETPOLICY_MULTICAST: return "multicast";
	case NETPOLICY_BROADCAST: return "broadcast";
	case NETPOLICY_IETF: return "IETF protocol assignments 192.0.0.0/24";
	case NETPOLICY_BENCHMARK: return "benchmarking";
	case NETPOLICY_DOCUMENTATION: return "documentation";
	case NETPOLICY_RESERVED: return "reserved";
	case NETPOLICY_ULA: return "unique local (fc00::/7)";
	case NETPOLICY_SITE_LOCAL: return "site-local (fec0::/10)";
	case NETPOLICY_NAT64_LOCAL: return "local-use NAT64 (64:ff9b:1::/48)";
	case NETPOLICY__COUNT: break;
	}
	return "unknown";
}

/* --- IP text ------------------------------------------------------------------ */

static bool netpolicy_v4_strict(str s, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= s.n || s.p[i] != '.')
				return false;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s.p[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s.p[start] == '0'))
			return false;
		out[part] = (uint8_t)v;
	}
	return i == s.n;
}

static bool netpolicy_v6_parse(str s, uint8_t out[16])
{
	char buf[64];
	if (s.n == 0 || s.n >= sizeof buf)
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = 0;
	return inet_pton(AF_INET6, buf, out) == 1;
}

int netpolicy_ip_parse(str s, uint8_t out[16], int *family)
{
	if (s.n >= 2 && s.p[0] == '[' && s.p[s.n - 1] == ']') {
		s = str_slice(s, 1, s.n - 1);
		if (netpolicy_v6_parse(s, out)) {
			*family = AF_INET6;
			return 0;
		}
		return ERR_INVAL;
	}
	if (netpolicy_v4_strict(s, out)) {
		*family = AF_INET;
		return 0;
	}
	if (memchr(s.p, ':', s.n) && netpolicy_v6_parse(s, out)) {
		*family = AF_INET6;
		return 0;
	}
	return ERR_INVAL;
}

size_t netpolicy_ip_format(const uint8_t *ip, int family, char *dst, size_t cap)
{
	char b[48];
	size_t n = 0;
	if (family == AF_INET) {
		n = (size_t)snprintf(b, sizeof b, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
	} else {
		uint16_t g[8];
		for (int i = 0; i < 8; i++)
			g[i] = (uint16_t)(ip[2 * i] << 8 | ip[2 * i + 1]);
		/* the first longest run of >= 2 zero groups becomes "::" */
		int best = -1, bestlen = 1;
		for (int i = 0; i < 8;) {
			if (g[i] != 0) {
				i++;
				continue;
			}
			int j = i;
			while (j < 8 && g[j] == 0)
				j++;
			if (j - i > bestlen) {
				best = i;
				bestlen = j - i;
			}
			i = j;
		}
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				n += (size_t)snprintf(b + n, sizeof b - n, "::");
				i += bestlen - 1;
				continue;
			}
			if (i > 0 && !(best >= 0 && i == best + bestlen))
				b[n++] = ':';
			n += (size_t)snprintf(b + n, sizeof b - n, "%x", g[i]);
		}
		b[n] = 0;
	}
	if (cap > 0)
		snprintf(dst, cap, "%s", b);
	return n;
}

/* --- URL origin parsing (WHATWG URL standard, as the url crate) ------------- */

static void netpolicy_seterr(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

static bool netpolicy_is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool netpolicy_is_digit(char c) { return c >= '0' && c <= '9'; }
static char netpolicy_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static int netpolicy_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = netpolicy_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static uint16_t netpolicy_default_port(const char *scheme)
{
	if (!strcmp(scheme, "http") || !strcmp(scheme, "ws"))
		return 80;
	if (!strcmp(scheme, "https") || !strcmp(scheme, "wss"))
		return 443;
	if (!strcmp(scheme, "ftp"))
		return 21;
	return 0;
}

/* WHATWG IPv4 number: decimal, 0x hex, leading-0 octal. */
static bool netpolicy_v4_number(const char *p, size_t n, uint64_t *out)
{
	int base = 10;
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		n -= 2;
	} else if (n >= 2 && p[0] == '0') {
		base = 8;
		p++;
		n--;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = netpolicy_hexval(p[i]);
		if (d < 0 || d >= base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		if (v > 0xffffffffull * 256)
			v = 0xffffffffull * 256;   /* saturate: too big anyway */
	}
	*out = v;
	return true;
}

/* "Ends in a number": the last label (one trailing dot ignored) is all digits
 * or 0x-hex. */
static bool netpolicy_ends_in_number(const char *h, size_t n)
{
	if (n > 0 && h[n - 1] == '.')
		n--;
	size_t s = n;
	while (s > 0 && h[s - 1] != '.')
		s--;
	const char *l = h + s;
	size_t ln = n - s;
	if (ln == 0)
		return false;
	bool digits = true;
	for (size_t i = 0; i < ln; i++)
		digits = digits && netpolicy_is_digit(l[i]);
	if (digits)
		return true;
	if (ln >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
		for (size_t i = 2; i < ln; i++)
			if (netpolicy_hexval(l[i]) < 0)
				return false;
		return true;
	}
	return false;
}

static bool netpolicy_v4_whatwg(const char *h, size_t n, uint8_t out[4])
{
	uint64_t parts[4];
	size_t np = 0, start = 0;
	if (n > 0 && h[n - 1] == '.')
		n--;   /* one trailing dot is allowed */
	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (np == 4 || i == start)
				return false;
			if (!netpolicy_v4_number(h + start, i - start, &parts[np]))
				return false;
			np++;
			start = i + 1;
		}
	}
	if (np == 0)
		return false;
	for (size_t i = 0; i + 1 < np; i++)
		if (parts[i] > 255)
			return false;
	uint64_t last = parts[np - 1];
	if (last >= (1ull << (8 * (5 - np))))
		return false;
	uint64_t v = last;
	for (size_t i = 0; i + 1 < np; i++)
		v += parts[i] << (8 * (3 - i));
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
	return true;
}

static bool netpolicy_forbidden_host_char(unsigned char c, bool domain)
{
	if (c <= 0x20 || c == 0x7f)
		return true;
	if (domain && c == '%')
		return true;
	return strchr("#/:<>?@[\\]^|", c) != NULL;
}

/* Parse the host of a special URL into u (canonical form). */
static int netpolicy_host(const char *h, size_t n, bool special, netpolicy_url *u,
                          char *err, size_t errlen)
{
	u->host_is_ip = false;
	if (n > 0 && h[0] == '[') {
		if (n < 2 || h[n - 1] != ']' || !netpolicy_v6_parse(str_make(h + 1, n - 2), u->ip)) {
			netpolicy_seterr(err, errlen, "invalid IPv6 address");
			return ERR_INVAL;
		}
		char t[48];
		netpolicy_ip_format(u->ip, AF_INET6, t, sizeof t);
		snprintf(u->host, sizeof u->host, "[%s]", t);
		u->host_is_ip = true;
		u->family = AF_INET6;
		return 0;
	}
	char d[NETPOLICY_HOST_MAX];
	size_t dn = 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (special && c == '%' && i + 2 < n && netpolicy_hexval(h[i + 1]) >= 0 &&
		    netpolicy_hexval(h[i + 2]) >= 0) {
			c = (char)(netpolicy_hexval(h[i + 1]) * 16 + netpolicy_hexval(h[i + 2]));
			i += 2;
		}
		if (dn + 1 >= sizeof d) {
			netpolicy_seterr(err, errlen, "host too long");
			return ERR_INVAL;
		}
		d[dn++] = special ? netpolicy_lower(c) : c;
	}
	d[dn] = 0;
	for (size_t i = 0; i < dn; i++)
		if (netpolicy_forbidden_host_char((unsigned char)d[i], special)) {
			netpolicy_seterr(err, errlen, "invalid domain character");
			return ERR_INVAL;
		}
	if (special && netpolicy_ends_in_number(d, dn)) {
		if (!netpolicy_v4_whatwg(d, dn, u->ip)) {
			netpolicy_seterr(err, errlen, "invalid IPv4 address");
			return ERR_INVAL;
		}
		netpolicy_ip_format(u->ip, AF_INET, u->host, sizeof u->host);
		u->host_is_ip = true;
		u->family = AF_INET;
		return 0;
	}
	memcpy(u->host, d, dn + 1);
	return 0;
}

int netpolicy_url_parse(str in, netpolicy_url *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	/* strip leading/trailing C0 controls and spaces */
	while (in.n > 0 && (unsigned char)in.p[0] <= 0x20)
		in = str_slice(in, 1, in.n);
	while (in.n > 0 && (unsigned char)in.p[in.n - 1] <= 0x20)
		in.n--;
	/* tabs and newlines are removed anywhere */
	char *s = malloc(in.n + 1);
	if (!s) {
		netpolicy_seterr(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	size_t n = 0;
	for (size_t i = 0; i < in.n; i++)
		if (in.p[i] != '\t' && in.p[i] != '\n' && in.p[i] != '\r')
			s[n++] = in.p[i];
	s[n] = 0;

	int rc = ERR_INVAL;
	size_t i = 0;
	if (n == 0 || !netpolicy_is_alpha(s[0]))
		goto relative;
	while (i < n && (netpolicy_is_alpha(s[i]) || netpolicy_is_digit(s[i]) ||
	                 s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= n || s[i] != ':')
		goto relative;
	for (size_t k = 0; k < i && k + 1 < sizeof u->scheme; k++)
		u->scheme[k] = netpolicy_lower(s[k]);
	i++;   /* ':' */
	u->special = !strcmp(u->scheme, "http") || !strcmp(u->scheme, "https") ||
	             !strcmp(u->scheme, "ws") || !strcmp(u->scheme, "wss") ||
	             !strcmp(u->scheme, "ftp") || !strcmp(u->scheme, "file");
	if (!strcmp(u->scheme, "file")) {
		rc = 0;   /* hostless or not, a file URL never matches an origin */
		goto done;
	}
	if (u->special) {
		while (i < n && (s[i] == '/' || s[i] == '\\'))
			i++;
	} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
	} else {
		rc = 0;   /* "mailto:x", "urn:x": opaque, no host */
		goto done;
	}
	size_t a0 = i;
	while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#' && !(u->special && s[i] == '\\'))
		i++;
	size_t a1 = i;
	for (size_t k = a1; k > a0; k--)
		if (s[k - 1] == '@') {
			a0 = k;   /* drop the userinfo (last '@') */
			break;
		}
	/* host[:port]; ':' inside [...] belongs to the host */
	size_t hp = a0;
	bool br = false;
	while (hp < a1 && (br || s[hp] != ':')) {
		if (s[hp] == '[')
			br = true;
		else if (s[hp] == ']')
			br = false;
		hp++;
	}
	if (hp == a0 && u->special) {
		netpolicy_seterr(err, errlen, "empty host");
		goto done;
	}
	if ((rc = netpolicy_host(s + a0, hp - a0, u->special, u, err, errlen)) != 0)
		goto done;
	u->port = netpolicy_default_port(u->scheme);
	if (hp < a1) {
		size_t p0 = hp + 1;
		uint32_t v = 0;
		for (size_t k = p0; k < a1; k++) {
			if (!netpolicy_is_digit(s[k]) || (v = v * 10 + (uint32_t)(s[k] - '0')) > 65535) {
				netpolicy_seterr(err, errlen, "invalid port number");
				rc = ERR_INVAL;
				goto done;
			}
		}
		if (a1 > p0)
			u->port = (uint16_t)v;
	}
	rc = 0;
	goto done;
relative:
	netpolicy_seterr(err, errlen, "relative URL without a base");
	rc = ERR_INVAL;
done:
	free(s);
	if (rc)
		memset(u, 0, sizeof *u);
	return rc;
}

/* --- the policy --------------------------------------------------------------- */

int netpolicy_mode_parse(str s, netpolicy_mode *out)
{
	if (str_eq_cstr(s, "off"))
		*out = NETPOLICY_OFF;
	else if (str_eq_cstr(s, "deny_private"))
		*out = NETPOLICY_DENY_PRIVATE;
	else if (str_eq_cstr(s, "allowlist"))
		*out = NETPOLICY_ALLOWLIST;
	else
		return ERR_INVAL;
	return 0;
}

const char *netpolicy_mode_name(netpolicy_mode m)
{
	switch (m) {
	case NETPOLICY_OFF: return "off";
	case NETPOLICY_DENY_PRIVATE: return "deny_private";
	case NETPOLICY_ALLOWLIST: return "allowlist";
	}
	return "unknown";
}

/* Rust's {:?} of a str: quoted, with \" \\ \n \r \t \0 and \u{..} escapes. */
static void netpolicy_debug_str(str s, char *dst, size_t cap)
{
	size_t n = 0;
#define PUT(c) do { if (n + 1 < cap) dst[n++] = (c); } while (0)
	PUT('"');
	for (size_t i = 0; i < s.n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		const char *esc = NULL;
		char tmp[12];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\0': esc = "\\0"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(tmp, sizeof tmp, "\\u{%x}", c);
				esc = tmp;
			}
		}
		if (esc)
			for (; *esc; esc++)
				PUT(*esc);
		else
			PUT((char)c);
	}
	PUT('"');
#undef PUT
	if (cap)
		dst[n < cap ? n : cap - 1] = 0;
}

int netpolicy_build(netpolicy *p, netpolicy_mode mode, const str *allow, size_t n,
                    char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	if (mode != NETPOLICY_ALLOWLIST) {
		p->mode = mode;
		return 0;
	}
	if (n == 0) {
		netpolicy_seterr(err, errlen, "security.outbound_policy = \"allowlist\" requires at "
		                 "least one entry in security.outbound_allowlist");
		return ERR_INVAL;
	}
	netpolicy_url *urls = calloc(n, sizeof *urls);
	if (!urls) {
		netpolicy_seterr(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char uerr[64] = "";
		int rc = netpolicy_url_parse(allow[i], &urls[i], uerr, sizeof uerr);
		if (rc) {
			if (err && errlen) {
				char q[512];
				netpolicy_debug_str(allow[i], q, sizeof q);
				snprintf(err, errlen, "invalid URL in outbound_allowlist (%s): %s", q, uerr);
			}
			free(urls);
			return rc;
		}
	}
	p->mode = mode;
	p->n = n;
	p->allow = urls;
	return 0;
}

void netpolicy_free(netpolicy *p)
{
	if (!p)
		return;
	free(p->allow);
	memset(p, 0, sizeof *p);
}

static void netpolicy_reason(char *reason, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void netpolicy_reason(char *reason, size_t cap, const char *fmt, ...)
{
	if (!reason || !cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, cap, fmt, ap);
	va_end(ap);
}

int netpolicy_check_url(const netpolicy *p, str url, netpolicy_url *u, char *reason, size_t cap)
{
	netpolicy_url tmp;
	char perr[64] = "";
	if (!u)
		u = &tmp;
	int rc = netpolicy_url_parse(url, u, perr, sizeof perr);
	if (!p || p->mode == NETPOLICY_OFF)
		return 0;
	if (rc) {
		netpolicy_reason(reason, cap, "invalid URL: %s", perr);
		return ERR_FORBIDDEN;
	}
	if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0) {
		netpolicy_reason(reason, cap, "scheme '%s' is not allowed; only http/https", u->scheme);
		return ERR_FORBIDDEN;
	}
	if (p->mode == NETPOLICY_ALLOWLIST) {
		for (size_t i = 0; i < p->n; i++) {
			const netpolicy_url *a = &p->allow[i];
			if (!strcmp(a->scheme, u->scheme) && !strcmp(a->host, u->host) && a->port == u->port)
				return 0;
		}
		netpolicy_reason(reason, cap, "URL not in outbound allowlist (outbound_policy = \"allowlist\"; "
		                 "origin %s://%s:%u is not listed in security.outbound_allowlist)",
		                 u->scheme, u->host, (unsigned)u->port);
		return ERR_FORBIDDEN;
	}
	return 0;
}

bool netpolicy_needs_addr_check(const netpolicy *p, str host)
{
	uint8_t ip[16];
	int fam;
	return p && p->mode == NETPOLICY_DENY_PRIVATE && netpolicy_ip_parse(host, ip, &fam) != 0;
}

int netpolicy_check_addr(const netpolicy *p, str host, const struct sockaddr *sa,
                         char *reason, size_t cap)
{
	if (!netpolicy_needs_addr_check(p, host))
		return 0;
	netpolicy_class c = netpolicy_classify_sa(sa);
	if (!netpolicy_forbidden(c))
		return 0;
	char ip[48] = "?", emb[64] = "";
	uint8_t b[16], v4[4];
	if (sa && sa->sa_family == AF_INET) {
		memcpy(b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		netpolicy_ip_format(b, AF_INET, ip, sizeof ip);
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		netpolicy_ip_format(b, AF_INET6, ip, sizeof ip);
		if (netpolicy_v6_embedded_v4(b, v4)) {
			char t[16];
			netpolicy_ip_format(v4, AF_INET, t, sizeof t);
			snprintf(emb, sizeof emb, ", embedded IPv4 %s", t);
		}
	}
	netpolicy_reason(reason, cap,
		"host '%.*s' resolves to forbidden address %s (%s%s) under outbound_policy = "
		"\"deny_private\"; to reach a local model, write its literal IP in base_url "
		"(e.g. http://127.0.0.1:11434/v1) or set outbound_policy = \"off\" in [security]",
		(int)(host.n > 253 ? 253 : host.n), host.p ? host.p : "", ip, netpolicy_class_name(c), emb);
	return ERR_FORBIDDEN;
}
