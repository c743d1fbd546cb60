/*
 * sym_find.h - the one way every etwmap command finds an image's PDB.
 *
 * Look-up order:
 *   1. --pdb (sym_options.pdb_path): that file only;
 *   2. the image's own directory, under the file name from its RSDS
 *      record (pdb_locate.h);
 *   3. the symbol path (sympath.h): --symbol-path, else $_NT_SYMBOL_PATH,
 *      else the default cache only. Local stores first as the path orders
 *      them; http(s) stores unless sym_options.offline. A file found in a
 *      store further along a srv* chain, or by a cache* element's right,
 *      is copied into the stores before it (the cache).
 *
 * Every candidate is opened with pdb_open and checked with pdb_match
 * against the image's RSDS GUID and age before it is used; a download, a
 * decompressed .pd_ or a copy is checked before it gets its final name in
 * the cache, written to a temporary file in the same directory and renamed
 * (symstore.h), so the cache never holds a truncated or wrong PDB under a
 * final name. The RSDS name is untrusted: only its sanitised file-name part
 * (sym_pdb_file_name) is used, in local paths and in URLs, so nothing is
 * read or written outside the stores and caches the symbol path names.
 */
#ifndef SYM_FIND_H
#define SYM_FIND_H

#include "base/ew.h"
#include "base/ew_file.h"
#include "format/pdb.h"
#include "format/pe.h"

#include <stdbool.h>

typedef struct sym_options {
    const char *pdb_path;    /* --pdb: use this file, nothing else */
    const char *symbol_path; /* --symbol-path; NULL: $_NT_SYMBOL_PATH, and
                                when that is unset or empty, the default
                                cache only (never the network) */
    bool offline;            /* --offline: no http(s) store is asked */
    bool force;              /* --force-pdb: use a mismatched --pdb, or a
                                mismatched PDB beside the image when no
                                matching one is found */
    unsigned pdb_flags;      /* for pdb_open (PDB_LOAD_ANNOTATIONS) */
} sym_options;

/* Options text for a command's --help, and the environment they read. */
#define SYM_HELP_OPTIONS                                                       \
    "  --symbol-path P  where to look for PDBs after the image's directory,\n" \
    "                   in _NT_SYMBOL_PATH syntax: 'srv*CACHE*URL', 'srv*'\n"  \
    "                   (default cache + Microsoft's symbol server),\n"       \
    "                   'cache*DIR', plain directories, ';'-separated.\n"     \
    "                   Default: $_NT_SYMBOL_PATH, else the local cache only\n"\
    "  --offline        never use the network (local stores and caches only)\n"
#define SYM_HELP_ENV                                                          \
    "Environment: _NT_SYMBOL_PATH (symbol path), ETWMAP_SYMBOL_SERVER (the\n"  \
    "server 'srv*' means), ETWMAP_HTTP_TIMEOUT (seconds), XDG_CACHE_HOME\n"    \
    "(cache: $XDG_CACHE_HOME/etwmap/symbols, else ~/.cache/etwmap/symbols),\n" \
    "http_proxy, https_proxy, no_proxy.\n"

typedef enum sym_state {
    SYM_NONE,       /* nothing to look for: the image has no RSDS record */
    SYM_NOT_FOUND,  /* looked everywhere; note says where and why */
    SYM_MATCHED,    /* GUID and age agree */
    SYM_FORCED,     /* mismatched (or unmatchable), used because forced */
    SYM_MISMATCH,   /* only a PDB of another build was found beside the
                       image (or given): ignored */
    SYM_UNREADABLE, /* only a malformed PDB was found beside the image */
    SYM_STATE_COUNT
} sym_state;

typedef enum sym_how {
    SYM_HOW_NONE,       /* not found */
    SYM_HOW_GIVEN,      /* --pdb */
    SYM_HOW_BESIDE,     /* the image's directory */
    SYM_HOW_DIR,        /* a plain directory of the symbol path */
    SYM_HOW_STORE,      /* a local symbol store or cache (maybe through
                           file.ptr, maybe decompressed) */
    SYM_HOW_DOWNLOADED, /* fetched from a symbol server by this call */
    SYM_HOW_COUNT
} sym_how;

typedef struct sym_found {
    sym_state state;
    sym_how how;
    char path[4096];     /* the PDB in use (MATCHED, FORCED) or the one
                            ignored (MISMATCH, UNREADABLE); else "" */
    char source[4096];   /* where it came from: the store directory, the
                            URL downloaded, the file.ptr target; or "" */
    char key[600];       /* "name.pdb/GUIDAGE/name.pdb", or "" when the
                            image names no usable PDB */
    char note[2048];     /* not found: where it looked and why it failed;
                            ignored: why; matched with problem: what went
                            wrong on the way */
    bool problem;        /* something failed or was ignored (a server
                            error, a wrong or broken PDB, an unsafe name, a
                            cache that could not be written), as opposed to
                            the PDB simply not being anywhere */
    /* when open (MATCHED, FORCED): */
    ew_file file;        /* the mapping (path -> this->path) */
    pdb_file pdb;        /* opened with sym_options.pdb_flags */
    bool open;
} sym_found;

/* "none", "not-found", "matched", "forced", "mismatch", "unreadable". */
const char *sym_state_name(sym_state s);
/* "none", "given", "beside-image", "directory", "store", "downloaded". */
const char *sym_how_name(sym_how h);

/* Checks the options once, before any file: EW_E_USAGE/EW_E_LIMIT with d
 * naming --symbol-path or _NT_SYMBOL_PATH and the element at fault. */
ew_status sym_options_check(const sym_options *o, ew_diag *d);

/* Finds, verifies and opens the PDB of the image at image_path whose
 * CodeView record is cv (cv->present false: only --pdb can give one).
 * out must stay where it is while open (its pdb and file point into it);
 * release with sym_found_close.
 *
 * Returns EW_OK whatever was found (out->state says what); an error only
 * when the caller must stop (exit 2):
 *   - the --pdb file cannot be read or parsed: its status, d filled
 *     (d->file = out->path);
 *   - the --pdb file does not match and o->force is false: EW_E_MISMATCH,
 *     d holds pdb_match's diagnostic, out->note its text;
 *   - the symbol path is malformed: EW_E_USAGE / EW_E_LIMIT.
 * Network failures, wrong files served and unsafe names are data:
 * out->state SYM_NOT_FOUND (or the beside-image state) with out->problem. */
ew_status sym_find_pdb(const sym_options *o, const char *image_path,
                       const pe_codeview *cv, sym_found *out, ew_diag *d);

/* Unmaps and closes; out keeps state, path and note. */
void sym_found_close(sym_found *out);

#endif
