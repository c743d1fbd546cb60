/*
 * events_tsv.h - `etwmap events` as tab-separated values: a header line,
 * then one line per catalog event.
 *
 * A provider no event is attributed to (TraceLogging providers: their
 * events name none; a manifest provider without events) gets one line of
 * its own with the event columns empty, so every provider is listed. Per
 * kind (manifest, tracelogging, legacy-kernel, wpp), such provider lines
 * come first, then the events, in catalog order.
 *
 * Columns (EVENTS_TSV_HEADER): provider_guid, provider_name, kind,
 * event_id, version, event, opcode, keywords, task, level, channel,
 * message, file.
 *  - event: the name and, when the metadata describes the payload, its
 *    fields: `Name(UInt32 Count, UnicodeString Path, UInt8 Hash[32],
 *    struct Header{Int32 Left, Int32 Top})` - in-types without "win:",
 *    `[N]` a fixed count, `[Field]` a count field, `[]` a count carried in
 *    the data. No parentheses: payload unknown (legacy kernel).
 *  - opcode, task, level, channel: the name, else the number, else empty.
 *  - keywords: names joined by '|', unnamed bits as one hex term last
 *    ("GCKeyword|0x8000000000000000"); empty when there are none.
 *  - file: the input as given (empty for the ntwmi.h table).
 * Every value is escaped so an event is always one line: tab, newline,
 * carriage return and backslash become \t \n \r \\, other control bytes
 * \xHH. Absent values are empty. Writers never parse (DESIGN.md).
 */
#ifndef EVENTS_TSV_H
#define EVENTS_TSV_H

#include "catalog/catalog.h"

#include <stdio.h>

#define EVENTS_TSV_HEADER                                                   \
    "provider_guid\tprovider_name\tkind\tevent_id\tversion\tevent\topcode\t" \
    "keywords\ttask\tlevel\tchannel\tmessage\tfile"

/* The header line. 0, or -1 after a write error. */
int events_tsv_header(FILE *out);
/* s (NULL: nothing) with the TSV escapes above; for every TSV writer. */
void tsv_put(FILE *out, const char *s);

/* One line per event of c whose kind is in kinds (CAT_KIND_BIT set);
 * file (may be NULL) fills the file column. 0, or -1 after a write
 * error. */
int events_tsv_write(FILE *out, const cat_catalog *c, const char *file,
                     unsigned kinds);

#endif
