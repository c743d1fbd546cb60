#!/usr/bin/env python3
"""gen_legacy_kernel.py - legacy kernel event tables from ntwmi.h.

    python3 data/gen_legacy_kernel.py ../shared/data/ntwmi.h
    python3 data/gen_legacy_kernel.py NTWMI_H [-o OUT|-] [--license FILE]

Reads System Informer's phnt ntwmi.h (MIT; FORMATS.md 3.4) and writes
data/legacy_kernel_tables.inc (or OUT; "-" is stdout), the C include that
src/catalog/legacy_kernel.c compiles in. The output is byte-for-byte a
function of the input (no dates, no paths), so tests/legacy_kernel_gen_test.sh
can re-run this and diff. The MIT notice of ntwmi.h (ntwmi.LICENSE beside
the header unless --license says otherwise) is reproduced at the top.

What is collected (active, object-like #defines only; comments, including
commented-out #defines, are dropped first):
  * group masks: every PERF_* constant except the structural PERF_MASK_INDEX,
    PERF_MASK_GROUP and PERF_NUM_MASKS, in file order, split into Masks[]
    index (value >> 29) and flag bits (value & 0x1FFFFFFF) - FORMATS.md 3.2;
  * trace groups: EVENT_TRACE_GROUP_* (31 in phnt 7e09744);
  * hook ids: every other constant whose value names an EVENT_TRACE_GROUP_*
    (PERFINFO_LOG_TYPE_*, WMI_LOG_TYPE_*, PERFINFO_LOG_TIMED_*, and the
    misspelt PERFINFO_LOT_TYPE_THREAD_SET_BASE_PRIORITY); one row per id
    with a primary name (rule below), the other names as aliases;
  * hook ids of EVENT_TRACE_GROUP_TBD, which ntwmi.h uses but never defines,
    go to a separate "unresolved" table with their type byte only;
  * DEFINE_GUID(...) GUIDs, each checked against the GUID text in its comment.
PERFINFO_LOG_TYPE_MMCSS_* are bare event types (0x20..0x25) of the MMCSS
class, not hook ids; they are skipped and counted in the banner.

Primary hook name: the first definition in file order whose name has a
canonical prefix (PERFINFO_LOG_TYPE_ or WMI_LOG_TYPE_); the first definition
of any prefix only when no canonical one exists. ntwmi.h defines each hook in
its class section and adds later names as compatibility aliases, so "first"
is the original name; the prefix condition keeps the misspelt
PERFINFO_LOT_TYPE_THREAD_SET_BASE_PRIORITY (defined one line before the
correct spelling, same id 0x0531) out of the primary column.

ntwmi.h builds many values from EVENT_TRACE_FLAG_* / EVENT_TRACE_TYPE_*,
which live in the Windows SDK's evntrace.h, not in ntwmi.h. Their values are
public API constants and are listed below (EVNTRACE); a name ntwmi.h uses
that is missing here is an error, never a guess.
"""

import argparse
import ast
import hashlib
import os
import re
import sys

