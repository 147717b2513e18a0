/*
** conv_flat.h: float32 stride-1 convolution (any padding), written out
** with AVX-512 over "flat" rows: each input map, padded, is copied k_w times,
** shifted by kx and cut to the output width, so that an output map's positions
** (h_out w_out of them, row after row) and the inputs each tap multiplies
** them with are both contiguous, whatever the width. See conv_flat.c.
*/
#ifndef LN_CONV_FLAT_H
#define LN_CONV_FLAT_H

#include <stdint.h>

#include "kern.h"

/* 1 when the kernels below take this geometry on this CPU (AVX-512F). */
int ln_conv_flat_ok(const ln_convgeom *g);

/* Floats of one image's shifted rows: c_in k_w (h_in + 2 pad) w_out. At most the
** c_in k_h k_w h_out w_out of its im2col columns, so they fit there. */
int64_t ln_conv_flat_rows(const ln_convgeom *g);

/* y[b, co] = bias[co] + the convolution of x[b] with w[co], for b < batch;
** writes image b's shifted rows at xs + b xs_stride (for ln_conv_flat_weight).
**   x: (batch, c_in, h_in, w_in)  w: (c_out, c_in, k_h, k_w)  y: (batch, c_out, h_out, w_out) */
void ln_conv_flat_forward(const ln_convgeom *g, int64_t batch, const float *x, const float *w, const float *bias,
                          float *xs, int64_t xs_stride, float *y);

/* dw = beta dw + sum over b and positions of dy[b, co] times the shifted
** rows of x[b, ci] (as ln_conv_flat_forward left them at xs + b xs_stride);
** db = beta db + the sums of dy[b, co]; beta is 0 (dw and db only written) or 1.
**   dy: (batch, c_out, h_out, w_out)  dw: (c_out, c_in, k_h, k_w)  db: (c_out) */
void ln_conv_flat_weight(const ln_convgeom *g, int64_t batch, const float *xs, int64_t xs_stride,
                         const float *dy, float beta, float *dw, float *db);

/* dx[b] = the full correlation of dy[b] with the kernels, for b < batch,
** through dxs, scratch for ln_conv_flat_rows floats; wt from
** ln_conv_direct_flip (k_h k_w, c_in, c_out). Writes all of dx.
**   dy: (batch, c_out, h_out, w_out)  dx: (batch, c_in, h_in, w_in) */
void ln_conv_flat_input(const ln_convgeom *g, int64_t batch, const float *dy, const float *wt, float *dxs,
                        float *dx);

#endif
