/*
 * calls_jsonl.h - `etwmap calls` as JSON Lines: one object per function,
 * keys function, function_rva ("0x…"), size, exported (bool), thunk
 * ("DLL!NAME" of the import an import thunk jumps to, else null), status
 * (array of "truncated", "bad-code", "no-code"), sites: an array of
 * {site_rva ("0x…"), kind ("call", "tail", "thunk-call"), callee (the
 * function's name or the import's name; "#N" for an import by ordinal;
 * null when unknown), callee_rva ("0x…" or null for calls through the IAT),
 * import_dll (null unless the callee is an import), etw_api (the ETW API
 * kind of the callee, analysis/etw_api.h, or null)}. Writers never parse.
 */
#ifndef CALLS_JSONL_H
#define CALLS_JSONL_H

#include "analysis/functions.h"

#include <stdio.h>

/* One line per function of fns, in that order. 0, or -1 after a write
 * error. */
int calls_jsonl_write(FILE *out, const fn_set *set,
                      const fn_function *const *fns, size_t n);

#endif
