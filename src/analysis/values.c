/*
 * values.c - per-function value tracking (see values.h).
 *
 * Each function is decoded again (fn_decode) and cut into basic blocks.
 * Block entry states are joined from their predecessors; passes over the
 * blocks in address order repeat until no entry state changes, at most
 * VS_MAX_PASSES times (ew_limits.h). A last pass, over the final entry
 * states, records the call sites. States hold 16 general-purpose and 16
 * xmm registers and up to VS_MAX_SLOTS stack slots keyed by their offset
 * from the entry rsp; slots are kept sorted by offset, so states compare
 * and join field by field.
 */
#include "analysis/values.h"
#include "base/ew_buf.h"
#include "base/ew_limits.h"

#include <stdlib.h>
#include <string.h>

#define NREG 32 /* rax..r15, xmm0..xmm15 */

typedef struct slot {
    int32_t off;
    int32_t size; /* signed: offsets and sizes mix in comparisons */
    val v;
} slot;

typedef struct vstate {
    uint32_t live; /* reached by some path */
    uint32_t n;    /* slots used */
    val r[NREG];
    slot s[VS_MAX_SLOTS];
} vstate;

typedef struct block {
    uint32_t first, last; /* instruction indices, inclusive */
    int32_t succ[2];      /* block indices, -1 none */
} block;

/* Per-run scratch and per-function context. */
typedef struct vctx {
    vs_set *vs;
    const pe_image *img;
    const fn_set *fns;
    fn_decoder *dec;
    uint32_t guard_check_rva, guard_dispatch_rva;
    const uint8_t *import_keep; /* VS_KEEP_* per import, or NULL */
    /* per function */
    const fn_function *f;
    const insn *insns;
    size_t n_insns;
    block *blocks;
    size_t n_blocks, cap_blocks;
    uint32_t *bidx; /* block index of each instruction */
    size_t cap_bidx;
    vstate *in;
    size_t cap_in;
    uint8_t status;
    bool emit;
    /* function-local pools (VAL_ALT / VAL_BYTES indices point here while
     * the function is analysed; call records copy alternatives out) */
    vs_alt *lalts;
    size_t n_lalts;
    vs_bytes *lbytes;
    size_t n_lbytes;
    ew_buf calls, stores, pointees, alts, wides; /* results, handed to vs */
    size_t fi; /* the function analysed */
} vctx;

/* ---- values ------------------------------------------------------------- */

val val_make(val_kind kind, int64_t c)
{
    val v;
    memset(&v, 0, sizeof v);
    v.kind = (uint8_t)kind;
    v.c = c;
    return v;
}

static val unknown(void)
{
    return val_make(VAL_UNKNOWN, 0);
}

static val val_sized(val_kind kind, int64_t c, unsigned size)
{
    val v = val_make(kind, c);
    v.size = (uint8_t)size;
    return v;
}

bool val_eq(const val *a, const val *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

const char *val_kind_name(unsigned kind)
{
    static const char *const names[VAL_KIND_COUNT] = {
        "unknown", "const", "addr", "load", "stack",
        "param", "param-load", "bytes", "alt", "result"};
    return kind < VAL_KIND_COUNT ? names[kind] : "?";
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (size * 8)) - 1);
}


/* ---- pools -------------------------------------------------------------- */

static const vs_bytes *local_bytes(const vctx *x, const val *v)
{
    return v->c >= 0 && (size_t)v->c < x->n_lbytes ? &x->lbytes[v->c] : NULL;
}

/* A VAL_BYTES for b (interned: equal contents give equal values, so that
 * states converge), or unknown when the pool is full. */
static val make_bytes(vctx *x, const vs_bytes *b, unsigned size)
{
    for (size_t i = x->n_lbytes; i-- > 0;)
        if (memcmp(&x->lbytes[i], b, sizeof *b) == 0)
            return val_sized(VAL_BYTES, (int64_t)i, size);
    if (x->n_lbytes >= VS_MAX_LOCAL_BYTES) {
        x->status |= VS_ST_POOL;
        return unknown();
    }
    x->lbytes[x->n_lbytes] = *b;
    return val_sized(VAL_BYTES, (int64_t)x->n_lbytes++, size);
}

static int cmp_val(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(val));
}

static val make_alt(vctx *x, vs_alt *a)
{
    qsort(a->v, a->n, sizeof a->v[0], cmp_val);
    for (size_t i = 0; i < x->n_lalts; i++)
        if (x->lalts[i].n == a->n &&
            memcmp(x->lalts[i].v, a->v, a->n * sizeof a->v[0]) == 0)
            return val_make(VAL_ALT, (int64_t)i);
    if (x->n_lalts >= VS_MAX_LOCAL_ALTS) {
        x->status |= VS_ST_POOL;
        return unknown();
    }
    x->lalts[x->n_lalts] = *a;
    return val_make(VAL_ALT, (int64_t)x->n_lalts++);
}

/* Adds v (itself or its alternatives) to a; false when a overflows. */
static bool alt_add(const vctx *x, vs_alt *a, const val *v)
{
    if (v->kind == VAL_ALT) {
        const vs_alt *s = &x->lalts[v->c];
        for (unsigned i = 0; i < s->n; i++)
            if (!alt_add(x, a, &s->v[i]))
                return false;
        return true;
    }
    for (unsigned i = 0; i < a->n; i++)
        if (val_eq(&a->v[i], v))
            return true;
    if (a->n >= VS_MAX_ALT)
        return false;
    a->v[a->n++] = *v;
    return true;
}

static val join(vctx *x, const val *a, const val *b)
{
    if (val_eq(a, b))
        return *a;
    if (a->kind == VAL_UNKNOWN || b->kind == VAL_UNKNOWN ||
        a->kind == VAL_BYTES || b->kind == VAL_BYTES)
        return unknown();
    vs_alt s;
    memset(&s, 0, sizeof s);
    if (!alt_add(x, &s, a) || !alt_add(x, &s, b))
        return unknown();
    return make_alt(x, &s);
}

/* ---- bytes of a value --------------------------------------------------- */

static void bytes_of(const vctx *x, const val *v, unsigned size,
                     vs_bytes *out)
{
    memset(out, 0, sizeof *out);
    if (size > 16)
        size = 16;
    switch (v->kind) {
    case VAL_CONST:
        if (size <= 8 || v->c == 0) {
            for (unsigned i = 0; i < size; i++)
                out->b[i] = i < 8 ? (uint8_t)((uint64_t)v->c >> (8 * i)) : 0;
            out->known = (uint16_t)((1u << size) - 1);
        }
        break;
    case VAL_ADDR: /* the VA at the preferred base (a GuidPtr in a frame
                      header); loads of it are tracked as VAL_LOADs */
        if (size <= 8 && v->c >= 0 && v->c <= UINT32_MAX) {
            uint64_t va = x->img->image_base + (uint64_t)v->c;
            for (unsigned i = 0; i < size; i++)
                out->b[i] = (uint8_t)(va >> (8 * i));
            out->known = (uint16_t)((1u << size) - 1);
        }
        break;
    case VAL_LOAD: {
        size_t off, avail;
        unsigned n = v->size < size ? v->size : size;
        if (v->c >= 0 && v->c <= UINT32_MAX &&
            pe_rva_avail(x->img, (uint32_t)v->c, &off, &avail) == EW_OK) {
            if (n > avail)
                n = (unsigned)avail;
            memcpy(out->b, x->img->data + off, n);
            out->known = (uint16_t)((1u << n) - 1);
        }
        break;
    }
    case VAL_BYTES: {
        const vs_bytes *b = local_bytes(x, v);
        if (b) {
            *out = *b;
            out->known &= (uint16_t)((1u << size) - 1);
        }
        break;
    }
    default:
        break;
    }
}

