/* test_multipart.c — multipart/form-data reader and writer: what curl 7.88,
 * python requests 2.x (urllib3 2) and the openai node SDK 6 (undici FormData)
 * send, captured byte for byte; every prefix and every single-byte change of
 * them; boundaries of every length and character; malformed input; caps; the
 * writer and its round trip through the reader. */
#include "t.h"
#include "base/err.h"
#include "base/limits.h"
#include "http/multipart.h"
#include <stdlib.h>

/* ---- captured bodies (the WAV is a 12-byte stub: "RIFF$\0\0\0WAVEfmt ") ---- */
static const char curl_body[] =
	"--------------------------4b42700390a44597\r\n"
	"Content-Disposition: form-data; name=\"model\"\r\n"
	"\r\n"
	"whisper-1\r\n"
	"--------------------------4b42700390a44597\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"RIFF$\x00""\x00""\x00""WAVEfmt \r\n"
	"--------------------------4b42700390a44597\r\n"
	"Content-Disposition: form-data; name=\"language\"\r\n"
	"\r\n"
	"en\r\n"
	"--------------------------4b42700390a44597--\r\n"
	"";
static const char curl_ct[] = "multipart/form-data; boundary=------------------------4b42700390a44597";
static const char curl_esc_body[] =
	"--------------------------34752ed495966198\r\n"
	"Content-Disposition: form-data; name=\"model\"\r\n"
	"\r\n"
	"whisper-1\r\n"
	"--------------------------34752ed495966198\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"na%22me\\\\x \xc3""\xa9"".wav\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"RIFF$\x00""\x00""\x00""WAVEfmt \r\n"
	"--------------------------34752ed495966198--\r\n"
	"";
static const char curl_esc_ct[] = "multipart/form-data; boundary=------------------------34752ed495966198";
static const char requests_body[] =
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f\r\n"
	"Content-Disposition: form-data; name=\"model\"\r\n"
	"\r\n"
	"whisper-1\r\n"
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f\r\n"
	"Content-Disposition: form-data; name=\"temperature\"\r\n"
	"\r\n"
	"0.2\r\n"
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f\r\n"
	"Content-Disposition: form-data; name=\"timestamp_granularities[]\"\r\n"
	"\r\n"
	"word\r\n"
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f\r\n"
	"Content-Disposition: form-data; name=\"timestamp_granularities[]\"\r\n"
	"\r\n"
	"segment\r\n"
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
	"Content-Type: audio/wav\r\n"
	"\r\n"
	"RIFF$\x00""\x00""\x00""WAVEfmt \r\n"
	"--27cdf4f3c7ad326f1d2dc92b4c94a22f--\r\n"
	"";
static const char requests_ct[] = "multipart/form-data; boundary=27cdf4f3c7ad326f1d2dc92b4c94a22f";
static const char requests_utf8_body[] =
	"--5ccb5fdf4a4cd3b4b638f3a9d96e6a59\r\n"
	"Content-Disposition: form-data; name=\"model\"\r\n"
	"\r\n"
	"whisper-1\r\n"
	"--5ccb5fdf4a4cd3b4b638f3a9d96e6a59\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"\xc3""\xa9""t\xc3""\xa9"" %22q%22.wav\"\r\n"
	"\r\n"
	"RIFF$\x00""\x00""\x00""WAVEfmt \r\n"
	"--5ccb5fdf4a4cd3b4b638f3a9d96e6a59--\r\n"
	"";
static const char requests_utf8_ct[] = "multipart/form-data; boundary=5ccb5fdf4a4cd3b4b638f3a9d96e6a59";
#include "multipart_sdk.h"

/* A part flattened for comparisons. */
typedef struct flat {
	char name[256];
	char filename[256];
	bool is_file;
	char ctype[128];
	str data;
	str head;
} flat;

static void flatten(const multipart_part *p, flat *f)
{
	size_t n = 0;
	memset(f, 0, sizeof *f);
	CHECK(multipart_value_decode(p->name, f->name, sizeof f->name - 1, &n) == 0);
	f->name[n < sizeof f->name ? n : 0] = 0;
	f->is_file = p->is_file;
	if (p->filename.raw.p) {
		CHECK(multipart_value_decode(p->filename, f->filename, sizeof f->filename - 1, &n) == 0);
		f->filename[n < sizeof f->filename ? n : 0] = 0;
	}
	if (p->content_type.p)
		str_to_cbuf(p->content_type, f->ctype, sizeof f->ctype);
	f->data = p->data;
	f->head = p->head;
}

/* Read all parts of body: the count (>= 0), or the error (< 0) with *e. */
static int read_all(str body, str b, flat *out, size_t cap, multipart_error *e, const multipart_limits *lim)
{
	multipart_reader r;
	multipart_reader_init(&r, body, b, lim);
	multipart_part p;
	int n = 0, rc;
	while ((rc = multipart_next(&r, &p)) == 1) {
		if ((size_t)n < cap)
			flatten(&p, &out[n]);
		n++;
	}
	if (e)
		*e = r.err;
	/* sticky */
	CHECK_EQ_INT(multipart_next(&r, &p), rc);
	return rc < 0 ? rc : n;
}

static str boundary_of(const char *ct)
{
	str b = STR_NULL;
	multipart_error e;
	CHECK_EQ_INT(multipart_boundary(str_from(ct), &b, &e), 0);
	return b;
}

