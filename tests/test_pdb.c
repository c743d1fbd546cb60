/*
 * test_pdb.c - MSF container and PDB reader (src/format/msf.c, pdb.c).
 *
 * Most tests build their input here: a small MSF writer (tmsf_*) lays out
 * streams in blocks the way msf.cpp does (superblock in block 0, free block
 * maps in blocks 1 and 2 of every BlockSize interval, streams, directory,
 * block map), and a PDB builder (tpdb_*) fills the streams with an info
 * stream, a DBI stream, section headers, symbol records and module streams.
 * Corruption tests patch the built bytes and expect the exact status,
 * structure and file offset.
 *
 * With PDB_WRITE_SEEDS=DIR the crafted files are also written to DIR (the
 * fuzz seeds in fuzz/corpus/pdb come from here).
 *
 * Corpus tests use ../shared/corpus and skip without it; the expected values
 * were read with llvm-pdbutil 14 (commands in each test's comment).
 */
#include "testutil.h"

#include "base/ew.h"
#include "base/ew_guid.h"
#include "format/msf.h"
#include "format/pdb.h"

#include <dirent.h>
#include <stdbool.h>

/* ---- MSF writer --------------------------------------------------------- */

typedef struct tstream {
    const uint8_t *data;
    uint32_t size;
    bool nil;
} tstream;

typedef struct tmsf {
    uint8_t *data;
    size_t size;
    uint32_t bs, n_blocks, n_streams;
    uint32_t dir_size, n_dir, n_map;
    uint32_t *dir;      /* directory blocks */
    uint32_t *map;      /* block map blocks */
    uint32_t **blocks;  /* per stream */
    uint32_t *sizes;
} tmsf;

static uint32_t next_block(uint32_t *cur, uint32_t bs)
{
    uint32_t b = (*cur)++;
    while (b % bs == 1 || b % bs == 2 || b == 0)
        b = (*cur)++;
    return b;
}

/* Lays out ns streams with block size bs. scatter reverses each stream's
 * blocks so no multi-block stream is contiguous. */
