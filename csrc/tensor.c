/*
** tensor.c: storage, descriptors, views and copies.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iter.h"
#include "kern.h"
#include "mem.h"
#include "tensor.h"

/* ---- storage ---------------------------------------------------------- */

static ln_storage *storage_new(size_t nbytes) {
  ln_storage *s = malloc(sizeof *s);
  if (s == NULL) return NULL;
  /* zeroed: zero pages come free from the kernel for large tensors */
  s->data = ln_mem_zalloc(nbytes, &s->mapped);
  if (s->data == NULL) {
    free(s);
    return NULL;
  }
  s->nbytes = nbytes;
  s->refs = 1;
  return s;
}

static void storage_release(ln_storage *s) {
  if (s != NULL && --s->refs == 0) {
    ln_mem_free(s->data, s->mapped);
    free(s);
  }
}

/* ---- descriptors ------------------------------------------------------ */

/*
** Every tensor that has memory of its own passes this check when it is
** made (new tensors, views, copies), so the rest of the core may multiply
** sizes and strides freely: the product of the non-zero sizes, and so every
** stride, offset and element count, stays below 2^59, with room to turn it
** into bytes. Zero sizes are left out of the product, else a zero-size
** dimension would hide the overflow of the others (0 x 2^62 x 2^62): their
** strides are still computed. Expansions (stride-0 dimensions, no memory)
** only need their element count to fit 64 bits (ln_expand).
*/
#define LN_MAX_ELEMS (INT64_MAX / 16)

/* The product of the non-zero sizes, 0 when it overflows 64 bits. */
static int64_t nonzero_product(int ndim, const int64_t *shape) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    if (shape[i] > 0 && !ln_mul_i64(n, shape[i], &n)) return 0;
  return n;
}

static int check_sizes(int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > LN_MAXDIM)
    return ln_fail(LN_EARG, "a tensor has 0 to %d dimensions, not %d", LN_MAXDIM, ndim);
  for (int i = 0; i < ndim; i++)
    if (shape[i] < 0)
      return ln_fail(LN_EARG, "size %lld of dimension %d is negative", (long long)shape[i], i + 1);
  return LN_OK;
}

int ln_check_shape(int ndim, const int64_t *shape) {
  int st = check_sizes(ndim, shape);
  int64_t n;
  if (st != LN_OK) return st;
  n = nonzero_product(ndim, shape);
  if (n == 0 || n > LN_MAX_ELEMS)
    return ln_fail(LN_EARG, "tensor of that shape is too large: its sizes other than 0 multiply to 2^59 or more");
  return LN_OK;
}

/* Row-major strides; the shape has passed ln_check_shape, so no product
** of its sizes overflows. */
static void set_contiguous_strides(ln_tensor *t) {
  int64_t s = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    t->stride[i] = s;
    s *= t->shape[i];
  }
}

int ln_tensor_new(ln_tensor *t, ln_dtype dt, int ndim, const int64_t *shape) {
  int st = ln_check_shape(ndim, shape);
  t->storage = NULL;
  if (st != LN_OK) return st;
  t->dtype = dt;
  t->ndim = ndim;
  t->offset = 0;
  memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
  set_contiguous_strides(t);
  t->storage = storage_new(ln_nbytes(t));
  if (t->storage == NULL)
    return ln_fail(LN_ENOMEM, "out of memory allocating a tensor of %zu bytes", ln_nbytes(t));
  return LN_OK;
}

int ln_tensor_new_like(ln_tensor *t, const ln_tensor *like) {
  return ln_tensor_new(t, like->dtype, like->ndim, like->shape);
}

void ln_tensor_free(ln_tensor *t) {
  storage_release(t->storage);
  t->storage = NULL;
}

void ln_tensor_ref(ln_tensor *dst, const ln_tensor *src) {
  *dst = *src;
  if (dst->storage) dst->storage->refs++;
}

/* Descriptors are only ever made with checked shapes, so the product fits;
** -1 would say a descriptor was built by hand past the check. */
int64_t ln_numel(const ln_tensor *t) {
  int64_t n;
  return ln_prod_i64(t->ndim, t->shape, &n) ? n : -1;
}

