#!/bin/sh
# map_test.sh - `etwmap map` as a user meets it: help and usage errors;
# the reference's CSV columns (python's csv module), TSV, JSON Lines and
# DOT; golden CSVs; byte-identical runs; every x64 fixture's truth.json
# `map` (entry -> event, shortest depth, containing function, call path)
# reproduced with and without the PDB (tests/map_truth.py); the search
# rules (depth, d+1, exports, ignore lists, all paths); system call
# numbers from KiServiceTable; win32kbase.sys's exported EtwTrace*
# wrappers against its catalog (skipped when ../shared/corpus is absent).
# Emits TAP. Run from the top directory with ETWMAP set (tests/run.sh).
#
#   ETWMAP_REBASE=1 sh tests/map_test.sh   rewrites tests/golden/map_*
#   (review the diff and commit it with the reason)
set -u
. tests/tap.sh

K=$FX/kdriver/kdriver.sys
TK=$FX/tkernel/tkernel.exe
TRUTH_RULES="--all-depths --through-exports --no-default-ignore --max-depth 64"

# ---- help and usage ------------------------------------------------------
expect 0 "etwmap --help lists map" "$E" --help
grep -q '^  map ' "$tmp/out" && ok "map is a command" || fail "map is a command" "$(cat "$tmp/out")"
expect 0 "map --help exits 0" "$E" map --help
for w in CallPath ExportedCallDepth KiServiceTable --through-exports --all-depths --with \
    'Exit status' Examples 'jq'; do
    grep -q -- "$w" "$tmp/out" || { fail "map --help explains $w"; continue; }
    ok "map --help explains $w"
done
expect 2 "map without FILE" "$E" map
expect 2 "map with two FILEs" "$E" map "$K" "$K"
expect 2 "map --format bogus" "$E" map --format bogus "$K"
expect 2 "map --paths bogus" "$E" map --paths some "$K"
for d in 0 65 x -1; do
    expect 2 "map --max-depth $d is refused" "$E" map --max-depth "$d" "$K"
