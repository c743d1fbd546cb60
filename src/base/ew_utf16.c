#include "ew_utf16.h"

#include "ew_rd.h"

#include <stdint.h>

#define SURR_HIGH_FIRST 0xD800u
#define SURR_HIGH_LAST 0xDBFFu
#define SURR_LOW_FIRST 0xDC00u
#define SURR_LOW_LAST 0xDFFFu
#define REPLACEMENT 0xFFFDu

size_t ew_utf16_nlen(const uint8_t *src, size_t n_units)
{
    size_t n = 0;
    while (n < n_units && ew_le16(src + 2 * n) != 0)
        n++;
    return n;
}

size_t ew_utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

ew_status ew_utf16_to_utf8(ew_arena *a, const uint8_t *src, size_t n_units,
                           char **out, size_t *out_len)
{
    size_t n = ew_utf16_nlen(src, n_units);
    *out = NULL;
    if (n > (SIZE_MAX - 1) / 3) /* cannot be allocated: as the arena says */
        return EW_E_NOMEM;
    char *p = ew_arena_alloc(a, 3 * n + 1); /* <= 3 bytes per unit */
    if (!p)
        return EW_E_NOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = ew_le16(src + 2 * i);
        if (cp >= SURR_HIGH_FIRST && cp <= SURR_HIGH_LAST && i + 1 < n) {
            uint32_t lo = ew_le16(src + 2 * (i + 1));
            if (lo >= SURR_LOW_FIRST && lo <= SURR_LOW_LAST) {
                cp = 0x10000 + ((cp - SURR_HIGH_FIRST) << 10) +
                     (lo - SURR_LOW_FIRST);
                i++;
            }
        }
        if (cp >= SURR_HIGH_FIRST && cp <= SURR_LOW_LAST)
            cp = REPLACEMENT; /* unpaired surrogate */
        o += ew_utf8_put(p + o, cp);
    }
    p[o] = 0;
    *out = p;
    if (out_len)
        *out_len = o;
    return EW_OK;
}
