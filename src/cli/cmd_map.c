/*
 * cmd_map.c - `etwmap map`: for each entry point of an image (exports, or
 * a kernel's system calls), the ETW events it can write and the call paths
 * to them (analysis/mapping.h), as CSV (reference-compatible), TSV, JSON
 * Lines or a Graphviz graph.
 */
#include "cli.h"
#include "cli_image.h"

#include "analysis/engine.h"
#include "analysis/mapping.h"
#include "analysis/sites.h"
#include "catalog/catalog.h"
#include "output/map_dot.h"
#include "output/map_jsonl.h"
#include "output/map_table.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_CSV, FMT_TSV, FMT_JSONL, FMT_DOT } map_format;

/* Lines read from --entry-list / --ignore files (kept until the end). */
#define MAP_MAX_LIST_LINES 1000000u
#define MAP_MAX_LINE 4096u

typedef struct map_opts {
    cli_pdb_opts pdb;
    map_format format;
    mp_options mp;
    const char **with; /* --with paths, argv-borrowed */
    size_t n_with;
    mp_entry_spec *specs; /* --entry and --entry-list */
    size_t n_specs, cap_specs;
    const char **ignore;  /* --ignore patterns */
    size_t n_ignore, cap_ignore;
    char **owned;         /* strings read from files */
    size_t n_owned, cap_owned;
    bool list_ignore;
} map_opts;

