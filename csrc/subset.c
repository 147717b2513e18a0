/*
** subset.c: see subset.h.
*/
#include <math.h>
#include <string.h>

#include "subset.h"

static double element(const ln_tensor *t, int64_t i) {
  const char *p = (const char *)ln_data(t) + i * t->stride[0] * (int64_t)ln_dtype_size(t->dtype);
  return t->dtype == LN_F32 ? (double)*(const float *)p : *(const double *)p;
}

int ln_label_positions(const ln_tensor *y, const double *classes, int nc, const ln_tensor *pos, int64_t *count) {
  int64_t k = 0;
  if (y->ndim != 1) return ln_fail(LN_EARG, "labels must be a 1-d tensor");
  for (int64_t i = 0; i < y->shape[0]; i++) {
    double v = element(y, i);
    for (int c = 0; c < nc; c++)
      if (v == classes[c]) {
        if (pos) ((double *)ln_data(pos))[k] = (double)(i + 1);
        k++;
        break;
      }
  }
  *count = k;
  return LN_OK;
}

int ln_take_rows(const ln_tensor *dst, const ln_tensor *src, const ln_tensor *pos) {
  int64_t n = src->ndim ? src->shape[0] : 0, k = pos->ndim == 1 ? pos->shape[0] : -1;
  if (src->ndim < 1 || !ln_is_contiguous(src)) return ln_fail(LN_EARG, "rows come from a contiguous tensor");
  if (k < 0) return ln_fail(LN_EARG, "positions must be a 1-d tensor");
  if (dst->ndim != src->ndim || dst->shape[0] != k || dst->dtype != src->dtype || !ln_is_contiguous(dst))
    return ln_fail(LN_EARG, "take_rows: the result has the wrong shape");
  for (int d = 1; d < src->ndim; d++)
    if (dst->shape[d] != src->shape[d]) return ln_fail(LN_EARG, "take_rows: the result has the wrong shape");
  size_t row = n > 0 ? (size_t)(ln_numel(src) / n) * ln_dtype_size(src->dtype) : 0;
  for (int64_t i = 0; i < k; i++) {
    double p = element(pos, i);
    if (!(p >= 1 && p <= (double)n && p == floor(p)))
      return ln_fail(LN_EARG, "position %lld is %g, not a row number 1..%lld", (long long)(i + 1), p, (long long)n);
  }
  for (int64_t i = 0; i < k; i++)
    memcpy((char *)ln_data(dst) + (size_t)i * row, (const char *)ln_data(src) + (size_t)(element(pos, i) - 1) * row,
           row);
  return LN_OK;
}
