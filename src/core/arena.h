/* arena.h - a bump allocator for memory that dies all at once.
 *
 * Used for a request's snapshot and response while it travels between an
 * event-loop thread and a database worker: unlike h2o's pool, an arena is not
 * tied to a thread, so it may be filled on one and freed on another (never by
 * two at the same time). Allocations abort on out-of-memory. */
#ifndef SOUK_CORE_ARENA_H
#define SOUK_CORE_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block_t;
typedef struct {
    arena_block_t *head;
    size_t used; /* bytes used in head */
    size_t cap;  /* capacity of head */
} arena_t;

#define ARENA_INIT                                                                                 \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Memory aligned for any type, valid until arena_free(). */
void *arena_alloc(arena_t *a, size_t size);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_strdup(arena_t *a, const char *s);
void *arena_memdup(arena_t *a, const void *p, size_t n);
/* Release every block; the arena may be used again afterwards. */
void arena_free(arena_t *a);

#endif
