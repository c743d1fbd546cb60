/*
 * pe.h - the PE/COFF image model: headers, sections, directories.
 *
 * pe_open reads a PE32 or PE32+ image (x86, x64, ARM64; .exe, .dll, .sys,
 * kernel images) from bytes the caller keeps mapped, validates the headers
 * in stages and parses every directory etwmap uses: exports, imports and
 * delay-load imports, the exception directory (.pdata), base relocations,
 * the debug directory (CodeView, POGO), the load config (CFG function
 * table) and the resource tree. Anything malformed makes pe_open fail with
 * one diagnostic naming the structure and its file offset; the few
 * quirks real Microsoft binaries have are accepted where the Windows loader
 * accepts them (see the comments in pe*.c).
 *
 * It does not decode code, read resources' contents (WEVT, message tables:
 * wevt.c, msgtable.c), TraceLogging blobs (tlg.c) or the certificate table.
 *
 * Addresses are RVAs (uint32_t) unless named _va (absolute, as stored) or
 * _off (file offset). Strings marked "file" below are borrowed from the
 * input bytes (NUL-terminated there, at most PE_MAX_NAME bytes): they live
 * as long as those bytes stay mapped, like pe_image.data; "arena" ones
 * until pe_close. Layout references: Microsoft "PE Format" (PE/COFF
 * specification); FORMATS.md §2.1 (resources) and §4.7 (RSDS).
 */
#ifndef PE_H
#define PE_H

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_rd.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IMAGE_FILE_MACHINE_* values etwmap knows by name. */
#define PE_MACHINE_I386 0x014Cu
#define PE_MACHINE_ARMNT 0x01C4u
#define PE_MACHINE_AMD64 0x8664u
#define PE_MACHINE_ARM64 0xAA64u
#define PE_MACHINE_ARM64EC 0xA641u
#define PE_MACHINE_ARM64X 0xA64Eu

/* Data directory indices (IMAGE_DIRECTORY_ENTRY_*). */
enum pe_dir_index {
    PE_DIR_EXPORT = 0,
    PE_DIR_IMPORT = 1,
    PE_DIR_RESOURCE = 2,
    PE_DIR_EXCEPTION = 3,
    PE_DIR_SECURITY = 4, /* a file offset, not an RVA */
    PE_DIR_BASERELOC = 5,
    PE_DIR_DEBUG = 6,
    PE_DIR_ARCHITECTURE = 7,
    PE_DIR_GLOBALPTR = 8,
    PE_DIR_TLS = 9,
    PE_DIR_LOAD_CONFIG = 10,
    PE_DIR_BOUND_IMPORT = 11,
    PE_DIR_IAT = 12,
    PE_DIR_DELAY_IMPORT = 13,
    PE_DIR_CLR = 14,
    PE_DIR_RESERVED = 15,
    PE_DIR_COUNT = 16
};

/* Debug directory types used here (IMAGE_DEBUG_TYPE_*). */
#define PE_DEBUG_TYPE_CODEVIEW 2u
#define PE_DEBUG_TYPE_POGO 13u

/* Resource types used by etwmap (RT_*). */
#define PE_RT_MESSAGETABLE 11u

typedef struct pe_data_dir {
    uint32_t rva, size; /* as stored; 0/0 when absent */
} pe_data_dir;

typedef struct pe_section {
    char name[9]; /* the 8 raw bytes, NUL-terminated */
    uint32_t rva, vsize, raw_off, raw_size, characteristics;
} pe_section;

typedef struct pe_export {
    const char *name;      /* file; NULL if exported by ordinal only */
    uint32_t ordinal;      /* biased (Base + index) */
    uint32_t rva;          /* 0 for forwarders; < size_of_image otherwise */
    const char *forwarder; /* file; "DLL.Name" or NULL */
} pe_export;

typedef struct pe_import {
    const char *dll;  /* file */
    const char *name; /* file; NULL when by ordinal */
    uint16_t ordinal; /* valid when name == NULL */
    uint16_t hint;
    uint32_t iat_rva; /* RVA of the IAT slot; < size_of_image */
    bool delay;       /* from the delay-load directory */
    bool va_based;    /* delay descriptor of the old VA-based kind
                         (Attributes bit 0 clear); its VAs were rebased */
} pe_import;

