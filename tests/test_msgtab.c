/* test_msgtab.c - RT_MESSAGETABLE: a crafted table (ANSI, UTF-16, UTF-8
 * entries, several blocks, out of order and overlapping), its error
 * ladder, and the corpus tables of MANIFEST.tsv.
 *
 * Set MSGTAB_WRITE_SEEDS=DIR to write the crafted table there (how
 * fuzz/corpus/msgtab/crafted was made). */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "format/msgtab.h"
#include "format/pe.h"

/* ---- building tables ----------------------------------------------------- */

/* An entry: length (padded to 4, header included), flags, the text bytes
 * as given (ANSI/UTF-8) or as UTF-16 units, a NUL, padding. */
static size_t entry_bytes(tbuf *b, uint16_t flags, const char *text)
{
    size_t at = b->n;
    put16(b, 0);
    put16(b, flags);
    for (const char *p = text; *p; p++)
        put8(b, (uint8_t)*p);
    put8(b, 0);
    pad_to(b, 4);
    patch16(b, at, (uint16_t)(b->n - at));
    return at;
}
static size_t entry_wide(tbuf *b, const uint16_t *units, size_t n)
{
    size_t at = b->n;
    put16(b, 0);
    put16(b, MSGTAB_FLAG_UNICODE);
    for (size_t i = 0; i < n; i++)
        put16(b, units[i]);
    put16(b, 0);
    pad_to(b, 4);
    patch16(b, at, (uint16_t)(b->n - at));
    return at;
}
static size_t entry_ascii_wide(tbuf *b, const char *s)
{
    uint16_t u[128];
    size_t n = strlen(s);
    assert_true(n < 128);
    for (size_t i = 0; i < n; i++)
        u[i] = (uint8_t)s[i];
    return entry_wide(b, u, n);
}

/* Offsets the tests patch. */
typedef struct table {
    tbuf b;
    size_t blocks;    /* the block array */
    size_t e_hello;   /* entry id 1 */
    size_t e_last;    /* the last entry */
} table;

/* Five blocks, stored out of id order:
 *   0: ids 0xB0000001-0xB0000002  UTF-16 "Event one\r\n", "Event two"
 *   1: ids 1-3                    ANSI "Hello %1\r\n", cp1252 "caf\xe9
 *                                 \x80\r\n", "\r\n" (only a line end)
 *   2: id 0x10                    UTF-16 "Wide %1 " U+1F600 (a surrogate
 *                                 pair), an unpaired D800, CR LF
 *   3: id 2                       "dup" (overlaps block 1: block 1 wins)
 *   4: id 0x20                    UTF-8 (flags 2) "\xc3\xbctf8" */
static void build(table *t)
{
    memset(t, 0, sizeof *t);
    tbuf *b = &t->b;
    put32(b, 5);
    t->blocks = b->n;
    for (int i = 0; i < 5 * 3; i++)
        put32(b, 0);
    static const uint32_t ids[5][2] = {{0xB0000001, 0xB0000002},
                                       {1, 3},
                                       {0x10, 0x10},
                                       {2, 2},
                                       {0x20, 0x20}};
    for (int i = 0; i < 5; i++) {
        patch32(b, t->blocks + 12 * i, ids[i][0]);
        patch32(b, t->blocks + 12 * i + 4, ids[i][1]);
    }
    patch32(b, t->blocks + 8, (uint32_t)b->n);
    entry_ascii_wide(b, "Event one\r\n");
    entry_ascii_wide(b, "Event two");
    patch32(b, t->blocks + 12 + 8, (uint32_t)b->n);
    t->e_hello = entry_bytes(b, 0, "Hello %1\r\n");
    entry_bytes(b, 0, "caf\xe9 \x80\r\n");
    entry_bytes(b, 0, "\r\n");
    patch32(b, t->blocks + 24 + 8, (uint32_t)b->n);
    static const uint16_t wide[] = {'W', 'i', 'd', 'e', ' ', '%', '1', ' ',
                                    0xD83D, 0xDE00, 0xD800, '\r', '\n'};
    entry_wide(b, wide, sizeof wide / sizeof *wide);
    patch32(b, t->blocks + 36 + 8, (uint32_t)b->n);
    entry_bytes(b, 0, "dup");
    patch32(b, t->blocks + 48 + 8, (uint32_t)b->n);
    t->e_last = entry_bytes(b, 2, "\xc3\xbctf8");
}

