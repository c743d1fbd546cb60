/*
 * catalog.h - every ETW provider and event a binary describes, in one
 * model for the four kinds of ETW metadata (DESIGN.md "The four kinds"):
 *
 *   manifest       WEVT_TEMPLATE resource (wevt.h), texts from the image's
 *                  RT_MESSAGETABLE (msgtab.h)
 *   tracelogging   ETW0 blobs in .rdata (tlg.h)
 *   legacy-kernel  ntwmi.h's hook ids (legacy_kernel.h); not per binary:
 *                  cat_build_legacy_kernel lists the table
 *   wpp            TMF/TMC S_ANNOTATION records of the PDB (pdb.h,
 *                  FORMATS.md §4.6)
 *
 * The catalog joins and names; it reads bytes only through the parsers and
 * prints nothing (writers: output/events_tsv.h, output/events_jsonl.h).
 * It does not find the code that writes an event (the sites analysis
 * does, and will use cat_find_* and cat_legacy_kernel_event).
 *
 * Names. Everything a writer shows is resolved here, once:
 *  - manifest: provider, channel, level, opcode, task and keyword names
 *    from the manifest's own records, else their message-table strings,
 *    else, when the event uses a standard value (winmeta.xml: levels
 *    win:Critical..win:Verbose, channels System/Application/Security/
 *    TraceLogging, opcodes win:Info..win:Receive, keywords
 *    win:ResponseTime..win:EventlogClassic), the standard name; a
 *    keyword bit 63 - i that no keyword record claims is named after the
 *    provider's i-th channel (mc's channel bits, catalog.c). A value
 *    of 0 the manifest does not reference (no record offset) has no name.
 *    Event names: see cat_manifest_event_name.
 *  - tracelogging: the blob's event name; standard level/opcode/channel
 *    names; keyword bits MS.Telemetry/MS.Measures/MS.CriticalData.
 *  - wpp: the #typev message name, format string as message, FLAGS as
 *    keyword names, LEVEL as level.
 *  - legacy-kernel: ntwmi.h's hook name; task = trace group; keyword =
 *    group mask, decomposed into PERF_* names (lk_group_mask_names).
 * A value the file does not give is absent (has_* false / NULL), never
 * guessed.
 *
 * Order (deterministic, DESIGN.md principle 7): providers by kind, GUID
 * text, name, source RVA; events by kind, provider GUID text (absent
 * first), event id (absent first), version, name, source RVA, and their
 * position in the input as the last key.
 *
 * Ownership: strings and arrays point into the arena given to cat_build,
 * into static tables, or into the image/PDB bytes (TraceLogging names,
 * annotation strings): keep the image, the PDB and the arena alive while
 * the catalog is used.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include "base/ew.h"
#include "base/ew_arena.h"
#include "format/msgtab.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "format/wevt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Caps on what one catalog holds (each guards a loop or an allocation
 * driven by the file). */
#define CAT_MAX_WARNINGS 4096    /* kept; later ones are only counted */
#define CAT_MAX_FIELD_DEPTH 8    /* manifest struct nesting rendered */
#define CAT_MAX_WPP_FLAGS 32     /* TMC flag names: bits 0..31 */
#define CAT_MAX_NAME_WORDS 8     /* words of a message made into a name */

typedef enum cat_kind {
    CAT_KIND_MANIFEST = 0,
    CAT_KIND_TRACELOGGING,
    CAT_KIND_LEGACY_KERNEL,
    CAT_KIND_WPP,
    CAT_KIND_CLASSIC, /* sites only: classic (MOF) providers' TraceEvent
                         writes; no catalog entry has this kind, as MOF
                         descriptions are not read */
    CAT_KIND_COUNT
} cat_kind;

/* Sets of kinds, for filters: CAT_KIND_BIT(CAT_KIND_WPP) | ... */
#define CAT_KIND_BIT(k) (1u << (unsigned)(k))
#define CAT_KINDS_ALL ((1u << CAT_KIND_COUNT) - 1u)

/* "manifest", "tracelogging", "legacy-kernel", "wpp", "classic" (the output
 * contract's spelling); "?" out of range. Never NULL. */
const char *cat_kind_name(cat_kind k);
/* The kind spelt s, as cat_kind_name gives it. */
bool cat_kind_parse(const char *s, cat_kind *out);

