#!/bin/sh
# events_test.sh - `etwmap events` as a user meets it: help, usage errors,
# golden TSV/JSONL for the fixtures, JSON Lines validity, every field
# against the fixtures' truth.json, the legacy kernel listing, kind
# filters, PDB handling, warnings (exit 1) and bad input (exit 2).
# Emits TAP. Run from the top directory with ETWMAP set (tests/run.sh).
#
#   ETWMAP_REBASE=1 sh tests/events_test.sh   rewrites tests/golden/events_*
#   (review the diff and commit it with the reason)
set -u
. tests/tap.sh
CORPUS=../shared/corpus

jsonl_valid() { # FILE DESC
    if python3 - "$1" >"$tmp/jerr" 2>&1 <<'EOF'
import json, sys
keys = ["file", "kind", "provider_guid", "provider_name", "event_id",
        "event_version", "event_name", "channel", "level", "opcode", "task",
        "keyword", "fields", "message", "source_rva"]
for i, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    o = json.loads(line)
    missing = [k for k in keys if k not in o]
    if missing:
        sys.exit("line %d lacks %s" % (i, missing))
    if o["kind"] not in ("manifest", "tracelogging", "legacy-kernel", "wpp"):
        sys.exit("line %d: kind %r" % (i, o["kind"]))
    for k in ("keyword", "source_rva"):
        if o[k] is not None and not o[k].startswith("0x"):
            sys.exit("line %d: %s %r" % (i, k, o[k]))
    g = o["provider_guid"]
    if g is not None and (len(g) != 36 or g != g.lower()):
        sys.exit("line %d: provider_guid %r" % (i, g))
    for f in o["fields"] or []:
        if set(("name", "in_type", "out_type")) - set(f):
            sys.exit("line %d: field %r" % (i, f))
EOF
    then ok "$2"; else fail "$2" "$(cat "$tmp/jerr")"; fi
}

tsv_shape() { # FILE DESC: a header, then 13 columns on every line
    if awk -F'\t' 'NR == 1 && $1 != "provider_guid" { exit 1 } NF != 13 { print NR": "NF" fields"; exit 1 }' "$1" >"$tmp/terr"
    then ok "$2"; else fail "$2" "$(cat "$tmp/terr")"; fi
}

# ---- help and usage ----------------------------------------------------
expect 0 "etwmap --help lists events" "$E" --help
grep -q '^  events ' "$tmp/out" && ok "events is a command" || fail "events is a command" "$(cat "$tmp/out")"
expect 0 "events --help exits 0" "$E" events --help
grep -q 'provider_guid' "$tmp/out" && grep -q 'Exit status' "$tmp/out" && grep -q 'Examples' "$tmp/out" \
    && ok "events --help explains columns, exit codes, examples" || fail "events --help explains columns, exit codes, examples"
expect 2 "events without FILE" "$E" events
expect 2 "events --format bogus" "$E" events --format bogus "$FX/kdriver/kdriver.sys"
expect 2 "events --kind bogus" "$E" events --kind bogus "$FX/kdriver/kdriver.sys"
grep -q "unknown kind 'bogus'" "$tmp/err" && ok "the bad kind is named" || fail "the bad kind is named" "$(cat "$tmp/err")"
expect 2 "--pdb with two files" "$E" events --pdb "$FX/kdriver/kdriver.pdb" "$FX/kdriver/kdriver.sys" "$FX/udll/udll.dll"
expect 2 "--pdb with --no-pdb" "$E" events --no-pdb --pdb "$FX/kdriver/kdriver.pdb" "$FX/kdriver/kdriver.sys"
expect 2 "--format xml with two files" "$E" events --format xml "$FX/kdriver/kdriver.sys" "$FX/udll/udll.dll"
expect 2 "--format xml with --legacy-kernel" "$E" events --format xml --legacy-kernel "$FX/kdriver/kdriver.sys"

