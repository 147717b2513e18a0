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
#include <float.h>
#include <math.h>
#include <string.h>

#include "cpu.h"
#include "vmath.h"

void ln_vexp_f32_ref(int64_t n, const float *x, float *y) {
  for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

void ln_vexp_f64_ref(int64_t n, const double *x, double *y) {
  for (int64_t i = 0; i < n; i++) y[i] = exp(x[i]);
}

void ln_vlog_f64_ref(int64_t n, const double *x, double *y) {
  for (int64_t i = 0; i < n; i++) y[i] = log(x[i]);
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

/* ---- AVX2 + FMA: 8 floats, 4 doubles ------------------------------------ */
#define VM_NAME(x) vm_##x##_avx2
#define VM_TARGET __attribute__((target("avx2,fma")))
#define VF __m256
#define SF 8
#define VF_MASK __m256
#define VF_SET1 _mm256_set1_ps
#define VF_LOAD _mm256_loadu_ps
#define VF_STORE _mm256_storeu_ps
#define VF_ADD _mm256_add_ps
#define VF_SUB _mm256_sub_ps
#define VF_MUL _mm256_mul_ps
#define VF_DIV _mm256_div_ps
#define VF_MIN _mm256_min_ps
#define VF_MAX _mm256_max_ps
#define VF_ROUND(x) _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VF_FMADD _mm256_fmadd_ps
#define VF_FNMADD _mm256_fnmadd_ps
#define VF_NANMASK(x) _mm256_cmp_ps(x, x, _CMP_UNORD_Q)
#define VF_SELECT(m, a, b) _mm256_blendv_ps(b, a, m)
#define VI32 __m256i
#define VI32_SET1 _mm256_set1_epi32
#define VI32_ADD _mm256_add_epi32
#define VI32_SUB _mm256_sub_epi32
#define VI32_SRAI _mm256_srai_epi32
#define VI32_SLLI _mm256_slli_epi32
#define VF_TO_I32 _mm256_cvtps_epi32
#define VI32_AS_F _mm256_castsi256_ps
#define VD __m256d
#define SD 4
#define VD_MASK __m256d
#define VD_SET1 _mm256_set1_pd
#define VD_LOAD _mm256_loadu_pd
#define VD_STORE _mm256_storeu_pd
#define VD_ADD _mm256_add_pd
#define VD_SUB _mm256_sub_pd
#define VD_MUL _mm256_mul_pd
#define VD_DIV _mm256_div_pd
#define VD_MIN _mm256_min_pd
#define VD_MAX _mm256_max_pd
#define VD_ROUND(x) _mm256_round_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VD_FMADD _mm256_fmadd_pd
#define VD_FNMADD _mm256_fnmadd_pd
#define VD_NANMASK(x) _mm256_cmp_pd(x, x, _CMP_UNORD_Q)
#define VD_SELECT(m, a, b) _mm256_blendv_pd(b, a, m)
#define VI64 __m256i
#define VI64_SET1 _mm256_set1_epi64x
#define VI64_ADD _mm256_add_epi64
#define VI64_SUB _mm256_sub_epi64
#define VI64_SRLI _mm256_srli_epi64
#define VI64_SLLI _mm256_slli_epi64
#define VD_TO_I64(x) _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(x))
#define VI64_AS_D _mm256_castsi256_pd
#define VI64_AND _mm256_and_si256
#define VI64_OR _mm256_or_si256
#define VD_AS_I64 _mm256_castpd_si256
#define VD_GT_MASK(a, b) _mm256_cmp_pd(a, b, _CMP_GT_OQ)
#define VD_BADLOG(x)                                                                        \
  _mm256_movemask_pd(_mm256_or_pd(_mm256_cmp_pd(x, _mm256_set1_pd(DBL_MIN), _CMP_NGE_UQ), \
                                  _mm256_cmp_pd(x, _mm256_set1_pd(DBL_MAX), _CMP_NLE_UQ)))
#include "vmath_isa.h"
#undef VM_NAME
#undef VM_TARGET
#undef VF
#undef SF
#undef VF_MASK
#undef VF_SET1
#undef VF_LOAD
#undef VF_STORE
#undef VF_ADD
#undef VF_SUB
#undef VF_MUL
#undef VF_DIV
#undef VF_MIN
#undef VF_MAX
#undef VF_ROUND
#undef VF_FMADD
#undef VF_FNMADD
#undef VF_NANMASK
#undef VF_SELECT
#undef VI32
#undef VI32_SET1
#undef VI32_ADD
#undef VI32_SUB
#undef VI32_SRAI
#undef VI32_SLLI
#undef VF_TO_I32
#undef VI32_AS_F
#undef VD
#undef SD
#undef VD_MASK
#undef VD_SET1
#undef VD_LOAD
#undef VD_STORE
#undef VD_ADD
#undef VD_SUB
#undef VD_MUL
#undef VD_DIV
#undef VD_MIN
#undef VD_MAX
#undef VD_ROUND
#undef VD_FMADD
#undef VD_FNMADD
#undef VD_NANMASK
#undef VD_SELECT
#undef VI64
#undef VI64_SET1
#undef VI64_ADD
#undef VI64_SUB
#undef VI64_SRLI
#undef VI64_SLLI
#undef VD_TO_I64
#undef VI64_AS_D
#undef VI64_AND
#undef VI64_OR
#undef VD_AS_I64
#undef VD_GT_MASK
#undef VD_BADLOG

/* ---- AVX-512: 16 floats, 8 doubles (twice the lanes; the f64 sigmoid was
** a twentieth of an evaluation of the 784-30-10 objective) ---------------- */
#define VM_NAME(x) vm_##x##_avx512
#define VM_TARGET __attribute__((target("avx512f")))
#define VF __m512
#define SF 16
#define VF_MASK __mmask16
#define VF_SET1 _mm512_set1_ps
#define VF_LOAD _mm512_loadu_ps
#define VF_STORE _mm512_storeu_ps
#define VF_ADD _mm512_add_ps
#define VF_SUB _mm512_sub_ps
#define VF_MUL _mm512_mul_ps
#define VF_DIV _mm512_div_ps
#define VF_MIN _mm512_min_ps
#define VF_MAX _mm512_max_ps
#define VF_ROUND(x) _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VF_FMADD _mm512_fmadd_ps
#define VF_FNMADD _mm512_fnmadd_ps
#define VF_NANMASK(x) _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q)
#define VF_SELECT(m, a, b) _mm512_mask_blend_ps(m, b, a)
#define VI32 __m512i
#define VI32_SET1 _mm512_set1_epi32
#define VI32_ADD _mm512_add_epi32
#define VI32_SUB _mm512_sub_epi32
#define VI32_SRAI _mm512_srai_epi32
#define VI32_SLLI _mm512_slli_epi32
#define VF_TO_I32 _mm512_cvtps_epi32
#define VI32_AS_F _mm512_castsi512_ps
#define VD __m512d
#define SD 8
#define VD_MASK __mmask8
#define VD_SET1 _mm512_set1_pd
#define VD_LOAD _mm512_loadu_pd
#define VD_STORE _mm512_storeu_pd
#define VD_ADD _mm512_add_pd
#define VD_SUB _mm512_sub_pd
#define VD_MUL _mm512_mul_pd
#define VD_DIV _mm512_div_pd
#define VD_MIN _mm512_min_pd
#define VD_MAX _mm512_max_pd
#define VD_ROUND(x) _mm512_roundscale_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VD_FMADD _mm512_fmadd_pd
#define VD_FNMADD _mm512_fnmadd_pd
#define VD_NANMASK(x) _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q)
#define VD_SELECT(m, a, b) _mm512_mask_blend_pd(m, b, a)
#define VI64 __m512i
#define VI64_SET1 _mm512_set1_epi64
#define VI64_ADD _mm512_add_epi64
#define VI64_SUB _mm512_sub_epi64
#define VI64_SRLI _mm512_srli_epi64
#define VI64_SLLI _mm512_slli_epi64
#define VD_TO_I64(x) _mm512_cvtepi32_epi64(_mm512_cvtpd_epi32(x))
#define VI64_AS_D _mm512_castsi512_pd
#define VI64_AND _mm512_and_si512
#define VI64_OR _mm512_or_si512
#define VD_AS_I64 _mm512_castpd_si512
#define VD_GT_MASK(a, b) _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ)
#define VD_BADLOG(x)                                                 \
  (int)(_mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MIN), _CMP_NGE_UQ) | \
        _mm512_cmp_pd_mask(x, _mm512_set1_pd(DBL_MAX), _CMP_NLE_UQ))
