/*
** ln.h: what every file of the lunet core shares: status codes, the
** error message, dtypes.
**
** The core never raises, exits or aborts. A function that can fail
** returns an int status (LN_OK or a negative LN_E* code) and, on failure,
** leaves a readable message in ln_errmsg(). Only the Lua binding turns
** that into a Lua error.
*/
#ifndef LN_H
#define LN_H

#include <stddef.h>
#include <stdint.h>

enum {
  LN_OK = 0,
  LN_ENOMEM = -1,   /* allocation failed */
  LN_EARG = -2,     /* bad argument: shape, size, index, value */
  LN_EIO = -3,      /* file could not be read or written */
  LN_EFORMAT = -4,  /* file is corrupt, truncated or not of the format */
  LN_EDTYPE = -5    /* dtypes do not match or are not supported */
};

typedef enum { LN_F32 = 0, LN_F64 = 1 } ln_dtype;

/* Records a printf-style message and returns code, so that a failing
** function can end with `return ln_fail(LN_EARG, "...", ...)`. */
int ln_fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The same with the message recorded so far after it: "<fmt>: <message>",
** for a caller that names where a callee's failure happened. */
int ln_fail_in(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
const char *ln_errmsg(void);

size_t ln_dtype_size(ln_dtype dt);
const char *ln_dtype_name(ln_dtype dt);

/* Overflow-checked arithmetic for every size, stride, offset and count the
** core computes from outside input (shapes, file headers, Lua arguments).
** Each returns 1 and writes *out when the exact result fits, else 0 and
** leaves *out alone, so a caller can write
**   if (!ln_mul_i64(a, b, &n)) return ln_fail(LN_EARG, "...");          */
int ln_mul_size(size_t a, size_t b, size_t *out);
int ln_add_size(size_t a, size_t b, size_t *out);
int ln_mul_i64(int64_t a, int64_t b, int64_t *out);
int ln_add_i64(int64_t a, int64_t b, int64_t *out);
/* The product of n non-negative sizes, 0 if any is 0 (so a zero-size
** dimension never lets the others overflow unnoticed: they are still
** multiplied and checked). */
int ln_prod_i64(int n, const int64_t *v, int64_t *out);
/* 1 when v is a valid int (dimension numbers, image sizes, counts). */
int ln_fits_int(int64_t v);

#endif
