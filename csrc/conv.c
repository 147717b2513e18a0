/*
** conv.c: 2-d convolution with several input and output maps, shared
** weights and one bias per output map, over a whole mini-batch through
** im2col + one GEMM.
**   x: (batch, c_in, h, w)  W: (c_out, c_in, k, k)  b: (c_out)  y: (batch, c_out, h_out, w_out)
**   col: (c_in k k, batch p), p = h_out w_out: every receptive field as a column
** Forward is y = W col + b. Backward: dW = dy col^T, db = sums of dy, and
** dx = col2im(W^T dy), which is the lecture's full convolution of the
** errors with the kernels rotated by 180 degrees, summed over output maps,
** rearranged as one product (the reference kernel in real/conv.inc writes
** that convolution out literally and the specs compare the two).
*/
#include <stdlib.h>

#include "blas.h"
#include "conv_direct.h"
#include "conv_flat.h"
#include "layer.h"
#include "ops.h"
#include "parallel.h"
#include "profile.h"

typedef struct conv {
  ln_layer base;
  ln_convgeom g;
  ln_tensor col;      /* (c_in k k, batch p), in blocks per part (see block) */
  ln_tensor dcol;     /* same: W^T dy, kept apart so col stays valid */
  ln_tensor t;        /* (c_out, batch p) in blocks: the product, then dy in that layout */
  ln_tensor ones;     /* (batch p) ones: db as one matrix-vector product */
  ln_tensor partial;  /* (parts - 1, dW and db): the other threads' shares of the gradients */
  ln_tensor wt;       /* (k k, c_in, c_out): the weights as the written-out dx reads them (fast or flat) */
  int parts;          /* how the last forward pass split the batch */
  int fast;           /* conv_direct.c takes this geometry on this CPU (float32 only: see written_out) */
  int flat;           /* conv_flat.c takes it (the same) */
  int how;            /* the kernels of the last forward pass (written_out), which its backward must use */
  ln_tensor rout, rin, zero_b, junk_b;   /* the R-operator's scratch (allocated on first use) */
} conv;

/* One pass of a convolution over a batch, as the threads share it. */
typedef struct pass {
  conv *c;
  const ln_kern *k;
  int64_t batch, p;
  const ln_tensor *x, *y, *dy, *dx;
  int64_t slice;        /* evaluation: images per product (0: the part's whole range, kept for backward) */
} pass;

/*
** Each part takes the images [b0, b1) and keeps its columns in a block of
** its own: col, dcol and t hold one (rows, (b1 - b0) p) matrix per part, one
** after the other, rather than a (rows, batch p) matrix whose rows the
** parts share. With shared rows, each core's prefetcher pulled the lines
** of the other core's columns, and two threads ran slower than one.
*/
typedef struct block {
  int64_t b0, b1;
  int cols;                    /* (b1 - b0) p: columns of this part's matrices */
  void *col, *dcol, *t, *x, *y; /* this part's matrices and images */
} block;

static block block_of(const pass *ps, int part, int nparts, const ln_tensor *x, const ln_tensor *y) {
  const ln_convgeom *g = &ps->c->g;
  int64_t kk = (int64_t)g->c_in * g->k_h * g->k_w;
  int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * ps->p;
  block bl;
  ln_split(ps->batch, part, nparts, &bl.b0, &bl.b1);
  bl.cols = (int)((bl.b1 - bl.b0) * ps->p);
  bl.col = ln_data_at(&ps->c->col, kk * bl.b0 * ps->p);
  bl.dcol = ln_data_at(&ps->c->dcol, kk * bl.b0 * ps->p);
  bl.t = ln_data_at(&ps->c->t, g->c_out * bl.b0 * ps->p);
  bl.x = x ? ln_data_at(x, img_in * bl.b0) : NULL;
  bl.y = y ? ln_data_at(y, img_out * bl.b0) : NULL;
  return bl;
}

/* The profiler's clock inside a part: adds the time since t to the phase
** and returns the new start (only part 0 is timed, on the calling thread). */
static double lap(int timed, double t, int layer, ln_phase phase) {
  if (!timed) return t;
  double now = ln_prof_now();
  ln_prof_add(layer, "conv2d", phase, now - t);
  return now;
}