typedef struct pe_runtime_function {
    uint32_t begin_rva, end_rva; /* begin < end <= size_of_image (ARM64:
                                    begin <= end) */
    uint32_t unwind_rva; /* UNWIND_INFO (x64) or .xdata (ARM64); 0 for ARM64
                            packed unwind data */
    uint32_t primary_rva; /* begin of the primary function after following
                             chained unwind info (== begin_rva when not
                             chained; always so on ARM64) */
} pe_runtime_function;

typedef struct pe_reloc {
    uint32_t rva;  /* < size_of_image */
    uint8_t type;  /* IMAGE_REL_BASED_* (never 0, ABSOLUTE padding) */
} pe_reloc;

typedef struct pe_debug_entry {
    uint32_t type, size, rva, file_off, timestamp; /* as stored */
} pe_debug_entry;

typedef struct pe_codeview {
    bool present;      /* an RSDS record was found */
    uint8_t guid[16];  /* in-memory GUID byte order as stored */
    uint32_t age;
    const char *pdb_path; /* file; also set for NB10 */
    bool nb10;            /* an old NB10 record (no GUID) was found instead */
    uint32_t nb10_signature; /* NB10 timestamp signature */
} pe_codeview;

/* From debug type 13, after its u32 signature (pe_image.pogo_signature). */
typedef struct pe_pogo_entry {
    uint32_t rva, size;
    const char *name; /* file, e.g. ".text$mn" */
} pe_pogo_entry;

typedef struct pe_load_config {
    bool present;
    uint32_t size; /* the structure's own Size field; fields past it are 0 */
    uint32_t timestamp;
    uint64_t security_cookie_va;
    uint64_t se_handler_table_va, se_handler_count; /* x86 SafeSEH */
    uint64_t guard_check_icall_va, guard_dispatch_icall_va,
        guard_cf_function_table_va, guard_cf_function_count;
    uint32_t guard_flags;
    uint32_t *guard_functions; /* arena; RVAs from the CFG function table */
    uint8_t *guard_function_flags; /* arena; first metadata byte of each
                                      entry, NULL when entries have none */
    size_t n_guard_functions;
} pe_load_config;

/* One leaf of the resource tree (type / name / language). */
typedef struct pe_resource {
    uint32_t type_id;
    const char *type_name; /* UTF-8, arena; non-NULL when the type is named,
                              e.g. "WEVT_TEMPLATE" (type_id is then 0) */
    uint32_t name_id;
    const char *name_name; /* UTF-8, arena; non-NULL when named */
    uint32_t lang;
    uint32_t data_rva, size, codepage; /* as stored; not checked against the
                                          file (use pe_rva_reader) */
} pe_resource;

typedef struct pe_image {
    const char *path;    /* borrowed */
    const uint8_t *data; /* borrowed: the whole file */
    size_t size;
    ew_diag *diag; /* borrowed: the diag given to pe_open; pe_rva_reader
                      records failures there. Set it to NULL (or another
                      diag) if that one does not outlive the image. */

    uint16_t machine; /* 0x8664, 0xAA64, 0x14C, ... */
    bool pe32plus;
    uint64_t image_base;
    uint32_t size_of_image, size_of_headers, entry_rva, timestamp, checksum;
    uint32_t section_alignment, file_alignment;
    uint16_t subsystem, characteristics, dll_characteristics;
    pe_data_dir dirs[PE_DIR_COUNT]; /* entries past n_dirs are 0 */
    uint32_t n_dirs; /* NumberOfRvaAndSizes as stored (may exceed 16) */

    pe_section *sections; /* arena; sorted by rva, non-overlapping */
    size_t n_sections;

    pe_export *exports; /* arena; by ordinal (one entry per name; names of
                           one ordinal in name-table order). Unused EAT
                           slots (RVA 0, no name) are not listed;
                           llvm-readobj lists them. */
    size_t n_exports;
    const char *export_dll_name; /* file; NULL when absent */
    uint32_t *export_name_index; /* arena; indices of named exports sorted
                                    by name (for pe_find_export) */
    size_t n_export_names;

    pe_import *imports; /* arena; normal then delay-load, directory order */
    size_t n_imports;

    pe_runtime_function *functions; /* arena; .pdata, sorted by begin_rva */
    size_t n_functions;

    pe_reloc *relocs; /* arena; in directory order */
    size_t n_relocs;

    pe_debug_entry *debug; /* arena */
    size_t n_debug;
    pe_codeview codeview;
    pe_pogo_entry *pogo; /* arena */
    size_t n_pogo;
    uint32_t pogo_signature; /* 0x50475500 'PGU', 0x4C544347 'LTCG' (as
                                multi-character constants), 0, ... */

    pe_load_config load_config;

    pe_resource *resources; /* arena; sorted by type, name, lang */
    size_t n_resources;

    ew_arena arena; /* owns everything above that is not borrowed */
} pe_image;

