/*
** lua_ref.c: the plain reference kernels, exposed (as core._*) so the
** specs can compare the fast paths against them. Not part of the public API.
*/
#include <pthread.h>
#include <string.h>

#include "conv_direct.h"
#include "kern.h"
#include "linear.h"
#include "parallel.h"
#include "skinny.h"
#include "lua_lunet.h"
#include "train.h"
#include "vmath.h"

/* geometry from x (batch, c_in, h, w), w (c_out, c_in, k, k), stride, pad;
** every size must fit an int and so must every size computed from them */
static ln_convgeom check_geometry(lua_State *L, const ln_tensor *x, const ln_tensor *w, int stride, int pad) {
  ln_convgeom g;
  if (x->ndim != 4 || w->ndim != 4 || x->shape[1] != w->shape[1] || w->shape[2] != w->shape[3])
    luaL_error(L, "expected x (batch, c_in, h, w) and w (c_out, c_in, k, k)");
  if (!ln_is_contiguous(x) || !ln_is_contiguous(w) || x->dtype != w->dtype) luaL_error(L, "contiguous, one dtype");
  for (int d = 0; d < 4; d++)
    if (!ln_fits_int(x->shape[d]) || !ln_fits_int(w->shape[d])) luaL_error(L, "sizes must fit an int");
  if (stride < 1 || pad < 0 || pad > (1 << 20)) luaL_error(L, "stride must be >= 1 and pad 0..2^20");
  g.c_in = (int)x->shape[1], g.h_in = (int)x->shape[2], g.w_in = (int)x->shape[3];
  g.c_out = (int)w->shape[0], g.k_h = g.k_w = (int)w->shape[2];
  g.stride = stride, g.pad = pad;
  int64_t h_out = ((int64_t)g.h_in + 2 * (int64_t)pad - g.k_h) / stride + 1;
  int64_t w_out = ((int64_t)g.w_in + 2 * (int64_t)pad - g.k_w) / stride + 1;
  if (h_out < 1 || w_out < 1 || !ln_fits_int(h_out) || !ln_fits_int(w_out)) luaL_error(L, "kernel does not fit");
  g.h_out = (int)h_out, g.w_out = (int)w_out;
  return g;
}

/* _conv_forward_ref(x, w, bias, stride, pad) -> y */
static int l_conv_forward_ref(lua_State *L) {
  int stride = lnL_checkint(L, 4, "stride"), pad = lnL_checkint(L, 5, "pad");
  ln_tensor *x = lnL_checktensor(L, 1), *w = lnL_checktensor(L, 2), *b = lnL_checktensor(L, 3);
  ln_convgeom g = check_geometry(L, x, w, stride, pad);
  int64_t shape[4] = {x->shape[0], g.c_out, g.h_out, g.w_out};
  if (ln_numel(b) != g.c_out || b->dtype != x->dtype || !ln_is_contiguous(b)) luaL_error(L, "bias");
  ln_tensor *y = lnL_pushnew(L, x->dtype, 4, shape);
  /* fetched again: allocating may have run finalisers (order rule) */
  x = lnL_checktensor(L, 1), w = lnL_checktensor(L, 2), b = lnL_checktensor(L, 3);
  ln_kern_for(x->dtype)->conv_forward_ref(&g, x->shape[0], ln_data(x), ln_data(w), ln_data(b), ln_data(y));
  return 1;
}

/* _conv_backward_ref(x, w, dy, stride, pad) -> dx, dw */
static int l_conv_backward_ref(lua_State *L) {
  int stride = lnL_checkint(L, 4, "stride"), pad = lnL_checkint(L, 5, "pad");
  ln_tensor *x = lnL_checktensor(L, 1), *w = lnL_checktensor(L, 2), *dy = lnL_checktensor(L, 3);
  ln_convgeom g = check_geometry(L, x, w, stride, pad);
  int64_t dims[4] = {x->shape[0], g.c_out, g.h_out, g.w_out}, n;
  if (!ln_prod_i64(4, dims, &n) || ln_numel(dy) != n || dy->dtype != x->dtype || !ln_is_contiguous(dy))
    luaL_error(L, "dy");
  ln_tensor *dx = lnL_pushnew(L, x->dtype, 4, x->shape);
  ln_tensor *dw = lnL_pushnew(L, x->dtype, 4, w->shape);
  x = lnL_checktensor(L, 1), w = lnL_checktensor(L, 2), dy = lnL_checktensor(L, 3);
  const ln_kern *k = ln_kern_for(x->dtype);
  k->conv_backward_input_ref(&g, x->shape[0], ln_data(dy), ln_data(w), ln_data(dx));
  k->conv_backward_weight_ref(&g, x->shape[0], ln_data(x), ln_data(dy), ln_data(dw));
  return 2;
}

