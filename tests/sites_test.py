#!/usr/bin/env python3
"""sites_test.py - `etwmap sites` against the fixtures' ground truth and
the corpus.

Fixtures (every tests/fixtures/*/truth.json of an x64 image, with and
without the PDB): each write site truth.json lists (etw.sites: function,
call site, events, provider) is reported at that call with exactly the
expected events (manifest id/version from the descriptor, TraceLogging
blob, legacy group mask + hook id, WPP message number) and provider GUID,
and no other write site is reported. Registrations (etw.registrations)
likewise, by action and handle.

Corpus (../shared/corpus, skipped when absent), no PDB: the share of
TraceLogging catalog events with a resolved site, and of manifest events
whose descriptor bytes occur in the image with a resolved write site, are
printed and held to the issue's targets (95 % and 90 %) and to the floors
measured; classic (MOF) writes are counted (class GUID, type, provider)
and floored; precision: no resolved site names a (provider, id, version)
the image's catalog lacks when the catalog describes that provider.
Prints TAP.
"""
import glob
import json
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from map_truth import event_key  # noqa: E402  (one key rule for both tests)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(TOP)
ETWMAP = os.environ.get("ETWMAP", "build/asan/etwmap")
n = 0


def tap(ok, desc, skip=None):
    global n
    n += 1
    if skip is not None:
        print(f"ok {n} - {desc} # SKIP {skip}")
    else:
        print(f"{'ok' if ok else 'not ok'} {n} - {desc}")
    sys.stdout.flush()


