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

/* ---- the R-operator (hessian.c) ------------------------------------------
** Element-wise y = f(x): R{y} = f'(x) R{x}, and dx = f'(x) dy gives
** R{dx} = f'(x) R{dy} + f''(x) R{x} dy, where f''(x) R{x} = g(y) R{y} with
** g = 1 - 2y (sigmoid), -2y (tanh), 0 (ReLU a.e., identity).
** Softmax, per row: R{y} = y (R{x} - <y, R{x}>), and dx = y (dy - <y, dy>)
** gives R{dx} = R{y} (dy - <y, dy>) + y (R{dy} - <R{y}, dy> - <y, R{dy}>).
** One body per element type. */
#define ROP_KERNELS(real, sfx)                                                                             \
  static real slope_##sfx(ln_act kind, real y) {                                                           \
    switch (kind) {                                                                                        \
      case LN_ACT_SIGMOID: return y * (1 - y);                                                             \
      case LN_ACT_TANH: return 1 - y * y;                                                                  \
      case LN_ACT_RELU: return y > 0 ? 1 : 0;                                                              \
      case LN_ACT_STEP: return 0;                                                                          \
      default: return 1;                                                                                   \
    }                                                                                                      \
  }                                                                                                        \
  static real curve_##sfx(ln_act kind, real y) {                                                           \
    return kind == LN_ACT_SIGMOID ? 1 - 2 * y : kind == LN_ACT_TANH ? -2 * y : 0;                          \
  }                                                                                                        \
  static void act_rop_fwd_##sfx(ln_act kind, int64_t n, const real *y, const real *rx, real *ry) {        \
    for (int64_t i = 0; i < n; i++) ry[i] = slope_##sfx(kind, y[i]) * rx[i];                              \
  }                                                                                                        \
  static void act_rop_bwd_##sfx(ln_act kind, int64_t n, const real *y, const real *ry, const real *dy,     \
                                const real *rdy, real *rdx) {                                              \
    for (int64_t i = 0; i < n; i++)                                                                        \
      rdx[i] = slope_##sfx(kind, y[i]) * rdy[i] + curve_##sfx(kind, y[i]) * ry[i] * dy[i];                 \
  }                                                                                                        \
  static void sm_rop_fwd_##sfx(int64_t batch, int64_t n, const real *y, const real *rx, real *ry) {       \
    for (int64_t b = 0; b < batch; b++, y += n, rx += n, ry += n) {                                        \
      double s = 0;                                                                                        \
      for (int64_t j = 0; j < n; j++) s += (double)y[j] * rx[j];                                           \
      for (int64_t j = 0; j < n; j++) ry[j] = (real)(y[j] * (rx[j] - s));                                  \
    }                                                                                                      \
  }                                                                                                        \
  static void sm_rop_bwd_##sfx(int64_t batch, int64_t n, const real *y, const real *ry, const real *dy,    \
                               const real *rdy, real *rdx) {                                               \
    for (int64_t b = 0; b < batch; b++, y += n, ry += n, dy += n, rdy += n, rdx += n) {                    \
      double a = 0, c = 0;                                                                                 \
      for (int64_t j = 0; j < n; j++) {                                                                    \
        a += (double)y[j] * dy[j];                                                                         \
        c += (double)ry[j] * dy[j] + (double)y[j] * rdy[j];                                                \
      }                                                                                                    \
      for (int64_t j = 0; j < n; j++) rdx[j] = (real)(ry[j] * (dy[j] - a) + y[j] * (rdy[j] - c));          \
    }                                                                                                      \
  }

ROP_KERNELS(float, f32)
ROP_KERNELS(double, f64)

static int act_rop_forward(ln_layer *l, const ln_rop *r) {
  ln_act kind = ((act *)l)->kind;
  int64_t n = ln_numel(&r->y);
  if (l->dtype == LN_F64)
    act_rop_fwd_f64(kind, n, ln_data(&r->y), ln_data(&r->rx), ln_data(&r->ry));
  else
    act_rop_fwd_f32(kind, n, ln_data(&r->y), ln_data(&r->rx), ln_data(&r->ry));
  return LN_OK;
}

static int act_rop_backward(ln_layer *l, const ln_rop *r) {
  ln_act kind = ((act *)l)->kind;
  int64_t n = ln_numel(&r->y);
  if (r->rdx == NULL) return LN_OK;
  if (l->dtype == LN_F64)
    act_rop_bwd_f64(kind, n, ln_data(&r->y), ln_data(&r->ry), ln_data(&r->dy), ln_data(&r->rdy),
                    ln_data(r->rdx));
  else
    act_rop_bwd_f32(kind, n, ln_data(&r->y), ln_data(&r->ry), ln_data(&r->dy), ln_data(&r->rdy),
                    ln_data(r->rdx));
  return LN_OK;
}

static int softmax_rop_forward(ln_layer *l, const ln_rop *r) {
  int64_t batch = r->y.shape[0], n = ln_shape_numel(&l->in);
  if (l->dtype == LN_F64)
    sm_rop_fwd_f64(batch, n, ln_data(&r->y), ln_data(&r->rx), ln_data(&r->ry));
  else
    sm_rop_fwd_f32(batch, n, ln_data(&r->y), ln_data(&r->rx), ln_data(&r->ry));
  return LN_OK;
}

static int softmax_rop_backward(ln_layer *l, const ln_rop *r) {
  int64_t batch = r->y.shape[0], n = ln_shape_numel(&l->in);
  if (r->rdx == NULL) return LN_OK;
  if (l->dtype == LN_F64)
    sm_rop_bwd_f64(batch, n, ln_data(&r->y), ln_data(&r->ry), ln_data(&r->dy), ln_data(&r->rdy),
                   ln_data(r->rdx));
  else
    sm_rop_bwd_f32(batch, n, ln_data(&r->y), ln_data(&r->ry), ln_data(&r->dy), ln_data(&r->rdy),
                   ln_data(r->rdx));
  return LN_OK;
}

static const ln_layer_class act_class = {"activation", act_forward, act_backward, NULL, NULL,
                                         act_rop_forward, act_rop_backward};
static const ln_layer_class softmax_class = {"softmax", softmax_forward, softmax_backward, NULL, NULL,
                                             softmax_rop_forward, softmax_rop_backward};

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
  if (s->act < LN_ACT_SIGMOID || s->act > LN_ACT_STEP) {
    *out = NULL;
    return ln_fail(LN_EARG, "unknown activation %d", (int)s->act);
  }
  return make(out, &act_class, s, dt, in);
}

/* Softmax normalises each sample's values together, whatever their shape. */
int ln_softmax_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  return make(out, &softmax_class, s, dt, in);
}