typedef struct cat_provider {
    cat_kind kind;
    bool has_guid;
    uint8_t guid[16];     /* in-memory GUID order; valid when has_guid */
    char guid_text[37];   /* lower case, no braces; "" when !has_guid */
    const char *name;     /* NULL when the file does not name it */
    const char *source;   /* static: where it was found ("WEVT_TEMPLATE",
                             "ETW0 Provider3 blob", "PDB TMC annotation",
                             "PDB TMF annotation", "ntwmi.h") */
    bool has_source_rva;
    uint32_t source_rva;  /* the WEVT block, provider blob or annotation */
    bool has_group;
    uint8_t group_guid[16]; /* TraceLogging provider group */
    size_t n_events;      /* events attributed to it */
} cat_provider;

/* One field (payload item). Fields are a flat pre-order list: a struct is
 * followed by its n_members direct members (depth + 1), each followed by
 * its own members. */
typedef struct cat_field {
    const char *name;     /* NULL when unreadable */
    const char *in_type;  /* static or arena: "win:UInt32", "struct",
                             WPP's "ItemLong"; "" when unknown */
    const char *out_type; /* static: "win:HexInt32", "xs:string"; NULL when
                             the file gives none (the default) */
    uint8_t in_raw, out_raw; /* numbers as stored: TDH numbering for
                                manifests, TlgIn/TlgOut bytes for
                                TraceLogging; 0 for WPP */
    const char *count;    /* NULL scalar; "" count carried in the data;
                             "N" fixed; a field name (count field) */
    const char *length;   /* NULL, "N" fixed length, or a field name */
    const char *map;      /* manifest value/bit map name, or NULL */
    uint16_t n_members;   /* struct: direct members that follow */
    uint8_t depth;        /* 0 = top level */
} cat_field;

/* A number with the name it has in the file (or the standard name).
 * present false = absent (null); name may be set with !present (a WPP
 * level given by a name etwmap does not know the value of). */
typedef struct cat_value {
    bool present;
    uint32_t value;
    const char *name; /* NULL when unnamed */
} cat_value;

typedef struct cat_event {
    cat_kind kind;
    int32_t provider;     /* index in catalog.providers, -1 = unknown
                             (TraceLogging: see cat_build) */
    bool has_id;
    uint16_t id;          /* manifest/TraceLogging event id, WPP message
                             number, legacy hook id */
    bool has_version;
    uint8_t version;
    const char *name;     /* never NULL after cat_build (may be "") */
    cat_value channel, level, opcode, task;
    bool has_keyword;
    uint64_t keyword;     /* keyword bits; legacy: the group mask */
    const char **keyword_names; /* names of keyword's bits, then one hex
                                   term for bits without a name; WPP
                                   FLAGS names even when the value is
                                   unknown */
    size_t n_keyword_names;
    bool fields_known;    /* false: the metadata says nothing of the
                             payload (legacy kernel) */
    cat_field *fields;
    size_t n_fields;
    const char *message;  /* message-table text / WPP format, or NULL */
    bool has_source_rva;
    uint32_t source_rva;  /* manifest: its EVNT record; TraceLogging: its
                             blob's type byte; WPP: the annotation (the
                             trace statement) */

    /* kind-specific facts (zero for the other kinds) */
    uint32_t message_id;        /* manifest: WEVT_NO_MESSAGE when none */
    uint8_t blob_type;          /* tracelogging: TLG_BLOB_EVENT4, ... */
    uint32_t tags;              /* tracelogging: 28-bit event tag */
    uint8_t message_guid[16];   /* wpp: the TMF message GUID */
    const char *component;      /* wpp: TMF component ("kdriver") */
    const char *function;       /* wpp: FUNC= of the trace statement */
    size_t input_index;         /* position in the input (sort key) */
} cat_event;

typedef struct cat_catalog {
    cat_provider *providers; /* arena; sorted (see above) */
    size_t n_providers;
    cat_event *events;       /* arena; sorted (see above) */
    size_t n_events;
    size_t n_by_kind[CAT_KIND_COUNT];

    /* The parsed manifest and message table the manifest events came
     * from, for writers that need the whole manifest (XML); NULL when the
     * image has none or they were unusable. */
    const wevt_manifest *manifest;
    uint32_t manifest_rva;   /* of the WEVT_TEMPLATE bytes */
    const msgtab *messages;

    /* Non-fatal problems: "STRUCTURE at 0xOFF: problem (detail)", one
     * line each, without the file name. */
    const cat_event **by_rva; /* arena: events with a source RVA, sorted
                                 by it (for cat_find_event_rva) */
    size_t n_by_rva;

    const char **warnings;   /* arena */
    size_t n_warnings;
    size_t n_warnings_dropped; /* past CAT_MAX_WARNINGS or the parsers' caps */
} cat_catalog;

