/* msf.c - MSF 7.00 superblock, block map and stream directory (msf.h). */
#include "msf.h"

#include "base/ew_limits.h"

#include <stdio.h>
#include <string.h>

/* msf.cpp's magic: 26 characters, then 1A 44 53 00 (0x1E bytes); the two
 * bytes after it up to BlockSize at 0x20 are padding and not checked. */
static const char msf_magic[30] = "Microsoft C/C++ MSF 7.00\r\n\x1a"
                                  "DS\0";
#define MSF_MAGIC_LEN 30
/* PDB 2.0 ("small MSF"), which etwmap does not read. */
static const char msf_magic_v2[] = "Microsoft C/C++ program database 2.00";

#define SB_BLOCK_SIZE 32
#define SB_FPM_BLOCK 36
#define SB_NUM_BLOCKS 40
#define SB_DIR_BYTES 44
#define SB_BLOCK_MAP 52

/* ---- block bookkeeping -------------------------------------------------- */

typedef struct blockset {
    uint8_t *bits;    /* arena: one bit per block */
    uint32_t n_blocks;
    uint32_t block_size;
} blockset;

/* Intervals (of block_size blocks) whose blocks 1 and 2 hold free block
 * map bits: one FPM block maps 8 * block_size blocks. Positions 1 and 2 of
 * later intervals are reserved but unused, and LLVM 14's writer puts
 * stream data there when the file ends at k * block_size + 1 blocks. */
static uint32_t fpm_intervals(const blockset *s)
{
    uint64_t per = (uint64_t)s->block_size * 8;
    return (uint32_t)(((uint64_t)s->n_blocks + per - 1) / per);
}

/* Why block b cannot hold data, or NULL when it can (and claims it). */
static const char *claim_block(blockset *s, uint32_t b, ew_status *st)
{
    if (b >= s->n_blocks) {
        *st = EW_E_BAD_VALUE;
        return "is past NumBlocks";
    }
    if (b == 0) {
        *st = EW_E_LOOP;
        return "is the superblock";
    }
    uint32_t in_interval = b & (s->block_size - 1);
    if ((in_interval == 1 || in_interval == 2) &&
        b / s->block_size < fpm_intervals(s)) {
        *st = EW_E_BAD_VALUE;
        return "is a free block map block";
    }
    if (s->bits[b >> 3] & (1u << (b & 7))) {
        *st = EW_E_LOOP;
        return "is used twice";
    }
    s->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
    return NULL;
}

static uint64_t blocks_file_off(uint32_t bs, const uint32_t *blocks,
                                uint32_t n, uint64_t off, uint64_t file_size)
{
    if (n == 0)
        return 0;
    uint64_t i = off / bs;
    if (i >= n) { /* one past the end: the end of the last block */
        if (off == (uint64_t)n * bs)
            return (uint64_t)blocks[n - 1] * bs + bs;
        return file_size;
    }
    return (uint64_t)blocks[i] * bs + off % bs;
}

/* Copies size bytes spread over blocks into dst. The blocks were checked
 * against NumBlocks, and NumBlocks against the file, so this cannot fail;
 * the reader still guards every copy. */
static ew_status gather(const msf_file *m, const uint32_t *blocks,
                        uint32_t size, uint8_t *dst, ew_diag *d)
{
    ew_rd file, blk;
    ew_rd_init(&file, m->data, m->size, 0, "MSF block", d);
    uint32_t bs = m->block_size;
    for (uint32_t i = 0, done = 0; done < size; i++) {
        uint32_t n = size - done < bs ? size - done : bs;
        EW_TRY(ew_rd_sub(&file, (size_t)blocks[i] * bs, n, NULL, &blk));
        EW_TRY(ew_rd_copy(&blk, dst + done, n));
        done += n;
    }
    return EW_OK;
}

/* ---- superblock --------------------------------------------------------- */