/* A float64 matrix whose rows are runs (stride 1 along them), its sizes in int. */
static const double *skinny_operand(lua_State *L, int idx, int *rows, int *cols, int *ld) {
  ln_tensor *t = lnL_checktensor(L, idx);
  if (t->storage == NULL || t->dtype != LN_F64 || t->ndim != 2 || t->stride[1] != 1 || t->shape[0] < 1 ||
      t->shape[1] < 1 || !ln_fits_int(t->shape[0]) || !ln_fits_int(t->shape[1]) || !ln_fits_int(t->stride[0]) ||
      t->stride[0] < t->shape[1])
    luaL_error(L, "_skinny: argument %d must be a non-empty 2-d float64 matrix with rows of stride 1", idx);
  *rows = (int)t->shape[0], *cols = (int)t->shape[1], *ld = (int)t->stride[0];
  return ln_data(t);
}

/* _skinny(op, level, a, b, c [, beta]) -> level run: skinny.h's products on
** float64 matrices, into c; op "nt" is c (=, += with beta 1) a b^T, "ntp"
** the same through b transposed first by ln_skinny_pack (at most 32 rows
** of b), "tn" c += a^T b. level 0 is the reference, 1 AVX2, 2 AVX-512 (or
** the most this CPU has: the level run is returned; "ntp" has only 0 and
** 2). The dispatch level is left as it was. */
static int l_skinny(lua_State *L) {
  const char *op = luaL_checkstring(L, 1);
  int want = lnL_checkint(L, 2, "level");
  lua_Integer beta = luaL_optinteger(L, 6, 0);   /* checked whole: a cast would make 2^32 a 0 */
  int ma, na, lda, mb, nb, ldb, mc, nc, ldc;
  const double *a = skinny_operand(L, 3, &ma, &na, &lda), *b = skinny_operand(L, 4, &mb, &nb, &ldb);
  double *c = (double *)skinny_operand(L, 5, &mc, &nc, &ldc);
  int packed = strcmp(op, "ntp") == 0, nt = packed || strcmp(op, "nt") == 0;
  if (!nt && strcmp(op, "tn") != 0) luaL_error(L, "_skinny: op must be \"nt\", \"ntp\" or \"tn\"");
  if (packed && mb > 32) luaL_error(L, "_skinny: \"ntp\" takes at most 32 rows of b");
  if (nt ? (na != nb || mc != ma || nc != mb || mb > LN_SKINNY_MAX) : (ma != mb || mc != na || nc != nb ||
                                                                           na > LN_SKINNY_MAX))
    luaL_error(L, "_skinny: shapes do not match (or the narrow side is over %d)", LN_SKINNY_MAX);
  if (beta != 0 && beta != 1) luaL_error(L, "_skinny: beta must be 0 or 1");
  /* before the level changes (an allocation error must not leave it); a, b
  ** and c stay on the stack, so collecting cannot free them */
  double *bt = packed ? lua_newuserdatauv(L, (size_t)na * 32 * sizeof *bt, 0) : NULL;
  const char *before = ln_skinny_level_name();
  int old = strcmp(before, "avx512") == 0 ? 2 : strcmp(before, "avx2") == 0 ? 1 : 0;
  int ran = ln_skinny_set_level(want);
  if (packed) {
    ln_skinny_pack(mb, na, b, ldb, bt);
    ln_skinny_nt_packed(ma, mb, na, a, lda, bt, (int)beta, c, ldc);
    ran = ran >= 2 ? 2 : 0;
  } else if (nt)
    ln_skinny_nt(ma, mb, na, a, lda, b, ldb, (int)beta, c, ldc);
  else
    ln_skinny_tn(ma, na, nb, a, lda, b, ldb, c, ldc);
  ln_skinny_set_level(old);
  lua_pushinteger(L, ran);
  return 1;
}

