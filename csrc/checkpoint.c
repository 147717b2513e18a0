/*
** checkpoint.c: see checkpoint.h. The network part is model.c's own
** image; this file adds the optimizer, the stream and the text around it.
*/
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "checkpoint.h"
#include "bytes.h"
#include "fileio.h"
#include "model.h"
#include "ops.h"

#define MAGIC "LUNETCKP"
#define VERSION 1

static double hp_value(const ln_step *h, const ln_hparam *p) {
  const char *at = (const char *)h + p->offset;
  if (p->boolean) return *(const int *)at;
  return *(const double *)at;
}

static void put_optim(ln_obuf *b, const ln_optim *o) {
  const ln_hparam *hp = ln_optim_hparams(o->h.kind);
  uint32_t count = 0;
  while (hp[count].name) count++;
  ln_put_u32(b, (uint32_t)o->h.kind);
  ln_put_u32(b, count);
  for (uint32_t i = 0; i < count; i++) ln_put_f64(b, hp_value(&o->h, &hp[i]));
  ln_put_u32(b, (uint32_t)o->reg);
  ln_put_f64(b, o->lambda);
  ln_put_u64(b, (uint64_t)o->n);
  ln_put_u64(b, (uint64_t)o->h.t);
  ln_put_u32(b, (uint32_t)o->dtype);
  ln_put_u64(b, (uint64_t)o->nparams);
  ln_put_u32(b, (uint32_t)o->nstate);
  for (int i = 0; i < o->nstate; i++) ln_put_values(b, &o->state[i]);
}

int ln_checkpoint_save(const char *path, const ln_net *net, const ln_optim *o, const ln_rng *rng,
                       const char *text, size_t text_len) {
  ln_obuf b = {0};
  unsigned char *model;
  size_t model_len;
  ln_atomic_file af;
  int st = ln_optim_check(o, net);
  if (st != LN_OK) return st;
  if ((st = ln_model_encode(net, &model, &model_len)) != LN_OK) return st;
  ln_put(&b, MAGIC, 8);
  ln_put_u32(&b, VERSION);
  ln_put_u64(&b, model_len);
  ln_put(&b, model, model_len);
  free(model);
  put_optim(&b, o);
  for (int i = 0; i < 4; i++) ln_put_u64(&b, rng->s[i]);
  ln_put_u64(&b, text_len);
  ln_put(&b, text, text_len);
  if (!b.failed) ln_put_u32(&b, (uint32_t)crc32_z(0L, b.p, b.len));
  if (b.failed) {
    free(b.p);
    return ln_fail(LN_ENOMEM, "out of memory");
  }
  if ((st = ln_atomic_open(&af, path)) == LN_OK) {
    int ok = ln_atomic_write(&af, b.p, b.len) == LN_OK;
    st = ln_atomic_close(&af, ok);
    if (!ok) st = LN_EIO;
  }
  free(b.p);
  return st;
}

/* ---- reading: every field checked before anything is restored ----------- */

static int corrupt(const char *path, const char *what) {
  return ln_fail(LN_EFORMAT, "%s: %s", path, what);
}