#define BASE 0x2000u

typedef struct parsed {
    ew_arena a;
    ew_diag d;
    msgtab t;
    ew_status s;
} parsed;

static void parse(parsed *p, const uint8_t *data, size_t size)
{
    ew_arena_init(&p->a, 0);
    ew_diag_init(&p->d, "t.bin");
    p->s = msgtab_parse(&p->t, data, size, BASE, &p->a, &p->d);
}

static void expect_failure(const parsed *p, ew_status s, const char *what,
                           size_t off)
{
    assert_int_equal(p->s, s);
    assert_string_equal(p->d.what, what);
    assert_true(p->d.has_off);
    assert_int_equal(p->d.off, BASE + off);
    assert_int_equal(p->t.n_entries, 0); /* t left empty */
}

/* ---- crafted ------------------------------------------------------------- */

static void crafted_table(void **state)
{
    table t;
    build(&t);
    parsed p;
    parse(&p, t.b.b, t.b.n);
    assert_int_equal(p.s, EW_OK);
    assert_int_equal(p.t.n_blocks, 5);
    /* 2 + 3 + 1 + 1 + 1 stored, the duplicate id 2 dropped */
    assert_int_equal(p.t.n_entries, 7);
    for (size_t i = 1; i < p.t.n_entries; i++)
        assert_true(p.t.entries[i - 1].id < p.t.entries[i].id);
    /* trailing CR/LF and NULs trimmed; inserts kept as stored */
    assert_string_equal(msgtab_find(&p.t, 1), "Hello %1");
    /* Windows-1252: E9 is U+00E9, 80 is the euro sign U+20AC */
    assert_string_equal(msgtab_find(&p.t, 2), "caf\xc3\xa9 \xe2\x82\xac");
    assert_string_equal(msgtab_find(&p.t, 3), ""); /* present, empty */
    /* U+1F600 from its surrogate pair; the lone D800 becomes U+FFFD */
    assert_string_equal(msgtab_find(&p.t, 0x10),
                        "Wide %1 \xf0\x9f\x98\x80\xef\xbf\xbd");
    assert_string_equal(msgtab_find(&p.t, 0x20), "\xc3\xbctf8");
    assert_string_equal(msgtab_find(&p.t, 0xB0000001), "Event one");
    assert_string_equal(msgtab_find(&p.t, 0xB0000002), "Event two");
    assert_null(msgtab_find(&p.t, 0));
    assert_null(msgtab_find(&p.t, 4));
    assert_null(msgtab_find(&p.t, 0xFFFFFFFF));
    const msgtab_entry *e = &p.t.entries[0];
    assert_int_equal(e->id, 1);
    assert_int_equal(e->flags, 0);
    assert_int_equal(e->len, 8);
    assert_int_equal(e->off, BASE + t.e_hello);
    ew_arena_free(&p.a);
    free(t.b.b);
}

/* ---- error ladder -------------------------------------------------------- */

