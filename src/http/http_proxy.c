/* http_proxy.c — proxy settings from the environment (HTTP(S)_PROXY,
 * NO_PROXY), proxy URL parsing with Basic credentials, and the NO_PROXY
 * matcher (names by suffix, IP literals, CIDR blocks, optional ports). */
#include "http/http_proxy.h"
#include "http/http_parse.h"
#include "base/b64.h"
#include "base/ct.h"
#include "base/err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static char http_proxy_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool http_proxy_digits(str s, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;
	if (s.n == 0 || s.n > 10)
		return false;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s.p[i] - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static bool http_proxy_port(str s, uint16_t *port)
{
	uint32_t v;
	if (!http_proxy_digits(s, 65535, &v) || v == 0)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* Lower-case name check: letters, digits, '-', '_', '.', no empty label (a
 * single trailing dot allowed), labels up to 63, total up to 253 (+ dot). */
static bool http_proxy_name_ok(str h)
{
	size_t n = h.n;
	if (n && h.p[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = h.p[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

/* WHATWG "ends in a number": the last label (a trailing dot ignored) is all
 * decimal digits or 0x followed by hex digits. Such a host must be an IPv4
 * address. */
static bool http_proxy_ends_in_number(str h)
{
	size_t n = h.n;
	if (n && h.p[n - 1] == '.')
		n--;
	size_t s = n;
	while (s > 0 && h.p[s - 1] != '.')
		s--;
	str last = str_make(h.p + s, n - s);
	if (last.n == 0)
		return false;
	bool dec = true;
	for (size_t i = 0; i < last.n; i++)
		if (last.p[i] < '0' || last.p[i] > '9')
			dec = false;
	if (dec)
		return true;
	if (last.n >= 2 && last.p[0] == '0' && (last.p[1] == 'x' || last.p[1] == 'X')) {
		for (size_t i = 2; i < last.n; i++) {
			char c = http_proxy_lower(last.p[i]);
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
				return false;
		}
		return true;
	}
	return false;
}

int http_proxy_host_canon(str host, char out[NETPOLICY_HOST_MAX], bool *is_ip, char *err, size_t errlen)
{
	uint8_t ip[16];
	int fam;
	*is_ip = false;
	out[0] = 0;
	if (host.n == 0) {
		snprintf(err, errlen, "empty host");
		return ERR_INVAL;
	}
	if (host.p[0] == '[') {
		if (host.n < 3 || host.p[host.n - 1] != ']' ||
		    netpolicy_ip_parse(str_make(host.p + 1, host.n - 2), ip, &fam) || fam != AF_INET6) {
			snprintf(err, errlen, "invalid IPv6 address");
			return ERR_INVAL;
		}
		char t[64];
		netpolicy_ip_format(ip, AF_INET6, t, sizeof t);
		snprintf(out, NETPOLICY_HOST_MAX, "[%s]", t);
		*is_ip = true;
		return 0;
	}
	if (http_proxy_ends_in_number(host)) {
		if (netpolicy_ip_parse(host, ip, &fam) || fam != AF_INET) {
			snprintf(err, errlen, "invalid IPv4 address (write it as four decimal numbers, e.g. 127.0.0.1)");
			return ERR_INVAL;
		}
		memcpy(out, host.p, host.n);   /* strict form (no leading zeros) is canonical */
		out[host.n] = 0;
		*is_ip = true;
		return 0;
	}
	if (!http_proxy_name_ok(host)) {
		snprintf(err, errlen, "invalid host name");
		return ERR_INVAL;
	}
	for (size_t i = 0; i < host.n; i++)
		out[i] = http_proxy_lower(host.p[i]);
	out[host.n] = 0;
	return 0;
}

/* ---- proxy URLs ----------------------------------------------------------------- */

/* Copy of url without its userinfo, for messages. */
static void http_proxy_redact(str url, char *dst, size_t cap)
{
	str rest = url, scheme = STR_NULL;
	ptrdiff_t k = str_find(url, STR_LIT("://"));
	if (k >= 0) {
		scheme = str_make(url.p, (size_t)k + 3);
		rest = str_slice(url, (size_t)k + 3, url.n);
	}
	ptrdiff_t slash = str_index(rest, '/');
	str auth = slash >= 0 ? str_make(rest.p, (size_t)slash) : rest;
	size_t at = 0;
	bool has_at = false;
	for (size_t i = 0; i < auth.n; i++)
		if (auth.p[i] == '@') {
			at = i + 1;
			has_at = true;
		}
	snprintf(dst, cap, "%.*s%s%.*s", (int)scheme.n, scheme.p ? scheme.p : "", has_at ? "***@" : "",
	         (int)(rest.n - at), rest.p + at);
}

static int http_proxy_server_parse(http_proxy_server *s, const char *what, const char *url,
                                   char *err, size_t errlen)
{
	char red[300], why[160] = "";
	int rc = ERR_INVAL;
	str u = str_trim(str_from(url));
	memset(s, 0, sizeof *s);
	if (u.n == 0)
		return 0;
	for (size_t i = 0; i < u.n; i++)
		if ((unsigned char)u.p[i] <= 0x20 || u.p[i] == 0x7f) {
			snprintf(why, sizeof why, "control character or space");
			goto fail;
		}
	str rest = u;
	ptrdiff_t k = str_find(u, STR_LIT("://"));
	if (k >= 0) {
		str scheme = str_make(u.p, (size_t)k);
		if (!str_eq_nocase(scheme, STR_LIT("http"))) {
			snprintf(why, sizeof why, "proxy scheme '%.*s' is not supported (only http:// proxies)",
			         (int)(scheme.n > 32 ? 32 : scheme.n), scheme.p);
			rc = ERR_UNSUPPORTED;
			goto fail;
		}
		rest = str_slice(u, (size_t)k + 3, u.n);
	}
	ptrdiff_t slash = str_index(rest, '/');
	str auth = rest;
	if (slash >= 0) {
		auth = str_make(rest.p, (size_t)slash);
		if (rest.n - (size_t)slash > 1) {
			snprintf(why, sizeof why, "a proxy URL has no path");
			goto fail;
		}
	}
	str userinfo = STR_NULL, hostport = auth;
	for (size_t i = auth.n; i > 0; i--)
		if (auth.p[i - 1] == '@') {
			userinfo = str_make(auth.p, i - 1);
			hostport = str_slice(auth, i, auth.n);
			break;
		}
	/* host[:port], ':' inside [...] belongs to the host */
	str host = hostport, port = STR_NULL;
	size_t hp = 0;
	bool br = false;
	while (hp < hostport.n && (br || hostport.p[hp] != ':')) {
		if (hostport.p[hp] == '[')
			br = true;
		else if (hostport.p[hp] == ']')
			br = false;
		hp++;
	}
	if (hp < hostport.n) {
		host = str_make(hostport.p, hp);
		port = str_slice(hostport, hp + 1, hostport.n);
	}
	bool is_ip;
	if (http_proxy_host_canon(host, s->host, &is_ip, why, sizeof why))
		goto fail;
	s->port = 80;
	if (port.p && port.n && !http_proxy_port(port, &s->port)) {
		snprintf(why, sizeof why, "invalid port");
		goto fail;
	}
	if (userinfo.p) {
		char cred[512];
		size_t ul = 0, pl = 0;
		str user = userinfo, pass = STR_NULL;
		str_cut(userinfo, ':', &user, &pass);
		if (http_parse_pct_decode(user, cred, sizeof cred - 1, 0, &ul) ||
		    http_parse_pct_decode(pass, cred + ul + 1, sizeof cred - ul - 1, 0, &pl)) {
			ct_wipe(cred, sizeof cred);
			snprintf(why, sizeof why, "bad percent-encoding or over-long credentials");
			goto fail;
		}
		cred[ul] = ':';
		size_t n = ul + 1 + pl;
		size_t need = 6 + b64_enc_len(n, B64_STD) + 1;
		s->auth = malloc(need);
		if (!s->auth) {
			ct_wipe(cred, sizeof cred);
			rc = ERR_NOMEM;
			snprintf(why, sizeof why, "out of memory");
			goto fail;
		}
		memcpy(s->auth, "Basic ", 6);
		b64_encode(cred, n, B64_STD, s->auth + 6, need - 6, NULL);
		ct_wipe(cred, sizeof cred);
	}
	snprintf(s->display, sizeof s->display, "http://%s:%u", s->host, (unsigned)s->port);
	s->set = true;
	return 0;
fail:
	http_proxy_redact(u, red, sizeof red);
	snprintf(err, errlen, "invalid %s '%s': %s", what, red, why);
	free(s->auth);
	memset(s, 0, sizeof *s);
	return rc;
}

/* ---- NO_PROXY ------------------------------------------------------------------------ */

int http_proxy_rule_parse(str e, http_proxy_rule *r)
{
	memset(r, 0, sizeof *r);
	str host = e, port = STR_NULL, prefix = STR_NULL;
	if (e.n == 0)
		return ERR_INVAL;
	if (e.p[0] == '[') {
		ptrdiff_t close = str_index(e, ']');
		if (close < 0)
			return ERR_INVAL;
		host = str_make(e.p + 1, (size_t)close - 1);
		str after = str_slice(e, (size_t)close + 1, e.n);
		if (after.n) {
			if (after.p[0] == ':')
				port = str_slice(after, 1, after.n);
			else if (after.p[0] == '/')
				prefix = str_slice(after, 1, after.n);
			else
				return ERR_INVAL;
			if ((port.p && port.n == 0) || (prefix.p && prefix.n == 0))
				return ERR_INVAL;
		}
	} else {
		ptrdiff_t sl = str_index(e, '/');
		if (sl >= 0) {
			host = str_make(e.p, (size_t)sl);
			prefix = str_slice(e, (size_t)sl + 1, e.n);
		} else {
			size_t colons = 0, last = 0;
			for (size_t i = 0; i < e.n; i++)
				if (e.p[i] == ':') {
					colons++;
					last = i;
				}
			if (colons == 1) {
				host = str_make(e.p, last);
				port = str_slice(e, last + 1, e.n);
			}
		}
	}
	if (port.p && !http_proxy_port(port, &r->port))
		return ERR_INVAL;
	if (netpolicy_ip_parse(host, r->ip, &r->family) == 0) {
		unsigned max = r->family == AF_INET ? 32 : 128;
		r->kind = HTTP_PROXY_RULE_IP;
		r->prefix = max;
		if (prefix.p) {
			uint32_t v;
			if (!http_proxy_digits(prefix, max, &v))
				return ERR_INVAL;
			r->kind = HTTP_PROXY_RULE_CIDR;
			r->prefix = v;
		}
		return 0;
	}
	if (prefix.p)
		return ERR_INVAL;
	if (str_starts_with(host, STR_LIT("*.")))
		host = str_slice(host, 2, host.n);
	else if (host.n && host.p[0] == '.')
		host = str_slice(host, 1, host.n);
	if (host.n && host.p[host.n - 1] == '.')
		host.n--;
	if (!http_proxy_name_ok(host))
		return ERR_INVAL;
	r->domain = malloc(host.n + 1);
	if (!r->domain)
		return ERR_NOMEM;
	for (size_t i = 0; i < host.n; i++)
		r->domain[i] = http_proxy_lower(host.p[i]);
	r->domain[host.n] = 0;
	r->kind = HTTP_PROXY_RULE_DOMAIN;
	return 0;
}

static bool http_proxy_is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int http_proxy_no_parse(http_proxy *p, const char *list)
{
	str s = str_from(list);
	size_t cap = 0;
	for (size_t i = 0; i < s.n;) {
		while (i < s.n && http_proxy_is_sep(s.p[i]))
			i++;
		size_t j = i;
		while (j < s.n && !http_proxy_is_sep(s.p[j]))
			j++;
		if (j == i)
			break;
		str e = str_make(s.p + i, j - i);
		i = j;
		if (str_eq(e, STR_LIT("*"))) {
			p->no_all = true;
			continue;
		}
		if (p->nrules == cap) {
			size_t nc = cap ? cap * 2 : 8;
			http_proxy_rule *nr = realloc(p->rules, nc * sizeof *nr);
			if (!nr)
				return ERR_NOMEM;
			p->rules = nr;
			cap = nc;
		}
		int rc = http_proxy_rule_parse(e, &p->rules[p->nrules]);
		if (rc == ERR_NOMEM)
			return rc;
		if (rc)
			p->nskipped++;
		else
			p->nrules++;
	}
	return 0;
}

int http_proxy_build(http_proxy *p, const char *http_url, const char *https_url,
                     const char *no_proxy, char *err, size_t errlen)
{
	int rc;
	memset(p, 0, sizeof *p);
	if ((rc = http_proxy_server_parse(&p->http, "HTTP_PROXY", http_url, err, errlen)) ||
	    (rc = http_proxy_server_parse(&p->https, "HTTPS_PROXY", https_url, err, errlen)))
		goto fail;
	if ((rc = http_proxy_no_parse(p, no_proxy)) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	http_proxy_free(p);
	return rc;
}

static const char *http_proxy_env(const char *lower, const char *upper)
{
	const char *v = getenv(lower);
	if (v && *v)
		return v;
	v = getenv(upper);
	return v && *v ? v : NULL;
}

int http_proxy_from_env(http_proxy *p, char *err, size_t errlen)
{
	const char *h = http_proxy_env("http_proxy", "HTTP_PROXY");
	const char *hs = http_proxy_env("https_proxy", "HTTPS_PROXY");
	const char *np = http_proxy_env("no_proxy", "NO_PROXY");
	char e[400] = "";
	int rc = http_proxy_build(p, h, hs, np, e, sizeof e);
	if (rc && err && errlen) {
		/* name the variable actually read */
		const char *var = NULL;
		if (!strncmp(e, "invalid HTTP_PROXY", 18))
			var = getenv("http_proxy") && *getenv("http_proxy") ? "http_proxy" : "HTTP_PROXY";
		else if (!strncmp(e, "invalid HTTPS_PROXY", 19))
			var = getenv("https_proxy") && *getenv("https_proxy") ? "https_proxy" : "HTTPS_PROXY";
		if (var) {
			const char *tail = strchr(e + 8, ' ');
			snprintf(err, errlen, "invalid %s%s", var, tail ? tail : "");
		} else {
			snprintf(err, errlen, "%s", e);
		}
	}
	return rc;
}

void http_proxy_free(http_proxy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].domain);
	free(p->rules);
	if (p->http.auth)
		ct_wipe(p->http.auth, strlen(p->http.auth));
	if (p->https.auth)
		ct_wipe(p->https.auth, strlen(p->https.auth));
	free(p->http.auth);
	free(p->https.auth);
	memset(p, 0, sizeof *p);
}

static bool http_proxy_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rem = bits % 8;
	if (memcmp(a, b, full))
		return false;
	if (!rem)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rem));
	return (a[full] & m) == (b[full] & m);
}

bool http_proxy_bypass(const http_proxy *p, str host, uint16_t port)
{
	if (!p)
		return false;
	if (p->no_all)
		return true;
	if (p->nrules == 0 || host.n == 0)
		return false;
	str bare = host;
	if (bare.n >= 2 && bare.p[0] == '[' && bare.p[bare.n - 1] == ']')
		bare = str_make(bare.p + 1, bare.n - 2);
	uint8_t ip[16];
	int fam;
	bool is_ip = netpolicy_ip_parse(bare, ip, &fam) == 0;
	if (!is_ip && bare.n && bare.p[bare.n - 1] == '.')
		bare.n--;
	for (size_t i = 0; i < p->nrules; i++) {
		const http_proxy_rule *r = &p->rules[i];
		if (r->port && r->port != port)
			continue;
		if (r->kind == HTTP_PROXY_RULE_DOMAIN) {
			if (is_ip)
				continue;
			str d = str_from(r->domain);
			if (str_eq_nocase(bare, d))
				return true;
			if (bare.n > d.n && bare.p[bare.n - d.n - 1] == '.' &&
			    str_eq_nocase(str_make(bare.p + bare.n - d.n, d.n), d))
				return true;
		} else if (is_ip && fam == r->family &&
		           http_proxy_prefix_eq(ip, r->ip, r->prefix)) {
			return true;
		}
	}
	return false;
}

const http_proxy_server *http_proxy_select(const http_proxy *p, bool https, str host, uint16_t port)
{
	if (!p)
		return NULL;
	const http_proxy_server *s = https ? &p->https : &p->http;
	if (!s->set || http_proxy_bypass(p, host, port))
		return NULL;
	return s;
}
