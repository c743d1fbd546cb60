/*
 * test_pe.c - the PE reader: crafted images (built here, byte by byte),
 * truncation ladders and patched bad inputs with their exact diagnostics,
 * and every PE of the corpus, with facts checked against
 *   llvm-readobj-14 --file-headers --sections --coff-exports --coff-imports
 *                   --coff-debug-directory --coff-load-config --coff-resources
 *
 * `test_pe --write-seeds DIR` writes the crafted images (the fuzzer's seed
 * corpus, fuzz/corpus/pe/) and exits.
 */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_limits.h"
#include "format/pe.h"

#include <time.h>

/* ==== a crafted image ===================================================
 *
 * One layout, three variants (x64 PE32+, x86 PE32, ARM64 PE32+):
 *
 *   file 0x0000 DOS header, e_lfanew 0x40; 0x40 "PE\0\0"; 0x44 COFF header;
 *        0x58 optional header (240 bytes PE32+, 224 PE32); section table
 *   section  RVA     VirtualSize  raw off  raw size
 *   .text    0x1000  0x100        0x400    0x200   (raw > virtual)
 *   .rdata   0x2000  0x800        0x600    0x800   directories, strings
 *   .pdata   0x3000  0x30         0xE00    0x200
 *   .rsrc    0x4000  0x200        0x1000   0x200
 *   .reloc   0x5000  0x20         0x1200   0x200
 *   .bss     0x6000  0x100        0        0       (no file bytes)
 *   SizeOfImage 0x7000, SizeOfHeaders 0x400, file 0x1400 bytes.
 *
 *   .rdata: 0x2000 export directory (test.dll: FuncA @1, Fwd @2 forwarded
 *           to NTDLL.RtlFoo, @3 by ordinal only); 0x2200 import directory
 *           (KERNEL32.dll: Sleep hint 5, ordinal 16); 0x2300 delay imports
 *           (USER32.dll: MessageBoxW hint 7); 0x2400 debug directory (RSDS,
 *           POGO); 0x2500 load config (3 CFG functions, 5-byte entries);
 *           0x2700 unwind info (x64: A plain, C chained to A, D chained to
 *           C; ARM64: one .xdata header)
 *   .rsrc:  WEVT_TEMPLATE/1/0x409 and type 11/1/0x409
 *   .reloc: one block, page 0x2000: two pointer fixups, a HIGHADJ with its
 *           parameter slot
 */
enum variant { V_X64, V_X86, V_ARM64 };

#define IMG_SIZE 0x1400u
#define OFF_PE 0x40u
#define OFF_COFF 0x44u
#define OFF_OPT 0x58u
#define N_SECT 6u
#define BASE64 0x180000000ull
#define BASE32 0x10000000u

static const struct {
    const char *name;
    uint32_t va, vsize, raw, raw_size, ch;
} sect[N_SECT] = {
    {".text", 0x1000, 0x100, 0x400, 0x200, 0x60000020},
    {".rdata", 0x2000, 0x800, 0x600, 0x800, 0x40000040},
    {".pdata", 0x3000, 0x30, 0xE00, 0x200, 0x40000040},
    {".rsrc", 0x4000, 0x200, 0x1000, 0x200, 0x40000040},
    {".reloc", 0x5000, 0x20, 0x1200, 0x200, 0x42000040},
    {".bss", 0x6000, 0x100, 0, 0, 0xC0000080},
};

static uint32_t opt_size(int v) { return v == V_X86 ? 224 : 240; }
static uint32_t opt_fixed(int v) { return v == V_X86 ? 96 : 112; }
static uint32_t sect_off(int v) { return OFF_OPT + opt_size(v); }
static uint32_t hdr_off(int v, unsigned i) { return sect_off(v) + 40 * i; }
static uint32_t dir_off(int v, unsigned i)
{
    return OFF_OPT + opt_fixed(v) + 8 * i;
}
static uint64_t base_of(int v) { return v == V_X86 ? BASE32 : BASE64; }

/* file offset of an RVA of the crafted image (test-side truth) */
static uint32_t F(uint32_t rva)
{
    for (unsigned i = 0; i < N_SECT; i++)
        if (rva >= sect[i].va && rva < sect[i].va + sect[i].raw_size)
            return sect[i].raw + (rva - sect[i].va);
    fail_msg("RVA 0x%x has no file offset in the crafted image", rva);
    return 0;
}

static void p8(uint8_t *b, uint32_t off, uint8_t v) { b[off] = v; }
static void p16(uint8_t *b, uint32_t off, uint16_t v) { wr16(b + off, v); }
static void p32(uint8_t *b, uint32_t off, uint32_t v) { wr32(b + off, v); }
static void p64(uint8_t *b, uint32_t off, uint64_t v) { wr64(b + off, v); }
static void pstr(uint8_t *b, uint32_t off, const char *s)
{
    memcpy(b + off, s, strlen(s) + 1);
}
/* a pointer-sized value (thunk, VA) */
static void pptr(int v, uint8_t *b, uint32_t off, uint64_t x)
{
    if (v == V_X86)
        p32(b, off, (uint32_t)x);
    else
        p64(b, off, x);
}
static void set_dir(int v, uint8_t *b, unsigned i, uint32_t rva,
                    uint32_t size)
{
    p32(b, dir_off(v, i), rva);
    p32(b, dir_off(v, i) + 4, size);
}

static const uint8_t test_guid[16] = {1, 2, 3,  4,  5,  6,  7,  8,
                                      9, 10, 11, 12, 13, 14, 15, 16};

