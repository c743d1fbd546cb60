#!/bin/sh
# cli_test.sh - the command line as a user meets it: help, version, exit
# codes, `info` on the fixtures (golden text output), JSON validity, PDB
# matching, and bad input (exit 2, one line naming file and structure).
# Emits TAP. Run from the top directory with ETWMAP set (tests/run.sh).
set -u
. tests/tap.sh

# ---- global options ----------------------------------------------------
expect 0 "--help exits 0" "$E" --help
grep -q "info" "$tmp/out" && grep -q "Exit status" "$tmp/out" && ok "--help lists commands and exit codes" || fail "--help lists commands and exit codes"
expect 0 "--version exits 0" "$E" --version
grep -qE '^etwmap [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" && ok "--version prints a version" || fail "--version prints a version" "$(cat "$tmp/out")"
expect 2 "no command is a usage error" "$E"
expect 2 "unknown command is a usage error" "$E" frobnicate
grep -q "unknown command 'frobnicate'" "$tmp/err" && ok "unknown command is named" || fail "unknown command is named"
expect 0 "info --help exits 0" "$E" info --help
expect 2 "info without FILE" "$E" info
expect 2 "info --format bogus" "$E" info --format bogus "$FX/kdriver/kdriver.sys"

# ---- golden outputs on the fixtures ------------------------------------
for f in kdriver/kdriver.sys udll/udll.dll kdriver-arm64/kdriver.sys udll-x86/udll.dll \
    kdriver-O2/kdriver.sys kdriver-Os/kdriver.sys udll-O2/udll.dll udll-Os/udll.dll \
    kwrap/kwrap.sys kcaller/kcaller.sys; do
    g="$GOLD/info_$(echo "$f" | tr '/.' '__').txt"
    if [ ! -f "$FX/$f" ]; then skip "info $f" "fixture absent"; continue; fi
    expect 0 "info $f exits 0" "$E" info "$FX/$f"
    if [ "${ETWMAP_REBASE:-}" = 1 ]; then cp "$tmp/out" "$g"; fi
    if diff -u "$g" "$tmp/out" >"$tmp/diff" 2>&1; then ok "info $f matches $g"
    else fail "info $f matches $g" "$(head -20 "$tmp/diff")"; fi
    expect 0 "info --format json $f" "$E" info --format json "$FX/$f"
    if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out" 2>"$tmp/err"; then
        ok "json for $f is valid JSON Lines"
    else fail "json for $f is valid JSON Lines" "$(cat "$tmp/err")"; fi
done

# ---- PDB look-up and matching ------------------------------------------
K=$FX/kdriver/kdriver.sys
if [ -f "$K" ] && [ -f "$FX/kdriver/kdriver.pdb" ] && [ -f "$FX/udll/udll.pdb" ]; then
    expect 0 "PDB beside the image is found" "$E" info "$K"
    grep -q '^pdb  *matched ' "$tmp/out" && ok "PDB beside the image matches" || fail "PDB beside the image matches" "$(grep '^pdb' "$tmp/out")"
    expect 2 "a mismatched --pdb is refused" "$E" info --pdb "$FX/udll/udll.pdb" "$K"
    grep -q 'force-pdb' "$tmp/err" && ok "the refusal names --force-pdb" || fail "the refusal names --force-pdb" "$(cat "$tmp/err")"
    expect 0 "--force-pdb uses it anyway" "$E" info --force-pdb --pdb "$FX/udll/udll.pdb" "$K"
    grep -q '^pdb  *forced ' "$tmp/out" && ok "forced PDB is reported as forced" || fail "forced PDB is reported as forced"
    # a wrong PDB placed beside the image: ignored with a warning, exit 1
    mkdir -p "$tmp/wrong" && cp "$K" "$tmp/wrong/" && cp "$FX/udll/udll.pdb" "$tmp/wrong/kdriver.pdb"
    expect 1 "a mismatched PDB beside the image gives exit 1" "$E" info "$tmp/wrong/kdriver.sys"
    grep -q 'warning: .*PDB ignored' "$tmp/err" && ok "and a warning" || fail "and a warning" "$(cat "$tmp/err")"
    expect 0 "--no-pdb skips the look-up" "$E" info --no-pdb "$K"
    grep -q '^pdb  *none' "$tmp/out" && ok "--no-pdb reports none" || fail "--no-pdb reports none"
    expect 2 "--pdb with two files is a usage error" "$E" info --pdb "$FX/kdriver/kdriver.pdb" "$K" "$K"
