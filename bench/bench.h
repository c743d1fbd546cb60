/*
 * bench.h - what every benchmark needs (header-only; each bench/NAME_bench.c
 * is one program): a monotonic clock, a CPU clock, sorted timings, and the
 * common "[FILE] [RUNS]" command line with a skip when the corpus file is
 * absent.
 */
#ifndef BENCH_H
#define BENCH_H

#include "base/ew.h"
#include "base/ew_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static inline double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the whole process (all threads): unlike bench_now_ms it
 * does not count the time other processes hold the CPU, so it stays
 * comparable on a busy machine. */
static inline double bench_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts n timings so that [0] is the min, [n/2] the median, [n-1] the max. */
static inline void bench_sort(double *ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, bench_cmp_double);
}

static inline void bench_fail(const char *name, const ew_diag *d)
{
    char buf[512];
    fprintf(stderr, "%s: %s\n", name, ew_diag_format(d, buf, sizeof buf));
}

/* Parses "[FILE] [RUNS]" (defaults: default_path, 21 runs) and maps FILE.
 * Returns 0 when mapped, -1 after printing a skip line when FILE is absent
 * (the benchmark then exits 0), 1 after printing the error. */
static inline int bench_open(const char *name, int argc, char **argv,
                             const char *default_path, ew_file *f, int *runs)
{
    const char *path = argc > 1 ? argv[1] : default_path;
    *runs = argc > 2 ? atoi(argv[2]) : 21;
    if (*runs < 1)
        *runs = 1;
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("%s: %s absent: skipped\n", name, path);
        return -1;
    }
    ew_diag d;
    ew_diag_init(&d, path);
    if (ew_file_map(f, path, &d) != EW_OK) {
        bench_fail(name, &d);
        return 1;
    }
    return 0;
}

#endif
