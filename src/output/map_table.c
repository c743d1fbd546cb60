/*
 * map_table.c - the CSV and TSV writers of `etwmap map` (map_table.h).
 *
 * Each cell is built in one reusable buffer, then written with the
 * format's quoting or escapes.
 */
#include "output/map_table.h"

#include "base/ew_guid.h"
#include "catalog/legacy_kernel.h"
#include "output/events_tsv.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const HEADER[MAP_TABLE_COLUMNS] = {
    /* the reference's */
    "Function", "ProviderGuid", "ProviderSymbol", "ReghandleSymbol",
    "WriteFunction", "EventDescriptorSymbol", "Id", "Version", "Channel",
    "Level", "Opcode", "Task", "Keyword", "ContainingFunction", "CallDepth",
    "ExportedCallDepth", "CallPath",
    /* etwmap's */
    "EventName", "EventFields", "Kind", "SiteRva", "Syscall",
    "ProviderResolvedBy", "EventResolvedBy", "Unresolved", "ProviderName",
    "EntryRva", "Via", "ShortestPaths"};

typedef struct tbl {
    FILE *out;
    bool csv;
    bool ok;    /* false after running out of memory */
    int col;    /* cells written on this line */
    char *buf;  /* the cell being built */
    size_t len, cap;
} tbl;

/* ---- the cell buffer -------------------------------------------------------- */

static void put(tbl *t, const char *s, size_t n)
{
    if (!t->ok || !n)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->ok = false;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void puts_(tbl *t, const char *s)
{
    if (s)
        put(t, s, strlen(s));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void printf_(tbl *t, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < sizeof small)
        put(t, small, (size_t)n);
}

/* Ends the cell: writes it with the format's quoting. */
static void cell_end(tbl *t)
{
    if (t->col++)
        fputc(t->csv ? ',' : '\t', t->out);
    const char *s = t->len ? t->buf : "";
    if (!t->csv) {
        tsv_put(t->out, s);
    } else if (strpbrk(s, "\",\r\n")) {
        fputc('"', t->out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', t->out);
            fputc(*s, t->out);
        }
        fputc('"', t->out);
    } else {
        fputs(s, t->out);
    }
    t->len = 0;
    if (t->buf)
        t->buf[0] = '\0';
}

static void cell(tbl *t, const char *s)
{
    puts_(t, s);
    cell_end(t);
}

static void line_end(tbl *t)
{
    fputc('\n', t->out);
    t->col = 0;
}

/* ---- values ------------------------------------------------------------------ */

static void put_guid(tbl *t, const uint8_t g[16])
{
    char text[37];
    ew_guid_format(g, text);
    puts_(t, text);
}

static void put_value(tbl *t, bool present, unsigned v)
{
    if (present)
        printf_(t, "%u", v);
}

/* The type as `etwmap events` shows it: "win:" dropped. */
static const char *short_type(const char *type)
{
    if (!type || !*type)
        return "?";
    return strncmp(type, "win:", 4) == 0 ? type + 4 : type;
}

/* Field i and its members (the events TSV rendering); returns the index
 * after them. */
static size_t put_field(tbl *t, const cat_field *f, size_t n, size_t i)
{
    const cat_field *x = &f[i];
    puts_(t, short_type(x->in_type));
    puts_(t, " ");
    puts_(t, x->name ? x->name : "?");
    if (x->count) {
        puts_(t, "[");
        puts_(t, x->count);
        puts_(t, "]");
    }
    size_t next = i + 1;
    if (x->n_members) {
        puts_(t, "{");
        for (uint16_t k = 0; k < x->n_members && next < n; k++) {
            if (k)
                puts_(t, ", ");
            next = put_field(t, f, n, next);
        }
        puts_(t, "}");
    }
    return next;
}

/* A legacy kernel group mask, each name without its PERF_ prefix. */
static void put_group_mask(tbl *t, uint32_t mask)
{
    char names[512];
    size_t n = lk_group_mask_names(mask, names, sizeof names);
    if (n >= sizeof names) { /* cannot happen with ntwmi.h's names */
        printf_(t, "0x%x", (unsigned)mask);
        return;
    }
    char *p = names;
    for (bool first = true;; first = false) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (!first)
            puts_(t, "|");
        puts_(t, lk_short_name(p));
        if (!bar)
            break;
        p = bar + 1;
    }
}

