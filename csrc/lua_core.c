/*
** lua_core.c: luaopen_lunet_core, the C half of require "lunet".
*/
#include "blas.h"
#include "lua_lunet.h"

/* Small products (a mini-batch of 10) lose to thread wake-ups: OpenBLAS
** uses one thread unless the user asks for more with lunet.threads(n). */
static int l_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 1024, 1, "thread count must be 1..1024");
    ln_blas_fn.set_num_threads((int)n);
  }
  lua_pushinteger(L, ln_blas_fn.get_num_threads());
  return 1;
}

/* blas_core(): the OpenBLAS kernels in use, e.g. "SkylakeX" */
static int l_blas_core(lua_State *L) {
  lua_pushstring(L, ln_blas_fn.get_corename());
  return 1;
}

int luaopen_lunet_core(lua_State *L) {
  lnL_check(L, ln_blas_init());
  lua_newtable(L);
  lnL_open_tensor(L);
  lnL_open_tensorops(L);
  lnL_open_io(L);
  lnL_open_data(L);
  lnL_open_nn(L);
  lnL_open_train(L);
  lnL_open_ref(L);
  lua_pushcfunction(L, l_threads);
  lua_setfield(L, -2, "threads");
  lua_pushcfunction(L, l_blas_core);
  lua_setfield(L, -2, "blas_core");
  return 1;
}