# ---- the fixtures: golden outputs, shapes, truth -----------------------
for f in kdriver/kdriver.sys udll/udll.dll kdriver-arm64/kdriver.sys udll-x86/udll.dll \
    kdriver-O2/kdriver.sys kdriver-Os/kdriver.sys udll-O2/udll.dll udll-Os/udll.dll \
    kwrap/kwrap.sys kcaller/kcaller.sys; do
    base="events_$(echo "$f" | tr '/.' '__')"
    if [ ! -f "$FX/$f" ]; then skip "events $f" "fixture absent"; continue; fi
    expect 0 "events $f exits 0" "$E" events "$FX/$f"
    [ -s "$tmp/err" ] && fail "events $f is quiet on stderr" "$(cat "$tmp/err")" || ok "events $f is quiet on stderr"
    cp "$tmp/out" "$tmp/$base.tsv"
    golden "$tmp/$base.tsv" "$base.tsv"
    tsv_shape "$tmp/$base.tsv" "tsv for $f: header and 13 columns"
    expect 0 "events --format jsonl $f exits 0" "$E" events --format jsonl "$FX/$f"
    cp "$tmp/out" "$tmp/$base.jsonl"
    golden "$tmp/$base.jsonl" "$base.jsonl"
    jsonl_valid "$tmp/$base.jsonl" "jsonl for $f is valid, with the contract keys"
    # one TSV line per JSONL object
    t=$(($(wc -l <"$tmp/$base.tsv") - 1)); j=$(wc -l <"$tmp/$base.jsonl")
    [ "$t" -eq "$j" ] && ok "tsv and jsonl list the same rows for $f" || fail "tsv and jsonl list the same rows for $f" "$t vs $j"

    # every field against truth.json
    truth="$FX/$(dirname "$f")/truth.json"
    if python3 - "$truth" "$tmp/$base.jsonl" >"$tmp/cmp" 2>&1 <<'EOF'
import json, re, sys
truth = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
events = [r for r in rows if r["row"] == "event"]
provs = [r for r in rows if r["row"] == "provider"]
bad = []
def check(what, got, want):
    if got != want:
        bad.append("%s: got %r, want %r" % (what, got, want))

# TDH in-type names (TlgIn 0..25 share the numbers) and TlgOut -> TDH-style
IN = ["", "win:UnicodeString", "win:AnsiString", "win:Int8", "win:UInt8",
      "win:Int16", "win:UInt16", "win:Int32", "win:UInt32", "win:Int64",
      "win:UInt64", "win:Float", "win:Double", "win:Boolean", "win:Binary",
      "win:GUID", "win:Pointer", "win:FILETIME", "win:SYSTEMTIME", "win:SID",
      "win:HexInt32", "win:HexInt64", "win:CountedUnicodeString",
      "win:CountedAnsiString", "struct", "win:CountedBinary"]
OUT = {None: None, 2: "xs:string", 3: "xs:boolean", 5: "win:PID",
       6: "win:TID", 7: "win:Port", 8: "win:IPv4", 9: "win:IPv6",
       13: "win:Win32Error", 14: "win:NTSTATUS", 15: "win:HResult",
       16: "xs:dateTime"}
BLOB = {3: "Event3", 5: "Event2", 6: "Event4"}
def tag(b):
    v = 0
    for i, x in enumerate(b[:4]):
        v |= (x & 0x7F) << (21 - 7 * i)
    return v

meta = truth["etw"]["tracelogging_metadata"] or {"provider_blobs": []}
for pb in meta["provider_blobs"]:
    m = [p for p in provs if p["provider_rva"] == pb["rva"]]
    if len(m) != 1:
        bad.append("provider blob %s: %d rows" % (pb["rva"], len(m)))
        continue
    check("provider %s guid" % pb["rva"], m[0]["provider_guid"], pb["guid"])
    check("provider %s name" % pb["rva"], m[0]["provider_name"], pb["name"])
    check("provider %s kind" % pb["rva"], m[0]["kind"], "tracelogging")

