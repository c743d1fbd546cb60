/* test_tlg.c - TraceLogging metadata: the blob walk on crafted streams, the
 * header and range in an image, the corpus counts of MANIFEST.tsv. */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_guid.h"
#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "format/pe.h"
#include "format/tlg.h"

#include <time.h>

/* ---- building streams ---------------------------------------------------- */

static tbuf *buf_new(void)
{
    tbuf *b = calloc(1, sizeof *b);
    assert_non_null(b);
    return b;
}

static void buf_free(tbuf *b)
{
    tb_free(b);
    free(b);
}

/* A field descriptor: name, then its bytes (InType, OutType, ...). */
#define FIELD(b, name, ...)                                                    \
    do {                                                                       \
        static const uint8_t f_[] = {__VA_ARGS__};                             \
        putz(b, name);                                                         \
        putn(b, f_, sizeof f_);                                                \
    } while (0)

/* Event3/4 preamble; returns the RemainingSize position for end_blob. */
static size_t begin_event(tbuf *b, uint8_t type, uint8_t channel, uint8_t level,
                          uint8_t opcode, uint64_t keyword)
{
    put8(b, type);
    put8(b, channel);
    put8(b, level);
    put8(b, opcode);
    put64(b, keyword);
    size_t rem = b->n;
    put16(b, 0);
    return rem;
}

static void end_blob(tbuf *b, size_t rem)
{
    patch16(b, rem, (uint16_t)(b->n - rem));
}

/* Provider3 blob; returns the RemainingSize position. */
static size_t begin_provider3(tbuf *b, const uint8_t guid[16], const char *name)
{
    put8(b, TLG_BLOB_PROVIDER3);
    putn(b, guid, 16);
    size_t rem = b->n;
    put16(b, 0);
    putz(b, name);
    return rem;
}

static void put_trait(tbuf *b, uint8_t type, const uint8_t *data, uint16_t n)
{
    put16(b, (uint16_t)(n + 3));
    put8(b, type);
    putn(b, data, n);
}

/* A simple Event4 "name" with UINT32 fields f0..f(n-1). */
static void simple_event(tbuf *b, const char *name, int n_fields)
{
    size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0); /* tags */
    putz(b, name);
    for (int i = 0; i < n_fields; i++) {
        char fn[16];
        snprintf(fn, sizeof fn, "f%d", i);
        putz(b, fn);
        put8(b, 8);
    }
    end_blob(b, rem);
}

#define FILE_OFF 0x400u /* file offset the crafted streams pretend to be at */
#define RVA0 0x2010u    /* their rva (header at 0x2000) */

typedef struct fixture {
    ew_arena a;
    ew_diag d;
    tlg_catalog c;
} fixture;

static ew_status walk_n(fixture *f, const tbuf *b, size_t n)
{
    ew_arena_free(&f->a);
    ew_arena_init(&f->a, 0);
    ew_diag_init(&f->d, "t.sys");
    ew_rd r;
    ew_rd_init(&r, b->b, n, FILE_OFF, "TraceLogging blob stream", &f->d);
    return tlg_walk(&f->c, &r, RVA0, true, &f->a, &f->d);
}

static void walk_ok(fixture *f, const tbuf *b)
{
    assert_int_equal(walk_n(f, b, b->n), EW_OK);
    assert_int_equal(f->d.status, EW_OK);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ew_arena_init(&f->a, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ew_arena_free(&f->a);
    free(f);
    return 0;
}

static void guid_str(const uint8_t g[16], char out[37])
{
    ew_guid_format(g, out);
}

/* ---- crafted blobs ------------------------------------------------------- */

/* One Event4 with every field kind: scalar, OutType, field tags, const and
 * variable arrays, custom, nested structs. */
static void event4_every_field_kind(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 4, 1, 0x400000000000ull);
    put8(b, 0x80); /* event tags: C emits two bytes (FORMATS.md §1.6) */
    put8(b, 0x00);
    putz(b, "Ev");
    FIELD(b, "a", 8);                                  /* UINT32 */
    FIELD(b, "b", 0x88, 14);                           /* UINT32, NTSTATUS */
    FIELD(b, "c", 0x89, 0x80, 0x81, 0x80, 0x80, 0x05); /* INT64, field tags */
    FIELD(b, "d", 0x24, 0x10, 0x00);                   /* UINT8[16] */
    FIELD(b, "e", 0x41);                               /* UNICODESTRING[] */
    FIELD(b, "f", 0x63, 0x03, 0x00, 'x', 'y', 'z');    /* custom */
    FIELD(b, "s", 0x98, 2);                            /* struct, 2 members */
    FIELD(b, "s1", 7);
    FIELD(b, "s2", 0x98, 1); /* struct, 1 member */
    FIELD(b, "s21", 2);
    FIELD(b, "g", 0x82, 35); /* ANSISTRING, UTF8 */
    end_blob(b, rem);
    size_t end_at = b->n;
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);

    const tlg_catalog *c = &f->c;
    assert_int_equal(c->n_warnings, 0);
    assert_true(c->has_end);
    assert_int_equal(c->end_rva, RVA0 + end_at);
    assert_int_equal(c->n_providers, 0);
    assert_int_equal(c->n_events, 1);
    const tlg_event *e = &c->events[0];
    assert_int_equal(e->rva, RVA0);
    assert_int_equal(e->size, end_at);
    assert_int_equal(e->blob_type, TLG_BLOB_EVENT4);
    assert_true(e->complete);
    assert_string_equal(e->name, "Ev");
    assert_int_equal(e->channel, 11);
    assert_int_equal(e->level, 4);
    assert_int_equal(e->opcode, 1);
    assert_true(e->keyword == 0x400000000000ull);
    assert_int_equal(e->tags, 0);
    assert_true(e->has_id); /* Event4: id 0, version 0 */
    assert_int_equal(e->id, 0);
    assert_int_equal(e->version, 0);
    assert_int_equal(e->n_fields, 11);

    static const struct {
        const char *name;
        uint8_t in_type, out_type;
        bool has_out;
        tlg_count_kind kind;
        uint16_t n_members;
        uint8_t depth;
        int32_t parent;
    } want[] = {
        {"a", 8, 0, false, TLG_COUNT_SCALAR, 0, 0, -1},
        {"b", 8, 14, true, TLG_COUNT_SCALAR, 0, 0, -1},
        {"c", 9, 0, true, TLG_COUNT_SCALAR, 0, 0, -1},
        {"d", 4, 0, false, TLG_COUNT_CONST, 0, 0, -1},
        {"e", 1, 0, false, TLG_COUNT_VAR, 0, 0, -1},
        {"f", 3, 0, false, TLG_COUNT_CUSTOM, 0, 0, -1},
        {"s", 24, 2, true, TLG_COUNT_SCALAR, 2, 0, -1},
        {"s1", 7, 0, false, TLG_COUNT_SCALAR, 0, 1, 6},
        {"s2", 24, 1, true, TLG_COUNT_SCALAR, 1, 1, 6},
        {"s21", 2, 0, false, TLG_COUNT_SCALAR, 0, 2, 8},
        {"g", 2, 35, true, TLG_COUNT_SCALAR, 0, 0, -1},
    };
    for (size_t i = 0; i < 11; i++) {
        const tlg_field *x = &e->fields[i];
        assert_string_equal(x->name, want[i].name);
        assert_int_equal(x->in_type, want[i].in_type);
        assert_int_equal(x->has_out, want[i].has_out);
        assert_int_equal(x->out_type, want[i].out_type);
        assert_int_equal(x->count_kind, want[i].kind);
        assert_int_equal(x->n_members, want[i].n_members);
        assert_int_equal(x->depth, want[i].depth);
        assert_int_equal(x->parent, want[i].parent);
    }
    /* field tags: 0x81 0x80 0x80 0x05 -> 1 << 21 | 5 */
    assert_int_equal(e->fields[2].tags, (1u << 21) | 5u);
    assert_int_equal(e->fields[2].out_raw, 0x80);
    assert_int_equal(e->fields[3].value_count, 16);
    assert_int_equal(e->fields[5].type_info_size, 3);
    assert_memory_equal(e->fields[5].type_info, "xyz", 3);
    assert_string_equal(tlg_in_type_name(e->fields[1].in_type), "UINT32");
    assert_string_equal(tlg_out_type_name(e->fields[1].out_type), "NTSTATUS");
    assert_string_equal(tlg_out_type_name(35), "UTF8");
    assert_string_equal(tlg_in_type_name(24), "STRUCT");
    assert_string_equal(tlg_in_type_name(26), "?");
    assert_string_equal(tlg_blob_type_name(6), "Event4");

    /* code passes rva + 1; both find the event */
    assert_ptr_equal(tlg_find_event(c, RVA0), e);
    assert_ptr_equal(tlg_find_event(c, RVA0 + 1), e);
    assert_null(tlg_find_event(c, RVA0 + 2));
    assert_null(tlg_find_event(c, RVA0 - 1));
    buf_free(b);
}

