/*
** kern_linear.c: see linear.h. Named kern_* so the Makefile builds it with
** -O3, which keeps the blocks' accumulator arrays in registers.
*/
#include <stddef.h>

#include "blas.h"
#include "linear.h"

#define REF(name, real)                                                                           \
  void name(int m, int n, int k, const real *x, const real *w, const real *b, real *y) {         \
    for (int i = 0; i < m; i++)                                                                   \
      for (int j = 0; j < n; j++) {                                                               \
        double s = b ? (double)b[j] : 0.0;                                                        \
        for (int p = 0; p < k; p++) s += (double)x[(int64_t)i * k + p] * w[(int64_t)j * k + p];   \
        y[(int64_t)i * n + j] = (real)s;                                                          \
      }                                                                                           \
  }
REF(ln_linear_f32_ref, float)
REF(ln_linear_f64_ref, double)

/* w up to this size is read again for every three rows of x from the L2
** cache; past it OpenBLAS's blocking wins */
#define MAX_W_BYTES (512 * 1024)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float hsum8(__m256 v) {
  __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  a = _mm_add_ps(a, _mm_movehl_ps(a, a));
  a = _mm_add_ss(a, _mm_shuffle_ps(a, a, 1));
  return _mm_cvtss_f32(a);
}

AVX2 static inline double hsum4(__m256d v) {
  __m128d a = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  a = _mm_add_sd(a, _mm_unpackhi_pd(a, a));
  return _mm_cvtsd_f64(a);
}

/* One MR x NR block of y: rows x[0..MR) against rows w[0..NR), k long;
** the last k % L values through masked loads (lanes past k read nothing). */
#define BLOCK(T, V, L, LOAD, MLOAD, FMA, ZERO, HSUM, MASK, MR, NR)                                \
  AVX2 static void blk_##T##_##MR##_##NR(int k, const T *x, const T *w, const T *b, T *y, int n) { \
    V acc[MR][NR];                                                                                \
    for (int i = 0; i < MR; i++)                                                                  \
      for (int j = 0; j < NR; j++) acc[i][j] = ZERO();                                            \
    int p = 0;                                                                                    \
    for (; p + L <= k; p += L) {                                                                  \
      V xv[MR];                                                                                   \
      for (int i = 0; i < MR; i++) xv[i] = LOAD(x + (int64_t)i * k + p);                          \
      for (int j = 0; j < NR; j++) {                                                              \
        V wv = LOAD(w + (int64_t)j * k + p);                                                      \
        for (int i = 0; i < MR; i++) acc[i][j] = FMA(xv[i], wv, acc[i][j]);                       \
      }                                                                                           \
    }                                                                                             \
    if (p < k) {                                                                                  \
      __m256i m = MASK(k - p);                                                                    \
      V xv[MR];                                                                                   \
      for (int i = 0; i < MR; i++) xv[i] = MLOAD(x + (int64_t)i * k + p, m);                      \
      for (int j = 0; j < NR; j++) {                                                              \
        V wv = MLOAD(w + (int64_t)j * k + p, m);                                                  \
        for (int i = 0; i < MR; i++) acc[i][j] = FMA(xv[i], wv, acc[i][j]);                       \
      }                                                                                           \
    }                                                                                             \
    for (int i = 0; i < MR; i++)                                                                  \
      for (int j = 0; j < NR; j++) y[(int64_t)i * n + j] = HSUM(acc[i][j]) + (b ? b[j] : 0);      \
  }

AVX2 static inline __m256i mask8(int r) {   /* lanes 0..r-1 on, 0 < r < 8 */
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
AVX2 static inline __m256i mask4(int r) {   /* lanes 0..r-1 on, 0 < r < 4 */
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(r), _mm256_setr_epi64x(0, 1, 2, 3));
}

#define BLOCK32(MR, NR) \
  BLOCK(float, __m256, 8, _mm256_loadu_ps, _mm256_maskload_ps, _mm256_fmadd_ps, _mm256_setzero_ps, hsum8, mask8, MR, NR)
#define BLOCK64(MR, NR) \
  BLOCK(double, __m256d, 4, _mm256_loadu_pd, _mm256_maskload_pd, _mm256_fmadd_pd, _mm256_setzero_pd, hsum4, mask4, MR, NR)
#define BLOCKS(B) B(1, 1) B(1, 2) B(1, 3) B(1, 4) B(2, 1) B(2, 2) B(2, 3) B(2, 4) B(3, 1) B(3, 2) B(3, 3) B(3, 4)
BLOCKS(BLOCK32)
BLOCKS(BLOCK64)

#define TABLE(T) \
  { {blk_##T##_1_1, blk_##T##_1_2, blk_##T##_1_3, blk_##T##_1_4}, \
    {blk_##T##_2_1, blk_##T##_2_2, blk_##T##_2_3, blk_##T##_2_4}, \
    {blk_##T##_3_1, blk_##T##_3_2, blk_##T##_3_3, blk_##T##_3_4} }

typedef void (*blk32)(int, const float *, const float *, const float *, float *, int);
typedef void (*blk64)(int, const double *, const double *, const double *, double *, int);
static const blk32 blocks32[3][4] = TABLE(float);
static const blk64 blocks64[3][4] = TABLE(double);

/* Whether this kernel is the faster choice for a w of w_bytes (linear.h). */
static int taken(int64_t w_bytes) {
  if (w_bytes > MAX_W_BYTES || ln_blas_fn.avx512) return 0;
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
  return ln_blas_fn.get_num_threads == NULL || ln_blas_fn.get_num_threads() == 1;
}

#define DRIVER(name, T, table)                                                                    \
  int name(int m, int n, int k, const T *x, const T *w, const T *b, T *y) {                       \
    if (m < 1 || n < 1 || k < 1 || !taken((int64_t)n * k * (int64_t)sizeof(T))) return 0;        \
    for (int i = 0; i < m; i += 3) {                                                              \
      int mr = m - i < 3 ? m - i : 3;                                                             \
      for (int j = 0; j < n; j += 4) {                                                            \
        int nr = n - j < 4 ? n - j : 4;                                                           \
        table[mr - 1][nr - 1](k, x + (int64_t)i * k, w + (int64_t)j * k, b ? b + j : NULL,       \
                              y + (int64_t)i * n + j, n);                                         \
      }                                                                                           \
    }                                                                                             \
    return 1;                                                                                     \
  }
DRIVER(ln_linear_f32, float, blocks32)
DRIVER(ln_linear_f64, double, blocks64)

#else
int ln_linear_f32(int m, int n, int k, const float *x, const float *w, const float *b, float *y) {
  (void)m, (void)n, (void)k, (void)x, (void)w, (void)b, (void)y;
  return 0;
}
int ln_linear_f64(int m, int n, int k, const double *x, const double *w, const double *b, double *y) {
  (void)m, (void)n, (void)k, (void)x, (void)w, (void)b, (void)y;
  return 0;
}
#endif
