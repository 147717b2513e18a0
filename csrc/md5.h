/*
** md5.h: MD5 (RFC 1321), to check downloaded data sets against their
** published digests. Not for anything security-related.
*/
#ifndef LN_MD5_H
#define LN_MD5_H

#include "ln.h"

typedef struct ln_md5_ctx {
  uint32_t state[4];
  uint64_t length;                /* bytes hashed so far */
  unsigned char block[64];        /* a partial block */
} ln_md5_ctx;

void ln_md5_init(ln_md5_ctx *c);
void ln_md5_update(ln_md5_ctx *c, const void *data, size_t n);
void ln_md5_final(ln_md5_ctx *c, unsigned char out[16]);

/* The digest of n bytes. */
void ln_md5(const void *data, size_t n, unsigned char out[16]);
/* Writes 32 lowercase hex digits and a '\0'. */
void ln_md5_hex(const unsigned char digest[16], char hex[33]);
/* The digest of a file as hex, read in chunks. */
int ln_md5_file(const char *path, char hex[33]);

#endif
