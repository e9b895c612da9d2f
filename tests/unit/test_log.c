/* test_log.c — the logger: line format, levels, JSON lines, escaping, the
 * LIMIT_LOG_LINE cap, one write(2) per line, thread safety, and above all
 * redaction: registered secrets never appear (split across arguments, at the
 * start/end, repeated, inside words, across the line cut), token shapes are
 * redacted, normal text is left alone. */
#include "t.h"
#include "base/clock.h"
#include "base/limits.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* --- capture: a SOCK_SEQPACKET pair keeps write(2) boundaries, so every
 * record read back is exactly one write of the logger ---------------------- */

static int cap_fd[2] = { -1, -1 };

static void capture_start(void)
{
	if (cap_fd[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, cap_fd) != 0) {
		perror("socketpair");
		exit(2);
	}
	log_set_fd(cap_fd[0]);
}

/* Next record (one write) into out (NUL-terminated); its length, or -1 when
 * nothing was written. */
static int rec_len(char *out, size_t cap)
{
	ssize_t r = recv(cap_fd[1], out, cap - 1, MSG_DONTWAIT);
	if (r < 0) {
		out[0] = '\0';
		return -1;
	}
	out[r] = '\0';
	return (int)r;
}

/* Number of pending records (drains them). */
static int rec_drain(void)
{
	char tmp[LIMIT_LOG_LINE + 16];
	int n = 0;
	while (rec_len(tmp, sizeof tmp) >= 0)
		n++;
	return n;
}

static const char *msg_of(const char *line) /* text mode: after "<ts> <LEVEL> " */
{
	return strlen(line) >= 31 ? line + 31 : "";
}

/* --- line format and levels ------------------------------------------------ */

TEST(log_text_line_format)
{
	capture_start();
	log_set_json(0);
	log_set_level(LOG_INFO);
	char before[CLOCK_RFC3339_MS_SIZE], after[CLOCK_RFC3339_MS_SIZE], line[LIMIT_LOG_LINE + 16];
	clock_fmt_rfc3339_ms(clock_wall_ms(), before, sizeof before);
	log_info("hello %d %s", 42, "world");
	clock_fmt_rfc3339_ms(clock_wall_ms(), after, sizeof after);
	int n = rec_len(line, sizeof line);
	CHECK_EQ_INT(n, 31 + 14 + 1);
	/* "2024-05-01T12:34:56.789Z INFO  hello 42 world\n" */
	CHECK(line[4] == '-' && line[7] == '-' && line[10] == 'T' && line[13] == ':' && line[16] == ':'
		&& line[19] == '.' && line[23] == 'Z' && line[24] == ' ');
	char ts[CLOCK_RFC3339_MS_SIZE];
	memcpy(ts, line, 24);
	ts[24] = '\0';
	CHECK(strcmp(ts, before) >= 0 && strcmp(ts, after) <= 0);
	CHECK_EQ_STR(line + 24, " INFO  hello 42 world\n");
	CHECK_EQ_INT(rec_drain(), 0); /* exactly one write */

	log_error("e");
	rec_len(line, sizeof line);
	CHECK_EQ_STR(line + 24, " ERROR e\n");
	log_warn("w");
	rec_len(line, sizeof line);
	CHECK_EQ_STR(line + 24, " WARN  w\n");
	log_debug("hidden");
	CHECK_EQ_INT(rec_drain(), 0);
	log_set_level(LOG_DEBUG);
	CHECK_EQ_INT(log_get_level(), LOG_DEBUG);
	log_debug("d%d", 1);
	rec_len(line, sizeof line);
	CHECK_EQ_STR(line + 24, " DEBUG d1\n");
	log_set_level(LOG_ERROR);
	log_warn("hidden");
	log_info("hidden");
	CHECK_EQ_INT(rec_drain(), 0);
	log_error("shown");
	CHECK_EQ_INT(rec_drain(), 1);
	log_set_level(LOG_INFO);
	log_info("%s", "");
	rec_len(line, sizeof line);
	CHECK_EQ_STR(line + 24, " INFO  \n");
}

static int side_effects;
static int side_effect(void) { return ++side_effects; }

