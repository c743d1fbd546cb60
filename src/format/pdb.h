/*
 * pdb.h - what etwmap takes from a PDB: identity, sections, modules, public
 * and global symbols, and (on request) S_ANNOTATION records.
 *
 * Reads the MSF container (msf.h), the PDB info stream, the DBI stream and
 * its substreams, the symbol record stream and, with PDB_LOAD_ANNOTATIONS,
 * the modules' symbol streams. Does not read types (TPI/IPI), line numbers,
 * the publics/globals hash tables (the symbol record stream holds the same
 * records) or the named stream map. FORMATS.md §4.
 *
 * Addresses: records store seg:off with a 1-based section number; RVA =
 * section[seg-1].VirtualAddress + off using the section header stream (DBI
 * optional debug header [5]). When OmapFromSrc ([4]) is non-empty the
 * addresses are in the pre-rewrite layout: seg:off goes through the original
 * section headers ([10], else [5]) and then through the OMAP table. A seg:off
 * that maps nowhere keeps has_rva false; that is data, not an error.
 */
#ifndef PDB_H
#define PDB_H

#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Symbol record kinds etwmap reads (cvinfo.h). */
#define PDB_S_ANNOTATION 0x1019
#define PDB_S_LPROC32 0x110F    /* module streams: a static function */
#define PDB_S_GPROC32 0x1110
#define PDB_S_LPROC32_ID 0x1146
#define PDB_S_GPROC32_ID 0x1147
#define PDB_S_LDATA32 0x110C
#define PDB_S_GDATA32 0x110D
#define PDB_S_PUB32 0x110E
#define PDB_S_LTHREAD32 0x1112
#define PDB_S_GTHREAD32 0x1113
#define PDB_S_PROCREF 0x1125
#define PDB_S_DATAREF 0x1126
#define PDB_S_LPROCREF 0x1127
#define PDB_S_ANNOTATIONREF 0x1128
#define PDB_S_CONSTANT 0x1107

/* CV_PUBSYMFLAGS */
#define PDB_PUB_CODE 0x1u
#define PDB_PUB_FUNCTION 0x2u
#define PDB_PUB_MANAGED 0x4u
#define PDB_PUB_MSIL 0x8u

#define PDB_NO_STREAM 0xFFFFu

typedef struct pdb_symbol {
    const char *name;     /* borrowed (file) or arena; NUL-terminated */
    uint32_t rva;         /* valid when has_rva */
    bool has_rva;         /* false when seg:off maps to no section */
    uint16_t seg;         /* 1-based section; 0 for references */
    uint32_t off;         /* offset in seg */
    uint16_t kind;        /* PDB_S_* */
    uint32_t flags;       /* S_PUB32: PDB_PUB_* */
    uint32_t type_index;  /* data and thread symbols */
    uint16_t module;      /* *REF: 1-based module */
    uint32_t sym_off;     /* *REF: offset in that module's symbol stream */
} pdb_symbol;

typedef struct pdb_module {
    const char *name, *obj_name; /* borrowed or arena; NUL-terminated */
    uint16_t sym_stream;         /* PDB_NO_STREAM or a valid stream index */
    uint32_t sym_size;           /* bytes of symbols, <= the stream's size */
} pdb_module;

typedef struct pdb_annotation {
    uint32_t rva;          /* valid when has_rva */
    bool has_rva;
    uint16_t seg;
    uint32_t off;
    const char **strings;  /* arena array of n_strings borrowed/arena
                              NUL-terminated strings */
    uint16_t n_strings;
    uint16_t module;       /* 1-based module whose stream holds it */
} pdb_annotation;

typedef struct pdb_section {
    char name[9];          /* NUL-terminated, may be shorter than 8 */
    uint32_t rva, vsize;   /* VirtualAddress, VirtualSize */
    uint32_t raw_size;     /* SizeOfRawData */
    uint32_t characteristics;
} pdb_section;

