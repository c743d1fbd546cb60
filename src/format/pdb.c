/*
 * pdb.c - PDB info stream, DBI stream, symbol records and module annotations
 * on top of msf.c (pdb.h).
 *
 * Every stream is read through a reader whose offsets are stream offsets;
 * its failures land in a stream diag (pctx.sd) and are turned into file
 * offsets by msf_diag_to_file when the stream's parse returns.
 *
 * PDB info stream (stream 1), FORMATS.md §4.2:
 *   | 0 | 4 | Version (>= 20000404 VC70: older ones have no GUID) |
 *   | 4 | 4 | Signature (time stamp) | 8 | 4 | Age | 12 | 16 | GUID |
 *
 * DBI header (stream 3, 64 bytes), FORMATS.md §4.3:
 *   |  0 | i32 VersionSignature (-1) |  4 | u32 VersionHeader | 8 | u32 Age |
 *   | 12 | u16 GlobalStreamIndex | 14 | u16 BuildNumber |
 *   | 16 | u16 PublicStreamIndex | 18 | u16 PdbDllVersion |
 *   | 20 | u16 SymRecordStream   | 22 | u16 PdbDllRbld |
 *   | 24 | i32 ModInfoSize | 28 | i32 SectionContributionSize |
 *   | 32 | i32 SectionMapSize | 36 | i32 SourceInfoSize |
 *   | 40 | i32 TypeServerMapSize | 44 | u32 MFCTypeServerIndex |
 *   | 48 | i32 OptionalDbgHeaderSize | 52 | i32 ECSubstreamSize |
 *   | 56 | u16 Flags | 58 | u16 Machine | 60 | u32 pad |
 *   then ModInfo, SectionContribution, SectionMap, SourceInfo,
 *   TypeServerMap, EC, OptionalDbgHeader, in that order.
 *
 * ModInfo record (64 bytes + 2 names, padded to 4):
 *   | 0 | u32 | 4 | SectionContribEntry (28) | 32 | u16 Flags |
 *   | 34 | u16 ModuleSymStream | 36 | u32 SymByteSize | 40 | u32 C11 size |
 *   | 44 | u32 C13 size | 48 | u16 SourceFileCount | 50 | u16 pad |
 *   | 52 | u32 | 56 | u32 SourceFileNameIndex | 60 | u32 PdbFilePathNameIndex |
 *   | 64 | ModuleName NUL | ObjFileName NUL |
 *
 * Symbol record: u16 RecordLen (bytes after it, >= 2); u16 Kind; payload
 * (FORMATS.md §4.5). Kinds not listed in pdb.h (S_UDT, S_CONSTANT, ...) are
 * skipped by length.
 */
#include "pdb.h"

#include "base/ew_guid.h"
#include "base/ew_limits.h"
#include "base/ew_rd.h"
#include "msf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDB_STREAM_INFO 1
#define PDB_STREAM_DBI 3
#define PDB_INFO_VC70 20000404u
#define DBI_HEADER_SIZE 64
#define MODI_FIXED_SIZE 64
#define SECTION_HEADER_SIZE 40
#define MODULE_SIG_C13 4u

/* Optional debug header slots (FORMATS.md §4.3). */
enum { DBG_OMAP_FROM_SRC = 4, DBG_SECTION_HDR = 5, DBG_SECTION_HDR_ORIG = 10,
       DBG_COUNT = 11 };

typedef struct pctx {
    pdb_file *pdb;
    msf_file msf;
    ew_diag *d;      /* the caller's diag: file offsets */
    ew_diag sd;      /* the current stream's diag: stream offsets */
    unsigned flags;
    uint16_t sym_record_stream;
    uint16_t dbg[DBG_COUNT]; /* PDB_NO_STREAM when absent */
} pctx;

/* ---- streams ------------------------------------------------------------ */

static ew_status open_stream(pctx *c, uint32_t idx, size_t max,
                             const char *what, ew_rd *r)
{
    ew_diag_init(&c->sd, c->d->file);
    return msf_stream_view(&c->msf, idx, max, &c->pdb->arena, what, &c->sd,
                           r, c->d);
}

/* Ends the parse of stream idx: a failure recorded in stream offsets
 * becomes one in file offsets. */
static ew_status close_stream(pctx *c, uint32_t idx, const char *what,
                              ew_status s)
{
    if (s == EW_OK)
        return s;
    msf_diag_to_file(&c->msf, idx, &c->sd, c->d);
    if (c->d->status == EW_OK)
        ew_fail(c->d, s, what, -1, "stream %u", idx);
    return s;
}

