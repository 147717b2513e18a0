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

local Module = require "lunet.nn.module"

local nn = { Module = Module }

-- Initial weights ~ N(0, w_std^2), biases ~ N(0, b_std^2), by name:
--   "default"  the book's improved initialisation: w_std = 1/sqrt(n_in), b_std = 1
--   "large"    the book's first one: both N(0, 1)
--   "he"       w_std = sqrt(2/n_in), biases 0 (for ReLU)
--   "xavier"   w_std = sqrt(2/(n_in + n_out)), biases 0
--   "zeros"    everything 0 (the book's softmax layer in network3)
-- or a table {w_std =, b_std =}.
function nn.init_stds(init, n_in, n_out)
  init = init or "default"
  if type(init) == "table" then
    return assert(tonumber(init.w_std), "init.w_std must be a number"), tonumber(init.b_std) or 0
  end
  if init == "default" then return 1 / math.sqrt(n_in), 1 end
  if init == "large" then return 1, 1 end
  if init == "he" then return math.sqrt(2 / n_in), 0 end
  if init == "xavier" then return math.sqrt(2 / (n_in + n_out)), 0 end
  if init == "zeros" then return 0, 0 end
  error(("unknown init '%s' (default, large, he, xavier, zeros or {w_std =, b_std =})"):format(tostring(init)), 3)
end

local function check_size(v, what, level)
  if math.type(v) ~= "integer" or v < 1 then
    error(("%s must be a positive integer, got %s"):format(what, tostring(v)), level or 3)
  end
end

-- ---- layers -----------------------------------------------------------------

local Linear = Module.layer_class("Linear", {
  describe = function(self) return ("Linear(%d -> %d)"):format(self.spec.n_in, self.spec.n_out) end,
})

function nn.Linear(n_in, n_out, opts)
  check_size(n_in, "Linear: n_in")
  check_size(n_out, "Linear: n_out")
  opts = opts or {}
  local w_std, b_std = nn.init_stds(opts.init, n_in, n_out)
  return Module.new_layer(Linear, { type = "dense", n_in = n_in, n_out = n_out, w_std = w_std, b_std = b_std },
    { n_in })
end

-- the class of each kind of layer, for rebuilding layers from specs
local CLASSES = { dense = Linear }

local function activation(name, act)
  local class = Module.layer_class(name)
  CLASSES[act] = class
  return function()
    return Module.new_layer(class, { type = "act", act = act })
  end
end

nn.Sigmoid = activation("Sigmoid", "sigmoid")
nn.Tanh = activation("Tanh", "tanh")
nn.ReLU = activation("ReLU", "relu")
nn.Identity = activation("Identity", "identity")

local Softmax = Module.layer_class("Softmax")
CLASSES.softmax = Softmax
function nn.Softmax()
  return Module.new_layer(Softmax, { type = "softmax" })
end

-- Activation layers by name: "sigmoid", "tanh", "relu", "identity" (or
-- "linear"), "softmax".
function nn.activation(name)
  local make = ({ sigmoid = nn.Sigmoid, tanh = nn.Tanh, relu = nn.ReLU, identity = nn.Identity,
    linear = nn.Identity, softmax = nn.Softmax })[name]
  if not make then
    error(("unknown activation '%s' (sigmoid, tanh, relu, identity, softmax)"):format(tostring(name)), 2)
  end
  return make()
end

-- Dropout(p): drops each value with probability p while training and
-- scales the kept ones by 1/(1-p); evaluation is the identity.
local Dropout = Module.layer_class("Dropout", {
  describe = function(self) return ("Dropout(%g)"):format(self.spec.p) end,
})
CLASSES.dropout = Dropout
function nn.Dropout(p)
  p = p or 0.5
  if type(p) ~= "number" or not (p >= 0 and p < 1) then
    error(("Dropout: p must be in [0, 1), got %s"):format(tostring(p)), 2)
  end
  return Module.new_layer(Dropout, { type = "dropout", p = p })
end

-- Reshape(d1 [, d2 [, d3]]): a new per-sample shape, e.g. Reshape(1, 28, 28).
local Reshape = Module.layer_class("Reshape", {
  describe = function(self) return "Reshape(" .. table.concat(self.spec.shape, "x") .. ")" end,
})
CLASSES.reshape = Reshape
function nn.Reshape(...)
  local shape = { ... }
  if type(shape[1]) == "table" then shape = shape[1] end
  for i, d in ipairs(shape) do check_size(d, "Reshape: size " .. i) end
  return Module.new_layer(Reshape, { type = "reshape", shape = shape })
end

-- A layer object for a spec read back from a network (a loaded model).
function nn.from_spec(spec)
  local class = CLASSES[spec.type == "act" and spec.act or spec.type]
  if not class then error("no layer class for spec type " .. tostring(spec.type), 2) end
  return Module.new_layer(class, spec, spec.type == "dense" and { spec.n_in } or nil)
end

nn.Sequential = require("lunet.nn.sequential")

return nn
