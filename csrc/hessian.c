/*
** hessian.c: Hessian-vector products by the R-operator.
**
** R{g} = d/dr g(w + r v) at r = 0. Applied to every quantity of a forward
** and backward pass it gives, layer by layer (each layer's rop functions):
**   forward R-pass   R{a[0]} = 0, R{a[i+1]} from R{a[i]}, a[i] and v
**   cost             the top delta is s (a - t) (quadratic, or fused
**                    sigmoid/cross-entropy and softmax/log-likelihood: dC/dz),
**                    so its R{} is s R{a}, s = 1/n
**   backward R-pass  R{delta[i]} from delta[i+1], R{delta[i+1]}, and the
**                    parameters' R{dC/dp} = (H v) accumulated over chunks.
** The plain backward pass runs first each chunk, for the deltas.
**
**   net->racts[i], net->rdeltas[i]: (chunk, shape of acts[i])   kept in the
**   network between calls: made at every call, their zeroing and fresh
**   pages took most of a product's time on small networks (2.4 ms against
**   a gradient's 0.2 for 49-60-10 on 300 images). Every R-pass writes
**   what it reads later, as the plain passes do with acts and deltas,
**   except racts[0] (R{x} = 0), which stays as calloc made it.
*/
#include <stdlib.h>
#include <string.h>

#include "hessian.h"
#include "ops.h"

typedef struct hws {
  ln_tensor *racts, *rdeltas;   /* the network's, nlayers + 1 each */
  ln_tensor *v, *hv;            /* LN_MAXPARAMS views per layer */
} hws;

static void hws_free(hws *w) {
  free(w->v);
  free(w->hv);
}

static int buffer(ln_tensor *t, ln_dtype dt, int64_t rows, const ln_shape *s) {
  int64_t shape[LN_SHAPE_MAX + 1] = {rows};
  for (int d = 0; d < s->ndim; d++) shape[d + 1] = s->dim[d];
  return ln_tensor_new(t, dt, s->ndim + 1, shape);
}

/* views of v and hv per parameter, shaped like it (ln_net_params callback) */
typedef struct viewing {
  ln_net *net;
  hws *w;
  const ln_tensor *v, *hv;
} viewing;

static ln_tensor view_at(const ln_tensor *flat, const ln_param *p, int64_t offset) {
  ln_tensor t = p->value;   /* contiguous, shaped like the parameter */
  t.storage = flat->storage;
  t.offset = flat->offset + offset;
  return t;
}

static int make_views(void *ud, int layer, ln_param *p, int64_t offset) {
  viewing *vw = ud;
  int64_t slot = (int64_t)layer * LN_MAXPARAMS + (p - vw->net->layers[layer]->params);
  vw->w->v[slot] = view_at(vw->v, p, offset);
  vw->w->hv[slot] = view_at(vw->hv, p, offset);
  return LN_OK;
}

/* The network's R-pass buffers for chunks of up to `chunk` rows. */
static int reserve_r(ln_net *net, int64_t chunk) {
  int st = LN_OK, n = net->nlayers + 1;
  if (net->racts && net->r_cap >= chunk) return LN_OK;
  ln_net_free_rbuffers(net);
  net->racts = calloc((size_t)n, sizeof *net->racts);
  net->rdeltas = calloc((size_t)n, sizeof *net->rdeltas);
  if (!net->racts || !net->rdeltas) st = ln_fail(LN_ENOMEM, "out of memory");
  for (int i = 0; i < n && st == LN_OK; i++) {
    const ln_shape *s = i == 0 ? &net->in : &net->layers[i - 1]->out;
    if ((st = buffer(&net->racts[i], net->dtype, chunk, s)) == LN_OK)
      st = buffer(&net->rdeltas[i], net->dtype, chunk, s);
  }
  if (st != LN_OK) {
    ln_net_free_rbuffers(net);
    return st;
  }
  net->r_cap = chunk;
  return LN_OK;
}

static int alloc_ws(hws *w, ln_net *net, int64_t chunk) {
  int st = reserve_r(net, chunk);
  if (st != LN_OK) return st;
  w->racts = net->racts;
  w->rdeltas = net->rdeltas;
  w->v = calloc((size_t)net->nlayers * LN_MAXPARAMS + 1, sizeof *w->v);
  w->hv = calloc((size_t)net->nlayers * LN_MAXPARAMS + 1, sizeof *w->hv);
  if (!w->v || !w->hv) return ln_fail(LN_ENOMEM, "out of memory");
  return LN_OK;
}

/* v and hv: the network's dtype, one value per parameter, in one run */
static int check_vec(const ln_net *net, const ln_tensor *t, const char *what) {
  int64_t n = ln_numel(&net->params);
  char buf[64];
  if (t->storage == NULL) return ln_fail(LN_EARG, "%s has been closed", what);
  if (t->dtype != net->dtype)
    return ln_fail(LN_EARG, "%s must be %s like the network, not %s", what, ln_dtype_name(net->dtype),
                   ln_dtype_name(t->dtype));
  if (t->ndim != 1 || t->shape[0] != n || !ln_is_contiguous(t))
    return ln_fail(LN_EARG, "%s must be a contiguous 1-d tensor of the network's %lld parameters, not %s", what,
                   (long long)n, ln_shape_str(t, buf, sizeof buf));
  return LN_OK;
}

