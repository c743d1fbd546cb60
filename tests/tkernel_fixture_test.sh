#!/bin/sh
# tkernel_fixture_test.sh - the tkernel fixture (tests/fixtures/tkernel,
# tkernel-O2, tkernel-Os: an ntoskrnl-like image with a packed
# KiServiceTable) against its truth.json, through the commands that exist
# today: `etwmap info` (headers, exports, imports, the ETW APIs the image
# implements, PDB, metadata), `etwmap events` (the manifest, TraceLogging
# and WPP catalog) and `etwmap calls` (functions, call edges, tail calls,
# ETW API calls). Also checks the fixture's own promises: KiServiceTable's
# entries, read straight from the file, decode to the routines truth.json
# names, and the three builds share one call graph and one map.
# Emits TAP. Run from the top directory with ETWMAP set (tests/run.sh).
set -u
. tests/tap.sh

builds="tkernel tkernel-O2 tkernel-Os"

for d in $builds; do
    img=$FX/$d/tkernel.exe
    truth=$FX/$d/truth.json
    if [ ! -f "$img" ] || [ ! -f "$truth" ]; then skip "$d" "fixture absent"; continue; fi

    # ---- info ------------------------------------------------------------
    expect 0 "info $d exits 0" "$E" info --format json "$img"
    [ -s "$tmp/err" ] && fail "info $d is quiet on stderr" "$(cat "$tmp/err")" || ok "info $d is quiet on stderr"
    cp "$tmp/out" "$tmp/info.json"
    if python3 - "$truth" "$tmp/info.json" "$img" >"$tmp/cmp" 2>&1 <<'PY'
import json, struct, sys
t = json.load(open(sys.argv[1]))
o = json.loads(open(sys.argv[2]).readline())
data = open(sys.argv[3], "rb").read()
bad = []
def eq(what, got, want):
    if got == want:
        return
    if isinstance(got, list) and isinstance(want, list):
        g, w = [x for x in got if x not in want], [x for x in want if x not in got]
        bad.append("%s: only here %r, only in truth.json %r%s" % (what, g, w, "" if g or w else " (order)"))
    else:
        bad.append("%s: %r, want %r" % (what, got, want))
eq("machine", o["machine"], "x64")
eq("subsystem", o["subsystem"], "native")
eq("entry", o["entry_rva"], t["entry_point"]["rva"])
eq("export dll name", o["export_dll_name"], t["export_dll_name"])
eq("sections", [s["name"] for s in o["sections"]], [s["name"] for s in t["sections"]])
eq("exports", [(e["ordinal"], e["name"], e["rva"]) for e in o["exports"]],
   [(e["ordinal"], e["name"], e["rva"]) for e in t["exports"]])
eq("imports", [(i["dll"], i["name"]) for i in o["imports"]],
   [(i["dll"], i["name"]) for i in t["imports"]])
eq("etw imports", o["etw_imports"], [])
apis = {c["api"] for c in t["etw"]["api_calls"]}
eq("etw exports", o["etw_exports"], sorted(e["name"] for e in t["exports"] if e["name"] in apis))
eq("pdb", (o["pdb"]["status"], o["pdb"]["guid"], o["pdb"]["age"]),
   ("matched", t["debug"]["guid"], t["debug"]["age"]))
eq("tracelogging header", o["etw_metadata"]["tracelogging_rva"],
   t["etw"]["tracelogging_metadata"]["header_rva"])
eq("wevt/message table", (o["etw_metadata"]["wevt_template"], o["etw_metadata"]["message_table"]),
   (True, True))
eq("cfg functions", o["load_config"]["guard_cf_function_count"],
   t["load_config"]["guard_cf_function_count"])
eq("guard flags", int(o["load_config"]["guard_flags"], 16), int(t["load_config"]["guard_flags"], 16))

# KiServiceTable, read from the file through info's section table
def read(rva, n):
    for s in o["sections"]:
        va, raw = int(s["rva"], 16), int(s["raw_offset"], 16)
        if va <= rva < va + int(s["raw_size"], 16):
            return data[raw + rva - va:raw + rva - va + n]
    raise SystemExit("rva %#x outside the sections" % rva)
st = t["service_table"]
eq("service table kind", st["kind"], "KiServiceTable")
tab = int(st["table_rva"], 16)
limit = struct.unpack("<I", read(int(st["limit_rva"], 16), 4))[0]
eq("KiServiceLimit", limit, st["limit"])
funcs = {f["name"]: f["rva"] for f in t["functions"]}
exports = {e["name"]: e for e in t["exports"]}
for k, e in enumerate(st["entries"]):
    v = struct.unpack("<i", read(tab + 4 * k, 4))[0]
    eq("entry %d" % k, (e["number"], hex(tab + (v >> 4)), v & 15),
       (k, e["rva"], e["stack_args"]))
    eq("entry %d routine" % k, funcs.get(e["function"]), e["rva"])
    if e["zw_stub"]:
        eq("%s exported" % e["zw_stub"], exports[e["zw_stub"]]["rva"], e["zw_stub_rva"])
