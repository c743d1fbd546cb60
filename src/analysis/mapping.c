/*
 * mapping.c - entries, breadth-first search and rows of the API -> ETW
 * event map (mapping.h).
 *
 * Service tables (ntoskrnl's KiServiceTable, win32k's W32pServiceTable):
 *
 *   offset  size  meaning
 *   4*k     4     entry k: signed ((routine rva - table rva) << 4) | args
 *
 * args (low 4 bits) is the routine's stack argument count; the routine is
 * at table rva + floor(entry / 16). The table size is the u32 at the
 * *ServiceLimit symbol. Both symbols come from the PDB (they are not
 * exported on x64).
 */
#include "analysis/mapping.h"

#include "base/ew_rd.h"

#include <stdlib.h>
#include <string.h>

static const char *const DEFAULT_IGNORE[] = {
#define MP_IGNORE(p) p,
#include "../../data/map_ignore.inc"
#undef MP_IGNORE
};

const char *const *mp_default_ignore(size_t *count)
{
    *count = sizeof DEFAULT_IGNORE / sizeof DEFAULT_IGNORE[0];
    return DEFAULT_IGNORE;
}

const char *mp_entry_kind_name(mp_entry_kind k)
{
    switch (k) {
    case MP_ENTRY_EXPORT: return "export";
    case MP_ENTRY_SYSCALL: return "syscall";
    case MP_ENTRY_NAMED: return "named";
    case MP_ENTRY_FUNCTION: return "function";
    default: return "?";
    }
}

bool mp_pattern_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            resume = s;
        } else if (*p == *s) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* ---- context ------------------------------------------------------------- */

/* Per-function flags, computed once. */
#define MPF_STOP 0x1u    /* exported, or an entry: not entered by default */
#define MPF_IGNORED 0x2u /* matches an ignore pattern */
#define MPF_SINK 0x4u    /* an ETW API itself */

#define NO_FN UINT32_MAX

/* A row with its sort keys, for ordering one entry's rows. */
typedef struct sort_row {
    uint32_t depth, site_rva, site, path;
    mp_row row;
} sort_row;

/* A function's name and index, for the name index. */
typedef struct name_ix {
    const char *name;
    uint32_t fn;
} name_ix;

typedef struct mp_ctx {
    mp_map *m;
    const engine *e;
    const st_sites *s;
    const mp_options *o;
    unsigned max_depth;
    size_t n;              /* functions */
    name_ix *by_name;      /* functions sorted by name, index */
    uint8_t *flags;        /* MPF_* per function */
    uint32_t *sys_num;     /* per function: service number, or NO_FN */
    uint8_t *sys_args;     /* per function: stack argument count */
    uint32_t *entry_of;    /* per function: its entry, or NO_FN */
    uint32_t *site_first;  /* n + 1: write sites of f are */
    uint32_t *site_ids;    /*   site_ids[site_first[f] .. site_first[f+1]) */
    size_t cap_entries, cap_rows, cap_path;

    /* search scratch, reused for every entry (generation stamps) */
    uint32_t gen;
    uint32_t *seen, *expanded; /* == gen: reached / callees followed */
    uint16_t *dist;        /* functions on the path, f included */
    uint32_t *parent;      /* first caller that reached f */
    uint32_t *npaths;      /* shortest paths to f (saturating) */
    uint32_t *lastpred;    /* last caller counted into npaths[f] */
    uint32_t *queue;
    const char *crumb;     /* the entry's crumb (crumb_len bytes of its
                              name), or NULL */
    size_t crumb_len;
    uint32_t path[MP_MAX_DEPTH];
    size_t n_row_paths;    /* paths listed for the current site function */
    sort_row *sorted;      /* scratch for one entry's rows */
    size_t cap_sorted;
} mp_ctx;

static const char *fn_name(const mp_ctx *c, uint32_t f)
{
    const char *s = c->e->fns.functions[f].name;
    return s ? s : "";
}

/* Grows *p (elements of size bytes, *cap of them) to hold need. */
static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / size)
        return false;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* ---- function names -------------------------------------------------------- */

static int cmp_by_name(const void *a, const void *b)
{
    const name_ix *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : (x->fn > y->fn) - (x->fn < y->fn);
}

/* The first position in by_name holding name, or n when none. */
static size_t find_name(const mp_ctx *c, const char *name)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->by_name[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && strcmp(c->by_name[lo].name, name) == 0
               ? lo
               : c->n;
}

/* ---- entries --------------------------------------------------------------- */