TEST(log_debug_args_not_evaluated)
{
	capture_start();
	log_set_level(LOG_INFO);
	side_effects = 0;
	log_debug("%d", side_effect());
	CHECK_EQ_INT(side_effects, 0);
	log_set_level(LOG_DEBUG);
	log_debug("%d", side_effect());
	CHECK_EQ_INT(side_effects, 1);
	CHECK_EQ_INT(rec_drain(), 1);
	log_set_level(LOG_INFO);
}

TEST(log_level_parse_cases)
{
	CHECK_EQ_INT(log_level_parse("error"), LOG_ERROR);
	CHECK_EQ_INT(log_level_parse("WARN"), LOG_WARN);
	CHECK_EQ_INT(log_level_parse("warning"), LOG_WARN);
	CHECK_EQ_INT(log_level_parse("Info"), LOG_INFO);
	CHECK_EQ_INT(log_level_parse("debug"), LOG_DEBUG);
	CHECK_EQ_INT(log_level_parse("trace"), LOG_DEBUG);
	CHECK_EQ_INT(log_level_parse(" info "), LOG_INFO);
	CHECK_EQ_INT(log_level_parse("liter_llm=debug,info"), LOG_INFO);
	CHECK_EQ_INT(log_level_parse("info,liter_llm=debug"), LOG_INFO);
	CHECK_EQ_INT(log_level_parse("warn,hyper=info,error"), LOG_ERROR);
	CHECK_EQ_INT(log_level_parse("liter_llm=debug"), LOG_DEBUG);
	CHECK_EQ_INT(log_level_parse("liter_llm::proxy=trace,hyper=warn"), LOG_DEBUG);
	CHECK_EQ_INT(log_level_parse("hyper=warn"), -1);
	CHECK_EQ_INT(log_level_parse("info,"), LOG_INFO);
	CHECK_EQ_INT(log_level_parse(""), -1);
	CHECK_EQ_INT(log_level_parse(NULL), -1);
	CHECK_EQ_INT(log_level_parse("verbose"), -1);
	CHECK_EQ_INT(log_level_parse("info,bogus"), -1);
	CHECK_EQ_INT(log_level_parse("liter_llm=loud,info"), -1);
	CHECK_EQ_INT(log_level_parse("infoo"), -1);
	CHECK_EQ_INT(log_level_parse("inf"), -1);
}

TEST(log_json_lines)
{
	capture_start();
	log_set_json(1);
	char line[LIMIT_LOG_LINE + 16];
	log_warn("a \"q\" \\ %s\t%c", "x\ny", 1);
	int n = rec_len(line, sizeof line);
	CHECK(n > 0);
	CHECK(!strncmp(line, "{\"ts\":\"", 7));
	CHECK(line[7 + 23] == 'Z');
	CHECK_EQ_STR(line + 7 + 24, "\",\"level\":\"warn\",\"msg\":\"a \\\"q\\\" \\\\ x\\ny\\t\\u0001\"}\n");
	log_error("%s", "sk-proj-abcdefghij1234");
	rec_len(line, sizeof line);
	CHECK_EQ_STR(line + 7 + 24, "\",\"level\":\"error\",\"msg\":\"[REDACTED]\"}\n");
	log_set_json(0);
}

TEST(log_text_escapes_control_chars)
{
	capture_start();
	char line[LIMIT_LOG_LINE + 16];
	log_info("a\nb\r\nc\td\x01" "e\x7f" "f\\g");
	rec_len(line, sizeof line);
	CHECK_EQ_STR(msg_of(line), "a\\nb\\r\\nc\td\\x01e\\x7ff\\g\n");
	/* a forged second line cannot be injected */
	log_info("%s", "user input\n2024-01-01T00:00:00.000Z ERROR forged");
	int n = rec_len(line, sizeof line);
	CHECK(n > 0 && strchr(line, '\n') == line + n - 1);
	/* NUL bytes in the formatted text (%c) do not cut the line */
	log_info("x%cy", 0);
	rec_len(line, sizeof line);
	CHECK_EQ_STR(msg_of(line), "x\\x00y\n");
}

TEST(log_keeps_errno)
{
	capture_start();
	errno = ENOENT;
	log_info("e: %s", "x");
	CHECK_EQ_INT(errno, ENOENT);
	rec_drain();
}

/* --- line cap ------------------------------------------------------------------- */