/* ---- Content-Type ------------------------------------------------------------------------- */

static void ct_ok(const char *ct, const char *want)
{
	str b;
	multipart_error e = { MULTIPART_E_TRUNCATED, 9 };
	int rc = multipart_boundary(str_from(ct), &b, &e);
	if (rc != 0 || !str_eq_cstr(b, want))
		T_FAIL_AT("boundary of [%s]: rc %d code %d, got [%.*s], want [%s]", ct, rc, (int)e.code, STR_ARG(b), want);
	CHECK(e.code == MULTIPART_OK);
}

static void ct_bad(const char *ct, multipart_code want)
{
	str b;
	multipart_error e = { MULTIPART_OK, 0 };
	int rc = multipart_boundary(str_from(ct), &b, &e);
	if (rc != ERR_INVAL || e.code != want)
		T_FAIL_AT("boundary of [%s]: rc %d code %d (%s), want code %d", ct, rc, (int)e.code,
			  multipart_code_str(e.code), (int)want);
}

TEST(content_type)
{
	ct_ok(curl_ct, "------------------------4b42700390a44597");
	ct_ok(requests_ct, "27cdf4f3c7ad326f1d2dc92b4c94a22f");
	ct_ok(sdk_audio_transcriptions_ct, "----formdata-undici-015533542570");
	ct_ok("multipart/form-data; boundary=\"----WebKitFormBoundary7MA4YWxkTrZu0gW\"", "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	ct_ok("Multipart/Form-Data;BOUNDARY=abc", "abc");
	ct_ok("multipart/form-data ; charset=utf-8 ; boundary=abc ", "abc");
	ct_ok("multipart/form-data; boundary=abc; charset=\"utf-8\"", "abc");
	ct_ok("  multipart/form-data;\tboundary=x", "x");
	ct_ok("multipart/form-data; boundary=\"a b:c(d)e,f/g=h?i\"", "a b:c(d)e,f/g=h?i");
	ct_ok("multipart/form-data; boundary=\"\x27()+_,-./:=?\"", "'()+_,-./:=?");
	ct_ok("multipart/form-data; boundary=1234567890123456789012345678901234567890123456789012345678901234567890",
	      "1234567890123456789012345678901234567890123456789012345678901234567890");
	ct_bad("multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901",
	       MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data", MULTIPART_E_NO_BOUNDARY);
	ct_bad("multipart/form-data; charset=utf-8", MULTIPART_E_NO_BOUNDARY);
	ct_bad("multipart/form-data; boundary=", MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data; boundary=\"\"", MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data; boundary=\"abc", MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data; boundary=\"ab \"", MULTIPART_E_BAD_BOUNDARY);   /* ends in a space */
	ct_bad("multipart/form-data; boundary=\"a\\bc\"", MULTIPART_E_BAD_BOUNDARY);  /* escape */
	ct_bad("multipart/form-data; boundary=a!b", MULTIPART_E_BAD_BOUNDARY);       /* token, not bchars */
	ct_bad("multipart/form-data; boundary=\"a<b\"", MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data; boundary=a; boundary=a", MULTIPART_E_BAD_BOUNDARY);
	ct_bad("multipart/form-data; boundary=a:b", MULTIPART_E_BAD_CTYPE);          /* ':' needs quotes */
	ct_bad("multipart/form-data; boundary=a;", MULTIPART_E_BAD_CTYPE);
	ct_bad("multipart/form-data; ; boundary=a", MULTIPART_E_BAD_CTYPE);
	ct_bad("multipart/form-data; boundary a", MULTIPART_E_BAD_CTYPE);
	ct_bad("multipart/form-data; x=\"unterminated; boundary=a", MULTIPART_E_BAD_CTYPE);
	ct_bad("multipart/form-data boundary=a", MULTIPART_E_BAD_CTYPE);
	ct_bad("multipart/mixed; boundary=a", MULTIPART_E_NOT_FORM);
	ct_bad("application/json", MULTIPART_E_NOT_FORM);
	ct_bad("", MULTIPART_E_NOT_FORM);
	ct_bad("multipart", MULTIPART_E_NOT_FORM);
	ct_bad("form-data; boundary=a", MULTIPART_E_NOT_FORM);
	str b;
	CHECK(multipart_boundary(STR_NULL, &b, NULL) == ERR_INVAL);
	CHECK(multipart_is_form(S("multipart/form-data; boundary=x")));
	CHECK(multipart_is_form(S(" MULTIPART/FORM-DATA ")));
	CHECK(multipart_is_form(S("multipart/form-data")));
	CHECK(!multipart_is_form(S("multipart/form-datax")));
	CHECK(!multipart_is_form(S("application/json")));
	CHECK(!multipart_is_form(STR_NULL));
	for (int c = 0; c < MULTIPART_E__COUNT; c++)
		CHECK(multipart_code_str((multipart_code)c)[0]);
	CHECK(multipart_code_str((multipart_code)99)[0]);
}

TEST(content_type_render)
{
	char ct[128];
	CHECK_EQ_INT(multipart_content_type(S("abc-123"), ct, sizeof ct), 37);
	CHECK_EQ_STR(ct, "multipart/form-data; boundary=abc-123");
	CHECK(multipart_content_type(S("a b:c"), ct, sizeof ct) > 0);
	CHECK_EQ_STR(ct, "multipart/form-data; boundary=\"a b:c\"");
	str b;
	CHECK_EQ_INT(multipart_boundary(str_from(ct), &b, NULL), 0);
	CHECK(str_eq_cstr(b, "a b:c"));
	CHECK_EQ_INT(multipart_content_type(S("abc"), ct, 33), ERR_TOOBIG);
	CHECK_EQ_INT(multipart_content_type(S("abc"), ct, 34), 33);
	CHECK_EQ_INT(multipart_content_type(S("a\"b"), ct, sizeof ct), ERR_INVAL);
	CHECK_EQ_INT(multipart_content_type(S(""), ct, sizeof ct), ERR_INVAL);
}

/* ---- the clients' bodies ---------------------------------------------------------------------- */

TEST(from_curl)
{
	flat f[8];
	multipart_error e;
	str body = S(curl_body);
	CHECK_EQ_INT(read_all(body, boundary_of(curl_ct), f, 8, &e, NULL), 3);
	CHECK_EQ_STR(f[0].name, "model");
	CHECK(!f[0].is_file && !f[0].ctype[0]);
	CHECK(str_eq_cstr(f[0].data, "whisper-1"));
	CHECK(str_eq_cstr(f[0].head, "Content-Disposition: form-data; name=\"model\"\r\n"));
	CHECK_EQ_STR(f[1].name, "file");
	CHECK(f[1].is_file);
	CHECK_EQ_STR(f[1].filename, "a.wav");
	CHECK_EQ_STR(f[1].ctype, "application/octet-stream");
	CHECK_EQ_MEM(f[1].data.p, f[1].data.n, WAV, WAVN);
	CHECK_EQ_STR(f[2].name, "language");
	CHECK(str_eq_cstr(f[2].data, "en"));
	/* zero-copy: slices of the body */
	CHECK(f[1].data.p > body.p && f[1].data.p + f[1].data.n < body.p + body.n);
}

TEST(from_curl_escapes)
{
	flat f[4];
	CHECK_EQ_INT(read_all(S(curl_esc_body), boundary_of(curl_esc_ct), f, 4, NULL, NULL), 2);
	/* curl percent-encodes '"' (left as is) and backslash-escapes '\' */
	CHECK_EQ_STR(f[1].filename, "na%22me\\x \xc3\xa9.wav");
}

TEST(from_requests)
{
	flat f[8];
	CHECK_EQ_INT(read_all(S(requests_body), boundary_of(requests_ct), f, 8, NULL, NULL), 5);
	CHECK_EQ_STR(f[1].name, "temperature");
	CHECK(str_eq_cstr(f[1].data, "0.2"));
	CHECK_EQ_STR(f[2].name, "timestamp_granularities[]");
	CHECK(str_eq_cstr(f[2].data, "word"));
	CHECK(str_eq_cstr(f[3].data, "segment"));
	CHECK_EQ_STR(f[4].filename, "a.wav");
	CHECK_EQ_STR(f[4].ctype, "audio/wav");
	CHECK_EQ_MEM(f[4].data.p, f[4].data.n, WAV, WAVN);
	CHECK_EQ_INT(read_all(S(requests_utf8_body), boundary_of(requests_utf8_ct), f, 8, NULL, NULL), 2);
	CHECK_EQ_STR(f[1].filename, "\xc3\xa9t\xc3\xa9 %22q%22.wav");
	CHECK(!f[1].ctype[0]);
}

TEST(from_openai_sdk)
{
	flat f[12];
	CHECK_EQ_INT(read_all(S(sdk_audio_transcriptions_body), boundary_of(sdk_audio_transcriptions_ct), f, 12, NULL, NULL), 8);
	static const char *const names[] = { "model", "file", "language", "prompt", "response_format", "temperature",
					     "timestamp_granularities[]", "timestamp_granularities[]" };
	static const char *const vals[] = { "whisper-1", NULL, "en", "hi", "json", "0", "word", "segment" };
	for (int i = 0; i < 8; i++) {
		CHECK_EQ_STR(f[i].name, names[i]);
		CHECK(f[i].is_file == (i == 1));
		if (vals[i])
			CHECK(str_eq_cstr(f[i].data, vals[i]));
	}
	CHECK_EQ_MEM(f[1].data.p, f[1].data.n, WAV, WAVN);
}

/* Every prefix (an exactly sized heap copy, so ASan sees any over-read):
 * an error, except the ones ending right after "--B--" or its CRLF. */
static void prefixes(const char *body, size_t n, const char *ct)
{
	str b = boundary_of(ct);
	flat f[12];
	int full = read_all(str_make(body, n), b, f, 12, NULL, NULL);
	CHECK(full > 0);
	for (size_t k = 0; k < n; k++) {
		char *c = malloc(k ? k : 1);
		memcpy(c, body, k);
		multipart_error e;
		int rc = read_all(str_make(c, k), b, f, 12, &e, NULL);
		bool valid_end = k == n - 2;
		if (valid_end ? rc != full : rc >= 0)
			T_FAIL_AT("prefix %zu of %zu: rc %d (code %d)", k, n, rc, (int)e.code);
		if (rc < 0 && k > 0 && e.code != MULTIPART_E_TRUNCATED && e.code != MULTIPART_E_NO_DELIMITER)
			T_FAIL_AT("prefix %zu: code %d (%s)", k, (int)e.code, multipart_code_str(e.code));
		free(c);
	}
}

TEST(every_prefix)
{
	prefixes(curl_body, sizeof curl_body - 1, curl_ct);
	prefixes(requests_body, sizeof requests_body - 1, requests_ct);
	prefixes(sdk_audio_transcriptions_body, sizeof sdk_audio_transcriptions_body - 1, sdk_audio_transcriptions_ct);
}

/* Every single-byte change: no crash, a deterministic answer, and any parts
 * still lie inside the body. */
TEST(every_byte_flip)
{
	const char *body = sdk_audio_transcriptions_body;
	size_t n = sizeof sdk_audio_transcriptions_body - 1;
	str b = boundary_of(sdk_audio_transcriptions_ct);
	char *c = malloc(n);
	static const unsigned char subs[] = { 0, '\r', '\n', '-', '"', ';', ' ', 0x80, 'x' };
	for (size_t i = 0; i < n; i++) {
		for (size_t s = 0; s < sizeof subs; s++) {
			memcpy(c, body, n);
			if ((unsigned char)c[i] == subs[s])
				continue;
			c[i] = (char)subs[s];
			multipart_reader r;
			multipart_reader_init(&r, str_make(c, n), b, NULL);
			multipart_part p;
			int rc;
			while ((rc = multipart_next(&r, &p)) == 1) {
				if (p.data.p < c || p.data.p + p.data.n > c + n || p.head.p < c || p.head.p + p.head.n > c + n)
					T_FAIL_AT("flip %zu: part outside the body", i);
			}
			if (rc < 0 && (r.err.code == MULTIPART_OK || r.err.off > n))
				T_FAIL_AT("flip %zu: rc %d code %d off %zu", i, rc, (int)r.err.code, r.err.off);
		}
	}
	free(c);
}

/* ---- boundaries ---------------------------------------------------------------------------------- */

TEST(boundary_every_length_and_char)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
	char bnd[80];
	buf out = { 0 };
	for (size_t len = 1; len <= 71; len++) {
		for (size_t i = 0; i < len; i++)
			bnd[i] = bchars[(i * 7 + len) % (sizeof bchars - 1)];
		if (bnd[len - 1] == ' ')
			bnd[len - 1] = 'z';
		str b = str_make(bnd, len);
		CHECK(multipart_boundary_valid(b) == (len <= 70));
		buf_reset(&out);
		multipart_writer w;
		int rc = multipart_writer_init(&w, &out, b);
		multipart_write_field(&w, S("model"), S("m"));
		multipart_write_file(&w, S("file"), S("f.wav"), S("audio/wav"), str_make(WAV, WAVN));
		rc = multipart_write_end(&w);
		if (len > 70) {
			CHECK_EQ_INT(rc, ERR_INVAL);
			continue;
		}
		CHECK_EQ_INT(rc, 0);
		/* the Content-Type round trip */
		char ct[160];
		CHECK(multipart_content_type(b, ct, sizeof ct) > 0);
		str b2;
		CHECK_EQ_INT(multipart_boundary(str_from(ct), &b2, NULL), 0);
		CHECK(str_eq(b, b2));
		flat f[4];
		CHECK_EQ_INT(read_all(str_make(out.data, out.len), b2, f, 4, NULL, NULL), 2);
		CHECK(str_eq_cstr(f[0].data, "m"));
		CHECK_EQ_MEM(f[1].data.p, f[1].data.n, WAV, WAVN);
	}
	/* each bchar alone */
	for (size_t i = 0; i < sizeof bchars - 2; i++) {
		str b = str_make(bchars + i, 1);
		buf_reset(&out);
		multipart_writer w;
		multipart_writer_init(&w, &out, b);
		multipart_write_field(&w, S("a"), S("-- x\r\n-"));
		CHECK_EQ_INT(multipart_write_end(&w), 0);
		flat f[2];
		CHECK_EQ_INT(read_all(str_make(out.data, out.len), b, f, 2, NULL, NULL), 1);
		CHECK(str_eq_cstr(f[0].data, "-- x\r\n-"));
	}
	/* not bchars */
	CHECK(!multipart_boundary_valid(S("a\"b")));
	CHECK(!multipart_boundary_valid(S("a\\b")));
	CHECK(!multipart_boundary_valid(S("a;b")));
	CHECK(!multipart_boundary_valid(S("a\rb")));
	CHECK(!multipart_boundary_valid(S("ab ")));
	CHECK(!multipart_boundary_valid(S("")));
	CHECK(!multipart_boundary_valid(STR_NULL));
	CHECK(multipart_boundary_valid(S(" a")));
	buf_free(&out);
}

/* ---- shapes ------------------------------------------------------------------------------------------ */

#define CD "Content-Disposition: form-data; name="

static int rd(const char *body, const char *b, flat *f, size_t cap, multipart_error *e)
{
	return read_all(str_from(body), str_from(b), f, cap, e, NULL);
}

TEST(preamble_epilogue_padding)
{
	flat f[4];
	multipart_error e;
	CHECK_EQ_INT(rd("This is a preamble\r\n--b\r\n" CD "a\r\n\r\n1\r\n--b--\r\nepilogue --b\r\nx", "b", f, 4, &e), 1);
	CHECK(str_eq_cstr(f[0].data, "1"));
	CHECK_EQ_INT(rd("\r\n--b\r\n" CD "a\r\n\r\n1\r\n--b--", "b", f, 4, &e), 1);        /* empty preamble line */
	CHECK_EQ_INT(rd("--b \t\r\n" CD "a\r\n\r\n1\r\n--b\t\r\n" CD "c\r\n\r\n2\r\n--b-- \r\n", "b", f, 4, &e), 2);
	CHECK(str_eq_cstr(f[1].data, "2"));
	CHECK_EQ_INT(rd("--b--", "b", f, 4, &e), 0);                                      /* no parts */
	CHECK_EQ_INT(rd("--b--\r\n", "b", f, 4, &e), 0);
	/* the preamble's "--b" only counts after CRLF */
	CHECK_EQ_INT(rd("x--b\r\n" CD "a\r\n\r\n1\r\n--b--", "b", f, 4, &e), 0);            /* all preamble */
	CHECK_EQ_INT(rd("x--b\r\n" CD "a\r\n\r\n1--b--", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_NO_DELIMITER);
	CHECK_EQ_INT(rd("", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_NO_DELIMITER);
	/* empty content, content with CR, LF, "--", the boundary not after CRLF */
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n\r\n\r\n--b\r\n" CD "c\r\n\r\n\r\r\n\n--b --\n--b\r\r\n--b--", "b", f, 4, &e), 2);
	CHECK(f[0].data.n == 0 && f[0].data.p);
	CHECK(str_eq_cstr(f[1].data, "\r\r\n\n--b --\n--b\r"));
	/* content that begins with "--b": an empty part, then the delimiter */
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n\r\n--b\r\n" CD "c\r\n\r\nz\r\n--b--", "b", f, 4, &e), 2);
	CHECK(f[0].data.n == 0);
	CHECK(str_eq_cstr(f[1].data, "z"));
	/* a longer boundary that starts with ours is not ours: an error */
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n\r\nx\r\n--bb\r\n--b--", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--bb\r\n" CD "a\r\n\r\nx\r\n--b--", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--b--x", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--b--\rx", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--b-x\r\n", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--b\n" CD "a\r\n\r\nx\r\n--b--", "b", f, 4, &e), ERR_INVAL);   /* LF after the delimiter */
	CHECK(e.code == MULTIPART_E_BAD_DELIMITER);
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n\r\nx\n--b--", "b", f, 4, &e), ERR_INVAL);   /* LF before it: content */
	CHECK(e.code == MULTIPART_E_TRUNCATED);
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n\r\nx\r\n--b", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_TRUNCATED);
	/* a part without content at all (no blank line) */
	CHECK_EQ_INT(rd("--b\r\n" CD "a\r\n--b--\r\n", "b", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_HEADER);
	/* an invalid boundary given to the reader */
	CHECK_EQ_INT(rd("--b\"\r\n" CD "a\r\n\r\nx\r\n--b\"--", "b\"", f, 4, &e), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_BAD_BOUNDARY);
}

static void hdr_bad(const char *head, multipart_code want)
{
	char body[1024];
	snprintf(body, sizeof body, "--b\r\n%s\r\nx\r\n--b--\r\n", head);
	flat f[2];
	multipart_error e = { 0 };
	int rc = rd(body, "b", f, 2, &e);
	if (rc >= 0 || e.code != want)
		T_FAIL_AT("[%s]: rc %d code %d (%s), want %d", head, rc, (int)e.code, multipart_code_str(e.code), (int)want);
}

static void hdr_ok(const char *head, const char *name, const char *filename, const char *ctype)
{
	char body[1024];
	snprintf(body, sizeof body, "--b\r\n%s\r\nx\r\n--b--\r\n", head);
	flat f[2];
	multipart_error e = { 0 };
	int rc = rd(body, "b", f, 2, &e);
	if (rc != 1) {
		T_FAIL_AT("[%s]: rc %d code %d (%s)", head, rc, (int)e.code, multipart_code_str(e.code));
		return;
	}
	CHECK_EQ_STR(f[0].name, name);
	CHECK(f[0].is_file == (filename != NULL));
	if (filename)
		CHECK_EQ_STR(f[0].filename, filename);
	CHECK_EQ_STR(f[0].ctype, ctype ? ctype : "");
	CHECK(str_eq(f[0].head, str_make(body + 5, strlen(head))));
}

TEST(part_headers)
{
	hdr_ok(CD "\"a\"\r\n", "a", NULL, NULL);
	hdr_ok(CD "a\r\n", "a", NULL, NULL);
	hdr_ok("content-disposition:form-data;name=a\r\n", "a", NULL, NULL);
	hdr_ok("CONTENT-DISPOSITION: FORM-DATA; NAME=\"a\"\r\n", "a", NULL, NULL);
	hdr_ok("Content-Disposition: form-data ;\tname=\"a\" ; filename=\"f.txt\" \r\n", "a", "f.txt", NULL);
	hdr_ok(CD "\"q\\\"x\\\\y\"; filename=\"a\\\"b\"\r\n", "q\"x\\y", "a\"b", NULL);
	hdr_ok(CD "\"a\"; filename=\"\"\r\n", "a", "", NULL);                         /* empty file input */
	hdr_ok(CD "\"a\"; filename=\"\xc3\xa9t\xc3\xa9.wav\"\r\n", "a", "\xc3\xa9t\xc3\xa9.wav", NULL);
	hdr_ok(CD "\"a\"; filename*=UTF-8''%e2%82%ac%20rates.wav\r\n", "a", "\xe2\x82\xac rates.wav", NULL);
	hdr_ok(CD "\"a\"; filename*=utf-8'en'x.wav\r\n", "a", "x.wav", NULL);
	hdr_ok(CD "\"a\"; filename*=ISO-8859-1''%e9t%E9.wav\r\n", "a", "\xc3\xa9t\xc3\xa9.wav", NULL);
	/* RFC 6266 §4.3: filename* wins, whatever the order */
	hdr_ok(CD "\"a\"; filename=\"plain.wav\"; filename*=UTF-8''ext.wav\r\n", "a", "ext.wav", NULL);
	hdr_ok(CD "\"a\"; filename*=UTF-8''ext.wav; filename=\"plain.wav\"\r\n", "a", "ext.wav", NULL);
	/* urllib3 1.x: filename*=utf-8''... only */
	hdr_ok(CD "\"file\"; filename*=utf-8''%C3%A9.wav\r\n", "file", "\xc3\xa9.wav", NULL);
	hdr_ok(CD "\"a\"; x-unknown=\"1\"; name*=UTF-8''b\r\n", "a", NULL, NULL);      /* ignored params */
	hdr_ok(CD "\"a\"\r\nContent-Type: text/plain; charset=utf-8 \r\n", "a", NULL, "text/plain; charset=utf-8");
	hdr_ok(CD "\"a\"\r\nContent-Transfer-Encoding: binary\r\nX-Other: \t\r\n", "a", NULL, NULL);
	hdr_ok("Content-Type:\r\n" CD "\"a\"\r\n", "a", NULL, "");
	hdr_ok(CD "\"a\"\r\nX: \x80\xff\t~\r\n", "a", NULL, NULL);

	hdr_bad("", MULTIPART_E_NO_DISPOSITION);
	hdr_bad("Content-Type: text/plain\r\n", MULTIPART_E_NO_DISPOSITION);
	hdr_bad(CD "a\r\n" CD "b\r\n", MULTIPART_E_DUP_HEADER);
	hdr_bad(CD "a\r\nContent-Type: a\r\ncontent-type: b\r\n", MULTIPART_E_DUP_HEADER);
	hdr_bad(CD "a\n", MULTIPART_E_BAD_HEADER);                                    /* bare LF */
	hdr_bad(CD "a\rX: y\r\n", MULTIPART_E_BAD_HEADER);                            /* bare CR */
	hdr_bad(CD "a\r\n continued\r\n", MULTIPART_E_BAD_HEADER);                    /* folded */
	hdr_bad(CD "a\r\n\tcontinued\r\n", MULTIPART_E_BAD_HEADER);
	hdr_bad(CD "a\r\nX : y\r\n", MULTIPART_E_BAD_HEADER);                         /* space before colon */
	hdr_bad(CD "a\r\nno colon\r\n", MULTIPART_E_BAD_HEADER);
	hdr_bad(CD "a\r\n: empty name\r\n", MULTIPART_E_BAD_HEADER);
	hdr_bad(CD "a\r\nX: a\x01z\r\n", MULTIPART_E_BAD_HEADER);
	hdr_bad(CD "a\r\nX: a\x7fz\r\n", MULTIPART_E_BAD_HEADER);
	hdr_bad("Content-Disposition: attachment; name=a\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad("Content-Disposition: form-data\r\n", MULTIPART_E_BAD_DISPOSITION);   /* no name */
	hdr_bad("Content-Disposition: form-data; filename=a\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad("Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad("Content-Disposition: form-data; name=a; NAME=a\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename=x; filename=y\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=UTF-8''x; filename*=UTF-8''y\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "\"a\r\n", MULTIPART_E_BAD_DISPOSITION);                           /* unterminated */
	hdr_bad(CD "\"a\\\"\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "\r\n", MULTIPART_E_BAD_DISPOSITION);                              /* empty token */
	hdr_bad(CD "a b\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a;\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad("Content-Disposition: form-data; name = \"a\"\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=KOI8-R''x\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=UTF-8'x\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=UTF-8''%zz\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=UTF-8''%e\r\n", MULTIPART_E_BAD_DISPOSITION);
	hdr_bad(CD "a; filename*=UTF-8''%ff.wav\r\n", MULTIPART_E_BAD_DISPOSITION);   /* not UTF-8 */
	hdr_bad(CD "a; filename*=UTF-8''%e2%82\r\n", MULTIPART_E_BAD_DISPOSITION);    /* cut sequence */
	hdr_bad(CD "a; filename*=UTF-8''%c0%af\r\n", MULTIPART_E_BAD_DISPOSITION);    /* overlong */
	hdr_bad(CD "a; filename*=UTF-8''%ed%a0%80\r\n", MULTIPART_E_BAD_DISPOSITION); /* surrogate */
	hdr_bad(CD "a; filename*=UTF-8''\"x\"\r\n", MULTIPART_E_BAD_DISPOSITION);
}

TEST(caps)
{
	buf out = { 0 };
	multipart_writer w;
	multipart_writer_init(&w, &out, S("b"));
	for (int i = 0; i < LIMIT_MULTIPART_PARTS; i++)
		multipart_write_field(&w, S("f"), S("v"));
	CHECK_EQ_INT(multipart_write_end(&w), 0);
	multipart_error e;
	flat f[1];
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("b"), f, 1, &e, NULL), LIMIT_MULTIPART_PARTS);
	multipart_limits lim = { .max_parts = LIMIT_MULTIPART_PARTS - 1 };
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("b"), f, 1, &e, &lim), ERR_TOOBIG);
	CHECK(e.code == MULTIPART_E_TOO_MANY_PARTS);
	/* header lines */
	buf_reset(&out);
	buf_puts(&out, "--b\r\n" CD "a\r\n");
	for (int i = 1; i < LIMIT_MULTIPART_HEADERS; i++)
		buf_puts(&out, "X-A: 1\r\n");
	buf_puts(&out, "\r\nv\r\n--b--\r\n");
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("b"), f, 1, &e, NULL), 1);
	buf_reset(&out);
	buf_puts(&out, "--b\r\n" CD "a\r\n");
	for (int i = 0; i < LIMIT_MULTIPART_HEADERS; i++)
		buf_puts(&out, "X-A: 1\r\n");
	buf_puts(&out, "\r\nv\r\n--b--\r\n");
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("b"), f, 1, &e, NULL), ERR_TOOBIG);
	CHECK(e.code == MULTIPART_E_TOO_MANY_HEADERS);
	/* header bytes: exactly the cap (lines + blank line) passes, one more fails */
	for (int extra = 0; extra < 2; extra++) {
		buf_reset(&out);
		size_t fixed = strlen(CD "a\r\nX: \r\n\r\n");
		buf_puts(&out, "--b\r\n" CD "a\r\nX: ");
		for (size_t i = 0; i < LIMIT_MULTIPART_HEADER_BYTES - fixed + (size_t)extra; i++)
			buf_putc(&out, 'y');
		buf_puts(&out, "\r\n\r\nv\r\n--b--\r\n");
		int rc = read_all(str_make(out.data, out.len), S("b"), f, 1, &e, NULL);
		CHECK_EQ_INT(rc, extra ? ERR_TOOBIG : 1);
		if (extra)
			CHECK(e.code == MULTIPART_E_HEADERS_TOO_BIG);
	}
	/* a truncated header block under the cap is "truncated", over it "too big" */
	CHECK_EQ_INT(read_all(S("--b\r\nContent-Disp"), S("b"), f, 1, &e, NULL), ERR_INVAL);
	CHECK(e.code == MULTIPART_E_TRUNCATED);
	lim = (multipart_limits){ .max_header_bytes = 8 };
	CHECK_EQ_INT(read_all(S("--b\r\nContent-Disp"), S("b"), f, 1, &e, &lim), ERR_TOOBIG);
	CHECK(e.code == MULTIPART_E_HEADERS_TOO_BIG);
	buf_free(&out);
}

