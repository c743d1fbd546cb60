/*
 * cmd_sites.c - `etwmap sites`: every ETW registration and write in an
 * image's code with its provider and event resolved (analysis/sites.h),
 * as TSV or JSON Lines, or a coverage report against the catalog.
 */
#include "cli.h"
#include "cli_image.h"

#include "analysis/engine.h"
#include "analysis/sites.h"
#include "catalog/catalog.h"
#include "output/sites_jsonl.h"
#include "output/sites_tsv.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TSV, FMT_JSONL } sites_format;

typedef struct sites_opts {
    cli_pdb_opts pdb;
    sites_format format;
    bool coverage;
    const char **with; /* --with paths, argv-borrowed */
    size_t n_with;
} sites_opts;

static void usage(FILE *out)
{
    fputs(
        "usage: etwmap sites [OPTIONS] FILE\n"
        "\n"
        "Find every place in an x64 image's code that registers an ETW\n"
        "provider or writes an event, and name the provider and the event:\n"
        "calls to the ETW APIs (kernel Etw*, user Event*, ntdll EtwEvent*,\n"
        "WmiTraceMessage/TraceMessage, classic RegisterTraceGuids/TraceEvent\n"
        "and EtwRegisterClassicProvider/IoWMIWriteEvent, TraceLogging\n"
        "_tlgWrite* helpers, EtwTraceKernelEvent), directly, through\n"
        "imports and thunks, or through any wrapper that passes the values\n"
        "on (MC McTemplate*, helpers that take the descriptor or the handle\n"
        "as a parameter). A call that passes a TraceLogging event blob's\n"
        "address is a site even when nothing names the function it calls.\n"
        "\n"
        "A site is reported where its values are settled: for a write through\n"
        "a wrapper, the call to the wrapper (the 'via' column names the\n"
        "wrappers down to the API call). How the provider and the event were\n"
        "found is in resolved_by; what could not be found is in unresolved,\n"
        "never guessed:\n"
        "  handle-is-parameter, descriptor-is-parameter, value-is-parameter\n"
        "      the value comes from a parameter of a function nobody calls\n"
        "      directly (an export or callback)\n"
        "  handle-unknown, value-unknown, guid-unknown, descriptor-on-heap,\n"
        "  descriptor-partial   the value is not a constant, global or\n"
        "      frame-built one the analysis can follow\n"
        "  no-registration      no registration call fills that REGHANDLE\n"
        "  descriptor-implausible  the 16 bytes are no EVENT_DESCRIPTOR\n"
        "  event-not-in-catalog, provider-not-in-catalog  the values are\n"
        "      known but the image (and --with modules) do not describe them\n"
        "  indirect-call, api-not-recognised, budget\n"
        "\n"
        "Options:\n"
        "  --format FMT     tsv (default) or jsonl\n"
        "  --coverage       instead of the sites: per catalog provider, how\n"
        "                   many of its events have a resolved site, the\n"
        "                   events without one (missing) and sites whose\n"
        "                   event the catalog lacks (extra); classic writes\n"
        "                   are left out (MOF, not a catalog, describes them)\n"
        "  --with M         another module: its events resolve this image's\n"
        "                   descriptors (coreclr.dll --with clretwrc.dll,\n"
        "                   whose resource holds coreclr's manifest), and a\n"
        "                   call to one of its exported wrappers is a site\n"
        "                   here (win32kfull.sys --with win32kbase.sys:\n"
        "                   EtwTrace* wrappers; the descriptor may be passed\n"
        "                   from here); x64 modules are analysed, others only\n"
        "                   catalogued; may be repeated\n"
        "  --pdb PDB        use this PDB (names, symbols, WPP messages)\n"
        "  --force-pdb      use the PDB even when it does not match\n"
        "  --no-pdb         do not look for a PDB\n"
        SYM_HELP_OPTIONS
        "  -h, --help       this help\n"
        "\n"
        "TSV columns: site_rva function action (write, register, unregister,\n"
        "support) kind (manifest, manifest-string, tracelogging,\n"
        "legacy-kernel, wpp, classic) api provider_guid provider_name\n"
        "event_id (legacy: hook id; wpp: message number; classic: type)\n"
        "version event_name level keyword (legacy: group mask) via\n"
        "resolved_by (provider/event) unresolved event_guid (wpp: message\n"
        "GUID; classic: event class GUID).\n"
        "JSON Lines: the output contract's site keys (site_rva, function,\n"
        "function_rva, api, kind, provider_guid, provider_name, event_id,\n"
        "event_version, event_name, channel, level, opcode, task, keyword,\n"
        "fields, message, provider_symbol, reghandle_symbol, event_symbol,\n"
        "resolved_by, unresolved) plus action, api_rva, via, handle_rva,\n"
        "descriptor_rva, registration_rva, group_mask, hook_id,\n"
        "message_guid, message_number, string, event_guid (classic: the\n"
        "header's class GUID; its type is opcode).\n"
        "\n"
        "Exit status: 0 success; 1 a PDB beside the image did not match and\n"
        "was ignored; 2 bad input or usage (non-x64 images included).\n"
        "\n"
        "Examples:\n"
        "  etwmap sites fltMgr.sys\n"
        "  etwmap sites --format jsonl ci.dll | jq -c 'select(.unresolved != [])'\n"
        "  etwmap sites coreclr.dll --with clretwrc.dll --coverage\n",
        out);
}

