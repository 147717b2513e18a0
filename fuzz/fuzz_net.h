/*
** fuzz_net.h: what the harnesses that build networks from their input
** share: OpenBLAS opened before the first input (the layers' products go
** through it), and the size under which a network is small enough to run
** a pass through at every input. Define FUZZ_NAME before including it.
*/
#ifndef FUZZ_NET_H
#define FUZZ_NET_H

#include <stdio.h>
#include <stdlib.h>

#include "blas.h"
#include "net.h"

#define FUZZ_MAX_ELEMS (1 << 16)   /* per sample, in every layer's output */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  if (ln_blas_init() != LN_OK) {
    fprintf(stderr, "%s: %s\n", FUZZ_NAME, ln_errmsg());
    abort();
  }
  return 0;
}

static int small_enough(const ln_net *net) {
  int64_t n = ln_shape_numel(&net->in);
  if (n > FUZZ_MAX_ELEMS || ln_numel(&net->params) > FUZZ_MAX_ELEMS) return 0;
  for (int i = 0; i < net->nlayers; i++)
    if (ln_shape_numel(&net->layers[i]->out) > FUZZ_MAX_ELEMS) return 0;
  return 1;
}

#endif
