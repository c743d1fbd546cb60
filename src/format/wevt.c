/*
 * wevt.c - CRIM header, WEVT provider blocks, their elements and events.
 *
 * Layouts: wevt_int.h (restating FORMATS.md §2.2-§2.5 with the corpus
 * corrections). Templates and their BinXML: wevt_binxml.c.
 *
 * The walk is in two passes per provider: read every element (in the
 * order the block lists them, which is not the order events need them),
 * then link each event to its template, opcode, level, task, channel and
 * keyword records, and each template field to its map, by offset. Every
 * loop is bounded by a count that was checked against the bytes behind it
 * and against a cap (ew_limits.h), and every offset is read through the
 * one CRIM reader, so no offset can lead outside the manifest; the model
 * has no references between elements except these by-offset links, so a
 * hostile offset can at worst name the wrong record or none.
 */
#include "format/wevt.h"

#include "base/ew_limits.h"
#include "base/ew_utf16.h"
#include "format/wevt_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- warnings and strings ------------------------------------------------ */

static ew_status push_warning(wevt_ctx *c, ew_status s, const char *what,
                              uint64_t file_off, const char *detail)
{
    if (c->warnings.n >= WEVT_MAX_WARNINGS) {
        c->m->n_warnings_dropped++;
        return EW_OK;
    }
    wevt_warning *w = ew_vec_push(&c->warnings, c->a);
    if (!w)
        return EW_E_NOMEM;
    w->status = s;
    w->off = file_off;
    w->what = ew_arena_strndup(c->a, what, strlen(what));
    w->detail = ew_arena_strndup(c->a, detail, strlen(detail));
    return w->what && w->detail ? EW_OK : EW_E_NOMEM;
}

