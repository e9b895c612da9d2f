/* arena.h — bump allocator for request-, connection- and document-scoped data.
 * Everything allocated from an arena is released at once by arena_reset() or
 * arena_free(). A zero-initialised arena is valid (default chunk size, no cap). */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H
#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;     /* current chunk (list of all chunks, newest first) */
	size_t chunk_size;     /* 0 = ARENA_DEFAULT_CHUNK */
	size_t cap;            /* max total bytes of chunks; 0 = no cap */
	size_t total;          /* bytes currently held in chunks */
} arena;

#define ARENA_DEFAULT_CHUNK 4096u

/* Set chunk size and cap (either may be 0 for the default / no cap). */
void arena_init(arena *a, size_t chunk_size, size_t cap);

/* n bytes aligned to 16; NULL when out of memory or over the cap.
 * arena_alloc(a, 0) returns a valid unique pointer. */
void *arena_alloc(arena *a, size_t n);
void *arena_calloc(arena *a, size_t count, size_t size); /* zeroed, overflow-checked */
void *arena_memdup(arena *a, const void *p, size_t n);
/* Copy of s[0..n) plus a NUL terminator. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* Grow the most recent allocation p (old size old_n) to new_n; copies when it
 * cannot extend in place. NULL on failure (p stays valid). */
void *arena_realloc(arena *a, void *p, size_t old_n, size_t new_n);

/* Release everything but keep one chunk for reuse: the largest one no bigger
 * than 4 x chunk_size (so an arena whose first allocation was big, up to that
 * bound, does not go back to malloc on the next round); bigger chunks are
 * freed. The kept chunk stays counted in total. Bytes are NOT cleared. */
void arena_reset(arena *a);
/* Release everything. The arena may be reused afterwards. NULL-safe. */
void arena_free(arena *a);

/* For arenas that held secrets (config, keys): the same as arena_reset /
 * arena_free, but first every byte ever handed out by every chunk (also
 * bytes from before an earlier arena_reset) is overwritten with zeros in a
 * way the optimiser cannot drop (ct_wipe). Costs one pass over the used
 * memory. arena_wipe_free is NULL-safe. */
void arena_wipe_reset(arena *a);
void arena_wipe_free(arena *a);

#endif
