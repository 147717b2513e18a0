/*
** kern_f32.c: the numeric loops in single precision (see kern.h).
*/
#include <tgmath.h>

#include "kern.h"

typedef float real;
#define LN_KERN_TABLE ln_kern_f32

#include "real/tensor.inc"
#include "real/blas.inc"
#include "real/nn.inc"
#include "real/data.inc"
#include "real/conv.inc"
#include "real/table.inc"
