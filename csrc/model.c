/*
** model.c: saving and loading networks.
**
** Format (version 1), every number little-endian:
**   "LUNETNET"                  8-byte magic
**   u32 version (1), u32 dtype (0 float32, 1 float64), u32 has_cost, u32 cost
**   u32 input ndim, u64 input sizes[4]
**   u32 layer count, then per layer a fixed record of its spec:
**     u32 type, u64 n_in, u64 n_out, u32 act, f64 p, u64 maps, u64 kernel,
**     u64 stride, u64 pad, u32 pool, f64 eps, f64 momentum, u32 shape_ndim,
**     u64 shape[4], f64 w_std, f64 b_std
**   u64 parameter count, u64 state count
**   the parameters, then the state, as float32 or float64
**   u32 CRC-32 (zlib's) of every byte before it
** Saving writes a temporary file and renames it; loading checks the
** checksum first, then every field, and rebuilds the network from its specs.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytes.h"
#include "fileio.h"
#include "model.h"
#include "ops.h"

#define MAGIC "LUNETNET"
#define VERSION 1
#define LAYER_RECORD (4 + 8 + 8 + 4 + 8 + 8 * 4 + 4 + 8 + 8 + 4 + 8 * 4 + 8 + 8)

static void put_spec(ln_obuf *b, const ln_layer_spec *s) {
  ln_put_u32(b, (uint32_t)s->type);
  ln_put_u64(b, (uint64_t)s->n_in);
  ln_put_u64(b, (uint64_t)s->n_out);
  ln_put_u32(b, (uint32_t)s->act);
  ln_put_f64(b, s->p);
  ln_put_u64(b, (uint64_t)s->maps);
  ln_put_u64(b, (uint64_t)s->kernel);
  ln_put_u64(b, (uint64_t)s->stride);
  ln_put_u64(b, (uint64_t)s->pad);
  ln_put_u32(b, (uint32_t)s->pool);
  ln_put_f64(b, s->eps);
  ln_put_f64(b, s->momentum);
  ln_put_u32(b, (uint32_t)s->shape_ndim);
  for (int i = 0; i < LN_SHAPE_MAX; i++) ln_put_u64(b, (uint64_t)s->shape[i]);
  ln_put_f64(b, s->w_std);
  ln_put_f64(b, s->b_std);
}

/* Values no network holds after training: NaN or infinite parameters or
** state, a negative running variance (batch norm's square root of it).
** Each makes every output NaN, and every prediction class 0, silently: a
** file is refused with them, and none is written with them. */
static int check_values(const ln_net *net) {
  int64_t bad;
  if (ln_count_nonfinite(&net->params, &bad) == LN_OK && bad > 0)
    return ln_fail(LN_EARG, "the network has %lld NaN or infinite parameters", (long long)bad);
  if (ln_count_nonfinite(&net->state, &bad) == LN_OK && bad > 0)
    return ln_fail(LN_EARG, "the network's state has %lld NaN or infinite values", (long long)bad);
  for (int i = 0; i < net->nlayers; i++)
    for (int j = 0; j < net->layers[i]->nstate; j++) {
      const ln_param *p = &net->layers[i]->state[j];
      if (strcmp(p->name, "running_var") != 0) continue;
      for (int64_t k = 0; k < ln_numel(&p->value); k++)
        if (ln_get_flat(&p->value, k) < 0)
          return ln_fail(LN_EARG, "layer %d's running_var[%lld] is %g, and a variance is never negative", i + 1,
                         (long long)k + 1, ln_get_flat(&p->value, k));
    }
  return LN_OK;
}

int ln_model_encode(const ln_net *net, unsigned char **data, size_t *len) {
  ln_obuf b = {0};
  int st;
  *data = NULL;
  *len = 0;
  if (!net->finished) return ln_fail(LN_EARG, "network is not finished");
  if ((st = check_values(net)) != LN_OK) return st;
  ln_put(&b, MAGIC, 8);
  ln_put_u32(&b, VERSION);
  ln_put_u32(&b, (uint32_t)net->dtype);
  ln_put_u32(&b, (uint32_t)net->has_cost);
  ln_put_u32(&b, (uint32_t)net->cost);
  ln_put_u32(&b, (uint32_t)net->in.ndim);
  for (int i = 0; i < LN_SHAPE_MAX; i++) ln_put_u64(&b, (uint64_t)(i < net->in.ndim ? net->in.dim[i] : 0));
  ln_put_u32(&b, (uint32_t)net->nlayers);
  for (int i = 0; i < net->nlayers; i++) put_spec(&b, &net->layers[i]->spec);
  ln_put_u64(&b, (uint64_t)ln_numel(&net->params));
  ln_put_u64(&b, (uint64_t)ln_numel(&net->state));
  ln_put_values(&b, &net->params);
  ln_put_values(&b, &net->state);
  if (!b.failed) ln_put_u32(&b, (uint32_t)crc32_z(0L, b.p, b.len));
  if (b.failed) {
    free(b.p);
    return ln_fail(LN_ENOMEM, "out of memory");
  }
  *data = b.p;
  *len = b.len;
  return LN_OK;
}

