/*
** vmath_isa.h: vmath.c's kernels for one instruction set, included once
** per set (no include guard) with these defined:
**   VM_NAME(x)  the function's name for this set    VM_TARGET  its target attribute
**   float:  VF (SF lanes), VF_*: SET1 LOAD STORE ADD SUB MUL DIV MIN MAX ROUND FMADD FNMADD,
**           VF_NANMASK(x) (a mask of NaN lanes), VF_SELECT(mask, a, b) (a where mask, else b),
**           VI32 with VI32_* SET1 ADD SUB SRAI SLLI, VF_TO_I32, VI32_AS_F
**   double: VD (SD lanes), VD_* as VF_*, VI64 with VI64_* SET1 ADD SUB SRLI SLLI AND OR,
**           VD_TO_I64 (round to integer, widened), VI64_AS_D, VD_AS_I64,
**           VD_GT_MASK(a, b) (lanes a > b), VD_BADLOG(x) (an int, bit j set where
**           lane j is not a positive normal finite number)
** Every set runs the same operations in the same order, so every set gives
** the same results bit for bit (spec/vmath_spec.lua checks it).
*/

VM_TARGET static VF VM_NAME(exp_f)(VF x) {
  const VF lo = VF_SET1(-104.0f), hi = VF_SET1(89.0f);
  const VF log2e = VF_SET1(1.44269504088896341f);
  const VF ln2hi = VF_SET1(0.693359375f), ln2lo = VF_SET1(-2.12194440e-4f);
  VF_MASK nan = VF_NANMASK(x);
  VF v = VF_MIN(VF_MAX(x, lo), hi);
  VF fn = VF_ROUND(VF_MUL(v, log2e));
  VF r = VF_FNMADD(fn, ln2hi, v);
  r = VF_FNMADD(fn, ln2lo, r);
  VF p = VF_SET1(1.0f / 5040);
  p = VF_FMADD(p, r, VF_SET1(1.0f / 720));
  p = VF_FMADD(p, r, VF_SET1(1.0f / 120));
  p = VF_FMADD(p, r, VF_SET1(1.0f / 24));
  p = VF_FMADD(p, r, VF_SET1(1.0f / 6));
  p = VF_FMADD(p, r, VF_SET1(0.5f));
  p = VF_FMADD(p, r, VF_SET1(1.0f));
  p = VF_FMADD(p, r, VF_SET1(1.0f));
  /* n in [-150, 129]: its halves are exponents of normal floats */
  VI32 n = VF_TO_I32(fn), n1 = VI32_SRAI(n, 1), n2 = VI32_SUB(n, n1);
  const VI32 bias = VI32_SET1(127);
  VF s1 = VI32_AS_F(VI32_SLLI(VI32_ADD(n1, bias), 23));
  VF s2 = VI32_AS_F(VI32_SLLI(VI32_ADD(n2, bias), 23));
  VF y = VF_MUL(VF_MUL(p, s1), s2);
  return VF_SELECT(nan, x, y);
}

VM_TARGET static VF VM_NAME(sigmoid_f)(VF x) {
  const VF one = VF_SET1(1.0f);
  VF e = VM_NAME(exp_f)(VF_SUB(VF_SET1(0.0f), x));
  return VF_DIV(one, VF_ADD(one, e));
}

VM_TARGET static VD VM_NAME(exp_d)(VD x) {
  const VD lo = VD_SET1(-746.0), hi = VD_SET1(710.0);
  const VD log2e = VD_SET1(1.4426950408889634074);
  /* ln 2's high part has its low 21 bits zero (fdlibm's split) */
  const VD ln2hi = VD_SET1(6.93147180369123816490e-01);
  const VD ln2lo = VD_SET1(1.90821492927058770002e-10);
  VD_MASK nan = VD_NANMASK(x);
  VD v = VD_MIN(VD_MAX(x, lo), hi);
  VD fn = VD_ROUND(VD_MUL(v, log2e));
  VD r = VD_FNMADD(fn, ln2hi, v);
  r = VD_FNMADD(fn, ln2lo, r);
  /* 1/k! for k = 13 down to 2 */
  static const double inv_fact[12] = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5,
  };
  VD p = VD_SET1(inv_fact[0]);
  for (int k = 1; k < 12; k++) p = VD_FMADD(p, r, VD_SET1(inv_fact[k]));
  p = VD_FMADD(p, r, VD_SET1(1.0));
  p = VD_FMADD(p, r, VD_SET1(1.0));
  /* n in [-1077, 1025]: its halves are exponents of normal doubles; n >> 1
  ** as (n + 2048) >> 1 - 1024 (AVX2 has no 64-bit arithmetic shift) */
  VI64 n = VD_TO_I64(fn);
  const VI64 off = VI64_SET1(2048);
  VI64 n1 = VI64_SUB(VI64_SRLI(VI64_ADD(n, off), 1), VI64_SET1(1024));
  VI64 n2 = VI64_SUB(n, n1);
  const VI64 bias = VI64_SET1(1023);
  VD s1 = VI64_AS_D(VI64_SLLI(VI64_ADD(n1, bias), 52));
  VD s2 = VI64_AS_D(VI64_SLLI(VI64_ADD(n2, bias), 52));
  VD y = VD_MUL(VD_MUL(p, s1), s2);
  return VD_SELECT(nan, x, y);
}

