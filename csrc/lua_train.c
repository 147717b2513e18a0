/*
** lua_train.c: epochs, evaluation and gradient norms for the Net
** userdata; the Optim userdata; checkpoints; the progress bar drawn from C
** while an epoch runs (Lua is not called per mini-batch).
**
** Argument order in every function here: first every Lua value that can
** run Lua code while it is read (option fields, a data set's expansion,
** lists of positions, tables with metamethods) becomes a plain C value or
** stays on the stack; then results are allocated; only then are the
** network, the optimizer and the tensors' descriptors taken from the
** stack, checked, and handed to the core. Nothing that may run Lua (or
** the collector's finalisers) comes between that last step and the core
** call, so a tensor closed by a metamethod is an error, not freed memory.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "hessian.h"
#include "lua_lunet.h"
#include "train.h"

#define LNL_OPTIM "lunet.Optim"

/* ---- data sets from Lua tables ------------------------------------------- */

static const char *const transform_names[] = {"identity", "shift", "rotate", "skew", "elastic", NULL};

/* A data set read in two phases: read_dataset takes every plain value and
** leaves x and y on the stack; dataset_tensors copies their descriptors
** just before the core call. */
typedef struct lua_dataset {
  ln_dataset d;
  int xslot, yslot;
} lua_dataset;

static int int_field(lua_State *L, int idx, const char *key) {
  int64_t v = lnL_optintfield(L, idx, key, 0);
  if (!ln_fits_int(v)) luaL_error(L, "expansion field '%s' is out of range", key);
  return (int)v;
}

/* expand = {h =, w =, transforms = {{kind =, dx =, dy =, max_degrees =, seed =}...}}
** at stack slot e. The transforms array lives in a userdata left on the
** stack, so the collector frees it whatever happens. */
static void read_expand(lua_State *L, int e, ln_dataset *d) {
  d->h = int_field(L, e, "h");
  d->w = int_field(L, e, "w");
  lua_getfield(L, e, "transforms");
  luaL_checktype(L, -1, LUA_TTABLE);
  lua_Integer n = luaL_len(L, -1);
  if (n < 1 || n > 64) luaL_error(L, "expansion needs 1 to 64 transforms");
  ln_transform *tr = lua_newuserdatauv(L, (size_t)n * sizeof *tr, 0);
  for (int i = 0; i < (int)n; i++) {
    lua_geti(L, -2, i + 1);
    int t = lua_gettop(L);
    luaL_checktype(L, t, LUA_TTABLE);
    tr[i].kind = (ln_trkind)lnL_optoptionfield(L, t, "kind", NULL, transform_names);
    tr[i].dx = int_field(L, t, "dx");
    tr[i].dy = int_field(L, t, "dy");
    tr[i].max_degrees = lnL_optnumfield(L, t, "max_degrees", 0.0);
    tr[i].seed = (uint64_t)lnL_optintfield(L, t, "seed", 0);
    tr[i].max_skew = lnL_optnumfield(L, t, "max_skew", 0.0);
    tr[i].alpha = lnL_optnumfield(L, t, "alpha", 0.0);
    tr[i].sigma = lnL_optnumfield(L, t, "sigma", 0.0);
    lua_pop(L, 1);
  }
  lua_remove(L, -2);   /* the transforms table; the userdata stays */
  d->transforms = tr;
  d->ntransforms = (int)n;
  if (d->h < 1 || d->w < 1) luaL_error(L, "expansion needs the image size h and w");
}

static void read_dataset(lua_State *L, int idx, lua_dataset *ld) {
  memset(ld, 0, sizeof *ld);
  idx = lua_absindex(L, idx);
  luaL_checktype(L, idx, LUA_TTABLE);
  if (lua_getfield(L, idx, "expand") == LUA_TTABLE) read_expand(L, lua_gettop(L), &ld->d);
  else if (!lua_isnil(L, -1)) luaL_error(L, "data set field 'expand' must be a table");
  lua_getfield(L, idx, "x");
  ld->xslot = lua_gettop(L);
  lua_getfield(L, idx, "y");
  ld->yslot = lua_gettop(L);
}

