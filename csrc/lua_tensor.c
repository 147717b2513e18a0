/*
** lua_tensor.c: the Tensor userdata: creation, views, indexing, copies.
** Arithmetic, reductions and products are in lua_tensorops.c.
*/
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "lua_lunet.h"
#include "ops.h"
#include "rng.h"

/* ---- errors and argument checks -------------------------------------- */

int lnL_error(lua_State *L, int status) {
  lua_Debug ar;
  const char *name = NULL;
  (void)status;
  const char *msg = ln_errmsg();
  size_t len;
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar)) name = ar.name;
  /* the core may have named the operation already ("matmul: shapes ..."):
  ** the function is named once */
  len = name ? strlen(name) : 0;
  if (name && strncmp(msg, name, len) == 0 && msg[len] == ':') name = NULL;
  luaL_where(L, 1);
  if (name) lua_pushfstring(L, "%s: %s", name, msg);
  else lua_pushstring(L, msg);
  lua_concat(L, 2);
  return lua_error(L);
}

/* luaL_error with the name of the function called from Lua in front
** ("zeros: tensor of that shape is too large"), for messages that do not
** name it themselves. */
int lnL_fail(lua_State *L, const char *fmt, ...) {
  lua_Debug ar;
  va_list ap;
  luaL_where(L, 1);
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name) lua_pushfstring(L, "%s: ", ar.name);
  else lua_pushliteral(L, "");
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 3);
  return lua_error(L);
}

/* An integer argument (2.5 is an error, not 2). Runs no Lua code unless it
** raises, so it may be called after a tensor was fetched. */
static lua_Integer arg_integer(lua_State *L, int idx, const char *what) {
  int isint;
  lua_Integer v = lua_tointegerx(L, idx, &isint);
  if (!isint) {
    if (lua_type(L, idx) == LUA_TNUMBER)
      luaL_argerror(L, idx, lua_pushfstring(L, "%s must be an integer, got %s", what,
                                            luaL_tolstring(L, idx, NULL)));
    luaL_typeerror(L, idx, "integer");
  }
  return v;
}

int64_t lnL_checksize(lua_State *L, int idx, const char *what) {
  lua_Integer v = arg_integer(L, idx, what);
  if (v < 0)
    return luaL_argerror(L, idx, lua_pushfstring(L, "%s must be >= 0, got %I", what, v));
  return (int64_t)v;
}

/* After an index 0, the habit of 0-based arrays is the likely mistake. */
static const char *base_hint(lua_Integer v) {
  return v == 0 ? "; lunet counts from 1" : "";
}

/* A dimension d of a tensor of ndim dimensions, given as argument idx. */
static void check_dim(lua_State *L, int idx, lua_Integer d, int ndim) {
  if (d < 1 || d > ndim)
    luaL_argerror(L, idx, lua_pushfstring(L, "dimension %I out of range 1..%d%s", d, ndim, base_hint(d)));
}

int64_t lnL_checkindex(lua_State *L, int idx, int64_t n, const char *what) {
  lua_Integer v = arg_integer(L, idx, what);
  if (v < 1 || v > n)
    return luaL_argerror(L, idx, lua_pushfstring(L, "%s %I out of range 1..%I%s", what, v,
                                                 (lua_Integer)n, base_hint(v)));
  return (int64_t)(v - 1);
}

int lnL_checkint(lua_State *L, int idx, const char *what) {
  lua_Integer v = arg_integer(L, idx, what);
  if (!ln_fits_int(v))
    luaL_argerror(L, idx, lua_pushfstring(L, "%s %I does not fit an int", what, v));
  return (int)v;
}

/* luaL_checkoption's message, plus the names a dtype may take. */
ln_dtype lnL_checkdtype(lua_State *L, int idx) {
  static const char *const names[] = {"float32", "float64", "float", "double"};
  const char *name = luaL_checkstring(L, idx);
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0) return (i == 1 || i == 3) ? LN_F64 : LN_F32;
  luaL_argerror(L, idx, lua_pushfstring(L, "invalid option '%s': a dtype is \"float32\" or \"float64\"", name));
  return LN_F32;
}

ln_dtype lnL_optdtype(lua_State *L, int idx, ln_dtype def) {
  return lua_isnoneornil(L, idx) ? def : lnL_checkdtype(L, idx);
}

