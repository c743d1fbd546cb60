/*
 * tlg_walk.c - the TraceLogging blob stream (FORMATS.md §1.2-§1.6) into a
 * tlg_catalog. Layouts: tlg.h.
 *
 * Blobs carry no framing beyond their RemainingSize, so the walk's rules
 * are: a blob whose length is known (its preamble and RemainingSize fit in
 * the range) is recorded and skipped whole, even when its inside is bad
 * (a warning, complete = false); a blob whose length cannot be known
 * (unknown type byte, cut preamble, RemainingSize < 2 or past the range)
 * ends the walk with a warning, as nothing tells where the next one starts.
 */
#include "tlg.h"

#include "base/ew_limits.h"

#include <stdio.h>
#include <string.h>

/* ---- walk state --------------------------------------------------------- */

typedef struct walker {
    tlg_catalog *c;
    const ew_rd *in; /* the stream */
    uint32_t rva0;   /* rva of in->base[0] */
    ew_arena *a;
    ew_diag *d; /* the caller's: file name, and EW_E_NOMEM */
    ew_vec providers, events, first_field, fields, warnings;
} walker;

/* A struct whose members are still being read. */
typedef struct open_struct {
    int32_t idx;          /* of the struct field in the event */
    uint16_t left;        /* members still to come */
    uint8_t member_depth; /* depth of its members */
} open_struct;

static ew_status nomem(walker *w, const char *what, size_t pos)
{
    return ew_fail(w->d, EW_E_NOMEM, what, (int64_t)(w->in->base_off + pos),
                   "arena exhausted");
}

/* A fresh per-blob diag, so each warning has its own first failure. */
static void blob_diag(const walker *w, ew_diag *bd)
{
    ew_diag_init(bd, w->d ? w->d->file : NULL);
}

static ew_status push_warning(walker *w, uint32_t rva, const ew_diag *bd)
{
    if (bd->status == EW_OK)
        return EW_OK;
    if (w->warnings.n >= TLG_MAX_WARNINGS) {
        w->c->n_warnings_dropped++;
        return EW_OK;
    }
    tlg_warning *x = ew_vec_push(&w->warnings, w->a);
    if (!x)
        return nomem(w, "TraceLogging warning", 0);
    x->rva = rva;
    x->diag = *bd;
    return EW_OK;
}

/* Appends " <ctx>" to the diag's structure name: which field, which event. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
diag_context(ew_diag *bd, const char *fmt, ...)
{
    size_t n = strlen(bd->what);
    if (n + 1 >= sizeof bd->what)
        return;
    bd->what[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bd->what + n, sizeof bd->what - n, fmt, ap);
    va_end(ap);
}

/* ---- pieces -------------------------------------------------------------- */

/* Tag bytes until one has bit 7 clear; the first four give the 28-bit value,
 * most significant first (FORMATS.md §1.6). */
static ew_status read_tags(ew_rd *b, uint32_t *tags)
{
    uint32_t v = 0;
    for (unsigned i = 0;; i++) {
        uint8_t x;
        EW_TRY(ew_rd_u8(b, &x));
        if (i < 4)
            v |= (uint32_t)(x & 0x7F) << (21 - 7 * i);
        if (!(x & 0x80))
            break;
    }
    *tags = v;
    return EW_OK;
}

/* Provider traits after the name: chunks {u16 size, u8 type, data}. */
static ew_status read_traits(ew_rd *b, tlg_provider *p)
{
    b->what = "TraceLogging provider trait";
    while (ew_rd_left(b)) {
        size_t at = b->pos;
        uint16_t size;
        uint8_t type;
        const uint8_t *data;
        EW_TRY(ew_rd_u16(b, &size));
        EW_TRY(ew_rd_u8(b, &type));
        if (size < 3)
            return ew_rd_fail(b, EW_E_BAD_VALUE, at,
                              "chunk size %u is below its 3-byte header", size);
        EW_TRY(ew_rd_bytes(b, (size_t)size - 3, &data));
        /* ETW_PROVIDER_TRAIT_TYPE: 1 group, 2 decode GUID (FORMATS §1.4) */
        if ((type == 1 || type == 2) && size != 19)
            return ew_rd_fail(b, EW_E_BAD_VALUE, at,
                              "trait type %u of %u bytes, expected 19", type,
                              size);
        if (type == 1) {
            p->has_group = true;
            memcpy(p->group_guid, data, 16);
        } else if (type == 2) {
            p->has_decode_guid = true;
            memcpy(p->decode_guid, data, 16);
        } else if (p->n_other_traits < UINT16_MAX) {
            p->n_other_traits++;
        }
    }
    return EW_OK;
}

/* The inside of a provider blob; b spans the blob, the cursor is past
 * RemainingSize. */
