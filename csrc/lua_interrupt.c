/*
** lua_interrupt.c: Ctrl-C during training. catch_interrupts() returns a
** guard; while one is open, SIGINT sets ln_train_stop (train.h), so the
** epoch that runs ends after its current mini-batch and the trainer
** returns what it has. Closing the last guard (guard:close(), a
** to-be-closed variable, or the collector) restores the previous handler
** and clears the flag.
*/
#include <signal.h>
#include <string.h>

#include "lua_lunet.h"
#include "train.h"

#define GUARD "lunet.InterruptGuard"

static struct sigaction previous;   /* the handler before the first guard */
static int open_guards;

static void on_sigint(int sig) {
  (void)sig;
  ln_train_stop = 1;
}

static int guard_close(lua_State *L) {
  int *open = luaL_checkudata(L, 1, GUARD);
  if (*open && --open_guards == 0) {
    sigaction(SIGINT, &previous, NULL);
    ln_train_stop = 0;
  }
  *open = 0;
  return 0;
}

/* catch_interrupts() -> guard: Ctrl-C stops training at the end of a
** mini-batch until the guard is closed. Guards nest. */
static int l_catch_interrupts(lua_State *L) {
  int *open = lua_newuserdatauv(L, sizeof *open, 0);
  *open = 0;
  luaL_setmetatable(L, GUARD);
  if (open_guards == 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ln_train_stop = 0;
    if (sigaction(SIGINT, &sa, &previous) != 0) return luaL_error(L, "catch_interrupts: cannot handle SIGINT");
  }
  open_guards++;
  *open = 1;
  return 1;
}

/* interrupted() -> whether Ctrl-C came while a guard was open. */
static int l_interrupted(lua_State *L) {
  lua_pushboolean(L, ln_train_stop != 0);
  return 1;
}

void lnL_open_interrupt(lua_State *L) {
  if (luaL_newmetatable(L, GUARD)) {
    lua_pushcfunction(L, guard_close);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, guard_close);
    lua_setfield(L, -2, "__gc");
    lua_newtable(L);   /* guard:close() */
    lua_pushcfunction(L, guard_close);
    lua_setfield(L, -2, "close");
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, l_catch_interrupts);
  lua_setfield(L, -2, "catch_interrupts");
  lua_pushcfunction(L, l_interrupted);
  lua_setfield(L, -2, "interrupted");
}
