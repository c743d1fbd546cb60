/* test_manifest_xml.c - the reconstructed-manifest writer on a crafted
 * model: every section and reference rule of manifest_xml.h, the made-up
 * definitions for records the resource lacks, XML escaping and UTF-8
 * repair, comments, a missing message table, an empty manifest, write
 * errors and determinism.
 *
 * Set MANIFEST_XML_WRITE=FILE to also write the crafted document there
 * (tests/manifest_xml_test.sh checks it with xmllint). */
#include "testutil.h"

#include "format/msgtab.h"
#include "format/wevt.h"
#include "output/manifest_xml.h"

#include <time.h>

/* ---- the crafted model ---------------------------------------------------- */

/* Strings that need escaping or repair. */
#define NASTY_NAME "A&B<\"C\">'D"
#define BAD_UTF8 "x\xff" "y\xc0\xaf" "z\xed\xa0\x80" "w\x01v\xef\xbf\xbe" "u"
#define GOOD_UTF8 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"

typedef struct crafted {
    wevt_manifest m;
    wevt_provider p[2];
    wevt_channel ch[2];
    wevt_level lv[3];
    wevt_opcode op[3];
    wevt_task tk[1];
    wevt_keyword kw[3];
    const wevt_keyword *ev0_kw[2];
    wevt_map map[2];
    wevt_map_entry vmap_e[2], bmap_e[1];
    wevt_field f1[6], f2[1];
    wevt_template tm[2];
    wevt_event ev[4];
    wevt_warning warn[1];
    msgtab t;
    msgtab_entry msg[8];
} crafted;

