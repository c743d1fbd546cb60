/*
 * test_functions.c - function discovery (src/analysis/functions.c).
 *
 * kdriver.sys with and without its PDB against tests/fixtures/kdriver/
 * truth.json: the tables below are truth.json's "functions",
 * "etw.api_calls", "etw.sites[].hops" and "call_graph", written by
 * tests/functions_tables.py (fixtures_test.sh checks they are current). Then the
 * other machines are refused, the other x64 fixtures (udll, the -O2/-Os
 * variants, kwrap/kcaller) keep the set's invariants, and corpus images
 * (ntdll, fltMgr, win32kbase) are discovered within a time bound that is
 * printed.
 */
#include "testutil.h"

#include "analysis/functions.h"
#include "base/ew_limits.h"
#include "format/pdb.h"

#include <time.h>

/* BEGIN truth tables (tests/functions_tables.py) */
/* truth.json "functions": name, rva */
/* is_static: a static function has no PDB public, only a module symbol,
 * so it keeps its sub_<rva> name */
static const struct { const char *name; uint32_t rva; int is_static; } truth_functions[] = {
    {"WPP_SF_d", 0x1000, 0},
    {"KdpCreateWidget", 0x1040, 0},
    {"KdpQueryStatistics", 0x10b0, 0},
    {"KdpQueryDispatch", 0x10e0, 0},
    {"KdOpenWidget", 0x1120, 0},
    {"KdQueryWidget", 0x1190, 0},
    {"KdResetWidgets", 0x11f0, 0},
    {"McTemplateK0d_EtwWriteTransfer", 0x1220, 0},
    {"KdpLogDriverUnload", 0x1260, 0},
    {"KdpLogWidgetOpened", 0x1290, 0},
    {"KdpLogWidgetReset", 0x12c0, 0},
    {"KdpLogWidgetError", 0x12f0, 0},
    {"KdpLogStatsSnapshot", 0x1360, 0},
    {"_tlgWriteTransfer_EtwWriteTransfer", 0x13e0, 0},
    {"_tlgEnableCallback", 0x1480, 1},
    {"KdTlgUnregister", 0x14c0, 0},
    {"KdpTlgWidgetQueried", 0x14f0, 0},
    {"KdpTlgWidgetQueryFailed", 0x15b0, 0},
    {"KdpTlgServiceCalled", 0x1650, 0},
    {"EtwTraceKernelEvent", 0x16c0, 0},
    {"KdpTraceProcessCreate", 0x1770, 0},
    {"KdpTraceTimerExpiration", 0x17d0, 0},
    {"KdNotifyProcessCreate", 0x1830, 0},
    {"KdTimerExpired", 0x1850, 0},
    {"KdSvcOpenWidget", 0x1880, 0},
    {"KdSvcCloseWidget", 0x18a0, 0},
    {"KdSvcQueryWidget", 0x18b0, 0},
    {"KdSvcNotifyProcess", 0x18d0, 0},
    {"KdDispatchService", 0x18f0, 0},
    {"KdpClassicEnable", 0x1930, 0},
    {"KdpClassicUnregister", 0x19a0, 0},
    {"KdpClassicLogWidgetReset", 0x19d0, 0},
    {"KdpClassicLogWidgetCleared", 0x1a30, 0},
    {"KdpClassicTraceState", 0x1aa0, 0},
    {"KdpClassicWidgetStarted", 0x1b10, 0},
    {"KdpClassicWidgetStopped", 0x1b30, 0},
    {"KdpClassicLogWidgetChecked", 0x1b50, 0},
    {"KdpWmiFireWidgetReset", 0x1bc0, 0},
    {"KdpNotifyWidgetReset", 0x1c10, 0},
    {"_guard_check_icall_nop", 0x1c50, 0},
    {"_guard_dispatch_icall_nop", 0x1c60, 0},
    {"DriverEntry", 0x5000, 0},
    {"KdpLogDriverLoaded", 0x5070, 0},
    {"KdTlgRegister", 0x50b0, 0},
    {"KdpDestroyWidget", 0x6000, 0},
    {"KdCloseWidget", 0x6050, 0},
    {"KdDriverUnload", 0x6070, 0},
    {"KdpLogWidgetClosed", 0x60b0, 0},
};
/* truth.json etw.api_calls: site rva, containing function, import or callee */
static const struct { uint32_t site; const char *function; const char *callee; int import; } truth_sites[] = {
    {0x102f, "WPP_SF_d", "WmiTraceMessage", 1},
    {0x1251, "McTemplateK0d_EtwWriteTransfer", "EtwWriteTransfer", 1},
    {0x1281, "KdpLogDriverUnload", "EtwWrite", 1},
    {0x1350, "KdpLogWidgetError", "EtwWriteEx", 1},
    {0x13d4, "KdpLogStatsSnapshot", "EtwWrite", 1},
    {0x1463, "_tlgWriteTransfer_EtwWriteTransfer", "EtwWriteTransfer", 1},
    {0x14cb, "KdTlgUnregister", "EtwUnregister", 1},
    {0x17bf, "KdpTraceProcessCreate", "EtwTraceKernelEvent", 0},
    {0x1821, "KdpTraceTimerExpiration", "EtwTraceKernelEvent", 0},
    {0x19ab, "KdpClassicUnregister", "EtwUnregister", 1},
    {0x1a21, "KdpClassicLogWidgetReset", "IoWMIWriteEvent", 1},
    {0x1a8c, "KdpClassicLogWidgetCleared", "IoWMIWriteEvent", 1},
    {0x1afa, "KdpClassicTraceState", "IoWMIWriteEvent", 1},
    {0x1bb2, "KdpClassicLogWidgetChecked", "IoWMIWriteEvent", 1},
    {0x1bf9, "KdpWmiFireWidgetReset", "IoWMIWriteEvent", 1},
    {0x501e, "DriverEntry", "EtwRegister", 1},
    {0x504c, "DriverEntry", "EtwRegisterClassicProvider", 1},
    {0x5096, "KdpLogDriverLoaded", "EtwWriteString", 1},
    {0x50db, "KdTlgRegister", "EtwRegister", 1},
    {0x50fe, "KdTlgRegister", "EtwSetInformation", 1},
    {0x6085, "KdDriverUnload", "EtwUnregister", 1},
    {0x6107, "KdpLogWidgetClosed", "EtwWrite", 1},
    {0x1157, "KdOpenWidget", "WPP_SF_d", 0},
    {0x12a8, "KdpLogWidgetOpened", "McTemplateK0d_EtwWriteTransfer", 0},
    {0x12d8, "KdpLogWidgetReset", "McTemplateK0d_EtwWriteTransfer", 0},
    {0x1595, "KdpTlgWidgetQueried", "_tlgWriteTransfer_EtwWriteTransfer", 0},
    {0x1636, "KdpTlgWidgetQueryFailed", "_tlgWriteTransfer_EtwWriteTransfer", 0},
    {0x16b4, "KdpTlgServiceCalled", "_tlgWriteTransfer_EtwWriteTransfer", 0},
    {0x1b18, "KdpClassicWidgetStarted", "KdpClassicTraceState", 0},
    {0x1b38, "KdpClassicWidgetStopped", "KdpClassicTraceState", 0},
};
/* truth.json call_graph: function, direct callees and imports (space-separated, sorted) */
static const struct { const char *function, *calls, *imports; } truth_graph[] = {
    {"DriverEntry", "KdTlgRegister KdpLogDriverLoaded", "EtwRegister EtwRegisterClassicProvider"},
    {"EtwTraceKernelEvent", "", ""},
    {"KdCloseWidget", "KdpDestroyWidget", ""},
    {"KdDispatchService", "KdpTlgServiceCalled", ""},
    {"KdDriverUnload", "KdTlgUnregister KdpClassicUnregister KdpLogDriverUnload", "EtwUnregister"},
    {"KdNotifyProcessCreate", "KdpTraceProcessCreate", ""},
    {"KdOpenWidget", "KdpCreateWidget WPP_SF_d", ""},
    {"KdQueryWidget", "KdpQueryDispatch KdpTlgWidgetQueried KdpTlgWidgetQueryFailed", ""},
    {"KdResetWidgets", "KdpLogWidgetReset KdpNotifyWidgetReset", "KeStallExecutionProcessor"},
    {"KdSvcCloseWidget", "KdCloseWidget", ""},
    {"KdSvcNotifyProcess", "KdpTraceProcessCreate", ""},
    {"KdSvcOpenWidget", "KdOpenWidget", ""},
    {"KdSvcQueryWidget", "KdQueryWidget", ""},
    {"KdTimerExpired", "KdpTraceTimerExpiration", "KeQueryPerformanceCounter"},
    {"KdTlgRegister", "", "EtwRegister EtwSetInformation"},
    {"KdTlgUnregister", "", "EtwUnregister"},
    {"KdpClassicEnable", "", "RtlCompareMemory"},
    {"KdpClassicLogWidgetChecked", "", "IoWMIWriteEvent"},
    {"KdpClassicLogWidgetCleared", "", "IoWMIWriteEvent"},
    {"KdpClassicLogWidgetReset", "", "IoWMIWriteEvent"},
    {"KdpClassicTraceState", "", "IoWMIWriteEvent"},
    {"KdpClassicUnregister", "", "EtwUnregister"},
    {"KdpClassicWidgetStarted", "KdpClassicTraceState", ""},
    {"KdpClassicWidgetStopped", "KdpClassicTraceState", ""},
    {"KdpCreateWidget", "KdpLogWidgetError KdpLogWidgetOpened", "ExAllocatePool2 KeQueryPerformanceCounter"},
    {"KdpDestroyWidget", "KdpLogWidgetClosed", "ExFreePoolWithTag"},
    {"KdpLogDriverLoaded", "", "EtwWriteString"},
    {"KdpLogDriverUnload", "", "EtwWrite"},
    {"KdpLogStatsSnapshot", "", "EtwWrite"},
    {"KdpLogWidgetClosed", "", "EtwWrite"},
    {"KdpLogWidgetError", "", "EtwWriteEx"},
    {"KdpLogWidgetOpened", "McTemplateK0d_EtwWriteTransfer", ""},
    {"KdpLogWidgetReset", "McTemplateK0d_EtwWriteTransfer", ""},
    {"KdpNotifyWidgetReset", "KdpClassicLogWidgetChecked KdpClassicLogWidgetCleared KdpClassicLogWidgetReset KdpClassicWidgetStarted KdpClassicWidgetStopped KdpWmiFireWidgetReset", ""},
    {"KdpQueryDispatch", "KdpQueryStatistics", ""},
    {"KdpQueryStatistics", "KdpLogStatsSnapshot", ""},
    {"KdpTlgServiceCalled", "_tlgWriteTransfer_EtwWriteTransfer", ""},
    {"KdpTlgWidgetQueried", "_tlgWriteTransfer_EtwWriteTransfer", ""},
    {"KdpTlgWidgetQueryFailed", "_tlgWriteTransfer_EtwWriteTransfer", ""},
    {"KdpTraceProcessCreate", "EtwTraceKernelEvent", ""},
    {"KdpTraceTimerExpiration", "EtwTraceKernelEvent", ""},
    {"KdpWmiFireWidgetReset", "", "IoWMIWriteEvent"},
    {"McTemplateK0d_EtwWriteTransfer", "", "EtwWriteTransfer"},
    {"WPP_SF_d", "", "WmiTraceMessage"},
    {"_guard_check_icall_nop", "", ""},
    {"_guard_dispatch_icall_nop", "", ""},
    {"_tlgEnableCallback", "", ""},
    {"_tlgWriteTransfer_EtwWriteTransfer", "", "EtwWriteTransfer"},
};
/* END truth tables */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct fixture {
    uint8_t *sys, *pdb_data;
    size_t sys_size, pdb_size;
    pe_image img;
    pdb_file pdb;
    ew_diag d;
    fn_set set;
} fixture;

