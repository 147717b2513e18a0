/*
** md5.c: MD5 as described in RFC 1321: 64-byte blocks, four rounds of
** sixteen steps over a 128-bit state, the message padded with 0x80, zeros
** and its bit length (little-endian) to a multiple of 64 bytes.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "md5.h"

/* T[i] = floor(2^32 * |sin(i + 1)|) */
static const uint32_t T[64] = {
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* rotation amounts, four per round */
static const int S[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

static uint32_t rotl(uint32_t x, int n) {
  return x << n | x >> (32 - n);
}

static void transform(uint32_t state[4], const unsigned char *block) {
  uint32_t X[16], a = state[0], b = state[1], c = state[2], d = state[3];
  for (int i = 0; i < 16; i++) X[i] = ln_le32(block + 4 * i);
  for (int i = 0; i < 64; i++) {
    uint32_t f;
    int k, round = i / 16;
    switch (round) {
      case 0: f = (b & c) | (~b & d), k = i; break;
      case 1: f = (b & d) | (c & ~d), k = (5 * i + 1) % 16; break;
      case 2: f = b ^ c ^ d, k = (3 * i + 5) % 16; break;
      default: f = c ^ (b | ~d), k = (7 * i) % 16; break;
    }
    uint32_t t = d;
    d = c;
    c = b;
    b = b + rotl(a + f + X[k] + T[i], S[4 * round + i % 4]);
    a = t;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
}

void ln_md5_init(ln_md5_ctx *c) {
  c->state[0] = 0x67452301, c->state[1] = 0xefcdab89;
  c->state[2] = 0x98badcfe, c->state[3] = 0x10325476;
  c->length = 0;
}

void ln_md5_update(ln_md5_ctx *c, const void *data, size_t n) {
  const unsigned char *p = data;
  size_t have = (size_t)(c->length % 64);
  c->length += n;
  if (have > 0) {                     /* fill the partial block first */
    size_t take = 64 - have < n ? 64 - have : n;
    memcpy(c->block + have, p, take);
    p += take, n -= take, have += take;
    if (have < 64) return;
    transform(c->state, c->block);
  }
  for (; n >= 64; p += 64, n -= 64) transform(c->state, p);
  if (n > 0) memcpy(c->block, p, n);
}

void ln_md5_final(ln_md5_ctx *c, unsigned char out[16]) {
  static const unsigned char pad[64] = {0x80};
  unsigned char len[8];
  uint64_t bits = c->length * 8;
  size_t have = (size_t)(c->length % 64);
  ln_put_le64(len, bits);
  ln_md5_update(c, pad, have < 56 ? 56 - have : 120 - have);
  ln_md5_update(c, len, 8);
  for (int i = 0; i < 4; i++) ln_put_le32(out + 4 * i, c->state[i]);
}

void ln_md5(const void *data, size_t n, unsigned char out[16]) {
  ln_md5_ctx c;
  ln_md5_init(&c);
  ln_md5_update(&c, data, n);
  ln_md5_final(&c, out);
}

void ln_md5_hex(const unsigned char digest[16], char hex[33]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 16; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[32] = '\0';
}

int ln_md5_file(const char *path, char hex[33]) {
  enum { CHUNK = 1 << 16 };
  unsigned char digest[16];
  ln_md5_ctx c;
  size_t got;
  FILE *f;
  int st = ln_fopen_read(&f, path);   /* refuses FIFOs and devices before reading */
  hex[0] = '\0';
  if (st != LN_OK) return st;
  unsigned char *buf = malloc(CHUNK);
  if (buf == NULL) {
    fclose(f);
    return ln_fail(LN_ENOMEM, "out of memory reading %s", path);
  }
  ln_md5_init(&c);
  while ((got = fread(buf, 1, CHUNK, f)) > 0) ln_md5_update(&c, buf, got);
  int failed = ferror(f), e = errno;
  free(buf);
  fclose(f);
  if (failed) return ln_fail(LN_EIO, "error reading %s: %s", path, strerror(e));
  ln_md5_final(&c, digest);
  ln_md5_hex(digest, hex);
  return LN_OK;
}
