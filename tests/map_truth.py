#!/usr/bin/env python3
"""map_truth.py - compare `etwmap map --format jsonl` with a fixture's
truth.json `map` (used by tests/map_test.sh; not a test by itself).

    map_truth.py entries TRUTH pdb|nopdb          the --entry-list to give
    map_truth.py compare TRUTH pdb|nopdb MAP SITES

truth.json's map is every (entry, write site) pair reachable over direct
calls, with the shortest depth (0 = the entry writes it), one call path
and the number of shortest paths; etwmap's depth counts the functions on
the path (truth depth + 1). The map must be run with the search rules off
(--all-depths --through-exports --no-default-ignore --max-depth 64) and
the entries listed by `entries`.

Entries are given and matched by rva (a static function has no public
symbol, hence no name, even with the PDB): with the PDB every truth entry,
without it only the exported ones; without the PDB functions on the path
are compared by rva too, since their names come from the PDB. Sites the PDB alone makes recognisable (an internal
EtwTraceKernelEvent) are not expected without it.

A truth site the sites layer does not resolve to exactly its events
(`etwmap sites`, checked by sites_test.py) cannot be mapped right: its rows
are reported as skips naming the site, so the map's own logic is what is
checked here, and the skip disappears when the sites layer learns the
pattern. Likewise a row at a site the sites layer reports beyond the truth.

compare prints one line per check: "ok\tDESC", "fail\tDESC\tDIAG" or
"skip\tDESC\tWHY".
"""
import json
import sys


def event_key(t, s):
    """The truth key of the event a reported row (or site) writes."""
    kind = s["kind"]
    if kind == "legacy-kernel":
        if s["group_mask"] is None or s["hook_id"] is None:
            return None
        return "legacy-kernel:%08x:%04x" % (int(s["group_mask"], 16), int(s["hook_id"], 16))
    if kind == "wpp":
        if s["message_guid"] is None:
            return None
        return "wpp:%s:%d" % (s["message_guid"], s["message_number"])
    if kind == "classic":
        if s["event_guid"] is None:
            return None
        return "classic:%s:%d" % (s["event_guid"], s["opcode"])
    if kind == "tracelogging":
        meta = t["etw"]["tracelogging_metadata"] or {"event_blobs": []}
        for e in meta["event_blobs"]:
            if s["source_rva"] and int(e["rva"], 16) == int(s["source_rva"], 16):
                return "tracelogging:" + e["symbol"]
        return None
    if kind == "manifest":
        for e in t["etw"]["events"]:
            if not e["key"].startswith("manifest") or e.get("event_id") is None:
                continue
            if (e["event_id"], e["event_version"], e["level"], int(e["keyword"], 16)) == (
                    s["event_id"], s["event_version"], s["level"],
                    int(s["keyword"], 16) if s["keyword"] else None) and \
                    e["provider_guid"] == s["provider_guid"]:
                return e["key"]
    return None


def exported_entries(t):
    return [e for e in t["entries"]
            if e["kind"] == "export" or (e["kind"] == "syscall" and e.get("export_name"))]


def pdb_only_api(t, site):
    """Does the site call an internal function only the PDB names? (A
    call into another module's wrapper is an import: never.)"""
    return "module" not in site and site["api"] not in {i["name"] for i in t["imports"]} and \
        site["api"] not in {e["name"] for e in t["exports"]}


def entries(t, mode):
    """By rva: a static function (a TraceLogging enable callback) has no
    public symbol, so no name, even with the PDB."""
    return [e["rva"] for e in (t["entries"] if mode == "pdb" else exported_entries(t))]


