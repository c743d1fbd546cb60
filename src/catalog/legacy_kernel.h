/*
 * legacy_kernel.h - names for legacy kernel events ("Windows Kernel Trace",
 * the NT Kernel Logger): PERFINFO group masks, trace groups and hook ids.
 *
 * ntoskrnl writes these through EtwTraceKernelEvent(data, count, GroupMask,
 * HookId, Flags) (FORMATS.md 3.1). This module only names the two numbers;
 * it does not find the calls. The tables are generated from System
 * Informer's ntwmi.h (data/gen_legacy_kernel.py -> data/legacy_kernel_tables.inc,
 * MIT) and are constant: no allocation, no state, safe from any thread.
 *
 * Group mask value (u32, FORMATS.md 3.2; ntwmi.h PERF_MASK_INDEX and
 * PERF_GET_MASK_INDEX/GROUP):
 *
 *   bits 31..29  index into PERFINFO_GROUPMASK.Masks[8]   (value >> 29)
 *   bits 28..0   flag bits within Masks[index]            (value & 0x1FFFFFFF)
 *
 * so 0x20400001 is Masks[1] bits 0x00400001 and 0x00080000 is Masks[0] bit
 * 0x80000. Masks[0] is the public EVENT_TRACE_FLAG_* enable-flag word; its
 * PERF_* names are aliases of those flags.
 *
 * Hook id (u16, FORMATS.md 3.3): (group << 8) | type, where the group byte is
 * an EVENT_TRACE_GROUP_* value (0x0300 PROCESS) and the type is the classic
 * MOF event type (opcode) within that group's class.
 *
 * Names are ntwmi.h's full names (PERF_MEMORY, WMI_LOG_TYPE_PROCESS_TERMINATE,
 * EVENT_TRACE_GROUP_PROCESS); lk_short_name gives the reference tool's
 * spelling (MEMORY, PROCESS_TERMINATE, PROCESS).
 */
#ifndef LEGACY_KERNEL_H
#define LEGACY_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LK_MASK_INDEX 0xE0000000u /* ntwmi.h PERF_MASK_INDEX */
#define LK_MASK_GROUP 0x1FFFFFFFu /* ntwmi.h PERF_MASK_GROUP */
#define LK_MASK_SHIFT 29
#define LK_NUM_MASKS 8            /* ntwmi.h PERF_NUM_MASKS */

/* Masks[] index 0..7 of a group mask value. */
static inline unsigned lk_mask_index(uint32_t mask_value)
{
    return (mask_value & LK_MASK_INDEX) >> LK_MASK_SHIFT;
}

/* Flag bits of a group mask value within Masks[index]. */
static inline uint32_t lk_mask_bits(uint32_t mask_value)
{
    return mask_value & LK_MASK_GROUP;
}

/* A named group mask: PERF_* from ntwmi.h, or an EVENT_TRACE_FLAG_* enable
 * flag (always index 0). */
typedef struct lk_group_mask {
    const char *name; /* static: "PERF_MEMORY" */
    uint8_t index;    /* Masks[] index, 0..7 */
    uint32_t bits;    /* flag bits, within LK_MASK_GROUP; several bits for
                         composites (PERF_PROC_THREAD, PERF_SYSCFG_ALL) */
} lk_group_mask;

/* The encoded value of m: (index << 29) | bits. */
static inline uint32_t lk_group_mask_value(const lk_group_mask *m)
{
    return ((uint32_t)m->index << LK_MASK_SHIFT) | m->bits;
}

typedef struct lk_trace_group {
    const char *name; /* static: "EVENT_TRACE_GROUP_PROCESS" */
    uint16_t value;   /* group << 8: 0x0300 */
} lk_trace_group;

typedef struct lk_hook {
    uint16_t id;       /* (group << 8) | type; in the unresolved table, the
                          type byte alone */
    const char *name;  /* static: "WMI_LOG_TYPE_PROCESS_TERMINATE" */
    const char *group; /* static: "EVENT_TRACE_GROUP_PROCESS" */
} lk_hook;

typedef struct lk_guid {
    const char *name;  /* static: ntwmi.h's DEFINE_GUID name, "ProcessGuid" */
    uint8_t guid[16];  /* in-memory GUID order, as ew_guid_format takes */
} lk_guid;

