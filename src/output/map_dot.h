/*
 * map_dot.h - `etwmap map` as a Graphviz digraph: the entries (bold
 * boxes), the functions on the call paths (ellipses), the events (notes),
 * with an edge for each call on a path and from each containing function
 * to the events it writes (labelled with the ETW API). Nodes and edges
 * appear once, in function rva order and event label order, so the output
 * is deterministic. Render with `dot -Tsvg`. Writers never parse.
 */
#ifndef MAP_DOT_H
#define MAP_DOT_H

#include "analysis/mapping.h"

#include <stdio.h>

/* 0, or -1 after a write error or when out of memory. */
int map_dot_write(FILE *out, const engine *e, const st_sites *s,
                  const mp_map *m);

#endif
