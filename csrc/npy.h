/*
** npy.h: tensors to and from NumPy .npy files.
*/
#ifndef LN_NPY_H
#define LN_NPY_H

#include "tensor.h"

int ln_npy_load(ln_tensor *t, const char *path);
/* Parses .npy bytes held in memory, exactly as ln_npy_load parses a file;
** name stands for the file in messages. */
int ln_npy_load_mem(ln_tensor *t, const void *data, size_t size, const char *name);
int ln_npy_save(const ln_tensor *t, const char *path);

#endif