static void tmsf_build(tmsf *m, uint32_t bs, const tstream *s, uint32_t ns,
                       bool scatter)
{
    memset(m, 0, sizeof *m);
    m->bs = bs;
    m->n_streams = ns;
    m->blocks = calloc(ns ? ns : 1, sizeof *m->blocks);
    m->sizes = calloc(ns ? ns : 1, sizeof *m->sizes);
    uint32_t cur = 3;
    tbuf dir = {0};
    put32(&dir, ns);
    for (uint32_t i = 0; i < ns; i++) {
        m->sizes[i] = s[i].nil ? 0xFFFFFFFFu : s[i].size;
        put32(&dir, m->sizes[i]);
    }
    for (uint32_t i = 0; i < ns; i++) {
        uint32_t nb = s[i].nil ? 0 : (s[i].size + bs - 1) / bs;
        m->blocks[i] = calloc(nb ? nb : 1, sizeof(uint32_t));
        for (uint32_t j = 0; j < nb; j++)
            m->blocks[i][j] = next_block(&cur, bs);
        if (scatter)
            for (uint32_t j = 0; j < nb / 2; j++) {
                uint32_t t = m->blocks[i][j];
                m->blocks[i][j] = m->blocks[i][nb - 1 - j];
                m->blocks[i][nb - 1 - j] = t;
            }
        for (uint32_t j = 0; j < nb; j++)
            put32(&dir, m->blocks[i][j]);
    }
    m->dir_size = (uint32_t)dir.n;
    m->n_dir = (m->dir_size + bs - 1) / bs;
    m->dir = calloc(m->n_dir, sizeof(uint32_t));
    for (uint32_t j = 0; j < m->n_dir; j++)
        m->dir[j] = next_block(&cur, bs);
    m->n_map = (m->n_dir * 4 + bs - 1) / bs;
    m->map = calloc(m->n_map, sizeof(uint32_t));
    for (uint32_t j = 0; j < m->n_map; j++)
        m->map[j] = next_block(&cur, bs);
    m->n_blocks = cur;
    m->size = (size_t)m->n_blocks * bs;
    m->data = calloc(1, m->size);
    uint8_t *d = m->data;
    memcpy(d, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    wr32(d + 32, bs);
    wr32(d + 36, 1);
    wr32(d + 40, m->n_blocks);
    wr32(d + 44, m->dir_size);
    for (uint32_t j = 0; j < m->n_map; j++)
        wr32(d + 52 + 4 * j, m->map[j]);
    for (uint32_t b = 1; b < m->n_blocks; b++) /* free block maps: "free" */
        if (b % bs == 1 || b % bs == 2)
            memset(d + (size_t)b * bs, 0xFF, bs);
    for (uint32_t i = 0; i < ns; i++)
        for (uint32_t off = 0; !s[i].nil && off < s[i].size; off += bs) {
            uint32_t n = s[i].size - off < bs ? s[i].size - off : bs;
            memcpy(d + (size_t)m->blocks[i][off / bs] * bs, s[i].data + off,
                   n);
        }
    for (uint32_t off = 0; off < m->dir_size; off += bs) {
        uint32_t n = m->dir_size - off < bs ? m->dir_size - off : bs;
        memcpy(d + (size_t)m->dir[off / bs] * bs, dir.b + off, n);
    }
    for (uint32_t j = 0; j < m->n_dir; j++)
        wr32(d + (size_t)m->map[j / (bs / 4)] * bs + 4 * (j % (bs / 4)),
              m->dir[j]);
    tb_free(&dir);
}

static void tmsf_free(tmsf *m)
{
    for (uint32_t i = 0; i < m->n_streams; i++)
        free(m->blocks[i]);
    free(m->blocks);
    free(m->sizes);
    free(m->dir);
    free(m->map);
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* File offset of byte off of the directory / of stream i. */
static uint64_t tmsf_dir_off(const tmsf *m, uint32_t off)
{
    return (uint64_t)m->dir[off / m->bs] * m->bs + off % m->bs;
}
static uint64_t tmsf_stream_off(const tmsf *m, uint32_t i, uint32_t off)
{
    return (uint64_t)m->blocks[i][off / m->bs] * m->bs + off % m->bs;
}
/* Directory offset of stream i's block j entry. */
static uint32_t tmsf_block_entry(const tmsf *m, uint32_t i, uint32_t j)
{
    uint32_t off = 4 + 4 * m->n_streams;
    for (uint32_t k = 0; k < i; k++)
        if (m->sizes[k] != 0xFFFFFFFFu)
            off += 4 * ((m->sizes[k] + m->bs - 1) / m->bs);
    return off + 4 * j;
}

static void write_seed(const char *name, const uint8_t *data, size_t size)
{
    const char *dir = getenv("PDB_WRITE_SEEDS");
    if (!dir)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(write_whole_file(path, data, size), 0);
}

/* ---- MSF tests ---------------------------------------------------------- */

static uint8_t *pattern(uint32_t n, uint8_t seed)
{
    uint8_t *p = malloc(n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
    return p;
}

static void check_roundtrip(uint32_t bs, bool scatter)
{
    enum { NS = 7 };
    const uint32_t sizes[NS] = {0, 1, bs - 1, bs, bs + 1, 5 * bs + 3, 100};
    tstream s[NS];
    uint8_t *pat[NS];
    for (int i = 0; i < NS; i++) {
        pat[i] = pattern(sizes[i], (uint8_t)i);
        s[i] = (tstream){pat[i], sizes[i], false};
    }
    s[6].nil = true;
    tmsf m;
    tmsf_build(&m, bs, s, NS, scatter);
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    ew_arena a;
    ew_arena_init(&a, 0);
    msf_file f;
    assert_int_equal(msf_open(&f, m.data, m.size, &a, &d), EW_OK);
    assert_int_equal(f.block_size, bs);
    assert_int_equal(f.n_blocks, m.n_blocks);
    assert_int_equal(f.n_streams, NS);
    assert_false(msf_stream_present(&f, 6));
    assert_false(msf_stream_present(&f, NS));
    for (int i = 0; i < NS; i++) {
        ew_rd r;
        ew_diag sd;
        ew_diag_init(&sd, "t.pdb");
        assert_int_equal(msf_stream_view(&f, (uint32_t)i, SIZE_MAX, &a, "s",
                                         &sd, &r, &d),
                         EW_OK);
        uint32_t want = i == 6 ? 0 : sizes[i];
        assert_int_equal(r.size, want);
        if (want)
            assert_memory_equal(r.base, pat[i], want);
        if (want > 3) { /* a prefix, and offsets back to the file */
            assert_int_equal(msf_stream_view(&f, (uint32_t)i, 3, &a, "s",
                                             &sd, &r, &d),
                             EW_OK);
            assert_int_equal(r.size, 3);
            assert_int_equal(msf_stream_file_off(&f, (uint32_t)i, want - 1),
                             tmsf_stream_off(&m, (uint32_t)i, want - 1));
        }
    }
    ew_arena_free(&a);
    char name[64];
    snprintf(name, sizeof name, "msf-%u%s.msf", bs, scatter ? "-scatter" : "");
    if (bs <= 1024)
        write_seed(name, m.data, m.size);
    tmsf_free(&m);
    for (int i = 0; i < NS; i++)
        free(pat[i]);
}

static void msf_streams_read_back_exactly(void **state)
{
    check_roundtrip(512, false);
    check_roundtrip(512, true);
    check_roundtrip(1024, true);
    check_roundtrip(4096, false);
    check_roundtrip(4096, true);
    check_roundtrip(8192, true);
}

/* 20,000 streams at BlockSize 512: the directory (80 KB, 157 blocks) has
 * more block indices than one block holds, so the superblock lists two
 * block map blocks. */
static void msf_directory_spans_several_map_blocks(void **state)
{
    enum { NS = 20000 };
    tstream *s = calloc(NS, sizeof *s);
    uint8_t *p1 = pattern(1500, 1), *p2 = pattern(700, 2);
    for (int i = 0; i < NS; i++)
        s[i].nil = true;
    s[5] = (tstream){p1, 1500, false};
    s[19999] = (tstream){p2, 700, false};
    tmsf m;
    tmsf_build(&m, 512, s, NS, true);
    assert_int_equal(m.n_map, 2);
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    ew_arena a;
    ew_arena_init(&a, 0);
    msf_file f;
    assert_int_equal(msf_open(&f, m.data, m.size, &a, &d), EW_OK);
    assert_int_equal(f.n_streams, NS);
    ew_rd r;
    assert_int_equal(msf_stream_view(&f, 5, SIZE_MAX, &a, "s", NULL, &r, &d),
                     EW_OK);
    assert_int_equal(r.size, 1500);
    assert_memory_equal(r.base, p1, 1500);
    assert_int_equal(
        msf_stream_view(&f, 19999, SIZE_MAX, &a, "s", NULL, &r, &d), EW_OK);
    assert_int_equal(r.size, 700);
    assert_memory_equal(r.base, p2, 700);
    ew_arena_free(&a);

    /* the second block map block's entry in the superblock, corrupted */
    wr32(m.data + 56, m.map[0]);
    ew_arena_init(&a, 0);
    assert_int_equal(msf_open(&f, m.data, m.size, &a, &d), EW_E_LOOP);
    assert_string_equal(d.what, "MSF superblock");
    assert_int_equal(d.off, 56);
    ew_arena_free(&a);
    tmsf_free(&m);
    free(s);
    free(p1);
    free(p2);
}

/* A small valid MSF for the corruption tests: 4 streams, BlockSize 512. */
static void small_msf(tmsf *m, uint8_t **pat)
{
    static const uint32_t sizes[4] = {0, 600, 1200, 10};
    tstream s[4];
    for (int i = 0; i < 4; i++) {
        pat[i] = pattern(sizes[i], (uint8_t)(i + 9));
        s[i] = (tstream){pat[i], sizes[i], false};
    }
    tmsf_build(m, 512, s, 4, true);
}

static ew_status open_msf(const uint8_t *data, size_t size, ew_diag *d)
{
    ew_diag_init(d, "t.pdb");
    ew_arena a;
    ew_arena_init(&a, 0);
    msf_file f;
    ew_status s = msf_open(&f, data, size, &a, d);
    ew_arena_free(&a);
    return s;
}

/* Cutting the file inside each superblock field fails at that field;
 * once the fixed fields are there, NumBlocks no longer fits the file. */
static void msf_superblock_truncation_ladder(void **state)
{
    tmsf m;
    uint8_t *pat[4];
    small_msf(&m, pat);
    ew_diag d;
    for (size_t cut = 0; cut < 600; cut++) {
        ew_status s = open_msf(m.data, cut, &d);
        assert_string_equal(d.what, "MSF superblock");
        if (cut < 32) {
            assert_int_equal(s, EW_E_TRUNCATED);
            assert_int_equal(d.off, 0);
        } else if (cut < 52) { /* BlockSize .. the unknown field at 48 */
            assert_int_equal(s, EW_E_TRUNCATED);
            assert_int_equal(d.off, 32 + (cut - 32) / 4 * 4);
        } else {
            assert_int_equal(s, EW_E_BAD_COUNT);
            assert_int_equal(d.off, 40);
        }
    }
    /* one block short of NumBlocks */
    assert_int_equal(open_msf(m.data, m.size - 1, &d), EW_E_BAD_COUNT);
    assert_int_equal(d.off, 40);
    assert_int_equal(open_msf(m.data, m.size, &d), EW_OK);
    tmsf_free(&m);
    for (int i = 0; i < 4; i++)
        free(pat[i]);
}

typedef struct patch_case {
    const char *name;
    uint64_t off;      /* where to write */
    uint32_t value;
    ew_status status;
    const char *what;
    uint64_t diag_off;
} patch_case;

static void msf_corruptions_are_named(void **state)
{
    tmsf m;
    uint8_t *pat[4];
    small_msf(&m, pat);
    uint64_t size_1 = tmsf_dir_off(&m, 4 + 4 * 1);     /* stream 1 size */
    uint64_t blk_2_1 = tmsf_dir_off(&m, tmsf_block_entry(&m, 2, 1));
    uint64_t map0 = (uint64_t)m.map[0] * m.bs;         /* first dir block */
    const patch_case cases[] = {
        {"magic", 3, 0x41414141, EW_E_BAD_MAGIC, "MSF superblock", 0},
        {"block size 1000", 32, 1000, EW_E_BAD_VALUE, "MSF superblock", 32},
        {"block size 256", 32, 256, EW_E_BAD_VALUE, "MSF superblock", 32},
        {"fpm block 3", 36, 3, EW_E_BAD_VALUE, "MSF superblock", 36},
        {"NumBlocks 0", 40, 0, EW_E_BAD_VALUE, "MSF superblock", 40},
        {"NumBlocks 4G", 40, 0xFFFFFFFF, EW_E_BAD_COUNT, "MSF superblock",
         40},
        {"dir bytes 2", 44, 2, EW_E_BAD_VALUE, "MSF superblock", 44},
        {"dir bytes 2G", 44, 0x80000000, EW_E_BAD_COUNT, "MSF superblock",
         44},
        {"map at block 0", 52, 0, EW_E_LOOP, "MSF superblock", 52},
        {"map past end", 52, 5000, EW_E_BAD_VALUE, "MSF superblock", 52},
        {"map on fpm", 52, 2, EW_E_BAD_VALUE, "MSF superblock", 52},
        {"dir block past end", map0, 99999, EW_E_BAD_VALUE, "MSF block map",
         map0},
        {"dir block = map block", map0, m.map[0], EW_E_LOOP, "MSF block map",
         map0},
        {"NumStreams huge", tmsf_dir_off(&m, 0), 0x7FFFFFFF, EW_E_LIMIT,
         "MSF stream directory", tmsf_dir_off(&m, 0)},
        {"NumStreams > dir", tmsf_dir_off(&m, 0), 1000, EW_E_BAD_COUNT,
         "MSF stream directory", tmsf_dir_off(&m, 0)},
        /* at MSF_MAX_STREAMS the cap passes (and the room check fails);
         * one past it is the cap */
        {"NumStreams at cap", tmsf_dir_off(&m, 0), 1u << 20, EW_E_BAD_COUNT,
         "MSF stream directory", tmsf_dir_off(&m, 0)},
        {"NumStreams past cap", tmsf_dir_off(&m, 0), (1u << 20) + 1,
         EW_E_LIMIT, "MSF stream directory", tmsf_dir_off(&m, 0)},
        {"stream size absurd", size_1, 0x7FFFFFF0, EW_E_BAD_COUNT,
         "MSF stream directory", size_1},
        /* 3 more blocks than the block lists hold: the lists run out */
        {"stream size > lists", size_1, 600 + 3 * 512, EW_E_BAD_COUNT,
         "MSF stream directory", tmsf_dir_off(&m, 4 + 4 * 4)},
        {"block repeated", blk_2_1, m.blocks[2][0], EW_E_LOOP,
         "MSF stream directory", blk_2_1},
        {"block 0", blk_2_1, 0, EW_E_LOOP, "MSF stream directory", blk_2_1},
        {"block past end", blk_2_1, m.n_blocks, EW_E_BAD_VALUE,
         "MSF stream directory", blk_2_1},
        {"block is fpm", blk_2_1, 513, EW_E_BAD_VALUE,
         "MSF stream directory", blk_2_1},
        {"block is a dir block", blk_2_1, m.dir[0], EW_E_LOOP,
         "MSF stream directory", blk_2_1},
    };
    uint8_t *copy = malloc(m.size);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const patch_case *c = &cases[i];
        memcpy(copy, m.data, m.size);
        wr32(copy + c->off, c->value);
        ew_diag d;
        ew_status s = open_msf(copy, m.size, &d);
        if (s != c->status || strcmp(d.what, c->what) != 0 ||
            d.off != c->diag_off) {
            char buf[512];
            fail_msg("%s: got %d %s", c->name, s,
                     ew_diag_format(&d, buf, sizeof buf));
        }
        assert_true(d.has_off);
    }
    free(copy);
    tmsf_free(&m);
    for (int i = 0; i < 4; i++)
        free(pat[i]);
}

static void msf_rejects_small_msf_and_garbage(void **state)
{
    uint8_t buf[1024];
    memset(buf, 0, sizeof buf);
    memcpy(buf, "Microsoft C/C++ program database 2.00\r\n\x1a" "JG", 42);
    ew_diag d;
    assert_int_equal(open_msf(buf, sizeof buf, &d), EW_E_UNSUPPORTED);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(open_msf(buf, sizeof buf, &d), EW_E_BAD_MAGIC);
    assert_int_equal(open_msf(NULL, 0, &d), EW_E_TRUNCATED);
}

/* ---- PDB builder -------------------------------------------------------- */

enum { S_OLDDIR, S_INFO, S_TPI, S_DBI, S_IPI, S_SECHDR, S_SYMREC, S_MOD1,
       S_MOD2, S_OMAP, S_SECORIG, TPDB_NS };

typedef struct tpdb {
    tbuf s[TPDB_NS];
    bool nil[TPDB_NS];
    size_t rec_bar;      /* offset of the record "bar" in S_SYMREC */
    size_t modi_size;    /* DBI ModInfo substream size */
} tpdb;

static const uint8_t tguid[16] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
                                  0x1c, 0x1d, 0x1e, 0x1f};

static void rec_begin(tbuf *b, size_t *start, uint16_t kind)
{
    *start = b->n;
    put16(b, 0);
    put16(b, kind);
}
static void rec_end(tbuf *b, size_t start)
{
    pad_to(b, 4);
    wr16(b->b + start, (uint16_t)(b->n - start - 2));
}
static void rec_addr(tbuf *b, uint16_t kind, uint32_t a, uint32_t off,
                     uint16_t seg, const char *name)
{
    size_t st;
    rec_begin(b, &st, kind);
    put32(b, a);
    put32(b, off);
    put16(b, seg);
    putz(b, name);
    rec_end(b, st);
}
static void rec_annotation(tbuf *b, uint32_t off, uint16_t seg, int n,
                           const char *const *strings)
{
    size_t st;
    rec_begin(b, &st, PDB_S_ANNOTATION);
    put32(b, off);
    put16(b, seg);
    put16(b, (uint16_t)n);
    for (int i = 0; i < n; i++)
        putz(b, strings[i]);
    rec_end(b, st);
}
static void section(tbuf *b, const char *name, uint32_t vsize, uint32_t rva,
                    uint32_t raw)
{
    char n8[8] = {0};
    memcpy(n8, name, strlen(name) < 8 ? strlen(name) : 8);
    putn(b, n8, 8);
    put32(b, vsize);
    put32(b, rva);
    put32(b, raw);
    for (int i = 0; i < 4; i++)
        put32(b, 0);
    put32(b, 0x60000020);
}
static void modinfo(tbuf *b, uint16_t stream, uint32_t sym_size,
                    const char *name, const char *obj)
{
    size_t st = b->n;
    for (int i = 0; i < 34; i++)
        put8(b, 0);
    put16(b, stream);
    put32(b, sym_size);
    while (b->n - st < 64)
        put8(b, 0);
    putz(b, name);
    putz(b, obj);
    pad_to(b, 4);
}

static const char *const ann1[] = {"TMF:",
                                   "0a1b2c3d-0000-0000-0000-000000000001 x",
                                   "#typev x_c12 10 \"%0 hi\""};
static const char *const ann2[] = {"_TlgWrite:|12|hProv|Ev"};
static const char *const ann3[] = {"orphan"};

/* The crafted PDB: sections .text 0x1000, .rdata 0x2000, .data 0x3000;
 * info age 3, DBI age 2; three modules; symbols as listed below. */
static void tpdb_init(tpdb *p, bool omap)
{
    memset(p, 0, sizeof *p);
    p->nil[S_TPI] = p->nil[S_IPI] = true;
    tbuf *b = &p->s[S_INFO];
    put32(b, 20000404);
    put32(b, 0x5F000001);
    put32(b, 3);
    putn(b, tguid, 16);
    put32(b, 0); /* named stream map: empty string buffer, empty table */
    put32(b, 0);
    put32(b, 1);
    put32(b, 0);
    put32(b, 0);
    put32(b, 0);
    put32(b, 20140508); /* feature: VC140 */

    b = &p->s[S_SECHDR];
    if (omap) { /* the rewritten image's layout */
        section(b, ".text", 0x2000, 0x5000, 0x2000);
        section(b, ".rdata", 0x300, 0x2000, 0x400);
        section(b, ".data", 0x100, 0x3000, 0x200);
    } else {
        section(b, ".text", 0x500, 0x1000, 0x600);
        section(b, ".rdata", 0x300, 0x2000, 0x400);
        section(b, ".data", 0x100, 0x3000, 0x200);
    }
    if (omap) {
        b = &p->s[S_SECORIG];
        section(b, ".text", 0x500, 0x1000, 0x600);
        section(b, ".rdata", 0x300, 0x2000, 0x400);
        section(b, ".data", 0x100, 0x3000, 0x200);
        /* OmapFromSrc, deliberately unsorted: {from, to} */
        static const uint32_t om[][2] = {{0x1200, 0x6000}, {0x1000, 0x5000},
                                         {0x1100, 0},      {0x2000, 0x2000},
                                         {0x3000, 0x3000}};
        b = &p->s[S_OMAP];
        for (size_t i = 0; i < 5; i++) {
            put32(b, om[i][0]);
            put32(b, om[i][1]);
        }
    } else {
        p->nil[S_OMAP] = p->nil[S_SECORIG] = true;
    }

    b = &p->s[S_SYMREC];
    size_t st;
    rec_addr(b, PDB_S_PUB32, 0, 0x40, 2, "g_table");
    rec_addr(b, PDB_S_PUB32, PDB_PUB_FUNCTION, 0x10, 1, "foo");
    rec_addr(b, PDB_S_PUB32, PDB_PUB_CODE, 0x10, 1, "foo_label");
    rec_addr(b, PDB_S_PUB32, 0, 0x10, 1, "alias_data");
    rec_addr(b, PDB_S_PUB32, 0, 5, 4, "abs_sym");       /* no section 4 */
    rec_addr(b, PDB_S_PUB32, 0, 0x300, 3, "past_end");  /* > 0x200 */
    rec_addr(b, PDB_S_PUB32, PDB_PUB_FUNCTION, 0x150, 1, "removed");
    p->rec_bar = b->n;
    rec_addr(b, PDB_S_PUB32, PDB_PUB_FUNCTION, 0x200, 1, "bar");
    rec_begin(b, &st, PDB_S_CONSTANT); /* skipped: numeric leaf + name */
    put32(b, 0x74);
    put16(b, 0x8004); /* LF_ULONG */
    put32(b, 123456);
    putz(b, "kConst");
    rec_end(b, st);
    rec_begin(b, &st, 0x1108); /* S_UDT: skipped */
    put32(b, 0x1000);
    putz(b, "my_struct");
    rec_end(b, st);
    rec_begin(b, &st, 0x7777); /* unknown: skipped */
    put32(b, 0xDEADBEEF);
    rec_end(b, st);
    rec_addr(b, PDB_S_GDATA32, 0x74, 8, 3, "g_counter");
    rec_addr(b, PDB_S_LDATA32, 0x75, 0xC, 3, "s_local");
    rec_addr(b, PDB_S_GTHREAD32, 0x74, 0, 3, "t_tls");
    rec_addr(b, PDB_S_LTHREAD32, 0x74, 4, 3, "t_ltls");
    rec_addr(b, PDB_S_GDATA32, 0x74, 0, 0, "absolute_zero");
    rec_begin(b, &st, PDB_S_PROCREF);
    put32(b, 0);
    put32(b, 4);
    put16(b, 1);
    putz(b, "foo");
    rec_end(b, st);
    rec_begin(b, &st, PDB_S_LPROCREF);
    put32(b, 0);
    put32(b, 100);
    put16(b, 1);
    putz(b, "static_fn");
    rec_end(b, st);
    rec_begin(b, &st, PDB_S_DATAREF);
    put32(b, 0);
    put32(b, 8);
    put16(b, 2);
    putz(b, "dref");
    rec_end(b, st);
    rec_begin(b, &st, PDB_S_ANNOTATIONREF);
    put32(b, 0);
    put32(b, 60);
    put16(b, 1);
    putz(b, "");
    rec_end(b, st);

    b = &p->s[S_MOD1];
    put32(b, 4); /* C13 */
    rec_begin(b, &st, 0x1110); /* S_GPROC32, contents irrelevant here */
    for (int i = 0; i < 35; i++)
        put8(b, 0);
    putz(b, "foo");
    rec_end(b, st);
    rec_annotation(b, 0x20, 1, 3, ann1);
    rec_annotation(b, 0x18, 1, 1, ann2);
    rec_begin(b, &st, 0x0006); /* S_END */
    rec_end(b, st);
    b = &p->s[S_MOD2];
    put32(b, 4);
    rec_annotation(b, 0, 9, 1, ann3);
    rec_annotation(b, 0x30, 1, 0, NULL);
    put32(b, 0xAAAAAAAA); /* C13 line data after the symbols: not read */

    tbuf modi = {0};
    modinfo(&modi, S_MOD1, (uint32_t)p->s[S_MOD1].n, "mod1.obj",
            "/src/mod1.obj");
    modinfo(&modi, S_MOD2, (uint32_t)p->s[S_MOD2].n - 4, "* Linker *", "");
    modinfo(&modi, PDB_NO_STREAM, 0, "Import:KERNEL32.dll", "k32.lib");
    p->modi_size = modi.n;

    b = &p->s[S_DBI];
    put32(b, 0xFFFFFFFF);
    put32(b, 19990903);
    put32(b, 2); /* age */
    put16(b, PDB_NO_STREAM);
    put16(b, 0x8e00);
    put16(b, PDB_NO_STREAM);
    put16(b, 0);
    put16(b, S_SYMREC);
    put16(b, 0);
    put32(b, (uint32_t)modi.n);
    put32(b, 0);  /* section contributions */
    put32(b, 4);  /* section map: Count 0, LogCount 0 */
    put32(b, 0);  /* source info */
    put32(b, 0);  /* type server map */
    put32(b, 0);  /* MFC */
    put32(b, 22); /* optional debug header */
    put32(b, 0);  /* EC */
    put16(b, 0);
    put16(b, 0x8664);
    put32(b, 0);
    putn(b, modi.b, modi.n);
    put32(b, 0);
    for (int i = 0; i < 11; i++)
        put16(b, i == 5    ? S_SECHDR
                  : i == 4  ? (omap ? S_OMAP : PDB_NO_STREAM)
                  : i == 10 ? (omap ? S_SECORIG : PDB_NO_STREAM)
                            : PDB_NO_STREAM);
    tb_free(&modi);
}

static void tpdb_build(tpdb *p, uint32_t bs, bool scatter, tmsf *m)
{
    tstream s[TPDB_NS];
    for (int i = 0; i < TPDB_NS; i++)
        s[i] = (tstream){p->s[i].b, (uint32_t)p->s[i].n, p->nil[i]};
    tmsf_build(m, bs, s, TPDB_NS, scatter);
}

static void tpdb_free(tpdb *p)
{
    for (int i = 0; i < TPDB_NS; i++)
        tb_free(&p->s[i]);
}

static const char *sym_name(const pdb_symbol *s) { return s ? s->name : "-"; }

static void check_crafted(const pdb_file *pdb)
{
    assert_int_equal(pdb->info_version, 20000404);
    assert_int_equal(pdb->signature, 0x5F000001);
    assert_int_equal(pdb->age, 3);
    assert_int_equal(pdb->dbi_age, 2);
    assert_memory_equal(pdb->guid, tguid, 16);
    assert_true(pdb->has_dbi);
    assert_int_equal(pdb->machine, 0x8664);
    assert_int_equal(pdb->n_sections, 3);
    assert_string_equal(pdb->sections[1].name, ".rdata");
    assert_int_equal(pdb->sections[1].rva, 0x2000);
    assert_int_equal(pdb->n_modules, 3);
    assert_string_equal(pdb->modules[0].name, "mod1.obj");
    assert_string_equal(pdb->modules[0].obj_name, "/src/mod1.obj");
    assert_string_equal(pdb->modules[1].name, "* Linker *");
    assert_string_equal(pdb->modules[2].obj_name, "k32.lib");
    assert_int_equal(pdb->modules[2].sym_stream, PDB_NO_STREAM);
    assert_int_equal(pdb->modules[0].sym_stream, S_MOD1);
    /* globals: the 5 data/thread records and 4 references; S_CONSTANT,
     * S_UDT and kind 0x7777 skipped */
    assert_int_equal(pdb->n_globals, 9);
    const pdb_symbol *g = pdb_find_global(pdb, "g_counter");
    assert_non_null(g);
    assert_int_equal(g->kind, PDB_S_GDATA32);
    assert_int_equal(g->type_index, 0x74);
    assert_true(g->has_rva);
    assert_int_equal(g->rva, 0x3008);
    g = pdb_find_global(pdb, "static_fn");
    assert_int_equal(g->kind, PDB_S_LPROCREF);
    assert_int_equal(g->module, 1);
    assert_int_equal(g->sym_off, 100);
    assert_false(g->has_rva);
    assert_int_equal(pdb_find_global(pdb, "t_ltls")->kind, PDB_S_LTHREAD32);
    assert_false(pdb_find_global(pdb, "absolute_zero")->has_rva);
    assert_null(pdb_find_global(pdb, "kConst"));
    assert_null(pdb_find_global(pdb, "my_struct"));
    /* sorted by (rva, name): has_rva first */
    for (size_t i = 1; i < pdb->n_globals; i++) {
        const pdb_symbol *a = &pdb->globals[i - 1], *b = &pdb->globals[i];
        assert_true(a->has_rva >= b->has_rva);
        if (a->has_rva && b->has_rva)
            assert_true(a->rva <= b->rva);
    }
}

static void pdb_crafted_reads_everything(void **state)
{
    static const uint32_t sizes[] = {512, 1024, 4096};
    for (size_t k = 0; k < 3; k++)
        for (int scatter = 0; scatter < 2; scatter++) {
            tpdb p;
            tpdb_init(&p, false);
            tmsf m;
            tpdb_build(&p, sizes[k], scatter, &m);
            pdb_file pdb;
            ew_diag d;
            ew_diag_init(&d, "t.pdb");
            assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d),
                             EW_OK);
            check_crafted(&pdb);
            assert_int_equal(pdb.n_annotations, 0); /* not asked for */
            /* publics in (rva, name) order, then the unmapped ones */
            static const char *const order[] = {
                "alias_data", "foo",     "foo_label", "removed",
                "bar",        "g_table", "past_end",  "abs_sym"};
            static const uint32_t rvas[] = {0x1010, 0x1010, 0x1010, 0x1150,
                                            0x1200, 0x2040};
            assert_int_equal(pdb.n_publics, 8);
            for (size_t i = 0; i < 8; i++) {
                assert_string_equal(pdb.publics[i].name, order[i]);
                assert_int_equal(pdb.publics[i].has_rva, i < 6);
                if (i < 6)
                    assert_int_equal(pdb.publics[i].rva, rvas[i]);
            }
            assert_int_equal(pdb.publics[1].flags, PDB_PUB_FUNCTION);
            assert_int_equal(pdb.publics[7].seg, 4);
            assert_int_equal(pdb.publics[7].off, 5);
            assert_ptr_equal(pdb_find_public(&pdb, "bar"), &pdb.publics[4]);
            assert_null(pdb_find_public(&pdb, "ba"));
            assert_null(pdb_find_public(&pdb, "zzz"));
            assert_null(pdb_find_public(&pdb, ""));
            /* by address: functions win ties; NULL before the first */
            assert_string_equal(sym_name(pdb_find_by_rva(&pdb, 0x1010)),
                                "foo");
            assert_string_equal(sym_name(pdb_find_by_rva(&pdb, 0x1100)),
                                "foo");
            assert_string_equal(sym_name(pdb_find_by_rva(&pdb, 0x1200)),
                                "bar");
            assert_string_equal(sym_name(pdb_find_by_rva(&pdb, 0xFFFFFFFF)),
                                "g_table");
            assert_null(pdb_find_by_rva(&pdb, 0x100F));
            uint32_t rva;
            assert_true(pdb_rva_of(&pdb, 3, 0x200, &rva)); /* raw size */
            assert_int_equal(rva, 0x3200);
            assert_false(pdb_rva_of(&pdb, 0, 0, &rva));
            assert_false(pdb_rva_of(&pdb, 3, 0x201, &rva));
            pdb_close(&pdb);
            pdb_close(&pdb); /* harmless twice */

            /* annotations, only when asked */
            assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb",
                                      PDB_LOAD_ANNOTATIONS, &d),
                             EW_OK);
            check_crafted(&pdb);
            assert_int_equal(pdb.n_annotations, 4);
            const pdb_annotation *a = pdb.annotations;
            assert_int_equal(a[0].rva, 0x1018);
            assert_int_equal(a[0].module, 1);
            assert_int_equal(a[0].n_strings, 1);
            assert_string_equal(a[0].strings[0], ann2[0]);
            assert_int_equal(a[1].rva, 0x1020);
            assert_int_equal(a[1].n_strings, 3);
            for (int i = 0; i < 3; i++)
                assert_string_equal(a[1].strings[i], ann1[i]);
            assert_int_equal(a[2].rva, 0x1030);
            assert_int_equal(a[2].n_strings, 0);
            assert_int_equal(a[2].module, 2);
            assert_false(a[3].has_rva);
            assert_int_equal(a[3].seg, 9);
            assert_string_equal(a[3].strings[0], "orphan");
            pdb_close(&pdb);
            if (k == 0)
                write_seed(scatter ? "crafted-512-scatter.pdb"
                                   : "crafted-512.pdb",
                           m.data, m.size);
            tmsf_free(&m);
            tpdb_free(&p);
        }
}

