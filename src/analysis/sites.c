/*
 * sites.c - ETW sites from the engine's instances and the catalog (see
 * sites.h).
 *
 * Order of work: registrations first (REGHANDLE storage -> GUID), then
 * every instance is resolved by its API kind; alternatives of a
 * descriptor give one site each. Last, calls that pass the address of a
 * TraceLogging event blob or of a catalog descriptor constant and are no
 * site yet become sites (the metadata end). Everything is sorted at the
 * end, so the output depends only on the input.
 */
#include "analysis/sites.h"
#include "base/ew_limits.h"
#include "base/ew_utf16.h"
#include "format/tlg.h"

#include <strings.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TLG_OBJ_META_OFF 8    /* _tlgProvider_t.ProviderMetadataPtr (x64),
                                 FORMATS.md §1.9 */
#define TLG_OBJ_REGHANDLE_OFF 0x20 /* _tlgProvider_t.RegHandle (x64) */
#define TLG_META_TO_BLOB 17
#define ST_MAX_BLOB 0x400   /* bytes of one TraceLogging event blob */
#define ST_MAX_TAKEN 256     /* descriptors looked for as taken addresses */
#define ST_MAX_TABLE 64      /* entries of a descriptor array named */
#define ST_MAX_TLG_UP 4       /* callers climbed for a TraceLogging event
                                 pointer passed down as a parameter */   /* RemainingSize - 17 = the blob's type byte
                                 (type, GUID[16]) */

static const char *const reason_names[ST_R_COUNT] = {
#define X(id, text) text,
    ST_REASONS(X)
#undef X
};

const char *st_reason_name(unsigned bit)
{
    return bit < ST_R_COUNT ? reason_names[bit] : "?";
}

const char *st_action_name(st_action a)
{
    static const char *const n[] = {"write", "register", "unregister",
                                    "support"};
    return (unsigned)a < 4 ? n[a] : "?";
}

typedef struct reg_entry {
    bool local;          /* handle_rva is the register call's rva: the
                            REGHANDLE lives in that function's frame (or
                            the GetTraceLoggerHandle call's, for a logger
                            handle still in rax) */
    bool logger;         /* a classic logger handle the registration's
                            control callback got, not a REGHANDLE */
    bool classic;        /* registered by a classic provider's API */
    uint32_t handle_rva;
    uint32_t site_rva;
    uint32_t guid_rva; /* 0 when the GUID was copied to the frame */
    uint8_t guid[16];
} reg_entry;

typedef struct sctx {
    const engine *e;
    const pe_image *img;
    const cat_catalog *cat;
    const st_options *o;
    st_sites *out;
    ew_vec sites;    /* st_site */
    reg_entry *regs; /* sorted by handle_rva */
    size_t n_regs, cap_regs;
    struct desc_entry *descs; /* catalog descriptors, sorted by bytes */
    size_t n_descs;
    fn_decoder *dec; /* made on first use */
} sctx;

/* A catalog manifest event's EVENT_DESCRIPTOR bytes (own catalog and
 * --with catalogs); ambiguous when two events share the bytes. */
typedef struct desc_entry {
    uint8_t d[16];
    const cat_event *ev;
    const cat_catalog *cat;
    bool ambiguous;
} desc_entry;

/* ---- image reads -------------------------------------------------------- */

static bool read_bytes(const sctx *x, int64_t rva, void *out, size_t n)
{
    size_t off, avail;
    if (rva < 0 || rva > UINT32_MAX ||
        pe_rva_avail(x->img, (uint32_t)rva, &off, &avail) != EW_OK ||
        avail < n)
        return false;
    memcpy(out, x->img->data + off, n);
    return true;
}

/* The rva a pointer stored at rva points to (x64: 8 bytes, a VA). */
static bool read_pointer_value(const sctx *x, const uint8_t p[8],
                               uint32_t *target);

static bool read_pointer(const sctx *x, int64_t rva, uint32_t *target)
{
    uint8_t p[8];
    return read_bytes(x, rva, p, 8) && read_pointer_value(x, p, target);
}

/* The rva of the VA in the 8 bytes at p, when it is inside the image. */
static bool read_pointer_value(const sctx *x, const uint8_t p[8],
                               uint32_t *target)
{
    uint64_t va;
    memcpy(&va, p, 8);
    if (va < x->img->image_base ||
        va - x->img->image_base >= x->img->size_of_image)
        return false;
    *target = (uint32_t)(va - x->img->image_base);
    return true;
}

/* The PDB name of the public or global exactly at rva, or NULL. */
static const char *symbol_at(const sctx *x, uint32_t rva)
{
    return x->e->pdb ? pdb_symbol_at(x->e->pdb, rva) : NULL;
}

/* The symbol of a descriptor at rva: its own, or NAME[i] for element i of
 * an array of descriptors (a data symbol at most ST_MAX_TABLE entries
 * before it, 16-byte aligned to it). */
static const char *descriptor_symbol(sctx *x, uint32_t rva)
{
    const char *own = symbol_at(x, rva);
    const pdb_file *pdb = x->e->pdb;
    if (own || !pdb)
        return own;
    const pdb_symbol *best = pdb_find_by_rva(pdb, rva);
    if (best && (!best->has_rva || (best->flags & PDB_PUB_FUNCTION)))
        best = NULL;
    size_t lo = 0, hi = pdb->n_globals; /* greatest global rva <= rva */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pdb_symbol *g = &pdb->globals[mid];
        if (g->has_rva && g->rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && pdb->globals[lo - 1].has_rva &&
        (!best || pdb->globals[lo - 1].rva > best->rva))
        best = &pdb->globals[lo - 1];
    if (!best || !best->name || rva - best->rva > 16 * ST_MAX_TABLE ||
        (rva - best->rva) % 16 != 0)
        return NULL;
    char buf[PDB_MAX_NAME + 16];
    int n = snprintf(buf, sizeof buf, "%s[%u]", best->name,
                     (unsigned)((rva - best->rva) / 16));
    if (n < 0 || (size_t)n >= sizeof buf)
        return NULL;
    return ew_arena_strndup(&x->out->arena, buf, (size_t)n);
}

/* ---- catalog lookups (own catalog, then --with catalogs) ---------------- */

static const cat_provider *find_provider(const sctx *x, cat_kind k,
                                         const uint8_t g[16])
{
    const cat_provider *p = cat_find_provider(x->cat, k, g);
    for (size_t i = 0; !p && x->o && i < x->o->n_extra; i++)
        p = cat_find_provider(x->o->extra[i], k, g);
    return p;
}

static const cat_event *find_event(const sctx *x, cat_kind k,
                                   const uint8_t g[16], uint16_t id,
                                   uint8_t version)
{
    const cat_event *ev = cat_find_event(x->cat, k, g, id, version);
    for (size_t i = 0; !ev && x->o && i < x->o->n_extra; i++)
        ev = cat_find_event(x->o->extra[i], k, g, id, version);
    return ev;
}

/* The TraceLogging event blob at rva or rva - 1 of the own catalog. */
static const cat_event *tlg_event_at(const sctx *x, int64_t rva)
{
    if (rva <= 0 || rva > UINT32_MAX)
        return NULL;
    const cat_event *ev = cat_find_event_rva(x->cat, (uint32_t)rva);
    return ev && ev->kind == CAT_KIND_TRACELOGGING ? ev : NULL;
}

/* The TraceLogging provider whose object (_tlgProvider_t) is at obj. */
static const cat_provider *tlg_provider_of_object(const sctx *x, int64_t obj)
{
    uint32_t meta;
    if (obj < 0 || obj > UINT32_MAX)
        return NULL;
    if (!read_pointer(x, obj + TLG_OBJ_META_OFF, &meta) ||
        meta < TLG_META_TO_BLOB)
        return NULL;
    uint32_t blob = meta - TLG_META_TO_BLOB;
    for (size_t i = 0; i < x->cat->n_providers; i++) {
        const cat_provider *p = &x->cat->providers[i];
        if (p->kind == CAT_KIND_TRACELOGGING && p->has_source_rva &&
            p->source_rva == blob)
            return p;
    }
    return NULL;
}

/* ---- values of arguments ------------------------------------------------ */

static bool is_param(const sctx *x, const val *v)
{
    return sm_val_is_param(&x->e->sm, v);
}

/* The 16 bytes an argument points to: a global, or frame bytes. */
static bool pointee16(const sctx *x, const sm_arg *a, const val *v,
                      uint8_t out[16], uint32_t *rva, uint32_t *why)
{
    *rva = 0;
    switch (v->kind) {
    case VAL_ADDR:
        *rva = (uint32_t)v->c;
        return read_bytes(x, v->c, out, 16);
    case VAL_LOAD: { /* a pointer variable */
        uint32_t t;
        if (v->size == 8 && read_pointer(x, v->c, &t) &&
            read_bytes(x, t, out, 16)) {
            *rva = t;
            return true;
        }
        *why |= ST_R(VALUE_UNKNOWN);
        return false;
    }
    case VAL_STACK:
        if (a && a->bytes.known == 0xFFFF) {
            memcpy(out, a->bytes.b, 16);
            return true;
        }
        *why |= ST_R(DESCRIPTOR_PARTIAL);
        return false;
    case VAL_PARAM:
    case VAL_PARAM_LOAD:
        *why |= ST_R(VALUE_IS_PARAMETER);
        return false;
    default:
        *why |= ST_R(VALUE_UNKNOWN);
        return false;
    }
}

