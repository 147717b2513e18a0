/*
** dense.c: the fully connected layer, y = x W^T + b, over a whole
** mini-batch through GEMM.
**   x: (batch, n_in)  W: (n_out, n_in)  b: (n_out)  y: (batch, n_out)
** Inputs of any per-sample shape are read as flat vectors of n_in values.
*/
#include <stdlib.h>

#include "layer.h"
#include "linear.h"
#include "optim.h"
#include "profile.h"
#include "skinny.h"

typedef struct dense {
  ln_layer base;
  int n_in, n_out;
  double *wt;     /* W^T for the skinny forward product (ln_skinny_pack), or NULL */
  int wt_valid;   /* wt holds W as the last forward pass read it */
} dense;

/* float64 with few outputs and wide inputs (784-30-10's first layer) on a
** CPU with AVX-512: the skinny kernels (skinny.h) read x in place where
** dgemm would first copy it, and beat linear.h's AVX2 kernel there. */
static int use_skinny(const ln_layer *l, const dense *d) {
  return l->dtype == LN_F64 && d->n_out <= LN_SKINNY_MAX && d->n_in >= 64 && ln_skinny_available();
}

/* y = x W^T + b through linear.h's kernel where it is the faster choice */
static int linear(ln_dtype dt, int m, int n, int k, const void *x, const void *w, const void *b, void *y) {
  return dt == LN_F64 ? ln_linear_f64(m, n, k, x, w, b, y) : ln_linear_f32(m, n, k, x, w, b, y);
}

/* y = x W^T by the skinny kernels. Over 32 rows or more they read W
** transposed, which a pass over chunks of one data set (mode->same_params)
** transposes once into wt for all its chunks instead of once a chunk; the
** sums are the same either way. */
static void skinny_forward(dense *d, int batch, const double *x, double *y, const ln_mode *mode) {
  const double *w = ln_data(&d->base.params[0].value);
  if (d->wt == NULL || batch < LN_SKINNY_PACKED_MIN_M) {
    d->wt_valid = 0;   /* wt is not this pass's W: a later chunk of it must transpose W again */
    ln_skinny_nt(batch, d->n_out, d->n_in, x, d->n_in, w, d->n_in, 0, y, d->n_out);
    return;
  }
  if (!(mode->same_params && d->wt_valid && !d->base.fuse)) ln_skinny_pack(d->n_out, d->n_in, w, d->n_in, d->wt);
  d->wt_valid = 1;
  ln_skinny_nt_packed(batch, d->n_out, d->n_in, x, d->n_in, d->wt, 0, y, d->n_out);
}

static int dense_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  dense *d = (dense *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int batch = (int)x->shape[0];
  double t = LN_PROF_START();
  if (use_skinny(l, d)) {
    skinny_forward(d, batch, ln_data(x), ln_data(y), mode);
  } else {
    d->wt_valid = 0;   /* W read as it is: a later chunk on the skinny path must transpose it */
    if (linear(l->dtype, batch, d->n_out, d->n_in, ln_data(x), ln_data(&l->params[0].value),
               ln_data(&l->params[1].value), ln_data(y))) {
      LN_PROF_STOP(t, ln_prof_layer, "dense", LN_PH_PRODUCT);
      return LN_OK;
    }
    k->gemm(0, 1, batch, d->n_out, d->n_in, 1.0, ln_data(x), d->n_in, ln_data(&l->params[0].value),
            d->n_in, 0.0, ln_data(y), d->n_out);
  }
  LN_PROF_STOP(t, ln_prof_layer, "dense", LN_PH_PRODUCT);
  k->bias_add(batch, d->n_out, ln_data(y), ln_data(&l->params[1].value));
  return LN_OK;
}

