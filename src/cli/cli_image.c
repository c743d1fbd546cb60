#include "cli_image.h"

#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cli_open_image(const char *path, ew_file *file, pe_image *img)
{
    ew_diag d;
    ew_diag_init(&d, path);
    if (ew_file_map(file, path, &d) != EW_OK) {
        cli_report(&d);
        return EXIT_BAD_INPUT;
    }
    if (pe_open(img, file->data, file->size, path, &d) != EW_OK) {
        cli_report(&d);
        ew_file_unmap(file);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

void cli_close_image(ew_file *file, pe_image *img)
{
    pe_close(img);
    ew_file_unmap(file);
}

bool cli_pdb_option(cli_pdb_opts *o, int ch, const char *arg)
{
    switch (ch) {
    case 'p': o->pdb_path = arg; return true;
    case 'F': o->force_pdb = true; return true;
    case 'N': o->no_pdb = true; return true;
    case 's': o->symbol_path = arg; return true;
    case 'o': o->offline = true; return true;
    default: return false;
    }
}

int cli_pdb_opts_check(const char *cmd, const cli_pdb_opts *o, int n_files)
{
    if (o->pdb_path && n_files != 1) {
        cli_error("%s: --pdb applies to one FILE, %d given", cmd, n_files);
        return EXIT_BAD_INPUT;
    }
    if (o->pdb_path && o->no_pdb) {
        cli_error("%s: --pdb and --no-pdb contradict each other", cmd);
        return EXIT_BAD_INPUT;
    }
    if (!o->no_pdb && !o->pdb_path && n_files > 0) {
        sym_options so = cli_sym_options(o, 0);
        ew_diag d;
        ew_diag_init(&d, NULL);
        if (sym_options_check(&so, &d) != EW_OK) {
            cli_report(&d);
            return EXIT_BAD_INPUT;
        }
    }
    return EXIT_OK;
}

sym_options cli_sym_options(const cli_pdb_opts *o, unsigned pdb_flags)
{
    return (sym_options){
        .pdb_path = o->pdb_path,
        .symbol_path = o->symbol_path,
        .offline = o->offline,
        .force = o->force_pdb,
        .pdb_flags = pdb_flags,
    };
}

int cli_find_pdb(const cli_pdb_opts *o, unsigned pdb_flags,
                 const pe_image *img, sym_found *p)
{
    memset(p, 0, sizeof *p);
    if (o->no_pdb)
        return EXIT_OK;
    sym_options so = cli_sym_options(o, pdb_flags);
    ew_diag d;
    ew_diag_init(&d, img->path);
    ew_status s = sym_find_pdb(&so, img->path, &img->codeview, p, &d);
    if (s == EW_E_MISMATCH) {
        cli_error("%s (use --force-pdb to use it anyway)", p->note);
        return EXIT_BAD_INPUT;
    }
    if (s != EW_OK) {
        cli_report(&d);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

const pdb_file *cli_usable_pdb(const sym_found *p)
{
    return p->open && (p->state == SYM_MATCHED || p->state == SYM_FORCED)
               ? &p->pdb
               : NULL;
}

int cli_report_pdb(const sym_found *p, const char *path)
{
    if (p->state == SYM_MISMATCH || p->state == SYM_UNREADABLE) {
        cli_warn("%s: PDB ignored: %s", path, p->note);
        return EXIT_PROBLEMS;
    }
    if (p->problem && p->state != SYM_FORCED) {
        cli_warn("%s: PDB %s: %s", path,
                 p->state == SYM_MATCHED ? "found, but" : "not found", p->note);
        return EXIT_PROBLEMS;
    }
    return EXIT_OK;
}

int cli_open_module(const char *path, cli_module *m)
{
    memset(m, 0, sizeof *m);
    ew_arena_init(&m->arena, 0);
    if (cli_open_image(path, &m->file, &m->img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    ew_diag d;
    ew_diag_init(&d, path);
    if (cat_build(&m->cat, &m->img, NULL, &m->arena, &d) != EW_OK) {
        cli_report(&d);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

void cli_close_module(cli_module *m)
{
    ew_arena_free(&m->arena);
    cli_close_image(&m->file, &m->img);
    memset(m, 0, sizeof *m);
}

int cli_open_modules(const char *const *paths, size_t n, cli_modules *m)
{
    memset(m, 0, sizeof *m);
    size_t n1 = n ? n : 1;
    m->mods = calloc(n1, sizeof *m->mods);
    m->extra = calloc(n1, sizeof *m->extra);
    m->e = calloc(n1, sizeof *m->e);
    m->s = calloc(n1, sizeof *m->s);
    m->foreign = calloc(n1, sizeof *m->foreign);
    if (!m->mods || !m->extra || !m->e || !m->s || !m->foreign) {
        cli_error("out of memory");
        return EXIT_BAD_INPUT;
    }
    for (; m->n < n; m->n++) {
        cli_module *x = &m->mods[m->n];
        if (cli_open_module(paths[m->n], x) != EXIT_OK) {
            m->n++; /* partly open: closed by cli_close_modules */
            return EXIT_BAD_INPUT;
        }
        m->extra[m->n] = &x->cat;
        if (x->img.machine != PE_MACHINE_AMD64)
            continue; /* a catalog only (e.g. a resource-only DLL) */
        ew_diag d;
        ew_diag_init(&d, paths[m->n]);
        if (eng_run(&m->e[m->n], &x->img, NULL, &d) != EW_OK ||
            st_find(&m->s[m->n], &m->e[m->n], &x->cat, NULL, &d) != EW_OK) {
            cli_report(&d);
            m->n++;
            return EXIT_BAD_INPUT;
        }
        st_foreign *f = &m->foreign[m->n_foreign++];
        f->file = paths[m->n];
        f->e = &m->e[m->n];
        f->sites = &m->s[m->n];
    }
    return EXIT_OK;
}

void cli_close_modules(cli_modules *m)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->s)
            st_free(&m->s[i]);
        if (m->e)
            eng_free(&m->e[i]);
        if (m->mods)
            cli_close_module(&m->mods[i]);
    }
    free(m->mods);
    free(m->extra);
    free(m->e);
    free(m->s);
    free(m->foreign);
    memset(m, 0, sizeof *m);
}

int cli_analyse(cli_analysis *a, const cli_pdb_opts *o,
                const char *const *with, size_t n_with, const char *path)
{
    memset(a, 0, sizeof *a);
    ew_arena_init(&a->arena, 0);
    if (cli_open_image(path, &a->file, &a->img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    a->opened = true;
    a->pdb = calloc(1, sizeof *a->pdb);
    if (!a->pdb) {
        cli_error("%s: out of memory", path);
        return EXIT_BAD_INPUT;
    }
    int rc = cli_find_pdb(o, PDB_LOAD_ANNOTATIONS | PDB_LOAD_PROCEDURES, &a->img, a->pdb);
    if (rc == EXIT_OK)
        rc = cli_open_modules(with, n_with, &a->mods);
    if (rc != EXIT_OK)
        return rc;
    ew_diag d;
    ew_diag_init(&d, path);
    const pdb_file *pdb = cli_usable_pdb(a->pdb);
    st_options so = {a->mods.extra, a->mods.n, a->mods.foreign,
                     a->mods.n_foreign};
    if (cat_build(&a->cat, &a->img, pdb, &a->arena, &d) != EW_OK ||
        eng_run(&a->e, &a->img, pdb, &d) != EW_OK ||
        st_find(&a->sites, &a->e, &a->cat, &so, &d) != EW_OK) {
        cli_report(&d);
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

int cli_analysis_close(cli_analysis *a, int rc, const char *path)
{
    if (rc != EXIT_BAD_INPUT && a->pdb) {
        int prc = cli_report_pdb(a->pdb, path);
        rc = prc > rc ? prc : rc;
    }
    st_free(&a->sites);
    eng_free(&a->e);
    ew_arena_free(&a->arena);
    cli_close_modules(&a->mods);
    if (a->pdb)
        sym_found_close(a->pdb);
    free(a->pdb);
    if (a->opened)
        cli_close_image(&a->file, &a->img);
    memset(a, 0, sizeof *a);
    return rc;
}
