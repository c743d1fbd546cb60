/*
 * map_jsonl.h - `etwmap map` as JSON Lines: one object per map row
 * (analysis/mapping.h), keys per the output contract (DESIGN.md): entry,
 * entry_rva, syscall (number or null), depth (functions on the call path,
 * as the CSV's CallDepth), call_path (array of names, entry first,
 * containing function last), containing_function, then the site keys of
 * sites_jsonl.h (site_rva, function, function_rva, api, kind,
 * provider_guid, ..., unresolved, action, api_rva, via, ...), then
 * entry_kind (export, syscall, named, function), export_depth and
 * shortest_paths. Absent values are null. Writers never parse.
 */
#ifndef MAP_JSONL_H
#define MAP_JSONL_H

#include "analysis/mapping.h"

#include <stdio.h>

/* 0, or -1 after a write error. */
int map_jsonl_write(FILE *out, const engine *e, const st_sites *s,
                    const mp_map *m);

#endif
