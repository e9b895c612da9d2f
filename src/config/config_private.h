/* config_private.h — internals shared by the config_*.c files (and their
 * unit tests): the ${VAR} position map and the error helpers. Not a contract
 * for other layers. */
#ifndef CONFIG_CONFIG_PRIVATE_H
#define CONFIG_CONFIG_PRIVATE_H
#include "config/config.h"

/* One substitution: text[in_off..in_off+in_len) ("${NAME}") became
 * out[out_off..out_off+out_len) (the value). */
typedef struct config_sub {
	size_t out_off, out_len, in_off, in_len;
} config_sub;

/* Maps positions in the interpolated text back to the original text. A
 * zero-initialised map is the identity. */
typedef struct config_srcmap {
	config_sub *subs;
	size_t n, cap;
	size_t *in_lines;    /* offsets of line starts in the original */
	size_t n_in;
	size_t *out_lines;   /* offsets of line starts in the interpolated text */
	size_t n_out;
	size_t in_len, out_len;
} config_srcmap;

/* config_interpolate() that also records the substitutions in map (may be NULL)
 * and, when any was made, the line tables of both texts. */
int config_interp_map(const char *text, size_t len, config_env_fn env, void *env_ud, size_t cap,
		      buf *out, config_srcmap *map);
/* Position in the original text of line:col of the interpolated text. Inside a
 * substituted value: the position of its "${". */
config_pos config_srcmap_pos(const config_srcmap *m, uint32_t line, uint32_t col);
void config_srcmap_free(config_srcmap *m);

/* Append an error built from fmt to errs with position pos (may be {0,0}).
 * The full text is "invalid TOML config: <msg> (<file>:<line>:<col>)", or
 * without the position suffix when exact is true. */
int config_err_add(config_errors *errs, const char *file, config_pos pos, bool exact, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Copy s into dst (cap bytes) for a message: non-printable bytes as \xNN,
 * truncated with "..." beyond max bytes. Returns dst. */
char *config_printable(const char *s, size_t n, size_t max, char *dst, size_t cap);

#endif
