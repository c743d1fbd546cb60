/*
 * summary.c - effects bottom-up over the SCCs (see summary.h).
 *
 * Per SCC: rounds over its functions' calls until no function gains an
 * effect (one round when the SCC has no cycle; at most SM_MAX_ROUNDS), then
 * one more round that turns settled values into instances. Effects are
 * deduplicated per function by (sink call, argument values), capped at
 * SM_MAX_EFFECTS, and cut at SM_MAX_DEPTH wrappers (ew_limits.h).
 */
#include "analysis/summary.h"
#include "base/ew_limits.h"

#include <stdlib.h>
#include <string.h>

typedef struct sctx {
    sm_set *sm;
    const fn_set *fns;
    const vs_set *vs;
    const cg_graph *g;
    sm_sink_fn sink;
    void *ctx;
    ew_vec insts, alts;
} sctx;

static val unknown(void)
{
    return val_make(VAL_UNKNOWN, 0);
}

bool sm_val_is_param(const sm_set *sm, const val *v)
{
    if (v->kind == VAL_PARAM || v->kind == VAL_PARAM_LOAD)
        return true;
    if (v->kind == VAL_ALT && v->c >= 0 && (size_t)v->c < sm->n_alts) {
        const vs_alt *a = &sm->alts[v->c];
        for (unsigned i = 0; i < a->n; i++)
            if (a->v[i].kind == VAL_PARAM || a->v[i].kind == VAL_PARAM_LOAD)
                return true;
    }
    return false;
}

static const vs_alt *alt_of(const sctx *x, const val *v)
{
    return v->c >= 0 && (size_t)v->c < x->alts.n
               ? EW_VEC_AT(&x->alts, vs_alt, v->c)
               : NULL;
}

static bool effect_is_param(const sctx *x, const sm_effect *e)
{
    for (unsigned a = 0; a < VS_ARGS; a++) {
        if (!(e->mask & (1u << a)))
            continue;
        const val *v = &e->args[a].v;
        if (v->kind == VAL_PARAM || v->kind == VAL_PARAM_LOAD)
            return true;
        if (v->kind == VAL_ALT) {
            const vs_alt *s = alt_of(x, v);
            for (unsigned i = 0; s && i < s->n; i++)
                if (s->v[i].kind == VAL_PARAM ||
                    s->v[i].kind == VAL_PARAM_LOAD)
                    return true;
        }
    }
    return false;
}

static ew_status push_alt(sctx *x, const vs_alt *a, val *out)
{
    vs_alt *n = ew_vec_push(&x->alts, &x->sm->arena);
    if (!n)
        return EW_E_NOMEM;
    *n = *a;
    *out = val_make(VAL_ALT, (int64_t)(x->alts.n - 1));
    return EW_OK;
}

/* One value of a callee's effect seen from call c: parameters replaced by
 * c's arguments. bytes receives the frame bytes behind a frame address. */
