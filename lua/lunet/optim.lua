-- lunet.optim: the entry points of optimisation. Mini-batch optimisers run
-- inside lunet.train.sgd (optimizer = "adam", ...); this module turns a
-- network and a whole data set into a function of the parameters, for
-- full-batch methods (gradient descent, conjugate gradient, BFGS ...).
--
--   local f, w0 = lunet.optim.objective(net, training, { lambda = 5.0 })
--   local cost, grad = f(w0)                 -- grad: a new tensor like w0
--   local w, history = lunet.optim.minimize(f, w0, { method = "lbfgs" })
--   lunet.optim.set_params(net, w)           -- the model takes the result
--
-- f(w) leaves its gradient in the network's gradient block too, so a
-- mini-batch optimiser (optim.optimizer) can take full-batch steps.
--
-- f(w) sets the model's parameters to w, then runs forward, cost and
-- backward over every sample of the data set in C, a chunk of samples at a
-- time (no Lua per sample), and returns the book's total cost (mean cost
-- plus (lambda/2n)|w|^2 for reg = "l2", the default, or (lambda/n)|w|_1
-- for reg = "l1"; biases are never regularised: train.evaluate's cost with
-- the same lambda) and its gradient. w is the flat parameter block, a 1-d
-- tensor of model:net():parameters():numel() values, float64 or float32
-- whatever the network's dtype (a float32 network computes in float32);
-- the gradient comes back in w's dtype. Minimisers pass float64.
--
-- f is deterministic: it runs the network in evaluation mode (dropout is
-- the identity), so its value and gradient depend on w alone, not on how
-- the samples are grouped. Networks with batch normalisation are refused
-- (its evaluation-mode backward is not implemented).

local errors = require "lunet.errors"
local core = require "lunet.core"
local opts = require "lunet.opts"
local minimize = require "lunet.minimize"

local optim = {}

local shown = opts.shown

local is_tensor = core.is_tensor

local function fail(fname, msg, ...)
  errors.raise(("lunet.optim.%s: %s"):format(fname, msg:format(...)))
end

-- lunet.optim:objective(net, data) passes the module as the model, the
-- model as the data and the data as the options: say so before any of
-- them is read (the options' check named the data set's keys).
local function not_the_module(fname, model)
  if model == optim then
    fail(fname, "call it with a dot, lunet.optim.%s(model, ...), not a colon: it got the module where the model goes",
      fname)
  end
end

local function built_net(fname, model, x)
  not_the_module(fname, model)
  if type(model) ~= "table" or type(model.net) ~= "function" then fail(fname, "expected a model") end
  local ok, net = pcall(model.net, model, x)
  if not ok then fail(fname, "%s", tostring(net)) end
  -- raw: a table with the right methods is no network the core can run
  if type(net) ~= "userdata" or debug.getmetatable(net) ~= core.net_metatable then
    fail(fname, "expected a model: its net() returned a %s, not a lunet network", type(net))
  end
  if not pcall(net.info, net) then fail(fname, "the model's network has been closed") end
  return net
end

local function check_w(fname, net, w, what)
  what = what or "w"
  if not is_tensor(w) then fail(fname, "%s must be a tensor, got %s", what, type(w)) end
  if w:is_closed() then fail(fname, "%s has been closed", what) end
  local ok, p = pcall(net.parameters, net)
  if not ok then fail(fname, "the model's network has been closed") end
  local n = p:numel()
  if w:dim() ~= 1 or w:numel() ~= n then
    fail(fname, "%s must be a 1-d tensor of the network's %d parameters, got shape (%s)", what, n,
      table.concat(w:shape(), ", "))
  end
end

--- optim.get_params(model) -> tensor
-- The model's parameters as a new float64 tensor (a copy).
function optim.get_params(model)
  local p = built_net("get_params", model):parameters()
  return core.zeros(p:numel(), "float64"):copy(p)
end

--- optim.set_params(model, w) -> model
-- Writes w (1-d, one value per parameter, any dtype) into the model.
function optim.set_params(model, w)
  local net = built_net("set_params", model)
  check_w("set_params", net, w)
  net:parameters():copy(w)
  return model
end

-- The mini-batch optimisers' names (lunet.train.sgd's optimizer option).
optim.kinds = core.optimizer_kinds

-- The methods of what optim.optimizer returns, named so that help() finds them.
optim.Optimizer = core.optimizer_metatable.__index

