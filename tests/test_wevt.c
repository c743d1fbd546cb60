/* test_wevt.c - the WEVT_TEMPLATE parser: a crafted manifest (every element
 * kind, task-scoped opcodes, maps, a struct template), its error ladders,
 * and the corpus manifests of MANIFEST.tsv joined with their message
 * tables.
 *
 * Set WEVT_WRITE_SEEDS=DIR to also write the crafted manifests there (how
 * fuzz/corpus/wevt/crafted-* were made). */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_guid.h"
#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "format/msgtab.h"
#include "format/pe.h"
#include "format/wevt.h"

#include <time.h>

/* ---- building manifests -------------------------------------------------- */

static void puts4(tbuf *b, const char *sig) { putn(b, sig, 4); }
/* A name string: u32 size (itself included, padded to 4) + UTF-16 + NUL. */
static uint32_t put_name(tbuf *b, const char *s)
{
    size_t at = b->n, len = strlen(s);
    uint32_t size = (uint32_t)((4 + 2 * (len + 1) + 3) & ~(size_t)3);
    put32(b, size);
    for (size_t i = 0; i < len; i++)
        put16(b, (uint8_t)s[i]);
    put16(b, 0);
    while (b->n < at + size)
        put8(b, 0);
    return (uint32_t)at;
}
/* BinXML inline name: hash (MS-EVEN6: h = h * 65599 + unit), count,
 * UTF-16, NUL. */
static void bx_name(tbuf *b, const char *s)
{
    uint32_t h = 0;
    for (const char *p = s; *p; p++)
        h = h * 65599u + (uint8_t)*p;
    put16(b, (uint16_t)h);
    put16(b, (uint16_t)strlen(s));
    for (const char *p = s; *p; p++)
        put16(b, (uint8_t)*p);
    put16(b, 0);
}
static void bx_open(tbuf *b, const char *name, int attrs)
{
    put8(b, attrs ? 0x41 : 0x01);
    put16(b, 0xFFFF); /* dependency id: none */
    put32(b, 0);      /* data size: not read */
    bx_name(b, name);
    if (attrs)
        put32(b, 0); /* attribute list size: not read */
}
/* <Data Name="name">%idx</Data> */
static void bx_data(tbuf *b, const char *name, uint16_t idx, uint8_t type)
{
    bx_open(b, "Data", 1);
    put8(b, 0x06);
    bx_name(b, "Name");
    put8(b, 0x05);
    put8(b, 0x01);
    put16(b, (uint16_t)strlen(name));
    for (const char *p = name; *p; p++)
        put16(b, (uint8_t)*p);
    put8(b, 0x02);
    put8(b, 0x0D);
    put16(b, idx);
    put8(b, type);
    put8(b, 0x04);
}

typedef struct field_spec {
    const char *name;
    uint32_t flags;
    uint8_t in, out;
    uint16_t members, count, length;
    uint32_t map_off;
    uint8_t subst_type; /* 0: a struct member, not substituted */
} field_spec;

/* Offsets (CRIM-relative) of what the tests look at or patch. */
typedef struct craft {
    tbuf b;
    size_t wevt, n_desc;
    size_t chan, levl, opco, task, keyw, maps, ttbl, prva, evnt;
    size_t vmap, bmap, temp1, temp2, temp1_bx, temp2_items, ev0, ev1;
    size_t level4_name, prva_string, kw_list;
} craft;

/* Empties c for a new build; its bytes' memory is kept for reuse. */
static void craft_reset(craft *c)
{
    tbuf keep = c->b;
    memset(c, 0, sizeof *c);
    c->b = keep;
    c->b.n = 0;
}

static void craft_free(craft *c)
{
    tb_free(&c->b);
    free(c);
}

static size_t put_template(craft *c, const field_spec *f, size_t n_top,
                           size_t n, size_t *bx_at, size_t *items_at)
{
    tbuf *b = &c->b;
    size_t at = b->n;
    puts4(b, "TEMP");
    put32(b, 0); /* size, patched */
    put32(b, (uint32_t)n_top);
    put32(b, (uint32_t)n);
    put32(b, 0); /* items off, patched */
    put32(b, 1); /* <EventData> */
    for (int i = 0; i < 16; i++)
        put8(b, (uint8_t)(0xA0 + i)); /* template GUID */
    *bx_at = b->n;
    put8(b, 0x0F);
    put8(b, 1);
    put8(b, 1);
    put8(b, 0);
    bx_open(b, "EventData", 0);
    put8(b, 0x02);
    for (size_t i = 0; i < n_top; i++)
        bx_data(b, f[i].name, (uint16_t)i, f[i].subst_type);
    put8(b, 0x04);
    put8(b, 0x00);
    pad_to(b, 4);
    *items_at = b->n;
    patch32(b, at + 16, (uint32_t)b->n);
    size_t items = b->n;
    for (size_t i = 0; i < n; i++) {
        put32(b, f[i].flags);
        put8(b, f[i].in);
        put8(b, f[i].out);
        put16(b, f[i].members);
        put32(b, f[i].map_off);
        put16(b, f[i].count);
        put16(b, f[i].length);
        put32(b, 0); /* name, patched */
    }
    for (size_t i = 0; i < n; i++)
        patch32(b, items + 20 * i + 16, put_name(b, f[i].name));
    patch32(b, at + 4, (uint32_t)(b->n - at));
    return at;
}

static void put_event(tbuf *b, uint16_t id, uint8_t ver, uint8_t ch,
                      uint8_t lvl, uint8_t op, uint16_t task, uint64_t kw,
                      uint32_t msg, uint32_t tmpl, uint32_t opco,
                      uint32_t levl, uint32_t tsk, uint32_t n_kw,
                      uint32_t kw_list, uint32_t chan)
{
    put16(b, id);
    put8(b, ver);
    put8(b, ch);
    put8(b, lvl);
    put8(b, op);
    put16(b, task);
    put64(b, kw);
    put32(b, msg);
    put32(b, tmpl);
    put32(b, opco);
    put32(b, levl);
    put32(b, tsk);
    put32(b, n_kw);
    put32(b, kw_list);
    put32(b, chan);
}

/* GUIDs of the crafted providers, in-memory order. */
static const uint8_t guid1[16] = {0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78,
                                  0x56, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34,
                                  0x56, 0x78};
static const uint8_t guid2[16] = {0x21, 0x43, 0x65, 0x87, 0x21, 0x43, 0x65,
                                  0x87, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                  0x07, 0x08};

/* A CRIM major.1 manifest: providers descriptors (1 or 2, the second a
 * different GUID on the same block), one WEVT block with the nine element
 * kinds, two templates (one with a struct), two events. */
