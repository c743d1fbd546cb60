/*
 * testutil.h - shared by the cmocka unit tests.
 *
 * Tests run from the project's top directory (tests/run.sh cds there).
 * Corpus tests look for ../shared/corpus and skip, with the reason in TAP,
 * when it is absent.
 *
 * Sections: files (corpus, fixtures, fuzz seeds), a corpus PE and its
 * resources, and tbuf, the little-endian byte builder the crafted-input
 * tests write their structures with.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "base/ew.h"
#include "base/ew_rd.h"
#include "format/pe.h"

/* ---- files ------------------------------------------------------------- */

#define CORPUS_DIR "../shared/corpus"
#define FIXTURE_DIR "tests/fixtures"

/* Skips the current test when the corpus file is missing. path receives
 * CORPUS_DIR/name. */
static inline void corpus_path_or_skip(char *path, size_t size,
                                       const char *name)
{
    struct stat st;
    snprintf(path, size, "%s/%s", CORPUS_DIR, name);
    if (stat(path, &st) != 0) {
        fprintf(stdout, "# corpus file %s absent: skipped\n", path);
        skip();
    }
}

/* Reads a whole file into malloc'd memory (test inputs only). */
static inline uint8_t *read_whole_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *size = n > 0 ? (size_t)n : 0;
    return p;
}

/* Writes size bytes to path (a fuzz seed); 0 on success, else 1 after
 * perror (the exit status of a test's seed-writing mode). */
static inline int write_whole_file(const char *path, const void *data,
                                   size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, size, f) == size;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        perror(path);
    return !ok;
}

/* Corpus file name read whole (malloc'd), or the test skipped when it is
 * absent. */
static inline uint8_t *corpus_read(const char *name, size_t *size)
{
    char path[512];
    corpus_path_or_skip(path, sizeof path, name);
    uint8_t *data = read_whole_file(path, size);
    assert_non_null(data);
    return data;
}

/* Fails the test with d's one-line diagnostic unless s is EW_OK. */
static inline void assert_ew_ok(ew_status s, const ew_diag *d)
{
    if (s != EW_OK) {
        char buf[512];
        fail_msg("%s", ew_diag_format(d, buf, sizeof buf));
    }
}

/* ---- a corpus PE ------------------------------------------------------- */

typedef struct corpus_pe {
    char path[512];  /* CORPUS_DIR/name: the image's path and diag file */
    uint8_t *data;   /* malloc'd: the whole file */
    size_t size;
    pe_image img;    /* borrows path, data and d: do not copy */
    ew_diag d;
} corpus_pe;

/* Opens corpus file name as a PE image, or skips the test when the file is
 * absent; a file that does not open fails the test with its diagnostic. */
static inline void corpus_pe_open(corpus_pe *c, const char *name)
{
    corpus_path_or_skip(c->path, sizeof c->path, name);
    c->data = read_whole_file(c->path, &c->size);
    assert_non_null(c->data);
    ew_diag_init(&c->d, c->path);
    assert_ew_ok(pe_open(&c->img, c->data, c->size, c->path, &c->d), &c->d);
}

static inline void corpus_pe_close(corpus_pe *c)
{
    pe_close(&c->img);
    free(c->data);
}

/* A reader (named what) over the data of the first resource of type_id
 * (or, type_id 0, of type name type_name) in img; *n_langs receives how
 * many languages it has. false when there is none. */
static inline int resource_reader(const pe_image *img, uint32_t type_id,
                                  const char *type_name, const char *what,
                                  ew_rd *rd, size_t *n_langs)
{
    const pe_resource *r = pe_find_resource(img, type_id, type_name,
                                            n_langs);
    if (!r)
        return 0;
    assert_int_equal(pe_rva_reader(img, r->data_rva, r->size, what, rd),
                     EW_OK);
    return 1;
}

/* ---- tbuf: a little-endian byte builder -------------------------------- */

typedef struct tbuf {
    uint8_t *b;    /* malloc'd (tb_free); grows as needed */
    size_t n, cap; /* bytes written / allocated */
} tbuf;

static inline void tb_free(tbuf *t)
{
    free(t->b);
    memset(t, 0, sizeof *t);
}

/* Stores v little-endian at p (a patch into bytes already written). */
static inline void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}
static inline void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static inline void putn(tbuf *t, const void *src, size_t n)
{
    if (n > t->cap - t->n) {
        size_t cap = t->cap ? t->cap : 4096;
        while (n > cap - t->n)
            cap *= 2;
        t->b = realloc(t->b, cap);
        assert_non_null(t->b);
        t->cap = cap;
    }
    if (n)
        memcpy(t->b + t->n, src, n);
    t->n += n;
}
static inline void put8(tbuf *t, uint8_t v) { putn(t, &v, 1); }
static inline void put16(tbuf *t, uint16_t v)
{
    uint8_t x[2];
    wr16(x, v);
    putn(t, x, 2);
}
static inline void put32(tbuf *t, uint32_t v)
{
    uint8_t x[4];
    wr32(x, v);
    putn(t, x, 4);
}
static inline void put64(tbuf *t, uint64_t v)
{
    uint8_t x[8];
    wr64(x, v);
    putn(t, x, 8);
}
/* s and its NUL */
static inline void putz(tbuf *t, const char *s) { putn(t, s, strlen(s) + 1); }
/* zero bytes up to a multiple of align */
static inline void pad_to(tbuf *t, size_t align)
{
    while (t->n % align)
        put8(t, 0);
}
static inline void patch16(tbuf *t, size_t at, uint16_t v)
{
    assert_true(at <= t->n && t->n - at >= 2);
    wr16(t->b + at, v);
}
static inline void patch32(tbuf *t, size_t at, uint32_t v)
{
    assert_true(at <= t->n && t->n - at >= 4);
    wr32(t->b + at, v);
}
static inline uint32_t get32(const tbuf *t, size_t at)
{
    assert_true(at <= t->n && t->n - at >= 4);
    return ew_le32(t->b + at);
}

#endif
