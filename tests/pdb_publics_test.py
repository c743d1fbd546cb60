#!/usr/bin/env python3
"""pdb_publics_test.py - etwmap's PDB reader against llvm-pdbutil, live.

For every PDB in ../shared/corpus and tests/fixtures, compares what the
test tool tests/tools/pdbdump.c prints (through pdb_open) with
llvm-pdbutil's dump:
  * -summary: GUID and (info stream) age;
  * -publics: every S_PUB32 (name, segment, offset, flags), as a multiset;
  * -globals: every data/thread/reference record etwmap keeps (kind, name,
    segment:offset or module/offset);
  * -symbols: every S_ANNOTATION in the module streams (address, strings).
The tool is $ETWMAP_PDBDUMP, else tests/tool_pdbdump next to $ETWMAP's
build directory, else build/asan/tests/tool_pdbdump. Prints TAP.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(TOP)

n = 0


def tap(ok, desc, skip=None):
    global n
    n += 1
    if skip is not None:
        print(f"ok {n} - {desc} # SKIP {skip}")
    else:
        print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    sys.stdout.flush()


def find_tool():
    t = os.environ.get("ETWMAP_PDBDUMP")
    if t:
        return t
    e = os.environ.get("ETWMAP")
    if e:
        cand = os.path.join(os.path.dirname(e), "tests", "tool_pdbdump")
        if os.path.exists(cand):
            return cand
    return "build/asan/tests/tool_pdbdump"


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       errors="replace")
    return r.returncode, r.stdout, r.stderr


PUB_FLAGS = {"none": 0, "code": 1, "function": 2, "managed": 4, "msil": 8}
KINDS = {"S_GDATA32": 0x110D, "S_LDATA32": 0x110C, "S_GTHREAD32": 0x1113,
         "S_LTHREAD32": 0x1112, "S_PROCREF": 0x1125, "S_DATAREF": 0x1126,
         "S_LPROCREF": 0x1127, "S_ANNOTATIONREF": 0x1128}
REC = re.compile(r"^\s*\d+ \| (S_\w+) \[size = \d+\](?: `(.*)`)?\s*$")


def llvm_records(text):
    """(kind, name, [detail lines]) for every record in a dump section."""
    out = []
    for line in text.splitlines():
        m = REC.match(line)
        if m:
            out.append((m.group(1), m.group(2) or "", []))
        elif out and line.startswith(" "):
            out[-1][2].append(line.strip())
    return out


def llvm_publics(text):
    res = Counter()
    for kind, name, det in llvm_records(text):
        if kind != "S_PUB32":
            continue
        m = re.match(r"flags = (.*), addr = (\d+):(\d+)$", det[0])
        flags = sum(PUB_FLAGS[f.strip()] for f in m.group(1).split("|"))
        res[(name, int(m.group(2)), int(m.group(3)), flags)] += 1
    return res


def llvm_globals(text):
    res = Counter()
    for kind, name, det in llvm_records(text):
        if kind not in KINDS:
            continue
        d = " ".join(det)
        if kind == "S_ANNOTATIONREF":  # llvm-pdbutil prints no fields
            res[(KINDS[kind], name, 0, 0, 0, 0)] += 1
        elif "REF" in kind:
            m = re.search(r"module = (\d+), sum name = \d+, offset = (\d+)", d)
            res[(KINDS[kind], name, 0, 0, int(m.group(1)),
                 int(m.group(2)))] += 1
        else:
            m = re.search(r"addr = (\d+):(\d+)", d)
            res[(KINDS[kind], name, int(m.group(1)), int(m.group(2)), 0,
                 0)] += 1
    return res


def llvm_annotations(text):
    res = Counter()
    for kind, name, det in llvm_records(text):
        if kind != "S_ANNOTATION":
            continue
        m = re.match(r"addr = (\d+):(\d+)$", det[0])
        strings = []
        for line in det[1:]:
            s = line
            if s.startswith("strings = ["):
                s = s[len("strings = ["):]
                if not s:
                    continue
            strings.append(s)
        if strings and strings[-1].endswith("]"):
            strings[-1] = strings[-1][:-1]
        res[(int(m.group(1)), int(m.group(2)), tuple(strings))] += 1
    return res


def tool_lines(tool, mode, pdb):
    rc, out, err = run([tool] + ([mode] if mode else []) + [pdb])
    if rc != 0:
        return None, err.strip()
    lines = out.splitlines()
    return lines, lines[0] if lines else ""


def ours_publics(lines):
    res = Counter()
    for line in lines[1:]:
        addr, rva, flags, name = line.split(" ", 3)
        seg, off = addr.split(":")
        res[(name, int(seg, 16), int(off, 16), int(flags, 16))] += 1
    return res


def ours_globals(lines):
    res = Counter()
    for line in lines[1:]:
        addr, rva, kind, typ, mod, symoff, name = line.split(" ", 6)
        seg, off = addr.split(":")
        if int(kind, 16) == KINDS["S_ANNOTATIONREF"]:
            mod = symoff = "0"
        res[(int(kind, 16), name, int(seg, 16), int(off, 16), int(mod),
             int(symoff))] += 1
    return res


def ours_annotations(lines):
    res = Counter()
    for line in lines[1:]:
        addr, rva, mod, cnt, strings = line.split(" ", 4)
        seg, off = addr.split(":")
        tup = tuple(strings.split("\t")) if int(cnt) else ()
        res[(int(seg, 16), int(off, 16), tup)] += 1
    return res


def diff(a, b):
    extra = list((a - b).elements())[:3]
    missing = list((b - a).elements())[:3]
    return f"# etwmap only: {extra}\n# llvm-pdbutil only: {missing}"


def check_pdb(tool, pdb):
    label = os.path.relpath(pdb, TOP)
    rc, summary, err = run(["llvm-pdbutil", "dump", "-summary", pdb])
    lines, head = tool_lines(tool, None, pdb)
    if lines is None:
        tap(False, f"{label}: pdbdump runs ({head})")
        return
    m = re.search(r"GUID: \{([0-9A-F-]+)\}", summary)
    a = re.search(r"^\s*Age: (\d+)", summary, re.M)
    want = f"guid {m.group(1).lower()} age {a.group(1)} "
    ok = head.startswith(want)
    tap(ok, f"{label}: GUID and age match llvm-pdbutil -summary")
    if not ok:
        print(f"# llvm: {want}\n# ours: {head}")

    _, text, _ = run(["llvm-pdbutil", "dump", "-publics", pdb])
    want, got = llvm_publics(text), ours_publics(lines)
    ok = want == got and len(want) > 0
    tap(ok, f"{label}: all {sum(want.values())} publics match "
            f"llvm-pdbutil -publics")
    if not ok:
        print(diff(got, want))

    glines, _ = tool_lines(tool, "-g", pdb)
    _, text, _ = run(["llvm-pdbutil", "dump", "-globals", pdb])
    want, got = llvm_globals(text), ours_globals(glines or [""])
    ok = want == got
    tap(ok, f"{label}: all {sum(want.values())} data/ref globals match "
            f"llvm-pdbutil -globals")
    if not ok:
        print(diff(got, want))

    alines, _ = tool_lines(tool, "-a", pdb)
    _, text, _ = run(["llvm-pdbutil", "dump", "-symbols", pdb])
    want, got = llvm_annotations(text), ours_annotations(alines or [""])
    ok = want == got
    tap(ok, f"{label}: all {sum(want.values())} S_ANNOTATION records match "
            f"llvm-pdbutil -symbols")
    if not ok:
        print(diff(got, want))


def main():
    pdbs = sorted(glob.glob("../shared/corpus/*.pdb"))
    pdbs += sorted(glob.glob("tests/fixtures/**/*.pdb", recursive=True))
    tool = find_tool()
    if not shutil.which("llvm-pdbutil"):
        tap(True, "PDB reader vs llvm-pdbutil", skip="llvm-pdbutil absent")
    elif not os.path.exists(tool):
        tap(True, "PDB reader vs llvm-pdbutil",
            skip=f"{tool} not built (make it with the tool_pdbdump rule)")
    elif not pdbs:
        tap(True, "PDB reader vs llvm-pdbutil", skip="no PDB in corpus "
            "or fixtures")
    else:
        for p in pdbs:
            check_pdb(tool, p)
    print(f"1..{n}")


main()