typedef struct pdb_file {
    const char *path;      /* borrowed from the caller */
    /* PDB info stream (stream 1) */
    uint32_t info_version, signature, age;
    uint8_t guid[16];      /* as stored (in-memory GUID order) */
    /* DBI stream (stream 3); has_dbi false when it is absent or empty */
    uint32_t dbi_age;
    uint16_t machine;
    bool has_dbi;
    pdb_section *sections; /* arena: DBI optional header [5] */
    size_t n_sections;
    bool has_omap;         /* OmapFromSrc non-empty; RVAs were translated */
    pdb_module *modules;   /* arena; modules[i] is module i+1 */
    size_t n_modules;
    /* Sorted by (rva, name) for has_rva symbols, which come first; then
     * the others by (seg, off, name). Further keys make the order total. */
    pdb_symbol *publics;   /* S_PUB32 */
    size_t n_publics;
    pdb_symbol *globals;   /* data, thread and *REF records */
    size_t n_globals;
    /* S_ANNOTATION from module streams, only with PDB_LOAD_ANNOTATIONS;
     * sorted by (has_rva first, rva, module, position in its stream). */
    pdb_annotation *annotations;
    size_t n_annotations;
    /* S_LPROC32/S_GPROC32 (and _ID) from module streams, only with
     * PDB_LOAD_PROCEDURES: every function with its name, static ones
     * included (publics name only the external ones); sorted like
     * publics (rva, then name) */
    pdb_symbol *procs;
    size_t n_procs;
    ew_arena arena;
    /* private: indexes and address translation */
    size_t n_publics_rva;        /* publics[0..n) have has_rva */
    const pdb_symbol **publics_by_name; /* arena: sorted by name */
    const pdb_symbol **globals_by_name;
    pdb_section *orig_sections;  /* arena: [10] SectionHdrOrig */
    size_t n_orig_sections;
    uint32_t *omap;              /* arena: n_omap {from, to} pairs, sorted */
    size_t n_omap;
    uint64_t guid_file_off;      /* file offset of the info stream GUID */
} pdb_file;

#define PDB_LOAD_ANNOTATIONS 1u
#define PDB_LOAD_PROCEDURES 2u

/* Parses data[0..size) (a whole PDB file). data must outlive pdb: names and
 * annotation strings may point into it. On success release with
 * pdb_close. On failure d names the structure ("MSF superblock", "DBI
 * header", "symbol record 1234" ...) and its file offset, nothing is left
 * allocated and pdb is zeroed (pdb_close on it is harmless). */
ew_status pdb_open(pdb_file *pdb, const uint8_t *data, size_t size,
                   const char *path, unsigned flags, ew_diag *d);
void pdb_close(pdb_file *pdb);

/* Exact-name lookups, O(log n); with duplicates, the first in sort order.
 * NULL when absent. */
const pdb_symbol *pdb_find_public(const pdb_file *pdb, const char *name);
const pdb_symbol *pdb_find_global(const pdb_file *pdb, const char *name);

/* The public with the greatest RVA <= rva; among publics at that RVA, a
 * function (PDB_PUB_FUNCTION), else code, else the first by name. It may lie
 * in another section than rva: callers that care compare sections. NULL
 * when no public is at or before rva. */
const pdb_symbol *pdb_find_by_rva(const pdb_file *pdb, uint32_t rva);

/* The name of the public or global (data) symbol exactly at rva, or NULL:
 * what a reader wants to call an address. */
const char *pdb_symbol_at(const pdb_file *pdb, uint32_t rva);
/* The procedure (PDB_LOAD_PROCEDURES) starting at rva, or NULL. */
const pdb_symbol *pdb_find_proc(const pdb_file *pdb, uint32_t rva);

/* seg:off -> RVA as the symbols were mapped (sections, OMAP). */
bool pdb_rva_of(const pdb_file *pdb, uint16_t seg, uint32_t off,
                uint32_t *rva);

/* Does this PDB belong to the image whose RSDS record has guid/age? GUIDs
 * must be equal; the age matches when the DBI age equals it, or, without a
 * DBI stream, when the info-stream age is >= it (FORMATS.md §4.2). EW_OK, or
 * EW_E_MISMATCH with expected and found GUID and age in d. */
ew_status pdb_match(const pdb_file *pdb, const uint8_t guid[16], uint32_t age,
                    ew_diag *d);

#endif
