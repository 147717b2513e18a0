/*
** ln.c: the error message and dtype facts.
*/
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* Appends s to the message from byte n on, cut to fit; returns the new end. */
static size_t append(size_t n, const char *s) {
  size_t len = strlen(s);
  if (n + 1 >= sizeof errbuf) return n;
  if (len > sizeof errbuf - n - 1) len = sizeof errbuf - n - 1;
  memcpy(errbuf + n, s, len);
  errbuf[n + len] = '\0';
  return n + len;
}

int ln_fail_in(int code, const char *fmt, ...) {
  char why[sizeof errbuf];
  va_list ap;
  snprintf(why, sizeof why, "%s", ln_errmsg());
  va_start(ap, fmt);
  vsnprintf(errbuf, sizeof errbuf, fmt, ap);
  va_end(ap);
  append(append(strlen(errbuf), ": "), why);
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

int ln_add_size(size_t a, size_t b, size_t *out) {
  if (b > SIZE_MAX - a) return 0;
  *out = a + b;
  return 1;
}

int ln_mul_i64(int64_t a, int64_t b, int64_t *out) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return 0;
  *out = r;
  return 1;
}

int ln_add_i64(int64_t a, int64_t b, int64_t *out) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return 0;
  *out = r;
  return 1;
}

int ln_prod_i64(int n, const int64_t *v, int64_t *out) {
  int64_t p = 1;
  for (int i = 0; i < n; i++) {
    if (v[i] < 0) return 0;
    if (v[i] > 0 && !ln_mul_i64(p, v[i], &p)) return 0;
  }
  for (int i = 0; i < n; i++)
    if (v[i] == 0) p = 0;
  *out = p;
  return 1;
}

int ln_fits_int(int64_t v) {
  return v >= INT_MIN && v <= INT_MAX;
}
