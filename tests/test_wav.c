/* test_wav.c — wav_read on good and bad inputs, all generated here in a temp dir. */
#include "test.h"
#include "wav.h"
#include <sndfile.h>
#include <unistd.h>
#include <stdint.h>

static char dir[64];
static const char *P(const char *name) {
    static char buf[4][256]; static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}
static int one_line(const char *s) { return s[0] && !strchr(s, '\n'); }

/* frequency of a sine by interpolated zero crossings over x[a..b) */
static double sine_freq(const float *x, int a, int b, int sr) {
    double first = -1, last = -1; int cnt = 0;
    for (int i = a + 1; i < b; i++)
        if (x[i - 1] < 0 && x[i] >= 0) {
            double t = (i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0) first = t; else cnt++;
            last = t;
        }
    return cnt > 0 ? cnt * (double)sr / (last - first) : 0;
}

/* a 32-bit float WAV written byte by byte, so any value (1e30, NaN, inf) reaches the file */
static void write_float_wav(const char *path, const float *x, int n, int channels) {
    uint32_t data = (uint32_t)n * 4u, sr = 8000;
    unsigned char h[44];
    memcpy(h, "RIFF", 4);
    uint32_t v = 36 + data; memcpy(h + 4, &v, 4);
    memcpy(h + 8, "WAVEfmt ", 8);
    v = 16; memcpy(h + 16, &v, 4);
    uint16_t fmt = 3, ch = (uint16_t)channels, align = (uint16_t)(4 * channels), bits = 32;
    memcpy(h + 20, &fmt, 2); memcpy(h + 22, &ch, 2); memcpy(h + 24, &sr, 4);
    v = sr * align; memcpy(h + 28, &v, 4);
    memcpy(h + 32, &align, 2); memcpy(h + 34, &bits, 2);
    memcpy(h + 36, "data", 4); memcpy(h + 40, &data, 4);
    FILE *f = fopen(path, "wb");
    fwrite(h, 1, sizeof h, f);
    fwrite(x, 4, (size_t)n, f);
    fclose(f);
}

static int refused_with(const char *path, const char *want, char *err, size_t errlen) {
    float *x = NULL; int n = 0;
    int rc = wav_read(path, 8000, &x, &n, NULL, err, errlen);
    free(x);
    if (rc == 0) { fprintf(stderr, "  accepted %s\n", path); return 0; }
    if (getenv("SHOW_ERRORS")) printf("  %s\n", err);
    return x == NULL && one_line(err) && strstr(err, want) && strstr(err, "loud") != NULL;
}