static val subst_one(const sctx *x, const vs_call *c, const val *v,
                     vs_bytes *bytes)
{
    if (v->kind != VAL_PARAM && v->kind != VAL_PARAM_LOAD)
        return *v;
    if (v->param >= VS_ARGS)
        return unknown();
    const val *cv = &c->args[v->param];
    const vs_bytes *pb = vs_pointee(x->vs, c, v->param);
    if (v->kind == VAL_PARAM && (v->size > 1 || v->flags)) {
        /* param * scale + c (an image rva with VAL_F_IMAGE_BASE) */
        if (cv->kind != VAL_CONST)
            return unknown();
        int64_t k = val_wrap_add((int64_t)((uint64_t)cv->c * val_param_scale(v)), v->c);
        return val_make(v->flags & VAL_F_IMAGE_BASE ? VAL_ADDR : VAL_CONST, k);
    }
    if (v->kind == VAL_PARAM) {
        val r = *cv;
        switch (r.kind) {
        case VAL_CONST:
        case VAL_ADDR:
        case VAL_STACK:
        case VAL_PARAM:
            r.c = val_wrap_add(r.c, v->c);
            if (r.kind == VAL_STACK && pb && v->c == 0)
                *bytes = *pb;
            return r;
        case VAL_LOAD:
        case VAL_PARAM_LOAD:
        case VAL_RESULT:
        case VAL_ALT: /* the caller's alternatives: subst copies them */
            return v->c == 0 ? r : unknown();
        default:
            return unknown();
        }
    }
    /* [parameter + c] */
    switch (cv->kind) {
    case VAL_ADDR: {
        val r = val_make(VAL_LOAD, val_wrap_add(cv->c, v->c));
        r.size = v->size;
        return r;
    }
    case VAL_PARAM: {
        val r = val_make(VAL_PARAM_LOAD, val_wrap_add(cv->c, v->c));
        r.size = v->size;
        r.param = cv->param;
        return r;
    }
    case VAL_STACK:
        if (pb && v->size <= 8 && v->c >= 0 && v->c <= 16 - v->size) {
            uint16_t want = (uint16_t)(((1u << v->size) - 1) << v->c);
            if ((pb->known & want) == want) {
                uint64_t k = 0;
                for (unsigned i = 0; i < v->size; i++)
                    k |= (uint64_t)pb->b[v->c + i] << (8 * i);
                return val_make(VAL_CONST, (int64_t)k);
            }
        }
        return unknown();
    default:
        return unknown();
    }
}

/* The callee's value v (alternatives expanded) seen from call c. */
static ew_status subst(sctx *x, const vs_call *c, const val *v, sm_arg *out)
{
    memset(out, 0, sizeof *out);
    if (v->kind != VAL_ALT) {
        val r = subst_one(x, c, v, &out->bytes);
        if (r.kind == VAL_ALT) { /* the caller's alternatives */
            const vs_alt *a = &x->vs->alts[r.c];
            return push_alt(x, a, &out->v);
        }
        out->v = r;
        return EW_OK;
    }
    const vs_alt *a = alt_of(x, v);
    if (!a) {
        out->v = unknown();
        return EW_OK;
    }
    vs_alt n;
    memset(&n, 0, sizeof n);
    for (unsigned i = 0; i < a->n; i++) {
        vs_bytes ignored;
        val r = subst_one(x, c, &a->v[i], &ignored);
        if (r.kind == VAL_UNKNOWN || r.kind == VAL_ALT) {
            out->v = unknown();
            return EW_OK;
        }
        n.v[n.n++] = r;
    }
    return push_alt(x, &n, &out->v);
}

static bool same_effect(const sctx *x, const sm_effect *a, const sm_effect *b)
{
    if (a->sink_site != b->sink_site || a->sink_fn != b->sink_fn ||
        a->site_rva != b->site_rva)
        return false;
    for (unsigned i = 0; i < VS_ARGS; i++) {
        if (!(a->mask & (1u << i)))
            continue;
        const val *p = &a->args[i].v, *q = &b->args[i].v;
        if (p->kind == VAL_ALT && q->kind == VAL_ALT) {
            const vs_alt *s = alt_of(x, p), *t = alt_of(x, q);
            if (!s || !t || s->n != t->n ||
                memcmp(s->v, t->v, s->n * sizeof s->v[0]) != 0)
                return false;
        } else if (!val_eq(p, q)) {
            return false;
        }
        if (memcmp(&a->args[i].bytes, &b->args[i].bytes,
                   sizeof a->args[i].bytes) != 0)
            return false;
    }
    return true;
}

/* Adds e to function fn's effects unless it is there; *added says so. */
static ew_status add_effect(sctx *x, size_t fn, const sm_effect *e,
                            bool *added)
{
    ew_vec *v = &x->sm->effects[fn];
    for (size_t i = 0; i < v->n; i++)
        if (same_effect(x, EW_VEC_AT(v, sm_effect, i), e))
            return EW_OK;
    if (v->n >= SM_MAX_EFFECTS) {
        x->sm->n_budget++;
        return EW_OK;
    }
    sm_effect *n = ew_vec_push(v, &x->sm->arena);
    if (!n)
        return EW_E_NOMEM;
    *n = *e;
    *added = true;
    return EW_OK;
}

