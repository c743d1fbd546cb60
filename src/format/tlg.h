/*
 * tlg.h - TraceLogging (ETW0) metadata in a PE image: the catalog of the
 * providers and events a binary describes (FORMATS.md §1).
 *
 * tlg_find_header locates the _TraceLoggingMetadata_t header; tlg_parse
 * walks the blob stream behind it (tlg_walk, usable on raw bytes) into a
 * tlg_catalog. It reads metadata only: which code writes which event (the
 * provider object, the event pointer at a call site) is the site
 * analysis's job, and it joins providers to events, because event blobs do
 * not name their provider (FORMATS.md §1.7, §1.9).
 *
 * Layout (FORMATS.md §1.2-§1.6), all packed, little-endian:
 *
 *   header   "ETW0" u16 size=16 u8 version=0 u8 flags(bit0 ptr64)
 *            u64 magic 0xBB8A052B88040E86; 8-aligned
 *   blobs    1-byte aligned, first byte = type; 0 = padding, 1 = end
 *     type 4 (Provider3)  u8 type, GUID id, u16 rem, name\0, traits
 *     type 2 (Provider)   u8 type, u16 rem, name\0, traits   (no GUID)
 *     type 3/6 (Event3/4) u8 type, u8 channel, u8 level, u8 opcode,
 *                         u64 keyword, u16 rem, tags, name\0, fields
 *     type 5 (Event2)     u8 type, u8 level, u8 opcode, u16 task,
 *                         u64 keyword, u16 rem, tags, name\0, fields
 *   rem counts the bytes from itself to the end of the blob.
 *   traits   chunks {u16 size (incl. these 3 bytes), u8 type, data}
 *   tags     bytes until one has bit 7 clear (28-bit value, §1.6)
 *   field    name\0, u8 in; [u8 out if in & 0x80; [tags if out & 0x80]];
 *            [u16 count if (in & 0x60) == 0x20];
 *            [u16 n, n bytes type info if (in & 0x60) == 0x60]
 *
 * Problems inside a blob are warnings in the catalog (structure, file
 * offset, rva); the walk goes on after a blob whose length is known and
 * stops where it cannot know where the next blob starts. Only a broken
 * header is an error.
 */
#ifndef TLG_H
#define TLG_H

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_rd.h"
#include "format/pe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TraceLoggingProvider.h: _TlgSignature / _TlgMagic (FORMATS.md §1.2). */
#define TLG_SIGNATURE "ETW0"
#define TLG_MAGIC 0xBB8A052B88040E86ull
#define TLG_HEADER_SIZE 16

/* _TlgBlob_t (FORMATS.md §1.3); the first byte of each blob. */
typedef enum tlg_blob_type {
    TLG_BLOB_NONE = 0,      /* padding byte */
    TLG_BLOB_END = 1,       /* end of the stream */
    TLG_BLOB_PROVIDER = 2,  /* old provider blob, no GUID */
    TLG_BLOB_EVENT3 = 3,    /* event, id derived from its offset */
    TLG_BLOB_PROVIDER3 = 4, /* provider with GUID */
    TLG_BLOB_EVENT2 = 5,    /* old event (level, opcode, task) */
    TLG_BLOB_EVENT4 = 6,    /* event, id 0 */
    TLG_BLOB_TYPE_COUNT
} tlg_blob_type;

/* InType (TlgIn_t, FORMATS.md §1.8): low 5 bits are the type, 0x60 the
 * count kind, 0x80 says an OutType byte follows. */
#define TLG_IN_TYPE_MASK 0x1Fu
#define TLG_IN_COUNT_MASK 0x60u
#define TLG_IN_CHAIN 0x80u
#define TLG_IN_STRUCT 24u     /* _TlgInSTRUCT: OutType = member count */
#define TLG_IN_TYPE_COUNT 26u /* 0..25 defined */
/* OutType (TlgOut_t): low 7 bits; 0x80 says field tags follow. */
#define TLG_OUT_TYPE_MASK 0x7Fu
#define TLG_OUT_CHAIN 0x80u

/* How many values a field holds: (InType & 0x60) >> 5. */
typedef enum tlg_count_kind {
    TLG_COUNT_SCALAR = 0, /* one value */
    TLG_COUNT_CONST = 1,  /* _TlgInCcount: value_count in the metadata */
    TLG_COUNT_VAR = 2,    /* TlgInVcount: a u16 count precedes the data */
    TLG_COUNT_CUSTOM = 3, /* custom serializer; type_info describes it */
    TLG_COUNT_KIND_COUNT
} tlg_count_kind;

