/* test_arena.c — bump allocator: alignment, big blocks, reset, cap, realloc. */
#include "t.h"
#include "base/arena.h"
#include <stdint.h>
#include <stdlib.h>

/* Huge requests must come back as NULL, not abort the sanitizer build. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static int aligned16(const void *p) { return ((uintptr_t)p & 15u) == 0; }

TEST(arena_zero_init_valid)
{
	arena a = { 0 };
	char *p = arena_alloc(&a, 5);
	CHECK(p != NULL);
	memcpy(p, "abcd", 5);
	CHECK_EQ_STR(p, "abcd");
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK);
	arena_free(&a);
	CHECK(a.head == NULL);
	CHECK_EQ_INT(a.total, 0);
	arena_free(NULL); /* NULL-safe */
}

TEST(arena_alignment_and_no_overlap)
{
	arena a;
	arena_init(&a, 256, 0);
	unsigned char *ptrs[200];
	size_t sizes[200];
	for (int i = 0; i < 200; i++) {
		sizes[i] = (size_t)(i * 7 % 61);
		ptrs[i] = arena_alloc(&a, sizes[i]);
		CHECK(ptrs[i] != NULL);
		CHECK(aligned16(ptrs[i]));
		memset(ptrs[i], i, sizes[i]);
	}
	for (int i = 0; i < 200; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			if (ptrs[i][k] != (unsigned char)i) {
				T_FAIL_AT("allocation %d byte %zu overwritten", i, k);
				break;
			}
	/* zero-size allocations are unique valid pointers */
	void *z1 = arena_alloc(&a, 0), *z2 = arena_alloc(&a, 0);
	CHECK(z1 && z2 && z1 != z2);
	CHECK(aligned16(z1) && aligned16(z2));
	arena_free(&a);
}

TEST(arena_big_allocations)
{
	arena a = { 0 };
	char *s1 = arena_alloc(&a, 16);
	char *big = arena_alloc(&a, 1u << 20);
	CHECK(big != NULL && aligned16(big));
	memset(big, 'x', 1u << 20);
	/* the big block got its own chunk; small ones keep filling the first */
	char *s2 = arena_alloc(&a, 16);
	CHECK(s2 == s1 + 16);
	char *big2 = arena_alloc(&a, 3 * ARENA_DEFAULT_CHUNK + 1);
	CHECK(big2 != NULL && aligned16(big2));
	memset(big2, 'y', 3 * ARENA_DEFAULT_CHUNK + 1);
	CHECK(big[0] == 'x' && big[(1u << 20) - 1] == 'x');
	CHECK(a.total >= (1u << 20) + 3 * ARENA_DEFAULT_CHUNK + ARENA_DEFAULT_CHUNK);
	/* impossible sizes fail cleanly */
	CHECK(arena_alloc(&a, SIZE_MAX) == NULL);
	CHECK(arena_alloc(&a, SIZE_MAX - 15) == NULL);
	CHECK(arena_alloc(&a, SIZE_MAX / 2 + 1) == NULL);
	arena_free(&a);
}

TEST(arena_reset_keeps_a_chunk)
{
	arena a = { 0 };
	char *first = arena_alloc(&a, 100);
	for (int i = 0; i < 100; i++)
		CHECK(arena_alloc(&a, 1000) != NULL);
	CHECK(arena_alloc(&a, 1u << 16) != NULL);
	CHECK(a.total > 10 * ARENA_DEFAULT_CHUNK);
	arena_reset(&a);
	CHECK(a.head != NULL);
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK);
	char *again = arena_alloc(&a, 100);
	CHECK(again != NULL);
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK); /* reused, nothing new allocated */
	(void)first;
	arena_reset(&a);
	arena_reset(&a); /* idempotent */
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK);
	arena_free(&a);
	arena_reset(&a); /* on an empty arena */
	CHECK(a.head == NULL);
	CHECK(arena_alloc(&a, 10) != NULL); /* reusable after free */
	arena_free(&a);
}

