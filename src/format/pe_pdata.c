/*
 * pe_pdata.c - exception directory (.pdata) and base relocations.
 *
 * Layouts (Microsoft PE Format, "The .pdata Section", "The .reloc
 * Section"; "x64 exception handling" and "ARM64 exception handling" on
 * learn.microsoft.com):
 *
 *   x64 RUNTIME_FUNCTION (12)  +0 u32 BeginAddress  +4 u32 EndAddress
 *                              +8 u32 UnwindData (UNWIND_INFO RVA; bit 0
 *                                 set: RVA+1 of another RUNTIME_FUNCTION,
 *                                 RUNTIME_FUNCTION_INDIRECT)
 *   x64 UNWIND_INFO            +0 u8 Version:3 Flags:5  +1 u8 SizeOfProlog
 *                              +2 u8 CountOfCodes
 *                              +3 u8 FrameRegister:4 Offset:4
 *                              +4 u16 UnwindCode[CountOfCodes rounded up to
 *                                 even]; then, when Flags & UNW_FLAG_CHAININFO
 *                                 (4), the RUNTIME_FUNCTION of the parent.
 *   ARM64 .pdata entry (8)     +0 u32 BeginAddress  +4 u32 UnwindData:
 *                              bits 1..0 Flag: 0 = RVA of .xdata; 1 packed;
 *                              2 packed fragment; 3 reserved.
 *                              Packed: bits 12..2 FunctionLength / 4.
 *   ARM64 .xdata header        u32: bits 17..0 FunctionLength / 4, ...
 *   base relocation block      +0 u32 PageRVA  +4 u32 SizeOfBlock (header
 *                              included); then u16 entries Type:4 Offset:12.
 */
#include "pe_int.h"

#include <stdlib.h>
#include <string.h>

#define X64_RF_SIZE 12u
#define ARM64_RF_SIZE 8u
#define UNW_FLAG_CHAININFO 4u
#define RUNTIME_FUNCTION_INDIRECT 1u
#define REL_BASED_ABSOLUTE 0u
#define REL_BASED_HIGHADJ 4u /* takes a second 16-bit slot */

static int rf_cmp(const void *a, const void *b)
{
    const pe_runtime_function *x = a, *y = b;
    if (x->begin_rva != y->begin_rva)
        return x->begin_rva < y->begin_rva ? -1 : 1;
    if (x->end_rva != y->end_rva)
        return x->end_rva < y->end_rva ? -1 : 1;
    return (x->unwind_rva > y->unwind_rva) - (x->unwind_rva < y->unwind_rva);
}

/* Follows x64 unwind info from a RUNTIME_FUNCTION to the primary
 * function: each UNWIND_INFO with UNW_FLAG_CHAININFO ends with its parent's
 * RUNTIME_FUNCTION; an indirect UnwindData points to another
 * RUNTIME_FUNCTION. One walk is bounded by PE_MAX_UNWIND_CHAIN links, all
 * walks together by *budget (so that a hostile table of millions of
 * entries cannot make each one walk a long chain). */
static ew_status x64_primary(pe_ctx *c, uint32_t begin, uint32_t unwind,
                             int64_t ref_off, size_t *budget,
                             uint32_t *primary)
{
    for (unsigned link = 0; link <= PE_MAX_UNWIND_CHAIN; link++) {
        ew_rd rf; /* the next RUNTIME_FUNCTION */
        if (*budget == 0)
            return ew_fail(c->d, EW_E_LIMIT, "unwind info", ref_off,
                           "more than %u chained-unwind links per "
                           "function on average",
                           PE_UNWIND_LINKS_PER_FUNCTION);
        --*budget;
        if (unwind & RUNTIME_FUNCTION_INDIRECT) {
            EW_TRY(pe_map(c, unwind - 1, X64_RF_SIZE, "RUNTIME_FUNCTION",
                          ref_off, &rf));
        } else {
            ew_rd ui;
            uint8_t vf, n_codes;
            EW_TRY(pe_map_avail(c, unwind, "unwind info", ref_off, &ui));
            EW_TRY(ew_rd_u8(&ui, &vf));
            if (!((vf >> 3) & UNW_FLAG_CHAININFO)) {
                *primary = begin;
                return EW_OK;
            }
            EW_TRY(ew_rd_skip(&ui, 1)); /* SizeOfProlog */
            EW_TRY(ew_rd_u8(&ui, &n_codes));
            /* codes are 2 bytes, their count rounded up to even */
            size_t at = 4 + 2 * (((size_t)n_codes + 1) & ~(size_t)1);
            EW_TRY(ew_rd_sub(&ui, at, X64_RF_SIZE, "chained unwind info",
                             &rf));
        }
        ref_off = (int64_t)rf.base_off;
        EW_TRY(ew_rd_u32_at(&rf, 0, &begin));
        EW_TRY(ew_rd_u32_at(&rf, 8, &unwind));
    }
    return ew_fail(c->d, EW_E_LOOP, "unwind info", ref_off,
                   "chain longer than %u links", PE_MAX_UNWIND_CHAIN);
}

