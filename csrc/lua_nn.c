/*
** lua_nn.c: the Net userdata (a network of the core) and its Optim.
** Layer specs come from Lua as tables; the Lua side (lunet/nn/) builds
** them and gives the public API.
**
** Order in every function: Lua values first (options may run Lua), then
** results are allocated (an allocation may run finalisers, which may run
** Lua), and only then are the network and tensors taken from the stack
** and used; nothing that can run Lua comes between.
*/
#include <string.h>

#include "gradcheck.h"
#include "lua_lunet.h"
#include "model.h"
#include "net.h"
#include "ops.h"
#include "optim.h"
#include "train.h"

#define LNL_NET "lunet.Net"

typedef struct lnet {
  ln_net *net;
} lnet;

static ln_net *check_net(lua_State *L, int idx) {
  lnet *n = luaL_checkudata(L, idx, LNL_NET);
  if (n->net == NULL) luaL_argerror(L, idx, "network has been closed");
  return n->net;
}

static lnet *push_net_slot(lua_State *L) {
  lnet *n = lua_newuserdatauv(L, sizeof *n, 0);
  n->net = NULL;
  luaL_setmetatable(L, LNL_NET);
  return n;
}

static int net_gc(lua_State *L) {
  lnet *n = luaL_checkudata(L, 1, LNL_NET);
  ln_net_free(n->net);
  n->net = NULL;
  return 0;
}

/* ---- specs from Lua tables ----------------------------------------------- */

static const char *const layer_names[] = {"dense", "act", "softmax", "dropout", "conv2d",
                                          "pool2d", "batchnorm", "reshape", NULL};
static const char *const act_names[] = {"sigmoid", "tanh", "relu", "identity", "step", NULL};
static const char *const pool_names[] = {"max", "avg", "l2", NULL};
static const char *const cost_names[] = {"quadratic", "cross_entropy", "log_likelihood", NULL};
static const char *const reg_names[] = {"none", "l2", "l1", NULL};

static int option_field(lua_State *L, int idx, const char *key, const char *def, const char *const *names) {
  lua_getfield(L, idx, key);
  int v = luaL_checkoption(L, -1, def, names);
  lua_pop(L, 1);
  return v;
}

