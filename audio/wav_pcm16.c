/* wav_pcm16.c — direct decoding of canonical 16-bit mono PCM WAV files (see wav_pcm16.h). */
#include "wav_pcm16.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const unsigned char *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static uint16_t le16(const unsigned char *b) { return (uint16_t)(b[0] | b[1] << 8); }

/* fmt chunk body f[16]: 1 if PCM, mono, 16-bit with consistent block align and byte rate */
static int fmt_ok(const unsigned char *f, int *sr) {
    uint32_t rate = le32(f + 4);
    if (le16(f) != 1 || le16(f + 2) != 1 || le16(f + 14) != 16 || le16(f + 12) != 2) return 0;
    if (rate == 0 || rate > INT32_MAX / 2 || le32(f + 8) != 2 * rate) return 0;
    *sr = (int)rate;
    return 1;
}

int wav_pcm16_decode(const unsigned char *p, size_t len, float **out, int *n_out, int *sr_out) {
    if (len < 12 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WAVE", 4) || le32(p + 4) != len - 8) return 0;
    int sr = 0;
    size_t pos = 12;
    while (pos + 8 <= len) {
        uint32_t sz = le32(p + pos + 4);
        const unsigned char *body = p + pos + 8;
        size_t avail = len - (pos + 8);
        if (!memcmp(p + pos, "fmt ", 4)) {
            if (sr || sz < 16 || sz > avail || !fmt_ok(body, &sr)) return 0;
        } else if (!memcmp(p + pos, "data", 4)) {
            if (!sr || sz == 0 || sz == 0xFFFFFFFFu || (sz & 1) || sz > avail || sz / 2 > INT32_MAX) return 0;
            int n = (int)(sz / 2);
            float *x = malloc(sizeof(float) * (size_t)n);
            if (!x) return -1;
            for (int i = 0; i < n; i++) x[i] = (float)(int16_t)le16(body + 2 * (size_t)i) * (1.0f / 32768.0f);
            *out = x; *n_out = n; *sr_out = sr;
            return 1;
        }
        if (sz > avail) return 0;
        pos += 8 + (size_t)sz + (sz & 1);
    }
    return 0;
}
