/* rng.h — a small seeded random generator (splitmix64 seeding, xoshiro256**).
 * Same seed -> same stream on every machine. */
#ifndef RNG_H
#define RNG_H
#include <stdint.h>
typedef struct { uint64_t s[4]; } Rng;
void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_u64(Rng *r);
float rng_uniform(Rng *r);               /* [0,1) */
float rng_normal(Rng *r);                /* N(0,1), Box-Muller */
int rng_int(Rng *r, int n);              /* [0,n) */
void rng_shuffle(Rng *r, int *a, int n); /* Fisher-Yates */
/* one-shot step of a 64-bit state (splitmix64), for per-layer/per-call streams */
uint64_t splitmix64(uint64_t *state);
#endif
