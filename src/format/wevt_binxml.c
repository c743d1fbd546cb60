/*
 * wevt_binxml.c - TEMP template definitions and the BinXML inside them.
 *
 * A TEMP (layout: wevt_int.h; FORMATS.md §2.6) holds a header, a BinXML
 * fragment (§2.7) rendering the event's <EventData> or <UserData>, and
 * the item descriptors: one per field, struct members after the top-level
 * fields. Field names and types come from the items. The BinXML is decoded
 * only far enough to tell which element or attribute each substitution
 * fills (wevt_field.xml_name), the outermost element's name, and that the
 * fragment is well formed.
 *
 * The decoder is a single forward pass over a bounded view with an explicit
 * element stack of WEVT_MAX_BINXML_DEPTH entries: no recursion, every token
 * consumes at least one byte, and the one token that refers elsewhere
 * (TemplateInstance, 0x0C, never seen in WEVT templates) is not followed,
 * so hostile input can neither loop nor recurse. Struct members are stored
 * after their struct (struct_first > the struct's index), which is checked,
 * so consumers walking members always move forward.
 */
#include "format/wevt_int.h"

#include "base/ew_limits.h"
#include "base/ew_utf16.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* BinXML tokens (FORMATS.md §2.7). 0x40 on the tokens that allow it means
 * "has attributes" / "more follow". */
enum {
    BX_EOF = 0x00,
    BX_OPEN_START = 0x01,
    BX_CLOSE_START = 0x02,
    BX_CLOSE_EMPTY = 0x03,
    BX_END_ELEMENT = 0x04,
    BX_VALUE = 0x05,
    BX_ATTRIBUTE = 0x06,
    BX_CDATA = 0x07,
    BX_CHARREF = 0x08,
    BX_ENTITYREF = 0x09,
    BX_PI_TARGET = 0x0A,
    BX_PI_DATA = 0x0B,
    BX_TEMPLATE_INSTANCE = 0x0C,
    BX_SUBST = 0x0D,
    BX_OPT_SUBST = 0x0E,
    BX_FRAGMENT = 0x0F,
    BX_MORE = 0x40,
};
/* BinXML value type of literal text. */
#define BX_TYPE_STRING 0x01

typedef struct bx_elem {
    const char *name;      /* arena UTF-8 */
    const char *name_attr; /* its Name="..." value, arena; NULL if none */
} bx_elem;

typedef struct bx {
    wevt_ctx *c;
    wevt_template *t;
    ew_rd r;
    bx_elem stack[WEVT_MAX_BINXML_DEPTH];
    size_t depth;
    bool in_start;        /* between OpenStart and CloseStart/CloseEmpty */
    const char *attr;     /* current attribute's name, in a start tag */
    bool warned;
} bx;

/* CRIM-relative offset of r's cursor (r is a sub-view of c->crim). */
static uint32_t crim_pos(const bx *b, size_t at)
{
    return (uint32_t)(b->r.base_off - b->c->crim.base_off + at);
}

static ew_status bx_warn(bx *b, ew_status s, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static ew_status bx_warn(bx *b, ew_status s, size_t at, const char *fmt, ...)
{
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    b->warned = true;
    return wevt_warn(b->c, s, "WEVT BinXML", crim_pos(b, at), "%s", detail);
}

/* A reader failure (already in c->scratch): make it the warning. */
static ew_status bx_fail(bx *b)
{
    b->warned = true;
    return wevt_warn_scratch(b->c);
}

/* Inline name: u16 hash, u16 count, count UTF-16 units, u16 NUL. *out is
 * an arena UTF-8 copy. Returns EW_E_BAD_VALUE (warned) on bad input. */
static ew_status bx_name(bx *b, const char **out)
{
    size_t at = b->r.pos;
    uint16_t hash, n, nul;
    const uint8_t *p;
    if (ew_rd_u16(&b->r, &hash) != EW_OK || ew_rd_u16(&b->r, &n) != EW_OK ||
        ew_rd_bytes(&b->r, (size_t)n * 2, &p) != EW_OK ||
        ew_rd_u16(&b->r, &nul) != EW_OK) {
        EW_TRY(bx_fail(b));
        return EW_E_BAD_VALUE;
    }
    if (nul != 0) {
        EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                       "name of %u characters is not NUL-terminated", n));
        return EW_E_BAD_VALUE;
    }
    char *s;
    ew_status st = ew_utf16_to_utf8(b->c->a, p, n, &s, NULL);
    *out = s;
    return st;
}

