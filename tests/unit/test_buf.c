/* test_buf.c — capped growable buffer: caps, failures leave contents alone,
 * printf of any size, consume/truncate/steal. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include <stdint.h>
#include <stdlib.h>

const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

#define CHECK_BUF(b, lit) do { CHECK_EQ_MEM((b).data, (b).len, lit, sizeof(lit) - 1); \
	CHECK((b).data && (b).data[(b).len] == '\0'); } while (0)

TEST(buf_zero_init_and_append)
{
	buf b = { 0 };
	CHECK_EQ_INT(buf_append(&b, "abc", 3), 0);
	CHECK_EQ_INT(buf_putc(&b, '-'), 0);
	CHECK_EQ_INT(buf_puts(&b, "def"), 0);
	CHECK_EQ_INT(buf_append(&b, NULL, 0), 0);
	CHECK_BUF(b, "abc-def");
	CHECK(b.size > b.len);
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.size == 0);
	buf_free(&b);   /* twice */
	buf_free(NULL); /* NULL-safe */
	/* an empty append still gives a valid NUL-terminated string */
	CHECK_EQ_INT(buf_append(&b, "", 0), 0);
	CHECK(b.data && b.data[0] == '\0' && b.len == 0);
	buf_free(&b);
}

TEST(buf_binary_and_growth)
{
	buf b = { 0 };
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (int r = 0; r < 100; r++)
		CHECK_EQ_INT(buf_append(&b, all, sizeof all), 0);
	CHECK_EQ_INT(b.len, 25600);
	int ok = 1;
	for (size_t i = 0; i < b.len; i++)
		ok &= (unsigned char)b.data[i] == (unsigned char)(i & 255);
	CHECK(ok);
	CHECK(b.data[b.len] == '\0');
	buf_free(&b);
}

TEST(buf_cap_toobig_unchanged)
{
	buf b;
	buf_init(&b, 10);
	CHECK_EQ_INT(buf_puts(&b, "12345"), 0);
	char *before = b.data;
	size_t size_before = b.size;
	CHECK_EQ_INT(buf_puts(&b, "678901"), ERR_TOOBIG); /* 11 > 10 */
	CHECK_BUF(b, "12345");
	CHECK(b.data == before && b.size == size_before);
	CHECK_EQ_INT(buf_puts(&b, "67890"), 0); /* exactly the cap */
	CHECK_BUF(b, "1234567890");
	CHECK_EQ_INT(buf_putc(&b, 'x'), ERR_TOOBIG);
	CHECK_EQ_INT(buf_append(&b, "", 0), 0); /* nothing more is fine */
	CHECK_EQ_INT(buf_printf(&b, "%d", 1), ERR_TOOBIG);
	CHECK_EQ_INT(buf_reserve(&b, 1), ERR_TOOBIG);
	CHECK_EQ_INT(buf_reserve(&b, SIZE_MAX), ERR_TOOBIG);
	CHECK_BUF(b, "1234567890");
	CHECK(b.size <= 11); /* never allocates beyond cap + NUL */
	buf_consume(&b, 4);
	CHECK_EQ_INT(buf_puts(&b, "abcd"), 0);
	CHECK_BUF(b, "567890abcd");
	buf_free(&b);

	/* the default cap applies to a zero-initialised buf */
	buf z = { 0 };
	CHECK_EQ_INT(buf_reserve(&z, BUF_DEFAULT_CAP + 1), ERR_TOOBIG);
	CHECK(z.data == NULL);
	CHECK_EQ_INT(buf_append(&z, "x", 1), 0);
	CHECK_EQ_INT(buf_reserve(&z, BUF_DEFAULT_CAP), ERR_TOOBIG);
	CHECK_BUF(z, "x");
	buf_free(&z);
}

TEST(buf_cap_max_no_wrap)
{
	/* cap = SIZE_MAX ("no limit") must not wrap the size computation */
	buf b;
	buf_init(&b, SIZE_MAX);
	CHECK_EQ_INT(buf_puts(&b, "hello"), 0);
	CHECK_BUF(b, "hello");
	CHECK(b.size >= 6);
	CHECK(buf_reserve(&b, SIZE_MAX - 5) != 0);
	CHECK(buf_reserve(&b, SIZE_MAX / 2) == ERR_NOMEM);
	CHECK_BUF(b, "hello");
	buf_free(&b);
}

