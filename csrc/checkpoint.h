/*
** checkpoint.h: a training run to a file and back, exactly.
**
** Format (version 1), every number little-endian:
**   "LUNETCKP" 8-byte magic, u32 version (1)
**   u64 length, then a whole model file image (model.c's format, with its
**     own checksum): the layers, parameters and batch-norm state
**   the optimizer: u32 kind, u32 count, f64 hyperparameters (the kind's
**     table order, booleans as 0 or 1), u32 reg, f64 lambda, u64 n,
**     u64 steps, u32 dtype, u64 parameter count, u32 state count, then the
**     state arrays as float32 or float64
**   the random stream: 4 x u64
**   u64 length, then the caller's text (lunet's trainer keeps its epoch,
**     eta, schedule, counters and history there)
**   u32 CRC-32 of every byte before it
*/
#ifndef LN_CHECKPOINT_H
#define LN_CHECKPOINT_H

#include "optim.h"

/* Written atomically through fileio.c. */
int ln_checkpoint_save(const char *path, const ln_net *net, const ln_optim *o, const ln_rng *rng,
                       const char *text, size_t text_len);

/* Checks the whole file (checksum, every field) and that it matches net
** (dtype, input, layers, cost, sizes) and o (kind, hyperparameters other
** than eta, regularisation, state); only then restores the parameters and
** state of net, o's state arrays, step count and eta, and *rng. *text gets
** a malloc'd, NUL-terminated copy of the text. Nothing changes on failure. */
int ln_checkpoint_load(const char *path, ln_net *net, ln_optim *o, ln_rng *rng, char **text,
                       size_t *text_len);

/* The text alone, after the same checks of the file (not of a network). */
int ln_checkpoint_text(const char *path, char **text, size_t *text_len);

#endif
