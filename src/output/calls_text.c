/*
 * calls_text.c - `etwmap calls` as text (calls_text.h), and the facts both
 * writers share: site descriptions, names of addresses, argument roles.
 */
#include "calls_text.h"

#include "base/ew_limits.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared facts ------------------------------------------------------- */

static int cmp_export_rva(const void *a, const void *b)
{
    const pe_export *x = *(const pe_export *const *)a;
    const pe_export *y = *(const pe_export *const *)b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    /* named before ordinal-only, then by ordinal: a total order */
    if ((x->name == NULL) != (y->name == NULL))
        return x->name ? -1 : 1;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

int calls_ctx_init(calls_ctx *x, const engine *e)
{
    memset(x, 0, sizeof *x);
    x->e = e;
    const pe_image *img = e->img;
    size_t n = 0;
    for (size_t i = 0; i < img->n_exports; i++)
        n += img->exports[i].rva != 0 && img->exports[i].name != NULL;
    x->exports_by_rva = malloc((n ? n : 1) * sizeof *x->exports_by_rva);
    if (!x->exports_by_rva)
        return -1;
    for (size_t i = 0; i < img->n_exports; i++)
        if (img->exports[i].rva != 0 && img->exports[i].name != NULL)
            x->exports_by_rva[x->n_exports++] = &img->exports[i];
    qsort(x->exports_by_rva, x->n_exports, sizeof *x->exports_by_rva,
          cmp_export_rva);
    return 0;
}

void calls_ctx_free(calls_ctx *x)
{
    free(x->exports_by_rva);
    memset(x, 0, sizeof *x);
}

void calls_site_describe(const calls_ctx *x, const vs_call *c, calls_site *s)
{
    const engine *e = x->e;
    memset(s, 0, sizeof *s);
    switch (c->kind) {
    case VS_CALL_RESOLVED:
    case VS_CALL_INDIRECT:
        s->kind = c->tail ? "indirect-jump" : "indirect-call";
        break;
    default:
        s->kind = c->tail                     ? "tail"
                  : c->import && c->target_rva ? "thunk-call"
                                               : "call";
        break;
    }
    s->callee_rva = c->target_rva;
    if (c->import) {
        s->import_dll = c->import->dll;
        s->by_ordinal = c->import->name == NULL;
        s->ordinal = c->import->ordinal;
    }
    s->callee = eng_callee_name(e, c);
    s->api = eng_call_api(e, c);
}

const sm_instance *calls_instances_of(const calls_ctx *x, size_t fi,
                                      size_t *n)
{
    const sm_set *sm = &x->e->sm;
    *n = 0;
    if (!sm->n_instances) /* instances may be NULL */
        return NULL;
    size_t lo = 0, hi = sm->n_instances;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sm->instances[mid].fn < fi)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < sm->n_instances && sm->instances[end].fn == fi)
        end++;
    *n = end - lo;
    return sm->instances + lo;
}

bool calls_is_etw_function(const calls_ctx *x, size_t fi)
{
    const engine *e = x->e;
    size_t n;
    const vs_call *c = vs_calls_of(&e->vs, fi, &n);
    for (size_t i = 0; i < n; i++)
        if (eng_call_api(e, &c[i]))
            return true;
    sm_effects_of(&e->sm, fi, &n);
    if (n)
        return true;
    calls_instances_of(x, fi, &n);
    return n != 0;
}

const char *calls_symbol_at(const calls_ctx *x, uint32_t rva)
{
    const engine *e = x->e;
    if (e->pdb) {
        const char *s = pdb_symbol_at(e->pdb, rva);
        if (s)
            return s;
    }
    size_t lo = 0, hi = x->n_exports;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->exports_by_rva[mid]->rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->n_exports && x->exports_by_rva[lo]->rva == rva)
        return x->exports_by_rva[lo]->name;
    const fn_function *f = fn_find(&e->fns, rva);
    return f ? f->name : NULL;
}

void calls_bytes_hex(const vs_bytes *b, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 16; i++) {
        bool known = (b->known >> i) & 1u;
        out[2 * i] = known ? hex[b->b[i] >> 4] : '.';
        out[2 * i + 1] = known ? hex[b->b[i] & 15] : '.';
    }
    out[32] = 0;
}

unsigned calls_pointee_chunks(const vs_set *vs, const vs_call *c, unsigned a)
{
    return vs_pointee_wide(vs, c, a) ? VS_WIDE_CHUNKS : 1;
}