--- optim.optimizer(model, {kind = "sgd", eta =, ...}) -> optimizer
-- The core optimiser for the
-- model's network, for loops written in Lua: opt:step(model:net()) applies
-- one step from the gradients a backward pass (or f(w)) left there. Its
-- other methods: opt:eta(), opt:set_eta(x), opt:set(name, value) and
-- opt:get(name) for hyperparameters, opt:kind(), opt:steps(), opt:state(),
-- opt:velocity(), opt:check(net) (an error unless made for net). Kinds:
-- lunet.optim.kinds. lunet.train.sgd, Network:SGD and network3's SGD take
-- it as their optimizer option, and continue its state.
function optim.optimizer(model, o)
  local net = built_net("optimizer", model)
  if type(o) ~= "table" then fail("optimizer", "options must be a table {kind = name, ...}") end
  local ok, opt = pcall(core.optimizer, net, o)
  if not ok then
    local msg = tostring(opt):gsub("^.-optimizer: ", "")
    -- SGD's eta has no default (0 stands for none): "eta must be in (0, inf), not 0" named a value never given
    if o.eta == nil and msg:find("^eta must be in") then
      fail("optimizer", "kind sgd (the default) has no default eta: give one, {kind = \"sgd\", eta = 0.1}")
    end
    fail("optimizer", "%s", opts.with_hint(msg))   -- the core lists the valid names; opts.check also hints
  end
  return opt
end