/* Event3 ids are the Channel byte's offset from the header (FORMATS §1.7):
 * low 16 bits the id, bits 16..23 the version. Padding zeros are skipped. */
static void event3_id_from_offset(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    put8(b, 0);
    put8(b, 0);
    put8(b, 0); /* padding */
    size_t rem = begin_event(b, TLG_BLOB_EVENT3, 11, 2, 0, 0x10);
    put8(b, 0x80 | 0x01);
    put8(b, 0x02); /* tags (1 << 21) | (2 << 14) */
    putz(b, "E3");
    end_blob(b, rem);
    while (b->n < 0x10005)
        put8(b, 0);
    size_t second = b->n;
    rem = begin_event(b, TLG_BLOB_EVENT3, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Far");
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    assert_int_equal(f->c.n_warnings, 0);
    assert_int_equal(f->c.n_events, 2);
    const tlg_event *e = &f->c.events[0];
    assert_int_equal(e->rva, RVA0 + 3);
    assert_true(e->has_id);
    assert_int_equal(e->id, 3 + 1 + 16); /* channel at stream 4, +16 header */
    assert_int_equal(e->version, 0);
    assert_int_equal(e->tags, (1u << 21) | (2u << 14));
    assert_int_equal(e->n_fields, 0);
    e = &f->c.events[1];
    uint32_t off = (uint32_t)second + 1 + 16;
    assert_int_equal(e->id, off & 0xFFFF);
    assert_int_equal(e->version, off >> 16);
    assert_int_equal(e->version, 1);
    assert_string_equal(e->name, "Far");
    buf_free(b);
}

/* Event2 (inferred layout, FORMATS §1.6): level, opcode, u16 task,
 * keyword; channel 11 implied; no documented id. */
static void event2_layout(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    put8(b, TLG_BLOB_EVENT2);
    put8(b, 3);       /* level */
    put8(b, 7);       /* opcode */
    put16(b, 0x1234); /* task */
    put64(b, 0x8000000000000001ull);
    size_t rem = b->n;
    put16(b, 0);
    put8(b, 0);
    putz(b, "Old");
    FIELD(b, "x", 10);
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    assert_int_equal(f->c.n_warnings, 0);
    assert_int_equal(f->c.n_events, 1);
    const tlg_event *e = &f->c.events[0];
    assert_int_equal(e->blob_type, TLG_BLOB_EVENT2);
    assert_int_equal(e->size, b->n - 1);
    assert_int_equal(e->channel, 11);
    assert_int_equal(e->level, 3);
    assert_int_equal(e->opcode, 7);
    assert_int_equal(e->task, 0x1234);
    assert_true(e->keyword == 0x8000000000000001ull);
    assert_false(e->has_id);
    assert_string_equal(e->name, "Old");
    assert_int_equal(e->n_fields, 1);
    assert_string_equal(e->fields[0].name, "x");
    assert_int_equal(e->fields[0].in_type, 10);
    buf_free(b);
}

static const uint8_t tlgagg_guid[16] = {0x13, 0xcc, 0x3f, 0x70, 0x6f, 0xb6,
                                        0x68, 0x58, 0xdd, 0xd9, 0xe2, 0xdb,
                                        0x7f, 0x38, 0x1f, 0xfb};
static const uint8_t group_guid[16] = {0x1a, 0x73, 0x50, 0x4f, 0xcf, 0x89,
                                       0x82, 0x47, 0xb3, 0xe0, 0xdc, 0xe8,
                                       0xc9, 0x04, 0x76, 0xba};

/* Provider3 with a group, a decode GUID and an unknown trait; and the stored
 * GUID that is the name's hash (as in fltMgr.sys). */
static void provider3_traits(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    size_t rem = begin_provider3(b, tlgagg_guid,
                                 "Microsoft.Windows.TlgAggregateInternal");
    put_trait(b, 1, group_guid, 16);
    put_trait(b, 9, (const uint8_t *)"zz", 2);
    uint8_t dec[16];
    memset(dec, 0xAB, 16);
    put_trait(b, 2, dec, 16);
    end_blob(b, rem);
    size_t second = b->n;
    uint8_t other[16] = {1, 2, 3};
    rem = begin_provider3(b, other, "Other");
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    assert_int_equal(f->c.n_warnings, 0);
    assert_int_equal(f->c.n_providers, 2);
    const tlg_provider *p = &f->c.providers[0];
    assert_int_equal(p->rva, RVA0);
    assert_int_equal(p->traits_rva, RVA0 + 17);
    assert_int_equal(p->size, second);
    assert_int_equal(p->blob_type, TLG_BLOB_PROVIDER3);
    assert_true(p->complete);
    assert_string_equal(p->name, "Microsoft.Windows.TlgAggregateInternal");
    assert_int_equal(p->guid_source, TLG_GUID_STORED);
    assert_memory_equal(p->guid, tlgagg_guid, 16);
    assert_true(p->guid_is_name_hash);
    assert_true(p->has_group);
    char s[37];
    guid_str(p->group_guid, s);
    assert_string_equal(s, "4f50731a-89cf-4782-b3e0-dce8c90476ba");
    assert_true(p->has_decode_guid);
    assert_memory_equal(p->decode_guid, dec, 16);
    assert_int_equal(p->n_other_traits, 1);

    p = &f->c.providers[1];
    assert_string_equal(p->name, "Other");
    assert_false(p->guid_is_name_hash);
    assert_false(p->has_group);
    assert_ptr_equal(tlg_find_provider(&f->c, RVA0 + second + 17), p);
    assert_ptr_equal(tlg_find_provider(&f->c, RVA0 + second), p);
    assert_null(tlg_find_provider(&f->c, RVA0 + 1));
    buf_free(b);
}

/* Provider (type 2) has no GUID: derived from the name. */
static void provider2_guid_from_name(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    put8(b, TLG_BLOB_PROVIDER);
    size_t rem = b->n;
    put16(b, 0);
    putz(b, "MyCompany.MyComponent");
    put_trait(b, 1, group_guid, 16);
    end_blob(b, rem);
    put8(b, TLG_BLOB_PROVIDER);
    rem = b->n;
    put16(b, 0);
    putz(b, "Caf\xc3\xa9"); /* not ASCII: no derivation */
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    assert_int_equal(f->c.n_warnings, 0);
    assert_int_equal(f->c.n_providers, 2);
    const tlg_provider *p = &f->c.providers[0];
    assert_int_equal(p->blob_type, TLG_BLOB_PROVIDER);
    assert_int_equal(p->traits_rva, RVA0 + 1);
    assert_int_equal(p->guid_source, TLG_GUID_NAME_HASH);
    char s[37];
    guid_str(p->guid, s);
    assert_string_equal(s, "ce5fa4ea-ab00-5402-8b76-9f76ac858fb5");
    assert_true(p->has_group);
    p = &f->c.providers[1];
    assert_int_equal(p->guid_source, TLG_GUID_UNKNOWN);
    static const uint8_t zero[16];
    assert_memory_equal(p->guid, zero, 16);
    buf_free(b);
}

/* The name hash: Microsoft's documented example, case-insensitive, and a
 * name longer than one SHA-1 block. */
static void guid_from_name(void **state)
{
    uint8_t g[16], h[16];
    char s[37];
    assert_true(tlg_guid_from_name("MyCompany.MyComponent", 21, g));
    ew_guid_format(g, s);
    assert_string_equal(s, "ce5fa4ea-ab00-5402-8b76-9f76ac858fb5");
    assert_true(tlg_guid_from_name("mycompany.MYCOMPONENT", 21, h));
    assert_memory_equal(g, h, 16);
    const char *agg = "Microsoft.Windows.TlgAggregateInternal";
    assert_true(tlg_guid_from_name(agg, strlen(agg), g));
    assert_memory_equal(g, tlgagg_guid, 16);
    assert_false(tlg_guid_from_name("\xc3\xa9", 2, g));
}

/* ---- error ladders ------------------------------------------------------- */

static const tlg_warning *only_warning(const fixture *f)
{
    assert_int_equal(f->c.n_warnings, 1);
    return &f->c.warnings[0];
}

/* The stream cut at every length: never a failure, and the warning names
 * the structure and the offset where the bytes ran out. */
static void stream_cut_everywhere(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Ev");
    FIELD(b, "a", 0x88, 4);
    end_blob(b, rem);
    size_t blob_len = b->n;
    put8(b, TLG_BLOB_END);
    for (size_t n = 0; n < b->n; n++) {
        assert_int_equal(walk_n(f, b, n), EW_OK);
        const tlg_warning *w = only_warning(f);
        assert_false(f->c.has_end);
        if (n == 0 || n == blob_len) {
            /* nothing more to read: no end marker */
            assert_int_equal(w->diag.status, EW_E_TRUNCATED);
            assert_string_equal(w->diag.what, "TraceLogging blob stream");
            assert_int_equal(w->diag.off, FILE_OFF + n);
            assert_int_equal(f->c.n_events, n == blob_len);
        } else if (n < 14) {
            /* RemainingSize itself is cut */
            assert_int_equal(w->diag.status, EW_E_TRUNCATED);
            assert_string_equal(w->diag.what, "TraceLogging event blob");
            assert_int_equal(w->diag.off, FILE_OFF + 12);
            assert_int_equal(f->c.n_events, 0);
        } else {
            /* the declared blob passes the end */
            assert_int_equal(w->diag.status, EW_E_BAD_COUNT);
            assert_string_equal(w->diag.what, "TraceLogging event blob");
            assert_int_equal(w->diag.off, FILE_OFF + 12);
            assert_int_equal(w->rva, RVA0);
            assert_int_equal(f->c.n_events, 0);
        }
    }
    buf_free(b);
}

/* RemainingSize shortened to end the blob inside each field: the event is
 * kept with the fields read before the cut, a warning names the field and
 * its offset, and the walk resumes after the blob. */
static void blob_cut_at_each_field(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    size_t bounds[8], nb = 0;
    size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0x80);
    put8(b, 0);
    putz(b, "Ev");
    bounds[nb++] = b->n;                    /* fields start */
    FIELD(b, "aa", 0x88, 0x84, 0x81, 0x01); /* field tags */
    bounds[nb++] = b->n;
    FIELD(b, "bb", 0x24, 0x04, 0x00); /* const count */
    bounds[nb++] = b->n;
    FIELD(b, "cc", 0x63, 0x02, 0x00, 0x5a, 0x5a); /* custom */
    bounds[nb++] = b->n;
    end_blob(b, rem);
    const size_t full = b->n;

    for (size_t cut = 14; cut <= full; cut++) {
        tbuf *t = buf_new();
        putn(t, b->b, cut);
        patch16(t, 12, (uint16_t)(cut - 12));
        simple_event(t, "Next", 1); /* the walk must go on to this one */
        put8(t, TLG_BLOB_END);
        assert_int_equal(walk_n(f, t, t->n), EW_OK);
        assert_true(f->c.has_end);
        assert_int_equal(f->c.n_events, 2);
        assert_string_equal(f->c.events[1].name, "Next");
        assert_true(f->c.events[1].complete);
        const tlg_event *e = &f->c.events[0];
        assert_int_equal(e->size, cut);
        size_t done = 0;
        while (done + 1 < nb && bounds[done + 1] <= cut)
            done++;
        if (cut < bounds[0]) {
            /* inside the tags or the name */
            const tlg_warning *w = only_warning(f);
            assert_int_equal(w->diag.status, EW_E_TRUNCATED);
            assert_string_equal(w->diag.what, "TraceLogging event blob");
            assert_true(w->diag.off >= FILE_OFF + 14 &&
                        w->diag.off <= FILE_OFF + cut);
            assert_null(e->name);
            assert_int_equal(e->n_fields, 0);
        } else if (cut == bounds[done]) {
            /* on a field boundary: a complete, shorter event */
            assert_int_equal(f->c.n_warnings, 0);
            assert_true(e->complete);
            assert_int_equal(e->n_fields, done);
        } else {
            const tlg_warning *w = only_warning(f);
            assert_false(e->complete);
            assert_int_equal(e->n_fields, done);
            assert_int_equal(w->diag.status, EW_E_TRUNCATED);
            char what[96];
            snprintf(what, sizeof what, "TraceLogging event field %zu of 'Ev'",
                     done);
            assert_string_equal(w->diag.what, what);
            assert_true(w->diag.off >= FILE_OFF + bounds[done] &&
                        w->diag.off <= FILE_OFF + cut);
            assert_int_equal(w->rva, RVA0);
        }
        buf_free(t);
    }
    buf_free(b);
}

