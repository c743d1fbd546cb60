/* test_catalog.c - the event catalog: provider and event counts of every
 * corpus binary against ../shared/corpus/MANIFEST.tsv, names, values and
 * source RVAs; WPP from the fixture PDB and from crafted annotations;
 * legacy kernel events and group-mask decomposition; broken metadata
 * becoming warnings; the deterministic order; the writers on one event. */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_guid.h"
#include "catalog/catalog.h"
#include "catalog/legacy_kernel.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "format/tlg.h"
#include "output/events_jsonl.h"
#include "output/events_tsv.h"

/* ---- opening images ------------------------------------------------------ */

typedef struct image {
    char path[512];
    uint8_t *file;
    size_t size;
    pe_image pe;
    ew_diag d;
    ew_arena a;
    cat_catalog c;
    uint8_t *pdb_bytes;
    pdb_file pdb;
    bool has_pdb;
} image;

/* Opens path (bytes patched by patch when non-NULL), and its PDB when
 * pdb_path is non-NULL, and builds the catalog. */
static image *open_path(const char *path, const char *pdb_path,
                        void (*patch)(image *))
{
    image *im = calloc(1, sizeof *im);
    assert_non_null(im);
    snprintf(im->path, sizeof im->path, "%s", path);
    im->file = read_whole_file(im->path, &im->size);
    assert_non_null(im->file);
    ew_diag_init(&im->d, im->path);
    assert_int_equal(pe_open(&im->pe, im->file, im->size, im->path, &im->d),
                     EW_OK);
    if (patch)
        patch(im);
    if (pdb_path) {
        size_t n = 0;
        im->pdb_bytes = read_whole_file(pdb_path, &n);
        assert_non_null(im->pdb_bytes);
        ew_diag pd;
        ew_diag_init(&pd, pdb_path);
        assert_int_equal(pdb_open(&im->pdb, im->pdb_bytes, n, pdb_path,
                                  PDB_LOAD_ANNOTATIONS, &pd),
                         EW_OK);
        im->has_pdb = true;
    }
    ew_arena_init(&im->a, 0);
    assert_int_equal(cat_build(&im->c, &im->pe, im->has_pdb ? &im->pdb : NULL,
                               &im->a, &im->d),
                     EW_OK);
    return im;
}

static image *open_corpus(const char *name)
{
    char path[512];
    corpus_path_or_skip(path, sizeof path, name);
    return open_path(path, NULL, NULL);
}

static void close_image(image *im)
{
    ew_arena_free(&im->a);
    if (im->has_pdb)
        pdb_close(&im->pdb);
    free(im->pdb_bytes);
    pe_close(&im->pe);
    free(im->file);
    free(im);
}

static size_t count_providers(const cat_catalog *c, cat_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_providers; i++)
        n += c->providers[i].kind == k;
    return n;
}

static const cat_provider *provider_by_guid(const cat_catalog *c, cat_kind k,
                                            const char *guid)
{
    for (size_t i = 0; i < c->n_providers; i++)
        if (c->providers[i].kind == k &&
            strcmp(c->providers[i].guid_text, guid) == 0)
            return &c->providers[i];
    return NULL;
}

static const cat_event *event_by_id(const cat_catalog *c, const char *guid,
                                    uint16_t id, uint8_t version)
{
    for (size_t i = 0; i < c->n_events; i++) {
        const cat_event *e = &c->events[i];
        const cat_provider *p = cat_event_provider(c, e);
        if (p && strcmp(p->guid_text, guid) == 0 && e->has_id && e->id == id &&
            e->has_version && e->version == version)
            return e;
    }
    return NULL;
}

static const cat_event *event_by_name(const cat_catalog *c, cat_kind k,
                                      const char *name)
{
    for (size_t i = 0; i < c->n_events; i++)
        if (c->events[i].kind == k && strcmp(c->events[i].name, name) == 0)
            return &c->events[i];
    return NULL;
}

/* ---- invariants every catalog keeps -------------------------------------- */

/* Events are sorted by kind, provider GUID (absent first), id (absent
 * first), version; every event has a name; a manifest event's source RVA
 * holds its 16-byte EVENT_DESCRIPTOR, a TraceLogging event's holds its
 * blob type; per-provider counts add up. */
static void check_invariants(const image *im)
{
    const cat_catalog *c = &im->c;
    size_t by_kind[CAT_KIND_COUNT] = {0};
    size_t *per_provider = calloc(c->n_providers + 1, sizeof *per_provider);
    assert_non_null(per_provider);
    for (size_t i = 0; i < c->n_events; i++) {
        const cat_event *e = &c->events[i];
        assert_true((unsigned)e->kind < CAT_KIND_COUNT);
        by_kind[e->kind]++;
        assert_non_null(e->name);
        if (e->kind == CAT_KIND_MANIFEST || e->kind == CAT_KIND_TRACELOGGING)
            assert_true(e->name[0] != '\0');
        const cat_provider *p = cat_event_provider(c, e);
        if (e->provider >= 0) {
            assert_non_null(p);
            assert_int_equal(p->kind, e->kind);
            per_provider[e->provider]++;
        }
        if (i > 0) {
            const cat_event *q = &c->events[i - 1];
            const cat_provider *qp = cat_event_provider(c, q);
            assert_true(q->kind <= e->kind);
            if (q->kind == e->kind) {
                const char *qg = qp && qp->has_guid ? qp->guid_text : "";
                const char *eg = p && p->has_guid ? p->guid_text : "";
                int r = strcmp(qg, eg);
                assert_true(r <= 0);
                if (r == 0 && q->has_id && e->has_id) {
                    assert_true(q->id <= e->id);
                    if (q->id == e->id && q->has_version && e->has_version)
                        assert_true(q->version <= e->version);
                }
            }
        }
        size_t off;
        if (e->kind == CAT_KIND_MANIFEST) {
            assert_true(e->has_source_rva);
            assert_int_equal(pe_rva_to_off(&im->pe, e->source_rva, 16, &off),
                             EW_OK);
            const uint8_t *b = im->file + off;
            assert_int_equal(b[0] | b[1] << 8, e->id);
            assert_int_equal(b[2], e->version);
            assert_int_equal(b[3], e->channel.value);
            assert_int_equal(b[4], e->level.value);
            assert_int_equal(b[5], e->opcode.value);
            assert_int_equal(b[6] | b[7] << 8, e->task.value);
            uint64_t kw = 0;
            for (int k = 7; k >= 0; k--)
                kw = kw << 8 | b[8 + k];
            assert_true(kw == e->keyword);
        } else if (e->kind == CAT_KIND_TRACELOGGING) {
            assert_true(e->has_source_rva);
            assert_int_equal(pe_rva_to_off(&im->pe, e->source_rva, 1, &off),
                             EW_OK);
            assert_int_equal(im->file[off], e->blob_type);
            assert_ptr_equal(cat_find_event_rva(c, e->source_rva + 1), e);
        }
    }
    for (int k = 0; k < CAT_KIND_COUNT; k++)
        assert_int_equal(by_kind[k], c->n_by_kind[k]);
    for (size_t i = 0; i < c->n_providers; i++) {
        assert_int_equal(per_provider[i], c->providers[i].n_events);
        if (i > 0) {
            const cat_provider *a = &c->providers[i - 1], *b = &c->providers[i];
            assert_true(a->kind <= b->kind);
            if (a->kind == b->kind && a->has_guid && b->has_guid)
                assert_true(strcmp(a->guid_text, b->guid_text) <= 0);
        }
    }
    free(per_provider);
}