const char *calls_arg_role(const etw_api *api, unsigned arg)
{
    if (!api)
        return NULL;
    int a = (int)arg;
    switch (api->kind) {
    case ETW_API_REGISTER: {
        if (a == api->provider_arg)
            return "guid";
        int h = etw_api_handle_out_arg(api);
        if (a == h)
            return "handle-out";
        if (a == etw_api_callback_arg(api))
            return "callback";
        /* (Guid, Type, Callback, Context, Handle*) when the handle is
         * argument 4 */
        return h == 4 ? (a == 1 ? "type" : a == 3 ? "context" : NULL) : NULL;
    }
    case ETW_API_UNREGISTER:
    case ETW_API_SUPPORT:
        if (etw_api_returns_logger(api)) /* GetTraceLoggerHandle(Buffer) */
            return a == 0 ? "wnode" : NULL;
        return a == api->provider_arg ? "handle"
               : a == api->event_arg  ? "descriptor"
                                      : NULL;
    case ETW_API_WRITE:
        return a == api->provider_arg ? "handle"
               : a == api->event_arg  ? "descriptor"
                                      : NULL;
    case ETW_API_WRITE_STRING: /* (RegHandle, Level, Keyword, ...) */
        return a == 0 ? "handle" : a == 1 ? "level" : a == 2 ? "keyword"
                                                             : NULL;
    case ETW_API_WRITE_NOREG:
        return a == api->provider_arg ? "guid"
               : a == api->event_arg  ? "descriptor"
                                      : NULL;
    case ETW_API_WPP: /* (Logger, Flags, MessageGuid*, MessageNumber) */
        return a == 0 ? "logger" : a == 1 ? "flags"
               : a == 2 ? "message-guid" : a == 3 ? "message-number"
                                                  : NULL;
    case ETW_API_CLASSIC: /* TraceEvent(Logger, EVENT_TRACE_HEADER*);
                           * IoWMIWriteEvent(header): logger at +8 */
        return a == api->provider_arg ? "logger"
               : a == api->event_arg  ? "header"
                                      : NULL;
    case ETW_API_TRACELOGGING: /* (provider object, event metadata) */
        return a == 0 ? "provider" : a == 1 ? "event" : NULL;
    case ETW_API_KERNEL: /* (data, count, group mask, hook id, flags) */
        return a == 1 ? "count" : a == 2 ? "group-mask"
               : a == 3 ? "hook-id" : NULL;
    default:
        return NULL;
    }
}

const etw_api *calls_effect_api(const calls_ctx *x, const sm_effect *f,
                                const char **callee)
{
    const engine *e = x->e;
    size_t n;
    const etw_api *table = etw_api_table(&n);
    const etw_api *api =
        f->sink >= 0 && (size_t)f->sink < n ? &table[f->sink] : NULL;
    const char *name = NULL;
    if (f->sink_fn < e->fns.n_functions) {
        const vs_call *c = vs_call_at(&e->vs, f->sink_fn, f->sink_site);
        if (c)
            name = eng_callee_name(e, c);
    }
    *callee = name ? name : api ? api->name : "?";
    return api;
}

const char *calls_status_name(unsigned status)
{
    switch (status) {
    case SM_FINAL: return "final";
    case SM_NO_CALLER: return "no-caller";
    case SM_BUDGET: return "budget";
    default: return "?";
    }
}

/* ---- values ------------------------------------------------------------- */

static void write_signed(FILE *out, int64_t c, bool always)
{
    if (c < 0)
        fprintf(out, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)c);
    else if (c > 0 || always)
        fprintf(out, "+0x%" PRIx64, (uint64_t)c);
}

static void write_rva_name(FILE *out, const calls_ctx *x, int64_t c)
{
    fprintf(out, "0x%" PRIx64, (uint64_t)c);
    const char *s =
        c >= 0 && c <= UINT32_MAX ? calls_symbol_at(x, (uint32_t)c) : NULL;
    if (s)
        fprintf(out, "(%s)", s);
}

static void write_size(FILE *out, unsigned size)
{
    if (size != 8)
        fprintf(out, ":%u", size);
}

