/* str.h — non-owning string slices (pointer + length) and small helpers.
 * A slice never owns its bytes; whoever made it says how long they live. */
#ifndef BASE_STR_H
#define BASE_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct str {
	const char *p;
	size_t n;
} str;

#define STR_LIT(s) ((str){ (s), sizeof(s) - 1 })
#define STR_NULL ((str){ NULL, 0 })
#define STR_FMT "%.*s"
#define STR_ARG(s) (int)(s).n, (s).p

str str_from(const char *cstr); /* NULL -> empty */
static inline str str_make(const char *p, size_t n) { return (str){ p, n }; }
bool str_eq(str a, str b);
bool str_eq_cstr(str a, const char *b);
bool str_eq_nocase(str a, str b);   /* ASCII case-insensitive */
bool str_starts_with(str s, str prefix);
bool str_ends_with(str s, str suffix);
bool str_starts_with_nocase(str s, str prefix);
/* Index of the first c in s, or -1. */
ptrdiff_t str_index(str s, char c);
ptrdiff_t str_find(str hay, str needle);
str str_slice(str s, size_t from, size_t to); /* clamped */
str str_trim(str s);  /* ASCII space/tab/CR/LF on both ends */
/* Split at the first sep: *head gets the part before, returns true when found
 * (then *tail gets the rest); otherwise *head = s, *tail = empty. */
bool str_cut(str s, char sep, str *head, str *tail);
/* Whole-string unsigned decimal parse, no sign, no spaces; false on overflow/garbage. */
bool str_to_u64(str s, uint64_t *out);
/* Copy into a NUL-terminated buffer of size cap (truncating); returns dst. */
char *str_to_cbuf(str s, char *dst, size_t cap);
/* Glob match ('*' any run, '?' one byte, [...] classes), as in shell patterns. */
bool str_glob(str pattern, str s);

#endif
