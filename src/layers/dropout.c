/* dropout.c — inverted dropout.  Training: mask[i] = 0 with probability p,
 * else 1/(1-p); out = in * mask.  Eval: out = in (mask untouched, may be NULL).
 *
 * Randomness: element i uses the (i+1)-th output of splitmix64 on *rng_state
 * (exactly what n successive splitmix64(rng_state) calls from rng.h return),
 * and *rng_state advances by n steps.  splitmix64 is a counter plus a mixer,
 * so draw i is computed directly from the starting state — the loop runs in
 * parallel and the mask is the same for any thread count.  A draw keeps its
 * element when its top 24 bits, as a uniform u in [0,1), satisfy u >= p. */
#include "layers.h"
#include "layers_internal.h"

#define SPLITMIX_GAMMA 0x9E3779B97F4A7C15ULL

static inline uint64_t splitmix_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void dropout_forward(float *out, float *mask, const float *in, size_t n, float p,
                     uint64_t *rng_state, int training) {
    if (!training) {
        if (out != in)
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
            for (size_t i = 0; i < n; i++) out[i] = in[i];
        return;
    }
    const uint64_t s0 = *rng_state;
    *rng_state = s0 + (uint64_t)n * SPLITMIX_GAMMA;
    const float keep = p >= 1.0f ? 0.0f : 1.0f / (1.0f - p);
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        uint64_t z = splitmix_mix(s0 + (uint64_t)(i + 1) * SPLITMIX_GAMMA);
        float u = (float)(z >> 40) * (1.0f / 16777216.0f);
        float m = u < p ? 0.0f : keep;
        mask[i] = m;
        out[i] = in[i] * m;
    }
}

void dropout_backward(float *din, const float *dout, const float *mask, size_t n, int training) {
    if (!training) {
        if (din != dout)
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
            for (size_t i = 0; i < n; i++) din[i] = dout[i];
        return;
    }
#pragma omp parallel for simd schedule(static) if (n >= LAY_PAR_MIN)
    for (size_t i = 0; i < n; i++) din[i] = dout[i] * mask[i];
}
