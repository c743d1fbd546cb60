/*
 * tlg_guid.c - the provider GUID ETW derives from a provider name.
 *
 * The EventSource convention (Microsoft's TRACELOGGING_DEFINE_PROVIDER page,
 * "ETW Provider Names and GUIDs" by Doug Cook): SHA-1 over the 16 namespace
 * bytes 48 2C 2D B2 C3 90 47 C8 87 F8 1A 15 BF C1 30 FB followed by the
 * provider name upper-cased and encoded UTF-16 big-endian; the GUID is the
 * first 16 bytes of the digest, in in-memory GUID order, with the high
 * nibble of byte 7 (Data3's high byte) set to 5. Checked against the
 * documentation's example and a stored GUID in fltMgr.sys (tlg.h).
 *
 * SHA-1 itself follows FIPS 180-4 §6.1; it is here because nothing else in
 * etwmap hashes and it is 60 lines.
 */
#include "tlg.h"

#include <string.h>

typedef struct sha1 {
    uint32_t h[5];
    uint64_t n; /* bytes hashed so far */
    uint8_t buf[64];
    size_t used; /* bytes in buf */
} sha1;

static uint32_t rol(uint32_t x, unsigned k)
{
    return (x << k) | (x >> (32 - k));
}

static void sha1_block(sha1 *s, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void sha1_init(sha1 *s)
{
    static const uint32_t h0[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu,
                                   0x10325476u, 0xC3D2E1F0u};
    memcpy(s->h, h0, sizeof h0);
    s->n = 0;
    s->used = 0;
}

static void sha1_byte(sha1 *s, uint8_t b)
{
    s->buf[s->used++] = b;
    s->n++;
    if (s->used == 64) {
        sha1_block(s, s->buf);
        s->used = 0;
    }
}

static void sha1_final(sha1 *s, uint8_t out[20])
{
    uint64_t bits = s->n * 8;
    sha1_byte(s, 0x80);
    while (s->used != 56)
        sha1_byte(s, 0);
    for (int i = 7; i >= 0; i--)
        sha1_byte(s, (uint8_t)(bits >> (8 * i)));
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

bool tlg_guid_from_name(const char *name, size_t len, uint8_t out[16])
{
    static const uint8_t ns[16] = {0x48, 0x2C, 0x2D, 0xB2, 0xC3, 0x90,
                                   0x47, 0xC8, 0x87, 0xF8, 0x1A, 0x15,
                                   0xBF, 0xC1, 0x30, 0xFB};
    for (size_t i = 0; i < len; i++)
        if ((uint8_t)name[i] >= 0x80)
            return false; /* would need Unicode upper-casing */
    sha1 s;
    sha1_init(&s);
    for (size_t i = 0; i < sizeof ns; i++)
        sha1_byte(&s, ns[i]);
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = (uint8_t)name[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (uint8_t)(ch - 'a' + 'A');
        sha1_byte(&s, 0); /* UTF-16BE of an ASCII character */
        sha1_byte(&s, ch);
    }
    uint8_t dig[20];
    sha1_final(&s, dig);
    memcpy(out, dig, 16);
    out[7] = (uint8_t)((out[7] & 0x0F) | 0x50);
    return true;
}
