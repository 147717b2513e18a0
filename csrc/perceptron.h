/*
** perceptron.h: the perceptron learning rule (Rosenblatt), one pass over a
** data set in C, for a layer of step neurons.
*/
#ifndef LN_PERCEPTRON_H
#define LN_PERCEPTRON_H

#include "tensor.h"

/* One pass over the samples in order; for sample i and neuron j:
**   y = 1 if w_j . x_i + b_j > 0, else 0
**   w_j += eta (t_ij - y) x_i,   b_j += eta (t_ij - y)
** x: (n, d), t: (n, k) of 0s and 1s, w: (k, d), b: (k), one dtype, all
** contiguous; w and b share no memory with x or t. *mistakes counts the
** (sample, neuron) pairs that were wrong before their update: 0 means the
** layer separated every sample and nothing changed. Everything is checked
** (shapes, finiteness, targets in {0, 1}, eta finite and > 0) before w or b
** is written. */
int ln_perceptron_epoch(const ln_tensor *x, const ln_tensor *t, const ln_tensor *w, const ln_tensor *b,
                        double eta, int64_t *mistakes);

#endif