static ew_status read_superblock(msf_file *m, ew_rd *r, ew_diag *d)
{
    const uint8_t *magic;
    if (r->size >= sizeof msf_magic_v2 - 1 &&
        memcmp(r->base, msf_magic_v2, sizeof msf_magic_v2 - 1) == 0)
        return ew_fail(d, EW_E_UNSUPPORTED, "MSF superblock", 0,
                       "PDB 2.0 (small MSF) file");
    EW_TRY(ew_rd_bytes(r, 32, &magic));
    if (memcmp(magic, msf_magic, MSF_MAGIC_LEN) != 0)
        return ew_fail(d, EW_E_BAD_MAGIC, "MSF superblock", 0,
                       "not \"Microsoft C/C++ MSF 7.00\"");
    /* every field first, so a cut file reports the field it cuts */
    uint32_t unknown;
    EW_TRY(ew_rd_u32(r, &m->block_size));
    EW_TRY(ew_rd_u32(r, &m->fpm_block));
    EW_TRY(ew_rd_u32(r, &m->n_blocks));
    EW_TRY(ew_rd_u32(r, &m->dir_size));
    EW_TRY(ew_rd_u32(r, &unknown));
    uint32_t bs = m->block_size;
    if (bs < 512 || bs > 65536 || (bs & (bs - 1)))
        return ew_fail(d, EW_E_BAD_VALUE, "MSF superblock", SB_BLOCK_SIZE,
                       "BlockSize %u is not a power of two in 512..65536",
                       bs);
    if (m->fpm_block != 1 && m->fpm_block != 2)
        return ew_fail(d, EW_E_BAD_VALUE, "MSF superblock", SB_FPM_BLOCK,
                       "FreeBlockMapBlock %u is not 1 or 2", m->fpm_block);
    if (m->n_blocks == 0)
        return ew_fail(d, EW_E_BAD_VALUE, "MSF superblock", SB_NUM_BLOCKS,
                       "NumBlocks is 0");
    if ((uint64_t)m->n_blocks > m->size / bs)
        return ew_fail(d, EW_E_BAD_COUNT, "MSF superblock", SB_NUM_BLOCKS,
                       "NumBlocks %u x BlockSize %u = 0x%llx bytes, file has "
                       "0x%zx",
                       m->n_blocks, bs,
                       (unsigned long long)m->n_blocks * bs, m->size);
    if (m->dir_size < 4)
        return ew_fail(d, EW_E_BAD_VALUE, "MSF superblock", SB_DIR_BYTES,
                       "NumDirectoryBytes %u cannot hold NumStreams",
                       m->dir_size);
    m->dir_n_blocks = (uint32_t)(((uint64_t)m->dir_size + bs - 1) / bs);
    if (m->dir_n_blocks >= m->n_blocks)
        return ew_fail(d, EW_E_BAD_COUNT, "MSF superblock", SB_DIR_BYTES,
                       "NumDirectoryBytes 0x%x needs %u blocks, file has %u",
                       m->dir_size, m->dir_n_blocks, m->n_blocks);
    return EW_OK;
}

/* ---- directory ---------------------------------------------------------- */

static ew_status read_block_map(msf_file *m, const ew_rd *file, ew_rd *r,
                                blockset *used, ew_arena *a, ew_diag *d)
{
    uint32_t bs = m->block_size, per_block = bs / 4;
    uint32_t n_map = (m->dir_n_blocks + per_block - 1) / per_block;
    if (n_map > (bs - SB_BLOCK_MAP) / 4)
        return ew_fail(d, EW_E_LIMIT, "MSF superblock", SB_DIR_BYTES,
                       "directory of %u blocks needs %u block map entries, "
                       "block 0 holds %u",
                       m->dir_n_blocks, n_map, (bs - SB_BLOCK_MAP) / 4);
    uint32_t *dir = ew_arena_array(a, m->dir_n_blocks, sizeof *dir);
    if (!dir)
        return ew_fail(d, EW_E_NOMEM, "MSF stream directory", -1,
                       "%u block indices", m->dir_n_blocks);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n_map; i++) {
        size_t at = r->pos;
        uint32_t mb;
        EW_TRY(ew_rd_u32(r, &mb));
        ew_status st;
        const char *why = claim_block(used, mb, &st);
        if (why)
            return ew_fail(d, st, "MSF superblock", (int64_t)at,
                           "block map entry %u: block %u %s", i, mb, why);
        ew_rd map;
        EW_TRY(ew_rd_sub(file, (size_t)mb * bs, bs, "MSF block map", &map));
        for (uint32_t j = 0; j < per_block && k < m->dir_n_blocks; j++, k++) {
            uint32_t b;
            EW_TRY(ew_rd_u32(&map, &b));
            why = claim_block(used, b, &st);
            if (why)
                return ew_rd_fail(&map, st, 4 * (size_t)j,
                                  "directory block %u: block %u %s", k, b,
                                  why);
            dir[k] = b;
        }
    }
    m->dir_blocks = dir;
    return EW_OK;
}