static void usage(FILE *out)
{
    fputs(
        "usage: etwmap map [OPTIONS] FILE\n"
        "\n"
        "For each entry point of an x64 image, the ETW events it can write and\n"
        "how: the call path from the entry to the function that writes each\n"
        "event, found breadth-first over the call graph. The answer to \"if\n"
        "something calls NtOpenProcess, which events can fire, through which\n"
        "functions?\" Output is the reference tool's (API-To-ETW) CSV, column\n"
        "for column, with etwmap's own columns after them.\n"
        "\n"
        "Entries. By default every exported function. For an NT kernel the\n"
        "system calls instead: with the PDB, KiServiceTable (and win32k's\n"
        "W32pServiceTable) is decoded and each routine gets its service\n"
        "number; exported Nt* functions are entries too, and a Zw* export\n"
        "stands for its Nt* routine. Without a PDB a native image exporting\n"
        "NtQuerySystemInformation is taken for a kernel and its Nt* (and\n"
        "Zw* -> Nt*) exports are the entries.\n"
        "  --entry NAME       this function (a name from the PDB or exports, or\n"
        "                     an rva 0x...); repeatable\n"
        "  --entry-list FILE  one name or rva a line ('#' starts a comment)\n"
        "  --all-functions    every function of the image\n"
        "\n"
        "Search (the reference's defaults):\n"
        "  --max-depth N      at most N functions on a call path, entry and\n"
        "                     writing function included (default 5, max 64)\n"
        "  --all-depths       keep every depth; by default, once an event is\n"
        "                     found at depth d only events up to d+1 are kept\n"
        "                     (the deeper ones are mostly error paths)\n"
        "  --through-exports  also enter other entries and exported functions;\n"
        "                     by default they are neither entered nor reported\n"
        "                     (they have rows of their own), except one whose\n"
        "                     name holds the entry's stem (NtOpenProcess ->\n"
        "                     PsOpenProcess, the reference's rule)\n"
        "  --ignore FILE      never enter the functions the file names, one\n"
        "                     pattern a line ('*' matches anything, '#'\n"
        "                     comments); repeatable\n"
        "  --no-default-ignore  drop the built-in list of kernel hot paths\n"
        "                     (allocation, locks, waits, copies, ETW plumbing;\n"
        "                     --list-ignore prints it)\n"
        "  --paths one|all    one shortest path per row (default), or a row\n"
        "                     for every distinct shortest path\n"
        "\n"
        "Other options:\n"
        "  --format FMT       csv (default), tsv, jsonl or dot (Graphviz)\n"
        "  --with M           another module: its events resolve this image's\n"
        "                     descriptors (a resource-only DLL holding the\n"
        "                     manifest), and a call to one of its exported\n"
        "                     wrappers is a site here, mapped like any other\n"
        "                     (win32kfull.sys --with win32kbase.sys: EtwTrace*;\n"
        "                     Via names M!wrapper). The map does not search\n"
        "                     inside M: its call paths end at the call into M.\n"
        "                     x64 modules are analysed, others only catalogued;\n"
        "                     repeatable\n"
        "  --pdb PDB          use this PDB (names, service tables, symbols)\n"
        "  --force-pdb        use the PDB even when it does not match\n"
        "  --no-pdb           do not look for a PDB\n"
        SYM_HELP_OPTIONS
        "  -h, --help         this help\n"
        "\n"
        "CSV columns, the reference's 17 first:\n"
        "  Function             the entry (API or system call)\n"
        "  ProviderGuid         provider GUID; legacy kernel events: Windows\n"
        "                       Kernel Trace; WPP: WPP_<GUID>\n"
        "  ProviderSymbol       PDB symbol of the GUID; TraceLogging: provider\n"
        "                       name; legacy: group mask (PERF_ dropped)\n"
        "  ReghandleSymbol      PDB symbol of the REGHANDLE; legacy: group\n"
        "  WriteFunction        the ETW API (EtwWrite, _tlgWriteTransfer, ...)\n"
        "  EventDescriptorSymbol  PDB symbol of the descriptor; TraceLogging:\n"
        "                       event name; legacy: hook name; WPP: message GUID;\n"
        "                       classic: event class GUID\n"
        "  Id Version Channel Level Opcode Task Keyword   the descriptor;\n"
        "                       '-' where TraceLogging has no such field;\n"
        "                       classic: Version, Level, and the type as Opcode\n"
        "  ContainingFunction   the function that writes the event (MC and\n"
        "                       TraceLogging wrappers are looked through)\n"
        "  CallDepth            functions on CallPath (1: the entry writes it)\n"
        "  ExportedCallDepth    other entries/exports the path enters\n"
        "  CallPath             [Entry->...->ContainingFunction]\n"
        "then etwmap's: EventName, EventFields (payload), Kind (manifest,\n"
        "manifest-string, tracelogging, legacy-kernel, wpp, classic), SiteRva, Syscall\n"
        "(service number), ProviderResolvedBy, EventResolvedBy, Unresolved\n"
        "(why a value is empty: handle-unknown, descriptor-is-parameter, ...;\n"
        "see 'etwmap sites --help'), ProviderName, EntryRva, Via (wrappers),\n"
        "ShortestPaths. A value etwmap cannot find is empty, never guessed.\n"
        "Rows are sorted by entry, depth, site and event; the same input\n"
        "always gives the same bytes. TSV has the same columns.\n"
        "JSON Lines: entry, entry_rva, syscall, depth, call_path (array),\n"
        "containing_function, then the keys of 'etwmap sites --format jsonl',\n"
        "then entry_kind, export_depth, shortest_paths.\n"
        "\n"
        "Exit status: 0 success; 1 finished, but problems were found (a PDB\n"
        "beside the image ignored, service table entries that are no\n"
        "function, the row cap reached); 2 bad input or usage (non-x64\n"
        "images, an --entry that names no function).\n"
        "\n"
        "Examples:\n"
        "  etwmap map ntoskrnl.exe --pdb ntkrnlmp.pdb > ntoskrnl.csv\n"
        "  etwmap map ntoskrnl.exe --entry NtOpenProcess --entry NtWriteVirtualMemory\n"
        "  etwmap map --format jsonl ntoskrnl.exe \\\n"
        "      | jq -r 'select(.kind == \"legacy-kernel\") | .entry' | sort -u\n"
        "  etwmap map fltMgr.sys | grep -i FltRegisterFilter\n"
        "  etwmap map --format dot --entry KdOpenWidget kdriver.sys | dot -Tsvg > map.svg\n",
        out);
}