static const reg_entry *find_reg(const sctx *x, uint32_t handle, bool local)
{
    size_t lo = 0, hi = x->n_regs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const reg_entry *r = &x->regs[mid];
        if (r->local < local || (r->local == local && r->handle_rva < handle))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n_regs && x->regs[lo].handle_rva == handle &&
                   x->regs[lo].local == local
               ? &x->regs[lo]
               : NULL;
}

/* The provider a registration gives a site. */
static void set_registration(const sctx *x, st_site *s, const reg_entry *r,
                             const char *how)
{
    s->has_guid = true;
    memcpy(s->guid, r->guid, 16);
    s->registration_site = r->site_rva;
    s->provider_symbol = r->guid_rva ? symbol_at(x, r->guid_rva) : NULL;
    s->provider_by = how;
    if (r->logger || r->classic) /* a classic provider's handle */
        s->kind = CAT_KIND_CLASSIC;
    s->provider = find_provider(x, CAT_KIND_MANIFEST, s->guid);
}

/* Provider of a REGHANDLE argument (write, unregister, set-information). */
static void resolve_handle(sctx *x, st_site *s, const val *h)
{
    if (h->kind == VAL_PARAM || h->kind == VAL_PARAM_LOAD ||
        (h->kind == VAL_ALT && is_param(x, h))) {
        s->unresolved |= ST_R(HANDLE_IS_PARAMETER);
        return;
    }
    if (h->kind == VAL_RESULT) { /* a handle registered in the frame */
        const reg_entry *r = find_reg(x, (uint32_t)h->c, true);
        if (!r) {
            s->unresolved |= ST_R(NO_REGISTRATION);
            return;
        }
        set_registration(x, s, r,
                         r->logger ? "logger-handle" : "local-registration");
        return;
    }
    if (h->kind != VAL_LOAD || h->size != 8) {
        s->unresolved |= ST_R(HANDLE_UNKNOWN);
        return;
    }
    uint32_t hr = (uint32_t)h->c;
    s->has_handle_rva = true;
    s->handle_rva = hr;
    s->handle_symbol = symbol_at(x, hr);
    /* a TraceLogging provider object's RegHandle */
    if (hr >= TLG_OBJ_REGHANDLE_OFF) {
        const cat_provider *tp =
            tlg_provider_of_object(x, hr - TLG_OBJ_REGHANDLE_OFF);
        if (tp) {
            s->kind = CAT_KIND_TRACELOGGING;
            s->provider = tp;
            s->has_guid = tp->has_guid;
            memcpy(s->guid, tp->guid, 16);
            s->handle_rva = hr - TLG_OBJ_REGHANDLE_OFF;
            s->handle_symbol = symbol_at(x, s->handle_rva);
            s->provider_by = "tracelogging-object";
            return;
        }
    }
    const reg_entry *r = find_reg(x, hr, false);
    if (!r) {
        s->unresolved |= ST_R(NO_REGISTRATION);
        return;
    }
    set_registration(x, s, r, r->logger ? "logger-handle" : "registration");
    if (!s->provider && !r->logger) {
        const cat_provider *tp =
            find_provider(x, CAT_KIND_TRACELOGGING, s->guid);
        if (tp) {
            s->provider = tp;
            s->kind = CAT_KIND_TRACELOGGING;
        }
    }
}

/* A descriptor that cannot be an EVENT_DESCRIPTOR: a keyword that looks
 * like an address (kernel or user pointer). */
static bool descriptor_plausible(const uint8_t d[16])
{
    uint64_t kw;
    memcpy(&kw, d + 8, 8);
    uint16_t top = (uint16_t)(kw >> 48);
    if (top == 0xFFFF || (top == 0 && (kw >> 40) >= 0x7F))
        return false;
    return true;
}

static void set_descriptor(st_site *s, const uint8_t d[16])
{
    s->has_descriptor = true;
    memcpy(&s->id, d, 2);
    s->version = d[2];
    s->channel = d[3];
    s->level = d[4];
    s->opcode = d[5];
    memcpy(&s->task, d + 6, 2);
    memcpy(&s->keyword, d + 8, 8);
}

/* Joins a manifest site's descriptor with the catalog. */
static void join_manifest_event(sctx *x, st_site *s)
{
    if (!s->has_descriptor || !s->has_guid)
        return;
    if (s->kind == CAT_KIND_TRACELOGGING)
        return;
    s->event = find_event(x, CAT_KIND_MANIFEST, s->guid, s->id, s->version);
    if (!s->event && s->provider)
        s->unresolved |= ST_R(EVENT_NOT_IN_CATALOG);
    if (!s->provider)
        s->unresolved |= ST_R(PROVIDER_NOT_IN_CATALOG);
}

static ew_status push_site(sctx *x, const st_site *s)
{
    st_site *n = ew_vec_push(&x->sites, &x->out->arena);
    if (!n)
        return EW_E_NOMEM;
    *n = *s;
    return EW_OK;
}

/* The alternatives of v (itself when it is no VAL_ALT). */
static unsigned alternatives(const sctx *x, const val *v, val out[VS_MAX_ALT])
{
    if (v->kind != VAL_ALT) {
        out[0] = *v;
        return 1;
    }
    const sm_set *sm = &x->e->sm;
    if (v->c < 0 || (size_t)v->c >= sm->n_alts) {
        out[0] = val_make(VAL_UNKNOWN, 0);
        return 1;
    }
    const vs_alt *a = &sm->alts[v->c];
    for (unsigned i = 0; i < a->n; i++)
        out[i] = a->v[i];
    return a->n ? a->n : 1;
}

/* The alternatives of argument a of call c (vs_set alternatives). */
static unsigned call_arg_alts(const sctx *x, const vs_call *c, unsigned a,
                              val out[VS_MAX_ALT])
{
    const val *v = &c->args[a];
    const vs_set *vs = &x->e->vs;
    if (v->kind != VAL_ALT || v->c < 0 || (size_t)v->c >= vs->n_alts) {
        out[0] = *v;
        return 1;
    }
    const vs_alt *al = &vs->alts[v->c];
    for (unsigned i = 0; i < al->n; i++)
        out[i] = al->v[i];
    return al->n;
}

/* The TraceLogging event (and provider object) among the arguments of
 * the call at site_rva of function fn: for writes through an unnamed
 * helper, whose own API call only sees the helper's frame. */
static const cat_event *tlg_event_in_call(const sctx *x, uint32_t fn,
                                          uint32_t site, uint32_t *rva)
{
    const vs_call *c = vs_call_at(&x->e->vs, fn, site);
    if (!c)
        return NULL;
    for (unsigned a = 0; a < VS_ARGS; a++) {
        if (c->args[a].kind != VAL_ADDR)
            continue;
        const cat_event *ev = tlg_event_at(x, c->args[a].c);
        if (ev) {
            *rva = (uint32_t)c->args[a].c;
            return ev;
        }
    }
    return NULL;
}

/* What values_up gives its visitor: one value an argument has at the call
 * (fn, site), na alternatives there, depth callers above the first call;
 * up[0..n_up) are the functions passed on the way up, innermost first. */
typedef ew_status (*up_visit)(sctx *x, void *ctx, const st_site *base,
                              uint32_t fn, uint32_t site, const val *v,
                              unsigned na, unsigned depth,
                              const uint32_t *up, unsigned n_up);

/* The values of the arguments in mask at the call at (fn, site): each
 * alternative goes to visit, except a parameter of fn, which is followed
 * to fn's callers (up to ST_MAX_TLG_UP levels): a TraceLogging event blob
 * or an event type passed down through helpers. */
static ew_status values_up(sctx *x, const st_site *base, uint32_t fn,
                           uint32_t site, unsigned mask, unsigned depth,
                           const uint32_t *up, unsigned n_up, up_visit visit,
                           void *ctx)
{
    const vs_call *c = vs_call_at(&x->e->vs, fn, site);
    if (!c)
        return EW_OK;
    uint32_t path[ST_MAX_TLG_UP + 2];
    for (unsigned a = 0; a < VS_ARGS; a++) {
        if (!(mask & (1u << a)))
            continue;
        val alts[VS_MAX_ALT];
        unsigned na = call_arg_alts(x, c, a, alts);
        for (unsigned ai = 0; ai < na; ai++) {
            const val *v = &alts[ai];
            if (v->kind != VAL_PARAM || v->c != 0 || v->param >= VS_ARGS) {
                EW_TRY(visit(x, ctx, base, fn, site, v, na, depth, up, n_up));
                continue;
            }
            if (depth >= ST_MAX_TLG_UP || n_up > ST_MAX_TLG_UP)
                continue;
            const cg_graph *g = &x->e->cg;
            if (n_up)
                memcpy(path, up, n_up * sizeof *up);
            path[n_up] = fn;
            for (uint32_t r = g->rfirst[fn]; r < g->rfirst[fn + 1]; r++)
                EW_TRY(values_up(x, base, g->redges[r].fn,
                                 g->redges[r].site_rva, 1u << v->param,
                                 depth + 1, path, n_up + 1, visit, ctx));
        }
    }
    return EW_OK;
}

