/* arena.c - see arena.h. */
#include "core/arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

struct arena_block {
    arena_block_t *next;
    alignas(max_align_t) char data[];
};

#define ARENA_BLOCK 8192

void *arena_alloc(arena_t *a, size_t size)
{
    size_t al = alignof(max_align_t);
    size = st_add(size, al - 1) & ~(al - 1);
    if (a->head == NULL || a->cap - a->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        arena_block_t *b = xmalloc(st_add(sizeof(*b), cap));
        if (a->head != NULL && size > ARENA_BLOCK && a->cap - a->used >= ARENA_BLOCK / 4) {
            /* A large one-off: keep filling the current block afterwards. */
            b->next = a->head->next;
            a->head->next = b;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
        a->cap = cap;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += size;
    return p;
}

void *arena_memdup(arena_t *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n ? n : 1);
    if (n)
        memcpy(q, p, n);
    return q;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *q = arena_alloc(a, st_add(n, 1));
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_free(arena_t *a)
{
    arena_block_t *b = a->head;
    while (b) {
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used = a->cap = 0;
}