/* OmapFromSrc present: seg:off goes through the original section headers,
 * then through the OMAP table; the sections shown are the final ones. */
static void pdb_omap_translates_addresses(void **state)
{
    tpdb p;
    tpdb_init(&p, true);
    tmsf m;
    tpdb_build(&p, 512, true, &m);
    pdb_file pdb;
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d), EW_OK);
    assert_true(pdb.has_omap);
    assert_int_equal(pdb.sections[0].rva, 0x5000);
    const pdb_symbol *s = pdb_find_public(&pdb, "foo");
    assert_int_equal(s->rva, 0x5010); /* 0x1010 in [0x1000 -> 0x5000) */
    s = pdb_find_public(&pdb, "bar");
    assert_int_equal(s->rva, 0x6000); /* 0x1200 -> 0x6000 */
    s = pdb_find_public(&pdb, "removed");
    assert_false(s->has_rva); /* 0x1150 in a range mapped to 0 */
    s = pdb_find_public(&pdb, "g_table");
    assert_int_equal(s->rva, 0x2040);
    write_seed("crafted-omap.pdb", m.data, m.size);
    pdb_close(&pdb);
    tmsf_free(&m);
    tpdb_free(&p);
}

static void pdb_without_dbi_has_identity_only(void **state)
{
    tpdb p;
    tpdb_init(&p, false);
    p.nil[S_DBI] = true;
    tmsf m;
    tpdb_build(&p, 512, false, &m);
    pdb_file pdb;
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb",
                              PDB_LOAD_ANNOTATIONS, &d),
                     EW_OK);
    assert_false(pdb.has_dbi);
    assert_int_equal(pdb.n_publics, 0);
    assert_null(pdb_find_public(&pdb, "foo"));
    assert_null(pdb_find_by_rva(&pdb, 0x1010));
    /* without DBI the info age (3) must be >= the image's */
    assert_int_equal(pdb_match(&pdb, tguid, 3, &d), EW_OK);
    assert_int_equal(pdb_match(&pdb, tguid, 1, &d), EW_OK);
    assert_int_equal(pdb_match(&pdb, tguid, 4, &d), EW_E_MISMATCH);
    pdb_close(&pdb);
    tmsf_free(&m);
    tpdb_free(&p);
}

