/* test_wav_pcm16.c — the direct PCM16 decoder takes only canonical files and reads exactly libsndfile's samples. */
#include "test.h"
#include "wav.h"
#include "wav_pcm16.h"
#include <sndfile.h>
#include <stdint.h>

/* libsndfile's own reading of a file held in memory (through a temporary file) */
static float *sndfile_samples(const unsigned char *p, size_t len, int *n, int *ch) {
    char path[] = "/tmp/test_wav_pcm16_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "wb");
    fwrite(p, 1, len, f);
    fclose(f);
    SF_INFO in;
    memset(&in, 0, sizeof in);
    SNDFILE *sf = sf_open(path, SFM_READ, &in);
    float *y = NULL;
    *n = 0; *ch = in.channels;
    if (sf && in.frames > 0) {
        y = malloc(sizeof(float) * (size_t)in.frames * (size_t)in.channels);
        *n = (int)sf_readf_float(sf, y, in.frames);
    }
    if (sf) sf_close(sf);
    remove(path);
    return y;
}

static void put32(unsigned char *b, uint32_t v) { for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i)); }
static void put16(unsigned char *b, uint16_t v) { b[0] = (unsigned char)v; b[1] = (unsigned char)(v >> 8); }

/* a canonical 44-byte-header file of n samples covering the whole int16 range */
static unsigned char *canonical(int n, size_t *len) {
    *len = 44 + 2 * (size_t)n;
    unsigned char *b = malloc(*len);
    memcpy(b, "RIFF", 4); put32(b + 4, (uint32_t)(*len - 8)); memcpy(b + 8, "WAVEfmt ", 8);
    put32(b + 16, 16); put16(b + 20, 1); put16(b + 22, 1); put32(b + 24, 8000); put32(b + 28, 16000);
    put16(b + 32, 2); put16(b + 34, 16); memcpy(b + 36, "data", 4); put32(b + 40, 2 * (uint32_t)n);
    for (int i = 0; i < n; i++) put16(b + 44 + 2 * i, (uint16_t)(int16_t)(-32768 + (int)((65535L * i) / (n - 1))));
    return b;
}

/* decodes p; 1 when it took the file and its samples equal libsndfile's bit for bit */
static int taken_and_equal(const unsigned char *p, size_t len, int *taken) {
    float *x = NULL; int n = 0, sr = 0;
    *taken = wav_pcm16_decode(p, len, &x, &n, &sr);
    if (*taken != 1) return 0;
    int m, ch;
    float *y = sndfile_samples(p, len, &m, &ch);
    int eq = y && m == n && ch == 1 && sr == 8000 && !memcmp(x, y, sizeof(float) * (size_t)n);
    free(x); free(y);
    return eq;
}

int main(void) {
    size_t len;
    int taken;
    unsigned char *b = canonical(65536, &len);
    CHECK(taken_and_equal(b, len, &taken));   /* every int16 value, extremes included */
    float *x; int n, sr;
    CHECK(wav_pcm16_decode(b, len, &x, &n, &sr) == 1 && x[0] == -1.0f && n == 65536);
    free(x);

    /* a LIST chunk before the data and an 18-byte fmt are still canonical */
    unsigned char *v = malloc(len + 64);
    size_t vl = 0;
    memcpy(v, b, 12); vl = 12;
    memcpy(v + vl, "fmt ", 4); put32(v + vl + 4, 18); memcpy(v + vl + 8, b + 20, 16); put16(v + vl + 24, 0); vl += 26;
    memcpy(v + vl, "LIST", 4); put32(v + vl + 4, 5); memcpy(v + vl + 8, "INFOx", 5); v[vl + 13] = 0; vl += 14;
    memcpy(v + vl, b + 36, len - 36); vl += len - 36;
    put32(v + 4, (uint32_t)(vl - 8));
    CHECK(taken_and_equal(v, vl, &taken));
    free(v);

    /* anything else is left to libsndfile: each variant is one field changed */
    struct { const char *what; size_t off; int bytes; uint32_t val; } bad[] = {
        {"stereo", 22, 2, 2}, {"24-bit", 34, 2, 24}, {"float format", 20, 2, 3}, {"block align", 32, 2, 4},
        {"byte rate", 28, 4, 8000}, {"rate 0", 24, 4, 0}, {"RIFF size", 4, 4, 36}, {"odd data size", 40, 4, 7},
        {"data past the end", 40, 4, 2 * 65536 + 2}, {"data size 0", 40, 4, 0}, {"unknown length", 40, 4, 0xFFFFFFFFu},
        {"fmt size 14", 16, 4, 14}, {"not WAVE", 8, 4, 0x45564157u + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned char *c = malloc(len);
        memcpy(c, b, len);
        if (bad[i].bytes == 2) put16(c + bad[i].off, (uint16_t)bad[i].val); else put32(c + bad[i].off, bad[i].val);
        x = NULL;
        int r = wav_pcm16_decode(c, len, &x, &n, &sr);
        CHECKF(r == 0 && x == NULL, "%s: taken (%d)", bad[i].what, r);
        free(c);
    }
    /* data before fmt; too short to hold a header */
    unsigned char *c = malloc(len);
    memcpy(c, b, 12); memcpy(c + 12, b + 36, len - 36); memcpy(c + 12 + len - 36, b + 12, 24);
    CHECK(wav_pcm16_decode(c, len, &x, &n, &sr) == 0);
    CHECK(wav_pcm16_decode(b, 11, &x, &n, &sr) == 0);
    free(c);

    /* wav_read takes the direct path for such a file and gives the same samples */
    char path[] = "/tmp/test_wav_pcm16_rd_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
    char err[512];
    int m, ch;
    float *y = sndfile_samples(b, len, &m, &ch);
    CHECKF(wav_read(path, 0, &x, &n, &sr, err, sizeof err) == 0, "%s", err);
    CHECK(y && n == m && sr == 8000 && !memcmp(x, y, sizeof(float) * (size_t)n));
    free(x); free(y);
    remove(path);
    free(b);
    TEST_DONE("test_wav_pcm16");
}
