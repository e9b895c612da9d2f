/* test_str.c — string slices: comparisons, search, trim, cut, numbers, glob. */
#include "t.h"
#include "base/str.h"
#include <stdint.h>

#define S(lit) STR_LIT(lit)

TEST(str_basics)
{
	str e = str_from(NULL);
	CHECK(e.p != NULL && e.n == 0);
	CHECK_EQ_INT(str_from("abc").n, 3);
	CHECK(str_eq(S("abc"), S("abc")));
	CHECK(!str_eq(S("abc"), S("abd")));
	CHECK(!str_eq(S("abc"), S("ab")));
	CHECK(str_eq(STR_NULL, S("")));
	CHECK(str_eq_cstr(S("x"), "x"));
	CHECK(str_eq_cstr(S(""), NULL));
	CHECK(str_eq_nocase(S("Content-Type"), S("content-TYPE")));
	CHECK(!str_eq_nocase(S("a"), S("b")));
	CHECK(!str_eq_nocase(S("@"), S("`"))); /* not letters: no folding */
	CHECK(!str_eq_nocase(S("["), S("{")));
	CHECK(str_starts_with(S("anthropic/claude"), S("anthropic/")));
	CHECK(!str_starts_with(S("an"), S("anthropic/")));
	CHECK(str_starts_with(S("x"), STR_NULL));
	CHECK(str_ends_with(S("file.json"), S(".json")));
	CHECK(!str_ends_with(S("json"), S(".json")));
	CHECK(str_starts_with_nocase(S("BEARER abc"), S("Bearer ")));
	CHECK(!str_starts_with_nocase(S("Bear"), S("Bearer ")));
	char buf[32];
	CHECK_EQ_STR(str_to_cbuf(S("hello"), buf, sizeof buf), "hello");
	CHECK_EQ_STR(str_to_cbuf(S("hello"), buf, 3), "he");
	CHECK_EQ_STR(str_to_cbuf(STR_NULL, buf, 3), "");
	buf[0] = 'z';
	str_to_cbuf(S("hello"), buf, 0); /* cap 0: nothing written */
	CHECK(buf[0] == 'z');
	char fmt[32];
	snprintf(fmt, sizeof fmt, "[" STR_FMT "]", STR_ARG(S("ab")));
	CHECK_EQ_STR(fmt, "[ab]");
}

TEST(str_search_slice)
{
	CHECK_EQ_INT(str_index(S("a/b/c"), '/'), 1);
	CHECK_EQ_INT(str_index(S("abc"), '/'), -1);
	CHECK_EQ_INT(str_index(STR_NULL, '/'), -1);
	CHECK_EQ_INT(str_find(S("hello world"), S("world")), 6);
	CHECK_EQ_INT(str_find(S("hello world"), S("")), 0);
	CHECK_EQ_INT(str_find(S("aaab"), S("aab")), 1);
	CHECK_EQ_INT(str_find(S("ab"), S("abc")), -1);
	CHECK_EQ_INT(str_find(S("abcab"), S("cb")), -1);
	CHECK_EQ_INT(str_find(S("xyz"), S("z")), 2);
	str s = S("hello");
	CHECK(str_eq(str_slice(s, 1, 3), S("el")));
	CHECK(str_eq(str_slice(s, 3, 100), S("lo")));
	CHECK(str_eq(str_slice(s, 9, 100), S("")));
	CHECK(str_eq(str_slice(s, 4, 2), S("")));
	CHECK(str_slice(s, 9, 100).p == s.p + 5); /* clamped, stays in range */
}

TEST(str_trim_cases)
{
	CHECK(str_eq(str_trim(S("  a b \t\r\n")), S("a b")));
	CHECK(str_eq(str_trim(S("\r\n\t ")), S("")));
	CHECK(str_eq(str_trim(S("")), S("")));
	CHECK(str_eq(str_trim(S("x")), S("x")));
	CHECK(str_eq(str_trim(S("\vx\f")), S("\vx\f"))); /* only space/tab/CR/LF */
}

TEST(str_cut_cases)
{
	str h, t;
	CHECK(str_cut(S("anthropic/claude-3"), '/', &h, &t));
	CHECK(str_eq(h, S("anthropic")) && str_eq(t, S("claude-3")));
	CHECK(str_cut(S("a/b/c"), '/', &h, &t));
	CHECK(str_eq(h, S("a")) && str_eq(t, S("b/c")));
	CHECK(str_cut(S("/x"), '/', &h, &t));
	CHECK(str_eq(h, S("")) && str_eq(t, S("x")));
	CHECK(str_cut(S("x/"), '/', &h, &t));
	CHECK(str_eq(h, S("x")) && str_eq(t, S("")));
	CHECK(!str_cut(S("gpt-4o"), '/', &h, &t));
	CHECK(str_eq(h, S("gpt-4o")) && t.n == 0);
	CHECK(!str_cut(STR_NULL, '/', &h, &t));
	CHECK(h.n == 0 && t.n == 0);
}