/* _skinny_level([level]) -> level: sets (0 off, 1 AVX2, 2 AVX-512, capped
** at the CPU's) and returns the level of the skinny kernels, and whether
** the dense layers use them (true only at the AVX-512 level). */
static int l_skinny_level(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) ln_skinny_set_level(lnL_checkint(L, 1, "level"));
  lua_pushstring(L, ln_skinny_level_name());
  lua_pushboolean(L, ln_skinny_available());
  return 2;
}

/* _conv_level([level]) -> level: sets (0 im2col + GEMM only, 1 AVX2, 2
** AVX-512, capped at the CPU's) and returns the level of the written-out
** float32 convolutions (conv_direct.c, conv_flat.c). A layer takes the new
** level at its next forward pass. */
static int l_conv_level(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) ln_conv_set_level(lnL_checkint(L, 1, "level"));
  lua_pushinteger(L, ln_conv_level());
  return 1;
}

typedef struct who {
  pthread_t caller;
  int on_caller[LN_MAX_THREADS];
} who;

static void record(void *ctx, int part, int nparts) {
  who *w = ctx;
  (void)nparts;
  w->on_caller[part] = pthread_equal(pthread_self(), w->caller) != 0;
}

/* _parallel_parts(n [, late_us]) -> {on_caller...}: runs n parts through
** ln_parallel_parts with the workers made late_us microseconds late, and
** says for each part whether the calling thread ran it. */
static int l_parallel_parts(lua_State *L) {
  int n = lnL_checkint(L, 1, "parts");
  lua_Integer late = luaL_optinteger(L, 2, 0);   /* checked whole, then narrowed */
  if (n < 1 || n > ln_parallel_threads()) luaL_error(L, "_parallel_parts: parts must be 1..%d", ln_parallel_threads());
  if (late < 0 || late > 1000000) luaL_error(L, "_parallel_parts: late_us must be 0..1000000");
  who w = {pthread_self(), {0}};
  atomic_store(&ln_parallel_late_us, (int)late);
  ln_parallel_parts(record, &w, n);
  atomic_store(&ln_parallel_late_us, 0);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushboolean(L, w.on_caller[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* _vmath(fn, x, ref) -> y: fn "exp", "sigmoid" or "log" (float64 only) of a
** contiguous x through vmath.c's vector path (or its libm reference when
** ref is true) */
static int l_vmath(lua_State *L) {
  static const char *const names[] = {"exp", "sigmoid", "log", NULL};
  int fn = luaL_checkoption(L, 1, NULL, names), ref = lua_toboolean(L, 3);
  ln_tensor *x = lnL_checktensor(L, 2);
  if (!ln_is_contiguous(x)) luaL_error(L, "x must be contiguous");
  if (fn == 2) {
    if (x->dtype != LN_F64) luaL_error(L, "log: x must be float64");
    ln_tensor *y = lnL_pushnew(L, x->dtype, x->ndim, x->shape);
    x = lnL_checktensor(L, 2);
    (ref ? ln_vlog_f64_ref : ln_vlog_f64)(ln_numel(x), ln_data(x), ln_data(y));
    return 1;
  }
  ln_tensor *y = lnL_pushnew(L, x->dtype, x->ndim, x->shape);
  x = lnL_checktensor(L, 2);
  int64_t n = ln_numel(x);
  if (x->dtype == LN_F64)
    (fn == 0 ? (ref ? ln_vexp_f64_ref : ln_vexp_f64) : (ref ? ln_vsigmoid_f64_ref : ln_vsigmoid_f64))(
      n, ln_data(x), ln_data(y));
  else
    (fn == 0 ? (ref ? ln_vexp_f32_ref : ln_vexp_f32) : (ref ? ln_vsigmoid_f32_ref : ln_vsigmoid_f32))(
      n, ln_data(x), ln_data(y));
  return 1;
}

/* _vmath_vectorised() -> boolean: whether a vector path (AVX2, AVX-512) runs here */
static int l_vmath_vectorised(lua_State *L) {
  lua_pushboolean(L, ln_vmath_vectorised());
  return 1;
}

/* _vmath_level([level]) -> level: sets (0 libm, 1 AVX2, 2 AVX-512, capped at
** the CPU's) and returns the level of vmath.c's kernels */
static int l_vmath_level(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) ln_vmath_set_level(lnL_checkint(L, 1, "level"));
  lua_pushinteger(L, ln_vmath_level());
  return 1;
}

/* _linear(x, w, b, ref, narrow) -> y, taken: y = x w^T + b through
** linear.h's kernel (taken: whether it ran here; if not, y is the
** reference's; narrow: its AVX2 blocks even where AVX-512 runs) or, when
** ref is true, its textbook loops. x (m, k), w (n, k), b (n). */
static int l_linear(lua_State *L) {
  int ref = lua_toboolean(L, 4), narrow = lua_toboolean(L, 5), taken = 0;
  ln_tensor *x = lnL_checktensor(L, 1), *w = lnL_checktensor(L, 2), *b = lnL_checktensor(L, 3);
  if (x->ndim != 2 || w->ndim != 2 || x->shape[1] != w->shape[1] || ln_numel(b) != w->shape[0] ||
      !ln_is_contiguous(x) || !ln_is_contiguous(w) || !ln_is_contiguous(b) || x->dtype != w->dtype ||
      b->dtype != x->dtype || !ln_fits_int(x->shape[0]) || !ln_fits_int(w->shape[0]) || !ln_fits_int(x->shape[1]))
    luaL_error(L, "expected contiguous x (m, k), w (n, k), b (n) of one dtype");
  int64_t shape[2] = {x->shape[0], w->shape[0]};
  ln_tensor *y = lnL_pushnew(L, x->dtype, 2, shape);
  x = lnL_checktensor(L, 1), w = lnL_checktensor(L, 2), b = lnL_checktensor(L, 3);
  int m = (int)x->shape[0], n = (int)w->shape[0], k = (int)x->shape[1];
  ln_linear_narrow = narrow;
  if (x->dtype == LN_F64) {
    if (!ref) taken = ln_linear_f64(m, n, k, ln_data(x), ln_data(w), ln_data(b), ln_data(y));
    if (!taken) ln_linear_f64_ref(m, n, k, ln_data(x), ln_data(w), ln_data(b), ln_data(y));
  } else {
    if (!ref) taken = ln_linear_f32(m, n, k, ln_data(x), ln_data(w), ln_data(b), ln_data(y));
    if (!taken) ln_linear_f32_ref(m, n, k, ln_data(x), ln_data(w), ln_data(b), ln_data(y));
  }
  ln_linear_narrow = 0;
  lua_pushboolean(L, taken);
  return 2;
}

/* _fuse_sgd(on) -> previous: whether training folds plain SGD into dense
** layers' backward passes (train.c), so a spec can run both paths */
static int l_fuse_sgd(lua_State *L) {
  int before = ln_train_fuse;
  luaL_checktype(L, 1, LUA_TBOOLEAN);
  ln_train_fuse = lua_toboolean(L, 1);
  lua_pushboolean(L, before);
  return 1;
}

static const luaL_Reg functions[] = {
  {"_conv_forward_ref", l_conv_forward_ref}, {"_conv_backward_ref", l_conv_backward_ref},
  {"_vmath", l_vmath}, {"_vmath_vectorised", l_vmath_vectorised}, {"_vmath_level", l_vmath_level},
  {"_fuse_sgd", l_fuse_sgd}, {"_linear", l_linear}, {"_skinny", l_skinny}, {"_skinny_level", l_skinny_level},
  {"_conv_level", l_conv_level}, {"_parallel_parts", l_parallel_parts}, {NULL, NULL}
};

void lnL_open_ref(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