/* ---- corpus counts (MANIFEST.tsv) ---------------------------------------- */

typedef struct expect_counts {
    const char *file;
    size_t tlg_providers, tlg_events;
    size_t wevt_providers, wevt_events;
} expect_counts;

/* MANIFEST.tsv's etw_content column, file by file. coreclr.dll describes
 * nothing (clretwrc.dll holds its manifest); pty.node has no ETW. */
static const expect_counts corpus_counts[] = {
    {"coreclr-2.0.0_clretwrc.dll", 0, 0, 4, 168 + 45 + 3 + 181},
    {"coreclr-2.0.0_coreclr.dll", 0, 0, 0, 0},
    {"msvc-pair_pty-x64.node", 0, 0, 0, 0},
    {"win10-19041.1806_fltMgr.sys", 2, 12, 1, 10},
    {"win10-19041.2075_amsi.dll", 1, 4, 2, 2},
    {"win10-19041.3155_ntdll.dll", 6, 24, 0, 0},
    {"win10-19041.3269_ci.dll", 4, 28, 1, 171},
    {"win10-19041.508_win32kbase.sys", 13, 278, 1, 322},
    {"win10-19041_advapi32.dll", 3, 3, 0, 0},
    {"win7-7600.16385_dhcpssvc.dll", 0, 0, 1, 183},
    {"win7-7601.17514_dxgkrnl.sys", 0, 0, 1, 14},
};

static void corpus_counts_match_manifest_tsv(void **state)
{
    char probe[512];
    corpus_path_or_skip(probe, sizeof probe, corpus_counts[0].file);
    for (size_t i = 0; i < sizeof corpus_counts / sizeof *corpus_counts; i++) {
        const expect_counts *x = &corpus_counts[i];
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, x->file);
        struct stat st;
        if (stat(path, &st) != 0) {
            fprintf(stdout, "# %s absent: not checked\n", path);
            continue;
        }
        image *im = open_path(path, NULL, NULL);
        const cat_catalog *c = &im->c;
        fprintf(stdout, "# %s: tracelogging %zu/%zu, manifest %zu/%zu\n",
                x->file, count_providers(c, CAT_KIND_TRACELOGGING),
                c->n_by_kind[CAT_KIND_TRACELOGGING],
                count_providers(c, CAT_KIND_MANIFEST),
                c->n_by_kind[CAT_KIND_MANIFEST]);
        assert_int_equal(count_providers(c, CAT_KIND_TRACELOGGING),
                         x->tlg_providers);
        assert_int_equal(c->n_by_kind[CAT_KIND_TRACELOGGING], x->tlg_events);
        assert_int_equal(count_providers(c, CAT_KIND_MANIFEST),
                         x->wevt_providers);
        assert_int_equal(c->n_by_kind[CAT_KIND_MANIFEST], x->wevt_events);
        assert_int_equal(c->n_by_kind[CAT_KIND_WPP], 0);
        assert_int_equal(c->n_by_kind[CAT_KIND_LEGACY_KERNEL], 0);
        /* the corpus metadata is clean */
        for (size_t w = 0; w < c->n_warnings; w++)
            fprintf(stdout, "# warning: %s\n", c->warnings[w]);
        assert_int_equal(c->n_warnings, 0);
        /* TraceLogging events name no provider (catalog.h) */
        for (size_t e = 0; e < c->n_events; e++)
            if (c->events[e].kind == CAT_KIND_TRACELOGGING)
                assert_int_equal(c->events[e].provider, -1);
        check_invariants(im);
        close_image(im);
    }
}

/* clretwrc.dll (sha256 fbf11c1e...): 4 providers of 168, 45, 3 and 181
 * events; no provider names in a 3.1 manifest without name messages. */