tmc = [a for a in truth["pdb_annotations"] if a["strings"][:1] == ["TMC:"]]
n_manifest_rows = sum(1 for r in events if r["kind"] == "manifest")
skipped_manifest = 0
for t in truth["etw"]["events"]:
    k = t["kind"]
    if t.get("module"):
        continue  # another image's event (kcaller writes kwrap's)
    if k == "tracelogging":
        m = [r for r in events if r["source_rva"] == t["blob_rva"]]
        if len(m) != 1:
            bad.append("%s: %d rows" % (t["key"], len(m)))
            continue
        r = m[0]
        w = t["key"]
        check(w + " kind", r["kind"], "tracelogging")
        check(w + " name", r["event_name"], t["event_name"])
        check(w + " blob_type", r["blob_type"], BLOB[t["blob_type"]])
        for a, b in (("event_id", "event_id"), ("event_version", "event_version"),
                     ("channel", "channel"), ("level", "level"),
                     ("opcode", "opcode"), ("task", "task")):
            check(w + " " + a, r[a], t[b])
        check(w + " keyword", int(r["keyword"], 16), int(t["keyword"], 16))
        check(w + " tags", r["tags"], tag(t["tags"]))
        check(w + " fields", [(f["name"], f["in_type"], f["out_type"]) for f in r["fields"]],
              [(f["name"], IN[f["in_type"] & 0x1F], OUT[f["out_type"]]) for f in t["fields"]])
        # events name no provider in the metadata (catalog.h); the
        # provider the source writes them with is listed
        check(w + " provider_guid", r["provider_guid"], None)
        if not any(p["provider_guid"] == t["provider_guid"] and
                   p["provider_name"] == t["provider_name"] for p in provs):
            bad.append(w + ": provider %s not listed" % t["provider_guid"])
    elif k == "wpp":
        m = [r for r in events if r["kind"] == "wpp" and
             r["message_guid"] == t["message_guid"] and
             r["event_id"] == t["message_number"]]
        if t["tmf"] is None:
            # no TMF annotation in the PDB (udll's udsites.c has no debug
            # information): the message is only known at its write site
            if m:
                bad.append("%s: listed without a TMF annotation" % t["key"])
            continue
        if len(m) != 1:
            bad.append("%s: %d rows" % (t["key"], len(m)))
            continue
        r, w, tmf = m[0], t["key"], t["tmf"]
        typev = re.match(r'#typev (\S+) (\d+) "(.*)" //(.*)$', tmf[2])
        check(w + " name", r["event_name"], typev.group(1))
        check(w + " number", r["event_id"], int(typev.group(2)))
        check(w + " message", r["message"], typev.group(3))
        opts = dict(x.split("=", 1) for x in typev.group(4).split() if "=" in x)
        check(w + " function", r["function"], opts.get("FUNC"))
        check(w + " level_name", r["level_name"], opts.get("LEVEL"))
        check(w + " keyword_names", r["keyword_names"], opts["FLAGS"].split("|"))
        check(w + " component", r["component"], tmf[1].split()[1])
        args = tmf[tmf.index("{") + 1:tmf.index("}")]
        check(w + " fields", [(f["name"], f["in_type"]) for f in r["fields"]],
              [tuple(x.strip() for x in a.split("--")[0].split(",", 1)) for a in args])
        # the provider is the control GUID of the TMC annotation (truth.json
        # keys the WPP provider by the message GUID; see the report)
        if tmc:
            check(w + " provider_guid", r["provider_guid"], tmc[0]["strings"][1])
            check(w + " provider_name", r["provider_name"], tmc[0]["strings"][2])
            flags = tmc[0]["strings"][3:]
            want = sum(1 << flags.index(x) for x in opts["FLAGS"].split("|"))
            check(w + " keyword", int(r["keyword"], 16), want)
        else:
            check(w + " provider_guid", r["provider_guid"], t["message_guid"])
        rva = [a["rva"] for a in truth["pdb_annotations"] if a["strings"] == tmf]
        check(w + " source_rva", r["source_rva"], rva[0] if rva else None)
    elif k == "classic":
        continue  # classic (MOF) events: no metadata in the image describes them
    elif k == "manifest":
        if n_manifest_rows == 0:
            skipped_manifest += 1  # the fixture's WEVT_TEMPLATE is a placeholder
            continue
        m = [r for r in events if r["kind"] == "manifest" and
             r["provider_guid"] == t["provider_guid"] and
             r["event_id"] == t["event_id"] and r["event_version"] == t["event_version"]]
        if len(m) != 1:
            bad.append("%s: %d rows" % (t["key"], len(m)))
            continue
        r, w = m[0], t["key"]
        for a in ("channel", "level", "opcode", "task"):
            check(w + " " + a, r[a], t[a])
        check(w + " keyword", int(r["keyword"], 16), int(t["keyword"], 16))
        check(w + " provider_name", r["provider_name"], t["provider_name"])
        check(w + " name", bool(r["event_name"]), True)
