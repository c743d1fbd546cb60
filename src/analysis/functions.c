/*
 * functions.c - function discovery and per-function decoding (x64).
 *
 * Seeds (.pdata primaries, code exports, PDB function publics, the entry
 * point, the CFG table) go into one table; a worklist then decodes each
 * function once (recursive traversal of its branches, x64_decode per
 * instruction, bytes read through pe_rva_avail) and adds every direct call
 * target it meets. Budgets: FN_MAX_FUNCTIONS starts, and per function
 * FN_MAX_INSNS_PER_FUNCTION instructions and FN_MAX_CALLS_PER_FUNCTION
 * call sites (ew_limits.h). The result is sorted by rva and does not
 * depend on anything but the input.
 */
#include "analysis/functions.h"

#include "arch/x64.h"
#include "base/ew_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- open-addressing sets keyed by rva -------------------------------- */

/* rva -> function index (+1; 0 = empty slot). Power-of-two capacity. */
typedef struct rva_map {
    uint32_t *keys, *vals;
    size_t cap, n;
} rva_map;

static size_t hash_rva(uint32_t r)
{
    return (size_t)((r * 0x9E3779B1u) ^ (r >> 15));
}

static ew_status map_init(rva_map *m, ew_arena *a, size_t cap)
{
    m->keys = ew_arena_array(a, cap, sizeof *m->keys);
    m->vals = ew_arena_array(a, cap, sizeof *m->vals);
    m->cap = cap;
    m->n = 0;
    return m->keys && m->vals ? EW_OK : EW_E_NOMEM;
}

static uint32_t map_get(const rva_map *m, uint32_t rva)
{
    size_t mask = m->cap - 1;
    for (size_t i = hash_rva(rva) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] == 0)
            return 0;
        if (m->keys[i] == rva)
            return m->vals[i];
    }
}

static ew_status map_put(rva_map *m, ew_arena *a, uint32_t rva, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        rva_map g;
        EW_TRY(map_init(&g, a, m->cap * 2));
        for (size_t i = 0; i < m->cap; i++)
            if (m->vals[i])
                EW_TRY(map_put(&g, a, m->keys[i], m->vals[i]));
        *m = g;
    }
    size_t mask = m->cap - 1;
    size_t i = hash_rva(rva) & mask;
    while (m->vals[i] != 0 && m->keys[i] != rva)
        i = (i + 1) & mask;
    if (m->vals[i] == 0)
        m->n++;
    m->keys[i] = rva;
    m->vals[i] = val;
    return EW_OK;
}

/* Instruction starts visited in the current function: fixed capacity
 * (2 x FN_MAX_INSNS_PER_FUNCTION), cleared by bumping the generation. */
typedef struct visit_set {
    uint32_t *keys, *gens;
    size_t cap;
    uint32_t gen;
} visit_set;

static bool visit_test_set(visit_set *v, uint32_t rva)
{
    size_t mask = v->cap - 1;
    for (size_t i = hash_rva(rva) & mask;; i = (i + 1) & mask) {
        if (v->gens[i] != v->gen) {
            v->gens[i] = v->gen;
            v->keys[i] = rva;
            return false;
        }
        if (v->keys[i] == rva)
            return true;
    }
}

static bool visit_has(const visit_set *v, uint32_t rva)
{
    size_t mask = v->cap - 1;
    for (size_t i = hash_rva(rva) & mask;; i = (i + 1) & mask) {
        if (v->gens[i] != v->gen)
            return false;
        if (v->keys[i] == rva)
            return true;
    }
}

/* ---- discovery state ---------------------------------------------------- */

#define JT_WINDOW 8 /* instructions looked back from a switch's jmp */

typedef struct iat_entry {
    uint32_t slot_rva;
    const pe_import *imp;
} iat_entry;

typedef struct disc {
    const pe_image *img;
    fn_set *set;
    ew_vec fns;  /* fn_function, discovery order */
    rva_map starts;
    iat_entry *iat; /* sorted by slot_rva */
    size_t n_iat;
    /* per-function scratch (scratch arena) */
    visit_set visited;
    uint32_t *blocks;
    size_t n_blocks;
    fn_call *calls;
    size_t n_calls;
    fn_jump *jumps;
    size_t n_jumps;
    insn ring[JT_WINDOW]; /* the last instructions of the current run,
                             circular: the newest at ring_pos - 1 */
    unsigned n_ring, ring_pos;
} disc;