static void build(craft *c, uint16_t major, int n_providers)
{
    craft_reset(c);
    tbuf *b = &c->b;
    puts4(b, "CRIM");
    put32(b, 0); /* size, patched */
    put16(b, major);
    put16(b, 1);
    put32(b, (uint32_t)n_providers);
    size_t desc = b->n;
    for (int i = 0; i < n_providers; i++) {
        for (int k = 0; k < 16; k++)
            put8(b, (i ? guid2 : guid1)[k]);
        put32(b, 0); /* WEVT off, patched */
    }
    c->wevt = b->n;
    for (int i = 0; i < n_providers; i++)
        patch32(b, desc + 20 * i + 16, (uint32_t)c->wevt);
    puts4(b, "WEVT");
    put32(b, 0); /* size, patched */
    put32(b, 0x90000001);
    c->n_desc = 9;
    put32(b, (uint32_t)c->n_desc);
    size_t el_desc = b->n;
    for (size_t i = 0; i < c->n_desc; i++) {
        put32(b, (uint32_t)i); /* kind: not read */
        put32(b, 0);           /* element off, patched */
    }
    size_t *els[9] = {&c->chan, &c->levl, &c->opco, &c->task, &c->keyw,
                      &c->maps, &c->ttbl, &c->prva, &c->evnt};

    /* CHAN: one channel, value 16 */
    c->chan = b->n;
    puts4(b, "CHAN");
    put32(b, 0);
    put32(b, 1);
    put32(b, 0);
    put32(b, 0); /* name, patched */
    put32(b, 16);
    put32(b, 0x90000002);
    patch32(b, c->chan + 16, put_name(b, "Crafted/Operational"));
    patch32(b, c->chan + 4, (uint32_t)(b->n - c->chan));

    /* LEVL: 2 win:Error, 4 win:Informational */
    c->levl = b->n;
    puts4(b, "LEVL");
    put32(b, 0);
    put32(b, 2);
    put32(b, 2);
    put32(b, 0x50000002);
    put32(b, 0);
    put32(b, 4);
    put32(b, 0x50000004);
    put32(b, 0);
    patch32(b, c->levl + 20, put_name(b, "win:Error"));
    c->level4_name = b->n;
    patch32(b, c->levl + 32, put_name(b, "win:Informational"));
    patch32(b, c->levl + 4, (uint32_t)(b->n - c->levl));

    /* OPCO: global win:Start (1), Flush = opcode 10 of task 1 */
    c->opco = b->n;
    puts4(b, "OPCO");
    put32(b, 0);
    put32(b, 2);
    put32(b, 1u << 16);
    put32(b, 0x30000001);
    put32(b, 0);
    put32(b, 10u << 16 | 1);
    put32(b, 0x3001000a);
    put32(b, 0);
    patch32(b, c->opco + 20, put_name(b, "win:Start"));
    patch32(b, c->opco + 32, put_name(b, "Flush"));
    patch32(b, c->opco + 4, (uint32_t)(b->n - c->opco));

    /* TASK: 1 Cache, with an event GUID */
    c->task = b->n;
    puts4(b, "TASK");
    put32(b, 0);
    put32(b, 1);
    put32(b, 1);
    put32(b, 0x70000001);
    for (int i = 0; i < 16; i++)
        put8(b, (uint8_t)(0x10 + i));
    put32(b, 0);
    patch32(b, c->task + 36, put_name(b, "Cache"));
    patch32(b, c->task + 4, (uint32_t)(b->n - c->task));

    /* KEYW: 0x1 Reads */
    c->keyw = b->n;
    puts4(b, "KEYW");
    put32(b, 0);
    put32(b, 1);
    put64(b, 0x1);
    put32(b, 0x10000001);
    put32(b, 0);
    patch32(b, c->keyw + 24, put_name(b, "Reads"));
    patch32(b, c->keyw + 4, (uint32_t)(b->n - c->keyw));

    /* MAPS: a value map and a bitmap */
    c->maps = b->n;
    puts4(b, "MAPS");
    put32(b, 0);
    put32(b, 2);
    put32(b, 0);
    put32(b, 0);
    c->vmap = b->n;
    puts4(b, "VMAP");
    put32(b, 36);
    put32(b, 0);
    put32(b, 0);
    put32(b, 2);
    put32(b, 0);
    put32(b, 0xd0000001);
    put32(b, 1);
    put32(b, 0xd0000002);
    c->bmap = b->n;
    puts4(b, "BMAP");
    put32(b, 28);
    put32(b, 0);
    put32(b, 1);
    put32(b, 1);
    put32(b, 0x4);
    put32(b, 0xf0000001);
    patch32(b, c->vmap + 8, put_name(b, "KindMap"));
    patch32(b, c->bmap + 8, put_name(b, "FlagMap"));
    patch32(b, c->maps + 12, (uint32_t)c->vmap);
    patch32(b, c->maps + 16, (uint32_t)c->bmap);
    patch32(b, c->maps + 4, (uint32_t)(b->n - c->maps));

    /* TTBL: T1 Kind (map) / Size / Blob (length = field 1);
     *       T2 Hdr (struct of A, B) / Value */
    c->ttbl = b->n;
    puts4(b, "TTBL");
    put32(b, 0);
    put32(b, 2);
    const field_spec t1[] = {
        {"Kind", 0, 8, 8, 0, 0, 0, (uint32_t)c->vmap, 0x08},
        {"Size", 0, 8, 8, 0, 0, 0, 0, 0x08},
        {"Blob", 0x04, 14, 15, 0, 0, 1, 0, 0x0e},
    };
    size_t items;
    c->temp1 = put_template(c, t1, 3, 3, &c->temp1_bx, &items);
    const field_spec t2[] = {
        {"Hdr", 0x09, 2, 0, 2, 1, 0, 0, 0x8e},
        {"Value", 0, 8, 20, 0, 0, 0, (uint32_t)c->bmap, 0x08},
        {"A", 0, 6, 6, 0, 0, 0, 0, 0},
        {"B", 0, 6, 6, 0, 0, 0, 0, 0},
    };
    size_t bx2;
    c->temp2 = put_template(c, t2, 2, 4, &bx2, &c->temp2_items);
    patch32(b, c->ttbl + 4, (uint32_t)(b->n - c->ttbl));

    /* PRVA: the provider name, bare UTF-16 after the record */
    c->prva = b->n;
    puts4(b, "PRVA");
    put32(b, 0);
    put32(b, 1);
    put32(b, 0x10000001);
    put32(b, (uint32_t)(b->n + 4));
    c->prva_string = b->n;
    for (const char *p = "Crafted-Provider"; *p; p++)
        put16(b, (uint8_t)*p);
    put16(b, 0);
    pad_to(b, 4);
    patch32(b, c->prva + 4, (uint32_t)(b->n - c->prva));

    /* EVNT: 1 v0 (Start, Informational, keyword Reads); 2 v1 (Flush,
     * Error, no keyword records); then event 1's keyword list */
    c->evnt = b->n;
    puts4(b, "EVNT");
    put32(b, 0);
    put32(b, 2);
    put32(b, 0);
    c->ev0 = b->n;
    c->kw_list = c->evnt + 16 + 2 * 48;
    put_event(b, 1, 0, 16, 4, 1, 1, 0x8000000000000001ull, 0xB0000001,
              (uint32_t)c->temp1, (uint32_t)c->opco + 12,
              (uint32_t)c->levl + 24, (uint32_t)c->task + 12, 1,
              (uint32_t)c->kw_list, (uint32_t)c->chan + 12);
    c->ev1 = b->n;
    put_event(b, 2, 1, 16, 2, 10, 1, 0x8000000000000000ull, 0xB0010002,
              (uint32_t)c->temp2, (uint32_t)c->opco + 24,
              (uint32_t)c->levl + 12, (uint32_t)c->task + 12, 0, 0,
              (uint32_t)c->chan + 12);
    put32(b, (uint32_t)c->keyw + 12);
    patch32(b, c->evnt + 4, (uint32_t)(b->n - c->evnt));

    for (size_t i = 0; i < 9; i++)
        patch32(b, el_desc + 8 * i + 4, (uint32_t)*els[i]);
    patch32(b, c->wevt + 4, (uint32_t)(b->n - c->wevt));
    patch32(b, 4, (uint32_t)b->n);
}

/* ---- parsing helpers ----------------------------------------------------- */

#define BASE 0x1000u /* a file offset for the crafted bytes */

typedef struct parsed {
    ew_arena a;
    ew_diag d;
    wevt_manifest m;
    ew_status s;
} parsed;

static void parse_bytes(parsed *p, const uint8_t *data, size_t size)
{
    ew_arena_init(&p->a, 0);
    ew_diag_init(&p->d, "t.bin");
    p->s = wevt_parse(&p->m, data, size, BASE, &p->a, &p->d);
}

static void parse_craft(parsed *p, craft *c)
{
    parse_bytes(p, c->b.b, c->b.n);
    assert_int_equal(p->s, EW_OK);
}

/* The one warning of p: status, structure and CRIM-relative offset. */
static void expect_warning(const parsed *p, ew_status s, const char *what,
                           size_t crim_off)
{
    if (p->m.n_warnings != 1)
        for (size_t i = 0; i < p->m.n_warnings; i++)
            fprintf(stdout, "# warning %s at 0x%llx: %s\n",
                    p->m.warnings[i].what,
                    (unsigned long long)p->m.warnings[i].off,
                    p->m.warnings[i].detail);
    assert_int_equal(p->m.n_warnings, 1);
    assert_int_equal(p->m.warnings[0].status, s);
    assert_string_equal(p->m.warnings[0].what, what);
    assert_int_equal(p->m.warnings[0].off, BASE + crim_off);
}

static void expect_failure(const parsed *p, ew_status s, const char *what,
                           uint64_t crim_off)
{
    assert_int_equal(p->s, s);
    assert_int_equal(p->d.status, s);
    assert_string_equal(p->d.what, what);
    assert_true(p->d.has_off);
    assert_int_equal(p->d.off, BASE + crim_off);
    assert_int_equal(p->m.n_providers, 0); /* m is zeroed */
}

