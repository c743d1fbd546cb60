/*
 * x64.h - decode one x86-64 instruction into etwmap's model (insn.h).
 *
 * Uses Zydis 4 in 64-bit long mode. The decoder lives on the stack of each
 * call; nothing is allocated and no Zydis type leaves x64.c. Addresses are
 * RVAs: the instruction is decoded as if loaded at its RVA, so direct
 * branch targets and RIP-relative addresses come out as RVAs (modulo 2^32).
 */
#ifndef X64_H
#define X64_H

#include "arch/insn.h"
#include "base/ew.h"

#include <stddef.h>
#include <stdint.h>

/* Longest x86 instruction (Intel SDM vol. 2, 2.3.11). */
#define X64_MAX_INSN_LENGTH 15

/* Decodes the instruction at code[0..len) that sits at rva.
 * EW_OK: *out filled (out->length >= 1, <= min(len, 15)).
 * EW_E_TRUNCATED: len is 0 or the bytes end inside the instruction.
 * EW_E_BAD_VALUE: the bytes are no valid instruction.
 * On failure *out is zeroed except rva. Never reads past code[len - 1]. */
ew_status x64_decode(const uint8_t *code, size_t len, uint32_t rva,
                     insn *out);

/* The name of an insn_class ("call", "jmp", ...); "?" when out of range. */
const char *insn_class_name(unsigned cls);

#endif
