/*
 * pe_int.h - internals shared by pe.c and the pe_*.c directory parsers.
 *
 * Not for other modules: pe.h is the interface. Each directory parser
 * takes the parse context, reads through readers built by pe_map /
 * pe_map_avail (which know the image's RVA -> file offset mapping) and
 * fills its part of the pe_image in the image's arena.
 *
 * Files:  pe.c            headers, sections, RVA mapping, lookups, names
 *         pe_imports.c    export, import and delay-import directories
 *         pe_pdata.c      exception directory (.pdata), base relocations
 *         pe_debug.c      debug directory (CodeView, POGO), load config
 *         pe_resources.c  resource tree
 */
#ifndef PE_INT_H
#define PE_INT_H

#include "pe.h"

#include "base/ew_limits.h"

/* The parse state of one pe_open call. */
typedef struct pe_ctx {
    pe_image *img;
    ew_diag *d;
    ew_rd file; /* the whole input */
    /* File offset of each data directory entry (in the optional header),
     * reported when a directory's RVA has no file bytes; -1 if absent. */
    int64_t dir_off[PE_DIR_COUNT];
    ew_vec imports; /* of pe_import: normal, then delay-load */
} pe_ctx;

/* A reader over exactly [rva, rva+len), named what. On failure records
 * what at ref_off (the file offset of the field that held rva; -1: none)
 * with the RVA in the detail. */
ew_status pe_map(const pe_ctx *c, uint32_t rva, uint32_t len,
                 const char *what, int64_t ref_off, ew_rd *out);
/* A reader over every file-backed byte from rva to the end of the region
 * (section or headers) that holds it. Fails like pe_map. */
ew_status pe_map_avail(const pe_ctx *c, uint32_t rva, const char *what,
                       int64_t ref_off, ew_rd *out);
/* A NUL-terminated string (at most PE_MAX_NAME bytes) at rva, borrowed
 * from the file's bytes (no copy: a hostile file cannot multiply memory by
 * pointing many entries at one long string). Fails like pe_map, or as the
 * string reader does. */
ew_status pe_read_cstr(const pe_ctx *c, uint32_t rva, const char *what,
                       int64_t ref_off, const char **out);

/* A reader over a table of n entries of elem bytes at rva. n is checked
 * by division against the file-backed bytes behind rva before anything
 * is read or allocated (EW_E_BAD_COUNT names count_name). */
ew_status pe_map_table(const pe_ctx *c, uint32_t rva, uint32_t n,
                       uint32_t elem, const char *what, int64_t ref_off,
                       const char *count_name, ew_rd *out);
/* The fixed-size entries of data directory idx (exception, debug): *n =
 * its Size / entry_size, the trailing bytes ignored (the readers of these
 * directories divide the size), 0 when the directory is absent. More than
 * max is EW_E_LIMIT, named what, at the directory's Size field; with *n >
 * 0, out reads exactly the entries (failing like pe_map). */
ew_status pe_map_dir_entries(const pe_ctx *c, unsigned idx,
                             uint32_t entry_size, uint32_t max,
                             const char *what, ew_rd *out, size_t *n);
/* va - ImageBase, when that is an RVA (EW_E_BAD_VALUE at off if not). */
ew_status pe_va_to_rva(const pe_ctx *c, uint64_t va, const char *what,
                       int64_t off, uint32_t *rva);

/* Shorthand for an allocation failure at a structure. */
ew_status pe_nomem(const pe_ctx *c, const char *what, int64_t off);

/* The file offset of r's current position (for diagnostics). */
static inline int64_t pe_rd_off(const ew_rd *r)
{
    return (int64_t)(r->base_off + r->pos);
}

/* ASCII case-insensitive strcmp, as the loader compares resource names
 * (it upper-cases the name it is given; rc.exe stores names upper-case).
 * Used to sort resources and to find them. */
int pe_name_casecmp(const char *a, const char *b);

/* Directory parsers; each is a no-op when its directory is absent. */
ew_status pe_parse_exports(pe_ctx *c);
ew_status pe_parse_imports(pe_ctx *c);
ew_status pe_parse_delay_imports(pe_ctx *c);
ew_status pe_parse_exception(pe_ctx *c);
ew_status pe_parse_relocs(pe_ctx *c);
ew_status pe_parse_debug(pe_ctx *c);
ew_status pe_parse_load_config(pe_ctx *c);
ew_status pe_parse_resources(pe_ctx *c);

#endif