static ew_status add_instance(sctx *x, size_t fn, const sm_effect *e)
{
    sm_instance *i = ew_vec_push(&x->insts, &x->sm->arena);
    if (!i)
        return EW_E_NOMEM;
    i->fn = (uint32_t)fn;
    i->e = *e;
    return EW_OK;
}

/* Settles e (of function fn): an instance when final, else an effect.
 * Instances are only made in the last round (emit). */
static ew_status settle(sctx *x, size_t fn, sm_effect *e, bool emit,
                        bool *added)
{
    if (e->depth > SM_MAX_DEPTH) {
        e->status = SM_BUDGET;
        x->sm->n_budget += emit;
        return emit ? add_instance(x, fn, e) : EW_OK;
    }
    if (effect_is_param(x, e))
        return add_effect(x, fn, e, added);
    return emit ? add_instance(x, fn, e) : EW_OK;
}

static ew_status one_round(sctx *x, size_t k, bool emit, bool *changed)
{
    const cg_graph *g = x->g;
    for (uint32_t o = g->scc_first[k]; o < g->scc_first[k + 1]; o++) {
        size_t fn = g->order[o];
        size_t nc;
        const vs_call *c = vs_calls_of(x->vs, fn, &nc);
        for (size_t j = 0; j < nc; j++) {
            uint8_t mask = 0;
            int id = x->sink(x->ctx, fn, &c[j], &mask);
            sm_effect e;
            if (id >= 0) {
                memset(&e, 0, sizeof e);
                e.sink_fn = (uint32_t)fn;
                e.sink_site = e.site_rva = c[j].site_rva;
                e.sink = id;
                e.mask = mask;
                e.parent_fn = UINT32_MAX;
                for (unsigned a = 0; a < VS_ARGS; a++) {
                    if (!(mask & (1u << a)))
                        continue;
                    e.args[a].v = c[j].args[a];
                    if (e.args[a].v.kind == VAL_ALT)
                        EW_TRY(push_alt(x, &x->vs->alts[e.args[a].v.c],
                                        &e.args[a].v));
                    const vs_bytes *pb = vs_pointee(x->vs, &c[j], a);
                    if (pb)
                        e.args[a].bytes = *pb;
                }
                EW_TRY(settle(x, fn, &e, emit, changed));
                continue;
            }
            if (!c[j].target_fn)
                continue;
            size_t callee = c[j].target_fn - 1;
            ew_vec *ce = &x->sm->effects[callee];
            /* the callee's list may grow while we walk it (recursion):
             * only the effects present now are used this round */
            size_t n_eff = ce->n;
            for (size_t i = 0; i < n_eff; i++) {
                const sm_effect *src = EW_VEC_AT(ce, sm_effect, i);
                memset(&e, 0, sizeof e);
                e.sink_fn = src->sink_fn;
                e.sink_site = src->sink_site;
                e.site_rva = c[j].site_rva;
                e.sink = src->sink;
                e.mask = src->mask;
                e.depth = (uint8_t)(src->depth < 255 ? src->depth + 1 : 255);
                e.parent_fn = (uint32_t)callee;
                e.parent = (uint32_t)i;
                sm_arg args[VS_ARGS];
                memcpy(args, src->args, sizeof args);
                for (unsigned a = 0; a < VS_ARGS; a++) {
                    if (!(e.mask & (1u << a)))
                        continue;
                    EW_TRY(subst(x, &c[j], &args[a].v, &e.args[a]));
                    if (args[a].v.kind != VAL_PARAM)
                        e.args[a].bytes = args[a].bytes;
                }
                EW_TRY(settle(x, fn, &e, emit, changed));
                ce = &x->sm->effects[callee];
            }
        }
    }
    return EW_OK;
}

