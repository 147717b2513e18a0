/*
** gradcheck.c: see gradcheck.h.
*/
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "ops.h"

typedef struct check {
  ln_net *net;
  int64_t batch;
  const ln_tensor *t;     /* targets (with a cost) or read-out weights */
  ln_reg reg;
  double c;
  ln_mode mode;
} check;

static int loss(check *ck, double *out) {
  ln_net *net = ck->net;
  int st = ln_net_forward(net, ck->batch, &ck->mode);
  if (st != LN_OK) return st;
  if (net->has_cost) {
    *out = ln_net_cost_sum(net, ck->batch) / (double)ck->batch + ln_net_penalty(net, ck->reg, ck->c, 0.0);
  } else {
    ln_tensor y = ln_as_matrix(&net->acts[net->nlayers]);
    y.shape[0] = ck->batch;
    *out = ln_kern_for(net->dtype)->dot((int)ln_numel(&y), ln_data(&y), 1, ln_data(ck->t), 1);
  }
  return LN_OK;
}

/* Backprop once: gradients into net->grads (plus the penalty's), dL/dx into deltas[0]. */
static int analytic(check *ck, int need_dx) {
  ln_net *net = ck->net;
  double unused;
  int top, st = loss(ck, &unused);
  if (st != LN_OK) return st;
  ck->mode.reuse_masks = 1;
  ln_net_zero_grad(net);
  if (net->has_cost) {
    ln_net_cost_delta(net, ck->batch, 1.0 / (double)ck->batch, &top);
  } else {
    memcpy(ln_data(&net->deltas[net->nlayers]), ln_data(ck->t), ln_nbytes(ck->t));
    top = net->nlayers - 1;
  }
  if ((st = ln_net_backward(net, ck->batch, top, need_dx)) != LN_OK) return st;
  ln_net_penalty_grad(net, ck->reg, ck->c);
  return LN_OK;
}

/* Compares n values at `value` (perturbed in place) with the gradients at `grad`. */
static int compare(check *ck, double *value, const double *grad, int64_t n, double eps, int layer,
                   const char *name, ln_gradcheck_result *res) {
  for (int64_t e = 0; e < n; e++) {
    double saved = value[e], up, down;
    int st;
    value[e] = saved + eps;
    st = loss(ck, &up);
    value[e] = saved - eps;
    if (st == LN_OK) st = loss(ck, &down);
    value[e] = saved;
    if (st != LN_OK) return st;
    double num = (up - down) / (2 * eps), a = grad[e];
    double scale = fmax(fmax(fabs(a), fabs(num)), LN_GRADCHECK_FLOOR);
    double err = fabs(a - num) / scale;
    if (!(err <= res->worst)) {     /* also catches NaN */
      res->worst = isnan(err) ? INFINITY : err;
      res->analytic = a, res->numeric = num;
      res->layer = layer, res->param = name, res->element = e;
    }
    res->checked++;
  }
  return LN_OK;
}

/* ln_net_params callback: every parameter against its gradient. */
typedef struct each_param {
  check *ck;
  double eps;
  ln_gradcheck_result *res;
} each_param;

static int compare_param(void *ud, int layer, ln_param *p, int64_t offset) {
  each_param *e = ud;
  (void)offset;
  return compare(e->ck, ln_data(&p->value), ln_data(&p->grad), ln_numel(&p->value), e->eps, layer, p->name, e->res);
}

int ln_gradcheck(ln_net *net, const ln_tensor *x, const ln_tensor *t, ln_reg reg, double c, double eps,
                 int check_input, ln_gradcheck_result *res) {
  check ck = {net, 0, t, reg, c, {.train = 1, .rng = ln_rng_global(), .probe = 1}};
  int st;
  memset(res, 0, sizeof *res);
  res->layer = -1;
  res->param = "none";
  if (net->dtype != LN_F64) return ln_fail(LN_EDTYPE, "gradient checks run in float64");
  if (x->ndim < 1 || (ck.batch = x->shape[0]) < 1) return ln_fail(LN_EARG, "empty input");
  int64_t in_n, out_n;   /* x may be (2^58, 0): the products are checked */
  if (!ln_mul_i64(ck.batch, ln_shape_numel(&net->in), &in_n) || ln_numel(x) != in_n)
    return ln_fail(LN_EARG, "input does not match the network's input size");
  if (!ln_mul_i64(ck.batch, ln_net_out_numel(net), &out_n) || ln_numel(t) != out_n || t->dtype != LN_F64 ||
      !ln_is_contiguous(t))
    return ln_fail(LN_EARG, "targets must be float64 with one row of %lld per sample",
                   (long long)ln_net_out_numel(net));
  if ((st = ln_net_reserve(net, ck.batch)) != LN_OK) return st;
  ln_tensor in = ln_rows(&net->acts[0], ck.batch);
  if ((st = ln_copy(&in, x)) != LN_OK) return st;
  if (net->has_cost) memcpy(ln_data(&net->targets), ln_data(t), ln_nbytes(t));
  if ((st = analytic(&ck, check_input)) != LN_OK) return st;
  each_param e = {&ck, eps, res};
  if ((st = ln_net_params(net, compare_param, &e)) != LN_OK) return st;
  if (check_input)
    st = compare(&ck, ln_data(&in), ln_data(&net->deltas[0]), ln_numel(&in), eps, -1, "input", res);
  return st;
}
