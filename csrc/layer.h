/*
** layer.h: what every layer is. A layer maps a mini-batch x of shape
** (batch, in...) to y of shape (batch, out...) and back-propagates dy to dx
** while adding its parameters' gradients. Each kind of layer is one struct
** that begins with an ln_layer, and one ln_layer_class of functions, in
** its own file (dense.c, act.c, dropout.c, reshape.c, conv.c, pool.c,
** batchnorm.c).
**
** Parameters are not owned by the layer: the network (net.c) allocates one
** block for all parameters and one for all gradients and gives each layer
** views into them.
*/
#ifndef LN_LAYER_H
#define LN_LAYER_H

#include "kern.h"
#include "rng.h"
#include "tensor.h"

#define LN_MAXPARAMS 4
#define LN_SHAPE_MAX 4

typedef enum {
  LN_LAYER_DENSE, LN_LAYER_ACT, LN_LAYER_SOFTMAX, LN_LAYER_DROPOUT,
  LN_LAYER_CONV, LN_LAYER_POOL, LN_LAYER_BATCHNORM, LN_LAYER_RESHAPE,
  LN_LAYER_NTYPES
} ln_layer_type;

/* Everything that defines a layer: what Lua describes and model files
** store. Each layer reads the fields that concern it. */
typedef struct ln_layer_spec {
  ln_layer_type type;
  int64_t n_in, n_out;        /* dense */
  ln_act act;                 /* act */
  double p;                   /* dropout: probability of dropping */
  int64_t maps, kernel, stride, pad;  /* conv: output maps; conv and pool: window */
  ln_poolkind pool;           /* pool */
  double eps, momentum;       /* batchnorm */
  int shape_ndim;             /* reshape: per-sample shape */
  int64_t shape[LN_SHAPE_MAX];
  double w_std, b_std;        /* initial weights ~ N(0, w_std^2), biases ~ N(0, b_std^2) */
} ln_layer_spec;

/* Per-sample shape: (n) for vectors, (channels, height, width) for images. */
typedef struct ln_shape {
  int ndim;
  int64_t dim[LN_SHAPE_MAX];
} ln_shape;

typedef struct ln_param {
  const char *name;           /* "weight", "bias", "gamma", "beta", "running_mean" ... */
  ln_shape shape;
  int decay;                  /* regularised by L1/L2 (weights) or not (biases) */
  double init_std;            /* initial values ~ N(0, init_std^2) when > 0, */
  double init_value;          /* else all init_value */
  ln_tensor value, grad;      /* views into the network's blocks */
} ln_param;

typedef struct ln_layer ln_layer;

/* How a forward pass runs. */
typedef struct ln_mode {
  int train;                  /* training: dropout drops, batch norm uses batch statistics */
  int reuse_masks;            /* dropout repeats its last mask (gradient checks) */
  ln_rng *rng;
  int probe;                  /* gradients are looked at, not learned from: batch norm
                              ** leaves its running averages as they are */
  int infer;                  /* evaluation: no backward pass follows, so a layer need not keep
                              ** what its backward would read (conv works in cache-sized slices) */
  int same_params;            /* the parameters are those of this network's last forward pass
                              ** (a later chunk of one data set): a layer may reuse what it
                              ** derived from them then (dense: W transposed) */
} ln_mode;

/* One layer's share of Pearlmutter's R-operator, R{g} = d/dr g(w + r v) at
** r = 0 for a direction v in parameter space (hessian.c). The forward
** R-pass writes ry = R{y} from rx = R{x}; the backward R-pass writes
** rdx = R{dC/dx} (when not NULL) from dy = dC/dy and rdy = R{dC/dy}, and
** adds R{dC/dp} (the layer's rows of Hv) to hv[j] for each parameter j.
** v[j] and hv[j] are views shaped like params[j]. All batch tensors are
** contiguous (batch, ...) of the layer's dtype; x, y are the last forward's
** (evaluation mode). rx_zero: R{x} is zero (the network's input), so its
** terms may be skipped. */
typedef struct ln_rop {
  int rx_zero;
  ln_tensor x, y, rx, ry;
  ln_tensor dy, rdy;
  const ln_tensor *rdx;
  const ln_tensor *v;
  const ln_tensor *hv;
} ln_rop;

typedef struct ln_layer_class {
  const char *name;
  /* x: (batch, in...), y: (batch, out...), both contiguous */
  int (*forward)(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode);
  /* Adds parameter gradients for this batch and, when dx is not NULL, writes
  ** dx. x and y are those of the last forward. */
  int (*backward)(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                  const ln_tensor *dx);
  /* Workspace for mini-batches of up to `batch` samples (NULL: none). */
  int (*reserve)(ln_layer *l, int64_t batch);
  void (*destroy)(ln_layer *l);   /* frees the workspace (NULL: none) */
  /* The R-operator (see ln_rop); NULL: this kind does not support it. */
  int (*rop_forward)(ln_layer *l, const ln_rop *r);
  int (*rop_backward)(ln_layer *l, const ln_rop *r);
} ln_layer_class;

struct ln_layer {
  const ln_layer_class *cls;
  /* Plain SGD folded into the backward pass (train.c sets it around the
  ** mini-batches of an epoch it can fold, for dense layers only): the pass
  ** then steps the parameters itself, as the optimiser's kernel would with
  ** this step, instead of adding to their gradients. NULL otherwise. */
  const ln_step *fuse;
  ln_layer_spec spec;
  ln_dtype dtype;
  ln_shape in, out;
  int nparams;
  ln_param params[LN_MAXPARAMS];   /* trained */
  int nstate;
  ln_param state[LN_MAXPARAMS];    /* saved but not trained: batch norm's running averages */
};

/* Makes the layer a spec describes for inputs of shape `in`, checking that
** they fit. Parameter views are empty until the network assigns them. */
int ln_layer_new(ln_layer **out, const ln_layer_spec *spec, ln_dtype dt, const ln_shape *in);
void ln_layer_free(ln_layer *l);
const char *ln_layer_type_name(ln_layer_type t);

/* Values per sample of any layer's input or output: they fit an int, as the
** kernels' loops and BLAS's dimensions need. */
#define LN_SAMPLE_MAX INT32_MAX

/* helpers for the layer files */
/* The product of the sizes, or -1 when one is negative or it overflows. */
int64_t ln_shape_numel(const ln_shape *s);
/* LN_OK when every size is >= 1 and they multiply to at most LN_SAMPLE_MAX;
** else a message about `what` ("its input", "a network's input"). */
int ln_shape_check(const ln_shape *s, const char *what);
void ln_shape_set(ln_shape *s, int ndim, int64_t d0, int64_t d1, int64_t d2);
ln_param *ln_layer_add_param(ln_layer *l, const char *name, const ln_shape *shape, int decay);
ln_param *ln_layer_add_state(ln_layer *l, const char *name, const ln_shape *shape, double value);
/* A (batch, numel) view of a contiguous batch tensor, borrowing its storage. */
ln_tensor ln_as_matrix(const ln_tensor *t);
/* Allocates (or grows) a workspace tensor of the layer's dtype. */
int ln_workspace(ln_tensor *w, ln_dtype dt, int64_t rows, int64_t cols);

/* the constructors, one per layer file */
int ln_dense_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_act_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_softmax_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_dropout_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_conv_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_pool_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_batchnorm_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);
int ln_reshape_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in);

#endif
