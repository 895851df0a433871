/* melspec.h — log-mel features with FFTW (single precision).
 *
 * Pipeline (defaults in brackets), matching torchaudio
 *   MelSpectrogram(sample_rate, n_fft, hop_length, n_mels, f_min, f_max,
 *                  window_fn=hann_window (periodic), win_length=n_fft, power=2,
 *                  center=True, pad_mode="constant", norm="slaney", mel_scale="slaney")
 *   followed by AmplitudeToDB(stype="power", top_db=80):
 *   1. centred frames: the signal is padded with n_fft/2 zeros each side, frame t
 *      covers padded samples [t*hop, t*hop+n_fft); n_frames = 1 + n/hop;
 *   2. periodic Hann window w[i] = 0.5 - 0.5*cos(2*pi*i/n_fft), real FFT
 *      (fftwf_plan_dft_r2c_1d, one plan per n_fft, shared), power |X_k|^2,
 *      k = 0..n_fft/2;
 *   3. mel filterbank [n_mels 40] on the Slaney mel scale (linear below 1 kHz,
 *      logarithmic above; librosa's default, htk=False) or HTK's
 *      2595*log10(1+f/700), triangles between n_mels+2 points equally spaced in
 *      mel from fmin [0] to fmax [4000], with Slaney area normalisation
 *      2/(f[m+2]-f[m]) (librosa norm="slaney") optional; stored sparsely;
 *   4. dB = 10*log10(max(mel, amin=1e-10)) (AmplitudeToDB: multiplier 10,
 *      ref 1 so db_multiplier 0), then floored at (max over the whole
 *      utterance, all bands and frames) - top_db [80].  This is exactly
 *      torchaudio.functional.amplitude_to_DB for one [n_mels][time] spectrogram.
 *   mel_logmel() stops here: the parity-tested values.
 *
 * mel_features() then makes a fixed-size, loudness-independent input:
 *   5. fixed size [frames 96] (0.96 s at hop 80 / 8 kHz): a longer utterance is
 *      cropped to the window of `frames` frames with the most energy (sum over
 *      frames of the linear mel power summed over bands; earliest on ties); a
 *      shorter one is centred and padded with the floor value (max dB - top_db);
 *   6. per-utterance normalisation [MEL_NORM_MAX]: (dB - utterance max dB)/40 + 1,
 *      so the loudest cell is 1 and the 80 dB floor is -1.  A gain change only
 *      shifts every dB value by a constant, which this removes.
 *      MEL_NORM_MEANSTD instead subtracts the mean and divides by the standard
 *      deviation of the unpadded frames; MEL_NORM_CMVN (cepstral-mean style, per
 *      band) subtracts each band's own mean over the unpadded frames, then divides
 *      by the standard deviation of what is left, so a fixed filter on the
 *      channel (a microphone's tilt: a constant dB offset per band) is removed
 *      too; MEL_NORM_NONE leaves dB.
 *
 * Two implementations of steps 2 and 4: the fast one (melspec_lanes.c: our own real FFT and a
 * polynomial log10, 16 frames per vector; the default when n_fft is a power of two) and the
 * reference (FFTW and libm's log10f, below), chosen per bank by MelParams.impl.  They agree to
 * float rounding (test_melspec); the choice is part of mel_params_string, so cached features of
 * one are never taken for the other.
 *
 * Thread safety: mel_bank_new/mel_bank_free take a global mutex (FFTW planning is
 * not thread-safe); a MelBank is read-only afterwards and the compute functions
 * use per-call buffers, so one bank can serve many OpenMP threads.  Plans are
 * made with FFTW_ESTIMATE so results do not depend on timing measurements
 * (features are bit-identical from run to run).
 */
#ifndef MELSPEC_H
#define MELSPEC_H
#include <stddef.h>

