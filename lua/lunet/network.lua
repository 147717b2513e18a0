-- lunet.Network: the book's network2.py in three lines.
--
--   local net = lunet.Network{784, 30, 10}
--   local ev_cost, ev_acc, tr_cost, tr_acc = net:SGD(training, 30, 10, 0.5,
--     { lambda = 5.0, evaluation_data = validation, monitor_evaluation_accuracy = true })
--   print(("test accuracy %.2f%%"):format(100 * net:accuracy(test)))
--
-- Defaults are those of the book's improved program: sigmoid neurons,
-- the cross-entropy cost, weights ~ N(0, 1/n_in), biases ~ N(0, 1).
-- Options: cost = "cross_entropy" | "quadratic" | "log_likelihood" (ends
-- with a softmax layer), init = "default" | "large" | "he" | "xavier" |
-- "zeros", activation = a name for the hidden layers or a list with one
-- name per layer ("sigmoid", "tanh", "relu", "identity", "step"; a step
-- network is the book's perceptron network, trained by lunet.perceptron,
-- and needs cost = "quadratic"), output = the output layer's activation (by
-- default the one the cost needs: sigmoid for cross_entropy, softmax for
-- log_likelihood; for quadratic the hidden layers' one), dtype = "float32" |
-- "float64".
--
-- A Network is a Sequential of Linear and activation layers, so the layer
-- API (forward, backward, parameters, save ...) works on it too. Unlike the
-- book, lists are 1-based: net.weights[1] is the (30, 784) matrix of the
-- first layer, net.biases[1] its 30 biases; net.grad_weights[l] and
-- net.grad_biases[l] are their gradients after a backward pass.

local json = require "lunet.json"
local options = require "lunet.opts"
local nn = require "lunet.nn"
local core = require "lunet.core"
local errors = require "lunet.errors"
local train = require "lunet.train"

local Sequential = nn.Sequential

local Network = {}
Network.__name = "Network"
Network.__tostring = Sequential.__tostring

local function layer_view(self, field)
  return setmetatable({}, {
    __index = function(_, l)
      local layer = self._layers[2 * l - 1]
      if math.type(l) ~= "integer" or not layer then return nil end
      return layer[field]
    end,
    __len = function() return #self.sizes - 1 end,
  })
end

local VIEWS = { weights = "weight", biases = "bias", grad_weights = "grad_weight", grad_biases = "grad_bias" }

function Network.__index(self, key)
  if VIEWS[key] then return layer_view(self, VIEWS[key]) end
  return Network[key] or Sequential[key]
end

local COSTS = { cross_entropy = true, quadratic = true, log_likelihood = true }
local DTYPES = { float32 = true, float64 = true, float = true, double = true }

local ACTIVATIONS = { sigmoid = true, tanh = true, relu = true, identity = true, step = true, softmax = true }

-- One activation name per layer. A single name is the hidden layers'; the
-- output layer follows the cost (softmax for log_likelihood, sigmoid for
-- cross_entropy, the same name for quadratic) unless opts.output or a list
-- names it. A list names every layer.
local function activations(opts, n, cost)
  local a = opts.activation or "sigmoid"
  local out = {}
  if type(a) == "table" then
    if rawlen(a) ~= n then errors.fail("Network", "activation lists %d names for %d layers", rawlen(a), n) end
    if opts.output ~= nil then
      errors.fail("Network", "name the output layer in the activation list or as output, not both")
    end
    for l = 1, n do out[l] = rawget(a, l) end
  elseif type(a) == "string" then
    if not ACTIVATIONS[a] or a == "softmax" then
      errors.fail("Network", "unknown activation '%s' (sigmoid, tanh, relu, identity, step)", a)
    end
    for l = 1, n - 1 do out[l] = a end
    -- the quadratic cost takes any output (identity for regression)
    out[n] = opts.output or (cost == "log_likelihood" and "softmax" or cost == "quadratic" and a or "sigmoid")
  else
    errors.fail("Network", "activation must be a name or a list of names, got %s", type(a))
  end
  for l = 1, n do
    if type(out[l]) ~= "string" or not ACTIVATIONS[out[l]] then
      errors.fail("Network", "unknown activation '%s' for layer %d (sigmoid, tanh, relu, identity, step%s)",
        tostring(out[l]), l, l == n and ", softmax" or "")
    end
  end
  if cost == "log_likelihood" then
    if out[n] ~= "softmax" and type(a) == "table" then out[n] = "softmax" end
    if out[n] ~= "softmax" then
      errors.fail("Network", "the log-likelihood cost needs a softmax output layer, not %s", out[n])
    end
  elseif out[n] == "softmax" then
    errors.fail("Network", "a softmax output layer goes with cost = \"log_likelihood\"")
  elseif cost == "cross_entropy" and out[n] ~= "sigmoid" then
    errors.fail("Network", "the cross-entropy cost needs a sigmoid output layer, not %s "
      .. "(leave output unset, or use cost = \"quadratic\")", out[n])
  end
  return out
