/*
** train.c: epochs, evaluation and gradient norms, chunk by chunk through
** the network's preallocated buffers.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "profile.h"
#include "train.h"

/* Evaluation goes through this many samples at a time: enough for
** products of a good size, few enough that a convolutional network's
** workspaces (im2col matrices of every image) stay near 30 MB. */
#define EVAL_CHUNK LN_EVAL_CHUNK

int ln_dataset_check(const ln_dataset *d) {
  int64_t per_sample = d->x.ndim >= 1 && d->x.shape[0] > 0 ? ln_numel(&d->x) / d->x.shape[0] : 0, bad;
  char buf[64];
  if (d->x.storage == NULL || d->y.storage == NULL) return ln_fail(LN_EARG, "data set tensors have been closed");
  if (d->x.ndim < 2 || d->x.shape[0] < 1)
    return ln_fail(LN_EARG, "inputs must be a tensor of shape (samples, ...) with at least one sample");
  if (!ln_is_contiguous(&d->x)) return ln_fail(LN_EARG, "inputs must be contiguous (use :contiguous())");
  if (d->y.ndim < 1 || d->y.ndim > 2 || d->y.shape[0] != d->x.shape[0])
    return ln_fail(LN_EARG, "%lld inputs but labels/targets of shape %s", (long long)d->x.shape[0],
                   ln_shape_str(&d->y, buf, sizeof buf));
  if (!ln_is_contiguous(&d->y)) return ln_fail(LN_EARG, "labels/targets must be contiguous");
  if (ln_count_nonfinite(&d->y, &bad) == LN_OK && bad > 0)
    return ln_fail(LN_EARG, "targets contain NaN or infinity");
  if (d->n_base != d->x.shape[0]) return ln_fail(LN_EARG, "data set size does not match its inputs");
  if (d->ntransforms < 0 || (d->ntransforms > 0 && d->transforms == NULL))
    return ln_fail(LN_EARG, "bad transform list");
  if (d->ntransforms > 0 && (d->h < 1 || d->w < 1 || (int64_t)d->h * d->w != per_sample))
    return ln_fail(LN_EARG, "expansion works on %dx%d images but samples have %lld values", d->h, d->w,
                   (long long)per_sample);
  for (int i = 0; i < d->ntransforms; i++) {
    const ln_transform *t = &d->transforms[i];
    if ((unsigned)t->kind > LN_TR_ELASTIC || !isfinite(t->max_degrees) || !isfinite(t->max_skew) ||
        t->dx < -d->w || t->dx > d->w || t->dy < -d->h || t->dy > d->h)
      return ln_fail(LN_EARG, "transform %d is not valid", i + 1);
    if (t->kind == LN_TR_ELASTIC && !(t->sigma > 0 && t->sigma <= 16 && isfinite(t->alpha)))
      return ln_fail(LN_EARG, "transform %d: elastic distortion needs 0 < sigma <= 16 and a finite alpha", i + 1);
    if (t->kind == LN_TR_ELASTIC && (int64_t)d->h * d->w > LN_ELASTIC_MAX_PIXELS)
      return ln_fail(LN_EARG, "elastic distortion works on images of at most %d pixels, not %dx%d",
                     LN_ELASTIC_MAX_PIXELS, d->h, d->w);
  }
  int64_t n;
  if (!ln_mul_i64(d->n_base, d->ntransforms > 0 ? d->ntransforms : 1, &n) || n != d->n)
    return ln_fail(LN_EARG, "data set size does not match its transforms");
  return LN_OK;
}

/* Whether t lies in one of the blocks the passes write while samples are
** still to be read: a chunk's backward pass (or a step) would change the
** samples of the next chunk, and the answer would depend on the chunking. */
static int in_block(const ln_tensor *t, const ln_tensor *block) {
  return block->storage != NULL && t->storage == block->storage;
}

static int data_apart(const ln_dataset *d, const ln_tensor *block, const char *what) {
  if (in_block(&d->x, block) || in_block(&d->y, block))
    return ln_fail(LN_EARG, "the data set's %s shares storage with %s, which training and its passes write "
                   "while samples are read: pass a copy (:clone())", in_block(&d->x, block) ? "x" : "y", what);
  return LN_OK;
}

