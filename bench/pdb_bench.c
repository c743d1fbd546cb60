/*
 * pdb_bench.c - time pdb_open on the corpus's full MSVC PDB.
 *
 *   pdb_bench [FILE.pdb] [RUNS]
 *
 * Maps the file once (default ../shared/corpus/msvc-pair_pty-x64.pdb, 21
 * runs), then opens and closes it RUNS times without and RUNS times with
 * PDB_LOAD_ANNOTATIONS; prints median/min/max milliseconds and the arena
 * bytes used. Prints a skip line and exits 0 when the file is absent.
 */
#include "base/ew.h"
#include "base/ew_file.h"
#include "format/pdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

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

static int run(const ew_file *f, unsigned flags, int runs, const char *label)
{
    double *ms = malloc(sizeof *ms * (size_t)runs);
    size_t arena = 0, np = 0, ng = 0, na = 0;
    for (int i = 0; i < runs; i++) {
        ew_diag d;
        ew_diag_init(&d, f->path);
        pdb_file pdb;
        double t0 = now_ms();
        if (pdb_open(&pdb, f->data, f->size, f->path, flags, &d) != EW_OK) {
            char buf[512];
            fprintf(stderr, "pdb_bench: %s\n",
                    ew_diag_format(&d, buf, sizeof buf));
            free(ms);
            return 1;
        }
        arena = pdb.arena.used;
        np = pdb.n_publics;
        ng = pdb.n_globals;
        na = pdb.n_annotations;
        pdb_close(&pdb);
        ms[i] = now_ms() - t0;
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    printf("pdb_open %-18s runs %d  median %.2f ms  min %.2f  max %.2f  "
           "arena %zu bytes  (%zu publics, %zu globals, %zu annotations)\n",
           label, runs, ms[runs / 2], ms[0], ms[runs - 1], arena, np, ng, na);
    free(ms);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
                                : "../shared/corpus/msvc-pair_pty-x64.pdb";
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1)
        runs = 1;
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("pdb_bench: %s absent: skipped\n", path);
        return 0;
    }
    ew_diag d;
    ew_diag_init(&d, path);
    ew_file f;
    if (ew_file_map(&f, path, &d) != EW_OK) {
        char buf[512];
        fprintf(stderr, "pdb_bench: %s\n", ew_diag_format(&d, buf, sizeof buf));
        return 1;
    }
    printf("pdb_bench: %s (%zu bytes)\n", path, f.size);
    int rc = run(&f, 0, runs, "");
    if (!rc)
        rc = run(&f, PDB_LOAD_ANNOTATIONS, runs, "+annotations");
    ew_file_unmap(&f);
    return rc;
}