/*
** Layers with many output positions per image (the chapter-6 network's
** first, 576) multiply image by image, straight into y's (maps, h, w) and
** out of dy's: those products ran as fast as one over the whole batch
** (conv 1 forward: ten of 20x576x25 took 78 us against 82 us for one of
** 20x5760x25, CPU time), and the copies between the product's layout and
** the batch's (fold and unfold, a tenth of that layer's time) go. With
** few positions (64 in the second layer) ten products of 64 columns were
** slower than one of 640, so those keep the batch product and the copies.
** Per image, dW is summed image by image (the order of the additions
** differs from one product over the batch: rounding-level differences).
*/
#define DIRECT_P 256

static int direct(const pass *ps) {
  return ps->p >= DIRECT_P;
}

/* Float32 layers whose geometry conv_direct.c takes (both of the chapter-6
** network's: 25 and 500 weights a map, rows of 24 and 8) skip im2col, the
** layout copies and all products: the convolution, its weight gradient
** and dx are written out with AVX2, reading the images and dy in place
** (dx: see backward_written). Chapter-6
** network, mini-batch 10, one thread, CPU time per mini-batch (loaded
** machine): layer 1 forward 161 -> 64-89 us, backward 161-167 -> 89-126 us;
** layer 2 forward 394-432 -> 334-356 us (its backward: see
** backward_written). Taken alone (warm caches) layer 2's
** forward kernel runs at 73-97 GFLOP/s against OpenBLAS's 85 for the
** product alone, and it has no im2col (40 us) or unfold to pay, nor 1.28 MB
** of columns to stream through the cache. When OpenBLAS runs its AVX-512
** kernels (BLAS=native on this CPU) im2col + sgemm is the faster path:
** the chapter-6 epoch at mini-batch 10 took 5.2 s written out against
** about 3.5 s through SkylakeX products on one thread. */
enum { BY_GEMM, BY_AVX2, BY_AVX512 };

/*
** With AVX-512F the flat kernels of conv_flat.c take float32 stride-1
** layers (with or without padding), whichever kernels OpenBLAS runs (they are lunet's
** own: the platform's OPENBLAS_CORETYPE=Haswell does not restrict them).
** Chapter-6 network, mini-batch 10, one thread, epoch profile: the second
** layer's forward 1.32 -> 0.74 s and backward 3.04 -> 2.02 s against the
** AVX2 kernels; the epoch 5.7 -> 3.6-3.9 s (two threads 4.0 -> 2.7-3.0 s).
*/
static int written_out(const pass *ps) {
  const conv *c = ps->c;
  int level = ln_conv_level();
  if (c->base.dtype != LN_F32) return BY_GEMM;
  if (level >= 2 && c->flat) return BY_AVX512;
  if (level >= 1 && c->fast && !ln_blas_fn.avx512) return BY_AVX2;
  return BY_GEMM;
}

/* y of the block's images = W col + b */
static void forward_block(const pass *ps, const block *bl, int timed, int layer) {
  const conv *c = ps->c;
  int kk = c->g.c_in * c->g.k_h * c->g.k_w, p = (int)ps->p;
  const void *w = ln_data(&c->base.params[0].value), *bias = ln_data(&c->base.params[1].value);
  double t = timed ? ln_prof_now() : 0.0;
  size_t esize = ln_dtype_size(c->base.dtype);
  if (c->how == BY_AVX512) {   /* each image's shifted rows into its columns' space, for backward */
    ln_conv_flat_forward(&c->g, bl->b1 - bl->b0, bl->x, w, bias, bl->col, (int64_t)kk * p, bl->y);
    lap(timed, t, layer, LN_PH_PRODUCT);
    return;
  }
  if (c->how == BY_AVX2) {
    ln_conv_direct_forward(&c->g, bl->b1 - bl->b0, bl->x, w, bias, bl->y);
    lap(timed, t, layer, LN_PH_PRODUCT);
    return;
  }
  ps->k->im2col(&c->g, bl->b1 - bl->b0, bl->x, bl->col);
  t = lap(timed, t, layer, LN_PH_IM2COL);
  if (direct(ps)) {
    for (int64_t i = 0; i < bl->b1 - bl->b0; i++)
      ps->k->gemm(0, 0, c->g.c_out, p, kk, 1.0, w, kk, (char *)bl->col + (size_t)(i * p) * esize, bl->cols, 0.0,
                  (char *)bl->y + (size_t)(i * c->g.c_out * p) * esize, p);
    t = lap(timed, t, layer, LN_PH_PRODUCT);
    ps->k->bias_maps(bl->b1 - bl->b0, c->g.c_out, p, bias, bl->y);
  } else {
    ps->k->gemm(0, 0, c->g.c_out, bl->cols, kk, 1.0, w, kk, bl->col, bl->cols, 0.0, bl->t, bl->cols);
    t = lap(timed, t, layer, LN_PH_PRODUCT);
    ps->k->unfold_batch(bl->b1 - bl->b0, c->g.c_out, p, bl->t, bias, bl->y);
  }
  lap(timed, t, layer, LN_PH_LAYOUT);
}

