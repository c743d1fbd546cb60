/*
 * engine_bench.c - time the code-analysis engine phase by phase on x64 PE
 * images, and how the time grows with the amount of code.
 *
 *   engine_bench [--runs K] [--pdb] [FILE...]
 *
 * Without FILE: the corpus's win32kbase.sys and coreclr.dll (each skipped
 * with a message when absent). `make bench` adds the synthetic kernel
 * images of bench/synth/ when they were built (`make synth`).
 *
 * Each FILE is mapped and opened once (pe_open, and its PDB beside it with
 * --pdb; neither is timed with the phases), then analysed K times (default
 * 9). A run executes the phases in order, each building on the results of
 * the ones before, timing each separately (wall clock and process CPU
 * time), then releases them all. For each phase the median, min and max
 * wall milliseconds and the median CPU milliseconds are printed with the
 * phase's counts and the memory its result holds (arena bytes used, result
 * arrays). Before any timing, a forked child does one full run per file
 * and reports its peak RSS (getrusage ru_maxrss), before and after the
 * phases.
 *
 * The phases are eng_run's stages (analysis/engine.h), in its order:
 *   decode     fn_discover: function discovery and decoding, the floor
 *              every later phase adds to
 *   values     vs_analyze: value tracking in every function
 *   callgraph  cg_build: call graph and its SCCs
 *   summaries  eng_summarize: the per-function API table and sm_build
 *              with the ETW APIs as sinks
 *   sites      what `etwmap sites` adds: cat_build (the catalog) and
 *              st_find (sites resolved against it)
 * Their results are the members of an engine struct, so a run builds what
 * eng_run builds; once per file eng_run itself runs and a mismatch in the
 * summaries' instance count is reported (engine.c changed: update the
 * phases here). Adding a phase = one eb_phase entry in PHASES with
 * run/release/count functions; the tables print it as one more column.
 *
 * The last table ("scaling") puts the files in order of code size and
 * compares each with the smallest: code-size ratio, each phase's time and
 * its ratio, the time of all phases, its ratio and that ratio divided by
 * the size ratio (1.0 = linear growth), milliseconds per MB of code,
 * nanoseconds per decoded instruction and peak RSS. It uses the CPU-time
 * medians: on a shared machine (2 cores, other jobs running) the wall
 * clock also counts the time others hold the CPU, CPU time much less so.
 */
#include "bench.h"

#include "analysis/engine.h"
#include "analysis/etw_api.h"
#include "analysis/functions.h"
#include "analysis/sites.h"
#include "base/ew_arena.h"
#include "catalog/catalog.h"
#include "format/pdb.h"
#include "format/pe.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_RUNS 9
#define MAX_FILES 32
#define SCN_MEM_EXECUTE 0x20000000u

static const char *const default_files[] = {
    "../shared/corpus/win10-19041.508_win32kbase.sys",
    "../shared/corpus/coreclr-2.0.0_coreclr.dll",
};

/* ---- phases ------------------------------------------------------------ */

/* One analysis of one image: the inputs, then each phase's result (the
 * members of e, as eng_run fills them). */
typedef struct eb_run {
    const pe_image *img;
    const pdb_file *pdb; /* NULL without --pdb */
    engine e;            /* fns: decode, vs: values, cg: callgraph, sm and
                            fn_api (in e.arena): summaries */
    ew_arena cat_arena;  /* sites: the catalog and the sites */
    cat_catalog cat;
    st_sites sites;
} eb_run;

/* Counts a phase reports; n[] meanings are the phase's count_names. */
#define EB_MAX_COUNTS 6
typedef struct eb_counts {
    size_t n[EB_MAX_COUNTS];
    size_t bytes; /* memory its result holds (arena bytes used, arrays) */
} eb_counts;

typedef struct eb_phase {
    const char *name;
    const char *count_names[EB_MAX_COUNTS]; /* NULL-terminated */
    /* Builds the phase's result in r from the earlier phases' results. */
    ew_status (*run)(eb_run *r, ew_diag *d);
    void (*release)(eb_run *r);
    void (*count)(const eb_run *r, eb_counts *c);
} eb_phase;

