/*
** idx.c: see idx.h. The data is read in chunks and converted straight
** into the float32 result, so a 47 MB image file needs no second buffer.
**
** Every claim of the header is checked before the result is allocated:
** against the file's size for a plain file, against the gzip trailer's
** ISIZE (the uncompressed size mod 2^32) for a gzip file. When ISIZE
** disagrees (a lying header, a truncated file, or several concatenated
** gzip members, whose trailer only counts the last one), or cannot tell
** (a claim of 4 GB or more, or more than the file can expand to), the
** stream is decompressed once without storing it to find out. Truncation and
** corruption found while reading are errors too, and one byte is read
** past the data so that zlib checks the gzip CRC and length.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fileio.h"
#include "idx.h"

#define IDX_CHUNK (1 << 16)       /* a multiple of every element size */

typedef struct idx_header {
  int type;                       /* the type byte */
  int elsize;                     /* bytes per stored element */
  int ndim;
  int64_t shape[LN_MAXDIM];
  uint64_t count;                 /* elements */
  uint64_t header_bytes;          /* 4 + 4 * ndim */
  uint64_t data_bytes;            /* count * elsize */
} idx_header;

/* Where the bytes come from: a plain FILE or a gzip stream. */
typedef struct idx_src {
  const char *path;
  FILE *f;
  gzFile gz;
  int gz_truncated;               /* zlib saw the compressed data end early */
} idx_src;

static const char *type_name(int type) {
  switch (type) {
    case 0x08: return "ubyte";
    case 0x09: return "sbyte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return NULL;
  }
}

static int type_size(int type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *shape_str(const idx_header *h, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i < h->ndim && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? "x" : "", (long long)h->shape[i]);
  return buf;
}

/* The element count of a shape, when the result's strides and bytes stay
** addressable: the product of the non-zero sizes, times 16, fits in
** int64 (a zero size makes the tensor empty but its strides are still
** products of the others). */
static int shape_fits(int ndim, const int64_t *shape, int64_t *count) {
  int64_t p = 1;
  for (int i = 0; i < ndim; i++)
    if (shape[i] != 0 && !ln_mul_i64(p, shape[i], &p)) return 0;
  return ln_mul_i64(p, 16, &p) && ln_prod_i64(ndim, shape, count);
}

/* ---- reading ------------------------------------------------------------ */

static int gz_fail(idx_src *s) {
  int err;
  const char *msg = gzerror(s->gz, &err);
  const char *fd_end = strncmp(msg, "<fd:", 4) == 0 ? strstr(msg, ">: ") : NULL;
  if (fd_end) msg = fd_end + 3;  /* zlib names the descriptor, "<fd:3>: " */
  if (err == Z_ERRNO) return ln_fail(LN_EIO, "error reading %s: %s", s->path, strerror(errno));
  return ln_fail(LN_EFORMAT, "%s: corrupt gzip data: %s", s->path, msg);
}

/* Reads up to n bytes into buf and sets *got. Fails only on a read error
** or corrupt compressed data; a short count means the data ended (for
** gzip, s->gz_truncated tells whether the compressed stream was cut). */
static int src_read(idx_src *s, unsigned char *buf, size_t n, size_t *got) {
  *got = 0;
  if (s->gz == NULL) {
    *got = fread(buf, 1, n, s->f);
    if (*got < n && ferror(s->f)) return ln_fail(LN_EIO, "error reading %s: %s", s->path, strerror(errno));
    return LN_OK;
  }
  while (*got < n) {
    size_t want = n - *got < IDX_CHUNK ? n - *got : IDX_CHUNK;
    int r = gzread(s->gz, buf + *got, (unsigned)want);
    if (r < 0) return gz_fail(s);
    if (r == 0) break;
    *got += (size_t)r;
  }
  if (*got < n) {
    int err;
    gzerror(s->gz, &err);
    if (err == Z_BUF_ERROR) s->gz_truncated = 1;     /* "unexpected end of file" */
    else if (err != Z_OK) return gz_fail(s);
  }
  return LN_OK;
}