/* Meant for tensors with memory of their own (at most 2^59 elements); an
** expansion's count of bytes may not fit, and is then SIZE_MAX. */
size_t ln_nbytes(const ln_tensor *t) {
  int64_t n = ln_numel(t);
  size_t bytes;
  if (n <= 0) return 0;
  return ln_mul_size((size_t)n, ln_dtype_size(t->dtype), &bytes) ? bytes : SIZE_MAX;
}

int ln_is_contiguous(const ln_tensor *t) {
  int64_t s = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] != 1 && t->stride[i] != s) return 0;
    s *= t->shape[i];
  }
  return 1;
}

int ln_same_shape(const ln_tensor *a, const ln_tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  return 1;
}

void *ln_data(const ln_tensor *t) {
  return (char *)t->storage->data + t->offset * (int64_t)ln_dtype_size(t->dtype);
}

void *ln_data_at(const ln_tensor *t, int64_t off) {
  return (char *)ln_data(t) + off * (int64_t)ln_dtype_size(t->dtype);
}

static int64_t offset_of(const ln_tensor *t, const int64_t *idx) {
  int64_t off = 0;
  for (int i = 0; i < t->ndim; i++) off += idx[i] * t->stride[i];
  return off;
}

double ln_get(const ln_tensor *t, const int64_t *idx) {
  return ln_kern_for(t->dtype)->get(ln_data(t), offset_of(t, idx));
}

void ln_set(const ln_tensor *t, const int64_t *idx, double v) {
  ln_kern_for(t->dtype)->set(ln_data(t), offset_of(t, idx), v);
}

double ln_get_flat(const ln_tensor *t, int64_t i) {
  int64_t idx[LN_MAXDIM];
  for (int d = t->ndim - 1; d >= 0; d--) {
    idx[d] = i % t->shape[d];
    i /= t->shape[d];
  }
  return ln_get(t, idx);
}

const char *ln_shape_str(const ln_tensor *t, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  if (t->ndim == 0) snprintf(buf, size, "scalar");
  for (int i = 0; i < t->ndim && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, i ? "x%lld" : "%lld", (long long)t->shape[i]);
  return buf;
}

/* ---- views ------------------------------------------------------------ */

static int check_dim(const ln_tensor *t, int dim) {
  if (dim < 0 || dim >= t->ndim)
    return ln_fail(LN_EARG, "dimension %d out of range for a %d-dimensional tensor", dim + 1, t->ndim);
  return LN_OK;
}

int ln_view(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape) {
  int st = ln_check_shape(ndim, shape);
  int64_t n = 0;
  dst->storage = NULL;
  if (st != LN_OK) return st;
  ln_prod_i64(ndim, shape, &n);   /* fits: the shape passed the check */
  if (n != ln_numel(src))
    return ln_fail(LN_EARG, "cannot view %lld elements as a shape of %lld elements",
                   (long long)ln_numel(src), (long long)n);
  if (!ln_is_contiguous(src))
    return ln_fail(LN_EARG, "view needs a contiguous tensor (use reshape, which copies)");
  ln_tensor_ref(dst, src);
  dst->ndim = ndim;
  memcpy(dst->shape, shape, (size_t)ndim * sizeof *shape);
  set_contiguous_strides(dst);
  return LN_OK;
}

int ln_narrow(ln_tensor *dst, const ln_tensor *src, int dim, int64_t start, int64_t len) {
  int st = check_dim(src, dim);
  dst->storage = NULL;
  if (st != LN_OK) return st;
  /* shape - len cannot overflow once len >= 0, and the message does no
  ** sums (start + len may not fit); start is printed 1-based in unsigned */
  if (start < 0 || len < 0)
    return ln_fail(LN_EARG, "narrow: start %lld and length %lld must not be negative", (long long)start,
                   (long long)len);
  if (start > src->shape[dim] - len)
    return ln_fail(LN_EARG, "%lld elements from element %llu are outside dimension %d of size %lld",
                   (long long)len, (unsigned long long)start + 1, dim + 1, (long long)src->shape[dim]);
  ln_tensor_ref(dst, src);
  dst->offset += start * src->stride[dim];
  dst->shape[dim] = len;
  return LN_OK;
}

