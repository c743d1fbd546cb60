/*
 * cli_image.h - what every subcommand does with a FILE argument: map it,
 * open it as a PE image, and find its PDB (symbols/sym_find.h), printing
 * the one-line diagnostics and choosing the exit codes the same way.
 */
#ifndef CLI_IMAGE_H
#define CLI_IMAGE_H

#include "base/ew_file.h"
#include "format/pe.h"
#include "symbols/sym_find.h"

#include <stdbool.h>

/* Maps path and opens it as a PE image. On failure prints the diagnostic
 * and returns EXIT_BAD_INPUT with nothing left open; else EXIT_OK. */
int cli_open_image(const char *path, ew_file *file, pe_image *img);
void cli_close_image(ew_file *file, pe_image *img);

/* Finds, opens and checks img's PDB into *p (zeroed first; nothing is done
 * with no_pdb). EXIT_BAD_INPUT, after printing why, when an explicit --pdb
 * cannot be used or the symbol path is malformed; else EXIT_OK and
 * p->state says what happened. Release with sym_found_close. */
int cli_find_pdb(const sym_options *so, bool no_pdb, const pe_image *img,
                 sym_found *p);

/* The PDB to use (matched or forced), or NULL. */
const pdb_file *cli_usable_pdb(const sym_found *p);

/* Warns about a PDB that was ignored or could not be had although the
 * image names one; EXIT_PROBLEMS then, else EXIT_OK. */
int cli_report_pdb(const sym_found *p, const char *path);

#endif
