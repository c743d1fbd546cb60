/*
 * pe_imports.c - export, import and delay-load import directories.
 *
 * Layouts (Microsoft PE Format, "The .edata Section", "The .idata
 * Section", "Delay-Load Import Tables"):
 *
 *   export directory (40)   +12 u32 Name RVA   +16 u32 Base (ordinal bias)
 *                           +20 u32 NumberOfFunctions  +24 u32 NumberOfNames
 *                           +28 u32 AddressOfFunctions (EAT, u32 RVAs)
 *                           +32 u32 AddressOfNames (u32 RVAs)
 *                           +36 u32 AddressOfNameOrdinals (u16 EAT indices)
 *     An EAT RVA inside the export directory's range is a forwarder: it
 *     points at a "DLL.Name" string.
 *   import descriptor (20)  +0 u32 OriginalFirstThunk (lookup table RVA)
 *                           +4 u32 TimeDateStamp  +8 u32 ForwarderChain
 *                           +12 u32 Name RVA      +16 u32 FirstThunk (IAT RVA)
 *     the list ends with an all-zero descriptor.
 *   thunk (u64 PE32+, u32 PE32): top bit set = by ordinal (low 16 bits);
 *     else bits 30..0 = RVA of { u16 Hint; char Name[] NUL-terminated }.
 *   delay descriptor (32)   +0 u32 Attributes (bit 0: fields are RVAs)
 *                           +4 DllNameRVA  +8 ModuleHandleRVA
 *                           +12 ImportAddressTableRVA  +16 ImportNameTableRVA
 *                           +20 BoundImportAddressTableRVA
 *                           +24 UnloadInformationTableRVA  +28 TimeDateStamp
 *     Attributes bit 0 clear is the pre-VC7 layout, whose fields (and the
 *     name table's entries) are VAs; they are rebased here.
 */
#include "pe_int.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_DIR_SIZE 40u
#define IMPORT_DESC_SIZE 20u
#define DELAY_DESC_SIZE 32u
#define DELAY_ATTR_RVA_BASED 1u

/* ---- exports ---------------------------------------------------------- */

typedef struct name_ref {
    const char *name;
    uint32_t idx;
} name_ref;

