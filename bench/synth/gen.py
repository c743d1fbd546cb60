#!/usr/bin/env python3
"""gen.py - C sources for a synthetic x64 kernel image ("tkbig.sys") of a
chosen scale, for benchmarks of the etwmap engine.

    gen.py --scale N [--seed S] --out DIR

Scale N gives N components of about 2,050 functions each (a component is a
kernel subsystem: Rtl, Ke, Mm, Io, ...), so N=16 is the size of
ntoskrnl.exe's code (30,000+ functions, 10+ MB of .text at -O2). The output
depends only on N and the seed: component c is generated from
random.Random(f"{seed}/{c}") and the components below it (whose exports it
may call), so the first k components of every image of scale >= k are the
same C code (the 4x image holds the 1x image's Rtl, files and all).

Each component has:
  * a layered call DAG (10 layers; exports and Nt* services on top, leaves
    at the bottom), every function with at least one caller, plus
    self-recursive functions, mutually recursive pairs and one longer
    cycle; calls into lower components' exports;
  * bodies with switch statements (jump tables and compare trees), loops,
    struct copies (64, 128 and 384 bytes: inline moves and memmove calls),
    pool allocations, indirect calls through a callback table (CFG);
  * ETW, in the patterns of tests/fixtures/kdriver and udll: an INIT
    routine registering two manifest providers (an old-style REGHANDLE one
    and an MC-context one with McGenControlCallbackV2) and a TraceLogging
    provider (EtwRegister + EtwSetInformation); const EVENT_DESCRIPTOR
    globals written with EtwWrite / EtwWriteEx / EtwWriteTransfer, MC
    McTemplate wrappers (old: McTemplateK0*_EtwWriteTransfer -> API; new:
    McTemplateK0* -> McGenEventWrite_EtwWriteTransfer -> API), descriptors
    built on the stack field by field, one call site choosing between two
    descriptors, wrapper chains passing the handle and/or descriptor
    through 1-3 levels, EtwWriteString, legacy EtwTraceKernelEvent(data,
    count, groupMask, hookId, flags) calls with constants (direct, or
    through PerfInfoLogBytes), TraceLogging calls of
    _tlgWriteTransfer_EtwWriteTransfer with a provider object and a pointer
    to a (well-formed, common/tlg.h) Event4 or Event3 blob, WPP WPP_SF_* ->
    WmiTraceMessage calls with per-file trace GUIDs.

The image also has a packed NT system service table: KiServiceTable is
emitted in assembly as 32-bit RVAs of the Nt* routines (.rva), which
patchsvc.py rewrites after the link into ((rva - table) << 4) | stack
argument count, with KiServiceLimit, KiArgumentTable,
KeServiceDescriptorTable (exported) and a dispatcher that calls through the
table; 30 services per component.

Files written to DIR: synth.h, syncore.c, synrt.S (memcpy & co.),
synsvc.S (KiServiceTable), <pfx>.h + <pfx>etw.c + <pfx>NN.c per component,
tkbig.def (exports), services.txt (for patchsvc.py), sources.txt (the C
files, in link order) and summary.json (what was generated: functions,
ETW call sites by pattern, events, exports, services).
"""

import argparse
import json
import math
import os
import random
import sys

# ---------------------------------------------------------------------------
# vocabulary
# ---------------------------------------------------------------------------

PREFIXES = [
    "Rtl", "Ke", "Mm", "Io", "Ob", "Ps", "Se", "Cm", "Ex", "Po", "Pnp", "Alpc",
    "Fs", "Cc", "Hv", "Vf", "Wmi", "Pf", "Sm", "St", "Dbgk", "Lpc", "Tm", "Kd",
    "Hal", "Whea", "Pi", "Nls", "Ldr", "Inbv", "Bg", "Ium",
]

VERBS = [
    "Allocate", "Free", "Query", "Set", "Create", "Delete", "Open", "Close",
    "Insert", "Remove", "Lookup", "Acquire", "Release", "Initialize",
    "Validate", "Capture", "Probe", "Map", "Unmap", "Lock", "Unlock",
    "Reference", "Dereference", "Update", "Flush", "Scan", "Process",
    "Dispatch", "Complete", "Cancel", "Queue", "Signal", "Wait", "Notify",
    "Register", "Unregister", "Enumerate", "Compute", "Check", "Build", "Copy",
    "Move", "Merge", "Split", "Trim", "Prune", "Commit", "Decommit", "Reserve",
    "Charge", "Return", "Resolve", "Translate", "Encode", "Decode", "Compare",
    "Hash", "Find", "Attach", "Detach", "Suspend", "Resume", "Start", "Stop",
    "Reset", "Refresh", "Load", "Unload", "Bind", "Unbind", "Drain", "Age",
]
NOUNS = [
    "Page", "Region", "Section", "Segment", "View", "Frame", "Pool", "Block",
    "Entry", "Table", "List", "Queue", "Object", "Handle", "Process", "Thread",
    "Token", "Key", "Value", "Hive", "Cell", "Device", "Driver", "Irp", "File",
    "Volume", "Port", "Message", "Timer", "Event", "Mutex", "Lock", "Context",
    "Record", "Buffer", "Range", "Descriptor", "Node", "Tree", "Bucket",
    "Cache", "Bitmap", "Worker", "Callback", "Notification", "Session", "Job",
    "Partition", "Quota", "Policy", "Counter", "Stack", "Trap", "Interrupt",
    "Vector", "Processor", "Affinity", "Power", "State", "Transaction", "Log",
    "Snapshot", "Image", "Module", "Symbol", "Request", "Packet", "Channel",
    "Stream", "Filter", "Instance", "Property", "Attribute", "Class",
    "Interface", "Resource", "Lookaside", "Slab", "Working", "Standby",
]
SUFFIXES = ["", "", "", "", "", "Ex", "Internal", "Worker", "Locked", "Fast",
            "Common", "Deferred", "Batch", "Helper", "ForCheck", "Unsafe"]

# Legacy kernel logger: (group mask, hook id) pairs that exist in ntwmi.h
# (data/legacy_kernel_tables.inc), and typical flags words.
LEGACY_PAIRS = [
    (0x00000001, 0x0301), (0x00000001, 0x0302), (0x00000002, 0x0501),
    (0x00000002, 0x0502), (0x00000004, 0x1401), (0x00000004, 0x1402),
    (0x00020000, 0x0921), (0x02000000, 0x0440), (0x00002000, 0x0220),
    (0x20000004, 0x0524), (0x20000080, 0x0F44), (0x20004000, 0x0F43),
    (0x20000040, 0x0E20), (0x20010000, 0x0529), (0x40000040, 0x0F33),
    (0x40000040, 0x0F34), (0x40020000, 0x0F50),
]
LEGACY_FLAGS = [0x00401802, 0x00401A02, 0x00000402, 0x00000602, 0x00400002]

# C types of the parameter / return codes
PTYPE = {"u": "ULONG", "q": "ULONG64", "o": "PSYN_OBJECT", "r": "PSYN_REQUEST"}
RTYPE = {"n": "NTSTATUS", "u": "ULONG", "q": "ULONG64", "v": "VOID"}

LAYERS = 10
# share of a component's regular functions per layer (top = 0)
LAYER_SHARE = [0.03, 0.05, 0.07, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.16]

# ETW site patterns and their weights (per component, ~200 sites)
SITE_KINDS = [
    ("write", 16), ("writeex", 6), ("mc_old", 12), ("mc_new", 12),
    ("stack", 5), ("chain", 12), ("twopath", 3), ("string", 4),
    ("legacy", 5), ("perfinfo", 3), ("tlg", 12), ("wpp", 10),
]

# kinds of function that call others
CALLER_KINDS = ("normal", "big", "switch", "huge", "service")

FUNCS_PER_COMPONENT = 2050
SITES_PER_COMPONENT = 200
SERVICES_PER_COMPONENT = 30
FUNCS_PER_FILE = 150


def c_guid(g):
    """A GUID initializer from a 16-byte list."""
    d1 = int.from_bytes(bytes(g[0:4]), "big")
    d2 = int.from_bytes(bytes(g[4:6]), "big")
    d3 = int.from_bytes(bytes(g[6:8]), "big")
    tail = ", ".join("0x%02x" % b for b in g[8:16])
    return "{0x%08x, 0x%04x, 0x%04x, {%s}}" % (d1, d2, d3, tail)


def guid_text(g):
    h = bytes(g).hex()
    return "%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def rand_guid(rng):
    g = [rng.randrange(256) for _ in range(16)]
    g[6] = (g[6] & 0x0F) | 0x40
    g[8] = (g[8] & 0x3F) | 0x80
    return g


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------

class Func:
    __slots__ = ("name", "comp", "layer", "kind", "params", "ret", "callees",
                 "section", "exported", "file", "sites", "self_rec", "rec_partners",
                 "service", "n_fill", "callers", "cb_calls", "case_values")

    def __init__(self, name, comp, layer, kind, params, ret):
        self.name = name
        self.comp = comp
        self.layer = layer
        self.kind = kind        # leaf normal big switch huge log service callback init
        self.params = params    # list of type codes
        self.ret = ret
        self.callees = []
        self.section = "text"
        self.exported = False
        self.file = None
        self.sites = []
        self.self_rec = False
        self.rec_partners = []  # functions this one calls back in a cycle
        self.service = None     # stack argument count when an Nt* service
        self.n_fill = 0
        self.callers = 0
        self.cb_calls = 0
        self.case_values = None

    def proto(self):
        ps = ", ".join("%s A%d" % (PTYPE[t], i) for i, t in enumerate(self.params)) or "VOID"
        return "%s %s(%s)" % (RTYPE[self.ret], self.name, ps)


class Site:
    __slots__ = ("kind", "comp", "desc", "desc2", "level", "data", "host", "extra")

    def __init__(self, kind, comp):
        self.kind = kind
        self.comp = comp
        self.desc = None
        self.desc2 = None
        self.level = 4
        self.data = []
        self.host = None
        self.extra = {}


class Desc:
    __slots__ = ("sym", "provider", "id", "version", "channel", "level", "opcode", "task",
                 "keyword")