/* Counts and sizes larger than the bytes behind them. */
static void counts_too_large(void **state)
{
    fixture *f = *state;
    char msg[256];

    /* RemainingSize past the range: the walk stops there */
    tbuf *b = buf_new();
    simple_event(b, "Kept", 0);
    size_t at = b->n;
    size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Big");
    end_blob(b, rem);
    b->b[rem] = 0xFF;
    b->b[rem + 1] = 0xFF;
    put8(b, TLG_BLOB_END);
    assert_int_equal(walk_n(f, b, b->n), EW_OK);
    assert_int_equal(f->c.n_events, 1);
    assert_false(f->c.has_end);
    const tlg_warning *w = only_warning(f);
    assert_int_equal(w->rva, RVA0 + at);
    char want[256];
    snprintf(want, sizeof want,
             "t.sys: TraceLogging event blob at 0x%zx: count or size past the "
             "end of the data (blob of 0x1000b bytes, 0x%zx left in the range)",
             FILE_OFF + at + 12, b->n - at);
    assert_string_equal(ew_diag_format(&w->diag, msg, sizeof msg), want);
    buf_free(b);

    /* RemainingSize 1 does not even cover itself */
    b = buf_new();
    put8(b, TLG_BLOB_PROVIDER);
    put16(b, 1);
    put8(b, TLG_BLOB_END);
    assert_int_equal(walk_n(f, b, b->n), EW_OK);
    w = only_warning(f);
    assert_int_equal(w->diag.status, EW_E_BAD_VALUE);
    assert_string_equal(w->diag.what, "TraceLogging provider blob");
    assert_int_equal(w->diag.off, FILE_OFF + 1);
    assert_int_equal(f->c.n_providers, 0);
    buf_free(b);

    /* custom type info longer than the blob */
    b = buf_new();
    rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Ev");
    FIELD(b, "x", 0x60, 0x64, 0x00, 1); /* 100 bytes of type info, 1 here */
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    assert_int_equal(walk_n(f, b, b->n), EW_OK);
    w = only_warning(f);
    assert_true(f->c.has_end);
    assert_string_equal(ew_diag_format(&w->diag, msg, sizeof msg),
                        "t.sys: TraceLogging event field 0 of 'Ev' at 0x417: "
                        "truncated (100 bytes needed, 1 left)");
    buf_free(b);

    /* a struct declaring more members than follow */
    b = buf_new();
    rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Ev");
    FIELD(b, "s", 0x98, 3);
    FIELD(b, "m", 8);
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    assert_int_equal(walk_n(f, b, b->n), EW_OK);
    w = only_warning(f);
    assert_int_equal(w->diag.status, EW_E_BAD_COUNT);
    assert_string_equal(w->diag.what, "TraceLogging event struct of 'Ev'");
    assert_int_equal(w->diag.off, FILE_OFF + b->n - 1); /* the blob end */
    assert_int_equal(f->c.events[0].n_fields, 2);
    assert_false(f->c.events[0].complete);
    buf_free(b);

    /* provider trait chunks: size below 3, past the blob, wrong group size */
    static const struct {
        uint16_t size;
        uint8_t type;
        ew_status st;
    } bad[] = {{2, 1, EW_E_BAD_VALUE},
               {40, 1, EW_E_TRUNCATED},
               {18, 1, EW_E_BAD_VALUE}};
    for (size_t i = 0; i < 3; i++) {
        b = buf_new();
        rem = begin_provider3(b, tlgagg_guid, "P");
        size_t chunk = b->n;
        put16(b, bad[i].size);
        put8(b, bad[i].type);
        putn(b, group_guid, 15);
        end_blob(b, rem);
        simple_event(b, "After", 0);
        put8(b, TLG_BLOB_END);
        assert_int_equal(walk_n(f, b, b->n), EW_OK);
        w = only_warning(f);
        assert_int_equal(w->diag.status, bad[i].st);
        assert_string_equal(w->diag.what, "TraceLogging provider trait of 'P'");
        assert_int_equal(w->diag.off,
                         FILE_OFF + chunk +
                             (bad[i].st == EW_E_TRUNCATED ? 3 : 0));
        assert_int_equal(f->c.n_providers, 1);
        assert_false(f->c.providers[0].complete);
        assert_false(f->c.providers[0].has_group);
        assert_int_equal(f->c.n_events, 1); /* resumed after the blob */
        buf_free(b);
    }
}

