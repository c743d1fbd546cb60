/*
 * pe_resources.c - the resource tree, flattened into sorted leaves.
 *
 * Layout (Microsoft PE Format, "The .rsrc Section"; FORMATS.md §2.1). All
 * offsets are from the start of the resource directory (the root):
 *
 *   IMAGE_RESOURCE_DIRECTORY (16)  +0 Characteristics  +4 TimeDateStamp
 *                                  +8 u16 Major  +10 u16 Minor
 *                                  +12 u16 NumberOfNamedEntries
 *                                  +14 u16 NumberOfIdEntries
 *                                  then the entries, 8 bytes each
 *   entry (8)                      +0 u32 Name: bit 31 set: offset of
 *                                     { u16 Length; UTF-16LE chars[Length] }
 *                                     (no NUL); else the ID
 *                                  +4 u32 OffsetToData: bit 31 set: offset of
 *                                     a subdirectory; else of a data entry
 *   IMAGE_RESOURCE_DATA_ENTRY (16) +0 u32 DataRVA  +4 u32 Size
 *                                  +8 u32 CodePage  +12 u32 Reserved
 *
 * Levels: 1 type, 2 name, 3 language; data entries only at level 3. The
 * walk refuses a subdirectory it has already visited (a loop, or a shared
 * subtree that would multiply the work) and any level past 3, and counts
 * entries against PE_MAX_RESOURCES.
 */
#include "pe_int.h"

#include "base/ew_utf16.h"

#include <stdlib.h>
#include <string.h>

#define RES_DIR_SIZE 16u
#define RES_ENTRY_SIZE 8u
#define RES_DATA_SIZE 16u
#define RES_HIGH_BIT 0x80000000u

typedef struct res_leaf {
    pe_resource r;
    size_t idx; /* walk order, the last sort key (determinism) */
} res_leaf;

/* An open-addressing map from 31-bit offsets (from the root) to a value:
 * visited directories (value unused) and converted names. */
typedef struct off_map {
    uint32_t *keys; /* offset + 1; 0 = empty */
    const char **vals;
    size_t cap, n;
} off_map;

typedef struct res_walk {
    pe_ctx *c;
    ew_rd root;     /* every file-backed byte from the root on */
    off_map dirs;   /* directories visited */
    off_map names;  /* name strings converted, so that many entries naming
                       one string cost one conversion */
    size_t n_entries;
    ew_vec leaves;  /* of res_leaf */
} res_walk;

/* ---- offset map ------------------------------------------------------- */

static size_t slot_of(uint32_t key, size_t cap)
{
    return (size_t)(key * 2654435761u) & (cap - 1); /* Knuth's multiplier */
}

/* The value slot of off, inserted (holding NULL) when absent; *found tells
 * which. The map stays at most half full; growth copies into the arena
 * (what is left behind is at most the final size). */
static ew_status map_slot(res_walk *w, off_map *m, uint32_t off, int64_t at,
                          const char ***val, bool *found)
{
    uint32_t key = off + 1; /* off < 2^31: never 0, never wraps */
    if (2 * (m->n + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 64;
        uint32_t *k = ew_arena_array(&w->c->img->arena, cap, sizeof *k);
        const char **v = ew_arena_array(&w->c->img->arena, cap, sizeof *v);
        if (!k || !v)
            return pe_nomem(w->c, "resource directory", at);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t j = slot_of(m->keys[i], cap);
            while (k[j])
                j = (j + 1) & (cap - 1);
            k[j] = m->keys[i];
            v[j] = m->vals[i];
        }
        m->keys = k;
        m->vals = v;
        m->cap = cap;
    }
    size_t j = slot_of(key, m->cap);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    *found = m->keys[j] == key;
    if (!*found) {
        m->keys[j] = key;
        m->n++;
    }
    *val = &m->vals[j];
    return EW_OK;
}

/* ---- names ------------------------------------------------------------ */

