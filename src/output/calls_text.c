/*
 * calls_text.c - `etwmap calls` as text (calls_text.h).
 */
#include "calls_text.h"

#include <string.h>

void calls_site_describe(const fn_set *set, const fn_call *c, calls_site *s)
{
    memset(s, 0, sizeof *s);
    s->callee_rva = c->target_rva;
    if (c->tail)
        s->kind = "tail";
    else if (c->import && c->target_rva)
        s->kind = "thunk-call";
    else
        s->kind = "call";
    if (c->import) {
        s->import_dll = c->import->dll;
        s->callee = c->import->name;
        s->by_ordinal = c->import->name == NULL;
        s->ordinal = c->import->ordinal;
    } else if (c->target_rva) {
        const fn_function *t = fn_find(set, c->target_rva);
        s->callee = t ? t->name : NULL;
    }
    s->api = s->callee ? etw_api_find(s->callee) : NULL;
}

bool calls_has_etw_site(const fn_set *set, const fn_function *f)
{
    for (size_t i = 0; i < f->n_calls; i++) {
        calls_site s;
        calls_site_describe(set, &f->calls[i], &s);
        if (s.api)
            return true;
    }
    return false;
}

static void write_function(FILE *out, const fn_set *set, const fn_function *f)
{
    const char *name = f->name ? f->name : "?";
    fprintf(out, "0x%x %s  function size 0x%x", f->rva, name,
            f->end_rva > f->rva ? f->end_rva - f->rva : 0);
    if (f->sources & FN_SRC_EXPORT)
        fputs(" [exported]", out);
    if (f->thunk && f->thunk_import) {
        const pe_import *im = f->thunk_import;
        if (im->name)
            fprintf(out, " [thunk of %s!%s]", im->dll, im->name);
        else
            fprintf(out, " [thunk of %s!#%u]", im->dll, im->ordinal);
    }
    if (f->status & FN_ST_TRUNCATED)
        fputs(" [truncated]", out);
    if (f->status & FN_ST_BAD_CODE)
        fputs(" [bad-code]", out);
    if (f->status & FN_ST_NO_CODE)
        fputs(" [no-code]", out);
    fputc('\n', out);
    for (size_t i = 0; i < f->n_calls; i++) {
        const fn_call *c = &f->calls[i];
        calls_site s;
        calls_site_describe(set, c, &s);
        fprintf(out, "0x%x %s  %s 0x%x -> ", f->rva, name, s.kind,
                c->site_rva);
        if (s.import_dll) {
            if (s.by_ordinal)
                fprintf(out, "%s!#%u", s.import_dll, s.ordinal);
            else
                fprintf(out, "%s!%s", s.import_dll, s.callee);
        } else if (s.callee) {
            fprintf(out, "%s (0x%x)", s.callee, s.callee_rva);
        } else {
            fprintf(out, "0x%x", s.callee_rva);
        }
        if (s.api)
            fprintf(out, " [%s]", etw_api_kind_name(s.api->kind));
        fputc('\n', out);
    }
}

int calls_text_write(FILE *out, const fn_set *set,
                     const fn_function *const *fns, size_t n)
{
    for (size_t i = 0; i < n; i++)
        write_function(out, set, fns[i]);
    return ferror(out) ? -1 : 0;
}