# evntrace.h constants (Windows SDK 10.0.x). Values as published by
# Microsoft ("EVENT_TRACE_PROPERTIES" EnableFlags table on
# learn.microsoft.com) and mirrored by winapi-rs src/um/evntrace.rs and
# mingw-w64 mingw-w64-headers/include/evntrace.h. Only what ntwmi.h needs,
# plus the full set of group-0 enable flags (used to name set-0 bits that
# have no PERF_* name).
EVNTRACE = {
    # enable flags: Masks[0] of PERFINFO_GROUPMASK (FORMATS.md 3.2)
    "EVENT_TRACE_FLAG_PROCESS": 0x00000001,
    "EVENT_TRACE_FLAG_THREAD": 0x00000002,
    "EVENT_TRACE_FLAG_IMAGE_LOAD": 0x00000004,
    "EVENT_TRACE_FLAG_PROCESS_COUNTERS": 0x00000008,
    "EVENT_TRACE_FLAG_CSWITCH": 0x00000010,
    "EVENT_TRACE_FLAG_DPC": 0x00000020,
    "EVENT_TRACE_FLAG_INTERRUPT": 0x00000040,
    "EVENT_TRACE_FLAG_SYSTEMCALL": 0x00000080,
    "EVENT_TRACE_FLAG_DISK_IO": 0x00000100,
    "EVENT_TRACE_FLAG_DISK_FILE_IO": 0x00000200,
    "EVENT_TRACE_FLAG_DISK_IO_INIT": 0x00000400,
    "EVENT_TRACE_FLAG_DISPATCHER": 0x00000800,
    "EVENT_TRACE_FLAG_MEMORY_PAGE_FAULTS": 0x00001000,
    "EVENT_TRACE_FLAG_MEMORY_HARD_FAULTS": 0x00002000,
    "EVENT_TRACE_FLAG_VIRTUAL_ALLOC": 0x00004000,
    "EVENT_TRACE_FLAG_VAMAP": 0x00008000,
    "EVENT_TRACE_FLAG_NETWORK_TCPIP": 0x00010000,
    "EVENT_TRACE_FLAG_REGISTRY": 0x00020000,
    "EVENT_TRACE_FLAG_DBGPRINT": 0x00040000,
    "EVENT_TRACE_FLAG_JOB": 0x00080000,
    "EVENT_TRACE_FLAG_ALPC": 0x00100000,
    "EVENT_TRACE_FLAG_SPLIT_IO": 0x00200000,
    "EVENT_TRACE_FLAG_DEBUG_EVENTS": 0x00400000,
    "EVENT_TRACE_FLAG_DRIVER": 0x00800000,
    "EVENT_TRACE_FLAG_PROFILE": 0x01000000,
    "EVENT_TRACE_FLAG_FILE_IO": 0x02000000,
    "EVENT_TRACE_FLAG_FILE_IO_INIT": 0x04000000,
    "EVENT_TRACE_FLAG_NO_SYSCONFIG": 0x10000000,
    # generic event types
    "EVENT_TRACE_TYPE_INFO": 0x00,
    "EVENT_TRACE_TYPE_START": 0x01,
    "EVENT_TRACE_TYPE_END": 0x02,
    "EVENT_TRACE_TYPE_DC_START": 0x03,
    "EVENT_TRACE_TYPE_DC_END": 0x04,
    "EVENT_TRACE_TYPE_EXTENSION": 0x05,
    "EVENT_TRACE_TYPE_REPLY": 0x06,
    "EVENT_TRACE_TYPE_DEQUEUE": 0x07,
    "EVENT_TRACE_TYPE_CHECKPOINT": 0x08,
    # process / image
    "EVENT_TRACE_TYPE_LOAD": 0x0A,
    "EVENT_TRACE_TYPE_TERMINATE": 0x0B,
    # disk io
    "EVENT_TRACE_TYPE_IO_READ": 0x0A,
    "EVENT_TRACE_TYPE_IO_WRITE": 0x0B,
    "EVENT_TRACE_TYPE_IO_READ_INIT": 0x0C,
    "EVENT_TRACE_TYPE_IO_WRITE_INIT": 0x0D,
    "EVENT_TRACE_TYPE_IO_FLUSH": 0x0E,
    "EVENT_TRACE_TYPE_IO_FLUSH_INIT": 0x0F,
    "EVENT_TRACE_TYPE_IO_REDIRECTED_INIT": 0x10,
    # memory
    "EVENT_TRACE_TYPE_MM_TF": 0x0A,
    "EVENT_TRACE_TYPE_MM_DZF": 0x0B,
    "EVENT_TRACE_TYPE_MM_COW": 0x0C,
    "EVENT_TRACE_TYPE_MM_GPF": 0x0D,
    "EVENT_TRACE_TYPE_MM_HPF": 0x0E,
    "EVENT_TRACE_TYPE_MM_AV": 0x0F,
    # network
    "EVENT_TRACE_TYPE_SEND": 0x0A,
    "EVENT_TRACE_TYPE_RECEIVE": 0x0B,
    "EVENT_TRACE_TYPE_CONNECT": 0x0C,
    "EVENT_TRACE_TYPE_DISCONNECT": 0x0D,
    "EVENT_TRACE_TYPE_RETRANSMIT": 0x0E,
    "EVENT_TRACE_TYPE_ACCEPT": 0x0F,
    "EVENT_TRACE_TYPE_RECONNECT": 0x10,
    "EVENT_TRACE_TYPE_CONNFAIL": 0x11,
    "EVENT_TRACE_TYPE_COPY_TCP": 0x12,
    "EVENT_TRACE_TYPE_COPY_ARP": 0x13,
    "EVENT_TRACE_TYPE_ACKFULL": 0x14,
    "EVENT_TRACE_TYPE_ACKPART": 0x15,
    "EVENT_TRACE_TYPE_ACKDUP": 0x16,
    # header
    "EVENT_TRACE_TYPE_DBGID_RSDS": 0x40,
    # registry
    "EVENT_TRACE_TYPE_REGKCBRUNDOWNBEGIN": 0x18,
    "EVENT_TRACE_TYPE_REGKCBRUNDOWNEND": 0x19,
    # system config
    "EVENT_TRACE_TYPE_CONFIG_CPU": 0x0A,
    "EVENT_TRACE_TYPE_CONFIG_PHYSICALDISK": 0x0B,
    "EVENT_TRACE_TYPE_CONFIG_LOGICALDISK": 0x0C,
    "EVENT_TRACE_TYPE_CONFIG_NIC": 0x0D,
    "EVENT_TRACE_TYPE_CONFIG_VIDEO": 0x0E,
    "EVENT_TRACE_TYPE_CONFIG_SERVICES": 0x0F,
    "EVENT_TRACE_TYPE_CONFIG_POWER": 0x10,
    "EVENT_TRACE_TYPE_CONFIG_NETINFO": 0x11,
    "EVENT_TRACE_TYPE_CONFIG_OPTICALMEDIA": 0x12,
    "EVENT_TRACE_TYPE_CONFIG_IRQ": 0x15,
    "EVENT_TRACE_TYPE_CONFIG_PNP": 0x16,
    "EVENT_TRACE_TYPE_CONFIG_IDECHANNEL": 0x17,
    "EVENT_TRACE_TYPE_CONFIG_NUMANODE": 0x18,
    "EVENT_TRACE_TYPE_CONFIG_PLATFORM": 0x19,
    "EVENT_TRACE_TYPE_CONFIG_PROCESSORGROUP": 0x1A,
    "EVENT_TRACE_TYPE_CONFIG_PROCESSORNUMBER": 0x1B,
    "EVENT_TRACE_TYPE_CONFIG_DPI": 0x1C,
    "EVENT_TRACE_TYPE_CONFIG_CI_INFO": 0x1D,
    "EVENT_TRACE_TYPE_CONFIG_MACHINEID": 0x1E,
    # optical disk io
    "EVENT_TRACE_TYPE_OPTICAL_IO_READ": 0x37,
    "EVENT_TRACE_TYPE_OPTICAL_IO_WRITE": 0x38,
    "EVENT_TRACE_TYPE_OPTICAL_IO_FLUSH": 0x39,
    "EVENT_TRACE_TYPE_OPTICAL_IO_READ_INIT": 0x3A,
    "EVENT_TRACE_TYPE_OPTICAL_IO_WRITE_INIT": 0x3B,
    "EVENT_TRACE_TYPE_OPTICAL_IO_FLUSH_INIT": 0x3C,
    # filter manager
    "EVENT_TRACE_TYPE_FLT_PREOP_INIT": 0x60,
    "EVENT_TRACE_TYPE_FLT_POSTOP_INIT": 0x61,
    "EVENT_TRACE_TYPE_FLT_PREOP_COMPLETION": 0x62,
    "EVENT_TRACE_TYPE_FLT_POSTOP_COMPLETION": 0x63,
    "EVENT_TRACE_TYPE_FLT_PREOP_FAILURE": 0x64,
    "EVENT_TRACE_TYPE_FLT_POSTOP_FAILURE": 0x65,
}

