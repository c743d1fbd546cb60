/*
 * wevt.h - the compiled instrumentation manifest (WEVT_TEMPLATE resource).
 *
 * wevt_parse reads the bytes of a WEVT_TEMPLATE resource (a "CRIM" blob,
 * FORMATS.md §2.2-§2.7, versions 3.1 and 5.1) into a wevt_manifest: its
 * providers, and for each provider the channels, levels, opcodes, tasks,
 * keywords, value/bit maps, templates (fields with in/out types, counts,
 * lengths, struct members; names from the item table and from the
 * template's BinXML) and events (the 16-byte EVENT_DESCRIPTOR values plus
 * links to the records above).
 *
 * It does not find the resource in a PE image (pe.h), resolve message ids
 * to text (msgtab.h), nor render anything.
 *
 * Leniency: only an unusable CRIM header fails the parse. A malformed
 * provider block, element, record, string or BinXML fragment is skipped
 * (or its value left NULL) and described by one entry in m->warnings, so
 * the rest of the catalog is still produced; see wevt_warning.
 *
 * Ownership: every pointer in the model points into the arena given to
 * wevt_parse (strings are UTF-8 copies, NUL-terminated); nothing borrows
 * the input bytes, which may be unmapped after the call. Offsets named
 * _off without qualification are CRIM-relative (the format's own unit,
 * FORMATS.md §2.2); warning offsets are file offsets (base_off + CRIM
 * offset).
 */
#ifndef WEVT_H
#define WEVT_H

#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "no message string" in every message id field (FORMATS.md §2.3-§2.5). */
#define WEVT_NO_MESSAGE 0xFFFFFFFFu

/* One non-fatal problem met while parsing. */
typedef struct wevt_warning {
    ew_status status;   /* what kind of problem (EW_E_TRUNCATED, ...) */
    const char *what;   /* arena: the structure, e.g. "WEVT EVNT element" */
    uint64_t off;       /* file offset of the fault */
    const char *detail; /* arena: free text, may be "" */
} wevt_warning;

typedef struct wevt_channel {
    uint32_t value;      /* EVENT_DESCRIPTOR.Channel value (record +8) */
    uint32_t flags;      /* record +0: 1 = imported channel ("System") */
    const char *name;    /* arena; NULL when absent or unreadable */
    uint32_t message_id; /* WEVT_NO_MESSAGE when none */
    uint32_t off;        /* the 16-byte record */
} wevt_channel;

typedef struct wevt_level {
    uint32_t value; /* EVENT_DESCRIPTOR.Level value (0..255 in practice) */
    const char *name;
    uint32_t message_id;
    uint32_t off; /* the 12-byte record */
} wevt_level;

/* An opcode is global (task 0) or defined inside one task: the stored u32
 * is (opcode << 16) | task (verified on clretwrc.dll: GCSuspendEEBegin is
 * 0x000A0001, opcode 10 of task 1 GarbageCollection; win:Start is
 * 0x00010000). */
typedef struct wevt_opcode {
    uint16_t value; /* EVENT_DESCRIPTOR.Opcode value */
    uint16_t task;  /* the task it belongs to; 0 = global */
    const char *name;
    uint32_t message_id;
    uint32_t off; /* the 12-byte record */
} wevt_opcode;

typedef struct wevt_task {
    uint32_t value;   /* EVENT_DESCRIPTOR.Task value */
    uint8_t guid[16]; /* eventGUID of the task; all zero when none */
    const char *name;
    uint32_t message_id;
    uint32_t off; /* the 28-byte record */
} wevt_task;

typedef struct wevt_keyword {
    uint64_t mask; /* the keyword bit(s) */
    const char *name;
    uint32_t message_id;
    uint32_t off; /* the 16-byte record */
} wevt_keyword;

typedef enum wevt_map_kind {
    WEVT_MAP_VALUE = 0, /* "VMAP": value -> string */
    WEVT_MAP_BITMAP,    /* "BMAP": bit -> string */
    WEVT_MAP_KIND_COUNT
} wevt_map_kind;

typedef struct wevt_map_entry {
    uint32_t value;      /* the value, or the bit mask for a bitmap */
    uint32_t message_id; /* its text in the message table */
} wevt_map_entry;

