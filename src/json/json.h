/* json.h — strict JSON reader (RFC 8259) on top of the jsmn tokenizer.
 * Pure: bytes in, a flat token array out; no I/O, no clock, no globals.
 * Tokens are byte offsets into the caller's input (zero copy): the input must
 * stay alive and unchanged for as long as the json_doc is used.
 *
 * What "strict" means here (everything else is rejected):
 *   - exactly one value, optionally surrounded by whitespace (space, \t, \n,
 *     \r); top-level scalars are allowed; no BOM, no trailing garbage;
 *   - no trailing commas, no missing commas/colons, keys must be strings;
 *   - numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 *     literals: exactly true, false, null;
 *   - strings: no raw control characters (< 0x20), only the escapes
 *     \" \\ \/ \b \f \n \r \t \uXXXX; \u escapes of surrogates must form a
 *     high+low pair: a lone surrogate is rejected (ERR_UTF8), so every string
 *     unescapes to valid UTF-8; raw bytes must be valid UTF-8 (no overlongs,
 *     no encoded surrogates, nothing above U+10FFFF), else ERR_UTF8;
 *   - \u0000 is accepted: an unescaped string may contain NUL bytes (use the
 *     returned length, not strlen);
 *   - duplicate object keys are accepted; lookups return the LAST occurrence
 *     (like JSON.parse, Python and Go), iteration sees all of them.
 *
 * Limits: nesting depth (default LIMIT_JSON_DEPTH, error ERR_DEPTH), token
 * count (default LIMIT_JSON_TOKENS, or the caller's array size; ERR_TOOBIG),
 * input length < 2^31 bytes (ERR_TOOBIG), max_depth at most JSON_DEPTH_MAX.
 * A valid document of n bytes has at most (n + 1) / 2 tokens.
 *
 * How: json_validate() (ours) checks the grammar and counts tokens, then
 * jsmn tokenizes the now known-valid input and the tokens are converted in
 * place. Errors always come from the validator, at the first offending byte.
 *
 * Token references are plain ints: a valid index is >= 0, and the lookup
 * functions return a negative err_t instead (ERR_NOTFOUND, ERR_TYPE, ...).
 * Token 0 is the root value. */
#ifndef JSON_JSON_H
#define JSON_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/str.h"

typedef enum json_type {
	JSON_NONE = 0,   /* not a token (bad index) */
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
} json_type;

/* json_tok.flags */
#define JSON_F_ESCAPED 0x01u  /* STRING: contains at least one backslash escape */
#define JSON_F_INT     0x02u  /* NUMBER: integer syntax (no fraction, no exponent) */
#define JSON_F_KEY     0x04u  /* STRING: is an object key */

/* One value. For a string, [start, end) includes the quotes. Object members
 * are laid out as key token, value token (subtree), key, value, ...
 * 20 bytes; callers may declare arrays of them but should read them through
 * the accessors below. */
typedef struct json_tok {
	uint32_t start;   /* offset of the value's first byte in the input */
	uint32_t end;     /* offset one past its last byte */
	uint32_t next;    /* index of the first token after this value's subtree */
	uint32_t size;    /* ARRAY: elements; OBJECT: members (key+value pairs); else 0 */
	uint8_t type;     /* json_type */
	uint8_t flags;    /* JSON_F_* */
	uint16_t pad_;
} json_tok;

typedef struct json_doc {
	const char *js;   /* the input (not owned) */
	size_t len;
	json_tok *tok;    /* not owned: the caller's array or arena memory */
	int ntok;         /* tokens in use; > 0 after a successful parse */
} json_doc;

#define JSON_DEPTH_MAX 1024u  /* hard ceiling for json_opts.max_depth (clamped) */

typedef struct json_opts {
	uint32_t max_depth;   /* 0 = LIMIT_JSON_DEPTH; arrays/objects nested deeper -> ERR_DEPTH */
	uint32_t max_tokens;  /* 0 = LIMIT_JSON_TOKENS; more tokens -> ERR_TOOBIG */
} json_opts;

