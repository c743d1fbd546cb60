/*
 * test_x64.c - x64_decode on known byte sequences (src/arch/x64.c).
 *
 * Each case is assembled by hand (bytes checked against the Intel SDM and
 * llvm-mc) and decoded at a chosen RVA, so RIP-relative and branch targets
 * are exact numbers. Bad bytes must give a status, never a crash.
 */
#include "testutil.h"

#include "arch/x64.h"

#define RVA 0x1000u

static insn dec(const uint8_t *b, size_t n)
{
    insn in;
    assert_int_equal(x64_decode(b, n, RVA, &in), EW_OK);
    assert_int_equal(in.length, n);
    assert_int_equal(in.rva, RVA);
    assert_true(in.cls < INSN_CLASS_COUNT);
    return in;
}

static void lea_rdx_riprel(void **state)
{
    /* lea rdx, [rip+0x1234] */
    const uint8_t b[] = {0x48, 0x8D, 0x15, 0x34, 0x12, 0x00, 0x00};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_LEA);
    assert_int_equal(in.n_ops, 2);
    assert_int_equal(in.ops[0].kind, INSN_OP_REG);
    assert_int_equal(in.ops[0].reg, INSN_REG_RDX);
    assert_int_equal(in.ops[0].size, 8);
    assert_int_equal(in.ops[1].kind, INSN_OP_MEM);
    assert_true(in.ops[1].flags & INSN_OP_RIPREL);
    assert_int_equal(in.ops[1].base, INSN_REG_RIP);
    assert_int_equal(in.ops[1].target_rva, RVA + 7 + 0x1234);
    assert_int_equal(in.ops[1].disp, 0x1234);
}

static void mov_rcx_riprel(void **state)
{
    /* mov rcx, [rip-0x10] */
    const uint8_t b[] = {0x48, 0x8B, 0x0D, 0xF0, 0xFF, 0xFF, 0xFF};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_MOV);
    assert_int_equal(in.ops[0].reg, INSN_REG_RCX);
    assert_true(in.ops[0].flags & INSN_OP_WRITE);
    assert_int_equal(in.ops[1].kind, INSN_OP_MEM);
    assert_int_equal(in.ops[1].size, 8);
    assert_true(in.ops[1].flags & INSN_OP_READ);
    assert_int_equal(in.ops[1].target_rva, RVA + 7 - 0x10);
}

static void call_through_iat_slot(void **state)
{
    /* call qword [rip+0x2000] */
    const uint8_t b[] = {0xFF, 0x15, 0x00, 0x20, 0x00, 0x00};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_CALL);
    assert_true(in.flags & INSN_F_SLOT);
    assert_false(in.flags & INSN_F_DIRECT);
    assert_int_equal(in.slot_rva, RVA + 6 + 0x2000);
    assert_true(insn_falls_through(&in));
    /* call rel32 to 0x900 (backwards) */
    const uint8_t c[] = {0xE8, 0xFB, 0xF8, 0xFF, 0xFF};
    in = dec(c, sizeof c);
    assert_int_equal(in.cls, INSN_CALL);
    assert_true(in.flags & INSN_F_DIRECT);
    assert_int_equal(in.target_rva, 0x900);
    /* call rax */
    const uint8_t r[] = {0xFF, 0xD0};
    in = dec(r, sizeof r);
    assert_int_equal(in.cls, INSN_CALL);
    assert_int_equal(in.flags, INSN_F_INDIRECT);
    assert_int_equal(in.ops[0].reg, INSN_REG_RAX);
}

static void store_imm_to_stack(void **state)
{
    /* mov dword [rsp+0x20], 5 */
    const uint8_t b[] = {0xC7, 0x44, 0x24, 0x20, 0x05, 0x00, 0x00, 0x00};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_STORE);
    assert_int_equal(in.ops[0].kind, INSN_OP_MEM);
    assert_int_equal(in.ops[0].base, INSN_REG_RSP);
    assert_int_equal(in.ops[0].index, INSN_REG_NONE);
    assert_int_equal(in.ops[0].disp, 0x20);
    assert_int_equal(in.ops[0].size, 4);
    assert_false(in.ops[0].flags & INSN_OP_RIPREL);
    assert_int_equal(in.ops[1].kind, INSN_OP_IMM);
    assert_int_equal(in.ops[1].imm, 5);
    /* mov byte [rax+rcx*4-8], -1 */
    const uint8_t c[] = {0xC6, 0x44, 0x88, 0xF8, 0xFF};
    in = dec(c, sizeof c);
    assert_int_equal(in.cls, INSN_STORE);
    assert_int_equal(in.ops[0].base, INSN_REG_RAX);
    assert_int_equal(in.ops[0].index, INSN_REG_RCX);
    assert_int_equal(in.ops[0].scale, 4);
    assert_int_equal(in.ops[0].disp, -8);
    assert_int_equal(in.ops[0].size, 1);
    assert_int_equal((int8_t)in.ops[1].imm, -1);
}

