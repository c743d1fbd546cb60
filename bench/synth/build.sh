#!/bin/sh
# build.sh - build the synthetic kernel image of scale N (bench/synth/gen.py)
# with clang 14 + lld-link, in the style of tests/fixtures/build.sh.
#
#   bench/synth/build.sh N OUTDIR
#
# Writes the generated sources to OUTDIR/src, objects to OUTDIR/obj, and
# OUTDIR/tkbig.sys, tkbig.pdb, tkbig.map, summary.json (what gen.py
# generated) and build.txt (times and sizes). The C files compile in
# parallel (SYNTH_JOBS, default: the number of CPUs); an object is rebuilt
# only when its source changed. Deterministic: the same N gives the same
# sources and, with the same tools, the same image (/Brepro).
#
# For benchmarks only: slow to build (minutes at N=16) and never used by
# `make check`.
set -eu
LC_ALL=C
export LC_ALL

if [ $# -ne 2 ]; then
    echo "usage: $0 N OUTDIR" >&2
    exit 2
fi
scale=$1
out=$2
case "$scale" in
'' | *[!0-9]*)
    echo "build.sh: N must be a positive integer" >&2
    exit 2
    ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
common=$(cd "$here/../../tests/fixtures/common" && pwd)

for tool in clang lld-link llvm-dlltool python3; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "build.sh: $tool not found (Debian: clang-14, lld-14, llvm-14, python3)" >&2
        exit 2
    }
done

jobs=${SYNTH_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
mkdir -p "$out/src" "$out/obj"
out=$(cd "$out" && pwd)
t0=$(date +%s)
# no image is left behind unless every step succeeded (make trusts it)
rm -f "$out/tkbig.sys"
trap 'rm -f "$out/tkbig.sys"' EXIT

python3 "$here/gen.py" --scale "$scale" --out "$out/src" >/dev/null
t_gen=$(date +%s)

# The fixtures' flags (tests/fixtures/build.sh) at -O2: CodeView, unwind
# tables despite -ffreestanding, CFG instrumentation.
CFLAGS="--target=x86_64-pc-windows-msvc -O2 -g -gcodeview -ffreestanding -funwind-tables \
-fno-stack-protector -ffile-compilation-dir=. -Xclang -cfguard -Wall -Wextra -Werror \
-Wno-unused-parameter -I$common"
export CFLAGS

# compile: each source whose object is missing or older than it or than a
# header (gen.py rewrites only the files whose text changed); SYNTH_JOBS at
# once
cd "$out/src"
: >"$out/obj/todo"
while IFS= read -r c; do
    o=$out/obj/${c%.c}.obj
    if [ ! -f "$o" ] || [ -n "$(find "$c" ./*.h "$common"/*.h -newer "$o")" ]; then
        echo "$c" >>"$out/obj/todo"
    fi
done <sources.txt
n_todo=$(wc -l <"$out/obj/todo")
if [ "$n_todo" -gt 0 ]; then
    # largest first, so the long ones do not come last
    # shellcheck disable=SC2016
    xargs ls -S <"$out/obj/todo" | xargs -P "$jobs" -n 1 sh -c \
        'clang $CFLAGS -c "$1" -o "$0/${1%.c}.obj"' "$out/obj"
fi
for s in synrt synsvc; do
    clang --target=x86_64-pc-windows-msvc -c "$s.S" -o "$out/obj/$s.obj"
done
clang --target=x86_64-pc-windows-msvc -c "$common/guardcf.S" -o "$out/obj/guardcf.obj"
t_cc=$(date +%s)

cd "$out/obj"
llvm-dlltool -m i386:x86-64 -d "$common/ntoskrnl.def" -l ntoskrnl.lib
objs=$(sed 's/\.c$/.obj/' "$out/src/sources.txt" | tr '\n' ' ')
# shellcheck disable=SC2086
lld-link /nologo /debug /Brepro /pdbaltpath:%_PDB% /pdbsourcepath:. /opt:ref /opt:noicf \
    /guard:cf /nodefaultlib /driver /subsystem:native /entry:DriverEntry \
    "/def:$out/src/tkbig.def" /implib:tkbig.lib "/map:$out/tkbig.map" "/out:$out/tkbig.sys" \
    "/pdb:$out/tkbig.pdb" $objs synrt.obj synsvc.obj guardcf.obj ntoskrnl.lib
python3 "$here/patchsvc.py" "$out/tkbig.sys" "$out/tkbig.map" "$out/src/services.txt"
t_link=$(date +%s)

cp "$out/src/summary.json" "$out/summary.json"
{
    echo "scale $scale"
    echo "generate_s $((t_gen - t0))"
    echo "compile_s $((t_cc - t_gen)) ($n_todo C files, $jobs jobs)"
    echo "link_s $((t_link - t_cc))"
    echo "total_s $((t_link - t0))"
    python3 "$here/patchsvc.py" --sizes "$out/tkbig.sys"
    echo "pdb_bytes $(wc -c <"$out/tkbig.pdb")"
} >"$out/build.txt"
trap - EXIT
# one line: what was built (details in build.txt and summary.json)
python3 - "$out" <<'EOF'
import json, sys
d = sys.argv[1]
b = dict(l.rstrip("\n").split(None, 1) for l in open(d + "/build.txt") if " " in l)
s = json.load(open(d + "/summary.json"))
print("  %s: %d functions, %.2f MB code (%.2f MB .text), %d ETW call sites, %d exports, "
      "%d services; %s s (compile %s)" %
      (d.rsplit("/", 1)[-1], s["functions"], int(b["code_bytes"]) / 1e6,
       int(b["text_bytes"]) / 1e6, s["etw_sites"], s["exports"], s["services"],
       b["total_s"], b["compile_s"]))
EOF
