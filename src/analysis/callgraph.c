/*
 * callgraph.c - call graph rows and Tarjan's SCCs, iteratively (an image's
 * call chains are deep enough to overflow a recursive walk).
 */
#include "analysis/callgraph.h"

#include <stdlib.h>
#include <string.h>

static int cmp_redge(const void *a, const void *b)
{
    const cg_edge *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    return x->site_rva < y->site_rva ? -1 : x->site_rva > y->site_rva;
}

/* Tarjan over the callee rows; SCCs come out callees first. */
static ew_status tarjan(cg_graph *g)
{
    size_t n = g->n;
    uint32_t *index = malloc((n ? n : 1) * sizeof *index);
    uint32_t *low = malloc((n ? n : 1) * sizeof *low);
    uint32_t *stack = malloc((n ? n : 1) * sizeof *stack);
    uint32_t *call_fn = malloc((n ? n : 1) * sizeof *call_fn);
    uint32_t *call_edge = malloc((n ? n : 1) * sizeof *call_edge);
    uint8_t *on = calloc(n ? n : 1, 1);
    ew_status st = EW_OK;
    if (!index || !low || !stack || !call_fn || !call_edge || !on) {
        st = EW_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        index[i] = UINT32_MAX;
    uint32_t next = 0;
    size_t sp = 0, cp = 0, out_n = 0;
    for (size_t root = 0; root < n; root++) {
        if (index[root] != UINT32_MAX)
            continue;
        call_fn[cp] = (uint32_t)root;
        call_edge[cp++] = g->first[root];
        index[root] = low[root] = next++;
        stack[sp++] = (uint32_t)root;
        on[root] = 1;
        while (cp > 0) {
            uint32_t v = call_fn[cp - 1];
            uint32_t e = call_edge[cp - 1];
            if (e < g->first[v + 1]) {
                call_edge[cp - 1]++;
                uint32_t w = g->edges[e].fn;
                if (index[w] == UINT32_MAX) {
                    index[w] = low[w] = next++;
                    stack[sp++] = w;
                    on[w] = 1;
                    call_fn[cp] = w;
                    call_edge[cp++] = g->first[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            cp--;
            if (cp > 0) {
                uint32_t u = call_fn[cp - 1];
                if (low[v] < low[u])
                    low[u] = low[v];
            }
            if (low[v] == index[v]) {
                g->scc_first[g->n_sccs] = (uint32_t)out_n;
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    g->scc_of[w] = (uint32_t)g->n_sccs;
                    g->order[out_n++] = w;
                } while (w != v);
                g->n_sccs++;
            }
        }
    }
    g->scc_first[g->n_sccs] = (uint32_t)out_n;
out:
    free(index);
    free(low);
    free(stack);
    free(call_fn);
    free(call_edge);
    free(on);
    return st;
}

static ew_status build(cg_graph *g, const fn_set *fns, const vs_set *vs)
{
    size_t n = fns->n_functions;
    g->n = n;
    g->first = ew_arena_array(&g->arena, n + 1, sizeof *g->first);
    g->rfirst = ew_arena_array(&g->arena, n + 1, sizeof *g->rfirst);
    g->order = ew_arena_array(&g->arena, n ? n : 1, sizeof *g->order);
    g->scc_first = ew_arena_array(&g->arena, n + 1, sizeof *g->scc_first);
    g->scc_of = ew_arena_array(&g->arena, n ? n : 1, sizeof *g->scc_of);
    if (!g->first || !g->rfirst || !g->order || !g->scc_first || !g->scc_of)
        return EW_E_NOMEM;
    /* count, then fill: edges of function i are its calls with a target
     * that is a function of the image */
    size_t m = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        m = 0;
        for (size_t i = 0; i < n; i++) {
            g->first[i] = (uint32_t)m;
            size_t nc;
            const vs_call *c = vs_calls_of(vs, i, &nc);
            for (size_t k = 0; k < nc; k++) {
                if (!c[k].target_fn)
                    continue;
                if (pass == 1) {
                    cg_edge *e = &g->edges[m];
                    e->fn = c[k].target_fn - 1;
                    e->site_rva = c[k].site_rva;
                    e->kind = c[k].kind;
                }
                m++;
            }
        }
        g->first[n] = (uint32_t)m;
        if (pass == 0) {
            g->edges = ew_arena_array(&g->arena, m ? m : 1, sizeof *g->edges);
            g->redges = ew_arena_array(&g->arena, m ? m : 1, sizeof *g->redges);
            if (!g->edges || !g->redges)
                return EW_E_NOMEM;
        }
    }
    g->n_edges = m;
    /* reverse rows: count per callee, then place (caller, site) */
    for (size_t e = 0; e < m; e++)
        g->rfirst[g->edges[e].fn + 1]++;
    for (size_t i = 0; i < n; i++)
        g->rfirst[i + 1] += g->rfirst[i];
    uint32_t *fill = calloc(n ? n : 1, sizeof *fill);
    if (!fill)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        for (uint32_t e = g->first[i]; e < g->first[i + 1]; e++) {
            uint32_t callee = g->edges[e].fn;
            cg_edge *r = &g->redges[g->rfirst[callee] + fill[callee]++];
            *r = g->edges[e];
            r->fn = (uint32_t)i;
        }
    free(fill);
    for (size_t i = 0; i < n; i++)
        if (g->rfirst[i + 1] - g->rfirst[i] > 1)
            qsort(&g->redges[g->rfirst[i]], g->rfirst[i + 1] - g->rfirst[i],
                  sizeof *g->redges, cmp_redge);
    return tarjan(g);
}

ew_status cg_build(cg_graph *g, const fn_set *fns, const vs_set *vs,
                   ew_diag *d)
{
    memset(g, 0, sizeof *g);
    ew_arena_init(&g->arena, 0);
    ew_status s = build(g, fns, vs);
    if (s != EW_OK) {
        cg_free(g);
        return ew_fail(d, s, "call graph", -1, "%s",
                       s == EW_E_NOMEM ? "out of memory" : "failed");
    }
    return EW_OK;
}

void cg_free(cg_graph *g)
{
    ew_arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

bool cg_scc_cyclic(const cg_graph *g, size_t k)
{
    uint32_t a = g->scc_first[k], b = g->scc_first[k + 1];
    if (b - a > 1)
        return true;
    uint32_t f = g->order[a];
    for (uint32_t e = g->first[f]; e < g->first[f + 1]; e++)
        if (g->edges[e].fn == f)
            return true;
    return false;
}
