/*
 * map_dot.c - the Graphviz writer of `etwmap map` (map_dot.h).
 */
#include "output/map_dot.h"

#include "base/ew_guid.h"
#include "catalog/legacy_kernel.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 512

/* An event node: its label and the sites that write it. */
typedef struct ev_node {
    char *label;
    uint32_t site;
} ev_node;

/* A containing function writing an event node through an API. */
typedef struct write_edge {
    uint32_t fn, ev;
    const char *api;
} write_edge;

static int cmp_write(const void *a, const void *b)
{
    const write_edge *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    if (x->ev != y->ev)
        return x->ev < y->ev ? -1 : 1;
    return strcmp(x->api, y->api);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_ev(const void *a, const void *b)
{
    const ev_node *x = a, *y = b;
    int r = strcmp(x->label, y->label);
    return r ? r : (x->site > y->site) - (x->site < y->site);
}

/* s between double quotes, escaped for DOT; newlines become \n. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else if ((unsigned char)*s >= 0x20)
            fputc(*s, out);
    }
    fputc('"', out);
}

/* The label of the event site x writes: kind, provider, event. */
static void event_label(const st_site *x, char *buf, size_t size)
{
    const cat_event *ev = x->event;
    const char *kind = x->string_write ? "manifest-string"
                                       : cat_kind_name(x->kind);
    char prov[128] = "", evt[256] = "";
    if (x->kind == CAT_KIND_LEGACY_KERNEL)
        snprintf(prov, sizeof prov, "Windows Kernel Trace");
    else if (x->provider && x->provider->name)
        snprintf(prov, sizeof prov, "%s", x->provider->name);
    else if (x->has_guid)
        ew_guid_format(x->guid, prov);
    if (x->kind == CAT_KIND_LEGACY_KERNEL && x->has_hook_id) {
        const char *h = lk_hook_name(x->hook_id);
        if (h)
            snprintf(evt, sizeof evt, "%s", lk_short_name(h));
        else
            snprintf(evt, sizeof evt, "hook 0x%04x", (unsigned)x->hook_id);
    } else if (ev && ev->name && ev->name[0]) {
        if (x->has_descriptor)
            snprintf(evt, sizeof evt, "%s (id %u v%u)", ev->name,
                     (unsigned)x->id, (unsigned)x->version);
        else
            snprintf(evt, sizeof evt, "%s", ev->name);
    } else if (x->has_descriptor) {
        snprintf(evt, sizeof evt, "id %u v%u", (unsigned)x->id,
                 (unsigned)x->version);
    } else if (x->has_message) {
        char g[37];
        ew_guid_format(x->message_guid, g);
        snprintf(evt, sizeof evt, "%s #%u", g, (unsigned)x->message_number);
    } else if (x->has_class_guid) {
        char g[37];
        ew_guid_format(x->class_guid, g);
        snprintf(evt, sizeof evt, "%s type %u", g, (unsigned)x->class_type);
    }
    if (!prov[0] || !evt[0] || x->unresolved) /* keep unresolved sites apart */
        snprintf(buf, size, "%s\n%s\n%s\n(unresolved, site 0x%" PRIx32 ")",
                 kind, prov[0] ? prov : "?", evt[0] ? evt : "?",
                 x->site_rva);
    else
        snprintf(buf, size, "%s\n%s\n%s", kind, prov, evt);
}

int map_dot_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m)
{
    size_t n = e->fns.n_functions;
    const fn_function *fns = e->fns.functions;
    uint8_t *role = calloc(n ? n : 1, 1); /* 1 on a path, 2 entry */
    size_t cap = m->n_path_fns + m->n_rows + 1;
    uint64_t *calls = malloc(cap * sizeof *calls);
    write_edge *writes = malloc((m->n_rows + 1) * sizeof *writes);
    ev_node *evs = calloc(m->n_rows + 1, sizeof *evs);
    uint32_t *ev_of_site = malloc((s->n + 1) * sizeof *ev_of_site);
    size_t n_calls = 0, n_writes = 0, n_evs = 0;
    int rc = -1;
    if (!role || !calls || !writes || !evs || !ev_of_site)
        goto out;
    for (size_t i = 0; i < s->n; i++)
        ev_of_site[i] = UINT32_MAX;
    for (size_t i = 0; i < m->n_rows; i++) {
        const mp_row *r = &m->rows[i];
        const uint32_t *p = m->path_fns + r->path;
        role[m->entries[r->entry].fn] |= 2;
        for (unsigned k = 0; k < r->depth; k++) {
            role[p[k]] |= 1;
            if (k)
                calls[n_calls++] = (uint64_t)p[k - 1] << 32 | p[k];
        }
        if (ev_of_site[r->site] == UINT32_MAX) {
            char buf[LABEL_MAX];
            event_label(&s->sites[r->site], buf, sizeof buf);
            evs[n_evs].label = strdup(buf);
            evs[n_evs].site = r->site;
            if (!evs[n_evs].label)
                goto out;
            ev_of_site[r->site] = (uint32_t)n_evs++;
        }
    }
    /* one node per distinct label: number them in label order */
    qsort(evs, n_evs, sizeof *evs, cmp_ev);
    size_t n_ids = 0;
    for (size_t i = 0; i < n_evs; i++) {
        if (i && strcmp(evs[i].label, evs[i - 1].label) == 0) {
            ev_of_site[evs[i].site] = (uint32_t)(n_ids - 1);
            continue;
        }
        ev_of_site[evs[i].site] = (uint32_t)n_ids++;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        const st_site *x = &s->sites[m->rows[i].site];
        writes[n_writes++] = (write_edge){x->fn, ev_of_site[m->rows[i].site],
                                          x->api_name ? x->api_name : ""};
    }
    qsort(calls, n_calls, sizeof *calls, cmp_u64);
    qsort(writes, n_writes, sizeof *writes, cmp_write);

    fputs("digraph etwmap {\n"
          "  rankdir=LR;\n"
          "  node [shape=ellipse, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=9];\n",
          out);
    for (size_t f = 0; f < n; f++) {
        if (!role[f])
            continue;
        fprintf(out, "  f%" PRIx32 " [label=", fns[f].rva);
        put_quoted(out, fns[f].name);
        fputs(role[f] & 2 ? ", shape=box, style=bold];\n" : "];\n", out);
    }
    for (size_t i = 0, id = 0; i < n_evs; i++) {
        if (i && strcmp(evs[i].label, evs[i - 1].label) == 0)
            continue;
        fprintf(out, "  e%zu [label=", id++);
        put_quoted(out, evs[i].label);
        fputs(", shape=note];\n", out);
    }
    for (size_t i = 0; i < n_calls; i++) {
        if (i && calls[i] == calls[i - 1])
            continue;
        fprintf(out, "  f%" PRIx32 " -> f%" PRIx32 ";\n",
                fns[calls[i] >> 32].rva, fns[(uint32_t)calls[i]].rva);
    }
    /* containing function -> event, once per (function, event, API) */
    for (size_t i = 0; i < n_writes; i++) {
        const write_edge *w = &writes[i];
        if (i && cmp_write(w, &writes[i - 1]) == 0)
            continue;
        fprintf(out, "  f%" PRIx32 " -> e%" PRIu32 " [label=",
                fns[w->fn].rva, w->ev);
        put_quoted(out, w->api);
        fputs(", style=dashed];\n", out);
    }
    fputs("}\n", out);
    rc = ferror(out) ? -1 : 0;
out:
    for (size_t i = 0; evs && i < n_evs; i++)
        free(evs[i].label);
    free(role);
    free(calls);
    free(writes);
    free(evs);
    free(ev_of_site);
    return rc;
}
