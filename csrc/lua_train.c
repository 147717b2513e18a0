/*
** lua_train.c: epochs, evaluation and gradient norms for the Net
** userdata; the Optim userdata; the progress bar drawn from C while an
** epoch runs (Lua is not called per mini-batch).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lua_lunet.h"
#include "train.h"

#define LNL_OPTIM "lunet.Optim"



/* ---- data sets from Lua tables ------------------------------------------- */

static const char *const transform_names[] = {"identity", "shift", "rotate", NULL};

/* {x =, y =, expand = {h =, w =, transforms = {{kind =, dx =, dy =, max_degrees =, seed =}...}}}
** The transforms array lives in a userdata pushed on the stack, so it is
** freed by the collector whatever happens. */
static void check_dataset(lua_State *L, int idx, ln_dataset *d) {
  memset(d, 0, sizeof *d);
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "x");
  if (!lnL_totensor(L, -1)) luaL_error(L, "data set needs a tensor 'x' of inputs");
  d->x = *lnL_checktensor(L, -1);
  lua_getfield(L, idx, "y");
  if (!lnL_totensor(L, -1)) luaL_error(L, "data set needs a tensor 'y' of labels or targets");
  d->y = *lnL_checktensor(L, -1);
  lua_pop(L, 2);   /* the table keeps both alive for the call */
  d->labels = d->y.ndim == 1;
  d->n_base = d->n = d->x.ndim ? d->x.shape[0] : 0;
  if (lua_getfield(L, idx, "expand") == LUA_TTABLE) {
    int e = lua_gettop(L);
    d->h = (int)lnL_optintfield(L, e, "h", 0);
    d->w = (int)lnL_optintfield(L, e, "w", 0);
    lua_getfield(L, e, "transforms");
    luaL_checktype(L, -1, LUA_TTABLE);
    int n = (int)luaL_len(L, -1);
    if (n < 1 || n > 64) luaL_error(L, "expansion needs 1 to 64 transforms");
    ln_transform *tr = lua_newuserdatauv(L, (size_t)n * sizeof *tr, 0);
    for (int i = 0; i < n; i++) {
      lua_geti(L, -2, i + 1);
      int t = lua_gettop(L);
      luaL_checktype(L, t, LUA_TTABLE);
      lua_getfield(L, t, "kind");
      tr[i].kind = (ln_trkind)luaL_checkoption(L, -1, NULL, transform_names);
      lua_pop(L, 1);
      tr[i].dx = (int)lnL_optintfield(L, t, "dx", 0);
      tr[i].dy = (int)lnL_optintfield(L, t, "dy", 0);
      tr[i].max_degrees = lnL_optnumfield(L, t, "max_degrees", 0.0);
      tr[i].seed = (uint64_t)lnL_optintfield(L, t, "seed", 0);
      lua_pop(L, 1);
    }
    lua_replace(L, e);   /* keep the userdata where the expand table was */
    lua_pop(L, 1);
    d->transforms = tr;
    d->ntransforms = n;
    d->n = d->n_base * n;
    if (d->h < 1 || d->w < 1) luaL_error(L, "expansion needs the image size h and w");
  } else {
    lua_pop(L, 1);
    lua_pushnil(L);    /* keep the stack shape the same either way */
  }
}

/* ---- the optimizer ------------------------------------------------------ */

static const char *const reg_names[] = {"none", "l2", "l1", NULL};

static ln_optim *check_optim(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, LNL_OPTIM);
}

/* optimizer(net, {eta =, momentum =, nesterov =, reg =, lambda =, n =}) */
static int l_optimizer(lua_State *L) {
  ln_net *net = lnL_checknet(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  ln_optim *o = lua_newuserdatauv(L, sizeof *o, 0);
  memset(o, 0, sizeof *o);
  luaL_setmetatable(L, LNL_OPTIM);
  o->eta = lnL_optnumfield(L, 2, "eta", 0.0);
  o->momentum = lnL_optnumfield(L, 2, "momentum", 0.0);
  o->nesterov = lnL_optboolfield(L, 2, "nesterov", 0);
  lua_getfield(L, 2, "reg");
  o->reg = (ln_reg)luaL_checkoption(L, -1, "none", reg_names);
  lua_pop(L, 1);
  o->lambda = lnL_optnumfield(L, 2, "lambda", 0.0);
  o->n = lnL_optintfield(L, 2, "n", 1);
  lnL_check(L, ln_optim_init(o, net));
  return 1;
}

static int optim_gc(lua_State *L) {
  ln_optim_free(check_optim(L, 1));
  return 0;
}

static int optim_set_eta(lua_State *L) {
  ln_optim *o = check_optim(L, 1);
  double eta = luaL_checknumber(L, 2);
  if (!(eta > 0) || !isfinite(eta)) luaL_argerror(L, 2, "eta must be > 0");
  o->eta = eta;
  return 0;
}

static int optim_velocity(lua_State *L) {
  ln_optim *o = check_optim(L, 1);
  if (o->velocity.storage == NULL) return 0;
  lnL_pushview(L, &o->velocity);
  return 1;
}

/* ---- progress ------------------------------------------------------------ */

typedef struct progress {
  const char *label;
  struct timespec start;
  double drawn;        /* seconds into the epoch of the last redraw */
} progress;

static double seconds_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* A bar redrawn in place on a terminal, from C between mini-batches. */
static void draw_bar(void *ud, int64_t done, int64_t total) {
  progress *p = ud;
  double now = seconds_since(&p->start);
  char bar[31];
  if (done < total && now - p->drawn < 0.1) return;   /* ten redraws a second are plenty */
  p->drawn = now;
  int filled = (int)(30 * done / total);
  memset(bar, '#', (size_t)filled);
  memset(bar + filled, '.', (size_t)(30 - filled));
  bar[30] = '\0';
  fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld batches %.1fs ", p->label, bar, (int)(100 * done / total),
          (long long)done, (long long)total, now);
  if (done == total) fputs("\r\033[K", stderr);
  fflush(stderr);
}

