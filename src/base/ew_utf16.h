/*
 * ew_utf16.h - UTF-16LE text from the file, as UTF-8 for the model.
 *
 * Windows stores names and messages as UTF-16LE (resource names, WEVT
 * strings, message tables). The file's bytes are untrusted: every unit is
 * read within the n_units the caller has proved, surrogates are paired only
 * inside that range, and anything unpaired becomes U+FFFD, so the output is
 * always valid UTF-8. Where the units came from, and what a missing
 * terminator means, is the caller's business (and its diagnostic).
 */
#ifndef EW_UTF16_H
#define EW_UTF16_H

#include "ew_arena.h"

#include <stddef.h>
#include <stdint.h>

/* The number of UTF-16LE units at src before the first NUL unit; n_units
 * when there is none. Reads at most 2 * n_units bytes. */
size_t ew_utf16_nlen(const uint8_t *src, size_t n_units);

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 into
 * out, which has room for 4 bytes; returns the bytes written (1..4). */
size_t ew_utf8_put(char *out, uint32_t cp);

/* The UTF-8 form of the UTF-16LE units at src, up to the first NUL unit or
 * n_units, whichever comes first (a NUL cannot be kept in a C string); a
 * surrogate pair becomes one code point, a lone or reversed surrogate
 * U+FFFD. Reads at most 2 * n_units bytes: an odd trailing byte is the
 * caller's to drop (n_units = bytes / 2). *out is NUL-terminated arena
 * memory (at most 3 bytes per unit converted, plus the NUL); *out_len (may
 * be NULL) is its length without the NUL. Returns EW_OK, or EW_E_NOMEM
 * when the arena is exhausted (*out is then NULL). An empty input gives
 * "", not NULL. */
ew_status ew_utf16_to_utf8(ew_arena *a, const uint8_t *src, size_t n_units,
                           char **out, size_t *out_len);

#endif