int ln_model_save(const ln_net *net, const char *path) {
  unsigned char *data;
  size_t len;
  ln_atomic_file af;
  int st = ln_model_encode(net, &data, &len);
  if (st != LN_OK) return st;
  if ((st = ln_atomic_open(&af, path)) == LN_OK) {
    int ok = ln_atomic_write(&af, data, len) == LN_OK;
    st = ln_atomic_close(&af, ok);
    if (!ok) st = LN_EIO;
  }
  free(data);
  return st;
}

/* ---- reading, every field bounds-checked -------------------------------- */

/* A size field: fits in int64 and is not absurd. */
static int64_t get_size(ln_ibuf *r, int *bad) {
  uint64_t v = ln_get_u64(r);
  if (v > (uint64_t)1 << 40) *bad = 1;
  return (int64_t)v;
}

/* A field that names one of n choices (an enum): out of range is bad even
** where the layer type ignores it, since the spec goes back to Lua whole. */
static int get_choice(ln_ibuf *r, uint32_t n, int *bad) {
  uint32_t v = ln_get_u32(r);
  if (v >= n) *bad = 1;
  return *bad ? 0 : (int)v;
}

/* A real field: NaN or an infinity is bad even where the layer type
** ignores it, since a NaN spec differs from itself and no network could
** then match the file's (checkpoint.c compares them). */
static double get_real(ln_ibuf *r, int *bad) {
  double v = ln_get_f64(r);
  if (!isfinite(v)) *bad = 1;
  return v;
}

static void get_spec(ln_ibuf *r, ln_layer_spec *s, int *bad) {
  memset(s, 0, sizeof *s);
  s->type = (ln_layer_type)get_choice(r, LN_LAYER_NTYPES, bad);
  s->n_in = get_size(r, bad);
  s->n_out = get_size(r, bad);
  s->act = (ln_act)get_choice(r, LN_ACT_STEP + 1, bad);
  s->p = get_real(r, bad);
  s->maps = get_size(r, bad);
  s->kernel = get_size(r, bad);
  s->stride = get_size(r, bad);
  s->pad = get_size(r, bad);
  s->pool = (ln_poolkind)get_choice(r, LN_POOL_L2 + 1, bad);
  s->eps = get_real(r, bad);
  s->momentum = get_real(r, bad);
  s->shape_ndim = get_choice(r, LN_SHAPE_MAX + 1, bad);
  for (int i = 0; i < LN_SHAPE_MAX; i++) s->shape[i] = get_size(r, bad);
  s->w_std = get_real(r, bad);
  s->b_std = get_real(r, bad);
}

static int corrupt(const char *path, const char *what) {
  return ln_fail(LN_EFORMAT, "%s: %s", path, what);
}

/* The input shape: 1 to 3 sizes, each at most 2^40 (get_size), whose
** product, a sample's element count, is an int (8 GB of float32 per
** sample): checked before any layer computes with it. */
static int check_input(const ln_shape *in, const char *path) {
  int64_t n;
  if (in->ndim < 1 || in->ndim > 3) return corrupt(path, "invalid header fields (input dimensions)");
  if (!ln_prod_i64(in->ndim, in->dim, &n) || !ln_fits_int(n))
    return corrupt(path, "invalid header fields (the input shape is too large)");
  return LN_OK;
}

/* Sum of the element counts of n parameters (or state), checked. */
static int param_total(const ln_param *ps, int n, uint64_t *total) {
  int64_t sum = 0, k;
  for (int i = 0; i < n; i++)
    if (!ln_prod_i64(ps[i].shape.ndim, ps[i].shape.dim, &k) || !ln_add_i64(sum, k, &sum)) return 0;
  *total = (uint64_t)sum;
  return 1;
}