static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], k = c < 0x80 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 9;
		if (k == 9 || i + k >= n + (k ? 0 : 1))
			return 0;
		for (unsigned j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

TEST(log_line_cap)
{
	capture_start();
	log_set_json(0);
	static char big[3 * LIMIT_LOG_LINE];
	char line[LIMIT_LOG_LINE + 16];
	const int room = LIMIT_LOG_LINE - 31 - 1; /* message bytes that fit a text line */
	memset(big, 'a', sizeof big);
	/* exactly fitting: no cut */
	log_info("%.*s", room, big);
	int n = rec_len(line, sizeof line);
	CHECK_EQ_INT(n, LIMIT_LOG_LINE);
	CHECK(line[n - 2] == 'a' && line[n - 1] == '\n');
	/* one more byte: cut visibly, still within the cap */
	log_info("%.*s", room + 1, big);
	n = rec_len(line, sizeof line);
	CHECK(n <= LIMIT_LOG_LINE && n > LIMIT_LOG_LINE - 8);
	CHECK(!strcmp(line + n - 4, "...\n"));
	/* much longer than the format buffer */
	log_info("%.*s|%.*s", (int)sizeof big - 1, big, 10, big);
	n = rec_len(line, sizeof line);
	CHECK(n <= LIMIT_LOG_LINE && !strcmp(line + n - 4, "...\n"));
	CHECK_EQ_INT(rec_drain(), 0);
	/* escapes are never cut in half */
	for (int i = 0; i < 8; i++) {
		memset(big, '\n', sizeof big);
		log_info("%.*s%.*s", i, "aaaaaaaa", 3000, big);
		n = rec_len(line, sizeof line);
		CHECK(n <= LIMIT_LOG_LINE && !strcmp(line + n - 4, "...\n"));
		size_t k = 31 + (size_t)i, bs = 0;
		while (line + k < line + n - 4 && line[k] == '\\') {
			CHECK(line[k + 1] == 'n');
			k += 2;
			bs++;
		}
		CHECK(line + k == line + n - 4);
	}
	/* UTF-8 is never cut in the middle of a character; JSON stays well formed */
	log_set_json(1);
	for (int shift = 0; shift < 3; shift++) {
		size_t o = 0;
		for (int i = 0; i < shift; i++)
			big[o++] = 'x';
		while (o + 4 < sizeof big) {
			memcpy(big + o, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9); /* é € 😀 */
			o += 9;
		}
		log_error("%.*s", (int)o, big);
		n = rec_len(line, sizeof line);
		CHECK(n <= LIMIT_LOG_LINE);
		CHECK(!strcmp(line + n - 6, "...\"}\n"));
		CHECK(valid_utf8((unsigned char *)line, (size_t)n));
	}
	log_set_json(0);
	memset(big, 'a', sizeof big);
}

/* --- redaction ------------------------------------------------------------------ */

#define S_LONG  "Zq7Rm2XK9vTbLp4W"                          /* 16: long tier */
#define S_SHORT "Hk4Q"                                      /* 4: the minimum */
#define S_MID   "Nw8ePx3JdY6"                               /* 11: short tier */
#define S_40    "Jc5Ft8Wn2Lq6Rv9Ys3Bz7Dh4Mk1Gp0Xa5Ue8Ti2O" /* 40 */
static const char *const secrets[] = { S_LONG, S_SHORT, S_MID, S_40 };
#define NSECRETS (sizeof secrets / sizeof secrets[0])

static void register_secrets(void)
{
	log_clear_secrets();
	for (size_t i = 0; i < NSECRETS; i++)
		log_add_secret(secrets[i], strlen(secrets[i]));
}

static char red_out[2 * LIMIT_LOG_LINE];
static const char *red(const char *s)
{
	size_t n = log_redact(s, strlen(s), red_out, sizeof red_out);
	if (n != strlen(red_out))
		T_FAIL_AT("log_redact returned %zu, strlen %zu", n, strlen(red_out));
	return red_out;
}

/* no secret and no 4-byte window of one (a cut-off fragment) appears */
static int leaks(const char *out, size_t n)
{
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *s = secrets[i];
		size_t sn = strlen(s);
		for (size_t k = 0; k + 4 <= sn; k++)
			if (memmem(out, n, s + k, 4))
				return 1;
	}
	return 0;
}

