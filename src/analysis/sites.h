/*
 * sites.h - every ETW registration and write in an image's code, with its
 * provider and event resolved against the catalog (issue "sites").
 *
 * Two ends meet here (DESIGN.md principle 2):
 *  - the API end: the engine's summary instances (engine.h), i.e. calls to
 *    an ETW API with argument values settled through any wrappers;
 *  - the metadata end: a call that passes the address of a TraceLogging
 *    event blob (+1) or of a 16-byte constant equal to a catalog manifest
 *    event's descriptor, even when nothing names the callee; a function
 *    that reads a blob's fields (an inlined helper); an unwritten
 *    descriptor whose address an instruction takes (the next call);
 *  - other modules (--with): their catalogs, and calls to their exported
 *    wrappers analysed in their own engine.
 *
 * Provider of a manifest write: REGHANDLE argument -> the storage it is
 * loaded from (a global, an MC context's first field, a TraceLogging
 * provider object's RegHandle at +0x20) -> the registration call whose
 * REGHANDLE* argument is that storage -> its GUID (global or copied to the
 * frame) -> catalog. Event: the 16 descriptor bytes (global, frame-built,
 * alternatives) -> catalog event. TraceLogging: provider object -> its
 * metadata pointer at +8 -> provider blob; event pointer -> event blob.
 * Legacy kernel: group mask + hook id. WPP: message GUID + number.
 * Classic TraceEvent: the 48-byte EVENT_TRACE_HEADER (class GUID, type,
 * level, version); its logger handle -> the global the control callback
 * stored GetTraceLoggerHandle's result in -> the registration passing
 * that callback (RegisterTraceGuids) -> its control GUID.
 * What is not resolved carries reasons (st_reason), never a guess.
 */
#ifndef SITES_H
#define SITES_H

#include "analysis/engine.h"
#include "analysis/etw_api.h"
#include "base/ew.h"
#include "base/ew_arena.h"
#include "catalog/catalog.h"

#include <stdbool.h>
#include <stdint.h>

/* Why a site is not fully resolved (bits of st_site.unresolved). */
#define ST_REASONS(X)                                                      \
    X(HANDLE_IS_PARAMETER, "handle-is-parameter")                          \
    X(HANDLE_UNKNOWN, "handle-unknown")                                    \
    X(NO_REGISTRATION, "no-registration")                                  \
    X(GUID_UNKNOWN, "guid-unknown")                                        \
    X(DESCRIPTOR_IS_PARAMETER, "descriptor-is-parameter")                  \
    X(DESCRIPTOR_ON_HEAP, "descriptor-on-heap")                            \
    X(DESCRIPTOR_PARTIAL, "descriptor-partial")                            \
    X(DESCRIPTOR_IMPLAUSIBLE, "descriptor-implausible")                    \
    X(EVENT_NOT_IN_CATALOG, "event-not-in-catalog")                        \
    X(PROVIDER_NOT_IN_CATALOG, "provider-not-in-catalog")                  \
    X(VALUE_IS_PARAMETER, "value-is-parameter")                            \
    X(VALUE_UNKNOWN, "value-unknown")                                      \
    X(INDIRECT_CALL, "indirect-call")                                      \
    X(API_NOT_RECOGNISED, "api-not-recognised")                            \
    X(BUDGET, "budget")

typedef enum st_reason_bit {
#define X(id, text) ST_R_BIT_##id,
    ST_REASONS(X)
#undef X
        ST_R_COUNT
} st_reason_bit;

#define ST_R(id) (1u << ST_R_BIT_##id)
const char *st_reason_name(unsigned bit); /* "handle-is-parameter", ... */

/* What the site does. */
typedef enum st_action {
    ST_WRITE = 0,      /* writes an event */
    ST_REGISTER,
    ST_UNREGISTER,
    ST_SUPPORT,        /* set-information, enabled checks */
} st_action;

