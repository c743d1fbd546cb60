/*
 * events_jsonl.h - `etwmap events` as JSON Lines: one object per catalog
 * event, keys per the output contract (DESIGN.md): file, kind,
 * provider_guid, provider_name, event_id, event_version, event_name,
 * channel, level, opcode, task (numbers), keyword ("0x…"), fields (array
 * of {name, in_type, out_type} plus count, length, map when set and a
 * struct's member "fields"; null when the payload is unknown), message,
 * source_rva ("0x…"); then channel_name, level_name, opcode_name,
 * task_name, keyword_names (array) and kind-specific keys: manifest
 * message_id; tracelogging blob_type, tags; wpp message_guid, component,
 * function; "row": "event". A provider no event is attributed to gets an
 * object of its own: "row": "provider", the event keys null, plus
 * provider_source, provider_rva and provider_group (TraceLogging provider
 * group GUID) (the TSV writer's order). Absent values
 * are null. Writers never parse.
 */
#ifndef EVENTS_JSONL_H
#define EVENTS_JSONL_H

#include "catalog/catalog.h"
#include "output/json.h"

#include <stdio.h>

/* Struct members nest as "fields" inside their struct down to this depth;
 * deeper members are left out (the JSON writer's own depth cap). */
#define EVENTS_JSONL_MAX_NESTING 12

/* One line per event of c whose kind is in kinds; file (may be NULL) is
 * the "file" value. 0, or -1 after a write error. */
int events_jsonl_write(FILE *out, const cat_catalog *c, const char *file,
                       unsigned kinds);
/* The "fields" value of e (an array, or null when the payload is unknown):
 * shared with the site and map writers. */
void events_jsonl_fields(json_w *w, const cat_event *e);

#endif