/* Integers from idx to last, or from one table at idx (whose __len and
** __index may run: call this before fetching any tensor). */
/* A list of sizes, indices or elements has only the keys 1..len: {dtype =
** "float64"} alone (an options table written where the sizes go) or {2, 3,
** x = 1} would otherwise be read as an empty or shorter list and give a
** silently wrong shape. Raw keys only: a proxy table that serves its items
** through __index and __len has none. arg is the argument's number for the
** message, or 0 for the nested tables of lunet.tensor's argument. */
static void check_list_keys(lua_State *L, int idx, int arg, lua_Integer len, const char *what) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    int isint;
    lua_Integer k = lua_tointegerx(L, -1, &isint);
    if (lua_type(L, -1) == LUA_TNUMBER && isint && k >= 1 && k <= len) continue;
    int named = lua_type(L, -1) == LUA_TSTRING;
    const char *key = named ? lua_pushfstring(L, "'%s'", lua_tostring(L, -1)) : luaL_tolstring(L, -1, NULL);
    const char *msg = lua_pushfstring(L, "a list of %s has only the keys 1..%I, not %s%s", what, len, key,
                                      named && strcmp(what, "sizes") == 0
                                        ? " (options go in a table after the sizes)" : "");
    if (arg > 0) luaL_argerror(L, arg, msg);
    luaL_error(L, "tensor: %s", msg);
  }
}

static int read_integers(lua_State *L, int idx, int last, int64_t *v, const char *what,
                         const char *kind) {
  int n = 0;
  if (lua_istable(L, idx)) {
    if (last > idx) luaL_argerror(L, idx + 1, "sizes are given either as integers or as one table");
    lua_Integer len = luaL_len(L, idx);
    if (len < 0 || len > LN_MAXDIM) luaL_argerror(L, idx, "too many dimensions");
    for (int i = 0; i < (int)len; i++) {
      int isint;
      lua_geti(L, idx, i + 1);
      v[n++] = lua_tointegerx(L, -1, &isint);
      if (!isint)
        luaL_argerror(L, idx, lua_pushfstring(L, "%s %d must be %s, got %s", what, i + 1, kind,
                                              luaL_tolstring(L, -1, NULL)));
      lua_pop(L, 1);
    }
    check_list_keys(L, idx, idx, len, lua_pushfstring(L, "%ss", what));
    lua_pop(L, 1);
    return n;
  }
  if (last - idx + 1 > LN_MAXDIM) lnL_fail(L, "too many dimensions (at most %d)", LN_MAXDIM);
  for (int i = idx; i <= last; i++) v[n++] = arg_integer(L, i, what);
  return n;
}

int lnL_checkshape(lua_State *L, int idx, int last, int64_t *shape) {
  int64_t numel;
  int ndim = read_integers(L, idx, last, shape, "size", "a non-negative integer");
  for (int i = 0; i < ndim; i++) {
    if (shape[i] >= 0) continue;
    if (lua_istable(L, idx))
      luaL_argerror(L, idx, lua_pushfstring(L, "size %d must be a non-negative integer, got %I", i + 1,
                                            (lua_Integer)shape[i]));
    luaL_argerror(L, idx + i, lua_pushfstring(L, "size must be >= 0, got %I", (lua_Integer)shape[i]));
  }
  /* every size counts, a zero among them included: 0 x 2^62 x 2^62 is refused */
  if (!ln_prod_i64(ndim, shape, &numel)) lnL_fail(L, "tensor of that shape is too large");
  return ndim;
}

/* Dimension numbers (1-based at the surface, read by read_integers) into
** 0-based ints: 2^32 + 2 is an error, never taken as 2. */
static void check_dims(lua_State *L, int n, const int64_t *v, int ndim, int *dims) {
  for (int i = 0; i < n; i++) {
    if (v[i] < 1 || v[i] > ndim)
      lnL_fail(L, "dimension %I out of range 1..%d%s", (lua_Integer)v[i], ndim, base_hint(v[i]));
    dims[i] = (int)v[i] - 1;
  }
}

static int field_type(lua_State *L, int idx, const char *key) {
  return (idx != 0 && lua_istable(L, idx)) ? lua_getfield(L, idx, key) : (lua_pushnil(L), LUA_TNIL);
}

double lnL_optnumfield(lua_State *L, int idx, const char *key, double def) {
  double v = def;
  int t = field_type(L, idx, key);
  if (t == LUA_TNUMBER) v = lua_tonumber(L, -1);
  else if (t != LUA_TNIL) lnL_fail(L, "option '%s' must be a number", key);
  lua_pop(L, 1);
  return v;
}

int64_t lnL_optintfield(lua_State *L, int idx, const char *key, int64_t def) {
  int64_t v = def;
  int t = field_type(L, idx, key), isint;
  if (t != LUA_TNIL) {
    v = lua_tointegerx(L, -1, &isint);
    if (!isint) lnL_fail(L, "option '%s' must be an integer, got %s", key, luaL_tolstring(L, -1, NULL));
  }
  lua_pop(L, 1);
  return v;
}

