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

int ln_linear_narrow = 0;

/* w up to this size is read again for every block of rows of x (three,
** or five with AVX-512) from the L2 cache; past it OpenBLAS's blocking wins */
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
#define BLOCK(ISA, TGT, T, V, L, LOAD, MLOAD, FMA, ZERO, HSUM, MASKT, MASK, MR, NR)                \
  TGT static void blk_##ISA##_##T##_##MR##_##NR(int k, const T *x, const T *w, const T *b, T *y, int n) { \
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
      MASKT m = MASK(k - p);                                                                      \
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

/* AVX-512: twice the lanes, and 32 registers for 5 x 4 blocks */
#define AVX512 __attribute__((target("avx512f")))
AVX512 static inline __m512 maskz_ps(const float *p, __mmask16 m) {
  return _mm512_maskz_loadu_ps(m, p);
}
AVX512 static inline __m512d maskz_pd(const double *p, __mmask8 m) {
  return _mm512_maskz_loadu_pd(m, p);
}
static inline __mmask16 mask16(int r) {   /* lanes 0..r-1 on, 0 < r < 16 */
  return (__mmask16)((1u << r) - 1);
}
static inline __mmask8 mask8b(int r) {   /* lanes 0..r-1 on, 0 < r < 8 */
  return (__mmask8)((1u << r) - 1);
}
AVX512 static inline float hsum16(__m512 v) {
  return _mm512_reduce_add_ps(v);
}
AVX512 static inline double hsum8d(__m512d v) {
  return _mm512_reduce_add_pd(v);
}

#define BLOCK32(MR, NR) \
  BLOCK(avx2, AVX2, float, __m256, 8, _mm256_loadu_ps, _mm256_maskload_ps, _mm256_fmadd_ps, _mm256_setzero_ps, hsum8, \
        __m256i, mask8, MR, NR)
#define BLOCK64(MR, NR) \
  BLOCK(avx2, AVX2, double, __m256d, 4, _mm256_loadu_pd, _mm256_maskload_pd, _mm256_fmadd_pd, _mm256_setzero_pd, hsum4, \
        __m256i, mask4, MR, NR)
#define BLOCK32W(MR, NR) \
  BLOCK(avx512, AVX512, float, __m512, 16, _mm512_loadu_ps, maskz_ps, _mm512_fmadd_ps, _mm512_setzero_ps, hsum16, \
        __mmask16, mask16, MR, NR)
#define BLOCK64W(MR, NR) \
  BLOCK(avx512, AVX512, double, __m512d, 8, _mm512_loadu_pd, maskz_pd, _mm512_fmadd_pd, _mm512_setzero_pd, hsum8d, \
        __mmask8, mask8b, MR, NR)
#define BLOCKS(B) \
  B(1, 1) B(1, 2) B(1, 3) B(1, 4) B(2, 1) B(2, 2) B(2, 3) B(2, 4) B(3, 1) B(3, 2) B(3, 3) B(3, 4)
#define BLOCKS5(B) BLOCKS(B) B(4, 1) B(4, 2) B(4, 3) B(4, 4) B(5, 1) B(5, 2) B(5, 3) B(5, 4)
BLOCKS(BLOCK32)
BLOCKS(BLOCK64)
BLOCKS5(BLOCK32W)
BLOCKS5(BLOCK64W)

#define ROW(I, T, R) {blk_##I##_##T##_##R##_1, blk_##I##_##T##_##R##_2, blk_##I##_##T##_##R##_3, blk_##I##_##T##_##R##_4}
#define TABLE3(I, T) {ROW(I, T, 1), ROW(I, T, 2), ROW(I, T, 3), {NULL}, {NULL}}
#define TABLE5(I, T) {ROW(I, T, 1), ROW(I, T, 2), ROW(I, T, 3), ROW(I, T, 4), ROW(I, T, 5)}

typedef void (*blk32)(int, const float *, const float *, const float *, float *, int);
typedef void (*blk64)(int, const double *, const double *, const double *, double *, int);
/* [0]: AVX2 in blocks of up to 3 x 4 (16 registers), [1]: AVX-512 in up
** to 5 x 4 (26 of 32), so a mini-batch of 10 reads w twice */
static const blk32 blocks32[2][5][4] = {TABLE3(avx2, float), TABLE5(avx512, float)};
static const blk64 blocks64[2][5][4] = {TABLE3(avx2, double), TABLE5(avx512, double)};

/* Whether this kernel is the faster choice (linear.h). Against OpenBLAS's
** AVX-512 kernels it measured faster only on many rows of few outputs
** (200 x 30 x 784: 77 against 111 us; 10 x 30 x 784: 5.4 against 3.8;
** 100 x 100 x 784: 131 against 118). */
static int taken(int m, int n, int64_t w_bytes) {
  if (w_bytes > MAX_W_BYTES) return 0;
  if (ln_blas_fn.avx512 && (m < 128 || n > 32)) return 0;
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
  return ln_blas_fn.get_num_threads == NULL || ln_blas_fn.get_num_threads() == 1;
}

#define DRIVER(name, T, table)                                                                    \
  int name(int m, int n, int k, const T *x, const T *w, const T *b, T *y) {                       \
    if (m < 1 || n < 1 || k < 1 || !taken(m, n, (int64_t)n * k * (int64_t)sizeof(T))) return 0;        \
    int wide = !ln_linear_narrow && __builtin_cpu_supports("avx512f"), rows = wide ? 5 : 3;     \
    for (int i = 0; i < m; i += rows) {                                                           \
      int mr = m - i < rows ? m - i : rows;                                                       \
      for (int j = 0; j < n; j += 4) {                                                            \
        int nr = n - j < 4 ? n - j : 4;                                                           \
        table[wide][mr - 1][nr - 1](k, x + (int64_t)i * k, w + (int64_t)j * k, b ? b + j : NULL, \
                                    y + (int64_t)i * n + j, n);                                   \
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
