/*
** fileio.c: see fileio.h.
*/
#define _DEFAULT_SOURCE   /* flock(), beside POSIX */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* ---- reading ------------------------------------------------------------ */

static const char *kind_of(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "directory";
  if (S_ISFIFO(m)) return "fifo";
  if (S_ISSOCK(m)) return "socket";
  if (S_ISCHR(m)) return "character device";
  if (S_ISBLK(m)) return "block device";
  return "other";
}

static int not_regular(const char *verb, const char *path, mode_t m) {
  return ln_fail(LN_EIO, "cannot %s %s: not a regular file (a %s)", verb, path, kind_of(m));
}

/* A descriptor for reading path, if it is a regular file. */
static int open_regular(const char *path, int *fdp) {
  struct stat sb;
  int fd, flags, e;
  *fdp = -1;
  /* O_NONBLOCK: opening a FIFO that has no writer would wait for one;
  ** O_NOCTTY: a terminal given as the path must not become ours */
  if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
    e = errno;
    /* a socket cannot be opened at all (ENXIO): say what it is instead */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return not_regular("open", path, sb.st_mode);
    return ln_fail(LN_EIO, "cannot open %s: %s", path, strerror(e));
  }
  if (fstat(fd, &sb) != 0) {
    e = errno;
    close(fd);
    return ln_fail(LN_EIO, "cannot open %s: %s", path, strerror(e));
  }
  if (!S_ISREG(sb.st_mode)) {
    close(fd);
    return not_regular("open", path, sb.st_mode);
  }
  /* reads then wait for data as usual */
  if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
    e = errno;
    close(fd);
    return ln_fail(LN_EIO, "cannot open %s: %s", path, strerror(e));
  }
  *fdp = fd;
  return LN_OK;
}

int ln_fopen_read(FILE **f, const char *path) {
  int fd, st = open_regular(path, &fd);
  *f = NULL;
  if (st != LN_OK) return st;
  if ((*f = fdopen(fd, "rb")) == NULL) {
    int e = errno;
    close(fd);
    return ln_fail(LN_EIO, "cannot open %s: %s", path, strerror(e));
  }
  return LN_OK;
}

