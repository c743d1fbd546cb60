/*
 * test_mapping.c - the map's search rules (analysis/mapping.h) on a small
 * hand-made call graph, where every path is known:
 *
 *   NtOpenThing (export) -> A -> C*          C: two sites (0x1310, 0x1320)
 *                        -> B -> C*
 *                        -> ExAllocatePoolWithTag*      (default-ignored)
 *                        -> KiOpenThingHelper (export; holds the stem
 *                           "OpenTh" of NtOpenThing) -> H*
 *                        -> PsOther (export) -> P*
 *   C -> D -> E*                             E: depth 5 from NtOpenThing
 *   NtOther (export) -> C
 *
 * (* = holds a write site.) Checked: depths and paths, the number of
 * shortest paths, the d+1 rule and --all-depths, --max-depth, the default
 * ignore list and extra patterns, other exports (not entered unless the
 * name holds the entry's stem, or --through-exports, which counts them),
 * --paths all, named entries by name and rva, every function as an entry,
 * and the pattern matcher.
 */
#include "testutil.h"

#include "analysis/mapping.h"

enum { NT, FA, FB, FC, FD, FE, EX, KI, FH, PS, FP, NT2, N_FN };

static const struct {
    uint32_t rva;
    const char *name;
} FNS[N_FN] = {
    {0x1000, "NtOpenThing"}, {0x1100, "A"},           {0x1200, "B"},
    {0x1300, "C"},           {0x1400, "D"},           {0x1500, "E"},
    {0x1600, "ExAllocatePoolWithTag"},                {0x1700, "KiOpenThingHelper"},
    {0x1800, "H"},           {0x1900, "PsOther"},     {0x1a00, "P"},
    {0x1b00, "NtOther"},
};

static const uint32_t EDGES[][2] = {
    {NT, FA}, {NT, FB}, {NT, EX}, {NT, KI}, {NT, PS}, {FA, FC}, {FB, FC},
    {FC, FD}, {FD, FE}, {KI, FH}, {PS, FP}, {NT2, FC},
};
#define N_EDGES (sizeof EDGES / sizeof EDGES[0])

/* sites: by function rva, then site rva */
static const struct {
    uint32_t fn, rva;
} SITES[] = {
    {FC, 0x1310}, {FC, 0x1320}, {FE, 0x1510}, {EX, 0x1610},
    {FH, 0x1810}, {FP, 0x1a10},
};
#define N_SITES (sizeof SITES / sizeof SITES[0])

typedef struct world {
    fn_function fns[N_FN];
    cg_edge edges[N_EDGES], redges[N_EDGES];
    uint32_t first[N_FN + 1], rfirst[N_FN + 1];
    const etw_api *api[N_FN];
    pe_export exports[3];
    pe_image img;
    engine e;
    st_site sites[N_SITES];
    st_sites s;
} world;