/* The backward pass with plain SGD folded in (l->fuse, see layer.h):
** dx = dy W first, from the weights before the step; then
** W <- keep W - eta dy^T x in one product (beta = keep = 1 - eta c for a
** decayed weight under L2, else 1), which spares clearing the gradient,
** writing it and the optimiser's pass over it; the bias through the
** optimiser's kernel from its column sums, as the general path does. */
static int dense_backward_sgd(dense *d, const ln_tensor *x, const ln_tensor *dy, const ln_tensor *dx) {
  ln_layer *l = &d->base;
  const ln_kern *k = ln_kern_for(l->dtype);
  const ln_step *s = l->fuse;
  ln_param *w = &l->params[0], *b = &l->params[1];
  int batch = (int)x->shape[0];
  double t = LN_PROF_START();
  if (dx)
    k->gemm(0, 0, batch, d->n_in, d->n_out, 1.0, ln_data(dy), d->n_out, ln_data(&w->value), d->n_in, 0.0,
            ln_data(dx), d->n_in);
  double keep = w->decay && s->reg == LN_REG_L2 ? (double)(1 - s->eta * s->c) : 1.0;
  k->gemm(1, 0, d->n_out, d->n_in, batch, -s->eta, ln_data(dy), d->n_out, ln_data(x), d->n_in, keep,
          ln_data(&w->value), d->n_in);
  LN_PROF_STOP(t, ln_prof_layer, "dense", LN_PH_PRODUCT);
  ln_step bs = *s;
  bs.reg = b->decay ? s->reg : LN_REG_NONE;
  bs.decay = b->decay;
  void *none[LN_OPTIM_MAXSTATE] = {NULL};
  k->fill(d->n_out, ln_data(&b->grad), 1, 0.0);
  k->bias_grad(batch, d->n_out, ln_data(dy), ln_data(&b->grad));
  k->optim_step(&bs, d->n_out, ln_data(&b->value), ln_data(&b->grad), none);
  return LN_OK;
}

