/*
 * cmd_events.c - `etwmap events`: every ETW provider and event the given
 * binaries describe (catalog/catalog.h), as TSV, JSON Lines or (manifest
 * only) a reconstructed XML manifest (output/manifest_xml.h).
 */
#include "cli.h"
#include "cli_image.h"

#include "base/ew_file.h"
#include "catalog/catalog.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "output/events_jsonl.h"
#include "output/events_tsv.h"
#include "output/manifest_xml.h"
#include "symbols/sym_find.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TSV, FMT_JSONL, FMT_XML } events_format;

typedef struct events_opts {
    cli_pdb_opts pdb;     /* --pdb, --symbol-path, ... */
    bool legacy_kernel;   /* --legacy-kernel */
    unsigned kinds;       /* --kind; CAT_KINDS_ALL by default */
    events_format format;
} events_opts;

static void usage(FILE *out)
{
    fputs(
        "usage: etwmap events [OPTIONS] FILE...\n"
        "       etwmap events --legacy-kernel [OPTIONS] [FILE...]\n"
        "\n"
        "List every ETW provider and event each PE image describes in its own\n"
        "metadata, one line per event:\n"
        "  manifest       the WEVT_TEMPLATE resource (compiled instrumentation\n"
        "                 manifest), with texts from the image's message table\n"
        "  tracelogging   the TraceLogging ETW0 blobs in .rdata\n"
        "  wpp            the TMF trace messages recorded in the PDB\n"
        "  legacy-kernel  with --legacy-kernel: the NT Kernel Logger hook ids\n"
        "                 of ntwmi.h (one table, not per binary)\n"
        "\n"
        "Options:\n"
        "  --format FMT     tsv (default), jsonl, or xml: the image's manifest\n"
        "                   (WEVT_TEMPLATE + message table) reconstructed as an\n"
        "                   instrumentation manifest mc.exe would read (one\n"
        "                   FILE; --kind does not apply)\n"
        "  --kind K[,K..]   only these kinds (manifest, tracelogging, wpp,\n"
        "                   legacy-kernel); may be repeated; legacy-kernel\n"
        "                   implies --legacy-kernel\n"
        "  --legacy-kernel  also list the legacy kernel events (FILE optional)\n"
        "  --pdb PDB        use this PDB for WPP messages (one FILE only);\n"
        "                   refused when it does not match the image\n"
        "  --force-pdb      use the PDB even when it does not match\n"
        "  --no-pdb         do not look for a PDB (no WPP messages)\n"
        SYM_HELP_OPTIONS
        "  -h, --help       this help\n"
        "\n"
        "Without --pdb, the PDB named by the image's RSDS record is looked for\n"
        "beside the image, then along the symbol path (see 'etwmap symbols\n"
        "--help'); one that does not match is ignored with a warning (exit\n"
        "status 1). Only WPP messages need it.\n"
        "\n"
        "TSV columns (a header line first; tabs, newlines and backslashes in\n"
        "values are written \\t \\n \\\\, so one event is always one line):\n"
        "  provider_guid  lower case, no braces; empty when unknown\n"
        "                 (TraceLogging events name no provider in the file:\n"
        "                 only the call that writes one pairs it with its\n"
        "                 provider; the legacy kernel logger has no GUID)\n"
        "  provider_name  from the manifest, the TraceLogging blob, the WPP\n"
        "                 control (TMC) or the TMF component\n"
        "  kind           manifest, tracelogging, wpp, legacy-kernel\n"
        "  event_id       manifest id; TraceLogging id (0 for current blobs,\n"
        "                 an offset for old Event3 blobs); WPP message number;\n"
        "                 legacy hook id\n"
        "  version        event version\n"
        "  event          name(fields): Name(UInt32 Count, UnicodeString Path,\n"
        "                 UInt8 Hash[32], struct S{...}); [N] fixed count,\n"
        "                 [Field] count field, [] count in the data. Manifest\n"
        "                 events have no name in the binary: it is the\n"
        "                 manifest's own opcode name (EEStartupStart), else\n"
        "                 the task name + a standard opcode (Process + win:Start\n"
        "                 = ProcessStart), else the first words of the message\n"
        "                 (FileSystemFilterUnloaded), else Event<id>\n"
        "  opcode, task, level, channel\n"
        "                 the name (manifest records, message table, or the\n"
        "                 standard win: names), else the number; legacy\n"
        "                 kernel: task = trace group, opcode = event type\n"
        "  keywords       keyword names joined by '|' (a manifest's channel\n"
        "                 bits are named after their channel), unnamed bits\n"
        "                 as hex; legacy kernel: empty, the group mask is\n"
        "                 known only at the call that writes the event\n"
        "  message        the message-table text (manifest, with %1 inserts)\n"
        "                 or the WPP format string\n"
        "  file           the input FILE\n"
        "A provider with no event attributed to it (TraceLogging providers;\n"
        "manifests without events) has a line of its own, event columns empty.\n"
        "\n"
        "JSON Lines (--format jsonl): one object per line with the keys kind,\n"
        "provider_guid, provider_name, event_id, event_version, event_name,\n"
        "channel, level, opcode, task, keyword, fields [{name, in_type,\n"
        "out_type}], message, source_rva, file, the names of the values\n"
        "(level_name, keyword_names, ...), and row (\"event\", or \"provider\"\n"
        "for the provider lines above).\n"
        "\n"
        "Exit status: 0 success; 1 the listing is complete but the metadata\n"
        "had problems (each printed as 'etwmap: warning: FILE: ...'), or a\n"
        "PDB beside the image did not match and was ignored; 2 bad input or\n"
        "usage.\n"
        "\n"
        "Examples:\n"
        "  etwmap events win32kbase.sys | grep -i uipi\n"
        "  etwmap events --kind manifest ci.dll | cut -f4,6,12\n"
        "  etwmap events --format jsonl clretwrc.dll | jq -r .event_name\n"
        "  etwmap events --legacy-kernel --kind legacy-kernel | grep PROCESS\n"
        "  etwmap events --format xml ci.dll > ci.man\n",
        out);
}