/* u16 count + count UTF-16 units; *out (arena) only when out != NULL. */
static ew_status bx_text(bx *b, const char **out)
{
    uint16_t n;
    const uint8_t *p;
    if (ew_rd_u16(&b->r, &n) != EW_OK ||
        ew_rd_bytes(&b->r, (size_t)n * 2, &p) != EW_OK) {
        EW_TRY(bx_fail(b));
        return EW_E_BAD_VALUE;
    }
    if (!out)
        return EW_OK;
    char *s;
    ew_status st = ew_utf16_to_utf8(b->c->a, p, n, &s, NULL);
    *out = s;
    return st;
}

/* One token. Returns EW_OK to go on, EW_E_NOT_FOUND at EOF, EW_E_NOMEM,
 * or another status (already warned) to stop. */
static ew_status bx_token(bx *b)
{
    size_t at = b->r.pos;
    uint8_t tok;
    if (ew_rd_u8(&b->r, &tok) != EW_OK) {
        EW_TRY(bx_warn(b, EW_E_TRUNCATED, at,
                       "fragment ends without an EOF token (depth %u)",
                       (unsigned)b->depth));
        return EW_E_TRUNCATED;
    }
    uint8_t base = tok & (uint8_t)~BX_MORE;
    bool more_ok = base == BX_OPEN_START || (base >= BX_VALUE &&
                                             base <= BX_ENTITYREF);
    if ((tok & BX_MORE) && !more_ok)
        base = 0xFF; /* unknown */
    ew_status s;
    switch (base) {
    case BX_EOF:
        if (b->depth != 0 || b->in_start) {
            EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                           "EOF inside %u open element(s)",
                           (unsigned)b->depth));
            return EW_E_BAD_VALUE;
        }
        return EW_E_NOT_FOUND;
    case BX_FRAGMENT:
        if (ew_rd_skip(&b->r, 3) != EW_OK) { /* major, minor, flags */
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        return EW_OK;
    case BX_OPEN_START: {
        uint16_t dep;
        uint32_t data_size, attr_size;
        if (b->in_start) {
            EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                           "element opened inside a start tag"));
            return EW_E_BAD_VALUE;
        }
        if (b->depth == WEVT_MAX_BINXML_DEPTH) {
            EW_TRY(bx_warn(b, EW_E_LIMIT, at,
                           "elements nested deeper than %u",
                           (unsigned)WEVT_MAX_BINXML_DEPTH));
            return EW_E_LIMIT;
        }
        if (ew_rd_u16(&b->r, &dep) != EW_OK ||
            ew_rd_u32(&b->r, &data_size) != EW_OK) {
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        bx_elem *e = &b->stack[b->depth];
        e->name_attr = NULL;
        if ((s = bx_name(b, &e->name)) != EW_OK)
            return s;
        if ((tok & BX_MORE) && ew_rd_u32(&b->r, &attr_size) != EW_OK) {
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        if (b->depth == 0 && !b->t->root_name)
            b->t->root_name = e->name;
        b->depth++;
        b->in_start = true;
        b->attr = NULL;
        return EW_OK;
    }
    case BX_ATTRIBUTE:
        if (!b->in_start) {
            EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                           "attribute outside a start tag"));
            return EW_E_BAD_VALUE;
        }
        return bx_name(b, &b->attr);
    case BX_CLOSE_START:
    case BX_CLOSE_EMPTY:
        if (!b->in_start) {
            EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                           "token 0x%02x outside a start tag", tok));
            return EW_E_BAD_VALUE;
        }
        b->in_start = false;
        b->attr = NULL;
        if (base == BX_CLOSE_EMPTY)
            b->depth--;
        return EW_OK;
    case BX_END_ELEMENT:
        if (b->in_start || b->depth == 0) {
            EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at,
                           "end of element with %u open", (unsigned)b->depth));
            return EW_E_BAD_VALUE;
        }
        b->depth--;
        return EW_OK;
    case BX_VALUE: {
        uint8_t type;
        const char *text = NULL;
        if (ew_rd_u8(&b->r, &type) != EW_OK) {
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        if (type != BX_TYPE_STRING) {
            EW_TRY(bx_warn(b, EW_E_UNSUPPORTED, at,
                           "literal value of type 0x%02x", type));
            return EW_E_UNSUPPORTED;
        }
        bool want = b->in_start && b->attr && !strcmp(b->attr, "Name");
        if ((s = bx_text(b, want ? &text : NULL)) != EW_OK)
            return s;
        if (want)
            b->stack[b->depth - 1].name_attr = text;
        return EW_OK;
    }
    case BX_SUBST:
    case BX_OPT_SUBST: {
        uint16_t idx;
        uint8_t type;
        if (ew_rd_u16(&b->r, &idx) != EW_OK ||
            ew_rd_u8(&b->r, &type) != EW_OK) {
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        if (idx >= b->t->n_top) {
            /* a bad index loses one name, not the fragment */
            return bx_warn(b, EW_E_BAD_VALUE, at,
                           "substitution %u past the template's fields",
                           idx);
        }
        const char *name = NULL;
        if (b->in_start && b->attr) {
            name = b->attr;
        } else if (b->depth > 0) {
            const bx_elem *e = &b->stack[b->depth - 1];
            name = e->name_attr ? e->name_attr : e->name;
        }
        wevt_field *f = &b->t->fields[idx];
        if (!f->xml_name) { /* the first use names it */
            f->xml_name = name;
            f->subst_type = type;
        }
        return EW_OK;
    }
    case BX_CDATA:
    case BX_PI_DATA:
        return bx_text(b, NULL);
    case BX_CHARREF:
        if (ew_rd_skip(&b->r, 2) != EW_OK) {
            EW_TRY(bx_fail(b));
            return EW_E_TRUNCATED;
        }
        return EW_OK;
    case BX_ENTITYREF:
    case BX_PI_TARGET: {
        const char *unused;
        return bx_name(b, &unused);
    }
    case BX_TEMPLATE_INSTANCE:
        EW_TRY(bx_warn(b, EW_E_UNSUPPORTED, at,
                       "template instance (token 0x%02x) not followed", tok));
        return EW_E_UNSUPPORTED;
    default:
        EW_TRY(bx_warn(b, EW_E_BAD_VALUE, at, "unknown token 0x%02x", tok));
        return EW_E_BAD_VALUE;
    }
}