static ew_status decode_run(eb_run *r, ew_diag *d)
{
    r->e.img = r->img;
    r->e.pdb = r->pdb;
    return fn_discover(&r->e.fns, r->img, r->pdb, d);
}

static void decode_release(eb_run *r)
{
    fn_free(&r->e.fns);
}

static void decode_count(const eb_run *r, eb_counts *c)
{
    const fn_set *s = &r->e.fns;
    size_t calls = 0;
    for (size_t i = 0; i < s->n_functions; i++)
        calls += s->functions[i].n_calls;
    c->n[0] = s->n_functions;
    c->n[1] = s->n_insns;
    c->n[2] = calls;
    c->n[3] = s->n_truncated;
    c->n[4] = s->n_bad_code;
    c->bytes = s->arena.used;
}

static ew_status values_run(eb_run *r, ew_diag *d)
{
    uint8_t *keep = eng_import_keep(r->img);
    if (!keep)
        return EW_E_NOMEM;
    ew_status st = vs_analyze(&r->e.vs, &r->e.fns, r->img, keep, d);
    free(keep);
    return st;
}

static void values_release(eb_run *r)
{
    vs_free(&r->e.vs);
}

static void values_count(const eb_run *r, eb_counts *c)
{
    const vs_set *vs = &r->e.vs;
    c->n[0] = vs->n_calls;
    c->n[1] = vs->n_stores;
    c->n[2] = vs->n_bytes;
    c->n[3] = vs->n_alts;
    c->n[4] = vs->n_budget;
    /* the arena, and the result arrays on the heap */
    c->bytes = vs->arena.used + vs->n_calls * sizeof *vs->calls +
               vs->n_stores * sizeof *vs->stores + vs->n_bytes * sizeof *vs->bytes +
               vs->n_alts * sizeof *vs->alts;
}

static ew_status callgraph_run(eb_run *r, ew_diag *d)
{
    return cg_build(&r->e.cg, &r->e.fns, &r->e.vs, d);
}

static void callgraph_release(eb_run *r)
{
    cg_free(&r->e.cg);
}

static void callgraph_count(const eb_run *r, eb_counts *c)
{
    const cg_graph *g = &r->e.cg;
    size_t cyclic = 0;
    for (size_t k = 0; k < g->n_sccs; k++)
        cyclic += cg_scc_cyclic(g, k);
    c->n[0] = g->n_edges;
    c->n[1] = g->n_sccs;
    c->n[2] = cyclic;
    c->bytes = g->arena.used;
}

static ew_status summaries_run(eb_run *r, ew_diag *d)
{
    ew_arena_init(&r->e.arena, 0);
    return eng_summarize(&r->e, d);
}

static void summaries_release(eb_run *r)
{
    sm_free(&r->e.sm);
    ew_arena_free(&r->e.arena);
    r->e.fn_api = NULL;
}

static void summaries_count(const eb_run *r, eb_counts *c)
{
    const sm_set *sm = &r->e.sm;
    size_t effects = 0;
    for (size_t i = 0; i < r->e.fns.n_functions; i++)
        effects += sm->effects[i].n;
    c->n[0] = sm->n_instances;
    c->n[1] = effects;
    c->n[2] = sm->n_budget;
    c->bytes = sm->arena.used + r->e.arena.used;
}

static ew_status sites_run(eb_run *r, ew_diag *d)
{
    ew_arena_init(&r->cat_arena, 0);
    EW_TRY(cat_build(&r->cat, r->img, r->pdb, &r->cat_arena, d));
    return st_find(&r->sites, &r->e, &r->cat, NULL, d);
}

static void sites_release(eb_run *r)
{
    st_free(&r->sites);
    ew_arena_free(&r->cat_arena);
}

static void sites_count(const eb_run *r, eb_counts *c)
{
    size_t resolved = 0;
    for (size_t i = 0; i < r->sites.n; i++)
        resolved += r->sites.sites[i].unresolved == 0;
    c->n[0] = r->sites.n;
    c->n[1] = resolved;
    c->n[2] = r->cat.n_events;
    c->bytes = r->sites.arena.used + r->cat_arena.used;
}

