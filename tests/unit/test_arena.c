/* test_arena.c — bump allocator: alignment, big blocks, reset (which chunk is
 * kept), cap, realloc, wiping (arena_wipe_reset / arena_wipe_free). */
#include "t.h"
#include "base/arena.h"
#include <stdbool.h>
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

/* reset keeps the largest chunk up to 4 x chunk_size: an arena whose first
 * allocation was big reuses it; a huge one-off block is released. */
TEST(arena_reset_keeps_big_first_chunk)
{
	arena a = { 0 };
	char *p = arena_alloc(&a, 10000);
	CHECK(p != NULL);
	CHECK_EQ_INT(a.total, 10000);
	for (int round = 0; round < 3; round++) {
		arena_reset(&a);
		CHECK(a.head != NULL);
		CHECK_EQ_INT(a.total, 10000);
		char *q = arena_alloc(&a, 10000);
		CHECK(q == p);                    /* same memory, no malloc */
		CHECK_EQ_INT(a.total, 10000);
	}
	arena_free(&a);

	/* default chunk + 12000 (kept: largest <= 4 x 4096) + 64 KiB (released) */
	CHECK(arena_alloc(&a, 100) != NULL);
	char *mid = arena_alloc(&a, 12000);
	CHECK(mid != NULL);
	CHECK(arena_alloc(&a, 1u << 16) != NULL);
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK + 12000 + (1u << 16));
	arena_reset(&a);
	CHECK_EQ_INT(a.total, 12000);
	CHECK(arena_alloc(&a, 12000) == mid);
	CHECK(arena_alloc(&a, 1) != NULL);    /* full: a new default chunk */
	CHECK_EQ_INT(a.total, 12000 + ARENA_DEFAULT_CHUNK);
	arena_free(&a);

	/* only a chunk above the bound: nothing kept */
	CHECK(arena_alloc(&a, 4 * ARENA_DEFAULT_CHUNK + 16) != NULL);
	arena_reset(&a);
	CHECK(a.head == NULL);
	CHECK_EQ_INT(a.total, 0);
	/* exactly at the bound: kept */
	CHECK(arena_alloc(&a, 4 * ARENA_DEFAULT_CHUNK) != NULL);
	arena_reset(&a);
	CHECK_EQ_INT(a.total, 4 * ARENA_DEFAULT_CHUNK);
	arena_free(&a);

	/* a custom chunk size scales the bound */
	arena_init(&a, 1000, 0);
	CHECK(arena_alloc(&a, 3990) != NULL);
	arena_reset(&a);
	CHECK_EQ_INT(a.total, 4000);
	arena_free(&a);
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* arena_wipe_reset / arena_wipe_free: every byte handed out is zeroed,
 * including bytes from before an earlier plain reset. The kept chunk is
 * checked through the next allocation (same memory); freed chunks go
 * through the same wipe pass. */
TEST(arena_wipe)
{
	arena a = { 0 };
	char *s = arena_alloc(&a, 64);
	memset(s, 'K', 64);
	arena_wipe_reset(&a);
	CHECK_EQ_INT(a.total, ARENA_DEFAULT_CHUNK);
	char *t = arena_alloc(&a, 64);
	CHECK(t == s);
	CHECK(all_zero(t, 64));

	/* bytes handed out before a plain reset are still wiped */
	arena_reset(&a);
	s = arena_alloc(&a, 200);
	memset(s, 'S', 200);
	arena_reset(&a);
	t = arena_alloc(&a, 16);
	CHECK(t == s);
	CHECK(t[17] == 'S');                  /* plain reset does not clear */
	arena_wipe_reset(&a);
	t = arena_alloc(&a, 200);
	CHECK(t == s);
	CHECK(all_zero(t, 200));
	/* a second wipe after a wipe has nothing left to do but stays correct */
	arena_wipe_reset(&a);
	CHECK(all_zero(arena_alloc(&a, 200), 200));
	arena_free(&a);

	/* many chunks, a big block behind the head: one chunk kept, zeroed */
	arena_init(&a, 256, 0);
	for (int i = 0; i < 50; i++) {
		char *p = arena_alloc(&a, 100);
		CHECK(p != NULL);
		if (p)
			memset(p, 'x', 100);
	}
	char *big = arena_alloc(&a, 900);
	CHECK(big != NULL);
	if (big)
		memset(big, 'y', 900);
	arena_wipe_reset(&a);
	CHECK(a.head != NULL);
	CHECK(a.total <= 4 * 256);
	size_t keep = a.total;
	char *z = arena_alloc(&a, keep);
	CHECK(z != NULL && a.total == keep);   /* the kept chunk, whole */
	CHECK(z && all_zero(z, keep));
	memset(z, 'q', keep);
	arena_wipe_free(&a);
	CHECK(a.head == NULL);
	CHECK_EQ_INT(a.total, 0);
	arena_wipe_free(&a);                   /* twice */
	arena_wipe_free(NULL);                 /* NULL-safe */
	arena_wipe_reset(&a);                  /* on an empty arena */
	CHECK(a.head == NULL);
	CHECK(arena_alloc(&a, 10) != NULL);    /* reusable afterwards */
	arena_wipe_free(&a);
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
		CHECK(a.total <= 4 * 512);   /* one chunk kept, at most 4 x chunk_size */
	}
	arena_free(&a);
}

int main(void)
{
	RUN(arena_zero_init_valid);
	RUN(arena_alignment_and_no_overlap);
	RUN(arena_big_allocations);
	RUN(arena_reset_keeps_a_chunk);
	RUN(arena_reset_keeps_big_first_chunk);
	RUN(arena_wipe);
	RUN(arena_cap_enforced);
	RUN(arena_calloc_dup);
	RUN(arena_realloc_in_place_and_copy);
	RUN(arena_many_chunks_stress);
	return t_done();
}
