/*
 * engine.h - the whole code analysis of one image, run once and shared by
 * every question asked of it (DESIGN.md principle 1): functions, values,
 * call graph, and summaries whose sinks are the ETW APIs (etw_api.h).
 *
 * A call is an ETW API call when it goes to an import of that name
 * (through the IAT or a thunk) or to a function of the image named so by
 * the PDB or an export (ntoskrnl's own EtwWrite, an internal
 * EtwTraceKernelEvent, a _tlgWrite* helper).
 */
#ifndef ENGINE_H
#define ENGINE_H

#include "analysis/callgraph.h"
#include "analysis/etw_api.h"
#include "analysis/functions.h"
#include "analysis/summary.h"
#include "analysis/values.h"
#include "base/ew.h"
#include "format/pdb.h"
#include "format/pe.h"

typedef struct engine {
    const pe_image *img; /* borrowed */
    const pdb_file *pdb; /* borrowed, may be NULL */
    fn_set fns;
    vs_set vs;
    cg_graph cg;
    sm_set sm;
    const etw_api **fn_api; /* per function: the API it is by name */
    const etw_api **imp_api; /* per import (img->imports): its API */
    ew_arena arena;
} engine;

/* Runs every stage on img (and pdb, which may be NULL; both must outlive
 * e). Errors: those of fn_discover (EW_E_UNSUPPORTED for non-x64) and
 * EW_E_NOMEM. Release with eng_free (also after a failure). */
ew_status eng_run(engine *e, const pe_image *img, const pdb_file *pdb,
                  ew_diag *d);
void eng_free(engine *e);
/* eng_run's last stage alone (for benchmarks that time the stages): names
 * the functions that are ETW APIs and builds the summaries; fns, vs and cg
 * must be built and e->arena initialised. */
ew_status eng_summarize(engine *e, ew_diag *d);

/* What value tracking keeps of calls to each import of img (VS_KEEP_*,
 * one per img->imports entry): the whole EVENT_TRACE_HEADER behind a
 * classic write, the logger handle GetTraceLoggerHandle returns. Heap;
 * the caller frees it. NULL when out of memory. */
uint8_t *eng_import_keep(const pe_image *img);

/* The ETW API call c makes, or NULL. */
const etw_api *eng_call_api(const engine *e, const vs_call *c);
/* The name of what call c calls: a function's name, an import's name, or
 * NULL (unknown indirect target, import by ordinal). */
const char *eng_callee_name(const engine *e, const vs_call *c);
/* Index of the function at rva in e->fns, or -1. */
long eng_function_index(const engine *e, uint32_t rva);

#endif