static ew_status decode_binxml(wevt_ctx *c, wevt_template *t, uint32_t off,
                               uint32_t len)
{
    bx st, *b = &st; /* the element stack is ~1 KB */
    memset(b, 0, sizeof *b);
    b->c = c;
    b->t = t;
    if (ew_rd_sub(&c->crim, off, len, "WEVT BinXML", &b->r) != EW_OK)
        return wevt_warn_scratch(c);
    ew_status s;
    while ((s = bx_token(b)) == EW_OK)
        ;
    if (s == EW_E_NOMEM)
        return s;
    t->binxml_ok = s == EW_E_NOT_FOUND && !b->warned;
    return EW_OK;
}

static ew_status read_item(wevt_ctx *c, wevt_template *t, size_t i,
                           ew_rd *r)
{
    wevt_field *f = &t->fields[i];
    uint16_t members;
    uint32_t name_off;
    f->off = (uint32_t)(r->base_off - c->crim.base_off + r->pos);
    ew_rd_u32(r, &f->flags);
    ew_rd_u8(r, &f->in_type);
    ew_rd_u8(r, &f->out_type);
    ew_rd_u16(r, &members);
    ew_rd_u32(r, &f->map_off);
    ew_rd_u16(r, &f->count);
    ew_rd_u16(r, &f->length);
    ew_rd_u32(r, &name_off);
    if (f->flags & WEVT_FIELD_STRUCT) {
        /* in/out type bytes hold the first member's index */
        uint16_t first = (uint16_t)(f->in_type | f->out_type << 8);
        f->in_type = f->out_type = 0;
        if (first <= i || first > t->n_fields ||
            members > t->n_fields - first) {
            EW_TRY(wevt_warn(c, EW_E_BAD_VALUE, "WEVT TEMP item", f->off + 4,
                             "struct members [%u, +%u) not after item %zu "
                             "within %zu items",
                             first, members, i, t->n_fields));
        } else {
            f->struct_first = first;
            f->struct_count = members;
        }
    }
    return wevt_read_name(c, name_off, "WEVT TEMP item name", &f->name);
}