static ew_status check_stream_index(pctx *c, ew_rd *r, size_t at,
                                    uint16_t idx, const char *field)
{
    if (idx == PDB_NO_STREAM || idx < c->msf.n_streams)
        return EW_OK;
    return ew_rd_fail(r, EW_E_BAD_VALUE, at, "%s stream %u, file has %u",
                      field, idx, c->msf.n_streams);
}

/* ---- info stream -------------------------------------------------------- */

static ew_status parse_info(pctx *c, ew_rd *r)
{
    pdb_file *p = c->pdb;
    EW_TRY(ew_rd_u32(r, &p->info_version));
    if (p->info_version < PDB_INFO_VC70)
        return ew_rd_fail(r, EW_E_UNSUPPORTED, 0,
                          "version %u predates VC70 (%u): no GUID",
                          p->info_version, PDB_INFO_VC70);
    EW_TRY(ew_rd_u32(r, &p->signature));
    EW_TRY(ew_rd_u32(r, &p->age));
    p->guid_file_off = msf_stream_file_off(&c->msf, PDB_STREAM_INFO, r->pos);
    return ew_rd_copy(r, p->guid, 16);
}

/* ---- DBI ---------------------------------------------------------------- */

static ew_status parse_modules(pctx *c, ew_rd *r)
{
    pdb_file *p = c->pdb;
    ew_vec v;
    ew_vec_init(&v, sizeof(pdb_module));
    char what[48];
    while (ew_rd_left(r) > 0) {
        size_t start = r->pos;
        snprintf(what, sizeof what, "DBI module info %zu", v.n + 1);
        ew_rd rec = *r;
        rec.what = what;
        if (v.n >= PDB_MAX_MODULES)
            return ew_rd_fail(&rec, EW_E_LIMIT, start, "more than %u modules",
                              PDB_MAX_MODULES);
        uint16_t stream;
        uint32_t sym_size;
        EW_TRY(ew_rd_skip(&rec, 34));
        EW_TRY(ew_rd_u16(&rec, &stream));
        EW_TRY(ew_rd_u32(&rec, &sym_size));
        EW_TRY(ew_rd_skip(&rec, MODI_FIXED_SIZE - 40));
        ew_str name, obj;
        EW_TRY(ew_rd_cstr(&rec, PDB_MAX_NAME, &name));
        EW_TRY(ew_rd_cstr(&rec, PDB_MAX_NAME, &obj));
        EW_TRY(check_stream_index(c, &rec, start + 34, stream,
                                  "ModuleSymStream"));
        uint32_t have = stream == PDB_NO_STREAM
                            ? 0
                            : c->msf.streams[stream].size;
        if (sym_size > have)
            return ew_rd_fail(&rec, EW_E_BAD_COUNT, start + 36,
                              "SymByteSize 0x%x, stream %u has 0x%x bytes",
                              sym_size, stream, have);
        pdb_module *m = ew_vec_push(&v, &p->arena);
        if (!m)
            return ew_rd_fail(&rec, EW_E_NOMEM, start, "module table");
        m->name = name.p;
        m->obj_name = obj.p;
        m->sym_stream = stream;
        m->sym_size = sym_size;
        /* records are padded to 4 bytes; tolerate a missing last pad */
        size_t pad = (4 - rec.pos % 4) % 4;
        r->pos = rec.pos + (pad < ew_rd_left(&rec) ? pad : ew_rd_left(&rec));
    }
    p->modules = v.items;
    p->n_modules = v.n;
    return EW_OK;
}

static ew_status parse_dbg_header(pctx *c, ew_rd *r)
{
    size_t n = ew_rd_left(r) / 2;
    for (size_t i = 0; i < DBG_COUNT; i++) {
        c->dbg[i] = PDB_NO_STREAM;
        if (i >= n)
            continue;
        uint16_t s;
        EW_TRY(ew_rd_u16_at(r, 2 * i, &s));
        if (i == DBG_OMAP_FROM_SRC || i == DBG_SECTION_HDR ||
            i == DBG_SECTION_HDR_ORIG)
            EW_TRY(check_stream_index(c, r, 2 * i, s, "optional debug"));
        c->dbg[i] = s;
    }
    return EW_OK;
}