static void build(crafted *c)
{
    memset(c, 0, sizeof *c);
    wevt_provider *p = &c->p[0];
    static const uint8_t guid[16] = {0x78, 0x56, 0x34, 0x12, 0x34, 0x12,
                                     0x78, 0x56, 0x9a, 0xbc, 0xde, 0xf0,
                                     0x12, 0x34, 0x56, 0x78};
    memcpy(p->guid, guid, 16);
    p->name = "Crafted-" NASTY_NAME;
    p->message_id = 0x90000001;
    p->complete = true;

    c->ch[0] = (wevt_channel){.value = 16, .name = "Crafted/Operational",
                              .message_id = 0x90000002, .off = 0x100};
    c->ch[1] = (wevt_channel){.value = 8, .flags = 1, .name = "System",
                              .message_id = 0x90000003, .off = 0x110};
    p->channels = c->ch;
    p->n_channels = 2;

    c->lv[0] = (wevt_level){.value = 2, .name = "win:Error",
                            .message_id = 0x50000002, .off = 0x200};
    c->lv[1] = (wevt_level){.value = 4, .name = "win:Informational",
                            .message_id = 0x50000004, .off = 0x20c};
    c->lv[2] = (wevt_level){.value = 17, .name = NULL,
                            .message_id = WEVT_NO_MESSAGE, .off = 0x218};
    p->levels = c->lv;
    p->n_levels = 3;

    c->op[0] = (wevt_opcode){.value = 1, .task = 0, .name = "win:Start",
                             .message_id = 0x30000001, .off = 0x300};
    c->op[1] = (wevt_opcode){.value = 10, .task = 0, .name = "Flush",
                             .message_id = 0x3000000a, .off = 0x30c};
    c->op[2] = (wevt_opcode){.value = 11, .task = 1, .name = "Peek",
                             .message_id = 0x3001000b, .off = 0x318};
    p->opcodes = c->op;
    p->n_opcodes = 3;

    c->tk[0] = (wevt_task){.value = 1, .name = "Cache",
                           .message_id = 0x70000001, .off = 0x400};
    c->tk[0].guid[0] = 0xAA;
    c->tk[0].guid[15] = 0x55;
    p->tasks = c->tk;
    p->n_tasks = 1;

    c->kw[0] = (wevt_keyword){.mask = 0x1, .name = "Reads",
                              .message_id = 0x10000001, .off = 0x500};
    c->kw[1] = (wevt_keyword){.mask = 0x2, .name = NULL,
                              .message_id = WEVT_NO_MESSAGE, .off = 0x510};
    c->kw[2] = (wevt_keyword){.mask = 0x0080000000000000ull,
                              .name = "win:EventlogClassic",
                              .message_id = 0x10000038, .off = 0x520};
    p->keywords = c->kw;
    p->n_keywords = 3;

    c->vmap_e[0] = (wevt_map_entry){0, 0xd0000001};
    c->vmap_e[1] = (wevt_map_entry){1, 0xd0000002};
    c->bmap_e[0] = (wevt_map_entry){0x4, 0xf0000001};
    c->map[0] = (wevt_map){.kind = WEVT_MAP_BITMAP, .flags = 1,
                           .name = "FlagMap", .entries = c->bmap_e,
                           .n_entries = 1, .off = 0x640};
    c->map[1] = (wevt_map){.kind = WEVT_MAP_VALUE, .name = "KindMap",
                           .entries = c->vmap_e, .n_entries = 2,
                           .off = 0x600};
    p->maps = c->map;
    p->n_maps = 2;

    /* T1: Name (string) | Count | Items[Count] (struct of A, B) |
     *     Blob (length = Count) | Fixed[4] with a map;
     * members after the top-level fields */
    c->f1[0] = (wevt_field){.name = "Name", .in_type = 1, .out_type = 1};
    c->f1[1] = (wevt_field){.name = "Count", .in_type = 6, .out_type = 6};
    c->f1[2] = (wevt_field){.name = "Items",
                            .flags = WEVT_FIELD_STRUCT |
                                     WEVT_FIELD_PARAM_COUNT,
                            .count = 1, .struct_first = 4,
                            .struct_count = 2};
    c->f1[3] = (wevt_field){.name = "Blob", .flags = WEVT_FIELD_PARAM_LENGTH,
                            .in_type = 14, .out_type = 15, .length = 1};
    c->f1[4] = (wevt_field){.name = "A", .in_type = 8, .out_type = 8,
                            .map_off = 0x600, .map = &c->map[1]};
    c->f1[5] = (wevt_field){.name = NULL, .xml_name = NULL, .in_type = 0x30,
                            .out_type = 0x70,
                            .flags = WEVT_FIELD_FIXED_COUNT, .count = 4};
    c->tm[0] = (wevt_template){.off = 0x700, .fields = c->f1, .n_fields = 6,
                               .n_top = 4, .root_name = "EventData",
                               .binxml_ok = true};
    c->f2[0] = (wevt_field){.name = "Value", .in_type = 20, .out_type = 18,
                            .flags = WEVT_FIELD_FIXED_LENGTH, .length = 8,
                            .map_off = 0x640, .map = &c->map[0]};
    c->tm[1] = (wevt_template){.off = 0x800, .fields = c->f2, .n_fields = 1,
                               .n_top = 1, .root_name = "MyUserData"};
    p->templates = c->tm;
    p->n_templates = 2;

    /* 1: every link set; 2: task-scoped opcode found by value, no keyword
     * list (keywords from the mask); 3: nothing has a record (made-up and
     * winmeta names); 4: template only by offset */
    c->ev0_kw[0] = &c->kw[0];
    c->ev0_kw[1] = &c->kw[1];
    c->ev[0] = (wevt_event){.id = 1, .version = 0, .channel = 16, .level = 4,
                            .opcode = 1, .task = 1,
                            .keywords = 0x8000000000000003ull,
                            .message_id = 0xB0000001, .template_off = 0x700,
                            .tmpl = &c->tm[0], .opcode_rec = &c->op[0],
                            .level_rec = &c->lv[1], .task_rec = &c->tk[0],
                            .channel_rec = &c->ch[0],
                            .keyword_recs = c->ev0_kw, .n_keyword_recs = 2,
                            .off = 0x900};
    c->ev[1] = (wevt_event){.id = 2, .version = 1, .channel = 8, .level = 17,
                            .opcode = 11, .task = 1,
                            .keywords = 0x0080000000000001ull,
                            .message_id = 0xB0010002, .off = 0x930};
    c->ev[2] = (wevt_event){.id = 3, .version = 0, .channel = 20, .level = 3,
                            .opcode = 12, .task = 9, .keywords = 0,
                            .message_id = 0xB0000003, .off = 0x960};
    c->ev[3] = (wevt_event){.id = 4, .version = 0, .channel = 9, .level = 0,
                            .opcode = 240, .task = 9, .level_off = 0,
                            .template_off = 0x800,
                            .message_id = WEVT_NO_MESSAGE, .off = 0x990};
    p->events = c->ev;
    p->n_events = 4;

    /* a second provider: 3.1 style, no name, incomplete */
    c->p[1].guid[0] = 0x42;
    c->p[1].message_id = WEVT_NO_MESSAGE;
    c->p[1].complete = false;

    c->warn[0] = (wevt_warning){.status = EW_E_TRUNCATED,
                                .what = "WEVT EVNT element", .off = 0x1234,
                                .detail = "cut -- here-"};
    c->m = (wevt_manifest){.major = 5, .minor = 1, .size = 0x1000,
                           .providers = c->p, .n_providers = 2,
                           .warnings = c->warn, .n_warnings = 1};

    /* message table, sorted by id; 0xB0000003 and 0x70000001 are absent */
    size_t k = 0;
    c->msg[k++] = (msgtab_entry){.id = 0x10000001, .text = "Reads"};
    c->msg[k++] = (msgtab_entry){.id = 0x3000000a, .text = "Flush"};
    c->msg[k++] = (msgtab_entry){.id = 0x90000001, .text = NASTY_NAME};
    c->msg[k++] = (msgtab_entry){.id = 0x90000002,
                                 .text = "line1\r\nline2\ttab"};
    c->msg[k++] = (msgtab_entry){.id = 0xB0000001, .text = BAD_UTF8};
    c->msg[k++] = (msgtab_entry){.id = 0xB0010002, .text = GOOD_UTF8};
    c->msg[k++] = (msgtab_entry){.id = 0xd0000001, .text = "]]> <![CDATA["};
    c->msg[k++] = (msgtab_entry){.id = 0xf0000001, .text = ""};
    for (size_t i = 0; i < k; i++)
        c->msg[i].len = strlen(c->msg[i].text);
    c->t = (msgtab){.entries = c->msg, .n_entries = k, .n_blocks = k};
}

