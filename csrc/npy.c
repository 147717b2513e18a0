/*
** npy.c: NumPy's .npy format (versions 1, 2 and 3), so that tensors go to
** and from Python. Reads float32/float64 (either byte order, C or Fortran
** order) and small integer types (converted to float); writes float32 or
** float64, little-endian, C order, version 1.0, atomically.
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "kern.h"
#include "npy.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAX_HEADER 65536

typedef struct npy_header {
  char kind;          /* 'f', 'i' or 'u' */
  int size;           /* bytes per element */
  int little;         /* data byte order */
  int fortran;
  int ndim;
  int64_t shape[LN_MAXDIM];
} npy_header;

/* ---- the header: a Python dict literal -------------------------------- */

static const char *skip_space(const char *p) {
  while (*p && isspace((unsigned char)*p)) p++;
  return p;
}

/* A quoted string into buf; returns the position after it or NULL. */
static const char *parse_string(const char *p, char *buf, size_t size) {
  char q = *p;
  size_t n = 0;
  if (q != '\'' && q != '"') return NULL;
  for (p++; *p && *p != q; p++)
    if (n + 1 < size) buf[n++] = *p;
  buf[n] = '\0';
  return *p == q ? p + 1 : NULL;
}

static const char *parse_shape(const char *p, npy_header *h) {
  if (*p++ != '(') return NULL;
  h->ndim = 0;
  for (;;) {
    p = skip_space(p);
    if (*p == ')') return p + 1;
    if (!isdigit((unsigned char)*p) || h->ndim == LN_MAXDIM) return NULL;
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (errno || v < 0) return NULL;
    h->shape[h->ndim++] = v;
    p = skip_space(end);
    if (*p == ',') p++;
    else if (*p != ')') return NULL;
  }
}

static int parse_descr(const char *d, npy_header *h) {
  size_t len = strlen(d);
  /* one or two digits of size: a longer number cannot be a size we read */
  if (len < 3 || len > 4 || !isdigit((unsigned char)d[2]) || (len == 4 && !isdigit((unsigned char)d[3])))
    return 0;
  h->little = d[0] == '<' || d[0] == '|' || (d[0] == '=' && ln_host_is_little_endian());
  if (strchr("<>|=", d[0]) == NULL) return 0;
  h->kind = d[1];
  h->size = (int)strtol(d + 2, NULL, 10);
  if (h->kind == 'f') return h->size == 4 || h->size == 8;
  if (h->kind == 'i' || h->kind == 'u') return h->size == 1 || h->size == 2 || h->size == 4 || h->size == 8;
  return 0;
}

static int parse_header(const char *text, npy_header *h, const char *path) {
  char key[32], descr[32] = "";
  int have_shape = 0, have_order = 0;
  const char *p = skip_space(text);
  if (*p++ != '{') goto bad;
  for (;;) {
    p = skip_space(p);
    if (*p == '}') break;
    if ((p = parse_string(p, key, sizeof key)) == NULL) goto bad;
    p = skip_space(p);
    if (*p++ != ':') goto bad;
    p = skip_space(p);
    if (strcmp(key, "descr") == 0) p = parse_string(p, descr, sizeof descr);
    else if (strcmp(key, "shape") == 0) p = parse_shape(p, h), have_shape = 1;
    else if (strcmp(key, "fortran_order") == 0) {
      have_order = 1;
      if (strncmp(p, "True", 4) == 0) h->fortran = 1, p += 4;
      else if (strncmp(p, "False", 5) == 0) h->fortran = 0, p += 5;
      else p = NULL;
    } else goto bad;
    if (p == NULL) goto bad;
    p = skip_space(p);
    if (*p == ',') p++;
  }
  if (!have_shape || !have_order || !parse_descr(descr, h)) {
    if (have_shape && have_order && descr[0])
      return ln_fail(LN_EFORMAT, "%s: element type '%s' is not supported (float32/float64 or integers)",
                     path, descr);
    goto bad;
  }
  return LN_OK;
bad:
  return ln_fail(LN_EFORMAT, "%s: not a valid .npy header", path);
}

