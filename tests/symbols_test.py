#!/usr/bin/env python3
"""symbols_test.py - symbol look-up, download and cache against a real HTTP
server on 127.0.0.1 (started and stopped here), never any other host.

The server serves symbol stores built in a temporary directory from the
fixtures (tests/fixtures/kdriver/kdriver.pdb, udll.pdb): plain, compressed
(.pd_, made with gcab at test time), through file.ptr, and broken ones (404,
500, truncated bodies, a PDB of another build under this key, a server that
never answers, a huge Content-Length, a redirect). Each scenario runs
`$ETWMAP symbols` or `$ETWMAP info` with its own cache and checks the exit
code, the message, the requests the server saw and every file left in the
cache. The store key is computed here from the image's RSDS bytes, not by
etwmap. Emits TAP; run from the top directory with ETWMAP set
(tests/run.sh).
"""
import http.server
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

E = os.environ.get("ETWMAP", "build/etwmap")
FX = "tests/fixtures"
KSYS = os.path.join(FX, "kdriver", "kdriver.sys")
KPDB = os.path.join(FX, "kdriver", "kdriver.pdb")
UPDB = os.path.join(FX, "udll", "udll.pdb")

n = 0


def ok(cond, desc, *diag):
    global n
    n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (n, desc))
    if not cond:
        for d in diag:
            for line in str(d).splitlines()[:20]:
                print("# " + line)
    return cond


def skip(desc, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, desc, why))


# ---- the image's RSDS record and store key (our own reading) -------------

def rsds(data):
    """(guid bytes, age, name bytes, file offset of the name)"""
    i = data.find(b"RSDS")
    while i >= 0:
        end = data.find(b"\0", i + 24)
        name = data[i + 24:end]
        if name.lower().endswith(b".pdb"):
            return data[i + 4:i + 20], struct.unpack("<I", data[i + 20:i + 24])[0], name, i + 24
        i = data.find(b"RSDS", i + 1)
    raise SystemExit("no RSDS record in the fixture")


def store_key(guid, age):
    """FORMATS.md §4.8: Data1 %08X, Data2 %04X, Data3 %04X, Data4 bytes, age %X"""
    d1, d2, d3 = struct.unpack("<IHH", guid[:8])
    return "%08X%04X%04X%s%X" % (d1, d2, d3, guid[8:].hex().upper(), age)


# ---- the server -----------------------------------------------------------

LOG = []          # request paths, in order
LOG_LOCK = threading.Lock()
STOP = threading.Event()
ROOT = None       # served directory: ROOT/<mode>/<store path>


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_body(self, body, length=None, chunk=None, delay=0.0):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if chunk is None:
            self.wfile.write(body)
            return
        for k in range(0, len(body), chunk):
            if STOP.is_set():
                return
            self.wfile.write(body[k:k + chunk])
            self.wfile.flush()
            time.sleep(delay)

    def do_GET(self):
        with LOG_LOCK:
            LOG.append(self.path)
        mode, _, rest = self.path[1:].partition("/")
        if mode == "hang":
            STOP.wait(30)  # never answers (until the test ends)
            self.close_connection = True
            return
        if mode == "e500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "redir":
            self.send_response(302)
            self.send_header("Location", "/good/" + rest)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "huge":
            self.send_response(200)
            self.send_header("Content-Length", str(5 << 30))
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.close_connection = True
            return
        path = os.path.join(ROOT, mode, rest)
        if ".." in rest.split("/") or not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = open(path, "rb").read()
        if mode == "trunc":  # announces all, sends half, closes
            self.close_connection = True
            self.send_body(body[:len(body) // 2], length=len(body))
        elif mode == "trunc-nolen":  # no length: the cut is invisible to HTTP
            self.close_connection = True
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])
        elif mode == "slow":
            self.send_body(body, chunk=1024, delay=0.05)
        else:
            self.send_body(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients that hang up mid-body are part of the tests


# ---- helpers ------------------------------------------------------------

def env_for(extra=None):
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy",
                                "_nt_symbol_path", "etwmap_symbol_server",
                                "etwmap_http_timeout")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["XDG_CACHE_HOME"] = os.path.join(TMP, "xdg")
    env["ETWMAP_HTTP_TIMEOUT"] = "2"
    env.update(extra or {})
    return env