ew_status wevt_parse_template(wevt_ctx *c, uint32_t off, uint32_t size,
                              wevt_template *t)
{
    ew_rd r;
    const uint8_t *sig;
    uint32_t n_top, n_items, items_off;
    memset(t, 0, sizeof *t);
    if (ew_rd_sub(&c->crim, off, size, "WEVT TEMP template", &r) != EW_OK ||
        ew_rd_bytes(&r, 4, &sig) != EW_OK) {
        EW_TRY(wevt_warn_scratch(c));
        return EW_E_BAD_VALUE;
    }
    if (memcmp(sig, "TEMP", 4) != 0) {
        EW_TRY(wevt_warn(c, EW_E_BAD_MAGIC, "WEVT TEMP template", off,
                         "signature %02x %02x %02x %02x is not TEMP", sig[0],
                         sig[1], sig[2], sig[3]));
        return EW_E_BAD_VALUE;
    }
    t->off = off;
    t->size = size;
    ew_rd_skip(&r, 4); /* size: given */
    ew_rd_u32(&r, &n_top);
    ew_rd_u32(&r, &n_items);
    ew_rd_u32(&r, &items_off);
    ew_rd_u32(&r, &t->kind);
    ew_rd_copy(&r, t->guid, 16); /* size >= 40: checked by the caller */

    /* The items lie inside the template, after the header; the BinXML
     * fills the bytes between. With no items, the stored offset is the
     * template's end (clretwrc.dll) and the BinXML runs to it. */
    uint32_t bx_end = size;
    if (n_items > WEVT_MAX_FIELDS) {
        EW_TRY(wevt_warn(c, EW_E_LIMIT, "WEVT TEMP template", off + 12,
                         "%u items (cap %u); fields skipped", n_items,
                         (unsigned)WEVT_MAX_FIELDS));
        n_items = 0;
    } else if (n_items > 0) {
        uint32_t rel = items_off - off; /* wraps when items_off < off */
        if (items_off < off || rel < WEVT_TEMP_HEADER_SIZE || rel > size ||
            n_items > (size - rel) / WEVT_ITEM_SIZE) {
            EW_TRY(wevt_warn(c, EW_E_BAD_COUNT, "WEVT TEMP template",
                             off + 16,
                             "%u items at 0x%x do not fit in the template "
                             "[0x%x, +0x%x); fields skipped",
                             n_items, items_off, off, size));
            n_items = 0;
        } else {
            bx_end = rel;
        }
    }
    if (n_top > n_items) {
        EW_TRY(wevt_warn(c, EW_E_BAD_COUNT, "WEVT TEMP template",
                             off + 8, "%u fields but %u items", n_top,
                             n_items));
        n_top = n_items;
    }
    t->n_fields = n_items;
    t->n_top = n_top;
    t->fields = ew_arena_array(c->a, n_items, sizeof *t->fields);
    if (!t->fields && n_items)
        return EW_E_NOMEM;
    if (n_items) {
        ew_rd items;
        ew_rd_sub(&r, bx_end, (size_t)n_items * WEVT_ITEM_SIZE,
                  "WEVT TEMP item", &items); /* fits: checked above */
        for (size_t i = 0; i < n_items; i++)
            EW_TRY(read_item(c, t, i, &items));
    }
    return decode_binxml(c, t, off + WEVT_TEMP_HEADER_SIZE,
                         bx_end - WEVT_TEMP_HEADER_SIZE);
}