done
expect 2 "map --all-functions with --entry" "$E" map --all-functions --entry KdOpenWidget "$K"
expect 2 "map --entry-list of a missing file" "$E" map --entry-list "$tmp/none" "$K"
expect 2 "map --ignore of a missing file" "$E" map --ignore "$tmp/none" "$K"
expect 2 "map of a missing file" "$E" map "$tmp/nonexistent.sys"
expect 2 "map --entry with an unknown name" "$E" map --entry NoSuchFunction "$K"
[ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "'NoSuchFunction'" "$tmp/err" \
    && ok "an unknown entry is one clear line, no output" \
    || fail "an unknown entry is one clear line, no output" "$(cat "$tmp/err")"
expect 2 "map --entry with an rva outside every function" "$E" map --entry 0xfffffff0 "$K"
grep -q 0xfffffff0 "$tmp/err" && ok "the rva is named" || fail "the rva is named" "$(cat "$tmp/err")"
expect 0 "map --list-ignore" "$E" map --list-ignore
grep -qx 'Ex\*Pool\*' "$tmp/out" && grep -qx 'RtlCopy\*' "$tmp/out" && grep -qx 'Ke\*Lock\*' "$tmp/out" \
    && ok "the default ignore list names pool, copy and lock routines" \
    || fail "the default ignore list names pool, copy and lock routines" "$(head -5 "$tmp/out")"
if [ -f "$FX/kdriver-arm64/kdriver.sys" ]; then
    expect 2 "map of an ARM64 image exits 2" "$E" map "$FX/kdriver-arm64/kdriver.sys"
    grep -q unsupported "$tmp/err" && ok "ARM64: unsupported, one line" || fail "ARM64: unsupported, one line" "$(cat "$tmp/err")"
fi

# ---- formats: CSV columns, TSV, JSON Lines, DOT, golden, determinism --------
csv_check() { # FILE DESC: the documented columns, every row complete
    if python3 - "$1" >"$tmp/cerr" 2>&1 <<'PY'
import csv, sys
ref = ["Function", "ProviderGuid", "ProviderSymbol", "ReghandleSymbol", "WriteFunction",
       "EventDescriptorSymbol", "Id", "Version", "Channel", "Level", "Opcode", "Task", "Keyword",
       "ContainingFunction", "CallDepth", "ExportedCallDepth", "CallPath"]
own = ["EventName", "EventFields", "Kind", "SiteRva", "Syscall", "ProviderResolvedBy",
       "EventResolvedBy", "Unresolved", "ProviderName", "EntryRva", "Via", "ShortestPaths"]
try:  # the reference's own header, when the published CSV is at hand
    with open("../shared/reference/api-to-etw_ntoskrnl.exe.csv", newline="") as f:
        assert next(csv.reader(f)) == ref, "reference header differs"
except FileNotFoundError:
    pass
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
if rows[0] != ref + own:
    sys.exit("header %r" % rows[0])
if len(rows) < 2:
    sys.exit("no rows")
for i, r in enumerate(rows[1:], 2):
    if len(r) != len(ref + own):
        sys.exit("line %d has %d fields" % (i, len(r)))
    d = dict(zip(rows[0], r))
    path = d["CallPath"]
    if not (path.startswith("[") and path.endswith("]")):
        sys.exit("line %d: CallPath %r" % (i, path))
    names = path[1:-1].split("->")
    if int(d["CallDepth"]) != len(names) or names[0] != d["Function"] or names[-1] != d["ContainingFunction"]:
        sys.exit("line %d: CallDepth %s, path %r" % (i, d["CallDepth"], path))
    if d["Kind"] == "tracelogging" and (d["Id"], d["Version"], d["Task"]) != ("-", "-", "-"):
        sys.exit("line %d: TraceLogging row without '-'" % i)
    if d["Kind"] == "legacy-kernel" and d["ProviderGuid"] != "Windows Kernel Trace":
        sys.exit("line %d: legacy row %r" % (i, d["ProviderGuid"]))
    if "???" in r:
        sys.exit("line %d: ???" % i)
    if d["Kind"].startswith("manifest") and not d["ProviderGuid"] and not d["Unresolved"]:
        sys.exit("line %d: empty provider without a reason" % i)
PY
    then ok "$2"; else fail "$2" "$(cat "$tmp/cerr")"; fi
}

for f in kdriver/kdriver.sys tkernel/tkernel.exe; do
    name=$(dirname "$f")
    if [ ! -f "$FX/$f" ]; then skip "map $f" "fixture absent"; continue; fi
    expect 0 "map $f exits 0" "$E" map "$FX/$f"
    [ -s "$tmp/err" ] && fail "map $f is quiet on stderr" "$(cat "$tmp/err")" || ok "map $f is quiet on stderr"
    cp "$tmp/out" "$tmp/map_$name.csv"
    golden "$tmp/map_$name.csv" "map_$name.csv"
    csv_check "$tmp/map_$name.csv" "map $f: CSV parses into exactly the documented columns"
    "$E" map "$FX/$f" >"$tmp/again.csv" 2>/dev/null
    cmp -s "$tmp/map_$name.csv" "$tmp/again.csv" && ok "map $f: two runs, identical bytes" \
        || fail "map $f: two runs, identical bytes"
    for fmt in jsonl tsv dot; do
        "$E" map --format $fmt $TRUTH_RULES --paths all "$FX/$f" >"$tmp/a.$fmt" 2>/dev/null
        "$E" map --format $fmt $TRUTH_RULES --paths all "$FX/$f" >"$tmp/b.$fmt" 2>/dev/null
        [ -s "$tmp/a.$fmt" ] && cmp -s "$tmp/a.$fmt" "$tmp/b.$fmt" \
            && ok "map --format $fmt $f: two runs, identical bytes" \
            || fail "map --format $fmt $f: two runs, identical bytes"
    done
    # TSV: the CSV's header and rows
    "$E" map --format tsv "$FX/$f" >"$tmp/t.tsv"
    [ "$(head -1 "$tmp/t.tsv" | tr '\t' ',')" = "$(head -1 "$tmp/map_$name.csv")" ] \
        && [ "$(wc -l <"$tmp/t.tsv")" -eq "$(wc -l <"$tmp/map_$name.csv")" ] \
        && ok "map --format tsv $f: the CSV's columns and rows" \
        || fail "map --format tsv $f: the CSV's columns and rows"
    # JSON Lines: the contract's keys, in order, one object per CSV row
    "$E" map --format jsonl "$FX/$f" >"$tmp/j.jsonl"
    if python3 - "$tmp/j.jsonl" "$tmp/map_$name.csv" >"$tmp/jerr" 2>&1 <<'PY'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
table = list(csv.DictReader(open(sys.argv[2], newline="")))
first = ["entry", "entry_rva", "syscall", "depth", "call_path", "containing_function", "site_rva"]
site = ["function", "function_rva", "api", "kind", "provider_guid", "provider_name", "event_id",
        "event_version", "event_name", "channel", "level", "opcode", "task", "keyword", "fields",
        "message", "source_rva", "provider_symbol", "reghandle_symbol", "event_symbol",
        "resolved_by", "unresolved"]
if len(rows) != len(table):
    sys.exit("%d objects, %d CSV rows" % (len(rows), len(table)))
for i, (o, t) in enumerate(zip(rows, table), 1):
    keys = list(o)
    if keys[:len(first)] != first or [k for k in site if k not in o]:
        sys.exit("line %d: keys %r" % (i, keys))
    if not o["entry_rva"].startswith("0x") or len(o["call_path"]) != o["depth"]:
        sys.exit("line %d: %r %r" % (i, o["entry_rva"], o["call_path"]))
    if o["entry"] != t["Function"] or str(o["depth"]) != t["CallDepth"] or \
            "[" + "->".join(o["call_path"]) + "]" != t["CallPath"] or o["site_rva"] != t["SiteRva"]:
        sys.exit("line %d differs from the CSV" % i)
PY
    then ok "map --format jsonl $f: contract keys, same rows as the CSV"
    else fail "map --format jsonl $f: contract keys, same rows as the CSV" "$(cat "$tmp/jerr")"; fi
    # DOT: a digraph Graphviz accepts
    head -1 "$tmp/a.dot" | grep -q '^digraph etwmap {$' && tail -1 "$tmp/a.dot" | grep -q '^}$' \
        && ok "map --format dot $f: a digraph" || fail "map --format dot $f: a digraph" "$(head -3 "$tmp/a.dot")"
    if command -v dot >/dev/null 2>&1; then
        dot -Tsvg "$tmp/a.dot" >/dev/null 2>"$tmp/derr" && ok "map --format dot $f: dot renders it" \
            || fail "map --format dot $f: dot renders it" "$(head -3 "$tmp/derr")"
    else
        skip "map --format dot $f: dot renders it" "graphviz not installed"
    fi
done

# ---- truth: every x64 fixture's map, with and without the PDB -------------
for truth in "$FX"/*/truth.json; do
    fx=$(dirname "$truth")
    name=$(basename "$fx")
    info=$(python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))
print(t["machine"]["name"], t["image"], t["pdb"], " ".join(w["image"] for w in t.get("with", [])), "map" in t)' "$truth")
    set -- $info
    [ "$1" = IMAGE_FILE_MACHINE_AMD64 ] || continue
    img=$fx/$2 pdb=$fx/$3
    shift 3
    withs=""
    while [ $# -gt 1 ]; do
        w=$(ls "$FX"/*/"$1" 2>/dev/null | grep -v "^$fx/" | head -1)
        [ -n "$w" ] && withs="$withs --with $w"
        shift
    done
    for mode in pdb nopdb; do
        if [ $mode = pdb ]; then P="--pdb $pdb"; else P=--no-pdb; fi
        python3 tests/map_truth.py entries "$truth" $mode >"$tmp/entries"
        # shellcheck disable=SC2086
        if ! "$E" map --format jsonl $TRUTH_RULES $P $withs --entry-list "$tmp/entries" "$img" \
            >"$tmp/map.jsonl" 2>"$tmp/err"; then
            fail "$name ($mode): etwmap map runs" "$(cat "$tmp/err")"
            continue
        fi
        # shellcheck disable=SC2086
        "$E" sites --format jsonl $P $withs "$img" >"$tmp/sites.jsonl" 2>/dev/null
        python3 tests/map_truth.py compare "$truth" $mode "$tmp/map.jsonl" "$tmp/sites.jsonl" >"$tmp/cmp" 2>&1 \
            || echo "fail	map_truth.py	$(tail -3 "$tmp/cmp" | tr '\n' ' ')" >>"$tmp/cmp"
        while IFS='	' read -r res desc why; do
            case $res in
            ok) ok "$name ($mode): $desc" ;;
            skip) skip "$name ($mode): $desc" "$why" ;;
            *) fail "$name ($mode): $desc" "$why" ;;
            esac
        done <"$tmp/cmp"
    done