/* A site at (fn, site) from base: via is the functions passed on the way
 * up (outermost first), then the wrappers below the first site. */
static st_site site_up(const st_site *base, uint32_t fn, uint32_t site,
                       const uint32_t *up, unsigned n_up)
{
    st_site s = *base;
    s.fn = fn;
    s.site_rva = site;
    unsigned k = 0;
    for (unsigned i = n_up; i-- > 0 && k < 8;)
        s.via[k++] = up[i];
    for (unsigned i = 0; i < base->n_via && k < 8; i++)
        s.via[k++] = base->via[i];
    s.n_via = (uint8_t)k;
    return s;
}

/* values_up visitor: a TraceLogging event blob's address. */
static ew_status tlg_blob_visit(sctx *x, void *ctx, const st_site *base,
                                uint32_t fn, uint32_t site, const val *v,
                                unsigned na, unsigned depth,
                                const uint32_t *up, unsigned n_up)
{
    (void)ctx;
    const cat_event *ev =
        v->kind == VAL_ADDR && (depth > 0 || na > 1) ? tlg_event_at(x, v->c)
                                                     : NULL;
    if (!ev)
        return EW_OK;
    st_site s = site_up(base, fn, site, up, n_up);
    s.event = ev;
    s.has_descriptor_rva = true;
    s.descriptor_rva = (uint32_t)v->c;
    s.event_symbol = symbol_at(x, ev->source_rva);
    s.event_by = "tracelogging-blob";
    return push_site(x, &s);
}

/* The TraceLogging event blob that holds rva (from its type byte up to
 * the next catalog event, at most ST_MAX_BLOB bytes), or NULL. */
static const cat_event *tlg_blob_holding(const sctx *x, uint32_t rva)
{
    const cat_catalog *c = x->cat;
    size_t lo = 0, hi = c->n_by_rva; /* first with source_rva > rva */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->by_rva[mid]->source_rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const cat_event *e = c->by_rva[lo - 1];
    if (e->kind != CAT_KIND_TRACELOGGING || rva - e->source_rva >= ST_MAX_BLOB)
        return NULL;
    /* an Event4 blob's length: 12 + RemainingSize (u16 at +12; FORMATS.md
     * §1.6); other blob types end at the next event, at most ST_MAX_BLOB */
    uint8_t rs[2];
    if (e->blob_type == TLG_BLOB_EVENT4 && read_bytes(x, e->source_rva + 12, rs, 2) &&
        rva - e->source_rva >= 12u + (uint32_t)(rs[0] | rs[1] << 8))
        return NULL;
    if (lo < c->n_by_rva && rva >= c->by_rva[lo]->source_rva)
        return NULL;
    return e;
}

/* A TraceLogging event whose blob function fn's code addresses (lea or a
 * load from inside it): a write helper inlined, which builds the event's
 * metadata descriptor itself from the blob's fields. */
static ew_status tlg_event_in_code(sctx *x, uint32_t fn,
                                   const cat_event **out, uint32_t *rva)
{
    *out = NULL;
    if (!x->dec && !(x->dec = fn_decoder_new()))
        return EW_E_NOMEM;
    const insn *in;
    size_t n;
    const fn_function *f = &x->e->fns.functions[fn];
    EW_TRY(fn_decode(x->dec, &x->e->fns, x->img, f, &in, &n));
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < in[i].n_ops; k++) {
            const insn_op *o = &in[i].ops[k];
            if (o->kind != INSN_OP_MEM || !(o->flags & INSN_OP_RIPREL))
                continue;
            const cat_event *ev = tlg_blob_holding(x, o->target_rva);
            if (ev && (!*out || ev == *out)) {
                *out = ev;
                *rva = o->target_rva;
            } else if (ev) {
                *out = NULL; /* two events: not this function's one */
                return EW_OK;
            }
        }
    return EW_OK;
}

static ew_status resolve_write(sctx *x, st_site *base, const sm_effect *e)
{
    const etw_api *api = base->api;
    if (api->kind == ETW_API_WRITE_NOREG) {
        uint8_t g[16];
        uint32_t r, why = 0;
        if (pointee16(x, &e->args[0], &e->args[0].v, g, &r, &why)) {
            base->has_guid = true;
            memcpy(base->guid, g, 16);
            base->provider_by = "guid-argument";
            base->provider_symbol = r ? symbol_at(x, r) : NULL;
            base->provider = find_provider(x, CAT_KIND_MANIFEST, g);
        } else {
            base->unresolved |= ST_R(GUID_UNKNOWN);
        }
    } else if (api->provider_arg >= 0) {
        resolve_handle(x, base, &e->args[api->provider_arg].v);
    }
    if (api->event_arg < 0)
        return push_site(x, base);

    /* a TraceLogging write through an unnamed helper: the event pointer
     * was an argument of the outer call, or of a call further up that
     * passes it down as a parameter */
    if (base->kind == CAT_KIND_TRACELOGGING) {
        uint32_t rva = 0;
        const cat_event *ev =
            tlg_event_in_call(x, base->fn, base->site_rva, &rva);
        if (ev) {
            base->event = ev;
            base->has_descriptor_rva = true;
            base->descriptor_rva = rva;
            base->event_symbol = symbol_at(x, ev->source_rva);
            base->event_by = "tracelogging-blob";
            return push_site(x, base);
        }
        size_t before = x->sites.n;
        EW_TRY(values_up(x, base, base->fn, base->site_rva, 0xFFu, 0, NULL, 0,
                         tlg_blob_visit, NULL));
        if (x->sites.n > before)
            return EW_OK;
        EW_TRY(tlg_event_in_code(x, base->fn, &ev, &rva));
        if (ev) {
            base->event = ev;
            base->event_symbol = symbol_at(x, ev->source_rva);
            base->event_by = "tracelogging-blob-fields";
            return push_site(x, base);
        }
        base->unresolved |= ST_R(VALUE_UNKNOWN);
        return push_site(x, base);
    }

    const sm_arg *da = &e->args[api->event_arg];
    val alts[VS_MAX_ALT];
    unsigned n = alternatives(x, &da->v, alts);
    for (unsigned i = 0; i < n; i++) {
        st_site s = *base;
        uint8_t d[16];
        uint32_t rva = 0, why = 0;
        const sm_arg *arg = n == 1 ? da : NULL;
        if (!pointee16(x, arg, &alts[i], d, &rva, &why)) {
            if (why & ST_R(VALUE_IS_PARAMETER))
                s.unresolved |= ST_R(DESCRIPTOR_IS_PARAMETER);
            else if (why & ST_R(DESCRIPTOR_PARTIAL))
                s.unresolved |= ST_R(DESCRIPTOR_PARTIAL);
            else
                s.unresolved |= ST_R(DESCRIPTOR_ON_HEAP);
        } else if (!descriptor_plausible(d)) {
            s.unresolved |= ST_R(DESCRIPTOR_IMPLAUSIBLE);
        } else {
            set_descriptor(&s, d);
            s.event_by = rva ? "descriptor-global" : "descriptor-frame";
            if (rva) {
                s.has_descriptor_rva = true;
                s.descriptor_rva = rva;
                s.event_symbol = descriptor_symbol(x, rva);
            }
            join_manifest_event(x, &s);
        }
        EW_TRY(push_site(x, &s));
    }
    return EW_OK;
}

/* Does api register a classic (MOF / WPP) provider? */
static bool registers_classic(const etw_api *api)
{
    return api->kind == ETW_API_REGISTER && (api->flags & ETW_API_F_CLASSIC);
}

/* EVENT_TRACE_HEADER (evntrace.h; FORMATS.md §5.2): Class.Type at 4,
 * Class.Level at 5, Class.Version at 6, Guid (or GuidPtr) at 24, Flags
 * at 44. */
#define ETH_SIZE 48
#define ETH_TYPE 4
#define ETH_LEVEL 5
#define ETH_VERSION 6
#define ETH_GUID 24
#define ETH_FLAGS 44
#define ETH_LOGGER 8 /* WNODE_HEADER.HistoricalContext (IoWMIWriteEvent) */
#define WNODE_FLAG_TRACED_GUID 0x00020000u  /* evntrace.h */
#define WNODE_FLAG_USE_GUID_PTR 0x00080000u /* evntrace.h */

/* The header a classic write passes: its 48 bytes (from the image, or
 * from the frame at a direct call, where value tracking keeps them all)
 * decoded into class GUID, type, level and version, as far as known.
 * False when the flags say it is no trace event at all (IoWMIWriteEvent
 * of a plain WMI event, without WNODE_FLAG_TRACED_GUID). */
