/*
 * pe_debug.c - debug directory (CodeView, POGO) and load config.
 *
 * Layouts (Microsoft PE Format, "The .debug Section", "The Load
 * Configuration Structure"; FORMATS.md §4.7):
 *
 *   IMAGE_DEBUG_DIRECTORY (28)  +0 Characteristics  +4 u32 TimeDateStamp
 *                               +8 u16 Major  +10 u16 Minor  +12 u32 Type
 *                               +16 u32 SizeOfData  +20 u32 AddressOfRawData
 *                               +24 u32 PointerToRawData
 *   CodeView RSDS               "RSDS" | GUID (16) | u32 Age | path
 *   CodeView NB10               "NB10" | u32 Offset | u32 Signature | u32 Age
 *                               | path (paths NUL-terminated)
 *   POGO (type 13)              u32 signature (0x50475500 'PGU', 0x4C544347
 *                               'LTCG': multi-character constants), then
 *                               entries { u32 RVA; u32 Size; name, NUL-ended
 *                               and padded to 4 bytes }
 *
 *   IMAGE_LOAD_CONFIG_DIRECTORY  64-bit   32-bit
 *     Size                         +0       +0    (u32; bounds every field)
 *     TimeDateStamp                +4       +4
 *     SecurityCookie               +88      +60   (VA)
 *     SEHandlerTable / Count       +96/+104 +64/+68
 *     GuardCFCheckFunctionPointer  +112     +72   (VA)
 *     GuardCFDispatchFunctionPtr   +120     +76   (VA)
 *     GuardCFFunctionTable         +128     +80   (VA)
 *     GuardCFFunctionCount         +136     +84
 *     GuardFlags                   +144     +88   (u32)
 *   GuardCFFunctionTable entries: u32 RVA plus (GuardFlags >> 28) & 0xF
 *   metadata bytes (IMAGE_GUARD_CF_FUNCTION_TABLE_SIZE_MASK 0xF0000000,
 *   _SHIFT 28).
 */
#include "pe_int.h"

#include <string.h>

#define DEBUG_ENTRY_SIZE 28u
#define CV_RSDS 0x53445352u /* "RSDS" */
#define CV_NB10 0x3031424Eu /* "NB10" */
#define GUARD_CF_TABLE_SIZE_SHIFT 28

/* The bytes of a debug entry's data, or *have = false when the file has
 * none for it. Debug data need not be mapped (AddressOfRawData 0) nor in
 * the file (stripped images keep entries whose data was removed), and an
 * entry may have no data at all: msvc-pair_pty-x64.node (sha256 ae323edd)
 * has an ILTCG (14) entry with SizeOfData, AddressOfRawData and
 * PointerToRawData all 0. The loader never reads this directory, so such
 * an entry is kept, unread. PointerToRawData is preferred (the spec's
 * "file pointer to the debug data"); the RVA is the fallback. */
static void debug_payload(const pe_ctx *c, const pe_debug_entry *e,
                          ew_rd *out, bool *have)
{
    size_t off;
    *have = false;
    if (e->size == 0)
        return;
    if (e->file_off && ew_fits(c->img->size, e->file_off, e->size))
        off = e->file_off;
    else if (!e->rva || pe_rva_to_off(c->img, e->rva, e->size, &off))
        return;
    *have = ew_rd_sub(&c->file, off, e->size, "debug data", out) == EW_OK;
}

static ew_status parse_codeview(pe_ctx *c, ew_rd *p)
{
    pe_codeview *cv = &c->img->codeview;
    uint32_t sig;
    ew_str path;
    p->what = "CodeView record";
    if (ew_rd_left(p) < 4)
        return EW_OK; /* too short to say what it is: not ours */
    EW_TRY(ew_rd_u32(p, &sig));
    if (sig == CV_RSDS && !cv->present) {
        EW_TRY(ew_rd_copy(p, cv->guid, 16));
        EW_TRY(ew_rd_u32(p, &cv->age));
        EW_TRY(ew_rd_cstr(p, PE_MAX_NAME, &path));
        cv->present = true;
    } else if (sig == CV_NB10 && !cv->present && !cv->nb10) {
        EW_TRY(ew_rd_skip(p, 4)); /* offset, always 0 */
        EW_TRY(ew_rd_u32(p, &cv->nb10_signature));
        EW_TRY(ew_rd_u32(p, &cv->age));
        EW_TRY(ew_rd_cstr(p, PE_MAX_NAME, &path));
        cv->nb10 = true;
    } else {
        return EW_OK; /* another CodeView kind, or a second record */
    }
    cv->pdb_path = path.p; /* borrowed, NUL-terminated */
    return EW_OK;
}