done

# ---- the search rules, on kdriver ------------------------------------------
if [ -f "$K" ]; then
    rows() { "$E" map --format jsonl "$@" "$K" | python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l); print(o["entry"], o["depth"], o["containing_function"], o["site_rva"])'; }
    rows >"$tmp/def"
    rows --all-depths >"$tmp/all"
    grep -q '^KdOpenWidget 1 KdOpenWidget ' "$tmp/def" && ! grep -q '^KdOpenWidget 3 ' "$tmp/def" \
        && grep -q '^KdOpenWidget 3 KdpLogWidgetError ' "$tmp/all" \
        && ok "after an event at depth d only d+1 is kept; --all-depths keeps all" \
        || fail "after an event at depth d only d+1 is kept; --all-depths keeps all" "$(cat "$tmp/def")"
    rows --all-depths --max-depth 2 >"$tmp/d2"
    ! awk '$2 > 2' "$tmp/d2" | grep -q . && grep -q '^KdQueryWidget 2 ' "$tmp/d2" \
        && ok "--max-depth 2 keeps depths 1 and 2" || fail "--max-depth 2 keeps depths 1 and 2" "$(cat "$tmp/d2")"
    rows --entry KdSvcOpenWidget --all-depths >"$tmp/svc"
    rows --entry KdSvcOpenWidget --all-depths --through-exports >"$tmp/svcx"
    [ ! -s "$tmp/svc" ] && grep -q '^KdSvcOpenWidget 2 KdOpenWidget ' "$tmp/svcx" \
        && ok "another export is entered only with --through-exports" \
        || fail "another export is entered only with --through-exports" "$(cat "$tmp/svc" "$tmp/svcx")"
    "$E" map --format jsonl --entry KdSvcOpenWidget --through-exports "$K" | python3 -c 'import json,sys
