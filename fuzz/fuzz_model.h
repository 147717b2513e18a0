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

#define FUZZ_NAME "fuzz_model"
#include "fuzz_net.h"
#include "model.h"

static void fuzz_model_bytes(const uint8_t *data, size_t size) {
  ln_net *net;
  if (ln_model_decode(&net, data, size, "fuzz.model") != LN_OK) return;
  if (small_enough(net) && ln_net_reserve(net, 2) == LN_OK) {
    ln_rng rng;
    ln_rng_seed(&rng, 1);
    ln_mode mode = {.train = 1, .rng = &rng};
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