/* y of images [b0, b1). Training keeps the part's columns for the backward
** pass; evaluation (ps->slice > 0) goes through the part's images a few at
** a time, reusing the start of its block, so that im2col's columns are
** still in cache when the product reads them (see SLICE_BYTES). */
static void forward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  block bl = block_of(ps, part, nparts, ps->x, ps->y);
  int timed = ln_prof_on && part == 0, layer = timed ? ln_prof_layer : -1;   /* the caller's, read by part 0 only */
  if (ps->slice <= 0) {
    forward_block(ps, &bl, timed, layer);
    return;
  }
  const ln_convgeom *g = &ps->c->g;
  size_t esize = ln_dtype_size(ps->c->base.dtype);
  int64_t img_in = (int64_t)g->c_in * g->h_in * g->w_in, img_out = (int64_t)g->c_out * ps->p;
  for (int64_t i0 = bl.b0; i0 < bl.b1; i0 += ps->slice) {
    block sub = bl;
    sub.b0 = i0;
    sub.b1 = i0 + ps->slice < bl.b1 ? i0 + ps->slice : bl.b1;
    sub.cols = (int)((sub.b1 - sub.b0) * ps->p);
    sub.x = (char *)bl.x + (size_t)((i0 - bl.b0) * img_in) * esize;
    sub.y = (char *)bl.y + (size_t)((i0 - bl.b0) * img_out) * esize;
    forward_block(ps, &sub, timed, layer);
  }
}

/* The gradients of images [b0, b1) image by image, dy read in place (see
** DIRECT_P): dW and db summed over the images (the first with beta, the
** rest adding), dcol = W^T dy into each image's columns. */
static void products_by_image(const pass *ps, const block *bl, void *dw, void *db, double beta) {
  const conv *c = ps->c;
  const ln_kern *k = ps->k;
  int kk = c->g.c_in * c->g.k_h * c->g.k_w, p = (int)ps->p, c_out = c->g.c_out;
  size_t esize = ln_dtype_size(c->base.dtype);
  const void *w = ln_data(&c->base.params[0].value), *ones = ln_data(&c->ones);
  for (int64_t i = 0; i < bl->b1 - bl->b0; i++) {
    const char *dy = (const char *)bl->y + (size_t)(i * c_out * p) * esize;
    const char *col = (const char *)bl->col + (size_t)(i * p) * esize;
    double b = i == 0 ? beta : 1.0;
    k->gemm(0, 1, c_out, kk, p, 1.0, dy, p, col, bl->cols, b, dw, kk);
    k->gemv(0, c_out, p, 1.0, dy, p, ones, 1, b, db, 1);
    if (ps->dx)
      k->gemm(1, 0, kk, p, c_out, 1.0, w, kk, dy, p, 0.0, (char *)bl->dcol + (size_t)(i * p) * esize, bl->cols);
  }
}

static void backward_direct(const pass *ps, const block *bl, void *dw, void *db, double beta, int timed,
                            int layer, double t) {
  products_by_image(ps, bl, dw, db, beta);
  t = lap(timed, t, layer, LN_PH_PRODUCT);
  if (ps->dx == NULL) return;
  ps->k->col2im(&ps->c->g, bl->b1 - bl->b0, bl->dcol, bl->x);
  lap(timed, t, layer, LN_PH_COL2IM);
}

