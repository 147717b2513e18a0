/*
** lua_io.c: tensors to and from files (.npy).
*/
#include <stdlib.h>
#include <string.h>

#include "lua_lunet.h"
#include "npy.h"
#include "png.h"

static int l_load_npy(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  ln_tensor *t = lnL_newtensor(L);
  lnL_check(L, ln_npy_load(t, path));
  lnL_track(L, t);
  return 1;
}

/* save_npy(path, tensor) */
static int l_save_npy(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  lnL_check(L, ln_npy_save(lnL_checktensor(L, 2), path));
  return 0;
}

/* png_encode(width, height, type, pixels [, palette [, alphas]]) -> a PNG
** file as a string; type "gray", "rgb" or "palette"; pixels (rows, top
** first), palette (RGB triples) and alphas are byte strings. For the plots. */
static int l_png_encode(lua_State *L) {
  static const char *const types[] = {"gray", "rgb", "palette", NULL};
  static const int codes[] = {LN_PNG_GRAY, LN_PNG_RGB, LN_PNG_PALETTE};
  lua_Integer w = luaL_checkinteger(L, 1), h = luaL_checkinteger(L, 2);
  int type = codes[luaL_checkoption(L, 3, NULL, types)];
  size_t npx, nplte, ntrns;
  const char *px = luaL_checklstring(L, 4, &npx);
  const char *plte = luaL_optlstring(L, 5, "", &nplte);
  const char *trns = luaL_optlstring(L, 6, "", &ntrns);
  if (nplte % 3 != 0) luaL_argerror(L, 5, "a palette is a string of RGB triples");
  ln_obuf b = {0};
  int st = ln_png_encode(w, h, type, (const unsigned char *)px, npx, (const unsigned char *)plte, nplte / 3,
                         (const unsigned char *)trns, ntrns, &b);
  if (st != LN_OK) {
    free(b.p);
    return lnL_error(L, st);
  }
  luaL_Buffer out;
  /* (only when Lua itself runs out of memory does this raise and lose b) */
  char *dst = luaL_buffinitsize(L, &out, b.len);
  memcpy(dst, b.p, b.len);
  free(b.p);
  luaL_pushresultsize(&out, b.len);
  return 1;
}

static const luaL_Reg functions[] = {
  {"load_npy", l_load_npy}, {"save_npy", l_save_npy}, {"png_encode", l_png_encode}, {NULL, NULL}
};

void lnL_open_io(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
}