void vs_materialize(const vs_set *vs, const pe_image *img, const val *v,
                    unsigned size, vs_bytes *out)
{
    vctx x;
    memset(&x, 0, sizeof x);
    x.vs = (vs_set *)vs;
    x.img = img;
    if (v->kind == VAL_BYTES) { /* outside analysis: the global pool */
        memset(out, 0, sizeof *out);
        if (v->c >= 0 && (size_t)v->c < vs->n_bytes)
            *out = vs->bytes[v->c];
        return;
    }
    bytes_of(&x, v, size, out);
}

/* The value of `size` known bytes at b[0..], or unknown. */
static val val_from_bytes(vctx *x, const vs_bytes *b, unsigned size)
{
    uint16_t want = (uint16_t)((1u << size) - 1);
    if (size > 8) {
        if ((b->known & want) == 0)
            return unknown();
        return make_bytes(x, b, size);
    }
    if ((b->known & want) != want)
        return unknown();
    uint64_t c = 0;
    for (unsigned i = 0; i < size; i++)
        c |= (uint64_t)b->b[i] << (8 * i);
    return val_make(VAL_CONST, (int64_t)c);
}

/* ---- stack slots -------------------------------------------------------- */

static void slot_remove(vstate *s, uint32_t i)
{
    memmove(&s->s[i], &s->s[i + 1], (s->n - i - 1) * sizeof s->s[0]);
    s->n--;
}

static void slot_insert(vctx *x, vstate *s, int32_t off, unsigned size,
                        const val *v)
{
    if (s->n >= VS_MAX_SLOTS) { /* drop the deepest slot */
        x->status |= VS_ST_SLOTS;
        slot_remove(s, 0);
    }
    uint32_t i = 0;
    while (i < s->n && s->s[i].off < off)
        i++;
    memmove(&s->s[i + 1], &s->s[i], (s->n - i) * sizeof s->s[0]);
    s->s[i].off = off;
    s->s[i].size = (int32_t)size;
    s->s[i].v = *v;
    s->n++;
}

/* The known bytes of [off, off+size) from every slot that overlaps it. */
static void stack_bytes(const vctx *x, const vstate *s, int32_t off,
                        unsigned size, vs_bytes *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < s->n; i++) {
        const slot *sl = &s->s[i];
        int64_t lo = sl->off > off ? sl->off : off;
        int64_t hi = (int64_t)sl->off + sl->size;
        if (hi > (int64_t)off + size)
            hi = (int64_t)off + size;
        if (lo >= hi)
            continue;
        vs_bytes b;
        bytes_of(x, &sl->v, sl->size, &b);
        for (int64_t a = lo; a < hi; a++) {
            unsigned from = (unsigned)(a - sl->off), to = (unsigned)(a - off);
            out->known &= (uint16_t)~(1u << to);
            if (b.known & (1u << from)) {
                out->b[to] = b.b[from];
                out->known |= (uint16_t)(1u << to);
            }
        }
    }
}

static void stack_kill(vstate *s, int64_t lo, int64_t hi)
{
    for (uint32_t i = s->n; i-- > 0;)
        if (s->s[i].off < hi && (int64_t)s->s[i].off + s->s[i].size > lo)
            slot_remove(s, i);
}

/* Slot i (whose bytes are b) loses [off, off+size): what is left on
 * either side becomes a slot of its own. */
static void slot_split(vctx *x, vstate *s, uint32_t i, const vs_bytes *b,
                       int32_t off, unsigned size)
{
    slot sl = s->s[i];
    slot_remove(s, i);
    unsigned left = (unsigned)(off - sl.off);
    unsigned right_at = left + size;
    unsigned right = (unsigned)sl.size - right_at;
    vs_bytes part;
    if (left) {
        memset(&part, 0, sizeof part);
        memcpy(part.b, b->b, left);
        part.known = (uint16_t)(b->known & ((1u << left) - 1));
        val pv = val_from_bytes(x, &part, left);
        if (pv.kind == VAL_UNKNOWN && part.known)
            pv = make_bytes(x, &part, left);
        if (pv.kind != VAL_UNKNOWN)
            slot_insert(x, s, sl.off, left, &pv);
    }
    if (right) {
        memset(&part, 0, sizeof part);
        memcpy(part.b, b->b + right_at, right);
        part.known = (uint16_t)((b->known >> right_at) & ((1u << right) - 1));
        val pv = val_from_bytes(x, &part, right);
        if (pv.kind == VAL_UNKNOWN && part.known)
            pv = make_bytes(x, &part, right);
        if (pv.kind != VAL_UNKNOWN)
            slot_insert(x, s, off + (int32_t)size, right, &pv);
    }
}

static void stack_write(vctx *x, vstate *s, int64_t off64, unsigned size,
                        const val *v)
{
    if (size == 0 || size > 16 || off64 < INT32_MIN / 2 ||
        off64 > INT32_MAX / 2)
        return;
    int32_t off = (int32_t)off64;
    /* a store inside one slot whose bytes are known: overlay them, so a
     * structure zeroed with one 16-byte store keeps its other fields */
    for (uint32_t i = 0; i < s->n; i++) {
        slot *sl = &s->s[i];
        if (sl->off == off && sl->size == (int32_t)size)
            break;
        if (sl->off <= off && off + (int64_t)size <= sl->off + sl->size) {
            vs_bytes old, nb;
            bytes_of(x, &sl->v, sl->size, &old);
            if (!old.known)
                break;
            if (v->kind != VAL_CONST && v->kind != VAL_BYTES &&
                v->kind != VAL_UNKNOWN) {
                /* a value with an origin (a load, a parameter, an
                 * address): its own slot, so the origin is kept (a logger
                 * handle loaded from a global into a zeroed header); the
                 * old slot's other bytes stay around it */
                slot_split(x, s, i, &old, off, size);
                slot_insert(x, s, off, size, v);
                return;
            }
            bytes_of(x, v, size, &nb);
            for (unsigned k = 0; k < size; k++) {
                unsigned to = (unsigned)(off - sl->off) + k;
                old.known &= (uint16_t)~(1u << to);
                if (nb.known & (1u << k)) {
                    old.b[to] = nb.b[k];
                    old.known |= (uint16_t)(1u << to);
                }
            }
            sl->v = val_from_bytes(x, &old, sl->size);
            if (sl->v.kind == VAL_UNKNOWN)
                slot_remove(s, i);
            return;
        }
    }
    stack_kill(s, off, off + (int64_t)size);
    if (v->kind != VAL_UNKNOWN)
        slot_insert(x, s, off, size, v);
}