def compare(t, mode, rows, sites):
    out = []
    fname = {int(f["rva"], 16): f["name"] for f in t["functions"]}

    def fn_id(name, rva):
        return name if mode == "pdb" else rva

    # the sites layer's view: write sites by rva, with their event keys
    by_site = {}
    for s in sites:
        if s["action"] == "write":
            by_site.setdefault(int(s["site_rva"], 16), []).append(s)
    truth_sites = {int(s["site_rvas"][0], 16): s for s in t["etw"]["sites"]}

    def site_ok(rva):
        """None when the sites layer resolves the truth site exactly, else why not."""
        s = truth_sites[rva]
        got = by_site.get(rva, [])
        keys = sorted(k for k in (event_key(t, g) for g in got) if k)
        if s["events"]:
            if keys == sorted(s["events"]):
                return None
            return "sites layer reports %s at 0x%x, truth %s" % (keys or [g["unresolved"] for g in got], rva, s["events"])
        if s["kind"] == "manifest-string":
            return None if len(got) == 1 and got[0]["kind"] == "manifest-string" else \
                "sites layer: no EtwWriteString site at 0x%x" % rva
        return None if got else "sites layer: no site at 0x%x" % rva

    allowed = {int(e["rva"], 16) for e in (t["entries"] if mode == "pdb" else exported_entries(t))}
    want = {}
    for r in t["map"]:
        rva = int(r["site_rvas"][0], 16)
        ekey = int(r["entry_rva"], 16)
        if ekey not in allowed:
            continue
        if mode == "nopdb" and pdb_only_api(t, r):
            continue
        want[(ekey, rva)] = r
    got = {}
    for r in rows:
        ekey = int(r["entry_rva"], 16)
        got.setdefault((ekey, int(r["site_rva"], 16)), []).append(r)

    for (ekey, rva), w in sorted(want.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        desc = "%s -> 0x%x (%s)" % (w["entry"], rva, ", ".join(w["events"]) or w["kind"])
        why = site_ok(rva)
        if why:
            out.append(("skip", desc, why))
            continue
        g = got.get((ekey, rva))
        if not g:
            out.append(("fail", desc, "no row"))
            continue
        bad = []
        keys = sorted(k for k in (event_key(t, x) for x in g) if k)
        if w["events"] and keys != sorted(w["events"]):
            bad.append("events %s" % keys)
        if not w["events"] and (len(g) != 1 or g[0]["kind"] != w["kind"]):
            bad.append("rows %s" % [x["kind"] for x in g])
        for x in g:
            if x["depth"] != w["depth"] + 1:
                bad.append("depth %d, want %d" % (x["depth"], w["depth"] + 1))
            cf = fn_id(x["containing_function"], int(x["function_rva"], 16))
            wcf = fn_id(w["containing_function"],
                        next(r for r, n in fname.items() if n == w["containing_function"]))
            if cf != wcf:
                bad.append("containing function %r, want %r" % (cf, wcf))
            if len(x["call_path"]) != x["depth"]:
                bad.append("call_path %r has not depth elements" % x["call_path"])
            if mode == "pdb" and w["shortest_paths"] == 1 and x["call_path"] != w["call_path"]:
                bad.append("call_path %r, want %r" % (x["call_path"], w["call_path"]))
            if x["shortest_paths"] != w["shortest_paths"]:
                bad.append("shortest_paths %d, want %d" % (x["shortest_paths"], w["shortest_paths"]))
            # service numbers come from KiServiceTable, named by the PDB
            if mode == "pdb" and "syscall" in w and x["syscall"] != w["syscall"]:
                bad.append("syscall %r, want %r" % (x["syscall"], w["syscall"]))
        out.append(("fail", desc, "; ".join(sorted(set(bad)))) if bad else ("ok", desc))
    # no row beyond the truth (except at sites the sites layer adds)
    extra, layer = [], []
    for (ekey, rva), g in sorted(got.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if (ekey, rva) in want:
            continue
        if rva not in truth_sites or (mode == "nopdb" and pdb_only_api(t, truth_sites[rva])):
            layer.append("%s -> 0x%x" % (g[0]["entry"], rva))
        else:
            extra.append("%s -> 0x%x" % (g[0]["entry"], rva))
    out.append(("fail", "no row beyond the truth", ", ".join(extra[:10])) if extra
               else ("ok", "no row beyond the truth"))
    if layer:
        out.append(("skip", "rows at sites the truth does not list",
                    "sites layer reports more sites: " + ", ".join(layer[:6])))
    return out


def main():
    cmd, truth, mode = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
    if cmd == "entries":
        print("\n".join(entries(truth, mode)))
        return
    rows = [json.loads(l) for l in open(sys.argv[4])]
    sites = [json.loads(l) for l in open(sys.argv[5])]
    for line in compare(truth, mode, rows, sites):
        print("\t".join(line))


if __name__ == "__main__":
    main()