TEST(arena_cap_enforced)
{
	arena a;
	arena_init(&a, 1024, 4096);
	size_t got = 0;
	void *p;
	while ((p = arena_alloc(&a, 100)) != NULL) {
		got += 100;
		CHECK(a.total <= 4096);
		if (got > 8192)
			break;
	}
	CHECK(p == NULL);
	CHECK(got >= 3000 && got <= 4096);
	CHECK(a.total <= 4096);
	CHECK(arena_alloc(&a, 5000) == NULL);
	arena_reset(&a);
	CHECK(arena_alloc(&a, 4097) == NULL);
	arena_free(&a);

	/* a single allocation up to the cap succeeds (chunk sized to fit) */
	arena_init(&a, 8192, 4096);
	p = arena_alloc(&a, 4000);
	CHECK(p != NULL);
	CHECK(a.total <= 4096);
	CHECK(arena_alloc(&a, 200) == NULL);
	arena_free(&a);

	/* cap smaller than one chunk */
	arena_init(&a, 0, 100);
	CHECK(arena_alloc(&a, 50) != NULL);
	CHECK(arena_alloc(&a, 200) == NULL);
	CHECK(a.total <= 100);
	arena_free(&a);
}

TEST(arena_calloc_dup)
{
	arena a = { 0 };
	int *z = arena_calloc(&a, 100, sizeof(int));
	CHECK(z != NULL);
	int all0 = 1;
	for (int i = 0; i < 100; i++)
		all0 &= z[i] == 0;
	CHECK(all0);
	CHECK(arena_calloc(&a, SIZE_MAX / 2, 4) == NULL); /* overflow */
	CHECK(arena_calloc(&a, 0, 8) != NULL);
	char *d = arena_memdup(&a, "hello", 5);
	CHECK_EQ_MEM(d, 5, "hello", 5);
	CHECK(arena_memdup(&a, NULL, 0) != NULL);
	char *s = arena_strndup(&a, "hello world", 5);
	CHECK_EQ_STR(s, "hello");
	char *e = arena_strndup(&a, NULL, 0);
	CHECK_EQ_STR(e, "");
	CHECK(arena_strndup(&a, "x", SIZE_MAX) == NULL);
	arena_free(&a);
}

TEST(arena_realloc_in_place_and_copy)
{
	arena a = { 0 };
	char *p = arena_alloc(&a, 10);
	memcpy(p, "0123456789", 10);
	char *q = arena_realloc(&a, p, 10, 100);
	CHECK(q == p); /* last allocation, room in the chunk: grows in place */
	CHECK_EQ_MEM(q, 10, "0123456789", 10);
	memset(q + 10, 'z', 90);
	char *r = arena_alloc(&a, 1);
	CHECK(r >= q + 100); /* the grown block is really reserved */
	/* not the last allocation: copies */
	char *q2 = arena_realloc(&a, q, 100, 200);
	CHECK(q2 != NULL && q2 != q);
	CHECK_EQ_MEM(q2, 10, "0123456789", 10);
	CHECK(q2[99] == 'z');
	/* shrinking keeps the pointer */
	CHECK(arena_realloc(&a, q2, 200, 50) == q2);
	/* growth beyond the chunk: copies into a new chunk */
	char *q3 = arena_realloc(&a, q2, 200, 3 * ARENA_DEFAULT_CHUNK);
	CHECK(q3 != NULL && q3 != q2);
	CHECK_EQ_MEM(q3, 10, "0123456789", 10);
	/* NULL behaves like alloc */
	char *n = arena_realloc(&a, NULL, 0, 32);
	CHECK(n != NULL && aligned16(n));
	arena_free(&a);

	/* failure under the cap: NULL, old block intact */
	arena_init(&a, 1024, 1024);
	p = arena_alloc(&a, 64);
	memset(p, 'k', 64);
	CHECK(arena_realloc(&a, p, 64, 4096) == NULL);
	CHECK(p[0] == 'k' && p[63] == 'k');
	CHECK(arena_realloc(&a, p, 64, 512) == p); /* in place within the chunk */
	arena_free(&a);
}

TEST(arena_many_chunks_stress)
{
	arena a;
	arena_init(&a, 512, 0);
	for (int round = 0; round < 5; round++) {
		char *blocks[300];
		for (int i = 0; i < 300; i++) {
			size_t n = (size_t)((i * 37 + round) % 700);
			blocks[i] = arena_alloc(&a, n);
			CHECK(blocks[i] != NULL);
			if (n)
				blocks[i][n - 1] = (char)i;
		}
		arena_reset(&a);
		CHECK(a.total <= 512);
	}
	arena_free(&a);
}

int main(void)
{
	RUN(arena_zero_init_valid);
	RUN(arena_alignment_and_no_overlap);
	RUN(arena_big_allocations);
	RUN(arena_reset_keeps_a_chunk);
	RUN(arena_cap_enforced);
	RUN(arena_calloc_dup);
	RUN(arena_realloc_in_place_and_copy);
	RUN(arena_many_chunks_stress);
	return t_done();
}