static val stack_read(vctx *x, const vstate *s, int64_t off, unsigned size)
{
    if (size == 0 || size > 16)
        return unknown();
    bool any = false;
    for (uint32_t i = 0; i < s->n; i++) {
        const slot *sl = &s->s[i];
        if (sl->off == off && sl->size == (int32_t)size)
            return sl->v;
        if (sl->off < off + (int64_t)size && sl->off + (int64_t)sl->size > off)
            any = true;
    }
    if (!any) {
        /* never written: the caller's stack arguments (the return address
         * is at +0, home space at +8..+27h, parameter 4 at +28h) */
        if (off >= 0x28 && (off - 0x28) % 8 == 0 && (size == 8 || size == 4) &&
            (off - 0x28) / 8 < 0xFFF0) {
            val p = val_make(VAL_PARAM, 0);
            p.param = (uint16_t)(4 + (off - 0x28) / 8);
            return p;
        }
        return unknown();
    }
    vs_bytes b;
    stack_bytes(x, s, (int32_t)off, size, &b);
    return val_from_bytes(x, &b, size);
}

/* ---- operands ----------------------------------------------------------- */

static int reg_index(uint8_t r)
{
    if (r >= INSN_REG_RAX && r <= INSN_REG_R15)
        return r - INSN_REG_RAX;
    if (r >= INSN_REG_XMM0 && r < INSN_REG_XMM0 + 16)
        return 16 + (r - INSN_REG_XMM0);
    return -1;
}

#define RSP (INSN_REG_RSP - INSN_REG_RAX)

/* The value of an address computation [base + index*scale + disp]. */
static val addr_of(const vstate *s, const insn_op *o)
{
    if (o->flags & INSN_OP_SEG)
        return unknown();
    if (o->flags & INSN_OP_RIPREL)
        return val_make(VAL_ADDR, o->target_rva);
    int64_t add = o->disp;
    if (o->index) {
        int ii = reg_index(o->index);
        if (ii < 0)
            return unknown();
        const val *iv = &s->r[ii];
        unsigned sc = o->scale ? o->scale : 1;
        if (iv->kind == VAL_PARAM && iv->c == 0 && !iv->flags && o->base) {
            /* &table[param]: base an image address */
            int bi = reg_index(o->base);
            unsigned scale = val_param_scale(iv) * sc;
            if (bi < 0 || s->r[bi].kind != VAL_ADDR || scale > 255)
                return unknown();
            val r = val_make(VAL_PARAM, val_wrap_add(s->r[bi].c, add));
            r.param = iv->param;
            r.size = (uint8_t)scale;
            r.flags = VAL_F_IMAGE_BASE;
            return r;
        }
        if (iv->kind != VAL_CONST)
            return unknown();
        add = val_wrap_add(add, (int64_t)((uint64_t)iv->c * sc));
    }
    if (!o->base)
        return val_make(VAL_CONST, add);
    int bi = reg_index(o->base);
    if (bi < 0)
        return unknown();
    val b = s->r[bi];
    switch (b.kind) {
    case VAL_CONST:
    case VAL_ADDR:
    case VAL_STACK:
    case VAL_PARAM:
        b.c = val_wrap_add(b.c, add);
        if (b.kind == VAL_STACK && (b.c > VAL_MAX_FRAME_OFFSET ||
                                    b.c < -VAL_MAX_FRAME_OFFSET))
            return unknown();
        return b;
    default:
        return unknown();
    }
}

static val mem_read(vctx *x, const vstate *s, const insn_op *o,
                    unsigned size)
{
    val a = addr_of(s, o);
    switch (a.kind) {
    case VAL_ADDR:
        return size && size <= 16 ? val_sized(VAL_LOAD, a.c, size)
                                  : unknown();
    case VAL_STACK:
        return stack_read(x, s, a.c, size);
    case VAL_PARAM: {
        if (a.size > 1 || a.flags) /* an indexed table entry */
            return unknown();
        val v = val_sized(VAL_PARAM_LOAD, a.c, size);
        v.param = a.param;
        return v;
    }
    default:
        return unknown();
    }
}

static val reg_read(vctx *x, const vstate *s, const insn_op *o,
                    unsigned size)
{
    int ri = reg_index(o->reg);
    if (ri < 0 || (o->flags & INSN_OP_HIGH8))
        return unknown();
    val v = s->r[ri];
    if (size >= 8 && ri < 16)
        return v;
    switch (v.kind) {
    case VAL_CONST:
        if (size < 8)
            v.c = (int64_t)((uint64_t)v.c & size_mask(size));
        return v;
    case VAL_LOAD:
    case VAL_BYTES:
        if (size < v.size) {
            vs_bytes b;
            bytes_of(x, &v, v.size, &b);
            if (v.kind == VAL_LOAD)
                return val_sized(VAL_LOAD, v.c, size);
            return val_from_bytes(x, &b, size);
        }
        return v;
    default:
        return v;
    }
}

static val op_read(vctx *x, const vstate *s, const insn_op *o,
                   unsigned size)
{
    switch (o->kind) {
    case INSN_OP_REG:
        return reg_read(x, s, o, size);
    case INSN_OP_MEM:
        return mem_read(x, s, o, size);
    case INSN_OP_IMM:
        return val_make(VAL_CONST, o->imm);
    default:
        return unknown();
    }
}

static void reg_write(vstate *s, const insn_op *o, val v)
{
    int ri = reg_index(o->reg);
    if (ri < 0)
        return;
    if (o->flags & INSN_OP_HIGH8) {
        s->r[ri] = unknown();
        return;
    }
    if (v.kind == VAL_CONST && o->size == 4)
        v.c = (int64_t)((uint64_t)v.c & 0xFFFFFFFFu);
    else if (v.kind == VAL_CONST && o->size < 4) {
        /* a partial write: the register's other bits stay */
        val old = s->r[ri];
        uint64_t m = size_mask(o->size);
        if (old.kind == VAL_CONST)
            v.c = (int64_t)(((uint64_t)old.c & ~m) | ((uint64_t)v.c & m));
        else
            v.c = (int64_t)((uint64_t)v.c & m);
    }
    s->r[ri] = v;
}

static void op_write(vctx *x, vstate *s, const insn_op *o, val v)
{
    if (o->kind == INSN_OP_REG) {
        reg_write(s, o, v);
    } else if (o->kind == INSN_OP_MEM) {
        val a = addr_of(s, o);
        if (a.kind == VAL_STACK)
            stack_write(x, s, a.c, o->size, &v);
    }
}

/* Something wrote o in a way not tracked. */
static void op_clobber(vctx *x, vstate *s, const insn_op *o)
{
    if (o->kind == INSN_OP_REG) {
        int ri = reg_index(o->reg);
        if (ri >= 0)
            s->r[ri] = unknown();
    } else if (o->kind == INSN_OP_MEM) {
        val a = addr_of(s, o);
        if (a.kind == VAL_STACK)
            stack_kill(s, a.c, a.c + (o->size ? o->size : 16));
        (void)x;
    }
}

/* ---- calls -------------------------------------------------------------- */

/* A value that is the address of code: the start of an indirect target. */
static uint32_t code_target(const vctx *x, const val *v)
{
    if (v->kind == VAL_ADDR && v->c > 0 && v->c <= UINT32_MAX &&
        pe_rva_is_code(x->img, (uint32_t)v->c))
        return (uint32_t)v->c;
    return 0;
}

/* The VS_KEEP_* bits asked for calls like fc (imports only). */
static unsigned call_keep_bits(const vctx *x, const fn_call *fc)
{
    if (!x->import_keep || !fc || !fc->import)
        return 0;
    size_t k = (size_t)(fc->import - x->img->imports);
    return k < x->img->n_imports ? x->import_keep[k] : 0;
}

