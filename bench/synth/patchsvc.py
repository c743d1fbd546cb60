#!/usr/bin/env python3
"""patchsvc.py - finish the synthetic kernel image's system service table.

    patchsvc.py IMAGE MAP SERVICES     patch KiServiceTable in IMAGE
    patchsvc.py --sizes IMAGE          print section and code sizes

gen.py emits KiServiceTable in assembly as one 32-bit RVA per Nt* routine
(`.rva NtXxx`): neither C nor a COFF relocation can express ntoskrnl's
packed entries. This script finds the table through the lld-link /map file
(MAP), checks that every entry is the RVA of code, and rewrites it in place
as ((routine rva - table rva) << 4) | stack argument count, the count
coming from SERVICES (gen.py's services.txt: "index name stack_args" lines).
The PDB is untouched (it holds no data bytes); the optional header's
CheckSum is recomputed when the linker had set one.
"""

import struct
import sys

SCN_MEM_EXECUTE = 0x20000000


def pe_sections(data):
    """(image base, [(name, rva, vsize, raw_off, raw_size, flags)], checksum offset)."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise SystemExit("patchsvc.py: not a PE image")
    nsec, = struct.unpack_from("<H", data, pe + 6)
    optsize, = struct.unpack_from("<H", data, pe + 20)
    opt = pe + 24
    if struct.unpack_from("<H", data, opt)[0] != 0x20B:
        raise SystemExit("patchsvc.py: not PE32+")
    base, = struct.unpack_from("<Q", data, opt + 24)
    secs = []
    for i in range(nsec):
        o = opt + optsize + 40 * i
        name = data[o:o + 8].rstrip(b"\0").decode("latin-1")
        vsize, rva, rsize, roff = struct.unpack_from("<IIII", data, o + 8)
        flags, = struct.unpack_from("<I", data, o + 36)
        secs.append((name, rva, vsize, roff, rsize, flags))
    return base, secs, opt + 64


def rva_to_off(secs, rva, n):
    for name, srva, vsize, roff, rsize, flags in secs:
        if srva <= rva and rva + n <= srva + min(vsize, rsize):
            return roff + rva - srva
    raise SystemExit("patchsvc.py: rva 0x%x is not file-backed" % rva)


def is_code(secs, rva):
    return any(srva <= rva < srva + vsize and flags & SCN_MEM_EXECUTE
               for name, srva, vsize, roff, rsize, flags in secs)


def pe_checksum(data, cks_off):
    total = 0
    n = len(data)
    padded = data + (b"\0" if n % 2 else b"")
    for (w,) in struct.iter_unpack("<H", padded):
        total += w
        total = (total & 0xFFFF) + (total >> 16)
    # the CheckSum field itself counts as zero
    old = struct.unpack_from("<HH", data, cks_off)
    for w in old:
        total -= w
        if total < 0:
            total += 0xFFFF
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return (total + n) & 0xFFFFFFFF


def map_symbol(path, sym):
    base = None
    with open(path) as fh:
        for line in fh:
            parts = line.split()
            if line.startswith(" Preferred load address is"):
                base = int(parts[-1], 16)
            elif len(parts) >= 3 and parts[1] == sym:
                if base is None:
                    raise SystemExit("patchsvc.py: %s: no load address line" % path)
                return int(parts[2], 16) - base
    raise SystemExit("patchsvc.py: %s: no symbol %s" % (path, sym))


def sizes(path):
    with open(path, "rb") as fh:
        data = fh.read()
    base, secs, _ = pe_sections(data)
    code = 0
    for name, rva, vsize, roff, rsize, flags in secs:
        print("section %-8s %10d bytes%s" % (name, vsize, "  code" if flags & SCN_MEM_EXECUTE else ""))
        if flags & SCN_MEM_EXECUTE:
            code += vsize
    text = sum(v for n, r, v, o, s, f in secs if n == ".text")
    print("code_bytes %d" % code)
    print("text_bytes %d" % text)
    print("image_bytes %d" % len(data))


def patch(image, mapfile, services):
    with open(services) as fh:
        svc = [line.split() for line in fh if line.strip()]
    args = [int(x[2]) for x in svc]
    with open(image, "rb") as fh:
        data = bytearray(fh.read())
    base, secs, cks_off = pe_sections(data)
    table = map_symbol(mapfile, "KiServiceTable")
    off = rva_to_off(secs, table, 4 * len(args))
    for i, argc in enumerate(args):
        rva, = struct.unpack_from("<I", data, off + 4 * i)
        if not is_code(secs, rva):
            raise SystemExit("patchsvc.py: KiServiceTable[%d] = 0x%x is not code (patched already?)"
                             % (i, rva))
        delta = rva - table
        if not -(1 << 27) <= delta < (1 << 27) or not 0 <= argc < 16:
            raise SystemExit("patchsvc.py: service %d out of range" % i)
        struct.pack_into("<i", data, off + 4 * i, (delta << 4) | argc)
    if struct.unpack_from("<I", data, cks_off)[0] != 0:
        struct.pack_into("<I", data, cks_off, pe_checksum(bytes(data), cks_off))
    with open(image, "wb") as fh:
        fh.write(data)


def main(argv):
    if len(argv) == 3 and argv[1] == "--sizes":
        sizes(argv[2])
        return 0
    if len(argv) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    patch(argv[1], argv[2], argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
