/*
 * x64.c - x86-64 decoding through Zydis 4 into the insn model.
 *
 * Per instruction: ZydisDecoderDecodeInstruction, then the visible operands
 * only (ZydisDecoderDecodeOperands), mapped to insn_op. Hidden operands
 * (flags, implicit rsp of push/call) are not kept: the class says what the
 * analysis needs to know about them.
 */
#include "arch/x64.h"

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <string.h>

static uint8_t map_reg(ZydisRegister r, uint8_t *flags)
{
    if (r == ZYDIS_REGISTER_NONE)
        return INSN_REG_NONE;
    if (r == ZYDIS_REGISTER_AH || r == ZYDIS_REGISTER_CH ||
        r == ZYDIS_REGISTER_DH || r == ZYDIS_REGISTER_BH) {
        if (flags)
            *flags |= INSN_OP_HIGH8;
        r = (ZydisRegister)(ZYDIS_REGISTER_RAX + (r - ZYDIS_REGISTER_AH));
        /* AH, CH, DH, BH are in rax, rcx, rdx, rbx order in Zydis too */
    }
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP)
        return INSN_REG_RIP;
    ZydisRegister big =
        ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, r);
    if (big >= ZYDIS_REGISTER_RAX && big <= ZYDIS_REGISTER_R15)
        return (uint8_t)(INSN_REG_RAX + (big - ZYDIS_REGISTER_RAX));
    if (big >= ZYDIS_REGISTER_ZMM0 && big <= ZYDIS_REGISTER_ZMM31)
        return (uint8_t)(INSN_REG_XMM0 + (big - ZYDIS_REGISTER_ZMM0));
    return INSN_REG_OTHER;
}

static uint8_t classify(const ZydisDecodedInstruction *zi)
{
    switch (zi->mnemonic) {
    case ZYDIS_MNEMONIC_CALL: return INSN_CALL;
    case ZYDIS_MNEMONIC_JMP: return INSN_JMP;
    case ZYDIS_MNEMONIC_RET:
    case ZYDIS_MNEMONIC_IRET:
    case ZYDIS_MNEMONIC_IRETD:
    case ZYDIS_MNEMONIC_IRETQ: return INSN_RET;
    case ZYDIS_MNEMONIC_MOV: return INSN_MOV; /* STORE decided later */
    case ZYDIS_MNEMONIC_LEA: return INSN_LEA;
    case ZYDIS_MNEMONIC_MOVZX:
    case ZYDIS_MNEMONIC_MOVSX:
    case ZYDIS_MNEMONIC_MOVSXD: return INSN_MOVZX;
    case ZYDIS_MNEMONIC_ADD: return INSN_ADD;
    case ZYDIS_MNEMONIC_SUB: return INSN_SUB;
    case ZYDIS_MNEMONIC_AND: return INSN_AND;
    case ZYDIS_MNEMONIC_OR: return INSN_OR;
    case ZYDIS_MNEMONIC_SHL: return INSN_SHL; /* Zydis decodes sal as shl */
    case ZYDIS_MNEMONIC_SBB: return INSN_SBB;
    case ZYDIS_MNEMONIC_ADC: return INSN_ADC;
    case ZYDIS_MNEMONIC_XOR:
    /* vector xor: the analysis only uses "xor x, x" (zeroing idiom) */
    case ZYDIS_MNEMONIC_XORPS: case ZYDIS_MNEMONIC_XORPD:
    case ZYDIS_MNEMONIC_PXOR: case ZYDIS_MNEMONIC_VXORPS:
    case ZYDIS_MNEMONIC_VXORPD: case ZYDIS_MNEMONIC_VPXOR: return INSN_XOR;
    case ZYDIS_MNEMONIC_PUSH: return INSN_PUSH;
    case ZYDIS_MNEMONIC_POP: return INSN_POP;
    case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVAPS:
    case ZYDIS_MNEMONIC_MOVUPD: case ZYDIS_MNEMONIC_MOVAPD:
    case ZYDIS_MNEMONIC_MOVDQU: case ZYDIS_MNEMONIC_MOVDQA:
    case ZYDIS_MNEMONIC_VMOVUPS: case ZYDIS_MNEMONIC_VMOVAPS:
    case ZYDIS_MNEMONIC_VMOVUPD: case ZYDIS_MNEMONIC_VMOVAPD:
    case ZYDIS_MNEMONIC_VMOVDQU: case ZYDIS_MNEMONIC_VMOVDQA:
    case ZYDIS_MNEMONIC_MOVQ: case ZYDIS_MNEMONIC_MOVD:
    case ZYDIS_MNEMONIC_VMOVQ: case ZYDIS_MNEMONIC_VMOVD:
    case ZYDIS_MNEMONIC_LDDQU: return INSN_VMOV;
    case ZYDIS_MNEMONIC_INT3: return INSN_INT3;
    case ZYDIS_MNEMONIC_HLT:
    case ZYDIS_MNEMONIC_UD2: return INSN_HALT;
    default: break;
    }
    if (zi->meta.category == ZYDIS_CATEGORY_COND_BR)
        return INSN_JCC;
    if (zi->meta.category == ZYDIS_CATEGORY_CMOV)
        return INSN_CMOV;
    if (zi->meta.category == ZYDIS_CATEGORY_SETCC)
        return INSN_SETCC;
    return INSN_OTHER;
}