static ew_status add_entry(mp_ctx *c, uint32_t f, mp_entry_kind kind,
                           ew_diag *d)
{
    mp_map *m = c->m;
    if (c->entry_of[f] != NO_FN)
        return EW_OK;
    if (!grow((void **)&m->entries, &c->cap_entries, m->n_entries + 1,
              sizeof *m->entries))
        return ew_fail(d, EW_E_NOMEM, "map entries", -1, "out of memory");
    mp_entry *x = &m->entries[m->n_entries];
    memset(x, 0, sizeof *x);
    x->fn = f;
    x->name = fn_name(c, f);
    x->rva = c->e->fns.functions[f].rva;
    x->kind = kind;
    if (c->sys_num[f] != NO_FN) {
        x->has_syscall = true;
        x->syscall = c->sys_num[f];
        x->stack_args = c->sys_args[f];
    }
    c->entry_of[f] = (uint32_t)m->n_entries++;
    return EW_OK;
}

static const pdb_symbol *pdb_symbol_rva(const pdb_file *pdb, const char *name)
{
    const pdb_symbol *s = pdb_find_public(pdb, name);
    if (!s || !s->has_rva)
        s = pdb_find_global(pdb, name);
    return s && s->has_rva ? s : NULL;
}

/* floor(v / 16) for the signed table entry (C's >> of a negative value is
 * implementation-defined). */
static int64_t entry_offset(int32_t v)
{
    return v >= 0 ? (int64_t)(v / 16) : -((-(int64_t)v + 15) / 16);
}

/* Decodes one service table named by the PDB into c->sys_num/sys_args;
 * *found tells whether the image has it. */
static void decode_table(mp_ctx *c, const char *table, const char *limit,
                         uint32_t base, bool *found)
{
    const engine *e = c->e;
    const pe_image *img = e->img;
    *found = false;
    if (!e->pdb)
        return;
    const pdb_symbol *ts = pdb_symbol_rva(e->pdb, table);
    const pdb_symbol *ls = pdb_symbol_rva(e->pdb, limit);
    size_t off;
    if (!ts || !ls || pe_rva_to_off(img, ls->rva, 4, &off) != EW_OK)
        return;
    ew_rd r;
    uint32_t count;
    ew_rd_init(&r, img->data + off, 4, off, limit, NULL);
    if (ew_rd_u32(&r, &count) != EW_OK)
        return;
    *found = true;
    if (count > MP_MAX_SYSCALLS) {
        c->m->n_bad_syscalls += count - MP_MAX_SYSCALLS;
        count = MP_MAX_SYSCALLS;
    }
    for (uint32_t k = 0; k < count; k++) {
        uint64_t at = (uint64_t)ts->rva + 4u * (uint64_t)k;
        int32_t v;
        uint32_t u;
        if (at > UINT32_MAX ||
            pe_rva_to_off(img, (uint32_t)at, 4, &off) != EW_OK) {
            c->m->n_bad_syscalls++;
            continue;
        }
        ew_rd_init(&r, img->data + off, 4, off, table, NULL);
        if (ew_rd_u32(&r, &u) != EW_OK) {
            c->m->n_bad_syscalls++;
            continue;
        }
        v = (int32_t)u;
        int64_t target = (int64_t)ts->rva + entry_offset(v);
        long fi = target >= 0 && target <= UINT32_MAX
                      ? eng_function_index(e, (uint32_t)target)
                      : -1;
        if (fi < 0) {
            c->m->n_bad_syscalls++;
            continue;
        }
        if (c->sys_num[fi] == NO_FN) {
            c->sys_num[fi] = base + k;
            c->sys_args[fi] = (uint8_t)(u & 0xFu);
        }
        c->m->n_syscalls++;
    }
}

/* The function at a code export, or -1. */
static long export_function(const mp_ctx *c, const pe_export *x)
{
    if (!x->rva || x->forwarder)
        return -1;
    return eng_function_index(c->e, x->rva);
}