/* ---- one row ------------------------------------------------------------------ */

static void write_row(tbl *t, const engine *e, const st_sites *ss,
                      const mp_map *m, const mp_row *r)
{
    const mp_entry *en = &m->entries[r->entry];
    const st_site *x = &ss->sites[r->site];
    const cat_event *ev = x->event;
    const fn_function *fns = e->fns.functions;
    bool desc = x->has_descriptor;
    bool man = x->kind == CAT_KIND_MANIFEST;
    bool tlg = x->kind == CAT_KIND_TRACELOGGING;
    bool lk = x->kind == CAT_KIND_LEGACY_KERNEL;
    bool wpp = x->kind == CAT_KIND_WPP;

    cell(t, en->name); /* Function */

    /* ProviderGuid */
    if (lk)
        puts_(t, "Windows Kernel Trace");
    else if (wpp) {
        if (x->provider && x->provider->has_guid) {
            puts_(t, "WPP_");
            puts_(t, x->provider->guid_text);
        }
    } else if (x->has_guid)
        put_guid(t, x->guid);
    cell_end(t);

    /* ProviderSymbol */
    if (lk) {
        if (x->has_group_mask)
            put_group_mask(t, x->group_mask);
    } else if (tlg) {
        puts_(t, x->provider ? x->provider->name : NULL);
    } else {
        puts_(t, x->provider_symbol);
    }
    cell_end(t);

    /* ReghandleSymbol */
    if (lk) {
        const lk_trace_group *g = x->has_hook_id ? lk_hook_group(x->hook_id)
                                                 : NULL;
        if (g)
            puts_(t, lk_short_name(g->name));
        else if (x->has_hook_id)
            printf_(t, "0x%04x", (unsigned)(x->hook_id & 0xFF00u));
    } else {
        puts_(t, x->handle_symbol);
    }
    cell_end(t);

    cell(t, x->api_name); /* WriteFunction */

    /* EventDescriptorSymbol */
    if (lk) {
        const char *h = x->has_hook_id ? lk_hook_name(x->hook_id) : NULL;
        if (h)
            puts_(t, lk_short_name(h));
        else if (x->has_hook_id)
            printf_(t, "0x%04x", (unsigned)x->hook_id);
    } else if (tlg) {
        puts_(t, ev ? ev->name : NULL);
    } else if (wpp) {
        if (x->has_message)
            put_guid(t, x->message_guid);
    } else if (x->kind == CAT_KIND_CLASSIC) { /* the event class GUID */
        if (x->has_class_guid)
            put_guid(t, x->class_guid);
    } else {
        puts_(t, x->event_symbol);
    }
    cell_end(t);

    /* Id Version Channel Level Opcode Task Keyword */
    if (tlg) {
        cell(t, "-");
        cell(t, "-");
        put_value(t, ev && ev->channel.present, ev ? ev->channel.value : 0);
        cell_end(t);
        put_value(t, ev && ev->level.present, ev ? ev->level.value : 0);
        cell_end(t);
        put_value(t, ev && ev->opcode.present, ev ? ev->opcode.value : 0);
        cell_end(t);
        cell(t, "-");
        if (ev && ev->has_keyword)
            printf_(t, "0x%" PRIx64, ev->keyword);
        cell_end(t);
    } else if (man) {
        bool str = x->string_write;
        put_value(t, !str && (desc || (ev && ev->has_id)),
                  desc ? x->id : ev ? ev->id : 0);
        cell_end(t);
        put_value(t, !str && (desc || (ev && ev->has_version)),
                  desc ? x->version : ev ? ev->version : 0);
        cell_end(t);
        put_value(t, !str && (desc || (ev && ev->channel.present)),
                  desc ? x->channel : ev ? ev->channel.value : 0);
        cell_end(t);
        put_value(t, desc || x->has_level || (!str && ev && ev->level.present),
                  desc || x->has_level ? x->level : ev ? ev->level.value : 0);
        cell_end(t);
        put_value(t, !str && (desc || (ev && ev->opcode.present)),
                  desc ? x->opcode : ev ? ev->opcode.value : 0);
        cell_end(t);
        put_value(t, !str && (desc || (ev && ev->task.present)),
                  desc ? x->task : ev ? ev->task.value : 0);
        cell_end(t);
        if (desc || x->has_keyword)
            printf_(t, "0x%" PRIx64, x->keyword);
        else if (!str && ev && ev->has_keyword)
            printf_(t, "0x%" PRIx64, ev->keyword);
        cell_end(t);
    } else if (x->kind == CAT_KIND_CLASSIC) {
        /* no id; Version, Level, and the type as Opcode (MOF EventType) */
        cell_end(t);
        put_value(t, x->has_class_version, x->class_version);
        cell_end(t);
        cell_end(t);
        put_value(t, x->has_level, x->level);
        cell_end(t);
        put_value(t, x->has_class, x->class_type);
        cell_end(t);
        cell_end(t);
        cell_end(t);
    } else {
        if (wpp && x->has_message)
            printf_(t, "%u", (unsigned)x->message_number);
        cell_end(t);
        for (int k = 0; k < 6; k++)
            cell_end(t);
    }

    cell(t, fns[x->fn].name); /* ContainingFunction */
    printf_(t, "%u", (unsigned)r->depth);
    cell_end(t);
    printf_(t, "%u", (unsigned)r->export_depth);
    cell_end(t);
    puts_(t, "[");
    for (unsigned i = 0; i < r->depth; i++) {
        if (i)
            puts_(t, "->");
        puts_(t, fns[m->path_fns[r->path + i]].name);
    }
    puts_(t, "]");
    cell_end(t);

    /* etwmap's columns */
    cell(t, ev ? ev->name : NULL); /* EventName */
    if (ev && ev->fields_known)
        for (size_t k = 0; k < ev->n_fields;) {
            if (k)
                puts_(t, ", ");
            k = put_field(t, ev->fields, ev->n_fields, k);
        }
    cell_end(t); /* EventFields */
    cell(t, x->string_write ? "manifest-string" : cat_kind_name(x->kind));
    printf_(t, "0x%" PRIx32, x->site_rva);
    cell_end(t);
    if (en->has_syscall)
        printf_(t, "%" PRIu32, en->syscall);
    cell_end(t);
    cell(t, x->provider_by);
    cell(t, x->event_by);
    bool first = true;
    for (unsigned b = 0; b < ST_R_COUNT; b++)
        if (x->unresolved & (1u << b)) {
            if (!first)
                puts_(t, ";");
            puts_(t, st_reason_name(b));
            first = false;
        }
    cell_end(t);
    cell(t, x->provider ? x->provider->name : NULL); /* ProviderName */
    printf_(t, "0x%" PRIx32, en->rva);
    cell_end(t);
    for (unsigned v = 0; v < x->n_via; v++) {
        if (v)
            puts_(t, ">");
        puts_(t, fns[x->via[v]].name);
    }
    for (unsigned v = 0; v < x->n_ext_via; v++) { /* in a --with module */
        if (v || x->n_via)
            puts_(t, ">");
        if (v == 0 && x->module) {
            puts_(t, x->module);
            puts_(t, "!");
        }
        puts_(t, x->ext_via[v]);
    }
    cell_end(t);
    printf_(t, "%" PRIu32, r->n_paths);
    cell_end(t);
    line_end(t);
}

static int write_table(FILE *out, bool csv, const engine *e,
                       const st_sites *s, const mp_map *m)
{
    tbl t = {out, csv, true, 0, NULL, 0, 0};
    for (int i = 0; i < MAP_TABLE_COLUMNS; i++)
        cell(&t, HEADER[i]);
    line_end(&t);
    for (size_t i = 0; i < m->n_rows && t.ok; i++)
        write_row(&t, e, s, m, &m->rows[i]);
    free(t.buf);
    return t.ok && !ferror(out) ? 0 : -1;
}

int map_csv_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m)
{
    return write_table(out, true, e, s, m);
}

int map_tsv_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m)
{
    return write_table(out, false, e, s, m);
}