static void pdb_match_compares_guid_and_dbi_age(void **state)
{
    tpdb p;
    tpdb_init(&p, false);
    tmsf m;
    tpdb_build(&p, 512, false, &m);
    pdb_file pdb;
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d), EW_OK);
    assert_int_equal(pdb_match(&pdb, tguid, 2, &d), EW_OK);
    /* a rewritten PDB: the info age (3) may be what the image carries */
    assert_int_equal(pdb_match(&pdb, tguid, 3, &d), EW_OK);
    /* neither the DBI age (2) nor the info age (3) */
    assert_int_equal(pdb_match(&pdb, tguid, 4, &d), EW_E_MISMATCH);
    assert_string_equal(d.what, "PDB info stream");
    assert_int_equal(d.off, tmsf_stream_off(&m, S_INFO, 12));
    assert_non_null(strstr(d.detail, "age 4"));
    assert_non_null(strstr(d.detail, "DBI age 2"));
    uint8_t other[16];
    memcpy(other, tguid, 16);
    other[15] ^= 1;
    ew_diag_init(&d, "t.pdb");
    assert_int_equal(pdb_match(&pdb, other, 2, &d), EW_E_MISMATCH);
    assert_non_null(strstr(d.detail, "13121110-1514-1716-1819-1a1b1c1d1e1e"));
    assert_non_null(strstr(d.detail, "13121110-1514-1716-1819-1a1b1c1d1e1f"));
    pdb_close(&pdb);
    tmsf_free(&m);
    tpdb_free(&p);
}