static uint8_t *build(int v, size_t *size)
{
    uint8_t *b = calloc(1, IMG_SIZE);
    assert_non_null(b);
    const bool w64 = v != V_X86;
    const uint32_t ts = w64 ? 8 : 4; /* thunk size */
    const uint64_t ord_flag = w64 ? 1ull << 63 : 1ull << 31;
    const uint64_t base = base_of(v);

    /* headers */
    p16(b, 0, 0x5A4D);
    p32(b, 0x3C, OFF_PE);
    p32(b, OFF_PE, 0x4550);
    p16(b, OFF_COFF, v == V_X86 ? 0x14C : v == V_ARM64 ? 0xAA64 : 0x8664);
    p16(b, OFF_COFF + 2, N_SECT);
    p32(b, OFF_COFF + 4, 0x5F000000);
    p16(b, OFF_COFF + 16, (uint16_t)opt_size(v));
    p16(b, OFF_COFF + 18, 0x2022); /* DLL, executable, large address */
    p16(b, OFF_OPT, w64 ? 0x20B : 0x10B);
    p32(b, OFF_OPT + 16, 0x1000);
    if (w64)
        p64(b, OFF_OPT + 24, base);
    else
        p32(b, OFF_OPT + 28, (uint32_t)base);
    p32(b, OFF_OPT + 32, 0x1000);
    p32(b, OFF_OPT + 36, 0x200);
    p32(b, OFF_OPT + 56, 0x7000);
    p32(b, OFF_OPT + 60, 0x400);
    p32(b, OFF_OPT + 64, 0x1234);
    p16(b, OFF_OPT + 68, 2);
    p16(b, OFF_OPT + 70, 0x4160);
    p32(b, OFF_OPT + opt_fixed(v) - 4, 16);
    for (unsigned i = 0; i < N_SECT; i++) {
        uint32_t h = hdr_off(v, i);
        memcpy(b + h, sect[i].name, strlen(sect[i].name));
        p32(b, h + 8, sect[i].vsize);
        p32(b, h + 12, sect[i].va);
        p32(b, h + 16, sect[i].raw_size);
        p32(b, h + 20, sect[i].raw);
        p32(b, h + 36, sect[i].ch);
    }
    p8(b, F(0x1000), 0xC3);

    /* exports */
    set_dir(v, b, 0, 0x2000, 0x140);
    p32(b, F(0x2000) + 12, 0x2100);
    p32(b, F(0x2000) + 16, 1);
    p32(b, F(0x2000) + 20, 3);
    p32(b, F(0x2000) + 24, 2);
    p32(b, F(0x2000) + 28, 0x2040);
    p32(b, F(0x2000) + 32, 0x2050);
    p32(b, F(0x2000) + 36, 0x2058);
    p32(b, F(0x2040), 0x1000);
    p32(b, F(0x2044), 0x2120); /* inside the directory: a forwarder */
    p32(b, F(0x2048), 0x1020);
    p32(b, F(0x2050), 0x2110);
    p32(b, F(0x2054), 0x2118);
    p16(b, F(0x2058), 0);
    p16(b, F(0x205A), 1);
    pstr(b, F(0x2100), "test.dll");
    pstr(b, F(0x2110), "FuncA");
    pstr(b, F(0x2118), "Fwd");
    pstr(b, F(0x2120), "NTDLL.RtlFoo");

    /* imports */
    set_dir(v, b, 1, 0x2200, 40);
    set_dir(v, b, 12, 0x2260, 3 * ts);
    p32(b, F(0x2200), 0x2240);
    p32(b, F(0x2200) + 12, 0x2280);
    p32(b, F(0x2200) + 16, 0x2260);
    for (uint32_t t = 0x2240; t <= 0x2260; t += 0x20) {
        pptr(v, b, F(t), 0x2290);
        pptr(v, b, F(t + ts), ord_flag | 16);
    }
    pstr(b, F(0x2280), "KERNEL32.dll");
    p16(b, F(0x2290), 5);
    pstr(b, F(0x2292), "Sleep");

    /* delay-load imports (RVA-based) */
    set_dir(v, b, 13, 0x2300, 64);
    p32(b, F(0x2300), 1);
    p32(b, F(0x2300) + 4, 0x2340);
    p32(b, F(0x2300) + 8, 0x6000);
    p32(b, F(0x2300) + 12, 0x2350);
    p32(b, F(0x2300) + 16, 0x2360);
    pstr(b, F(0x2340), "USER32.dll");
    pptr(v, b, F(0x2350), base + 0x1000);
    pptr(v, b, F(0x2360), 0x2378);
    p16(b, F(0x2378), 7);
    pstr(b, F(0x237A), "MessageBoxW");

    /* debug directory: CodeView RSDS, POGO */
    set_dir(v, b, 6, 0x2400, 56);
    p32(b, F(0x2400) + 4, 0x5F000000);
    p32(b, F(0x2400) + 12, 2);
    p32(b, F(0x2400) + 16, 33);
    p32(b, F(0x2400) + 20, 0x2440);
    p32(b, F(0x2400) + 24, F(0x2440));
    p32(b, F(0x241C) + 12, 13);
    p32(b, F(0x241C) + 16, 40);
    p32(b, F(0x241C) + 20, 0x2480);
    p32(b, F(0x241C) + 24, F(0x2480));
    memcpy(b + F(0x2440), "RSDS", 4);
    memcpy(b + F(0x2444), test_guid, 16);
    p32(b, F(0x2454), 3);
    pstr(b, F(0x2458), "test.pdb");
    p32(b, F(0x2480), 0x50475500); /* 'PGU' */
    p32(b, F(0x2484), 0x1000);
    p32(b, F(0x2488), 0x100);
    pstr(b, F(0x248C), ".text$mn"); /* 9 bytes, padded to 12 */
    p32(b, F(0x2498), 0x2000);
    p32(b, F(0x249C), 0x40);
    pstr(b, F(0x24A0), ".rdata"); /* 7 bytes, padded to 8 */

    /* load config, through GuardFlags */
    uint32_t lc = F(0x2500), lc_size = w64 ? 148 : 92;
    set_dir(v, b, 10, 0x2500, lc_size);
    p32(b, lc, lc_size);
    pptr(v, b, lc + (w64 ? 88 : 60), base + 0x6010);
    pptr(v, b, lc + (w64 ? 112 : 72), base + 0x2600);
    pptr(v, b, lc + (w64 ? 120 : 76), base + 0x2608);
    pptr(v, b, lc + (w64 ? 128 : 80), base + 0x2620);
    pptr(v, b, lc + (w64 ? 136 : 84), 3);
    p32(b, lc + (w64 ? 144 : 88), 0x10000500); /* 1 metadata byte */
    p32(b, F(0x2620), 0x1000);
    p32(b, F(0x2625), 0x1010);
    p8(b, F(0x2629), 2);
    p32(b, F(0x262A), 0x1020);

    /* exception directory */
    if (v == V_X64) {
        set_dir(v, b, 3, 0x3000, 48);
        const uint8_t ui_a[8] = {0x01, 0x04, 0x01, 0x00, 0x04, 0x42, 0, 0};
        memcpy(b + F(0x2700), ui_a, sizeof ui_a);
        const uint8_t ui_c[4] = {0x21, 0x00, 0x01, 0x00}; /* CHAININFO */
        memcpy(b + F(0x2710), ui_c, sizeof ui_c);
        p32(b, F(0x2718), 0x1000); /* parent: A (codes: 1 -> 4 bytes) */
        p32(b, F(0x271C), 0x1010);
        p32(b, F(0x2720), 0x2700);
        const uint8_t ui_d[4] = {0x21, 0x00, 0x00, 0x00};
        memcpy(b + F(0x2730), ui_d, sizeof ui_d);
        p32(b, F(0x2734), 0x1020); /* parent: C */
        p32(b, F(0x2738), 0x1030);
        p32(b, F(0x273C), 0x2710);
        const uint32_t rf[4][3] = {{0x1000, 0x1010, 0x2700},
                                   {0x1010, 0x1020, 0x2700},
                                   {0x1020, 0x1030, 0x2710},
                                   {0x1030, 0x1040, 0x2730}};
        for (unsigned i = 0; i < 4; i++)
            for (unsigned k = 0; k < 3; k++)
                p32(b, F(0x3000) + 12 * i + 4 * k, rf[i][k]);
    } else if (v == V_ARM64) {
        set_dir(v, b, 3, 0x3000, 16);
        p32(b, F(0x2700), 8); /* .xdata: FunctionLength 8 words */
        p32(b, F(0x3000), 0x1000);
        p32(b, F(0x3004), 1 | 4 << 2); /* packed, 4 instructions */
        p32(b, F(0x3008), 0x1010);
        p32(b, F(0x300C), 0x2700);
    }

    /* resources (offsets from the root at 0x4000) */
    set_dir(v, b, 2, 0x4000, 0x1A0);
    uint32_t r = F(0x4000);
    p16(b, r + 12, 1);
    p16(b, r + 14, 1);
    p32(b, r + 0x10, 0x80000100);
    p32(b, r + 0x14, 0x80000020);
    p32(b, r + 0x18, 11);
    p32(b, r + 0x1C, 0x80000038);
    p16(b, r + 0x20 + 14, 1);
    p32(b, r + 0x30, 1);
    p32(b, r + 0x34, 0x80000050);
    p16(b, r + 0x38 + 14, 1);
    p32(b, r + 0x48, 1);
    p32(b, r + 0x4C, 0x80000068);
    p16(b, r + 0x50 + 14, 1);
    p32(b, r + 0x60, 0x409);
    p32(b, r + 0x64, 0xC0);
    p16(b, r + 0x68 + 14, 1);
    p32(b, r + 0x78, 0x409);
    p32(b, r + 0x7C, 0xD0);
    p32(b, r + 0xC0, 0x4180);
    p32(b, r + 0xC4, 0x10);
    p32(b, r + 0xD0, 0x4190);
    p32(b, r + 0xD4, 0x10);
    p32(b, r + 0xD8, 1252);
    const char *wevt = "WEVT_TEMPLATE";
    p16(b, r + 0x100, (uint16_t)strlen(wevt));
    for (unsigned i = 0; wevt[i]; i++)
        p16(b, r + 0x102 + 2 * i, (uint8_t)wevt[i]);
    memcpy(b + r + 0x180, "CRIM", 4);

    /* base relocations */
    const uint16_t ptr_fix = w64 ? 10 : 3; /* DIR64 / HIGHLOW */
    set_dir(v, b, 5, 0x5000, 16);
    p32(b, F(0x5000), 0x2000);
    p32(b, F(0x5004), 16);
    p16(b, F(0x5008), (uint16_t)(ptr_fix << 12 | 0x600));
    p16(b, F(0x500A), (uint16_t)(ptr_fix << 12 | 0x608));
    p16(b, F(0x500C), 4 << 12 | 0x010); /* HIGHADJ */
    p16(b, F(0x500E), 0x1234);          /* ... its parameter */

    *size = IMG_SIZE;
    return b;
}

/* Old (pre-VC7) delay descriptor: Attributes 0, fields and name-table
 * entries are VAs. */
static void make_delay_va_based(int v, uint8_t *b)
{
    uint64_t base = base_of(v);
    p32(b, F(0x2300), 0);
    p32(b, F(0x2300) + 4, (uint32_t)(base + 0x2340));
    p32(b, F(0x2300) + 8, (uint32_t)(base + 0x6000));
    p32(b, F(0x2300) + 12, (uint32_t)(base + 0x2350));
    p32(b, F(0x2300) + 16, (uint32_t)(base + 0x2360));
    pptr(v, b, F(0x2360), base + 0x2378);
}

/* ==== helpers =========================================================== */

/* Facts every opened image must satisfy (the fuzzer checks the same). */
static void check_invariants(const pe_image *img)
{
    for (size_t i = 0; i < img->n_sections; i++) {
        const pe_section *s = &img->sections[i];
        uint32_t ext = s->vsize ? s->vsize : s->raw_size;
        assert_true(ext > 0);
        assert_true((uint64_t)s->rva + ext <= img->size_of_image);
        if (i)
            assert_true(s->rva >= img->sections[i - 1].rva);
        assert_ptr_equal(pe_section_at(img, s->rva), s);
    }
    for (size_t i = 0; i < img->n_exports; i++) {
        const pe_export *e = &img->exports[i];
        assert_true(e->rva < img->size_of_image);
        assert_true(!e->forwarder || e->rva == 0);
        if (i)
            assert_true(e->ordinal >= img->exports[i - 1].ordinal);
        if (e->name)
            assert_non_null(pe_find_export(img, e->name));
    }
    for (size_t i = 0; i < img->n_imports; i++) {
        assert_non_null(img->imports[i].dll);
        assert_true(img->imports[i].iat_rva < img->size_of_image);
    }
    for (size_t i = 0; i < img->n_functions; i++) {
        const pe_runtime_function *f = &img->functions[i];
        assert_true(f->begin_rva <= f->end_rva);
        assert_true(f->end_rva <= img->size_of_image);
        if (i)
            assert_true(f->begin_rva >= img->functions[i - 1].begin_rva);
    }
    for (size_t i = 0; i < img->n_relocs; i++)
        assert_true(img->relocs[i].rva < img->size_of_image);
    for (size_t i = 0; i < img->load_config.n_guard_functions; i++)
        assert_true(img->load_config.guard_functions[i] <
                    img->size_of_image);
    for (size_t i = 0; i < img->n_resources; i++) {
        const pe_resource *r = &img->resources[i];
        size_t n;
        const pe_resource *first =
            pe_find_resource(img, r->type_id, r->type_name, &n);
        assert_non_null(first);
        assert_true(first <= r && r < first + n);
    }
}

static pe_image open_ok(const uint8_t *b, size_t size, ew_diag *d)
{
    pe_image img;
    ew_diag_init(d, "crafted");
    assert_ew_ok(pe_open(&img, b, size, "crafted", d), d);
    check_invariants(&img);
    return img;
}

/* pe_open must fail with exactly this status, structure and offset. */
static void expect_fail_at(const uint8_t *b, size_t size, ew_status st,
                           const char *what, uint64_t off, int line)
{
    pe_image img;
    ew_diag d;
    ew_diag_init(&d, "crafted");
    ew_status s = pe_open(&img, b, size, "crafted", &d);
    char buf[512];
    ew_diag_format(&d, buf, sizeof buf);
    if (s != st || d.status != st || strcmp(d.what, what) != 0 ||
        !d.has_off || d.off != off)
        fail_msg("line %d: expected %s / \"%s\" at 0x%llx, got status %d: %s",
                 line, ew_status_str(st), what, (unsigned long long)off, s,
                 buf);
    assert_null(img.sections); /* closed */
    pe_close(&img);            /* a no-op, and safe */
}
#define expect_fail(b, size, st, what, off) \
    expect_fail_at((b), (size), (st), (what), (off), __LINE__)

/* ==== crafted: what a valid image gives ================================= */

static void crafted_x64_headers_and_sections(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.machine, 0x8664);
    assert_true(img.pe32plus);
    assert_true(img.image_base == BASE64);
    assert_int_equal(img.size_of_image, 0x7000);
    assert_int_equal(img.size_of_headers, 0x400);
    assert_int_equal(img.entry_rva, 0x1000);
    assert_int_equal(img.timestamp, 0x5F000000);
    assert_int_equal(img.checksum, 0x1234);
    assert_int_equal(img.subsystem, 2);
    assert_int_equal(img.characteristics, 0x2022);
    assert_int_equal(img.dll_characteristics, 0x4160);
    assert_int_equal(img.n_dirs, 16);
    assert_int_equal(img.dirs[PE_DIR_EXPORT].rva, 0x2000);
    assert_int_equal(img.n_sections, N_SECT);
    for (unsigned i = 0; i < N_SECT; i++) {
        assert_string_equal(img.sections[i].name, sect[i].name);
        assert_int_equal(img.sections[i].rva, sect[i].va);
        assert_int_equal(img.sections[i].vsize, sect[i].vsize);
        assert_int_equal(img.sections[i].raw_off, sect[i].raw);
        assert_int_equal(img.sections[i].raw_size, sect[i].raw_size);
        assert_int_equal(img.sections[i].characteristics, sect[i].ch);
    }
    assert_string_equal(pe_machine_name(img.machine), "x64");
    assert_string_equal(pe_subsystem_name(img.subsystem), "windows-gui");
    assert_string_equal(pe_machine_name(0xAA64), "ARM64");
    assert_string_equal(pe_machine_name(0x14C), "x86");
    assert_string_equal(pe_machine_name(0x1234), "unknown");
    assert_string_equal(pe_subsystem_name(1), "native");
    assert_string_equal(pe_subsystem_name(999), "unknown");
    pe_close(&img);
    free(b);
}

