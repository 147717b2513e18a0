/*
** kern_f32.c: the numeric loops in single precision (see kern.h).
*/
#include <tgmath.h>

#include "kern.h"
#include "vmath.h"

typedef float real;
#define LN_KERN_TABLE ln_kern_f32
#define VEXP ln_vexp_f32         /* exp and the sigmoid over arrays (vmath.h) */
#define VSIGMOID ln_vsigmoid_f32

#include "real/tensor.inc"
#include "real/blas.inc"
#include "real/nn.inc"
#include "real/data.inc"
#include "real/conv.inc"
#include "real/table.inc"