static ew_status kernel_entries(mp_ctx *c, ew_diag *d)
{
    const pe_image *img = c->e->img;
    /* the system calls (sorted by name later, like every entry) */
    uint32_t *order = NULL;
    size_t n_sys = 0;
    for (size_t f = 0; f < c->n; f++)
        n_sys += c->sys_num[f] != NO_FN;
    if (n_sys) {
        order = malloc(n_sys * sizeof *order);
        if (!order)
            return ew_fail(d, EW_E_NOMEM, "map entries", -1, "out of memory");
        size_t k = 0;
        for (size_t f = 0; f < c->n; f++)
            if (c->sys_num[f] != NO_FN)
                order[k++] = (uint32_t)f;
        for (size_t i = 0; i < n_sys; i++) {
            ew_status st = add_entry(c, order[i], MP_ENTRY_SYSCALL, d);
            if (st != EW_OK) {
                free(order);
                return st;
            }
        }
        free(order);
    }
    /* Nt* exports, and the Nt* function each Zw* export stands for */
    char buf[512];
    for (size_t i = 0; i < img->n_exports; i++) {
        const pe_export *x = &img->exports[i];
        if (!x->name || x->name[0] == '\0' || x->name[1] == '\0')
            continue;
        if (x->name[0] == 'N' && x->name[1] == 't') {
            long f = export_function(c, x);
            if (f >= 0)
                EW_TRY(add_entry(c, (uint32_t)f, MP_ENTRY_EXPORT, d));
        } else if (x->name[0] == 'Z' && x->name[1] == 'w') {
            size_t len = strlen(x->name);
            if (len >= sizeof buf)
                continue;
            memcpy(buf, x->name, len + 1);
            buf[0] = 'N';
            buf[1] = 't';
            size_t at = find_name(c, buf);
            if (at == c->n) {
                c->m->n_zw_unmatched++;
                continue;
            }
            EW_TRY(add_entry(c, c->by_name[at].fn, MP_ENTRY_EXPORT, d));
        }
    }
    return EW_OK;
}

static ew_status named_entries(mp_ctx *c, ew_diag *d)
{
    const mp_options *o = c->o;
    for (size_t i = 0; i < o->n_specs; i++) {
        const mp_entry_spec *sp = &o->specs[i];
        if (!sp->name) {
            const fn_function *f = fn_find(&c->e->fns, sp->rva);
            if (!f)
                f = fn_containing(&c->e->fns, sp->rva);
            if (!f)
                return ew_fail(d, EW_E_NOT_FOUND, "entry", -1,
                               "no function starts at or holds rva 0x%x",
                               (unsigned)sp->rva);
            EW_TRY(add_entry(c, (uint32_t)(f - c->e->fns.functions),
                             MP_ENTRY_NAMED, d));
            continue;
        }
        size_t at = find_name(c, sp->name);
        if (at < c->n) {
            for (; at < c->n && strcmp(c->by_name[at].name, sp->name) == 0;
                 at++)
                EW_TRY(add_entry(c, c->by_name[at].fn, MP_ENTRY_NAMED, d));
            continue;
        }
        const pe_export *x = pe_find_export(c->e->img, sp->name);
        long f = x ? export_function(c, x) : -1;
        if (f < 0)
            return ew_fail(d, EW_E_NOT_FOUND, "entry", -1,
                           "no function named '%.100s' (names are exact, "
                           "from the PDB and the exports; give an rva as "
                           "0x...)",
                           sp->name);
        EW_TRY(add_entry(c, (uint32_t)f, MP_ENTRY_NAMED, d));
    }
    return EW_OK;
}

static int cmp_entry(const void *a, const void *b)
{
    const mp_entry *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : (x->rva > y->rva) - (x->rva < y->rva);
}

static ew_status choose_entries(mp_ctx *c, ew_diag *d)
{
    const engine *e = c->e;
    const pe_image *img = e->img;
    mp_map *m = c->m;
    decode_table(c, "KiServiceTable", "KiServiceLimit", 0,
                 &m->has_service_table);
    decode_table(c, "W32pServiceTable", "W32pServiceLimit",
                 MP_W32K_SYSCALL_BASE, &m->has_w32k_table);
    m->kernel = m->has_service_table || m->has_w32k_table ||
                (img->subsystem == 1 /* native */ &&
                 pe_find_export(img, "NtQuerySystemInformation"));
    switch (c->o->select) {
    case MP_SELECT_NAMED:
        EW_TRY(named_entries(c, d));
        break;
    case MP_SELECT_ALL_FUNCTIONS:
        for (size_t f = 0; f < c->n; f++)
            if (!e->fns.functions[f].thunk)
                EW_TRY(add_entry(c, (uint32_t)f, MP_ENTRY_FUNCTION, d));
        break;
    case MP_SELECT_DEFAULT:
    default:
        if (m->kernel) {
            EW_TRY(kernel_entries(c, d));
        } else {
            for (size_t i = 0; i < img->n_exports; i++) {
                long f = export_function(c, &img->exports[i]);
                if (f >= 0)
                    EW_TRY(add_entry(c, (uint32_t)f, MP_ENTRY_EXPORT, d));
            }
        }
        break;
    }
    if (m->n_entries)
        qsort(m->entries, m->n_entries, sizeof *m->entries, cmp_entry);
    for (size_t i = 0; i < m->n_entries; i++)
        c->entry_of[m->entries[i].fn] = (uint32_t)i;
    return EW_OK;
}

