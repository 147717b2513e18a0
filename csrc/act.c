/*
** act.c: element-wise activations (sigmoid, tanh, ReLU, identity) and the
** row-wise softmax. Neither has parameters; backward works from the
** output y, which the forward pass kept.
**   x, y, dx, dy: (batch, ...) of one shape
*/
#include <stdlib.h>

#include "layer.h"
#include "parallel.h"

typedef struct act {
  ln_layer base;
  ln_act kind;
} act;

/* An element-wise pass, split among threads by ranges of elements:
** `in` is x forward and y backward, `out` is y forward and dx backward. */
typedef struct pass {
  act *a;
  const ln_tensor *in, *dy, *out;
} pass;

/* below this many values a pass is not worth splitting */
#define PER_THREAD 4096

static void forward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  int64_t i0, i1;
  ln_split(ln_numel(ps->in), part, nparts, &i0, &i1);
  ln_kern_for(ps->a->base.dtype)->act_forward(ps->a->kind, i1 - i0, ln_data_at(ps->in, i0), ln_data_at(ps->out, i0));
}

static void backward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  int64_t i0, i1;
  ln_split(ln_numel(ps->in), part, nparts, &i0, &i1);
  ln_kern_for(ps->a->base.dtype)->act_backward(ps->a->kind, i1 - i0, ln_data_at(ps->in, i0), ln_data_at(ps->dy, i0),
                                               ln_data_at(ps->out, i0));
}

static int act_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  pass ps = {(act *)l, x, NULL, y};
  (void)mode;
  ln_parallel(forward_part, &ps, ln_numel(x), PER_THREAD);
  return LN_OK;
}

static int act_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                        const ln_tensor *dx) {
  pass ps = {(act *)l, y, dy, dx};
  (void)x;
  if (dx) ln_parallel(backward_part, &ps, ln_numel(y), PER_THREAD);
  return LN_OK;
}

static int softmax_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  (void)mode;
  ln_kern_for(l->dtype)->softmax_forward(x->shape[0], ln_shape_numel(&l->in), ln_data(x), ln_data(y));
  return LN_OK;
}

static int softmax_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                            const ln_tensor *dx) {
  (void)x;
  if (dx)
    ln_kern_for(l->dtype)->softmax_backward(y->shape[0], ln_shape_numel(&l->in), ln_data(y),
                                            ln_data(dy), ln_data(dx));
  return LN_OK;
}

static const ln_layer_class act_class = {"activation", act_forward, act_backward, NULL, NULL};
static const ln_layer_class softmax_class = {"softmax", softmax_forward, softmax_backward, NULL, NULL};

static int make(ln_layer **out, const ln_layer_class *cls, const ln_layer_spec *s, ln_dtype dt,
                const ln_shape *in) {
  act *a = calloc(1, sizeof *a);
  *out = NULL;
  if (a == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  a->base.cls = cls;
  a->base.spec = *s;
  a->base.dtype = dt;
  a->base.in = *in;
  a->base.out = *in;
  a->kind = s->act;
  *out = &a->base;
  return LN_OK;
}

int ln_act_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  if (s->act < LN_ACT_SIGMOID || s->act > LN_ACT_IDENTITY) {
    *out = NULL;
    return ln_fail(LN_EARG, "unknown activation %d", (int)s->act);
  }
  return make(out, &act_class, s, dt, in);
}

/* Softmax normalises each sample's values together, whatever their shape. */
int ln_softmax_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  return make(out, &softmax_class, s, dt, in);
}
