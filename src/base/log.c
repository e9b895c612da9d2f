/* log.c — the process-wide logger (see log.h): one line per write(2), UTC
 * timestamp, level, redacted and escaped message, capped at LIMIT_LOG_LINE.
 *
 * Redaction works on a bit mask over the formatted message: every registered
 * secret occurrence and every token-shaped value marks its bytes, then each
 * run of marked bytes is written as "[REDACTED]". Overlapping or adjacent
 * matches therefore merge, and matching always sees the whole message, so a
 * secret is redacted even when the output is cut in its middle. */
#include "base/log.h"
#include "base/clock.h"
#include "base/ct.h"
#include "base/limits.h"
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDACTED "[REDACTED]"
#define LOG_FMT_BUF (2 * LIMIT_LOG_LINE)  /* formatted message before redaction */
#define LOG_NBUCKET 1024u                 /* per tier, power of two */
#define LOG_LONG 16u                      /* secrets >= this long are indexed by 16 bytes */
#define LOG_SHORT 4u                      /* shorter ones by their first 4 bytes */
#define LOG_TAIL_TEXT "...\n"
#define LOG_TAIL_JSON "...\"}\n"

/* Secrets are chained per bucket; indices are stored + 1 (0 = end). */
typedef struct log_secret {
	char *p;
	size_t n;
	uint16_t next;
} log_secret;

/* The logger: set up by main.c before threads start, then read-only (the
 * scalars are atomics so tests and late changes stay race-free). */
static struct {
	atomic_int level, fd, json;
	size_t nsec;
	log_secret sec[LIMIT_LOG_SECRETS];
	uint16_t head[2][LOG_NBUCKET]; /* [0] short tier, [1] long tier */
} L = { .level = LOG_INFO, .fd = 2 };

_Static_assert(LIMIT_LOG_SECRETS < 65535, "secret indices are uint16_t");

void log_set_level(log_level lv) { atomic_store_explicit(&L.level, (int)lv, memory_order_relaxed); }
log_level log_get_level(void) { return (log_level)atomic_load_explicit(&L.level, memory_order_relaxed); }
void log_set_fd(int fd) { atomic_store_explicit(&L.fd, fd, memory_order_relaxed); }
void log_set_json(int on) { atomic_store_explicit(&L.json, on ? 1 : 0, memory_order_relaxed); }

/* --- level parsing ------------------------------------------------------- */

