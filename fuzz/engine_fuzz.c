/*
 * engine_fuzz.c - libFuzzer harness for the code analysis: functions,
 * value tracking, call graph, summaries and sites on random bytes as code.
 *
 * The input becomes the .text section of a minimal x64 PE built here (DOS
 * stub, PE32+ headers, ImageBase 0x140000000) with three sections:
 *
 *   .text   rva 0x1000                 the input (RX); the entry point is
 *                                      its first byte
 *   .data   rva 0x1000 + align(n,4K)   the same bytes again (RW), so
 *                                      RIP-relative loads, descriptor reads
 *                                      and pointer reads find data
 *   .idata  rva 0x21000 (IMP_RVA)      imports and zeroed globals (RW),
 *                                      at a FIXED rva: after the largest
 *                                      .text and .data (MAX_CODE each)
 *
 * .idata (PE/COFF "The .idata Section"; data directories 1 IMPORT and 12
 * IAT point into it):
 *
 *   0x21000  IAT of ntoskrnl.exe  (imp_ntoskrnl[k] at 0x21000 + 8k)
 *   0x21100  IAT of ADVAPI32.dll  (imp_advapi[k]   at 0x21100 + 8k)
 *   0x21200  import lookup table of ntoskrnl.exe
 *   0x21300  import lookup table of ADVAPI32.dll
 *   0x21400  IMAGE_IMPORT_DESCRIPTORs (two, then an all-zero one)
 *   0x21440  DLL names, then the hint/name entries (hint = k)
 *   0x21800  0x800 zero bytes for seeds' global variables (IMP_GLOBALS)
 *
 * Both tables hold the unbound name thunks (RVAs of the hint/name entries).
 * The lists below are append-only: seeds call `call qword ptr [rip+d]`
 * (FF 15 d32) with d = slot rva - (rva of the next instruction), so an
 * existing slot must never move. Slot rvas:
 *
 *   ntoskrnl.exe                          ADVAPI32.dll
 *   0x21000 EtwRegister                    0x21100 RegisterTraceGuidsW
 *   0x21008 EtwWrite                       0x21108 TraceEvent
 *   0x21010 EtwWriteTransfer               0x21110 GetTraceLoggerHandle
 *   0x21018 EtwUnregister                  0x21118 GetTraceEnableLevel
 *   0x21020 EtwRegisterClassicProvider     0x21120 GetTraceEnableFlags
 *   0x21028 IoWMIWriteEvent                0x21128 EventRegister
 *   0x21030 EtwTraceKernelEvent            0x21130 EventWrite
 *   0x21038 WmiTraceMessage                0x21138 EventWriteString
 *   0x21040 EtwWriteString                 0x21140 EventUnregister
 *   0x21048 EtwWriteNoRegistration         0x21148 TraceEventInstance
 *   0x21050 EtwEventEnabled                0x21150 TraceMessage
 *   0x21058 EtwSetInformation              0x21158 UnregisterTraceGuids
 *   0x21060 EtwWriteEx                     0x21160 EventWriteTransfer
 *   0x21068 EtwActivityIdControl           0x21168 RegisterTraceGuidsA
 *   0x21070 ExAllocatePoolWithTag          0x21170 EventEnabled
 *
 * The engine and the sites layer must return (EW_OK or a clean error),
 * never crash, hang or leak; the whole run is bounded by the engine's
 * budgets.
 *
 * Seeds (fuzz/corpus/engine/): slices of the fixtures' .text sections
 * (our own code: calls, kdriver-*, udll-text), hand-made call/jump shapes
 * (calls), and hand-written assembly for this layout (fuzz/seeds/engine/
 * *.s, assembled and linked at rva 0x1000 by fuzz/seeds/engine/build.sh;
 * each file's header says what it exercises):
 *
 *   classic-user     RegisterTraceGuidsW with `lea` of its control
 *                    callback, which calls GetTraceLoggerHandle, keeps rax
 *                    in a global and uses it (GetTraceEnableLevel/Flags,
 *                    TraceEvent); TraceEvent with the logger from that
 *                    global and a 48-byte EVENT_TRACE_HEADER built in the
 *                    frame (mov imm, movups from rip-relative data; GUID
 *                    inline or GuidPtr), in the image, through a wrapper;
 *                    TraceEventInstance
 *   classic-kernel   EtwRegisterClassicProvider with `lea` of its enable
 *                    callback, which keeps `movzx eax, word [r8]` in a
 *                    global (`mov [rip+g], rax`); IoWMIWriteEvent with that
 *                    logger at header+8: field by field, copied with
 *                    movups, zeroed first, a plain WMI event (no site),
 *                    through a wrapper and a `jmp [rip+IAT]` thunk
 *   manifest-kernel  EtwRegister to a global and into the frame (then
 *                    stored), EtwWrite/WriteTransfer/WriteEx/WriteString/
 *                    WriteNoRegistration, EtwTraceKernelEvent,
 *                    WmiTraceMessage, EtwEventEnabled, EtwSetInformation,
 *                    EtwActivityIdControl, EtwUnregister, a non-ETW import
 *   manifest-user    EventRegister into the frame, the handle stored to a
 *                    global, EventWrite/WriteTransfer/WriteString,
 *                    EventEnabled, a wrapper tail-calling EventWrite,
 *                    RegisterTraceGuidsA, TraceMessage, EventUnregister
 */
