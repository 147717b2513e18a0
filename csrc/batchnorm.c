/*
** batchnorm.c: batch normalisation (Ioffe and Szegedy 2015). In training,
** each feature (after a fully connected layer) or each map (after a
** convolution) is normalised with the mini-batch's mean and variance, then
** scaled by gamma and shifted by beta, both learned; running averages of
** the mean and variance are kept for evaluation, which uses them instead.
**   x, y: (batch, c) or (batch, c, h, w)  gamma, beta, running_mean, running_var: (c)
*/
#include <stdlib.h>

#include "layer.h"

typedef struct batchnorm {
  ln_layer base;
  int64_t c, s;          /* channels and positions per channel */
  ln_tensor xhat;        /* (batch, c s): normalised inputs of the last training forward */
  ln_tensor mean, inv;   /* (c): batch mean and 1/sqrt(var + eps) */
  int train;             /* mode of the last forward */
} batchnorm;

static int bn_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  batchnorm *bn = (batchnorm *)l;
  const ln_kern *k = ln_kern_for(l->dtype);
  int64_t batch = x->shape[0];
  void *gamma = ln_data(&l->params[0].value), *beta = ln_data(&l->params[1].value);
  void *rmean = ln_data(&l->state[0].value), *rvar = ln_data(&l->state[1].value);
  bn->train = mode->train;
  if (!mode->train) {
    k->bn_eval_forward(batch, bn->c, bn->s, l->spec.eps, ln_data(x), ln_data(y), gamma, beta, rmean, rvar);
    return LN_OK;
  }
  k->bn_train_forward(batch, bn->c, bn->s, l->spec.eps, ln_data(x), ln_data(y), gamma, beta, ln_data(&bn->xhat),
                      ln_data(&bn->mean), ln_data(&bn->inv));
  if (!mode->probe)
    k->bn_update_running(bn->c, l->spec.momentum, (double)(batch * bn->s), l->spec.eps, ln_data(&bn->mean),
                         ln_data(&bn->inv), rmean, rvar);
  return LN_OK;
}

static int bn_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                       const ln_tensor *dx) {
  batchnorm *bn = (batchnorm *)l;
  (void)x, (void)y;
  if (!bn->train)
    return ln_fail(LN_EARG, "batch normalisation: backward after an evaluation-mode forward is not supported; "
                   "call training() first");
  ln_kern_for(l->dtype)->bn_train_backward(dy->shape[0], bn->c, bn->s, ln_data(dy), ln_data(&bn->xhat),
                                           ln_data(&l->params[0].value), ln_data(&bn->inv),
                                           dx ? ln_data(dx) : NULL, ln_data(&l->params[0].grad),
                                           ln_data(&l->params[1].grad));
  return LN_OK;
}

static int bn_reserve(ln_layer *l, int64_t batch) {
  batchnorm *bn = (batchnorm *)l;
  int st = ln_workspace(&bn->xhat, l->dtype, batch, bn->c * bn->s);
  if (st == LN_OK && bn->mean.storage == NULL) st = ln_workspace(&bn->mean, l->dtype, 1, bn->c);
  if (st == LN_OK && bn->inv.storage == NULL) st = ln_workspace(&bn->inv, l->dtype, 1, bn->c);
  return st;
}

static void bn_destroy(ln_layer *l) {
  batchnorm *bn = (batchnorm *)l;
  ln_tensor_free(&bn->xhat);
  ln_tensor_free(&bn->mean);
  ln_tensor_free(&bn->inv);
}

static const ln_layer_class bn_class = {"batchnorm", bn_forward, bn_backward, bn_reserve, bn_destroy,
                                        NULL, NULL};

int ln_batchnorm_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  batchnorm *bn;
  ln_shape cshape;
  *out = NULL;
  if (in->ndim != 1 && in->ndim != 3)
    return ln_fail(LN_EARG, "batch normalisation takes features (n) or maps (c, h, w), not %d dimensions",
                   in->ndim);
  if (!(s->eps > 0) || !(s->momentum > 0 && s->momentum <= 1))
    return ln_fail(LN_EARG, "batch normalisation needs eps > 0 and momentum in (0, 1]");
  if ((bn = calloc(1, sizeof *bn)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  bn->base.cls = &bn_class;
  bn->base.spec = *s;
  bn->base.dtype = dt;
  bn->base.in = *in;
  bn->base.out = *in;
  bn->c = in->dim[0];
  bn->s = in->ndim == 3 ? in->dim[1] * in->dim[2] : 1;
  ln_shape_set(&cshape, 1, bn->c, 0, 0);
  ln_layer_add_param(&bn->base, "gamma", &cshape, 0)->init_value = 1.0;
  ln_layer_add_param(&bn->base, "beta", &cshape, 0)->init_value = 0.0;
  ln_layer_add_state(&bn->base, "running_mean", &cshape, 0.0);
  ln_layer_add_state(&bn->base, "running_var", &cshape, 1.0);
  *out = &bn->base;
  return LN_OK;
}