static ew_status parse_x64(pe_ctx *c, const ew_rd *t, size_t n)
{
    pe_image *img = c->img;
    /* Each function's own unwind info plus its chain links: the corpus
     * needs 1.39 reads per entry at most (win10-19041.1806_fltMgr.sys,
     * sha256 3e2e32f5, whose longest chain has 4 links; ntdll 1.26). */
    size_t budget = PE_UNWIND_LINKS_PER_FUNCTION * n + PE_MAX_UNWIND_CHAIN;
    for (size_t i = 0; i < n; i++) {
        pe_runtime_function *f = &img->functions[i];
        int64_t off = (int64_t)t->base_off + (int64_t)(i * X64_RF_SIZE);
        EW_TRY(ew_rd_u32_at(t, i * X64_RF_SIZE, &f->begin_rva));
        EW_TRY(ew_rd_u32_at(t, i * X64_RF_SIZE + 4, &f->end_rva));
        EW_TRY(ew_rd_u32_at(t, i * X64_RF_SIZE + 8, &f->unwind_rva));
        if (f->begin_rva >= f->end_rva || f->end_rva > img->size_of_image)
            return ew_fail(c->d, EW_E_BAD_VALUE, "RUNTIME_FUNCTION", off,
                           "range 0x%x..0x%x is empty or past SizeOfImage "
                           "0x%x",
                           f->begin_rva, f->end_rva, img->size_of_image);
        EW_TRY(x64_primary(c, f->begin_rva, f->unwind_rva, off + 8,
                           &budget, &f->primary_rva));
    }
    return EW_OK;
}

static ew_status parse_arm64(pe_ctx *c, const ew_rd *t, size_t n)
{
    pe_image *img = c->img;
    for (size_t i = 0; i < n; i++) {
        pe_runtime_function *f = &img->functions[i];
        int64_t off = (int64_t)t->base_off + (int64_t)(i * ARM64_RF_SIZE);
        uint32_t data, len4;
        EW_TRY(ew_rd_u32_at(t, i * ARM64_RF_SIZE, &f->begin_rva));
        EW_TRY(ew_rd_u32_at(t, i * ARM64_RF_SIZE + 4, &data));
        switch (data & 3) {
        case 0: { /* .xdata record */
            ew_rd x;
            EW_TRY(pe_map(c, data, 4, "ARM64 xdata", off + 4, &x));
            EW_TRY(ew_rd_u32(&x, &len4));
            len4 &= 0x3FFFF;
            f->unwind_rva = data;
            break;
        }
        case 1:
        case 2: /* packed unwind data (2: a fragment without prolog) */
            len4 = (data >> 2) & 0x7FF;
            break;
        default:
            return ew_fail(c->d, EW_E_BAD_VALUE, "ARM64 .pdata entry",
                           off + 4, "reserved Flag 3 in UnwindData 0x%x",
                           data);
        }
        uint64_t end = (uint64_t)f->begin_rva + 4ull * len4;
        if (end > img->size_of_image)
            return ew_fail(c->d, EW_E_BAD_VALUE, "ARM64 .pdata entry", off,
                           "range 0x%x+0x%x is past SizeOfImage 0x%x",
                           f->begin_rva, 4 * len4, img->size_of_image);
        f->end_rva = (uint32_t)end;
        /* ARM64 fragments carry no link to their primary function */
        f->primary_rva = f->begin_rva;
    }
    return EW_OK;
}