#include "vmath_isa.h"

#endif

static ln_cpu_choice level = LN_CPU_CHOICE_INIT;

static int get_level(void) {
  return ln_cpu_choice_get(&level);
}

int ln_vmath_set_level(int want) {
  return ln_cpu_choice_set(&level, want);
}

int ln_vmath_level(void) {
  return get_level();
}

int ln_vmath_vectorised(void) {
  return get_level() >= 1;
}

#ifdef LN_VMATH_X86
#define DISPATCH(name, ref)                 \
  do {                                      \
    switch (get_level()) {                  \
      case 2: vm_##name##_avx512(n, x, y); break; \
      case 1: vm_##name##_avx2(n, x, y); break;   \
      default: ref(n, x, y); break;         \
    }                                       \
  } while (0)
#else
#define DISPATCH(name, ref) ref(n, x, y)
#endif

void ln_vexp_f32(int64_t n, const float *x, float *y) {
  DISPATCH(exp_f32, ln_vexp_f32_ref);
}

void ln_vexp_f64(int64_t n, const double *x, double *y) {
  DISPATCH(exp_f64, ln_vexp_f64_ref);
}

void ln_vsigmoid_f32(int64_t n, const float *x, float *y) {
  DISPATCH(sigmoid_f32, ln_vsigmoid_f32_ref);
}

void ln_vsigmoid_f64(int64_t n, const double *x, double *y) {
  DISPATCH(sigmoid_f64, ln_vsigmoid_f64_ref);
}

void ln_vlog_f64(int64_t n, const double *x, double *y) {
  DISPATCH(log_f64, ln_vlog_f64_ref);
}
