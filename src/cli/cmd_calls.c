/*
 * cmd_calls.c - `etwmap calls`: what the whole engine (analysis/engine.h)
 * sees in an image's code, for checking a result: each function found,
 * its call sites with their callees and argument values, its summary
 * (parameters flowing into ETW API calls) and the ETW API calls settled in
 * it. Output by output/calls_text.h and output/calls_jsonl.h.
 */
#include "cli.h"
#include "cli_image.h"

#include "analysis/engine.h"
#include "base/ew_file.h"
#include "format/pdb.h"
#include "format/pe.h"
#include "output/calls_jsonl.h"
#include "output/calls_text.h"
#include "symbols/sym_find.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef enum { FMT_TEXT, FMT_JSONL } calls_format;

typedef struct calls_opts {
    cli_pdb_opts pdb;       /* --pdb, --symbol-path, ... */
    calls_format format;
    bool etw_only;          /* --etw-only */
    const char **selectors; /* --function values, argv-borrowed */
    size_t n_selectors;
} calls_opts;

static void usage(FILE *out)
{
    fputs(
        "usage: etwmap calls [OPTIONS] FILE\n"
        "\n"
        "Show what the code analysis sees in an x64 PE image: every function\n"
        "it found (from .pdata, exports, PDB publics, the entry point, the CFG\n"
        "table and call targets); each call site in it with its callee and\n"
        "the argument values there; the function's summary (which of its\n"
        "parameters flow into which argument of an ETW API call, through any\n"
        "wrappers); and the ETW API calls whose values are settled in it.\n"
        "Use it to check why an event is or is not attributed to a function.\n"
        "\n"
        "Options:\n"
        "  --function F     only the function named F (exact name), or the\n"
        "                   one holding rva F (0x..., e.g. a site rva); may be\n"
        "                   repeated. An unknown F is an error (exit 2)\n"
        "  --etw-only       only functions that call an ETW API, directly or\n"
        "                   through a wrapper (a call site to an API, a\n"
        "                   summary, or an etw-site line); all their lines\n"
        "                   are listed\n"
        "  --format FMT     text (default) or jsonl\n"
        "  --pdb PDB        use this PDB for function and data names; refused\n"
        "                   when it does not match the image\n"
        "  --force-pdb      use the PDB even when it does not match\n"
        "  --no-pdb         do not look for a PDB (names from exports only,\n"
        "                   others are sub_RVA)\n"
        SYM_HELP_OPTIONS
        "  -h, --help       this help\n"
        "\n"
        "Text output: per function one header line, one line per call site,\n"
        "then its summary and etw-site lines. Every line starts with the\n"
        "function's rva and name, so grep keeps them:\n"
        "  RVA NAME  function size SIZE [FLAGS]\n"
        "       FLAGS: exported, thunk of DLL!NAME (an import thunk,\n"
        "       `jmp [IAT]`), truncated (a decoding budget was hit), bad-code,\n"
        "       no-code; values-passes, values-slots, values-pool,\n"
        "       values-decode (a value tracking budget was hit: the values in\n"
        "       this function may be partial)\n"
        "  RVA NAME  KIND SITE -> CALLEE [API]  ARGS\n"
        "       KIND   call (direct or through the IAT), tail (a jump to\n"
        "              another function or import), thunk-call (a call to an\n"
        "              import thunk), indirect-call, indirect-jump (through a\n"
        "              register or memory)\n"
        "       SITE   rva of the call/jmp instruction\n"
        "       CALLEE NAME (RVA) for a function of the image, DLL!NAME for an\n"
        "              import (DLL!#N by ordinal), ? for an indirect target\n"
        "              the analysis did not find\n"
        "       API    the ETW API kind when the callee is one: register,\n"
        "              unregister, write, write-string, ... (as in 'etwmap info')\n"
        "       ARGS   argN=VALUE for the arguments rcx, rdx, r8, r9, [rsp+20h],\n"
        "              [rsp+28h] (N = 0..5), up to the last known one\n"
        "  RVA NAME  summary SITE -> [WRAPPER -> ...] API@SINK [KIND]  ARGS\n"
        "       the call at SITE leads, through the wrappers named, to the ETW\n"
        "       API call at SINK, with these values for the API's arguments\n"
        "       that matter; some name this function's parameters (param1):\n"
        "       callers substitute their own values\n"
        "  RVA NAME  etw-site SITE -> [WRAPPER -> ...] API@SINK [KIND] STATUS  ARGS\n"
        "       an ETW API call whose values are settled at SITE. STATUS:\n"
        "       final (they no longer depend on parameters; some may still be\n"
        "       ?), no-caller (they name a parameter of a function nobody in\n"
        "       the image calls directly, or an export, entry point or CFG\n"
        "       target), budget (a wrapper depth or effect cap was hit)\n"
        "       ARGS of summary and etw-site lines: argN:ROLE=VALUE, ROLE what\n"
        "       the API does with the argument (handle, descriptor, guid,\n"
        "       handle-out, provider, event, logger, message-guid,\n"
        "       message-number, group-mask, hook-id, level, keyword, ...)\n"
        "\n"
        "VALUE notation:\n"
        "  ?                  unknown\n"
        "  0x4                a constant\n"
        "  &0x2060(SYM)       the address of image rva 0x2060, (SYM) its PDB,\n"
        "                     export or function name when one starts there\n"
        "  [0x3060(SYM)]      loaded from image rva 0x3060 (8 bytes; :N after\n"
        "                     the bracket for N bytes)\n"
        "  frame-0x38->HEX    an address in the function's frame (entry rsp -\n"
        "                     0x38) and the 16 bytes there, \"..\" for an\n"
        "                     unknown byte (left out when none is known);\n"
        "                     frame(W)-0x38 is in wrapper W's frame\n"
        "  param1, param1+0x8 incoming parameter 1 (0-based), plus an offset\n"
        "  param1*0x10+&0x30d0(SYM)  parameter 1 times 16 plus the address of\n"
        "                     rva 0x30d0: an element of a table\n"
        "  [param0+0x20]      loaded from parameter 0 + 0x20 (:N as above)\n"
        "  {V|V}              one of these values (paths merge)\n"
        "  result(0x501e.arg3) what the call at 0x501e wrote through its\n"
        "                     argument 3 (a REGHANDLE registered in the frame)\n"
        "  bytes:HEX          a vector value\n"
        "\n"
        "JSON Lines (--format jsonl): one object per function with the keys\n"
        "function, function_rva, size, exported, thunk, status, value_status\n"
        "and sites [{site_rva, kind, callee, callee_rva, import_dll, etw_api,\n"
        "args}], summary and etw_sites [{site_rva, api, api_kind, callee,\n"
        "sink_rva, sink_function, sink_function_rva, via, args} (etw_sites\n"
        "add status)]. rvas are \"0x...\" strings, absent values null; for an\n"
        "import, callee is the imported name and import_dll its DLL. args\n"
        "holds 6 objects by argument position, keyed by kind: {kind:\"const\",\n"
        "value}, {kind:\"addr\", rva, symbol}, {kind:\"load\", rva, size,\n"
        "symbol}, {kind:\"stack\", offset, frame_function, bytes},\n"
        "{kind:\"param\", param, scale, offset, rva, symbol} (rva: a table\n"
        "element), {kind:\"param-load\", param, offset, size},\n"
        "{kind:\"alt\", alternatives}, {kind:\"result\", call_rva, arg},\n"
        "{kind:\"bytes\", size, bytes}, {kind:\"unknown\"}; in summary and\n"
        "etw_sites each also has role, and the arguments the API's resolution\n"
        "does not use are null.\n"
        "\n"
        "Only x64 code is decoded: other machines (ARM64, x86) exit with\n"
        "status 2 and a one-line diagnostic.\n"
        "\n"
        "Exit status: 0 success; 1 the listing is complete but a PDB beside\n"
        "the image did not match and was ignored; 2 bad input or usage\n"
        "(including an unknown --function).\n"
        "\n"
        "Examples:\n"
        "  etwmap calls --etw-only kdriver.sys\n"
        "  etwmap calls kdriver.sys | grep -- '-> .*EtwWrite'\n"
        "  etwmap calls kdriver.sys | grep ' etw-site .*descriptor='\n"
        "  etwmap calls --function KdOpenWidget --function 0x1281 kdriver.sys\n"
        "  etwmap calls --format jsonl udll.dll \\\n"
        "      | jq -c '.etw_sites[] | [.site_rva, .api, .args[1].symbol]'\n",
        out);
}

