/*
 * sites_tsv.h - `etwmap sites` as TSV: a header line, then one line per
 * site (escapes as in events_tsv.h):
 *   site_rva function action kind api provider_guid provider_name
 *   event_id version event_name level keyword via resolved_by unresolved
 * via: wrapper names joined by '>' (outermost first; a --with module's
 * wrapper as MODULE!NAME, then the functions there); resolved_by:
 * provider/event methods joined by '/'; unresolved: reasons joined by ','.
 * Also the --coverage report: per catalog provider, its events with and
 * without a resolved site.
 */
#ifndef SITES_TSV_H
#define SITES_TSV_H

#include "analysis/sites.h"

#include <stdio.h>

int sites_tsv_write(FILE *out, const engine *e, const st_sites *s);
/* Coverage of cat by s: lines "provider\tGUID\tNAME\tEVENTS\tWITH_SITE"
 * (a TraceLogging event counts for the provider its first resolved site
 * names; those no site names are summed on a line of their own),
 * then "missing\tGUID\tID\tVERSION\tNAME" for each event without a
 * resolved site and "extra\t..." for sites whose event is not in the
 * catalog. 0, or -1 after a write error. */
int sites_coverage_write(FILE *out, const cat_catalog *cat, const st_sites *s);

#endif
