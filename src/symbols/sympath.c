/*
 * sympath.c - parsing the symbol path (sympath.h).
 */
#include "sympath.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sym_env_from_environ(sym_env *e)
{
    e->home = getenv("HOME");
    e->xdg_cache_home = getenv("XDG_CACHE_HOME");
    e->server = getenv("ETWMAP_SYMBOL_SERVER");
}

bool sym_default_cache(const sym_env *e, char *out, size_t size)
{
    const char *base, *sub;
    if (e->xdg_cache_home && e->xdg_cache_home[0] == '/') {
        base = e->xdg_cache_home;
        sub = "etwmap/symbols";
    } else if (e->home && e->home[0]) {
        base = e->home;
        sub = ".cache/etwmap/symbols";
    } else {
        return false;
    }
    size_t len = strlen(base);
    while (len > 1 && base[len - 1] == '/')
        len--;
    int n = snprintf(out, size, "%.*s/%s", (int)len, base, sub);
    return n > 0 && (size_t)n < size;
}

bool sym_is_http_url(const char *text)
{
    return strncasecmp(text, "http://", 7) == 0 ||
           strncasecmp(text, "https://", 8) == 0;
}

/* ---- parser ------------------------------------------------------------ */

typedef struct parser {
    sym_path *p;
    const sym_env *env;
    ew_diag *d;
    size_t idx;        /* 1-based element number, for messages */
    const char *text;  /* the element, for messages */
    size_t text_len;
    ew_vec els;
} parser;

