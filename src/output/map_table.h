/*
 * map_table.h - `etwmap map` as CSV (the default) or TSV: a header line,
 * then one line per map row (analysis/mapping.h).
 *
 * The first 17 columns are the reference tool's (API-To-ETW,
 * REFERENCE-TOOL.md §4), same names, same meanings:
 *
 *   Function               the entry (API or system call)
 *   ProviderGuid           lower case, no braces; legacy kernel events:
 *                          "Windows Kernel Trace"; WPP: "WPP_" + GUID
 *   ProviderSymbol         manifest/WPP: the PDB symbol of the provider
 *                          GUID; TraceLogging: the provider name; legacy:
 *                          the group mask's names (PERF_ prefix dropped,
 *                          several joined by '|')
 *   ReghandleSymbol        the PDB symbol of the REGHANDLE (TraceLogging:
 *                          of the provider object); legacy: trace group
 *   WriteFunction          the ETW API the event goes out through
 *   EventDescriptorSymbol  manifest: the PDB symbol of the descriptor;
 *                          TraceLogging: the event name; legacy: the hook
 *                          name (PERFINFO_LOG_TYPE_ / WMI_LOG_TYPE_
 *                          dropped); WPP: the message GUID
 *   Id Version Channel Level Opcode Task Keyword
 *                          the EVENT_DESCRIPTOR fields, decimal, keyword
 *                          "0x%x"; TraceLogging has no Id, Version, Task:
 *                          "-"; legacy kernel: empty; WPP: Id = message
 *                          number
 *   ContainingFunction     the function that writes the event (where its
 *                          values are settled: MC and TraceLogging
 *                          wrappers are not counted)
 *   CallDepth              functions on CallPath (1: the entry writes it)
 *   ExportedCallDepth      other entries/exports the path enters
 *   CallPath               [Entry->...->ContainingFunction]
 *
 * then etwmap's own:
 *
 *   EventName EventFields  the catalog event's name and payload fields
 *                          ("UInt32 Id, UnicodeString Path", as
 *                          `etwmap events` shows them inside parentheses)
 *   Kind                   manifest, manifest-string, tracelogging,
 *                          legacy-kernel, wpp
 *   SiteRva                the call where the event's values are settled
 *   Syscall                the entry's system service number (decimal)
 *   ProviderResolvedBy EventResolvedBy  how they were found
 *   Unresolved             why something is missing, reasons joined by
 *                          ';' (empty: fully resolved)
 *   ProviderName           the catalog provider's name
 *   EntryRva               the entry's rva
 *   Via                    wrappers between the site and the API,
 *                          joined by '>'; those in a --with module as
 *                          module!name
 *   ShortestPaths          number of distinct shortest paths
 *
 * A value that is absent or unresolved is empty, never "???"; the
 * Unresolved column says why. CSV quoting is RFC 4180's (a field holding
 * '"', ',', CR or LF is quoted, quotes doubled), lines end with LF. TSV
 * escapes as events_tsv.h does. Writers never parse.
 */
#ifndef MAP_TABLE_H
#define MAP_TABLE_H

#include "analysis/mapping.h"

#include <stdio.h>

/* Number of columns, the reference's 17 first. */
#define MAP_TABLE_COLUMNS 29

/* 0, or -1 after a write error (or out of memory). */
int map_csv_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m);
int map_tsv_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m);

#endif
