/*
 * cli.h - what the subcommands share: exit codes, the registry, helpers.
 *
 * Exit codes (documented in --help, README and the man page):
 *   0  success
 *   1  the run completed but analysis found problems (e.g. a PDB that does
 *      not match was found and ignored)
 *   2  bad input or usage: unreadable or malformed file, bad option
 */
#ifndef CLI_H
#define CLI_H

#include "base/ew.h"

#include <stdio.h>

enum { EXIT_OK = 0, EXIT_PROBLEMS = 1, EXIT_BAD_INPUT = 2 };

/* X(name, function, one-line summary) - one entry per subcommand. */
#define CLI_COMMANDS(X) \
    X(info, cmd_info, "summarise a PE image and its PDB: headers, imports, ETW metadata present") \
    X(events, cmd_events, "list the ETW providers and events a binary describes (manifest, TraceLogging, WPP, legacy kernel)") \
    X(calls, cmd_calls, "show what the code analysis sees: functions, call sites with argument values, summaries, ETW calls") \
    X(sites, cmd_sites, "find every ETW registration and event write in the code, provider and event resolved") \
    X(map, cmd_map, "map each API or system call to the ETW events it can write, with call paths (CSV)") \
    X(symbols, cmd_symbols, "find or download each image's PDB (symbol path, symbol server, cache) and say where it came from")

#define X(name, fn, summary) int fn(int argc, char **argv);
CLI_COMMANDS(X)
#undef X

/* "etwmap: FILE: STRUCTURE at 0xOFF: problem (detail)" on stderr. */
void cli_report(const ew_diag *d);
/* "etwmap: " + message on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
