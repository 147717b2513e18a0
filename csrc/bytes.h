/*
** bytes.h: little-endian fields in memory, for the file formats (model.c,
** checkpoint.c). Writing appends to a growing buffer that remembers a
** failed allocation, so a writer checks once at the end; reading checks
** every field against the end, and a field past it sets short_read and
** reads as zeros, so a parser checks once per section.
*/
#ifndef LN_BYTES_H
#define LN_BYTES_H

#include "tensor.h"

typedef struct ln_obuf {
  unsigned char *p;
  size_t len, cap;
  int failed;           /* an allocation failed: the contents are incomplete */
} ln_obuf;

void ln_put(ln_obuf *b, const void *data, size_t n);
void ln_put_u32(ln_obuf *b, uint32_t v);
void ln_put_u64(ln_obuf *b, uint64_t v);
void ln_put_f64(ln_obuf *b, double v);
/* t's values in row-major order, as float32 or float64 like t. */
void ln_put_values(ln_obuf *b, const ln_tensor *t);

typedef struct ln_ibuf {
  const unsigned char *p;
  size_t len, pos;
  int short_read;       /* a field ran past the end */
} ln_ibuf;

/* The next n bytes, or NULL (and short_read) when fewer are left. */
const unsigned char *ln_take(ln_ibuf *r, size_t n);
int ln_left(const ln_ibuf *r, size_t n);   /* 1 when n more bytes are there */
uint32_t ln_get_u32(ln_ibuf *r);
uint64_t ln_get_u64(ln_ibuf *r);
double ln_get_f64(ln_ibuf *r);
/* Fills t, a 1-d tensor, with numel(t) values stored as t's dtype. */
void ln_get_values(ln_ibuf *r, const ln_tensor *t);

#endif
