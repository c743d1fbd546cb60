/*
 * sym_find.c - look-up order, verification, caching (sym_find.h).
 */
#include "sym_find.h"

#include "pdb_locate.h"
#include "symsrv_http.h"
#include "sympath.h"
#include "symstore.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const state_names[SYM_STATE_COUNT] = {
    [SYM_NONE] = "none",         [SYM_NOT_FOUND] = "not-found",
    [SYM_MATCHED] = "matched",   [SYM_FORCED] = "forced",
    [SYM_MISMATCH] = "mismatch", [SYM_UNREADABLE] = "unreadable",
};

static const char *const how_names[SYM_HOW_COUNT] = {
    [SYM_HOW_NONE] = "none",           [SYM_HOW_GIVEN] = "given",
    [SYM_HOW_BESIDE] = "beside-image", [SYM_HOW_DIR] = "directory",
    [SYM_HOW_STORE] = "store",         [SYM_HOW_DOWNLOADED] = "downloaded",
};

const char *sym_state_name(sym_state s)
{
    return (unsigned)s < SYM_STATE_COUNT ? state_names[s] : "unknown";
}

const char *sym_how_name(sym_how h)
{
    return (unsigned)h < SYM_HOW_COUNT ? how_names[h] : "unknown";
}

/* ---- the symbol path in force -------------------------------------------- */

/* The text to parse and the name messages give it; text NULL: default. */
static const char *path_text(const sym_options *o, const char **source)
{
    if (o->symbol_path) {
        *source = "--symbol-path";
        return o->symbol_path;
    }
    const char *env = getenv("_NT_SYMBOL_PATH");
    if (env && *env) {
        *source = "_NT_SYMBOL_PATH";
        return env;
    }
    *source = "default symbol path";
    return NULL;
}

static ew_status parse_path(const sym_options *o, sym_path *p, ew_diag *d)
{
    const char *source;
    const char *text = path_text(o, &source);
    sym_env env;
    sym_env_from_environ(&env);
    ew_diag_init(d, source);
    return sym_path_parse(p, text, &env, d);
}

ew_status sym_options_check(const sym_options *o, ew_diag *d)
{
    sym_path p;
    ew_status s = parse_path(o, &p, d);
    sym_path_free(&p);
    return s;
}

/* ---- search context ------------------------------------------------------ */

typedef struct ctx {
    const sym_options *o;
    const pe_codeview *cv;
    sym_found *out;
    char name[256];  /* sanitised RSDS file name */
    char cname[256]; /* its compressed form */
    char key[SYM_KEY_SIZE];
    const sym_path *sp;
    sym_http_config http;
    const char *caches[SYM_MAX_ELEMENTS]; /* cache* elements seen so far */
    size_t n_caches;
} ctx;

