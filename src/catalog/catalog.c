/*
 * catalog.c - the event catalog: providers and events of the four kinds,
 * named, in one sorted model (catalog.h).
 *
 * Sections: helpers (warnings, strings, standard names); manifest;
 * TraceLogging; WPP; legacy kernel; sorting; lookups.
 */
#include "catalog.h"

#include "base/ew_guid.h"
#include "catalog/legacy_kernel.h"
#include "format/tlg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== helpers ============================================================ */

static const char *const kind_names[CAT_KIND_COUNT] = {
    [CAT_KIND_MANIFEST] = "manifest",
    [CAT_KIND_TRACELOGGING] = "tracelogging",
    [CAT_KIND_LEGACY_KERNEL] = "legacy-kernel",
    [CAT_KIND_WPP] = "wpp",
    [CAT_KIND_CLASSIC] = "classic",
};

const char *cat_kind_name(cat_kind k)
{
    return (unsigned)k < CAT_KIND_COUNT ? kind_names[k] : "?";
}

bool cat_kind_parse(const char *s, cat_kind *out)
{
    for (int k = 0; k < CAT_KIND_COUNT; k++) {
        if (strcmp(s, kind_names[k]) == 0) {
            *out = (cat_kind)k;
            return true;
        }
    }
    return false;
}

/* What one cat_build (or cat_build_legacy_kernel) call accumulates. */
typedef struct builder {
    ew_arena *a;
    ew_diag *d;
    ew_vec providers; /* cat_provider */
    ew_vec events;    /* cat_event */
    ew_vec warnings;  /* const char * */
    size_t n_dropped;
} builder;

static ew_status nomem(builder *b, const char *what)
{
    return ew_fail(b->d, EW_E_NOMEM, what, -1, "catalog arena exhausted");
}

