#!/bin/sh
# calls_test.sh - `etwmap calls` as a user meets it: help, usage errors,
# golden text/JSONL for the x64 fixtures, JSON Lines validity, every ETW
# call site of the fixtures' truth.json (containing function, API),
# --function by name and rva, --etw-only, and the one-line refusal of
# machines the engine does not decode (exit 2).
# Emits TAP. Run from the top directory with ETWMAP set (tests/run.sh).
#
#   ETWMAP_REBASE=1 sh tests/calls_test.sh   rewrites tests/golden/calls_*
#   (review the diff and commit it with the reason)
set -u
. tests/tap.sh

jsonl_valid() { # FILE DESC
    if python3 - "$1" >"$tmp/jerr" 2>&1 <<'PY'
import json, sys
keys = ["function", "function_rva", "size", "exported", "thunk", "status", "sites"]
skeys = ["site_rva", "kind", "callee", "callee_rva", "import_dll", "etw_api"]
n = 0
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    o = json.loads(line)
    n += 1
    missing = [k for k in keys if k not in o]
    if missing:
        sys.exit("line %d lacks %s" % (i, missing))
    if not o["function_rva"].startswith("0x"):
        sys.exit("line %d: function_rva %r" % (i, o["function_rva"]))
    for s in o["sites"]:
        if [k for k in skeys if k not in s]:
            sys.exit("line %d: site %r" % (i, s))
        if s["kind"] not in ("call", "tail", "thunk-call"):
            sys.exit("line %d: kind %r" % (i, s["kind"]))
        for k in ("site_rva", "callee_rva"):
            if s[k] is not None and not s[k].startswith("0x"):
                sys.exit("line %d: %s %r" % (i, k, s[k]))
if n == 0:
    sys.exit("no functions")
PY
    then ok "$2"; else fail "$2" "$(cat "$tmp/jerr")"; fi
}

# ---- help and usage ----------------------------------------------------
expect 0 "etwmap --help lists calls" "$E" --help
grep -q '^  calls ' "$tmp/out" && ok "calls is a command" || fail "calls is a command" "$(cat "$tmp/out")"
expect 0 "calls --help exits 0" "$E" calls --help
grep -q 'thunk-call' "$tmp/out" && grep -q 'Exit status' "$tmp/out" && grep -q 'Examples' "$tmp/out" \
    && grep -q 'not shown yet' "$tmp/out" \
    && ok "calls --help explains columns, exit codes, examples, values to come" \
    || fail "calls --help explains columns, exit codes, examples, values to come"
expect 2 "calls without FILE" "$E" calls
expect 2 "calls with two FILEs" "$E" calls "$FX/kdriver/kdriver.sys" "$FX/udll/udll.dll"
expect 2 "calls --format bogus" "$E" calls --format bogus "$FX/kdriver/kdriver.sys"
expect 2 "calls of a missing file" "$E" calls "$tmp/nonexistent.sys"

# ---- the x64 fixtures: golden outputs, shapes, truth --------------------
# (kdriver-O2/-Os and udll-O2/-Os: the same sources at other optimisation
# levels; kcaller imports no ETW API, only kwrap.sys's wrappers)
for f in kdriver/kdriver.sys udll/udll.dll kdriver-O2/kdriver.sys kdriver-Os/kdriver.sys \
    udll-O2/udll.dll udll-Os/udll.dll kwrap/kwrap.sys kcaller/kcaller.sys; do
    base="calls_$(echo "$f" | tr '/.' '__')"
    if [ ! -f "$FX/$f" ]; then skip "calls $f" "fixture absent"; continue; fi
    expect 0 "calls $f exits 0" "$E" calls "$FX/$f"
    [ -s "$tmp/err" ] && fail "calls $f is quiet on stderr" "$(cat "$tmp/err")" || ok "calls $f is quiet on stderr"
    cp "$tmp/out" "$tmp/$base.txt"
    golden "$tmp/$base.txt" "$base.txt"
    expect 0 "calls --format jsonl $f exits 0" "$E" calls --format jsonl "$FX/$f"
    cp "$tmp/out" "$tmp/$base.jsonl"
    golden "$tmp/$base.jsonl" "$base.jsonl"
    jsonl_valid "$tmp/$base.jsonl" "jsonl for $f is valid, with the contract keys"
    # one text line per function and per site
    t=$(wc -l <"$tmp/$base.txt")
    j=$(python3 -c 'import json,sys; print(sum(1 + len(json.loads(l)["sites"]) for l in open(sys.argv[1])))' "$tmp/$base.jsonl")
    [ "$t" -eq "$j" ] && ok "text and jsonl list the same functions and sites for $f" \
        || fail "text and jsonl list the same functions and sites for $f" "$t vs $j"

    # every ETW API call of truth.json, in its function, with its API
    truth="$FX/$(dirname "$f")/truth.json"
    if python3 - "$truth" "$tmp/$base.jsonl" "$tmp/$base.txt" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
text = open(sys.argv[3]).read().splitlines()
sites = {}
for r in rows:
    for s in r["sites"]:
        sites[int(s["site_rva"], 16)] = (r, s)
bad = []
calls = truth["etw"]["api_calls"]
module_calls = truth["etw"].get("module_calls", [])
if not calls and not module_calls:
    bad.append("truth.json lists no ETW API calls")
