/* melspec_lanes.h — the fast log-mel path (16 frames per SIMD lane block), beside melspec.c's FFTW reference.
 *
 * Same maths as the reference (melspec.h steps 1-4), organised for the vector unit:
 * a radix-2 real FFT of our own computed for 16 frames at once, the power, the
 * sparse mel sums, and a polynomial log10.  Only for a power-of-two n_fft (8 to
 * 65536); mel_bank_new uses the reference otherwise, or when the environment says
 * UNLEARN_FEATURES=reference.  Results differ from the reference by float rounding
 * only: test_melspec bounds both paths against torchaudio with the same tolerances
 * and the fast path against the reference. */
#ifndef MELSPEC_LANES_H
#define MELSPEC_LANES_H
#include "melspec.h"
#include <stddef.h>

/* Twiddles and bit-reversal table for one n_fft; NULL when n_fft is not a power of two in
 * [8, 65536] or on no memory. */
MelLanes *mel_lanes_new(int n_fft);
void mel_lanes_free(MelLanes *L);

/* Linear mel power mel[n_mels][T] of x[n] (T = mel_n_frames); returns T, or -1 on no memory.
 * b->lanes must be set. */
int mel_power_lanes(const MelBank *b, const float *x, int n, float *mel);

/* In place v[i] = 10*log10(max(v[i], amin)) (amin >= FLT_MIN); returns the maximum.  Within
 * 2 ulp of 10*log10f(v) for finite v (test_melspec: 1.5e-5 dB over 1e-10 .. 1e10). */
float mel_db_lanes(float *v, size_t len, float amin);
#endif
