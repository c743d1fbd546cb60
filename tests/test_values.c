/*
 * test_values.c - value tracking and summaries (src/analysis/values.c,
 * summary.c) through the engine's API (engine.h), on kdriver.sys.
 *
 * Crafted cases, each a pattern the fixture's C source writes on purpose
 * (tests/fixtures/kdriver/kdetw.c; expected values from truth.json and
 * kdriver.man, addresses from the PDB by symbol name so a rebuilt fixture
 * keeps them right):
 *  - KdpLogWidgetClosed picks one of two global descriptors on two paths:
 *    EtwWrite's descriptor is a VAL_ALT of exactly the two descriptor rvas;
 *    the REGHANDLE is a VAL_LOAD of KdEtwRegHandle. The same without the PDB.
 *  - KdpLogStatsSnapshot builds its EVENT_DESCRIPTOR field by field on the
 *    stack: the argument is a frame address whose 16 known bytes are id 6,
 *    version 2, channel 16, level 5, opcode 0, task 4, keyword
 *    0x8000000000000008 (little-endian).
 *  - McTemplateK0d_EtwWriteTransfer's summary maps parameter 0 to
 *    EtwWriteTransfer's argument 0 (REGHANDLE) and parameter 1 to its
 *    argument 1 (descriptor), at its own call; KdpLogWidgetOpened's call
 *    through it is a final instance with the handle load and the
 *    KDRV_EVT_WIDGET_OPENED address, via the template.
 */
#include "testutil.h"

#include "analysis/engine.h"
#include "format/pdb.h"

typedef struct fixture {
    uint8_t *sys, *pdb_data;
    size_t sys_size, pdb_size;
    pe_image img;
    pdb_file pdb;
    bool with_pdb;
    ew_diag d;
    engine e;
} fixture;

static void fixture_open(fixture *fx, bool with_pdb)
{
    memset(fx, 0, sizeof *fx);
    fx->sys = read_whole_file(FIXTURE_DIR "/kdriver/kdriver.sys", &fx->sys_size);
    assert_non_null(fx->sys);
    ew_diag_init(&fx->d, "kdriver.sys");
    assert_ew_ok(pe_open(&fx->img, fx->sys, fx->sys_size, "kdriver.sys",
                         &fx->d),
                 &fx->d);
    /* the PDB is read in both cases: it names what the tests look for */
    fx->pdb_data =
        read_whole_file(FIXTURE_DIR "/kdriver/kdriver.pdb", &fx->pdb_size);
    assert_non_null(fx->pdb_data);
    assert_ew_ok(pdb_open(&fx->pdb, fx->pdb_data, fx->pdb_size, "kdriver.pdb",
                          0, &fx->d),
                 &fx->d);
    fx->with_pdb = with_pdb;
    assert_ew_ok(eng_run(&fx->e, &fx->img, with_pdb ? &fx->pdb : NULL,
                         &fx->d),
                 &fx->d);
}

static void fixture_close(fixture *fx)
{
    eng_free(&fx->e);
    pdb_close(&fx->pdb);
    pe_close(&fx->img);
    free(fx->sys);
    free(fx->pdb_data);
}

/* The rva of PDB symbol name (a public or a global). */
static uint32_t symbol_rva(const fixture *fx, const char *name)
{
    const pdb_symbol *s = pdb_find_public(&fx->pdb, name);
    if (!s || !s->has_rva)
        s = pdb_find_global(&fx->pdb, name);
    if (!s || !s->has_rva)
        fail_msg("no PDB symbol %s with an rva", name);
    return s->rva;
}

/* The engine's index of the function the PDB names name. */
static size_t function_index(const fixture *fx, const char *name)
{
    long i = eng_function_index(&fx->e, symbol_rva(fx, name));
    if (i < 0)
        fail_msg("function %s not discovered", name);
    return (size_t)i;
}

/* The one call of function fi to the ETW API named api. */
static const vs_call *api_call(const fixture *fx, size_t fi, const char *api)
{
    size_t n;
    const vs_call *c = vs_calls_of(&fx->e.vs, fi, &n);
    const vs_call *hit = NULL;
    for (size_t i = 0; i < n; i++) {
        const etw_api *a = eng_call_api(&fx->e, &c[i]);
        if (a && strcmp(a->name, api) == 0) {
            assert_null(hit);
            hit = &c[i];
        }
    }
    if (!hit)
        fail_msg("no call to %s", api);
    return hit;
}

static int sink_id(const char *api)
{
    size_t n;
    const etw_api *t = etw_api_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, api) == 0)
            return (int)i;
    fail_msg("%s is not in the ETW API table", api);
    return -1;
}

static void assert_val(const val *v, val_kind kind, int64_t c)
{
    assert_int_equal(v->kind, kind);
    assert_int_equal(v->c, c);
}