static void map_op(const ZydisDecodedInstruction *zi,
                   const ZydisDecodedOperand *zo, uint32_t rva, insn_op *o)
{
    memset(o, 0, sizeof *o);
    o->size = (uint8_t)(zo->size / 8);
    if (zo->actions & ZYDIS_OPERAND_ACTION_MASK_READ)
        o->flags |= INSN_OP_READ;
    if (zo->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)
        o->flags |= INSN_OP_WRITE;
    switch (zo->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        o->kind = INSN_OP_REG;
        o->reg = map_reg(zo->reg.value, &o->flags);
        break;
    case ZYDIS_OPERAND_TYPE_MEMORY:
        o->kind = INSN_OP_MEM;
        o->base = map_reg(zo->mem.base, NULL);
        o->index = map_reg(zo->mem.index, NULL);
        o->scale = o->index ? zo->mem.scale : 0;
        o->disp = zo->mem.disp.has_displacement ? zo->mem.disp.value : 0;
        if (zo->mem.segment == ZYDIS_REGISTER_FS ||
            zo->mem.segment == ZYDIS_REGISTER_GS)
            o->flags |= INSN_OP_SEG;
        if (zo->mem.base == ZYDIS_REGISTER_RIP &&
            zo->mem.index == ZYDIS_REGISTER_NONE) {
            ZyanU64 a = 0;
            if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(zi, zo, rva, &a))) {
                o->flags |= INSN_OP_RIPREL;
                o->target_rva = (uint32_t)a;
            }
        }
        break;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        if (zo->imm.is_relative) {
            ZyanU64 a = 0;
            o->kind = INSN_OP_REL;
            if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(zi, zo, rva, &a)))
                o->target_rva = (uint32_t)a;
        } else {
            o->kind = INSN_OP_IMM;
            o->imm = zo->imm.is_signed ? (int64_t)zo->imm.value.s
                                       : (int64_t)zo->imm.value.u;
        }
        break;
    default: /* pointer (far jmp) and the like: keep as "none" */
        o->kind = INSN_OP_NONE;
        break;
    }
}