static void cut_everywhere(void **state)
{
    table t;
    build(&t);
    for (size_t len = 0; len < t.b.n; len++) {
        parsed p;
        parse(&p, t.b.b, len);
        /* every cut loses bytes something declares */
        assert_int_not_equal(p.s, EW_OK);
        assert_true(p.s == EW_E_TRUNCATED || p.s == EW_E_BAD_COUNT);
        assert_true(p.d.off >= BASE && p.d.off <= BASE + len);
        if (len < 4)
            expect_failure(&p, EW_E_TRUNCATED, "message table header", 0);
        else if (len < 4 + 5 * 12) /* the blocks do not fit */
            expect_failure(&p, EW_E_BAD_COUNT, "message table header", 0);
        ew_arena_free(&p.a);
    }
    /* cut inside the last entry: its length runs past the end */
    parsed p;
    parse(&p, t.b.b, t.b.n - 1);
    expect_failure(&p, EW_E_TRUNCATED, "message table entry", t.e_last + 4);
    ew_arena_free(&p.a);
    free(t.b.b);
}

static void bad_values(void **state)
{
    table t;
    parsed p;

    build(&t); /* block count: one past the cap */
    patch32(&t.b, 0, MSGTAB_MAX_BLOCKS + 1);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_LIMIT, "message table header", 0);
    ew_arena_free(&p.a);
    free(t.b.b);

    build(&t); /* block 1: high id below low id */
    patch32(&t.b, t.blocks + 12 + 4, 0);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_BAD_VALUE, "message table block",
                   t.blocks + 12);
    ew_arena_free(&p.a);
    free(t.b.b);

    build(&t); /* block 1: 2^32 entries */
    patch32(&t.b, t.blocks + 12, 0);
    patch32(&t.b, t.blocks + 12 + 4, 0xFFFFFFFF);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_BAD_COUNT, "message table block",
                   t.blocks + 12);
    ew_arena_free(&p.a);
    free(t.b.b);

    build(&t); /* block 2: entries offset past the end */
    patch32(&t.b, t.blocks + 24 + 8, 0x7FFFFFFF);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_BAD_COUNT, "message table block",
                   t.blocks + 24);
    ew_arena_free(&p.a);
    free(t.b.b);

    build(&t); /* an entry length of 0 would not advance */
    patch16(&t.b, t.e_hello, 0);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_BAD_VALUE, "message table entry", t.e_hello);
    ew_arena_free(&p.a);
    patch16(&t.b, t.e_hello, 3);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_BAD_VALUE, "message table entry", t.e_hello);
    ew_arena_free(&p.a);
    free(t.b.b);

    build(&t); /* unknown flags */
    patch16(&t.b, t.e_hello + 2, 4);
    parse(&p, t.b.b, t.b.n);
    expect_failure(&p, EW_E_UNSUPPORTED, "message table entry",
                   t.e_hello + 2);
    ew_arena_free(&p.a);
    free(t.b.b);

    /* an arena too small: EW_E_NOMEM, t empty */
    build(&t);
    ew_arena_init(&p.a, 64);
    ew_diag_init(&p.d, "t.bin");
    assert_int_equal(msgtab_parse(&p.t, t.b.b, t.b.n, BASE, &p.a, &p.d),
                     EW_E_NOMEM);
    assert_int_equal(p.t.n_entries, 0);
    ew_arena_free(&p.a);
    free(t.b.b);
}

/* The entry cap, at it and one past: blocks may share entries, so a small
 * table can declare many. */
static void entry_cap(void **state)
{
    const uint32_t half = MSGTAB_MAX_ENTRIES / 2;
    for (int extra = 0; extra <= 1; extra++) {
        tbuf b = {0};
        uint32_t n_blocks = 2 + (uint32_t)extra;
        put32(&b, n_blocks);
        size_t entries = 4 + 12 * (size_t)n_blocks;
        for (uint32_t i = 0; i < n_blocks; i++) {
            put32(&b, i * half);
            put32(&b, i * half + (i == 2 ? 0 : half - 1));
            put32(&b, (uint32_t)entries);
        }
        for (uint32_t i = 0; i < half; i++) {
            put16(&b, 4); /* empty ANSI entries */
            put16(&b, 0);
        }
        parsed p;
        parse(&p, b.b, b.n);
        if (!extra) {
            assert_int_equal(p.s, EW_OK);
            assert_int_equal(p.t.n_entries, MSGTAB_MAX_ENTRIES);
            assert_string_equal(msgtab_find(&p.t, MSGTAB_MAX_ENTRIES - 1),
                                "");
        } else {
            expect_failure(&p, EW_E_LIMIT, "message table block", 4 + 24);
        }
        ew_arena_free(&p.a);
        free(b.b);
    }
}

