/*
 * test_symbols.c - symbol path parsing, store keys, file.ptr, atomic cache
 * writes and cabinet extraction (src/symbols/). Look-up and download end to
 * end, against a local HTTP server: tests/symbols_test.py.
 */
#include "testutil.h"

#include "symbols/pdb_locate.h"
#include "symbols/sym_find.h"
#include "symbols/symsrv_http.h"
#include "symbols/sympath.h"
#include "symbols/symstore.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---- keys ---------------------------------------------------------------- */

static void key_of_known_guids(void **state)
{
    char key[SYM_KEY_SIZE];
    /* FORMATS.md §4.8: dcomp.pdb/648B8DD0780A4E22FA7FA89B84633C231/dcomp.pdb,
     * i.e. GUID {648B8DD0-780A-4E22-FA7F-A89B84633C23} age 1, stored
     * Data1..Data3 little-endian */
    static const uint8_t dcomp[16] = {0xD0, 0x8D, 0x8B, 0x64, 0x0A, 0x78,
                                      0x22, 0x4E, 0xFA, 0x7F, 0xA8, 0x9B,
                                      0x84, 0x63, 0x3C, 0x23};
    sym_key(dcomp, 1, key);
    assert_string_equal(key, "648B8DD0780A4E22FA7FA89B84633C231");
    /* tests/fixtures/kdriver/kdriver.sys as committed in 4bcbf65:
     * `llvm-readobj --coff-debug-directory` prints
     *   PDBGUID: (89 B6 64 DD C1 C1 25 6A 4C 4C 44 20 50 44 42 2E)
     *   PDBAge: 1
     * and `etwmap info` shows dd64b689-c1c1-6a25-4c4c-44205044422e */
    static const uint8_t kdriver[16] = {0x89, 0xB6, 0x64, 0xDD, 0xC1, 0xC1,
                                        0x25, 0x6A, 0x4C, 0x4C, 0x44, 0x20,
                                        0x50, 0x44, 0x42, 0x2E};
    sym_key(kdriver, 1, key);
    assert_string_equal(key, "DD64B689C1C16A254C4C44205044422E1");
}

