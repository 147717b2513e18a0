/*
** fileio.h: whole-file reading with size checks, and atomic writing
** (a temporary file beside the target, flushed, then renamed over it), so
** that a crash or a full disk never leaves a half-written file behind.
*/
#ifndef LN_FILEIO_H
#define LN_FILEIO_H

#include <stdio.h>

#include "ln.h"

/* Reads all of path into a malloc'd buffer (*data, *size). */
int ln_read_file(const char *path, unsigned char **data, size_t *size);

typedef struct ln_atomic_file {
  FILE *f;
  char *tmp_path;
  const char *path;
} ln_atomic_file;

int ln_atomic_open(ln_atomic_file *af, const char *path);
int ln_atomic_write(ln_atomic_file *af, const void *data, size_t size);
/* Flushes, syncs and renames; on any earlier failure pass ok = 0 to
** remove the temporary file instead. */
int ln_atomic_close(ln_atomic_file *af, int ok);

/* little-endian fields, whatever the host */
uint32_t ln_le32(const unsigned char *p);
uint64_t ln_le64(const unsigned char *p);
void ln_put_le32(unsigned char *p, uint32_t v);
void ln_put_le64(unsigned char *p, uint64_t v);
int ln_host_is_little_endian(void);
/* Converts n elements of `size` bytes between little-endian and the host. */
void ln_swap_to_host(void *data, size_t n, size_t size, int data_little);

#endif