TEST(buf_printf_small_and_large)
{
	buf b = { 0 };
	CHECK_EQ_INT(buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), 0);
	CHECK_BUF(b, "42-x-y");
	char *big = malloc(10001);
	memset(big, 'q', 10000);
	big[10000] = '\0';
	CHECK_EQ_INT(buf_printf(&b, "[%s]", big), 0);
	CHECK_EQ_INT(b.len, 6 + 10002);
	CHECK(b.data[6] == '[' && b.data[7] == 'q' && b.data[b.len - 1] == ']' && b.data[b.len] == '\0');
	/* exactly around the internal 256-byte fast path */
	for (int n = 250; n < 262; n++) {
		buf c = { 0 };
		CHECK_EQ_INT(buf_printf(&c, "%.*s", n, big), 0);
		CHECK_EQ_INT(c.len, n);
		CHECK(c.data[n] == '\0' && c.data[n - 1] == 'q');
		buf_free(&c);
	}
	/* too large for the cap: error, unchanged */
	buf s;
	buf_init(&s, 100);
	CHECK_EQ_INT(buf_puts(&s, "keep"), 0);
	CHECK_EQ_INT(buf_printf(&s, "%s", big), ERR_TOOBIG);
	CHECK_BUF(s, "keep");
	CHECK_EQ_INT(buf_printf(&s, "%.96s", big), 0);
	CHECK_EQ_INT(s.len, 100);
	buf_free(&s);
	free(big);
	buf_free(&b);
}

TEST(buf_consume_truncate_reset)
{
	buf b = { 0 };
	buf_consume(&b, 5); /* on an empty buf */
	CHECK(b.len == 0);
	buf_puts(&b, "hello world");
	buf_consume(&b, 0);
	CHECK_BUF(b, "hello world");
	buf_consume(&b, 6);
	CHECK_BUF(b, "world");
	buf_consume(&b, 100);
	CHECK_BUF(b, "");
	buf_puts(&b, "abcdef");
	buf_consume(&b, 6);
	CHECK_BUF(b, "");
	buf_puts(&b, "abcdef");
	buf_truncate(&b, 10); /* larger than len: no-op */
	CHECK_BUF(b, "abcdef");
	buf_truncate(&b, 3);
	CHECK_BUF(b, "abc");
	size_t size = b.size;
	buf_reset(&b);
	CHECK_BUF(b, "");
	CHECK(b.size == size); /* memory kept */
	buf_free(&b);
}

TEST(buf_steal_owner)
{
	buf b = { 0 };
	size_t n = 99;
	CHECK(buf_steal(&b, &n) == NULL);
	CHECK_EQ_INT(n, 0);
	buf_puts(&b, "mine");
	char *p = buf_steal(&b, &n);
	CHECK_EQ_STR(p, "mine");
	CHECK_EQ_INT(n, 4);
	CHECK(b.data == NULL && b.len == 0 && b.size == 0);
	CHECK_EQ_INT(buf_puts(&b, "again"), 0); /* reusable */
	CHECK_BUF(b, "again");
	free(p);
	p = buf_steal(&b, NULL);
	free(p);
}

TEST(buf_self_append)
{
	buf b = { 0 };
	buf_puts(&b, "abcdefgh");
	for (int i = 0; i < 10; i++) /* each time the buffer must grow */
		CHECK_EQ_INT(buf_append(&b, b.data, b.len), 0);
	CHECK_EQ_INT(b.len, 8 << 10);
	int ok = 1;
	for (size_t i = 0; i < b.len; i++)
		ok &= b.data[i] == "abcdefgh"[i % 8];
	CHECK(ok);
	CHECK_EQ_INT(buf_append(&b, b.data + 2, 3), 0);
	CHECK_EQ_MEM(b.data + b.len - 3, 3, "cde", 3);
	buf_free(&b);
}

int main(void)
{
	RUN(buf_zero_init_and_append);
	RUN(buf_binary_and_growth);
	RUN(buf_cap_toobig_unchanged);
	RUN(buf_cap_max_no_wrap);
	RUN(buf_printf_small_and_large);
	RUN(buf_consume_truncate_reset);
	RUN(buf_steal_owner);
	RUN(buf_self_append);
	return t_done();
}
