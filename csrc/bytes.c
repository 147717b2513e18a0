/*
** bytes.c: little-endian fields in memory (bytes.h).
*/
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "fileio.h"

void ln_put(ln_obuf *b, const void *data, size_t n) {
  if (b->failed) return;
  if (n > b->cap - b->len) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) {
      if (cap > SIZE_MAX / 2) {
        b->failed = 1;
        return;
      }
      cap *= 2;
    }
    unsigned char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->failed = 1;
      return;
    }
    b->p = p, b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

void ln_put_u32(ln_obuf *b, uint32_t v) {
  unsigned char s[4];
  ln_put_le32(s, v);
  ln_put(b, s, 4);
}

void ln_put_u64(ln_obuf *b, uint64_t v) {
  unsigned char s[8];
  ln_put_le64(s, v);
  ln_put(b, s, 8);
}

void ln_put_f64(ln_obuf *b, double v) {
  uint64_t bits;
  memcpy(&bits, &v, 8);
  ln_put_u64(b, bits);
}

void ln_put_values(ln_obuf *b, const ln_tensor *t) {
  int64_t n = ln_numel(t);
  if (n > 0 && ln_is_contiguous(t) && ln_host_is_little_endian()) {   /* already the stored form */
    ln_put(b, ln_data(t), ln_nbytes(t));
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    double v = ln_get_flat(t, i);
    if (t->dtype == LN_F64) {
      ln_put_f64(b, v);
    } else {
      float f = (float)v;
      uint32_t bits;
      memcpy(&bits, &f, 4);
      ln_put_u32(b, bits);
    }
  }
}

const unsigned char *ln_take(ln_ibuf *r, size_t n) {
  if (r->short_read || !ln_left(r, n)) {
    r->short_read = 1;
    return NULL;
  }
  r->pos += n;
  return r->p + r->pos - n;
}

int ln_left(const ln_ibuf *r, size_t n) {
  return r->pos <= r->len && r->len - r->pos >= n;
}

uint32_t ln_get_u32(ln_ibuf *r) {
  const unsigned char *p = ln_take(r, 4);
  return p ? ln_le32(p) : 0;
}

uint64_t ln_get_u64(ln_ibuf *r) {
  const unsigned char *p = ln_take(r, 8);
  return p ? ln_le64(p) : 0;
}

double ln_get_f64(ln_ibuf *r) {
  uint64_t bits = ln_get_u64(r);
  double v;
  memcpy(&v, &bits, 8);
  return v;
}

void ln_get_values(ln_ibuf *r, const ln_tensor *t) {
  int64_t n = ln_numel(t);
  if (n > 0 && ln_is_contiguous(t) && ln_host_is_little_endian()) {
    const unsigned char *p = ln_take(r, ln_nbytes(t));
    if (p) memcpy(ln_data(t), p, ln_nbytes(t));
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    double v;
    if (t->dtype == LN_F64) {
      v = ln_get_f64(r);
    } else {
      uint32_t bits = ln_get_u32(r);
      float f;
      memcpy(&f, &bits, 4);
      v = f;
    }
    ln_set(t, &i, v);
  }
}
