/*
** layer.c: making layers from specs, and what their files share.
*/
#include <stdlib.h>
#include <string.h>

#include "layer.h"

typedef int (*layer_ctor)(ln_layer **, const ln_layer_spec *, ln_dtype, const ln_shape *);

static const struct {
  const char *name;
  layer_ctor make;
} layer_types[LN_LAYER_NTYPES] = {
  [LN_LAYER_DENSE] = {"dense", ln_dense_new},
  [LN_LAYER_ACT] = {"activation", ln_act_new},
  [LN_LAYER_SOFTMAX] = {"softmax", ln_softmax_new},
  [LN_LAYER_DROPOUT] = {"dropout", ln_dropout_new},
  [LN_LAYER_CONV] = {"conv2d", ln_conv_new},
  [LN_LAYER_POOL] = {"pool2d", ln_pool_new},
  [LN_LAYER_BATCHNORM] = {"batchnorm", ln_batchnorm_new},
  [LN_LAYER_RESHAPE] = {"reshape", ln_reshape_new},
};

const char *ln_layer_type_name(ln_layer_type t) {
  return (t >= 0 && t < LN_LAYER_NTYPES) ? layer_types[t].name : "unknown";
}

/* Parameters may be larger than a sample, but their counts must fit. */
static int check_params(const ln_param *p, int n) {
  for (int i = 0; i < n; i++)
    if (ln_shape_numel(&p[i].shape) < 0) return ln_fail(LN_EARG, "its %s has too many values", p[i].name);
  return LN_OK;
}

/* The constructors may rely on a checked input; their output and parameter
** shapes are checked here, once for every kind of layer, so the next
** layer's input is checked too. */
int ln_layer_new(ln_layer **out, const ln_layer_spec *spec, ln_dtype dt, const ln_shape *in) {
  int st;
  *out = NULL;
  if (spec->type < 0 || spec->type >= LN_LAYER_NTYPES || layer_types[spec->type].make == NULL)
    return ln_fail(LN_EARG, "unknown layer type %d", (int)spec->type);
  if ((st = ln_shape_check(in, "its input")) != LN_OK) return st;
  if ((st = layer_types[spec->type].make(out, spec, dt, in)) != LN_OK) return st;
  if ((st = ln_shape_check(&(*out)->out, "its output")) != LN_OK ||
      (st = check_params((*out)->params, (*out)->nparams)) != LN_OK ||
      (st = check_params((*out)->state, (*out)->nstate)) != LN_OK) {
    ln_layer_free(*out);
    *out = NULL;
  }
  return st;
}

static void release_params(ln_param *p, int n) {
  for (int i = 0; i < n; i++) {
    ln_tensor_free(&p[i].value);
    ln_tensor_free(&p[i].grad);
  }
}

void ln_layer_free(ln_layer *l) {
  if (l == NULL) return;
  release_params(l->params, l->nparams);
  release_params(l->state, l->nstate);
  if (l->cls->destroy) l->cls->destroy(l);
  free(l);
}

int64_t ln_shape_numel(const ln_shape *s) {
  int64_t n;
  return s->ndim >= 0 && s->ndim <= LN_SHAPE_MAX && ln_prod_i64(s->ndim, s->dim, &n) ? n : -1;
}

int ln_shape_check(const ln_shape *s, const char *what) {
  int64_t n = ln_shape_numel(s);
  if (s->ndim < 1 || s->ndim > LN_SHAPE_MAX)
    return ln_fail(LN_EARG, "%s has %d dimensions per sample, not 1 to %d", what, s->ndim, LN_SHAPE_MAX);
  for (int i = 0; i < s->ndim; i++)
    if (s->dim[i] < 1)
      return ln_fail(LN_EARG, "%s: size %lld in dimension %d is not positive", what, (long long)s->dim[i], i + 1);
  if (n < 0 || n > LN_SAMPLE_MAX)
    return ln_fail(LN_EARG, "%s has too many values per sample (at most %d)", what, LN_SAMPLE_MAX);
  return LN_OK;
}

void ln_shape_set(ln_shape *s, int ndim, int64_t d0, int64_t d1, int64_t d2) {
  s->ndim = ndim;
  s->dim[0] = d0, s->dim[1] = d1, s->dim[2] = d2, s->dim[3] = 0;
}

static void init_param(ln_param *p, const char *name, const ln_shape *shape, int decay) {
  memset(p, 0, sizeof *p);
  p->name = name;
  p->shape = *shape;
  p->decay = decay;
}

ln_param *ln_layer_add_param(ln_layer *l, const char *name, const ln_shape *shape, int decay) {
  ln_param *p = &l->params[l->nparams++];
  init_param(p, name, shape, decay);
  return p;
}

ln_param *ln_layer_add_state(ln_layer *l, const char *name, const ln_shape *shape, double value) {
  ln_param *p = &l->state[l->nstate++];
  init_param(p, name, shape, 0);
  p->init_value = value;
  return p;
}

ln_tensor ln_as_matrix(const ln_tensor *t) {
  ln_tensor m = *t;
  int64_t rows = t->ndim ? t->shape[0] : 1;
  m.ndim = 2;
  m.shape[0] = rows;
  m.shape[1] = rows ? ln_numel(t) / rows : 0;
  m.stride[1] = 1;
  m.stride[0] = m.shape[1];
  return m;
}

int ln_workspace(ln_tensor *w, ln_dtype dt, int64_t rows, int64_t cols) {
  int64_t shape[2] = {rows, cols}, n;
  if (!ln_mul_i64(rows, cols, &n)) return ln_fail(LN_EARG, "workspace of %lld x %lld values is too large",
                                                  (long long)rows, (long long)cols);
  if (w->storage && ln_numel(w) >= n && w->dtype == dt) return LN_OK;
  ln_tensor_free(w);
  return ln_tensor_new(w, dt, 2, shape);
}