/* ---- values ------------------------------------------------------------------------------------------ */

TEST(values)
{
	multipart_value v = { S("a\\\"b\\\\c"), MULTIPART_V_QUOTED };
	char d[16];
	size_t n;
	CHECK_EQ_INT(multipart_value_decode(v, d, sizeof d, &n), 0);
	CHECK_EQ_MEM(d, n, "a\"b\\c", 5);
	CHECK(multipart_value_eq(v, S("a\"b\\c")));
	CHECK(!multipart_value_eq(v, S("a\"b\\")));
	CHECK(!multipart_value_eq(v, S("a\"b\\cd")));
	CHECK_EQ_INT(multipart_value_decode(v, d, 3, &n), ERR_TOOBIG);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_INT(multipart_value_decode(v, NULL, 0, &n), ERR_TOOBIG);
	v = (multipart_value){ S("x\\"), MULTIPART_V_QUOTED };
	CHECK_EQ_INT(multipart_value_decode(v, d, sizeof d, &n), ERR_INVAL);
	CHECK(!multipart_value_eq(v, S("x")));
	v = (multipart_value){ S("%41%e9"), MULTIPART_V_EXT_LATIN1 };
	CHECK_EQ_INT(multipart_value_decode(v, d, sizeof d, &n), 0);
	CHECK_EQ_MEM(d, n, "A\xc3\xa9", 3);
	v = (multipart_value){ S("%4"), MULTIPART_V_EXT_UTF8 };
	CHECK_EQ_INT(multipart_value_decode(v, d, sizeof d, &n), ERR_INVAL);
	v = (multipart_value){ S("%"), MULTIPART_V_EXT_UTF8 };
	CHECK_EQ_INT(multipart_value_decode(v, d, sizeof d, &n), ERR_INVAL);
	v = (multipart_value){ S("ab"), MULTIPART_V_RAW };
	CHECK(multipart_value_eq(v, S("ab")));
	CHECK(!multipart_value_eq((multipart_value){ STR_NULL, MULTIPART_V_RAW }, S("")));
	CHECK(multipart_value_eq((multipart_value){ S(""), MULTIPART_V_RAW }, S("")));
}

