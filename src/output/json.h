/*
 * json.h - a small streaming JSON writer.
 *
 * Writes compact JSON to a FILE, inserting commas itself, escaping strings
 * (control characters, quotes, backslashes; invalid UTF-8 bytes become
 * U+FFFD so output is always valid JSON). Keys and values follow the output
 * contract in DESIGN.md: RVAs as "0x…" strings, GUIDs lower-case, absent
 * values as null. The writer never parses and never fails silently: write
 * errors are sticky in ok and checked by the caller at the end.
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_w {
    FILE *out;
    int depth;
    bool need_comma[JSON_MAX_DEPTH]; /* per open container */
    bool after_key;                  /* next value follows "key": */
    bool ok;                         /* false after a write error or misuse */
} json_w;

void json_init(json_w *w, FILE *out);
void json_obj_begin(json_w *w);
void json_obj_end(json_w *w);
void json_arr_begin(json_w *w);
void json_arr_end(json_w *w);
void json_key(json_w *w, const char *key);

void json_str(json_w *w, const char *s);            /* NULL writes null */
void json_strn(json_w *w, const char *s, size_t n); /* n bytes, may hold NUL */
void json_u64(json_w *w, uint64_t v);
void json_i64(json_w *w, int64_t v);
void json_bool(json_w *w, bool v);
void json_null(json_w *w);
void json_hex(json_w *w, uint64_t v);                /* "0x1a2b" */
void json_guid(json_w *w, const uint8_t guid[16]);   /* "8-4-4-4-12" lower */

/* key + value in one call, for the common case */
void json_kv_str(json_w *w, const char *key, const char *s);
void json_kv_u64(json_w *w, const char *key, uint64_t v);
void json_kv_hex(json_w *w, const char *key, uint64_t v);
void json_kv_bool(json_w *w, const char *key, bool v);

/* Ends a top-level value with a newline (JSON Lines). */
void json_line_end(json_w *w);

#endif
