#include "ew_rd.h"

#include <stdio.h>
#include <string.h>

void ew_rd_init(ew_rd *r, const uint8_t *base, size_t size, uint64_t base_off,
                const char *what, ew_diag *diag)
{
    r->base = base;
    r->size = base ? size : 0;
    r->pos = 0;
    r->base_off = base_off;
    r->what = what ? what : "data";
    r->diag = diag;
}

ew_status ew_rd_fail(const ew_rd *r, ew_status s, size_t off, const char *fmt,
                     ...)
{
    if (!r->diag || r->diag->status != EW_OK)
        return s;
    size_t at = off == SIZE_MAX ? r->pos : off;
    char detail[192];
    detail[0] = 0;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    return ew_fail(r->diag, s, r->what, (int64_t)(r->base_off + at), "%s",
                   detail);
}

static ew_status need(const ew_rd *r, size_t off, size_t n)
{
    if (ew_fits(r->size, off, n))
        return EW_OK;
    size_t left = off <= r->size ? r->size - off : 0;
    return ew_rd_fail(r, EW_E_TRUNCATED, off,
                      "%zu bytes needed, %zu left", n, left);
}

ew_status ew_rd_bytes(ew_rd *r, size_t n, const uint8_t **out)
{
    EW_TRY(need(r, r->pos, n));
    *out = r->base + r->pos;
    r->pos += n;
    return EW_OK;
}

ew_status ew_rd_copy(ew_rd *r, void *dst, size_t n)
{
    const uint8_t *p;
    EW_TRY(ew_rd_bytes(r, n, &p));
    if (n)
        memcpy(dst, p, n);
    return EW_OK;
}

ew_status ew_rd_u8(ew_rd *r, uint8_t *out)
{
    const uint8_t *p;
    EW_TRY(ew_rd_bytes(r, 1, &p));
    *out = p[0];
    return EW_OK;
}

ew_status ew_rd_u16(ew_rd *r, uint16_t *out)
{
    const uint8_t *p;
    EW_TRY(ew_rd_bytes(r, 2, &p));
    *out = ew_le16(p);
    return EW_OK;
}

ew_status ew_rd_u32(ew_rd *r, uint32_t *out)
{
    const uint8_t *p;
    EW_TRY(ew_rd_bytes(r, 4, &p));
    *out = ew_le32(p);
    return EW_OK;
}

ew_status ew_rd_u64(ew_rd *r, uint64_t *out)
{
    const uint8_t *p;
    EW_TRY(ew_rd_bytes(r, 8, &p));
    *out = ew_le64(p);
    return EW_OK;
}

ew_status ew_rd_skip(ew_rd *r, size_t n)
{
    EW_TRY(need(r, r->pos, n));
    r->pos += n;
    return EW_OK;
}

ew_status ew_rd_seek(ew_rd *r, size_t pos)
{
    if (pos > r->size)
        return ew_rd_fail(r, EW_E_TRUNCATED, r->size,
                          "offset 0x%zx is past the end (size 0x%zx)", pos,
                          r->size);
    r->pos = pos;
    return EW_OK;
}

ew_status ew_rd_align(ew_rd *r, size_t align)
{
    size_t rem = r->pos % align;
    return rem ? ew_rd_skip(r, align - rem) : EW_OK;
}

ew_status ew_rd_u16_at(const ew_rd *r, size_t off, uint16_t *out)
{
    EW_TRY(need(r, off, 2));
    *out = ew_le16(r->base + off);
    return EW_OK;
}

ew_status ew_rd_u32_at(const ew_rd *r, size_t off, uint32_t *out)
{
    EW_TRY(need(r, off, 4));
    *out = ew_le32(r->base + off);
    return EW_OK;
}

ew_status ew_rd_u64_at(const ew_rd *r, size_t off, uint64_t *out)
{
    EW_TRY(need(r, off, 8));
    *out = ew_le64(r->base + off);
    return EW_OK;
}

ew_status ew_rd_sub(const ew_rd *r, size_t off, size_t len, const char *what,
                    ew_rd *out)
{
    if (!ew_fits(r->size, off, len)) {
        ew_rd tmp = *r;
        if (what)
            tmp.what = what;
        size_t left = off <= r->size ? r->size - off : 0;
        return ew_rd_fail(&tmp, EW_E_TRUNCATED, off,
                          "0x%zx bytes declared, 0x%zx available", len, left);
    }
    ew_rd_init(out, r->base + off, len, r->base_off + off,
               what ? what : r->what, r->diag);
    return EW_OK;
}

ew_status ew_rd_cstr_at(const ew_rd *r, size_t off, size_t max, ew_str *out)
{
    if (off > r->size)
        return ew_rd_fail(r, EW_E_TRUNCATED, off, "string offset past end");
    size_t avail = r->size - off;
    /* max bytes of text plus the NUL; max < avail guards the + 1 */
    size_t lim = max < avail ? max + 1 : avail;
    const uint8_t *p = r->base + off;
    const uint8_t *nul = lim ? memchr(p, 0, lim) : NULL;
    if (!nul) {
        if (lim == max + 1)
            return ew_rd_fail(r, EW_E_LIMIT, off,
                              "string longer than %zu bytes", max);
        return ew_rd_fail(r, EW_E_TRUNCATED, off, "unterminated string");
    }
    out->p = (const char *)p;
    out->n = (size_t)(nul - p);
    return EW_OK;
}

ew_status ew_rd_cstr(ew_rd *r, size_t max, ew_str *out)
{
    EW_TRY(ew_rd_cstr_at(r, r->pos, max, out));
    r->pos += out->n + 1;
    return EW_OK;
}

bool ew_str_eq(ew_str s, const char *z)
{
    size_t n = strlen(z);
    return s.n == n && (n == 0 || memcmp(s.p, z, n) == 0);
}
