/*
 * msf.h - the MSF 7.00 container under every PDB ("multi-stream file").
 *
 * Reads the superblock and the stream directory and hands out streams as
 * contiguous, bounds-checked readers. Does not interpret any stream: that is
 * pdb.c. Layout (FORMATS.md §4.1; msf.cpp in microsoft/microsoft-pdb):
 *
 *   Superblock at file offset 0, inside block 0:
 *   | Off | Size | Field                                                    |
 *   |   0 |   32 | magic "Microsoft C/C++ MSF 7.00\r\n" 1A 44 53 00, 2 pad   |
 *   |  32 |    4 | BlockSize: a power of two, 512..65536                     |
 *   |  36 |    4 | FreeBlockMapBlock: 1 or 2                                 |
 *   |  40 |    4 | NumBlocks: NumBlocks * BlockSize <= file size             |
 *   |  44 |    4 | NumDirectoryBytes                                         |
 *   |  48 |    4 | unknown                                                   |
 *   |  52 |  4*k | block map: k = ceil(ceil(NumDirectoryBytes/BlockSize)*4   |
 *   |     |      | / BlockSize) block indices; those blocks list the blocks  |
 *   |     |      | holding the directory (k > 1 for very large directories)  |
 *
 *   Stream directory (the concatenated directory blocks):
 *     u32 NumStreams; u32 StreamSize[NumStreams] (0xFFFFFFFF = nil stream);
 *     then per stream u32 Block[ceil(size / BlockSize)].
 *
 *   Blocks k*BlockSize+1 and k*BlockSize+2 hold the free block maps.
 *
 * Strictness (why it is safe to be strict: both corpus PDBs and every
 * lld-link PDB satisfy it): every block index used by the directory or a
 * stream is below NumBlocks, is not block 0 nor a free-block-map block and is
 * used exactly once. Uniqueness makes loops impossible and bounds the bytes
 * all streams together can claim by the file size, so copying a stream never
 * allocates more than the file holds.
 */
#ifndef MSF_H
#define MSF_H

#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_rd.h"

#include <stdbool.h>

#define MSF_NIL_SIZE 0xFFFFFFFFu

typedef struct msf_stream {
    uint32_t size;          /* bytes; 0 for a nil stream */
    bool nil;               /* directory said 0xFFFFFFFF */
    uint32_t n_blocks;      /* ceil(size / block_size) */
    const uint32_t *blocks; /* arena: validated block indices */
} msf_stream;

typedef struct msf_file {
    const uint8_t *data;  /* borrowed: the whole file */
    size_t size;          /* bytes in data */
    uint32_t block_size;  /* power of two, 512..65536 */
    uint32_t fpm_block;   /* 1 or 2 */
    uint32_t n_blocks;    /* n_blocks * block_size <= size */
    uint32_t dir_size;    /* NumDirectoryBytes */
    uint32_t dir_n_blocks;
    const uint32_t *dir_blocks; /* arena: the directory's blocks */
    uint32_t n_streams;
    msf_stream *streams;  /* arena: n_streams entries */
} msf_file;

/* Reads the superblock and directory of data[0..size). Arrays go to a; data
 * must outlive m. On failure d names "MSF superblock", "MSF block map" or
 * "MSF stream directory" and the file offset of the offending field; m is
 * then unusable (arena memory is freed with the arena). */
ew_status msf_open(msf_file *m, const uint8_t *data, size_t size, ew_arena *a,
                   ew_diag *d);

/* True when stream idx exists and is not nil. */
bool msf_stream_present(const msf_file *m, uint32_t idx);

/* A reader over the first min(size, max) bytes of stream idx (max = SIZE_MAX
 * for all), named what. The bytes are borrowed from the file when the
 * stream's blocks are consecutive, else copied into a. The reader's offsets
 * are stream offsets (base_off 0) and its failures go to sd: translate them
 * with msf_diag_to_file. A nil or absent stream gives an empty reader;
 * fails only when a runs out of memory (EW_E_NOMEM in d). */
ew_status msf_stream_view(const msf_file *m, uint32_t idx, size_t max,
                          ew_arena *a, const char *what, ew_diag *sd,
                          ew_rd *out, ew_diag *d);

/* The file offset of byte off of stream idx (off == size maps to the end of
 * the last byte's block). Offsets past the stream map to the file size. */
uint64_t msf_stream_file_off(const msf_file *m, uint32_t idx, uint64_t off);

/* Copies the stream-relative failure sd (if any) into d with its offset
 * turned into a file offset; the stream offset is kept in the detail. */
void msf_diag_to_file(const msf_file *m, uint32_t idx, const ew_diag *sd,
                      ew_diag *d);

#endif
