/*
 * pdb_fuzz.c - libFuzzer harness for msf.c and pdb.c.
 *
 * The input is a whole PDB file. The harness
 *   1. opens it as MSF and reads every stream, checking each view's size
 *      against the directory and each stream byte's file offset against the
 *      input;
 *   2. opens it as a PDB with annotations and checks invariants: names and
 *      annotation strings NUL-terminated inside the input or the arena,
 *      has_rva symbols' RVAs inside their section (without OMAP), the sort
 *      order, lookups returning the symbols they were asked for;
 *   3. opens it again without annotations: same status and same symbols
 *      (determinism, and the flag only adds annotations).
 * On failure the diag must name a structure. Everything is freed (LSan).
 */
#include "base/ew.h"
#include "base/ew_arena.h"
#include "format/msf.h"
#include "format/pdb.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(x) \
    do { \
        if (!(x)) \
            abort(); \
    } while (0)

static void check_str(const char *s)
{
    CHECK(s);
    /* ASan reports a read past the buffer if there is no NUL */
    volatile size_t n = strlen(s);
    (void)n;
}

static void fuzz_msf(const uint8_t *data, size_t size)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    ew_diag d;
    ew_diag_init(&d, "fuzz.pdb");
    msf_file m;
    if (msf_open(&m, data, size, &a, &d) == EW_OK) {
        uint64_t total = 0;
        for (uint32_t i = 0; i < m.n_streams; i++) {
            ew_rd r;
            CHECK(msf_stream_view(&m, i, SIZE_MAX, &a, "s", NULL, &r, &d) ==
                  EW_OK);
            CHECK(r.size == (msf_stream_present(&m, i) ? m.streams[i].size
                                                       : 0));
            total += r.size;
            if (r.size) {
                volatile uint8_t sum = r.base[0] ^ r.base[r.size - 1];
                (void)sum;
                CHECK(msf_stream_file_off(&m, i, r.size - 1) < size);
            }
        }
        CHECK(total <= size); /* blocks are used once */
    } else {
        CHECK(d.status != EW_OK && d.what[0]);
    }
    ew_arena_free(&a);
}

static void check_symbols(const pdb_file *p, const pdb_symbol *s, size_t n,
                          const pdb_symbol *(*find)(const pdb_file *,
                                                    const char *))
{
    for (size_t i = 0; i < n; i++) {
        check_str(s[i].name);
        if (s[i].has_rva && !p->has_omap) {
            CHECK(s[i].seg >= 1 && s[i].seg <= p->n_sections);
            const pdb_section *sec = &p->sections[s[i].seg - 1];
            CHECK(s[i].rva >= sec->rva);
            uint32_t lim = sec->vsize > sec->raw_size ? sec->vsize
                                                      : sec->raw_size;
            CHECK(s[i].rva - sec->rva <= lim);
        }
        if (i > 0) {
            CHECK(s[i - 1].has_rva >= s[i].has_rva);
            if (s[i - 1].has_rva && s[i].has_rva)
                CHECK(s[i - 1].rva <= s[i].rva);
        }
        const pdb_symbol *f = find(p, s[i].name);
        CHECK(f && strcmp(f->name, s[i].name) == 0);
    }
}

static void fuzz_pdb(const uint8_t *data, size_t size)
{
    ew_diag d1, d2;
    ew_diag_init(&d1, "fuzz.pdb");
    ew_diag_init(&d2, "fuzz.pdb");
    pdb_file a, b;
    ew_status s1 = pdb_open(&a, data, size, "fuzz.pdb", PDB_LOAD_ANNOTATIONS | PDB_LOAD_PROCEDURES,
                            &d1);
    ew_status s2 = pdb_open(&b, data, size, "fuzz.pdb", 0, &d2);
    if (s1 != EW_OK) {
        CHECK(d1.status == s1 && d1.what[0]);
        CHECK(a.publics == NULL && a.arena.head == NULL);
    }
    if (s2 != EW_OK)
        CHECK(d2.status == s2 && d2.what[0]);
    /* annotations are read last: without them, nothing can fail that did
     * not fail with them */
    if (s1 == EW_OK)
        CHECK(s2 == EW_OK);
    if (s1 == EW_OK) {
        check_symbols(&a, a.publics, a.n_publics, pdb_find_public);
        check_symbols(&a, a.globals, a.n_globals, pdb_find_global);
        for (size_t i = 0; i < a.n_modules; i++) {
            check_str(a.modules[i].name);
            check_str(a.modules[i].obj_name);
        }
        for (size_t i = 0; i < a.n_annotations; i++) {
            const pdb_annotation *an = &a.annotations[i];
            CHECK(an->module >= 1 && an->module <= a.n_modules);
            for (uint16_t k = 0; k < an->n_strings; k++)
                check_str(an->strings[k]);
        }
        CHECK(b.n_publics == a.n_publics && b.n_globals == a.n_globals);
        CHECK(b.n_annotations == 0);
        for (size_t i = 0; i < a.n_publics; i++) {
            CHECK(strcmp(a.publics[i].name, b.publics[i].name) == 0);
            CHECK(a.publics[i].rva == b.publics[i].rva);
        }
        if (a.n_publics) {
            const pdb_symbol *f = pdb_find_by_rva(&a, a.publics[0].rva);
            CHECK(!a.publics[0].has_rva || (f && f->rva == a.publics[0].rva));
        }
        uint8_t g[16];
        memcpy(g, a.guid, 16);
        ew_diag dm;
        ew_diag_init(&dm, "fuzz.pdb");
        CHECK(pdb_match(&a, g, a.has_dbi ? a.dbi_age : a.age, &dm) == EW_OK);
        g[0] ^= 1;
        CHECK(pdb_match(&a, g, 0, &dm) == EW_E_MISMATCH);
        pdb_close(&a);
    }
    if (s2 == EW_OK)
        pdb_close(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_msf(data, size);
    fuzz_pdb(data, size);
    return 0;
}
