-- lunet.nn: layers and containers, as in Torch's nn.
--
--   local nn = require "lunet.nn"
--   local model = nn.Sequential {
--     nn.Linear(784, 100), nn.ReLU(),
--     nn.Linear(100, 10), nn.Softmax(),
--   }
--   model:set_cost("log_likelihood")
--
-- Linear reads each sample as a flat vector, whatever its shape, so no
-- flattening layer is needed between convolutions and fully connected
-- layers. Every layer and container is a Module (lunet/nn/module.lua): forward,
-- backward, zero_grad, parameters, predict, save ... The layers' loops are
-- C; these constructors only describe them.

local errors = require "lunet.errors"
local Module = require "lunet.nn.module"
local opts = require "lunet.opts"

local nn = { Module = Module }

-- Initial weights ~ N(0, w_std^2), biases ~ N(0, b_std^2), by name:
--   "default"  the book's improved initialisation: w_std = 1/sqrt(n_in), b_std = 1
--   "large"    the book's first one: both N(0, 1)
--   "he"       w_std = sqrt(2/n_in), biases 0 (for ReLU)
--   "xavier"   w_std = sqrt(2/(n_in + n_out)), biases 0
--   "zeros"    everything 0 (the book's softmax layer in network3)
-- or a table {w_std =, b_std =}.
local function init_std(init, key, default)
  local v = init[key]
  if v == nil and default then return default end
  if type(v) ~= "number" or v ~= v or v < 0 or v == math.huge then
    errors.raise(("init.%s must be a finite number >= 0, got %s"):format(key, tostring(v)))
  end
  return v
end

--- nn.init_stds(init, n_in, n_out) -> w_std, b_std
-- The standard deviations of the initial weights and biases for an `init`
-- name or a table {w_std =, b_std = 0}: "default" (nil) the book's improved
-- 1/sqrt(n_in) and 1, "large" 1 and 1, "he" sqrt(2/n_in) and 0, "xavier"
-- sqrt(2/(n_in + n_out)) and 0, "zeros" 0 and 0. Unknown names are errors.
function nn.init_stds(init, n_in, n_out)
  init = init or "default"
  if type(init) == "table" then
    opts.check("init table", init, { "w_std", "b_std" }, 3)
    return init_std(init, "w_std"), init_std(init, "b_std", 0)
  end
  if init == "default" then return 1 / math.sqrt(n_in), 1 end
  if init == "large" then return 1, 1 end
  if init == "he" then return math.sqrt(2 / n_in), 0 end
  if init == "xavier" then return math.sqrt(2 / (n_in + n_out)), 0 end
  if init == "zeros" then return 0, 0 end
  errors.raise(("nn.init_stds: unknown init '%s' (default, large, he, xavier, zeros or {w_std =, b_std =})")
    :format(tostring(init)))
end

local function check_size(v, what)
  if math.type(v) ~= "integer" or v < 1 then
    errors.raise(("%s must be a positive integer, got %s"):format(what, tostring(v)))
  end
end

-- ---- layers -----------------------------------------------------------------

local Linear = Module.layer_class("Linear", {
  --- layer:describe() -> string
  -- "Linear(n_in -> n_out)".
  describe = function(self) return ("Linear(%d -> %d)"):format(self.spec.n_in, self.spec.n_out) end,
})

--- nn.Linear(n_in, n_out [, {init = "default"}]) -> layer
-- A fully connected layer y = W x + b with W (n_out, n_in) and b (n_out);
-- each sample is read as a flat vector of n_in values whatever its shape.
-- init as nn.init_stds (default: the book's N(0, 1/n_in) weights, N(0, 1)
-- biases). Parameters: layer.weight, layer.bias, layer.grad_weight, layer.grad_bias.
function nn.Linear(n_in, n_out, o)
  check_size(n_in, "Linear: n_in")
  check_size(n_out, "Linear: n_out")
  o = opts.check("nn.Linear", o, { "init" })
  local w_std, b_std = errors.call("nn.Linear", "nn.init_stds", nn.init_stds, o.init, n_in, n_out)
  return Module.new_layer(Linear, { type = "dense", n_in = n_in, n_out = n_out, w_std = w_std, b_std = b_std },
    { n_in })
end

-- the class of each kind of layer, for rebuilding layers from specs
local CLASSES = { dense = Linear }

local function activation(name, act)
  local class = Module.layer_class(name)
  CLASSES[act] = class
  return function(o)
    opts.check("nn." .. name, o, {})
    return Module.new_layer(class, { type = "act", act = act })
  end
end

--- nn.Sigmoid() -> layer
-- The logistic function 1 / (1 + e^-z) applied to each value.
nn.Sigmoid = activation("Sigmoid", "sigmoid")
--- nn.Tanh() -> layer
-- tanh(z) applied to each value.
nn.Tanh = activation("Tanh", "tanh")
--- nn.ReLU() -> layer
-- max(z, 0) applied to each value.
nn.ReLU = activation("ReLU", "relu")
--- nn.Identity() -> layer
-- Passes its input on unchanged (a linear output layer).
nn.Identity = activation("Identity", "identity")
--- nn.Step() -> layer
-- The perceptron's threshold: 1 where z > 0 and 0 where z <= 0 (NaN stays
-- NaN). Its derivative is 0 wherever it exists: backward passes zeros, and
-- training, gradient norms and full-batch objectives refuse a network that
-- holds one (train it with lunet.perceptron.train).
nn.Step = activation("Step", "step")