static void crafted_rva_mapping(void **state)
{
    size_t size, off = 0, avail = 0;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);

    assert_int_equal(pe_rva_to_off(&img, 0x2000, 0x800, &off), EW_OK);
    assert_int_equal(off, 0x600);
    /* one byte past .rdata's file bytes */
    assert_int_equal(pe_rva_to_off(&img, 0x2000, 0x801, &off),
                     EW_E_TRUNCATED);
    /* .text: raw 0x200 but VirtualSize 0x100: 0x1100 is in no section */
    assert_int_equal(pe_rva_to_off(&img, 0x10FF, 1, &off), EW_OK);
    assert_int_equal(off, 0x4FF);
    assert_int_equal(pe_rva_to_off(&img, 0x10FF, 2, &off), EW_E_TRUNCATED);
    assert_int_equal(pe_rva_to_off(&img, 0x1100, 1, &off), EW_E_BAD_VALUE);
    assert_null(pe_section_at(&img, 0x1100));
    assert_string_equal(pe_section_at(&img, 0x10FF)->name, ".text");
    /* .bss has no file bytes: in a section, but not backed */
    assert_string_equal(pe_section_at(&img, 0x6000)->name, ".bss");
    assert_int_equal(pe_rva_to_off(&img, 0x6000, 1, &off), EW_E_TRUNCATED);
    /* headers map to the file directly, up to SizeOfHeaders */
    assert_int_equal(pe_rva_to_off(&img, 0x3C, 4, &off), EW_OK);
    assert_int_equal(off, 0x3C);
    assert_int_equal(pe_rva_to_off(&img, 0x3FF, 2, &off), EW_E_TRUNCATED);
    assert_int_equal(pe_rva_to_off(&img, 0x400, 1, &off), EW_E_BAD_VALUE);
    assert_int_equal(pe_rva_to_off(&img, 0x9000, 1, &off), EW_E_BAD_VALUE);
    assert_int_equal(pe_rva_to_off(&img, UINT32_MAX, UINT32_MAX, &off),
                     EW_E_BAD_VALUE);
    assert_int_equal(pe_rva_avail(&img, 0x4010, &off, &avail), EW_OK);
    assert_int_equal(off, 0x1010);
    assert_int_equal(avail, 0x1F0);

    /* readers: bounded to the range, failures in img->diag */
    ew_rd r;
    uint32_t v;
    assert_int_equal(pe_rva_reader(&img, 0x2040, 8, "EAT", &r), EW_OK);
    assert_int_equal(r.base_off, 0x640);
    assert_int_equal(ew_rd_u32(&r, &v), EW_OK);
    assert_int_equal(v, 0x1000);
    assert_int_equal(ew_rd_skip(&r, 8), EW_E_TRUNCATED);
    assert_string_equal(d.what, "EAT");
    assert_int_equal(d.off, 0x644);
    ew_diag_init(&d, "crafted");
    assert_int_equal(pe_rva_reader(&img, 0x6000, 4, "bss slot", &r),
                     EW_E_TRUNCATED);
    assert_string_equal(d.what, "bss slot");
    assert_false(d.has_off);
    ew_diag_init(&d, "crafted");
    assert_int_equal(pe_rva_reader_avail(&img, 0x27F0, "tail", &r), EW_OK);
    assert_int_equal(r.size, 0x10);
    pe_close(&img);
    free(b);
}

static void crafted_exports(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_string_equal(img.export_dll_name, "test.dll");
    assert_int_equal(img.n_exports, 3);
    assert_string_equal(img.exports[0].name, "FuncA");
    assert_int_equal(img.exports[0].ordinal, 1);
    assert_int_equal(img.exports[0].rva, 0x1000);
    assert_null(img.exports[0].forwarder);
    assert_string_equal(img.exports[1].name, "Fwd");
    assert_int_equal(img.exports[1].ordinal, 2);
    assert_int_equal(img.exports[1].rva, 0);
    assert_string_equal(img.exports[1].forwarder, "NTDLL.RtlFoo");
    assert_null(img.exports[2].name);
    assert_int_equal(img.exports[2].ordinal, 3);
    assert_int_equal(img.exports[2].rva, 0x1020);
    assert_ptr_equal(pe_find_export(&img, "Fwd"), &img.exports[1]);
    assert_ptr_equal(pe_find_export(&img, "FuncA"), &img.exports[0]);
    assert_null(pe_find_export(&img, "Func"));
    assert_null(pe_find_export(&img, "funca"));
    assert_ptr_equal(pe_find_export_ordinal(&img, 3), &img.exports[2]);
    assert_null(pe_find_export_ordinal(&img, 4));
    pe_close(&img);

    /* names whose slot order is not their name order (FuncA -> slot 1,
     * Fwd -> slot 0): the name index is sorted, not the exports */
    p16(b, F(0x2058), 1);
    p16(b, F(0x205A), 0);
    img = open_ok(b, size, &d);
    assert_string_equal(img.exports[0].name, "Fwd");
    assert_string_equal(img.exports[1].name, "FuncA");
    assert_ptr_equal(pe_find_export(&img, "Fwd"), &img.exports[0]);
    assert_ptr_equal(pe_find_export(&img, "FuncA"), &img.exports[1]);
    pe_close(&img);

    /* two names for one slot: one export each, same ordinal; the unnamed
     * forwarder slot is still listed */
    p16(b, F(0x2058), 0);
    p16(b, F(0x205A), 0);
    img = open_ok(b, size, &d);
    assert_int_equal(img.n_exports, 4);
    assert_int_equal(img.exports[0].ordinal, 1);
    assert_int_equal(img.exports[1].ordinal, 1);
    assert_int_equal(pe_find_export(&img, "Fwd")->rva, 0x1000);
    assert_int_equal(pe_find_export(&img, "FuncA")->rva, 0x1000);
    assert_null(img.exports[2].name);
    assert_string_equal(pe_find_export_ordinal(&img, 2)->forwarder,
                        "NTDLL.RtlFoo");
    assert_int_equal(img.exports[3].ordinal, 3);
    pe_close(&img);

    /* a slot whose RVA is 0 and that has no name is an unused ordinal */
    p16(b, F(0x205A), 1);
    p32(b, F(0x2048), 0);
    img = open_ok(b, size, &d);
    assert_int_equal(img.n_exports, 2);
    assert_null(pe_find_export_ordinal(&img, 3));
    pe_close(&img);
    free(b);
}

static void crafted_imports(void **state)
{
    for (int v = V_X64; v <= V_X86; v++) {
        size_t size;
        uint8_t *b = build(v, &size);
        ew_diag d;
        const uint32_t ts = v == V_X86 ? 4 : 8;
        pe_image img = open_ok(b, size, &d);
        assert_int_equal(img.n_imports, 3);
        const pe_import *im = img.imports;
        assert_string_equal(im[0].dll, "KERNEL32.dll");
        assert_string_equal(im[0].name, "Sleep");
        assert_int_equal(im[0].hint, 5);
        assert_int_equal(im[0].iat_rva, 0x2260);
        assert_false(im[0].delay);
        assert_string_equal(im[1].dll, "KERNEL32.dll");
        assert_null(im[1].name);
        assert_int_equal(im[1].ordinal, 16);
        assert_int_equal(im[1].iat_rva, 0x2260 + ts);
        assert_string_equal(im[2].dll, "USER32.dll");
        assert_string_equal(im[2].name, "MessageBoxW");
        assert_int_equal(im[2].hint, 7);
        assert_int_equal(im[2].iat_rva, 0x2350);
        assert_true(im[2].delay);
        assert_false(im[2].va_based);
        pe_close(&img);

        /* no lookup table: the IAT's thunks are read */
        p32(b, F(0x2200), 0);
        img = open_ok(b, size, &d);
        assert_int_equal(img.n_imports, 3);
        assert_string_equal(img.imports[0].name, "Sleep");
        pe_close(&img);

        /* the old VA-based delay descriptor (32-bit VAs: x86 only) */
        if (v != V_X86) {
            free(b);
            continue;
        }
        make_delay_va_based(v, b);
        img = open_ok(b, size, &d);
        assert_int_equal(img.n_imports, 3);
        assert_string_equal(img.imports[2].dll, "USER32.dll");
        assert_string_equal(img.imports[2].name, "MessageBoxW");
        assert_int_equal(img.imports[2].iat_rva, 0x2350);
        assert_true(img.imports[2].va_based);
        pe_close(&img);
        free(b);
    }
}

static void crafted_pdata_x64_chains(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.n_functions, 4);
    const pe_runtime_function *f = img.functions;
    assert_int_equal(f[0].primary_rva, 0x1000); /* A: not chained */
    assert_int_equal(f[1].primary_rva, 0x1010); /* B: not chained */
    assert_int_equal(f[2].begin_rva, 0x1020);
    assert_int_equal(f[2].unwind_rva, 0x2710);
    assert_int_equal(f[2].primary_rva, 0x1000); /* C -> A */
    assert_int_equal(f[3].primary_rva, 0x1000); /* D -> C -> A */
    assert_ptr_equal(pe_find_function(&img, 0x1025), &f[2]);
    assert_ptr_equal(pe_find_function(&img, 0x103F), &f[3]);
    assert_null(pe_find_function(&img, 0x1040));
    assert_null(pe_find_function(&img, 0xFFF));
    pe_close(&img);

    /* an indirect entry (UnwindData bit 0): B's info is A's entry + 1 */
    p32(b, F(0x3000) + 12 + 8, 0x3000 + 1);
    img = open_ok(b, size, &d);
    assert_int_equal(img.functions[1].primary_rva, 0x1000);
    pe_close(&img);

    /* unsorted entries are sorted (A and B swapped) */
    free(b);
    b = build(V_X64, &size);
    uint8_t tmp[12];
    memcpy(tmp, b + F(0x3000), 12);
    memcpy(b + F(0x3000), b + F(0x300C), 12);
    memcpy(b + F(0x300C), tmp, 12);
    img = open_ok(b, size, &d);
    assert_int_equal(img.functions[0].begin_rva, 0x1000);
    assert_int_equal(img.functions[1].begin_rva, 0x1010);
    pe_close(&img);
    free(b);
}