static char lc(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

static bool eq_nocase(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (lc(a[i]) != b[i])
			return false;
	return true;
}

static int level_word(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (eq_nocase(s, n, "error"))
		return LOG_ERROR;
	if (eq_nocase(s, n, "warn") || eq_nocase(s, n, "warning"))
		return LOG_WARN;
	if (eq_nocase(s, n, "info"))
		return LOG_INFO;
	if (eq_nocase(s, n, "debug") || eq_nocase(s, n, "trace"))
		return LOG_DEBUG;
	return -1;
}

/* "info", "liter_llm=debug,info" (last bare level wins); without a bare level
 * the last "liter_llm..."/"liter-llm..." directive counts. Any unknown level -> -1. */
int log_level_parse(const char *s)
{
	if (!s)
		return -1;
	int bare = -1, ours = -1;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		size_t blank = 0;
		while (blank < n && (p[blank] == ' ' || p[blank] == '\t'))
			blank++;
		if (blank == n) {
			/* empty item: ignored */
		} else if (eq) {
			int lv = level_word(eq + 1, n - (size_t)(eq - p) - 1);
			if (lv < 0)
				return -1;
			const char *t = p + blank;
			if (!strncmp(t, "liter_llm", 9) || !strncmp(t, "liter-llm", 9))
				ours = lv;
		} else {
			int lv = level_word(p, n);
			if (lv < 0)
				return -1;
			bare = lv;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return bare >= 0 ? bare : ours;
}

/* --- secrets --------------------------------------------------------------- */

static unsigned bucket_of(const char *p, size_t k)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < k; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return (h ^ h >> 15) & (LOG_NBUCKET - 1);
}

void log_add_secret(const char *s, size_t n)
{
	if (!s || n < 4 || L.nsec >= LIMIT_LOG_SECRETS)
		return; /* too short to redact safely / table full (documented cap) */
	int tier = n >= LOG_LONG;
	unsigned b = bucket_of(s, tier ? LOG_LONG : LOG_SHORT);
	for (uint16_t k = L.head[tier][b]; k; k = L.sec[k - 1].next)
		if (L.sec[k - 1].n == n && !memcmp(L.sec[k - 1].p, s, n))
			return; /* already known */
	char *p = malloc(n);
	if (!p)
		return;
	memcpy(p, s, n);
	log_secret *e = &L.sec[L.nsec];
	e->p = p;
	e->n = n;
	e->next = L.head[tier][b];
	L.head[tier][b] = (uint16_t)(++L.nsec);
}

void log_clear_secrets(void)
{
	for (size_t i = 0; i < L.nsec; i++) {
		ct_wipe(L.sec[i].p, L.sec[i].n);
		free(L.sec[i].p);
		L.sec[i].p = NULL;
		L.sec[i].n = 0;
	}
	L.nsec = 0;
	memset(L.head, 0, sizeof L.head);
}

/* --- redaction ------------------------------------------------------------- */

static void mark(uint8_t *m, size_t s, size_t e)
{
	for (size_t i = s; i < e; i++)
		m[i >> 3] |= (uint8_t)(1u << (i & 7));
}
static bool marked(const uint8_t *m, size_t i) { return m[i >> 3] >> (i & 7) & 1; }

static bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_keych(char c) { return is_alnum(c) || c == '-' || c == '_'; }
/* RFC 6750 b64token characters (without the trailing '=') */
static bool is_b64tok(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'; }
static bool is_sp(char c) { return c == ' ' || c == '\t'; }
static bool is_quote(char c) { return c == '"' || c == '\''; }
/* ends an unquoted query-parameter-like value */
static bool is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '&' || c == '"' || c == '\'' || c == ','
		|| c == ';' || c == '#' || c == ')' || c == '}' || c == ']' || c == '>' || c == '<';
}

static bool at_nocase(const char *s, size_t n, size_t i, const char *lit, size_t ln)
{
	if (n - i < ln)
		return false;
	for (size_t k = 0; k < ln; k++)
		if (lc(s[i + k]) != lit[k])
			return false;
	return true;
}

/* Names whose value is a secret: header form "name: value" (to end of line,
 * KV_HDR only), query/assignment form "name=value", JSON/dict form
 * "\"name\": \"value\"" (also single-quoted and backslash-escaped quotes). */
enum { KV_HDR = 1, KV_NOCOLON = 2 };
static const struct kv_name {
	const char *name;
	unsigned char len, flags;
} kv_names[] = {
	{ "authorization", 13, KV_HDR },
	{ "proxy-authorization", 19, KV_HDR },
	{ "x-api-key", 9, KV_HDR },
	{ "api-key", 7, KV_HDR },
	{ "x-goog-api-key", 14, KV_HDR },
	{ "x-amz-security-token", 20, KV_HDR },
	{ "api_key", 7, 0 },
	{ "apikey", 6, 0 },
	{ "key", 3, KV_NOCOLON }, /* "?key=AIza..." (Gemini); "key:" alone is too common in prose */
	{ "access_token", 12, 0 },
	{ "refresh_token", 13, 0 },
	{ "client_secret", 13, 0 },
	{ "secret_access_key", 17, 0 },
	{ "aws_secret_access_key", 21, 0 },
	{ "master_key", 10, 0 },
	{ "master-key", 10, 0 },
	{ "password", 8, 0 },
};

/* The value following a name that ends at j (quote = quote char before the name, or 0). */
static void kv_value(const char *s, size_t n, size_t j, char quote, unsigned flags, uint8_t *m)
{
	bool quoted = false;
	if (quote) {
		if (j < n && s[j] == quote) {
			j++;
			quoted = true;
		} else if (j + 1 < n && s[j] == '\\' && s[j + 1] == quote) {
			j += 2;
			quoted = true;
		}
	}
	while (j < n && is_sp(s[j]))
		j++;
	if (j >= n || (s[j] != ':' && s[j] != '='))
		return;
	char sep = s[j++];
	if (sep == ':' && !quoted && (flags & KV_NOCOLON))
		return;
	while (j < n && is_sp(s[j]))
		j++;
	if (j >= n)
		return;
	size_t st, e;
	if (is_quote(s[j]) || (s[j] == '\\' && j + 1 < n && is_quote(s[j + 1]))) {
		bool esc = s[j] == '\\';
		char q = esc ? s[j + 1] : s[j];
		st = e = j + (esc ? 2 : 1);
		while (e < n) {
			if (esc ? (s[e] == '\\' && e + 1 < n && s[e + 1] == q) : (s[e] == q))
				break;
			if (!esc && s[e] == '\\' && e + 1 < n)
				e++; /* skip the escaped character */
			e++;
		}
		if (e > n)
			e = n;
	} else if (sep == ':' && !quoted && (flags & KV_HDR)) {
		st = e = j; /* header value: to the end of the line */
		while (e < n && s[e] != '\r' && s[e] != '\n')
			e++;
	} else {
		st = e = j;
		while (e < n && !is_delim(s[e]))
			e++;
	}
	mark(m, st, e);
}

/* Token shapes anchored at i. */
static void shapes_at(const char *s, size_t n, size_t i, uint8_t *m)
{
	char c = s[i], prev = i ? s[i - 1] : ' ';
	if (is_alnum(prev))
		return; /* every shape starts at a word boundary */
	/* "Bearer <token>" in any case */
	if ((c == 'b' || c == 'B') && at_nocase(s, n, i, "bearer", 6) && i + 6 < n && is_sp(s[i + 6])) {
		size_t t = i + 6, e;
		while (t < n && is_sp(s[t]))
			t++;
		for (e = t; e < n && is_b64tok(s[e]); e++)
			;
		while (e < n && s[e] == '=')
			e++;
		mark(m, t, e);
	}
	/* "sk-..." (OpenAI, "sk-ant-..." Anthropic, "sk-proj-...") */
	if (c == 's' && n - i > 3 && s[i + 1] == 'k' && s[i + 2] == '-') {
		size_t e = i + 3;
		while (e < n && is_keych(s[e]))
			e++;
		if (e - (i + 3) >= 8)
			mark(m, i, e);
	}
	/* "AIza..." (Google API keys) */
	if (c == 'A' && n - i > 4 && !memcmp(s + i, "AIza", 4)) {
		size_t e = i + 4;
		while (e < n && is_keych(s[e]))
			e++;
		if (e - (i + 4) >= 16)
			mark(m, i, e);
	}
	/* name: value / name=value / "name": "value" */
	if (prev == '_')
		return;
	char lcc = lc(c);
	if (lcc != 'a' && lcc != 'x' && lcc != 'p' && lcc != 'k' && lcc != 'r' && lcc != 'c' && lcc != 's' && lcc != 'm')
		return;
	for (size_t k = 0; k < sizeof kv_names / sizeof kv_names[0]; k++) {
		const struct kv_name *kv = &kv_names[k];
		if (kv->name[0] != lcc || !at_nocase(s, n, i, kv->name, kv->len))
			continue;
		size_t j = i + kv->len;
		if (j < n && is_keych(s[j]))
			continue; /* longer word: "api_keys", "keyboard" */
		char quote = 0;
		if (i && is_quote(prev))
			quote = prev;
		kv_value(s, n, j, quote, kv->flags, m);
	}
}

static void secrets_at(const char *s, size_t n, size_t i, uint8_t *m)
{
	size_t rest = n - i;
	if (L.nsec == 0)
		return;
	for (int tier = 0; tier < 2; tier++) {
		size_t k = tier ? LOG_LONG : LOG_SHORT;
		if (rest < k)
			continue;
		for (uint16_t x = L.head[tier][bucket_of(s + i, k)]; x; x = L.sec[x - 1].next) {
			const log_secret *e = &L.sec[x - 1];
			if (e->n <= rest && !memcmp(s + i, e->p, e->n))
				mark(m, i, i + e->n);
		}
	}
}

/* The input was cut at n (the message was longer): whatever may be the start
 * of a secret or token at the cut is redacted too. */
static void cut_tail(const char *s, size_t n, uint8_t *m)
{
	for (size_t x = 0; x < L.nsec; x++) {
		const log_secret *e = &L.sec[x];
		for (size_t k = (e->n - 1 < n ? e->n - 1 : n); k > 0; k--)
			if (!memcmp(s + n - k, e->p, k)) {
				mark(m, n - k, n);
				break;
			}
	}
	size_t t = n;
	while (t > 0 && (is_b64tok(s[t - 1]) || s[t - 1] == '='))
		t--;
	mark(m, t, n);
}

/* Redact src[0..n) into dst (cap > 0, NUL-terminated). *all = every input
 * byte is represented in dst. in_cut: src is a prefix of a longer message. */
static size_t redact(const char *src, size_t n, bool in_cut, char *dst, size_t cap, bool *all)
{
	uint8_t stack_mask[LOG_FMT_BUF / 8 + 1];
	uint8_t *m = stack_mask;
	size_t mlen = n / 8 + 1, o = 0;
	*all = true;
	if (cap == 0)
		return 0;
	if (mlen > sizeof stack_mask) {
		m = malloc(mlen);
		if (!m) { /* fail closed */
			size_t k = sizeof REDACTED - 1 < cap - 1 ? sizeof REDACTED - 1 : cap - 1;
			memcpy(dst, REDACTED, k);
			dst[k] = '\0';
			*all = false;
			return k;
		}
	}
	memset(m, 0, mlen);
	for (size_t i = 0; i < n; i++) {
		secrets_at(src, n, i, m);
		shapes_at(src, n, i, m);
	}
	if (in_cut)
		cut_tail(src, n, m);
	for (size_t i = 0; i < n;) {
		if (marked(m, i)) {
			size_t k = sizeof REDACTED - 1;
			if (k > cap - 1 - o) {
				k = cap - 1 - o;
				*all = false;
			}
			memcpy(dst + o, REDACTED, k);
			o += k;
			while (i < n && marked(m, i))
				i++;
			if (!*all)
				break;
		} else {
			if (o >= cap - 1) {
				*all = false;
				break;
			}
			dst[o++] = src[i++];
		}
	}
	dst[o] = '\0';
	if (m != stack_mask)
		free(m);
	return o;
}

size_t log_redact(const char *src, size_t n, char *dst, size_t cap)
{
	bool all;
	return redact(src, n, false, dst, cap, &all);
}

/* --- line assembly ----------------------------------------------------------- */

/* Append s with escaping (control characters; JSON string rules when json)
 * to line[*pos .. lim). Returns false when it did not all fit. Never splits an
 * escape sequence or a UTF-8 sequence. */
static bool put_escaped(char *line, size_t *pos, size_t lim, const char *s, size_t n, bool json)
{
	static const char hx[16] = "0123456789abcdef";
	size_t p = *pos, start = *pos;
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6];
		size_t k = 0;
		if (c == '\n') {
			e[0] = '\\', e[1] = 'n', k = 2;
		} else if (c == '\r') {
			e[0] = '\\', e[1] = 'r', k = 2;
		} else if (c == '\t') {
			if (json)
				e[0] = '\\', e[1] = 't', k = 2;
			else
				e[0] = '\t', k = 1;
		} else if (json && (c == '"' || c == '\\')) {
			e[0] = '\\', e[1] = (char)c, k = 2;
		} else if (c < 0x20 || (c == 0x7f && !json)) {
			if (json) {
				memcpy(e, "\\u00", 4);
				e[4] = hx[c >> 4], e[5] = hx[c & 15], k = 6;
			} else {
				e[0] = '\\', e[1] = 'x', e[2] = hx[c >> 4], e[3] = hx[c & 15], k = 4;
			}
		} else {
			e[0] = (char)c, k = 1;
		}
		if (k > lim - p) {
			ok = false;
			break;
		}
		memcpy(line + p, e, k);
		p += k;
	}
	if (!ok) {
		/* drop an incomplete trailing UTF-8 sequence */
		size_t q = p, cont = 0;
		while (q > start && ((unsigned char)line[q - 1] & 0xc0) == 0x80 && cont < 3) {
			q--;
			cont++;
		}
		if (q > start && (unsigned char)line[q - 1] >= 0xc0) {
			unsigned char lead = (unsigned char)line[q - 1];
			size_t need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
			if (cont < need)
				p = q - 1;
		}
	}
	*pos = p;
	return ok;
}

