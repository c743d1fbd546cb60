/*
 * mapping.h - the API -> ETW event map: for each entry point of an image
 * (an export, a system call), the event writes it reaches and one (or
 * every) shortest call path to each (issue "map"; the reference tool's
 * traversal, REFERENCE-TOOL.md §3).
 *
 * Entries. By default every exported function. An NT kernel image gets
 * its system calls instead, as the reference does: when the PDB names
 * KiServiceTable and KiServiceLimit, the table is decoded (each entry a
 * signed 32-bit ((routine rva - table rva) << 4) | stack argument count),
 * each routine is an entry with its service number; W32pServiceTable /
 * W32pServiceLimit likewise (numbers 0x1000 + index). Exported Nt*
 * functions are entries too, and each Zw* export stands for the function
 * of the same name with Nt. Without those symbols an image is a kernel
 * when it is a native image exporting NtQuerySystemInformation (the
 * reference's test), and its entries are the Nt* exports and the Nt*
 * functions the Zw* exports name. Options: named entries (function names
 * or rvas), or every function.
 *
 * Search. Breadth-first over the engine's call graph (cg_graph: direct
 * calls, tail calls, thunk calls, resolved indirect calls) from each entry
 * to the functions holding write sites (st_site.fn, where the event's
 * values are settled, so MC/TraceLogging wrappers are not hops). Depth is
 * the reference's CallDepth: the functions on the call path, entry and
 * containing function included, i.e. the calls from the entry down to the
 * ETW write, the write counted (1 = the entry writes the event itself).
 * Rules, the reference's defaults:
 *  - depth <= max_depth (5);
 *  - once a site is found at depth d, only sites up to d + 1 are kept
 *    (all_depths lifts it): the deeper ones are mostly error paths;
 *  - another entry point or export is neither entered nor reported
 *    (through_exports lifts it), unless its name holds the entry's
 *    "crumb" (the name without its two-letter prefix and last five
 *    characters, when that leaves 3 or more: NtOpenProcess -> "OpenPr"
 *    lets PsOpenProcess through), the reference's rule for an export that
 *    implements the entry;
 *  - functions matching an ignore pattern are never entered; the ETW APIs
 *    themselves are sinks and never entered either.
 * Each function is expanded once per entry, along the first path found
 * (callees in call-site order), so the map is deterministic.
 *
 * The search allocates nothing per step: per-function arrays with a
 * generation stamp are reused for every entry.
 *
 * Analysis only: nothing is printed (writers: output/map_*.h).
 */
#ifndef MAPPING_H
#define MAPPING_H

#include "analysis/engine.h"
#include "analysis/sites.h"
#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MP_DEFAULT_MAX_DEPTH 5u
/* --max-depth's ceiling: deeper than any useful call path, and it bounds
 * the path arrays. */
#define MP_MAX_DEPTH 64u
/* Service table entries decoded (ntoskrnl ~500, win32k ~1,300). */
#define MP_MAX_SYSCALLS 8192u
/* With all paths: shortest paths listed per (entry, site); a diamond-rich
 * graph has exponentially many. */
#define MP_MAX_PATHS_PER_ROW 256u
/* Rows in all (every function of a kernel-sized image as an entry, all
 * depths, is ~10^7); past it the map is cut and says so. */
#define MP_MAX_ROWS (1u << 24)

/* Win32k system service numbers start here (the table index is added). */
#define MP_W32K_SYSCALL_BASE 0x1000u

typedef enum mp_entry_kind {
    MP_ENTRY_EXPORT = 0, /* an exported function (or a Zw* export's Nt*) */
    MP_ENTRY_SYSCALL,    /* a KiServiceTable / W32pServiceTable routine */
    MP_ENTRY_NAMED,      /* named by the caller */
    MP_ENTRY_FUNCTION,   /* every function */
    MP_ENTRY_KIND_COUNT
} mp_entry_kind;

/* "export", "syscall", "named", "function". */
const char *mp_entry_kind_name(mp_entry_kind k);