static void crafted_pdata_arm64(void **state)
{
    size_t size;
    uint8_t *b = build(V_ARM64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.machine, 0xAA64);
    assert_int_equal(img.n_functions, 2);
    /* packed: FunctionLength 4 words */
    assert_int_equal(img.functions[0].begin_rva, 0x1000);
    assert_int_equal(img.functions[0].end_rva, 0x1010);
    assert_int_equal(img.functions[0].unwind_rva, 0);
    assert_int_equal(img.functions[0].primary_rva, 0x1000);
    /* .xdata: FunctionLength 8 words from its header */
    assert_int_equal(img.functions[1].begin_rva, 0x1010);
    assert_int_equal(img.functions[1].end_rva, 0x1030);
    assert_int_equal(img.functions[1].unwind_rva, 0x2700);
    pe_close(&img);

    /* Flag 3 is reserved */
    p32(b, F(0x3004), 3);
    expect_fail(b, size, EW_E_BAD_VALUE, "ARM64 .pdata entry", F(0x3004));
    /* .xdata in .bss: no bytes */
    p32(b, F(0x3004), 0x6000);
    expect_fail(b, size, EW_E_TRUNCATED, "ARM64 xdata", F(0x3004));
    free(b);
}

static void crafted_x86_has_no_pdata_and_32bit_load_config(void **state)
{
    size_t size;
    uint8_t *b = build(V_X86, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_false(img.pe32plus);
    assert_int_equal(img.machine, 0x14C);
    assert_true(img.image_base == BASE32);
    assert_int_equal(img.n_functions, 0);
    assert_true(img.load_config.present);
    assert_int_equal(img.load_config.size, 92);
    assert_true(img.load_config.security_cookie_va == BASE32 + 0x6010);
    assert_true(img.load_config.guard_check_icall_va == BASE32 + 0x2600);
    assert_true(img.load_config.guard_cf_function_count == 3);
    assert_int_equal(img.load_config.n_guard_functions, 3);
    assert_int_equal(img.load_config.guard_functions[2], 0x1020);
    assert_int_equal(img.n_relocs, 3);
    assert_int_equal(img.relocs[0].type, 3);
    pe_close(&img);
    free(b);
}

static void crafted_debug_load_config_relocs(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.n_debug, 2);
    assert_int_equal(img.debug[0].type, PE_DEBUG_TYPE_CODEVIEW);
    assert_int_equal(img.debug[0].size, 33);
    assert_int_equal(img.debug[0].rva, 0x2440);
    assert_int_equal(img.debug[0].file_off, 0xA40);
    assert_int_equal(img.debug[0].timestamp, 0x5F000000);
    assert_true(img.codeview.present);
    assert_memory_equal(img.codeview.guid, test_guid, 16);
    assert_int_equal(img.codeview.age, 3);
    assert_string_equal(img.codeview.pdb_path, "test.pdb");
    assert_int_equal(img.pogo_signature, 0x50475500);
    assert_int_equal(img.n_pogo, 2);
    assert_int_equal(img.pogo[0].rva, 0x1000);
    assert_int_equal(img.pogo[0].size, 0x100);
    assert_string_equal(img.pogo[0].name, ".text$mn");
    assert_string_equal(img.pogo[1].name, ".rdata");

    const pe_load_config *lc = &img.load_config;
    assert_true(lc->present);
    assert_int_equal(lc->size, 148);
    assert_true(lc->security_cookie_va == BASE64 + 0x6010);
    assert_true(lc->guard_check_icall_va == BASE64 + 0x2600);
    assert_true(lc->guard_dispatch_icall_va == BASE64 + 0x2608);
    assert_true(lc->guard_cf_function_table_va == BASE64 + 0x2620);
    assert_int_equal(lc->guard_flags, 0x10000500);
    assert_int_equal(lc->n_guard_functions, 3);
    assert_int_equal(lc->guard_functions[0], 0x1000);
    assert_int_equal(lc->guard_functions[1], 0x1010);
    assert_int_equal(lc->guard_functions[2], 0x1020);
    assert_non_null(lc->guard_function_flags);
    assert_int_equal(lc->guard_function_flags[1], 2);

    /* HIGHADJ's parameter slot is not an entry; ABSOLUTE padding neither */
    assert_int_equal(img.n_relocs, 3);
    assert_int_equal(img.relocs[0].rva, 0x2600);
    assert_int_equal(img.relocs[0].type, 10);
    assert_int_equal(img.relocs[1].rva, 0x2608);
    assert_int_equal(img.relocs[2].rva, 0x2010);
    assert_int_equal(img.relocs[2].type, 4);
    pe_close(&img);

    /* fields past the structure's Size are not read: Size 0x80 ends
     * before GuardCFFunctionTable */
    p32(b, F(0x2500), 0x80);
    img = open_ok(b, size, &d);
    assert_int_equal(img.load_config.size, 0x80);
    assert_true(img.load_config.guard_dispatch_icall_va == BASE64 + 0x2608);
    assert_true(img.load_config.guard_cf_function_table_va == 0);
    assert_int_equal(img.load_config.n_guard_functions, 0);
    pe_close(&img);

    /* 4-byte CFG entries (no metadata byte) */
    p32(b, F(0x2500), 148);
    p32(b, F(0x2500) + 144, 0x500);
    p32(b, F(0x2620), 0x1000);
    p32(b, F(0x2624), 0x1010);
    p32(b, F(0x2628), 0x1020);
    img = open_ok(b, size, &d);
    assert_null(img.load_config.guard_function_flags);
    assert_int_equal(img.load_config.n_guard_functions, 3);
    assert_int_equal(img.load_config.guard_functions[1], 0x1010);
    assert_int_equal(img.load_config.guard_functions[2], 0x1020);
    pe_close(&img);

    /* a debug entry whose data is not in the file is kept, unread */
    free(b);
    b = build(V_X64, &size);
    p32(b, F(0x2400) + 20, 0);
    p32(b, F(0x2400) + 24, 0x100000);
    img = open_ok(b, size, &d);
    assert_int_equal(img.n_debug, 2);
    assert_false(img.codeview.present);
    pe_close(&img);

    /* NB10 */
    p32(b, F(0x2400) + 20, 0x2440); /* the data found by its RVA */
    memcpy(b + F(0x2440), "NB10", 4);
    p32(b, F(0x2444), 0);
    p32(b, F(0x2448), 0x12345678);
    p32(b, F(0x244C), 2);
    pstr(b, F(0x2450), "old.pdb");
    img = open_ok(b, size, &d);
    assert_false(img.codeview.present);
    assert_true(img.codeview.nb10);
    assert_int_equal(img.codeview.nb10_signature, 0x12345678);
    assert_int_equal(img.codeview.age, 2);
    assert_string_equal(img.codeview.pdb_path, "old.pdb");
    pe_close(&img);
    free(b);
}

static void crafted_resources(void **state)
{
    size_t size, n;
    uint8_t *b = build(V_X64, &size);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.n_resources, 2);
    const pe_resource *r = pe_find_resource(&img, 0, "WEVT_TEMPLATE", &n);
    assert_non_null(r);
    assert_int_equal(n, 1);
    assert_string_equal(r->type_name, "WEVT_TEMPLATE");
    assert_int_equal(r->name_id, 1);
    assert_null(r->name_name);
    assert_int_equal(r->lang, 0x409);
    assert_int_equal(r->data_rva, 0x4180);
    assert_int_equal(r->size, 0x10);
    assert_ptr_equal(pe_find_resource(&img, 0, "wevt_template", NULL), r);
    r = pe_find_resource(&img, PE_RT_MESSAGETABLE, NULL, &n);
    assert_non_null(r);
    assert_int_equal(n, 1);
    assert_null(r->type_name);
    assert_int_equal(r->codepage, 1252);
    assert_null(pe_find_resource(&img, 3, NULL, &n));
    assert_int_equal(n, 0);
    assert_null(pe_find_resource(&img, 0, "MUI", &n));
    pe_close(&img);

    /* a non-ASCII name is converted from UTF-16 to UTF-8: "WÉ" + U+1F600 */
    uint32_t s = F(0x4100);
    p16(b, s, 4);
    p16(b, s + 2, 'W');
    p16(b, s + 4, 0xC9);
    p16(b, s + 6, 0xD83D);
    p16(b, s + 8, 0xDE00);
    img = open_ok(b, size, &d);
    assert_string_equal(img.resources[0].type_name,
                        "W\xC3\x89\xF0\x9F\x98\x80");
    pe_close(&img);
    /* an unpaired surrogate becomes U+FFFD */
    p16(b, s, 3);
    img = open_ok(b, size, &d);
    assert_string_equal(img.resources[0].type_name, "W\xC3\x89\xEF\xBF\xBD");
    pe_close(&img);
    free(b);
}

/* ==== crafted: bad input ================================================ */

/* Every cut of the header area and of the mapped section bytes fails with
 * the structure that runs past the end; cuts after the last mapped byte
 * open (the rest is file-alignment padding). */
static void truncation_ladder(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    for (size_t cut = 0; cut < size; cut++) {
        char what[48];
        uint64_t off;
        if (cut < 64) {
            snprintf(what, sizeof what, "DOS header");
            off = 0;
        } else if (cut < OFF_COFF) {
            snprintf(what, sizeof what, "PE signature");
            off = OFF_PE;
        } else if (cut < OFF_OPT) {
            snprintf(what, sizeof what, "COFF file header");
            off = OFF_COFF;
        } else if (cut < sect_off(V_X64)) {
            snprintf(what, sizeof what, "optional header");
            off = OFF_OPT;
        } else if (cut < hdr_off(V_X64, N_SECT)) {
            unsigned i = (unsigned)(cut - sect_off(V_X64)) / 40;
            snprintf(what, sizeof what, "PE section header %u", i + 1);
            off = hdr_off(V_X64, i);
        } else {
            /* the first section whose mapped bytes end past the cut */
            unsigned i = 0;
            while (i < N_SECT &&
                   sect[i].raw + (sect[i].vsize < sect[i].raw_size
                                      ? sect[i].vsize
                                      : sect[i].raw_size) <= cut)
                i++;
            if (i == N_SECT) {
                ew_diag d;
                pe_image img = open_ok(b, cut, &d);
                pe_close(&img);
                continue;
            }
            snprintf(what, sizeof what, "PE section header %u", i + 1);
            off = hdr_off(V_X64, i);
        }
        expect_fail(b, cut, EW_E_TRUNCATED, what, off);
    }
    assert_true(hdr_off(V_X64, N_SECT) < 0x400);
    free(b);
}

