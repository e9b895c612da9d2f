/* test_err.c — every error code has its own name; unknown codes are safe. */
#include "t.h"
#include "base/err.h"

TEST(err_every_code_named)
{
	for (int e = ERR_OK; e > ERR__LAST; e--) {
		const char *s = err_str(e);
		CHECK(s != NULL);
		CHECK(s && strcmp(s, "unknown error") != 0);
		CHECK(s && s[0] != '\0');
		for (int f = ERR_OK; f > e; f--)
			if (!strcmp(err_str(f), s))
				T_FAIL_AT("err_str(%d) == err_str(%d) == \"%s\"", e, f, s);
	}
	CHECK_EQ_STR(err_str(ERR_OK), "ok");
	CHECK_EQ_STR(err_str(ERR_NOMEM), "out of memory");
	CHECK_EQ_STR(err_str(ERR_TOOBIG), "size limit exceeded");
	CHECK_EQ_STR(err_str(ERR_CANCELLED), "cancelled");
}

TEST(err_unknown_codes)
{
	CHECK_EQ_STR(err_str(ERR__LAST), "unknown error");
	CHECK_EQ_STR(err_str(1), "unknown error");
	CHECK_EQ_STR(err_str(-1000), "unknown error");
	CHECK_EQ_STR(err_str(-2147483647 - 1), "unknown error");
	CHECK_EQ_STR(err_str(2147483647), "unknown error");
}

TEST(err_codes_negative)
{
	CHECK_EQ_INT(ERR_OK, 0);
	CHECK(ERR_NOMEM < 0 && ERR_CANCELLED < 0 && ERR__LAST < ERR_CANCELLED);
}

int main(void)
{
	RUN(err_every_code_named);
	RUN(err_unknown_codes);
	RUN(err_codes_negative);
	return t_done();
}