ew_status pe_parse_exception(pe_ctx *c)
{
    pe_image *img = c->img;
    uint32_t esize;
    switch (img->machine) {
    case PE_MACHINE_AMD64:
        esize = X64_RF_SIZE;
        break;
    case PE_MACHINE_ARM64:
    case PE_MACHINE_ARM64EC:
    case PE_MACHINE_ARM64X:
        esize = ARM64_RF_SIZE;
        break;
    default:
        return EW_OK; /* x86 has none; other machines are not read */
    }
    /* A Size that is not a multiple of the entry size: the trailing bytes
     * are ignored, as the unwinder does (it divides the size). */
    size_t n;
    ew_rd t;
    EW_TRY(pe_map_dir_entries(c, PE_DIR_EXCEPTION, esize,
                              PE_MAX_RUNTIME_FUNCTIONS, "exception directory",
                              &t, &n));
    if (n == 0)
        return EW_OK;
    /* the reader proved n * esize file bytes exist: bounded allocation */
    img->functions = ew_arena_array(&img->arena, n, sizeof *img->functions);
    if (!img->functions)
        return pe_nomem(c, "exception directory", (int64_t)t.base_off);
    EW_TRY(esize == X64_RF_SIZE ? parse_x64(c, &t, n)
                                : parse_arm64(c, &t, n));
    img->n_functions = n;

    /* The unwinder binary-searches the table, so linkers emit it sorted;
     * sort only when they did not. */
    for (size_t i = 1; i < n; i++) {
        if (rf_cmp(&img->functions[i - 1], &img->functions[i]) > 0) {
            qsort(img->functions, n, sizeof *img->functions, rf_cmp);
            break;
        }
    }
    return EW_OK;
}

ew_status pe_parse_relocs(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_BASERELOC];
    if (!dir.rva || !dir.size)
        return EW_OK;
    ew_rd r;
    EW_TRY(pe_map(c, dir.rva, dir.size, "base relocation directory",
                  c->dir_off[PE_DIR_BASERELOC], &r));
    /* every entry takes 2 of the directory's (file-backed) bytes */
    size_t max = dir.size / 2;
    if (max > PE_MAX_RELOCS)
        return ew_fail(c->d, EW_E_LIMIT, "base relocation directory",
                       c->dir_off[PE_DIR_BASERELOC] + 4,
                       "room for %zu entries, at most %u", max,
                       PE_MAX_RELOCS);
    img->relocs = ew_arena_array(&img->arena, max ? max : 1,
                                 sizeof *img->relocs);
    if (!img->relocs)
        return pe_nomem(c, "base relocation directory", (int64_t)r.base_off);

    while (ew_rd_left(&r) > 0) {
        int64_t boff = pe_rd_off(&r);
        uint32_t page, bsize;
        ew_rd blk;
        /* the header fields are named as the block's */
        EW_TRY(ew_rd_sub(&r, r.pos, 8, "base relocation block", &blk));
        EW_TRY(ew_rd_u32(&blk, &page));
        EW_TRY(ew_rd_u32(&blk, &bsize));
        if (bsize < 8 || bsize % 2 || bsize > ew_rd_left(&r))
            return ew_fail(c->d, EW_E_BAD_COUNT, "base relocation block",
                           boff,
                           "SizeOfBlock 0x%x (0x%zx bytes left in the "
                           "directory)",
                           bsize, ew_rd_left(&r));
        EW_TRY(ew_rd_sub(&r, r.pos + 8, bsize - 8, "base relocation block",
                         &blk));
        while (ew_rd_left(&blk) > 0) {
            int64_t eoff = pe_rd_off(&blk);
            uint16_t e;
            EW_TRY(ew_rd_u16(&blk, &e));
            uint8_t type = (uint8_t)(e >> 12);
            if (type == REL_BASED_ABSOLUTE)
                continue; /* padding */
            if (type == REL_BASED_HIGHADJ) /* its parameter slot */
                EW_TRY(ew_rd_skip(&blk, 2));
            uint64_t rva = (uint64_t)page + (e & 0xFFF);
            if (rva >= img->size_of_image)
                return ew_fail(c->d, EW_E_BAD_VALUE, "base relocation block",
                               eoff,
                               "target 0x%llx is past SizeOfImage 0x%x",
                               (unsigned long long)rva, img->size_of_image);
            pe_reloc *rel = &img->relocs[img->n_relocs++];
            rel->rva = (uint32_t)rva;
            rel->type = type;
        }
        EW_TRY(ew_rd_skip(&r, bsize));
    }
    return EW_OK;
}