ew_status x64_decode(const uint8_t *code, size_t len, uint32_t rva,
                     insn *out)
{
    /* one decoder for every call: its state is the machine mode only */
    static ZydisDecoder dec;
    static bool dec_ready;
    ZydisDecoderContext ctx;
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];

    memset(out, 0, sizeof *out);
    out->rva = rva;
    if (!code || len == 0)
        return EW_E_TRUNCATED;
    if (len > X64_MAX_INSN_LENGTH)
        len = X64_MAX_INSN_LENGTH;
    if (!dec_ready) {
        if (!ZYAN_SUCCESS(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64,
                                           ZYDIS_STACK_WIDTH_64)))
            return EW_E_UNSUPPORTED;
        dec_ready = true;
    }
    ZyanStatus st = ZydisDecoderDecodeInstruction(&dec, &ctx, code, len, &zi);
    if (!ZYAN_SUCCESS(st))
        return st == ZYDIS_STATUS_NO_MORE_DATA ? EW_E_TRUNCATED
                                               : EW_E_BAD_VALUE;
    out->length = zi.length;
    out->cls = classify(&zi);
    if (zi.mnemonic == ZYDIS_MNEMONIC_INT && zi.raw.imm[0].value.u == 0x29)
        out->cls = INSN_HALT; /* __fastfail */

    /* Hidden operands are decoded only when they can write a register or
     * memory the analysis tracks: one hidden operand is the flags; branch,
     * call, return, push and pop hide only rip, rsp, [rsp] and flags. */
    unsigned hidden = zi.operand_count > zi.operand_count_visible
                          ? zi.operand_count - zi.operand_count_visible
                          : 0;
    bool stack_or_branch = out->cls == INSN_JCC || out->cls == INSN_JMP ||
                           out->cls == INSN_CALL || out->cls == INSN_RET ||
                           out->cls == INSN_PUSH || out->cls == INSN_POP;
    unsigned all = hidden >= 2 && !stack_or_branch ? zi.operand_count
                                                   : zi.operand_count_visible;
    if (all > ZYDIS_MAX_OPERAND_COUNT)
        all = ZYDIS_MAX_OPERAND_COUNT;
    unsigned n = zi.operand_count_visible;
    if (n > all)
        n = all;
    if (all && !ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&dec, &ctx, &zi, zo,
                                                        (ZyanU8)all))) {
        memset(out, 0, sizeof *out);
        out->rva = rva;
        return EW_E_BAD_VALUE;
    }
    /* hidden operands: only their effect on registers and memory */
    for (unsigned i = n; i < all; i++) {
        if (!(zo[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
            continue;
        if (zo[i].type == ZYDIS_OPERAND_TYPE_MEMORY &&
            zo[i].mem.base != ZYDIS_REGISTER_RSP &&
            zo[i].mem.base != ZYDIS_REGISTER_ESP)
            out->flags |= INSN_F_HIDDEN_MEMW;
        if (zo[i].type != ZYDIS_OPERAND_TYPE_REGISTER)
            continue;
        uint8_t r = map_reg(zo[i].reg.value, NULL);
        if (r != INSN_REG_NONE && r != INSN_REG_RSP && r != INSN_REG_RIP &&
            r < 32)
            out->hidden_writes |= 1u << r;
    }
    if (zi.mnemonic == ZYDIS_MNEMONIC_LOOP || zi.mnemonic == ZYDIS_MNEMONIC_LOOPE ||
        zi.mnemonic == ZYDIS_MNEMONIC_LOOPNE)
        out->hidden_writes |= 1u << INSN_REG_RCX; /* a branch that counts */
    if (n > INSN_MAX_OPS)
        n = INSN_MAX_OPS;
    uint32_t next = rva + zi.length;
    for (unsigned i = 0; i < n; i++)
        map_op(&zi, &zo[i], next - zi.length, &out->ops[i]);
    out->n_ops = (uint8_t)n;

    if (out->cls == INSN_MOV && n >= 1 && out->ops[0].kind == INSN_OP_MEM)
        out->cls = INSN_STORE;
    if (out->cls == INSN_CALL || out->cls == INSN_JMP ||
        out->cls == INSN_JCC) {
        const insn_op *t = n >= 1 ? &out->ops[0] : NULL;
        if (t && t->kind == INSN_OP_REL) {
            out->flags |= INSN_F_DIRECT;
            out->target_rva = t->target_rva;
        } else if (t && t->kind == INSN_OP_MEM &&
                   (t->flags & INSN_OP_RIPREL)) {
            out->flags |= INSN_F_SLOT | INSN_F_INDIRECT;
            out->slot_rva = t->target_rva;
        } else {
            out->flags |= INSN_F_INDIRECT;
        }
    }
    return EW_OK;
}

const char *insn_class_name(unsigned cls)
{
    static const char *const names[INSN_CLASS_COUNT] = {
        "other", "call", "jmp", "jcc", "ret", "mov", "lea", "movzx",
        "add", "sub", "and", "or", "xor", "push", "pop", "store", "vmov",
        "int3", "halt", "cmov", "shl", "setcc", "sbb", "adc"};
    return cls < INSN_CLASS_COUNT ? names[cls] : "?";
}
