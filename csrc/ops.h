/*
** ops.h: element-wise operations with broadcasting, reductions and
** linear algebra over tensors. The caller allocates outputs; every
** function checks shapes and dtypes and returns a status (ln.h).
*/
#ifndef LN_OPS_H
#define LN_OPS_H

#include "kern.h"
#include "tensor.h"

/* A 0-d tensor over caller-owned memory (`buf` holds one double), used to
** pass a number where a tensor is expected without allocating. */
void ln_scalar(ln_tensor *t, ln_storage *s, double *buf, ln_dtype dt, double v);

/* dst = op(x), same shapes; dst may be x. */
int ln_map(const ln_tensor *dst, const ln_tensor *x, ln_unop op, double a, double b);
/* dst = x op y, x and y broadcast to dst's shape; dst may be x or y. */
int ln_zip(const ln_tensor *dst, const ln_tensor *x, const ln_tensor *y, ln_binop op);
int ln_fill(const ln_tensor *dst, double v);
/* dst = softmax of x along its last dimension (log_form: log-softmax), dst
** contiguous, of x's shape and dtype (a 0-d x is one row of one value). */
int ln_softmax(const ln_tensor *dst, const ln_tensor *x, int log_form);
/* dst (n, classes) = rows of zeros with a 1 in the column each of the n
** labels (0-based class numbers, any dtype) names. */
int ln_one_hot(const ln_tensor *dst, const ln_tensor *labels);
/* LN_OK if every value of the vector `labels` is a whole number 0..classes-1,
** else an error naming the first that is not ("label 3 <where> 7 is not a
** class 0..2", `where` like "of sample", positions 1-based). */
int ln_check_labels(const ln_tensor *labels, int64_t classes, const char *where);
int ln_rand_uniform(const ln_tensor *dst, ln_rng *r, double lo, double hi);
int ln_rand_normal(const ln_tensor *dst, ln_rng *r, double mean, double std);

/* Over all elements: *out gets the result, *arg (may be NULL) the
** row-major position of the max/min. */
int ln_reduce_all(const ln_tensor *x, ln_redop op, double p, double *out, int64_t *arg);
/* Along dimension dim: out (and arg, may be NULL) have x's shape without
** that dimension; arg gets 0-based positions. */
int ln_reduce_dim(const ln_tensor *out, const ln_tensor *arg, const ln_tensor *x, int dim,
                  ln_redop op, double p);
int ln_count_nonfinite(const ln_tensor *x, int64_t *count);

/* c = alpha op(a) op(b) + beta c for 2-d tensors of any strides. */
int ln_gemm_t(const ln_tensor *a, int ta, const ln_tensor *b, int tb, double alpha, double beta,
              const ln_tensor *c, int reference);
/* The shape of a @ b (1-d or 2-d each, as numpy's matmul); fails on a mismatch. */
int ln_matmul_shape(const ln_tensor *a, const ln_tensor *b, int *ndim, int64_t *shape);
int ln_matmul(const ln_tensor *out, const ln_tensor *a, const ln_tensor *b);
int ln_outer(const ln_tensor *out, const ln_tensor *x, const ln_tensor *y);

#endif
