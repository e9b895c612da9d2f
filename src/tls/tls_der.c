/* tls_der.c — a small strict DER walker for the certificate fields listed in
 * tls_der.h. Single-byte tags, definite lengths only, every length checked
 * against what remains. */
#include "tls/tls_der.h"
#include "base/err.h"
#include <arpa/inet.h>
#include <string.h>

typedef struct der_rd {
	const uint8_t *p, *end;
} der_rd;

/* Read one TLV. 0 with tag/val/len set (r advanced past it), ERR_INVAL. */
static int der_next(der_rd *r, unsigned *tag, const uint8_t **val, size_t *len)
{
	if (r->end - r->p < 2)
		return ERR_INVAL;
	unsigned t = r->p[0];
	if ((t & 0x1f) == 0x1f)
		return ERR_INVAL;       /* high tag numbers do not occur here */
	size_t l = r->p[1];
	const uint8_t *q = r->p + 2;
	if (l & 0x80) {
		size_t k = l & 0x7f;
		if (k == 0 || k > 4 || (size_t)(r->end - q) < k)
			return ERR_INVAL;   /* indefinite or absurd length */
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = (l << 8) | q[i];
		q += k;
		if (l < 0x80)
			return ERR_INVAL;   /* not minimal: not DER */
	}
	if ((size_t)(r->end - q) < l)
		return ERR_INVAL;
	*tag = t;
	*val = q;
	*len = l;
	r->p = q + l;
	return 0;
}

/* Read one TLV that must have tag want. */
static int der_expect(der_rd *r, unsigned want, const uint8_t **val, size_t *len)
{
	unsigned t;
	if (der_next(r, &t, val, len) || t != want)
		return ERR_INVAL;
	return 0;
}

size_t tls_der_tlv_len(const void *der, size_t n)
{
	der_rd r = { der, (const uint8_t *)der + n };
	unsigned t;
	const uint8_t *v;
	size_t l;
	if (der_next(&r, &t, &v, &l))
		return 0;
	return (size_t)(r.p - (const uint8_t *)der);
}