static void bad_headers(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    const uint32_t coff = OFF_COFF;

    expect_fail(b, 0, EW_E_TRUNCATED, "DOS header", 0);
    b[0] = 'Z';
    expect_fail(b, size, EW_E_BAD_MAGIC, "DOS header", 0);
    expect_fail(b, 10, EW_E_BAD_MAGIC, "DOS header", 0); /* not a PE */
    b[0] = 'M';
    p32(b, 0x3C, 0x10000); /* e_lfanew past the end */
    expect_fail(b, size, EW_E_TRUNCATED, "PE signature", 0x10000);
    p32(b, 0x3C, 0xFFFFFFFF);
    expect_fail(b, size, EW_E_TRUNCATED, "PE signature", 0xFFFFFFFF);
    p32(b, 0x3C, OFF_PE);
    b[OFF_PE + 1] = 'X';
    expect_fail(b, size, EW_E_BAD_MAGIC, "PE signature", OFF_PE);
    b[OFF_PE + 1] = 'E';
    p16(b, OFF_OPT, 0x107);
    expect_fail(b, size, EW_E_BAD_MAGIC, "optional header", OFF_OPT);
    p16(b, OFF_OPT, 0x20B);

    /* SizeOfOptionalHeader too small for PE32+ (a PE32 size) */
    p16(b, coff + 16, 100);
    expect_fail(b, size, EW_E_BAD_VALUE, "COFF file header", coff + 16);
    p16(b, coff + 16, 1);
    expect_fail(b, size, EW_E_BAD_VALUE, "COFF file header", coff + 16);
    p16(b, coff + 16, (uint16_t)opt_size(V_X64));
    /* more data directories than the header has room for */
    p16(b, coff + 16, 112 + 8 * 4);
    p32(b, OFF_OPT + 108, 5);
    expect_fail(b, size, EW_E_BAD_COUNT, "optional header", OFF_OPT + 108);
    p16(b, coff + 16, (uint16_t)opt_size(V_X64));
    /* more than 16 declared: the rest is ignored */
    p32(b, OFF_OPT + 108, 0x100);
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.n_dirs, 0x100);
    pe_close(&img);
    /* fewer: directories past them are absent */
    p32(b, OFF_OPT + 108, 2);
    img = open_ok(b, size, &d);
    assert_int_equal(img.n_resources, 0);
    assert_int_equal(img.n_imports, 2); /* no delay imports (dir 13) */
    assert_int_equal(img.n_exports, 3);
    pe_close(&img);
    p32(b, OFF_OPT + 108, 16);

    /* NumberOfSections: at the cap the table is read (and its 7th, empty,
     * header refused); one past it is refused before reading */
    p16(b, coff + 2, PE_MAX_SECTIONS);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 7",
                hdr_off(V_X64, 6));
    p16(b, coff + 2, PE_MAX_SECTIONS + 1);
    expect_fail(b, size, EW_E_LIMIT, "COFF file header", coff + 2);
    p16(b, coff + 2, 0); /* no sections, no directories: headers only */
    p32(b, OFF_OPT + 108, 0);
    img = open_ok(b, 0x400, &d);
    assert_int_equal(img.n_sections, 0);
    pe_close(&img);
    free(b);
}

static void bad_sections(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    /* zero-sized */
    p32(b, hdr_off(V_X64, 5) + 8, 0);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 6",
                hdr_off(V_X64, 5));
    p32(b, hdr_off(V_X64, 5) + 8, 0x100);
    /* overlapping: .pdata starts inside .rdata's virtual range */
    p32(b, hdr_off(V_X64, 2) + 12, 0x27F0);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 3",
                hdr_off(V_X64, 2));
    /* out of order */
    p32(b, hdr_off(V_X64, 2) + 12, 0x800);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 3",
                hdr_off(V_X64, 2));
    p32(b, hdr_off(V_X64, 2) + 12, 0x3000);
    /* past SizeOfImage */
    p32(b, OFF_OPT + 56, 0x6050);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 6",
                hdr_off(V_X64, 5));
    p32(b, OFF_OPT + 56, 0x7000);
    /* VirtualAddress + VirtualSize wraps */
    p32(b, hdr_off(V_X64, 5) + 8, 0xFFFFF000);
    expect_fail(b, size, EW_E_BAD_VALUE, "PE section header 6",
                hdr_off(V_X64, 5));
    p32(b, hdr_off(V_X64, 5) + 8, 0x100);
    /* raw data past the end of the file */
    p32(b, hdr_off(V_X64, 3) + 20, 0xFFFFFF00);
    expect_fail(b, size, EW_E_TRUNCATED, "PE section header 4",
                hdr_off(V_X64, 3));
    free(b);
}

static void bad_exports(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    const uint32_t ed = F(0x2000), dd = dir_off(V_X64, PE_DIR_EXPORT);

    /* NumberOfFunctions at the cap: refused by the bytes behind the EAT
     * (0x7C0 bytes: room for 0x1F0 RVAs); one past: by the cap */
    p32(b, ed + 20, PE_MAX_EXPORTS);
    expect_fail(b, size, EW_E_BAD_COUNT, "export address table", F(0x2040));
    p32(b, ed + 20, PE_MAX_EXPORTS + 1);
    expect_fail(b, size, EW_E_LIMIT, "export directory", ed + 20);
    p32(b, ed + 20, 0x1F1);
    expect_fail(b, size, EW_E_BAD_COUNT, "export address table", F(0x2040));
    p32(b, ed + 20, 3);
    p32(b, ed + 24, 0xFFFFFFFF);
    expect_fail(b, size, EW_E_LIMIT, "export directory", ed + 24);
    p32(b, ed + 24, 2);
    p32(b, ed + 16, 0xFFFFFFFF); /* Base: ordinals would wrap */
    expect_fail(b, size, EW_E_BAD_VALUE, "export directory", ed + 16);
    p32(b, ed + 16, 1);
    /* a name mapped to a slot past NumberOfFunctions */
    p16(b, F(0x205A), 3);
    expect_fail(b, size, EW_E_BAD_VALUE, "export ordinal table", F(0x205A));
    p16(b, F(0x205A), 1);
    /* an exported RVA past SizeOfImage */
    p32(b, F(0x2048), 0x7000);
    expect_fail(b, size, EW_E_BAD_VALUE, "export address table", F(0x2048));
    p32(b, F(0x2048), 0x1020);
    /* a name RVA without file bytes; an unterminated name */
    p32(b, F(0x2054), 0x6000);
    expect_fail(b, size, EW_E_TRUNCATED, "export name", F(0x2054));
    p32(b, F(0x2054), 0x27FE);
    memset(b + F(0x27FE), 'A', 2);
    expect_fail(b, size, EW_E_TRUNCATED, "export name", F(0x27FE));
    p32(b, F(0x2054), 0x2118);
    /* the directory itself in .bss, or outside every section: the offset
     * is the data directory entry's */
    p32(b, dd, 0x6000);
    expect_fail(b, size, EW_E_TRUNCATED, "export directory", dd);
    p32(b, dd, 0x9000);
    expect_fail(b, size, EW_E_BAD_VALUE, "export directory", dd);
    free(b);
}

static void bad_imports(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    const uint32_t id = F(0x2200);
    /* Name 0 with a FirstThunk */
    p32(b, id + 12, 0);
    expect_fail(b, size, EW_E_BAD_VALUE, "import descriptor", id);
    p32(b, id + 12, 0x2280);
    /* a hint/name RVA in .bss */
    p64(b, F(0x2240), 0x6000);
    expect_fail(b, size, EW_E_TRUNCATED, "import name", F(0x2240));
    /* bits 62..31 set in a name thunk */
    p64(b, F(0x2240), 0x100002290ull);
    expect_fail(b, size, EW_E_BAD_VALUE, "import lookup table", F(0x2240));
    /* an ordinal thunk with bits above the 16-bit ordinal */
    p64(b, F(0x2240), 1ull << 63 | 0x10010);
    expect_fail(b, size, EW_E_BAD_VALUE, "import lookup table", F(0x2240));
    p64(b, F(0x2240), 0x2290);
    /* an IAT past SizeOfImage */
    p32(b, id + 16, 0x6FFC);
    expect_fail(b, size, EW_E_BAD_VALUE, "import lookup table", F(0x2240));
    p32(b, id + 16, 0x2260);
    /* a lookup table that runs to the end of .rdata without a 0 thunk */
    p32(b, id, 0x27F8);
    p64(b, F(0x27F8), 0x2290);
    expect_fail(b, size, EW_E_TRUNCATED, "import lookup table",
                F(0x27F8) + 8);
    p32(b, id, 0x2240);
    /* descriptors that run to the end of .rdata without a terminator */
    p32(b, dir_off(V_X64, PE_DIR_IMPORT), 0x27F0);
    expect_fail(b, size, EW_E_TRUNCATED, "import descriptor", F(0x27F0));
    p32(b, dir_off(V_X64, PE_DIR_IMPORT), 0x2200);
    /* delay: a name table of 0 */
    p32(b, F(0x2300) + 16, 0);
    expect_fail(b, size, EW_E_BAD_VALUE, "delay import descriptor",
                F(0x2300));
    /* VA-based with a VA below the image base */
    p32(b, F(0x2300) + 16, 0x2360);
    p32(b, F(0x2300), 0);
    expect_fail(b, size, EW_E_BAD_VALUE, "delay import descriptor",
                F(0x2300) + 4);
    free(b);
}

