/*
 * map_bench.c - time `etwmap map` on an x64 image: the analysis it needs
 * (catalog, engine, sites) and the map itself (entries, one breadth-first
 * search per entry, rows), with the default options (all exports, or a
 * kernel's system calls) and with every function as an entry.
 *
 *   map_bench [FILE] [RUNS]
 *
 * Maps the file once (default ../shared/corpus/win10-19041.508_win32kbase.sys,
 * 9 runs), opens the PE image and the PDB beside it (FILE with .pdb, when
 * present) once, then RUNS times: cat_build + eng_run + st_find ("analysis"),
 * mp_build with the defaults ("map"), mp_build with --all-functions
 * --all-depths ("map all"), and the CSV written to /dev/null ("csv").
 * Prints median/min/max CPU milliseconds of each and of the whole (what
 * `etwmap map FILE` costs after reading the file), with the median wall
 * clock in brackets and the counts. CPU time, because the machine is
 * shared: under load the wall clock doubles while CPU time holds (see
 * bench/README.md). Target: the whole under 2 s. Prints a skip line and
 * exits 0 when the file is absent.
 */
#include "bench.h"

#include "analysis/engine.h"
#include "analysis/mapping.h"
#include "analysis/sites.h"
#include "base/ew_arena.h"
#include "catalog/catalog.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "output/map_table.h"

#include <string.h>

#define DEFAULT_RUNS 9
#define TARGET_MS 2000.0
#define N_PHASES 5

static const char *const PHASE[N_PHASES] = {"analysis", "map", "map all",
                                            "csv", "whole"};

int main(int argc, char **argv)
{
    ew_file f, pf;
    int runs;
    int rc = bench_open("map_bench", argc, argv,
                        "../shared/corpus/win10-19041.508_win32kbase.sys", &f,
                        &runs);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (argc <= 2)
        runs = DEFAULT_RUNS;
    const char *path = f.path;
    ew_diag d;
    ew_diag_init(&d, path);
    pe_image img;
    if (pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
        bench_fail("map_bench", &d);
        return 1;
    }
    /* the PDB beside the image, when there is one: FILE.pdb for FILE.ext */
    pdb_file pdb, *pp = NULL;
    char pdb_path[4096];
    const char *dot = strrchr(path, '.');
    size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - path) : strlen(path);
    struct stat st;
    if (stem + 5 < sizeof pdb_path) {
        memcpy(pdb_path, path, stem);
        memcpy(pdb_path + stem, ".pdb", 5);
        if (stat(pdb_path, &st) == 0) {
            ew_diag pd;
            ew_diag_init(&pd, pdb_path);
            if (ew_file_map(&pf, pdb_path, &pd) != EW_OK ||
                pdb_open(&pdb, pf.data, pf.size, pdb_path, PDB_LOAD_ANNOTATIONS,
                         &pd) != EW_OK) {
                bench_fail("map_bench", &pd);
                return 1;
            }
            pp = &pdb;
        }
    }
    FILE *null = fopen("/dev/null", "w");
    double *ms = malloc(sizeof *ms * (size_t)runs * N_PHASES);
    double *wall = malloc(sizeof *wall * (size_t)runs * N_PHASES);
    if (!null || !ms || !wall) {
        fprintf(stderr, "map_bench: cannot set up\n");
        return 1;
    }
    size_t n_fns = 0, n_sites = 0, n_entries = 0, n_rows = 0, n_entries_all = 0,
           n_rows_all = 0;
    bool kernel = false;
    for (int i = 0; i < runs; i++) {
        ew_arena a;
        ew_arena_init(&a, 0);
        cat_catalog cat;
        engine e;
        st_sites s;
        mp_map m, mall;
        memset(&s, 0, sizeof s);
        mp_options o, oall;
        memset(&o, 0, sizeof o);
        memset(&oall, 0, sizeof oall);
        oall.select = MP_SELECT_ALL_FUNCTIONS;
        oall.all_depths = true;
        double w0 = bench_now_ms(), t0 = bench_cpu_ms();
        if (cat_build(&cat, &img, pp, &a, &d) != EW_OK ||
            eng_run(&e, &img, pp, &d) != EW_OK ||
            st_find(&s, &e, &cat, NULL, &d) != EW_OK) {
            bench_fail("map_bench", &d);
            return 1;
        }
        double w1 = bench_now_ms(), t1 = bench_cpu_ms();
        if (mp_build(&m, &e, &s, &o, &d) != EW_OK) {
            bench_fail("map_bench", &d);
            return 1;
        }
        double w2 = bench_now_ms(), t2 = bench_cpu_ms();
        if (mp_build(&mall, &e, &s, &oall, &d) != EW_OK) {
            bench_fail("map_bench", &d);
            return 1;
        }
        double w3 = bench_now_ms(), t3 = bench_cpu_ms();
        if (map_csv_write(null, &e, &s, &m) != 0) {
            fprintf(stderr, "map_bench: write failed\n");
            return 1;
        }
        fflush(null);
        double w4 = bench_now_ms(), t4 = bench_cpu_ms();
        ms[0 * runs + i] = t1 - t0;
        ms[1 * runs + i] = t2 - t1;
        ms[2 * runs + i] = t3 - t2;
        ms[3 * runs + i] = t4 - t3;
        ms[4 * runs + i] = (t2 - t0) + (t4 - t3);
        wall[0 * runs + i] = w1 - w0;
        wall[1 * runs + i] = w2 - w1;
        wall[2 * runs + i] = w3 - w2;
        wall[3 * runs + i] = w4 - w3;
        wall[4 * runs + i] = (w2 - w0) + (w4 - w3);
        n_fns = e.fns.n_functions;
        n_sites = s.n;
        n_entries = m.n_entries;
        n_rows = m.n_rows;
        kernel = m.kernel;
        n_entries_all = mall.n_entries;
        n_rows_all = mall.n_rows;
        mp_free(&mall);
        mp_free(&m);
        st_free(&s);
        eng_free(&e);
        ew_arena_free(&a);
    }
    printf("map_bench %s%s  runs %d  %zu functions, %zu sites  (CPU ms; "
           "[wall median])\n",
           path, pp ? " (with its PDB)" : "", runs, n_fns, n_sites);
    for (int k = 0; k < N_PHASES; k++) {
        double *p = ms + (size_t)k * (size_t)runs;
        double *q = wall + (size_t)k * (size_t)runs;
        bench_sort(p, runs);
        bench_sort(q, runs);
        printf("  %-9s median %9.2f ms  min %9.2f  max %9.2f  [%9.2f]",
               PHASE[k], p[runs / 2], p[0], p[runs - 1], q[runs / 2]);
        if (k == 1)
            printf("  (%zu %s entries, %zu rows)", n_entries,
                   kernel ? "system call" : "export", n_rows);
        if (k == 2)
            printf("  (%zu entries, %zu rows)", n_entries_all, n_rows_all);
        if (k == N_PHASES - 1)
            printf("  target < %.0f ms: %s", TARGET_MS,
                   p[runs / 2] < TARGET_MS ? "met" : "MISSED");
        printf("\n");
    }
    fclose(null);
    free(ms);
    free(wall);
    if (pp) {
        pdb_close(&pdb);
        ew_file_unmap(&pf);
    }
    pe_close(&img);
    ew_file_unmap(&f);
    return 0;
}
