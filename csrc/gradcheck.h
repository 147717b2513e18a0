/*
** gradcheck.h: back-propagation against central differences, in float64.
*/
#ifndef LN_GRADCHECK_H
#define LN_GRADCHECK_H

#include "net.h"

/* Magnitudes below this count as this much when dividing. A central
** difference carries rounding noise of about 1e-16 |loss| / eps, some 1e-10
** for eps = 1e-5; divided by this floor it stays near 1e-7, so gradients
** that are zero up to rounding (a bias followed by batch normalisation) do
** not read as large relative errors. */
#define LN_GRADCHECK_FLOOR 1e-3

typedef struct ln_gradcheck_result {
  double worst;          /* largest |a - n| / max(|a|, |n|, LN_GRADCHECK_FLOOR) */
  double analytic, numeric;
  int layer;             /* where the worst was: layer index, -1 for the input */
  const char *param;     /* parameter name, "input" for the input */
  int64_t element;       /* 0-based position in that tensor */
  int64_t checked;       /* how many values were compared */
} ln_gradcheck_result;

/*
** The loss is the network's cost of x against targets t, averaged over the
** batch, plus the regulariser's penalty (c = lambda / n), or, for a
** network without cost, sum(t * output): a fixed linear read-out that
** exercises every output. Checks every parameter and, when check_input,
** every input value. Dropout masks are drawn once and then held fixed.
*/
int ln_gradcheck(ln_net *net, const ln_tensor *x, const ln_tensor *t, ln_reg reg, double c, double eps,
                 int check_input, ln_gradcheck_result *res);

#endif
