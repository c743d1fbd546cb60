/* test_base.c - the bounds-checked reader, diagnostics, arena and UTF-16. */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_rd.h"
#include "base/ew_utf16.h"

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                0x07, 0x08, 'a',  'b',  0x00, 'c'};

static void reads_little_endian(void **state)
{
    ew_diag d;
    ew_diag_init(&d, "t.bin");
    ew_rd r;
    ew_rd_init(&r, bytes, sizeof bytes, 0x100, "blob", &d);
    uint16_t v16;
    uint32_t v32;
    assert_int_equal(ew_rd_u16(&r, &v16), EW_OK);
    assert_int_equal(v16, 0x0201);
    assert_int_equal(ew_rd_u32(&r, &v32), EW_OK);
    assert_int_equal(v32, 0x06050403);
    uint64_t v64;
    assert_int_equal(ew_rd_u64_at(&r, 0, &v64), EW_OK);
    assert_true(v64 == 0x0807060504030201ull);
    assert_int_equal(r.pos, 6);
}

static void truncation_names_structure_and_offset(void **state)
{
    ew_diag d;
    ew_diag_init(&d, "t.bin");
    ew_rd r;
    ew_rd_init(&r, bytes, sizeof bytes, 0x100, "blob", &d);
    assert_int_equal(ew_rd_skip(&r, 10), EW_OK);
    uint32_t v;
    assert_int_equal(ew_rd_u32(&r, &v), EW_E_TRUNCATED);
    assert_int_equal(r.pos, 10); /* unchanged on failure */
    char buf[256];
    assert_string_equal(ew_diag_format(&d, buf, sizeof buf),
                        "t.bin: blob at 0x10a: truncated "
                        "(4 bytes needed, 2 left)");
    /* the first failure wins */
    assert_int_equal(ew_rd_seek(&r, 100), EW_E_TRUNCATED);
    assert_int_equal(d.off, 0x10a);
}

static void sub_reader_cannot_escape(void **state)
{
    ew_diag d;
    ew_diag_init(&d, "t.bin");
    ew_rd r, s;
    ew_rd_init(&r, bytes, sizeof bytes, 0, "outer", &d);
    assert_int_equal(ew_rd_sub(&r, 4, 4, "inner", &s), EW_OK);
    uint32_t v;
    assert_int_equal(ew_rd_u32(&s, &v), EW_OK);
    assert_int_equal(v, 0x08070605);
    uint8_t b;
    assert_int_equal(ew_rd_u8(&s, &b), EW_E_TRUNCATED);
    assert_string_equal(d.what, "inner");
    assert_int_equal(d.off, 8);
    /* a declared size past the end, with a huge offset that must not wrap */
    ew_diag_init(&d, "t.bin");
    assert_int_equal(ew_rd_sub(&r, SIZE_MAX - 2, 4, "wrap", &s),
                     EW_E_TRUNCATED);
    assert_int_equal(ew_rd_sub(&r, 8, 5, "long", &s), EW_E_TRUNCATED);
}

static void strings_are_bounded(void **state)
{
    ew_diag d;
    ew_diag_init(&d, "t.bin");
    ew_rd r;
    ew_rd_init(&r, bytes, sizeof bytes, 0, "names", &d);
    ew_str s;
    assert_int_equal(ew_rd_cstr_at(&r, 8, 16, &s), EW_OK);
    assert_true(ew_str_eq(s, "ab"));
    assert_int_equal(ew_rd_cstr_at(&r, 11, 16, &s), EW_E_TRUNCATED);
    ew_diag_init(&d, "t.bin");
    assert_int_equal(ew_rd_cstr_at(&r, 0, 4, &s), EW_E_LIMIT);
    ew_diag_init(&d, "t.bin");
    assert_int_equal(ew_rd_cstr_at(&r, 13, 4, &s), EW_E_TRUNCATED);
}

