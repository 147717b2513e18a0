/*
** profile.h: where an epoch's time goes. When profiling is on, the
** training loop and the layers add the seconds of each phase to a table
** indexed by layer and phase; when it is off, each phase costs one load and
** one branch (no clock is read).
**
** The network-level phases (gather, cost, update ...) go to the row of
** "no layer" (-1); a layer's forward and backward go to its row, and the
** pieces inside them (im2col, products, col2im, layout, element loops) to
** the same row. A layer split over threads is timed on the calling thread
** (part 0): its pieces are that thread's, its forward and backward the
** whole pass, waits included.
*/
#ifndef LN_PROFILE_H
#define LN_PROFILE_H

#include <stdint.h>

typedef enum {
  LN_PH_EPOCH,      /* the whole ln_train_epoch, shuffle included */
  LN_PH_GATHER,     /* samples into acts[0], targets */
  LN_PH_FORWARD,    /* a layer's forward pass */
  LN_PH_COST,       /* the cost's gradient at the top */
  LN_PH_BACKWARD,   /* a layer's backward pass */
  LN_PH_ZERO_GRAD,  /* clearing the gradient block */
  LN_PH_UPDATE,     /* the optimiser's step */
  LN_PH_IM2COL,     /* inside a layer: im2col (receptive fields into columns) */
  LN_PH_COL2IM,     /* col2im (columns back onto images) */
  LN_PH_PRODUCT,    /* matrix products (GEMM, GEMV) */
  LN_PH_LAYOUT,     /* reorders between the product's layout and (batch, maps, h, w), bias */
  LN_PH_NPHASES
} ln_phase;

#define LN_PROF_MAXLAYERS 64

extern int ln_prof_on;   /* read before every phase: keep it a plain int */
extern int ln_prof_layer;   /* the layer whose pass is running (-1: none) */

/* also clears the table; cpu: time the calling thread's CPU time rather
** than the wall clock (steadier on a shared machine; waits are not counted) */
void ln_prof_enable(int on, int cpu);
double ln_prof_now(void);      /* seconds on the profiler's clock */
double ln_wall_now(void);      /* seconds on a monotonic wall clock */
/* adds seconds to (layer, phase); name is the layer's kind (static string) */
void ln_prof_add(int layer, const char *name, ln_phase phase, double seconds);
const char *ln_prof_phase_name(ln_phase phase);
/* the table: seconds and calls of (layer, phase), the kind of a layer
** (NULL if it never ran), and how many layer rows have been used */
double ln_prof_seconds(int layer, ln_phase phase, int64_t *calls);
const char *ln_prof_layer_name(int layer);
int ln_prof_nlayers(void);

/* t = LN_PROF_START();  ...  LN_PROF_STOP(t, layer, name, phase); */
#define LN_PROF_START() (ln_prof_on ? ln_prof_now() : 0.0)
#define LN_PROF_STOP(t, layer, name, phase)                                                  \
  do {                                                                                       \
    if (ln_prof_on) ln_prof_add((layer), (name), (phase), ln_prof_now() - (t));              \
  } while (0)

#endif
