/*
 * ew_guid.h - GUIDs as text.
 *
 * GUIDs are kept as the 16 bytes the files store (in-memory GUID order:
 * Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 8 bytes), e.g. the RSDS
 * record and the PDB info stream.
 */
#ifndef EW_GUID_H
#define EW_GUID_H

#include <stdint.h>

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case, no braces, NUL. */
void ew_guid_format(const uint8_t guid[16], char out[37]);

#endif
