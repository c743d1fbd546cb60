/*
 * map_jsonl.c - the JSON Lines writer of `etwmap map` (map_jsonl.h).
 */
#include "output/map_jsonl.h"

#include "output/json.h"
#include "output/sites_jsonl.h"

int map_jsonl_write(FILE *out, const engine *e, const st_sites *s,
                    const mp_map *m)
{
    const fn_function *fns = e->fns.functions;
    json_w w;
    json_init(&w, out);
    for (size_t i = 0; i < m->n_rows; i++) {
        const mp_row *r = &m->rows[i];
        const mp_entry *en = &m->entries[r->entry];
        const st_site *x = &s->sites[r->site];
        json_obj_begin(&w);
        json_kv_str(&w, "entry", en->name);
        json_kv_hex(&w, "entry_rva", en->rva);
        json_key(&w, "syscall");
        if (en->has_syscall)
            json_u64(&w, en->syscall);
        else
            json_null(&w);
        json_kv_u64(&w, "depth", r->depth);
        json_key(&w, "call_path");
        json_arr_begin(&w);
        for (unsigned k = 0; k < r->depth; k++)
            json_str(&w, fns[m->path_fns[r->path + k]].name);
        json_arr_end(&w);
        json_kv_str(&w, "containing_function", fns[x->fn].name);
        sites_jsonl_site(&w, e, x);
        json_kv_str(&w, "entry_kind", mp_entry_kind_name(en->kind));
        json_kv_u64(&w, "export_depth", r->export_depth);
        json_kv_u64(&w, "shortest_paths", r->n_paths);
        json_obj_end(&w);
        json_line_end(&w);
    }
    return w.ok && !ferror(out) ? 0 : -1;
}