static ew_status record_call(vctx *x, const vstate *s, const insn *in,
                             const fn_call *fc)
{
    vs_call c;
    memset(&c, 0, sizeof c);
    c.site_rva = in->rva;
    c.tail = in->cls != INSN_CALL;
    if (fc) {
        c.target_rva = fc->target_rva;
        c.import = fc->import;
        c.kind = fc->import ? VS_CALL_IMPORT
                 : fc->tail ? VS_CALL_TAIL
                            : VS_CALL_DIRECT;
    } else {
        val t = unknown();
        if ((in->flags & INSN_F_SLOT) && in->slot_rva == x->guard_dispatch_rva)
            t = s->r[INSN_REG_RAX - INSN_REG_RAX];
        else if (in->n_ops >= 1 && in->ops[0].kind == INSN_OP_REG)
            t = reg_read(x, s, &in->ops[0], 8);
        c.target_rva = code_target(x, &t);
        c.kind = c.target_rva ? VS_CALL_RESOLVED : VS_CALL_INDIRECT;
    }
    if (c.target_rva) {
        const fn_function *t = fn_find(x->fns, c.target_rva);
        c.target_fn = t ? (uint32_t)(t - x->fns->functions) + 1 : 0;
    }
    /* arguments: rcx, rdx, r8, r9, then the stack (a call pushes the
     * return address, so the callee's [rsp+28h] is our [rsp+20h]) */
    static const uint8_t regs[4] = {INSN_REG_RCX, INSN_REG_RDX, INSN_REG_R8,
                                    INSN_REG_R9};
    for (unsigned a = 0; a < 4; a++)
        c.args[a] = s->r[regs[a] - INSN_REG_RAX];
    const val *rsp = &s->r[RSP];
    for (unsigned a = 4; a < VS_ARGS; a++)
        c.args[a] = rsp->kind == VAL_STACK
                        ? stack_read(x, s,
                                     rsp->c + (c.tail ? 0x28 : 0x20) +
                                         8 * (a - 4),
                                     8)
                        : unknown();
    /* a frame copy of one of several globals (a descriptor chosen per
     * path, copied with movdqu): the argument stands for the globals */
    for (unsigned a = 0; a < VS_ARGS; a++) {
        val *v = &c.args[a];
        if (v->kind != VAL_STACK)
            continue;
        for (uint32_t i = 0; i < s->n; i++) {
            const slot *sl = &s->s[i];
            if (sl->off != v->c || sl->size != 16 || sl->v.kind != VAL_ALT)
                continue;
            vs_alt al = x->lalts[sl->v.c];
            bool all_loads = true;
            for (unsigned k = 0; k < al.n; k++) {
                if (al.v[k].kind != VAL_LOAD || al.v[k].size != 16)
                    all_loads = false;
                al.v[k] = val_make(VAL_ADDR, al.v[k].c);
            }
            if (all_loads) {
                val r = make_alt(x, &al);
                if (r.kind == VAL_ALT)
                    *v = r;
            }
            break;
        }
    }
    c.pointee = (uint32_t)x->pointees.n;
    unsigned keep = call_keep_bits(x, fc);
    for (unsigned a = 0; a < VS_ARGS; a++) {
        val *v = &c.args[a];
        if (v->kind == VAL_BYTES) { /* only xmm values are bytes */
            *v = unknown();
        } else if (v->kind == VAL_ALT) { /* copy out of the local pool */
            vs_alt *g = ew_buf_push(&x->alts);
            if (!g)
                return EW_E_NOMEM;
            *g = x->lalts[v->c];
            v->c = (int64_t)(x->alts.n - 1);
        } else if (v->kind == VAL_STACK) {
            unsigned chunks = keep & VS_KEEP_WIDE(a) ? VS_WIDE_CHUNKS : 1;
            for (unsigned k = 0; k < chunks; k++) {
                vs_bytes *b = ew_buf_push(&x->pointees);
                if (!b)
                    return EW_E_NOMEM;
                stack_bytes(x, s, (int32_t)(v->c + 16 * k), 16, b);
            }
            c.pointee_mask |= (uint8_t)(1u << a);
            if (chunks > 1) {
                c.pointee_wide |= (uint8_t)(1u << a);
                vs_wide *wq = ew_buf_push(&x->wides);
                if (!wq)
                    return EW_E_NOMEM;
                wq->site_rva = c.site_rva;
                wq->arg = a;
                wq->n = 0;
                int64_t end = v->c + 16 * VS_WIDE_CHUNKS;
                for (uint32_t i = 0; i < s->n && wq->n < VS_WIDE_FIELDS; i++) {
                    const slot *sl = &s->s[i];
                    if (sl->off < v->c || sl->off + (int64_t)sl->size > end ||
                        sl->v.kind == VAL_BYTES)
                        continue;
                    vs_field *fd = &wq->f[wq->n++];
                    fd->off = (uint8_t)(sl->off - v->c);
                    fd->size = (uint8_t)sl->size;
                    fd->v = sl->v;
                    if (sl->v.kind == VAL_ALT) { /* out of the local pool */
                        vs_alt *g = ew_buf_push(&x->alts);
                        if (!g)
                            return EW_E_NOMEM;
                        *g = x->lalts[sl->v.c];
                        fd->v.c = (int64_t)(x->alts.n - 1);
                    }
                }
            }
        }
    }
    vs_call *out = ew_buf_push(&x->calls);
    if (!out)
        return EW_E_NOMEM;
    *out = c;
    return EW_OK;
}

static void clobber_call(vctx *x, vstate *s, uint32_t site, uint32_t keep)
{
    /* the callee may write whatever frame memory we passed it a pointer to
     * (up to VS_ESCAPE_BYTES past the pointer) and its home space; the
     * first 8 bytes become "what this call wrote" */
    static const uint8_t argregs[4] = {INSN_REG_RCX, INSN_REG_RDX,
                                       INSN_REG_R8, INSN_REG_R9};
    for (unsigned a = 0; a < 4; a++) {
        val p = s->r[argregs[a] - INSN_REG_RAX];
        if (p.kind != VAL_STACK)
            continue;
        stack_kill(s, p.c, p.c + VS_ESCAPE_BYTES);
        val r = val_make(VAL_RESULT, site);
        r.param = (uint16_t)a;
        stack_write(x, s, p.c, 8, &r);
    }
    const val *rsp = &s->r[RSP];
    if (rsp->kind == VAL_STACK)
        stack_kill(s, rsp->c, rsp->c + 0x20);
    static const uint8_t volatile_regs[] = {
        INSN_REG_RAX, INSN_REG_RCX, INSN_REG_RDX, INSN_REG_R8,
        INSN_REG_R9, INSN_REG_R10, INSN_REG_R11};
    for (size_t i = 0; i < sizeof volatile_regs; i++)
        if (!(keep & (1u << volatile_regs[i])))
            s->r[volatile_regs[i] - INSN_REG_RAX] = unknown();
    for (unsigned i = 0; i < 6; i++)
        if (!(keep & (1u << (INSN_REG_XMM0 + i))))
            s->r[16 + i] = unknown();
}

/* Volatile registers the call at fc keeps: those its callee (a function
 * of the image) and the callee's callees never write; rax always goes. */
static uint32_t call_keeps(const vctx *x, const fn_call *fc)
{
    if (!fc || fc->import || !fc->target_rva)
        return 0;
    const fn_function *t = fn_find(x->fns, fc->target_rva);
    if (!t || t->thunk || t->clobbers == FN_CLOBBERS_ALL)
        return 0;
    return ~t->clobbers & ~(1u << INSN_REG_RAX);
}