TEST(log_redact_registered_secrets)
{
	register_secrets();
	char in[512], exp[512];
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *s = secrets[i];
		snprintf(in, sizeof in, "%s", s);
		CHECK_EQ_STR(red(in), "[REDACTED]");
		snprintf(in, sizeof in, "%s rest of line", s);
		CHECK_EQ_STR(red(in), "[REDACTED] rest of line");
		snprintf(in, sizeof in, "start of line %s", s);
		CHECK_EQ_STR(red(in), "start of line [REDACTED]");
		snprintf(in, sizeof in, "a %s b %s c %s", s, s, s);
		CHECK_EQ_STR(red(in), "a [REDACTED] b [REDACTED] c [REDACTED]");
		snprintf(in, sizeof in, "%s%s%s", s, s, s); /* back to back: one run */
		CHECK_EQ_STR(red(in), "[REDACTED]");
		snprintf(in, sizeof in, "prefix%ssuffix", s); /* inside a longer word */
		CHECK_EQ_STR(red(in), "prefix[REDACTED]suffix");
		snprintf(in, sizeof in, "%s%c%s", s, 'x', s);
		CHECK_EQ_STR(red(in), "[REDACTED]x[REDACTED]");
		snprintf(in, sizeof in, "url /v1/%s/x?q=%s#%s", s, s, s);
		CHECK_EQ_STR(red(in), "url /v1/[REDACTED]/x?q=[REDACTED]#[REDACTED]");
		snprintf(in, sizeof in, "{\"token\":\"%s\"}", s);
		CHECK_EQ_STR(red(in), "{\"token\":\"[REDACTED]\"}");
		/* only exact bytes match: a secret with one byte changed is not a secret */
		snprintf(in, sizeof in, "%s", s);
		in[strlen(in) - 1] ^= 0x20;
		snprintf(exp, sizeof exp, "%s", in);
		CHECK_EQ_STR(red(in), exp);
	}
	/* a secret that is a prefix of another, and overlapping secrets */
	log_add_secret("Kx9aaQ7mm", 9);
	log_add_secret("Q7mmZZ4tt", 9);
	CHECK_EQ_STR(red("<Kx9aaQ7mmZZ4tt>"), "<[REDACTED]>");
	CHECK_EQ_STR(red("<Q7mmZZ4ttKx9aaQ7mm>"), "<[REDACTED]>");
	CHECK_EQ_STR(red("Kx9aaQ7mmZ"), "[REDACTED]Z");
	/* too short to be registered */
	log_add_secret("abc", 3);
	log_add_secret("", 0);
	log_add_secret(NULL, 8);
	CHECK_EQ_STR(red("abc"), "abc");
	/* clearing forgets them */
	log_clear_secrets();
	CHECK_EQ_STR(red("x " S_LONG " y"), "x " S_LONG " y");
	register_secrets();
	CHECK_EQ_STR(red("x " S_LONG " y"), "x [REDACTED] y");
}

TEST(log_secret_split_across_arguments)
{
	register_secrets();
	capture_start();
	char line[LIMIT_LOG_LINE + 16];
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *s = secrets[i];
		int sn = (int)strlen(s);
		for (int cut = 0; cut <= sn; cut++) {
			log_info("%.*s%s", cut, s, s + cut);
			int n = rec_len(line, sizeof line);
			CHECK(n > 0 && !strcmp(msg_of(line), "[REDACTED]\n"));
			log_info("k=%.*s%c%s!", cut, s, cut < sn ? s[cut] : ' ', cut < sn ? s + cut + 1 : "");
			n = rec_len(line, sizeof line);
			if (cut < sn)
				CHECK_EQ_STR(msg_of(line), "k=[REDACTED]!\n");
		}
	}
}

TEST(log_secret_across_line_cut)
{
	register_secrets();
	capture_start();
	log_set_json(0);
	static char pad[3 * LIMIT_LOG_LINE];
	memset(pad, 'a', sizeof pad);
	char line[LIMIT_LOG_LINE + 16];
	const int room = LIMIT_LOG_LINE - 31 - 1;
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *s = secrets[i];
		int sn = (int)strlen(s);
		/* the secret starts at every position around the end of the line */
		for (int at = room - sn - 12; at < room + 12; at++) {
			log_info("%.*s%s tail", at, pad, s);
			int n = rec_len(line, sizeof line);
			CHECK(n > 0 && n <= LIMIT_LOG_LINE);
			if (strstr(line, s) || leaks(line, (size_t)n)) {
				T_FAIL_AT("secret %zu at %d leaked: ...%s", i, at, line + n - 40);
				break;
			}
		}
	}
}