static void guid_format_uses_in_memory_order(void **state)
{
    char out[37];
    ew_guid_format(tguid, out);
    assert_string_equal(out, "13121110-1514-1716-1819-1a1b1c1d1e1f");
}

/* Builds p (after the caller's patch), opens it, and checks the failure. */
static void expect_fail(tpdb *p, unsigned flags, ew_status want,
                        const char *what, uint32_t stream, uint32_t off)
{
    tmsf m;
    tpdb_build(p, 512, true, &m);
    pdb_file pdb;
    ew_diag d;
    ew_diag_init(&d, "t.pdb");
    ew_status s = pdb_open(&pdb, m.data, m.size, "t.pdb", flags, &d);
    char buf[512];
    if (s != want || strcmp(d.what, what) != 0 || !d.has_off ||
        d.off != tmsf_stream_off(&m, stream, off))
        fail_msg("want %d %s at stream %u+0x%x (file 0x%llx); got %d %s", want,
                 what, stream, off,
                 (unsigned long long)tmsf_stream_off(&m, stream, off), s,
                 ew_diag_format(&d, buf, sizeof buf));
    assert_null(pdb.publics); /* zeroed on failure */
    tmsf_free(&m);
}

/* The DBI stream cut inside each header field fails at that field; a
 * complete header whose substreams do not fit fails at ModInfoSize. */
