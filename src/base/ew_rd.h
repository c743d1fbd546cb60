/*
 * ew_rd.h - the one bounds-checked reader for untrusted bytes.
 *
 * Every parser reads input through an ew_rd; nothing else indexes input
 * buffers. A reader is a borrowed view [base, base+size) with a cursor;
 * positions are offsets, never pointers. A nested structure gets a
 * sub-reader limited to its declared size (ew_rd_sub), so it cannot read
 * past itself. Every failure names the reader's structure (what) and the
 * absolute file offset (base_off + pos) in the reader's diag.
 *
 * All multi-byte reads are little-endian, whatever the host.
 */
#ifndef EW_RD_H
#define EW_RD_H

#include "ew.h"

#include <stdbool.h>

/* A borrowed, length-delimited string (not NUL-terminated). */
typedef struct ew_str {
    const char *p; /* borrowed: points into input bytes or an arena */
    size_t n;
} ew_str;

typedef struct ew_rd {
    const uint8_t *base; /* borrowed: input bytes */
    size_t size;         /* bytes in the view */
    size_t pos;          /* cursor; invariant: pos <= size */
    uint64_t base_off;   /* file offset of base[0], for diagnostics */
    const char *what;    /* structure name for diagnostics (static string) */
    ew_diag *diag;       /* where failures are recorded; may be NULL */
} ew_rd;

void ew_rd_init(ew_rd *r, const uint8_t *base, size_t size, uint64_t base_off,
                const char *what, ew_diag *diag);

static inline size_t ew_rd_left(const ew_rd *r) { return r->size - r->pos; }

/* Sequential reads: advance on success, leave pos unchanged on failure. */
ew_status ew_rd_u8(ew_rd *r, uint8_t *out);
ew_status ew_rd_u16(ew_rd *r, uint16_t *out);
ew_status ew_rd_u32(ew_rd *r, uint32_t *out);
ew_status ew_rd_u64(ew_rd *r, uint64_t *out);
ew_status ew_rd_bytes(ew_rd *r, size_t n, const uint8_t **out);
ew_status ew_rd_copy(ew_rd *r, void *dst, size_t n);
ew_status ew_rd_skip(ew_rd *r, size_t n);
ew_status ew_rd_seek(ew_rd *r, size_t pos);
/* Advance to the next multiple of align (relative to base); align > 0. */
ew_status ew_rd_align(ew_rd *r, size_t align);

/* Random access at an offset in the view; pos is not used nor moved. */
ew_status ew_rd_u16_at(const ew_rd *r, size_t off, uint16_t *out);
ew_status ew_rd_u32_at(const ew_rd *r, size_t off, uint32_t *out);
ew_status ew_rd_u64_at(const ew_rd *r, size_t off, uint64_t *out);

/* A sub-view [off, off+len) of r named what (NULL keeps r's name). */
ew_status ew_rd_sub(const ew_rd *r, size_t off, size_t len, const char *what,
                    ew_rd *out);

/* A NUL-terminated byte string at the cursor, at most max bytes before the
 * NUL; out excludes the NUL, the cursor moves past it. */
ew_status ew_rd_cstr(ew_rd *r, size_t max, ew_str *out);
/* Same, at an offset, without moving. */
ew_status ew_rd_cstr_at(const ew_rd *r, size_t off, size_t max, ew_str *out);

/* Records a failure at the reader's current position (or at off within the
 * view when off != SIZE_MAX). */
ew_status ew_rd_fail(const ew_rd *r, ew_status s, size_t off, const char *fmt,
                     ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Little-endian decoding of bytes already bounds-checked by a reader. */
static inline uint16_t ew_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}
static inline uint32_t ew_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}
static inline uint64_t ew_le64(const uint8_t *p)
{
    return (uint64_t)ew_le32(p) | (uint64_t)ew_le32(p + 4) << 32;
}

bool ew_str_eq(ew_str s, const char *z);

#endif