/* ---- corpus -------------------------------------------------------------- */

/* The RT_MESSAGETABLE of a corpus binary (or a skip). */
static void corpus_table(const char *name, size_t entries, size_t blocks,
                         uint32_t id, const char *text)
{
    corpus_pe c;
    corpus_pe_open(&c, name);
    size_t n;
    ew_rd rd;
    assert_true(resource_reader(&c.img, PE_RT_MESSAGETABLE, NULL, "msgtab",
                                &rd, &n));
    assert_int_equal(n, 1); /* one table, language 1033 */
    ew_arena a;
    ew_arena_init(&a, 0);
    msgtab t;
    assert_int_equal(msgtab_parse(&t, rd.base, rd.size, rd.base_off, &a,
                                  &c.d),
                     EW_OK);
    assert_int_equal(t.n_blocks, blocks);
    assert_int_equal(t.n_entries, entries);
    for (size_t i = 0; i < t.n_entries; i++) {
        assert_int_equal(t.entries[i].flags, MSGTAB_FLAG_UNICODE);
        assert_true(t.entries[i].off >= rd.base_off &&
                    t.entries[i].off < rd.base_off + rd.size);
    }
    assert_string_equal(msgtab_find(&t, id), text);
    ew_arena_free(&a);
    corpus_pe_close(&c);
}

/* Counts as stored (every block's high - low + 1, summed; no id repeats in
 * these tables), texts checked against the UTF-16 bytes. */
static void corpus_clretwrc(void **state)
{
    /* keyword message "GC" (ClrEtwAll.man: GCKeyword) */
    corpus_table("coreclr-2.0.0_clretwrc.dll", 836, 140, 0x10000001, "GC");
}
static void corpus_ci(void **state)
{
    corpus_table("win10-19041.3269_ci.dll", 142, 36, 0x50000003, "Warning");
}
static void corpus_win32kbase(void **state)
{
    corpus_table("win10-19041.508_win32kbase.sys", 305, 54, 0xF000000C,
                 "Thread is foreground");
}
static void corpus_fltmgr(void **state)
{
    corpus_table("win10-19041.1806_fltMgr.sys", 15, 3, 0x90000002, "System");
}
static void corpus_amsi(void **state)
{
    corpus_table("win10-19041.2075_amsi.dll", 5, 5, 0x90000001,
                 "Microsoft-Antimalware-Scan-Interface");
}
static void corpus_dxgkrnl(void **state)
{
    corpus_table("win7-7601.17514_dxgkrnl.sys", 7, 5, 0x10000031,
                 "Response Time");
}

static int write_seed(const char *dir)
{
    table t;
    build(&t);
    char path[512];
    snprintf(path, sizeof path, "%s/crafted", dir);
    int rc = write_whole_file(path, t.b.b, t.b.n);
    free(t.b.b);
    return rc;
}

int main(void)
{
    const char *seed_dir = getenv("MSGTAB_WRITE_SEEDS");
    if (seed_dir)
        return write_seed(seed_dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crafted_table),
        cmocka_unit_test(cut_everywhere),
        cmocka_unit_test(bad_values),
        cmocka_unit_test(entry_cap),
        cmocka_unit_test(corpus_clretwrc),
        cmocka_unit_test(corpus_ci),
        cmocka_unit_test(corpus_win32kbase),
        cmocka_unit_test(corpus_fltmgr),
        cmocka_unit_test(corpus_amsi),
        cmocka_unit_test(corpus_dxgkrnl),
    };
    return cmocka_run_group_tests_name("msgtab", tests, NULL, NULL);
}