# the manifest as the fixture's .man file defines it (truth.json
# etw.manifest): every event, every value, name, message and field
def want_fields(fs):
    out = []
    for f in fs:
        w = {"name": f["name"],
             "in_type": f["in_type_name"] if f["in_type_name"] else "struct",
             "out_type": f["out_type_name"]}
        fl = f["flags"]
        if fl & 0x08:
            w["count"] = str(f["count"])
        elif fl & 0x10:
            w["count"] = f["count_field"]
        if fl & 0x02:
            w["length"] = str(f["length"])
        elif fl & 0x04:
            w["length"] = f["length_field"]
        if f["map"]:
            w["map"] = f["map"]
        if fl & 0x01:
            w["fields"] = want_fields(f["members"])
        out.append(w)
    return out

for P in (truth["etw"].get("manifest") or {}).get("providers", []):
    tids = {t["tid"]: t for t in P["templates"]}
    for E in P["events"]:
        w = "manifest %s %d v%d" % (P["name"], E["id"], E["version"])
        m = [r for r in events if r["kind"] == "manifest" and
             r["provider_guid"] == P["guid"] and r["event_id"] == E["id"] and
             r["event_version"] == E["version"]]
        if len(m) != 1:
            bad.append("%s: %d rows" % (w, len(m)))
            continue
        r = m[0]
        check(w + " provider_name", r["provider_name"], P["name"])
        for a in ("channel", "level", "task", "opcode"):
            check(w + " " + a, r[a], E[a])
            check(w + " " + a + "_name", r[a + "_name"], E[a + "_name"])
        kw = int(E["keyword"], 16)
        check(w + " keyword", int(r["keyword"], 16), kw)
        n = len(E["keyword_names"])
        check(w + " keyword_names", r["keyword_names"][:n], E["keyword_names"])
        rest, extra = kw, []
        for k in P["keywords"]:
            if k["name"] in E["keyword_names"]:
                rest &= ~int(k["mask"], 16)
        for ch in sorted(P["channels"], key=lambda c: -c["keyword_bit"]):
            if rest & (1 << ch["keyword_bit"]):
                extra.append(ch["name"])
                rest &= ~(1 << ch["keyword_bit"])
        if rest:
            extra.append("0x%x" % rest)
        check(w + " channel keyword names", r["keyword_names"][n:], extra)
        check(w + " message", r["message"], E["message"])
        check(w + " message_id", r["message_id"] and int(r["message_id"], 16),
              E["message_id"] and int(E["message_id"], 16))
        want = want_fields(tids[E["template"]]["fields"]) if E["template"] else []
        check(w + " fields", r["fields"], want)
        check(w + " event_name", bool(r["event_name"]), True)
if skipped_manifest:
    print("# %d manifest events not compared: the fixture's WEVT_TEMPLATE "
          "has no providers yet" % skipped_manifest)
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
    then ok "events $f agree with $truth"; cat "$tmp/cmp"; else fail "events $f agree with $truth" "$(head -20 "$tmp/cmp")"; fi
done

# ---- XML: the reconstructed manifest (output/manifest_xml.h) ------------
K=$FX/kdriver/kdriver.sys
expect 0 "events --format xml kdriver.sys" "$E" events --format xml "$K"
head -1 "$tmp/out" | grep -q '^<?xml ' && grep -q 'resourceFileName="kdriver.sys"' "$tmp/out" \
    && ok "xml: a manifest document naming the image" || fail "xml: a manifest document naming the image" "$(head -3 "$tmp/out")"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$tmp/out" 2>"$tmp/lint" && ok "xml is well-formed (xmllint)" || fail "xml is well-formed (xmllint)" "$(head -5 "$tmp/lint")"
