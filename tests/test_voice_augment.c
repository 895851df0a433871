/* test_voice_augment.c — the voices recipe's augmentations and front ends, each judged on what it claims:
 * gain (length kept, energy changed by exactly the drawn dB, within the range), white noise (length kept,
 * SNR within the range), speed (length n/f, power kept for an in-band tone), VTLP (shape kept, identity at
 * 1, every cell inside its frame's range, a formant peak moves the right way), the augmented copies of
 * voice_featurise (copy 0 is the clean features, copies deterministic for a seed and different across
 * seeds and copies), the front ends (max/meanstd/cmvn ignore gain; cmvn removes a fixed filter), and each
 * augmentation deterministic for a seed. */
#include "test.h"
#include "augment.h"
#include "melspec.h"
#include "rng.h"
#include "voice_data.h"
#include "wav.h"

enum { N = 8000 };

static void tone(float *x, int n, double hz, double amp) {
    for (int i = 0; i < n; i++) x[i] = (float)(amp * sin(2 * M_PI * hz * i / 8000.0));
}
static double power(const float *x, int n) {
    double p = 0;
    for (int i = 0; i < n; i++) p += (double)x[i] * x[i];
    return p / n;
}
/* A "voice": a few harmonics of 140 Hz with a slow envelope, plus a little noise. */
static void voice(float *x, int n, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        double t = i / 8000.0, env = sin(M_PI * i / n);
        x[i] = (float)(env * (0.3 * sin(2 * M_PI * 140 * t) + 0.2 * sin(2 * M_PI * 700 * t) +
                              0.1 * sin(2 * M_PI * 1900 * t)) + 0.001 * rng_normal(&r));
    }
}

static void test_gain(void) {
    static float x[N];
    voice(x, N, 3);
    AugmentConfig c;
    augment_none(&c); c.gain_db = 10;
    char err[256];
    double lo = 1e9, hi = -1e9;
    int ok = 1;
    for (uint64_t s = 1; s <= 50; s++) {
        Rng r; rng_seed(&r, s);
        float *y; int ny;
        if (augment_wave(x, N, &c, &r, &y, &ny, err, sizeof err) || ny != N) { ok = 0; continue; }
        double db = 10 * log10(power(y, ny) / power(x, N));
        /* the shape is kept: y is x times one constant */
        double g = y[1234] / x[1234];
        for (int i = 0; i < N; i += 97) if (fabs(y[i] - g * x[i]) > 1e-5) ok = 0;
        if (db < lo) lo = db;
        if (db > hi) hi = db;
        free(y);
    }
    CHECK(ok);
    CHECKF(lo >= -10.0001 && hi <= 10.0001 && lo < -5 && hi > 5, "gain range seen [%g, %g] dB", lo, hi);
}

static void test_noise_snr(void) {
    static float x[N];
    voice(x, N, 4);
    AugmentConfig c;
    augment_none(&c); c.noise_snr_min = 15; c.noise_snr_max = 40;
    char err[256];
    int ok = 1;
    double lo = 1e9, hi = -1e9;
    for (uint64_t s = 1; s <= 40; s++) {
        Rng r; rng_seed(&r, s);
        float *y; int ny;
        if (augment_wave(x, N, &c, &r, &y, &ny, err, sizeof err) || ny != N) { ok = 0; continue; }
        for (int i = 0; i < N; i++) y[i] -= x[i];   /* the noise alone */
        double snr = 10 * log10(power(x, N) / power(y, N));
        if (snr < lo) lo = snr;
        if (snr > hi) hi = snr;
        free(y);
    }
    CHECK(ok);
    CHECKF(lo > 15 - 0.3 && hi < 40 + 0.3 && hi - lo > 10, "SNR range seen [%g, %g] dB", lo, hi);
}

static void test_speed(void) {
    static float x[N];
    tone(x, N, 300, 0.5);
    AugmentConfig c;
    augment_none(&c); c.speed = 0.15f;
    char err[256];
    int ok = 1;
    for (uint64_t s = 1; s <= 10; s++) {
        Rng r; rng_seed(&r, s);
        float *y; int ny;
        if (augment_wave(x, N, &c, &r, &y, &ny, err, sizeof err)) { ok = 0; continue; }
        if (ny < N / 1.15 - 2 || ny > N / 0.85 + 2) ok = 0;
        /* away from the edges the tone keeps its power (0.125) */
        if (fabs(power(y + 200, ny - 400) / 0.125 - 1) > 0.03) ok = 0;
        free(y);
    }
    CHECK(ok);
}

