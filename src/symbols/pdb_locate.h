/*
 * pdb_locate.h - the image's own directory as a place for its PDB, and
 * the guard on the PDB name an image records.
 *
 * The whole look-up (--pdb, this directory, the symbol path, symbol
 * servers) is sym_find.h; everything that builds a path or a URL from the
 * RSDS name goes through sym_pdb_file_name.
 *
 * The RSDS name comes from an untrusted binary: only its last path
 * component is used, and names with "..", control characters or nothing
 * left are refused, so it can never point outside the chosen directory.
 */
#ifndef PDB_LOCATE_H
#define PDB_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

/* The file-name part of an RSDS PDB path ("C:\x\ntkrnlmp.pdb" ->
 * "ntkrnlmp.pdb"), copied into out. false when the name is unsafe or empty
 * or does not fit. */
bool sym_pdb_file_name(const char *rsds_path, char *out, size_t size);

/* The candidate in the image's directory; false when there is no usable
 * name or no such regular file. */
bool sym_pdb_beside_image(const char *image_path, const char *rsds_path,
                          char *out, size_t size);

#endif
