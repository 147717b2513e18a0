/*
** conv_direct.h: float32 convolution written out directly with AVX2 and
** FMA, for layers with rows of 1 to 4 vectors (8 to 32 positions), 3x3 or
** 5x5 kernels and at most 500 weights per output map (both of the chapter-6
** network's layers). See conv_direct.c.
*/
#ifndef LN_CONV_DIRECT_H
#define LN_CONV_DIRECT_H

#include <stdint.h>

#include "kern.h"

/* Which written-out kernels float32 convolutions may use: 2 AVX-512
** (conv_flat.c), 1 AVX2 (these), 0 none (im2col + GEMM). The CPU's own level
** is the default and the most that can be asked; the specs force it down
** to test each. ln_conv_set_level returns the level now in use. */
int ln_conv_level(void);
int ln_conv_set_level(int want);

/* 1 when the kernels below take this geometry on this CPU (AVX2 and FMA). */
int ln_conv_direct_ok(const ln_convgeom *g);
/* y[b, co] = bias[co] + the convolution of x[b] with w[co], for b < batch.
**   x: (batch, c_in, h_in, w_in)  w: (c_out, c_in, k_h, k_w)  y: (batch, c_out, h_out, w_out) */
void ln_conv_direct_forward(const ln_convgeom *g, int64_t batch, const float *x, const float *w,
                            const float *bias, float *y);
/* dw = beta dw + sum over b and positions of dy[b, co] x[b, ci] (shifted by the tap),
** db = beta db + the sums of dy[b, co]; beta is 0 (then dw and db are only written) or 1. */
void ln_conv_direct_weight(const ln_convgeom *g, int64_t batch, const float *x, const float *dy, float beta,
                           float *dw, float *db);

/* wt[(ky k_w + kx), ci, co] = w[co, ci, ky, kx]: the weights as ln_conv_direct_input reads them
**   w: (c_out, c_in, k_h, k_w)  wt: (k_h k_w, c_in, c_out) */
void ln_conv_direct_flip(const ln_convgeom *g, const float *w, float *wt);
/* dx[b] = the full correlation of dy[b] with the kernels (the gradient of the
** input), for b < batch; wt from ln_conv_direct_flip. Writes all of dx.
**   dy: (batch, c_out, h_out, w_out)  dx: (batch, c_in, h_in, w_in) */
void ln_conv_direct_input(const ln_convgeom *g, int64_t batch, const float *dy, const float *wt, float *dx);

#endif
