/*
 * insn.h - etwmap's own instruction model, fed by an architecture decoder
 * (x64.c today; ARM64 later) and read by the analysis.
 *
 * It keeps only what control flow and value tracking need: the class of
 * the instruction, up to three operands (register, memory, immediate,
 * relative target) with sizes, registers in etwmap's own numbering, and
 * the addresses the decoder can resolve statically (direct branch target,
 * RIP-relative memory target). It never holds a pointer into the decoder's
 * structures and never renders text.
 */
#ifndef INSN_H
#define INSN_H

#include <stdbool.h>
#include <stdint.h>

/* What an instruction does, as far as the analysis cares. */
typedef enum insn_class {
    INSN_OTHER = 0,
    INSN_CALL,
    INSN_JMP,   /* unconditional jump (direct or indirect) */
    INSN_JCC,   /* conditional branch (jcc, jrcxz, loop*) */
    INSN_RET,
    INSN_MOV,   /* mov reg/mem <- reg/mem/imm (not a store: see INSN_STORE) */
    INSN_LEA,
    INSN_MOVZX, /* movzx, movsx, movsxd */
    INSN_ADD,
    INSN_SUB,
    INSN_AND,
    INSN_OR,
    INSN_XOR,
    INSN_PUSH,
    INSN_POP,
    INSN_STORE, /* mov to memory (op[0] is INSN_OP_MEM) */
    INSN_VMOV,  /* vector move: movups/movaps/movdqu/movdqa/movq/movd ... */
    INSN_INT3,  /* int3 (padding / breakpoint; ends a block) */
    INSN_HALT,  /* hlt, ud2, int 0x29 (__fastfail): no fall-through */
    INSN_CMOV,  /* cmovcc: op[0] keeps its value or takes op[1]'s */
    INSN_SHL,   /* shl/sal: op[0] <<= op[1] */
    INSN_SETCC, /* setcc: op[0] (a byte) becomes 0 or 1 */
    INSN_SBB,   /* sbb: op[0] -= op[1] + CF (sbb r, r: 0 or all ones) */
    INSN_ADC,   /* adc: op[0] += op[1] + CF */
    INSN_CLASS_COUNT
} insn_class;

/* Registers: general-purpose registers are numbered by their full 64-bit
 * register; the operand's size says which part (al/ah: see INSN_OP_HIGH8).
 * INSN_REG_NONE (0) means "no register". */
typedef enum insn_reg {
    INSN_REG_NONE = 0,
    INSN_REG_RAX, INSN_REG_RCX, INSN_REG_RDX, INSN_REG_RBX,
    INSN_REG_RSP, INSN_REG_RBP, INSN_REG_RSI, INSN_REG_RDI,
    INSN_REG_R8, INSN_REG_R9, INSN_REG_R10, INSN_REG_R11,
    INSN_REG_R12, INSN_REG_R13, INSN_REG_R14, INSN_REG_R15,
    INSN_REG_RIP,
    INSN_REG_XMM0, /* xmm0..xmm31; ymm/zmm map to the same id */
    INSN_REG_XMM31 = INSN_REG_XMM0 + 31,
    INSN_REG_OTHER, /* segment, control, x87, mask, flags ... */
    INSN_REG_COUNT
} insn_reg;

typedef enum insn_op_kind {
    INSN_OP_NONE = 0,
    INSN_OP_REG,
    INSN_OP_MEM,
    INSN_OP_IMM,
    INSN_OP_REL, /* a direct branch/call target: op.target_rva */
    INSN_OP_KIND_COUNT
} insn_op_kind;

/* insn_op.flags */
#define INSN_OP_HIGH8 0x1u   /* ah/ch/dh/bh: bits 8..15 of reg */
#define INSN_OP_RIPREL 0x2u  /* memory [rip+disp]; target_rva is valid */
#define INSN_OP_SEG 0x4u     /* memory with an fs/gs segment override */
#define INSN_OP_READ 0x8u
#define INSN_OP_WRITE 0x10u

typedef struct insn_op {
    uint8_t kind;  /* insn_op_kind */
    uint8_t size;  /* bytes accessed (1, 2, 4, 8, 16, 32, 64); 0 if unknown */
    uint8_t flags; /* INSN_OP_* */
    uint8_t reg;   /* INSN_OP_REG: insn_reg */
    uint8_t base, index; /* INSN_OP_MEM: insn_reg or NONE (base RIP when
                            rip-relative) */
    uint8_t scale; /* INSN_OP_MEM: 0 (no index), 1, 2, 4, 8 */
    int64_t disp;  /* INSN_OP_MEM: displacement */
    int64_t imm;   /* INSN_OP_IMM: sign-extended to 64 bits */
    uint32_t target_rva; /* INSN_OP_REL: target; INSN_OP_MEM with RIPREL:
                            the address read or written (wraps modulo 2^32
                            for bogus code; callers check the range) */
} insn_op;

/* insn.flags */
#define INSN_F_DIRECT 0x1u   /* call/jmp/jcc with a direct target_rva */
#define INSN_F_SLOT 0x2u     /* call/jmp through [rip+x]: slot_rva valid */
#define INSN_F_INDIRECT 0x4u /* call/jmp through a register or memory */
#define INSN_F_HIDDEN_MEMW 0x8u /* writes memory through an implicit operand
                                   (stos, movs: [rdi]) */

#define INSN_MAX_OPS 3

typedef struct insn {
    uint32_t rva;
    uint8_t length; /* bytes, 1..15 */
    uint8_t cls;    /* insn_class */
    uint8_t flags;  /* INSN_F_* */
    uint8_t n_ops;  /* explicit operands kept, <= INSN_MAX_OPS */
    uint32_t target_rva; /* direct call/jmp/jcc target (INSN_F_DIRECT) */
    uint32_t slot_rva;   /* call/jmp [rip+x]: the slot (INSN_F_SLOT) */
    uint32_t hidden_writes; /* bit r: implicit operand writes register r
                               (insn_reg < 32, rsp and rip excluded):
                               mul/div, cpuid, rep movs, cmpxchg ... */
    insn_op ops[INSN_MAX_OPS];
} insn;

/* Does control fall through to the next instruction? */
static inline bool insn_falls_through(const insn *i)
{
    return i->cls != INSN_JMP && i->cls != INSN_RET && i->cls != INSN_INT3 &&
           i->cls != INSN_HALT;
}

#endif