static void vector_moves(void **state)
{
    /* movups xmm0, [rip+0x100] */
    const uint8_t b[] = {0x0F, 0x10, 0x05, 0x00, 0x01, 0x00, 0x00};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_VMOV);
    assert_int_equal(in.ops[0].kind, INSN_OP_REG);
    assert_int_equal(in.ops[0].reg, INSN_REG_XMM0);
    assert_int_equal(in.ops[0].size, 16);
    assert_int_equal(in.ops[1].size, 16);
    assert_int_equal(in.ops[1].target_rva, RVA + 7 + 0x100);
    /* movups [rsp+0x30], xmm0 */
    const uint8_t c[] = {0x0F, 0x11, 0x44, 0x24, 0x30};
    in = dec(c, sizeof c);
    assert_int_equal(in.cls, INSN_VMOV);
    assert_int_equal(in.ops[0].kind, INSN_OP_MEM);
    assert_int_equal(in.ops[0].base, INSN_REG_RSP);
    assert_int_equal(in.ops[0].disp, 0x30);
    assert_int_equal(in.ops[0].size, 16);
    assert_int_equal(in.ops[1].reg, INSN_REG_XMM0);
    /* movdqa xmm9, xmm1 (REX.R) */
    const uint8_t d[] = {0x66, 0x44, 0x0F, 0x6F, 0xC9};
    in = dec(d, sizeof d);
    assert_int_equal(in.cls, INSN_VMOV);
    assert_int_equal(in.ops[0].reg, INSN_REG_XMM0 + 9);
    assert_int_equal(in.ops[1].reg, INSN_REG_XMM0 + 1);
}

static void gpr_widths_and_alu(void **state)
{
    /* xor ecx, ecx */
    const uint8_t b[] = {0x33, 0xC9};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_XOR);
    assert_int_equal(in.ops[0].reg, INSN_REG_RCX);
    assert_int_equal(in.ops[0].size, 4);
    assert_int_equal(in.ops[1].reg, INSN_REG_RCX);
    /* mov ah, 1: high byte of rax */
    const uint8_t c[] = {0xB4, 0x01};
    in = dec(c, sizeof c);
    assert_int_equal(in.cls, INSN_MOV);
    assert_int_equal(in.ops[0].reg, INSN_REG_RAX);
    assert_true(in.ops[0].flags & INSN_OP_HIGH8);
    assert_int_equal(in.ops[0].size, 1);
    /* movzx r9d, word [rdx] */
    const uint8_t d[] = {0x44, 0x0F, 0xB7, 0x0A};
    in = dec(d, sizeof d);
    assert_int_equal(in.cls, INSN_MOVZX);
    assert_int_equal(in.ops[0].reg, INSN_REG_R9);
    assert_int_equal(in.ops[0].size, 4);
    assert_int_equal(in.ops[1].size, 2);
    /* sub rsp, 0x28 ; add r8, -1 ; and eax, 0xff ; or edx, 1 */
    const uint8_t e[] = {0x48, 0x83, 0xEC, 0x28};
    in = dec(e, sizeof e);
    assert_int_equal(in.cls, INSN_SUB);
    assert_int_equal(in.ops[0].reg, INSN_REG_RSP);
    assert_int_equal(in.ops[1].imm, 0x28);
    const uint8_t f[] = {0x49, 0x83, 0xC0, 0xFF};
    in = dec(f, sizeof f);
    assert_int_equal(in.cls, INSN_ADD);
    assert_int_equal(in.ops[0].reg, INSN_REG_R8);
    assert_int_equal(in.ops[1].imm, -1);
    const uint8_t g[] = {0x25, 0xFF, 0x00, 0x00, 0x00};
    in = dec(g, sizeof g);
    assert_int_equal(in.cls, INSN_AND);
    const uint8_t h[] = {0x83, 0xCA, 0x01};
    in = dec(h, sizeof h);
    assert_int_equal(in.cls, INSN_OR);
    /* push rbx ; pop r12 */
    const uint8_t p[] = {0x53};
    in = dec(p, sizeof p);
    assert_int_equal(in.cls, INSN_PUSH);
    assert_int_equal(in.ops[0].reg, INSN_REG_RBX);
    const uint8_t q[] = {0x41, 0x5C};
    in = dec(q, sizeof q);
    assert_int_equal(in.cls, INSN_POP);
    assert_int_equal(in.ops[0].reg, INSN_REG_R12);
    /* mov rax, gs:[0x188] has a segment */
    const uint8_t s[] = {0x65, 0x48, 0x8B, 0x04, 0x25, 0x88, 0x01, 0x00, 0x00};
    in = dec(s, sizeof s);
    assert_int_equal(in.cls, INSN_MOV);
    assert_true(in.ops[1].flags & INSN_OP_SEG);
    assert_int_equal(in.ops[1].disp, 0x188);
}

