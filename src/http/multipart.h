/* multipart.h — multipart/form-data (RFC 7578 over RFC 2046 §5.1): a strict,
 * zero-copy reader of a whole body already in memory, the boundary from a
 * Content-Type, and a writer. Pure: no I/O, clock, environment or globals;
 * bytes in, slices (into the caller's bytes) or bytes out.
 *
 * Reader rules (what is accepted):
 *  - boundary: 1..70 characters of RFC 2046 bchars, not ending in a space;
 *    from `boundary=` as a token or a quoted-string (a quoted boundary with
 *    a backslash is refused: no bchar needs one);
 *  - a preamble before the first delimiter (ignored); the first delimiter is
 *    "--B" at the start of the body or "\r\n--B" anywhere; every later one is
 *    "\r\n--B"; a delimiter line may carry transport padding (spaces, tabs)
 *    before its CRLF; the close delimiter "--B--" is followed by padding and
 *    then the end of the body or CRLF + an epilogue (ignored);
 *  - "\r\n--B" followed by anything else is an error (RFC 2046: the
 *    delimiter must not occur inside a part), and content that begins with
 *    "--B" right after the blank line is read as an empty part followed by a
 *    delimiter (as Go's mime/multipart does);
 *  - part headers: lines ending in CRLF (a bare CR or LF, a folded line, a
 *    space before the colon, a control character other than HTAB -> error);
 *    bytes >= 0x80 are allowed in values (raw UTF-8 filenames); names
 *    compared case-insensitively; Content-Disposition and Content-Type at most
 *    once, other headers ignored (RFC 7578 §4.8);
 *  - Content-Disposition: `form-data` then `; param=value` pairs (value a
 *    token or quoted-string with backslash escapes; OWS around ';' only);
 *    `name` required; `filename` and `filename*` (RFC 5987 ext-value,
 *    charset UTF-8 or ISO-8859-1; filename* wins when both are present,
 *    RFC 6266 §4.3); a parameter given twice is an error, unknown ones are
 *    ignored; percent-encodings in plain values (HTML5 "%22") are NOT decoded;
 *  - caps (base/limits.h, or the caller's): parts per body, bytes per part
 *    header block, header lines per part.
 * Writer: "--B\r\n<headers>\r\n<content>\r\n" per part and "--B--\r\n"
 * (the layout of curl and the SDKs); names and filenames as quoted-strings
 * with '"' and '\' backslash-escaped. What it writes, the reader reads back
 * part for part. */
#ifndef HTTP_MULTIPART_H
#define HTTP_MULTIPART_H
#include <stdbool.h>
#include <stddef.h>
#include "base/buf.h"
#include "base/str.h"

#define MULTIPART_BOUNDARY_MAX 70

/* Why a Content-Type or body was refused. */
typedef enum multipart_code {
	MULTIPART_OK = 0,
	MULTIPART_E_NOT_FORM,         /* the media type is not multipart/form-data */
	MULTIPART_E_BAD_CTYPE,        /* malformed Content-Type parameters */
	MULTIPART_E_NO_BOUNDARY,      /* no boundary parameter */
	MULTIPART_E_BAD_BOUNDARY,     /* empty, over 70, not bchars, ends in a space, twice, bad quoting */
	MULTIPART_E_NO_DELIMITER,     /* the body holds no opening delimiter */
	MULTIPART_E_BAD_DELIMITER,    /* a delimiter not followed by padding + CRLF or "--" */
	MULTIPART_E_TRUNCATED,        /* the body ends before the close delimiter */
	MULTIPART_E_BAD_HEADER,       /* malformed part header line */
	MULTIPART_E_HEADERS_TOO_BIG,  /* a part's header block over the cap */
	MULTIPART_E_TOO_MANY_HEADERS, /* header lines in one part over the cap */
	MULTIPART_E_DUP_HEADER,       /* Content-Disposition or Content-Type twice */
	MULTIPART_E_NO_DISPOSITION,   /* a part without Content-Disposition */
	MULTIPART_E_BAD_DISPOSITION,  /* not form-data, bad/duplicate parameter, no name, bad filename* */
	MULTIPART_E_TOO_MANY_PARTS,   /* parts over the cap */
	MULTIPART_E__COUNT
} multipart_code;

/* Short English text for a code ("truncated body", ...); never NULL. */
const char *multipart_code_str(multipart_code c);

typedef struct multipart_error {
	multipart_code code;
	size_t off;                   /* byte offset in the input where it was found */
} multipart_error;

/* ---- the Content-Type -------------------------------------------------------------- */

/* Is the media type of content_type multipart/form-data (any case,
 * parameters not checked)? */
bool multipart_is_form(str content_type);

/* The boundary of a multipart/form-data Content-Type: 0 with *boundary a
 * slice of content_type (without quotes), or ERR_INVAL with e->code one of
 * NOT_FORM, BAD_CTYPE, NO_BOUNDARY, BAD_BOUNDARY. e may be NULL. */
int multipart_boundary(str content_type, str *boundary, multipart_error *e);

