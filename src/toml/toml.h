/* toml.h — a complete TOML 1.0.0 parser into an arena tree.
 * Pure: bytes in, tree out; no I/O, no globals. Every value and key keeps its
 * line:col so that config errors can point at the source.
 *
 * Accepted is exactly TOML 1.0.0 (toml-test's 1.0.0 suite passes): TOML 1.1
 * additions (\e and \xHH escapes, newlines and trailing commas in inline
 * tables, times without seconds) are rejected. The document must be valid
 * UTF-8; one leading UTF-8 BOM is skipped. Multi-line strings get CRLF
 * normalised to LF. The tree is at most LIMIT_TOML_DEPTH containers deep
 * (root = 0, each table or array below it one level; so an array of tables
 * and its element are two), and walking it recursively is safe. */
#ifndef TOML_TOML_H
#define TOML_TOML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"

typedef enum toml_type {
	TOML_STRING = 1,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,        /* offset date-time: 1979-05-27T07:32:00Z / +hh:mm */
	TOML_DATETIME_LOCAL,  /* local date-time: 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,      /* 1979-05-27 */
	TOML_TIME_LOCAL,      /* 07:32:00 */
	TOML_ARRAY,
	TOML_TABLE
} toml_type;

typedef struct toml_pos {
	uint32_t line;  /* 1-based */
	uint32_t col;   /* 1-based, in bytes */
} toml_pos;

typedef struct toml_datetime {
	int year, month, day;          /* valid when the type has a date */
	int hour, minute, second;      /* valid when the type has a time */
	uint32_t nanos;                /* fractional seconds, truncated (not rounded) to ns */
	int frac_digits;               /* digits written after '.', 0 if none (may exceed 9) */
	int offset_minutes;            /* TOML_DATETIME only; Z = 0 */
	bool offset_z;                 /* written as Z/z (vs +00:00) */
} toml_datetime;

typedef struct toml_value toml_value;

typedef struct toml_kv {
	const char *key;    /* unescaped, NUL-terminated (may contain NUL only via \u0000: use key_len) */
	size_t key_len;
	toml_pos key_pos;   /* where this key was written (for dotted keys: the segment) */
	toml_value *val;
} toml_kv;

struct toml_value {
	toml_type type;
	toml_pos pos;       /* where the value starts; for a [table] or [[table]] element the '[' of
	                     * its header, for an implicit or dotted-key table its first mention
	                     * (moved to the header / dotted key that later defines it) */
	union {
		struct { const char *p; size_t n; } s;          /* STRING: unescaped UTF-8, NUL-terminated */
		int64_t i;                                       /* INTEGER */
		double f;                                        /* FLOAT (inf/nan included) */
		bool b;                                          /* BOOL */
		toml_datetime dt;                                /* the four date/time types */
		struct { toml_value **items; size_t n; } arr;    /* ARRAY */
		struct { toml_kv *items; size_t n; } tab;        /* TABLE: keys in document order */
	} u;
	/* Parser bookkeeping (also useful to config): */
	unsigned flags;
};

/* Exactly one flag is set on every table and array except the root (0). */
enum {
	TOML_F_INLINE      = 1,  /* inline table / array literal: closed to later additions */
	TOML_F_AOT         = 2,  /* array of tables ([[x]]); its elements are EXPLICIT tables */
	TOML_F_EXPLICIT    = 4,  /* table defined by a [header] (or a [[header]] element) */
	TOML_F_DOTTED      = 8,  /* table defined by dotted keys (a.b = 1) */
	TOML_F_IMPLICIT    = 16  /* table only implied by a header prefix ([a] of [a.b]), not defined */
};

typedef struct toml_error {
	toml_pos pos;
	char msg[200];   /* e.g. "duplicate key 'name'", "expected '=' after key" */
} toml_error;

/* Parse text[0..len). On success *root is a TOML_TABLE in arena a and 0 is
 * returned; the tree (all strings and keys are copies) lives until the arena
 * is reset or freed, text may be released at once. On failure returns
 * ERR_INVAL (syntax/semantic, incl. duplicates and out-of-range numbers or
 * dates), ERR_UTF8, ERR_DEPTH, ERR_NOMEM (incl. the arena's cap) or ERR_TOOBIG
 * (len > 4 GiB), fills *err (line:col of the offending byte; col counts bytes
 * from 1, after a BOM on line 1) and leaves *root NULL; what was allocated
 * stays in the arena until its reset. The text need not be NUL-terminated;
 * text may be NULL when len is 0; err may be NULL. Scratch memory of the parse
 * itself (malloc) is freed before returning. */
int toml_parse(arena *a, const char *text, size_t len, toml_value **root, toml_error *err);

/* Lookup of a direct key in a table (NULL if absent or t is not a table).
 * Linear in the table size; keys containing NUL are only reachable by
 * iterating t->u.tab.items. */
const toml_value *toml_get(const toml_value *t, const char *key);
const toml_kv *toml_get_kv(const toml_value *t, const char *key);
/* Name of a type for messages: "string", "integer", "float", "boolean",
 * "offset datetime", "local datetime", "local date", "local time", "array", "table". */
const char *toml_type_name(toml_type t);

#endif
