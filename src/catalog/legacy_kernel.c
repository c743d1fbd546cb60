/*
 * legacy_kernel.c - lookups over the tables generated from ntwmi.h.
 *
 * The tables (data/legacy_kernel_tables.inc) are compiled in; see
 * legacy_kernel.h for the encodings and the naming rules. Sizes are small
 * (114 group masks, 555 hook ids), so name lookups are linear and the id
 * lookup is a binary search over the id-sorted hook table.
 */
#include "catalog/legacy_kernel.h"

#include <stdio.h>
#include <string.h>

#include "../../data/legacy_kernel_tables.inc"

#define LK_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------
 * Group masks
 */

/* snprintf-style appender: counts everything, stores what fits. */
typedef struct text_out {
    char *buf;
    size_t size;
    size_t len; /* full length so far, may exceed size - 1 */
} text_out;

static void put(text_out *t, const char *s)
{
    size_t n = strlen(s);
    if (t->size > 0 && t->len < t->size - 1) {
        size_t room = t->size - 1 - t->len;
        memcpy(t->buf + t->len, s, n < room ? n : room);
    }
    t->len += n;
    if (t->size > 0)
        t->buf[t->len < t->size - 1 ? t->len : t->size - 1] = '\0';
}

/* First PERF_* of this index with exactly these bits, or NULL. */
static const char *perf_exact(unsigned index, uint32_t bits)
{
    for (size_t i = 0; i < LK_GEN_N_GROUP_MASKS; i++) {
        const lk_group_mask *m = &lk_gen_group_masks[i];
        if (m->index == index && m->bits == bits)
            return m->name;
    }
    return NULL;
}

static const char *enable_flag(uint32_t bit)
{
    for (size_t i = 0; i < LK_GEN_N_ENABLE_FLAGS; i++)
        if (lk_gen_enable_flags[i].bits == bit)
            return lk_gen_enable_flags[i].name;
    return NULL;
}

const char *lk_group_mask_name(uint32_t mask_value)
{
    uint32_t bits = lk_mask_bits(mask_value);
    return bits ? perf_exact(lk_mask_index(mask_value), bits) : NULL;
}

size_t lk_group_mask_names(uint32_t mask_value, char *out, size_t size)
{
    text_out t = {out, size, 0};
    unsigned index = lk_mask_index(mask_value);
    uint32_t bits = lk_mask_bits(mask_value);
    char hex[16];

    if (size > 0)
        out[0] = '\0';
    const char *exact = lk_group_mask_name(mask_value);
    if (exact) {
        put(&t, exact);
        return t.len;
    }
    uint32_t unnamed = 0;
    for (unsigned b = 0; b < LK_MASK_SHIFT; b++) {
        uint32_t bit = 1u << b;
        if (!(bits & bit))
            continue;
        const char *name = perf_exact(index, bit);
        if (!name && index == 0)
            name = enable_flag(bit);
        if (!name) {
            unnamed |= bit;
            continue;
        }
        if (t.len)
            put(&t, "|");
        put(&t, name);
    }
    if (unnamed || !bits) {
        snprintf(hex, sizeof hex, "0x%x",
                 (unsigned)(((uint32_t)index << LK_MASK_SHIFT) | unnamed));
        if (t.len)
            put(&t, "|");
        put(&t, hex);
    }
    return t.len;
}

bool lk_group_mask_find(const char *name, uint32_t *mask_value)
{
    for (size_t i = 0; i < LK_GEN_N_GROUP_MASKS; i++)
        if (strcmp(lk_gen_group_masks[i].name, name) == 0) {
            *mask_value = lk_group_mask_value(&lk_gen_group_masks[i]);
            return true;
        }
    for (size_t i = 0; i < LK_GEN_N_ENABLE_FLAGS; i++)
        if (strcmp(lk_gen_enable_flags[i].name, name) == 0) {
            *mask_value = lk_group_mask_value(&lk_gen_enable_flags[i]);
            return true;
        }
    return false;
}

/* ------------------------------------------------------------------------
 * Hook ids and groups
 */

const lk_hook *lk_hook_find(uint16_t hook_id)
{
    size_t lo = 0, hi = LK_GEN_N_HOOKS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lk_gen_hooks[mid].id < hook_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < LK_GEN_N_HOOKS && lk_gen_hooks[lo].id == hook_id)
        return &lk_gen_hooks[lo];
    return NULL;
}

const char *lk_hook_name(uint16_t hook_id)
{
    const lk_hook *h = lk_hook_find(hook_id);
    return h ? h->name : NULL;
}

bool lk_hook_find_name(const char *name, uint16_t *hook_id)
{
    for (size_t i = 0; i < LK_GEN_N_HOOKS; i++)
        if (strcmp(lk_gen_hooks[i].name, name) == 0) {
            *hook_id = lk_gen_hooks[i].id;
            return true;
        }
    for (size_t i = 0; i < LK_GEN_N_HOOK_ALIASES; i++)
        if (strcmp(lk_gen_hook_aliases[i].name, name) == 0) {
            *hook_id = lk_gen_hook_aliases[i].id;
            return true;
        }
    return false;
}

const lk_trace_group *lk_hook_group(uint16_t hook_id)
{
    uint16_t g = hook_id & 0xFF00;
    for (size_t i = 0; i < LK_GEN_N_TRACE_GROUPS; i++)
        if (lk_gen_trace_groups[i].value == g)
            return &lk_gen_trace_groups[i];
    return NULL;
}

const char *lk_short_name(const char *name)
{
    /* longest first: PERFINFO_LOG_TYPE_ also starts with "PERF" */
    static const char *const prefixes[] = {
        "PERFINFO_LOG_TYPE_", "EVENT_TRACE_GROUP_", "WMI_LOG_TYPE_", "PERF_"};
    for (size_t i = 0; i < LK_COUNT(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], n) == 0 && name[n])
            return name + n;
    }
    return name;
}

/* ------------------------------------------------------------------------
 * Iteration
 */

/* Counts come from the generator's macros, not sizeof: an empty table is
 * emitted with one zero row (C has no empty arrays). */
#define LK_TABLE_FN(type, fn, table, n) \
    const type *fn(size_t *count)       \
    {                                   \
        *count = (n);                   \
        return table;                   \
    }

LK_TABLE_FN(lk_hook, lk_table, lk_gen_hooks, LK_GEN_N_HOOKS)
LK_TABLE_FN(lk_hook, lk_hook_aliases, lk_gen_hook_aliases,
            LK_GEN_N_HOOK_ALIASES)
LK_TABLE_FN(lk_hook, lk_unresolved_hooks, lk_gen_unresolved_hooks,
            LK_GEN_N_UNRESOLVED_HOOKS)
LK_TABLE_FN(lk_group_mask, lk_group_masks, lk_gen_group_masks,
            LK_GEN_N_GROUP_MASKS)
LK_TABLE_FN(lk_group_mask, lk_enable_flags, lk_gen_enable_flags,
            LK_GEN_N_ENABLE_FLAGS)
LK_TABLE_FN(lk_trace_group, lk_trace_groups, lk_gen_trace_groups,
            LK_GEN_N_TRACE_GROUPS)
LK_TABLE_FN(lk_guid, lk_guids, lk_gen_guids, LK_GEN_N_GUIDS)

const char *lk_source_sha256(void)
{
    return LK_GEN_NTWMI_SHA256;
}
