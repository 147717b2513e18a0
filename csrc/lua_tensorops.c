/*
** lua_tensorops.c: arithmetic, comparisons, reductions and products on
** the Tensor userdata. Every operation has a form that returns a new
** tensor and, for element-wise ones, an in-place form ending in '_'.
*/
#include <math.h>
#include <stdio.h>

#include "lua_lunet.h"
#include "ops.h"

/* An operand: a tensor, or a number made a 0-d tensor of `dt` in place. */
typedef struct operand {
  ln_tensor t;
  ln_storage s;
  double buf;
} operand;

static const ln_tensor *check_operand(lua_State *L, int idx, ln_dtype dt, operand *o) {
  if (lua_type(L, idx) == LUA_TNUMBER) {
    ln_scalar(&o->t, &o->s, &o->buf, dt, lua_tonumber(L, idx));
    return &o->t;
  }
  if (!lnL_totensor(L, idx)) luaL_typeerror(L, idx, "tensor or number");
  return lnL_checktensor(L, idx);
}

/* dtype of a binary operation: that of its tensor operand(s). */
static ln_dtype binary_dtype(lua_State *L) {
  ln_tensor *t = lnL_totensor(L, 1);
  if (t == NULL) t = lnL_totensor(L, 2);
  if (t == NULL) luaL_error(L, "expected a tensor operand");
  return t->dtype;
}

/* Comparisons take mixed dtypes (predicted labels against float32 labels):
** the float32 operand is replaced by a float64 clone, which holds each of
** its values exactly, so the answer is the same as comparing the numbers. */
static void widen_comparison(lua_State *L, ln_binop op) {
  if (op < LN_EQ || op > LN_GE) return;
  ln_tensor *a = lnL_totensor(L, 1), *b = lnL_totensor(L, 2);
  if (a == NULL || b == NULL || a->dtype == b->dtype) return;
  int narrow = a->dtype == LN_F32 ? 1 : 2;
  ln_tensor *r = lnL_newtensor(L);
  lnL_check(L, ln_clone(r, lnL_checktensor(L, narrow), LN_F64));
  lnL_track(L, r);
  lua_replace(L, narrow);
}

/* upvalue 1: the ln_binop; upvalue 2: in place? The result is pushed
** before the operands are fetched for the core (order rule, lua_lunet.h). */
static int binary(lua_State *L) {
  ln_binop op = (ln_binop)lua_tointeger(L, lua_upvalueindex(1));
  int inplace = lua_toboolean(L, lua_upvalueindex(2));
  if (!inplace) widen_comparison(L, op);
  ln_dtype dt = binary_dtype(L);
  operand oa, ob;
  const ln_tensor *a = check_operand(L, 1, dt, &oa), *b = check_operand(L, 2, dt, &ob);
  int64_t shape[LN_MAXDIM];
  int ndim;
  if (inplace) {
    lnL_check(L, ln_zip(lnL_checktensor(L, 1), a, b, op));
    lua_settop(L, 1);
    return 1;
  }
  lnL_check(L, ln_broadcast_shape(a, b, &ndim, shape));
  ln_tensor *r = lnL_pushnew(L, dt, ndim, shape);
  a = check_operand(L, 1, dt, &oa), b = check_operand(L, 2, dt, &ob);
  lnL_check(L, ln_zip(r, a, b, op));
  return 1;
}

/* out = op(argument 1): a new tensor, or argument 1 itself in place */
static int map_into(lua_State *L, int inplace, ln_unop op, double a, double b) {
  ln_tensor *t = lnL_checktensor(L, 1);
  ln_tensor *out = inplace ? t : lnL_pushnew(L, t->dtype, t->ndim, t->shape);
  lnL_check(L, ln_map(out, lnL_checktensor(L, 1), op, a, b));
  if (inplace) lua_settop(L, 1);
  return 1;
}

/* upvalue 1: the ln_unop; upvalue 2: in place?; clamp and pow take arguments */
static int unary(lua_State *L) {
  ln_unop op = (ln_unop)lua_tointeger(L, lua_upvalueindex(1));
  int inplace = lua_toboolean(L, lua_upvalueindex(2));
  double a = 0, b = 0;
  if (op == LN_CLAMP) {
    a = luaL_optnumber(L, 2, -HUGE_VAL);
    b = luaL_optnumber(L, 3, HUGE_VAL);
    if (a > b) luaL_error(L, "clamp: min %f is greater than max %f", a, b);
  }
  return map_into(L, inplace, op, a, b);
}