static void fixture_open(fixture *fx, const char *dir, const char *name,
                         bool with_pdb)
{
    char path[512];
    memset(fx, 0, sizeof *fx);
    snprintf(path, sizeof path, "%s/%s/%s.sys", FIXTURE_DIR, dir, name);
    fx->sys = read_whole_file(path, &fx->sys_size);
    assert_non_null(fx->sys);
    ew_diag_init(&fx->d, "fixture");
    assert_ew_ok(pe_open(&fx->img, fx->sys, fx->sys_size, "fixture", &fx->d),
                 &fx->d);
    if (with_pdb) {
        snprintf(path, sizeof path, "%s/%s/%s.pdb", FIXTURE_DIR, dir, name);
        fx->pdb_data = read_whole_file(path, &fx->pdb_size);
        assert_non_null(fx->pdb_data);
        assert_ew_ok(pdb_open(&fx->pdb, fx->pdb_data, fx->pdb_size, "pdb", 0,
                              &fx->d),
                     &fx->d);
    }
}

static void fixture_close(fixture *fx)
{
    fn_free(&fx->set);
    pdb_close(&fx->pdb);
    pe_close(&fx->img);
    free(fx->sys);
    free(fx->pdb_data);
}

/* Invariants of any discovered set. */
static void check_set(const fn_set *set, const pe_image *img)
{
    for (size_t i = 0; i < set->n_functions; i++) {
        const fn_function *f = &set->functions[i];
        assert_true(i == 0 || set->functions[i - 1].rva < f->rva);
        assert_non_null(f->name);
        assert_true(f->rva < img->size_of_image);
        assert_true(f->end_rva >= f->rva);
        assert_ptr_equal(fn_find(set, f->rva), f);
        if (f->end_rva > f->rva)
            assert_ptr_equal(fn_containing(set, f->rva), f);
        for (size_t j = 0; j < f->n_calls; j++) {
            const fn_call *c = &f->calls[j];
            assert_true(j == 0 || f->calls[j - 1].site_rva < c->site_rva);
            assert_true(c->import || c->target_rva);
        }
    }
}

