/*
** ops.c: element-wise operations, reductions, matrix products.
*/
#include <math.h>
#include <string.h>

#include "iter.h"
#include "ops.h"

static int same_dtype(const ln_tensor *a, const ln_tensor *b) {
  if (a->dtype != b->dtype)
    return ln_fail(LN_EDTYPE, "dtype mismatch: %s and %s (convert one with :float() or :double())",
                   ln_dtype_name(a->dtype), ln_dtype_name(b->dtype));
  return LN_OK;
}

static int shape_mismatch(const char *what, const ln_tensor *a, const ln_tensor *b) {
  char ba[64], bb[64];
  return ln_fail(LN_EARG, "%s: shape %s does not match %s", what, ln_shape_str(a, ba, sizeof ba),
                 ln_shape_str(b, bb, sizeof bb));
}

/* An in-place result whose operands broadcast to another shape than its own. */
static int broadcast_misfit(int ndim, const int64_t *shape, const ln_tensor *dst) {
  char bs[64], bd[64];
  ln_tensor b;
  memset(&b, 0, sizeof b);
  b.ndim = ndim;
  memcpy(b.shape, shape, (size_t)ndim * sizeof *shape);
  return ln_fail(LN_EARG, "the operands broadcast to shape %s, which does not fit the result's shape %s",
                 ln_shape_str(&b, bs, sizeof bs), ln_shape_str(dst, bd, sizeof bd));
}

void ln_scalar(ln_tensor *t, ln_storage *s, double *buf, ln_dtype dt, double v) {
  s->data = buf;
  s->nbytes = sizeof *buf;
  s->mapped = 0;
  s->refs = 1;          /* held by the caller's frame, never freed */
  memset(t, 0, sizeof *t);
  t->storage = s;
  t->dtype = dt;
  ln_kern_for(dt)->set(buf, 0, v);
}

/* ---- aliasing ---------------------------------------------------------- */

/* An output is written element by element: it may not have two positions
** on one element (an expanded view), or the result would depend on order. */
static int writable(const ln_tensor *dst) {
  if (ln_self_overlap(dst))
    return ln_fail(LN_EARG, "cannot write into an expanded view (several positions are one element); "
                            "clone it first");
  return LN_OK;
}

/* *r = x as it may be read while dst is written: x itself, or a copy when
** the two share memory in different layouts (a:add_(a:t())), as NumPy does.
** An identical layout is safe: each element is read before it is written. */
static int readable(ln_tensor *r, const ln_tensor *dst, const ln_tensor *x) {
  if (ln_overlap(dst, x) && !ln_same_layout(dst, x)) return ln_clone(r, x, x->dtype);
  ln_tensor_ref(r, x);
  return LN_OK;
}

/* ---- element-wise ----------------------------------------------------- */

int ln_map(const ln_tensor *dst, const ln_tensor *x, ln_unop op, double a, double b) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  ln_tensor xr;
  ln_iter it;
  int st = same_dtype(dst, x);
  if (st != LN_OK) return st;
  if (!ln_same_shape(dst, x)) return shape_mismatch("element-wise operation", dst, x);
  if ((st = writable(dst)) != LN_OK || (st = readable(&xr, dst, x)) != LN_OK) return st;
  const ln_tensor *ops[2] = {dst, &xr};
  ln_iter_init(&it, dst->ndim, dst->shape, 2, ops);
  do k->unary(op, it.n, ln_data_at(&xr, it.off[1]), it.step[1], ln_data_at(dst, it.off[0]), it.step[0], a, b);
  while (ln_iter_next(&it));
  ln_tensor_free(&xr);
  return LN_OK;
}

int ln_softmax(const ln_tensor *dst, const ln_tensor *x, int log_form) {
  int64_t n = x->ndim ? x->shape[x->ndim - 1] : 1;
  int st;
  if (!ln_is_contiguous(dst)) return ln_fail(LN_EARG, "softmax: the result must be contiguous");
  if ((st = ln_copy(dst, x)) != LN_OK) return st;
  if (n == 0 || ln_numel(dst) == 0) return LN_OK;
  ln_kern_for(dst->dtype)->softmax_rows(ln_numel(dst) / n, n, ln_data(dst), log_form);
  return LN_OK;
}

/* Replaces *x (a reference the caller frees) by what readable() gives. */
static int aliasing_safe(ln_tensor *x, const ln_tensor *dst) {
  ln_tensor r;
  int st = readable(&r, dst, x);
  if (st != LN_OK) return st;
  ln_tensor_free(x);
  *x = r;
  return LN_OK;
}