static void pdb_dbi_header_truncation_ladder(void **state)
{
    static const uint32_t fields[] = {0,  4,  8,  12, 20, 22, 24, 28, 32,
                                      36, 40, 44, 48, 52, 56, 58, 60, 64};
    for (uint32_t cut = 1; cut <= 64; cut++) {
        tpdb p;
        tpdb_init(&p, false);
        p.s[S_DBI].n = cut;
        uint32_t at = 0;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (fields[i] <= cut)
                at = fields[i];
        if (cut == 64)
            expect_fail(&p, 0, EW_E_BAD_COUNT, "DBI header", S_DBI, 24);
        else
            expect_fail(&p, 0, EW_E_TRUNCATED, "DBI header", S_DBI, at);
        tpdb_free(&p);
    }
}

static void pdb_corruptions_are_named(void **state)
{
    tpdb p;
    /* info stream: too short, too old */
    tpdb_init(&p, false);
    p.s[S_INFO].n = 20;
    expect_fail(&p, 0, EW_E_TRUNCATED, "PDB info stream", S_INFO, 12);
    tpdb_free(&p);
    tpdb_init(&p, false);
    wr32(p.s[S_INFO].b, 19970604); /* VC98 */
    expect_fail(&p, 0, EW_E_UNSUPPORTED, "PDB info stream", S_INFO, 0);
    tpdb_free(&p);
    /* DBI: old format, bad stream index, negative substream size */
    tpdb_init(&p, false);
    wr32(p.s[S_DBI].b, 0);
    expect_fail(&p, 0, EW_E_UNSUPPORTED, "DBI header", S_DBI, 0);
    tpdb_free(&p);
    tpdb_init(&p, false);
    wr16(p.s[S_DBI].b + 20, 500);
    expect_fail(&p, 0, EW_E_BAD_VALUE, "DBI header", S_DBI, 20);
    tpdb_free(&p);
    tpdb_init(&p, false);
    wr32(p.s[S_DBI].b + 28, 0xFFFFFFF0);
    expect_fail(&p, 0, EW_E_BAD_VALUE, "DBI header", S_DBI, 28);
    tpdb_free(&p);
    tpdb_init(&p, false);
    wr32(p.s[S_DBI].b + 48, 0x100000);
    expect_fail(&p, 0, EW_E_BAD_COUNT, "DBI header", S_DBI, 24);
    tpdb_free(&p);
    /* ModInfo: stream index past the directory; SymByteSize past stream */
    tpdb_init(&p, false);
    wr16(p.s[S_DBI].b + 64 + 34, 77);
    expect_fail(&p, 0, EW_E_BAD_VALUE, "DBI module info 1", S_DBI, 64 + 34);
    tpdb_free(&p);
    tpdb_init(&p, false);
    wr32(p.s[S_DBI].b + 64 + 36, 0x10000);
    expect_fail(&p, 0, EW_E_BAD_COUNT, "DBI module info 1", S_DBI, 64 + 36);
    tpdb_free(&p);
    tpdb_init(&p, false); /* ModInfo cut inside the first ObjFileName; the
                             cut bytes are counted as section contributions
                             so the later substreams stay in place */
    wr32(p.s[S_DBI].b + 24, 64 + 9 + 3);
    wr32(p.s[S_DBI].b + 28, (uint32_t)p.modi_size - (64 + 9 + 3));
    expect_fail(&p, 0, EW_E_TRUNCATED, "DBI module info 1", S_DBI,
                64 + 64 + 9);
    tpdb_free(&p);
    /* optional debug header: section header stream index out of range */
    tpdb_init(&p, false);
    wr16(p.s[S_DBI].b + p.s[S_DBI].n - 22 + 10, 4000);
    expect_fail(&p, 0, EW_E_BAD_VALUE, "DBI optional debug header", S_DBI,
                (uint32_t)p.s[S_DBI].n - 22 + 10);
    tpdb_free(&p);
    /* section headers: not a multiple of 40 */
    tpdb_init(&p, false);
    p.s[S_SECHDR].n -= 1;
    expect_fail(&p, 0, EW_E_BAD_VALUE, "PDB section headers", S_SECHDR, 0);
    tpdb_free(&p);
    /* symbol records: length past the end, length < 2, name unterminated */
    tpdb_init(&p, false);
    wr16(p.s[S_SYMREC].b + p.rec_bar, 0x4000);
    {
        char what[64];
        snprintf(what, sizeof what, "symbol record %zu", p.rec_bar);
        expect_fail(&p, 0, EW_E_TRUNCATED, what, S_SYMREC,
                    (uint32_t)p.rec_bar);
        tpdb_free(&p);
        tpdb_init(&p, false);
        wr16(p.s[S_SYMREC].b + p.rec_bar, 1);
        expect_fail(&p, 0, EW_E_BAD_VALUE, what, S_SYMREC,
                    (uint32_t)p.rec_bar);
        tpdb_free(&p);
        tpdb_init(&p, false);
        /* "bar" record: 4 header + 10 fixed + "bar\0" = 18, padded to 20 */
        memset(p.s[S_SYMREC].b + p.rec_bar + 14, 'x', 6);
        expect_fail(&p, 0, EW_E_TRUNCATED, what, S_SYMREC,
                    (uint32_t)p.rec_bar + 14);
        tpdb_free(&p);
        tpdb_init(&p, false); /* fields cut: RecordLen 6 */
        wr16(p.s[S_SYMREC].b + p.rec_bar, 6);
        expect_fail(&p, 0, EW_E_TRUNCATED, what, S_SYMREC,
                    (uint32_t)p.rec_bar + 8);
        tpdb_free(&p);
    }
    tpdb_init(&p, false); /* 2 stray bytes after the last record */
    put16(&p.s[S_SYMREC], 0);
    {
        char what[64];
        snprintf(what, sizeof what, "symbol record %zu",
                 p.s[S_SYMREC].n - 2);
        expect_fail(&p, 0, EW_E_TRUNCATED, what, S_SYMREC,
                    (uint32_t)p.s[S_SYMREC].n - 2);
    }
    tpdb_free(&p);
    /* annotations: only read (and only failing) with the flag */
    tpdb_init(&p, false);
    wr16(p.s[S_MOD2].b + 4 + 10, 50); /* "orphan": 50 strings in 7 bytes */
    expect_fail(&p, PDB_LOAD_ANNOTATIONS, EW_E_BAD_COUNT,
                "module 2 symbol record 4", S_MOD2, 4 + 10);
    {
        tmsf m;
        tpdb_build(&p, 512, true, &m);
        pdb_file pdb;
        ew_diag d;
        ew_diag_init(&d, "t.pdb");
        assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d),
                         EW_OK);
        pdb_close(&pdb);
        tmsf_free(&m);
    }
    wr16(p.s[S_MOD2].b + 4 + 10, 5000);
    expect_fail(&p, PDB_LOAD_ANNOTATIONS, EW_E_LIMIT,
                "module 2 symbol record 4", S_MOD2, 4 + 10);
    tpdb_free(&p);
    /* a module whose symbols are not C13 is skipped, not an error */
    tpdb_init(&p, false);
    wr32(p.s[S_MOD2].b, 1);
    {
        tmsf m;
        tpdb_build(&p, 512, true, &m);
        pdb_file pdb;
        ew_diag d;
        ew_diag_init(&d, "t.pdb");
        assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb",
                                  PDB_LOAD_ANNOTATIONS, &d),
                         EW_OK);
        assert_int_equal(pdb.n_annotations, 2);
        pdb_close(&pdb);
        tmsf_free(&m);
    }
    tpdb_free(&p);
    /* the info stream nil */
    tpdb_init(&p, false);
    p.nil[S_INFO] = true;
    {
        tmsf m;
        tpdb_build(&p, 512, true, &m);
        pdb_file pdb;
        ew_diag d;
        ew_diag_init(&d, "t.pdb");
        assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d),
                         EW_E_BAD_VALUE);
        assert_string_equal(d.what, "PDB info stream");
        tmsf_free(&m);
    }
    tpdb_free(&p);
}