--- optim.objective(model, data [, {lambda = 0, reg = "l2"}]) -> f, w0
-- The whole data set as one function of the parameters, for full-batch
-- minimisers: f(w) -> cost, grad (the book's total cost and its gradient; see
-- the top of lunet/optim.lua), and w0 the model's current parameters (float64).
function optim.objective(model, data, o)
  not_the_module("objective", model)
  o = opts.check("lunet.optim.objective", o, { "lambda", "reg" })
  local lambda, reg = o.lambda or 0, o.reg or "l2"
  if type(lambda) ~= "number" or not (lambda >= 0 and lambda < math.huge) then
    fail("objective", "lambda must be a finite number >= 0, got %s", shown(lambda))
  end
  if reg ~= "l2" and reg ~= "l1" then fail("objective", "reg must be \"l2\" or \"l1\", got %s", shown(reg)) end
  if type(data) ~= "table" or not is_tensor(data.x) then
    fail("objective", "a data set is a table {x = inputs, y = labels or targets}")
  end
  local net = built_net("objective", model, data.x)
  if not model:cost() then fail("objective", "the model has no cost: call model:set_cost(name)") end
  -- refused here, as documented, not at the first f(w) (the core's check, inside the call)
  for i, layer in ipairs(model:layers()) do
    if getmetatable(layer).__name == "BatchNorm" then
      fail("objective", "layer %d is batch normalisation: a full-batch objective runs in evaluation mode, "
        .. "where its backward is not implemented", i)
    end
  end
  if not data.x:all_finite() then fail("objective", "inputs contain NaN or infinity") end
  local ok, err = pcall(core.check_data, net, data)
  if not ok then fail("objective", "%s", tostring(err):gsub("^.-check_data: ", "")) end
  local options = { reg = lambda > 0 and reg or "none", lambda = lambda }
  local function f(w)
    check_w("objective", net, w)
    local ok2, cost, grad = pcall(core.objective, net, data, w, options)
    if not ok2 then errors.raise("lunet.optim.objective: " .. tostring(cost):gsub("^.-objective: ", "")) end
    return cost, grad
  end
  minimize.fresh_gradient(f)   -- grad is a new tensor at every call
  return f, optim.get_params(model)
end

-- ---- the Hessian technique ------------------------------------------------
-- Second derivatives of the same full-batch cost, at the model's current
-- parameters: exact Hessian-vector products by Pearlmutter's R-operator
-- (csrc/hessian.c, about twice the cost of a gradient), the full Hessian
-- of a small network by N products, and the Newton step w' = w - H^-1 g.
-- Layers that have no R-operator (batch norm, L2 pooling) are refused with
-- an error naming them; dense, activations, softmax, dropout, reshape,
-- convolution, max and average pooling have one.

-- The lambda/reg options, checked, as core.hvp takes them.
local function penalty_options(fname, o, extra)
  local keys = { "lambda", "reg" }
  for _, k in ipairs(extra or {}) do keys[#keys + 1] = k end
  o = opts.check("lunet.optim." .. fname, o, keys)
  local lambda, reg = o.lambda or 0, o.reg or "l2"
  if type(lambda) ~= "number" or not (lambda >= 0 and lambda < math.huge) then
    fail(fname, "lambda must be a finite number >= 0, got %s", shown(lambda))
  end
  if reg ~= "l2" and reg ~= "l1" then fail(fname, "reg must be \"l2\" or \"l1\", got %s", shown(reg)) end
  return { reg = lambda > 0 and reg or "none", lambda = lambda }, o
end

local function checked_set(fname, model, data)
  if type(data) ~= "table" or not is_tensor(data.x) then
    fail(fname, "a data set is a table {x = inputs, y = labels or targets}")
  end
  local net = built_net(fname, model, data.x)
  if not model:cost() then fail(fname, "the model has no cost: call model:set_cost(name)") end
  if not data.x:all_finite() then fail(fname, "inputs contain NaN or infinity") end
  return net
end

local function call_hvp(fname, net, data, v, options)
  local ok, hv = pcall(core.hvp, net, data, v, options)
  if not ok then fail(fname, "%s", (tostring(hv):gsub("^.-hvp: ", ""))) end
  return hv
end

--- optim.hvp(model, data, v [, {lambda = 0, reg = "l2"}]) -> tensor
-- H v, H the Hessian of objective(model, data, {lambda =, reg =})'s cost
-- at the model's parameters; v is 1-d, one value per parameter, any dtype or
-- stride (net:gradients() itself too, for H g after f(w): it is copied first); the product
-- comes back in v's dtype. L2 adds (lambda/n) v on the weights; L1's
-- Hessian is 0 almost everywhere.
function optim.hvp(model, data, v, o)
  not_the_module("hvp", model)
  local options = penalty_options("hvp", o)
  local net = checked_set("hvp", model, data)
  check_w("hvp", net, v, "v")
  local dt = net:parameters():dtype()
  -- the core reads v in place: a copy when it is strided, of another dtype,
  -- or the network's gradient block (H g after f(w)), which the product overwrites
  local direct = v:dtype() == dt and v:is_contiguous() and not v:shares_storage(net:gradients())
  local hv = call_hvp("hvp", net, data, direct and v or v:to(dt):clone(), options)
  return hv:dtype() == v:dtype() and hv or hv:to(v:dtype())
end

--- optim.hessian(model, data [, {lambda = 0, reg = "l2", max = 5000}]) -> H
-- The (N, N) float64 Hessian, column i the product with the i-th unit
-- vector (N products). Refused above max parameters: N^2 values and N products grow
-- fast (7,960 parameters would be 500 MB and 8,000 passes).
function optim.hessian(model, data, o)
  not_the_module("hessian", model)
  local options, all = penalty_options("hessian", o, { "max" })
  local max = all.max or 5000
  if math.type(max) ~= "integer" or max < 1 then fail("hessian", "max must be a positive integer") end
  local net = checked_set("hessian", model, data)
  local n = net:parameters():numel()
  if n > max then
    fail("hessian", "the network has %d parameters, more than max = %d: a full Hessian has N^2 values and "
      .. "takes N products; use hvp, or raise max", n, max)
  end
  local e = core.zeros(n, net:parameters():dtype())
  local H = core.zeros(n, n, "float64")
  for i = 1, n do
    e[i] = 1
    H:select(1, i):copy(call_hvp("hessian", net, data, e, options))   -- row i = column i of a symmetric H
    e[i] = 0
  end
  return H:t():contiguous()
end

-- An error of objective or hessian inside newton_step, raised as newton_step's.
local function renamed(fname, err)
  errors.raise((tostring(err):gsub("^.-lunet%.optim%.[%w_]+: ", "lunet.optim." .. fname .. ": ", 1)))
end

--- optim.newton_step(model, data [, {lambda = 0, reg = "l2", damping = 0, max =}]) -> d, cost, g
-- The Newton step d solving (H + damping I) d = -g at the
-- model's parameters (float64), and the cost and gradient there. The model
-- is left as it was: apply the step with set_params(model, w + d).
-- Damping (Levenberg's) keeps the step finite where H is singular or
-- indefinite; linalg.solve's error is raised when the system is singular.
function optim.newton_step(model, data, o)
  not_the_module("newton_step", model)
  local options, all = penalty_options("newton_step", o, { "damping", "max" })
  local damping = all.damping or 0
  if type(damping) ~= "number" or not (damping >= 0 and damping < math.huge) then
    fail("newton_step", "damping must be a finite number >= 0")
  end
  local penalty = { lambda = options.lambda, reg = options.reg ~= "none" and options.reg or nil }
  local ok, f, w = pcall(optim.objective, model, data, penalty)
  if not ok then renamed("newton_step", f) end
  local ok2, cost, g = pcall(f, w)
  if not ok2 then renamed("newton_step", cost) end
  penalty.max = all.max
  local ok3, H = pcall(optim.hessian, model, data, penalty)
  if not ok3 then renamed("newton_step", H) end
  for i = 1, w:numel() do H[{ i, i }] = H[{ i, i }] + damping end
  local ok4, d = pcall(core.linalg.solve, H, g:mul(-1))
  if not ok4 then fail("newton_step", "%s", tostring(d)) end
  return d, cost, g
end

-- minimize(f, x0, {method = "lbfgs", ...}): lunet.minimize's minimisers,
-- which take an objective's f and w0 as they are.
optim.minimize = minimize.minimize

return optim