/* ---- writer -------------------------------------------------------------------------------------------- */

TEST(writer)
{
	buf out = { 0 };
	multipart_writer w;
	CHECK_EQ_INT(multipart_writer_init(&w, &out, S("XyZ")), 0);
	CHECK_EQ_INT(multipart_write_field(&w, S("model"), S("whisper-1")), 0);
	CHECK_EQ_INT(multipart_write_file(&w, S("file"), S("a \"q\" \\.wav"), S(""), str_make(WAV, WAVN)), 0);
	CHECK_EQ_INT(multipart_write_part(&w, S("Content-Disposition: form-data; name=\"raw\"\r\nX-K: v\r\n"), S("r")), 0);
	CHECK_EQ_INT(multipart_write_end(&w), 0);
	static const char want[] = "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
				   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\" \\\\.wav\"\r\n"
				   "Content-Type: application/octet-stream\r\n\r\n" WAV "\r\n"
				   "--XyZ\r\nContent-Disposition: form-data; name=\"raw\"\r\nX-K: v\r\n\r\nr\r\n"
				   "--XyZ--\r\n";
	CHECK_EQ_MEM(out.data, out.len, want, sizeof want - 1);
	flat f[4];
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("XyZ"), f, 4, NULL, NULL), 3);
	CHECK_EQ_STR(f[1].filename, "a \"q\" \\.wav");
	CHECK(str_eq_cstr(f[2].head, "Content-Disposition: form-data; name=\"raw\"\r\nX-K: v\r\n"));
	/* after the end: ERR_STATE */
	CHECK_EQ_INT(multipart_write_field(&w, S("a"), S("b")), ERR_STATE);
	CHECK_EQ_INT(multipart_write_end(&w), ERR_STATE);

	/* refusals, sticky */
	static const struct { const char *name, *fname, *ctype, *data; } bad[] = {
		{ "a\r\nb", NULL, NULL, "" }, { "a\nb", NULL, NULL, "" }, { "a\x01", NULL, NULL, "" },
		{ "a", NULL, NULL, "x\r\n--XyZ" }, { "a", NULL, NULL, "--XyZ tail" }, { "a", NULL, NULL, "--XyZ" },
		{ "a", "f\r", NULL, "" }, { "a", "f", "text/plain\r\nX: y", "" }, { "a", "f", " text", "" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		buf_reset(&out);
		multipart_writer_init(&w, &out, S("XyZ"));
		int rc = bad[i].fname ? multipart_write_file(&w, str_from(bad[i].name), str_from(bad[i].fname),
							     str_from(bad[i].ctype), str_from(bad[i].data))
				      : multipart_write_field(&w, str_from(bad[i].name), str_from(bad[i].data));
		if (rc != ERR_INVAL)
			T_FAIL_AT("bad[%zu]: rc %d", i, rc);
		CHECK_EQ_INT(out.len, 0);
		CHECK_EQ_INT(multipart_write_field(&w, S("ok"), S("ok")), ERR_INVAL);
		CHECK_EQ_INT(multipart_write_end(&w), ERR_INVAL);
	}
	/* near misses are fine */
	buf_reset(&out);
	multipart_writer_init(&w, &out, S("XyZ"));
	CHECK_EQ_INT(multipart_write_field(&w, S("a\tb"), S("x\r\n-XyZ\n--XyZ\r--XyZ-XyZ --XyZ")), 0);
	CHECK_EQ_INT(multipart_write_field(&w, S("\xc3\xa9"), S("\r\n--Xy")), 0);
	CHECK_EQ_INT(multipart_write_field(&w, S("e"), S("")), 0);
	CHECK_EQ_INT(multipart_write_end(&w), 0);
	CHECK_EQ_INT(read_all(str_make(out.data, out.len), S("XyZ"), f, 4, NULL, NULL), 3);
	CHECK(str_eq_cstr(f[0].data, "x\r\n-XyZ\n--XyZ\r--XyZ-XyZ --XyZ"));
	CHECK_EQ_STR(f[1].name, "\xc3\xa9");
	CHECK(str_eq_cstr(f[1].data, "\r\n--Xy"));
	CHECK(f[2].data.n == 0);
	/* raw heads must be header lines */
	static const char *const bad_heads[] = { "", "X: y", "X: y\r\n\r\n", "\r\nX: y\r\n", "X: y\n" };
	for (size_t i = 0; i < sizeof bad_heads / sizeof bad_heads[0]; i++) {
		multipart_writer_init(&w, &out, S("XyZ"));
		CHECK_EQ_INT(multipart_write_part(&w, str_from(bad_heads[i]), S("d")), ERR_INVAL);
	}
	/* a bad boundary */
	CHECK_EQ_INT(multipart_writer_init(&w, &out, S("a;b")), ERR_INVAL);
	CHECK_EQ_INT(multipart_write_field(&w, S("a"), S("b")), ERR_INVAL);
	CHECK(!multipart_data_ok(S(""), S("x")));
	CHECK(multipart_data_ok(S("b"), S("")));
	/* the buffer's cap */
	buf small = { 0 };
	buf_init(&small, 20);
	multipart_writer_init(&w, &small, S("b"));
	CHECK_EQ_INT(multipart_write_field(&w, S("name"), S("0123456789")), ERR_TOOBIG);
	CHECK_EQ_INT(multipart_write_end(&w), ERR_TOOBIG);
	buf_free(&small);
	buf_free(&out);
}

int main(void)
{
	RUN(content_type);
	RUN(content_type_render);
	RUN(from_curl);
	RUN(from_curl_escapes);
	RUN(from_requests);
	RUN(from_openai_sdk);
	RUN(every_prefix);
	RUN(every_byte_flip);
	RUN(boundary_every_length_and_char);
	RUN(preamble_epilogue_padding);
	RUN(part_headers);
	RUN(caps);
	RUN(values);
	RUN(writer);
	return t_done();
}