/* ---- transfer ----------------------------------------------------------- */

static val arith(insn_class cls, const val *a, const val *b, unsigned size)
{
    if (cls == INSN_ADD && a->kind == VAL_PARAM && b->kind == VAL_ADDR)
        return arith(cls, b, a, size);
    if (cls == INSN_ADD && a->kind == VAL_ADDR && b->kind == VAL_PARAM &&
        b->c == 0 && !b->flags) { /* table + param * scale */
        val r = *b;
        r.c = a->c;
        r.flags = VAL_F_IMAGE_BASE;
        return r;
    }
    if (b->kind != VAL_CONST) {
        if (cls == INSN_ADD && a->kind == VAL_CONST)
            return arith(cls, b, a, size);
        return unknown();
    }
    int64_t k = b->c;
    switch (cls) {
    case INSN_ADD:
    case INSN_SUB:
        if (a->kind == VAL_CONST || a->kind == VAL_ADDR ||
            a->kind == VAL_STACK || a->kind == VAL_PARAM) {
            val r = *a;
            r.c = cls == INSN_ADD ? (int64_t)((uint64_t)r.c + (uint64_t)k)
                                  : (int64_t)((uint64_t)r.c - (uint64_t)k);
            if (r.kind == VAL_CONST)
                r.c = (int64_t)((uint64_t)r.c & size_mask(size));
            if (r.kind == VAL_STACK && (r.c > VAL_MAX_FRAME_OFFSET ||
                                        r.c < -VAL_MAX_FRAME_OFFSET))
                return unknown();
            return r;
        }
        return unknown();
    case INSN_AND:
        if (a->kind == VAL_CONST)
            return val_make(VAL_CONST, a->c & k);
        return unknown();
    case INSN_OR:
        if (a->kind == VAL_CONST)
            return val_make(VAL_CONST, a->c | k);
        return unknown();
    case INSN_XOR:
        if (a->kind == VAL_CONST)
            return val_make(VAL_CONST, a->c ^ k);
        return unknown();
    default:
        return unknown();
    }
}

/* arith over a set of constants (a flag from setcc, then + 2): each
 * element with the constant; unknown when any result is. */
static val arith_alt(vctx *x, insn_class cls, const val *a, const val *b,
                     unsigned size)
{
    if (a->kind != VAL_ALT || b->kind != VAL_CONST || size != 1 ||
        a->c < 0 || (size_t)a->c >= x->n_lalts)
        return arith(cls, a, b, size); /* bytes only: no loop counters */
    const vs_alt *in = &x->lalts[a->c];
    vs_alt out;
    memset(&out, 0, sizeof out);
    for (unsigned i = 0; i < in->n; i++) {
        if (in->v[i].kind != VAL_CONST)
            return unknown();
        val r = arith(cls, &in->v[i], b, size);
        if (r.kind != VAL_CONST || !alt_add(x, &out, &r))
            return unknown();
    }
    return make_alt(x, &out);
}

static bool same_reg(const insn_op *a, const insn_op *b)
{
    return a->kind == INSN_OP_REG && b->kind == INSN_OP_REG &&
           a->reg == b->reg && a->reg != INSN_REG_NONE &&
           (a->flags & INSN_OP_HIGH8) == (b->flags & INSN_OP_HIGH8);
}

/* A VAL_RESULT written to an image location by in (mov, xchg, ...). */
static ew_status note_result_store(vctx *x, const vstate *s, const insn *in)
{
    const insn_op *m = NULL, *r = NULL;
    for (unsigned i = 0; i < in->n_ops; i++) {
        if (in->ops[i].kind == INSN_OP_MEM && (in->ops[i].flags & INSN_OP_WRITE))
            m = &in->ops[i];
        else if (in->ops[i].kind == INSN_OP_REG)
            r = &in->ops[i];
    }
    if (!m || !r)
        return EW_OK;
    int ri = reg_index(r->reg);
    if (ri < 0)
        return EW_OK;
    const val *v = &s->r[ri];
    if (v->kind != VAL_RESULT && v->kind != VAL_PARAM_LOAD &&
        (v->kind != VAL_PARAM || v->c != 0 || v->flags ||
         val_param_scale(v) != 1))
        return EW_OK;
    val a = addr_of(s, m);
    if (a.kind != VAL_ADDR)
        return EW_OK;
    vs_store *st = ew_buf_push(&x->stores);
    if (!st)
        return EW_E_NOMEM;
    st->insn_rva = in->rva;
    st->target_rva = (uint32_t)a.c;
    st->call_rva = v->kind == VAL_RESULT ? (uint32_t)v->c : 0;
    st->arg = v->param;
    st->fn = (uint32_t)x->fi;
    return EW_OK;
}

