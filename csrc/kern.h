/*
** kern.h: the numeric loops, once per dtype.
**
** Everything that touches elements lives here, written once over a type
** `real` in the csrc/real/ include files and compiled twice (kern_f32.c, kern_f64.c),
** the way Torch's TH generic files were. The rest of the core is written
** over ln_tensor and picks the table with ln_kern_for(dtype), so a layer
** has one forward and one backward for both float32 and float64.
**
** Pointers are to the first element; n, strides and offsets count
** elements. Matrices are row-major. A *_ref entry is the plain reference
** kernel kept beside the fast one; the specs compare the two.
*/
#ifndef LN_KERN_H
#define LN_KERN_H

#include "ln.h"
#include "rng.h"

typedef enum {
  LN_ADD, LN_SUB, LN_MUL, LN_DIV, LN_POW, LN_MAXIMUM, LN_MINIMUM,
  LN_EQ, LN_NE, LN_LT, LN_LE, LN_GT, LN_GE
} ln_binop;

typedef enum {
  LN_NEG, LN_EXP, LN_LOG, LN_SQRT, LN_ABS, LN_TANH, LN_SIGMOID, LN_RELU,
  LN_SIGN, LN_CLAMP, LN_POWS, LN_AFFINE,  /* AFFINE: a*x + b */
  LN_SIGMOID_PRIME, LN_LOGIT              /* s(x)(1 - s(x)); log(x / (1 - x)) */
} ln_unop;

typedef enum {
  LN_RSUM, LN_RSUMSQ, LN_RSUMABS, LN_RSUMPOW, LN_RMAX, LN_RMIN,
  LN_RSUMSQDEV,   /* sum of (x - p)^2: the variance given the mean p */
  LN_RNAN         /* count of non-finite elements */
} ln_redop;

/* LN_ACT_STEP is the perceptron's threshold: 1 where z > 0, else 0. Its
** derivative is 0 wherever it exists, so gradients refuse it (net.c). New
** kinds go last: model files store the number. */
typedef enum { LN_ACT_SIGMOID, LN_ACT_TANH, LN_ACT_RELU, LN_ACT_IDENTITY, LN_ACT_STEP } ln_act;
typedef enum { LN_COST_QUADRATIC, LN_COST_CROSS_ENTROPY, LN_COST_LOG_LIKELIHOOD } ln_costkind;
typedef enum { LN_REG_NONE, LN_REG_L2, LN_REG_L1 } ln_reg;
typedef enum { LN_POOL_MAX, LN_POOL_AVG, LN_POOL_L2 } ln_poolkind;

/* Optimiser kinds; their names, state and checks are in optim.c. */
typedef enum {
  LN_OPTIM_SGD, LN_OPTIM_ADAGRAD, LN_OPTIM_RMSPROP, LN_OPTIM_ADAM, LN_OPTIM_ADAMW, LN_OPTIM_ADAMAX, LN_OPTIM_NKINDS
} ln_optkind;

/* What one optimiser step reads: the kind, its hyperparameters and the
** regularisation of the run of parameters it is given (c = lambda / n). */
typedef struct ln_step {
  ln_optkind kind;
  double eta;
  double momentum;           /* sgd: mu, 0 for plain SGD */
  int nesterov;              /* sgd */
  double beta1, beta2;       /* adam, adamw, adamax: decay of the mean and of the mean square */
  double rho;                /* rmsprop: decay of the mean square */
  double eps;                /* adagrad, rmsprop, adam, adamw: added to the root */
  double weight_decay;       /* adamw: decoupled decay of the decayed parameters */
  ln_reg reg;                /* LN_REG_NONE for parameters that are not decayed */
  double c;
  int decay;                 /* the run is one of decayed parameters (weights) */
  int64_t t;                 /* steps taken so far, this one included */
} ln_step;