int ln_select(ln_tensor *dst, const ln_tensor *src, int dim, int64_t index) {
  int st = check_dim(src, dim);
  dst->storage = NULL;
  if (st != LN_OK) return st;
  if (index < 0)
    return ln_fail(LN_EARG, "index %lld (0-based) is negative", (long long)index);
  if (index >= src->shape[dim])   /* printed 1-based, in unsigned: index + 1 may not fit */
    return ln_fail(LN_EARG, "index %llu out of range for dimension %d of size %lld",
                   (unsigned long long)index + 1, dim + 1, (long long)src->shape[dim]);
  ln_tensor_ref(dst, src);
  dst->offset += index * src->stride[dim];
  for (int i = dim; i < src->ndim - 1; i++) {
    dst->shape[i] = src->shape[i + 1];
    dst->stride[i] = src->stride[i + 1];
  }
  dst->ndim--;
  return LN_OK;
}

int ln_transpose(ln_tensor *dst, const ln_tensor *src, int d0, int d1) {
  int st;
  dst->storage = NULL;
  if ((st = check_dim(src, d0)) != LN_OK || (st = check_dim(src, d1)) != LN_OK) return st;
  ln_tensor_ref(dst, src);
  dst->shape[d0] = src->shape[d1];
  dst->stride[d0] = src->stride[d1];
  dst->shape[d1] = src->shape[d0];
  dst->stride[d1] = src->stride[d0];
  return LN_OK;
}

int ln_permute(ln_tensor *dst, const ln_tensor *src, const int *perm) {
  int seen[LN_MAXDIM] = {0};
  dst->storage = NULL;
  for (int i = 0; i < src->ndim; i++) {
    if (perm[i] < 0 || perm[i] >= src->ndim || seen[perm[i]]++)
      return ln_fail(LN_EARG, "not a permutation of the %d dimensions", src->ndim);
  }
  ln_tensor_ref(dst, src);
  for (int i = 0; i < src->ndim; i++) {
    dst->shape[i] = src->shape[perm[i]];
    dst->stride[i] = src->stride[perm[i]];
  }
  return LN_OK;
}

int ln_expand(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape) {
  int lead = ndim - src->ndim, st;
  dst->storage = NULL;
  if (lead < 0 || ndim > LN_MAXDIM)
    return ln_fail(LN_EARG, "cannot expand a %d-dimensional tensor to %d dimensions", src->ndim, ndim);
  /* stride-0 dimensions cost no memory, so an expansion may go past the
  ** 2^59 of tensors with memory of their own (copying it is refused when
  ** the copy is made), but its element count must fit for ln_numel */
  if ((st = check_sizes(ndim, shape)) != LN_OK) return st;
  if (nonzero_product(ndim, shape) == 0)
    return ln_fail(LN_EARG, "expansion too large: its sizes other than 0 multiply to 2^63 or more");
  for (int i = 0; i < src->ndim; i++) {
    if (src->shape[i] != shape[lead + i] && src->shape[i] != 1)
      return ln_fail(LN_EARG, "cannot expand size %lld to %lld in dimension %d",
                     (long long)src->shape[i], (long long)shape[lead + i], i + 1);
  }
  ln_tensor_ref(dst, src);
  dst->ndim = ndim;
  for (int i = ndim - 1; i >= 0; i--) {
    int s = i - lead;
    dst->shape[i] = shape[i];
    dst->stride[i] = (s >= 0 && src->shape[s] == shape[i]) ? src->stride[s] : 0;
  }
  return LN_OK;
}

int ln_broadcast_shape(const ln_tensor *a, const ln_tensor *b, int *ndim, int64_t *shape) {
  int n = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = 0; i < n; i++) {
    int ia = a->ndim - n + i, ib = b->ndim - n + i;
    int64_t sa = ia >= 0 ? a->shape[ia] : 1, sb = ib >= 0 ? b->shape[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      char ba[64], bb[64];
      return ln_fail(LN_EARG, "shapes %s and %s cannot be broadcast together",
                     ln_shape_str(a, ba, sizeof ba), ln_shape_str(b, bb, sizeof bb));
    }
    shape[i] = sa == 1 ? sb : sa;
  }
  *ndim = n;
  return ln_check_shape(n, shape);   /* (2^40, 1) and (1, 2^40) broadcast to too many */
}

/* ---- copies ----------------------------------------------------------- */