static int name_ref_cmp(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

ew_status pe_parse_exports(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_EXPORT];
    if (!dir.rva || !dir.size)
        return EW_OK;

    ew_rd ed;
    EW_TRY(pe_map(c, dir.rva, EXPORT_DIR_SIZE, "export directory",
                  c->dir_off[PE_DIR_EXPORT], &ed));
    int64_t ed_off = (int64_t)ed.base_off;
    uint32_t name_rva, base, n_funcs, n_names, eat_rva, names_rva, ords_rva;
    EW_TRY(ew_rd_u32_at(&ed, 12, &name_rva));
    EW_TRY(ew_rd_u32_at(&ed, 16, &base));
    EW_TRY(ew_rd_u32_at(&ed, 20, &n_funcs));
    EW_TRY(ew_rd_u32_at(&ed, 24, &n_names));
    EW_TRY(ew_rd_u32_at(&ed, 28, &eat_rva));
    EW_TRY(ew_rd_u32_at(&ed, 32, &names_rva));
    EW_TRY(ew_rd_u32_at(&ed, 36, &ords_rva));

    if (name_rva)
        EW_TRY(pe_read_cstr(c, name_rva, "export DLL name", ed_off + 12,
                            &img->export_dll_name));
    if (n_funcs > PE_MAX_EXPORTS)
        return ew_fail(c->d, EW_E_LIMIT, "export directory", ed_off + 20,
                       "NumberOfFunctions %u, at most %u", n_funcs,
                       PE_MAX_EXPORTS);
    if (n_names > PE_MAX_EXPORTS)
        return ew_fail(c->d, EW_E_LIMIT, "export directory", ed_off + 24,
                       "NumberOfNames %u, at most %u", n_names,
                       PE_MAX_EXPORTS);
    if (n_funcs && base > UINT32_MAX - (n_funcs - 1))
        return ew_fail(c->d, EW_E_BAD_VALUE, "export directory", ed_off + 16,
                       "Base %u + NumberOfFunctions %u overflows", base,
                       n_funcs);
    if (n_funcs == 0 && n_names == 0)
        return EW_OK;

    ew_rd eat, names, ords;
    EW_TRY(pe_map_table(c, eat_rva, n_funcs, 4, "export address table",
                        ed_off + 28, "NumberOfFunctions", &eat));
    EW_TRY(pe_map_table(c, names_rva, n_names, 4,
                        "export name pointer table", ed_off + 32,
                        "NumberOfNames", &names));
    EW_TRY(pe_map_table(c, ords_rva, n_names, 2, "export ordinal table",
                        ed_off + 36, "NumberOfNames", &ords));

    /* Index the names by EAT slot once (a counting sort), so that each
     * slot finds its names without rescanning the ordinal table. */
    uint32_t *start = ew_arena_array(&img->arena, (size_t)n_funcs + 1, 4);
    uint32_t *cursor = ew_arena_array(&img->arena, (size_t)n_funcs + 1, 4);
    uint32_t *by_slot = ew_arena_array(&img->arena, n_names ? n_names : 1, 4);
    if (!start || !cursor || !by_slot)
        return pe_nomem(c, "export directory", ed_off);
    for (uint32_t j = 0; j < n_names; j++) {
        uint16_t slot;
        EW_TRY(ew_rd_u16_at(&ords, 2 * (size_t)j, &slot));
        if (slot >= n_funcs)
            return ew_fail(c->d, EW_E_BAD_VALUE, "export ordinal table",
                           (int64_t)ords.base_off + 2 * (int64_t)j,
                           "name %u maps to EAT slot %u of %u", j, slot,
                           n_funcs);
        start[slot + 1]++;
    }
    for (uint32_t i = 0; i < n_funcs; i++)
        start[i + 1] += start[i];
    memcpy(cursor, start, ((size_t)n_funcs + 1) * 4);
    for (uint32_t j = 0; j < n_names; j++) {
        uint16_t slot;
        EW_TRY(ew_rd_u16_at(&ords, 2 * (size_t)j, &slot));
        by_slot[cursor[slot]++] = j;
    }

    /* One export per name, plus one per unnamed non-empty slot. */
    size_t n_out = n_names;
    for (uint32_t i = 0; i < n_funcs; i++) {
        uint32_t rva;
        EW_TRY(ew_rd_u32_at(&eat, 4 * (size_t)i, &rva));
        if (start[i] == start[i + 1] && rva != 0)
            n_out++;
    }
    img->exports = ew_arena_array(&img->arena, n_out ? n_out : 1,
                                  sizeof *img->exports);
    name_ref *refs = ew_arena_array(&img->arena, n_names ? n_names : 1,
                                    sizeof *refs);
    if (!img->exports || !refs)
        return pe_nomem(c, "export directory", ed_off);

    size_t k = 0;
    for (uint32_t i = 0; i < n_funcs; i++) {
        uint32_t rva;
        int64_t slot_off = (int64_t)eat.base_off + 4 * (int64_t)i;
        EW_TRY(ew_rd_u32_at(&eat, 4 * (size_t)i, &rva));
        uint32_t nn = start[i + 1] - start[i];
        if (nn == 0 && rva == 0)
            continue; /* an unused slot in a sparse ordinal range */
        const char *fwd = NULL;
        if (rva >= dir.rva && rva - dir.rva < dir.size) {
            EW_TRY(pe_read_cstr(c, rva, "export forwarder", slot_off, &fwd));
            rva = 0;
        } else if (rva >= img->size_of_image) {
            return ew_fail(c->d, EW_E_BAD_VALUE, "export address table",
                           slot_off,
                           "RVA 0x%x of ordinal %u is past SizeOfImage 0x%x",
                           rva, base + i, img->size_of_image);
        }
        for (uint32_t m = 0; m < (nn ? nn : 1); m++) {
            pe_export *e = &img->exports[k];
            e->ordinal = base + i;
            e->rva = rva;
            e->forwarder = fwd;
            if (nn) {
                uint32_t j = by_slot[start[i] + m], nrva;
                int64_t noff = (int64_t)names.base_off + 4 * (int64_t)j;
                EW_TRY(ew_rd_u32_at(&names, 4 * (size_t)j, &nrva));
                EW_TRY(pe_read_cstr(c, nrva, "export name", noff, &e->name));
                refs[img->n_export_names].name = e->name;
                refs[img->n_export_names].idx = (uint32_t)k;
                img->n_export_names++;
            }
            k++;
        }
    }
    img->n_exports = k;

    /* The index must be sorted by name for pe_find_export. Linkers number
     * exports alphabetically, so in slot order the names usually are
     * sorted already (all corpus images); sort only when they are not. */
    bool sorted = true;
    for (size_t j = 1; j < img->n_export_names && sorted; j++)
        sorted = name_ref_cmp(&refs[j - 1], &refs[j]) <= 0;
    if (!sorted)
        qsort(refs, img->n_export_names, sizeof *refs, name_ref_cmp);
    img->export_name_index = ew_arena_array(
        &img->arena, img->n_export_names ? img->n_export_names : 1, 4);
    if (!img->export_name_index)
        return pe_nomem(c, "export directory", ed_off);
    for (size_t j = 0; j < img->n_export_names; j++)
        img->export_name_index[j] = refs[j].idx;
    return EW_OK;
}