static ew_status read_provider(ew_rd *b, tlg_provider *p)
{
    ew_str name;
    EW_TRY(ew_rd_cstr(b, TLG_MAX_NAME, &name));
    p->name = name.p;
    if (p->blob_type == TLG_BLOB_PROVIDER) {
        /* no GUID stored: the name's hash (tlg.h, tlg_guid.c) */
        p->guid_source = tlg_guid_from_name(name.p, name.n, p->guid)
                             ? TLG_GUID_NAME_HASH
                             : TLG_GUID_UNKNOWN;
    } else {
        uint8_t h[16];
        p->guid_is_name_hash = tlg_guid_from_name(name.p, name.n, h) &&
                               memcmp(h, p->guid, 16) == 0;
    }
    return read_traits(b, p);
}

/* One field descriptor (FORMATS.md §1.6). */
static ew_status read_field(ew_rd *b, tlg_field *f)
{
    ew_str name;
    EW_TRY(ew_rd_cstr(b, TLG_MAX_NAME, &name));
    f->name = name.p;
    EW_TRY(ew_rd_u8(b, &f->in_raw));
    f->in_type = f->in_raw & TLG_IN_TYPE_MASK;
    f->count_kind = (tlg_count_kind)((f->in_raw & TLG_IN_COUNT_MASK) >> 5);
    if (f->in_raw & TLG_IN_CHAIN) {
        f->has_out = true;
        EW_TRY(ew_rd_u8(b, &f->out_raw));
        f->out_type = f->out_raw & TLG_OUT_TYPE_MASK;
        if (f->out_raw & TLG_OUT_CHAIN)
            EW_TRY(read_tags(b, &f->tags));
    }
    if (f->count_kind == TLG_COUNT_CONST) {
        EW_TRY(ew_rd_u16(b, &f->value_count));
    } else if (f->count_kind == TLG_COUNT_CUSTOM) {
        EW_TRY(ew_rd_u16(b, &f->type_info_size));
        EW_TRY(ew_rd_bytes(b, f->type_info_size, &f->type_info));
    }
    if (f->in_type == TLG_IN_STRUCT)
        f->n_members = f->out_type; /* 0 when there is no OutType byte */
    return EW_OK;
}

/* The inside of an event blob from the tags on; fields go to w->fields.
 * *n_read receives the fields read (also on failure). */
static ew_status read_event(walker *w, ew_rd *b, tlg_event *e, size_t *n_read)
{
    *n_read = 0;
    EW_TRY(read_tags(b, &e->tags));
    ew_str name;
    EW_TRY(ew_rd_cstr(b, TLG_MAX_NAME, &name));
    e->name = name.p;

    open_struct open[TLG_MAX_STRUCT_DEPTH];
    size_t n_open = 0;
    b->what = "TraceLogging event field";
    while (ew_rd_left(b)) {
        if (*n_read == TLG_MAX_FIELDS)
            return ew_rd_fail(b, EW_E_LIMIT, SIZE_MAX, "more than %d fields",
                              TLG_MAX_FIELDS);
        tlg_field f = {0};
        EW_TRY(read_field(b, &f));
        f.parent = n_open ? open[n_open - 1].idx : -1;
        f.depth = n_open ? open[n_open - 1].member_depth : 0;
        if (n_open) {
            open[n_open - 1].left--;
            while (n_open && open[n_open - 1].left == 0)
                n_open--;
        }
        if (f.in_type == TLG_IN_STRUCT && f.n_members) {
            /* open entries have distinct member depths 1..cap, so the
             * depth cap also bounds open[] */
            if (f.depth >= TLG_MAX_STRUCT_DEPTH)
                return ew_rd_fail(b, EW_E_LIMIT, SIZE_MAX,
                                  "structs nested deeper than %d",
                                  TLG_MAX_STRUCT_DEPTH);
            open[n_open++] = (open_struct){(int32_t)*n_read, f.n_members,
                                           (uint8_t)(f.depth + 1)};
        }
        tlg_field *slot = ew_vec_push(&w->fields, w->a);
        if (!slot)
            return EW_E_NOMEM;
        *slot = f;
        ++*n_read;
    }
    if (n_open) {
        b->what = "TraceLogging event struct";
        const tlg_field *s = EW_VEC_AT(
            &w->fields, tlg_field, w->fields.n - *n_read + (size_t)open[0].idx);
        return ew_rd_fail(b, EW_E_BAD_COUNT, SIZE_MAX,
                          "struct '%s' declares %u members, the event ends "
                          "%u short",
                          s->name, s->n_members, open[0].left);
    }
    return EW_OK;
}

/* ---- blobs --------------------------------------------------------------- */