static int sites_one(const sites_opts *o, const char *path)
{
    cli_analysis a;
    int rc = cli_analyse(&a, &o->pdb, o->with, o->n_with, path);
    if (rc == EXIT_OK) {
        int w = o->coverage ? sites_coverage_write(stdout, &a.cat, &a.sites)
                : o->format == FMT_JSONL ? sites_jsonl_write(stdout, &a.e, &a.sites)
                                         : sites_tsv_write(stdout, &a.e, &a.sites);
        if (w != 0) {
            cli_error("sites: cannot write output");
            rc = EXIT_BAD_INPUT;
        }
    }
    return cli_analysis_close(&a, rc, path);
}

int cmd_sites(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PDB_LONG_OPTIONS,
        {"format", required_argument, NULL, 'f'},
        {"coverage", no_argument, NULL, 'c'},
        {"with", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sites_opts o = {0};
    o.with = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.with);
    if (!o.with) {
        cli_error("sites: out of memory");
        return EXIT_BAD_INPUT;
    }
    int rc = EXIT_OK;
    int ch;
    while (rc == EXIT_OK &&
           (ch = getopt_long(argc, argv, "hp:f:", opts, NULL)) != -1) {
        if (cli_pdb_option(&o.pdb, ch, optarg))
            continue;
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "tsv") == 0)
                o.format = FMT_TSV;
            else if (strcmp(optarg, "jsonl") == 0)
                o.format = FMT_JSONL;
            else {
                cli_error("sites: unknown format '%s' (tsv or jsonl)", optarg);
                rc = EXIT_BAD_INPUT;
            }
            break;
        case 'c': o.coverage = true; break;
        case 'w': o.with[o.n_with++] = optarg; break;
        case 'h':
            usage(stdout);
            free(o.with);
            return EXIT_OK;
        default: usage(stderr); rc = EXIT_BAD_INPUT; break;
        }
    }
    int n_files = argc - optind;
    if (rc == EXIT_OK && n_files != 1) {
        cli_error("sites: give one FILE (%d given; try 'etwmap sites --help')",
                  n_files);
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK && cli_pdb_opts_check("sites", &o.pdb, n_files) != EXIT_OK)
        rc = EXIT_BAD_INPUT;
    if (rc == EXIT_OK)
        rc = sites_one(&o, argv[optind]);
    if (rc != EXIT_BAD_INPUT && fflush(stdout) != 0) {
        cli_error("sites: cannot write output");
        rc = EXIT_BAD_INPUT;
    }
    free(o.with);
    return rc;
}
