/*
 * testutil.h - shared by the cmocka unit tests.
 *
 * Tests run from the project's top directory (tests/run.sh cds there).
 * Corpus tests look for ../shared/corpus and skip, with the reason in TAP,
 * when it is absent.
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

#endif