static int read_header(idx_src *s, idx_header *h) {
  unsigned char b[4 * LN_MAXDIM];
  size_t got;
  char shape[160];
  int st = src_read(s, b, 4, &got);
  if (st != LN_OK) return st;
  if (s->gz_truncated) return ln_fail(LN_EFORMAT, "%s: truncated gzip file (unexpected end of file)", s->path);
  if (got < 4 || b[0] != 0 || b[1] != 0)
    return ln_fail(LN_EFORMAT, "%s: not an IDX file (bad magic)", s->path);
  memset(h, 0, sizeof *h);
  h->type = b[2];
  h->ndim = b[3];
  h->elsize = type_size(h->type);
  if (h->elsize == 0)
    return ln_fail(LN_EFORMAT, "%s: not an IDX file (unknown element type 0x%02x)", s->path, h->type);
  if (h->ndim < 1 || h->ndim > LN_MAXDIM)
    return ln_fail(LN_EFORMAT, "%s: not an IDX file (%d dimensions; 1 to %d are allowed)", s->path,
                   h->ndim, LN_MAXDIM);
  if ((st = src_read(s, b, 4 * (size_t)h->ndim, &got)) != LN_OK) return st;
  if (got < 4 * (size_t)h->ndim)
    return ln_fail(LN_EFORMAT, "%s: truncated header%s", s->path,
                   s->gz_truncated ? " (gzip: unexpected end of file)" : "");
  for (int i = 0; i < h->ndim; i++) h->shape[i] = be32(b + 4 * i);
  int64_t count;
  if (!shape_fits(h->ndim, h->shape, &count) || (uint64_t)count > SIZE_MAX / 8)
    return ln_fail(LN_EFORMAT, "%s: the header's shape %s is too large", s->path,
                   shape_str(h, shape, sizeof shape));
  h->count = (uint64_t)count;
  h->header_bytes = 4 + 4 * (uint64_t)h->ndim;
  h->data_bytes = h->count * (uint64_t)h->elsize;
  return LN_OK;
}

static int fail_short(const idx_src *s, const idx_header *h, uint64_t have) {
  char shape[160];
  return ln_fail(LN_EFORMAT,
                 "%s: truncated: the header claims %s %s values (%llu bytes of data)"
                 " but the %s holds only %llu bytes of data%s",
                 s->path, shape_str(h, shape, sizeof shape), type_name(h->type),
                 (unsigned long long)h->data_bytes, s->gz ? "decompressed stream" : "file",
                 (unsigned long long)have, s->gz_truncated ? " (gzip: unexpected end of file)" : "");
}

static int fail_trailing(const idx_src *s, const char *what) {
  return ln_fail(LN_EFORMAT, "%s: corrupt: %s after the end of the data the header describes", s->path, what);
}

/* Converts n stored elements at p to float32 times scale. */
static void convert(float *out, const unsigned char *p, size_t n, int type, double scale, const float *lut) {
  size_t i;
  switch (type) {
    case 0x08:
      for (i = 0; i < n; i++) out[i] = lut[p[i]];
      break;
    case 0x09:
      for (i = 0; i < n; i++) out[i] = lut[p[i]];   /* the table is indexed by the raw byte */
      break;
    case 0x0B:
      for (i = 0; i < n; i++, p += 2) out[i] = (float)((int16_t)(uint16_t)(p[0] << 8 | p[1]) * scale);
      break;
    case 0x0C:
      for (i = 0; i < n; i++, p += 4) out[i] = (float)((int32_t)be32(p) * scale);
      break;
    case 0x0D:
      for (i = 0; i < n; i++, p += 4) {
        uint32_t u = be32(p);
        float v;
        memcpy(&v, &u, sizeof v);
        out[i] = (float)(v * scale);
      }
      break;
    case 0x0E:
      for (i = 0; i < n; i++, p += 8) {
        uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
        double v;
        memcpy(&v, &u, sizeof v);
        out[i] = (float)(v * scale);
      }
      break;
  }
}

/* Reads the data into t, then makes sure nothing follows it. */
static int read_data(idx_src *s, const idx_header *h, const ln_tensor *t, double scale) {
  float lut[256];
  float *out = ln_data(t);
  uint64_t done = 0;
  size_t got;
  int st = LN_OK;
  unsigned char extra;
  for (int v = 0; v < 256; v++)
    lut[v] = (float)((h->type == 0x09 ? (double)(int8_t)(uint8_t)v : (double)v) * scale);
  unsigned char *buf = malloc(IDX_CHUNK);
  if (buf == NULL) return ln_fail(LN_ENOMEM, "out of memory reading %s", s->path);
  while (done < h->data_bytes) {
    size_t want = h->data_bytes - done < IDX_CHUNK ? (size_t)(h->data_bytes - done) : IDX_CHUNK;
    if ((st = src_read(s, buf, want, &got)) != LN_OK) break;
    if (got < want) {
      st = fail_short(s, h, done + got);
      break;
    }
    convert(out, buf, want / (size_t)h->elsize, h->type, scale, lut);
    out += want / (size_t)h->elsize;
    done += want;
  }
  free(buf);
  if (st != LN_OK) return st;
  /* one byte more: there must be none, and zlib checks the CRC on the way */
  if ((st = src_read(s, &extra, 1, &got)) != LN_OK) return st;
  if (got != 0) return fail_trailing(s, "bytes");
  if (s->gz_truncated)
    return ln_fail(LN_EFORMAT, "%s: truncated gzip file: the data is there but the gzip trailer"
                   " (CRC and length) is cut off", s->path);
  return LN_OK;
}

