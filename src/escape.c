/* escape.c — escape untrusted text for printing (see escape.h). */
#include "escape.h"
#include <string.h>

char *escape_mem(char *out, size_t outlen, const void *s, size_t n) {
    if (!out || outlen == 0) return out;
    if (!s) { s = "(null)"; n = 6; }
    const unsigned char *p = s;
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        total += p[i] == '\\' ? 2 : (p[i] >= 0x20 && p[i] < 0x7f) ? 1 : 4;
    int fits = total + 1 <= outlen;
    for (size_t i = 0; i < n; i++) {
        char piece[5];
        size_t k;
        unsigned char c = p[i];
        if (c == '\\') { piece[0] = '\\'; piece[1] = '\\'; k = 2; }
        else if (c >= 0x20 && c < 0x7f) { piece[0] = (char)c; k = 1; }
        else { piece[0] = '\\'; piece[1] = 'x'; piece[2] = hex[c >> 4]; piece[3] = hex[c & 15]; k = 4; }
        /* whole pieces only, leaving room for "..." when the whole text does not fit */
        size_t reserve = fits ? 0 : 3;
        if (o + k + reserve + 1 > outlen) {
            size_t dots = outlen - 1 - o < 3 ? outlen - 1 - o : 3;
            memcpy(out + o, "...", dots);
            o += dots;
            break;
        }
        memcpy(out + o, piece, k);
        o += k;
    }
    out[o] = 0;
    return out;
}

char *escape_str(char *out, size_t outlen, const char *s) {
    return escape_mem(out, outlen, s, s ? strlen(s) : 0);
}

static _Thread_local char esc_buf[8][ESC_MAX + 1];
static _Thread_local unsigned esc_k;

const char *esc(const char *s) {
    char *b = esc_buf[esc_k++ % 8];
    return escape_str(b, sizeof esc_buf[0], s);
}

const char *esc_n(const char *s, size_t n) {
    char *b = esc_buf[esc_k++ % 8];
    return escape_mem(b, sizeof esc_buf[0], s, n);
}
