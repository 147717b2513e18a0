/*
** ln.c: the error message and dtype facts.
*/
#include <stdarg.h>
#include <stdio.h>

#include "ln.h"

/* One message per thread: the binding reads it right after the failing
** call, before anything else can overwrite it. */
static _Thread_local char errbuf[512];

int ln_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(errbuf, sizeof errbuf, fmt, ap);
  va_end(ap);
  return code;
}

const char *ln_errmsg(void) {
  return errbuf[0] ? errbuf : "unknown error";
}

size_t ln_dtype_size(ln_dtype dt) {
  return dt == LN_F64 ? sizeof(double) : sizeof(float);
}

const char *ln_dtype_name(ln_dtype dt) {
  return dt == LN_F64 ? "float64" : "float32";
}

int ln_mul_size(size_t a, size_t b, size_t *out) {
  if (a != 0 && b > SIZE_MAX / a) return 0;
  *out = a * b;
  return 1;
}