static const char *callee_name(const fn_set *set, const fn_call *c)
{
    if (c->import)
        return c->import->name;
    const fn_function *t = fn_find(set, c->target_rva);
    return t ? t->name : NULL;
}

static const fn_call *find_call(const fn_set *set, uint32_t site,
                                const fn_function **in)
{
    for (size_t i = 0; i < set->n_functions; i++) {
        const fn_function *f = &set->functions[i];
        for (size_t j = 0; j < f->n_calls; j++)
            if (f->calls[j].site_rva == site) {
                *in = f;
                return &f->calls[j];
            }
    }
    return NULL;
}

static const char *truth_name_at(uint32_t rva)
{
    for (size_t i = 0; i < N_OF(truth_functions); i++)
        if (truth_functions[i].rva == rva)
            return truth_functions[i].name;
    return NULL;
}

/* Space-separated sorted list of f's direct callees (imports == false) or
 * imports (true), as in truth_graph. */
static void callee_list(const fn_set *set, const fn_function *f,
                        bool imports, char *out, size_t size)
{
    const char *names[256];
    size_t n = 0;
    for (size_t j = 0; j < f->n_calls && n < N_OF(names); j++) {
        const fn_call *c = &f->calls[j];
        if ((c->import != NULL) != imports)
            continue;
        const char *nm = imports ? c->import->name
                                 : truth_name_at(c->target_rva);
        if (!nm)
            nm = "?";
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(names[k], nm) == 0;
        if (!dup)
            names[n++] = nm;
    }
    for (size_t a = 1; a < n; a++) /* insertion sort */
        for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
            const char *t = names[b];
            names[b] = names[b - 1];
            names[b - 1] = t;
        }
    out[0] = 0;
    for (size_t k = 0; k < n; k++) {
        if (k)
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, names[k], size - strlen(out) - 1);
    }
}

