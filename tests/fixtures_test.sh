#!/bin/sh
# fixtures_test.sh - the committed fixtures are what their sources build,
# and tests/test_functions.c's tables are kdriver's truth.json.
# Rebuilds every fixture in a temporary directory (tests/fixtures/build.sh
# --verify) and compares byte for byte. Only meaningful with the toolchain
# the fixtures were built with (recorded in their NOTES); with another
# clang the test skips, since tests must not depend on the compiler version.
set -u
want=$(sed -n 's/^  \(Debian clang version [0-9.]*\).*/\1/p' tests/fixtures/kdriver/NOTES | head -1)
have=$(clang --version 2>/dev/null | sed -n 's/^\(Debian clang version [0-9.]*\).*/\1/p' | head -1)
if [ -z "$have" ] || [ "$have" != "$want" ]; then
    echo "ok 1 - fixtures rebuild identically # SKIP toolchain '${have:-none}' is not '$want'"
elif out=$(tests/fixtures/build.sh --verify 2>&1); then
    echo "ok 1 - fixtures rebuild identically ($want)"
else
    echo "not ok 1 - fixtures rebuild identically ($want)"
    echo "$out" | grep -v '^same' | sed 's/^/# /' | head -30
fi
# test_functions.c's tables are kdriver's truth (not toolchain-dependent)
python3 tests/functions_tables.py --check | sed 's/^\(not \)*ok 1 /\1ok 2 /'