/* Decompresses the rest of the stream without storing it; *total counts
** its bytes, stopping at limit. */
static int gz_count(idx_src *s, uint64_t limit, uint64_t *total) {
  unsigned char *buf = malloc(IDX_CHUNK);
  size_t got = IDX_CHUNK;
  int st = LN_OK;
  *total = 0;
  if (buf == NULL) return ln_fail(LN_ENOMEM, "out of memory reading %s", s->path);
  while (got == IDX_CHUNK && *total <= limit) {
    if ((st = src_read(s, buf, IDX_CHUNK, &got)) != LN_OK) break;
    *total += got;
  }
  free(buf);
  return st;
}

/* Checks the header against what the file can hold, before allocating. */
static int check_size(idx_src *s, const idx_header *h, uint64_t file_size, uint32_t isize) {
  if (s->gz == NULL) {
    uint64_t have = file_size - h->header_bytes;
    if (have < h->data_bytes) return fail_short(s, h, have);
    if (have > h->data_bytes) {
      char what[64];
      snprintf(what, sizeof what, "%llu bytes", (unsigned long long)(have - h->data_bytes));
      return fail_trailing(s, what);
    }
    return LN_OK;
  }
  uint64_t expect = h->header_bytes + h->data_bytes, total;
  /* The usual case: a single gzip member whose ISIZE is the size. ISIZE
  ** counts mod 2^32 and deflate expands at most 1032 times, so a match
  ** proves nothing for a claim of 4 GB or more, or beyond what the file
  ** can expand to: such headers are counted out like any disagreement. */
  if ((uint32_t)expect == isize && expect <= UINT32_MAX && expect / 1032 <= file_size) return LN_OK;
  int st = gz_count(s, h->data_bytes, &total);
  if (st != LN_OK) return st;
  if (total < h->data_bytes) return fail_short(s, h, total);
  if (total > h->data_bytes) return fail_trailing(s, "bytes");
  /* several gzip members: the data is all there; start again after the header */
  unsigned char skip[4 + 4 * LN_MAXDIM];
  size_t got;
  if (gzrewind(s->gz) != 0) return gz_fail(s);
  s->gz_truncated = 0;
  return src_read(s, skip, (size_t)h->header_bytes, &got);
}

static int load(idx_src *s, ln_tensor *t, double scale) {
  struct stat sb;
  unsigned char magic[4];
  uint32_t isize = 0;
  idx_header h;
  int st;
  if (fstat(fileno(s->f), &sb) != 0) return ln_fail(LN_EIO, "cannot open %s: %s", s->path, strerror(errno));
  if (!S_ISREG(sb.st_mode)) return ln_fail(LN_EIO, "cannot open %s: not a regular file", s->path);
  uint64_t file_size = (uint64_t)sb.st_size;
  size_t got = fread(magic, 1, 2, s->f);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    /* gzip: header (10 bytes) and trailer (CRC32, ISIZE) take 18 at least */
    if (file_size < 18) return ln_fail(LN_EFORMAT, "%s: truncated: too short for a gzip file", s->path);
    if (fseek(s->f, -4, SEEK_END) != 0 || fread(magic, 1, 4, s->f) != 4)
      return ln_fail(LN_EIO, "error reading %s: %s", s->path, strerror(errno));
    isize = ln_le32(magic);
    int fd = dup(fileno(s->f));   /* the file already checked, not whatever the name leads to now */
    fclose(s->f);
    s->f = NULL;
    errno = 0;
    if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0 || (s->gz = gzdopen(fd, "rb")) == NULL) {
      int e = errno;
      if (fd >= 0) close(fd);
      return ln_fail(LN_EIO, "cannot open %s: %s", s->path, e ? strerror(e) : "out of memory");
    }
    gzbuffer(s->gz, 1 << 17);
  } else {
    rewind(s->f);
  }
  if ((st = read_header(s, &h)) != LN_OK) return st;
  if ((st = check_size(s, &h, file_size, isize)) != LN_OK) return st;
  if ((st = ln_tensor_new(t, LN_F32, h.ndim, h.shape)) != LN_OK) return st;
  if ((st = read_data(s, &h, t, scale)) != LN_OK) ln_tensor_free(t);
  return st;
}

int ln_idx_load(ln_tensor *t, const char *path, double scale) {
  idx_src s = {path, NULL, NULL, 0};
  t->storage = NULL;
  int st = ln_fopen_read(&s.f, path);   /* refuses FIFOs and devices before reading */
  if (st != LN_OK) return st;
  st = load(&s, t, scale);
  if (s.f) fclose(s.f);
  if (s.gz) gzclose(s.gz);
  return st;
}