/* Where a blob type keeps its u16 RemainingSize; 0 for unknown types. */
static size_t rem_offset(uint8_t type)
{
    switch (type) {
    case TLG_BLOB_PROVIDER:
        return 1;
    case TLG_BLOB_PROVIDER3:
        return 17;
    case TLG_BLOB_EVENT3:
    case TLG_BLOB_EVENT4:
        return 12;
    case TLG_BLOB_EVENT2:
        return 13;
    default:
        return 0;
    }
}

static bool is_provider(uint8_t type)
{
    return type == TLG_BLOB_PROVIDER || type == TLG_BLOB_PROVIDER3;
}

/* The blob of a known type at pos: its length in *len, or false (after a
 * warning) when it cannot be known. */
static ew_status blob_length(walker *w, size_t pos, uint8_t type, size_t *len,
                             bool *ok)
{
    ew_diag bd;
    blob_diag(w, &bd);
    ew_rd r = *w->in;
    r.diag = &bd;
    r.what = is_provider(type) ? "TraceLogging provider blob"
                               : "TraceLogging event blob";
    size_t ro = rem_offset(type);
    uint16_t rem;
    *ok = false;
    if (ew_rd_u16_at(&r, pos + ro, &rem) == EW_OK) {
        size_t n = ro + rem;
        if (rem < 2)
            ew_rd_fail(&r, EW_E_BAD_VALUE, pos + ro,
                       "RemainingSize %u does not cover itself", rem);
        else if (!ew_fits(r.size, pos, n))
            ew_rd_fail(&r, EW_E_BAD_COUNT, pos + ro,
                       "blob of 0x%zx bytes, 0x%zx left in the range", n,
                       r.size - pos);
        else {
            *len = n;
            *ok = true;
        }
    }
    return push_warning(w, w->rva0 + (uint32_t)pos, &bd);
}

static ew_status walk_provider(walker *w, size_t pos, size_t len, uint8_t type)
{
    if (w->providers.n >= TLG_MAX_PROVIDERS)
        return EW_E_LIMIT;
    ew_diag bd;
    blob_diag(w, &bd);
    ew_rd b;
    ew_rd_sub(w->in, pos, len, "TraceLogging provider blob", &b);
    b.diag = &bd;
    tlg_provider *p = ew_vec_push(&w->providers, w->a);
    if (!p)
        return nomem(w, "TraceLogging provider", pos);
    p->rva = w->rva0 + (uint32_t)pos;
    p->size = (uint32_t)len;
    p->blob_type = type;
    size_t ro = rem_offset(type);
    p->traits_rva = p->rva + (uint32_t)ro;
    if (type == TLG_BLOB_PROVIDER3) {
        ew_rd_seek(&b, 1);
        ew_rd_copy(&b, p->guid, 16); /* fits: ro + 2 <= len */
        p->guid_source = TLG_GUID_STORED;
    }
    ew_rd_seek(&b, ro + 2);
    p->complete = read_provider(&b, p) == EW_OK;
    if (!p->complete && p->name)
        diag_context(&bd, "of '%s'", p->name);
    return push_warning(w, p->rva, &bd);
}

static ew_status walk_event(walker *w, size_t pos, size_t len, uint8_t type)
{
    if (w->events.n >= TLG_MAX_EVENTS)
        return EW_E_LIMIT;
    ew_diag bd;
    blob_diag(w, &bd);
    ew_rd b;
    ew_rd_sub(w->in, pos, len, "TraceLogging event blob", &b);
    b.diag = &bd;
    tlg_event *e = ew_vec_push(&w->events, w->a);
    size_t *first = ew_vec_push(&w->first_field, w->a);
    if (!e || !first)
        return nomem(w, "TraceLogging event", pos);
    e->rva = w->rva0 + (uint32_t)pos;
    e->size = (uint32_t)len;
    e->blob_type = type;
    *first = w->fields.n;
    /* the fixed preamble fits: len >= rem_offset + 2 */
    ew_rd_seek(&b, 1);
    if (type == TLG_BLOB_EVENT2) {
        e->channel = 11; /* WINEVENT_CHANNEL_TRACELOGGING, implied */
        ew_rd_u8(&b, &e->level);
        ew_rd_u8(&b, &e->opcode);
        ew_rd_u16(&b, &e->task);
    } else {
        ew_rd_u8(&b, &e->channel);
        ew_rd_u8(&b, &e->level);
        ew_rd_u8(&b, &e->opcode);
    }
    ew_rd_u64(&b, &e->keyword);
    ew_rd_skip(&b, 2);
    if (type == TLG_BLOB_EVENT4) {
        e->has_id = true; /* id 0, version 0 */
    } else if (type == TLG_BLOB_EVENT3) {
        /* Channel byte minus header (FORMATS.md §1.7); the header is the
         * 16 bytes before the stream. */
        uint64_t off = (uint64_t)pos + 1 + TLG_HEADER_SIZE;
        if (off < (1u << 24)) {
            e->has_id = true;
            e->id = (uint16_t)off;
            e->version = (uint8_t)(off >> 16);
        }
    }
    size_t n_read;
    ew_status s = read_event(w, &b, e, &n_read);
    if (s == EW_E_NOMEM)
        return nomem(w, "TraceLogging event field", pos);
    e->n_fields = n_read;
    e->complete = s == EW_OK;
    if (!e->complete) {
        if (strcmp(bd.what, "TraceLogging event field") == 0)
            diag_context(&bd, "%zu", n_read);
        if (e->name)
            diag_context(&bd, "of '%s'", e->name);
    }
    return push_warning(w, e->rva, &bd);
}