/* ---- the crafted manifest ------------------------------------------------ */

static void crafted_model(void **state)
{
    craft *c = calloc(1, sizeof *c);
    build(c, 5, 1);
    parsed p;
    parse_craft(&p, c);
    const wevt_manifest *m = &p.m;
    assert_int_equal(m->major, 5);
    assert_int_equal(m->minor, 1);
    assert_int_equal(m->size, c->b.n);
    assert_int_equal(m->n_warnings, 0);
    assert_int_equal(m->n_providers, 1);
    const wevt_provider *pr = &m->providers[0];
    assert_memory_equal(pr->guid, guid1, 16);
    assert_ptr_equal(wevt_find_provider(m, guid1), pr);
    assert_null(wevt_find_provider(m, guid2));
    assert_true(pr->complete);
    assert_string_equal(pr->name, "Crafted-Provider");
    assert_int_equal(pr->message_id, 0x90000001);
    assert_int_equal(pr->off, c->wevt);

    assert_int_equal(pr->n_channels, 1);
    assert_int_equal(pr->channels[0].value, 16);
    assert_int_equal(pr->channels[0].flags, 0);
    assert_int_equal(pr->channels[0].message_id, 0x90000002);
    assert_string_equal(pr->channels[0].name, "Crafted/Operational");

    assert_int_equal(pr->n_levels, 2);
    assert_string_equal(wevt_find_level(pr, 2)->name, "win:Error");
    assert_string_equal(wevt_find_level(pr, 4)->name, "win:Informational");
    assert_null(wevt_find_level(pr, 5));

    /* the stored u32 is opcode << 16 | task */
    assert_int_equal(pr->n_opcodes, 2);
    assert_int_equal(pr->opcodes[1].value, 10);
    assert_int_equal(pr->opcodes[1].task, 1);
    assert_string_equal(wevt_find_opcode(pr, 1, 10)->name, "Flush");
    assert_null(wevt_find_opcode(pr, 2, 10)); /* only task 1 has it */
    assert_string_equal(wevt_find_opcode(pr, 7, 1)->name, "win:Start");

    assert_int_equal(pr->n_tasks, 1);
    assert_string_equal(wevt_find_task(pr, 1)->name, "Cache");
    assert_int_equal(pr->tasks[0].guid[0], 0x10);
    assert_int_equal(pr->tasks[0].message_id, 0x70000001);

    assert_int_equal(pr->n_keywords, 1);
    assert_true(pr->keywords[0].mask == 1);
    assert_string_equal(pr->keywords[0].name, "Reads");

    assert_int_equal(pr->n_maps, 2);
    assert_int_equal(pr->maps[0].kind, WEVT_MAP_VALUE);
    assert_string_equal(pr->maps[0].name, "KindMap");
    assert_int_equal(pr->maps[0].n_entries, 2);
    assert_int_equal(pr->maps[0].entries[1].value, 1);
    assert_int_equal(pr->maps[0].entries[1].message_id, 0xd0000002);
    assert_int_equal(pr->maps[1].kind, WEVT_MAP_BITMAP);
    assert_int_equal(pr->maps[1].flags, 1);
    assert_string_equal(pr->maps[1].name, "FlagMap");
    assert_int_equal(pr->maps[1].entries[0].value, 4);

    assert_int_equal(pr->n_templates, 2);
    const wevt_template *t1 = wevt_find_template(pr, (uint32_t)c->temp1);
    assert_non_null(t1);
    assert_int_equal(t1->kind, 1);
    assert_int_equal(t1->guid[0], 0xA0);
    assert_int_equal(t1->n_top, 3);
    assert_int_equal(t1->n_fields, 3);
    assert_true(t1->binxml_ok);
    assert_string_equal(t1->root_name, "EventData");
    assert_string_equal(t1->fields[0].name, "Kind");
    assert_string_equal(t1->fields[0].xml_name, "Kind");
    assert_ptr_equal(t1->fields[0].map, &pr->maps[0]);
    assert_int_equal(t1->fields[2].in_type, 14);
    assert_string_equal(wevt_in_type_name(t1->fields[2].in_type),
                        "win:Binary");
    assert_string_equal(wevt_out_type_name(t1->fields[2].out_type),
                        "xs:hexBinary");
    assert_int_equal(t1->fields[2].flags, WEVT_FIELD_PARAM_LENGTH);
    assert_int_equal(t1->fields[2].length, 1); /* field 1, Size */
    assert_int_equal(t1->fields[2].subst_type, 0x0e);

    const wevt_template *t2 = &pr->templates[1];
    assert_int_equal(t2->n_top, 2);
    assert_int_equal(t2->n_fields, 4);
    const wevt_field *hdr = &t2->fields[0];
    assert_int_equal(hdr->flags, WEVT_FIELD_STRUCT | WEVT_FIELD_FIXED_COUNT);
    assert_int_equal(hdr->in_type, 0); /* the type bytes were the index */
    assert_int_equal(hdr->struct_first, 2);
    assert_int_equal(hdr->struct_count, 2);
    assert_int_equal(hdr->count, 1);
    assert_string_equal(t2->fields[2].name, "A");
    assert_null(t2->fields[2].xml_name); /* members are not substituted */
    assert_ptr_equal(t2->fields[1].map, &pr->maps[1]);
    assert_string_equal(wevt_out_type_name(t2->fields[1].out_type),
                        "win:PID");

    assert_int_equal(pr->n_events, 2);
    const wevt_event *e1 = wevt_find_event(pr, 1, 0);
    assert_non_null(e1);
    assert_int_equal(e1->channel, 16);
    assert_int_equal(e1->level, 4);
    assert_int_equal(e1->opcode, 1);
    assert_int_equal(e1->task, 1);
    assert_true(e1->keywords == 0x8000000000000001ull);
    assert_int_equal(e1->message_id, 0xB0000001);
    assert_ptr_equal(e1->tmpl, t1);
    assert_string_equal(e1->opcode_rec->name, "win:Start");
    assert_string_equal(e1->level_rec->name, "win:Informational");
    assert_string_equal(e1->task_rec->name, "Cache");
    assert_string_equal(e1->channel_rec->name, "Crafted/Operational");
    assert_int_equal(e1->n_keyword_recs, 1);
    assert_string_equal(e1->keyword_recs[0]->name, "Reads");
    const wevt_event *e2 = wevt_find_event(pr, 2, 1);
    assert_non_null(e2);
    assert_null(wevt_find_event(pr, 2, 0));
    assert_ptr_equal(e2->tmpl, t2);
    assert_string_equal(e2->opcode_rec->name, "Flush");
    assert_int_equal(e2->opcode_rec->task, 1);
    assert_int_equal(e2->n_keyword_recs, 0);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* CRIM 3.1 reads the same way; two descriptors may share one block. */
static void crafted_v3_two_providers(void **state)
{
    craft *c = calloc(1, sizeof *c);
    build(c, 3, 2);
    parsed p;
    parse_craft(&p, c);
    assert_int_equal(p.m.major, 3);
    assert_int_equal(p.m.n_providers, 2);
    assert_int_equal(p.m.n_warnings, 0);
    assert_memory_equal(p.m.providers[1].guid, guid2, 16);
    assert_int_equal(p.m.providers[1].n_events, 2);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* ---- error ladders: the CRIM header (fatal) ------------------------------ */

static void crim_header_cut_at_every_field(void **state)
{
    craft *c = calloc(1, sizeof *c);
    build(c, 5, 1);
    /* each cut fails at the field it lands in: signature 0, size 4,
     * major 8, minor 10, provider count 12 */
    static const size_t field_at[16] = {0, 0, 0, 0, 4, 4, 4, 4,
                                        8, 8, 10, 10, 12, 12, 12, 12};
    for (size_t len = 0; len < 16; len++) {
        parsed p;
        parse_bytes(&p, c->b.b, len);
        expect_failure(&p, EW_E_TRUNCATED, "WEVT CRIM header",
                       field_at[len]);
        ew_arena_free(&p.a);
    }
    /* past the header, the stored size (the whole manifest) is larger
     * than what is left: the size field is at fault */
    for (size_t len = 16; len < c->b.n; len += 7) {
        parsed p;
        parse_bytes(&p, c->b.b, len);
        expect_failure(&p, EW_E_TRUNCATED, "WEVT CRIM header", 4);
        ew_arena_free(&p.a);
    }
    craft_free(c);
}

static void crim_header_bad_values(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;

    build(c, 5, 1);
    c->b.b[0] = 'X';
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_BAD_MAGIC, "WEVT CRIM header", 0);
    ew_arena_free(&p.a);

    build(c, 5, 1);
    patch32(&c->b, 4, 15); /* below its own header */
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_BAD_VALUE, "WEVT CRIM header", 4);
    ew_arena_free(&p.a);

    build(c, 4, 1); /* only 3.x and 5.x exist */
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_UNSUPPORTED, "WEVT CRIM header", 8);
    ew_arena_free(&p.a);

    /* provider count: at the cap the descriptors do not fit (BAD_COUNT),
     * one past the cap is refused first (LIMIT) */
    build(c, 5, 1);
    patch32(&c->b, 12, WEVT_MAX_PROVIDERS);
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_BAD_COUNT, "WEVT CRIM header", 12);
    ew_arena_free(&p.a);
    patch32(&c->b, 12, WEVT_MAX_PROVIDERS + 1);
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_LIMIT, "WEVT CRIM header", 12);
    ew_arena_free(&p.a);
    patch32(&c->b, 12, 0xFFFFFFFF);
    parse_bytes(&p, c->b.b, c->b.n);
    expect_failure(&p, EW_E_LIMIT, "WEVT CRIM header", 12);
    ew_arena_free(&p.a);

    /* zero providers is a valid, empty manifest; trailing resource
     * padding past the CRIM size is ignored */
    build(c, 5, 1);
    patch32(&c->b, 12, 0);
    put32(&c->b, 0);
    parse_bytes(&p, c->b.b, c->b.n);
    assert_int_equal(p.s, EW_OK);
    assert_int_equal(p.m.n_providers, 0);
    ew_arena_free(&p.a);

    /* an arena too small for the model: EW_E_NOMEM, m zeroed */
    build(c, 5, 1);
    ew_arena_init(&p.a, 256);
    ew_diag_init(&p.d, "t.bin");
    p.s = wevt_parse(&p.m, c->b.b, c->b.n, BASE, &p.a, &p.d);
    assert_int_equal(p.s, EW_E_NOMEM);
    assert_int_equal(p.m.n_providers, 0);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* ---- error ladders: provider blocks and elements (warnings) -------------- */