typedef struct wevt_map {
    wevt_map_kind kind;
    uint32_t flags;          /* header +12 as stored (VMAP 0, BMAP 1 seen) */
    const char *name;        /* arena, e.g. "GCReason"; NULL when unreadable */
    wevt_map_entry *entries; /* arena, in stored order */
    size_t n_entries;
    uint32_t off; /* the VMAP/BMAP header */
} wevt_map;

/* Item descriptor flags (+0 of the 20-byte item, FORMATS.md §2.6).
 * Inferred from the corpus, where each agrees with the manifest the
 * template was compiled from (amsi.dll "hash": length="32" -> 0x02;
 * "content": length="contentsize" -> 0x04 with length 5, the index of
 * contentsize; clretwrc.dll "Stack": count="2" -> 0x08; "ILOffsets":
 * count="CountOfMapEntries" -> 0x10 with count 3, that field's index;
 * win32kbase.sys "rcBounds": a struct with a fixed count of 1 -> 0x09). */
#define WEVT_FIELD_STRUCT 0x01u       /* struct: see struct_first/count */
#define WEVT_FIELD_FIXED_LENGTH 0x02u /* length is a byte/char count */
#define WEVT_FIELD_PARAM_LENGTH 0x04u /* length is a field index */
#define WEVT_FIELD_FIXED_COUNT 0x08u  /* count is an element count */
#define WEVT_FIELD_PARAM_COUNT 0x10u  /* count is a field index */

typedef struct wevt_field {
    const char *name;     /* arena; from the item's name string; NULL when
                             unreadable */
    const char *xml_name; /* arena; the name the BinXML gives the field's
                             substitution (the Name attribute of its
                             <Data>, else its element or attribute name;
                             usually == name, but not always: clretwrc.dll
                             MethodILToNativeMap puts ILOffsets in
                             <ClrInstanceID>); NULL for struct members and
                             when the BinXML could not be decoded */
    uint32_t flags;       /* WEVT_FIELD_* as stored */
    uint8_t in_type;      /* TDH_INTYPE numbering (FORMATS.md §2.6); 0 for
                             a struct */
    uint8_t out_type;     /* TDH_OUTTYPE numbering; 0 = default */
    uint16_t count;       /* element count or count-field index (flags) */
    uint16_t length;      /* length or length-field index (flags) */
    uint16_t struct_first; /* struct only: index of its first member in
                              the template's fields; always after the
                              struct's own index, so member walks only
                              move forward */
    uint16_t struct_count; /* struct only: number of members (0 when the
                              stored range was refused, with a warning);
                              struct_first + struct_count <= n_fields */
    uint8_t subst_type;   /* BinXML value type of its substitution (0 when
                             not substituted) */
    uint32_t map_off;     /* the map it is rendered with; 0 = none */
    const wevt_map *map;  /* that map when found in the provider, else NULL */
    uint32_t off;         /* the 20-byte item descriptor */
} wevt_field;

typedef struct wevt_template {
    uint32_t off;        /* the "TEMP" header; what events refer to */
    uint32_t size;       /* bytes, as stored */
    uint8_t guid[16];    /* template id (same as in EVTX files) */
    uint32_t kind;       /* +20: 1 = <EventData>, 2 = <UserData> (stored) */
    wevt_field *fields;  /* arena: all item descriptors; the first n_top are
                            the event's fields in data order (substitution
                            index = field index), struct members follow */
    size_t n_fields;     /* items in all (<= WEVT_MAX_FIELDS) */
    size_t n_top;        /* top-level fields (<= n_fields) */
    const char *root_name; /* arena; outermost BinXML element ("EventData",
                              or the UserData element); NULL if undecoded */
    bool binxml_ok;      /* the BinXML decoded to its end without warning */
} wevt_template;