/* Records one warning line (formatted, without the file name). */
static ew_status warn(builder *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static ew_status warn(builder *b, const char *fmt, ...)
{
    if (b->warnings.n >= CAT_MAX_WARNINGS) {
        b->n_dropped++;
        return EW_OK;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const char **slot = ew_vec_push(&b->warnings, b->a);
    if (!slot)
        return nomem(b, "catalog warnings");
    *slot = ew_arena_strndup(b->a, buf, strlen(buf));
    if (!*slot)
        return nomem(b, "catalog warnings");
    return EW_OK;
}

/* A parser's diag as a warning: "WHAT at 0xOFF: STATUS (DETAIL)". */
static ew_status warn_diag(builder *b, const ew_diag *d)
{
    char where[160] = "";
    if (d->what[0])
        snprintf(where, sizeof where,
                 d->has_off ? "%s at 0x%" PRIx64 ": " : "%s: ", d->what,
                 d->off);
    if (d->detail[0])
        return warn(b, "%s%s (%s)", where, ew_status_str(d->status),
                    d->detail);
    return warn(b, "%s%s", where, ew_status_str(d->status));
}

static char *adup(builder *b, const char *s, size_t n)
{
    return ew_arena_strndup(b->a, s, n);
}

static char *aprintf(ew_arena *a, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static char *aprintf(ew_arena *a, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    return ew_arena_strndup(a, buf, (size_t)n);
}

static cat_provider *push_provider(builder *b, cat_kind kind,
                                   const uint8_t *guid, const char *name,
                                   const char *source, bool has_rva,
                                   uint32_t rva)
{
    cat_provider *p = ew_vec_push(&b->providers, b->a);
    if (!p)
        return NULL;
    p->kind = kind;
    if (guid) {
        p->has_guid = true;
        memcpy(p->guid, guid, 16);
        ew_guid_format(guid, p->guid_text);
    }
    p->name = name;
    p->source = source;
    p->has_source_rva = has_rva;
    p->source_rva = rva;
    return p;
}

static cat_event *push_event(builder *b, cat_kind kind, int32_t provider)
{
    cat_event *e = ew_vec_push(&b->events, b->a);
    if (!e)
        return NULL;
    e->kind = kind;
    e->provider = provider;
    e->input_index = b->events.n - 1;
    e->name = "";
    e->message_id = WEVT_NO_MESSAGE;
    return e;
}

/* ---- standard names (winmeta.xml / winmeta.h) --------------------------- */

static const char *std_level(uint32_t v)
{
    static const char *const n[] = {"win:LogAlways", "win:Critical",
                                    "win:Error",     "win:Warning",
                                    "win:Informational", "win:Verbose"};
    return v < sizeof n / sizeof *n ? n[v] : NULL;
}

static const char *std_channel(uint32_t v)
{
    switch (v) {
    case 8: return "System";
    case 9: return "Application";
    case 10: return "Security";
    case 11: return "TraceLogging";
    case 12: return "ProviderMetadata";
    default: return NULL;
    }
}

static const char *std_opcode(uint32_t v)
{
    static const char *const n[] = {
        "win:Info",   "win:Start", "win:Stop",   "win:DC_Start",
        "win:DC_Stop", "win:Extension", "win:Reply", "win:Resume",
        "win:Suspend", "win:Send",
    };
    if (v < sizeof n / sizeof *n)
        return n[v];
    return v == 240 ? "win:Receive" : NULL;
}

typedef struct std_bit {
    uint64_t mask;
    const char *name;
} std_bit;

/* WINEVENT_KEYWORD_* bits 48..55 */
static const std_bit win_keywords[] = {
    {0x0001000000000000ull, "win:ResponseTime"},
    {0x0002000000000000ull, "win:WDIContext"},
    {0x0004000000000000ull, "win:WDIDiag"},
    {0x0008000000000000ull, "win:SQM"},
    {0x0010000000000000ull, "win:AuditFailure"},
    {0x0020000000000000ull, "win:AuditSuccess"},
    {0x0040000000000000ull, "win:CorrelationHint"},
    {0x0080000000000000ull, "win:EventlogClassic"},
};

/* Microsoft's TraceLogging telemetry keywords (FORMATS.md §1.12,
 * MicrosoftTelemetry.h spellings). */
static const std_bit tlg_keywords[] = {
    {0x0000200000000000ull, "MS.Telemetry"},
    {0x0000400000000000ull, "MS.Measures"},
    {0x0000800000000000ull, "MS.CriticalData"},
};

/* Collects keyword names: first the caller's, then the standard bits of
 * table, then one hex term for what is left. */
typedef struct kw_names {
    const char *names[72];
    size_t n;
    uint64_t left;
} kw_names;

static void kw_add(kw_names *k, const char *name)
{
    if (name && k->n < sizeof k->names / sizeof *k->names - 1)
        k->names[k->n++] = name;
}

static ew_status kw_finish(builder *b, kw_names *k, const std_bit *table,
                           size_t n_table, cat_event *e)
{
    for (size_t i = 0; i < n_table; i++) {
        if (k->left & table[i].mask) {
            kw_add(k, table[i].name);
            k->left &= ~table[i].mask;
        }
    }
    if (k->left)
        kw_add(k, aprintf(b->a, "0x%" PRIx64, k->left));
    if (k->n == 0)
        return EW_OK;
    const char **arr = ew_arena_array(b->a, k->n, sizeof *arr);
    if (!arr)
        return nomem(b, "keyword names");
    for (size_t i = 0; i < k->n; i++) {
        if (!k->names[i])
            return nomem(b, "keyword names");
        arr[i] = k->names[i];
    }
    e->keyword_names = arr;
    e->n_keyword_names = k->n;
    return EW_OK;
}

/* ---- event names from messages ------------------------------------------ */

static bool is_alnum(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= 'a' && ch <= 'z');
}

/* Skips a FormatMessage insert at s[i] == '%': %1..%99 with an optional
 * !printf-format!, or %n %t %% %r %b %. %! %0 ...; returns the index after
 * it. */
static size_t skip_insert(const char *s, size_t i)
{
    i++; /* '%' */
    if (s[i] >= '1' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (s[i] == '!') {
            const char *end = strchr(s + i + 1, '!');
            if (end)
                i = (size_t)(end - s) + 1;
        }
        return i;
    }
    return s[i] ? i + 1 : i;
}

/* Up to CAT_MAX_NAME_WORDS words of the first sentence of msg, each
 * starting upper case, into out; returns its length (0: no word). */
static size_t name_from_message(const char *msg, char *out, size_t size)
{
    size_t len = 0, words = 0;
    unsigned parens = 0; /* text in () or [] is an aside: skipped */
    bool in_word = false;
    for (size_t i = 0; msg[i] && words <= CAT_MAX_NAME_WORDS;) {
        unsigned char ch = (unsigned char)msg[i];
        if (ch == '(' || ch == '[' || (parens && (ch == ')' || ch == ']'))) {
            if (ch == '(' || ch == '[')
                parens++;
            else
                parens--;
            in_word = false;
            i++;
            continue;
        }
        if (parens) {
            i++;
            continue;
        }
        if (ch == '%') {
            i = skip_insert(msg, i);
            in_word = false;
            continue;
        }
        if (is_alnum(ch)) {
            if (!in_word) {
                if (words == CAT_MAX_NAME_WORDS)
                    break;
                words++;
                in_word = true;
                if (ch >= 'a' && ch <= 'z')
                    ch = (unsigned char)(ch - 'a' + 'A');
            }
            if (len + 1 < size)
                out[len++] = (char)ch;
            i++;
            continue;
        }
        /* an apostrophe inside a word ("don't") does not split it */
        if (ch == '\'' && in_word && is_alnum((unsigned char)msg[i + 1])) {
            i++;
            continue;
        }
        /* a sentence ends at a line end or a '.' before space or the end */
        if (words > 0 &&
            (ch == '\r' || ch == '\n' ||
             (ch == '.' && (msg[i + 1] == '\0' || msg[i + 1] == ' ' ||
                            msg[i + 1] == '\r' || msg[i + 1] == '\n' ||
                            msg[i + 1] == '%'))))
            break;
        in_word = false;
        i++;
    }
    if (size)
        out[len < size ? len : size - 1] = '\0';
    return len;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return m <= n && memcmp(s + n - m, suffix, m) == 0;
}

const char *cat_manifest_event_name(const char *task, const char *opcode,
                                    uint16_t opcode_value, const char *message,
                                    uint16_t id, ew_arena *a)
{
    const char *t = task && *task ? task : NULL;
    const char *o = opcode_value != 0 && opcode && *opcode ? opcode : NULL;
    if (o && strncmp(o, "win:", 4) != 0)
        return o; /* a manifest's own opcode: named after the event */
    if (o)
        o = *(o + 4) ? o + 4 : NULL;
    if (t && o) {
        if (ends_with(t, o))
            return t;
        size_t nt = strlen(t), no = strlen(o);
        char *s = ew_arena_alloc(a, nt + no + 1);
        if (!s)
            return NULL;
        memcpy(s, t, nt);
        memcpy(s + nt, o, no + 1);
        return s;
    }
    if (t)
        return t;
    if (message) {
        char buf[256];
        size_t n = name_from_message(message, buf, sizeof buf);
        if (n > 0)
            return ew_arena_strndup(a, buf, n);
    }
    return aprintf(a, "Event%u", id);
}

/* ==== manifest =========================================================== */

/* The name of a record: its own name string, else its message text. */
static const char *rec_name(const char *name, uint32_t message_id,
                            const msgtab *t)
{
    if (name && *name)
        return name;
    if (t && message_id != WEVT_NO_MESSAGE) {
        const char *s = msgtab_find(t, message_id);
        if (s && *s)
            return s;
    }
    return NULL;
}

typedef struct mf_ctx {
    builder *b;
    const wevt_provider *p;
    const wevt_template *t;
    const msgtab *msgs;
    ew_vec fields; /* cat_field, reused per event */
} mf_ctx;

/* "N" or the name of field index i (a count or length field). */
static const char *mf_ref(mf_ctx *m, bool fixed, bool param, uint16_t v)
{
    if (fixed)
        return aprintf(m->b->a, "%u", v);
    if (param) {
        if (v < m->t->n_fields && m->t->fields[v].name)
            return m->t->fields[v].name;
        return aprintf(m->b->a, "field%u", v);
    }
    return NULL;
}

/* Appends field i of the template and, for a struct, its members. */
static ew_status mf_field(mf_ctx *m, size_t i, unsigned depth)
{
    const wevt_field *f = &m->t->fields[i];
    cat_field *cf = ew_vec_push(&m->fields, m->b->a);
    if (!cf)
        return nomem(m->b, "manifest fields");
    size_t at = m->fields.n - 1;
    cf->name = f->name ? f->name : f->xml_name;
    bool is_struct = (f->flags & WEVT_FIELD_STRUCT) != 0;
    cf->in_raw = f->in_type;
    cf->out_raw = f->out_type;
    cf->in_type = is_struct ? "struct" : wevt_in_type_name(f->in_type);
    const char *out = wevt_out_type_name(f->out_type);
    cf->out_type = *out ? out : NULL;
    cf->count = mf_ref(m, f->flags & WEVT_FIELD_FIXED_COUNT,
                       f->flags & WEVT_FIELD_PARAM_COUNT, f->count);
    cf->length = mf_ref(m, f->flags & WEVT_FIELD_FIXED_LENGTH,
                        f->flags & WEVT_FIELD_PARAM_LENGTH, f->length);
    cf->map = f->map ? f->map->name : NULL;
    cf->depth = (uint8_t)depth;
    if (is_struct && depth + 1 < CAT_MAX_FIELD_DEPTH) {
        uint16_t n = 0;
        /* struct_first > i (wevt.h), so the walk only moves forward */
        for (size_t k = 0; k < f->struct_count; k++) {
            size_t j = (size_t)f->struct_first + k;
            if (j <= i || j >= m->t->n_fields)
                break;
            EW_TRY(mf_field(m, j, depth + 1));
            n++;
        }
        EW_VEC_AT(&m->fields, cat_field, at)->n_members = n;
    }
    return EW_OK;
}

static ew_status mf_event(mf_ctx *m, const wevt_event *we, int32_t prov,
                          uint32_t wevt_rva)
{
    builder *b = m->b;
    const wevt_provider *p = m->p;
    cat_event *e = push_event(b, CAT_KIND_MANIFEST, prov);
    if (!e)
        return nomem(b, "manifest events");
    e->has_id = e->has_version = true;
    e->id = we->id;
    e->version = we->version;

    /* the descriptor's values are always there; names when the manifest
     * defines or references them */
    e->channel.present = e->level.present = e->opcode.present =
        e->task.present = true;
    e->channel.value = we->channel;
    const wevt_channel *ch =
        we->channel_rec ? we->channel_rec
                        : (we->channel ? wevt_find_channel(p, we->channel)
                                       : NULL);
    e->channel.name = ch ? rec_name(ch->name, ch->message_id, m->msgs) : NULL;
    if (!e->channel.name && we->channel)
        e->channel.name = std_channel(we->channel);

    e->level.value = we->level;
    const wevt_level *lv =
        we->level_rec ? we->level_rec
                      : (we->level ? wevt_find_level(p, we->level) : NULL);
    e->level.name = lv ? rec_name(lv->name, lv->message_id, m->msgs) : NULL;
    if (!e->level.name && (we->level || we->level_off))
        e->level.name = std_level(we->level);

    e->task.value = we->task;
    const wevt_task *tk =
        we->task_rec ? we->task_rec
                     : (we->task ? wevt_find_task(p, we->task) : NULL);
    e->task.name = tk ? rec_name(tk->name, tk->message_id, m->msgs) : NULL;

    e->opcode.value = we->opcode;
    const wevt_opcode *op =
        we->opcode_rec ? we->opcode_rec
                       : (we->opcode ? wevt_find_opcode(p, we->task, we->opcode)
                                     : NULL);
    e->opcode.name = op ? rec_name(op->name, op->message_id, m->msgs) : NULL;
    if (!e->opcode.name && (we->opcode || we->opcode_off))
        e->opcode.name = std_opcode(we->opcode);

    e->has_keyword = true;
    e->keyword = we->keywords;
    kw_names kw = {.left = we->keywords};
    if (we->n_keyword_recs) {
        for (size_t i = 0; i < we->n_keyword_recs; i++) {
            const wevt_keyword *k = we->keyword_recs[i];
            if (!k || !(kw.left & k->mask))
                continue;
            kw_add(&kw, rec_name(k->name, k->message_id, m->msgs));
            kw.left &= ~k->mask;
        }
    } else {
        /* no list of the event's keyword records: the provider's keywords
         * whose bits the event has */
        for (size_t i = 0; i < p->n_keywords; i++) {
            const wevt_keyword *k = &p->keywords[i];
            if (!k->mask || (k->mask & ~we->keywords) || !(kw.left & k->mask))
                continue;
            const char *n = rec_name(k->name, k->message_id, m->msgs);
            if (!n)
                continue;
            kw_add(&kw, n);
            kw.left &= ~k->mask;
        }
    }
    /* The top byte holds one bit per channel: mc gives the i-th channel
     * of the CHAN element bit 63 - i, and ETW routes on it. Verified on
     * every corpus manifest: each of the 591 events with a channel in
     * ci.dll, dhcpssvc.dll, fltMgr.sys, win32kbase.sys, amsi.dll and
     * dxgkrnl.sys has its channel's bit set, and the fixtures' truth.json
     * (mc's keyword_bit per channel) agrees. */
    for (unsigned bit = 63; bit >= 56; bit--) {
        size_t idx = 63 - bit;
        uint64_t mask = 1ull << bit;
        if (!(kw.left & mask) || idx >= p->n_channels)
            continue;
        const wevt_channel *pc = &p->channels[idx];
        const char *n = rec_name(pc->name, pc->message_id, m->msgs);
        if (n) {
            kw_add(&kw, n);
            kw.left &= ~mask;
        }
    }
    EW_TRY(kw_finish(b, &kw, win_keywords,
                     sizeof win_keywords / sizeof *win_keywords, e));

    e->message_id = we->message_id;
    if (m->msgs && we->message_id != WEVT_NO_MESSAGE)
        e->message = msgtab_find(m->msgs, we->message_id);

    e->fields_known = we->template_off == 0 || we->tmpl != NULL;
    if (we->tmpl) {
        m->t = we->tmpl;
        ew_vec_init(&m->fields, sizeof(cat_field));
        for (size_t i = 0; i < we->tmpl->n_top; i++)
            EW_TRY(mf_field(m, i, 0));
        e->fields = m->fields.items;
        e->n_fields = m->fields.n;
    }

    e->name = cat_manifest_event_name(e->task.name, e->opcode.name,
                                      we->opcode, e->message, we->id, b->a);
    if (!e->name)
        return nomem(b, "event names");
    if (we->off <= UINT32_MAX - wevt_rva) {
        e->has_source_rva = true;
        e->source_rva = wevt_rva + we->off;
    }
    return EW_OK;
}

/* The image's message table: the en-US (0x409) one when there are
 * several languages, else the first. NULL when none or unusable (then a
 * warning says why). */
static ew_status load_msgtab(builder *b, const pe_image *img,
                             const msgtab **out)
{
    *out = NULL;
    size_t n;
    const pe_resource *r = pe_find_resource(img, PE_RT_MESSAGETABLE, NULL, &n);
    if (!r)
        return EW_OK;
    for (size_t i = 0; i < n; i++) {
        if (r[i].lang == 0x409) {
            r = &r[i];
            break;
        }
    }
    size_t off;
    if (pe_rva_to_off(img, r->data_rva, r->size, &off) != EW_OK)
        return warn(b, "RT_MESSAGETABLE resource at RVA 0x%x: %u bytes not "
                       "in the file; messages not resolved",
                    r->data_rva, r->size);
    msgtab *t = ew_arena_alloc(b->a, sizeof *t);
    if (!t)
        return nomem(b, "message table");
    ew_diag md;
    ew_diag_init(&md, NULL);
    ew_status s = msgtab_parse(t, img->data + off, r->size, off, b->a, &md);
    if (s == EW_E_NOMEM)
        return nomem(b, "message table");
    if (s != EW_OK) {
        EW_TRY(warn_diag(b, &md));
        return warn(b, "RT_MESSAGETABLE unusable: messages not resolved");
    }
    *out = t;
    return EW_OK;
}

static ew_status add_manifest(builder *b, cat_catalog *c, const pe_image *img)
{
    size_t n;
    /* Every corpus image has one WEVT_TEMPLATE leaf; with several
     * languages the first is used (the template is language-neutral). */
    const pe_resource *r = pe_find_resource(img, 0, "WEVT_TEMPLATE", &n);
    if (!r)
        return EW_OK;
    size_t off;
    if (pe_rva_to_off(img, r->data_rva, r->size, &off) != EW_OK)
        return warn(b, "WEVT_TEMPLATE resource at RVA 0x%x: %u bytes not in "
                       "the file; manifest skipped",
                    r->data_rva, r->size);
    wevt_manifest *m = ew_arena_alloc(b->a, sizeof *m);
    if (!m)
        return nomem(b, "manifest");
    ew_diag wd;
    ew_diag_init(&wd, NULL);
    ew_status s = wevt_parse(m, img->data + off, r->size, off, b->a, &wd);
    if (s == EW_E_NOMEM)
        return nomem(b, "manifest");
    if (s != EW_OK) {
        EW_TRY(warn_diag(b, &wd));
        return warn(b, "WEVT_TEMPLATE unusable: manifest skipped");
    }
    for (size_t i = 0; i < m->n_warnings; i++) {
        const wevt_warning *w = &m->warnings[i];
        if (w->detail && *w->detail)
            EW_TRY(warn(b, "%s at 0x%" PRIx64 ": %s (%s)", w->what, w->off,
                        ew_status_str(w->status), w->detail));
        else
            EW_TRY(warn(b, "%s at 0x%" PRIx64 ": %s", w->what, w->off,
                        ew_status_str(w->status)));
    }
    b->n_dropped += m->n_warnings_dropped;

    const msgtab *msgs;
    EW_TRY(load_msgtab(b, img, &msgs));
    c->manifest = m;
    c->manifest_rva = r->data_rva;
    c->messages = msgs;

    mf_ctx mc = {.b = b, .msgs = msgs};
    for (size_t i = 0; i < m->n_providers; i++) {
        const wevt_provider *p = &m->providers[i];
        bool has_rva = p->off <= UINT32_MAX - r->data_rva;
        if (!push_provider(b, CAT_KIND_MANIFEST, p->guid,
                           rec_name(p->name, p->message_id, msgs),
                           "WEVT_TEMPLATE", has_rva,
                           has_rva ? r->data_rva + p->off : 0))
            return nomem(b, "providers");
        int32_t idx = (int32_t)(b->providers.n - 1);
        mc.p = p;
        for (size_t k = 0; k < p->n_events; k++)
            EW_TRY(mf_event(&mc, &p->events[k], idx, r->data_rva));
    }
    return EW_OK;
}

/* ==== TraceLogging ======================================================= */

/* TDH-style name of a TraceLogging OutType (TlgOut_t, FORMATS.md §1.8),
 * so one vocabulary serves both kinds. Values below 32 are not the TDH
 * numbers; HEX, SIGNED and UNSIGNED take their width from the InType. */
static const char *tlg_out_name(uint8_t out, uint8_t in)
{
    enum { W8, W16, W32, W64, WBIN, WNONE } w = WNONE;
    switch (in) {
    case 3: case 4: w = W8; break;                /* INT8, UINT8 */
    case 5: case 6: w = W16; break;               /* INT16, UINT16 */
    case 7: case 8: case 13: case 20: w = W32; break; /* ..., BOOL32, HEXINT32 */
    case 9: case 10: case 21: w = W64; break;     /* INT64, UINT64, HEXINT64 */
    case 14: case 25: w = WBIN; break;            /* BINARY, COUNTEDBINARY */
    default: break;
    }
    static const char *const hex[] = {"win:HexInt8", "win:HexInt16",
                                      "win:HexInt32", "win:HexInt64",
                                      "xs:hexBinary"};
    static const char *const sgn[] = {"xs:byte", "xs:short", "xs:int",
                                      "xs:long"};
    static const char *const uns[] = {"xs:unsignedByte", "xs:unsignedShort",
                                      "xs:unsignedInt", "xs:unsignedLong"};
    switch (out) {
    case 0: return NULL;
    case 1: return "win:NoPrint";
    case 2: return "xs:string";
    case 3: return "xs:boolean";
    case 4: return w != WNONE ? hex[w] : "win:HexInt32";
    case 5: return "win:PID";
    case 6: return "win:TID";
    case 7: return "win:Port";
    case 8: return "win:IPv4";
    case 9: return "win:IPv6";
    case 10: return "win:SocketAddress";
    case 11: return "win:Xml";
    case 12: return "win:Json";
    case 13: return "win:Win32Error";
    case 14: return "win:NTSTATUS";
    case 15: return "win:HResult";
    case 16: return "xs:dateTime";
    case 17: return w <= W64 ? sgn[w] : "xs:int";
    case 18: return w <= W64 ? uns[w] : "xs:unsignedInt";
    default: break;
    }
    if (out >= 32) {
        const char *n = wevt_out_type_name(out);
        if (*n)
            return n;
    }
    return tlg_out_type_name(out);
}

static ew_status tlg_fields(builder *b, const tlg_event *te, cat_event *e)
{
    e->fields_known = true;
    if (te->n_fields == 0)
        return EW_OK;
    cat_field *f = ew_arena_array(b->a, te->n_fields, sizeof *f);
    if (!f)
        return nomem(b, "TraceLogging fields");
    for (size_t i = 0; i < te->n_fields; i++) {
        const tlg_field *tf = &te->fields[i];
        f[i].name = tf->name;
        f[i].in_raw = tf->in_raw;
        f[i].out_raw = tf->out_raw;
        f[i].depth = tf->depth;
        if (tf->in_type == TLG_IN_STRUCT && tf->count_kind != TLG_COUNT_CUSTOM) {
            f[i].in_type = "struct";
            f[i].n_members = tf->n_members;
        } else if (tf->count_kind == TLG_COUNT_CUSTOM) {
            f[i].in_type = "custom";
        } else {
            /* TlgIn values 0..25 are the TDH numbers (FORMATS.md §1.8) */
            f[i].in_type = wevt_in_type_name(tf->in_type);
            f[i].out_type = tf->has_out ? tlg_out_name(tf->out_type,
                                                       tf->in_type)
                                        : NULL;
        }
        if (tf->count_kind == TLG_COUNT_CONST)
            f[i].count = aprintf(b->a, "%u", tf->value_count);
        else if (tf->count_kind == TLG_COUNT_VAR)
            f[i].count = "";
    }
    e->fields = f;
    e->n_fields = te->n_fields;
    return EW_OK;
}

static ew_status add_tracelogging(builder *b, const pe_image *img)
{
    tlg_catalog *t = ew_arena_alloc(b->a, sizeof *t);
    if (!t)
        return nomem(b, "TraceLogging");
    ew_diag td;
    ew_diag_init(&td, NULL);
    ew_status s = tlg_parse(t, img, b->a, &td);
    if (s == EW_E_NOMEM)
        return nomem(b, "TraceLogging");
    if (s != EW_OK) {
        EW_TRY(warn_diag(b, &td));
        return warn(b, "TraceLogging metadata unusable: skipped");
    }
    if (!t->has_header)
        return EW_OK;
    for (size_t i = 0; i < t->n_warnings; i++)
        EW_TRY(warn_diag(b, &t->warnings[i].diag));
    b->n_dropped += t->n_warnings_dropped;

    for (size_t i = 0; i < t->n_providers; i++) {
        const tlg_provider *tp = &t->providers[i];
        cat_provider *p = push_provider(
            b, CAT_KIND_TRACELOGGING,
            tp->guid_source == TLG_GUID_UNKNOWN ? NULL : tp->guid, tp->name,
            tp->blob_type == TLG_BLOB_PROVIDER ? "ETW0 Provider blob"
                                               : "ETW0 Provider3 blob",
            true, tp->rva);
        if (!p)
            return nomem(b, "providers");
        p->has_group = tp->has_group;
        memcpy(p->group_guid, tp->group_guid, 16);
    }
    for (size_t i = 0; i < t->n_events; i++) {
        const tlg_event *te = &t->events[i];
        /* no provider: see cat_build in catalog.h */
        cat_event *e = push_event(b, CAT_KIND_TRACELOGGING, -1);
        if (!e)
            return nomem(b, "TraceLogging events");
        e->has_id = e->has_version = te->has_id;
        e->id = te->id;
        e->version = te->version;
        e->name = te->name ? te->name : "";
        e->channel = (cat_value){true, te->channel, std_channel(te->channel)};
        e->level = (cat_value){true, te->level, std_level(te->level)};
        e->opcode = (cat_value){true, te->opcode,
                                te->opcode ? std_opcode(te->opcode) : NULL};
        e->task = (cat_value){true, te->task, NULL};
        e->has_keyword = true;
        e->keyword = te->keyword;
        kw_names kw = {.left = te->keyword};
        EW_TRY(kw_finish(b, &kw, tlg_keywords,
                         sizeof tlg_keywords / sizeof *tlg_keywords, e));
        EW_TRY(tlg_fields(b, te, e));
        e->has_source_rva = true;
        e->source_rva = te->rva;
        e->blob_type = te->blob_type;
        e->tags = te->tags;
    }
    return EW_OK;
}

/* ==== WPP ================================================================ */

/*
 * TMF annotation strings (FORMATS.md §4.6), as tracewpp emits them:
 *   [0] "TMF:"
 *   [1] "<message GUID> <component> // SRC=<file> MJ=.. MN=.."
 *   [2] "#typev <MsgName> <MsgNo> \"<format>\" // <indent> LEVEL=.. FLAGS=.. FUNC=.."
 *   [3] "{", then "<argName>, <MofType> -- <argNo>" per argument, "}"
 * TMC annotation: "TMC:", control GUID, control name, flag names (bit i =
 * the i-th name, as WPP_DEFINE_BIT numbers them).
 */

static bool hexval(char ch, unsigned *v)
{
    if (ch >= '0' && ch <= '9')
        *v = (unsigned)(ch - '0');
    else if (ch >= 'a' && ch <= 'f')
        *v = (unsigned)(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F')
        *v = (unsigned)(ch - 'A' + 10);
    else
        return false;
    return true;
}

/* "8-4-4-4-12" text (optionally in braces) at s into in-memory GUID order;
 * *len receives the characters used. */
static bool parse_guid(const char *s, uint8_t out[16], size_t *len)
{
    size_t i = 0;
    bool brace = s[0] == '{';
    if (brace)
        i++;
    uint8_t text[16]; /* bytes in text order */
    size_t nb = 0;
    static const size_t dash_after[] = {4, 6, 8, 10}; /* bytes */
    size_t next_dash = 0;
    while (nb < 16) {
        if (next_dash < 4 && nb == dash_after[next_dash]) {
            if (s[i] != '-')
                return false;
            i++;
            next_dash++;
        }
        unsigned hi, lo;
        if (!hexval(s[i], &hi) || !hexval(s[i + 1], &lo))
            return false;
        text[nb++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    if (brace) {
        if (s[i] != '}')
            return false;
        i++;
    }
    /* Data1, Data2, Data3 are little-endian in memory */
    out[0] = text[3]; out[1] = text[2]; out[2] = text[1]; out[3] = text[0];
    out[4] = text[5]; out[5] = text[4];
    out[6] = text[7]; out[7] = text[6];
    memcpy(out + 8, text + 8, 8);
    *len = i;
    return true;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A copy of [s, e) without surrounding blanks. */
static const char *trimmed(builder *b, const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return adup(b, s, (size_t)(e - s));
}

/* The value of "KEY=" among the blank-separated words of comment, copied;
 * NULL when absent. */
static const char *comment_value(builder *b, const char *comment,
                                 const char *key)
{
    size_t kl = strlen(key);
    for (const char *s = comment; s && *s;) {
        s = skip_ws(s);
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        if ((size_t)(e - s) > kl && memcmp(s, key, kl) == 0)
            return adup(b, s + kl, (size_t)(e - s - kl));
        s = e;
    }
    return NULL;
}

typedef struct wpp_control {
    uint8_t guid[16];
    const char *name;
    const char *flags[CAT_MAX_WPP_FLAGS];
    size_t n_flags;
    int32_t provider;
} wpp_control;

/* The bit of flag name in control k, or -1. */
static int control_bit(const wpp_control *k, const char *name, size_t n)
{
    for (size_t i = 0; i < k->n_flags; i++)
        if (strlen(k->flags[i]) == n && memcmp(k->flags[i], name, n) == 0)
            return (int)i;
    return -1;
}

static ew_status wpp_level(builder *b, const char *text, cat_event *e)
{
    static const struct {
        const char *name;
        uint32_t value;
    } levels[] = {
        {"TRACE_LEVEL_NONE", 0},     {"TRACE_LEVEL_CRITICAL", 1},
        {"TRACE_LEVEL_FATAL", 1},    {"TRACE_LEVEL_ERROR", 2},
        {"TRACE_LEVEL_WARNING", 3},  {"TRACE_LEVEL_INFORMATION", 4},
        {"TRACE_LEVEL_VERBOSE", 5},
    };
    if (!text || !*text)
        return EW_OK;
    e->level.name = text;
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
        if (strcmp(text, levels[i].name) == 0) {
            e->level.present = true;
            e->level.value = levels[i].value;
            return EW_OK;
        }
    }
    char *end;
    unsigned long v = strtoul(text, &end, 0);
    if (*end == '\0' && v <= 255) {
        e->level.present = true;
        e->level.value = (uint32_t)v;
        e->level.name = NULL;
    }
    return EW_OK;
}

/* FLAGS=A|B (or A,B) -> keyword bits of control k and names. */
static ew_status wpp_flags(builder *b, const char *text, const wpp_control *k,
                           cat_event *e)
{
    if (!text || !*text)
        return EW_OK;
    const char *names[CAT_MAX_WPP_FLAGS];
    size_t n = 0;
    uint64_t bits = 0;
    bool all_known = k != NULL;
    for (const char *s = text; *s && n < CAT_MAX_WPP_FLAGS;) {
        const char *end = s;
        while (*end && *end != '|' && *end != ',')
            end++;
        if (end > s) {
            names[n] = adup(b, s, (size_t)(end - s));
            if (!names[n])
                return nomem(b, "WPP flags");
            int bit = k ? control_bit(k, s, (size_t)(end - s)) : -1;
            if (bit < 0)
                all_known = false;
            else
                bits |= 1ull << bit;
            n++;
        }
        s = *end ? end + 1 : end;
    }
    if (n == 0)
        return EW_OK;
    const char **arr = ew_arena_array(b->a, n, sizeof *arr);
    if (!arr)
        return nomem(b, "WPP flags");
    memcpy(arr, names, n * sizeof *arr);
    e->keyword_names = arr;
    e->n_keyword_names = n;
    if (all_known) {
        e->has_keyword = true;
        e->keyword = bits;
    }
    return EW_OK;
}

/* The control whose flags include the first FLAGS name; else the only
 * control; else NULL. */
static const wpp_control *pick_control(const wpp_control *ks, size_t n,
                                       const char *flags)
{
    if (flags && *flags) {
        size_t len = strcspn(flags, "|,");
        for (size_t i = 0; i < n; i++)
            if (control_bit(&ks[i], flags, len) >= 0)
                return &ks[i];
    }
    return n == 1 ? &ks[0] : NULL;
}

static ew_status wpp_args(builder *b, const pdb_annotation *an, size_t first,
                          cat_event *e)
{
    size_t n = 0;
    for (size_t i = first; i < an->n_strings && strcmp(an->strings[i], "}"); i++)
        n++;
    e->fields_known = true;
    if (n == 0)
        return EW_OK;
    cat_field *f = ew_arena_array(b->a, n, sizeof *f);
    if (!f)
        return nomem(b, "WPP arguments");
    for (size_t i = 0; i < n; i++) {
        const char *s = an->strings[first + i];
        const char *comma = strchr(s, ',');
        const char *end = s + strlen(s);
        const char *tail = strstr(s, "--");
        const char *slash = strstr(s, "//");
        if (!tail || (slash && slash < tail))
            tail = slash;
        if (!tail)
            tail = end;
        if (comma && comma < tail) {
            f[i].name = trimmed(b, s, comma);
            f[i].in_type = trimmed(b, comma + 1, tail);
        } else {
            f[i].name = trimmed(b, s, tail);
            f[i].in_type = "";
        }
        if (!f[i].name || !f[i].in_type)
            return nomem(b, "WPP arguments");
    }
    e->fields = f;
    e->n_fields = n;
    return EW_OK;
}

/* One TMF annotation into an event; a malformed one is a warning. */
static ew_status wpp_message(builder *b, const pdb_annotation *an,
                             const wpp_control *ks, size_t n_ks,
                             const uint8_t *msg_guid_seen, size_t n_seen,
                             uint8_t *msg_guid, uint16_t *msg_no, bool *added)
{
    *added = false;
    char where[64];
    if (an->has_rva)
        snprintf(where, sizeof where, "PDB TMF annotation at RVA 0x%x",
                 an->rva);
    else
        snprintf(where, sizeof where, "PDB TMF annotation (module %u)",
                 an->module);
    size_t glen;
    if (an->n_strings < 3 || !parse_guid(an->strings[1], msg_guid, &glen))
        return warn(b, "%s: no message GUID line", where);
    size_t ti = 2;
    while (ti < an->n_strings && strncmp(an->strings[ti], "#typev", 6) != 0)
        ti++;
    if (ti == an->n_strings)
        return warn(b, "%s: no #typev line", where);

    /* "#typev <name> <number> "<format>" // comment" */
    const char *s = skip_ws(an->strings[ti] + 6);
    const char *name_end = s;
    while (*name_end && *name_end != ' ' && *name_end != '\t')
        name_end++;
    const char *num = skip_ws(name_end);
    char *num_end;
    unsigned long number = strtoul(num, &num_end, 10);
    if (num_end == num || number > UINT16_MAX)
        return warn(b, "%s: bad message number in \"%.60s\"", where,
                    an->strings[ti]);
    for (size_t i = 0; i < n_seen; i++) {
        /* the same trace statement seen again (an inlined or duplicated
         * call site): the catalog lists it once, at its first RVA */
        const uint8_t *seen = msg_guid_seen + i * 18;
        if (memcmp(seen, msg_guid, 16) == 0 &&
            (uint16_t)(seen[16] | seen[17] << 8) == (uint16_t)number)
            return EW_OK;
    }
    const char *q1 = strchr(num_end, '"');
    const char *q2 = q1 ? strrchr(q1 + 1, '"') : NULL;
    const char *comment = strstr(q2 ? q2 + 1 : num_end, "//");
    const char *flags = comment ? comment_value(b, comment + 2, "FLAGS=") : NULL;
    const wpp_control *k = pick_control(ks, n_ks, flags);

    /* component: the word after the GUID on line [1] */
    const char *comp = skip_ws(an->strings[1] + glen);
    const char *comp_end = comp;
    while (*comp_end && *comp_end != ' ' && *comp_end != '\t')
        comp_end++;
    const char *component =
        comp_end > comp && strncmp(comp, "//", 2) != 0
            ? adup(b, comp, (size_t)(comp_end - comp))
            : NULL;

    int32_t prov;
    if (k) {
        prov = k->provider;
    } else {
        /* no control names this message's flags: the message GUID stands
         * for the provider (it is what the trace carries, and what TMF
         * files are looked up by) */
        prov = -1;
        for (size_t i = 0; i < b->providers.n; i++) {
            const cat_provider *p = EW_VEC_AT(&b->providers, cat_provider, i);
            if (p->kind == CAT_KIND_WPP && p->has_guid &&
                memcmp(p->guid, msg_guid, 16) == 0) {
                prov = (int32_t)i;
                break;
            }
        }
        if (prov < 0) {
            if (!push_provider(b, CAT_KIND_WPP, msg_guid, component,
                               "PDB TMF annotation", an->has_rva, an->rva))
                return nomem(b, "providers");
            prov = (int32_t)(b->providers.n - 1);
        }
    }

    cat_event *e = push_event(b, CAT_KIND_WPP, prov);
    if (!e)
        return nomem(b, "WPP events");
    e->has_id = true;
    e->id = (uint16_t)number;
    e->name = adup(b, s, (size_t)(name_end - s));
    if (q1 && q2)
        e->message = adup(b, q1 + 1, (size_t)(q2 - q1 - 1));
    memcpy(e->message_guid, msg_guid, 16);
    e->component = component;
    if (comment) {
        e->function = comment_value(b, comment + 2, "FUNC=");
        EW_TRY(wpp_level(b, comment_value(b, comment + 2, "LEVEL="), e));
    }
    EW_TRY(wpp_flags(b, flags, k, e));
    e->has_source_rva = an->has_rva;
    e->source_rva = an->rva;
    size_t open = ti + 1;
    while (open < an->n_strings && strcmp(an->strings[open], "{") != 0)
        open++;
    if (open < an->n_strings)
        EW_TRY(wpp_args(b, an, open + 1, e));
    if (!e->name)
        return nomem(b, "WPP events");
    *msg_no = (uint16_t)number;
    *added = true;
    return EW_OK;
}

static ew_status add_wpp(builder *b, const pdb_file *pdb)
{
    if (!pdb || pdb->n_annotations == 0)
        return EW_OK;
    size_t n_tmc = 0, n_tmf = 0;
    for (size_t i = 0; i < pdb->n_annotations; i++) {
        const pdb_annotation *an = &pdb->annotations[i];
        if (an->n_strings == 0)
            continue;
        if (strcmp(an->strings[0], "TMC:") == 0)
            n_tmc++;
        else if (strcmp(an->strings[0], "TMF:") == 0)
            n_tmf++;
    }
    if (n_tmf == 0 && n_tmc == 0)
        return EW_OK;
    wpp_control *ks = n_tmc ? ew_arena_array(b->a, n_tmc, sizeof *ks) : NULL;
    if (n_tmc && !ks)
        return nomem(b, "WPP controls");
    size_t nk = 0;
    for (size_t i = 0; i < pdb->n_annotations; i++) {
        const pdb_annotation *an = &pdb->annotations[i];
        if (an->n_strings == 0 || strcmp(an->strings[0], "TMC:") != 0)
            continue;
        wpp_control *k = &ks[nk];
        size_t glen;
        if (an->n_strings < 2 || !parse_guid(an->strings[1], k->guid, &glen) ||
            an->strings[1][glen] != '\0') {
            EW_TRY(warn(b, "PDB TMC annotation at RVA 0x%x: no control GUID",
                        an->rva));
            continue;
        }
        /* one control GUID defined twice (WPP_INIT_TRACING in two files)
         * is one provider */
        bool dup = false;
        for (size_t j = 0; j < nk; j++)
            dup = dup || memcmp(ks[j].guid, k->guid, 16) == 0;
        if (dup)
            continue;
        k->name = an->n_strings > 2 ? an->strings[2] : NULL;
        for (size_t j = 3; j < an->n_strings && k->n_flags < CAT_MAX_WPP_FLAGS;
             j++)
            k->flags[k->n_flags++] = an->strings[j];
        if (an->n_strings > 3 + CAT_MAX_WPP_FLAGS)
            EW_TRY(warn(b, "PDB TMC annotation at RVA 0x%x: %u flags, only "
                           "the first %d have bits",
                        an->rva, an->n_strings - 3, CAT_MAX_WPP_FLAGS));
        if (!push_provider(b, CAT_KIND_WPP, k->guid, k->name,
                           "PDB TMC annotation", an->has_rva, an->rva))
            return nomem(b, "providers");
        k->provider = (int32_t)(b->providers.n - 1);
        nk++;
    }
    /* (message GUID, number) pairs already listed: 18 bytes each */
    uint8_t *seen = n_tmf ? ew_arena_array(b->a, n_tmf, 18) : NULL;
    if (n_tmf && !seen)
        return nomem(b, "WPP messages");
    size_t n_seen = 0;
    for (size_t i = 0; i < pdb->n_annotations; i++) {
        const pdb_annotation *an = &pdb->annotations[i];
        if (an->n_strings == 0 || strcmp(an->strings[0], "TMF:") != 0)
            continue;
        uint8_t guid[16];
        uint16_t no = 0;
        bool added;
        EW_TRY(wpp_message(b, an, ks, nk, seen, n_seen, guid, &no, &added));
        if (added) {
            memcpy(seen + n_seen * 18, guid, 16);
            seen[n_seen * 18 + 16] = (uint8_t)no;
            seen[n_seen * 18 + 17] = (uint8_t)(no >> 8);
            n_seen++;
        }
    }
    return EW_OK;
}

/* ==== legacy kernel ====================================================== */

ew_status cat_legacy_kernel_event(cat_event *ev, uint16_t hook_id,
                                  const uint32_t *group_mask, ew_arena *a,
                                  ew_diag *d)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = CAT_KIND_LEGACY_KERNEL;
    ev->provider = -1;
    ev->has_id = true;
    ev->id = hook_id;
    const char *name = lk_hook_name(hook_id);
    ev->name = name ? name : "";
    const lk_trace_group *g = lk_hook_group(hook_id);
    ev->task = (cat_value){true, hook_id >> 8, g ? g->name : NULL};
    ev->opcode = (cat_value){true, hook_id & 0xFFu, NULL};
    ev->message_id = WEVT_NO_MESSAGE;
    if (!group_mask)
        return EW_OK;
    ev->has_keyword = true;
    ev->keyword = *group_mask;
    char buf[1024];
    size_t len = lk_group_mask_names(*group_mask, buf, sizeof buf);
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '|';
    const char **arr = ew_arena_array(a, n, sizeof *arr);
    char *copy = ew_arena_strndup(a, buf, len);
    if (!arr || !copy)
        return ew_fail(d, EW_E_NOMEM, "legacy kernel event", -1,
                       "catalog arena exhausted");
    size_t k = 0;
    for (char *s = copy;;) {
        char *bar = strchr(s, '|');
        if (bar)
            *bar = '\0';
        arr[k++] = s;
        if (!bar)
            break;
        s = bar + 1;
    }
    ev->keyword_names = arr;
    ev->n_keyword_names = k;
    return EW_OK;
}

/* ==== sorting and the finished catalog =================================== */

static int cmp_str(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL); /* absent first */
    return strcmp(a, b);
}

static int cmp_u(uint64_t a, uint64_t b) { return (a > b) - (a < b); }

typedef struct prov_key {
    const cat_provider *p;
    size_t old;
} prov_key;

static int cmp_provider(const void *x, const void *y)
{
    const prov_key *a = x, *b = y;
    int r = cmp_u(a->p->kind, b->p->kind);
    if (!r)
        r = cmp_u(a->p->has_guid, b->p->has_guid);
    if (!r)
        r = strcmp(a->p->guid_text, b->p->guid_text);
    if (!r)
        r = cmp_str(a->p->name, b->p->name);
    if (!r)
        r = cmp_u(a->p->has_source_rva ? a->p->source_rva + 1ull : 0,
                  b->p->has_source_rva ? b->p->source_rva + 1ull : 0);
    if (!r)
        r = cmp_u(a->old, b->old);
    return r;
}

typedef struct ev_key {
    const cat_event *e;
    const char *guid; /* provider GUID text, NULL when none */
} ev_key;

static int cmp_event(const void *x, const void *y)
{
    const ev_key *ka = x, *kb = y;
    const cat_event *a = ka->e, *b = kb->e;
    int r = cmp_u(a->kind, b->kind);
    if (!r)
        r = cmp_str(ka->guid, kb->guid);
    if (!r)
        r = cmp_u(a->has_id ? a->id + 1u : 0, b->has_id ? b->id + 1u : 0);
    if (!r)
        r = cmp_u(a->has_version ? a->version + 1u : 0,
                  b->has_version ? b->version + 1u : 0);
    if (!r)
        r = cmp_str(a->name, b->name);
    if (!r)
        r = cmp_u(a->has_source_rva ? a->source_rva + 1ull : 0,
                  b->has_source_rva ? b->source_rva + 1ull : 0);
    if (!r)
        r = cmp_u(a->input_index, b->input_index);
    return r;
}

static int cmp_by_rva(const void *a, const void *b)
{
    const cat_event *x = *(const cat_event *const *)a;
    const cat_event *y = *(const cat_event *const *)b;
    if (x->source_rva != y->source_rva)
        return x->source_rva < y->source_rva ? -1 : 1;
    return x < y ? -1 : x > y; /* catalog order among equals */
}

/* c->by_rva: the events with a source RVA, sorted by it. */
static ew_status index_by_rva(builder *b, cat_catalog *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_events; i++)
        n += c->events[i].has_source_rva;
    c->by_rva = ew_arena_array(b->a, n ? n : 1, sizeof *c->by_rva);
    if (!c->by_rva)
        return nomem(b, "catalog index");
    for (size_t i = 0; i < c->n_events; i++)
        if (c->events[i].has_source_rva)
            c->by_rva[c->n_by_rva++] = &c->events[i];
    qsort(c->by_rva, c->n_by_rva, sizeof *c->by_rva, cmp_by_rva);
    return EW_OK;
}

static ew_status finish(builder *b, cat_catalog *c)
{
    size_t np = b->providers.n, ne = b->events.n;
    cat_provider *ps = b->providers.items;
    cat_event *es = b->events.items;

    /* providers, and the map from old to new index */
    prov_key *pk = np ? ew_arena_array(b->a, np, sizeof *pk) : NULL;
    int32_t *remap = np ? ew_arena_array(b->a, np, sizeof *remap) : NULL;
    cat_provider *sp = np ? ew_arena_array(b->a, np, sizeof *sp) : NULL;
    if (np && (!pk || !remap || !sp))
        return nomem(b, "catalog sort");
    for (size_t i = 0; i < np; i++)
        pk[i] = (prov_key){&ps[i], i};
    if (np)
        qsort(pk, np, sizeof *pk, cmp_provider);
    for (size_t i = 0; i < np; i++) {
        sp[i] = *pk[i].p;
        sp[i].n_events = 0;
        remap[pk[i].old] = (int32_t)i;
    }

    ev_key *ek = ne ? ew_arena_array(b->a, ne, sizeof *ek) : NULL;
    cat_event *se = ne ? ew_arena_array(b->a, ne, sizeof *se) : NULL;
    if (ne && (!ek || !se))
        return nomem(b, "catalog sort");
    for (size_t i = 0; i < ne; i++) {
        cat_event *e = &es[i];
        if (e->provider >= 0 && (size_t)e->provider < np)
            e->provider = remap[e->provider];
        else
            e->provider = -1;
        const cat_provider *p = e->provider >= 0 ? &sp[e->provider] : NULL;
        ek[i] = (ev_key){e, p && p->has_guid ? p->guid_text : NULL};
    }
    if (ne)
        qsort(ek, ne, sizeof *ek, cmp_event);
    memset(c->n_by_kind, 0, sizeof c->n_by_kind);
    for (size_t i = 0; i < ne; i++) {
        se[i] = *ek[i].e;
        if (se[i].provider >= 0)
            sp[se[i].provider].n_events++;
        if ((unsigned)se[i].kind < CAT_KIND_COUNT)
            c->n_by_kind[se[i].kind]++;
    }
    c->providers = sp;
    c->n_providers = np;
    c->events = se;
    c->n_events = ne;
    EW_TRY(index_by_rva(b, c));
    c->warnings = b->warnings.items;
    c->n_warnings = b->warnings.n;
    c->n_warnings_dropped = b->n_dropped;
    return EW_OK;
}

static void builder_init(builder *b, ew_arena *a, ew_diag *d)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->d = d;
    ew_vec_init(&b->providers, sizeof(cat_provider));
    ew_vec_init(&b->events, sizeof(cat_event));
    ew_vec_init(&b->warnings, sizeof(const char *));
}

ew_status cat_build(cat_catalog *c, const pe_image *img, const pdb_file *pdb,
                    ew_arena *a, ew_diag *d)
{
    memset(c, 0, sizeof *c);
    builder b;
    builder_init(&b, a, d);
    cat_catalog tmp = {0};
    ew_status s = img ? add_manifest(&b, &tmp, img) : EW_OK;
    if (s == EW_OK && img)
        s = add_tracelogging(&b, img);
    if (s == EW_OK)
        s = add_wpp(&b, pdb);
    if (s == EW_OK)
        s = finish(&b, &tmp);
    if (s != EW_OK)
        return s;
    *c = tmp;
    return EW_OK;
}

ew_status cat_build_legacy_kernel(cat_catalog *c, ew_arena *a, ew_diag *d)
{
    memset(c, 0, sizeof *c);
    builder b;
    builder_init(&b, a, d);
    if (!push_provider(&b, CAT_KIND_LEGACY_KERNEL, NULL, "Windows Kernel Trace",
                       "ntwmi.h", false, 0))
        return nomem(&b, "providers");
    size_t n;
    const lk_hook *hooks = lk_table(&n);
    for (size_t i = 0; i < n; i++) {
        cat_event *e = push_event(&b, CAT_KIND_LEGACY_KERNEL, 0);
        if (!e)
            return nomem(&b, "legacy kernel events");
        size_t idx = e->input_index;
        EW_TRY(cat_legacy_kernel_event(e, hooks[i].id, NULL, a, d));
        e->provider = 0;
        e->input_index = idx;
    }
    cat_catalog tmp = {0};
    EW_TRY(finish(&b, &tmp));
    *c = tmp;
    return EW_OK;
}

/* ==== lookups ============================================================ */

const cat_provider *cat_find_provider(const cat_catalog *c, cat_kind kind,
                                      const uint8_t guid[16])
{
    for (size_t i = 0; i < c->n_providers; i++) {
        const cat_provider *p = &c->providers[i];
        if (p->kind == kind && p->has_guid && memcmp(p->guid, guid, 16) == 0)
            return p;
    }
    return NULL;
}

const cat_event *cat_find_event(const cat_catalog *c, cat_kind kind,
                                const uint8_t guid[16], uint16_t id,
                                uint8_t version)
{
    for (size_t i = 0; i < c->n_events; i++) {
        const cat_event *e = &c->events[i];
        const cat_provider *p = cat_event_provider(c, e);
        if (e->kind == kind && e->has_id && e->id == id &&
            (!e->has_version || e->version == version) && p && p->has_guid &&
            memcmp(p->guid, guid, 16) == 0)
            return e;
    }
    return NULL;
}

/* The first event (catalog order) whose source RVA is rva, or NULL. */
static const cat_event *event_at_rva(const cat_catalog *c, uint32_t rva)
{
    size_t lo = 0, hi = c->n_by_rva;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->by_rva[mid]->source_rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_by_rva && c->by_rva[lo]->source_rva == rva ? c->by_rva[lo]
                                                                 : NULL;
}

const cat_event *cat_find_event_rva(const cat_catalog *c, uint32_t rva)
{
    const cat_event *e = event_at_rva(c, rva);
    const cat_event *t = rva ? event_at_rva(c, rva - 1u) : NULL;
    if (t && t->kind != CAT_KIND_TRACELOGGING)
        t = NULL;
    if (e && t) /* both: the one first in catalog order, as a scan finds */
        return e < t ? e : t;
    return e ? e : t;
}