/* Reads magic, version and header; leaves f at the data. */
static int read_header(FILE *f, npy_header *h, const char *path) {
  unsigned char pre[12];
  size_t hlen;
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, NPY_MAGIC, 6) != 0)
    return ln_fail(LN_EFORMAT, "%s: not a .npy file (bad magic)", path);
  if (pre[6] == 1) hlen = pre[8] | (size_t)pre[9] << 8;
  else if (pre[6] == 2 || pre[6] == 3) {
    if (fread(pre + 10, 1, 2, f) != 2) return ln_fail(LN_EFORMAT, "%s: truncated header", path);
    hlen = ln_le32(pre + 8);
  } else {
    return ln_fail(LN_EFORMAT, "%s: .npy version %d is not supported", path, pre[6]);
  }
  if (hlen > NPY_MAX_HEADER) return ln_fail(LN_EFORMAT, "%s: header too long", path);
  char *text = malloc(hlen + 1);
  if (text == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  if (fread(text, 1, hlen, f) != hlen) {
    free(text);
    return ln_fail(LN_EFORMAT, "%s: truncated header", path);
  }
  text[hlen] = '\0';
  memset(h, 0, sizeof *h);
  int st = parse_header(text, h, path);
  free(text);
  return st;
}

/* ---- data ------------------------------------------------------------- */

static double int_at(const unsigned char *p, const npy_header *h) {
  uint64_t u = 0;
  for (int i = 0; i < h->size; i++) u |= (uint64_t)p[h->little ? i : h->size - 1 - i] << (8 * i);
  if (h->kind == 'u') return (double)u;
  if (h->size < 8 && (u >> (8 * h->size - 1)) & 1) u |= ~(uint64_t)0 << (8 * h->size);  /* sign-extend */
  return (double)(int64_t)u;
}

