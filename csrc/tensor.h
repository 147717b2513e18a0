/*
** tensor.h: N-dimensional strided views over a shared, reference-counted
** storage, as in Torch. A tensor is a small value (a descriptor); many
** descriptors may share one storage, which is freed when the last one
** lets go.
**
** Ownership rule: a function that fills an `ln_tensor *dst` takes a new
** reference for it; the caller releases it with ln_tensor_free. On
** failure dst is left empty (storage == NULL) and needs no freeing.
*/
#ifndef LN_TENSOR_H
#define LN_TENSOR_H

#include "ln.h"

#define LN_MAXDIM 8

typedef struct ln_storage {
  void *data;
  size_t nbytes;
  size_t mapped;                /* how mem.h allocated data (0: calloc) */
  int refs;
} ln_storage;

typedef struct ln_tensor {
  ln_storage *storage;          /* NULL for an empty descriptor */
  ln_dtype dtype;
  int ndim;                     /* 0 .. LN_MAXDIM; 0 is a scalar */
  int64_t offset;               /* first element, in elements */
  int64_t shape[LN_MAXDIM];
  int64_t stride[LN_MAXDIM];    /* in elements; 0 for broadcast dims */
} ln_tensor;

/* creation: a new contiguous tensor filled with zeros */
int ln_tensor_new(ln_tensor *t, ln_dtype dt, int ndim, const int64_t *shape);
int ln_tensor_new_like(ln_tensor *t, const ln_tensor *like);
void ln_tensor_free(ln_tensor *t);
void ln_tensor_ref(ln_tensor *dst, const ln_tensor *src);

int64_t ln_numel(const ln_tensor *t);
int ln_is_contiguous(const ln_tensor *t);
int ln_same_shape(const ln_tensor *a, const ln_tensor *b);
void *ln_data(const ln_tensor *t);          /* address of the first element */
void *ln_data_at(const ln_tensor *t, int64_t off); /* of element `off` of the storage run after it */
size_t ln_nbytes(const ln_tensor *t);       /* numel * element size (SIZE_MAX past size_t) */
/* Sizes >= 0 whose non-zero ones multiply to less than 2^59: every tensor
** with memory of its own has such a shape (expansions need only fit 2^63). */
int ln_check_shape(int ndim, const int64_t *shape);

/* element access by a full index (0-based), no bounds checks */
double ln_get(const ln_tensor *t, const int64_t *idx);
void ln_set(const ln_tensor *t, const int64_t *idx, double v);
double ln_get_flat(const ln_tensor *t, int64_t i);  /* i-th in row-major order */

/* views: share the storage, never copy */
int ln_view(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape);
int ln_narrow(ln_tensor *dst, const ln_tensor *src, int dim, int64_t start, int64_t len);
int ln_select(ln_tensor *dst, const ln_tensor *src, int dim, int64_t index);
int ln_transpose(ln_tensor *dst, const ln_tensor *src, int d0, int d1);
int ln_permute(ln_tensor *dst, const ln_tensor *src, const int *perm);
int ln_expand(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape);

/* copies */
int ln_copy(const ln_tensor *dst, const ln_tensor *src);  /* same numel, any dtypes */
int ln_clone(ln_tensor *dst, const ln_tensor *src, ln_dtype dt);
int ln_contiguous(ln_tensor *dst, const ln_tensor *src);  /* a view when already contiguous */
int ln_reshape(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape);

/* Aliasing. ln_overlap: a and b may share an element (same storage and
** intersecting extents; conservative: interleaved views count as sharing).
** ln_same_layout: every element of a is the same memory as the element of b
** at the same position, so an element-wise op may read one while writing the
** other. ln_self_overlap: several positions of t are one element (an
** expanded view), so t cannot be written element by element. */
int ln_overlap(const ln_tensor *a, const ln_tensor *b);
int ln_same_layout(const ln_tensor *a, const ln_tensor *b);
int ln_self_overlap(const ln_tensor *t);

/* Broadcasts two shapes (numpy rules); fails with a message naming both. */
int ln_broadcast_shape(const ln_tensor *a, const ln_tensor *b, int *ndim, int64_t *shape);

/* Formats a shape as "2x3" into buf. */
const char *ln_shape_str(const ln_tensor *t, char *buf, size_t size);

#endif