/* Names without their NUL inside the blob. */
static void unterminated_names(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    size_t rem = begin_provider3(b, tlgagg_guid, "Prov");
    b->n--; /* drop the NUL */
    end_blob(b, rem);
    simple_event(b, "After", 0);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    const tlg_warning *w = only_warning(f);
    char msg[256];
    assert_string_equal(ew_diag_format(&w->diag, msg, sizeof msg),
                        "t.sys: TraceLogging provider blob at 0x413: "
                        "truncated (unterminated string)");
    assert_int_equal(f->c.n_providers, 1);
    assert_null(f->c.providers[0].name);
    assert_false(f->c.providers[0].complete);
    assert_int_equal(f->c.providers[0].size, 23);
    assert_int_equal(f->c.n_events, 1);
    assert_string_equal(f->c.events[0].name, "After");
    assert_true(f->c.has_end);
    buf_free(b);

    /* a field name */
    b = buf_new();
    rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
    put8(b, 0);
    putz(b, "Ev");
    FIELD(b, "a", 8);
    putn(b, "bcd", 3); /* a name without its NUL */
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    walk_ok(f, b);
    w = only_warning(f);
    assert_string_equal(ew_diag_format(&w->diag, msg, sizeof msg),
                        "t.sys: TraceLogging event field 1 of 'Ev' at 0x415: "
                        "truncated (unterminated string)");
    assert_int_equal(f->c.events[0].n_fields, 1);
    buf_free(b);
}

