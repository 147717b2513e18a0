/*
** linalg.c: see linalg.h.
**
** Layout: LAPACK reads matrices column by column. The row-major copy of a
** matrix's transpose is its column-major form, so each input is copied
** through a transposed view into a float64 buffer, and each matrix result
** is copied back through a transposed view of its buffer.
*/
#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "linalg.h"
#include "ops.h"

/* Fortran entry points; a character argument brings a hidden length. */
typedef void (*getrf_fn)(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
typedef void (*getrs_fn)(const char *trans, const int *n, const int *nrhs, const double *a,
                         const int *lda, const int *ipiv, double *b, const int *ldb, int *info, size_t);
typedef void (*getri_fn)(const int *n, double *a, const int *lda, const int *ipiv, double *work,
                         const int *lwork, int *info);
typedef void (*potrf_fn)(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t);
typedef void (*syevd_fn)(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
                         double *w, double *work, const int *lwork, int *iwork, const int *liwork,
                         int *info, size_t, size_t);

static struct {
  getrf_fn getrf;
  getrs_fn getrs;
  getri_fn getri;
  potrf_fn potrf;
  syevd_fn syevd;
} lapack;
static int bound;

static int bind(void *h, void *slot, const char *name) {
  void *sym = dlsym(h, name);
  if (sym == NULL) return 0;
  memcpy(slot, &sym, sizeof sym);
  return 1;
}

/* OpenBLAS is opened with RTLD_GLOBAL (blas.c), so its LAPACK symbols are
** found through the global scope: no second path to the library. */
static int lapack_init(void) {
  void *h;
  int st;
  if (bound) return LN_OK;
  if ((st = ln_blas_init()) != LN_OK) return st;
  if ((h = dlopen(NULL, RTLD_NOW)) == NULL) return ln_fail(LN_EIO, "cannot look up LAPACK: %s", dlerror());
  if (!bind(h, &lapack.getrf, "dgetrf_") || !bind(h, &lapack.getrs, "dgetrs_") ||
      !bind(h, &lapack.getri, "dgetri_") || !bind(h, &lapack.potrf, "dpotrf_") ||
      !bind(h, &lapack.syevd, "dsyevd_"))
    return ln_fail(LN_EIO, "the OpenBLAS found lacks LAPACK (dgetrf_, dpotrf_, dsyevd_)");
  bound = 1;
  return LN_OK;
}

int ln_linalg_check_square(const ln_tensor *a) {
  char buf[64];
  if (a->ndim != 2 || a->shape[0] != a->shape[1])
    return ln_fail(LN_EARG, "expected a square matrix, got shape %s", ln_shape_str(a, buf, sizeof buf));
  if (!ln_fits_int(a->shape[0])) return ln_fail(LN_EARG, "matrix too large for LAPACK");
  return LN_OK;
}

static int check_finite(const ln_tensor *t, const char *what) {
  int64_t bad;
  int st = ln_count_nonfinite(t, &bad);
  if (st != LN_OK) return st;
  if (bad > 0) return ln_fail(LN_EARG, "%s has %lld non-finite entries (NaN or Inf)", what, (long long)bad);
  return LN_OK;
}

/* The checks every function makes on its matrix, then LAPACK. */
static int check_matrix(const ln_tensor *a) {
  int st;
  if ((st = ln_linalg_check_square(a)) != LN_OK) return st;
  if ((st = check_finite(a, "the matrix")) != LN_OK) return st;
  return lapack_init();
}

/* buf = m in column-major float64: a vector as is, a matrix (r, c) as the
** contiguous (c, r) copy of its transpose. */
static int colmajor(ln_tensor *buf, const ln_tensor *m) {
  ln_tensor t;
  int st;
  int64_t shape[2] = {m->ndim == 2 ? m->shape[1] : m->shape[0], m->shape[0]};
  if ((st = ln_tensor_new(buf, LN_F64, m->ndim, shape)) != LN_OK) return st;
  if (m->ndim == 1) return ln_copy(buf, m);
  if ((st = ln_transpose(&t, m, 0, 1)) == LN_OK) {
    st = ln_copy(buf, &t);
    ln_tensor_free(&t);
  }
  return st;
}

/* out = the matrix whose column-major form is buf (or the vector buf). */
static int from_colmajor(const ln_tensor *out, const ln_tensor *buf) {
  ln_tensor t;
  int st;
  if (buf->ndim == 1) return ln_copy(out, buf);
  if ((st = ln_transpose(&t, buf, 0, 1)) != LN_OK) return st;
  st = ln_copy(out, &t);
  ln_tensor_free(&t);
  return st;
}

/* A finite matrix can still give a result past the dtype's range: its
** solution or inverse (singular to working precision: U's pivot 1e-310
** makes inf, and inf - inf NaN where the answer is 0), or eigenvalues of
** entries near the largest float. Such a result is refused, not returned. */
static int check_result(const ln_tensor *r, const char *what, const char *why) {
  int64_t bad;
  int st = ln_count_nonfinite(r, &bad);
  if (st != LN_OK) return st;
  if (bad > 0)
    return ln_fail(LN_EARG, "the %s overflow %s (%lld NaN or Inf entries): %s", what, ln_dtype_name(r->dtype),
                   (long long)bad, why);
  return LN_OK;
}

#define NEAR_SINGULAR "the matrix is singular to working precision"

static int singular(int info) {
  return ln_fail(LN_EARG, "singular matrix (pivot %d of the LU factorisation is zero)", info);
}

/* LU of the column-major n x n buffer a into a and ipiv (n ints); *info as
** LAPACK's (> 0: U(info, info) is exactly zero). */
static int lu(ln_tensor *a, int **ipiv, int *info) {
  int n = (int)a->shape[0], lda = n > 0 ? n : 1;
  if ((*ipiv = malloc(sizeof **ipiv * (size_t)lda)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  lapack.getrf(&n, &n, ln_data(a), &lda, *ipiv, info);
  return LN_OK;
}

int ln_linalg_solve(const ln_tensor *x, const ln_tensor *a, const ln_tensor *b) {
  ln_tensor abuf = {0}, bbuf = {0};
  int *ipiv = NULL, info = 0, st;
  char sa[64], sb[64];
  if ((st = check_matrix(a)) != LN_OK) return st;
  if ((b->ndim != 1 && b->ndim != 2) || b->shape[0] != a->shape[0] || !ln_fits_int(ln_numel(b)))
    return ln_fail(LN_EARG, "right-hand side of shape %s does not fit a %s matrix (expected (n) or (n, k))",
                   ln_shape_str(b, sb, sizeof sb), ln_shape_str(a, sa, sizeof sa));
  if (!ln_same_shape(x, b)) return ln_fail(LN_EARG, "result shape differs from the right-hand side's");
  if ((st = check_finite(b, "the right-hand side")) != LN_OK) return st;
  if ((st = colmajor(&abuf, a)) == LN_OK && (st = colmajor(&bbuf, b)) == LN_OK && (st = lu(&abuf, &ipiv, &info)) == LN_OK) {
    int n = (int)a->shape[0], k = b->ndim == 2 ? (int)b->shape[1] : 1, ldb = n > 0 ? n : 1, lda = ldb;
    if (info > 0) st = singular(info);
    else if (info < 0) st = ln_fail(LN_EARG, "LAPACK dgetrf argument %d invalid", -info);
    else {
      lapack.getrs("N", &n, &k, ln_data(&abuf), &lda, ipiv, ln_data(&bbuf), &ldb, &info, 1);
      st = info != 0 ? ln_fail(LN_EARG, "LAPACK dgetrs failed (info %d)", info) : from_colmajor(x, &bbuf);
      if (st == LN_OK) st = check_result(x, "solution's values", NEAR_SINGULAR);
    }
  }
  free(ipiv);
  ln_tensor_free(&abuf);
  ln_tensor_free(&bbuf);
  return st;
}

int ln_linalg_cholesky(const ln_tensor *l, const ln_tensor *a) {
  ln_tensor buf = {0};
  int st, info = 0;
  if ((st = check_matrix(a)) != LN_OK) return st;
  if ((st = colmajor(&buf, a)) == LN_OK) {
    int n = (int)a->shape[0], lda = n > 0 ? n : 1;
    double *p = ln_data(&buf);
    lapack.potrf("L", &n, p, &lda, &info, 1);
    if (info > 0)
      st = ln_fail(LN_EARG, "matrix is not positive definite (the leading minor of order %d is not positive)", info);
    else if (info < 0) st = ln_fail(LN_EARG, "LAPACK dpotrf argument %d invalid", -info);
    else {
      /* dpotrf leaves the strict upper triangle as it was: clear it */
      for (int j = 1; j < n; j++) memset(p + (size_t)j * (size_t)n, 0, sizeof *p * (size_t)j);
      st = from_colmajor(l, &buf);
    }
  }
  ln_tensor_free(&buf);
  return st;
}

/* dsyevd's work sizes for n, asked of LAPACK itself. */
static int syevd_sizes(int n, int *lwork, int *liwork) {
  double w;
  int iw, info = 0, m1 = -1, lda = n > 0 ? n : 1;
  lapack.syevd("V", "L", &n, NULL, &lda, NULL, &w, &m1, &iw, &m1, &info, 1, 1);
  if (info != 0) return ln_fail(LN_EARG, "LAPACK dsyevd workspace query failed (info %d)", info);
  if (!(w <= (double)INT_MAX)) return ln_fail(LN_EARG, "matrix too large for LAPACK's dsyevd workspace");
  *lwork = (int)w;
  *liwork = iw;
  return LN_OK;
}

static int syevd(ln_tensor *a, double *w, int vectors) {
  int n = (int)a->shape[0], lda = n > 0 ? n : 1, lwork, liwork, info = 0, st;
  if ((st = syevd_sizes(n, &lwork, &liwork)) != LN_OK) return st;
  double *work = malloc(sizeof *work * (size_t)(lwork > 0 ? lwork : 1));
  int *iwork = malloc(sizeof *iwork * (size_t)(liwork > 0 ? liwork : 1));
  if (work == NULL || iwork == NULL) st = ln_fail(LN_ENOMEM, "out of memory");
  else {
    lapack.syevd(vectors ? "V" : "N", "L", &n, ln_data(a), &lda, w, work, &lwork, iwork, &liwork, &info, 1, 1);
    if (info > 0) st = ln_fail(LN_EARG, "LAPACK dsyevd did not converge (info %d)", info);
    else if (info < 0) st = ln_fail(LN_EARG, "LAPACK dsyevd argument %d invalid", -info);
  }
  free(work);
  free(iwork);
  return st;
}

int ln_linalg_eigh(const ln_tensor *w, const ln_tensor *v, const ln_tensor *a) {
  ln_tensor buf = {0}, wbuf = {0};
  int st;
  if ((st = check_matrix(a)) != LN_OK) return st;
  if (w->ndim != 1 || w->shape[0] != a->shape[0] || (v && !ln_same_shape(v, a)))
    return ln_fail(LN_EARG, "result shapes do not fit the matrix");
  if ((st = colmajor(&buf, a)) == LN_OK && (st = ln_tensor_new(&wbuf, LN_F64, 1, w->shape)) == LN_OK &&
      (st = syevd(&buf, ln_data(&wbuf), v != NULL)) == LN_OK) {
    st = ln_copy(w, &wbuf);
    if (st == LN_OK && v) st = from_colmajor(v, &buf);
    if (st == LN_OK) st = check_result(w, "eigenvalues", "the matrix's values are too large");
    if (st == LN_OK && v) st = check_result(v, "eigenvectors", "the matrix's values are too large");
  }
  ln_tensor_free(&buf);
  ln_tensor_free(&wbuf);
  return st;
}

int ln_linalg_inv(const ln_tensor *out, const ln_tensor *a) {
  ln_tensor buf = {0};
  int *ipiv = NULL, info = 0, st;
  double *work = NULL;
  if ((st = check_matrix(a)) != LN_OK) return st;
  if (!ln_same_shape(out, a)) return ln_fail(LN_EARG, "result shape differs from the matrix's");
  if ((st = colmajor(&buf, a)) == LN_OK && (st = lu(&buf, &ipiv, &info)) == LN_OK) {
    int n = (int)a->shape[0], lda = n > 0 ? n : 1, lwork = 64 * lda;
    if (info > 0) st = singular(info);
    else if ((work = malloc(sizeof *work * (size_t)lwork)) == NULL) st = ln_fail(LN_ENOMEM, "out of memory");
    else {
      lapack.getri(&n, ln_data(&buf), &lda, ipiv, work, &lwork, &info);
      st = info != 0 ? singular(info) : from_colmajor(out, &buf);
      if (st == LN_OK) st = check_result(out, "inverse's values", NEAR_SINGULAR);
    }
  }
  free(work);
  free(ipiv);
  ln_tensor_free(&buf);
  return st;
}

int ln_linalg_det(const ln_tensor *a, double *det, double *sign, double *logabs) {
  ln_tensor buf = {0};
  int *ipiv = NULL, info = 0, st;
  if ((st = check_matrix(a)) != LN_OK) return st;
  if ((st = colmajor(&buf, a)) == LN_OK && (st = lu(&buf, &ipiv, &info)) == LN_OK) {
    /* det = prod of U's diagonal, negated once per row swap */
    int n = (int)a->shape[0];
    const double *u = ln_data(&buf);
    double d = 1, s = 1, la = 0;
    for (int i = 0; i < n; i++) {
      double p = u[(size_t)i * (size_t)n + (size_t)i];
      if (ipiv[i] != i + 1) s = -s;
      if (p < 0) s = -s;
      d *= p;
      la += log(fabs(p));
    }
    if (info > 0) d = 0, s = 0, la = -HUGE_VAL;
    *det = info > 0 ? 0 : (s < 0 ? -fabs(d) : fabs(d));
    *sign = s;
    *logabs = la;
  }
  free(ipiv);
  ln_tensor_free(&buf);
  return st;
}