int ln_zip(const ln_tensor *dst, const ln_tensor *x, const ln_tensor *y, ln_binop op) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  ln_tensor xe, ye;
  int64_t shape[LN_MAXDIM];
  int ndim, st;
  ln_iter it;
  if ((st = same_dtype(x, y)) != LN_OK || (st = same_dtype(dst, x)) != LN_OK) return st;
  if ((st = ln_broadcast_shape(x, y, &ndim, shape)) != LN_OK) return st;
  if (ndim != dst->ndim || memcmp(shape, dst->shape, (size_t)ndim * sizeof *shape) != 0)
    return broadcast_misfit(ndim, shape, dst);
  if ((st = writable(dst)) != LN_OK) return st;
  /* broadcast first: a row read into every row of dst is a different layout */
  if ((st = ln_expand(&xe, x, ndim, shape)) != LN_OK) return st;
  if ((st = ln_expand(&ye, y, ndim, shape)) != LN_OK) {
    ln_tensor_free(&xe);
    return st;
  }
  if ((st = aliasing_safe(&xe, dst)) != LN_OK || (st = aliasing_safe(&ye, dst)) != LN_OK) {
    ln_tensor_free(&xe);
    ln_tensor_free(&ye);
    return st;
  }
  const ln_tensor *ops[3] = {dst, &xe, &ye};
  ln_iter_init(&it, ndim, shape, 3, ops);
  do k->binary(op, it.n, ln_data_at(&xe, it.off[1]), it.step[1], ln_data_at(&ye, it.off[2]), it.step[2],
               ln_data_at(dst, it.off[0]), it.step[0]);
  while (ln_iter_next(&it));
  ln_tensor_free(&xe);
  ln_tensor_free(&ye);
  return LN_OK;
}

int ln_fill(const ln_tensor *dst, double v) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  const ln_tensor *ops[1] = {dst};
  ln_iter it;
  ln_iter_init(&it, dst->ndim, dst->shape, 1, ops);
  do k->fill(it.n, ln_data_at(dst, it.off[0]), it.step[0], v);
  while (ln_iter_next(&it));
  return LN_OK;
}

static int bad_label(double v, int64_t classes) {
  return !(v >= 0 && v < (double)classes && v == floor(v));
}

/* The first bad label's position in a contiguous vector of n, or -1: read
** in place, as the objective checks its labels at every evaluation. */
static int64_t first_bad_label(ln_dtype dt, const void *p, int64_t n, int64_t classes) {
  if (dt == LN_F32) {
    const float *y = p;
    for (int64_t i = 0; i < n; i++)
      if (bad_label(y[i], classes)) return i;
  } else {
    const double *y = p;
    for (int64_t i = 0; i < n; i++)
      if (bad_label(y[i], classes)) return i;
  }
  return -1;
}

int ln_check_labels(const ln_tensor *labels, int64_t classes, const char *where) {
  int64_t n = labels->ndim == 1 ? labels->shape[0] : -1;
  if (n < 0) return ln_fail(LN_EARG, "labels must be a vector, not %d-dimensional", labels->ndim);
  int64_t bad = -1;
  if (n > 0 && ln_is_contiguous(labels)) {
    bad = first_bad_label(labels->dtype, ln_data(labels), n, classes);
  } else {
    for (int64_t i = 0; i < n && bad < 0; i++)
      if (bad_label(ln_get_flat(labels, i), classes)) bad = i;
  }
  if (bad >= 0)
    return ln_fail(LN_EARG, "label %g %s %lld is not a class 0..%lld", ln_get_flat(labels, bad), where,
                   (long long)bad + 1, (long long)classes - 1);
  return LN_OK;
}

int ln_one_hot(const ln_tensor *dst, const ln_tensor *labels) {
  int64_t n, idx[2];
  int st;
  if (dst->ndim != 2) return ln_fail(LN_EARG, "one-hot output must be (labels, classes)");
  if ((st = ln_check_labels(labels, dst->shape[1], "at position")) != LN_OK) return st;
  if (dst->shape[0] != (n = labels->shape[0]))
    return ln_fail(LN_EARG, "one-hot output must be (%lld, classes)", (long long)n);
  if ((st = ln_fill(dst, 0.0)) != LN_OK) return st;
  for (idx[0] = 0; idx[0] < n; idx[0]++) {
    idx[1] = (int64_t)ln_get_flat(labels, idx[0]);
    ln_set(dst, idx, 1.0);
  }
  return LN_OK;
}