static ew_status bad(parser *ps, const char *why)
{
    char what[32];
    snprintf(what, sizeof what, "element %zu", ps->idx);
    int n = ps->text_len > 120 ? 120 : (int)ps->text_len;
    return ew_fail(ps->d, EW_E_USAGE, what, -1, "\"%.*s\": %s", n, ps->text,
                   why);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* [s, s+n) without blanks around it */
static void trim(const char **s, size_t *n)
{
    while (*n && is_blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_blank((*s)[*n - 1]))
        (*n)--;
}

/* "xxx://" anywhere in [s, s+n) */
static bool has_scheme(const char *s, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return true;
    return false;
}

static bool prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

/* A location (local directory or URL) from the field [s, s+n): ~ expanded,
 * trailing slashes dropped. An empty field is the default cache. */
static ew_status make_store(parser *ps, const char *s, size_t n, bool allow_http,
                            sym_store *out)
{
    trim(&s, &n);
    memset(out, 0, sizeof *out);
    if (n == 0) {
        if (!ps->p->default_cache)
            return bad(ps, "the default cache needs $HOME or $XDG_CACHE_HOME");
        out->loc = ps->p->default_cache;
        return EW_OK;
    }
    char *loc;
    if (prefix_ci(s, n, "http://") || prefix_ci(s, n, "https://")) {
        if (!allow_http)
            return bad(ps, "a symbol server URL belongs in a srv* element "
                           "(srv*CACHE*URL)");
        loc = ew_arena_strndup(&ps->p->arena, s, n);
        out->http = true;
    } else {
        if (has_scheme(s, n))
            return bad(ps, "only http:// and https:// symbol servers are "
                           "supported");
        if ((n >= 2 && isalpha((unsigned char)s[0]) && s[1] == ':') ||
            (n >= 2 && s[0] == '\\' && s[1] == '\\'))
            return bad(ps, "a Windows path; give a directory of this system");
        if (s[0] == '~' && (n == 1 || s[1] == '/')) {
            if (!ps->env->home || !ps->env->home[0])
                return bad(ps, "'~' needs $HOME");
            size_t h = strlen(ps->env->home);
            loc = ew_arena_alloc(&ps->p->arena, h + n);
            if (loc) {
                memcpy(loc, ps->env->home, h);
                memcpy(loc + h, s + 1, n - 1);
                loc[h + n - 1] = 0;
            }
        } else {
            loc = ew_arena_strndup(&ps->p->arena, s, n);
        }
    }
    if (!loc)
        return ew_fail(ps->d, EW_E_NOMEM, "symbol path", -1, NULL);
    size_t len = strlen(loc);
    size_t keep = out->http ? strcspn(loc, ":") + 3 : 1; /* "https://", "/" */
    while (len > keep && loc[len - 1] == '/')
        loc[--len] = 0;
    out->loc = loc;
    return EW_OK;
}

static sym_element *new_element(parser *ps, sym_el_kind kind)
{
    if (ps->els.n >= SYM_MAX_ELEMENTS) {
        ew_fail(ps->d, EW_E_LIMIT, "symbol path", -1, "more than %d elements",
                SYM_MAX_ELEMENTS);
        return NULL;
    }
    sym_element *el = ew_vec_push(&ps->els, &ps->p->arena);
    if (!el) {
        ew_fail(ps->d, EW_E_NOMEM, "symbol path", -1, NULL);
        return NULL;
    }
    el->kind = kind;
    return el;
}

static bool same_store(const sym_store *a, const sym_store *b)
{
    return a->http == b->http && strcmp(a->loc, b->loc) == 0;
}

/* Adds a store to a chain unless it is already there. */
static ew_status chain_add(parser *ps, sym_element *el, const sym_store *st)
{
    for (size_t i = 0; i < el->n_stores; i++)
        if (same_store(&el->stores[i], st))
            return EW_OK;
    if (el->n_stores >= SYM_MAX_CHAIN) {
        char what[32];
        snprintf(what, sizeof what, "element %zu", ps->idx);
        return ew_fail(ps->d, EW_E_LIMIT, what, -1, "more than %d stores",
                       SYM_MAX_CHAIN);
    }
    el->stores[el->n_stores++] = *st;
    return EW_OK;
}

/* srv*...: rest is what follows "srv*" (or "symsrv*DLL*"). */
static ew_status parse_srv(parser *ps, const char *rest, size_t n)
{
    sym_element *el = new_element(ps, SYM_EL_SRV);
    if (!el)
        return ps->d->status;
    sym_store st;
    const char *r = rest;
    size_t rn = n;
    trim(&r, &rn);
    if (rn == 0) {
        /* srv*: default cache + default server */
        EW_TRY(make_store(ps, "", 0, false, &st));
        EW_TRY(chain_add(ps, el, &st));
        const char *srv = ps->env->server && ps->env->server[0]
                              ? ps->env->server
                              : SYM_MICROSOFT_SERVER;
        if (!sym_is_http_url(srv))
            return bad(ps, "$ETWMAP_SYMBOL_SERVER must be an http:// or "
                           "https:// URL");
        EW_TRY(make_store(ps, srv, strlen(srv), true, &st));
        return chain_add(ps, el, &st);
    }
    size_t n_fields = 1;
    for (size_t i = 0; i < n; i++)
        n_fields += rest[i] == '*';
    size_t field = 0;
    const char *f = rest;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && rest[i] != '*')
            continue;
        field++;
        EW_TRY(make_store(ps, f, (size_t)(rest + i - f), true, &st));
        if (st.http && field != n_fields)
            return bad(ps, "a symbol server URL must be the last store of "
                           "its srv* chain (srv*CACHE*URL)");
        if (st.http && el->n_stores == 0) {
            /* srv*URL: keep what is downloaded in the default cache */
            sym_store def;
            EW_TRY(make_store(ps, "", 0, false, &def));
            EW_TRY(chain_add(ps, el, &def));
        }
        EW_TRY(chain_add(ps, el, &st));
        f = rest + i + 1;
    }
    return EW_OK;
}

