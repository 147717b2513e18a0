/*
** lua_io.c: tensors to and from files (.npy).
*/
#include "lua_lunet.h"
#include "npy.h"

static int l_load_npy(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  ln_tensor *t = lnL_newtensor(L);
  lnL_check(L, ln_npy_load(t, path));
  lnL_track(L, t);
  return 1;
}

/* save_npy(path, tensor) */
static int l_save_npy(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lnL_check(L, ln_npy_save(lnL_checktensor(L, 2), path));
  return 0;
}

static const luaL_Reg functions[] = {
  {"load_npy", l_load_npy}, {"save_npy", l_save_npy}, {NULL, NULL}
};

void lnL_open_io(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
