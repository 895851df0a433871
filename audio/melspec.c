/* melspec.c — log-mel spectrogram features with FFTW, single precision (see melspec.h). */
#include "escape.h"
#include "melspec.h"
#include "melspec_lanes.h"
#include "wav.h"
#include <fftw3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>

#define MEL_ALGO_VERSION 1

void mel_default_params(MelParams *p) {
    memset(p, 0, sizeof *p);
    p->sr = 8000; p->n_fft = 256; p->hop = 80; p->n_mels = 40;
    p->fmin = 0.0f; p->fmax = 4000.0f;
    p->scale = MEL_SCALE_SLANEY; p->slaney_norm = 1;
    p->amin = 1e-10f; p->top_db = 80.0f;
    p->frames = 96; p->norm = MEL_NORM_MAX;
    const char *impl = getenv("UNLEARN_FEATURES");
    p->impl = impl && !strcmp(impl, "reference") ? MEL_IMPL_REFERENCE : MEL_IMPL_FAST;
}

/* whether a bank with these parameters takes the fast path (melspec_lanes.c) */
static int uses_lanes(const MelParams *p) {
    return p->impl == MEL_IMPL_FAST && p->n_fft >= 8 && p->n_fft <= (1 << 16) && !(p->n_fft & (p->n_fft - 1)) &&
           p->amin >= FLT_MIN;
}

static const char *const norm_names[] = {"none", "max", "meanstd", "cmvn"};
const char *mel_norm_name(MelNorm n) { return (int)n >= 0 && (int)n < 4 ? norm_names[n] : NULL; }
int mel_norm_parse(const char *s) {
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, norm_names[i])) return i;
    return -1;
}
static const char *norm_name(MelNorm n) {
    return mel_norm_name(n) ? mel_norm_name(n) : "?";
}

int mel_params_string(const MelParams *p, char *buf, size_t len) {
    return snprintf(buf, len,
        "logmel-v%d sr=%d n_fft=%d hop=%d win=hann_periodic center=zero power=2 n_mels=%d "
        "fmin=%.9g fmax=%.9g scale=%s fbnorm=%s amin=%.9g top_db=%.9g frames=%d crop=maxenergy "
        "pad=floor norm=%s%s",
        MEL_ALGO_VERSION, p->sr, p->n_fft, p->hop, p->n_mels, (double)p->fmin,
        (double)(p->fmax > 0 ? p->fmax : p->sr / 2.0f), p->scale == MEL_SCALE_HTK ? "htk" : "slaney",
        p->slaney_norm ? "slaney" : "none", (double)p->amin, (double)p->top_db, p->frames,
        norm_name(p->norm), uses_lanes(p) ? " impl=lanes16" : "");
}

/* ---- plan cache: one r2c plan per n_fft, created under a mutex ---- */
#define MAX_PLANS 16
static pthread_mutex_t plan_mu = PTHREAD_MUTEX_INITIALIZER;
static struct { int n; fftwf_plan plan; } plans[MAX_PLANS];
static int n_plans;

static fftwf_plan get_plan(int n_fft) {
    fftwf_plan pl = NULL;
    pthread_mutex_lock(&plan_mu);
    for (int i = 0; i < n_plans; i++) if (plans[i].n == n_fft) { pl = plans[i].plan; break; }
    if (!pl && n_plans < MAX_PLANS) {
        float *in = fftwf_malloc(sizeof(float) * (size_t)n_fft);
        fftwf_complex *out = fftwf_malloc(sizeof(fftwf_complex) * (size_t)(n_fft / 2 + 1));
        if (in && out) {
            pl = fftwf_plan_dft_r2c_1d(n_fft, in, out, FFTW_ESTIMATE);
            if (pl) { plans[n_plans].n = n_fft; plans[n_plans].plan = pl; n_plans++; }
        }
        fftwf_free(in); fftwf_free(out);
    }
    pthread_mutex_unlock(&plan_mu);
    return pl;
}

void mel_cleanup(void) {
    pthread_mutex_lock(&plan_mu);
    for (int i = 0; i < n_plans; i++) fftwf_destroy_plan(plans[i].plan);
    n_plans = 0;
    fftwf_cleanup();
    pthread_mutex_unlock(&plan_mu);
}

