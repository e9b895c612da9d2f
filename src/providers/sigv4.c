/* sigv4.c — AWS Signature Version 4: canonical request, string to sign,
 * signing key and Authorization header (see sigv4.h for the rules). */
#include "providers/sigv4.h"
#include "base/ct.h"
#include "base/err.h"
#include "base/hex.h"
#include "tls/tls_crypto.h"
#include <string.h>

/* One canonical header or query pair: offsets into a scratch buffer. */
typedef struct {
	size_t k, kn, v, vn, order;
} ent;

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_' || c == '.' || c == '~';
}

int sigv4_uri_encode(buf *b, const char *p, size_t n, bool keep_slash)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t need = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		need += unreserved(c) || (keep_slash && c == '/') ? 1 : 3;
	}
	int rc = buf_reserve(b, need);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			b->data[b->len++] = (char)c;
		} else {
			b->data[b->len++] = '%';
			b->data[b->len++] = hx[c >> 4];
			b->data[b->len++] = hx[c & 15];
		}
	}
	b->data[b->len] = '\0';
	return 0;
}

int sigv4_amz_date(int64_t t, char dst[SIGV4_AMZ_DATE_LEN + 1])
{
	/* 0001-01-01 .. 9999-12-31T23:59:59 */
	if (t < -62135596800LL || t > 253402300799LL)
		return ERR_RANGE;
	int64_t days = t / 86400, sec = t % 86400;
	if (sec < 0) {
		sec += 86400;
		days--;
	}
	/* civil_from_days (H. Hinnant) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	int v[6] = { (int)y, (int)m, (int)d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60) };
	char *o = dst;
	for (int i = 0; i < 6; i++) {
		if (i == 3)
			*o++ = 'T';
		for (int w = i ? 10 : 1000; w; w /= 10)
			*o++ = (char)('0' + v[i] / w % 10);
	}
	*o++ = 'Z';
	*o = '\0';
	return 0;
}

/* A credential-scope component: non-empty, printable, no '/' or blank. */
static bool scope_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f || c == '/')
			return false;
	}
	return true;
}

int sigv4_signing_key(const char *secret, const char *date8, const char *region,
	const char *service, uint8_t key[32])
{
	if (!secret || !date8 || strlen(date8) != 8 || !scope_ok(region) || !scope_ok(service))
		return ERR_INVAL;
	size_t sn = strlen(secret);
	if (sn > 1024)
		return ERR_INVAL;
	char k0[4 + 1024];
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, secret, sn);
	tls_hmac_sha256(k0, 4 + sn, date8, 8, key);
	ct_wipe(k0, sizeof k0);
	tls_hmac_sha256(key, 32, region, strlen(region), key);
	tls_hmac_sha256(key, 32, service, strlen(service), key);
	tls_hmac_sha256(key, 32, "aws4_request", 12, key);
	return 0;
}

static bool token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		(c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool ieq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != b[i])
			return false;
	}
	return true;
}

/* Append a lower-cased header entry to s: name, then the value trimmed with
 * runs of blanks collapsed. */
