/*
** vmath.h: exp, the sigmoid and (float64) log over arrays, vectorised.
**
** The kernels are built without -march, so exp in a loop is a call to
** libm's scalar exp per element. These run eight floats (four doubles) at a
** time with AVX2 and FMA, or sixteen (eight) with AVX-512, when the CPU has
** them (chosen once, at the first call), and otherwise fall back to the
** plain libm loops (the *_ref functions, which the specs also use as the
** reference).
**
** Accuracy (spec/vmath_spec.lua sweeps it): within 2 ulp of libm for
** normal results; exp(+inf) = +inf, exp(-inf) = 0, NaN stays NaN; results
** past the largest finite value are +inf, and the denormal results of
** exp(x) for very negative x are rounded once, as libm's are. x and y may
** be the same array (in place); otherwise they must not overlap.
*/
#ifndef LN_VMATH_H
#define LN_VMATH_H

#include <stdint.h>

/* y[i] = exp(x[i]) */
void ln_vexp_f32(int64_t n, const float *x, float *y);
void ln_vexp_f64(int64_t n, const double *x, double *y);

/* y[i] = 1 / (1 + exp(-x[i])) */
void ln_vsigmoid_f32(int64_t n, const float *x, float *y);
void ln_vsigmoid_f64(int64_t n, const double *x, double *y);

/* y[i] = log(x[i]): within 1 ulp of libm for positive normal x (fdlibm's
** method); every other x (0, negative, denormal, infinite, NaN) through
** libm's log itself */
void ln_vlog_f64(int64_t n, const double *x, double *y);

/* the same through libm, one element at a time */
void ln_vexp_f32_ref(int64_t n, const float *x, float *y);
void ln_vexp_f64_ref(int64_t n, const double *x, double *y);
void ln_vsigmoid_f32_ref(int64_t n, const float *x, float *y);
void ln_vsigmoid_f64_ref(int64_t n, const double *x, double *y);
void ln_vlog_f64_ref(int64_t n, const double *x, double *y);

/* 1 when a vector path runs (AVX2 and FMA, or AVX-512), else 0 */
int ln_vmath_vectorised(void);

/* The path in use, 0 libm, 1 AVX2, 2 AVX-512 (the same results bit for
** bit), and, for the specs, forcing it down (capped at the CPU's own level;
** returns the level now in use). */
int ln_vmath_level(void);
int ln_vmath_set_level(int level);

#endif