r = [json.loads(l) for l in sys.stdin]
sys.exit(0 if r and all(o["export_depth"] == 1 for o in r) else 1)' \
        && ok "ExportedCallDepth counts the export passed through" \
        || fail "ExportedCallDepth counts the export passed through"
    printf '# comment\n  KdpCreate*  # a pattern\n\n' >"$tmp/ign"
    rows --all-depths --ignore "$tmp/ign" >"$tmp/ign.out"
    ! grep -q 'KdpLogWidgetOpened\|KdpLogWidgetError' "$tmp/ign.out" && grep -q '^KdOpenWidget 1 ' "$tmp/ign.out" \
        && ok "--ignore FILE: functions matching a pattern are never entered" \
        || fail "--ignore FILE: functions matching a pattern are never entered" "$(cat "$tmp/ign.out")"
    rows --entry KdOpenWidget >"$tmp/byname"
    rows --entry 0x1120 >"$tmp/byrva"
    printf 'KdOpenWidget\n' >"$tmp/list"
    rows --entry-list "$tmp/list" >"$tmp/bylist"
    [ -s "$tmp/byname" ] && cmp -s "$tmp/byname" "$tmp/byrva" && cmp -s "$tmp/byname" "$tmp/bylist" \
        && ! grep -qv '^KdOpenWidget ' "$tmp/byname" \
        && ok "--entry NAME, --entry 0xRVA and --entry-list select the same entry" \
        || fail "--entry NAME, --entry 0xRVA and --entry-list select the same entry"
    rows --all-functions --all-depths >"$tmp/allf"
    grep -q '^DriverEntry 2 KdpLogDriverLoaded ' "$tmp/allf" && grep -q '^KdpLogWidgetOpened 1 ' "$tmp/allf" \
        && ok "--all-functions starts from every function" || fail "--all-functions starts from every function"
    "$E" map --format dot --entry KdOpenWidget --all-depths "$K" >"$tmp/k.dot"
    grep -q 'f1120 \[label="KdOpenWidget", shape=box' "$tmp/k.dot" && grep -q 'f1120 -> f' "$tmp/k.dot" \
        && grep -q 'label="manifest\\nEtwmap-Fixture-KDriver\\nWidgetError' "$tmp/k.dot" \
        && ok "dot: entry box, call edges, event notes" || fail "dot: entry box, call edges, event notes" "$(cat "$tmp/k.dot")"
