/* arena.c — chunked bump allocator; reset keeps one chunk for reuse, the
 * wipe variants zero every byte ever handed out before releasing it. */
#include "base/arena.h"
#include "base/ct.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	arena_chunk *next;
	size_t size;  /* usable bytes in data[] */
	size_t used;
	size_t dirty; /* bytes handed out before the last arena_reset (not wiped) */
	_Alignas(16) unsigned char data[];
};

#define ALIGN16(n) (((n) + 15u) & ~(size_t)15u)

void arena_init(arena *a, size_t chunk_size, size_t cap)
{
	memset(a, 0, sizeof *a);
	a->chunk_size = chunk_size;
	a->cap = cap;
}

static arena_chunk *chunk_new(arena *a, size_t need)
{
	size_t cs = a->chunk_size ? a->chunk_size : ARENA_DEFAULT_CHUNK;
	size_t size = need > cs ? need : cs;
	if (size > SIZE_MAX - sizeof(arena_chunk))
		return NULL;
	if (a->cap && size > a->cap - (a->total < a->cap ? a->total : a->cap)) {
		/* a chunk of just the needed size may still fit under the cap */
		if (a->total >= a->cap || need > a->cap - a->total)
			return NULL;
		size = need;
	}
	arena_chunk *c = malloc(sizeof *c + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	c->dirty = 0;
	a->total += size;
	return c;
}

void *arena_alloc(arena *a, size_t n)
{
	if (n > SIZE_MAX - 32)
		return NULL;
	size_t need = ALIGN16(n ? n : 1);
	arena_chunk *h = a->head;
	if (h && h->size - h->used >= need) {
		void *p = h->data + h->used;
		h->used += need;
		return p;
	}
	arena_chunk *c = chunk_new(a, need);
	if (!c)
		return NULL;
	size_t cs = a->chunk_size ? a->chunk_size : ARENA_DEFAULT_CHUNK;
	if (h && need > cs / 4 && h->size - h->used > cs / 4) {
		/* big allocation: give it its own chunk behind the current one so the
		 * current chunk's free space stays in use */
		c->next = h->next;
		h->next = c;
	} else {
		c->next = h;
		a->head = c;
	}
	c->used = need;
	return c->data;
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *arena_memdup(arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *q = arena_alloc(a, n + 1);
	if (!q)
		return NULL;
	if (n)
		memcpy(q, s, n);
	q[n] = '\0';
	return q;
}

void *arena_realloc(arena *a, void *p, size_t old_n, size_t new_n)
{
	arena_chunk *h = a->head;
	if (!p)
		return arena_alloc(a, new_n);
	if (new_n <= old_n)
		return p;
	if (h && (unsigned char *)p >= h->data && (unsigned char *)p + ALIGN16(old_n ? old_n : 1) == h->data + h->used) {
		size_t off = (size_t)((unsigned char *)p - h->data);
		if (new_n <= SIZE_MAX - 32 && h->size - off >= ALIGN16(new_n)) {
			h->used = off + ALIGN16(new_n);
			return p;
		}
	}
	void *q = arena_alloc(a, new_n);
	if (q)
		memcpy(q, p, old_n);
	return q;
}

/* The chunk reset keeps: the largest one up to ARENA_KEEP_MAX x chunk_size,
 * so an arena whose first allocation was big still reuses its memory, while a
 * huge one-off block goes back to malloc. */
#define ARENA_KEEP_MAX 4u

void arena_reset(arena *a)
{
	size_t cs = a->chunk_size ? a->chunk_size : ARENA_DEFAULT_CHUNK;
	size_t bound = cs <= SIZE_MAX / ARENA_KEEP_MAX ? cs * ARENA_KEEP_MAX : SIZE_MAX;
	arena_chunk *keep = NULL;
	for (arena_chunk *c = a->head; c; c = c->next)
		if (c->size <= bound && (!keep || c->size > keep->size))
			keep = c;
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		if (c != keep) {
			a->total -= c->size;
			free(c);
		}
		c = next;
	}
	if (keep) {
		keep->next = NULL;
		if (keep->used > keep->dirty)
			keep->dirty = keep->used;
		keep->used = 0;
	}
	a->head = keep;
}

void arena_free(arena *a)
{
	if (!a)
		return;
	arena_chunk *c = a->head;
	while (c) {
		arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* Zero every byte handed out in every chunk (now or before a reset). */
static void arena_wipe(arena *a)
{
	for (arena_chunk *c = a->head; c; c = c->next) {
		ct_wipe(c->data, c->used > c->dirty ? c->used : c->dirty);
		c->used = 0;
		c->dirty = 0;
	}
}

void arena_wipe_reset(arena *a)
{
	arena_wipe(a);
	arena_reset(a);
}

void arena_wipe_free(arena *a)
{
	if (!a)
		return;
	arena_wipe(a);
	arena_free(a);
}