/* The descriptors of x and y, taken now: call with nothing that can run
** Lua between this and the core call. */
static ln_dataset *dataset_tensors(lua_State *L, lua_dataset *ld) {
  ln_dataset *d = &ld->d;
  ln_tensor *x = lnL_totensor(L, ld->xslot), *y = lnL_totensor(L, ld->yslot);
  if (!x) luaL_error(L, "data set needs a tensor 'x' of inputs");
  if (!y) luaL_error(L, "data set needs a tensor 'y' of labels or targets");
  /* named here: checktensor would blame the stack slot ("bad argument #6") */
  if (x->storage == NULL || y->storage == NULL)
    luaL_error(L, "the data set's %s: tensor has been closed", x->storage == NULL ? "x" : "y");
  d->x = *x;
  d->y = *y;
  d->labels = d->y.ndim == 1;
  d->n_base = d->n = d->x.ndim ? d->x.shape[0] : 0;
  if (d->ntransforms > 0 && !ln_mul_i64(d->n_base, d->ntransforms, &d->n))
    luaL_error(L, "expanded data set is too large");
  return d;
}

/* ---- the optimizer ------------------------------------------------------ */

static const char *const reg_names[] = {"none", "l2", "l1", NULL};

static ln_optim *check_optim(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, LNL_OPTIM);
}

/* A value's class (__name: "lunet.Net", "Network") or its type. */
static const char *type_name(lua_State *L, int idx) {
  if (luaL_getmetafield(L, idx, "__name") == LUA_TSTRING) return lua_tostring(L, -1);
  return luaL_typename(L, idx);
}

/* The optimizer a method was called on. opt.step(net) passes net where the
** optimizer goes: say so, rather than Lua's "bad argument #1 (lunet.Optim
** expected, got lunet.Net)" or, for set_eta(0.1), a complaint about #2. */
static ln_optim *optim_self(lua_State *L, const char *method) {
  ln_optim *o = luaL_testudata(L, 1, LNL_OPTIM);
  if (o) return o;
  luaL_error(L, "%s: call it with a colon, opt:%s(...), not opt.%s(...): it got %s%s where the optimizer goes", method,
             method, method, lua_isnone(L, 1) ? "" : "a ", lua_isnone(L, 1) ? "nothing" : type_name(L, 1));
  return NULL;
}

static int is_hparam(const ln_hparam *hp, const char *key) {
  for (; hp->name; hp++)
    if (strcmp(hp->name, key) == 0) return 1;
  return 0;
}

