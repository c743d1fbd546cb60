/*
 * sites_jsonl.h - `etwmap sites` as JSON Lines: one object per site, keys
 * per the output contract (DESIGN.md): site_rva, function, function_rva,
 * api, kind, provider_guid, provider_name, event_id, event_version,
 * event_name, channel, level, opcode, task, keyword, fields, message,
 * source_rva (the catalog event's), provider_symbol, reghandle_symbol,
 * event_symbol, resolved_by ({provider, event}), unresolved (array of
 * reasons); then action (write, register, unregister, support),
 * api_rva (the API call itself), via (wrapper names, outermost first;
 * then those in the --with module), module (that module's file, or null),
 * handle_rva, descriptor_rva, registration_rva, group_mask, hook_id,
 * message_guid, message_number, string. Absent values are null.
 * sites_jsonl_site writes the site keys into an open object, for the
 * map writer.
 */
#ifndef SITES_JSONL_H
#define SITES_JSONL_H

#include "analysis/sites.h"
#include "output/json.h"

#include <stdio.h>

void sites_jsonl_site(json_w *w, const engine *e, const st_site *s);
/* One line per site. 0, or -1 after a write error. */
int sites_jsonl_write(FILE *out, const engine *e, const st_sites *s);

#endif