/* Where a provider's GUID comes from. */
typedef enum tlg_guid_source {
    TLG_GUID_STORED = 0,    /* in the blob (type 4) */
    TLG_GUID_NAME_HASH = 1, /* type 2 has none: derived from the name
                               (tlg_guid_from_name) */
    TLG_GUID_UNKNOWN = 2,   /* type 2 whose name cannot be hashed (not
                               ASCII, or missing) */
    TLG_GUID_SOURCE_COUNT
} tlg_guid_source;

typedef struct tlg_header {
    uint32_t rva; /* of the "ETW0" signature */
    uint8_t version;
    uint8_t flags; /* bit 0: 64-bit pointers */
} tlg_header;

typedef struct tlg_provider {
    uint32_t rva;        /* of the type byte; the blob lies in the walk */
    uint32_t size;       /* bytes in the blob */
    uint32_t traits_rva; /* of the RemainingSize field: the provider
                            object's ProviderMetadataPtr points here */
    uint8_t blob_type;   /* TLG_BLOB_PROVIDER3 or TLG_BLOB_PROVIDER */
    bool complete;       /* false: a warning cut the blob short */
    const char *name;    /* borrowed: input bytes, NUL-terminated there;
                            NULL when unreadable */
    uint8_t guid[16];    /* in-memory GUID order; all 0 when UNKNOWN */
    tlg_guid_source guid_source;
    bool guid_is_name_hash; /* the stored GUID equals the name's hash */
    bool has_group;
    uint8_t group_guid[16]; /* EtwProviderTraitTypeGroup */
    bool has_decode_guid;
    uint8_t decode_guid[16]; /* EtwProviderTraitDecodeGuid */
    uint16_t n_other_traits; /* trait chunks of other types (skipped) */
} tlg_provider;

typedef struct tlg_field {
    const char *name; /* borrowed: input bytes, NUL-terminated there */
    uint8_t in_raw;   /* InType byte as stored */
    uint8_t in_type;  /* in_raw & TLG_IN_TYPE_MASK */
    bool has_out;     /* in_raw & TLG_IN_CHAIN */
    uint8_t out_raw;  /* OutType byte as stored; 0 when !has_out */
    uint8_t out_type; /* out_raw & TLG_OUT_TYPE_MASK; for a struct, its
                         member count */
    tlg_count_kind count_kind;
    uint16_t value_count;     /* TLG_COUNT_CONST: elements; else 0 */
    uint32_t tags;            /* 28-bit field tag (0 when none) */
    const uint8_t *type_info; /* borrowed: TLG_COUNT_CUSTOM's bytes */
    uint16_t type_info_size;
    uint16_t n_members; /* in_type == TLG_IN_STRUCT: logical fields that
                           follow and belong to it (nested structs count
                           as one) */
    uint8_t depth;      /* 0 = top level; struct members = parent + 1 */
    int32_t parent;     /* index in the event's fields of the enclosing
                           struct, -1 at top level */
} tlg_field;

typedef struct tlg_event {
    uint32_t rva;      /* of the type byte; code passes rva + 1 (the
                          Channel byte) to the write helper */
    uint32_t size;     /* bytes in the blob */
    uint8_t blob_type; /* TLG_BLOB_EVENT4, _EVENT3 or _EVENT2 */
    bool complete;     /* false: a warning cut the blob short */
    const char *name;  /* borrowed: input bytes, NUL-terminated there;
                          NULL when unreadable */
    uint8_t channel;   /* Event2 has none: 11 (TraceLogging) implied */
    uint8_t level, opcode;
    uint16_t task; /* Event2 only; 0 otherwise */
    uint64_t keyword;
    uint32_t tags; /* 28-bit event tag */
    bool has_id;   /* id/version are what the runtime puts in the
                      EVENT_DESCRIPTOR (FORMATS.md §1.7): Event4 0/0,
                      Event3 from the offset; Event2: not known */
    uint16_t id;
    uint8_t version;
    tlg_field *fields; /* arena */
    size_t n_fields;
} tlg_event;

/* A problem inside one blob or the stream. diag names the structure and
 * file offset (diag.file is borrowed from the caller's diag). */
