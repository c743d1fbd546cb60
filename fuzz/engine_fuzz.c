/*
 * engine_fuzz.c - libFuzzer harness for the code analysis: functions,
 * value tracking, call graph, summaries and sites on random bytes as code.
 *
 * The input becomes the .text section of a minimal x64 PE built here (DOS
 * stub, PE32+ headers, one RX section at rva 0x1000 followed by one RW
 * data section holding the same bytes, so RIP-relative loads, descriptor
 * reads and pointer reads find data). The entry point is the first byte;
 * direct call targets found while decoding become more functions. The
 * engine and the sites layer must return (EW_OK or a clean error), never
 * crash, hang or leak; the whole run is bounded by the engine's budgets.
 *
 * Seeds (fuzz/corpus/engine/): slices of the fixtures' .text sections
 * (our own code) and hand-made call/jump shapes.
 */
#include "analysis/engine.h"
#include "analysis/mapping.h"
#include "analysis/sites.h"
#include "catalog/catalog.h"
#include "format/pe.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 0x400
#define TEXT_RVA 0x1000u
#define MAX_CODE 0x10000u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static size_t align(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* A PE32+ image: headers, .text (code) and .data (the same bytes). */
static uint8_t *build_image(const uint8_t *code, size_t n, size_t *out_size)
{
    size_t raw = align(n ? n : 1, 0x200);
    size_t vsz = align(n ? n : 1, 0x1000);
    size_t total = HDR + 2 * raw;
    uint8_t *img = calloc(1, total);
    if (!img)
        return NULL;
    img[0] = 'M';
    img[1] = 'Z';
    put32(img + 0x3C, 0x80);
    uint8_t *pe = img + 0x80;
    memcpy(pe, "PE\0\0", 4);
    uint8_t *fh = pe + 4;
    put16(fh + 0, 0x8664);          /* Machine: AMD64 */
    put16(fh + 2, 2);               /* NumberOfSections */
    put16(fh + 16, 240);            /* SizeOfOptionalHeader */
    put16(fh + 18, 0x22);           /* executable, large address aware */
    uint8_t *oh = fh + 20;
    put16(oh + 0, 0x20B);           /* PE32+ */
    put32(oh + 16, TEXT_RVA);       /* AddressOfEntryPoint */
    put32(oh + 20, TEXT_RVA);       /* BaseOfCode */
    put32(oh + 24, 0x40000000);     /* ImageBase (low) */
    put32(oh + 28, 0x1);            /* ImageBase (high): 0x140000000 */
    put32(oh + 32, 0x1000);         /* SectionAlignment */
    put32(oh + 36, 0x200);          /* FileAlignment */
    put16(oh + 40, 6);              /* OS version */
    put16(oh + 48, 6);              /* subsystem version */
    put32(oh + 56, (uint32_t)(TEXT_RVA + 2 * vsz)); /* SizeOfImage */
    put32(oh + 60, HDR);            /* SizeOfHeaders */
    put16(oh + 68, 1);              /* Subsystem: native */
    put32(oh + 108, 16);            /* NumberOfRvaAndSizes */
    uint8_t *sh = oh + 240;
    memcpy(sh, ".text", 5);
    put32(sh + 8, (uint32_t)n);
    put32(sh + 12, TEXT_RVA);
    put32(sh + 16, (uint32_t)raw);
    put32(sh + 20, HDR);
    put32(sh + 36, 0x60000020);     /* code, execute, read */
    sh += 40;
    memcpy(sh, ".data", 5);
    put32(sh + 8, (uint32_t)n);
    put32(sh + 12, (uint32_t)(TEXT_RVA + vsz));
    put32(sh + 16, (uint32_t)raw);
    put32(sh + 20, (uint32_t)(HDR + raw));
    put32(sh + 36, 0xC0000040);     /* initialized data, read, write */
    memcpy(img + HDR, code, n);
    memcpy(img + HDR + raw, code, n);
    *out_size = total;
    return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > MAX_CODE)
        return 0;
    size_t n;
    uint8_t *bytes = build_image(data, size, &n);
    if (!bytes)
        return 0;
    pe_image img;
    ew_diag d;
    ew_diag_init(&d, "fuzz");
    if (pe_open(&img, bytes, n, "fuzz", &d) == EW_OK) {
        engine e;
        if (eng_run(&e, &img, NULL, &d) == EW_OK) {
            ew_arena a;
            ew_arena_init(&a, 0);
            cat_catalog cat;
            st_sites s;
            if (cat_build(&cat, &img, NULL, &a, &d) == EW_OK &&
                st_find(&s, &e, &cat, NULL, &d) == EW_OK) {
                mp_options o;
                memset(&o, 0, sizeof o);
                o.select = MP_SELECT_ALL_FUNCTIONS;
                o.all_depths = true;
                o.all_paths = (size & 1) != 0;
                mp_map m;
                memset(&m, 0, sizeof m);
                (void)mp_build(&m, &e, &s, &o, &d);
                mp_free(&m);
                st_free(&s);
            }
            ew_arena_free(&a);
        }
        eng_free(&e);
        pe_close(&img);
    }
    free(bytes);
    return 0;
}