/* Same seed -> same waveform, another seed -> another one, for every waveform augmentation together. */
static void test_wave_seeded(void) {
    static float x[N];
    voice(x, N, 5);
    AugmentConfig c;
    augment_none(&c); c.speed = 0.15f; c.gain_db = 10; c.noise_snr_min = 15; c.noise_snr_max = 40;
    char err[256];
    float *a, *b, *d; int na, nb, nd;
    Rng r;
    rng_seed(&r, 9); CHECK(!augment_wave(x, N, &c, &r, &a, &na, err, sizeof err));
    rng_seed(&r, 9); CHECK(!augment_wave(x, N, &c, &r, &b, &nb, err, sizeof err));
    rng_seed(&r, 10); CHECK(!augment_wave(x, N, &c, &r, &d, &nd, err, sizeof err));
    CHECK(na == nb && !memcmp(a, b, sizeof(float) * (size_t)na));
    CHECK(na != nd || memcmp(a, d, sizeof(float) * (size_t)na));
    free(a); free(b); free(d);
}

enum { M = 40, T = 96 };

static void test_vtlp(void) {
    static float a[M * T], o[M * T];
    for (int m = 0; m < M; m++)   /* a peak at band 20 in every frame, frame t offset by t */
        for (int t = 0; t < T; t++) a[m * T + t] = (float)(t - (m - 20) * (m - 20)) * 0.01f;
    memcpy(o, a, sizeof a);
    augment_vtlp(a, M, T, 1.0f, 4000);
    CHECK(!memcmp(a, o, sizeof a));
    int peak_up = 0, peak_down = 0, inside = 1;
    for (int dir = -1; dir <= 1; dir += 2) {
        memcpy(a, o, sizeof a);
        augment_vtlp(a, M, T, 1.0f + 0.1f * dir, 4000);
        for (int t = 0; t < T; t++) {
            float mn = 1e9f, mx = -1e9f;
            for (int m = 0; m < M; m++) { mn = fminf(mn, o[m * T + t]); mx = fmaxf(mx, o[m * T + t]); }
            for (int m = 0; m < M; m++) if (a[m * T + t] < mn - 1e-6f || a[m * T + t] > mx + 1e-6f) inside = 0;
        }
        int best = 0;
        for (int m = 1; m < M; m++) if (a[m * T] > a[best * T]) best = m;
        if (dir > 0) peak_up = best > 20;
        else peak_down = best < 20;
    }
    CHECK(inside);
    CHECKF(peak_up && peak_down, "a > 1 moves formants up (%d), a < 1 down (%d)", peak_up, peak_down);
    /* through augment_features: shape kept, seeded, changes the map */
    AugmentConfig c;
    augment_none(&c); c.vtlp = 0.1f;
    static float b[M * T];
    Rng r;
    memcpy(a, o, sizeof a); rng_seed(&r, 3); augment_features(a, M, T, &c, &r);
    memcpy(b, o, sizeof b); rng_seed(&r, 3); augment_features(b, M, T, &c, &r);
    CHECK(!memcmp(a, b, sizeof a) && memcmp(a, o, sizeof a));
}

/* Front ends: every normalisation ignores a gain; cmvn also ignores a fixed filter (a per-band dB offset). */
static void test_front_ends(void) {
    static float x[N], y[N], f1[M * T], f2[M * T];
    voice(x, N, 6);
    for (int i = 0; i < N; i++) y[i] = 0.1f * x[i];   /* 20 dB quieter */
    char err[256];
    for (int norm = MEL_NORM_MAX; norm <= MEL_NORM_CMVN; norm++) {
        MelParams p;
        mel_default_params(&p);
        p.norm = (MelNorm)norm;
        p.top_db = 0;   /* no floor: exactly invariant */
        MelBank *b = mel_bank_new(&p, err, sizeof err);
        CHECK(b != NULL);
        if (!b) continue;
        mel_features(b, x, N, f1);
        mel_features(b, y, N, f2);
        double d = 0;
        for (int i = 0; i < M * T; i++) d = fmax(d, fabs(f1[i] - f2[i]));
        CHECKF(d < 2e-3, "norm %s: a 20 dB gain changes features by %g", mel_norm_name(p.norm), d);
        if (norm == MEL_NORM_CMVN) {   /* every band has mean 0 over the frames of a full-window clip */
            double worst = 0;
            int T0 = (T - mel_n_frames(&p, N)) / 2;   /* padding: the clip is longer than 96 frames here */
            for (int m = 0; m < M; m++) {
                double s = 0;
                for (int t = T0 > 0 ? T0 : 0; t < T; t++) s += f1[m * T + t];
                worst = fmax(worst, fabs(s / T));
            }
            CHECKF(worst < 1e-3, "cmvn band means up to %g", worst);
        }
        mel_bank_free(b);
    }
    CHECK(mel_norm_parse("cmvn") == MEL_NORM_CMVN && mel_norm_parse("bogus") == -1);
}