else
    skip "xml is well-formed (xmllint)" "xmllint not installed (Debian: libxml2-utils)"
fi

# ---- kinds and PDB ------------------------------------------------------
K=$FX/kdriver/kdriver.sys
expect 0 "--kind wpp" "$E" events --kind wpp "$K"
[ "$(tail -n +2 "$tmp/out" | cut -f3 | sort -u)" = wpp ] && ok "--kind wpp lists only wpp rows" || fail "--kind wpp lists only wpp rows" "$(cat "$tmp/out")"
expect 0 "--kind manifest,tracelogging" "$E" events --kind manifest,tracelogging --format jsonl "$K"
grep -q '"kind":"wpp"' "$tmp/out" && fail "no wpp rows with --kind manifest,tracelogging" || ok "no wpp rows with --kind manifest,tracelogging"
expect 0 "--no-pdb" "$E" events --no-pdb "$K"
grep -q '	wpp	' "$tmp/out" && fail "--no-pdb: no WPP events" || ok "--no-pdb: no WPP events"
if [ -f "$FX/udll/udll.pdb" ]; then
    expect 2 "a mismatched --pdb is refused" "$E" events --pdb "$FX/udll/udll.pdb" "$K"
    grep -q 'force-pdb' "$tmp/err" && ok "the refusal names --force-pdb" || fail "the refusal names --force-pdb" "$(cat "$tmp/err")"
    expect 0 "--force-pdb uses it anyway" "$E" events --force-pdb --pdb "$FX/udll/udll.pdb" "$K"
    mkdir -p "$tmp/wrong" && cp "$K" "$tmp/wrong/" && cp "$FX/udll/udll.pdb" "$tmp/wrong/kdriver.pdb"
    expect 1 "a mismatched PDB beside the image gives exit 1" "$E" events "$tmp/wrong/kdriver.sys"
    grep -q "^etwmap: warning: $tmp/wrong/kdriver.sys: PDB ignored" "$tmp/err" && ok "and a warning" || fail "and a warning" "$(cat "$tmp/err")"
    grep -q '	tracelogging	' "$tmp/out" && ok "and the listing" || fail "and the listing"
fi

# ---- legacy kernel ------------------------------------------------------
expect 0 "--legacy-kernel without FILE" "$E" events --legacy-kernel
cp "$tmp/out" "$tmp/lk.tsv"
golden "$tmp/lk.tsv" events_legacy_kernel.tsv
tsv_shape "$tmp/lk.tsv" "legacy listing: header and 13 columns"
rows=$(tail -n +2 "$tmp/lk.tsv" | wc -l)
[ "$rows" -gt 400 ] && ok "legacy listing has $rows hook ids" || fail "legacy listing has hook ids" "$rows"
expect 0 "--kind legacy-kernel implies the table" "$E" events --kind legacy-kernel --format jsonl
jsonl_valid "$tmp/out" "legacy jsonl is valid"
cp "$tmp/out" "$tmp/lk.jsonl"
if python3 - "$FX/kdriver/truth.json" "$tmp/lk.jsonl" >"$tmp/cmp" 2>&1 <<'EOF'
import json, sys
truth = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
bad = []
for t in truth["etw"]["events"]:
    if t["kind"] != "legacy-kernel":
        continue
    hook = int(t["hook_id"], 16)
    m = [r for r in rows if r["event_id"] == hook]
    if len(m) != 1 or not m[0]["event_name"]:
        bad.append("%s: hook 0x%04x: %d named rows" % (t["key"], hook, len(m)))
        continue
    r = m[0]
    if r["task"] != int(t["group"], 16) >> 8 or r["opcode"] != t["event_type"]:
        bad.append("%s: task %r opcode %r" % (t["key"], r["task"], r["opcode"]))
    if r["provider_name"] != t["provider_name"] or r["provider_guid"] != t["provider_guid"]:
        bad.append("%s: provider %r %r" % (t["key"], r["provider_guid"], r["provider_name"]))
