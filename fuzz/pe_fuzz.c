/*
 * pe_fuzz.c - libFuzzer harness for pe_open.
 *
 * Any input: pe_open either fails with a recorded diagnostic or returns an
 * image that satisfies the model's invariants (every section, export,
 * import, function, relocation and CFG RVA inside SizeOfImage; sorted
 * tables; lookups that find what the tables hold); a second open of the
 * same bytes gives the same model. Everything is freed (LeakSanitizer).
 * A violated invariant aborts, so the fuzzer reports it as a crash.
 *
 * Seeds (fuzz/corpus/pe/): the crafted images of tests/test_pe.c
 * (x64.dll, x86.dll, arm64.dll, x86-vadelay.dll: `test_pe --write-seeds
 * DIR`) and copies of the built fixtures (kdriver.sys, kdriver-arm64.sys,
 * udll.dll, udll-x86.dll from tests/fixtures/).
 */
#include "base/ew.h"
#include "format/pe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            fprintf(stderr, "pe_fuzz: invariant failed: %s (line %d)\n", \
                    #cond, __LINE__);                                  \
            abort();                                                   \
        }                                                              \
    } while (0)

static void check_image(const pe_image *img)
{
    const uint32_t soi = img->size_of_image;
    for (size_t i = 0; i < img->n_sections; i++) {
        const pe_section *s = &img->sections[i];
        uint32_t ext = s->vsize ? s->vsize : s->raw_size;
        CHECK(ext > 0 && (uint64_t)s->rva + ext <= soi);
        CHECK(i == 0 || s->rva >= img->sections[i - 1].rva + 0ull);
        CHECK(pe_section_at(img, s->rva) == s);
        CHECK(s->name[8] == 0);
        size_t off;
        if (pe_rva_to_off(img, s->rva, 1, &off) == EW_OK)
            CHECK(off < img->size);
    }
    for (size_t i = 0; i < img->n_exports; i++) {
        const pe_export *e = &img->exports[i];
        CHECK(e->rva < soi);
        CHECK(!e->forwarder || e->rva == 0);
        CHECK(i == 0 || e->ordinal >= img->exports[i - 1].ordinal);
        CHECK(pe_find_export_ordinal(img, e->ordinal) != NULL);
        if (e->name) {
            const pe_export *f = pe_find_export(img, e->name);
            CHECK(f && strcmp(f->name, e->name) == 0);
        }
    }
    for (size_t i = 0; i < img->n_imports; i++) {
        const pe_import *im = &img->imports[i];
        CHECK(im->dll && im->iat_rva < soi);
        CHECK(i == 0 || im->delay >= img->imports[i - 1].delay);
    }
    for (size_t i = 0; i < img->n_functions; i++) {
        const pe_runtime_function *f = &img->functions[i];
        CHECK(f->begin_rva <= f->end_rva && f->end_rva <= soi);
        CHECK(i == 0 || f->begin_rva >= img->functions[i - 1].begin_rva);
        if (f->begin_rva < f->end_rva)
            CHECK(pe_find_function(img, f->begin_rva) != NULL);
    }
    for (size_t i = 0; i < img->n_relocs; i++)
        CHECK(img->relocs[i].rva < soi && img->relocs[i].type != 0);
    const pe_load_config *lc = &img->load_config;
    CHECK(lc->n_guard_functions == 0 || lc->present);
    for (size_t i = 0; i < lc->n_guard_functions; i++)
        CHECK(lc->guard_functions[i] < soi);
    for (size_t i = 0; i < img->n_pogo; i++)
        CHECK(img->pogo[i].name != NULL);
    CHECK(!img->codeview.present || img->codeview.pdb_path);
    for (size_t i = 0; i < img->n_resources; i++) {
        const pe_resource *r = &img->resources[i];
        size_t n;
        const pe_resource *first =
            pe_find_resource(img, r->type_id, r->type_name, &n);
        CHECK(first && first <= r && r < first + n);
    }
}

static void same_model(const pe_image *a, const pe_image *b)
{
    CHECK(a->n_sections == b->n_sections && a->n_exports == b->n_exports &&
          a->n_imports == b->n_imports && a->n_functions == b->n_functions &&
          a->n_relocs == b->n_relocs && a->n_debug == b->n_debug &&
          a->n_pogo == b->n_pogo && a->n_resources == b->n_resources &&
          a->load_config.n_guard_functions ==
              b->load_config.n_guard_functions);
    if (a->n_functions)
        CHECK(memcmp(a->functions, b->functions,
                     a->n_functions * sizeof *a->functions) == 0);
    if (a->n_relocs)
        CHECK(memcmp(a->relocs, b->relocs,
                     a->n_relocs * sizeof *a->relocs) == 0);
    for (size_t i = 0; i < a->n_exports; i++)
        CHECK(a->exports[i].rva == b->exports[i].rva &&
              a->exports[i].ordinal == b->exports[i].ordinal);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ew_diag d;
    pe_image img;
    ew_diag_init(&d, "fuzz");
    ew_status s = pe_open(&img, data, size, "fuzz", &d);
    if (s != EW_OK) {
        CHECK(s > EW_OK && s < EW_STATUS_COUNT);
        CHECK(d.status == s && d.what[0] != 0);
        CHECK(img.sections == NULL && img.arena.head == NULL);
        char buf[512];
        ew_diag_format(&d, buf, sizeof buf);
        return 0;
    }
    check_image(&img);

    ew_diag d2;
    pe_image img2;
    ew_diag_init(&d2, "fuzz");
    CHECK(pe_open(&img2, data, size, "fuzz", &d2) == EW_OK);
    same_model(&img, &img2);
    pe_close(&img2);
    pe_close(&img);
    return 0;
}