static const eb_phase PHASES[] = {
    {"decode",
     {"functions", "insns", "call sites", "truncated", "bad code", NULL},
     decode_run, decode_release, decode_count},
    {"values",
     {"calls", "stores", "byte values", "alternatives", "budget hits", NULL},
     values_run, values_release, values_count},
    {"callgraph",
     {"edges", "SCCs", "cyclic SCCs", NULL},
     callgraph_run, callgraph_release, callgraph_count},
    {"summaries",
     {"sink instances", "effects", "budget hits", NULL},
     summaries_run, summaries_release, summaries_count},
    {"sites",
     {"sites", "resolved", "catalog events", NULL},
     sites_run, sites_release, sites_count},
};
#define N_PHASES (sizeof PHASES / sizeof PHASES[0])
#define PHASE_SUMMARIES 3 /* PHASES[3]: eng_run ends there */

/* ---- one file ------------------------------------------------------------ */

typedef struct eb_result {
    const char *path;
    size_t code_bytes;  /* executable sections' virtual sizes */
    double open_ms;     /* median pe_open */
    double med[N_PHASES], min[N_PHASES], max[N_PHASES]; /* wall */
    double cpu[N_PHASES];                               /* median CPU */
    double total_med, total_cpu; /* medians of the runs' phase sums */
    eb_counts counts[N_PHASES];
    long rss_before_kb, rss_after_kb; /* -1: unknown */
    bool ok;
} eb_result;

static size_t code_bytes(const pe_image *img)
{
    size_t n = 0;
    for (size_t i = 0; i < img->n_sections; i++)
        if (img->sections[i].characteristics & SCN_MEM_EXECUTE)
            n += img->sections[i].vsize;
    return n;
}

/* Runs every phase once; wall[] and cpu[] get each phase's milliseconds
 * (both may be NULL). The results stay in r until release_all. */
static int run_all(eb_run *r, double *wall, double *cpu, const char *path)
{
    ew_diag d;
    ew_diag_init(&d, path);
    for (size_t p = 0; p < N_PHASES; p++) {
        double t0 = bench_now_ms(), c0 = bench_cpu_ms();
        if (PHASES[p].run(r, &d) != EW_OK) {
            bench_fail("engine_bench", &d);
            for (size_t q = p; q-- > 0;)
                PHASES[q].release(r);
            return 1;
        }
        if (cpu)
            cpu[p] = bench_cpu_ms() - c0;
        if (wall)
            wall[p] = bench_now_ms() - t0;
    }
    return 0;
}

static void release_all(eb_run *r)
{
    for (size_t p = N_PHASES; p-- > 0;)
        PHASES[p].release(r);
}

static long maxrss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* One full run in a child process, so that the peak RSS is this file's
 * alone: the child reports ru_maxrss before and after the phases. */
static void measure_rss(const ew_file *f, const pdb_file *pdb, eb_result *res)
{
    int fd[2];
    res->rss_before_kb = res->rss_after_kb = -1;
    if (pipe(fd) != 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return;
    }
    if (pid == 0) {
        long v[2] = {-1, -1};
        ew_diag d;
        ew_diag_init(&d, f->path);
        pe_image img;
        close(fd[0]);
        if (pe_open(&img, f->data, f->size, f->path, &d) == EW_OK) {
            eb_run r = {.img = &img, .pdb = pdb};
            v[0] = maxrss_kb();
            if (run_all(&r, NULL, NULL, f->path) == 0) {
                v[1] = maxrss_kb();
                release_all(&r);
            }
            pe_close(&img);
        }
        ssize_t w = write(fd[1], v, sizeof v);
        _exit(w == (ssize_t)sizeof v ? 0 : 1);
    }
    close(fd[1]);
    long v[2];
    if (read(fd[0], v, sizeof v) == (ssize_t)sizeof v) {
        res->rss_before_kb = v[0];
        res->rss_after_kb = v[1];
    }
    close(fd[0]);
    waitpid(pid, NULL, 0);
}