static ew_status step(vctx *x, vstate *s, const insn *in)
{
    if (x->emit && in->cls != INSN_CALL && in->cls != INSN_LEA)
        EW_TRY(note_result_store(x, s, in));
    const insn_op *o0 = in->n_ops > 0 ? &in->ops[0] : NULL;
    const insn_op *o1 = in->n_ops > 1 ? &in->ops[1] : NULL;
    val *rsp = &s->r[RSP];

    if (in->flags & INSN_F_HIDDEN_MEMW) { /* rep stos/movs: [rdi] */
        const val *rdi = &s->r[INSN_REG_RDI - INSN_REG_RAX];
        const val *rcx = &s->r[INSN_REG_RCX - INSN_REG_RAX];
        if (rdi->kind == VAL_STACK)
            stack_kill(s, rdi->c,
                       rdi->c + (rcx->kind == VAL_CONST &&
                                         rcx->c >= 0 && rcx->c < 0x10000
                                     ? rcx->c * 8 + 8
                                     : 0x10000));
    }

    switch (in->cls) {
    case INSN_MOV:
    case INSN_VMOV:
    case INSN_STORE:
        if (o0 && o1)
            op_write(x, s, o0, op_read(x, s, o1, o0->size));
        break;
    case INSN_MOVZX:
        if (o0 && o1) {
            val v = op_read(x, s, o1, o1->size);
            /* movzx and movsx agree unless the sign bit is set */
            if (v.kind == VAL_CONST && o1->size < 8 &&
                ((uint64_t)v.c >> (o1->size * 8 - 1)) & 1)
                v = unknown();
            op_write(x, s, o0, v);
        }
        break;
    case INSN_SHL:
        if (o0 && o1 && o0->kind == INSN_OP_REG && o1->kind == INSN_OP_IMM &&
            o1->imm >= 0 && o1->imm < 64) {
            val v = reg_read(x, s, o0, o0->size);
            unsigned k = (unsigned)o1->imm;
            if (v.kind == VAL_CONST) {
                v.c = (int64_t)(((uint64_t)v.c << k) & size_mask(o0->size));
            } else if (v.kind == VAL_PARAM && v.c == 0 && !v.flags && k < 8 &&
                       (val_param_scale(&v) << k) <= 255) {
                v.size = (uint8_t)(val_param_scale(&v) << k);
            } else {
                v = unknown();
            }
            reg_write(s, o0, v);
        } else if (o0) {
            op_clobber(x, s, o0);
        }
        break;
    case INSN_SETCC: /* a flag: 0 or 1 (an event type computed from it) */
        if (o0) {
            val zero = val_make(VAL_CONST, 0), one = val_make(VAL_CONST, 1);
            op_write(x, s, o0, join(x, &zero, &one));
        }
        break;
    case INSN_SBB: /* a flag folded into a value: two results */
    case INSN_ADC:
        if (o0 && o1 && in->cls == INSN_SBB && same_reg(o0, o1)) {
            val zero = val_make(VAL_CONST, 0); /* sbb r, r: 0 or ~0 */
            val ones = val_make(VAL_CONST, (int64_t)size_mask(o0->size));
            op_write(x, s, o0, join(x, &zero, &ones));
        } else if (o0 && o1 && in->n_ops == 2) {
            /* r -/+ k, and one less / more with the carry */
            insn_class c = in->cls == INSN_SBB ? INSN_SUB : INSN_ADD;
            val a = op_read(x, s, o0, o0->size);
            val b = op_read(x, s, o1, o0->size);
            val one = val_make(VAL_CONST, 1);
            val r0 = arith_alt(x, c, &a, &b, o0->size);
            val r1 = arith_alt(x, c, &r0, &one, o0->size);
            op_write(x, s, o0,
                     r0.kind == VAL_CONST && r1.kind == VAL_CONST
                         ? join(x, &r0, &r1)
                         : unknown());
        } else if (o0) {
            op_clobber(x, s, o0);
        }
        break;
    case INSN_CMOV: /* both values are possible */
        if (o0 && o1 && o0->kind == INSN_OP_REG) {
            val a = reg_read(x, s, o0, o0->size);
            val b = op_read(x, s, o1, o0->size);
            reg_write(s, o0, join(x, &a, &b));
        }
        break;
    case INSN_LEA:
        if (o0 && o1) {
            val v = addr_of(s, o1);
            reg_write(s, o0, v);
        }
        break;
    case INSN_XOR:
        if (o0 && o1 && same_reg(o0, o1)) { /* zeroing idiom */
            op_write(x, s, o0, val_make(VAL_CONST, 0));
            break;
        }
        if (o0 && o1 && in->n_ops == 3 && same_reg(o1, &in->ops[2])) {
            op_write(x, s, o0, val_make(VAL_CONST, 0)); /* vpxor x,y,y */
            break;
        }
        /* fall through */
    case INSN_ADD:
    case INSN_SUB:
    case INSN_AND:
    case INSN_OR:
        if (!o0 || !o1)
            break;
        if (o0->kind == INSN_OP_REG && reg_index(o0->reg) == RSP &&
            in->cls == INSN_AND && rsp->kind == VAL_STACK &&
            o1->kind == INSN_OP_IMM) {
            /* stack alignment: the entry rsp is 8 mod 16 */
            rsp->c = (int64_t)(((uint64_t)rsp->c + 8) & (uint64_t)o1->imm) - 8;
            break;
        }
        if (in->n_ops == 3) { /* vex three-operand forms */
            op_clobber(x, s, o0);
            break;
        }
        {
            val a = op_read(x, s, o0, o0->size);
            val b = op_read(x, s, o1, o0->size);
            op_write(x, s, o0,
                     arith_alt(x, (insn_class)in->cls, &a, &b, o0->size));
        }
        break;
    case INSN_PUSH:
        if (rsp->kind == VAL_STACK) {
            val v = o0 ? op_read(x, s, o0, 8) : unknown();
            rsp->c -= 8;
            stack_write(x, s, rsp->c, 8, &v);
        } else {
            *rsp = unknown();
        }
        break;
    case INSN_POP:
        if (rsp->kind == VAL_STACK) {
            val v = stack_read(x, s, rsp->c, 8);
            rsp->c += 8;
            if (o0)
                op_write(x, s, o0, v);
        } else if (o0) {
            op_clobber(x, s, o0);
        }
        break;
    case INSN_CALL: {
        const fn_call *fc = fn_call_at(x->f, in->rva);
        bool check = (in->flags & INSN_F_SLOT) &&
                     in->slot_rva == x->guard_check_rva;
        if (x->emit && !check)
            EW_TRY(record_call(x, s, in, fc));
        if (!check) {
            clobber_call(x, s, in->rva, call_keeps(x, fc));
            if (call_keep_bits(x, fc) & VS_KEEP_RETURN) {
                val r = val_make(VAL_RESULT, in->rva);
                r.param = VS_RESULT_RETURN;
                s->r[INSN_REG_RAX - INSN_REG_RAX] = r;
            }
        } else
            s->r[0] = unknown(); /* the check routine keeps rcx */
        break;
    }
    case INSN_JMP:
    case INSN_JCC: {
        const fn_call *fc = fn_call_at(x->f, in->rva);
        size_t nj = 0;
        bool indirect = in->cls == INSN_JMP && (in->flags & INSN_F_INDIRECT) &&
                        !fn_jumps_at(x->f, in->rva, &nj);
        if (x->emit && ((fc && fc->tail) || (indirect && !fc)))
            EW_TRY(record_call(x, s, in, fc));
        break;
    }
    case INSN_RET:
    case INSN_INT3:
    case INSN_HALT:
        break;
    default:
        for (unsigned i = 0; i < in->n_ops; i++)
            if (in->ops[i].flags & INSN_OP_WRITE)
                op_clobber(x, s, &in->ops[i]);
        break;
    }
    /* implicit outputs (mul/div: rdx:rax; cpuid; rep movs: rcx/rsi/rdi) */
    if (in->hidden_writes)
        for (unsigned r = 0; r < 32; r++)
            if (in->hidden_writes & (1u << r)) {
                int ri = reg_index((uint8_t)r);
                if (ri >= 0)
                    s->r[ri] = unknown();
            }
    return EW_OK;
}

/* ---- blocks and iteration ----------------------------------------------- */

