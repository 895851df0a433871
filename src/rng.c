/* rng.c — splitmix64 seeding + xoshiro256** (Blackman & Vigna), Box-Muller
 * normals, unbiased bounded integers, Fisher-Yates shuffle.  Pure integer
 * arithmetic up to the final float conversion, so a seed gives the same stream
 * on every machine. */
#include "rng.h"
#include <math.h>

uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed) {
    uint64_t st = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&st);
    /* an all-zero state is a fixed point; splitmix64 cannot produce four zeros
     * in a row, but guard anyway */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_u64(Rng *r) {
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* top 24 bits -> exactly representable float in [0,1) */
float rng_uniform(Rng *r) {
    return (float)(rng_u64(r) >> 40) * (1.0f / 16777216.0f);
}

/* Box-Muller on two doubles with 53-bit resolution; u1 in (0,1] so log is finite.
 * One normal per call (the sine partner is dropped) so the state stays the
 * plain xoshiro state. */
float rng_normal(Rng *r) {
    double u1 = ((double)(rng_u64(r) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    double u2 = (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2));
}

/* Unbiased integer in [0,n) by rejection: accept x only below the largest
 * multiple of n that fits in 2^64.  n <= 0 returns 0. */
int rng_int(Rng *r, int n) {
    if (n <= 1) return 0;
    uint64_t un = (uint64_t)n;
    uint64_t limit = UINT64_MAX - (UINT64_MAX % un + 1) % un; /* accept x <= limit */
    uint64_t x;
    do x = rng_u64(r); while (x > limit);
    return (int)(x % un);
}

void rng_shuffle(Rng *r, int *a, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = rng_int(r, i + 1);
        int t = a[i]; a[i] = a[j]; a[j] = t;
    }
}
