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

local core = require "lunet.core"
local opts = require "lunet.opts"

local optim = {}

local function fail(fname, msg, ...)
  error(("lunet.optim.%s: %s"):format(fname, msg:format(...)), 3)
end

local function built_net(fname, model, x)
  if type(model) ~= "table" or type(model.net) ~= "function" then fail(fname, "expected a model") end
  local ok, net = pcall(model.net, model, x)
  if not ok then fail(fname, "%s", tostring(net)) end
  return net
end

local function check_w(fname, net, w)
  if getmetatable(w) ~= core.tensor_metatable then fail(fname, "w must be a tensor, got %s", type(w)) end
  if w:is_closed() then fail(fname, "w has been closed") end
  local n = net:parameters():numel()
  if w:dim() ~= 1 or w:numel() ~= n then
    fail(fname, "w must be a 1-d tensor of the network's %d parameters, got shape (%s)", n,
      table.concat(w:shape(), ", "))
  end
end

-- The model's parameters as a new float64 tensor (a copy).
function optim.get_params(model)
  local p = built_net("get_params", model):parameters()
  return core.zeros(p:numel(), "float64"):copy(p)
end

-- Writes w (1-d, one value per parameter, any dtype) into the model.
function optim.set_params(model, w)
  local net = built_net("set_params", model)
  check_w("set_params", net, w)
  net:parameters():copy(w)
  return model
end

-- The mini-batch optimisers' names (lunet.train.sgd's optimizer option).
optim.kinds = core.optimizer_kinds

-- optimizer(model, {kind = "adam", eta =, ...}): the core optimiser for the
-- model's network, for loops written in Lua: opt:step(model:net()) applies
-- one step from the gradients a backward pass (or f(w)) left there.
function optim.optimizer(model, o)
  local net = built_net("optimizer", model)
  if type(o) ~= "table" then fail("optimizer", "options must be a table {kind = name, ...}") end
  local ok, opt = pcall(core.optimizer, net, o)
  if not ok then fail("optimizer", "%s", tostring(opt):gsub("^.-optimizer: ", "")) end
  return opt
end

-- objective(model, data [, {lambda =, reg =}]) -> f, w0 (see above)
function optim.objective(model, data, o)
  o = opts.check("lunet.optim.objective", o, { "lambda", "reg" })
  local lambda, reg = o.lambda or 0, o.reg or "l2"
  if type(lambda) ~= "number" or not (lambda >= 0 and lambda < math.huge) then
    fail("objective", "lambda must be a finite number >= 0")
  end
  if reg ~= "l2" and reg ~= "l1" then fail("objective", "reg must be \"l2\" or \"l1\", got %s", tostring(reg)) end
  if type(data) ~= "table" or getmetatable(data.x) ~= core.tensor_metatable then
    fail("objective", "a data set is a table {x = inputs, y = labels or targets}")
  end
  local net = built_net("objective", model, data.x)
  if not model:cost() then fail("objective", "the model has no cost: call model:set_cost(name)") end
  if not data.x:all_finite() then fail("objective", "inputs contain NaN or infinity") end
  local ok, err = pcall(core.check_data, net, data)
  if not ok then fail("objective", "%s", tostring(err):gsub("^.-check_data: ", "")) end
  local options = { reg = lambda > 0 and reg or "none", lambda = lambda }
  local function f(w)
    check_w("objective", net, w)
    local ok2, cost, grad = pcall(core.objective, net, data, w, options)
    if not ok2 then error("lunet.optim.objective: " .. tostring(cost):gsub("^.-objective: ", ""), 2) end
    return cost, grad
  end
  return f, optim.get_params(model)
end

-- minimize(f, x0, {method = "lbfgs", ...}): lunet.minimize's minimisers,
-- which take an objective's f and w0 as they are.
optim.minimize = require("lunet.minimize").minimize

return optim