/* An rva "0x..." in s into *rva; false when s is not one. */
static bool parse_rva(const char *s, uint32_t *rva)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s + 2, &end, 16);
    if (errno || *end || v > UINT32_MAX)
        return false;
    *rva = (uint32_t)v;
    return true;
}

/* Marks in keep[] the functions selector sel names; false (with a
 * message) when there is none. */
static bool select_functions(const fn_set *set, const char *sel, bool *keep,
                             const char *path)
{
    uint32_t rva;
    if (parse_rva(sel, &rva)) {
        const fn_function *f = fn_find(set, rva);
        if (!f)
            f = fn_containing(set, rva);
        if (f) {
            keep[f - set->functions] = true;
            return true;
        }
        cli_error("calls: %s: no function starts at or holds rva %s "
                  "(see 'etwmap calls %s' for the list)",
                  path, sel, path);
        return false;
    }
    bool found = false;
    for (size_t i = 0; i < set->n_functions; i++) {
        const char *name = set->functions[i].name;
        if (name && strcmp(name, sel) == 0) {
            keep[i] = true;
            found = true;
        }
    }
    if (!found)
        cli_error("calls: %s: no function named '%s' (names are exact, from "
                  "the PDB and exports; give an rva as 0x...)",
                  path, sel);
    return found;
}