TEST(log_secret_across_format_buffer_cut)
{
	/* The formatted message is held in a 2 * LIMIT_LOG_LINE buffer. Fully
	 * redacted text before it compresses, so bytes near that buffer's end can
	 * reach the output: a secret cut there must still not leak. */
	register_secrets();
	capture_start();
	static char msg[4 * LIMIT_LOG_LINE];
	char line[LIMIT_LOG_LINE + 16];
	const size_t fmt_end = 2 * LIMIT_LOG_LINE - 1; /* bytes kept by the format buffer */
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *s = secrets[i];
		size_t sn = strlen(s);
		for (size_t k = 1; k < sn; k++) { /* k bytes of the secret fit before the cut */
			size_t o = 0, start = fmt_end - k;
			while (o + 40 <= start - 8) {
				memcpy(msg + o, S_40, 40);
				o += 40;
			}
			while (o < start)
				msg[o++] = '.';
			memcpy(msg + o, s, sn);
			o += sn;
			memcpy(msg + o, " more text", 10);
			o += 10;
			msg[o] = '\0';
			log_info("%s", msg);
			int n = rec_len(line, sizeof line);
			CHECK(n > 0 && !strcmp(line + n - 4, "...\n"));
			if (leaks(line, (size_t)n)) {
				T_FAIL_AT("secret %zu cut after %zu bytes leaked: %s", i, k, msg_of(line));
				break;
			}
		}
	}
	/* a key shape cut by the buffer end is redacted as well */
	size_t o = 0;
	while (o + 40 <= fmt_end - 20) {
		memcpy(msg + o, S_40, 40);
		o += 40;
	}
	while (o < fmt_end - 7)
		msg[o++] = ' ';
	memcpy(msg + o, "sk-abcdEFGHIJKLMNOP", 20);
	log_info("%s", msg);
	int n = rec_len(line, sizeof line);
	CHECK(n > 0 && !strstr(line, "sk-a") && !strstr(line, "abcd"));
}

