/*
** rng.h: the one random generator of the library (xoshiro256**, seeded
** through splitmix64). Integer arithmetic only up to the uniform double,
** so a seed gives the same stream on every machine.
*/
#ifndef LN_RNG_H
#define LN_RNG_H

#include <stdint.h>

typedef struct ln_rng {
  uint64_t s[4];
} ln_rng;

void ln_rng_seed(ln_rng *r, uint64_t seed);
uint64_t ln_rng_next(ln_rng *r);
double ln_rng_uniform(ln_rng *r);                 /* [0, 1) with 53 bits */
double ln_rng_normal(ln_rng *r);                  /* N(0, 1) */
uint64_t ln_rng_below(ln_rng *r, uint64_t n);     /* [0, n), unbiased */
void ln_rng_shuffle(ln_rng *r, int64_t *a, int64_t n);

/* A stateless 64-bit mix (splitmix64's finaliser): randomness that is a
** pure function of its input, e.g. an image's rotation angle. */
uint64_t ln_rng_hash(uint64_t x);

/* The library-wide generator that lunet.seed(n) reseeds. */
ln_rng *ln_rng_global(void);

#endif