static void key_age_is_hex_without_leading_zeros(void **state)
{
    uint8_t g[16] = {0};
    char key[SYM_KEY_SIZE];
    sym_key(g, 0, key);
    assert_string_equal(key, "000000000000000000000000000000000");
    sym_key(g, 0x1A, key);
    assert_string_equal(key + 32, "1A");
    memset(g, 0xff, sizeof g);
    sym_key(g, 0xFFFFFFFFu, key); /* the longest key fits */
    assert_int_equal(strlen(key), SYM_KEY_SIZE - 1);
    assert_string_equal(key, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
}

static void names_and_url_paths(void **state)
{
    char out[64];
    assert_true(sym_compressed_name("ntkrnlmp.pdb", out, sizeof out));
    assert_string_equal(out, "ntkrnlmp.pd_");
    assert_true(sym_compressed_name("a", out, sizeof out));
    assert_string_equal(out, "_");
    assert_false(sym_compressed_name("", out, sizeof out));
    assert_false(sym_compressed_name("ntkrnlmp.pdb", out, 5));

    assert_true(sym_url_key_path("ntkrnlmp.pdb", "ABC1", "ntkrnlmp.pd_", out,
                                 sizeof out));
    assert_string_equal(out, "ntkrnlmp.pdb/ABC1/ntkrnlmp.pd_");
    /* everything outside [A-Za-z0-9._~-] is percent-encoded: a name cannot
     * add path segments, queries or fragments to the URL */
    assert_true(sym_url_key_path("a b%?#&+.pdb", "K", "file.ptr", out,
                                 sizeof out));
    assert_string_equal(out, "a%20b%25%3F%23%26%2B.pdb/K/file.ptr");
    assert_true(sym_url_key_path("\xc3\xa9.pdb", "K", "\xc3\xa9.pdb", out,
                                 sizeof out));
    assert_string_equal(out, "%C3%A9.pdb/K/%C3%A9.pdb");
    assert_false(sym_url_key_path("a%b.pdb", "K", "a%b.pdb", out, 12));
}

static void pdb_file_name_guard(void **state)
{
    char out[64];
    assert_true(sym_pdb_file_name("..\\..\\evil.pdb", out, sizeof out));
    assert_string_equal(out, "evil.pdb");
    assert_true(sym_pdb_file_name("/etc/x.pdb", out, sizeof out));
    assert_string_equal(out, "x.pdb");
    assert_false(sym_pdb_file_name("..", out, sizeof out));
    assert_false(sym_pdb_file_name("x/.", out, sizeof out));
    assert_false(sym_pdb_file_name("", out, sizeof out));
    assert_false(sym_pdb_file_name("a\x7f.pdb", out, sizeof out));
}

/* ---- file.ptr -------------------------------------------------------------- */

static void ptr_parse(void **state)
{
    char t[64];
    const char *s = "PATH:\\\\server\\share\\x.pdb\r\nmore";
    assert_int_equal(sym_ptr_parse(s, strlen(s), t, sizeof t), SYM_PTR_PATH);
    assert_string_equal(t, "\\\\server\\share\\x.pdb");
    s = "  path:/srv/sym/x.pdb  \n";
    assert_int_equal(sym_ptr_parse(s, strlen(s), t, sizeof t), SYM_PTR_PATH);
    assert_string_equal(t, "/srv/sym/x.pdb");
    s = "/bare/path.pdb";
    assert_int_equal(sym_ptr_parse(s, strlen(s), t, sizeof t), SYM_PTR_PATH);
    assert_string_equal(t, "/bare/path.pdb");
    s = "MSG:gone\x1b[2J";
    assert_int_equal(sym_ptr_parse(s, strlen(s), t, sizeof t), SYM_PTR_MSG);
    assert_string_equal(t, "gone?[2J"); /* no escape sequences reach the tty */
    assert_int_equal(sym_ptr_parse("", 0, t, sizeof t), SYM_PTR_BAD);
    assert_int_equal(sym_ptr_parse("PATH:", 5, t, sizeof t), SYM_PTR_BAD);
    assert_int_equal(sym_ptr_parse("a\x01" "b", 3, t, sizeof t), SYM_PTR_BAD);
    s = "PATH:/a/very/long/path/that/does/not/fit.pdb";
    assert_int_equal(sym_ptr_parse(s, strlen(s), t, 10), SYM_PTR_BAD);
}

static void same_origin(void **state)
{
    assert_true(sym_http_same_origin("http://h:80/a", "HTTP://H/b/c"));
    assert_true(sym_http_same_origin("https://h/a", "https://h:443/"));
    assert_false(sym_http_same_origin("http://h/a", "https://h/a"));
    assert_false(sym_http_same_origin("http://h:1/a", "http://h:2/a"));
    assert_false(sym_http_same_origin("http://h/a", "http://g/a"));
    assert_false(sym_http_same_origin("http://h/a", "/etc/passwd"));
    assert_false(sym_http_same_origin("http://h/a", "file:///etc/passwd"));
}

/* ---- symbol path ----------------------------------------------------------- */

static const sym_env env_home = {.home = "/h"};

static sym_path parse_ok(const char *text, const sym_env *e)
{
    sym_path p;
    ew_diag d;
    ew_diag_init(&d, "--symbol-path");
    ew_status s = sym_path_parse(&p, text, e, &d);
    if (s != EW_OK) {
        char buf[512];
        fail_msg("%s: %s", text, ew_diag_format(&d, buf, sizeof buf));
    }
    return p;
}

static void expect_bad(const char *text, const sym_env *e, ew_status want,
                       const char *what, const char *words)
{
    sym_path p;
    ew_diag d;
    ew_diag_init(&d, "--symbol-path");
    char buf[512];
    assert_int_equal(sym_path_parse(&p, text, e, &d), want);
    ew_diag_format(&d, buf, sizeof buf);
    if (what)
        assert_string_equal(d.what, what);
    if (words && !strstr(buf, words))
        fail_msg("'%s' does not say '%s'", buf, words);
    assert_int_equal(p.n, 0);
    sym_path_free(&p);
}

#define ASSERT_STORE(el, i, loc_, http_)                  \
    do {                                                  \
        assert_string_equal((el)->stores[i].loc, (loc_)); \
        assert_int_equal((el)->stores[i].http, (http_));  \
    } while (0)

static void path_default_and_cache_location(void **state)
{
    sym_path p = parse_ok(NULL, &env_home);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.el[0].kind, SYM_EL_SRV);
    assert_int_equal(p.el[0].n_stores, 1);
    ASSERT_STORE(&p.el[0], 0, "/h/.cache/etwmap/symbols", false);
    sym_path_free(&p);

    sym_env e = {.home = "/h", .xdg_cache_home = "/x/"};
    p = parse_ok(NULL, &e);
    ASSERT_STORE(&p.el[0], 0, "/x/etwmap/symbols", false);
    sym_path_free(&p);
    e.xdg_cache_home = "relative"; /* ignored, as the XDG spec says */
    p = parse_ok(NULL, &e);
    ASSERT_STORE(&p.el[0], 0, "/h/.cache/etwmap/symbols", false);
    sym_path_free(&p);
    /* neither: no default cache, so the default path is empty */
    sym_env none = {0};
    p = parse_ok(NULL, &none);
    assert_int_equal(p.n, 0);
    assert_null(p.default_cache);
    sym_path_free(&p);
}