typedef struct tlg_warning {
    uint32_t rva; /* of the blob (or stream position) at fault */
    ew_diag diag;
} tlg_warning;

typedef struct tlg_catalog {
    bool has_header; /* false: the image has no TraceLogging metadata
                        (everything below is empty) */
    tlg_header header;
    bool ptr64;          /* header flag bit 0 (provider object layout,
                            FORMATS.md §1.9) */
    uint32_t blobs_rva;  /* the walked range: header end ... */
    uint32_t blobs_size; /* ... its length */
    bool has_end;        /* the end marker was reached */
    uint32_t end_rva;    /* of the end marker (when has_end) */

    tlg_provider *providers; /* arena; in stream order (ascending rva) */
    size_t n_providers;
    tlg_event *events; /* arena; in stream order (ascending rva) */
    size_t n_events;
    tlg_warning *warnings; /* arena; at most TLG_MAX_WARNINGS */
    size_t n_warnings;
    size_t n_warnings_dropped; /* past the cap */
} tlg_catalog;

/* Finds the header: first at the POGO ".rdata$zETW0" entry when the image
 * has one, else by scanning initialised, non-executable sections. Returns
 * false when there is none. Never fails on malformed input: a candidate
 * whose size or magic is wrong is not a header. Records nothing in any
 * diag. */
bool tlg_find_header(const pe_image *img, tlg_header *out);

/* The catalog of img. Finds the header (tlg_find_header), bounds the
 * stream by the POGO "$zETW*" entries behind it when the image has them,
 * else by the file-backed end of the header's section, and walks it.
 * Returns EW_OK with has_header false when there is no header. Fails only
 * when the POGO ".rdata$zETW0" entry points at bytes that are not a valid
 * header (EW_E_BAD_MAGIC, EW_E_TRUNCATED; d names "TraceLogging header"
 * and its file offset) or on EW_E_NOMEM. Everything the catalog points to
 * is in a (arena) or img's bytes; on failure c is empty. */
ew_status tlg_parse(tlg_catalog *c, const pe_image *img, ew_arena *a,
                    ew_diag *d);

/* The walk itself: blobs is a reader over the bytes right after the
 * header (so the header is at blobs_rva - 16; Event3 ids are offsets from
 * it), its base_off their file offset. Fills c (zeroed first, then
 * has_header false: the caller sets header) with what the stream holds up
 * to the end marker. blobs_rva + blobs->size must not pass 2^32
 * (EW_E_BAD_VALUE). Input problems are warnings in c, never failures;
 * returns EW_E_NOMEM when a runs out, with d filled. */
ew_status tlg_walk(tlg_catalog *c, const ew_rd *blobs, uint32_t blobs_rva,
                   bool ptr64, ew_arena *a, ew_diag *d);

/* The event whose blob starts at rva, or whose Channel byte is at rva
 * (the pointer code passes), or NULL. Binary search. */
const tlg_event *tlg_find_event(const tlg_catalog *c, uint32_t rva);
/* The provider whose blob starts at rva or whose RemainingSize field (what
 * ProviderMetadataPtr holds) is at rva, or NULL. */
const tlg_provider *tlg_find_provider(const tlg_catalog *c, uint32_t rva);

/* The GUID ETW tools derive from a provider name (the EventSource
 * convention: SHA-1 over a fixed namespace and the upper-cased UTF-16BE
 * name, version nibble 5). Verified against the example in Microsoft's
 * TRACELOGGING_DEFINE_PROVIDER page ("MyCompany.MyComponent" ->
 * ce5fa4ea-ab00-5402-8b76-9f76ac858fb5) and fltMgr.sys's stored GUID for
 * "Microsoft.Windows.TlgAggregateInternal". Upper-casing is done for ASCII
 * only: returns false (out untouched) when name has a byte >= 0x80. */
bool tlg_guid_from_name(const char *name, size_t len, uint8_t out[16]);

/* "UINT32", "STRUCT", ...; "?" for undefined values. Never NULL. */
const char *tlg_in_type_name(uint8_t in_type);
/* "HEX", "NTSTATUS", ...; "" for 0 (none), "?" undefined. Never NULL. */
const char *tlg_out_type_name(uint8_t out_type);
/* "Event4", "Provider3", ...; "?" otherwise. Never NULL. */
const char *tlg_blob_type_name(uint8_t blob_type);

#endif
