#!/bin/sh
# legacy_kernel_gen_test.sh - data/legacy_kernel_tables.inc is exactly what
# data/gen_legacy_kernel.py makes of ../shared/data/ntwmi.h (TAP, one test).
#
#   sh tests/legacy_kernel_gen_test.sh      (from the project's top directory;
#                                           tests/run.sh cds there)
#
# Skips when the shared data or python3 is absent. On a difference it prints
# the first lines of the diff; regenerate with
#   python3 data/gen_legacy_kernel.py ../shared/data/ntwmi.h
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
ntwmi=../shared/data/ntwmi.h
name="generated legacy kernel tables match ntwmi.h"

echo "1..1"
if [ ! -f "$ntwmi" ] || [ ! -f ../shared/data/ntwmi.LICENSE ]; then
    echo "ok 1 # SKIP $ntwmi or its ntwmi.LICENSE absent"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "ok 1 # SKIP python3 absent"
    exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.err" "$tmp.diff"' EXIT
if ! python3 data/gen_legacy_kernel.py "$ntwmi" -o "$tmp" 2>"$tmp.err"; then
    echo "not ok 1 - $name"
    sed 's/^/# /' "$tmp.err"
    rm -f "$tmp.err"
    exit 1
fi
rm -f "$tmp.err"
if diff -u data/legacy_kernel_tables.inc "$tmp" >"$tmp.diff"; then
    echo "ok 1 - $name"
    rm -f "$tmp.diff"
else
    echo "not ok 1 - $name"
    head -40 "$tmp.diff" | sed 's/^/# /'
    rm -f "$tmp.diff"
    exit 1
fi
