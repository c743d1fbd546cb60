/*
 * sympath.h - the symbol path: where etwmap looks for PDBs, in the syntax
 * of the Windows debugging tools (_NT_SYMBOL_PATH; FORMATS.md §4.8).
 *
 * A symbol path is a list of elements separated by ';' (empty ones and
 * blanks around them are ignored), searched in order:
 *
 *   DIR                 a plain directory: DIR/name.pdb
 *   srv*S1*S2*...*Sn    a chain of symbol stores, each laid out as
 *                       name.pdb/GUIDAGE/name.pdb; S1..Sn-1 are local
 *                       directories ("downstream" caches), Sn may be an
 *                       http(s) URL (an http store must come last). A file
 *                       found further along is copied into the stores
 *                       before it, so the next look-up stops at S1.
 *                       An empty Si is the default cache.
 *   srv*URL             as srv**URL: the default cache, then URL (etwmap
 *                       must keep a downloaded file somewhere)
 *   srv*                the default cache, then the default server
 *                       (Microsoft's public symbol server, or
 *                       $ETWMAP_SYMBOL_SERVER) - WinDbg's .symfix
 *   symsrv*DLL*...      the same as srv*... (DLL is ignored)
 *   cache*DIR, cache*   look in DIR (the default cache) as a store, and
 *                       copy there whatever an element to the right finds
 *
 * With no symbol path at all, etwmap looks only in the default cache and
 * never goes online (sym_path_parse with text NULL).
 *
 * Local paths may start with "~/" ($HOME). Windows paths (C:\x, \\server)
 * and URLs outside a srv* chain are refused with EW_E_USAGE, so a path
 * copied from a Windows machine cannot quietly create odd directories.
 */
#ifndef SYMPATH_H
#define SYMPATH_H

#include "base/ew.h"
#include "base/ew_arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Caps on what the user (or the environment) hands in. Real symbol paths
 * are a few hundred bytes with fewer than ten elements. */
#define SYM_MAX_PATH_TEXT 32768 /* bytes of symbol path text */
#define SYM_MAX_ELEMENTS 64     /* ';'-separated elements */
#define SYM_MAX_CHAIN 8         /* stores in one srv* chain */

/* Microsoft's public symbol server: what srv* means unless
 * $ETWMAP_SYMBOL_SERVER says otherwise. */
#define SYM_MICROSOFT_SERVER "https://msdl.microsoft.com/download/symbols"

typedef enum sym_el_kind {
    SYM_EL_DIR,   /* plain directory, flat */
    SYM_EL_SRV,   /* chain of symbol stores */
    SYM_EL_CACHE, /* cache*DIR */
    SYM_EL_COUNT
} sym_el_kind;

typedef struct sym_store {
    const char *loc; /* arena: local directory (no trailing '/') or URL
                        (http:// or https://, no trailing '/') */
    bool http;       /* loc is a URL */
} sym_store;

typedef struct sym_element {
    sym_el_kind kind;
    sym_store stores[SYM_MAX_CHAIN]; /* DIR, CACHE: one; SRV: downstream
                                        first, at most the last is http */
    size_t n_stores;                 /* >= 1 */
} sym_element;

typedef struct sym_path {
    sym_element *el;           /* arena */
    size_t n;
    const char *default_cache; /* arena: $XDG_CACHE_HOME/etwmap/symbols or
                                  ~/.cache/etwmap/symbols; NULL when there
                                  is neither (then no element uses it) */
    ew_arena arena;
} sym_path;

/* What the parser takes from the environment; tests fill it by hand. */
typedef struct sym_env {
    const char *home;           /* $HOME, or NULL */
    const char *xdg_cache_home; /* $XDG_CACHE_HOME, or NULL (relative
                                   values are ignored, as the XDG spec says) */
    const char *server;         /* $ETWMAP_SYMBOL_SERVER, or NULL/"" for
                                   SYM_MICROSOFT_SERVER */
} sym_env;

/* Reads HOME, XDG_CACHE_HOME and ETWMAP_SYMBOL_SERVER (borrowed). */
void sym_env_from_environ(sym_env *e);

/* The default cache directory into out; false when neither
 * XDG_CACHE_HOME (absolute) nor HOME is set, or it does not fit. */
bool sym_default_cache(const sym_env *e, char *out, size_t size);

/* Parses text (NULL: the default path, the default cache only). On failure
 * returns EW_E_USAGE or EW_E_LIMIT with d naming the element and why; p is
 * then empty (sym_path_free is harmless). d->file should name the source
 * ("--symbol-path", "_NT_SYMBOL_PATH"). */
ew_status sym_path_parse(sym_path *p, const char *text, const sym_env *e,
                         ew_diag *d);
void sym_path_free(sym_path *p);

/* The path as etwmap understood it ("srv*DIR*https://x;cache*DIR;DIR") into
 * buf (cut when too long); returns buf. */
const char *sym_path_format(const sym_path *p, char *buf, size_t size);

/* Does text start with http:// or https:// (case-insensitive)? */
bool sym_is_http_url(const char *text);

#endif