/* ---- imports ---------------------------------------------------------- */

typedef struct thunk_walk {
    const char *dll;
    uint32_t lookup_rva; /* the table read: lookup/name table, or the IAT */
    uint32_t iat_rva;
    int64_t ref_off;     /* the descriptor field that held lookup_rva */
    bool delay, va_based;
    const char *what_table, *what_name;
} thunk_walk;

/* Reads one thunk table up to its zero entry, appending to c->imports. */
static ew_status walk_thunks(pe_ctx *c, const thunk_walk *w)
{
    pe_image *img = c->img;
    const uint32_t tsz = img->pe32plus ? 8 : 4;
    const uint64_t ord_flag = img->pe32plus ? 1ull << 63 : 1ull << 31;
    ew_rd t;
    EW_TRY(pe_map_avail(c, w->lookup_rva, w->what_table, w->ref_off, &t));

    for (uint32_t i = 0;; i++) {
        int64_t eoff = pe_rd_off(&t);
        uint64_t v;
        if (img->pe32plus) {
            EW_TRY(ew_rd_u64(&t, &v));
        } else {
            uint32_t v32;
            EW_TRY(ew_rd_u32(&t, &v32));
            v = v32;
        }
        if (v == 0)
            return EW_OK;
        if (c->imports.n >= PE_MAX_IMPORTS)
            return ew_fail(c->d, EW_E_LIMIT, w->what_table, eoff,
                           "more than %u imports", PE_MAX_IMPORTS);
        uint64_t slot = (uint64_t)w->iat_rva + (uint64_t)i * tsz;
        if (slot + tsz > img->size_of_image)
            return ew_fail(c->d, EW_E_BAD_VALUE, w->what_table, eoff,
                           "IAT slot 0x%llx of %s is past SizeOfImage 0x%x",
                           (unsigned long long)slot, w->dll,
                           img->size_of_image);

        pe_import *im = ew_vec_push(&c->imports, &img->arena);
        if (!im)
            return pe_nomem(c, w->what_table, eoff);
        im->dll = w->dll;
        im->iat_rva = (uint32_t)slot;
        im->delay = w->delay;
        im->va_based = w->va_based;
        if (v & ord_flag) {
            /* bits 30/62..16 must be 0 (PE Format, "Import Lookup Table") */
            if ((v & ~ord_flag) > 0xFFFF)
                return ew_fail(c->d, EW_E_BAD_VALUE, w->what_table, eoff,
                               "ordinal thunk 0x%llx has bits set above the "
                               "16-bit ordinal",
                               (unsigned long long)v);
            im->ordinal = (uint16_t)v;
            continue;
        }
        uint32_t hn_rva;
        if (w->va_based) {
            EW_TRY(pe_va_to_rva(c, v, w->what_table, eoff, &hn_rva));
        } else if (v > 0x7FFFFFFF) {
            return ew_fail(c->d, EW_E_BAD_VALUE, w->what_table, eoff,
                           "name thunk 0x%llx is not a 31-bit RVA",
                           (unsigned long long)v);
        } else {
            hn_rva = (uint32_t)v;
        }
        ew_rd hn;
        ew_str name;
        EW_TRY(pe_map_avail(c, hn_rva, w->what_name, eoff, &hn));
        EW_TRY(ew_rd_u16(&hn, &im->hint));
        EW_TRY(ew_rd_cstr(&hn, PE_MAX_NAME, &name));
        im->name = name.p; /* borrowed, NUL-terminated */
    }
}