/* Runs eng_run once and compares its result with the phases': they build
 * the same thing unless engine.c changed since the phases were written. */
static int check_against_engine(const pe_image *img, const pdb_file *pdb, eb_result *res,
                                const char *path)
{
    engine e;
    ew_diag d;
    ew_diag_init(&d, path);
    if (eng_run(&e, img, pdb, &d) != EW_OK) {
        bench_fail("engine_bench: eng_run", &d);
        eng_free(&e);
        return 1;
    }
    const eb_counts *dec = &res->counts[0], *sum = &res->counts[PHASE_SUMMARIES];
    if (e.fns.n_functions != dec->n[0] || e.sm.n_instances != sum->n[0])
        printf("engine_bench: %s: eng_run finds %zu functions, %zu sink instances; the "
               "phases %zu, %zu: engine.c changed, update PHASES\n",
               path, e.fns.n_functions, e.sm.n_instances, dec->n[0], sum->n[0]);
    eng_free(&e);
    return 0;
}

/* Opens FILE's PDB beside it (x.sys -> x.pdb; buf holds its path for as
 * long as the PDB is open). False, after saying why unless quiet, when
 * there is none or it does not open. The PDB is assumed to be FILE's (not
 * checked). */
static bool open_pdb_beside(const char *path, char *buf, size_t size, ew_file *pf,
                            pdb_file *pdb, bool quiet)
{
    const char *dot = strrchr(path, '.');
    size_t stem = dot && !strchr(dot, '/') ? (size_t)(dot - path) : strlen(path);
    if (stem + sizeof ".pdb" > size)
        return false;
    memcpy(buf, path, stem);
    memcpy(buf + stem, ".pdb", sizeof ".pdb");
    struct stat st;
    if (stat(buf, &st) != 0) {
        if (!quiet)
            printf("engine_bench: %s absent: analysing without a PDB\n", buf);
        return false;
    }
    ew_diag d;
    ew_diag_init(&d, buf);
    if (ew_file_map(pf, buf, &d) != EW_OK) {
        if (!quiet)
            bench_fail("engine_bench", &d);
        return false;
    }
    if (pdb_open(pdb, pf->data, pf->size, buf, 0, &d) != EW_OK) {
        if (!quiet)
            bench_fail("engine_bench: analysing without the PDB", &d);
        ew_file_unmap(pf);
        return false;
    }
    return true;
}

/* The RSS pass: maps FILE (and its PDB) and lets a child measure it. Runs
 * for every file before any timing, while this process is still small. */
static void rss_file(const char *path, bool use_pdb, eb_result *res)
{
    ew_file f;
    ew_diag d;
    struct stat st;
    res->rss_before_kb = res->rss_after_kb = -1;
    ew_diag_init(&d, path);
    if (stat(path, &st) != 0 || ew_file_map(&f, path, &d) != EW_OK)
        return;
    ew_file pf = {0};
    pdb_file pdb;
    char pdb_path[4096];
    bool have_pdb =
        use_pdb && open_pdb_beside(path, pdb_path, sizeof pdb_path, &pf, &pdb, true);
    measure_rss(&f, have_pdb ? &pdb : NULL, res);
    if (have_pdb) {
        pdb_close(&pdb);
        ew_file_unmap(&pf);
    }
    ew_file_unmap(&f);
}

