/*
 * callgraph.h - the call graph between an image's functions, and its
 * strongly connected components in bottom-up order.
 *
 * Nodes are the indices of fn_set.functions. Edges come from the value
 * tracker's call records: direct calls, tail jumps, calls to import thunks
 * and indirect calls whose target was resolved (vs_call). Calls through the
 * IAT leave the image and are not edges. Both directions are kept in
 * compressed rows (callees of i: edges[first[i] .. first[i+1])), sorted by
 * site, so breadth-first searches from thousands of entries need no
 * allocation per step.
 */
#ifndef CALLGRAPH_H
#define CALLGRAPH_H

#include "analysis/functions.h"
#include "analysis/values.h"
#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdint.h>

typedef struct cg_edge {
    uint32_t fn;       /* the other end (callee, or caller in reverse) */
    uint32_t site_rva; /* the call or jump */
    uint8_t kind;      /* vs_call_kind */
} cg_edge;

typedef struct cg_graph {
    size_t n;          /* functions */
    uint32_t *first;   /* n+1 row starts into edges */
    cg_edge *edges;    /* callees, per caller, by site */
    uint32_t *rfirst;  /* n+1 row starts into redges */
    cg_edge *redges;   /* callers, per callee, by caller then site */
    size_t n_edges;
    /* SCCs, callees before callers: the functions of SCC k are
     * order[scc_first[k] .. scc_first[k+1]) */
    uint32_t *order;
    uint32_t *scc_first; /* n_sccs + 1 */
    uint32_t *scc_of;    /* SCC index of each function */
    size_t n_sccs;
    ew_arena arena;
} cg_graph;

ew_status cg_build(cg_graph *g, const fn_set *fns, const vs_set *vs,
                   ew_diag *d);
void cg_free(cg_graph *g);

/* Does SCC k have a cycle (more than one function, or a self call)? */
bool cg_scc_cyclic(const cg_graph *g, size_t k);

#endif
