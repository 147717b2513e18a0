/*
** skinny.c: float64 products with a narrow side (skinny.h), in AVX2 + FMA
** and AVX-512 versions chosen at run time, and their plain references.
** The library is built for any x86-64 (no -march): only these functions
** ask for wider instructions, and only run when the CPU has them.
*/
#include "skinny.h"

#include "cpu.h"

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LN_SKINNY_X86 1
#endif

void ln_skinny_nt_ref(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta, double *c,
                      int ldc) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int p = 0; p < k; p++) s += a[(size_t)i * lda + p] * b[(size_t)j * ldb + p];
      c[(size_t)i * ldc + j] = beta ? c[(size_t)i * ldc + j] + s : s;
    }
}

void ln_skinny_tn_ref(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c, int ldc) {
  for (int j = 0; j < n; j++)
    for (int col = 0; col < k; col++) {
      double s = 0;
      for (int i = 0; i < m; i++) s += a[(size_t)i * lda + j] * b[(size_t)i * ldb + col];
      c[(size_t)j * ldc + col] += s;
    }
}

/* bt's rows: n values rounded up to a whole AVX-512 vector, the rest zero */
static int packed_cols(int n) {
  return (n + 7) / 8 * 8;
}

void ln_skinny_pack_ref(int n, int k, const double *b, int ldb, double *bt) {
  int cols = packed_cols(n);
  for (int p = 0; p < k; p++)
    for (int j = 0; j < cols; j++) bt[(size_t)p * cols + j] = j < n ? b[(size_t)j * ldb + p] : 0.0;
}

void ln_skinny_nt_packed_ref(int m, int n, int k, const double *a, int lda, const double *bt, int beta, double *c,
                             int ldc) {
  int cols = packed_cols(n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int p = 0; p < k; p++) s += a[(size_t)i * lda + p] * bt[(size_t)p * cols + j];
      c[(size_t)i * ldc + j] = beta ? c[(size_t)i * ldc + j] + s : s;
    }
}

#ifdef LN_SKINNY_X86

/* ---- AVX2 + FMA: 4 doubles a vector, 16 registers ---- */
#define SK_NAME(x) sk_##x##_avx2
#define SK_TARGET __attribute__((target("avx2,fma")))
#define SK_V __m256d
#define SK_W 4
#define SK_ZERO() _mm256_setzero_pd()
#define SK_LOAD(p) _mm256_loadu_pd(p)
#define SK_STOREU(p, v) _mm256_storeu_pd(p, v)
#define SK_BCAST(x) _mm256_set1_pd(x)
#define SK_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define SK_HSUM(v) sk_hsum_avx2(v)
#define SK_TN_RJ 3
#define SK_NT_RI 3
#define SK_NT_IB 24
#define SK_TN_RV 4

