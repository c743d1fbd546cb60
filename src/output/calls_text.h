/*
 * calls_text.h - `etwmap calls` as text: what the whole engine
 * (analysis/engine.h) sees in each function. One header line per function,
 * then one line per call site with the argument values there, then the
 * function's summary and the resolved ETW call sites it holds. Every line
 * starts with the function's rva and name, so that grep keeps the context:
 *
 *   0x1260 KdpLogDriverUnload  function size 0x2d
 *   0x1260 KdpLogDriverUnload  call 0x1281 -> ntoskrnl.exe!EtwWrite [write]  arg0=[0x3060(KdEtwRegHandle)] arg1=&0x2060(KDRV_EVT_DRIVER_UNLOAD) arg2=0x0 arg3=0x0 arg4=0x0
 *   0x1260 KdpLogDriverUnload  etw-site 0x1281 -> EtwWrite@0x1281 [write] final  arg0:handle=[0x3060(KdEtwRegHandle)] arg1:descriptor=&0x2060(KDRV_EVT_DRIVER_UNLOAD)
 *   0x1220 McTemplateK0d_EtwWriteTransfer  summary 0x1251 -> EtwWriteTransfer@0x1251 [write]  arg0:handle=param0 arg1:descriptor=param1
 *   0x1290 KdpLogWidgetOpened  etw-site 0x12a8 -> McTemplateK0d_EtwWriteTransfer -> EtwWriteTransfer@0x1251 [write] final  arg0:handle=[0x3060(KdEtwRegHandle)] arg1:descriptor=&0x2020(KDRV_EVT_WIDGET_OPENED)
 *
 * Function line: "function size SIZE" and flags in brackets: exported,
 * thunk of DLL!NAME, truncated, bad-code, no-code (discovery), and
 * values-passes, values-slots, values-pool, values-decode (the value
 * tracker hit a budget in this function: its values may be partial).
 *
 * Site line: "KIND SITE -> CALLEE [API]  ARGS". KIND is call (direct or
 * through the IAT), tail (a jmp to another function or import), thunk-call
 * (a call to an import thunk, `jmp [IAT]`), indirect-call or indirect-jump
 * (through a register or memory; the callee is named when the value
 * tracker found the target, else "?"). CALLEE is NAME (RVA) for a function
 * of the image, DLL!NAME for an import (DLL!#N by ordinal); [API] the ETW
 * API kind (analysis/etw_api.h) when the callee is one. ARGS are the
 * argument values at the call, "argN=VALUE" for N = 0..5 (rcx, rdx, r8,
 * r9, [rsp+20h], [rsp+28h]), up to the last one that is known (none at
 * all when nothing is known).
 *
 * Summary line (one per effect of sm_effects_of): "summary SITE -> [W ->
 * ...] API@SINK [KIND]  ARGS": the call SITE of this function leads,
 * through the wrappers W (sm_via, outermost first), to the ETW API call at
 * SINK, and the API's arguments that matter (the effect's mask) are these
 * values, some of them still naming this function's parameters. API is the
 * name of what the sink call calls (a TraceLogging helper keeps its full
 * name), KIND its etw_api kind.
 * etw-site line (one per summary instance settled in this function): the
 * same, then the status: final (values no longer depend on parameters;
 * some may still be unknown), no-caller (they still name a parameter of a
 * function nobody in the image calls directly, or that is exported / an
 * entry / a CFG target), budget (a wrapper depth or effect cap was hit).
 * In both, ARGS are "argN:ROLE=VALUE", ROLE the API's use of the argument
 * (handle, descriptor, guid, handle-out, callback, wnode, type, context,
 * provider, event,
 * logger, flags, message-guid, message-number, header, level, keyword,
 * count, group-mask, hook-id; calls_arg_role), or "argN=VALUE" when it has
 * none.
 *
 * VALUE notation (one token; calls_write_value):
 *   ?                  unknown
 *   0x4                the constant 4 (64-bit, unsigned hex)
 *   &0x2060(SYM)       the address of image rva 0x2060; (SYM) when a PDB
 *                      public or global, an export or a function starts
 *                      exactly there
 *   [0x3060(SYM)]      the 8 bytes loaded from image rva 0x3060; ":N"
 *                      follows when N bytes (not 8) are loaded
 *   frame-0x38->HEX    an address in this function's frame (entry rsp -
 *                      0x38) and, when some are known, the 16 bytes it
 *                      points to (48 for a classic TraceEvent's header),
 *                      two hex digits per byte, ".." unknown;
 *                      frame(W)-0x20 is in wrapper W's own frame (a
 *                      summary value W passes on unchanged)
 *   param1, param1+0x8 incoming parameter 1 (0-based), plus an offset
 *   param1*0x10+&0x30d0(SYM) parameter 1 times 16 plus the address of
 *                      image rva 0x30d0: an element of a table
 *   [param0+0x20]      loaded from parameter 0 + 0x20 (":N" as above)
 *   {V|V|...}          one of these values (paths merging)
 *   result(0x1d91)     what the call at 0x1d91 returned (a logger handle)
 *   result(0x501e.arg3) what the call at 0x501e wrote through its argument
 *                      3 (a REGHANDLE a registration filled in the frame)
 *   bytes:HEX          a vector value: its bytes as above
 *
 * calls_site_describe is the one place both writers take a site's facts
 * from, calls_symbol_at the one place for names of addresses. Writers
 * never parse (DESIGN.md).
 */
