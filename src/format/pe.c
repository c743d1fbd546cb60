/*
 * pe.c - PE headers, section table, RVA mapping, lookups.
 *
 * pe_open validates the headers in stages, each check before the next
 * read (YARA's pe_get_header order: DOS header, its magic, e_lfanew, the
 * NT signature, the COFF header, then the optional header of the width its
 * magic says), reads the section table, then hands the data directories to
 * the parsers in pe_*.c. Everything is read through ew_rd readers; an RVA
 * becomes a reader only through locate(), which never guesses: bytes inside
 * a section's VirtualSize but past its SizeOfRawData have no file backing.
 *
 * Layouts (Microsoft PE Format, "MS-DOS Stub", "COFF File Header",
 * "Optional Header", "Section Table"):
 *
 *   DOS header (64 bytes)   +0 u16 e_magic "MZ"       +0x3C u32 e_lfanew
 *   at e_lfanew             +0 u32 "PE\0\0"
 *   COFF header (20 bytes)  +0 u16 Machine       +2 u16 NumberOfSections
 *                           +4 u32 TimeDateStamp +8 u32 PointerToSymbolTable
 *                           +12 u32 NumberOfSymbols
 *                           +16 u16 SizeOfOptionalHeader
 *                           +18 u16 Characteristics
 *   optional header         +0 u16 Magic (0x10B PE32, 0x20B PE32+)
 *                           +16 u32 AddressOfEntryPoint
 *                           +24 u64 ImageBase (PE32+) / +28 u32 (PE32)
 *                           +32 u32 SectionAlignment  +36 u32 FileAlignment
 *                           +56 u32 SizeOfImage       +60 u32 SizeOfHeaders
 *                           +64 u32 CheckSum          +68 u16 Subsystem
 *                           +70 u16 DllCharacteristics
 *                           +108 / +92 u32 NumberOfRvaAndSizes (PE32+/PE32)
 *                           +112 / +96 data directories, 8 bytes each
 *   section header (40)     +0 Name[8]  +8 u32 VirtualSize
 *                           +12 u32 VirtualAddress  +16 u32 SizeOfRawData
 *                           +20 u32 PointerToRawData
 *                           +36 u32 Characteristics
 */
#include "pe.h"

#include "pe_int.h"

#include <stdio.h>
#include <string.h>

#define DOS_HEADER_SIZE 64u
#define DOS_MAGIC 0x5A4Du       /* "MZ" */
#define NT_SIGNATURE 0x00004550u /* "PE\0\0" */
#define COFF_HEADER_SIZE 20u
#define OPT_MAGIC_PE32 0x10Bu
#define OPT_MAGIC_PE32PLUS 0x20Bu
#define OPT_FIXED_PE32 96u      /* bytes before the data directories */
#define OPT_FIXED_PE32PLUS 112u
#define SECTION_HEADER_SIZE 40u

/* ---- RVA mapping ------------------------------------------------------ */

/* The section's extent in the image: VirtualSize, or SizeOfRawData when
 * VirtualSize is 0 (the loader's rule; PE Format, "Section Table"). */
static uint32_t sec_extent(const pe_section *s)
{
    return s->vsize ? s->vsize : s->raw_size;
}

/* The bytes of the section that come from the file: the first
 * min(SizeOfRawData, extent); the rest is zero-filled by the loader. */
static uint32_t sec_backed(const pe_section *s)
{
    uint32_t ext = sec_extent(s);
    return s->raw_size < ext ? s->raw_size : ext;
}