static ew_status parse_dbi(pctx *c, ew_rd *r)
{
    pdb_file *p = c->pdb;
    uint32_t sig, ver;
    EW_TRY(ew_rd_u32(r, &sig));
    if (sig != 0xFFFFFFFFu)
        return ew_rd_fail(r, EW_E_UNSUPPORTED, 0,
                          "VersionSignature 0x%x: pre-VC41 DBI", sig);
    EW_TRY(ew_rd_u32(r, &ver));
    EW_TRY(ew_rd_u32(r, &p->dbi_age));
    EW_TRY(ew_rd_skip(r, 8));
    EW_TRY(ew_rd_u16(r, &c->sym_record_stream));
    EW_TRY(check_stream_index(c, r, 20, c->sym_record_stream,
                              "SymRecordStream"));
    EW_TRY(ew_rd_skip(r, 2));
    /* sizes at 24..52 in header order; 44 is MFCTypeServerIndex */
    uint32_t size[8];
    for (int i = 0; i < 8; i++) {
        EW_TRY(ew_rd_u32(r, &size[i]));
        if (i != 5 && size[i] > INT32_MAX)
            return ew_rd_fail(r, EW_E_BAD_VALUE, 24 + 4 * (size_t)i,
                              "negative substream size %d", (int32_t)size[i]);
    }
    uint16_t flags;
    EW_TRY(ew_rd_u16(r, &flags));
    EW_TRY(ew_rd_u16(r, &p->machine));
    EW_TRY(ew_rd_skip(r, 4));
    enum { MODI, SECCONTR, SECMAP, SRCINFO, TSMAP, MFC, OPTDBG, EC };
    uint64_t total = (uint64_t)size[MODI] + size[SECCONTR] + size[SECMAP] +
                     size[SRCINFO] + size[TSMAP] + size[OPTDBG] + size[EC];
    if (total > ew_rd_left(r))
        return ew_rd_fail(r, EW_E_BAD_COUNT, 24,
                          "substreams need 0x%llx bytes, stream has 0x%zx",
                          (unsigned long long)total, ew_rd_left(r));
    ew_rd sub;
    size_t at = DBI_HEADER_SIZE;
    EW_TRY(ew_rd_sub(r, at, size[MODI], "DBI module info", &sub));
    EW_TRY(parse_modules(c, &sub));
    at += (size_t)size[MODI] + size[SECCONTR] + size[SECMAP] +
          size[SRCINFO] + size[TSMAP] + size[EC];
    EW_TRY(ew_rd_sub(r, at, size[OPTDBG], "DBI optional debug header",
                     &sub));
    return parse_dbg_header(c, &sub);
}

/* ---- sections and OMAP -------------------------------------------------- */

static ew_status parse_sections(pctx *c, ew_rd *r, pdb_section **out,
                                size_t *n_out)
{
    if (r->size % SECTION_HEADER_SIZE)
        return ew_rd_fail(r, EW_E_BAD_VALUE, 0,
                          "%zu bytes is not a multiple of %d", r->size,
                          SECTION_HEADER_SIZE);
    size_t n = r->size / SECTION_HEADER_SIZE;
    if (n > PDB_MAX_SECTIONS)
        return ew_rd_fail(r, EW_E_LIMIT, 0, "%zu sections, limit %u", n,
                          PDB_MAX_SECTIONS);
    pdb_section *s = ew_arena_array(&c->pdb->arena, n ? n : 1, sizeof *s);
    if (!s)
        return ew_rd_fail(r, EW_E_NOMEM, 0, "%zu sections", n);
    for (size_t i = 0; i < n; i++) {
        EW_TRY(ew_rd_copy(r, s[i].name, 8));
        EW_TRY(ew_rd_u32(r, &s[i].vsize));
        EW_TRY(ew_rd_u32(r, &s[i].rva));
        EW_TRY(ew_rd_u32(r, &s[i].raw_size));
        EW_TRY(ew_rd_skip(r, 16));
        EW_TRY(ew_rd_u32(r, &s[i].characteristics));
    }
    *out = s;
    *n_out = n;
    return EW_OK;
}

