/*
 * cmd_symbols.c - `etwmap symbols`: find (and fetch) the PDB of each image
 * and say where it came from, the way every other command finds it
 * (symbols/sym_find.h).
 */
#include "cli.h"
#include "cli_image.h"

#include "base/ew_file.h"
#include "format/pe.h"
#include "symbols/sym_find.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fputs("usage: etwmap symbols [OPTIONS] FILE...\n"
          "\n"
          "Find the PDB of each PE image as every etwmap command does, fetch\n"
          "it from a symbol server when the symbol path names one, and report\n"
          "where it came from. A PDB is used or kept only when its GUID and\n"
          "age match the image's RSDS record; downloads land in the cache\n"
          "atomically (a temporary file, checked, then renamed).\n"
          "\n"
          "Look-up order: --pdb; the image's directory; the symbol path.\n"
          "\n"
          "Options:\n"
          SYM_HELP_OPTIONS
          "  --pdb PDB        only check this PDB against FILE (one FILE only)\n"
          "  -h, --help       this help\n"
          "\n"
          "Symbol path elements (';'-separated, searched in order):\n"
          "  srv*CACHE*URL    the store CACHE, then the server URL; what the\n"
          "                   server has is kept in CACHE\n"
          "  srv*URL, srv**URL  the same with the default cache\n"
          "  srv*             the default cache, then Microsoft's public symbol\n"
          "                   server (or $ETWMAP_SYMBOL_SERVER)\n"
          "  srv*DIR          a local store (name.pdb/GUIDAGE/name.pdb, also\n"
          "                   compressed name.pd_ and file.ptr)\n"
          "  cache*DIR        look in DIR, and copy there what elements to its\n"
          "                   right find\n"
          "  DIR              a plain directory holding name.pdb\n"
          "Without --symbol-path or $_NT_SYMBOL_PATH etwmap looks in the\n"
          "default cache only and never goes online.\n"
          "\n"
          SYM_HELP_ENV
          "\n"
          "Output: one line per FILE on standard output, starting \"FILE: \"\n"
          "and one of: given, beside-image, directory, store, downloaded\n"
          "(then the PDB's path), not-found (then the store key and where it\n"
          "looked), mismatch or unreadable (a PDB was found but ignored, and\n"
          "why), none (the image names no PDB). Problems met on the way\n"
          "(server errors, a wrong PDB served, an unsafe PDB name) are also\n"
          "warnings on standard error.\n"
          "\n"
          "Exit status: 0 every FILE's PDB was found and matches; 1 some PDB\n"
          "could not be had or a problem was met; 2 bad usage or a FILE that\n"
          "is not a readable PE image (the other FILEs are still done).\n"
          "\n"
          "Examples:\n"
          "  etwmap symbols ntoskrnl.exe --symbol-path 'srv*'\n"
          "  etwmap symbols --symbol-path \\\n"
          "      'srv*~/.cache/etwmap/symbols*https://msdl.microsoft.com/download/symbols' \\\n"
          "      /mnt/windows/System32/drivers/*.sys\n"
          "  etwmap symbols --offline *.sys | grep ': not-found'\n",
          out);
}

/* One FILE: EXIT_OK, EXIT_PROBLEMS or EXIT_BAD_INPUT. */
static int symbols_one(const sym_options *o, const char *path)
{
    ew_file file;
    pe_image img;
    if (cli_open_image(path, &file, &img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    sym_found *f = calloc(1, sizeof *f);
    int rc = EXIT_OK;
    if (!f) {
        cli_error("%s: out of memory", path);
        rc = EXIT_BAD_INPUT;
        goto done;
    }
    ew_diag sd;
    ew_diag_init(&sd, path);
    ew_status s = sym_find_pdb(o, path, &img.codeview, f, &sd);
    if (s != EW_OK && s != EW_E_MISMATCH) {
        cli_report(&sd);
        rc = EXIT_BAD_INPUT;
        goto done;
    }
    switch (f->state) {
    case SYM_MATCHED:
        printf("%s: %s %s", path, sym_how_name(f->how), f->path);
        if (f->how == SYM_HOW_DOWNLOADED)
            printf(" (from %s)", f->source);
        putchar('\n');
        break;
    case SYM_FORCED:
        printf("%s: forced %s: %s\n", path, f->path, f->note);
        rc = EXIT_PROBLEMS;
        break;
    case SYM_NOT_FOUND:
        printf("%s: not-found%s%s: %s\n", path, f->key[0] ? " " : "", f->key,
               f->note);
        rc = EXIT_PROBLEMS;
        break;
    case SYM_MISMATCH:
    case SYM_UNREADABLE:
        printf("%s: %s %s: %s\n", path, sym_state_name(f->state), f->path,
               f->note);
        rc = EXIT_PROBLEMS;
        break;
    case SYM_NONE:
    default:
        printf("%s: none: %s\n", path,
               f->note[0] ? f->note : "the image has no CodeView (RSDS) record");
        rc = EXIT_PROBLEMS;
        break;
    }
    if (f->problem) {
        cli_warn("%s: %s", path, f->note);
        rc = EXIT_PROBLEMS;
    }
done:
    if (f)
        sym_found_close(f);
    free(f);
    cli_close_image(&file, &img);
    return rc;
}

int cmd_symbols(int argc, char **argv)
{
    static const struct option opts[] = {
        {"symbol-path", required_argument, NULL, 's'},
        {"offline", no_argument, NULL, 'o'},
        {"pdb", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sym_options o = {0};
    int c;
    while ((c = getopt_long(argc, argv, "hp:s:", opts, NULL)) != -1) {
        switch (c) {
        case 's': o.symbol_path = optarg; break;
        case 'o': o.offline = true; break;
        case 'p': o.pdb_path = optarg; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    int n_files = argc - optind;
    if (n_files < 1) {
        cli_error("symbols: no FILE given (try 'etwmap symbols --help')");
        return EXIT_BAD_INPUT;
    }
    if (o.pdb_path && n_files > 1) {
        cli_error("symbols: --pdb applies to one FILE, %d given", n_files);
        return EXIT_BAD_INPUT;
    }
    ew_diag d;
    if (sym_options_check(&o, &d) != EW_OK) {
        cli_report(&d);
        return EXIT_BAD_INPUT;
    }
    int worst = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int rc = symbols_one(&o, argv[i]);
        if (rc > worst)
            worst = rc;
        fflush(stdout);
    }
    if (fflush(stdout) != 0) {
        cli_error("symbols: cannot write output");
        return EXIT_BAD_INPUT;
    }
    return worst;
}