/* Copies element by element in row-major order of each side, converting
** dtypes, so shapes may differ as long as the counts agree (reshape). */
static void copy_same_shape(const ln_tensor *dst, const ln_tensor *src) {
  const ln_kern *k = ln_kern_for(dst->dtype);
  ln_iter it;
  const ln_tensor *ops[2] = {dst, src};
  ln_iter_init(&it, dst->ndim, dst->shape, 2, ops);
  do {
    k->convert(it.n, (char *)ln_data(dst) + it.off[0] * (int64_t)ln_dtype_size(dst->dtype), it.step[0],
               src->dtype, (const char *)ln_data(src) + it.off[1] * (int64_t)ln_dtype_size(src->dtype),
               it.step[1]);
  } while (ln_iter_next(&it));
}

int ln_copy(const ln_tensor *dst, const ln_tensor *src) {
  ln_tensor flat;
  int st;
  if (ln_numel(dst) != ln_numel(src))
    return ln_fail(LN_EARG, "%lld elements into %lld", (long long)ln_numel(src),
                   (long long)ln_numel(dst));
  if (ln_numel(dst) == 0) return LN_OK;
  if (ln_self_overlap(dst))
    return ln_fail(LN_EARG, "cannot copy into an expanded view (several positions are one element)");
  /* src sharing memory with dst in another layout is read from a copy */
  if (ln_overlap(dst, src) && !(ln_same_shape(dst, src) && ln_same_layout(dst, src))) {
    if ((st = ln_clone(&flat, src, src->dtype)) != LN_OK) return st;
    st = ln_copy(dst, &flat);
    ln_tensor_free(&flat);
    return st;
  }
  if (ln_same_shape(dst, src)) {
    copy_same_shape(dst, src);
    return LN_OK;
  }
  /* different shapes, same count: go through a contiguous copy of src */
  if ((st = ln_contiguous(&flat, src)) != LN_OK) return st;
  flat.ndim = dst->ndim;
  memcpy(flat.shape, dst->shape, sizeof flat.shape);
  set_contiguous_strides(&flat);
  copy_same_shape(dst, &flat);
  ln_tensor_free(&flat);
  return LN_OK;
}

int ln_clone(ln_tensor *dst, const ln_tensor *src, ln_dtype dt) {
  int st = ln_tensor_new(dst, dt, src->ndim, src->shape);
  if (st != LN_OK) return st;
  if (ln_numel(src) > 0) copy_same_shape(dst, src);
  return LN_OK;
}

int ln_contiguous(ln_tensor *dst, const ln_tensor *src) {
  if (ln_is_contiguous(src)) {
    ln_tensor_ref(dst, src);
    return LN_OK;
  }
  return ln_clone(dst, src, src->dtype);
}

int ln_reshape(ln_tensor *dst, const ln_tensor *src, int ndim, const int64_t *shape) {
  ln_tensor c;
  int st = ln_contiguous(&c, src);
  if (st != LN_OK) {
    dst->storage = NULL;
    return st;
  }
  st = ln_view(dst, &c, ndim, shape);
  ln_tensor_free(&c);
  return st;
}

/* ---- overlap ---------------------------------------------------------- */

/* The bytes [lo, hi) of its storage a non-empty tensor can reach. A view's
** extent lies inside its storage, so none of this can overflow. */
static void byte_range(const ln_tensor *t, int64_t *lo, int64_t *hi) {
  int64_t first = t->offset, last = t->offset, size = (int64_t)ln_dtype_size(t->dtype);
  for (int i = 0; i < t->ndim; i++) {
    int64_t span = (t->shape[i] - 1) * t->stride[i];
    if (span < 0) first += span;
    else last += span;
  }
  *lo = first * size;
  *hi = (last + 1) * size;
}

int ln_overlap(const ln_tensor *a, const ln_tensor *b) {
  int64_t alo, ahi, blo, bhi;
  if (a->storage == NULL || a->storage != b->storage || ln_numel(a) == 0 || ln_numel(b) == 0) return 0;
  byte_range(a, &alo, &ahi);
  byte_range(b, &blo, &bhi);
  return alo < bhi && blo < ahi;
}

int ln_same_layout(const ln_tensor *a, const ln_tensor *b) {
  if (a->storage != b->storage || a->dtype != b->dtype || a->offset != b->offset || !ln_same_shape(a, b))
    return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] > 1 && a->stride[i] != b->stride[i]) return 0;
  return 1;
}

int ln_self_overlap(const ln_tensor *t) {
  for (int i = 0; i < t->ndim; i++)
    if (t->shape[i] > 1 && t->stride[i] == 0) return 1;
  return 0;
}