/* Every key of the option table (raw, so no metamethod runs) must be one
** the kind reads. */
static void check_optim_keys(lua_State *L, int idx, const ln_hparam *hp) {
  static const char *const common[] = {"kind", "reg", "lambda", "n", NULL};
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    int ok = key && is_hparam(hp, key);
    for (int i = 0; key && !ok && common[i]; i++) ok = strcmp(common[i], key) == 0;
    if (!key) luaL_error(L, "optimizer: options are named (a %s key was given)", luaL_typename(L, -2));
    if (!ok) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      luaL_addstring(&b, "kind, reg, lambda, n");
      for (; hp->name; hp++) {
        luaL_addstring(&b, ", ");
        luaL_addstring(&b, hp->name);
      }
      luaL_pushresult(&b);
      luaL_error(L, "optimizer: unknown option '%s' (valid: %s)", key, lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
}

/* Reads the hyperparameters of the kind already in o->h from table idx. */
static void read_hparams(lua_State *L, int idx, ln_optim *o) {
  for (const ln_hparam *p = ln_optim_hparams(o->h.kind); p->name; p++) {
    char *at = (char *)&o->h + p->offset;
    if (p->boolean) *(int *)at = lnL_optboolfield(L, idx, p->name, *(int *)at);
    else *(double *)at = lnL_optnumfield(L, idx, p->name, *(double *)at);
  }
}

/* The kind named in table idx ("sgd" when absent); the error lists the
** kinds (luaL_checkoption's would blame argument #-1). */
static ln_optkind read_kind(lua_State *L, int idx) {
  const char *name = lua_getfield(L, idx, "kind") == LUA_TNIL ? "sgd" : lua_tostring(L, -1);
  int i = lnL_nameindex(name, ln_optim_names);
  if (i >= 0) {
    lua_pop(L, 1);
    return (ln_optkind)i;
  }
  if (!name) name = luaL_typename(L, -1);
  return (ln_optkind)luaL_error(L, "optimizer: kind: invalid option '%s' (valid: %s)", name,
                                lnL_pushnames(L, ln_optim_names));
}

/* optimizer(net, {kind = "sgd", eta =, momentum =, nesterov =, reg =, lambda =, n =}),
** or another kind with its hyperparameters (optim.c's table: "adam" takes
** eta, beta1, beta2, eps ...) 
** The optimizer keeps its network in its user value (so the network lives
** as long as it) and is refused by the core with any other network. */
static int l_optimizer(lua_State *L) {
  ln_optim tmp;
  luaL_checktype(L, 2, LUA_TTABLE);
  ln_optkind kind = read_kind(L, 2);
  check_optim_keys(L, 2, ln_optim_hparams(kind));
  ln_optim_defaults(&tmp, kind);
  read_hparams(L, 2, &tmp);
  tmp.reg = (ln_reg)lnL_optoptionfield(L, 2, "reg", "none", reg_names);
  tmp.lambda = lnL_optnumfield(L, 2, "lambda", 0.0);
  tmp.n = lnL_optintfield(L, 2, "n", 1);
  ln_optim *o = lua_newuserdatauv(L, sizeof *o, 1);
  *o = tmp;
  luaL_setmetatable(L, LNL_OPTIM);
  lnL_checknet(L, 1);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  lnL_check(L, ln_optim_init(o, lnL_checknet(L, 1)));
  return 1;
}

/* "Optimizer(adam, eta 0.01, 3 steps)": at the prompt an optimizer showed
** as "lunet.Optim: 0x55...", a name that help() does not know. */
static int optim_tostring(lua_State *L) {
  ln_optim *o = check_optim(L, 1);
  lua_pushfstring(L, "Optimizer(%s, eta %f, %I step%s)", ln_optim_names[o->h.kind], (lua_Number)o->h.eta,
                  (lua_Integer)o->h.t, o->h.t == 1 ? "" : "s");
  return 1;
}

static int optim_gc(lua_State *L) {
  ln_optim_free(check_optim(L, 1));
  return 0;
}

/* A hyperparameter's value: a number, not a string that looks like one
** (luaL_checknumber took "0.5" where the option tables refuse it). */
static double check_value(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TNUMBER)
    luaL_argerror(L, idx, lua_pushfstring(L, "a hyperparameter is a number, got %s", luaL_typename(L, idx)));
  return lua_tonumber(L, idx);
}

/* The name of a hyperparameter: a string (1 is no name, though it converts to "1"). */
static const char *check_name(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TSTRING)
    luaL_argerror(L, idx, lua_pushfstring(L, "a hyperparameter's name is a string, got %s", luaL_typename(L, idx)));
  return lua_tostring(L, idx);
}

static int optim_set_eta(lua_State *L) {
  ln_optim *o = optim_self(L, "set_eta");
  double eta = check_value(L, 2);
  if (!(eta > 0) || !isfinite(eta)) luaL_argerror(L, 2, "eta must be a finite number > 0");
  lnL_check(L, ln_optim_set(o, "eta", eta));
  return 0;
}

/* set(name, value): a scheduled hyperparameter (eta, momentum) between steps */
static int optim_set(lua_State *L) {
  ln_optim *o = optim_self(L, "set");
  const char *name = check_name(L, 2);
  double v = check_value(L, 3);
  lnL_check(L, ln_optim_set(o, name, v));
  return 0;
}

/* get(name) -> the hyperparameter's value (booleans as booleans) */
static int optim_get(lua_State *L) {
  ln_optim *o = optim_self(L, "get");
  const char *name = check_name(L, 2);
  for (const ln_hparam *p = ln_optim_hparams(o->h.kind); p->name; p++)
    if (strcmp(p->name, name) == 0) {
      const char *at = (const char *)&o->h + p->offset;
      if (p->boolean) lua_pushboolean(L, *(const int *)at);
      else lua_pushnumber(L, *(const double *)at);
      return 1;
    }
  return luaL_error(L, "the %s optimizer has no hyperparameter '%s'", ln_optim_names[o->h.kind], name);
}