/*
 * Builds the catalog of img (and pdb, for WPP; NULL when there is none):
 * every manifest provider and event of its WEVT_TEMPLATE resource with
 * texts from its RT_MESSAGETABLE, every TraceLogging provider and event
 * blob, every WPP message of the PDB's TMF annotations. Legacy kernel
 * events are not per binary: see cat_build_legacy_kernel.
 *
 * TraceLogging events get no provider (provider -1): an event blob names
 * no provider, and the linker sorts event blobs ($zETW1) and provider
 * blobs ($zETW2) into separate runs, so nothing in the metadata pairs
 * them, not even blobs from one object file. Only the write call pairs
 * them (provider object and event pointer are its first two arguments);
 * the sites analysis links them there.
 *
 * Malformed metadata is never fatal: a CRIM header, message table or
 * TraceLogging header that cannot be used, and every warning of the
 * parsers, become lines in c->warnings, and the rest of the catalog is
 * built. Returns EW_OK, or EW_E_NOMEM (with d filled) when a runs out;
 * then c is empty. img may be NULL (only the PDB's WPP messages).
 */
ew_status cat_build(cat_catalog *c, const pe_image *img, const pdb_file *pdb,
                    ew_arena *a, ew_diag *d);

/* A catalog of the legacy kernel events: one event per hook id of
 * ntwmi.h (lk_table), provider "Windows Kernel Trace" (no GUID: the
 * events are written by the kernel logger, not a registered provider),
 * id = hook id, task = trace group, opcode = event type byte, no
 * keyword (ntwmi.h does not say which group mask guards a hook: that is
 * in the code). EW_E_NOMEM only. */
ew_status cat_build_legacy_kernel(cat_catalog *c, ew_arena *a, ew_diag *d);

/* Describes one legacy kernel event as a call writes it: hook id and, when
 * known (group_mask non-NULL), the group mask, decomposed into its PERF_*
 * names (never an unexplained hex number where names exist). Fills *ev
 * (provider -1). EW_E_NOMEM only. */
ew_status cat_legacy_kernel_event(cat_event *ev, uint16_t hook_id,
                                  const uint32_t *group_mask, ew_arena *a,
                                  ew_diag *d);

/*
 * The name of a manifest event (binary manifests keep no event symbol).
 * The first rule that gives a name wins:
 *  1. the opcode's own name when the manifest defines it (not a standard
 *     win: opcode): manifests name such opcodes after the event
 *     (clretwrc.dll: EEStartupStart in task Startup, the event symbol
 *     being EEStartupStart_V1; ci.dll: UnsignedDriverLoaded).
 *  2. the task: T = its name, O = a standard opcode's name without
 *     "win:" (none for opcode 0, win:Info): T alone when T already ends
 *     with O (task ProcessStart, win:Start), else T + O (IOThreadCreation
 *     + Stop = IOThreadCreationStop, the symbol clretwrc.dll's source
 *     gives it), as ETW decoders name events.
 *  3. the message: up to CAT_MAX_NAME_WORDS words of its first sentence,
 *     each starting upper case; inserts (%1, %n, %%), asides in () or []
 *     and punctuation dropped ("File System Filter '%5' (Version %2.%3)
 *     unloaded successfully." -> FileSystemFilterUnloadedSuccessfully).
 *  4. "Event" + id ("Event5"): a standard opcode alone is no name.
 * The result is in a (or static); NULL only when a runs out.
 */
const char *cat_manifest_event_name(const char *task, const char *opcode,
                                    uint16_t opcode_value, const char *message,
                                    uint16_t id, ew_arena *a);

/* Lookups for the sites analysis; NULL when absent. */
const cat_provider *cat_find_provider(const cat_catalog *c, cat_kind kind,
                                      const uint8_t guid[16]);
/* The first event of that kind, provider GUID, id and version. */
const cat_event *cat_find_event(const cat_catalog *c, cat_kind kind,
                                const uint8_t guid[16], uint16_t id,
                                uint8_t version);
/* The event whose source RVA is rva (TraceLogging: also rva - 1, the
 * pointer write calls pass). */
const cat_event *cat_find_event_rva(const cat_catalog *c, uint32_t rva);

/* The provider of ev, or NULL. */
static inline const cat_provider *cat_event_provider(const cat_catalog *c,
                                                     const cat_event *ev)
{
    return ev->provider >= 0 && (size_t)ev->provider < c->n_providers
               ? &c->providers[ev->provider]
               : NULL;
}

#endif
