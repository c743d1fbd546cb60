/*
 * ew_buf.c - growable heap arrays (ew_buf.h).
 */
#include "base/ew_buf.h"
#include "base/ew_limits.h"

#include <stdlib.h>
#include <string.h>

void ew_buf_init(ew_buf *b, size_t elem)
{
    memset(b, 0, sizeof *b);
    b->elem = elem;
}

void *ew_buf_push(ew_buf *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        if (cap > EW_ARENA_DEFAULT_BUDGET / b->elem)
            return NULL;
        void *g = realloc(b->items, cap * b->elem);
        if (!g)
            return NULL;
        b->items = g;
        b->cap = cap;
    }
    void *p = (char *)b->items + b->n++ * b->elem;
    memset(p, 0, b->elem);
    return p;
}

void ew_buf_free(ew_buf *b)
{
    free(b->items);
    memset(b, 0, sizeof *b);
}
