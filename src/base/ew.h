/*
 * ew.h - status codes and diagnostics shared by every etwmap module.
 *
 * A parser that meets bad input returns an ew_status and fills one ew_diag
 * (through ew_fail, the single place to break on) with the file, the
 * structure, the file offset and a short detail. The CLI prints that as one
 * line and exits 2. Caller bugs are asserts; unresolved values are data.
 */
#ifndef EW_H
#define EW_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ew_status {
    EW_OK = 0,
    EW_E_TRUNCATED,   /* a structure runs past the end of its buffer */
    EW_E_BAD_MAGIC,   /* a signature or magic number does not match */
    EW_E_BAD_VALUE,   /* a field holds a value the format does not allow */
    EW_E_BAD_COUNT,   /* a count or size is larger than the bytes behind it */
    EW_E_LOOP,        /* a structure refers back to itself */
    EW_E_LIMIT,       /* a count exceeds one of etwmap's caps (ew_limits.h) */
    EW_E_UNSUPPORTED, /* valid, but a variant etwmap does not read */
    EW_E_NOMEM,       /* an allocation failed */
    EW_E_IO,          /* the file could not be opened or read */
    EW_E_MISMATCH,    /* two files that must belong together do not */
    EW_E_NOT_FOUND,   /* the requested item is absent (not an input error) */
    EW_E_USAGE,       /* the user asked for something impossible */
    EW_STATUS_COUNT
} ew_status;

/* One sentence per code, for messages. Never NULL. */
const char *ew_status_str(ew_status s);

/* The first failure of an operation. file is borrowed from the caller and
 * must outlive the diag; the other strings are copied. */
typedef struct ew_diag {
    ew_status status;    /* EW_OK until something fails */
    const char *file;    /* borrowed: the input's path as the user gave it */
    char what[96];       /* the structure at fault: "PE section header 3" */
    uint64_t off;        /* file offset of the fault (when has_off) */
    int has_off;
    char detail[192];    /* expected/found, free text */
    const char *src;     /* etwmap source file and line that failed */
    int src_line;
} ew_diag;

void ew_diag_init(ew_diag *d, const char *file);

/* Records the failure in d (the first one wins) and returns s. what and the
 * formatted detail may be NULL. off < 0 means "no file offset". */
ew_status ew_fail_at(ew_diag *d, const char *src, int line, ew_status s,
                     const char *what, int64_t off, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;
#define ew_fail(d, s, what, off, ...) \
    ew_fail_at((d), __FILE__, __LINE__, (s), (what), (off), __VA_ARGS__)

/* "FILE: WHAT at 0xOFF: STATUS (DETAIL)" into buf; returns buf. */
const char *ew_diag_format(const ew_diag *d, char *buf, size_t size);

/* Propagate a failure: EW_TRY(expr) returns its status when not EW_OK. */
#define EW_TRY(expr)                 \
    do {                             \
        ew_status ew_s_ = (expr);    \
        if (ew_s_ != EW_OK)          \
            return ew_s_;            \
    } while (0)

/* offset form of "n bytes at off fit in size": compare first, subtract
 * second, never add (no wrap). */
static inline int ew_fits(uint64_t size, uint64_t off, uint64_t n)
{
    return n <= size && off <= size - n;
}

#endif