static void two_descriptors(bool with_pdb)
{
    fixture fx;
    fixture_open(&fx, with_pdb);
    const vs_set *vs = &fx.e.vs;
    size_t fi = function_index(&fx, "KdpLogWidgetClosed");
    const vs_call *c = api_call(&fx, fi, "EtwWrite");
    assert_val(&c->args[0], VAL_LOAD, symbol_rva(&fx, "KdEtwRegHandle"));
    assert_int_equal(c->args[0].size, 8);
    const val *d = &c->args[1];
    assert_int_equal(d->kind, VAL_ALT);
    assert_true(d->c >= 0 && (size_t)d->c < vs->n_alts);
    const vs_alt *a = &vs->alts[d->c];
    assert_int_equal(a->n, 2);
    /* the two addresses, in either order */
    int64_t r1 = symbol_rva(&fx, "KDRV_EVT_WIDGET_CLOSED");
    int64_t r2 = symbol_rva(&fx, "KDRV_EVT_WIDGET_CLOSE_FAILED");
    assert_int_equal(a->v[0].kind, VAL_ADDR);
    assert_int_equal(a->v[1].kind, VAL_ADDR);
    assert_true((a->v[0].c == r1 && a->v[1].c == r2) ||
                (a->v[0].c == r2 && a->v[1].c == r1));
    /* the summaries keep both: one final instance at the call */
    size_t n = 0;
    for (size_t i = 0; i < fx.e.sm.n_instances; i++) {
        const sm_instance *in = &fx.e.sm.instances[i];
        if (in->fn != fi || in->e.site_rva != c->site_rva)
            continue;
        n++;
        assert_int_equal(in->e.status, SM_FINAL);
        assert_int_equal(in->e.args[1].v.kind, VAL_ALT);
        const vs_alt *sa = &fx.e.sm.alts[in->e.args[1].v.c];
        assert_int_equal(sa->n, 2);
        assert_memory_equal(sa->v, a->v, 2 * sizeof a->v[0]);
    }
    assert_int_equal(n, 1);
    fixture_close(&fx);
}

static void two_descriptors_join(void **state)
{
    (void)state;
    two_descriptors(true);
}

static void two_descriptors_join_without_pdb(void **state)
{
    (void)state;
    two_descriptors(false);
}

static void stack_descriptor_bytes(void **state)
{
    (void)state;
    fixture fx;
    fixture_open(&fx, true);
    size_t fi = function_index(&fx, "KdpLogStatsSnapshot");
    const vs_call *c = api_call(&fx, fi, "EtwWrite");
    assert_int_equal(c->args[1].kind, VAL_STACK);
    assert_true(c->args[1].c < 0); /* below the entry rsp */
    const vs_bytes *b = vs_pointee(&fx.e.vs, c, 1);
    assert_non_null(b);
    /* EVENT_DESCRIPTOR {Id 6, Version 2, Channel 16, Level 5, Opcode 0,
     * Task 4, Keyword 0x8000000000000008} (KDRV_EVT_STATS_SNAPSHOT) */
    static const uint8_t want[16] = {0x06, 0x00, 0x02, 0x10, 0x05, 0x00,
                                     0x04, 0x00, 0x08, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x80};
    assert_int_equal(b->known, 0xFFFF);
    assert_memory_equal(b->b, want, 16);
    /* the instance carries the same bytes */
    size_t n = 0;
    for (size_t i = 0; i < fx.e.sm.n_instances; i++) {
        const sm_instance *in = &fx.e.sm.instances[i];
        if (in->fn != fi || in->e.site_rva != c->site_rva)
            continue;
        n++;
        assert_int_equal(in->e.args[1].bytes.known, 0xFFFF);
        assert_memory_equal(in->e.args[1].bytes.b, want, 16);
    }
    assert_int_equal(n, 1);
    fixture_close(&fx);
}

static void template_summary(void **state)
{
    (void)state;
    fixture fx;
    fixture_open(&fx, true);
    size_t tf = function_index(&fx, "McTemplateK0d_EtwWriteTransfer");
    const vs_call *c = api_call(&fx, tf, "EtwWriteTransfer");
    size_t n;
    const sm_effect *ef = sm_effects_of(&fx.e.sm, tf, &n);
    assert_int_equal(n, 1);
    assert_int_equal(ef->sink, sink_id("EtwWriteTransfer"));
    assert_int_equal(ef->sink_fn, tf);
    assert_int_equal(ef->sink_site, c->site_rva);
    assert_int_equal(ef->site_rva, c->site_rva);
    assert_int_equal(ef->depth, 0);
    assert_int_equal(ef->parent_fn, UINT32_MAX);
    assert_true((ef->mask & 3u) == 3u);
    for (unsigned a = 0; a < 2; a++) { /* param a -> argument a */
        assert_int_equal(ef->args[a].v.kind, VAL_PARAM);
        assert_int_equal(ef->args[a].v.param, a);
        assert_int_equal(ef->args[a].v.c, 0);
    }
    assert_true(sm_val_is_param(&fx.e.sm, &ef->args[0].v));

    /* a caller settles it: the handle global and the descriptor address */
    size_t cf = function_index(&fx, "KdpLogWidgetOpened");
    size_t hits = 0;
    for (size_t i = 0; i < fx.e.sm.n_instances; i++) {
        const sm_instance *in = &fx.e.sm.instances[i];
        if (in->fn != cf)
            continue;
        hits++;
        assert_int_equal(in->e.status, SM_FINAL);
        assert_int_equal(in->e.sink_site, c->site_rva);
        assert_int_equal(in->e.depth, 1);
        uint32_t via[4];
        assert_int_equal(sm_via(&fx.e.sm, &in->e, via, 4), 1);
        assert_int_equal(via[0], tf);
        assert_val(&in->e.args[0].v, VAL_LOAD,
                   symbol_rva(&fx, "KdEtwRegHandle"));
        assert_val(&in->e.args[1].v, VAL_ADDR,
                   symbol_rva(&fx, "KDRV_EVT_WIDGET_OPENED"));
        /* the call it was settled at calls the template */
        const vs_call *at = vs_call_at(&fx.e.vs, cf, in->e.site_rva);
        assert_non_null(at);
        assert_int_equal(at->target_rva, fx.e.fns.functions[tf].rva);
    }
    assert_int_equal(hits, 1);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_descriptors_join),
        cmocka_unit_test(two_descriptors_join_without_pdb),
        cmocka_unit_test(stack_descriptor_bytes),
        cmocka_unit_test(template_summary),
    };
    return cmocka_run_group_tests_name("values", tests, NULL, NULL);
}