/* The UTF-16LE name at off (from the root), as UTF-8 in the arena
 * (ew_utf16_to_utf8: unpaired surrogates become U+FFFD, an embedded NUL
 * ends the name). */
static ew_status read_name(res_walk *w, uint32_t off, const char **out)
{
    ew_rd s;
    uint16_t len;
    const uint8_t *u;
    const char **cached;
    bool found;
    EW_TRY(ew_rd_sub(&w->root, off, 2, "resource name string", &s));
    EW_TRY(map_slot(w, &w->names, off, (int64_t)s.base_off, &cached,
                    &found));
    if (found) {
        *out = *cached;
        return EW_OK;
    }
    EW_TRY(ew_rd_u16(&s, &len));
    if (len > PE_MAX_NAME)
        return ew_fail(w->c->d, EW_E_LIMIT, "resource name string",
                       (int64_t)s.base_off, "%u UTF-16 units, at most %u",
                       len, PE_MAX_NAME);
    EW_TRY(ew_rd_sub(&w->root, (size_t)off + 2, 2 * (size_t)len,
                     "resource name string", &s));
    EW_TRY(ew_rd_bytes(&s, 2 * (size_t)len, &u));
    char *p;
    if (ew_utf16_to_utf8(&w->c->img->arena, u, len, &p, NULL) != EW_OK)
        return pe_nomem(w->c, "resource name string", (int64_t)s.base_off);
    *out = *cached = p;
    return EW_OK;
}

/* ---- walk ------------------------------------------------------------- */

/* The directory at off (already in w->dirs) at level depth (1..3); leaf
 * carries the keys of the levels above. */
static ew_status walk_dir(res_walk *w, uint32_t off, unsigned depth,
                          pe_resource leaf)
{
    pe_ctx *c = w->c;
    ew_rd d;
    uint16_t n_named, n_id;
    EW_TRY(ew_rd_sub(&w->root, off, RES_DIR_SIZE, "resource directory", &d));
    EW_TRY(ew_rd_u16_at(&d, 12, &n_named));
    EW_TRY(ew_rd_u16_at(&d, 14, &n_id));
    size_t total = (size_t)n_named + n_id;
    size_t left = w->root.size - off - RES_DIR_SIZE; /* the sub fit */
    if (total > left / RES_ENTRY_SIZE)
        return ew_fail(c->d, EW_E_BAD_COUNT, "resource directory",
                       (int64_t)d.base_off + 12,
                       "%u named + %u ID entries, room for %zu", n_named,
                       n_id, left / RES_ENTRY_SIZE);
    if (total > PE_MAX_RESOURCES - w->n_entries)
        return ew_fail(c->d, EW_E_LIMIT, "resource directory",
                       (int64_t)d.base_off + 12,
                       "more than %u entries in the tree", PE_MAX_RESOURCES);
    w->n_entries += total;

    for (size_t k = 0; k < total; k++) {
        size_t eoff = (size_t)off + RES_DIR_SIZE + k * RES_ENTRY_SIZE;
        int64_t at = (int64_t)(w->root.base_off + eoff);
        uint32_t name_f, data_f, id = 0;
        const char *name = NULL;
        EW_TRY(ew_rd_u32_at(&w->root, eoff, &name_f));
        EW_TRY(ew_rd_u32_at(&w->root, eoff + 4, &data_f));
        if (name_f & RES_HIGH_BIT)
            EW_TRY(read_name(w, name_f & ~RES_HIGH_BIT, &name));
        else
            id = name_f;
        if (depth == 1) {
            leaf.type_id = id;
            leaf.type_name = name;
        } else if (depth == 2) {
            leaf.name_id = id;
            leaf.name_name = name;
        } else if (name) {
            return ew_fail(c->d, EW_E_BAD_VALUE, "resource directory entry",
                           at, "named language entry");
        } else {
            leaf.lang = id;
        }

        if (data_f & RES_HIGH_BIT) {
            uint32_t sub = data_f & ~RES_HIGH_BIT;
            bool dup;
            if (depth >= PE_MAX_RESOURCE_DEPTH)
                return ew_fail(c->d, EW_E_LIMIT, "resource directory entry",
                               at, "subdirectory 0x%x below level %u", sub,
                               PE_MAX_RESOURCE_DEPTH);
            const char **unused;
            EW_TRY(map_slot(w, &w->dirs, sub, at, &unused, &dup));
            if (dup)
                return ew_fail(c->d, EW_E_LOOP, "resource directory entry",
                               at, "subdirectory 0x%x was already visited",
                               sub);
            EW_TRY(walk_dir(w, sub, depth + 1, leaf));
            continue;
        }
        if (depth != PE_MAX_RESOURCE_DEPTH)
            return ew_fail(c->d, EW_E_BAD_VALUE, "resource directory entry",
                           at, "data entry at level %u, expected %u", depth,
                           PE_MAX_RESOURCE_DEPTH);
        ew_rd de;
        EW_TRY(ew_rd_sub(&w->root, data_f, RES_DATA_SIZE,
                         "resource data entry", &de));
        res_leaf *l = ew_vec_push(&w->leaves, &c->img->arena);
        if (!l)
            return pe_nomem(c, "resource data entry", (int64_t)de.base_off);
        l->r = leaf;
        l->idx = w->leaves.n - 1;
        EW_TRY(ew_rd_u32(&de, &l->r.data_rva));
        EW_TRY(ew_rd_u32(&de, &l->r.size));
        EW_TRY(ew_rd_u32(&de, &l->r.codepage));
    }
    return EW_OK;
}

