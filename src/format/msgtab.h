/*
 * msgtab.h - RT_MESSAGETABLE resources (resource type 11).
 *
 * msgtab_parse reads the bytes of one message-table resource
 * (FORMATS.md §2.8) into a table of id -> UTF-8 text, and msgtab_find
 * looks an id up. It does not find the resource (pe.h), pick a language
 * or a .mui satellite, nor expand FormatMessage inserts (%1, %n, %%):
 * texts are returned as stored, minus trailing CR/LF and NULs.
 *
 * Layout (all little-endian, offsets from the start of the resource):
 *
 *   MESSAGE_RESOURCE_DATA    u32 n_blocks, then n_blocks x 12 bytes
 *   MESSAGE_RESOURCE_BLOCK   u32 low id | u32 high id | u32 entries off
 *   MESSAGE_RESOURCE_ENTRY   u16 length (whole entry, header and padding
 *                            included) | u16 flags (0 ANSI, 1 UTF-16) |
 *                            text; high - low + 1 entries back to back
 *
 * Strict: any malformed block or entry fails the parse with one
 * diagnostic naming it and its file offset; a table is small and either
 * usable or not.
 */
#ifndef MSGTAB_H
#define MSGTAB_H

#include "base/ew.h"
#include "base/ew_arena.h"

#include <stddef.h>
#include <stdint.h>

#define MSGTAB_FLAG_UNICODE 0x0001u /* entry text is UTF-16LE */

typedef struct msgtab_entry {
    uint32_t id;
    const char *text; /* arena, UTF-8, NUL-terminated, trimmed */
    size_t len;       /* bytes of text, NUL excluded */
    uint16_t flags;   /* as stored: MSGTAB_FLAG_UNICODE or 0 (ANSI) */
    uint64_t off;     /* file offset of the entry */
} msgtab_entry;

typedef struct msgtab {
    msgtab_entry *entries; /* arena; sorted by id; when blocks overlap the
                              first block's entry is kept */
    size_t n_entries;
    size_t n_blocks; /* as stored */
} msgtab;

/* Parses the size bytes at data (base_off: their file offset, for
 * messages) into t, allocating from a. On failure returns the status,
 * fills d (structure and file offset) and leaves t empty. ANSI entries
 * are decoded as Windows-1252 (the resource's code page is not an input;
 * every corpus table is UTF-16). */
ew_status msgtab_parse(msgtab *t, const uint8_t *data, size_t size,
                       uint64_t base_off, ew_arena *a, ew_diag *d);

/* The text of message id (UTF-8, trimmed; may be "" when the stored text
 * is only line ends), or NULL when absent. */
const char *msgtab_find(const msgtab *t, uint32_t id);

#endif