static int write_calls(const calls_opts *o, const engine *e, const char *path)
{
    const fn_set *set = &e->fns;
    size_t n = set->n_functions;
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    uint32_t *fns = calloc(n ? n : 1, sizeof *fns);
    calls_ctx x;
    if (!keep || !fns || calls_ctx_init(&x, e) != 0) {
        free(keep);
        free(fns);
        cli_error("%s: out of memory", path);
        return EXIT_BAD_INPUT;
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->n_selectors && rc == EXIT_OK; i++)
        if (!select_functions(set, o->selectors[i], keep, path))
            rc = EXIT_BAD_INPUT;
    if (rc == EXIT_OK) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (o->n_selectors && !keep[i])
                continue;
            if (o->etw_only && !calls_is_etw_function(&x, i))
                continue;
            fns[m++] = (uint32_t)i;
        }
        int w = o->format == FMT_JSONL ? calls_jsonl_write(stdout, &x, fns, m)
                                       : calls_text_write(stdout, &x, fns, m);
        if (w != 0) {
            cli_error("calls: cannot write output");
            rc = EXIT_BAD_INPUT;
        }
    }
    calls_ctx_free(&x);
    free(keep);
    free(fns);
    return rc;
}

static int calls_one(const calls_opts *o, const char *path)
{
    ew_file file;
    pe_image img;
    if (cli_open_image(path, &file, &img) != EXIT_OK)
        return EXIT_BAD_INPUT;
    sym_found *p = calloc(1, sizeof *p);
    int rc = p ? cli_find_pdb(&o->pdb, PDB_LOAD_PROCEDURES, &img, p) : EXIT_BAD_INPUT;
    if (!p)
        cli_error("%s: out of memory", path);
    if (rc == EXIT_OK) {
        engine e;
        ew_diag d;
        ew_diag_init(&d, path);
        if (eng_run(&e, &img, cli_usable_pdb(p), &d) != EW_OK) {
            cli_report(&d);
            rc = EXIT_BAD_INPUT;
        } else {
            rc = write_calls(o, &e, path);
        }
        eng_free(&e);
        if (rc != EXIT_BAD_INPUT) {
            int prc = cli_report_pdb(p, path);
            rc = prc > rc ? prc : rc;
        }
        sym_found_close(p);
    }
    free(p);
    cli_close_image(&file, &img);
    return rc;
}

int cmd_calls(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PDB_LONG_OPTIONS,
        {"function", required_argument, NULL, 'u'},
        {"etw-only", no_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    calls_opts o = {0};
    /* at most one selector per argument */
    o.selectors = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.selectors);
    if (!o.selectors) {
        cli_error("calls: out of memory");
        return EXIT_BAD_INPUT;
    }
    int rc = EXIT_OK;
    int ch;
    while (rc == EXIT_OK &&
           (ch = getopt_long(argc, argv, "hp:f:", opts, NULL)) != -1) {
        if (cli_pdb_option(&o.pdb, ch, optarg))
            continue;
        switch (ch) {
        case 'u': o.selectors[o.n_selectors++] = optarg; break;
        case 'e': o.etw_only = true; break;
        case 'f':
            if (strcmp(optarg, "text") == 0)
                o.format = FMT_TEXT;
            else if (strcmp(optarg, "jsonl") == 0)
                o.format = FMT_JSONL;
            else {
                cli_error("calls: unknown format '%s' (text or jsonl)",
                          optarg);
                rc = EXIT_BAD_INPUT;
            }
            break;
        case 'h':
            usage(stdout);
            free(o.selectors);
            return EXIT_OK;
        default: usage(stderr); rc = EXIT_BAD_INPUT; break;
        }
    }
    int n_files = argc - optind;
    if (rc == EXIT_OK && n_files != 1) {
        cli_error("calls: give one FILE (%d given; try 'etwmap calls --help')",
                  n_files);
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK && cli_pdb_opts_check("calls", &o.pdb, n_files) != EXIT_OK)
        rc = EXIT_BAD_INPUT;
    if (rc == EXIT_OK)
        rc = calls_one(&o, argv[optind]);
    if (rc != EXIT_BAD_INPUT && fflush(stdout) != 0) {
        cli_error("calls: cannot write output");
        rc = EXIT_BAD_INPUT;
    }
    free(o.selectors);
    return rc;
}