/* Named keys first (as on disk), by name; then IDs ascending. */
static int key_cmp(const char *an, uint32_t aid, const char *bn, uint32_t bid)
{
    if (an && bn) {
        int c = pe_name_casecmp(an, bn);
        return c ? c : strcmp(an, bn);
    }
    if (an || bn)
        return an ? -1 : 1;
    return (aid > bid) - (aid < bid);
}

static int leaf_cmp(const void *a, const void *b)
{
    const res_leaf *x = a, *y = b;
    int c = key_cmp(x->r.type_name, x->r.type_id, y->r.type_name,
                    y->r.type_id);
    if (!c)
        c = key_cmp(x->r.name_name, x->r.name_id, y->r.name_name,
                    y->r.name_id);
    if (!c)
        c = (x->r.lang > y->r.lang) - (x->r.lang < y->r.lang);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

ew_status pe_parse_resources(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_RESOURCE];
    if (!dir.rva || !dir.size)
        return EW_OK;
    res_walk w = {.c = c};
    ew_vec_init(&w.leaves, sizeof(res_leaf));
    /* Offsets in the tree are 31-bit: the root reader is cut there. */
    EW_TRY(pe_map_avail(c, dir.rva, "resource directory",
                        c->dir_off[PE_DIR_RESOURCE], &w.root));
    if (w.root.size > 0x7FFFFFFF)
        w.root.size = 0x7FFFFFFF;
    bool dup;
    const char **unused;
    EW_TRY(map_slot(&w, &w.dirs, 0, (int64_t)w.root.base_off, &unused,
                    &dup));
    pe_resource top = {0};
    EW_TRY(walk_dir(&w, 0, 1, top));

    size_t n = w.leaves.n;
    if (n == 0)
        return EW_OK;
    res_leaf *leaves = w.leaves.items;
    qsort(leaves, n, sizeof *leaves, leaf_cmp);
    img->resources = ew_arena_array(&img->arena, n, sizeof *img->resources);
    if (!img->resources)
        return pe_nomem(c, "resource directory", (int64_t)w.root.base_off);
    for (size_t i = 0; i < n; i++)
        img->resources[i] = leaves[i].r;
    img->n_resources = n;
    return EW_OK;
}
