/*
 * tlg.c - TraceLogging metadata in a PE image: the header, the range of the
 * blob stream, lookups and names. The stream walk is tlg_walk.c, the
 * name-derived GUID tlg_guid.c; layouts are in tlg.h.
 */
#include "tlg.h"

#include "base/ew_limits.h"
#include "base/ew_rd.h"

#include <string.h>

/* ---- reading the image --------------------------------------------------- */

/* A reader over [rva, rva+len) that records nothing when the bytes are not
 * file-backed (pe_rva_reader would, in img->diag). */
static bool quiet_reader(const pe_image *img, uint32_t rva, uint32_t len,
                         const char *what, ew_diag *d, ew_rd *out)
{
    size_t off;
    if (pe_rva_to_off(img, rva, len, &off) != EW_OK)
        return false;
    ew_rd_init(out, img->data + off, len, off, what, d);
    return true;
}

/* The file-backed end of the section holding rva (pe_rva_to_off's rule:
 * the first min(SizeOfRawData, VirtualSize) bytes), or rva when none. */
static uint32_t backed_end(const pe_image *img, uint32_t rva)
{
    const pe_section *s = pe_section_at(img, rva);
    if (!s)
        return rva;
    uint32_t n = s->vsize && s->vsize < s->raw_size ? s->vsize : s->raw_size;
    uint64_t end = (uint64_t)s->rva + n;
    return end > rva ? (uint32_t)(end > UINT32_MAX ? UINT32_MAX : end) : rva;
}

/* Checks the 16 bytes of r (at its cursor) as a header; fills d (when r
 * has one) with the first mismatch. */
static bool header_ok(ew_rd *r, tlg_header *out, uint32_t rva)
{
    const uint8_t *sig;
    uint16_t size;
    uint8_t version, flags;
    uint64_t magic;
    if (ew_rd_bytes(r, 4, &sig) || ew_rd_u16(r, &size) ||
        ew_rd_u8(r, &version) || ew_rd_u8(r, &flags) || ew_rd_u64(r, &magic))
        return false;
    if (memcmp(sig, TLG_SIGNATURE, 4) != 0) {
        ew_rd_fail(r, EW_E_BAD_MAGIC, 0,
                   "signature %02x %02x %02x %02x, expected \"ETW0\"", sig[0],
                   sig[1], sig[2], sig[3]);
        return false;
    }
    if (size != TLG_HEADER_SIZE) {
        ew_rd_fail(r, EW_E_BAD_VALUE, 4, "size %u, expected 16", size);
        return false;
    }
    if (magic != TLG_MAGIC) {
        ew_rd_fail(r, EW_E_BAD_MAGIC, 8, "magic 0x%016llx, expected 0x%016llx",
                   (unsigned long long)magic, (unsigned long long)TLG_MAGIC);
        return false;
    }
    out->rva = rva;
    out->version = version;
    out->flags = flags;
    return true;
}

/* Is there a valid header at rva? */
static bool header_at(const pe_image *img, uint32_t rva, tlg_header *out)
{
    ew_rd r;
    return quiet_reader(img, rva, TLG_HEADER_SIZE, "TraceLogging header", NULL,
                        &r) &&
           header_ok(&r, out, rva);
}

static const pe_pogo_entry *pogo_header_entry(const pe_image *img)
{
    for (size_t i = 0; i < img->n_pogo; i++)
        if (img->pogo[i].name && strcmp(img->pogo[i].name, ".rdata$zETW0") == 0)
            return &img->pogo[i];
    return NULL;
}

#define SCN_CNT_CODE 0x20u             /* PE/COFF IMAGE_SCN_CNT_CODE */
#define SCN_CNT_INITIALIZED_DATA 0x40u /* IMAGE_SCN_CNT_INITIALIZED_DATA */

