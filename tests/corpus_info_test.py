#!/usr/bin/env python3
"""corpus_info_test.py - `etwmap info --format json` against llvm-readobj.

For every PE in ../shared/corpus (MANIFEST.tsv) and every fixture image,
the exports (ordinal, name, RVA), imports and delay-load imports (DLL,
name or ordinal, hint) and the RSDS GUID/age/path that etwmap reports must
equal what `llvm-readobj --coff-imports --coff-exports
--coff-debug-directory` prints. Emits TAP; skips when the corpus or
llvm-readobj is absent.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

ETWMAP = os.environ.get("ETWMAP", "build/etwmap")
CORPUS = "../shared/corpus"
READOBJ = shutil.which("llvm-readobj") or shutil.which("llvm-readobj-14")

n = 0


def tap(ok, desc, diag=None):
    global n
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, desc))
    if not ok and diag:
        for line in str(diag).splitlines()[:40]:
            print("# " + line)


def skip(desc, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, desc, why))


def readobj(path):
    """Parses llvm-readobj's exports, imports, delay imports, RSDS."""
    out = subprocess.run(
        [READOBJ, "--file-headers", "--coff-imports", "--coff-exports",
         "--coff-debug-directory", path],
        capture_output=True, text=True, check=True).stdout
    exports, imports, delay = [], [], []
    rsds = None
    exp_dir = (0, 0)
    m = re.search(r"ExportTableRVA: 0x([0-9A-F]+)\s+ExportTableSize: 0x([0-9A-F]+)", out)
    if m:
        exp_dir = (int(m.group(1), 16), int(m.group(2), 16))
    # Exports
    for m in re.finditer(r"Export \{\s+Ordinal: (\d+)\s+Name: (.*)\n\s+RVA: 0x([0-9A-F]+)", out):
        exports.append((int(m.group(1)), m.group(2) or None, int(m.group(3), 16)))
    # Imports: "Import {" blocks at column 0 (delay imports nest "Import {"
    # inside "DelayImport {", indented)
    blocks = re.split(r"\n(?=(?:Import|DelayImport|DebugDirectory|Export) )", out)
    for b in blocks:
        if b.startswith("Import {"):
            dll = re.search(r"Name: (.*)", b).group(1)
            for s in re.finditer(r"Symbol: (.*) \((\d+)\)", b):
                imports.append((dll.lower(), s.group(1) or None, int(s.group(2))))
        elif b.startswith("DelayImport {"):
            dll = re.search(r"Name: (.*)", b).group(1)
            for s in re.finditer(r"Symbol: (.*) \((\d+)\)", b):
                delay.append((dll.lower(), s.group(1) or None, int(s.group(2))))
    m = re.search(r"PDBGUID: \(([0-9A-F ]+)\)\s+PDBAge: (\d+)\s+PDBFileName: (.*)", out)
    if m:
        b = bytes.fromhex(m.group(1).replace(" ", ""))
        g = "%s-%s-%s-%s-%s" % (b[3::-1].hex(), b[5:3:-1].hex(), b[7:5:-1].hex(),
                                 b[8:10].hex(), b[10:].hex())
        rsds = (g, int(m.group(2)), m.group(3))
    return exports, imports, delay, rsds, exp_dir


def etwmap_info(path):
    p = subprocess.run([ETWMAP, "info", "--format", "json", "--no-pdb", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("etwmap exit %d: %s" % (p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def compare(path):
    name = os.path.basename(path)
    try:
        info = etwmap_info(path)
    except Exception as e:  # noqa: BLE001 - reported as a failed test
        tap(False, "%s: etwmap info runs" % name, e)
        return
    exports, imports, delay, rsds, exp_dir = readobj(path)

    # exports: readobj prints a forwarder's RVA (it points at the string
    # inside the export directory); etwmap prints the forwarder string.
    mine = []
    for e in info["exports"]:
        rva = int(e["rva"], 16) if e["rva"] else None
        mine.append((e["ordinal"], e["name"], rva))
    theirs = []
    fwd_theirs = 0
    for o, nm, rva in exports:
        if rva == 0 and not nm:
            continue  # an unused ordinal slot (lld leaves gaps), not an export
        if exp_dir[0] <= rva < exp_dir[0] + exp_dir[1]:
            fwd_theirs += 1
            theirs.append((o, nm, None))
        else:
            theirs.append((o, nm, rva))
    fwd_mine = sum(1 for e in info["exports"] if e["forwarder"])
    ok = sorted(mine, key=str) == sorted(theirs, key=str) and fwd_mine == fwd_theirs
    tap(ok, "%s: %d exports (%d forwarded) agree" % (name, len(theirs), fwd_theirs),
        None if ok else diff(mine, theirs))

    def imp(delay_flag):
        out = []
        for i in info["imports"]:
            if i["delay"] != delay_flag:
                continue
            # readobj prints an ordinal import as an empty name with the
            # ordinal in parentheses, a named one with its hint
            if i["name"] is None:
                out.append((i["dll"].lower(), None, i["ordinal"]))
            else:
                out.append((i["dll"].lower(), i["name"], i["hint"]))
        return out

    for flag, ref, what in ((False, imports, "imports"), (True, delay, "delay-load imports")):
        m = imp(flag)
        ok = sorted(m, key=str) == sorted(ref, key=str)
        tap(ok, "%s: %d %s agree" % (name, len(ref), what), None if ok else diff(m, ref))

    cv = info["codeview"]
    mine_rsds = (cv["guid"], cv["age"], cv["pdb_path"]) if cv else None
    ok = mine_rsds == rsds
    tap(ok, "%s: RSDS %s" % (name, rsds[0] if rsds else "absent"),
        None if ok else "etwmap %r\nreadobj %r" % (mine_rsds, rsds))


def diff(a, b):
    sa, sb = set(a), set(b)
    lines = ["only in etwmap: %r" % sorted(sa - sb, key=str)[:10],
             "only in llvm-readobj: %r" % sorted(sb - sa, key=str)[:10],
             "counts %d vs %d" % (len(a), len(b))]
    return "\n".join(lines)


def main():
    if not READOBJ:
        skip("corpus info", "llvm-readobj not installed")
        print("1..%d" % n)
        return
    files = sorted(glob.glob("tests/fixtures/*/*.sys") + glob.glob("tests/fixtures/*/*.dll"))
    manifest = os.path.join(CORPUS, "MANIFEST.tsv")
    if os.path.exists(manifest):
        with open(manifest) as f:
            next(f)
            for line in f:
                fname = line.split("\t")[0]
                if not fname.endswith(".pdb"):
                    files.append(os.path.join(CORPUS, fname))
    else:
        skip("corpus info", "../shared/corpus absent")
    for p in files:
        compare(p)
    print("1..%d" % n)


if __name__ == "__main__":
    main()
    sys.exit(0)