/* A broken first provider leaves the second intact. */
static void broken_provider_block_is_skipped(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;
    const size_t desc0 = 16 + 16; /* provider 0's WEVT offset field */

    build(c, 5, 2);
    patch32(&c->b, desc0, (uint32_t)c->b.n - 8); /* 16-byte header cut */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT provider block", c->b.n - 8);
    assert_int_equal(p.m.n_providers, 2);
    assert_false(p.m.providers[0].complete);
    assert_int_equal(p.m.providers[0].n_events, 0);
    assert_memory_equal(p.m.providers[0].guid, guid1, 16);
    assert_true(p.m.providers[1].complete);
    assert_int_equal(p.m.providers[1].n_events, 2);
    ew_arena_free(&p.a);

    build(c, 5, 2);
    patch32(&c->b, desc0, 0xFFFFFFF0); /* far out of range */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT provider block", 0xFFFFFFF0);
    ew_arena_free(&p.a);

    build(c, 5, 2);
    patch32(&c->b, desc0, (uint32_t)c->chan); /* not a WEVT block */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_MAGIC, "WEVT provider block", c->chan);
    assert_int_equal(p.m.providers[1].n_events, 2);
    ew_arena_free(&p.a);

    /* one block for both: the counts are the block's, so patch it and see
     * both providers warn */
    build(c, 5, 1);
    patch32(&c->b, c->wevt + 4, 8); /* size below the header */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT provider block", c->wevt + 4);
    ew_arena_free(&p.a);

    build(c, 5, 1);
    patch32(&c->b, c->wevt + 4, (uint32_t)c->b.n); /* past the CRIM */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT provider block", c->wevt);
    ew_arena_free(&p.a);

    /* element count: at the cap the descriptors do not fit in the block's
     * size, past it the cap is named */
    build(c, 5, 1);
    patch32(&c->b, c->wevt + 4, 16 + 8 * 9);
    patch32(&c->b, c->wevt + 12, 10);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_COUNT, "WEVT provider block", c->wevt + 12);
    ew_arena_free(&p.a);
    patch32(&c->b, c->wevt + 12, WEVT_MAX_ELEMENTS + 1);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_LIMIT, "WEVT provider block", c->wevt + 12);
    assert_int_equal(p.m.providers[0].n_events, 0);
    ew_arena_free(&p.a);
    craft_free(c);
}

static void unknown_and_repeated_elements(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;
    size_t desc;

    /* an unknown kind is skipped; the provider stays complete */
    build(c, 5, 1);
    memcpy(c->b.b + c->prva, "ABCD", 4);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_UNSUPPORTED, "WEVT element header", c->prva);
    assert_string_equal(p.m.warnings[0].detail,
                        "unknown element kind \"ABCD\" skipped");
    assert_true(p.m.providers[0].complete);
    assert_null(p.m.providers[0].name);
    assert_int_equal(p.m.providers[0].n_events, 2);
    ew_arena_free(&p.a);

    /* a descriptor naming the WEVT block itself: an unknown kind, no loop */
    build(c, 5, 1);
    desc = c->wevt + 16;
    patch32(&c->b, desc + 8 * 7 + 4, (uint32_t)c->wevt); /* was PRVA */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_UNSUPPORTED, "WEVT element header", c->wevt);
    ew_arena_free(&p.a);

    /* the same element twice: read once */
    build(c, 5, 1);
    patch32(&c->b, desc + 8 * 7 + 4, (uint32_t)c->levl);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_LOOP, "WEVT LEVL element", c->levl);
    assert_int_equal(p.m.providers[0].n_levels, 2);
    assert_false(p.m.providers[0].complete);
    ew_arena_free(&p.a);

    /* an element past the manifest */
    build(c, 5, 1);
    patch32(&c->b, desc + 8 * 7 + 4, (uint32_t)c->b.n - 4);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT element header", c->b.n - 4);
    ew_arena_free(&p.a);

    /* an element size below its header, and past the manifest */
    build(c, 5, 1);
    patch32(&c->b, c->levl + 4, 11);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_BAD_VALUE);
    assert_string_equal(p.m.warnings[0].what, "WEVT LEVL element");
    assert_int_equal(p.m.warnings[0].off, BASE + c->levl + 4);
    assert_int_equal(p.m.providers[0].n_levels, 0);
    /* then both events name a LEVL record that is not there */
    assert_int_equal(p.m.n_warnings, 3);
    assert_string_equal(p.m.warnings[1].what, "WEVT EVNT record");
    assert_null(p.m.providers[0].events[0].level_rec);
    ew_arena_free(&p.a);
    craft_free(c);
}

