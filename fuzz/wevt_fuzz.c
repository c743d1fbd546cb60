/*
 * wevt_fuzz.c - libFuzzer harness for wevt.c / wevt_binxml.c.
 *
 * The input is the bytes of a WEVT_TEMPLATE resource. The harness parses
 * it and checks the model's invariants:
 *   - failure only with a diagnostic naming a structure, and a zeroed model;
 *   - every record offset in the model inside the CRIM, every string
 *     NUL-terminated (ASan catches a missing NUL), every enum below _COUNT;
 *   - every link (event -> template/opcode/level/task/channel/keyword,
 *     field -> map) pointing into its provider's arrays, at the record whose
 *     offset the event names;
 *   - template fields: n_top <= n_fields <= WEVT_MAX_FIELDS, struct members
 *     strictly after their struct and inside the template (walked, so a
 *     cycle would hang the harness);
 *   - warnings: at most WEVT_MAX_WARNINGS, each with a structure name;
 *   - a second parse gives the same counts (determinism).
 * Everything is freed (LeakSanitizer).
 */
#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_limits.h"
#include "format/wevt.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(x) \
    do { \
        if (!(x)) \
            abort(); \
    } while (0)

#define BASE 0x400u

static void check_str(const char *s)
{
    if (!s)
        return; /* names may be absent */
    volatile size_t n = strlen(s);
    (void)n;
}

#define IN_ARRAY(p, arr, n) ((p) >= (arr) && (p) < (arr) + (n))

/* Walks the members of field i; depth-bounded by construction (members
 * lie strictly after their struct). */
static size_t walk_struct(const wevt_template *t, size_t i)
{
    const wevt_field *f = &t->fields[i];
    size_t n = 1;
    if (!f->struct_count)
        return n;
    CHECK(f->flags & WEVT_FIELD_STRUCT);
    CHECK(f->struct_first > i);
    CHECK((size_t)f->struct_first + f->struct_count <= t->n_fields);
    for (size_t k = 0; k < f->struct_count; k++)
        n += walk_struct(t, f->struct_first + k);
    return n;
}

