/*
** fileio.h: the one way the core opens files.
**
** Reading: only regular files. A FIFO, a device (/dev/zero), a directory or
** a socket is refused before anything can block on it: the path is opened
** without blocking, checked with fstat, and only then read.
**
** Writing: atomically. The data goes to a temporary file beside the target,
** `.<name>.lunet-tmp`, which is flushed, synced and renamed over the
** target, so a crash or a full disk never leaves a half-written target. The
** temporary name is the same for every save of one target: a save killed
** half way leaves at most that one file, which the next save of the target
** reuses and renames away. A save holds an exclusive lock (flock) on it, so
** a second concurrent save of the same target fails with a message rather
** than mixing its bytes in. The file is created with mode 0666 less the
** umask, like any file the user makes.
*/
#ifndef LN_FILEIO_H
#define LN_FILEIO_H

#include <stdio.h>

#include "ln.h"

/* Opens path for reading if it is a regular file: *f is a FILE in "rb". */
int ln_fopen_read(FILE **f, const char *path);
/* Reads all of path (a regular file) into a malloc'd buffer (*data, *size). */
int ln_read_file(const char *path, unsigned char **data, size_t *size);
/* What path is, without opening it (stat: symbolic links are followed):
** *kind is "file", "directory", "fifo", "socket", "character device",
** "block device" or "other", and *size its size in bytes. */
int ln_file_kind(const char *path, const char **kind, int64_t *size);

typedef struct ln_atomic_file {
  FILE *f;
  char *tmp_path;
  const char *path;
} ln_atomic_file;

/* Refuses a target that exists and is not a regular file (a save over
** /dev/null or a directory is an error, not a replacement). */
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