size_t calls_frame_owner(const calls_ctx *x, size_t fi, const sm_effect *f,
                         unsigned a)
{
    const sm_set *sm = &x->e->sm;
    /* down the wrappers while the callee's effect had the same value, not
     * a parameter this level substituted (bounded like sm_via) */
    for (unsigned guard = 0; guard < 256 && f->parent_fn != UINT32_MAX &&
                             f->parent_fn < x->e->fns.n_functions;
         guard++) {
        size_t n;
        const sm_effect *pe = sm_effects_of(sm, f->parent_fn, &n);
        if (f->parent >= n || sm_val_is_param(sm, &pe[f->parent].args[a].v))
            break;
        fi = f->parent_fn;
        f = &pe[f->parent];
    }
    return fi;
}

void calls_write_value(FILE *out, const calls_ctx *x, const val *v,
                       const calls_val_env *env)
{
    const vs_alt *alts = env->alts;
    size_t n_alts = env->n_alts;
    const vs_bytes *pointee = env->pointee;
    char hex[33];
    switch (v->kind) {
    case VAL_CONST:
        fprintf(out, "0x%" PRIx64, (uint64_t)v->c);
        break;
    case VAL_ADDR:
        fputc('&', out);
        write_rva_name(out, x, v->c);
        break;
    case VAL_LOAD:
        fputc('[', out);
        write_rva_name(out, x, v->c);
        fputc(']', out);
        write_size(out, v->size);
        break;
    case VAL_STACK:
        fputs("frame", out);
        if (env->frame_fn)
            fprintf(out, "(%s)", env->frame_fn);
        write_signed(out, v->c, true);
        if (pointee && pointee->known) {
            fputs("->", out);
            for (unsigned k = 0; k < (env->n_pointee ? env->n_pointee : 1); k++) {
                calls_bytes_hex(&pointee[k], hex);
                fputs(hex, out);
            }
        }
        break;
    case VAL_PARAM:
        fprintf(out, "param%u", v->param);
        if (val_param_scale(v) != 1)
            fprintf(out, "*0x%x", val_param_scale(v));
        if (v->flags & VAL_F_IMAGE_BASE) { /* &table[param] */
            fputs("+&", out);
            write_rva_name(out, x, v->c);
        } else {
            write_signed(out, v->c, false);
        }
        break;
    case VAL_PARAM_LOAD:
        fprintf(out, "[param%u", v->param);
        write_signed(out, v->c, false);
        fputc(']', out);
        write_size(out, v->size);
        break;
    case VAL_ALT:
        if (v->c < 0 || (size_t)v->c >= n_alts) {
            fputc('?', out);
            break;
        }
        fputc('{', out);
        for (unsigned i = 0; i < alts[v->c].n; i++) {
            if (i)
                fputc('|', out);
            /* alternatives are never alternatives themselves */
            const val *a = &alts[v->c].v[i];
            calls_val_env sub = {NULL, 0, NULL, env->frame_fn, 0};
            if (a->kind == VAL_ALT)
                fputc('?', out);
            else
                calls_write_value(out, x, a, &sub);
        }
        fputc('}', out);
        break;
    case VAL_RESULT:
        if (v->param == VS_RESULT_RETURN)
            fprintf(out, "result(0x%" PRIx64 ")", (uint64_t)v->c);
        else
            fprintf(out, "result(0x%" PRIx64 ".arg%u)", (uint64_t)v->c,
                    v->param);
        break;
    case VAL_BYTES: {
        vs_bytes b;
        vs_materialize(&x->e->vs, x->e->img, v, v->size, &b);
        calls_bytes_hex(&b, hex);
        fprintf(out, "bytes:%s", hex);
        break;
    }
    default:
        fputc('?', out);
        break;
    }
}

/* ---- text --------------------------------------------------------------- */

static void write_prefix(FILE *out, const fn_function *f)
{
    fprintf(out, "0x%x %s  ", f->rva, f->name ? f->name : "?");
}