static bool resolve_header(sctx *x, st_site *s, const sm_instance *in,
                           int *type_param, uint8_t types[VS_MAX_ALT],
                           unsigned *n_types)
{
    const sm_effect *e = &in->e;
    *type_param = -1;
    *n_types = 0;
    unsigned ha = (unsigned)s->api->event_arg;
    const val *hv = &e->args[ha].v;
    uint8_t h[ETH_SIZE];
    uint64_t known = 0; /* bit i: h[i] is known */
    if (hv->kind == VAL_ADDR) {
        if (read_bytes(x, hv->c, h, ETH_SIZE)) {
            known = (1ull << ETH_SIZE) - 1;
            s->has_descriptor_rva = true;
            s->descriptor_rva = (uint32_t)hv->c;
            s->event_symbol = symbol_at(x, (uint32_t)hv->c);
        }
    } else if (hv->kind == VAL_STACK && e->site_rva == e->sink_site) {
        const vs_call *c = vs_call_at(&x->e->vs, in->fn, e->site_rva);
        const vs_bytes *w = c ? vs_pointee_wide(&x->e->vs, c, ha) : NULL;
        for (unsigned k = 0; w && k < VS_WIDE_CHUNKS; k++) {
            memcpy(h + 16 * k, w[k].b, 16);
            known |= (uint64_t)w[k].known << (16 * k);
        }
        const vs_wide *wf = vs_wide_at(&x->e->vs, e->site_rva, ha);
        const val *tv = wf ? vs_wide_field(wf, ETH_TYPE, 1) : NULL;
        if (tv && tv->kind == VAL_PARAM && tv->c == 0 && !tv->flags &&
            val_param_scale(tv) == 1 && tv->param < VS_ARGS)
            *type_param = tv->param; /* a helper taking the type */
        const vs_set *vs = &x->e->vs;
        const vs_alt *ta = tv && tv->kind == VAL_ALT && tv->c >= 0 &&
                                   (size_t)tv->c < vs->n_alts
                               ? &vs->alts[tv->c]
                               : NULL;
        for (unsigned i = 0; ta && i < ta->n && *n_types == i; i++)
            if (ta->v[i].kind == VAL_CONST) /* computed from a flag */
                types[(*n_types)++] = (uint8_t)ta->v[i].c;
        if (ta && *n_types != ta->n)
            *n_types = 0;
    } else {
        s->unresolved |= is_param(x, hv) ? ST_R(VALUE_IS_PARAMETER)
                         : hv->kind == VAL_STACK ? ST_R(DESCRIPTOR_PARTIAL)
                                                 : ST_R(VALUE_UNKNOWN);
        return true;
    }
#define ETH_KNOWN(off, n) (((known >> (off)) & ((1ull << (n)) - 1)) == \
                           ((1ull << (n)) - 1))
    if (!ETH_KNOWN(ETH_FLAGS, 4)) {
        s->unresolved |= ST_R(DESCRIPTOR_PARTIAL);
        return true;
    }
    uint32_t flags;
    memcpy(&flags, h + ETH_FLAGS, 4);
    if (!(flags & WNODE_FLAG_TRACED_GUID) && (s->api->flags & ETW_API_F_WNODE))
        return false;
    s->event_by = "trace-header";
    if (ETH_KNOWN(ETH_TYPE, 1)) {
        s->has_class = true;
        s->class_type = h[ETH_TYPE];
    } else { /* e.g. a helper's parameter */
        s->unresolved |= ST_R(DESCRIPTOR_PARTIAL);
    }
    if (ETH_KNOWN(ETH_LEVEL, 1)) { /* often left to a memset */
        s->has_level = true;
        s->level = h[ETH_LEVEL];
    }
    if (ETH_KNOWN(ETH_VERSION, 2)) {
        s->has_class_version = true;
        s->class_version = (uint16_t)(h[ETH_VERSION] | h[ETH_VERSION + 1] << 8);
    }
    uint32_t g;
    if (s->api->flags & ETW_API_F_INSTANCE) {
        /* EVENT_INSTANCE_HEADER: a RegHandle of the registration's
         * TRACE_GUID_REGISTRATION array at 24, not a GUID */
        s->unresolved |= ST_R(GUID_UNKNOWN);
        return true;
    }
    if (!(flags & WNODE_FLAG_USE_GUID_PTR) && ETH_KNOWN(ETH_GUID, 16)) {
        memcpy(s->class_guid, h + ETH_GUID, 16);
    } else if ((flags & WNODE_FLAG_USE_GUID_PTR) && ETH_KNOWN(ETH_GUID, 8) &&
               read_pointer_value(x, h + ETH_GUID, &g) &&
               read_bytes(x, g, s->class_guid, 16)) {
        s->event_symbol = symbol_at(x, g);
    } else {
        s->unresolved |= ST_R(GUID_UNKNOWN);
        return true;
    }
#undef ETH_KNOWN
    s->has_class_guid = true;
    return true;
}

/* values_up visitor: a constant event type for a classic write (ctx: a
 * bool set when a site is pushed). */
static ew_status classic_type_visit(sctx *x, void *ctx, const st_site *base,
                                    uint32_t fn, uint32_t site, const val *v,
                                    unsigned na, unsigned depth,
                                    const uint32_t *up, unsigned n_up)
{
    (void)na;
    (void)depth;
    if (v->kind != VAL_CONST)
        return EW_OK;
    st_site s = site_up(base, fn, site, up, n_up);
    s.has_class = true;
    s.class_type = (uint8_t)v->c;
    *(bool *)ctx = true;
    return push_site(x, &s);
}

static const val *const_arg(const sm_effect *e, unsigned a)
{
    return a < VS_ARGS && e->args[a].v.kind == VAL_CONST ? &e->args[a].v
                                                          : NULL;
}

static uint32_t value_reason(const sm_effect *e, unsigned a,
                             const sctx *x)
{
    return a < VS_ARGS && is_param(x, &e->args[a].v)
               ? ST_R(VALUE_IS_PARAMETER)
               : ST_R(VALUE_UNKNOWN);
}