/* Why a parse failed. */
typedef struct json_err {
	int code;         /* err_t: ERR_INVAL, ERR_UTF8, ERR_DEPTH, ERR_TOOBIG, ERR_NOMEM */
	size_t offset;    /* byte offset in the input where the problem was found */
	char msg[96];     /* human message including the offset, NUL-terminated */
} json_err;

/* Parse js[0..len) into the caller's token array toks[0..ntoks).
 * Returns the number of tokens used (> 0) or a negative err_t:
 *   ERR_INVAL  malformed JSON (syntax, numbers, escapes, control characters,
 *              truncated input, trailing data), ERR_UTF8 invalid UTF-8 or lone
 *              surrogate escape, ERR_DEPTH nesting over the cap, ERR_TOOBIG more
 *              tokens than min(ntoks, max_tokens) or input >= 2^31 bytes.
 * On error *err (may be NULL) says why and where, and *doc is emptied.
 * opts may be NULL (defaults). toks may be NULL only when ntoks is 0. */
int json_parse(json_doc *doc, const char *js, size_t len, json_tok *toks,
	size_t ntoks, const json_opts *opts, json_err *err);

/* Same, with the token array allocated from a (exactly the number needed).
 * Also ERR_NOMEM when the arena refuses. */
int json_parse_arena(json_doc *doc, arena *a, const char *js, size_t len,
	const json_opts *opts, json_err *err);

/* Only check that js[0..len) is one valid JSON document (same rules, limits
 * and errors as json_parse with max_tokens as the token cap). Returns the
 * number of tokens it would need (> 0) or a negative err_t. */
int json_validate(const char *js, size_t len, const json_opts *opts, json_err *err);

/* --- walking ---------------------------------------------------------- */

/* JSON_NONE when i is not a token of d. */
json_type json_typeof(const json_doc *d, int i);
const char *json_type_name(json_type t);   /* "null", "number", ..., never NULL */
/* Element count of an array, member count of an object, 0 otherwise. */
size_t json_size(const json_doc *d, int i);
/* Index of the first token after i's subtree (O(1) skip); may equal d->ntok.
 * ERR_NOTFOUND for a bad index. */
int json_skip(const json_doc *d, int i);
/* The exact bytes of value i as they appear in the input (strings with their
 * quotes, containers with their brackets): pass it through byte for byte.
 * Empty slice for a bad index. */
str json_raw(const json_doc *d, int i);

/* Value of key in object obj (key compared after unescaping, byte-exact).
 * Last occurrence wins. ERR_TYPE when obj is not an object, ERR_NOTFOUND when
 * absent. json_getn takes a slice (may contain NUL). */
int json_get(const json_doc *d, int obj, const char *key);
int json_getn(const json_doc *d, int obj, str key);
/* Element idx of array arr, O(idx). ERR_TYPE / ERR_NOTFOUND (out of range). */
int json_at(const json_doc *d, int arr, size_t idx);
/* Follow a dotted path from token from: "choices.0.message.content".
 * On an object a segment is a key (even "0"); on an array it must be a
 * decimal index ([0-9]+). "" returns from itself. A key containing '.' cannot
 * be reached this way (use json_get). ERR_NOTFOUND when a key is absent or an
 * index is out of range, ERR_TYPE when the path steps into a scalar or uses a
 * non-numeric segment on an array. */
int json_path(const json_doc *d, int from, const char *path);

/* Iterate an array's elements or an object's members:
 *   json_iter it = json_iter_begin(d, i); int k, v;
 *   while (json_iter_next(d, &it, &k, &v)) ...
 * Arrays give k = -1. A non-container gives an empty iteration. */