static ew_status parse_pogo(pe_ctx *c, ew_rd *p)
{
    pe_image *img = c->img;
    ew_vec v;
    p->what = "POGO debug data";
    if (ew_rd_left(p) < 4)
        return EW_OK; /* an empty record */
    EW_TRY(ew_rd_u32(p, &img->pogo_signature));
    ew_vec_init(&v, sizeof(pe_pogo_entry));
    /* entries take at least 12 bytes: the vector stays bounded by the
     * data's size */
    while (ew_rd_left(p) > 0) {
        int64_t eoff = pe_rd_off(p);
        pe_pogo_entry e;
        ew_str name;
        EW_TRY(ew_rd_u32(p, &e.rva));
        EW_TRY(ew_rd_u32(p, &e.size));
        EW_TRY(ew_rd_cstr(p, PE_MAX_NAME, &name));
        /* the last entry's padding may be cut by SizeOfData */
        size_t pad = (4 - p->pos % 4) % 4;
        EW_TRY(ew_rd_skip(p, pad < ew_rd_left(p) ? pad : ew_rd_left(p)));
        if (v.n >= PE_MAX_POGO_ENTRIES)
            return ew_fail(c->d, EW_E_LIMIT, "POGO debug data", eoff,
                           "more than %u entries", PE_MAX_POGO_ENTRIES);
        pe_pogo_entry *slot = ew_vec_push(&v, &img->arena);
        if (!slot)
            return pe_nomem(c, "POGO debug data", eoff);
        e.name = name.p; /* borrowed, NUL-terminated */
        *slot = e;
    }
    img->pogo = v.items;
    img->n_pogo = v.n;
    return EW_OK;
}

ew_status pe_parse_debug(pe_ctx *c)
{
    pe_image *img = c->img;
    /* A Size that is not a multiple of 28: the trailing bytes are ignored
     * (the loader never reads this directory; debuggers divide). */
    size_t n;
    ew_rd t;
    EW_TRY(pe_map_dir_entries(c, PE_DIR_DEBUG, DEBUG_ENTRY_SIZE,
                              PE_MAX_DEBUG_ENTRIES, "debug directory", &t,
                              &n));
    if (n == 0)
        return EW_OK;
    img->debug = ew_arena_array(&img->arena, n, sizeof *img->debug);
    if (!img->debug)
        return pe_nomem(c, "debug directory", (int64_t)t.base_off);
    bool pogo_done = false;
    for (size_t i = 0; i < n; i++) {
        pe_debug_entry *e = &img->debug[i];
        size_t at = i * DEBUG_ENTRY_SIZE;
        EW_TRY(ew_rd_u32_at(&t, at + 4, &e->timestamp));
        EW_TRY(ew_rd_u32_at(&t, at + 12, &e->type));
        EW_TRY(ew_rd_u32_at(&t, at + 16, &e->size));
        EW_TRY(ew_rd_u32_at(&t, at + 20, &e->rva));
        EW_TRY(ew_rd_u32_at(&t, at + 24, &e->file_off));
        ew_rd p;
        bool have;
        debug_payload(c, e, &p, &have);
        if (have && e->type == PE_DEBUG_TYPE_CODEVIEW) {
            EW_TRY(parse_codeview(c, &p));
        } else if (have && e->type == PE_DEBUG_TYPE_POGO && !pogo_done) {
            pogo_done = true; /* the first one only */
            EW_TRY(parse_pogo(c, &p));
        }
    }
    img->n_debug = n;
    return EW_OK;
}

/* ---- load config ------------------------------------------------------ */

/* A field of the load config, 0 when it lies past the structure's Size. */
static ew_status lc_field(const ew_rd *lc, size_t off, unsigned width,
                          uint64_t *out)
{
    *out = 0;
    if (!ew_fits(lc->size, off, width))
        return EW_OK;
    if (width == 8)
        return ew_rd_u64_at(lc, off, out);
    uint32_t v;
    EW_TRY(ew_rd_u32_at(lc, off, &v));
    *out = v;
    return EW_OK;
}