static world *make_world(void)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < N_FN; i++) {
        w->fns[i].rva = FNS[i].rva;
        w->fns[i].end_rva = FNS[i].rva + 0x100;
        w->fns[i].name = FNS[i].name;
    }
    /* forward rows by caller (in edge order), reverse rows by callee then
     * caller */
    size_t k = 0;
    for (uint32_t f = 0; f < N_FN; f++) {
        w->first[f] = (uint32_t)k;
        for (size_t i = 0; i < N_EDGES; i++)
            if (EDGES[i][0] == f)
                w->edges[k++] = (cg_edge){EDGES[i][1], FNS[f].rva + 0x10, 0};
    }
    w->first[N_FN] = (uint32_t)k;
    k = 0;
    for (uint32_t f = 0; f < N_FN; f++) {
        w->rfirst[f] = (uint32_t)k;
        for (uint32_t c = 0; c < N_FN; c++)
            for (size_t i = 0; i < N_EDGES; i++)
                if (EDGES[i][1] == f && EDGES[i][0] == c)
                    w->redges[k++] = (cg_edge){c, FNS[c].rva + 0x10, 0};
    }
    w->rfirst[N_FN] = (uint32_t)k;
    w->exports[0] = (pe_export){"NtOpenThing", 1, 0x1000, NULL};
    w->exports[1] = (pe_export){"KiOpenThingHelper", 2, 0x1700, NULL};
    w->exports[2] = (pe_export){"PsOther", 3, 0x1900, NULL};
    w->img.exports = w->exports;
    w->img.n_exports = 3;
    w->e.img = &w->img;
    w->e.fns.functions = w->fns;
    w->e.fns.n_functions = N_FN;
    w->e.fn_api = w->api;
    w->e.cg.n = N_FN;
    w->e.cg.first = w->first;
    w->e.cg.edges = w->edges;
    w->e.cg.rfirst = w->rfirst;
    w->e.cg.redges = w->redges;
    w->e.cg.n_edges = N_EDGES;
    for (size_t i = 0; i < N_SITES; i++) {
        w->sites[i].fn = SITES[i].fn;
        w->sites[i].site_rva = SITES[i].rva;
        w->sites[i].action = ST_WRITE;
    }
    w->s.sites = w->sites;
    w->s.n = N_SITES;
    return w;
}

/* The map's rows as "Entry depth Function path..." lines, one string. */
static char *rows_text(const world *w, const mp_options *o)
{
    mp_map m;
    ew_diag d;
    ew_diag_init(&d, "test");
    assert_int_equal(mp_build(&m, &w->e, &w->s, o, &d), EW_OK);
    static char buf[4096];
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m.n_rows; i++) {
        const mp_row *r = &m.rows[i];
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s %u %x x%u n%u:",
                               m.entries[r->entry].name, r->depth,
                               w->sites[r->site].site_rva, r->export_depth,
                               r->n_paths);
        for (unsigned k = 0; k < r->depth; k++)
            at += (size_t)snprintf(buf + at, sizeof buf - at, " %s",
                                   w->fns[m.path_fns[r->path + k]].name);
        at += (size_t)snprintf(buf + at, sizeof buf - at, "\n");
        assert_true(at < sizeof buf);
    }
    mp_free(&m);
    return buf;
}

static void defaults(void **state)
{
    (void)state;
    world *w = make_world();
    mp_options o = {0};
    /* entries: the exports; NtOpenThing reaches C at depth 3 by two paths
     * (A first), H through the export that holds its stem; the pool routine
     * is ignored, PsOther is another export, E (depth 5) is past d+1 */
    assert_string_equal(rows_text(w, &o),
                        "KiOpenThingHelper 2 1810 x0 n1: KiOpenThingHelper H\n"
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n"
                        "PsOther 2 1a10 x0 n1: PsOther P\n");
    free(w);
}