static void record_counts_and_offsets(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;

    /* more events than the element holds: the ones that fit are read */
    build(c, 5, 1);
    patch32(&c->b, c->evnt + 8, 1000);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_COUNT, "WEVT EVNT element", c->evnt + 8);
    assert_int_equal(p.m.providers[0].n_events, 2);
    assert_false(p.m.providers[0].complete);
    ew_arena_free(&p.a);

    /* one past the record cap is named as such */
    build(c, 5, 1);
    patch32(&c->b, c->keyw + 8, WEVT_MAX_RECORDS + 1);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_LIMIT);
    assert_string_equal(p.m.warnings[0].what, "WEVT KEYW element");
    assert_int_equal(p.m.warnings[1].status, EW_E_BAD_COUNT);
    /* as many 16-byte records as the element's size holds after its
     * header (its name string counts: the parser cannot tell) */
    assert_int_equal(p.m.providers[0].n_keywords,
                     (get32(&c->b, c->keyw + 4) - 12) / 16);
    ew_arena_free(&p.a);

    /* an event's template offset out of range: no template, one warning */
    build(c, 5, 1);
    patch32(&c->b, c->ev0 + 20, 0xFFFFFF00);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT EVNT record", c->ev0);
    assert_string_equal(p.m.warnings[0].detail,
                        "event 1 v0: no TEMP record at 0xffffff00");
    assert_null(p.m.providers[0].events[0].tmpl);
    assert_non_null(p.m.providers[0].events[1].tmpl);
    ew_arena_free(&p.a);

    /* an opcode offset inside a record, not at its start */
    build(c, 5, 1);
    patch32(&c->b, c->ev1 + 24, (uint32_t)c->opco + 16);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT EVNT record", c->ev1);
    assert_null(p.m.providers[0].events[1].opcode_rec);
    ew_arena_free(&p.a);

    /* the keyword list: past the manifest, then too long */
    build(c, 5, 1);
    patch32(&c->b, c->ev0 + 40, (uint32_t)c->b.n - 2);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT event keyword list",
                   c->b.n - 2);
    ew_arena_free(&p.a);
    build(c, 5, 1);
    patch32(&c->b, c->ev0 + 36, 65);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_LIMIT, "WEVT EVNT record", c->ev0 + 36);
    ew_arena_free(&p.a);

    /* a map offset past the manifest; a field naming no map */
    build(c, 5, 1);
    patch32(&c->b, c->maps + 16, (uint32_t)c->b.n);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_TRUNCATED);
    assert_string_equal(p.m.warnings[0].what, "WEVT map");
    assert_int_equal(p.m.warnings[0].off, BASE + c->b.n);
    assert_int_equal(p.m.providers[0].n_maps, 1);
    /* T2's Value field named the lost bitmap */
    assert_int_equal(p.m.n_warnings, 2);
    assert_string_equal(p.m.warnings[1].what, "WEVT TEMP item");
    ew_arena_free(&p.a);

    /* a map with more entries than its size holds: those that fit */
    build(c, 5, 1);
    patch32(&c->b, c->vmap + 16, 3);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_COUNT, "WEVT map", c->vmap + 16);
    assert_int_equal(p.m.providers[0].maps[0].n_entries, 2);
    ew_arena_free(&p.a);
    craft_free(c);
}

static void unterminated_strings(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;

    /* a name whose NUL is overwritten: no name, a warning */
    build(c, 5, 1);
    uint32_t size = get32(&c->b, c->level4_name);
    memset(c->b.b + c->level4_name + 4, 'x', size - 4);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT level name", c->level4_name);
    assert_null(wevt_find_level(&p.m.providers[0], 4)->name);
    assert_string_equal(wevt_find_level(&p.m.providers[0], 2)->name,
                        "win:Error");
    ew_arena_free(&p.a);

    /* a name size below its own field, and past the cap */
    build(c, 5, 1);
    patch32(&c->b, c->level4_name, 3);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT level name", c->level4_name);
    ew_arena_free(&p.a);
    patch32(&c->b, c->level4_name, WEVT_MAX_NAME + 5);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_LIMIT, "WEVT level name", c->level4_name);
    ew_arena_free(&p.a);

    /* the PRVA name running to the element's end */
    build(c, 5, 1);
    memset(c->b.b + c->prva_string, 'x', c->evnt - c->prva_string);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT provider name",
                   c->prva_string);
    assert_null(p.m.providers[0].name);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* ---- error ladders: templates and BinXML --------------------------------- */

static void template_errors(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;

    /* a template size of 0 would not advance: the walk stops there */
    build(c, 5, 1);
    patch32(&c->b, c->temp2 + 4, 0);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_BAD_VALUE);
    assert_string_equal(p.m.warnings[0].what, "WEVT TEMP template");
    assert_int_equal(p.m.warnings[0].off, BASE + c->temp2 + 4);
    assert_int_equal(p.m.providers[0].n_templates, 1);
    assert_null(p.m.providers[0].events[1].tmpl); /* + a link warning */
    assert_int_equal(p.m.n_warnings, 2);
    ew_arena_free(&p.a);

    /* a template running past its TTBL */
    build(c, 5, 1);
    patch32(&c->b, c->temp2 + 4, 0x10000);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_TRUNCATED);
    assert_int_equal(p.m.warnings[0].off, BASE + c->temp2 + 4);
    ew_arena_free(&p.a);

    /* a wrong signature drops that template */
    build(c, 5, 1);
    memcpy(c->b.b + c->temp1, "TEMQ", 4);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_BAD_MAGIC);
    assert_int_equal(p.m.warnings[0].off, BASE + c->temp1);
    assert_int_equal(p.m.providers[0].n_templates, 1);
    ew_arena_free(&p.a);

    /* items that do not fit in the template: fields dropped, kept */
    build(c, 5, 1);
    patch32(&c->b, c->temp2 + 12, 40);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_BAD_COUNT);
    assert_int_equal(p.m.warnings[0].off, BASE + c->temp2 + 16);
    assert_int_equal(p.m.providers[0].templates[1].n_fields, 0);
    ew_arena_free(&p.a);
    patch32(&c->b, c->temp2 + 12, WEVT_MAX_FIELDS + 1);
    parse_craft(&p, c);
    assert_int_equal(p.m.warnings[0].status, EW_E_LIMIT);
    assert_int_equal(p.m.warnings[0].off, BASE + c->temp2 + 12);
    ew_arena_free(&p.a);

    /* a struct whose members would start at itself (a loop for anyone
     * walking members): refused, no members */
    build(c, 5, 1);
    c->b.b[c->temp2_items + 4] = 0; /* first member index 0 = itself */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT TEMP item",
                   c->temp2_items + 4);
    assert_int_equal(p.m.providers[0].templates[1].fields[0].struct_count,
                     0);
    ew_arena_free(&p.a);
    craft_free(c);
}

