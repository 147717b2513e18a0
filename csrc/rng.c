/*
** rng.c: xoshiro256** (Blackman and Vigna), Box-Muller normals.
*/
#include <math.h>

#include "rng.h"

uint64_t ln_rng_hash(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static uint64_t splitmix64(uint64_t *x) {
  return ln_rng_hash(*x += 0x9e3779b97f4a7c15u);
}

void ln_rng_seed(ln_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t ln_rng_next(ln_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double ln_rng_uniform(ln_rng *r) {
  return (double)(ln_rng_next(r) >> 11) * 0x1.0p-53;
}

/* One normal per call from two uniforms: no cached second value, so
** reseeding fully determines what follows. */
double ln_rng_normal(ln_rng *r) {
  double u1 = 1.0 - ln_rng_uniform(r);     /* (0, 1]: log is finite */
  double u2 = ln_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

/* Lemire's method would be faster; rejection keeps it obviously unbiased. */
uint64_t ln_rng_below(ln_rng *r, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = ln_rng_next(r);
  while (x >= limit);
  return x % n;
}

void ln_rng_shuffle(ln_rng *r, int64_t *a, int64_t n) {
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = (int64_t)ln_rng_below(r, (uint64_t)i + 1);
    int64_t t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/* Until lunet.seed is called the stream is that of seed 0: runs are
** reproducible by default. */
static ln_rng global_rng;
static int global_seeded;

ln_rng *ln_rng_global(void) {
  if (!global_seeded) {
    ln_rng_seed(&global_rng, 0);
    global_seeded = 1;
  }
  return &global_rng;
}