static ew_status parse_element(parser *ps, const char *s, size_t n)
{
    sym_store st;
    if (prefix_ci(s, n, "srv*"))
        return parse_srv(ps, s + 4, n - 4);
    if (prefix_ci(s, n, "symsrv*")) {
        const char *dll = s + 7;
        const char *star = memchr(dll, '*', n - 7);
        if (!star)
            return bad(ps, "symsrv*DLL* must be followed by stores");
        return parse_srv(ps, star + 1, (size_t)(s + n - star - 1));
    }
    if (prefix_ci(s, n, "cache*")) {
        EW_TRY(make_store(ps, s + 6, n - 6, false, &st));
        sym_element *el = new_element(ps, SYM_EL_CACHE);
        if (!el)
            return ps->d->status;
        return chain_add(ps, el, &st);
    }
    if (memchr(s, '*', n))
        return bad(ps, "unknown element; expected srv*..., cache*... or a "
                       "directory");
    EW_TRY(make_store(ps, s, n, false, &st));
    sym_element *el = new_element(ps, SYM_EL_DIR);
    if (!el)
        return ps->d->status;
    return chain_add(ps, el, &st);
}

ew_status sym_path_parse(sym_path *p, const char *text, const sym_env *e,
                         ew_diag *d)
{
    memset(p, 0, sizeof *p);
    ew_arena_init(&p->arena, 0);
    char cache[4096];
    if (sym_default_cache(e, cache, sizeof cache))
        p->default_cache = ew_arena_strndup(&p->arena, cache, strlen(cache));
    parser ps = {.p = p, .env = e, .d = d};
    ew_vec_init(&ps.els, sizeof(sym_element));
    ew_status s = EW_OK;
    if (!text) {
        /* the default: the default cache, offline */
        ps.idx = 1;
        ps.text = "srv*(default cache)";
        ps.text_len = strlen(ps.text);
        sym_store st;
        if (p->default_cache) {
            s = make_store(&ps, "", 0, false, &st);
            sym_element *el = s == EW_OK ? new_element(&ps, SYM_EL_SRV) : NULL;
            s = el ? chain_add(&ps, el, &st) : d->status;
        }
    } else if (strlen(text) > SYM_MAX_PATH_TEXT) {
        s = ew_fail(d, EW_E_LIMIT, "symbol path", -1, "%zu bytes, limit %d",
                    strlen(text), SYM_MAX_PATH_TEXT);
    } else {
        const char *el = text;
        for (const char *c = text;; c++) {
            if (*c != ';' && *c != 0)
                continue;
            const char *t = el;
            size_t n = (size_t)(c - el);
            trim(&t, &n);
            if (n) {
                ps.idx++;
                ps.text = t;
                ps.text_len = n;
                s = parse_element(&ps, t, n);
                if (s != EW_OK)
                    break;
            } else {
                ps.idx++;
            }
            if (*c == 0)
                break;
            el = c + 1;
        }
    }
    if (s != EW_OK) {
        sym_path_free(p);
        return s;
    }
    p->el = ps.els.items;
    p->n = ps.els.n;
    return EW_OK;
}

void sym_path_free(sym_path *p)
{
    ew_arena_free(&p->arena);
    memset(p, 0, sizeof *p);
}

const char *sym_path_format(const sym_path *p, char *buf, size_t size)
{
    size_t pos = 0;
    if (size == 0)
        return buf;
    buf[0] = 0;
    for (size_t i = 0; i < p->n && pos < size; i++) {
        const sym_element *el = &p->el[i];
        int k = snprintf(buf + pos, size - pos, "%s%s", i ? ";" : "",
                         el->kind == SYM_EL_SRV     ? "srv*"
                         : el->kind == SYM_EL_CACHE ? "cache*"
                                                    : "");
        if (k < 0)
            break;
        pos += (size_t)k;
        for (size_t j = 0; j < el->n_stores && pos < size; j++) {
            k = snprintf(buf + pos, size - pos, "%s%s", j ? "*" : "",
                         el->stores[j].loc);
            if (k < 0)
                break;
            pos += (size_t)k;
        }
    }
    return buf;
}