/* The document for m/t/name in a malloc'd string. */
static char *render(const wevt_manifest *m, const msgtab *t,
                    const char *name)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(manifest_xml_write(f, m, t, name), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void expect(const char *doc, const char *needle)
{
    if (!strstr(doc, needle))
        fail_msg("not in the output: %s\n---\n%s", needle, doc);
}

static void expect_not(const char *doc, const char *needle)
{
    if (strstr(doc, needle))
        fail_msg("in the output, unexpectedly: %s", needle);
}

/* ---- tests ---------------------------------------------------------------- */

static void sections(void **state)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    char *doc = render(&c->m, &c->t, "crafted.sys");
    expect(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    expect(doc, "<instrumentationManifest xmlns=\"http://schemas.microsoft."
                "com/win/2004/08/events\"");
    expect(doc, "<provider name=\"Crafted-A&amp;B&lt;&quot;C&quot;&gt;'D\" "
                "guid=\"{12345678-1234-5678-9ABC-DEF012345678}\" "
                "resourceFileName=\"crafted.sys\" "
                "messageFileName=\"crafted.sys\" "
                "message=\"$(string.msg_90000001)\">");
    /* channels: own with type from the suffix, imported, made up */
    expect(doc, "<channel chid=\"Crafted/Operational\" "
                "name=\"Crafted/Operational\" type=\"Operational\" "
                "value=\"16\" message=\"$(string.msg_90000002)\"/>");
    expect(doc, "<importChannel chid=\"System\" name=\"System\"/>");
    expect(doc, "<channel chid=\"channel_20\" name=\"channel_20\" "
                "value=\"20\"/>");
    expect(doc, "<importChannel chid=\"Application\" "
                "name=\"Application\"/>");
    /* levels: win:* not redefined; unnamed record; used w/o record */
    expect_not(doc, "<level name=\"win:");
    expect(doc, "<level name=\"level_17\" value=\"17\"/>");
    expect_not(doc, "name=\"level_3\""); /* winmeta win:Warning */
    /* tasks, with the task-scoped opcode; made-up task 9 */
    expect(doc, "<task name=\"Cache\" value=\"1\" "
                "eventGUID=\"{000000AA-0000-0000-0000-000000000055}\" "
                "message=\"$(string.msg_70000001)\">\n"
                "            <opcodes>\n"
                "              <opcode name=\"Peek\" value=\"11\" "
                "message=\"$(string.msg_3001000B)\"/>\n"
                "            </opcodes>\n"
                "          </task>");
    expect(doc, "<task name=\"task_9\" value=\"9\"/>");
    /* global opcodes: Flush, made-up 12; win:Start and win:Receive are
     * winmeta's */
    expect(doc, "<opcode name=\"Flush\" value=\"10\" "
                "message=\"$(string.msg_3000000A)\"/>");
    expect(doc, "<opcode name=\"opcode_0_12\" value=\"12\"/>");
    expect_not(doc, "<opcode name=\"win:");
    /* keywords */
    expect(doc, "<keyword name=\"Reads\" mask=\"0x1\" "
                "message=\"$(string.msg_10000001)\"/>");
    expect(doc, "<keyword name=\"keyword_0x2\" mask=\"0x2\"/>");
    expect_not(doc, "<keyword name=\"win:");
    /* maps in model order, bitmap values in hex */
    expect(doc, "<bitMap name=\"FlagMap\">\n"
                "            <map value=\"0x4\" "
                "message=\"$(string.msg_F0000001)\"/>\n"
                "          </bitMap>\n"
                "          <valueMap name=\"KindMap\">\n"
                "            <map value=\"0\" "
                "message=\"$(string.msg_D0000001)\"/>\n"
                "            <map value=\"1\" "
                "message=\"$(string.msg_D0000002)\"/>\n"
                "          </valueMap>");
    /* templates */
    expect(doc, "<template tid=\"T_0x700\">\n"
                "            <data name=\"Name\" inType=\"win:UnicodeString\" "
                "outType=\"xs:string\"/>\n"
                "            <data name=\"Count\" inType=\"win:UInt16\" "
                "outType=\"xs:unsignedShort\"/>\n"
                "            <struct name=\"Items\" count=\"Count\">\n"
                "              <data name=\"A\" inType=\"win:UInt32\" "
                "outType=\"xs:unsignedInt\" map=\"KindMap\"/>\n"
                "              <data name=\"field5\" inType=\"0x30\" "
                "outType=\"0x70\" count=\"4\"/>\n"
                "            </struct>\n"
                "            <data name=\"Blob\" inType=\"win:Binary\" "
                "outType=\"xs:hexBinary\" length=\"Count\"/>\n"
                "          </template>");
    expect(doc, "<!-- rendered in <MyUserData> (UserData) -->");
    expect(doc, "<data name=\"Value\" inType=\"win:HexInt32\" "
                "outType=\"win:HexInt32\" map=\"FlagMap\" length=\"8\"/>");
    /* events */
    expect(doc, "<event value=\"1\" version=\"0\" "
                "channel=\"Crafted/Operational\" level=\"win:Informational\" "
                "task=\"Cache\" opcode=\"win:Start\" "
                "keywords=\"Reads keyword_0x2\" template=\"T_0x700\" "
                "message=\"$(string.msg_B0000001)\"/>");
    expect(doc, "<event value=\"2\" version=\"1\" channel=\"System\" "
                "level=\"level_17\" task=\"Cache\" opcode=\"Peek\" "
                "keywords=\"Reads\" message=\"$(string.msg_B0010002)\"/>");
    expect(doc, "<event value=\"3\" version=\"0\" channel=\"channel_20\" "
                "level=\"win:Warning\" task=\"task_9\" opcode=\"opcode_0_12\" "
                "message=\"$(string.msg_B0000003)\"/>");
    expect(doc, "<event value=\"4\" version=\"0\" channel=\"Application\" "
                "task=\"task_9\" opcode=\"win:Receive\" "
                "template=\"T_0x800\"/>");
    /* the second provider: named by its GUID, marked incomplete */
    expect(doc, "<provider name=\"00000042-0000-0000-0000-000000000000\" "
                "guid=\"{00000042-0000-0000-0000-000000000000}\"");
    expect(doc, "<!-- provider 00000042-0000-0000-0000-000000000000: parts "
                "of its block were malformed");
    /* string table: referenced ids only, sorted; escaping */
    expect(doc, "<string id=\"msg_10000001\" value=\"Reads\"/>\n"
                "        <string id=\"msg_3000000A\" value=\"Flush\"/>\n"
                "        <string id=\"msg_90000001\" "
                "value=\"A&amp;B&lt;&quot;C&quot;&gt;'D\"/>\n"
                "        <string id=\"msg_90000002\" "
                "value=\"line1&#xD;&#xA;line2&#x9;tab\"/>\n");
    expect(doc, "<string id=\"msg_B0010002\" value=\"" GOOD_UTF8 "\"/>");
    expect(doc, "<string id=\"msg_D0000001\" "
                "value=\"]]&gt; &lt;![CDATA[\"/>");
    expect(doc, "<string id=\"msg_F0000001\" value=\"\"/>");
    expect_not(doc, "msg_50000004"); /* winmeta's, not referenced */
    expect_not(doc, "msg_90000003"); /* imported channel */
    expect(doc, "<!-- not in the message table:\n"
                "             0x3001000B 0x70000001 0xB0000003 0xD0000002 "
                "-->");
    expect(doc, "</instrumentationManifest>\n");
    free(doc);
    free(c);
}

static void utf8_repair(void **state)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    char *doc = render(&c->m, &c->t, NULL);
    /* each bad byte, the surrogate's three, C0 controls and U+FFFE become
     * U+FFFD; valid sequences pass */
#define R "\xef\xbf\xbd"
    expect(doc, "<string id=\"msg_B0000001\" value=\"x" R "y" R R "z" R R R
                "w" R "v" R "u\"/>");
#undef R
    expect_not(doc, "resourceFileName"); /* no image name */
    /* the warning, in a comment without "--" */
    expect(doc, "<!-- 1 parse warning; the manifest may be incomplete: -->");
    expect(doc, "<!--   WEVT EVNT element at 0x1234: ");
    expect(doc, "cut - - here-  -->"); /* a final '-' gets a space */
    free(doc);
    free(c);
}

