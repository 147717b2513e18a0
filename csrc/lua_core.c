/*
** lua_core.c: luaopen_lunet_core, the C half of require "lunet".
*/
#include <cblas.h>

#include "lua_lunet.h"

/* Small products (a mini-batch of 10) lose to thread wake-ups: OpenBLAS
** uses one thread unless the user asks for more with lunet.threads(n). */
static int l_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 1024, 1, "thread count must be 1..1024");
    openblas_set_num_threads((int)n);
  }
  lua_pushinteger(L, openblas_get_num_threads());
  return 1;
}

int luaopen_lunet_core(lua_State *L) {
  lua_newtable(L);
  lnL_open_tensor(L);
  lnL_open_tensorops(L);
  lnL_open_io(L);
  lua_pushcfunction(L, l_threads);
  lua_setfield(L, -2, "threads");
  openblas_set_num_threads(1);
  return 1;
}
