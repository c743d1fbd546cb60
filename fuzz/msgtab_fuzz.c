/*
 * msgtab_fuzz.c - libFuzzer harness for msgtab.c.
 *
 * The input is the bytes of an RT_MESSAGETABLE resource. The harness
 * parses it and checks: failure only with a diagnostic naming a structure
 * and an empty table; on success entries strictly ascending by id, each
 * text NUL-terminated with len = strlen (no embedded NUL), no trailing CR
 * or LF, valid flags, a file offset inside the input, and msgtab_find
 * returning that very text; a second parse agrees (determinism).
 * Everything is freed (LeakSanitizer).
 */
#include "base/ew.h"
#include "base/ew_arena.h"
#include "base/ew_limits.h"
#include "format/msgtab.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(x) \
    do { \
        if (!(x)) \
            abort(); \
    } while (0)

#define BASE 0x800u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n[2];
    ew_status st[2];
    for (int run = 0; run < 2; run++) {
        ew_arena a;
        ew_arena_init(&a, (size_t)256 << 20);
        ew_diag d;
        ew_diag_init(&d, "fuzz.msgtab");
        msgtab t;
        ew_status s = msgtab_parse(&t, data, size, BASE, &a, &d);
        st[run] = s;
        n[run] = t.n_entries;
        if (s == EW_OK) {
            CHECK(t.n_entries <= MSGTAB_MAX_ENTRIES);
            CHECK(t.n_blocks <= MSGTAB_MAX_BLOCKS);
            for (size_t i = 0; i < t.n_entries; i++) {
                const msgtab_entry *e = &t.entries[i];
                if (i)
                    CHECK(t.entries[i - 1].id < e->id);
                CHECK(e->text && strlen(e->text) == e->len);
                CHECK(e->len == 0 || (e->text[e->len - 1] != '\r' &&
                                      e->text[e->len - 1] != '\n'));
                CHECK(e->flags <= 2);
                CHECK(e->off >= BASE && e->off - BASE <= size - 4);
                CHECK(msgtab_find(&t, e->id) == e->text);
            }
        } else {
            CHECK(d.status == s && d.what[0]);
            CHECK(t.n_entries == 0 && t.entries == NULL);
        }
        ew_arena_free(&a);
    }
    CHECK(st[0] == st[1] && n[0] == n[1]);
    return 0;
}