/* PDB_MAX_ANNOTATION_STRINGS and PDB_MAX_SECTIONS at the cap and one past. */
static void pdb_caps_hold_at_the_limit(void **state)
{
    for (int past = 0; past < 2; past++) {
        uint16_t n = (uint16_t)(4096 + past);
        tpdb p;
        tpdb_init(&p, false);
        tb_free(&p.s[S_MOD2]);
        put32(&p.s[S_MOD2], 4);
        const char **empty = calloc(n, sizeof *empty);
        for (int i = 0; i < n; i++)
            empty[i] = "";
        rec_annotation(&p.s[S_MOD2], 0x40, 1, n, empty);
        free(empty);
        /* ModInfo 2's SymByteSize: the whole new stream */
        /* ModInfo 1: 64 + "mod1.obj" (9) + "/src/mod1.obj" (14), padded */
        size_t m2 = (64 + 9 + 14 + 3) & ~(size_t)3;
        wr32(p.s[S_DBI].b + 64 + m2 + 36, (uint32_t)p.s[S_MOD2].n);
        if (past) {
            expect_fail(&p, PDB_LOAD_ANNOTATIONS, EW_E_LIMIT,
                        "module 2 symbol record 4", S_MOD2, 4 + 10);
        } else {
            tmsf m;
            tpdb_build(&p, 512, true, &m);
            pdb_file pdb;
            ew_diag d;
            ew_diag_init(&d, "t.pdb");
            assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb",
                                      PDB_LOAD_ANNOTATIONS, &d),
                             EW_OK);
            assert_int_equal(pdb.n_annotations, 3);
            assert_int_equal(pdb.annotations[2].n_strings, 4096);
            pdb_close(&pdb);
            tmsf_free(&m);
        }
        tpdb_free(&p);
    }
    for (int past = 0; past < 2; past++) {
        tpdb p;
        tpdb_init(&p, false);
        for (uint32_t i = 3; i < 0xFFFFu + (uint32_t)past; i++)
            section(&p.s[S_SECHDR], ".x", 0x10, 0x100000 + 0x1000 * i, 0);
        if (past) {
            expect_fail(&p, 0, EW_E_LIMIT, "PDB section headers", S_SECHDR,
                        0);
        } else {
            tmsf m;
            tpdb_build(&p, 4096, false, &m);
            pdb_file pdb;
            ew_diag d;
            ew_diag_init(&d, "t.pdb");
            assert_int_equal(pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d),
                             EW_OK);
            assert_int_equal(pdb.n_sections, 0xFFFF);
            pdb_close(&pdb);
            tmsf_free(&m);
        }
        tpdb_free(&p);
    }
}

/* Every cut of the symbol record stream either ends on a record boundary
 * (fewer symbols, fine) or names the record it cuts. */
static void pdb_symbol_stream_cut_everywhere(void **state)
{
    tpdb p;
    tpdb_init(&p, false);
    size_t full = p.s[S_SYMREC].n;
    tmsf m;
    for (size_t cut = 0; cut <= full; cut++) {
        p.s[S_SYMREC].n = cut;
        tpdb_build(&p, 512, true, &m);
        pdb_file pdb;
        ew_diag d;
        ew_diag_init(&d, "t.pdb");
        ew_status s = pdb_open(&pdb, m.data, m.size, "t.pdb", 0, &d);
        /* record boundaries: walk the full stream's framing */
        bool boundary = false;
        for (size_t pos = 0; pos <= full;
             pos += 2 + (size_t)(p.s[S_SYMREC].b[pos] |
                                 p.s[S_SYMREC].b[pos + 1] << 8)) {
            if (pos == cut)
                boundary = true;
            if (pos == full)
                break;
        }
        if (boundary) {
            assert_int_equal(s, EW_OK);
            pdb_close(&pdb);
        } else {
            assert_int_equal(s, EW_E_TRUNCATED);
            assert_memory_equal(d.what, "symbol record ", 14);
        }
        tmsf_free(&m);
    }
    tpdb_free(&p);
}

/* ---- corpus ------------------------------------------------------------- */

static pdb_file *open_corpus(const char *name, unsigned flags, uint8_t **data)
{
    size_t size;
    *data = corpus_read(name, &size);
    pdb_file *pdb = malloc(sizeof *pdb);
    ew_diag d;
    ew_diag_init(&d, name);
    assert_ew_ok(pdb_open(pdb, *data, size, name, flags, &d), &d);
    return pdb;
}

static void close_corpus(pdb_file *pdb, uint8_t *data)
{
    pdb_close(pdb);
    free(pdb);
    free(data);
}

static void check_public(const pdb_file *pdb, const char *name, uint16_t seg,
                         uint32_t off, uint32_t rva, uint32_t flags)
{
    const pdb_symbol *s = pdb_find_public(pdb, name);
    if (!s)
        fail_msg("public %s not found", name);
    assert_int_equal(s->seg, seg);
    assert_int_equal(s->off, off);
    assert_true(s->has_rva);
    assert_int_equal(s->rva, rva);
    assert_int_equal(s->flags, flags);
}

/* Values from llvm-pdbutil 14:
 *   dump -summary: block size 1024, 236 streams, age 3,
 *     GUID {CCC0E361-20F4-24BE-044D-E630C3BD80C4};
 *   dump -publics: 6312 S_PUB32, e.g. ZwCreateTimer2 function 0001:645376,
 *     _tlgWriteTransfer_EtwEventWriteTransfer function 0001:563436,
 *     EtwEventWrite function 0001:319984, LdrpSystem32 none 0005:25648,
 *     __newclmap none 0004:33712;
 *   dump -section-headers: #1 .text VA 0x1000, #4 .rdata VA 0x11D000,
 *     #5 .data VA 0x166000 (RVA = VA + offset);
 *   dump -globals: 1437 records (1053 S_PROCREF, 379 S_LPROCREF, 5
 *     S_ANNOTATIONREF); dump -symbols: 5 S_ANNOTATION, one at 0001:469179
 *     with strings Debug / AssertFail / T::IsEmpty(&Chunk->Slots[SlotIndex]).
 */
static void corpus_ntdll_pdb(void **state)
{
    uint8_t *data;
    pdb_file *pdb = open_corpus("ms-public_ntdll_CCC0E361.pdb",
                                PDB_LOAD_ANNOTATIONS, &data);
    char g[37];
    ew_guid_format(pdb->guid, g);
    assert_string_equal(g, "ccc0e361-20f4-24be-044d-e630c3bd80c4");
    assert_int_equal(pdb->age, 3);
    assert_int_equal(pdb->dbi_age, 1);
    assert_int_equal(pdb->n_publics, 6312);
    assert_int_equal(pdb->n_globals, 1437);
    check_public(pdb, "ZwCreateTimer2", 1, 645376, 0x1000 + 645376,
                 PDB_PUB_FUNCTION);
    check_public(pdb, "_tlgWriteTransfer_EtwEventWriteTransfer", 1, 563436,
                 0x1000 + 563436, PDB_PUB_FUNCTION);
    check_public(pdb, "EtwEventWrite", 1, 319984, 0x1000 + 319984,
                 PDB_PUB_FUNCTION);
    check_public(pdb, "LdrpSystem32", 5, 25648, 0x166000 + 25648, 0);
    check_public(pdb, "__newclmap", 4, 33712, 0x11D000 + 33712, 0);
    /* an address inside ZwCreateTimer2: NtCreateTimer2 is the same
     * function (dump -publics: both function, 0001:645376); ties go to
     * the first name */
    assert_string_equal(sym_name(pdb_find_by_rva(pdb, 0x1000 + 645376 + 3)),
                        "NtCreateTimer2");
    assert_int_equal(pdb->n_annotations, 5);
    bool seen = false;
    for (size_t i = 0; i < pdb->n_annotations; i++) {
        const pdb_annotation *a = &pdb->annotations[i];
        if (a->seg == 1 && a->off == 469179) {
            seen = true;
            assert_int_equal(a->rva, 0x1000 + 469179);
            assert_int_equal(a->n_strings, 3);
            assert_string_equal(a->strings[0], "Debug");
            assert_string_equal(a->strings[2],
                                "T::IsEmpty(&Chunk->Slots[SlotIndex])");
        }
    }
    assert_true(seen);
    close_corpus(pdb, data);
}