/* ---- output ------------------------------------------------------------ */

static int write_catalog(const events_opts *o, const cat_catalog *c,
                         const char *file)
{
    unsigned kinds = o->kinds;
    int r = o->format == FMT_JSONL ? events_jsonl_write(stdout, c, file, kinds)
                                   : events_tsv_write(stdout, c, file, kinds);
    return r == 0 ? EXIT_OK : EXIT_BAD_INPUT;
}

/* The image's manifest as a reconstructed XML manifest. EXIT_PROBLEMS
 * (with a warning) when the image has none. */
static int write_xml(const cat_catalog *c, const char *path)
{
    if (!c->manifest) {
        cli_warn("%s: no usable WEVT_TEMPLATE manifest: nothing to write as "
                 "XML",
                 path);
        return EXIT_PROBLEMS;
    }
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (manifest_xml_write(stdout, c->manifest, c->messages, name) != 0) {
        cli_error("events: cannot write output");
        return EXIT_BAD_INPUT;
    }
    return EXIT_OK;
}

/* Prints c's warnings; EXIT_PROBLEMS when there were any. */
static int report_warnings(const cat_catalog *c, const char *file)
{
    for (size_t i = 0; i < c->n_warnings; i++)
        cli_warn("%s: %s", file, c->warnings[i]);
    if (c->n_warnings_dropped)
        cli_warn("%s: %zu more warnings not shown", file,
                 c->n_warnings_dropped);
    return c->n_warnings || c->n_warnings_dropped ? EXIT_PROBLEMS : EXIT_OK;
}

