/*
** hessian.h: exact Hessian-vector products of a network's full-batch
** objective by Pearlmutter's R-operator (1994): Hv = R{grad C} along v,
** one forward pass, one forward R-pass, one backward pass and one backward
** R-pass per chunk of samples, about twice the cost of a gradient.
*/
#ifndef LN_HESSIAN_H
#define LN_HESSIAN_H

#include "train.h"

/* hv = H v, H the Hessian at the network's parameters of ln_objective's
** cost (mean cost over d plus the penalty: (lambda/n) v on the decayed
** parameters for L2; L1's Hessian is 0 almost everywhere). v and hv are
** contiguous 1-d tensors of the network's dtype, one value per parameter.
** Evaluation mode, chunk by chunk (dropout is the identity). Every layer
** must support the R-operator (its class's rop_forward/rop_backward);
** otherwise the error names the first that does not. The network's
** gradient block is used as scratch and left zero. */
int ln_hvp(ln_net *net, const ln_dataset *d, ln_reg reg, double lambda, const ln_tensor *v,
           const ln_tensor *hv);

#endif
