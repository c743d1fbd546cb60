/*
 * functions.h - function discovery for an x64 image.
 *
 * fn_discover finds function starts from the exception directory (.pdata
 * primaries; chained entries fold into their primary), code exports, PDB
 * function publics, the entry point, the CFG function table and the direct
 * call targets met while decoding. Each function is decoded once by
 * recursive traversal of its branches (jcc/jmp inside the function);
 * decoding stops at ret, int3/ud2/hlt, an indirect jmp (unless it is a
 * switch through a jump table: MSVC's image-relative 32-bit entries or
 * clang's table-relative ones, every entry inside the function), and jmp
 * to another function (a tail call, recorded as an edge). Calls through an IAT slot
 * and calls to an import thunk (`jmp [IAT]`) resolve to the import.
 *
 * It does not track values, resolve indirect calls or build the call graph
 * (later stages). Only x64 is supported today; other machines give
 * EW_E_UNSUPPORTED.
 */
#ifndef FUNCTIONS_H
#define FUNCTIONS_H

#include "arch/insn.h"
#include "base/ew.h"
#include "base/ew_arena.h"
#include "format/pdb.h"
#include "format/pe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fn_function.sources: where a start came from (several may apply). */
#define FN_SRC_PDATA 0x01u
#define FN_SRC_EXPORT 0x02u
#define FN_SRC_PDB 0x04u
#define FN_SRC_CALL 0x08u  /* target of a direct call */
#define FN_SRC_ENTRY 0x10u /* AddressOfEntryPoint */
#define FN_SRC_CFG 0x20u   /* CFG function table */
#define FN_SRC_TAIL 0x40u  /* target of a tail jump */

/* fn_function.status */
#define FN_ST_TRUNCATED 0x1u /* hit FN_MAX_INSNS_PER_FUNCTION or
                                FN_MAX_CALLS_PER_FUNCTION */
#define FN_ST_BAD_CODE 0x2u  /* some path reached undecodable or
                                non-file-backed bytes */
#define FN_ST_NO_CODE 0x4u   /* the start itself is not decodable */

typedef struct fn_call {
    uint32_t site_rva;   /* the call/jmp instruction */
    uint32_t target_rva; /* direct target; for import calls through the IAT
                            0 (thunk calls keep the thunk's rva) */
    const pe_import *import; /* borrowed (img): the import called, through
                                its IAT slot or a thunk; NULL otherwise */
    bool tail;           /* a jmp (tail call), not a call */
} fn_call;

/* A switch's jump-table entry: the indirect jmp at site_rva may go to
 * target_rva (a branch inside the function, not a call). */
typedef struct fn_jump {
    uint32_t site_rva;
    uint32_t target_rva;
} fn_jump;

typedef struct fn_function {
    uint32_t rva;
    uint32_t end_rva;    /* .pdata end of the primary entry when there is
                            one, else the end of the last decoded byte */
    const char *name;    /* borrowed (PDB or image file) or arena */
    uint8_t sources;     /* FN_SRC_* */
    uint8_t status;      /* FN_ST_* */
    bool thunk;          /* first instruction is jmp [IAT slot] */
    bool indirect;       /* has a call or jmp through a register or memory
                            other than the IAT and switch tables */
    const pe_import *thunk_import; /* borrowed (img), when thunk */
    uint32_t n_insns;    /* instructions decoded */
    uint32_t clobbers;   /* bit r (insn_reg < 32): registers the function
                            or its callees may change; FN_CLOBBERS_ALL when
                            it calls out of the image, indirectly, or was
                            not fully decoded (MSVC's whole-program
                            register allocation keeps values live across
                            calls to functions that leave them alone) */
    fn_call *calls;      /* arena; sorted by site_rva */
    size_t n_calls;
    fn_jump *jumps;      /* arena; jump-table targets, sorted by (site,
                            target) */
    size_t n_jumps;
} fn_function;

#define FN_CLOBBERS_ALL 0xFFFFFFFFu

typedef struct fn_set {
    fn_function *functions; /* arena; sorted by rva, unique */
    size_t n_functions;
    size_t n_truncated;  /* functions with FN_ST_TRUNCATED */
    size_t n_bad_code;   /* functions with FN_ST_BAD_CODE or NO_CODE */
    size_t n_insns;      /* instructions decoded in all */
    bool functions_capped; /* FN_MAX_FUNCTIONS reached; starts dropped */
    ew_arena arena;
} fn_set;

/* Discovers and decodes the functions of img (pdb may be NULL; when given
 * it must belong to img and outlive the set). Names point into img's and
 * pdb's data, which must stay mapped. EW_E_UNSUPPORTED (with d) for
 * machines other than x64, EW_E_NOMEM when the arena says no. Budget hits
 * are counted in the set, not errors. Release with fn_free. */
ew_status fn_discover(fn_set *set, const pe_image *img, const pdb_file *pdb,
                      ew_diag *d);
void fn_free(fn_set *set);

/* Re-decoding a function for later stages: the same instructions that
 * fn_discover decoded (branches followed and tail calls stopped as it
 * decided), sorted by rva. A decoder holds the scratch memory and is reused
 * across functions; *out stays valid until the next call. */
typedef struct fn_decoder fn_decoder;
fn_decoder *fn_decoder_new(void);
void fn_decoder_free(fn_decoder *dec);
ew_status fn_decode(fn_decoder *dec, const fn_set *set, const pe_image *img,
                    const fn_function *f, const insn **out, size_t *n);

/* The call record of f at site (a call or tail jump), or NULL. */
const fn_call *fn_call_at(const fn_function *f, uint32_t site);

/* The jump-table targets of the indirect jmp at site in f (a run of
 * f->jumps), or NULL with *n = 0. */
const fn_jump *fn_jumps_at(const fn_function *f, uint32_t site, size_t *n);

/* The function starting at rva, or NULL. */
const fn_function *fn_find(const fn_set *set, uint32_t rva);
/* The function with the greatest start <= rva whose [rva, end_rva) holds
 * rva, or NULL. */
const fn_function *fn_containing(const fn_set *set, uint32_t rva);

#endif
