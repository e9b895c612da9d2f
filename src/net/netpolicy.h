/* netpolicy.h — the outbound-destination policy of config.md [security]
 * (pure: no I/O, no clock, no globals; bytes in, verdicts out).
 *
 * Two parts:
 *  1. IP classification (IPv4 and IPv6 as raw bytes). Every address that is
 *     not globally routable unicast is "forbidden" under deny_private:
 *     loopback, unspecified, 0/8, RFC 1918, CGNAT 100.64/10, link-local,
 *     multicast, broadcast, 192.0.0/24, 198.18/15 and 2001:2::/48
 *     (benchmarking), 240/4, documentation ranges (192.0.2/24, 198.51.100/24,
 *     203.0.113/24, 2001:db8::/32, 3fff::/20), ULA fc00::/7, site-local
 *     fec0::/10, ::/96 (IPv4-compatible, deprecated), 100::/64 (discard) and
 *     64:ff9b:1::/48 (local-use NAT64). Addresses that carry an IPv4 address
 *     take the class of the embedded IPv4: IPv4-mapped ::ffff:0:0/96,
 *     IPv4-translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96 (decision: a
 *     NAT64 gateway would forward to the embedded address, so
 *     64:ff9b::a.b.c.d is as forbidden as a.b.c.d) and 6to4 2002::/16.
 *
 *  2. The policy (off / deny_private / allowlist) and the checks the HTTP
 *     client runs for each upstream URL, in this order:
 *       netpolicy_check_url()          structural: URL parses, scheme is
 *                                      http/https, origin is allow-listed;
 *       resolve the host (net/dns), then, if netpolicy_needs_addr_check(),
 *       netpolicy_check_addr()         on EVERY address it may connect to,
 *       and connect to exactly those addresses (no second resolution: that
 *       would reopen DNS rebinding).
 *     A base_url written with a literal IP is the operator's explicit choice
 *     and is never address-checked (config.md); names are checked on what
 *     they resolve to. Policy "off" allows everything (the MCP server). */
#ifndef NET_NETPOLICY_H
#define NET_NETPOLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "base/str.h"

/* --- IP classification ------------------------------------------------------- */

typedef enum netpolicy_class {
	NETPOLICY_PUBLIC = 0,       /* globally routable unicast: allowed */
	NETPOLICY_LOOPBACK,         /* 127/8, ::1 */
	NETPOLICY_UNSPECIFIED,      /* 0.0.0.0, :: */
	NETPOLICY_THIS_NETWORK,     /* 0/8 except 0.0.0.0 */
	NETPOLICY_PRIVATE,          /* RFC 1918: 10/8, 172.16/12, 192.168/16 */
	NETPOLICY_CGNAT,            /* 100.64/10 (RFC 6598) */
	NETPOLICY_LINK_LOCAL,       /* 169.254/16, fe80::/10 */
	NETPOLICY_MULTICAST,        /* 224/4, ff00::/8 */
	NETPOLICY_BROADCAST,        /* 255.255.255.255 */
	NETPOLICY_IETF,             /* 192.0.0/24 (IETF protocol assignments) */
	NETPOLICY_BENCHMARK,        /* 198.18/15, 2001:2::/48 */
	NETPOLICY_DOCUMENTATION,    /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20 */
	NETPOLICY_RESERVED,         /* 240/4 except broadcast; ::/96 (IPv4-compatible); 100::/64 */
	NETPOLICY_ULA,              /* fc00::/7 */
	NETPOLICY_SITE_LOCAL,       /* fec0::/10 (deprecated) */
	NETPOLICY_NAT64_LOCAL,      /* 64:ff9b:1::/48 (RFC 8215 local-use) */
	NETPOLICY__COUNT
} netpolicy_class;

/* ip: 4 bytes in network order. */
netpolicy_class netpolicy_classify_v4(const uint8_t ip[4]);
/* ip: 16 bytes in network order. Embedded-IPv4 forms return the class of the
 * embedded address (::ffff:127.0.0.1 -> NETPOLICY_LOOPBACK). */
netpolicy_class netpolicy_classify_v6(const uint8_t ip[16]);
/* AF_INET / AF_INET6 sockaddr; anything else is NETPOLICY_RESERVED. */
netpolicy_class netpolicy_classify_sa(const struct sockaddr *sa);
/* If ip carries an IPv4 address (mapped, translated, NAT64 64:ff9b::/96,
 * 6to4), copy it to v4 and return true. */
bool netpolicy_v6_embedded_v4(const uint8_t ip[16], uint8_t v4[4]);
/* Everything but NETPOLICY_PUBLIC. */
static inline bool netpolicy_forbidden(netpolicy_class c) { return c != NETPOLICY_PUBLIC; }
/* "public", "loopback", "private (RFC 1918)", ... (static, never NULL). */
const char *netpolicy_class_name(netpolicy_class c);