static long insn_index(const vctx *x, uint32_t rva)
{
    size_t lo = 0, hi = x->n_insns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->insns[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n_insns && x->insns[lo].rva == rva ? (long)lo : -1;
}

static ew_status build_blocks(vctx *x)
{
    size_t n = x->n_insns;
    /* leaders marked in the blocks array's memory as a byte map first */
    uint8_t *lead = calloc(n ? n : 1, 1);
    if (!lead)
        return EW_E_NOMEM;
    if (n)
        lead[0] = 1;
    for (size_t i = 0; i < n; i++) {
        const insn *in = &x->insns[i];
        bool ends = in->cls == INSN_JMP || in->cls == INSN_JCC ||
                    !insn_falls_through(in);
        if (i + 1 < n && (ends || x->insns[i + 1].rva != in->rva + in->length))
            lead[i + 1] = 1;
        if ((in->cls == INSN_JMP || in->cls == INSN_JCC) &&
            (in->flags & INSN_F_DIRECT)) {
            long t = insn_index(x, in->target_rva);
            if (t >= 0)
                lead[t] = 1;
        }
        if (in->cls == INSN_JMP && (in->flags & INSN_F_INDIRECT)) {
            size_t nj;
            const fn_jump *j = fn_jumps_at(x->f, in->rva, &nj);
            for (size_t k = 0; k < nj; k++) {
                long t = insn_index(x, j[k].target_rva);
                if (t >= 0)
                    lead[t] = 1;
            }
        }
    }
    size_t nb = 0;
    for (size_t i = 0; i < n; i++)
        nb += lead[i];
    if (nb > x->cap_blocks) {
        block *b = realloc(x->blocks, nb * sizeof *b);
        if (!b) {
            free(lead);
            return EW_E_NOMEM;
        }
        x->blocks = b;
        x->cap_blocks = nb;
    }
    if (nb > x->cap_in && nb <= VS_MAX_BLOCKS) { /* entry states */
        vstate *st = realloc(x->in, nb * sizeof *st);
        if (!st) {
            free(lead);
            return EW_E_NOMEM;
        }
        x->in = st;
        x->cap_in = nb;
    }
    x->n_blocks = 0;
    for (size_t i = 0; i < n; i++) {
        if (lead[i]) {
            block *b = &x->blocks[x->n_blocks++];
            b->first = b->last = (uint32_t)i;
            b->succ[0] = b->succ[1] = -1;
        } else {
            x->blocks[x->n_blocks - 1].last = (uint32_t)i;
        }
    }
    /* successors: block index of an instruction index = the number of
     * leaders up to it, minus one */
    if (n > x->cap_bidx) {
        uint32_t *g = realloc(x->bidx, n * sizeof *g);
        if (!g) {
            free(lead);
            return EW_E_NOMEM;
        }
        x->bidx = g;
        x->cap_bidx = n;
    }
    uint32_t *bidx = x->bidx;
    for (size_t i = 0, b = 0; i < n; i++) {
        if (lead[i] && i > 0)
            b++;
        bidx[i] = (uint32_t)b;
    }
    for (size_t k = 0; k < x->n_blocks; k++) {
        block *b = &x->blocks[k];
        const insn *in = &x->insns[b->last];
        int ns = 0;
        if (insn_falls_through(in) && b->last + 1 < n &&
            x->insns[b->last + 1].rva == in->rva + in->length)
            b->succ[ns++] = (int32_t)bidx[b->last + 1];
        if ((in->cls == INSN_JMP || in->cls == INSN_JCC) &&
            (in->flags & INSN_F_DIRECT)) {
            const fn_call *fc = fn_call_at(x->f, in->rva);
            long t = insn_index(x, in->target_rva);
            if (!(fc && fc->tail) && t >= 0)
                b->succ[ns++] = (int32_t)bidx[t];
        }
    }
    free(lead);
    return EW_OK;
}

/* *to = *from, the used slots only (a state is ~3.6 KB, mostly free
 * slots). */
static void state_copy(vstate *to, const vstate *from)
{
    to->live = from->live;
    to->n = from->n;
    memcpy(to->r, from->r, sizeof to->r);
    memcpy(to->s, from->s, from->n * sizeof to->s[0]);
}

static void entry_state(vstate *s)
{
    memset(s, 0, sizeof *s);
    s->live = 1;
    static const uint8_t regs[4] = {INSN_REG_RCX, INSN_REG_RDX, INSN_REG_R8,
                                    INSN_REG_R9};
    for (unsigned p = 0; p < 4; p++) {
        val v = val_make(VAL_PARAM, 0);
        v.param = (uint16_t)p;
        s->r[regs[p] - INSN_REG_RAX] = v;
    }
    s->r[RSP] = val_make(VAL_STACK, 0);
}

/* in[to] = join(in[to], from); true when in[to] changed. */
static bool merge_into(vctx *x, vstate *to, const vstate *from)
{
    if (!to->live) {
        state_copy(to, from);
        return true;
    }
    bool changed = false;
    for (unsigned r = 0; r < NREG; r++) {
        val j = join(x, &to->r[r], &from->r[r]);
        if (!val_eq(&j, &to->r[r])) {
            to->r[r] = j;
            changed = true;
        }
    }
    /* slots: keep those present in both with the same extent */
    uint32_t w = 0, j = 0;
    for (uint32_t i = 0; i < to->n; i++) {
        const slot *a = &to->s[i];
        while (j < from->n && (from->s[j].off < a->off ||
                               (from->s[j].off == a->off &&
                                from->s[j].size < a->size)))
            j++;
        if (j < from->n && from->s[j].off == a->off &&
            from->s[j].size == a->size) {
            val v = join(x, &a->v, &from->s[j].v);
            if (v.kind == VAL_UNKNOWN) {
                changed = true;
                continue;
            }
            if (!val_eq(&v, &a->v))
                changed = true;
            to->s[w] = *a;
            to->s[w].v = v;
            w++;
        } else {
            changed = true;
        }
    }
    to->n = w;
    return changed;
}

static ew_status run_block(vctx *x, size_t k, vstate *s)
{
    const block *b = &x->blocks[k];
    for (uint32_t i = b->first; i <= b->last; i++)
        EW_TRY(step(x, s, &x->insns[i]));
    return EW_OK;
}

static ew_status analyze_function(vctx *x, size_t fi)
{
    const fn_function *f = &x->fns->functions[fi];
    vs_function *vf = &x->vs->functions[fi];
    x->f = f;
    x->fi = fi;
    x->status = 0;
    x->n_lalts = 0;
    x->n_lbytes = 0;
    vf->first_call = (uint32_t)x->calls.n;
    if (f->status & FN_ST_NO_CODE)
        return EW_OK;
    /* no call to record: nothing to track, unless nothing in the image
     * calls it directly (a callback: what it stores, e.g. the logger
     * handle an enable callback keeps, is needed) */
    if (f->n_calls == 0 && !f->indirect &&
        (f->sources & (FN_SRC_CALL | FN_SRC_TAIL)))
        goto done;
    EW_TRY(fn_decode(x->dec, x->fns, x->img, f, &x->insns, &x->n_insns));
    if (x->n_insns < f->n_insns || (f->status & FN_ST_TRUNCATED))
        x->status |= VS_ST_DECODE;
    if (!x->n_insns)
        goto done;
    EW_TRY(build_blocks(x));
    if (x->n_blocks > VS_MAX_BLOCKS) {
        /* too big to iterate: every block starts from nothing known, so
         * the call sites (the graph's edges) are still recorded */
        x->status |= VS_ST_PASSES;
        x->emit = true;
        vstate *s = malloc(sizeof *s);
        if (!s)
            return EW_E_NOMEM;
        ew_status st = EW_OK;
        for (size_t k = 0; k < x->n_blocks && st == EW_OK; k++) {
            memset(s, 0, sizeof *s);
            s->live = 1;
            st = run_block(x, k, s);
        }
        free(s);
        EW_TRY(st);
        goto done;
    }
    for (size_t k = 0; k < x->n_blocks; k++)
        x->in[k].live = 0;
    entry_state(&x->in[0]);

    vstate *s = malloc(sizeof *s);
    if (!s)
        return EW_E_NOMEM;
    x->emit = false;
    bool changed = true;
    for (unsigned pass = 0; changed && pass < VS_MAX_PASSES; pass++) {
        changed = false;
        for (size_t k = 0; k < x->n_blocks; k++) {
            if (!x->in[k].live)
                continue;
            state_copy(s, &x->in[k]);
            ew_status st = run_block(x, k, s);
            if (st != EW_OK) {
                free(s);
                return st;
            }
            for (int e = 0; e < 2; e++) {
                int32_t t = x->blocks[k].succ[e];
                if (t >= 0 && merge_into(x, &x->in[t], s) && (size_t)t <= k)
                    changed = true;
            }
            /* a switch: every jump-table target */
            const insn *last = &x->insns[x->blocks[k].last];
            if (last->cls == INSN_JMP && (last->flags & INSN_F_INDIRECT)) {
                size_t nj;
                const fn_jump *j = fn_jumps_at(x->f, last->rva, &nj);
                for (size_t q = 0; q < nj; q++) {
                    long ti = insn_index(x, j[q].target_rva);
                    if (ti < 0)
                        continue;
                    size_t t = x->bidx[ti];
                    if (merge_into(x, &x->in[t], s) && t <= k)
                        changed = true;
                }
            }
        }
    }
    if (changed)
        x->status |= VS_ST_PASSES;
    x->emit = true;
    for (size_t k = 0; k < x->n_blocks; k++) {
        if (!x->in[k].live)
            continue;
        state_copy(s, &x->in[k]);
        ew_status st = run_block(x, k, s);
        if (st != EW_OK) {
            free(s);
            return st;
        }
    }
    free(s);
done:
    vf->n_calls = (uint32_t)(x->calls.n - vf->first_call);
    vf->status = x->status;
    if (x->status)
        x->vs->n_budget++;
    return EW_OK;
}

static int cmp_call_site(const void *a, const void *b)
{
    const vs_call *x = a, *y = b;
    return x->site_rva < y->site_rva ? -1 : x->site_rva > y->site_rva;
}

static int cmp_wide(const void *a, const void *b)
{
    const vs_wide *x = a, *y = b;
    if (x->site_rva != y->site_rva)
        return x->site_rva < y->site_rva ? -1 : 1;
    return x->arg < y->arg ? -1 : x->arg > y->arg;
}

static ew_status run(vctx *x)
{
    vs_set *vs = x->vs;
    const fn_set *fns = x->fns;
    vs->functions = ew_arena_array(&vs->arena, fns->n_functions ? fns->n_functions : 1,
                                   sizeof *vs->functions);
    x->lalts = malloc(VS_MAX_LOCAL_ALTS * sizeof *x->lalts);
    x->lbytes = malloc(VS_MAX_LOCAL_BYTES * sizeof *x->lbytes);
    x->dec = fn_decoder_new();
    if (!vs->functions || !x->lalts || !x->lbytes || !x->dec)
        return EW_E_NOMEM;
    ew_buf_init(&x->calls, sizeof(vs_call));
    ew_buf_init(&x->stores, sizeof(vs_store));
    ew_buf_init(&x->pointees, sizeof(vs_bytes));
    ew_buf_init(&x->alts, sizeof(vs_alt));
    ew_buf_init(&x->wides, sizeof(vs_wide));
    for (size_t i = 0; i < fns->n_functions; i++) {
        ew_status st = analyze_function(x, i);
        if (st != EW_OK) {
            ew_buf_free(&x->calls);
            ew_buf_free(&x->stores);
            ew_buf_free(&x->pointees);
            ew_buf_free(&x->alts);
            ew_buf_free(&x->wides);
            return st;
        }
    }
    vs->calls = x->calls.items;
    vs->n_calls = x->calls.n;
    vs->stores = x->stores.items;
    vs->n_stores = x->stores.n;
    vs->bytes = x->pointees.items;
    vs->n_bytes = x->pointees.n;
    vs->alts = x->alts.items;
    vs->n_alts = x->alts.n;
    vs->wides = x->wides.items;
    vs->n_wides = x->wides.n;
    if (vs->n_wides > 1)
        qsort(vs->wides, vs->n_wides, sizeof *vs->wides, cmp_wide);
    /* a function's records come in block order; sort each by site */
    for (size_t i = 0; i < fns->n_functions; i++) {
        vs_function *vf = &vs->functions[i];
        if (vf->n_calls > 1)
            qsort(vs->calls + vf->first_call, vf->n_calls, sizeof(vs_call),
                  cmp_call_site);
    }
    return EW_OK;
}

ew_status vs_analyze(vs_set *vs, const fn_set *fns, const pe_image *img,
                     const uint8_t *import_keep, ew_diag *d)
{
    memset(vs, 0, sizeof *vs);
    ew_arena_init(&vs->arena, 0);
    vs->fns = fns;
    vctx x;
    memset(&x, 0, sizeof x);
    x.vs = vs;
    x.img = img;
    x.fns = fns;
    x.import_keep = import_keep;
    const pe_load_config *lc = &img->load_config;
    if (lc->guard_check_icall_va > img->image_base)
        x.guard_check_rva = (uint32_t)(lc->guard_check_icall_va - img->image_base);
    if (lc->guard_dispatch_icall_va > img->image_base)
        x.guard_dispatch_rva =
            (uint32_t)(lc->guard_dispatch_icall_va - img->image_base);
    ew_status s = run(&x);
    fn_decoder_free(x.dec);
    free(x.lalts);
    free(x.lbytes);
    free(x.blocks);
    free(x.in);
    free(x.bidx);
    if (s != EW_OK) {
        vs_free(vs);
        return ew_fail(d, s, "value tracking", -1, "%s",
                       s == EW_E_NOMEM ? "out of memory" : "failed");
    }
    return EW_OK;
}

void vs_free(vs_set *vs)
{
    free(vs->calls);
    free(vs->stores);
    free(vs->bytes);
    free(vs->alts);
    free(vs->wides);
    ew_arena_free(&vs->arena);
    memset(vs, 0, sizeof *vs);
}

const vs_call *vs_calls_of(const vs_set *vs, size_t i, size_t *n)
{
    const vs_function *vf = &vs->functions[i];
    *n = vf->n_calls;
    return vf->n_calls ? vs->calls + vf->first_call : NULL;
}

const vs_call *vs_call_at(const vs_set *vs, size_t i, uint32_t site_rva)
{
    size_t n;
    const vs_call *c = vs_calls_of(vs, i, &n);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].site_rva < site_rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && c[lo].site_rva == site_rva ? &c[lo] : NULL;
}

