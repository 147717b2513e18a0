/*
** png.c: a PNG writer over zlib (already linked for gzip IDX files).
** Every row gets filter 0 (none); zlib's deflate finds the repeats that
** matter here (white margins, runs of one colour).
*/
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "png.h"

static void put_be32(ln_obuf *b, uint32_t v) {
  unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                        (unsigned char)v};
  ln_put(b, p, 4);
}

/* length, type, data, CRC-32 of type and data */
static void chunk(ln_obuf *b, const char *type, const unsigned char *data, size_t n) {
  uLong crc = crc32(0L, (const Bytef *)type, 4);
  if (n > 0) crc = crc32(crc, data, (uInt)n);
  put_be32(b, (uint32_t)n);
  ln_put(b, type, 4);
  if (n > 0) ln_put(b, data, n);
  put_be32(b, (uint32_t)crc);
}

static int check_args(int64_t w, int64_t h, int type, size_t npixels, size_t nplte, size_t ntrns) {
  int64_t channels = type == LN_PNG_RGB ? 3 : 1;
  if (type != LN_PNG_GRAY && type != LN_PNG_RGB && type != LN_PNG_PALETTE)
    return ln_fail(LN_EARG, "unknown PNG colour type %d", type);
  if (w < 1 || h < 1 || w > 65535 || h > 65535)
    return ln_fail(LN_EARG, "image of %lld x %lld pixels (1 to 65535 each way)", (long long)w, (long long)h);
  if ((int64_t)npixels != w * h * channels)
    return ln_fail(LN_EARG, "%lld bytes of pixels for %lld x %lld x %lld", (long long)npixels, (long long)w,
                   (long long)h, (long long)channels);
  if (type == LN_PNG_PALETTE && (nplte < 1 || nplte > 256 || ntrns > nplte))
    return ln_fail(LN_EARG, "a palette has 1 to 256 colours and at most as many alphas");
  return LN_OK;
}

int ln_png_encode(int64_t w, int64_t h, int type, const unsigned char *pixels, size_t npixels,
                  const unsigned char *plte, size_t nplte, const unsigned char *trns, size_t ntrns, ln_obuf *out) {
  static const unsigned char signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  int st = check_args(w, h, type, npixels, nplte, ntrns);
  if (st != LN_OK) return st;
  size_t row = (size_t)w * (type == LN_PNG_RGB ? 3 : 1);
  size_t raw_len = (row + 1) * (size_t)h;          /* each row behind its filter byte */
  uLongf z_len = compressBound((uLong)raw_len);
  unsigned char *raw = malloc(raw_len), *z = malloc(z_len);
  if (raw == NULL || z == NULL) {
    free(raw);
    free(z);
    return ln_fail(LN_ENOMEM, "out of memory");
  }
  for (int64_t r = 0; r < h; r++) {
    raw[(size_t)r * (row + 1)] = 0;
    memcpy(raw + (size_t)r * (row + 1) + 1, pixels + (size_t)r * row, row);
  }
  int zst = compress2(z, &z_len, raw, (uLong)raw_len, 9);
  free(raw);
  if (zst != Z_OK) {
    free(z);
    return ln_fail(LN_EARG, "zlib could not compress the image (error %d)", zst);
  }
  unsigned char ihdr[13];
  ihdr[0] = 0, ihdr[1] = 0, ihdr[2] = (unsigned char)(w >> 8), ihdr[3] = (unsigned char)w;
  ihdr[4] = 0, ihdr[5] = 0, ihdr[6] = (unsigned char)(h >> 8), ihdr[7] = (unsigned char)h;
  ihdr[8] = 8, ihdr[9] = (unsigned char)type, ihdr[10] = 0, ihdr[11] = 0, ihdr[12] = 0;
  ln_put(out, signature, 8);
  chunk(out, "IHDR", ihdr, 13);
  if (type == LN_PNG_PALETTE) {
    chunk(out, "PLTE", plte, 3 * nplte);
    if (ntrns > 0) chunk(out, "tRNS", trns, ntrns);
  }
  chunk(out, "IDAT", z, z_len);
  chunk(out, "IEND", NULL, 0);
  free(z);
  if (out->failed) return ln_fail(LN_ENOMEM, "out of memory");
  return LN_OK;
}