def run(args, extra_env=None, timeout=120):
    with LOG_LOCK:
        del LOG[:]
    t0 = time.time()
    p = subprocess.run([E] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env_for(extra_env), timeout=timeout)
    with LOG_LOCK:
        reqs = list(LOG)
    out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    if os.environ.get("SYMBOLS_TEST_VERBOSE"):
        sys.stderr.write("$ %s\n%s%s[exit %d] %s\n\n" % (" ".join(args), out, err, p.returncode, reqs))
    return p.returncode, out, err, reqs, time.time() - t0


def files_under(d):
    """every file below d, relative, sorted (directories alone do not count)"""
    out = []
    for dirpath, _, names in os.walk(d):
        for f in names:
            out.append(os.path.relpath(os.path.join(dirpath, f), d))
    return sorted(out)


def fresh(name):
    d = os.path.join(TMP, "caches", name)
    shutil.rmtree(d, ignore_errors=True)
    return d


def same_bytes(a, b):
    try:
        return open(a, "rb").read() == open(b, "rb").read()
    except OSError:
        return False


def put(mode, rel, data):
    p = os.path.join(ROOT, mode, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)


def main():
    global TMP, ROOT
    if not (os.path.isfile(KSYS) and os.path.isfile(KPDB) and os.path.isfile(UPDB)):
        skip("symbol look-up", "fixtures absent")
        print("1..%d" % n)
        return 0
    TMP = tempfile.mkdtemp(prefix="etwmap-sym-")
    ROOT = os.path.join(TMP, "srv")
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % port
    try:
        scenarios(base, port)
    finally:
        STOP.set()
        server.shutdown()
        server.server_close()
        shutil.rmtree(TMP, ignore_errors=True)
    print("1..%d" % n)
    return 0


