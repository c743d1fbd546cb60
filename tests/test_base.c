/* test_base.c - the bounds-checked reader, diagnostics and arena. */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_rd.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_little_endian),
        cmocka_unit_test(truncation_names_structure_and_offset),
        cmocka_unit_test(sub_reader_cannot_escape),
        cmocka_unit_test(strings_are_bounded),
        cmocka_unit_test(arena_respects_budget),
        cmocka_unit_test(every_status_has_text),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
