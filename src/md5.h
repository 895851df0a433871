/* md5.h — MD5 message digest (RFC 1321), for verifying downloaded data files.
 * Written from the RFC's description; not for security, only for integrity
 * checks against the published checksums of the datasets.
 *
 *   Md5 c; md5_init(&c); md5_update(&c, buf, n); ...; md5_final(&c, digest);
 *   md5_hex(digest, hex)   -> 32 lowercase hex digits + NUL
 *   md5_file(path, hex, err, errlen) -> 0 or -1 with one line naming the file */
#ifndef MD5_H
#define MD5_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t s[4];       /* state A, B, C, D */
    uint64_t len;        /* message length in bytes */
    uint8_t buf[64];     /* pending partial block */
    size_t nbuf;
} Md5;

void md5_init(Md5 *c);
void md5_update(Md5 *c, const void *data, size_t n);
void md5_final(Md5 *c, uint8_t digest[16]);
void md5_hex(const uint8_t digest[16], char hex[33]);
/* MD5 of a buffer, as hex. */
void md5_buffer_hex(const void *data, size_t n, char hex[33]);
/* MD5 of a whole file, as hex. */
int md5_file(const char *path, char hex[33], char *err, size_t errlen);
#endif