static int cmp_omap(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static ew_status parse_omap(pctx *c, ew_rd *r)
{
    pdb_file *p = c->pdb;
    if (r->size % 8)
        return ew_rd_fail(r, EW_E_BAD_VALUE, 0,
                          "%zu bytes is not a multiple of 8", r->size);
    size_t n = r->size / 8;
    p->omap = ew_arena_array(&p->arena, n ? 2 * n : 1, sizeof(uint32_t));
    if (!p->omap)
        return ew_rd_fail(r, EW_E_NOMEM, 0, "%zu OMAP entries", n);
    for (size_t i = 0; i < 2 * n; i++)
        EW_TRY(ew_rd_u32(r, &p->omap[i]));
    /* the table should be sorted; sorting costs little and makes the
     * binary search correct whatever the file says */
    qsort(p->omap, n, 2 * sizeof(uint32_t), cmp_omap);
    p->n_omap = n;
    p->has_omap = n > 0;
    return EW_OK;
}

/* Reads optional stream idx (PDB_NO_STREAM or nil: nothing) with fn. */
static ew_status read_optional(pctx *c, uint16_t idx, const char *what,
                               ew_status (*fn)(pctx *, ew_rd *, void *),
                               void *arg)
{
    if (idx == PDB_NO_STREAM || !msf_stream_present(&c->msf, idx))
        return EW_OK;
    ew_rd r;
    EW_TRY(open_stream(c, idx, SIZE_MAX, what, &r));
    return close_stream(c, idx, what, fn(c, &r, arg));
}

static ew_status sections_cb(pctx *c, ew_rd *r, void *arg)
{
    pdb_file *p = c->pdb;
    if (arg)
        return parse_sections(c, r, &p->orig_sections, &p->n_orig_sections);
    return parse_sections(c, r, &p->sections, &p->n_sections);
}

static ew_status omap_cb(pctx *c, ew_rd *r, void *arg)
{
    (void)arg;
    return parse_omap(c, r);
}

bool pdb_rva_of(const pdb_file *pdb, uint16_t seg, uint32_t off,
                uint32_t *rva)
{
    const pdb_section *secs = pdb->sections;
    size_t n = pdb->n_sections;
    if (pdb->has_omap && pdb->n_orig_sections) {
        secs = pdb->orig_sections;
        n = pdb->n_orig_sections;
    }
    if (seg == 0 || seg > n)
        return false;
    const pdb_section *s = &secs[seg - 1];
    uint32_t limit = s->vsize > s->raw_size ? s->vsize : s->raw_size;
    if (off > limit)
        return false;
    uint64_t v = (uint64_t)s->rva + off;
    if (v > UINT32_MAX)
        return false;
    if (pdb->has_omap) {
        /* greatest entry with from <= v; to == 0 means "removed" */
        size_t lo = 0, hi = pdb->n_omap;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (pdb->omap[2 * mid] <= v)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == 0)
            return false;
        uint32_t from = pdb->omap[2 * (lo - 1)], to = pdb->omap[2 * lo - 1];
        if (to == 0)
            return false;
        v = (uint64_t)to + (v - from);
        if (v > UINT32_MAX)
            return false;
    }
    *rva = (uint32_t)v;
    return true;
}

/* ---- symbol records ----------------------------------------------------- */

/* One record's fixed fields and name; returns whether it is kept. */
typedef struct sym_walk {
    pdb_symbol *pubs, *globs; /* NULL while counting */
    size_t n_pubs, n_globs;
} sym_walk;

static ew_status parse_record(pctx *c, ew_rd *rec, uint16_t kind,
                              sym_walk *w)
{
    pdb_symbol s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    uint32_t a, b;
    uint16_t h;
    bool pub = false;
    switch (kind) {
    case PDB_S_PUB32:
        pub = true;
        /* fall through */
    case PDB_S_GDATA32:
    case PDB_S_LDATA32:
    case PDB_S_GTHREAD32:
    case PDB_S_LTHREAD32:
        EW_TRY(ew_rd_u32(rec, &a));
        EW_TRY(ew_rd_u32(rec, &s.off));
        EW_TRY(ew_rd_u16(rec, &s.seg));
        if (pub)
            s.flags = a;
        else
            s.type_index = a;
        break;
    case PDB_S_PROCREF:
    case PDB_S_LPROCREF:
    case PDB_S_DATAREF:
    case PDB_S_ANNOTATIONREF:
        EW_TRY(ew_rd_u32(rec, &a)); /* SumName */
        EW_TRY(ew_rd_u32(rec, &b));
        EW_TRY(ew_rd_u16(rec, &h));
        s.sym_off = b;
        s.module = h;
        break;
    default:
        return EW_OK; /* S_CONSTANT, S_UDT, unknown: skipped by length */
    }
    /* names are bounded by the record (u16 length), not PDB_MAX_NAME:
     * undecorated template names in globals can be longer than 4 KB */
    ew_str name;
    EW_TRY(ew_rd_cstr(rec, ew_rd_left(rec), &name));
    size_t *n = pub ? &w->n_pubs : &w->n_globs;
    if (w->n_pubs + w->n_globs >= PDB_MAX_SYMBOLS)
        return ew_rd_fail(rec, EW_E_LIMIT, 0, "more than %u symbols",
                          PDB_MAX_SYMBOLS);
    pdb_symbol *arr = pub ? w->pubs : w->globs;
    if (arr) {
        s.name = name.p;
        if (s.seg)
            s.has_rva = pdb_rva_of(c->pdb, s.seg, s.off, &s.rva);
        arr[*n] = s;
    }
    (*n)++;
    return EW_OK;
}

/* Walks records [start, size) of r. what_fmt names a failing record from
 * its stream offset ("symbol record %zu"). fn sees each record's payload. */
typedef ew_status (*record_fn)(pctx *c, ew_rd *payload, uint16_t kind,
                               void *arg);