/* Parses the directory copied to bytes; failures go to sd in directory
 * offsets. */
static ew_status read_directory(msf_file *m, const uint8_t *bytes,
                                blockset *used, ew_arena *a, ew_diag *sd)
{
    ew_rd r;
    ew_rd_init(&r, bytes, m->dir_size, 0, "MSF stream directory", sd);
    uint32_t bs = m->block_size, ns;
    EW_TRY(ew_rd_u32(&r, &ns));
    if (ns > MSF_MAX_STREAMS)
        return ew_rd_fail(&r, EW_E_LIMIT, 0, "%u streams, limit %u", ns,
                          MSF_MAX_STREAMS);
    if (ns > ew_rd_left(&r) / 4)
        return ew_rd_fail(&r, EW_E_BAD_COUNT, 0,
                          "%u streams, directory has room for %zu sizes", ns,
                          ew_rd_left(&r) / 4);
    m->n_streams = ns;
    m->streams = ew_arena_array(a, ns ? ns : 1, sizeof *m->streams);
    if (!m->streams)
        return ew_rd_fail(&r, EW_E_NOMEM, 0, "%u streams", ns);
    /* Sizes first: each must fit the file, and all block lists together
     * the directory, before the one array of block indices is allocated. */
    uint64_t total = 0;
    for (uint32_t i = 0; i < ns; i++) {
        size_t at = r.pos;
        uint32_t sz;
        EW_TRY(ew_rd_u32(&r, &sz));
        msf_stream *s = &m->streams[i];
        if (sz == MSF_NIL_SIZE) {
            s->nil = true;
            continue;
        }
        s->n_blocks = (uint32_t)(((uint64_t)sz + bs - 1) / bs);
        if (s->n_blocks > m->n_blocks)
            return ew_rd_fail(&r, EW_E_BAD_COUNT, at,
                              "stream %u size 0x%x needs %u blocks, file has "
                              "%u",
                              i, sz, s->n_blocks, m->n_blocks);
        s->size = sz;
        total += s->n_blocks;
    }
    if (total > ew_rd_left(&r) / 4)
        return ew_rd_fail(&r, EW_E_BAD_COUNT, r.pos,
                          "block lists need %llu entries, directory has room "
                          "for %zu",
                          (unsigned long long)total, ew_rd_left(&r) / 4);
    uint32_t *all = ew_arena_array(a, total ? (size_t)total : 1, sizeof *all);
    if (!all)
        return ew_rd_fail(&r, EW_E_NOMEM, r.pos, "%llu block indices",
                          (unsigned long long)total);
    for (uint32_t i = 0; i < ns; i++) {
        msf_stream *s = &m->streams[i];
        s->blocks = all;
        for (uint32_t j = 0; j < s->n_blocks; j++) {
            size_t at = r.pos;
            EW_TRY(ew_rd_u32(&r, &all[j]));
            ew_status st;
            const char *why = claim_block(used, all[j], &st);
            if (why)
                return ew_rd_fail(&r, st, at, "stream %u block %u: block %u %s",
                                  i, j, all[j], why);
        }
        all += s->n_blocks;
    }
    return EW_OK;
}