/* Parses headers and all directories of the size bytes at data, which must
 * stay mapped until pe_close. path (borrowed) is for messages. On failure
 * returns the status, fills d (the first failure: structure, file offset,
 * detail) and leaves img closed (pe_close is then a no-op). Success does
 * not promise that code, resource data or RVAs inside the image are
 * file-backed; use pe_rva_reader for those. */
ew_status pe_open(pe_image *img, const uint8_t *data, size_t size,
                  const char *path, ew_diag *d);
/* Frees the arena; img is zeroed. Safe on a zeroed or closed image. */
void pe_close(pe_image *img);

/* "x64", "ARM64", "x86", ...; "unknown" for others. Never NULL. */
const char *pe_machine_name(uint16_t machine);
/* "native", "windows-gui", "windows-cui", ...; "unknown". Never NULL. */
const char *pe_subsystem_name(uint16_t subsystem);

/* The section whose virtual range holds rva, or NULL. A section spans
 * [rva, rva + VirtualSize), or SizeOfRawData when VirtualSize is 0 (the
 * loader's rule); the alignment padding after it belongs to no section. */
const pe_section *pe_section_at(const pe_image *img, uint32_t rva);
/* IMAGE_SCN_CNT_CODE, IMAGE_SCN_MEM_EXECUTE (PE/COFF section flags) */
#define PE_SCN_CNT_CODE 0x00000020u
#define PE_SCN_MEM_EXECUTE 0x20000000u
/* Is s code (IMAGE_SCN_CNT_CODE or IMAGE_SCN_MEM_EXECUTE)? */
bool pe_section_is_code(const pe_section *s);
/* Does rva lie in a code section? */
bool pe_rva_is_code(const pe_image *img, uint32_t rva);

/* The file offset of [rva, rva+len) of the mapped image. Every byte must
 * be file-backed within one section (its first min(SizeOfRawData,
 * VirtualSize) bytes) or the headers (RVA < SizeOfHeaders and below the
 * first section, in the file).
 * EW_E_BAD_VALUE: rva is in no section nor the headers; EW_E_TRUNCATED:
 * some byte of the range has no file backing (for instance zero-filled
 * data past SizeOfRawData). No diagnostic is recorded. */
ew_status pe_rva_to_off(const pe_image *img, uint32_t rva, uint32_t len,
                        size_t *off);
/* The file offset of rva and how many file-backed bytes follow it in its
 * section (or the headers): pe_rva_to_off for structures whose length is
 * found by reading. Fails like pe_rva_to_off (len 1). */
ew_status pe_rva_avail(const pe_image *img, uint32_t rva, size_t *off,
                       size_t *avail);
/* A reader named what (a string that must outlive the reader) over
 * [rva, rva+len), reporting to img->diag; fails like pe_rva_to_off and
 * records the failure in img->diag (no file offset: the RVA is in the
 * detail). */
ew_status pe_rva_reader(const pe_image *img, uint32_t rva, uint32_t len,
                        const char *what, ew_rd *out);
/* Same, over every file-backed byte from rva to the end of its section
 * (or of the headers): for structures whose length is found by reading. */
ew_status pe_rva_reader_avail(const pe_image *img, uint32_t rva,
                              const char *what, ew_rd *out);

/* The first export named name (exact, case-sensitive), or NULL. */
const pe_export *pe_find_export(const pe_image *img, const char *name);
/* The export with this (biased) ordinal, or NULL. */
const pe_export *pe_find_export_ordinal(const pe_image *img,
                                        uint32_t ordinal);
/* The .pdata entry with begin_rva <= rva < end_rva, or NULL. */
const pe_runtime_function *pe_find_function(const pe_image *img,
                                            uint32_t rva);
/* The first leaf of the given type: named when type_name is non-NULL
 * (compared ASCII case-insensitively, as the loader compares resource
 * names), numbered type_id otherwise. *count (when
 * count is non-NULL) receives how many leaves follow contiguously with
 * that type, 0 when none (and NULL is returned). */
const pe_resource *pe_find_resource(const pe_image *img, uint32_t type_id,
                                    const char *type_name, size_t *count);

#endif
