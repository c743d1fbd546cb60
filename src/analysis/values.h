/*
 * values.h - what each call site passes: per-function value tracking.
 *
 * For every function of an fn_set, a forward data-flow over its basic
 * blocks (decoded again with fn_decode) tracks each general-purpose and
 * xmm register and each stack slot as one abstract value (val). Stack
 * slots are field-sensitive (1/2/4/8/16-byte stores at frame offsets), so
 * a 16-byte EVENT_DESCRIPTOR or GUID built field by field, or copied with
 * movups, can be read back at a call. Where paths merge, differing values
 * become a small set of alternatives. Switch jump tables found by
 * fn_discover are followed; a call keeps the volatile registers its
 * callee never writes (fn_function.clobbers). Iteration is bounded;
 * functions without a call are not analysed (nothing to record).
 *
 * The result is one vs_call per call or tail jump: the target (direct,
 * import, or an indirect call resolved from a known code address, e.g.
 * through __guard_dispatch_icall_fptr) and the first VS_ARGS arguments of
 * the Windows x64 convention (rcx, rdx, r8, r9, [rsp+20h], [rsp+28h]),
 * with the 16 bytes behind each argument that points into the frame.
 */
#ifndef VALUES_H
#define VALUES_H

#include "analysis/functions.h"
#include "base/ew.h"
#include "base/ew_arena.h"
#include "format/pe.h"

#include <stdbool.h>
#include <stdint.h>

#define VS_ARGS 6     /* arguments kept per call site */
#define VS_MAX_ALT 16 /* alternatives in one VAL_ALT (a switch choosing
                         among many descriptors) */

typedef enum val_kind {
    VAL_UNKNOWN = 0,
    VAL_CONST,      /* the number c */
    VAL_ADDR,       /* the address of image rva c */
    VAL_LOAD,       /* the size-byte value stored at image rva c */
    VAL_STACK,      /* the address entry-rsp + c (a frame address) */
    VAL_PARAM,      /* incoming parameter `param` times `size` (0: 1),
                       plus c; with VAL_F_IMAGE_BASE, c is an image rva
                       (&table[param]) */
    VAL_PARAM_LOAD, /* the size-byte value at [parameter `param` + c] */
    VAL_BYTES,      /* up to 16 bytes, some known: vs_set.bytes[c] */
    VAL_ALT,        /* one of vs_set.alts[c] */
    VAL_RESULT,     /* what the call at rva c wrote through its pointer
                       argument `param` (a REGHANDLE a registration filled
                       in the frame), or, with param VS_RESULT_RETURN, what
                       it returned (a logger handle) */
    VAL_KIND_COUNT
} val_kind;

typedef struct val {
    uint8_t kind;   /* val_kind */
    uint8_t size;   /* bytes (1..16) of LOAD, PARAM_LOAD, BYTES; the scale
                       of PARAM; else 0 */
    uint16_t param; /* PARAM, PARAM_LOAD: 0-based parameter index */
    uint32_t flags; /* VAL_F_*; other bits zero (values are compared
                       bytewise) */
    int64_t c;
} val;

#define VAL_F_IMAGE_BASE 0x1u /* VAL_PARAM: c is an image rva */
#define VS_RESULT_RETURN 0xFFFFu /* VAL_RESULT.param: the return value */

/* a + b modulo 2^64: values come from hostile code, so arithmetic on
 * them must not overflow a signed type. */
static inline int64_t val_wrap_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Frame offsets beyond this are not tracked (bogus rsp arithmetic). */
#define VAL_MAX_FRAME_OFFSET ((int64_t)1 << 30)

/* The scale of a VAL_PARAM (1 when size is 0). */
static inline unsigned val_param_scale(const val *v)
{
    return v->size ? v->size : 1u;
}

/* Bytes with a per-byte "known" mask: stack contents, pointees. */
typedef struct vs_bytes {
    uint8_t b[16];
    uint16_t known; /* bit i: b[i] is known */
} vs_bytes;

typedef struct vs_alt {
    uint8_t n;
    val v[VS_MAX_ALT];
} vs_alt;

/* vs_call.kind */
typedef enum vs_call_kind {
    VS_CALL_DIRECT,   /* call rel32 to target_rva */
    VS_CALL_TAIL,     /* jmp/jcc to another function (target_rva) */
    VS_CALL_IMPORT,   /* through the IAT or an import thunk (import) */
    VS_CALL_RESOLVED, /* indirect, target_rva found from a known value */
    VS_CALL_INDIRECT, /* indirect, target unknown */
    VS_CALL_KIND_COUNT
} vs_call_kind;

typedef struct vs_call {
    uint32_t site_rva;
    uint32_t target_rva;     /* DIRECT, TAIL, RESOLVED (also thunk calls) */
    const pe_import *import; /* borrowed: IMPORT (and tail jumps to one) */
    uint8_t kind;            /* vs_call_kind */
    bool tail;               /* a jump, not a call */
    uint8_t pointee_mask;    /* bit i: args[i] is a frame address and
                                its bytes follow in vs_set.bytes from
                                `pointee`, in argument order */
    uint8_t pointee_wide;    /* bit i: args[i]'s bytes are VS_WIDE_CHUNKS
                                vs_bytes (VS_KEEP_WIDE), else one */
    uint32_t pointee;
    uint32_t target_fn;      /* index + 1 of the function at target_rva in
                                the fn_set; 0 when none */
    val args[VS_ARGS];
} vs_call;