static const struct { const char *in, *out; } shapes[] = {
	/* bearer tokens, any case, any b64token characters */
	{ "Authorization: Bearer abc.def-ghi_jkl~mno+pqr/stu==", "Authorization: [REDACTED]" },
	{ "got Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig from client", "got Bearer [REDACTED] from client" },
	{ "BEARER tok123", "BEARER [REDACTED]" },
	{ "bearer\ttok", "bearer\t[REDACTED]" },
	{ "bEaReR   x", "bEaReR   [REDACTED]" },
	{ "(Bearer tok)", "(Bearer [REDACTED])" },
	/* provider keys */
	{ "key sk-proj-AbCdEf123456_xyz-78 here", "key [REDACTED] here" },
	{ "sk-ant-api03-AbCdEfGhIjKlMnOp-QRstuVWxyz_0123456789", "[REDACTED]" },
	{ "(sk-1234567890abcdef).", "([REDACTED])." },
	{ "k='sk-abcdefgh'", "k='[REDACTED]'" },
	{ "AIzaSyD-abcdefghijklmnopqrstuvwxyz12345", "[REDACTED]" },
	{ "url?x=1&k=AIzaSyAbcdefghijklmnop_qrstuvwxyz&y=2", "url?x=1&k=[REDACTED]&y=2" },
	/* header values, to the end of the line */
	{ "x-api-key: abc123", "x-api-key: [REDACTED]" },
	{ "X-Api-Key:abc", "X-Api-Key:[REDACTED]" },
	{ "api-key: zzz top", "api-key: [REDACTED]" },
	{ "authorization:Bearer x\r\nHost: a", "authorization:[REDACTED]\r\nHost: a" },
	{ "Authorization: Bearer a\r\nx-api-key: b\r\nContent-Type: application/json",
	  "Authorization: [REDACTED]\r\nx-api-key: [REDACTED]\r\nContent-Type: application/json" },
	{ "Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: [REDACTED]" },
	{ "x-goog-api-key: AIzaShort", "x-goog-api-key: [REDACTED]" },
	{ "Authorization: Basic dXNlcjpwYXNz\nnext", "Authorization: [REDACTED]\nnext" },
	/* query parameters */
	{ "GET /v1beta/models/g:generateContent?key=AIzaXYZ&alt=sse HTTP/1.1",
	  "GET /v1beta/models/g:generateContent?key=[REDACTED]&alt=sse HTTP/1.1" },
	{ "/x?api_key=abc123&x=1", "/x?api_key=[REDACTED]&x=1" },
	{ "/x?a=1&key=v#frag", "/x?a=1&key=[REDACTED]#frag" },
	{ "/x?apikey=v1 next", "/x?apikey=[REDACTED] next" },
	{ "/x?access_token=v1;y", "/x?access_token=[REDACTED];y" },
	{ "--master-key=topsecret1", "--master-key=[REDACTED]" },
	/* JSON-ish and dict-ish */
	{ "{\"api_key\":\"sk-abc\",\"model\":\"gpt-4o\"}", "{\"api_key\":\"[REDACTED]\",\"model\":\"gpt-4o\"}" },
	{ "{\"api_key\": \"a\\\"b\", \"x\": 1}", "{\"api_key\": \"[REDACTED]\", \"x\": 1}" },
	{ "{\"API_KEY\" : \"v\"}", "{\"API_KEY\" : \"[REDACTED]\"}" },
	{ "{'api_key': 'secret-value'}", "{'api_key': '[REDACTED]'}" },
	{ "{\\\"api_key\\\":\\\"abc\\\"}", "{\\\"api_key\\\":\\\"[REDACTED]\\\"}" },
	{ "api_key = \"sk-xyz\"", "api_key = \"[REDACTED]\"" },
	{ "{\"authorization\": \"Bearer x\", \"a\": 1}", "{\"authorization\": \"[REDACTED]\", \"a\": 1}" },
	{ "{\"x-api-key\":\"k\"}", "{\"x-api-key\":\"[REDACTED]\"}" },
	{ "{\"key\":\"v\"}", "{\"key\":\"[REDACTED]\"}" },
	{ "{\"api_key\":12345}", "{\"api_key\":[REDACTED]}" },
	{ "{\"api_key\":\"unterminated", "{\"api_key\":\"[REDACTED]" },
	{ "{\"password\":\"hunter2\"}", "{\"password\":\"[REDACTED]\"}" },
	{ "aws_secret_access_key=AbCd/EfGh+IjKl", "aws_secret_access_key=[REDACTED]" },
	{ "x-amz-security-token: FwoGZXIvYXdz", "x-amz-security-token: [REDACTED]" },
};

TEST(log_redact_token_shapes)
{
	log_clear_secrets();
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const char *got = red(shapes[i].in);
		if (strcmp(got, shapes[i].out))
			T_FAIL_AT("redact(\"%s\")\n      = \"%s\"\n   expected \"%s\"", shapes[i].in, got, shapes[i].out);
	}
	register_secrets();
}

static const char *const normal[] = {
	"listening on 127.0.0.1:4000 (4 workers)",
	"chat completion model=gpt-4o-mini tokens=123 latency_ms=456",
	"task-list updated; disk-usage 42%",
	"using sk-learn style pipelines",          /* sk- with a short body */
	"the key to success is patience",
	"authorization failed for tenant tnt-0123456789abcdef",
	"key 'vk-0123456789abcdef' is not allowed to access model 'gpt-4o'",
	"Bearer",                                  /* no token follows */
	"ask-me-anything AIzaShort",               /* no boundary / too short */
	"monkey=3 turkey=4 api_keys=5 keyboard=6 cache_key=7",
	"{\"max_tokens\": 5, \"prompt_tokens\": 3, \"model\": \"claude-3-5-sonnet\"}",
	"GET https://api.openai.com/v1/chat/completions?model=gpt-4&stream=true",
	"key: value pairs are parsed from TOML",
	"unbearer tokens are fine",
	"UTF-8 caf\xc3\xa9 \xe2\x82\xac 100",
	"retry 2/3 after 1.5s (status 429)",
	"",
};

TEST(log_redact_leaves_normal_text)
{
	register_secrets();
	for (size_t i = 0; i < sizeof normal / sizeof normal[0]; i++)
		CHECK_EQ_STR(red(normal[i]), normal[i]);
	capture_start();
	char line[LIMIT_LOG_LINE + 16];
	log_info("%s", normal[1]);
	rec_len(line, sizeof line);
	CHECK(!strncmp(msg_of(line), normal[1], strlen(normal[1])));
}

