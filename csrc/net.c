/*
** net.c: building a network, its blocks and buffers; forward and backward
** through the layers.
*/
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "ops.h"
#include "profile.h"

int ln_net_new(ln_net **out, ln_dtype dt, const ln_shape *in) {
  ln_net *net;
  int st;
  *out = NULL;
  if (in->ndim < 1 || in->ndim > 3)
    return ln_fail(LN_EARG, "a network's input is 1 to 3 positive sizes per sample");
  if ((st = ln_shape_check(in, "a network's input")) != LN_OK) return st;
  if ((net = calloc(1, sizeof *net)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  static uint64_t next_id;           /* ids tie optimizers to their network */
  net->id = ++next_id;
  net->dtype = dt;
  net->in = *in;
  *out = net;
  return LN_OK;
}

const ln_shape *ln_net_out_shape(const ln_net *net) {
  return net->nlayers ? &net->layers[net->nlayers - 1]->out : &net->in;
}

int64_t ln_net_out_numel(const ln_net *net) {
  return ln_shape_numel(ln_net_out_shape(net));
}

int ln_net_add(ln_net *net, const ln_layer_spec *spec) {
  ln_layer *l;
  int st;
  if (net->finished) return ln_fail(LN_EARG, "cannot add layers to a finished network");
  if (net->nlayers == net->cap_layers) {
    int cap = net->cap_layers ? 2 * net->cap_layers : 8;
    ln_layer **grown = realloc(net->layers, (size_t)cap * sizeof *grown);
    if (grown == NULL) return ln_fail(LN_ENOMEM, "out of memory");
    net->layers = grown;
    net->cap_layers = cap;
  }
  if ((st = ln_layer_new(&l, spec, net->dtype, ln_net_out_shape(net))) != LN_OK)
    return ln_fail_in(st, "layer %d (%s)", net->nlayers + 1, ln_layer_type_name(spec->type));
  net->layers[net->nlayers++] = l;
  return LN_OK;
}

/* ---- the parameter blocks ------------------------------------------- */

/* p's value (and gradient, when grads is given) become views at `offset`. */
static int place(ln_param *p, const ln_tensor *values, const ln_tensor *grads, int64_t offset) {
  int64_t n = ln_shape_numel(&p->shape);
  int st = ln_narrow(&p->value, values, 0, offset, n);
  if (st == LN_OK && grads) st = ln_narrow(&p->grad, grads, 0, offset, n);
  if (st != LN_OK) return st;
  int64_t stride = 1;
  p->value.ndim = p->grad.ndim = p->shape.ndim;
  for (int d = p->shape.ndim - 1; d >= 0; d--) {
    p->value.shape[d] = p->grad.shape[d] = p->shape.dim[d];
    p->value.stride[d] = p->grad.stride[d] = stride;
    stride *= p->shape.dim[d];
  }
  return LN_OK;
}

/* Adds the values of n parameters to *total; 0 when the sum overflows
** (each count fits: ln_layer_new checked them). */
static int count(ln_param *ps, int n, int64_t *total) {
  for (int i = 0; i < n; i++)
    if (!ln_add_i64(*total, ln_shape_numel(&ps[i].shape), total)) return 0;
  return 1;
}

static int initialise(ln_param *p, ln_rng *r) {
  if (p->init_std > 0) return ln_rand_normal(&p->value, r, 0.0, p->init_std);
  return ln_fill(&p->value, p->init_value);
}

int ln_net_params(ln_net *net, ln_param_fn fn, void *ud) {
  int64_t off = 0;
  for (int i = 0; i < net->nlayers; i++) {
    ln_layer *l = net->layers[i];
    for (int j = 0; j < l->nparams; j++) {
      int st = fn(ud, i, &l->params[j], off);
      if (st != LN_OK) return st;
      off += ln_shape_numel(&l->params[j].shape);
    }
  }
  return LN_OK;
}

/* ln_net_params callbacks of ln_net_finish: r is the generator; the
** second pass appends each parameter to the decay mask. */
typedef struct finishing {
  ln_net *net;
  ln_rng *r;
} finishing;

static int place_param(void *ud, int layer, ln_param *p, int64_t offset) {
  finishing *f = ud;
  int st = place(p, &f->net->params, &f->net->grads, offset);
  (void)layer;
  return st == LN_OK ? initialise(p, f->r) : st;
}

static int add_segment(void *ud, int layer, ln_param *p, int64_t offset) {
  ln_net *net = ((finishing *)ud)->net;
  int64_t n = ln_shape_numel(&p->shape);
  ln_segment *last = net->nsegs ? &net->segs[net->nsegs - 1] : NULL;
  (void)layer;
  if (n == 0) return LN_OK;
  if (last && last->decay == (p->decay != 0)) {
    last->length += n;
  } else {
    net->segs[net->nsegs++] = (ln_segment){offset, n, p->decay != 0};
  }
  return LN_OK;
}

int ln_net_finish(ln_net *net, ln_rng *r) {
  int64_t np = 0, ns = 0, so = 0;
  int st, nparams = 0;
  finishing f = {net, r};
  if (net->finished) return LN_OK;
  if (net->nlayers == 0) return ln_fail(LN_EARG, "a network needs at least one layer");
  for (int i = 0; i < net->nlayers; i++) {
    if (!count(net->layers[i]->params, net->layers[i]->nparams, &np) ||
        !count(net->layers[i]->state, net->layers[i]->nstate, &ns))
      return ln_fail(LN_EARG, "the network has too many parameters");
    nparams += net->layers[i]->nparams;
  }
  if ((st = ln_tensor_new(&net->params, net->dtype, 1, &np)) != LN_OK ||
      (st = ln_tensor_new(&net->grads, net->dtype, 1, &np)) != LN_OK ||
      (st = ln_tensor_new(&net->state, net->dtype, 1, &ns)) != LN_OK)
    return st;
  if ((net->segs = calloc((size_t)nparams + 1, sizeof *net->segs)) == NULL)
    return ln_fail(LN_ENOMEM, "out of memory");
  if ((st = ln_net_params(net, place_param, &f)) != LN_OK || (st = ln_net_params(net, add_segment, &f)) != LN_OK)
    return st;
  for (int i = 0; i < net->nlayers; i++) {
    ln_layer *l = net->layers[i];
    for (int j = 0; j < l->nstate; j++) {
      if ((st = place(&l->state[j], &net->state, NULL, so)) != LN_OK ||
          (st = initialise(&l->state[j], r)) != LN_OK)
        return st;
      so += ln_shape_numel(&l->state[j].shape);
    }
  }
  net->finished = 1;
  return LN_OK;
}

double ln_net_penalty(const ln_net *net, ln_reg reg, double c, double sum) {
  const ln_kern *k = ln_kern_for(net->dtype);
  size_t esize = ln_dtype_size(net->dtype);
  const char *w = ln_numel(&net->params) ? ln_data(&net->params) : NULL;
  for (int i = 0; i < net->nsegs; i++) {
    const ln_segment *sg = &net->segs[i];
    if (sg->decay) sum += k->reg_penalty(reg, sg->length, c, w + (size_t)sg->offset * esize);
  }
  return sum;
}

void ln_net_penalty_grad(ln_net *net, ln_reg reg, double c) {
  const ln_kern *k = ln_kern_for(net->dtype);
  size_t esize = ln_dtype_size(net->dtype);
  char *w = ln_numel(&net->params) ? ln_data(&net->params) : NULL;
  char *g = ln_numel(&net->grads) ? ln_data(&net->grads) : NULL;
  for (int i = 0; i < net->nsegs; i++) {
    const ln_segment *sg = &net->segs[i];
    if (sg->decay) k->reg_grad(reg, sg->length, c, w + (size_t)sg->offset * esize, g + (size_t)sg->offset * esize);
  }
}

void ln_net_free_rbuffers(ln_net *net) {
  for (int i = 0; i <= net->nlayers; i++) {
    if (net->racts) ln_tensor_free(&net->racts[i]);
    if (net->rdeltas) ln_tensor_free(&net->rdeltas[i]);
  }
  free(net->racts);
  free(net->rdeltas);
  net->racts = net->rdeltas = NULL;
  net->r_cap = 0;
}

static void free_buffers(ln_net *net) {
  for (int i = 0; net->acts && i <= net->nlayers; i++) {
    ln_tensor_free(&net->acts[i]);
    ln_tensor_free(&net->deltas[i]);
  }
  free(net->acts);
  free(net->deltas);
  free(net->index);
  ln_tensor_free(&net->targets);
  net->acts = net->deltas = NULL;
  net->index = NULL;
  net->batch_cap = 0;
}

void ln_net_free(ln_net *net) {
  if (net == NULL) return;
  free_buffers(net);
  ln_net_free_rbuffers(net);
  for (int i = 0; i < net->nlayers; i++) ln_layer_free(net->layers[i]);
  free(net->layers);
  ln_tensor_free(&net->params);
  ln_tensor_free(&net->grads);
  ln_tensor_free(&net->state);
  free(net->segs);
  free(net);
}

int ln_net_clone(ln_net **out, const ln_net *src, ln_dtype dt) {
  ln_net *net;
  ln_rng unused;
  int st = ln_net_new(&net, dt, &src->in);
  if (st != LN_OK) return st;
  ln_rng_seed(&unused, 0);
  for (int i = 0; i < src->nlayers && st == LN_OK; i++) st = ln_net_add(net, &src->layers[i]->spec);
  if (st == LN_OK) st = ln_net_finish(net, &unused);
  if (st == LN_OK) st = ln_copy(&net->params, &src->params);
  if (st == LN_OK) st = ln_copy(&net->state, &src->state);
  if (st == LN_OK) st = ln_copy(&net->grads, &src->grads);
  net->has_cost = src->has_cost;
  net->cost = src->cost;
  if (st != LN_OK) {
    ln_net_free(net);
    return st;
  }
  *out = net;
  return LN_OK;
}

/* ---- costs -------------------------------------------------------------- */

const char *ln_cost_name(ln_costkind cost) {
  switch (cost) {
    case LN_COST_QUADRATIC: return "quadratic";
    case LN_COST_CROSS_ENTROPY: return "cross_entropy";
    case LN_COST_LOG_LIKELIHOOD: return "log_likelihood";
  }
  return "unknown";
}

static int last_is(const ln_net *net, ln_layer_type type, int act) {
  const ln_layer *l = net->nlayers ? net->layers[net->nlayers - 1] : NULL;
  return l && l->spec.type == type && (act < 0 || (int)l->spec.act == act);
}

int ln_net_set_cost(ln_net *net, ln_costkind cost) {
  if (cost == LN_COST_CROSS_ENTROPY && !last_is(net, LN_LAYER_ACT, LN_ACT_SIGMOID))
    return ln_fail(LN_EARG, "the cross-entropy cost needs sigmoid outputs: end the network with a Sigmoid layer");
  if (cost == LN_COST_LOG_LIKELIHOOD && !last_is(net, LN_LAYER_SOFTMAX, -1))
    return ln_fail(LN_EARG, "the log-likelihood cost needs softmax outputs: end the network with a Softmax layer");
  if (cost < LN_COST_QUADRATIC || cost > LN_COST_LOG_LIKELIHOOD)
    return ln_fail(LN_EARG, "unknown cost %d", (int)cost);
  net->has_cost = 1;
  net->cost = cost;
  return LN_OK;
}

/* ---- buffers ------------------------------------------------------------ */

static int batch_buffer(ln_tensor *t, ln_dtype dt, int64_t batch, const ln_shape *s) {
  int64_t shape[LN_SHAPE_MAX + 1] = {batch};
  for (int d = 0; d < s->ndim; d++) shape[d + 1] = s->dim[d];
  return ln_tensor_new(t, dt, s->ndim + 1, shape);
}

int ln_net_reserve(ln_net *net, int64_t batch) {
  int st = LN_OK;
  int64_t tshape[2] = {batch, ln_net_out_numel(net)};
  if (!net->finished) return ln_fail(LN_EARG, "network is not finished");
  if (batch < 1) return ln_fail(LN_EARG, "mini-batch size must be at least 1, not %lld", (long long)batch);
  /* layers pass the batch to BLAS as an int; the buffers' sizes (batch
  ** times a sample) are checked when they are made */
  if (batch > INT32_MAX)
    return ln_fail(LN_EARG, "mini-batch size %lld is too large (at most %d)", (long long)batch, INT32_MAX);
  if (batch <= net->batch_cap) return LN_OK;
  free_buffers(net);
  net->acts = calloc((size_t)net->nlayers + 1, sizeof *net->acts);
  net->deltas = calloc((size_t)net->nlayers + 1, sizeof *net->deltas);
  net->index = calloc((size_t)batch, sizeof *net->index);
  if (!net->acts || !net->deltas || !net->index) st = ln_fail(LN_ENOMEM, "out of memory");
  for (int i = 0; i <= net->nlayers && st == LN_OK; i++) {
    const ln_shape *s = i == 0 ? &net->in : &net->layers[i - 1]->out;
    if ((st = batch_buffer(&net->acts[i], net->dtype, batch, s)) == LN_OK)
      st = batch_buffer(&net->deltas[i], net->dtype, batch, s);
  }
  if (st == LN_OK) st = ln_tensor_new(&net->targets, net->dtype, 2, tshape);
  for (int i = 0; i < net->nlayers && st == LN_OK; i++)
    if (net->layers[i]->cls->reserve) st = net->layers[i]->cls->reserve(net->layers[i], batch);
  if (st != LN_OK) {
    free_buffers(net);
    return st;
  }
  net->batch_cap = batch;
  return LN_OK;
}

ln_tensor ln_rows(const ln_tensor *t, int64_t rows) {
  ln_tensor r = *t;
  r.shape[0] = rows;
  return r;
}

/* ---- passes ------------------------------------------------------------- */

int ln_net_forward(ln_net *net, int64_t batch, const ln_mode *mode) {
  if (batch < 1 || batch > net->batch_cap)
    return ln_fail(LN_EARG, "batch of %lld rows does not fit the reserved %lld", (long long)batch,
                   (long long)net->batch_cap);
  for (int i = 0; i < net->nlayers; i++) {
    ln_layer *l = net->layers[i];
    ln_tensor x = ln_rows(&net->acts[i], batch), y = ln_rows(&net->acts[i + 1], batch);
    double t = LN_PROF_START();
    ln_prof_layer = i;
    int st = l->cls->forward(l, &x, &y, mode);
    LN_PROF_STOP(t, i, l->cls->name, LN_PH_FORWARD);
    ln_prof_layer = -1;
    if (st != LN_OK) return st;
  }
  net->last_batch = batch;
  return LN_OK;
}

double ln_net_cost_sum(const ln_net *net, int64_t batch) {
  const ln_tensor *a = &net->acts[net->nlayers];
  return ln_kern_for(net->dtype)->cost_sum(net->cost, batch, ln_net_out_numel(net), ln_data(a),
                                           ln_data(&net->targets));
}

static int fused(const ln_net *net) {
  return (net->cost == LN_COST_CROSS_ENTROPY && last_is(net, LN_LAYER_ACT, LN_ACT_SIGMOID)) ||
         (net->cost == LN_COST_LOG_LIKELIHOOD && last_is(net, LN_LAYER_SOFTMAX, -1));
}

void ln_net_cost_delta(ln_net *net, int64_t batch, double scale, int *top) {
  const ln_kern *k = ln_kern_for(net->dtype);
  int n = net->nlayers;
  int64_t m = batch * ln_net_out_numel(net);
  const void *a = ln_data(&net->acts[n]), *t = ln_data(&net->targets);
  if (fused(net)) {
    k->cost_grad_fused(m, a, t, scale, ln_data(&net->deltas[n - 1]));
    *top = n - 2;
  } else {
    k->cost_grad(net->cost, m, a, t, scale, ln_data(&net->deltas[n]));
    *top = n - 1;
  }
}

/* A step layer (the perceptron's threshold) passes no gradient: its
** derivative is 0 wherever it exists, so every parameter below it (and,
** at the top, every parameter) would get a zero gradient and training
** would silently do nothing. Gradient-based entry points refuse it. */
int ln_net_check_differentiable(const ln_net *net) {
  for (int i = 0; i < net->nlayers; i++) {
    const ln_layer *l = net->layers[i];
    if (l->spec.type == LN_LAYER_ACT && l->spec.act == LN_ACT_STEP)
      return ln_fail(LN_EARG, "layer %d is a step activation: its derivative is 0 wherever it exists, so "
                     "gradient-based training cannot learn through it (use the perceptron rule, "
                     "lunet.perceptron.train, or sigmoid neurons)", i + 1);
  }
  return LN_OK;
}

int ln_net_backward(ln_net *net, int64_t batch, int top, int need_dx) {
  if (batch != net->last_batch)
    return ln_fail(LN_EARG, "backward of %lld rows after a forward of %lld", (long long)batch,
                   (long long)net->last_batch);
  for (int i = top; i >= 0; i--) {
    ln_layer *l = net->layers[i];
    ln_tensor x = ln_rows(&net->acts[i], batch), y = ln_rows(&net->acts[i + 1], batch);
    ln_tensor dy = ln_rows(&net->deltas[i + 1], batch), dx = ln_rows(&net->deltas[i], batch);
    double t = LN_PROF_START();
    ln_prof_layer = i;
    int st = l->cls->backward(l, &x, &y, &dy, (i > 0 || need_dx) ? &dx : NULL);
    LN_PROF_STOP(t, i, l->cls->name, LN_PH_BACKWARD);
    ln_prof_layer = -1;
    if (st != LN_OK) return st;
  }
  return LN_OK;
}

void ln_net_zero_grad(ln_net *net) {
  if (ln_numel(&net->grads) > 0) memset(ln_data(&net->grads), 0, ln_nbytes(&net->grads));
}