static ew_status add_start(disc *st, uint32_t rva, uint8_t src)
{
    if (!pe_rva_is_code(st->img, rva))
        return EW_OK;
    uint32_t v = map_get(&st->starts, rva);
    if (v) {
        EW_VEC_AT(&st->fns, fn_function, v - 1)->sources |= src;
        return EW_OK;
    }
    if (st->fns.n >= FN_MAX_FUNCTIONS) {
        st->set->functions_capped = true;
        return EW_OK;
    }
    fn_function *f = ew_vec_push(&st->fns, &st->set->arena);
    if (!f)
        return EW_E_NOMEM;
    f->rva = rva;
    f->sources = src;
    return map_put(&st->starts, &st->set->arena, rva, (uint32_t)st->fns.n);
}

static int cmp_iat(const void *a, const void *b)
{
    const iat_entry *x = a, *y = b;
    if (x->slot_rva != y->slot_rva)
        return x->slot_rva < y->slot_rva ? -1 : 1;
    return x->imp < y->imp ? -1 : x->imp > y->imp; /* directory order */
}

static const pe_import *iat_find(const disc *st, uint32_t slot)
{
    size_t lo = 0, hi = st->n_iat;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->iat[mid].slot_rva < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->n_iat && st->iat[lo].slot_rva == slot ? st->iat[lo].imp
                                                           : NULL;
}

/* Is rva (a fall-through or branch target) still inside function f? */
/* e: rva's .pdata entry (pe_find_function), or NULL. */
static bool in_region(const disc *st, const fn_function *f, uint32_t rva,
                      const pe_runtime_function *e)
{
    if (f->sources & FN_SRC_PDATA)
        return e && e->primary_rva == f->rva;
    if (e)
        return false;
    if (rva != f->rva && map_get(&st->starts, rva))
        return false;
    return pe_rva_is_code(st->img, rva);
}

static bool in_own_region(const disc *st, const fn_function *f, uint32_t rva)
{
    return in_region(st, f, rva, pe_find_function(st->img, rva));
}

/* Does a jump from f to target leave f (a tail call)? */
static bool leaves_function(const disc *st, const fn_function *f,
                            uint32_t target)
{
    if (target == f->rva)
        return false;
    /* .pdata decides first: a PDB label or export inside f's own range is
     * a branch target, not another function */
    const pe_runtime_function *e = pe_find_function(st->img, target);
    if (e)
        return e->primary_rva != f->rva;
    if (map_get(&st->starts, target))
        return true;
    if (f->sources & FN_SRC_PDATA)
        return true;
    return target < f->rva;
}

static void add_call(disc *st, fn_function *f, uint32_t site, uint32_t target,
                     const pe_import *imp, bool tail)
{
    if (st->n_calls >= FN_MAX_CALLS_PER_FUNCTION) {
        f->status |= FN_ST_TRUNCATED;
        return;
    }
    fn_call *c = &st->calls[st->n_calls++];
    c->site_rva = site;
    c->target_rva = target;
    c->import = imp;
    c->tail = tail;
}

static void push_block(disc *st, fn_function *f, uint32_t rva)
{
    if (visit_has(&st->visited, rva))
        return;
    if (st->n_blocks >= FN_MAX_INSNS_PER_FUNCTION) {
        f->status |= FN_ST_TRUNCATED;
        return;
    }
    st->blocks[st->n_blocks++] = rva;
}

/* A tail-jump target starts a function unless it is inside another
 * .pdata function (a jump into the middle of it). */
static ew_status add_tail_start(disc *st, uint32_t target)
{
    const pe_runtime_function *e = pe_find_function(st->img, target);
    if (e && e->primary_rva != target)
        return EW_OK;
    return add_start(st, target, FN_SRC_TAIL);
}

/* ---- switch jump tables -------------------------------------------------- */

/* The last instruction in ring[0..n) (newest last) that writes register
 * r, before index before; -1 when none. */
static int last_writer(const insn *ring, int before, uint8_t r)
{
    for (int i = before - 1; i >= 0; i--)
        for (unsigned k = 0; k < ring[i].n_ops; k++)
            if (ring[i].ops[k].kind == INSN_OP_REG &&
                ring[i].ops[k].reg == r &&
                (ring[i].ops[k].flags & INSN_OP_WRITE))
                return i;
    return -1;
}

