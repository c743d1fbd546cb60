/*
 * manifest_xml.c - the reconstructed instrumentation manifest writer.
 *
 * Contract and conventions: manifest_xml.h. The document is written in one
 * forward pass per provider; references (an event's level, task, opcode,
 * channel, keywords, template; a field's map, count and length) are
 * resolved through the links wevt_parse made, falling back to lookups by
 * value and then to winmeta names or made-up definitions, so every name
 * an event uses is defined in the document or in winmeta.xml.
 *
 * Escaping is done by one function, put_text, which also repairs the
 * text: each byte that does not start a valid UTF-8 sequence (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) and each
 * character XML 1.0 forbids becomes U+FFFD. Comments go through
 * put_comment, which additionally keeps "--" out of them.
 */
#include "output/manifest_xml.h"

#include "base/ew_guid.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- output with a sticky error flag ------------------------------------- */

typedef struct xw {
    FILE *out;
    bool ok; /* false after any failed write */
} xw;

static void put(xw *w, const char *s)
{
    if (fputs(s, w->out) == EOF)
        w->ok = false;
}

static void putf(xw *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void putf(xw *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(w->out, fmt, ap) < 0)
        w->ok = false;
    va_end(ap);
}

static void put_bytes(xw *w, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, w->out) != n)
        w->ok = false;
}

/* The length of the valid UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 when the byte at s does not start one. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Characters XML 1.0 allows (§2.2), surrogates already excluded. */
static bool xml_char(uint32_t cp)
{
    if (cp < 0x20)
        return cp == 0x9 || cp == 0xA || cp == 0xD;
    return cp != 0xFFFE && cp != 0xFFFF;
}

enum text_mode { TEXT_ATTR, TEXT_COMMENT };

/* Writes s (NUL-terminated) repaired and escaped for mode: in an
 * attribute value (double-quoted) & < > " become entities and tab, LF, CR
 * character references (so a reader's normalization gives them back); in
 * a comment nothing is escaped but a '-' after a '-' gets a space before
 * it, and a final '-' is followed by a space. */
static void put_text(xw *w, const char *s, enum text_mode mode)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, run = 0; /* run: start of plain bytes */
    bool dash = false;
    while (i < n) {
        uint32_t cp = 0;
        size_t len = utf8_seq(p + i, n - i, &cp);
        const char *rep = NULL;
        if (len == 0 || !xml_char(cp)) {
            rep = "\xEF\xBF\xBD"; /* U+FFFD */
            len = len ? len : 1;
            cp = 0xFFFD;
        } else if (mode == TEXT_ATTR) {
            switch (cp) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\t': rep = "&#x9;"; break;
            case '\n': rep = "&#xA;"; break;
            case '\r': rep = "&#xD;"; break;
            default: break;
            }
        } else if (cp == '-' && dash) {
            rep = " -";
        }
        if (mode == TEXT_COMMENT)
            dash = cp == '-'; /* what was just written ends in '-' */
        if (rep) {
            put_bytes(w, s + run, i - run);
            put(w, rep);
            run = i + len;
        }
        i += len;
    }
    put_bytes(w, s + run, i - run);
    if (mode == TEXT_COMMENT && dash)
        put(w, " ");
}

/* " name=\"value\"" with value escaped; nothing when value is NULL. */
static void attr(xw *w, const char *name, const char *value)
{
    if (!value)
        return;
    putf(w, " %s=\"", name);
    put_text(w, value, TEXT_ATTR);
    put(w, "\"");
}

static void attr_u(xw *w, const char *name, unsigned long long v)
{
    putf(w, " %s=\"%llu\"", name, v);
}

static void attr_hex(xw *w, const char *name, unsigned long long v)
{
    putf(w, " %s=\"0x%llx\"", name, v);
}

static void attr_msg(xw *w, uint32_t id)
{
    if (id != WEVT_NO_MESSAGE)
        putf(w, " message=\"$(string.msg_%08X)\"", (unsigned)id);
}