static void binxml_errors(void **state)
{
    craft *c = calloc(1, sizeof *c);
    parsed p;
    /* T1's fragment: 0F 01 01 00, then <EventData> opens at +4 */
    size_t bx = c->temp1_bx;

    /* an unknown token where <EventData> opens */
    build(c, 5, 1);
    bx = c->temp1_bx;
    c->b.b[bx + 4] = 0x1F;
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT BinXML", bx + 4);
    assert_string_equal(p.m.warnings[0].detail, "unknown token 0x1f");
    const wevt_template *t = &p.m.providers[0].templates[0];
    assert_false(t->binxml_ok);
    assert_null(t->root_name);
    assert_string_equal(t->fields[0].name, "Kind"); /* items still read */
    assert_null(t->fields[0].xml_name);
    ew_arena_free(&p.a);

    /* a template instance is not followed */
    build(c, 5, 1);
    c->b.b[bx + 4] = 0x0C;
    parse_craft(&p, c);
    expect_warning(&p, EW_E_UNSUPPORTED, "WEVT BinXML", bx + 4);
    ew_arena_free(&p.a);

    /* EndElement with nothing open */
    build(c, 5, 1);
    c->b.b[bx + 4] = 0x04;
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT BinXML", bx + 4);
    ew_arena_free(&p.a);

    /* EOF right after the fragment header: fine, an empty fragment */
    build(c, 5, 1);
    c->b.b[bx + 4] = 0x00;
    parse_craft(&p, c);
    assert_int_equal(p.m.n_warnings, 0);
    assert_true(p.m.providers[0].templates[0].binxml_ok);
    ew_arena_free(&p.a);

    /* a substitution index past the template's fields loses one name */
    build(c, 5, 1);
    /* the first Data's substitution: find token 0D 00 00 */
    size_t at = bx;
    while (!(c->b.b[at] == 0x0D && c->b.b[at + 1] == 0 &&
             c->b.b[at + 2] == 0))
        at++;
    c->b.b[at + 1] = 9;
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT BinXML", at);
    t = &p.m.providers[0].templates[0];
    assert_null(t->fields[0].xml_name);
    assert_string_equal(t->fields[1].xml_name, "Size");
    assert_false(t->binxml_ok);
    ew_arena_free(&p.a);

    /* an inline name without its NUL */
    build(c, 5, 1);
    c->b.b[bx + 4 + 7 + 4 + 18] = 'x'; /* after "EventData" */
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT BinXML", bx + 4 + 7);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* A manifest whose one template has no items and exactly the BinXML
 * fragment in f (no padding: the template's size is 40 + its length).
 * Returns the fragment's CRIM offset. */
static size_t build_fragment(craft *c, const tbuf *f)
{
    craft_reset(c);
    tbuf *b = &c->b;
    puts4(b, "CRIM");
    put32(b, 0);
    put16(b, 5);
    put16(b, 1);
    put32(b, 1);
    for (int i = 0; i < 16; i++)
        put8(b, 0);
    put32(b, 36);
    puts4(b, "WEVT"); /* at 36 */
    put32(b, 24);
    put32(b, WEVT_NO_MESSAGE);
    put32(b, 1);
    put32(b, 7);
    put32(b, 60);
    c->ttbl = b->n; /* 60 */
    puts4(b, "TTBL");
    put32(b, 0);
    put32(b, 1);
    c->temp1 = b->n;
    puts4(b, "TEMP");
    put32(b, (uint32_t)(40 + f->n));
    put32(b, 0);
    put32(b, 0);
    put32(b, (uint32_t)(c->temp1 + 40 + f->n)); /* items off: the end */
    put32(b, 2);
    for (int i = 0; i < 16; i++)
        put8(b, 0);
    c->temp1_bx = b->n;
    for (size_t i = 0; i < f->n; i++)
        put8(b, f->b[i]);
    patch32(b, c->ttbl + 4, (uint32_t)(b->n - c->ttbl));
    patch32(b, 4, (uint32_t)b->n);
    return c->temp1_bx;
}

static void frag_header(tbuf *f)
{
    put8(f, 0x0F);
    put8(f, 1);
    put8(f, 1);
    put8(f, 0);
}

/* Nesting: WEVT_MAX_BINXML_DEPTH elements decode, one more is refused. */
static void binxml_depth_cap(void **state)
{
    craft *c = calloc(1, sizeof *c);
    tbuf *f = calloc(1, sizeof *f);
    for (int extra = 0; extra <= 1; extra++) {
        size_t depth = WEVT_MAX_BINXML_DEPTH + (size_t)extra, last = 0;
        f->n = 0;
        frag_header(f);
        for (size_t i = 0; i < depth; i++) {
            last = f->n;
            bx_open(f, "E", 0);
            put8(f, 0x02);
        }
        for (size_t i = 0; i < depth; i++)
            put8(f, 0x04);
        put8(f, 0x00);
        size_t at = build_fragment(c, f);
        parsed p;
        parse_craft(&p, c);
        const wevt_template *t = &p.m.providers[0].templates[0];
        if (!extra) {
            assert_int_equal(p.m.n_warnings, 0);
            assert_true(t->binxml_ok);
            assert_string_equal(t->root_name, "E");
        } else {
            expect_warning(&p, EW_E_LIMIT, "WEVT BinXML", at + last);
            assert_false(t->binxml_ok);
        }
        ew_arena_free(&p.a);
    }
    tb_free(f);
    free(f);
    craft_free(c);
}

/* Fragments that end early, or end inside an element. */
static void binxml_unterminated(void **state)
{
    craft *c = calloc(1, sizeof *c);
    tbuf *f = calloc(1, sizeof *f);
    parsed p;

    /* <E> and no more: the view ends before an EOF token */
    f->n = 0;
    frag_header(f);
    bx_open(f, "E", 0);
    put8(f, 0x02);
    size_t at = build_fragment(c, f);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_TRUNCATED, "WEVT BinXML", at + f->n);
    assert_string_equal(p.m.warnings[0].detail,
                        "fragment ends without an EOF token (depth 1)");
    ew_arena_free(&p.a);

    /* <E> then EOF */
    put8(f, 0x00);
    at = build_fragment(c, f);
    parse_craft(&p, c);
    expect_warning(&p, EW_E_BAD_VALUE, "WEVT BinXML", at + f->n - 1);
    ew_arena_free(&p.a);

    /* a name whose characters run past the fragment */
    f->n = 0;
    frag_header(f);
    put8(f, 0x01);
    put16(f, 0xFFFF);
    put32(f, 0);
    put16(f, 0);
    put16(f, 50); /* 50 characters, none there */
    at = build_fragment(c, f);
    parse_craft(&p, c);
    /* the characters: after token 1, dependency 2, size 4, hash 2,
     * count 2 */
    expect_warning(&p, EW_E_TRUNCATED, "WEVT BinXML", at + 4 + 11);
    ew_arena_free(&p.a);
    tb_free(f);
    free(f);
    craft_free(c);
}

/* Warnings past the cap are counted, not kept. */
static void warning_cap(void **state)
{
    craft *c = calloc(1, sizeof *c);
    build(c, 5, 1);
    /* move KEYW to a new element of 2,000 records whose names all lie past
     * the manifest: one warning each */
    size_t n = 2000, at = c->b.n;
    puts4(&c->b, "KEYW");
    put32(&c->b, (uint32_t)(12 + 16 * n));
    put32(&c->b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put64(&c->b, 1);
        put32(&c->b, WEVT_NO_MESSAGE);
        put32(&c->b, 0xFFFFFFF0);
    }
    patch32(&c->b, c->wevt + 16 + 8 * 4 + 4, (uint32_t)at);
    patch32(&c->b, 4, (uint32_t)c->b.n);
    parsed p;
    parse_craft(&p, c);
    assert_int_equal(p.m.providers[0].n_keywords, n);
    assert_int_equal(p.m.n_warnings, WEVT_MAX_WARNINGS);
    /* 2,000 names + event 1's keyword link (the old record is gone) */
    assert_int_equal(p.m.n_warnings_dropped, n + 1 - WEVT_MAX_WARNINGS);
    ew_arena_free(&p.a);
    craft_free(c);
}

/* Writes the crafted manifests as fuzz seeds (WEVT_WRITE_SEEDS=DIR). */
static int write_seeds(const char *dir)
{
    craft *c = calloc(1, sizeof *c);
    int rc = 0;
    for (int v = 0; v < 2 && !rc; v++) {
        build(c, v ? 3 : 5, v ? 2 : 1);
        char path[512];
        snprintf(path, sizeof path, "%s/crafted-%s", dir,
                 v ? "v3-two-providers" : "v5");
        rc = write_whole_file(path, c->b.b, c->b.n);
    }
    craft_free(c);
    return rc;
}

/* ---- corpus -------------------------------------------------------------- */

typedef struct image {
    corpus_pe c;
    ew_arena a;
    wevt_manifest m;
    msgtab mt;
    int has_mt;
} image;

/* Opens a corpus binary (or skips), parses its WEVT_TEMPLATE and, when
 * there is one, its RT_MESSAGETABLE. */
static image *open_image(const char *name)
{
    image *im = calloc(1, sizeof *im);
    corpus_pe_open(&im->c, name);
    ew_arena_init(&im->a, 0);
    size_t n;
    ew_rd rd;
    assert_true(resource_reader(&im->c.img, 0, "WEVT_TEMPLATE",
                                "WEVT_TEMPLATE", &rd, &n));
    assert_int_equal(n, 1); /* one language in every corpus file */
    assert_int_equal(wevt_parse(&im->m, rd.base, rd.size, rd.base_off,
                                &im->a, &im->c.d),
                     EW_OK);
    if (resource_reader(&im->c.img, PE_RT_MESSAGETABLE, NULL,
                        "RT_MESSAGETABLE", &rd, &n)) {
        assert_int_equal(msgtab_parse(&im->mt, rd.base, rd.size,
                                      rd.base_off, &im->a, &im->c.d),
                         EW_OK);
        im->has_mt = 1;
    }
    return im;
}

static void close_image(image *im)
{
    ew_arena_free(&im->a);
    corpus_pe_close(&im->c);
    free(im);
}

static void expect_guid(const wevt_provider *p, const char *text)
{
    char g[37];
    ew_guid_format(p->guid, g);
    assert_string_equal(g, text);
}

/* Events with a message id, and how many of those resolve to a non-empty
 * text in the image's message table. */
static void count_messages(const image *im, size_t *with, size_t *resolved)
{
    *with = *resolved = 0;
    for (size_t i = 0; i < im->m.n_providers; i++) {
        const wevt_provider *p = &im->m.providers[i];
        for (size_t e = 0; e < p->n_events; e++) {
            if (p->events[e].message_id == WEVT_NO_MESSAGE)
                continue;
            ++*with;
            const char *t = im->has_mt ? msgtab_find(&im->mt,
                                                     p->events[e].message_id)
                                       : NULL;
            if (t && *t)
                ++*resolved;
        }
    }
}

/* Every corpus manifest parses without a single warning: the layouts in
 * wevt_int.h hold for all of them. */
static void expect_clean(const image *im)
{
    assert_int_equal(im->m.n_warnings, 0);
    for (size_t i = 0; i < im->m.n_providers; i++) {
        const wevt_provider *p = &im->m.providers[i];
        assert_true(p->complete);
        for (size_t t = 0; t < p->n_templates; t++)
            assert_true(p->templates[t].binxml_ok);
        for (size_t e = 0; e < p->n_events; e++)
            assert_true(p->events[e].template_off == 0 ||
                        p->events[e].tmpl != NULL);
    }
}

/* coreclr-2.0.0_clretwrc.dll (sha256 fbf11c1e...): CRIM 3.1, the four .NET
 * runtime providers, 168+45+3+181 events (MANIFEST.tsv). 3.1 has no PRVA
 * element and these blocks store no name message (0xFFFFFFFF): the names
 * (DotNETRuntime, ...Rundown, ...Stress, ...Private) are not in the file. */
static void corpus_clretwrc(void **state)
{
    image *im = open_image("coreclr-2.0.0_clretwrc.dll");
    expect_clean(im);
    assert_int_equal(im->m.major, 3);
    assert_int_equal(im->m.minor, 1);
    assert_int_equal(im->m.n_providers, 4);
    static const char *const guids[4] = {
        "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", /* DotNETRuntime */
        "a669021c-c450-4609-a035-5af59af4df18", /* DotNETRuntimeRundown */
        "cc2bcbba-16b6-4cf3-8990-d74c2e8af500", /* DotNETRuntimeStress */
        "763fd754-7086-4dfe-95eb-c01a46faf4ca", /* DotNETRuntimePrivate */
    };
    static const size_t events[4] = {168, 45, 3, 181};
    for (size_t i = 0; i < 4; i++) {
        expect_guid(&im->m.providers[i], guids[i]);
        assert_int_equal(im->m.providers[i].n_events, events[i]);
        assert_null(im->m.providers[i].name);
        assert_int_equal(im->m.providers[i].message_id, WEVT_NO_MESSAGE);
    }
    const wevt_provider *rt = &im->m.providers[0];
    /* GCStart_V1 (ClrEtwAll.man): id 1 version 1, win:Informational,
     * win:Start, task GarbageCollection (1), keyword GCKeyword (0x1);
     * template GCStart_V1 = Count, Depth, Reason (GCReasonMap), Type
     * (GCTypeMap), ClrInstanceID (UInt16); a <UserData> template */
    const wevt_event *ev = wevt_find_event(rt, 1, 1);
    assert_non_null(ev);
    assert_int_equal(ev->level, 4);
    assert_string_equal(ev->level_rec->name, "win:Informational");
    assert_int_equal(ev->opcode, 1);
    assert_string_equal(ev->opcode_rec->name, "win:Start");
    assert_int_equal(ev->task, 1);
    assert_string_equal(ev->task_rec->name, "GarbageCollection");
    assert_true(ev->keywords == 0x1);
    assert_string_equal(ev->keyword_recs[0]->name, "GCKeyword");
    const wevt_template *t = ev->tmpl;
    assert_int_equal(t->kind, 2);
    assert_string_equal(t->root_name, "GCStart_V1");
    static const char *const fields[5] = {"Count", "Depth", "Reason", "Type",
                                          "ClrInstanceID"};
    assert_int_equal(t->n_fields, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(t->fields[i].name, fields[i]);
        assert_string_equal(t->fields[i].xml_name, fields[i]);
    }
    assert_string_equal(t->fields[2].map->name, "GCReasonMap");
    assert_string_equal(wevt_in_type_name(t->fields[4].in_type),
                        "win:UInt16");
    assert_string_equal(msgtab_find(&im->mt, ev->message_id),
                        "Count=%1;%nDepth=%2;%nReason=%3;%nType=%4;"
                        "%nClrInstanceID=%5");
    /* GCSuspendEEBegin is opcode 10 of GarbageCollection: a task-scoped
     * opcode, stored as 0x000A0001 */
    const wevt_opcode *op = wevt_find_opcode(rt, 1, 10);
    assert_string_equal(op->name, "GCSuspendEEBegin");
    assert_int_equal(op->task, 1);

    /* Rundown event 0 (CLRStackWalk): Stack is a Pointer array with a
     * fixed count of 2, rendered HexInt64 */
    ev = wevt_find_event(&im->m.providers[1], 0, 0);
    const wevt_field *stack = &ev->tmpl->fields[4];
    assert_string_equal(stack->name, "Stack");
    assert_int_equal(stack->flags, WEVT_FIELD_FIXED_COUNT);
    assert_int_equal(stack->count, 2);
    assert_string_equal(wevt_in_type_name(stack->in_type), "win:Pointer");
    assert_string_equal(wevt_out_type_name(stack->out_type), "win:HexInt64");

    /* 163+41+3+181 events carry a message id; every one resolves */
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 388);
    assert_int_equal(resolved, 388);
    close_image(im);
}