/* ---- mel scales (torchaudio/librosa formulas), in double ---- */
static double hz_to_mel(double f, MelScale s) {
    if (s == MEL_SCALE_HTK) return 2595.0 * log10(1.0 + f / 700.0);
    const double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = log(6.4) / 27.0;
    return f >= min_log_hz ? min_log_mel + log(f / min_log_hz) / logstep : f / f_sp;
}
static double mel_to_hz(double m, MelScale s) {
    if (s == MEL_SCALE_HTK) return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
    const double f_sp = 200.0 / 3, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = log(6.4) / 27.0;
    return m >= min_log_mel ? min_log_hz * exp(logstep * (m - min_log_mel)) : f_sp * m;
}

MelBank *mel_bank_new(const MelParams *pin, char *err, size_t errlen) {
    MelParams p = *pin;
    if (p.fmax <= 0) p.fmax = p.sr / 2.0f;
    if (p.sr <= 0 || p.n_fft < 4 || p.n_fft % 2 || p.hop <= 0 || p.n_mels <= 0 || p.frames <= 0) {
        snprintf(err, errlen, "mel parameters: need sr > 0, even n_fft >= 4, hop > 0, n_mels > 0, frames > 0 "
                 "(got sr=%d n_fft=%d hop=%d n_mels=%d frames=%d)", p.sr, p.n_fft, p.hop, p.n_mels, p.frames);
        return NULL;
    }
    if (p.fmin < 0 || p.fmin >= p.fmax || p.fmax > p.sr / 2.0f) {
        snprintf(err, errlen, "mel parameters: need 0 <= fmin < fmax <= sr/2 (got fmin=%g fmax=%g sr=%d)",
                 (double)p.fmin, (double)p.fmax, p.sr);
        return NULL;
    }
    if (!(p.amin > 0)) { snprintf(err, errlen, "mel parameters: amin must be > 0"); return NULL; }
    if (!mel_norm_name(p.norm)) {
        snprintf(err, errlen, "mel parameters: unknown normalisation %d", (int)p.norm); return NULL;
    }
    MelBank *b = calloc(1, sizeof *b);
    if (!b) { snprintf(err, errlen, "out of memory"); return NULL; }
    b->p = p;
    int nf = b->n_freqs = p.n_fft / 2 + 1, nm = p.n_mels;
    b->band_start = calloc((size_t)nm, sizeof(int));
    b->band_count = calloc((size_t)nm, sizeof(int));
    b->band_off = calloc((size_t)nm, sizeof(size_t));
    b->window = malloc(sizeof(float) * (size_t)p.n_fft);
    double *fpts = malloc(sizeof(double) * (size_t)(nm + 2));
    double *col = malloc(sizeof(double) * (size_t)nf);
    b->w = malloc(sizeof(float) * (size_t)nf * (size_t)nm);  /* upper bound, trimmed below */
    if (!b->band_start || !b->band_count || !b->band_off || !b->window || !fpts || !col || !b->w) {
        free(fpts); free(col); mel_bank_free(b);
        snprintf(err, errlen, "out of memory"); return NULL;
    }
    for (int i = 0; i < p.n_fft; i++) b->window[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / p.n_fft));
    double mmin = hz_to_mel(p.fmin, p.scale), mmax = hz_to_mel(p.fmax, p.scale);
    for (int i = 0; i < nm + 2; i++) fpts[i] = mel_to_hz(mmin + (mmax - mmin) * i / (nm + 1), p.scale);
    double nyq = (double)(p.sr / 2);   /* torchaudio: linspace(0, sample_rate // 2, n_freqs) */
    size_t off = 0;
    int empty = -1;
    for (int m = 0; m < nm; m++) {
        double lo = fpts[m], ce = fpts[m + 1], hi = fpts[m + 2];
        double enorm = p.slaney_norm ? 2.0 / (hi - lo) : 1.0;
        int first = -1, last = -1;
        for (int k = 0; k < nf; k++) {
            double f = nyq * k / (nf - 1);
            double down = (f - lo) / (ce - lo), up = (hi - f) / (hi - ce);
            double v = fmin(down, up);
            col[k] = v > 0 ? v * enorm : 0.0;
            if (col[k] > 0) { if (first < 0) first = k; last = k; }
        }
        if (first < 0) { if (empty < 0) empty = m; first = 0; last = -1; }
        b->band_start[m] = first;
        b->band_count[m] = last - first + 1;
        b->band_off[m] = off;
        for (int k = first; k <= last; k++) b->w[off++] = (float)col[k];
    }
    free(fpts); free(col);
    if (empty >= 0) {
        snprintf(err, errlen, "mel parameters: band %d has no FFT bin (n_mels=%d too many for n_fft=%d)",
                 empty, nm, p.n_fft);
        mel_bank_free(b); return NULL;
    }
    float *wt = realloc(b->w, sizeof(float) * (off ? off : 1));
    if (wt) b->w = wt;
    b->plan = get_plan(p.n_fft);
    if (!b->plan) { snprintf(err, errlen, "FFTW: cannot plan n_fft=%d", p.n_fft); mel_bank_free(b); return NULL; }
    if (uses_lanes(&p) && !(b->lanes = mel_lanes_new(p.n_fft))) {
        snprintf(err, errlen, "out of memory"); mel_bank_free(b); return NULL;
    }
    return b;
}

