/*
** lua_core.c: luaopen_lunet_core, the C half of require "lunet".
*/
#include <stdlib.h>
#include <unistd.h>

#include "blas.h"
#include "lua_lunet.h"
#include "parallel.h"

/* threads([n]): lunet's worker threads (each call of OpenBLAS stays on one
** thread: lunet splits the work itself, products included). */
static int l_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= LN_MAX_THREADS, 1, "thread count must be 1..16");
    lnL_check(L, ln_parallel_init((int)n));
  }
  lua_pushinteger(L, ln_parallel_threads());
  return 1;
}

/* LUNET_THREADS, else every core (at most LN_MAX_THREADS). A value that
** is not a whole number ("two", "") counts as unset: it used to mean 1. */
static int default_threads(void) {
  const char *env = getenv("LUNET_THREADS");
  char *end = NULL;
  long n = env ? strtol(env, &end, 10) : 0;
  if (env == NULL || end == env || *end != '\0') n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > LN_MAX_THREADS ? LN_MAX_THREADS : (int)n;
}

/* blas_core(): the OpenBLAS kernels in use, e.g. "SkylakeX" */
static int l_blas_core(lua_State *L) {
  lua_pushstring(L, ln_blas_fn.get_corename());
  return 1;
}

/* Lua states that have the module open: the last one to close stops the
** workers, which must not outlive the library's code when Lua unloads it. */
static int open_states = 0;

static int l_release_workers(lua_State *L) {
  (void)L;
  if (--open_states == 0) ln_parallel_init(1);
  return 0;
}

/* A registry value whose finaliser runs when the state closes, before the
** finaliser that unloads C libraries (created earlier, so run later). */
static void guard_workers(lua_State *L) {
  lua_newuserdatauv(L, 0, 0);
  lua_newtable(L);
  lua_pushcfunction(L, l_release_workers);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, "lunet.workers");
  /* a default that the memory cannot serve (OpenBLAS's buffers for every
  ** thread) leaves one thread rather than failing require */
  if (open_states++ == 0 && ln_parallel_threads() == 1 && ln_parallel_init(default_threads()) != LN_OK)
    lnL_check(L, ln_parallel_init(1));
}

int luaopen_lunet_core(lua_State *L) {
  lnL_check(L, ln_blas_init());
  guard_workers(L);
  lua_newtable(L);
  lnL_open_tensor(L);
  lnL_open_tensorops(L);
  lnL_open_io(L);
  lnL_open_data(L);
  lnL_open_nn(L);
  lnL_open_train(L);
  lnL_open_ref(L);
  lnL_open_linalg(L);
  lnL_open_interrupt(L);
  lnL_open_proc(L);
  lnL_open_perceptron(L);
  lnL_open_profile(L);
  lua_pushcfunction(L, l_threads);
  lua_setfield(L, -2, "threads");
  lua_pushcfunction(L, l_blas_core);
  lua_setfield(L, -2, "blas_core");
  return 1;
}