/* How a virtual sample of an expanded data set is made from a stored one. */
typedef enum { LN_TR_IDENTITY, LN_TR_SHIFT, LN_TR_ROTATE, LN_TR_SKEW, LN_TR_ELASTIC } ln_trkind;
typedef struct ln_transform {
  ln_trkind kind;
  int dx, dy;              /* LN_TR_SHIFT: pixels right and down */
  double max_degrees;      /* LN_TR_ROTATE: angle drawn in [-max, max] per image */
  uint64_t seed;           /* ROTATE, SKEW, ELASTIC: the draw is a function of (seed, image) */
  double max_skew;         /* LN_TR_SKEW: horizontal shear factor drawn in [-max, max] */
  double alpha, sigma;     /* LN_TR_ELASTIC: Simard et al.'s scale and Gaussian width, pixels */
} ln_transform;

/* The largest image (h * w) an elastic distortion works on: its
** displacement fields live on the stack of the gathering thread. */
#define LN_ELASTIC_MAX_PIXELS 4096

/* a convolution's geometry, per sample (see conv.c) */
typedef struct ln_convgeom {
  int c_in, h_in, w_in;      /* input maps and their size */
  int c_out, k_h, k_w;       /* output maps, kernel size */
  int stride, pad;
  int h_out, w_out;
} ln_convgeom;

/* a pooling window's geometry, per sample (see pool.c) */
typedef struct ln_poolgeom {
  int c, h_in, w_in;
  int k, stride;
  int h_out, w_out;
} ln_poolgeom;