void mel_bank_free(MelBank *b) {
    if (!b) return;
    free(b->band_start); free(b->band_count); free(b->band_off); free(b->w); free(b->window);
    mel_lanes_free(b->lanes);
    free(b);   /* the plan belongs to the cache */
}

void mel_bank_dense(const MelBank *b, float *fb) {
    int nf = b->n_freqs, nm = b->p.n_mels;
    memset(fb, 0, sizeof(float) * (size_t)nf * (size_t)nm);
    for (int m = 0; m < nm; m++)
        for (int j = 0; j < b->band_count[m]; j++)
            fb[(size_t)(b->band_start[m] + j) * nm + m] = b->w[b->band_off[m] + j];
}

/* Linear mel power mel[n_mels][T] of x[n]; returns T or -1. */
static int mel_power(const MelBank *b, const float *x, int n, float *mel) {
    if (b->lanes) return mel_power_lanes(b, x, n, mel);
    const MelParams *p = &b->p;
    int nfft = p->n_fft, half = nfft / 2, nf = b->n_freqs, nm = p->n_mels;
    int T = mel_n_frames(p, n);
    float *in = fftwf_malloc(sizeof(float) * (size_t)nfft);
    fftwf_complex *out = fftwf_malloc(sizeof(fftwf_complex) * (size_t)nf);
    float *pw = malloc(sizeof(float) * (size_t)nf);
    if (!in || !out || !pw) { fftwf_free(in); fftwf_free(out); free(pw); return -1; }
    const float *win = b->window;
    for (int t = 0; t < T; t++) {
        long s0 = (long)t * p->hop - half;   /* first sample of the frame */
        if (s0 >= 0 && s0 + nfft <= n) {
            const float *xs = x + s0;
            for (int i = 0; i < nfft; i++) in[i] = xs[i] * win[i];
        } else {
            for (int i = 0; i < nfft; i++) {
                long j = s0 + i;
                in[i] = (j >= 0 && j < n) ? x[j] * win[i] : 0.0f;
            }
        }
        fftwf_execute_dft_r2c((fftwf_plan)b->plan, in, out);
        for (int k = 0; k < nf; k++) pw[k] = out[k][0] * out[k][0] + out[k][1] * out[k][1];
        for (int m = 0; m < nm; m++) {
            const float *w = b->w + b->band_off[m];
            const float *q = pw + b->band_start[m];
            float s = 0.0f;
            for (int j = 0; j < b->band_count[m]; j++) s += w[j] * q[j];
            mel[(size_t)m * T + t] = s;
        }
    }
    fftwf_free(in); fftwf_free(out); free(pw);
    return T;
}

/* In place: power -> dB with amin and top_db flooring; returns the max dB. */
static float to_db(const MelBank *b, float *v, size_t len) {
    const MelParams *p = &b->p;
    float mx = -FLT_MAX;
    if (b->lanes) mx = mel_db_lanes(v, len, p->amin);
    else
        for (size_t i = 0; i < len; i++) {
            float d = 10.0f * log10f(v[i] > p->amin ? v[i] : p->amin);
            v[i] = d;
            if (d > mx) mx = d;
        }
    if (p->top_db > 0) {
        float fl = mx - p->top_db;
        for (size_t i = 0; i < len; i++) if (v[i] < fl) v[i] = fl;
    }
    return mx;
}

