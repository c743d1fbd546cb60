#!/bin/sh
# manifest_xml_test.sh - the reconstructed instrumentation manifest
# (src/output/manifest_xml.c) on the fixtures and the corpus. Emits TAP.
# Run from the top directory with ETWMAP set (tests/run.sh); the test tool
# tool_wevtxml (tests/tools/wevtxml.c: WEVT_TEMPLATE + message table ->
# manifest_xml_write) is found beside it, in $(dirname $ETWMAP)/tests.
#
# For each fixture image:
#   - the tool writes a document, xmllint --noout accepts it;
#   - round trip: the manifest the fixture was built from (*.man, assembled
#     by tests/fixtures/common/mkwevt.py) and the reconstructed one, both
#     read by mkwevt.py's reader, describe the same providers, channels,
#     levels, tasks, opcodes, keywords, maps and events (id, version,
#     channel, level, task, opcode, keywords, template fields in order with
#     their types, counts, lengths and maps, message text), and hold the
#     same message strings; ids the resource does not keep (tids, symbols,
#     string ids, chids) are left out of the comparison;
#   - a second run writes the same bytes.
# So must the crafted model of the unit test (tests/test_manifest_xml.c,
# written with MANIFEST_XML_WRITE) and every corpus binary with a
# WEVT_TEMPLATE (../shared/corpus; skipped when absent). Bad input and a
# full disk must give exit status 2.
set -u
. tests/tap.sh
TOOL=$(dirname "$E")/tests/tool_wevtxml
CORPUS=${ETWMAP_CORPUS:-../shared/corpus}

if [ ! -x "$TOOL" ]; then
    skip "manifest XML" "$TOOL not built"
    exit 0
fi
have_xmllint=1
command -v xmllint >/dev/null 2>&1 || have_xmllint=0

# wellformed DESC FILE
wellformed() {
    if [ "$have_xmllint" = 0 ]; then
        skip "$1" "xmllint not installed (Debian: libxml2-utils)"
    elif xmllint --noout "$2" 2>"$tmp/lint"; then
        ok "$1"
    else
        fail "$1" "$(head -5 "$tmp/lint")"
    fi
}

# ---- fixtures: well-formed, round trip, deterministic --------------------
for f in kdriver/kdriver.sys:kdriver/kdriver.man kdriver-arm64/kdriver.sys:kdriver/kdriver.man \
    udll/udll.dll:udll/udll.man udll-x86/udll.dll:udll/udll.man \
    kdriver-O2/kdriver.sys:kdriver/kdriver.man kdriver-Os/kdriver.sys:kdriver/kdriver.man \
    udll-O2/udll.dll:udll/udll.man udll-Os/udll.dll:udll/udll.man kwrap/kwrap.sys:kwrap/kwrap.man; do
    img=$FX/${f%%:*} man=$FX/${f#*:}
    if [ ! -f "$img" ] || [ ! -f "$man" ]; then
        skip "manifest XML of $img" "fixture absent"
        continue
    fi
    if "$TOOL" "$img" >"$tmp/out.xml" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
        ok "$img: manifest written without warnings"
    else
        fail "$img: manifest written without warnings" "$(head -5 "$tmp/err")"
        continue
    fi
    wellformed "$img: manifest XML is well-formed" "$tmp/out.xml"
    if python3 - "$man" "$tmp/out.xml" >"$tmp/cmp" 2>&1 <<'EOF'; then
import sys
sys.path.insert(0, "tests/fixtures/common")
import mkwevt

# What both documents must agree on. Left out: what the resource does not
# store (template ids, symbols, chids, string ids, "enabled") and the
# message ids (recomputed by the reader; the texts are compared).
DROP = {"symbol", "chid", "template", "message_id", "tid", "enabled"}

def canon(v):
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items() if k not in DROP}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v