/* The fields that make two layers compute the same function of the same
** parameters (not how they were initialised). */
static int same_layer(const ln_layer_spec *a, const ln_layer_spec *b) {
  if (a->type != b->type || a->n_in != b->n_in || a->n_out != b->n_out || a->act != b->act || a->p != b->p ||
      a->maps != b->maps || a->kernel != b->kernel || a->stride != b->stride || a->pad != b->pad ||
      a->pool != b->pool || a->eps != b->eps || a->momentum != b->momentum || a->shape_ndim != b->shape_ndim)
    return 0;
  for (int i = 0; i < a->shape_ndim && i < LN_SHAPE_MAX; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  return 1;
}

static int same_network(const ln_net *saved, const ln_net *net, const char *path) {
  if (saved->dtype != net->dtype)
    return ln_fail(LN_EARG, "%s holds a %s network, this one is %s", path, ln_dtype_name(saved->dtype),
                   ln_dtype_name(net->dtype));
  if (saved->in.ndim != net->in.ndim || memcmp(saved->in.dim, net->in.dim, sizeof net->in.dim) != 0)
    return ln_fail(LN_EARG, "%s: the network's input shape differs from this one's", path);
  if (saved->nlayers != net->nlayers)
    return ln_fail(LN_EARG, "%s holds a network of %d layers, this one has %d", path, saved->nlayers,
                   net->nlayers);
  for (int i = 0; i < net->nlayers; i++)
    if (!same_layer(&saved->layers[i]->spec, &net->layers[i]->spec))
      return ln_fail(LN_EARG, "%s: layer %d (%s) differs from this network's layer %d (%s)", path, i + 1,
                     ln_layer_type_name(saved->layers[i]->spec.type), i + 1,
                     ln_layer_type_name(net->layers[i]->spec.type));
  if (saved->has_cost != net->has_cost || (net->has_cost && saved->cost != net->cost))
    return ln_fail(LN_EARG, "%s: the network's cost differs from this one's", path);
  if (ln_numel(&saved->params) != ln_numel(&net->params) || ln_numel(&saved->state) != ln_numel(&net->state))
    return ln_fail(LN_EARG, "%s: parameter counts differ from this network's", path);
  return LN_OK;
}

/* The optimizer record as stored; its state arrays stay in the file's
** bytes at state_at until everything has been checked. */
typedef struct saved_optim {
  uint32_t kind, count, reg, dtype, nstate;
  double hp[16];
  double lambda;
  uint64_t n, t, nparams;
  size_t state_at;
} saved_optim;

/* The stored state arrays' values, each one a value its array can hold
** (ln_optim_state_check): a NaN, or a negative sum of squares under a
** square root, would turn every parameter it touches into NaN at the
** first step after resuming. */
static int check_state(const unsigned char *p, const saved_optim *so, const char *path) {
  size_t size = ln_dtype_size((ln_dtype)so->dtype);
  for (uint32_t i = 0; i < so->nstate; i++)
    for (uint64_t j = 0; j < so->nparams; j++, p += size) {
      double v;
      if (so->dtype == LN_F64) {
        uint64_t bits = ln_le64(p);
        memcpy(&v, &bits, sizeof v);
      } else {
        uint32_t bits = ln_le32(p);
        float f;
        memcpy(&f, &bits, sizeof f);
        v = f;
      }
      if (ln_optim_state_check((ln_optkind)so->kind, (int)i, v) != LN_OK) {
        char why[200];   /* the message is rewritten below: copied out first */
        snprintf(why, sizeof why, "%s", ln_errmsg());
        return ln_fail(LN_EFORMAT, "%s: invalid optimizer state: element %llu of %s", path,
                       (unsigned long long)j + 1, why);
      }
    }
  return LN_OK;
}

static int read_optim(ln_ibuf *r, const char *path, saved_optim *so) {
  so->kind = ln_get_u32(r);
  so->count = ln_get_u32(r);
  if (r->short_read) return corrupt(path, "truncated optimizer record");
  if (so->kind >= LN_OPTIM_NKINDS) return corrupt(path, "unknown optimizer kind");
  const ln_hparam *hp = ln_optim_hparams((ln_optkind)so->kind);
  uint32_t expect = 0;
  while (hp[expect].name) expect++;
  if (so->count != expect || expect > 16) return corrupt(path, "optimizer hyperparameter count does not match its kind");
  for (uint32_t i = 0; i < so->count; i++) so->hp[i] = ln_get_f64(r);
  so->reg = ln_get_u32(r);
  so->lambda = ln_get_f64(r);
  so->n = ln_get_u64(r);
  so->t = ln_get_u64(r);
  so->dtype = ln_get_u32(r);
  so->nparams = ln_get_u64(r);
  so->nstate = ln_get_u32(r);
  if (r->short_read) return corrupt(path, "truncated optimizer record");
  if (so->reg > LN_REG_L1 || so->dtype > LN_F64 || so->nstate > LN_OPTIM_MAXSTATE || so->t >= (uint64_t)INT64_MAX ||
      so->nparams > ((uint64_t)1 << 40))
    return corrupt(path, "invalid optimizer record");
  ln_step h;   /* the stored values must pass the checks of an optimizer made with them */
  memset(&h, 0, sizeof h);
  h.kind = (ln_optkind)so->kind;
  for (uint32_t i = 0; i < so->count; i++) {
    char *at = (char *)&h + hp[i].offset;
    if (hp[i].boolean && so->hp[i] != 0 && so->hp[i] != 1)   /* written as 0 or 1 */
      return corrupt(path, "invalid optimizer hyperparameters");
    if (hp[i].boolean) *(int *)at = so->hp[i] != 0;
    else memcpy(at, &so->hp[i], sizeof(double));
  }
  if (ln_optim_check_hparams(&h) != LN_OK || ln_optim_check_dtype(&h, (ln_dtype)so->dtype) != LN_OK)
    return corrupt(path, "invalid optimizer hyperparameters");
  /* else no optimizer could match it, and a resume would blame the run */
  if (so->n < 1 || so->n > (uint64_t)INT64_MAX ||
      ln_optim_check_run(so->lambda, (int64_t)so->n, (ln_dtype)so->dtype) != LN_OK)
    return corrupt(path, "invalid optimizer record (regularisation or training set size)");
  if (so->nstate != (uint32_t)ln_optim_nstate(&h))
    return corrupt(path, "optimizer state count does not match its kind");
  so->state_at = r->pos;
  size_t bytes;
  const unsigned char *state;
  if (!ln_mul_size((size_t)so->nparams, ln_dtype_size((ln_dtype)so->dtype), &bytes) ||
      !ln_mul_size(bytes, so->nstate, &bytes) || (state = ln_take(r, bytes)) == NULL)
    return corrupt(path, "truncated optimizer state");
  return check_state(state, so, path);
}

/* The stored optimizer against o: same kind, hyperparameters (the
** scheduled ones aside: a schedule changes them), regularisation, training
** set size and state. */
static int same_optim(const saved_optim *so, const ln_optim *o, const char *path) {
  const ln_hparam *hp = ln_optim_hparams(o->h.kind);
  if (so->kind != (uint32_t)o->h.kind)
    return ln_fail(LN_EARG, "%s was made with the '%s' optimizer, this run uses '%s'", path,
                   ln_optim_names[so->kind], ln_optim_names[o->h.kind]);
  for (uint32_t i = 0; i < so->count; i++)
    if (!hp[i].scheduled && so->hp[i] != hp_value(&o->h, &hp[i]))
      return ln_fail(LN_EARG, "%s was made with %s = %g, this run has %g", path, hp[i].name, so->hp[i],
                     hp_value(&o->h, &hp[i]));
  if (so->reg != (uint32_t)o->reg || so->lambda != o->lambda)
    return ln_fail(LN_EARG, "%s was made with regularisation %s, lambda %g; this run has %s, %g", path,
                   so->reg == LN_REG_L2 ? "l2" : so->reg == LN_REG_L1 ? "l1" : "none", so->lambda,
                   o->reg == LN_REG_L2 ? "l2" : o->reg == LN_REG_L1 ? "l1" : "none", o->lambda);
  if (so->n != (uint64_t)o->n)
    return ln_fail(LN_EARG, "%s was made for a training set of %llu samples, this one has %lld", path,
                   (unsigned long long)so->n, (long long)o->n);
  if (so->nstate != (uint32_t)o->nstate)
    return ln_fail(LN_EARG, "%s holds %u optimizer state arrays, this optimizer keeps %d (momentum 0 in one run?)",
                   path, so->nstate, o->nstate);
  if (so->dtype != (uint32_t)o->dtype || so->nparams != (uint64_t)o->nparams)
    return ln_fail(LN_EARG, "%s: the optimizer state does not match this network's", path);
  return LN_OK;
}

/* Reads and checks every section; with net and o, checks they match and
** restores. Without them, only the text is returned (a look inside). */
static int parse(ln_ibuf *r, const char *path, ln_net *net, ln_optim *o, ln_rng *rng, char **text,
                 size_t *text_len) {
  ln_net *saved = NULL;
  saved_optim so;
  ln_rng stream;
  int st;
  memset(&so, 0, sizeof so);
  r->pos = 8;
  if (ln_get_u32(r) != VERSION) return corrupt(path, "unsupported checkpoint version");
  uint64_t model_len = ln_get_u64(r);
  const unsigned char *model = r->short_read || model_len > r->len ? NULL : ln_take(r, (size_t)model_len);
  if (model == NULL) return corrupt(path, "truncated network");
  if ((st = ln_model_decode(&saved, model, (size_t)model_len, path)) != LN_OK) return st;
  st = read_optim(r, path, &so);
  if (st == LN_OK && (so.dtype != (uint32_t)saved->dtype || so.nparams != (uint64_t)ln_numel(&saved->params)))
    st = corrupt(path, "optimizer state does not match the stored network");
  for (int i = 0; i < 4; i++) stream.s[i] = ln_get_u64(r);
  uint64_t tlen = ln_get_u64(r);
  const unsigned char *tp = NULL;
  if (st == LN_OK && (r->short_read || tlen != r->len - r->pos || (tp = ln_take(r, (size_t)tlen)) == NULL))
    st = corrupt(path, "the text section has the wrong length");
  if (st == LN_OK && (stream.s[0] | stream.s[1] | stream.s[2] | stream.s[3]) == 0)
    st = corrupt(path, "invalid random stream state");
  if (st == LN_OK && net) st = same_network(saved, net, path);
  if (st == LN_OK && o) st = same_optim(&so, o, path);
  if (st == LN_OK && (*text = malloc((size_t)tlen + 1)) == NULL) st = ln_fail(LN_ENOMEM, "out of memory");
  if (st == LN_OK) {
    memcpy(*text, tp, (size_t)tlen);
    (*text)[tlen] = '\0';
    *text_len = (size_t)tlen;
  }
  if (st == LN_OK && net && o) {   /* everything checked: restore */
    size_t bytes = (size_t)o->nparams * ln_dtype_size(o->dtype);
    memcpy(ln_data(&net->params), ln_data(&saved->params), ln_nbytes(&net->params));
    memcpy(ln_data(&net->state), ln_data(&saved->state), ln_nbytes(&net->state));
    for (int i = 0; i < o->nstate; i++) {
      ln_ibuf state = {r->p, r->len, so.state_at + (size_t)i * bytes, 0};
      ln_get_values(&state, &o->state[i]);
    }
    o->h.t = (int64_t)so.t;
    const ln_hparam *hp = ln_optim_hparams(o->h.kind);
    for (uint32_t i = 0; i < so.count; i++)
      if (hp[i].scheduled && !hp[i].boolean) memcpy((char *)&o->h + hp[i].offset, &so.hp[i], sizeof(double));
    *rng = stream;
  }
  ln_net_free(saved);
  return st;
}

static int read_checked(const char *path, unsigned char **data, size_t *size) {
  int st = ln_read_file(path, data, size);
  if (st != LN_OK) return st;
  if (*size >= 8 && memcmp(*data, "LUNETNET", 8) == 0)   /* model.c's magic: a likely mix-up */
    st = corrupt(path, "not a lunet checkpoint but a model file (written by save)");
  else if (*size < 16 || memcmp(*data, MAGIC, 8) != 0) st = corrupt(path, "not a lunet checkpoint (bad magic)");
  else if (crc32_z(0L, *data, *size - 4) != ln_le32(*data + *size - 4))
    st = corrupt(path, "checksum mismatch: the checkpoint is corrupt or truncated");
  if (st != LN_OK) free(*data);
  return st;
}

int ln_checkpoint_text(const char *path, char **text, size_t *text_len) {
  unsigned char *data;
  size_t size;
  int st;
  *text = NULL;
  *text_len = 0;
  if ((st = read_checked(path, &data, &size)) != LN_OK) return st;
  ln_ibuf r = {data, size - 4, 0, 0};
  st = parse(&r, path, NULL, NULL, NULL, text, text_len);
  free(data);
  return st;
}

int ln_checkpoint_load(const char *path, ln_net *net, ln_optim *o, ln_rng *rng, char **text,
                       size_t *text_len) {
  unsigned char *data;
  size_t size;
  int st = ln_optim_check(o, net);
  *text = NULL;
  *text_len = 0;
  if (st != LN_OK) return st;
  if ((st = read_checked(path, &data, &size)) != LN_OK) return st;
  ln_ibuf r = {data, size - 4, 0, 0};
  st = parse(&r, path, net, o, rng, text, text_len);
  free(data);
  return st;
}