static ew_status parse_guard_table(pe_ctx *c, int64_t table_field_off)
{
    pe_image *img = c->img;
    pe_load_config *lc = &img->load_config;
    if (!lc->guard_cf_function_table_va || !lc->guard_cf_function_count)
        return EW_OK;
    if (lc->guard_cf_function_count > PE_MAX_GUARD_FUNCTIONS)
        return ew_fail(c->d, EW_E_LIMIT, "load config directory",
                       table_field_off + (img->pe32plus ? 8 : 4),
                       "GuardCFFunctionCount %llu, at most %u",
                       (unsigned long long)lc->guard_cf_function_count,
                       PE_MAX_GUARD_FUNCTIONS);
    uint32_t n = (uint32_t)lc->guard_cf_function_count;
    uint32_t stride =
        4 + ((lc->guard_flags >> GUARD_CF_TABLE_SIZE_SHIFT) & 0xF);
    uint32_t rva;
    ew_rd t;
    EW_TRY(pe_va_to_rva(c, lc->guard_cf_function_table_va,
                        "load config directory", table_field_off, &rva));
    EW_TRY(pe_map_table(c, rva, n, stride, "guard CF function table",
                        table_field_off, "GuardCFFunctionCount", &t));
    lc->guard_functions = ew_arena_array(&img->arena, n, 4);
    if (stride > 4)
        lc->guard_function_flags = ew_arena_alloc(&img->arena, n);
    if (!lc->guard_functions || (stride > 4 && !lc->guard_function_flags))
        return pe_nomem(c, "guard CF function table", (int64_t)t.base_off);
    for (uint32_t i = 0; i < n; i++) {
        int64_t eoff = pe_rd_off(&t);
        EW_TRY(ew_rd_u32(&t, &lc->guard_functions[i]));
        if (lc->guard_functions[i] >= img->size_of_image)
            return ew_fail(c->d, EW_E_BAD_VALUE, "guard CF function table",
                           eoff, "RVA 0x%x is past SizeOfImage 0x%x",
                           lc->guard_functions[i], img->size_of_image);
        if (stride > 4) {
            EW_TRY(ew_rd_u8(&t, &lc->guard_function_flags[i]));
            EW_TRY(ew_rd_skip(&t, stride - 5));
        }
    }
    lc->n_guard_functions = n;
    return EW_OK;
}

ew_status pe_parse_load_config(pe_ctx *c)
{
    pe_image *img = c->img;
    pe_data_dir dir = img->dirs[PE_DIR_LOAD_CONFIG];
    if (!dir.rva || !dir.size)
        return EW_OK;
    /* The structure's own Size field says which fields exist (it grows
     * with every Windows release); the directory's Size was historically
     * wrong for x86 images (0x40), so it is not used. */
    ew_rd r, lc;
    uint32_t size;
    EW_TRY(pe_map_avail(c, dir.rva, "load config directory",
                        c->dir_off[PE_DIR_LOAD_CONFIG], &r));
    EW_TRY(ew_rd_u32_at(&r, 0, &size));
    if (size < 4 || size > ew_rd_left(&r))
        return ew_fail(c->d, size < 4 ? EW_E_BAD_VALUE : EW_E_TRUNCATED,
                       "load config directory", (int64_t)r.base_off,
                       "Size 0x%x, 0x%zx file bytes", size, ew_rd_left(&r));
    EW_TRY(ew_rd_sub(&r, 0, size, "load config directory", &lc));

    pe_load_config *l = &img->load_config;
    const bool w64 = img->pe32plus;
    const unsigned pw = w64 ? 8 : 4; /* pointer width */
    uint64_t v;
    l->present = true;
    l->size = size;
    EW_TRY(lc_field(&lc, 4, 4, &v));
    l->timestamp = (uint32_t)v;
    EW_TRY(lc_field(&lc, w64 ? 88 : 60, pw, &l->security_cookie_va));
    EW_TRY(lc_field(&lc, w64 ? 96 : 64, pw, &l->se_handler_table_va));
    EW_TRY(lc_field(&lc, w64 ? 104 : 68, pw, &l->se_handler_count));
    EW_TRY(lc_field(&lc, w64 ? 112 : 72, pw, &l->guard_check_icall_va));
    EW_TRY(lc_field(&lc, w64 ? 120 : 76, pw, &l->guard_dispatch_icall_va));
    EW_TRY(lc_field(&lc, w64 ? 128 : 80, pw, &l->guard_cf_function_table_va));
    EW_TRY(lc_field(&lc, w64 ? 136 : 84, pw, &l->guard_cf_function_count));
    EW_TRY(lc_field(&lc, w64 ? 144 : 88, 4, &v));
    l->guard_flags = (uint32_t)v;
    return parse_guard_table(c, (int64_t)lc.base_off + (w64 ? 128 : 80));
}