STRUCTURAL_PERF = {"PERF_MASK_INDEX", "PERF_MASK_GROUP", "PERF_NUM_MASKS"}
CANONICAL_HOOK_PREFIXES = ("PERFINFO_LOG_TYPE_", "WMI_LOG_TYPE_")
GROUP_PREFIX = "EVENT_TRACE_GROUP_"
MASK_INDEX_SHIFT = 29
MASK_GROUP = 0x1FFFFFFF


class GenError(Exception):
    pass


def c_int(text):
    """A C integer literal without suffix: 0x.. hex, 0.. octal, decimal."""
    if text[:2] in ("0x", "0X"):
        return int(text[2:], 16)
    if len(text) > 1 and text[0] == "0":
        return int(text[1:], 8)
    return int(text, 10)


def strip_comments(text):
    """Blank out /* */ and // comments, keeping newlines (line numbers) and
    string/char literals intact."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            if j < 0:
                raise GenError("unterminated /* comment")
            out.append(re.sub(r"[^\n]", " ", text[i:j + 2]))
            i = j + 2
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


DEFINE_RE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(\()?(.*)$")
COND_OPEN_RE = re.compile(r"^\s*#\s*(if|ifdef|ifndef)\b")
COND_CLOSE_RE = re.compile(r"^\s*#\s*endif\b")


def read_defines(text):
    """Object-like #defines: name -> (value text, line, #if depth), in file
    order. Continuation lines are joined onto the first line."""
    lines = strip_comments(text).split("\n")
    defines = {}
    depth = 0
    i = 0
    while i < len(lines):
        line, lineno = lines[i], i + 1
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i]
        i += 1
        if COND_OPEN_RE.match(line):
            depth += 1
            continue
        if COND_CLOSE_RE.match(line):
            depth -= 1
            continue
        m = DEFINE_RE.match(line)
        if not m or m.group(2):  # not a define, or function-like
            continue
        name, body = m.group(1), m.group(3).strip()
        if name in defines:
            # e.g. #ifdef _WIN64 / #else pairs; fatal only for a name the
            # tables use (check_unconditional sees the depth)
            body0, line0, depth0 = defines[name]
            defines[name] = (body0, line0, max(depth0, depth, 2))
            continue
        defines[name] = (body, lineno, depth)
    return defines


TOKEN_RE = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|"
                      r"(<<|>>|[|&~()+\-*]))")


class Evaluator:
    """Integer constant expressions over #defines, as 32-bit unsigned."""

    def __init__(self, defines):
        self.defines = defines
        self.cache = {}

    def value(self, name, stack=()):
        if name in self.cache:
            return self.cache[name]
        if name in stack:
            raise GenError("%s: recursive definition" % name)
        if name in self.defines:
            v = self.expr(self.defines[name][0], stack + (name,))
        elif name in EVNTRACE:
            v = EVNTRACE[name]
        else:
            raise GenError("%s: not defined in ntwmi.h nor in the "
                           "generator's evntrace.h table" % name)
        self.cache[name] = v
        return v

    def expr(self, body, stack=()):
        py = []
        pos = 0
        body = body.strip()
        while pos < len(body):
            m = TOKEN_RE.match(body, pos)
            if not m or m.end() == pos:
                raise GenError("cannot parse %r" % body)
            num, ident, op = m.groups()
            if num is not None:
                py.append(str(c_int(num)))
            elif ident is not None:
                py.append(str(self.value(ident, stack)))
            else:
                py.append(op)
            pos = m.end()
            while pos < len(body) and body[pos].isspace():
                pos += 1
        if not py:
            raise GenError("empty expression")
        tree = ast.parse(" ".join(py), mode="eval")
        return eval_node(tree.body) & 0xFFFFFFFF


