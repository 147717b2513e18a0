/*
** vmath.c: see vmath.h.
**
** exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2 with ln 2 in two
** parts (Cody and Waite) so r is exact to well below an ulp, |r| <= ln2/2;
** exp(r) by its Taylor series to r^7 (float) or r^13 (double), whose
** truncation error there is under a twentieth of an ulp. 2^n is applied as
** 2^(n/2) 2^(n - n/2), two normal powers, so a result that overflows is
** +inf and a denormal one is rounded once, by the second product, with no
** branch. x is clamped first to where the result is already 0 or +inf;
** NaN is passed through at the end.
*/
#include <math.h>
#include <string.h>

#include "vmath.h"

void ln_vexp_f32_ref(int64_t n, const float *x, float *y) {
  for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

void ln_vexp_f64_ref(int64_t n, const double *x, double *y) {
  for (int64_t i = 0; i < n; i++) y[i] = exp(x[i]);
}

void ln_vsigmoid_f32_ref(int64_t n, const float *x, float *y) {
  for (int64_t i = 0; i < n; i++) y[i] = 1 / (1 + expf(-x[i]));
}

void ln_vsigmoid_f64_ref(int64_t n, const double *x, double *y) {
  for (int64_t i = 0; i < n; i++) y[i] = 1 / (1 + exp(-x[i]));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LN_VMATH_X86 1
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

/* ---- float: 8 lanes ---------------------------------------------------- */

AVX2 static __m256 exp8(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-104.0f), hi = _mm256_set1_ps(89.0f);
  const __m256 log2e = _mm256_set1_ps(1.44269504088896341f);
  const __m256 ln2hi = _mm256_set1_ps(0.693359375f), ln2lo = _mm256_set1_ps(-2.12194440e-4f);
  __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
  __m256 v = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
  __m256 fn = _mm256_round_ps(_mm256_mul_ps(v, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(fn, ln2hi, v);
  r = _mm256_fnmadd_ps(fn, ln2lo, r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  /* n in [-150, 129]: its halves are exponents of normal floats */
  __m256i n = _mm256_cvtps_epi32(fn), n1 = _mm256_srai_epi32(n, 1), n2 = _mm256_sub_epi32(n, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  return _mm256_blendv_ps(y, x, nan);
}

AVX2 static __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(one, _mm256_add_ps(one, e));
}

/* The loops: whole vectors, then the last n % 8 through a vector on the stack. */
#define LOOP_F32(name, f)                                               \
  AVX2 static void name(int64_t n, const float *x, float *y) {          \
    int64_t i = 0;                                                      \
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, f(_mm256_loadu_ps(x + i))); \
    if (i < n) {                                                        \
      float t[8] = {0};                                                 \
      memcpy(t, x + i, (size_t)(n - i) * sizeof *t);                    \
      _mm256_storeu_ps(t, f(_mm256_loadu_ps(t)));                       \
      memcpy(y + i, t, (size_t)(n - i) * sizeof *t);                    \
    }                                                                   \
  }
LOOP_F32(exp_f32_avx2, exp8)
LOOP_F32(sigmoid_f32_avx2, sigmoid8)

/* ---- double: 4 lanes --------------------------------------------------- */

AVX2 static __m256d exp4(__m256d x) {
  const __m256d lo = _mm256_set1_pd(-746.0), hi = _mm256_set1_pd(710.0);
  const __m256d log2e = _mm256_set1_pd(1.4426950408889634074);
  /* ln 2's high part has its low 21 bits zero (fdlibm's split) */
  const __m256d ln2hi = _mm256_set1_pd(6.93147180369123816490e-01);
  const __m256d ln2lo = _mm256_set1_pd(1.90821492927058770002e-10);
  __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
  __m256d v = _mm256_min_pd(_mm256_max_pd(x, lo), hi);
  __m256d fn = _mm256_round_pd(_mm256_mul_pd(v, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(fn, ln2hi, v);
  r = _mm256_fnmadd_pd(fn, ln2lo, r);
  /* 1/k! for k = 13 down to 2 */
  static const double inv_fact[12] = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5,
  };
  __m256d p = _mm256_set1_pd(inv_fact[0]);
  for (int k = 1; k < 12; k++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inv_fact[k]));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  /* n in [-1077, 1025]: its halves are exponents of normal doubles */
  __m256i n = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(fn));
  /* n >> 1: AVX2 has no 64-bit arithmetic shift, but n + 2048 is positive */
  const __m256i off = _mm256_set1_epi64x(2048);
  __m256i n1 = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_add_epi64(n, off), 1), _mm256_set1_epi64x(1024));
  __m256i n2 = _mm256_sub_epi64(n, n1);
  const __m256i bias = _mm256_set1_epi64x(1023);
  __m256d s1 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(n1, bias), 52));
  __m256d s2 = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(n2, bias), 52));
  __m256d y = _mm256_mul_pd(_mm256_mul_pd(p, s1), s2);
  return _mm256_blendv_pd(y, x, nan);
}

AVX2 static __m256d sigmoid4(__m256d x) {
  const __m256d one = _mm256_set1_pd(1.0);
  __m256d e = exp4(_mm256_sub_pd(_mm256_setzero_pd(), x));
  return _mm256_div_pd(one, _mm256_add_pd(one, e));
}

#define LOOP_F64(name, f)                                               \
  AVX2 static void name(int64_t n, const double *x, double *y) {        \
    int64_t i = 0;                                                      \
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, f(_mm256_loadu_pd(x + i))); \
    if (i < n) {                                                        \
      double t[4] = {0};                                                \
      memcpy(t, x + i, (size_t)(n - i) * sizeof *t);                    \
      _mm256_storeu_pd(t, f(_mm256_loadu_pd(t)));                       \
      memcpy(y + i, t, (size_t)(n - i) * sizeof *t);                    \
    }                                                                   \
  }
LOOP_F64(exp_f64_avx2, exp4)
LOOP_F64(sigmoid_f64_avx2, sigmoid4)

static int has_avx2(void) {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

int ln_vmath_vectorised(void) {
#ifdef LN_VMATH_X86
  return has_avx2();
#else
  return 0;
#endif
}

#ifdef LN_VMATH_X86
#define DISPATCH(fast, ref) \
  do {                      \
    if (has_avx2())         \
      fast(n, x, y);        \
    else                    \
      ref(n, x, y);         \
  } while (0)
#else
#define DISPATCH(fast, ref) ref(n, x, y)
#endif

void ln_vexp_f32(int64_t n, const float *x, float *y) {
  DISPATCH(exp_f32_avx2, ln_vexp_f32_ref);
}

void ln_vexp_f64(int64_t n, const double *x, double *y) {
  DISPATCH(exp_f64_avx2, ln_vexp_f64_ref);
}

void ln_vsigmoid_f32(int64_t n, const float *x, float *y) {
  DISPATCH(sigmoid_f32_avx2, ln_vsigmoid_f32_ref);
}

void ln_vsigmoid_f64(int64_t n, const double *x, double *y) {
  DISPATCH(sigmoid_f64_avx2, ln_vsigmoid_f64_ref);
}