/*
 * Targets of `jmp reg` when it ends a switch dispatch (the two shapes
 * compilers emit for x64):
 *   MSVC   mov ecx, [rB + rI*4 + TABLE]; add rcx, rB; jmp rcx
 *          (rB = __ImageBase: entries are image RVAs)
 *   clang  lea rB, [rip + TABLE]; movsxd rcx, [rB + rI*4]; add rcx, rB;
 *          jmp rcx (entries are offsets from the table)
 * Entries are read until one is not a target inside f (a branch), at most
 * FN_MAX_JUMP_TABLE, and only when a bound check `cmp rI, N` is seen
 * (then N + 1 entries) or all read entries are valid. Returns how many
 * targets were written to out.
 */
static size_t jump_table(const disc *st, const fn_function *f,
                         const insn *jmp, uint32_t *out)
{
    insn ring[JT_WINDOW]; /* oldest first */
    int n = (int)st->n_ring;
    for (int i = 0; i < n; i++)
        ring[i] = st->ring[(st->ring_pos - (unsigned)n + (unsigned)i) % JT_WINDOW];
    if (jmp->n_ops < 1 || jmp->ops[0].kind != INSN_OP_REG)
        return 0;
    uint8_t r = jmp->ops[0].reg;
    int ia = last_writer(ring, n, r);
    if (ia < 0 || ring[ia].cls != INSN_ADD || ring[ia].n_ops < 2 ||
        ring[ia].ops[1].kind != INSN_OP_REG)
        return 0;
    uint8_t base = ring[ia].ops[1].reg;
    int il = last_writer(ring, ia, r);
    if (il < 0 || (ring[il].cls != INSN_MOV && ring[il].cls != INSN_MOVZX) ||
        ring[il].n_ops < 2)
        return 0;
    const insn_op *m = &ring[il].ops[1];
    if (m->kind != INSN_OP_MEM || m->base != base || !m->index ||
        m->scale != 4 || m->size != 4)
        return 0;
    uint32_t table;
    bool relative;
    int ib = last_writer(ring, il, base);
    if (ib >= 0 && ring[ib].cls == INSN_LEA &&
        (ring[ib].ops[1].flags & INSN_OP_RIPREL) && m->disp == 0) {
        table = ring[ib].ops[1].target_rva; /* clang: table-relative */
        relative = true;
    } else if (m->disp > 0 && m->disp <= UINT32_MAX) {
        table = (uint32_t)m->disp; /* MSVC: rB is the image base */
        relative = false;
    } else {
        return 0;
    }
    /* a bound check on the index: cmp rI, N (then ja default) */
    size_t count = FN_MAX_JUMP_TABLE;
    for (int i = il - 1; i >= 0; i--) {
        const insn *c = &ring[i];
        if (c->cls == INSN_OTHER && c->n_ops == 2 &&
            c->ops[0].kind == INSN_OP_REG && c->ops[0].reg == m->index &&
            c->ops[1].kind == INSN_OP_IMM && !(c->ops[0].flags & INSN_OP_WRITE) &&
            c->ops[1].imm >= 0 && c->ops[1].imm < FN_MAX_JUMP_TABLE) {
            count = (size_t)c->ops[1].imm + 1;
            break;
        }
    }
    size_t k = 0;
    for (; k < count; k++) {
        size_t off, avail;
        if (pe_rva_avail(st->img, table + 4 * (uint32_t)k, &off, &avail) !=
                EW_OK ||
            avail < 4)
            break;
        const uint8_t *p = st->img->data + off;
        uint32_t e = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        uint32_t t = relative ? table + e : e; /* e is signed: wraps */
        if (t == f->rva || !in_own_region(st, f, t) || !pe_rva_is_code(st->img, t))
            break;
        out[k] = t;
    }
    if (k == 0 || (count != FN_MAX_JUMP_TABLE && k != count))
        return 0;
    return k;
}

static int cmp_jump(const void *a, const void *b)
{
    const fn_jump *x = a, *y = b;
    if (x->site_rva != y->site_rva)
        return x->site_rva < y->site_rva ? -1 : 1;
    return x->target_rva < y->target_rva ? -1 : x->target_rva > y->target_rva;
}

static int cmp_call(const void *a, const void *b)
{
    const fn_call *x = a, *y = b;
    return x->site_rva < y->site_rva ? -1 : x->site_rva > y->site_rva;
}

