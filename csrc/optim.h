/*
** optim.h: the optimisers. An optimiser is a kind (kern.h's ln_optkind,
** named in ln_optim_names), its hyperparameters (an ln_step), and up to
** LN_OPTIM_MAXSTATE state arrays shaped like the network's parameter
** block (SGD with momentum: the velocity), kept apart from the gradients,
** which a step only reads. One step goes over the whole block, run by run
** of the network's decay mask (L1/L2 on weights, never on biases).
**
** Adding an optimiser: its kind in kern.h (and any new hyperparameter in
** ln_step), its entry in optim.c's table (name, state, hyperparameters and
** their ranges), its kernel in real/nn.inc, its spec.
*/
#ifndef LN_OPTIM_H
#define LN_OPTIM_H

#include "net.h"

#define LN_OPTIM_MAXSTATE 2

/* Kind names, indexed by ln_optkind, NULL-terminated (Lua reads them). */
extern const char *const ln_optim_names[];

/* A hyperparameter of a kind: its name (as Lua gives it), where it lives
** in ln_step, its default and its range. */
typedef struct ln_hparam {
  const char *name;
  size_t offset;        /* of a double in ln_step, or of an int when boolean */
  int boolean;
  double def, lo, hi;   /* lo <= v < hi, or lo < v < hi when lo_open */
  int lo_open;
  int scheduled;        /* may change between steps (eta, momentum): checkpoints
                        ** restore it instead of requiring the same value */
} ln_hparam;

/* The hyperparameters of a kind, ended by a NULL name. */
const ln_hparam *ln_optim_hparams(ln_optkind kind);

typedef struct ln_optim {
  ln_step h;                 /* kind, eta, ...; h.reg and h.c are set per run */
  ln_reg reg;                /* regularisation of the decayed parameters */
  double lambda;
  int64_t n;                 /* training set size: the penalty's gradient is (lambda / n) ... */
  int nstate;
  ln_tensor state[LN_OPTIM_MAXSTATE];
  /* the network it was made for: a step with any other is refused */
  uint64_t net_id;
  int64_t nparams;
  ln_dtype dtype;
} ln_optim;

/* Checks hyperparameters: each in its range, and the kind's own checks. */
int ln_optim_check_hparams(const ln_step *h);
/* Checks them again as a dt network's kernels see them (float32 rounds). */
int ln_optim_check_dtype(const ln_step *h, ln_dtype dt);
/* Checks a run's regularisation lambda and training set size n (the
** penalty's gradient is lambda / n, computed in dt). */
int ln_optim_check_run(double lambda, int64_t n, ln_dtype dt);
/* How many state arrays the kind keeps with these hyperparameters. */
int ln_optim_nstate(const ln_step *h);
/* Fills o->h with the kind's defaults (before the caller sets values). */
void ln_optim_defaults(ln_optim *o, ln_optkind kind);
/* Checks the hyperparameters and allocates the state (zeros) for net. */
int ln_optim_init(ln_optim *o, const ln_net *net);
void ln_optim_free(ln_optim *o);
/* LN_OK when o was made for net (same network, size and dtype). */
int ln_optim_check(const ln_optim *o, const ln_net *net);
/* Sets a scheduled hyperparameter between steps, within its range and
** without changing how much state the kind keeps (momentum can change on
** an optimizer made with momentum, not be turned on). */
int ln_optim_set(ln_optim *o, const char *name, double value);
/* LN_OK when v may be a value of the kind's state array i: finite, and
** not negative in arrays of squared gradients (a checkpoint's are checked
** before they are restored). */
int ln_optim_state_check(ln_optkind kind, int i, double v);
/* LN_OK when every value of o's state arrays passes ln_optim_state_check:
** they can be written through opt:state()'s views, and a -1 in a sum of
** squares made every parameter NaN in the first step ("training diverged"). */
int ln_optim_check_state(const ln_optim *o);
/* Name of state array i ("velocity", ...). */
const char *ln_optim_state_name(const ln_optim *o, int i);
/* Counts one more step into *t (o->h.t), or fails when the counter is full. */
int ln_optim_count_step(ln_optim *o, int64_t *t);
/* One step of the kind over every parameter of net. */
int ln_optim_step(ln_optim *o, ln_net *net);

#endif
