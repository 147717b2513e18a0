/*
** subset.h: picking samples out of a data set by label or by position,
** in C (lunet.data.filter on 60,000 labels is one pass, not a Lua loop).
*/
#ifndef LN_SUBSET_H
#define LN_SUBSET_H

#include "tensor.h"

/* Positions (1-based) of the entries of the 1-d tensor y equal to one of
** classes[0..nc): *count gets how many; when pos is not NULL (a contiguous
** float64 vector of at least *count values) they are written there in
** order. */
int ln_label_positions(const ln_tensor *y, const double *classes, int nc, const ln_tensor *pos, int64_t *count);

/* dst (k, ...) = rows pos[0..k) (1-based, whole numbers) of src (n, ...);
** both contiguous, of one dtype, each row the same size. */
int ln_take_rows(const ln_tensor *dst, const ln_tensor *src, const ln_tensor *pos);

#endif