static int optim_eta(lua_State *L) {
  lua_pushnumber(L, optim_self(L, "eta")->h.eta);
  return 1;
}

static int optim_kind(lua_State *L) {
  lua_pushstring(L, ln_optim_names[optim_self(L, "kind")->h.kind]);
  return 1;
}

static int optim_steps(lua_State *L) {
  lua_pushinteger(L, optim_self(L, "steps")->h.t);
  return 1;
}

/* state([name]): a view of a state array (the first when no name), or nil */
static int optim_state(lua_State *L) {
  ln_optim *o = optim_self(L, "state");
  const char *name = luaL_optstring(L, 2, NULL);
  for (int i = 0; i < o->nstate; i++)
    if (name == NULL || strcmp(name, ln_optim_state_name(o, i)) == 0) {
      lnL_pushview(L, &o->state[i]);
      return 1;
    }
  return 0;
}

/* step(net): one step from the gradients now in the network's gradient
** block (after forward and backward, for loops written in Lua). */
static int optim_step(lua_State *L) {
  ln_optim *o = optim_self(L, "step");
  if (lua_istable(L, 2))   /* the model itself, not model:net() */
    luaL_error(L, "step: takes the model's network, opt:step(model:net()), got a %s", type_name(L, 2));
  ln_net *net = lnL_checknet(L, 2);
  /* the state may have been written through opt:state() since the last step
  ** (the core's step does not look: train_epoch checks once per epoch) */
  lnL_check(L, ln_optim_check(o, net));
  lnL_check(L, ln_optim_check_state(o));
  lnL_check(L, ln_optim_step(o, net));
  return 0;
}

/* check(net): an error unless the optimizer was made for net */
static int optim_check(lua_State *L) {
  ln_optim *o = optim_self(L, "check");
  lnL_check(L, ln_optim_check(o, lnL_checknet(L, 2)));
  return 0;
}

static int optim_velocity(lua_State *L) {
  ln_optim *o = optim_self(L, "velocity");
  lua_settop(L, 1);
  if (o->h.kind != LN_OPTIM_SGD) return 0;
  return optim_state(L);
}

/* ---- progress ------------------------------------------------------------ */

typedef struct progress {
  const char *label;
  struct timespec start;
  double drawn;        /* seconds into the epoch of the last redraw */
  int64_t batch;       /* samples per mini-batch, for the rate */
  double run_before;   /* seconds the run spent in earlier epochs (< 0: no run line) */
  int64_t epochs_left; /* epochs of the run after this one */
} progress;

