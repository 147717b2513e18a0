/*
** digest.c: see digest.h. Four independent multiply-rotate lanes (as in
** xxHash) keep the multiplier busy; values go to lane i mod 4 of their
** row-major position, so how the walk is cut into rows does not matter.
*/
#include <string.h>

#include "digest.h"
#include "iter.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL

static uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t v) {
  return rotl(acc + v * P2, 31) * P1;
}

static uint64_t bits_of(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

/* splitmix64's finaliser: every input bit reaches every output bit */
static uint64_t mix(uint64_t h) {
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

uint64_t ln_digest(const ln_tensor *x) {
  uint64_t lane[4] = {P1, P2, ~P1, ~P2}, h = (uint64_t)x->ndim;
  int64_t pos = 0;
  ln_iter it;
  for (int d = 0; d < x->ndim; d++) h = round64(h, (uint64_t)x->shape[d]);
  if (ln_numel(x) > 0) {
    const ln_tensor *ops[1] = {x};
    ln_iter_init(&it, x->ndim, x->shape, 1, ops);
    do {
      if (x->dtype == LN_F64) {
        const double *p = ln_data_at(x, it.off[0]);
        for (int64_t i = 0; i < it.n; i++, pos++) lane[pos & 3] = round64(lane[pos & 3], bits_of(p[i * it.step[0]]));
      } else {
        const float *p = ln_data_at(x, it.off[0]);
        for (int64_t i = 0; i < it.n; i++, pos++) lane[pos & 3] = round64(lane[pos & 3], bits_of(p[i * it.step[0]]));
      }
    } while (ln_iter_next(&it));
  }
  for (int k = 0; k < 4; k++) h = round64(h, lane[k]);
  return mix(h ^ (uint64_t)pos);
}