/* A type byte the format does not define ends the walk; what came before
 * stays. */
static void unknown_blob_type(void **state)
{
    fixture *f = *state;
    for (unsigned t = 7; t <= 0xFF; t += 0x7C) {
        tbuf *b = buf_new();
        simple_event(b, "First", 2);
        size_t at = b->n;
        put8(b, (uint8_t)t);
        simple_event(b, "Lost", 0);
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        const tlg_warning *w = only_warning(f);
        assert_int_equal(w->diag.status, EW_E_UNSUPPORTED);
        assert_string_equal(w->diag.what, "TraceLogging blob stream");
        assert_int_equal(w->diag.off, FILE_OFF + at);
        assert_int_equal(w->rva, RVA0 + at);
        char detail[64];
        snprintf(detail, sizeof detail,
                 "unknown blob type 0x%02x: the rest is not read", t);
        assert_string_equal(w->diag.detail, detail);
        assert_int_equal(f->c.n_events, 1);
        assert_false(f->c.has_end);
        buf_free(b);
    }
}

/* The caps of ew_limits.h, at the cap and one past it. */
static void limits(void **state)
{
    fixture *f = *state;
    /* fields per event */
    for (int n = TLG_MAX_FIELDS; n <= TLG_MAX_FIELDS + 1; n++) {
        tbuf *b = buf_new();
        size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
        put8(b, 0);
        putz(b, "Many");
        for (int i = 0; i < n; i++) {
            put8(b, 0); /* empty name */
            put8(b, 8);
        }
        end_blob(b, rem);
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        assert_int_equal(f->c.events[0].n_fields, TLG_MAX_FIELDS);
        assert_int_equal(f->c.n_warnings, n > TLG_MAX_FIELDS);
        if (n > TLG_MAX_FIELDS)
            assert_int_equal(f->c.warnings[0].diag.status, EW_E_LIMIT);
        buf_free(b);
    }
    /* struct nesting */
    for (int n = TLG_MAX_STRUCT_DEPTH; n <= TLG_MAX_STRUCT_DEPTH + 1; n++) {
        tbuf *b = buf_new();
        size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
        put8(b, 0);
        putz(b, "Deep");
        for (int i = 0; i < n; i++) {
            FIELD(b, "s", 0x98, 1);
        }
        FIELD(b, "leaf", 8);
        end_blob(b, rem);
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        const tlg_event *e = &f->c.events[0];
        if (n == TLG_MAX_STRUCT_DEPTH) {
            assert_int_equal(f->c.n_warnings, 0);
            assert_int_equal(e->n_fields, n + 1);
            assert_int_equal(e->fields[n].depth, n);
            assert_int_equal(e->fields[n].parent, n - 1);
        } else {
            assert_int_equal(only_warning(f)->diag.status, EW_E_LIMIT);
            assert_int_equal(e->n_fields, TLG_MAX_STRUCT_DEPTH);
        }
        buf_free(b);
    }
    /* name length */
    for (int n = TLG_MAX_NAME; n <= TLG_MAX_NAME + 1; n++) {
        tbuf *b = buf_new();
        size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
        put8(b, 0);
        for (int i = 0; i < n; i++)
            put8(b, 'n');
        put8(b, 0);
        end_blob(b, rem);
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        if (n == TLG_MAX_NAME) {
            assert_int_equal(f->c.n_warnings, 0);
            assert_int_equal(strlen(f->c.events[0].name), n);
        } else {
            assert_int_equal(only_warning(f)->diag.status, EW_E_LIMIT);
            assert_null(f->c.events[0].name);
        }
        buf_free(b);
    }
    /* warnings kept */
    for (int n = TLG_MAX_WARNINGS; n <= TLG_MAX_WARNINGS + 1; n++) {
        tbuf *b = buf_new();
        for (int i = 0; i < n; i++) {
            size_t rem = begin_event(b, TLG_BLOB_EVENT4, 11, 5, 0, 0);
            put8(b, 0x80); /* tags never end */
            end_blob(b, rem);
        }
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        assert_int_equal(f->c.n_events, n);
        assert_int_equal(f->c.n_warnings, TLG_MAX_WARNINGS);
        assert_int_equal(f->c.n_warnings_dropped, n - TLG_MAX_WARNINGS);
        buf_free(b);
    }
    /* providers (20-byte blobs) */
    for (unsigned n = TLG_MAX_PROVIDERS; n <= TLG_MAX_PROVIDERS + 1; n++) {
        tbuf *b = buf_new();
        for (unsigned i = 0; i < n; i++) {
            size_t rem = begin_provider3(b, tlgagg_guid, "");
            end_blob(b, rem);
        }
        put8(b, TLG_BLOB_END);
        walk_ok(f, b);
        assert_int_equal(f->c.n_providers, TLG_MAX_PROVIDERS);
        assert_int_equal(f->c.has_end, n == TLG_MAX_PROVIDERS);
        assert_int_equal(f->c.n_warnings, n > TLG_MAX_PROVIDERS);
        if (n > TLG_MAX_PROVIDERS)
            assert_int_equal(f->c.warnings[0].diag.status, EW_E_LIMIT);
        buf_free(b);
    }
}

