/* test_augment.c — feature and waveform augmentation: off is identity, seeded,
 * each transform does what it says. */
#include "test.h"
#include "augment.h"
#include "rng.h"

enum { M = 40, T = 96 };

static void ramp(float *x) {   /* distinct values: x[m][t] = m + t/1000 - 20 */
    for (int m = 0; m < M; m++) for (int t = 0; t < T; t++) x[m * T + t] = (float)m + t / 1000.0f - 20.0f;
}

int main(void) {
    static float a[M * T], b[M * T], o[M * T];
    AugmentConfig c;
    Rng r;

    /* off: identity, and no random numbers consumed */
    augment_none(&c);
    ramp(a); memcpy(o, a, sizeof a);
    rng_seed(&r, 1);
    augment_features(a, M, T, &c, &r);
    CHECK(!memcmp(a, o, sizeof a));
    Rng r0; rng_seed(&r0, 1);
    CHECK(rng_u64(&r) == rng_u64(&r0));

    /* seeded: same seed same result, another seed another result */
    augment_default(&c);
    ramp(a); ramp(b);
    rng_seed(&r, 7); augment_features(a, M, T, &c, &r);
    rng_seed(&r, 7); augment_features(b, M, T, &c, &r);
    CHECK(!memcmp(a, b, sizeof a));
    int differ = 0;
    for (uint64_t s = 8; s < 12; s++) { ramp(b); rng_seed(&r, s); augment_features(b, M, T, &c, &r); differ += memcmp(a, b, sizeof a) != 0; }
    CHECK(differ >= 3);

    /* time shift only: content moves by |s| <= 8 frames, vacated frames take the minimum */
    augment_none(&c); c.time_shift = 8;
    int seen_pos = 0, seen_neg = 0, ok = 1;
    for (uint64_t s = 0; s < 40; s++) {
        ramp(a); rng_seed(&r, s); augment_features(a, M, T, &c, &r);
        /* find the shift from row 5: the cell holding original frame 48 */
        int sh = -100;
        for (int t = 0; t < T; t++) if (fabsf(a[5 * T + t] - (5 + 48 / 1000.0f - 20)) < 1e-6f) sh = t - 48;
        ok &= sh >= -8 && sh <= 8;
        seen_pos |= sh > 0; seen_neg |= sh < 0;
        for (int m = 0; m < M; m++) for (int t = 0; t < T; t++) {
            int src = t - sh;
            float want = (src >= 0 && src < T) ? (float)m + src / 1000.0f - 20.0f : -20.0f;
            ok &= a[m * T + t] == want;
        }
    }
    CHECK(ok && seen_pos && seen_neg);

    /* time masks only: whole columns set to the mean, total width <= 2*8 */
    augment_none(&c); c.time_masks = 2; c.time_mask_max = 8;
    ok = 1; int any = 0;
    for (uint64_t s = 0; s < 40; s++) {
        ramp(a); ramp(o);
        double mean = 0; for (int i = 0; i < M * T; i++) mean += o[i]; mean /= M * T;
        rng_seed(&r, s); augment_features(a, M, T, &c, &r);
        int cols = 0;
        for (int t = 0; t < T; t++) {
            int changed = 0, all = 1;
            for (int m = 0; m < M; m++) { int ch = a[m * T + t] != o[m * T + t]; changed |= ch; all &= fabsf(a[m * T + t] - (float)mean) < 1e-5f; }
            if (changed) { cols++; ok &= all; }
        }
        ok &= cols <= 16; any |= cols > 0;
    }
    CHECK(ok && any);

    /* frequency masks only: whole rows */
    augment_none(&c); c.freq_masks = 2; c.freq_mask_max = 5;
    ok = 1; any = 0;
    for (uint64_t s = 0; s < 40; s++) {
        ramp(a); ramp(o);
        rng_seed(&r, s); augment_features(a, M, T, &c, &r);
        int rows = 0;
        for (int m = 0; m < M; m++) {
            int changed = 0, all = 1;
            for (int t = 0; t < T; t++) { changed |= a[m * T + t] != o[m * T + t]; all &= a[m * T + t] == a[m * T]; }
            if (changed) { rows++; ok &= all; }
        }
        ok &= rows <= 10; any |= rows > 0;
    }
    CHECK(ok && any);

    /* feature noise: std close to the setting */
    augment_none(&c); c.feat_noise = 0.1f;
    ramp(a); ramp(o); rng_seed(&r, 3); augment_features(a, M, T, &c, &r);
    double ss = 0; for (int i = 0; i < M * T; i++) ss += (double)(a[i] - o[i]) * (a[i] - o[i]);
    double sd = sqrt(ss / (M * T));
    CHECKF(fabs(sd - 0.1) < 0.01, "noise sd %g", sd);

    /* batch: samples get different draws, channels handled */
    augment_default(&c);
    static float bx[3 * M * T];
    for (int k = 0; k < 3; k++) ramp(bx + k * M * T);
    rng_seed(&r, 5);
    augment_batch(bx, NULL, 3, 1, M, T, &r, &c);
    CHECK(memcmp(bx, bx + M * T, sizeof a) || memcmp(bx, bx + 2 * M * T, sizeof a));
    augment_batch(bx, NULL, 3, 1, M, T, &r, NULL);   /* NULL ctx: no-op, no crash */

    /* waveform: speed changes length and frequency consistently; noise hits the SNR */
    char err[256];
    int n = 8000;
    float *x = malloc(sizeof(float) * n), *y; int ny;
    for (int i = 0; i < n; i++) x[i] = 0.5f * sinf(2 * (float)M_PI * 500.0f * i / 8000.0f);
    augment_none(&c); c.speed = 0.1f;
    ok = 1; int lens_differ = 0;
    for (uint64_t s = 0; s < 6; s++) {
        rng_seed(&r, s);
        if (augment_wave(x, n, &c, &r, &y, &ny, err, sizeof err)) { ok = 0; continue; }
        ok &= ny >= (int)(n / 1.1) - 2 && ny <= (int)(n / 0.9) + 2;
        lens_differ |= ny != n;
        /* zero crossings: the 500 Hz tone becomes 500*n/ny Hz */
        int zc = 0; for (int i = 1; i < ny; i++) zc += y[i - 1] < 0 && y[i] >= 0;
        double f = zc * 8000.0 / ny, want = 500.0 * n / ny;
        ok &= fabs(f - want) < 3;
        free(y);
    }
    CHECK(ok && lens_differ);
    augment_none(&c); c.noise_snr_min = 20; c.noise_snr_max = 20;
    rng_seed(&r, 9);
    CHECK(augment_wave(x, n, &c, &r, &y, &ny, err, sizeof err) == 0 && ny == n);
    double ps = 0, pn = 0;
    for (int i = 0; i < n; i++) { ps += (double)x[i] * x[i]; pn += (double)(y[i] - x[i]) * (y[i] - x[i]); }
    double snr = 10 * log10(ps / pn);
    CHECKF(fabs(snr - 20) < 0.3, "snr %g", snr);
    free(y);
    augment_none(&c);
    CHECK(augment_wave(x, n, &c, &r, &y, &ny, err, sizeof err) == 0 && ny == n && !memcmp(x, y, sizeof(float) * n));
    free(y);
    CHECK(augment_wave(x, 0, &c, &r, &y, &ny, err, sizeof err) == -1);
    free(x);
    TEST_DONE("test_augment");
}