/* win10-19041.3269_ci.dll (c464d0d9...): 1 provider, 171 events. */
static void corpus_ci(void **state)
{
    image *im = open_image("win10-19041.3269_ci.dll");
    expect_clean(im);
    assert_int_equal(im->m.major, 5);
    assert_int_equal(im->m.n_providers, 1);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "4ee76bd8-3cf4-44a0-a0ac-3937643e37a3");
    assert_string_equal(p->name, "Microsoft-Windows-CodeIntegrity");
    /* the block's name message says the same */
    assert_string_equal(msgtab_find(&im->mt, p->message_id),
                        "Microsoft-Windows-CodeIntegrity");
    assert_int_equal(p->n_events, 171);
    assert_int_equal(p->n_channels, 2);
    /* 3001 v0: win:Warning (3), task 1 "CreateSection", opcode 101
     * "UnsignedDriverLoaded" (a global opcode here: stored 0x00650000),
     * channel .../Operational (16); fields
     * FileNameLength, FileNameBuffer whose length is field 0 */
    const wevt_event *ev = wevt_find_event(p, 3001, 0);
    assert_int_equal(ev->level, 3);
    assert_string_equal(ev->level_rec->name, "win:Warning");
    assert_int_equal(ev->opcode, 101);
    assert_string_equal(ev->opcode_rec->name, "UnsignedDriverLoaded");
    assert_int_equal(ev->opcode_rec->task, 0);
    assert_ptr_equal(wevt_find_opcode(p, 1, 101), ev->opcode_rec);
    assert_string_equal(ev->task_rec->name, "CreateSection");
    assert_int_equal(ev->channel, 16);
    assert_string_equal(ev->channel_rec->name,
                        "Microsoft-Windows-CodeIntegrity/Operational");
    assert_true(ev->keywords == 0x8000000000000000ull);
    const wevt_template *t = ev->tmpl;
    assert_int_equal(t->n_fields, 2);
    assert_string_equal(t->fields[0].name, "FileNameLength");
    assert_string_equal(t->fields[1].name, "FileNameBuffer");
    assert_int_equal(t->fields[1].flags, WEVT_FIELD_PARAM_LENGTH);
    assert_int_equal(t->fields[1].length, 0);
    /* 3001 v1 adds RequestedSigningLevel rendered with map SigningLevels */
    ev = wevt_find_event(p, 3001, 1);
    assert_string_equal(ev->tmpl->fields[3].name, "RequestedSigningLevel");
    assert_string_equal(ev->tmpl->fields[3].map->name, "SigningLevels");
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 166); /* 5 events have no message */
    assert_int_equal(resolved, 166);
    close_image(im);
}

/* win10-19041.508_win32kbase.sys (0be65ecf...): 1 provider, 322 events;
 * parsing it must take well under 10 ms. */
