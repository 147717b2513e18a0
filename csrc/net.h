/*
** net.h: a network is a sequence of layers with one contiguous block of
** parameters, one of gradients, one of saved state (batch norm's running
** averages), and buffers for every layer's output and its gradient, sized
** for the largest mini-batch seen, so the training loop never allocates.
**
**   acts[0] = input, acts[i + 1] = output of layer i      (batch_cap, shape...)
**   deltas[i] = dC/d acts[i]
**   targets: (batch_cap, n_out), the wanted outputs of the current batch
*/
#ifndef LN_NET_H
#define LN_NET_H

#include "layer.h"

/* A run of the parameter block whose values are all decayed by L1/L2
** (weights) or all not (biases, batch norm's gamma and beta): the decay
** mask of the block, stored once as a few runs rather than per element. */
typedef struct ln_segment {
  int64_t offset, length;
  int decay;
} ln_segment;

typedef struct ln_net {
  uint64_t id;                      /* unique per network made in this process */
  ln_dtype dtype;
  ln_shape in;
  int nlayers, cap_layers;
  ln_layer **layers;
  ln_tensor params, grads, state;   /* 1-d blocks; layer parameters are views */
  int64_t batch_cap;
  ln_tensor *acts, *deltas;         /* nlayers + 1 each */
  ln_tensor targets;
  int64_t *index;                   /* sample indices of the current batch */
  int has_cost;
  ln_costkind cost;
  int64_t last_batch;               /* rows of the last forward; backward needs the same */
  int finished;
  ln_segment *segs;                 /* the decay mask of params, in order, adjacent runs merged */
  int nsegs;
  ln_tensor *racts, *rdeltas;       /* hessian.c's R-pass buffers, like acts and deltas, r_cap rows; */
  int64_t r_cap;                    /* made at the first product and kept, as acts are */
} ln_net;

/* Calls fn for every parameter of every layer, in block order, with the
** layer's index and the parameter's offset in the block; stops at (and
** returns) the first status that is not LN_OK. */
typedef int (*ln_param_fn)(void *ud, int layer, ln_param *p, int64_t offset);
int ln_net_params(ln_net *net, ln_param_fn fn, void *ud);

/* The regulariser over the decayed parameters, c = lambda / n: its value
** ((c/2)|w|^2 or c|w|_1) added to `sum` run by run of the decay mask, and
** its gradient added to the gradient block. */
double ln_net_penalty(const ln_net *net, ln_reg reg, double c, double sum);
void ln_net_penalty_grad(ln_net *net, ln_reg reg, double c);

int ln_net_new(ln_net **out, ln_dtype dt, const ln_shape *in);
int ln_net_add(ln_net *net, const ln_layer_spec *spec);
/* Allocates the blocks and draws the initial parameters from r. */
int ln_net_finish(ln_net *net, ln_rng *r);
void ln_net_free(ln_net *net);
void ln_net_free_rbuffers(ln_net *net);
int ln_net_clone(ln_net **out, const ln_net *src, ln_dtype dt);

const ln_shape *ln_net_out_shape(const ln_net *net);
int64_t ln_net_out_numel(const ln_net *net);
/* Cross-entropy needs a final sigmoid and log-likelihood a final softmax:
** their gradients are then taken fused, dC/dz = a - y. */
int ln_net_set_cost(ln_net *net, ln_costkind cost);
const char *ln_cost_name(ln_costkind cost);

int ln_net_reserve(ln_net *net, int64_t batch);
/* The first `rows` rows of a batch buffer, borrowing its storage. */
ln_tensor ln_rows(const ln_tensor *t, int64_t rows);

/* acts[0] (batch rows) -> acts[nlayers] */
int ln_net_forward(ln_net *net, int64_t batch, const ln_mode *mode);
/* Sum over the batch of the cost of acts[nlayers] against targets. */
double ln_net_cost_sum(const ln_net *net, int64_t batch);
/* Writes scale * dC/d(output) into deltas, fused when the cost allows, and
** returns in *top the last layer that backward must go through. */
void ln_net_cost_delta(ln_net *net, int64_t batch, double scale, int *top);
/* Back through layers top..0: adds parameter gradients; deltas[0] is
** written only when need_dx. */
int ln_net_backward(ln_net *net, int64_t batch, int top, int need_dx);
/* LN_EARG naming the first step layer, whose gradient is 0 a.e.; training,
** gradient norms and objectives call it before anything changes. */
int ln_net_check_differentiable(const ln_net *net);
void ln_net_zero_grad(ln_net *net);

#endif