local Softmax = Module.layer_class("Softmax")
CLASSES.softmax = Softmax
--- nn.Softmax() -> layer
-- The softmax over each sample's outputs (e^z_j / sum_k e^z_k); pair it with
-- the "log_likelihood" cost.
function nn.Softmax(o)
  opts.check("nn.Softmax", o, {})
  return Module.new_layer(Softmax, { type = "softmax" })
end

--- nn.activation(name) -> layer
-- Activation layers by name: "sigmoid", "tanh", "relu", "identity" (or
-- "linear"), "step", "softmax". An unknown name is an error listing these.
function nn.activation(name)
  local make = ({ sigmoid = nn.Sigmoid, tanh = nn.Tanh, relu = nn.ReLU, identity = nn.Identity,
    linear = nn.Identity, step = nn.Step, softmax = nn.Softmax })[name]
  if not make then
    errors.raise(("unknown activation '%s' (sigmoid, tanh, relu, identity, step, softmax)"):format(tostring(name)))
  end
  return make()
end

-- Dropout(p): drops each value with probability p while training and
-- scales the kept ones by 1/(1-p); evaluation is the identity.
local Dropout = Module.layer_class("Dropout", {
  --- layer:describe() -> string
  -- "Dropout(p)".
  describe = function(self) return ("Dropout(%g)"):format(self.spec.p) end,
})
CLASSES.dropout = Dropout
--- nn.Dropout([p = 0.5]) -> layer
-- Inverted dropout: while training, each value is zeroed with probability p
-- (0 <= p < 1) and the kept ones scaled by 1/(1-p); evaluation is the identity.
function nn.Dropout(p)
  p = p or 0.5
  if type(p) ~= "number" or not (p >= 0 and p < 1) then
    errors.raise(("Dropout: p must be in [0, 1), got %s"):format(tostring(p)))
  end
  return Module.new_layer(Dropout, { type = "dropout", p = p })
end

-- Reshape(d1 [, d2 [, d3]]): a new per-sample shape, e.g. Reshape(1, 28, 28).
local Reshape = Module.layer_class("Reshape", {
  --- layer:describe() -> string
  -- "Reshape(d1xd2...)".
  describe = function(self) return "Reshape(" .. table.concat(self.spec.shape, "x") .. ")" end,
})
CLASSES.reshape = Reshape
--- nn.Reshape(d1 [, d2 [, d3]]) -> layer
-- Gives each sample a new shape of the same size, e.g. Reshape(1, 28, 28)
-- before a Conv2d on flat images; sizes one by one or as one table.
function nn.Reshape(...)
  local shape = { ... }
  if type(shape[1]) == "table" then shape = shape[1] end
  for i, d in ipairs(shape) do check_size(d, "Reshape: size " .. i) end
  return Module.new_layer(Reshape, { type = "reshape", shape = shape })
end

-- ---- convolutional layers ---------------------------------------------------