const pe_section *pe_section_at(const pe_image *img, uint32_t rva)
{
    /* sections are sorted by rva and do not overlap (checked at open):
     * find the last one starting at or before rva */
    size_t lo = 0, hi = img->n_sections;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->sections[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const pe_section *s = &img->sections[lo - 1];
    return rva - s->rva < sec_extent(s) ? s : NULL;
}

/* The file offset of rva and the file-backed bytes from there to the end
 * of its region. EW_E_BAD_VALUE: in no region; EW_E_TRUNCATED: in a
 * section (or the headers) but past its file bytes. */
static ew_status locate(const pe_image *img, uint32_t rva, size_t *off,
                        size_t *avail)
{
    const pe_section *s = pe_section_at(img, rva);
    if (s) {
        uint32_t delta = rva - s->rva;
        uint32_t backed = sec_backed(s);
        if (delta >= backed)
            return EW_E_TRUNCATED;
        *off = (size_t)s->raw_off + delta; /* raw range checked at open */
        *avail = backed - delta;
        return EW_OK;
    }
    /* Header RVAs map to the same file offsets (the loader maps the first
     * SizeOfHeaders bytes of the file at the image base), up to the first
     * section, whatever SizeOfHeaders claims. */
    size_t hdr_end = img->size_of_headers;
    if (img->n_sections && img->sections[0].rva < hdr_end)
        hdr_end = img->sections[0].rva;
    if (rva < hdr_end) {
        size_t end = hdr_end < img->size ? hdr_end : img->size;
        if (rva >= end)
            return EW_E_TRUNCATED;
        *off = rva;
        *avail = end - rva;
        return EW_OK;
    }
    return EW_E_BAD_VALUE;
}

ew_status pe_rva_avail(const pe_image *img, uint32_t rva, size_t *off,
                       size_t *avail)
{
    return locate(img, rva, off, avail);
}

ew_status pe_rva_to_off(const pe_image *img, uint32_t rva, uint32_t len,
                        size_t *off)
{
    size_t o, avail;
    EW_TRY(locate(img, rva, &o, &avail));
    if (len > avail)
        return EW_E_TRUNCATED;
    *off = o;
    return EW_OK;
}

/* pe_map and the public readers: avail_mode takes every backed byte. */
static ew_status map_rva(const pe_image *img, ew_diag *d, uint32_t rva,
                         uint32_t len, bool avail_mode, const char *what,
                         int64_t ref_off, ew_rd *out)
{
    size_t off = 0, avail = 0;
    ew_status s = locate(img, rva, &off, &avail);
    if (s == EW_OK && !avail_mode && len > avail)
        s = EW_E_TRUNCATED;
    if (s != EW_OK) {
        if (avail_mode)
            return ew_fail(d, s, what, ref_off, "RVA 0x%x %s", rva,
                           s == EW_E_BAD_VALUE ? "is outside every section"
                                               : "has no file bytes");
        return ew_fail(d, s, what, ref_off, "RVA 0x%x+0x%x %s", rva, len,
                       s == EW_E_BAD_VALUE ? "is outside every section"
                                           : "is not all file-backed");
    }
    ew_rd file;
    ew_rd_init(&file, img->data, img->size, 0, what, d);
    return ew_rd_sub(&file, off, avail_mode ? avail : len, what, out);
}

ew_status pe_map(const pe_ctx *c, uint32_t rva, uint32_t len,
                 const char *what, int64_t ref_off, ew_rd *out)
{
    return map_rva(c->img, c->d, rva, len, false, what, ref_off, out);
}

ew_status pe_map_avail(const pe_ctx *c, uint32_t rva, const char *what,
                       int64_t ref_off, ew_rd *out)
{
    return map_rva(c->img, c->d, rva, 0, true, what, ref_off, out);
}

ew_status pe_rva_reader(const pe_image *img, uint32_t rva, uint32_t len,
                        const char *what, ew_rd *out)
{
    return map_rva(img, img->diag, rva, len, false, what, -1, out);
}

ew_status pe_rva_reader_avail(const pe_image *img, uint32_t rva,
                              const char *what, ew_rd *out)
{
    return map_rva(img, img->diag, rva, 0, true, what, -1, out);
}

ew_status pe_read_cstr(const pe_ctx *c, uint32_t rva, const char *what,
                       int64_t ref_off, const char **out)
{
    ew_rd r;
    ew_str s;
    EW_TRY(pe_map_avail(c, rva, what, ref_off, &r));
    EW_TRY(ew_rd_cstr_at(&r, 0, PE_MAX_NAME, &s));
    *out = s.p; /* NUL-terminated in the file (the reader found the NUL) */
    return EW_OK;
}

ew_status pe_map_table(const pe_ctx *c, uint32_t rva, uint32_t n,
                       uint32_t elem, const char *what, int64_t ref_off,
                       const char *count_name, ew_rd *out)
{
    ew_rd r;
    if (n == 0) { /* an empty table needs no bytes (nor a valid rva) */
        ew_rd_init(out, NULL, 0, 0, what, c->d);
        return EW_OK;
    }
    EW_TRY(pe_map_avail(c, rva, what, ref_off, &r));
    if (n > ew_rd_left(&r) / elem)
        return ew_fail(c->d, EW_E_BAD_COUNT, what, (int64_t)r.base_off,
                       "%s %u, room for %zu", count_name, n,
                       ew_rd_left(&r) / elem);
    return ew_rd_sub(&r, 0, (size_t)n * elem, what, out);
}

ew_status pe_map_dir_entries(const pe_ctx *c, unsigned idx,
                             uint32_t entry_size, uint32_t max,
                             const char *what, ew_rd *out, size_t *n)
{
    pe_data_dir dir = c->img->dirs[idx];
    *n = dir.rva ? dir.size / entry_size : 0;
    if (*n > max)
        return ew_fail(c->d, EW_E_LIMIT, what, c->dir_off[idx] + 4,
                       "%zu entries, at most %u", *n, max);
    if (*n == 0)
        return EW_OK;
    return pe_map(c, dir.rva, (uint32_t)(*n * entry_size), what,
                  c->dir_off[idx], out);
}

ew_status pe_va_to_rva(const pe_ctx *c, uint64_t va, const char *what,
                       int64_t off, uint32_t *rva)
{
    uint64_t base = c->img->image_base;
    if (va < base || va - base > UINT32_MAX)
        return ew_fail(c->d, EW_E_BAD_VALUE, what, off,
                       "VA 0x%llx is outside the image (base 0x%llx)",
                       (unsigned long long)va, (unsigned long long)base);
    *rva = (uint32_t)(va - base);
    return EW_OK;
}

ew_status pe_nomem(const pe_ctx *c, const char *what, int64_t off)
{
    return ew_fail(c->d, EW_E_NOMEM, what, off, "arena budget exhausted");
}

/* ---- headers ---------------------------------------------------------- */

/* DOS header, NT signature, COFF header; *coff_off receives the COFF
 * header's file offset. */
static ew_status parse_dos_nt(pe_ctx *c, size_t *coff_off)
{
    pe_image *img = c->img;
    ew_rd dos, sig, coff;
    uint16_t magic;

    /* the magic first, so that a file that is no PE says so even when it
     * is shorter than a DOS header */
    if (!ew_fits(img->size, 0, 2))
        return ew_fail(c->d, EW_E_TRUNCATED, "DOS header", 0,
                       "%zu bytes, a DOS header needs %u", img->size,
                       DOS_HEADER_SIZE);
    EW_TRY(ew_rd_u16_at(&c->file, 0, &magic));
    if (magic != DOS_MAGIC)
        return ew_fail(c->d, EW_E_BAD_MAGIC, "DOS header", 0,
                       "e_magic 0x%04x, expected 0x5a4d (\"MZ\")", magic);
    EW_TRY(ew_rd_sub(&c->file, 0, DOS_HEADER_SIZE, "DOS header", &dos));
    uint32_t lfanew;
    EW_TRY(ew_rd_u32_at(&dos, 0x3C, &lfanew));

    EW_TRY(ew_rd_sub(&c->file, lfanew, 4, "PE signature", &sig));
    uint32_t signature;
    EW_TRY(ew_rd_u32(&sig, &signature));
    if (signature != NT_SIGNATURE)
        return ew_fail(c->d, EW_E_BAD_MAGIC, "PE signature", lfanew,
                       "0x%08x, expected 0x00004550 (\"PE\\0\\0\")",
                       signature);

    size_t off = (size_t)lfanew + 4; /* fits: the signature was read */
    EW_TRY(ew_rd_sub(&c->file, off, COFF_HEADER_SIZE, "COFF file header",
                     &coff));
    uint16_t nsect;
    EW_TRY(ew_rd_u16_at(&coff, 0, &img->machine));
    EW_TRY(ew_rd_u16_at(&coff, 2, &nsect));
    EW_TRY(ew_rd_u32_at(&coff, 4, &img->timestamp));
    EW_TRY(ew_rd_u16_at(&coff, 18, &img->characteristics));
    if (nsect > PE_MAX_SECTIONS)
        return ew_fail(c->d, EW_E_LIMIT, "COFF file header",
                       (int64_t)off + 2,
                       "NumberOfSections %u, at most %u", nsect,
                       PE_MAX_SECTIONS);
    img->n_sections = nsect;
    *coff_off = off;
    return EW_OK;
}

/* The optional header at opt_off (opt_size bytes, as the COFF header
 * says). */
static ew_status parse_optional(pe_ctx *c, size_t coff_off, size_t opt_off,
                                uint16_t opt_size)
{
    pe_image *img = c->img;
    ew_rd opt;
    uint16_t magic;

    if (opt_size < 2)
        return ew_fail(c->d, EW_E_BAD_VALUE, "COFF file header",
                       (int64_t)coff_off + 16,
                       "SizeOfOptionalHeader %u is too small", opt_size);
    EW_TRY(ew_rd_sub(&c->file, opt_off, opt_size, "optional header", &opt));
    EW_TRY(ew_rd_u16_at(&opt, 0, &magic));
    if (magic != OPT_MAGIC_PE32 && magic != OPT_MAGIC_PE32PLUS)
        return ew_fail(c->d, EW_E_BAD_MAGIC, "optional header",
                       (int64_t)opt_off,
                       "Magic 0x%x, expected 0x10b or 0x20b", magic);
    img->pe32plus = magic == OPT_MAGIC_PE32PLUS;
    uint32_t fixed = img->pe32plus ? OPT_FIXED_PE32PLUS : OPT_FIXED_PE32;
    if (opt_size < fixed)
        return ew_fail(c->d, EW_E_BAD_VALUE, "COFF file header",
                       (int64_t)coff_off + 16,
                       "SizeOfOptionalHeader %u, a %s header needs %u",
                       opt_size, img->pe32plus ? "PE32+" : "PE32", fixed);

    EW_TRY(ew_rd_u32_at(&opt, 16, &img->entry_rva));
    if (img->pe32plus) {
        EW_TRY(ew_rd_u64_at(&opt, 24, &img->image_base));
    } else {
        uint32_t base32;
        EW_TRY(ew_rd_u32_at(&opt, 28, &base32));
        img->image_base = base32;
    }
    EW_TRY(ew_rd_u32_at(&opt, 32, &img->section_alignment));
    EW_TRY(ew_rd_u32_at(&opt, 36, &img->file_alignment));
    EW_TRY(ew_rd_u32_at(&opt, 56, &img->size_of_image));
    EW_TRY(ew_rd_u32_at(&opt, 60, &img->size_of_headers));
    EW_TRY(ew_rd_u32_at(&opt, 64, &img->checksum));
    EW_TRY(ew_rd_u16_at(&opt, 68, &img->subsystem));
    EW_TRY(ew_rd_u16_at(&opt, 70, &img->dll_characteristics));
    EW_TRY(ew_rd_u32_at(&opt, fixed - 4, &img->n_dirs));

    /* Directories past 16 do not exist (the loader ignores them); those
     * declared must fit in SizeOfOptionalHeader. */
    uint32_t used = img->n_dirs < PE_DIR_COUNT ? img->n_dirs : PE_DIR_COUNT;
    if (used > (opt_size - fixed) / 8u)
        return ew_fail(c->d, EW_E_BAD_COUNT, "optional header",
                       (int64_t)opt_off + fixed - 4,
                       "NumberOfRvaAndSizes %u, room for %u in "
                       "SizeOfOptionalHeader %u",
                       img->n_dirs, (opt_size - fixed) / 8u, opt_size);
    for (uint32_t i = 0; i < PE_DIR_COUNT; i++)
        c->dir_off[i] = -1;
    for (uint32_t i = 0; i < used; i++) {
        EW_TRY(ew_rd_u32_at(&opt, fixed + 8 * i, &img->dirs[i].rva));
        EW_TRY(ew_rd_u32_at(&opt, fixed + 8 * i + 4, &img->dirs[i].size));
        c->dir_off[i] = (int64_t)opt_off + fixed + 8 * i;
    }
    return EW_OK;
}

static ew_status parse_sections(pe_ctx *c, size_t sec_off)
{
    pe_image *img = c->img;
    size_t n = img->n_sections;
    if (n == 0)
        return EW_OK;
    /* n <= PE_MAX_SECTIONS: the table is at most 3,840 bytes */
    img->sections = ew_arena_array(&img->arena, n, sizeof *img->sections);
    if (!img->sections)
        return pe_nomem(c, "PE section table", (int64_t)sec_off);

    /* stage 1: the table is in the file */
    for (size_t i = 0; i < n; i++) {
        char what[48];
        snprintf(what, sizeof what, "PE section header %zu", i + 1);
        size_t hoff = sec_off + i * SECTION_HEADER_SIZE;
        ew_rd h;
        EW_TRY(ew_rd_sub(&c->file, hoff, SECTION_HEADER_SIZE, what, &h));
        pe_section *s = &img->sections[i];
        EW_TRY(ew_rd_copy(&h, s->name, 8));
        s->name[8] = 0;
        EW_TRY(ew_rd_u32_at(&h, 8, &s->vsize));
        EW_TRY(ew_rd_u32_at(&h, 12, &s->rva));
        EW_TRY(ew_rd_u32_at(&h, 16, &s->raw_size));
        EW_TRY(ew_rd_u32_at(&h, 20, &s->raw_off));
        EW_TRY(ew_rd_u32_at(&h, 36, &s->characteristics));
    }
    /* stage 2: each section's ranges */
    for (size_t i = 0; i < n; i++) {
        char what[48];
        snprintf(what, sizeof what, "PE section header %zu", i + 1);
        int64_t hoff = (int64_t)(sec_off + i * SECTION_HEADER_SIZE);
        const pe_section *s = &img->sections[i];
        if (s->vsize == 0 && s->raw_size == 0)
            return ew_fail(c->d, EW_E_BAD_VALUE, what, hoff,
                           "zero-sized section (VirtualSize and "
                           "SizeOfRawData are 0)");
        uint32_t ext = sec_extent(s);
        if (ext > img->size_of_image || s->rva > img->size_of_image - ext)
            return ew_fail(c->d, EW_E_BAD_VALUE, what, hoff,
                           "virtual range 0x%x+0x%x is past SizeOfImage "
                           "0x%x",
                           s->rva, ext, img->size_of_image);
        if (i > 0) {
            const pe_section *p = &img->sections[i - 1];
            if (s->rva < p->rva || s->rva - p->rva < sec_extent(p))
                return ew_fail(c->d, EW_E_BAD_VALUE, what, hoff,
                               "virtual range 0x%x+0x%x overlaps or "
                               "precedes section %zu (0x%x+0x%x)",
                               s->rva, ext, i, p->rva, sec_extent(p));
        }
        /* Only the mapped part must be in the file: SizeOfRawData is
         * rounded up to FileAlignment and may exceed VirtualSize. */
        uint32_t backed = sec_backed(s);
        if (backed && !ew_fits(img->size, s->raw_off, backed))
            return ew_fail(c->d, EW_E_TRUNCATED, what, hoff,
                           "raw data 0x%x+0x%x is past the end of the file "
                           "(0x%zx bytes)",
                           s->raw_off, backed, img->size);
    }
    return EW_OK;
}

static ew_status parse_headers(pe_ctx *c)
{
    size_t coff_off = 0;
    EW_TRY(parse_dos_nt(c, &coff_off));
    uint16_t opt_size;
    EW_TRY(ew_rd_u16_at(&c->file, coff_off + 16, &opt_size));
    size_t opt_off = coff_off + COFF_HEADER_SIZE;
    EW_TRY(parse_optional(c, coff_off, opt_off, opt_size));
    return parse_sections(c, opt_off + opt_size);
}

/* ---- open / close ----------------------------------------------------- */

ew_status pe_open(pe_image *img, const uint8_t *data, size_t size,
                  const char *path, ew_diag *d)
{
    memset(img, 0, sizeof *img);
    ew_arena_init(&img->arena, 0);
    img->path = path;
    img->data = data;
    img->size = data ? size : 0;
    img->diag = d;

    ew_diag local;
    if (!d) {
        ew_diag_init(&local, path);
        d = &local;
    }
    pe_ctx c = {.img = img, .d = d};
    for (size_t i = 0; i < PE_DIR_COUNT; i++)
        c.dir_off[i] = -1;
    ew_vec_init(&c.imports, sizeof(pe_import));
    ew_rd_init(&c.file, img->data, img->size, 0, "file", d);

    ew_status s = parse_headers(&c);
    /* The order is the data directories' order, except that delay-load
     * imports follow the normal ones (pe_image.imports). */
    if (s == EW_OK)
        s = pe_parse_exports(&c);
    if (s == EW_OK)
        s = pe_parse_imports(&c);
    if (s == EW_OK)
        s = pe_parse_delay_imports(&c);
    if (s == EW_OK) {
        img->imports = c.imports.items;
        img->n_imports = c.imports.n;
        s = pe_parse_resources(&c);
    }
    if (s == EW_OK)
        s = pe_parse_exception(&c);
    if (s == EW_OK)
        s = pe_parse_relocs(&c);
    if (s == EW_OK)
        s = pe_parse_debug(&c);
    if (s == EW_OK)
        s = pe_parse_load_config(&c);
    if (s != EW_OK) {
        if (d->status == EW_OK) /* every path records; this is a backstop */
            ew_fail(d, s, "PE image", -1, NULL);
        pe_close(img);
    }
    if (d == &local)
        img->diag = NULL;
    return s;
}

void pe_close(pe_image *img)
{
    ew_arena_free(&img->arena);
    memset(img, 0, sizeof *img);
}

/* ---- names ------------------------------------------------------------ */

const char *pe_machine_name(uint16_t machine)
{
    switch (machine) {
    case PE_MACHINE_I386: return "x86";
    case PE_MACHINE_AMD64: return "x64";
    case PE_MACHINE_ARM64: return "ARM64";
    case PE_MACHINE_ARM64EC: return "ARM64EC";
    case PE_MACHINE_ARM64X: return "ARM64X";
    case PE_MACHINE_ARMNT: return "ARM";
    case 0x01C0: return "ARM";
    case 0x0200: return "IA64";
    case 0x0EBC: return "EBC";
    default: return "unknown";
    }
}

const char *pe_subsystem_name(uint16_t subsystem)
{
    /* IMAGE_SUBSYSTEM_* (PE Format, "Windows Subsystem") */
    switch (subsystem) {
    case 1: return "native";
    case 2: return "windows-gui";
    case 3: return "windows-cui";
    case 5: return "os2-cui";
    case 7: return "posix-cui";
    case 8: return "native-windows";
    case 9: return "windows-ce-gui";
    case 10: return "efi-application";
    case 11: return "efi-boot-service-driver";
    case 12: return "efi-runtime-driver";
    case 13: return "efi-rom";
    case 14: return "xbox";
    case 16: return "windows-boot-application";
    default: return "unknown";
    }
}

/* ---- lookups ---------------------------------------------------------- */

const pe_export *pe_find_export(const pe_image *img, const char *name)
{
    size_t lo = 0, hi = img->n_export_names;
    while (lo < hi) { /* lower bound: the first match */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(img->exports[img->export_name_index[mid]].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < img->n_export_names) {
        const pe_export *e = &img->exports[img->export_name_index[lo]];
        if (strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

const pe_export *pe_find_export_ordinal(const pe_image *img, uint32_t ordinal)
{
    size_t lo = 0, hi = img->n_exports;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->exports[mid].ordinal < ordinal)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < img->n_exports && img->exports[lo].ordinal == ordinal
               ? &img->exports[lo]
               : NULL;
}

const pe_runtime_function *pe_find_function(const pe_image *img, uint32_t rva)
{
    size_t lo = 0, hi = img->n_functions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->functions[mid].begin_rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const pe_runtime_function *f = &img->functions[lo - 1];
    return rva < f->end_rva ? f : NULL;
}

int pe_name_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'a' && x <= 'z')
            x -= 32;
        if (y >= 'a' && y <= 'z')
            y -= 32;
        if (x != y || !x)
            return x - y;
    }
}

static bool type_matches(const pe_resource *r, uint32_t type_id,
                         const char *type_name)
{
    if (type_name)
        return r->type_name && pe_name_casecmp(r->type_name, type_name) == 0;
    return !r->type_name && r->type_id == type_id;
}

const pe_resource *pe_find_resource(const pe_image *img, uint32_t type_id,
                                    const char *type_name, size_t *count)
{
    size_t i = 0, n = 0;
    while (i < img->n_resources &&
           !type_matches(&img->resources[i], type_id, type_name))
        i++;
    while (i + n < img->n_resources &&
           type_matches(&img->resources[i + n], type_id, type_name))
        n++;
    if (count)
        *count = n;
    return n ? &img->resources[i] : NULL;
}

bool pe_section_is_code(const pe_section *s)
{
    return s && (s->characteristics & (PE_SCN_CNT_CODE | PE_SCN_MEM_EXECUTE));
}

bool pe_rva_is_code(const pe_image *img, uint32_t rva)
{
    return pe_section_is_code(pe_section_at(img, rva));
}