static void check_kdriver(bool with_pdb)
{
    fixture fx;
    fixture_open(&fx, "kdriver", "kdriver", with_pdb);
    assert_ew_ok(fn_discover(&fx.set, &fx.img, with_pdb ? &fx.pdb : NULL,
                             &fx.d),
                 &fx.d);
    const fn_set *set = &fx.set;
    check_set(set, &fx.img);
    printf("# kdriver.sys %s PDB: %zu functions, %zu instructions\n",
           with_pdb ? "with" : "without", set->n_functions, set->n_insns);

    /* the function set is exactly truth.json's */
    assert_int_equal(set->n_functions, N_OF(truth_functions));
    for (size_t i = 0; i < N_OF(truth_functions); i++) {
        const fn_function *f = fn_find(set, truth_functions[i].rva);
        if (!f)
            fail_msg("function %s at 0x%x not found",
                     truth_functions[i].name, truth_functions[i].rva);
        assert_int_equal(f->status, 0);
        assert_false(f->thunk);
        if (with_pdb && !truth_functions[i].is_static) {
            assert_string_equal(f->name, truth_functions[i].name);
        } else {
            const pe_export *ex = NULL;
            for (size_t k = 0; k < fx.img.n_exports && !ex; k++)
                if (fx.img.exports[k].rva == f->rva && fx.img.exports[k].name)
                    ex = &fx.img.exports[k];
            char sub[32];
            snprintf(sub, sizeof sub, "sub_%x", (unsigned)f->rva);
            assert_string_equal(f->name, ex ? ex->name : sub);
        }
    }
    assert_int_equal(set->n_truncated, 0);
    assert_int_equal(set->n_bad_code, 0);

    /* every ETW call site and wrapper hop of truth.json */
    for (size_t i = 0; i < N_OF(truth_sites); i++) {
        const fn_function *in = NULL;
        const fn_call *c = find_call(set, truth_sites[i].site, &in);
        if (!c)
            fail_msg("call site 0x%x (%s -> %s) not found",
                     truth_sites[i].site, truth_sites[i].function,
                     truth_sites[i].callee);
        assert_int_equal(in->rva,
                         fn_containing(set, truth_sites[i].site)->rva);
        assert_string_equal(truth_name_at(in->rva), truth_sites[i].function);
        assert_false(c->tail);
        if (truth_sites[i].import) {
            assert_non_null(c->import);
            assert_int_equal(c->target_rva, 0);
            assert_string_equal(c->import->name, truth_sites[i].callee);
        } else {
            assert_null(c->import);
            assert_string_equal(truth_name_at(c->target_rva),
                                truth_sites[i].callee);
            if (with_pdb)
                assert_string_equal(callee_name(set, c),
                                    truth_sites[i].callee);
        }
    }

    /* the whole direct call graph */
    for (size_t i = 0; i < N_OF(truth_graph); i++) {
        const fn_function *f = NULL;
        for (size_t k = 0; k < N_OF(truth_functions); k++)
            if (strcmp(truth_functions[k].name, truth_graph[i].function) == 0)
                f = fn_find(set, truth_functions[k].rva);
        assert_non_null(f);
        char got[1024];
        callee_list(set, f, false, got, sizeof got);
        if (strcmp(got, truth_graph[i].calls) != 0)
            fail_msg("%s calls \"%s\", truth \"%s\"", truth_graph[i].function,
                     got, truth_graph[i].calls);
        callee_list(set, f, true, got, sizeof got);
        if (strcmp(got, truth_graph[i].imports) != 0)
            fail_msg("%s imports \"%s\", truth \"%s\"",
                     truth_graph[i].function, got, truth_graph[i].imports);
    }

    /* deterministic: a second run gives the same set */
    fn_set again;
    assert_ew_ok(fn_discover(&again, &fx.img, with_pdb ? &fx.pdb : NULL,
                             &fx.d),
                 &fx.d);
    assert_int_equal(again.n_functions, set->n_functions);
    for (size_t i = 0; i < set->n_functions; i++) {
        const fn_function *a = &set->functions[i], *b = &again.functions[i];
        assert_int_equal(a->rva, b->rva);
        assert_int_equal(a->end_rva, b->end_rva);
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->n_calls, b->n_calls);
        if (a->n_calls)
            assert_memory_equal(a->calls, b->calls,
                                a->n_calls * sizeof *a->calls);
    }
    fn_free(&again);
    fixture_close(&fx);
}

