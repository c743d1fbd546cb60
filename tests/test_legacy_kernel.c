/*
 * test_legacy_kernel.c - names of legacy kernel group masks and hook ids,
 * checked against ntwmi.h (phnt 7e09744, ../shared/data/ntwmi.h) and the
 * reference tool's output (../shared/reference/api-to-etw_ntoskrnl.exe.csv).
 *
 * Expected values below were read from ntwmi.h by hand (line numbers are of
 * that file) so that they do not come from the generator under test.
 */
#include "testutil.h"

#include "base/ew_guid.h"
#include "catalog/legacy_kernel.h"

#define REFERENCE_CSV "../shared/reference/api-to-etw_ntoskrnl.exe.csv"

static const char *names(uint32_t mask_value)
{
    static char buf[256];
    size_t n = lk_group_mask_names(mask_value, buf, sizeof buf);
    assert_true(n < sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

/* The three group masks the reference tool could not name (REFERENCE-TOOL.md
 * 2.2.4; it matches whole values only and lacks PERF_JOB). Decoding per
 * FORMATS.md 3.2: index = value >> 29, bits = value & 0x1FFFFFFF. */
static void reference_failures_get_names(void **state)
{
    /* 0x20400001: index 1, bits 0x00400001.
     *   ntwmi.h:698 #define PERF_MEMORY  0x20000001  (Masks[1] bit 0x1)
     *   ntwmi.h:723 #define PERF_SESSION 0x20400000  (Masks[1] bit 0x400000)
     *   ntwmi.h:724 #define PERF_PFSECTION PERF_SESSION - the same bit,
     *   "use SESSION for PFSECTION events"; the rows are
     *   PFMAPPED_SECTION_CREATE/DELETE, i.e. PFSECTION events, but the first
     *   definition names the bit. */
    assert_int_equal(lk_mask_index(0x20400001), 1);
    assert_int_equal(lk_mask_bits(0x20400001), 0x00400001);
    assert_string_equal(names(0x20400001), "PERF_MEMORY|PERF_SESSION");

    /* 0x28000001: index 1, bits 0x08000001.
     *   ntwmi.h:698 PERF_MEMORY 0x20000001, ntwmi.h:729 PERF_WS 0x28000000.
     *   Rows: PAGE_ACCESS, PAGE_ACCESS_EX, PFMAPPED_SECTION_DELETE. */
    assert_int_equal(lk_mask_index(0x28000001), 1);
    assert_int_equal(lk_mask_bits(0x28000001), 0x08000001);
    assert_string_equal(names(0x28000001), "PERF_MEMORY|PERF_WS");

    /* 0x00080000: index 0 (the public enable-flag word), bit 0x80000.
     *   ntwmi.h:675 #define PERF_JOB EVENT_TRACE_FLAG_JOB, and evntrace.h
     *   EVENT_TRACE_FLAG_JOB = 0x00080000. Rows: JOB_ASSIGN_PROCESS, JOB_OPEN,
     *   JOB_TERMINATE (EVENT_TRACE_GROUP_JOB). */
    assert_int_equal(lk_mask_index(0x00080000), 0);
    assert_string_equal(names(0x00080000), "PERF_JOB");
}

/* The group masks the reference did name, with their ntwmi.h values: the
 * same names must come back (the reference prints them without "PERF_"). */
static void reference_names_are_kept(void **state)
{
    static const struct {
        uint32_t value;
        const char *name;
    } cases[] = {
        {0x00000001, "PERF_PROCESS"},     /* :677 EVENT_TRACE_FLAG_PROCESS */
        {0x00000002, "PERF_THREAD"},      /* :678 EVENT_TRACE_FLAG_THREAD */
        {0x00000004, "PERF_LOADER"},      /* :681 EVENT_TRACE_FLAG_IMAGE_LOAD */
        {0x20000001, "PERF_MEMORY"},      /* :698 */
        {0x20000400, "PERF_PMC_PROFILE"}, /* :709 */
        {0x20000402, "PERF_PROFILING"},   /* :710, PROFILE|PMC_PROFILE */
        {0x20002000, "PERF_PRIORITY"},    /* :713 */
        {0x20080000, "PERF_MEMINFO"},     /* :719 */
        {0x20400000, "PERF_SESSION"},     /* :723 */
        {0x40020000, "PERF_TIMER"},       /* :754 */
        {0x41000000, "PERF_REG_HIVE"},    /* :761 */
        {0x42000000, "PERF_REG_NOTIF"},   /* :762 */
        {0x80008000, "PERF_POWER"},       /* :795 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(names(cases[i].value), cases[i].name);
        uint32_t v = 0;
        assert_true(lk_group_mask_find(cases[i].name, &v));
        assert_int_equal(v, cases[i].value);
    }
}

/* Splits one CSV line in place (the reference CSV has no quoted commas in
 * its legacy rows). Returns the number of fields. */
static size_t split_csv(char *line, char **f, size_t max)
{
    size_t n = 0;
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static bool find_hook_short(const char *short_name, uint16_t *id)
{
    char full[128];
    snprintf(full, sizeof full, "PERFINFO_LOG_TYPE_%s", short_name);
    if (lk_hook_find_name(full, id))
        return true;
    snprintf(full, sizeof full, "WMI_LOG_TYPE_%s", short_name);
    return lk_hook_find_name(full, id);
}

/* Every legacy row of the reference CSV: its group mask gets names without
 * a hex remainder, its hook id names the same event and group. */
static void reference_csv_rows_resolve(void **state)
{
    size_t size;
    uint8_t *data = read_whole_file(REFERENCE_CSV, &size);
    if (!data) {
        fprintf(stdout, "# %s absent: skipped\n", REFERENCE_CSV);
        skip();
    }
    char *text = malloc(size + 1);
    assert_non_null(text);
    memcpy(text, data, size);
    text[size] = '\0';
    free(data);

    size_t rows = 0, masks = 0, was_hex = 0, hooks = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        char *f[20];
        /* 1 ProviderGuid, 2 ProviderSymbol (mask), 3 ReghandleSymbol
         * (group), 5 EventDescriptorSymbol (hook) */
        if (split_csv(line, f, 20) < 6 ||
            strcmp(f[1], "Windows Kernel Trace") != 0)
            continue;
        rows++;
        if (f[2][0]) {
            char want[128];
            uint32_t v;
            if (strncmp(f[2], "PERF_0x", 7) == 0) {
                v = (uint32_t)strtoul(f[2] + 5, NULL, 16);
                was_hex++;
                assert_null(strstr(names(v), "0x"));
            } else {
                snprintf(want, sizeof want, "PERF_%s", f[2]);
                assert_true(lk_group_mask_find(want, &v));
                assert_string_equal(names(v), want);
            }
            masks++;
        }
        if (f[5][0]) {
            uint16_t id;
            if (strncmp(f[5], "PERFINFO_LOG_TYPE_0x", 20) == 0) {
                /* the reference's one unnamed hook, 0x548: not in ntwmi.h
                 * either (THREAD types stop at 0x45, ntwmi.h:1105) */
                id = (uint16_t)strtoul(f[5] + 18, NULL, 16);
                assert_int_equal(id, 0x0548);
                assert_null(lk_hook_name(id));
            } else {
                assert_true(find_hook_short(f[5], &id));
                assert_string_equal(lk_short_name(lk_hook_name(id)), f[5]);
            }
            const lk_trace_group *g = lk_hook_group(id);
            assert_non_null(g);
            assert_string_equal(lk_short_name(g->name), f[3]);
            hooks++;
        }
    }
    free(text);
    /* REFERENCE-TOOL.md 4.2: 52 legacy rows, 8 of them unresolved; 15 rows
     * carry PERF_0x... (6 + 5 + 4). */
    assert_int_equal(rows, 52);
    assert_int_equal(masks, 44);
    assert_int_equal(was_hex, 15);
    assert_int_equal(hooks, 44);
}

static void decomposition_rules(void **state)
{
    /* exact composite names win (ntwmi.h:676, :705, :832) */
    assert_string_equal(names(0x00000003), "PERF_PROC_THREAD");
    assert_string_equal(names(0x20000041), "PERF_POOLTRACE");
    assert_string_equal(names(0xDFFFFFFF), "PERF_SYSCFG_ALL");
    /* no exact match: one name per bit, lowest first */
    assert_string_equal(names(0x20000403),
                        "PERF_MEMORY|PERF_PROFILE|PERF_PMC_PROFILE");
    assert_string_equal(names(0xC0000003),
                        "PERF_SYSCFG_SYSTEM|PERF_SYSCFG_GRAPHICS");
    assert_string_equal(names(0x00080003), "PERF_PROCESS|PERF_THREAD|PERF_JOB");
    /* Masks[0] bits without a PERF_* name use the evntrace.h flag */
    assert_string_equal(names(0x00000010), "EVENT_TRACE_FLAG_CSWITCH");
    assert_string_equal(names(0x00000101),
                        "PERF_PROCESS|EVENT_TRACE_FLAG_DISK_IO");
    /* unnamed bits: one hex term with the index kept, after the names */
    assert_string_equal(names(0x30000001), "PERF_MEMORY|0x30000000");
    assert_string_equal(names(0x80008004), "PERF_POWER|0x80000004");
    assert_string_equal(names(0x08000000), "0x8000000");
    assert_string_equal(names(0x60000001), "0x60000001"); /* set 3 reserved */
    assert_string_equal(names(0x00000000), "0x0");
    assert_string_equal(names(0x60000000), "0x60000000");
    /* the control set */
    assert_int_equal(lk_mask_index(0xE0000001), 7);
    assert_string_equal(names(0xE0000003),
                        "PERF_CLUSTER_OFF|PERF_MEMORY_CONTROL");
    assert_null(lk_group_mask_name(0x20400001));
    assert_string_equal(lk_group_mask_name(0x20400000), "PERF_SESSION");
    uint32_t v;
    assert_true(lk_group_mask_find("PERF_PFSECTION", &v));
    assert_int_equal(v, 0x20400000);
    assert_true(lk_group_mask_find("EVENT_TRACE_FLAG_CSWITCH", &v));
    assert_int_equal(v, 0x10);
    assert_false(lk_group_mask_find("PERF_NOPE", &v));
}

static void truncation_is_snprintf_like(void **state)
{
    char buf[8];
    const char *full = "PERF_MEMORY|PERF_SESSION";
    assert_int_equal(lk_group_mask_names(0x20400001, buf, sizeof buf),
                     strlen(full));
    assert_string_equal(buf, "PERF_ME");
    assert_int_equal(lk_group_mask_names(0x20400001, NULL, 0), strlen(full));
    char one[1] = {'x'};
    assert_int_equal(lk_group_mask_names(0x1, one, 1), strlen("PERF_PROCESS"));
    assert_int_equal(one[0], '\0');
}

/* Hook ids against ntwmi.h lines (group | type, evntrace.h type values). */
static void hook_names_match_ntwmi(void **state)
{
    static const struct {
        uint16_t id;
        const char *name;
        const char *group;
    } cases[] = {
        /* :852 HEADER | EVENT_TRACE_TYPE_INFO (0) */
        {0x0000, "WMI_LOG_TYPE_HEADER", "EVENT_TRACE_GROUP_HEADER"},
        /* :858 HEADER | EVENT_TRACE_TYPE_DBGID_RSDS (0x40) */
        {0x0040, "WMI_LOG_TYPE_DBGID_RSDS", "EVENT_TRACE_GROUP_HEADER"},
        /* :964 PROCESS | EVENT_TRACE_TYPE_TERMINATE (0x0B) */
        {0x030B, "WMI_LOG_TYPE_PROCESS_TERMINATE", "EVENT_TRACE_GROUP_PROCESS"},
        /* :973 PROCESS | 0x27, :976 PROCESS | 0x30, :1000 PROCESS | 0x70 */
        {0x0327, "PERFINFO_LOG_TYPE_ZOMBIE_PROCESS", "EVENT_TRACE_GROUP_PROCESS"},
        {0x0330, "PERFINFO_LOG_TYPE_CHARGE_WAKE_COUNTER_USER",
         "EVENT_TRACE_GROUP_PROCESS"},
        {0x0370, "PERFINFO_LOG_TYPE_DEBUG_EVENT", "EVENT_TRACE_GROUP_PROCESS"},
        /* :943 JOB | 0x23 */
        {0x0723, "WMI_LOG_TYPE_JOB_ASSIGN_PROCESS", "EVENT_TRACE_GROUP_JOB"},
        /* :867 CONFIG | EVENT_TRACE_TYPE_CONFIG_CPU (0x0A) */
        {0x0B0A, "WMI_LOG_TYPE_CONFIG_CPU", "EVENT_TRACE_GROUP_CONFIG"},
        /* :1243 MEMORY | 0x49 (the reference's 0x20400001 call site) */
        {0x0249, "PERFINFO_LOG_TYPE_PFMAPPED_SECTION_CREATE",
         "EVENT_TRACE_GROUP_MEMORY"},
        /* :1356 PERFINFO | 0x50 (FORMATS.md 3.1 timer example) */
        {0x0F50, "PERFINFO_LOG_TYPE_TIMER_EXPIRATION_START",
         "EVENT_TRACE_GROUP_PERFINFO"},
        /* :1089-1090 THREAD | 0x31 twice: the misspelt LOT_TYPE comes first,
         * the canonical spelling is primary */
        {0x0531, "PERFINFO_LOG_TYPE_THREAD_SET_BASE_PRIORITY",
         "EVENT_TRACE_GROUP_THREAD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const lk_hook *h = lk_hook_find(cases[i].id);
        assert_non_null(h);
        assert_string_equal(h->name, cases[i].name);
        assert_string_equal(h->group, cases[i].group);
        assert_string_equal(lk_hook_name(cases[i].id), cases[i].name);
        assert_string_equal(lk_hook_group(cases[i].id)->name, cases[i].group);
        uint16_t id;
        assert_true(lk_hook_find_name(cases[i].name, &id));
        assert_int_equal(id, cases[i].id);
    }
    uint16_t id = 0;
    assert_true(lk_hook_find_name("PERFINFO_LOT_TYPE_THREAD_SET_BASE_PRIORITY",
                                  &id));
    assert_int_equal(id, 0x0531);
    /* unnamed ids still have a group; past HYPERVISORX (0x1E00) none */
    assert_null(lk_hook_name(0x0548));
    assert_string_equal(lk_hook_group(0x0548)->name,
                        "EVENT_TRACE_GROUP_THREAD");
    assert_null(lk_hook_group(0x1F00));
    assert_null(lk_hook_find(0xFFFF));
    /* MMCSS "types" (:1584) are not hook ids; TBD names have no group */
    assert_false(lk_hook_find_name("PERFINFO_LOG_TYPE_MMCSS_START", &id));
    assert_false(lk_hook_find_name("PERFINFO_LOG_TYPE_GLYPHCACHE", &id));

    assert_string_equal(lk_short_name("PERFINFO_LOG_TYPE_KTIMER2_SET"),
                        "KTIMER2_SET");
    assert_string_equal(lk_short_name("WMI_LOG_TYPE_JOB_OPEN"), "JOB_OPEN");
    assert_string_equal(lk_short_name("EVENT_TRACE_GROUP_REGISTRY"),
                        "REGISTRY");
    assert_string_equal(lk_short_name("PERF_REG_HIVE"), "REG_HIVE");
    assert_string_equal(lk_short_name("PERFINFO_LOG_TIMED_ENTER_ROUTINE"),
                        "PERFINFO_LOG_TIMED_ENTER_ROUTINE");
}

/*
 * Table sizes, counted from ntwmi.h with grep rather than by the generator:
 *
 *   grep -cE '^#define PERF_' ntwmi.h                               -> 119
 *     minus PERF_MASK_INDEX, PERF_MASK_GROUP, PERF_NUM_MASKS and the
 *     function-like PERF_GET_MASK_INDEX/GROUP                       -> 114
 *   grep -cE '^#define EVENT_TRACE_GROUP_' ntwmi.h                  -> 31
 *   grep -E '^#define (PERFINFO_LOG_TYPE_|PERFINFO_LOT_TYPE_|PERFINFO_LOG_TIMED_|WMI_LOG_TYPE_)' ntwmi.h \
 *     | grep EVENT_TRACE_GROUP_ | grep -vc EVENT_TRACE_GROUP_TBD    -> 556 names
 *     (473 PERFINFO_LOG_TYPE_ + 1 LOT_TYPE + 2 LOG_TIMED + 114 WMI_LOG_TYPE_
 *     with a group, minus the 34 in TBD); the same lines compiled by cc with
 *     printf("%04x") of each name give 555 distinct ids (0x0531 twice).
 *     The reference tool's LookupLogType has 555 cases too.
 *   grep -cE '^#define .*EVENT_TRACE_GROUP_TBD' ntwmi.h              -> 34
 *   grep -c '^DEFINE_GUID' ntwmi.h                                  -> 60
 * Per-group PERFINFO_LOG_TYPE_* counts are FORMATS.md 3.4's, counted there
 * independently (they add up to 479 with TBD 32 and 6 MMCSS).
 */
static void table_counts(void **state)
{
    size_t n_masks, n_flags, n_groups, n_hooks, n_alias, n_unres, n_guids;
    const lk_group_mask *masks = lk_group_masks(&n_masks);
    lk_enable_flags(&n_flags);
    const lk_trace_group *groups = lk_trace_groups(&n_groups);
    const lk_hook *hooks = lk_table(&n_hooks);
    const lk_hook *alias = lk_hook_aliases(&n_alias);
    const lk_hook *unres = lk_unresolved_hooks(&n_unres);
    lk_guids(&n_guids);
    assert_int_equal(n_masks, 114);
    assert_int_equal(n_flags, 28); /* FORMATS.md 3.2 list */
    assert_int_equal(n_groups, 31);
    assert_int_equal(n_hooks + n_alias, 556);
    assert_int_equal(n_hooks, 555);
    assert_int_equal(n_alias, 1);
    assert_int_equal(n_unres, 34);
    assert_int_equal(n_guids, 60);

    static const struct {
        const char *group;
        size_t n;
    } per_group[] = {
        {"EVENT_TRACE_GROUP_PERFINFO", 74}, {"EVENT_TRACE_GROUP_MEMORY", 58},
        {"EVENT_TRACE_GROUP_IMAGE", 40},    {"EVENT_TRACE_GROUP_FILE", 35},
        {"EVENT_TRACE_GROUP_PROCESS", 29},  {"EVENT_TRACE_GROUP_THREAD", 28},
        {"EVENT_TRACE_GROUP_POWER", 27},    {"EVENT_TRACE_GROUP_HEAP", 26},
        {"EVENT_TRACE_GROUP_IO", 23},       {"EVENT_TRACE_GROUP_THREAD_POOL", 17},
        {"EVENT_TRACE_GROUP_POOL", 16},     {"EVENT_TRACE_GROUP_CC", 13},
        {"EVENT_TRACE_GROUP_REGISTRY", 11}, {"EVENT_TRACE_GROUP_OBJECT", 11},
        {"EVENT_TRACE_GROUP_MODBOUND", 11}, {"EVENT_TRACE_GROUP_STACKWALK", 6},
        {"EVENT_TRACE_GROUP_WNF", 5},       {"EVENT_TRACE_GROUP_UMS", 5},
        {"EVENT_TRACE_GROUP_CRITSEC", 4},   {"EVENT_TRACE_GROUP_SPLITIO", 1},
        {"EVENT_TRACE_GROUP_DBGPRINT", 1},
    };
    size_t total = 0;
    for (size_t g = 0; g < sizeof per_group / sizeof per_group[0]; g++) {
        size_t n = 0;
        for (size_t i = 0; i < n_hooks + n_alias; i++) {
            const lk_hook *h = i < n_hooks ? &hooks[i] : &alias[i - n_hooks];
            if (strncmp(h->name, "PERFINFO_LOG_TYPE_", 18) == 0 &&
                strcmp(h->group, per_group[g].group) == 0)
                n++;
        }
        assert_int_equal(n, per_group[g].n);
        total += n;
    }
    size_t tbd = 0;
    for (size_t i = 0; i < n_unres; i++)
        if (strncmp(unres[i].name, "PERFINFO_LOG_TYPE_", 18) == 0)
            tbd++;
    assert_int_equal(tbd, 32);
    assert_int_equal(total + tbd + 6, 479);

    /* invariants the lookups rely on */
    for (size_t i = 0; i < n_hooks; i++) {
        if (i)
            assert_true(hooks[i - 1].id < hooks[i].id);
        assert_string_equal(lk_hook_group(hooks[i].id)->name, hooks[i].group);
    }
    for (size_t i = 0; i < n_alias; i++)
        assert_non_null(lk_hook_find(alias[i].id));
    for (size_t i = 0; i < n_unres; i++)
        assert_true(unres[i].id <= 0xFF);
    for (size_t i = 0; i < n_groups; i++) {
        assert_int_equal(groups[i].value, i << 8); /* 0x0000 .. 0x1E00 */
    }
    for (size_t i = 0; i < n_masks; i++) {
        assert_true(masks[i].index < LK_NUM_MASKS);
        assert_int_equal(masks[i].bits & ~LK_MASK_GROUP, 0);
        assert_true(masks[i].bits != 0);
    }
    assert_int_equal(strlen(lk_source_sha256()), 64);
}

static void guids_from_ntwmi(void **state)
{
    size_t n;
    const lk_guid *g = lk_guids(&n);
    /* FORMATS.md 3.5 group -> class GUIDs that ntwmi.h also defines */
    static const struct {
        const char *name, *text;
    } cases[] = {
        {"ProcessGuid", "3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c"},  /* :3572 */
        {"PerfinfoGuid", "ce1dbfb4-137e-4da6-87b0-3f59aa102cbc"}, /* :3469 */
        {"DiskIoGuid", "3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c"},   /* :3445 */
        {"PowerGuid", "e43445e0-0903-48c3-b878-ff0fccebdd04"},    /* :3580 */
        {"ALPCGuid", "45d8cccd-539f-4b72-a8b7-5c683142609a"},     /* :3517 */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const lk_guid *hit = NULL;
        for (size_t i = 0; i < n; i++)
            if (strcmp(g[i].name, cases[c].name) == 0)
                hit = &g[i];
        assert_non_null(hit);
        char text[37];
        ew_guid_format(hit->guid, text);
        assert_string_equal(text, cases[c].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_failures_get_names),
        cmocka_unit_test(reference_names_are_kept),
        cmocka_unit_test(reference_csv_rows_resolve),
        cmocka_unit_test(decomposition_rules),
        cmocka_unit_test(truncation_is_snprintf_like),
        cmocka_unit_test(hook_names_match_ntwmi),
        cmocka_unit_test(table_counts),
        cmocka_unit_test(guids_from_ntwmi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