/* Decodes function idx; may append new starts (st->fns may move). */
static ew_status decode_function(disc *st, size_t idx)
{
    fn_function *f = EW_VEC_AT(&st->fns, fn_function, idx);
    const pe_image *img = st->img;
    uint32_t end = f->rva;
    uint32_t n_insns = 0;
    uint32_t writes = 0;
    bool indirect = false;
    const pe_runtime_function *last_e = NULL;
    uint8_t status = 0;
    bool thunk = false;
    const pe_import *thunk_imp = NULL;

    if (++st->visited.gen == 0) {
        memset(st->visited.gens, 0,
               st->visited.cap * sizeof *st->visited.gens);
        st->visited.gen = 1;
    }
    st->n_blocks = 0;
    st->n_calls = 0;
    st->blocks[st->n_blocks++] = f->rva;

    st->n_jumps = 0;
    while (st->n_blocks > 0) {
        uint32_t rva = st->blocks[--st->n_blocks];
        st->n_ring = st->ring_pos = 0;
        for (;;) {
            if (visit_has(&st->visited, rva))
                break;
            if (n_insns >= FN_MAX_INSNS_PER_FUNCTION) {
                status |= FN_ST_TRUNCATED;
                st->n_blocks = 0;
                break;
            }
            size_t off, avail;
            insn in;
            if (pe_rva_avail(img, rva, &off, &avail) != EW_OK ||
                x64_decode(img->data + off, avail, rva, &in) != EW_OK) {
                status |= rva == f->rva ? FN_ST_NO_CODE : FN_ST_BAD_CODE;
                break;
            }
            visit_test_set(&st->visited, rva);
            n_insns++;
            writes |= in.hidden_writes;
            for (unsigned k = 0; k < in.n_ops; k++)
                if (in.ops[k].kind == INSN_OP_REG &&
                    (in.ops[k].flags & INSN_OP_WRITE) && in.ops[k].reg < 32)
                    writes |= 1u << in.ops[k].reg;
            bool is_switch = false;
            if (in.cls == INSN_JMP && (in.flags & INSN_F_INDIRECT) &&
                !(in.flags & INSN_F_SLOT)) {
                uint32_t targets[FN_MAX_JUMP_TABLE];
                f = EW_VEC_AT(&st->fns, fn_function, idx);
                size_t nt = jump_table(st, f, &in, targets);
                for (size_t k = 0; k < nt; k++) {
                    if (st->n_jumps >= FN_MAX_JUMPS_PER_FUNCTION) {
                        status |= FN_ST_TRUNCATED;
                        break;
                    }
                    st->jumps[st->n_jumps].site_rva = rva;
                    st->jumps[st->n_jumps++].target_rva = targets[k];
                    push_block(st, f, targets[k]);
                }
                is_switch = nt > 0;
            }
            if ((in.cls == INSN_CALL || in.cls == INSN_JMP) &&
                (in.flags & INSN_F_INDIRECT) && !is_switch) {
                writes = FN_CLOBBERS_ALL;
                if (!(in.flags & INSN_F_SLOT) || !iat_find(st, in.slot_rva))
                    indirect = true;
            }
            st->ring[st->ring_pos++ % JT_WINDOW] = in; /* circular */
            if (st->n_ring < JT_WINDOW)
                st->n_ring++;
            if (rva + in.length > end)
                end = rva + in.length;
            bool stop = false;
            f = EW_VEC_AT(&st->fns, fn_function, idx);
            switch (in.cls) {
            case INSN_CALL:
                if (in.flags & INSN_F_DIRECT) {
                    add_call(st, f, rva, in.target_rva, NULL, false);
                    EW_TRY(add_start(st, in.target_rva, FN_SRC_CALL));
                } else if (in.flags & INSN_F_SLOT) {
                    const pe_import *imp = iat_find(st, in.slot_rva);
                    if (imp)
                        add_call(st, f, rva, 0, imp, false);
                }
                break;
            case INSN_JMP:
                stop = true;
                if (in.flags & INSN_F_DIRECT) {
                    if (leaves_function(st, f, in.target_rva)) {
                        add_call(st, f, rva, in.target_rva, NULL, true);
                        EW_TRY(add_tail_start(st, in.target_rva));
                    } else if (pe_rva_is_code(img, in.target_rva)) {
                        push_block(st, f, in.target_rva);
                    }
                } else if (in.flags & INSN_F_SLOT) {
                    const pe_import *imp = iat_find(st, in.slot_rva);
                    if (imp) {
                        add_call(st, f, rva, 0, imp, true);
                        if (rva == f->rva) {
                            thunk = true;
                            thunk_imp = imp;
                        }
                    }
                }
                break;
            case INSN_JCC:
                if (in.flags & INSN_F_DIRECT) {
                    if (leaves_function(st, f, in.target_rva)) {
                        add_call(st, f, rva, in.target_rva, NULL, true);
                        EW_TRY(add_tail_start(st, in.target_rva));
                    } else if (pe_rva_is_code(img, in.target_rva))
                        push_block(st, f, in.target_rva);
                }
                break;
            case INSN_RET:
            case INSN_INT3:
            case INSN_HALT:
                stop = true;
                break;
            default:
                break;
            }
            f = EW_VEC_AT(&st->fns, fn_function, idx);
            if (stop)
                break;
            rva += in.length;
            /* fall-through: inside the .pdata entry just checked? */
            if (last_e && rva >= last_e->begin_rva && rva < last_e->end_rva &&
                (f->sources & FN_SRC_PDATA)) {
                if (last_e->primary_rva != f->rva)
                    break;
                continue;
            }
            last_e = pe_find_function(img, rva);
            if (!in_region(st, f, rva, last_e))
                break;
        }
    }

    f = EW_VEC_AT(&st->fns, fn_function, idx);
    f->status |= status;
    f->n_insns = n_insns;
    f->clobbers = status ? FN_CLOBBERS_ALL : writes;
    f->indirect = indirect;
    f->thunk = thunk;
    f->thunk_import = thunk_imp;
    const pe_runtime_function *e = pe_find_function(img, f->rva);
    f->end_rva = e && e->begin_rva == f->rva ? e->end_rva : end;
    if (st->n_jumps) {
        qsort(st->jumps, st->n_jumps, sizeof *st->jumps, cmp_jump);
        f->jumps = ew_arena_array(&st->set->arena, st->n_jumps,
                                  sizeof *f->jumps);
        if (!f->jumps)
            return EW_E_NOMEM;
        memcpy(f->jumps, st->jumps, st->n_jumps * sizeof *f->jumps);
        f->n_jumps = st->n_jumps;
    }
    if (st->n_calls) {
        qsort(st->calls, st->n_calls, sizeof *st->calls, cmp_call);
        f->calls = ew_arena_array(&st->set->arena, st->n_calls,
                                  sizeof *f->calls);
        if (!f->calls)
            return EW_E_NOMEM;
        memcpy(f->calls, st->calls, st->n_calls * sizeof *f->calls);
        f->n_calls = st->n_calls;
    }
    return EW_OK;
}

