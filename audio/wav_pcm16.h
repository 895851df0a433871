/* wav_pcm16.h — direct decoding of the plainest WAV (16-bit PCM, mono), beside libsndfile.
 *
 * A short clip spends more time in libsndfile's open (a large zeroed state, a read
 * per header field) than in its samples.  wav_read() tries this decoder first on
 * the file's bytes and gives everything it does not take to libsndfile.  It takes
 * only a canonical file, so that libsndfile would read exactly the same samples:
 *   "RIFF" <size = file length - 8> "WAVE", then chunks; "fmt " (size >= 16) before
 *   "data"; format tag 1 (PCM), 1 channel, 16 bits, block align 2, byte rate =
 *   2 * rate, rate > 0; a "data" chunk of even, non-zero size that the file holds
 *   (not the 0 / 0xFFFFFFFF "unknown length" markers).
 * Samples are int16 / 32768, exactly libsndfile's float normalisation (a power of
 * two: no rounding), so the two paths agree bit for bit (test_wav checks it). */
#ifndef WAV_PCM16_H
#define WAV_PCM16_H
#include <stddef.h>

/* 1: decoded (*out malloc'd, *n_out > 0 samples at *sr_out Hz); 0: not a canonical file (use
 * libsndfile); -1: out of memory. */
int wav_pcm16_decode(const unsigned char *p, size_t len, float **out, int *n_out, int *sr_out);
#endif
