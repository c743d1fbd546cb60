/*
 * calls_jsonl.c - `etwmap calls` as JSON Lines (calls_jsonl.h).
 */
#include "calls_jsonl.h"

#include "calls_text.h"
#include "json.h"

#include <stdio.h>

/* "DLL!NAME" or "DLL!#N" into buf. */
static const char *import_label(const pe_import *im, char *buf, size_t size)
{
    if (im->name)
        snprintf(buf, size, "%s!%s", im->dll, im->name);
    else
        snprintf(buf, size, "%s!#%u", im->dll, im->ordinal);
    return buf;
}

static void write_function(json_w *w, const fn_set *set, const fn_function *f)
{
    char buf[512];
    json_obj_begin(w);
    json_kv_str(w, "function", f->name);
    json_kv_hex(w, "function_rva", f->rva);
    json_kv_u64(w, "size", f->end_rva > f->rva ? f->end_rva - f->rva : 0);
    json_kv_bool(w, "exported", (f->sources & FN_SRC_EXPORT) != 0);
    json_kv_str(w, "thunk",
                f->thunk && f->thunk_import
                    ? import_label(f->thunk_import, buf, sizeof buf)
                    : NULL);
    json_key(w, "status");
    json_arr_begin(w);
    if (f->status & FN_ST_TRUNCATED)
        json_str(w, "truncated");
    if (f->status & FN_ST_BAD_CODE)
        json_str(w, "bad-code");
    if (f->status & FN_ST_NO_CODE)
        json_str(w, "no-code");
    json_arr_end(w);
    json_key(w, "sites");
    json_arr_begin(w);
    for (size_t i = 0; i < f->n_calls; i++) {
        const fn_call *c = &f->calls[i];
        calls_site s;
        calls_site_describe(set, c, &s);
        json_obj_begin(w);
        json_kv_hex(w, "site_rva", c->site_rva);
        json_kv_str(w, "kind", s.kind);
        if (s.by_ordinal) {
            snprintf(buf, sizeof buf, "#%u", s.ordinal);
            json_kv_str(w, "callee", buf);
        } else {
            json_kv_str(w, "callee", s.callee);
        }
        json_key(w, "callee_rva");
        if (s.callee_rva)
            json_hex(w, s.callee_rva);
        else
            json_null(w);
        json_kv_str(w, "import_dll", s.import_dll);
        json_kv_str(w, "etw_api",
                    s.api ? etw_api_kind_name(s.api->kind) : NULL);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
    json_line_end(w);
}

int calls_jsonl_write(FILE *out, const fn_set *set,
                      const fn_function *const *fns, size_t n)
{
    json_w w;
    json_init(&w, out);
    for (size_t i = 0; i < n && w.ok; i++)
        write_function(&w, set, fns[i]);
    return w.ok && !ferror(out) ? 0 : -1;
}