const vs_bytes *vs_pointee(const vs_set *vs, const vs_call *c, unsigned a)
{
    if (a >= VS_ARGS || !(c->pointee_mask & (1u << a)))
        return NULL;
    size_t k = c->pointee;
    for (unsigned i = 0; i < a; i++)
        if (c->pointee_mask & (1u << i))
            k += c->pointee_wide & (1u << i) ? VS_WIDE_CHUNKS : 1;
    size_t chunks = c->pointee_wide & (1u << a) ? VS_WIDE_CHUNKS : 1;
    return k + chunks <= vs->n_bytes ? &vs->bytes[k] : NULL;
}

const vs_bytes *vs_pointee_wide(const vs_set *vs, const vs_call *c,
                                unsigned a)
{
    if (a >= VS_ARGS || !(c->pointee_wide & (1u << a)))
        return NULL;
    return vs_pointee(vs, c, a);
}

const vs_wide *vs_wide_at(const vs_set *vs, uint32_t site_rva, unsigned a)
{
    size_t lo = 0, hi = vs->n_wides;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const vs_wide *w = &vs->wides[mid];
        if (w->site_rva < site_rva || (w->site_rva == site_rva && w->arg < a))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < vs->n_wides && vs->wides[lo].site_rva == site_rva &&
                   vs->wides[lo].arg == a
               ? &vs->wides[lo]
               : NULL;
}

const val *vs_wide_field(const vs_wide *w, unsigned off, unsigned size)
{
    for (uint32_t i = 0; i < w->n && i < VS_WIDE_FIELDS; i++)
        if (w->f[i].off == off && w->f[i].size == size)
            return &w->f[i].v;
    return NULL;
}