typedef struct st_site {
    uint32_t fn;         /* function index (engine fns) holding site_rva */
    uint32_t site_rva;   /* the call where the values were settled */
    uint32_t sink_fn;    /* function holding the API call itself */
    uint32_t sink_site;  /* the API call (== site_rva when no wrapper) */
    const etw_api *api;  /* NULL for metadata-end sites with no known API */
    const char *api_name; /* api->name, or the callee's name, or NULL */
    st_action action;
    cat_kind kind;       /* manifest, tracelogging, legacy-kernel, wpp,
                            classic */
    bool string_write;   /* EtwWriteString: level/keyword/string only */
    uint32_t via[8];     /* wrapper function indices, outermost first */
    uint8_t n_via;

    /* provider */
    bool has_guid;
    uint8_t guid[16];
    const cat_provider *provider; /* catalog entry, or NULL */
    const char *provider_symbol;  /* PDB symbol of the GUID, or NULL */
    bool has_handle_rva;
    uint32_t handle_rva;          /* REGHANDLE storage (or provider object) */
    const char *handle_symbol;    /* PDB symbol at handle_rva, or NULL */
    uint32_t registration_site;   /* the register call used, or 0 */
    const char *provider_by;      /* how: "registration", "guid-argument",
                                     "tracelogging-object", "wpp-guid" ... */

    /* event */
    bool has_descriptor;          /* manifest: the 16 bytes below are known */
    uint16_t id;
    uint8_t version, channel, level, opcode;
    uint16_t task;
    uint64_t keyword;
    bool has_descriptor_rva;
    uint32_t descriptor_rva;      /* a global descriptor / event blob */
    const char *event_symbol;     /* PDB symbol of the descriptor, or NULL */
    const cat_event *event;       /* catalog entry (from catalog or a
                                     --with catalog), or NULL */
    const char *event_by;         /* "descriptor-global", "descriptor-frame",
                                     "tracelogging-blob", "constants", ... */
    /* legacy kernel */
    bool has_group_mask, has_hook_id;
    uint32_t group_mask;
    uint16_t hook_id;
    /* WPP */
    bool has_message;
    uint8_t message_guid[16];
    uint16_t message_number;
    /* classic TraceEvent: the EVENT_TRACE_HEADER's event class GUID and
     * type (the MOF EventType) and version; its level goes in level */
    bool has_class;         /* the type is known (level: has_level) */
    bool has_class_version;
    bool has_class_guid;
    uint8_t class_guid[16];
    uint8_t class_type;
    uint16_t class_version; /* Class.Version is 16 bits */
    /* EtwWriteString */
    bool has_level, has_keyword;
    const char *string;           /* UTF-8 copy of a constant string */

    uint32_t unresolved;          /* ST_R_* bits; 0 = fully resolved */

    /* a write in another module (--with), through its exported wrapper:
     * the module's file name and the functions there, outermost first */
    const char *module;
    const char *ext_via[8];
    uint8_t n_ext_via;
} st_site;

typedef struct st_sites {
    st_site *sites; /* sorted by (function rva, site_rva, sink_site,
                       action, event id, version) */
    size_t n;
    ew_arena arena;
} st_sites;

/* Another module the image imports from, analysed on its own (--with):
 * a call to one of its exported wrappers is a site of this image. */
typedef struct st_foreign {
    const char *file;      /* its file name, matched against import DLLs */
    const engine *e;
    const st_sites *sites; /* its own sites */
} st_foreign;

/* Extra catalogs to resolve against (--with modules, e.g. a resource-only
 * DLL holding the manifest of the image's provider), and modules whose
 * exported wrappers the image calls. */
typedef struct st_options {
    const cat_catalog *const *extra; /* borrowed */
    size_t n_extra;
    const st_foreign *foreign;       /* borrowed */
    size_t n_foreign;
} st_options;

/* Finds and resolves the sites of e's image against cat (its own catalog)
 * and o's extra catalogs. e, cat and the catalogs must outlive out.
 * EW_E_NOMEM only. */
ew_status st_find(st_sites *out, const engine *e, const cat_catalog *cat,
                  const st_options *o, ew_diag *d);
void st_free(st_sites *s);

/* "write", "register", "unregister", "support". */
const char *st_action_name(st_action a);

#endif
