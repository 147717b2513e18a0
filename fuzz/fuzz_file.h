/*
** fuzz_file.h: the bytes as a file that lives in memory (memfd), named by
** its /proc/self/fd path, for the readers that open a path themselves
** (IDX: fstat, then stdio or zlib's gzdopen on the same descriptor). No
** disk, no clean-up.
*/
#ifndef FUZZ_FILE_H
#define FUZZ_FILE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes the bytes into a fresh in-memory file; the path stays valid
** until fuzz_file_close(fd). Aborts (a harness bug, not a finding) when
** the kernel refuses. */
static int fuzz_file_open(const void *data, size_t size, char *path, size_t path_size) {
  int fd = memfd_create("fuzz", 0);
  if (fd < 0) abort();
  const char *p = data;
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n <= 0) abort();
    p += n, size -= (size_t)n;
  }
  snprintf(path, path_size, "/proc/self/fd/%d", fd);
  return fd;
}

static void fuzz_file_close(int fd) {
  close(fd);
}

#endif