/*
 * Names a group mask value into out (NUL-terminated when size > 0; out may
 * be NULL when size is 0) and returns the length of the full text, so a
 * result >= size means it was cut, as with snprintf.
 *
 *  1. A value equal to a defined PERF_* constant gets that one name; among
 *     equal constants the first defined in ntwmi.h wins (0x20400000 is
 *     PERF_SESSION, not its later alias PERF_PFSECTION; 0x20000402 is
 *     PERF_PROFILING, as the reference tool names it).
 *  2. Otherwise every set flag bit gets its own name, lowest bit first,
 *     joined by '|': the first single-bit PERF_* constant of that index and
 *     bit, or in Masks[0] the EVENT_TRACE_FLAG_* name when no PERF_* exists
 *     (0x10 is EVENT_TRACE_FLAG_CSWITCH). 0x20400001 gives
 *     "PERF_MEMORY|PERF_SESSION".
 *  3. Bits with no name are gathered into one hex term that keeps the
 *     index, "0x%x" of (index << 29) | those bits, placed last: 0x20000101
 *     gives "PERF_MEMORY|0x20000100". A value with no flag bits is its hex
 *     ("0x0", "0x60000000").
 */
size_t lk_group_mask_names(uint32_t mask_value, char *out, size_t size);

/* The name of a value that matches one defined constant exactly (rule 1
 * above, PERF_* only), or NULL. */
const char *lk_group_mask_name(uint32_t mask_value);

/* The value of a PERF_* or EVENT_TRACE_FLAG_* name (full spelling). */
bool lk_group_mask_find(const char *name, uint32_t *mask_value);

/* The primary name of a hook id, or NULL when ntwmi.h names none (for
 * instance 0x0548, which the reference tool printed as
 * PERFINFO_LOG_TYPE_0x548). An id with several names (only 0x0531 in phnt
 * 7e09744) answers with the first definition in ntwmi.h whose prefix is
 * PERFINFO_LOG_TYPE_ or WMI_LOG_TYPE_: ntwmi.h defines each hook in its
 * class section first and adds compatibility names later, and the prefix
 * test skips the misspelt PERFINFO_LOT_TYPE_THREAD_SET_BASE_PRIORITY that
 * precedes the correct name. The other names are in lk_hook_aliases. */
const char *lk_hook_name(uint16_t hook_id);

/* The table row of a hook id, or NULL. */
const lk_hook *lk_hook_find(uint16_t hook_id);

/* The id of a hook name, primary or alias (full spelling). */
bool lk_hook_find_name(const char *name, uint16_t *hook_id);

/* The trace group of a hook id (hook_id & 0xFF00), named or not in ntwmi.h:
 * NULL only when no EVENT_TRACE_GROUP_* has that value (0x1F00 and up). */
const lk_trace_group *lk_hook_group(uint16_t hook_id);

/* name without its ntwmi.h family prefix (PERFINFO_LOG_TYPE_, WMI_LOG_TYPE_,
 * EVENT_TRACE_GROUP_, PERF_), as the reference tool prints it; other names
 * unchanged. Points into name. */
const char *lk_short_name(const char *name);

/* Iteration. Each returns the first element and stores the count. */

/* One row per hook id, sorted by id: group name, id, primary name; the
 * listing behind `etwmap events --legacy-kernel`. */
const lk_hook *lk_table(size_t *count);
/* Further names of ids in lk_table, sorted by id. */
const lk_hook *lk_hook_aliases(size_t *count);
/* Hook names in EVENT_TRACE_GROUP_TBD, which ntwmi.h uses but never
 * defines; id holds the type byte only. */
const lk_hook *lk_unresolved_hooks(size_t *count);
/* PERF_* constants in ntwmi.h order, composites and aliases included. */
const lk_group_mask *lk_group_masks(size_t *count);
/* EVENT_TRACE_FLAG_* enable flags (Masks[0]) by value. */
const lk_group_mask *lk_enable_flags(size_t *count);
/* EVENT_TRACE_GROUP_* in ntwmi.h order (ascending value). */
const lk_trace_group *lk_trace_groups(size_t *count);
/* DEFINE_GUID constants of ntwmi.h (MOF classes, loggers) in file order. */
const lk_guid *lk_guids(size_t *count);

/* SHA-256 (hex) of the ntwmi.h the tables were generated from. */
const char *lk_source_sha256(void);

#endif
