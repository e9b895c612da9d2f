/* http_proxy.h — outbound HTTP proxy settings for the upstream client
 * (http/http_client): which proxy, if any, carries a request to a given
 * destination. Built once at start-up (main.c: http_proxy_from_env), then
 * immutable and shared read-only by every worker's client.
 *
 * Environment (read once by http_proxy_from_env, never per request):
 *   https URLs:  https_proxy, else HTTPS_PROXY
 *   http URLs:   http_proxy,  else HTTP_PROXY
 *   bypass list: no_proxy,    else NO_PROXY
 * The lower-case name wins when both are set and non-empty (curl, wget and
 * Python do the same); an empty value means "unset". ALL_PROXY is not read.
 *
 * Proxy URL: [http://][user[:password]@]host[:port][/]. Only plain-HTTP
 * proxies (the usual corporate forward proxy): https URLs go through a
 * CONNECT tunnel, http URLs are sent in absolute-form. Other schemes
 * (https://, socks5://) are a start-up error. The port defaults to 80.
 * user/password are percent-decoded and sent as
 * "Proxy-Authorization: Basic base64(user:password)".
 * The credentials live only in http_proxy_server.auth; nothing here logs
 * them (main.c may register auth + 6 with log_add_secret for redaction).
 * The proxy's own address is the operator's choice: it is exempt from the
 * outbound policy (net/netpolicy.h); the destination is not.
 *
 * NO_PROXY: a list separated by commas and/or white space. Entries:
 *   "*"                      every destination goes direct;
 *   "example.com", ".example.com", "*.example.com"
 *                            that name and every name under it (the leading
 *                            "." or "*." is ignored, as curl does); names
 *                            are compared case-insensitively, a trailing dot
 *                            ignored; no DNS lookup is ever made;
 *   "10.1.2.3", "::1", "[::1]"   a destination written as that IP literal;
 *   "10.0.0.0/8", "fd00::/8"     a destination IP literal inside the block;
 *   any of the above with ":port" ("[::1]:8080", "example.com:8443")
 *                            only for that destination port.
 * A name never matches an IP entry (no resolution): "localhost" and
 * "127.0.0.1" are different entries. Entries that cannot be read (bad
 * characters, prefix out of range) are skipped and counted in nskipped so
 * the caller can warn. */
#ifndef HTTP_HTTP_PROXY_H
#define HTTP_HTTP_PROXY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/str.h"
#include "net/netpolicy.h"

/* One proxy. */
typedef struct http_proxy_server {
	bool set;                          /* false: no proxy for this scheme */
	char host[NETPOLICY_HOST_MAX];     /* lower-case name, dotted quad or "[v6]" */
	uint16_t port;
	char *auth;                        /* "Basic <b64>" (Proxy-Authorization value) or NULL; owned */
	char display[NETPOLICY_HOST_MAX + 16]; /* "http://host:port" for messages: never credentials */
} http_proxy_server;

enum { HTTP_PROXY_RULE_DOMAIN = 1, HTTP_PROXY_RULE_IP, HTTP_PROXY_RULE_CIDR };

/* One NO_PROXY entry (other than "*"). */
typedef struct http_proxy_rule {
	int kind;                          /* HTTP_PROXY_RULE_* */
	uint16_t port;                     /* 0 = any port */
	int family;                        /* IP / CIDR: AF_INET or AF_INET6 */
	unsigned prefix;                   /* CIDR prefix length (IP: 32 / 128) */
	uint8_t ip[16];
	char *domain;                      /* DOMAIN: lower-case, no leading/trailing dot; owned */
} http_proxy_rule;

/* Zero-initialised = no proxy at all. Immutable once built. */
typedef struct http_proxy {
	http_proxy_server http;            /* for http:// destinations */
	http_proxy_server https;           /* for https:// destinations (CONNECT) */
	bool no_all;                       /* NO_PROXY contains "*" */
	size_t nrules;
	http_proxy_rule *rules;            /* owned */
	size_t nskipped;                   /* NO_PROXY entries that could not be read */
} http_proxy;

/* Build from explicit values (pure: no environment). Each of http_url,
 * https_url, no_proxy may be NULL or "" (unset). p is overwritten (free an old
 * one first). 0, ERR_INVAL (a proxy URL is unusable; err gets
 * "invalid <what> proxy URL '<url without credentials>': <reason>"),
 * ERR_UNSUPPORTED (scheme other than http) or ERR_NOMEM. On error p is left
 * empty. */
int http_proxy_build(http_proxy *p, const char *http_url, const char *https_url,
                     const char *no_proxy, char *err, size_t errlen);

/* Read the environment (see the top of this file) once and build. Error texts
 * name the variable: "invalid HTTPS_PROXY 'http://host:x': invalid port".
 * Call at start-up, before worker threads start. */
int http_proxy_from_env(http_proxy *p, char *err, size_t errlen);

/* Release what p owns and leave it empty. NULL-safe. */
void http_proxy_free(http_proxy *p);

/* True when NO_PROXY says host:port goes direct. host as in a URL (canonical
 * from http_client_url_parse: lower-case name, dotted quad or "[v6]"; other
 * spellings are accepted: case and a trailing dot are ignored, brackets
 * optional). */
bool http_proxy_bypass(const http_proxy *p, str host, uint16_t port);

/* The proxy for a destination, or NULL (direct): NULL when p is NULL, no
 * proxy is set for the scheme, or NO_PROXY matches. */
const http_proxy_server *http_proxy_select(const http_proxy *p, bool https, str host, uint16_t port);

/* Canonical form of a URL host (shared with http_client_url_parse): a name
 * (letters, digits, '-', '_', '.'; labels 1..63, total <= 253, one trailing
 * dot kept) lower-cased; "[v6]" in RFC 5952 form; a host whose last label is
 * a number must be a strict dotted quad ("127.1", "0x7f.1" are refused, so a
 * name can never be read as an address by one parser and a name by another).
 * *is_ip says which. 0 or ERR_INVAL with err ("invalid IPv4 address ...",
 * "invalid IPv6 address", "invalid host name", "empty host"). */
int http_proxy_host_canon(str host, char out[NETPOLICY_HOST_MAX], bool *is_ip, char *err, size_t errlen);

/* Parse one NO_PROXY entry (trimmed, non-empty, not "*"). 0 or ERR_INVAL.
 * On success r->domain (DOMAIN rules) is malloc'd: free it. Exposed for tests. */
int http_proxy_rule_parse(str entry, http_proxy_rule *r);

#endif
