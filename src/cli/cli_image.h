/*
 * cli_image.h - what every subcommand does with a FILE argument: map it,
 * open it as a PE image, and find its PDB (symbols/sym_find.h), printing
 * the one-line diagnostics and choosing the exit codes the same way.
 */
#ifndef CLI_IMAGE_H
#define CLI_IMAGE_H

#include "analysis/engine.h"
#include "analysis/sites.h"
#include "base/ew_file.h"
#include "catalog/catalog.h"
#include "format/pe.h"
#include "symbols/sym_find.h"

#include <getopt.h>
#include <stdbool.h>

/* The PDB options of every command that reads images. */
typedef struct cli_pdb_opts {
    const char *pdb_path;    /* --pdb */
    const char *symbol_path; /* --symbol-path (NULL: $_NT_SYMBOL_PATH, else
                                the default cache) */
    bool force_pdb;          /* --force-pdb: use a mismatched PDB anyway */
    bool no_pdb;             /* --no-pdb: do not look for one */
    bool offline;            /* --offline: no symbol server */
} cli_pdb_opts;

/* Their entries for a getopt_long table (short codes p F N s o). */
#define CLI_PDB_LONG_OPTIONS                          \
    {"pdb", required_argument, NULL, 'p'},            \
        {"force-pdb", no_argument, NULL, 'F'},        \
        {"no-pdb", no_argument, NULL, 'N'},           \
        {"symbol-path", required_argument, NULL, 's'}, \
        {"offline", no_argument, NULL, 'o'}

/* Takes option ch (with its argument) when it is one of those; false
 * otherwise. */
bool cli_pdb_option(cli_pdb_opts *o, int ch, const char *arg);

/* Checks the options against each other and the symbol path's syntax
 * (once, before any file is read). Prints why and returns EXIT_BAD_INPUT,
 * else EXIT_OK. cmd names the subcommand in messages. */
int cli_pdb_opts_check(const char *cmd, const cli_pdb_opts *o, int n_files);

/* The look-up options for sym_find_pdb. */
sym_options cli_sym_options(const cli_pdb_opts *o, unsigned pdb_flags);

/* Maps path and opens it as a PE image. On failure prints the diagnostic
 * and returns EXIT_BAD_INPUT with nothing left open; else EXIT_OK. */
int cli_open_image(const char *path, ew_file *file, pe_image *img);
void cli_close_image(ew_file *file, pe_image *img);

/* Finds, opens and checks img's PDB into *p (zeroed first; nothing is done
 * with --no-pdb). EXIT_BAD_INPUT, after printing why, when an explicit --pdb
 * cannot be used or the symbol path is malformed; else EXIT_OK and
 * p->state says what happened. Release with sym_found_close. */
int cli_find_pdb(const cli_pdb_opts *o, unsigned pdb_flags,
                 const pe_image *img, sym_found *p);

/* The PDB to use (matched or forced), or NULL. */
const pdb_file *cli_usable_pdb(const sym_found *p);

/* Warns about a PDB that was ignored or could not be had although the
 * image names one; EXIT_PROBLEMS then, else EXIT_OK. */
int cli_report_pdb(const sym_found *p, const char *path);

/* A module given with --with: its image and catalog (no PDB, no code
 * analysis: it supplies events to resolve against). */
typedef struct cli_module {
    ew_file file;
    pe_image img;
    ew_arena arena;
    cat_catalog cat;
} cli_module;

/* Opens path and builds its catalog; EXIT_OK or EXIT_BAD_INPUT (reported).
 * Close with cli_close_module (also after a failure). */
int cli_open_module(const char *path, cli_module *m);
void cli_close_module(cli_module *m);

/* All --with modules of a command: each opened and catalogued (extra
 * catalogs), the x64 ones also analysed (engine and sites, no PDB), so a
 * call to one of their exported wrappers is a site of the image (foreign).
 * Fill st_options from extra/n and foreign/n_foreign. */
typedef struct cli_modules {
    size_t n;                   /* modules opened */
    cli_module *mods;
    const cat_catalog **extra;  /* n: their catalogs */
    engine *e;                  /* per module; zeroed when not analysed */
    st_sites *s;
    st_foreign *foreign;        /* n_foreign: the analysed ones */
    size_t n_foreign;
} cli_modules;

/* EXIT_OK, or EXIT_BAD_INPUT after reporting; close with
 * cli_close_modules (also after a failure). */
int cli_open_modules(const char *const *paths, size_t n, cli_modules *m);
void cli_close_modules(cli_modules *m);

/* What `sites` and `map` both need from one image: the image, its PDB,
 * the --with modules, the catalog, the engine and the sites. */
typedef struct cli_analysis {
    ew_file file;
    pe_image img;
    sym_found *pdb;  /* owned */
    cli_modules mods;
    ew_arena arena;  /* the catalog's */
    cat_catalog cat;
    engine e;
    st_sites sites;
    bool opened;     /* file and img are open */
} cli_analysis;

/* Opens path and everything above; EXIT_OK, or EXIT_BAD_INPUT after
 * reporting. Always finish with cli_analysis_close. */
int cli_analyse(cli_analysis *a, const cli_pdb_opts *o,
                const char *const *with, size_t n_with, const char *path);
/* Frees a; returns rc, raised to the PDB's status (cli_report_pdb) unless
 * rc is EXIT_BAD_INPUT. */
int cli_analysis_close(cli_analysis *a, int rc, const char *path);

#endif