int ln_data_check(const ln_net *net, const ln_dataset *d) {
  int64_t n_out = ln_net_out_numel(net);
  int st;
  char buf[64];
  if ((st = ln_dataset_check(d)) != LN_OK) return st;
  if ((st = data_apart(d, &net->params, "the network's parameters")) != LN_OK ||
      (st = data_apart(d, &net->grads, "the network's gradients")) != LN_OK ||
      (st = data_apart(d, &net->state, "the network's state")) != LN_OK)
    return st;
  int64_t per_sample = ln_numel(&d->x) / d->x.shape[0];
  if (per_sample != ln_shape_numel(&net->in))
    return ln_fail(LN_EARG, "inputs of shape %s have %lld values per sample but the network takes %lld",
                   ln_shape_str(&d->x, buf, sizeof buf), (long long)per_sample,
                   (long long)ln_shape_numel(&net->in));
  if (!d->labels && (d->y.ndim != 2 || d->y.shape[1] != n_out))
    return ln_fail(LN_EARG, "targets of shape %s but the network has %lld outputs",
                   ln_shape_str(&d->y, buf, sizeof buf), (long long)n_out);
  if (d->labels && (st = ln_check_labels(&d->y, n_out, "of sample")) != LN_OK) return st;
  return LN_OK;
}

/* acts[0] and targets get the samples index[0..count). Labels were checked
** by ln_data_check, so one-hot positions are in range. */
static void gather(ln_net *net, const ln_dataset *d, const int64_t *index, int64_t count) {
  const ln_kern *k = ln_kern_for(net->dtype);
  int64_t row = ln_shape_numel(&net->in), n_out = ln_net_out_numel(net);
  k->gather(count, index, d->n_base, d->ntransforms ? d->transforms : NULL, d->h, d->w, row, d->x.dtype,
            ln_data(&d->x), ln_data(&net->acts[0]));
  k->gather_targets(count, index, d->n_base, n_out, d->labels, d->y.dtype, ln_data(&d->y),
                    ln_data(&net->targets));
}

/* Asks the caches for the input rows of samples index[0..count) while the
** current mini-batch is computed: the rows of a shuffled epoch are far
** apart in a data set larger than the caches, and a gather that waited for
** each of them was a tenth of the MLP's epoch. */
static void prefetch_rows(const ln_dataset *d, int64_t row, const int64_t *index, int64_t count) {
  size_t bytes = (size_t)row * ln_dtype_size(d->x.dtype);
  const char *base = ln_data(&d->x);
  for (int64_t k = 0; k < count; k++) {
    const char *p = base + (size_t)(index[k] % d->n_base) * bytes;
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
  }
}

void ln_gather(ln_net *net, const ln_dataset *d, const int64_t *index, int64_t count) {
  gather(net, d, index, count);
}

static int check_ready(const ln_net *net, const ln_dataset *d) {
  if (!net->has_cost) return ln_fail(LN_EARG, "the network has no cost: set one first");
  if (d->n < 1) return ln_fail(LN_EARG, "empty data set");
  return ln_data_check(net, d);
}

volatile sig_atomic_t ln_train_stop;

int64_t ln_train_nbatches(int64_t n, int64_t batch) {
  return n / batch + (n % batch != 0);   /* n + batch - 1 overflows for a huge batch */
}

int ln_train_shuffle(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, ln_rng *r, int64_t *perm) {
  int st;
  if ((st = check_ready(net, d)) != LN_OK || (st = ln_optim_check(o, net)) != LN_OK ||
      (st = ln_optim_check_state(o)) != LN_OK)
    return st;
  /* refuse before the shuffle draws: a refused call leaves the generator where it was */
  for (int i = 0; i < o->nstate; i++)
    if ((st = data_apart(d, &o->state[i], "the optimizer's state")) != LN_OK) return st;
  if ((st = ln_net_check_differentiable(net)) != LN_OK) return st;
  if (batch < 1) return ln_fail(LN_EARG, "mini-batch size must be at least 1, not %lld", (long long)batch);
  for (int64_t i = 0; i < d->n; i++) perm[i] = i;
  ln_rng_shuffle(r, perm, d->n);
  return LN_OK;
}

int ln_train_fuse = 1;

