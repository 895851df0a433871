/* augment.h — training-time augmentation for speech, every part switchable
 * (0 = off) and driven by a seeded Rng (same seed -> same result).
 *
 * Feature level, on one [n_mels][frames] feature map (as mel_features makes):
 *   time shift   move the map by s frames, s uniform in [-time_shift, time_shift];
 *                the vacated frames take the map's minimum (the floor value);
 *   time masks   SpecAugment: time_masks masks, each of width uniform in
 *                [0, time_mask_max] frames at a uniform position;
 *   freq masks   likewise freq_masks masks of up to freq_mask_max bands;
 *                masked cells take the map's mean (taken before masking);
 *   feat noise   add N(0, feat_noise^2) to every cell;
 *   vtlp         vocal tract length perturbation: warp the frequency axis by a
 *                factor a uniform in [1-vtlp, 1+vtlp] (band m takes the value the
 *                unwarped map has at frequency f_m / a, interpolated linearly
 *                between bands on the Slaney mel scale up to vtlp_fmax Hz, clamped
 *                at the edges), so every output cell lies between two cells of
 *                its own frame (frame minimum and maximum are kept).
 * Order: vtlp, shift, time masks, frequency masks, noise.
 *
 * Waveform level (before featurisation; augment_wave):
 *   speed        resample by a factor uniform in [1-speed, 1+speed] (tempo and
 *                pitch change together, as in Kaldi's speed perturbation;
 *                libsamplerate SRC_SINC_FASTEST);
 *   gain         multiply by 10^(g/20), g uniform in [-gain_db, gain_db] dB (the
 *                energy changes by exactly g dB; no clipping: features are floats);
 *   noise        white Gaussian noise at an SNR uniform in
 *                [noise_snr_min, noise_snr_max] dB (off when noise_snr_max <= 0).
 * Order: speed, gain, noise.  Only speed changes the length.
 */
#ifndef AUGMENT_H
#define AUGMENT_H
#include <stddef.h>
#include "rng.h"

typedef struct {
    int time_shift;                    /* frames */
    int time_masks, time_mask_max;     /* count, max width in frames */
    int freq_masks, freq_mask_max;     /* count, max width in bands */
    float feat_noise;                  /* std in feature units */
    float speed;                       /* max relative speed change, e.g. 0.1 */
    float noise_snr_min, noise_snr_max;/* dB */
    float gain_db;                     /* max gain change in dB (waveform) */
    float vtlp, vtlp_fmax;             /* max relative warp, e.g. 0.1; top of the mel axis in Hz (0: 4000) */
} AugmentConfig;

/* Everything off. */
void augment_none(AugmentConfig *c);
/* The recommended training setting for the speech net: shift 8 frames, 2 time
 * masks of up to 8 frames, 2 frequency masks of up to 5 bands; waveform parts and
 * feature noise off. */
void augment_default(AugmentConfig *c);

/* Warp one feature map x[n_mels][frames] in place by factor a (the vtlp step with a
 * given factor; a = 1 leaves it unchanged).  fmax: top of the mel axis in Hz. */
void augment_vtlp(float *x, int n_mels, int frames, float a, float fmax);

/* Augment one feature map x[n_mels][frames] in place. */
void augment_features(float *x, int n_mels, int frames, const AugmentConfig *cfg, Rng *r);

/* The training loop's AugmentFn (train.h): ctx is a const AugmentConfig*; applies
 * augment_features to each of the B samples [c][h][w] (h = bands, w = frames),
 * per channel.  y is unused. */
void augment_batch(float *x, const int *y, int B, int c, int h, int w, Rng *r, void *ctx);

/* Waveform augmentation (speed, gain, noise) of x[n]: *out malloc'd (caller frees),
 * *n_out its length.  0 or -1 with err. */
int augment_wave(const float *x, int n, const AugmentConfig *cfg, Rng *r, float **out, int *n_out,
                 char *err, size_t errlen);
#endif
