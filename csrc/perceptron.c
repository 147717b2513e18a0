/*
** perceptron.c: the perceptron learning rule, one epoch per call.
** The samples are visited in order: the rule is online (each update
** changes the next decision), so it is a loop over samples, not a product.
**   x: (n, d)   t: (n, k)   w: (k, d)   b: (k)
*/
#include <math.h>

#include "ln.h"
#include "ops.h"
#include "perceptron.h"

#define EPOCH(real, sfx)                                                                               \
  static int64_t epoch_##sfx(int64_t n, int64_t d, int64_t k, const real *x, const real *t, real *w,  \
                             real *b, double eta) {                                                    \
    int64_t wrong = 0;                                                                                 \
    for (int64_t i = 0; i < n; i++, x += d, t += k) {                                                 \
      for (int64_t j = 0; j < k; j++) {                                                               \
        real *wj = w + j * d;                                                                          \
        double z = b[j];                                                                               \
        for (int64_t c = 0; c < d; c++) z += (double)wj[c] * x[c];                                     \
        double err = (double)t[j] - (z > 0 ? 1.0 : 0.0);                                               \
        if (err == 0) continue;                                                                        \
        wrong++;                                                                                       \
        for (int64_t c = 0; c < d; c++) wj[c] = (real)(wj[c] + eta * err * x[c]);                      \
        b[j] = (real)(b[j] + eta * err);                                                               \
      }                                                                                                \
    }                                                                                                  \
    return wrong;                                                                                      \
  }                                                                                                    \
  static int binary_##sfx(int64_t m, const real *t) {                                                  \
    for (int64_t i = 0; i < m; i++)                                                                    \
      if (t[i] != 0 && t[i] != 1) return 0;                                                            \
    return 1;                                                                                          \
  }

EPOCH(float, f32)
EPOCH(double, f64)

static int check_matrix(const ln_tensor *a, const char *what, int ndim) {
  if (a->ndim != ndim || !ln_is_contiguous(a))
    return ln_fail(LN_EARG, "%s must be a contiguous %d-d tensor", what, ndim);
  return LN_OK;
}

static int check_finite(const ln_tensor *a, const char *what) {
  int64_t bad = 0;
  int st = ln_count_nonfinite(a, &bad);
  if (st != LN_OK) return st;
  if (bad > 0) return ln_fail(LN_EARG, "%s holds %lld NaN or infinite values", what, (long long)bad);
  return LN_OK;
}

static int check_shapes(const ln_tensor *x, const ln_tensor *t, const ln_tensor *w, const ln_tensor *b) {
  int st;
  if ((st = check_matrix(x, "x", 2)) != LN_OK || (st = check_matrix(t, "targets", 2)) != LN_OK ||
      (st = check_matrix(w, "w", 2)) != LN_OK || (st = check_matrix(b, "b", 1)) != LN_OK)
    return st;
  if (x->dtype != t->dtype || x->dtype != w->dtype || x->dtype != b->dtype)
    return ln_fail(LN_EARG, "x, targets, w and b must have one dtype");
  if (t->shape[0] != x->shape[0])
    return ln_fail(LN_EARG, "%lld samples but %lld rows of targets", (long long)x->shape[0],
                   (long long)t->shape[0]);
  if (w->shape[1] != x->shape[1])
    return ln_fail(LN_EARG, "w has %lld columns for %lld inputs", (long long)w->shape[1], (long long)x->shape[1]);
  if (t->shape[1] != w->shape[0] || b->shape[0] != w->shape[0])
    return ln_fail(LN_EARG, "w has %lld rows, b %lld values and targets %lld columns: one per neuron",
                   (long long)w->shape[0], (long long)b->shape[0], (long long)t->shape[1]);
  if (ln_overlap(w, x) || ln_overlap(w, t) || ln_overlap(b, x) || ln_overlap(b, t) || ln_overlap(w, b))
    return ln_fail(LN_EARG, "w and b must not share memory with each other, x or the targets");
  return LN_OK;
}

int ln_perceptron_epoch(const ln_tensor *x, const ln_tensor *t, const ln_tensor *w, const ln_tensor *b,
                        double eta, int64_t *mistakes) {
  int st;
  *mistakes = 0;
  if (!(eta > 0) || !isfinite(eta)) return ln_fail(LN_EARG, "eta must be finite and > 0, not %g", eta);
  if ((st = check_shapes(x, t, w, b)) != LN_OK) return st;
  if ((st = check_finite(x, "x")) != LN_OK || (st = check_finite(w, "w")) != LN_OK ||
      (st = check_finite(b, "b")) != LN_OK)
    return st;
  int64_t n = x->shape[0], d = x->shape[1], k = w->shape[0];
  int f64 = x->dtype == LN_F64;
  if (!(f64 ? binary_f64(ln_numel(t), ln_data(t)) : binary_f32(ln_numel(t), ln_data(t))))
    return ln_fail(LN_EARG, "targets must be 0 or 1");
  *mistakes = f64 ? epoch_f64(n, d, k, ln_data(x), ln_data(t), ln_data(w), ln_data(b), eta)
                  : epoch_f32(n, d, k, ln_data(x), ln_data(t), ln_data(w), ln_data(b), eta);
  return LN_OK;
}