#ifndef CALLS_TEXT_H
#define CALLS_TEXT_H

#include "analysis/engine.h"
#include "analysis/etw_api.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* What the writers share: the engine and an index of the image's exports
 * by rva (for names of addresses). */
typedef struct calls_ctx {
    const engine *e;        /* borrowed */
    const pe_export **exports_by_rva; /* malloc; rva-sorted, rva != 0 */
    size_t n_exports;
} calls_ctx;

/* Builds x over e (which must outlive x). 0, or -1 when out of memory
 * (x is then empty; calls_ctx_free is harmless). */
int calls_ctx_init(calls_ctx *x, const engine *e);
void calls_ctx_free(calls_ctx *x);

typedef struct calls_site {
    const char *kind;        /* "call", "tail", "thunk-call",
                                "indirect-call", "indirect-jump" */
    const char *callee;      /* function name or import name; NULL when
                                unknown (an import by ordinal: see ordinal;
                                an unresolved indirect call) */
    uint32_t callee_rva;     /* 0 when none (IAT calls, unresolved) */
    const char *import_dll;  /* NULL unless the callee is an import */
    uint16_t ordinal;        /* import by ordinal when callee is NULL */
    bool by_ordinal;
    const etw_api *api;      /* NULL unless the callee is an ETW API */
} calls_site;

/* The facts of call c (of x's value tracker). */
void calls_site_describe(const calls_ctx *x, const vs_call *c,
                         calls_site *s);

/* True when function index fi calls an ETW API (directly, or at one of its
 * call sites through a wrapper: it has a summary instance), or passes
 * parameters into one (its summary is not empty). */
bool calls_is_etw_function(const calls_ctx *x, size_t fi);

/* The name at exactly rva: a PDB public or global, else an export, else a
 * function's name; NULL when there is none. */
const char *calls_symbol_at(const calls_ctx *x, uint32_t rva);

/* The 16 bytes of b as 32 characters, ".." for an unknown byte, into
 * out[33]. */
void calls_bytes_hex(const vs_bytes *b, char out[33]);

/* What API api does with argument arg: "handle", "descriptor", ... or NULL
 * (see the header comment). */
const char *calls_arg_role(const etw_api *api, unsigned arg);

/* The API an effect or instance ends in and the name of what its sink call
 * calls (e.g. "_tlgWriteTransfer_EtwWriteTransfer" for the helper
 * "_tlgWriteTransfer"); *callee falls back to the API's name. */
const etw_api *calls_effect_api(const calls_ctx *x, const sm_effect *f,
                                const char **callee);

/* The instances of function index fi: a run of e->sm.instances. */
const sm_instance *calls_instances_of(const calls_ctx *x, size_t fi,
                                      size_t *n);

/* "final", "no-caller", "budget". */
const char *calls_status_name(unsigned status);

/* The function (index) whose frame a frame address in argument a of
 * effect f lies in, f being an effect or instance of function index fi:
 * fi, unless the value comes unchanged from a wrapper's own frame. */
size_t calls_frame_owner(const calls_ctx *x, size_t fi, const sm_effect *f,
                         unsigned a);

/* How to write one value: the pool v's VAL_ALT indexes (vs_set.alts for
 * call records, sm_set.alts for effects and instances), the bytes behind
 * a frame address (or NULL) and the function whose frame it is (NULL:
 * the function being listed). */
typedef struct calls_val_env {
    const vs_alt *alts;
    size_t n_alts;
    const vs_bytes *pointee;
    const char *frame_fn;
    unsigned n_pointee; /* 16-byte chunks at pointee (0 means 1): a
                           classic header is VS_WIDE_CHUNKS */
} calls_val_env;

/* How many 16-byte chunks vs_pointee gives for argument a of c. */
unsigned calls_pointee_chunks(const vs_set *vs, const vs_call *c, unsigned a);

/* One VALUE of the notation above. */
void calls_write_value(FILE *out, const calls_ctx *x, const val *v,
                       const calls_val_env *env);

/* The lines for the n functions fns (indices into x->e->fns), in that
 * order. 0, or -1 after a write error. */
int calls_text_write(FILE *out, const calls_ctx *x, const uint32_t *fns,
                     size_t n);

#endif
