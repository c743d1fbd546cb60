/*
 * ew_limits.h - every cap etwmap puts on what an input file controls.
 *
 * Each value is far above anything seen in real Windows binaries (the
 * comment says what was seen) and small enough that hitting it costs
 * little time or memory. Tests exercise each at the cap and one past it.
 */
#ifndef EW_LIMITS_H
#define EW_LIMITS_H

/* Largest input file etwmap maps: ntoskrnl.exe is ~12 MB, the biggest
 * public PDBs (chrome.dll) ~2 GB. */
#define EW_MAX_FILE_SIZE ((unsigned long long)4 << 30)

/* Memory one arena may use; parsers size their models from counts already
 * checked against file bytes, so real inputs stay far below this. */
#define EW_ARENA_DEFAULT_BUDGET ((size_t)8 << 30)

/* PE: the loader allows 96 sections (PE/COFF spec); YARA uses the same. */
#define PE_MAX_SECTIONS 96
/* Exports and imports: ntoskrnl has ~3,000 exports, win32k ~1,500
 * imports; 1 << 16 matches the ordinal range. */
#define PE_MAX_EXPORTS 65536
#define PE_MAX_IMPORT_DLLS 4096
#define PE_MAX_IMPORTS 65536
/* Longest symbol or DLL name read from a PE (C++ names reach ~4 KB). */
#define PE_MAX_NAME 4096
/* Resource tree: type / name / language = 3 levels; entries in all. */
#define PE_MAX_RESOURCE_DEPTH 3
#define PE_MAX_RESOURCES 65536
/* .pdata: ntoskrnl has ~40,000 RUNTIME_FUNCTION entries. */
#define PE_MAX_RUNTIME_FUNCTIONS (1u << 22)
/* Chained unwind info links followed before giving up (real: <= 4). */
#define PE_MAX_UNWIND_CHAIN 32
/* Unwind-info reads per .pdata entry on average, all chains together
 * (real: <= 1.39, fltMgr.sys), so millions of entries cannot each walk a
 * long chain. */
#define PE_UNWIND_LINKS_PER_FUNCTION 4u
/* Base relocation blocks' entries in all (ntoskrnl: ~150,000). */
#define PE_MAX_RELOCS (1u << 24)
/* Debug directory entries (real: < 10). */
#define PE_MAX_DEBUG_ENTRIES 64
/* POGO entries (real: a few hundred). */
#define PE_MAX_POGO_ENTRIES 65536
/* CFG function table entries (ntoskrnl: ~30,000). */
#define PE_MAX_GUARD_FUNCTIONS (1u << 22)

/* MSF/PDB: block sizes allowed by msf.cpp; streams in a big PDB ~ 10^5. */
#define MSF_MAX_STREAMS (1u << 20)
#define PDB_MAX_MODULES (1u << 20)
#define PDB_MAX_SYMBOLS (1u << 24)
#define PDB_MAX_NAME 4096
#define PDB_MAX_ANNOTATION_STRINGS 4096
/* Section headers in a PDB: a u16 segment number addresses them. */
#define PDB_MAX_SECTIONS 0xFFFFu

/* WEVT_TEMPLATE (FORMATS.md §2; real: 4 providers, 9 elements, 322 events,
 * 36 fields, nesting depth 3 in the corpus). */
#define WEVT_MAX_PROVIDERS 1024        /* CRIM provider descriptors */
#define WEVT_MAX_ELEMENTS 64           /* element descriptors per WEVT block */
#define WEVT_MAX_RECORDS (1u << 18)    /* records in one element: events, maps, .. */
#define WEVT_MAX_FIELDS 4096           /* item descriptors in one TEMP */
#define WEVT_MAX_BINXML_DEPTH 64       /* element nesting in a TEMP's BinXML */
#define WEVT_MAX_NAME 8192             /* bytes of one UTF-16 name string */
#define WEVT_MAX_WARNINGS 1024         /* warnings kept; later ones only counted */
/* RT_MESSAGETABLE (FORMATS.md §2.8; real: ~1,000 entries, ~50 blocks). */
#define MSGTAB_MAX_BLOCKS 65536
#define MSGTAB_MAX_ENTRIES (1u << 20)

/* TraceLogging (FORMATS.md §1). Seen: win32kbase.sys 13 providers / 278
 * events, <= 57 fields per event, structs nested 2 deep, names < 64
 * bytes. A blob is at most 65,551 bytes (u16 RemainingSize), so these only
 * bound work on huge hostile ranges. */
#define TLG_MAX_PROVIDERS 65536
#define TLG_MAX_EVENTS (1u << 20)
#define TLG_MAX_FIELDS 4096      /* per event; ETW takes <= 128 data items */
#define TLG_MAX_STRUCT_DEPTH 32  /* nested structs open at once */
#define TLG_MAX_NAME 4096        /* bytes before the NUL, like PE_MAX_NAME */
#define TLG_MAX_WARNINGS 256     /* kept; more are only counted */

/* Function discovery (src/analysis/functions.c). ntoskrnl has ~40,000
 * .pdata functions and ~15,000 more PDB publics; 1 << 21 is 50x that. */
#define FN_MAX_FUNCTIONS (1u << 21)
/* Instructions decoded in one function (the largest real functions, e.g.
 * big switch dispatchers, have ~30,000); past it the function is marked
 * truncated and the run goes on. Also bounds its pending-block list. */
#define FN_MAX_INSNS_PER_FUNCTION (1u << 17)
/* Direct call sites kept per function (real: a few thousand at most). */
#define FN_MAX_CALLS_PER_FUNCTION (1u << 16)
/* Functions decoded in one run, seeds and call targets together: the
 * worklist never holds more than FN_MAX_FUNCTIONS entries. */
#define FN_MAX_WORKLIST FN_MAX_FUNCTIONS
/* Entries read from one switch jump table (real ones: a few hundred). */
#define FN_MAX_JUMP_TABLE 1024
/* Jump-table targets kept per function. */
#define FN_MAX_JUMPS_PER_FUNCTION (1u << 15)
/* Passes propagating register clobbers from callees to callers. */
#define FN_MAX_CLOBBER_PASSES 16

/* Value tracking (src/analysis/values.c). Stack slots tracked at once per
 * state (a descriptor, a GUID and a few spills need ~10). */
#define VS_MAX_SLOTS 128
/* Passes over a function's blocks before giving up on a fixpoint. */
#define VS_MAX_PASSES 8
/* Blocks per function iterated with joins (one state each, ~1.7 KB);
 * bigger functions are scanned block by block from an unknown state. */
#define VS_MAX_BLOCKS 16384
/* Function-local pools of alternative sets and of partially known bytes. */
#define VS_MAX_LOCAL_ALTS 256
#define VS_MAX_LOCAL_BYTES 1024
/* Frame bytes a callee is assumed to write past a frame pointer passed
 * to it: an out parameter (a REGHANDLE, a status). More would forget
 * descriptors and handles that live next to the out parameter. */
#define VS_ESCAPE_BYTES 8

/* Summaries (src/analysis/summary.c): effects kept per function (an MC
 * wrapper has one per sink call; a dispatcher a few dozen), wrapper levels
 * followed, and rounds over a recursive SCC before giving up. */
#define SM_MAX_EFFECTS 256
#define SM_MAX_DEPTH 16
#define SM_MAX_ROUNDS 8

#endif