static ew_status walk_records(pctx *c, ew_rd *r, size_t start,
                              const char *what_prefix, record_fn fn,
                              void *arg)
{
    ew_status s = EW_OK;
    size_t pos = start;
    while (pos < r->size) {
        ew_rd rec;
        uint16_t len = 0, kind = 0;
        size_t left = r->size - pos;
        s = ew_rd_sub(r, pos, left < 4 ? left : 4, NULL, &rec);
        if (s == EW_OK && left < 4)
            s = ew_rd_fail(&rec, EW_E_TRUNCATED, 0,
                           "record header needs 4 bytes, %zu left", left);
        if (s == EW_OK) {
            len = ew_le16(rec.base);
            kind = ew_le16(rec.base + 2);
            if (len < 2)
                s = ew_rd_fail(&rec, EW_E_BAD_VALUE, 0,
                               "RecordLen %u is less than 2", len);
            else if ((size_t)len - 2 > left - 4)
                s = ew_rd_fail(&rec, EW_E_TRUNCATED, 0,
                               "RecordLen %u, %zu bytes left", len, left - 2);
        }
        if (s == EW_OK)
            s = ew_rd_sub(r, pos + 4, (size_t)len - 2, NULL, &rec);
        if (s == EW_OK)
            s = fn(c, &rec, kind, arg);
        if (s != EW_OK) {
            /* name the record by its stream offset, as llvm-pdbutil does */
            if (c->sd.status != EW_OK && strcmp(c->sd.what, r->what) == 0)
                snprintf(c->sd.what, sizeof c->sd.what, "%s %zu",
                         what_prefix, pos);
            return s;
        }
        pos += 2 + (size_t)len;
    }
    return EW_OK;
}

static ew_status sym_record_cb(pctx *c, ew_rd *payload, uint16_t kind,
                               void *arg)
{
    return parse_record(c, payload, kind, arg);
}

static int cmp_symbol(const void *pa, const void *pb)
{
    const pdb_symbol *a = pa, *b = pb;
    if (a->has_rva != b->has_rva)
        return a->has_rva ? -1 : 1;
    if (a->has_rva) {
        if (a->rva != b->rva)
            return a->rva < b->rva ? -1 : 1;
    } else {
        if (a->seg != b->seg)
            return a->seg < b->seg ? -1 : 1;
        if (a->off != b->off)
            return a->off < b->off ? -1 : 1;
    }
    int k = strcmp(a->name, b->name);
    if (k)
        return k;
#define CMP_FIELD(f) \
    if (a->f != b->f) \
        return a->f < b->f ? -1 : 1
    CMP_FIELD(seg);
    CMP_FIELD(off);
    CMP_FIELD(kind);
    CMP_FIELD(flags);
    CMP_FIELD(type_index);
    CMP_FIELD(module);
    CMP_FIELD(sym_off);
#undef CMP_FIELD
    return 0;
}

/* Name indexes are arrays of pointers into the sorted symbol array, so the
 * comparator needs no context; ties fall back to position in that array. */
static int cmp_by_name(const void *pa, const void *pb)
{
    const pdb_symbol *a = *(const pdb_symbol *const *)pa;
    const pdb_symbol *b = *(const pdb_symbol *const *)pb;
    int k = strcmp(a->name, b->name);
    if (k)
        return k;
    return (a > b) - (a < b);
}