static void corpus_clretwrc(void **state)
{
    image *im = open_corpus("coreclr-2.0.0_clretwrc.dll");
    const cat_catalog *c = &im->c;
    static const struct {
        const char *guid;
        size_t events;
    } provs[] = {
        {"e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", 168}, /* DotNETRuntime */
        {"a669021c-c450-4609-a035-5af59af4df18", 45},  /* ...Rundown */
        {"cc2bcbba-16b6-4cf3-8990-d74c2e8af500", 3},   /* ...Stress */
        {"763fd754-7086-4dfe-95eb-c01a46faf4ca", 181}, /* ...Private */
    };
    for (size_t i = 0; i < 4; i++) {
        const cat_provider *p =
            provider_by_guid(c, CAT_KIND_MANIFEST, provs[i].guid);
        assert_non_null(p);
        assert_int_equal(p->n_events, provs[i].events);
        assert_null(p->name);
        assert_string_equal(p->source, "WEVT_TEMPLATE");
    }
    /* GCStart_V1: task GarbageCollection + win:Start; template fields
     * with a map; message with inserts */
    const cat_event *e =
        event_by_id(c, "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", 1, 1);
    assert_non_null(e);
    assert_string_equal(e->name, "GarbageCollectionStart");
    assert_string_equal(e->level.name, "win:Informational");
    assert_string_equal(e->opcode.name, "win:Start");
    assert_string_equal(e->task.name, "GarbageCollection");
    assert_int_equal(e->n_keyword_names, 1);
    assert_string_equal(e->keyword_names[0], "GCKeyword");
    assert_int_equal(e->n_fields, 5);
    assert_string_equal(e->fields[2].name, "Reason");
    assert_string_equal(e->fields[2].map, "GCReasonMap");
    assert_string_equal(e->fields[4].in_type, "win:UInt16");
    assert_string_equal(e->message, "Count=%1;%nDepth=%2;%nReason=%3;"
                                    "%nType=%4;%nClrInstanceID=%5");
    /* a task-scoped opcode names the event as the source does:
     * EEStartupStart (symbol EEStartupStart_V1) */
    e = event_by_id(c, "763fd754-7086-4dfe-95eb-c01a46faf4ca", 80, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "EEStartupStart");
    assert_string_equal(e->task.name, "Startup");
    /* IOThreadCreationStop (symbol IOThreadCreationStop_V1) */
    e = event_by_id(c, "e13c0d23-ccbc-4e12-931b-d9cc2eee27e4", 45, 1);
    assert_non_null(e);
    assert_string_equal(e->name, "IOThreadCreationStop");
    /* CLRStackWalk: Stack is a Pointer array of fixed count 2 */
    e = event_by_id(c, "a669021c-c450-4609-a035-5af59af4df18", 0, 0);
    assert_non_null(e);
    assert_string_equal(e->fields[4].name, "Stack");
    assert_string_equal(e->fields[4].count, "2");
    assert_string_equal(e->fields[4].in_type, "win:Pointer");
    assert_string_equal(e->fields[4].out_type, "win:HexInt64");
    /* every event with a message or a task has a name */
    for (size_t i = 0; i < c->n_events; i++)
        assert_true(c->events[i].name[0] != '\0');
    assert_non_null(c->manifest);
    assert_non_null(c->messages);
    close_image(im);
}

/* ci.dll (c464d0d9...): global custom opcodes name events. */
static void corpus_ci(void **state)
{
    image *im = open_corpus("win10-19041.3269_ci.dll");
    const cat_catalog *c = &im->c;
    const char *g = "4ee76bd8-3cf4-44a0-a0ac-3937643e37a3";
    const cat_provider *p = provider_by_guid(c, CAT_KIND_MANIFEST, g);
    assert_non_null(p);
    assert_string_equal(p->name, "Microsoft-Windows-CodeIntegrity");
    const cat_event *e = event_by_id(c, g, 3001, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "UnsignedDriverLoaded");
    assert_string_equal(e->level.name, "win:Warning");
    assert_string_equal(e->channel.name,
                        "Microsoft-Windows-CodeIntegrity/Operational");
    assert_int_equal(e->channel.value, 16);
    assert_string_equal(e->task.name, "CreateSection");
    assert_string_equal(e->fields[1].name, "FileNameBuffer");
    assert_string_equal(e->fields[1].length, "FileNameLength");
    /* bit 63 is the first channel's */
    assert_int_equal(e->n_keyword_names, 1);
    assert_string_equal(e->keyword_names[0],
                        "Microsoft-Windows-CodeIntegrity/Operational");
    /* bit 62 the second's */
    e = event_by_id(c, g, 3040, 0);
    assert_non_null(e);
    assert_true(e->keyword == 0x4000000000000000ull);
    assert_string_equal(e->keyword_names[0],
                        "Microsoft-Windows-CodeIntegrity/Verbose");
    /* 5 events have no message; the 166 others resolve */
    size_t with = 0;
    for (size_t i = 0; i < c->n_events; i++)
        if (c->events[i].kind == CAT_KIND_MANIFEST && c->events[i].message)
            with++;
    assert_int_equal(with, 166);
    close_image(im);
}

/* win32kbase.sys (0be65ecf...): struct members nest under their struct. */
static void corpus_win32kbase(void **state)
{
    image *im = open_corpus("win10-19041.508_win32kbase.sys");
    const cat_catalog *c = &im->c;
    const char *g = "8c416c79-d49b-4f01-a467-e56d3aa8234c";
    const cat_event *e = event_by_id(c, g, 3, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "UIPIMsgError");
    assert_string_equal(e->channel.name, "Microsoft-Windows-Win32k/UIPI");
    /* UIPI_Trace_Header {9 members}, then the 3 other top-level fields */
    assert_int_equal(e->n_fields, 13);
    assert_string_equal(e->fields[0].name, "UIPI_Trace_Header");
    assert_string_equal(e->fields[0].in_type, "struct");
    assert_int_equal(e->fields[0].n_members, 9);
    assert_string_equal(e->fields[1].name, "ErrorType");
    assert_int_equal(e->fields[1].depth, 1);
    assert_string_equal(e->fields[9].name, "TargetLBN");
    assert_int_equal(e->fields[10].depth, 0);
    /* 13 TraceLogging providers, by GUID */
    size_t n = 0;
    for (size_t i = 0; i < c->n_providers; i++)
        if (c->providers[i].kind == CAT_KIND_TRACELOGGING) {
            n++;
            assert_true(c->providers[i].has_guid);
            assert_non_null(c->providers[i].name);
            assert_string_equal(c->providers[i].source, "ETW0 Provider3 blob");
        }
    assert_int_equal(n, 13);
    close_image(im);
}

/* fltMgr.sys (3e2e32f5...): names from messages; the imported System
 * channel; amsi.dll: a named keyword plus the channel's bit. */
static void corpus_fltmgr_amsi(void **state)
{
    image *im = open_corpus("win10-19041.1806_fltMgr.sys");
    const char *g = "f3c5e28e-63f6-49c7-a204-e48a1bc4b09d";
    const cat_event *e = event_by_id(&im->c, g, 1, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "FileSystemFilterUnloadedSuccessfully");
    assert_string_equal(e->channel.name, "System");
    assert_int_equal(e->channel.value, 8);
    close_image(im);

    im = open_corpus("win10-19041.2075_amsi.dll");
    e = event_by_id(&im->c, "2a576b87-09a7-520e-c21a-4942f0271d67", 1101, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "AmsiScanBuffer");
    assert_int_equal(e->n_keyword_names, 2);
    assert_string_equal(e->keyword_names[0], "Event1");
    assert_string_equal(e->keyword_names[1], "AMSI/Debug");
    assert_string_equal(e->fields[7].length, "contentsize");
    assert_string_equal(e->fields[8].length, "32");
    close_image(im);
}

