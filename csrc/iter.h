/*
** iter.h: walks the positions of one or more tensors of the same shape,
** one innermost row at a time, so that kernels only ever see 1-D strided
** loops: `do { kernel(it.n, base + it.off[k], it.step[k], ...); } while
** (ln_iter_next(&it));`. Offsets and steps are in elements. Dimensions that
** are contiguous across every operand are merged first, so a contiguous
** tensor is one single row.
*/
#ifndef LN_ITER_H
#define LN_ITER_H

#include "tensor.h"

#define LN_ITER_MAXOPS 3

typedef struct ln_iter {
  int nops;
  int ndim;                              /* outer dimensions left after merging */
  int64_t shape[LN_MAXDIM];
  int64_t stride[LN_ITER_MAXOPS][LN_MAXDIM];
  int64_t idx[LN_MAXDIM];
  int64_t n;                             /* length of the innermost row */
  int64_t step[LN_ITER_MAXOPS];          /* stride along the innermost row */
  int64_t off[LN_ITER_MAXOPS];           /* offset of the current row's first element */
} ln_iter;

/* ops[k] must all have `shape` (strides may be 0 for broadcast dims). */
void ln_iter_init(ln_iter *it, int ndim, const int64_t *shape, int nops, const ln_tensor *const *ops);
int ln_iter_next(ln_iter *it);

#endif
