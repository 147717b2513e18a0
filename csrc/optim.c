/*
** optim.c: the SGD step over every parameter of a network.
*/
#include <math.h>

#include "optim.h"

int ln_optim_init(ln_optim *o, const ln_net *net) {
  int64_t n = ln_numel(&net->params);
  o->velocity.storage = NULL;
  if (!(o->eta > 0) || !isfinite(o->eta)) return ln_fail(LN_EARG, "learning rate eta must be > 0, not %g", o->eta);
  if (!(o->momentum >= 0 && o->momentum < 1))
    return ln_fail(LN_EARG, "momentum must be in [0, 1), not %g", o->momentum);
  if (!(o->lambda >= 0) || !isfinite(o->lambda))
    return ln_fail(LN_EARG, "regularisation lambda must be >= 0, not %g", o->lambda);
  if (o->n < 1) return ln_fail(LN_EARG, "training set size must be positive");
  if (o->nesterov && o->momentum == 0) return ln_fail(LN_EARG, "Nesterov needs a momentum > 0");
  if (o->momentum > 0) return ln_tensor_new(&o->velocity, net->dtype, 1, &n);
  return LN_OK;
}

void ln_optim_free(ln_optim *o) {
  ln_tensor_free(&o->velocity);
}

int ln_optim_step(ln_optim *o, ln_net *net) {
  const ln_kern *k = ln_kern_for(net->dtype);
  size_t esize = ln_dtype_size(net->dtype);
  char *v = o->velocity.storage ? ln_data(&o->velocity) : NULL;
  double c = o->lambda / (double)o->n;
  int64_t off = 0;    /* parameters are laid out in order in the block */
  for (int i = 0; i < net->nlayers; i++) {
    ln_layer *l = net->layers[i];
    for (int j = 0; j < l->nparams; j++) {
      ln_param *p = &l->params[j];
      int64_t n = ln_numel(&p->value);
      k->sgd_step(n, ln_data(&p->value), ln_data(&p->grad), v ? v + (size_t)off * esize : NULL, o->eta,
                  p->decay ? o->reg : LN_REG_NONE, c, o->momentum, o->nesterov);
      off += n;
    }
  }
  return LN_OK;
}