/* dxgkrnl.sys / dhcpssvc.dll: standard keyword names; a standard opcode
 * alone names no event; no message table: Event<id>. */
static void corpus_win7(void **state)
{
    image *im = open_corpus("win7-7601.17514_dxgkrnl.sys");
    const char *g = "802ec45a-1e99-4b83-9920-87c98277ba9d";
    const cat_event *e = event_by_id(&im->c, g, 10001, 0);
    assert_non_null(e);
    assert_string_equal(e->name,
                        "PerfTrack_DMM_Hotplug_Monitor_Set_VideoModeStop");
    assert_int_equal(e->n_keyword_names, 3);
    assert_string_equal(e->keyword_names[0], "DxgKrnl");
    /* the manifest's own record for win:ResponseTime, then the channel */
    assert_string_equal(e->keyword_names[1], "win:ResponseTime");
    assert_string_equal(e->keyword_names[2],
                        "Microsoft-Windows-DxgKrnl/Performance");
    e = event_by_id(&im->c, g, 6, 0);
    assert_non_null(e);
    assert_string_equal(e->opcode.name, "win:Stop");
    assert_string_equal(e->name, "Event6");
    assert_string_equal(e->keyword_names[0], "win:SQM");
    close_image(im);

    im = open_corpus("win7-7600.16385_dhcpssvc.dll");
    assert_null(im->c.messages);
    e = event_by_id(&im->c, "6d64f02c-a125-4dac-9a01-f0555b41ca84", 109, 0);
    assert_non_null(e);
    assert_string_equal(e->name, "Event109");
    assert_int_equal(e->message_id != WEVT_NO_MESSAGE, 1);
    assert_null(e->message);
    close_image(im);
}

/* ---- names ---------------------------------------------------------------- */

static void manifest_event_names(void **state)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    /* rule 1: a manifest's own opcode */
    assert_string_equal(cat_manifest_event_name("Startup", "EEStartupStart", 3,
                                                "m", 80, &a),
                        "EEStartupStart");
    /* rule 2: task + standard opcode, no repetition, win:Info dropped */
    assert_string_equal(cat_manifest_event_name("Process", "win:Start", 1,
                                                NULL, 1, &a),
                        "ProcessStart");
    assert_string_equal(cat_manifest_event_name("ProcessStart", "win:Start",
                                                1, NULL, 1, &a),
                        "ProcessStart");
    assert_string_equal(cat_manifest_event_name("Task", "win:Info", 0, NULL,
                                                1, &a),
                        "Task");
    /* rule 3: the message */
    assert_string_equal(
        cat_manifest_event_name(NULL, NULL, 0,
                                "File System Filter '%5' (Version %2.%3, %6) "
                                "unloaded successfully. More text.",
                                1, &a),
        "FileSystemFilterUnloadedSuccessfully");
    assert_string_equal(cat_manifest_event_name(NULL, NULL, 0,
                                                "Don't stop%nnow %1!s! ok",
                                                1, &a),
                        "DontStopNowOk");
    assert_string_equal(cat_manifest_event_name(NULL, NULL, 0,
                                                "one two three four five six "
                                                "seven eight nine ten",
                                                1, &a),
                        "OneTwoThreeFourFiveSixSevenEight");
    /* rule 4 */
    assert_string_equal(cat_manifest_event_name(NULL, "win:Stop", 2, "%1 %2",
                                                6, &a),
                        "Event6");
    assert_string_equal(cat_manifest_event_name("", "", 0, "", 65535, &a),
                        "Event65535");
    ew_arena_free(&a);
}

static void kind_names(void **state)
{
    static const char *const want[] = {"manifest", "tracelogging",
                                       "legacy-kernel", "wpp", "classic"};
    for (int k = 0; k < CAT_KIND_COUNT; k++) {
        assert_string_equal(cat_kind_name((cat_kind)k), want[k]);
        cat_kind back;
        assert_true(cat_kind_parse(want[k], &back));
        assert_int_equal(back, k);
    }
    assert_string_equal(cat_kind_name(CAT_KIND_COUNT), "?");
    cat_kind x;
    assert_false(cat_kind_parse("Manifest", &x));
}

/* ---- fixtures ------------------------------------------------------------- */

#define KDRIVER FIXTURE_DIR "/kdriver/kdriver.sys"
#define KDRIVER_PDB FIXTURE_DIR "/kdriver/kdriver.pdb"

/* kdriver.sys: TraceLogging (truth.json etw.tracelogging_metadata) and
 * the WPP message of its PDB (truth.json pdb_annotations). */
