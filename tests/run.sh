#!/bin/sh
# run.sh - run every test and print one closing line:
#   "N passed, N failed, N skipped"
#
#   tests/run.sh BUILD_DIR [FUZZ_SECONDS]
#
# Unit tests are cmocka programs (BUILD_DIR/tests/test_*), CLI and corpus
# tests are scripts (tests/*_test.sh, tests/*_test.py); all speak TAP
# ("ok N - name", "not ok N - name", "... # SKIP reason"). Each fuzz harness
# (BUILD_DIR/../fuzz/*_fuzz) then runs FUZZ_SECONDS from its seed corpus and
# counts as one test. The exit status is 0 only when nothing failed.
set -u
build=${1:?usage: run.sh BUILD_DIR [FUZZ_SECONDS]}
fuzz_seconds=${2:-15}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

ETWMAP="$top/$build/etwmap"
export ETWMAP
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

pass=0 fail=0 skip=0
log=$(mktemp)
# tests never read or fill the user's symbol cache, nor take symbol paths
# from the environment
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
unset _NT_SYMBOL_PATH ETWMAP_SYMBOL_SERVER
trap 'rm -rf "$log" "$XDG_CACHE_HOME"' EXIT

# count_tap NAME CMD...: run CMD, echo its TAP, add its results.
count_tap() {
    name=$1; shift
    "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP' || true)
    s=$(grep -E '^(not )?ok [0-9]+.*# SKIP' "$log" | wc -l)
    f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# SKIP' || true)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # crashed or exited non-zero without saying which test failed
        f=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    if [ "$f" -ne 0 ]; then
        echo "---- $name: $f failed"
        cat "$log"
    else
        printf '%-32s %3d passed %3d skipped\n' "$name" "$p" "$s"
        grep -E '# SKIP' "$log" | sed 's/^/    /'
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    count_tap "$(basename "$t")" "$t"
done
for t in tests/*_test.sh; do
    [ -f "$t" ] || continue
    count_tap "$(basename "$t")" sh "$t"
done
for t in tests/*_test.py; do
    [ -f "$t" ] || continue
    count_tap "$(basename "$t")" python3 "$t"
done

# Fuzz smoke: each harness from its seed corpus (and committed crashers).
fuzzdir="$build/../fuzz"
for f in "$fuzzdir"/*_fuzz; do
    [ -x "$f" ] || continue
    n=$(basename "$f")
    corpus="fuzz/corpus/${n%_fuzz}"
    work=$(mktemp -d)
    if "$f" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
        "$work" "$corpus" >"$log" 2>&1; then
        runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
        [ -n "$runs" ] || runs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#')
        printf '%-32s   1 passed (%s inputs in %ss)\n' "$n" "${runs:-?}" "$fuzz_seconds"
        pass=$((pass + 1))
    else
        echo "---- $n: fuzzing found a failure"
        tail -60 "$log"
        fail=$((fail + 1))
    fi
    rm -rf "$work"
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
