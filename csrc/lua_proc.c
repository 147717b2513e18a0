/*
** lua_proc.c: worker processes (proc.h) and picking samples (subset.h)
** for lunet.tune and lunet.data.
*/
#include <stdio.h>

#include "lua_lunet.h"
#include "proc.h"
#include "subset.h"

/* fork() -> pid in the parent, 0 in the child. Lua's own buffered output
** is flushed first so that the child does not write it again. */
static int l_fork(lua_State *L) {
  int64_t pid;
  fflush(NULL);
  lnL_check(L, ln_fork(&pid));
  lua_pushinteger(L, (lua_Integer)pid);
  return 1;
}

/* wait([pid]) -> pid, exit code: the given child, or any */
static int l_wait(lua_State *L) {
  int64_t done;
  int code;
  lnL_check(L, ln_wait((int64_t)luaL_optinteger(L, 1, -1), &done, &code));
  lua_pushinteger(L, (lua_Integer)done);
  lua_pushinteger(L, code);
  return 2;
}

/* exit_now(code): flushes C's streams and ends the process at once */
static int l_exit_now(lua_State *L) {
  int code = (int)luaL_optinteger(L, 1, 0);
  fflush(NULL);
  ln_exit_now(code);
  return 0;
}

static int l_cpu_count(lua_State *L) {
  lua_pushinteger(L, ln_cpu_count());
  return 1;
}

/* label_positions(y, {classes...}) -> float64 vector of the 1-based
** positions of the labels equal to one of the classes */
static int l_label_positions(lua_State *L) {
  double classes[256];
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer nc = luaL_len(L, 2);
  if (nc < 1 || nc > 256) luaL_error(L, "label_positions: give 1 to 256 classes");
  for (int i = 0; i < (int)nc; i++) {
    lua_geti(L, 2, i + 1);
    if (!lua_isnumber(L, -1)) luaL_error(L, "label_positions: class %d is not a number", i + 1);
    classes[i] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  int64_t count;
  lnL_check(L, ln_label_positions(lnL_checktensor(L, 1), classes, (int)nc, NULL, &count));
  ln_tensor *pos = lnL_pushnew(L, LN_F64, 1, &count);
  lnL_check(L, ln_label_positions(lnL_checktensor(L, 1), classes, (int)nc, pos, &count));
  return 1;
}

/* take_rows(x, positions) -> the rows of x at the 1-based positions, a copy */
static int l_take_rows(lua_State *L) {
  ln_tensor *x = lnL_checktensor(L, 1), *pos = lnL_checktensor(L, 2);
  int64_t shape[LN_MAXDIM];
  int ndim = x->ndim;
  if (ndim < 1 || pos->ndim != 1) luaL_error(L, "take_rows: expected a tensor (rows, ...) and a vector of positions");
  for (int i = 0; i < ndim; i++) shape[i] = x->shape[i];
  shape[0] = pos->shape[0];
  ln_tensor *out = lnL_pushnew(L, x->dtype, ndim, shape);
  lnL_check(L, ln_take_rows(out, lnL_checktensor(L, 1), lnL_checktensor(L, 2)));
  return 1;
}

static const luaL_Reg functions[] = {
  {"fork", l_fork}, {"wait", l_wait}, {"exit_now", l_exit_now}, {"cpu_count", l_cpu_count},
  {"label_positions", l_label_positions}, {"take_rows", l_take_rows}, {NULL, NULL}
};

void lnL_open_proc(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