else
    skip "PDB matching" "fixtures absent"
fi

# ---- bad input: exit 2, one line naming the file and the structure ------
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
expect 2 "missing file" "$E" info "$tmp/nope.sys"
grep -q "nope.sys: cannot read file (No such file or directory)" "$tmp/err" && one_line && ok "missing file: one line" || fail "missing file: one line" "$(cat "$tmp/err")"
: >"$tmp/empty.sys"
expect 2 "empty file" "$E" info "$tmp/empty.sys"
grep -q "empty.sys: DOS header at 0x0: truncated" "$tmp/err" && one_line && ok "empty file: names the DOS header" || fail "empty file: names the DOS header" "$(cat "$tmp/err")"
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))' >"$tmp/garbage.dll"
expect 2 "garbage" "$E" info "$tmp/garbage.dll"
grep -q "garbage.dll: DOS header at 0x0: bad signature" "$tmp/err" && one_line && ok "garbage: names the DOS header" || fail "garbage: names the DOS header" "$(cat "$tmp/err")"
if [ -f "$K" ]; then
    # every prefix of the fixture that cuts the headers must fail cleanly
    bad=0
    for len in 1 2 63 64 100 200 300 400 500 600 700 800 900 1000; do
        head -c "$len" "$K" >"$tmp/cut.sys"
        "$E" info --no-pdb "$tmp/cut.sys" >/dev/null 2>"$tmp/err"
        rc=$?
        if [ "$rc" -ne 2 ] || ! one_line || ! grep -q "^etwmap: $tmp/cut.sys: .* at 0x[0-9a-f]*: " "$tmp/err"; then
            bad=1; echo "# cut at $len: exit $rc: $(cat "$tmp/err")"
        fi
    done
    [ $bad -eq 0 ] && ok "truncated headers: exit 2 and one line naming structure and offset" || fail "truncated headers: exit 2 and one line naming structure and offset"
    # the whole file minus its tail: sections past the end
    sz=$(wc -c <"$K")
    head -c $((sz / 2)) "$K" >"$tmp/half.sys"
    expect 2 "file cut in half" "$E" info --no-pdb "$tmp/half.sys"
    one_line && ok "cut in half: one line ($(cat "$tmp/err"))" || fail "cut in half: one line" "$(cat "$tmp/err")"
    # a PDB that is garbage, given explicitly
    expect 2 "garbage --pdb" "$E" info --pdb "$tmp/garbage.dll" "$K"
    grep -q "garbage.dll: MSF superblock at 0x0: bad signature" "$tmp/err" && one_line && ok "garbage PDB: names the MSF superblock" || fail "garbage PDB: names the MSF superblock" "$(cat "$tmp/err")"
fi

# ---- install -----------------------------------------------------------
if [ -x build/etwmap ] && [ -f docs/etwmap.1 ]; then
    if make -s install PREFIX="$tmp/prefix" >"$tmp/inst" 2>&1 && [ -x "$tmp/prefix/bin/etwmap" ] && [ -f "$tmp/prefix/share/man/man1/etwmap.1" ]; then
        ok "make install PREFIX=... installs binary and man page"
    else fail "make install PREFIX=..." "$(tail -5 "$tmp/inst")"; fi
else
    skip "make install" "release build absent"
fi

tap_plan
