/*
** optim.c: the table of optimiser kinds and the step over a network's
** parameter block.
*/
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#include "optim.h"

const char *const ln_optim_names[] = {"sgd", "adagrad", "rmsprop", "adam", "adamw", "adamax", NULL};

#define HP(field) offsetof(ln_step, field)

static const ln_hparam sgd_hparams[] = {
  {"eta", HP(eta), 0, 0.0, 0.0, INFINITY, 1, 1},
  {"momentum", HP(momentum), 0, 0.0, 0.0, 1.0, 0, 1},
  {"nesterov", HP(nesterov), 1, 0.0, 0.0, 0.0, 0, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

/* The usual defaults: PyTorch's (Adagrad eps 1e-10, RMSprop's alpha as rho). */
static const ln_hparam adagrad_hparams[] = {
  {"eta", HP(eta), 0, 0.01, 0.0, INFINITY, 1, 1},
  {"eps", HP(eps), 0, 1e-10, 0.0, INFINITY, 1, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

static const ln_hparam rmsprop_hparams[] = {
  {"eta", HP(eta), 0, 0.01, 0.0, INFINITY, 1, 1},
  {"rho", HP(rho), 0, 0.99, 0.0, 1.0, 0, 0},
  {"eps", HP(eps), 0, 1e-8, 0.0, INFINITY, 1, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

static const ln_hparam adam_hparams[] = {
  {"eta", HP(eta), 0, 0.001, 0.0, INFINITY, 1, 1},
  {"beta1", HP(beta1), 0, 0.9, 0.0, 1.0, 0, 0},
  {"beta2", HP(beta2), 0, 0.999, 0.0, 1.0, 0, 0},
  {"eps", HP(eps), 0, 1e-8, 0.0, INFINITY, 1, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

static const ln_hparam adamw_hparams[] = {
  {"eta", HP(eta), 0, 0.001, 0.0, INFINITY, 1, 1},
  {"beta1", HP(beta1), 0, 0.9, 0.0, 1.0, 0, 0},
  {"beta2", HP(beta2), 0, 0.999, 0.0, 1.0, 0, 0},
  {"eps", HP(eps), 0, 1e-8, 0.0, INFINITY, 1, 0},
  {"weight_decay", HP(weight_decay), 0, 0.01, 0.0, INFINITY, 0, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

/* Adamax: PyTorch's eta 0.002; its eps is inside the max, so u > 0 */
static const ln_hparam adamax_hparams[] = {
  {"eta", HP(eta), 0, 0.002, 0.0, INFINITY, 1, 1},
  {"beta1", HP(beta1), 0, 0.9, 0.0, 1.0, 0, 0},
  {"beta2", HP(beta2), 0, 0.999, 0.0, 1.0, 0, 0},
  {"eps", HP(eps), 0, 1e-8, 0.0, INFINITY, 1, 0},
  {NULL, 0, 0, 0, 0, 0, 0, 0}
};

typedef struct kind_info {
  const ln_hparam *hparams;
  /* how many state arrays the hyperparameters ask for, and their names */
  int (*nstate)(const ln_step *h);
  const char *state_names[LN_OPTIM_MAXSTATE];
  /* checks between hyperparameters, beyond each one's range */
  int (*check)(const ln_step *h);
  /* bit i: state array i is never negative (sums of squared gradients,
  ** whose square root is taken, or Adamax's max of |g|) */
  unsigned squares;
} kind_info;

static int sgd_nstate(const ln_step *h) {
  return h->momentum > 0;
}

static int sgd_check(const ln_step *h) {
  if (h->nesterov && h->momentum == 0) return ln_fail(LN_EARG, "Nesterov needs a momentum > 0");
  return LN_OK;
}

static int one_state(const ln_step *h) {
  (void)h;
  return 1;
}

static int two_states(const ln_step *h) {
  (void)h;
  return 2;
}

static int adamw_check(const ln_step *h) {
  if (h->eta * h->weight_decay >= 1)
    return ln_fail(LN_EARG, "eta * weight_decay must be < 1, not %g", h->eta * h->weight_decay);
  return LN_OK;
}

static const kind_info kinds[LN_OPTIM_NKINDS] = {
  [LN_OPTIM_SGD] = {sgd_hparams, sgd_nstate, {"velocity", NULL}, sgd_check, 0},
  [LN_OPTIM_ADAGRAD] = {adagrad_hparams, one_state, {"sum_squares", NULL}, NULL, 1},
  [LN_OPTIM_RMSPROP] = {rmsprop_hparams, one_state, {"mean_square", NULL}, NULL, 1},
  [LN_OPTIM_ADAM] = {adam_hparams, two_states, {"mean", "mean_square"}, NULL, 2},
  [LN_OPTIM_ADAMW] = {adamw_hparams, two_states, {"mean", "mean_square"}, adamw_check, 2},
  [LN_OPTIM_ADAMAX] = {adamax_hparams, two_states, {"mean", "max_abs"}, NULL, 2},   /* max_abs: a max of |g| */
};

const ln_hparam *ln_optim_hparams(ln_optkind kind) {
  return kinds[kind].hparams;
}

static double *hp_double(ln_step *h, const ln_hparam *p) {
  return (double *)((char *)h + p->offset);
}

static int *hp_int(ln_step *h, const ln_hparam *p) {
  return (int *)((char *)h + p->offset);
}

void ln_optim_defaults(ln_optim *o, ln_optkind kind) {
  memset(o, 0, sizeof *o);
  o->h.kind = kind;
  o->n = 1;
  for (const ln_hparam *p = kinds[kind].hparams; p->name; p++) {
    if (p->boolean) *hp_int(&o->h, p) = p->def != 0;
    else *hp_double(&o->h, p) = p->def;
  }
}

int ln_optim_check_hparams(const ln_step *h) {
  if ((unsigned)h->kind >= LN_OPTIM_NKINDS) return ln_fail(LN_EARG, "unknown optimizer kind %d", (int)h->kind);
  for (const ln_hparam *p = kinds[h->kind].hparams; p->name; p++) {
    double v;
    if (p->boolean) continue;
    memcpy(&v, (const char *)h + p->offset, sizeof v);
    if (!(p->lo_open ? v > p->lo : v >= p->lo) || !(v < p->hi) || !isfinite(v))
      return ln_fail(LN_EARG, "%s must be in %s%g, %g), not %g", p->name, p->lo_open ? "(" : "[", p->lo, p->hi, v);
  }
  return kinds[h->kind].check ? kinds[h->kind].check(h) : LN_OK;
}

/* A float32 network's kernels compute with (float)v: each hyperparameter
** must be in its range there too. eps = 1e-50 became 0 and a zero gradient
** a 0/0 step; eta = 1e300 became inf, beta1 = 1 - 1e-10 became 1. */
int ln_optim_check_dtype(const ln_step *h, ln_dtype dt) {
  if (dt != LN_F32) return LN_OK;
  for (const ln_hparam *p = kinds[h->kind].hparams; p->name; p++) {
    double v, f;
    if (p->boolean) continue;
    memcpy(&v, (const char *)h + p->offset, sizeof v);
    f = (float)v;
    if (!(p->lo_open ? f > p->lo : f >= p->lo) || !(f < p->hi) || !isfinite(f))
      return ln_fail(LN_EARG, "%s = %g is %g in float32, out of %s%g, %g) (a float32 network computes with it)",
                     p->name, v, f, p->lo_open ? "(" : "[", p->lo, p->hi);
  }
  return LN_OK;
}

int ln_optim_check_run(double lambda, int64_t n, ln_dtype dt) {
  if (!(lambda >= 0) || !isfinite(lambda))
    return ln_fail(LN_EARG, "regularisation lambda must be >= 0, not %g", lambda);
  if (n < 1) return ln_fail(LN_EARG, "training set size must be positive");
  if (dt == LN_F32 && !isfinite((float)(lambda / (double)n)))
    return ln_fail(LN_EARG, "lambda / n = %g is infinite in float32", lambda / (double)n);
  return LN_OK;
}

int ln_optim_nstate(const ln_step *h) {
  return kinds[h->kind].nstate(h);
}

int ln_optim_init(ln_optim *o, const ln_net *net) {
  int64_t n = ln_numel(&net->params);
  int st;
  for (int i = 0; i < LN_OPTIM_MAXSTATE; i++) o->state[i].storage = NULL;
  o->nstate = 0;
  if ((unsigned)o->h.kind >= LN_OPTIM_NKINDS) return ln_fail(LN_EARG, "unknown optimizer kind %d", (int)o->h.kind);
  if ((st = ln_optim_check_hparams(&o->h)) != LN_OK) return st;
  if ((st = ln_optim_check_run(o->lambda, o->n, net->dtype)) != LN_OK) return st;
  if (!net->finished) return ln_fail(LN_EARG, "network is not finished");
  if ((st = ln_optim_check_dtype(&o->h, net->dtype)) != LN_OK) return st;
  o->net_id = net->id;
  o->nparams = n;
  o->dtype = net->dtype;
  o->h.t = 0;
  int want = kinds[o->h.kind].nstate(&o->h);
  for (int i = 0; i < want; i++) {
    if ((st = ln_tensor_new(&o->state[i], net->dtype, 1, &n)) != LN_OK) {
      ln_optim_free(o);
      return st;
    }
    o->nstate++;
  }
  return LN_OK;
}

void ln_optim_free(ln_optim *o) {
  for (int i = 0; i < LN_OPTIM_MAXSTATE; i++) ln_tensor_free(&o->state[i]);
  o->nstate = 0;
}

int ln_optim_set(ln_optim *o, const char *name, double value) {
  ln_step h = o->h;
  int st;
  for (const ln_hparam *p = kinds[h.kind].hparams; p->name; p++) {
    if (strcmp(p->name, name) != 0) continue;
    if (!p->scheduled || p->boolean)
      return ln_fail(LN_EARG, "%s is fixed when the optimizer is made", name);
    *hp_double(&h, p) = value;
    if ((st = ln_optim_check_hparams(&h)) != LN_OK || (st = ln_optim_check_dtype(&h, o->dtype)) != LN_OK)
      return st;
    /* the state arrays are made with the optimizer, for the values it was made with */
    if (kinds[h.kind].nstate(&h) > o->nstate)
      return ln_fail(LN_EARG, "%s = %g needs state this optimizer was made without (make it with %s > 0)", name,
                     value, name);
    if (kinds[h.kind].nstate(&h) < o->nstate)
      return ln_fail(LN_EARG, "%s = %g would leave the state this optimizer keeps unused (it was made with "
                     "%s > 0: keep it above 0, or make another optimizer)", name, value, name);
    o->h = h;
    return LN_OK;
  }
  return ln_fail(LN_EARG, "the %s optimizer has no hyperparameter '%s'", ln_optim_names[h.kind], name);
}

int ln_optim_state_check(ln_optkind kind, int i, double v) {
  if (!isfinite(v)) return ln_fail(LN_EARG, "%s holds %g", kinds[kind].state_names[i], v);
  if ((kinds[kind].squares >> i & 1) && v < 0)
    return ln_fail(LN_EARG, "%s holds %g, and it is never negative (a sum of squares or a largest |g|)",
                   kinds[kind].state_names[i], v);
  return LN_OK;
}

int ln_optim_check_state(const ln_optim *o) {
  for (int i = 0; i < o->nstate; i++) {
    const ln_tensor *s = &o->state[i];
    int64_t n = ln_numel(s);
    for (int64_t j = 0; j < n; j++) {
      double v = s->dtype == LN_F32 ? (double)((const float *)ln_data(s))[j] : ((const double *)ln_data(s))[j];
      /* the common case without a call: finite, and >= 0 or in an array that may be negative */
      if (isfinite(v) && (v >= 0 || !(kinds[o->h.kind].squares >> i & 1))) continue;
      char why[200];   /* the message is rewritten below: copied out first */
      ln_optim_state_check(o->h.kind, i, v);
      snprintf(why, sizeof why, "%s", ln_errmsg());
      return ln_fail(LN_EARG, "the optimizer's state is invalid: element %lld of %s", (long long)j + 1, why);
    }
  }
  return LN_OK;
}

const char *ln_optim_state_name(const ln_optim *o, int i) {
  return i >= 0 && i < o->nstate ? kinds[o->h.kind].state_names[i] : NULL;
}

int ln_optim_check(const ln_optim *o, const ln_net *net) {
  if (o->net_id == 0) return ln_fail(LN_EARG, "optimizer is not initialised");
  if (o->net_id != net->id)
    return ln_fail(LN_EARG, "optimizer was made for another network (make one per network)");
  if (o->dtype != net->dtype || o->nparams != ln_numel(&net->params))
    return ln_fail(LN_EARG, "optimizer holds %lld %s parameters, the network %lld %s", (long long)o->nparams,
                   ln_dtype_name(o->dtype), (long long)ln_numel(&net->params), ln_dtype_name(net->dtype));
  return LN_OK;
}

int ln_optim_count_step(ln_optim *o, int64_t *t) {
  if (o->h.t < 0 || o->h.t == INT64_MAX)   /* only a tampered checkpoint gets here */
    return ln_fail(LN_EARG, "optimizer step count %lld cannot be counted on", (long long)o->h.t);
  *t = ++o->h.t;
  return LN_OK;
}

int ln_optim_step(ln_optim *o, ln_net *net) {
  const ln_kern *k = ln_kern_for(net->dtype);
  size_t esize = ln_dtype_size(net->dtype);
  ln_step s = o->h;
  int st = ln_optim_check(o, net);
  if (st != LN_OK) return st;
  if ((st = ln_optim_count_step(o, &s.t)) != LN_OK) return st;
  s.c = o->lambda / (double)o->n;
  for (int i = 0; i < net->nsegs; i++) {
    const ln_segment *sg = &net->segs[i];
    size_t at = (size_t)sg->offset * esize;
    void *state[LN_OPTIM_MAXSTATE] = {NULL};
    for (int j = 0; j < o->nstate; j++) state[j] = (char *)ln_data(&o->state[j]) + at;
    s.reg = sg->decay ? o->reg : LN_REG_NONE;
    s.decay = sg->decay;
    k->optim_step(&s, sg->length, (char *)ln_data(&net->params) + at, (char *)ln_data(&net->grads) + at, state);
  }
  return LN_OK;
}
