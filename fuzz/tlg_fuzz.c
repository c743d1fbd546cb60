/*
 * tlg_fuzz.c - libFuzzer harness for the TraceLogging blob walk (tlg_walk).
 *
 * Input: one control byte, then the blob stream. Control bit 0 picks
 * ptr64; bits 1-2 pick the stream's rva (0x1000, 0, high, or the last one
 * that fits below 4 GB, to exercise rva arithmetic and the Event3 id).
 *
 * Invariants checked (abort on violation): the walk succeeds unless the
 * range passes 4 GB; every provider/event blob lies inside the range, in
 * ascending order without overlap; every name and type-info pointer lies in
 * the input with its NUL there; enums are below their _COUNT; struct
 * nesting is consistent; lookups find each event; a second walk gives the
 * same catalog. The arena is freed each run (LeakSanitizer).
 */
#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "format/tlg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                               \
    do {                                                                       \
        if (!(x))                                                              \
            abort();                                                           \
    } while (0)

static const uint8_t *g_in;
static size_t g_n;

/* p .. its NUL all inside the input */
static void check_cstr(const char *p)
{
    if (!p)
        return;
    const uint8_t *u = (const uint8_t *)p;
    CHECK(u >= g_in && u < g_in + g_n);
    CHECK(memchr(u, 0, (size_t)(g_in + g_n - u)) != NULL);
}

static void check_blob(uint32_t rva, uint32_t size, const tlg_catalog *c,
                       uint64_t *prev_end)
{
    uint64_t end = (uint64_t)c->blobs_rva + c->blobs_size;
    CHECK(rva >= c->blobs_rva);
    CHECK((uint64_t)rva + size <= end);
    CHECK(size >= 3);
    CHECK(rva >= *prev_end);
    *prev_end = (uint64_t)rva + size;
}

static void check_catalog(const tlg_catalog *c)
{
    uint64_t end = (uint64_t)c->blobs_rva + c->blobs_size;
    uint64_t prev = 0;
    for (size_t i = 0; i < c->n_providers; i++) {
        const tlg_provider *p = &c->providers[i];
        check_blob(p->rva, p->size, c, &prev);
        CHECK(p->blob_type == TLG_BLOB_PROVIDER ||
              p->blob_type == TLG_BLOB_PROVIDER3);
        CHECK(p->traits_rva > p->rva && p->traits_rva < p->rva + p->size);
        CHECK((unsigned)p->guid_source < TLG_GUID_SOURCE_COUNT);
        check_cstr(p->name);
        CHECK(p->complete ? p->name != NULL : 1);
        CHECK(tlg_find_provider(c, p->traits_rva) == p);
    }
    prev = 0;
    for (size_t i = 0; i < c->n_events; i++) {
        const tlg_event *e = &c->events[i];
        check_blob(e->rva, e->size, c, &prev);
        CHECK(e->blob_type == TLG_BLOB_EVENT2 ||
              e->blob_type == TLG_BLOB_EVENT3 ||
              e->blob_type == TLG_BLOB_EVENT4);
        CHECK(e->tags < (1u << 28));
        check_cstr(e->name);
        CHECK(e->n_fields <= TLG_MAX_FIELDS);
        CHECK(e->n_fields == 0 || e->fields != NULL);
        CHECK(e->blob_type != TLG_BLOB_EVENT4 ||
              (e->has_id && e->id == 0 && e->version == 0));
        CHECK(e->blob_type != TLG_BLOB_EVENT2 || !e->has_id);
        CHECK(tlg_find_event(c, e->rva) == e);
        CHECK(tlg_find_event(c, e->rva + 1) == e);
        for (size_t k = 0; k < e->n_fields; k++) {
            const tlg_field *f = &e->fields[k];
            check_cstr(f->name);
            CHECK(f->name != NULL);
            CHECK(f->in_type == (f->in_raw & TLG_IN_TYPE_MASK));
            CHECK((unsigned)f->count_kind < TLG_COUNT_KIND_COUNT);
            CHECK(f->tags < (1u << 28));
            CHECK(f->depth <= TLG_MAX_STRUCT_DEPTH);
            if (f->parent < 0) {
                CHECK(f->depth == 0);
            } else {
                CHECK((size_t)f->parent < k);
                CHECK(e->fields[f->parent].in_type == TLG_IN_STRUCT);
                CHECK(f->depth == e->fields[f->parent].depth + 1);
            }
            if (f->type_info_size) {
                CHECK(f->type_info >= g_in &&
                      f->type_info + f->type_info_size <= g_in + g_n);
            }
        }
    }
    CHECK(c->n_warnings <= TLG_MAX_WARNINGS);
    for (size_t i = 0; i < c->n_warnings; i++) {
        const ew_diag *d = &c->warnings[i].diag;
        CHECK(d->status != EW_OK && (unsigned)d->status < EW_STATUS_COUNT);
        CHECK(c->warnings[i].rva >= c->blobs_rva && c->warnings[i].rva <= end);
        CHECK(memchr(d->what, 0, sizeof d->what) != NULL);
    }
    if (c->has_end) {
        CHECK(c->end_rva >= c->blobs_rva && c->end_rva < end);
        CHECK(g_in[c->end_rva - c->blobs_rva] == TLG_BLOB_END);
    }
}

static uint32_t pick_rva(uint8_t ctl, size_t n)
{
    switch ((ctl >> 1) & 3) {
    case 0:
        return 0x1000;
    case 1:
        return 0;
    case 2:
        return 0xFFFF0000u;
    default:
        return n <= UINT32_MAX ? (uint32_t)(UINT32_MAX - n) : 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    g_in = data + 1;
    g_n = size - 1;
    uint32_t rva = pick_rva(ctl, g_n);

    ew_diag d;
    ew_diag_init(&d, "fuzz");
    ew_rd r;
    ew_rd_init(&r, g_in, g_n, 0x400, "TraceLogging blob stream", &d);
    ew_arena a;
    ew_arena_init(&a, 0);
    tlg_catalog c;
    ew_status s = tlg_walk(&c, &r, rva, ctl & 1, &a, &d);
    if ((uint64_t)rva + g_n > UINT32_MAX) {
        CHECK(s == EW_E_BAD_VALUE && c.n_events == 0);
    } else {
        CHECK(s == EW_OK && d.status == EW_OK);
        CHECK(c.ptr64 == (ctl & 1));
        check_catalog(&c);

        /* deterministic: a second walk gives the same catalog */
        ew_arena b;
        ew_arena_init(&b, 0);
        tlg_catalog c2;
        CHECK(tlg_walk(&c2, &r, rva, ctl & 1, &b, &d) == EW_OK);
        CHECK(c2.n_events == c.n_events && c2.n_providers == c.n_providers &&
              c2.n_warnings == c.n_warnings && c2.has_end == c.has_end);
        for (size_t i = 0; i < c.n_events; i++)
            CHECK(c2.events[i].rva == c.events[i].rva &&
                  c2.events[i].n_fields == c.events[i].n_fields);
        ew_arena_free(&b);
    }
    ew_arena_free(&a);
    return 0;
}
