/*
** reshape.c: gives each sample a new shape with the same number of values,
** e.g. (784) -> (1, 28, 28) before a convolution, or (40, 4, 4) -> (640)
** before a fully connected layer. The values do not move.
*/
#include <stdlib.h>
#include <string.h>

#include "layer.h"

static int reshape_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  (void)l, (void)mode;
  memcpy(ln_data(y), ln_data(x), ln_nbytes(x));
  return LN_OK;
}

static int reshape_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                            const ln_tensor *dx) {
  (void)l, (void)x, (void)y;
  if (dx) memcpy(ln_data(dx), ln_data(dy), ln_nbytes(dy));
  return LN_OK;
}

/* The values do not move, so neither do their R{}. */
static int reshape_rop_forward(ln_layer *l, const ln_rop *r) {
  (void)l;
  memcpy(ln_data(&r->ry), ln_data(&r->rx), ln_nbytes(&r->rx));
  return LN_OK;
}

static int reshape_rop_backward(ln_layer *l, const ln_rop *r) {
  (void)l;
  if (r->rdx) memcpy(ln_data(r->rdx), ln_data(&r->rdy), ln_nbytes(&r->rdy));
  return LN_OK;
}

static const ln_layer_class reshape_class = {"reshape", reshape_forward, reshape_backward, NULL, NULL,
                                             reshape_rop_forward, reshape_rop_backward};

int ln_reshape_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  ln_layer *l;
  ln_shape shape = {s->shape_ndim, {0}};
  *out = NULL;
  if (s->shape_ndim < 1 || s->shape_ndim > 3)
    return ln_fail(LN_EARG, "reshape takes 1 to 3 sizes per sample, not %d", s->shape_ndim);
  for (int i = 0; i < s->shape_ndim; i++) {
    if (s->shape[i] < 1) return ln_fail(LN_EARG, "reshape sizes must be positive");
    shape.dim[i] = s->shape[i];
  }
  if (ln_shape_check(&shape, "the new shape") != LN_OK) return LN_EARG;
  if (ln_shape_numel(&shape) != ln_shape_numel(in))
    return ln_fail(LN_EARG, "cannot reshape %lld values per sample into %lld",
                   (long long)ln_shape_numel(in), (long long)ln_shape_numel(&shape));
  if ((l = calloc(1, sizeof *l)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  l->cls = &reshape_class;
  l->spec = *s;
  l->dtype = dt;
  l->in = *in;
  l->out = shape;
  *out = l;
  return LN_OK;
}