static void comments_never_hold_double_dash(void **state)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    char *doc = render(&c->m, &c->t, "a--b-");
    expect(doc, "resource of a- -b- (CRIM 5.1, 2 providers)");
    expect(doc, "resourceFileName=\"a--b-\"");
    /* no "--" between any "<!--" and its "-->" */
    for (const char *p = strstr(doc, "<!--"); p; p = strstr(p, "<!--")) {
        const char *end = strstr(p + 4, "-->");
        assert_non_null(end);
        for (const char *q = p + 4; q < end; q++)
            assert_false(q[0] == '-' && q[1] == '-');
        p = end + 3;
    }
    free(doc);
    free(c);
}

static void no_message_table(void **state)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    char *doc = render(&c->m, NULL, "crafted.sys");
    expect(doc, "message=\"$(string.msg_B0000001)\"");
    expect_not(doc, "<string id=");
    expect(doc, "<!-- no message table; message ids:\n"
                "             0x10000001 0x3000000A 0x3001000B 0x70000001 "
                "0x90000001 0x90000002 0xB0000001 0xB0000003\n"
                "             0xB0010002 0xD0000001 0xD0000002 0xF0000001 "
                "-->");
    free(doc);
    free(c);
}

static void empty_manifest(void **state)
{
    wevt_manifest m = {.major = 3, .minor = 1};
    char *doc = render(&m, NULL, NULL);
    assert_string_equal(
        doc,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- Reconstructed by etwmap from the WEVT_TEMPLATE resource "
        "(CRIM 3.1, 0 providers). Event and provider symbols are not stored "
        "in the resource; template ids and string ids are made from offsets "
        "and message ids. -->\n"
        "<instrumentationManifest "
        "xmlns=\"http://schemas.microsoft.com/win/2004/08/events\"\n"
        "    xmlns:win=\"http://manifests.microsoft.com/win/2004/08/windows/"
        "events\"\n"
        "    xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
        "  <instrumentation>\n    <events>\n    </events>\n"
        "  </instrumentation>\n"
        "  <localization>\n    <resources culture=\"en-US\">\n"
        "      <stringTable>\n      </stringTable>\n    </resources>\n"
        "  </localization>\n"
        "</instrumentationManifest>\n");
    free(doc);
}