VM_TARGET static VD VM_NAME(sigmoid_d)(VD x) {
  const VD one = VD_SET1(1.0);
  VD e = VM_NAME(exp_d)(VD_SUB(VD_SET1(0.0), x));
  return VD_DIV(one, VD_ADD(one, e));
}

/* log x for positive normal finite x (fdlibm's e_log.c in vector form, its
** error under 1 ulp): x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
** s = f / (2 + f), log m = f - (f^2/2 - s (f^2/2 + R(s^2))). k becomes a
** double through the bits of 2^52 + k + 1023, so no 64-bit conversion is
** needed (AVX2 has none). */
VM_TARGET static VD VM_NAME(log_d)(VD x) {
  const VI64 mant = VI64_SET1(0x000fffffffffffffLL), one_bits = VI64_SET1(0x3ff0000000000000LL);
  VI64 bits = VD_AS_I64(x);
  VI64 e = VI64_SRLI(bits, 52);                                          /* biased exponent: x > 0 */
  VD m = VI64_AS_D(VI64_OR(VI64_AND(bits, mant), one_bits));             /* [1, 2) */
  VD_MASK big = VD_GT_MASK(m, VD_SET1(1.4142135623730951));
  m = VD_SELECT(big, VD_MUL(m, VD_SET1(0.5)), m);
  VD k = VD_SUB(VI64_AS_D(VI64_OR(e, VI64_SET1(0x4330000000000000LL))), VD_SET1(4503599627370496.0 + 1023.0));
  k = VD_SELECT(big, VD_ADD(k, VD_SET1(1.0)), k);
  VD f = VD_SUB(m, VD_SET1(1.0));
  VD s = VD_DIV(f, VD_ADD(VD_SET1(2.0), f));
  VD z = VD_MUL(s, s), w = VD_MUL(z, z);
  VD t1 = VD_MUL(w, VD_ADD(VD_SET1(3.999999999940941908e-01),
                            VD_MUL(w, VD_ADD(VD_SET1(2.222219843214978396e-01),
                                             VD_MUL(w, VD_SET1(1.531383769920937332e-01))))));
  VD t2 = VD_MUL(z, VD_ADD(VD_SET1(6.666666666666735130e-01),
                            VD_MUL(w, VD_ADD(VD_SET1(2.857142874366239149e-01),
                                             VD_MUL(w, VD_ADD(VD_SET1(1.818357216161805012e-01),
                                                              VD_MUL(w, VD_SET1(1.479819860511658591e-01))))))));
  VD r = VD_ADD(t2, t1);
  VD hfsq = VD_MUL(VD_MUL(VD_SET1(0.5), f), f);
  const VD ln2hi = VD_SET1(6.93147180369123816490e-01), ln2lo = VD_SET1(1.90821492927058770002e-10);
  /* k ln2_hi - ((hfsq - (s (hfsq + R) + k ln2_lo)) - f) */
  VD inner = VD_ADD(VD_MUL(s, VD_ADD(hfsq, r)), VD_MUL(k, ln2lo));
  return VD_SUB(VD_MUL(k, ln2hi), VD_SUB(VD_SUB(hfsq, inner), f));
}

/* Lanes that are not positive normal finite numbers (0, negative, denormal,
** infinite, NaN) take libm's log, one by one: x may be y (in place). */
VM_TARGET static void VM_NAME(log_f64)(int64_t n, const double *x, double *y) {
  int64_t i = 0;
  for (; i < n; i += SD) {
    double t[SD], r[SD];
    int w = n - i < SD ? (int)(n - i) : SD;
    VD v;
    if (w == SD) {
      v = VD_LOAD(x + i);
    } else {
      for (int j = 0; j < SD; j++) t[j] = j < w ? x[i + j] : 1.0;
      v = VD_LOAD(t);
    }
    int bad = VD_BADLOG(v);
    if (bad == 0 && w == SD) {
      VD_STORE(y + i, VM_NAME(log_d)(v));
      continue;
    }
    VD_STORE(t, v);
    VD_STORE(r, VM_NAME(log_d)(v));
    for (int j = 0; j < w; j++) y[i + j] = (bad >> j & 1) ? log(t[j]) : r[j];
  }
}

/* The loops: whole vectors, then the last n % lanes through a vector on the stack. */
#define VM_LOOP(name, T, V, W, LOAD, STORE, f)                          \
  VM_TARGET static void VM_NAME(name)(int64_t n, const T *x, T *y) {    \
    int64_t i = 0;                                                      \
    for (; i + W <= n; i += W) STORE(y + i, f(LOAD(x + i)));            \
    if (i < n) {                                                        \
      T t[W] = {0};                                                     \
      memcpy(t, x + i, (size_t)(n - i) * sizeof *t);                    \
      STORE(t, f(LOAD(t)));                                             \
      memcpy(y + i, t, (size_t)(n - i) * sizeof *t);                    \
    }                                                                   \
  }
VM_LOOP(exp_f32, float, VF, SF, VF_LOAD, VF_STORE, VM_NAME(exp_f))
VM_LOOP(sigmoid_f32, float, VF, SF, VF_LOAD, VF_STORE, VM_NAME(sigmoid_f))
VM_LOOP(exp_f64, double, VD, SD, VD_LOAD, VD_STORE, VM_NAME(exp_d))
VM_LOOP(sigmoid_f64, double, VD, SD, VD_LOAD, VD_STORE, VM_NAME(sigmoid_d))
#undef VM_LOOP
