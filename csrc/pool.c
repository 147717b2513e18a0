/*
** pool.c: max, average and L2 pooling (the square root of the sum of
** squares) over k x k windows every `stride` pixels, map by map.
**   x: (batch, c, h, w)  y: (batch, c, h_out, w_out), h_out = (h - k) / stride + 1
*/
#include <stdlib.h>

#include "layer.h"
#include "parallel.h"

typedef struct pool {
  ln_layer base;
  ln_poolgeom g;
  int32_t *arg;          /* max pooling: where each maximum came from */
  int64_t arg_cap;
} pool;

/* One pass over the maps of a batch, split among threads by maps. */
typedef struct pass {
  pool *p;
  int64_t maps;
  const ln_tensor *x, *y, *dy, *dx;
} pass;

/* A part's maps [m0, m1): where their inputs and outputs begin. */
typedef struct range {
  int64_t m0, m1;
  int64_t in, out;      /* element offsets into x (and dx), y (and dy) */
  int32_t *arg;         /* their argmax positions */
} range;

static range range_of(const pass *ps, int part, int nparts) {
  const pool *p = ps->p;
  int64_t in = (int64_t)p->g.h_in * p->g.w_in, out = (int64_t)p->g.h_out * p->g.w_out;
  range r;
  ln_split(ps->maps, part, nparts, &r.m0, &r.m1);
  r.in = r.m0 * in;
  r.out = r.m0 * out;
  r.arg = p->arg + r.m0 * out;
  return r;
}

static void forward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  range r = range_of(ps, part, nparts);
  const pool *p = ps->p;
  ln_kern_for(p->base.dtype)->pool_forward(p->base.spec.pool, &p->g, r.m1 - r.m0, ln_data_at(ps->x, r.in),
                                           ln_data_at(ps->y, r.out), r.arg);
}

static void backward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  range r = range_of(ps, part, nparts);
  const pool *p = ps->p;
  ln_kern_for(p->base.dtype)->pool_backward(p->base.spec.pool, &p->g, r.m1 - r.m0, ln_data_at(ps->x, r.in),
                                            ln_data_at(ps->y, r.out), ln_data_at(ps->dy, r.out), r.arg,
                                            ln_data_at(ps->dx, r.in));
}

/* below this many input values a pass is not worth splitting */
#define PER_THREAD 4096

static int pool_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  pool *p = (pool *)l;
  pass ps = {p, x->shape[0] * p->g.c, x, y, NULL, NULL};
  (void)mode;
  ln_parallel(forward_part, &ps, ln_numel(x), PER_THREAD);
  return LN_OK;
}

static int pool_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                         const ln_tensor *dx) {
  pool *p = (pool *)l;
  pass ps = {p, x->shape[0] * p->g.c, x, y, dy, dx};
  if (dx) ln_parallel(backward_part, &ps, ln_numel(x), PER_THREAD);
  return LN_OK;
}

static int pool_reserve(ln_layer *l, int64_t batch) {
  pool *p = (pool *)l;
  int64_t n;
  size_t bytes;
  if (!ln_mul_i64(batch, (int64_t)p->g.c * p->g.h_out * p->g.w_out, &n) ||
      !ln_mul_size((size_t)n, sizeof *p->arg, &bytes))
    return ln_fail(LN_EARG, "mini-batch of %lld is too large for this pooling", (long long)batch);
  if (n <= p->arg_cap) return LN_OK;
  int32_t *arg = realloc(p->arg, bytes);
  if (arg == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  p->arg = arg;
  p->arg_cap = n;
  return LN_OK;
}

static void pool_destroy(ln_layer *l) {
  free(((pool *)l)->arg);
}

/* ---- the R-operator (hessian.c) ------------------------------------------
** Max and average pooling are linear in x once the maxima are chosen (a.e.):
** R{y} takes R{x} at the last forward's maxima (max) or averages R{x}
** (avg), and R{dx} is the backward pass applied to R{dy}, which routes
** through the same maxima. L2 pooling has no R-operator here. */
static int no_rop(void) {
  return ln_fail(LN_EARG, "L2 pooling does not support Hessian-vector products (no R-operator); max and "
                 "average pooling do");
}

#define GATHER_AT(real)                                                                                  \
  do {                                                                                                   \
    const real *rx = ln_data(&r->rx);                                                                    \
    real *ry = ln_data(&r->ry);                                                                          \
    for (int64_t m = 0; m < maps; m++)                                                                   \
      for (int64_t o = 0; o < out; o++) ry[m * out + o] = rx[m * in + p->arg[m * out + o]];             \
  } while (0)

static int pool_rop_forward(ln_layer *l, const ln_rop *r) {
  pool *p = (pool *)l;
  int64_t maps = r->x.shape[0] * p->g.c, in = (int64_t)p->g.h_in * p->g.w_in, out = (int64_t)p->g.h_out * p->g.w_out;
  if (l->spec.pool == LN_POOL_L2) return no_rop();
  if (l->spec.pool == LN_POOL_AVG) return pool_forward(l, &r->rx, &r->ry, NULL);
  if (l->dtype == LN_F64)
    GATHER_AT(double);
  else
    GATHER_AT(float);
  return LN_OK;
}

static int pool_rop_backward(ln_layer *l, const ln_rop *r) {
  if (l->spec.pool == LN_POOL_L2) return no_rop();
  return r->rdx ? pool_backward(l, &r->x, &r->y, &r->rdy, r->rdx) : LN_OK;
}

static const ln_layer_class pool_class = {"pool2d", pool_forward, pool_backward, pool_reserve, pool_destroy,
                                          pool_rop_forward, pool_rop_backward};

int ln_pool_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  pool *p;
  int64_t stride = s->stride > 0 ? s->stride : s->kernel;
  *out = NULL;
  if (in->ndim != 3)
    return ln_fail(LN_EARG, "pooling takes images (channels, height, width); the input has %d "
                   "dimensions per sample", in->ndim);
  if (s->pool < LN_POOL_MAX || s->pool > LN_POOL_L2) return ln_fail(LN_EARG, "unknown pooling %d", (int)s->pool);
  if (stride < 1 || stride > LN_SAMPLE_MAX)   /* the geometry is int: 2^32 would become 0 */
    return ln_fail(LN_EARG, "pooling stride must be 1..%d, not %lld", LN_SAMPLE_MAX, (long long)stride);
  if (s->kernel < 1 || s->kernel > in->dim[1] || s->kernel > in->dim[2])
    return ln_fail(LN_EARG, "a %lldx%lld pooling window does not fit %lldx%lld maps", (long long)s->kernel,
                   (long long)s->kernel, (long long)in->dim[1], (long long)in->dim[2]);
  if ((p = calloc(1, sizeof *p)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  p->base.cls = &pool_class;
  p->base.spec = *s;
  p->base.spec.stride = stride;
  p->base.dtype = dt;
  p->base.in = *in;
  p->g.c = (int)in->dim[0], p->g.h_in = (int)in->dim[1], p->g.w_in = (int)in->dim[2];
  p->g.k = (int)s->kernel, p->g.stride = (int)stride;
  p->g.h_out = (p->g.h_in - p->g.k) / p->g.stride + 1;
  p->g.w_out = (p->g.w_in - p->g.k) / p->g.stride + 1;
  ln_shape_set(&p->base.out, 3, p->g.c, p->g.h_out, p->g.w_out);
  *out = &p->base;
  return LN_OK;
}