static int add_header(buf *s, ent *e, const char *name, size_t nn, const char *val, size_t vn,
	size_t order)
{
	if (nn == 0)
		return ERR_INVAL;
	for (size_t i = 0; i < nn; i++)
		if (!token_char((unsigned char)name[i]))
			return ERR_INVAL;
	for (size_t i = 0; i < vn; i++) {
		unsigned char c = (unsigned char)val[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return ERR_INVAL;
	}
	int rc = buf_reserve(s, nn + vn);
	if (rc)
		return rc;
	e->k = s->len;
	e->kn = nn;
	for (size_t i = 0; i < nn; i++) {
		char c = name[i];
		s->data[s->len++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	e->v = s->len;
	size_t a = 0, z = vn;
	while (a < z && (val[a] == ' ' || val[a] == '\t'))
		a++;
	while (z > a && (val[z - 1] == ' ' || val[z - 1] == '\t'))
		z--;
	for (size_t i = a; i < z; i++) {
		bool blank = val[i] == ' ' || val[i] == '\t';
		if (blank && i > a && (val[i - 1] == ' ' || val[i - 1] == '\t'))
			continue;
		s->data[s->len++] = blank ? ' ' : val[i];
	}
	e->vn = s->len - e->v;
	e->order = order;
	s->data[s->len] = '\0';
	return 0;
}

static int cmp_span(const char *base, size_t a, size_t an, size_t b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = memcmp(base + a, base + b, n);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Insertion sort (n is small and capped): by key, then by value or input order. */
static void sort_ents(ent *e, size_t n, const char *base, bool by_value)
{
	for (size_t i = 1; i < n; i++) {
		ent x = e[i];
		size_t j = i;
		while (j > 0) {
			int c = cmp_span(base, e[j - 1].k, e[j - 1].kn, x.k, x.kn);
			if (c == 0)
				c = by_value ? cmp_span(base, e[j - 1].v, e[j - 1].vn, x.v, x.vn)
					: (e[j - 1].order > x.order ? 1 : -1);
			if (c <= 0)
				break;
			e[j] = e[j - 1];
			j--;
		}
		e[j] = x;
	}
}

/* Canonical URI of a non-S3 path: normalise, then encode each segment. */
static int canon_path(buf *o, const char *p)
{
	size_t n = strlen(p);
	size_t segs[256][2];
	size_t ns = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		size_t l = j - i;
		if (l == 0 || (l == 1 && p[i] == '.')) {
			/* dropped */
		} else if (l == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (ns)
				ns--;
		} else {
			if (ns == sizeof segs / sizeof segs[0])
				return ERR_TOOBIG;
			segs[ns][0] = i;
			segs[ns][1] = l;
			ns++;
		}
		i = j + 1;
	}
	int rc = buf_putc(o, '/');
	for (size_t k = 0; k < ns && !rc; k++) {
		if (k)
			rc = buf_putc(o, '/');
		if (!rc)
			rc = sigv4_uri_encode(o, p + segs[k][0], segs[k][1], false);
	}
	if (!rc && ns && p[n - 1] == '/')
		rc = buf_putc(o, '/');
	return rc;
}

void sigv4_output_free(sigv4_output *out)
{
	if (!out)
		return;
	buf *bs[] = { &out->authorization, &out->canonical_request, &out->string_to_sign,
		&out->signed_headers };
	for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++) {
		if (bs[i]->data)
			ct_wipe(bs[i]->data, bs[i]->size);
		buf_free(bs[i]);
	}
	ct_wipe(out, sizeof *out);
}

int sigv4_sign(const sigv4_input *in, sigv4_output *out)
{
	static const char *const reserved[] = { "host", "authorization", "x-amz-date",
		"x-amz-security-token", "x-amz-content-sha256" };
	ent hs[SIGV4_MAX_HEADERS + 4];
	ent qs[SIGV4_MAX_QUERY];
	buf s = { 0 };
	uint8_t key[32], h[32];
	int rc = ERR_INVAL;

	memset(out, 0, sizeof *out);
	buf_init(&out->authorization, SIGV4_MAX_TEXT);
	buf_init(&out->canonical_request, SIGV4_MAX_TEXT);
	buf_init(&out->string_to_sign, SIGV4_MAX_TEXT);
	buf_init(&out->signed_headers, SIGV4_MAX_TEXT);
	buf_init(&s, 2 * SIGV4_MAX_TEXT);
	if (!in || !in->method || !*in->method || !in->host || !*in->host ||
	    !scope_ok(in->region) || !scope_ok(in->service) || !scope_ok(in->access_key_id) ||
	    !in->secret_access_key || !*in->secret_access_key)
		goto fail;
	for (const char *m = in->method; *m; m++)
		if (!token_char((unsigned char)*m))
			goto fail;
	const char *path = in->path && *in->path ? in->path : "/";
	if (path[0] != '/')
		goto fail;
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			goto fail;
	if (in->nheaders > SIGV4_MAX_HEADERS || in->nquery > SIGV4_MAX_QUERY) {
		rc = ERR_TOOBIG;
		goto fail;
	}
	if ((in->nheaders && !in->headers) || (in->nquery && !in->query) ||
	    (in->body_len && !in->body))
		goto fail;
	const char *tok = in->session_token && *in->session_token ? in->session_token : NULL;
	if ((rc = sigv4_amz_date(in->time, out->amz_date)))
		goto fail;
	rc = ERR_INVAL;

	/* payload hash */
	if (in->payload_hash) {
		size_t n = strlen(in->payload_hash);
		if (n == 0 || n >= sizeof out->payload_hash)
			goto fail;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)in->payload_hash[i] <= 0x20 || in->payload_hash[i] == 0x7f)
				goto fail;
		memcpy(out->payload_hash, in->payload_hash, n + 1);
	} else {
		tls_sha256(in->body, in->body_len, h);
		hex_encode(h, sizeof h, out->payload_hash, sizeof out->payload_hash);
	}

	/* headers: caller's, then ours */
	size_t nh = 0;
	for (size_t i = 0; i < in->nheaders; i++) {
		const sigv4_header *x = &in->headers[i];
		if ((x->name_len && !x->name) || (x->value_len && !x->value))
			goto fail;
		for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
			if (ieq(x->name, x->name_len, reserved[r]))
				goto fail;
		if ((rc = add_header(&s, &hs[nh], x->name, x->name_len, x->value, x->value_len, nh)))
			goto fail;
		nh++;
	}
	if ((rc = add_header(&s, &hs[nh], "host", 4, in->host, strlen(in->host), nh)))
		goto fail;
	nh++;
	if ((rc = add_header(&s, &hs[nh], "x-amz-date", 10, out->amz_date, SIGV4_AMZ_DATE_LEN, nh)))
		goto fail;
	nh++;
	if (tok) {
		if ((rc = add_header(&s, &hs[nh], "x-amz-security-token", 20, tok, strlen(tok), nh)))
			goto fail;
		nh++;
	}
	if (in->add_content_sha256) {
		if ((rc = add_header(&s, &hs[nh], "x-amz-content-sha256", 20, out->payload_hash,
			strlen(out->payload_hash), nh)))
			goto fail;
		nh++;
	}
	if (s.data && memchr(s.data, '\0', s.len)) {
		rc = ERR_INVAL; /* NUL inside a header value or name */
		goto fail;
	}
	sort_ents(hs, nh, s.data, false);

	/* query pairs: encoded */
	for (size_t i = 0; i < in->nquery; i++) {
		const sigv4_param *x = &in->query[i];
		if ((x->name_len && !x->name) || (x->value_len && !x->value)) {
			rc = ERR_INVAL;
			goto fail;
		}
		qs[i].k = s.len;
		if ((rc = sigv4_uri_encode(&s, x->name, x->name_len, false)))
			goto fail;
		qs[i].kn = s.len - qs[i].k;
		qs[i].v = s.len;
		if ((rc = sigv4_uri_encode(&s, x->value, x->value_len, false)))
			goto fail;
		qs[i].vn = s.len - qs[i].v;
		qs[i].order = i;
	}
	sort_ents(qs, in->nquery, s.data, true);

	/* canonical request */
	buf *cr = &out->canonical_request, *sh = &out->signed_headers;
	rc = buf_printf(cr, "%s\n", in->method);
	if (!rc)
		rc = in->s3_path ? buf_puts(cr, path) : canon_path(cr, path);
	if (!rc)
		rc = buf_putc(cr, '\n');
	for (size_t i = 0; i < in->nquery && !rc; i++)
		rc = buf_printf(cr, "%s%.*s=%.*s", i ? "&" : "", (int)qs[i].kn, s.data + qs[i].k,
			(int)qs[i].vn, s.data + qs[i].v);
	if (!rc)
		rc = buf_putc(cr, '\n');
	for (size_t i = 0; i < nh && !rc; i++) {
		bool same = i > 0 && !cmp_span(s.data, hs[i - 1].k, hs[i - 1].kn, hs[i].k, hs[i].kn);
		if (same) {
			rc = buf_printf(cr, ",%.*s", (int)hs[i].vn, s.data + hs[i].v);
		} else {
			if (i)
				rc = buf_putc(cr, '\n');
			if (!rc)
				rc = buf_printf(cr, "%.*s:%.*s", (int)hs[i].kn, s.data + hs[i].k,
					(int)hs[i].vn, s.data + hs[i].v);
			if (!rc)
				rc = buf_printf(sh, "%s%.*s", i ? ";" : "", (int)hs[i].kn, s.data + hs[i].k);
		}
	}
	if (!rc)
		rc = buf_printf(cr, "\n\n%s\n%s", sh->data, out->payload_hash);
	if (rc)
		goto fail;

	/* string to sign */
	char date8[9];
	memcpy(date8, out->amz_date, 8);
	date8[8] = '\0';
	char hexh[SIGV4_HEX_LEN + 1];
	tls_sha256(cr->data, cr->len, h);
	hex_encode(h, sizeof h, hexh, sizeof hexh);
	rc = buf_printf(&out->string_to_sign, SIGV4_ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s",
		out->amz_date, date8, in->region, in->service, hexh);
	if (rc)
		goto fail;

	/* signature */
	if ((rc = sigv4_signing_key(in->secret_access_key, date8, in->region, in->service, key)))
		goto fail;
	tls_hmac_sha256(key, sizeof key, out->string_to_sign.data, out->string_to_sign.len, h);
	hex_encode(h, sizeof h, out->signature, sizeof out->signature);
	rc = buf_printf(&out->authorization,
		SIGV4_ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
		in->access_key_id, date8, in->region, in->service, sh->data, out->signature);
	if (rc)
		goto fail;

	out->add[out->nadd++] = (sigv4_header){ "authorization", 13, out->authorization.data,
		out->authorization.len };
	out->add[out->nadd++] = (sigv4_header){ "x-amz-date", 10, out->amz_date, SIGV4_AMZ_DATE_LEN };
	if (tok)
		out->add[out->nadd++] = (sigv4_header){ "x-amz-security-token", 20, tok, strlen(tok) };
	if (in->add_content_sha256)
		out->add[out->nadd++] = (sigv4_header){ "x-amz-content-sha256", 20, out->payload_hash,
			strlen(out->payload_hash) };
	rc = 0;
fail:
	ct_wipe(key, sizeof key);
	ct_wipe(h, sizeof h);
	if (s.data)
		ct_wipe(s.data, s.size);
	buf_free(&s);
	if (rc)
		sigv4_output_free(out);
	return rc;
}
