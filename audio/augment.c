/* augment.c — training-time augmentation of speech (seeded, every part switchable; see augment.h). */
#include "augment.h"
#include "wav.h"
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

void augment_none(AugmentConfig *c) { memset(c, 0, sizeof *c); }

void augment_default(AugmentConfig *c) {
    augment_none(c);
    c->time_shift = 8;
    c->time_masks = 2; c->time_mask_max = 8;
    c->freq_masks = 2; c->freq_mask_max = 5;
}

static int uniform_int(Rng *r, int lo, int hi) { return lo + rng_int(r, hi - lo + 1); }   /* [lo, hi] */

/* Slaney mel scale (librosa's default, melspec.c's). */
static double slaney_mel(double f) {
    const double f_sp = 200.0 / 3, min_log_mel = 1000.0 / f_sp, logstep = log(6.4) / 27.0;
    return f >= 1000.0 ? min_log_mel + log(f / 1000.0) / logstep : f / f_sp;
}
static double slaney_hz(double m) {
    const double f_sp = 200.0 / 3, min_log_mel = 1000.0 / f_sp, logstep = log(6.4) / 27.0;
    return m >= min_log_mel ? 1000.0 * exp(logstep * (m - min_log_mel)) : f_sp * m;
}

void augment_vtlp(float *x, int n_mels, int frames, float a, float fmax) {
    if (n_mels < 2 || frames <= 0 || !(a > 0) || a == 1.0f) return;
    double top = slaney_mel(fmax > 0 ? fmax : 4000.0), step = top / (n_mels + 1);
    float *col = malloc(sizeof(float) * (size_t)n_mels);
    double *pos = malloc(sizeof(double) * (size_t)n_mels);
    if (!col || !pos) { free(col); free(pos); return; }
    for (int m = 0; m < n_mels; m++) {   /* fractional source band of output band m */
        double p = slaney_mel(slaney_hz((m + 1) * step) / a) / step - 1;
        pos[m] = p < 0 ? 0 : p > n_mels - 1 ? n_mels - 1 : p;
    }
    for (int t = 0; t < frames; t++) {
        for (int m = 0; m < n_mels; m++) col[m] = x[(size_t)m * frames + t];
        for (int m = 0; m < n_mels; m++) {
            int i = (int)pos[m];
            if (i > n_mels - 2) i = n_mels - 2;
            float f = (float)(pos[m] - i);
            x[(size_t)m * frames + t] = col[i] + f * (col[i + 1] - col[i]);
        }
    }
    free(col); free(pos);
}

void augment_features(float *x, int n_mels, int frames, const AugmentConfig *cfg, Rng *r) {
    if (!cfg || n_mels <= 0 || frames <= 0) return;
    size_t N = (size_t)n_mels * frames;
    if (cfg->vtlp > 0) {
        float v = cfg->vtlp > 0.5f ? 0.5f : cfg->vtlp;
        augment_vtlp(x, n_mels, frames, 1.0f + v * (2.0f * rng_uniform(r) - 1.0f), cfg->vtlp_fmax);
    }
    if (cfg->time_shift > 0) {
        int s = uniform_int(r, -cfg->time_shift, cfg->time_shift);
        if (s) {
            float mn = x[0];
            for (size_t i = 1; i < N; i++) if (x[i] < mn) mn = x[i];
            for (int m = 0; m < n_mels; m++) {
                float *row = x + (size_t)m * frames;
                if (s > 0) {
                    int k = s < frames ? s : frames;
                    memmove(row + k, row, sizeof(float) * (size_t)(frames - k));
                    for (int t = 0; t < k; t++) row[t] = mn;
                } else {
                    int k = -s < frames ? -s : frames;
                    memmove(row, row + k, sizeof(float) * (size_t)(frames - k));
                    for (int t = frames - k; t < frames; t++) row[t] = mn;
                }
            }
        }
    }
    int tm = cfg->time_masks > 0 && cfg->time_mask_max > 0;
    int fm = cfg->freq_masks > 0 && cfg->freq_mask_max > 0;
    if (tm || fm) {
        double s = 0;
        for (size_t i = 0; i < N; i++) s += x[i];
        float mean = (float)(s / (double)N);
        if (tm) for (int k = 0; k < cfg->time_masks; k++) {
            int wdt = uniform_int(r, 0, cfg->time_mask_max < frames ? cfg->time_mask_max : frames);
            int t0 = rng_int(r, frames - wdt + 1);
            for (int m = 0; m < n_mels; m++)
                for (int t = t0; t < t0 + wdt; t++) x[(size_t)m * frames + t] = mean;
        }
        if (fm) for (int k = 0; k < cfg->freq_masks; k++) {
            int wdt = uniform_int(r, 0, cfg->freq_mask_max < n_mels ? cfg->freq_mask_max : n_mels);
            int m0 = rng_int(r, n_mels - wdt + 1);
            for (int m = m0; m < m0 + wdt; m++)
                for (int t = 0; t < frames; t++) x[(size_t)m * frames + t] = mean;
        }
    }
    if (cfg->feat_noise > 0)
        for (size_t i = 0; i < N; i++) x[i] += cfg->feat_noise * rng_normal(r);
}

void augment_batch(float *x, const int *y, int B, int c, int h, int w, Rng *r, void *ctx) {
    (void)y;
    const AugmentConfig *cfg = ctx;
    if (!cfg) return;
    for (int b = 0; b < B; b++)
        for (int ch = 0; ch < c; ch++)
            augment_features(x + ((size_t)b * c + ch) * h * w, h, w, cfg, r);
}

int augment_wave(const float *x, int n, const AugmentConfig *cfg, Rng *r, float **out, int *n_out,
                 char *err, size_t errlen) {
    *out = NULL; *n_out = 0;
    if (n <= 0) { snprintf(err, errlen, "augment_wave: empty input"); return -1; }
    float *y; int ny;
    if (cfg && cfg->speed > 0) {
        float sp = cfg->speed > 0.5f ? 0.5f : cfg->speed;
        double f = 1.0 + sp * (2.0 * rng_uniform(r) - 1.0);   /* speed factor */
        if (wav_resample(x, n, 1.0 / f, SRC_SINC_FASTEST, &y, &ny, err, errlen)) return -1;
        if (ny <= 0) { free(y); snprintf(err, errlen, "augment_wave: too short to change speed"); return -1; }
    } else {
        y = malloc(sizeof(float) * (size_t)n);
        if (!y) { snprintf(err, errlen, "augment_wave: out of memory"); return -1; }
        memcpy(y, x, sizeof(float) * (size_t)n);
        ny = n;
    }
    if (cfg && cfg->gain_db > 0) {
        float g = (float)pow(10.0, cfg->gain_db * (2.0 * rng_uniform(r) - 1.0) / 20.0);
        for (int i = 0; i < ny; i++) y[i] *= g;
    }
    if (cfg && cfg->noise_snr_max > 0) {
        double lo = cfg->noise_snr_min < cfg->noise_snr_max ? cfg->noise_snr_min : cfg->noise_snr_max;
        double snr = lo + (cfg->noise_snr_max - lo) * rng_uniform(r);
        double p = 0;
        for (int i = 0; i < ny; i++) p += (double)y[i] * y[i];
        p /= ny;
        float sd = (float)sqrt(p / pow(10.0, snr / 10.0));
        for (int i = 0; i < ny; i++) y[i] += sd * rng_normal(r);
    }
    *out = y; *n_out = ny;
    return 0;
}