static void put_raw(char *line, size_t *pos, const char *s, size_t n)
{
	memcpy(line + *pos, s, n);
	*pos += n;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere to report a failing log sink */
		}
		p += r;
		n -= (size_t)r;
	}
}

void log_msg(log_level lv, const char *fmt, ...)
{
	static const char *const names_text[] = { "ERROR", "WARN ", "INFO ", "DEBUG" };
	static const char *const names_json[] = { "error", "warn", "info", "debug" };
	if ((int)lv > atomic_load_explicit(&L.level, memory_order_relaxed))
		return;
	if ((int)lv < LOG_ERROR || (int)lv > LOG_DEBUG)
		lv = LOG_ERROR;
	int saved_errno = errno; /* "%m" and callers' errno stay intact */

	char fbuf[LOG_FMT_BUF];
	va_list ap;
	va_start(ap, fmt);
	int fn = vsnprintf(fbuf, sizeof fbuf, fmt, ap);
	va_end(ap);
	size_t n;
	bool in_cut = false;
	if (fn < 0) {
		n = (size_t)snprintf(fbuf, sizeof fbuf, "(log format error: %s)", fmt);
		if (n >= sizeof fbuf)
			n = sizeof fbuf - 1;
	} else if ((size_t)fn >= sizeof fbuf) {
		n = sizeof fbuf - 1;
		in_cut = true;
	} else {
		n = (size_t)fn;
	}

	char rbuf[LIMIT_LOG_LINE];
	bool all;
	size_t rn = redact(fbuf, n, in_cut, rbuf, sizeof rbuf, &all);
	ct_wipe(fbuf, n); /* the unredacted text does not outlive the call */

	bool json = atomic_load_explicit(&L.json, memory_order_relaxed);
	const char *tail = json ? LOG_TAIL_JSON : LOG_TAIL_TEXT;
	size_t tail_n = strlen(tail);
	char line[LIMIT_LOG_LINE];
	size_t pos = 0;
	char ts[CLOCK_RFC3339_MS_SIZE];
	if (clock_fmt_rfc3339_ms(clock_wall_ms(), ts, sizeof ts) < 0)
		memcpy(ts, "0000-00-00T00:00:00.000Z", sizeof ts);
	if (json) {
		put_raw(line, &pos, "{\"ts\":\"", 7);
		put_raw(line, &pos, ts, CLOCK_RFC3339_MS_SIZE - 1);
		put_raw(line, &pos, "\",\"level\":\"", 11);
		put_raw(line, &pos, names_json[lv], strlen(names_json[lv]));
		put_raw(line, &pos, "\",\"msg\":\"", 9);
	} else {
		put_raw(line, &pos, ts, CLOCK_RFC3339_MS_SIZE - 1);
		put_raw(line, &pos, " ", 1);
		put_raw(line, &pos, names_text[lv], 5);
		put_raw(line, &pos, " ", 1);
	}
	const char *closing = json ? "\"}\n" : "\n";
	size_t close_n = strlen(closing), start = pos;
	if (all && !in_cut && put_escaped(line, &pos, sizeof line - close_n, rbuf, rn, json)) {
		put_raw(line, &pos, closing, close_n);
	} else { /* does not fit: cut visibly, leaving room for the "..." tail */
		pos = start;
		put_escaped(line, &pos, sizeof line - tail_n, rbuf, rn, json);
		put_raw(line, &pos, tail, tail_n);
	}
	ct_wipe(rbuf, rn);
	write_all(atomic_load_explicit(&L.fd, memory_order_relaxed), line, pos);
	errno = saved_errno;
}