fi

# ---- --with: calls into another module's exported wrappers ----------------
KC=$FX/kcaller/kcaller.sys KW=$FX/kwrap/kwrap.sys
if [ -f "$KC" ] && [ -f "$KW" ]; then
    "$E" map --format jsonl --entry KcCreateWidget "$KC" >"$tmp/kc0.jsonl"
    "$E" map --format jsonl --entry KcCreateWidget --with "$KW" "$KC" >"$tmp/kc1.jsonl"
    "$E" map --entry KcCreateWidget --with "$KW" "$KC" >"$tmp/kc1.csv"
    [ ! -s "$tmp/kc0.jsonl" ] && grep -q '"provider_name":"Etwmap-Fixture-KWrap","event_id":1,' "$tmp/kc1.jsonl" \
        && grep -q ',kwrap.sys!EtwTraceWidgetCreate,' "$tmp/kc1.csv" \
        && ok "--with: a call to another module's exported wrapper maps to its event (Via module!wrapper)" \
        || fail "--with: a call to another module's exported wrapper maps to its event (Via module!wrapper)" \
            "$(cat "$tmp/kc0.jsonl" "$tmp/kc1.csv")"
else
    skip "--with across modules" "kcaller/kwrap fixtures absent"
fi

# ---- a kernel: system calls from KiServiceTable -----------------------------
if [ -f "$TK" ]; then
    "$E" map --format jsonl $TRUTH_RULES "$TK" >"$tmp/tk.jsonl"
    if python3 - "$FX/tkernel/truth.json" "$tmp/tk.jsonl" >"$tmp/terr" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
sys_entries = {e["name"]: e["syscall"] for e in t["entries"] if e["kind"] == "syscall"}
with_rows = {r["entry"] for r in t["map"] if r["entry"] in sys_entries}
got = {}
for r in rows:
    got.setdefault(r["entry"], set()).add((r["syscall"], r["entry_kind"]))
bad = []
for name in sorted(with_rows):
    if got.get(name) != {(sys_entries[name], "syscall")}:
        bad.append("%s: %r, want syscall %d" % (name, got.get(name), sys_entries[name]))
extra = sorted(set(got) - set(sys_entries))
if extra:
    bad.append("entries beyond the system calls: %r" % extra)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
    then ok "tkernel: the default entries are the system calls, numbered from KiServiceTable"
    else fail "tkernel: the default entries are the system calls, numbered from KiServiceTable" "$(cat "$tmp/terr")"; fi
    "$E" map --format jsonl --no-pdb $TRUTH_RULES "$TK" >"$tmp/tkn.jsonl"
    python3 -c 'import json,sys
e = {json.loads(l)["entry"] for l in open(sys.argv[1])}
sys.exit(0 if e and all(x.startswith("Nt") for x in e) and "NtQuerySystemInformation" in e else 1)' "$tmp/tkn.jsonl" \
        && ok "tkernel without the PDB: the Nt* exports are the entries" \
        || fail "tkernel without the PDB: the Nt* exports are the entries"
    "$E" map --format jsonl "$TK" >"$tmp/tkd.jsonl"
    ! grep -q '"containing_function":"Ex[A-Za-z]*Pool' "$tmp/tkd.jsonl" && grep -q '"containing_function":"ObpCreateHandle"' "$tmp/tkd.jsonl" \
        && ok "tkernel by default: pool routines (exports, ignored) are not entered" \
        || fail "tkernel by default: pool routines (exports, ignored) are not entered"
else
    skip "tkernel system calls" "fixture absent"
fi

# ---- corpus: win32kbase.sys's exported EtwTrace* wrappers -------------------
W=../shared/corpus/win10-19041.508_win32kbase.sys
if [ -f "$W" ]; then
    "$E" map --format jsonl "$W" >"$tmp/w.jsonl" 2>"$tmp/werr" || echo "etwmap map exited with $?" >>"$tmp/werr"
    "$E" events --no-pdb --format jsonl "$W" >"$tmp/wev.jsonl" 2>/dev/null
    "$E" info --format json "$W" >"$tmp/winfo.json" 2>/dev/null
    if python3 - "$tmp/w.jsonl" "$tmp/wev.jsonl" "$tmp/winfo.json" >"$tmp/wcmp" 2>&1 <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