int main(void) {
    char err[1024];
    snprintf(dir, sizeof dir, "/tmp/test_wav_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    float *x = NULL; int n = 0, sr = 0;

    /* a good 8 kHz mono 16-bit file: read back unchanged (to 16-bit precision) */
    float tone[4000];
    for (int i = 0; i < 4000; i++) tone[i] = 0.5f * sinf(2 * (float)M_PI * 440.0f * i / 8000.0f);
    CHECKF(wav_write(P("good.wav"), tone, 4000, 1, 8000, 0, err, sizeof err) == 0, "%s", err);
    CHECKF(wav_read(P("good.wav"), 8000, &x, &n, &sr, err, sizeof err) == 0, "%s", err);
    CHECK(n == 4000 && sr == 8000);
    if (x) { double m = 0; for (int i = 0; i < n; i++) m = fmax(m, fabs(x[i] - tone[i])); CHECK(m < 1.0 / 32768 + 1e-7); }
    free(x); x = NULL;
    /* target_sr <= 0 keeps the file's rate */
    CHECK(wav_read(P("good.wav"), 0, &x, &n, &sr, err, sizeof err) == 0 && n == 4000 && sr == 8000);
    free(x); x = NULL;

    /* not audio, renamed .wav */
    FILE *f = fopen(P("text.wav"), "w"); fputs("RIFF? no, just some text pretending to be a WAV file\n", f); fclose(f);
    CHECK(wav_read(P("text.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1 && x == NULL);
    CHECKF(strstr(err, "text.wav") && one_line(err), "%s", err);
    printf("  %s\n", err);
    /* missing file */
    CHECK(wav_read(P("missing.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1 && strstr(err, "missing.wav") && one_line(err));

    /* zero-length file (0 bytes), and a WAV header with no frames */
    f = fopen(P("empty.wav"), "w"); fclose(f);
    CHECK(wav_read(P("empty.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1);
    CHECKF(strstr(err, "empty.wav") && strstr(err, "empty file") && one_line(err), "%s", err);
    printf("  %s\n", err);
    CHECK(wav_write(P("noframes.wav"), tone, 0, 1, 8000, 0, err, sizeof err) == 0);
    CHECK(wav_read(P("noframes.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1);
    CHECKF(strstr(err, "noframes.wav") && strstr(err, "no audio frames") && one_line(err), "%s", err);
    printf("  %s\n", err);

    /* truncated WAV: a valid file cut in half */
    CHECK(wav_write(P("trunc.wav"), tone, 4000, 1, 8000, 0, err, sizeof err) == 0);
    CHECK(truncate(P("trunc.wav"), 44 + 4000) == 0);
    CHECK(wav_read(P("trunc.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1 && x == NULL);
    CHECKF(strstr(err, "trunc.wav") && strstr(err, "truncated") && strstr(err, "8000") && one_line(err), "%s", err);
    printf("  %s\n", err);
    /* ... but the streaming "unknown length" marker 0xFFFFFFFF is accepted */
    CHECK(wav_write(P("stream.wav"), tone, 4000, 1, 8000, 0, err, sizeof err) == 0);
    f = fopen(P("stream.wav"), "r+b");
    unsigned char hdr[64]; size_t got = fread(hdr, 1, 64, f);
    long dpos = -1;
    for (size_t i = 12; i + 8 <= got; i++) if (!memcmp(hdr + i, "data", 4)) { dpos = (long)i; break; }
    CHECK(dpos > 0);
    if (dpos > 0) { fseek(f, dpos + 4, SEEK_SET); uint32_t ff = 0xFFFFFFFFu; fwrite(&ff, 4, 1, f); }
    fclose(f);
    int rc = wav_read(P("stream.wav"), 8000, &x, &n, &sr, err, sizeof err);
    CHECKF(rc == 0 && n == 4000, "rc=%d n=%d %s", rc, n, rc ? err : "");
    free(x); x = NULL;

    /* all silence (and near-silence below the threshold) */
    float *z = calloc(8000, sizeof(float));
    CHECK(wav_write(P("silence.wav"), z, 8000, 1, 8000, 0, err, sizeof err) == 0);
    CHECK(wav_read(P("silence.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1);
    CHECKF(strstr(err, "silence.wav") && strstr(err, "silent") && one_line(err), "%s", err);
    printf("  %s\n", err);
    for (int i = 0; i < 8000; i++) z[i] = (i & 1 ? 1 : -1) * 5e-7f;
    CHECK(wav_write(P("hiss.wav"), z, 8000, 1, 8000, SF_FORMAT_WAV | SF_FORMAT_FLOAT, err, sizeof err) == 0);
    CHECK(wav_read(P("hiss.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1 && strstr(err, "silent"));
    /* stereo whose channels cancel is silent after the mixdown */
    float *st = malloc(sizeof(float) * 2 * 4000);
    for (int i = 0; i < 4000; i++) { st[2 * i] = tone[i]; st[2 * i + 1] = -tone[i]; }
    CHECK(wav_write(P("cancel.wav"), st, 4000, 2, 8000, SF_FORMAT_WAV | SF_FORMAT_FLOAT, err, sizeof err) == 0);
    CHECK(wav_read(P("cancel.wav"), 8000, &x, &n, &sr, err, sizeof err) == -1 && strstr(err, "mixing"));
    free(st); free(z);

    /* stereo 44.1 kHz, 1.5 s: left 0.6*sin(1 kHz), right 0.2*sin(1 kHz) -> mono 0.4*sin at 8 kHz */
    int n44 = 44100 * 3 / 2;
    float *s44 = malloc(sizeof(float) * 2 * (size_t)n44);
    for (int i = 0; i < n44; i++) {
        float v = sinf(2 * (float)M_PI * 1000.0f * i / 44100.0f);
        s44[2 * i] = 0.6f * v; s44[2 * i + 1] = 0.2f * v;
    }
    CHECK(wav_write(P("stereo44k.wav"), s44, n44, 2, 44100, 0, err, sizeof err) == 0);
    rc = wav_read(P("stereo44k.wav"), 8000, &x, &n, &sr, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        CHECKF(abs(n - 12000) <= 2 && sr == 8000, "n=%d", n);
        double fr = sine_freq(x, 1000, n - 1000, 8000);
        double ss = 0; for (int i = 1000; i < n - 1000; i++) ss += (double)x[i] * x[i];
        double amp = sqrt(2 * ss / (n - 2000));
        printf("  stereo 44.1 kHz -> %d samples at 8 kHz, %.3f Hz, amplitude %.4f\n", n, fr, amp);
        CHECKF(fabs(fr - 1000) < 0.05, "frequency %g", fr);
        CHECKF(fabs(amp - 0.4) < 0.002, "amplitude %g", amp);
        free(x); x = NULL;
    }
    free(s44);
    /* FLAC at 16 kHz: a 3.5 kHz tone survives, a 5 kHz tone (above the new Nyquist) is filtered out */
    float *s16 = malloc(sizeof(float) * 16000);
    for (int i = 0; i < 16000; i++) s16[i] = 0.3f * sinf(2 * (float)M_PI * 3500.0f * i / 16000.0f) + 0.3f * sinf(2 * (float)M_PI * 5000.0f * i / 16000.0f);
    CHECK(wav_write(P("tone16k.flac"), s16, 16000, 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, err, sizeof err) == 0);
    rc = wav_read(P("tone16k.flac"), 8000, &x, &n, &sr, err, sizeof err);
    CHECKF(rc == 0, "%s", err);
    if (rc == 0) {
        CHECK(abs(n - 8000) <= 2);
        double ss = 0; for (int i = 500; i < n - 500; i++) ss += (double)x[i] * x[i];
        double amp = sqrt(2 * ss / (n - 1000));
        CHECKF(fabs(amp - 0.3) < 0.01, "amplitude after resampling %g (alias not removed?)", amp);
        free(x); x = NULL;
    }
    free(s16);

    /* wav_resample directly */
    float *y; int ny;
    CHECK(wav_resample(tone, 4000, 2.0, 2, &y, &ny, err, sizeof err) == 0 && abs(ny - 8000) <= 2);
    free(y);
    CHECK(wav_resample(tone, 0, 2.0, 2, &y, &ny, err, sizeof err) == -1);

    /* samples outside [-1, 1] or non-finite: the file is refused, naming it and the sample */
    {
        float w[800];
        for (int i = 0; i < 800; i++) w[i] = 0.5f * sinf(i * 0.3f);
        write_float_wav(P("loud_ok.wav"), w, 800, 1);
        rc = wav_read(P("loud_ok.wav"), 8000, &x, &n, NULL, err, sizeof err);
        CHECKF(rc == 0 && n == 800, "%s", err);
        free(x); x = NULL;
        w[0] = 1.0f; w[1] = -1.0f;                          /* the bounds themselves are in range */
        write_float_wav(P("loud_edge.wav"), w, 800, 1);
        rc = wav_read(P("loud_edge.wav"), 8000, &x, &n, NULL, err, sizeof err);
        CHECKF(rc == 0, "%s", err);
        free(x); x = NULL;
        w[17] = 1e30f;
        write_float_wav(P("loud_big.wav"), w, 800, 1);
        CHECK(refused_with(P("loud_big.wav"), "sample 17 is 1e+30, outside [-1, 1]", err, sizeof err));
        w[17] = 1.0001f;
        write_float_wav(P("loud_eps.wav"), w, 800, 1);
        CHECK(refused_with(P("loud_eps.wav"), "outside [-1, 1]", err, sizeof err));
        w[17] = NAN;
        write_float_wav(P("loud_nan.wav"), w, 800, 1);
        CHECK(refused_with(P("loud_nan.wav"), "is nan", err, sizeof err));
        w[17] = -INFINITY;
        write_float_wav(P("loud_inf.wav"), w, 800, 1);
        CHECK(refused_with(P("loud_inf.wav"), "is -inf", err, sizeof err));
        /* stereo: the bad value in the second channel is not averaged away */
        w[17] = 0.2f; w[19] = 3.0f;
        write_float_wav(P("loud_st.wav"), w, 800, 2);
        CHECK(refused_with(P("loud_st.wav"), "sample 9 (a later channel) is 3", err, sizeof err));
        char rp[1024];
        snprintf(rp, sizeof rp, "%s/../repro/6_loud_0.wav", test_data_dir());
        if (access(rp, R_OK) == 0) {
            float *y2 = NULL; int n2;
            CHECK(wav_read(rp, 8000, &y2, &n2, NULL, err, sizeof err) == -1 && strstr(err, "6_loud_0.wav") &&
                  strstr(err, "outside [-1, 1]") && one_line(err));
            free(y2);
        }
        const char *ln[] = {"loud_ok.wav", "loud_edge.wav", "loud_big.wav", "loud_eps.wav", "loud_nan.wav", "loud_inf.wav",
                            "loud_st.wav"};
        for (size_t i = 0; i < sizeof ln / sizeof *ln; i++) unlink(P(ln[i]));
    }

    const char *names[] = {"good.wav", "text.wav", "empty.wav", "noframes.wav", "trunc.wav", "stream.wav", "silence.wav",
                           "hiss.wav", "cancel.wav", "stereo44k.wav", "tone16k.flac"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) unlink(P(names[i]));
    rmdir(dir);
    TEST_DONE("test_wav");
}