static int read_shape(lua_State *L, int idx, const char *key, int64_t *dims, int max) {
  int n = 0;
  if (lua_getfield(L, idx, key) == LUA_TTABLE) {
    lua_Integer len = luaL_len(L, -1);
    if (len < 0 || len > max) luaL_error(L, "'%s' must have 0 to %d sizes", key, max);
    n = (int)len;
    for (int i = 0; i < n; i++) {
      lua_geti(L, -1, i + 1);
      int isint;
      dims[i] = lua_tointegerx(L, -1, &isint);
      if (!isint) luaL_error(L, "'%s' must hold integers", key);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return n;
}

static const char *const spec_keys[] = {"type", "act", "pool", "n_in", "n_out", "p", "maps", "kernel", "stride",
                                        "pad", "eps", "momentum", "w_std", "b_std", "shape", NULL};

static void read_spec(lua_State *L, int idx, ln_layer_spec *s) {
  memset(s, 0, sizeof *s);
  lnL_checkopts(L, idx, "net_new: layer spec", spec_keys);
  s->type = (ln_layer_type)option_field(L, idx, "type", NULL, layer_names);
  s->n_in = lnL_optintfield(L, idx, "n_in", 0);
  s->n_out = lnL_optintfield(L, idx, "n_out", 0);
  s->act = (ln_act)option_field(L, idx, "act", "identity", act_names);
  s->p = lnL_optnumfield(L, idx, "p", 0.0);
  s->maps = lnL_optintfield(L, idx, "maps", 0);
  s->kernel = lnL_optintfield(L, idx, "kernel", 0);
  s->stride = lnL_optintfield(L, idx, "stride", 1);
  s->pad = lnL_optintfield(L, idx, "pad", 0);
  s->pool = (ln_poolkind)option_field(L, idx, "pool", "max", pool_names);
  s->eps = lnL_optnumfield(L, idx, "eps", 1e-5);
  s->momentum = lnL_optnumfield(L, idx, "momentum", 0.1);
  s->shape_ndim = read_shape(L, idx, "shape", s->shape, LN_SHAPE_MAX);
  s->w_std = lnL_optnumfield(L, idx, "w_std", 0.0);
  s->b_std = lnL_optnumfield(L, idx, "b_std", 0.0);
}

/* net_new(specs, {input = {...}, dtype =, cost =}) */
static int l_net_new(lua_State *L) {
  ln_shape in = {0};
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lnL_checkopts(L, 2, "net_new", (const char *const[]){"input", "dtype", "cost", NULL});
  in.ndim = read_shape(L, 2, "input", in.dim, 3);
  lua_getfield(L, 2, "dtype");
  ln_dtype dt = lnL_optdtype(L, -1, LN_F32);
  lua_pop(L, 1);
  lnet *slot = push_net_slot(L);
  lnL_check(L, ln_net_new(&slot->net, dt, &in));
  for (lua_Integer i = 1, n = luaL_len(L, 1); i <= n; i++) {
    ln_layer_spec spec;
    lua_geti(L, 1, i);
    luaL_checktype(L, -1, LUA_TTABLE);
    read_spec(L, lua_gettop(L), &spec);
    lua_pop(L, 1);
    lnL_check(L, ln_net_add(slot->net, &spec));
  }
  lnL_check(L, ln_net_finish(slot->net, ln_rng_global()));
  if (lua_getfield(L, 2, "cost") != LUA_TNIL)
    lnL_check(L, ln_net_set_cost(slot->net, (ln_costkind)luaL_checkoption(L, -1, NULL, cost_names)));
  lua_pop(L, 1);
  return 1;
}

/* ---- inputs and outputs --------------------------------------------------- */

/* Rows of x as a batch for the network: (batch, ...) with the right count. */
static int64_t batch_of(lua_State *L, ln_net *net, const ln_tensor *x, int arg) {
  int64_t per = ln_shape_numel(&net->in);
  if (x->ndim < 2 || x->shape[0] < 1 || ln_numel(x) != x->shape[0] * per) {
    char buf[64];
    luaL_argerror(L, arg, lua_pushfstring(L, "expected a batch of shape (samples, ...) with %d values per sample, got %s",
                                         (int)per, ln_shape_str(x, buf, sizeof buf)));
  }
  return x->shape[0];
}

/* Pushes a new (batch, shape...) tensor of the network's dtype. The
** caller takes the network and its tensors from the stack again after
** this: the allocation may have run finalisers. */
static ln_tensor *push_batch(lua_State *L, ln_dtype dt, const ln_shape *s, int64_t batch) {
  int64_t shape[LN_SHAPE_MAX + 1] = {batch};
  ln_shape copy = *s;
  for (int d = 0; d < copy.ndim; d++) shape[d + 1] = copy.dim[d];
  return lnL_pushnew(L, dt, copy.ndim + 1, shape);
}

/* The network at 1 and tensor at 2 again, after an allocation: the same
** sizes as before or an error. */
static ln_net *recheck(lua_State *L, ln_tensor **x, int64_t numel) {
  ln_net *net = check_net(L, 1);
  *x = lnL_checktensor(L, 2);
  if (ln_numel(*x) != numel) luaL_argerror(L, 2, "tensor changed size during the call");
  return net;
}

/* forward(x [, train]): a new tensor, never a buffer that changes later. */
static int net_forward(lua_State *L) {
  int train = lua_toboolean(L, 3);
  ln_net *net = check_net(L, 1);
  ln_tensor *x = lnL_checktensor(L, 2);
  int64_t batch = batch_of(L, net, x, 2), numel = ln_numel(x), bad;
  ln_tensor *out = push_batch(L, net->dtype, ln_net_out_shape(net), batch);
  net = recheck(L, &x, numel);
  ln_mode mode = {.train = train, .rng = ln_rng_global()};
  lnL_check(L, ln_count_nonfinite(x, &bad));
  if (bad) luaL_argerror(L, 2, "input contains NaN or infinity");
  lnL_check(L, ln_net_reserve(net, batch));
  ln_tensor in = ln_rows(&net->acts[0], batch);
  lnL_check(L, ln_copy(&in, x));
  lnL_check(L, ln_net_forward(net, batch, &mode));
  ln_tensor rows = ln_rows(&net->acts[net->nlayers], batch);
  lnL_check(L, ln_copy(out, &rows));
  return 1;
}

/* output(i) -> a copy of what layer i (1-based; 0: the input) gave in the
** last forward, (samples, ...): net:trace reads z and a from here. */
static int net_output(lua_State *L) {
  ln_net *net = check_net(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 0 || i > net->nlayers) luaL_argerror(L, 2, "layer number out of range");
  int64_t batch = net->last_batch;
  if (batch < 1) luaL_error(L, "output needs a forward first");
  ln_tensor *out = push_batch(L, net->dtype, i == 0 ? &net->in : &net->layers[i - 1]->out, batch);
  net = check_net(L, 1);
  if (net->last_batch != batch) luaL_error(L, "network changed during the call");
  ln_tensor rows = ln_rows(&net->acts[i], batch);
  lnL_check(L, ln_copy(out, &rows));
  return 1;
}

/* backward(dy [, need_dx = true]): adds to the gradients, returns dx. */
static int net_backward(lua_State *L) {
  int need_dx = lua_isnoneornil(L, 3) || lua_toboolean(L, 3);
  ln_net *net = check_net(L, 1);
  ln_tensor *dy = lnL_checktensor(L, 2), *dx = NULL;
  int64_t batch = net->last_batch, numel = ln_numel(dy);
  if (batch < 1) luaL_error(L, "backward needs a forward first");
  if (numel != batch * ln_net_out_numel(net))
    luaL_argerror(L, 2, lua_pushfstring(L, "gradient must have %d values (%d samples of %d outputs)",
                                       (int)(batch * ln_net_out_numel(net)), (int)batch,
                                       (int)ln_net_out_numel(net)));
  if (need_dx) dx = push_batch(L, net->dtype, &net->in, batch);
  net = recheck(L, &dy, numel);
  if (net->last_batch != batch) luaL_error(L, "network changed during the call");
  ln_tensor top = ln_rows(&net->deltas[net->nlayers], batch);
  lnL_check(L, ln_copy(&top, dy));
  lnL_check(L, ln_net_backward(net, batch, net->nlayers - 1, need_dx));
  if (!need_dx) return 0;
  ln_tensor rows = ln_rows(&net->deltas[0], batch);
  lnL_check(L, ln_copy(dx, &rows));
  return 1;
}

static int net_predict(lua_State *L) {
  ln_net *net = check_net(L, 1);
  ln_tensor *x = lnL_checktensor(L, 2);
  int64_t batch = batch_of(L, net, x, 2), numel = ln_numel(x), bad;
  ln_tensor *out = push_batch(L, net->dtype, ln_net_out_shape(net), batch);
  ln_tensor *cx = lnL_newtensor(L);
  net = recheck(L, &x, numel);
  lnL_check(L, ln_count_nonfinite(x, &bad));
  if (bad) luaL_argerror(L, 2, "input contains NaN or infinity");
  lnL_check(L, ln_contiguous(cx, x));
  lnL_check(L, ln_predict(net, cx, out));
  lua_pop(L, 1);
  return 1;
}

static int net_zero_grad(lua_State *L) {
  ln_net_zero_grad(check_net(L, 1));
  return 0;
}

/* ---- parameters ------------------------------------------------------------ */

static ln_layer *check_layer(lua_State *L, ln_net *net, int idx) {
  return net->layers[lnL_checkindex(L, idx, net->nlayers, "layer")];
}

static ln_param *find_param(lua_State *L, ln_layer *l, const char *name, int state) {
  ln_param *ps = state ? l->state : l->params;
  int n = state ? l->nstate : l->nparams;
  for (int i = 0; i < n; i++)
    if (strcmp(ps[i].name, name) == 0) return &ps[i];
  luaL_error(L, "layer has no %s '%s'", state ? "state" : "parameter", name);
  return NULL;
}

/* param(layer, name [, "grad"|"state"]): a view into the network's blocks.
** The view's userdata is made first; the network is looked at after. */
static int net_param(lua_State *L) {
  static const char *const kinds[] = {"value", "grad", "state", NULL};
  int kind = luaL_checkoption(L, 4, "value", kinds);
  const char *name = luaL_checkstring(L, 3);
  check_layer(L, check_net(L, 1), 2);
  ln_tensor *t = lnL_newtensor(L);
  ln_param *p = find_param(L, check_layer(L, check_net(L, 1), 2), name, kind == 2);
  ln_tensor_ref(t, kind == 1 ? &p->grad : &p->value);
  return 1;
}

static void push_shape(lua_State *L, const ln_shape *s) {
  lua_createtable(L, s->ndim, 0);
  for (int i = 0; i < s->ndim; i++) {
    lua_pushinteger(L, s->dim[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

static void push_names(lua_State *L, const ln_param *ps, int n) {
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, ps[i].name);
    lua_rawseti(L, -2, i + 1);
  }
}

static void set_int(lua_State *L, const char *key, int64_t v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

static void set_num(lua_State *L, const char *key, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, key);
}

/* The spec as a table that net_new reads back: saved models rebuild their
** Lua layer objects from it. */
static void push_spec(lua_State *L, const ln_layer_spec *s) {
  lua_createtable(L, 0, 16);
  lua_pushstring(L, layer_names[s->type]);
  lua_setfield(L, -2, "type");
  lua_pushstring(L, act_names[s->act]);
  lua_setfield(L, -2, "act");
  lua_pushstring(L, pool_names[s->pool]);
  lua_setfield(L, -2, "pool");
  set_int(L, "n_in", s->n_in);
  set_int(L, "n_out", s->n_out);
  set_num(L, "p", s->p);
  set_int(L, "maps", s->maps);
  set_int(L, "kernel", s->kernel);
  set_int(L, "stride", s->stride);
  set_int(L, "pad", s->pad);
  set_num(L, "eps", s->eps);
  set_num(L, "momentum", s->momentum);
  set_num(L, "w_std", s->w_std);
  set_num(L, "b_std", s->b_std);
  lua_createtable(L, s->shape_ndim, 0);
  for (int i = 0; i < s->shape_ndim; i++) {
    lua_pushinteger(L, s->shape[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "shape");
}

static int net_layer(lua_State *L) {
  ln_layer copy = *check_layer(L, check_net(L, 1), 2);   /* names are static strings */
  ln_layer *l = &copy;
  lua_createtable(L, 0, 7);
  push_spec(L, &l->spec);
  lua_setfield(L, -2, "spec");
  lua_pushstring(L, layer_names[l->spec.type]);
  lua_setfield(L, -2, "type");
  if (l->spec.type == LN_LAYER_ACT) {
    lua_pushstring(L, act_names[l->spec.act]);
    lua_setfield(L, -2, "act");
  }
  push_shape(L, &l->in);
  lua_setfield(L, -2, "input");
  push_shape(L, &l->out);
  lua_setfield(L, -2, "output");
  push_names(L, l->params, l->nparams);
  lua_setfield(L, -2, "params");
  push_names(L, l->state, l->nstate);
  lua_setfield(L, -2, "state");
  return 1;
}

static int net_info(lua_State *L) {
  ln_net *net = check_net(L, 1);
  ln_shape in = net->in, out = *ln_net_out_shape(net);   /* copies: the tables below allocate */
  int nlayers = net->nlayers, has_cost = net->has_cost;
  const char *dtype = ln_dtype_name(net->dtype), *cost = ln_cost_name(net->cost);
  int64_t nparams = ln_numel(&net->params);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, nlayers);
  lua_setfield(L, -2, "nlayers");
  push_shape(L, &in);
  lua_setfield(L, -2, "input");
  push_shape(L, &out);
  lua_setfield(L, -2, "output");
  lua_pushstring(L, dtype);
  lua_setfield(L, -2, "dtype");
  lua_pushinteger(L, nparams);
  lua_setfield(L, -2, "nparams");
  if (has_cost) {
    lua_pushstring(L, cost);
    lua_setfield(L, -2, "cost");
  }
  return 1;
}

/* parameters() / gradients(): the whole blocks, as 1-d views */
static int net_parameters(lua_State *L) {
  check_net(L, 1);
  ln_tensor *t = lnL_newtensor(L);
  ln_tensor_ref(t, &check_net(L, 1)->params);
  return 1;
}

static int net_gradients(lua_State *L) {
  check_net(L, 1);
  ln_tensor *t = lnL_newtensor(L);
  ln_tensor_ref(t, &check_net(L, 1)->grads);
  return 1;
}

static int net_set_cost(lua_State *L) {
  ln_net *net = check_net(L, 1);
  lnL_check(L, ln_net_set_cost(net, (ln_costkind)luaL_checkoption(L, 2, NULL, cost_names)));
  return 0;
}

static int net_clone(lua_State *L) {
  ln_dtype dt = lnL_optdtype(L, 2, check_net(L, 1)->dtype);
  lnet *slot = push_net_slot(L);
  lnL_check(L, ln_net_clone(&slot->net, check_net(L, 1), dt));
  return 1;
}

static int net_save(lua_State *L) {
  lnL_check(L, ln_model_save(check_net(L, 1), lnL_checkpath(L, 2)));
  return 0;
}

static int l_net_load(lua_State *L) {
  const char *path = lnL_checkpath(L, 1);
  lnet *slot = push_net_slot(L);
  lnL_check(L, ln_model_load(&slot->net, path));
  return 1;
}

/* gradcheck(x, t, {reg =, c =, eps =, input =}) -> worst, details */
static int net_gradcheck(lua_State *L) {
  ln_reg reg = LN_REG_NONE;
  lnL_checkopts(L, 4, "gradcheck", (const char *const[]){"reg", "c", "eps", "input", NULL});
  if (lua_istable(L, 4)) reg = (ln_reg)option_field(L, 4, "reg", "none", reg_names);
  double c = lnL_optnumfield(L, 4, "c", 0.0), eps = lnL_optnumfield(L, 4, "eps", 1e-5);
  int input = lnL_optboolfield(L, 4, "input", 1);
  ln_gradcheck_result res;
  ln_net *net = check_net(L, 1);   /* options read: now the network and tensors */
  ln_tensor *x = lnL_checktensor(L, 2), *t = lnL_checktensor(L, 3);
  lnL_check(L, ln_gradcheck(net, x, t, reg, c, eps, input, &res));
  lua_pushnumber(L, res.worst);
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, res.layer + 1);
  lua_setfield(L, -2, "layer");
  lua_pushstring(L, res.param);
  lua_setfield(L, -2, "param");
  lua_pushinteger(L, res.element + 1);
  lua_setfield(L, -2, "element");
  lua_pushnumber(L, res.analytic);
  lua_setfield(L, -2, "analytic");
  lua_pushnumber(L, res.numeric);
  lua_setfield(L, -2, "numeric");
  lua_pushinteger(L, res.checked);
  lua_setfield(L, -2, "checked");
  return 2;
}

static const luaL_Reg net_methods[] = {
  {"forward", net_forward}, {"output", net_output}, {"backward", net_backward}, {"predict", net_predict},
  {"zero_grad", net_zero_grad}, {"param", net_param}, {"layer", net_layer}, {"info", net_info},
  {"parameters", net_parameters}, {"gradients", net_gradients}, {"set_cost", net_set_cost},
  {"clone", net_clone}, {"save", net_save}, {"gradcheck", net_gradcheck}, {"close", net_gc},
  {NULL, NULL}
};

ln_net *lnL_checknet(lua_State *L, int idx) {
  return check_net(L, idx);
}

void lnL_open_nn(lua_State *L) {
  luaL_newmetatable(L, LNL_NET);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "net_metatable");   /* lunet.nn.Net: its methods, for help() */
  lua_newtable(L);
  luaL_setfuncs(L, net_methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, net_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, net_gc);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
  lua_pushcfunction(L, l_net_new);
  lua_setfield(L, -2, "net_new");
  lua_pushcfunction(L, l_net_load);
  lua_setfield(L, -2, "net_load");
}
