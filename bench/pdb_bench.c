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
#include "bench.h"

#include "format/pdb.h"

static int run(const ew_file *f, unsigned flags, int runs, const char *label)
{
    double *ms = malloc(sizeof *ms * (size_t)runs);
    size_t arena = 0, np = 0, ng = 0, na = 0;
    for (int i = 0; i < runs; i++) {
        ew_diag d;
        ew_diag_init(&d, f->path);
        pdb_file pdb;
        double t0 = bench_now_ms();
        if (pdb_open(&pdb, f->data, f->size, f->path, flags, &d) != EW_OK) {
            bench_fail("pdb_bench", &d);
            free(ms);
            return 1;
        }
        arena = pdb.arena.used;
        np = pdb.n_publics;
        ng = pdb.n_globals;
        na = pdb.n_annotations;
        pdb_close(&pdb);
        ms[i] = bench_now_ms() - t0;
    }
    bench_sort(ms, runs);
    printf("pdb_open %-18s runs %d  median %.2f ms  min %.2f  max %.2f  "
           "arena %zu bytes  (%zu publics, %zu globals, %zu annotations)\n",
           label, runs, ms[runs / 2], ms[0], ms[runs - 1], arena, np, ng, na);
    free(ms);
    return 0;
}

int main(int argc, char **argv)
{
    ew_file f;
    int runs;
    int rc = bench_open("pdb_bench", argc, argv,
                        "../shared/corpus/msvc-pair_pty-x64.pdb", &f, &runs);
    if (rc)
        return rc < 0 ? 0 : rc;
    printf("pdb_bench: %s (%zu bytes)\n", f.path, f.size);
    rc = run(&f, 0, runs, "");
    if (!rc)
        rc = run(&f, PDB_LOAD_ANNOTATIONS, runs, "+annotations");
    ew_file_unmap(&f);
    return rc;
}