class Component:
    def __init__(self, index, seed):
        self.index = index
        base = PREFIXES[index % len(PREFIXES)]
        self.pfx = base if index < len(PREFIXES) else "%s%d" % (base, index // len(PREFIXES) + 1)
        self.rng = random.Random("%s/%d" % (seed, index))
        self.funcs = []
        self.by_layer = [[] for _ in range(LAYERS)]
        self.sites = []
        self.descs = []
        self.chains = []      # wrapper chains: list of Func (top first)
        self.callbacks = []
        self.exports = []
        self.services = []
        self.files = []       # list of lists of Func
        self.names = set()
        self.tlg_blobs = []   # filled while emitting
        self.next_event_id = [1, 1]
        self.provider_guids = [rand_guid(self.rng) for _ in range(3)]


# ---------------------------------------------------------------------------
# generation of one component's model
# ---------------------------------------------------------------------------

def unique_name(comp, rng, prefix, used_global):
    """prefix + Verb + Noun [+ Noun] [+ suffix], unique in the image."""
    for _ in range(40):
        verb = rng.choice(VERBS)
        noun = rng.choice(NOUNS)
        noun2 = rng.choice(NOUNS) if rng.random() < 0.35 else ""
        suf = rng.choice(SUFFIXES)
        name = prefix + verb + noun + (noun2 if noun2 != noun else "") + suf
        if name not in used_global:
            used_global.add(name)
            return name
    n = 2
    while "%s%d" % (name, n) in used_global:
        n += 1
    name = "%s%d" % (name, n)
    used_global.add(name)
    return name


def rand_params(rng, lo, hi):
    n = rng.randint(lo, hi)
    return [rng.choice("uuuqqor") for _ in range(n)]


def build_component(comp, lower, used_names):
    rng = comp.rng
    P = comp.pfx
    priv = P + "p"
    n_total = FUNCS_PER_COMPONENT + rng.randint(-40, 40)

    # --- ETW sites and the functions they need -----------------------------
    kinds, weights = zip(*SITE_KINDS)
    n_sites = SITES_PER_COMPONENT + rng.randint(-10, 10)
    for _ in range(n_sites):
        comp.sites.append(Site(rng.choices(kinds, weights)[0], comp))

    # wrapper chains: depth 1, 2, 3 (two of each), top first
    chain_specs = [(1, "EtwWrite"), (1, "EtwWriteTransfer"), (2, "EtwWrite"),
                   (2, "EtwWriteEx"), (3, "EtwWriteEx"), (3, "EtwWrite")]
    for depth, api in chain_specs:
        chain = []
        for level in range(depth):
            name = unique_name(comp, rng, priv + "Etw", used_names)
            f = Func(name, comp, LAYERS - 1, "chain", [], "n")
            f.sites = []
            chain.append(f)
        comp.chains.append((depth, api, chain))

    # callbacks (reached only through the callback table)
    for i in range(8):
        f = Func(unique_name(comp, rng, priv, used_names), comp, LAYERS - 1, "callback",
                 ["q", "o"], "q")
        f.n_fill = rng.randint(2, 6)
        comp.callbacks.append(f)

    # Nt* services (layer 0)
    for i in range(SERVICES_PER_COMPONENT):
        nparams = rng.choice([1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 11])
        params = ["u"] + [rng.choice("uuqqor") for _ in range(nparams - 1)]
        f = Func(unique_name(comp, rng, "Nt", used_names), comp, 0, "service", params, "n")
        f.service = max(0, nparams - 4)
        f.exported = rng.random() < 0.5
        f.n_fill = rng.randint(2, 6)
        comp.services.append(f)

    # log functions: 60% of the sites get a small function of their own
    log_funcs = []
    for s in comp.sites:
        if rng.random() < 0.6:
            params = rand_params(rng, 1, 4)
            f = Func(unique_name(comp, rng, priv + "Log", used_names), comp,
                     rng.randint(5, LAYERS - 1), "log", params, "v")
            f.sites = [s]
            s.host = f
            f.n_fill = rng.choice([0, 0, 1, 2])
            log_funcs.append(f)

    # regular functions
    n_fixed = len(comp.services) + len(comp.callbacks) + len(log_funcs) + \
        sum(len(c[2]) for c in comp.chains) + 3
    n_regular = max(100, n_total - n_fixed)
    regular = []
    for layer in range(LAYERS):
        count = int(round(n_regular * LAYER_SHARE[layer]))
        for _ in range(count):
            exported = rng.random() < ([0.9, 0.6, 0.3] + [0.0] * LAYERS)[layer]
            prefix = P if exported or rng.random() < 0.3 else priv
            r = rng.random()
            if layer == LAYERS - 1 or (layer >= LAYERS - 3 and r < 0.45):
                kind = "leaf"
            elif r < 0.04 and layer <= LAYERS - 3:
                kind = "switch"
            elif r < 0.09:
                kind = "big"
            else:
                kind = "normal"
            params = rand_params(rng, 0 if kind == "leaf" else 1, 6)
            if kind == "switch" and "u" not in params:
                params = ["u"] + params
            ret = rng.choice("nnnuqqv")
            f = Func(unique_name(comp, rng, prefix, used_names), comp, layer, kind, params, ret)
            f.exported = exported
            regular.append(f)
    # one giant switch dispatcher per component (17-25 KB at -O2, like a
    # kernel's largest functions)
    huge = rng.choice([f for f in regular if f.layer in (1, 2) and f.kind != "leaf"])
    huge.kind = "huge"
    if "u" not in huge.params:
        huge.params = ["u"] + huge.params

    # inline sites go into regular non-leaf functions of layers 2..8
    hosts = [f for f in regular if 2 <= f.layer <= 8 and f.kind in ("normal", "big", "leaf")]
    for s in comp.sites:
        if s.host is None:
            h = rng.choice(hosts)
            s.host = h
            h.sites.append(s)

    for f in regular:
        f.n_fill = {
            "leaf": rng.randint(1, 7),
            "normal": rng.randint(1, 6),
            "big": rng.randint(12, 32),
            "switch": rng.randint(1, 5),
            "huge": rng.randint(20, 30),
        }[f.kind]

    # section: INIT for the init routines (below), PAGE for ~12%
    for f in regular + log_funcs:
        if rng.random() < 0.12:
            f.section = "PAGE"

    comp.funcs = regular + log_funcs + comp.callbacks + comp.services
    for depth, api, chain in comp.chains:
        comp.funcs.extend(chain)
    for f in regular + log_funcs:
        comp.by_layer[f.layer].append(f)
    for f in comp.services:
        comp.by_layer[0].append(f)

    # --- call edges ------------------------------------------------------
    # popularity: a few functions are called from everywhere
    pop = {}
    for f in comp.funcs:
        pop[f.name] = rng.paretovariate(1.6)

    def pick_callee(layer):
        # deeper layers only; bias toward the next few layers
        if layer >= LAYERS - 1:
            return None
        span = LAYERS - 1 - layer
        d = min(span, 1 + int(rng.expovariate(0.55)))
        cand = comp.by_layer[layer + d]
        if not cand:
            return None
        best = None
        for _ in range(3):
            c = rng.choice(cand)
            if best is None or pop[c.name] > pop[best.name]:
                best = c
        return best

    def n_calls_for(f):
        if f.kind == "leaf" or f.kind == "log":
            return 0
        if f.kind == "normal":
            return min(14, 1 + int(rng.expovariate(0.42)))
        if f.kind == "service":
            return rng.randint(1, 5)
        if f.kind == "big":
            return rng.randint(10, 28)
        if f.kind == "switch":
            return rng.randint(6, 40)
        if f.kind == "huge":
            return rng.randint(220, 320)
        return 0

    callers_ok = [f for f in comp.funcs if f.kind in CALLER_KINDS]
    for f in callers_ok:
        want = n_calls_for(f)
        seen = set()
        for _ in range(want * 2):
            if len(f.callees) >= want:
                break
            c = pick_callee(f.layer)
            if c is None or c.name in seen:
                continue
            seen.add(c.name)
            f.callees.append(c)
            c.callers += 1
    # calls into lower components' exports (the Rtl-style libraries)
    if lower:
        for f in callers_ok:
            if f.layer < LAYERS - 2 and rng.random() < 0.10:
                lc = lower[0] if rng.random() < 0.4 else rng.choice(lower)
                if lc.exports:
                    c = rng.choice(lc.exports)
                    f.callees.append(c)
                    c.callers += 1
    # every function but the entries has a caller (in a higher layer)
    callable_in = [[g for g in comp.by_layer[cl] if g.kind in CALLER_KINDS]
                   for cl in range(LAYERS)]
    for layer in range(1, LAYERS):
        for f in comp.by_layer[layer]:
            if f.callers == 0:
                for _ in range(20):
                    cand = callable_in[rng.randrange(0, layer)]
                    if cand:
                        g = rng.choice(cand)
                        g.callees.append(f)
                        f.callers += 1
                        break
    # recursion: self-recursive functions, mutual pairs, one longer cycle
    mids = [f for f in regular if f.kind in ("normal", "big") and 2 <= f.layer <= 7]
    for f in rng.sample(mids, max(1, len(mids) * 3 // 100)):
        f.self_rec = True
    for layer in range(2, 8):
        cands = [f for f in comp.by_layer[layer] if f.kind in ("normal", "big")]
        for _ in range(max(1, len(cands) // 100)):
            if len(cands) < 2:
                break
            a, b = rng.sample(cands, 2)
            a.rec_partners.append(b)
            b.rec_partners.append(a)
    cyc_layer = [f for f in comp.by_layer[4] if f.kind in ("normal", "big")]
    if len(cyc_layer) >= 4:
        cyc = rng.sample(cyc_layer, 4)
        for i, f in enumerate(cyc):
            f.rec_partners.append(cyc[(i + 1) % len(cyc)])
    # the recursion depth is the first parameter (ULONG) of every function
    # on a cycle
    for f in comp.funcs:
        if (f.self_rec or f.rec_partners) and (not f.params or f.params[0] != "u"):
            f.params = ["u"] + f.params
    # indirect calls through the callback table
    for f in rng.sample(mids, max(1, len(mids) // 25)):
        f.cb_calls = rng.randint(1, 2)

    # exports
    comp.exports = [f for f in comp.funcs if f.exported]

    # --- events -----------------------------------------------------------
    for s in comp.sites:
        assign_site_events(comp, s)

    # --- files ------------------------------------------------------------
    body_funcs = [f for f in comp.funcs if f.kind != "chain"]
    rng.shuffle(body_funcs)
    n_files = max(1, int(math.ceil(len(body_funcs) / FUNCS_PER_FILE)))
    comp.files = [[] for _ in range(n_files)]
    for i, f in enumerate(body_funcs):
        f.file = i % n_files
        comp.files[f.file].append(f)
    for depth, api, chain in comp.chains:
        for f in chain:
            f.file = "etw"


def new_desc(comp, provider):
    rng = comp.rng
    d = Desc()
    d.provider = provider
    d.id = comp.next_event_id[provider]
    comp.next_event_id[provider] += 1
    d.sym = "%s_EVT_%s%d" % (comp.pfx.upper(), "MC" if provider else "", d.id)
    d.version = rng.choice([0, 0, 0, 0, 1, 1, 2])
    if provider == 0:
        d.channel = rng.choice([16, 16, 16, 17, 17, 0])
    else:
        d.channel = 16
    d.level = rng.choice([1, 2, 2, 3, 4, 4, 4, 4, 5, 5])
    d.opcode = rng.choice([0, 0, 0, 1, 2, 10, 11, 12, 20])
    d.task = rng.randint(1, 24)
    kw = 1 << rng.randint(0, 15)
    if d.channel == 16:
        kw |= 0x8000000000000000
    elif d.channel == 17:
        kw |= 0x4000000000000000
    d.keyword = kw
    comp.descs.append(d)
    return d


def get_desc(comp, provider):
    rng = comp.rng
    same = [d for d in comp.descs if d.provider == provider]
    if same and rng.random() < 0.12:
        return rng.choice(same)
    return new_desc(comp, provider)


def assign_site_events(comp, s):
    rng = comp.rng
    k = s.kind
    s.data = [rng.choice("uq") for _ in range(rng.randint(0, 3))]
    if k in ("write", "writeex", "mc_old", "chain", "stack"):
        if k != "stack":
            s.desc = get_desc(comp, 0)
        if k == "mc_old":
            s.extra["tmpl"] = rng.choice(["d", "q", "qq", "xq", "p"])
        if k == "chain":
            s.extra["chain"] = rng.randrange(len(comp.chains))
        if k == "stack":
            d = Desc()
            d.provider = 0
            d.id = comp.next_event_id[0]
            comp.next_event_id[0] += 1
            d.version = rng.choice([0, 1, 2])
            d.channel = rng.choice([16, 17])
            d.level = rng.choice([3, 4, 5])
            d.opcode = rng.choice([0, 1, 2])
            d.task = rng.randint(1, 24)
            d.keyword = (0x8000000000000000 if d.channel == 16 else 0x4000000000000000) | \
                (1 << rng.randint(0, 15))
            d.sym = None
            s.desc = d
            s.extra["volatile"] = rng.random() < 0.5
        if k == "writeex":
            s.extra["filter"] = rng.choice([0, 0, 0x10])
    elif k == "twopath":
        s.desc = new_desc(comp, 0)
        s.desc2 = new_desc(comp, 0)
    elif k == "mc_new":
        s.desc = get_desc(comp, 1)
        s.extra["tmpl"] = rng.choice(["q", "qx", "pqq", "none"])
        s.extra["bit"] = rng.randrange(32)
    elif k == "string":
        s.level = rng.choice([2, 3, 4, 5])
        s.extra["keyword"] = 0x8000000000000000 | (1 << rng.randint(0, 15))
        s.extra["text"] = "%s %s %s" % (comp.pfx, rng.choice(NOUNS).lower(),
                                        rng.choice(["ready", "failed", "reset", "stopped"]))
    elif k in ("legacy", "perfinfo"):
        s.extra["pair"] = rng.choice(LEGACY_PAIRS)
        s.extra["flags"] = rng.choice(LEGACY_FLAGS)
    elif k == "tlg":
        s.level = rng.choice([2, 3, 4, 4, 5])
        s.extra["keyword"] = rng.choice([0x10, 0x20, 0x200000000000, 0x400000000000, 0x1])
        s.extra["opcode"] = rng.choice([0, 0, 1, 2])
        s.extra["event4"] = rng.random() < 0.9
    elif k == "wpp":
        s.extra["sf"] = rng.choice(["", "d", "dd", "Id", "q"])
        s.extra["flag"] = 1 << rng.randrange(8)
        s.extra["level"] = rng.choice([2, 3, 4, 5])


# ---------------------------------------------------------------------------
# C emission
# ---------------------------------------------------------------------------

class Body:
    """Builds one function body: value expressions, filler statements, calls."""

    def __init__(self, f, rng, ext):
        self.f = f
        self.rng = rng
        self.P = f.comp.pfx
        self.lines = []
        self.need_status = f.ret == "n"
        self.need_i = False
        self.need_req = False
        self.need_state = False
        self.need_exit = False
        self.ext = ext          # file context (blobs, wpp guid, externs)
        self.indent = 1

    # values ---------------------------------------------------------------
    def params_of(self, t):
        return ["A%d" % i for i, p in enumerate(self.f.params) if p == t]

    def val(self, t, runtime=False):
        """An expression of type t; runtime: never a constant (conditions)."""
        rng = self.rng
        P = self.P
        ps = self.params_of(t)
        r = rng.random()
        if runtime and t == "u" and r >= 0.85:
            r = rng.random() * 0.85
        if t == "u":
            if ps and r < 0.45:
                return rng.choice(ps)
            if r < 0.7:
                return "(ULONG)(Acc >> %d)" % rng.choice([0, 3, 7, 12, 32])
            if r < 0.85:
                return "%sGlobalU[%d]" % (P, rng.randrange(64))
            return "%du" % rng.choice([0, 1, 2, 4, 8, 16, 0x40, 0x100, 0x1000])
        if t == "q":
            if ps and r < 0.45:
                return rng.choice(ps)
            if r < 0.7:
                return rng.choice(["Acc", "(Acc + %du)" % rng.randrange(1, 100), "(Acc ^ %s)" %
                                   self.val("u")])
            if r < 0.85:
                return "%sGlobalQ[%d]" % (P, rng.randrange(64))
            return "0x%xULL" % rng.randrange(1, 1 << 20)
        if t == "o":
            if ps and r < 0.6:
                return rng.choice(ps)
            return "&%sObjects[%d]" % (P, rng.randrange(32))
        if t == "r":
            if ps and r < 0.6:
                return rng.choice(ps)
            if r < 0.8:
                self.need_req = True
                return "&LocalReq"
            return "&%sRequests[%d]" % (P, rng.randrange(16))
        raise ValueError(t)

    def emit(self, line):
        self.lines.append("    " * self.indent + line)

    # filler statements ------------------------------------------------------
    def filler(self):
        rng = self.rng
        P = self.P
        k = rng.choices(range(12), [6, 4, 4, 3, 3, 2, 1, 1, 1, 2, 2, 1])[0]
        if k == 0:
            self.emit("Acc = (Acc ^ %s) * 0x%xULL + %du;" % (self.val("u"), rng.randrange(3, 1 << 31) | 1,
                                                           rng.randrange(1, 1000)))
        elif k == 1:
            self.emit("%sGlobalQ[%d] += Acc >> %d;" % (P, rng.randrange(64), rng.randrange(1, 40)))
        elif k == 2:
            self.emit("if ((%s & 0x%x) != 0) {" % (self.val("u", True), 1 << rng.randrange(20)))
            self.emit("    Acc |= 0x%xULL;" % rng.randrange(1, 1 << 30))
            self.emit("    %sGlobalU[%d]++;" % (P, rng.randrange(64)))
            self.emit("} else {")
            self.emit("    Acc -= %s;" % self.val("q"))
            self.emit("}")
        elif k == 3:
            self.need_i = True
            self.emit("for (i = 0; i < (%s & %d) + 1; i++) {" % (self.val("u", True),
                                                                 rng.choice([3, 7, 15])))
            self.emit("    Acc = Acc * 33 + (%sTable[(i + %d) & 63] ^ i);" % (P, rng.randrange(64)))
            self.emit("}")
        elif k == 4:
            o = "(%s)" % self.val("o")
            self.emit("%s->RefCount++;" % o)
            self.emit("%s->Data[%d] ^= Acc;" % (o, rng.randrange(4)))
            self.emit("Acc += %s->Key;" % o)
        elif k == 5:
            self.need_req = True
            src = self.params_of("r")
            src = ("*" + rng.choice(src)) if src and rng.random() < 0.6 else \
                "%sRequests[%d]" % (P, rng.randrange(16))
            self.emit("LocalReq = %s;" % src)
            self.emit("LocalReq.Args[%d] = Acc;" % rng.randrange(8))
            self.emit("LocalReq.Length += %du;" % rng.randrange(1, 64))
            self.emit("%sRequests[%d] = LocalReq;" % (P, rng.randrange(16)))
        elif k == 6:
            self.need_state = True
            self.emit("LocalState = %sStates[%d];" % (P, rng.randrange(8)))
            self.emit("LocalState.Words[%d] += Acc;" % rng.randrange(48))
            self.emit("%sStates[%d] = LocalState;" % (P, rng.randrange(8)))
        elif k == 7:
            self.emit("Acc += (ULONG64)KeQueryPerformanceCounter(NULL).QuadPart;")
        elif k == 8:
            tag = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3))
            tagv = int.from_bytes((P[:1] + tag).encode(), "little")
            self.emit("{")
            self.emit("    PVOID Buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, %d, 0x%08x);" %
                      (rng.choice([32, 64, 128, 256, 4096]), tagv))
            self.emit("    if (Buffer != NULL) {")
            self.emit("        *(ULONG64 *)Buffer = Acc;")
            self.emit("        Acc += *(volatile ULONG64 *)Buffer;")
            self.emit("        ExFreePoolWithTag(Buffer, 0x%08x);" % tagv)
            if self.f.ret == "n":
                self.emit("    } else {")
                self.emit("        Status = STATUS_INSUFFICIENT_RESOURCES;")
            self.emit("    }")
            self.emit("}")
        elif k == 9:
            self.emit("Acc += (ULONG64)%sStats[%d]++;" % (P, rng.randrange(32)))
        elif k == 10:
            s = rng.randrange(1, 63)
            self.emit("Acc = (Acc << %d) | (Acc >> %d);" % (s, 64 - s))
        else:
            self.emit("if (%s > 0x%xu) {" % (self.val("u", True), rng.randrange(1, 1 << 16)))
            if self.f.ret == "n":
                self.emit("    Status = STATUS_INVALID_PARAMETER;")
                self.emit("    goto Exit;")
                self.need_exit = True
            else:
                self.emit("    Acc = 0;")
            self.emit("}")

    # calls -------------------------------------------------------------
    def args_for(self, g, depth_expr=None):
        out = []
        for i, t in enumerate(g.params):
            if i == 0 and depth_expr is not None:
                out.append(depth_expr)
            else:
                out.append(self.val(t))
        return ", ".join(out)

    def call(self, g, depth_expr=None):
        a = self.args_for(g, depth_expr)
        rng = self.rng
        if g.ret == "n":
            self.need_status = True
            self.need_exit = True
            self.emit("Status = %s(%s);" % (g.name, a))
            self.emit("if (!NT_SUCCESS(Status)) {")
            if rng.random() < 0.3:
                self.emit("    %sGlobalU[%d]++;" % (self.P, rng.randrange(64)))
            self.emit("    goto Exit;")
            self.emit("}")
        elif g.ret in ("u", "q"):
            op = rng.choice(["+=", "^=", "+=", "-="])
            self.emit("Acc %s %s(%s);" % (op, g.name, a))
        else:
            self.emit("%s(%s);" % (g.name, a))

    def wrapped_call(self, g):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            self.call(g)
        elif r < 0.8:
            self.emit("if ((%s & 0x%x) != 0) {" % (self.val("u", True), 1 << rng.randrange(16)))
            self.indent += 1
            self.call(g)
            self.indent -= 1
            self.emit("}")
        elif r < 0.9:
            self.need_i = True
            self.emit("for (i = 0; i < (%s & 3) + 1; i++) {" % self.val("u", True))
            self.indent += 1
            self.call(g)
            self.emit("Acc += i;")
            self.indent -= 1
            self.emit("}")
        else:
            self.emit("if (Acc > 0x%xULL) {" % rng.randrange(1, 1 << 40))
            self.indent += 1
            self.call(g)
            self.indent -= 1
            self.emit("} else {")
            self.indent += 1
            self.filler()
            self.indent -= 1
            self.emit("}")

    def rec_call(self, g):
        """A call that may recurse (g == self or a cycle partner); depth in A0."""
        self.emit("if (A0 != 0 && (Acc & 3) != 0) {")
        self.indent += 1
        a = self.args_for(g, "A0 - 1")
        if g.ret == "n":
            self.need_status = True
            self.emit("Status = %s(%s);" % (g.name, a))
            self.emit("Acc += (ULONG)Status;")
        elif g.ret in ("u", "q"):
            self.emit("Acc += %s(%s);" % (g.name, a))
        else:
            self.emit("%s(%s);" % (g.name, a))
        self.emit("%sGlobalQ[%d] ^= Acc;" % (self.P, self.rng.randrange(64)))
        self.indent -= 1
        self.emit("}")

    def cb_call(self):
        self.emit("Acc += %sCallbacks[(Acc >> 3) & 7](Acc, %s);" % (self.P, self.val("o")))

    # assembly ------------------------------------------------------------
    def finish(self):
        f = self.f
        rng = self.rng
        head = []
        # the initial value: a parameter or a global (never Acc itself)
        ps = ["(ULONG64)A%d" % i for i, t in enumerate(f.params) if t in "uq"]
        ps += ["(ULONG64)(ULONG_PTR)A%d" % i for i, t in enumerate(f.params) if t in "or"]
        if ps and rng.random() < 0.8:
            init = "%s + %sGlobalQ[%d]" % (rng.choice(ps), self.P, rng.randrange(64))
        else:
            init = "%sGlobalQ[%d]" % (self.P, rng.randrange(64))
        head.append("    ULONG64 Acc = %s;" % init)
        if self.need_status:
            head.append("    NTSTATUS Status = STATUS_SUCCESS;")
        if self.need_i:
            head.append("    ULONG i;")
        if self.need_req:
            head.append("    SYN_REQUEST LocalReq = %sRequests[%d];" % (self.P, rng.randrange(16)))
        if self.need_state:
            head.append("    SYN_STATE LocalState;")
        tail = []
        if self.need_exit:
            tail.append("Exit:")
        tail.append("    %sGlobalQ[%d] ^= Acc;" % (self.P, rng.randrange(64)))
        if f.ret == "n":
            if self.need_status:
                tail.append("    return Status;")
            else:
                tail.append("    return (NTSTATUS)(Acc & 1);")
        elif f.ret == "u":
            tail.append("    return (ULONG)Acc;")
        elif f.ret == "q":
            tail.append("    return Acc;")
        return head + [""] + self.lines + tail


def sig_line(f):
    attrs = ["SYN_NOINLINE"]
    if f.section == "PAGE":
        attrs.insert(0, "SYN_PAGE")
    elif f.section == "INIT":
        attrs.insert(0, "SYN_INIT")
    return "%s %s" % (" ".join(attrs), f.proto())


# --- ETW site code --------------------------------------------------------

def data_block(b, s, first_index=0):
    """Locals + EVENT_DATA_DESCRIPTOR array for the site's payload; returns
    (lines, count_expr, array_name) with the array holding first_index empty
    slots first (TraceLogging: 2)."""
    lines = []
    n = len(s.data) + first_index
    if n == 0:
        return lines, 0, "NULL"
    lines.append("EVENT_DATA_DESCRIPTOR EtwData[%d];" % n)
    for i, t in enumerate(s.data):
        lines.append("%s EtwV%d = %s;" % (PTYPE[t], i, b.val(t)))
    for i, t in enumerate(s.data):
        lines.append("EventDataDescCreate(&EtwData[%d], &EtwV%d, sizeof(EtwV%d));" %
                     (i + first_index, i, i))
    return lines, n, "EtwData"


def desc_ref(d):
    return "&" + d.sym


def site_code(b, s):
    """The C statements of one ETW call site, in a block."""
    comp = s.comp
    P = comp.pfx
    rng = b.rng
    k = s.kind
    out = []
    if k in ("write", "writeex", "chain", "stack", "twopath"):
        lines, n, arr = data_block(b, s)
        out += lines
        if k == "write":
            out.append("EtwWrite(%sEtwRegHandle, %s, NULL, %d, %s);" % (P, desc_ref(s.desc), n, arr))
            if rng.random() < 0.5:
                # the kernel's "is this provider/keyword on" check before the write
                return (["if ((%sEtwEnableFlags & 0x%x) != 0) {" % (P, 1 << rng.randrange(8))] +
                        ["    " + x for x in out] + ["}"])
        elif k == "writeex":
            out.append("EtwWriteEx(%sEtwRegHandle, %s, 0x%xULL, 0, NULL, NULL, %d, %s);" %
                       (P, desc_ref(s.desc), s.extra["filter"], n, arr))
        elif k == "stack":
            d = s.desc
            vol = "volatile " if s.extra["volatile"] else ""
            pre = ["%sEVENT_DESCRIPTOR EtwDesc;" % vol,
                   "EtwDesc.Id = %d;" % d.id, "EtwDesc.Version = %d;" % d.version,
                   "EtwDesc.Channel = %d;" % d.channel, "EtwDesc.Level = %d;" % d.level,
                   "EtwDesc.Opcode = %d;" % d.opcode, "EtwDesc.Task = %d;" % d.task,
                   "EtwDesc.Keyword = 0x%016xULL;" % d.keyword]
            out = pre + out
            out.append("EtwWrite(%sEtwRegHandle, (PCEVENT_DESCRIPTOR)&EtwDesc, NULL, %d, %s);" %
                       (P, n, arr))
        elif k == "twopath":
            out.insert(0, "PCEVENT_DESCRIPTOR EtwDescriptor;")
            out.append("if ((Acc & 1) == 0)")
            out.append("    EtwDescriptor = %s;" % desc_ref(s.desc))
            out.append("else")
            out.append("    EtwDescriptor = %s;" % desc_ref(s.desc2))
            out.append("EtwWrite(%sEtwRegHandle, EtwDescriptor, NULL, %d, %s);" % (P, n, arr))
        elif k == "chain":
            depth, api, chain = comp.chains[s.extra["chain"]]
            top = chain[0]
            v0 = b.val("u")
            v1 = b.val("q")
            if depth == 1:
                out.append("%s(%sEtwRegHandle, %s, %d, %s, %s);" %
                           (top.name, P, desc_ref(s.desc), n, arr, v0))
            elif depth == 2:
                out.append("%s(%s, %s, %s, %d, %s);" % (top.name, desc_ref(s.desc), v0, v1, n, arr))
            else:
                out.append("%s(%s, %s, %d, %s);" % (top.name, desc_ref(s.desc), v1, n, arr))
    elif k == "mc_old":
        t = s.extra["tmpl"]
        args = {"d": "(int)%s" % b.val("u"), "q": b.val("u"), "qq": "%s, %s" % (b.val("u"), b.val("u")),
                "xq": "%s, %s" % (b.val("q"), b.val("u")), "p": "(const void *)%s" % b.val("o")}[t]
        out.append("McTemplateK0%s_EtwWriteTransfer(%sEtwRegHandle, %s, NULL, %s);" %
                   (t, P, desc_ref(s.desc), args))
    elif k == "mc_new":
        t = s.extra["tmpl"]
        bit = s.extra["bit"]
        out.append("if ((%sMcEnableBits[0] & 0x%08xu) != 0) {" % (P, 1 << bit))
        if t == "none":
            out.append("    McGenEventWrite_EtwWriteTransfer(&%sMcContext, %s, NULL, 1, NULL);" %
                       (P, desc_ref(s.desc)))
        else:
            args = {"q": b.val("u"), "qx": "%s, %s" % (b.val("u"), b.val("q")),
                    "pqq": "(const void *)%s, %s, %s" % (b.val("o"), b.val("u"), b.val("u"))}[t]
            out.append("    McTemplateK0%s(&%sMcContext, %s, %s);" % (t, P, desc_ref(s.desc), args))
        out.append("}")
        return out
    elif k == "string":
        out.append("EtwWriteString(%sEtwRegHandle, %d, 0x%016xULL, NULL, L\"%s\");" %
                   (P, s.level, s.extra["keyword"], s.extra["text"]))
    elif k in ("legacy", "perfinfo"):
        mask, hook = s.extra["pair"]
        idx = mask >> 29
        flag = mask & 0x1FFFFFFF
        out.append("if ((SynPerfGlobalGroupMask.Masks[%d] & 0x%08xu) != 0) {" % (idx, flag))
        if k == "legacy":
            lines, n, arr = data_block(b, s)
            out += ["    " + x for x in lines]
            out.append("    EtwTraceKernelEvent(%s, %d, 0x%08xu, 0x%04x, 0x%08xu);" %
                       (arr, n, mask, hook, s.extra["flags"]))
        else:
            out.append("    ULONG64 EtwV0 = %s;" % b.val("q"))
            out.append("    PerfInfoLogBytes(0x%04x, &EtwV0, sizeof(EtwV0), 0x%08xu);" % (hook, mask))
        out.append("}")
        return out
    elif k == "tlg":
        blob = b.ext.tlg_blob(s)
        lvl = s.level
        kw = s.extra["keyword"]
        out.append("if (%sTlgProv.LevelPlus1 > %d && SynTlgKeywordOn(&%sTlgProv, 0x%xULL)) {" %
                   (P, lvl, P, kw))
        lines, n, arr = data_block(b, s, first_index=2)
        out += ["    " + x for x in lines]
        prov = "&%sTlgProv" % P if rng.random() < 0.7 else "%sTlgProvider" % P
        out.append("    _tlgWriteTransfer_EtwWriteTransfer(%s, &%s.Channel, NULL, NULL, %d, %s);" %
                   (prov, blob, n, arr))
        out.append("}")
        return out
    elif k == "wpp":
        sf = s.extra["sf"]
        guid = b.ext.wpp_guid()
        num = b.ext.wpp_number()
        args = {"": "", "d": ", (int)%s" % b.val("u"), "dd": ", (int)%s, (int)%s" % (b.val("u"), b.val("u")),
                "Id": ", (LONG64)%s, (int)%s" % (b.val("q"), b.val("u")), "q": ", (PVOID)%s" % b.val("o")}[sf]
        out.append("if ((WPP_GLOBAL_Control.Flags & 0x%x) != 0 && WPP_GLOBAL_Control.Level >= %d) {" %
                   (s.extra["flag"], s.extra["level"]))
        out.append("    WPP_SF_%s(WPP_GLOBAL_Control.Logger, %d, &%s[0]%s);" % (sf, num, guid, args))
        out.append("}")
        return out
    return ["{"] + ["    " + x for x in out] + ["}"]


class FileCtx:
    def __init__(self, comp, name):
        self.comp = comp
        self.name = name
        self.blobs = []
        self.wpp = None
        self.wpp_n = 9
        self.rng = comp.rng

    def wpp_guid(self):
        if self.wpp is None:
            self.wpp = "WPP_%s_c_Traceguids" % self.name
        return self.wpp

    def wpp_number(self):
        self.wpp_n += 1
        return self.wpp_n

    def tlg_blob(self, s):
        rng = self.rng
        comp = self.comp
        idx = len(comp.tlg_blobs)
        ev = "%s%s%s" % (rng.choice(VERBS), rng.choice(NOUNS), rng.choice(["", "Start", "Stop", "Failed",
                                                                           "Info"]))
        name = "_tlgEvent_%s_%d" % (comp.pfx, idx)
        fields = []
        for i, t in enumerate(s.data):
            fname = rng.choice(NOUNS) + rng.choice(["Id", "Count", "Flags", "Value", "Size"])
            if t == "u":
                intype, out = rng.choice([("TlgInUINT32", None), ("TlgInINT32", "TlgOutNTSTATUS"),
                                          ("TlgInUINT32", "TlgOutHEX")])
            else:
                intype, out = rng.choice([("TlgInUINT64", None), ("TlgInHEXINT64", None)])
            fields.append((fname + str(i), intype, out))
        event4 = s.extra["event4"]
        lines = ["static TLG_SEG_EVENT const struct {",
                 "    UCHAR Type;",
                 "    UCHAR Channel, Level, Opcode;",
                 "    ULONGLONG Keyword;",
                 "    USHORT RemainingSize;",
                 "    UCHAR Tags[%d];" % (2 if event4 else 1),
                 "    char Name[sizeof(\"%s\")];" % ev]
        for i, (fn, it, ot) in enumerate(fields):
            lines.append("    char F%d[sizeof(\"%s\")];" % (i, fn))
            lines.append("    UCHAR F%dIn%s;" % (i, ", F%dOut" % i if ot else ""))
        lines.append("} %s = {" % name)
        lines.append("    %s, WINEVENT_CHANNEL_TRACELOGGING, %d, %d, 0x%xULL," %
                     ("_TlgBlobEvent4" if event4 else "_TlgBlobEvent3", s.level, s.extra["opcode"],
                      s.extra["keyword"]))
        lines.append("    sizeof(%s) - 12, %s, \"%s\"," %
                     (name, "TLG_EVENT_TAGS_NONE" if event4 else "{0x00}", ev))
        for fn, it, ot in fields:
            if ot:
                lines.append("    \"%s\", %s | _TlgInChain, %s," % (fn, it, ot))
            else:
                lines.append("    \"%s\", %s," % (fn, it))
        lines.append("};")
        self.blobs.append("\n".join(lines))
        comp.tlg_blobs.append(name)
        return name


def gen_function(f, ext):
    rng = f.comp.rng
    b = Body(f, rng, ext)
    out = [sig_line(f), "{"]
    kind = f.kind
    if kind == "service" and f.params:
        # probe-and-validate shape of an Nt* service
        b.emit("if (A0 > 0x%xu) {" % rng.randrange(0x100, 0x10000))
        b.emit("    return STATUS_INVALID_PARAMETER;")
        b.emit("}")
    items = []  # ("call", g) ("fill",) ("site", s) ("rec", g) ("cb",)
    for g in f.callees:
        items.append(("call", g))
    for _ in range(f.n_fill):
        items.append(("fill", None))
    for s in f.sites:
        items.append(("site", s))
    if f.self_rec:
        items.append(("rec", f))
    for g in f.rec_partners:
        items.append(("rec", g))
    for _ in range(f.cb_calls):
        items.append(("cb", None))
    if kind in ("switch", "huge"):
        sel = "A%d" % f.params.index("u")
        fills = [it for it in items if it[0] != "call"]
        calls = [it for it in items if it[0] == "call"]
        pre = fills[: len(fills) // 2]
        post = fills[len(fills) // 2:]
        for it in pre:
            emit_item(b, it)
        dense = rng.random() < 0.7 or kind == "huge"
        base = rng.choice([0, 0, 1, 0x10, 0x100])
        b.emit("switch (%s) {" % sel)
        v = base
        for ci, it in enumerate(calls):
            b.emit("case 0x%xu:" % v)
            b.indent += 1
            emit_item(b, it)
            if rng.random() < 0.4:
                b.filler()
            b.emit("break;")
            b.indent -= 1
            v += 1 if dense else rng.randint(1, 40)
        b.emit("default:")
        b.indent += 1
        if f.ret == "n":
            b.need_status = True
            b.emit("Status = STATUS_INVALID_PARAMETER;")
        else:
            b.emit("Acc = 0;")
        b.emit("break;")
        b.indent -= 1
        b.emit("}")
        for it in post:
            emit_item(b, it)
    else:
        rng.shuffle(items)
        for it in items:
            emit_item(b, it)
    out += b.finish()
    out.append("}")
    return "\n".join(out)


def emit_item(b, it):
    k, x = it
    if k == "call":
        b.wrapped_call(x)
    elif k == "fill":
        b.filler()
    elif k == "site":
        for line in site_code(b, x):
            b.emit(line)
    elif k == "rec":
        b.rec_call(x)
    elif k == "cb":
        b.cb_call()


# --- per-component files ---------------------------------------------------

def comp_header(comp):
    P = comp.pfx
    L = ["/* %s.h - generated by bench/synth/gen.py: component %s. */" % (P.lower(), P),
         "#ifndef SYN_%s_H" % P.upper(), "#define SYN_%s_H" % P.upper(), "",
         '#include "synth.h"', "",
         "extern ULONG64 %sGlobalQ[64];" % P, "extern ULONG %sGlobalU[64];" % P,
         "extern SYN_OBJECT %sObjects[32];" % P, "extern SYN_REQUEST %sRequests[16];" % P,
         "extern SYN_STATE %sStates[8];" % P, "extern const ULONG64 %sTable[64];" % P,
         "extern volatile LONG %sStats[32];" % P,
         "extern const PSYN_CALLBACK %sCallbacks[8];" % P,
         "extern const GUID %sEtwProviderGuid;" % P, "extern REGHANDLE %sEtwRegHandle;" % P,
         "extern ULONG %sEtwEnableFlags;" % P,
         "extern const GUID %sMcProviderGuid;" % P, "extern SYN_MCGEN_CONTEXT %sMcContext;" % P,
         "extern ULONG %sMcEnableBits[1];" % P,
         "extern _tlgProvider_t %sTlgProv;" % P,
         "extern TraceLoggingHProvider const %sTlgProvider;" % P, ""]
    for d in comp.descs:
        if d.sym:
            L.append("extern const EVENT_DESCRIPTOR %s;" % d.sym)
    L.append("")
    for depth, api, chain in comp.chains:
        for f in chain:
            L.append("%s;" % chain_proto(comp, depth, chain.index(f), chain))
    L.append("NTSTATUS %sEtwInitialize(VOID);" % P)
    L.append("VOID %sEtwUninitialize(VOID);" % P)
    L.append("NTSTATUS %sInitSystem(VOID);" % P)
    for f in comp.funcs:
        if f.kind != "chain":
            L.append("%s;" % f.proto())
    L += ["", "#endif", ""]
    return "\n".join(L)


def chain_proto(comp, depth, level, chain):
    f = chain[level]
    # depth 1: (handle, desc, count, data, value) -> API
    # depth 2: top (desc, u, q, count, data) -> worker(handle, desc, u, q, count, data) -> API
    # depth 3: top (desc, q, count, data) -> mid (desc, q, flags, count, data) ->
    #          worker (handle, desc, q, flags, count, data) -> API
    if depth == 1:
        ps = "REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor, ULONG Count, " \
             "PEVENT_DATA_DESCRIPTOR Data, ULONG Value"
    elif depth == 2:
        if level == 0:
            ps = "PCEVENT_DESCRIPTOR Descriptor, ULONG Value, ULONG64 Extra, ULONG Count, " \
                 "PEVENT_DATA_DESCRIPTOR Data"
        else:
            ps = "REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor, ULONG Value, ULONG64 Extra, " \
                 "ULONG Count, PEVENT_DATA_DESCRIPTOR Data"
    else:
        if level == 0:
            ps = "PCEVENT_DESCRIPTOR Descriptor, ULONG64 Extra, ULONG Count, PEVENT_DATA_DESCRIPTOR Data"
        elif level == 1:
            ps = "PCEVENT_DESCRIPTOR Descriptor, ULONG64 Extra, ULONG Flags, ULONG Count, " \
                 "PEVENT_DATA_DESCRIPTOR Data"
        else:
            ps = "REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor, ULONG64 Extra, ULONG Flags, " \
                 "ULONG Count, PEVENT_DATA_DESCRIPTOR Data"
    return "NTSTATUS %s(%s)" % (f.name, ps)


def chain_body(comp, depth, api, chain, level):
    P = comp.pfx
    f = chain[level]
    L = ["SYN_NOINLINE %s" % chain_proto(comp, depth, level, chain), "{"]

    def api_call(handle):
        if api == "EtwWrite":
            return "EtwWrite(%s, Descriptor, NULL, Count, Data)" % handle
        if api == "EtwWriteTransfer":
            return "EtwWriteTransfer(%s, Descriptor, NULL, NULL, Count, Data)" % handle
        return "EtwWriteEx(%s, Descriptor, 0, 0, NULL, NULL, Count, Data)" % handle

    if depth == 1:
        L += ["    %sGlobalU[%d] += Value;" % (P, comp.rng.randrange(64)),
              "    return %s;" % api_call("RegHandle")]
    elif depth == 2:
        if level == 0:
            L += ["    if ((%sEtwEnableFlags & 1) == 0)" % P,
                  "        return STATUS_SUCCESS;",
                  "    return %s(%sEtwRegHandle, Descriptor, Value, Extra, Count, Data);" %
                  (chain[1].name, P)]
        else:
            L += ["    %sGlobalQ[%d] += Extra + Value;" % (P, comp.rng.randrange(64)),
                  "    return %s;" % api_call("RegHandle")]
    else:
        if level == 0:
            L += ["    return %s(Descriptor, Extra, %sEtwEnableFlags, Count, Data);" % (chain[1].name, P)]
        elif level == 1:
            L += ["    if ((Flags & 2) == 0)",
                  "        return STATUS_SUCCESS;",
                  "    return %s(%sEtwRegHandle, Descriptor, Extra, Flags, Count, Data);" %
                  (chain[2].name, P)]
        else:
            L += ["    %sGlobalQ[%d] ^= Extra | Flags;" % (P, comp.rng.randrange(64)),
                  "    return %s;" % api_call("RegHandle")]
    L.append("}")
    return "\n".join(L)


def comp_etw_file(comp):
    P = comp.pfx
    rng = comp.rng
    g0, g1, g2 = comp.provider_guids
    L = ["/*", " * %setw.c - generated by bench/synth/gen.py: component %s's data, ETW providers," % (
        P.lower(), P),
         " * event descriptors, write wrappers and init routines.", " */",
         '#include "%s.h"' % P.lower(), "",
         "ULONG64 %sGlobalQ[64];" % P, "ULONG %sGlobalU[64];" % P,
         "SYN_OBJECT %sObjects[32];" % P, "SYN_REQUEST %sRequests[16];" % P,
         "SYN_STATE %sStates[8];" % P, "volatile LONG %sStats[32];" % P]
    L.append("const ULONG64 %sTable[64] = {%s};" % (
        P, ", ".join("0x%xULL" % rng.randrange(1 << 48) for _ in range(64))))
    L.append("const PSYN_CALLBACK %sCallbacks[8] = {%s};" % (P, ", ".join(f.name for f in comp.callbacks)))
    L += ["",
          "/* Synth-%s {%s} */" % (P, guid_text(g0)),
          "const GUID %sEtwProviderGuid = %s;" % (P, c_guid(g0)),
          "REGHANDLE %sEtwRegHandle;" % P, "ULONG %sEtwEnableFlags;" % P,
          "/* Synth-%s-Mc {%s} */" % (P, guid_text(g1)),
          "const GUID %sMcProviderGuid = %s;" % (P, c_guid(g1)),
          "ULONG %sMcEnableBits[1];" % P,
          "SYN_MCGEN_CONTEXT %sMcContext = {0, 0, 0, 0, 0, 0, 0, 0, 32, %sMcEnableBits};" % (P, P),
          ""]
    L.append("/*                                         Id Ver Chan Lvl Op Task Keyword */")
    for d in comp.descs:
        if d.sym:
            L.append("const EVENT_DESCRIPTOR %s = {%d, %d, %d, %d, %d, %d, 0x%016xULL};" %
                     (d.sym, d.id, d.version, d.channel, d.level, d.opcode, d.task, d.keyword))
    name = "Synth.%s.Tlg" % P
    L += ["",
          "#pragma pack(push, 1)",
          "static TLG_SEG_PROVIDER const struct {",
          "    UCHAR Type;", "    GUID ProviderId;", "    USHORT RemainingSize;",
          "    char Name[sizeof(\"%s\")];" % name,
          "    USHORT ChunkSize;", "    UCHAR ChunkType;", "    GUID GroupId;",
          "} _tlg%sProv_Meta = {" % P,
          "    _TlgBlobProvider3, %s," % c_guid(g2),
          "    sizeof(_tlg%sProv_Meta) - 17, \"%s\"," % (P, name),
          "    3 + sizeof(GUID), EtwProviderTraitTypeGroup, %s," % c_guid(SYNTH_GROUP),
          "};",
          "#pragma pack(pop)",
          "_tlgProvider_t %sTlgProv = {0, &_tlg%sProv_Meta.RemainingSize, 0, 0, 0, NULL, NULL};" % (P, P),
          "TraceLoggingHProvider const %sTlgProvider = &%sTlgProv;" % (P, P), ""]
    for depth, api, chain in comp.chains:
        for level in range(depth):
            L.append(chain_body(comp, depth, api, chain, level))
            L.append("")
    L += ["SYN_INIT SYN_NOINLINE NTSTATUS %sEtwInitialize(VOID)" % P, "{",
          "    NTSTATUS Status;", "    GUID TlgId = _tlg%sProv_Meta.ProviderId;" % P, "",
          "    Status = EtwRegister(&%sEtwProviderGuid, NULL, NULL, &%sEtwRegHandle);" % (P, P),
          "    if (!NT_SUCCESS(Status))", "        return Status;",
          "    Status = EtwRegister(&%sMcProviderGuid, McGenControlCallbackV2, &%sMcContext," % (P, P),
          "                         &%sMcContext.RegistrationHandle);" % P,
          "    if (!NT_SUCCESS(Status))", "        return Status;",
          "    Status = EtwRegister(&TlgId, _tlgEnableCallback, &%sTlgProv, &%sTlgProv.RegHandle);" % (P, P),
          "    if (NT_SUCCESS(Status))",
          "        EtwSetInformation(%sTlgProv.RegHandle, EventProviderSetTraits," % P,
          "                          (PVOID)%sTlgProv.ProviderMetadataPtr, *%sTlgProv.ProviderMetadataPtr);" % (P, P),
          "    return Status;", "}", "",
          "SYN_PAGE SYN_NOINLINE VOID %sEtwUninitialize(VOID)" % P, "{",
          "    EtwUnregister(%sTlgProv.RegHandle);" % P,
          "    EtwUnregister(%sMcContext.RegistrationHandle);" % P,
          "    EtwUnregister(%sEtwRegHandle);" % P,
          "    %sEtwRegHandle = 0;" % P, "}", ""]
    # init: register, then touch a few top-layer functions
    tops = [f for f in comp.by_layer[0] if f.kind != "service"][:3]
    L += ["SYN_INIT SYN_NOINLINE NTSTATUS %sInitSystem(VOID)" % P, "{",
          "    NTSTATUS Status = %sEtwInitialize();" % P, "",
          "    if (!NT_SUCCESS(Status))", "        return Status;"]
    for f in tops:
        args = ", ".join({"u": "0", "q": "0", "o": "&%sObjects[0]" % P, "r": "&%sRequests[0]" % P}[t]
                         for t in f.params)
        L.append("    %s(%s);" % (f.name, args))
    L += ["    return STATUS_SUCCESS;", "}", ""]
    return "\n".join(L)


def comp_code_file(comp, idx):
    P = comp.pfx
    fname = "%s%02d" % (P.lower(), idx)
    ext = FileCtx(comp, fname)
    funcs = comp.files[idx]
    bodies = [gen_function(f, ext) for f in funcs]
    L = ["/* %s.c - generated by bench/synth/gen.py (component %s, file %d). */" % (fname, P, idx),
         '#include "%s.h"' % P.lower(), ""]
    ext_protos = set()
    for f in funcs:
        for g in f.callees:
            if g.comp is not comp:
                ext_protos.add(g.proto())
    for p in sorted(ext_protos):
        L.append("%s;" % p)
    if ext_protos:
        L.append("")
    if ext.wpp:
        L.append("const GUID %s[] = {%s};" % (ext.wpp, c_guid(rand_guid(comp.rng))))
        L.append("")
    if ext.blobs:
        L.append("#pragma pack(push, 1)")
        L += ext.blobs
        L.append("#pragma pack(pop)")
        L.append("")
    L.append("\n\n".join(bodies))
    L.append("")
    return fname + ".c", "\n".join(L)


SYNTH_GROUP = [0x5d, 0x1e, 0x0a, 0x6c, 0x22, 0x34, 0x4a, 0x51, 0x9b, 0x6f, 0x11, 0x02, 0x7e, 0x38,
               0xc4, 0xaa]

SYNTH_H = r"""/*
 * synth.h - generated by bench/synth/gen.py: what every file of the
 * synthetic kernel image includes (types from tests/fixtures/common).
 */
#ifndef SYNTH_H
#define SYNTH_H

#include "km.h"
#include "tlg.h"

#define SYN_NOINLINE __declspec(noinline)
#define SYN_PAGE __declspec(code_seg("PAGE"))
#define SYN_INIT __declspec(code_seg("INIT"))
#define STATUS_INVALID_SYSTEM_SERVICE ((NTSTATUS)0xC000001CL)
typedef long long LONG64;

typedef struct _SYN_OBJECT {
    ULONG Type;
    ULONG Flags;
    ULONG RefCount;
    NTSTATUS LastStatus;
    ULONG64 Key;
    ULONG64 Data[4];
    PVOID Context;
} SYN_OBJECT, *PSYN_OBJECT;

typedef struct _SYN_REQUEST {
    ULONG Code;
    ULONG Length;
    ULONG64 Args[8];
    SYN_OBJECT Object;
    ULONG64 Reserved[2];
} SYN_REQUEST, *PSYN_REQUEST;

typedef struct _SYN_STATE {
    ULONG64 Words[48];
} SYN_STATE;

typedef ULONG64 (*PSYN_CALLBACK)(ULONG64 Value, PSYN_OBJECT Object);

/* MCGEN_TRACE_CONTEXT, abridged */
typedef struct _SYN_MCGEN_CONTEXT {
    REGHANDLE RegistrationHandle;
    TRACEHANDLE Logger;
    ULONGLONG MatchAnyKeyword;
    ULONGLONG MatchAllKeyword;
    ULONG Flags;
    ULONG IsEnabled;
    UCHAR Level;
    UCHAR Reserve;
    USHORT EnableBitsCount;
    ULONG *EnableBitMask;
} SYN_MCGEN_CONTEXT, *PSYN_MCGEN_CONTEXT;

typedef struct _PERFINFO_GROUPMASK {
    ULONG Masks[8];
} PERFINFO_GROUPMASK;

typedef struct _WPP_CONTROL_BLOCK {
    TRACEHANDLE Logger;
    ULONG Flags;
    UCHAR Level;
} WPP_CONTROL_BLOCK;

/* syncore.c */
extern PERFINFO_GROUPMASK SynPerfGlobalGroupMask;
extern WPP_CONTROL_BLOCK WPP_GLOBAL_Control;
NTSTATUS EtwTraceKernelEvent(PEVENT_DATA_DESCRIPTOR UserData, ULONG UserDataCount,
                             ULONG GroupMask, USHORT HookId, ULONG Flags);
NTSTATUS PerfInfoLogBytes(USHORT HookId, PVOID Data, ULONG Size, ULONG GroupMask);
void NTAPI McGenControlCallbackV2(LPCGUID SourceId, ULONG ControlCode, UCHAR Level,
                                  ULONGLONG MatchAnyKeyword, ULONGLONG MatchAllKeyword,
                                  PEVENT_FILTER_DESCRIPTOR FilterData, PVOID CallbackContext);
NTSTATUS McTemplateK0d_EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor,
                                        LPCGUID Activity, const signed int _Arg0);
NTSTATUS McTemplateK0q_EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor,
                                        LPCGUID Activity, const unsigned int _Arg0);
NTSTATUS McTemplateK0qq_EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor,
                                         LPCGUID Activity, const unsigned int _Arg0,
                                         const unsigned int _Arg1);
NTSTATUS McTemplateK0xq_EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor,
                                         LPCGUID Activity, const ULONG64 _Arg0,
                                         const unsigned int _Arg1);
NTSTATUS McTemplateK0p_EtwWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR Descriptor,
                                        LPCGUID Activity, const void *_Arg0);
NTSTATUS McGenEventWrite_EtwWriteTransfer(PSYN_MCGEN_CONTEXT Context,
                                          PCEVENT_DESCRIPTOR Descriptor, LPCGUID Activity,
                                          ULONG EventDataCount, PEVENT_DATA_DESCRIPTOR EventData);
NTSTATUS McTemplateK0q(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                       const unsigned int _Arg0);
NTSTATUS McTemplateK0qx(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                        const unsigned int _Arg0, const ULONG64 _Arg1);
NTSTATUS McTemplateK0pqq(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                         const void *_Arg0, const unsigned int _Arg1, const unsigned int _Arg2);
void NTAPI _tlgEnableCallback(LPCGUID SourceId, ULONG ControlCode, UCHAR Level,
                              ULONGLONG MatchAnyKeyword, ULONGLONG MatchAllKeyword,
                              PEVENT_FILTER_DESCRIPTOR FilterData, PVOID CallbackContext);
NTSTATUS _tlgWriteTransfer_EtwWriteTransfer(TraceLoggingHProvider hProvider,
                                            const void *pEventMetadata, LPCGUID pActivityId,
                                            LPCGUID pRelatedActivityId, ULONG cData,
                                            EVENT_DATA_DESCRIPTOR *pData);
int SynTlgKeywordOn(TraceLoggingHProvider Provider, ULONGLONG Keyword);
void WPP_SF_(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid);
void WPP_SF_d(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, int _a1);
void WPP_SF_dd(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, int _a1, int _a2);
void WPP_SF_Id(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, LONG64 _a1, int _a2);
void WPP_SF_q(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, PVOID _a1);

#endif
"""

SYNCORE_C = r"""/*
 * syncore.c - generated by bench/synth/gen.py: the shared pieces of the
 * synthetic kernel image: entry and unload, the MC / TraceLogging / WPP
 * helpers every component calls, the internal legacy-logger routine
 * (EtwTraceKernelEvent), and the system service dispatcher over
 * KiServiceTable (synsvc.S; entries patched after the link by
 * patchsvc.py).
 */
#include "synth.h"
@COMP_INCLUDES@

TLG_DEFINE_METADATA_BOUNDS();

PERFINFO_GROUPMASK SynPerfGlobalGroupMask;
WPP_CONTROL_BLOCK WPP_GLOBAL_Control;

typedef struct _SYN_TRACE_RECORD {
    USHORT HookId;
    USHORT Size;
    ULONG Flags;
    ULONG64 Payload[4];
} SYN_TRACE_RECORD;

volatile SYN_TRACE_RECORD SynTraceBuffer[64];
volatile ULONG SynTraceCursor;

/* The NT Kernel Logger's write routine (internal to ntoskrnl). */
SYN_NOINLINE NTSTATUS EtwTraceKernelEvent(PEVENT_DATA_DESCRIPTOR UserData, ULONG UserDataCount,
                                          ULONG GroupMask, USHORT HookId, ULONG Flags)
{
    ULONG Index = (GroupMask & 0xE0000000u) >> 29;
    volatile SYN_TRACE_RECORD *Record;
    ULONG i, Size = 0;

    if ((SynPerfGlobalGroupMask.Masks[Index] & (GroupMask & 0x1FFFFFFFu)) == 0)
        return STATUS_SUCCESS;
    Record = &SynTraceBuffer[SynTraceCursor++ & 63];
    Record->HookId = HookId;
    Record->Flags = Flags;
    for (i = 0; i < UserDataCount && i < 4; i++) {
        Record->Payload[i] = *(const ULONG64 *)(ULONG_PTR)UserData[i].Ptr;
        Size += UserData[i].Size;
    }
    Record->Size = (USHORT)Size;
    return STATUS_SUCCESS;
}

/* PerfInfoLogBytes: one payload, hook id and group mask passed through. */
SYN_NOINLINE NTSTATUS PerfInfoLogBytes(USHORT HookId, PVOID Data, ULONG Size, ULONG GroupMask)
{
    EVENT_DATA_DESCRIPTOR Desc;

    EventDataDescCreate(&Desc, Data, Size);
    return EtwTraceKernelEvent(&Desc, 1, GroupMask, HookId, 0x00401802);
}

/* --- MC (manifest) helpers --------------------------------------------- */

SYN_NOINLINE void NTAPI McGenControlCallbackV2(LPCGUID SourceId, ULONG ControlCode, UCHAR Level,
                                               ULONGLONG MatchAnyKeyword,
                                               ULONGLONG MatchAllKeyword,
                                               PEVENT_FILTER_DESCRIPTOR FilterData,
                                               PVOID CallbackContext)
{
    PSYN_MCGEN_CONTEXT Ctx = (PSYN_MCGEN_CONTEXT)CallbackContext;
    ULONG Ix;

    if (Ctx == NULL)
        return;
    if (ControlCode == 1) {
        Ctx->Level = Level;
        Ctx->MatchAnyKeyword = MatchAnyKeyword;
        Ctx->MatchAllKeyword = MatchAllKeyword;
        Ctx->IsEnabled = 1;
        for (Ix = 0; Ix < Ctx->EnableBitsCount; Ix++)
            Ctx->EnableBitMask[Ix >> 5] |= 1u << (Ix % 32);
    } else if (ControlCode == 0) {
        Ctx->IsEnabled = 0;
        Ctx->Level = 0;
        for (Ix = 0; Ix < Ctx->EnableBitsCount; Ix++)
            Ctx->EnableBitMask[Ix >> 5] = 0;
    }
}

SYN_NOINLINE NTSTATUS McTemplateK0d_EtwWriteTransfer(REGHANDLE RegHandle,
                                                     PCEVENT_DESCRIPTOR Descriptor,
                                                     LPCGUID Activity, const signed int _Arg0)
{
    EVENT_DATA_DESCRIPTOR EventData[1];
    EventDataDescCreate(&EventData[0], &_Arg0, sizeof(const signed int));
    return EtwWriteTransfer(RegHandle, Descriptor, Activity, NULL, 1, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0q_EtwWriteTransfer(REGHANDLE RegHandle,
                                                     PCEVENT_DESCRIPTOR Descriptor,
                                                     LPCGUID Activity, const unsigned int _Arg0)
{
    EVENT_DATA_DESCRIPTOR EventData[1];
    EventDataDescCreate(&EventData[0], &_Arg0, sizeof(const unsigned int));
    return EtwWriteTransfer(RegHandle, Descriptor, Activity, NULL, 1, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0qq_EtwWriteTransfer(REGHANDLE RegHandle,
                                                      PCEVENT_DESCRIPTOR Descriptor,
                                                      LPCGUID Activity, const unsigned int _Arg0,
                                                      const unsigned int _Arg1)
{
    EVENT_DATA_DESCRIPTOR EventData[2];
    EventDataDescCreate(&EventData[0], &_Arg0, sizeof(const unsigned int));
    EventDataDescCreate(&EventData[1], &_Arg1, sizeof(const unsigned int));
    return EtwWriteTransfer(RegHandle, Descriptor, Activity, NULL, 2, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0xq_EtwWriteTransfer(REGHANDLE RegHandle,
                                                      PCEVENT_DESCRIPTOR Descriptor,
                                                      LPCGUID Activity, const ULONG64 _Arg0,
                                                      const unsigned int _Arg1)
{
    EVENT_DATA_DESCRIPTOR EventData[2];
    EventDataDescCreate(&EventData[0], &_Arg0, sizeof(const ULONG64));
    EventDataDescCreate(&EventData[1], &_Arg1, sizeof(const unsigned int));
    return EtwWriteTransfer(RegHandle, Descriptor, Activity, NULL, 2, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0p_EtwWriteTransfer(REGHANDLE RegHandle,
                                                     PCEVENT_DESCRIPTOR Descriptor,
                                                     LPCGUID Activity, const void *_Arg0)
{
    EVENT_DATA_DESCRIPTOR EventData[1];
    EventDataDescCreate(&EventData[0], &_Arg0, sizeof(const void *));
    return EtwWriteTransfer(RegHandle, Descriptor, Activity, NULL, 1, EventData);
}

/* Current mc.exe shape: McTemplateK0* -> McGenEventWrite_* -> API; slot 0
 * of the data array is reserved for the provider traits. */
SYN_NOINLINE NTSTATUS McGenEventWrite_EtwWriteTransfer(PSYN_MCGEN_CONTEXT Context,
                                                       PCEVENT_DESCRIPTOR Descriptor,
                                                       LPCGUID Activity, ULONG EventDataCount,
                                                       PEVENT_DATA_DESCRIPTOR EventData)
{
    return EtwWriteTransfer(Context->RegistrationHandle, Descriptor, Activity, NULL,
                            EventData != NULL ? EventDataCount : 0, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0q(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                                    const unsigned int _Arg0)
{
    EVENT_DATA_DESCRIPTOR EventData[2];
    EventDataDescCreate(&EventData[1], &_Arg0, sizeof(const unsigned int));
    return McGenEventWrite_EtwWriteTransfer(Context, Descriptor, NULL, 2, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0qx(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                                     const unsigned int _Arg0, const ULONG64 _Arg1)
{
    EVENT_DATA_DESCRIPTOR EventData[3];
    EventDataDescCreate(&EventData[1], &_Arg0, sizeof(const unsigned int));
    EventDataDescCreate(&EventData[2], &_Arg1, sizeof(const ULONG64));
    return McGenEventWrite_EtwWriteTransfer(Context, Descriptor, NULL, 3, EventData);
}

SYN_NOINLINE NTSTATUS McTemplateK0pqq(PSYN_MCGEN_CONTEXT Context, PCEVENT_DESCRIPTOR Descriptor,
                                      const void *_Arg0, const unsigned int _Arg1,
                                      const unsigned int _Arg2)
{
    EVENT_DATA_DESCRIPTOR EventData[4];
    EventDataDescCreate(&EventData[1], &_Arg0, sizeof(const void *));
    EventDataDescCreate(&EventData[2], &_Arg1, sizeof(const unsigned int));
    EventDataDescCreate(&EventData[3], &_Arg2, sizeof(const unsigned int));
    return McGenEventWrite_EtwWriteTransfer(Context, Descriptor, NULL, 4, EventData);
}

/* --- TraceLogging ------------------------------------------------------- */

SYN_NOINLINE void NTAPI _tlgEnableCallback(LPCGUID SourceId, ULONG ControlCode, UCHAR Level,
                                           ULONGLONG MatchAnyKeyword, ULONGLONG MatchAllKeyword,
                                           PEVENT_FILTER_DESCRIPTOR FilterData,
                                           PVOID CallbackContext)
{
    _tlgProvider_t *Provider = (_tlgProvider_t *)CallbackContext;

    if (ControlCode == 1) {
        Provider->LevelPlus1 = Level != 0 ? (ULONG)Level + 1u : 256u;
        Provider->KeywordAny = MatchAnyKeyword;
        Provider->KeywordAll = MatchAllKeyword;
    } else if (ControlCode == 0) {
        Provider->LevelPlus1 = 0;
    }
}

SYN_NOINLINE int SynTlgKeywordOn(TraceLoggingHProvider Provider, ULONGLONG Keyword)
{
    return Keyword == 0 || ((Keyword & Provider->KeywordAny) &&
                            (Keyword & Provider->KeywordAll) == Provider->KeywordAll);
}

/* The SDK helper: pEventMetadata points at the Channel byte (blob + 1). */
SYN_NOINLINE NTSTATUS _tlgWriteTransfer_EtwWriteTransfer(TraceLoggingHProvider hProvider,
                                                         const void *pEventMetadata,
                                                         LPCGUID pActivityId,
                                                         LPCGUID pRelatedActivityId,
                                                         ULONG cData,
                                                         EVENT_DATA_DESCRIPTOR *pData)
{
    const UCHAR *Meta = (const UCHAR *)pEventMetadata;
    EVENT_DESCRIPTOR Descriptor;
    const USHORT *EventSize = (const USHORT *)(Meta + 11);

    Descriptor.Id = 0;
    Descriptor.Version = 0;
    Descriptor.Channel = Meta[0];
    Descriptor.Level = Meta[1];
    Descriptor.Opcode = Meta[2];
    Descriptor.Task = 0;
    Descriptor.Keyword = *(const ULONGLONG *)(Meta + 3);
    pData[0].Ptr = (ULONGLONG)(ULONG_PTR)hProvider->ProviderMetadataPtr;
    pData[0].Size = *hProvider->ProviderMetadataPtr;
    pData[0].Reserved = EVENT_DATA_DESCRIPTOR_TYPE_PROVIDER_METADATA;
    pData[1].Ptr = (ULONGLONG)(ULONG_PTR)EventSize;
    pData[1].Size = *EventSize;
    pData[1].Reserved = EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA;
    return EtwWriteTransfer(hProvider->RegHandle, &Descriptor, pActivityId, pRelatedActivityId,
                            cData, pData);
}

/* --- WPP ------------------------------------------------------------------ */

#define WPP_TRACE_OPTIONS 0x2B

SYN_NOINLINE void WPP_SF_(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid)
{
    WmiTraceMessage(Logger, WPP_TRACE_OPTIONS, TraceGuid, MessageNumber, NULL);
}

SYN_NOINLINE void WPP_SF_d(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, int _a1)
{
    WmiTraceMessage(Logger, WPP_TRACE_OPTIONS, TraceGuid, MessageNumber, &_a1, sizeof(int), NULL);
}

SYN_NOINLINE void WPP_SF_dd(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, int _a1,
                            int _a2)
{
    WmiTraceMessage(Logger, WPP_TRACE_OPTIONS, TraceGuid, MessageNumber, &_a1, sizeof(int), &_a2,
                    sizeof(int), NULL);
}

SYN_NOINLINE void WPP_SF_Id(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid,
                            LONG64 _a1, int _a2)
{
    WmiTraceMessage(Logger, WPP_TRACE_OPTIONS, TraceGuid, MessageNumber, &_a1, sizeof(LONG64),
                    &_a2, sizeof(int), NULL);
}

SYN_NOINLINE void WPP_SF_q(TRACEHANDLE Logger, USHORT MessageNumber, LPCGUID TraceGuid, PVOID _a1)
{
    WmiTraceMessage(Logger, WPP_TRACE_OPTIONS, TraceGuid, MessageNumber, &_a1, sizeof(PVOID), NULL);
}

/* --- system services -------------------------------------------------- */

/* synsvc.S; each entry is ((routine rva - table rva) << 4) | stack argument
 * count once patchsvc.py has run. */
extern const LONG KiServiceTable[];
const ULONG KiServiceLimit = @NSERVICES@;
const UCHAR KiArgumentTable[@NSERVICES@] = {@ARGBYTES@};

typedef struct _KSERVICE_TABLE_DESCRIPTOR {
    const LONG *Base;
    ULONG *Count;
    ULONG Limit;
    const UCHAR *Number;
} KSERVICE_TABLE_DESCRIPTOR;

KSERVICE_TABLE_DESCRIPTOR KeServiceDescriptorTable[2] = {
    {KiServiceTable, NULL, @NSERVICES@, KiArgumentTable},
};

typedef NTSTATUS (*PSYN_SYSTEM_SERVICE)(ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
                                        ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR, ULONG_PTR,
                                        ULONG_PTR, ULONG_PTR);

SYN_NOINLINE NTSTATUS KiSystemServiceDispatch(ULONG ServiceNumber, const ULONG_PTR *Args)
{
    const KSERVICE_TABLE_DESCRIPTOR *Table = &KeServiceDescriptorTable[(ServiceNumber >> 12) & 1];
    ULONG Index = ServiceNumber & 0xFFF;
    LONG Entry;
    PSYN_SYSTEM_SERVICE Routine;

    if (Table->Base == NULL || Index >= Table->Limit)
        return STATUS_INVALID_SYSTEM_SERVICE;
    Entry = Table->Base[Index];
    Routine = (PSYN_SYSTEM_SERVICE)((ULONG_PTR)Table->Base + (LONG_PTR)(Entry >> 4));
    return Routine(Args[0], Args[1], Args[2], Args[3], Args[4], Args[5], Args[6], Args[7],
                   Args[8], Args[9], Args[10], Args[11]);
}

/* Where the (imaginary) syscall entry would jump. */
NTSTATUS (*volatile KiSystemCallTarget)(ULONG, const ULONG_PTR *);

/* --- entry and unload --------------------------------------------------- */

SYN_PAGE SYN_NOINLINE void NTAPI SynDriverUnload(PDRIVER_OBJECT DriverObject)
{
@UNINIT_CALLS@
}

SYN_INIT NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS Status;

    KiSystemCallTarget = KiSystemServiceDispatch;
@INIT_CALLS@
    DriverObject->DriverUnload = SynDriverUnload;
    return STATUS_SUCCESS;
}
"""

SYNRT_S = r"""/*
 * synrt.S - generated by bench/synth/gen.py: the C runtime routines clang
 * calls for struct copies (memcpy, memmove, memset) and __chkstk, as the
 * kernel has its own. Never run; kept minimal.
 */
	.text
	.globl memcpy
	.def memcpy; .scl 2; .type 32; .endef
	.globl memmove
	.def memmove; .scl 2; .type 32; .endef
	.p2align 4
memcpy:
memmove:
	movq %rcx, %rax
	movq %rdi, %r9
	movq %rsi, %r10
	movq %rcx, %rdi
	movq %rdx, %rsi
	movq %r8, %rcx
	rep movsb
	movq %r9, %rdi
	movq %r10, %rsi
	ret

	.globl memset
	.def memset; .scl 2; .type 32; .endef
	.p2align 4
memset:
	movq %rcx, %r9
	movq %rdi, %r10
	movq %rcx, %rdi
	movl %edx, %eax
	movq %r8, %rcx
	rep stosb
	movq %r10, %rdi
	movq %r9, %rax
	ret

	.globl __chkstk
	.def __chkstk; .scl 2; .type 32; .endef
	.p2align 4
__chkstk:
	ret
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, required=True, help="number of components (1 = ~2,050 functions)")
    ap.add_argument("--seed", default="etwmap-synth-1")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.scale < 1 or a.scale > 256:
        ap.error("--scale must be 1..256")
    os.makedirs(a.out, exist_ok=True)

    used = set(["DriverEntry", "SynDriverUnload", "KiSystemServiceDispatch"])
    comps = []
    for c in range(a.scale):
        comp = Component(c, a.seed)
        build_component(comp, comps[:], used)
        comps.append(comp)

    def write(name, text):
        path = os.path.join(a.out, name)
        # rewrite only when different: build.sh recompiles what is newer
        try:
            with open(path) as fh:
                if fh.read() == text:
                    return
        except OSError:
            pass
        with open(path, "w") as fh:
            fh.write(text)

    sources = ["syncore.c"]
    write("synth.h", SYNTH_H)
    for comp in comps:
        write("%s.h" % comp.pfx.lower(), comp_header(comp))
    for comp in comps:
        write("%setw.c" % comp.pfx.lower(), comp_etw_file(comp))
        sources.append("%setw.c" % comp.pfx.lower())
        for i in range(len(comp.files)):
            name, text = comp_code_file(comp, i)
            write(name, text)
            sources.append(name)

    services = [f for comp in comps for f in comp.services]
    core = SYNCORE_C
    core = core.replace("@COMP_INCLUDES@", "\n".join('#include "%s.h"' % c.pfx.lower() for c in comps))
    core = core.replace("@NSERVICES@", str(len(services)))
    core = core.replace("@ARGBYTES@", ", ".join(str(f.service * 8) for f in services))
    core = core.replace("@INIT_CALLS@", "\n".join(
        "    Status = %sInitSystem();\n    if (!NT_SUCCESS(Status))\n        return Status;" % c.pfx
        for c in comps))
    core = core.replace("@UNINIT_CALLS@", "\n".join("    %sEtwUninitialize();" % c.pfx
                                                     for c in reversed(comps)))
    write("syncore.c", core)
    write("synrt.S", SYNRT_S)
    svc = ["/* synsvc.S - generated by bench/synth/gen.py: KiServiceTable as routine RVAs;",
           " * patchsvc.py turns each into ((rva - KiServiceTable) << 4) | stack args. */",
           "\t.section .rdata,\"dr\"", "\t.globl KiServiceTable", "\t.p2align 4", "KiServiceTable:"]
    for f in services:
        svc.append("\t.rva %s" % f.name)
    write("synsvc.S", "\n".join(svc) + "\n")
    write("services.txt", "".join("%d %s %d\n" % (i, f.name, f.service) for i, f in enumerate(services)))

    exports = sorted(f.name for comp in comps for f in comp.exports)
    write("tkbig.def", "LIBRARY tkbig.sys\nEXPORTS\n" + "".join("    %s\n" % e for e in exports) +
          "    KeServiceDescriptorTable DATA\n    KiSystemServiceDispatch\n")
    write("sources.txt", "".join(s + "\n" for s in sources))

    # summary
    site_counts = {}
    for comp in comps:
        for s in comp.sites:
            site_counts[s.kind] = site_counts.get(s.kind, 0) + 1
    n_funcs = sum(len(c.funcs) for c in comps) + len(comps) * 3 + 22  # + init/uninit + syncore
    summary = {
        "scale": a.scale,
        "seed": a.seed,
        "components": [c.pfx for c in comps],
        "functions": n_funcs,
        "c_files": len(sources),
        "exports": len(exports) + 2,
        "services": len(services),
        "manifest_providers": 2 * len(comps),
        "tracelogging_providers": len(comps),
        "manifest_descriptors": sum(1 for c in comps for d in c.descs if d.sym),
        "tracelogging_events": sum(len(c.tlg_blobs) for c in comps),
        "etw_sites": sum(site_counts.values()),
        "etw_sites_by_pattern": dict(sorted(site_counts.items())),
    }
    write("summary.json", json.dumps(summary, indent=2) + "\n")
    print("gen.py: scale %d: %d functions, %d ETW sites, %d C files in %s" %
          (a.scale, n_funcs, summary["etw_sites"], len(sources), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