/* voice_featurise's copies: copy 0 is clean, copies are seeded per clip name and copy number. */
static void test_copies(void) {
    VoiceClips c;
    memset(&c, 0, sizeof c);
    static float w0[N], w1[N];
    voice(w0, N, 7); voice(w1, N, 8);
    float *waves[2] = {w0, w1};
    int lens[2] = {N, N}, digit[2] = {1, 2}, spk[2] = {0, 0}, take[2] = {0, 0};
    char *paths[2] = {"d/1_a_0.wav", "d/2_a_0.wav"};
    c.ix.n = 2; c.ix.path = paths; c.ix.digit = digit; c.ix.speaker = spk; c.ix.take = take; c.ix.n_speakers = 1;
    c.wave = waves; c.len = lens;
    MelParams p;
    mel_default_params(&p);
    AugmentConfig w;
    augment_none(&w); w.speed = 0.15f; w.gain_db = 10; w.noise_snr_min = 15; w.noise_snr_max = 40;
    int idx[2] = {0, 1};
    char err[256];
    Dataset *a = voice_featurise(&c, idx, 2, &p, &w, 2, 42, 5, err, sizeof err);
    Dataset *b = voice_featurise(&c, idx, 2, &p, &w, 2, 42, 5, err, sizeof err);
    Dataset *d = voice_featurise(&c, idx, 2, &p, &w, 2, 43, 5, err, sizeof err);
    int one[1] = {1};
    Dataset *s = voice_featurise(&c, one, 1, &p, &w, 2, 42, 5, err, sizeof err);   /* clip 1 alone */
    CHECK(a && b && d && s);
    if (a && b && d && s) {
        size_t ss = ds_sample_size(a);
        CHECK(a->n == 6 && a->y[0] == 1 && a->y[3] == 2 && a->group[4] == 5);
        CHECK(!memcmp(a->x, b->x, sizeof(float) * ss * 6));             /* deterministic */
        static float clean[M * T];
        MelBank *bank = mel_bank_new(&p, err, sizeof err);
        mel_features(bank, w0, N, clean);
        mel_bank_free(bank);
        CHECK(!memcmp(a->x, clean, sizeof(float) * ss));                /* copy 0 = clean */
        CHECK(!memcmp(a->x, d->x, sizeof(float) * ss * 2));             /* the clean part ignores the seed */
        CHECK(memcmp(a->x + 2 * ss, d->x + 2 * ss, sizeof(float) * ss)); /* copies follow it */
        CHECK(memcmp(a->x + 2 * ss, a->x + 4 * ss, sizeof(float) * ss)); /* copy 1 != copy 2 */
        /* a clip's copies do not depend on the other clips featurised with it */
        CHECK(!memcmp(s->x + ss, a->x + 3 * ss, sizeof(float) * ss));
    }
    ds_free(a); ds_free(b); ds_free(d); ds_free(s);
    CHECK(voice_copy_seed(1, "x/1_a_0.wav", 1) == voice_copy_seed(1, "y/1_a_0.wav", 1));
    CHECK(voice_copy_seed(1, "x/1_a_0.wav", 1) != voice_copy_seed(1, "x/1_a_0.wav", 2));
}

int main(void) {
    test_gain();
    test_noise_snr();
    test_speed();
    test_wave_seeded();
    test_vtlp();
    test_front_ends();
    test_copies();
    TEST_DONE("test_voice_augment");
}
