/*
 * ew_buf.h - a growable array on the heap, for results whose final size
 * is known only at the end and that are big enough that an arena's
 * abandoned blocks (ew_vec) would double the peak: realloc frees them.
 * Capped by EW_ARENA_DEFAULT_BUDGET bytes like an arena.
 */
#ifndef EW_BUF_H
#define EW_BUF_H

#include <stddef.h>

typedef struct ew_buf {
    void *items; /* owned (malloc) */
    size_t n, cap;
    size_t elem; /* element size in bytes */
} ew_buf;

void ew_buf_init(ew_buf *b, size_t elem);
/* Appends one zeroed element and returns it, or NULL when out of memory
 * (the buffer is unchanged). Pointers into items move on growth. */
void *ew_buf_push(ew_buf *b);
void ew_buf_free(ew_buf *b);

#define EW_BUF_AT(b, T, i) (&((T *)(b)->items)[i])

#endif
