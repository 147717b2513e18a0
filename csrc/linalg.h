/*
** linalg.h: dense linear algebra on square matrices through the LAPACK
** that OpenBLAS contains (LU, Cholesky, symmetric eigenproblem).
**
** Every function takes tensors of any strides and either dtype; the work
** is done on a column-major float64 copy (LAPACK's layout), so float32
** input is solved in double precision and rounded once on the way out.
** A matrix must be finite: LAPACK's answer on NaN or Inf is undefined.
** The caller allocates the results with the shapes given below.
*/
#ifndef LN_LINALG_H
#define LN_LINALG_H

#include "tensor.h"

/* Fails unless a is an (n, n) matrix. The binding prefixes messages with
** the Lua function's name, so none of these does. */
int ln_linalg_check_square(const ln_tensor *a);

/* x (n) or (n, k) = a^-1 b for a (n, n) and b of x's shape. */
int ln_linalg_solve(const ln_tensor *x, const ln_tensor *a, const ln_tensor *b);
/* l (n, n) lower triangular with l l^T = a; reads a's lower triangle. */
int ln_linalg_cholesky(const ln_tensor *l, const ln_tensor *a);
/* w (n) ascending eigenvalues, v (n, n) eigenvectors as columns (may be
** NULL for values only); reads a's lower triangle. */
int ln_linalg_eigh(const ln_tensor *w, const ln_tensor *v, const ln_tensor *a);
/* out (n, n) = a^-1 */
int ln_linalg_inv(const ln_tensor *out, const ln_tensor *a);
/* det(a), and sign and log|det| (sign 0, logabs -inf when singular). */
int ln_linalg_det(const ln_tensor *a, double *det, double *sign, double *logabs);

#endif
