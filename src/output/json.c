#include "json.h"

#include "base/ew_guid.h"

#include <inttypes.h>
#include <string.h>

void json_init(json_w *w, FILE *out)
{
    w->out = out;
    w->depth = 0;
    w->need_comma[0] = false;
    w->after_key = false;
    w->ok = true;
}

/* Separator before a value or key at the current level. */
static void sep(json_w *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth])
        fputc(',', w->out);
    w->need_comma[w->depth] = true;
}

static void open_c(json_w *w, char c)
{
    sep(w);
    fputc(c, w->out);
    if (w->depth + 1 >= JSON_MAX_DEPTH) {
        w->ok = false; /* our bug: nesting deeper than any writer needs */
        return;
    }
    w->need_comma[++w->depth] = false;
}

static void close_c(json_w *w, char c)
{
    fputc(c, w->out);
    if (w->depth > 0)
        w->depth--;
    else
        w->ok = false;
}

void json_obj_begin(json_w *w) { open_c(w, '{'); }
void json_obj_end(json_w *w) { close_c(w, '}'); }
void json_arr_begin(json_w *w) { open_c(w, '['); }
void json_arr_end(json_w *w) { close_c(w, ']'); }

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void put_escaped(FILE *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc((int)c, out);
            i++;
        } else if (c < 0x20) {
            switch (c) {
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", c); break;
            }
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len == 0) {
                fputs("\\ufffd", out);
                i++;
            } else {
                fwrite(p + i, 1, len, out);
                i += len;
            }
        }
    }
    fputc('"', out);
}

void json_key(json_w *w, const char *key)
{
    sep(w);
    put_escaped(w->out, key, strlen(key));
    fputc(':', w->out);
    w->after_key = true;
}

void json_strn(json_w *w, const char *s, size_t n)
{
    sep(w);
    put_escaped(w->out, s, n);
}

void json_str(json_w *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_strn(w, s, strlen(s));
}

void json_u64(json_w *w, uint64_t v)
{
    sep(w);
    fprintf(w->out, "%" PRIu64, v);
}

void json_i64(json_w *w, int64_t v)
{
    sep(w);
    fprintf(w->out, "%" PRId64, v);
}

void json_bool(json_w *w, bool v)
{
    sep(w);
    fputs(v ? "true" : "false", w->out);
}

void json_null(json_w *w)
{
    sep(w);
    fputs("null", w->out);
}

void json_hex(json_w *w, uint64_t v)
{
    sep(w);
    fprintf(w->out, "\"0x%" PRIx64 "\"", v);
}

void json_guid(json_w *w, const uint8_t guid[16])
{
    char buf[37];
    ew_guid_format(guid, buf);
    json_str(w, buf);
}

void json_kv_str(json_w *w, const char *key, const char *s)
{
    json_key(w, key);
    json_str(w, s);
}

void json_kv_u64(json_w *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_u64(w, v);
}

void json_kv_hex(json_w *w, const char *key, uint64_t v)
{
    json_key(w, key);
    json_hex(w, v);
}

void json_kv_bool(json_w *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}

void json_line_end(json_w *w)
{
    if (w->depth != 0)
        w->ok = false;
    fputc('\n', w->out);
    w->need_comma[0] = false;
    if (ferror(w->out))
        w->ok = false;
}
