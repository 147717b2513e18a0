/*
** fileio.c: see fileio.h.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

int ln_read_file(const char *path, unsigned char **data, size_t *size) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  size_t cap = 0, len = 0;
  *data = NULL;
  if (f == NULL) return ln_fail(LN_EIO, "cannot open %s: %s", path, strerror(errno));
  for (;;) {
    if (len == cap) {
      size_t ncap = cap ? cap * 2 : 1 << 16;
      unsigned char *nbuf = realloc(buf, ncap);
      if (nbuf == NULL) {
        free(buf);
        fclose(f);
        return ln_fail(LN_ENOMEM, "out of memory reading %s", path);
      }
      buf = nbuf, cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    fclose(f);
    return ln_fail(LN_EIO, "error reading %s: %s", path, strerror(e));
  }
  fclose(f);
  *data = buf;
  *size = len;
  return LN_OK;
}

int ln_atomic_open(ln_atomic_file *af, const char *path) {
  size_t n = strlen(path);
  int fd;
  af->path = path;
  af->f = NULL;
  af->tmp_path = malloc(n + sizeof ".tmpXXXXXX");
  if (af->tmp_path == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  memcpy(af->tmp_path, path, n);
  memcpy(af->tmp_path + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
  fd = mkstemp(af->tmp_path);
  if (fd < 0 || (af->f = fdopen(fd, "wb")) == NULL) {
    int e = errno;
    if (fd >= 0) {
      close(fd);
      remove(af->tmp_path);
    }
    free(af->tmp_path);
    af->tmp_path = NULL;
    return ln_fail(LN_EIO, "cannot write %s: %s", path, strerror(e));
  }
  return LN_OK;
}

int ln_atomic_write(ln_atomic_file *af, const void *data, size_t size) {
  if (size > 0 && fwrite(data, 1, size, af->f) != size)
    return ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  return LN_OK;
}

int ln_atomic_close(ln_atomic_file *af, int ok) {
  int st = LN_OK;
  if (af->f == NULL) return ok ? ln_fail(LN_EIO, "file was not open") : LN_OK;
  if (ok && (fflush(af->f) != 0 || fsync(fileno(af->f)) != 0))
    st = ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  if (fclose(af->f) != 0 && ok && st == LN_OK)
    st = ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  af->f = NULL;
  if (ok && st == LN_OK && rename(af->tmp_path, af->path) != 0)
    st = ln_fail(LN_EIO, "cannot rename onto %s: %s", af->path, strerror(errno));
  if (!ok || st != LN_OK) remove(af->tmp_path);
  free(af->tmp_path);
  af->tmp_path = NULL;
  return st;
}

uint32_t ln_le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t ln_le64(const unsigned char *p) {
  return (uint64_t)ln_le32(p) | (uint64_t)ln_le32(p + 4) << 32;
}

void ln_put_le32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

void ln_put_le64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

int ln_host_is_little_endian(void) {
  const uint16_t one = 1;
  return *(const unsigned char *)&one == 1;
}

void ln_swap_to_host(void *data, size_t n, size_t size, int data_little) {
  unsigned char *p = data;
  if (data_little == ln_host_is_little_endian() || size == 1) return;
  for (size_t i = 0; i < n; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}