bool tlg_find_header(const pe_image *img, tlg_header *out)
{
    const pe_pogo_entry *pg = pogo_header_entry(img);
    if (pg && header_at(img, pg->rva, out))
        return true;
    for (size_t i = 0; i < img->n_sections; i++) {
        const pe_section *s = &img->sections[i];
        if ((s->characteristics & SCN_CNT_CODE) ||
            !(s->characteristics & SCN_CNT_INITIALIZED_DATA))
            continue;
        uint32_t len = s->raw_size < s->vsize ? s->raw_size : s->vsize;
        ew_rd r;
        const uint8_t *p;
        if (len < TLG_HEADER_SIZE ||
            !quiet_reader(img, s->rva, len, "section", NULL, &r) ||
            ew_rd_bytes(&r, len, &p) != EW_OK)
            continue;
        /* the header is 8-byte aligned (FORMATS.md §1.2); p holds len bytes */
        for (uint32_t at = 0; at <= len - TLG_HEADER_SIZE; at += 8) {
            if (memcmp(p + at, TLG_SIGNATURE, 4) == 0 &&
                header_at(img, s->rva + at, out))
                return true;
        }
    }
    return false;
}

/* ---- the catalog --------------------------------------------------------- */

/* Appends a warning about the header (rare: copies the array). */
static ew_status add_warning(tlg_catalog *c, ew_arena *a, const ew_diag *w)
{
    if (c->n_warnings >= TLG_MAX_WARNINGS) {
        c->n_warnings_dropped++;
        return EW_OK;
    }
    tlg_warning *v = ew_arena_array(a, c->n_warnings + 1, sizeof *v);
    if (!v)
        return EW_E_NOMEM;
    if (c->n_warnings)
        memcpy(v, c->warnings, c->n_warnings * sizeof *v);
    v[c->n_warnings].rva = c->header.rva;
    v[c->n_warnings].diag = *w;
    c->warnings = v;
    c->n_warnings++;
    return EW_OK;
}

/* Where the stream ends: the last POGO "$zETW*" contribution at or after
 * the header within its section (the linker sorts $zETW0 header, 1 events,
 * 2 providers, 9 end marker, FORMATS.md §1.1), else the section's
 * file-backed end. */
static uint32_t stream_end(const pe_image *img, uint32_t header_rva)
{
    uint32_t sec_end = backed_end(img, header_rva);
    uint64_t pogo_end = 0;
    for (size_t i = 0; i < img->n_pogo; i++) {
        const pe_pogo_entry *e = &img->pogo[i];
        if (!e->name || !strstr(e->name, "$zETW") || e->rva < header_rva ||
            e->rva >= sec_end)
            continue;
        uint64_t end = (uint64_t)e->rva + e->size;
        if (end > pogo_end)
            pogo_end = end;
    }
    if (pogo_end && pogo_end < sec_end)
        return (uint32_t)pogo_end;
    return sec_end;
}

ew_status tlg_parse(tlg_catalog *c, const pe_image *img, ew_arena *a,
                    ew_diag *d)
{
    memset(c, 0, sizeof *c);
    tlg_header h;
    const pe_pogo_entry *pg = pogo_header_entry(img);
    if (pg) {
        /* the linker put the header object here: it must be one */
        ew_rd r;
        size_t off;
        if (pe_rva_to_off(img, pg->rva, TLG_HEADER_SIZE, &off) != EW_OK)
            return ew_fail(d, EW_E_TRUNCATED, "TraceLogging header", -1,
                           "POGO .rdata$zETW0 at rva 0x%x has no 16 file "
                           "bytes",
                           pg->rva);
        ew_rd_init(&r, img->data + off, TLG_HEADER_SIZE, off,
                   "TraceLogging header", d);
        if (!header_ok(&r, &h, pg->rva))
            return d ? d->status : EW_E_BAD_MAGIC;
    } else if (!tlg_find_header(img, &h)) {
        return EW_OK; /* no TraceLogging metadata */
    }

    uint32_t start = h.rva + TLG_HEADER_SIZE;
    uint32_t end = stream_end(img, h.rva);
    ew_rd blobs;
    if (end <= start || !quiet_reader(img, start, end - start,
                                      "TraceLogging blob stream", d, &blobs)) {
        size_t off = 0;
        pe_rva_to_off(img, h.rva, TLG_HEADER_SIZE, &off);
        ew_rd_init(&blobs, NULL, 0, off + TLG_HEADER_SIZE,
                   "TraceLogging blob stream", d);
    }
    bool ptr64 = h.flags & 1;
    EW_TRY(tlg_walk(c, &blobs, start, ptr64, a, d));
    c->has_header = true;
    c->header = h;

    size_t hoff = blobs.base_off - TLG_HEADER_SIZE;
    ew_diag w;
    if (h.version != 0) {
        ew_diag_init(&w, d ? d->file : NULL);
        ew_fail(&w, EW_E_UNSUPPORTED, "TraceLogging header", (int64_t)hoff + 6,
                "version %u; only version 0 is documented, read as such",
                h.version);
        if (add_warning(c, a, &w) != EW_OK)
            goto nomem;
    }
    if (ptr64 != img->pe32plus) {
        ew_diag_init(&w, d ? d->file : NULL);
        ew_fail(&w, EW_E_MISMATCH, "TraceLogging header", (int64_t)hoff + 7,
                "flags say %s pointers in a %s image",
                ptr64 ? "64-bit" : "32-bit", img->pe32plus ? "PE32+" : "PE32");
        if (add_warning(c, a, &w) != EW_OK)
            goto nomem;
    }
    return EW_OK;
nomem:
    memset(c, 0, sizeof *c);
    return ew_fail(d, EW_E_NOMEM, "TraceLogging warning", -1,
                   "arena exhausted");
}

