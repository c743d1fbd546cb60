/*
 * main.c - etwmap's entry point: global options and subcommand dispatch.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

static const struct cmd {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
#define X(name, fn, summary) {#name, fn, summary},
    CLI_COMMANDS(X)
#undef X
};

void cli_report(const ew_diag *d)
{
    char buf[512];
    fprintf(stderr, "etwmap: %s\n", ew_diag_format(d, buf, sizeof buf));
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("etwmap: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("etwmap: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void usage(FILE *out)
{
    fputs("usage: etwmap [--help] [--version] COMMAND [ARGS...]\n"
          "\n"
          "etwmap reads a Windows binary (ntoskrnl.exe, a driver, a DLL) and,\n"
          "when there is one, its PDB, and tells which ETW events the code\n"
          "can write, from which API, along which call path.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Run 'etwmap COMMAND --help' for a command's options.\n"
          "\n"
          "Results go to standard output, diagnostics to standard error.\n"
          "Exit status: 0 success; 1 finished, but problems were found (e.g.\n"
          "a PDB that does not match was ignored); 2 bad input or usage (the\n"
          "message names the file, the structure and its offset).\n"
          "\n"
          "Example:\n"
          "  etwmap info tests/fixtures/kdriver/kdriver.sys\n"
          "  etwmap info --format json fltMgr.sys --pdb fltMgr.pdb\n"
          "  etwmap events --format jsonl ci.dll\n"
          "  etwmap map ntoskrnl.exe --pdb ntkrnlmp.pdb > ntoskrnl.csv\n"
          "  etwmap symbols ntoskrnl.exe --symbol-path 'srv*'\n",
          out);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* "+": stop at the first non-option, the subcommand. */
    int c;
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf("etwmap %s\n", ETWMAP_VERSION);
            return EXIT_OK;
        default:
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            int k = optind;
            optind = 0; /* glibc: fully re-initialise getopt for the command */
            return commands[i].fn(argc - k, argv + k);
        }
    }
    cli_error("unknown command '%s' (try 'etwmap --help')", name);
    return EXIT_BAD_INPUT;
}