static int cmp_inst(const void *a, const void *b)
{
    const sm_instance *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    if (x->e.site_rva != y->e.site_rva)
        return x->e.site_rva < y->e.site_rva ? -1 : 1;
    if (x->e.sink_site != y->e.sink_site)
        return x->e.sink_site < y->e.sink_site ? -1 : 1;
    return 0;
}

static ew_status run(sctx *x)
{
    const cg_graph *g = x->g;
    size_t n = x->fns->n_functions;
    x->sm->effects = ew_arena_array(&x->sm->arena, n ? n : 1,
                                    sizeof *x->sm->effects);
    if (!x->sm->effects)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        ew_vec_init(&x->sm->effects[i], sizeof(sm_effect));
    ew_vec_init(&x->insts, sizeof(sm_instance));
    ew_vec_init(&x->alts, sizeof(vs_alt));
    for (size_t k = 0; k < g->n_sccs; k++) {
        if (cg_scc_cyclic(g, k)) {
            bool changed = true;
            unsigned round = 0;
            for (; changed && round < SM_MAX_ROUNDS; round++) {
                changed = false;
                EW_TRY(one_round(x, k, false, &changed));
            }
            if (changed)
                x->sm->n_budget++;
        }
        bool ignored = false;
        EW_TRY(one_round(x, k, true, &ignored));
    }
    /* parameters nobody in the image supplies (no direct caller, or an
     * export, entry point or CFG target other code may call): the effect
     * itself is an instance */
    for (size_t fn = 0; fn < n; fn++) {
        const uint8_t outside = FN_SRC_EXPORT | FN_SRC_ENTRY | FN_SRC_CFG;
        if (g->rfirst[fn + 1] != g->rfirst[fn] &&
            !(x->fns->functions[fn].sources & outside))
            continue;
        ew_vec *v = &x->sm->effects[fn];
        for (size_t i = 0; i < v->n; i++) {
            sm_effect e = *EW_VEC_AT(v, sm_effect, i);
            e.status = SM_NO_CALLER;
            EW_TRY(add_instance(x, fn, &e));
        }
    }
    x->sm->instances = x->insts.items;
    x->sm->n_instances = x->insts.n;
    x->sm->alts = x->alts.items;
    x->sm->n_alts = x->alts.n;
    if (x->sm->n_instances > 1)
        qsort(x->sm->instances, x->sm->n_instances, sizeof(sm_instance),
              cmp_inst);
    return EW_OK;
}

ew_status sm_build(sm_set *sm, const fn_set *fns, const vs_set *vs,
                   const cg_graph *g, sm_sink_fn sink, void *ctx,
                   ew_diag *d)
{
    memset(sm, 0, sizeof *sm);
    ew_arena_init(&sm->arena, 0);
    sctx x;
    memset(&x, 0, sizeof x);
    x.sm = sm;
    x.fns = fns;
    x.vs = vs;
    x.g = g;
    x.sink = sink;
    x.ctx = ctx;
    ew_status s = run(&x);
    if (s != EW_OK) {
        sm_free(sm);
        return ew_fail(d, s, "summaries", -1, "%s",
                       s == EW_E_NOMEM ? "out of memory" : "failed");
    }
    return EW_OK;
}

void sm_free(sm_set *sm)
{
    ew_arena_free(&sm->arena);
    memset(sm, 0, sizeof *sm);
}

const sm_effect *sm_effects_of(const sm_set *sm, size_t fn, size_t *n)
{
    *n = sm->effects[fn].n;
    return sm->effects[fn].items;
}

size_t sm_via(const sm_set *sm, const sm_effect *e, uint32_t *out,
              size_t max)
{
    size_t n = 0;
    for (unsigned guard = 0; e->parent_fn != UINT32_MAX && guard < 256;
         guard++) {
        if (n < max)
            out[n] = e->parent_fn;
        n++;
        const ew_vec *v = &sm->effects[e->parent_fn];
        if (e->parent >= v->n)
            break;
        e = EW_VEC_AT(v, sm_effect, e->parent);
    }
    return n;
}
