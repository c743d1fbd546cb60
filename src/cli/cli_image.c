#include "cli_image.h"

#include "cli.h"

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

int cli_find_pdb(const sym_options *so, bool no_pdb, const pe_image *img,
                 sym_found *p)
{
    memset(p, 0, sizeof *p);
    if (no_pdb)
        return EXIT_OK;
    ew_diag d;
    ew_diag_init(&d, img->path);
    ew_status s = sym_find_pdb(so, img->path, &img->codeview, p, &d);
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