typedef struct wevt_event {
    /* EVENT_DESCRIPTOR, as stored in the record's first 16 bytes */
    uint16_t id;
    uint8_t version, channel, level, opcode;
    uint16_t task;
    uint64_t keywords;
    uint32_t message_id; /* WEVT_NO_MESSAGE when none */
    uint32_t template_off; /* 0 = no template (no fields) */
    /* The records the event refers to by offset (0 = none), and those
     * records when found in the provider (else NULL, with a warning when
     * the offset was not 0). */
    uint32_t opcode_off, level_off, task_off, channel_off;
    uint32_t n_keyword_offs;   /* record +36: how many KEYW records */
    uint32_t keyword_offs_off; /* record +40: the u32 array of their offs */
    const wevt_template *tmpl;
    const wevt_opcode *opcode_rec;
    const wevt_level *level_rec;
    const wevt_task *task_rec;
    const wevt_channel *channel_rec;
    const wevt_keyword **keyword_recs; /* arena; the named keywords */
    size_t n_keyword_recs;
    uint32_t off; /* the 48-byte record */
} wevt_event;

typedef struct wevt_provider {
    uint8_t guid[16];    /* from the CRIM descriptor, in-memory order */
    const char *name;    /* arena; from the PRVA element (5.1 only); NULL
                            when absent: 3.1 manifests only have the
                            message id */
    uint32_t message_id; /* provider name message; WEVT_NO_MESSAGE if none */
    uint32_t off;        /* the "WEVT" block */
    bool complete;       /* false when its block, an element or a record was
                            malformed and skipped (see warnings) */

    wevt_channel *channels;
    size_t n_channels;
    wevt_level *levels;
    size_t n_levels;
    wevt_opcode *opcodes;
    size_t n_opcodes;
    wevt_task *tasks;
    size_t n_tasks;
    wevt_keyword *keywords;
    size_t n_keywords;
    wevt_map *maps; /* MAPS order */
    size_t n_maps;
    wevt_template *templates; /* TTBL order (ascending off) */
    size_t n_templates;
    wevt_event *events; /* EVNT order */
    size_t n_events;
} wevt_provider;

typedef struct wevt_manifest {
    uint16_t major, minor; /* CRIM version: 3.1 or 5.1 */
    uint32_t size;         /* CRIM size field (<= the resource size) */
    wevt_provider *providers; /* arena; CRIM order; one per descriptor
                                 even when its block is unreadable */
    size_t n_providers;
    wevt_warning *warnings; /* arena; in the order met */
    size_t n_warnings;      /* <= WEVT_MAX_WARNINGS */
    size_t n_warnings_dropped; /* warnings past the cap, only counted */
} wevt_manifest;

/* Parses the size bytes at data (a WEVT_TEMPLATE resource; base_off is
 * their file offset, for messages) into m, allocating from a.
 * Returns EW_OK unless the CRIM header is unusable (too short, wrong
 * signature, unsupported major version, size field or provider count
 * beyond the bytes or WEVT_MAX_PROVIDERS) or the arena runs out
 * (EW_E_NOMEM); then d holds the failure and m is zeroed. Success
 * promises only that what the model holds was read within bounds; check
 * m->n_warnings for what was skipped. */
ew_status wevt_parse(wevt_manifest *m, const uint8_t *data, size_t size,
                     uint64_t base_off, ew_arena *a, ew_diag *d);

/* Lookups; each returns NULL when absent. */
const wevt_provider *wevt_find_provider(const wevt_manifest *m,
                                        const uint8_t guid[16]);
/* The first event with this id and version. */
const wevt_event *wevt_find_event(const wevt_provider *p, uint16_t id,
                                  uint8_t version);
const wevt_channel *wevt_find_channel(const wevt_provider *p, uint32_t value);
const wevt_level *wevt_find_level(const wevt_provider *p, uint32_t value);
/* The opcode defined in task, else the global one (task 0). */
const wevt_opcode *wevt_find_opcode(const wevt_provider *p, uint16_t task,
                                    uint16_t value);
const wevt_task *wevt_find_task(const wevt_provider *p, uint32_t value);
const wevt_template *wevt_find_template(const wevt_provider *p, uint32_t off);

/* "win:UInt32"-style names of TDH in/out types; "" for unknown values. */
const char *wevt_in_type_name(uint8_t in_type);
const char *wevt_out_type_name(uint8_t out_type);

#endif