static void bad_pdata_and_relocs(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    /* an empty range */
    p32(b, F(0x3000) + 12 + 4, 0x1010);
    expect_fail(b, size, EW_E_BAD_VALUE, "RUNTIME_FUNCTION", F(0x300C));
    p32(b, F(0x3000) + 12 + 4, 0x1020);
    /* unwind info in .bss */
    p32(b, F(0x3000) + 8, 0x6000);
    expect_fail(b, size, EW_E_TRUNCATED, "unwind info", F(0x3008));
    p32(b, F(0x3000) + 8, 0x2700);
    /* a chain that loops (D's parent is D): bounded, then refused */
    p32(b, F(0x273C), 0x2730);
    expect_fail(b, size, EW_E_LOOP, "unwind info", F(0x2734));
    p32(b, F(0x273C), 0x2710);
    /* the chained RUNTIME_FUNCTION cut by the end of .rdata */
    p32(b, F(0x3000) + 36 + 8, 0x27F8);
    b[F(0x27F8)] = 0x21;
    expect_fail(b, size, EW_E_TRUNCATED, "chained unwind info", F(0x27FC));
    p32(b, F(0x3000) + 36 + 8, 0x2730);
    /* directory past its section's file bytes */
    p32(b, dir_off(V_X64, PE_DIR_EXCEPTION) + 4, 0x204);
    expect_fail(b, size, EW_E_TRUNCATED, "exception directory",
                dir_off(V_X64, PE_DIR_EXCEPTION));
    p32(b, dir_off(V_X64, PE_DIR_EXCEPTION) + 4,
        12 * PE_MAX_RUNTIME_FUNCTIONS); /* at the cap: the bytes say no */
    expect_fail(b, size, EW_E_TRUNCATED, "exception directory",
                dir_off(V_X64, PE_DIR_EXCEPTION));
    p32(b, dir_off(V_X64, PE_DIR_EXCEPTION) + 4,
        12 * (PE_MAX_RUNTIME_FUNCTIONS + 1));
    expect_fail(b, size, EW_E_LIMIT, "exception directory",
                dir_off(V_X64, PE_DIR_EXCEPTION) + 4);
    p32(b, dir_off(V_X64, PE_DIR_EXCEPTION) + 4, 50); /* 4 entries + 2 */
    ew_diag d;
    pe_image img = open_ok(b, size, &d);
    assert_int_equal(img.n_functions, 4);
    pe_close(&img);

    /* relocations: a block smaller than its header, larger than what is
     * left, odd; a target past SizeOfImage */
    p32(b, F(0x5004), 6);
    expect_fail(b, size, EW_E_BAD_COUNT, "base relocation block", F(0x5000));
    p32(b, F(0x5004), 18);
    expect_fail(b, size, EW_E_BAD_COUNT, "base relocation block", F(0x5000));
    p32(b, F(0x5004), 15);
    expect_fail(b, size, EW_E_BAD_COUNT, "base relocation block", F(0x5000));
    p32(b, F(0x5004), 16);
    p32(b, F(0x5000), 0x6FF0);
    p16(b, F(0x5008), 0xA010);
    expect_fail(b, size, EW_E_BAD_VALUE, "base relocation block", F(0x5008));
    free(b);
}

static void bad_debug_and_load_config(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    const uint32_t dbg = dir_off(V_X64, PE_DIR_DEBUG);
    /* entries: at the cap, refused by the bytes in .rdata; past it, by
     * the cap */
    p32(b, dbg + 4, 28 * PE_MAX_DEBUG_ENTRIES);
    expect_fail(b, size, EW_E_TRUNCATED, "debug directory", dbg);
    p32(b, dbg + 4, 28 * (PE_MAX_DEBUG_ENTRIES + 1));
    expect_fail(b, size, EW_E_LIMIT, "debug directory", dbg + 4);
    p32(b, dbg + 4, 56);
    /* an RSDS path cut by SizeOfData */
    p32(b, F(0x2400) + 16, 30);
    expect_fail(b, size, EW_E_TRUNCATED, "CodeView record", F(0x2458));
    p32(b, F(0x2400) + 16, 33);
    /* a POGO entry cut in its header */
    p32(b, F(0x241C) + 16, 42);
    expect_fail(b, size, EW_E_TRUNCATED, "POGO debug data", F(0x24A8));
    p32(b, F(0x241C) + 16, 40);

    const uint32_t lc = F(0x2500);
    /* Size larger than the file bytes behind it; smaller than itself */
    p32(b, lc, 0x10000);
    expect_fail(b, size, EW_E_TRUNCATED, "load config directory", lc);
    p32(b, lc, 2);
    expect_fail(b, size, EW_E_BAD_VALUE, "load config directory", lc);
    p32(b, lc, 148);
    /* CFG count: past the cap; past the table's bytes; table VA outside */
    p64(b, lc + 136, PE_MAX_GUARD_FUNCTIONS + 1ull);
    expect_fail(b, size, EW_E_LIMIT, "load config directory", lc + 136);
    p64(b, lc + 136, PE_MAX_GUARD_FUNCTIONS);
    expect_fail(b, size, EW_E_BAD_COUNT, "guard CF function table",
                F(0x2620));
    p64(b, lc + 136, 3);
    p64(b, lc + 128, 0x1000);
    expect_fail(b, size, EW_E_BAD_VALUE, "load config directory", lc + 128);
    p64(b, lc + 128, BASE64 + 0x2620);
    p32(b, F(0x2625), 0x8000); /* an RVA past SizeOfImage */
    expect_fail(b, size, EW_E_BAD_VALUE, "guard CF function table",
                F(0x2625));
    free(b);
}

static void bad_resources(void **state)
{
    size_t size;
    uint8_t *b = build(V_X64, &size);
    const uint32_t r = F(0x4000);
    /* a loop: name entry WEVT_TEMPLATE/1 points back to the root */
    p32(b, r + 0x34, 0x80000000);
    expect_fail(b, size, EW_E_LOOP, "resource directory entry", r + 0x30);
    p32(b, r + 0x34, 0x80000050);
    /* ... a language entry doing the same is one level too deep */
    p32(b, r + 0x64, 0x80000000);
    expect_fail(b, size, EW_E_LIMIT, "resource directory entry", r + 0x60);
    p32(b, r + 0x64, 0xC0);
    /* a shared subtree: type 11 reuses WEVT_TEMPLATE's name directory */
    p32(b, r + 0x1C, 0x80000020);
    expect_fail(b, size, EW_E_LOOP, "resource directory entry", r + 0x18);
    p32(b, r + 0x1C, 0x80000038);
    /* a fourth level */
    p32(b, r + 0x7C, 0x80000080);
    expect_fail(b, size, EW_E_LIMIT, "resource directory entry", r + 0x78);
    p32(b, r + 0x7C, 0xD0);
    /* a data entry at level 2 */
    p32(b, r + 0x4C, 0xD0);
    expect_fail(b, size, EW_E_BAD_VALUE, "resource directory entry",
                r + 0x48);
    p32(b, r + 0x4C, 0x80000068);
    /* a named language */
    p32(b, r + 0x78, 0x80000100);
    expect_fail(b, size, EW_E_BAD_VALUE, "resource directory entry",
                r + 0x78);
    p32(b, r + 0x78, 0x409);
    /* entry counts past the section's bytes (0x200 - 16: 62 entries) */
    p16(b, r + 14, 0xFFFF);
    expect_fail(b, size, EW_E_BAD_COUNT, "resource directory", r + 12);
    p16(b, r + 14, 62);
    expect_fail(b, size, EW_E_BAD_COUNT, "resource directory", r + 12);
    p16(b, r + 14, 61); /* fits; the third entry is a directory header */
    expect_fail(b, size, EW_E_BAD_VALUE, "resource directory entry",
                r + 0x20); /* the entries now read are garbage */
    p16(b, r + 14, 1);
    /* a subdirectory and a data entry past the end */
    p32(b, r + 0x34, 0x80001000);
    expect_fail(b, size, EW_E_TRUNCATED, "resource directory", r + 0x1000);
    p32(b, r + 0x34, 0x80000050);
    p32(b, r + 0x64, 0x1F8);
    expect_fail(b, size, EW_E_TRUNCATED, "resource data entry", r + 0x1F8);
    p32(b, r + 0x64, 0xC0);
    /* a name string longer than the bytes behind it (at the cap), and one
     * past the cap */
    p16(b, r + 0x100, PE_MAX_NAME);
    expect_fail(b, size, EW_E_TRUNCATED, "resource name string", r + 0x102);
    p16(b, r + 0x100, PE_MAX_NAME + 1);
    expect_fail(b, size, EW_E_LIMIT, "resource name string", r + 0x100);
    free(b);
}

/* ==== corpus ============================================================ */

static void corpus_open(corpus_pe *c, const char *name)
{
    corpus_pe_open(c, name);
    check_invariants(&c->img);
}

/* Every PE listed in MANIFEST.tsv opens, satisfies the invariants, and a
 * second open gives the same model. */
static void corpus_every_pe_opens(void **state)
{
    char path[512];
    corpus_path_or_skip(path, sizeof path, "MANIFEST.tsv");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    int n_pe = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab || strncmp(line, "file\t", 5) == 0)
            continue;
        *tab = 0;
        size_t len = strlen(line);
        if (len > 4 && strcmp(line + len - 4, ".pdb") == 0)
            continue;
        corpus_pe c, c2;
        corpus_open(&c, line);
        corpus_open(&c2, line);
        assert_int_equal(c.img.n_sections, c2.img.n_sections);
        assert_int_equal(c.img.n_exports, c2.img.n_exports);
        assert_int_equal(c.img.n_imports, c2.img.n_imports);
        assert_int_equal(c.img.n_functions, c2.img.n_functions);
        assert_int_equal(c.img.n_relocs, c2.img.n_relocs);
        assert_int_equal(c.img.n_resources, c2.img.n_resources);
        if (c.img.n_functions)
            assert_memory_equal(c.img.functions, c2.img.functions,
                                c.img.n_functions * sizeof *c.img.functions);
        assert_int_equal(c.img.machine, 0x8664); /* all x64 so far */
        corpus_pe_close(&c2);
        corpus_pe_close(&c);
        n_pe++;
    }
    fclose(f);
    assert_true(n_pe >= 11);
}

static void corpus_ntdll(void **state)
{
    corpus_pe c;
    corpus_open(&c, "win10-19041.3155_ntdll.dll");
    const pe_image *img = &c.img;
    assert_int_equal(img->n_sections, 10);
    assert_string_equal(img->sections[1].name, "RT");
    assert_string_equal(img->export_dll_name, "ntdll.dll");
    assert_int_equal(img->n_exports, 2435); /* llvm-readobj: 2435 Export */
    const pe_export *e = pe_find_export(img, "EtwEventWrite");
    assert_non_null(e);
    assert_int_equal(e->ordinal, 71);
    assert_int_equal(e->rva, 0x4F1B0);
    assert_int_equal(img->n_imports, 0);
    /* .pdata: VirtualSize 0xE4F0 = 4884 * 12 */
    assert_int_equal(img->n_functions, 4884);
    /* llvm-readobj --unwind: 0x18000A0FA has ChainInfo, Chained
     * StartAddress 0x18000A090 */
    const pe_runtime_function *f = pe_find_function(img, 0xA0FA);
    assert_non_null(f);
    assert_int_equal(f->begin_rva, 0xA0FA);
    assert_int_equal(f->end_rva, 0xA3BD);
    assert_int_equal(f->primary_rva, 0xA090);
    /* RSDS */
    static const uint8_t guid[16] = {0x36, 0x47, 0x7B, 0xE8, 0x12, 0x5C,
                                     0x11, 0x1B, 0x2A, 0xC6, 0x79, 0x9A,
                                     0xA3, 0x9F, 0x71, 0x7F};
    assert_true(img->codeview.present);
    assert_memory_equal(img->codeview.guid, guid, 16);
    assert_int_equal(img->codeview.age, 1);
    assert_string_equal(img->codeview.pdb_path, "ntdll.pdb");
    assert_int_equal(img->n_debug, 4);
    /* POGO 'PGU', first entry .text$lp00ntdll.dll!20_pri7 at 0x1000 */
    assert_int_equal(img->pogo_signature, 0x50475500);
    assert_int_equal(img->n_pogo, 70);
    assert_int_equal(img->pogo[0].rva, 0x1000);
    assert_int_equal(img->pogo[0].size, 0xBC0);
    assert_string_equal(img->pogo[0].name, ".text$lp00ntdll.dll!20_pri7");
    /* load config: Size 0x118, CFG 2093 functions, 5-byte entries */
    assert_int_equal(img->load_config.size, 0x118);
    assert_true(img->load_config.guard_check_icall_va == 0x1801811E0ull);
    assert_true(img->load_config.guard_dispatch_icall_va == 0x180185000ull);
    assert_int_equal(img->load_config.guard_flags, 0x10417500);
    assert_int_equal(img->load_config.n_guard_functions, 2093);
    assert_int_equal(img->load_config.guard_functions[0], 0x1010);
    assert_int_equal(img->load_config.guard_function_flags[0], 2);
    assert_null(pe_find_resource(img, 0, "WEVT_TEMPLATE", NULL));
    corpus_pe_close(&c);
}