/* A range whose rvas would pass 4 GB is refused; an arena too small is
 * EW_E_NOMEM with an empty catalog. */
static void walk_refusals(void **state)
{
    fixture *f = *state;
    tbuf *b = buf_new();
    simple_event(b, "E", 3);
    put8(b, TLG_BLOB_END);
    ew_rd r;
    ew_diag_init(&f->d, "t.sys");
    ew_rd_init(&r, b->b, b->n, FILE_OFF, "TraceLogging blob stream", &f->d);
    assert_int_equal(tlg_walk(&f->c, &r, UINT32_MAX - 4, true, &f->a, &f->d),
                     EW_E_BAD_VALUE);
    assert_string_equal(f->d.what, "TraceLogging blob stream");
    assert_int_equal(f->c.n_events, 0);

    ew_arena small;
    ew_arena_init(&small, 64);
    ew_diag_init(&f->d, "t.sys");
    assert_int_equal(tlg_walk(&f->c, &r, RVA0, true, &small, &f->d),
                     EW_E_NOMEM);
    assert_int_equal(f->d.status, EW_E_NOMEM);
    assert_int_equal(f->c.n_events, 0);
    assert_null(f->c.events);
    ew_arena_free(&small);
    buf_free(b);
}

/* ---- in an image --------------------------------------------------------- */

/* A hand-made image: headers 0x400 bytes, one .rdata section at rva 0x1000
 * mapped from file offset 0x400. */
typedef struct mini_image {
    uint8_t file[0x1400];
    pe_section sec;
    pe_pogo_entry pogo[4];
    pe_image img;
} mini_image;

static void mini_init(mini_image *m, size_t raw_size)
{
    memset(m, 0, sizeof *m);
    snprintf(m->sec.name, sizeof m->sec.name, ".rdata");
    m->sec.rva = 0x1000;
    m->sec.vsize = 0x1000;
    m->sec.raw_off = 0x400;
    m->sec.raw_size = (uint32_t)raw_size;
    m->sec.characteristics = 0x40000040u;
    m->img.path = "mini.sys";
    m->img.data = m->file;
    m->img.size = 0x400 + raw_size;
    m->img.pe32plus = true;
    m->img.size_of_headers = 0x400;
    m->img.size_of_image = 0x2000;
    m->img.sections = &m->sec;
    m->img.n_sections = 1;
}

/* Writes header + stream at section offset at; returns the stream length. */
static size_t mini_put_metadata(mini_image *m, size_t at, uint8_t flags)
{
    tbuf *b = buf_new();
    putn(b, "ETW0", 4);
    put16(b, 16);
    put8(b, 0);
    put8(b, flags);
    put64(b, TLG_MAGIC);
    simple_event(b, "InImage", 1);
    size_t rem = begin_provider3(b, tlgagg_guid, "P");
    end_blob(b, rem);
    put8(b, TLG_BLOB_END);
    memcpy(m->file + 0x400 + at, b->b, b->n);
    size_t n = b->n;
    buf_free(b);
    return n;
}