def run(*args):
    p = subprocess.run([ETWMAP, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def jsonl(*args):
    rc, out, err = run(*args)
    if rc not in (0, 1):
        raise RuntimeError(f"etwmap {' '.join(args)}: exit {rc}: {err.strip()}")
    return [json.loads(line) for line in out.splitlines()]


# Patterns etwmap does not resolve yet, by fixture function: reported as
# TAP skips with the reason (the closing note of the sites issue lists
# them), never silently dropped.
NOT_YET = {
}


def check_fixture(tpath):
    t = json.load(open(tpath))
    if t["machine"]["name"] != "IMAGE_FILE_MACHINE_AMD64":
        return
    with_args = []
    for mod in sorted({s["module"]["fixture"] for s in t["etw"]["sites"] if s.get("module")}):
        mt = json.load(open(f"tests/fixtures/{mod}/truth.json"))
        with_args += ["--with", f"tests/fixtures/{mod}/{mt['image']}"]
    fx = os.path.dirname(tpath)
    img = os.path.join(fx, t["image"])
    for pdb_args, label in ((["--pdb", os.path.join(fx, t["pdb"])], "pdb"), (["--no-pdb"], "no pdb")):
        name = f"{t['fixture']} ({label})"
        rows = jsonl("sites", "--format", "jsonl", *pdb_args, *with_args, img)
        writes = {}
        for r in rows:
            if r["action"] == "write":
                writes.setdefault(int(r["site_rva"], 16), []).append(r)
        want = {}
        for s in t["etw"]["sites"]:
            # the site is reported at the call where the values settle:
            # the truth's call, or one further down its chain of hops
            rvas = [int(s["site_rvas"][0], 16)] + \
                [int(r, 16) for h in s.get("hops", []) for r in h["call_rvas"]]
            rva = next((r for r in rvas if r in writes), rvas[0])
            want[rva] = s
        # without a PDB, internal functions named only by the PDB (an
        # internal EtwTraceKernelEvent) cannot be recognised: those sites
        # are expected only with the PDB
        nopdb_skip = set()
        if label == "no pdb":
            exported = {e["name"] for e in t["exports"]}
            for rva, s in want.items():
                if s["api"] not in {i["name"] for i in t["imports"]} and s["api"] not in exported:
                    nopdb_skip.add(rva)
        for rva, s in sorted(want.items()):
            if rva in nopdb_skip:
                continue
            if s["function"] in NOT_YET:
                tap(True, f"{name}: {s['function']} 0x{rva:x}", skip=NOT_YET[s["function"]])
                writes.pop(rva, None)
                continue
            got = writes.get(rva, [])
            keys = sorted(k for k in (event_key(t, r) for r in got) if k)
            if s["events"]:
                ok = keys == sorted(s["events"])
            elif s["kind"] == "manifest-string":  # provider and constants only
                ok = len(got) == 1 and got[0]["kind"] == "manifest-string"
            else:  # a wrapper whose descriptor is its caller's business
                ok = len(got) >= 1 and all("descriptor-is-parameter" in r["unresolved"] for r in got)
            if ok and s.get("provider_guid") and s["kind"] != "legacy-kernel":
                ok = all(r["provider_guid"] == s["provider_guid"] for r in got)
            if ok and s["kind"] == "classic":  # the header's level and version too
                te = {e["key"]: e for e in t["etw"]["events"]}
                ok = all((r["level"], r["event_version"]) ==
                         (te[k]["level"], te[k]["event_version"])
                         for r in got for k in [event_key(t, r)])
            if ok and s.get("string_level") is not None:
                ok = got[0]["level"] == s["string_level"] and \
                    int(got[0]["keyword"], 16) == int(s["string_keyword"], 16)
            tap(ok, f"{name}: {s['function']} 0x{rva:x} writes {s['events'] or s['kind']}"
                + ("" if ok else f" (got {keys} {[r['unresolved'] for r in got]})"))
        not_yet = {int(f["rva"], 16) for f in t["functions"] if f["name"] in NOT_YET}
        extra = sorted(r for r in set(writes) - set(want)
                       if not all(int(w["function_rva"], 16) in not_yet for w in writes[r]))
        tap(not extra, f"{name}: no write site beyond the truth" + (f" (extra {[hex(e) for e in extra]})" if extra else ""))
        regs = [r for r in rows if r["action"] in ("register", "unregister")]
        for g in t["etw"]["registrations"]:
            if g["action"] not in ("registers", "unregisters"):
                continue
            rva = int(g["site_rvas"][0], 16)
            act = g["action"][:-1]
            if g["function"] in NOT_YET:
                tap(True, f"{name}: {g['function']} 0x{rva:x} {act}s", skip=NOT_YET[g["function"]])
                continue
            hit = [r for r in regs if int(r["site_rva"], 16) == rva and r["action"] == act]
            # RegisterTraceGuids registers the control GUID (the truth's
            # registered_guid), not the WPP message GUID of the provider
            want_guid = g.get("registered_guid") or g["provider_guid"]
            ok = len(hit) == 1 and hit[0]["provider_guid"] == want_guid
            tap(ok, f"{name}: {g['function']} 0x{rva:x} {act}s {want_guid}")


def descriptor_bytes(e):
    return struct.pack("<HBBBBHQ", e["event_id"], e["event_version"], e["channel"] or 0,
                       e["level"] or 0, e["opcode"] or 0, e["task"] or 0, int(e["keyword"], 16))


def image_data_without_resources(path):
    """The image's bytes with its resource section blanked: the
    WEVT_TEMPLATE there holds every descriptor's bytes itself."""
    data = bytearray(open(path, "rb").read())
    out = subprocess.run(["llvm-readobj", "--sections", path], capture_output=True, text=True).stdout
    cur = {}
    for line in out.splitlines():
        line = line.strip()
        for key in ("Name", "PointerToRawData", "RawDataSize"):
            if line.startswith(key + ":"):
                v = line.split(":", 1)[1].strip()
                cur[key] = v.split()[0] if key == "Name" else int(v, 0)
        if line.startswith("Characteristics") and "RawDataSize" in cur:
            if cur.get("Name") == ".rsrc":
                a, n = cur["PointerToRawData"], cur["RawDataSize"]
                data[a:a + n] = bytes(n)
            cur = {}
    return bytes(data)


def check_corpus():
    corpus = "../shared/corpus"
    if not os.path.isdir(corpus):
        tap(True, "corpus site coverage", skip="../shared/corpus absent")
        return
    for f in ("win10-19041.3269_ci.dll", "win10-19041.1806_fltMgr.sys", "win10-19041.2075_amsi.dll",
              "win10-19041.3155_ntdll.dll", "win10-19041.508_win32kbase.sys",
              "win7-7600.16385_dhcpssvc.dll", "win7-7601.17514_dxgkrnl.sys"):
        path = os.path.join(corpus, f)
        if not os.path.exists(path):
            tap(True, f"{f}: coverage", skip="not in corpus")
            continue
        events = [e for e in jsonl("events", "--no-pdb", "--format", "jsonl", path) if e["row"] == "event"]
        sites = jsonl("sites", "--no-pdb", "--format", "jsonl", path)
        data = image_data_without_resources(path)
        tlg = [e for e in events if e["kind"] == "tracelogging"]
        tlg_hit = {s["source_rva"] for s in sites if s["kind"] == "tracelogging" and
                   s["provider_guid"] and not s["unresolved"]}
        man = [e for e in events if e["kind"] == "manifest" and e["event_id"] is not None]
        in_image = [e for e in man if descriptor_bytes(e) in data]
        man_hit = {(s["provider_guid"], s["event_id"], s["event_version"]) for s in sites
                   if s["kind"] == "manifest" and s["action"] == "write" and not s["unresolved"]}
        n_tlg = sum(1 for e in tlg if e["source_rva"] in tlg_hit)
        n_man = sum(1 for e in in_image if (e["provider_guid"], e["event_id"], e["event_version"]) in man_hit)
        print(f"# {f}: tracelogging {n_tlg}/{len(tlg)} events with a resolved site; "
              f"manifest {n_man}/{len(in_image)} events (descriptor in the image) with a resolved write site")
        # precision: resolved sites of a provider the catalog describes
        known = {(e["provider_guid"], e["event_id"], e["event_version"]) for e in man}
        provs = {e["provider_guid"] for e in man}
        bad = [s for s in sites if s["kind"] == "manifest" and s["action"] == "write" and not s["unresolved"]
               and s["provider_guid"] in provs and (s["provider_guid"], s["event_id"], s["event_version"]) not in known]
        tap(not bad, f"{f}: every resolved manifest write names a catalog event ({len(bad)} do not)")
        # the targets (95 % TraceLogging, 90 % manifest) where it
        # names the binary
        t_tlg, t_man = TARGETS[f]
        if t_tlg is not None:
            tap(n_tlg * 100 >= t_tlg * len(tlg), f"{f}: tracelogging {n_tlg}/{len(tlg)} >= {t_tlg} %")
        if t_man is not None:
            tap(n_man * 100 >= t_man * len(in_image), f"{f}: manifest {n_man}/{len(in_image)} >= {t_man} %")
        # floors measured when the test was written: a drop is a regression
        tap(n_tlg * 100 >= FLOORS[f][0] * len(tlg) and n_man * 100 >= FLOORS[f][1] * len(in_image),
            f"{f}: coverage at or above the recorded floor {FLOORS[f]}")
        # classic (MOF) writes: TraceEvent, kernel IoWMIWriteEvent; no
        # catalog describes them, so the numbers are printed and floored
        # (per API call: a helper taking the type as a parameter has one
        # row per caller passing a constant)
        cw = {}
        for s in sites:
            if s["kind"] == "classic" and s["action"] == "write":
                cw.setdefault(s["api_rva"], []).append(s)
        if cw:
            n_guid = sum(1 for v in cw.values() if any(s["event_guid"] for s in v))
            n_type = sum(1 for v in cw.values() if any(s["event_guid"] and s["opcode"] is not None for s in v))
            n_prov = sum(1 for v in cw.values() if any(s["provider_guid"] for s in v))
            print(f"# {f}: classic write calls {len(cw)} ({sum(map(len, cw.values()))} sites): class GUID "
                  f"{n_guid}, class GUID and type {n_type}, provider {n_prov}")
            want = CLASSIC_FLOORS.get(f, (0, 0, 0))
            tap(n_guid >= want[0] and n_type >= want[1] and n_prov >= want[2], f"{f}: classic writes at or above the recorded floor {want}")


# percent floors (tracelogging, manifest) as measured (no PDB)
FLOORS = {
    "win10-19041.3269_ci.dll": (100, 92),
    "win10-19041.1806_fltMgr.sys": (100, 100),
    "win10-19041.2075_amsi.dll": (100, 100),
    "win10-19041.3155_ntdll.dll": (95, 0),
    "win10-19041.508_win32kbase.sys": (99, 100),
    "win7-7600.16385_dhcpssvc.dll": (0, 100),
    "win7-7601.17514_dxgkrnl.sys": (0, 100),
}
# the sites issue's targets, for the binaries it names (None: not named)
TARGETS = {
    "win10-19041.3269_ci.dll": (95, 90),
    "win10-19041.1806_fltMgr.sys": (95, 90),
    "win10-19041.2075_amsi.dll": (95, 90),
    "win10-19041.3155_ntdll.dll": (95, None),
    "win10-19041.508_win32kbase.sys": (95, None),
    "win7-7600.16385_dhcpssvc.dll": (None, 90),
    "win7-7601.17514_dxgkrnl.sys": (None, 90),
}
# classic write calls (with class GUID, with class GUID and type, with
# provider) as measured: dxgkrnl's IoWMIWriteEvent headers (types from
# constants, from the callers of helpers, and from flags: setne/sbb)
CLASSIC_FLOORS = {
    "win7-7601.17514_dxgkrnl.sys": (50, 49, 51),
}

def check_coreclr():
    """coreclr.dll's MC-generated writes resolve to clretwrc.dll's manifest
    (a resource-only DLL) when it is given with --with."""
    core = "../shared/corpus/coreclr-2.0.0_coreclr.dll"
    rc = "../shared/corpus/coreclr-2.0.0_clretwrc.dll"
    if not (os.path.exists(core) and os.path.exists(rc)):
        tap(True, "coreclr --with clretwrc", skip="not in corpus")
        return
    cat = {(e["provider_guid"], e["event_id"], e["event_version"])
           for e in jsonl("events", "--format", "jsonl", rc) if e["row"] == "event"}
    alone = jsonl("sites", "--no-pdb", "--format", "jsonl", core)
    both = jsonl("sites", "--no-pdb", "--format", "jsonl", "--with", rc, core)
    def resolved(rows):
        return {(s["provider_guid"], s["event_id"], s["event_version"]) for s in rows
                if s["action"] == "write" and s["kind"] == "manifest" and not s["unresolved"]}
    got = resolved(both)
    data = image_data_without_resources(core)
    in_image = {(e["provider_guid"], e["event_id"], e["event_version"])
                for e in jsonl("events", "--format", "jsonl", rc)
                if e["row"] == "event" and e["event_id"] is not None and descriptor_bytes(e) in data}
    print(f"# coreclr.dll --with clretwrc.dll: {len(got & in_image)}/{len(in_image)} events whose "
          f"descriptor is in coreclr.dll have a resolved write site ({len(got)} distinct resolved, "
          f"{len(resolved(alone))} without --with); clretwrc.dll describes {len(cat)}")
    tap(len(got) >= 100 and got <= cat,
        "coreclr.dll --with clretwrc.dll: MC writes resolve to clretwrc.dll's events, none outside it")


for tp in sorted(glob.glob("tests/fixtures/*/truth.json")):
    check_fixture(tp)
check_corpus()
check_coreclr()
print(f"1..{n}")
