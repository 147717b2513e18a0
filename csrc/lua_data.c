/*
** lua_data.c: data-set files: IDX (MNIST) tensors and MD5 digests.
*/
#include <stdio.h>
#include <stdlib.h>

#include "digest.h"
#include "fileio.h"
#include "idx.h"
#include "lua_lunet.h"
#include "md5.h"

/* load_idx(path [, scale]): a float32 tensor of the stored shape */
static int l_load_idx(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  double scale = luaL_optnumber(L, 2, 1.0);
  ln_tensor *t = lnL_newtensor(L);
  lnL_check(L, ln_idx_load(t, path, scale));
  lnL_track(L, t);
  return 1;
}

/* md5_file(path): 32 lowercase hex digits */
static int l_md5_file(lua_State *L) {
  char hex[33];
  lnL_check(L, ln_md5_file(lnL_checkpath(L, 1), hex));
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

/* tensor_digest(t): ln_digest's 64 bits as 16 lowercase hex digits */
static int l_tensor_digest(lua_State *L) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", (unsigned long long)ln_digest(lnL_checktensor(L, 1)));
  lua_pushstring(L, hex);
  return 1;
}

static int push_bytes(lua_State *L) {
  lua_pushlstring(L, lua_touserdata(L, 1), (size_t)lua_tointeger(L, 2));
  return 1;
}

/* read_file(path): the bytes of a regular file (FIFOs and devices refused).
** The string is made under pcall so the buffer is freed even when that fails. */
static int l_read_file(lua_State *L) {
  unsigned char *data;
  size_t size;
  int st;
  lnL_check(L, ln_read_file(lnL_checkpath(L, 1), &data, &size));
  lua_pushcfunction(L, push_bytes);
  lua_pushlightuserdata(L, data);
  lua_pushinteger(L, (lua_Integer)size);
  st = lua_pcall(L, 2, 1, 0);
  free(data);
  return st == LUA_OK ? 1 : lua_error(L);
}

/* file_kind(path): "file", "directory", "fifo", ... and the size in bytes,
** or nil and a message when there is nothing there; never opens it */
static int l_file_kind(lua_State *L) {
  const char *kind;
  int64_t size;
  if (ln_file_kind(lnL_checkpath(L, 1), &kind, &size) != LN_OK) {
    lua_pushnil(L);
    lua_pushstring(L, ln_errmsg());
    return 2;
  }
  lua_pushstring(L, kind);
  lua_pushinteger(L, (lua_Integer)size);
  return 2;
}

static const luaL_Reg functions[] = {
  {"load_idx", l_load_idx}, {"md5_file", l_md5_file}, {"md5", l_md5},
  {"tensor_digest", l_tensor_digest},
  {"read_file", l_read_file}, {"file_kind", l_file_kind}, {NULL, NULL}
};

void lnL_open_data(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