static void corpus_win32kbase(void **state)
{
    image *im = open_image("win10-19041.508_win32kbase.sys");
    expect_clean(im);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "8c416c79-d49b-4f01-a467-e56d3aa8234c");
    assert_string_equal(p->name, "Microsoft-Windows-Win32k");
    assert_int_equal(p->message_id, WEVT_NO_MESSAGE);
    assert_int_equal(p->n_events, 322);
    assert_int_equal(p->n_channels, 8);
    assert_int_equal(p->n_tasks, 208);
    /* event 3 (UIPIMsgError): its first field UIPI_Trace_Header is a
     * struct of the 9 items from index 4 (ErrorType ... TargetLBN) */
    const wevt_event *ev = wevt_find_event(p, 3, 0);
    assert_string_equal(ev->task_rec->name, "UIPIMsgError");
    assert_string_equal(ev->channel_rec->name, "Microsoft-Windows-Win32k/UIPI");
    const wevt_template *t = ev->tmpl;
    assert_int_equal(t->n_top, 4);
    assert_int_equal(t->n_fields, 13);
    assert_string_equal(t->fields[0].name, "UIPI_Trace_Header");
    assert_int_equal(t->fields[0].flags,
                     WEVT_FIELD_STRUCT | WEVT_FIELD_FIXED_COUNT);
    assert_int_equal(t->fields[0].struct_first, 4);
    assert_int_equal(t->fields[0].struct_count, 9);
    assert_string_equal(t->fields[4].name, "ErrorType");
    assert_string_equal(t->fields[12].name, "TargetLBN");
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 25);
    assert_int_equal(resolved, 25);

    /* timing: the best of 5 parses of the 129,366-byte manifest */
    size_t n;
    ew_rd rd;
    assert_true(resource_reader(&im->c.img, 0, "WEVT_TEMPLATE", "WEVT", &rd,
                                &n));
    double best = 1e9;
    for (int i = 0; i < 5; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        wevt_manifest m;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(wevt_parse(&m, rd.base, rd.size, rd.base_off, &a,
                                    &im->c.d),
                         EW_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        if (ms < best)
            best = ms;
        ew_arena_free(&a);
    }
    fprintf(stdout, "# win32kbase.sys manifest parsed in %.3f ms\n", best);
    assert_true(best < 10.0);
    close_image(im);
}

/* win10-19041.1806_fltMgr.sys (3e2e32f5...): 1 provider, 10 events, all in
 * the imported System channel. */
static void corpus_fltmgr(void **state)
{
    image *im = open_image("win10-19041.1806_fltMgr.sys");
    expect_clean(im);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "f3c5e28e-63f6-49c7-a204-e48a1bc4b09d");
    assert_string_equal(p->name, "Microsoft-Windows-FilterManager");
    assert_int_equal(p->n_events, 10);
    /* "System" is imported: flags 1, the well-known channel value 8 */
    assert_int_equal(p->n_channels, 1);
    assert_string_equal(p->channels[0].name, "System");
    assert_int_equal(p->channels[0].value, 8);
    assert_int_equal(p->channels[0].flags, 1);
    /* event 1: "File System Filter '%5' ..." where %5 is field 4,
     * DeviceName, whose length is field 3 (DeviceNameLength) */
    const wevt_event *ev = wevt_find_event(p, 1, 0);
    assert_int_equal(ev->channel, 8);
    assert_string_equal(ev->tmpl->fields[4].name, "DeviceName");
    assert_int_equal(ev->tmpl->fields[4].length, 3);
    assert_string_equal(ev->tmpl->fields[3].name, "DeviceNameLength");
    assert_string_equal(msgtab_find(&im->mt, ev->message_id),
                        "File System Filter '%5' (Version %2.%3, %6) "
                        "unloaded successfully.");
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 10);
    assert_int_equal(resolved, 10);
    close_image(im);
}

/* win10-19041.2075_amsi.dll (f45d7bd6...): 2 providers of 1 event each. */
static void corpus_amsi(void **state)
{
    image *im = open_image("win10-19041.2075_amsi.dll");
    expect_clean(im);
    assert_int_equal(im->m.n_providers, 2);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "2a576b87-09a7-520e-c21a-4942f0271d67");
    assert_string_equal(p->name, "Microsoft-Antimalware-Scan-Interface");
    expect_guid(&im->m.providers[1], "d37e7910-79c8-57c4-da77-52bb646364cd");
    assert_string_equal(im->m.providers[1].name,
                        "Microsoft-Antimalware-UacScan");
    assert_int_equal(p->n_events, 1);
    assert_int_equal(im->m.providers[1].n_events, 1);
    /* 1101 AmsiScanBuffer: 10 fields; content (binary, length = field 5
     * contentsize), hash (binary, fixed length 32) */
    const wevt_event *ev = wevt_find_event(p, 1101, 0);
    assert_int_equal(ev->channel, 16);
    assert_string_equal(ev->channel_rec->name, "AMSI/Debug");
    assert_true(ev->keywords == 0x8000000000000001ull);
    assert_string_equal(ev->keyword_recs[0]->name, "Event1");
    const wevt_template *t = ev->tmpl;
    assert_int_equal(t->n_fields, 10);
    assert_string_equal(t->fields[0].name, "session");
    assert_string_equal(t->fields[7].name, "content");
    assert_int_equal(t->fields[7].flags, WEVT_FIELD_PARAM_LENGTH);
    assert_int_equal(t->fields[7].length, 5);
    assert_string_equal(t->fields[5].name, "contentsize");
    assert_string_equal(t->fields[8].name, "hash");
    assert_int_equal(t->fields[8].flags, WEVT_FIELD_FIXED_LENGTH);
    assert_int_equal(t->fields[8].length, 32);
    assert_string_equal(msgtab_find(&im->mt, ev->message_id),
                        "AmsiScanBuffer");
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 2);
    assert_int_equal(resolved, 2);
    close_image(im);
}

/* win7-7600.16385_dhcpssvc.dll (6272a05c...): CRIM 3.1, 183 events, every
 * one with a message id, but the strings live in the .mui satellite: the
 * image has no RT_MESSAGETABLE, so none resolves here. */
static void corpus_dhcpssvc(void **state)
{
    image *im = open_image("win7-7600.16385_dhcpssvc.dll");
    expect_clean(im);
    assert_int_equal(im->m.major, 3);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "6d64f02c-a125-4dac-9a01-f0555b41ca84");
    assert_null(p->name);
    assert_int_equal(p->n_events, 183);
    assert_int_equal(p->n_channels, 3);
    assert_string_equal(p->channels[0].name,
                        "Microsoft-Windows-Dhcp-Server/Operational");
    assert_string_equal(p->channels[2].name, "System");
    assert_int_equal(im->has_mt, 0);
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 183);
    assert_int_equal(resolved, 0);
    close_image(im);
}

/* win7-7601.17514_dxgkrnl.sys (44d0577d...): CRIM 3.1, 14 events, none with
 * a message; opcodes win:Start/Stop drive events 10000-10002. */
static void corpus_dxgkrnl(void **state)
{
    image *im = open_image("win7-7601.17514_dxgkrnl.sys");
    expect_clean(im);
    const wevt_provider *p = &im->m.providers[0];
    expect_guid(p, "802ec45a-1e99-4b83-9920-87c98277ba9d");
    assert_int_equal(p->n_events, 14);
    const wevt_event *ev = wevt_find_event(p, 10001, 0);
    assert_string_equal(ev->opcode_rec->name, "win:Stop");
    assert_string_equal(ev->task_rec->name,
                        "PerfTrack_DMM_Hotplug_Monitor_Set_VideoMode");
    assert_string_equal(ev->channel_rec->name,
                        "Microsoft-Windows-DxgKrnl/Performance");
    size_t with, resolved;
    count_messages(im, &with, &resolved);
    assert_int_equal(with, 0);
    assert_int_equal(resolved, 0);
    close_image(im);
}

int main(void)
{
    const char *seed_dir = getenv("WEVT_WRITE_SEEDS");
    if (seed_dir)
        return write_seeds(seed_dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crafted_model),
        cmocka_unit_test(crafted_v3_two_providers),
        cmocka_unit_test(crim_header_cut_at_every_field),
        cmocka_unit_test(crim_header_bad_values),
        cmocka_unit_test(broken_provider_block_is_skipped),
        cmocka_unit_test(unknown_and_repeated_elements),
        cmocka_unit_test(record_counts_and_offsets),
        cmocka_unit_test(unterminated_strings),
        cmocka_unit_test(template_errors),
        cmocka_unit_test(binxml_errors),
        cmocka_unit_test(binxml_depth_cap),
        cmocka_unit_test(binxml_unterminated),
        cmocka_unit_test(warning_cap),
        cmocka_unit_test(corpus_clretwrc),
        cmocka_unit_test(corpus_ci),
        cmocka_unit_test(corpus_win32kbase),
        cmocka_unit_test(corpus_fltmgr),
        cmocka_unit_test(corpus_amsi),
        cmocka_unit_test(corpus_dhcpssvc),
        cmocka_unit_test(corpus_dxgkrnl),
    };
    return cmocka_run_group_tests_name("wevt", tests, NULL, NULL);
}
