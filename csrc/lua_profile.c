/*
** lua_profile.c: the profiler's switch and table (profile.h).
*/
#include "lua_lunet.h"
#include "profile.h"

/* profile(on [, cpu]): turns the profiler on or off and clears its table;
** cpu: time the calling thread's CPU time instead of the wall clock */
static int l_profile(lua_State *L) {
  luaL_checktype(L, 1, LUA_TBOOLEAN);
  int cpu = lua_toboolean(L, 2);
  ln_prof_enable(lua_toboolean(L, 1), cpu);
  return 0;
}

/* profile_enabled() -> boolean */
static int l_profile_enabled(lua_State *L) {
  lua_pushboolean(L, ln_prof_on);
  return 1;
}

/* profile_table() -> list of {layer = i (0: the network), kind = s?, phase = s, seconds = x, calls = n},
** one entry per (layer, phase) that ran, layers 1-based */
static int l_profile_table(lua_State *L) {
  int n = ln_prof_nlayers(), k = 0;
  lua_newtable(L);
  for (int layer = -1; layer < n; layer++)
    for (int ph = 0; ph < LN_PH_NPHASES; ph++) {
      int64_t calls;
      double s = ln_prof_seconds(layer, (ln_phase)ph, &calls);
      const char *kind = ln_prof_layer_name(layer);
      if (calls == 0) continue;
      lua_createtable(L, 0, 5);
      lua_pushinteger(L, layer + 1);
      lua_setfield(L, -2, "layer");
      if (kind) {
        lua_pushstring(L, kind);
        lua_setfield(L, -2, "kind");
      }
      lua_pushstring(L, ln_prof_phase_name((ln_phase)ph));
      lua_setfield(L, -2, "phase");
      lua_pushnumber(L, s);
      lua_setfield(L, -2, "seconds");
      lua_pushinteger(L, calls);
      lua_setfield(L, -2, "calls");
      lua_rawseti(L, -2, ++k);
    }
  return 1;
}

/* clock() -> seconds on a monotonic wall clock (benchmarks of threaded work,
** where os.clock's CPU time adds the threads up) */
static int l_clock(lua_State *L) {
  lua_pushnumber(L, ln_wall_now());
  return 1;
}

void lnL_open_profile(lua_State *L) {
  static const luaL_Reg fns[] = {
    {"clock", l_clock}, {"profile", l_profile}, {"profile_enabled", l_profile_enabled}, {"profile_table", l_profile_table},
    {NULL, NULL},
  };
  luaL_setfuncs(L, fns, 0);
}
