/*
 * calls_jsonl.h - `etwmap calls` as JSON Lines: one object per function,
 * with the facts of the text output (calls_text.h) as keys. RVAs are
 * "0x…" strings, absent values null.
 *
 *   function, function_rva, size, exported (bool), thunk ("DLL!NAME" of the
 *   import an import thunk jumps to, else null), status (array of
 *   "truncated", "bad-code", "no-code"), value_status (array of "passes",
 *   "slots", "pool", "decode": the value tracker's budgets hit here),
 *   sites, summary, etw_sites.
 *
 *   sites: one object per call site of the value tracker: site_rva, kind
 *   ("call", "tail", "thunk-call", "indirect-call", "indirect-jump"),
 *   callee (the function's name or the import's name; "#N" for an import
 *   by ordinal; null when unknown), callee_rva ("0x…"; null for calls
 *   through the IAT and unresolved indirect calls), import_dll (null unless
 *   the callee is an import), etw_api (the ETW API kind of the callee,
 *   analysis/etw_api.h, or null), args (6 ARG objects: rcx, rdx, r8, r9,
 *   [rsp+20h], [rsp+28h]).
 *
 *   summary: one object per effect (the function passes values into an
 *   ETW API call, some from its parameters): site_rva (the call in this
 *   function it comes from), api (the etw_api table name), api_kind,
 *   callee (what the sink call calls, e.g. the full TraceLogging helper
 *   name), sink_rva (the API call), sink_function, sink_function_rva, via
 *   (names of the wrappers from site_rva down to sink_function, outermost
 *   first; [] when the API call is in this function), args (6 entries: an
 *   ARG object with a role key for each argument the API's resolution
 *   uses, null for the others).
 *   etw_sites: the same keys, plus status ("final", "no-caller",
 *   "budget"), for each summary instance settled in this function.
 *
 *   ARG objects, by kind (keys not listed for a kind are absent):
 *     {"kind":"unknown"}
 *     {"kind":"const", "value":"0x4"}            (64-bit, unsigned hex)
 *     {"kind":"addr", "rva":"0x2060", "symbol":NAME|null}
 *     {"kind":"load", "rva":"0x3060", "size":8, "symbol":NAME|null}
 *     {"kind":"stack", "offset":-56, "frame_function":NAME,
 *      "bytes":"0600..0204"|null}
 *         (offset from the entry rsp of frame_function: the function
 *         listed, or the wrapper whose own frame a summary value comes
 *         from; bytes: the 16 bytes it points to (48 for the header of
 *         a classic TraceEvent), two hex digits each, ".." unknown; null
 *         when none is known)
 *     {"kind":"param", "param":1, "scale":1, "offset":0, "rva":null,
 *      "symbol":null}
 *         (parameter 1 times scale plus offset; or, rva not null, the
 *         address of that image rva plus parameter times scale: an
 *         element of a table, &table[param1])
 *     {"kind":"param-load", "param":0, "offset":32, "size":8}
 *     {"kind":"alt", "alternatives":[ARG, ...]}
 *     {"kind":"result", "call_rva":"0x501e", "arg":3}
 *         (arg null: what the call returned, a logger handle)
 *     {"kind":"bytes", "size":16, "bytes":"..."}
 *   symbol as in calls_symbol_at. In summary and etw_sites, each ARG also
 *   has "role" (calls_arg_role: "handle", "descriptor", ..., or null).
 *
 * Writers never parse.
 */
#ifndef CALLS_JSONL_H
#define CALLS_JSONL_H

#include "output/calls_text.h"

#include <stdio.h>

/* One line per function of fns (indices into x->e->fns), in that order.
 * 0, or -1 after a write error. */
int calls_jsonl_write(FILE *out, const calls_ctx *x, const uint32_t *fns,
                      size_t n);

#endif
