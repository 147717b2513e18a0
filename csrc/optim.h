/*
** optim.h: mini-batch stochastic gradient descent, plain, with momentum or
** with Nesterov momentum, and the book's L2 and L1 regularisation (on
** weights only). Its state, the velocity, lives here, apart from the
** network's gradients, which a step only reads.
*/
#ifndef LN_OPTIM_H
#define LN_OPTIM_H

#include "net.h"

typedef struct ln_optim {
  double eta;          /* learning rate */
  double momentum;     /* mu; 0 for plain SGD */
  int nesterov;
  ln_reg reg;
  double lambda;       /* regularisation parameter */
  int64_t n;           /* training set size: the penalty's gradient is (lambda / n) ... */
  ln_tensor velocity;  /* like the parameters, allocated when momentum > 0 */
} ln_optim;

int ln_optim_init(ln_optim *o, const ln_net *net);
void ln_optim_free(ln_optim *o);
/* w <- w - eta (grad + penalty gradient), or the momentum forms (real/nn.inc). */
int ln_optim_step(ln_optim *o, ln_net *net);

#endif