static void check_provider(const wevt_manifest *m, const wevt_provider *p)
{
    uint32_t size = m->size;
    check_str(p->name);
    for (size_t i = 0; i < p->n_channels; i++) {
        CHECK(p->channels[i].off <= size - 16);
        check_str(p->channels[i].name);
    }
    for (size_t i = 0; i < p->n_levels; i++) {
        CHECK(p->levels[i].off <= size - 12);
        check_str(p->levels[i].name);
    }
    for (size_t i = 0; i < p->n_opcodes; i++) {
        CHECK(p->opcodes[i].off <= size - 12);
        check_str(p->opcodes[i].name);
    }
    for (size_t i = 0; i < p->n_tasks; i++) {
        CHECK(p->tasks[i].off <= size - 28);
        check_str(p->tasks[i].name);
    }
    for (size_t i = 0; i < p->n_keywords; i++) {
        CHECK(p->keywords[i].off <= size - 16);
        check_str(p->keywords[i].name);
    }
    for (size_t i = 0; i < p->n_maps; i++) {
        const wevt_map *mp = &p->maps[i];
        CHECK(mp->kind < WEVT_MAP_KIND_COUNT);
        CHECK(mp->off <= size - 20);
        CHECK(mp->n_entries <= (size - mp->off - 20) / 8);
        check_str(mp->name);
    }
    for (size_t i = 0; i < p->n_templates; i++) {
        const wevt_template *t = &p->templates[i];
        CHECK(t->size >= 40 && t->off <= size - t->size);
        if (i)
            CHECK(t->off > p->templates[i - 1].off);
        CHECK(t->n_top <= t->n_fields && t->n_fields <= WEVT_MAX_FIELDS);
        check_str(t->root_name);
        for (size_t f = 0; f < t->n_fields; f++) {
            const wevt_field *fl = &t->fields[f];
            CHECK(fl->off >= t->off && fl->off - t->off <= t->size - 20);
            check_str(fl->name);
            check_str(fl->xml_name);
            CHECK(!fl->xml_name || f < t->n_top);
            if (fl->map) {
                CHECK(IN_ARRAY(fl->map, p->maps, p->n_maps));
                CHECK(fl->map->off == fl->map_off);
            }
            CHECK(walk_struct(t, f) <= t->n_fields * t->n_fields + 1);
            (void)wevt_in_type_name(fl->in_type);
            (void)wevt_out_type_name(fl->out_type);
        }
    }
    for (size_t i = 0; i < p->n_events; i++) {
        const wevt_event *e = &p->events[i];
        CHECK(e->off <= size - 48);
        if (e->tmpl) {
            CHECK(IN_ARRAY(e->tmpl, p->templates, p->n_templates));
            CHECK(e->tmpl->off == e->template_off);
            CHECK(wevt_find_template(p, e->template_off) == e->tmpl);
        }
        if (e->opcode_rec)
            CHECK(IN_ARRAY(e->opcode_rec, p->opcodes, p->n_opcodes) &&
                  e->opcode_rec->off == e->opcode_off);
        if (e->level_rec)
            CHECK(IN_ARRAY(e->level_rec, p->levels, p->n_levels) &&
                  e->level_rec->off == e->level_off);
        if (e->task_rec)
            CHECK(IN_ARRAY(e->task_rec, p->tasks, p->n_tasks) &&
                  e->task_rec->off == e->task_off);
        if (e->channel_rec)
            CHECK(IN_ARRAY(e->channel_rec, p->channels, p->n_channels) &&
                  e->channel_rec->off == e->channel_off);
        CHECK(e->n_keyword_recs <= 64);
        for (size_t k = 0; k < e->n_keyword_recs; k++)
            CHECK(IN_ARRAY(e->keyword_recs[k], p->keywords, p->n_keywords));
        const wevt_event *f = wevt_find_event(p, e->id, e->version);
        CHECK(f && f->id == e->id && f->version == e->version);
        (void)wevt_find_opcode(p, e->task, e->opcode);
        (void)wevt_find_level(p, e->level);
        (void)wevt_find_channel(p, e->channel);
        (void)wevt_find_task(p, e->task);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t counts[2][3];
    ew_status st[2];
    for (int run = 0; run < 2; run++) {
        ew_arena a;
        ew_arena_init(&a, (size_t)256 << 20);
        ew_diag d;
        ew_diag_init(&d, "fuzz.wevt");
        wevt_manifest m;
        ew_status s = wevt_parse(&m, data, size, BASE, &a, &d);
        st[run] = s;
        size_t events = 0, fields = 0;
        if (s == EW_OK) {
            CHECK(d.status == EW_OK);
            CHECK(m.size <= size && m.size >= 16);
            CHECK(m.major == 3 || m.major == 5);
            CHECK(m.n_providers <= WEVT_MAX_PROVIDERS);
            CHECK(m.n_warnings <= WEVT_MAX_WARNINGS);
            for (size_t i = 0; i < m.n_warnings; i++) {
                CHECK(m.warnings[i].status > EW_OK &&
                      m.warnings[i].status < EW_STATUS_COUNT);
                CHECK(m.warnings[i].what && m.warnings[i].what[0]);
                check_str(m.warnings[i].detail);
                CHECK(m.warnings[i].off >= BASE);
            }
            for (size_t i = 0; i < m.n_providers; i++) {
                check_provider(&m, &m.providers[i]);
                CHECK(wevt_find_provider(&m, m.providers[i].guid));
                events += m.providers[i].n_events;
                for (size_t t = 0; t < m.providers[i].n_templates; t++)
                    fields += m.providers[i].templates[t].n_fields;
            }
        } else {
            CHECK(d.status == s && d.what[0]);
            CHECK(m.n_providers == 0 && m.providers == NULL);
        }
        counts[run][0] = m.n_warnings + m.n_warnings_dropped;
        counts[run][1] = events;
        counts[run][2] = fields;
        ew_arena_free(&a);
    }
    CHECK(st[0] == st[1]);
    CHECK(!memcmp(counts[0], counts[1], sizeof counts[0]));
    return 0;
}