/* Row-major order of dst, whatever its strides: the seed fixes the values
** at each position. */
int ln_rand_uniform(const ln_tensor *dst, ln_rng *r, double lo, double hi) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  for (int64_t i = 0, n = ln_numel(dst); i < n; i++) {
    int64_t idx[LN_MAXDIM], rest = i, off = 0;
    for (int d = dst->ndim - 1; d >= 0; d--) {
      idx[d] = rest % dst->shape[d];
      rest /= dst->shape[d];
      off += idx[d] * dst->stride[d];
    }
    k->uniform(r, 1, ln_data_at(dst, off), 1, lo, hi);
  }
  return LN_OK;
}

int ln_rand_normal(const ln_tensor *dst, ln_rng *r, double mean, double std) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  if (!(std >= 0)) return ln_fail(LN_EARG, "randn: std must be >= 0, not %g", std);
  if (ln_is_contiguous(dst)) {
    k->normal(r, ln_numel(dst), ln_data(dst), 1, mean, std);
    return LN_OK;
  }
  for (int64_t i = 0, n = ln_numel(dst); i < n; i++) {
    int64_t rest = i, off = 0;
    for (int d = dst->ndim - 1; d >= 0; d--) {
      off += (rest % dst->shape[d]) * dst->stride[d];
      rest /= dst->shape[d];
    }
    k->normal(r, 1, ln_data_at(dst, off), 1, mean, std);
  }
  return LN_OK;
}

/* ---- reductions ------------------------------------------------------- */

/* Finishes what the kernel accumulated: sums of powers become norms. */
static double finish(ln_redop op, double acc, double p) {
  if (op == LN_RSUMPOW) return pow(acc, 1.0 / p);
  return acc;
}

int ln_reduce_all(const ln_tensor *x, ln_redop op, double p, double *out, int64_t *arg) {
  const ln_kern *k = ln_kern_for(x->dtype);
  ln_tensor c;
  int st;
  if ((op == LN_RMAX || op == LN_RMIN) && ln_numel(x) == 0)
    return ln_fail(LN_EARG, "max/min of an empty tensor");
  if ((st = ln_contiguous(&c, x)) != LN_OK) return st;
  *out = finish(op, k->reduce(op, ln_numel(&c), ln_data(&c), 1, p, arg), p);
  ln_tensor_free(&c);
  return LN_OK;
}

int ln_count_nonfinite(const ln_tensor *x, int64_t *count) {
  double n;
  int st = ln_reduce_all(x, LN_RNAN, 0, &n, NULL);
  *count = (int64_t)n;
  return st;
}

int ln_reduce_dim(const ln_tensor *out, const ln_tensor *arg, const ln_tensor *x, int dim,
                  ln_redop op, double p) {
  const ln_kern *k = ln_kern_for(x->dtype);
  int64_t len, count;
  if (dim < 0 || dim >= x->ndim)
    return ln_fail(LN_EARG, "dimension %d out of range for a %d-dimensional tensor", dim + 1, x->ndim);
  len = x->shape[dim];
  if ((op == LN_RMAX || op == LN_RMIN) && len == 0)
    return ln_fail(LN_EARG, "max/min along an empty dimension");
  if (out->ndim != x->ndim - 1 || !ln_mul_i64(ln_numel(out), len, &count) || count != ln_numel(x))
    return ln_fail(LN_EARG, "reduction output has the wrong shape");
  for (int64_t j = 0, n = ln_numel(out); j < n; j++) {
    int64_t rest = j, xoff = 0, ooff = 0, aoff = 0, best;
    for (int d = out->ndim - 1; d >= 0; d--) {     /* out dim d is x dim d or d+1 */
      int64_t i = rest % out->shape[d];
      rest /= out->shape[d];
      xoff += i * x->stride[d < dim ? d : d + 1];
      ooff += i * out->stride[d];
      if (arg) aoff += i * arg->stride[d];
    }
    double v = k->reduce(op, len, ln_data_at(x, xoff), x->stride[dim], p, &best);
    ln_kern_for(out->dtype)->set(ln_data(out), ooff, finish(op, v, p));
    if (arg) ln_kern_for(arg->dtype)->set(ln_data(arg), aoff, (double)best);
  }
  return LN_OK;
}

/* ---- matrix products -------------------------------------------------- */