def eval_node(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.UnaryOp):
        v = eval_node(node.operand)
        if isinstance(node.op, ast.Invert):
            return ~v & 0xFFFFFFFF
        if isinstance(node.op, ast.USub):
            return -v
    if isinstance(node, ast.BinOp):
        a, b = eval_node(node.left), eval_node(node.right)
        ops = {ast.BitOr: lambda: a | b, ast.BitAnd: lambda: a & b,
               ast.LShift: lambda: a << b, ast.RShift: lambda: a >> b,
               ast.Add: lambda: a + b, ast.Sub: lambda: a - b,
               ast.Mult: lambda: a * b}
        for k, f in ops.items():
            if isinstance(node.op, k):
                return f()
    raise GenError("unsupported expression element %s" % ast.dump(node))


GROUP_REF_RE = re.compile(r"\b(" + GROUP_PREFIX + r"\w+)\b")


def collect(text):
    defines = read_defines(text)
    ev = Evaluator(defines)
    in_order = sorted(defines.items(), key=lambda kv: kv[1][1])

    def check_unconditional(name, line, depth):
        # depth 1 is the include guard; anything deeper depends on an #if
        # this generator does not evaluate.
        if depth > 1:
            raise GenError("line %d: %s is inside an #if block" % (line, name))

    masks, groups, hooks, unresolved, bare_types = [], [], [], [], []
    for name, (body, line, depth) in in_order:
        if name.startswith("PERF_") and name not in STRUCTURAL_PERF:
            check_unconditional(name, line, depth)
            v = ev.value(name)
            masks.append((name, v >> MASK_INDEX_SHIFT, v & MASK_GROUP, body))
        elif name.startswith(GROUP_PREFIX):
            check_unconditional(name, line, depth)
            v = ev.value(name)
            if v & 0xFF or v > 0xFF00:
                raise GenError("%s = 0x%x is not a group byte" % (name, v))
            groups.append((name, v))
        else:
            refs = GROUP_REF_RE.findall(body)
            if not refs:
                if name.startswith("PERFINFO_LOG_TYPE_"):
                    bare_types.append(name)
                continue
            check_unconditional(name, line, depth)
            if len(set(refs)) != 1:
                raise GenError("%s names several groups" % name)
            g = refs[0]
            if g not in defines:
                # EVENT_TRACE_GROUP_TBD: evaluate the rest with the group
                # as 0 to keep the type byte.
                t = ev.expr(re.sub(r"\b%s\b" % g, "0", body))
                if t > 0xFF:
                    raise GenError("%s: type 0x%x" % (name, t))
                unresolved.append((name, g, t))
                continue
            v = ev.value(name)
            if v > 0xFFFF or (v & 0xFF00) != ev.value(g):
                raise GenError("%s = 0x%x is not in %s" % (name, v, g))
            hooks.append((name, v, g))
    guids = collect_guids(text)
    return masks, groups, hooks, unresolved, bare_types, guids