static int dense_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                          const ln_tensor *dx) {
  dense *d = (dense *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int batch = (int)x->shape[0];
  (void)y;
  if (l->fuse) return dense_backward_sgd(d, x, dy, dx);
  /* dW += dy^T x;  db += column sums of dy;  dx = dy W */
  double t = LN_PROF_START();
  if (use_skinny(l, d))
    ln_skinny_tn(batch, d->n_out, d->n_in, ln_data(dy), d->n_out, ln_data(x), d->n_in, ln_data(&l->params[0].grad),
                 d->n_in);
  else
    k->gemm(1, 0, d->n_out, d->n_in, batch, 1.0, ln_data(dy), d->n_out, ln_data(x), d->n_in, 1.0,
            ln_data(&l->params[0].grad), d->n_in);
  LN_PROF_STOP(t, ln_prof_layer, "dense", LN_PH_PRODUCT);
  k->bias_grad(batch, d->n_out, ln_data(dy), ln_data(&l->params[1].grad));
  t = LN_PROF_START();
  if (dx)
    k->gemm(0, 0, batch, d->n_in, d->n_out, 1.0, ln_data(dy), d->n_out, ln_data(&l->params[0].value),
            d->n_in, 0.0, ln_data(dx), d->n_in);
  LN_PROF_STOP(t, ln_prof_layer, "dense", LN_PH_PRODUCT);
  return LN_OK;
}

/* R{y} = R{x} W^T + x V^T + v_b, with V, v_b the direction's weights and
** bias. */
static int dense_rop_forward(ln_layer *l, const ln_rop *r) {
  dense *d = (dense *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int batch = (int)r->x.shape[0];
  if (!r->rx_zero)
    k->gemm(0, 1, batch, d->n_out, d->n_in, 1.0, ln_data(&r->rx), d->n_in, ln_data(&l->params[0].value),
            d->n_in, 0.0, ln_data(&r->ry), d->n_out);
  k->gemm(0, 1, batch, d->n_out, d->n_in, 1.0, ln_data(&r->x), d->n_in, ln_data(&r->v[0]), d->n_in,
          r->rx_zero ? 0.0 : 1.0, ln_data(&r->ry), d->n_out);
  k->bias_add(batch, d->n_out, ln_data(&r->ry), ln_data(&r->v[1]));
  return LN_OK;
}

/* The backward pass differentiated along v (product rule on each line of
** dense_backward): R{dW} = R{dy}^T x + dy^T R{x}, R{db} = column sums of
** R{dy}, R{dx} = R{dy} W + dy V. */
static int dense_rop_backward(ln_layer *l, const ln_rop *r) {
  dense *d = (dense *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int batch = (int)r->x.shape[0];
  k->gemm(1, 0, d->n_out, d->n_in, batch, 1.0, ln_data(&r->rdy), d->n_out, ln_data(&r->x), d->n_in, 1.0,
          ln_data(&r->hv[0]), d->n_in);
  if (!r->rx_zero)
    k->gemm(1, 0, d->n_out, d->n_in, batch, 1.0, ln_data(&r->dy), d->n_out, ln_data(&r->rx), d->n_in, 1.0,
            ln_data(&r->hv[0]), d->n_in);
  k->bias_grad(batch, d->n_out, ln_data(&r->rdy), ln_data(&r->hv[1]));
  if (r->rdx) {
    k->gemm(0, 0, batch, d->n_in, d->n_out, 1.0, ln_data(&r->rdy), d->n_out, ln_data(&l->params[0].value),
            d->n_in, 0.0, ln_data(r->rdx), d->n_in);
    k->gemm(0, 0, batch, d->n_in, d->n_out, 1.0, ln_data(&r->dy), d->n_out, ln_data(&r->v[0]), d->n_in, 1.0,
            ln_data(r->rdx), d->n_in);
  }
  return LN_OK;
}

/* wt, once, where the packed forward product can run: batches of
** LN_SKINNY_PACKED_MIN_M rows or more (at most 200 KB for 784 inputs: n_in
** rows of 32 doubles). It only saves time, so without the memory the layer
** goes on without it: n_in rows of 8 doubles are 8 times W for one output,
** and a one-row forward of a 16M-input logistic regression under a 1 GB
** limit had failed with "out of memory" for it. */
static int dense_reserve(ln_layer *l, int64_t batch) {
  dense *d = (dense *)l;
  int cols = ln_skinny_packed_cols(d->n_out);
  if (d->wt != NULL || batch < LN_SKINNY_PACKED_MIN_M || !use_skinny(l, d) || cols == 0) return LN_OK;
  d->wt = malloc((size_t)d->n_in * (size_t)cols * sizeof *d->wt);
  d->wt_valid = 0;
  return LN_OK;
}

static void dense_destroy(ln_layer *l) {
  free(((dense *)l)->wt);
}

static const ln_layer_class dense_class = {"dense", dense_forward, dense_backward, dense_reserve, dense_destroy,
                                           dense_rop_forward, dense_rop_backward};

int ln_dense_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  ln_shape wshape, bshape;
  dense *d;
  *out = NULL;
  if (s->n_in < 1 || s->n_out < 1 || s->n_in > INT32_MAX || s->n_out > INT32_MAX)
    return ln_fail(LN_EARG, "dense layer sizes must be positive, not %lld and %lld",
                   (long long)s->n_in, (long long)s->n_out);
  if (ln_shape_numel(in) != s->n_in)
    return ln_fail(LN_EARG, "dense layer takes %lld inputs but receives %lld",
                   (long long)s->n_in, (long long)ln_shape_numel(in));
  if ((d = calloc(1, sizeof *d)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  d->base.cls = &dense_class;
  d->base.spec = *s;
  d->base.dtype = dt;
  d->base.in = *in;
  ln_shape_set(&d->base.out, 1, s->n_out, 0, 0);
  d->n_in = (int)s->n_in;
  d->n_out = (int)s->n_out;
  ln_shape_set(&wshape, 2, s->n_out, s->n_in, 0);
  ln_shape_set(&bshape, 1, s->n_out, 0, 0);
  ln_layer_add_param(&d->base, "weight", &wshape, 1)->init_std = s->w_std;
  ln_layer_add_param(&d->base, "bias", &bshape, 0)->init_std = s->b_std;
  *out = &d->base;
  return LN_OK;
}