static void arena_respects_budget(void **state)
{
    ew_arena a;
    ew_arena_init(&a, 1024);
    assert_non_null(ew_arena_alloc(&a, 1000));
    assert_null(ew_arena_alloc(&a, 100));
    assert_null(ew_arena_array(&a, SIZE_MAX / 2, 4)); /* overflow */
    ew_arena_free(&a);

    ew_arena_init(&a, 0);
    ew_vec v;
    ew_vec_init(&v, sizeof(uint32_t));
    for (uint32_t i = 0; i < 1000; i++)
        *(uint32_t *)ew_vec_push(&v, &a) = i;
    assert_int_equal(v.n, 1000);
    assert_int_equal(*EW_VEC_AT(&v, uint32_t, 999), 999);
    ew_arena_free(&a);
}

static void every_status_has_text(void **state)
{
    for (int s = 0; s < EW_STATUS_COUNT; s++)
        assert_string_not_equal(ew_status_str((ew_status)s), "unknown status");
    assert_string_equal(ew_status_str(EW_STATUS_COUNT), "unknown status");
}

/* ---- UTF-16LE -> UTF-8 -------------------------------------------------- */

/* Converts the units (host order) as UTF-16LE; the result must equal want
 * (n_want bytes) and be NUL-terminated. */
static void expect_utf8(const uint16_t *units, size_t n_units,
                        const char *want, size_t n_want)
{
    /* exactly 2 * n_units bytes, so that ASan sees any over-read */
    uint8_t *le = malloc(n_units ? 2 * n_units : 1);
    assert_non_null(le);
    for (size_t i = 0; i < n_units; i++) {
        le[2 * i] = (uint8_t)units[i];
        le[2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
    ew_arena a;
    ew_arena_init(&a, 0);
    char *out = NULL;
    size_t len = 99;
    assert_int_equal(ew_utf16_to_utf8(&a, le, n_units, &out, &len), EW_OK);
    assert_non_null(out);
    assert_int_equal(len, n_want);
    assert_memory_equal(out, want, n_want + 1); /* with the NUL */
    ew_arena_free(&a);
    free(le);
}
#define EXPECT_UTF8(want, ...)                                               \
    do {                                                                     \
        const uint16_t u_[] = {__VA_ARGS__};                                 \
        expect_utf8(u_, sizeof u_ / sizeof u_[0], want, sizeof want - 1);    \
    } while (0)

static void utf16_encodes_every_width(void **state)
{
    EXPECT_UTF8("A", 0x41);
    EXPECT_UTF8("\x7F\xC2\x80", 0x7F, 0x80);             /* 1|2 bytes */
    EXPECT_UTF8("\xDF\xBF\xE0\xA0\x80", 0x7FF, 0x800);   /* 2|3 bytes */
    EXPECT_UTF8("\xE2\x82\xAC\xEF\xBF\xBF", 0x20AC, 0xFFFF);
    /* the largest output: 3 bytes for each unit */
    EXPECT_UTF8("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 0x20AC, 0x20AC,
                0x20AC);
    char b[4];
    assert_int_equal(ew_utf8_put(b, 0x10FFFF), 4);
    assert_memory_equal(b, "\xF4\x8F\xBF\xBF", 4);
}

static void utf16_pairs_surrogates(void **state)
{
    /* U+1F600 and U+10000, U+10FFFF: the first and last pairs */
    EXPECT_UTF8("\xF0\x9F\x98\x80", 0xD83D, 0xDE00);
    EXPECT_UTF8("\xF0\x90\x80\x80", 0xD800, 0xDC00);
    EXPECT_UTF8("x\xF4\x8F\xBF\xBFy", 'x', 0xDBFF, 0xDFFF, 'y');
}

static void utf16_lone_surrogates_become_fffd(void **state)
{
    EXPECT_UTF8("\xEF\xBF\xBD", 0xD83D);                    /* high, at end */
    EXPECT_UTF8("\xEF\xBF\xBD" "A", 0xD83D, 0x41);          /* high, no low */
    EXPECT_UTF8("\xEF\xBF\xBD", 0xDE00);                    /* low alone */
    EXPECT_UTF8("\xEF\xBF\xBD\xEF\xBF\xBD", 0xDE00, 0xD83D); /* reversed */
    EXPECT_UTF8("\xEF\xBF\xBD\xEF\xBF\xBD", 0xD83D, 0xD83D); /* two highs */
    /* two highs, then a low: the second pairs */
    EXPECT_UTF8("\xEF\xBF\xBD\xF0\x9F\x98\x80", 0xD83D, 0xD83D, 0xDE00);
    /* a pair is never completed past n_units */
    uint8_t pair[] = {0x3D, 0xD8, 0x00, 0xDE};
    ew_arena a;
    ew_arena_init(&a, 0);
    char *out;
    size_t len;
    assert_int_equal(ew_utf16_to_utf8(&a, pair, 1, &out, &len), EW_OK);
    assert_string_equal(out, "\xEF\xBF\xBD");
    assert_int_equal(len, 3);
    ew_arena_free(&a);
}

static void utf16_stops_at_nul_and_bounds(void **state)
{
    EXPECT_UTF8("a", 'a', 0, 'b');
    EXPECT_UTF8("", 0, 'b');
    EXPECT_UTF8("\xEF\xBF\xBD", 0xD83D, 0, 0xDE00); /* a NUL splits a pair */
    const uint8_t nul_ab[] = {'a', 0, 0, 0, 'b', 0};
    assert_int_equal(ew_utf16_nlen(nul_ab, 3), 1);
    assert_int_equal(ew_utf16_nlen(nul_ab, 1), 1); /* no NUL in range */
    assert_int_equal(ew_utf16_nlen(nul_ab, 0), 0);

    ew_arena a;
    ew_arena_init(&a, 0);
    char *out;
    size_t len = 99;
    /* empty: "", not NULL */
    assert_int_equal(ew_utf16_to_utf8(&a, nul_ab, 0, &out, &len), EW_OK);
    assert_string_equal(out, "");
    assert_int_equal(len, 0);
    /* an odd byte count: callers pass bytes / 2 units, and the trailing
     * byte is never read (exact-size buffer, under ASan) */
    uint8_t *odd = malloc(5);
    assert_non_null(odd);
    memcpy(odd, "a\0b\0c", 5);
    assert_int_equal(ew_utf16_to_utf8(&a, odd, 5 / 2, &out, NULL), EW_OK);
    assert_string_equal(out, "ab");
    assert_int_equal(ew_utf16_nlen(odd, 5 / 2), 2);
    free(odd);
    ew_arena_free(&a);

    /* the arena's budget holds: EW_E_NOMEM and no string */
    ew_arena_init(&a, 16);
    const uint8_t ten[20] = {'0', 0, '1', 0, '2', 0, '3', 0, '4', 0,
                             '5', 0, '6', 0, '7', 0, '8', 0, '9', 0};
    out = (char *)ten;
    assert_int_equal(ew_utf16_to_utf8(&a, ten, 10, &out, NULL), EW_E_NOMEM);
    assert_null(out);
    assert_int_equal(ew_utf16_to_utf8(&a, ten, 5, &out, NULL), EW_OK);
    assert_string_equal(out, "01234");
    ew_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_little_endian),
        cmocka_unit_test(truncation_names_structure_and_offset),
        cmocka_unit_test(sub_reader_cannot_escape),
        cmocka_unit_test(strings_are_bounded),
        cmocka_unit_test(arena_respects_budget),
        cmocka_unit_test(every_status_has_text),
        cmocka_unit_test(utf16_encodes_every_width),
        cmocka_unit_test(utf16_pairs_surrogates),
        cmocka_unit_test(utf16_lone_surrogates_become_fffd),
        cmocka_unit_test(utf16_stops_at_nul_and_bounds),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