int ln_read_file(const char *path, unsigned char **data, size_t *size) {
  unsigned char *buf = NULL;
  size_t cap = 0, len = 0;
  FILE *f;
  int st = ln_fopen_read(&f, path);
  *data = NULL;
  if (st != LN_OK) return st;
  for (;;) {
    if (len == cap) {
      size_t ncap;
      unsigned char *nbuf = ln_mul_size(cap ? cap : 1 << 15, 2, &ncap) ? realloc(buf, ncap) : NULL;
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

int ln_file_kind(const char *path, const char **kind, int64_t *size) {
  struct stat sb;
  if (stat(path, &sb) != 0) return ln_fail(LN_EIO, "%s: %s", path, strerror(errno));
  *kind = kind_of(sb.st_mode);
  *size = (int64_t)sb.st_size;
  return LN_OK;
}

/* ---- atomic writing ----------------------------------------------------- */

/* The target's directory part ("" or "dir/") is path[0, *dir); the rest is
** its name, which must be a name. */
static int split_path(const char *path, size_t *dir) {
  const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
  *dir = (size_t)(name - path);
  if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return ln_fail(LN_EARG, "cannot save to \"%s\": it does not end in a file name", path);
  return LN_OK;
}

/* dir/.name.lunet-tmp for dir/name */
static char *temp_path(const char *path, size_t dir) {
  static const char suffix[] = ".lunet-tmp";
  size_t name = strlen(path) - dir;
  char *t = malloc(dir + 1 + name + sizeof suffix);
  if (t == NULL) return NULL;
  memcpy(t, path, dir);
  t[dir] = '.';
  memcpy(t + dir + 1, path + dir, name);
  memcpy(t + dir + 1 + name, suffix, sizeof suffix);
  return t;
}

/* The umask, read from /proc on Linux; elsewhere by setting it and putting
** it back at once (a file another thread made in that instant would get
** mode 0666). */
static mode_t current_umask(void) {
  char line[128];
  unsigned mask;
  int found = 0;
  FILE *f = fopen("/proc/self/status", "r");
  while (f && !found && fgets(line, sizeof line, f))
    found = sscanf(line, "Umask: %o", &mask) == 1;
  if (f) fclose(f);
  if (found) return (mode_t)mask;
  mode_t m = umask(0);
  umask(m);
  return m;
}

/* 0666 less the umask: what a new file gets (only a reused stray needs it) */
static mode_t new_file_mode(void) {
  return 0666 & ~current_umask();
}

static int temp_fail(const ln_atomic_file *af, const char *why) {
  return ln_fail(LN_EIO, "cannot write %s (through %s): %s", af->path, af->tmp_path, why);
}

/*
** Opens the temporary file, locked and empty. It is made afresh when there
** is none; when there is one (a killed save's), it is reused as long as no
** live save holds its lock. The lock is on the file, not on its name: a save
** that finished meanwhile renamed the file onto the target, so the name must
** still lead to the locked file, else try again.
*/
static int open_temp(ln_atomic_file *af, int *fdp) {
  for (int attempt = 0; attempt < 16; attempt++) {
    struct stat held, named;
    int fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0666), fresh = fd >= 0;
    /* whatever sits at the name must not block (a FIFO) or lead elsewhere (a link) */
    if (fd < 0 && errno == EEXIST) {
      fd = open(af->tmp_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) continue;   /* renamed away since: make it afresh */
    }
    if (fd < 0) return temp_fail(af, strerror(errno));
    if (fstat(fd, &held) != 0 || !S_ISREG(held.st_mode)) {
      close(fd);
      return temp_fail(af, "it is not a regular file; remove it");
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      close(fd);
      return e == EWOULDBLOCK ? temp_fail(af, "another save of the same file is in progress")
                              : temp_fail(af, strerror(e));
    }
    if (stat(af->tmp_path, &named) != 0 || named.st_dev != held.st_dev || named.st_ino != held.st_ino) {
      close(fd);
      continue;
    }
    if (!fresh && (ftruncate(fd, 0) != 0 || fchmod(fd, new_file_mode()) != 0 ||
                   fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)) {
      int e = errno;
      unlink(af->tmp_path);
      close(fd);
      return temp_fail(af, strerror(e));
    }
    *fdp = fd;
    return LN_OK;
  }
  return temp_fail(af, "it keeps being replaced by other saves");
}

int ln_atomic_open(ln_atomic_file *af, const char *path) {
  struct stat sb;
  size_t dir;
  int fd = -1, st;
  af->path = path;
  af->f = NULL;
  af->tmp_path = NULL;
  if ((st = split_path(path, &dir)) != LN_OK) return st;
  if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) return not_regular("save over", path, sb.st_mode);
  if ((af->tmp_path = temp_path(path, dir)) == NULL) return ln_fail(LN_ENOMEM, "out of memory");
  if ((st = open_temp(af, &fd)) == LN_OK && (af->f = fdopen(fd, "wb")) == NULL) {
    st = temp_fail(af, strerror(errno));
    unlink(af->tmp_path);
    close(fd);
  }
  if (st != LN_OK) {
    free(af->tmp_path);
    af->tmp_path = NULL;
  }
  return st;
}

int ln_atomic_write(ln_atomic_file *af, const void *data, size_t size) {
  if (size > 0 && fwrite(data, 1, size, af->f) != size)
    return ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  return LN_OK;
}

/* Makes the rename itself durable; a directory that cannot be opened for
** that (no read permission) is left to the file system's own schedule. */
static void sync_dir(const char *path) {
  size_t dir;
  char *d;
  int fd;
  if (split_path(path, &dir) != LN_OK || (d = malloc(dir + 2)) == NULL) return;
  if (dir == 0) strcpy(d, ".");
  else memcpy(d, path, dir), d[dir] = '\0';
  if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  free(d);
}

int ln_atomic_close(ln_atomic_file *af, int ok) {
  int st = LN_OK;
  if (af->f == NULL) return ok ? ln_fail(LN_EIO, "file was not open") : LN_OK;
  if (ok && (fflush(af->f) != 0 || fsync(fileno(af->f)) != 0))
    st = ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  /* renamed or removed while still locked, so no other save can take the
  ** name for its own before this one lets go */
  if (ok && st == LN_OK && rename(af->tmp_path, af->path) != 0)
    st = ln_fail(LN_EIO, "cannot rename onto %s: %s", af->path, strerror(errno));
  if (!ok || st != LN_OK) unlink(af->tmp_path);
  if (fclose(af->f) != 0 && ok && st == LN_OK)
    st = ln_fail(LN_EIO, "cannot write %s: %s", af->path, strerror(errno));
  if (ok && st == LN_OK) sync_dir(af->path);
  af->f = NULL;
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