static void deterministic(void **state)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    char *a = render(&c->m, &c->t, "x.dll");
    char *b = render(&c->m, &c->t, "x.dll");
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(c);
}

static void write_error(void **state)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f) {
        fprintf(stdout, "# /dev/full absent: skipped\n");
        skip();
    }
    crafted *c = malloc(sizeof *c);
    build(c);
    assert_int_equal(manifest_xml_write(f, &c->m, &c->t, "x.sys"), -1);
    fclose(f);
    free(c);
}

/* 2^16 events none of whose records is linked, against 2^16 records of
 * each kind that do not match: every reference is resolved by lookup, and
 * each made-up definition deduplicated; quadratic work would take
 * minutes. */
static void many_records(void **state)
{
    FILE *f = fopen("/dev/null", "w");
    if (!f) {
        fprintf(stdout, "# /dev/null absent: skipped\n");
        skip();
    }
    enum { N = 1 << 16 };
    wevt_provider *p = calloc(1, sizeof *p);
    p->levels = calloc(N, sizeof *p->levels);
    p->tasks = calloc(N, sizeof *p->tasks);
    p->opcodes = calloc(N, sizeof *p->opcodes);
    p->keywords = calloc(N, sizeof *p->keywords);
    p->channels = calloc(N, sizeof *p->channels);
    p->events = calloc(N, sizeof *p->events);
    for (uint32_t i = 0; i < N; i++) {
        p->levels[i] = (wevt_level){.value = 256 + i, .name = "L",
                                    .message_id = WEVT_NO_MESSAGE};
        p->channels[i] = (wevt_channel){.value = 256 + i, .name = "C",
                                        .message_id = WEVT_NO_MESSAGE};
        p->tasks[i] = (wevt_task){.value = N + i, .name = "T",
                                  .message_id = WEVT_NO_MESSAGE};
        p->opcodes[i] = (wevt_opcode){.value = (uint16_t)(300 + (i & 0xff)),
                                      .task = (uint16_t)i, .name = "O",
                                      .message_id = WEVT_NO_MESSAGE};
        p->keywords[i] = (wevt_keyword){.mask = (uint64_t)(i + 1) << 40,
                                        .name = "K",
                                        .message_id = WEVT_NO_MESSAGE};
        p->events[i] = (wevt_event){.id = (uint16_t)i,
                                    .level = (uint8_t)(i % 200 + 6),
                                    .task = (uint16_t)i,
                                    .opcode = (uint8_t)(i % 200 + 10),
                                    .channel = (uint8_t)(i % 200 + 20),
                                    .keywords = ~0ull,
                                    .message_id = WEVT_NO_MESSAGE};
    }
    p->n_levels = p->n_tasks = p->n_opcodes = p->n_keywords = N;
    p->n_channels = p->n_events = N;
    p->complete = true;
    wevt_manifest m = {.major = 5, .minor = 1, .providers = p,
                       .n_providers = 1};
    time_t t0 = time(NULL);
    assert_int_equal(manifest_xml_write(f, &m, NULL, "big.sys"), 0);
    assert_true(time(NULL) - t0 < 60);
    fclose(f);
    free(p->levels);
    free(p->tasks);
    free(p->opcodes);
    free(p->keywords);
    free(p->channels);
    free(p->events);
    free(p);
}

static int write_document(const char *path)
{
    crafted *c = malloc(sizeof *c);
    build(c);
    FILE *f = fopen(path, "w");
    int rc = !f || manifest_xml_write(f, &c->m, &c->t, "crafted--x.sys") ||
             fclose(f);
    if (rc)
        perror(path);
    free(c);
    return rc;
}

int main(void)
{
    const char *out = getenv("MANIFEST_XML_WRITE");
    if (out)
        return write_document(out);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sections),
        cmocka_unit_test(utf8_repair),
        cmocka_unit_test(comments_never_hold_double_dash),
        cmocka_unit_test(no_message_table),
        cmocka_unit_test(empty_manifest),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(write_error),
        cmocka_unit_test(many_records),
    };
    return cmocka_run_group_tests_name("manifest_xml", tests, NULL, NULL);
}