static void kdriver_with_pdb(void **state) { check_kdriver(true); }
static void kdriver_without_pdb(void **state) { check_kdriver(false); }

static void other_machines_are_refused(void **state)
{
    fixture fx;
    fixture_open(&fx, "kdriver-arm64", "kdriver", false);
    ew_diag d;
    ew_diag_init(&d, "kdriver-arm64");
    assert_int_equal(fn_discover(&fx.set, &fx.img, NULL, &d),
                     EW_E_UNSUPPORTED);
    assert_int_equal(d.status, EW_E_UNSUPPORTED);
    assert_non_null(strstr(d.detail, "ARM64"));
    assert_int_equal(fx.set.n_functions, 0);
    fixture_close(&fx);

    char path[512];
    size_t size;
    snprintf(path, sizeof path, "%s/udll-x86/udll.dll", FIXTURE_DIR);
    uint8_t *data = read_whole_file(path, &size);
    assert_non_null(data);
    pe_image img;
    ew_diag_init(&d, path);
    assert_ew_ok(pe_open(&img, data, size, path, &d), &d);
    fn_set set;
    assert_int_equal(fn_discover(&set, &img, NULL, &d), EW_E_UNSUPPORTED);
    fn_free(&set);
    pe_close(&img);
    free(data);
}