ew_status wevt_warn(wevt_ctx *c, ew_status s, const char *what, uint32_t off,
                    const char *fmt, ...)
{
    char detail[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return push_warning(c, s, what, c->crim.base_off + off, detail);
}

ew_status wevt_warn_scratch(wevt_ctx *c)
{
    if (c->scratch.status == EW_OK)
        return EW_OK;
    ew_diag d = c->scratch;
    ew_diag_init(&c->scratch, d.file);
    return push_warning(c, d.status, d.what,
                        d.has_off ? d.off : c->crim.base_off, d.detail);
}

ew_status wevt_read_name(wevt_ctx *c, uint32_t off, const char *what,
                         const char **out)
{
    *out = NULL;
    if (off == 0) /* offset 0 is the CRIM signature: "no name" */
        return EW_OK;
    ew_rd r;
    uint32_t size;
    if (ew_rd_sub(&c->crim, off, 4, what, &r) != EW_OK ||
        ew_rd_u32(&r, &size) != EW_OK)
        return wevt_warn_scratch(c);
    if (size < 4)
        return wevt_warn(c, EW_E_BAD_VALUE, what, off,
                         "string size %u is below its own 4 bytes", size);
    if (size - 4 > WEVT_MAX_NAME)
        return wevt_warn(c, EW_E_LIMIT, what, off,
                         "string of %u bytes (cap %u)", size,
                         (unsigned)WEVT_MAX_NAME);
    const uint8_t *p;
    if (ew_rd_sub(&c->crim, off, size, what, &r) != EW_OK ||
        ew_rd_skip(&r, 4) != EW_OK ||
        ew_rd_bytes(&r, (size - 4) & ~1u, &p) != EW_OK)
        return wevt_warn_scratch(c);
    size_t units = (size - 4) / 2;
    if (ew_utf16_nlen(p, units) == units)
        return wevt_warn(c, EW_E_TRUNCATED, what, off,
                         "unterminated string (no NUL in its %u bytes)",
                         size);
    char *s;
    ew_status st = ew_utf16_to_utf8(c->a, p, units, &s, NULL);
    *out = s;
    return st;
}

/* ---- element framing ----------------------------------------------------- */

/* Element kinds, by signature. */
enum el_kind {
    EL_CHAN, EL_LEVL, EL_OPCO, EL_TASK, EL_KEYW, EL_MAPS, EL_TTBL,
    EL_EVNT, EL_PRVA, EL_COUNT
};
static const char *const el_sig[EL_COUNT] = {
    "CHAN", "LEVL", "OPCO", "TASK", "KEYW", "MAPS", "TTBL", "EVNT", "PRVA",
};
static const char *const el_what[EL_COUNT] = {
    "WEVT CHAN element", "WEVT LEVL element", "WEVT OPCO element",
    "WEVT TASK element", "WEVT KEYW element", "WEVT MAPS element",
    "WEVT TTBL element", "WEVT EVNT element", "WEVT PRVA element",
};

/* An element being read: its view (header included) and record count. */
typedef struct element {
    enum el_kind kind;
    uint32_t off;   /* CRIM-relative */
    ew_rd r;        /* [off, off + size), or to the CRIM's end when the
                       size field is 0 ("not stated": empty OPCO/TASK/KEYW
                       elements store 0) */
    uint32_t count; /* as stored */
} element;

/* How many rec_size records fit after hdr bytes of e; when the stored
 * count is larger than that or than the cap, warns and returns fewer. */
static ew_status record_count(wevt_ctx *c, wevt_provider *p,
                              const element *e, size_t hdr, size_t rec_size,
                              size_t *n)
{
    size_t avail = e->r.size > hdr ? (e->r.size - hdr) / rec_size : 0;
    *n = e->count;
    if (*n > WEVT_MAX_RECORDS) {
        p->complete = false;
        *n = WEVT_MAX_RECORDS;
        EW_TRY(wevt_warn(c, EW_E_LIMIT, el_what[e->kind], e->off + 8,
                         "%u records (cap %u)", e->count,
                         (unsigned)WEVT_MAX_RECORDS));
    }
    if (*n > avail) {
        p->complete = false;
        EW_TRY(wevt_warn(c, EW_E_BAD_COUNT, el_what[e->kind], e->off + 8,
                         "%zu records of %zu bytes need 0x%zx bytes, "
                         "0x%zx left; reading %zu",
                         *n, rec_size, *n * rec_size,
                         e->r.size > hdr ? e->r.size - hdr : 0, avail));
        *n = avail;
    }
    return EW_OK;
}

/* A reader over record i of e (bounds already established by
 * record_count). */
static ew_rd record_at(const element *e, size_t hdr, size_t rec_size,
                       size_t i)
{
    ew_rd r;
    ew_rd_init(&r, e->r.base + hdr + i * rec_size, rec_size,
               e->r.base_off + hdr + i * rec_size, e->r.what, e->r.diag);
    return r;
}

static uint32_t rec_u32(const ew_rd *r, size_t off)
{
    uint32_t v = 0;
    ew_rd_u32_at(r, off, &v); /* in bounds: r is a whole record */
    return v;
}

static uint32_t record_off(const element *e, size_t hdr, size_t rec_size,
                           size_t i)
{
    return (uint32_t)(e->off + hdr + i * rec_size);
}

/* Decodes one record (r: a reader over exactly its bytes, off: its CRIM
 * offset) into item, an element of the model array for its kind. */
typedef ew_status (*rec_decode)(wevt_ctx *c, void *item, ew_rd *r,
                                uint32_t off);

/* Reads the records of e (hdr bytes of element header, then rec_size bytes
 * each; as many as record_count allows) into a new arena array of item_size
 * items (*items, NULL when there are none; *n), then decodes each in turn.
 * EW_E_NOMEM when the arena is exhausted; a decoder's failure stops the
 * walk and is returned. */
static ew_status read_records(wevt_ctx *c, wevt_provider *p,
                              const element *e, size_t hdr, size_t rec_size,
                              size_t item_size, rec_decode decode,
                              void **items, size_t *n)
{
    EW_TRY(record_count(c, p, e, hdr, rec_size, n));
    unsigned char *arr = ew_arena_array(c->a, *n, item_size);
    if (!arr && *n)
        return EW_E_NOMEM;
    *items = arr;
    for (size_t i = 0; i < *n; i++) {
        ew_rd r = record_at(e, hdr, rec_size, i);
        EW_TRY(decode(c, arr + i * item_size, &r,
                      record_off(e, hdr, rec_size, i)));
    }
    return EW_OK;
}

/* ---- simple elements ----------------------------------------------------- */

/* One decoder per kind; the record layouts are in wevt_int.h. */

static ew_status decode_channel(wevt_ctx *c, void *item, ew_rd *r,
                                uint32_t off)
{
    wevt_channel *ch = item;
    ch->off = off;
    ch->flags = rec_u32(r, 0);
    ch->value = rec_u32(r, 8);
    ch->message_id = rec_u32(r, 12);
    return wevt_read_name(c, rec_u32(r, 4), "WEVT channel name", &ch->name);
}

static ew_status decode_level(wevt_ctx *c, void *item, ew_rd *r,
                              uint32_t off)
{
    wevt_level *l = item;
    l->off = off;
    l->value = rec_u32(r, 0);
    l->message_id = rec_u32(r, 4);
    return wevt_read_name(c, rec_u32(r, 8), "WEVT level name", &l->name);
}

static ew_status decode_opcode(wevt_ctx *c, void *item, ew_rd *r,
                               uint32_t off)
{
    wevt_opcode *o = item;
    uint32_t v = rec_u32(r, 0);
    o->off = off;
    o->value = (uint16_t)(v >> 16);
    o->task = (uint16_t)v;
    o->message_id = rec_u32(r, 4);
    return wevt_read_name(c, rec_u32(r, 8), "WEVT opcode name", &o->name);
}

static ew_status decode_task(wevt_ctx *c, void *item, ew_rd *r, uint32_t off)
{
    wevt_task *t = item;
    t->off = off;
    t->value = rec_u32(r, 0);
    t->message_id = rec_u32(r, 4);
    ew_rd_seek(r, 8);
    ew_rd_copy(r, t->guid, 16);
    return wevt_read_name(c, rec_u32(r, 24), "WEVT task name", &t->name);
}

static ew_status decode_keyword(wevt_ctx *c, void *item, ew_rd *r,
                                uint32_t off)
{
    wevt_keyword *k = item;
    k->off = off;
    ew_rd_u64_at(r, 0, &k->mask);
    k->message_id = rec_u32(r, 8);
    return wevt_read_name(c, rec_u32(r, 12), "WEVT keyword name", &k->name);
}

/* PRVA strings are bare NUL-terminated UTF-16 inside the element (no size
 * prefix, unlike other names: amsi.dll's PRVA at 0x594 names the string
 * at 0x5a8, right after its one record). */
static ew_status read_prva_string(wevt_ctx *c, const element *e,
                                  uint32_t off, const char **out)
{
    *out = NULL;
    if (off < e->off || off - e->off > e->r.size)
        return wevt_warn(c, EW_E_BAD_VALUE, "WEVT provider name", off,
                         "string outside its PRVA element [0x%x, +0x%zx)",
                         e->off, e->r.size);
    size_t at = off - e->off, left = e->r.size - at, max = WEVT_MAX_NAME;
    size_t lim = (left < max ? left : max) / 2;
    const uint8_t *p;
    ew_rd s;
    ew_rd_sub(&e->r, at, lim * 2, "WEVT provider name", &s); /* fits */
    ew_rd_bytes(&s, lim * 2, &p);
    size_t n = ew_utf16_nlen(p, lim);
    if (n == lim)
        return wevt_warn(c, left / 2 > lim ? EW_E_LIMIT : EW_E_TRUNCATED,
                         "WEVT provider name", off,
                         "unterminated string (no NUL in 0x%zx bytes)",
                         lim * 2);
    char *name;
    ew_status st = ew_utf16_to_utf8(c->a, p, n, &name, NULL);
    *out = name;
    return st;
}

static ew_status read_prva(wevt_ctx *c, wevt_provider *p, element *e)
{
    size_t n;
    EW_TRY(record_count(c, p, e, WEVT_ELEMENT_HEADER_SIZE, 8, &n));
    for (size_t i = 0; i < n; i++) {
        ew_rd r = record_at(e, WEVT_ELEMENT_HEADER_SIZE, 8, i);
        uint32_t attr = rec_u32(&r, 0);
        if (attr != WEVT_PRVA_NAME || p->name) {
            EW_TRY(wevt_warn(c, EW_E_UNSUPPORTED, "WEVT PRVA element",
                             record_off(e, WEVT_ELEMENT_HEADER_SIZE, 8, i),
                             "attribute 0x%08x skipped", attr));
            continue;
        }
        EW_TRY(read_prva_string(c, e, rec_u32(&r, 4), &p->name));
    }
    return EW_OK;
}

/* ---- maps ---------------------------------------------------------------- */

static ew_status read_map(wevt_ctx *c, wevt_provider *p, uint32_t off,
                          wevt_map *map, bool *ok)
{
    *ok = false;
    ew_rd r;
    const uint8_t *sig;
    uint32_t size, name_off, count;
    if (ew_rd_sub(&c->crim, off, WEVT_MAP_HEADER_SIZE, "WEVT map", &r) !=
            EW_OK ||
        ew_rd_bytes(&r, 4, &sig) != EW_OK) {
        p->complete = false;
        return wevt_warn_scratch(c);
    }
    if (!memcmp(sig, "VMAP", 4)) {
        map->kind = WEVT_MAP_VALUE;
    } else if (!memcmp(sig, "BMAP", 4)) {
        map->kind = WEVT_MAP_BITMAP;
    } else {
        p->complete = false;
        return wevt_warn(c, EW_E_BAD_MAGIC, "WEVT map", off,
                         "signature %02x %02x %02x %02x is not VMAP/BMAP",
                         sig[0], sig[1], sig[2], sig[3]);
    }
    ew_rd_u32(&r, &size);
    ew_rd_u32(&r, &name_off);
    ew_rd_u32(&r, &map->flags);
    ew_rd_u32(&r, &count);
    map->off = off;
    /* the entries: within the stated size, or to the CRIM's end when 0 */
    size_t avail_bytes = c->crim.size - off;
    if (size != 0 && size < WEVT_MAP_HEADER_SIZE) {
        p->complete = false;
        return wevt_warn(c, EW_E_BAD_VALUE, "WEVT map", off + 4,
                         "size 0x%x is below the 20-byte header", size);
    }
    if (size != 0 && size > avail_bytes) {
        p->complete = false;
        return wevt_warn(c, EW_E_TRUNCATED, "WEVT map", off + 4,
                         "0x%x bytes declared, 0x%zx available", size,
                         avail_bytes);
    }
    if (size != 0)
        avail_bytes = size;
    size_t n = count, fit = (avail_bytes - WEVT_MAP_HEADER_SIZE) / 8;
    if (n > WEVT_MAX_RECORDS || n > fit) {
        p->complete = false;
        size_t lim = fit < WEVT_MAX_RECORDS ? fit : WEVT_MAX_RECORDS;
        EW_TRY(wevt_warn(c, n > fit ? EW_E_BAD_COUNT : EW_E_LIMIT,
                         "WEVT map", off + 16,
                         "%u entries, room for %zu; reading %zu", count,
                         fit, lim));
        n = lim;
    }
    ew_rd er;
    ew_rd_sub(&c->crim, off + WEVT_MAP_HEADER_SIZE, n * 8, "WEVT map",
              &er); /* fits: checked above */
    map->entries = ew_arena_array(c->a, n, sizeof *map->entries);
    if (!map->entries && n)
        return EW_E_NOMEM;
    map->n_entries = n;
    for (size_t i = 0; i < n; i++) {
        ew_rd_u32(&er, &map->entries[i].value);
        ew_rd_u32(&er, &map->entries[i].message_id);
    }
    EW_TRY(wevt_read_name(c, name_off, "WEVT map name", &map->name));
    *ok = true;
    return EW_OK;
}

static ew_status read_maps(wevt_ctx *c, wevt_provider *p, element *e)
{
    size_t n;
    EW_TRY(record_count(c, p, e, WEVT_ELEMENT_HEADER_SIZE, 4, &n));
    p->maps = ew_arena_array(c->a, n, sizeof *p->maps);
    if (!p->maps && n)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        ew_rd r = record_at(e, WEVT_ELEMENT_HEADER_SIZE, 4, i);
        bool ok;
        EW_TRY(read_map(c, p, rec_u32(&r, 0), &p->maps[p->n_maps], &ok));
        if (ok)
            p->n_maps++;
    }
    return EW_OK;
}

