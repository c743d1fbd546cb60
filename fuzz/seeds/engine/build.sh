#!/bin/sh
# Assembles the hand-written engine_fuzz seeds: fuzz/seeds/engine/NAME.s
# becomes fuzz/corpus/engine/NAME, the bytes of its .text linked at rva
# 0x1000 against layout.ld (the harness's IAT slots and globals), so that
# rip-relative displacements are right for fuzz/engine_fuzz.c's image.
# Needs llvm-mc, ld.lld and llvm-objcopy (Debian: llvm, lld).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../../corpus/engine" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in "$here"/*.s; do
    n=$(basename "$s" .s)
    llvm-mc -triple=x86_64 -filetype=obj -o "$tmp/$n.o" "$s"
    ld.lld -T "$here/layout.ld" -o "$tmp/$n.elf" "$tmp/$n.o"
    llvm-objcopy -O binary --only-section=.text "$tmp/$n.elf" "$out/$n"
    echo "$out/$n: $(wc -c <"$out/$n") bytes"
done
