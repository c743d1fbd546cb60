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
#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_file.h"
#include "catalog/catalog.h"
#include "format/pe.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#define TARGET_MS 20.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fail(const ew_diag *d)
{
    char buf[512];
    fprintf(stderr, "catalog_bench: %s\n", ew_diag_format(d, buf, sizeof buf));
}

int main(int argc, char **argv)
{
    const char *path = argc > 1
                           ? argv[1]
                           : "../shared/corpus/win10-19041.508_win32kbase.sys";
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1)
        runs = 1;
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("catalog_bench: %s absent: skipped\n", path);
        return 0;
    }
    ew_diag d;
    ew_diag_init(&d, path);
    ew_file f;
    if (ew_file_map(&f, path, &d) != EW_OK) {
        fail(&d);
        return 1;
    }
    double *build = malloc(sizeof *build * (size_t)runs);
    double *whole = malloc(sizeof *whole * (size_t)runs);
    if (!build || !whole) {
        fprintf(stderr, "catalog_bench: out of memory\n");
        return 1;
    }
    pe_image img;
    if (pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
        fail(&d);
        return 1;
    }
    size_t arena = 0, np = 0, ne = 0, nm = 0, nt = 0;
    for (int i = 0; i < runs; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        cat_catalog c;
        double t0 = now_ms();
        if (cat_build(&c, &img, NULL, &a, &d) != EW_OK) {
            fail(&d);
            return 1;
        }
        build[i] = now_ms() - t0;
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
        double t0 = now_ms();
        if (pe_open(&im, f.data, f.size, path, &d) != EW_OK ||
            cat_build(&c, &im, NULL, &a, &d) != EW_OK) {
            fail(&d);
            return 1;
        }
        whole[i] = now_ms() - t0;
        pe_close(&im);
        ew_arena_free(&a);
    }
    qsort(build, (size_t)runs, sizeof *build, cmp_double);
    qsort(whole, (size_t)runs, sizeof *whole, cmp_double);
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
