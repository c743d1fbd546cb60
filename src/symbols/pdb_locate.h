/*
 * pdb_locate.h - find the PDB that belongs to an image, on local disk.
 *
 * Look-up order (the symbol-server step comes with the symbols issue):
 *   1. the path the user gave (--pdb);
 *   2. the image's own directory, under the file name from the image's
 *      RSDS record.
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