/* conv_direct.c's gradients (written_out): dW and db straight from the
** images and dy, then dx as the full correlation of dy with the kernels
** (wt, flipped once per call by conv_backward), all read in place: no
** columns, no fold of dy, no col2im. Chapter-6 second layer, mini-batch 10,
** one thread, CPU time: dx 0.29 ms a mini-batch in the epoch's profile
** (alone, warm: 238 us, 107 GFLOP/s) where the fold, W^T dy and col2im
** took about 0.4-0.45; the layer's backward 0.67-0.73 -> 0.58-0.59 ms. */
static void backward_written(const pass *ps, const block *bl, void *dw, void *db, double beta, int timed,
                             int layer, double t) {
  const conv *c = ps->c;
  const void *x = ln_data_at(ps->x, (int64_t)c->g.c_in * c->g.h_in * c->g.w_in * bl->b0);
  ln_conv_direct_weight(&c->g, bl->b1 - bl->b0, x, bl->y, (float)beta, dw, db);
  t = lap(timed, t, layer, LN_PH_PRODUCT);
  if (ps->dx == NULL) return;
  ln_conv_direct_input(&c->g, bl->b1 - bl->b0, bl->y, ln_data(&c->wt), bl->x);
  lap(timed, t, layer, LN_PH_PRODUCT);
}

/* conv_flat.c's gradients: dW and db from the shifted rows the forward
** pass left in the block's columns, then dx through the block's dcol as
** scratch. (Sharing dW by output maps over the whole batch instead, each
** part reading the other's shifted rows, was slower: 3.2-3.3 s against
** 2.9-3.0 for the chapter-6 epoch at mini-batch 10 on two threads, one after
** the other.) */
static void backward_flat(const pass *ps, const block *bl, void *dw, void *db, double beta, int timed, int layer,
                          double t) {
  const conv *c = ps->c;
  int64_t kk = (int64_t)c->g.c_in * c->g.k_h * c->g.k_w;
  ln_conv_flat_weight(&c->g, bl->b1 - bl->b0, bl->col, kk * ps->p, bl->y, (float)beta, dw, db);
  t = lap(timed, t, layer, LN_PH_PRODUCT);
  if (ps->dx == NULL) return;
  ln_conv_flat_input(&c->g, bl->b1 - bl->b0, bl->y, ln_data(&c->wt), bl->dcol, bl->x);
  lap(timed, t, layer, LN_PH_PRODUCT);
}

/*
** Evaluation's images per product: as many as keep one slice's columns
** within SLICE_BYTES (at least one image). In chunks of 200 test images
** the second layer's columns were 25.6 MB, and im2col and the product ran
** from memory (im2col 2.3 times slower per image than in training's
** mini-batches of 10, the product at 65 GFLOP/s against 85).
*/
#define SLICE_BYTES (512 * 1024)

static int64_t eval_slice(const conv *c, int64_t p) {
  int64_t per_image = (int64_t)c->g.c_in * c->g.k_h * c->g.k_w * p * (int64_t)ln_dtype_size(c->base.dtype);
  return SLICE_BYTES / per_image > 1 ? SLICE_BYTES / per_image : 1;
}

static int conv_forward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_mode *mode) {
  conv *c = (conv *)l;
  pass ps = {c, ln_kern_for(l->dtype), x->shape[0], (int64_t)c->g.h_out * c->g.w_out, x, y, NULL, NULL, 0};
  if (mode && mode->infer) ps.slice = eval_slice(c, ps.p);
  c->parts = ps.batch < ln_parallel_threads() ? (int)ps.batch : ln_parallel_threads();
  c->how = written_out(&ps);
  ln_parallel_parts(forward_part, &ps, c->parts);
  return LN_OK;
}

