/* log.h — leveled logging to stderr (stdout belongs to MCP stdio).
 * The logger is the one process-wide object of the project (stderr is
 * process-wide anyway): its level and its secret list are set up by main.c
 * before threads start, then only read. Every line is redacted before it is
 * written: registered secrets (master key, virtual-key tokens, provider API
 * keys) and anything shaped like a bearer token or an API key ("Bearer xxx",
 * "sk-...", "x-api-key: ...") are replaced by "[REDACTED]". Lines are written
 * with one write(2) each, so threads never interleave within a line. */
#ifndef BASE_LOG_H
#define BASE_LOG_H
#include <stddef.h>

typedef enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 } log_level;

void log_set_level(log_level lv);
log_level log_get_level(void);
/* Parse "error|warn|info|debug|trace" (case-insensitive; RUST_LOG-style
 * "liter_llm=debug,info" takes the last bare level); -1 when unknown. */
int log_level_parse(const char *s);
/* Register a secret to redact (copied; empty or < 4 bytes ignored). Call before threads start. */
void log_add_secret(const char *s, size_t n);
/* Forget all registered secrets (wipes the copies). */
void log_clear_secrets(void);
/* Send output to fd instead of 2 (tests). */
void log_set_fd(int fd);
/* Also emit JSON lines ({"ts":..,"level":..,"msg":..}) instead of text. */
void log_set_json(int on);

void log_msg(log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Redact src into dst (cap bytes, always NUL-terminated); returns strlen(dst). Pure apart from reading the secret list. */
size_t log_redact(const char *src, size_t n, char *dst, size_t cap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_get_level() >= LOG_DEBUG) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