/* ---- lookups ------------------------------------------------------------- */

const tlg_event *tlg_find_event(const tlg_catalog *c, uint32_t rva)
{
    /* events are in stream order: the last one starting at or before rva */
    size_t lo = 0, hi = c->n_events;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->events[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const tlg_event *e = &c->events[lo - 1];
    return rva == e->rva || rva - e->rva == 1 ? e : NULL;
}

const tlg_provider *tlg_find_provider(const tlg_catalog *c, uint32_t rva)
{
    for (size_t i = 0; i < c->n_providers; i++)
        if (c->providers[i].rva == rva || c->providers[i].traits_rva == rva)
            return &c->providers[i];
    return NULL;
}

/* ---- names --------------------------------------------------------------- */

const char *tlg_in_type_name(uint8_t in_type)
{
    /* TlgIn_t (FORMATS.md §1.8) */
    static const char *const names[TLG_IN_TYPE_COUNT] = {
        "NULL",     "UNICODESTRING", "ANSISTRING",    "INT8",
        "UINT8",    "INT16",         "UINT16",        "INT32",
        "UINT32",   "INT64",         "UINT64",        "FLOAT",
        "DOUBLE",   "BOOL32",        "BINARY",        "GUID",
        "POINTER",  "FILETIME",      "SYSTEMTIME",    "SID",
        "HEXINT32", "HEXINT64",      "COUNTEDSTRING", "COUNTEDANSISTRING",
        "STRUCT",   "COUNTEDBINARY",
    };
    return in_type < TLG_IN_TYPE_COUNT ? names[in_type] : "?";
}

const char *tlg_out_type_name(uint8_t out_type)
{
    /* TlgOut_t (FORMATS.md §1.8): not the TDH numbers below 32 */
    static const char *const low[] = {
        "",         "NOPRINT",    "STRING",        "BOOLEAN",
        "HEX",      "PID",        "TID",           "PORT",
        "IPV4",     "IPV6",       "SOCKETADDRESS", "XML",
        "JSON",     "WIN32ERROR", "NTSTATUS",      "HRESULT",
        "FILETIME", "SIGNED",     "UNSIGNED",
    };
    static const char *const high[] = {
        "UTF8",
        "PKCS7_WITH_TYPE_INFO",
        "CODE_POINTER",
        "DATETIME_UTC",
    };
    if (out_type < sizeof low / sizeof low[0])
        return low[out_type];
    if (out_type >= 35 && out_type < 35 + sizeof high / sizeof high[0])
        return high[out_type - 35];
    return "?";
}

const char *tlg_blob_type_name(uint8_t blob_type)
{
    static const char *const names[TLG_BLOB_TYPE_COUNT] = {
        "None", "End", "Provider", "Event3", "Provider3", "Event2", "Event4",
    };
    return blob_type < TLG_BLOB_TYPE_COUNT ? names[blob_type] : "?";
}
