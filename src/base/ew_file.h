/*
 * ew_file.h - read-only mapping of an input file.
 *
 * The whole file is mapped once and parsers borrow views of it. Sizes above
 * EW_MAX_FILE_SIZE are refused before mapping. An empty file maps to a
 * valid, zero-length view (parsers then report it as truncated).
 */
#ifndef EW_FILE_H
#define EW_FILE_H

#include "ew.h"

typedef struct ew_file {
    const uint8_t *data; /* owned mapping (or NULL when size is 0) */
    size_t size;
    const char *path;    /* borrowed from the caller */
} ew_file;

ew_status ew_file_map(ew_file *f, const char *path, ew_diag *d);
void ew_file_unmap(ew_file *f);

#endif
