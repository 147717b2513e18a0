/*
** blas.h: OpenBLAS, opened at run time.
**
** Why not link it: OpenBLAS picks its kernels once, when it is loaded, and
** the Debian build of 0.3.21 does not know recent CPUs with AVX-512 (AMD
** Zen 4) and falls back to its AVX2 "Haswell" kernels, which are 4-6 times
** slower on the small products of a mini-batch of 10. Opening it ourselves
** lets us ask for its AVX-512 kernels (OPENBLAS_CORETYPE=SkylakeX) on such
** CPUs first. A coretype the user set is left alone.
*/
#ifndef LN_BLAS_H
#define LN_BLAS_H

#include <cblas.h>

typedef struct ln_blas {
  void (*sgemm)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, int, int, int, float,
                const float *, int, const float *, int, float, float *, int);
  void (*dgemm)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, int, int, int, double,
                const double *, int, const double *, int, double, double *, int);
  void (*sgemv)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, int, int, float, const float *, int,
                const float *, int, float, float *, int);
  void (*dgemv)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, int, int, double, const double *, int,
                const double *, int, double, double *, int);
  float (*sdot)(int, const float *, int, const float *, int);
  double (*ddot)(int, const double *, int, const double *, int);
  void (*sger)(enum CBLAS_ORDER, int, int, float, const float *, int, const float *, int, float *, int);
  void (*dger)(enum CBLAS_ORDER, int, int, double, const double *, int, const double *, int, double *,
               int);
  void (*saxpy)(int, float, const float *, int, float *, int);
  void (*daxpy)(int, double, const double *, int, double *, int);
  void (*sscal)(int, float, float *, int);
  void (*dscal)(int, double, double *, int);
  void (*set_num_threads)(int);
  int (*get_num_threads)(void);
  char *(*get_corename)(void);
  /* OpenBLAS runs its AVX-512 kernels (SkylakeX and later), which beat
  ** lunet's own small products (linear.h); set when it is opened */
  int avx512;
} ln_blas;

extern ln_blas ln_blas_fn;

/* Opens OpenBLAS (once) and sets one thread; fails with a message when it
** cannot be found. */
int ln_blas_init(void);
/* Maps OpenBLAS's work buffers for `callers` products running at once,
** ahead of them (blas.c says why); an error when the memory is not there. */
int ln_blas_reserve(int callers);

#endif