/* Plain SGD (no momentum; L2 or no penalty) on a network whose only
** trained layers are dense is folded into their backward passes (see
** dense.c): the gradient block is then neither cleared nor read. The last
** mini-batch of a call takes the general path, so the gradients still
** hold that mini-batch's when training returns (monitors read them). */
static int can_fuse(const ln_optim *o, const ln_net *net) {
  int any = 0;
  if (!ln_train_fuse || o->h.kind != LN_OPTIM_SGD || o->nstate != 0 || o->h.momentum != 0 ||
      (o->reg != LN_REG_NONE && o->reg != LN_REG_L2))
    return 0;
  for (int i = 0; i < net->nlayers; i++) {
    if (net->layers[i]->nparams == 0) continue;
    if (net->layers[i]->spec.type != LN_LAYER_DENSE) return 0;
    any = 1;
  }
  return any;
}

static void set_fuse(ln_net *net, const ln_step *s) {
  for (int i = 0; i < net->nlayers; i++)
    if (net->layers[i]->nparams > 0) net->layers[i]->fuse = s;
}

/* One mini-batch's backward pass and step, folded or not. */
static int backward_step(ln_net *net, ln_optim *o, int64_t m, int fuse, ln_step *s) {
  int st, top;
  double t;
  if (!fuse) {
    t = LN_PROF_START();
    ln_net_zero_grad(net);
    LN_PROF_STOP(t, -1, NULL, LN_PH_ZERO_GRAD);
  }
  t = LN_PROF_START();
  ln_net_cost_delta(net, m, 1.0 / (double)m, &top);
  LN_PROF_STOP(t, -1, NULL, LN_PH_COST);
  if (fuse) {   /* the step the optimiser would take, as ln_optim_step sets it up */
    *s = o->h;
    if ((st = ln_optim_count_step(o, &s->t)) != LN_OK) return st;
    s->c = o->lambda / (double)o->n;
    s->reg = o->reg;
    set_fuse(net, s);   /* only around this pass: no other pass (a progress callback's) may step */
    st = ln_net_backward(net, m, top, 0);
    set_fuse(net, NULL);
    return st;
  }
  if ((st = ln_net_backward(net, m, top, 0)) != LN_OK) return st;
  t = LN_PROF_START();
  st = ln_optim_step(o, net);
  LN_PROF_STOP(t, -1, NULL, LN_PH_UPDATE);
  return st;
}

int ln_train_batches(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, const int64_t *perm,
                     int64_t from, int64_t to, ln_rng *r, ln_progress_fn progress, void *ud) {
  ln_mode mode = {.train = 1, .rng = r};
  int64_t nbatches, every;
  int st;
  if ((st = check_ready(net, d)) != LN_OK || (st = ln_optim_check(o, net)) != LN_OK ||
      (st = ln_optim_check_state(o)) != LN_OK)
    return st;
  for (int i = 0; i < o->nstate; i++)
    if ((st = data_apart(d, &o->state[i], "the optimizer's state")) != LN_OK) return st;
  if ((st = ln_net_check_differentiable(net)) != LN_OK) return st;
  if (batch < 1) return ln_fail(LN_EARG, "mini-batch size must be at least 1, not %lld", (long long)batch);
  nbatches = ln_train_nbatches(d->n, batch);
  if (from < 0 || to > nbatches || from > to)
    return ln_fail(LN_EARG, "mini-batches %lld..%lld are not within the epoch's %lld", (long long)from,
                   (long long)to, (long long)nbatches);
  if ((st = ln_net_reserve(net, batch < d->n ? batch : d->n)) != LN_OK) return st;
  every = nbatches / 100 > 0 ? nbatches / 100 : 1;
  ln_step step;
  int fuse = can_fuse(o, net);
  for (int64_t b = from; b < to && st == LN_OK && !ln_train_stop; b++) {
    int64_t start = b * batch, m = d->n - start < batch ? d->n - start : batch;
    double t = LN_PROF_START();
    gather(net, d, perm + start, m);
    if (start + m < d->n)
      prefetch_rows(d, ln_shape_numel(&net->in), perm + start + m, d->n - start - m < batch ? d->n - start - m : batch);
    LN_PROF_STOP(t, -1, NULL, LN_PH_GATHER);
    if ((st = ln_net_forward(net, m, &mode)) != LN_OK) break;
    if ((st = backward_step(net, o, m, fuse && b + 1 < to, &step)) != LN_OK) break;
    if (progress && ((b + 1) % every == 0 || b + 1 == nbatches)) progress(ud, b + 1, nbatches);
  }
  return st;
}