/* ---- templates and events ------------------------------------------------ */

static ew_status read_ttbl(wevt_ctx *c, wevt_provider *p, element *e)
{
    size_t n;
    /* each TEMP is at least its 40-byte header */
    EW_TRY(record_count(c, p, e, WEVT_ELEMENT_HEADER_SIZE,
                        WEVT_TEMP_HEADER_SIZE, &n));
    p->templates = ew_arena_array(c->a, n, sizeof *p->templates);
    if (!p->templates && n)
        return EW_E_NOMEM;
    size_t pos = WEVT_ELEMENT_HEADER_SIZE; /* within e->r */
    for (size_t i = 0; i < n; i++) {
        uint32_t off = (uint32_t)(e->off + pos), size = 0;
        if (ew_rd_u32_at(&e->r, pos + 4, &size) != EW_OK) {
            p->complete = false;
            return wevt_warn_scratch(c);
        }
        /* Templates lie back to back: a size below the header would not
         * advance (a loop), one past the TTBL would leave it. */
        if (size < WEVT_TEMP_HEADER_SIZE || size > e->r.size - pos) {
            p->complete = false;
            return wevt_warn(c, size < WEVT_TEMP_HEADER_SIZE
                                    ? EW_E_BAD_VALUE : EW_E_TRUNCATED,
                             "WEVT TEMP template", off + 4,
                             "template %zu: size 0x%x, 0x%zx bytes left in "
                             "the TTBL; %zu of %u templates read",
                             i, size, e->r.size - pos, i, e->count);
        }
        ew_status s = wevt_parse_template(c, off, size,
                                          &p->templates[p->n_templates]);
        if (s == EW_E_NOMEM)
            return s;
        if (s == EW_OK)
            p->n_templates++;
        else
            p->complete = false;
        pos += size;
    }
    return EW_OK;
}