static void fixture_kdriver(void **state)
{
    image *im = open_path(KDRIVER, KDRIVER_PDB, NULL);
    const cat_catalog *c = &im->c;
    assert_int_equal(c->n_warnings, 0);
    check_invariants(im);

    const cat_provider *tp = provider_by_guid(
        c, CAT_KIND_TRACELOGGING, "0ab00514-d7cf-4767-b7be-b9891e3058d7");
    assert_non_null(tp);
    assert_string_equal(tp->name, "Etwmap.Fixture.KDriver.Tlg");
    assert_true(tp->has_group);
    char g[37];
    ew_guid_format(tp->group_guid, g);
    assert_string_equal(g, "9923c762-7e80-42f7-ba09-45bc6157d36c");
    assert_int_equal(c->n_by_kind[CAT_KIND_TRACELOGGING], 3);

    const cat_event *e = event_by_name(c, CAT_KIND_TRACELOGGING,
                                       "WidgetQueried");
    assert_non_null(e);
    assert_int_equal(e->blob_type, TLG_BLOB_EVENT4);
    assert_int_equal(e->level.value, 4);
    assert_true(e->keyword == 0x10);
    assert_int_equal(e->n_fields, 3);
    assert_string_equal(e->fields[0].in_type, "win:HexInt64");
    assert_string_equal(e->fields[2].name, "Status");
    assert_string_equal(e->fields[2].in_type, "win:Int32");
    assert_string_equal(e->fields[2].out_type, "win:NTSTATUS");
    e = event_by_name(c, CAT_KIND_TRACELOGGING, "WidgetQueryFailed");
    assert_string_equal(e->keyword_names[0], "MS.Telemetry");
    /* Event3: the id is the Channel byte's offset from the header */
    e = event_by_name(c, CAT_KIND_TRACELOGGING, "ServiceCalled");
    assert_int_equal(e->blob_type, TLG_BLOB_EVENT3);
    assert_true(e->has_id);
    assert_int_equal(e->id, 129);
    assert_string_equal(e->opcode.name, "win:Start");

    /* WPP: the control GUID of the TMC annotation is the provider */
    assert_int_equal(c->n_by_kind[CAT_KIND_WPP], 1);
    const cat_provider *wp = provider_by_guid(
        c, CAT_KIND_WPP, "ef5ca9da-e58a-45e6-bbd0-c0862617b5d4");
    assert_non_null(wp);
    assert_string_equal(wp->name, "KdriverTraceControl");
    assert_string_equal(wp->source, "PDB TMC annotation");
    e = event_by_name(c, CAT_KIND_WPP, "kdriver_c42");
    assert_non_null(e);
    assert_ptr_equal(cat_event_provider(c, e), wp);
    assert_int_equal(e->id, 10);
    assert_false(e->has_version);
    ew_guid_format(e->message_guid, g);
    assert_string_equal(g, "3150410a-b302-4b0d-b6e8-81f93816f6df");
    assert_string_equal(e->component, "kdriver");
    assert_string_equal(e->function, "KdOpenWidget");
    assert_string_equal(e->message, "%0Opened widget %10!d!");
    assert_true(e->level.present);
    assert_int_equal(e->level.value, 4);
    assert_string_equal(e->level.name, "TRACE_LEVEL_INFORMATION");
    assert_true(e->has_keyword);
    assert_true(e->keyword == 0x1);
    assert_string_equal(e->keyword_names[0], "WIDGET");
    assert_int_equal(e->n_fields, 1);
    assert_string_equal(e->fields[0].name, "id");
    assert_string_equal(e->fields[0].in_type, "ItemLong");
    assert_true(e->has_source_rva);
    assert_int_equal(e->source_rva, 0x1142);
    assert_ptr_equal(cat_find_event(c, CAT_KIND_WPP, wp->guid, 10, 0), e);
    close_image(im);

    /* without the PDB there is no WPP */
    im = open_path(KDRIVER, NULL, NULL);
    assert_int_equal(im->c.n_by_kind[CAT_KIND_WPP], 0);
    close_image(im);
}

/* Every fixture image builds without warnings and keeps the invariants;
 * the udll TraceLogging provider has no group. */
static void fixtures_all(void **state)
{
    static const char *const imgs[] = {
        FIXTURE_DIR "/kdriver/kdriver.sys",
        FIXTURE_DIR "/kdriver-arm64/kdriver.sys",
        FIXTURE_DIR "/udll/udll.dll",
        FIXTURE_DIR "/udll-x86/udll.dll",
        FIXTURE_DIR "/kdriver-O2/kdriver.sys",
        FIXTURE_DIR "/kdriver-Os/kdriver.sys",
        FIXTURE_DIR "/udll-O2/udll.dll",
        FIXTURE_DIR "/udll-Os/udll.dll",
    };
    static const char *const pdbs[] = {
        FIXTURE_DIR "/kdriver/kdriver.pdb",
        FIXTURE_DIR "/kdriver-arm64/kdriver.pdb",
        FIXTURE_DIR "/udll/udll.pdb",
        FIXTURE_DIR "/udll-x86/udll.pdb",
        FIXTURE_DIR "/kdriver-O2/kdriver.pdb",
        FIXTURE_DIR "/kdriver-Os/kdriver.pdb",
        FIXTURE_DIR "/udll-O2/udll.pdb",
        FIXTURE_DIR "/udll-Os/udll.pdb",
    };
    for (size_t i = 0; i < sizeof imgs / sizeof imgs[0]; i++) {
        image *im = open_path(imgs[i], pdbs[i], NULL);
        assert_int_equal(im->c.n_warnings, 0);
        check_invariants(im);
        assert_int_equal(count_providers(&im->c, CAT_KIND_TRACELOGGING), 1);
        close_image(im);
    }
    image *im = open_path(FIXTURE_DIR "/udll/udll.dll", NULL, NULL);
    const cat_provider *p = provider_by_guid(
        &im->c, CAT_KIND_TRACELOGGING, "8a386624-4000-40f1-8158-e37c2d2afb6d");
    assert_non_null(p);
    assert_false(p->has_group);
    const cat_event *e = event_by_name(&im->c, CAT_KIND_TRACELOGGING,
                                       "MessageSent");
    assert_string_equal(e->fields[1].out_type, "win:Port");
    close_image(im);
}

/* The cross-module pair: kwrap.sys describes one manifest provider (six
 * events, no TraceLogging); kcaller.sys, which only calls kwrap's
 * wrappers, describes nothing. */
static void fixtures_kwrap_kcaller(void **state)
{
    image *im = open_path(FIXTURE_DIR "/kwrap/kwrap.sys",
                          FIXTURE_DIR "/kwrap/kwrap.pdb", NULL);
    assert_int_equal(im->c.n_warnings, 0);
    check_invariants(im);
    assert_int_equal(count_providers(&im->c, CAT_KIND_MANIFEST), 1);
    assert_int_equal(count_providers(&im->c, CAT_KIND_TRACELOGGING), 0);
    const cat_provider *p = provider_by_guid(
        &im->c, CAT_KIND_MANIFEST, "0fc36b18-a905-4af4-8e7d-3157df4f94d5");
    assert_non_null(p);
    assert_string_equal(p->name, "Etwmap-Fixture-KWrap");
    assert_int_equal(p->n_events, 6);
    close_image(im);

    im = open_path(FIXTURE_DIR "/kcaller/kcaller.sys",
                   FIXTURE_DIR "/kcaller/kcaller.pdb", NULL);
    assert_int_equal(im->c.n_warnings, 0);
    check_invariants(im);
    assert_int_equal(im->c.n_providers, 0);
    assert_int_equal(im->c.n_events, 0);
    close_image(im);
}