static void path_srv_forms(void **state)
{
    sym_path p = parse_ok(
        "srv*/c*https://msdl.microsoft.com/download/symbols/", &env_home);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.el[0].kind, SYM_EL_SRV);
    assert_int_equal(p.el[0].n_stores, 2);
    ASSERT_STORE(&p.el[0], 0, "/c", false);
    ASSERT_STORE(&p.el[0], 1, "https://msdl.microsoft.com/download/symbols",
                 true);
    sym_path_free(&p);

    /* srv*URL and srv**URL: the default cache keeps what is downloaded */
    const char *forms[] = {"srv*http://s/", "srv**http://s", "SRV**HTTP://s"};
    for (size_t i = 0; i < 3; i++) {
        p = parse_ok(forms[i], &env_home);
        assert_int_equal(p.el[0].n_stores, 2);
        ASSERT_STORE(&p.el[0], 0, "/h/.cache/etwmap/symbols", false);
        assert_true(p.el[0].stores[1].http);
        sym_path_free(&p);
    }

    /* srv*: default cache + Microsoft's server, or ETWMAP_SYMBOL_SERVER */
    p = parse_ok("srv*", &env_home);
    assert_int_equal(p.el[0].n_stores, 2);
    ASSERT_STORE(&p.el[0], 0, "/h/.cache/etwmap/symbols", false);
    ASSERT_STORE(&p.el[0], 1, SYM_MICROSOFT_SERVER, true);
    sym_path_free(&p);
    sym_env e = {.home = "/h", .server = "http://mirror:8080/sym/"};
    p = parse_ok(" srv* ", &e);
    ASSERT_STORE(&p.el[0], 1, "http://mirror:8080/sym", true);
    sym_path_free(&p);
    /* ... which changes nothing where a URL is given */
    p = parse_ok("srv*/c*https://x", &e);
    ASSERT_STORE(&p.el[0], 1, "https://x", true);
    sym_path_free(&p);

    /* symsrv*DLL*..., local-only chains, duplicates, ~ */
    p = parse_ok("symsrv*symsrv.dll*~/sym*http://s", &env_home);
    assert_int_equal(p.el[0].n_stores, 2);
    ASSERT_STORE(&p.el[0], 0, "/h/sym", false);
    sym_path_free(&p);
    p = parse_ok("srv*/a*/b/*/a*/c", &env_home);
    assert_int_equal(p.el[0].n_stores, 3);
    ASSERT_STORE(&p.el[0], 1, "/b", false);
    ASSERT_STORE(&p.el[0], 2, "/c", false);
    sym_path_free(&p);
}

