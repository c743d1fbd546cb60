#include "ew_arena.h"

#include "ew_limits.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ew_arena_chunk {
    ew_arena_chunk *next;
    size_t size, pos;
    _Alignas(16) unsigned char data[];
};

#define CHUNK_MIN ((size_t)64 * 1024)

void ew_arena_init(ew_arena *a, size_t budget)
{
    a->head = NULL;
    a->used = 0;
    a->budget = budget ? budget : EW_ARENA_DEFAULT_BUDGET;
}

void ew_arena_free(ew_arena *a)
{
    ew_arena_chunk *c = a->head;
    while (c) {
        ew_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *ew_arena_alloc(ew_arena *a, size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size || need > a->budget - a->used || a->used > a->budget)
        return NULL;
    ew_arena_chunk *c = a->head;
    if (!c || c->size - c->pos < need) {
        size_t csize = need > CHUNK_MIN ? need : CHUNK_MIN;
        c = malloc(sizeof *c + csize);
        if (!c)
            return NULL;
        c->size = csize;
        c->pos = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->pos;
    c->pos += need;
    a->used += need;
    memset(p, 0, size);
    return p;
}

void *ew_arena_array(ew_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return ew_arena_alloc(a, n * size);
}

char *ew_arena_strndup(ew_arena *a, const char *s, size_t n)
{
    char *p = ew_arena_alloc(a, n + 1);
    if (p && n)
        memcpy(p, s, n);
    return p;
}

void ew_vec_init(ew_vec *v, size_t elem)
{
    v->items = NULL;
    v->n = v->cap = 0;
    v->elem = elem;
}

void *ew_vec_push(ew_vec *v, ew_arena *a)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void *items = ew_arena_array(a, cap, v->elem);
        if (!items)
            return NULL;
        if (v->n)
            memcpy(items, v->items, v->n * v->elem);
        v->items = items;
        v->cap = cap;
    }
    return (unsigned char *)v->items + v->n++ * v->elem;
}