static void parse_in_image(void **state)
{
    fixture *f = *state;
    mini_image *m = calloc(1, sizeof *m);
    mini_init(m, 0x1000);
    /* found by scanning (no POGO), 8-aligned */
    size_t n = mini_put_metadata(m, 0x208, 1);
    ew_diag_init(&f->d, "mini.sys");
    assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_OK);
    assert_true(f->c.has_header);
    assert_int_equal(f->c.header.rva, 0x1208);
    assert_int_equal(f->c.header.flags, 1);
    assert_true(f->c.ptr64);
    assert_int_equal(f->c.blobs_rva, 0x1218);
    assert_int_equal(f->c.blobs_size, 0x1000 - 0x218); /* to section end */
    assert_int_equal(f->c.n_events, 1);
    assert_int_equal(f->c.n_providers, 1);
    assert_true(f->c.has_end);
    assert_int_equal(f->c.end_rva, 0x1208 + n - 1);
    assert_int_equal(f->c.n_warnings, 0);

    tlg_header h;
    assert_true(tlg_find_header(&m->img, &h));
    assert_int_equal(h.rva, 0x1208);

    /* POGO bounds the stream: header, events, providers, end marker */
    m->pogo[0] = (pe_pogo_entry){0x1208, 16, ".rdata$zETW0"};
    m->pogo[1] = (pe_pogo_entry){0x1218, (uint32_t)n - 17, ".rdata$zETW1"};
    m->pogo[2] = (pe_pogo_entry){0x1208 + (uint32_t)n - 1, 1, ".rdata$zETW9"};
    m->pogo[3] = (pe_pogo_entry){0x1000, 8, ".rdata$brc"};
    m->img.pogo = m->pogo;
    m->img.n_pogo = 4;
    assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_OK);
    assert_int_equal(f->c.blobs_size, n - 16);
    assert_true(f->c.has_end);
    assert_int_equal(f->c.n_events, 1);

    /* the POGO range ends before the end marker: a warning, not an error */
    m->pogo[2].size = 0;
    assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_OK);
    assert_false(f->c.has_end);
    assert_int_equal(f->c.n_warnings, 1);
    assert_int_equal(f->c.warnings[0].diag.status, EW_E_TRUNCATED);
    m->pogo[2].size = 1;

    /* flags disagree with the image; unknown version: warnings */
    m->file[0x400 + 0x208 + 7] = 0;
    m->file[0x400 + 0x208 + 6] = 3;
    assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_OK);
    assert_int_equal(f->d.status, EW_OK);
    assert_int_equal(f->c.n_warnings, 2);
    assert_int_equal(f->c.warnings[0].diag.status, EW_E_UNSUPPORTED);
    assert_int_equal(f->c.warnings[0].diag.off, 0x400 + 0x208 + 6);
    assert_int_equal(f->c.warnings[1].diag.status, EW_E_MISMATCH);
    assert_int_equal(f->c.warnings[1].diag.off, 0x400 + 0x208 + 7);
    assert_false(f->c.ptr64);
    assert_int_equal(f->c.n_events, 1);
    free(m);
}

/* The header the POGO entry names is broken: the one fatal case, named with
 * its file offset. Without POGO the same bytes are just not a header. */
static void broken_header(void **state)
{
    fixture *f = *state;
    mini_image *m = calloc(1, sizeof *m);
    char msg[256];
    static const struct {
        size_t off;
        uint8_t val;
        ew_status st;
        const char *text;
    } ladder[] = {
        {0, 'X', EW_E_BAD_MAGIC,
         "mini.sys: TraceLogging header at 0x608: bad signature (signature "
         "58 54 57 30, expected \"ETW0\")"},
        {4, 17, EW_E_BAD_VALUE,
         "mini.sys: TraceLogging header at 0x60c: invalid value (size 17, "
         "expected 16)"},
        {15, 0, EW_E_BAD_MAGIC,
         "mini.sys: TraceLogging header at 0x610: bad signature (magic "
         "0x008a052b88040e86, expected 0xbb8a052b88040e86)"},
    };
    for (size_t i = 0; i < 3; i++) {
        mini_init(m, 0x1000);
        mini_put_metadata(m, 0x208, 1);
        m->file[0x400 + 0x208 + ladder[i].off] = ladder[i].val;
        ew_diag_init(&f->d, "mini.sys");
        assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_OK);
        assert_false(f->c.has_header); /* scanning: not a header */
        m->pogo[0] = (pe_pogo_entry){0x1208, 16, ".rdata$zETW0"};
        m->img.pogo = m->pogo;
        m->img.n_pogo = 1;
        assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), ladder[i].st);
        assert_string_equal(ew_diag_format(&f->d, msg, sizeof msg),
                            ladder[i].text);
        assert_false(f->c.has_header);
        assert_int_equal(f->c.n_events, 0);
    }
    /* cut: the section's file bytes end inside the header */
    mini_init(m, 0x210);
    mini_put_metadata(m, 0x208, 1);
    m->pogo[0] = (pe_pogo_entry){0x1208, 16, ".rdata$zETW0"};
    m->img.pogo = m->pogo;
    m->img.n_pogo = 1;
    ew_diag_init(&f->d, "mini.sys");
    assert_int_equal(tlg_parse(&f->c, &m->img, &f->a, &f->d), EW_E_TRUNCATED);
    assert_string_equal(ew_diag_format(&f->d, msg, sizeof msg),
                        "mini.sys: TraceLogging header: truncated (POGO "
                        ".rdata$zETW0 at rva 0x1208 has no 16 file bytes)");
    m->img.n_pogo = 0;
    tlg_header h;
    assert_false(tlg_find_header(&m->img, &h));
    free(m);
}

/* ---- corpus -------------------------------------------------------------- */

typedef struct corpus_case {
    const char *file;
    size_t providers, events; /* MANIFEST.tsv */
} corpus_case;

static const corpus_case corpus[] = {
    {"win10-19041.1806_fltMgr.sys", 2, 12},
    {"win10-19041.2075_amsi.dll", 1, 4},
    {"win10-19041.3155_ntdll.dll", 6, 24},
    {"win10-19041.3269_ci.dll", 4, 28},
    {"win10-19041.508_win32kbase.sys", 13, 278},
    {"win10-19041_advapi32.dll", 3, 3},
};

typedef struct opened {
    corpus_pe pe;
    ew_arena a;
    tlg_catalog c;
} opened;

static void open_corpus(opened *o, const char *name)
{
    corpus_pe_open(&o->pe, name);
    ew_arena_init(&o->a, 0);
    assert_int_equal(tlg_parse(&o->c, &o->pe.img, &o->a, &o->pe.d), EW_OK);
}

static void close_corpus(opened *o)
{
    ew_arena_free(&o->a);
    corpus_pe_close(&o->pe);
}