/* ---- WPP from crafted annotations ---------------------------------------- */

static void add_ann(pdb_file *pdb, pdb_annotation *store, uint32_t rva,
                    const char **strings, uint16_t n)
{
    pdb_annotation *an = &store[pdb->n_annotations++];
    memset(an, 0, sizeof *an);
    an->rva = rva;
    an->has_rva = true;
    an->strings = strings;
    an->n_strings = n;
    pdb->annotations = store;
}

static cat_catalog build_pdb_only(const pdb_file *pdb, ew_arena *a)
{
    cat_catalog c;
    ew_diag d;
    ew_diag_init(&d, "crafted.pdb");
    assert_int_equal(cat_build(&c, NULL, pdb, a, &d), EW_OK);
    return c;
}

#define G1 "11111111-2222-3333-4444-555555555555"
#define G2 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define GM "01234567-89ab-cdef-0123-456789abcdef"

static void wpp_crafted(void **state)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    pdb_annotation store[16];

    /* no TMC: the message GUID stands for the provider, named by the
     * component; a duplicate statement is listed once; a numeric level */
    {
        pdb_file pdb = {0};
        static const char *m1[] = {"TMF:", GM " comp // SRC=a.c",
                                   ("#typev a_c1 11 \"hello %10!s!\" // LEVEL=3 "
                                    "FLAGS=F1 FUNC=Fn"),
                                   "{", "name, ItemString -- 10", "}"};
        static const char *m2[] = {"TMF:", "{" GM "} comp // SRC=a.c",
                                   "#typev a_c2 12 \"bye\" //",
                                   "{", "}"};
        add_ann(&pdb, store, 0x2000, m1, 6);
        add_ann(&pdb, store, 0x1000, m2, 5);
        add_ann(&pdb, store, 0x3000, m1, 6); /* the same statement again */
        cat_catalog c = build_pdb_only(&pdb, &a);
        assert_int_equal(c.n_warnings, 0);
        assert_int_equal(c.n_providers, 1);
        assert_string_equal(c.providers[0].guid_text, GM);
        assert_string_equal(c.providers[0].name, "comp");
        assert_string_equal(c.providers[0].source, "PDB TMF annotation");
        assert_int_equal(c.n_events, 2);
        assert_int_equal(c.events[0].id, 11);
        assert_int_equal(c.events[0].source_rva, 0x2000);
        assert_string_equal(c.events[0].message, "hello %10!s!");
        assert_true(c.events[0].level.present);
        assert_int_equal(c.events[0].level.value, 3);
        assert_null(c.events[0].level.name);
        /* FLAGS without a control: names, no value */
        assert_false(c.events[0].has_keyword);
        assert_int_equal(c.events[0].n_keyword_names, 1);
        assert_string_equal(c.events[0].keyword_names[0], "F1");
        assert_string_equal(c.events[0].fields[0].in_type, "ItemString");
        assert_int_equal(c.events[1].id, 12);
        assert_string_equal(c.events[1].message, "bye");
        assert_true(c.events[1].fields_known);
        assert_int_equal(c.events[1].n_fields, 0);
    }
    /* two controls: FLAGS picks the one that defines the flag; bits follow
     * the flag order */
    {
        pdb_file pdb = {0};
        static const char *k1[] = {"TMC:", G1, "CtlOne", "A", "B"};
        static const char *k2[] = {"TMC:", G2, "CtlTwo", "X", "Y", "Z"};
        static const char *m[] = {"TMF:", GM " comp",
                                  ("#typev m 5 \"%0z\" // "
                                   "LEVEL=TRACE_LEVEL_ERROR FLAGS=Z"),
                                  "{", "}"};
        static const char *n[] = {"TMF:", GM " comp",
                                  "#typev n 6 \"q\" // FLAGS=Q", "{", "}"};
        add_ann(&pdb, store, 0x10, k1, 5);
        add_ann(&pdb, store, 0x20, k2, 6);
        add_ann(&pdb, store, 0x30, m, 5);
        add_ann(&pdb, store, 0x40, n, 5);
        cat_catalog c = build_pdb_only(&pdb, &a);
        assert_int_equal(c.n_warnings, 0);
        /* CtlOne, CtlTwo, and the message GUID for "n" (no control has Q) */
        assert_int_equal(c.n_providers, 3);
        const cat_event *e = NULL;
        for (size_t i = 0; i < c.n_events; i++)
            if (c.events[i].id == 5)
                e = &c.events[i];
        assert_non_null(e);
        assert_string_equal(cat_event_provider(&c, e)->guid_text, G2);
        assert_string_equal(cat_event_provider(&c, e)->name, "CtlTwo");
        assert_true(e->has_keyword);
        assert_true(e->keyword == 0x4);
        assert_int_equal(e->level.value, 2);
        for (size_t i = 0; i < c.n_events; i++)
            if (c.events[i].id == 6)
                e = &c.events[i];
        assert_string_equal(cat_event_provider(&c, e)->guid_text, GM);
    }
    /* malformed annotations are warnings; the good one is still listed */
    {
        pdb_file pdb = {0};
        static const char *bad_guid[] = {"TMF:", "not-a-guid x", "#typev a 1 \"\"",
                                         "{", "}"};
        static const char *no_typev[] = {"TMF:", GM " c", "{", "}"};
        static const char *bad_no[] = {"TMF:", GM " c", "#typev a 70000 \"\"",
                                       "{", "}"};
        static const char *short_tmf[] = {"TMF:"};
        static const char *bad_tmc[] = {"TMC:", "xyz", "Ctl"};
        static const char *good[] = {"TMF:", GM " c", "#typev ok 2 \"fine\"",
                                     "{", "}"};
        add_ann(&pdb, store, 1, bad_guid, 5);
        add_ann(&pdb, store, 2, no_typev, 4);
        add_ann(&pdb, store, 3, bad_no, 5);
        add_ann(&pdb, store, 4, short_tmf, 1);
        add_ann(&pdb, store, 5, bad_tmc, 3);
        add_ann(&pdb, store, 6, good, 5);
        cat_catalog c = build_pdb_only(&pdb, &a);
        assert_int_equal(c.n_warnings, 5);
        assert_non_null(strstr(c.warnings[0], "PDB TMC annotation at RVA 0x5"));
        assert_non_null(strstr(c.warnings[1], "no message GUID"));
        assert_non_null(strstr(c.warnings[2], "no #typev line"));
        assert_non_null(strstr(c.warnings[3], "bad message number"));
        assert_int_equal(c.n_events, 1);
        assert_string_equal(c.events[0].name, "ok");
        assert_null(c.events[0].function);
    }
    ew_arena_free(&a);
}