typedef struct json_iter {
	int next;         /* token index of the next element / key */
	uint32_t left;    /* elements or members still to visit */
	bool object;
} json_iter;
json_iter json_iter_begin(const json_doc *d, int i);
/* key and val may be NULL. false when done. */
bool json_iter_next(const json_doc *d, json_iter *it, int *key, int *val);

/* --- strings --------------------------------------------------------- */

/* The string's contents exactly as written (escapes not decoded, no quotes).
 * ERR_TYPE when i is not a string. */
int json_str_raw(const json_doc *d, int i, str *out);
/* The unescaped string. Zero copy when it has no escapes (*out points into
 * the input, not NUL-terminated); otherwise decoded into a (NUL-terminated).
 * ERR_TYPE, ERR_NOMEM. */
int json_str(const json_doc *d, int i, arena *a, str *out);
/* Always a NUL-terminated copy in a (contents may hold NUL via \u0000). */
int json_str_dup(const json_doc *d, int i, arena *a, str *out);
/* Unescape into dst[0..cap); returns the decoded length (which is never more
 * than the raw length, so cap = raw length + 1 always suffices) and
 * NUL-terminates when there is room. ERR_TYPE, ERR_TOOBIG (dst too small:
 * nothing useful written). */
int json_str_copy(const json_doc *d, int i, char *dst, size_t cap);
/* Append the unescaped string to b: 0, ERR_TYPE, ERR_TOOBIG, ERR_NOMEM. */
int json_str_buf(const json_doc *d, int i, buf *b);
/* Does string token i unescape to exactly s? false for a non-string. */
bool json_str_eq(const json_doc *d, int i, str s);
/* Decode the contents of a valid JSON string (no quotes) into dst, which must
 * have room for n bytes; returns the decoded length. Input must have been
 * validated (by json_parse): behaviour on invalid escapes is unspecified but
 * memory-safe. */
size_t json_unescape(const char *s, size_t n, char *dst);

/* --- numbers, literals ------------------------------------------------ */

/* Exact integer value of a number token. Accepts any notation whose value is
 * an integer (1, -0, 1.0, 1e3, 12.5e1); ERR_TYPE for a non-number or a
 * non-integral value (1.5), ERR_RANGE when outside int64_t / uint64_t
 * (negative values for u64, except -0). */
int json_i64(const json_doc *d, int i, int64_t *out);
int json_u64(const json_doc *d, int i, uint64_t *out);
/* Correctly rounded double. Up to 15 significant digits with a decimal
 * exponent within +-22 (most real-world numbers) are computed exactly by one
 * IEEE multiply or divide; anything else is normalised to an integer
 * significand + exponent (no decimal point, at most 800 digits plus a sticky
 * digit) and handed to strtod, so the result does not depend on LC_NUMERIC;
 * musl's and glibc's strtod round correctly (about 1 us per call on musl). Underflow gives 0 or a subnormal and returns 0; overflow gives
 * +-HUGE_VAL and returns ERR_RANGE. ERR_TYPE for a non-number. */
int json_double(const json_doc *d, int i, double *out);
/* The same three on the text of a JSON number (ERR_INVAL when p[0..n) is not
 * exactly one JSON number). */
int json_num_i64(const char *p, size_t n, int64_t *out);
int json_num_u64(const char *p, size_t n, uint64_t *out);
int json_num_double(const char *p, size_t n, double *out);
/* true/false -> 0; ERR_TYPE otherwise. */
int json_bool(const json_doc *d, int i, bool *out);
bool json_is_null(const json_doc *d, int i);

/* --- UTF-8 (shared with the writer) ------------------------------------- */

/* Length (1..4) of the valid UTF-8 sequence at s[0..n), or -(length of the
 * maximal invalid subpart, >= 1) when it is not valid (Unicode's
 * "maximal subpart" rule, for U+FFFD substitution). n must be > 0. */
int json_utf8_seq(const unsigned char *s, size_t n);
/* Is s[0..n) valid UTF-8? */
bool json_utf8_valid(const char *s, size_t n);

#endif