typedef struct mp_entry {
    uint32_t fn;          /* index in the engine's functions */
    const char *name;     /* the function's name (borrowed: engine) */
    uint32_t rva;         /* the function's */
    mp_entry_kind kind;
    bool has_syscall;
    uint32_t syscall;     /* service number (win32k: 0x1000 + index) */
    uint8_t stack_args;   /* low 4 bits of the table entry */
} mp_entry;

/* An entry the caller names: a function name (exact; the PDB's or an
 * export's), or an rva of the function's start or inside it. */
typedef struct mp_entry_spec {
    const char *name;     /* borrowed; NULL when by rva */
    uint32_t rva;
} mp_entry_spec;

typedef enum mp_select {
    MP_SELECT_DEFAULT = 0, /* exports, or a kernel's system calls */
    MP_SELECT_NAMED,       /* specs only */
    MP_SELECT_ALL_FUNCTIONS,
} mp_select;

typedef struct mp_options {
    mp_select select;
    const mp_entry_spec *specs; /* MP_SELECT_NAMED; borrowed */
    size_t n_specs;
    unsigned max_depth;    /* 0: MP_DEFAULT_MAX_DEPTH; at most MP_MAX_DEPTH */
    bool all_depths;       /* no d + 1 rule */
    bool through_exports;  /* enter other entries and exports */
    bool all_paths;        /* every distinct shortest path, a row each */
    bool no_default_ignore;
    const char *const *ignore; /* more patterns ('*' wildcard); borrowed */
    size_t n_ignore;
} mp_options;

/* One (entry, write site, call path). */
typedef struct mp_row {
    uint32_t entry;        /* index in mp_map.entries */
    uint32_t site;         /* index in the st_sites given to mp_build */
    uint16_t depth;        /* functions on the call path (see above) */
    uint16_t export_depth; /* other entries/exports the path enters, the
                              containing function included (0 unless
                              through_exports) */
    uint32_t n_paths;      /* distinct shortest paths from the entry to the
                              containing function (saturates at
                              UINT32_MAX) */
    uint32_t path;         /* the path: depth function indices at
                              mp_map.path_fns[path], entry first */
} mp_row;

typedef struct mp_map {
    mp_entry *entries;     /* malloc; sorted by name, then rva; one per
                              function */
    size_t n_entries;
    mp_row *rows;          /* malloc; sorted by entry, depth, site rva,
                              site index (the sites' event order), path */
    size_t n_rows;
    uint32_t *path_fns;    /* malloc */
    size_t n_path_fns;

    /* how the entries were chosen */
    bool kernel;           /* system calls (or Nt* and Zw* exports) */
    bool has_service_table;   /* KiServiceTable decoded */
    bool has_w32k_table;      /* W32pServiceTable decoded */
    size_t n_syscalls;        /* table entries that are functions */
    size_t n_bad_syscalls;    /* table entries pointing at no function */
    size_t n_zw_unmatched;    /* Zw* exports without an Nt* function */
    size_t n_ignored;         /* functions matching an ignore pattern */
    bool paths_capped;        /* MP_MAX_PATHS_PER_ROW reached somewhere */
    bool rows_capped;         /* MP_MAX_ROWS reached: rows are missing */
} mp_map;

/*
 * Builds the map of e's image from its write sites s (only ST_WRITE rows
 * are mapped). e and s must outlive m (rows index into s, entries borrow
 * e's names). Errors: EW_E_NOMEM; EW_E_NOT_FOUND when a named entry is no
 * function (d names it); EW_E_USAGE for a max_depth above MP_MAX_DEPTH.
 * Release with mp_free (also after a failure).
 */
ew_status mp_build(mp_map *m, const engine *e, const st_sites *s,
                   const mp_options *o, ew_diag *d);
void mp_free(mp_map *m);

/* Does name match pattern ('*' matches any run of characters, every other
 * character itself)? */
bool mp_pattern_match(const char *pattern, const char *name);

/* The default ignore patterns (data/map_ignore.inc). */
const char *const *mp_default_ignore(size_t *count);

#endif