syscalls = [x for x in t["entries"] if x["kind"] == "syscall"]
eq("syscall entries", [(x["syscall"], x["name"]) for x in syscalls],
   [(e["number"], e["function"]) for e in st["entries"]])
print("\n".join(bad[:30]))
sys.exit(1 if bad else 0)
PY
    then ok "info $d agrees with truth.json; KiServiceTable decodes from the file"
    else fail "info $d agrees with truth.json; KiServiceTable decodes from the file" "$(cat "$tmp/cmp")"; fi

    # ---- events ----------------------------------------------------------
    expect 0 "events $d exits 0" "$E" events --format jsonl "$img"
    [ -s "$tmp/err" ] && fail "events $d is quiet on stderr" "$(cat "$tmp/err")" || ok "events $d is quiet on stderr"
    cp "$tmp/out" "$tmp/events.jsonl"
    if python3 - "$truth" "$tmp/events.jsonl" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
ev = [r for r in rows if r["row"] == "event"]
bad = []
def eq(what, got, want):
    if got == want:
        return
    if isinstance(got, list) and isinstance(want, list):
        g, w = [x for x in got if x not in want], [x for x in want if x not in got]
        bad.append("%s: only here %r, only in truth.json %r%s" % (what, g, w, "" if g or w else " (order)"))
    else:
        bad.append("%s: %r, want %r" % (what, got, want))
# manifest: the compiled manifest, event by event, with template fields
want = []
for p in t["etw"]["manifest"]["providers"]:
    tmpl = {x["tid"]: [f["name"] for f in x["fields"]] for x in p["templates"]}
    for x in p["events"]:
        want.append((p["guid"], p["name"], x["id"], x["version"], x["channel"], x["level"],
                     x["opcode"], x["task"], int(x["keyword"], 16), x["message"],
                     tmpl.get(x["template"], [])))
got = [(r["provider_guid"], r["provider_name"], r["event_id"], r["event_version"], r["channel"],
        r["level"], r["opcode"], r["task"], int(r["keyword"], 16), r["message"],
        [f["name"] for f in r["fields"]]) for r in ev if r["kind"] == "manifest"]
eq("manifest events", sorted(got), sorted(want))
# every descriptor the code has is one of them
desc = sorted((e["provider_guid"], e["event_id"], e["event_version"]) for e in t["etw"]["events"]
              if e["kind"] == "manifest")
eq("descriptors", desc, sorted((w[0], w[2], w[3]) for w in want))
# TraceLogging: the provider blob and the event blobs
tp = [p for p in t["etw"]["providers"] if p["kind"] == "tracelogging"]
eq("tracelogging providers",
   [(r["provider_guid"], r["provider_name"], r["provider_rva"]) for r in rows
    if r["row"] == "provider" and r["kind"] == "tracelogging"],
   [(p["guid"], p["name"], p["metadata_rva"]) for p in tp])
eq("tracelogging events",
   sorted((r["event_name"], r["source_rva"], r["level"], r["opcode"], int(r["keyword"], 16),
           [f["name"] for f in r["fields"]]) for r in ev if r["kind"] == "tracelogging"),
   sorted((e["event_name"], e["blob_rva"], e["level"], e["opcode"], int(e["keyword"], 16),
           [f["name"] for f in e["fields"]]) for e in t["etw"]["events"]
          if e["kind"] == "tracelogging"))
# WPP: message GUID and number, the function of its TMF annotation, the
# control GUID of the TMC annotation
tmc = [a["strings"][1] for a in t["pdb_annotations"] if a["strings"][0] == "TMC:"]
wpp = []
for e in t["etw"]["events"]:
    if e["kind"] == "wpp":
        fn = [a["function"] for a in t["pdb_annotations"] if a["strings"] == e["tmf"]]
        wpp.append((tmc[0], e["message_guid"], e["message_number"], fn[0],
                    e["tmf"][2].split()[1]))
eq("wpp events",
   sorted((r["provider_guid"], r["message_guid"], r["event_id"], r["function"], r["event_name"])
          for r in ev if r["kind"] == "wpp"), sorted(wpp))
if len(want) < 10 or len(wpp) != 2:
    bad.append("truth.json lists too few events")
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
    then ok "events $d: manifest, TraceLogging and WPP catalog as truth.json"
    else fail "events $d: manifest, TraceLogging and WPP catalog as truth.json" "$(cat "$tmp/cmp")"; fi

    # ---- calls -----------------------------------------------------------
    expect 0 "calls $d exits 0" "$E" calls --format jsonl "$img"
    [ -s "$tmp/err" ] && fail "calls $d is quiet on stderr" "$(cat "$tmp/err")" || ok "calls $d is quiet on stderr"
    cp "$tmp/out" "$tmp/calls.jsonl"
    if python3 - "$truth" "$tmp/calls.jsonl" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
