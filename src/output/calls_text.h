/*
 * calls_text.h - `etwmap calls` as text: for each function one header line,
 * then one line per call site, every line starting with the function's rva
 * and name so that grep keeps the context:
 *
 *   0x1120 KdOpenWidget  function size 0x6e [exported]
 *   0x1120 KdOpenWidget  call 0x1157 -> WPP_SF_d (0x1000)
 *   0x1260 KdpLogDriverUnload  call 0x1281 -> ntoskrnl.exe!EtwWrite [write]
 *
 * Header flags in brackets: exported, thunk of DLL!NAME, truncated,
 * bad-code, no-code. Site kinds: call (direct or through the IAT), tail
 * (a jmp to another function or import), thunk-call (a call to an import
 * thunk, `jmp [IAT]`). The callee is the function's name with its rva in
 * parentheses, or DLL!NAME for an import (DLL!#N by ordinal); [KIND] the
 * ETW API kind (analysis/etw_api.h) when the callee is one.
 *
 * calls_site_describe is the one place both writers take a site's facts
 * from. Writers never parse (DESIGN.md).
 */
#ifndef CALLS_TEXT_H
#define CALLS_TEXT_H

#include "analysis/etw_api.h"
#include "analysis/functions.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct calls_site {
    const char *kind;        /* "call", "tail", "thunk-call" */
    const char *callee;      /* function name or import name; NULL when
                                unknown (an import by ordinal: see ordinal) */
    uint32_t callee_rva;     /* 0 when none (IAT calls) */
    const char *import_dll;  /* NULL unless the callee is an import */
    uint16_t ordinal;        /* import by ordinal when callee is NULL */
    bool by_ordinal;
    const etw_api *api;      /* NULL unless the callee is an ETW API */
} calls_site;

/* The facts of call c of a function of set. */
void calls_site_describe(const fn_set *set, const fn_call *c, calls_site *s);

/* True when one of f's sites calls an ETW API. */
bool calls_has_etw_site(const fn_set *set, const fn_function *f);

/* The lines for the n functions fns (of set), in that order. 0, or -1
 * after a write error. */
int calls_text_write(FILE *out, const fn_set *set,
                     const fn_function *const *fns, size_t n);

#endif