static void branches(void **state)
{
    /* jmp rel32 +0x100 */
    const uint8_t b[] = {0xE9, 0x00, 0x01, 0x00, 0x00};
    insn in = dec(b, sizeof b);
    assert_int_equal(in.cls, INSN_JMP);
    assert_true(in.flags & INSN_F_DIRECT);
    assert_int_equal(in.target_rva, RVA + 5 + 0x100);
    assert_false(insn_falls_through(&in));
    /* jne rel8 -2 (to itself) */
    const uint8_t c[] = {0x75, 0xFE};
    in = dec(c, sizeof c);
    assert_int_equal(in.cls, INSN_JCC);
    assert_int_equal(in.target_rva, RVA);
    assert_true(insn_falls_through(&in));
    /* jmp [rip+0x10] (import thunk shape) */
    const uint8_t d[] = {0xFF, 0x25, 0x10, 0x00, 0x00, 0x00};
    in = dec(d, sizeof d);
    assert_int_equal(in.cls, INSN_JMP);
    assert_true(in.flags & INSN_F_SLOT);
    assert_int_equal(in.slot_rva, RVA + 6 + 0x10);
    /* ret ; int3 ; ud2 ; int 0x29 */
    const uint8_t r[] = {0xC3};
    assert_int_equal(dec(r, 1).cls, INSN_RET);
    const uint8_t t[] = {0xCC};
    assert_int_equal(dec(t, 1).cls, INSN_INT3);
    const uint8_t u[] = {0x0F, 0x0B};
    assert_int_equal(dec(u, 2).cls, INSN_HALT);
    const uint8_t ff[] = {0xCD, 0x29};
    assert_int_equal(dec(ff, 2).cls, INSN_HALT);
    /* nop is "other" */
    const uint8_t n[] = {0x90};
    assert_int_equal(dec(n, 1).cls, INSN_OTHER);
}

static void bad_bytes_give_a_status(void **state)
{
    insn in;
    const uint8_t lea[] = {0x48, 0x8D, 0x15, 0x34, 0x12, 0x00, 0x00};
    /* every cut of a valid instruction is truncated */
    for (size_t n = 0; n < sizeof lea; n++) {
        assert_int_equal(x64_decode(lea, n, RVA, &in), EW_E_TRUNCATED);
        assert_int_equal(in.length, 0);
        assert_int_equal(in.rva, RVA);
    }
    assert_int_equal(x64_decode(NULL, 4, RVA, &in), EW_E_TRUNCATED);
    /* invalid in 64-bit mode: push es (06), aaa (37), lone lock on nop */
    const uint8_t bad1[] = {0x06};
    assert_int_equal(x64_decode(bad1, 1, RVA, &in), EW_E_BAD_VALUE);
    const uint8_t bad2[] = {0x37};
    assert_int_equal(x64_decode(bad2, 1, RVA, &in), EW_E_BAD_VALUE);
    const uint8_t bad3[] = {0xF0, 0x90};
    assert_int_equal(x64_decode(bad3, 2, RVA, &in), EW_E_BAD_VALUE);
    /* 16 prefixes: longer than 15 bytes */
    uint8_t pre[20];
    memset(pre, 0x66, sizeof pre);
    pre[16] = 0x90;
    assert_int_not_equal(x64_decode(pre, sizeof pre, RVA, &in), EW_OK);
    /* pseudo-random garbage: a status every time, model in range */
    uint32_t x = 12345;
    uint8_t buf[32];
    for (int k = 0; k < 20000; k++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        size_t n = 1 + (x >> 8) % sizeof buf;
        ew_status s = x64_decode(buf, n, 0xFFFFFFF0u, &in);
        if (s == EW_OK) {
            assert_true(in.length >= 1 && in.length <= n &&
                        in.length <= X64_MAX_INSN_LENGTH);
            assert_true(in.cls < INSN_CLASS_COUNT);
            assert_true(in.n_ops <= INSN_MAX_OPS);
            for (unsigned i = 0; i < in.n_ops; i++) {
                assert_true(in.ops[i].kind < INSN_OP_KIND_COUNT);
                assert_true(in.ops[i].reg < INSN_REG_COUNT);
                assert_true(in.ops[i].base < INSN_REG_COUNT);
                assert_true(in.ops[i].index < INSN_REG_COUNT);
            }
        } else {
            assert_true(s == EW_E_TRUNCATED || s == EW_E_BAD_VALUE);
            assert_int_equal(in.length, 0);
        }
    }
    assert_string_equal(insn_class_name(INSN_CALL), "call");
    assert_string_equal(insn_class_name(INSN_CLASS_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lea_rdx_riprel),
        cmocka_unit_test(mov_rcx_riprel),
        cmocka_unit_test(call_through_iat_slot),
        cmocka_unit_test(store_imm_to_stack),
        cmocka_unit_test(vector_moves),
        cmocka_unit_test(gpr_widths_and_alu),
        cmocka_unit_test(branches),
        cmocka_unit_test(bad_bytes_give_a_status),
    };
    return cmocka_run_group_tests_name("x64", tests, NULL, NULL);
}