static void corpus_counts(void **state)
{
    for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
        opened o;
        open_corpus(&o, corpus[i].file);
        const tlg_catalog *c = &o.c;
        printf("# %s: %zu providers, %zu events, %zu warnings\n",
               corpus[i].file, c->n_providers, c->n_events, c->n_warnings);
        assert_true(c->has_header);
        assert_true(c->has_end);
        assert_true(c->ptr64);
        assert_int_equal(c->n_warnings, 0);
        assert_int_equal(c->n_providers, corpus[i].providers);
        assert_int_equal(c->n_events, corpus[i].events);
        for (size_t k = 0; k < c->n_events; k++) {
            assert_true(c->events[k].complete);
            assert_int_equal(c->events[k].blob_type, TLG_BLOB_EVENT4);
            assert_non_null(c->events[k].name);
        }
        for (size_t k = 0; k < c->n_providers; k++) {
            assert_int_equal(c->providers[k].guid_source, TLG_GUID_STORED);
            /* each provider ends where the next blob or the marker starts */
            uint32_t next =
                k + 1 < c->n_providers ? c->providers[k + 1].rva : c->end_rva;
            assert_int_equal(c->providers[k].rva + c->providers[k].size, next);
        }
        close_corpus(&o);
    }
}

/* Names checked with strings(1) / a hex dump of the files. */
static void corpus_names(void **state)
{
    opened o;
    char g[37];
    open_corpus(&o, "win10-19041.1806_fltMgr.sys");
    const tlg_provider *p = &o.c.providers[0];
    assert_string_equal(p->name, "Microsoft.Windows.FileSystem.FltMgr");
    ew_guid_format(p->guid, g);
    assert_string_equal(g, "fd66a680-c052-4375-8cc9-225f923cef88");
    assert_false(p->guid_is_name_hash);
    assert_true(p->has_group);
    ew_guid_format(p->group_guid, g);
    assert_string_equal(g, "4f50731a-89cf-4782-b3e0-dce8c90476ba");
    /* the provider object points at RemainingSize: blob + 17 */
    assert_int_equal(p->traits_rva, p->rva + 17);
    assert_true(o.c.providers[1].guid_is_name_hash);
    assert_int_equal(o.c.header.rva, 0x1d130); /* POGO .rdata$zETW0 */
    assert_int_equal(o.c.events[0].rva, 0x1d140);
    assert_string_equal(o.c.events[0].name, "FltSendMessage");
    assert_int_equal(o.c.events[0].n_fields, 9);
    assert_int_equal(o.c.events[0].fields[0].tags, 0x71); /* 80 80 80 71 */
    assert_int_equal(o.c.end_rva, 0x1d6da);
    close_corpus(&o);

    open_corpus(&o, "win10-19041.2075_amsi.dll");
    assert_string_equal(o.c.providers[0].name,
                        "Microsoft.Antimalware.Scan.Interface");
    const tlg_event *e = &o.c.events[1];
    assert_string_equal(e->name, "AmsiScan");
    assert_true(e->keyword == 0x400000000000ull);
    static const char *const fields[] = {
        "PartA_PrivTags", "ProviderIndex", "Guid", "Duration", "Hr", "Result"};
    static const uint8_t types[] = {10, 8, 15, 10, 8, 8};
    assert_int_equal(e->n_fields, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(e->fields[i].name, fields[i]);
        assert_int_equal(e->fields[i].in_type, types[i]);
    }
    close_corpus(&o);

    /* win32kbase has nested structs (149 of them, two levels) */
    open_corpus(&o, "win10-19041.508_win32kbase.sys");
    size_t structs = 0, max_depth = 0;
    for (size_t k = 0; k < o.c.n_events; k++)
        for (size_t i = 0; i < o.c.events[k].n_fields; i++) {
            const tlg_field *x = &o.c.events[k].fields[i];
            structs += x->in_type == TLG_IN_STRUCT;
            if (x->depth > max_depth)
                max_depth = x->depth;
            if (x->parent >= 0)
                assert_int_equal(o.c.events[k].fields[x->parent].in_type,
                                 TLG_IN_STRUCT);
        }
    assert_int_equal(structs, 149);
    assert_int_equal(max_depth, 2);
    close_corpus(&o);
}

/* The walk of win32kbase.sys (278 events) should take about a millisecond
 * (in a release build; ASan makes it several times slower). */
static void corpus_walk_time(void **state)
{
    opened o;
    open_corpus(&o, "win10-19041.508_win32kbase.sys");
    size_t off;
    assert_int_equal(pe_rva_to_off(&o.pe.img, o.c.blobs_rva, o.c.blobs_size,
                                   &off),
                     EW_OK);
    ew_rd r;
    ew_rd_init(&r, o.pe.data + off, o.c.blobs_size, off, "blobs", &o.pe.d);
    enum { RUNS = 50 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < RUNS; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        tlg_catalog c;
        assert_int_equal(tlg_walk(&c, &r, o.c.blobs_rva, true, &a, &o.pe.d),
                         EW_OK);
        assert_int_equal(c.n_events, 278);
        ew_arena_free(&a);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
                RUNS;
    printf("# win32kbase.sys walk: %.3f ms per run\n", ms);
    assert_true(ms < 50.0);
    close_corpus(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(event4_every_field_kind, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(event3_id_from_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(event2_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(provider3_traits, setup, teardown),
        cmocka_unit_test_setup_teardown(provider2_guid_from_name, setup,
                                        teardown),
        cmocka_unit_test(guid_from_name),
        cmocka_unit_test_setup_teardown(stream_cut_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(blob_cut_at_each_field, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(counts_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(unterminated_names, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_blob_type, setup, teardown),
        cmocka_unit_test_setup_teardown(limits, setup, teardown),
        cmocka_unit_test_setup_teardown(walk_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(parse_in_image, setup, teardown),
        cmocka_unit_test_setup_teardown(broken_header, setup, teardown),
        cmocka_unit_test(corpus_counts),
        cmocka_unit_test(corpus_names),
        cmocka_unit_test(corpus_walk_time),
    };
    return cmocka_run_group_tests_name("tlg", tests, NULL, NULL);
}