/* Records a stream-level problem at pos. */
static ew_status stream_warning(walker *w, size_t pos, ew_status st,
                                const char *detail)
{
    ew_diag bd;
    blob_diag(w, &bd);
    ew_rd r = *w->in;
    r.diag = &bd;
    ew_rd_fail(&r, st, pos, "%s", detail);
    return push_warning(w, w->rva0 + (uint32_t)pos, &bd);
}

/* ---- the walk ------------------------------------------------------------ */

static ew_status walk(walker *w)
{
    ew_rd r = *w->in; /* the cursor; failures here are handled, not recorded */
    r.diag = NULL;
    for (;;) {
        /* padding: zero bytes before, between and after blobs */
        uint8_t type = TLG_BLOB_NONE;
        while (ew_rd_u8(&r, &type) == EW_OK && type == TLG_BLOB_NONE)
            ;
        if (type == TLG_BLOB_NONE) {
            char msg[96];
            snprintf(msg, sizeof msg,
                     "no end marker (blob type 1) in the 0x%zx-byte range",
                     r.size);
            return stream_warning(w, r.pos, EW_E_TRUNCATED, msg);
        }
        size_t pos = r.pos - 1;
        if (type == TLG_BLOB_END) {
            w->c->has_end = true;
            w->c->end_rva = w->rva0 + (uint32_t)pos;
            return EW_OK;
        }
        if (!rem_offset(type)) {
            char msg[96];
            snprintf(msg, sizeof msg,
                     "unknown blob type 0x%02x: the rest is not read", type);
            return stream_warning(w, pos, EW_E_UNSUPPORTED, msg);
        }
        size_t len = 0;
        bool ok;
        EW_TRY(blob_length(w, pos, type, &len, &ok));
        if (!ok)
            return EW_OK;
        ew_status s = is_provider(type) ? walk_provider(w, pos, len, type)
                                        : walk_event(w, pos, len, type);
        if (s == EW_E_LIMIT)
            return stream_warning(w, pos, EW_E_LIMIT,
                                  is_provider(type)
                                      ? "more providers than TLG_MAX_PROVIDERS"
                                      : "more events than TLG_MAX_EVENTS");
        EW_TRY(s);
        EW_TRY(ew_rd_seek(&r, pos + len)); /* fits: blob_length checked */
    }
}

ew_status tlg_walk(tlg_catalog *c, const ew_rd *blobs, uint32_t blobs_rva,
                   bool ptr64, ew_arena *a, ew_diag *d)
{
    memset(c, 0, sizeof *c);
    c->ptr64 = ptr64;
    c->blobs_rva = blobs_rva;
    if (blobs->size > UINT32_MAX - (size_t)blobs_rva)
        return ew_fail(d, EW_E_BAD_VALUE, "TraceLogging blob stream",
                       (int64_t)blobs->base_off,
                       "0x%zx bytes at rva 0x%x pass the 4 GB address space",
                       blobs->size, blobs_rva);
    c->blobs_size = (uint32_t)blobs->size;

    walker w = {.c = c, .in = blobs, .rva0 = blobs_rva, .a = a, .d = d};
    ew_vec_init(&w.providers, sizeof(tlg_provider));
    ew_vec_init(&w.events, sizeof(tlg_event));
    ew_vec_init(&w.first_field, sizeof(size_t));
    ew_vec_init(&w.fields, sizeof(tlg_field));
    ew_vec_init(&w.warnings, sizeof(tlg_warning));
    ew_status s = walk(&w);
    if (s != EW_OK) {
        memset(c, 0, sizeof *c);
        return s;
    }
    /* the fields vector moved while growing: point events at it now */
    for (size_t i = 0; i < w.events.n; i++) {
        tlg_event *e = EW_VEC_AT(&w.events, tlg_event, i);
        size_t first = *EW_VEC_AT(&w.first_field, size_t, i);
        e->fields = e->n_fields ? EW_VEC_AT(&w.fields, tlg_field, first) : NULL;
    }
    c->providers = w.providers.items;
    c->n_providers = w.providers.n;
    c->events = w.events.items;
    c->n_events = w.events.n;
    c->warnings = w.warnings.items;
    c->n_warnings = w.warnings.n;
    return EW_OK;
}
