/*
 * symstore.h - symbol-store layout, local store look-up, atomic writes into
 * a cache, file.ptr redirections and compressed (CAB) files.
 *
 * Layout (FORMATS.md §4.8; SymSrv, symstore.exe, SSQP):
 *
 *   STORE/name.pdb/KEY/name.pdb   the PDB
 *   STORE/name.pdb/KEY/name.pd_   the same, compressed: a Microsoft Cabinet
 *                                 ("MSCF") holding one file
 *   STORE/name.pdb/KEY/file.ptr   text: "PATH:<where the file is>" or
 *                                 "MSG:<why it is not there>"
 *
 *   KEY = GUID as Data1 (8 hex digits), Data2 (4), Data3 (4), Data4 (16,
 *         bytes in order), upper case, then the age in upper-case hex
 *         without leading zeros:
 *         dcomp.pdb/648B8DD0780A4E22FA7FA89B84633C231/dcomp.pdb
 *
 * name is always the sanitised file name (sym_pdb_file_name), so a path
 * built here never leaves STORE. Nothing here checks that a file is the
 * right PDB: sym_find.c verifies every candidate before it is used or kept.
 */
#ifndef SYMSTORE_H
#define SYMSTORE_H

#include "base/ew.h"
#include "base/ew_limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 32 GUID digits + at most 8 age digits + NUL. */
#define SYM_KEY_SIZE 41
/* Largest file.ptr read (real ones are one line, < 300 bytes). */
#define SYM_MAX_PTR_SIZE 4096
/* Largest file etwmap downloads, decompresses or stores: what it could
 * map afterwards (the biggest public PDBs are ~2 GB). */
#define SYM_MAX_STORED_SIZE ((uint64_t)EW_MAX_FILE_SIZE)
/* Temporary files of ours older than this are debris of a killed run
 * (downloads end within SYM_HTTP_TOTAL_TIMEOUT_S, symsrv_http.h) and are
 * removed when the same directory is written again. */
#define SYM_STALE_TMP_SECONDS (2 * 3600)
/* Prefix of our temporary files in a store directory. */
#define SYM_TMP_PREFIX ".etwmap-tmp-"

/* The store key of guid (RSDS byte order) and age into out. */
void sym_key(const uint8_t guid[16], uint32_t age, char out[SYM_KEY_SIZE]);

/* The compressed name: the last character replaced by '_'
 * ("ntkrnlmp.pdb" -> "ntkrnlmp.pd_"). false when it does not fit. */
bool sym_compressed_name(const char *name, char *out, size_t size);

/* "name/KEY/leaf" percent-encoded for a URL (every byte outside
 * [A-Za-z0-9._~-] of name and leaf becomes %XX). false when it does not
 * fit. */
bool sym_url_key_path(const char *name, const char *key, const char *leaf,
                      char *out, size_t size);

/* Does the file start with "MSCF" (a cabinet)? false when unreadable. */
bool sym_is_cab(int fd);

/* ---- file.ptr -------------------------------------------------------- */

typedef enum sym_ptr_kind {
    SYM_PTR_PATH, /* target holds the path or URL */
    SYM_PTR_MSG,  /* target holds the message (printable ASCII only) */
    SYM_PTR_BAD,  /* empty, too long, or not text */
} sym_ptr_kind;

/* Parses the text of a file.ptr: its first line, "PATH:" or "MSG:"
 * prefixes (case-insensitive) or a bare path. target gets the path or the
 * message. */
sym_ptr_kind sym_ptr_parse(const char *text, size_t n, char *target,
                           size_t size);

/* ---- local stores ---------------------------------------------------- */

/* What STORE/name/KEY/ offers, best first. */
typedef enum sym_local_kind {
    SYM_LOCAL_PDB, /* name */
    SYM_LOCAL_CAB, /* the compressed name */
    SYM_LOCAL_PTR, /* file.ptr */
    SYM_LOCAL_COUNT
} sym_local_kind;

/* STORE/name/KEY/leaf-of-kind into out when it is a regular file. */
bool sym_local_find(const char *store, const char *name, const char *key,
                    sym_local_kind kind, char *out, size_t size);

/* Reads a local file.ptr (at most SYM_MAX_PTR_SIZE bytes) into buf
 * (NUL-terminated); false when unreadable or larger. */
bool sym_read_small(const char *path, char *buf, size_t size, size_t *n);

/* ---- atomic writes ---------------------------------------------------- */

/* A temporary file in STORE/name/KEY/ that becomes STORE/name/KEY/name
 * only through sym_tmp_commit. While one is open, SIGINT, SIGTERM and
 * SIGHUP remove it before the process dies; a SIGKILL leaves it behind
 * under its temporary name (never the final one), and the next write into
 * that directory removes it once it is SYM_STALE_TMP_SECONDS old. */
typedef struct sym_tmp {
    int fd;              /* -1 when closed */
    char path[4096];     /* the temporary file */
    char final[4096];    /* where commit puts it */
    char dirs[3][4096];  /* STORE, STORE/name, STORE/name/KEY */
    bool new_dir[3];     /* created by this write: removed again by
                            sym_tmp_abort when empty */
} sym_tmp;

/* Creates STORE (and its parents), STORE/name/KEY/ and a temporary file
 * there. On failure nothing is left (but STORE's parents) and why says
 * what failed. */
ew_status sym_tmp_create(sym_tmp *t, const char *store, const char *name,
                         const char *key, char *why, size_t wsize);
/* Flushes the file and its directory to disk and renames it to t->final
 * (replacing what is there). On failure the temporary file is removed. */
ew_status sym_tmp_commit(sym_tmp *t, char *why, size_t wsize);
/* Removes the temporary file and the directories this write created when
 * they are empty. Harmless on a committed or closed sym_tmp. */
void sym_tmp_abort(sym_tmp *t);
/* Writes size bytes at data into the temporary file. */
ew_status sym_tmp_write(sym_tmp *t, const void *data, size_t size, char *why,
                        size_t wsize);

/* ---- cabinets ---------------------------------------------------------- */

/* Decompresses the single file of the cabinet at cab_path into out_path
 * (libmspack; MSZIP, LZX, Quantum). Refuses cabinets with no file, more
 * than one file, or parts of a cabinet set. A CAB file length is 32 bits,
 * so the output stays below SYM_MAX_STORED_SIZE. The name stored in the
 * cabinet is ignored. */
ew_status sym_cab_extract(const char *cab_path, const char *out_path,
                          char *why, size_t wsize);

#endif