/* The other x64 fixtures (a user-mode DLL, the optimisation-level variants,
 * the cross-module pair): import calls resolve, exports are named. */
static void discovers(const char *image)
{
    char path[512];
    size_t size;
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, image);
    uint8_t *data = read_whole_file(path, &size);
    assert_non_null(data);
    pe_image img;
    ew_diag d;
    ew_diag_init(&d, path);
    assert_ew_ok(pe_open(&img, data, size, path, &d), &d);
    fn_set set;
    assert_ew_ok(fn_discover(&set, &img, NULL, &d), &d);
    check_set(&set, &img);
    assert_true(set.n_functions >= img.n_functions / 2);
    size_t n_import_calls = 0;
    for (size_t i = 0; i < set.n_functions; i++)
        for (size_t j = 0; j < set.functions[i].n_calls; j++)
            n_import_calls += set.functions[i].calls[j].import != NULL;
    assert_true(n_import_calls > 0);
    for (size_t i = 0; i < img.n_exports; i++) {
        const pe_export *e = &img.exports[i];
        const fn_function *f = e->forwarder || !e->name ? NULL
                                                        : fn_find(&set, e->rva);
        if (f)
            assert_non_null(f->name);
    }
    printf("# %s: %zu functions (.pdata %zu), %zu import calls\n", image,
           set.n_functions, img.n_functions, n_import_calls);
    fn_free(&set);
    pe_close(&img);
    free(data);
}

static void x64_fixtures_discover(void **state)
{
    static const char *const images[] = {
        "udll/udll.dll",         "udll-O2/udll.dll",      "udll-Os/udll.dll",
        "kdriver-O2/kdriver.sys", "kdriver-Os/kdriver.sys", "kwrap/kwrap.sys",
        "kcaller/kcaller.sys",
    };
    for (size_t i = 0; i < N_OF(images); i++)
        discovers(images[i]);
}

/* Hostile code: kdriver.sys with its code sections overwritten (random
 * bytes, jumps to themselves, nops without a ret, zeros). Discovery must
 * succeed, stay sorted and bounded, and never read outside the file. */