static double seconds_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* 42.0s, 3m05s, 2h10m */
static void duration(char *buf, size_t n, double s) {
  if (!(s >= 0) || s > 1e7) snprintf(buf, n, "?");
  else if (s < 60) snprintf(buf, n, "%.1fs", s);
  else if (s < 3600) snprintf(buf, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
  else snprintf(buf, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
}

/* 950, 41k, 1.2M: a rate in at most four characters */
static void rate(char *buf, size_t n, double r) {
  if (!(r >= 0) || r > 9e12) snprintf(buf, n, "?");
  else if (r < 1e4) snprintf(buf, n, "%.0f", r);
  else if (r < 1e6) snprintf(buf, n, "%.0fk", r / 1e3);
  else snprintf(buf, n, "%.1fM", r / 1e6);
}

/* A bar redrawn in place on a terminal, from C between mini-batches: the
** samples per second, the time left in this epoch and, in a run of several
** epochs, in the whole run (the later epochs taken to last as long as this
** one). Fields have fixed widths, so a redraw covers the last one; the line
** stays under 80 columns for runs of up to 999 epochs. */
static void draw_bar(void *ud, int64_t done, int64_t total) {
  progress *p = ud;
  double now = seconds_since(&p->start);
  char bar[21], left[16], run_left[16], speed[16], run[32] = "";
  if (done < total && now - p->drawn < 0.1) return;   /* ten redraws a second are plenty */
  p->drawn = now;
  int filled = (int)(20 * done / total);
  memset(bar, '#', (size_t)filled);
  memset(bar + filled, '.', (size_t)(20 - filled));
  bar[20] = '\0';
  double epoch_time = now * (double)total / (double)done;
  /* at 100% now * total / done can round below now: the ETA is 0, not "?" */
  double rest = done >= total || epoch_time < now ? 0.0 : epoch_time - now;
  duration(left, sizeof left, rest);
  rate(speed, sizeof speed, (double)(done * p->batch) / (now > 0 ? now : 1e-9));
  if (p->run_before >= 0 && p->epochs_left > 0) {
    duration(run_left, sizeof run_left, rest + (double)p->epochs_left * epoch_time);
    snprintf(run, sizeof run, ", run %-6s", run_left);
  }
  fprintf(stderr, "\r%s [%s] %3d%% %4s samples/s, ETA %-6s%s", p->label, bar, (int)(100 * done / total), speed,
          left, run);
  if (done == total) fputs("\r\033[K", stderr);
  fflush(stderr);
}

/* ---- epochs and measurements ---------------------------------------------- */

/* The epoch in pieces of `every` mini-batches, calling monitor(done,
** total, seconds) from here (never from the core) after each piece;
** monitor returning false ends the epoch there. The permutation lives in a
** userdata, so an error raised by monitor frees it. Every piece takes the
** network, optimizer and tensors again: monitor may have run any code.
** Returns the seconds spent training (monitor's time left out) and whether
** monitor stopped the epoch. */
static int train_in_pieces(lua_State *L, int64_t batch, int64_t every, int mon, progress *p, int show) {
  lua_dataset ld;
  read_dataset(L, 3, &ld);
  int64_t n = dataset_tensors(L, &ld)->n, nb, from, to;
  int64_t *perm = lua_newuserdatauv(L, (size_t)n * sizeof *perm, 0);
  double outside = 0;
  int stopped = 0;
  ln_dataset *d = dataset_tensors(L, &ld);
  if (d->n != n) luaL_error(L, "data set changed while the epoch began");
  lnL_check(L, ln_train_shuffle(lnL_checknet(L, 1), check_optim(L, 2), d, batch, ln_rng_global(), perm));
  nb = ln_train_nbatches(n, batch);
  for (from = 0; from < nb && !stopped && !ln_train_stop; from = to) {   /* Ctrl-C: train.h */
    to = nb - from > every ? from + every : nb;
    ln_net *net = lnL_checknet(L, 1);
    ln_optim *o = check_optim(L, 2);
    d = dataset_tensors(L, &ld);
    if (d->n != n) luaL_error(L, "data set changed during the epoch");
    lnL_check(L, ln_train_batches(net, o, d, batch, perm, from, to, ln_rng_global(), show ? draw_bar : NULL, p));
    double t0 = seconds_since(&p->start);
    lua_pushvalue(L, mon);
    lua_pushinteger(L, (lua_Integer)to);
    lua_pushinteger(L, (lua_Integer)nb);
    lua_pushnumber(L, t0 - outside);
    lua_call(L, 3, 1);
    stopped = lua_toboolean(L, -1) == 0 && !lua_isnil(L, -1);
    lua_pop(L, 1);
    outside += seconds_since(&p->start) - t0;
  }
  if (show && ln_train_stop) fputc('\n', stderr);   /* keep the bar where Ctrl-C stopped it */
  lnL_check(L, ln_train_diverged(lnL_checknet(L, 1)));
  lua_pushnumber(L, seconds_since(&p->start) - outside);
  lua_pushboolean(L, stopped);
  return 2;
}

/* train_epoch(net, optim, data, batch [, {progress = bool, label = s,
** run_seconds = s, epochs_left = n, every = k, monitor = f}]) -> seconds,
** stopped. run_seconds (the time of the run's earlier epochs) and
** epochs_left give the bar the run's ETA. With every and monitor,
** f(batches done, batches in the epoch, seconds) runs after every k
** mini-batches (see train_in_pieces); the network is bit for bit the one
** the epoch gives in one piece. */
static int l_train_epoch(lua_State *L) {
  int64_t batch = lnL_checksize(L, 4, "mini-batch size");
  progress p = {"training", {0, 0}, 0.0, batch, -1.0, 0};
  lnL_checkopts(L, 5, "train_epoch",
                (const char *const[]){"progress", "label", "run_seconds", "epochs_left", "every", "monitor", NULL});
  int show = lnL_optboolfield(L, 5, "progress", 1) && isatty(fileno(stderr));
  p.run_before = lnL_optnumfield(L, 5, "run_seconds", -1.0);
  double left = lnL_optnumfield(L, 5, "epochs_left", 0.0);
  if (!(left >= 0 && left < 0x1p40)) luaL_error(L, "train_epoch: epochs_left must be a count >= 0");
  p.epochs_left = (int64_t)left;
  if (lua_istable(L, 5) && lua_getfield(L, 5, "label") == LUA_TSTRING) p.label = lua_tostring(L, -1);
  int64_t every = lnL_optintfield(L, 5, "every", 0);
  int mon = 0;
  if (batch < 1) luaL_argerror(L, 4, "mini-batch size must be at least 1");
  if (every < 0) luaL_error(L, "train_epoch: every must be a positive number of mini-batches");
  if (every > 0) {
    if (lua_getfield(L, 5, "monitor") != LUA_TFUNCTION) luaL_error(L, "train_epoch: every needs a monitor function");
    mon = lua_gettop(L);
  }
  clock_gettime(CLOCK_MONOTONIC, &p.start);
  if (every > 0) return train_in_pieces(L, batch, every, mon, &p, show);
  lua_dataset ld;
  read_dataset(L, 3, &ld);
  ln_net *net = lnL_checknet(L, 1);
  ln_optim *o = check_optim(L, 2);
  ln_dataset *d = dataset_tensors(L, &ld);
  clock_gettime(CLOCK_MONOTONIC, &p.start);
  lnL_check(L, ln_train_epoch(net, o, d, batch, ln_rng_global(), show ? draw_bar : NULL, &p));
  if (show && ln_train_stop) fputc('\n', stderr);   /* keep the bar where Ctrl-C stopped it */
  lua_pushnumber(L, seconds_since(&p.start));
  lua_pushboolean(L, 0);
  return 2;
}

/* evaluate(net, data [, {reg =, lambda =, cost = true}]) -> mean cost (with penalty), correct;
** with cost = false the cost is not computed (nil, correct) */
static int l_evaluate(lua_State *L) {
  ln_reg reg = LN_REG_NONE;
  lnL_checkopts(L, 3, "evaluate", (const char *const[]){"reg", "lambda", "cost", NULL});
  int want_cost = lnL_optboolfield(L, 3, "cost", 1);
  reg = (ln_reg)lnL_optoptionfield(L, 3, "reg", "none", reg_names);
  double cost, lambda = lnL_optnumfield(L, 3, "lambda", 0.0);
  if (!(lambda >= 0) || !isfinite(lambda)) luaL_error(L, "lambda must be a finite number >= 0");
  int64_t correct;
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  ln_net *net = lnL_checknet(L, 1);
  lnL_check(L, ln_evaluate(net, dataset_tensors(L, &ld), reg, lambda, want_cost ? &cost : NULL, &correct));
  if (want_cost) lua_pushnumber(L, cost);
  else lua_pushnil(L);
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
  double bias[256], weight[256];
  int n;
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  ln_net *net = lnL_checknet(L, 1);
  lnL_check(L, ln_gradient_norms(net, dataset_tensors(L, &ld), bias, weight, 256, &n));
  if (n > 256) n = 256;
  push_numbers(L, bias, n);
  push_numbers(L, weight, n);
  return 2;
}

/* saturation(net, data [, eps = 0.01]) -> {fraction per activation layer},
** {its layer number, 1-based}: see ln_saturation */
static int l_saturation(lua_State *L) {
  double frac[256], eps = luaL_optnumber(L, 3, 0.01);
  int layer[256], n;
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  ln_net *net = lnL_checknet(L, 1);
  lnL_check(L, ln_saturation(net, dataset_tensors(L, &ld), eps, frac, layer, 256, &n));
  if (n > 256) n = 256;
  push_numbers(L, frac, n);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushinteger(L, layer[i] + 1);
    lua_rawseti(L, -2, i + 1);
  }
  return 2;
}

/* objective(net, data, w [, {reg =, lambda =}]) -> cost, gradient: the
** full-batch cost at parameters w (left in the network) and its gradient,
** a new tensor of w's dtype. w is fetched once for its dtype before the
** gradient is allocated, and again after. */
static int l_objective(lua_State *L) {
  ln_reg reg = LN_REG_NONE;
  lnL_checkopts(L, 4, "objective", (const char *const[]){"reg", "lambda", NULL});
  reg = (ln_reg)lnL_optoptionfield(L, 4, "reg", "none", reg_names);
  double cost, lambda = lnL_optnumfield(L, 4, "lambda", 0.0);
  if (!(lambda >= 0) || !isfinite(lambda)) luaL_error(L, "lambda must be a finite number >= 0");
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  int64_t n = ln_numel(&lnL_checknet(L, 1)->params);
  ln_tensor *grad = lnL_pushnew(L, lnL_checktensor(L, 3)->dtype, 1, &n);
  ln_net *net = lnL_checknet(L, 1);
  ln_dataset *d = dataset_tensors(L, &ld);
  lnL_check(L, ln_objective_at(net, d, reg, lambda, lnL_checktensor(L, 3), grad, &cost));
  lua_pushnumber(L, cost);
  lua_insert(L, -2);
  return 2;
}

/* hvp(net, data, v [, {reg =, lambda =}]) -> Hv: the full-batch
** objective's Hessian at the network's parameters times v (hessian.h), a
** new tensor of the network's dtype. */
static int l_hvp(lua_State *L) {
  ln_reg reg = LN_REG_NONE;
  lnL_checkopts(L, 4, "hvp", (const char *const[]){"reg", "lambda", NULL});
  reg = (ln_reg)lnL_optoptionfield(L, 4, "reg", "none", reg_names);
  double lambda = lnL_optnumfield(L, 4, "lambda", 0.0);
  if (!(lambda >= 0) || !isfinite(lambda)) luaL_error(L, "lambda must be a finite number >= 0");
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  ln_net *net = lnL_checknet(L, 1);
  int64_t n = ln_numel(&net->params);
  ln_tensor *hv = lnL_pushnew(L, net->dtype, 1, &n);
  net = lnL_checknet(L, 1);
  ln_dataset *d = dataset_tensors(L, &ld);
  lnL_check(L, ln_hvp(net, d, reg, lambda, lnL_checktensor(L, 3), hv));
  return 1;
}

/* check_data(net, data): the checks every epoch makes, made once up front */
static int l_check_data(lua_State *L) {
  lua_dataset ld;
  read_dataset(L, 2, &ld);
  ln_net *net = lnL_checknet(L, 1);
  lnL_check(L, ln_data_check(net, dataset_tensors(L, &ld)));
  return 0;
}

/* gather(data, {positions...}) -> (k, values per sample): virtual samples
** of a (possibly expanded) set, 1-based. Positions are read first (their
** table may run Lua), checked against the set's size once its tensors are
** taken; the result is allocated before the descriptors are taken for
** good, since an allocation can run finalisers. */
static int l_gather(lua_State *L) {
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_Integer len = luaL_len(L, 2);
  if (len < 0 || len > (lua_Integer)(SIZE_MAX / 2 / sizeof(int64_t))) luaL_error(L, "too many positions");
  int64_t k = (int64_t)len;
  int64_t *pos = lua_newuserdatauv(L, (size_t)(k > 0 ? k : 1) * sizeof *pos, 0);
  for (int64_t i = 0; i < k; i++) {
    int isint;
    lua_geti(L, 2, i + 1);
    pos[i] = (int64_t)lua_tointegerx(L, -1, &isint);
    if (!isint) luaL_error(L, "position %d must be an integer", (int)(i + 1));
    lua_pop(L, 1);
  }
  lua_dataset ld;
  read_dataset(L, 1, &ld);
  ln_dataset *d = dataset_tensors(L, &ld);
  lnL_check(L, ln_dataset_check(d));
  int64_t per = ln_numel(&d->x) / d->n_base, shape[2] = {k, per};
  ln_dtype dt = d->x.dtype;
  for (int64_t i = 0; i < k; i++) {
    if (pos[i] < 1 || pos[i] > d->n)
      luaL_error(L, "position %I out of range 1..%I", (lua_Integer)pos[i], (lua_Integer)d->n);
    pos[i]--;
  }
  ln_tensor *out = lnL_pushnew(L, dt, 2, shape);
  d = dataset_tensors(L, &ld);            /* again: the allocation may have run Lua */
  lnL_check(L, ln_dataset_check(d));
  if (ln_numel(&d->x) / d->n_base != per || d->x.dtype != dt)
    luaL_error(L, "data set changed while its positions were read");
  for (int64_t i = 0; i < k; i++)
    if (pos[i] >= d->n) luaL_error(L, "data set changed while its positions were read");
  ln_kern_for(out->dtype)->gather(k, pos, d->n_base, d->ntransforms ? d->transforms : NULL, d->h, d->w, per,
                                  d->x.dtype, ln_data(&d->x), ln_data(out));
  return 1;
}

/* ---- checkpoints ------------------------------------------------------------ */

/* checkpoint_save(path, net, optim, text): parameters, optimizer state and
** the global random stream, with the caller's text. */
static int l_checkpoint_save(lua_State *L) {
  size_t len;
  const char *path = lnL_checkpath(L, 1);
  const char *text = luaL_checklstring(L, 4, &len);
  ln_net *net = lnL_checknet(L, 2);
  lnL_check(L, ln_checkpoint_save(path, net, check_optim(L, 3), ln_rng_global(), text, len));
  return 0;
}

static int cstring_gc(lua_State *L) {
  char **text = luaL_checkudata(L, 1, "lunet.CString");
  free(*text);
  *text = NULL;
  return 0;
}

/* checkpoint_load(path, net, optim) -> text: restores all of it, or nothing */
static int l_checkpoint_load(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  char **text = lua_newuserdatauv(L, sizeof *text, 0);   /* owns the text: freed by the collector */
  size_t len;
  *text = NULL;
  luaL_setmetatable(L, "lunet.CString");
  ln_net *net = lnL_checknet(L, 2);
  ln_optim *o = check_optim(L, 3);
  lnL_check(L, ln_checkpoint_load(path, net, o, ln_rng_global(), text, &len));
  lua_pushlstring(L, *text, len);
  return 1;
}

/* checkpoint_text(path) -> text: a look inside, after checking the file */
static int l_checkpoint_text(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  char **text = lua_newuserdatauv(L, sizeof *text, 0);
  size_t len;
  *text = NULL;
  luaL_setmetatable(L, "lunet.CString");
  lnL_check(L, ln_checkpoint_text(path, text, &len));
  lua_pushlstring(L, *text, len);
  return 1;
}

static const luaL_Reg functions[] = {
  {"gather", l_gather},
  {"optimizer", l_optimizer}, {"train_epoch", l_train_epoch}, {"evaluate", l_evaluate},
  {"gradient_norms", l_gradient_norms}, {"saturation", l_saturation}, {"check_data", l_check_data}, {"objective", l_objective}, {"hvp", l_hvp},
  {"checkpoint_save", l_checkpoint_save}, {"checkpoint_load", l_checkpoint_load},
  {"checkpoint_text", l_checkpoint_text}, {NULL, NULL}
};

static const luaL_Reg optim_methods[] = {
  {"set_eta", optim_set_eta}, {"eta", optim_eta}, {"set", optim_set}, {"get", optim_get}, {"kind", optim_kind}, {"steps", optim_steps},
  {"state", optim_state}, {"velocity", optim_velocity}, {"step", optim_step}, {"check", optim_check}, {NULL, NULL}
};

static void push_names(lua_State *L, const char *const *names) {
  lua_newtable(L);
  for (int i = 0; names[i]; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

void lnL_open_train(lua_State *L) {
  luaL_setfuncs(L, functions, 0);
  push_names(L, ln_optim_names);
  lua_setfield(L, -2, "optimizer_kinds");
  luaL_newmetatable(L, "lunet.CString");
  lua_pushcfunction(L, cstring_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newmetatable(L, LNL_OPTIM);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "optimizer_metatable");   /* train.sgd tells an optimizer object by it */
  lua_newtable(L);
  luaL_setfuncs(L, optim_methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, optim_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, optim_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}