int lnL_optboolfield(lua_State *L, int idx, const char *key, int def) {
  int v = def, t = field_type(L, idx, key);
  if (t != LUA_TNIL && t != LUA_TBOOLEAN)
    lnL_fail(L, "option '%s' must be true or false, got %s", key, lua_typename(L, t));
  if (t != LUA_TNIL) v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* A file name as C will open it: one with a zero byte would name a
** shorter file (C stops there), written or read in its place. */
const char *lnL_checkpath(lua_State *L, int idx) {
  size_t len;
  const char *path = luaL_checklstring(L, idx, &len);
  if (strlen(path) != len) luaL_argerror(L, idx, "a file name must not contain a zero byte");
  return path;
}

/* luaL_checkoption's error on a field would blame "bad argument #-1": this
** one names the option and lists its values. */
int lnL_optoptionfield(lua_State *L, int idx, const char *key, const char *def, const char *const names[]) {
  int t = field_type(L, idx, key);
  const char *name = t == LUA_TNIL ? def : t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  int i = lnL_nameindex(name, names);
  if (i >= 0) {
    lua_pop(L, 1);
    return i;
  }
  const char *valid = lnL_pushnames(L, names);
  if (name == NULL)
    return lnL_fail(L, "option '%s' must be a name (valid: %s), got a %s", key, valid, lua_typename(L, t));
  return lnL_fail(L, "option '%s': invalid value '%s' (valid: %s)", key, name, valid);
}

/* ---- the userdata ----------------------------------------------------- */

ln_tensor *lnL_newtensor(lua_State *L) {
  ln_tensor *t = lua_newuserdatauv(L, sizeof *t, 0);
  memset(t, 0, sizeof *t);
  luaL_setmetatable(L, LNL_TENSOR);
  return t;
}

ln_tensor *lnL_totensor(lua_State *L, int idx) {
  return luaL_testudata(L, idx, LNL_TENSOR);
}

ln_tensor *lnL_checktensor(lua_State *L, int idx) {
  /* luaL_checkudata names a table by its metatable's __name: a table given
  ** the tensor's metatable read "lunet.Tensor expected, got lunet.Tensor" */
  if (lua_type(L, idx) != LUA_TUSERDATA)
    luaL_argerror(L, idx, lua_pushfstring(L, "lunet.Tensor expected, got %s", luaL_typename(L, idx)));
  ln_tensor *t = luaL_checkudata(L, idx, LNL_TENSOR);
  if (t->storage == NULL) luaL_argerror(L, idx, "tensor has been closed");
  return t;
}

/* Lua only sees the userdata header: an incremental step sized like the
** buffer keeps the collector's pace in line with real memory use. */
void lnL_track(lua_State *L, const ln_tensor *t) {
  size_t kb = t->storage ? t->storage->nbytes / 1024 : 0;
  if (kb > 0 && lua_gc(L, LUA_GCISRUNNING)) lua_gc(L, LUA_GCSTEP, kb > INT32_MAX ? INT32_MAX : (int)kb);
}

ln_tensor *lnL_pushnew(lua_State *L, ln_dtype dt, int ndim, const int64_t *shape) {
  ln_tensor *t = lnL_newtensor(L);
  lnL_check(L, ln_tensor_new(t, dt, ndim, shape));
  lnL_track(L, t);
  return t;
}

ln_tensor *lnL_pushview(lua_State *L, const ln_tensor *src) {
  ln_tensor *t = lnL_newtensor(L);
  ln_tensor_ref(t, src);
  return t;
}

static int t_gc(lua_State *L) {
  ln_tensor_free(luaL_checkudata(L, 1, LNL_TENSOR));
  return 0;
}

/* ---- creation --------------------------------------------------------- */

/* Creation functions take sizes, then optionally a dtype name or an
** options table ({dtype =, mean =, std = ...}) as the last argument. */
static int creation_args(lua_State *L, int64_t *shape, ln_dtype *dt) {
  int last = lua_gettop(L);
  *dt = LN_F32;
  if (last >= 1 && lua_type(L, last) == LUA_TSTRING) {
    *dt = lnL_checkdtype(L, last--);
  } else if (last >= 2 && lua_istable(L, last)) {     /* an options table after the sizes */
    lua_getfield(L, last, "dtype");
    *dt = lnL_optdtype(L, -1, LN_F32);
    lua_pop(L, 1);
    last--;
  }
  if (last < 1) lnL_fail(L, "expected sizes (integers or a table of them)");
  return lnL_checkshape(L, 1, last, shape);
}

static int opts_index(lua_State *L) {
  int top = lua_gettop(L);
  return (top > 1 && lua_istable(L, top)) ? top : 0;
}

static const char *const dtype_opts[] = {"dtype", NULL};

static int l_zeros(lua_State *L) {
  lnL_checkopts(L, opts_index(L), "zeros", dtype_opts);
  int64_t shape[LN_MAXDIM];
  ln_dtype dt;
  int ndim = creation_args(L, shape, &dt);
  lnL_pushnew(L, dt, ndim, shape);
  return 1;
}

static int l_ones(lua_State *L) {
  lnL_checkopts(L, opts_index(L), "ones", dtype_opts);
  int64_t shape[LN_MAXDIM];
  ln_dtype dt;
  int ndim = creation_args(L, shape, &dt);
  ln_fill(lnL_pushnew(L, dt, ndim, shape), 1.0);
  return 1;
}

/* full(value, sizes..., [dtype]) */
static int l_full(lua_State *L) {
  double v = luaL_checknumber(L, 1);
  lua_remove(L, 1);
  lnL_checkopts(L, opts_index(L), "full", dtype_opts);
  int64_t shape[LN_MAXDIM];
  ln_dtype dt;
  int ndim = creation_args(L, shape, &dt);
  ln_fill(lnL_pushnew(L, dt, ndim, shape), v);
  return 1;
}

/* rand(sizes, {min, max}) and randn(sizes, {mean, std}): the two numbers
** by position or by name (not both), and dtype by name. */
static void range_opts(lua_State *L, const char *fname, const char *const valid[], double *a, double *b) {
  int o = opts_index(L);
  int npos = lnL_checkopts_pos(L, o, fname, valid, 2);
  if (npos == 0) {
    *a = lnL_optnumfield(L, o, valid[1], *a);
    *b = lnL_optnumfield(L, o, valid[2], *b);
    return;
  }
  for (int i = 1; i <= 2; i++) {
    lua_pushstring(L, valid[i]);
    if (lua_rawget(L, o) != LUA_TNIL)
      luaL_error(L, "%s: give %s and %s by position or by name, not both", fname, valid[1], valid[2]);
    lua_pop(L, 1);
  }
  for (int i = 1; i <= npos; i++) {
    if (lua_rawgeti(L, o, i) != LUA_TNUMBER) luaL_error(L, "%s: option '%s' must be a number", fname, valid[i]);
    *(i == 1 ? a : b) = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
}

static int l_rand(lua_State *L) {
  static const char *const valid[] = {"dtype", "min", "max", NULL};
  int64_t shape[LN_MAXDIM];
  ln_dtype dt;
  double lo = 0.0, hi = 1.0;
  range_opts(L, "rand", valid, &lo, &hi);
  int ndim = creation_args(L, shape, &dt);
  lnL_check(L, ln_rand_uniform(lnL_pushnew(L, dt, ndim, shape), ln_rng_global(), lo, hi));
  return 1;
}

static int l_randn(lua_State *L) {
  static const char *const valid[] = {"dtype", "mean", "std", NULL};
  int64_t shape[LN_MAXDIM];
  ln_dtype dt;
  double mean = 0.0, std = 1.0;
  range_opts(L, "randn", valid, &mean, &std);
  int ndim = creation_args(L, shape, &dt);
  lnL_check(L, ln_rand_normal(lnL_pushnew(L, dt, ndim, shape), ln_rng_global(), mean, std));
  return 1;
}

/* arange(stop) or arange(start, stop [, step]): stop excluded, as numpy. */
static int l_arange(lua_State *L) {
  int nargs = lua_gettop(L);
  ln_dtype dt = LN_F32;
  if (nargs > 1 && lua_type(L, nargs) == LUA_TSTRING) dt = lnL_checkdtype(L, nargs--);
  double start = 0, stop, step = 1;
  if (nargs == 1) stop = luaL_checknumber(L, 1);
  else {
    start = luaL_checknumber(L, 1);
    stop = luaL_checknumber(L, 2);
    step = luaL_optnumber(L, 3, 1.0);
  }
  if (step == 0 || !isfinite(step) || !isfinite(start) || !isfinite(stop))
    luaL_error(L, "arange: start, stop and step must be finite and step non-zero");
  /* stop - start may overflow to infinity; a count past 2^62 could not be
  ** converted to an integer, let alone allocated */
  double count = ceil((stop - start) / step);
  if (!(count < 0x1p62)) luaL_error(L, "arange: %f elements are too many", count);
  int64_t n = count > 0 ? (int64_t)count : 0;
  ln_tensor *t = lnL_pushnew(L, dt, 1, &n);
  for (int64_t i = 0; i < n; i++) ln_set(t, &i, start + (double)i * step);
  return 1;
}

static int l_linspace(lua_State *L) {
  double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
  int64_t n = lnL_checksize(L, 3, "count");
  ln_dtype dt = lnL_optdtype(L, 4, LN_F32);
  if (!isfinite(a) || !isfinite(b)) luaL_error(L, "linspace: start and stop must be finite");
  ln_tensor *t = lnL_pushnew(L, dt, 1, &n);
  for (int64_t i = 0; i < n; i++)
    ln_set(t, &i, n == 1 ? a : a + (b - a) * (double)i / (double)(n - 1));
  return 1;
}

/* Walks a nested table once to find the shape, from first elements. */
static int table_shape(lua_State *L, int idx, int64_t *shape) {
  int ndim = 0;
  lua_pushvalue(L, idx);
  while (lua_istable(L, -1)) {
    if (ndim == LN_MAXDIM) luaL_error(L, "tensor: nested deeper than %d levels", LN_MAXDIM);
    shape[ndim++] = (int64_t)luaL_len(L, -1);
    if (shape[ndim - 1] < 0) luaL_error(L, "tensor: a table's length (its __len) is negative");
    if (shape[ndim - 1] == 0) break;
    lua_geti(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  return ndim;
}

static void fill_from_table(lua_State *L, ln_tensor *t, int dim, int64_t *idx) {
  lua_Integer len = luaL_len(L, -1);
  if (len != t->shape[dim])
    luaL_error(L, "tensor: ragged table: a list at depth %d has length %I where %I was expected",
               dim + 1, len, (lua_Integer)t->shape[dim]);
  check_list_keys(L, -1, 0, len, "elements");
  for (idx[dim] = 0; idx[dim] < t->shape[dim]; idx[dim]++) {
    int ty = lua_geti(L, -1, idx[dim] + 1);
    if (dim + 1 < t->ndim) {
      if (ty != LUA_TTABLE) luaL_error(L, "tensor: ragged table: expected a table at depth %d", dim + 2);
      fill_from_table(L, t, dim + 1, idx);
    } else {
      int isnum;
      double v = lua_tonumberx(L, -1, &isnum);
      if (!isnum || ty == LUA_TSTRING)
        luaL_error(L, "tensor: element is a %s, not a number", luaL_typename(L, -1));
      ln_set(t, idx, v);
    }
    lua_pop(L, 1);
  }
}

static int push_clone(lua_State *L, int dt);

static int l_tensor(lua_State *L) {
  int64_t shape[LN_MAXDIM], idx[LN_MAXDIM];
  ln_dtype dt = lnL_optdtype(L, 2, LN_F32);
  if (lnL_totensor(L, 1)) return push_clone(L, lua_isnoneornil(L, 2) ? -1 : (int)dt);
  luaL_checktype(L, 1, LUA_TTABLE);
  int ndim = table_shape(L, 1, shape);
  int64_t numel;
  if (!ln_prod_i64(ndim, shape, &numel)) luaL_error(L, "tensor: table of that shape is too large");
  ln_tensor *t = lnL_pushnew(L, dt, ndim, shape);
  lua_pushvalue(L, 1);
  if (ln_numel(t) > 0) fill_from_table(L, t, 0, idx);
  lua_pop(L, 1);
  return 1;
}

static int l_seed(lua_State *L) {
  ln_rng_seed(ln_rng_global(), (uint64_t)luaL_checkinteger(L, 1));
  return 0;
}

/* ---- facts ------------------------------------------------------------ */

static int m_shape(lua_State *L) {
  ln_tensor *t = lnL_checktensor(L, 1);
  lua_createtable(L, t->ndim, 0);
  for (int i = 0; i < t->ndim; i++) {
    lua_pushinteger(L, t->shape[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_stride(lua_State *L) {
  ln_tensor *t = lnL_checktensor(L, 1);
  lua_createtable(L, t->ndim, 0);
  for (int i = 0; i < t->ndim; i++) {
    lua_pushinteger(L, t->stride[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int m_size(lua_State *L) {
  if (lua_isnoneornil(L, 2)) return m_shape(L);
  lua_Integer d = arg_integer(L, 2, "dimension");
  ln_tensor *t = lnL_checktensor(L, 1);
  check_dim(L, 2, d, t->ndim);
  lua_pushinteger(L, t->shape[d - 1]);
  return 1;
}

static int m_dim(lua_State *L) {
  lua_pushinteger(L, lnL_checktensor(L, 1)->ndim);
  return 1;
}

static int m_numel(lua_State *L) {
  lua_pushinteger(L, ln_numel(lnL_checktensor(L, 1)));
  return 1;
}

static int m_dtype(lua_State *L) {
  lua_pushstring(L, ln_dtype_name(lnL_checktensor(L, 1)->dtype));
  return 1;
}

static int m_is_contiguous(lua_State *L) {
  lua_pushboolean(L, ln_is_contiguous(lnL_checktensor(L, 1)));
  return 1;
}

/* True when both share one storage: what a view means. */
static int m_shares_storage(lua_State *L) {
  lua_pushboolean(L, lnL_checktensor(L, 1)->storage == lnL_checktensor(L, 2)->storage);
  return 1;
}

static int m_len(lua_State *L) {
  ln_tensor *t = lnL_checktensor(L, 1);
  lua_pushinteger(L, t->ndim ? t->shape[0] : 1);
  return 1;
}

static int m_is_closed(lua_State *L) {
  lua_pushboolean(L, ((ln_tensor *)luaL_checkudata(L, 1, LNL_TENSOR))->storage == NULL);
  return 1;
}

static int m_close(lua_State *L) {
  ln_tensor_free(luaL_checkudata(L, 1, LNL_TENSOR));
  return 0;
}

/* ---- views ------------------------------------------------------------ */

/* Each view function reads its sizes first (a shape table's metamethods may
** run), then pushes the result, then fetches the tensor (order rule). */

static int m_view(lua_State *L) {
  int64_t shape[LN_MAXDIM];
  int ndim = lnL_checkshape(L, 2, lua_gettop(L), shape);
  ln_tensor *r = lnL_newtensor(L);
  lnL_check(L, ln_view(r, lnL_checktensor(L, 1), ndim, shape));
  return 1;
}

static int m_reshape(lua_State *L) {
  int64_t shape[LN_MAXDIM];
  int ndim = lnL_checkshape(L, 2, lua_gettop(L), shape);
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  lnL_check(L, ln_reshape(r, t, ndim, shape));
  if (r->storage != t->storage) lnL_track(L, r);
  return 1;
}

static int m_narrow(lua_State *L) {
  lua_Integer dim = arg_integer(L, 2, "dimension"), start = arg_integer(L, 3, "start");
  int64_t len = lnL_checksize(L, 4, "length");
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  check_dim(L, 2, dim, t->ndim);
  int64_t size = t->shape[dim - 1];
  if (start < 1 || start > size + 1)
    luaL_argerror(L, 3, lua_pushfstring(L, "start %I out of range 1..%I", start, (lua_Integer)size + 1));
  /* written so that neither check nor message can overflow, whatever len is */
  if (len > size - (start - 1))
    luaL_error(L, "narrow: %I elements from element %I are outside dimension %d of size %I",
               (lua_Integer)len, start, (int)dim, (lua_Integer)size);
  lnL_check(L, ln_narrow(r, t, (int)dim - 1, start - 1, len));
  return 1;
}

static int m_select(lua_State *L) {
  lua_Integer dim = arg_integer(L, 2, "dimension"), i = arg_integer(L, 3, "index");
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  check_dim(L, 2, dim, t->ndim);
  if (i < 1 || i > t->shape[dim - 1])
    luaL_argerror(L, 3, lua_pushfstring(L, "index %I out of range 1..%I%s", i, (lua_Integer)t->shape[dim - 1],
                                        base_hint(i)));
  lnL_check(L, ln_select(r, t, (int)dim - 1, i - 1));
  return 1;
}

static int m_transpose(lua_State *L) {
  int64_t d[2] = {1, 2};
  int dims[2], given = !lua_isnoneornil(L, 2);
  if (given) d[0] = arg_integer(L, 2, "dimension"), d[1] = arg_integer(L, 3, "dimension");
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  if (!given && t->ndim != 2) luaL_error(L, "t(): tensor has %d dimensions; give the two to swap", t->ndim);
  check_dims(L, 2, d, t->ndim, dims);
  lnL_check(L, ln_transpose(r, t, dims[0], dims[1]));
  return 1;
}

static int m_permute(lua_State *L) {
  int64_t d[LN_MAXDIM];
  int perm[LN_MAXDIM];
  int n = read_integers(L, 2, lua_gettop(L), d, "dimension", "an integer");
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  if (n != t->ndim) luaL_error(L, "permute: %d dimensions given for a %d-dimensional tensor", n, t->ndim);
  check_dims(L, n, d, t->ndim, perm);
  lnL_check(L, ln_permute(r, t, perm));
  return 1;
}

static int m_expand(lua_State *L) {
  int64_t shape[LN_MAXDIM];
  int ndim = lnL_checkshape(L, 2, lua_gettop(L), shape);
  ln_tensor *r = lnL_newtensor(L);
  lnL_check(L, ln_expand(r, lnL_checktensor(L, 1), ndim, shape));
  return 1;
}

static int m_contiguous(lua_State *L) {
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  lnL_check(L, ln_contiguous(r, t));
  if (r->storage != t->storage) lnL_track(L, r);
  return 1;
}

/* ---- copies ----------------------------------------------------------- */

/* A copy of argument 1 as dt (-1: its own dtype). */
static int push_clone(lua_State *L, int dt) {
  ln_tensor *r = lnL_newtensor(L), *t = lnL_checktensor(L, 1);
  lnL_check(L, ln_clone(r, t, dt < 0 ? t->dtype : (ln_dtype)dt));
  lnL_track(L, r);
  return 1;
}

static int m_clone(lua_State *L) {
  return push_clone(L, -1);
}

/* to(dtype): itself when already of that dtype, as Torch's :type(). */
static int m_to(lua_State *L) {
  ln_dtype dt = lnL_checkdtype(L, 2);
  if (dt == lnL_checktensor(L, 1)->dtype) {
    lua_settop(L, 1);
    return 1;
  }
  return push_clone(L, (int)dt);
}

static int m_float(lua_State *L) {
  lua_settop(L, 1);
  lua_pushliteral(L, "float32");
  return m_to(L);
}

static int m_double(lua_State *L) {
  lua_settop(L, 1);
  lua_pushliteral(L, "float64");
  return m_to(L);
}

/* copy(src): same number of elements, any dtypes; returns self. */
static int m_copy(lua_State *L) {
  ln_tensor *t = lnL_checktensor(L, 1), *src = lnL_checktensor(L, 2);
  lnL_check(L, ln_copy(t, src));
  lua_settop(L, 1);
  return 1;
}

/* ---- indexing --------------------------------------------------------- */

/* t[i] or t[{i, j, ...}], read into plain integers before the tensor is
** fetched: the key table's __len and __index may close the tensor. */
typedef struct index_key {
  int n;
  int64_t i[LN_MAXDIM];   /* 1-based, not yet checked against the shape */
} index_key;

static void read_key(lua_State *L, int key, index_key *k) {
  if (lua_type(L, key) == LUA_TNUMBER) {
    k->n = 1;
    k->i[0] = arg_integer(L, key, "index");
    return;
  }
  lua_Integer n = luaL_len(L, key);
  if (n < 0 || n > LN_MAXDIM) luaL_error(L, "%I indices: a tensor has at most %d dimensions", n, LN_MAXDIM);
  k->n = (int)n;
  for (int d = 0; d < k->n; d++) {
    lua_geti(L, key, d + 1);
    k->i[d] = arg_integer(L, lua_gettop(L), "index");
    lua_pop(L, 1);
  }
  check_list_keys(L, key, key, n, "indices");
}

/* The descriptor the key selects, borrowing t's storage (no reference):
** used before any further Lua call. Raises on a bad index, running no Lua. */
static void index_view(lua_State *L, const ln_tensor *t, const index_key *k, ln_tensor *out) {
  if (k->n > t->ndim) {
    if (t->ndim == 0) luaL_error(L, "cannot index a 0-dimensional tensor");
    luaL_error(L, "%d indices for a %d-dimensional tensor", k->n, t->ndim);
  }
  *out = *t;
  for (int d = 0; d < k->n; d++) {
    if (k->i[d] < 1 || k->i[d] > out->shape[0])
      luaL_error(L, "index %I out of range 1..%I%s", (lua_Integer)k->i[d], (lua_Integer)out->shape[0],
                 base_hint(k->i[d]));
    out->offset += (k->i[d] - 1) * out->stride[0];
    memmove(out->shape, out->shape + 1, (size_t)(out->ndim - 1) * sizeof *out->shape);
    memmove(out->stride, out->stride + 1, (size_t)(out->ndim - 1) * sizeof *out->stride);
    out->ndim--;
  }
}

/* __index: numbers and tables index, strings find methods (upvalue 1). */
static int t_index(lua_State *L) {
  index_key k;
  ln_tensor v, *r = NULL;
  switch (lua_type(L, 2)) {
    case LUA_TNUMBER:
    case LUA_TTABLE:
      read_key(L, 2, &k);
      /* a view result: its userdata first, since allocating may run finalisers */
      if (lnL_checktensor(L, 1)->ndim > k.n) r = lnL_newtensor(L);
      index_view(L, lnL_checktensor(L, 1), &k, &v);
      if (r) ln_tensor_ref(r, &v);
      else lua_pushnumber(L, ln_get(&v, NULL));
      return 1;
    case LUA_TSTRING:     /* methods work on closed tensors too, to say so */
      lua_pushvalue(L, 2);
      lua_rawget(L, lua_upvalueindex(1));
      return 1;
    default: return luaL_error(L, "cannot index a tensor with a %s", luaL_typename(L, 2));
  }
}

static int t_newindex(lua_State *L) {
  index_key k;
  ln_tensor v;
  double x = 0;
  int ty = lua_type(L, 2), number = lua_type(L, 3) == LUA_TNUMBER;
  if (ty != LUA_TNUMBER && ty != LUA_TTABLE)
    return luaL_error(L, "cannot assign to a tensor field (%s)", luaL_typename(L, 2));
  if (!number && !lnL_totensor(L, 3))
    return luaL_error(L, "can only assign a number or a tensor into a tensor, not a %s", luaL_typename(L, 3));
  read_key(L, 2, &k);
  if (number) x = lua_tonumber(L, 3);
  index_view(L, lnL_checktensor(L, 1), &k, &v);
  if (!number) lnL_check(L, ln_copy(&v, lnL_checktensor(L, 3)));
  else if (v.ndim == 0) ln_set(&v, NULL, x);
  else ln_fill(&v, x);
  return 0;
}

static void push_table(lua_State *L, const ln_tensor *t) {
  ln_tensor v;
  if (t->ndim == 0) {
    lua_pushnumber(L, ln_get(t, NULL));
    return;
  }
  luaL_checkstack(L, 4, "tensor too deep");
  lua_createtable(L, (int)t->shape[0], 0);
  for (int64_t i = 0; i < t->shape[0]; i++) {
    v = *t;
    v.offset += i * t->stride[0];
    memmove(v.shape, v.shape + 1, (size_t)(t->ndim - 1) * sizeof *v.shape);
    memmove(v.stride, v.stride + 1, (size_t)(t->ndim - 1) * sizeof *v.stride);
    v.ndim--;
    push_table(L, &v);
    lua_rawseti(L, -2, i + 1);
  }
}

/* The tables are made while the elements are read, and making them may run
** finalisers that close the tensor: a private view (unreachable from Lua)
** keeps the storage alive meanwhile. */
static int m_totable(lua_State *L) {
  ln_tensor *pin = lnL_newtensor(L);
  ln_tensor_ref(pin, lnL_checktensor(L, 1));
  /* Lua tables index with ints; an expanded view may claim 2^62 elements */
  if (!ln_fits_int(ln_numel(pin)))
    luaL_error(L, "totable: %I elements are too many for Lua tables", (lua_Integer)ln_numel(pin));
  push_table(L, pin);
  return 1;
}

/* Row-major flat element, for printing without a view per element. */
static int m_flat(lua_State *L) {
  ln_tensor *t = lnL_checktensor(L, 1);
  int64_t i = lnL_checkindex(L, 2, ln_numel(t), "flat index");
  lua_pushnumber(L, ln_get_flat(t, i));
  return 1;
}

static const luaL_Reg tensor_methods[] = {
  {"shape", m_shape}, {"size", m_size}, {"stride", m_stride}, {"dim", m_dim},
  {"numel", m_numel}, {"dtype", m_dtype}, {"is_contiguous", m_is_contiguous},
  {"shares_storage", m_shares_storage}, {"view", m_view}, {"reshape", m_reshape},
  {"narrow", m_narrow}, {"select", m_select}, {"transpose", m_transpose}, {"t", m_transpose},
  {"permute", m_permute}, {"expand", m_expand}, {"contiguous", m_contiguous},
  {"clone", m_clone}, {"to", m_to}, {"float", m_float}, {"double", m_double},
  {"copy", m_copy}, {"totable", m_totable}, {"flat", m_flat}, {"close", m_close},
  {"is_closed", m_is_closed},
  {NULL, NULL}
};

/* is_tensor(x): a tensor userdata, closed or not. Lua code asking
** getmetatable(x) == tensor_metatable took a table given that metatable
** for a tensor, which the binding then refused as the wrong type. */
static int l_is_tensor(lua_State *L) {
  lua_pushboolean(L, lnL_totensor(L, 1) != NULL);
  return 1;
}

static const luaL_Reg module_functions[] = {
  {"is_tensor", l_is_tensor}, {"zeros", l_zeros}, {"ones", l_ones}, {"full", l_full}, {"rand", l_rand},
  {"randn", l_randn}, {"arange", l_arange}, {"linspace", l_linspace},
  {"tensor", l_tensor}, {"seed", l_seed}, {NULL, NULL}
};

/* Leaves module.Tensor (the methods table) filled; the metatable's
** __index finds methods there, so Lua code may add more. */
void lnL_open_tensor(lua_State *L) {
  luaL_setfuncs(L, module_functions, 0);
  luaL_newmetatable(L, LNL_TENSOR);
  lua_newtable(L);                       /* methods */
  luaL_setfuncs(L, tensor_methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -4, "Tensor");         /* module.Tensor = methods */
  lua_pushcclosure(L, t_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, t_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, t_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, m_close);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, m_len);
  lua_setfield(L, -2, "__len");
  lua_setfield(L, -2, "tensor_metatable");
}
