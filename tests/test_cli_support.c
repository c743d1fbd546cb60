/* test_cli_support.c - the small modules under the CLI: the ETW API table,
 * the JSON writer and the PDB file-name guard. */
#include "testutil.h"

#include "analysis/etw_api.h"
#include "output/json.h"
#include "symbols/pdb_locate.h"

static void etw_api_exact_and_prefix(void **state)
{
    const etw_api *a = etw_api_find("EtwWriteTransfer");
    assert_non_null(a);
    assert_int_equal(a->kind, ETW_API_WRITE);
    assert_int_equal(a->provider_arg, 0); /* RegHandle, FORMATS.md §5.2 */
    assert_int_equal(a->event_arg, 1);    /* EVENT_DESCRIPTOR* */
    a = etw_api_find("EventRegister");
    assert_non_null(a);
    assert_int_equal(a->kind, ETW_API_REGISTER);
    /* no prefix matching for non-TraceLogging names */
    assert_null(etw_api_find("EtwWriteTransferX"));
    assert_null(etw_api_find("EtwWrit"));
    assert_null(etw_api_find(NULL));
    /* TraceLogging helpers carry the wrapped API or template arguments */
    a = etw_api_find("_tlgWriteTransfer_EtwWriteTransfer");
    assert_non_null(a);
    assert_string_equal(a->name, "_tlgWriteTransfer");
    a = etw_api_find("_tlgWriteTemplate<long (*)(...)>::Write<...>");
    assert_non_null(a);
    assert_string_equal(a->name, "_tlgWriteTemplate");
    a = etw_api_find("tlgWriteEx_EtwWriteEx");
    assert_non_null(a);
    assert_string_equal(a->name, "tlgWrite");
    assert_int_equal(etw_api_find("EtwTraceKernelEvent")->kind, ETW_API_KERNEL);
}

static void etw_api_every_kind_named(void **state)
{
    size_t n;
    const etw_api *t = etw_api_table(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        assert_true(t[i].kind < ETW_API_KIND_COUNT);
        assert_string_not_equal(etw_api_kind_name(t[i].kind), "?");
        /* every name finds itself (no earlier entry shadows it) */
        assert_ptr_equal(etw_api_find(t[i].name), &t[i]);
    }
}

static char *render(void (*fn)(json_w *))
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    json_w w;
    json_init(&w, f);
    fn(&w);
    assert_true(w.ok);
    fclose(f);
    return buf;
}

static void doc_nested(json_w *w)
{
    static const uint8_t guid[16] = {0x23, 0x0d, 0x3c, 0xe1, 0xbc, 0xcc,
                                     0x12, 0x4e, 0x93, 0x1b, 0xd9, 0xcc,
                                     0x2e, 0xee, 0x27, 0xe4};
    json_obj_begin(w);
    json_kv_str(w, "s", "a\"b\\c\n\x01");
    json_kv_hex(w, "rva", 0x1a2b);
    json_key(w, "g");
    json_guid(w, guid);
    json_key(w, "arr");
    json_arr_begin(w);
    json_u64(w, 1);
    json_null(w);
    json_bool(w, false);
    json_arr_begin(w);
    json_arr_end(w);
    json_arr_end(w);
    json_kv_str(w, "bad", "\xff\xc3\xa9");
    json_kv_str(w, "none", NULL);
    json_obj_end(w);
    json_line_end(w);
}

static void json_writer_escapes_and_commas(void **state)
{
    char *s = render(doc_nested);
    assert_string_equal(
        s, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"rva\":\"0x1a2b\","
           "\"g\":\"e13c0d23-ccbc-4e12-931b-d9cc2eee27e4\","
           "\"arr\":[1,null,false,[]],\"bad\":\"\\ufffd\xc3\xa9\",\"none\":null}\n");
    free(s);
}

static void pdb_name_from_untrusted_path(void **state)
{
    char out[64];
    assert_true(sym_pdb_file_name("C:\\build\\x\\ntkrnlmp.pdb", out, sizeof out));
    assert_string_equal(out, "ntkrnlmp.pdb");
    assert_true(sym_pdb_file_name("/a/b/c.pdb", out, sizeof out));
    assert_string_equal(out, "c.pdb");
    assert_true(sym_pdb_file_name("D:x.pdb", out, sizeof out));
    assert_string_equal(out, "x.pdb");
    assert_false(sym_pdb_file_name("..\\..", out, sizeof out));
    assert_false(sym_pdb_file_name("a/..", out, sizeof out));
    assert_false(sym_pdb_file_name("dir\\", out, sizeof out));
    assert_false(sym_pdb_file_name("evil\x1b[2J.pdb", out, sizeof out));
    assert_false(sym_pdb_file_name(NULL, out, sizeof out));
    assert_false(sym_pdb_file_name("averyveryverylongname.pdb", out, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etw_api_exact_and_prefix),
        cmocka_unit_test(etw_api_every_kind_named),
        cmocka_unit_test(json_writer_escapes_and_commas),
        cmocka_unit_test(pdb_name_from_untrusted_path),
    };
    return cmocka_run_group_tests_name("cli_support", tests, NULL, NULL);
}