static ew_status decode_event(wevt_ctx *c, void *item, ew_rd *r,
                              uint32_t off)
{
    wevt_event *ev = item;
    ev->off = off;
    ew_rd_u16(r, &ev->id);
    ew_rd_u8(r, &ev->version);
    ew_rd_u8(r, &ev->channel);
    ew_rd_u8(r, &ev->level);
    ew_rd_u8(r, &ev->opcode);
    ew_rd_u16(r, &ev->task);
    ew_rd_u64(r, &ev->keywords);
    ew_rd_u32(r, &ev->message_id);
    ew_rd_u32(r, &ev->template_off);
    ew_rd_u32(r, &ev->opcode_off);
    ew_rd_u32(r, &ev->level_off);
    ew_rd_u32(r, &ev->task_off);
    ew_rd_u32(r, &ev->n_keyword_offs);
    ew_rd_u32(r, &ev->keyword_offs_off);
    ew_rd_u32(r, &ev->channel_off);
    return EW_OK;
}

/* ---- linking by offset --------------------------------------------------- */

/* Binary search in an array of n records of stride bytes, sorted by the
 * uint32_t at field_off (records of one element are stored back to back,
 * and templates are read in ascending order, so this holds). */
static const void *find_by_off(const void *arr, size_t n, size_t stride,
                               size_t field_off, uint32_t off)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const unsigned char *rec = (const unsigned char *)arr + mid * stride;
        uint32_t v;
        memcpy(&v, rec + field_off, sizeof v);
        if (v == off)
            return rec;
        if (v < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Every record type keeps its offset in a member named off. */
#define FIND_BY_OFF(arr, n, type, at)                                    \
    ((const type *)find_by_off((arr), (n), sizeof(type), offsetof(type, off), \
                               (at)))

static int cmp_map_ptr(const void *x, const void *y)
{
    const wevt_map *a = *(const wevt_map *const *)x;
    const wevt_map *b = *(const wevt_map *const *)y;
    return a->off < b->off ? -1 : a->off > b->off;
}

static const wevt_map *find_map(const wevt_map *const *sorted, size_t n,
                                uint32_t off)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid]->off == off)
            return sorted[mid];
        if (sorted[mid]->off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static ew_status link_missing(wevt_ctx *c, wevt_provider *p,
                              const wevt_event *ev, const char *rec,
                              uint32_t off)
{
    p->complete = false;
    return wevt_warn(c, EW_E_BAD_VALUE, "WEVT EVNT record", ev->off,
                     "event %u v%u: no %s record at 0x%x", ev->id,
                     ev->version, rec, off);
}

/* An event names at most 64 keyword bits, so at most 64 keyword records
 * (a format bound, not a corpus figure). */
#define MAX_EVENT_KEYWORDS 64u

static ew_status link_keywords(wevt_ctx *c, wevt_provider *p, wevt_event *ev)
{
    size_t n = ev->n_keyword_offs;
    if (n == 0)
        return EW_OK;
    if (n > MAX_EVENT_KEYWORDS) {
        p->complete = false;
        return wevt_warn(c, EW_E_LIMIT, "WEVT EVNT record", ev->off + 36,
                         "event %u v%u: %zu keyword records (at most %u)",
                         ev->id, ev->version, n, MAX_EVENT_KEYWORDS);
    }
    ew_rd r;
    if (ew_rd_sub(&c->crim, ev->keyword_offs_off, n * 4,
                  "WEVT event keyword list", &r) != EW_OK) {
        p->complete = false;
        return wevt_warn_scratch(c);
    }
    ev->keyword_recs = ew_arena_array(c->a, n, sizeof *ev->keyword_recs);
    if (!ev->keyword_recs)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint32_t off;
        ew_rd_u32(&r, &off);
        const wevt_keyword *k =
            FIND_BY_OFF(p->keywords, p->n_keywords, wevt_keyword, off);
        if (!k)
            EW_TRY(link_missing(c, p, ev, "KEYW", off));
        else
            ev->keyword_recs[ev->n_keyword_recs++] = k;
    }
    return EW_OK;
}