static void corpus_fltmgr(void **state)
{
    corpus_pe c;
    size_t n;
    corpus_open(&c, "win10-19041.1806_fltMgr.sys");
    const pe_image *img = &c.img;
    assert_string_equal(pe_subsystem_name(img->subsystem), "native");
    assert_int_equal(img->n_exports, 267);
    assert_int_equal(img->n_imports, 325);
    /* ntoskrnl.exe: IAT at 0x30010; EtwRegister is its 124th symbol */
    const pe_import *reg = NULL;
    for (size_t i = 0; i < img->n_imports; i++)
        if (img->imports[i].name &&
            strcmp(img->imports[i].name, "EtwRegister") == 0)
            reg = &img->imports[i];
    assert_non_null(reg);
    assert_string_equal(reg->dll, "ntoskrnl.exe");
    assert_int_equal(reg->hint, 116);
    assert_int_equal(reg->iat_rva, 0x30010 + 123 * 8);
    assert_string_equal(img->imports[0].dll, "ntoskrnl.exe");
    assert_int_equal(img->imports[0].iat_rva, 0x30010);
    assert_string_equal(img->imports[0].name,
                        "IoPropagateActivityIdToThread");
    /* resources: MUI, WEVT_TEMPLATE, 6/626, 11/1, 16/1 */
    assert_int_equal(img->n_resources, 5);
    const pe_resource *r = pe_find_resource(img, 0, "WEVT_TEMPLATE", &n);
    assert_non_null(r);
    assert_int_equal(n, 1);
    assert_int_equal(r->name_id, 1);
    assert_int_equal(r->lang, 1033);
    assert_int_equal(r->data_rva, 0x67FD0);
    assert_int_equal(r->size, 0x148A);
    r = pe_find_resource(img, PE_RT_MESSAGETABLE, NULL, &n);
    assert_non_null(r);
    assert_int_equal(n, 1);
    assert_int_equal(r->data_rva, 0x67558);
    assert_int_equal(r->size, 0xA78);
    static const uint8_t guid[16] = {0xC6, 0x63, 0x28, 0xED, 0x75, 0xFA,
                                     0xFA, 0x52, 0x5C, 0x92, 0x2F, 0x86,
                                     0xED, 0x44, 0x18, 0xF0};
    assert_memory_equal(img->codeview.guid, guid, 16);
    assert_string_equal(img->codeview.pdb_path, "fltMgr.pdb");
    assert_int_equal(img->load_config.n_guard_functions, 508);
    assert_int_equal(img->load_config.guard_flags, 0x10114500);
    assert_int_equal(img->n_functions, 0x47A0 / 12);
    corpus_pe_close(&c);
}

static void corpus_advapi32_forwarders_and_amsi_delay(void **state)
{
    corpus_pe c;
    corpus_open(&c, "win10-19041_advapi32.dll");
    assert_int_equal(c.img.n_exports, 861);
    const pe_export *e = pe_find_export(&c.img, "A_SHAFinal");
    assert_non_null(e);
    assert_int_equal(e->ordinal, 1002);
    assert_int_equal(e->rva, 0); /* llvm-readobj shows the string's RVA */
    assert_string_equal(e->forwarder, "NTDLL.A_SHAFinal");
    corpus_pe_close(&c);

    /* amsi.dll: 24 normal + 3 delay-load descriptors, 119 symbols */
    corpus_open(&c, "win10-19041.2075_amsi.dll");
    assert_int_equal(c.img.n_imports, 119);
    size_t n_delay = 0;
    const pe_import *first = NULL;
    for (size_t i = 0; i < c.img.n_imports; i++) {
        if (c.img.imports[i].delay && !n_delay++)
            first = &c.img.imports[i];
        if (i)
            assert_true(c.img.imports[i].delay >= c.img.imports[i - 1].delay);
    }
    assert_non_null(first);
    assert_string_equal(first->dll, "api-ms-win-core-com-l1-1-0.dll");
    assert_string_equal(first->name, "CoTaskMemAlloc");
    assert_int_equal(first->hint, 66);
    assert_int_equal(first->iat_rva, 0x1B010);
    assert_false(first->va_based);
    corpus_pe_close(&c);
}

/* win32kbase.sys (2.9 MB): the biggest corpus image opens in well under
 * the time a quadratic walk would take (a few ms in release builds; this
 * bound leaves room for ASan). */
static void corpus_win32kbase_is_fast(void **state)
{
    corpus_pe c;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    corpus_open(&c, "win10-19041.508_win32kbase.sys");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms < 500);
    assert_int_equal(c.img.n_exports, 2453);
    assert_non_null(pe_find_export(&c.img, "EtwTraceArmDitMouseFlush"));
    assert_int_equal(pe_find_export(&c.img, "EtwTraceArmDitMouseFlush")->rva,
                     0x134E40);
    assert_int_equal(c.img.load_config.n_guard_functions, 3191);
    corpus_pe_close(&c);
}

/* ==== fixtures (tests/fixtures/<name>/truth.json) =======================
 *
 * The fixtures are built from source by tests/fixtures/build.sh (clang,
 * lld); their truth.json files come from the linker map and llvm-readobj.
 * A minimal JSON reader (objects, arrays, strings without \u escapes
 * beyond ASCII, numbers, true/false/null) is enough for them. */

typedef struct jv {
    char type; /* 'o' object, 'a' array, 's' string, 'n' number, 'b', 'z' */
    char *str;     /* 's' */
    double num;    /* 'n'; 'b': 0/1 */
    size_t n;      /* 'o', 'a': children */
    struct jv *kids;
    char **keys;   /* 'o' */
} jv;

