#include "ew_guid.h"

#include <stdio.h>

void ew_guid_format(const uint8_t guid[16], char out[37])
{
    const uint8_t *g = guid;
    unsigned long d1 = (unsigned long)g[0] | (unsigned long)g[1] << 8 |
                       (unsigned long)g[2] << 16 | (unsigned long)g[3] << 24;
    unsigned d2 = (unsigned)(g[4] | g[5] << 8);
    unsigned d3 = (unsigned)(g[6] | g[7] << 8);
    snprintf(out, 37,
             "%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", d1, d2, d3,
             g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}