/*
** The gradients of images [b0, b1): dy into the product's layout, their
** share of dW and db (part 0 adds to the gradients, part i > 0 writes its
** own slice of `partial`, summed afterwards), then W^T dy and their dx.
** The blocks are those the same part's forward wrote.
*/
static void backward_part(void *ctx, int part, int nparts) {
  pass *ps = ctx;
  conv *c = ps->c;
  const ln_kern *k = ps->k;
  int kk = c->g.c_in * c->g.k_h * c->g.k_w;
  int64_t slice = (int64_t)(part - 1) * (kk + 1) * c->g.c_out;   /* dW then db */
  void *dw = ln_data(&c->base.params[0].grad), *db = ln_data(&c->base.params[1].grad);
  double beta = 1.0;
  block bl = block_of(ps, part, nparts, ps->dx, ps->dy);
  if (part > 0) {
    dw = ln_data_at(&c->partial, slice);
    db = ln_data_at(&c->partial, slice + (int64_t)kk * c->g.c_out);
    beta = 0.0;
  }
  int timed = ln_prof_on && part == 0, layer = timed ? ln_prof_layer : -1;   /* the caller's, read by part 0 only */
  double t = timed ? ln_prof_now() : 0.0;
  if (c->how == BY_AVX512) {
    backward_flat(ps, &bl, dw, db, beta, timed, layer, t);
    return;
  }
  if (c->how == BY_AVX2) {
    backward_written(ps, &bl, dw, db, beta, timed, layer, t);
    return;
  }
  if (direct(ps)) {
    backward_direct(ps, &bl, dw, db, beta, timed, layer, t);
    return;
  }
  k->fold_batch(bl.b1 - bl.b0, c->g.c_out, ps->p, bl.y, bl.t);
  t = lap(timed, t, layer, LN_PH_LAYOUT);
  k->gemm(0, 1, c->g.c_out, kk, bl.cols, 1.0, bl.t, bl.cols, bl.col, bl.cols, beta, dw, kk);
  k->gemv(0, c->g.c_out, bl.cols, 1.0, bl.t, bl.cols, ln_data(&c->ones), 1, beta, db, 1);
  t = lap(timed, t, layer, LN_PH_PRODUCT);
  if (ps->dx == NULL) return;
  k->gemm(1, 0, kk, bl.cols, c->g.c_out, 1.0, ln_data(&c->base.params[0].value), kk, bl.t, bl.cols, 0.0,
          bl.dcol, bl.cols);
  t = lap(timed, t, layer, LN_PH_PRODUCT);
  k->col2im(&c->g, bl.b1 - bl.b0, bl.dcol, bl.x);
  lap(timed, t, layer, LN_PH_COL2IM);
}

static int conv_backward(ln_layer *l, const ln_tensor *x, const ln_tensor *y, const ln_tensor *dy,
                         const ln_tensor *dx) {
  conv *c = (conv *)l;
  pass ps = {c, ln_kern_for(l->dtype), x->shape[0], (int64_t)c->g.h_out * c->g.w_out, x, y, dy, dx, 0};
  int64_t nw = (int64_t)c->g.c_out * (c->g.c_in * c->g.k_h * c->g.k_w + 1), nb = c->g.c_out;
  int st;
  /* the thread count may have grown since reserve: once, not every step */
  if (c->parts > 1 && (st = ln_workspace(&c->partial, l->dtype, c->parts - 1, nw)) != LN_OK) return st;
  if (c->how != BY_GEMM && dx) ln_conv_direct_flip(&c->g, ln_data(&l->params[0].value), ln_data(&c->wt));
  /* the same parts as the forward pass, which left its columns in them */
  ln_parallel_parts(backward_part, &ps, c->parts);
  for (int i = 1; i < c->parts; i++) {
    ps.k->axpy(nw - nb, 1.0, ln_data_at(&c->partial, (i - 1) * nw), ln_data(&l->params[0].grad));
    ps.k->axpy(nb, 1.0, ln_data_at(&c->partial, (i - 1) * nw + nw - nb), ln_data(&l->params[1].grad));
  }
  return LN_OK;
}

static int conv_reserve(ln_layer *l, int64_t batch) {
  conv *c = (conv *)l;
  int64_t p = (int64_t)c->g.h_out * c->g.w_out, kk = (int64_t)c->g.c_in * c->g.k_h * c->g.k_w, cols;
  int st;
  /* the batch's columns are one GEMM dimension (an int); the workspaces'
  ** sizes are checked by ln_workspace */
  if (!ln_mul_i64(batch, p, &cols) || cols > INT32_MAX)
    return ln_fail(LN_EARG, "mini-batch of %lld is too large for this convolution", (long long)batch);
  if ((st = ln_workspace(&c->col, l->dtype, kk, cols)) != LN_OK ||
      (st = ln_workspace(&c->dcol, l->dtype, kk, cols)) != LN_OK ||
      (st = ln_workspace(&c->t, l->dtype, c->g.c_out, cols)) != LN_OK ||
      (st = ln_workspace(&c->ones, l->dtype, 1, cols)) != LN_OK ||
      ((c->fast || c->flat) && l->dtype == LN_F32 && (st = ln_workspace(&c->wt, l->dtype, kk, c->g.c_out)) != LN_OK))
    return st;
  return ln_fill(&c->ones, 1.0);
}