/* ---- option values ------------------------------------------------------ */

static bool push_spec(map_opts *o, const char *s)
{
    if (o->n_specs == o->cap_specs) {
        size_t cap = o->cap_specs ? 2 * o->cap_specs : 16;
        mp_entry_spec *p = realloc(o->specs, cap * sizeof *p);
        if (!p)
            return false;
        o->specs = p;
        o->cap_specs = cap;
    }
    mp_entry_spec *sp = &o->specs[o->n_specs++];
    sp->name = s;
    sp->rva = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s + 2, &end, 16);
        if (!errno && !*end && v <= UINT32_MAX) {
            sp->name = NULL;
            sp->rva = (uint32_t)v;
        }
    }
    return true;
}

static bool push_ignore(map_opts *o, const char *s)
{
    if (o->n_ignore == o->cap_ignore) {
        size_t cap = o->cap_ignore ? 2 * o->cap_ignore : 16;
        const char **p = realloc(o->ignore, cap * sizeof *p);
        if (!p)
            return false;
        o->ignore = p;
        o->cap_ignore = cap;
    }
    o->ignore[o->n_ignore++] = s;
    return true;
}

static char *own(map_opts *o, const char *s, size_t n)
{
    if (o->n_owned == o->cap_owned) {
        size_t cap = o->cap_owned ? 2 * o->cap_owned : 64;
        char **p = realloc(o->owned, cap * sizeof *p);
        if (!p)
            return NULL;
        o->owned = p;
        o->cap_owned = cap;
    }
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    o->owned[o->n_owned++] = c;
    return c;
}

/* Reads a list file: one item a line, '#' starts a comment, blanks
 * trimmed. Each item goes to push (spec or ignore pattern). EXIT_OK or
 * EXIT_BAD_INPUT (reported). */
static int read_list(map_opts *o, const char *path, const char *what,
                     bool (*push)(map_opts *, const char *))
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("%s: cannot open %s: %s", path, what, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    char line[MAP_MAX_LINE + 2];
    unsigned long n = 0;
    int rc = EXIT_OK;
    while (rc == EXIT_OK && fgets(line, sizeof line, f)) {
        n++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            cli_error("%s:%lu: line longer than %u bytes", path, n,
                      MAP_MAX_LINE);
            rc = EXIT_BAD_INPUT;
            break;
        }
        if (n > MAP_MAX_LIST_LINES) {
            cli_error("%s: more than %u lines", path, MAP_MAX_LIST_LINES);
            rc = EXIT_BAD_INPUT;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t m = strlen(p);
        while (m && (p[m - 1] == '\n' || p[m - 1] == '\r' || p[m - 1] == ' ' ||
                     p[m - 1] == '\t'))
            m--;
        if (!m)
            continue;
        char *item = own(o, p, m);
        if (!item || !push(o, item)) {
            cli_error("%s: out of memory", path);
            rc = EXIT_BAD_INPUT;
        }
    }
    if (rc == EXIT_OK && ferror(f)) {
        cli_error("%s: cannot read %s", path, what);
        rc = EXIT_BAD_INPUT;
    }
    fclose(f);
    return rc;
}

/* ---- one image ------------------------------------------------------------ */

static int write_map(const map_opts *o, const engine *e, const st_sites *s,
                     const mp_map *m)
{
    switch (o->format) {
    case FMT_TSV: return map_tsv_write(stdout, e, s, m);
    case FMT_JSONL: return map_jsonl_write(stdout, e, s, m);
    case FMT_DOT: return map_dot_write(stdout, e, s, m);
    case FMT_CSV:
    default: return map_csv_write(stdout, e, s, m);
    }
}

