/*
** linear.h: the dense layer's forward product, y = x w^T + b, for the
** small products of a mini-batch.
**
** OpenBLAS's AVX2 (Haswell) kernels reach about a third of their peak on
** a (10 x 784) times (784 x 30) product: the matrices are too small to
** amortise their packing. This kernel packs nothing: each output is a dot
** product of two contiguous rows, three rows of x against four of w at a
** time in 12 vector accumulators (five rows against four in 20 with
** AVX-512, chosen at run time), with the bias added as it stores. It is
** used only where it measured faster (bench/README.md): AVX2 and FMA on the
** CPU, w small enough to stay in the L2 cache across the passes over it,
** OpenBLAS on one thread, and, when OpenBLAS runs its own AVX-512 kernels
** (which win on a mini-batch), only for 128 rows or more of at most 32
** outputs. The caller falls back to GEMM + bias when it returns 0.
*/
#ifndef LN_LINEAR_H
#define LN_LINEAR_H

#include <stdint.h>

/* y (m x n) = x (m x k) w^T + b, w (n x k), b (n) or NULL; all row-major,
** contiguous. Returns 1 when done, 0 (nothing written) when not taken. */
int ln_linear_f32(int m, int n, int k, const float *x, const float *w, const float *b, float *y);
int ln_linear_f64(int m, int n, int k, const double *x, const double *w, const double *b, double *y);

/* 1: the AVX2 blocks even where AVX-512 runs (the specs test both) */
extern int ln_linear_narrow;

/* the textbook loops (sums in double), which the specs compare with */
void ln_linear_f32_ref(int m, int n, int k, const float *x, const float *w, const float *b, float *y);
void ln_linear_f64_ref(int m, int n, int k, const double *x, const double *w, const double *b, double *y);

#endif