static int bench_file(const char *path, int runs, bool use_pdb, eb_result *res)
{
    long rss_before = res->rss_before_kb, rss_after = res->rss_after_kb;
    memset(res, 0, sizeof *res);
    res->path = path;
    res->rss_before_kb = rss_before;
    res->rss_after_kb = rss_after;
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("engine_bench: %s absent: skipped\n", path);
        return 0;
    }
    ew_file f;
    ew_diag d;
    ew_diag_init(&d, path);
    if (ew_file_map(&f, path, &d) != EW_OK) {
        bench_fail("engine_bench", &d);
        return 1;
    }
    ew_file pf = {0};
    pdb_file pdb;
    char pdb_path[4096];
    bool have_pdb =
        use_pdb && open_pdb_beside(path, pdb_path, sizeof pdb_path, &pf, &pdb, false);

    double *open_ms = malloc(sizeof *open_ms * (size_t)runs);
    double *ms = malloc(sizeof *ms * (size_t)runs * (N_PHASES + 1));
    double *cpu = malloc(sizeof *cpu * (size_t)runs * (N_PHASES + 1));
    pe_image img;
    int rc = 0;
    if (!open_ms || !ms || !cpu) {
        fprintf(stderr, "engine_bench: out of memory\n");
        rc = 1;
    }
    for (int i = 0; i < runs && rc == 0; i++) {
        double t0 = bench_now_ms();
        if (pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
            bench_fail("engine_bench", &d);
            rc = 1;
            break;
        }
        open_ms[i] = bench_now_ms() - t0;
        pe_close(&img);
    }
    if (rc == 0 && pe_open(&img, f.data, f.size, path, &d) != EW_OK) {
        bench_fail("engine_bench", &d);
        rc = 1;
    }
    if (rc == 0) {
        res->code_bytes = code_bytes(&img);
        /* ms[p * runs + i], cpu[...]: phase p of run i; p == N_PHASES: the
         * sum of the phases */
        for (int i = 0; i < runs && rc == 0; i++) {
            eb_run r = {.img = &img, .pdb = have_pdb ? &pdb : NULL};
            double t[N_PHASES], c[N_PHASES];
            rc = run_all(&r, t, c, path);
            if (rc)
                break;
            double sum = 0, csum = 0;
            for (size_t p = 0; p < N_PHASES; p++) {
                ms[p * (size_t)runs + (size_t)i] = t[p];
                cpu[p * (size_t)runs + (size_t)i] = c[p];
                sum += t[p];
                csum += c[p];
                if (i == 0)
                    PHASES[p].count(&r, &res->counts[p]);
            }
            ms[N_PHASES * (size_t)runs + (size_t)i] = sum;
            cpu[N_PHASES * (size_t)runs + (size_t)i] = csum;
            release_all(&r);
        }
        if (rc == 0)
            rc = check_against_engine(&img, have_pdb ? &pdb : NULL, res, path);
        pe_close(&img);
    }
    if (rc == 0) {
        bench_sort(open_ms, runs);
        res->open_ms = open_ms[runs / 2];
        for (size_t p = 0; p <= N_PHASES; p++) {
            double *v = ms + p * (size_t)runs, *c = cpu + p * (size_t)runs;
            bench_sort(v, runs);
            bench_sort(c, runs);
            if (p == N_PHASES) {
                res->total_med = v[runs / 2];
                res->total_cpu = c[runs / 2];
            } else {
                res->med[p] = v[runs / 2];
                res->min[p] = v[0];
                res->max[p] = v[runs - 1];
                res->cpu[p] = c[runs / 2];
            }
        }
        res->ok = true;
    }
    free(open_ms);
    free(ms);
    free(cpu);
    if (have_pdb) {
        pdb_close(&pdb);
        ew_file_unmap(&pf);
    }
    ew_file_unmap(&f);
    return rc;
}

/* ---- report ------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    /* the synthetic images are all tkbig.sys: keep their xN directory */
    const char *s = strrchr(path, '/');
    if (!s)
        return path;
    if (strcmp(s + 1, "tkbig.sys") == 0) {
        const char *t = s;
        while (t > path && t[-1] != '/')
            t--;
        return t;
    }
    return s + 1;
}

static void report_file(const eb_result *r, int runs)
{
    printf("%s: %.2f MB code, pe_open %.2f ms; %d runs\n", r->path,
           (double)r->code_bytes / 1e6, r->open_ms, runs);
    for (size_t p = 0; p < N_PHASES; p++) {
        printf("  %-10s median %8.2f ms  min %8.2f  max %8.2f  cpu %8.2f  mem %5.1f MB ",
               PHASES[p].name, r->med[p], r->min[p], r->max[p], r->cpu[p],
               (double)r->counts[p].bytes / 1e6);
        for (size_t k = 0; k < EB_MAX_COUNTS; k++) {
            const char *what = PHASES[p].count_names[k];
            if (!what)
                break;
            printf("%s%zu %s", k ? ", " : " ", r->counts[p].n[k], what);
        }
        printf("\n");
    }
    if (r->rss_after_kb >= 0)
        printf("  peak RSS   %.1f MB (%.1f MB before the phases, in a child process)\n",
               (double)r->rss_after_kb / 1024.0, (double)r->rss_before_kb / 1024.0);
}

