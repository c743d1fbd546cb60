/*
 * calls_jsonl.c - `etwmap calls` as JSON Lines (calls_jsonl.h).
 */
#include "calls_jsonl.h"

#include "base/ew_limits.h"
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

static void kv_i64(json_w *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_i64(w, v);
}

static void kv_rva_symbol(json_w *w, const calls_ctx *x, int64_t c)
{
    json_kv_hex(w, "rva", (uint64_t)c);
    json_kv_str(w, "symbol", c >= 0 && c <= UINT32_MAX
                                 ? calls_symbol_at(x, (uint32_t)c)
                                 : NULL);
}

static void kv_bytes(json_w *w, const vs_bytes *b, unsigned chunks)
{
    char hex[VS_WIDE_CHUNKS * 32 + 1];
    json_key(w, "bytes");
    if (b && b->known) {
        if (chunks == 0 || chunks > VS_WIDE_CHUNKS)
            chunks = 1;
        for (unsigned k = 0; k < chunks; k++)
            calls_bytes_hex(&b[k], hex + 32 * k);
        json_str(w, hex);
    } else {
        json_null(w);
    }
}

/* The members of an ARG object (calls_jsonl.h) for v; the caller opens
 * and closes it. self names the function listed (env->frame_fn NULL). */
static void arg_members(json_w *w, const calls_ctx *x, const val *v,
                        const calls_val_env *env, const char *self)
{
    const vs_alt *alts = env->alts;
    size_t n_alts = env->n_alts;
    bool bad_alt = v->kind == VAL_ALT && (v->c < 0 || (size_t)v->c >= n_alts);
    json_kv_str(w, "kind", bad_alt ? "unknown" : val_kind_name(v->kind));
    switch (v->kind) {
    case VAL_CONST:
        json_kv_hex(w, "value", (uint64_t)v->c);
        break;
    case VAL_ADDR:
        kv_rva_symbol(w, x, v->c);
        break;
    case VAL_LOAD:
        json_kv_hex(w, "rva", (uint64_t)v->c);
        json_kv_u64(w, "size", v->size);
        json_kv_str(w, "symbol", v->c >= 0 && v->c <= UINT32_MAX
                                     ? calls_symbol_at(x, (uint32_t)v->c)
                                     : NULL);
        break;
    case VAL_STACK:
        kv_i64(w, "offset", v->c);
        json_kv_str(w, "frame_function", env->frame_fn ? env->frame_fn : self);
        kv_bytes(w, env->pointee, env->n_pointee);
        break;
    case VAL_PARAM: {
        bool table = (v->flags & VAL_F_IMAGE_BASE) != 0;
        json_kv_u64(w, "param", v->param);
        json_kv_u64(w, "scale", val_param_scale(v));
        kv_i64(w, "offset", table ? 0 : v->c);
        json_key(w, "rva");
        if (table)
            json_hex(w, (uint64_t)v->c);
        else
            json_null(w);
        json_kv_str(w, "symbol", table && v->c >= 0 && v->c <= UINT32_MAX
                                     ? calls_symbol_at(x, (uint32_t)v->c)
                                     : NULL);
        break;
    }
    case VAL_PARAM_LOAD:
        json_kv_u64(w, "param", v->param);
        kv_i64(w, "offset", v->c);
        json_kv_u64(w, "size", v->size);
        break;
    case VAL_ALT:
        if (bad_alt)
            break;
        json_key(w, "alternatives");
        json_arr_begin(w);
        for (unsigned i = 0; i < alts[v->c].n; i++) {
            const val *a = &alts[v->c].v[i];
            calls_val_env sub = {NULL, 0, NULL, env->frame_fn, 0};
            json_obj_begin(w);
            if (a->kind == VAL_ALT) /* never nested; unknown if it were */
                json_kv_str(w, "kind", "unknown");
            else
                arg_members(w, x, a, &sub, self);
            json_obj_end(w);
        }
        json_arr_end(w);
        break;
    case VAL_RESULT:
        json_kv_hex(w, "call_rva", (uint64_t)v->c);
        json_key(w, "arg"); /* null: what the call returned */
        if (v->param == VS_RESULT_RETURN)
            json_null(w);
        else
            json_u64(w, v->param);
        break;
    case VAL_BYTES: {
        vs_bytes b;
        vs_materialize(&x->e->vs, x->e->img, v, v->size, &b);
        json_kv_u64(w, "size", v->size);
        kv_bytes(w, &b, 1);
        break;
    }
    default:
        break;
    }
}