static void path_elements_in_order(void **state)
{
    sym_path p = parse_ok(
        " cache*;cache*/d/ ;; /plain dir ;~;srv*/s*http://x; ", &env_home);
    assert_int_equal(p.n, 5);
    assert_int_equal(p.el[0].kind, SYM_EL_CACHE);
    ASSERT_STORE(&p.el[0], 0, "/h/.cache/etwmap/symbols", false);
    assert_int_equal(p.el[1].kind, SYM_EL_CACHE);
    ASSERT_STORE(&p.el[1], 0, "/d", false);
    assert_int_equal(p.el[2].kind, SYM_EL_DIR);
    ASSERT_STORE(&p.el[2], 0, "/plain dir", false);
    assert_int_equal(p.el[3].kind, SYM_EL_DIR);
    ASSERT_STORE(&p.el[3], 0, "/h", false);
    assert_int_equal(p.el[4].kind, SYM_EL_SRV);
    char buf[256];
    assert_string_equal(sym_path_format(&p, buf, sizeof buf),
                        "cache*/h/.cache/etwmap/symbols;cache*/d;/plain dir;"
                        "/h;srv*/s*http://x");
    sym_path_free(&p);
    p = parse_ok("", &env_home); /* empty: nothing at all */
    assert_int_equal(p.n, 0);
    sym_path_free(&p);
    p = parse_ok("/", &env_home);
    ASSERT_STORE(&p.el[0], 0, "/", false);
    sym_path_free(&p);
}

static void path_errors(void **state)
{
    expect_bad("srv*http://s*/c", &env_home, EW_E_USAGE, "element 1",
               "must be the last");
    expect_bad("/ok;C:\\symbols", &env_home, EW_E_USAGE, "element 2",
               "Windows path");
    expect_bad("srv*\\\\server\\share*http://s", &env_home, EW_E_USAGE,
               "element 1", "Windows path");
    expect_bad(";;http://s", &env_home, EW_E_USAGE, "element 3",
               "belongs in a srv*");
    expect_bad("cache*http://s", &env_home, EW_E_USAGE, NULL, "srv*");
    expect_bad("ftp://s/x", &env_home, EW_E_USAGE, NULL, "only http://");
    expect_bad("srv*/c*file:///x", &env_home, EW_E_USAGE, NULL,
               "only http://");
    expect_bad("foo*bar", &env_home, EW_E_USAGE, NULL, "unknown element");
    expect_bad("symsrv*symsrv.dll", &env_home, EW_E_USAGE, NULL, NULL);
    sym_env nohome = {0};
    expect_bad("~/sym", &nohome, EW_E_USAGE, NULL, "$HOME");
    expect_bad("srv**http://s", &nohome, EW_E_USAGE, NULL, "default cache");
    sym_env badsrv = {.home = "/h", .server = "/not/a/url"};
    expect_bad("srv*", &badsrv, EW_E_USAGE, NULL, "ETWMAP_SYMBOL_SERVER");

    /* caps: at the cap and one past it */
    char *text = malloc(SYM_MAX_PATH_TEXT + 2);
    assert_non_null(text);
    size_t k = 0;
    for (int i = 0; i < SYM_MAX_ELEMENTS; i++)
        k += (size_t)sprintf(text + k, "/d%d;", i);
    sym_path p = parse_ok(text, &env_home);
    assert_int_equal(p.n, SYM_MAX_ELEMENTS);
    sym_path_free(&p);
    strcpy(text + k, "/one-more");
    expect_bad(text, &env_home, EW_E_LIMIT, NULL, "64 elements");
    k = (size_t)sprintf(text, "srv");
    for (int i = 0; i < SYM_MAX_CHAIN; i++)
        k += (size_t)sprintf(text + k, "*/s%d", i);
    p = parse_ok(text, &env_home);
    assert_int_equal(p.el[0].n_stores, SYM_MAX_CHAIN);
    sym_path_free(&p);
    strcpy(text + k, "*/s-one-more");
    expect_bad(text, &env_home, EW_E_LIMIT, "element 1", "stores");
    memset(text, '/', SYM_MAX_PATH_TEXT);
    text[SYM_MAX_PATH_TEXT] = 0;
    p = parse_ok(text, &env_home);
    sym_path_free(&p);
    text[SYM_MAX_PATH_TEXT] = '/';
    text[SYM_MAX_PATH_TEXT + 1] = 0;
    expect_bad(text, &env_home, EW_E_LIMIT, NULL, "bytes");
    free(text);
}

