/*
 * sites_tsv.c - the TSV writer of `etwmap sites` (sites_tsv.h).
 */
#include "output/sites_tsv.h"
#include "base/ew_guid.h"
#include "output/events_tsv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void put_guid(FILE *out, bool has, const uint8_t g[16])
{
    if (!has)
        return;
    char t[37];
    ew_guid_format(g, t);
    fputs(t, out);
}

int sites_tsv_write(FILE *out, const engine *e, const st_sites *s)
{
    fputs("site_rva\tfunction\taction\tkind\tapi\tprovider_guid\t"
          "provider_name\tevent_id\tversion\tevent_name\tlevel\tkeyword\t"
          "via\tresolved_by\tunresolved\tevent_guid\n",
          out);
    for (size_t i = 0; i < s->n; i++) {
        const st_site *x = &s->sites[i];
        const cat_event *ev = x->event;
        fprintf(out, "0x%" PRIx32 "\t", x->site_rva);
        tsv_put(out, e->fns.functions[x->fn].name);
        fprintf(out, "\t%s\t%s\t", st_action_name(x->action),
                x->string_write ? "manifest-string" : cat_kind_name(x->kind));
        tsv_put(out, x->api_name);
        fputc('\t', out);
        put_guid(out, x->has_guid, x->guid);
        fputc('\t', out);
        tsv_put(out, x->provider ? x->provider->name : NULL);
        fputc('\t', out);
        if (x->has_descriptor)
            fprintf(out, "%u\t%u", x->id, x->version);
        else if (x->has_hook_id)
            fprintf(out, "0x%04x\t", x->hook_id);
        else if (ev && ev->has_id)
            fprintf(out, "%u\t%u", ev->id, ev->has_version ? ev->version : 0);
        else if (x->has_message)
            fprintf(out, "%u\t", x->message_number);
        else if (x->has_class)
            fprintf(out, x->has_class_version ? "%u\t%u" : "%u\t",
                    x->class_type, x->class_version);
        else
            fputc('\t', out);
        fputc('\t', out);
        tsv_put(out, ev ? ev->name : NULL);
        fputc('\t', out);
        if (x->has_descriptor || x->has_level)
            fprintf(out, "%u", x->level);
        fputc('\t', out);
        if (x->has_descriptor || x->has_keyword)
            fprintf(out, "0x%016" PRIx64, x->keyword);
        else if (x->has_group_mask)
            fprintf(out, "0x%08" PRIx32, x->group_mask);
        fputc('\t', out);
        for (unsigned v = 0; v < x->n_via; v++) {
            if (v)
                fputc('>', out);
            tsv_put(out, e->fns.functions[x->via[v]].name);
        }
        for (unsigned v = 0; v < x->n_ext_via; v++) {
            if (v || x->n_via)
                fputc('>', out);
            if (v == 0 && x->module) {
                tsv_put(out, x->module);
                fputc('!', out);
            }
            tsv_put(out, x->ext_via[v]);
        }
        fputc('\t', out);
        tsv_put(out, x->provider_by ? x->provider_by : "");
        fputc('/', out);
        tsv_put(out, x->event_by ? x->event_by : "");
        fputc('\t', out);
        bool first = true;
        for (unsigned b = 0; b < ST_R_COUNT; b++)
            if (x->unresolved & (1u << b)) {
                fprintf(out, "%s%s", first ? "" : ",", st_reason_name(b));
                first = false;
            }
        fputc('\t', out);
        if (x->has_message)
            put_guid(out, true, x->message_guid);
        else
            put_guid(out, x->has_class_guid, x->class_guid);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int sites_coverage_write(FILE *out, const cat_catalog *cat, const st_sites *s)
{
    size_t n = cat->n_events;
    unsigned char *hit = calloc(n ? n : 1, 1);
    if (!hit)
        return -1;
    for (size_t i = 0; i < s->n; i++) {
        const cat_event *ev = s->sites[i].event;
        if (ev && !s->sites[i].unresolved && ev >= cat->events &&
            ev < cat->events + n)
            hit[ev - cat->events] = 1;
    }
    /* TraceLogging events name no provider in the file: a resolved site
     * pairs them (the first one, in site order) */
    int32_t *owner = malloc((n ? n : 1) * sizeof *owner);
    if (!owner) {
        free(hit);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        owner[i] = cat->events[i].provider;
    for (size_t i = 0; i < s->n; i++) {
        const st_site *x = &s->sites[i];
        const cat_event *ev = x->event;
        if (!ev || x->unresolved || !x->provider || ev < cat->events ||
            ev >= cat->events + n || owner[ev - cat->events] >= 0)
            continue;
        if (x->provider >= cat->providers &&
            x->provider < cat->providers + cat->n_providers)
            owner[ev - cat->events] = (int32_t)(x->provider - cat->providers);
    }
    fputs("row\tprovider_guid\tprovider_name\tevents\twith_site\n", out);
    for (size_t p = 0; p < cat->n_providers; p++) {
        const cat_provider *pr = &cat->providers[p];
        size_t total = 0, with = 0;
        for (size_t i = 0; i < n; i++)
            if (owner[i] == (int32_t)p) {
                total++;
                with += hit[i];
            }
        fprintf(out, "provider\t%s\t", pr->guid_text);
        tsv_put(out, pr->name);
        fprintf(out, "\t%zu\t%zu\n", total, with);
    }
    size_t orphans = 0;
    for (size_t i = 0; i < n; i++)
        orphans += owner[i] < 0 && cat->events[i].kind == CAT_KIND_TRACELOGGING;
    if (orphans) /* no resolved site names their provider */
        fprintf(out, "provider\t\t(tracelogging events without a site)\t%zu\t0\n",
                orphans);
    free(owner);
    for (size_t i = 0; i < n; i++) {
        const cat_event *ev = &cat->events[i];
        if (hit[i] || ev->kind == CAT_KIND_LEGACY_KERNEL)
            continue;
        const cat_provider *pr = cat_event_provider(cat, ev);
        fprintf(out, "missing\t%s\t%s\t", pr ? pr->guid_text : "",
                cat_kind_name(ev->kind));
        if (ev->has_id)
            fprintf(out, "%u/%u ", ev->id, ev->has_version ? ev->version : 0);
        tsv_put(out, ev->name);
        fputc('\n', out);
    }
    for (size_t i = 0; i < s->n; i++) {
        const st_site *x = &s->sites[i];
        if (!(x->unresolved & ST_R(EVENT_NOT_IN_CATALOG)))
            continue;
        char g[37] = "";
        if (x->has_guid)
            ew_guid_format(x->guid, g);
        fprintf(out, "extra\t%s\t0x%" PRIx32 "\t%u/%u\n", g, x->site_rva,
                x->id, x->version);
    }
    free(hit);
    return ferror(out) ? -1 : 0;
}