static int dig2(const uint8_t *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280
 * requires them (seconds present, "Z", no fraction). */
static int der_time(unsigned tag, const uint8_t *v, size_t n, int64_t *out)
{
	int year;
	if (tag == 0x17 && n == 13) {
		int yy = dig2(v);
		if (yy < 0)
			return ERR_INVAL;
		year = yy < 50 ? 2000 + yy : 1900 + yy;
		v += 2;
	} else if (tag == 0x18 && n == 15) {
		int c = dig2(v), yy = dig2(v + 2);
		if (c < 0 || yy < 0)
			return ERR_INVAL;
		year = c * 100 + yy;
		v += 4;
	} else {
		return ERR_INVAL;
	}
	int mo = dig2(v), d = dig2(v + 2), h = dig2(v + 4), mi = dig2(v + 6), s = dig2(v + 8);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59
	    || s < 0 || s > 60 || v[10] != 'Z')
		return ERR_INVAL;
	*out = days_from_civil(year, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };   /* 2.5.29.17 */

static int der_extensions(const uint8_t *v, size_t n, tls_der_cert *out)
{
	der_rd exts = { v, v + n };
	while (exts.p < exts.end) {
		const uint8_t *ev, *oid, *val;
		size_t en, oidn, valn;
		unsigned t;
		if (der_expect(&exts, 0x30, &ev, &en))
			return ERR_INVAL;
		der_rd e = { ev, ev + en };
		if (der_expect(&e, 0x06, &oid, &oidn) || der_next(&e, &t, &val, &valn))
			return ERR_INVAL;
		if (t == 0x01 && der_next(&e, &t, &val, &valn))  /* critical flag */
			return ERR_INVAL;
		if (t != 0x04 || e.p != e.end)
			return ERR_INVAL;
		if (oidn == sizeof oid_san && !memcmp(oid, oid_san, oidn)) {
			if (out->san)
				return ERR_INVAL;   /* twice: RFC 5280 forbids it */
			der_rd s = { val, val + valn };
			const uint8_t *gv;
			size_t gn;
			if (der_expect(&s, 0x30, &gv, &gn) || s.p != s.end)
				return ERR_INVAL;
			out->san = gv;
			out->san_len = gn;
		}
	}
	return 0;
}

int tls_der_cert_parse(const void *der, size_t n, tls_der_cert *out)
{
	memset(out, 0, sizeof *out);
	der_rd r = { der, (const uint8_t *)der + n };
	const uint8_t *v;
	size_t l;
	unsigned t;
	if (der_expect(&r, 0x30, &v, &l) || r.p != r.end)
		return ERR_INVAL;   /* exactly one certificate, nothing after it */
	der_rd cert = { v, v + l };
	if (der_expect(&cert, 0x30, &v, &l))   /* tbsCertificate */
		return ERR_INVAL;
	der_rd tbs = { v, v + l };
	if (der_next(&tbs, &t, &v, &l))
		return ERR_INVAL;
	if (t == 0xa0 && der_next(&tbs, &t, &v, &l))   /* [0] version */
		return ERR_INVAL;
	if (t != 0x02)                                 /* serialNumber */
		return ERR_INVAL;
	if (der_expect(&tbs, 0x30, &v, &l))            /* signature AlgorithmIdentifier */
		return ERR_INVAL;
	const uint8_t *at = tbs.p;
	if (der_expect(&tbs, 0x30, &v, &l))            /* issuer */
		return ERR_INVAL;
	out->issuer = at;
	out->issuer_len = (size_t)(tbs.p - at);
	if (der_expect(&tbs, 0x30, &v, &l))            /* validity */
		return ERR_INVAL;
	der_rd val = { v, v + l };
	if (der_next(&val, &t, &v, &l) || der_time(t, v, l, &out->not_before)
	    || der_next(&val, &t, &v, &l) || der_time(t, v, l, &out->not_after) || val.p != val.end)
		return ERR_INVAL;
	at = tbs.p;
	if (der_expect(&tbs, 0x30, &v, &l))            /* subject */
		return ERR_INVAL;
	out->subject = at;
	out->subject_len = (size_t)(tbs.p - at);
	if (der_expect(&tbs, 0x30, &v, &l))            /* subjectPublicKeyInfo */
		return ERR_INVAL;
	while (tbs.p < tbs.end) {
		if (der_next(&tbs, &t, &v, &l))
			return ERR_INVAL;
		if (t == 0x81 || t == 0x82)               /* issuer/subject unique IDs */
			continue;
		if (t != 0xa3)
			return ERR_INVAL;
		der_rd x = { v, v + l };
		if (der_expect(&x, 0x30, &v, &l) || x.p != x.end || der_extensions(v, l, out))
			return ERR_INVAL;
		if (tbs.p != tbs.end)
			return ERR_INVAL;
	}
	return 0;
}

int tls_der_san_has_ip(const tls_der_cert *c, const void *ip, size_t ip_len)
{
	if (!c->san || (ip_len != 4 && ip_len != 16))
		return 0;
	der_rd r = { c->san, c->san + c->san_len };
	while (r.p < r.end) {
		unsigned t;
		const uint8_t *v;
		size_t l;
		if (der_next(&r, &t, &v, &l))
			return 0;
		if (t == 0x87 && l == ip_len && !memcmp(v, ip, ip_len))  /* [7] iPAddress */
			return 1;
	}
	return 0;
}

int tls_der_parse_ip(const char *s, size_t n, uint8_t out[16])
{
	char tmp[64];
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		if (n >= sizeof tmp)
			return 0;
		memcpy(tmp, s, n);
		tmp[n] = 0;
		return inet_pton(AF_INET6, tmp, out) == 1 ? 16 : 0;
	}
	if (n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	if (inet_pton(AF_INET, tmp, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, tmp, out) == 1)
		return 16;
	return 0;
}
