/*
** conv.c: 2-d convolution with several input and output maps, shared
** weights and one bias per output map, over a whole mini-batch through
** im2col + one GEMM.
**   x: (batch, c_in, h, w)  W: (c_out, c_in, k, k)  b: (c_out)  y: (batch, c_out, h_out, w_out)
**   col: (c_in k k, batch p), p = h_out w_out: every receptive field as a column
** Forward is y = W col + b. Backward: dW = dy col^T, db = sums of dy, and
** dx = col2im(W^T dy), which is the lecture's full convolution of the
** errors with the kernels rotated by 180 degrees, summed over output maps,
** rearranged as one product (the reference kernel in real/conv.inc writes
** that convolution out literally and the specs compare the two).
*/
#include <stdlib.h>

#include "layer.h"
#include "ops.h"

typedef struct conv {
  ln_layer base;
  ln_convgeom g;
  ln_tensor col;      /* (c_in k k, batch p) */
  ln_tensor dcol;     /* same: W^T dy, kept apart so col stays valid */
  ln_tensor t;        /* (c_out, batch p): the product, then dy in that layout */
  ln_tensor ones;     /* (batch p) ones: db as one matrix-vector product */
} conv;

static int conv_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  conv *c = (conv *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int64_t batch = x->shape[0], p = (int64_t)c->g.h_out * c->g.w_out;
  int n = (int)(batch * p), kk = c->g.c_in * c->g.k_h * c->g.k_w;
  (void)mode;
  k->im2col(&c->g, batch, ln_data(x), ln_data(&c->col));
  k->gemm(0, 0, c->g.c_out, n, kk, 1.0, ln_data(&l->params[0].value), kk, ln_data(&c->col), n, 0.0,
          ln_data(&c->t), n);
  k->unfold_batch(batch, c->g.c_out, p, ln_data(&c->t), ln_data(&l->params[1].value), ln_data(y));
  return LN_OK;
}

static int conv_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                         const ln_tensor *dx) {
  conv *c = (conv *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int64_t batch = x->shape[0], p = (int64_t)c->g.h_out * c->g.w_out;
  int n = (int)(batch * p), kk = c->g.c_in * c->g.k_h * c->g.k_w, co = c->g.c_out;
  (void)y;
  k->fold_batch(batch, co, p, ln_data(dy), ln_data(&c->t));
  k->gemm(0, 1, co, kk, n, 1.0, ln_data(&c->t), n, ln_data(&c->col), n, 1.0, ln_data(&l->params[0].grad), kk);
  k->gemv(0, co, n, 1.0, ln_data(&c->t), n, ln_data(&c->ones), 1, 1.0, ln_data(&l->params[1].grad), 1);
  if (dx) {
    k->gemm(1, 0, kk, n, co, 1.0, ln_data(&l->params[0].value), kk, ln_data(&c->t), n, 0.0,
            ln_data(&c->dcol), n);
    k->col2im(&c->g, batch, ln_data(&c->dcol), ln_data(dx));
  }
  return LN_OK;
}

static int conv_reserve(ln_layer *l, int64_t batch) {
  conv *c = (conv *)l;
  int64_t p = (int64_t)c->g.h_out * c->g.w_out, kk = (int64_t)c->g.c_in * c->g.k_h * c->g.k_w;
  int st;
  if (batch * p > INT32_MAX || kk * batch * p > INT64_MAX / 8)
    return ln_fail(LN_EARG, "mini-batch of %lld is too large for this convolution", (long long)batch);
  if ((st = ln_workspace(&c->col, l->dtype, kk, batch * p)) != LN_OK ||
      (st = ln_workspace(&c->dcol, l->dtype, kk, batch * p)) != LN_OK ||
      (st = ln_workspace(&c->t, l->dtype, c->g.c_out, batch * p)) != LN_OK ||
      (st = ln_workspace(&c->ones, l->dtype, 1, batch * p)) != LN_OK)
    return st;
  return ln_fill(&c->ones, 1.0);
}

static void conv_destroy(ln_layer *l) {
  conv *c = (conv *)l;
  ln_tensor_free(&c->col);
  ln_tensor_free(&c->dcol);
  ln_tensor_free(&c->t);
  ln_tensor_free(&c->ones);
}

static const ln_layer_class conv_class = {"conv2d", conv_forward, conv_backward, conv_reserve, conv_destroy};

/* The geometry for inputs of shape `in`, or a message saying why not. */
static int geometry(ln_convgeom *g, const ln_layer_spec *s, const ln_shape *in) {
  if (in->ndim != 3)
    return ln_fail(LN_EARG, "a convolution takes images (channels, height, width); the input has %d "
                   "dimensions per sample (declare input = {c, h, w} or add a Reshape)", in->ndim);
  if (s->n_in != in->dim[0])
    return ln_fail(LN_EARG, "convolution expects %lld input maps but receives %lld", (long long)s->n_in,
                   (long long)in->dim[0]);
  if (s->maps < 1 || s->kernel < 1 || s->stride < 1 || s->pad < 0 || s->maps > 65536 || s->kernel > 1024 ||
      s->stride > 1024 || s->pad > 1024)
    return ln_fail(LN_EARG, "convolution needs maps, kernel and stride >= 1 and padding >= 0");
  g->c_in = (int)in->dim[0], g->h_in = (int)in->dim[1], g->w_in = (int)in->dim[2];
  g->c_out = (int)s->maps, g->k_h = g->k_w = (int)s->kernel;
  g->stride = (int)s->stride, g->pad = (int)s->pad;
  g->h_out = (g->h_in + 2 * g->pad - g->k_h) / g->stride + 1;
  g->w_out = (g->w_in + 2 * g->pad - g->k_w) / g->stride + 1;
  if (g->h_in + 2 * g->pad < g->k_h || g->w_in + 2 * g->pad < g->k_w)
    return ln_fail(LN_EARG, "a %dx%d kernel does not fit %dx%d images with padding %d", g->k_h, g->k_w,
                   g->h_in, g->w_in, g->pad);
  return LN_OK;
}

int ln_conv_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  ln_convgeom g;
  ln_shape wshape, bshape;
  conv *c;
  int st;
  *out = NULL;
  if ((st = geometry(&g, s, in)) != LN_OK) return st;
  if ((c = calloc(1, sizeof *c)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  c->base.cls = &conv_class;
  c->base.spec = *s;
  c->base.dtype = dt;
  c->base.in = *in;
  c->g = g;
  ln_shape_set(&c->base.out, 3, g.c_out, g.h_out, g.w_out);
  wshape.ndim = 4;
  wshape.dim[0] = g.c_out, wshape.dim[1] = g.c_in, wshape.dim[2] = g.k_h, wshape.dim[3] = g.k_w;
  ln_shape_set(&bshape, 1, g.c_out, 0, 0);
  ln_layer_add_param(&c->base, "weight", &wshape, 1)->init_std = s->w_std;
  ln_layer_add_param(&c->base, "bias", &bshape, 0)->init_std = s->b_std;
  *out = &c->base;
  return LN_OK;
}