int mel_logmel(const MelBank *b, const float *x, int n, float *out) {
    if (n <= 0) return -1;
    int T = mel_power(b, x, n, out);
    if (T < 0) return -1;
    to_db(b, out, (size_t)b->p.n_mels * T);
    return T;
}

/* Per-band shift and common scale of the normalisation (step 6) from the valid frames
 * db[m*T + t], t < valid, of a [n_mels][T] dB map; mx its maximum. */
static void norm_constants(const MelParams *p, const float *db, int T, int valid, float mx, float *shift,
                           float *scale) {
    int nm = p->n_mels;
    for (int m = 0; m < nm; m++) shift[m] = 0.0f;
    *scale = 1.0f;
    if (p->norm == MEL_NORM_MAX) {
        for (int m = 0; m < nm; m++) shift[m] = mx;
        *scale = 1.0f / 40.0f;
        return;
    }
    if (p->norm != MEL_NORM_MEANSTD && p->norm != MEL_NORM_CMVN) return;
    double s = 0, ss = 0;
    for (int m = 0; m < nm; m++) {
        double bs = 0;
        for (int t = 0; t < valid; t++) bs += db[(size_t)m * T + t];
        if (p->norm == MEL_NORM_CMVN) shift[m] = (float)(bs / valid);
        s += bs;
    }
    double cnt = (double)nm * valid, mean = s / cnt;
    if (p->norm == MEL_NORM_MEANSTD)
        for (int m = 0; m < nm; m++) shift[m] = (float)mean;
    for (int m = 0; m < nm; m++)
        for (int t = 0; t < valid; t++) { double v = db[(size_t)m * T + t] - shift[m]; ss += v * v; }
    double var = ss / cnt;
    *scale = (float)(1.0 / sqrt(var > 1e-6 ? var : 1e-6));
}

int mel_features(const MelBank *b, const float *x, int n, float *out) {
    if (n <= 0) return -1;
    const MelParams *p = &b->p;
    int nm = p->n_mels, F = p->frames;
    int T = mel_n_frames(p, n);
    float *mel = malloc(sizeof(float) * (size_t)nm * T);
    double *e = malloc(sizeof(double) * (size_t)T);
    if (!mel || !e) { free(mel); free(e); return -1; }
    if (mel_power(b, x, n, mel) < 0) { free(mel); free(e); return -1; }
    /* frame energies from linear power, for the crop */
    int start = 0;
    if (T > F) {
        for (int t = 0; t < T; t++) e[t] = 0;
        for (int m = 0; m < nm; m++) for (int t = 0; t < T; t++) e[t] += mel[(size_t)m * T + t];
        double s = 0;
        for (int t = 0; t < F; t++) s += e[t];
        double best = s;
        for (int t = F; t < T; t++) {
            s += e[t] - e[t - F];
            if (s > best * (1 + 1e-12)) { best = s; start = t - F + 1; }
        }
    }
    float mx = to_db(b, mel, (size_t)nm * T);
    float mn = FLT_MAX;
    for (size_t i = 0; i < (size_t)nm * T; i++) if (mel[i] < mn) mn = mel[i];
    float floor_db = p->top_db > 0 ? mx - p->top_db : mn;
    int valid = T > F ? F : T;
    int left = T >= F ? 0 : (F - T) / 2;
    /* normalisation: out = (dB - shift[m]) * scale + add */
    float shift[nm], scale = 1.0f, add = p->norm == MEL_NORM_MAX ? 1.0f : 0.0f;
    norm_constants(p, mel + start, T, valid, mx, shift, &scale);
    for (int m = 0; m < nm; m++) {
        float *o = out + (size_t)m * F;
        const float *src = mel + (size_t)m * T + start;
        float padv = (floor_db - shift[m]) * scale + add;
        for (int t = 0; t < left; t++) o[t] = padv;
        for (int t = 0; t < valid; t++) o[left + t] = (src[t] - shift[m]) * scale + add;
        for (int t = left + valid; t < F; t++) o[t] = padv;
    }
    free(mel); free(e);
    return T;
}

int mel_file_features(const MelBank *b, const char *path, float *out, char *err, size_t errlen) {
    float *x; int n;
    if (wav_read(path, b->p.sr, &x, &n, NULL, err, errlen)) return -1;
    int r = mel_features(b, x, n, out);
    free(x);
    if (r < 0) { snprintf(err, errlen, "%s: out of memory computing features", esc(path)); return -1; }
    return 0;
}