TEST(log_redact_output_cap)
{
	register_secrets();
	char out[32];
	memset(out, 'X', sizeof out);
	CHECK_EQ_INT(log_redact("abc", 3, out, 0), 0);
	CHECK(out[0] == 'X');
	CHECK_EQ_INT(log_redact("abc", 3, out, 1), 0);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_INT(log_redact("abcdef", 6, out, 4), 3);
	CHECK_EQ_STR(out, "abc");
	CHECK_EQ_INT(log_redact("ab " S_LONG, 3 + 16, out, 8), 7);
	CHECK_EQ_STR(out, "ab [RED");
	CHECK_EQ_INT(log_redact(S_LONG "ab", 18, out, sizeof out), 12);
	CHECK_EQ_STR(out, "[REDACTED]ab");
	/* the input length is honoured (no NUL needed) */
	CHECK_EQ_INT(log_redact(S_LONG "zz", 17, out, sizeof out), 11);
	CHECK_EQ_STR(out, "[REDACTED]z");
	CHECK_EQ_INT(log_redact(S_LONG, 15, out, sizeof out), 15); /* 15 bytes are not the secret */
}

/* Random messages mixing filler, secrets and separators, split into random
 * format arguments: no secret (nor a 4-byte piece of one) ever comes out. */
TEST(log_redact_random_property)
{
	register_secrets();
	capture_start();
	static const char *const filler[] = { " ", "a", "x", "-", "_", "/", "=", ":", "\"", "'", "key", "bearer ",
		"...", "\n", "zz", "\xc3\xa9", "ab", "cd" };
	uint64_t x = 0x2545F4914F6CDD1DULL;
	static char msg[3 * LIMIT_LOG_LINE];
	char line[LIMIT_LOG_LINE + 16], out[sizeof msg + 64];
	int fails = 0;
	for (int it = 0; it < 3000 && fails < 3; it++) {
		size_t o = 0;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t target = it < 2500 ? x % 300 : x % sizeof msg;
		while (o < target && o + 64 < sizeof msg) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const char *piece = (x >> 8) % 5 == 0 ? secrets[(x >> 16) % NSECRETS]
			                                     : filler[(x >> 16) % (sizeof filler / sizeof filler[0])];
			size_t pn = strlen(piece);
			memcpy(msg + o, piece, pn);
			o += pn;
		}
		msg[o] = '\0';
		size_t rn = log_redact(msg, o, out, sizeof out);
		if (leaks(out, rn)) {
			T_FAIL_AT("log_redact leaked: in \"%s\" out \"%s\"", msg, out);
			fails++;
		}
		/* through log_msg with the message split into two arguments at random */
		size_t cut = o ? (size_t)(x % (o + 1)) : 0;
		log_warn("%.*s%s", (int)cut, msg, msg + cut);
		int n = rec_len(line, sizeof line);
		if (n <= 0 || leaks(line, (size_t)n)) {
			T_FAIL_AT("log_msg leaked (len %zu cut %zu): %s", o, cut, line);
			fails++;
		}
	}
}

TEST(log_many_secrets)
{
	log_clear_secrets();
	char s[64], in[128];
	/* 300 secrets sharing their first 16 bytes (one long-tier bucket) */
	for (int i = 0; i < 300; i++) {
		snprintf(s, sizeof s, "COMMONPREFIX0000-%04d-tail", i);
		log_add_secret(s, strlen(s));
	}
	/* 700 more, all distinct, of mixed lengths (up to the cap of 1024 with the next) */
	for (int i = 0; i < 700; i++) {
		snprintf(s, sizeof s, "Q%dW%dE%.*s", i, i * 7, i % 20, "rtyuiopasdfghjklzxcv");
		log_add_secret(s, strlen(s));
	}
	for (int i = 0; i < 300; i++) {
		snprintf(in, sizeof in, "<COMMONPREFIX0000-%04d-tail>", i);
		CHECK_EQ_STR(red(in), "<[REDACTED]>");
	}
	for (int i = 0; i < 700; i++) {
		snprintf(s, sizeof s, "Q%dW%dE%.*s", i, i * 7, i % 20, "rtyuiopasdfghjklzxcv");
		snprintf(in, sizeof in, "(%s)", s);
		if (strcmp(red(in), "([REDACTED])")) {
			T_FAIL_AT("secret %d (%s) not redacted: %s", i, s, red_out);
			break;
		}
	}
	/* duplicates take no slot */
	for (int i = 0; i < 2000; i++)
		log_add_secret("COMMONPREFIX0000-0001-tail", 26);
	for (int i = 0; i < 24; i++) {
		snprintf(s, sizeof s, "LAST-SLOTS-%02d-xyz", i);
		log_add_secret(s, strlen(s));
		CHECK_EQ_STR(red(s), "[REDACTED]");
	}
	/* beyond LIMIT_LOG_SECRETS further secrets are not stored */
	log_add_secret("ONE-TOO-MANY-zzz", 16);
	CHECK_EQ_STR(red("ONE-TOO-MANY-zzz"), "ONE-TOO-MANY-zzz");
	register_secrets();
}

