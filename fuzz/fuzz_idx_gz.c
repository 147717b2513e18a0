/*
** fuzz_idx_gz.c: libFuzzer harness for the gzip path of the IDX reader.
** The input is an IDX file before compression, so the fuzzer works on the
** IDX header and data, not on deflate's bits. The first byte picks how
** the harness gzips the rest:
**   mode 0: one gzip member;
**   mode 1: two members, split where the second byte says (the trailer
**           then counts only the last member: the reader must count);
**   mode 2: one member with its last (second byte % 9) bytes cut off
**           (a truncated trailer, or truncated data).
*/
#include "fuzz_file.h"   /* first: it asks for memfd_create (_GNU_SOURCE) */

#include <string.h>
#include <zlib.h>

#include "idx.h"

/* Appends one gzip member of src to out at *len (capacity cap). */
static void gzip_member(const uint8_t *src, size_t n, uint8_t *out, size_t cap, size_t *len) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  z.next_in = (Bytef *)(uintptr_t)src;
  z.avail_in = (uInt)n;
  z.next_out = out + *len;
  z.avail_out = (uInt)(cap - *len);
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) abort();
  *len = cap - z.avail_out;
  deflateEnd(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > (1 << 20)) return 0;
  int mode = data[0] % 3, arg = data[1];
  const uint8_t *idx = data + 2;
  size_t n = size - 2, len = 0;
  size_t cap = 2 * (compressBound((uLong)n) + 64);
  uint8_t *gz = malloc(cap);
  if (gz == NULL) abort();
  if (mode == 1) {
    size_t cut = n ? (size_t)arg % (n + 1) : 0;
    gzip_member(idx, cut, gz, cap, &len);
    gzip_member(idx + cut, n - cut, gz, cap, &len);
  } else {
    gzip_member(idx, n, gz, cap, &len);
    if (mode == 2) len -= (size_t)(arg % 9) < len ? (size_t)(arg % 9) : len;
  }
  char path[64];
  ln_tensor t;
  int fd = fuzz_file_open(gz, len, path, sizeof path);
  if (ln_idx_load(&t, path, 1.0 / 255) == LN_OK) ln_tensor_free(&t);
  fuzz_file_close(fd);
  free(gz);
  return 0;
}