int ln_train_diverged(const ln_net *net) {
  int64_t bad;
  if (ln_count_nonfinite(&net->params, &bad) == LN_OK && bad > 0)
    return ln_fail(LN_EARG, "training diverged: %lld parameters are NaN or infinite (try a smaller eta)",
                   (long long)bad);
  return LN_OK;
}

int ln_train_epoch(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, ln_rng *r,
                   ln_progress_fn progress, void *ud) {
  int64_t *perm;
  int st;
  if ((st = check_ready(net, d)) != LN_OK) return st;
  if ((perm = malloc((size_t)d->n * sizeof *perm)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  double t0 = LN_PROF_START();
  st = ln_train_shuffle(net, o, d, batch, r, perm);
  if (st == LN_OK) st = ln_train_batches(net, o, d, batch, perm, 0, ln_train_nbatches(d->n, batch), r, progress, ud);
  free(perm);
  LN_PROF_STOP(t0, -1, NULL, LN_PH_EPOCH);
  return st == LN_OK ? ln_train_diverged(net) : st;
}

/* Evaluation reads the inputs in place, without copying them into acts[0],
** when they are exactly what the copy would hold: the network's dtype, no
** expansion (the data set is checked contiguous). The copy was a quarter of
** the MLP's inference time. No layer writes its input, and acts[0] is put
** back after each forward pass. */
static int reads_in_place(const ln_net *net, const ln_dataset *d) {
  return d->ntransforms == 0 && d->x.dtype == net->dtype && d->n == d->n_base;
}

int ln_evaluate(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, double *cost,
                int64_t *correct) {
  const ln_kern *k = ln_kern_for(net->dtype);
  ln_mode mode = {.infer = 1};
  int64_t chunk = d->n < EVAL_CHUNK ? d->n : EVAL_CHUNK, n_out = ln_net_out_numel(net);
  double sum = 0;
  int st;
  if ((st = check_ready(net, d)) != LN_OK) return st;
  if (cost) *cost = 0;
  if ((st = ln_net_reserve(net, chunk)) != LN_OK) return st;
  int64_t *guess = malloc(2 * (size_t)chunk * sizeof *guess), *truth = guess + chunk;
  if (guess == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  *correct = 0;
  ln_tensor acts0 = net->acts[0];
  int direct = reads_in_place(net, d);
  for (int64_t start = 0; start < d->n && st == LN_OK; start += chunk) {
    int64_t m = d->n - start < chunk ? d->n - start : chunk;
    for (int64_t i = 0; i < m; i++) net->index[i] = start + i;
    if (direct) {   /* acts[0] looks at the chunk's rows for this forward pass */
      net->acts[0].storage = d->x.storage;
      net->acts[0].offset = d->x.offset + start * ln_shape_numel(&net->in);
      k->gather_targets(m, net->index, d->n_base, n_out, d->labels, d->y.dtype, ln_data(&d->y),
                        ln_data(&net->targets));
    } else {
      gather(net, d, net->index, m);
    }
    mode.same_params = start > 0;
    st = ln_net_forward(net, m, &mode);
    net->acts[0] = acts0;
    if (st != LN_OK) break;
    if (cost) sum += ln_net_cost_sum(net, m);   /* its logarithms were a fifth of an MLP's inference */
    k->argmax_rows(m, n_out, ln_data(&net->acts[net->nlayers]), guess);
    k->argmax_rows(m, n_out, ln_data(&net->targets), truth);
    for (int64_t i = 0; i < m; i++) *correct += guess[i] == truth[i];
  }
  free(guess);
  if (cost) *cost = ln_net_penalty(net, reg, lambda / (double)d->n, sum / (double)d->n);
  return st;
}

static double param_norm(const ln_layer *l, const char *a, const char *b) {
  for (int j = 0; j < l->nparams; j++)
    if (strcmp(l->params[j].name, a) == 0 || strcmp(l->params[j].name, b) == 0) {
      double s;
      ln_reduce_all(&l->params[j].grad, LN_RSUMSQ, 0, &s, NULL);
      return sqrt(s);
    }
  return NAN;
}

/* One chunk's forward, cost and backward. */
static int chunk_gradient(ln_net *net, const ln_dataset *d, int64_t m, const ln_mode *mode, double *cost_sum) {
  int st, top;
  if ((st = ln_net_forward(net, m, mode)) != LN_OK) return st;
  if (cost_sum) *cost_sum += ln_net_cost_sum(net, m);
  ln_net_cost_delta(net, m, 1.0 / (double)d->n, &top);
  return ln_net_backward(net, m, top, 0);
}

/* The gradient of the mean cost over all of d into the network's gradient
** block, in chunks: each chunk's deltas are scaled by 1/n so the chunks'
** gradients sum to the mean. Adds the summed cost to *cost_sum if asked.
** When the set holds its samples as the network computes (no transforms,
** the network's dtype), the input layer reads the chunk's rows where they
** are instead of a gathered copy: the copy moved the whole set (6.3 MB for
** 1,000 images in float64) at every evaluation of an objective. */
/* Samples per chunk of mean_gradient: as many as keep the chunk's inputs
** within 512 KB (half a typical L2 cache), so the backward pass finds the
** rows the forward pass read still in cache; 16 to EVAL_CHUNK. On the
** 784-30-10 float64 objective, 83 rows a chunk instead of 200 (1.25 MB)
** made an evaluation about a tenth faster (bench/README.md). */
static int64_t gradient_chunk(const ln_net *net, int64_t n) {
  int64_t row_bytes = ln_shape_numel(&net->in) * (int64_t)ln_dtype_size(net->dtype);
  int64_t chunk = row_bytes > 0 ? ((int64_t)512 << 10) / row_bytes : EVAL_CHUNK;
  chunk = chunk < 16 ? 16 : chunk > EVAL_CHUNK ? EVAL_CHUNK : chunk;
  return n < chunk ? n : chunk;
}

static int mean_gradient(ln_net *net, const ln_dataset *d, const ln_mode *mode, double *cost_sum) {
  int64_t chunk = gradient_chunk(net, d->n), row = ln_shape_numel(&net->in);
  int in_place = d->ntransforms == 0 && d->n == d->n_base && d->x.dtype == net->dtype;
  int st = LN_OK;
  if ((st = ln_net_reserve(net, chunk)) != LN_OK) return st;
  ln_net_zero_grad(net);
  ln_tensor own = net->acts[0];
  for (int64_t start = 0; start < d->n && st == LN_OK; start += chunk) {
    int64_t m = d->n - start < chunk ? d->n - start : chunk;
    for (int64_t i = 0; i < m; i++) net->index[i] = start + i;
    if (in_place) {   /* acts[0] (same shape and strides) over the set's rows start.. */
      net->acts[0].storage = d->x.storage;
      net->acts[0].offset = d->x.offset + start * row;
      ln_kern_for(net->dtype)->gather_targets(m, net->index, d->n_base, ln_net_out_numel(net), d->labels,
                                              d->y.dtype, ln_data(&d->y), ln_data(&net->targets));
    } else {
      gather(net, d, net->index, m);
    }
    ln_mode cm = *mode;
    cm.same_params = start > 0;   /* nothing changes the parameters between chunks */
    st = chunk_gradient(net, d, m, &cm, cost_sum);
    net->acts[0] = own;
  }
  return st;
}

int ln_gradient_norms(ln_net *net, const ln_dataset *d, double *bias, double *weight, int max,
                      int *nout) {
  ln_rng own;      /* a measurement must not move the training's stream */
  ln_mode mode = {.train = 1, .rng = &own, .probe = 1};
  int st, n = 0;
  ln_rng_seed(&own, LN_MEASURE_SEED);
  if ((st = check_ready(net, d)) != LN_OK || (st = ln_net_check_differentiable(net)) != LN_OK) return st;
  if ((st = mean_gradient(net, d, &mode, NULL)) != LN_OK) return st;
  for (int i = 0; i < net->nlayers; i++) {
    const ln_layer *l = net->layers[i];
    if (l->nparams == 0) continue;
    if (n < max) {
      bias[n] = param_norm(l, "bias", "beta");
      weight[n] = param_norm(l, "weight", "gamma");
    }
    n++;
  }
  *nout = n;
  return st;
}

static int check_objective(const ln_net *net, const ln_dataset *d) {
  for (int i = 0; i < net->nlayers; i++)
    if (net->layers[i]->spec.type == LN_LAYER_BATCHNORM)
      return ln_fail(LN_EARG, "layer %d is batch normalisation: a full-batch objective runs in evaluation "
                     "mode, where its backward is not implemented", i + 1);
  int st = ln_net_check_differentiable(net);
  return st != LN_OK ? st : check_ready(net, d);
}

int ln_objective_check(const ln_net *net, const ln_dataset *d) {
  return check_objective(net, d);
}

/* A float32 network's gradient kernels take lambda / n as a float: past
** FLT_MAX it is inf, and every decayed gradient (or Hessian product) comes
** back infinite, or NaN where a parameter is 0. */
int ln_penalty_check(const ln_net *net, const ln_dataset *d, ln_reg reg, double lambda) {
  if (!(lambda >= 0) || !isfinite(lambda)) return ln_fail(LN_EARG, "lambda must be a finite number >= 0, not %g", lambda);
  if (reg == LN_REG_NONE || d->n < 1) return LN_OK;
  double per = lambda / (double)d->n;
  if (net->dtype == LN_F32 && !isfinite((float)per))
    return ln_fail(LN_EARG, "lambda / n = %g is infinite in float32 (a float32 network computes with it)", per);
  return LN_OK;
}

int ln_objective(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, double *cost) {
  ln_mode mode = {0};   /* deterministic: dropout is the identity */
  double sum = 0;
  int st;
  if ((st = check_objective(net, d)) != LN_OK || (st = ln_penalty_check(net, d, reg, lambda)) != LN_OK) return st;
  if ((st = mean_gradient(net, d, &mode, &sum)) != LN_OK) return st;
  *cost = ln_net_penalty(net, reg, lambda / (double)d->n, sum / (double)d->n);
  ln_net_penalty_grad(net, reg, lambda / (double)d->n);
  return LN_OK;
}

/* w and the gradient: one value per parameter, in one run. */
static int check_flat(const ln_net *net, const ln_tensor *t, const char *what) {
  int64_t n = ln_numel(&net->params);
  char buf[64];
  if (t->storage == NULL) return ln_fail(LN_EARG, "%s has been closed", what);
  if (t->ndim != 1 || t->shape[0] != n || !ln_is_contiguous(t))
    return ln_fail(LN_EARG, "%s must be a contiguous 1-d tensor of the network's %lld parameters, not %s", what,
                   (long long)n, ln_shape_str(t, buf, sizeof buf));
  return LN_OK;
}

int ln_objective_at(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, const ln_tensor *w,
                    const ln_tensor *grad, double *cost) {
  int st;
  if ((st = check_flat(net, w, "w")) != LN_OK || (st = check_flat(net, grad, "the gradient")) != LN_OK ||
      (st = check_objective(net, d)) != LN_OK || (st = ln_penalty_check(net, d, reg, lambda)) != LN_OK)
    return st;
  if ((st = ln_copy(&net->params, w)) != LN_OK || (st = ln_objective(net, d, reg, lambda, cost)) != LN_OK)
    return st;
  return ln_copy(grad, &net->grads);
}

int ln_predict(ln_net *net, const ln_tensor *x, const ln_tensor *out) {
  ln_mode mode = {0};
  int64_t n = x->shape[0], chunk = n < EVAL_CHUNK ? n : EVAL_CHUNK;
  int64_t row = ln_shape_numel(&net->in), n_out = ln_net_out_numel(net);
  int64_t in_n, out_n;   /* x may be (2^58, 0): the products are checked */
  int st;
  if (x->ndim < 1 || n < 1 || !ln_mul_i64(n, row, &in_n) || ln_numel(x) != in_n || !ln_is_contiguous(x))
    return ln_fail(LN_EARG, "inputs must be (samples, ...) with %lld values per sample", (long long)row);
  if (!ln_is_contiguous(out) || !ln_mul_i64(n, n_out, &out_n) || ln_numel(out) != out_n)
    return ln_fail(LN_EARG, "predict: output has the wrong size");
  if ((st = ln_net_reserve(net, chunk)) != LN_OK) return st;
  for (int64_t start = 0; start < n && st == LN_OK; start += chunk) {
    int64_t m = n - start < chunk ? n - start : chunk;
    for (int64_t i = 0; i < m; i++) net->index[i] = start + i;
    ln_kern_for(net->dtype)->gather(m, net->index, n, NULL, 0, 0, row, x->dtype, ln_data(x),
                                    ln_data(&net->acts[0]));
    mode.same_params = start > 0;
    if ((st = ln_net_forward(net, m, &mode)) != LN_OK) break;
    ln_tensor a = ln_rows(&net->acts[net->nlayers], m), dst = a;
    dst.storage = out->storage;       /* the same rows of out */
    dst.dtype = out->dtype;
    dst.offset = out->offset + start * n_out;
    st = ln_copy(&dst, &a);
  }
  return st;
}

static double value_at(ln_dtype dt, const void *p, int64_t i) {
  return dt == LN_F32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

/* Adds to sat[u] how many of the m rows have unit u saturated: a sigmoid
** output within eps of 0 or 1, a tanh output within eps of -1 or 1, a
** ReLU output of 0 (the unit is dead for the set when every row counts). */
static void count_saturated(ln_act act, ln_dtype dt, const void *a, int64_t m, int64_t per, double eps,
                            int64_t *sat) {
  for (int64_t i = 0; i < m; i++)
    for (int64_t u = 0; u < per; u++) {
      double v = value_at(dt, a, i * per + u);
      int s = act == LN_ACT_SIGMOID ? (v < eps || v > 1 - eps)
            : act == LN_ACT_TANH    ? fabs(v) > 1 - eps
            : v <= 0;
      sat[u] += s;
    }
}

int ln_saturation(ln_net *net, const ln_dataset *d, double eps, double *frac, int *layer, int max, int *nout) {
  ln_mode mode = {0};
  int64_t chunk = d->n < EVAL_CHUNK ? d->n : EVAL_CHUNK, total = 0, **sat;
  int st, n = 0, nacts = 0;
  if (!(eps >= 0 && eps < 1)) return ln_fail(LN_EARG, "eps must be in [0, 1), not %g", eps);
  if ((st = check_ready(net, d)) != LN_OK || (st = ln_net_reserve(net, chunk)) != LN_OK) return st;
  if ((sat = calloc((size_t)net->nlayers, sizeof *sat)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  for (int i = 0; i < net->nlayers && st == LN_OK; i++) {
    const ln_layer *l = net->layers[i];
    if (l->spec.type != LN_LAYER_ACT || l->spec.act == LN_ACT_IDENTITY) continue;
    int64_t per = ln_numel(&net->acts[i + 1]) / net->acts[i + 1].shape[0];
    if ((sat[i] = calloc((size_t)per, sizeof **sat)) == NULL) st = ln_fail(LN_ENOMEM, "out of memory");
    nacts++;
  }
  for (int64_t start = 0; start < d->n && st == LN_OK && nacts > 0; start += chunk) {
    int64_t m = d->n - start < chunk ? d->n - start : chunk;
    for (int64_t i = 0; i < m; i++) net->index[i] = start + i;
    gather(net, d, net->index, m);
    if ((st = ln_net_forward(net, m, &mode)) != LN_OK) break;
    for (int i = 0; i < net->nlayers; i++)
      if (sat[i]) {
        int64_t per = ln_numel(&net->acts[i + 1]) / net->acts[i + 1].shape[0];
        count_saturated(net->layers[i]->spec.act, net->dtype, ln_data(&net->acts[i + 1]), m, per, eps, sat[i]);
      }
    total += m;
  }
  for (int i = 0; i < net->nlayers; i++) {
    if (!sat[i]) continue;
    if (st == LN_OK && n < max) {
      int64_t per = ln_numel(&net->acts[i + 1]) / net->acts[i + 1].shape[0], hits = 0;
      int relu = net->layers[i]->spec.act == LN_ACT_RELU;
      for (int64_t u = 0; u < per; u++) hits += relu ? sat[i][u] == total : sat[i][u];
      frac[n] = (double)hits / (double)(relu ? per : per * total);
      layer[n] = i;
    }
    n++;
    free(sat[i]);
  }
  free(sat);
  *nout = n;
  return st;
}
