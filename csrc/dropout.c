/*
** dropout.c: drops each value with probability p during training.
**
** Inverted dropout: kept values are scaled by 1/(1-p) while training and
** evaluation is the identity, so the expected training output equals the
** evaluation output. (The book's network3 instead scales the weights by
** 1-p at evaluation; the two agree in expectation.)
**   x, y, dy, dx, mask: (batch, n)
*/
#include <stdlib.h>
#include <string.h>

#include "layer.h"
#include "ops.h"

typedef struct dropout {
  ln_layer base;
  ln_tensor mask;      /* (batch_cap, n): 0 or 1/(1-p) per value */
  int train;           /* mode of the last forward: backward must match it */
} dropout;

static int dropout_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  dropout *d = (dropout *)l;
  int64_t n = ln_numel(x);
  d->train = mode->train && l->spec.p > 0;
  if (!d->train) {
    if (ln_data(y) != ln_data(x)) memcpy(ln_data(y), ln_data(x), ln_nbytes(x));
    return LN_OK;
  }
  ln_kern_for(l->dtype)->dropout_forward(mode->rng, n, l->spec.p, ln_data(x), ln_data(y), ln_data(&d->mask),
                                         mode->reuse_masks);
  return LN_OK;
}

static int dropout_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                            const ln_tensor *dx) {
  dropout *d = (dropout *)l;
  (void)x, (void)y;
  if (dx == NULL) return LN_OK;
  if (!d->train) {
    memcpy(ln_data(dx), ln_data(dy), ln_nbytes(dy));
    return LN_OK;
  }
  ln_tensor mask = *dy;   /* the mask's first rows, shaped like dy */
  mask.storage = d->mask.storage;
  mask.offset = d->mask.offset;
  return ln_zip(dx, dy, &mask, LN_MUL);
}

static int dropout_reserve(ln_layer *l, int64_t batch) {
  return ln_workspace(&((dropout *)l)->mask, l->dtype, batch, ln_shape_numel(&l->in));
}

static void dropout_destroy(ln_layer *l) {
  ln_tensor_free(&((dropout *)l)->mask);
}

/* The R-operator runs in evaluation mode, where dropout is the identity:
** R{y} = R{x} and R{dx} = R{dy}. */
static int dropout_rop_forward(ln_layer *l, const ln_rop *r) {
  (void)l;
  memcpy(ln_data(&r->ry), ln_data(&r->rx), ln_nbytes(&r->rx));
  return LN_OK;
}

static int dropout_rop_backward(ln_layer *l, const ln_rop *r) {
  (void)l;
  if (r->rdx) memcpy(ln_data(r->rdx), ln_data(&r->rdy), ln_nbytes(&r->rdy));
  return LN_OK;
}

static const ln_layer_class dropout_class = {"dropout", dropout_forward, dropout_backward,
                                             dropout_reserve, dropout_destroy,
                                             dropout_rop_forward, dropout_rop_backward};

int ln_dropout_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  dropout *d;
  *out = NULL;
  if (!(s->p >= 0 && s->p < 1)) return ln_fail(LN_EARG, "dropout probability must be in [0, 1), not %g", s->p);
  if ((d = calloc(1, sizeof *d)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  d->base.cls = &dropout_class;
  d->base.spec = *s;
  d->base.dtype = dt;
  d->base.in = *in;
  d->base.out = *in;
  *out = &d->base;
  return LN_OK;
}