TEST(str_to_u64_cases)
{
	uint64_t v = 7;
	CHECK(str_to_u64(S("0"), &v) && v == 0);
	CHECK(str_to_u64(S("42"), &v) && v == 42);
	CHECK(str_to_u64(S("007"), &v) && v == 7);
	CHECK(str_to_u64(S("18446744073709551615"), &v) && v == UINT64_MAX);
	CHECK(str_to_u64(S("18446744073709551610"), &v) && v == UINT64_MAX - 5);
	v = 7;
	CHECK(!str_to_u64(S("18446744073709551616"), &v));
	CHECK(!str_to_u64(S("18446744073709551620"), &v));
	CHECK(!str_to_u64(S("99999999999999999999"), &v));
	CHECK(!str_to_u64(S("100000000000000000000"), &v));
	CHECK(v == 7); /* untouched on failure */
	CHECK(!str_to_u64(S(""), &v));
	CHECK(!str_to_u64(S("-1"), &v));
	CHECK(!str_to_u64(S("+1"), &v));
	CHECK(!str_to_u64(S(" 1"), &v));
	CHECK(!str_to_u64(S("1 "), &v));
	CHECK(!str_to_u64(S("1a"), &v));
	CHECK(!str_to_u64(S("0x10"), &v));
	CHECK(!str_to_u64(S("1.5"), &v));
	CHECK(v == 7);
}

static const struct {
	const char *pat, *s;
	bool match;
} glob_cases[] = {
	{ "anthropic/*", "anthropic/claude-3-5-sonnet", true },
	{ "anthropic/*", "anthropic/", true },
	{ "anthropic/*", "anthropic", false },
	{ "anthropic/*", "openai/gpt-4o", false },
	{ "anthropic/*", "xanthropic/claude", false },
	{ "*", "", true },
	{ "*", "anything/at/all", true },
	{ "**", "x", true },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "gpt-4*", "gpt-4", true },          /* trailing star matches empty */
	{ "gpt-4*", "gpt-4o-mini", true },
	{ "gpt-4*", "gpt-3.5", false },
	{ "*-mini", "gpt-4o-mini", true },
	{ "*-mini", "gpt-4o-mini-2", false },
	{ "*/*", "a/b", true },
	{ "*/*", "ab", false },
	{ "a*b*c", "aXbYc", true },
	{ "a*b*c", "abc", true },
	{ "a*b*c", "acb", false },
	{ "a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false }, /* backtracking stays bounded */
	{ "*a*a*a*", "aaa", true },
	{ "?", "a", true },
	{ "?", "", false },
	{ "?", "ab", false },
	{ "gpt-?o", "gpt-4o", true },
	{ "gpt-?o", "gpt-4", false },
	{ "??*", "ab", true },
	{ "??*", "a", false },
	{ "[abc]", "b", true },
	{ "[abc]", "d", false },
	{ "[a-c]x", "bx", true },
	{ "[a-c]x", "dx", false },
	{ "[!a-c]x", "dx", true },
	{ "[!a-c]x", "ax", false },
	{ "[^0-9]", "a", true },
	{ "[^0-9]", "5", false },
	{ "[]]", "]", true },                 /* ']' first is literal */
	{ "[!]]", "a", true },
	{ "[!]]", "]", false },
	{ "[a-]", "-", true },               /* '-' last is literal */
	{ "[a-]", "b", false },
	{ "[abc", "[abc", true },            /* unterminated: '[' literal, then "abc" */
	{ "[abc", "[", false },
	{ "x[", "x[", true },
	{ "model-[0-9][0-9]", "model-42", true },
	{ "model-[0-9][0-9]", "model-4x", false },
	{ "*[0-9]", "gpt4", true },
	{ "*.json", "a.b.json", true },
	{ "\xc3\xa9*", "\xc3\xa9t\xc3\xa9", true }, /* bytes, UTF-8 safe as literals */
};

TEST(str_glob_table)
{
	for (size_t i = 0; i < sizeof glob_cases / sizeof glob_cases[0]; i++) {
		bool got = str_glob(str_from(glob_cases[i].pat), str_from(glob_cases[i].s));
		if (got != glob_cases[i].match)
			T_FAIL_AT("glob(\"%s\", \"%s\") = %d, expected %d", glob_cases[i].pat, glob_cases[i].s,
				got, glob_cases[i].match);
	}
	/* slices are not NUL-terminated: matching must respect lengths */
	CHECK(str_glob(str_make("ab*zzz", 3), str_make("abc", 3)));
	CHECK(!str_glob(str_make("abc", 2), str_make("abc", 3)));
	CHECK(str_glob(str_make("[ab]", 4), str_make("bX", 1)));
}

TEST(str_glob_long_input)
{
	static char s[100000];
	memset(s, 'a', sizeof s);
	CHECK(!str_glob(S("*b"), str_make(s, sizeof s)));
	CHECK(str_glob(S("a*a"), str_make(s, sizeof s)));
	CHECK(!str_glob(S("*a*a*a*a*a*b"), str_make(s, 2000)));
}

int main(void)
{
	RUN(str_basics);
	RUN(str_search_slice);
	RUN(str_trim_cases);
	RUN(str_cut_cases);
	RUN(str_to_u64_cases);
	RUN(str_glob_table);
	RUN(str_glob_long_input);
	return t_done();
}