/* A 2-d view BLAS can read as it is: row-major (unit column stride) or
** column-major (unit row stride, read as the transpose). */
static int blas_layout(const ln_tensor *m, int *trans, int *ld) {
  int64_t rows = m->shape[0], cols = m->shape[1];
  if (m->stride[1] == 1 && m->stride[0] >= (cols > 1 ? cols : 1) && m->stride[0] <= INT32_MAX) {
    *trans = 0;
    *ld = (int)(m->stride[0] > 0 ? m->stride[0] : 1);
    return 1;
  }
  if (m->stride[0] == 1 && m->stride[1] >= (rows > 1 ? rows : 1) && m->stride[1] <= INT32_MAX) {
    *trans = 1;
    *ld = (int)m->stride[1];
    return 1;
  }
  return 0;
}

/* m as BLAS reads it; a copy when its layout does not suit BLAS or when it
** shares memory with the output c (lunet.gemm(A, A, A) multiplies A's old
** values, as if C were a separate matrix). */
static int blas_operand(ln_tensor *dst, const ln_tensor *m, const ln_tensor *c, int *trans, int *ld) {
  int st;
  if (!ln_overlap(m, c) && blas_layout(m, trans, ld)) {
    ln_tensor_ref(dst, m);
    return LN_OK;
  }
  if ((st = ln_clone(dst, m, m->dtype)) != LN_OK) return st;
  *trans = 0;
  *ld = (int)(m->shape[1] > 0 ? m->shape[1] : 1);
  return LN_OK;
}

static int64_t rows_of(const ln_tensor *m, int t) {
  return m->shape[t ? 1 : 0];
}

static int64_t cols_of(const ln_tensor *m, int t) {
  return m->shape[t ? 0 : 1];
}

/* A product with one row or one column of output, C (m, n) = op(A) (m, kk)
** op(B) (kk, n), row-major, through gemv: gemm packs both operands into
** blocks first, which for a matrix times a vector (L-BFGS's history times
** a gradient) is a second pass over the matrix and took longer than the
** product itself. A vector's elements are lda/ldb apart when it is a
** column of a row-major matrix, 1 apart when it is a row. */
static void as_gemv(const ln_kern *k, int ta, int tb, int64_t m, int64_t n, int64_t kk, double alpha,
                    const void *a, int la, const void *b, int lb, double beta, void *c, int lc) {
  if (n == 1)                        /* C = op(A) b: A stored (m, kk), or (kk, m) when transposed */
    k->gemv(ta, ta ? (int)kk : (int)m, ta ? (int)m : (int)kk, alpha, a, la, b, tb ? 1 : lb, beta, c, lc);
  else                               /* C' = op(B)' a': B stored (kk, n), or (n, kk) when transposed */
    k->gemv(!tb, tb ? (int)n : (int)kk, tb ? (int)kk : (int)n, alpha, b, lb, a, ta ? la : 1, beta, c, 1);
}

int ln_gemm_t(const ln_tensor *a, int ta, const ln_tensor *b, int tb, double alpha, double beta,
              const ln_tensor *c, int reference) {
  const ln_kern *k = ln_kern_for(c->dtype);
  ln_tensor ab, bb, cc;
  int la, lb, lc, tra, trb, trc, st;
  if ((st = same_dtype(a, b)) != LN_OK || (st = same_dtype(a, c)) != LN_OK) return st;
  if (a->ndim != 2 || b->ndim != 2 || c->ndim != 2)
    return ln_fail(LN_EARG, "gemm needs 2-dimensional tensors");
  int64_t m = rows_of(a, ta), kk = cols_of(a, ta), n = cols_of(b, tb);
  if (rows_of(b, tb) != kk || c->shape[0] != m || c->shape[1] != n) {
    char sa[64], sb[64], sc[64];
    return ln_fail(LN_EARG, "gemm: shapes %s%s, %s%s and %s do not agree", ln_shape_str(a, sa, 64),
                   ta ? " (transposed)" : "", ln_shape_str(b, sb, 64), tb ? " (transposed)" : "",
                   ln_shape_str(c, sc, 64));
  }
  if (m > INT32_MAX || n > INT32_MAX || kk > INT32_MAX)
    return ln_fail(LN_EARG, "gemm: matrices too large for BLAS");
  if (m == 0 || n == 0) return LN_OK;
  if ((st = writable(c)) != LN_OK) return st;
  if ((st = blas_operand(&ab, a, c, &tra, &la)) != LN_OK) return st;
  if ((st = blas_operand(&bb, b, c, &trb, &lb)) != LN_OK) goto free_a;
  /* C must be row-major: otherwise compute into a copy and copy back */
  if (blas_layout(c, &trc, &lc) && !trc) ln_tensor_ref(&cc, c);
  else if ((st = ln_clone(&cc, c, c->dtype)) != LN_OK) goto free_b;
  else lc = (int)n;
  if (!reference && (n == 1 || m == 1))
    as_gemv(k, ta ^ tra, tb ^ trb, m, n, kk, alpha, ln_data(&ab), la, ln_data(&bb), lb, beta, ln_data(&cc), lc);
  else
    (reference ? k->gemm_ref : k->gemm)(ta ^ tra, tb ^ trb, (int)m, (int)n, (int)kk, alpha,
                                        ln_data(&ab), la, ln_data(&bb), lb, beta, ln_data(&cc), lc);
  if (cc.storage != c->storage) st = ln_copy(c, &cc);
  ln_tensor_free(&cc);
free_b:
  ln_tensor_free(&bb);
free_a:
  ln_tensor_free(&ab);
  return st;
}

