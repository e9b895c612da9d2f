/* sigv4.h — AWS Signature Version 4 (AWS4-HMAC-SHA256) request signing, as
 * used for Bedrock (service "bedrock", host bedrock-runtime.<region>...).
 * Pure: the time and the credentials are passed in; no clock, env or I/O.
 *
 *   sigv4_header h[] = { { "content-type", 12, "application/json", 16 } };
 *   sigv4_input in = { .method = "POST",
 *       .host = "bedrock-runtime.us-east-1.amazonaws.com",
 *       .path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
 *       .headers = h, .nheaders = 1, .body = body, .body_len = n,
 *       .region = "us-east-1", .service = "bedrock",
 *       .access_key_id = ak, .secret_access_key = sk, .session_token = tok,
 *       .time = now_unix_seconds };
 *   sigv4_output out = {0};
 *   if (sigv4_sign(&in, &out) == 0)
 *       for (size_t i = 0; i < out.nadd; i++) add out.add[i] to the request;
 *   sigv4_output_free(&out);
 *
 * Rules implemented (non-S3 services unless .s3_path):
 *  - Canonical URI: the request path exactly as sent on the wire, normalised
 *    (empty and "." segments dropped, ".." pops one, leading and trailing "/"
 *    kept) and then every segment URI-encoded once more. A path that is already
 *    percent-encoded is thus encoded twice, as AWS requires for every service
 *    but S3: a Bedrock model id "...-v1:0" is sent as "...-v1%3A0" (see
 *    sigv4_uri_encode) and appears in the canonical request as "...-v1%253A0".
 *    With .s3_path the path is used as given (no normalising, no re-encoding).
 *  - URI encoding: bytes A-Z a-z 0-9 - _ . ~ kept, every other byte %XX with
 *    upper-case hex (UTF-8 bytes encoded one by one).
 *  - Canonical query from decoded name/value pairs: both encoded, sorted by
 *    encoded name then encoded value, joined "n=v&n=v" ("n=" for empty values).
 *  - Canonical headers: host, x-amz-date, x-amz-security-token (only with a
 *    session token), x-amz-content-sha256 (only with .add_content_sha256) and
 *    the caller's .headers (e.g. content-type): names lower-cased, values
 *    trimmed with inner runs of blanks collapsed to one space, sorted by name;
 *    repeated names are joined with "," in input order.
 *  - Payload hash: lower-case hex SHA-256 of the exact body bytes, or
 *    .payload_hash verbatim when set (e.g. "UNSIGNED-PAYLOAD").
 *  - Signing key: kDate = HMAC("AWS4" + secret, YYYYMMDD), kRegion, kService,
 *    kSigning = HMAC(kService, "aws4_request"); signature = hex HMAC(kSigning,
 *    string to sign). Intermediate keys are wiped. */
#ifndef PROVIDERS_SIGV4_H
#define PROVIDERS_SIGV4_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

#define SIGV4_ALGORITHM     "AWS4-HMAC-SHA256"
#define SIGV4_MAX_HEADERS   128         /* caller headers (names may repeat) */
#define SIGV4_MAX_QUERY     128         /* query parameters */
#define SIGV4_MAX_TEXT      (64u << 10) /* canonical request / authorization cap */
#define SIGV4_AMZ_DATE_LEN  16          /* "20150830T123600Z" */
#define SIGV4_HEX_LEN       64          /* hex SHA-256 / signature */

/* A header or a query parameter: bytes, not NUL-terminated (the lengths count). */
typedef struct sigv4_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} sigv4_header;

typedef sigv4_header sigv4_param; /* query: decoded name and value */

typedef struct sigv4_input {
	const char *method;            /* "POST"; used verbatim */
	const char *host;              /* Host header value as sent ("h" or "h:port") */
	const char *path;              /* wire path starting with "/"; NULL or "" = "/" */
	const sigv4_param *query;      /* decoded pairs, nquery of them (may repeat) */
	size_t nquery;
	const sigv4_header *headers;   /* further headers to sign, as they will be sent */
	size_t nheaders;
	const void *body;              /* exact body bytes (NULL when body_len == 0) */
	size_t body_len;
	const char *payload_hash;      /* optional: used instead of hashing body */
	const char *region;            /* "us-east-1" */
	const char *service;           /* "bedrock" */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;     /* NULL or "" = none */
	int64_t time;                  /* signing time, Unix seconds (UTC), years 1..9999 */
	bool add_content_sha256;       /* sign and emit x-amz-content-sha256 */
	bool s3_path;                  /* S3 path rules: path used as given */
} sigv4_input;

typedef struct sigv4_output {
	char amz_date[SIGV4_AMZ_DATE_LEN + 1];  /* x-amz-date value */
	char payload_hash[SIGV4_HEX_LEN + 32];  /* hex SHA-256 of the body, or .payload_hash */
	char signature[SIGV4_HEX_LEN + 1];      /* lower-case hex */
	buf authorization;                      /* the Authorization header value */
	buf canonical_request;                  /* for tests and debugging (may hold the token) */
	buf string_to_sign;
	buf signed_headers;                     /* "host;x-amz-date" */
	/* The headers to add to the request, in this order: authorization,
	 * x-amz-date, then x-amz-security-token (when a token was given) and
	 * x-amz-content-sha256 (when asked for). Values point into this struct,
	 * except the token, which points to in->session_token (keep it alive).
	 * The request must also carry Host = in->host and the caller's headers
	 * with the values that were signed. */
	sigv4_header add[4];
	size_t nadd;
} sigv4_output;

/* Sign. out must be zero-initialised or previously freed; on success it holds
 * the results (release with sigv4_output_free). Returns 0; ERR_INVAL for a
 * missing or malformed field (empty method/host/region/service/key, a path
 * not starting with "/", a control character or CR/LF in a header, a header
 * name that is not a token, a caller header named host, authorization or
 * x-amz-date / x-amz-security-token / x-amz-content-sha256); ERR_RANGE for a
 * time outside years 1..9999; ERR_TOOBIG past the caps above; ERR_NOMEM.
 * On error out is left freed (empty). */
int sigv4_sign(const sigv4_input *in, sigv4_output *out);

/* Wipe and release out's buffers; NULL-safe; out becomes empty. */
void sigv4_output_free(sigv4_output *out);

/* Append the URI encoding of p[0..n) to b (A-Za-z0-9-_.~ kept, others %XX
 * upper-case; with keep_slash, "/" is kept too). Use it to put a Bedrock model
 * id into a request path. 0, ERR_TOOBIG or ERR_NOMEM (b unchanged on error). */
int sigv4_uri_encode(buf *b, const char *p, size_t n, bool keep_slash);

/* kSigning for (secret, date "YYYYMMDD", region, service). 0 or ERR_INVAL. */
int sigv4_signing_key(const char *secret, const char *date8, const char *region,
	const char *service, uint8_t key[32]);

/* Format a Unix time as "YYYYMMDDTHHMMSSZ" into dst (17 bytes incl. NUL).
 * 0 or ERR_RANGE (years outside 1..9999). */
int sigv4_amz_date(int64_t t, char dst[SIGV4_AMZ_DATE_LEN + 1]);

#endif