static ew_status link_provider(wevt_ctx *c, wevt_provider *p)
{
    for (size_t i = 0; i < p->n_events; i++) {
        wevt_event *ev = &p->events[i];
        if (ev->template_off) {
            ev->tmpl = wevt_find_template(p, ev->template_off);
            if (!ev->tmpl)
                EW_TRY(link_missing(c, p, ev, "TEMP", ev->template_off));
        }
        if (ev->opcode_off) {
            ev->opcode_rec = FIND_BY_OFF(p->opcodes, p->n_opcodes, wevt_opcode,
                                         ev->opcode_off);
            if (!ev->opcode_rec)
                EW_TRY(link_missing(c, p, ev, "OPCO", ev->opcode_off));
        }
        if (ev->level_off) {
            ev->level_rec = FIND_BY_OFF(p->levels, p->n_levels, wevt_level,
                                        ev->level_off);
            if (!ev->level_rec)
                EW_TRY(link_missing(c, p, ev, "LEVL", ev->level_off));
        }
        if (ev->task_off) {
            ev->task_rec = FIND_BY_OFF(p->tasks, p->n_tasks, wevt_task,
                                       ev->task_off);
            if (!ev->task_rec)
                EW_TRY(link_missing(c, p, ev, "TASK", ev->task_off));
        }
        if (ev->channel_off) {
            ev->channel_rec = FIND_BY_OFF(p->channels, p->n_channels,
                                          wevt_channel, ev->channel_off);
            if (!ev->channel_rec)
                EW_TRY(link_missing(c, p, ev, "CHAN", ev->channel_off));
        }
        EW_TRY(link_keywords(c, p, ev));
    }

    if (p->n_maps == 0)
        return EW_OK;
    const wevt_map **sorted = ew_arena_array(c->a, p->n_maps, sizeof *sorted);
    if (!sorted)
        return EW_E_NOMEM;
    for (size_t i = 0; i < p->n_maps; i++)
        sorted[i] = &p->maps[i];
    qsort(sorted, p->n_maps, sizeof *sorted, cmp_map_ptr);
    for (size_t t = 0; t < p->n_templates; t++) {
        wevt_template *tm = &p->templates[t];
        for (size_t f = 0; f < tm->n_fields; f++) {
            wevt_field *fl = &tm->fields[f];
            if (!fl->map_off)
                continue;
            fl->map = find_map(sorted, p->n_maps, fl->map_off);
            if (!fl->map) {
                p->complete = false;
                EW_TRY(wevt_warn(c, EW_E_BAD_VALUE, "WEVT TEMP item",
                                 fl->off + 8, "no map at 0x%x",
                                 fl->map_off));
            }
        }
    }
    return EW_OK;
}