ew_status pe_parse_imports(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_IMPORT];
    if (!dir.rva || !dir.size)
        return EW_OK;

    /* The descriptor array is read up to its terminator, not to the
     * directory's Size, which linkers have not always set exactly; the
     * reader still stops at the end of the section's file bytes. */
    ew_rd r;
    EW_TRY(pe_map_avail(c, dir.rva, "import directory",
                        c->dir_off[PE_DIR_IMPORT], &r));
    for (uint32_t n = 0;; n++) {
        int64_t doff = pe_rd_off(&r);
        ew_rd desc;
        EW_TRY(ew_rd_sub(&r, r.pos, IMPORT_DESC_SIZE, "import descriptor",
                         &desc));
        uint32_t oft, name_rva, ft;
        EW_TRY(ew_rd_u32_at(&desc, 0, &oft));
        EW_TRY(ew_rd_u32_at(&desc, 12, &name_rva));
        EW_TRY(ew_rd_u32_at(&desc, 16, &ft));
        if (name_rva == 0 && ft == 0)
            return EW_OK;
        if (name_rva == 0 || ft == 0)
            return ew_fail(c->d, EW_E_BAD_VALUE, "import descriptor", doff,
                           "Name 0x%x, FirstThunk 0x%x: one of them is 0",
                           name_rva, ft);
        if (n >= PE_MAX_IMPORT_DLLS)
            return ew_fail(c->d, EW_E_LIMIT, "import directory", doff,
                           "more than %u import descriptors",
                           PE_MAX_IMPORT_DLLS);
        thunk_walk w = {.iat_rva = ft,
                        .what_table = "import lookup table",
                        .what_name = "import name"};
        EW_TRY(pe_read_cstr(c, name_rva, "import DLL name", doff + 12,
                            &w.dll));
        /* Without a lookup table (old linkers) the unbound IAT holds the
         * same thunks. */
        w.lookup_rva = oft ? oft : ft;
        w.ref_off = oft ? doff : doff + 16;
        EW_TRY(walk_thunks(c, &w));
        EW_TRY(ew_rd_skip(&r, IMPORT_DESC_SIZE));
    }
}

ew_status pe_parse_delay_imports(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_DELAY_IMPORT];
    if (!dir.rva || !dir.size)
        return EW_OK;

    ew_rd r;
    EW_TRY(pe_map_avail(c, dir.rva, "delay import directory",
                        c->dir_off[PE_DIR_DELAY_IMPORT], &r));
    for (uint32_t n = 0;; n++) {
        int64_t doff = pe_rd_off(&r);
        ew_rd desc;
        EW_TRY(ew_rd_sub(&r, r.pos, DELAY_DESC_SIZE,
                         "delay import descriptor", &desc));
        uint32_t attrs, name, iat, nt;
        EW_TRY(ew_rd_u32_at(&desc, 0, &attrs));
        EW_TRY(ew_rd_u32_at(&desc, 4, &name));
        EW_TRY(ew_rd_u32_at(&desc, 12, &iat));
        EW_TRY(ew_rd_u32_at(&desc, 16, &nt));
        if (name == 0 && iat == 0)
            return EW_OK;
        if (name == 0 || iat == 0 || nt == 0)
            return ew_fail(c->d, EW_E_BAD_VALUE, "delay import descriptor",
                           doff,
                           "DllNameRVA 0x%x, ImportAddressTableRVA 0x%x, "
                           "ImportNameTableRVA 0x%x: one of them is 0",
                           name, iat, nt);
        if (n >= PE_MAX_IMPORT_DLLS)
            return ew_fail(c->d, EW_E_LIMIT, "delay import directory", doff,
                           "more than %u delay import descriptors",
                           PE_MAX_IMPORT_DLLS);
        thunk_walk w = {.delay = true,
                        .va_based = !(attrs & DELAY_ATTR_RVA_BASED),
                        .what_table = "delay import name table",
                        .what_name = "delay import name",
                        .ref_off = doff + 16};
        if (w.va_based) {
            EW_TRY(pe_va_to_rva(c, name, "delay import descriptor", doff + 4,
                             &name));
            EW_TRY(pe_va_to_rva(c, iat, "delay import descriptor", doff + 12,
                             &iat));
            EW_TRY(pe_va_to_rva(c, nt, "delay import descriptor", doff + 16,
                             &nt));
        }
        w.iat_rva = iat;
        w.lookup_rva = nt;
        EW_TRY(pe_read_cstr(c, name, "delay import DLL name", doff + 4,
                            &w.dll));
        EW_TRY(walk_thunks(c, &w));
        EW_TRY(ew_rd_skip(&r, DELAY_DESC_SIZE));
    }
}
