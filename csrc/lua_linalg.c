/*
** lua_linalg.c: lunet.linalg, the binding of linalg.c. Each function
** fetches its matrix once to learn the result's shape, pushes the result,
** then fetches its tensors again for the core (order rule, lua_lunet.h).
*/
#include "linalg.h"
#include "lua_lunet.h"

/* Raises the core's message as "linalg.<fname>: ..." (the name is fixed,
** not taken from the call, so it reads the same under pcall). */
static void check(lua_State *L, const char *fname, int status) {
  if (status != LN_OK) luaL_error(L, "linalg.%s: %s", fname, ln_errmsg());
}

/* The (n, n) matrix at idx, or an error naming what is wrong with it. */
static ln_tensor *check_square(lua_State *L, int idx, const char *fname) {
  ln_tensor *a = lnL_checktensor(L, idx);
  check(L, fname, ln_linalg_check_square(a));
  return a;
}

/* solve(A, B): X with A X = B; B is (n) or (n, k), X has B's shape. */
static int l_solve(lua_State *L) {
  ln_tensor *a = check_square(L, 1, "solve"), *b = lnL_checktensor(L, 2);
  if (a->dtype != b->dtype)
    luaL_error(L, "linalg.solve: dtype mismatch: %s matrix and %s right-hand side", ln_dtype_name(a->dtype),
               ln_dtype_name(b->dtype));
  if (b->ndim != 1 && b->ndim != 2)
    luaL_error(L, "linalg.solve: right-hand side must be a vector (n) or a matrix (n, k), got %d dimensions", b->ndim);
  int ndim = b->ndim;
  int64_t shape[2] = {b->shape[0], ndim == 2 ? b->shape[1] : 0};
  ln_tensor *x = lnL_pushnew(L, a->dtype, ndim, shape);
  check(L, "solve", ln_linalg_solve(x, lnL_checktensor(L, 1), lnL_checktensor(L, 2)));
  return 1;
}

/* cholesky(A): lower triangular L with L L^T = A (A's lower triangle read) */
static int l_cholesky(lua_State *L) {
  ln_tensor *a = check_square(L, 1, "cholesky");
  ln_tensor *l = lnL_pushnew(L, a->dtype, 2, a->shape);
  check(L, "cholesky", ln_linalg_cholesky(l, lnL_checktensor(L, 1)));
  return 1;
}

/* eigh(A): eigenvalues ascending (n) and eigenvectors as columns (n, n) */
static int l_eigh(lua_State *L) {
  ln_tensor *a = check_square(L, 1, "eigh");
  ln_dtype dt = a->dtype;
  int64_t n = a->shape[0], shape[2] = {n, n};
  ln_tensor *w = lnL_pushnew(L, dt, 1, shape);
  ln_tensor *v = lnL_pushnew(L, dt, 2, shape);
  check(L, "eigh", ln_linalg_eigh(w, v, lnL_checktensor(L, 1)));
  return 2;
}

/* eigvalsh(A): the eigenvalues only */
static int l_eigvalsh(lua_State *L) {
  ln_tensor *a = check_square(L, 1, "eigvalsh");
  ln_tensor *w = lnL_pushnew(L, a->dtype, 1, a->shape);
  check(L, "eigvalsh", ln_linalg_eigh(w, NULL, lnL_checktensor(L, 1)));
  return 1;
}

static int l_inv(lua_State *L) {
  ln_tensor *a = check_square(L, 1, "inv");
  ln_tensor *out = lnL_pushnew(L, a->dtype, 2, a->shape);
  check(L, "inv", ln_linalg_inv(out, lnL_checktensor(L, 1)));
  return 1;
}

static int l_det(lua_State *L) {
  double det, sign, logabs;
  check(L, "det", ln_linalg_det(lnL_checktensor(L, 1), &det, &sign, &logabs));
  lua_pushnumber(L, det);
  return 1;
}

/* slogdet(A): sign (-1, 0 or 1) and log|det A|, which does not overflow */
static int l_slogdet(lua_State *L) {
  double det, sign, logabs;
  check(L, "slogdet", ln_linalg_det(lnL_checktensor(L, 1), &det, &sign, &logabs));
  lua_pushnumber(L, sign);
  lua_pushnumber(L, logabs);
  return 2;
}

static const luaL_Reg functions[] = {
  {"solve", l_solve}, {"cholesky", l_cholesky}, {"eigh", l_eigh}, {"eigvalsh", l_eigvalsh},
  {"inv", l_inv}, {"det", l_det}, {"slogdet", l_slogdet}, {NULL, NULL}
};

/* Expects the module table at the top; adds module.linalg, and the same
** functions as Tensor methods (A:solve(b), A:eigh(), ...). */
void lnL_open_linalg(lua_State *L) {
  int module = lua_gettop(L);
  luaL_newlib(L, functions);
  lua_setfield(L, module, "linalg");
  lua_getfield(L, module, "Tensor");
  luaL_setfuncs(L, functions, 0);
  lua_pop(L, 1);
}