/* ---- provider blocks ----------------------------------------------------- */

static ew_status read_element(wevt_ctx *c, wevt_provider *p, uint32_t off,
                              unsigned *seen)
{
    ew_rd h;
    const uint8_t *sig;
    uint32_t size, count;
    if (ew_rd_sub(&c->crim, off, WEVT_ELEMENT_HEADER_SIZE,
                  "WEVT element header", &h) != EW_OK) {
        p->complete = false;
        return wevt_warn_scratch(c);
    }
    ew_rd_bytes(&h, 4, &sig);
    ew_rd_u32(&h, &size);
    ew_rd_u32(&h, &count);
    int k = 0;
    while (k < EL_COUNT && memcmp(sig, el_sig[k], 4) != 0)
        k++;
    if (k == EL_COUNT) {
        char s[5];
        for (int i = 0; i < 4; i++)
            s[i] = sig[i] >= 0x20 && sig[i] < 0x7F ? (char)sig[i] : '?';
        s[4] = 0;
        return wevt_warn(c, EW_E_UNSUPPORTED, "WEVT element header", off,
                         "unknown element kind \"%s\" skipped", s);
    }
    /* One element of each kind per provider: a second descriptor for the
     * same kind (or the same offset twice) is skipped. */
    if (*seen & 1u << k) {
        p->complete = false;
        return wevt_warn(c, EW_E_LOOP, el_what[k], off,
                         "second %s element in the provider skipped",
                         el_sig[k]);
    }
    *seen |= 1u << k;
    element e = {.kind = (enum el_kind)k, .off = off, .count = count};
    size_t len = size ? size : c->crim.size - off;
    if (size != 0 && size < WEVT_ELEMENT_HEADER_SIZE) {
        p->complete = false;
        return wevt_warn(c, EW_E_BAD_VALUE, el_what[k], off + 4,
                         "size 0x%x is below the 12-byte header", size);
    }
    if (ew_rd_sub(&c->crim, off, len, el_what[k], &e.r) != EW_OK) {
        p->complete = false;
        return wevt_warn_scratch(c);
    }
    const size_t hdr = WEVT_ELEMENT_HEADER_SIZE;
    void *items = NULL;
    ew_status s = EW_OK;
    switch (e.kind) {
    case EL_CHAN:
        s = read_records(c, p, &e, hdr, 16, sizeof *p->channels,
                         decode_channel, &items, &p->n_channels);
        p->channels = items;
        break;
    case EL_LEVL:
        s = read_records(c, p, &e, hdr, 12, sizeof *p->levels, decode_level,
                         &items, &p->n_levels);
        p->levels = items;
        break;
    case EL_OPCO:
        s = read_records(c, p, &e, hdr, 12, sizeof *p->opcodes,
                         decode_opcode, &items, &p->n_opcodes);
        p->opcodes = items;
        break;
    case EL_TASK:
        s = read_records(c, p, &e, hdr, 28, sizeof *p->tasks, decode_task,
                         &items, &p->n_tasks);
        p->tasks = items;
        break;
    case EL_KEYW:
        s = read_records(c, p, &e, hdr, 16, sizeof *p->keywords,
                         decode_keyword, &items, &p->n_keywords);
        p->keywords = items;
        break;
    case EL_EVNT:
        s = read_records(c, p, &e, WEVT_EVNT_HEADER_SIZE, WEVT_EVENT_SIZE,
                         sizeof *p->events, decode_event, &items,
                         &p->n_events);
        p->events = items;
        break;
    case EL_MAPS: return read_maps(c, p, &e);
    case EL_TTBL: return read_ttbl(c, p, &e);
    case EL_PRVA: return read_prva(c, p, &e);
    case EL_COUNT: break;
    }
    return s;
}