/* Warnings about the map; EXIT_PROBLEMS when something is missing. */
static int report_map(const map_opts *o, const mp_map *m, const char *path)
{
    int rc = EXIT_OK;
    if (m->n_bad_syscalls) {
        cli_warn("%s: %zu service table entries point at no function the "
                 "analysis found; those system calls are not mapped",
                 path, m->n_bad_syscalls);
        rc = EXIT_PROBLEMS;
    }
    if (m->rows_capped) {
        cli_warn("%s: more than %u rows: the map is cut (narrow the entries "
                 "or the depth)",
                 path, MP_MAX_ROWS);
        rc = EXIT_PROBLEMS;
    }
    if (m->paths_capped)
        cli_warn("%s: some (entry, event) pairs have more than %u shortest "
                 "paths; the first %u are listed",
                 path, MP_MAX_PATHS_PER_ROW, MP_MAX_PATHS_PER_ROW);
    if (!m->n_entries && o->mp.select == MP_SELECT_DEFAULT)
        cli_warn("%s: no exported functions to start from (try --entry or "
                 "--all-functions)",
                 path);
    return rc;
}

static int map_one(const map_opts *o, const char *path)
{
    cli_analysis a;
    int rc = cli_analyse(&a, &o->pdb, o->with, o->n_with, path);
    if (rc == EXIT_OK) {
        ew_diag d;
        ew_diag_init(&d, path);
        mp_map m;
        memset(&m, 0, sizeof m);
        if (mp_build(&m, &a.e, &a.sites, &o->mp, &d) != EW_OK) {
            cli_report(&d);
            rc = EXIT_BAD_INPUT;
        } else if (write_map(o, &a.e, &a.sites, &m) != 0) {
            cli_error("map: cannot write output");
            rc = EXIT_BAD_INPUT;
        } else {
            rc = report_map(o, &m, path);
        }
        mp_free(&m);
    }
    return cli_analysis_close(&a, rc, path);
}

/* ---- command line ---------------------------------------------------------- */

enum {
    OPT_ENTRY = 256,
    OPT_ENTRY_LIST,
    OPT_ALL_FUNCTIONS,
    OPT_MAX_DEPTH,
    OPT_ALL_DEPTHS,
    OPT_THROUGH_EXPORTS,
    OPT_IGNORE,
    OPT_NO_DEFAULT_IGNORE,
    OPT_LIST_IGNORE,
    OPT_PATHS,
};

static void free_opts(map_opts *o)
{
    for (size_t i = 0; i < o->n_owned; i++)
        free(o->owned[i]);
    free(o->owned);
    free(o->specs);
    free(o->ignore);
    free(o->with);
}

static int parse_option(map_opts *o, int ch, const char *arg,
                        bool *all_functions)
{
    switch (ch) {
    case 'f':
        if (strcmp(arg, "csv") == 0)
            o->format = FMT_CSV;
        else if (strcmp(arg, "tsv") == 0)
            o->format = FMT_TSV;
        else if (strcmp(arg, "jsonl") == 0)
            o->format = FMT_JSONL;
        else if (strcmp(arg, "dot") == 0)
            o->format = FMT_DOT;
        else {
            cli_error("map: unknown format '%s' (csv, tsv, jsonl or dot)",
                      arg);
            return EXIT_BAD_INPUT;
        }
        return EXIT_OK;
    case 'w': o->with[o->n_with++] = arg; return EXIT_OK;
    case OPT_ENTRY:
        if (!*arg) {
            cli_error("map: --entry needs a name or an rva");
            return EXIT_BAD_INPUT;
        }
        if (!push_spec(o, arg)) {
            cli_error("map: out of memory");
            return EXIT_BAD_INPUT;
        }
        return EXIT_OK;
    case OPT_ENTRY_LIST:
        return read_list(o, arg, "entry list", push_spec);
    case OPT_ALL_FUNCTIONS: *all_functions = true; return EXIT_OK;
    case OPT_MAX_DEPTH: {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || *end || !*arg || v < 1 || v > MP_MAX_DEPTH ||
            arg[0] == '-') {
            cli_error("map: --max-depth takes a number from 1 to %u, not "
                      "'%s'",
                      MP_MAX_DEPTH, arg);
            return EXIT_BAD_INPUT;
        }
        o->mp.max_depth = (unsigned)v;
        return EXIT_OK;
    }
    case OPT_ALL_DEPTHS: o->mp.all_depths = true; return EXIT_OK;
    case OPT_THROUGH_EXPORTS: o->mp.through_exports = true; return EXIT_OK;
    case OPT_IGNORE: return read_list(o, arg, "ignore list", push_ignore);
    case OPT_NO_DEFAULT_IGNORE: o->mp.no_default_ignore = true; return EXIT_OK;
    case OPT_LIST_IGNORE: o->list_ignore = true; return EXIT_OK;
    case OPT_PATHS:
        if (strcmp(arg, "one") == 0)
            o->mp.all_paths = false;
        else if (strcmp(arg, "all") == 0)
            o->mp.all_paths = true;
        else {
            cli_error("map: --paths takes 'one' or 'all', not '%s'", arg);
            return EXIT_BAD_INPUT;
        }
        return EXIT_OK;
    default: usage(stderr); return EXIT_BAD_INPUT;
    }
}