static void comment(xw *w, const char *indent, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* <!-- text -->, text formatted then sanitized (truncated at 1 KiB). */
static void comment(xw *w, const char *indent, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    putf(w, "%s<!-- ", indent);
    put_text(w, buf, TEXT_COMMENT);
    put(w, " -->\n");
}

static void guid_attr(xw *w, const char *name, const uint8_t g[16])
{
    char s[37];
    ew_guid_format(g, s);
    for (char *c = s; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    putf(w, " %s=\"{%s}\"", name, s);
}

static bool guid_zero(const uint8_t g[16])
{
    for (int i = 0; i < 16; i++)
        if (g[i])
            return false;
    return true;
}

/* ---- names ----------------------------------------------------------------
 * Every reference is a name; records without one get a made-up name that is
 * a function of their value, used both where they are defined and where
 * they are referred to. */

typedef struct name_buf {
    char s[48];
} name_buf;

static const char *winmeta_level(uint32_t v)
{
    static const char *const names[] = {
        "win:LogAlways", "win:Critical", "win:Error",
        "win:Warning",   "win:Informational", "win:Verbose",
    };
    return v < sizeof names / sizeof *names ? names[v] : NULL;
}

static const char *winmeta_opcode(uint32_t v)
{
    static const char *const names[] = {
        "win:Info",      "win:Start",    "win:Stop",   "win:DC_Start",
        "win:DC_Stop",   "win:Extension", "win:Reply", "win:Resume",
        "win:Suspend",   "win:Send",
    };
    if (v == 240)
        return "win:Receive";
    return v < sizeof names / sizeof *names ? names[v] : NULL;
}

static const char *winmeta_channel(uint32_t v)
{
    switch (v) {
    case 8: return "System";
    case 9: return "Application";
    case 10: return "Security";
    default: return NULL;
    }
}

static bool is_win(const char *name)
{
    return name && !strncmp(name, "win:", 4);
}

static const char *level_name(const wevt_level *l, name_buf *b)
{
    if (l->name)
        return l->name;
    snprintf(b->s, sizeof b->s, "level_%u", (unsigned)l->value);
    return b->s;
}

static const char *task_name(const wevt_task *t, name_buf *b)
{
    if (t->name)
        return t->name;
    snprintf(b->s, sizeof b->s, "task_%u", (unsigned)t->value);
    return b->s;
}

static const char *opcode_name(const wevt_opcode *o, name_buf *b)
{
    if (o->name)
        return o->name;
    snprintf(b->s, sizeof b->s, "opcode_%u_%u", (unsigned)o->task,
             (unsigned)o->value);
    return b->s;
}

static const char *keyword_name(const wevt_keyword *k, name_buf *b)
{
    if (k->name)
        return k->name;
    snprintf(b->s, sizeof b->s, "keyword_0x%llx",
             (unsigned long long)k->mask);
    return b->s;
}

static const char *channel_name(const wevt_channel *c, name_buf *b)
{
    if (c->name)
        return c->name;
    snprintf(b->s, sizeof b->s, "channel_%u", (unsigned)c->value);
    return b->s;
}

static const char *map_name(const wevt_map *m, name_buf *b)
{
    if (m->name)
        return m->name;
    snprintf(b->s, sizeof b->s, "map_0x%x", (unsigned)m->off);
    return b->s;
}

static const char *tid(const wevt_template *t, name_buf *b)
{
    snprintf(b->s, sizeof b->s, "T_0x%x", (unsigned)t->off);
    return b->s;
}

/* ---- a provider's lookup index ------------------------------------------
 * The model may hold up to WEVT_MAX_RECORDS records of each kind and as
 * many events; resolving each event by a linear wevt_find_* would be
 * quadratic. Descriptor values are small (level, opcode and channel are
 * bytes, task a u16), so levels, channels and global opcodes are looked up
 * in 256-entry tables, tasks and task-scoped opcodes by binary search in
 * sorted copies. Each lookup gives the first record in model order, as
 * wevt_find_* does. */

/* Keywords considered for an event without a keyword list (wevt.h:
 * n_keyword_recs 0): the first of each distinct mask below bit 48, at most
 * this many (a provider has 48 such bits; more masks are combinations). */
#define KW_FALLBACK_MAX 256

typedef struct prov_index {
    const wevt_provider *p;
    const wevt_level *level[256];
    const wevt_channel *channel[256];
    const wevt_opcode *gopcode[256]; /* task 0 */
    const wevt_task **tasks;         /* malloc; by value, then model order */
    const wevt_opcode **ops;         /* malloc; by (task, value), then order */
    const wevt_keyword *kw[KW_FALLBACK_MAX]; /* by mask */
    size_t n_kw;
    uint8_t seen[65536 / 8];         /* values already given a made-up
                                        definition (one kind at a time) */
} prov_index;

static int cmp_task_ptr(const void *x, const void *y)
{
    const wevt_task *a = *(const wevt_task *const *)x;
    const wevt_task *b = *(const wevt_task *const *)y;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a < b ? -1 : a > b; /* model order */
}

static int cmp_op_ptr(const void *x, const void *y)
{
    const wevt_opcode *a = *(const wevt_opcode *const *)x;
    const wevt_opcode *b = *(const wevt_opcode *const *)y;
    if (a->task != b->task)
        return a->task < b->task ? -1 : 1;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int cmp_kw_ptr(const void *x, const void *y)
{
    const wevt_keyword *a = *(const wevt_keyword *const *)x;
    const wevt_keyword *b = *(const wevt_keyword *const *)y;
    if (a->mask != b->mask)
        return a->mask < b->mask ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Fills ix for p; false when memory runs out (ix then needs no freeing
 * beyond index_free). */
static bool index_build(prov_index *ix, const wevt_provider *p)
{
    memset(ix, 0, sizeof *ix);
    ix->p = p;
    for (size_t i = p->n_levels; i-- > 0;)
        if (p->levels[i].value < 256)
            ix->level[p->levels[i].value] = &p->levels[i];
    for (size_t i = p->n_channels; i-- > 0;)
        if (p->channels[i].value < 256)
            ix->channel[p->channels[i].value] = &p->channels[i];
    for (size_t i = p->n_opcodes; i-- > 0;)
        if (p->opcodes[i].task == 0 && p->opcodes[i].value < 256)
            ix->gopcode[p->opcodes[i].value] = &p->opcodes[i];
    ix->tasks = malloc((p->n_tasks ? p->n_tasks : 1) * sizeof *ix->tasks);
    ix->ops = malloc((p->n_opcodes ? p->n_opcodes : 1) * sizeof *ix->ops);
    if (!ix->tasks || !ix->ops)
        return false;
    for (size_t i = 0; i < p->n_tasks; i++)
        ix->tasks[i] = &p->tasks[i];
    if (p->n_tasks)
        qsort(ix->tasks, p->n_tasks, sizeof *ix->tasks, cmp_task_ptr);
    for (size_t i = 0; i < p->n_opcodes; i++)
        ix->ops[i] = &p->opcodes[i];
    if (p->n_opcodes)
        qsort(ix->ops, p->n_opcodes, sizeof *ix->ops, cmp_op_ptr);
    /* keyword fallback: distinct masks, smallest first */
    const wevt_keyword *cand[KW_FALLBACK_MAX];
    size_t n = 0;
    for (size_t i = 0; i < p->n_keywords && n < KW_FALLBACK_MAX; i++) {
        const wevt_keyword *k = &p->keywords[i];
        if (k->mask && !(k->mask >> 48))
            cand[n++] = k;
    }
    if (n)
        qsort(cand, n, sizeof *cand, cmp_kw_ptr);
    for (size_t i = 0; i < n; i++)
        if (ix->n_kw == 0 || ix->kw[ix->n_kw - 1]->mask != cand[i]->mask)
            ix->kw[ix->n_kw++] = cand[i];
    return true;
}

static void index_free(prov_index *ix)
{
    free(ix->tasks);
    free(ix->ops);
}

static const wevt_task *find_task(const prov_index *ix, uint32_t value)
{
    size_t lo = 0, hi = ix->p->n_tasks;
    while (lo < hi) { /* first with value >= value */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->tasks[mid]->value < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->p->n_tasks && ix->tasks[lo]->value == value
               ? ix->tasks[lo]
               : NULL;
}

/* The first opcode record of this task with this value, or NULL. */
static const wevt_opcode *find_scoped_op(const prov_index *ix,
                                         uint16_t task, uint16_t value)
{
    size_t lo = 0, hi = ix->p->n_opcodes;
    uint32_t key = (uint32_t)task << 16 | value;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const wevt_opcode *o = ix->ops[mid];
        if (((uint32_t)o->task << 16 | o->value) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ix->p->n_opcodes && ix->ops[lo]->task == task &&
        ix->ops[lo]->value == value)
        return ix->ops[lo];
    return NULL;
}

/* wevt_find_opcode: the task's own opcode, else the global one. */
static const wevt_opcode *find_opcode(const prov_index *ix, uint16_t task,
                                      uint16_t value)
{
    const wevt_opcode *o = task ? find_scoped_op(ix, task, value) : NULL;
    if (o)
        return o;
    return value < 256 ? ix->gopcode[value] : find_scoped_op(ix, 0, value);
}

static bool seen_test_set(prov_index *ix, uint32_t v)
{
    bool was = ix->seen[v >> 3] & (1u << (v & 7));
    ix->seen[v >> 3] |= (uint8_t)(1u << (v & 7));
    return was;
}

/* ---- what an event refers to ----------------------------------------------
 * Each ev_* gives the name for the event's attribute (NULL: no attribute)
 * and says through *synth whether that name must be defined here because
 * neither the resource nor winmeta.xml defines it. A made-up name is a
 * function of the value alone, so definitions are deduplicated by value. */

static const char *ev_level(const prov_index *ix, const wevt_event *ev,
                            name_buf *b, bool *synth)
{
    *synth = false;
    const wevt_level *l = ev->level_rec ? ev->level_rec
                                        : ix->level[ev->level];
    if (l)
        return level_name(l, b);
    if (ev->level == 0 && ev->level_off == 0)
        return NULL;
    if (winmeta_level(ev->level))
        return winmeta_level(ev->level);
    *synth = true;
    snprintf(b->s, sizeof b->s, "level_%u", (unsigned)ev->level);
    return b->s;
}

static const char *ev_task(const prov_index *ix, const wevt_event *ev,
                           name_buf *b, bool *synth)
{
    *synth = false;
    const wevt_task *t = ev->task_rec ? ev->task_rec
                                      : find_task(ix, ev->task);
    if (t)
        return task_name(t, b);
    if (ev->task == 0)
        return NULL;
    *synth = true;
    snprintf(b->s, sizeof b->s, "task_%u", (unsigned)ev->task);
    return b->s;
}

static const char *ev_opcode(const prov_index *ix, const wevt_event *ev,
                             name_buf *b, bool *synth)
{
    *synth = false;
    const wevt_opcode *o = ev->opcode_rec
                               ? ev->opcode_rec
                               : find_opcode(ix, ev->task, ev->opcode);
    if (o)
        return opcode_name(o, b);
    if (ev->opcode == 0 && ev->opcode_off == 0)
        return NULL;
    if (winmeta_opcode(ev->opcode))
        return winmeta_opcode(ev->opcode);
    *synth = true;
    snprintf(b->s, sizeof b->s, "opcode_0_%u", (unsigned)ev->opcode);
    return b->s;
}

static const char *ev_channel(const prov_index *ix, const wevt_event *ev,
                              name_buf *b, bool *synth)
{
    *synth = false;
    const wevt_channel *c = ev->channel_rec ? ev->channel_rec
                                            : ix->channel[ev->channel];
    if (c)
        return channel_name(c, b);
    if (ev->channel == 0)
        return NULL;
    *synth = true; /* imported (winmeta) or made up: defined either way */
    if (winmeta_channel(ev->channel))
        return winmeta_channel(ev->channel);
    snprintf(b->s, sizeof b->s, "channel_%u", (unsigned)ev->channel);
    return b->s;
}

typedef const char *(*ev_ref_fn)(const prov_index *, const wevt_event *,
                                 name_buf *, bool *);

/* Whether some event needs a made-up definition through fn. */
static bool any_synth(const prov_index *ix, ev_ref_fn fn)
{
    name_buf b;
    bool synth;
    for (size_t i = 0; i < ix->p->n_events; i++) {
        fn(ix, &ix->p->events[i], &b, &synth);
        if (synth)
            return true;
    }
    return false;
}

/* The next event, from *i on, whose reference through fn needs a made-up
 * definition not written yet (value: what fn's made-up name is made of);
 * NULL at the end. Clear ix->seen before the first call of a kind. */
static const wevt_event *next_synth(prov_index *ix, size_t *i, ev_ref_fn fn,
                                    uint32_t (*value)(const wevt_event *))
{
    name_buf b;
    bool synth;
    for (; *i < ix->p->n_events; ++*i) {
        const wevt_event *ev = &ix->p->events[*i];
        fn(ix, ev, &b, &synth);
        if (synth && !seen_test_set(ix, value(ev))) {
            ++*i;
            return ev;
        }
    }
    return NULL;
}

static uint32_t level_of(const wevt_event *ev) { return ev->level; }
static uint32_t task_of(const wevt_event *ev) { return ev->task; }
static uint32_t opcode_of(const wevt_event *ev) { return ev->opcode; }
static uint32_t channel_of(const wevt_event *ev) { return ev->channel; }

/* ---- provider sections ---------------------------------------------------- */

static const char *channel_type(const char *name)
{
    static const char *const types[] = {"Admin", "Operational", "Analytic",
                                        "Debug"};
    const char *slash = name ? strrchr(name, '/') : NULL;
    if (!slash)
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(slash + 1, types[i]))
            return types[i];
    return NULL;
}

static void write_channels(xw *w, prov_index *ix)
{
    const wevt_provider *p = ix->p;
    if (p->n_channels == 0 && !any_synth(ix, ev_channel))
        return;
    put(w, "        <channels>\n");
    for (size_t i = 0; i < p->n_channels; i++) {
        const wevt_channel *c = &p->channels[i];
        name_buf b;
        const char *name = channel_name(c, &b);
        if (c->flags & 1) { /* imported: value and text from winmeta */
            put(w, "          <importChannel");
            attr(w, "chid", name);
            attr(w, "name", name);
            put(w, "/>\n");
            continue;
        }
        put(w, "          <channel");
        attr(w, "chid", name);
        attr(w, "name", name);
        attr(w, "type", channel_type(c->name));
        attr_u(w, "value", c->value);
        attr_msg(w, c->message_id);
        put(w, "/>\n");
    }
    memset(ix->seen, 0, sizeof ix->seen);
    size_t i = 0;
    const wevt_event *ev;
    while ((ev = next_synth(ix, &i, ev_channel, channel_of))) {
        name_buf b;
        bool synth;
        const char *name = ev_channel(ix, ev, &b, &synth);
        if (winmeta_channel(ev->channel)) {
            put(w, "          <importChannel");
            attr(w, "chid", name);
            attr(w, "name", name);
            put(w, "/>\n");
        } else {
            put(w, "          <channel");
            attr(w, "chid", name);
            attr(w, "name", name);
            attr_u(w, "value", ev->channel);
            put(w, "/>\n");
        }
    }
    put(w, "        </channels>\n");
}

static void write_levels(xw *w, prov_index *ix)
{
    const wevt_provider *p = ix->p;
    bool any = false;
    for (size_t i = 0; !any && i < p->n_levels; i++)
        any = !is_win(p->levels[i].name);
    if (!any && !any_synth(ix, ev_level))
        return;
    put(w, "        <levels>\n");
    for (size_t i = 0; i < p->n_levels; i++) {
        const wevt_level *l = &p->levels[i];
        if (is_win(l->name))
            continue; /* winmeta.xml defines it */
        name_buf b;
        put(w, "          <level");
        attr(w, "name", level_name(l, &b));
        attr_u(w, "value", l->value);
        attr_msg(w, l->message_id);
        put(w, "/>\n");
    }
    memset(ix->seen, 0, sizeof ix->seen);
    size_t i = 0;
    const wevt_event *ev;
    while ((ev = next_synth(ix, &i, ev_level, level_of))) {
        name_buf b;
        bool synth;
        put(w, "          <level");
        attr(w, "name", ev_level(ix, ev, &b, &synth));
        attr_u(w, "value", ev->level);
        put(w, "/>\n");
    }
    put(w, "        </levels>\n");
}

static void write_opcode(xw *w, const wevt_opcode *o, const char *indent)
{
    name_buf b;
    putf(w, "%s<opcode", indent);
    attr(w, "name", opcode_name(o, &b));
    attr_u(w, "value", o->value);
    attr_msg(w, o->message_id);
    put(w, "/>\n");
}

/* The index in ix->ops of the first opcode of task, or n_opcodes. */
static size_t first_op_of_task(const prov_index *ix, uint32_t task)
{
    size_t lo = 0, hi = ix->p->n_opcodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->ops[mid]->task < task)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void write_tasks(xw *w, prov_index *ix)
{
    const wevt_provider *p = ix->p;
    if (p->n_tasks == 0 && !any_synth(ix, ev_task))
        return;
    put(w, "        <tasks>\n");
    for (size_t i = 0; i < p->n_tasks; i++) {
        const wevt_task *t = &p->tasks[i];
        name_buf b;
        put(w, "          <task");
        attr(w, "name", task_name(t, &b));
        attr_u(w, "value", t->value);
        if (!guid_zero(t->guid))
            guid_attr(w, "eventGUID", t->guid);
        attr_msg(w, t->message_id);
        bool open = false;
        /* its opcodes; a second task record of the same value gets none */
        bool first = find_task(ix, t->value) == t;
        for (size_t k = first_op_of_task(ix, t->value);
             first && t->value != 0 && k < p->n_opcodes &&
             ix->ops[k]->task == t->value;
             k++) {
            const wevt_opcode *o = ix->ops[k];
            if (!open)
                put(w, ">\n            <opcodes>\n");
            open = true;
            write_opcode(w, o, "              ");
        }
        put(w, open ? "            </opcodes>\n          </task>\n" : "/>\n");
    }
    memset(ix->seen, 0, sizeof ix->seen);
    size_t i = 0;
    const wevt_event *ev;
    while ((ev = next_synth(ix, &i, ev_task, task_of))) {
        name_buf b;
        bool synth;
        put(w, "          <task");
        attr(w, "name", ev_task(ix, ev, &b, &synth));
        attr_u(w, "value", ev->task);
        put(w, "/>\n");
    }
    put(w, "        </tasks>\n");
}

/* Global opcodes: task 0, and task-scoped ones whose task has no record
 * (they cannot be nested; their task is noted). */
static bool opcode_is_global(const prov_index *ix, const wevt_opcode *o)
{
    return o->task == 0 || !find_task(ix, o->task);
}

static void write_opcodes(xw *w, prov_index *ix)
{
    const wevt_provider *p = ix->p;
    bool any = false;
    for (size_t i = 0; !any && i < p->n_opcodes; i++)
        any = opcode_is_global(ix, &p->opcodes[i]) &&
              !is_win(p->opcodes[i].name);
    if (!any && !any_synth(ix, ev_opcode))
        return;
    put(w, "        <opcodes>\n");
    for (size_t i = 0; i < p->n_opcodes; i++) {
        const wevt_opcode *o = &p->opcodes[i];
        if (!opcode_is_global(ix, o) || is_win(o->name))
            continue;
        if (o->task != 0)
            comment(w, "          ", "opcode of task %u, which has no record",
                    (unsigned)o->task);
        write_opcode(w, o, "          ");
    }
    memset(ix->seen, 0, sizeof ix->seen);
    size_t i = 0;
    const wevt_event *ev;
    while ((ev = next_synth(ix, &i, ev_opcode, opcode_of))) {
        name_buf b;
        bool synth;
        put(w, "          <opcode");
        attr(w, "name", ev_opcode(ix, ev, &b, &synth));
        attr_u(w, "value", ev->opcode);
        put(w, "/>\n");
    }
    put(w, "        </opcodes>\n");
}

static void write_keywords(xw *w, const wevt_provider *p)
{
    bool any = false;
    for (size_t i = 0; !any && i < p->n_keywords; i++)
        any = !is_win(p->keywords[i].name);
    if (!any)
        return;
    put(w, "        <keywords>\n");
    for (size_t i = 0; i < p->n_keywords; i++) {
        const wevt_keyword *k = &p->keywords[i];
        if (is_win(k->name))
            continue;
        name_buf b;
        put(w, "          <keyword");
        attr(w, "name", keyword_name(k, &b));
        attr_hex(w, "mask", k->mask);
        attr_msg(w, k->message_id);
        put(w, "/>\n");
    }
    put(w, "        </keywords>\n");
}

static void write_maps(xw *w, const wevt_provider *p)
{
    if (p->n_maps == 0)
        return;
    put(w, "        <maps>\n");
    for (size_t i = 0; i < p->n_maps; i++) {
        const wevt_map *m = &p->maps[i];
        const char *el = m->kind == WEVT_MAP_BITMAP ? "bitMap" : "valueMap";
        name_buf b;
        putf(w, "          <%s", el);
        attr(w, "name", map_name(m, &b));
        put(w, ">\n");
        for (size_t k = 0; k < m->n_entries; k++) {
            put(w, "            <map");
            if (m->kind == WEVT_MAP_BITMAP)
                attr_hex(w, "value", m->entries[k].value);
            else
                attr_u(w, "value", m->entries[k].value);
            attr_msg(w, m->entries[k].message_id);
            put(w, "/>\n");
        }
        putf(w, "          </%s>\n", el);
    }
    put(w, "        </maps>\n");
}

static const char *field_name(const wevt_template *t, size_t i, name_buf *b)
{
    const wevt_field *f = &t->fields[i];
    if (f->name)
        return f->name;
    if (f->xml_name)
        return f->xml_name;
    snprintf(b->s, sizeof b->s, "field%zu", i);
    return b->s;
}

/* count="..." or length="...": a number, or the name of the field it
 * refers to. */
static void size_attr(xw *w, const wevt_template *t, const char *name,
                      uint16_t v, bool fixed, bool param)
{
    if (fixed) {
        attr_u(w, name, v);
    } else if (param) {
        name_buf b;
        if (v < t->n_fields)
            attr(w, name, field_name(t, v, &b));
        else
            attr_u(w, name, v); /* out of range: keep the stored index */
    }
}

static void write_field(xw *w, const wevt_template *t, size_t i,
                        const char *indent)
{
    const wevt_field *f = &t->fields[i];
    name_buf b;
    bool st = f->flags & WEVT_FIELD_STRUCT;
    putf(w, "%s<%s", indent, st ? "struct" : "data");
    attr(w, "name", field_name(t, i, &b));
    if (!st) {
        const char *in = wevt_in_type_name(f->in_type);
        const char *out = wevt_out_type_name(f->out_type);
        if (*in)
            attr(w, "inType", in);
        else
            putf(w, " inType=\"0x%02x\"", (unsigned)f->in_type);
        if (f->out_type && *out)
            attr(w, "outType", out);
        else if (f->out_type)
            putf(w, " outType=\"0x%02x\"", (unsigned)f->out_type);
        if (f->map)
            attr(w, "map", map_name(f->map, &b));
    }
    size_attr(w, t, "count", f->count, f->flags & WEVT_FIELD_FIXED_COUNT,
              f->flags & WEVT_FIELD_PARAM_COUNT);
    size_attr(w, t, "length", f->length, f->flags & WEVT_FIELD_FIXED_LENGTH,
              f->flags & WEVT_FIELD_PARAM_LENGTH);
    if (!st || f->struct_count == 0) {
        put(w, "/>\n");
        return;
    }
    put(w, ">\n");
    /* members lie after the struct (wevt.h), nested structs are not in
     * the schema: render them flat, one level deep */
    char inner[64];
    snprintf(inner, sizeof inner, "%s  ", indent);
    for (size_t k = f->struct_first; k < (size_t)f->struct_first +
                                              f->struct_count;
         k++) {
        const wevt_field *m = &t->fields[k];
        if (m->flags & WEVT_FIELD_STRUCT) {
            comment(w, inner, "nested struct %s not rendered",
                    m->name ? m->name : "(unnamed)");
            continue;
        }
        write_field(w, t, k, inner);
    }
    putf(w, "%s</struct>\n", indent);
}

static void write_templates(xw *w, const wevt_provider *p)
{
    if (p->n_templates == 0)
        return;
    put(w, "        <templates>\n");
    for (size_t i = 0; i < p->n_templates; i++) {
        const wevt_template *t = &p->templates[i];
        name_buf b;
        put(w, "          <template");
        attr(w, "tid", tid(t, &b));
        if (t->n_top == 0) { /* no fields (dxgkrnl.sys 7601 has one) */
            put(w, "/>\n");
            continue;
        }
        put(w, ">\n");
        if (t->root_name && strcmp(t->root_name, "EventData") != 0)
            comment(w, "            ", "rendered in <%s> (UserData)",
                    t->root_name);
        for (size_t k = 0; k < t->n_top; k++)
            write_field(w, t, k, "            ");
        put(w, "          </template>\n");
    }
    put(w, "        </templates>\n");
}

static void write_event_keywords(xw *w, const prov_index *ix,
                                 const wevt_event *ev)
{
    bool first = true;
    name_buf b;
    if (ev->n_keyword_recs) {
        for (size_t k = 0; k < ev->n_keyword_recs; k++) {
            put(w, first ? " keywords=\"" : " ");
            put_text(w, keyword_name(ev->keyword_recs[k], &b), TEXT_ATTR);
            first = false;
        }
    } else {
        /* no list stored: the keywords whose masks the descriptor has
         * (bits 48..63 are channels and winmeta's, not listed) */
        for (size_t k = 0; k < ix->n_kw; k++) {
            const wevt_keyword *kw = ix->kw[k];
            if ((kw->mask & ev->keywords) != kw->mask)
                continue;
            put(w, first ? " keywords=\"" : " ");
            put_text(w, keyword_name(kw, &b), TEXT_ATTR);
            first = false;
        }
    }
    if (!first)
        put(w, "\"");
}

static void write_events(xw *w, const prov_index *ix)
{
    const wevt_provider *p = ix->p;
    if (p->n_events == 0)
        return;
    put(w, "        <events>\n");
    for (size_t i = 0; i < p->n_events; i++) {
        const wevt_event *ev = &p->events[i];
        name_buf b;
        bool synth;
        put(w, "          <event");
        attr_u(w, "value", ev->id);
        attr_u(w, "version", ev->version);
        attr(w, "channel", ev_channel(ix, ev, &b, &synth));
        attr(w, "level", ev_level(ix, ev, &b, &synth));
        attr(w, "task", ev_task(ix, ev, &b, &synth));
        attr(w, "opcode", ev_opcode(ix, ev, &b, &synth));
        write_event_keywords(w, ix, ev);
        const wevt_template *t =
            ev->tmpl ? ev->tmpl
                     : (ev->template_off ? wevt_find_template(p,
                                                              ev->template_off)
                                         : NULL);
        if (t)
            attr(w, "template", tid(t, &b));
        attr_msg(w, ev->message_id);
        put(w, "/>\n");
    }
    put(w, "        </events>\n");
}

/* false when memory for the index runs out */
static bool write_provider(xw *w, const wevt_provider *p, const msgtab *t,
                           const char *image_name)
{
    prov_index *ix = malloc(sizeof *ix);
    if (!ix || !index_build(ix, p)) {
        if (ix)
            index_free(ix);
        free(ix);
        return false;
    }
    char gs[37];
    ew_guid_format(p->guid, gs);
    const char *name = p->name;
    if (!name && t && p->message_id != WEVT_NO_MESSAGE)
        name = msgtab_find(t, p->message_id);
    if (!name || !*name)
        name = gs;
    if (!p->complete)
        comment(w, "      ",
                "provider %s: parts of its block were malformed and "
                "skipped (see the warnings above)",
                gs);
    put(w, "      <provider");
    attr(w, "name", name);
    guid_attr(w, "guid", p->guid);
    attr(w, "resourceFileName", image_name);
    attr(w, "messageFileName", image_name);
    attr_msg(w, p->message_id);
    put(w, ">\n");
    write_channels(w, ix);
    write_levels(w, ix);
    write_tasks(w, ix);
    write_opcodes(w, ix);
    write_keywords(w, p);
    write_maps(w, p);
    write_templates(w, p);
    write_events(w, ix);
    put(w, "      </provider>\n");
    index_free(ix);
    free(ix);
    return true;
}

/* ---- the string table ----------------------------------------------------- */

typedef struct id_list {
    uint32_t *ids;
    size_t n, cap;
    bool failed; /* an allocation failed */
} id_list;

static void add_id(id_list *l, uint32_t id)
{
    if (id == WEVT_NO_MESSAGE || l->failed)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        uint32_t *n = realloc(l->ids, cap * sizeof *n);
        if (!n) {
            l->failed = true;
            return;
        }
        l->ids = n;
        l->cap = cap;
    }
    l->ids[l->n++] = id;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Every message id the document refers to, sorted, without repeats. */
static void collect_ids(const wevt_manifest *m, id_list *l)
{
    for (size_t i = 0; i < m->n_providers; i++) {
        const wevt_provider *p = &m->providers[i];
        add_id(l, p->message_id);
        for (size_t k = 0; k < p->n_channels; k++)
            if (!(p->channels[k].flags & 1))
                add_id(l, p->channels[k].message_id);
        for (size_t k = 0; k < p->n_levels; k++)
            if (!is_win(p->levels[k].name))
                add_id(l, p->levels[k].message_id);
        for (size_t k = 0; k < p->n_tasks; k++)
            add_id(l, p->tasks[k].message_id);
        for (size_t k = 0; k < p->n_opcodes; k++)
            if (!is_win(p->opcodes[k].name))
                add_id(l, p->opcodes[k].message_id);
        for (size_t k = 0; k < p->n_keywords; k++)
            if (!is_win(p->keywords[k].name))
                add_id(l, p->keywords[k].message_id);
        for (size_t k = 0; k < p->n_maps; k++)
            for (size_t e = 0; e < p->maps[k].n_entries; e++)
                add_id(l, p->maps[k].entries[e].message_id);
        for (size_t k = 0; k < p->n_events; k++)
            add_id(l, p->events[k].message_id);
    }
    if (l->n)
        qsort(l->ids, l->n, sizeof *l->ids, cmp_u32);
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++)
        if (o == 0 || l->ids[o - 1] != l->ids[i])
            l->ids[o++] = l->ids[i];
    l->n = o;
}

static void write_strings(xw *w, const id_list *l, const msgtab *t)
{
    put(w, "  <localization>\n    <resources culture=\"en-US\">\n"
           "      <stringTable>\n");
    size_t missing = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *s = t ? msgtab_find(t, l->ids[i]) : NULL;
        if (!s) {
            missing++;
            continue;
        }
        putf(w, "        <string id=\"msg_%08X\"", (unsigned)l->ids[i]);
        attr(w, "value", s);
        put(w, "/>\n");
    }
    if (missing) {
        /* ids only, no text: say which (in lines of eight) */
        put(w, t ? "        <!-- not in the message table:"
                 : "        <!-- no message table; message ids:");
        size_t k = 0;
        for (size_t i = 0; i < l->n; i++) {
            if (t && msgtab_find(t, l->ids[i]))
                continue;
            putf(w, "%s0x%08X", k % 8 ? " " : "\n             ",
                 (unsigned)l->ids[i]);
            k++;
        }
        put(w, " -->\n");
    }
    put(w, "      </stringTable>\n    </resources>\n  </localization>\n");
}

/* ---- entry point ---------------------------------------------------------- */

int manifest_xml_write(FILE *out, const wevt_manifest *m, const msgtab *t,
                       const char *image_name)
{
    xw w = {out, true};
    id_list ids = {0};
    collect_ids(m, &ids);
    if (ids.failed) {
        free(ids.ids);
        return -1;
    }

    put(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    comment(&w, "",
            "Reconstructed by etwmap from the WEVT_TEMPLATE resource%s%s "
            "(CRIM %u.%u, %zu provider%s). Event and provider symbols are "
            "not stored in the resource; template ids and string ids are "
            "made from offsets and message ids.",
            image_name ? " of " : "", image_name ? image_name : "",
            (unsigned)m->major, (unsigned)m->minor, m->n_providers,
            m->n_providers == 1 ? "" : "s");
    if (m->n_warnings || m->n_warnings_dropped) {
        comment(&w, "", "%zu parse warning%s%s; the manifest may be "
                        "incomplete:",
                m->n_warnings + m->n_warnings_dropped,
                m->n_warnings + m->n_warnings_dropped == 1 ? "" : "s",
                m->n_warnings_dropped ? " (some not recorded)" : "");
        for (size_t i = 0; i < m->n_warnings; i++) {
            const wevt_warning *x = &m->warnings[i];
            comment(&w, "", "  %s at 0x%llx: %s%s%s", x->what,
                    (unsigned long long)x->off, ew_status_str(x->status),
                    x->detail && *x->detail ? ": " : "",
                    x->detail ? x->detail : "");
        }
    }
    put(&w, "<instrumentationManifest"
            " xmlns=\"http://schemas.microsoft.com/win/2004/08/events\"\n"
            "    xmlns:win=\"http://manifests.microsoft.com/win/2004/08/"
            "windows/events\"\n"
            "    xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n");
    put(&w, "  <instrumentation>\n    <events>\n");
    bool mem = true;
    for (size_t i = 0; i < m->n_providers && w.ok && mem; i++)
        mem = write_provider(&w, &m->providers[i], t, image_name);
    put(&w, "    </events>\n  </instrumentation>\n");
    write_strings(&w, &ids, t);
    put(&w, "</instrumentationManifest>\n");
    free(ids.ids);

    if (fflush(out) != 0 || ferror(out))
        w.ok = false;
    return w.ok && mem ? 0 : -1;
}
