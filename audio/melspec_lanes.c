/* melspec_lanes.c — the fast log-mel path: 16 frames at a time, one per SIMD lane (see melspec_lanes.h).
 *
 * Every array below is [index][LANES]: lane l holds frame t0 + l of the block, so each
 * step of the real FFT, the power, the mel sums and the dB conversion is the same
 * scalar formula applied to 16 frames at once; the compiler turns each inner lane
 * loop into vector instructions (AVX-512: one register).  The readable reference is
 * melspec.c's FFTW path; test_melspec holds both to torchaudio and to each other.
 *
 * Real FFT of N = n_fft points through one complex FFT of M = N/2 points:
 *   z[n] = x[2n] + i x[2n+1] (windowed), Z = FFT_M(z)  (radix 2, decimation in time,
 *   inputs loaded in bit-reversed order), then for k = 0..M, with Z[M] = Z[0]:
 *   E = (Z[k] + conj Z[M-k]) / 2, O = (Z[k] - conj Z[M-k]) / 2i,
 *   X[k] = E + exp(-2 pi i k / N) O.
 * Twiddles are computed in double and rounded once. */
#include "melspec_lanes.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LANES 16

struct MelLanes {
    int nfft, M, logM;
    int *bitrev;        /* [M] */
    float *twr, *twi;   /* [M/2] exp(-2 pi i j / M) */
    float *pcr, *psi;   /* [M+1] cos, sin of 2 pi k / N (the split step) */
};

MelLanes *mel_lanes_new(int nfft) {
    if (nfft < 8 || nfft > (1 << 16) || (nfft & (nfft - 1))) return NULL;
    MelLanes *L = calloc(1, sizeof *L);
    if (!L) return NULL;
    L->nfft = nfft; L->M = nfft / 2;
    while ((1 << L->logM) < L->M) L->logM++;
    L->bitrev = malloc(sizeof(int) * (size_t)L->M);
    L->twr = malloc(sizeof(float) * (size_t)(L->M / 2));
    L->twi = malloc(sizeof(float) * (size_t)(L->M / 2));
    L->pcr = malloc(sizeof(float) * (size_t)(L->M + 1));
    L->psi = malloc(sizeof(float) * (size_t)(L->M + 1));
    if (!L->bitrev || !L->twr || !L->twi || !L->pcr || !L->psi) { mel_lanes_free(L); return NULL; }
    for (int n = 0; n < L->M; n++) {
        int r = 0;
        for (int b = 0; b < L->logM; b++) r |= ((n >> b) & 1) << (L->logM - 1 - b);
        L->bitrev[n] = r;
    }
    for (int j = 0; j < L->M / 2; j++) {
        L->twr[j] = (float)cos(2.0 * M_PI * j / L->M);
        L->twi[j] = (float)-sin(2.0 * M_PI * j / L->M);
    }
    for (int k = 0; k <= L->M; k++) {
        L->pcr[k] = (float)cos(2.0 * M_PI * k / nfft);
        L->psi[k] = (float)sin(2.0 * M_PI * k / nfft);
    }
    return L;
}

void mel_lanes_free(MelLanes *L) {
    if (!L) return;
    free(L->bitrev); free(L->twr); free(L->twi); free(L->pcr); free(L->psi);
    free(L);
}

/* Windowed frames of the block into re/im[M][LANES], bit-reversed: xp is the signal with n_fft/2
 * zeros in front (and enough behind), frame l starts at xp + (t0 + l) * hop. */
static void load_block(const MelLanes *L, const float *xp, int t0, int hop, const float *win, float *re,
                       float *im) {
    const float *s0 = xp + (size_t)t0 * hop;
    for (int n = 0; n < L->M; n++) {   /* one vector store per point; the loads gather across frames */
        const float w0 = win[2 * n], w1 = win[2 * n + 1];
        const float *s = s0 + 2 * n;
        float *r = re + (size_t)L->bitrev[n] * LANES, *i = im + (size_t)L->bitrev[n] * LANES;
        for (int l = 0; l < LANES; l++) {
            r[l] = s[(size_t)l * hop] * w0;
            i[l] = s[(size_t)l * hop + 1] * w1;
        }
    }
}

/* In place complex FFT of M points per lane (inputs already bit-reversed). */
static void fft_block(const MelLanes *L, float *restrict re, float *restrict im) {
    const int M = L->M;
    for (int size = 2; size <= M; size *= 2) {
        const int half = size / 2, step = M / size;
        for (int start = 0; start < M; start += size)
            for (int j = 0; j < half; j++) {
                const float wr = L->twr[j * step], wi = L->twi[j * step];
                float *ar = re + (size_t)(start + j) * LANES, *ai = im + (size_t)(start + j) * LANES;
                float *br = ar + (size_t)half * LANES, *bi = ai + (size_t)half * LANES;
                for (int l = 0; l < LANES; l++) {
                    float tr = wr * br[l] - wi * bi[l], ti = wr * bi[l] + wi * br[l];
                    br[l] = ar[l] - tr; bi[l] = ai[l] - ti;
                    ar[l] += tr; ai[l] += ti;
                }
            }
    }
}