/* The layers' parameter and state counts against the file's (the two
** u64 after the records) and the bytes that follow: before the network
** allocates its blocks, so a header cannot make it allocate more than the
** file holds. */
static int check_counts(ln_ibuf *r, const ln_net *net, const char *path, uint64_t *np_out) {
  uint64_t want_p = 0, want_s = 0;
  for (int i = 0; i < net->nlayers; i++) {
    const ln_layer *l = net->layers[i];
    uint64_t p, s;
    if (!param_total(l->params, l->nparams, &p) || !param_total(l->state, l->nstate, &s) ||
        !ln_add_size(want_p, p, &want_p) || !ln_add_size(want_s, s, &want_s))
      return corrupt(path, "the layers' parameter count is too large");
  }
  if (!ln_left(r, 16)) return corrupt(path, "truncated");
  uint64_t np = ln_get_u64(r), ns = ln_get_u64(r);
  size_t count, bytes;
  if (np != want_p || ns != want_s) return corrupt(path, "parameter count does not match the layers");
  if (!ln_add_size(np, ns, &count) || !ln_mul_size(count, ln_dtype_size(net->dtype), &bytes) ||
      r->len - r->pos != bytes)
    return corrupt(path, "parameter data has the wrong length");
  *np_out = np;
  return LN_OK;
}

static int parse(ln_ibuf *r, ln_net **out, const char *path) {
  ln_net *net = NULL;
  ln_shape in = {0};
  ln_rng unused;
  int bad = 0, st;
  size_t records;
  if (!ln_left(r, 8 + 4 * 6 + 8 * LN_SHAPE_MAX)) return corrupt(path, "truncated header");
  r->pos = 8;
  if (ln_get_u32(r) != VERSION) return corrupt(path, "unsupported model format version");
  uint32_t dtype = ln_get_u32(r), has_cost = ln_get_u32(r), cost = ln_get_u32(r);
  uint32_t ndim = ln_get_u32(r);
  in.ndim = ndim <= LN_SHAPE_MAX ? (int)ndim : 0;
  for (int i = 0; i < LN_SHAPE_MAX; i++) in.dim[i] = get_size(r, &bad);
  uint32_t nlayers = ln_get_u32(r);
  if (bad || dtype > 1 || has_cost > 1 || cost > LN_COST_LOG_LIKELIHOOD || nlayers < 1 ||
      !ln_mul_size(nlayers, LAYER_RECORD, &records) || !ln_left(r, records))
    return corrupt(path, "invalid header fields");
  if ((st = check_input(&in, path)) != LN_OK) return st;
  if ((st = ln_net_new(&net, (ln_dtype)dtype, &in)) != LN_OK) return st;
  for (uint32_t i = 0; i < nlayers && st == LN_OK; i++) {
    ln_layer_spec spec;
    get_spec(r, &spec, &bad);
    st = bad ? corrupt(path, "invalid layer record") : ln_net_add(net, &spec);
  }
  uint64_t np = 0;
  if (st == LN_OK) st = check_counts(r, net, path, &np);
  ln_rng_seed(&unused, 0);
  if (st == LN_OK) st = ln_net_finish(net, &unused);
  if (st == LN_OK && (uint64_t)ln_numel(&net->params) != np)   /* the blocks hold what was counted */
    st = corrupt(path, "parameter count does not match the layers");
  if (st == LN_OK && has_cost) st = ln_net_set_cost(net, (ln_costkind)cost);
  if (st == LN_OK) {
    ln_get_values(r, &net->params);
    ln_get_values(r, &net->state);
    if ((st = check_values(net)) == LN_OK) {
      *out = net;
      return LN_OK;
    }
    st = ln_fail_in(LN_EFORMAT, "%s", path);
  }
  ln_net_free(net);
  return st;
}

int ln_model_decode(ln_net **out, const unsigned char *data, size_t size, const char *path) {
  *out = NULL;
  if (size >= 8 && memcmp(data, "LUNETCKP", 8) == 0)   /* checkpoint.h's magic: a likely mix-up */
    return corrupt(path, "not a lunet model file but a training checkpoint (continue it with the trainer's resume)");
  if (size < 12 || memcmp(data, MAGIC, 8) != 0) return corrupt(path, "not a lunet model file (bad magic)");
  if (crc32_z(0L, data, size - 4) != ln_le32(data + size - 4))
    return corrupt(path, "checksum mismatch: the file is corrupt or truncated");
  ln_ibuf r = {data, size - 4, 0, 0};
  return parse(&r, out, path);
}

int ln_model_load(ln_net **out, const char *path) {
  unsigned char *data;
  size_t size;
  int st = ln_read_file(path, &data, &size);
  *out = NULL;
  if (st != LN_OK) return st;
  st = ln_model_decode(out, data, size, path);
  free(data);
  return st;
}
