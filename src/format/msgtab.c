/*
 * msgtab.c - RT_MESSAGETABLE reader (layout: msgtab.h, FORMATS.md §2.8).
 *
 * Two passes: the block table is validated and the entries counted (each
 * block's count checked against the bytes behind it, by division, and the
 * total against MSGTAB_MAX_ENTRIES) before anything is allocated; then the
 * entries are decoded. An entry's length field includes its 4-byte header,
 * so a length below 4 could not advance the walk and is rejected.
 */
#include "format/msgtab.h"

#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "base/ew_utf16.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 12u
#define ENTRY_HEADER_SIZE 4u
/* winnt.h MESSAGE_RESOURCE_UTF8 (newer SDKs): UTF-8 text. */
#define FLAG_UTF8 0x0002u

/* Windows-1252 0x80..0x9F (the rest of the code page is Latin-1);
 * 0xFFFD where the code page has no character. */
static const uint16_t cp1252_80[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Decodes n bytes of entry text (up to the first NUL) into an arena
 * UTF-8 string with trailing CR/LF removed. */
static char *decode_text(ew_arena *a, const uint8_t *p, size_t n,
                         uint16_t flags, size_t *len)
{
    bool wide = flags & MSGTAB_FLAG_UNICODE;
    char *out;
    size_t o = 0;
    if (wide && !(flags & FLAG_UTF8)) {
        if (ew_utf16_to_utf8(a, p, n / 2, &out, &o) != EW_OK)
            return NULL;
    } else {
        /* a byte a character: cp1252, or UTF-8 passed through as stored
         * (with the Unicode flag as well, the text ends at a NUL unit) */
        size_t end = wide ? ew_utf16_nlen(p, n / 2)
                          : strnlen((const char *)p, n);
        /* at most 3 UTF-8 bytes per cp1252 byte; n < 64K */
        out = ew_arena_alloc(a, end * 3 + 1);
        if (!out)
            return NULL;
        for (size_t i = 0; i < end; i++) {
            uint32_t u = p[i];
            if (flags & FLAG_UTF8)
                out[o++] = (char)u;
            else
                o += ew_utf8_put(out + o, u >= 0x80 && u < 0xA0
                                              ? cp1252_80[u - 0x80]
                                              : u);
        }
    }
    while (o > 0 && (out[o - 1] == '\r' || out[o - 1] == '\n'))
        o--;
    out[o] = 0;
    *len = o;
    return out;
}

typedef struct order {
    uint32_t id;
    uint32_t seq; /* position in the file's order: ties keep the first */
} order;

static int cmp_order(const void *x, const void *y)
{
    const order *a = x, *b = y;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Sorts t->entries by id and drops later duplicates. */
static ew_status sort_entries(msgtab *t, ew_arena *a)
{
    size_t n = t->n_entries;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = t->entries[i - 1].id < t->entries[i].id;
    if (sorted) /* the usual case: blocks ascending, no overlap */
        return EW_OK;
    order *o = ew_arena_array(a, n, sizeof *o);
    msgtab_entry *e = ew_arena_array(a, n, sizeof *e);
    if (!o || !e)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        o[i] = (order){t->entries[i].id, (uint32_t)i};
    qsort(o, n, sizeof *o, cmp_order);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || e[k - 1].id != o[i].id)
            e[k++] = t->entries[o[i].seq];
    t->entries = e;
    t->n_entries = k;
    return EW_OK;
}

ew_status msgtab_parse(msgtab *t, const uint8_t *data, size_t size,
                       uint64_t base_off, ew_arena *a, ew_diag *d)
{
    memset(t, 0, sizeof *t);
    ew_rd r;
    ew_rd_init(&r, data, size, base_off, "message table header", d);
    uint32_t n_blocks;
    EW_TRY(ew_rd_u32(&r, &n_blocks));
    if (n_blocks > MSGTAB_MAX_BLOCKS)
        return ew_rd_fail(&r, EW_E_LIMIT, 0, "%u blocks (cap %u)", n_blocks,
                          (unsigned)MSGTAB_MAX_BLOCKS);
    if (n_blocks > (size - 4) / BLOCK_SIZE)
        return ew_rd_fail(&r, EW_E_BAD_COUNT, 0,
                          "%u blocks of 12 bytes do not fit in 0x%zx bytes",
                          n_blocks, size);

    /* pass 1: blocks, counts */
    ew_rd blocks;
    EW_TRY(ew_rd_sub(&r, 4, (size_t)n_blocks * BLOCK_SIZE,
                     "message table block", &blocks));
    uint64_t total = 0;
    for (uint32_t i = 0; i < n_blocks; i++) {
        uint32_t lo, hi, off;
        size_t at = (size_t)i * BLOCK_SIZE;
        EW_TRY(ew_rd_u32(&blocks, &lo));
        EW_TRY(ew_rd_u32(&blocks, &hi));
        EW_TRY(ew_rd_u32(&blocks, &off));
        if (hi < lo)
            return ew_rd_fail(&blocks, EW_E_BAD_VALUE, at,
                              "block %u: high id 0x%x below low id 0x%x", i,
                              hi, lo);
        uint64_t count = (uint64_t)hi - lo + 1;
        if (off > size || count > (size - off) / ENTRY_HEADER_SIZE)
            return ew_rd_fail(&blocks, EW_E_BAD_COUNT, at,
                              "block %u: %llu entries at 0x%x do not fit in "
                              "0x%zx bytes",
                              i, (unsigned long long)count, off, size);
        total += count;
        if (total > MSGTAB_MAX_ENTRIES)
            return ew_rd_fail(&blocks, EW_E_LIMIT, at,
                              "more than %u entries",
                              (unsigned)MSGTAB_MAX_ENTRIES);
    }

    /* pass 2: entries */
    msgtab_entry *e = ew_arena_array(a, (size_t)total, sizeof *e);
    if (!e && total)
        return ew_fail(d, EW_E_NOMEM, "message table", (int64_t)base_off,
                       "arena budget exhausted");
    size_t k = 0;
    for (uint32_t i = 0; i < n_blocks; i++) {
        uint32_t lo, hi, off;
        ew_rd_u32_at(&blocks, (size_t)i * BLOCK_SIZE, &lo);
        ew_rd_u32_at(&blocks, (size_t)i * BLOCK_SIZE + 4, &hi);
        ew_rd_u32_at(&blocks, (size_t)i * BLOCK_SIZE + 8, &off);
        ew_rd er;
        EW_TRY(ew_rd_sub(&r, off, size - off, "message table entry", &er));
        for (uint64_t id = lo; id <= hi; id++) {
            size_t at = er.pos;
            uint16_t len, flags;
            const uint8_t *text;
            EW_TRY(ew_rd_u16(&er, &len));
            EW_TRY(ew_rd_u16(&er, &flags));
            if (len < ENTRY_HEADER_SIZE)
                return ew_rd_fail(&er, EW_E_BAD_VALUE, at,
                                  "id 0x%llx: length %u is below the "
                                  "4-byte header",
                                  (unsigned long long)id, len);
            if (flags & ~(uint16_t)(MSGTAB_FLAG_UNICODE | FLAG_UTF8) ||
                flags == (MSGTAB_FLAG_UNICODE | FLAG_UTF8))
                return ew_rd_fail(&er, EW_E_UNSUPPORTED, at + 2,
                                  "id 0x%llx: flags 0x%x",
                                  (unsigned long long)id, flags);
            EW_TRY(ew_rd_bytes(&er, len - ENTRY_HEADER_SIZE, &text));
            msgtab_entry *m = &e[k++];
            m->id = (uint32_t)id;
            m->flags = flags;
            m->off = er.base_off + at;
            m->text = decode_text(a, text, len - ENTRY_HEADER_SIZE, flags,
                                  &m->len);
            if (!m->text)
                return ew_fail(d, EW_E_NOMEM, "message table",
                               (int64_t)base_off, "arena budget exhausted");
        }
    }
    t->entries = e;
    t->n_entries = k;
    t->n_blocks = n_blocks;
    if (sort_entries(t, a) != EW_OK) {
        memset(t, 0, sizeof *t);
        return ew_fail(d, EW_E_NOMEM, "message table", (int64_t)base_off,
                       "arena budget exhausted");
    }
    return EW_OK;
}

const char *msgtab_find(const msgtab *t, uint32_t id)
{
    size_t lo = 0, hi = t->n_entries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t v = t->entries[mid].id;
        if (v == id)
            return t->entries[mid].text;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
