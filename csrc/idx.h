/*
** idx.h: reading IDX files, the format of LeCun's MNIST (and of
** Fashion-MNIST), plain or gzip-compressed.
**
** An IDX file is a 4-byte magic (two zero bytes, a type byte, a dimension
** count 1..8), each dimension as a big-endian uint32, then the elements in
** row-major order, big-endian. Types: 0x08 ubyte, 0x09 sbyte, 0x0B int16,
** 0x0C int32, 0x0D float32, 0x0E float64.
*/
#ifndef LN_IDX_H
#define LN_IDX_H

#include "tensor.h"

/* Fills t with a new contiguous float32 tensor of the stored shape, every
** value multiplied by scale (1.0/255 turns image bytes into [0, 1]). A
** gzip file (recognised by its magic bytes, not its name) is decompressed
** as it is read. Header claims are checked against the file's size (for
** gzip, the trailer's uncompressed size) before anything is allocated;
** short, corrupt or over-long data is an LN_EFORMAT error naming the file. */
int ln_idx_load(ln_tensor *t, const char *path, double scale);

#endif