/* What to keep of a call to an import beyond the usual, chosen per import
 * by the caller of vs_analyze (import_keep[i] for img->imports[i]). */
#define VS_KEEP_WIDE(a) (1u << (a)) /* VS_WIDE_CHUNKS * 16 bytes behind
                                       frame-address argument a (a 48-byte
                                       EVENT_TRACE_HEADER), a < VS_ARGS */
#define VS_KEEP_RETURN 0x80u        /* rax after the call is VAL_RESULT
                                       with param VS_RESULT_RETURN */
#define VS_WIDE_CHUNKS 3

/* vs_function.status */
#define VS_ST_PASSES 0x1u /* iteration budget hit: values may be partial */
#define VS_ST_SLOTS 0x2u  /* too many stack slots: some were dropped */
#define VS_ST_POOL 0x4u   /* alternative/byte pool full: some went unknown */
#define VS_ST_DECODE 0x8u /* re-decoding failed or was truncated */

typedef struct vs_function {
    uint32_t first_call, n_calls; /* into vs_set.calls, sorted by site */
    uint8_t status;               /* VS_ST_* */
} vs_function;

/* A store into an image location of a VAL_RESULT (where a handle
 * registered into the frame ends up: `mov [rip+g], rax`, `xchg`), or of
 * a value read from a parameter (what an enable callback keeps: a classic
 * provider's logger handle). */
typedef struct vs_store {
    uint32_t insn_rva;
    uint32_t target_rva;
    uint32_t call_rva; /* the VAL_RESULT's call; 0 for a parameter's value */
    uint16_t arg;      /* its argument (VS_RESULT_RETURN: its return
                          value), or the parameter */
    uint32_t fn;       /* index of the storing function in the fn_set */
} vs_store;

/* The values stored behind a wide pointee (VS_KEEP_WIDE), field by field
 * (the frame slots inside it): a field keeps its origin where bytes would
 * not (the logger handle loaded from a global into a kernel classic
 * header, an event type that is a parameter). */
#define VS_WIDE_FIELDS 16
typedef struct vs_field {
    uint8_t off, size; /* within the pointee */
    val v;             /* not VAL_BYTES; a VAL_ALT indexes vs_set.alts */
} vs_field;
typedef struct vs_wide {
    uint32_t site_rva;
    uint32_t arg;
    uint32_t n; /* fields, by offset; more than VS_WIDE_FIELDS are not kept */
    vs_field f[VS_WIDE_FIELDS];
} vs_wide;

typedef struct vs_set {
    const fn_set *fns;     /* borrowed */
    vs_function *functions; /* parallel to fns->functions */
    vs_call *calls;   /* owned (heap), like stores, bytes and alts */
    size_t n_calls;
    vs_store *stores; /* in function order, then by block */
    size_t n_stores;
    vs_wide *wides;   /* sorted by (site_rva, arg) */
    size_t n_wides;
    vs_bytes *bytes; /* VAL_BYTES contents and call pointees */
    size_t n_bytes;
    vs_alt *alts;
    size_t n_alts;
    size_t n_budget; /* functions with any VS_ST_* status bit */
    ew_arena arena;
} vs_set;

/* Tracks values in every function of fns (which must outlive vs, as must
 * img). import_keep (NULL, or one VS_KEEP_* set per img->imports entry)
 * asks for more of some calls. EW_E_NOMEM when memory runs out; budget
 * hits are counted, not errors. Release with vs_free. */
ew_status vs_analyze(vs_set *vs, const fn_set *fns, const pe_image *img,
                     const uint8_t *import_keep, ew_diag *d);
void vs_free(vs_set *vs);

/* The calls of function index i (into fns->functions). */
const vs_call *vs_calls_of(const vs_set *vs, size_t i, size_t *n);
/* The call record at site_rva in function index i, or NULL. */
const vs_call *vs_call_at(const vs_set *vs, size_t i, uint32_t site_rva);
/* The bytes behind argument a of c, or NULL when it is not a frame
 * address: the first 16, or with vs_pointee_wide all VS_WIDE_CHUNKS
 * chunks (NULL unless the argument was kept wide). */
const vs_bytes *vs_pointee(const vs_set *vs, const vs_call *c, unsigned a);
const vs_bytes *vs_pointee_wide(const vs_set *vs, const vs_call *c,
                                unsigned a);
/* The 8-byte values behind wide argument a of the call at site_rva, or
 * NULL. */
const vs_wide *vs_wide_at(const vs_set *vs, uint32_t site_rva, unsigned a);
/* The value of the field at off of exactly size bytes, or NULL. */
const val *vs_wide_field(const vs_wide *w, unsigned off, unsigned size);

/* Builders and comparisons shared with the summaries. */
val val_make(val_kind kind, int64_t c);
bool val_eq(const val *a, const val *b);
/* The bytes a value stands for, as far as known (CONST, LOAD of a
 * file-backed image location, BYTES): size bytes into out. */
void vs_materialize(const vs_set *vs, const pe_image *img, const val *v,
                    unsigned size, vs_bytes *out);
const char *val_kind_name(unsigned kind);

#endif
