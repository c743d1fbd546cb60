/*
 * events_tsv.c - the TSV writer of `etwmap events` (events_tsv.h).
 */
#include "events_tsv.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

/* s with TSV escapes (events_tsv.h). */
void tsv_put(FILE *out, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        switch (ch) {
        case '\t': fputs("\\t", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\\': fputs("\\\\", out); break;
        default:
            if (ch < 0x20 || ch == 0x7F)
                fprintf(out, "\\x%02x", ch);
            else
                fputc(ch, out);
        }
    }
}

static void put_value(FILE *out, const cat_value *v)
{
    if (v->name)
        tsv_put(out, v->name);
    else if (v->present)
        fprintf(out, "%" PRIu32, v->value);
}

/* The type as the event column shows it: "win:" dropped. */
static const char *short_type(const char *t)
{
    if (!t || !*t)
        return "?";
    return strncmp(t, "win:", 4) == 0 ? t + 4 : t;
}

/* Field i and its members; returns the index after them. */
static size_t put_field(FILE *out, const cat_field *f, size_t n, size_t i)
{
    const cat_field *x = &f[i];
    tsv_put(out, short_type(x->in_type));
    fputc(' ', out);
    tsv_put(out, x->name ? x->name : "?");
    if (x->count) {
        fputc('[', out);
        tsv_put(out, x->count);
        fputc(']', out);
    }
    size_t next = i + 1;
    if (x->n_members) {
        fputc('{', out);
        for (uint16_t m = 0; m < x->n_members && next < n; m++) {
            if (m)
                fputs(", ", out);
            next = put_field(out, f, n, next);
        }
        fputc('}', out);
    }
    return next;
}

int events_tsv_header(FILE *out)
{
    fputs(EVENTS_TSV_HEADER "\n", out);
    return ferror(out) ? -1 : 0;
}

/* A provider no event is attributed to (TraceLogging providers, whose
 * events name none; manifests without events): one line, event columns
 * empty, so every provider the file describes can be found. */
static void put_provider(FILE *out, const cat_provider *p, const char *file)
{
    fputs(p->guid_text, out);
    fputc('\t', out);
    tsv_put(out, p->name);
    fprintf(out, "\t%s\t\t\t\t\t\t\t\t\t\t", cat_kind_name(p->kind));
    tsv_put(out, file);
    fputc('\n', out);
}

static void put_event(FILE *out, const cat_catalog *c, const cat_event *e,
                      const char *file)
{
    const cat_provider *p = cat_event_provider(c, e);
    if (p && p->has_guid)
        fputs(p->guid_text, out);
    fputc('\t', out);
    if (p)
        tsv_put(out, p->name);
    fputc('\t', out);
    fputs(cat_kind_name(e->kind), out);
    fputc('\t', out);
    if (e->has_id)
        fprintf(out, "%u", e->id);
    fputc('\t', out);
    if (e->has_version)
        fprintf(out, "%u", e->version);
    fputc('\t', out);
    tsv_put(out, e->name);
    if (e->fields_known) {
        fputc('(', out);
        for (size_t k = 0; k < e->n_fields;) {
            if (k)
                fputs(", ", out);
            k = put_field(out, e->fields, e->n_fields, k);
        }
        fputc(')', out);
    }
    fputc('\t', out);
    put_value(out, &e->opcode);
    fputc('\t', out);
    for (size_t k = 0; k < e->n_keyword_names; k++) {
        if (k)
            fputc('|', out);
        tsv_put(out, e->keyword_names[k]);
    }
    fputc('\t', out);
    put_value(out, &e->task);
    fputc('\t', out);
    put_value(out, &e->level);
    fputc('\t', out);
    put_value(out, &e->channel);
    fputc('\t', out);
    tsv_put(out, e->message);
    fputc('\t', out);
    tsv_put(out, file);
    fputc('\n', out);
}

int events_tsv_write(FILE *out, const cat_catalog *c, const char *file,
                     unsigned kinds)
{
    /* providers and events are both sorted by kind first: per kind, the
     * providers without events, then the events */
    size_t pi = 0, ei = 0;
    for (unsigned k = 0; k < CAT_KIND_COUNT; k++) {
        bool on = (kinds & CAT_KIND_BIT(k)) != 0;
        for (; pi < c->n_providers && c->providers[pi].kind == k; pi++)
            if (on && c->providers[pi].n_events == 0)
                put_provider(out, &c->providers[pi], file);
        for (; ei < c->n_events && c->events[ei].kind == k; ei++)
            if (on)
                put_event(out, c, &c->events[ei], file);
    }
    return ferror(out) ? -1 : 0;
}