static void conv_destroy(ln_layer *l) {
  conv *c = (conv *)l;
  ln_tensor_free(&c->col);
  ln_tensor_free(&c->dcol);
  ln_tensor_free(&c->t);
  ln_tensor_free(&c->ones);
  ln_tensor_free(&c->partial);
  ln_tensor_free(&c->wt);
  ln_tensor_free(&c->rout);
  ln_tensor_free(&c->rin);
  ln_tensor_free(&c->zero_b);
  ln_tensor_free(&c->junk_b);
}

/* ---- the R-operator (hessian.c) ------------------------------------------
** y = W col(x) + b is bilinear in W and x, so
**   R{y}  = W col(R{x}) + V col(x) + v_b
**   R{dW} = R{dy} col(x)^T + dy col(R{x})^T,  R{db} = sums of R{dy}
**   R{dx} = col2im(W^T R{dy}) + col2im(V^T dy)
** and each term is the plain forward or backward pass run with the layer's
** parameter views pointed, for that call, at the direction V, at Hv's rows,
** or at scratch. The forward R-pass ends with a pass over x, so col holds
** col(x) again for the plain backward pass that follows it. */
typedef struct views {
  ln_tensor w, b, gw, gb;
} views;

static views point(ln_layer *l, const ln_tensor *w, const ln_tensor *b, const ln_tensor *gw, const ln_tensor *gb) {
  views old = {l->params[0].value, l->params[1].value, l->params[0].grad, l->params[1].grad};
  l->params[0].value = *w, l->params[1].value = *b;
  l->params[0].grad = *gw, l->params[1].grad = *gb;
  return old;
}

static void restore(ln_layer *l, const views *old) {
  point(l, &old->w, &old->b, &old->gw, &old->gb);
}

/* The scratch, grown (never shrunk) to the batch: no allocation per chunk. */
static int rop_scratch(conv *c, int64_t batch) {
  int st;
  if ((st = ln_workspace(&c->rout, c->base.dtype, batch, ln_shape_numel(&c->base.out))) != LN_OK ||
      (st = ln_workspace(&c->rin, c->base.dtype, batch, ln_shape_numel(&c->base.in))) != LN_OK ||
      (st = ln_workspace(&c->zero_b, c->base.dtype, 1, c->g.c_out)) != LN_OK ||
      (st = ln_workspace(&c->junk_b, c->base.dtype, 1, c->g.c_out)) != LN_OK)
    return st;
  return ln_fill(&c->zero_b, 0.0);
}

/* a batch-shaped view of scratch t, shaped like `like` */
static ln_tensor shaped(const ln_tensor *t, const ln_tensor *like) {
  ln_tensor v = *like;
  v.storage = t->storage;
  v.offset = t->offset;
  return v;
}

static int conv_rop_forward(ln_layer *l, const ln_rop *r) {
  conv *c = (conv *)l;
  int st = rop_scratch(c, r->x.shape[0]);
  if (st != LN_OK) return st;
  ln_tensor rout = shaped(&c->rout, &r->ry), w = l->params[0].value, g = l->params[0].grad;
  views old = point(l, &w, &c->zero_b, &g, &c->junk_b);    /* W col(R{x}) */
  if (!r->rx_zero) conv_forward(l, &r->rx, &rout, NULL);
  point(l, &r->v[0], &r->v[1], &g, &c->junk_b);              /* V col(x) + v_b, col = col(x) */
  conv_forward(l, &r->x, &r->ry, NULL);
  restore(l, &old);
  if (!r->rx_zero) ln_kern_for(l->dtype)->axpy(ln_numel(&rout), 1.0, ln_data(&rout), ln_data(&r->ry));
  return LN_OK;
}

static int conv_rop_backward(ln_layer *l, const ln_rop *r) {
  conv *c = (conv *)l;
  int st = rop_scratch(c, r->x.shape[0]);
  if (st != LN_OK) return st;
  ln_tensor rout = shaped(&c->rout, &r->ry), rin = shaped(&c->rin, &r->x), w = l->params[0].value;
  /* R{dy} col(x)^T, sums of R{dy}, col2im(W^T R{dy}): col is col(x) */
  views old = point(l, &w, &l->params[1].value, &r->hv[0], &r->hv[1]);
  if ((st = conv_backward(l, &r->x, &r->y, &r->rdy, r->rdx)) != LN_OK || r->rx_zero) goto done;
  /* dy col(R{x})^T and col2im(V^T dy): a forward over R{x} makes col(R{x}) */
  point(l, &w, &c->zero_b, &r->hv[0], &c->junk_b);
  conv_forward(l, &r->rx, &rout, NULL);
  point(l, &r->v[0], &c->zero_b, &r->hv[0], &c->junk_b);
  if ((st = conv_backward(l, &r->x, &r->y, &r->dy, r->rdx ? &rin : NULL)) != LN_OK) goto done;
  if (r->rdx) ln_kern_for(l->dtype)->axpy(ln_numel(&rin), 1.0, ln_data(&rin), ln_data(r->rdx));
done:
  restore(l, &old);
  return st;
}