static ew_status read_provider(wevt_ctx *c, wevt_provider *p)
{
    ew_rd b;
    const uint8_t *sig;
    uint32_t size, n;
    p->complete = false; /* until the block header is read */
    p->message_id = WEVT_NO_MESSAGE;
    if (ew_rd_sub(&c->crim, p->off, WEVT_BLOCK_HEADER_SIZE,
                  "WEVT provider block", &b) != EW_OK)
        return wevt_warn_scratch(c);
    ew_rd_bytes(&b, 4, &sig);
    if (memcmp(sig, "WEVT", 4) != 0)
        return wevt_warn(c, EW_E_BAD_MAGIC, "WEVT provider block", p->off,
                         "signature %02x %02x %02x %02x is not WEVT", sig[0],
                         sig[1], sig[2], sig[3]);
    ew_rd_u32(&b, &size);
    ew_rd_u32(&b, &p->message_id);
    ew_rd_u32(&b, &n);
    if (size < WEVT_BLOCK_HEADER_SIZE)
        return wevt_warn(c, EW_E_BAD_VALUE, "WEVT provider block",
                         p->off + 4, "size 0x%x is below the 16-byte header",
                         size);
    if (ew_rd_sub(&c->crim, p->off, size, "WEVT provider block", &b) !=
        EW_OK)
        return wevt_warn_scratch(c);
    if (n > WEVT_MAX_ELEMENTS)
        return wevt_warn(c, EW_E_LIMIT, "WEVT provider block", p->off + 12,
                         "%u elements (cap %u)", n,
                         (unsigned)WEVT_MAX_ELEMENTS);
    if (n > (size - WEVT_BLOCK_HEADER_SIZE) / WEVT_ELEMENT_DESC_SIZE)
        return wevt_warn(c, EW_E_BAD_COUNT, "WEVT provider block",
                         p->off + 12,
                         "%u element descriptors do not fit in 0x%x bytes",
                         n, size);
    p->complete = true;
    unsigned seen = 0;
    ew_rd_seek(&b, WEVT_BLOCK_HEADER_SIZE);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t kind, off;
        ew_rd_u32(&b, &kind); /* not trusted; the signature decides */
        ew_rd_u32(&b, &off);
        EW_TRY(read_element(c, p, off, &seen));
    }
    return link_provider(c, p);
}

/* ---- entry points -------------------------------------------------------- */

ew_status wevt_parse(wevt_manifest *m, const uint8_t *data, size_t size,
                     uint64_t base_off, ew_arena *a, ew_diag *d)
{
    memset(m, 0, sizeof *m);
    ew_rd r;
    ew_rd_init(&r, data, size, base_off, "WEVT CRIM header", d);
    const uint8_t *sig;
    uint32_t crim_size, n;
    EW_TRY(ew_rd_bytes(&r, 4, &sig));
    if (memcmp(sig, "CRIM", 4) != 0)
        return ew_rd_fail(&r, EW_E_BAD_MAGIC, 0,
                          "signature %02x %02x %02x %02x is not CRIM",
                          sig[0], sig[1], sig[2], sig[3]);
    EW_TRY(ew_rd_u32(&r, &crim_size));
    EW_TRY(ew_rd_u16(&r, &m->major));
    EW_TRY(ew_rd_u16(&r, &m->minor));
    EW_TRY(ew_rd_u32(&r, &n));
    if (crim_size < WEVT_CRIM_HEADER_SIZE)
        return ew_rd_fail(&r, EW_E_BAD_VALUE, 4,
                          "size 0x%x is below the 16-byte header", crim_size);
    /* the resource may be padded past the CRIM (clretwrc.dll: 2 bytes) */
    if (crim_size > size)
        return ew_rd_fail(&r, EW_E_TRUNCATED, 4,
                          "size 0x%x exceeds the 0x%zx bytes of the resource",
                          crim_size, size);
    if (m->major != 3 && m->major != 5)
        return ew_rd_fail(&r, EW_E_UNSUPPORTED, 8,
                          "version %u.%u (3.x and 5.x are read)", m->major,
                          m->minor);
    if (n > WEVT_MAX_PROVIDERS)
        return ew_rd_fail(&r, EW_E_LIMIT, 12, "%u providers (cap %u)", n,
                          (unsigned)WEVT_MAX_PROVIDERS);
    if (n > (crim_size - WEVT_CRIM_HEADER_SIZE) / WEVT_PROVIDER_DESC_SIZE)
        return ew_rd_fail(&r, EW_E_BAD_COUNT, 12,
                          "%u provider descriptors do not fit in 0x%x bytes",
                          n, crim_size);
    m->size = crim_size;

    wevt_ctx c;
    memset(&c, 0, sizeof c);
    c.a = a;
    c.m = m;
    ew_diag_init(&c.scratch, d ? d->file : NULL);
    ew_rd_init(&c.crim, data, crim_size, base_off, "WEVT manifest",
               &c.scratch);
    ew_vec_init(&c.warnings, sizeof(wevt_warning));

    ew_status s = EW_OK;
    m->providers = ew_arena_array(a, n, sizeof *m->providers);
    if (!m->providers && n)
        s = EW_E_NOMEM;
    m->n_providers = m->providers ? n : 0;
    for (size_t i = 0; s == EW_OK && i < m->n_providers; i++) {
        wevt_provider *p = &m->providers[i];
        ew_rd_copy(&r, p->guid, 16);
        ew_rd_u32(&r, &p->off);
        s = read_provider(&c, p);
    }
    if (s != EW_OK) {
        memset(m, 0, sizeof *m);
        return ew_fail(d, s, "WEVT manifest", (int64_t)base_off,
                       "arena budget exhausted");
    }
    m->warnings = c.warnings.items;
    m->n_warnings = c.warnings.n;
    return EW_OK;
}