for c in calls:
    rva = int(c["rva"], 16)
    if rva not in sites:
        bad.append("%s: no site" % c["rva"])
        continue
    r, s = sites[rva]
    if r["function"] != c["function"]:
        bad.append("%s: in %r, want %r" % (c["rva"], r["function"], c["function"]))
    if s["callee"] != c["api"]:
        bad.append("%s: callee %r, want %r" % (c["rva"], s["callee"], c["api"]))
    if s["etw_api"] is None:
        bad.append("%s: callee %r not marked as an ETW API" % (c["rva"], s["callee"]))
    want_import = c["call_kind"] in ("import-call", "import-tail")
    if (s["kind"] == "tail") != c["call_kind"].endswith("tail"):
        bad.append("%s: kind %r for a %s" % (c["rva"], s["kind"], c["call_kind"]))
    if (s["import_dll"] is not None) != want_import:
        bad.append("%s: import_dll %r for a %s" % (c["rva"], s["import_dll"], c["call_kind"]))
    # the text line says the same
    frag = " %s -> " % c["rva"]
    lines = [l for l in text if frag in l]
    if len(lines) != 1 or c["api"] not in lines[0] or not lines[0].endswith("]") \
            or not lines[0].startswith("%s %s  " % (r["function_rva"], c["function"])):
        bad.append("%s: text lines %r" % (c["rva"], lines))
# calls to the wrappers another fixture exports (kcaller -> kwrap.sys):
# listed as import calls, not marked as ETW APIs (only --with can say more)
for c in module_calls:
    rva = int(c["rva"], 16)
    if rva not in sites:
        bad.append("%s: no site" % c["rva"])
        continue
    r, s = sites[rva]
    if r["function"] != c["function"] or s["callee"] != c["import"] \
            or (s["import_dll"] or "").lower() != c["dll"] or s["etw_api"] is not None:
        bad.append("%s: %r in %r, want %s!%s in %s" % (c["rva"], s, r["function"], c["dll"],
                                                      c["import"], c["function"]))
# the functions truth names are all found, at their rvas
found = {int(r["function_rva"], 16): r["function"] for r in rows}
for fn in truth["functions"]:
    rva = int(fn["rva"], 16)
    if rva not in found:
        bad.append("function %s at %s not listed" % (fn["name"], fn["rva"]))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
    then ok "every ETW call of $truth is listed in its function, with its API"
    else fail "every ETW call of $truth is listed in its function, with its API" "$(cat "$tmp/cmp")"; fi

    # --etw-only keeps exactly the functions with an ETW site
    expect 0 "calls --etw-only --format jsonl $f exits 0" "$E" calls --etw-only --format jsonl "$FX/$f"
    if python3 - "$tmp/$base.jsonl" "$tmp/out" "$truth" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys
full = [json.loads(l) for l in open(sys.argv[1])]
only = [json.loads(l) for l in open(sys.argv[2])]
has_api = bool(json.load(open(sys.argv[3]))["etw"]["api_calls"])
want = [r for r in full if any(s["etw_api"] for s in r["sites"])]
if bool(want) != has_api or only != want:
    sys.exit("got %d functions, want %d" % (len(only), len(want)))
PY
    then ok "--etw-only keeps the functions with an ETW site in $f"
    else fail "--etw-only keeps the functions with an ETW site in $f" "$(cat "$tmp/cmp")"; fi
done

# ---- --function ----------------------------------------------------------
K=$FX/kdriver/kdriver.sys
if [ -f "$K" ]; then
    expect 0 "--function by name" "$E" calls --function KdpLogDriverUnload "$K"
    printf '%s\n' '0x1260 KdpLogDriverUnload  function size 0x2d' \
        '0x1260 KdpLogDriverUnload  call 0x1281 -> ntoskrnl.exe!EtwWrite [write]' >"$tmp/want"
    diff -u "$tmp/want" "$tmp/out" >"$tmp/diff" && ok "--function by name lists that function only" \
        || fail "--function by name lists that function only" "$(cat "$tmp/diff")"
    expect 0 "--function by start rva" "$E" calls --function 0x1260 "$K"
    diff -u "$tmp/want" "$tmp/out" >"$tmp/diff" && ok "--function 0x1260 is KdpLogDriverUnload" \
        || fail "--function 0x1260 is KdpLogDriverUnload" "$(cat "$tmp/diff")"
    expect 0 "--function by a site rva inside" "$E" calls --function 0x1281 "$K"
    diff -u "$tmp/want" "$tmp/out" >"$tmp/diff" && ok "--function 0x1281 is the function holding it" \
        || fail "--function 0x1281 is the function holding it" "$(cat "$tmp/diff")"
    expect 0 "--function twice, jsonl" "$E" calls --format jsonl --function KdOpenWidget --function 0x1260 "$K"
    [ "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["function"] for l in open(sys.argv[1])))' "$tmp/out")" \
        = "KdOpenWidget KdpLogDriverUnload" ] && ok "--function twice lists both, in rva order" \
        || fail "--function twice lists both, in rva order" "$(cat "$tmp/out")"
    expect 2 "--function with an unknown name" "$E" calls --function NoSuchFunction "$K"
    [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "no function named 'NoSuchFunction'" "$tmp/err" \
        && ok "an unknown name is one clear line, no output" || fail "an unknown name is one clear line, no output" "$(cat "$tmp/err")"
    expect 2 "--function with an rva outside every function" "$E" calls --function 0xfffffff0 "$K"
    grep -q "0xfffffff0" "$tmp/err" && ok "the rva is named" || fail "the rva is named" "$(cat "$tmp/err")"
else
    skip "--function" "fixture absent"
fi

# ---- machines the engine does not decode ---------------------------------
for f in kdriver-arm64/kdriver.sys udll-x86/udll.dll; do
    if [ ! -f "$FX/$f" ]; then skip "calls $f" "fixture absent"; continue; fi
    expect 2 "calls $f (not x64) exits 2" "$E" calls "$FX/$f"
    [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q 'unsupported' "$tmp/err" \
        && ok "calls $f says unsupported in one line" || fail "calls $f says unsupported in one line" "$(cat "$tmp/err")"
done

tap_plan