static const pdb_symbol **index_by_name(pdb_file *p, const pdb_symbol *syms,
                                        size_t n)
{
    const pdb_symbol **idx = ew_arena_array(&p->arena, n ? n : 1,
                                            sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = &syms[i];
    qsort(idx, n, sizeof *idx, cmp_by_name);
    return idx;
}

static ew_status parse_symbols(pctx *c, ew_rd *r)
{
    pdb_file *p = c->pdb;
    sym_walk w = {NULL, NULL, 0, 0};
    EW_TRY(walk_records(c, r, 0, "symbol record", sym_record_cb, &w));
    size_t np = w.n_pubs, ng = w.n_globs;
    w.pubs = ew_arena_array(&p->arena, np ? np : 1, sizeof(pdb_symbol));
    w.globs = ew_arena_array(&p->arena, ng ? ng : 1, sizeof(pdb_symbol));
    if (!w.pubs || !w.globs)
        return ew_rd_fail(r, EW_E_NOMEM, 0, "%zu symbols", np + ng);
    w.n_pubs = w.n_globs = 0;
    EW_TRY(walk_records(c, r, 0, "symbol record", sym_record_cb, &w));
    qsort(w.pubs, np, sizeof(pdb_symbol), cmp_symbol);
    qsort(w.globs, ng, sizeof(pdb_symbol), cmp_symbol);
    p->publics = w.pubs;
    p->n_publics = np;
    p->globals = w.globs;
    p->n_globals = ng;
    size_t k = 0;
    while (k < np && w.pubs[k].has_rva)
        k++;
    p->n_publics_rva = k;
    p->publics_by_name = index_by_name(p, w.pubs, np);
    p->globals_by_name = index_by_name(p, w.globs, ng);
    if (!p->publics_by_name || !p->globals_by_name)
        return ew_rd_fail(r, EW_E_NOMEM, 0, "symbol indexes");
    return EW_OK;
}

/* ---- module streams: S_ANNOTATION --------------------------------------- */

typedef struct ann_item {
    pdb_annotation a;
    size_t order; /* position of discovery, for a total order */
} ann_item;

typedef struct ann_walk {
    ew_vec items; /* ann_item */
    ew_vec procs; /* pdb_symbol */
    uint16_t module;
} ann_walk;

/* S_*PROC32*: parent, end, next, length, debug start, debug end, type
 * (7 x u32), offset (u32), segment (u16), flags (u8), name. */
static ew_status proc_record(pctx *c, ew_rd *rec, uint16_t kind,
                             ann_walk *w)
{
    pdb_file *p = c->pdb;
    pdb_symbol sym;
    memset(&sym, 0, sizeof sym);
    EW_TRY(ew_rd_skip(rec, 28));
    EW_TRY(ew_rd_u32(rec, &sym.off));
    EW_TRY(ew_rd_u16(rec, &sym.seg));
    EW_TRY(ew_rd_skip(rec, 1));
    ew_str name;
    EW_TRY(ew_rd_cstr(rec, PDB_MAX_NAME, &name));
    if (!name.n)
        return EW_OK;
    sym.name = name.p;
    sym.kind = kind;
    sym.module = w->module;
    sym.has_rva = pdb_rva_of(p, sym.seg, sym.off, &sym.rva);
    if (w->procs.n >= PDB_MAX_SYMBOLS)
        return ew_rd_fail(rec, EW_E_LIMIT, 0, "more than %u procedures",
                          PDB_MAX_SYMBOLS);
    pdb_symbol *out = ew_vec_push(&w->procs, &p->arena);
    if (!out)
        return ew_rd_fail(rec, EW_E_NOMEM, 0, "procedure table");
    *out = sym;
    return EW_OK;
}

static ew_status annotation_cb(pctx *c, ew_rd *rec, uint16_t kind, void *arg)
{
    ann_walk *w = arg;
    if ((kind == PDB_S_LPROC32 || kind == PDB_S_GPROC32 ||
         kind == PDB_S_LPROC32_ID || kind == PDB_S_GPROC32_ID) &&
        (c->flags & PDB_LOAD_PROCEDURES))
        return proc_record(c, rec, kind, w);
    if (kind != PDB_S_ANNOTATION || !(c->flags & PDB_LOAD_ANNOTATIONS))
        return EW_OK;
    pdb_file *p = c->pdb;
    pdb_annotation a;
    memset(&a, 0, sizeof a);
    EW_TRY(ew_rd_u32(rec, &a.off));
    EW_TRY(ew_rd_u16(rec, &a.seg));
    EW_TRY(ew_rd_u16(rec, &a.n_strings));
    if (a.n_strings > PDB_MAX_ANNOTATION_STRINGS)
        return ew_rd_fail(rec, EW_E_LIMIT, 6, "%u strings, limit %u",
                          a.n_strings, PDB_MAX_ANNOTATION_STRINGS);
    if (a.n_strings > ew_rd_left(rec)) /* each string has at least a NUL */
        return ew_rd_fail(rec, EW_E_BAD_COUNT, 6,
                          "%u strings in %zu bytes", a.n_strings,
                          ew_rd_left(rec));
    a.strings = ew_arena_array(&p->arena, a.n_strings ? a.n_strings : 1,
                               sizeof *a.strings);
    if (!a.strings)
        return ew_rd_fail(rec, EW_E_NOMEM, 6, "%u strings", a.n_strings);
    for (uint16_t i = 0; i < a.n_strings; i++) {
        ew_str s;
        EW_TRY(ew_rd_cstr(rec, ew_rd_left(rec), &s));
        a.strings[i] = s.p;
    }
    a.module = w->module;
    a.has_rva = pdb_rva_of(p, a.seg, a.off, &a.rva);
    ann_item *it = ew_vec_push(&w->items, &p->arena);
    if (!it)
        return ew_rd_fail(rec, EW_E_NOMEM, 0, "annotation table");
    it->a = a;
    it->order = w->items.n - 1;
    return EW_OK;
}

static int cmp_annotation(const void *pa, const void *pb)
{
    const ann_item *x = pa, *y = pb;
    if (x->a.has_rva != y->a.has_rva)
        return x->a.has_rva ? -1 : 1;
    if (x->a.has_rva && x->a.rva != y->a.rva)
        return x->a.rva < y->a.rva ? -1 : 1;
    if (!x->a.has_rva && x->a.seg != y->a.seg)
        return x->a.seg < y->a.seg ? -1 : 1;
    if (!x->a.has_rva && x->a.off != y->a.off)
        return x->a.off < y->a.off ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static ew_status parse_annotations(pctx *c)
{
    pdb_file *p = c->pdb;
    ann_walk w;
    ew_vec_init(&w.items, sizeof(ann_item));
    ew_vec_init(&w.procs, sizeof(pdb_symbol));
    for (size_t i = 0; i < p->n_modules; i++) {
        const pdb_module *m = &p->modules[i];
        if (m->sym_stream == PDB_NO_STREAM || m->sym_size < 4)
            continue;
        ew_rd r;
        EW_TRY(open_stream(c, m->sym_stream, m->sym_size, "module symbols",
                           &r));
        uint32_t sig;
        EW_TRY(close_stream(c, m->sym_stream, "module symbols",
                            ew_rd_u32(&r, &sig)));
        if (sig != MODULE_SIG_C13)
            continue; /* C7/C11 symbols: not emitted by any current tool */
        w.module = (uint16_t)(i + 1 <= 0xFFFF ? i + 1 : 0);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "module %zu symbol record", i + 1);
        EW_TRY(close_stream(c, m->sym_stream, "module symbols",
                            walk_records(c, &r, 4, prefix, annotation_cb,
                                         &w)));
    }
    size_t n = w.items.n;
    ann_item *items = w.items.items;
    if (n)
        qsort(items, n, sizeof *items, cmp_annotation);
    p->annotations = ew_arena_array(&p->arena, n ? n : 1,
                                    sizeof(pdb_annotation));
    if (!p->annotations)
        return ew_fail(c->d, EW_E_NOMEM, "module symbols", -1,
                       "%zu annotations", n);
    for (size_t i = 0; i < n; i++)
        p->annotations[i] = items[i].a;
    p->n_annotations = n;
    p->procs = w.procs.items;
    p->n_procs = w.procs.n;
    if (p->n_procs > 1)
        qsort(p->procs, p->n_procs, sizeof *p->procs, cmp_symbol);
    return EW_OK;
}

/* ---- open / close ------------------------------------------------------- */

static ew_status open_all(pctx *c, const uint8_t *data, size_t size)
{
    pdb_file *p = c->pdb;
    EW_TRY(msf_open(&c->msf, data, size, &p->arena, c->d));
    if (!msf_stream_present(&c->msf, PDB_STREAM_INFO))
        return ew_fail(c->d, EW_E_BAD_VALUE, "PDB info stream", -1,
                       "stream 1 is %s",
                       c->msf.n_streams > 1 ? "nil" : "absent");
    ew_rd r;
    EW_TRY(open_stream(c, PDB_STREAM_INFO, SIZE_MAX, "PDB info stream", &r));
    EW_TRY(close_stream(c, PDB_STREAM_INFO, "PDB info stream",
                        parse_info(c, &r)));

    for (int i = 0; i < DBG_COUNT; i++)
        c->dbg[i] = PDB_NO_STREAM;
    c->sym_record_stream = PDB_NO_STREAM;
    if (msf_stream_present(&c->msf, PDB_STREAM_DBI) &&
        c->msf.streams[PDB_STREAM_DBI].size > 0) {
        p->has_dbi = true;
        EW_TRY(open_stream(c, PDB_STREAM_DBI, SIZE_MAX, "DBI header", &r));
        EW_TRY(close_stream(c, PDB_STREAM_DBI, "DBI header",
                            parse_dbi(c, &r)));
    }
    EW_TRY(read_optional(c, c->dbg[DBG_SECTION_HDR], "PDB section headers",
                         sections_cb, NULL));
    EW_TRY(read_optional(c, c->dbg[DBG_OMAP_FROM_SRC], "PDB OMAP from source",
                         omap_cb, NULL));
    if (p->has_omap)
        EW_TRY(read_optional(c, c->dbg[DBG_SECTION_HDR_ORIG],
                             "PDB original section headers", sections_cb,
                             p));
    if (c->sym_record_stream != PDB_NO_STREAM &&
        msf_stream_present(&c->msf, c->sym_record_stream)) {
        EW_TRY(open_stream(c, c->sym_record_stream, SIZE_MAX,
                           "symbol record stream", &r));
        EW_TRY(close_stream(c, c->sym_record_stream, "symbol record stream",
                            parse_symbols(c, &r)));
    }
    if (c->flags & (PDB_LOAD_ANNOTATIONS | PDB_LOAD_PROCEDURES))
        EW_TRY(parse_annotations(c));
    return EW_OK;
}

ew_status pdb_open(pdb_file *pdb, const uint8_t *data, size_t size,
                   const char *path, unsigned flags, ew_diag *d)
{
    ew_diag local;
    if (!d) {
        ew_diag_init(&local, path);
        d = &local;
    }
    memset(pdb, 0, sizeof *pdb);
    pdb->path = path;
    ew_arena_init(&pdb->arena, 0);
    pctx c;
    memset(&c, 0, sizeof c);
    c.pdb = pdb;
    c.d = d;
    c.flags = flags;
    ew_status s = open_all(&c, data, size);
    if (s != EW_OK) {
        if (d->status == EW_OK) /* every path records; this is a backstop */
            ew_fail(d, s, "PDB", -1, NULL);
        pdb_close(pdb);
    }
    return s;
}

void pdb_close(pdb_file *pdb)
{
    ew_arena_free(&pdb->arena);
    memset(pdb, 0, sizeof *pdb);
}

/* ---- lookups ------------------------------------------------------------ */

static const pdb_symbol *find_name(const pdb_symbol *const *idx, size_t n,
                                   const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first entry with name >= the key */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(idx[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(idx[lo]->name, name) == 0 ? idx[lo] : NULL;
}

const pdb_symbol *pdb_find_public(const pdb_file *pdb, const char *name)
{
    return find_name(pdb->publics_by_name, pdb->n_publics, name);
}

const pdb_symbol *pdb_find_global(const pdb_file *pdb, const char *name)
{
    return find_name(pdb->globals_by_name, pdb->n_globals, name);
}

const pdb_symbol *pdb_find_by_rva(const pdb_file *pdb, uint32_t rva)
{
    const pdb_symbol *s = pdb->publics;
    size_t lo = 0, hi = pdb->n_publics_rva;
    while (lo < hi) { /* first public with rva > the key */
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    size_t last = lo - 1, first = last;
    while (first > 0 && s[first - 1].rva == s[last].rva)
        first--;
    for (size_t i = first; i <= last; i++)
        if (s[i].flags & PDB_PUB_FUNCTION)
            return &s[i];
    for (size_t i = first; i <= last; i++)
        if (s[i].flags & PDB_PUB_CODE)
            return &s[i];
    return &s[first];
}

ew_status pdb_match(const pdb_file *pdb, const uint8_t guid[16], uint32_t age,
                    ew_diag *d)
{
    bool guid_ok = memcmp(pdb->guid, guid, 16) == 0;
    /* The DBI age is the linker's and normally equals the RSDS age; the
     * info-stream age grows when a PDB is rewritten (e.g. stripped: the
     * public ntdll PDB in the corpus, sha256 10165cd6, has info age 3 and
     * DBI age 1). Either one equal to the image's age is a match; the GUID
     * must always be equal (FORMATS.md §4.2). */
    bool age_ok = pdb->has_dbi ? (pdb->dbi_age == age || pdb->age == age)
                               : pdb->age >= age;
    if (guid_ok && age_ok)
        return EW_OK;
    char want[37], have[37];
    ew_guid_format(guid, want);
    ew_guid_format(pdb->guid, have);
    return ew_fail(d, EW_E_MISMATCH, "PDB info stream",
                   (int64_t)pdb->guid_file_off,
                   "image wants GUID %s age %u; PDB has GUID %s %s %u%s", want,
                   age, have, pdb->has_dbi ? "DBI age" : "age",
                   pdb->has_dbi ? pdb->dbi_age : pdb->age,
                   guid_ok ? " (age differs)" : " (GUID differs)");
}

const char *pdb_symbol_at(const pdb_file *pdb, uint32_t rva)
{
    const pdb_symbol *s = pdb_find_by_rva(pdb, rva);
    if (s && s->has_rva && s->rva == rva)
        return s->name;
    size_t lo = 0, hi = pdb->n_globals; /* globals with an rva come first,
                                          sorted by it */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pdb_symbol *g = &pdb->globals[mid];
        if (g->has_rva && g->rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < pdb->n_globals && pdb->globals[lo].has_rva &&
        pdb->globals[lo].rva == rva)
        return pdb->globals[lo].name;
    return NULL;
}

const pdb_symbol *pdb_find_proc(const pdb_file *pdb, uint32_t rva)
{
    size_t lo = 0, hi = pdb->n_procs;
    while (lo < hi) { /* procedures with an rva come first, sorted by it */
        size_t mid = lo + (hi - lo) / 2;
        const pdb_symbol *s = &pdb->procs[mid];
        if (s->has_rva && s->rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < pdb->n_procs && pdb->procs[lo].has_rva &&
                   pdb->procs[lo].rva == rva
               ? &pdb->procs[lo]
               : NULL;
}