typedef struct ln_kern {
  /* ---- elements (real/tensor.inc) ---- */
  double (*get)(const void *x, int64_t i);
  void (*set)(void *x, int64_t i, double v);
  void (*convert)(int64_t n, void *y, int64_t sy, ln_dtype xdt, const void *x, int64_t sx);
  void (*fill)(int64_t n, void *y, int64_t sy, double v);
  void (*unary)(ln_unop op, int64_t n, const void *x, int64_t sx, void *y, int64_t sy, double a,
                double b);
  void (*binary)(ln_binop op, int64_t n, const void *x, int64_t sx, const void *y, int64_t sy,
                 void *z, int64_t sz);
  double (*reduce)(ln_redop op, int64_t n, const void *x, int64_t sx, double p, int64_t *arg);
  void (*uniform)(ln_rng *r, int64_t n, void *y, int64_t sy, double lo, double hi);
  void (*normal)(ln_rng *r, int64_t n, void *y, int64_t sy, double mean, double std);

  /* ---- BLAS (real/blas.inc); ta/tb: 1 to transpose ---- */
  void (*gemm)(int ta, int tb, int m, int n, int k, double alpha, const void *a, int lda,
               const void *b, int ldb, double beta, void *c, int ldc);
  void (*gemm_ref)(int ta, int tb, int m, int n, int k, double alpha, const void *a, int lda,
                   const void *b, int ldb, double beta, void *c, int ldc);
  void (*gemv)(int ta, int m, int n, double alpha, const void *a, int lda, const void *x,
               int incx, double beta, void *y, int incy);
  double (*dot)(int n, const void *x, int incx, const void *y, int incy);
  void (*ger)(int m, int n, double alpha, const void *x, int incx, const void *y, int incy,
              void *a, int lda);
  void (*axpy)(int64_t n, double alpha, const void *x, void *y);        /* y += alpha x */
  void (*scal)(int64_t n, double alpha, void *x);

  /* ---- layers, costs, optimizers (real/nn.inc) ---- */
  void (*bias_add)(int64_t batch, int64_t n, void *y, const void *b);
  void (*bias_grad)(int64_t batch, int64_t n, const void *dy, void *db);
  void (*act_forward)(ln_act kind, int64_t n, const void *x, void *y);
  void (*act_backward)(ln_act kind, int64_t n, const void *y, const void *dy, void *dx);
  void (*softmax_forward)(int64_t batch, int64_t n, const void *x, void *y);
  void (*softmax_backward)(int64_t batch, int64_t n, const void *y, const void *dy, void *dx);
  /* rows (batch, n) in place: softmax, or log-softmax (x - max - log sum exp(x - max)) */
  void (*softmax_rows)(int64_t batch, int64_t n, void *y, int log);
  void (*dropout_forward)(ln_rng *r, int64_t n, double p, const void *x, void *y, void *mask,
                          int reuse_mask);
  double (*cost_sum)(ln_costkind kind, int64_t batch, int64_t n, const void *a, const void *t);
  void (*cost_grad)(ln_costkind kind, int64_t m, const void *a, const void *t, double scale, void *da);
  void (*cost_grad_fused)(int64_t m, const void *a, const void *t, double scale, void *dz);
  void (*argmax_rows)(int64_t batch, int64_t n, const void *a, int64_t *out);
  void (*reg_grad)(ln_reg reg, int64_t n, double c, const void *w, void *g);
  double (*reg_penalty)(ln_reg reg, int64_t n, double c, const void *w);
  /* One optimiser step over n parameters w with gradients g and the
  ** kind's state arrays (each n long, NULL where the kind has none). */
  void (*optim_step)(const ln_step *s, int64_t n, void *w, const void *g, void *const *state);

  /* batch normalisation, x: (batch, c, s) */
  void (*bn_train_forward)(int64_t batch, int64_t c, int64_t s, double eps, const void *x, void *y,
                           const void *gamma, const void *beta, void *xhat, void *mean, void *inv_std);
  void (*bn_update_running)(int64_t c, double momentum, double m, double eps, const void *mean,
                            const void *inv_std, void *rmean, void *rvar);
  void (*bn_eval_forward)(int64_t batch, int64_t c, int64_t s, double eps, const void *x, void *y,
                          const void *gamma, const void *beta, const void *rmean, const void *rvar);
  void (*bn_train_backward)(int64_t batch, int64_t c, int64_t s, const void *dy, const void *xhat,
                            const void *gamma, const void *inv_std, void *dx, void *dgamma, void *dbeta);

  /* ---- convolution and pooling (real/conv.inc) ---- */
  void (*im2col)(const ln_convgeom *g, int64_t batch, const void *x, void *col);
  void (*col2im)(const ln_convgeom *g, int64_t batch, const void *col, void *dx);
  void (*unfold_batch)(int64_t batch, int64_t c, int64_t p, const void *t, const void *bias, void *y);
  void (*fold_batch)(int64_t batch, int64_t c, int64_t p, const void *y, void *t);
  void (*bias_maps)(int64_t batch, int64_t c, int64_t p, const void *bias, void *y);   /* y[b, c, q] += bias[c] */
  void (*conv_forward_ref)(const ln_convgeom *g, int64_t batch, const void *x, const void *w,
                           const void *bias, void *y);
  void (*conv_backward_input_ref)(const ln_convgeom *g, int64_t batch, const void *dy, const void *w,
                                  void *dx);
  void (*conv_backward_weight_ref)(const ln_convgeom *g, int64_t batch, const void *x, const void *dy,
                                   void *dw);
  void (*pool_forward)(ln_poolkind kind, const ln_poolgeom *g, int64_t images, const void *x, void *y,
                       int32_t *arg);
  void (*pool_backward)(ln_poolkind kind, const ln_poolgeom *g, int64_t images, const void *x,
                        const void *y, const void *dy, const int32_t *arg, void *dx);

  /* ---- data (real/data.inc) ---- */
  /* dst[k] = transform of sample index[k] of src (n_base samples of h x w
  ** images, or rows of row_len values when there are no transforms) */
  void (*gather)(int64_t count, const int64_t *index, int64_t n_base, const ln_transform *tr,
                 int h, int w, int64_t row_len, ln_dtype sdt, const void *src, void *dst);
  /* targets: one-hot rows from labels (n_out classes), or copied rows */
  void (*gather_targets)(int64_t count, const int64_t *index, int64_t n_base, int64_t n_out,
                         int labels, ln_dtype sdt, const void *src, void *dst);
} ln_kern;

extern const ln_kern ln_kern_f32, ln_kern_f64;

static inline const ln_kern *ln_kern_for(ln_dtype dt) {
  return dt == LN_F64 ? &ln_kern_f64 : &ln_kern_f32;
}

#endif
