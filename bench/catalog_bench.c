/*
 * catalog_bench.c - time cat_build (manifest + message table + TraceLogging
 * + names + sort) on the corpus's win32kbase.sys.
 *
 *   catalog_bench [FILE] [RUNS]
 *
 * Maps the file once (default ../shared/corpus/win10-19041.508_win32kbase.sys,
 * 21 runs), opens the PE image once, then builds the catalog RUNS times,
 * each into a fresh arena; prints median/min/max milliseconds, the arena
 * bytes used and the counts, and the median of pe_open + cat_build (what
 * `etwmap events` does per file) for comparison. Target: median cat_build
 * under 20 ms. Prints a skip line and exits 0 when the file is absent.
 */
#include "bench.h"

#include "base/ew_arena.h"
#include "catalog/catalog.h"
#include "format/pe.h"

#define TARGET_MS 20.0

int main(int argc, char **argv)
{
    ew_file f;
    int runs;
    int rc = bench_open("catalog_bench", argc, argv,
                        "../shared/corpus/win10-19041.508_win32kbase.sys", &f,
                        &runs);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *path = f.path;
    ew_diag d;
    ew_diag_init(&d, path);
    double *build = malloc(sizeof *build * (size_t)runs);
    double *whole = malloc(sizeof *whole * (size_t)runs);
    if (!build || !whole) {
        fprintf(stderr, "catalog_bench: out of memory\n");
        return 1;
    }
    pe_image img;
    if (pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
        bench_fail("catalog_bench", &d);
        return 1;
    }
    size_t arena = 0, np = 0, ne = 0, nm = 0, nt = 0;
    for (int i = 0; i < runs; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        cat_catalog c;
        double t0 = bench_now_ms();
        if (cat_build(&c, &img, NULL, &a, &d) != EW_OK) {
            bench_fail("catalog_bench", &d);
            return 1;
        }
        build[i] = bench_now_ms() - t0;
        arena = a.used;
        np = c.n_providers;
        ne = c.n_events;
        nm = c.n_by_kind[CAT_KIND_MANIFEST];
        nt = c.n_by_kind[CAT_KIND_TRACELOGGING];
        ew_arena_free(&a);
    }
    pe_close(&img);
    for (int i = 0; i < runs; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        cat_catalog c;
        pe_image im;
        double t0 = bench_now_ms();
        if (pe_open(&im, f.data, f.size, path, &d) != EW_OK ||
            cat_build(&c, &im, NULL, &a, &d) != EW_OK) {
            bench_fail("catalog_bench", &d);
            return 1;
        }
        whole[i] = bench_now_ms() - t0;
        pe_close(&im);
        ew_arena_free(&a);
    }
    bench_sort(build, runs);
    bench_sort(whole, runs);
    double median = build[runs / 2];
    printf("cat_build %s  runs %d  median %.2f ms  min %.2f  max %.2f  arena "
           "%zu bytes  (%zu providers, %zu events: %zu manifest, %zu "
           "TraceLogging)  target < %.0f ms: %s\n",
           path, runs, median, build[0], build[runs - 1], arena, np, ne, nm,
           nt, TARGET_MS, median < TARGET_MS ? "met" : "MISSED");
    printf("pe_open + cat_build  median %.2f ms  min %.2f  max %.2f\n",
           whole[runs / 2], whole[0], whole[runs - 1]);
    free(build);
    free(whole);
    ew_file_unmap(&f);
    return 0;
}
