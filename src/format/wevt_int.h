/*
 * wevt_int.h - what wevt.c and wevt_binxml.c share; not for other modules.
 *
 * On-disk layouts (all little-endian, all offsets CRIM-relative; verified
 * on the seven corpus manifests listed in ../shared/corpus/MANIFEST.tsv,
 * which is where the fields FORMATS.md §2 calls "unknown" got names):
 *
 *   CRIM header (16)   "CRIM" | u32 size | u16 major | u16 minor |
 *                      u32 n_providers, then n x {GUID (16), u32 WEVT off}
 *   WEVT block (16)    "WEVT" | u32 size | u32 name message id |
 *                      u32 n_elements, then n x {u32 kind, u32 element
 *                      off}. FORMATS.md §2.3 (after libfwevt) reads a
 *                      20-byte header and {off, unknown} pairs; the
 *                      corpus disagrees: with 8 descriptors the 20-byte
 *                      reading runs into the first element (amsi.dll:
 *                      CHAN at block + 16 + 8*8). 3.1 blocks add 32 zero
 *                      bytes after the descriptors; nothing reads them.
 *                      The kind u32 (0 LEVL, 1 TASK, 2 OPCO, 3 KEYW,
 *                      4 EVNT, 5 CHAN, 6 MAPS, 7 TTBL, 13 PRVA) is not
 *                      trusted: elements are told apart by signature.
 *   element header     sig[4] | u32 size (0 when empty) | u32 count
 *   CHAN record (16)   u32 flags | u32 name off | u32 value | u32 msg id
 *   LEVL record (12)   u32 value | u32 msg id | u32 name off
 *   OPCO record (12)   u32 (opcode << 16 | task) | u32 msg id | u32 name
 *   TASK record (28)   u32 value | u32 msg id | GUID | u32 name off
 *   KEYW record (16)   u64 mask | u32 msg id | u32 name off
 *   MAPS               header, then count x u32 map off
 *   VMAP/BMAP (20)     sig | u32 size | u32 name off | u32 flags |
 *                      u32 count, then count x {u32 value, u32 msg id}
 *   PRVA               header, then count x {u32 attribute, u32 string
 *                      off}; attribute 0x10000001 is the provider name
 *   TTBL               header, then count TEMP definitions back to back
 *   EVNT               header + u32 (0), then count x 48-byte records:
 *     +0  EVENT_DESCRIPTOR (16)      +28 u32 LEVL record off
 *     +16 u32 message id             +32 u32 TASK record off
 *     +20 u32 TEMP off               +36 u32 number of KEYW records
 *     +24 u32 OPCO record off        +40 u32 off of that many u32 KEYW
 *                                        record offs
 *                                    +44 u32 CHAN record off
 *   name string        u32 size (including itself) | UTF-16LE, NUL-ended
 *   TEMP (40)          "TEMP" | u32 size | u32 n_top (substitutions) |
 *                      u32 n_items (all item descriptors, struct members
 *                      included; FORMATS.md's "number of names") |
 *                      u32 items off | u32 kind | GUID, then the BinXML
 *                      fragment up to items off, then n_items x 20 bytes:
 *     +0 u32 flags (WEVT_FIELD_*)   +8  u32 map off
 *     +4 u8 in type, u8 out type    +12 u16 count, +14 u16 length
 *        (struct: u16 first member) +16 u32 name off
 *     +6 u16 (struct: member count)
 */
#ifndef WEVT_INT_H
#define WEVT_INT_H

#include "format/wevt.h"

#include "base/ew_rd.h"

/* Sizes of the fixed records above. */
#define WEVT_CRIM_HEADER_SIZE 16u
#define WEVT_PROVIDER_DESC_SIZE 20u
#define WEVT_BLOCK_HEADER_SIZE 16u
#define WEVT_ELEMENT_DESC_SIZE 8u
#define WEVT_ELEMENT_HEADER_SIZE 12u
#define WEVT_EVNT_HEADER_SIZE 16u
#define WEVT_EVENT_SIZE 48u
#define WEVT_MAP_HEADER_SIZE 20u
#define WEVT_TEMP_HEADER_SIZE 40u
#define WEVT_ITEM_SIZE 20u
/* PRVA attribute holding the provider's name. */
#define WEVT_PRVA_NAME 0x10000001u

/* Parser state shared by the wevt_*.c files. */
typedef struct wevt_ctx {
    ew_rd crim;        /* [0, CRIM size) of the input; reports to scratch */
    ew_diag scratch;   /* failures of recoverable reads land here, become a
                          warning, and are cleared */
    ew_arena *a;
    wevt_manifest *m;
    ew_vec warnings;   /* of wevt_warning */
} wevt_ctx;

/* Records a warning. off is CRIM-relative. Returns EW_E_NOMEM when the
 * arena is exhausted, else EW_OK. */
ew_status wevt_warn(wevt_ctx *c, ew_status s, const char *what, uint32_t off,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Turns the failure in c->scratch (if any) into a warning and clears it;
 * returns EW_E_NOMEM when that fails, else EW_OK. */
ew_status wevt_warn_scratch(wevt_ctx *c);

/* Reads the name string at off into *out (arena UTF-8). On bad input:
 * a warning naming what, *out = NULL and EW_OK; EW_E_NOMEM only when the
 * arena is exhausted. */
ew_status wevt_read_name(wevt_ctx *c, uint32_t off, const char *what,
                         const char **out);

/* Parses the TEMP definition at off (size bytes, already checked to lie
 * in the CRIM) into t: header, items and BinXML field names. Problems
 * become warnings; returns EW_E_NOMEM or EW_OK, except EW_E_BAD_VALUE (with
 * a warning) when the header itself is unusable and t must be dropped. */
ew_status wevt_parse_template(wevt_ctx *c, uint32_t off, uint32_t size,
                              wevt_template *t);

#endif