static void depth_rules(void **state)
{
    (void)state;
    world *w = make_world();
    mp_entry_spec spec = {"NtOpenThing", 0};
    mp_options o = {.select = MP_SELECT_NAMED, .specs = &spec, .n_specs = 1,
                    .all_depths = true};
    assert_string_equal(rows_text(w, &o),
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n"
                        "NtOpenThing 5 1510 x0 n2: NtOpenThing A C D E\n");
    o.max_depth = 4;
    assert_string_equal(rows_text(w, &o),
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n");
    /* without the default ignore list the pool routine's event comes
     * first, at depth 2, and the d+1 rule keeps depth 3 */
    o.max_depth = 0;
    o.all_depths = false;
    o.no_default_ignore = true;
    assert_string_equal(rows_text(w, &o),
                        "NtOpenThing 2 1610 x0 n1: NtOpenThing ExAllocatePoolWithTag\n"
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n");
    /* an extra pattern keeps the search out of A: one path to C */
    const char *ign[] = {"*Pool*", "A"};
    o.ignore = ign;
    o.n_ignore = 2;
    assert_string_equal(rows_text(w, &o),
                        "NtOpenThing 3 1310 x0 n1: NtOpenThing B C\n"
                        "NtOpenThing 3 1320 x0 n1: NtOpenThing B C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n");
    free(w);
}

static void exports_and_paths(void **state)
{
    (void)state;
    world *w = make_world();
    mp_entry_spec specs[] = {{"NtOpenThing", 0}, {NULL, 0x1b05}};
    mp_options o = {.select = MP_SELECT_NAMED, .specs = specs, .n_specs = 2,
                    .through_exports = true, .all_paths = true,
                    .max_depth = 3};
    /* through PsOther (counted), every shortest path to C; NtOther by an
     * rva inside it */
    assert_string_equal(rows_text(w, &o),
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1310 x0 n2: NtOpenThing B C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing A C\n"
                        "NtOpenThing 3 1320 x0 n2: NtOpenThing B C\n"
                        "NtOpenThing 3 1810 x0 n1: NtOpenThing KiOpenThingHelper H\n"
                        "NtOpenThing 3 1a10 x1 n1: NtOpenThing PsOther P\n"
                        "NtOther 2 1310 x0 n1: NtOther C\n"
                        "NtOther 2 1320 x0 n1: NtOther C\n");
    free(w);
}

static void all_functions_and_errors(void **state)
{
    (void)state;
    world *w = make_world();
    mp_options o = {.select = MP_SELECT_ALL_FUNCTIONS};
    mp_map m;
    ew_diag d;
    ew_diag_init(&d, "test");
    assert_int_equal(mp_build(&m, &w->e, &w->s, &o, &d), EW_OK);
    assert_int_equal(m.n_entries, N_FN);
    assert_string_equal(m.entries[0].name, "A"); /* by name */
    assert_int_equal(m.entries[0].kind, MP_ENTRY_FUNCTION);
    assert_false(m.kernel);
    mp_free(&m);
    mp_entry_spec bad = {"NoSuch", 0};
    o = (mp_options){.select = MP_SELECT_NAMED, .specs = &bad, .n_specs = 1};
    assert_int_equal(mp_build(&m, &w->e, &w->s, &o, &d), EW_E_NOT_FOUND);
    assert_non_null(strstr(d.detail, "'NoSuch'"));
    mp_free(&m);
    o.max_depth = MP_MAX_DEPTH + 1;
    ew_diag_init(&d, "test");
    assert_int_equal(mp_build(&m, &w->e, &w->s, &o, &d), EW_E_USAGE);
    mp_free(&m);
    free(w);
}

static void patterns(void **state)
{
    (void)state;
    assert_true(mp_pattern_match("Ex*Pool*", "ExAllocatePoolWithTag"));
    assert_true(mp_pattern_match("Ex*Pool*", "ExFreePool"));
    assert_false(mp_pattern_match("Ex*Pool*", "KeExPool"));
    assert_true(mp_pattern_match("*", ""));
    assert_true(mp_pattern_match("a*b*c", "aXbYbZc"));
    assert_false(mp_pattern_match("a*b*c", "aXbYbZ"));
    assert_true(mp_pattern_match("memcpy", "memcpy"));
    assert_false(mp_pattern_match("memcpy", "memcpy_s"));
    assert_false(mp_pattern_match("", "x"));
    /* case matters: KeBlockThread is no lock */
    assert_false(mp_pattern_match("Ke*Lock*", "KeBlockThread"));
    size_t n;
    const char *const *def = mp_default_ignore(&n);
    assert_true(n > 20);
    for (size_t i = 0; i < n; i++) {
        assert_true(def[i][0] != '\0');
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(def[i], def[j]);
    }
    assert_string_equal(mp_entry_kind_name(MP_ENTRY_SYSCALL), "syscall");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(depth_rules),
        cmocka_unit_test(exports_and_paths),
        cmocka_unit_test(all_functions_and_errors),
        cmocka_unit_test(patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