ew_status msf_open(msf_file *m, const uint8_t *data, size_t size, ew_arena *a,
                   ew_diag *d)
{
    memset(m, 0, sizeof *m);
    m->data = data;
    m->size = data ? size : 0;
    ew_rd file, r;
    ew_rd_init(&file, data, m->size, 0, "MSF superblock", d);
    r = file;
    EW_TRY(read_superblock(m, &r, d));
    /* the superblock and its block map entries live in block 0 */
    EW_TRY(ew_rd_sub(&file, 0, m->block_size, NULL, &r));
    EW_TRY(ew_rd_seek(&r, SB_BLOCK_MAP));

    blockset used = {NULL, m->n_blocks, m->block_size};
    used.bits = ew_arena_alloc(a, m->n_blocks / 8 + 1);
    if (!used.bits)
        return ew_fail(d, EW_E_NOMEM, "MSF superblock", -1, "block bitmap");
    EW_TRY(read_block_map(m, &file, &r, &used, a, d));

    /* dir_size < NumBlocks * BlockSize <= the file size */
    uint8_t *bytes = ew_arena_alloc(a, m->dir_size);
    if (!bytes)
        return ew_fail(d, EW_E_NOMEM, "MSF stream directory", -1, "%u bytes",
                       m->dir_size);
    EW_TRY(gather(m, m->dir_blocks, m->dir_size, bytes, d));
    ew_diag sd;
    ew_diag_init(&sd, d ? d->file : NULL);
    ew_status s = read_directory(m, bytes, &used, a, &sd);
    if (s != EW_OK && d && d->status == EW_OK) {
        *d = sd;
        if (sd.has_off)
            d->off = blocks_file_off(m->block_size, m->dir_blocks,
                                     m->dir_n_blocks, sd.off, m->size);
    }
    return s;
}

bool msf_stream_present(const msf_file *m, uint32_t idx)
{
    return idx < m->n_streams && !m->streams[idx].nil;
}

ew_status msf_stream_view(const msf_file *m, uint32_t idx, size_t max,
                          ew_arena *a, const char *what, ew_diag *sd,
                          ew_rd *out, ew_diag *d)
{
    ew_rd_init(out, NULL, 0, 0, what, sd);
    if (!msf_stream_present(m, idx))
        return EW_OK;
    const msf_stream *s = &m->streams[idx];
    size_t n = s->size < max ? s->size : max;
    if (n == 0)
        return EW_OK;
    uint32_t bs = m->block_size, nb = (uint32_t)((n + bs - 1) / bs);
    bool contiguous = true;
    for (uint32_t i = 1; i < nb && contiguous; i++)
        contiguous = s->blocks[i] == s->blocks[0] + i;
    if (contiguous) {
        ew_rd file;
        ew_rd_init(&file, m->data, m->size, 0, what, d);
        EW_TRY(ew_rd_sub(&file, (size_t)s->blocks[0] * bs, n, NULL, out));
        out->base_off = 0; /* stream offsets, like a copied stream */
        out->diag = sd;
        return EW_OK;
    }
    uint8_t *copy = ew_arena_alloc(a, n);
    if (!copy)
        return ew_fail(d, EW_E_NOMEM, what, -1, "stream %u: %zu bytes", idx,
                       n);
    EW_TRY(gather(m, s->blocks, (uint32_t)n, copy, d));
    ew_rd_init(out, copy, n, 0, what, sd);
    return EW_OK;
}

uint64_t msf_stream_file_off(const msf_file *m, uint32_t idx, uint64_t off)
{
    if (idx >= m->n_streams)
        return m->size;
    const msf_stream *s = &m->streams[idx];
    if (s->n_blocks == 0)
        return m->size;
    return blocks_file_off(m->block_size, s->blocks, s->n_blocks, off,
                           m->size);
}

void msf_diag_to_file(const msf_file *m, uint32_t idx, const ew_diag *sd,
                      ew_diag *d)
{
    if (!d || d->status != EW_OK || sd->status == EW_OK)
        return;
    const char *file = d->file;
    *d = *sd;
    d->file = file;
    if (sd->has_off) {
        d->off = msf_stream_file_off(m, idx, sd->off);
        size_t len = strlen(d->detail);
        snprintf(d->detail + len, sizeof d->detail - len,
                 "%s[stream %u offset 0x%llx]", len ? " " : "", idx,
                 (unsigned long long)sd->off);
    }
}