static ew_status resolve_instance(sctx *x, const sm_instance *in)
{
    const sm_effect *e = &in->e;
    size_t n_api;
    const etw_api *table = etw_api_table(&n_api);
    if (e->sink < 0 || (size_t)e->sink >= n_api)
        return EW_OK;
    st_site s;
    memset(&s, 0, sizeof s);
    s.fn = in->fn;
    s.site_rva = e->site_rva;
    s.sink_fn = e->sink_fn;
    s.sink_site = e->sink_site;
    s.api = &table[e->sink];
    s.api_name = s.api->name;
    s.kind = CAT_KIND_MANIFEST;
    uint32_t via[32];
    size_t nv = sm_via(&x->e->sm, e, via, 32);
    s.n_via = (uint8_t)(nv < 8 ? nv : 8);
    memcpy(s.via, via, s.n_via * sizeof via[0]);
    if (e->status == SM_BUDGET)
        s.unresolved |= ST_R(BUDGET);

    switch (s.api->kind) {
    case ETW_API_REGISTER: {
        s.action = ST_REGISTER;
        uint8_t g[16];
        uint32_t r, why = 0;
        int pa = s.api->provider_arg;
        if (pa >= 0 && pointee16(x, &e->args[pa], &e->args[pa].v, g, &r,
                                 &why)) {
            s.has_guid = true;
            memcpy(s.guid, g, 16);
            s.provider_symbol = r ? symbol_at(x, r) : NULL;
            s.provider_by = "guid-argument";
            s.provider = find_provider(x, CAT_KIND_MANIFEST, g);
            static const cat_kind others[] = {CAT_KIND_TRACELOGGING,
                                              CAT_KIND_WPP};
            for (unsigned k = 0; !s.provider && k < 2; k++) {
                s.provider = find_provider(x, others[k], g);
                if (s.provider)
                    s.kind = others[k];
            }
        } else { /* a wrapper's parameter (EtwRegisterTraceGuidsA), or not
                    followed */
            s.unresolved |= why & ST_R(VALUE_IS_PARAMETER)
                                ? ST_R(VALUE_IS_PARAMETER)
                                : ST_R(GUID_UNKNOWN);
        }
        if (!s.provider && registers_classic(s.api))
            s.kind = CAT_KIND_CLASSIC;
        int ha = etw_api_handle_out_arg(s.api);
        if (ha >= 0 && ha < VS_ARGS && e->args[ha].v.kind == VAL_ADDR) {
            s.has_handle_rva = true;
            s.handle_rva = (uint32_t)e->args[ha].v.c;
            s.handle_symbol = symbol_at(x, s.handle_rva);
            const cat_provider *tp =
                s.handle_rva >= TLG_OBJ_REGHANDLE_OFF
                    ? tlg_provider_of_object(x, s.handle_rva -
                                                    TLG_OBJ_REGHANDLE_OFF)
                    : NULL;
            if (tp) { /* TraceLoggingRegister: into the object */
                s.handle_rva -= TLG_OBJ_REGHANDLE_OFF;
                s.handle_symbol = symbol_at(x, s.handle_rva);
                if (!s.has_guid && tp->has_guid) {
                    /* the GUID copied from before the metadata pointer */
                    s.has_guid = true;
                    memcpy(s.guid, tp->guid, 16);
                    s.provider = tp;
                    s.kind = CAT_KIND_TRACELOGGING;
                    s.provider_by = "tracelogging-object";
                    s.unresolved &= ~ST_R(GUID_UNKNOWN);
                }
            }
        }
        return push_site(x, &s);
    }
    case ETW_API_UNREGISTER:
    case ETW_API_SUPPORT:
        s.action = s.api->kind == ETW_API_UNREGISTER ? ST_UNREGISTER
                                                     : ST_SUPPORT;
        if (s.api->provider_arg >= 0)
            resolve_handle(x, &s, &e->args[s.api->provider_arg].v);
        if (s.api->flags & ETW_API_F_CLASSIC) /* GetTrace* */
            s.kind = CAT_KIND_CLASSIC;
        if (etw_api_returns_logger(s.api)) {
            /* in a control callback: the registration passing it */
            const reg_entry *r = find_reg(x, s.sink_site, true);
            if (r && r->logger)
                set_registration(x, &s, r, "control-callback");
            else
                s.unresolved |= ST_R(NO_REGISTRATION);
        }
        return push_site(x, &s);
    case ETW_API_WRITE:
    case ETW_API_WRITE_NOREG:
        return resolve_write(x, &s, e);
    case ETW_API_WRITE_STRING: {
        s.string_write = true;
        resolve_handle(x, &s, &e->args[0].v);
        const val *lv = const_arg(e, 1), *kv = const_arg(e, 2);
        if (lv) {
            s.has_level = true;
            s.level = (uint8_t)lv->c;
        } else {
            s.unresolved |= value_reason(e, 1, x);
        }
        if (kv) {
            s.has_keyword = true;
            s.keyword = (uint64_t)kv->c;
        } else {
            s.unresolved |= value_reason(e, 2, x);
        }
        /* kernel EtwWriteString has ActivityId before the string */
        unsigned sa = strcmp(s.api->name, "EtwWriteString") == 0 ? 4 : 3;
        const val *sv = &e->args[sa].v;
        if (sv->kind == VAL_ADDR) {
            uint8_t buf[512];
            size_t off, avail;
            if (pe_rva_avail(x->img, (uint32_t)sv->c, &off, &avail) == EW_OK) {
                size_t nb = avail < sizeof buf ? avail : sizeof buf;
                memcpy(buf, x->img->data + off, nb);
                size_t units = ew_utf16_nlen(buf, nb / 2);
                char *u8 = NULL;
                EW_TRY(ew_utf16_to_utf8(&x->out->arena, buf, units, &u8,
                                        NULL));
                s.string = u8;
            }
        }
        s.event_by = "constants";
        return push_site(x, &s);
    }
    case ETW_API_TRACELOGGING: {
        s.kind = CAT_KIND_TRACELOGGING;
        const val *pv = &e->args[0].v;
        int64_t obj = -1;
        uint32_t t;
        if (pv->kind == VAL_ADDR)
            obj = pv->c;
        else if (pv->kind == VAL_LOAD && pv->size == 8 &&
                 read_pointer(x, pv->c, &t))
            obj = t; /* the const handle variable holding &object */
        const cat_provider *p = obj >= 0 ? tlg_provider_of_object(x, obj)
                                         : NULL;
        if (p) {
            s.provider = p;
            s.has_guid = p->has_guid;
            memcpy(s.guid, p->guid, 16);
            s.has_handle_rva = true;
            s.handle_rva = (uint32_t)obj;
            s.handle_symbol = symbol_at(x, (uint32_t)obj);
            s.provider_by = "tracelogging-object";
        } else {
            s.unresolved |= is_param(x, pv) ? ST_R(HANDLE_IS_PARAMETER)
                                            : ST_R(HANDLE_UNKNOWN);
        }
        const val *ev = &e->args[1].v;
        const cat_event *ce =
            ev->kind == VAL_ADDR ? tlg_event_at(x, ev->c) : NULL;
        if (ce) {
            s.event = ce;
            s.has_descriptor_rva = true;
            s.descriptor_rva = (uint32_t)ev->c;
            s.event_symbol = symbol_at(x, ce->source_rva);
            s.event_by = "tracelogging-blob";
        } else {
            s.unresolved |= value_reason(e, 1, x);
        }
        return push_site(x, &s);
    }
    case ETW_API_KERNEL: {
        s.kind = CAT_KIND_LEGACY_KERNEL;
        const val *mv = const_arg(e, 2), *hv = const_arg(e, 3);
        if (mv) {
            s.has_group_mask = true;
            s.group_mask = (uint32_t)mv->c;
        } else {
            s.unresolved |= value_reason(e, 2, x);
        }
        if (hv) {
            s.has_hook_id = true;
            s.hook_id = (uint16_t)hv->c;
            cat_event *ce = ew_arena_alloc(&x->out->arena, sizeof *ce);
            if (!ce)
                return EW_E_NOMEM;
            ew_diag d;
            memset(&d, 0, sizeof d);
            EW_TRY(cat_legacy_kernel_event(ce, s.hook_id,
                                           mv ? &s.group_mask : NULL,
                                           &x->out->arena, &d));
            s.event = ce;
            s.event_by = "constants";
        } else {
            s.unresolved |= value_reason(e, 3, x);
        }
        return push_site(x, &s);
    }
    case ETW_API_WPP: {
        s.kind = CAT_KIND_WPP;
        uint8_t g[16];
        uint32_t r, why = 0;
        const val *nv2 = const_arg(e, 3);
        if (pointee16(x, &e->args[2], &e->args[2].v, g, &r, &why)) {
            s.has_message = true;
            memcpy(s.message_guid, g, 16);
            s.has_guid = true;
            memcpy(s.guid, g, 16);
            s.provider_symbol = r ? symbol_at(x, r) : NULL;
            s.provider_by = "wpp-guid";
        } else {
            s.unresolved |= ST_R(GUID_UNKNOWN);
        }
        if (nv2) {
            s.message_number = (uint16_t)nv2->c;
            s.id = s.message_number;
        } else {
            s.unresolved |= value_reason(e, 3, x);
        }
        if (s.has_message && nv2) {
            for (size_t i = 0; i < x->cat->n_events; i++) {
                const cat_event *ce = &x->cat->events[i];
                if (ce->kind == CAT_KIND_WPP && ce->has_id &&
                    ce->id == s.message_number &&
                    memcmp(ce->message_guid, g, 16) == 0) {
                    s.event = ce;
                    s.provider = cat_event_provider(x->cat, ce);
                    break;
                }
            }
            s.event_by = "wpp-message";
            if (!s.event) /* the message text is in the PDB's TMF */
                s.unresolved |= ST_R(EVENT_NOT_IN_CATALOG);
        }
        return push_site(x, &s);
    }
    case ETW_API_CLASSIC: {
        s.kind = CAT_KIND_CLASSIC;
        if (s.api->provider_arg >= 0) {
            resolve_handle(x, &s, &e->args[s.api->provider_arg].v);
        } else { /* IoWMIWriteEvent: the logger is in the header */
            const vs_wide *w =
                e->site_rva == e->sink_site
                    ? vs_wide_at(&x->e->vs, e->site_rva,
                                 (unsigned)s.api->event_arg)
                    : NULL;
            const val *lv = w ? vs_wide_field(w, ETH_LOGGER, 8) : NULL;
            if (lv)
                resolve_handle(x, &s, lv);
            else
                s.unresolved |= ST_R(HANDLE_UNKNOWN);
        }
        int tp;
        uint8_t types[VS_MAX_ALT];
        unsigned nt;
        if (!resolve_header(x, &s, in, &tp, types, &nt))
            return EW_OK; /* a WMI event, not ETW */
        if (nt && !s.has_class) { /* one of several types: a row each */
            s.unresolved &= ~ST_R(DESCRIPTOR_PARTIAL);
            s.has_class = true;
            for (unsigned i = 0; i < nt; i++) {
                s.class_type = types[i];
                EW_TRY(push_site(x, &s));
            }
            return EW_OK;
        }
        if (tp >= 0 && !s.has_class) {
            /* the type is a parameter: the callers that pass one, each a
             * site (via the helper) */
            s.unresolved &= ~ST_R(DESCRIPTOR_PARTIAL);
            bool found = false;
            const cg_graph *g = &x->e->cg;
            for (uint32_t r = g->rfirst[in->fn]; r < g->rfirst[in->fn + 1]; r++)
                EW_TRY(values_up(x, &s, g->redges[r].fn, g->redges[r].site_rva,
                                 1u << tp, 1, &in->fn, 1, classic_type_visit,
                                 &found));
            if (found)
                return EW_OK;
            s.unresolved |= ST_R(VALUE_IS_PARAMETER);
        }
        return push_site(x, &s);
    }
    default:
        s.unresolved |= ST_R(VALUE_UNKNOWN);
        return push_site(x, &s);
    }
}

/* ---- registrations ------------------------------------------------------ */