static int cmp_code(const void *a, const void *b)
{
    const eb_result *x = *(const eb_result *const *)a, *y = *(const eb_result *const *)b;
    return (x->code_bytes > y->code_bytes) - (x->code_bytes < y->code_bytes);
}

static void report_scaling(eb_result *res, int n)
{
    const eb_result *ok[MAX_FILES];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (res[i].ok && res[i].code_bytes > 0)
            ok[m++] = &res[i];
    if (m < 2)
        return;
    qsort(ok, (size_t)m, sizeof ok[0], cmp_code);
    const eb_result *b = ok[0];
    printf("\nscaling: CPU-time medians in ms, each with its ratio to %s;\n"
           "all = every phase (wall clock in brackets); all/size 1.00 = linear growth\n",
           base_name(b->path));
    printf("  %-30s %7s %6s", "file", "code MB", "size x");
    for (size_t p = 0; p < N_PHASES; p++)
        printf(" %9s %5s", PHASES[p].name, "x");
    printf(" %8s %10s %5s %8s %6s %7s %6s\n", "all", "(wall)", "x", "all/size", "ms/MB",
           "ns/insn", "RSS MB");
    for (int i = 0; i < m; i++) {
        const eb_result *r = ok[i];
        double sx = (double)r->code_bytes / (double)b->code_bytes;
        printf("  %-30s %7.2f %6.2f", base_name(r->path), (double)r->code_bytes / 1e6, sx);
        for (size_t p = 0; p < N_PHASES; p++)
            printf(" %9.1f %5.2f", r->cpu[p], b->cpu[p] > 0 ? r->cpu[p] / b->cpu[p] : 0.0);
        double tx = b->total_cpu > 0 ? r->total_cpu / b->total_cpu : 0.0;
        size_t insns = r->counts[0].n[1];
        printf(" %8.1f (%8.1f) %5.2f %8.2f %6.1f %7.1f %6.1f\n", r->total_cpu, r->total_med, tx,
               tx / sx, r->total_cpu / ((double)r->code_bytes / 1e6),
               insns ? r->total_cpu * 1e6 / (double)insns : 0.0,
               r->rss_after_kb >= 0 ? (double)r->rss_after_kb / 1024.0 : -1.0);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: engine_bench [--runs K] [--pdb] [FILE...]\n");
}

int main(int argc, char **argv)
{
    int runs = DEFAULT_RUNS;
    bool use_pdb = false;
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps stderr lines in place */
    const char *files[MAX_FILES];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
            if (runs < 1)
                runs = 1;
        } else if (strcmp(argv[i], "--pdb") == 0) {
            use_pdb = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-') {
            usage(stderr);
            return 2;
        } else if (n < MAX_FILES) {
            files[n++] = argv[i];
        } else {
            fprintf(stderr, "engine_bench: more than %d files\n", MAX_FILES);
            return 2;
        }
    }
    if (n == 0)
        for (size_t i = 0; i < sizeof default_files / sizeof default_files[0]; i++)
            files[n++] = default_files[i];

    eb_result *res = calloc((size_t)n, sizeof *res);
    if (!res) {
        fprintf(stderr, "engine_bench: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++)
        rss_file(files[i], use_pdb, &res[i]);
    for (int i = 0; i < n && rc == 0; i++) {
        rc = bench_file(files[i], runs, use_pdb, &res[i]);
        if (rc == 0 && res[i].ok)
            report_file(&res[i], runs);
    }
    if (rc == 0)
        report_scaling(res, n);
    free(res);
    return rc;
}
