# tap.sh - shared by the shell tests (sourced, not run): TAP output and the
# checks every CLI test needs. Tests run from the top directory.
#
#   E      the etwmap under test ($ETWMAP, else build/etwmap)
#   FX     tests/fixtures;  GOLD  tests/golden
#   tmp    a private directory, removed at exit
#   ok DESC / fail DESC [DIAG...] / skip DESC WHY   one TAP line each
#   expect CODE DESC CMD...   CMD's exit status must be CODE; its output is
#                             left in $tmp/out and $tmp/err
#   golden FILE NAME          FILE must equal $GOLD/NAME (ETWMAP_REBASE=1
#                             rewrites the golden: review and commit it)
#   tap_plan                  the closing "1..N"
E=${ETWMAP:-build/etwmap}
FX=tests/fixtures
GOLD=tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

expect() {
    code=$1 desc=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$code" ]; then ok "$desc"; else fail "$desc" "exit $rc, wanted $code" "$(head -5 "$tmp/err")"; fi
}

golden() {
    if [ "${ETWMAP_REBASE:-}" = 1 ]; then cp "$1" "$GOLD/$2"; fi
    if diff -u "$GOLD/$2" "$1" >"$tmp/diff" 2>&1; then ok "output matches $GOLD/$2"
    else fail "output matches $GOLD/$2" "$(head -30 "$tmp/diff" | cut -c1-400)"; fi
}

tap_plan() { echo "1..$n"; }
