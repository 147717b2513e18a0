/*
** train.h: whole epochs, evaluation and gradient measurements over a data
** set, in C: Lua is called back once per epoch, never per mini-batch.
*/
#ifndef LN_TRAIN_H
#define LN_TRAIN_H

#include <signal.h>

#include "optim.h"

/* A data set: stored samples x (n_base, ...) with labels or targets y, and
** optionally transforms that make ntransforms virtual samples of each
** (an expanded set of n = n_base * ntransforms samples; transform 0 is
** usually the identity). */
typedef struct ln_dataset {
  ln_tensor x;                 /* (n_base, ...) contiguous, float32 or float64 */
  ln_tensor y;                 /* (n_base) labels 0..n_out-1, or (n_base, n_out) targets */
  int labels;
  int64_t n_base, n;
  int ntransforms;             /* 0: none */
  const ln_transform *transforms;
  int h, w;                    /* image size the transforms work on */
} ln_dataset;

/* Checks the set on its own: shapes, contiguity, finite targets, and that
** the transforms fit the samples (what gathering needs to stay in bounds). */
int ln_dataset_check(const ln_dataset *d);
/* ln_dataset_check, then against the network: sizes, label range and
** integrality. */
int ln_data_check(const ln_net *net, const ln_dataset *d);

typedef void (*ln_progress_fn)(void *ud, int64_t done, int64_t total);

/* Set (from a SIGINT handler: the binding's, while a trainer asks for it)
** to end ln_train_epoch after the mini-batch that is running: checked once
** per mini-batch, never cleared here. */
extern volatile sig_atomic_t ln_train_stop;
/* 1 (the default): plain SGD on dense-only networks is folded into the
** backward pass (train.c); 0 runs the general path (the specs compare them). */
extern int ln_train_fuse;

/* One epoch: a seeded shuffle, then for each mini-batch gather, forward,
** cost gradient (averaged over the batch), backward, optimizer step. The last
** mini-batch may be smaller. With ln_train_stop set, returns LN_OK after
** the current mini-batch (its step taken: the network stays consistent). */
int ln_train_epoch(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, ln_rng *r,
                   ln_progress_fn progress, void *ud);

/* An epoch in pieces, so that the caller can measure between them (the
** trainer's monitor_every): ln_train_shuffle fills perm (d->n values) with
** the epoch's permutation, drawn from r exactly as ln_train_epoch draws it;
** ln_train_batches runs mini-batches [from, to) of that permutation (of
** ln_train_nbatches(d->n, batch)); ln_train_diverged fails when a
** parameter is NaN or infinite. Shuffle, then batches over [0, k), [k, 2k)
** ... and the diverged check give the network of ln_train_epoch bit for bit. */
int64_t ln_train_nbatches(int64_t n, int64_t batch);
int ln_train_shuffle(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, ln_rng *r, int64_t *perm);
int ln_train_batches(ln_net *net, ln_optim *o, const ln_dataset *d, int64_t batch, const int64_t *perm,
                     int64_t from, int64_t to, ln_rng *r, ln_progress_fn progress, void *ud);
int ln_train_diverged(const ln_net *net);

/* The book's total_cost (mean cost plus (lambda/2n)|w|^2, or (lambda/n)|w|_1,
** with n the size of d) and accuracy (number of argmax hits) in evaluation mode.
** cost may be NULL: the count alone, without the cost's logarithms. */
int ln_evaluate(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, double *cost,
                int64_t *correct);

/* Norms of dC/db and dC/dW per layer with parameters, C averaged over all of
** d (the book's "speed of learning" ||delta^l||). Up to max layers are
** written; *nout gets how many layers have parameters. The network runs as
** in training (dropout drops, batch norm uses the batch's statistics but
** keeps its running averages), with dropout masks drawn from a private
** stream seeded with LN_MEASURE_SEED at each call: the same network and
** data give the same norms every time, and the global stream, hence the
** training, is untouched. */
#define LN_MEASURE_SEED 0x6d656173u
/* Saturation of every sigmoid, tanh and ReLU layer over d, in evaluation
** mode: for sigmoid and tanh the fraction of (sample, unit) outputs within
** eps of the function's limits (0 and 1; -1 and 1), for ReLU the fraction of
** units that output 0 for every sample of d (dead units). Up to max layers
** are written, frac[k] and layer[k] (0-based index of the activation
** layer); *nout gets how many there are. */
int ln_saturation(ln_net *net, const ln_dataset *d, double eps, double *frac, int *layer, int max, int *nout);

int ln_gradient_norms(ln_net *net, const ln_dataset *d, double *bias, double *weight, int max,
                      int *nout);

/* The full-batch objective at the network's parameters: *cost is
** ln_evaluate's cost (mean over d plus the penalty) and the gradient block
** gets its gradient (the mean of the samples' gradients plus the penalty's).
** Runs in evaluation mode, chunk by chunk, so it is a deterministic function
** of the parameters that does not depend on the chunking: dropout is the
** identity, and networks with batch normalisation are refused (their
** evaluation-mode backward is not implemented). */
int ln_objective(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, double *cost);
/* The same at w: copies w (1-d, one value per parameter, any dtype) into
** the parameter block, then ln_objective, then the gradient into grad
** (1-d, same size, any dtype). Nothing changes when the arguments are
** refused. */
int ln_objective_at(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, const ln_tensor *w,
                    const ln_tensor *grad, double *cost);

/* Samples per chunk of evaluation passes (train.c explains the size). */
#define LN_EVAL_CHUNK 200

/* For hessian.c: the checks ln_objective makes, and the gather of samples
** index[0..count) into the network's input and target buffers. */
int ln_objective_check(const ln_net *net, const ln_dataset *d);
/* The penalty's coefficient lambda / n (n = d's size) as the network computes
** with it: finite, >= 0, and finite in float32 for a float32 network. */
int ln_penalty_check(const ln_net *net, const ln_dataset *d, ln_reg reg, double lambda);
void ln_gather(ln_net *net, const ln_dataset *d, const int64_t *index, int64_t count);

/* Forward over all of x in chunks (evaluation mode) into out (n, out...). */
int ln_predict(ln_net *net, const ln_tensor *x, const ln_tensor *out);

#endif