static int cmp_reg(const void *a, const void *b)
{
    const reg_entry *x = a, *y = b;
    if (x->local != y->local)
        return x->local < y->local ? -1 : 1;
    if (x->handle_rva != y->handle_rva)
        return x->handle_rva < y->handle_rva ? -1 : 1;
    return x->site_rva < y->site_rva ? -1 : x->site_rva > y->site_rva;
}

/* The logger handles the control callback at rva cb gets, as
 * registrations of re's GUID: from GetTraceLoggerHandle (the call itself,
 * its result still in rax, and each global the result is stored to), or,
 * for a kernel classic provider, each global it stores a value read from
 * its parameters in (the logger handle the enable callback is given). */
static void logger_registrations(sctx *x, const reg_entry *re, int64_t cb,
                                 bool kernel)
{
    const vs_set *vs = &x->e->vs;
    long fi = cb > 0 && cb <= UINT32_MAX
                  ? eng_function_index(x->e, (uint32_t)cb)
                  : -1;
    if (fi < 0)
        return;
    if (kernel) { /* the globals it keeps a parameter's value in */
        reg_entry l = *re;
        l.logger = true;
        for (size_t k = 0; k < vs->n_stores && x->n_regs < x->cap_regs; k++)
            if (vs->stores[k].fn == (uint32_t)fi &&
                vs->stores[k].call_rva == 0) {
                l.handle_rva = vs->stores[k].target_rva;
                x->regs[x->n_regs++] = l;
            }
        return;
    }
    size_t n;
    const vs_call *c = vs_calls_of(vs, (size_t)fi, &n);
    for (size_t i = 0; i < n && x->n_regs + 1 < x->cap_regs; i++) {
        if (!etw_api_returns_logger(eng_call_api(x->e, &c[i])))
            continue;
        reg_entry l = *re;
        l.logger = true;
        l.local = true;
        l.handle_rva = c[i].site_rva;
        x->regs[x->n_regs++] = l;
        for (size_t k = 0; k < vs->n_stores && x->n_regs < x->cap_regs; k++)
            if (vs->stores[k].call_rva == c[i].site_rva &&
                vs->stores[k].arg == VS_RESULT_RETURN) {
                l.local = false;
                l.handle_rva = vs->stores[k].target_rva;
                x->regs[x->n_regs++] = l;
            }
    }
}

static ew_status collect_registrations(sctx *x)
{
    const sm_set *sm = &x->e->sm;
    size_t n_api;
    const etw_api *table = etw_api_table(&n_api);
    const vs_set *vs = &x->e->vs;
    x->cap_regs = 4 * sm->n_instances + 2 * vs->n_stores + 1;
    x->regs = ew_arena_array(&x->out->arena, x->cap_regs, sizeof *x->regs);
    if (!x->regs)
        return EW_E_NOMEM;
    for (size_t i = 0; i < sm->n_instances; i++) {
        const sm_effect *e = &sm->instances[i].e;
        if (e->sink < 0 || (size_t)e->sink >= n_api)
            continue;
        const etw_api *api = &table[e->sink];
        int ha = etw_api_handle_out_arg(api);
        int ca = etw_api_callback_arg(api);
        int ga = api->provider_arg;
        if (api->kind != ETW_API_REGISTER || ga < 0 || ga >= VS_ARGS)
            continue;
        uint8_t g[16];
        uint32_t r, why = 0;
        if (!pointee16(x, &e->args[ga], &e->args[ga].v, g, &r, &why))
            continue;
        reg_entry re;
        memset(&re, 0, sizeof re);
        re.site_rva = e->site_rva;
        re.guid_rva = r;
        re.classic = registers_classic(api);
        memcpy(re.guid, g, 16);
        if (ca >= 0 && ca < VS_ARGS && e->args[ca].v.kind == VAL_ADDR &&
            registers_classic(api))
            logger_registrations(x, &re, e->args[ca].v.c,
                                 (api->flags & ETW_API_F_CALLBACK_LOGGER) != 0);
        const val *hv = ha >= 0 && ha < VS_ARGS ? &e->args[ha].v : NULL;
        if (!hv || (hv->kind != VAL_ADDR && hv->kind != VAL_STACK) ||
            x->n_regs + 2 > x->cap_regs)
            continue;
        if (hv->kind == VAL_ADDR) {
            re.handle_rva = (uint32_t)hv->c;
            x->regs[x->n_regs++] = re;
            continue;
        }
        /* registered into the frame: used there, or stored to a global */
        re.local = true;
        re.handle_rva = e->site_rva;
        x->regs[x->n_regs++] = re;
        for (size_t k = 0; k < vs->n_stores; k++)
            if (vs->stores[k].call_rva == e->site_rva &&
                vs->stores[k].arg == ha) {
                re.local = false;
                re.handle_rva = vs->stores[k].target_rva;
                x->regs[x->n_regs++] = re;
                break;
            }
    }
    if (x->n_regs > 1)
        qsort(x->regs, x->n_regs, sizeof *x->regs, cmp_reg);
    return EW_OK;
}

/* ---- the metadata end --------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool has_site(const uint64_t *keys, size_t n, uint32_t fn,
                     uint32_t site)
{
    uint64_t k = ((uint64_t)fn << 32) | site;
    return bsearch(&k, keys, n, sizeof k, cmp_u64) != NULL;
}

/* The TraceLogging provider object a function uses itself: an argument
 * of one of its calls that is an object, or the RegHandle in one (an
 * aggregate or template helper that names its provider inside). */
static int64_t tlg_object_in_function(const sctx *x, uint32_t rva)
{
    long fi = rva ? eng_function_index(x->e, rva) : -1;
    if (fi < 0)
        return -1;
    size_t nc;
    const vs_call *c = vs_calls_of(&x->e->vs, (size_t)fi, &nc);
    for (size_t k = 0; k < nc; k++)
        for (unsigned a = 0; a < VS_ARGS; a++) {
            const val *v = &c[k].args[a];
            if (v->kind == VAL_ADDR && tlg_provider_of_object(x, v->c))
                return v->c;
            if (v->kind == VAL_LOAD && v->size == 8 &&
                v->c >= TLG_OBJ_REGHANDLE_OFF &&
                tlg_provider_of_object(x, v->c - TLG_OBJ_REGHANDLE_OFF))
                return v->c - TLG_OBJ_REGHANDLE_OFF;
        }
    return -1;
}

static int cmp_desc(const void *a, const void *b)
{
    return memcmp(((const desc_entry *)a)->d, ((const desc_entry *)b)->d, 16);
}

static void descriptor_of_event(const cat_event *e, uint8_t d[16])
{
    memset(d, 0, 16);
    memcpy(d, &e->id, 2);
    d[2] = e->version;
    d[3] = (uint8_t)e->channel.value;
    d[4] = (uint8_t)e->level.value;
    d[5] = (uint8_t)e->opcode.value;
    uint16_t task = (uint16_t)e->task.value;
    memcpy(d + 6, &task, 2);
    memcpy(d + 8, &e->keyword, 8);
}

static ew_status index_descriptors(sctx *x)
{
    size_t n = x->cat->n_events;
    for (size_t i = 0; x->o && i < x->o->n_extra; i++)
        n += x->o->extra[i]->n_events;
    x->descs = ew_arena_array(&x->out->arena, n + 1, sizeof *x->descs);
    if (!x->descs)
        return EW_E_NOMEM;
    for (size_t c = 0; c <= (x->o ? x->o->n_extra : 0); c++) {
        const cat_catalog *cat = c == 0 ? x->cat : x->o->extra[c - 1];
        for (size_t i = 0; i < cat->n_events; i++) {
            const cat_event *e = &cat->events[i];
            if (e->kind != CAT_KIND_MANIFEST || !e->has_id || !e->has_version)
                continue;
            desc_entry *de = &x->descs[x->n_descs++];
            descriptor_of_event(e, de->d);
            de->ev = e;
            de->cat = cat;
        }
    }
    qsort(x->descs, x->n_descs, sizeof *x->descs, cmp_desc);
    for (size_t i = 1; i < x->n_descs; i++)
        if (memcmp(x->descs[i].d, x->descs[i - 1].d, 16) == 0)
            x->descs[i].ambiguous = x->descs[i - 1].ambiguous = true;
    return EW_OK;
}

static const desc_entry *find_descriptor(const sctx *x, const uint8_t d[16])
{
    desc_entry key;
    memcpy(key.d, d, 16);
    return x->n_descs ? bsearch(&key, x->descs, x->n_descs, sizeof key,
                                cmp_desc)
                      : NULL;
}

/* A call that passes a catalog descriptor (its address, or a frame copy)
 * to something that is no known API: a site whose event, and so its
 * provider, the 16 bytes name. */
