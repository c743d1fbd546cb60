/*
 * x64_fuzz.c - libFuzzer harness for x64_decode.
 *
 * Input: 4 leading bytes pick the RVA of the first byte (little-endian),
 * the rest is code. Every offset is decoded (as a disassembler meeting a
 * jump into the middle of an instruction would), and the model must hold
 * its invariants: length within the bytes given and <= 15, every enum
 * below its _COUNT, operands only as many as kept, direct targets equal to
 * the REL operand; failures are EW_E_TRUNCATED or EW_E_BAD_VALUE with a
 * zeroed model; a second decode of the same bytes gives the same model.
 *
 * Seeds (fuzz/corpus/x64/): short hand-made sequences (prologue, RIP-
 * relative loads, IAT calls, stack stores, vector moves, branches) and a
 * slice of kdriver.sys's .text.
 */
#include "arch/x64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "x64_fuzz: invariant failed: %s (line %d)\n", \
                    #cond, __LINE__);                                    \
            abort();                                                     \
        }                                                                \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t base = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
                    (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
    const uint8_t *code = data + 4;
    size_t n = size - 4;
    if (n > 4096)
        n = 4096;
    for (size_t off = 0; off < n; off++) {
        insn a, b;
        uint32_t rva = base + (uint32_t)off;
        ew_status s = x64_decode(code + off, n - off, rva, &a);
        CHECK(a.rva == rva);
        if (s != EW_OK) {
            CHECK(s == EW_E_TRUNCATED || s == EW_E_BAD_VALUE);
            CHECK(a.length == 0 && a.n_ops == 0 && a.cls == 0);
            continue;
        }
        CHECK(a.length >= 1 && a.length <= X64_MAX_INSN_LENGTH);
        CHECK(a.length <= n - off);
        CHECK(a.cls < INSN_CLASS_COUNT);
        CHECK(a.n_ops <= INSN_MAX_OPS);
        CHECK(insn_class_name(a.cls)[0] != '?');
        for (unsigned i = 0; i < INSN_MAX_OPS; i++) {
            const insn_op *o = &a.ops[i];
            CHECK(o->kind < INSN_OP_KIND_COUNT);
            CHECK(o->reg < INSN_REG_COUNT && o->base < INSN_REG_COUNT &&
                  o->index < INSN_REG_COUNT);
            CHECK(o->scale == 0 || o->scale == 1 || o->scale == 2 ||
                  o->scale == 4 || o->scale == 8);
            if (i >= a.n_ops)
                CHECK(o->kind == INSN_OP_NONE);
            if (o->flags & INSN_OP_RIPREL)
                CHECK(o->kind == INSN_OP_MEM && o->base == INSN_REG_RIP);
        }
        if (a.flags & INSN_F_DIRECT) {
            CHECK(a.cls == INSN_CALL || a.cls == INSN_JMP ||
                  a.cls == INSN_JCC);
            CHECK(a.ops[0].kind == INSN_OP_REL &&
                  a.ops[0].target_rva == a.target_rva);
        }
        if (a.flags & INSN_F_SLOT)
            CHECK(a.ops[0].target_rva == a.slot_rva);
        CHECK(x64_decode(code + off, n - off, rva, &b) == EW_OK);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
    }
    return 0;
}
