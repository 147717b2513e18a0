/*
** digest.h: a 64-bit fingerprint of a tensor's values, to tell one data
** set from another (a resumed training run must see the data the
** checkpointed one saw). Not cryptographic: it guards against mistakes,
** not against anyone crafting a collision.
*/
#ifndef LN_DIGEST_H
#define LN_DIGEST_H

#include "tensor.h"

/* The digest of x's shape and of its values in row-major order, each read
** as a float64, so that a tensor, its copy in the other dtype and any view
** with the same values agree, whatever the strides. */
uint64_t ln_digest(const ln_tensor *x);

#endif