rows = [json.loads(l) for l in open(sys.argv[2])]
at = {int(r["function_rva"], 16): r for r in rows}
rva_of = {f["name"]: f["rva"] for f in t["functions"]}
bad = []
# every function, at its rva, under its name (a static one has no public
# symbol in the line-tables-only PDB: sub_<rva> is right for it)
for f in t["functions"]:
    r = at.get(int(f["rva"], 16))
    if r is None:
        bad.append("function %s at %s not listed" % (f["name"], f["rva"]))
    elif r["function"] != f["name"] and not (f["static"] and r["function"] == "sub_%x" % int(f["rva"], 16)):
        bad.append("function at %s is %s, want %s" % (f["rva"], r["function"], f["name"]))
# the call graph: direct callees by rva, imports by name, tail calls
for name, g in t["call_graph"].items():
    r = at.get(int(rva_of[name], 16))
    if r is None:
        continue
    direct = {s["callee_rva"] for s in r["sites"] if s["import_dll"] is None and s["callee_rva"]}
    # indirect calls (no callee), when the command lists them
    ind = {s["site_rva"] for s in r["sites"] if s["import_dll"] is None and not s["callee_rva"]}
    if not ind <= set(g["indirect_calls"]):
        bad.append("%s: indirect calls %s, truth.json %s" % (name, sorted(ind), g["indirect_calls"]))
    want = {rva_of[c] for c in g["calls"]}
    if direct != want:
        bad.append("%s calls %s, want %s" % (name, sorted(direct), sorted(want)))
    imports = {s["callee"] for s in r["sites"] if s["import_dll"] is not None}
    if imports != set(g["imports"]):
        bad.append("%s imports %s, want %s" % (name, sorted(imports), g["imports"]))
    tails = {s["callee_rva"] for s in r["sites"] if s["kind"] == "tail"}
    if tails != {rva_of[c] for c in g["tail_calls"]}:
        bad.append("%s tail-calls %s, want %s" % (name, sorted(tails), g["tail_calls"]))
# ETW API calls: every one truth knows, marked, in its function; and every
# call marked as an ETW API is one of them or a TraceLogging helper call of
# a truth site
sites = {s["site_rva"]: (r, s) for r in rows for s in r["sites"]}
api = {c["rva"]: c for c in t["etw"]["api_calls"]}
for c in api.values():
    if c["rva"] not in sites:
        bad.append("ETW call %s of %s not listed" % (c["rva"], c["function"]))
        continue
    r, s = sites[c["rva"]]
    if (r["function_rva"], s["callee"], s["etw_api"] is not None) != (rva_of[c["function"]], c["api"], True):
        bad.append("ETW call %s: %s -> %s [%s]" % (c["rva"], r["function"], s["callee"], s["etw_api"]))
helpers = {x for st in t["etw"]["sites"] for h in st["hops"][:1] if h["calls"].startswith("_tlgWrite")
           for x in h["call_rvas"]}
for rva, (r, s) in sites.items():
    if s["etw_api"] and rva not in api and rva not in helpers:
        bad.append("%s in %s marked %s, not in truth.json" % (rva, r["function"], s["etw_api"]))
if len(api) < 20 or len(helpers) != 3:
    bad.append("truth.json lists %d ETW calls, %d helper calls" % (len(api), len(helpers)))
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
PY
    then ok "calls $d: functions, call edges, tail calls and ETW calls as truth.json"
    else fail "calls $d: functions, call edges, tail calls and ETW calls as truth.json" "$(cat "$tmp/cmp")"; fi
done

# ---- the three builds: one call graph, one map ------------------------------
if [ -f "$FX/tkernel/truth.json" ] && [ -f "$FX/tkernel-O2/truth.json" ] && [ -f "$FX/tkernel-Os/truth.json" ]; then
    if python3 - "$FX/tkernel/truth.json" "$FX/tkernel-O2/truth.json" "$FX/tkernel-Os/truth.json" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys
ts = [json.load(open(p)) for p in sys.argv[1:]]
def shape(t):
    return ({k: v["calls"] for k, v in t["call_graph"].items()},
            sorted((r["entry"], r["entry_kind"], r["syscall"], r["depth"], r["call_path"],
                    r["containing_function"], r["api"], r["via"], r["events"]) for r in t["map"]),
            [(e["number"], e["function"], e["stack_args"], e["zw_stub"]) for e in t["service_table"]["entries"]],
            sorted((e["key"], e.get("written")) for e in t["etw"]["events"]))
base = shape(ts[0])
bad = [t["fixture"] for t in ts[1:] if shape(t) != base]
# every system service reaches an event
reach = {r["entry"] for r in ts[0]["map"] if r["entry_kind"] == "syscall"}
bad += ["%s reaches no event" % e["function"] for e in ts[0]["service_table"]["entries"]
        if e["function"] not in reach]
print("\n".join(map(str, bad)))
sys.exit(1 if bad else 0)
PY
    then ok "tkernel, -O2 and -Os: same call graph, map, service table and events; every service maps"
    else fail "tkernel, -O2 and -Os: same call graph, map, service table and events; every service maps" "$(cat "$tmp/cmp")"; fi
else
    skip "tkernel builds agree" "fixture absent"
fi

tap_plan
