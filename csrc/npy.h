/*
** npy.h: tensors to and from NumPy .npy files.
*/
#ifndef LN_NPY_H
#define LN_NPY_H

#include "tensor.h"

int ln_npy_load(ln_tensor *t, const char *path);
int ln_npy_save(const ln_tensor *t, const char *path);

#endif
