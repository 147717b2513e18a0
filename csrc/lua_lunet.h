/*
** lua_lunet.h: what the binding files share. The binding is the only
** place that knows Lua: it checks every argument, calls the core, and turns
** a failing status into a Lua error.
**
** Leak rule: anything that holds memory is a userdata on the Lua stack
** *before* the call that may fail, so an error leaves it to the collector.
**
** Order rule: reading a Lua value may run Lua code (a table's __index or
** __len, an option table's metamethods), and so may any allocation (the
** collector runs finalisers). That code can close a tensor argument and
** free its storage. So a binding function (1) reads every non-tensor
** argument into plain C values, (2) pushes the userdata of its results,
** (3) then fetches its tensor arguments with lnL_checktensor, and (4) calls
** the core, with no Lua call or allocation between (3) and (4). When a
** result's shape depends on an argument, the argument is fetched to read
** the shape and fetched again after the push. A descriptor copied from a
** tensor (a view built in C) never lives across a Lua call.
*/
#ifndef LUA_LUNET_H
#define LUA_LUNET_H

#include <lauxlib.h>
#include <lua.h>

#include "tensor.h"

#define LNL_TENSOR "lunet.Tensor"

/* Raises the core's message, prefixed by the Lua function's name. */
int lnL_error(lua_State *L, int status);
int lnL_fail(lua_State *L, const char *fmt, ...);  /* luaL_error naming the called function */
static inline void lnL_check(lua_State *L, int status) {
  if (status != LN_OK) lnL_error(L, status);
}

/* Tensors */
ln_tensor *lnL_newtensor(lua_State *L);            /* pushes an empty one */
ln_tensor *lnL_totensor(lua_State *L, int idx);    /* NULL if not a tensor */
ln_tensor *lnL_checktensor(lua_State *L, int idx); /* errors if not one or closed */
/* Pushes a new contiguous zero tensor; tells the collector about its size. */
ln_tensor *lnL_pushnew(lua_State *L, ln_dtype dt, int ndim, const int64_t *shape);
/* Pushes a descriptor sharing t's storage (a view). */
ln_tensor *lnL_pushview(lua_State *L, const ln_tensor *t);
void lnL_track(lua_State *L, const ln_tensor *t);

/* Networks (lua_nn.c) */
struct ln_net;
struct ln_net *lnL_checknet(lua_State *L, int idx);

/* Arguments */
int64_t lnL_checksize(lua_State *L, int idx, const char *what);  /* integer >= 0 */
int64_t lnL_checkindex(lua_State *L, int idx, int64_t n, const char *what); /* 1..n -> 0..n-1 */
int lnL_checkint(lua_State *L, int idx, const char *what);        /* an integer that fits an int */
ln_dtype lnL_checkdtype(lua_State *L, int idx);
ln_dtype lnL_optdtype(lua_State *L, int idx, ln_dtype def);
/* Sizes as integers from idx to the last argument, or one table of them. */
int lnL_checkshape(lua_State *L, int idx, int last, int64_t *shape);
double lnL_optnumfield(lua_State *L, int idx, const char *key, double def);
int lnL_optboolfield(lua_State *L, int idx, const char *key, int def);
int64_t lnL_optintfield(lua_State *L, int idx, const char *key, int64_t def);
/* A string argument used as a file name; an error when it holds a zero byte. */
const char *lnL_checkpath(lua_State *L, int idx);
/* The index in names (NULL-terminated) of the string at key, def's when nil. */
int lnL_optoptionfield(lua_State *L, int idx, const char *key, const char *def, const char *const names[]);
/* Option tables (lua_opts.c): raises "<fname>: unknown option 'k' (valid:
** ...)" for any key not in valid (NULL-terminated); nil, none or idx 0 means
** no options; anything else but a table is an error. Walks the table raw.
** The _pos form also accepts integer keys 1..npos and returns their count. */
void lnL_checkopts(lua_State *L, int idx, const char *fname, const char *const valid[]);
int lnL_checkopts_pos(lua_State *L, int idx, const char *fname, const char *const valid[], int npos);
/* Pushes names (NULL-terminated) as "a, b, c", for an error's list of
** valid values, and returns it. */
const char *lnL_pushnames(lua_State *L, const char *const names[]);
/* The index of name in names (NULL-terminated), or -1; name may be NULL. */
int lnL_nameindex(const char *name, const char *const names[]);

void lnL_open_tensor(lua_State *L);   /* fills the module table at the top */
void lnL_open_tensorops(lua_State *L);
void lnL_open_io(lua_State *L);
void lnL_open_data(lua_State *L);
void lnL_open_nn(lua_State *L);
void lnL_open_train(lua_State *L);
void lnL_open_ref(lua_State *L);
void lnL_open_linalg(lua_State *L);
void lnL_open_interrupt(lua_State *L);
void lnL_open_proc(lua_State *L);
void lnL_open_perceptron(lua_State *L);
void lnL_open_profile(lua_State *L);

#endif
