/*
** fuzz_model.h: what both model harnesses do with bytes: parse them as a
** model file and, when that works and the network is small, run a forward
** and a backward pass of two zero samples through it, so that a file the
** loader accepts is also one the layers can run.
*/
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include <stdio.h>
#include <stdlib.h>

#include "blas.h"
#include "model.h"

#define FUZZ_MAX_ELEMS (1 << 16)   /* per sample, in every layer's output */

/* The layers' products go through OpenBLAS, loaded at run time. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  if (ln_blas_init() != LN_OK) {
    fprintf(stderr, "fuzz_model: %s\n", ln_errmsg());
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

static void fuzz_model_bytes(const uint8_t *data, size_t size) {
  ln_net *net;
  if (ln_model_decode(&net, data, size, "fuzz.model") != LN_OK) return;
  if (small_enough(net) && ln_net_reserve(net, 2) == LN_OK) {
    ln_rng rng;
    ln_rng_seed(&rng, 1);
    ln_mode mode = {1, 0, &rng, 0};
    int top;
    if (ln_net_forward(net, 2, &mode) == LN_OK) {
      (void)ln_net_cost_sum(net, 2);
      ln_net_cost_delta(net, 2, 0.5, &top);
      (void)ln_net_backward(net, 2, top, 1);
    }
  }
  ln_net_free(net);
}

#endif