const wevt_provider *wevt_find_provider(const wevt_manifest *m,
                                        const uint8_t guid[16])
{
    for (size_t i = 0; i < m->n_providers; i++)
        if (!memcmp(m->providers[i].guid, guid, 16))
            return &m->providers[i];
    return NULL;
}

const wevt_event *wevt_find_event(const wevt_provider *p, uint16_t id,
                                  uint8_t version)
{
    for (size_t i = 0; i < p->n_events; i++)
        if (p->events[i].id == id && p->events[i].version == version)
            return &p->events[i];
    return NULL;
}

const wevt_channel *wevt_find_channel(const wevt_provider *p, uint32_t value)
{
    for (size_t i = 0; i < p->n_channels; i++)
        if (p->channels[i].value == value)
            return &p->channels[i];
    return NULL;
}

const wevt_level *wevt_find_level(const wevt_provider *p, uint32_t value)
{
    for (size_t i = 0; i < p->n_levels; i++)
        if (p->levels[i].value == value)
            return &p->levels[i];
    return NULL;
}

const wevt_opcode *wevt_find_opcode(const wevt_provider *p, uint16_t task,
                                    uint16_t value)
{
    const wevt_opcode *global = NULL;
    for (size_t i = 0; i < p->n_opcodes; i++) {
        const wevt_opcode *o = &p->opcodes[i];
        if (o->value != value)
            continue;
        if (o->task == task)
            return o;
        if (o->task == 0 && !global)
            global = o;
    }
    return global;
}

const wevt_task *wevt_find_task(const wevt_provider *p, uint32_t value)
{
    for (size_t i = 0; i < p->n_tasks; i++)
        if (p->tasks[i].value == value)
            return &p->tasks[i];
    return NULL;
}

const wevt_template *wevt_find_template(const wevt_provider *p, uint32_t off)
{
    return FIND_BY_OFF(p->templates, p->n_templates, wevt_template, off);
}

/* TDH_INTYPE names as the manifest schema spells them (FORMATS.md §2.6). */
const char *wevt_in_type_name(uint8_t t)
{
    static const char *const names[] = {
        "",                      "win:UnicodeString",
        "win:AnsiString",        "win:Int8",
        "win:UInt8",             "win:Int16",
        "win:UInt16",            "win:Int32",
        "win:UInt32",            "win:Int64",
        "win:UInt64",            "win:Float",
        "win:Double",            "win:Boolean",
        "win:Binary",            "win:GUID",
        "win:Pointer",           "win:FILETIME",
        "win:SYSTEMTIME",        "win:SID",
        "win:HexInt32",          "win:HexInt64",
        "win:CountedUnicodeString", "win:CountedAnsiString",
        "",                      "win:CountedBinary",
    };
    return t < sizeof names / sizeof *names ? names[t] : "";
}

/* TDH_OUTTYPE names (FORMATS.md §2.6). */
const char *wevt_out_type_name(uint8_t t)
{
    static const char *const names[] = {
        "",
        "xs:string",         "xs:dateTime",      "xs:byte",
        "xs:unsignedByte",   "xs:short",         "xs:unsignedShort",
        "xs:int",            "xs:unsignedInt",   "xs:long",
        "xs:unsignedLong",   "xs:float",         "xs:double",
        "xs:boolean",        "xs:GUID",          "xs:hexBinary",
        "win:HexInt8",       "win:HexInt16",     "win:HexInt32",
        "win:HexInt64",      "win:PID",          "win:TID",
        "win:Port",          "win:IPv4",         "win:IPv6",
        "win:SocketAddress", "win:CIMDateTime",  "win:ETWTIME",
        "win:Xml",           "win:ErrorCode",    "win:Win32Error",
        "win:NTSTATUS",      "win:HResult",
        "win:DateTimeCultureInsensitive",        "win:Json",
        "win:Utf8",          "win:Pkcs7WithTypeInfo",
        "win:CodePointer",   "win:DateTimeUtc",
    };
    return t < sizeof names / sizeof *names ? names[t] : "";
}