GUID_RE = re.compile(
    r"\bDEFINE_GUID\s*\(\s*([A-Za-z_]\w*)\s*,\s*" +
    r"\s*,\s*".join([r"(0[xX][0-9a-fA-F]+|\d+)"] * 11) + r"\s*\)")
GUID_TEXT_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def collect_guids(text):
    stripped = strip_comments(text)
    out = []
    for m in GUID_RE.finditer(stripped):
        name = m.group(1)
        f = [c_int(x) for x in m.groups()[1:]]
        if f[0] > 0xFFFFFFFF or f[1] > 0xFFFF or f[2] > 0xFFFF or \
                any(b > 0xFF for b in f[3:]):
            raise GenError("DEFINE_GUID %s: field out of range" % name)
        raw = (f[0].to_bytes(4, "little") + f[1].to_bytes(2, "little") +
               f[2].to_bytes(2, "little") + bytes(f[3:]))
        textual = "%08x-%04x-%04x-%02x%02x-%s" % (
            f[0], f[1], f[2], f[3], f[4], "".join("%02x" % b for b in f[5:]))
        # the original text of this DEFINE_GUID(...) (same offsets: comment
        # stripping keeps lengths) usually carries the GUID in a comment
        cm = GUID_TEXT_RE.search(text[m.start():m.end()])
        if cm and cm.group(0).lower() != textual:
            raise GenError("DEFINE_GUID %s: fields say %s, comment says %s"
                           % (name, textual, cm.group(0)))
        out.append((name, raw, textual))
    return out