/* Appends "; "-separated text to out->note; problem marks a failure. */
static void note(ctx *c, bool problem, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void note(ctx *c, bool problem, const char *fmt, ...)
{
    char *n = c->out->note;
    size_t size = sizeof c->out->note, len = strlen(n);
    if (problem)
        c->out->problem = true;
    if (len + 4 >= size)
        return;
    if (len) {
        memcpy(n + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(n + len, size - len, fmt, ap);
    va_end(ap);
    if (k >= 0 && (size_t)k >= size - len)
        memcpy(n + size - 4, "...", 4);
}

/* For messages: s with control characters and non-ASCII as \xNN. */
static void escape(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (; *s && k + 5 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
            out[k++] = (char)ch;
        else
            k += (size_t)snprintf(out + k, size - k, "\\x%02x", ch);
    }
    out[k] = 0;
}

typedef enum { V_MATCH, V_MISMATCH, V_UNREADABLE } vres;

/* Opens path as the image's PDB into c->out. On V_MATCH it stays open
 * with out->path = path; otherwise out is closed and why holds the
 * diagnostic, naming label. */
static vres verify(ctx *c, const char *path, const char *label, char *why,
                   size_t wsize)
{
    sym_found *out = c->out;
    snprintf(out->path, sizeof out->path, "%s", path);
    ew_diag d;
    ew_diag_init(&d, label);
    ew_status s = ew_file_map(&out->file, out->path, &d);
    if (s == EW_OK) {
        s = pdb_open(&out->pdb, out->file.data, out->file.size, out->path,
                     c->o->pdb_flags, &d);
        if (s != EW_OK)
            ew_file_unmap(&out->file);
    }
    if (s != EW_OK) {
        ew_diag_format(&d, why, wsize);
        out->path[0] = 0;
        return V_UNREADABLE;
    }
    ew_diag md;
    ew_diag_init(&md, label);
    if (pdb_match(&out->pdb, c->cv->guid, c->cv->age, &md) == EW_OK) {
        out->open = true;
        return V_MATCH;
    }
    ew_diag_format(&md, why, wsize);
    pdb_close(&out->pdb);
    ew_file_unmap(&out->file);
    out->path[0] = 0;
    return V_MISMATCH;
}

static void matched(ctx *c, sym_how how, const char *source)
{
    c->out->state = SYM_MATCHED;
    c->out->how = how;
    snprintf(c->out->source, sizeof c->out->source, "%s", source);
}

/* Verifies the temporary file t (label: where its bytes came from) and,
 * when it is the right PDB, gives it its final name. */
static bool commit_verified(ctx *c, sym_tmp *t, const char *label)
{
    char why[600];
    vres v = verify(c, t->path, label, why, sizeof why);
    if (v != V_MATCH) {
        sym_tmp_abort(t);
        note(c, true, "%s%s (not kept)",
             v == V_MISMATCH ? "wrong PDB: " : "not a usable PDB: ", why);
        return false;
    }
    if (sym_tmp_commit(t, why, sizeof why) != EW_OK) {
        sym_found_close(c->out);
        c->out->path[0] = 0;
        note(c, true, "%s", why);
        return false;
    }
    snprintf(c->out->path, sizeof c->out->path, "%s", t->final);
    return true;
}

/* Decompresses the cabinet at cab_path into the store dest, verified. */
static bool from_cab(ctx *c, const char *cab_path, const char *dest,
                     const char *label)
{
    char why[600];
    if (!dest) {
        note(c, true, "%s: no cache to decompress into ($HOME unset)", label);
        return false;
    }
    sym_tmp t;
    if (sym_tmp_create(&t, dest, c->name, c->key, why, sizeof why) != EW_OK) {
        note(c, true, "%s", why);
        return false;
    }
    if (sym_cab_extract(cab_path, t.path, why, sizeof why) != EW_OK) {
        sym_tmp_abort(&t);
        note(c, true, "%s: cannot decompress: %s", label, why);
        return false;
    }
    return commit_verified(c, &t, label);
}

/* Copies the open PDB into store unless it already is that file. */
static void replicate_one(ctx *c, const char *store)
{
    char final[4096];
    int n = snprintf(final, sizeof final, "%s/%s/%s/%s", store, c->name,
                     c->key, c->name);
    if (n < 0 || (size_t)n >= sizeof final ||
        strcmp(final, c->out->path) == 0)
        return;
    char why[600];
    sym_tmp t;
    if (sym_tmp_create(&t, store, c->name, c->key, why, sizeof why) != EW_OK ||
        sym_tmp_write(&t, c->out->file.data, c->out->file.size, why,
                      sizeof why) != EW_OK ||
        sym_tmp_commit(&t, why, sizeof why) != EW_OK) {
        sym_tmp_abort(&t);
        note(c, true, "cannot keep a copy in %s: %s", store, why);
    }
}

/* After a find: copy into the given downstream stores and every cache*
 * element seen so far. */
static void replicate(ctx *c, const sym_store *stores, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!stores[i].http)
            replicate_one(c, stores[i].loc);
    for (size_t i = 0; i < c->n_caches; i++)
        replicate_one(c, c->caches[i]);
}

/* ---- local stores ------------------------------------------------------ */

/* Follows a local file.ptr. */
static bool follow_local_ptr(ctx *c, const char *ptr_path, const char *store,
                             const char *dest)
{
    char text[SYM_MAX_PTR_SIZE + 1], target[SYM_MAX_PTR_SIZE], why[600];
    size_t n;
    if (!sym_read_small(ptr_path, text, sizeof text, &n)) {
        note(c, true, "%s: unreadable or larger than %d bytes", ptr_path,
             SYM_MAX_PTR_SIZE);
        return false;
    }
    sym_ptr_kind k = sym_ptr_parse(text, n, target, sizeof target);
    if (k == SYM_PTR_MSG) {
        note(c, true, "%s says: %s", ptr_path, target);
        return false;
    }
    if (k == SYM_PTR_BAD) {
        note(c, true, "%s: not a valid pointer", ptr_path);
        return false;
    }
    if (sym_is_http_url(target) || (target[0] && target[1] == ':') ||
        (target[0] == '\\' && target[1] == '\\')) {
        char e[200];
        escape(target, e, sizeof e);
        note(c, true, "%s: points to \"%s\", not a file of this system",
             ptr_path, e);
        return false;
    }
    char full[4096];
    int fn = target[0] == '/'
                 ? snprintf(full, sizeof full, "%s", target)
                 /* relative to the file.ptr's directory */
                 : snprintf(full, sizeof full, "%s/%s/%s/%s", store, c->name,
                            c->key, target);
    struct stat st;
    if (fn < 0 || (size_t)fn >= sizeof full || stat(full, &st) != 0 ||
        !S_ISREG(st.st_mode)) {
        note(c, true, "%s: target %s is not a regular file", ptr_path, full);
        return false;
    }
    int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    bool cab = fd >= 0 && sym_is_cab(fd);
    if (fd >= 0)
        close(fd);
    if (cab)
        return from_cab(c, full, dest, full);
    vres v = verify(c, full, full, why, sizeof why);
    if (v == V_MATCH)
        return true;
    note(c, true, "%s -> %s", ptr_path, why);
    return false;
}

/* Looks in STORE/name/KEY/ for the PDB, its .pd_ and file.ptr; what must
 * be written (decompressed) goes into dest. */
static bool search_local(ctx *c, const char *store, const char *dest)
{
    char path[4096], why[600];
    bool seen = false; /* something was there, and failed */
    if (sym_local_find(store, c->name, c->key, SYM_LOCAL_PDB, path,
                       sizeof path)) {
        vres v = verify(c, path, path, why, sizeof why);
        if (v == V_MATCH)
            return true;
        note(c, true, "%s", why);
        seen = true;
    }
    if (sym_local_find(store, c->name, c->key, SYM_LOCAL_CAB, path,
                       sizeof path)) {
        if (from_cab(c, path, dest, path))
            return true;
        seen = true;
    }
    if (sym_local_find(store, c->name, c->key, SYM_LOCAL_PTR, path,
                       sizeof path))
        return follow_local_ptr(c, path, store, dest);
    if (!seen)
        note(c, false, "not in %s", store);
    return false;
}

/* ---- http stores ---------------------------------------------------------- */

typedef enum { H_FOUND, H_ABSENT, H_FAILED } hres;

/* Downloads url into dest, decompressing a cabinet, and verifies it. */
static hres download(ctx *c, const char *url, const char *dest,
                     const char *leaf)
{
    char why[600];
    sym_tmp t;
    if (sym_tmp_create(&t, dest, c->name, c->key, why, sizeof why) != EW_OK) {
        note(c, true, "%s", why);
        return H_FAILED;
    }
    sym_http_result r = sym_http_get_fd(&c->http, url, t.fd, leaf, why,
                                        sizeof why);
    if (r != SYM_HTTP_OK) {
        sym_tmp_abort(&t);
        if (r == SYM_HTTP_ABSENT)
            return H_ABSENT;
        note(c, true, "%s: %s", url, why);
        return H_FAILED;
    }
    if (sym_is_cab(t.fd)) {
        bool ok = from_cab(c, t.path, dest, url);
        sym_tmp_abort(&t);
        return ok ? H_FOUND : H_FAILED;
    }
    return commit_verified(c, &t, url) ? H_FOUND : H_FAILED;
}

static bool url_for(ctx *c, const char *base, const char *leaf, char *url,
                    size_t size)
{
    char rel[1024];
    if (!sym_url_key_path(c->name, c->key, leaf, rel, sizeof rel))
        return false;
    int n = snprintf(url, size, "%s/%s", base, rel);
    return n > 0 && (size_t)n < size;
}

static bool search_http(ctx *c, const char *base, const char *dest)
{
    if (c->o->offline) {
        note(c, false, "%s not asked (--offline)", base);
        return false;
    }
    if (!dest) {
        note(c, true, "%s: no cache to download into ($HOME unset)", base);
        return false;
    }
    char url[4096];
    const char *leaves[2] = {c->name, c->cname};
    for (int i = 0; i < 2; i++) {
        if (!url_for(c, base, leaves[i], url, sizeof url)) {
            note(c, true, "%s: URL too long", base);
            return false;
        }
        hres h = download(c, url, dest, leaves[i]);
        if (h == H_FOUND) {
            matched(c, SYM_HOW_DOWNLOADED, url);
            return true;
        }
        if (h == H_FAILED)
            return false;
    }
    /* file.ptr: only URLs of the same server are followed; a server must
     * not make etwmap read local files or go elsewhere */
    char text[SYM_MAX_PTR_SIZE + 1], target[SYM_MAX_PTR_SIZE], why[600];
    size_t n;
    if (!url_for(c, base, "file.ptr", url, sizeof url))
        return false;
    sym_http_result r = sym_http_get_mem(&c->http, url, text, sizeof text, &n,
                                         why, sizeof why);
    if (r == SYM_HTTP_ABSENT) {
        note(c, false, "not on %s (HTTP 404)", base);
        return false;
    }
    if (r == SYM_HTTP_FAILED) {
        note(c, true, "%s: %s", url, why);
        return false;
    }
    sym_ptr_kind k = sym_ptr_parse(text, n, target, sizeof target);
    if (k == SYM_PTR_MSG) {
        note(c, true, "%s says: %s", url, target);
        return false;
    }
    char e[300];
    escape(k == SYM_PTR_PATH ? target : "", e, sizeof e);
    if (k == SYM_PTR_BAD || !sym_http_same_origin(target, base)) {
        note(c, true, "%s points to \"%s\": refused (a server's file.ptr may "
                      "only name a URL of the same server)",
             url, e);
        return false;
    }
    hres h = download(c, target, dest, c->name);
    if (h == H_FOUND) {
        matched(c, SYM_HOW_DOWNLOADED, target);
        return true;
    }
    if (h == H_ABSENT)
        note(c, true, "%s points to %s: HTTP 404", url, e);
    return false;
}

/* ---- elements ----------------------------------------------------------- */

static bool search_srv(ctx *c, const sym_element *el)
{
    for (size_t i = 0; i < el->n_stores; i++) {
        const sym_store *st = &el->stores[i];
        /* what must be written goes to the chain's first store, or to the
         * default cache when the file is in that first store already */
        const char *dest = i > 0 ? el->stores[0].loc : c->sp->default_cache;
        bool found = st->http ? search_http(c, st->loc, dest)
                              : search_local(c, st->loc, dest);
        if (found) {
            if (!st->http)
                matched(c, SYM_HOW_STORE, st->loc);
            replicate(c, el->stores, i);
            return true;
        }
    }
    return false;
}

static bool search_dir(ctx *c, const char *dir)
{
    char path[4096], why[600];
    int n = snprintf(path, sizeof path, "%s/%s", dir, c->name);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 ||
        !S_ISREG(st.st_mode)) {
        note(c, false, "not in %s", dir);
        return false;
    }
    if (verify(c, path, path, why, sizeof why) != V_MATCH) {
        note(c, true, "%s", why);
        return false;
    }
    matched(c, SYM_HOW_DIR, dir);
    replicate(c, NULL, 0);
    return true;
}

static bool search_path(ctx *c)
{
    for (size_t i = 0; i < c->sp->n; i++) {
        const sym_element *el = &c->sp->el[i];
        switch (el->kind) {
        case SYM_EL_DIR:
            if (search_dir(c, el->stores[0].loc))
                return true;
            break;
        case SYM_EL_SRV:
            if (search_srv(c, el))
                return true;
            break;
        case SYM_EL_CACHE:
            if (search_local(c, el->stores[0].loc, el->stores[0].loc)) {
                matched(c, SYM_HOW_STORE, el->stores[0].loc);
                replicate(c, NULL, 0);
                return true;
            }
            if (c->n_caches < SYM_MAX_ELEMENTS)
                c->caches[c->n_caches++] = el->stores[0].loc;
            break;
        case SYM_EL_COUNT:
            break;
        }
    }
    return false;
}

/* ---- entry point ---------------------------------------------------------- */

/* --pdb: exactly the checks `etwmap info` always made. */
static ew_status find_given(const sym_options *o, const pe_codeview *cv,
                            sym_found *out, ew_diag *d)
{
    out->how = SYM_HOW_GIVEN;
    snprintf(out->path, sizeof out->path, "%s", o->pdb_path);
    snprintf(out->source, sizeof out->source, "%s", o->pdb_path);
    ew_diag_init(d, out->path);
    ew_status s = ew_file_map(&out->file, out->path, d);
    if (s == EW_OK) {
        s = pdb_open(&out->pdb, out->file.data, out->file.size, out->path,
                     o->pdb_flags, d);
        if (s != EW_OK)
            ew_file_unmap(&out->file);
    }
    if (s != EW_OK) {
        out->state = SYM_UNREADABLE;
        ew_diag_format(d, out->note, sizeof out->note);
        return s;
    }
    out->open = true;
    if (!cv || !cv->present) {
        /* nothing to match against: the user's choice stands */
        out->state = SYM_FORCED;
        snprintf(out->note, sizeof out->note,
                 "image has no RSDS record to match");
        return EW_OK;
    }
    ew_diag md;
    ew_diag_init(&md, out->path);
    if (pdb_match(&out->pdb, cv->guid, cv->age, &md) == EW_OK) {
        out->state = SYM_MATCHED;
        return EW_OK;
    }
    ew_diag_format(&md, out->note, sizeof out->note);
    if (o->force) {
        out->state = SYM_FORCED;
        return EW_OK;
    }
    sym_found_close(out);
    out->state = SYM_MISMATCH;
    *d = md;
    return EW_E_MISMATCH;
}

ew_status sym_find_pdb(const sym_options *o, const char *image_path,
                       const pe_codeview *cv, sym_found *out, ew_diag *d)
{
    memset(out, 0, sizeof *out);
    if (o->pdb_path)
        return find_given(o, cv, out, d);
    if (!cv || !cv->present) {
        out->state = SYM_NONE;
        if (cv && cv->nb10)
            snprintf(out->note, sizeof out->note,
                     "NB10 CodeView record (a pre-2002 PDB): not looked up");
        return EW_OK;
    }

    ctx *c = calloc(1, sizeof *c);
    if (!c)
        return ew_fail(d, EW_E_NOMEM, "symbol look-up", -1, NULL);
    c->o = o;
    c->cv = cv;
    c->out = out;
    out->state = SYM_NOT_FOUND;
    if (!sym_pdb_file_name(cv->pdb_path, c->name, sizeof c->name) ||
        !sym_compressed_name(c->name, c->cname, sizeof c->cname)) {
        char e[300];
        escape(cv->pdb_path ? cv->pdb_path : "", e, sizeof e);
        note(c, true, "unsafe or unusable PDB name in the image's RSDS "
                      "record: \"%s\"",
             e);
        free(c);
        return EW_OK;
    }
    sym_key(cv->guid, cv->age, c->key);
    snprintf(out->key, sizeof out->key, "%s/%s/%s", c->name, c->key, c->name);

    /* beside the image */
    sym_state beside = SYM_NOT_FOUND;
    char beside_path[4096], why[600];
    if (sym_pdb_beside_image(image_path, cv->pdb_path, beside_path,
                             sizeof beside_path)) {
        vres v = verify(c, beside_path, beside_path, why, sizeof why);
        if (v == V_MATCH) {
            matched(c, SYM_HOW_BESIDE, beside_path);
            free(c);
            return EW_OK;
        }
        beside = v == V_MISMATCH ? SYM_MISMATCH : SYM_UNREADABLE;
        note(c, true, "%s", why);
    } else {
        note(c, false, "not beside the image");
    }

    /* the symbol path */
    sym_path sp;
    ew_status s = parse_path(o, &sp, d);
    if (s != EW_OK) {
        free(c);
        return s;
    }
    c->sp = &sp;
    sym_http_config_default(&c->http);
    bool found = search_path(c);
    sym_path_free(&sp);
    free(c);
    if (found) {
        if (!out->problem)
            out->note[0] = 0; /* where it was not is no news */
        return EW_OK;
    }

    if (beside != SYM_NOT_FOUND) {
        out->state = beside;
        snprintf(out->path, sizeof out->path, "%s", beside_path);
        out->how = SYM_HOW_BESIDE;
        snprintf(out->source, sizeof out->source, "%s", beside_path);
        if (beside == SYM_MISMATCH && o->force) {
            /* reopen the mismatched one: the user insists */
            ew_diag od;
            ew_diag_init(&od, out->path);
            if (ew_file_map(&out->file, out->path, &od) == EW_OK) {
                if (pdb_open(&out->pdb, out->file.data, out->file.size,
                             out->path, o->pdb_flags, &od) == EW_OK) {
                    out->open = true;
                    out->state = SYM_FORCED;
                } else {
                    ew_file_unmap(&out->file);
                }
            }
        }
    }
    return EW_OK;
}

void sym_found_close(sym_found *out)
{
    if (out->open) {
        pdb_close(&out->pdb);
        ew_file_unmap(&out->file);
    }
    out->open = false;
}