/* ---- per-function facts ------------------------------------------------------ */

static ew_status mark_functions(mp_ctx *c, ew_diag *d)
{
    const engine *e = c->e;
    const pe_image *img = e->img;
    const mp_options *o = c->o;
    for (size_t i = 0; i < img->n_exports; i++) {
        long f = export_function(c, &img->exports[i]);
        if (f >= 0)
            c->flags[f] |= MPF_STOP;
    }
    for (size_t i = 0; i < c->m->n_entries; i++)
        c->flags[c->m->entries[i].fn] |= MPF_STOP;
    size_t n_def = 0;
    const char *const *def = o->no_default_ignore
                                 ? NULL
                                 : mp_default_ignore(&n_def);
    for (size_t f = 0; f < c->n; f++) {
        if (e->fn_api[f])
            c->flags[f] |= MPF_SINK;
        const char *name = fn_name(c, (uint32_t)f);
        bool ign = false;
        for (size_t k = 0; k < n_def && !ign; k++)
            ign = mp_pattern_match(def[k], name);
        for (size_t k = 0; k < o->n_ignore && !ign; k++)
            ign = mp_pattern_match(o->ignore[k], name);
        if (ign) {
            c->flags[f] |= MPF_IGNORED;
            c->m->n_ignored++;
        }
    }
    /* write sites per function (counting sort: sites are in function
     * order already, this only skips the other actions) */
    const st_sites *s = c->s;
    for (size_t i = 0; i < s->n; i++)
        if (s->sites[i].action == ST_WRITE && s->sites[i].fn < c->n)
            c->site_first[s->sites[i].fn + 1]++;
    for (size_t f = 0; f < c->n; f++)
        c->site_first[f + 1] += c->site_first[f];
    size_t n_w = c->site_first[c->n];
    c->site_ids = malloc((n_w ? n_w : 1) * sizeof *c->site_ids);
    uint32_t *fill = calloc(c->n ? c->n : 1, sizeof *fill);
    if (!c->site_ids || !fill) {
        free(fill);
        return ew_fail(d, EW_E_NOMEM, "map", -1, "out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        const st_site *x = &s->sites[i];
        if (x->action == ST_WRITE && x->fn < c->n)
            c->site_ids[c->site_first[x->fn] + fill[x->fn]++] = (uint32_t)i;
    }
    free(fill);
    return EW_OK;
}

/* ---- search ------------------------------------------------------------------ */

/* Is f an entry point or export the search must not enter from this
 * entry? */
static bool is_stop(const mp_ctx *c, uint32_t f)
{
    if (!(c->flags[f] & MPF_STOP))
        return false;
    if (!c->crumb)
        return true;
    const char *name = fn_name(c, f);
    for (size_t len = strlen(name); len >= c->crumb_len; name++, len--)
        if (memcmp(name, c->crumb, c->crumb_len) == 0)
            return false;
    return true;
}

static ew_status push_path(mp_ctx *c, unsigned len, ew_diag *d)
{
    mp_map *m = c->m;
    if (!grow((void **)&m->path_fns, &c->cap_path, m->n_path_fns + len,
              sizeof *m->path_fns))
        return ew_fail(d, EW_E_NOMEM, "map paths", -1, "out of memory");
    memcpy(m->path_fns + m->n_path_fns, c->path, len * sizeof *c->path);
    m->n_path_fns += len;
    return EW_OK;
}

/* Rows for every write site of function u, reached by the path in
 * c->path[0..len). */
static ew_status emit_path(mp_ctx *c, uint32_t entry, uint32_t u,
                           unsigned len, ew_diag *d)
{
    mp_map *m = c->m;
    size_t first = c->site_first[u], last = c->site_first[u + 1];
    if (m->n_rows + (last - first) > MP_MAX_ROWS) {
        m->rows_capped = true;
        return EW_OK;
    }
    uint32_t at = (uint32_t)m->n_path_fns;
    EW_TRY(push_path(c, len, d));
    unsigned xd = 0;
    for (unsigned i = 1; i < len; i++)
        xd += is_stop(c, c->path[i]);
    if (!grow((void **)&m->rows, &c->cap_rows, m->n_rows + (last - first),
              sizeof *m->rows))
        return ew_fail(d, EW_E_NOMEM, "map rows", -1, "out of memory");
    for (size_t k = first; k < last; k++) {
        mp_row *r = &m->rows[m->n_rows++];
        r->entry = entry;
        r->site = c->site_ids[k];
        r->depth = (uint16_t)len;
        r->export_depth = (uint16_t)xd;
        r->n_paths = c->npaths[u];
        r->path = at;
    }
    return EW_OK;
}

/* Every shortest path to v: c->path[pos] = v, callers below. */
static ew_status all_paths(mp_ctx *c, uint32_t entry, uint32_t u, uint32_t v,
                           unsigned pos, ew_diag *d)
{
    c->path[pos] = v;
    if (pos == 0) {
        if (c->n_row_paths >= MP_MAX_PATHS_PER_ROW) {
            c->m->paths_capped = true;
            return EW_OK;
        }
        c->n_row_paths++;
        return emit_path(c, entry, u, c->dist[u], d);
    }
    const cg_graph *g = &c->e->cg;
    uint32_t prev = NO_FN;
    for (uint32_t k = g->rfirst[v]; k < g->rfirst[v + 1]; k++) {
        uint32_t p = g->redges[k].fn;
        if (p == prev)
            continue;
        prev = p;
        if (c->seen[p] != c->gen || c->expanded[p] != c->gen ||
            c->dist[p] != pos)
            continue;
        if (c->n_row_paths >= MP_MAX_PATHS_PER_ROW) {
            c->m->paths_capped = true;
            break;
        }
        EW_TRY(all_paths(c, entry, u, p, pos - 1, d));
    }
    return EW_OK;
}

static ew_status emit_function(mp_ctx *c, uint32_t entry, uint32_t u,
                               ew_diag *d)
{
    unsigned len = c->dist[u];
    if (c->o->all_paths) {
        c->n_row_paths = 0;
        return all_paths(c, entry, u, u, len - 1, d);
    }
    uint32_t v = u;
    for (unsigned i = len; i-- > 0;) {
        c->path[i] = v;
        v = c->parent[v];
    }
    return emit_path(c, entry, u, len, d);
}

static int cmp_sort_row(const void *a, const void *b)
{
    const sort_row *x = a, *y = b;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    if (x->site_rva != y->site_rva)
        return x->site_rva < y->site_rva ? -1 : 1;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return (x->path > y->path) - (x->path < y->path);
}

static ew_status sort_rows(mp_ctx *c, size_t from, ew_diag *d)
{
    mp_map *m = c->m;
    size_t n = m->n_rows - from;
    if (n < 2)
        return EW_OK;
    if (!grow((void **)&c->sorted, &c->cap_sorted, n, sizeof *c->sorted))
        return ew_fail(d, EW_E_NOMEM, "map rows", -1, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const mp_row *r = &m->rows[from + i];
        c->sorted[i] = (sort_row){r->depth, c->s->sites[r->site].site_rva,
                                  r->site, r->path, *r};
    }
    qsort(c->sorted, n, sizeof *c->sorted, cmp_sort_row);
    for (size_t i = 0; i < n; i++)
        m->rows[from + i] = c->sorted[i].row;
    return EW_OK;
}

static ew_status search(mp_ctx *c, uint32_t entry, ew_diag *d)
{
    const cg_graph *g = &c->e->cg;
    const mp_options *o = c->o;
    uint32_t root = c->m->entries[entry].fn;
    if (++c->gen == 0) { /* wrapped: forget every stamp */
        memset(c->seen, 0, c->n * sizeof *c->seen);
        memset(c->expanded, 0, c->n * sizeof *c->expanded);
        c->gen = 1;
    }
    const char *name = fn_name(c, root);
    size_t len = strlen(name);
    c->crumb = NULL;
    if (len >= 10) { /* the reference: name.substring(2, len - 5) */
        c->crumb = name + 2;
        c->crumb_len = len - 7;
    }

    unsigned limit = c->max_depth;
    size_t head = 0, tail = 0, from = c->m->n_rows;
    c->seen[root] = c->gen;
    c->dist[root] = 1;
    c->parent[root] = NO_FN;
    c->npaths[root] = 1;
    c->lastpred[root] = NO_FN;
    c->queue[tail++] = root;
    while (head < tail) {
        uint32_t u = c->queue[head++];
        unsigned du = c->dist[u];
        if (du > limit)
            break;
        if (u != root && is_stop(c, u) && !o->through_exports)
            continue;
        if (c->site_first[u] != c->site_first[u + 1]) {
            EW_TRY(emit_function(c, entry, u, d));
            if (!o->all_depths && du + 1 < limit)
                limit = du + 1;
        }
        if (du >= limit)
            continue;
        c->expanded[u] = c->gen;
        for (uint32_t k = g->first[u]; k < g->first[u + 1]; k++) {
            uint32_t v = g->edges[k].fn;
            if (v >= c->n || (c->flags[v] & (MPF_IGNORED | MPF_SINK)))
                continue;
            if (c->seen[v] != c->gen) {
                c->seen[v] = c->gen;
                c->dist[v] = (uint16_t)(du + 1);
                c->parent[v] = u;
                c->npaths[v] = c->npaths[u];
                c->lastpred[v] = u;
                c->queue[tail++] = v;
            } else if (c->dist[v] == du + 1 && c->lastpred[v] != u) {
                uint32_t s = c->npaths[v] + c->npaths[u];
                c->npaths[v] = s < c->npaths[v] ? UINT32_MAX : s;
                c->lastpred[v] = u;
            }
        }
    }
    return sort_rows(c, from, d);
}

/* ---- driver ---------------------------------------------------------------- */

static void ctx_free(mp_ctx *c)
{
    free(c->by_name);
    free(c->flags);
    free(c->sys_num);
    free(c->sys_args);
    free(c->entry_of);
    free(c->site_first);
    free(c->site_ids);
    free(c->seen);
    free(c->expanded);
    free(c->dist);
    free(c->parent);
    free(c->npaths);
    free(c->lastpred);
    free(c->queue);
    free(c->sorted);
}

ew_status mp_build(mp_map *m, const engine *e, const st_sites *s,
                   const mp_options *o, ew_diag *d)
{
    memset(m, 0, sizeof *m);
    if (o->max_depth > MP_MAX_DEPTH)
        return ew_fail(d, EW_E_USAGE, "map", -1,
                       "maximum depth %u is above %u", o->max_depth,
                       MP_MAX_DEPTH);
    mp_ctx c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.e = e;
    c.s = s;
    c.o = o;
    c.max_depth = o->max_depth ? o->max_depth : MP_DEFAULT_MAX_DEPTH;
    c.n = e->fns.n_functions;
    size_t n1 = c.n ? c.n : 1;
    c.by_name = malloc(n1 * sizeof *c.by_name);
    c.flags = calloc(n1, sizeof *c.flags);
    c.sys_num = malloc(n1 * sizeof *c.sys_num);
    c.sys_args = calloc(n1, sizeof *c.sys_args);
    c.entry_of = malloc(n1 * sizeof *c.entry_of);
    c.site_first = calloc(c.n + 1, sizeof *c.site_first);
    c.seen = calloc(n1, sizeof *c.seen);
    c.expanded = calloc(n1, sizeof *c.expanded);
    c.dist = calloc(n1, sizeof *c.dist);
    c.parent = malloc(n1 * sizeof *c.parent);
    c.npaths = malloc(n1 * sizeof *c.npaths);
    c.lastpred = malloc(n1 * sizeof *c.lastpred);
    c.queue = malloc(n1 * sizeof *c.queue);
    ew_status st = EW_OK;
    if (!c.by_name || !c.flags || !c.sys_num || !c.sys_args || !c.entry_of ||
        !c.site_first || !c.seen || !c.expanded || !c.dist || !c.parent ||
        !c.npaths || !c.lastpred || !c.queue) {
        st = ew_fail(d, EW_E_NOMEM, "map", -1, "out of memory");
        goto out;
    }
    for (size_t f = 0; f < c.n; f++) {
        c.by_name[f] = (name_ix){fn_name(&c, (uint32_t)f), (uint32_t)f};
        c.sys_num[f] = NO_FN;
        c.entry_of[f] = NO_FN;
    }
    qsort(c.by_name, c.n, sizeof *c.by_name, cmp_by_name);

    st = choose_entries(&c, d);
    if (st == EW_OK)
        st = mark_functions(&c, d);
    for (size_t i = 0; st == EW_OK && i < m->n_entries; i++)
        st = search(&c, (uint32_t)i, d);
out:
    ctx_free(&c);
    return st;
}

void mp_free(mp_map *m)
{
    free(m->entries);
    free(m->rows);
    free(m->path_fns);
    memset(m, 0, sizeof *m);
}