/* ---- legacy kernel -------------------------------------------------------- */

static void legacy_kernel_listing(void **state)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    ew_diag d;
    ew_diag_init(&d, "ntwmi.h");
    cat_catalog c;
    assert_int_equal(cat_build_legacy_kernel(&c, &a, &d), EW_OK);
    size_t n;
    const lk_hook *hooks = lk_table(&n);
    assert_true(n > 400);
    assert_int_equal(c.n_events, n);
    assert_int_equal(c.n_by_kind[CAT_KIND_LEGACY_KERNEL], n);
    assert_int_equal(c.n_providers, 1);
    assert_string_equal(c.providers[0].name, "Windows Kernel Trace");
    assert_false(c.providers[0].has_guid);
    assert_int_equal(c.providers[0].n_events, n);
    for (size_t i = 0; i < n; i++) {
        const cat_event *e = &c.events[i];
        /* sorted by hook id, as lk_table is */
        assert_int_equal(e->id, hooks[i].id);
        assert_string_equal(e->name, hooks[i].name);
        assert_int_equal(e->task.value, hooks[i].id >> 8);
        assert_int_equal(e->opcode.value, hooks[i].id & 0xFF);
        assert_false(e->fields_known);
        assert_false(e->has_keyword);
        if (hooks[i].group)
            assert_string_equal(e->task.name, hooks[i].group);
    }
    ew_arena_free(&a);
}

static void expect_mask(uint32_t mask, uint16_t hook, const char *const *want,
                        size_t n_want)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    ew_diag d;
    ew_diag_init(&d, NULL);
    cat_event e;
    assert_int_equal(cat_legacy_kernel_event(&e, hook, &mask, &a, &d), EW_OK);
    assert_true(e.has_keyword);
    assert_true(e.keyword == mask);
    assert_int_equal(e.n_keyword_names, n_want);
    for (size_t i = 0; i < n_want; i++)
        assert_string_equal(e.keyword_names[i], want[i]);
    assert_int_equal(e.kind, CAT_KIND_LEGACY_KERNEL);
    assert_int_equal(e.id, hook);
    ew_arena_free(&a);
}

/* The three masks the reference left as PERF_0x... (REFERENCE-TOOL.md),
 * the fixture's two (kdriver truth.json), and a remainder kept as hex. */
static void legacy_kernel_masks(void **state)
{
    static const char *const m1[] = {"PERF_MEMORY", "PERF_SESSION"};
    expect_mask(0x20400001, 0x0229, m1, 2);
    uint32_t v;
    assert_true(lk_group_mask_find("PERF_MEMORY", &v));
    /* 0x28000001: PERF_MEMORY plus Masks[1] bit 0x08000000 */
    static const char *const m3[] = {"PERF_MEMORY", "PERF_WS"};
    expect_mask(0x28000001, 0x0200, m3, 2);
    static const char *const m4[] = {"PERF_JOB"};
    expect_mask(0x00080000, 0x0700, m4, 1);
    ew_arena a;
    ew_arena_init(&a, 0);
    ew_diag d;
    ew_diag_init(&d, NULL);
    cat_event e;
    uint32_t m;
    /* kdriver: PROCESS create under PERF_PROCESS (0x1), timer expiration
     * under PERF_TIMER */
    m = 0x00000001;
    assert_int_equal(cat_legacy_kernel_event(&e, 0x0301, &m, &a, &d), EW_OK);
    assert_string_equal(e.task.name, "EVENT_TRACE_GROUP_PROCESS");
    assert_int_equal(e.opcode.value, 1);
    assert_non_null(e.name);
    assert_true(e.name[0] != '\0');
    static const char *const m2[] = {"PERF_TIMER"};
    expect_mask(0x40020000, 0x0F50, m2, 1);
    /* bits nobody names stay one hex term, after the names */
    static const char *const m5[] = {"PERF_MEMORY", "0x30000000"};
    expect_mask(0x30000001, 0x0200, m5, 2);
    /* a hook ntwmi.h does not name: no name, still its group */
    assert_int_equal(cat_legacy_kernel_event(&e, 0x0548, NULL, &a, &d), EW_OK);
    assert_string_equal(e.name, "");
    assert_string_equal(e.task.name, "EVENT_TRACE_GROUP_THREAD");
    assert_false(e.has_keyword);
    ew_arena_free(&a);
}

/* ---- broken metadata: warnings, and the rest of the catalog --------------- */

static void patch_rva(image *im, uint32_t rva, const void *bytes, size_t n)
{
    size_t off;
    assert_int_equal(pe_rva_to_off(&im->pe, rva, (uint32_t)n, &off), EW_OK);
    memcpy(im->file + off, bytes, n);
}

/* "CRIM" -> "XRIM": the manifest is unusable. */
static void break_crim(image *im)
{
    size_t n;
    const pe_resource *r = pe_find_resource(&im->pe, 0, "WEVT_TEMPLATE", &n);
    assert_non_null(r);
    patch_rva(im, r->data_rva, "X", 1);
}

/* The last TraceLogging event's RemainingSize runs past the stream. */
static void break_last_tlg_event(image *im)
{
    ew_arena a;
    ew_arena_init(&a, 0);
    tlg_catalog t;
    ew_diag d;
    ew_diag_init(&d, NULL);
    assert_int_equal(tlg_parse(&t, &im->pe, &a, &d), EW_OK);
    assert_true(t.n_events > 1);
    uint32_t rva = t.events[t.n_events - 1].rva + 12;
    ew_arena_free(&a);
    static const uint8_t big[2] = {0xFF, 0x7F};
    patch_rva(im, rva, big, 2);
}

