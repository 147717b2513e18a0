/*
** blas.c: see blas.h.
*/
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

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

static void *open_library(void) {
  static const char *const names[] = {"libopenblas.so.0", "libopenblas.so"};
  const char *own = getenv("LUNET_OPENBLAS");
  void *h = own ? dlopen(own, RTLD_NOW | RTLD_GLOBAL) : NULL;
  for (size_t i = 0; h == NULL && i < sizeof names / sizeof *names; i++)
    h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
  return h;
}

/* dlsym returns void *; C has no cast from it to a function pointer, so
** the address is copied into the slot. */
static int bind(void *h, void *slot, const char *name) {
  void *sym = dlsym(h, name);
  if (sym == NULL) return 0;
  memcpy(slot, &sym, sizeof sym);
  return 1;
}

int ln_blas_init(void) {
  void *h;
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
  h = open_library();
  /* OpenBLAS read them as it loaded; programs the user starts from lunet
  ** (a Python script through io.popen) see the environment as it was */
  if (set_core) unsetenv("OPENBLAS_CORETYPE");
  if (set_threads) unsetenv("OPENBLAS_NUM_THREADS");
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
    return ln_fail(LN_EIO, "the OpenBLAS found lacks a CBLAS function");
  const char *core = ln_blas_fn.get_corename();
  ln_blas_fn.avx512 = core && (strstr(core, "SkylakeX") || strstr(core, "Cooperlake") || strstr(core, "SapphireRapids"));
  opened = 1;
  return LN_OK;
}
