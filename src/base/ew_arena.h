/*
 * ew_arena.h - region allocator: many small allocations, one free.
 *
 * One arena per input (image, PDB); models point into the mapped file or
 * into their arena, and freeing is dropping the arena. Allocations are
 * zeroed and 16-byte aligned. An arena has a byte budget (ew_limits.h), so a
 * hostile file cannot make etwmap eat memory: past it, allocation fails and
 * the parser reports EW_E_NOMEM/EW_E_LIMIT.
 *
 * ew_vec is a growable array in an arena, for lists whose length is known
 * only after a walk. Growth copies; the old block stays in the arena (the
 * waste is at most the final size).
 */
#ifndef EW_ARENA_H
#define EW_ARENA_H

#include "ew.h"

#include <stddef.h>

typedef struct ew_arena_chunk ew_arena_chunk;

typedef struct ew_arena {
    ew_arena_chunk *head; /* owned: newest chunk first */
    size_t used;          /* bytes handed out, for budgets and benchmarks */
    size_t budget;        /* maximum bytes; 0 = EW_ARENA_DEFAULT_BUDGET */
} ew_arena;

void ew_arena_init(ew_arena *a, size_t budget);
void ew_arena_free(ew_arena *a);

/* Zeroed memory, or NULL when the budget or the system says no. */
void *ew_arena_alloc(ew_arena *a, size_t size);
/* n elements of size bytes, with overflow checking. */
void *ew_arena_array(ew_arena *a, size_t n, size_t size);
/* A NUL-terminated copy of n bytes. */
char *ew_arena_strndup(ew_arena *a, const char *s, size_t n);

typedef struct ew_vec {
    void *items;     /* arena memory */
    size_t n, cap;   /* elements used / allocated */
    size_t elem;     /* element size in bytes */
} ew_vec;

void ew_vec_init(ew_vec *v, size_t elem);
/* Appends one zeroed element and returns it, or NULL when out of memory. */
void *ew_vec_push(ew_vec *v, ew_arena *a);

#define EW_VEC_AT(v, T, i) (&((T *)(v)->items)[i])

#endif