/* llvm-pdbutil 14 on msvc-pair_pty-x64.pdb: dump -summary: age 1, GUID
 * {94AD5C4B-9A1E-4420-AB04-7F672A23E48A}; dump -publics: 2382 S_PUB32;
 * dump -globals: 263 S_GDATA32 + 121 S_LDATA32 + 354 S_LPROCREF + 802
 * S_PROCREF = 1540 kept (plus 1256 S_CONSTANT and 629 S_UDT skipped);
 * dump -section-headers: .text VA 0x1000, .rdata 0x32000, .data 0x47000. */
static void corpus_pty_pdb(void **state)
{
    uint8_t *data;
    pdb_file *pdb = open_corpus("msvc-pair_pty-x64.pdb", 0, &data);
    assert_int_equal(pdb->n_publics, 2382);
    assert_int_equal(pdb->n_globals, 1540);
    assert_int_equal(pdb->n_sections, 8);
    assert_string_equal(pdb->sections[2].name, ".data");
    assert_int_equal(pdb->sections[2].rva, 0x47000);
    const pdb_symbol *s = pdb_find_global(pdb, "__newclmap");
    assert_non_null(s);
    assert_int_equal(s->seg, 2); /* addr = 0002:23408 */
    assert_int_equal(s->off, 23408);
    assert_int_equal(s->rva, 0x32000 + 23408);
    s = pdb_find_global(pdb, "parse_command_line<char>");
    assert_int_equal(s->kind, PDB_S_LPROCREF); /* module = 99, offset 324 */
    assert_int_equal(s->module, 99);
    assert_int_equal(s->sym_off, 324);
    /* the absolute section (seg 9 of 8) has no RVA */
    s = pdb_find_public(pdb, "__guard_flags");
    assert_int_equal(s->seg, 9);
    assert_false(s->has_rva);
    for (size_t i = 1; i < pdb->n_publics; i++)
        assert_true(pdb->publics[i - 1].rva <= pdb->publics[i].rva ||
                    !pdb->publics[i].has_rva);
    close_corpus(pdb, data);
}

/* llvm-readobj --coff-debug-directory msvc-pair_pty-x64.node: CodeView
 * entry, PointerToRawData 0x403E8, PDBGUID (4B 5C AD 94 1E 9A 20 44 AB 04
 * 7F 67 2A 23 E4 8A), PDBAge 1. The test reads those bytes from the file
 * too, so the constants cannot drift from the corpus. */
static void corpus_pty_match(void **state)
{
    static const uint8_t guid[16] = {0x4B, 0x5C, 0xAD, 0x94, 0x1E, 0x9A,
                                     0x20, 0x44, 0xAB, 0x04, 0x7F, 0x67,
                                     0x2A, 0x23, 0xE4, 0x8A};
    size_t nsize;
    uint8_t *node = corpus_read("msvc-pair_pty-x64.node", &nsize);
    assert_true(nsize > 0x403E8 + 24);
    assert_memory_equal(node + 0x403E8, "RSDS", 4);
    assert_memory_equal(node + 0x403E8 + 4, guid, 16);
    uint32_t age = node[0x403E8 + 20] | node[0x403E8 + 21] << 8 |
                   (uint32_t)node[0x403E8 + 22] << 16 |
                   (uint32_t)node[0x403E8 + 23] << 24;
    assert_int_equal(age, 1);
    free(node);

    uint8_t *data;
    pdb_file *pdb = open_corpus("msvc-pair_pty-x64.pdb", 0, &data);
    ew_diag d;
    ew_diag_init(&d, "pty.pdb");
    assert_int_equal(pdb_match(pdb, guid, 1, &d), EW_OK);
    assert_int_equal(pdb_match(pdb, guid, 2, &d), EW_E_MISMATCH);
    assert_non_null(strstr(d.detail, "94ad5c4b-9a1e-4420-ab04-7f672a23e48a"));
    uint8_t other[16];
    memcpy(other, guid, 16);
    other[0] ^= 0x80;
    ew_diag_init(&d, "pty.pdb");
    assert_int_equal(pdb_match(pdb, other, 1, &d), EW_E_MISMATCH);
    assert_non_null(strstr(d.detail, "94ad5ccb-9a1e-4420-ab04-7f672a23e48a"));
    close_corpus(pdb, data);
}

/* ---- fixtures: tests/fixtures/NAME/X.pdb, built by lld-link ------------ */

/* Finds "RSDS" in the binary next to the PDB (a test shortcut: the PE
 * reader's debug directory parse is tested elsewhere). */
static bool find_rsds(const uint8_t *p, size_t n, uint8_t guid[16],
                      uint32_t *age)
{
    for (size_t i = 0; i + 24 <= n; i++)
        if (memcmp(p + i, "RSDS", 4) == 0) {
            memcpy(guid, p + i + 4, 16);
            *age = p[i + 20] | p[i + 21] << 8 | (uint32_t)p[i + 22] << 16 |
                   (uint32_t)p[i + 23] << 24;
            return true;
        }
    return false;
}

static void fixture_pdbs_open_and_match(void **state)
{
    DIR *top = opendir(FIXTURE_DIR);
    if (!top) {
        fprintf(stdout, "# %s absent: skipped\n", FIXTURE_DIR);
        skip();
    }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(top))) {
        if (e->d_name[0] == '.')
            continue;
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", FIXTURE_DIR, e->d_name);
        DIR *sub = opendir(dir);
        if (!sub)
            continue;
        struct dirent *f;
        while ((f = readdir(sub))) {
            size_t len = strlen(f->d_name);
            if (len < 5 || strcmp(f->d_name + len - 4, ".pdb") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dir, f->d_name);
            size_t size;
            uint8_t *data = read_whole_file(path, &size);
            assert_non_null(data);
            pdb_file pdb;
            ew_diag d;
            ew_diag_init(&d, path);
            assert_ew_ok(pdb_open(&pdb, data, size, path, PDB_LOAD_ANNOTATIONS,
                                  &d),
                         &d);
            assert_true(pdb.n_publics > 0);
            assert_true(pdb.n_sections > 0);
            n++;
            /* the image built with it: same stem, .dll/.sys/.exe */
            static const char *const exts[] = {".dll", ".sys", ".exe"};
            for (int k = 0; k < 3; k++) {
                char img[1024];
                snprintf(img, sizeof img, "%.*s%s", (int)(strlen(path) - 4),
                         path, exts[k]);
                size_t isize;
                uint8_t *idata = read_whole_file(img, &isize);
                uint8_t guid[16];
                uint32_t age;
                if (idata && find_rsds(idata, isize, guid, &age)) {
                    ew_diag_init(&d, path);
                    assert_ew_ok(pdb_match(&pdb, guid, age, &d), &d);
                    fprintf(stdout, "# %s matches %s\n", path, img);
                }
                free(idata);
            }
            pdb_close(&pdb);
            free(data);
        }
        closedir(sub);
    }
    closedir(top);
    if (n == 0) {
        fprintf(stdout, "# no fixture PDB yet: skipped\n");
        skip();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msf_streams_read_back_exactly),
        cmocka_unit_test(msf_directory_spans_several_map_blocks),
        cmocka_unit_test(msf_superblock_truncation_ladder),
        cmocka_unit_test(msf_corruptions_are_named),
        cmocka_unit_test(msf_rejects_small_msf_and_garbage),
        cmocka_unit_test(guid_format_uses_in_memory_order),
        cmocka_unit_test(pdb_crafted_reads_everything),
        cmocka_unit_test(pdb_omap_translates_addresses),
        cmocka_unit_test(pdb_without_dbi_has_identity_only),
        cmocka_unit_test(pdb_match_compares_guid_and_dbi_age),
        cmocka_unit_test(pdb_dbi_header_truncation_ladder),
        cmocka_unit_test(pdb_corruptions_are_named),
        cmocka_unit_test(pdb_symbol_stream_cut_everywhere),
        cmocka_unit_test(pdb_caps_hold_at_the_limit),
        cmocka_unit_test(corpus_ntdll_pdb),
        cmocka_unit_test(corpus_pty_pdb),
        cmocka_unit_test(corpus_pty_match),
        cmocka_unit_test(fixture_pdbs_open_and_match),
    };
    return cmocka_run_group_tests_name("pdb", tests, NULL, NULL);
}