/* The split step: power |X[k]|^2 for k = 0..M into pw[M+1][LANES]. */
static void power_block(const MelLanes *L, const float *re, const float *im, float *pw) {
    const int M = L->M;
    for (int k = 0; k <= M; k++) {
        const int kk = k == M ? 0 : k, mk = (M - k) % M;
        const float *a = re + (size_t)kk * LANES, *b = im + (size_t)kk * LANES;
        const float *c = re + (size_t)mk * LANES, *d = im + (size_t)mk * LANES;
        const float cr = L->pcr[k], sr = L->psi[k];
        float *p = pw + (size_t)k * LANES;
        for (int l = 0; l < LANES; l++) {
            float er = 0.5f * (a[l] + c[l]), ei = 0.5f * (b[l] - d[l]);
            float orr = 0.5f * (b[l] + d[l]), oi = 0.5f * (c[l] - a[l]);
            float xr = er + cr * orr + sr * oi, xi = ei + cr * oi - sr * orr;
            p[l] = xr * xr + xi * xi;
        }
    }
}

/* mel[m*T + t0 + l] for the block's first `valid` lanes, from pw[n_freqs][LANES]. */
static void mel_block(const MelBank *b, const float *pw, float *mel, int T, int t0, int valid) {
    for (int m = 0; m < b->p.n_mels; m++) {
        const float *w = b->w + b->band_off[m];
        const float *q = pw + (size_t)b->band_start[m] * LANES;
        float s[LANES] = {0};
        for (int j = 0; j < b->band_count[m]; j++)
            for (int l = 0; l < LANES; l++) s[l] += w[j] * q[(size_t)j * LANES + l];
        float *o = mel + (size_t)m * T + t0;
        for (int l = 0; l < valid; l++) o[l] = s[l];
    }
}

int mel_power_lanes(const MelBank *b, const float *x, int n, float *mel) {
    const MelLanes *L = b->lanes;
    const MelParams *p = &b->p;
    const int T = mel_n_frames(p, n), half = p->n_fft / 2, M = L->M;
    const int nblk = (T + LANES - 1) / LANES;
    /* the padded signal: half zeros, x, and zeros up to the end of the last block's last frame */
    size_t np = (size_t)nblk * LANES * p->hop + (size_t)p->n_fft;
    if (np < (size_t)half + (size_t)n) np = (size_t)half + (size_t)n;
    float *xp = calloc(np, sizeof(float));
    float *buf = malloc(sizeof(float) * LANES * ((size_t)2 * M + (size_t)b->n_freqs));
    if (!xp || !buf) { free(xp); free(buf); return -1; }
    memcpy(xp + half, x, sizeof(float) * (size_t)n);
    float *re = buf, *im = re + (size_t)M * LANES, *pw = im + (size_t)M * LANES;
    for (int t0 = 0; t0 < T; t0 += LANES) {
        load_block(L, xp, t0, p->hop, b->window, re, im);
        fft_block(L, re, im);
        power_block(L, re, im, pw);
        mel_block(b, pw, mel, T, t0, T - t0 < LANES ? T - t0 : LANES);
    }
    free(xp); free(buf);
    return T;
}

/* 10*log10(v) for v > 0 normal: v = 2^e * m, m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
 * s = (m-1)/(m+1), |s| <= 0.1716, by its series to s^9 (truncation < 4e-10 relative). */
static inline float db10(float v) {
    union { float f; unsigned u; } c = {v};
    int e = (int)((c.u >> 23) & 0xff) - 127;
    c.u = (c.u & 0x007fffffu) | 0x3f800000u;              /* m in [1, 2) */
    float m = c.f;
    if (m > 1.41421356f) { m *= 0.5f; e += 1; }
    float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
    float lnm = 2.0f * s * (1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9)))));
    const float ln2 = 0.693147180559945f, k = 4.342944819032518f;   /* 10 / ln 10 */
    return k * ((float)e * ln2 + lnm);
}

float mel_db_lanes(float *v, size_t len, float amin) {
    /* amin > 0 is a normal float (mel_bank_new refuses amin <= 0; below FLT_MIN is clamped) */
    const float lo = amin > 1.17549435e-38f ? amin : 1.17549435e-38f;
    float mx = -INFINITY;
    #pragma omp simd reduction(max:mx)
    for (size_t i = 0; i < len; i++) {
        float d = db10(v[i] > lo ? v[i] : lo);
        v[i] = d;
        mx = d > mx ? d : mx;
    }
    return mx;
}
