/*
 * summary.h - interprocedural summaries: which incoming parameters of a
 * function flow into which arguments of a "sink" call (an ETW API, as the
 * caller decides), through any number of wrappers.
 *
 * A sink call whose interesting arguments (a mask chosen per sink) are all
 * known where it happens is an instance at once. When some of them come
 * from the function's parameters, the call becomes an effect of the
 * function (its summary), and every call to the function substitutes its
 * own argument values: REGHANDLE loaded from a global, a descriptor built
 * in the caller's frame, a context pointer whose field is the handle. The
 * result is an instance at the first call site where the values stop
 * depending on parameters, or, for a function nobody calls directly, an
 * instance that still names the parameter. Summaries are computed bottom-up
 * over the call graph's SCCs (cycles iterate to a fixpoint, bounded).
 *
 * A call to a sink is never also a call through a wrapper: when a
 * TraceLogging helper is a sink by name, the API call inside it is not
 * propagated to its callers.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "analysis/callgraph.h"
#include "analysis/values.h"
#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdint.h>

/* Decides whether call c (of function index fn) is a sink: returns the
 * caller's sink id (>= 0) and sets *mask to the arguments that matter, or
 * returns -1. */
typedef int (*sm_sink_fn)(void *ctx, size_t fn, const vs_call *c,
                          uint8_t *mask);

typedef struct sm_arg {
    val v;         /* VAL_ALT indexes sm_set.alts */
    vs_bytes bytes; /* the 16 bytes behind a frame address, when known */
} sm_arg;

/* sm_effect.status / sm_instance.status */
typedef enum sm_status {
    SM_FINAL = 0,  /* values no longer depend on parameters */
    SM_NO_CALLER,  /* still names a parameter: nobody in the image calls
                      the function directly, or it is an export, entry
                      point or CFG target that others may call */
    SM_BUDGET,     /* SM_MAX_DEPTH wrappers or an effect cap was hit */
} sm_status;

typedef struct sm_effect {
    uint32_t sink_fn;   /* function holding the sink call */
    uint32_t sink_site; /* the sink call */
    uint32_t site_rva;  /* the call in this function it comes from */
    int32_t sink;       /* sink id */
    uint8_t mask;
    uint8_t depth;      /* wrappers between this function and the sink */
    uint8_t status;     /* sm_status */
    uint32_t parent_fn; /* UINT32_MAX for a sink call in this function */
    uint32_t parent;    /* index into parent_fn's effects */
    sm_arg args[VS_ARGS];
} sm_effect;

typedef struct sm_instance {
    uint32_t fn;       /* the function where the values were settled */
    sm_effect e;       /* e.site_rva is the call in fn */
} sm_instance;

typedef struct sm_set {
    ew_vec *effects;    /* per function: sm_effect */
    sm_instance *instances; /* sorted by (fn rva, site, sink site) */
    size_t n_instances;
    vs_alt *alts;
    size_t n_alts;
    size_t n_budget;    /* effects dropped or cut by a budget */
    ew_arena arena;
} sm_set;

ew_status sm_build(sm_set *sm, const fn_set *fns, const vs_set *vs,
                   const cg_graph *g, sm_sink_fn sink, void *ctx,
                   ew_diag *d);
void sm_free(sm_set *sm);

/* The effects (summary) of function index fn. */
const sm_effect *sm_effects_of(const sm_set *sm, size_t fn, size_t *n);
/* The wrappers an instance passes through, outermost first, up to max
 * function indices into out; returns how many there are. */
size_t sm_via(const sm_set *sm, const sm_effect *e, uint32_t *out,
              size_t max);
/* Does v depend on a parameter (PARAM, PARAM_LOAD, or an ALT holding
 * one)? */
bool sm_val_is_param(const sm_set *sm, const val *v);

#endif