static void hostile_code_is_bounded(void **state)
{
    char path[512];
    size_t size;
    snprintf(path, sizeof path, "%s/kdriver/kdriver.sys", FIXTURE_DIR);
    uint8_t *orig = read_whole_file(path, &size);
    assert_non_null(orig);
    for (int variant = 0; variant < 8; variant++) {
        uint8_t *data = malloc(size);
        assert_non_null(data);
        memcpy(data, orig, size);
        pe_image img;
        ew_diag d;
        ew_diag_init(&d, path);
        assert_ew_ok(pe_open(&img, data, size, path, &d), &d);
        uint32_t x = 0x9e3779b9u * (uint32_t)(variant + 1);
        size_t code_bytes = 0;
        for (size_t i = 0; i < img.n_sections; i++) {
            const pe_section *sec = &img.sections[i];
            if (!(sec->characteristics & 0x20000000u))
                continue;
            size_t n = sec->raw_size < sec->vsize ? sec->raw_size : sec->vsize;
            assert_true(sec->raw_off + n <= size);
            code_bytes += n;
            for (size_t k = 0; k < n; k++) {
                uint8_t *b = &data[sec->raw_off + k];
                x = x * 1103515245u + 12345u;
                switch (variant) {
                case 0: *b = (k & 1) ? 0xFE : 0xEB; break; /* jmp $ */
                case 1: *b = 0x90; break;                      /* nop */
                case 2: *b = 0x00; break;
                case 3: *b = 0xE8; break; /* call chains */
                default:
                    if (variant == 4 && (k % 3) == 0)
                        *b = 0x0F; /* 0F 8x: jcc rel32 everywhere */
                    else
                        *b = (uint8_t)(x >> 16);
                    break;
                }
            }
        }
        fn_set set;
        assert_ew_ok(fn_discover(&set, &img, NULL, &d), &d);
        check_set(&set, &img);
        assert_true(set.n_functions >= 1);
        /* each function decodes each instruction start at most once */
        for (size_t i = 0; i < set.n_functions; i++)
            assert_true(set.functions[i].n_insns <= code_bytes);
        printf("# hostile variant %d: %zu functions, %zu insns, %zu bad\n",
               variant, set.n_functions, set.n_insns, set.n_bad_code);
        fn_free(&set);
        pe_close(&img);
        free(data);
    }
    free(orig);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Discovers a corpus image; every .pdata primary is a function, every
 * exported code address too. Prints the count and the time (ASan build);
 * fails past max_seconds. */
static void corpus_discover(const char *name, double max_seconds)
{
    corpus_pe c;
    corpus_pe_open(&c, name);
    fn_set set;
    double t0 = now_s();
    assert_ew_ok(fn_discover(&set, &c.img, NULL, &c.d), &c.d);
    double dt = now_s() - t0;
    check_set(&set, &c.img);
    size_t n_calls = 0, n_import = 0, n_tail = 0, n_thunks = 0;
    for (size_t i = 0; i < set.n_functions; i++) {
        const fn_function *f = &set.functions[i];
        n_thunks += f->thunk;
        if (f->thunk) { /* jmp [IAT]: named after its import, unless exported */
            assert_non_null(f->thunk_import);
            bool exported = false;
            for (size_t k = 0; k < c.img.n_exports; k++)
                exported |= c.img.exports[k].rva == f->rva;
            if (!exported && f->thunk_import->name)
                assert_string_equal(f->name, f->thunk_import->name);
            assert_true(f->n_calls == 1 && f->calls[0].tail &&
                        f->calls[0].import == f->thunk_import);
        }
        for (size_t j = 0; j < f->n_calls; j++) {
            n_calls++;
            n_import += f->calls[j].import != NULL;
            n_tail += f->calls[j].tail;
        }
    }
    for (size_t i = 0; i < c.img.n_functions; i++)
        assert_non_null(fn_find(&set, c.img.functions[i].primary_rva));
    printf("# %s: %zu functions (.pdata %zu), %zu insns, %zu call sites "
           "(%zu import, %zu tail), %zu thunks, %zu truncated, %zu bad; "
           "%.3f s (ASan)\n",
           name, set.n_functions, c.img.n_functions, set.n_insns, n_calls,
           n_import, n_tail, n_thunks, set.n_truncated, set.n_bad_code, dt);
    assert_false(set.functions_capped);
    assert_true(dt < max_seconds);
    fn_free(&set);
    corpus_pe_close(&c);
}

static void corpus_ntdll(void **state)
{
    corpus_discover("win10-19041.3155_ntdll.dll", 30.0);
}

static void corpus_fltmgr(void **state)
{
    corpus_discover("win10-19041.1806_fltMgr.sys", 10.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kdriver_with_pdb),
        cmocka_unit_test(kdriver_without_pdb),
        cmocka_unit_test(other_machines_are_refused),
        cmocka_unit_test(x64_fixtures_discover),
        cmocka_unit_test(hostile_code_is_bounded),
        cmocka_unit_test(corpus_ntdll),
        cmocka_unit_test(corpus_fltmgr),
    };
    return cmocka_run_group_tests_name("functions", tests, NULL, NULL);
}