if bad:
    print("\n".join(bad)); sys.exit(1)
EOF
then ok "kdriver's legacy kernel events are in the listing"; else fail "kdriver's legacy kernel events are in the listing" "$(cat "$tmp/cmp")"; fi
expect 0 "files and --legacy-kernel together" "$E" events --legacy-kernel "$K"
[ "$(tail -n +2 "$tmp/out" | wc -l)" -gt "$rows" ] && ok "the table follows the file's events" || fail "the table follows the file's events"

# ---- warnings: exit 1, the rest still listed -----------------------------
if [ -f "$K" ]; then
    python3 - "$K" "$tmp/crim.sys" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"CRIM")
assert i > 0
b[i] = ord("X")
open(sys.argv[2], "wb").write(b)
EOF
    expect 1 "broken WEVT_TEMPLATE: exit 1" "$E" events --no-pdb "$tmp/crim.sys"
    head -1 "$tmp/err" | grep -q "^etwmap: warning: $tmp/crim.sys: .* at 0x" && ok "warning names file, structure and offset" || fail "warning names file, structure and offset" "$(cat "$tmp/err")"
    [ "$(grep -c '	tracelogging	' "$tmp/out")" -eq 4 ] && ok "the TraceLogging rows are still listed" || fail "the TraceLogging rows are still listed" "$(cat "$tmp/out")"
    expect 1 "broken WEVT_TEMPLATE, --format xml: exit 1" "$E" events --format xml --no-pdb "$tmp/crim.sys"
    tail -1 "$tmp/err" | grep -q "^etwmap: warning: $tmp/crim.sys: no usable WEVT_TEMPLATE" && [ ! -s "$tmp/out" ] \
        && ok "no document, the reason last" || fail "no document, the reason last" "$(cat "$tmp/err")"
fi

# ---- bad input: exit 2, one line -----------------------------------------
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }
expect 2 "missing file" "$E" events "$tmp/nope.sys"
grep -q "nope.sys: cannot read file" "$tmp/err" && one_line && ok "missing file: one line" || fail "missing file: one line" "$(cat "$tmp/err")"
python3 -c 'import random,sys; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))' >"$tmp/garbage.dll"
expect 2 "garbage" "$E" events "$tmp/garbage.dll"
one_line && ok "garbage: one line" || fail "garbage: one line" "$(cat "$tmp/err")"
expect 2 "a bad file among good ones gives exit 2" "$E" events "$tmp/garbage.dll" "$FX/udll/udll.dll"
grep -q 'MessageSent' "$tmp/out" && ok "and the good file is still listed" || fail "and the good file is still listed"

# ---- corpus -------------------------------------------------------------
W=$CORPUS/win10-19041.508_win32kbase.sys
if [ -f "$W" ]; then
    expect 0 "win32kbase.sys exits 0" "$E" events "$W"
    cp "$tmp/out" "$tmp/w.tsv"
    tsv_shape "$tmp/w.tsv" "win32kbase.sys: 13 columns on every line"
    # 322 manifest + 278 TraceLogging events + 13 TraceLogging providers
    [ "$(tail -n +2 "$tmp/w.tsv" | wc -l)" -eq 613 ] && ok "win32kbase.sys: 613 rows" || fail "win32kbase.sys: 613 rows" "$(tail -n +2 "$tmp/w.tsv" | wc -l)"
    expect 0 "win32kbase.sys jsonl" "$E" events --format jsonl "$W"
    jsonl_valid "$tmp/out" "win32kbase.sys jsonl is valid"
    set -- "$CORPUS"/*.dll "$CORPUS"/*.sys "$CORPUS"/*.node
    expect 0 "every corpus binary lists without a warning" "$E" events "$@"
    [ -s "$tmp/err" ] && fail "corpus: quiet on stderr" "$(head -5 "$tmp/err")" || ok "corpus: quiet on stderr"
else
    skip "corpus" "$CORPUS absent"
fi

tap_plan