static ew_status descriptor_site(sctx *x, size_t fi, const vs_call *c)
{
    for (unsigned a = 0; a < VS_ARGS; a++) {
        val alts[VS_MAX_ALT];
        unsigned na = call_arg_alts(x, c, a, alts);
        unsigned found = 0;
        for (unsigned ai = 0; ai < na; ai++) {
            uint8_t d[16];
            uint32_t rva = 0, why = 0;
            const vs_bytes *pb = na == 1 ? vs_pointee(&x->e->vs, c, a) : NULL;
            sm_arg arg;
            memset(&arg, 0, sizeof arg);
            if (pb)
                arg.bytes = *pb;
            if (alts[ai].kind != VAL_ADDR && !(alts[ai].kind == VAL_STACK && pb))
                continue;
            if (!pointee16(x, &arg, &alts[ai], d, &rva, &why))
                continue;
            const desc_entry *de = find_descriptor(x, d);
            if (!de || de->ambiguous)
                continue;
            const cat_provider *p = cat_event_provider(de->cat, de->ev);
            st_site s;
            memset(&s, 0, sizeof s);
            s.fn = s.sink_fn = (uint32_t)fi;
            s.site_rva = s.sink_site = c->site_rva;
            s.api = eng_call_api(x->e, c);
            s.api_name = s.api ? s.api->name : eng_callee_name(x->e, c);
            s.kind = CAT_KIND_MANIFEST;
            set_descriptor(&s, d);
            s.event = de->ev;
            s.provider = p;
            if (p && p->has_guid) {
                s.has_guid = true;
                memcpy(s.guid, p->guid, 16);
            } else {
                s.unresolved |= ST_R(GUID_UNKNOWN);
            }
            s.provider_by = "descriptor-match";
            s.event_by = rva ? "descriptor-global" : "descriptor-frame";
            if (rva) {
                s.has_descriptor_rva = true;
                s.descriptor_rva = rva;
                s.event_symbol = descriptor_symbol(x, rva);
            }
            if (c->kind == VS_CALL_INDIRECT)
                s.unresolved |= ST_R(INDIRECT_CALL);
            EW_TRY(push_site(x, &s));
            found++;
        }
        if (found)
            return EW_OK;
    }
    return EW_OK;
}

/* Calls that pass a TraceLogging event blob's address and are no site yet
 * (a helper nothing names, an indirect call). */
static ew_status metadata_sites(sctx *x)
{
    size_t n0 = x->sites.n;
    uint64_t *keys = malloc((n0 ? n0 : 1) * sizeof *keys);
    if (!keys)
        return EW_E_NOMEM;
    for (size_t i = 0; i < n0; i++) {
        const st_site *s = EW_VEC_AT(&x->sites, st_site, i);
        keys[i] = ((uint64_t)s->fn << 32) | s->site_rva;
    }
    qsort(keys, n0, sizeof *keys, cmp_u64);
    ew_status st = EW_OK;
    const fn_set *fns = &x->e->fns;
    for (size_t fi = 0; fi < fns->n_functions && st == EW_OK; fi++) {
        size_t nc;
        const vs_call *c = vs_calls_of(&x->e->vs, fi, &nc);
        for (size_t k = 0; k < nc && st == EW_OK; k++) {
            if (has_site(keys, n0, (uint32_t)fi, c[k].site_rva))
                continue;
            const cat_event *evs[VS_MAX_ALT];
            uint32_t ev_rvas[VS_MAX_ALT];
            unsigned n_ev = 0;
            int64_t obj = -1;
            for (unsigned a = 0; a < VS_ARGS; a++) {
                val alts[VS_MAX_ALT];
                unsigned na = call_arg_alts(x, &c[k], a, alts);
                for (unsigned ai = 0; ai < na; ai++) {
                    if (alts[ai].kind != VAL_ADDR)
                        continue;
                    const cat_event *t = tlg_event_at(x, alts[ai].c);
                    if (t && n_ev < VS_MAX_ALT) {
                        evs[n_ev] = t;
                        ev_rvas[n_ev++] = (uint32_t)alts[ai].c;
                    } else if (obj < 0 &&
                               tlg_provider_of_object(x, alts[ai].c)) {
                        obj = alts[ai].c;
                    }
                }
                if (n_ev)
                    break;
            }
            if (!n_ev) {
                st = descriptor_site(x, fi, &c[k]);
                continue;
            }
            if (obj < 0)
                obj = tlg_object_in_function(x, c[k].target_rva);
            for (unsigned ei = 0; ei < n_ev && st == EW_OK; ei++) {
            const cat_event *ev = evs[ei];
            uint32_t ev_rva = ev_rvas[ei];
            st_site s;
            memset(&s, 0, sizeof s);
            s.fn = s.sink_fn = (uint32_t)fi;
            s.site_rva = s.sink_site = c[k].site_rva;
            s.api = eng_call_api(x->e, &c[k]);
            s.api_name = s.api ? s.api->name : eng_callee_name(x->e, &c[k]);
            s.kind = CAT_KIND_TRACELOGGING;
            s.event = ev;
            s.has_descriptor_rva = true;
            s.descriptor_rva = ev_rva;
            s.event_symbol = symbol_at(x, ev->source_rva);
            s.event_by = "tracelogging-blob";
            if (obj >= 0) {
                const cat_provider *p = tlg_provider_of_object(x, obj);
                s.provider = p;
                s.has_guid = p->has_guid;
                memcpy(s.guid, p->guid, 16);
                s.has_handle_rva = true;
                s.handle_rva = (uint32_t)obj;
                s.handle_symbol = symbol_at(x, (uint32_t)obj);
                s.provider_by = "tracelogging-object";
            } else {
                s.unresolved |= ST_R(HANDLE_UNKNOWN);
            }
            if (c[k].kind == VS_CALL_INDIRECT)
                s.unresolved |= ST_R(INDIRECT_CALL);
            st = push_site(x, &s);
            }
        }
    }
    free(keys);
    return st;
}

/* ---- other modules (--with) --------------------------------------------- */

static bool same_file(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    return strcasecmp(sa ? sa + 1 : a, sb ? sb + 1 : b) == 0;
}

/* The module an import comes from and the function index its name
 * exports there, or NULL. */
static const st_foreign *foreign_target(const sctx *x, const pe_import *imp,
                                        long *fi)
{
    if (!x->o || !imp || !imp->name || !imp->dll)
        return NULL;
    for (size_t i = 0; i < x->o->n_foreign; i++) {
        const st_foreign *m = &x->o->foreign[i];
        if (!same_file(m->file, imp->dll))
            continue;
        const pe_export *ex = pe_find_export(m->e->img, imp->name);
        *fi = ex && !ex->forwarder ? eng_function_index(m->e, ex->rva) : -1;
        return *fi >= 0 ? m : NULL;
    }
    return NULL;
}

/* The site of module m at (fn, api call) resolved there. */
static const st_site *foreign_site(const st_foreign *m, uint32_t fn,
                                   uint32_t sink_site)
{
    for (size_t i = 0; i < m->sites->n; i++)
        if (m->sites->sites[i].fn == fn &&
            m->sites->sites[i].sink_site == sink_site)
            return &m->sites->sites[i];
    return NULL;
}

static void set_foreign_via(const st_foreign *m, st_site *s,
                            const st_site *ms, uint32_t fi)
{
    const fn_function *fns = m->e->fns.functions;
    unsigned k = 0;
    const char *base = strrchr(m->file, '/');
    s->module = base ? base + 1 : m->file;
    s->ext_via[k++] = fns[fi].name;
    for (unsigned i = 0; i < ms->n_via && k < 8; i++)
        s->ext_via[k++] = fns[ms->via[i]].name;
    s->n_ext_via = (uint8_t)k;
}

/* Calls to another module's exported wrapper: its writes whose values it
 * settles itself, and those whose descriptor its caller passes (resolved
 * here from the caller's argument). */