/* --- threads ----------------------------------------------------------------------- */

#define NTHREADS 4
#define NLINES 300

static void *writer(void *arg)
{
	int t = (int)(intptr_t)arg;
	static const char fill[] = "abcd";
	char body[3001];
	for (int i = 0; i < NLINES; i++) {
		int len = (i * 97 + t * 13) % 3000;
		memset(body, fill[t], (size_t)len);
		body[len] = '\0';
		log_info("T%d-%d %s %s end", t, i, body, S_LONG);
	}
	return NULL;
}

TEST(log_threads_lines_whole)
{
	register_secrets();
	int p[2];
	CHECK(pipe(p) == 0);
	log_set_fd(p[1]);
	pthread_t th[NTHREADS];
	for (int t = 0; t < NTHREADS; t++)
		pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t);
	/* read everything while the writers run */
	size_t cap = (size_t)NTHREADS * NLINES * 3200, len = 0;
	char *all = malloc(cap);
	int lines = 0;
	while (lines < NTHREADS * NLINES) {
		ssize_t r = read(p[0], all + len, cap - len);
		if (r <= 0)
			break;
		for (ssize_t k = 0; k < r; k++)
			lines += all[len + (size_t)k] == '\n';
		len += (size_t)r;
	}
	for (int t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	CHECK_EQ_INT(lines, NTHREADS * NLINES);
	int seen[NTHREADS][NLINES];
	memset(seen, 0, sizeof seen);
	char *s = all, *end = all + len;
	int bad = 0;
	while (s < end && bad < 3) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			break;
		*nl = '\0';
		int t, i, off = 0;
		const char *m = msg_of(s);
		if (sscanf(m, "T%d-%d %n", &t, &i, &off) != 2 || t < 0 || t >= NTHREADS || i < 0 || i >= NLINES) {
			T_FAIL_AT("garbled line: %.80s", s);
			bad++;
		} else {
			int blen = (i * 97 + t * 13) % 3000;
			char pre[32];
			const char *b = m + snprintf(pre, sizeof pre, "T%d-%d ", t, i);
			(void)off;
			int ok = 1;
			for (int k = 0; k < blen; k++)
				ok &= b[k] == "abcd"[t];
			ok &= !strcmp(b + blen, " [REDACTED] end");
			if (!ok) {
				T_FAIL_AT("interleaved or leaked line T%d-%d", t, i);
				bad++;
			}
			seen[t][i]++;
		}
		s = nl + 1;
	}
	for (int t = 0; t < NTHREADS; t++)
		for (int i = 0; i < NLINES; i++)
			if (seen[t][i] != 1 && bad++ < 3)
				T_FAIL_AT("line T%d-%d seen %d times", t, i, seen[t][i]);
	free(all);
	close(p[0]);
	close(p[1]);
	capture_start();
}

int main(void)
{
	RUN(log_text_line_format);
	RUN(log_debug_args_not_evaluated);
	RUN(log_level_parse_cases);
	RUN(log_json_lines);
	RUN(log_text_escapes_control_chars);
	RUN(log_keeps_errno);
	RUN(log_line_cap);
	RUN(log_redact_registered_secrets);
	RUN(log_secret_split_across_arguments);
	RUN(log_secret_across_line_cut);
	RUN(log_secret_across_format_buffer_cut);
	RUN(log_redact_token_shapes);
	RUN(log_redact_leaves_normal_text);
	RUN(log_redact_output_cap);
	RUN(log_redact_random_property);
	RUN(log_many_secrets);
	RUN(log_threads_lines_whole);
	log_clear_secrets();
	log_set_fd(2);
	return t_done();
}