/* Is b a valid boundary (1..70 bchars, not ending in a space)? */
bool multipart_boundary_valid(str b);

/* ---- values ----------------------------------------------------------------------------- */

typedef enum multipart_venc {
	MULTIPART_V_RAW = 0,          /* the bytes as they are (a token) */
	MULTIPART_V_QUOTED,           /* inside a quoted-string: backslash escapes to undo */
	MULTIPART_V_EXT_UTF8,         /* RFC 5987 value-chars, %XX to decode (UTF-8) */
	MULTIPART_V_EXT_LATIN1,       /* the same in ISO-8859-1 (decoded to UTF-8) */
} multipart_venc;

/* A parameter value as it appears in the body (zero-copy). */
typedef struct multipart_value {
	str raw;                      /* slice of the body; raw.p == NULL: absent */
	multipart_venc enc;
} multipart_value;

/* Decode v into dst[0..cap) (no NUL added): 0 with *len, ERR_TOOBIG when
 * cap is too small (*len = the size needed), ERR_INVAL when v is malformed
 * (cannot happen for values the reader returned). dst may be NULL when cap
 * is 0 (to learn the size). */
int multipart_value_decode(multipart_value v, char *dst, size_t cap, size_t *len);
/* Does the decoded v equal s (byte for byte)? Absent v equals nothing. */
bool multipart_value_eq(multipart_value v, str s);

/* ---- reader -------------------------------------------------------------------------------- */

typedef struct multipart_part {
	multipart_value name;         /* name= (always present) */
	multipart_value filename;     /* filename* if given, else filename; absent: not a file part */
	bool is_file;                 /* filename or filename* was given (possibly empty) */
	str content_type;             /* the part's Content-Type value, trimmed; p NULL when absent */
	str head;                     /* the header lines as sent, each with its CRLF (not the blank line) */
	str data;                     /* the content */
} multipart_part;

/* Caps; 0 = the default from base/limits.h. */
typedef struct multipart_limits {
	size_t max_parts;             /* LIMIT_MULTIPART_PARTS */
	size_t max_header_bytes;      /* LIMIT_MULTIPART_HEADER_BYTES (header lines + blank line) */
	size_t max_headers;           /* LIMIT_MULTIPART_HEADERS */
} multipart_limits;

/* Reads parts one by one out of a whole body. Borrowed: body and boundary
 * must outlive the reader and every part it returned. */
typedef struct multipart_reader {
	str body;
	str boundary;
	multipart_limits lim;
	size_t pos;                   /* next byte */
	size_t nparts;
	int state;                    /* internal */
	int rc;                       /* sticky result once ended */
	multipart_error err;
} multipart_reader;

/* boundary must be valid (multipart_boundary_valid; else every read fails
 * with BAD_BOUNDARY). lim may be NULL. */
void multipart_reader_init(multipart_reader *r, str body, str boundary, const multipart_limits *lim);
/* The next part: 1 with *p, 0 after the close delimiter (no more parts), or
 * ERR_INVAL / ERR_TOOBIG (caps) with r->err. Once 0 or an error, every
 * further call returns the same. */
int multipart_next(multipart_reader *r, multipart_part *p);

/* ---- writer ---------------------------------------------------------------------------------- */

/* Appends a body to out. Errors are sticky: after one, every call returns
 * it and writes nothing more (out then holds a partial body: reset it). */
typedef struct multipart_writer {
	buf *out;
	str boundary;                 /* borrowed */
	int err;
	bool closed;
} multipart_writer;

/* 0, or ERR_INVAL when boundary is not valid (then sticky). */
int multipart_writer_init(multipart_writer *w, buf *out, str boundary);
/* Can data be a part's content under boundary b (it does not start with
 * "--b" and holds no "\r\n--b")? */
bool multipart_data_ok(str b, str data);
/* A field: Content-Disposition: form-data; name="<name>". 0, ERR_INVAL (name
 * with CR, LF, NUL or another control character but HTAB; data not
 * multipart_data_ok), or a buf error. */
int multipart_write_field(multipart_writer *w, str name, str value);
/* A file part: name, filename (quoted-string; same rules as name), a
 * Content-Type line (content_type.n == 0: application/octet-stream; CR/LF/
 * controls -> ERR_INVAL), the data. */
int multipart_write_file(multipart_writer *w, str name, str filename, str content_type, str data);
/* A part from its header lines as they are (multipart_part.head: non-empty,
 * each line ending in CRLF, no blank line) and content. ERR_INVAL when head
 * is not such or data is not multipart_data_ok. */
int multipart_write_part(multipart_writer *w, str head, str data);
/* The close delimiter "--B--\r\n". Returns the sticky result (0 when the
 * whole body was written). */
int multipart_write_end(multipart_writer *w);

/* "multipart/form-data; boundary=<b>" (b quoted when it is not a token)
 * into dst with a NUL: its length, or ERR_TOOBIG / ERR_INVAL (bad b). */
int multipart_content_type(str boundary, char *dst, size_t cap);

#endif
