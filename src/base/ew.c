#include "ew.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[EW_STATUS_COUNT] = {
    [EW_OK] = "ok",
    [EW_E_TRUNCATED] = "truncated",
    [EW_E_BAD_MAGIC] = "bad signature",
    [EW_E_BAD_VALUE] = "invalid value",
    [EW_E_BAD_COUNT] = "count or size past the end of the data",
    [EW_E_LOOP] = "loop in structure",
    [EW_E_LIMIT] = "exceeds etwmap's limit",
    [EW_E_UNSUPPORTED] = "unsupported variant",
    [EW_E_NOMEM] = "out of memory",
    [EW_E_IO] = "cannot read file",
    [EW_E_MISMATCH] = "files do not match",
    [EW_E_NOT_FOUND] = "not found",
    [EW_E_USAGE] = "usage error",
};

const char *ew_status_str(ew_status s)
{
    if ((unsigned)s >= EW_STATUS_COUNT || !status_text[s])
        return "unknown status";
    return status_text[s];
}

void ew_diag_init(ew_diag *d, const char *file)
{
    memset(d, 0, sizeof *d);
    d->file = file;
}

ew_status ew_fail_at(ew_diag *d, const char *src, int line, ew_status s,
                     const char *what, int64_t off, const char *fmt, ...)
{
    if (!d || d->status != EW_OK)
        return s; /* the first failure is the one the user needs */
    d->status = s;
    d->src = src;
    d->src_line = line;
    snprintf(d->what, sizeof d->what, "%s", what ? what : "");
    d->has_off = off >= 0;
    d->off = off >= 0 ? (uint64_t)off : 0;
    d->detail[0] = 0;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->detail, sizeof d->detail, fmt, ap);
        va_end(ap);
    }
    return s;
}

const char *ew_diag_format(const ew_diag *d, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s: ", d->file ? d->file : "(input)");
    if (n < 0 || (size_t)n >= size)
        return buf;
    size_t pos = (size_t)n;
    if (d->what[0]) {
        n = d->has_off ? snprintf(buf + pos, size - pos, "%s at 0x%llx: ",
                                  d->what, (unsigned long long)d->off)
                       : snprintf(buf + pos, size - pos, "%s: ", d->what);
        if (n < 0 || (size_t)n >= size - pos)
            return buf;
        pos += (size_t)n;
    }
    if (d->detail[0])
        snprintf(buf + pos, size - pos, "%s (%s)", ew_status_str(d->status),
                 d->detail);
    else
        snprintf(buf + pos, size - pos, "%s", ew_status_str(d->status));
    return buf;
}
