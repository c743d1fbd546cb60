#!/usr/bin/env python3
"""functions_tables.py - the kdriver truth tables of tests/test_functions.c.

test_functions.c checks function discovery against three tables taken
from tests/fixtures/kdriver/truth.json ("functions", "etw.api_calls" with
the call sites of "etw.sites[].hops", "call_graph"), kept between the
markers "BEGIN truth tables" and "END truth tables".

    functions_tables.py            rewrite them from truth.json
    functions_tables.py --check    exit 1 when they differ (prints TAP)
"""
import json
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRUTH = os.path.join(TOP, "tests/fixtures/kdriver/truth.json")
SRC = os.path.join(TOP, "tests/test_functions.c")
BEGIN = "/* BEGIN truth tables (tests/functions_tables.py) */\n"
END = "/* END truth tables */\n"


def tables(t):
    out = ["/* truth.json \"functions\": name, rva */",
           "/* is_static: a static function has no PDB public, only a module symbol,",
           " * so it keeps its sub_<rva> name */",
           "static const struct { const char *name; uint32_t rva; int is_static; } truth_functions[] = {"]
    for f in t["functions"]:
        out.append('    {"%s", 0x%x, %d},' % (f["name"], int(f["rva"], 16), 1 if f["static"] else 0))
    out.append("};")
    out.append("/* truth.json etw.api_calls: site rva, containing function, import or callee */")
    out.append("static const struct { uint32_t site; const char *function; const char *callee; int import; } "
               "truth_sites[] = {")
    seen = set()
    for a in t["etw"]["api_calls"]:
        out.append('    {0x%x, "%s", "%s", %d},' % (int(a["rva"], 16), a["function"], a["api"],
                                                   1 if a["call_kind"].startswith("import") else 0))
        seen.add(int(a["rva"], 16))
    for s in t["etw"]["sites"]:
        for h in s["hops"]:
            for r in h["call_rvas"]:
                r = int(r, 16)
                if r not in seen:
                    seen.add(r)
                    out.append('    {0x%x, "%s", "%s", 0},' % (r, h["function"], h["calls"]))
    out.append("};")
    out.append("/* truth.json call_graph: function, direct callees and imports (space-separated, sorted) */")
    out.append("static const struct { const char *function, *calls, *imports; } truth_graph[] = {")
    for name in sorted(t["call_graph"]):
        g = t["call_graph"][name]
        out.append('    {"%s", "%s", "%s"},' % (name, " ".join(g["calls"]), " ".join(g["imports"])))
    out.append("};")
    return "\n".join(out) + "\n"


def main():
    src = open(SRC).read()
    a, b = src.index(BEGIN) + len(BEGIN), src.index(END)
    want = tables(json.load(open(TRUTH)))
    if "--check" in sys.argv[1:]:
        ok = src[a:b] == want
        print("%s 1 - tests/test_functions.c tables match kdriver/truth.json%s" %
              ("ok" if ok else "not ok", "" if ok else " (run tests/functions_tables.py)"))
        return 0 if ok else 1
    open(SRC, "w").write(src[:a] + want + src[b:])
    return 0


sys.exit(main())
