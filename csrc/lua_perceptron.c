/*
** lua_perceptron.c: core.perceptron_epoch(x, targets, w, b, eta) -> mistakes,
** one pass of the perceptron rule (perceptron.c) over the samples in order.
*/
#include "lua_lunet.h"
#include "perceptron.h"

static int l_perceptron_epoch(lua_State *L) {
  double eta = luaL_checknumber(L, 5);   /* plain values first, then the tensors */
  int64_t mistakes = 0;
  ln_tensor *x = lnL_checktensor(L, 1), *t = lnL_checktensor(L, 2);
  ln_tensor *w = lnL_checktensor(L, 3), *b = lnL_checktensor(L, 4);
  lnL_check(L, ln_perceptron_epoch(x, t, w, b, eta, &mistakes));
  lua_pushinteger(L, (lua_Integer)mistakes);
  return 1;
}

void lnL_open_perceptron(lua_State *L) {
  lua_pushcfunction(L, l_perceptron_epoch);
  lua_setfield(L, -2, "perceptron_epoch");
}