static int check_hvp(const ln_net *net, const ln_dataset *d, const ln_tensor *v, const ln_tensor *hv) {
  int st;
  for (int i = 0; i < net->nlayers; i++) {
    const ln_layer *l = net->layers[i];
    if (!l->cls->rop_forward || !l->cls->rop_backward)
      return ln_fail(LN_EARG, "layer %d (%s) does not support Hessian-vector products (no R-operator)", i + 1,
                     ln_layer_type_name(l->spec.type));
  }
  if ((st = check_vec(net, v, "v")) != LN_OK || (st = check_vec(net, hv, "the product")) != LN_OK) return st;
  if (v->storage == hv->storage) return ln_fail(LN_EARG, "v and the product must not share storage");
  /* each chunk's backward pass writes the gradients while v is still read */
  if (v->storage == net->grads.storage)
    return ln_fail(LN_EARG, "v must not share storage with the network's gradients, which the product "
                   "overwrites (pass a copy)");
  if (hv->storage == net->params.storage || hv->storage == net->grads.storage)
    return ln_fail(LN_EARG, "the product must not share storage with the network's parameters or gradients");
  return ln_objective_check(net, d);
}

static int r_forward(ln_net *net, hws *w, int64_t m) {
  for (int i = 0; i < net->nlayers; i++) {
    ln_layer *l = net->layers[i];
    ln_rop r = {.rx_zero = i == 0, .x = ln_rows(&net->acts[i], m), .y = ln_rows(&net->acts[i + 1], m),
                .rx = ln_rows(&w->racts[i], m), .ry = ln_rows(&w->racts[i + 1], m),
                .v = &w->v[(size_t)i * LN_MAXPARAMS], .hv = &w->hv[(size_t)i * LN_MAXPARAMS]};
    int st = l->cls->rop_forward(l, &r);
    if (st != LN_OK) return st;
  }
  return LN_OK;
}

/* layers top..0; rdeltas[top + 1] holds R{dC/d acts[top + 1]} */
static int r_backward(ln_net *net, hws *w, int64_t m, int top) {
  for (int i = top; i >= 0; i--) {
    ln_layer *l = net->layers[i];
    ln_tensor rdx = ln_rows(&w->rdeltas[i], m);
    ln_rop r = {.rx_zero = i == 0, .x = ln_rows(&net->acts[i], m), .y = ln_rows(&net->acts[i + 1], m),
                .rx = ln_rows(&w->racts[i], m), .ry = ln_rows(&w->racts[i + 1], m),
                .dy = ln_rows(&net->deltas[i + 1], m), .rdy = ln_rows(&w->rdeltas[i + 1], m),
                .rdx = i > 0 ? &rdx : NULL,
                .v = &w->v[(size_t)i * LN_MAXPARAMS], .hv = &w->hv[(size_t)i * LN_MAXPARAMS]};
    int st = l->cls->rop_backward(l, &r);
    if (st != LN_OK) return st;
  }
  return LN_OK;
}

/* One chunk of m samples: forward, R-forward, top delta and its R{},
** backward, R-backward. */
static int chunk_hvp(ln_net *net, hws *w, int64_t m, double scale) {
  const ln_kern *k = ln_kern_for(net->dtype);
  ln_mode mode = {0};
  int st, top;
  if ((st = ln_net_forward(net, m, &mode)) != LN_OK || (st = r_forward(net, w, m)) != LN_OK) return st;
  ln_net_cost_delta(net, m, scale, &top);
  /* the top delta is scale (a - t) with a the network's output (fused or
  ** quadratic), whose shape the last layers keep */
  ln_tensor out = ln_rows(&w->racts[net->nlayers], m), rtop = ln_rows(&w->rdeltas[top + 1], m);
  memcpy(ln_data(&rtop), ln_data(&out), ln_nbytes(&out));
  k->scal(ln_numel(&rtop), scale, ln_data(&rtop));
  if ((st = ln_net_backward(net, m, top, 0)) != LN_OK) return st;
  return r_backward(net, w, m, top);
}

int ln_hvp(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, const ln_tensor *v,
           const ln_tensor *hv) {
  int64_t chunk = d->n < LN_EVAL_CHUNK ? d->n : LN_EVAL_CHUNK;
  hws w = {0};
  int st;
  if ((st = check_hvp(net, d, v, hv)) != LN_OK || (st = ln_penalty_check(net, d, reg, lambda)) != LN_OK) return st;
  if ((st = ln_net_reserve(net, chunk)) != LN_OK) return st;
  if ((st = alloc_ws(&w, net, chunk)) != LN_OK) {
    hws_free(&w);
    return st;
  }
  viewing vw = {net, &w, v, hv};
  ln_net_params(net, make_views, &vw);
  memset(ln_data(hv), 0, ln_nbytes(hv));
  for (int64_t start = 0; start < d->n && st == LN_OK; start += chunk) {
    int64_t m = d->n - start < chunk ? d->n - start : chunk;
    for (int64_t i = 0; i < m; i++) net->index[i] = start + i;
    ln_gather(net, d, net->index, m);
    st = chunk_hvp(net, &w, m, 1.0 / (double)d->n);
  }
  hws_free(&w);
  ln_net_zero_grad(net);
  if (st != LN_OK) return st;
  /* (lambda/2n)|w|^2 over the decayed runs has Hessian (lambda/n) I there */
  const ln_kern *k = ln_kern_for(net->dtype);
  size_t esize = ln_dtype_size(net->dtype);
  for (int i = 0; reg == LN_REG_L2 && i < net->nsegs; i++) {
    const ln_segment *sg = &net->segs[i];
    if (sg->decay)
      k->axpy(sg->length, lambda / (double)d->n, (const char *)ln_data(v) + (size_t)sg->offset * esize,
              (char *)ln_data(hv) + (size_t)sg->offset * esize);
  }
  return LN_OK;
}