end

local OPTIONS = { "cost", "init", "activation", "output", "dtype" }

-- Network{784, 30, 10, activation = "tanh"} is Network({784, 30, 10},
-- {activation = "tanh"}); options in both places are an error.
local function arguments(sizes, opts)
  if type(sizes) ~= "table" then return sizes, opts end
  local list, named = options.split(sizes)
  if next(named) ~= nil then
    if opts ~= nil then errors.fail("Network", "give the options in the sizes table or as a second table, not both") end
    return list, options.check("Network", named, OPTIONS, 3)
  end
  return list, options.check("Network", opts, OPTIONS, 3)
end

local function new(sizes, opts)
  sizes, opts = arguments(sizes, opts)
  if type(sizes) ~= "table" or #sizes < 2 then
    errors.raise("Network takes a list of at least two layer sizes, e.g. {784, 30, 10}")
  end
  for i, s in ipairs(sizes) do
    if math.type(s) ~= "integer" or s < 1 then
      errors.fail("Network", "size %d must be a positive integer, got %s", i, tostring(s))
    end
  end
  local cost = opts.cost or "cross_entropy"
  if not COSTS[cost] then
    errors.fail("Network", "unknown cost '%s' (cross_entropy, quadratic, log_likelihood)", tostring(cost))
  end
  -- checked here so that the message names Network, not the nn.Linear or nn.Sequential it builds
  errors.call("Network", "nn.init_stds", nn.init_stds, opts.init, sizes[1], sizes[2])
  if opts.dtype ~= nil and not DTYPES[opts.dtype] then
    errors.fail("Network", "unknown dtype '%s' (float32, float64)", tostring(opts.dtype))
  end
  local acts = activations(opts, #sizes - 1, cost)
  local layers = {}
  for l = 1, #sizes - 1 do
    layers[#layers + 1] = nn.Linear(sizes[l], sizes[l + 1], { init = opts.init })
    layers[#layers + 1] = acts[l] == "softmax" and nn.Softmax() or nn.activation(acts[l])
  end
  local seq = Sequential(layers, { cost = cost, dtype = opts.dtype })
  local self = setmetatable(seq, Network)
  self.sizes = { table.unpack(sizes) }
  self.num_layers = #sizes
  return self
end

--- net:feedforward(a) -> tensor
-- The output for one input (a vector) or for a batch (samples, n_in), as
-- the book's feedforward (model:output).
function Network:feedforward(a)
  errors.method(self, "Network:feedforward")
  return self:output(a)
end

--- net:SGD(training_data, epochs, mini_batch_size, eta [, opts]) -> ev_cost, ev_acc, tr_cost, tr_acc, history
-- The book's SGD(training_data, epochs, mini_batch_size, eta, lmbda = 0,
-- evaluation_data = None, monitor_* = False), with the keyword arguments
-- in a table (lambda or lmbda), plus every option of lunet.train.sgd but
-- epochs, batch (mini_batch_size) and eta, which are its arguments.
-- Returns, as the book does, the evaluation cost, evaluation accuracy,
-- training cost and training accuracy per epoch, the accuracies as COUNTS
-- of right answers (net:accuracy(data) gives a fraction), and the full
-- history (accuracies there as fractions 0..1). The lines it prints give
-- accuracies in percent.
function Network:SGD(training_data, epochs, mini_batch_size, eta, opts)
  errors.method(self, "Network:SGD")
  if opts ~= nil and type(opts) ~= "table" then
    errors.raise(("Network:SGD: options must be a table, got %s"):format(type(opts)))
  end
  local o = train.plain_options(opts or {}, "Network:SGD")
  -- the arguments were set over them, silently: {eta = 5} trained at the argument's eta
  for _, k in ipairs { "epochs", "mini_batch_size", "batch", "eta" } do
    if o[k] ~= nil then
      errors.raise(("Network:SGD: %s is an argument, net:SGD(training_data, epochs, mini_batch_size, eta, "
        .. "opts), not an option"):format(k))
    end
  end
  if type(o.lambda) == "nil" and type(o.lmbda) ~= "nil" then o.lambda, o.lmbda = o.lmbda, nil end
  o.epochs, o.batch, o.eta = epochs, mini_batch_size, eta
  return train.sgd(self, training_data, o, "Network:SGD")
end

--- net:total_cost(data [, lambda]) -> number
-- The book's total_cost: mean cost plus (lambda / 2n) * sum of squared weights.
function Network:total_cost(data, lambda)
  errors.method(self, "Network:total_cost")
  return (train.evaluate(self, data, lambda or 0, nil, "Network:total_cost"))
end

--- net:trace(x) -> { {layer =, z =, a =}, ... }
-- z and a of every layer for inputs x (lunet.diagnose.trace).
function Network:trace(x)
  errors.method(self, "Network:trace")
  return require("lunet.diagnose").trace(self, x)
end

--- net:gradient_norms(data) -> bias_norms, weight_norms
-- ||dC/db|| and ||dC/dW|| of each layer (Lua lists, input side first), with
-- C averaged over `data`: the speed at which each layer learns (book, ch. 5).
function Network:gradient_norms(data)
  errors.method(self, "Network:gradient_norms")
  return train.gradient_norms(self, data)
end

--- Network.load(path) -> Network or Sequential
-- lunet.load(path): a model saved by model:save; a Network when its layers
-- alternate Linear and activations and it has a cost.
function Network.load(path)
  return require("lunet.model").load(path)
end

--- Network.load_json(path) -> Network
-- Networks written by the book's network2.py save(): a JSON object with
-- sizes, weights, biases and cost ("CrossEntropyCost" or "QuadraticCost").
function Network.load_json(path)
  local ok, doc = pcall(json.decode_file, path)   -- refuses FIFOs and devices
  if not ok then errors.raise("Network.load_json: " .. doc) end
  local costs = { CrossEntropyCost = "cross_entropy", QuadraticCost = "quadratic" }
  if type(doc) ~= "table" or type(doc.sizes) ~= "table" or type(doc.weights) ~= "table"
    or type(doc.biases) ~= "table" or not costs[doc.cost] then
    errors.raise(("Network.load_json: %s is not a network2.py file (sizes, weights, biases, cost)"):format(path))
  end
  local net = new(doc.sizes, { cost = costs[doc.cost] })
  for l = 1, #doc.sizes - 1 do
    local w = core.tensor(doc.weights[l], "float64")
    local b = core.tensor(doc.biases[l], "float64")
    local ws, bs = w:shape(), b:shape()
    if ws[1] ~= doc.sizes[l + 1] or ws[2] ~= doc.sizes[l] or b:numel() ~= doc.sizes[l + 1] or #bs > 2 then
      errors.raise(("Network.load_json: %s: layer %d has the wrong shape"):format(path, l))
    end
    net.weights[l]:copy(w)
    net.biases[l]:copy(b)
  end
  return net
end

--- Network.adopt(seq) -> Network or nil
-- Makes a Sequential of alternating Linear and activation layers a Network.
function Network.adopt(seq)
  local sizes = {}
  for i, layer in ipairs(seq._layers) do
    local t = layer.spec.type
    if (i % 2 == 1) ~= (t == "dense") or (i % 2 == 0 and t ~= "act" and t ~= "softmax") then return nil end
    if i % 2 == 1 then
      sizes[#sizes + 1] = layer.spec.n_in
      if i == #seq._layers - 1 then sizes[#sizes + 1] = layer.spec.n_out end
    end
  end
  if #seq._layers % 2 == 1 or not seq:cost() then return nil end
  local self = setmetatable(seq, Network)
  self.sizes, self.num_layers = sizes, #sizes
  return self
end

-- __index: Sequential's methods, where tab completion finds them too
return setmetatable(Network, { __index = Sequential, __call = function(_, ...) return new(...) end })