static const ln_layer_class conv_class = {"conv2d", conv_forward, conv_backward, conv_reserve, conv_destroy,
                                          conv_rop_forward, conv_rop_backward};

/* The geometry for inputs of shape `in` (checked: sizes >= 1, at most
** LN_SAMPLE_MAX values), or a message saying why not. The sizes are
** worked out in 64 bits; the kernels then count in int, which the padded
** image and a column of the weight matrix (c_in k k) must fit. */
static int geometry(ln_convgeom *g, const ln_layer_spec *s, const ln_shape *in) {
  if (in->ndim != 3)
    return ln_fail(LN_EARG, "a convolution takes images (channels, height, width); the input has %d "
                   "dimensions per sample (declare input = {c, h, w} or add a Reshape)", in->ndim);
  if (s->n_in != in->dim[0])
    return ln_fail(LN_EARG, "convolution expects %lld input maps but receives %lld", (long long)s->n_in,
                   (long long)in->dim[0]);
  if (s->maps < 1 || s->kernel < 1 || s->stride < 1 || s->pad < 0 || s->maps > 65536 || s->kernel > 1024 ||
      s->stride > 1024 || s->pad > 1024)
    return ln_fail(LN_EARG, "convolution needs maps 1..65536, kernel and stride 1..1024 and padding 0..1024");
  int64_t h = in->dim[1] + 2 * s->pad, w = in->dim[2] + 2 * s->pad, kk = in->dim[0] * s->kernel * s->kernel;
  if (h < s->kernel || w < s->kernel)
    return ln_fail(LN_EARG, "a %lldx%lld kernel does not fit %lldx%lld images with padding %lld",
                   (long long)s->kernel, (long long)s->kernel, (long long)in->dim[1], (long long)in->dim[2],
                   (long long)s->pad);
  if (h > LN_SAMPLE_MAX || w > LN_SAMPLE_MAX || kk > LN_SAMPLE_MAX)
    return ln_fail(LN_EARG, "convolution of %lldx%lldx%lld images with a %lldx%lld kernel is too large",
                   (long long)in->dim[0], (long long)in->dim[1], (long long)in->dim[2], (long long)s->kernel,
                   (long long)s->kernel);
  g->c_in = (int)in->dim[0], g->h_in = (int)in->dim[1], g->w_in = (int)in->dim[2];
  g->c_out = (int)s->maps, g->k_h = g->k_w = (int)s->kernel;
  g->stride = (int)s->stride, g->pad = (int)s->pad;
  g->h_out = (int)((h - s->kernel) / s->stride + 1);
  g->w_out = (int)((w - s->kernel) / s->stride + 1);
  return LN_OK;
}

int ln_conv_new(ln_layer **out, const ln_layer_spec *s, ln_dtype dt, const ln_shape *in) {
  ln_convgeom g;
  ln_shape wshape, bshape;
  conv *c;
  int st;
  *out = NULL;
  if ((st = geometry(&g, s, in)) != LN_OK) return st;
  if ((c = calloc(1, sizeof *c)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  c->base.cls = &conv_class;
  c->base.spec = *s;
  c->base.dtype = dt;
  c->base.in = *in;
  c->g = g;
  c->fast = ln_conv_direct_ok(&g);
  c->flat = ln_conv_flat_ok(&g);
  ln_shape_set(&c->base.out, 3, g.c_out, g.h_out, g.w_out);
  wshape.ndim = 4;
  wshape.dim[0] = g.c_out, wshape.dim[1] = g.c_in, wshape.dim[2] = g.k_h, wshape.dim[3] = g.k_w;
  ln_shape_set(&bshape, 1, g.c_out, 0, 0);
  ln_layer_add_param(&c->base, "weight", &wshape, 1)->init_std = s->w_std;
  ln_layer_add_param(&c->base, "bias", &bshape, 0)->init_std = s->b_std;
  *out = &c->base;
  return LN_OK;
}