/* A message table whose block count runs past its bytes. */
static void break_msgtab(image *im)
{
    size_t n;
    const pe_resource *r = pe_find_resource(&im->pe, PE_RT_MESSAGETABLE, NULL,
                                            &n);
    assert_non_null(r);
    static const uint8_t many[4] = {0xFF, 0xFF, 0x00, 0x00};
    patch_rva(im, r->data_rva, many, 4);
}

static void broken_metadata_warns(void **state)
{
    image *im = open_path(KDRIVER, NULL, break_crim);
    assert_true(im->c.n_warnings >= 2);
    assert_non_null(strstr(im->c.warnings[0], "at 0x"));
    assert_non_null(strstr(im->c.warnings[im->c.n_warnings - 1],
                           "WEVT_TEMPLATE unusable"));
    assert_null(im->c.manifest);
    /* the TraceLogging part is all there */
    assert_int_equal(im->c.n_by_kind[CAT_KIND_TRACELOGGING], 3);
    close_image(im);

    im = open_path(KDRIVER, NULL, break_last_tlg_event);
    assert_true(im->c.n_warnings >= 1);
    for (size_t i = 0; i < im->c.n_warnings; i++)
        fprintf(stdout, "# %s\n", im->c.warnings[i]);
    assert_non_null(event_by_name(&im->c, CAT_KIND_TRACELOGGING,
                                  "WidgetQueried"));
    assert_non_null(event_by_name(&im->c, CAT_KIND_TRACELOGGING,
                                  "WidgetQueryFailed"));
    /* the walk cannot know where the blob after the broken one starts, so
     * the provider blobs behind it ($zETW2 follows $zETW1) are lost */
    assert_int_equal(im->c.n_by_kind[CAT_KIND_TRACELOGGING], 2);
    close_image(im);

    char path[512];
    corpus_path_or_skip(path, sizeof path, "win10-19041.2075_amsi.dll");
    im = open_path(path, NULL, break_msgtab);
    assert_true(im->c.n_warnings >= 1);
    assert_non_null(strstr(im->c.warnings[im->c.n_warnings - 1],
                           "messages not resolved"));
    /* events are still there, named without messages */
    assert_int_equal(im->c.n_by_kind[CAT_KIND_MANIFEST], 2);
    assert_int_equal(im->c.n_by_kind[CAT_KIND_TRACELOGGING], 4);
    for (size_t i = 0; i < im->c.n_events; i++)
        assert_null(im->c.events[i].message);
    close_image(im);
}

/* ---- writers on catalogs ---------------------------------------------------- */

static char *capture(int (*fn)(FILE *, const cat_catalog *, const char *,
                               unsigned),
                     const cat_catalog *c, unsigned kinds)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    assert_int_equal(fn(f, c, "x.sys", kinds), 0);
    fclose(f);
    return buf;
}

static size_t count_char(const char *s, char ch)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

static void writers_one_line_per_event(void **state)
{
    image *im = open_corpus("win10-19041.508_win32kbase.sys");
    char *tsv = capture(events_tsv_write, &im->c, CAT_KINDS_ALL);
    /* 600 events + 13 TraceLogging providers without events, 13 columns */
    assert_int_equal(count_char(tsv, '\n'), 278 + 322 + 13);
    assert_int_equal(count_char(tsv, '\t'), (278 + 322 + 13) * 12);
    assert_non_null(strstr(tsv, "\tUIPIMsgError(struct UIPI_Trace_Header[1]{UInt32 "
                           "ErrorType, "));
    free(tsv);
    char *js = capture(events_jsonl_write, &im->c,
                       CAT_KIND_BIT(CAT_KIND_MANIFEST));
    assert_int_equal(count_char(js, '\n'), 322);
    assert_non_null(strstr(js, "\"name\":\"UIPI_Trace_Header\",\"in_type\":"
                               "\"struct\",\"out_type\":null,\"count\":\"1\","
                               "\"fields\":[{\"name\":\"ErrorType\""));
    free(js);
    close_image(im);
}

/* Tabs, newlines and backslashes in values never break a line. */
static void tsv_escapes(void **state)
{
    cat_provider p = {.kind = CAT_KIND_WPP, .has_guid = false,
                      .name = "a\tb"};
    cat_field f[2] = {
        {.name = "n\\x", .in_type = "ItemLong"},
        {.name = "y", .in_type = "", .count = ""},
    };
    cat_event e = {.kind = CAT_KIND_WPP, .provider = 0, .has_id = true,
                   .id = 7, .name = "ev\n1", .fields_known = true,
                   .fields = f, .n_fields = 2, .message = "l1\r\nl2\x01"};
    cat_catalog c = {.providers = &p, .n_providers = 1, .events = &e,
                     .n_events = 1};
    p.n_events = 1;
    char *s = capture(events_tsv_write, &c, CAT_KINDS_ALL);
    assert_string_equal(s, "\ta\\tb\twpp\t7\t\tev\\n1(ItemLong n\\\\x, ? y[])"
                           "\t\t\t\t\t\tl1\\r\\nl2\\x01\tx.sys\n");
    free(s);
    /* filtered out */
    s = capture(events_tsv_write, &c, CAT_KIND_BIT(CAT_KIND_MANIFEST));
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kind_names),
        cmocka_unit_test(manifest_event_names),
        cmocka_unit_test(corpus_counts_match_manifest_tsv),
        cmocka_unit_test(corpus_clretwrc),
        cmocka_unit_test(corpus_ci),
        cmocka_unit_test(corpus_win32kbase),
        cmocka_unit_test(corpus_fltmgr_amsi),
        cmocka_unit_test(corpus_win7),
        cmocka_unit_test(fixture_kdriver),
        cmocka_unit_test(fixtures_all),
        cmocka_unit_test(fixtures_kwrap_kcaller),
        cmocka_unit_test(wpp_crafted),
        cmocka_unit_test(legacy_kernel_listing),
        cmocka_unit_test(legacy_kernel_masks),
        cmocka_unit_test(broken_metadata_warns),
        cmocka_unit_test(writers_one_line_per_event),
        cmocka_unit_test(tsv_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