static int events_one(const events_opts *o, const char *path)
{
    ew_file file;
    pe_image img;
    if (cli_open_image(path, &file, &img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    sym_found *p = calloc(1, sizeof *p);
    int rc = p ? cli_find_pdb(&o->pdb, PDB_LOAD_ANNOTATIONS /* WPP */, &img, p) : EXIT_BAD_INPUT;
    if (!p)
        cli_error("%s: out of memory", path);
    if (rc == EXIT_OK) {
        ew_arena a;
        ew_arena_init(&a, 0);
        cat_catalog c;
        ew_diag d;
        ew_diag_init(&d, path);
        ew_status s = cat_build(&c, &img, cli_usable_pdb(p), &a, &d);
        if (s != EW_OK) {
            cli_report(&d);
            rc = EXIT_BAD_INPUT;
        } else if (o->format == FMT_XML) {
            /* the warnings first: they say why a manifest is missing */
            int prc = report_warnings(&c, path);
            int wrc = write_xml(&c, path);
            rc = wrc > prc ? wrc : prc;
        } else {
            int wrc = write_catalog(o, &c, path);
            int prc = report_warnings(&c, path);
            rc = wrc > prc ? wrc : prc;
        }
        if (rc != EXIT_BAD_INPUT) {
            int prc = cli_report_pdb(p, path);
            rc = prc > rc ? prc : rc;
        }
        ew_arena_free(&a);
        sym_found_close(p);
    }
    free(p);
    cli_close_image(&file, &img);
    return rc;
}

static int events_legacy(const events_opts *o)
{
    ew_diag d;
    ew_diag_init(&d, "ntwmi.h");
    ew_arena a;
    ew_arena_init(&a, 0);
    cat_catalog c;
    int rc = EXIT_OK;
    if (cat_build_legacy_kernel(&c, &a, &d) != EW_OK) {
        cli_report(&d);
        rc = EXIT_BAD_INPUT;
    } else {
        rc = write_catalog(o, &c, NULL);
    }
    ew_arena_free(&a);
    return rc;
}

/* "manifest,wpp" into a kind set; false (with a message) on a bad name. */
static bool parse_kinds(const char *arg, unsigned *kinds)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    for (char *s = strtok(buf, ","); s; s = strtok(NULL, ",")) {
        cat_kind k;
        if (!cat_kind_parse(s, &k)) {
            cli_error("events: unknown kind '%s' (manifest, tracelogging, "
                      "wpp, legacy-kernel)",
                      s);
            return false;
        }
        if (k == CAT_KIND_CLASSIC) { /* MOF is not read (catalog.h) */
            cli_error("events: classic providers describe their events in "
                      "MOF, which etwmap does not read; `etwmap sites` "
                      "reports their TraceEvent writes");
            return false;
        }
        *kinds |= CAT_KIND_BIT(k);
    }
    return true;
}

int cmd_events(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PDB_LONG_OPTIONS,
        {"format", required_argument, NULL, 'f'},
        {"kind", required_argument, NULL, 'k'},
        {"legacy-kernel", no_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    events_opts o = {0};
    unsigned kinds = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "hp:f:k:", opts, NULL)) != -1) {
        if (cli_pdb_option(&o.pdb, ch, optarg))
            continue;
        switch (ch) {
        case 'L': o.legacy_kernel = true; break;
        case 'k':
            if (!parse_kinds(optarg, &kinds))
                return EXIT_BAD_INPUT;
            break;
        case 'f':
            if (strcmp(optarg, "tsv") == 0)
                o.format = FMT_TSV;
            else if (strcmp(optarg, "jsonl") == 0)
                o.format = FMT_JSONL;
            else if (strcmp(optarg, "xml") == 0)
                o.format = FMT_XML;
            else {
                cli_error("events: unknown format '%s' (tsv, jsonl or xml)",
                          optarg);
                return EXIT_BAD_INPUT;
            }
            break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_BAD_INPUT;
        }
    }
    o.kinds = kinds ? kinds : CAT_KINDS_ALL;
    /* asking for the kind is asking for the table */
    if (kinds & CAT_KIND_BIT(CAT_KIND_LEGACY_KERNEL))
        o.legacy_kernel = true;
    int n_files = argc - optind;
    if (n_files < 1 && !o.legacy_kernel) {
        cli_error("events: no FILE given (try 'etwmap events --help')");
        return EXIT_BAD_INPUT;
    }
    if (cli_pdb_opts_check("events", &o.pdb, n_files) != EXIT_OK)
        return EXIT_BAD_INPUT;
    if (o.format == FMT_XML && n_files != 1) {
        cli_error("events: --format xml writes one manifest: give one FILE "
                  "(%d given)",
                  n_files);
        return EXIT_BAD_INPUT;
    }
    if (o.format == FMT_XML && o.legacy_kernel) {
        cli_error("events: --format xml describes manifests; it cannot list "
                  "--legacy-kernel events");
        return EXIT_BAD_INPUT;
    }
    if (o.format == FMT_TSV && events_tsv_header(stdout) != 0) {
        cli_error("events: cannot write output");
        return EXIT_BAD_INPUT;
    }
    int worst = EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int rc = events_one(&o, argv[i]);
        if (rc > worst)
            worst = rc;
    }
    if (o.legacy_kernel && (o.kinds & CAT_KIND_BIT(CAT_KIND_LEGACY_KERNEL))) {
        int rc = events_legacy(&o);
        if (rc > worst)
            worst = rc;
    }
    if (fflush(stdout) != 0) {
        cli_error("events: cannot write output");
        return EXIT_BAD_INPUT;
    }
    return worst;
}