static ew_status foreign_sites(sctx *x)
{
    const fn_set *fns = &x->e->fns;
    for (size_t fi = 0; fi < fns->n_functions; fi++) {
        size_t nc;
        const vs_call *c = vs_calls_of(&x->e->vs, fi, &nc);
        for (size_t k = 0; k < nc; k++) {
            long mf;
            const st_foreign *m = foreign_target(x, c[k].import, &mf);
            if (!m)
                continue;
            /* settled inside the wrapper */
            for (size_t i = 0; i < m->sites->n; i++) {
                const st_site *ms = &m->sites->sites[i];
                if (ms->fn != (uint32_t)mf || ms->action != ST_WRITE ||
                    (ms->unresolved & (ST_R(DESCRIPTOR_IS_PARAMETER) |
                                       ST_R(HANDLE_IS_PARAMETER) |
                                       ST_R(VALUE_IS_PARAMETER))))
                    continue;
                st_site s = *ms;
                s.fn = (uint32_t)fi;
                s.site_rva = s.sink_site = c[k].site_rva;
                s.sink_fn = (uint32_t)fi;
                s.n_via = 0;
                s.registration_site = 0;
                s.has_handle_rva = s.has_descriptor_rva = false;
                set_foreign_via(m, &s, ms, (uint32_t)mf);
                EW_TRY(push_site(x, &s));
            }
            /* the descriptor is the caller's: substitute it */
            const sm_set *msm = &m->e->sm;
            size_t n_api;
            const etw_api *table = etw_api_table(&n_api);
            for (size_t i = 0; i < msm->n_instances; i++) {
                const sm_instance *in = &msm->instances[i];
                if (in->fn != (uint32_t)mf || in->e.status != SM_NO_CALLER ||
                    in->e.sink < 0 || (size_t)in->e.sink >= n_api)
                    continue;
                const etw_api *api = &table[in->e.sink];
                if (api->event_arg < 0)
                    continue;
                const val *dv = &in->e.args[api->event_arg].v;
                if (dv->kind != VAL_PARAM || dv->c != 0 ||
                    dv->param >= VS_ARGS)
                    continue;
                const st_site *ms = foreign_site(m, in->fn, in->e.sink_site);
                if (!ms)
                    continue;
                st_site s = *ms;
                s.fn = s.sink_fn = (uint32_t)fi;
                s.site_rva = s.sink_site = c[k].site_rva;
                s.n_via = 0;
                s.registration_site = 0;
                s.has_handle_rva = false;
                s.unresolved &= ~ST_R(DESCRIPTOR_IS_PARAMETER);
                s.has_descriptor = s.has_descriptor_rva = false;
                s.event = NULL;
                s.event_symbol = NULL;
                set_foreign_via(m, &s, ms, (uint32_t)mf);
                sm_arg arg;
                memset(&arg, 0, sizeof arg);
                const vs_bytes *pb = vs_pointee(&x->e->vs, &c[k], dv->param);
                if (pb)
                    arg.bytes = *pb;
                uint8_t d[16];
                uint32_t rva = 0, why = 0;
                if (pointee16(x, &arg, &c[k].args[dv->param], d, &rva, &why) &&
                    descriptor_plausible(d)) {
                    set_descriptor(&s, d);
                    s.event_by = rva ? "descriptor-global" : "descriptor-frame";
                    if (rva) {
                        s.has_descriptor_rva = true;
                        s.descriptor_rva = rva;
                        s.event_symbol = descriptor_symbol(x, rva);
                    }
                    s.event = find_event(x, CAT_KIND_MANIFEST, s.guid, s.id,
                                         s.version);
                    if (!s.event)
                        s.unresolved |= ST_R(EVENT_NOT_IN_CATALOG);
                } else {
                    s.unresolved |= ST_R(DESCRIPTOR_ON_HEAP);
                }
                EW_TRY(push_site(x, &s));
            }
        }
    }
    return EW_OK;
}

/* ---- descriptors whose address is only taken ----------------------------- */

/* Where the bytes of event ev's descriptor lie in the image's data
 * (not code, not resources: the WEVT template holds them all): up to max
 * rvas into out. */
static size_t locate_descriptor(const sctx *x, const cat_event *ev,
                                uint32_t *out, size_t max)
{
    uint8_t d[16];
    descriptor_of_event(ev, d);
    size_t n = 0;
    const pe_image *img = x->img;
    for (size_t i = 0; i < img->n_sections && n < max; i++) {
        const pe_section *sec = &img->sections[i];
        if (pe_section_is_code(sec) ||
            strncmp(sec->name, ".rsrc", 5) == 0)
            continue;
        size_t off, avail;
        if (pe_rva_avail(img, sec->rva, &off, &avail) != EW_OK)
            continue;
        const uint8_t *p = img->data + off;
        for (size_t k = 0; k + 16 <= avail && n < max; k += 4) /* aligned */
            if (p[k] == d[0] && memcmp(p + k, d, 16) == 0)
                out[n++] = sec->rva + (uint32_t)k;
    }
    return n;
}

/* Manifest events of the image's own catalog that no resolved site
 * writes, whose descriptor is a constant in the data and whose address an
 * instruction takes (lea): a site at the first call after it in that
 * function (DESIGN.md principle 2, the metadata end), e.g. a descriptor
 * put in a structure handed to another module. */
static ew_status address_taken_sites(sctx *x)
{
    const cat_catalog *c = x->cat;
    uint32_t want[ST_MAX_TAKEN];
    const cat_event *want_ev[ST_MAX_TAKEN];
    size_t n_want = 0;
    for (size_t i = 0; i < c->n_events && n_want < ST_MAX_TAKEN; i++) {
        const cat_event *ev = &c->events[i];
        if (ev->kind != CAT_KIND_MANIFEST || !ev->has_id || !ev->has_version)
            continue;
        bool written = false;
        for (size_t k = 0; k < x->sites.n && !written; k++) {
            const st_site *s = EW_VEC_AT(&x->sites, st_site, k);
            written = s->event == ev && !s->unresolved;
        }
        if (written)
            continue;
        uint32_t at[4];
        size_t na = locate_descriptor(x, ev, at, 4);
        for (size_t k = 0; k < na && n_want < ST_MAX_TAKEN; k++) {
            want[n_want] = at[k];
            want_ev[n_want++] = ev;
        }
    }
    if (!n_want)
        return EW_OK;
    if (!x->dec && !(x->dec = fn_decoder_new()))
        return EW_E_NOMEM;
    const fn_set *fns = &x->e->fns;
    for (size_t fi = 0; fi < fns->n_functions; fi++) {
        const insn *in;
        size_t n;
        EW_TRY(fn_decode(x->dec, fns, x->img, &fns->functions[fi], &in, &n));
        for (size_t i = 0; i < n; i++) {
            if (in[i].cls != INSN_LEA || in[i].n_ops < 2 ||
                !(in[i].ops[1].flags & INSN_OP_RIPREL))
                continue;
            size_t w = 0;
            while (w < n_want && want[w] != in[i].ops[1].target_rva)
                w++;
            if (w == n_want)
                continue;
            size_t nc;
            const vs_call *c2 = vs_calls_of(&x->e->vs, fi, &nc);
            size_t k = 0;
            while (k < nc && c2[k].site_rva < in[i].rva)
                k++;
            if (k == nc)
                continue;
            const cat_event *ev = want_ev[w];
            const cat_provider *p = cat_event_provider(c, ev);
            st_site s;
            memset(&s, 0, sizeof s);
            s.fn = s.sink_fn = (uint32_t)fi;
            s.site_rva = s.sink_site = c2[k].site_rva;
            s.api = eng_call_api(x->e, &c2[k]);
            s.api_name = s.api ? s.api->name : eng_callee_name(x->e, &c2[k]);
            s.kind = CAT_KIND_MANIFEST;
            uint8_t d[16];
            descriptor_of_event(ev, d);
            set_descriptor(&s, d);
            s.event = ev;
            s.provider = p;
            if (p && p->has_guid) {
                s.has_guid = true;
                memcpy(s.guid, p->guid, 16);
            } else {
                s.unresolved |= ST_R(GUID_UNKNOWN);
            }
            s.provider_by = "descriptor-match";
            s.event_by = "descriptor-address-taken";
            s.has_descriptor_rva = true;
            s.descriptor_rva = want[w];
            s.event_symbol = descriptor_symbol(x, want[w]);
            if (c2[k].kind == VS_CALL_INDIRECT)
                s.unresolved |= ST_R(INDIRECT_CALL);
            EW_TRY(push_site(x, &s));
        }
    }
    return EW_OK;
}

/* ---- driver ------------------------------------------------------------- */

static int cmp_site(const void *a, const void *b)
{
    const st_site *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    if (x->site_rva != y->site_rva)
        return x->site_rva < y->site_rva ? -1 : 1;
    if (x->sink_site != y->sink_site)
        return x->sink_site < y->sink_site ? -1 : 1;
    if (x->action != y->action)
        return x->action < y->action ? -1 : 1;
    if (x->descriptor_rva != y->descriptor_rva)
        return x->descriptor_rva < y->descriptor_rva ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->version < y->version ? -1 : x->version > y->version;
}

ew_status st_find(st_sites *out, const engine *e, const cat_catalog *cat,
                  const st_options *o, ew_diag *d)
{
    memset(out, 0, sizeof *out);
    ew_arena_init(&out->arena, 0);
    sctx x;
    memset(&x, 0, sizeof x);
    x.e = e;
    x.img = e->img;
    x.cat = cat;
    x.o = o;
    x.out = out;
    ew_vec_init(&x.sites, sizeof(st_site));
    ew_status s = collect_registrations(&x);
    if (s == EW_OK)
        s = index_descriptors(&x);
    for (size_t i = 0; s == EW_OK && i < e->sm.n_instances; i++)
        s = resolve_instance(&x, &e->sm.instances[i]);
    if (s == EW_OK)
        s = foreign_sites(&x);
    if (s == EW_OK)
        s = metadata_sites(&x);
    if (s == EW_OK)
        s = address_taken_sites(&x);
    fn_decoder_free(x.dec);
    if (s != EW_OK) {
        st_free(out);
        return ew_fail(d, s, "sites", -1, "out of memory");
    }
    out->sites = x.sites.items;
    out->n = x.sites.n;
    if (out->n > 1)
        qsort(out->sites, out->n, sizeof *out->sites, cmp_site);
    return EW_OK;
}

void st_free(st_sites *s)
{
    ew_arena_free(&s->arena);
    memset(s, 0, sizeof *s);
}