/* ---- epochs and measurements ---------------------------------------------- */

/* train_epoch(net, optim, data, batch [, {progress = bool, label = s}]) -> seconds */
static int l_train_epoch(lua_State *L) {
  ln_net *net = lnL_checknet(L, 1);
  ln_optim *o = check_optim(L, 2);
  ln_dataset d;
  check_dataset(L, 3, &d);
  int64_t batch = lnL_checksize(L, 4, "mini-batch size");
  progress p = {"training", {0, 0}, 0.0};
  lnL_checkopts(L, 5, "train_epoch", (const char *const[]){"progress", "label", NULL});
  int show = lnL_optboolfield(L, 5, "progress", 1) && isatty(fileno(stderr));
  if (lua_istable(L, 5) && lua_getfield(L, 5, "label") == LUA_TSTRING) p.label = lua_tostring(L, -1);
  if (batch < 1) luaL_argerror(L, 4, "mini-batch size must be at least 1");
  clock_gettime(CLOCK_MONOTONIC, &p.start);
  lnL_check(L, ln_train_epoch(net, o, &d, batch, ln_rng_global(), show ? draw_bar : NULL, &p));
  lua_pushnumber(L, seconds_since(&p.start));
  return 1;
}

/* evaluate(net, data [, {reg =, lambda =}]) -> mean cost (with penalty), correct */
static int l_evaluate(lua_State *L) {
  ln_net *net = lnL_checknet(L, 1);
  ln_dataset d;
  check_dataset(L, 2, &d);
  ln_reg reg = LN_REG_NONE;
  lnL_checkopts(L, 3, "evaluate", (const char *const[]){"reg", "lambda", NULL});
  if (lua_istable(L, 3)) {
    lua_getfield(L, 3, "reg");
    reg = (ln_reg)luaL_checkoption(L, -1, "none", reg_names);
    lua_pop(L, 1);
  }
  double cost, lambda = lnL_optnumfield(L, 3, "lambda", 0.0);
  int64_t correct;
  lnL_check(L, ln_evaluate(net, &d, reg, lambda, &cost, &correct));
  lua_pushnumber(L, cost);
  lua_pushinteger(L, correct);
  return 2;
}

static void push_numbers(lua_State *L, const double *v, int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

/* gradient_norms(net, data) -> {|dC/db| per layer}, {|dC/dW| per layer} */
static int l_gradient_norms(lua_State *L) {
  ln_net *net = lnL_checknet(L, 1);
  ln_dataset d;
  check_dataset(L, 2, &d);
  double bias[256], weight[256];
  int n;
  lnL_check(L, ln_gradient_norms(net, &d, bias, weight, 256, &n));
  if (n > 256) n = 256;
  push_numbers(L, bias, n);
  push_numbers(L, weight, n);
  return 2;
}

/* check_data(net, data): the checks every epoch makes, made once up front */
static int l_check_data(lua_State *L) {
  ln_net *net = lnL_checknet(L, 1);
  ln_dataset d;
  check_dataset(L, 2, &d);
  lnL_check(L, ln_data_check(net, &d));
  return 0;
}

/* gather(data, {positions...}) -> (k, values per sample): virtual samples
** of a (possibly expanded) set, 1-based. */
static int l_gather(lua_State *L) {
  ln_dataset d;
  check_dataset(L, 1, &d);
  luaL_checktype(L, 2, LUA_TTABLE);
  int64_t k = (int64_t)luaL_len(L, 2), per = d.n_base ? ln_numel(&d.x) / d.n_base : 0;
  int64_t shape[2] = {k, per};
  if (!ln_is_contiguous(&d.x)) luaL_error(L, "inputs must be contiguous");
  int64_t *pos = lua_newuserdatauv(L, (size_t)(k > 0 ? k : 1) * sizeof *pos, 0);
  for (int64_t i = 0; i < k; i++) {
    lua_geti(L, 2, i + 1);
    pos[i] = lnL_checkindex(L, -1, d.n, "position");
    lua_pop(L, 1);
  }
  ln_tensor *out = lnL_pushnew(L, d.x.dtype, 2, shape);
  ln_kern_for(out->dtype)->gather(k, pos, d.n_base, d.ntransforms ? d.transforms : NULL, d.h, d.w, per,
                                  d.x.dtype, ln_data(&d.x), ln_data(out));
  return 1;
}

static const luaL_Reg functions[] = {
  {"gather", l_gather},
  {"optimizer", l_optimizer}, {"train_epoch", l_train_epoch}, {"evaluate", l_evaluate},
  {"gradient_norms", l_gradient_norms}, {"check_data", l_check_data}, {NULL, NULL}
};

static const luaL_Reg optim_methods[] = {
  {"set_eta", optim_set_eta}, {"velocity", optim_velocity}, {NULL, NULL}
};

void lnL_open_train(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
  luaL_newmetatable(L, LNL_OPTIM);
  lua_newtable(L);
  luaL_setfuncs(L, optim_methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, optim_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}
