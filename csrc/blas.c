/*
** blas.c: see blas.h.
*/
#define _DEFAULT_SOURCE 1   /* MAP_ANONYMOUS, beyond POSIX */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "blas.h"
#include "ln.h"

ln_blas ln_blas_fn;
static int opened;

/* AVX-512 as OpenBLAS's SkylakeX kernels need it. */
static int has_avx512(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
  return 0;
#endif
}

/* LUNET_OPENBLAS names the library to load instead of the system's; one
** that does not load is an error (said by the caller, which gets *own),
** not a quiet fall back to the system's library. Empty counts as unset. */
static void *open_library(const char **own) {
  static const char *const names[] = {"libopenblas.so.0", "libopenblas.so"};
  void *h = NULL;
  *own = getenv("LUNET_OPENBLAS");
  if (*own != NULL && **own == '\0') *own = NULL;
  if (*own != NULL) return dlopen(*own, RTLD_NOW | RTLD_GLOBAL);
  for (size_t i = 0; h == NULL && i < sizeof names / sizeof *names; i++)
    h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
  return h;
}

static const char *missing;   /* the last function bind did not find */

/* dlsym returns void *; C has no cast from it to a function pointer, so
** the address is copied into the slot. */
static int bind(void *h, void *slot, const char *name) {
  void *sym = dlsym(h, name);
  if (sym == NULL) {
    missing = name;
    return 0;
  }
  memcpy(slot, &sym, sizeof sym);
  return 1;
}

/* OpenBLAS keeps a table of work buffers (about 128 MB of address space
** each in Debian's 0.3.21), one per product running at a time, mapped when
** a product first finds none free, and it retries a failed mapping forever
** (blas_memory_alloc's loop). A process that had used up its address space
** (ulimit -v, or a strict overcommit limit) before its first product, or
** before its first products on two threads at once, hung there at 100% CPU.
** So the buffers for as many products at a time as lunet has threads are
** mapped ahead, once a mapping of that size was seen to succeed: later
** products reuse them, and memory that runs out later runs out in lunet's
** own allocations, which fail with an error. */
#define BUFFER_ROOM ((size_t)136 << 20)   /* a buffer and a little more */

static void *(*memory_alloc)(int);   /* OpenBLAS's own, exported though not public */
static void (*memory_free)(void *);
static int reserved;

static int room_for(int buffers) {
#ifdef MAP_ANONYMOUS
  size_t room = BUFFER_ROOM * (size_t)buffers;
  void *probe = mmap(NULL, room, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED)
    return ln_fail(LN_ENOMEM, "not enough memory for OpenBLAS's work buffers (%zu MB of address space; "
                   "see ulimit -v)", room >> 20);
  munmap(probe, room);
#else
  (void)buffers;
#endif
  return LN_OK;
}

/* One product too big for OpenBLAS's small-matrix path takes a buffer. */
static int run_product(void) {
  enum { n = 128 };
  double *m = calloc((size_t)3 * n * n, sizeof *m);   /* a, b and c, n x n each */
  if (m == NULL) return ln_fail(LN_ENOMEM, "out of memory starting OpenBLAS");
  ln_blas_fn.dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, m, n, m + n * n, n, 0.0,
                   m + 2 * n * n, n);
  free(m);
  return LN_OK;
}

int ln_blas_reserve(int callers) {
  enum { most = 32 };   /* 4 GB of buffers: beyond any sane thread count */
  void *held[most];
  int st;
  if (ln_blas_fn.get_num_threads == NULL) return LN_OK;   /* not open yet: ln_blas_init reserves */
  callers *= ln_blas_fn.get_num_threads();   /* OpenBLAS's own threads take one each too */
  if (callers > most) callers = most;
  if (callers <= reserved) return LN_OK;
  if ((st = room_for(callers - reserved)) != LN_OK) return st;
  if (memory_alloc == NULL || memory_free == NULL) {   /* another build: one buffer, by a product */
    if ((st = run_product()) != LN_OK) return st;
    reserved = 1;
    return LN_OK;
  }
  for (int i = 0; i < callers; i++) held[i] = memory_alloc(0);
  for (int i = callers - 1; i >= 0; i--) memory_free(held[i]);
  reserved = callers;
  return LN_OK;
}

int ln_blas_init(void) {
  void *h;
  const char *own;
  if (opened) return LN_OK;
  int set_core = getenv("OPENBLAS_CORETYPE") == NULL && has_avx512();
  /* One thread unless the user chose: mini-batch products lose to thread
  ** wake-ups. Said before OpenBLAS loads, so that it starts no server
  ** threads: asked afterwards, the one it had started spun on sched_yield
  ** for about two seconds after loading, 5% of a core that the process's
  ** CPU time (os.clock, the benchmarks' clock) counted as lunet's. */
  int set_threads = getenv("OPENBLAS_NUM_THREADS") == NULL && getenv("OMP_NUM_THREADS") == NULL;
  if (set_core) setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
  if (set_threads) setenv("OPENBLAS_NUM_THREADS", "1", 0);
  h = open_library(&own);
  /* OpenBLAS read them as it loaded; programs the user starts from lunet
  ** (a Python script through io.popen) see the environment as it was */
  if (set_core) unsetenv("OPENBLAS_CORETYPE");
  if (set_threads) unsetenv("OPENBLAS_NUM_THREADS");
  if (h == NULL && own != NULL) return ln_fail(LN_EIO, "cannot load LUNET_OPENBLAS=%s: %s", own, dlerror());
  if (h == NULL)
    return ln_fail(LN_EIO, "cannot load OpenBLAS (libopenblas.so.0): %s; install libopenblas0", dlerror());
  if (!bind(h, &ln_blas_fn.sgemm, "cblas_sgemm") || !bind(h, &ln_blas_fn.dgemm, "cblas_dgemm") ||
      !bind(h, &ln_blas_fn.sgemv, "cblas_sgemv") || !bind(h, &ln_blas_fn.dgemv, "cblas_dgemv") ||
      !bind(h, &ln_blas_fn.sdot, "cblas_sdot") || !bind(h, &ln_blas_fn.ddot, "cblas_ddot") ||
      !bind(h, &ln_blas_fn.sger, "cblas_sger") || !bind(h, &ln_blas_fn.dger, "cblas_dger") ||
      !bind(h, &ln_blas_fn.saxpy, "cblas_saxpy") || !bind(h, &ln_blas_fn.daxpy, "cblas_daxpy") ||
      !bind(h, &ln_blas_fn.sscal, "cblas_sscal") || !bind(h, &ln_blas_fn.dscal, "cblas_dscal") ||
      !bind(h, &ln_blas_fn.set_num_threads, "openblas_set_num_threads") ||
      !bind(h, &ln_blas_fn.get_num_threads, "openblas_get_num_threads") ||
      !bind(h, &ln_blas_fn.get_corename, "openblas_get_corename"))
    return ln_fail(LN_EIO, "%s is not OpenBLAS: it lacks %s", own ? own : "the OpenBLAS found", missing);
  const char *core = ln_blas_fn.get_corename();
  ln_blas_fn.avx512 = core && (strstr(core, "SkylakeX") || strstr(core, "Cooperlake") || strstr(core, "SapphireRapids"));
  bind(h, &memory_alloc, "blas_memory_alloc");
  bind(h, &memory_free, "blas_memory_free");
  int st = ln_blas_reserve(1);
  if (st != LN_OK) return st;
  opened = 1;
  return LN_OK;
}