static inline __attribute__((always_inline)) SK_TARGET double sk_hsum_avx2(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#include "skinny_isa.h"

#undef SK_NAME
#undef SK_TARGET
#undef SK_V
#undef SK_W
#undef SK_ZERO
#undef SK_LOAD
#undef SK_STOREU
#undef SK_BCAST
#undef SK_FMA
#undef SK_HSUM
#undef SK_TN_RJ
#undef SK_TN_RV
#undef SK_NT_RI
#undef SK_NT_IB

/* ---- AVX-512: 8 doubles a vector, 32 registers (bigger backward tiles) ---- */
#define SK_NAME(x) sk_##x##_avx512
#define SK_TARGET __attribute__((target("avx512f,fma")))
#define SK_V __m512d
#define SK_W 8
#define SK_ZERO() _mm512_setzero_pd()
#define SK_LOAD(p) _mm512_loadu_pd(p)
#define SK_STOREU(p, v) _mm512_storeu_pd(p, v)
#define SK_BCAST(x) _mm512_set1_pd(x)
#define SK_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define SK_HSUM(v) _mm512_reduce_add_pd(v)
#define SK_TN_RJ 4
#define SK_NT_RI 4
#define SK_NT_IB 24
#define SK_TN_RV 4
#define SK_NTP_RI 6
#define SK_NTP_KC 128
#define SK_NTP_MIN_M LN_SKINNY_PACKED_MIN_M
#define SK_MASK(r) ((__mmask8)((r) >= 8 ? 0xFF : (1u << (r)) - 1))
#define SK_MLOAD(m, p) _mm512_maskz_loadu_pd(m, p)
#define SK_MSTORE(p, m, v) _mm512_mask_storeu_pd(p, m, v)
#define SK_PACK_T(dst, ldd, src, lds, rows) sk_pack_t_avx512(dst, ldd, src, lds, rows)

/* An 8 x 8 block of B transposed in registers (dst[c ldd + i] = src[i lds
** + c], rows past `rows` zero): the forward product repacks B^T for every
** call, 12 calls an evaluation of the objective over 1,000 images, and
** value by value that took a fifth of the product (13 of 60 us for 83 x
** 784 x 30). Pairs of rows interleave, then pairs of pairs, then halves. */
static inline __attribute__((always_inline)) SK_TARGET void sk_pack_t_avx512(double *dst, int ldd, const double *src,
                                                                             int lds, int rows) {
  __m512d r[8], t[8], u[8];
  /* unrolled, so the eight rows (in L2, 6 KB apart) load together and the
  ** blocks stay in registers: as loops, r, t and u went through the stack
  ** and the loads came one at a time, a fifth of the forward product */
  _Pragma("GCC unroll 8")
  for (int i = 0; i < 8; i++) r[i] = i < rows ? _mm512_loadu_pd(src + (size_t)i * lds) : _mm512_setzero_pd();
  _Pragma("GCC unroll 4")
  for (int i = 0; i < 8; i += 2) {   /* t[i]: columns 0 2 4 6 of rows i, i+1; t[i+1]: columns 1 3 5 7 */
    t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
  }
  const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
  _Pragma("GCC unroll 2")
  for (int h = 0; h < 8; h += 4)     /* u[h + c]: columns c and c + 4 of rows h..h+3 */
    _Pragma("GCC unroll 2")
    for (int e = 0; e < 2; e++) {
      u[h + e] = _mm512_permutex2var_pd(t[h + e], lo, t[h + 2 + e]);      /* columns e, e + 4 */
      u[h + 2 + e] = _mm512_permutex2var_pd(t[h + e], hi, t[h + 2 + e]);  /* columns e + 2, e + 6 */
    }
  const __m512i first = _mm512_setr_epi64(0, 1, 2, 3, 8, 9, 10, 11), second = _mm512_setr_epi64(4, 5, 6, 7, 12, 13, 14, 15);
  _Pragma("GCC unroll 4")
  for (int c = 0; c < 4; c++) {      /* rows 0..3 then 4..7 of columns c and c + 4 */
    _mm512_storeu_pd(dst + (size_t)c * ldd, _mm512_permutex2var_pd(u[c], first, u[4 + c]));
    _mm512_storeu_pd(dst + (size_t)(c + 4) * ldd, _mm512_permutex2var_pd(u[c], second, u[4 + c]));
  }
}

#include "skinny_isa.h"

#endif

static ln_cpu_choice level = LN_CPU_CHOICE_INIT;

static int get_level(void) {
  return ln_cpu_choice_get(&level);
}

/* Only the AVX-512 kernels beat OpenBLAS's dgemm at these shapes (measured
** on an AMD Zen 5, 784-30 over 200 and 1,000 rows: forward 40-45 GFLOP/s and
** backward 46-48 against dgemm's 21-31; the AVX2 ones ran at 20-31, level
** with dgemm's AVX2 kernels), so the layers ask for them only then. */
int ln_skinny_available(void) {
  return get_level() >= 2;
}

int ln_skinny_set_level(int want) {
  return ln_cpu_choice_set(&level, want);
}

const char *ln_skinny_level_name(void) {
  static const char *const names[] = {"none", "avx2", "avx512"};
  return names[get_level()];
}

void ln_skinny_nt(int m, int n, int k, const double *a, int lda, const double *b, int ldb, int beta, double *c,
                  int ldc) {
  switch (get_level()) {
#ifdef LN_SKINNY_X86
  case 2: sk_nt_avx512(m, n, k, a, lda, b, ldb, beta, c, ldc); return;
  case 1: sk_nt_avx2(m, n, k, a, lda, b, ldb, beta, c, ldc); return;
#endif
  default: ln_skinny_nt_ref(m, n, k, a, lda, b, ldb, beta, c, ldc); return;
  }
}

int ln_skinny_packed_cols(int n) {
  return get_level() >= 2 && n >= 1 && n <= 32 ? packed_cols(n) : 0;
}

void ln_skinny_pack(int n, int k, const double *b, int ldb, double *bt) {
#ifdef LN_SKINNY_X86
  if (get_level() >= 2) {
    sk_pack_avx512(n, k, b, ldb, bt);
    return;
  }
#endif
  ln_skinny_pack_ref(n, k, b, ldb, bt);
}

void ln_skinny_nt_packed(int m, int n, int k, const double *a, int lda, const double *bt, int beta, double *c,
                         int ldc) {
#ifdef LN_SKINNY_X86
  if (get_level() >= 2) {
    sk_ntp_packed_avx512(m, n, k, a, lda, bt, beta, c, ldc);
    return;
  }
#endif
  ln_skinny_nt_packed_ref(m, n, k, a, lda, bt, beta, c, ldc);
}

void ln_skinny_tn(int m, int n, int k, const double *a, int lda, const double *b, int ldb, double *c, int ldc) {
  switch (get_level()) {
#ifdef LN_SKINNY_X86
  case 2: sk_tn_avx512(m, n, k, a, lda, b, ldb, c, ldc); return;
  case 1: sk_tn_avx2(m, n, k, a, lda, b, ldb, c, ldc); return;
#endif
  default: ln_skinny_tn_ref(m, n, k, a, lda, b, ldb, c, ldc); return;
  }
}