/* ---- atomic writes ------------------------------------------------------------ */

static char tmp_root[256];

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int make_tmp_root(void **state)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/etwmap-test-symbols-XXXXXX");
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int remove_tmp_root(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_abort_leaves_nothing(void **state)
{
    char store[512], why[256];
    snprintf(store, sizeof store, "%s/abort/cache", tmp_root);
    sym_tmp t;
    assert_int_equal(sym_tmp_create(&t, store, "x.pdb", "K1", why, sizeof why),
                     EW_OK);
    assert_true(t.fd >= 0);
    assert_non_null(strstr(t.path, "/x.pdb/K1/" SYM_TMP_PREFIX));
    assert_string_equal(strrchr(t.final, '/'), "/x.pdb");
    assert_int_equal(sym_tmp_write(&t, "data", 4, why, sizeof why), EW_OK);
    sym_tmp_abort(&t);
    /* the store, x.pdb/ and K1/ were made for this write: all gone */
    char parent[512];
    snprintf(parent, sizeof parent, "%s/abort", tmp_root);
    assert_int_equal(count_entries(parent), 0);
    sym_tmp_abort(&t); /* twice is harmless */
}

static void tmp_commit_renames(void **state)
{
    char store[512], why[256];
    snprintf(store, sizeof store, "%s/commit", tmp_root);
    sym_tmp t;
    assert_int_equal(sym_tmp_create(&t, store, "x.pdb", "K1", why, sizeof why),
                     EW_OK);
    assert_int_equal(sym_tmp_write(&t, "data", 4, why, sizeof why), EW_OK);
    assert_int_equal(sym_tmp_commit(&t, why, sizeof why), EW_OK);
    size_t n;
    uint8_t *b = read_whole_file(t.final, &n);
    assert_non_null(b);
    assert_int_equal(n, 4);
    assert_memory_equal(b, "data", 4);
    free(b);
    char dir[600];
    snprintf(dir, sizeof dir, "%s/x.pdb/K1", store);
    assert_int_equal(count_entries(dir), 1); /* no temporary file left */
    struct stat st;
    assert_int_equal(stat(t.final, &st), 0);
    assert_true(st.st_mode & S_IRUSR);
    sym_tmp_abort(&t); /* after commit: keeps the file and directories */
    assert_int_equal(stat(t.final, &st), 0);

    /* a second write replaces it; old debris of a killed run goes, a young
     * temporary file (another etwmap at work) stays */
    char old[700], young[700];
    snprintf(old, sizeof old, "%s/" SYM_TMP_PREFIX "old", dir);
    snprintf(young, sizeof young, "%s/" SYM_TMP_PREFIX "young", dir);
    FILE *f = fopen(old, "w");
    assert_non_null(f);
    fclose(f);
    f = fopen(young, "w");
    assert_non_null(f);
    fclose(f);
    struct timeval tv[2] = {{time(NULL) - SYM_STALE_TMP_SECONDS - 60, 0},
                            {time(NULL) - SYM_STALE_TMP_SECONDS - 60, 0}};
    assert_int_equal(utimes(old, tv), 0);
    assert_int_equal(sym_tmp_create(&t, store, "x.pdb", "K1", why, sizeof why),
                     EW_OK);
    assert_int_equal(sym_tmp_write(&t, "new!!", 5, why, sizeof why), EW_OK);
    assert_int_equal(sym_tmp_commit(&t, why, sizeof why), EW_OK);
    assert_int_not_equal(stat(old, &st), 0);
    assert_int_equal(stat(young, &st), 0);
    assert_int_equal(stat(t.final, &st), 0);
    assert_int_equal(st.st_size, 5);
}

static void tmp_create_failure_says_why(void **state)
{
    char store[512], why[256] = "";
    snprintf(store, sizeof store, "%s/file", tmp_root);
    FILE *f = fopen(store, "w"); /* a file where the store should be */
    assert_non_null(f);
    fclose(f);
    sym_tmp t;
    assert_int_equal(sym_tmp_create(&t, store, "x.pdb", "K1", why, sizeof why),
                     EW_E_IO);
    assert_non_null(strstr(why, store));
    assert_int_equal(t.fd, -1);
}

/* ---- cabinets ---------------------------------------------------------------- */

/* An uncompressed cabinet (typeCompress 0) with the given files, all in one
 * folder and one data block (MS-CAB: CFHEADER, CFFOLDER, CFFILE, CFDATA). */
static tbuf make_cab(const char *const *names, const char *const *data,
                     int n_files, uint16_t flags)
{
    tbuf b = {0};
    size_t total_data = 0;
    for (int i = 0; i < n_files; i++)
        total_data += strlen(data[i]);
    size_t set_names = flags ? 4 : 0; /* "p\0d\0" for the previous cabinet */
    size_t files_size = 0;
    for (int i = 0; i < n_files; i++)
        files_size += 16 + strlen(names[i]) + 1;
    size_t off_files = 36 + set_names + 8;
    size_t off_data = off_files + files_size;
    size_t total = off_data + 8 + total_data;
    putn(&b, "MSCF", 4);
    put32(&b, 0);
    put32(&b, (uint32_t)total);
    put32(&b, 0);
    put32(&b, (uint32_t)off_files);
    put32(&b, 0);
    put8(&b, 3);  /* versionMinor */
    put8(&b, 1);  /* versionMajor */
    put16(&b, 1); /* folders */
    put16(&b, (uint16_t)n_files);
    put16(&b, flags);
    put16(&b, 0x1234); /* set id */
    put16(&b, flags ? 1 : 0);
    if (flags)
        putn(&b, "p\0d\0", 4);
    put32(&b, (uint32_t)off_data); /* CFFOLDER */
    put16(&b, 1);
    put16(&b, 0);
    uint32_t pos = 0;
    for (int i = 0; i < n_files; i++) { /* CFFILE */
        put32(&b, (uint32_t)strlen(data[i]));
        put32(&b, pos);
        put16(&b, 0);
        put16(&b, 0x5821); /* date */
        put16(&b, 0);
        put16(&b, 0x20);
        putz(&b, names[i]);
        pos += (uint32_t)strlen(data[i]);
    }
    put32(&b, 0); /* CFDATA: no checksum */
    put16(&b, (uint16_t)total_data);
    put16(&b, (uint16_t)total_data);
    for (int i = 0; i < n_files; i++)
        putn(&b, data[i], strlen(data[i]));
    assert_int_equal(b.n, total);
    return b;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void cab_single_file(void **state)
{
    const char *names[] = {"..\\..\\evil.pdb"}; /* ignored: we name the output */
    const char *data[] = {"Microsoft C/C++ MSF 7.00 pretend"};
    tbuf cab = make_cab(names, data, 1, 0);
    char in[512], out[512], why[256];
    snprintf(in, sizeof in, "%s/one.pd_", tmp_root);
    snprintf(out, sizeof out, "%s/one.out", tmp_root);
    write_file(in, cab.b, cab.n);
    tb_free(&cab);
    int fd = open(in, O_RDONLY);
    assert_true(sym_is_cab(fd));
    close(fd);
    assert_int_equal(sym_cab_extract(in, out, why, sizeof why), EW_OK);
    size_t got;
    uint8_t *b = read_whole_file(out, &got);
    assert_non_null(b);
    assert_int_equal(got, strlen(data[0]));
    assert_memory_equal(b, data[0], got);
    free(b);
}

static void cab_refusals(void **state)
{
    char in[512], out[512], why[256];
    snprintf(in, sizeof in, "%s/bad.pd_", tmp_root);
    snprintf(out, sizeof out, "%s/bad.out", tmp_root);
    const char *names[] = {"a.pdb", "b.pdb"};
    const char *data[] = {"aaaa", "bbbb"};
    tbuf cab = make_cab(names, data, 2, 0);
    write_file(in, cab.b, cab.n);
    tb_free(&cab);
    assert_int_equal(sym_cab_extract(in, out, why, sizeof why), EW_E_BAD_VALUE);
    assert_non_null(strstr(why, "several files"));
    cab = make_cab(names, data, 1, 1 /* PREVCAB */);
    write_file(in, cab.b, cab.n);
    tb_free(&cab);
    assert_int_equal(sym_cab_extract(in, out, why, sizeof why),
                     EW_E_UNSUPPORTED);
    assert_non_null(strstr(why, "cabinet set"));
    write_file(in, "MSCF garbage", 12);
    assert_int_not_equal(sym_cab_extract(in, out, why, sizeof why), EW_OK);
    assert_non_null(strstr(why, "truncated"));
    write_file(in, "not a cab at all, and long enough to hold a cabinet header", 58);
    int fd = open(in, O_RDONLY);
    assert_false(sym_is_cab(fd));
    close(fd);
    assert_int_not_equal(sym_cab_extract(in, out, why, sizeof why), EW_OK);
    if (!strstr(why, "not a cabinet"))
        fail_msg("%s", why);
}

/* ---- names for messages --------------------------------------------------------- */

static void state_and_how_names(void **state)
{
    for (int i = 0; i < SYM_STATE_COUNT; i++)
        assert_string_not_equal(sym_state_name((sym_state)i), "unknown");
    for (int i = 0; i < SYM_HOW_COUNT; i++)
        assert_string_not_equal(sym_how_name((sym_how)i), "unknown");
    assert_string_equal(sym_state_name(SYM_STATE_COUNT), "unknown");
    assert_string_equal(sym_how_name(SYM_HOW_DOWNLOADED), "downloaded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_of_known_guids),
        cmocka_unit_test(key_age_is_hex_without_leading_zeros),
        cmocka_unit_test(names_and_url_paths),
        cmocka_unit_test(pdb_file_name_guard),
        cmocka_unit_test(ptr_parse),
        cmocka_unit_test(same_origin),
        cmocka_unit_test(path_default_and_cache_location),
        cmocka_unit_test(path_srv_forms),
        cmocka_unit_test(path_elements_in_order),
        cmocka_unit_test(path_errors),
        cmocka_unit_test(tmp_abort_leaves_nothing),
        cmocka_unit_test(tmp_commit_renames),
        cmocka_unit_test(tmp_create_failure_says_why),
        cmocka_unit_test(cab_single_file),
        cmocka_unit_test(cab_refusals),
        cmocka_unit_test(state_and_how_names),
    };
    return cmocka_run_group_tests_name("symbols", tests, make_tmp_root,
                                       remove_tmp_root);
}