static void jv_free(jv *v)
{
    for (size_t i = 0; i < v->n; i++) {
        jv_free(&v->kids[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->kids);
    free(v->keys);
    free(v->str);
}

static const char *j_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *j_parse(const char *p, jv *out);

static const char *j_string(const char *p, char **out)
{
    size_t cap = 16, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    assert_true(*p == '"');
    for (p++; *p && *p != '"'; p++) {
        char ch = *p;
        if (ch == '\\') {
            p++;
            ch = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
            assert_true(*p != 'u'); /* not used by the fixtures */
        }
        if (n + 2 > cap)
            b = realloc(b, cap *= 2);
        assert_non_null(b);
        b[n++] = ch;
    }
    assert_true(*p == '"');
    b[n] = 0;
    *out = b;
    return p + 1;
}

static const char *j_parse(const char *p, jv *out)
{
    memset(out, 0, sizeof *out);
    p = j_ws(p);
    if (*p == '{' || *p == '[') {
        bool obj = *p == '{';
        out->type = obj ? 'o' : 'a';
        p = j_ws(p + 1);
        while (*p != (obj ? '}' : ']')) {
            out->kids = realloc(out->kids, (out->n + 1) * sizeof *out->kids);
            assert_non_null(out->kids);
            if (obj) {
                out->keys =
                    realloc(out->keys, (out->n + 1) * sizeof *out->keys);
                assert_non_null(out->keys);
                p = j_string(j_ws(p), &out->keys[out->n]);
                p = j_ws(p);
                assert_true(*p == ':');
                p++;
            }
            p = j_ws(j_parse(p, &out->kids[out->n++]));
            if (*p == ',')
                p = j_ws(p + 1);
        }
        return p + 1;
    }
    if (*p == '"') {
        out->type = 's';
        return j_string(p, &out->str);
    }
    if (strncmp(p, "null", 4) == 0) {
        out->type = 'z';
        return p + 4;
    }
    if (strncmp(p, "true", 4) == 0 || strncmp(p, "false", 5) == 0) {
        out->type = 'b';
        out->num = *p == 't';
        return p + (*p == 't' ? 4 : 5);
    }
    char *end;
    out->type = 'n';
    out->num = strtod(p, &end);
    assert_true(end != p);
    return end;
}

static const jv *jget(const jv *o, const char *key)
{
    assert_int_equal(o->type, 'o');
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return &o->kids[i];
    fail_msg("truth.json: no key \"%s\"", key);
    return NULL;
}

/* A "0x..." string or a number, as an integer; null is 0. */
static uint64_t jint(const jv *v)
{
    if (v->type == 'z')
        return 0;
    if (v->type == 's')
        return strtoull(v->str, NULL, 0);
    assert_true(v->type == 'n' || v->type == 'b');
    return (uint64_t)v->num;
}

static const char *jstr(const jv *v) /* NULL for null */
{
    if (v->type == 'z')
        return NULL;
    assert_int_equal(v->type, 's');
    return v->str;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Both lists of n keys, sorted, must be equal (then freed). */
static void same_keys(char **a, char **b, size_t n, const char *what)
{
    qsort(a, n, sizeof *a, str_cmp);
    qsort(b, n, sizeof *b, str_cmp);
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            fail_msg("%s: model has \"%s\", truth \"%s\"", what, a[i], b[i]);
    for (size_t i = 0; i < n; i++) {
        free(a[i]);
        free(b[i]);
    }
    free(a);
    free(b);
}

static char *fmt_key(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *p = strdup(buf);
    assert_non_null(p);
    return p;
}

static void fixture_matches_truth(const char *fx, const char *image)
{
    char path[512];
    size_t isize = 0, jsize = 0;
    snprintf(path, sizeof path, "%s/%s/truth.json", FIXTURE_DIR, fx);
    char *json = (char *)read_whole_file(path, &jsize);
    snprintf(path, sizeof path, "%s/%s/%s", FIXTURE_DIR, fx, image);
    uint8_t *data = read_whole_file(path, &isize);
    if (!json || !data) {
        free(json);
        free(data);
        fprintf(stdout, "# fixture %s not built: skipped\n", path);
        skip();
    }
    json = realloc(json, jsize + 1);
    assert_non_null(json);
    json[jsize] = 0;
    jv t;
    j_parse(json, &t);

    ew_diag d;
    pe_image img = open_ok(data, isize, &d);
    const uint64_t base = img.image_base;

    assert_int_equal(img.machine, jint(jget(jget(&t, "machine"), "value")));
    assert_int_equal(img.pe32plus,
                     strcmp(jstr(jget(&t, "pe_format")), "PE32+") == 0);
    assert_true(base == jint(jget(&t, "image_base")));
    assert_int_equal(img.subsystem,
                     jint(jget(jget(&t, "subsystem"), "value")));
    assert_int_equal(img.entry_rva,
                     jint(jget(jget(&t, "entry_point"), "rva")));

    const jv *secs = jget(&t, "sections");
    assert_int_equal(img.n_sections, secs->n);
    for (size_t i = 0; i < secs->n; i++) {
        const jv *s = &secs->kids[i];
        const pe_section *ps = &img.sections[i];
        assert_string_equal(ps->name, jstr(jget(s, "name")));
        assert_int_equal(ps->rva, jint(jget(s, "rva")));
        assert_int_equal(ps->vsize, jint(jget(s, "virtual_size")));
        assert_int_equal(ps->raw_size, jint(jget(s, "raw_size")));
        assert_int_equal(ps->characteristics,
                         jint(jget(s, "characteristics")));
    }

    /* exports, in ordinal order */
    assert_string_equal(img.export_dll_name,
                        jstr(jget(&t, "export_dll_name")));
    const jv *ex = jget(&t, "exports");
    assert_int_equal(img.n_exports, ex->n);
    for (size_t i = 0; i < ex->n; i++) {
        const jv *e = &ex->kids[i];
        const pe_export *pe = &img.exports[i];
        const char *name = jstr(jget(e, "name"));
        const char *fwd = jstr(jget(e, "forwarder"));
        assert_int_equal(pe->ordinal, jint(jget(e, "ordinal")));
        if (name)
            assert_string_equal(pe->name, name);
        else
            assert_null(pe->name);
        if (fwd) {
            assert_string_equal(pe->forwarder, fwd);
        } else {
            assert_null(pe->forwarder);
            assert_int_equal(pe->rva, jint(jget(e, "rva")));
        }
    }

    /* imports, as a multiset of delay|dll|name:hint or #ordinal */
    const jv *im = jget(&t, "imports");
    assert_int_equal(img.n_imports, im->n);
    char **a = calloc(im->n + 1, sizeof *a);
    char **b = calloc(im->n + 1, sizeof *b);
    assert_true(a && b);
    for (size_t i = 0; i < im->n; i++) {
        const pe_import *pi = &img.imports[i];
        const jv *e = &im->kids[i];
        a[i] = pi->name ? fmt_key("%d|%s|%s:%u", pi->delay, pi->dll,
                                  pi->name, pi->hint)
                        : fmt_key("%d|%s|#%u", pi->delay, pi->dll,
                                  pi->ordinal);
        const char *name = jstr(jget(e, "name"));
        int delay = (int)jint(jget(e, "delay"));
        const char *dll = jstr(jget(e, "dll"));
        b[i] = name ? fmt_key("%d|%s|%s:%u", delay, dll, name,
                              (unsigned)jint(jget(e, "hint")))
                    : fmt_key("%d|%s|#%u", delay, dll,
                              (unsigned)jint(jget(e, "ordinal")));
    }
    same_keys(a, b, im->n, "imports");

    /* CodeView: the GUID as its text form (Data1..3 little-endian) */
    const jv *dbg = jget(&t, "debug");
    const uint8_t *g = img.codeview.guid;
    char guid[40];
    snprintf(guid, sizeof guid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
             g[10], g[11], g[12], g[13], g[14], g[15]);
    assert_true(img.codeview.present);
    assert_string_equal(guid, jstr(jget(dbg, "guid")));
    assert_int_equal(img.codeview.age, jint(jget(dbg, "age")));
    assert_string_equal(img.codeview.pdb_path, jstr(jget(dbg, "pdb_path")));

    /* load config: pointers as RVAs (null when 0), the CFG table */
    const jv *lc = jget(&t, "load_config");
    const pe_load_config *l = &img.load_config;
    assert_int_equal(l->size, jint(jget(lc, "size")));
    const char *ptrs[3] = {"guard_cf_check_function_pointer",
                           "guard_cf_dispatch_function_pointer",
                           "guard_cf_function_table"};
    const uint64_t vals[3] = {l->guard_check_icall_va,
                              l->guard_dispatch_icall_va,
                              l->guard_cf_function_table_va};
    for (int i = 0; i < 3; i++)
        assert_true(vals[i] == (jget(lc, ptrs[i])->type == 'z'
                                    ? 0
                                    : base + jint(jget(lc, ptrs[i]))));
    assert_true(l->guard_cf_function_count ==
                jint(jget(lc, "guard_cf_function_count")));
    assert_int_equal(l->guard_flags, jint(jget(lc, "guard_flags")));
    const jv *gf = jget(lc, "guard_cf_functions");
    assert_int_equal(l->n_guard_functions, gf->n);
    for (size_t i = 0; i < gf->n; i++)
        assert_int_equal(l->guard_functions[i],
                         jint(jget(&gf->kids[i], "rva")));

    /* resources, as a multiset */
    const jv *rs = jget(&t, "resources");
    assert_int_equal(img.n_resources, rs->n);
    a = calloc(rs->n + 1, sizeof *a);
    b = calloc(rs->n + 1, sizeof *b);
    assert_true(a && b);
    for (size_t i = 0; i < rs->n; i++) {
        const pe_resource *r = &img.resources[i];
        const jv *e = &rs->kids[i];
        char type[64];
        if (r->type_name)
            snprintf(type, sizeof type, "%s", r->type_name);
        else
            snprintf(type, sizeof type, "%u", r->type_id);
        a[i] = fmt_key("%s|%u|%u|%x|%u|%u", type, r->name_id, r->lang,
                       r->data_rva, r->size, r->codepage);
        const jv *jt = jget(e, "type");
        if (jt->type == 's')
            snprintf(type, sizeof type, "%s", jt->str);
        else
            snprintf(type, sizeof type, "%u", (unsigned)jint(jt));
        b[i] = fmt_key("%s|%u|%u|%x|%u|%u", type,
                       (unsigned)jint(jget(e, "name")),
                       (unsigned)jint(jget(e, "language")),
                       (unsigned)jint(jget(e, "rva")),
                       (unsigned)jint(jget(e, "size")),
                       (unsigned)jint(jget(e, "codepage")));
    }
    same_keys(a, b, rs->n, "resources");

    /* every function of the map that .pdata covers starts an entry */
    const jv *fn = jget(&t, "functions");
    size_t covered = 0;
    for (size_t i = 0; i < fn->n; i++) {
        uint32_t rva = (uint32_t)jint(jget(&fn->kids[i], "rva"));
        const pe_runtime_function *f = pe_find_function(&img, rva);
        if (!f)
            continue;
        assert_int_equal(f->begin_rva, rva);
        assert_int_equal(f->primary_rva, rva);
        covered++;
    }
    if (img.machine == 0x14C)
        assert_int_equal(img.n_functions, 0);
    else
        assert_true(covered * 2 > fn->n);

    pe_close(&img);
    jv_free(&t);
    free(json);
    free(data);
}

static void fixture_kdriver(void **state)
{
    fixture_matches_truth("kdriver", "kdriver.sys");
}
static void fixture_kdriver_arm64(void **state)
{
    fixture_matches_truth("kdriver-arm64", "kdriver.sys");
}
static void fixture_udll(void **state)
{
    fixture_matches_truth("udll", "udll.dll");
}
static void fixture_udll_x86(void **state)
{
    fixture_matches_truth("udll-x86", "udll.dll");
}
/* the optimisation-level variants and the cross-module pair */
static void fixture_kdriver_opt(void **state)
{
    fixture_matches_truth("kdriver-O2", "kdriver.sys");
    fixture_matches_truth("kdriver-Os", "kdriver.sys");
}
static void fixture_udll_opt(void **state)
{
    fixture_matches_truth("udll-O2", "udll.dll");
    fixture_matches_truth("udll-Os", "udll.dll");
}
static void fixture_kwrap_kcaller(void **state)
{
    fixture_matches_truth("kwrap", "kwrap.sys");
    fixture_matches_truth("kcaller", "kcaller.sys");
}

/* ==== seeds ============================================================= */

static int write_seeds(const char *dir)
{
    static const struct {
        int v;
        bool va_delay;
        const char *name;
    } seeds[] = {{V_X64, false, "x64.dll"},
                 {V_X86, false, "x86.dll"},
                 {V_ARM64, false, "arm64.dll"},
                 {V_X86, true, "x86-vadelay.dll"}};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        size_t size;
        uint8_t *b = build(seeds[i].v, &size);
        if (seeds[i].va_delay)
            make_delay_va_based(seeds[i].v, b);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, seeds[i].name);
        int rc = write_whole_file(path, b, size);
        free(b);
        if (rc)
            return rc;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
        return write_seeds(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crafted_x64_headers_and_sections),
        cmocka_unit_test(crafted_rva_mapping),
        cmocka_unit_test(crafted_exports),
        cmocka_unit_test(crafted_imports),
        cmocka_unit_test(crafted_pdata_x64_chains),
        cmocka_unit_test(crafted_pdata_arm64),
        cmocka_unit_test(crafted_x86_has_no_pdata_and_32bit_load_config),
        cmocka_unit_test(crafted_debug_load_config_relocs),
        cmocka_unit_test(crafted_resources),
        cmocka_unit_test(truncation_ladder),
        cmocka_unit_test(bad_headers),
        cmocka_unit_test(bad_sections),
        cmocka_unit_test(bad_exports),
        cmocka_unit_test(bad_imports),
        cmocka_unit_test(bad_pdata_and_relocs),
        cmocka_unit_test(bad_debug_and_load_config),
        cmocka_unit_test(bad_resources),
        cmocka_unit_test(corpus_every_pe_opens),
        cmocka_unit_test(corpus_ntdll),
        cmocka_unit_test(corpus_fltmgr),
        cmocka_unit_test(corpus_advapi32_forwarders_and_amsi_delay),
        cmocka_unit_test(corpus_win32kbase_is_fast),
        cmocka_unit_test(fixture_kdriver),
        cmocka_unit_test(fixture_kdriver_arm64),
        cmocka_unit_test(fixture_udll),
        cmocka_unit_test(fixture_udll_x86),
        cmocka_unit_test(fixture_kdriver_opt),
        cmocka_unit_test(fixture_udll_opt),
        cmocka_unit_test(fixture_kwrap_kcaller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