/* Strict IP literal parse: dotted-quad IPv4 (4 decimal parts), or IPv6 with
 * or without brackets (no zone). *family = AF_INET (4 bytes written) or
 * AF_INET6 (16 bytes). 0 or ERR_INVAL. */
int netpolicy_ip_parse(str s, uint8_t out[16], int *family);
/* Canonical text: "1.2.3.4", or RFC 5952 "2001:db8::1" (no brackets; IPv4
 * embedded forms are written in hex like the WHATWG URL serializer).
 * Returns the length; always NUL-terminates (cap >= 46 is enough). */
size_t netpolicy_ip_format(const uint8_t *ip, int family, char *dst, size_t cap);

/* --- URLs (the origin part, WHATWG-style like upstream's url crate) -------- */

#define NETPOLICY_HOST_MAX 256

typedef struct netpolicy_url {
	char scheme[32];                 /* lower-case */
	char host[NETPOLICY_HOST_MAX];   /* canonical: lower-case name, "1.2.3.4" or "[2001:db8::1]";
	                                    "" for hostless URLs ("mailto:x", "file:///p") */
	uint16_t port;                   /* explicit port, else the scheme's default, else 0 */
	bool special;                    /* http, https, ws, wss, ftp, file */
	bool host_is_ip;
	int family;                      /* AF_INET / AF_INET6 when host_is_ip */
	uint8_t ip[16];                  /* when host_is_ip */
} netpolicy_url;

/* Parse the scheme and authority of an absolute URL (path, query and fragment
 * are ignored but must not make it invalid). Follows the WHATWG URL rules the
 * upstream url crate implements: "HTTP://Example.COM:8443/x" -> scheme
 * "http", host "example.com", port 8443; numeric hosts in any IPv4 form
 * ("0x7f.1") become dotted quads. On failure returns ERR_INVAL and err gets
 * the url crate's text: "relative URL without a base", "empty host",
 * "invalid port number", "invalid IPv4 address", "invalid IPv6 address",
 * "invalid domain character". */
int netpolicy_url_parse(str s, netpolicy_url *u, char *err, size_t errlen);

/* --- the policy --------------------------------------------------------------- */

typedef enum netpolicy_mode {
	NETPOLICY_OFF = 0,
	NETPOLICY_DENY_PRIVATE,
	NETPOLICY_ALLOWLIST
} netpolicy_mode;

/* Zero-initialised = "off". Immutable once built: share it read-only between
 * threads. */
typedef struct netpolicy {
	netpolicy_mode mode;
	size_t n;                 /* allowlist entries (mode ALLOWLIST) */
	netpolicy_url *allow;     /* owned */
} netpolicy;

/* "off" | "deny_private" | "allowlist" (exact, as in the TOML). 0 or ERR_INVAL. */
int netpolicy_mode_parse(str s, netpolicy_mode *out);
const char *netpolicy_mode_name(netpolicy_mode m);

/* Build a policy (cli.md step 5). For ALLOWLIST every entry must parse, and
 * there must be at least one; errors (ERR_INVAL, err filled, exact texts):
 *   security.outbound_policy = "allowlist" requires at least one entry in security.outbound_allowlist
 *   invalid URL in outbound_allowlist ("<entry, Rust-debug-escaped>"): <url error>
 * Entries are ignored for the other modes. 0, ERR_INVAL or ERR_NOMEM.
 * p is overwritten (free an old one first). */
int netpolicy_build(netpolicy *p, netpolicy_mode mode, const str *allowlist, size_t n,
                    char *err, size_t errlen);
void netpolicy_free(netpolicy *p);   /* NULL-safe; leaves p "off" */

/* Structural check of an upstream URL. 0 = may proceed (u filled when not
 * NULL; for "off" the URL is parsed when possible but never refused);
 * ERR_FORBIDDEN with reason filled:
 *   invalid URL: <url error>
 *   scheme '<s>' is not allowed; only http/https
 *   URL not in outbound allowlist (outbound_policy = "allowlist"; origin <o> is not listed in security.outbound_allowlist)
 * The caller reports "outbound request to <url> forbidden: <reason>". */
int netpolicy_check_url(const netpolicy *p, str url, netpolicy_url *u, char *reason, size_t cap);

/* True when the resolved addresses of host must go through
 * netpolicy_check_addr: mode is deny_private and host (brackets allowed) is
 * not an IP literal. */
bool netpolicy_needs_addr_check(const netpolicy *p, str host);

/* Check one resolved address of host (the name, for the message). 0 when
 * allowed (or when the policy does not check addresses), ERR_FORBIDDEN with
 * reason:
 *   host '<host>' resolves to forbidden address <ip> (<class>) under outbound_policy = "deny_private"; to reach a local model, write its literal IP in base_url (e.g. http://127.0.0.1:11434/v1) or set outbound_policy = "off" in [security]
 * Refuse the whole request when any address of the name is refused. */
int netpolicy_check_addr(const netpolicy *p, str host, const struct sockaddr *sa,
                         char *reason, size_t cap);

#endif
