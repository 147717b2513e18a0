/*
** iter.c: the row walker of iter.h.
*/
#include "iter.h"

/* Can dimension d be folded into d + 1 for every operand? A product that
** does not fit cannot equal a stride, so it is simply not mergeable. */
static int mergeable(const ln_iter *it, int d) {
  for (int k = 0; k < it->nops; k++) {
    int64_t span;
    if (!ln_mul_i64(it->stride[k][d + 1], it->shape[d + 1], &span) || it->stride[k][d] != span) return 0;
  }
  return 1;
}

static void squeeze_and_merge(ln_iter *it) {
  int out = 0;
  for (int d = 0; d < it->ndim; d++) {      /* size-1 dimensions walk nowhere */
    if (it->shape[d] == 1) continue;
    it->shape[out] = it->shape[d];
    for (int k = 0; k < it->nops; k++) it->stride[k][out] = it->stride[k][d];
    out++;
  }
  it->ndim = out;
  for (int d = it->ndim - 2; d >= 0; d--) {
    if (!mergeable(it, d)) continue;
    it->shape[d] *= it->shape[d + 1];
    for (int k = 0; k < it->nops; k++) it->stride[k][d] = it->stride[k][d + 1];
    for (int e = d + 1; e < it->ndim - 1; e++) {
      it->shape[e] = it->shape[e + 1];
      for (int k = 0; k < it->nops; k++) it->stride[k][e] = it->stride[k][e + 1];
    }
    it->ndim--;
  }
}

void ln_iter_init(ln_iter *it, int ndim, const int64_t *shape, int nops, const ln_tensor *const *ops) {
  int64_t numel = 0;
  ln_prod_i64(ndim, shape, &numel);   /* fits: the operands' shapes were checked when made */
  it->nops = nops;
  it->ndim = ndim;
  for (int d = 0; d < ndim; d++) {
    it->shape[d] = shape[d];
    for (int k = 0; k < nops; k++) it->stride[k][d] = ops[k]->stride[d];
  }
  squeeze_and_merge(it);
  for (int k = 0; k < nops; k++) it->off[k] = 0;
  if (it->ndim == 0) {                      /* a scalar, or all sizes 1 */
    it->n = numel;
    for (int k = 0; k < nops; k++) it->step[k] = 0;
    return;
  }
  it->ndim--;                               /* the last dimension is the row */
  it->n = numel == 0 ? 0 : it->shape[it->ndim];
  for (int k = 0; k < nops; k++) it->step[k] = it->stride[k][it->ndim];
  for (int d = 0; d < it->ndim; d++) it->idx[d] = 0;
}

int ln_iter_next(ln_iter *it) {
  if (it->n == 0) return 0;
  for (int d = it->ndim - 1; d >= 0; d--) {
    if (++it->idx[d] < it->shape[d]) {
      for (int k = 0; k < it->nops; k++) it->off[k] += it->stride[k][d];
      return 1;
    }
    it->idx[d] = 0;
    for (int k = 0; k < it->nops; k++) it->off[k] -= it->stride[k][d] * (it->shape[d] - 1);
  }
  return 0;
}