def model(path):
    m = mkwevt.load(path)
    out = []
    for p in m["providers"]:
        tm = {t["tid"]: t["fields"] for t in p["templates"]}
        for e in p["events"]:
            e["fields"] = tm.get(e["template"]) if e["template"] else None
        p["maps"] = sorted(p["maps"], key=lambda x: x["name"])
        del p["templates"]
        out.append(canon(p))
    return {"providers": out, "strings": sorted(x["text"] for x in m["messages"])}

def diff(a, b, path="$"):
    if type(a) != type(b):
        return "%s: %r != %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s: only in the %s" % (path, k, "source" if k in a else "reconstruction")
            d = diff(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r != %r" % (path, a, b)

src, rec = model(sys.argv[1]), model(sys.argv[2])
d = diff(src, rec)
if d:
    print("source and reconstruction differ at " + d)
    sys.exit(1)
n_ev = sum(len(p["events"]) for p in src["providers"])
print("%d providers, %d events, %d strings" % (len(src["providers"]), n_ev, len(src["strings"])))
EOF
        ok "$img: round trip with $man ($(tail -1 "$tmp/cmp"))"
    else
        fail "$img: round trip with $man" "$(tail -5 "$tmp/cmp")"
    fi
    if "$TOOL" "$img" 2>/dev/null | cmp -s - "$tmp/out.xml"; then
        ok "$img: output is deterministic"
    else
        fail "$img: output is deterministic"
    fi
done

# ---- the unit test's crafted model (escaping, repair, made-up names) ------
UNIT=$(dirname "$E")/tests/test_manifest_xml
if [ -x "$UNIT" ]; then
    if MANIFEST_XML_WRITE="$tmp/crafted.xml" "$UNIT" 2>"$tmp/err"; then
        wellformed "crafted model (test_manifest_xml): manifest XML is well-formed" "$tmp/crafted.xml"
    else
        fail "crafted model (test_manifest_xml): document written" "$(head -3 "$tmp/err")"
    fi
else
    skip "crafted model (test_manifest_xml): manifest XML is well-formed" "$UNIT not built"
fi

# ---- bad input and write errors --------------------------------------------
printf 'MZ not a PE' >"$tmp/bad.sys"
"$TOOL" "$tmp/bad.sys" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && ok "a file that is not a PE: exit 2" || fail "a file that is not a PE: exit 2" "exit $rc"
printf 'CRIM\020\000\000\000\007\000\001\000\000\000\000\000' >"$tmp/v7.bin"
"$TOOL" --crim "$tmp/v7.bin" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'CRIM' "$tmp/err"; then ok "CRIM version 7: exit 2, diagnostic names the CRIM header"
else fail "CRIM version 7: exit 2, diagnostic names the CRIM header" "exit $rc" "$(cat "$tmp/err")"; fi
if [ -w /dev/full ] && [ -f "$FX/kdriver/kdriver.sys" ]; then
    "$TOOL" "$FX/kdriver/kdriver.sys" >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 2 ] && ok "write error (/dev/full): exit 2" || fail "write error (/dev/full): exit 2" "exit $rc"
else
    skip "write error (/dev/full): exit 2" "no /dev/full"
fi

# ---- corpus: every WEVT_TEMPLATE gives a well-formed document ----------------
if [ ! -d "$CORPUS" ]; then
    skip "corpus manifests are well-formed XML" "$CORPUS absent"
    exit 0
fi
found=0
for f in "$CORPUS"/*; do
    case $f in *.pdb | *.tsv | *.txt | *.md) continue ;; esac
    [ -f "$f" ] || continue
    "$TOOL" "$f" >"$tmp/c.xml" 2>"$tmp/err"
    rc=$?
    case $rc in
    1) continue ;; # no WEVT_TEMPLATE
    0)
        found=$((found + 1))
        wellformed "$(basename "$f"): manifest XML is well-formed ($(grep -c '<event ' "$tmp/c.xml") events)" "$tmp/c.xml"
        ;;
    *) fail "$(basename "$f"): manifest XML written" "exit $rc" "$(head -3 "$tmp/err")" ;;
    esac
done
[ "$found" -gt 0 ] || skip "corpus manifests are well-formed XML" "no corpus file has a WEVT_TEMPLATE"