def scenarios(base, port):
    image = open(KSYS, "rb").read()
    guid, age, name, name_off = rsds(image)
    key = store_key(guid, age)
    rel = "kdriver.pdb/%s/kdriver.pdb" % key
    ok(name == b"kdriver.pdb", "fixture RSDS names kdriver.pdb", name)
    # cross-check our key with llvm-readobj's view of the GUID bytes
    if shutil.which("llvm-readobj"):
        out = subprocess.run(["llvm-readobj", "--coff-debug-directory", KSYS],
                             stdout=subprocess.PIPE).stdout.decode()
        line = [l for l in out.splitlines() if "PDBGUID" in l]
        gb = bytes(int(x, 16) for x in line[0].split("(")[1].rstrip(")").split()) if line else b""
        ok(gb == guid, "RSDS GUID bytes agree with llvm-readobj", gb.hex(), guid.hex())
    else:
        skip("RSDS GUID bytes agree with llvm-readobj", "llvm-readobj absent")

    img_dir = os.path.join(TMP, "img")
    os.makedirs(img_dir)
    img = os.path.join(img_dir, "kdriver.sys")  # no PDB beside it
    shutil.copy(KSYS, img)
    kpdb = open(KPDB, "rb").read()

    # stores
    put("good", rel, kpdb)
    put("good", "evil.pdb/%s/evil.pdb" % key, kpdb)
    put("blobs", "kdriver.pdb", kpdb)
    put("ptr", "kdriver.pdb/%s/file.ptr" % key, ("PATH:%s/blobs/kdriver.pdb\r\n" % base).encode())
    put("ptrlocal", "kdriver.pdb/%s/file.ptr" % key, ("PATH:" + os.path.abspath(KPDB)).encode())
    put("ptrmsg", "kdriver.pdb/%s/file.ptr" % key, b"MSG:withdrawn by the build lab")
    put("ptrother", "kdriver.pdb/%s/file.ptr" % key,
        ("PATH:http://127.0.0.2:%d/blobs/kdriver.pdb" % port).encode())
    put("wrong", rel, open(UPDB, "rb").read())
    for m in ("trunc", "trunc-nolen", "slow"):
        put(m, rel, kpdb)
    os.makedirs(os.path.join(ROOT, "empty"))

    def sp(cache, mode):
        return "srv*%s*%s/%s" % (cache, base, mode)

    def good_cache(cache, desc):
        ok(files_under(cache) == [rel], desc + ": the cache holds exactly " + rel, files_under(cache))
        ok(same_bytes(os.path.join(cache, rel), KPDB), desc + ": cached PDB is byte-identical")

    def empty_cache(cache, desc):
        ok(files_under(cache) == [], desc + ": nothing left in the cache", files_under(cache))

    # ---- help and usage -------------------------------------------------
    rc, out, err, _, _ = run(["symbols", "--help"])
    ok(rc == 0 and "--symbol-path" in out and "Exit status" in out and "srv*" in out,
       "symbols --help exits 0 and teaches the symbol path", out[:300])
    for bad, why in (("srv*http://x/y*/tmp/c", "last"), ("C:\\symbols", "Windows path"),
                     ("ftp://x/y", "http"), ("http://x/y", "srv*")):
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", bad, img])
        ok(rc == 2 and why in err and "element 1" in err and not reqs,
           "bad symbol path %r: exit 2 and a message" % bad, rc, err)

    # ---- download, verify, cache, then no request ------------------------
    c = fresh("good")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), img])
    ok(rc == 0 and ": downloaded " + os.path.join(c, rel) in out,
       "download: exit 0, reported as downloaded into the cache", rc, out, err)
    ok(reqs == ["/good/" + rel], "download: one request, for the key computed from the RSDS record", reqs)
    good_cache(c, "download")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), img])
    ok(rc == 0 and ": store " + os.path.join(c, rel) in out, "second run: found in the cache", rc, out, err)
    ok(reqs == [], "second run: no request at all", reqs)
    rc, out, err, reqs, _ = run(["info", "--symbol-path", sp(c, "good"), img])
    ok(rc == 0 and "pdb            matched " + os.path.join(c, rel) in out and reqs == [],
       "info uses the same look-up: matched from the cache, no request", rc, out, err, reqs)
    c2 = fresh("info")
    rc, out, err, reqs, _ = run(["info", "--symbol-path", sp(c2, "good"), img])
    ok(rc == 0 and "downloaded from %s/good/%s" % (base, rel) in out and reqs == ["/good/" + rel],
       "info downloads too", rc, out, err, reqs)
    good_cache(c2, "info download")
    rc, out, err, reqs, _ = run(["info", "--format", "json", "--symbol-path", sp(c2, "good"), img])
    ok(rc == 0 and '"found":"store"' in out and '"status":"matched"' in out,
       "info --format json names how the PDB was found", out[-400:])

    # ---- compressed .pd_, file.ptr -----------------------------------------
    if shutil.which("gcab"):
        cabdir = os.path.join(TMP, "cabsrc")
        os.makedirs(cabdir)
        shutil.copy(KPDB, os.path.join(cabdir, "kdriver.pdb"))
        shutil.copy(UPDB, os.path.join(cabdir, "udll.pdb"))
        cab = os.path.join(TMP, "kdriver.pd_")
        subprocess.run(["gcab", "-c", "-z", "-n", cab, os.path.join(cabdir, "kdriver.pdb")], check=True)
        cab2 = os.path.join(TMP, "two.pd_")
        subprocess.run(["gcab", "-c", "-z", "-n", cab2, os.path.join(cabdir, "kdriver.pdb"),
                        os.path.join(cabdir, "udll.pdb")], check=True)
        ok(open(cab, "rb").read(4) == b"MSCF", "gcab made an MSZIP cabinet")
        put("cab", "kdriver.pdb/%s/kdriver.pd_" % key, open(cab, "rb").read())
        put("cab2", "kdriver.pdb/%s/kdriver.pd_" % key, open(cab2, "rb").read())
        c = fresh("cab")
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "cab"), img])
        ok(rc == 0 and "downloaded" in out, "compressed .pd_: downloaded", rc, out, err)
        ok(reqs == ["/cab/" + rel, "/cab/" + rel[:-1] + "_"], "compressed .pd_: asked .pdb, then .pd_", reqs)
        good_cache(c, "compressed .pd_ (decompressed, no .pd_ or temporary file kept)")
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "cab"), img])
        ok(rc == 0 and reqs == [], "compressed .pd_: second run makes no request", rc, reqs)
        c = fresh("cab2")
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "cab2"), img])
        ok(rc == 1 and "several files" in out + err, "a cabinet with two files is refused", rc, out, err)
        empty_cache(c, "cabinet with two files")
        # a local store with only the .pd_: decompressed into the cache before it
        local = os.path.join(TMP, "localcab")
        os.makedirs(os.path.join(local, "kdriver.pdb", key))
        shutil.copy(cab, os.path.join(local, "kdriver.pdb", key, "kdriver.pd_"))
        c = fresh("localcab")
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", "srv*%s*%s" % (c, local), img])
        ok(rc == 0 and ": store " in out, "local store .pd_: found", rc, out, err)
        good_cache(c, "local store .pd_")
    else:
        skip("compressed .pd_", "gcab absent (scripts/deps.sh installs it)")

    c = fresh("ptr")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "ptr"), img])
    ok(rc == 0 and "(from %s/blobs/kdriver.pdb)" % base in out, "file.ptr on the server: followed", rc, out, err)
    ok(reqs == ["/ptr/" + rel, "/ptr/" + rel[:-1] + "_", "/ptr/kdriver.pdb/%s/file.ptr" % key,
                "/blobs/kdriver.pdb"], "file.ptr: .pdb, .pd_, file.ptr, then its target", reqs)
    good_cache(c, "file.ptr")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "ptr"), img])
    ok(rc == 0 and reqs == [], "file.ptr: second run makes no request", rc, reqs)

    for mode, words, desc in (("ptrlocal", "refused", "a server's file.ptr naming a local file"),
                              ("ptrother", "refused", "a server's file.ptr naming another host"),
                              ("ptrmsg", "withdrawn by the build lab", "a file.ptr with MSG:")):
        c = fresh(mode)
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, mode), img])
        ok(rc == 1 and words in out and "warning" in err, desc + ": refused, exit 1", rc, out, err)
        ok(all(r.startswith("/%s/" % mode) for r in reqs), desc + ": nothing else asked", reqs)
        empty_cache(c, desc)

    local = os.path.join(TMP, "localptr")
    os.makedirs(os.path.join(local, "kdriver.pdb", key))
    with open(os.path.join(local, "kdriver.pdb", key, "file.ptr"), "w") as f:
        f.write("PATH:" + os.path.abspath(KPDB) + "\n")
    c = fresh("localptr")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", "srv*%s*%s" % (c, local), img])
    ok(rc == 0 and ": store " in out, "local store file.ptr: followed", rc, out, err)
    good_cache(c, "local store file.ptr (copied into the cache before it)")
    with open(os.path.join(local, "kdriver.pdb", key, "file.ptr"), "w") as f:
        f.write("PATH:" + os.path.abspath(os.path.join(FX, "kdriver")) + "\n")
    c = fresh("localptrdir")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", "srv*%s*%s" % (c, local), img])
    ok(rc == 1 and "not a regular file" in out, "local file.ptr naming a directory: refused", rc, out)
    empty_cache(c, "local file.ptr naming a directory")

    # redirect (Microsoft's server answers with one)
    c = fresh("redir")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "redir"), img])
    ok(rc == 0 and reqs == ["/redir/" + rel, "/good/" + rel], "a redirect is followed", rc, out, err, reqs)
    good_cache(c, "redirect")

    # ---- bad servers ------------------------------------------------------
    c = fresh("404")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "empty"), img])
    ok(rc == 1 and ": not-found " + rel in out and "HTTP 404" in out,
       "404: exit 1, not-found with the key and the reason", rc, out, err)
    ok(len(reqs) == 3, "404: .pdb, .pd_ and file.ptr asked once each (no retry)", reqs)
    empty_cache(c, "404")
    ok(not os.path.exists(os.path.join(c, "kdriver.pdb")), "404: no empty store directories left")
    rc, out, err, reqs, _ = run(["info", "--symbol-path", sp(c, "empty"), img])
    ok(rc == 0 and "pdb            not-found" in out,
       "info: a PDB the server does not have is not-found, exit 0", rc, out, err)

    c = fresh("trunc")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "trunc"), img])
    ok(rc == 1 and "truncated" in out and "after 3 attempts" in out,
       "truncated body (short of Content-Length): exit 1, says so", rc, out, err)
    ok(len(reqs) == 3, "truncated body: retried, 3 attempts in all", reqs)
    empty_cache(c, "truncated body")
    c = fresh("trunc-nolen")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "trunc-nolen"), img])
    ok(rc == 1 and "not a usable PDB" in out, "truncated body without Content-Length: caught by the PDB check",
       rc, out, err)
    empty_cache(c, "truncated body without Content-Length")

    c = fresh("wrong")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "wrong"), img])
    ok(rc == 1 and "wrong PDB" in out and "GUID differs" in out and "warning" in err,
       "a PDB of another build under this key: refused, exit 1", rc, out, err)
    empty_cache(c, "wrong GUID")
    rc, out, err, reqs, _ = run(["info", "--symbol-path", sp(c, "wrong"), img])
    ok(rc == 1 and "warning" in err and "pdb            not-found" in out,
       "info: a wrong PDB served is a warning, exit 1", rc, out, err)

    c = fresh("e500")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "e500"), img])
    ok(rc == 1 and "HTTP 500" in out and len(reqs) == 3, "HTTP 500: retried 3 times, exit 1", rc, out, reqs)
    empty_cache(c, "HTTP 500")

    c = fresh("huge")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "huge"), img])
    ok(rc == 1 and "larger than" in out and len(reqs) == 1,
       "a body past the size cap: refused at once, not retried", rc, out, reqs)
    empty_cache(c, "huge")

    c = fresh("hang")
    rc, out, err, reqs, dt = run(["symbols", "--symbol-path", sp(c, "hang"), img],
                                 {"ETWMAP_HTTP_TIMEOUT": "1"})
    ok(rc == 1 and "timed out" in out and len(reqs) == 3 and dt < 30,
       "a server that never answers: timed out (ETWMAP_HTTP_TIMEOUT=1), 3 attempts, %.1f s" % dt,
       rc, out, reqs)
    empty_cache(c, "timeout")

    # ---- a killed download leaves no final file ----------------------------
    for sig, desc in ((signal.SIGTERM, "SIGTERM"), (signal.SIGKILL, "SIGKILL")):
        c = fresh("kill")
        with LOG_LOCK:
            del LOG[:]
        p = subprocess.Popen([E, "symbols", "--symbol-path", sp(c, "slow"), img],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_for())
        t0 = time.time()
        while not LOG and time.time() - t0 < 20:
            time.sleep(0.05)
        time.sleep(1.0)  # mid-body: 1 KB per 50 ms
        p.send_signal(sig)
        p.wait(20)
        left = files_under(c)
        ok(rel not in left and p.returncode == -sig, "download killed by %s: no final file" % desc, left, p.returncode)
        if sig == signal.SIGTERM:
            ok(left == [], "download killed by SIGTERM: its temporary file is removed too", left)
        else:
            ok(all(os.path.basename(f).startswith(".etwmap-tmp-") for f in left),
               "download killed by SIGKILL: at most a temporary file stays", left)
            rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), img])
            ok(rc == 0 and same_bytes(os.path.join(c, rel), KPDB),
               "after a killed download the next run succeeds", rc, out, err)

    # two etwmap processes on one cache
    c = fresh("concurrent")
    procs = [subprocess.Popen([E, "symbols", "--symbol-path", sp(c, "slow"), img],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for())
             for _ in range(2)]
    rcs = [p.wait(60) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    ok(rcs == [0, 0], "two concurrent downloads into one cache both succeed", rcs)
    good_cache(c, "two concurrent downloads")

    # a wrong PDB in the cache: not used, replaced by a verified download
    c = fresh("corrupt")
    os.makedirs(os.path.dirname(os.path.join(c, rel)))
    shutil.copy(UPDB, os.path.join(c, rel))
    rc, out, err, reqs, _ = run(["symbols", "--offline", "--symbol-path", sp(c, "good"), img])
    ok(rc == 1 and "GUID differs" in out and reqs == [], "a wrong PDB in the cache is not used", rc, out, err)
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), img])
    ok(": downloaded " in out and same_bytes(os.path.join(c, rel), KPDB),
       "... and is replaced by a verified download", rc, out, err)

    # ---- malicious PDB names in the RSDS record ----------------------------
    def patched(tag, new_name):
        assert len(new_name) <= len(name)
        data = bytearray(image)
        data[name_off:name_off + len(name)] = new_name + b"\0" * (len(name) - len(new_name))
        d = os.path.join(TMP, "evil-" + tag)
        os.makedirs(d)
        p = os.path.join(d, "kdriver.sys")
        with open(p, "wb") as f:
            f.write(data)
        return p

    before = set(files_under(TMP))
    evil = patched("dotdot", b"..\\evil.pdb")
    c = fresh("evil")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), evil])
    ok(rc == 0 and reqs == ["/good/evil.pdb/%s/evil.pdb" % key],
       "RSDS name ..\\evil.pdb: only its file name is used, in the URL", rc, out, err, reqs)
    ok(files_under(c) == ["evil.pdb/%s/evil.pdb" % key], "... and in the cache", files_under(c))
    new = set(files_under(TMP)) - before
    ok(all(f.startswith(os.path.join("caches", "evil")) or f.startswith("evil-") for f in new),
       "... and nothing is written outside the cache", sorted(new))

    evil = patched("abs", b"/etc/x.pdb")
    c = fresh("evil-abs")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), evil])
    ok(rc == 1 and reqs and all(r.startswith("/good/x.pdb/%s/" % key) for r in reqs) and files_under(c) == [],
       "RSDS name /etc/x.pdb: looked up as x.pdb only", rc, out, reqs)

    evil = patched("pct", b"%2e%2e.pdb")
    c = fresh("evil-pct")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), evil])
    ok(rc == 1 and reqs and all(r.startswith("/good/%252e%252e.pdb/") for r in reqs),
       "RSDS name %2e%2e.pdb: percent-encoded in the URL", rc, out, reqs)

    for tag, bad in (("ctl", b"kd\x07iver.pdb"), ("dots", b".."), ("sep", b"sub\\")):
        evil = patched(tag, bad)
        c = fresh("evil-" + tag)
        rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(c, "good"), evil])
        ok(rc == 1 and "unsafe" in out and "warning" in err and not reqs and files_under(c) == [],
           "RSDS name %r: refused with a message, exit 1, no request, nothing cached" % bad, rc, out, err, reqs)
        rc, out, err, reqs, _ = run(["info", "--symbol-path", sp(c, "good"), evil])
        ok(rc == 1 and "pdb            not-found" in out and "unsafe" in err and not reqs,
           "info on RSDS name %r: not-found with a warning, exit 1" % bad, rc, out, err)

    # ---- offline, defaults, environment -----------------------------------
    c = fresh("offline")
    rc, out, err, reqs, _ = run(["symbols", "--offline", "--symbol-path", sp(c, "good"), img])
    ok(rc == 1 and "--offline" in out and reqs == [], "--offline: no request, says why", rc, out, reqs)
    empty_cache(c, "--offline")

    xdg_cache = os.path.join(TMP, "xdg", "etwmap", "symbols")
    shutil.rmtree(os.path.join(TMP, "xdg"), ignore_errors=True)
    rc, out, err, reqs, _ = run(["symbols", img], {"ETWMAP_SYMBOL_SERVER": base + "/good"})
    ok(rc == 1 and reqs == [] and "not in " + xdg_cache in out,
       "no symbol path: only the default cache, never the network", rc, out, reqs)
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", "srv*", img],
                                {"ETWMAP_SYMBOL_SERVER": base + "/good"})
    ok(rc == 0 and reqs == ["/good/" + rel], "srv* with ETWMAP_SYMBOL_SERVER: that server", rc, out, err, reqs)
    good_cache(xdg_cache, "srv* (default cache under XDG_CACHE_HOME)")
    rc, out, err, reqs, _ = run(["symbols", img])
    ok(rc == 0 and ": store " in out and reqs == [], "no symbol path: the default cache is used", rc, out, reqs)

    c = fresh("env")
    rc, out, err, reqs, _ = run(["symbols", img], {"_NT_SYMBOL_PATH": " ;" + sp(c, "good") + "; "})
    ok(rc == 0 and reqs == ["/good/" + rel], "_NT_SYMBOL_PATH is read when --symbol-path is absent", rc, out, reqs)
    good_cache(c, "_NT_SYMBOL_PATH")

    c = fresh("cachestar")
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path",
                                 "cache*%s;%s" % (c, os.path.abspath(os.path.join(FX, "kdriver"))), img])
    ok(rc == 0 and ": directory " in out, "cache*DIR;DIR: found in the plain directory", rc, out, err)
    good_cache(c, "cache*DIR (copied there)")

    # a PDB beside the image still wins, and nothing is asked
    rc, out, err, reqs, _ = run(["symbols", "--symbol-path", sp(fresh("beside"), "good"), KSYS])
    ok(rc == 0 and ": beside-image " in out and reqs == [], "beside the image first, no request", rc, out, reqs)


if __name__ == "__main__":
    sys.exit(main())