/* pow(x): a number uses the unary kernel, a tensor the broadcast one. */
static int m_pow(lua_State *L) {
  int inplace = lua_toboolean(L, lua_upvalueindex(1));
  if (lnL_totensor(L, 1) && lua_type(L, 2) == LUA_TNUMBER) return map_into(L, inplace, LN_POWS, lua_tonumber(L, 2), 0);
  lua_pushinteger(L, LN_POW);
  lua_pushboolean(L, inplace);
  lua_pushcclosure(L, binary, 2);
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static int m_fill(lua_State *L) {
  ln_fill(lnL_checktensor(L, 1), luaL_checknumber(L, 2));
  lua_settop(L, 1);
  return 1;
}

static int m_zero(lua_State *L) {
  ln_fill(lnL_checktensor(L, 1), 0.0);
  lua_settop(L, 1);
  return 1;
}

/* ---- reductions ------------------------------------------------------- */

static ln_tensor *push_reduced(lua_State *L, const ln_tensor *t, int dim, ln_dtype dt) {
  int64_t shape[LN_MAXDIM];
  int n = 0;
  for (int d = 0; d < t->ndim; d++)
    if (d != dim) shape[n++] = t->shape[d];
  return lnL_pushnew(L, dt, n, shape);
}

/* reduce(t [, dim]): a number over everything, a tensor along dim. */
static int reduce_to(lua_State *L, ln_redop op, double p, int dimarg, double scale_by_n) {
  ln_tensor *t = lnL_checktensor(L, 1);
  if (lua_isnoneornil(L, dimarg)) {
    double v;
    lnL_check(L, ln_reduce_all(t, op, p, &v, NULL));
    lua_pushnumber(L, scale_by_n ? v / (double)ln_numel(t) : v);
    return 1;
  }
  int dim = (int)lnL_checkindex(L, dimarg, t->ndim, "dimension");
  ln_tensor *out = push_reduced(L, t, dim, t->dtype);
  t = lnL_checktensor(L, 1);
  lnL_check(L, ln_reduce_dim(out, NULL, t, dim, op, p));
  if (scale_by_n) ln_map(out, out, LN_AFFINE, 1.0 / (double)t->shape[dim], 0.0);
  return 1;
}

static int m_sum(lua_State *L) {
  return reduce_to(L, LN_RSUM, 0, 2, 0);
}

static int m_mean(lua_State *L) {
  return reduce_to(L, LN_RSUM, 0, 2, 1);
}

/* norm([p [, dim]]): p = 2 by default; p = 1 sums magnitudes. */
static int m_norm(lua_State *L) {
  double p = luaL_optnumber(L, 2, 2.0);
  if (!(p > 0) || isinf(p)) luaL_argerror(L, 2, "p must be a positive finite number");
  if (p == 1) return reduce_to(L, LN_RSUMABS, 0, 3, 0);
  int n = reduce_to(L, p == 2 ? LN_RSUMSQ : LN_RSUMPOW, p, 3, 0);
  if (p != 2) return n;
  if (lua_type(L, -1) == LUA_TNUMBER) lua_pushnumber(L, sqrt(lua_tonumber(L, -1)));
  else ln_map(lnL_checktensor(L, -1), lnL_checktensor(L, -1), LN_SQRT, 0, 0);
  return 1;
}

/* var([dim [, ddof]]): ddof 0 (population) by default, as numpy and batch
** normalisation; ddof 1 gives the unbiased estimate. */
static int variance(lua_State *L, int take_sqrt) {
  ln_tensor *t = lnL_checktensor(L, 1);
  lua_Integer ddof = luaL_optinteger(L, 3, 0);
  if (ddof < 0) luaL_argerror(L, 3, "ddof must be >= 0");
  if (lua_isnoneornil(L, 2)) {
    double sum, dev;
    int64_t n = ln_numel(t);
    if (n - ddof <= 0) luaL_error(L, "var: %d elements are too few for ddof %d", (int)n, (int)ddof);
    lnL_check(L, ln_reduce_all(t, LN_RSUM, 0, &sum, NULL));
    lnL_check(L, ln_reduce_all(t, LN_RSUMSQDEV, sum / (double)n, &dev, NULL));
    dev /= (double)(n - ddof);
    lua_pushnumber(L, take_sqrt ? sqrt(dev) : dev);
    return 1;
  }
  int dim = (int)lnL_checkindex(L, 2, t->ndim, "dimension");
  int64_t n = t->shape[dim];
  if (n - ddof <= 0) luaL_error(L, "var: %d elements are too few for ddof %d", (int)n, (int)ddof);
  ln_tensor *out = push_reduced(L, t, dim, t->dtype);
  t = lnL_checktensor(L, 1);
  /* two passes per row: its mean, then the squared deviations from it */
  int64_t idx[LN_MAXDIM] = {0};
  for (int64_t j = 0, m = ln_numel(out); j < m; j++) {
    ln_tensor row = *t;
    int64_t rest = j;
    for (int d = out->ndim - 1; d >= 0; d--) {
      idx[d] = rest % out->shape[d];
      rest /= out->shape[d];
    }
    for (int d = 0, o = 0; d < t->ndim; d++) {
      if (d == dim) continue;
      row.offset += idx[o++] * t->stride[d];
    }
    row.ndim = 1;
    row.shape[0] = n;
    row.stride[0] = t->stride[dim];
    double sum, dev;
    ln_reduce_all(&row, LN_RSUM, 0, &sum, NULL);
    ln_reduce_all(&row, LN_RSUMSQDEV, sum / (double)n, &dev, NULL);
    dev /= (double)(n - ddof);
    ln_set(out, idx, take_sqrt ? sqrt(dev) : dev);
  }
  return 1;
}

static int m_var(lua_State *L) {
  return variance(L, 0);
}

static int m_std(lua_State *L) {
  return variance(L, 1);
}

/* max/min: over everything, the value and its 1-based flat position; along
** a dimension, a tensor of values and one of 1-based positions (float64). */
static int extreme(lua_State *L, ln_redop op, int want_values) {
  ln_tensor *t = lnL_checktensor(L, 1);
  if (lua_isnoneornil(L, 2)) {
    double v;
    int64_t arg;
    lnL_check(L, ln_reduce_all(t, op, 0, &v, &arg));
    if (want_values) lua_pushnumber(L, v);
    lua_pushinteger(L, arg + 1);
    return want_values ? 2 : 1;
  }
  int dim = (int)lnL_checkindex(L, 2, t->ndim, "dimension");
  if (t->shape[dim] == 0) luaL_error(L, "max/min along an empty dimension");
  ln_tensor *vals = push_reduced(L, t, dim, t->dtype);
  ln_tensor *args = push_reduced(L, t, dim, LN_F64);
  t = lnL_checktensor(L, 1);
  lnL_check(L, ln_reduce_dim(vals, args, t, dim, op, 0));
  ln_map(args, args, LN_AFFINE, 1.0, 1.0);
  if (!want_values) lua_remove(L, -2);
  return want_values ? 2 : 1;
}

static int m_max(lua_State *L) {
  return extreme(L, LN_RMAX, 1);
}

static int m_min(lua_State *L) {
  return extreme(L, LN_RMIN, 1);
}

static int m_argmax(lua_State *L) {
  return extreme(L, LN_RMAX, 0);
}

static int m_argmin(lua_State *L) {
  return extreme(L, LN_RMIN, 0);
}

static int m_all_finite(lua_State *L) {
  int64_t bad;
  lnL_check(L, ln_count_nonfinite(lnL_checktensor(L, 1), &bad));
  lua_pushboolean(L, bad == 0);
  return 1;
}

/* ---- products --------------------------------------------------------- */

static int l_matmul(lua_State *L) {
  ln_tensor *a = lnL_checktensor(L, 1), *b = lnL_checktensor(L, 2);
  int64_t shape[2];
  int ndim;
  lnL_check(L, ln_matmul_shape(a, b, &ndim, shape));
  if (a->dtype != b->dtype) luaL_error(L, "matmul: dtype mismatch: %s and %s",
                                       ln_dtype_name(a->dtype), ln_dtype_name(b->dtype));
  ln_tensor *out = lnL_pushnew(L, a->dtype, ndim, shape);
  lnL_check(L, ln_matmul(out, lnL_checktensor(L, 1), lnL_checktensor(L, 2)));
  if (ndim == 0) lua_pushnumber(L, ln_get(out, NULL));
  return 1;
}

static int l_mv(lua_State *L) {
  if (lnL_checktensor(L, 1)->ndim != 2 || lnL_checktensor(L, 2)->ndim != 1)
    luaL_error(L, "mv takes a matrix and a vector");
  return l_matmul(L);
}

static int l_dot(lua_State *L) {
  if (lnL_checktensor(L, 1)->ndim != 1 || lnL_checktensor(L, 2)->ndim != 1)
    luaL_error(L, "dot takes two vectors");
  return l_matmul(L);
}

static int l_outer(lua_State *L) {
  ln_tensor *x = lnL_checktensor(L, 1), *y = lnL_checktensor(L, 2);
  if (x->ndim != 1 || y->ndim != 1) luaL_error(L, "outer takes two vectors");
  if (x->dtype != y->dtype) luaL_error(L, "outer: dtype mismatch");
  int64_t shape[2] = {x->shape[0], y->shape[0]};
  ln_tensor *out = lnL_pushnew(L, x->dtype, 2, shape);
  lnL_check(L, ln_outer(out, lnL_checktensor(L, 1), lnL_checktensor(L, 2)));
  return 1;
}

/* one_hot(labels, classes [, dtype]): (n, classes), a 1 per row in the
** column of each 0-based label */
static int l_one_hot(lua_State *L) {
  lua_Integer classes = luaL_checkinteger(L, 2);
  luaL_argcheck(L, classes >= 1 && classes <= (1 << 24), 2, "class count must be 1..16777216");
  ln_tensor *labels = lnL_checktensor(L, 1);
  ln_dtype dt = lnL_optdtype(L, 3, labels->dtype);
  luaL_argcheck(L, labels->ndim == 1, 1, "labels must be a vector");
  int64_t shape[2] = {labels->shape[0], classes};
  ln_tensor *out = lnL_pushnew(L, dt, 2, shape);
  lnL_check(L, ln_one_hot(out, lnL_checktensor(L, 1)));
  return 1;
}

/* gemm(A, B, C [, {alpha =, beta =, transA =, transB =}]): C updated in
** place and returned; upvalue 1 chooses the reference kernel. The options
** are read first: their metamethods may close A, B or C. */
static int l_gemm(lua_State *L) {
  lnL_checkopts(L, 4, "gemm", (const char *const[]){"alpha", "beta", "transA", "transB", NULL});
  double alpha = lnL_optnumfield(L, 4, "alpha", 1.0), beta = lnL_optnumfield(L, 4, "beta", 0.0);
  int ta = lnL_optboolfield(L, 4, "transA", 0), tb = lnL_optboolfield(L, 4, "transB", 0);
  ln_tensor *a = lnL_checktensor(L, 1), *b = lnL_checktensor(L, 2), *c = lnL_checktensor(L, 3);
  lnL_check(L, ln_gemm_t(a, ta, b, tb, alpha, beta, c, lua_toboolean(L, lua_upvalueindex(1))));
  lua_settop(L, 3);
  return 1;
}

/* softmax() / log_softmax(): along the last dimension, a new tensor */
static int softmax_of(lua_State *L, int log_form) {
  ln_tensor *t = lnL_checktensor(L, 1);
  ln_tensor *out = lnL_pushnew(L, t->dtype, t->ndim, t->shape);
  lnL_check(L, ln_softmax(out, lnL_checktensor(L, 1), log_form));
  return 1;
}

static int m_softmax(lua_State *L) {
  return softmax_of(L, 0);
}

static int m_log_softmax(lua_State *L) {
  return softmax_of(L, 1);
}

/* ---- registration ----------------------------------------------------- */

static const struct { const char *name; ln_binop op; } binops[] = {
  {"add", LN_ADD}, {"sub", LN_SUB}, {"mul", LN_MUL}, {"div", LN_DIV},
  {"maximum", LN_MAXIMUM}, {"minimum", LN_MINIMUM},
  {"eq", LN_EQ}, {"ne", LN_NE}, {"lt", LN_LT}, {"le", LN_LE}, {"gt", LN_GT}, {"ge", LN_GE},
};

static const struct { const char *name; ln_unop op; } unops[] = {
  {"neg", LN_NEG}, {"exp", LN_EXP}, {"log", LN_LOG}, {"sqrt", LN_SQRT}, {"abs", LN_ABS},
  {"tanh", LN_TANH}, {"sigmoid", LN_SIGMOID}, {"relu", LN_RELU}, {"sign", LN_SIGN},
  {"clamp", LN_CLAMP}, {"sigmoid_prime", LN_SIGMOID_PRIME}, {"logit", LN_LOGIT},
};

static const luaL_Reg methods[] = {
  {"fill", m_fill}, {"fill_", m_fill}, {"zero_", m_zero},
  {"sum", m_sum}, {"mean", m_mean}, {"norm", m_norm}, {"var", m_var}, {"std", m_std},
  {"max", m_max}, {"min", m_min}, {"argmax", m_argmax}, {"argmin", m_argmin},
  {"all_finite", m_all_finite}, {"matmul", l_matmul}, {"dot", l_dot}, {"mv", l_mv},
  {"softmax", m_softmax}, {"log_softmax", m_log_softmax},
  {NULL, NULL}
};

static const luaL_Reg functions[] = {
  {"matmul", l_matmul}, {"mv", l_mv}, {"dot", l_dot}, {"outer", l_outer}, {"one_hot", l_one_hot},
  {NULL, NULL}
};

static void set_op(lua_State *L, int table, const char *name, lua_CFunction f, int op, int inplace) {
  lua_pushinteger(L, op);
  lua_pushboolean(L, inplace);
  lua_pushcclosure(L, f, 2);
  lua_setfield(L, table, name);
}

static void set_metamethod(lua_State *L, int mt, const char *event, ln_binop op) {
  set_op(L, mt, event, binary, op, 0);
}

/* Expects the module table at the top; Tensor methods and metatable are
** those lnL_open_tensor made. */
void lnL_open_tensorops(lua_State *L) {
  int module = lua_gettop(L);
  luaL_setfuncs(L, functions, 0);
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, l_gemm, 1);
  lua_setfield(L, module, "gemm");
  lua_pushboolean(L, 1);
  lua_pushcclosure(L, l_gemm, 1);
  lua_setfield(L, module, "_gemm_ref");

  lua_getfield(L, module, "Tensor");
  int m = lua_gettop(L);
  luaL_setfuncs(L, methods, 0);
  for (size_t i = 0; i < sizeof binops / sizeof *binops; i++) {
    char name[32];
    set_op(L, m, binops[i].name, binary, binops[i].op, 0);
    snprintf(name, sizeof name, "%s_", binops[i].name);
    set_op(L, m, name, binary, binops[i].op, 1);
  }
  for (size_t i = 0; i < sizeof unops / sizeof *unops; i++) {
    char name[32];
    set_op(L, m, unops[i].name, unary, unops[i].op, 0);
    snprintf(name, sizeof name, "%s_", unops[i].name);
    set_op(L, m, name, unary, unops[i].op, 1);
  }
  lua_pushboolean(L, 0);
  lua_pushcclosure(L, m_pow, 1);
  lua_setfield(L, m, "pow");
  lua_pushboolean(L, 1);
  lua_pushcclosure(L, m_pow, 1);
  lua_setfield(L, m, "pow_");

  luaL_getmetatable(L, LNL_TENSOR);
  int mt = lua_gettop(L);
  set_metamethod(L, mt, "__add", LN_ADD);
  set_metamethod(L, mt, "__sub", LN_SUB);
  set_metamethod(L, mt, "__mul", LN_MUL);
  set_metamethod(L, mt, "__div", LN_DIV);
  lua_getfield(L, m, "pow");
  lua_setfield(L, mt, "__pow");
  lua_getfield(L, m, "neg");
  lua_setfield(L, mt, "__unm");
  lua_pop(L, 2);
}