int cmd_map(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PDB_LONG_OPTIONS,
        {"format", required_argument, NULL, 'f'},
        {"with", required_argument, NULL, 'w'},
        {"entry", required_argument, NULL, OPT_ENTRY},
        {"entry-list", required_argument, NULL, OPT_ENTRY_LIST},
        {"all-functions", no_argument, NULL, OPT_ALL_FUNCTIONS},
        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"all-depths", no_argument, NULL, OPT_ALL_DEPTHS},
        {"through-exports", no_argument, NULL, OPT_THROUGH_EXPORTS},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"no-default-ignore", no_argument, NULL, OPT_NO_DEFAULT_IGNORE},
        {"list-ignore", no_argument, NULL, OPT_LIST_IGNORE},
        {"paths", required_argument, NULL, OPT_PATHS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    map_opts o;
    memset(&o, 0, sizeof o);
    o.with = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.with);
    if (!o.with) {
        cli_error("map: out of memory");
        return EXIT_BAD_INPUT;
    }
    bool all_functions = false, named = false;
    int rc = EXIT_OK;
    int ch;
    while (rc == EXIT_OK &&
           (ch = getopt_long(argc, argv, "hp:f:", opts, NULL)) != -1) {
        if (cli_pdb_option(&o.pdb, ch, optarg))
            continue;
        if (ch == 'h') {
            usage(stdout);
            free_opts(&o);
            return EXIT_OK;
        }
        if (ch == OPT_ENTRY || ch == OPT_ENTRY_LIST)
            named = true;
        rc = parse_option(&o, ch, optarg, &all_functions);
    }
    if (rc == EXIT_OK && o.list_ignore) {
        size_t n;
        const char *const *def = mp_default_ignore(&n);
        for (size_t i = 0; i < n; i++)
            printf("%s\n", def[i]);
        free_opts(&o);
        return fflush(stdout) == 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    int n_files = argc - optind;
    if (rc == EXIT_OK && n_files != 1) {
        cli_error("map: give one FILE (%d given; try 'etwmap map --help')",
                  n_files);
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK && all_functions && named) {
        cli_error("map: --all-functions and --entry/--entry-list exclude each "
                  "other");
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK && cli_pdb_opts_check("map", &o.pdb, n_files) != EXIT_OK)
        rc = EXIT_BAD_INPUT;
    if (rc == EXIT_OK) {
        o.mp.select = all_functions ? MP_SELECT_ALL_FUNCTIONS
                      : named       ? MP_SELECT_NAMED
                                    : MP_SELECT_DEFAULT;
        o.mp.specs = o.specs;
        o.mp.n_specs = o.n_specs;
        o.mp.ignore = o.ignore;
        o.mp.n_ignore = o.n_ignore;
        rc = map_one(&o, argv[optind]);
    }
    if (rc != EXIT_BAD_INPUT && fflush(stdout) != 0) {
        cli_error("map: cannot write output");
        rc = EXIT_BAD_INPUT;
    }
    free_opts(&o);
    return rc;
}