def c_comment_lines(text):
    return [(" * " + ln).rstrip() for ln in text.rstrip("\n").split("\n")]


def close_table(o, n):
    if n == 0:
        o.append("    {0},")
    o.append("};")
    o.append("")


def render(masks, groups, hooks, unresolved, bare_types, guids,
           license_text, sha256, nlines):
    # one row per id; primary name per the rule in the module docstring
    by_id = {}
    for name, v, g in hooks:
        by_id.setdefault(v, []).append((name, g))
    rows, aliases = [], []
    for v in sorted(by_id):
        names = by_id[v]
        canon = [n for n in names if n[0].startswith(CANONICAL_HOOK_PREFIXES)]
        primary = (canon or names)[0]
        rows.append((v, primary[0], primary[1]))
        for n in names:
            if n is not primary:
                aliases.append((v, n[0], n[1]))

    o = []
    o.append("/*")
    o.append(" * legacy_kernel_tables.inc - the notice of the file these tables "
             "are derived")
    o.append(" * from (ntwmi.h, System Informer phnt), reproduced as its "
             "licence requires:")
    o.append(" *")
    o.extend(c_comment_lines(license_text))
    o.append(" */")
    o.append("")
    o.append("/*")
    o.append(" * generated from ntwmi.h by data/gen_legacy_kernel.py; do not edit.")
    o.append(" *")
    o.append(" * input: ntwmi.h, %d lines, sha256" % nlines)
    o.append(" *   %s" % sha256)
    o.append(" * regenerate: python3 data/gen_legacy_kernel.py "
             "../shared/data/ntwmi.h")
    o.append(" *")
    o.append(" * %d group masks (PERF_*), %d trace groups (EVENT_TRACE_GROUP_*),"
             % (len(masks), len(groups)))
    o.append(" * %d hook-id names = %d hook ids + %d aliases,"
             % (len(hooks), len(rows), len(aliases)))
    o.append(" * %d names in the undefined EVENT_TRACE_GROUP_TBD (unresolved),"
             % len(unresolved))
    o.append(" * %d GUIDs (DEFINE_GUID)." % len(guids))
    o.append(" * skipped, being bare event types with no group byte:")
    for n in bare_types:
        o.append(" *   %s" % n)
    o.append(" * EVENT_TRACE_FLAG_* / EVENT_TRACE_TYPE_* values come from "
             "evntrace.h (the")
    o.append(" * generator's EVNTRACE table); everything else from ntwmi.h.")
    o.append(" */")
    o.append("")
    o.append("#define LK_GEN_NTWMI_SHA256 \"%s\"" % sha256)
    o.append("")
    # Counts as macros: C has no empty arrays, so an empty table still gets
    # one zero row, and code must iterate by these counts.
    counts = [("GROUP_MASKS", len(masks)),
              ("ENABLE_FLAGS", sum(1 for n in EVNTRACE
                                   if n.startswith("EVENT_TRACE_FLAG_"))),
              ("TRACE_GROUPS", len(groups)), ("HOOKS", len(rows)),
              ("HOOK_ALIASES", len(aliases)),
              ("UNRESOLVED_HOOKS", len(unresolved)), ("GUIDS", len(guids))]
    for k, v in counts:
        o.append("#define LK_GEN_N_%s %d" % (k, v))
    o.append("")

    o.append("/* PERF_* in file order: {name, Masks[] index, flag bits}. */")
    o.append("static const lk_group_mask lk_gen_group_masks[] = {")
    for name, idx, bits, body in masks:
        body = re.sub(r"\s+", " ", body)
        note = "" if re.fullmatch(r"\(?0[xX][0-9a-fA-F]+\)?", body) else \
            " /* %s */" % body.replace("*/", "* /")
        o.append("    {\"%s\", %d, 0x%08xu},%s" % (name, idx, bits, note))
    close_table(o, len(masks))

    flags = sorted((v, n) for n, v in EVNTRACE.items()
                   if n.startswith("EVENT_TRACE_FLAG_"))
    o.append("/* EVENT_TRACE_FLAG_* (evntrace.h): the public names of Masks[0] "
             "bits. */")
    o.append("static const lk_group_mask lk_gen_enable_flags[] = {")
    for v, n in flags:
        o.append("    {\"%s\", 0, 0x%08xu}," % (n, v))
    close_table(o, len(flags))

    o.append("/* EVENT_TRACE_GROUP_* in file order: {name, group << 8}. */")
    o.append("static const lk_trace_group lk_gen_trace_groups[] = {")
    for name, v in groups:
        o.append("    {\"%s\", 0x%04x}," % (name, v))
    close_table(o, len(groups))

    o.append("/* One row per hook id, sorted: {id, primary name, group}. */")
    o.append("static const lk_hook lk_gen_hooks[] = {")
    for v, n, g in rows:
        o.append("    {0x%04x, \"%s\", \"%s\"}," % (v, n, g))
    close_table(o, len(rows))

    o.append("/* Further names of ids in lk_gen_hooks, sorted by id, then file "
             "order. */")
    o.append("static const lk_hook lk_gen_hook_aliases[] = {")
    for v, n, g in aliases:
        o.append("    {0x%04x, \"%s\", \"%s\"}," % (v, n, g))
    close_table(o, len(aliases))

    o.append("/* Hook names whose group ntwmi.h never defines: {type byte, "
             "name, group}. */")
    o.append("static const lk_hook lk_gen_unresolved_hooks[] = {")
    for n, g, t in unresolved:
        o.append("    {0x%02x, \"%s\", \"%s\"}," % (t, n, g))
    close_table(o, len(unresolved))

    o.append("/* DEFINE_GUID in file order: {name, bytes in GUID memory order}. */")
    o.append("static const lk_guid lk_gen_guids[] = {")
    for name, raw, textual in guids:
        o.append("    {\"%s\", /* %s */" % (name, textual))
        o.append("     {%s," % ", ".join("0x%02x" % b for b in raw[:8]))
        o.append("      %s}}," % ", ".join("0x%02x" % b for b in raw[8:]))
    close_table(o, len(guids))
    return "\n".join(o).rstrip("\n") + "\n"


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("ntwmi_h")
    ap.add_argument("-o", "--output",
                    default=os.path.join(here, "legacy_kernel_tables.inc"))
    ap.add_argument("--license", help="default: ntwmi.LICENSE beside ntwmi.h")
    args = ap.parse_args(argv)
    lic = args.license or os.path.join(os.path.dirname(args.ntwmi_h),
                                       "ntwmi.LICENSE")
    try:
        with open(args.ntwmi_h, "rb") as f:
            raw = f.read()
        with open(lic, "r", encoding="utf-8") as f:
            license_text = f.read()
        if "Copyright" not in license_text or "Permission" not in license_text:
            raise GenError("%s: no copyright line / permission text" % lic)
        text = raw.decode("utf-8").replace("\r\n", "\n")
        parts = collect(text)
        out = render(*parts, license_text=license_text,
                     sha256=hashlib.sha256(raw).hexdigest(),
                     nlines=text.count("\n"))
    except (OSError, UnicodeDecodeError, ValueError, GenError) as e:
        print("gen_legacy_kernel.py: %s" % e, file=sys.stderr)
        return 1
    if args.output == "-":
        sys.stdout.write(out)
    else:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