#include "analysis/engine.h"
#include "analysis/mapping.h"
#include "analysis/sites.h"
#include "catalog/catalog.h"
#include "format/pe.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR 0x400
#define TEXT_RVA 0x1000u
#define MAX_CODE 0x10000u
#define IMP_RVA (TEXT_RVA + 2 * MAX_CODE) /* 0x21000: .idata, fixed */
#define IMP_SIZE 0x1000u
#define IMP_IAT 0x000u     /* + 0x100 * dll: each DLL's IAT */
#define IMP_ILT 0x200u     /* + 0x100 * dll: each DLL's lookup table */
#define IMP_DESC 0x400u    /* the descriptors */
#define IMP_STR 0x440u     /* DLL names, hint/name entries */
#define IMP_GLOBALS 0x800u /* zero bytes for seeds' globals */
#define IMP_SLOTS 31u      /* per DLL, before the 0x100 table is full */

/* Imported by name, in IAT order; append-only (seeds call these IAT
 * slots by rva: the table above, fuzz/seeds/engine/layout.ld). */
static const char *const imp_ntoskrnl[] = {
    "EtwRegister",
    "EtwWrite",
    "EtwWriteTransfer",
    "EtwUnregister",
    "EtwRegisterClassicProvider",
    "IoWMIWriteEvent",
    "EtwTraceKernelEvent",
    "WmiTraceMessage",
    "EtwWriteString",
    "EtwWriteNoRegistration",
    "EtwEventEnabled",
    "EtwSetInformation",
    "EtwWriteEx",
    "EtwActivityIdControl",
    "ExAllocatePoolWithTag",
};
static const char *const imp_advapi[] = {
    "RegisterTraceGuidsW",
    "TraceEvent",
    "GetTraceLoggerHandle",
    "GetTraceEnableLevel",
    "GetTraceEnableFlags",
    "EventRegister",
    "EventWrite",
    "EventWriteString",
    "EventUnregister",
    "TraceEventInstance",
    "TraceMessage",
    "UnregisterTraceGuids",
    "EventWriteTransfer",
    "RegisterTraceGuidsA",
    "EventEnabled",
};
static const struct {
    const char *dll;
    const char *const *names;
    size_t n;
} imp_dlls[] = {
    {"ntoskrnl.exe", imp_ntoskrnl,
     sizeof imp_ntoskrnl / sizeof imp_ntoskrnl[0]},
    {"ADVAPI32.dll", imp_advapi, sizeof imp_advapi / sizeof imp_advapi[0]},
};
#define N_DLLS (sizeof imp_dlls / sizeof imp_dlls[0])

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

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static size_t align(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

/* Appends the NUL-terminated s at *off in sec (an .idata string). */
static uint32_t put_str(uint8_t *sec, uint32_t *off, uint16_t hint,
                        bool with_hint, const char *s)
{
    uint32_t at = *off;
    size_t n = strlen(s) + 1;
    if (with_hint) {
        put16(sec + *off, hint);
        *off += 2;
    }
    memcpy(sec + *off, s, n);
    *off += (uint32_t)n;
    *off = (uint32_t)align(*off, 2); /* hint/name entries are 2-aligned */
    if (*off > IMP_GLOBALS)
        abort(); /* the lists outgrew the layout: a harness bug */
    return IMP_RVA + at;
}

/* The .idata section's IMP_SIZE bytes (see the layout above). */
static void build_idata(uint8_t *sec)
{
    uint32_t off = IMP_STR;
    for (size_t d = 0; d < N_DLLS; d++) {
        if (imp_dlls[d].n > IMP_SLOTS)
            abort();
        uint8_t *desc = sec + IMP_DESC + 20 * d;
        uint32_t iat = IMP_IAT + 0x100u * (uint32_t)d;
        uint32_t ilt = IMP_ILT + 0x100u * (uint32_t)d;
        put32(desc + 0, IMP_RVA + ilt);  /* OriginalFirstThunk */
        put32(desc + 12, put_str(sec, &off, 0, false, imp_dlls[d].dll));
        put32(desc + 16, IMP_RVA + iat); /* FirstThunk */
        for (size_t k = 0; k < imp_dlls[d].n; k++) {
            uint32_t hn = put_str(sec, &off, (uint16_t)k, true,
                                  imp_dlls[d].names[k]);
            put64(sec + ilt + 8 * k, hn);
            put64(sec + iat + 8 * k, hn); /* unbound: same thunks */
        }
    }
}

/* A PE32+ image: headers, .text (code), .data (the same bytes), .idata. */
static uint8_t *build_image(const uint8_t *code, size_t n, size_t *out_size)
{
    size_t raw = align(n ? n : 1, 0x200);
    size_t vsz = align(n ? n : 1, 0x1000);
    size_t total = HDR + 2 * raw + IMP_SIZE;
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
    put16(fh + 2, 3);               /* NumberOfSections */
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
    put32(oh + 56, IMP_RVA + IMP_SIZE); /* SizeOfImage */
    put32(oh + 60, HDR);            /* SizeOfHeaders */
    put16(oh + 68, 1);              /* Subsystem: native */
    put32(oh + 108, 16);            /* NumberOfRvaAndSizes */
    put32(oh + 112 + 8 * 1, IMP_RVA + IMP_DESC); /* IMPORT directory */
    put32(oh + 112 + 8 * 1 + 4, 20 * (N_DLLS + 1));
    put32(oh + 112 + 8 * 12, IMP_RVA + IMP_IAT); /* IAT directory */
    put32(oh + 112 + 8 * 12 + 4, 0x100 * N_DLLS);
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
    sh += 40;
    memcpy(sh, ".idata", 6);
    put32(sh + 8, IMP_SIZE);
    put32(sh + 12, IMP_RVA);
    put32(sh + 16, IMP_SIZE);
    put32(sh + 20, (uint32_t)(HDR + 2 * raw));
    put32(sh + 36, 0xC0000040);     /* initialized data, read, write */
    memcpy(img + HDR, code, n);
    memcpy(img + HDR + raw, code, n);
    build_idata(img + HDR + 2 * raw);
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
