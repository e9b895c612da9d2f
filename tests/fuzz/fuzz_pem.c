/* fuzz_pem.c — libFuzzer target for what src/tls reads from files and from
 * servers: the input as a PEM (or DER) CA file through tls_anchors_add_pem
 * (BearSSL's PEM and X.509 decoders, our object handling and de-duplication),
 * and as a DER certificate through the DER walker of tls_der.c (issuer,
 * subject, validity, SAN iPAddress match) and tls_anchors_add_der.
 * Invariants: added + skipped never exceeds the BEGIN lines; the count only
 * grows by what was reported; parsed fields lie inside the input; loading the
 * same text twice adds nothing. */
#include "tls/tls.h"
#include "tls/tls_der.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const uint8_t *p, size_t n, const uint8_t *d, size_t size)
{
	return p >= d && n <= size && (size_t)(p - d) <= size - n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tls_anchors *a = tls_anchors_new();
	if (!a)
		return 0;
	size_t added = 0, skipped = 0, begins = 0;
	for (size_t i = 0; i + 10 <= size; i++)   /* BearSSL takes "begin" in any case */
		if (!strncasecmp((const char *)data + i, "-----BEGIN", 10))
			begins++;
	if (tls_anchors_add_pem(a, data, size, &added, &skipped) == 0) {
		if (begins && added + skipped > begins)
			abort();
		if (!begins && added + skipped > 1)
			abort();
		if (tls_anchors_count(a) != added)
			abort();
		size_t again = 9;
		if (tls_anchors_add_pem(a, data, size, &again, NULL) == 0 && again != 0)
			abort();   /* the same certificates twice: duplicates */
	}

	tls_der_cert c;
	if (tls_der_cert_parse(data, size, &c) == 0) {
		if (!inside(c.issuer, c.issuer_len, data, size) || !inside(c.subject, c.subject_len, data, size))
			abort();
		if (c.san && !inside(c.san, c.san_len, data, size))
			abort();
		static const uint8_t v4[4] = { 127, 0, 0, 1 };
		static const uint8_t v6[16] = { [15] = 1 };
		(void)tls_der_san_has_ip(&c, v4, 4);
		(void)tls_der_san_has_ip(&c, v6, 16);
		if (tls_der_tlv_len(data, size) != size)
			abort();   /* a parsed certificate is exactly one TLV */
	}
	size_t before = tls_anchors_count(a);
	int r = tls_anchors_add_der(a, data, size);
	if (tls_anchors_count(a) != before + (r == 1))
		abort();
	tls_anchors_free(a);
	return 0;
}