typedef enum { MEL_SCALE_SLANEY = 0, MEL_SCALE_HTK = 1 } MelScale;
typedef enum { MEL_NORM_NONE = 0, MEL_NORM_MAX = 1, MEL_NORM_MEANSTD = 2, MEL_NORM_CMVN = 3 } MelNorm;
/* MEL_IMPL_FAST: melspec_lanes.c where it applies (power-of-two n_fft, amin >= FLT_MIN), else the
 * reference; MEL_IMPL_REFERENCE: FFTW + log10f always. */
typedef enum { MEL_IMPL_FAST = 0, MEL_IMPL_REFERENCE = 1 } MelImpl;

typedef struct {
    int sr;            /* sample rate the audio is resampled to [8000] */
    int n_fft;         /* FFT size = window length [256] */
    int hop;           /* hop length [80] */
    int n_mels;        /* mel bands [40] */
    float fmin, fmax;  /* [0, 4000]; fmax <= 0 means sr/2 */
    MelScale scale;    /* [MEL_SCALE_SLANEY] */
    int slaney_norm;   /* 1: Slaney area normalisation of the triangles [1] */
    float amin;        /* [1e-10] */
    float top_db;      /* [80]; <= 0: no flooring */
    int frames;        /* fixed number of output frames [96] */
    MelNorm norm;      /* per-utterance normalisation [MEL_NORM_MAX] */
    MelImpl impl;      /* [MEL_IMPL_FAST; MEL_IMPL_REFERENCE when $UNLEARN_FEATURES is "reference"] */
} MelParams;

void mel_default_params(MelParams *p);
/* "none", "max", "meanstd", "cmvn" <-> MelNorm: the name, or NULL / -1 when unknown. */
const char *mel_norm_name(MelNorm n);
int mel_norm_parse(const char *s);
/* One line describing every parameter and the algorithm version, usable as a
 * cache key.  Returns the snprintf length. */
int mel_params_string(const MelParams *p, char *buf, size_t len);

typedef struct MelLanes MelLanes;
typedef struct {
    MelParams p;
    int n_freqs;       /* n_fft/2 + 1 */
    int *band_start;   /* [n_mels] first FFT bin with a non-zero weight */
    int *band_count;   /* [n_mels] number of bins */
    size_t *band_off;  /* [n_mels] offset of the band's weights in w */
    float *w;          /* all band weights, concatenated */
    float *window;     /* [n_fft] periodic Hann */
    void *plan;        /* fftwf_plan (shared, owned by the plan cache) */
    MelLanes *lanes;   /* the fast path's tables; NULL: this bank uses the reference */
} MelBank;

/* Validates p (one line in err on failure) and builds the filterbank and plan. */
MelBank *mel_bank_new(const MelParams *p, char *err, size_t errlen);
void mel_bank_free(MelBank *b);
/* Dense filterbank in torchaudio's layout fb[n_freqs][n_mels] (melscale_fbanks). */
void mel_bank_dense(const MelBank *b, float *fb);

static inline int mel_n_frames(const MelParams *p, int n_samples) { return 1 + n_samples / p->hop; }

/* Log-mel in dB (steps 1-4) of x[n]: out[n_mels][mel_n_frames(n)] (band-major,
 * as torchaudio's [..., n_mels, time]).  Returns the number of frames, -1 on
 * n <= 0 or out of memory. */
int mel_logmel(const MelBank *b, const float *x, int n, float *out);

/* Fixed-size normalised features (steps 1-6): out[n_mels][p.frames].  Returns
 * the utterance's own frame count (before crop/pad), -1 on n <= 0 or no memory. */
int mel_features(const MelBank *b, const float *x, int n, float *out);

/* wav_read(path, p.sr) then mel_features.  Returns 0, or -1 with one line in err. */
int mel_file_features(const MelBank *b, const char *path, float *out, char *err, size_t errlen);

/* Frees the cached FFTW plans (only when no bank is in use, e.g. at exit). */
void mel_cleanup(void);
#endif
