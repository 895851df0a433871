/* md5.c — MD5 (RFC 1321).  The message is padded with a 1 bit, zeros up to
 * 56 mod 64 bytes, and its bit length (64-bit little-endian); each 64-byte block
 * is mixed into the 128-bit state by four rounds of sixteen operations.  Words
 * are little-endian throughout. */
#include "md5.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* T[i] = floor(2^32 * |sin(i + 1)|), i = 0..63 (RFC 1321, section 3.4). */
static const uint32_t T[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
/* Per-operation left-rotation amounts: four per round, repeated. */
static const int R[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static inline uint32_t rotl(uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

static void md5_block(uint32_t s[4], const uint8_t *p) {
    uint32_t X[16];
    for (int i = 0; i < 16; i++)
        X[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int k, round = i / 16;
        switch (round) {
        case 0: f = (b & c) | (~b & d); k = i; break;                 /* F */
        case 1: f = (b & d) | (c & ~d); k = (5 * i + 1) & 15; break;  /* G */
        case 2: f = b ^ c ^ d; k = (3 * i + 5) & 15; break;           /* H */
        default: f = c ^ (b | ~d); k = (7 * i) & 15; break;           /* I */
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rotl(a + f + X[k] + T[i], R[round][i & 3]);
        a = t;
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d;
}

void md5_init(Md5 *c) {
    c->s[0] = 0x67452301; c->s[1] = 0xefcdab89; c->s[2] = 0x98badcfe; c->s[3] = 0x10325476;
    c->len = 0;
    c->nbuf = 0;
}

void md5_update(Md5 *c, const void *data, size_t n) {
    const uint8_t *p = data;
    c->len += n;
    if (c->nbuf) {
        size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take; p += take; n -= take;
        if (c->nbuf < 64) return;
        md5_block(c->s, c->buf);
        c->nbuf = 0;
    }
    for (; n >= 64; p += 64, n -= 64) md5_block(c->s, p);
    memcpy(c->buf, p, n);
    c->nbuf = n;
}

void md5_final(Md5 *c, uint8_t digest[16]) {
    uint64_t bits = c->len * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (c->nbuf < 56 ? 56 : 120) - c->nbuf;
    for (int i = 0; i < 8; i++) pad[padlen + i] = (uint8_t)(bits >> (8 * i));
    md5_update(c, pad, padlen + 8);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) digest[4 * i + j] = (uint8_t)(c->s[i] >> (8 * j));
}

void md5_hex(const uint8_t digest[16], char hex[33]) {
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) { hex[2 * i] = hx[digest[i] >> 4]; hex[2 * i + 1] = hx[digest[i] & 15]; }
    hex[32] = 0;
}

void md5_buffer_hex(const void *data, size_t n, char hex[33]) {
    Md5 c;
    uint8_t d[16];
    md5_init(&c);
    md5_update(&c, data, n);
    md5_final(&c, d);
    md5_hex(d, hex);
}

int md5_file(const char *path, char hex[33], char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno)); return -1; }
    Md5 c;
    md5_init(&c);
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) md5_update(&c, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) { snprintf(err, errlen, "%s: read error", path); return -1; }
    uint8_t d[16];
    md5_final(&c, d);
    md5_hex(d, hex);
    return 0;
}