static void write_header(FILE *out, const calls_ctx *x, size_t fi)
{
    const fn_function *f = &x->e->fns.functions[fi];
    write_prefix(out, f);
    fprintf(out, "function size 0x%x",
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
    uint8_t vst = x->e->vs.functions[fi].status;
    if (vst & VS_ST_PASSES)
        fputs(" [values-passes]", out);
    if (vst & VS_ST_SLOTS)
        fputs(" [values-slots]", out);
    if (vst & VS_ST_POOL)
        fputs(" [values-pool]", out);
    if (vst & VS_ST_DECODE)
        fputs(" [values-decode]", out);
    fputc('\n', out);
}

static void write_site(FILE *out, const calls_ctx *x, const fn_function *f,
                       const vs_call *c)
{
    const vs_set *vs = &x->e->vs;
    calls_site s;
    calls_site_describe(x, c, &s);
    write_prefix(out, f);
    fprintf(out, "%s 0x%x -> ", s.kind, c->site_rva);
    if (s.import_dll) {
        if (s.by_ordinal)
            fprintf(out, "%s!#%u", s.import_dll, s.ordinal);
        else
            fprintf(out, "%s!%s", s.import_dll, s.callee);
    } else if (s.callee) {
        fprintf(out, "%s (0x%x)", s.callee, s.callee_rva);
    } else if (s.callee_rva) {
        fprintf(out, "0x%x", s.callee_rva);
    } else {
        fputc('?', out);
    }
    if (s.api)
        fprintf(out, " [%s]", etw_api_kind_name(s.api->kind));
    int last = -1;
    for (int a = 0; a < VS_ARGS; a++)
        if (c->args[a].kind != VAL_UNKNOWN)
            last = a;
    for (int a = 0; a <= last; a++) {
        fprintf(out, a ? " arg%d=" : "  arg%d=", a);
        calls_val_env env = {vs->alts, vs->n_alts,
                             vs_pointee(vs, c, (unsigned)a), NULL,
                             calls_pointee_chunks(vs, c, (unsigned)a)};
        calls_write_value(out, x, &c->args[a], &env);
    }
    fputc('\n', out);
}

/* "summary" or "etw-site" line of effect ef of function index fi (status
 * < 0: a summary). */
static void write_effect(FILE *out, const calls_ctx *x, size_t fi,
                         const char *what, const sm_effect *ef, int status)
{
    const engine *e = x->e;
    const fn_function *f = &e->fns.functions[fi];
    const char *callee;
    const etw_api *api = calls_effect_api(x, ef, &callee);
    write_prefix(out, f);
    fprintf(out, "%s 0x%x -> ", what, ef->site_rva);
    uint32_t via[SM_MAX_DEPTH + 2];
    size_t n = sm_via(&e->sm, ef, via, sizeof via / sizeof via[0]);
    for (size_t i = 0; i < n && i < sizeof via / sizeof via[0]; i++) {
        const fn_function *w = via[i] < e->fns.n_functions
                                   ? &e->fns.functions[via[i]]
                                   : NULL;
        fprintf(out, "%s -> ", w && w->name ? w->name : "?");
    }
    if (n > sizeof via / sizeof via[0])
        fputs("... -> ", out);
    fprintf(out, "%s@0x%x", callee, ef->sink_site);
    if (api)
        fprintf(out, " [%s]", etw_api_kind_name(api->kind));
    if (status >= 0)
        fprintf(out, " %s", calls_status_name((unsigned)status));
    bool first = true;
    for (unsigned a = 0; a < VS_ARGS; a++) {
        if (!(ef->mask & (1u << a)))
            continue;
        const char *role = calls_arg_role(api, a);
        fprintf(out, "%sarg%u%s%s=", first ? "  " : " ", a, role ? ":" : "",
                role ? role : "");
        first = false;
        size_t owner = calls_frame_owner(x, fi, ef, a);
        calls_val_env env = {e->sm.alts, e->sm.n_alts, &ef->args[a].bytes,
                             owner != fi ? e->fns.functions[owner].name
                                         : NULL,
                             1};
        calls_write_value(out, x, &ef->args[a].v, &env);
    }
    fputc('\n', out);
}

static void write_function(FILE *out, const calls_ctx *x, size_t fi)
{
    const engine *e = x->e;
    const fn_function *f = &e->fns.functions[fi];
    write_header(out, x, fi);
    size_t n;
    const vs_call *c = vs_calls_of(&e->vs, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_site(out, x, f, &c[i]);
    const sm_effect *ef = sm_effects_of(&e->sm, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_effect(out, x, fi, "summary", &ef[i], -1);
    const sm_instance *in = calls_instances_of(x, fi, &n);
    for (size_t i = 0; i < n; i++)
        write_effect(out, x, fi, "etw-site", &in[i].e, in[i].e.status);
}

int calls_text_write(FILE *out, const calls_ctx *x, const uint32_t *fns,
                     size_t n)
{
    for (size_t i = 0; i < n; i++)
        write_function(out, x, fns[i]);
    return ferror(out) ? -1 : 0;
}