/* Fills t (contiguous, shape as stored) from f. */
static int read_data(FILE *f, const ln_tensor *t, const npy_header *h, const char *path) {
  size_t n = (size_t)ln_numel(t);
  if (h->kind == 'f') {
    if (fread(ln_data(t), (size_t)h->size, n, f) != n)
      return ln_fail(LN_EFORMAT, "%s: truncated data", path);
    ln_swap_to_host(ln_data(t), n, (size_t)h->size, h->little);
    return LN_OK;
  }
  unsigned char *raw = malloc(n * (size_t)h->size + 1);
  if (raw == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  if (fread(raw, (size_t)h->size, n, f) != n) {
    free(raw);
    return ln_fail(LN_EFORMAT, "%s: truncated data", path);
  }
  for (size_t i = 0; i < n; i++) ln_kern_for(t->dtype)->set(ln_data(t), (int64_t)i, int_at(raw + i * (size_t)h->size, h));
  free(raw);
  return LN_OK;
}

static long remaining_bytes(FILE *f) {
  long here = ftell(f), end;
  if (here < 0 || fseek(f, 0, SEEK_END) != 0) return -1;
  end = ftell(f);
  if (fseek(f, here, SEEK_SET) != 0) return -1;
  return end - here;
}

static ln_dtype dtype_for(const npy_header *h) {
  if (h->kind == 'f') return h->size == 8 ? LN_F64 : LN_F32;
  return h->size <= 2 ? LN_F32 : LN_F64;    /* float32 holds 16-bit integers exactly */
}

/* The bytes of data the header's shape promises, checked: the product of
** the non-zero sizes, times 16, fits in int64, so that the strides (products
** of sizes, also beside a zero size) and the bytes, even as float64, stay
** addressable. */
static int header_bytes(const npy_header *h, const char *path, int64_t *nbytes) {
  int64_t p = 1, count;
  for (int i = 0; i < h->ndim; i++)
    if (h->shape[i] != 0 && !ln_mul_i64(p, h->shape[i], &p)) p = -1;
  if (p < 0 || !ln_mul_i64(p, 16, &p) || !ln_prod_i64(h->ndim, h->shape, &count) ||
      !ln_mul_i64(count, h->size, nbytes))
    return ln_fail(LN_EFORMAT, "%s: the header's shape is too large", path);
  return LN_OK;
}

static int load_stream(FILE *f, ln_tensor *t, const char *path) {
  npy_header h;
  ln_tensor stored;
  int64_t rshape[LN_MAXDIM], need = 0;
  int st = read_header(f, &h, path);
  if (st != LN_OK) return st;
  if ((st = header_bytes(&h, path, &need)) != LN_OK) return st;
  if ((st = ln_check_shape(h.ndim, h.shape)) != LN_OK) return st;
  long left = remaining_bytes(f);
  if (left < 0 || (int64_t)left != need)
    return ln_fail(LN_EFORMAT, "%s: the header promises %lld bytes of data but the file holds %ld",
                   path, (long long)need, left);
  /* Fortran order is the C-order transpose: read reversed, permute back */
  for (int i = 0; i < h.ndim; i++) rshape[i] = h.fortran ? h.shape[h.ndim - 1 - i] : h.shape[i];
  if ((st = ln_tensor_new(&stored, dtype_for(&h), h.ndim, rshape)) != LN_OK) return st;
  if ((st = read_data(f, &stored, &h, path)) != LN_OK || !h.fortran) {
    if (st == LN_OK) *t = stored;
    else ln_tensor_free(&stored);
    return st;
  }
  int perm[LN_MAXDIM];
  ln_tensor view;
  for (int i = 0; i < h.ndim; i++) perm[i] = h.ndim - 1 - i;
  st = ln_permute(&view, &stored, perm);
  if (st == LN_OK) st = ln_clone(t, &view, stored.dtype), ln_tensor_free(&view);
  ln_tensor_free(&stored);
  return st;
}

int ln_npy_load(ln_tensor *t, const char *path) {
  FILE *f;
  int st = ln_fopen_read(&f, path);   /* refuses FIFOs and devices before reading */
  t->storage = NULL;
  if (st != LN_OK) return st;
  st = load_stream(f, t, path);
  fclose(f);
  return st;
}

/* The same parser over bytes in memory (a read-only stream over them). */
int ln_npy_load_mem(ln_tensor *t, const void *data, size_t size, const char *name) {
  t->storage = NULL;
  if (size == 0) return ln_fail(LN_EFORMAT, "%s: not a .npy file (bad magic)", name);
  FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
  if (f == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  int st = load_stream(f, t, name);
  fclose(f);
  return st;
}

int ln_npy_save(const ln_tensor *t, const char *path) {
  char header[512];
  unsigned char pre[10];
  int n = snprintf(header, sizeof header, "{'descr': '<%s', 'fortran_order': False, 'shape': (",
                   t->dtype == LN_F64 ? "f8" : "f4");
  for (int i = 0; i < t->ndim; i++)
    n += snprintf(header + n, sizeof header - (size_t)n, "%lld,%s", (long long)t->shape[i],
                  i + 1 < t->ndim ? " " : "");
  if (t->ndim > 1) n--;  /* (2, 3) not (2, 3,); a 1-tuple keeps its comma */
  n += snprintf(header + n, sizeof header - (size_t)n, "), }");
  /* pad with spaces so the data starts at a multiple of 64, then '\n' */
  int total = (10 + n + 1 + 63) / 64 * 64;
  memset(header + n, ' ', (size_t)(total - 10 - n - 1));
  header[total - 10 - 1] = '\n';
  memcpy(pre, NPY_MAGIC, 6);
  pre[6] = 1, pre[7] = 0;
  pre[8] = (unsigned char)((total - 10) & 0xff), pre[9] = (unsigned char)((total - 10) >> 8);

  ln_tensor c;
  ln_atomic_file af;
  int st = ln_contiguous(&c, t);
  if (st != LN_OK) return st;
  size_t nbytes = ln_nbytes(&c);
  void *le = NULL;
  if (!ln_host_is_little_endian()) {   /* write a swapped copy on big-endian hosts */
    le = malloc(nbytes + 1);
    if (le == NULL) {
      ln_tensor_free(&c);
      return ln_fail(LN_ENOMEM, "out of memory");
    }
    memcpy(le, ln_data(&c), nbytes);
    ln_swap_to_host(le, (size_t)ln_numel(&c), ln_dtype_size(c.dtype), 0);
  }
  if ((st = ln_atomic_open(&af, path)) == LN_OK) {
    int ok = ln_atomic_write(&af, pre, 10) == LN_OK &&
             ln_atomic_write(&af, header, (size_t)(total - 10)) == LN_OK &&
             ln_atomic_write(&af, le ? le : ln_data(&c), nbytes) == LN_OK;
    st = ln_atomic_close(&af, ok);
    if (!ok) st = LN_EIO;
  }
  free(le);
  ln_tensor_free(&c);
  return st;
}