/* ---- names -------------------------------------------------------------- */

static int cmp_fn(const void *a, const void *b)
{
    const fn_function *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static int cmp_export_rva(const void *a, const void *b)
{
    const pe_export *x = *(const pe_export *const *)a;
    const pe_export *y = *(const pe_export *const *)b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

static ew_status name_functions(fn_set *set, const pe_image *img,
                                const pdb_file *pdb)
{
    /* named, non-forwarded exports sorted by (rva, ordinal) */
    const pe_export **ex = NULL;
    size_t n_ex = 0;
    if (img->n_exports) {
        ex = ew_arena_array(&set->arena, img->n_exports, sizeof *ex);
        if (!ex)
            return EW_E_NOMEM;
        for (size_t i = 0; i < img->n_exports; i++)
            if (img->exports[i].name && !img->exports[i].forwarder)
                ex[n_ex++] = &img->exports[i];
        qsort(ex, n_ex, sizeof *ex, cmp_export_rva);
    }
    size_t xi = 0;
    for (size_t i = 0; i < set->n_functions; i++) {
        fn_function *f = &set->functions[i];
        if (pdb) {
            const pdb_symbol *s = pdb_find_by_rva(pdb, f->rva);
            if (!(s && s->has_rva && s->rva == f->rva && s->name && s->name[0]))
                s = pdb_find_proc(pdb, f->rva); /* a static function */
            if (s && s->name && s->name[0]) {
                f->name = s->name;
                continue;
            }
        }
        while (xi < n_ex && ex[xi]->rva < f->rva)
            xi++;
        if (xi < n_ex && ex[xi]->rva == f->rva) {
            f->name = ex[xi]->name;
            continue;
        }
        char buf[64];
        if (f->thunk && f->thunk_import && f->thunk_import->name) {
            f->name = f->thunk_import->name;
            continue;
        }
        if (f->thunk && f->thunk_import)
            snprintf(buf, sizeof buf, "%.40s#%u",
                     f->thunk_import->dll ? f->thunk_import->dll : "?",
                     (unsigned)f->thunk_import->ordinal);
        else
            snprintf(buf, sizeof buf, "sub_%x", (unsigned)f->rva);
        f->name = ew_arena_strndup(&set->arena, buf, strlen(buf));
        if (!f->name)
            return EW_E_NOMEM;
    }
    return EW_OK;
}

/* ---- driver ------------------------------------------------------------- */

static ew_status seed(disc *st, const pe_image *img, const pdb_file *pdb)
{
    for (size_t i = 0; i < img->n_functions; i++)
        EW_TRY(add_start(st, img->functions[i].primary_rva, FN_SRC_PDATA));
    for (size_t i = 0; i < img->n_exports; i++)
        if (!img->exports[i].forwarder && img->exports[i].rva)
            EW_TRY(add_start(st, img->exports[i].rva, FN_SRC_EXPORT));
    if (img->entry_rva)
        EW_TRY(add_start(st, img->entry_rva, FN_SRC_ENTRY));
    for (size_t i = 0; i < img->load_config.n_guard_functions; i++)
        EW_TRY(add_start(st, img->load_config.guard_functions[i],
                         FN_SRC_CFG));
    if (pdb) {
        for (size_t i = 0; i < pdb->n_publics; i++) {
            const pdb_symbol *s = &pdb->publics[i];
            if (s->has_rva && (s->flags & PDB_PUB_FUNCTION))
                EW_TRY(add_start(st, s->rva, FN_SRC_PDB));
        }
        for (size_t i = 0; i < pdb->n_procs; i++) /* statics too */
            if (pdb->procs[i].has_rva)
                EW_TRY(add_start(st, pdb->procs[i].rva, FN_SRC_PDB));
    }
    return EW_OK;
}

/* Each function's clobbers take in its callees' (to a fixpoint over
 * recursion, at most FN_MAX_CLOBBER_PASSES passes; then everything). */
static ew_status clobbers_closure(fn_set *set)
{
    /* each call's callee, looked up once: index + 1, 0 = out of the image
     * (an import, a thunk or no function): everything is clobbered */
    size_t n_calls = 0;
    for (size_t i = 0; i < set->n_functions; i++)
        n_calls += set->functions[i].n_calls;
    uint32_t *callee = malloc((n_calls ? n_calls : 1) * sizeof *callee);
    if (!callee)
        return EW_E_NOMEM;
    for (size_t i = 0, k = 0; i < set->n_functions; i++) {
        const fn_function *f = &set->functions[i];
        for (size_t j = 0; j < f->n_calls; j++, k++) {
            const fn_call *c = &f->calls[j];
            const fn_function *t =
                c->import || !c->target_rva ? NULL : fn_find(set, c->target_rva);
            callee[k] = t && !t->thunk ? (uint32_t)(t - set->functions) + 1 : 0;
        }
    }
    bool changed = true;
    for (unsigned pass = 0; changed && pass < FN_MAX_CLOBBER_PASSES; pass++) {
        changed = false;
        for (size_t i = 0, k = 0; i < set->n_functions; i++) {
            fn_function *f = &set->functions[i];
            uint32_t m = f->clobbers;
            for (size_t j = 0; j < f->n_calls; j++, k++)
                if (m != FN_CLOBBERS_ALL)
                    m |= callee[k] ? set->functions[callee[k] - 1].clobbers
                                   : FN_CLOBBERS_ALL;
            if (m != f->clobbers) {
                f->clobbers = m;
                changed = true;
            }
        }
    }
    free(callee);
    if (changed)
        for (size_t i = 0; i < set->n_functions; i++)
            if (set->functions[i].n_calls)
                set->functions[i].clobbers = FN_CLOBBERS_ALL;
    return EW_OK;
}

static ew_status run(disc *st, ew_arena *scratch, const pe_image *img,
                     const pdb_file *pdb)
{
    fn_set *set = st->set;
    EW_TRY(map_init(&st->starts, &set->arena, 1024));
    st->visited.cap = 2 * (size_t)FN_MAX_INSNS_PER_FUNCTION;
    st->visited.keys =
        ew_arena_array(scratch, st->visited.cap, sizeof(uint32_t));
    st->visited.gens =
        ew_arena_array(scratch, st->visited.cap, sizeof(uint32_t));
    st->blocks =
        ew_arena_array(scratch, FN_MAX_INSNS_PER_FUNCTION, sizeof(uint32_t));
    st->calls =
        ew_arena_array(scratch, FN_MAX_CALLS_PER_FUNCTION, sizeof(fn_call));
    st->jumps =
        ew_arena_array(scratch, FN_MAX_JUMPS_PER_FUNCTION, sizeof(fn_jump));
    st->iat = img->n_imports
                  ? ew_arena_array(scratch, img->n_imports, sizeof *st->iat)
                  : NULL;
    if (!st->visited.keys || !st->visited.gens || !st->blocks ||
        !st->calls || !st->jumps || (img->n_imports && !st->iat))
        return EW_E_NOMEM;
    for (size_t i = 0; i < img->n_imports; i++) {
        st->iat[i].slot_rva = img->imports[i].iat_rva;
        st->iat[i].imp = &img->imports[i];
    }
    st->n_iat = img->n_imports;
    if (st->n_iat)
        qsort(st->iat, st->n_iat, sizeof *st->iat, cmp_iat);

    EW_TRY(seed(st, img, pdb));
    /* the function vector is the worklist: each entry decoded once */
    for (size_t i = 0; i < st->fns.n; i++)
        EW_TRY(decode_function(st, i));

    set->n_functions = st->fns.n;
    set->functions = st->fns.items;
    if (set->n_functions)
        qsort(set->functions, set->n_functions, sizeof *set->functions,
              cmp_fn);
    for (size_t i = 0; i < set->n_functions; i++) {
        fn_function *f = &set->functions[i];
        set->n_insns += f->n_insns;
        if (f->status & FN_ST_TRUNCATED)
            set->n_truncated++;
        if (f->status & (FN_ST_BAD_CODE | FN_ST_NO_CODE))
            set->n_bad_code++;
    }
    /* calls to an import thunk are calls to the import */
    for (size_t i = 0; i < set->n_functions; i++) {
        fn_function *f = &set->functions[i];
        for (size_t j = 0; j < f->n_calls; j++) {
            fn_call *c = &f->calls[j];
            if (c->import || !c->target_rva)
                continue;
            const fn_function *t = fn_find(set, c->target_rva);
            if (t && t->thunk)
                c->import = t->thunk_import;
        }
    }
    EW_TRY(clobbers_closure(set));
    return name_functions(set, img, pdb);
}

ew_status fn_discover(fn_set *set, const pe_image *img, const pdb_file *pdb,
                      ew_diag *d)
{
    memset(set, 0, sizeof *set);
    ew_arena_init(&set->arena, 0);
    if (img->machine != PE_MACHINE_AMD64)
        return ew_fail(d, EW_E_UNSUPPORTED, "function discovery", -1,
                       "machine %s (0x%04x): only x64 code is decoded",
                       pe_machine_name(img->machine), img->machine);
    disc st;
    memset(&st, 0, sizeof st);
    st.img = img;
    st.set = set;
    ew_vec_init(&st.fns, sizeof(fn_function));
    ew_arena scratch;
    ew_arena_init(&scratch, 0);
    ew_status s = run(&st, &scratch, img, pdb);
    ew_arena_free(&scratch);
    if (s != EW_OK) {
        fn_free(set);
        return ew_fail(d, s, "function discovery", -1, "%s",
                       s == EW_E_NOMEM ? "out of memory" : "failed");
    }
    return EW_OK;
}

void fn_free(fn_set *set)
{
    ew_arena_free(&set->arena);
    memset(set, 0, sizeof *set);
}

const fn_function *fn_find(const fn_set *set, uint32_t rva)
{
    size_t lo = 0, hi = set->n_functions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->functions[mid].rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < set->n_functions && set->functions[lo].rva == rva
               ? &set->functions[lo]
               : NULL;
}

const fn_function *fn_containing(const fn_set *set, uint32_t rva)
{
    size_t lo = 0, hi = set->n_functions;
    while (lo < hi) { /* first with start > rva */
        size_t mid = lo + (hi - lo) / 2;
        if (set->functions[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const fn_function *f = &set->functions[lo - 1];
    return rva < f->end_rva ? f : NULL;
}

/* ---- re-decoding -------------------------------------------------------- */

struct fn_decoder {
    visit_set visited;
    uint32_t *blocks;
    insn *insns;
    size_t n_insns, cap_insns;
};

fn_decoder *fn_decoder_new(void)
{
    fn_decoder *dec = calloc(1, sizeof *dec);
    if (!dec)
        return NULL;
    dec->visited.cap = 2 * (size_t)FN_MAX_INSNS_PER_FUNCTION;
    dec->visited.keys = calloc(dec->visited.cap, sizeof(uint32_t));
    dec->visited.gens = calloc(dec->visited.cap, sizeof(uint32_t));
    dec->blocks = calloc(FN_MAX_INSNS_PER_FUNCTION, sizeof(uint32_t));
    if (!dec->visited.keys || !dec->visited.gens || !dec->blocks) {
        fn_decoder_free(dec);
        return NULL;
    }
    return dec;
}

void fn_decoder_free(fn_decoder *dec)
{
    if (!dec)
        return;
    free(dec->visited.keys);
    free(dec->visited.gens);
    free(dec->blocks);
    free(dec->insns);
    free(dec);
}

const fn_call *fn_call_at(const fn_function *f, uint32_t site)
{
    size_t lo = 0, hi = f->n_calls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->calls[mid].site_rva < site)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->n_calls && f->calls[lo].site_rva == site ? &f->calls[lo]
                                                           : NULL;
}

/* in_own_region after discovery: the set replaces the starts map. The
 * .pdata entry of the previous answer is kept (*last): consecutive
 * instructions are nearly always in the same one. */
static bool still_inside(const fn_set *set, const pe_image *img,
                         const fn_function *f, uint32_t rva,
                         const pe_runtime_function **last)
{
    const pe_runtime_function *e = *last;
    if (!e || rva < e->begin_rva || rva >= e->end_rva)
        *last = e = pe_find_function(img, rva);
    if (f->sources & FN_SRC_PDATA)
        return e && e->primary_rva == f->rva;
    if (e || rva >= f->end_rva)
        return false;
    if (rva != f->rva && fn_find(set, rva))
        return false;
    return pe_rva_is_code(img, rva);
}

static int cmp_insn(const void *a, const void *b)
{
    const insn *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

ew_status fn_decode(fn_decoder *dec, const fn_set *set, const pe_image *img,
                    const fn_function *f, const insn **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    dec->n_insns = 0;
    if (++dec->visited.gen == 0) {
        memset(dec->visited.gens, 0,
               dec->visited.cap * sizeof *dec->visited.gens);
        dec->visited.gen = 1;
    }
    size_t n_blocks = 0;
    dec->blocks[n_blocks++] = f->rva;
    size_t budget = f->n_insns; /* never more than discovery decoded */
    const pe_runtime_function *last = NULL;
    while (n_blocks > 0) {
        uint32_t rva = dec->blocks[--n_blocks];
        for (;;) {
            if (visit_has(&dec->visited, rva) || dec->n_insns >= budget)
                break;
            size_t off, avail;
            insn in;
            if (pe_rva_avail(img, rva, &off, &avail) != EW_OK ||
                x64_decode(img->data + off, avail, rva, &in) != EW_OK)
                break;
            visit_test_set(&dec->visited, rva);
            if (dec->n_insns == dec->cap_insns) {
                size_t cap = dec->cap_insns ? dec->cap_insns * 2 : 256;
                insn *g = realloc(dec->insns, cap * sizeof *g);
                if (!g)
                    return EW_E_NOMEM;
                dec->insns = g;
                dec->cap_insns = cap;
            }
            dec->insns[dec->n_insns++] = in;
            if (in.cls == INSN_JMP && (in.flags & INSN_F_INDIRECT)) {
                size_t nj;
                const fn_jump *j = fn_jumps_at(f, rva, &nj);
                for (size_t k = 0; k < nj && n_blocks < FN_MAX_INSNS_PER_FUNCTION; k++)
                    dec->blocks[n_blocks++] = j[k].target_rva;
            }
            bool branch = in.cls == INSN_JMP || in.cls == INSN_JCC;
            if (branch && (in.flags & INSN_F_DIRECT)) {
                const fn_call *c = fn_call_at(f, rva);
                if (!(c && c->tail) && in.target_rva != f->rva &&
                    pe_rva_is_code(img, in.target_rva) &&
                    n_blocks < FN_MAX_INSNS_PER_FUNCTION)
                    dec->blocks[n_blocks++] = in.target_rva;
            }
            if (!insn_falls_through(&in))
                break;
            rva += in.length;
            if (!still_inside(set, img, f, rva, &last))
                break;
        }
    }
    bool sorted = true; /* straight-line code comes out in order */
    for (size_t i = 1; i < dec->n_insns && sorted; i++)
        sorted = dec->insns[i - 1].rva < dec->insns[i].rva;
    if (!sorted)
        qsort(dec->insns, dec->n_insns, sizeof *dec->insns, cmp_insn);
    *out = dec->insns;
    *n = dec->n_insns;
    return EW_OK;
}

const fn_jump *fn_jumps_at(const fn_function *f, uint32_t site, size_t *n)
{
    size_t lo = 0, hi = f->n_jumps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->jumps[mid].site_rva < site)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < f->n_jumps && f->jumps[end].site_rva == site)
        end++;
    *n = end - lo;
    return *n ? &f->jumps[lo] : NULL;
}
