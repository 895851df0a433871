/* wav.h — audio file reading for the speech modality (libsndfile + libsamplerate).
 *
 * wav_read() opens anything libsndfile opens (WAV, FLAC, OGG/Vorbis, AIFF, ...),
 * returns float samples in [-1, 1] (integer PCM is scaled by libsndfile's
 * normalisation, i.e. int16/32768, the same as torchaudio.load), mixes several
 * channels down to mono by averaging them, and resamples to target_sr with
 * libsamplerate SRC_SINC_BEST_QUALITY when the file's rate differs.
 *
 * It refuses, writing ONE line naming the file to err:
 *   - a file libsndfile cannot open (missing, not audio, unknown format);
 *   - a truncated WAV: a RIFF/WAVE file whose "data" chunk header declares more
 *     bytes than the file holds.  libsndfile would silently read the part that
 *     is there; we refuse instead, since a cut-off recording of a spoken digit is
 *     more likely a broken download than data.  (The "unknown length" markers a
 *     streaming writer leaves, 0 or 0xFFFFFFFF, are accepted and the readable
 *     part used.)
 *   - zero frames (a header and no samples);
 *   - all silence: every mono sample |x| < WAV_SILENCE_THRESHOLD;
 *   - a sample outside [-WAV_MAX_ABS, WAV_MAX_ABS] = [-1, 1], or NaN / inf, in any
 *     channel (float and double WAVs can hold anything).  Such a file is refused
 *     whole, naming the first bad sample, rather than clipped: a recording with
 *     samples of 1e30 is broken or hostile, and clipping it would turn it into a
 *     square wave that trains the model on noise.  (Integer PCM is always in range.
 *     The check is on the file's samples; resampling may overshoot by the sinc
 *     filter's ringing, as torchaudio's does.)
 * Library code: no exit(), no printing.
 */
#ifndef WAV_H
#define WAV_H
#include <stddef.h>

#define WAV_SILENCE_THRESHOLD 1e-6f
#define WAV_MAX_ABS 1.0f

/* Read path as mono float at target_sr (target_sr <= 0: keep the file's rate).
 * On success *out is malloc'd (caller frees), *n_out its length, *sr_out (may be
 * NULL) the rate of *out; returns 0.  On failure returns -1, *out = NULL. */
int wav_read(const char *path, int target_sr, float **out, int *n_out, int *sr_out,
             char *err, size_t errlen);

/* Resample x[n] by ratio = output rate / input rate with libsamplerate
 * (src_simple, end of input flushed).  quality is a libsamplerate converter
 * (SRC_SINC_BEST_QUALITY = 0 ... SRC_LINEAR = 4).  *out malloc'd, *n_out is
 * about round(n * ratio).  0 or -1 with err. */
int wav_resample(const float *x, int n, double ratio, int quality,
                 float **out, int *n_out, char *err, size_t errlen);

/* Write mono float samples as a 16-bit PCM WAV (format = 0) or any libsndfile
 * format (e.g. SF_FORMAT_WAV | SF_FORMAT_FLOAT), for tests and synthesised data.
 * channels > 1: x is interleaved [n][channels]. 0 or -1 with err. */
int wav_write(const char *path, const float *x, int n, int channels, int sr, int format,
              char *err, size_t errlen);
#endif
