/*
 * engine.c - runs the analysis stages in order (see engine.h).
 */
#include "analysis/engine.h"

#include <stdlib.h>
#include <string.h>

const etw_api *eng_call_api(const engine *e, const vs_call *c)
{
    if (c->import) {
        size_t k = (size_t)(c->import - e->img->imports);
        if (e->imp_api && k < e->img->n_imports)
            return e->imp_api[k];
        return c->import->name ? etw_api_find(c->import->name) : NULL;
    }
    return c->target_fn && e->fn_api ? e->fn_api[c->target_fn - 1] : NULL;
}

const char *eng_callee_name(const engine *e, const vs_call *c)
{
    if (c->import)
        return c->import->name;
    return c->target_fn ? e->fns.functions[c->target_fn - 1].name : NULL;
}

long eng_function_index(const engine *e, uint32_t rva)
{
    const fn_function *f = fn_find(&e->fns, rva);
    return f ? (long)(f - e->fns.functions) : -1;
}

/* The summaries' sink test: an ETW API call; its id is the API's index in
 * the etw_api table. */
static int etw_sink(void *ctx, size_t fn, const vs_call *c, uint8_t *mask)
{
    const engine *e = ctx;
    (void)fn;
    const etw_api *api = eng_call_api(e, c);
    if (!api)
        return -1;
    size_t n;
    const etw_api *table = etw_api_table(&n);
    *mask = (uint8_t)(etw_api_arg_mask(api) & ((1u << VS_ARGS) - 1));
    return (int)(api - table);
}

/* What value tracking must keep of calls to each import: the whole
 * EVENT_TRACE_HEADER a classic write points to, and the logger handle a
 * control callback gets (stored to a global, then passed to writes). */
uint8_t *eng_import_keep(const pe_image *img)
{
    uint8_t *k = calloc(img->n_imports ? img->n_imports : 1, 1);
    if (!k)
        return NULL;
    for (size_t i = 0; i < img->n_imports; i++) {
        const etw_api *api = etw_api_find(img->imports[i].name);
        if (api && api->kind == ETW_API_CLASSIC && api->event_arg >= 0)
            k[i] = (uint8_t)VS_KEEP_WIDE(api->event_arg);
        else if (etw_api_returns_logger(api))
            k[i] = VS_KEEP_RETURN;
    }
    return k;
}

ew_status eng_run(engine *e, const pe_image *img, const pdb_file *pdb,
                  ew_diag *d)
{
    memset(e, 0, sizeof *e);
    ew_arena_init(&e->arena, 0);
    e->img = img;
    e->pdb = pdb;
    EW_TRY(fn_discover(&e->fns, img, pdb, d));
    uint8_t *keep = eng_import_keep(img);
    if (!keep)
        return ew_fail(d, EW_E_NOMEM, "engine", -1, "out of memory");
    ew_status st = vs_analyze(&e->vs, &e->fns, img, keep, d);
    free(keep);
    if (st != EW_OK)
        return st;
    EW_TRY(cg_build(&e->cg, &e->fns, &e->vs, d));
    return eng_summarize(e, d);
}

ew_status eng_summarize(engine *e, ew_diag *d)
{
    size_t n = e->fns.n_functions;
    e->fn_api = ew_arena_array(&e->arena, n ? n : 1, sizeof *e->fn_api);
    if (!e->fn_api)
        return ew_fail(d, EW_E_NOMEM, "engine", -1, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const fn_function *f = &e->fns.functions[i];
        e->fn_api[i] = f->thunk ? NULL : etw_api_find(f->name);
    }
    size_t ni = e->img->n_imports;
    e->imp_api = ew_arena_array(&e->arena, ni ? ni : 1, sizeof *e->imp_api);
    if (!e->imp_api)
        return ew_fail(d, EW_E_NOMEM, "engine", -1, "out of memory");
    for (size_t i = 0; i < ni; i++)
        e->imp_api[i] = e->img->imports[i].name
                            ? etw_api_find(e->img->imports[i].name)
                            : NULL;
    return sm_build(&e->sm, &e->fns, &e->vs, &e->cg, etw_sink, e, d);
}

void eng_free(engine *e)
{
    sm_free(&e->sm);
    cg_free(&e->cg);
    vs_free(&e->vs);
    fn_free(&e->fns);
    ew_arena_free(&e->arena);
    memset(e, 0, sizeof *e);
}