events = [json.loads(l) for l in open(sys.argv[2])]
info = json.load(open(sys.argv[3]))
wrappers = sorted(x["name"] for x in info["exports"] if (x.get("name") or "").startswith("EtwTrace"))
by = {}
for r in rows:
    by.setdefault(r["entry"], []).append(r)
mapped = [w for w in wrappers if w in by]
unmapped = [w for w in wrappers if w not in by]
print("# %d of %d exported EtwTrace* wrappers map to events (unmapped: %s%s)"
      % (len(mapped), len(wrappers), ", ".join(unmapped[:5]), ", ..." if len(unmapped) > 5 else ""))
# floor measured when the test was written (205 of 207: EtwTraceBeginCallback
# and EtwTraceEndCallback write nothing themselves)
if len(wrappers) < 200 or len(mapped) < 205:
    sys.exit("too few wrappers mapped")
manifest = {(e["provider_guid"], e["event_id"], e["event_version"]): e["event_name"]
            for e in events if e.get("row") == "event" and e["kind"] == "manifest"}
tlg = {e["source_rva"]: e["event_name"] for e in events if e.get("row") == "event" and e["kind"] == "tracelogging"}
bad = []
sample = mapped[::7]  # every 7th wrapper, by name
for w in sample:
    for r in by[w]:
        if r["unresolved"]:
            bad.append("%s: %s unresolved %r" % (w, r["site_rva"], r["unresolved"]))
        elif r["kind"] == "manifest":
            k = (r["provider_guid"], r["event_id"], r["event_version"])
            if manifest.get(k) != r["event_name"]:
                bad.append("%s: %r not in the catalog" % (w, k))
        elif r["kind"] == "tracelogging" and tlg.get(r["source_rva"]) != r["event_name"]:
            bad.append("%s: TraceLogging %r not in the catalog" % (w, r["event_name"]))
    if not any(r["call_path"][0] == w and r["depth"] <= 2 for r in by[w]):
        bad.append("%s: no event within two calls" % w)
print("# sample of %d wrappers, %d rows checked" % (len(sample), sum(len(by[w]) for w in sample)))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
    then ok "win32kbase.sys: exported EtwTrace* wrappers map to the catalog's events"
    else fail "win32kbase.sys: exported EtwTrace* wrappers map to the catalog's events" "$(cat "$tmp/wcmp")" "$(head -5 "$tmp/werr")"; fi
    grep '^#' "$tmp/wcmp"
    # --paths all: one row per shortest path, as many as ShortestPaths says
    "$E" map --format jsonl --all-depths "$W" >"$tmp/w1.jsonl"
    "$E" map --format jsonl --all-depths --paths all "$W" >"$tmp/wa.jsonl"
    if python3 - "$tmp/w1.jsonl" "$tmp/wa.jsonl" >"$tmp/pcmp" 2>&1 <<'PY'
import collections, json, sys
one = [json.loads(l) for l in open(sys.argv[1])]
alls = [json.loads(l) for l in open(sys.argv[2])]
key = lambda r: (r["entry_rva"], r["site_rva"], r["event_id"], r["source_rva"], r["event_name"])
n = collections.Counter(key(r) for r in alls)
paths = {(key(r), tuple(r["call_path"])) for r in alls}
bad = [r for r in one if n[key(r)] != min(r["shortest_paths"], 256)]
if bad or len(paths) != len(alls) or not any(r["shortest_paths"] > 1 for r in one):
    sys.exit("%d rows disagree, %d paths for %d rows" % (len(bad), len(paths), len(alls)))
PY
    then ok "win32kbase.sys: --paths all lists ShortestPaths distinct paths per row"
    else fail "win32kbase.sys: --paths all lists ShortestPaths distinct paths per row" "$(cat "$tmp/pcmp")"; fi
else
    skip "win32kbase.sys EtwTrace* wrappers" "../shared/corpus absent"
fi

tap_plan