int ln_matmul_shape(const ln_tensor *a, const ln_tensor *b, int *ndim, int64_t *shape) {
  char sa[64], sb[64];
  if (a->ndim < 1 || a->ndim > 2 || b->ndim < 1 || b->ndim > 2)
    return ln_fail(LN_EARG, "matmul takes 1- or 2-dimensional tensors, not %d and %d", a->ndim,
                   b->ndim);
  int64_t ka = a->shape[a->ndim - 1], kb = b->shape[0];
  if (ka != kb)
    return ln_fail(LN_EARG, "matmul: shapes %s and %s do not agree (%lld vs %lld)",
                   ln_shape_str(a, sa, 64), ln_shape_str(b, sb, 64), (long long)ka, (long long)kb);
  *ndim = 0;
  if (a->ndim == 2) shape[(*ndim)++] = a->shape[0];
  if (b->ndim == 2) shape[(*ndim)++] = b->shape[1];
  return LN_OK;
}

/* 1-d operands become a row (left) or a column (right) and the result is
** viewed back: one GEMM path for mm, mv, vm and dot. */
static void as_matrix(ln_tensor *m, const ln_tensor *v, int left) {
  *m = *v;
  if (v->ndim == 2) return;
  m->ndim = 2;
  if (left) {
    m->shape[0] = 1, m->stride[0] = v->shape[0] * v->stride[0];
    m->shape[1] = v->shape[0], m->stride[1] = v->stride[0];
  } else {
    m->shape[0] = v->shape[0], m->stride[0] = v->stride[0];
    m->shape[1] = 1, m->stride[1] = 1;
  }
}

int ln_matmul(const ln_tensor *out, const ln_tensor *a, const ln_tensor *b) {
  ln_tensor am, bm, om;
  int64_t shape[2];
  int ndim, st;
  if ((st = ln_matmul_shape(a, b, &ndim, shape)) != LN_OK) return st;
  if (ndim != out->ndim || (ndim > 0 && memcmp(shape, out->shape, (size_t)ndim * sizeof *shape)))
    return ln_fail(LN_EARG, "matmul: output has the wrong shape");
  as_matrix(&am, a, 1);
  as_matrix(&bm, b, 0);
  if (ndim == 0) {                   /* dot: a 1x1 result */
    om = *out;
    om.ndim = 2;
    om.shape[0] = om.shape[1] = 1;
    om.stride[0] = om.stride[1] = 1;
  } else {
    as_matrix(&om, out, a->ndim == 1);
  }
  return ln_gemm_t(&am, 0, &bm, 0, 1.0, 0.0, &om, 0);
}

int ln_outer(const ln_tensor *out, const ln_tensor *x, const ln_tensor *y) {
  ln_tensor col, row;
  if (x->ndim != 1 || y->ndim != 1) return ln_fail(LN_EARG, "outer takes two 1-dimensional tensors");
  if (out->ndim != 2 || out->shape[0] != x->shape[0] || out->shape[1] != y->shape[0])
    return ln_fail(LN_EARG, "outer: output has the wrong shape");
  as_matrix(&col, x, 0);
  as_matrix(&row, y, 1);
  return ln_gemm_t(&col, 0, &row, 0, 1.0, 0.0, out, 0);
}
