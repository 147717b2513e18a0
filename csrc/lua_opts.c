/*
** lua_opts.c: option tables are checked, never silently dropped.
**
** Every binding function that takes an option table names the keys it
** reads; any other key (a typo, an option of another function) is an
** error that lists the valid ones. The table is walked raw with lua_next,
** so no metamethod runs while it is checked. (Its fields are then read
** with lua_getfield, which may run an __index: callers read options before
** they take tensor descriptors, as for every Lua value.)
*/
#include <string.h>

#include "lua_lunet.h"

static int is_valid(const char *key, const char *const valid[]) {
  for (int i = 0; valid[i]; i++)
    if (strcmp(key, valid[i]) == 0) return 1;
  return 0;
}

const char *lnL_pushnames(lua_State *L, const char *const names[]) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; names[i]; i++) {
    if (i > 0) luaL_addstring(&b, ", ");
    luaL_addstring(&b, names[i]);
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

int lnL_nameindex(const char *name, const char *const names[]) {
  for (int i = 0; name && names[i]; i++)
    if (strcmp(name, names[i]) == 0) return i;
  return -1;
}

/* Raises "<fname>: <what> (valid: a, b, c)". */
static void opts_error(lua_State *L, const char *fname, const char *what, const char *const valid[]) {
  luaL_error(L, "%s: %s (valid: %s)", fname, what, lnL_pushnames(L, valid));
}

int lnL_checkopts_pos(lua_State *L, int idx, const char *fname, const char *const valid[], int npos) {
  if (idx == 0 || lua_isnoneornil(L, idx)) return 0;
  if (!lua_istable(L, idx))
    luaL_error(L, "%s: options must be a table, got %s", fname, luaL_typename(L, idx));
  idx = lua_absindex(L, idx);
  int count = 0;
  lua_Integer last = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);   /* the value; only the key matters */
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *key = lua_tostring(L, -1);
      if (!is_valid(key, valid))
        opts_error(L, fname, lua_pushfstring(L, "unknown option '%s'", key), valid);
    } else if (lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= npos) {
      count++;
      if (lua_tointeger(L, -1) > last) last = lua_tointeger(L, -1);
    } else if (npos > 0 && lua_isinteger(L, -1)) {
      opts_error(L, fname, lua_pushfstring(L, "unexpected positional option [%I] (at most %d)", lua_tointeger(L, -1),
                                           npos), valid);
    } else {
      opts_error(L, fname, lua_pushfstring(L, "option keys must be names, got a %s key", luaL_typename(L, -1)),
                 valid);
    }
  }
  if (count != last) luaL_error(L, "%s: positional options must start at 1 without gaps", fname);
  return count;
}

void lnL_checkopts(lua_State *L, int idx, const char *fname, const char *const valid[]) {
  lnL_checkopts_pos(L, idx, fname, valid, 0);
}