-- Conv2d(c_in, c_out, k, {stride = 1, pad = 0, init = "default"}): c_out maps
-- from c_in with k x k kernels (shared weights, one bias per map), through
-- im2col + GEMM. Inputs are images (c_in, h, w): declare the network's input
-- as {c, h, w} (Sequential's opts.input) when the data are flat vectors.
-- Initialisation as Linear's, with n_in = c_in k k and n_out = c_out k k.
local Conv2d = Module.layer_class("Conv2d", {
  --- layer:describe() -> string
  -- "Conv2d(c_in -> c_out, kxk[, stride s][, pad p])".
  describe = function(self)
    local s = self.spec
    return ("Conv2d(%d -> %d, %dx%d%s%s)"):format(s.n_in, s.maps, s.kernel, s.kernel,
      s.stride ~= 1 and ", stride " .. s.stride or "", s.pad ~= 0 and ", pad " .. s.pad or "")
  end,
})
CLASSES.conv2d = Conv2d

--- nn.Conv2d(c_in, c_out, k [, {stride = 1, pad = 0, init = "default"}]) -> layer
-- A 2-d convolution: c_out feature maps from c_in input maps with k x k
-- kernels (weight (c_out, c_in, k, k), one bias per map), computed by im2col
-- + GEMM. Inputs are images (c_in, h, w): declare the network's input as
-- {c, h, w} (Sequential's opts.input) when the data are flat vectors.
-- init as Linear's with n_in = c_in k k and n_out = c_out k k.
function nn.Conv2d(c_in, c_out, k, o)
  check_size(c_in, "Conv2d: c_in")
  check_size(c_out, "Conv2d: c_out")
  check_size(k, "Conv2d: kernel size")
  o = opts.check("nn.Conv2d", o, { "stride", "pad", "init" })
  local stride, pad = o.stride or 1, o.pad or 0
  check_size(stride, "Conv2d: stride")
  if math.type(pad) ~= "integer" or pad < 0 then errors.raise("Conv2d: pad must be an integer >= 0") end
  local w_std, b_std = errors.call("nn.Conv2d", "nn.init_stds", nn.init_stds, o.init, c_in * k * k, c_out * k * k)
  local layer = Module.new_layer(Conv2d, { type = "conv2d", n_in = c_in, maps = c_out, kernel = k, stride = stride,
    pad = pad, w_std = w_std, b_std = b_std })
  layer._shape_hint = { c_in, k, k }
  return layer
end

local POOL_NAMES = { max = "MaxPool", avg = "AvgPool", l2 = "L2Pool" }
local Pool = Module.layer_class("Pool", {
  --- layer:describe() -> string
  -- "MaxPool(kxk[, stride s])" (or AvgPool, L2Pool).
  describe = function(self)
    local s = self.spec
    return ("%s(%dx%d%s)"):format(POOL_NAMES[s.pool], s.kernel, s.kernel,
      s.stride ~= s.kernel and ", stride " .. s.stride or "")
  end,
})
CLASSES.pool2d = Pool

local function pool(kind)
  return function(k, stride)
    check_size(k, POOL_NAMES[kind] .. ": window size")
    stride = stride or k
    check_size(stride, POOL_NAMES[kind] .. ": stride")
    return Module.new_layer(Pool, { type = "pool2d", pool = kind, kernel = k, stride = stride })
  end
end

--- nn.MaxPool(k [, stride = k]) -> layer
-- The largest value of each k x k window of each map (windows `stride`
-- apart; by default they do not overlap).
nn.MaxPool = pool("max")
--- nn.AvgPool(k [, stride = k]) -> layer
-- The mean of each k x k window of each map.
nn.AvgPool = pool("avg")
--- nn.L2Pool(k [, stride = k]) -> layer
-- The square root of the sum of squares over each k x k window of each map
-- (the book's "L2 pooling").
nn.L2Pool = pool("l2")

-- BatchNorm({eps = 1e-5, momentum = 0.1}): normalises each feature (after a
-- Linear) or each map (after a Conv2d) with the mini-batch's statistics in
-- training and running averages in evaluation; learns gamma and beta.
local BatchNorm = Module.layer_class("BatchNorm")
CLASSES.batchnorm = BatchNorm
--- nn.BatchNorm([{eps = 1e-5, momentum = 0.1}]) -> layer
-- Batch normalisation of each feature (after a Linear) or each map (after a
-- Conv2d): (x - mean) / sqrt(var + eps) * gamma + beta, with the mini-batch's
-- statistics while training and running averages (updated with weight
-- `momentum`) in evaluation. Parameters layer.gamma, layer.beta; state
-- layer.running_mean, layer.running_var.
function nn.BatchNorm(o)
  o = opts.check("nn.BatchNorm", o, { "eps", "momentum" })
  local eps, momentum = o.eps or 1e-5, o.momentum or 0.1
  if type(eps) ~= "number" or not (eps > 0 and eps < math.huge) then errors.raise("BatchNorm: eps must be > 0") end
  if type(momentum) ~= "number" or not (momentum > 0 and momentum <= 1) then
    errors.raise("BatchNorm: momentum must be in (0, 1]")
  end
  return Module.new_layer(BatchNorm, { type = "batchnorm", eps = eps, momentum = momentum })
end

--- nn.from_spec(spec) -> layer
-- A layer object for a spec read back from a network (a loaded model).
function nn.from_spec(spec)
  local class = CLASSES[spec.type == "act" and spec.act or spec.type]
  if not class then errors.raise("no layer class for spec type " .. tostring(spec.type)) end
  return Module.new_layer(class, spec, spec.type == "dense" and { spec.n_in } or nil)
end

nn.Sequential = require("lunet.nn.sequential")

-- The methods of the C network that model:net() returns, named so that help() finds them.
nn.Net = require("lunet.core").net_metatable.__index

return nn
