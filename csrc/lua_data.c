/*
** lua_data.c: data-set files: IDX (MNIST) tensors and MD5 digests.
*/
#include "idx.h"
#include "lua_lunet.h"
#include "md5.h"

/* load_idx(path [, scale]): a float32 tensor of the stored shape */
static int l_load_idx(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  double scale = luaL_optnumber(L, 2, 1.0);
  ln_tensor *t = lnL_newtensor(L);
  lnL_check(L, ln_idx_load(t, path, scale));
  lnL_track(L, t);
  return 1;
}

/* md5_file(path): 32 lowercase hex digits */
static int l_md5_file(lua_State *L) {
  char hex[33];
  lnL_check(L, ln_md5_file(luaL_checkstring(L, 1), hex));
  lua_pushstring(L, hex);
  return 1;
}

/* md5(string): 32 lowercase hex digits */
static int l_md5(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  unsigned char digest[16];
  char hex[33];
  ln_md5(s, n, digest);
  ln_md5_hex(digest, hex);
  lua_pushstring(L, hex);
  return 1;
}

static const luaL_Reg functions[] = {
  {"load_idx", l_load_idx}, {"md5_file", l_md5_file}, {"md5", l_md5}, {NULL, NULL}
};

void lnL_open_data(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
