/*
** skinny.h: float64 products whose one side is narrow (n <= LN_SKINNY_MAX),
** the two products of a dense layer with few outputs over many samples:
**   forward   C (m, n)  = A (m, k) B (n, k)^T        (y = x W^T)
**   backward  C (n, k) += A (m, n)^T B (m, k)        (dW += dy^T x)
** all row-major with leading dimensions. OpenBLAS's dgemm copies ("packs")
** the wide operand (x, m by k) into its own layout at every call, and with
** n = 30 outputs each packed value then takes part in only 60 flops: on the
** 784-30-10 network over 200 images the copy costs as much as the
** arithmetic. These kernels read x where it is, once, with register tiles
** of FMAs (AVX2 or AVX-512, picked at run time), and need no scratch memory
** (the AVX-512 forward over 32 rows or more transposes W, 128 columns at a
** time, into 32 KB on the stack: 784-30 over 1,000 rows 50 -> 88 GFLOP/s;
** or reads it transposed once by its caller, ln_skinny_pack).
** Each has a plain reference beside it (spec/skinny_spec.lua compares them).
*/
#ifndef LN_SKINNY_H
#define LN_SKINNY_H

#define LN_SKINNY_MAX 64

/* Whether the fast kernels beat BLAS on this CPU (AVX-512 at least; see
** skinny.c); when they do not, the callers keep to BLAS. */
int ln_skinny_available(void);

/* C = A B^T (beta = 0) or C += A B^T (beta = 1); n <= LN_SKINNY_MAX. */
void ln_skinny_nt(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta, double *c,
                  int ldc);
/* C += A^T B, C (n, k); n <= LN_SKINNY_MAX. */
void ln_skinny_tn(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c, int ldc);

/* The forward product over B transposed once and kept ("packed"), for a
** caller that multiplies many blocks of rows by the same B: a dense layer
** over the chunks of one evaluation. Transposing B inside every call was a
** tenth of it (5 of 49 us for 83 x 784 x 30). ln_skinny_packed_cols(n) is
** the length of bt's rows (k of them), or 0 when this CPU has no packed
** kernel for n outputs; with m >= LN_SKINNY_PACKED_MIN_M rows the sums are
** those of ln_skinny_nt, bit for bit (fewer rows: ln_skinny_nt's own
** kernel, which sums in another order). */
#define LN_SKINNY_PACKED_MIN_M 32
int ln_skinny_packed_cols(int n);
void ln_skinny_pack(int n, int k, const double *b, int ldb, double *bt);
void ln_skinny_nt_packed(int m, int n, int k, const double *a, int lda, const double *bt, int beta, double *c,
                         int ldc);

/* The same, as plain loops (no vector instructions asked for). */
void ln_skinny_nt_ref(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta, double *c,
                      int ldc);
void ln_skinny_tn_ref(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c, int ldc);
void ln_skinny_pack_ref(int n, int k, const double *b, int ldb, double *bt);
void ln_skinny_nt_packed_ref(int m, int n, int k, const double *a, int lda, const double *bt, int beta, double *c,
                             int ldc);

/* Which kernels ln_skinny_nt/tn run: "avx512", "avx2" or "none"; and, for
** the specs, forcing a level down (0 none, 1 avx2, 2 avx512; the CPU's
** own level is the most that can be asked). Returns the level now in use. */
const char *ln_skinny_level_name(void);
int ln_skinny_set_level(int level);

#endif