static void write_site(json_w *w, const calls_ctx *x, const char *self,
                       const vs_call *c)
{
    const vs_set *vs = &x->e->vs;
    char buf[64];
    calls_site s;
    calls_site_describe(x, c, &s);
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
    json_kv_str(w, "etw_api", s.api ? etw_api_kind_name(s.api->kind) : NULL);
    json_key(w, "args");
    json_arr_begin(w);
    for (unsigned a = 0; a < VS_ARGS; a++) {
        calls_val_env env = {vs->alts, vs->n_alts, vs_pointee(vs, c, a),
                             NULL, calls_pointee_chunks(vs, c, a)};
        json_obj_begin(w);
        arg_members(w, x, &c->args[a], &env, self);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}

/* One summary or etw_sites entry of function index fi (status < 0: a
 * summary). */
static void write_effect(json_w *w, const calls_ctx *x, size_t fi,
                         const sm_effect *ef, int status)
{
    const engine *e = x->e;
    const char *self = e->fns.functions[fi].name;
    const char *callee;
    const etw_api *api = calls_effect_api(x, ef, &callee);
    json_obj_begin(w);
    json_kv_hex(w, "site_rva", ef->site_rva);
    json_kv_str(w, "api", api ? api->name : NULL);
    json_kv_str(w, "api_kind", api ? etw_api_kind_name(api->kind) : NULL);
    json_kv_str(w, "callee", callee);
    json_kv_hex(w, "sink_rva", ef->sink_site);
    const fn_function *sf = ef->sink_fn < e->fns.n_functions
                                ? &e->fns.functions[ef->sink_fn]
                                : NULL;
    json_kv_str(w, "sink_function", sf ? sf->name : NULL);
    json_key(w, "sink_function_rva");
    if (sf)
        json_hex(w, sf->rva);
    else
        json_null(w);
    uint32_t via[SM_MAX_DEPTH + 2];
    size_t n = sm_via(&e->sm, ef, via, sizeof via / sizeof via[0]);
    json_key(w, "via");
    json_arr_begin(w);
    for (size_t i = 0; i < n && i < sizeof via / sizeof via[0]; i++)
        json_str(w, via[i] < e->fns.n_functions
                        ? e->fns.functions[via[i]].name
                        : NULL);
    json_arr_end(w);
    if (status >= 0)
        json_kv_str(w, "status", calls_status_name((unsigned)status));
    json_key(w, "args");
    json_arr_begin(w);
    for (unsigned a = 0; a < VS_ARGS; a++) {
        if (!(ef->mask & (1u << a))) {
            json_null(w);
            continue;
        }
        size_t owner = calls_frame_owner(x, fi, ef, a);
        calls_val_env env = {e->sm.alts, e->sm.n_alts, &ef->args[a].bytes,
                             e->fns.functions[owner].name, 1};
        json_obj_begin(w);
        json_kv_str(w, "role", calls_arg_role(api, a));
        arg_members(w, x, &ef->args[a].v, &env, self);
        json_obj_end(w);
    }
    json_arr_end(w);
    json_obj_end(w);
}

static void write_function(json_w *w, const calls_ctx *x, size_t fi)
{
    const engine *e = x->e;
    const fn_function *f = &e->fns.functions[fi];
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
    json_key(w, "value_status");
    json_arr_begin(w);
    uint8_t vst = e->vs.functions[fi].status;
    if (vst & VS_ST_PASSES)
        json_str(w, "passes");
    if (vst & VS_ST_SLOTS)
        json_str(w, "slots");
    if (vst & VS_ST_POOL)
        json_str(w, "pool");
    if (vst & VS_ST_DECODE)
        json_str(w, "decode");
    json_arr_end(w);

    size_t n;
    json_key(w, "sites");
    json_arr_begin(w);
    const vs_call *c = vs_calls_of(&e->vs, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_site(w, x, f->name, &c[i]);
    json_arr_end(w);
    json_key(w, "summary");
    json_arr_begin(w);
    const sm_effect *ef = sm_effects_of(&e->sm, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_effect(w, x, fi, &ef[i], -1);
    json_arr_end(w);
    json_key(w, "etw_sites");
    json_arr_begin(w);
    const sm_instance *in = calls_instances_of(x, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_effect(w, x, fi, &in[i].e, in[i].e.status);
    json_arr_end(w);
    json_obj_end(w);
    json_line_end(w);
}

int calls_jsonl_write(FILE *out, const calls_ctx *x, const uint32_t *fns,
                      size_t n)
{
    json_w w;
    json_init(&w, out);
    for (size_t i = 0; i < n && w.ok; i++)
        write_function(&w, x, fns[i]);
    return w.ok && !ferror(out) ? 0 : -1;
}
